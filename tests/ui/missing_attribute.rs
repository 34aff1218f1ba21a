use bptree::TreeConfig;

#[derive(TreeConfig)]
struct NoAttribute;

fn main() {}
