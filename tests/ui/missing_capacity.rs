use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(handle = bptree::Compact16, arena = bptree::PoolArena)]
struct NoCapacity;

fn main() {}
