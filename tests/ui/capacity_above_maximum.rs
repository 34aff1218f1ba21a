use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = 4097)]
struct TooLarge;

fn main() {}
