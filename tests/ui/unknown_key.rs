use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = 32, handel = bptree::Compact16)]
struct Misspelled;

fn main() {}
