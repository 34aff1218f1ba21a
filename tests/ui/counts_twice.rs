use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(arena = bptree::policy::Counted<bptree::PoolArena>, counts, capacity = 32)]
struct CountsTwice;

fn main() {}
