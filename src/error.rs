//! Error types.

#![forbid(unsafe_code)]

use alloc::string::String;
use core::fmt;

/// A tree with [`Compact16`](crate::Compact16) handles ran out of node
/// handles: the insert would need a 65,536th leaf or branch.
///
/// The limit itself: which handles, and how many nodes they name. A refused
/// [`BPlusTreeMap::checked_insert`](crate::BPlusTreeMap::checked_insert)
/// returns it inside an [`InsertError`], beside the key and value it did not
/// insert; [`insert`](crate::BPlusTreeMap::insert) panics with its message.
/// Only `Compact16` trees have the limit: [`Adaptive`](crate::Adaptive)
/// handles move to 32 bits instead, and [`Wide32`](crate::Wide32) trees
/// name 2³² - 1 nodes.
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
             branches, and this insert needs one more node (use Adaptive handles, which move \
             to 32 bits instead of failing, or Wide32 handles, or a larger CAP)",
            self.handle, self.max_nodes, self.max_nodes
        )
    }
}

impl core::error::Error for CapacityError {}

/// A refused [`checked_insert`](crate::BPlusTreeMap::checked_insert): the
/// key and value it did not insert, handed back, and the limit it ran into.
///
/// Like std's `OccupiedError` (of the unstable `BTreeMap::try_insert`), the
/// error owns what the insert was given, so nothing is lost: take them
/// back from the public fields or with [`into_inner`](Self::into_inner).
/// The map is unchanged. For a [`BPlusTreeSet`](crate::BPlusTreeSet) the
/// value is `()` and [`key`](Self::key) holds the set's element.
///
/// It displays as its [`CapacityError`] (the limit and what to use
/// instead), and converts into one with `?` or [`From`] where only the
/// limit matters.
///
/// ```
/// use bptree::{BPlusTreeMap, Compact16, VecArena};
///
/// // 65,535 full leaves of 4 entries: every leaf handle is taken.
/// let full = 4 * 65_535;
/// let mut map: BPlusTreeMap<u32, String, Compact16, VecArena, 4> =
///     BPlusTreeMap::from_sorted_iter((0..full).map(|i| (2 * i, String::new()))).unwrap();
///
/// let err = map.checked_insert(1, "one".to_string()).unwrap_err();
/// assert_eq!(err.max_nodes(), 65_535);
/// assert!(err.to_string().contains("Compact16"));
/// let (key, value) = err.into_inner();
/// assert_eq!((key, value.as_str()), (1, "one"));
/// assert_eq!(map.len(), full as usize); // unchanged
/// assert!(!map.contains_key(&1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsertError<K, V = ()> {
    /// The key that was not inserted.
    pub key: K,
    /// The value that was not inserted.
    pub value: V,
    /// The limit the insert ran into.
    pub error: CapacityError,
}

impl<K, V> InsertError<K, V> {
    /// The key and value that were not inserted.
    pub fn into_inner(self) -> (K, V) {
        (self.key, self.value)
    }

    /// The most nodes of one kind (leaves, or branches) the tree can hold:
    /// [`CapacityError::max_nodes`].
    pub fn max_nodes(&self) -> usize {
        self.error.max_nodes()
    }
}

impl<K, V> fmt::Display for InsertError<K, V> {
    /// The [`CapacityError`]'s message: the limit, not the key or value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

// No `source`: `Display` already says what the `CapacityError` says.
impl<K: fmt::Debug, V: fmt::Debug> core::error::Error for InsertError<K, V> {}

impl<K, V> From<InsertError<K, V>> for CapacityError {
    /// Keeps the limit and drops the key and value.
    fn from(err: InsertError<K, V>) -> Self {
        err.error
    }
}

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
