use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = 32, counts = 3)]
struct CountsIsNumber;

#[derive(TreeConfig)]
#[tree(capacity = 32, counts = "yes")]
struct CountsIsString;

#[derive(TreeConfig)]
#[tree(counts(true), capacity = 32)]
struct CountsInParentheses;

fn main() {}
