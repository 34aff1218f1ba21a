use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = "32")]
struct Quoted;

#[derive(TreeConfig)]
#[tree(capacity = 32u8)]
struct NotUsize;

fn main() {}
