//! The set's iterators.

use core::cmp::Ordering::{Equal, Greater, Less};
use core::cmp::{max, min};
use core::fmt;
use core::iter::FusedIterator;
use core::ops::RangeBounds;

use super::BPlusTreeSet;
use crate::map::extract_if::ExtractCore;
use crate::map::merge::MergeIter;
use crate::map::merge::Merged::{Both, Left, Right};
use crate::map::{IntoKeys, Keys, Range as MapRange, projection};
use crate::policy::{ArenaStrategy, Cfg, Handle, OrderStatistics};
use crate::raw::map::RawMap;

projection! {
    /// An iterator over a set's elements, in order: [`BPlusTreeSet::iter`].
    Iter<'a, T> wraps Keys<'a, T, ()>, yields &'a T, by |k| k;
    also ExactSizeIterator, Clone, last, min_max
}
projection! {
    /// An owning iterator over a set's elements, in order.
    IntoIter<T> wraps IntoKeys<T, ()>, yields T, by |k| k;
    also ExactSizeIterator
}
projection! {
    /// An iterator over the elements in a range: [`BPlusTreeSet::range`].
    Range<'a, T> wraps MapRange<'a, T, ()>, yields &'a T, by |(k, _)| k;
    also Clone, last, min_max
}

/// A range of a set with counts knows its length, as the map's.
impl<T, H: Handle, A: OrderStatistics, const CAP: usize> ExactSizeIterator
    for Range<'_, T, H, A, CAP>
{
    #[inline]
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl<T: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Iter<'_, T, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iter").field(&self.inner).finish()
    }
}

impl<'a, T, H: Handle, A: ArenaStrategy, const CAP: usize> IntoIterator
    for &'a BPlusTreeSet<T, H, A, CAP>
{
    type Item = &'a T;
    type IntoIter = Iter<'a, T, H, A, CAP>;
    fn into_iter(self) -> Iter<'a, T, H, A, CAP> {
        self.iter()
    }
}

impl<T: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for IntoIter<T, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.inner).finish()
    }
}

impl<T, H: Handle, A: ArenaStrategy, const CAP: usize> IntoIterator for BPlusTreeSet<T, H, A, CAP> {
    type Item = T;
    type IntoIter = IntoIter<T, H, A, CAP>;
    /// ```
    /// use bptree::BPlusTreeSet;
    /// let set = BPlusTreeSet::from([1, 2, 3, 4]);
    /// assert_eq!(set.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4]);
    /// ```
    fn into_iter(self) -> IntoIter<T, H, A, CAP> {
        IntoIter {
            inner: self.map.into_keys(),
        }
    }
}

impl<T: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Range<'_, T, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// `union` and `symmetric_difference`: each walks both sets in step
/// (`MergeIter`) and keeps the steps that match `keep`, yielding the
/// element it names. (`difference` and `intersection` choose their walk as
/// std's do; they follow the macro.)
macro_rules! set_op_iter {
    ($(#[$doc:meta])* $name:ident, keep: $keep:pat => $item:ident, hint: |$a:ident, $b:ident| $hint:expr) => {
        $(#[$doc])*
        pub struct $name<'a, T, H: Handle = crate::Wide32, A: ArenaStrategy = crate::policy::Indirect, const CAP: usize = 64> {
            merge: MergeIter<Iter<'a, T, H, A, CAP>>,
        }

        impl<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> $name<'a, T, H, A, CAP> {
            pub(super) fn new(a: &'a BPlusTreeSet<T, H, A, CAP>, b: &'a BPlusTreeSet<T, H, A, CAP>) -> Self {
                $name { merge: MergeIter::new(a.iter(), b.iter()) }
            }
        }

        impl<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator for $name<'a, T, H, A, CAP> {
            type Item = &'a T;

            fn next(&mut self) -> Option<&'a T> {
                loop {
                    match self.merge.next()? {
                        $keep => return Some($item),
                        #[allow(unreachable_patterns)] // `Union` keeps every step.
                        _ => {}
                    }
                }
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                let ($a, $b) = self.merge.lens();
                $hint
            }

            fn min(mut self) -> Option<&'a T> {
                self.next()
            }
        }

        impl<T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator for $name<'_, T, H, A, CAP> {}

        impl<T, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for $name<'_, T, H, A, CAP> {
            fn clone(&self) -> Self {
                $name { merge: self.merge.clone() }
            }
        }

        impl<T: fmt::Debug + Ord, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
            for $name<'_, T, H, A, CAP>
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.clone().collect::<alloc::vec::Vec<_>>()).finish()
            }
        }
    };
}

set_op_iter!(
    /// The elements in exactly one of two sets: [`BPlusTreeSet::symmetric_difference`].
    SymmetricDifference, keep: Left(x) | Right(x) => x, hint: |a, b| (0, a.checked_add(b))
);
set_op_iter!(
    /// The elements in either of two sets: [`BPlusTreeSet::union`].
    Union, keep: Left(x) | Right(x) | Both(x, _) => x, hint: |a, b| (max(a, b), a.checked_add(b))
);

/// How much larger one set must be than the other before walking the
/// smaller and looking its elements up in the larger beats walking both in
/// step. std's figure; with std's choice of walk the size hints are std's
/// too.
const SEARCH_RATIO: usize = 16;

/// The extremes of two sets, when neither is empty: `(min, max)` of each.
type Extremes<'a, T> = Option<((&'a T, &'a T), (&'a T, &'a T))>;

fn extremes<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize>(
    a: &'a BPlusTreeSet<T, H, A, CAP>,
    b: &'a BPlusTreeSet<T, H, A, CAP>,
) -> Extremes<'a, T> {
    Some((a.first().zip(a.last())?, b.first().zip(b.last())?))
}

/// The elements of one set missing from another: [`BPlusTreeSet::difference`].
pub struct Difference<
    'a,
    T,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: DifferenceInner<'a, T, H, A, CAP>,
}

/// A difference's walk, chosen as std's is.
enum DifferenceInner<'a, T, H: Handle, A: ArenaStrategy, const CAP: usize> {
    /// Both sets in step (sets of comparable size that overlap).
    Stitch(MergeIter<Iter<'a, T, H, A, CAP>>),
    /// `self`'s elements, each looked up in the much larger `other`.
    Search {
        iter: Iter<'a, T, H, A, CAP>,
        other: &'a BPlusTreeSet<T, H, A, CAP>,
    },
    /// Every element left in `self`: `other` is empty, lies wholly below or
    /// above `self`, or shares only `self`'s first or last element (skipped
    /// up front).
    Iterate(Iter<'a, T, H, A, CAP>),
}

impl<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Difference<'a, T, H, A, CAP> {
    pub(super) fn new(
        this: &'a BPlusTreeSet<T, H, A, CAP>,
        other: &'a BPlusTreeSet<T, H, A, CAP>,
    ) -> Self {
        let Some(((self_min, self_max), (other_min, other_max))) = extremes(this, other) else {
            return Difference {
                inner: DifferenceInner::Iterate(this.iter()),
            };
        };
        let inner = match (self_min.cmp(other_max), self_max.cmp(other_min)) {
            (Greater, _) | (_, Less) => DifferenceInner::Iterate(this.iter()),
            (Equal, _) => {
                let mut iter = this.iter();
                iter.next();
                DifferenceInner::Iterate(iter)
            }
            (_, Equal) => {
                let mut iter = this.iter();
                iter.next_back();
                DifferenceInner::Iterate(iter)
            }
            _ if this.len() <= other.len() / SEARCH_RATIO => DifferenceInner::Search {
                iter: this.iter(),
                other,
            },
            _ => DifferenceInner::Stitch(MergeIter::new(this.iter(), other.iter())),
        };
        Difference { inner }
    }
}

impl<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator
    for Difference<'a, T, H, A, CAP>
{
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        match &mut self.inner {
            DifferenceInner::Stitch(merge) => loop {
                match merge.next()? {
                    Left(x) => return Some(x),
                    // Once `self` is used up, nothing more can come.
                    _ if merge.lens().0 == 0 => return None,
                    _ => {}
                }
            },
            DifferenceInner::Search { iter, other } => iter.find(|x| !other.contains(*x)),
            DifferenceInner::Iterate(iter) => iter.next(),
        }
    }

    /// std's: at most what is left of `self`; at least that less what is
    /// left of `other` (all of it when searching, none when `other` cannot
    /// hold any of it).
    fn size_hint(&self) -> (usize, Option<usize>) {
        let (left, other_left) = match &self.inner {
            DifferenceInner::Stitch(merge) => merge.lens(),
            DifferenceInner::Search { iter, other } => (iter.len(), other.len()),
            DifferenceInner::Iterate(iter) => (iter.len(), 0),
        };
        (left.saturating_sub(other_left), Some(left))
    }

    fn min(mut self) -> Option<&'a T> {
        self.next()
    }
}

impl<T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for Difference<'_, T, H, A, CAP>
{
}

impl<T, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Difference<'_, T, H, A, CAP> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            DifferenceInner::Stitch(merge) => DifferenceInner::Stitch(merge.clone()),
            DifferenceInner::Search { iter, other } => DifferenceInner::Search {
                iter: iter.clone(),
                other,
            },
            DifferenceInner::Iterate(iter) => DifferenceInner::Iterate(iter.clone()),
        };
        Difference { inner }
    }
}

impl<T: fmt::Debug + Ord, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Difference<'_, T, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Difference")
            .field(&self.clone().collect::<alloc::vec::Vec<_>>())
            .finish()
    }
}

/// The elements in both of two sets: [`BPlusTreeSet::intersection`].
pub struct Intersection<
    'a,
    T,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    inner: IntersectionInner<'a, T, H, A, CAP>,
}

/// An intersection's walk, chosen as std's is.
enum IntersectionInner<'a, T, H: Handle, A: ArenaStrategy, const CAP: usize> {
    /// Both sets in step (sets of comparable size that overlap).
    Stitch(MergeIter<Iter<'a, T, H, A, CAP>>),
    /// The smaller set's elements, each looked up in the much larger one.
    Search {
        small: Iter<'a, T, H, A, CAP>,
        large: &'a BPlusTreeSet<T, H, A, CAP>,
    },
    /// The whole answer, known up front: nothing (a set is empty, or they
    /// lie apart) or the one element where their ends touch.
    Answer(Option<&'a T>),
}

impl<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Intersection<'a, T, H, A, CAP> {
    pub(super) fn new(
        this: &'a BPlusTreeSet<T, H, A, CAP>,
        other: &'a BPlusTreeSet<T, H, A, CAP>,
    ) -> Self {
        let Some(((self_min, self_max), (other_min, other_max))) = extremes(this, other) else {
            return Intersection {
                inner: IntersectionInner::Answer(None),
            };
        };
        let inner = match (self_min.cmp(other_max), self_max.cmp(other_min)) {
            (Greater, _) | (_, Less) => IntersectionInner::Answer(None),
            (Equal, _) => IntersectionInner::Answer(Some(self_min)),
            (_, Equal) => IntersectionInner::Answer(Some(self_max)),
            _ if this.len() <= other.len() / SEARCH_RATIO => IntersectionInner::Search {
                small: this.iter(),
                large: other,
            },
            _ if other.len() <= this.len() / SEARCH_RATIO => IntersectionInner::Search {
                small: other.iter(),
                large: this,
            },
            _ => IntersectionInner::Stitch(MergeIter::new(this.iter(), other.iter())),
        };
        Intersection { inner }
    }
}

impl<'a, T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> Iterator
    for Intersection<'a, T, H, A, CAP>
{
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        match &mut self.inner {
            IntersectionInner::Stitch(merge) => loop {
                match merge.next()? {
                    Both(x, _) => return Some(x),
                    // Once either set is used up, nothing more can come.
                    _ if merge.lens().0 == 0 || merge.lens().1 == 0 => return None,
                    _ => {}
                }
            },
            IntersectionInner::Search { small, large } => small.find(|x| large.contains(*x)),
            IntersectionInner::Answer(answer) => answer.take(),
        }
    }

    /// std's: at most what is left of the smaller side; exact when the
    /// answer is known up front.
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            IntersectionInner::Stitch(merge) => {
                let (a, b) = merge.lens();
                (0, Some(min(a, b)))
            }
            IntersectionInner::Search { small, .. } => (0, Some(small.len())),
            IntersectionInner::Answer(answer) => {
                let n = usize::from(answer.is_some());
                (n, Some(n))
            }
        }
    }

    fn min(mut self) -> Option<&'a T> {
        self.next()
    }
}

impl<T: Ord, H: Handle, A: ArenaStrategy, const CAP: usize> FusedIterator
    for Intersection<'_, T, H, A, CAP>
{
}

impl<T, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Intersection<'_, T, H, A, CAP> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            IntersectionInner::Stitch(merge) => IntersectionInner::Stitch(merge.clone()),
            IntersectionInner::Search { small, large } => IntersectionInner::Search {
                small: small.clone(),
                large,
            },
            IntersectionInner::Answer(answer) => IntersectionInner::Answer(*answer),
        };
        Intersection { inner }
    }
}

impl<T: fmt::Debug + Ord, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Intersection<'_, T, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Intersection")
            .field(&self.clone().collect::<alloc::vec::Vec<_>>())
            .finish()
    }
}

/// An iterator that removes and yields the elements of a range for which a
/// predicate holds: [`BPlusTreeSet::extract_if`].
pub struct ExtractIf<
    'a,
    T,
    R,
    F,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    core: ExtractCore<'a, T, (), R, H, A, CAP>,
    pred: F,
}

impl<'a, T: Ord + Clone, R: RangeBounds<T>, F, H: Handle, A: ArenaStrategy, const CAP: usize>
    ExtractIf<'a, T, R, F, H, A, CAP>
{
    pub(super) fn new(tree: &'a mut RawMap<T, (), Cfg<H, A, CAP>>, range: R, pred: F) -> Self {
        ExtractIf {
            core: ExtractCore::new(tree, range),
            pred,
        }
    }
}

impl<T, R, F, H, A, const CAP: usize> Iterator for ExtractIf<'_, T, R, F, H, A, CAP>
where
    T: Ord + Clone,
    R: RangeBounds<T>,
    F: FnMut(&T) -> bool,
    H: Handle,
    A: ArenaStrategy,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let pred = &mut self.pred;
        self.core.next_with(|k, _| pred(k)).map(|(k, _)| k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.core.upper_bound()))
    }
}

impl<T, R, F, H, A, const CAP: usize> FusedIterator for ExtractIf<'_, T, R, F, H, A, CAP>
where
    T: Ord + Clone,
    R: RangeBounds<T>,
    F: FnMut(&T) -> bool,
    H: Handle,
    A: ArenaStrategy,
{
}

impl<T, R, F, H, A, const CAP: usize> fmt::Debug for ExtractIf<'_, T, R, F, H, A, CAP>
where
    T: fmt::Debug + Ord + Clone,
    R: RangeBounds<T>,
    H: Handle,
    A: ArenaStrategy,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf")
            .field("peek", &self.core.peek().map(|(k, _)| k))
            .finish_non_exhaustive()
    }
}
