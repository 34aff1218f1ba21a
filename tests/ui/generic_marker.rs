use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = 32)]
struct Generic<T>(T);

fn main() {}
