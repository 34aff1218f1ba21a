use bptree::TreeConfig;

#[derive(TreeConfig)]
#[tree(capacity = 32, handle = 16)]
struct HandleIsNumber;

#[derive(TreeConfig)]
#[tree(capacity = 32, alias = "Named")]
struct AliasIsString;

#[derive(TreeConfig)]
#[tree(capacity = 32, name = Named)]
struct NameIsIdent;

#[derive(TreeConfig)]
#[tree(capacity = 32, arena = bptree::PoolArena bptree::VecArena)]
struct TwoArenas;

fn main() {}
