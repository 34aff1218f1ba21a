//! The ordered set [`BPlusTreeSet`] and its iterator types (like std's
//! `btree_set` module). A set is a map with `()` values: zero-sized, so
//! leaves hold keys only.

#![forbid(unsafe_code)]

mod iter;
mod order;

pub use iter::{
    Difference, ExtractIf, Intersection, IntoIter, Iter, Range, SymmetricDifference, Union,
};

use core::borrow::Borrow;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{BitAnd, BitOr, BitXor, RangeBounds, Sub};

use crate::error::InvariantError;
use crate::map::BPlusTreeMap;
use crate::policy::{ArenaStrategy, Handle, Indirect, VecArena, Wide32};
use crate::raw::navigate::check_range_bounds_of;

/// An ordered set based on a B+ tree, whose memory layout is chosen by
/// types: a drop-in for [`BTreeSet`](alloc::collections::BTreeSet).
///
/// The configuration parameters and their defaults are the map's (see
/// [`BPlusTreeMap`]); like the map, operations that reshape the tree need
/// `T: Clone` (separators are copies of keys).
///
/// ```
/// use bptree::BPlusTreeSet;
///
/// let mut books = BPlusTreeSet::new();
/// books.insert("A Dance With Dragons");
/// books.insert("To Kill a Mockingbird");
/// books.insert("The Odyssey");
/// books.insert("The Great Gatsby");
/// if !books.contains("The Winds of Winter") {
///     println!("We have {} books, but The Winds of Winter ain't one.", books.len());
/// }
/// books.remove("The Odyssey");
/// for book in &books {
///     println!("{book}");
/// }
/// assert_eq!(format!("{books:?}"), format!("{:?}", std::collections::BTreeSet::from_iter(books.iter())));
/// ```
pub struct BPlusTreeSet<
    T,
    H: Handle = Wide32,
    A: ArenaStrategy = Indirect<VecArena>,
    const CAP: usize = 64,
> {
    pub(crate) map: BPlusTreeMap<T, (), H, A, CAP>,
}

impl<T> BPlusTreeSet<T> {
    /// Makes a new, empty set of the default configuration (any
    /// configuration has [`empty`](Self::empty) and [`Default`]).
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set: BPlusTreeSet<i32> = BPlusTreeSet::new();
    /// set.insert(1);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self::empty()
    }
}

impl<T, H: Handle, A: ArenaStrategy, const CAP: usize> BPlusTreeSet<T, H, A, CAP> {
    /// Makes a new, empty set of any configuration. Allocates nothing.
    ///
    /// ```
    /// use bptree::{BPlusTreeSet, Compact16, PoolArena};
    /// let set: BPlusTreeSet<u8, Compact16, PoolArena, 32> = BPlusTreeSet::empty();
    /// assert!(set.is_empty());
    /// ```
    #[must_use]
    pub const fn empty() -> Self {
        BPlusTreeSet {
            map: BPlusTreeMap::empty(),
        }
    }

    /// Removes every element.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut v = BPlusTreeSet::from([1]);
    /// v.clear();
    /// assert!(v.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// The number of elements.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// assert_eq!(BPlusTreeSet::from([1, 2]).len(), 2);
    /// ```
    #[must_use]
    pub const fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// assert!(BPlusTreeSet::<i32>::new().is_empty());
    /// ```
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether the set holds `value`.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set = BPlusTreeSet::from([1, 2, 3]);
    /// assert!(set.contains(&1));
    /// assert!(!set.contains(&4));
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.map.contains_key(value)
    }

    /// The element equal to `value`, if any.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set = BPlusTreeSet::from([1, 2, 3]);
    /// assert_eq!(set.get(&2), Some(&2));
    /// assert_eq!(set.get(&4), None);
    /// ```
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.map.get_key_value(value).map(|(k, _)| k)
    }

    /// The least element.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// assert_eq!(BPlusTreeSet::from([2, 1]).first(), Some(&1));
    /// ```
    pub fn first(&self) -> Option<&T> {
        self.map.first_key_value().map(|(k, _)| k)
    }

    /// The greatest element.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// assert_eq!(BPlusTreeSet::from([2, 1]).last(), Some(&2));
    /// ```
    pub fn last(&self) -> Option<&T> {
        self.map.last_key_value().map(|(k, _)| k)
    }

    /// An iterator over the elements, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set = BPlusTreeSet::from([3, 1, 2]);
    /// assert_eq!(set.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T, H, A, CAP> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// An iterator over the elements in `range`.
    ///
    /// # Panics
    ///
    /// As `BTreeSet::range`: if start > end, or if start == end and both are
    /// excluded (on a non-empty set).
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set = BPlusTreeSet::from([3, 5, 8]);
    /// assert_eq!(set.range(4..).copied().collect::<Vec<_>>(), [5, 8]);
    /// ```
    pub fn range<K, R>(&self, range: R) -> Range<'_, T, H, A, CAP>
    where
        K: Ord + ?Sized,
        T: Borrow<K> + Ord,
        R: RangeBounds<K>,
    {
        // The map checks the bounds too, but names itself; the set's
        // panics name the set, as std's do.
        if !self.is_empty() {
            check_range_bounds_of("BPlusTreeSet", range.start_bound(), range.end_bound());
        }
        Range {
            inner: self.map.range(range),
        }
    }

    /// The elements in `self` but not in `other`, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let a = BPlusTreeSet::from([1, 2]);
    /// let b = BPlusTreeSet::from([2, 3]);
    /// assert_eq!(a.difference(&b).copied().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn difference<'a>(&'a self, other: &'a Self) -> Difference<'a, T, H, A, CAP>
    where
        T: Ord,
    {
        Difference::new(self, other)
    }

    /// The elements in exactly one of `self` and `other`, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let a = BPlusTreeSet::from([1, 2]);
    /// let b = BPlusTreeSet::from([2, 3]);
    /// assert_eq!(a.symmetric_difference(&b).copied().collect::<Vec<_>>(), [1, 3]);
    /// ```
    pub fn symmetric_difference<'a>(
        &'a self,
        other: &'a Self,
    ) -> SymmetricDifference<'a, T, H, A, CAP>
    where
        T: Ord,
    {
        SymmetricDifference::new(self, other)
    }

    /// The elements in both `self` and `other`, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let a = BPlusTreeSet::from([1, 2]);
    /// let b = BPlusTreeSet::from([2, 3]);
    /// assert_eq!(a.intersection(&b).copied().collect::<Vec<_>>(), [2]);
    /// ```
    pub fn intersection<'a>(&'a self, other: &'a Self) -> Intersection<'a, T, H, A, CAP>
    where
        T: Ord,
    {
        Intersection::new(self, other)
    }

    /// The elements in `self` or `other` (once each), in order.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let a = BPlusTreeSet::from([1, 2]);
    /// let b = BPlusTreeSet::from([2, 3]);
    /// assert_eq!(a.union(&b).copied().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn union<'a>(&'a self, other: &'a Self) -> Union<'a, T, H, A, CAP>
    where
        T: Ord,
    {
        Union::new(self, other)
    }

    /// Whether the sets share no element.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let a = BPlusTreeSet::from([1, 2, 3]);
    /// let mut b = BPlusTreeSet::new();
    /// assert!(a.is_disjoint(&b));
    /// b.insert(4);
    /// assert!(a.is_disjoint(&b));
    /// b.insert(1);
    /// assert!(!a.is_disjoint(&b));
    /// ```
    #[must_use]
    pub fn is_disjoint(&self, other: &Self) -> bool
    where
        T: Ord,
    {
        self.intersection(other).next().is_none()
    }

    /// Whether every element of `self` is in `other`.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let sup = BPlusTreeSet::from([1, 2, 3]);
    /// let mut set = BPlusTreeSet::new();
    /// assert!(set.is_subset(&sup));
    /// set.insert(2);
    /// assert!(set.is_subset(&sup));
    /// set.insert(4);
    /// assert!(!set.is_subset(&sup));
    /// ```
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool
    where
        T: Ord,
    {
        self.len() <= other.len() && self.difference(other).next().is_none()
    }

    /// Whether every element of `other` is in `self`.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let sub = BPlusTreeSet::from([1, 2]);
    /// let mut set = BPlusTreeSet::new();
    /// assert!(!set.is_superset(&sub));
    /// set.insert(0);
    /// set.insert(1);
    /// assert!(!set.is_superset(&sub));
    /// set.insert(2);
    /// assert!(set.is_superset(&sub));
    /// ```
    #[must_use]
    pub fn is_superset(&self, other: &Self) -> bool
    where
        T: Ord,
    {
        other.is_subset(self)
    }

    /// Proves the tree's invariants; see [`BPlusTreeMap::check_invariants`].
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set: BPlusTreeSet<u32> = (0..1000).collect();
    /// assert!(set.check_invariants().is_ok());
    /// ```
    pub fn check_invariants(&self) -> Result<(), InvariantError>
    where
        T: Ord,
    {
        self.map.check_invariants()
    }

    /// Where the set's memory goes; see [`BPlusTreeMap::memory_usage`].
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set: BPlusTreeSet<u64> = (0..10).collect();
    /// // Ten `u64`s in one sorted run (the values are zero-sized).
    /// let usage = set.memory_usage();
    /// assert!(usage.small_run);
    /// assert_eq!(usage.heap_bytes, 10 * 8);
    /// ```
    pub fn memory_usage(&self) -> crate::MemoryUsage {
        self.map.memory_usage()
    }
}

impl<T: Ord + Clone, H: Handle, A: ArenaStrategy, const CAP: usize> BPlusTreeSet<T, H, A, CAP> {
    /// Adds `value`; returns whether it was new. An equal element already
    /// in the set is kept (not replaced), as in std.
    ///
    /// # Panics
    ///
    /// If the set is at a limit of its configuration (a `Compact16` tree
    /// out of handles, or a set with counts that holds `u32::MAX`
    /// elements: see [`BPlusTreeMap::checked_insert`]).
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::new();
    /// assert!(set.insert(2));
    /// assert!(!set.insert(2));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn insert(&mut self, value: T) -> bool {
        match self.map.entry(value) {
            crate::map::Entry::Occupied(_) => false,
            crate::map::Entry::Vacant(v) => {
                v.insert(());
                true
            }
        }
    }

    /// Adds `value`, or hands it back in an error (leaving the set
    /// unchanged) at a limit of its configuration; see
    /// [`BPlusTreeMap::checked_insert`]. The error's
    /// [`key`](crate::InsertError::key) is `value`.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::new();
    /// assert_eq!(set.checked_insert(1), Ok(true));
    /// assert_eq!(set.checked_insert(1), Ok(false));
    /// ```
    pub fn checked_insert(&mut self, value: T) -> Result<bool, crate::InsertError<T>> {
        if self.contains(&value) {
            return Ok(false);
        }
        self.map.checked_insert(value, ()).map(|_| true)
    }

    /// Adds `value`, replacing an equal element; returns the replaced one.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::new();
    /// set.insert(Vec::<i32>::new());
    /// assert_eq!(set.get(&[][..]).unwrap().capacity(), 0);
    /// set.replace(Vec::with_capacity(10));
    /// assert_eq!(set.get(&[][..]).unwrap().capacity(), 10);
    /// ```
    pub fn replace(&mut self, value: T) -> Option<T> {
        match self.map.raw.replace_key(value) {
            Ok(old) => Some(old),
            Err(value) => {
                self.insert(value);
                None
            }
        }
    }

    /// Removes `value`; returns whether it was present.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::from([2]);
    /// assert!(set.remove(&2));
    /// assert!(!set.remove(&2));
    /// ```
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the element equal to `value`.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::from([1, 2, 3]);
    /// assert_eq!(set.take(&2), Some(2));
    /// assert_eq!(set.take(&2), None);
    /// ```
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.remove_entry(value).map(|(k, _)| k)
    }

    /// Removes and returns the least element.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::from([1, 2]);
    /// assert_eq!(set.pop_first(), Some(1));
    /// ```
    pub fn pop_first(&mut self) -> Option<T> {
        self.map.pop_first().map(|(k, _)| k)
    }

    /// Removes and returns the greatest element.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::from([1, 2]);
    /// assert_eq!(set.pop_last(), Some(2));
    /// ```
    pub fn pop_last(&mut self) -> Option<T> {
        self.map.pop_last().map(|(k, _)| k)
    }

    /// Keeps only the elements for which `f` returns `true`, in order.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set = BPlusTreeSet::from([1, 2, 3, 4, 5, 6]);
    /// set.retain(|&k| k % 2 == 0);
    /// assert!(set.iter().eq([2, 4, 6].iter()));
    /// ```
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut f: F) {
        self.map.retain(|k, _| f(k));
    }

    /// Removes and yields, in order, the elements of `range` for which
    /// `pred` returns `true`.
    ///
    /// Unlike [`range`](Self::range), and like std's, inverted bounds do
    /// not panic: they yield nothing.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut set: BPlusTreeSet<i32> = (0..8).collect();
    /// let evens: BPlusTreeSet<_> = set.extract_if(.., |v| v % 2 == 0).collect();
    /// assert_eq!(evens.into_iter().collect::<Vec<_>>(), [0, 2, 4, 6]);
    /// assert_eq!(set.into_iter().collect::<Vec<_>>(), [1, 3, 5, 7]);
    /// ```
    pub fn extract_if<F, R>(&mut self, range: R, pred: F) -> ExtractIf<'_, T, R, F, H, A, CAP>
    where
        R: RangeBounds<T>,
        F: FnMut(&T) -> bool,
    {
        ExtractIf::new(&mut self.map.raw, range, pred)
    }

    /// Moves every element of `other` into `self`, leaving `other` empty.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut a = BPlusTreeSet::from([1, 2, 3]);
    /// let mut b = BPlusTreeSet::from([3, 4, 5]);
    /// a.append(&mut b);
    /// assert_eq!(a.len(), 5);
    /// assert!(b.is_empty());
    /// ```
    pub fn append(&mut self, other: &mut Self) {
        self.map.append(&mut other.map);
    }

    /// Splits the set at `value`: returns the elements at or after it and
    /// keeps the rest; see [`BPlusTreeMap::split_off`].
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let mut a = BPlusTreeSet::from([1, 2, 3, 17, 41]);
    /// let b = a.split_off(&3);
    /// assert_eq!(a.into_iter().collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(b.into_iter().collect::<Vec<_>>(), [3, 17, 41]);
    /// ```
    pub fn split_off<Q>(&mut self, value: &Q) -> Self
    where
        T: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        BPlusTreeSet {
            map: self.map.split_off(value),
        }
    }
}

impl<T, H: Handle, A: ArenaStrategy, const CAP: usize> Default for BPlusTreeSet<T, H, A, CAP> {
    /// An empty set.
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: Clone, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for BPlusTreeSet<T, H, A, CAP> {
    fn clone(&self) -> Self {
        BPlusTreeSet {
            map: self.map.clone(),
        }
    }
}

impl<T: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for BPlusTreeSet<T, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: PartialEq, H: Handle, A: ArenaStrategy, const CAP: usize> PartialEq
    for BPlusTreeSet<T, H, A, CAP>
{
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<T: Eq, H: Handle, A: ArenaStrategy, const CAP: usize> Eq for BPlusTreeSet<T, H, A, CAP> {}

impl<T: PartialOrd, H: Handle, A: ArenaStrategy, const CAP: usize> PartialOrd
    for BPlusTreeSet<T, H, A, CAP>
{
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        self.iter().partial_cmp(other.iter())
    }
}

impl<T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Ord for BPlusTreeSet<T, H, A, CAP> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.iter().cmp(other.iter())
    }
}

impl<T: Hash, H: Handle, A: ArenaStrategy, const CAP: usize> Hash for BPlusTreeSet<T, H, A, CAP> {
    fn hash<S: Hasher>(&self, state: &mut S) {
        // As std: the length, then the elements.
        state.write_usize(self.len());
        for elt in self {
            elt.hash(state);
        }
    }
}

impl<T: Ord + Clone, H: Handle, A: ArenaStrategy, const CAP: usize> FromIterator<T>
    for BPlusTreeSet<T, H, A, CAP>
{
    /// Sorts and deduplicates, then builds at full fill.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        BPlusTreeSet {
            map: iter.into_iter().map(|k| (k, ())).collect(),
        }
    }
}

impl<T: Ord + Clone, const N: usize> From<[T; N]> for BPlusTreeSet<T> {
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set1 = BPlusTreeSet::from([1, 2, 3, 4]);
    /// let set2: BPlusTreeSet<_> = [1, 2, 3, 4].into();
    /// assert_eq!(set1, set2);
    /// ```
    fn from(arr: [T; N]) -> Self {
        Self::from_iter(arr)
    }
}

impl<T: Ord + Clone, H: Handle, A: ArenaStrategy, const CAP: usize> Extend<T>
    for BPlusTreeSet<T, H, A, CAP>
{
    /// Inserts each element in turn, as [`insert`](Self::insert) does
    /// (an ascending run past the last element goes straight to the end,
    /// as in the map's `extend`).
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|elem| (elem, ())));
    }
}

impl<'a, T: 'a + Ord + Copy, H: Handle, A: ArenaStrategy, const CAP: usize> Extend<&'a T>
    for BPlusTreeSet<T, H, A, CAP>
{
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

/// The set operators of std, on references, producing a new set.
macro_rules! set_operator {
    ($trait:ident, $method:ident, $via:ident, $doc:literal) => {
        impl<T: Ord + Clone, H: Handle, A: ArenaStrategy, const CAP: usize>
            $trait<&BPlusTreeSet<T, H, A, CAP>> for &BPlusTreeSet<T, H, A, CAP>
        {
            type Output = BPlusTreeSet<T, H, A, CAP>;

            #[doc = $doc]
            fn $method(self, rhs: &BPlusTreeSet<T, H, A, CAP>) -> BPlusTreeSet<T, H, A, CAP> {
                let map = BPlusTreeMap::from_sorted_iter(self.$via(rhs).map(|k| (k.clone(), ())))
                    .expect("set operations yield strictly ascending elements");
                BPlusTreeSet { map }
            }
        }
    };
}

set_operator!(
    BitAnd,
    bitand,
    intersection,
    "The intersection, as a new set.\n\n```\nuse bptree::BPlusTreeSet;\nlet a = BPlusTreeSet::from([1, 2, 3]);\nlet b = BPlusTreeSet::from([2, 3, 4]);\nassert_eq!(&a & &b, BPlusTreeSet::from([2, 3]));\n```"
);
set_operator!(
    BitOr,
    bitor,
    union,
    "The union, as a new set.\n\n```\nuse bptree::BPlusTreeSet;\nlet a = BPlusTreeSet::from([1, 2, 3]);\nlet b = BPlusTreeSet::from([2, 3, 4]);\nassert_eq!(&a | &b, BPlusTreeSet::from([1, 2, 3, 4]));\n```"
);
set_operator!(
    Sub,
    sub,
    difference,
    "The difference, as a new set.\n\n```\nuse bptree::BPlusTreeSet;\nlet a = BPlusTreeSet::from([1, 2, 3]);\nlet b = BPlusTreeSet::from([2, 3, 4]);\nassert_eq!(&a - &b, BPlusTreeSet::from([1]));\n```"
);
set_operator!(
    BitXor,
    bitxor,
    symmetric_difference,
    "The symmetric difference, as a new set.\n\n```\nuse bptree::BPlusTreeSet;\nlet a = BPlusTreeSet::from([1, 2, 3]);\nlet b = BPlusTreeSet::from([2, 3, 4]);\nassert_eq!(&a ^ &b, BPlusTreeSet::from([1, 4]));\n```"
);
