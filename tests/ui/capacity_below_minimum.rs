use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(handle = bptree::Compact16, capacity = 3)]
struct TooSmall;

fn main() {}
