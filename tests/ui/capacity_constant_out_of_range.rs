use bptree::TreeConfig;

const ENTRIES: usize = 2;

#[derive(TreeConfig)]
#[tree(capacity = ENTRIES)]
struct TooSmall;

#[derive(TreeConfig)]
#[tree(capacity = 64 * 128)]
struct TooLarge;

fn main() {}
