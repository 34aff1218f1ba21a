//! Order statistics on sets whose configuration keeps counts
//! ([`OrderStatistics`](crate::policy::OrderStatistics)): the set's side of
//! `map::order`.

use core::borrow::Borrow;

use super::BPlusTreeSet;
use crate::policy::{Handle, OrderStatistics};

impl<T, H: Handle, A: OrderStatistics, const CAP: usize> BPlusTreeSet<T, H, A, CAP> {
    /// The element at index `i` in order (the `i`-th smallest, counting
    /// from 0), or `None` if `i >= len()`. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::IndexedSet;
    /// let set: IndexedSet<u32> = [30, 10, 20].into_iter().collect();
    /// assert_eq!(set.get_index(1), Some(&20));
    /// assert_eq!(set.get_index(3), None);
    /// ```
    pub fn get_index(&self, i: usize) -> Option<&T> {
        self.map.get_index(i).map(|(k, ())| k)
    }

    /// The number of elements below `value`: the index it has, or would
    /// have if inserted. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::IndexedSet;
    /// let set: IndexedSet<u32> = [10, 20, 30].into_iter().collect();
    /// assert_eq!(set.rank(&20), 1);
    /// assert_eq!(set.rank(&21), 2);
    /// assert_eq!(set.range(15..=30).len(), 2);
    /// ```
    pub fn rank<Q>(&self, value: &Q) -> usize
    where
        T: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.map.rank(value)
    }
}

impl<T: Ord + Clone, H: Handle, A: OrderStatistics, const CAP: usize> BPlusTreeSet<T, H, A, CAP> {
    /// Removes the element at index `i` and returns it, or `None` if
    /// `i >= len()`. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::IndexedSet;
    /// let mut set: IndexedSet<char> = ['c', 'a', 'b'].into_iter().collect();
    /// assert_eq!(set.remove_index(0), Some('a'));
    /// assert_eq!(set.iter().collect::<String>(), "bc");
    /// ```
    pub fn remove_index(&mut self, i: usize) -> Option<T> {
        self.map.remove_index(i).map(|(k, ())| k)
    }
}
