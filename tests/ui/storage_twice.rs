use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(arena = bptree::PoolArena<bptree::policy::Boxed>, storage = bptree::policy::Growing, capacity = 32)]
struct StorageTwice;

fn main() {}
