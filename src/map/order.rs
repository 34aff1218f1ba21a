//! Order statistics: the `i`-th entry, a key's rank, removal by index.
//! These exist on maps whose arena strategy keeps counts
//! ([`Counted`](crate::policy::Counted); see
//! [`OrderStatistics`](crate::policy::OrderStatistics)), and each takes
//! one descent: `O(log n)`.

use core::borrow::Borrow;

use super::BPlusTreeMap;
use crate::policy::{Handle, OrderStatistics};
use crate::raw::Path;
use crate::raw::view::LeafChain;

impl<K, V, H: Handle, A: OrderStatistics, const CAP: usize> BPlusTreeMap<K, V, H, A, CAP> {
    /// The entry at index `i` in key order (the `i`-th smallest key,
    /// counting from 0), or `None` if `i >= len()`. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// let map: Indexed<u32, char> = [(30, 'c'), (10, 'a'), (20, 'b')].into_iter().collect();
    /// assert_eq!(map.get_index(0), Some((&10, &'a')));
    /// assert_eq!(map.get_index(2), Some((&30, &'c')));
    /// assert_eq!(map.get_index(3), None);
    /// ```
    pub fn get_index(&self, i: usize) -> Option<(&K, &V)> {
        if i >= self.len() {
            return None;
        }
        let pos = self.raw.gap_at_index(i, &mut Path::new());
        // SAFETY: `pos` was just made by the map and holds an entry (`i <
        // len`); `&self` hands out no `&mut V` while the result lives.
        Some(unsafe { self.raw.leaf(pos.leaf).entry(pos.idx) })
    }

    /// The entry at index `i` in key order, its value mutable, or `None`
    /// if `i >= len()`. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// let mut map: Indexed<u32, u32> = (0..100).map(|k| (k * 2, 0)).collect();
    /// if let Some((k, v)) = map.get_index_mut(10) {
    ///     *v = *k;
    /// }
    /// assert_eq!(map[&20], 20);
    /// ```
    pub fn get_index_mut(&mut self, i: usize) -> Option<(&K, &mut V)> {
        if i >= self.len() {
            return None;
        }
        let pos = self.raw.gap_at_index(i, &mut Path::new());
        // SAFETY: as in `get_index`; `&mut self` makes the value reference
        // unique for its lifetime.
        Some(unsafe { self.raw.leaf(pos.leaf).entry_mut(pos.idx) })
    }

    /// The number of keys below `key`: the index `key` has in the map, or
    /// would have if inserted (as [`slice::partition_point`] with `< key`).
    /// `O(log n)`.
    ///
    /// A range's length is the difference of two ranks; the map's range
    /// iterators report it themselves
    /// (`map.range(a..b).len()`, also `O(log n)`).
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// let map: Indexed<u32, ()> = [(10, ()), (20, ()), (30, ())].into_iter().collect();
    /// assert_eq!(map.rank(&5), 0);
    /// assert_eq!(map.rank(&20), 1);
    /// assert_eq!(map.rank(&25), 2);
    /// assert_eq!(map.rank(&99), 3);
    /// ```
    pub fn rank<Q>(&self, key: &Q) -> usize
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.raw
            .bound_index(core::ops::Bound::Included(key), false)
            .0
    }
}

impl<K: Ord + Clone, V, H: Handle, A: OrderStatistics, const CAP: usize>
    BPlusTreeMap<K, V, H, A, CAP>
{
    /// Removes the entry at index `i` in key order and returns it, or
    /// `None` if `i >= len()`. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// let mut map: Indexed<u32, char> = [(1, 'a'), (2, 'b'), (3, 'c')].into_iter().collect();
    /// assert_eq!(map.remove_index(1), Some((2, 'b')));
    /// assert_eq!(map.remove_index(5), None);
    /// assert_eq!(map.len(), 2);
    /// ```
    pub fn remove_index(&mut self, i: usize) -> Option<(K, V)> {
        if i >= self.len() {
            return None;
        }
        let mut path = Path::new();
        let pos = self.raw.gap_at_index(i, &mut path);
        // SAFETY: `path` and `pos` were just recorded by a descent of the
        // map, and `pos` holds an entry (`i < len`).
        Some(unsafe { self.raw.remove_with_path(&path, pos) }.0)
    }
}
