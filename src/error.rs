//! Error types.

#![forbid(unsafe_code)]

use alloc::string::String;
use core::fmt;

/// A map reached a limit of its configuration: a tree with
/// [`Compact16`](crate::Compact16) handles ran out of node handles (the
/// insert would need a 65,536th leaf or branch), or a map with counts
/// ([`Counted`](crate::policy::Counted)) holds as many entries as its
/// `u32` counts can count, `u32::MAX` (4,294,967,295).
///
/// The limit itself: which one, and how far it goes. A refused
/// [`BPlusTreeMap::checked_insert`](crate::BPlusTreeMap::checked_insert)
/// returns it inside an [`InsertError`], beside the key and value it did not
/// insert; [`insert`](crate::BPlusTreeMap::insert) panics with its message,
/// and so do the bulk builds (`collect`, `from_sorted_iter`, `append`);
/// deserializing returns it as an error. The map is unchanged.
///
/// Only `Compact16` trees run out of handles:
/// [`Adaptive`](crate::Adaptive) handles move to 32 bits instead, and
/// [`Wide32`](crate::Wide32) trees name 2³² - 1 nodes. Only counted maps
/// have a limit on entries ([`max_entries`](Self::max_entries) says whether
/// this error is that one); a map without counts has none but memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityError {
    handle: &'static str,
    max_nodes: usize,
    limit: Limit,
}

/// Which limit a [`CapacityError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    /// Every node handle is in use.
    Nodes,
    /// A counted map holds this many entries, the most its counts count.
    Entries(usize),
}

impl CapacityError {
    /// Out of node handles: a tree of handles `H` holds no more nodes.
    pub(crate) fn nodes<H: crate::policy::Handle>() -> Self {
        CapacityError {
            handle: H::NAME,
            max_nodes: H::MAX_NODES,
            limit: Limit::Nodes,
        }
    }

    /// A counted map of handles `H` that holds `max_entries` entries, its
    /// counts' limit.
    pub(crate) fn entries<H: crate::policy::Handle>(max_entries: usize) -> Self {
        CapacityError {
            limit: Limit::Entries(max_entries),
            ..Self::nodes::<H>()
        }
    }

    /// The most nodes of one kind (leaves, or branches) the tree's handles
    /// can name.
    pub fn max_nodes(&self) -> usize {
        self.max_nodes
    }

    /// The most entries the map can hold, if that is the limit this error
    /// is: `Some(4_294_967_295)` for a map with counts
    /// ([`Counted`](crate::policy::Counted)) that holds that many, `None`
    /// for a tree out of node handles.
    ///
    /// ```
    /// use bptree::{BPlusTreeMap, Compact16, VecArena};
    ///
    /// // A Compact16 tree of full leaves of 4 runs out of handles, not of
    /// // entries.
    /// let mut map: BPlusTreeMap<u32, (), Compact16, VecArena, 4> =
    ///     BPlusTreeMap::from_sorted_iter((0..4 * 65_535).map(|i| (2 * i, ()))).unwrap();
    /// let err = map.checked_insert(1, ()).unwrap_err();
    /// assert_eq!(err.error.max_entries(), None);
    /// assert_eq!(err.max_nodes(), 65_535);
    /// ```
    pub fn max_entries(&self) -> Option<usize> {
        match self.limit {
            Limit::Nodes => None,
            Limit::Entries(max) => Some(max),
        }
    }
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Limit::Nodes => write!(
                f,
                "bptree: capacity exceeded: a tree with {} handles holds at most {} leaves and {} \
                 branches, and this insert needs one more node (use Adaptive handles, which move \
                 to 32 bits instead of failing, or Wide32 handles, or a larger CAP)",
                self.handle, self.max_nodes, self.max_nodes
            ),
            Limit::Entries(max) => write!(
                f,
                "bptree: capacity exceeded: a map with counts (a Counted arena) holds at most {max} \
                 entries, the most its branches' counts can count, and this insert needs one more \
                 (spread the entries over several maps, or use an arena without Counted if the \
                 order statistics are not needed)"
            ),
        }
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

    /// The most entries the map can hold, if that is the limit the insert
    /// ran into (a map with counts): [`CapacityError::max_entries`].
    pub fn max_entries(&self) -> Option<usize> {
        self.error.max_entries()
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
