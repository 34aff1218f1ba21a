//! The map's iterators. All are double-ended and fused; those over a whole
//! map are exact-size (range iterators are not, as in std).

use core::borrow::Borrow;
use core::fmt;
use core::iter::FusedIterator;
use core::ops::Bound;

use super::{BPlusTreeMap, Tree};
use crate::policy::{ArenaStrategy, Cfg, Count, Handle, OrderStatistics};
use crate::raw::Path;
use crate::raw::iter::RawRange;
use crate::raw::iter::{RawIntoIter, RawIter, RawIterMut};

/// What an iterator has left: the tree and the range still to yield.
type Remaining<'t, K, V, H, A, const CAP: usize> = Option<(&'t Tree<K, V, H, A, CAP>, RawRange<H>)>;

/// The walker behind `Iter`, `Range` and their projections.
type Walk<'a, K, V, H, A, const CAP: usize> = RawIter<'a, Tree<K, V, H, A, CAP>, K, V, H>;

/// The walker over entries `from..to` (by index) of a map with counts,
/// found in two descents: how a counting iterator skips.
fn walk_between<K, V, H: Handle, A: ArenaStrategy, const CAP: usize>(
    tree: &Tree<K, V, H, A, CAP>,
    from: usize,
    to: usize,
) -> Walk<'_, K, V, H, A, CAP> {
    debug_assert!(A::Count::ON && from <= to && to <= tree.len());
    let front = tree.gap_at_index(from, &mut Path::new());
    let back = tree.gap_at_index(to, &mut Path::new());
    // SAFETY: both ends were just made from `tree`, `front` at or before
    // `back`.
    unsafe { Walk::new(tree, RawRange { front, back }) }
}

/// `last` of an iterator that yields in order from both ends: the back,
/// without walking the rest.
macro_rules! sorted_last {
    ($item:ty) => {
        fn last(mut self) -> Option<$item> {
            self.next_back()
        }
    };
}

/// `min` and `max` of an iterator that yields in order from both ends: the
/// front and the back, without walking the rest.
macro_rules! sorted_min_max {
    ($item:ty) => {
        fn min(mut self) -> Option<$item>
        where
            $item: Ord,
        {
            self.next()
        }

        fn max(mut self) -> Option<$item>
        where
            $item: Ord,
        {
            self.next_back()
        }
    };
}

/// `last`, `min` and `max` of an iterator that yields in order from both
/// ends.
macro_rules! sorted_ends {
    ($item:ty) => {
        sorted_last!($item);
        sorted_min_max!($item);
    };
}

/// Lists what an iterator has left, each entry shown through `project`.
fn debug_remaining<'t, K, V, D, H, A, const CAP: usize>(
    f: &mut fmt::Formatter<'_>,
    remaining: Remaining<'t, K, V, H, A, CAP>,
    project: impl Fn((&'t K, &'t V)) -> D,
) -> fmt::Result
where
    D: fmt::Debug,
    H: Handle,
    A: ArenaStrategy,
{
    let mut it = match remaining {
        // SAFETY: an iterator's remaining range is a range of its tree.
        Some((tree, range)) => unsafe { Walk::new(tree, range) },
        None => Walk::empty(),
    };
    f.debug_list()
        .entries(core::iter::from_fn(|| it.next()).map(project))
        .finish()
}

/// An iterator over a map's entries, in key order: [`BPlusTreeMap::iter`].
pub struct Iter<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: Walk<'a, K, V, H, A, CAP>,
    len: usize,
    /// The index of the next entry from the front, for configurations
    /// with counts (zero-sized otherwise).
    front: A::Count,
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Iter<'a, K, V, H, A, CAP> {
    /// An iterator over all of `tree`.
    pub(super) fn new(tree: &'a Tree<K, V, H, A, CAP>) -> Self {
        Iter {
            inner: Walk::full(tree),
            len: tree.len(),
            front: A::Count::new(0),
        }
    }

    /// Move the front `n` entries on and the back `m` entries in
    /// (`n + m <= len`), by index: the map keeps counts.
    fn skip_by_index(&mut self, n: usize, m: usize) {
        let from = self.front.get() + n;
        self.len -= n + m;
        if let Some(tree) = self.inner.tree() {
            self.inner = walk_between(tree, from, from + self.len);
        }
        self.front = A::Count::new(from);
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator
    for Iter<'a, K, V, H, A, CAP>
{
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        if A::Count::ON {
            self.front = A::Count::new(self.front.get() + 1);
        }
        self.inner.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }

    #[inline]
    fn count(self) -> usize {
        self.len
    }

    /// `O(log n)` for a map with counts (one descent to the new front),
    /// else the walk of std's default.
    fn nth(&mut self, n: usize) -> Option<(&'a K, &'a V)> {
        if !A::Count::ON || n == 0 {
            for _ in 0..n {
                self.next()?;
            }
            return self.next();
        }
        self.skip_by_index(n.min(self.len), 0);
        self.next()
    }

    #[inline]
    fn fold<B, F>(mut self, init: B, f: F) -> B
    where
        F: FnMut(B, (&'a K, &'a V)) -> B,
    {
        let n = core::mem::take(&mut self.len);
        self.inner.fold_front(n, init, f)
    }

    sorted_ends!((&'a K, &'a V));
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> DoubleEndedIterator
    for Iter<'a, K, V, H, A, CAP>
{
    #[inline]
    fn next_back(&mut self) -> Option<(&'a K, &'a V)> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.inner.next_back()
    }

    /// `O(log n)` for a map with counts, as [`nth`](Iterator::nth).
    fn nth_back(&mut self, n: usize) -> Option<(&'a K, &'a V)> {
        if !A::Count::ON || n == 0 {
            for _ in 0..n {
                self.next_back()?;
            }
            return self.next_back();
        }
        self.skip_by_index(0, n.min(self.len));
        self.next_back()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> ExactSizeIterator
    for Iter<'_, K, V, H, A, CAP>
{
    fn len(&self) -> usize {
        self.len
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for Iter<'_, K, V, H, A, CAP>
{
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Iter<'_, K, V, H, A, CAP> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
            len: self.len,
            front: self.front,
        }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Default for Iter<'_, K, V, H, A, CAP> {
    /// An empty iterator.
    ///
    /// ```
    /// let iter: bptree::map::Iter<'_, u8, u8> = Default::default();
    /// assert_eq!(iter.len(), 0);
    /// ```
    fn default() -> Self {
        Iter {
            inner: Walk::empty(),
            len: 0,
            front: A::Count::new(0),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Iter<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> IntoIterator
    for &'a BPlusTreeMap<K, V, H, A, CAP>
{
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V, H, A, CAP>;

    fn into_iter(self) -> Iter<'a, K, V, H, A, CAP> {
        self.iter()
    }
}

/// An iterator over a map's entries with mutable values:
/// [`BPlusTreeMap::iter_mut`].
pub struct IterMut<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: Option<RawIterMut<'a, K, V, Cfg<H, A, CAP>>>,
    len: usize,
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> IterMut<'a, K, V, H, A, CAP> {
    pub(super) fn new(inner: RawIterMut<'a, K, V, Cfg<H, A, CAP>>, len: usize) -> Self {
        IterMut {
            inner: Some(inner),
            len,
        }
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator
    for IterMut<'a, K, V, H, A, CAP>
{
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.inner.as_mut()?.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }

    fn last(mut self) -> Option<(&'a K, &'a mut V)> {
        self.next_back()
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> DoubleEndedIterator
    for IterMut<'a, K, V, H, A, CAP>
{
    #[inline]
    fn next_back(&mut self) -> Option<(&'a K, &'a mut V)> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.inner.as_mut()?.next_back()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> ExactSizeIterator
    for IterMut<'_, K, V, H, A, CAP>
{
    fn len(&self) -> usize {
        self.len
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for IterMut<'_, K, V, H, A, CAP>
{
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Default for IterMut<'_, K, V, H, A, CAP> {
    /// An empty iterator.
    fn default() -> Self {
        IterMut {
            inner: None,
            len: 0,
        }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> IterMut<'_, K, V, H, A, CAP> {
    fn remaining(&self) -> Remaining<'_, K, V, H, A, CAP> {
        self.inner.as_ref().map(RawIterMut::remaining)
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for IterMut<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_remaining(f, self.remaining(), |kv| kv)
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> IntoIterator
    for &'a mut BPlusTreeMap<K, V, H, A, CAP>
{
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V, H, A, CAP>;

    fn into_iter(self) -> IterMut<'a, K, V, H, A, CAP> {
        self.iter_mut()
    }
}

/// An owning iterator over a map's entries, in key order.
pub struct IntoIter<
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: RawIntoIter<K, V, Cfg<H, A, CAP>>,
    len: usize,
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator for IntoIter<K, V, H, A, CAP> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.inner.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> DoubleEndedIterator
    for IntoIter<K, V, H, A, CAP>
{
    #[inline]
    fn next_back(&mut self) -> Option<(K, V)> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        self.inner.next_back()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> ExactSizeIterator
    for IntoIter<K, V, H, A, CAP>
{
    fn len(&self) -> usize {
        self.len
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for IntoIter<K, V, H, A, CAP>
{
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Default for IntoIter<K, V, H, A, CAP> {
    /// An empty iterator.
    fn default() -> Self {
        BPlusTreeMap::empty().into_iter()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> IntoIter<K, V, H, A, CAP> {
    fn remaining(&self) -> Remaining<'_, K, V, H, A, CAP> {
        Some(self.inner.remaining())
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for IntoIter<K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_remaining(f, self.remaining(), |kv| kv)
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> IntoIterator
    for BPlusTreeMap<K, V, H, A, CAP>
{
    type Item = (K, V);
    type IntoIter = IntoIter<K, V, H, A, CAP>;

    /// Consumes the map into an iterator over its entries in key order.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// let map = BPlusTreeMap::from([(3, "c"), (1, "a")]);
    /// assert_eq!(map.into_iter().collect::<Vec<_>>(), [(1, "a"), (3, "c")]);
    /// ```
    fn into_iter(self) -> IntoIter<K, V, H, A, CAP> {
        let len = self.len();
        IntoIter {
            inner: RawIntoIter::new(self.raw),
            len,
        }
    }
}

/// An iterator over the entries in a key range: [`BPlusTreeMap::range`].
pub struct Range<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: Walk<'a, K, V, H, A, CAP>,
    /// For configurations with counts (zero-sized otherwise): the indices
    /// of the next entry from the front and of the end of what is left.
    front: A::Count,
    back: A::Count,
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Range<'a, K, V, H, A, CAP> {
    /// An iterator over the entries of `tree` between two bounds (with
    /// std's panics, see `RawMap::range_search`).
    pub(super) fn new<Q>(tree: &'a Tree<K, V, H, A, CAP>, start: Bound<&Q>, end: Bound<&Q>) -> Self
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        // With counts, each end's descent finds its index too.
        let ((from, front), (to, back)) = if A::Count::ON {
            tree.range_indexed(start, end)
        } else {
            let (front, back) = tree.range_search(start, end);
            ((0, front), (0, back))
        };
        let range = RawRange { front, back };
        Range {
            // SAFETY: the range was just made from `tree`.
            inner: unsafe { Walk::new(tree, range) },
            front: A::Count::new(from),
            back: A::Count::new(to),
        }
    }

    /// What is left, by index (counts only).
    #[inline]
    fn left(&self) -> usize {
        self.back.get() - self.front.get()
    }

    /// Move the front `n` entries on and the back `m` entries in
    /// (`n + m <= left`), by index: the map keeps counts.
    fn skip_by_index(&mut self, n: usize, m: usize) {
        let (from, to) = (self.front.get() + n, self.back.get() - m);
        if let Some(tree) = self.inner.tree() {
            self.inner = walk_between(tree, from, to);
        }
        (self.front, self.back) = (A::Count::new(from), A::Count::new(to));
    }
}

/// A range of a map with counts knows its length: `O(1)`.
///
/// ```
/// use bptree::phase::Indexed;
/// let map: Indexed<u32, ()> = (0..1000).map(|k| (k, ())).collect();
/// let mut r = map.range(100..200);
/// assert_eq!(r.len(), 100);
/// r.next();
/// r.next_back();
/// assert_eq!(r.len(), 98);
/// assert_eq!(r.nth(50).map(|(k, _)| *k), Some(151));
/// ```
impl<K, V, H: Handle, A: OrderStatistics, const CAP: usize> ExactSizeIterator
    for Range<'_, K, V, H, A, CAP>
{
    #[inline]
    fn len(&self) -> usize {
        self.left()
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator
    for Range<'a, K, V, H, A, CAP>
{
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        let item = self.inner.next();
        if A::Count::ON && item.is_some() {
            self.front = A::Count::new(self.front.get() + 1);
        }
        item
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        if A::Count::ON {
            (self.left(), Some(self.left()))
        } else {
            (0, None)
        }
    }

    /// `O(1)` for a map with counts, else a walk.
    #[inline]
    fn count(self) -> usize {
        if A::Count::ON {
            self.left()
        } else {
            self.fold(0, |n, _| n + 1)
        }
    }

    /// `O(log n)` for a map with counts (one descent to the new front),
    /// else the walk of std's default.
    fn nth(&mut self, n: usize) -> Option<(&'a K, &'a V)> {
        if !A::Count::ON || n == 0 {
            for _ in 0..n {
                self.next()?;
            }
            return self.next();
        }
        let n = n.min(self.left());
        self.skip_by_index(n, 0);
        self.next()
    }

    #[inline]
    fn fold<B, F>(mut self, init: B, f: F) -> B
    where
        F: FnMut(B, (&'a K, &'a V)) -> B,
    {
        self.inner.fold_front(usize::MAX, init, f)
    }

    sorted_ends!((&'a K, &'a V));
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> DoubleEndedIterator
    for Range<'a, K, V, H, A, CAP>
{
    #[inline]
    fn next_back(&mut self) -> Option<(&'a K, &'a V)> {
        let item = self.inner.next_back();
        if A::Count::ON && item.is_some() {
            self.back = A::Count::new(self.back.get() - 1);
        }
        item
    }

    /// `O(log n)` for a map with counts, as [`nth`](Iterator::nth).
    fn nth_back(&mut self, n: usize) -> Option<(&'a K, &'a V)> {
        if !A::Count::ON || n == 0 {
            for _ in 0..n {
                self.next_back()?;
            }
            return self.next_back();
        }
        let n = n.min(self.left());
        self.skip_by_index(0, n);
        self.next_back()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for Range<'_, K, V, H, A, CAP>
{
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Range<'_, K, V, H, A, CAP> {
    fn clone(&self) -> Self {
        Range {
            inner: self.inner.clone(),
            front: self.front,
            back: self.back,
        }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Default for Range<'_, K, V, H, A, CAP> {
    /// An empty iterator.
    fn default() -> Self {
        Range {
            inner: Walk::empty(),
            front: A::Count::new(0),
            back: A::Count::new(0),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Range<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// An iterator over the entries in a key range with mutable values:
/// [`BPlusTreeMap::range_mut`].
pub struct RangeMut<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: Option<RawIterMut<'a, K, V, Cfg<H, A, CAP>>>,
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> RangeMut<'a, K, V, H, A, CAP> {
    pub(super) fn new(inner: RawIterMut<'a, K, V, Cfg<H, A, CAP>>) -> Self {
        RangeMut { inner: Some(inner) }
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator
    for RangeMut<'a, K, V, H, A, CAP>
{
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        self.inner.as_mut()?.next()
    }

    fn last(mut self) -> Option<(&'a K, &'a mut V)> {
        self.next_back()
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> DoubleEndedIterator
    for RangeMut<'a, K, V, H, A, CAP>
{
    #[inline]
    fn next_back(&mut self) -> Option<(&'a K, &'a mut V)> {
        self.inner.as_mut()?.next_back()
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for RangeMut<'_, K, V, H, A, CAP>
{
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Default
    for RangeMut<'_, K, V, H, A, CAP>
{
    /// An empty iterator.
    fn default() -> Self {
        RangeMut { inner: None }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for RangeMut<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_remaining(f, self.inner.as_ref().map(RawIterMut::remaining), |kv| kv)
    }
}

/// Projections of an iterator: each forwards everything to the iterator it
/// wraps (`inner`) and maps what that yields. The map's keys, values,
/// mutable values and their owning forms project its entry iterators; the
/// set's iterators project the map's (`crate::set::iter`).
///
/// Every projection is double-ended, fused and has `Default`; after `;`,
/// `also` lists what it has besides: `ExactSizeIterator`, `Clone`, and
/// `last` (from the back), `min_max` (the first and the last) for iterators
/// in order. `Debug` differs between projections and stays with each.
macro_rules! projection {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime,)? $($param:ident),+>
        wraps $inner:ident<$($iarg:tt),+>, yields $item:ty, by |$kv:pat_param| $proj:expr;
        also $($extra:ident),*
    ) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? $($param,)+ H: $crate::policy::Handle = $crate::Wide32, A: $crate::policy::ArenaStrategy = $crate::policy::Indirect, const CAP: usize = 64> {
            pub(super) inner: $inner<$($iarg,)+ H, A, CAP>,
        }

        impl<$($lt,)? $($param,)+ H: $crate::policy::Handle, A: $crate::policy::ArenaStrategy, const CAP: usize> Iterator for $name<$($lt,)? $($param,)+ H, A, CAP> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|$kv| $proj)
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }

            #[inline]
            fn nth(&mut self, n: usize) -> Option<$item> {
                self.inner.nth(n).map(|$kv| $proj)
            }

            #[inline]
            fn count(self) -> usize {
                self.inner.count()
            }

            /// The wrapped iterator's fold (leaf by leaf, each leaf's
            /// entries in one indexed loop where it has one), projected:
            /// `values().sum()`, `keys().for_each(..)` and the like take
            /// it instead of stepping `next`.
            #[inline]
            fn fold<B, G>(self, init: B, mut g: G) -> B
            where
                G: FnMut(B, $item) -> B,
            {
                self.inner.fold(init, |acc, $kv| g(acc, $proj))
            }

            projection!(@methods $item; $($extra)*);
        }

        impl<$($lt,)? $($param,)+ H: $crate::policy::Handle, A: $crate::policy::ArenaStrategy, const CAP: usize> DoubleEndedIterator
            for $name<$($lt,)? $($param,)+ H, A, CAP>
        {
            #[inline]
            fn next_back(&mut self) -> Option<$item> {
                self.inner.next_back().map(|$kv| $proj)
            }

            #[inline]
            fn nth_back(&mut self, n: usize) -> Option<$item> {
                self.inner.nth_back(n).map(|$kv| $proj)
            }
        }

        impl<$($lt,)? $($param,)+ H: $crate::policy::Handle, A: $crate::policy::ArenaStrategy, const CAP: usize> ::core::iter::FusedIterator
            for $name<$($lt,)? $($param,)+ H, A, CAP>
        {
        }

        impl<$($lt,)? $($param,)+ H: $crate::policy::Handle, A: $crate::policy::ArenaStrategy, const CAP: usize> Default for $name<$($lt,)? $($param,)+ H, A, CAP> {
            /// An empty iterator.
            fn default() -> Self {
                $name { inner: Default::default() }
            }
        }

        projection!(@impls $name [$($lt,)? $($param,)+]; $($extra)*);
    };

    // The methods of `also`, one at a time (inside `impl Iterator`).
    (@methods $item:ty;) => {};
    (@methods $item:ty; last $($rest:ident)*) => {
        $crate::map::sorted_last!($item);
        projection!(@methods $item; $($rest)*);
    };
    (@methods $item:ty; min_max $($rest:ident)*) => {
        $crate::map::sorted_min_max!($item);
        projection!(@methods $item; $($rest)*);
    };
    // (A name that is no method is an impl, checked by `@impls`.)
    (@methods $item:ty; $impl:ident $($rest:ident)*) => {
        projection!(@methods $item; $($rest)*);
    };

    // The trait impls of `also`, one at a time.
    (@impls $name:ident [$($g:tt)*];) => {};
    (@impls $name:ident [$($g:tt)*]; ExactSizeIterator $($rest:ident)*) => {
        impl<$($g)* H: $crate::policy::Handle, A: $crate::policy::ArenaStrategy, const CAP: usize> ExactSizeIterator
            for $name<$($g)* H, A, CAP>
        {
            fn len(&self) -> usize {
                self.inner.len()
            }
        }

        projection!(@impls $name [$($g)*]; $($rest)*);
    };
    (@impls $name:ident [$($g:tt)*]; Clone $($rest:ident)*) => {
        impl<$($g)* H: $crate::policy::Handle, A: $crate::policy::ArenaStrategy, const CAP: usize> Clone for $name<$($g)* H, A, CAP> {
            fn clone(&self) -> Self {
                $name { inner: self.inner.clone() }
            }
        }

        projection!(@impls $name [$($g)*]; $($rest)*);
    };
    (@impls $name:ident [$($g:tt)*]; last $($rest:ident)*) => {
        projection!(@impls $name [$($g)*]; $($rest)*);
    };
    (@impls $name:ident [$($g:tt)*]; min_max $($rest:ident)*) => {
        projection!(@impls $name [$($g)*]; $($rest)*);
    };
}
pub(crate) use {projection, sorted_last, sorted_min_max};

projection! {
    /// An iterator over a map's keys, in order: [`BPlusTreeMap::keys`].
    Keys<'a, K, V> wraps Iter<'a, K, V>, yields &'a K, by |(k, _)| k;
    also ExactSizeIterator, last
}
projection! {
    /// An iterator over a map's values, in key order: [`BPlusTreeMap::values`].
    Values<'a, K, V> wraps Iter<'a, K, V>, yields &'a V, by |(_, v)| v;
    also ExactSizeIterator, last
}
projection! {
    /// An iterator over a map's mutable values: [`BPlusTreeMap::values_mut`].
    ValuesMut<'a, K, V> wraps IterMut<'a, K, V>, yields &'a mut V, by |(_, v)| v;
    also ExactSizeIterator, last
}
projection! {
    /// An owning iterator over a map's keys: [`BPlusTreeMap::into_keys`].
    IntoKeys<K, V> wraps IntoIter<K, V>, yields K, by |(k, _)| k;
    also ExactSizeIterator, last
}
projection! {
    /// An owning iterator over a map's values: [`BPlusTreeMap::into_values`].
    IntoValues<K, V> wraps IntoIter<K, V>, yields V, by |(_, v)| v;
    also ExactSizeIterator, last
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Keys<'_, K, V, H, A, CAP> {
    fn clone(&self) -> Self {
        Keys {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Values<'_, K, V, H, A, CAP> {
    fn clone(&self) -> Self {
        Values {
            inner: self.inner.clone(),
        }
    }
}

impl<K: fmt::Debug, V, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Keys<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Values<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for ValuesMut<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_remaining(f, self.inner.remaining(), |(_, v)| v)
    }
}

impl<K: fmt::Debug, V, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for IntoKeys<K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_remaining(f, self.inner.remaining(), |(k, _)| k)
    }
}

impl<K, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for IntoValues<K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_remaining(f, self.inner.remaining(), |(_, v)| v)
    }
}
