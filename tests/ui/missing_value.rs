use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity)]
struct NoValue;

fn main() {}
