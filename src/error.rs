//! Error types.

use alloc::string::String;
use core::fmt;

/// A tree with [`Compact16`](crate::Compact16) handles ran out of node
/// handles: the insert would need a 65,536th leaf or branch.
///
/// Returned by [`BPlusTreeMap::checked_insert`](crate::BPlusTreeMap::checked_insert);
/// the tree is unchanged when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityError {
    handle: &'static str,
    max_nodes: usize,
}

impl CapacityError {
    pub(crate) fn new<H: crate::policy::Handle>() -> Self {
        CapacityError {
            handle: H::NAME,
            max_nodes: H::MAX_NODES,
        }
    }

    /// The most nodes of one kind (leaves, or branches) the tree can hold.
    pub fn max_nodes(&self) -> usize {
        self.max_nodes
    }
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bptree: capacity exceeded: a tree with {} handles holds at most {} leaves and {} \
             branches, and this insert needs one more node (use Wide32 handles or a larger CAP)",
            self.handle, self.max_nodes, self.max_nodes
        )
    }
}

impl core::error::Error for CapacityError {}

/// A broken tree invariant, found by
/// [`BPlusTreeMap::check_invariants`](crate::BPlusTreeMap::check_invariants).
///
/// Seeing one means a bug in bptree (or memory corruption): please report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvariantError {
    message: String,
}

impl InvariantError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        InvariantError {
            message: message.into(),
        }
    }

    /// What is wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InvariantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bptree invariant broken: {}", self.message)
    }
}

impl core::error::Error for InvariantError {}
