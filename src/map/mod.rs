//! The ordered map [`BPlusTreeMap`] and its iterator types (like std's
//! `btree_map` module).

mod cursor;
mod entry;
pub(crate) mod extract_if;
mod iter;
pub(crate) mod merge;
mod order;

pub use cursor::{Cursor, CursorMut, UnorderedKeyError};
pub use entry::{Entry, OccupiedEntry, VacantEntry};
pub use extract_if::ExtractIf;
pub use iter::{
    IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Range, RangeMut, Values, ValuesMut,
};
pub(crate) use iter::{projection, sorted_last, sorted_min_max};

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Index, RangeBounds};

use crate::error::InvariantError;
use crate::map::merge::{MergeIter, Merged, Replay, Step};
use crate::policy::{ArenaStrategy, Cfg, Config, Handle, Indirect, VecArena, Wide32};
use crate::raw::iter::RawIterMut;
use crate::raw::map::RawMap;

/// The engine's map of configuration `H`, `A`, `CAP`: what the map types and
/// their iterators, entries and cursors hold.
type Tree<K, V, H, A, const CAP: usize> = RawMap<K, V, Cfg<H, A, CAP>>;

/// An ordered map based on a B+ tree, whose memory layout is chosen by types.
///
/// A drop-in for [`std::collections::BTreeMap`](alloc::collections::BTreeMap):
/// the same methods, trait implementations and panics (plus the one of a
/// [`Compact16`](crate::Compact16) tree that runs out of handles, and of a
/// map with counts past `u32::MAX` entries, see [`insert`](Self::insert)),
/// and the same complexity except where [the
/// differences](#differences-from-btreemap) say. Entries live only in
/// leaves, which are linked in key order, so iteration and range scans walk
/// memory linearly; branches hold separator keys and small node handles.
///
/// The type parameters choose the layout (see [`crate::policy`]):
///
/// * `H`: handle width, [`Wide32`] (default), [`Compact16`](crate::Compact16)
///   or [`Adaptive`](crate::Adaptive) (16-bit until the tree outgrows them);
/// * `A`: arena strategy, [`VecArena`] (default), [`PoolArena`](crate::PoolArena)
///   or [`MaskedArena`](crate::policy::MaskedArena), each taking a node
///   storage policy as its own parameter (`PoolArena<Boxed>`);
/// * `CAP`: entries per node, from 4 to 4096 (default 64), checked at
///   compile time.
///
/// # Differences from `BTreeMap`
///
/// Separators are copies of keys, so operations that change the tree's shape
/// need `K: Clone` (std's B-tree keeps each key once). Every clone happens
/// before the tree changes: a panicking `Clone` leaves the map as it was.
///
/// Complexity differs from std's in three places (`n` is the map's length;
/// within a node, as in std's, an insert or removal moves up to `CAP`
/// entries):
///
/// * **Small maps.** A map of at most `RUN_MAX` entries is one sorted array,
///   not a tree. `RUN_MAX` is 4 × `CAP` for [`VecArena`] and
///   [`PoolArena`](crate::PoolArena) (four leaves' worth: maps of up to
///   256 entries by default), `RUN_LEAVES` × `CAP` behind
///   [`Indirect<A, RUN_LEAVES>`](crate::policy::Indirect) (four by default;
///   2,048 entries for [`config::Compact`](crate::config::Compact)), and 0 (no runs) for a
///   bare [`MaskedArena`](crate::policy::MaskedArena) and for
///   [`Growing`](crate::policy::Growing) storage. Lookups there are a binary
///   search, but an insert or removal shifts the entries after its
///   position: O(n) in the run's length, bounded by `RUN_MAX` (std: O(log
///   n)). The insert that overflows a full run builds a tree from it, and
///   the removal that leaves a tree under `RUN_MAX / 2` entries turns it
///   back into a run, each O(`RUN_MAX`); the gap between the two thresholds
///   keeps alternating inserts and removals from rebuilding.
/// * **[`Adaptive`](crate::Adaptive) handles.** The insert that needs the
///   tree's 65,536th leaf or branch moves every node into a tree of 32-bit
///   handles, O(n), and a removal that leaves the wide tree under
///   16,383 × `CAP / 2` entries moves it back, O(n); between the two, inserts
///   and removals are O(log n) again, so the moves amortize.
/// * **[`split_off`](Self::split_off)** moves entries (nodes live in
///   per-tree arenas, so no subtree can change owner in place; std cuts its
///   tree along one root-to-leaf path instead). It counts the entries at or
///   after the key by walking them, clones the separators a tree of the
///   smaller part needs, then moves that part out leaf by leaf from one
///   end of the tree (each emptied leaf unlinked, O(log n)) and builds a
///   tree of it: O(r + m log n) time and O(m) extra memory, where
///   `r` is the number of entries returned and `m` the size of the smaller
///   part. Splitting near the front of a large map is therefore O(n).
///
/// # Examples
///
/// ```
/// use bptree::BPlusTreeMap;
///
/// let mut movies = BPlusTreeMap::new();
/// movies.insert("Office Space", "Deals with real issues in the workplace.");
/// movies.insert("Pulp Fiction", "Masterpiece.");
/// movies.insert("The Godfather", "Very enjoyable.");
/// assert_eq!(movies.len(), 3);
/// assert!(movies.contains_key("Pulp Fiction"));
/// movies.remove("The Godfather");
/// for (movie, review) in &movies {
///     println!("{movie}: \"{review}\"");
/// }
/// ```
///
/// A configuration is just a type:
///
/// ```
/// use bptree::{BPlusTreeMap, Compact16, PoolArena};
///
/// let mut m: BPlusTreeMap<u64, String, Compact16, PoolArena, 32> = BPlusTreeMap::empty();
/// m.insert(7, "seven".to_string());
/// assert_eq!(m[&7], "seven");
/// ```
pub struct BPlusTreeMap<
    K,
    V,
    H: Handle = Wide32,
    A: ArenaStrategy = Indirect<VecArena>,
    const CAP: usize = 64,
> {
    pub(crate) raw: RawMap<K, V, Cfg<H, A, CAP>>,
}

impl<K, V> BPlusTreeMap<K, V> {
    /// Makes a new, empty map of the default configuration. Allocates
    /// nothing.
    ///
    /// Like `BTreeMap::new` (which exists only for the global allocator),
    /// this is defined for the default configuration alone, so that
    /// `BPlusTreeMap::new()` needs no type annotations; any configuration
    /// has [`empty`](Self::empty) and [`Default`].
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::new();
    /// map.insert(1, "a");
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self::empty()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> BPlusTreeMap<K, V, H, A, CAP> {
    /// The most entries this configuration keeps as one sorted run instead
    /// of a tree, with fixed-size node storage (`Inline`, `Boxed`): `4 *
    /// CAP` in a `VecArena` or a `PoolArena` (256 for the default
    /// configuration), `RUN_LEAVES * CAP` behind `Indirect<A, RUN_LEAVES>`
    /// (four leaves by default, 16 for `Compact`); and 0 (no runs) for
    /// `Growing` storage or a bare `MaskedArena`, which reproduce the
    /// seed's layout.
    ///
    /// ```
    /// use bptree::phase::{Compact, Phase0};
    /// use bptree::{BPlusTreeMap, Compact16, PoolArena};
    /// assert_eq!(BPlusTreeMap::<u8, u8>::RUN_MAX, 256);
    /// assert_eq!(BPlusTreeMap::<u8, u8, Compact16, PoolArena, 32>::RUN_MAX, 128);
    /// assert_eq!(Compact::<u8, u8>::RUN_MAX, 2048);
    /// assert_eq!(Phase0::<u8, u8>::RUN_MAX, 0);
    /// ```
    pub const RUN_MAX: usize = <Cfg<H, A, CAP> as Config>::RUN_MAX;

    /// Makes a new, empty map of any configuration. Allocates nothing.
    ///
    /// ```
    /// use bptree::phase::Phase3;
    /// let mut map = Phase3::empty();
    /// map.insert(1u64, "a");
    /// assert_eq!(map.len(), 1);
    /// ```
    #[must_use]
    pub const fn empty() -> Self {
        let () = <Cfg<H, A, CAP> as Config>::CHECK;
        BPlusTreeMap { raw: RawMap::new() }
    }

    /// Removes every entry.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut a = BPlusTreeMap::from([(1, "a")]);
    /// a.clear();
    /// assert!(a.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.raw.drop_all();
    }

    /// The number of entries.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut a = BPlusTreeMap::new();
    /// assert_eq!(a.len(), 0);
    /// a.insert(1, "a");
    /// assert_eq!(a.len(), 1);
    /// ```
    #[must_use]
    pub const fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the map is empty.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut a = BPlusTreeMap::new();
    /// assert!(a.is_empty());
    /// a.insert(1, "a");
    /// assert!(!a.is_empty());
    /// ```
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.raw.len() == 0
    }

    /// The value for `key`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::new();
    /// map.insert(1, "a");
    /// assert_eq!(map.get(&1), Some(&"a"));
    /// assert_eq!(map.get(&2), None);
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.raw.get(key).map(|(_, v)| v)
    }

    /// The stored key and the value for `key`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(1, "a")]);
    /// assert_eq!(map.get_key_value(&1), Some((&1, &"a")));
    /// ```
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.raw.get(key)
    }

    /// Whether the map holds `key`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(1, "a")]);
    /// assert!(map.contains_key(&1));
    /// assert!(!map.contains_key(&2));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.raw.find(key).is_some()
    }

    /// A mutable reference to the value for `key`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a")]);
    /// if let Some(x) = map.get_mut(&1) {
    ///     *x = "b";
    /// }
    /// assert_eq!(map[&1], "b");
    /// ```
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.raw.get_mut(key)
    }

    /// The first entry (least key).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.first_key_value(), Some((&1, &"a")));
    /// ```
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.raw.edge_entry(false)
    }

    /// The last entry (greatest key).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.last_key_value(), Some((&2, &"b")));
    /// ```
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.raw.edge_entry(true)
    }

    /// An iterator over the entries, in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(3, "c"), (1, "a"), (2, "b")]);
    /// let keys: Vec<_> = map.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [1, 2, 3]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, H, A, CAP> {
        Iter::new(&self.raw)
    }

    /// An iterator over the entries with mutable values, in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([("a", 1), ("b", 2)]);
    /// for (_, v) in map.iter_mut() {
    ///     *v += 10;
    /// }
    /// assert_eq!(map["a"], 11);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, H, A, CAP> {
        let len = self.raw.len();
        IterMut::new(RawIterMut::full(&mut self.raw), len)
    }

    /// An iterator over the keys, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V, H, A, CAP> {
        Keys { inner: self.iter() }
    }

    /// An iterator over the values, in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.values().copied().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn values(&self) -> Values<'_, K, V, H, A, CAP> {
        Values { inner: self.iter() }
    }

    /// An iterator over mutable values, in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, String::from("hello"))]);
    /// for v in map.values_mut() {
    ///     v.push('!');
    /// }
    /// assert_eq!(map[&1], "hello!");
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, H, A, CAP> {
        ValuesMut {
            inner: self.iter_mut(),
        }
    }

    /// An iterator over the entries whose keys lie in `range`.
    ///
    /// # Panics
    ///
    /// Like `BTreeMap::range`: if the start is greater than the end, or if
    /// both are equal and excluded (only on a non-empty map, as std does).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound::Included;
    /// let map = BPlusTreeMap::from([(3, "a"), (5, "b"), (8, "c")]);
    /// for (&key, &value) in map.range((Included(&4), Included(&8))) {
    ///     println!("{key}: {value}");
    /// }
    /// assert_eq!(map.range(4..).next(), Some((&5, &"b")));
    /// ```
    pub fn range<T, R>(&self, range: R) -> Range<'_, K, V, H, A, CAP>
    where
        T: Ord + ?Sized,
        K: Borrow<T> + Ord,
        R: RangeBounds<T>,
    {
        Range::new(&self.raw, range.start_bound(), range.end_bound())
    }

    /// An iterator over the entries whose keys lie in `range`, with mutable
    /// values.
    ///
    /// # Panics
    ///
    /// As [`range`](Self::range).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([("Alice", 0), ("Bob", 0), ("Carol", 0)]);
    /// for (_, balance) in map.range_mut("B".."Cheryl") {
    ///     *balance += 100;
    /// }
    /// assert_eq!(map["Alice"], 0);
    /// assert_eq!(map["Carol"], 100);
    /// ```
    pub fn range_mut<T, R>(&mut self, range: R) -> RangeMut<'_, K, V, H, A, CAP>
    where
        T: Ord + ?Sized,
        K: Borrow<T> + Ord,
        R: RangeBounds<T>,
    {
        RangeMut::new(RawIterMut::range(
            &mut self.raw,
            range.start_bound(),
            range.end_bound(),
        ))
    }

    /// Consumes the map into an iterator over its keys, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.into_keys().collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn into_keys(self) -> IntoKeys<K, V, H, A, CAP> {
        IntoKeys {
            inner: self.into_iter(),
        }
    }

    /// Consumes the map into an iterator over its values, in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(2, "b"), (1, "a")]);
    /// assert_eq!(map.into_values().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn into_values(self) -> IntoValues<K, V, H, A, CAP> {
        IntoValues {
            inner: self.into_iter(),
        }
    }

    /// Proves every structural invariant of the tree (see the crate docs):
    /// key order within and across nodes, separators bounding their
    /// subtrees, fill bounds, equal leaf depth, the leaf chain, `len`, and
    /// that every arena slot is either reachable exactly once or free.
    ///
    /// Takes O(n) time and O(nodes) memory; meant for tests and debugging.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map: BPlusTreeMap<u32, u32> = (0..1000).map(|i| (i, i)).collect();
    /// assert!(map.check_invariants().is_ok());
    /// ```
    pub fn check_invariants(&self) -> Result<(), InvariantError>
    where
        K: Ord,
    {
        self.raw.check()
    }

    /// Where the map's memory goes: stack and heap bytes (spare capacity
    /// included), live allocations, node counts and average leaf fill.
    /// Walks the leaves and branches: O(n / CAP).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map: BPlusTreeMap<u64, u64> = (0..10_000).map(|i| (i, i)).collect();
    /// let usage = map.memory_usage();
    /// // Built from a sorted run: 156 full leaves of 64 and one of 16.
    /// assert_eq!(usage.leaves, 157);
    /// assert!(usage.leaf_fill > 0.99);
    /// println!("{:.1} bytes per entry", usage.total_bytes() as f64 / 10_000.0);
    ///
    /// // A small map is one sorted run: no leaves, one allocation.
    /// let small: BPlusTreeMap<u64, u64> = (0..10).map(|i| (i, i)).collect();
    /// let usage = small.memory_usage();
    /// assert!(usage.small_run);
    /// assert_eq!((usage.leaves, usage.allocations), (0, 1));
    /// assert_eq!(usage.heap_bytes, 10 * 16);
    /// // An empty map allocates nothing.
    /// assert_eq!(BPlusTreeMap::<u64, u64>::new().memory_usage().heap_bytes, 0);
    /// ```
    pub fn memory_usage(&self) -> crate::MemoryUsage {
        self.raw.memory_usage(size_of::<Self>())
    }

    /// The tree's height: 0 for a single leaf, and for a small map kept as
    /// one sorted run (which an empty map is).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// // 100 entries at 4 per leaf: 25 full leaves, 5 branches, one root.
    /// let map: BPlusTreeMap<u32, u32, bptree::Wide32, bptree::VecArena, 4> =
    ///     (0..100).map(|i| (i, i)).collect();
    /// assert_eq!(map.height(), 2);
    /// ```
    pub fn height(&self) -> usize {
        self.raw.height()
    }
}

impl<K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize>
    BPlusTreeMap<K, V, H, A, CAP>
{
    /// Inserts a key-value pair. If the map had this key, its value is
    /// replaced and the old one returned (the key is not updated, as in
    /// std); otherwise returns `None`.
    ///
    /// # Panics
    ///
    /// If the tree's handles run out (only [`Compact16`](crate::Compact16)
    /// trees can), or if the map keeps counts and already holds `u32::MAX`
    /// entries (see [`checked_insert`](Self::checked_insert)). The message
    /// names the limit; the map is unchanged.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::new();
    /// assert_eq!(map.insert(37, "a"), None);
    /// assert_eq!(map.insert(37, "b"), Some("a"));
    /// assert_eq!(map[&37], "b");
    /// ```
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.raw.insert(key, value) {
            Ok(old) => old,
            Err((full, _)) => panic!("{}", full.error::<H, A::Count>()),
        }
    }

    /// Inserts a key-value pair, or hands the key and value back if the
    /// map is at a limit of its configuration, in which case the map is
    /// unchanged. Otherwise the same as [`insert`](Self::insert).
    ///
    /// Two configurations have limits: [`Compact16`](crate::Compact16)
    /// trees run out of node handles (at 65,535 leaves or branches; an
    /// [`Adaptive`](crate::Adaptive) tree moves to 32-bit handles instead),
    /// and a map with counts ([`Counted`](crate::policy::Counted)) holds at
    /// most `u32::MAX` (4,294,967,295) entries. Any other map never errs.
    /// Replacing the value of a key already in the map always succeeds.
    /// The [`InsertError`](crate::InsertError) owns the key and value (as
    /// std's `OccupiedError` does) and holds the
    /// [`CapacityError`](crate::CapacityError) that `insert` would have
    /// panicked with. Named apart from std's unstable `try_insert`, which
    /// means something else.
    ///
    /// ```
    /// use bptree::{BPlusTreeMap, Compact16, VecArena};
    /// let mut map: BPlusTreeMap<u32, u32, Compact16, VecArena, 4> = BPlusTreeMap::empty();
    /// assert_eq!(map.checked_insert(1, 1), Ok(None));
    /// assert_eq!(map.checked_insert(1, 2), Ok(Some(1)));
    /// ```
    ///
    /// A full tree refuses and gives everything back (see
    /// [`InsertError`](crate::InsertError) for a full example):
    ///
    /// ```
    /// # use bptree::{BPlusTreeMap, Compact16, VecArena};
    /// # let mut map: BPlusTreeMap<u32, String, Compact16, VecArena, 4> =
    /// #     BPlusTreeMap::from_sorted_iter((0..4 * 65_535).map(|i| (2 * i, String::new()))).unwrap();
    /// let name = String::from("kept");
    /// match map.checked_insert(1, name) {
    ///     Ok(_) => unreachable!("every leaf is full"),
    ///     Err(err) => {
    ///         assert_eq!(err.key, 1);
    ///         assert_eq!(err.value, "kept");
    ///     }
    /// }
    /// ```
    pub fn checked_insert(
        &mut self,
        key: K,
        value: V,
    ) -> Result<Option<V>, crate::InsertError<K, V>> {
        self.raw
            .insert(key, value)
            .map_err(|(full, (key, value))| crate::InsertError {
                key,
                value,
                error: full.error::<H, A::Count>(),
            })
    }

    /// Removes `key`, returning its value.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a")]);
    /// assert_eq!(map.remove(&1), Some("a"));
    /// assert_eq!(map.remove(&1), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.raw.remove(key).map(|(_, v)| v)
    }

    /// Removes `key`, returning the stored key and its value.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a")]);
    /// assert_eq!(map.remove_entry(&1), Some((1, "a")));
    /// assert_eq!(map.remove_entry(&1), None);
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.raw.remove(key)
    }

    /// Removes and returns the first entry (least key).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// assert_eq!(map.pop_first(), Some((1, "a")));
    /// assert_eq!(map.pop_first(), Some((2, "b")));
    /// assert_eq!(map.pop_first(), None);
    /// ```
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        self.raw.pop_edge(false)
    }

    /// Removes and returns the last entry (greatest key).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// assert_eq!(map.pop_last(), Some((2, "b")));
    /// assert_eq!(map.pop_last(), Some((1, "a")));
    /// assert_eq!(map.pop_last(), None);
    /// ```
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.raw.pop_edge(true)
    }

    /// Builds a map from entries already in strictly ascending key order,
    /// at full node fill, in O(n), writing the entries straight into the
    /// leaves (no intermediate buffer). Returns `None` if the keys are not
    /// strictly ascending: reading stops at the first key that is not
    /// greater than the one before it, and every entry read is dropped.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map: Option<BPlusTreeMap<u32, char>> =
    ///     BPlusTreeMap::from_sorted_iter([(1, 'a'), (2, 'b')]);
    /// assert_eq!(map.unwrap().len(), 2);
    /// assert!(BPlusTreeMap::<u32, char>::from_sorted_iter([(2, 'b'), (1, 'a')]).is_none());
    /// ```
    ///
    /// An [`Adaptive`](crate::Adaptive) map picks its handle width from the
    /// iterator's size hint, and widens during the build if the hint was
    /// wrong: it never runs out of handles.
    ///
    /// Like every constructor, it checks the configuration at compile time
    /// (see [`MAX_CAP`](crate::policy::MAX_CAP)): a run of 16 leaves of
    /// 4096 entries behind `Indirect<_, 16>` would not fit its `u16` length.
    ///
    /// ```compile_fail
    /// use bptree::{BPlusTreeMap, VecArena, Wide32, policy::Indirect};
    /// let _ = BPlusTreeMap::<u32, u32, Wide32, Indirect<VecArena, 16>, 4096>::from_sorted_iter(
    ///     (0..70_000).map(|k| (k, k)),
    /// );
    /// ```
    ///
    /// ```compile_fail
    /// // Node lengths are `u16`s: CAP 100,000 is rejected.
    /// use bptree::{BPlusTreeMap, VecArena, Wide32};
    /// let _ = BPlusTreeMap::<u32, u32, Wide32, VecArena, 100_000>::from_sorted_iter(
    ///     (0..300_000).map(|k| (k, k)),
    /// );
    /// ```
    ///
    /// ```compile_fail
    /// use bptree::{BPlusTreeMap, VecArena, Wide32};
    /// let _ = BPlusTreeMap::<u32, u32, Wide32, VecArena, 2>::from_sorted_iter([(1, 1)]);
    /// ```
    ///
    /// # Panics
    ///
    /// If the tree's handles run out (only `Compact16` trees can), or if a
    /// map with counts would hold more than `u32::MAX` entries.
    pub fn from_sorted_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Option<Self> {
        let mut entries = Ascending::new(iter.into_iter());
        let map = Self::from_sorted_unchecked(&mut entries);
        (!entries.failed).then_some(map)
    }

    /// Removes and yields, in key order, the entries of `range` for which
    /// `pred` returns `true`; the others stay. Entries not reached when the
    /// iterator is dropped stay too.
    ///
    /// Unlike [`range`](Self::range), and like std's, inverted bounds do
    /// not panic: they yield nothing.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<i32, i32> = (0..8).map(|x| (x, x)).collect();
    /// let evens: BPlusTreeMap<_, _> = map.extract_if(.., |k, _v| k % 2 == 0).collect();
    /// let odds = map;
    /// assert_eq!(evens.keys().copied().collect::<Vec<_>>(), [0, 2, 4, 6]);
    /// assert_eq!(odds.keys().copied().collect::<Vec<_>>(), [1, 3, 5, 7]);
    ///
    /// let mut map: BPlusTreeMap<i32, i32> = (0..8).map(|x| (x, x)).collect();
    /// let low: Vec<_> = map.extract_if(1..4, |_, _| true).collect();
    /// assert_eq!(low, [(1, 1), (2, 2), (3, 3)]);
    /// ```
    pub fn extract_if<F, R>(&mut self, range: R, pred: F) -> ExtractIf<'_, K, V, R, F, H, A, CAP>
    where
        R: RangeBounds<K>,
        F: FnMut(&K, &mut V) -> bool,
    {
        ExtractIf::new(&mut self.raw, range, pred)
    }

    /// Keeps only the entries for which `f` returns `true`, visiting them
    /// in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<i32, i32> = (0..8).map(|x| (x, x * 10)).collect();
    /// map.retain(|&k, _| k % 2 == 0);
    /// assert!(map.into_iter().eq(vec![(0, 0), (2, 20), (4, 40), (6, 60)]));
    /// ```
    pub fn retain<F>(&mut self, mut f: F)
    where
        F: FnMut(&K, &mut V) -> bool,
    {
        self.extract_if(.., |k, v| !f(k, v)).for_each(drop);
    }

    /// Moves every entry of `other` into `self`, leaving `other` empty. For
    /// keys in both, `other`'s value replaces `self`'s (the key stays).
    /// Merges the two sorted runs and builds the result at full fill, in
    /// O(n + m) time, with one byte per entry of scratch memory.
    ///
    /// Every comparison and every `Clone` (the new tree's separators) runs
    /// in a first pass over both maps by reference, before any entry moves:
    /// if one panics, both maps are as they were. A `Drop` that panics in
    /// the second pass (a displaced key or value, or a separator of the old
    /// trees) drops the entries not yet in the result, and both maps end
    /// empty, as std's `append` drops the entries it has not yet merged.
    ///
    /// # Panics
    ///
    /// If the result needs more nodes than the tree's handles can name
    /// (only `Compact16` trees can run out), or if the maps keep counts and
    /// the result would hold more than `u32::MAX` entries; both maps are
    /// then unchanged.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut a = BPlusTreeMap::from([(1, "a"), (2, "b"), (3, "c")]);
    /// let mut b = BPlusTreeMap::from([(3, "d"), (4, "e"), (5, "f")]);
    /// a.append(&mut b);
    /// assert_eq!(a.len(), 5);
    /// assert_eq!(b.len(), 0);
    /// assert_eq!(a[&3], "d");
    /// ```
    pub fn append(&mut self, other: &mut Self) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            core::mem::swap(self, other);
            return;
        }
        // Pass 1, by reference: the merge's steps, and a clone of every
        // leaf's first key but the first leaf's (entries CAP, 2 * CAP, ...
        // of the result), the separators the build asks for.
        let mut steps = Vec::with_capacity(self.len() + other.len());
        let mut seps = Vec::new();
        for step in MergeIter::new(self.iter(), other.iter()) {
            let (key, step) = match step {
                Merged::Left((k, _)) => (k, Step::Left),
                Merged::Right((k, _)) => (k, Step::Right),
                Merged::Both((k, _), _) => (k, Step::Both),
            };
            if !steps.is_empty() && steps.len() % CAP == 0 {
                seps.push(key.clone());
            }
            steps.push(step);
        }
        if let Err(full) = RawMap::<K, V, Cfg<H, A, CAP>>::bulk_limit(steps.len()) {
            panic!("{}", full.error::<H, A::Count>());
        }
        // Pass 2 moves the entries; the only user code it runs is `Drop`.
        let entries = Replay {
            steps: steps.into_iter(),
            left: core::mem::take(self).into_iter(),
            right: core::mem::take(other).into_iter(),
        };
        let mut seps = seps.into_iter();
        let raw = RawMap::from_sorted_with(entries, |_| {
            seps.next().expect("one separator per leaf after the first")
        });
        self.raw = raw.unwrap_or_else(|_| unreachable!("the result's size was checked"));
    }

    /// Splits the map in two at `key`: returns everything at or after
    /// `key`, and keeps the rest.
    ///
    /// Takes O(m log n) time, where m is the size of the smaller part: that
    /// part's entries move (nodes live in per-tree arenas, so unlike std's
    /// B-tree no subtree can change owner in place), and both parts end up
    /// well filled. A panicking `Clone` leaves the map as it was: every
    /// separator is cloned before any entry moves.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut a = BPlusTreeMap::from([(1, "a"), (2, "b"), (3, "c"), (17, "d"), (41, "e")]);
    /// let b = a.split_off(&3);
    /// assert_eq!(a.keys().copied().collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(b.keys().copied().collect::<Vec<_>>(), [3, 17, 41]);
    /// ```
    pub fn split_off<Q>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let right = self
            .range::<Q, _>((core::ops::Bound::Included(key), core::ops::Bound::Unbounded))
            .count();
        let left = self.len() - right;
        // Only the count compares keys; the move clones the new tree's
        // separators before any entry leaves `self`.
        if right <= left {
            BPlusTreeMap {
                raw: self.raw.split_edge(right, true),
            }
        } else {
            let left = BPlusTreeMap {
                raw: self.raw.split_edge(left, false),
            };
            core::mem::replace(self, left)
        }
    }

    /// Build from entries already known to be strictly ascending.
    fn from_sorted_unchecked(entries: impl IntoIterator<Item = (K, V)>) -> Self {
        match RawMap::from_sorted(entries) {
            Ok(raw) => BPlusTreeMap { raw },
            Err(full) => panic!("{}", full.error::<H, A::Count>()),
        }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Default
    for BPlusTreeMap<K, V, H, A, CAP>
{
    /// An empty map.
    fn default() -> Self {
        Self::empty()
    }
}

impl<K: Clone, V: Clone, H: Handle, A: ArenaStrategy, const CAP: usize> Clone
    for BPlusTreeMap<K, V, H, A, CAP>
{
    /// A copy built at full fill in O(n) from the sorted entries, each
    /// leaf's cloned in one pass.
    fn clone(&self) -> Self {
        match self.raw.clone_packed() {
            Ok(raw) => BPlusTreeMap { raw },
            // A full-fill copy never needs more nodes than the original.
            Err(_) => unreachable!("a packed clone needs no more nodes than its original"),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for BPlusTreeMap<K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: PartialEq, V: PartialEq, H: Handle, A: ArenaStrategy, const CAP: usize> PartialEq
    for BPlusTreeMap<K, V, H, A, CAP>
{
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b)
    }
}

impl<K: Eq, V: Eq, H: Handle, A: ArenaStrategy, const CAP: usize> Eq
    for BPlusTreeMap<K, V, H, A, CAP>
{
}

impl<K: PartialOrd, V: PartialOrd, H: Handle, A: ArenaStrategy, const CAP: usize> PartialOrd
    for BPlusTreeMap<K, V, H, A, CAP>
{
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<K: Ord, V: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Ord
    for BPlusTreeMap<K, V, H, A, CAP>
{
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<K: Hash, V: Hash, H: Handle, A: ArenaStrategy, const CAP: usize> Hash
    for BPlusTreeMap<K, V, H, A, CAP>
{
    fn hash<S: Hasher>(&self, state: &mut S) {
        state.write_usize(self.len());
        for entry in self {
            entry.hash(state);
        }
    }
}

impl<K, Q, V, H: Handle, A: ArenaStrategy, const CAP: usize> Index<&Q>
    for BPlusTreeMap<K, V, H, A, CAP>
where
    K: Borrow<Q> + Ord,
    Q: Ord + ?Sized,
{
    type Output = V;

    /// The value for `key`.
    ///
    /// # Panics
    ///
    /// If the key is not in the map.
    #[inline]
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize> FromIterator<(K, V)>
    for BPlusTreeMap<K, V, H, A, CAP>
{
    /// Sorts the entries (stably; for equal keys the last value wins, as in
    /// std) and builds the tree at full fill in O(n) after the sort.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        if entries.is_empty() {
            return Self::empty();
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Self::from_sorted_unchecked(dedup_keep_last(entries))
    }
}

/// The entries of `iter` while their keys strictly ascend. Each entry is
/// handed out only once the one after it is known to have a greater key, so
/// the first pair out of order ends the iteration (setting `failed`) with
/// neither handed out; both are dropped there.
struct Ascending<I: Iterator<Item = (K, V)>, K, V> {
    iter: I,
    /// The entry read ahead.
    ahead: Option<(K, V)>,
    failed: bool,
}

impl<I: Iterator<Item = (K, V)>, K: Ord, V> Ascending<I, K, V> {
    fn new(mut iter: I) -> Self {
        let ahead = iter.next();
        Ascending {
            iter,
            ahead,
            failed: false,
        }
    }
}

impl<I: Iterator<Item = (K, V)>, K: Ord, V> Iterator for Ascending<I, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        let entry = self.ahead.take()?;
        self.ahead = self.iter.next();
        if let Some(after) = &self.ahead
            && after.0 <= entry.0
        {
            self.failed = true;
            self.ahead = None;
            return None;
        }
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let ahead = usize::from(self.ahead.is_some());
        if ahead == 0 {
            return (0, Some(0));
        }
        let (lo, hi) = self.iter.size_hint();
        (
            lo.saturating_add(ahead),
            hi.and_then(|hi| hi.checked_add(ahead)),
        )
    }
}

/// Keep the last of each run of equal keys in a sorted `Vec`, in place.
fn dedup_keep_last<K: Ord, V>(mut entries: Vec<(K, V)>) -> Vec<(K, V)> {
    // `dedup_by` hands over (later, kept) and removes `later` on `true`:
    // swapping first keeps the later pair whole, key included, as in std.
    entries.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            core::mem::swap(later, kept);
        }
        same
    });
    entries
}

impl<K: Ord + Clone, V, const N: usize> From<[(K, V); N]> for BPlusTreeMap<K, V> {
    /// Converts an array of pairs into a map of the default configuration
    /// (as std's `HashMap` does for its default hasher; other
    /// configurations use `from_iter` or `collect`).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map1 = BPlusTreeMap::from([(1, 2), (3, 4)]);
    /// let map2: BPlusTreeMap<_, _> = [(1, 2), (3, 4)].into();
    /// assert_eq!(map1, map2);
    /// ```
    fn from(arr: [(K, V); N]) -> Self {
        Self::from_iter(arr)
    }
}

impl<K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize> Extend<(K, V)>
    for BPlusTreeMap<K, V, H, A, CAP>
{
    /// Inserts each pair in turn, as [`insert`](Self::insert) does. While
    /// the keys ascend past the map's last key, each goes straight to the
    /// end (one comparison, no search), and leaves fill completely, as in
    /// a bulk build; from the first key that does not, the rest are
    /// ordinary inserts.
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        let mut ascending = true;
        iter.into_iter().for_each(move |(k, v)| {
            let (k, v) = if ascending {
                match self.raw.push_last(k, v) {
                    Ok(Ok(())) => return,
                    Ok(Err((full, _))) => panic!("{}", full.error::<H, A::Count>()),
                    Err(kv) => {
                        ascending = false;
                        kv
                    }
                }
            } else {
                (k, v)
            };
            self.insert(k, v);
        });
    }
}

impl<'a, K: Ord + Copy, V: Copy, H: Handle, A: ArenaStrategy, const CAP: usize>
    Extend<(&'a K, &'a V)> for BPlusTreeMap<K, V, H, A, CAP>
{
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        self.extend(iter.into_iter().map(|(&k, &v)| (k, v)));
    }
}
