//! The set's iterators.

use core::cmp::{max, min};
use core::fmt;
use core::iter::FusedIterator;
use core::ops::RangeBounds;

use super::BPlusTreeSet;
use crate::map::extract_if::ExtractCore;
use crate::map::merge::MergeIter;
use crate::map::merge::Merged::{Both, Left, Right};
use crate::map::{IntoKeys, Keys, Range as MapRange, projection};
use crate::policy::{ArenaStrategy, Cfg, Handle};
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

/// The set operations: each walks both sets in step (`MergeIter`) and
/// keeps the steps that match `keep`, yielding the element it names.
macro_rules! set_op_iter {
    ($(#[$doc:meta])* $name:ident, keep: $keep:pat => $item:ident, hint: |$a:ident, $b:ident| $hint:expr) => {
        $(#[$doc])*
        pub struct $name<'a, T, H: Handle = crate::Wide32, A: ArenaStrategy = crate::VecArena, const CAP: usize = 64> {
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
    /// The elements of one set missing from another: [`BPlusTreeSet::difference`].
    Difference, keep: Left(x) => x, hint: |a, _b| (0, Some(a))
);
set_op_iter!(
    /// The elements in exactly one of two sets: [`BPlusTreeSet::symmetric_difference`].
    SymmetricDifference, keep: Left(x) | Right(x) => x, hint: |a, b| (0, a.checked_add(b))
);
set_op_iter!(
    /// The elements in both of two sets: [`BPlusTreeSet::intersection`].
    Intersection, keep: Both(x, _) => x, hint: |a, b| (0, Some(min(a, b)))
);
set_op_iter!(
    /// The elements in either of two sets: [`BPlusTreeSet::union`].
    Union, keep: Left(x) | Right(x) | Both(x, _) => x, hint: |a, b| (max(a, b), a.checked_add(b))
);

/// An iterator that removes and yields the elements of a range for which a
/// predicate holds: [`BPlusTreeSet::extract_if`].
pub struct ExtractIf<
    'a,
    T,
    R,
    F,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::VecArena,
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
