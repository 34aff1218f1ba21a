use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = 32)]
#[tree(handle = bptree::Compact16, capacity = 64)]
struct Twice;

fn main() {}
