//! The entry API: [`Entry`], [`VacantEntry`], [`OccupiedEntry`].
//!
//! An entry remembers the descent that found it (the path of branches and
//! child indices), so inserting into a vacant entry or removing an occupied
//! one does not search again.

use core::fmt;
use core::mem;

use super::{BPlusTreeMap, Tree};
use crate::policy::{ArenaStrategy, Handle};
use crate::raw::Path;
use crate::raw::navigate::Pos;
use crate::raw::view::LeafChain;

/// A view into a single entry of a map, vacant or occupied:
/// [`BPlusTreeMap::entry`].
pub enum Entry<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V, H, A, CAP>),
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V, H, A, CAP>),
}

/// A view into a vacant entry: part of [`Entry`].
pub struct VacantEntry<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    key: K,
    tree: &'a mut Tree<K, V, H, A, CAP>,
    /// Invariant: `path`, `leaf` and `idx` were recorded by a descent of
    /// `tree` (which cannot change while the entry borrows it).
    path: Path,
    /// The leaf and index where the key belongs; NIL leaf for an empty map.
    leaf: H,
    idx: usize,
}

/// A view into an occupied entry: part of [`Entry`].
pub struct OccupiedEntry<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    tree: &'a mut Tree<K, V, H, A, CAP>,
    /// Invariant: `path` and `leaf` were recorded by a descent of `tree`
    /// (which cannot change while the entry borrows it), and `idx` holds
    /// the entry.
    path: Path,
    leaf: H,
    idx: usize,
}

impl<K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize>
    BPlusTreeMap<K, V, H, A, CAP>
{
    /// The entry for `key`, for in-place manipulation.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut count: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// for x in ["a", "b", "a", "c", "a", "b"] {
    ///     count.entry(x).and_modify(|curr| *curr += 1).or_insert(1);
    /// }
    /// assert_eq!(count["a"], 3);
    /// assert_eq!(count["b"], 2);
    /// assert_eq!(count["c"], 1);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, H, A, CAP> {
        let tree = &mut self.raw;
        let mut path = Path::new();
        let leaf = tree.descend(&key, &mut path);
        // SAFETY: `leaf` was just found by a descent of the tree.
        match unsafe { tree.search_leaf(leaf, &key) } {
            Ok(idx) => Entry::Occupied(OccupiedEntry {
                tree,
                path,
                leaf,
                idx,
            }),
            Err(idx) => Entry::Vacant(VacantEntry {
                key,
                tree,
                path,
                leaf,
                idx,
            }),
        }
    }

    /// The first entry (least key), for in-place manipulation.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// if let Some(mut entry) = map.first_entry() {
    ///     if *entry.key() > 0 {
    ///         entry.insert("first");
    ///     }
    /// }
    /// assert_eq!(map[&1], "first");
    /// ```
    pub fn first_entry(&mut self) -> Option<OccupiedEntry<'_, K, V, H, A, CAP>> {
        self.edge_entry(false)
    }

    /// The last entry (greatest key), for in-place manipulation.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// if let Some(entry) = map.last_entry() {
    ///     entry.remove();
    /// }
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn last_entry(&mut self) -> Option<OccupiedEntry<'_, K, V, H, A, CAP>> {
        self.edge_entry(true)
    }

    fn edge_entry(&mut self, last: bool) -> Option<OccupiedEntry<'_, K, V, H, A, CAP>> {
        let tree = &mut self.raw;
        if tree.len() == 0 {
            return None;
        }
        let mut path = Path::new();
        let leaf = tree.descend_edge(last, &mut path);
        // SAFETY: `leaf` was just found by a descent of the map, which is
        // not empty (and a tree's leaves are never empty).
        let len = unsafe { tree.leaf(leaf) }.len;
        let idx = if last { len - 1 } else { 0 };
        Some(OccupiedEntry {
            tree,
            path,
            leaf,
            idx,
        })
    }
}

impl<'a, K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize>
    Entry<'a, K, V, H, A, CAP>
{
    /// The value, inserting `default` first if the entry is vacant.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// assert_eq!(map["poneyland"], 12);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(default),
        }
    }

    /// The value, inserting the result of `default` first if vacant.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, String> = BPlusTreeMap::new();
    /// let s = "hoho".to_string();
    /// map.entry("poneyland").or_insert_with(|| s);
    /// assert_eq!(map["poneyland"], "hoho".to_string());
    /// ```
    pub fn or_insert_with<F: FnOnce() -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(default()),
        }
    }

    /// The value, inserting `default(&key)` first if vacant.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert_with_key(|key| key.chars().count());
    /// assert_eq!(map["poneyland"], 9);
    /// ```
    pub fn or_insert_with_key<F: FnOnce(&K) -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let value = default(entry.key());
                entry.insert(value)
            }
        }
    }

    /// The entry's key.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// assert_eq!(map.entry("poneyland").key(), &"poneyland");
    /// ```
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(entry) => entry.key(),
            Entry::Vacant(entry) => entry.key(),
        }
    }

    /// Modifies an occupied entry's value in place; a vacant entry is
    /// returned unchanged.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").and_modify(|e| *e += 1).or_insert(42);
    /// assert_eq!(map["poneyland"], 42);
    /// map.entry("poneyland").and_modify(|e| *e += 1).or_insert(42);
    /// assert_eq!(map["poneyland"], 43);
    /// ```
    pub fn and_modify<F: FnOnce(&mut V)>(self, f: F) -> Self {
        match self {
            Entry::Occupied(mut entry) => {
                f(entry.get_mut());
                Entry::Occupied(entry)
            }
            Entry::Vacant(entry) => Entry::Vacant(entry),
        }
    }

    /// Sets the value of the entry (inserting it if vacant) and returns an
    /// occupied entry.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, String> = BPlusTreeMap::new();
    /// let entry = map.entry("poneyland").insert_entry("hoho".to_string());
    /// assert_eq!(entry.key(), &"poneyland");
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, H, A, CAP> {
        match self {
            Entry::Occupied(mut entry) => {
                entry.insert(value);
                entry
            }
            Entry::Vacant(entry) => entry.insert_entry(value),
        }
    }
}

impl<'a, K: Ord + Clone, V: Default, H: Handle, A: ArenaStrategy, const CAP: usize>
    Entry<'a, K, V, H, A, CAP>
{
    /// The value, inserting `V::default()` first if vacant.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, Option<usize>> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_default();
    /// assert_eq!(map["poneyland"], None);
    /// ```
    pub fn or_default(self) -> &'a mut V {
        self.or_insert_with(Default::default)
    }
}

impl<'a, K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize>
    VacantEntry<'a, K, V, H, A, CAP>
{
    /// The key that would be used when inserting.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// assert_eq!(map.entry("poneyland").key(), &"poneyland");
    /// ```
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Takes the key back.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// if let Entry::Vacant(v) = map.entry("poneyland") {
    ///     assert_eq!(v.into_key(), "poneyland");
    /// }
    /// ```
    pub fn into_key(self) -> K {
        self.key
    }

    /// Inserts the entry's key with `value`; returns the value in the map.
    ///
    /// # Panics
    ///
    /// If the map is at a limit of its configuration (a `Compact16` tree
    /// out of handles, or a map with counts that holds `u32::MAX` entries:
    /// see [`BPlusTreeMap::checked_insert`]); the map is then unchanged.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, u32> = BPlusTreeMap::new();
    /// if let Entry::Vacant(o) = map.entry("poneyland") {
    ///     *o.insert(37) += 1;
    /// }
    /// assert_eq!(map["poneyland"], 38);
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        let (tree, leaf, idx) = self.insert_raw(value);
        // SAFETY: the insert just returned this position.
        unsafe { tree.leaf(leaf).entry_mut(idx) }.1
    }

    /// Inserts the entry's key with `value`; returns an occupied entry.
    ///
    /// # Panics
    ///
    /// As [`insert`](Self::insert).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, u32> = BPlusTreeMap::new();
    /// if let Entry::Vacant(o) = map.entry("poneyland") {
    ///     let entry = o.insert_entry(37);
    ///     assert_eq!(entry.get(), &37);
    /// }
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, H, A, CAP> {
        let (tree, leaf, idx) = self.insert_raw(value);
        // The split may have changed the path: find it again.
        let mut path = Path::new();
        if !leaf.is_nil() {
            // SAFETY: the insert just returned this position.
            let found = tree.descend(&unsafe { tree.leaf(leaf).keys() }[idx], &mut path);
            tree.check_found(found, leaf);
        }
        OccupiedEntry {
            tree,
            path,
            leaf,
            idx,
        }
    }

    fn insert_raw(self, value: V) -> (&'a mut Tree<K, V, H, A, CAP>, H, usize) {
        let VacantEntry {
            key,
            tree,
            path,
            leaf,
            idx,
        } = self;
        // SAFETY: the entry's invariant: the path and leaf were recorded by
        // the descent that made it, and the tree has not changed since.
        match unsafe { tree.insert_at(&path, leaf, idx, key, value) } {
            Ok((leaf, idx)) => (tree, leaf, idx),
            Err((full, _)) => panic!("{}", full.error::<H, A::Count>()),
        }
    }
}

impl<'a, K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize>
    OccupiedEntry<'a, K, V, H, A, CAP>
{
    /// The key in the map.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// assert_eq!(map.entry("poneyland").key(), &"poneyland");
    /// ```
    pub fn key(&self) -> &K {
        // SAFETY: the entry's position is the tree's (the type's invariant).
        let keys = unsafe { self.tree.leaf(self.leaf).keys() };
        &keys[self.idx]
    }

    /// A reference to the value.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     assert_eq!(o.get(), &12);
    /// }
    /// ```
    pub fn get(&self) -> &V {
        // SAFETY: as in `key`.
        unsafe { self.tree.leaf(self.leaf).entry(self.idx) }.1
    }

    /// A mutable reference to the value, borrowing the entry.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// if let Entry::Occupied(mut o) = map.entry("poneyland") {
    ///     *o.get_mut() += 10;
    /// }
    /// assert_eq!(map["poneyland"], 22);
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        // SAFETY: as in `key`; `&mut self` makes the value reference unique.
        unsafe { self.tree.leaf(self.leaf).entry_mut(self.idx) }.1
    }

    /// The value, with the map's lifetime.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     *o.into_mut() += 10;
    /// }
    /// assert_eq!(map["poneyland"], 22);
    /// ```
    pub fn into_mut(self) -> &'a mut V {
        // SAFETY: as in `key`; the entry's exclusive borrow of the tree
        // passes to the value reference.
        unsafe { self.tree.leaf(self.leaf).entry_mut(self.idx) }.1
    }

    /// Replaces the value, returning the old one.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// if let Entry::Occupied(mut o) = map.entry("poneyland") {
    ///     assert_eq!(o.insert(15), 12);
    /// }
    /// assert_eq!(map["poneyland"], 15);
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning its key and value.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     assert_eq!(o.remove_entry(), ("poneyland", 12));
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn remove_entry(self) -> (K, V) {
        let at = Pos {
            leaf: self.leaf,
            idx: self.idx,
        };
        // SAFETY: as in `key`; the path is the one recorded with the
        // position.
        unsafe { self.tree.remove_with_path(&self.path, at) }.0
    }

    /// Removes the entry, returning its value.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::map::Entry;
    /// let mut map: BPlusTreeMap<&str, usize> = BPlusTreeMap::new();
    /// map.entry("poneyland").or_insert(12);
    /// if let Entry::Occupied(o) = map.entry("poneyland") {
    ///     assert_eq!(o.remove(), 12);
    /// }
    /// assert!(!map.contains_key("poneyland"));
    /// ```
    pub fn remove(self) -> V {
        self.remove_entry().1
    }
}

impl<K: fmt::Debug + Ord + Clone, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize>
    fmt::Debug for Entry<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Vacant(v) => f.debug_tuple("Entry").field(v).finish(),
            Entry::Occupied(o) => f.debug_tuple("Entry").field(o).finish(),
        }
    }
}

impl<K: fmt::Debug + Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for VacantEntry<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(self.key()).finish()
    }
}

impl<K: fmt::Debug + Ord + Clone, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize>
    fmt::Debug for OccupiedEntry<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", self.get())
            .finish()
    }
}
