//! Two sorted runs walked in step: the engine of the map's `append` and of
//! the set operations (`difference`, `union`, ...).

#![forbid(unsafe_code)]

use core::cmp::Ordering;
use core::iter::Peekable;

/// An item of a sorted run, seen through the key it is sorted by.
pub(crate) trait Keyed {
    type Key: Ord + ?Sized;
    fn key(&self) -> &Self::Key;
}

/// A map's entry, by its key.
impl<K: Ord, V> Keyed for (K, V) {
    type Key = K;
    fn key(&self) -> &K {
        &self.0
    }
}

/// A set's element (borrowed), by itself.
impl<T: Ord + ?Sized> Keyed for &T {
    type Key = T;
    fn key(&self) -> &T {
        self
    }
}

/// A step of a merge: the item of one run only, or of both when their
/// keys are equal (the left's first).
pub(crate) enum Merged<T> {
    Left(T),
    Right(T),
    Both(T, T),
}

/// Merges two sorted runs of unique keys, in key order; equal keys are
/// one step (`Merged::Both`).
pub(crate) struct MergeIter<I: Iterator> {
    left: Peekable<I>,
    right: Peekable<I>,
}

impl<I: Iterator> MergeIter<I> {
    pub(crate) fn new(left: I, right: I) -> Self {
        MergeIter {
            left: left.peekable(),
            right: right.peekable(),
        }
    }

    /// What each run has left.
    pub(crate) fn lens(&self) -> (usize, usize)
    where
        I: ExactSizeIterator,
    {
        (self.left.len(), self.right.len())
    }
}

impl<I: Iterator + Clone> Clone for MergeIter<I>
where
    I::Item: Clone,
{
    fn clone(&self) -> Self {
        MergeIter {
            left: self.left.clone(),
            right: self.right.clone(),
        }
    }
}

impl<I: Iterator> Iterator for MergeIter<I>
where
    I::Item: Keyed,
{
    type Item = Merged<I::Item>;

    fn next(&mut self) -> Option<Merged<I::Item>> {
        let order = match (self.left.peek(), self.right.peek()) {
            (Some(l), Some(r)) => l.key().cmp(r.key()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => return None,
        };
        Some(match order {
            Ordering::Less => Merged::Left(self.left.next()?),
            Ordering::Greater => Merged::Right(self.right.next()?),
            Ordering::Equal => Merged::Both(self.left.next()?, self.right.next()?),
        })
    }

    /// At least the longer run (keys are unique within each), at most both:
    /// the bound a bulk build reads to choose its handle width.
    fn size_hint(&self) -> (usize, Option<usize>) {
        let (l, lh) = self.left.size_hint();
        let (r, rh) = self.right.size_hint();
        (l.max(r), lh.zip(rh).and_then(|(a, b)| a.checked_add(b)))
    }
}

/// Which run a step of a merge took its item from.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    Left,
    Right,
    Both,
}

/// A merge of two maps' entries replayed from its recorded [`Step`]s, with
/// no comparison; for `Both`, the left key with the right value (as std).
pub(crate) struct Replay<I> {
    pub(crate) steps: alloc::vec::IntoIter<Step>,
    pub(crate) left: I,
    pub(crate) right: I,
}

impl<I: Iterator<Item = (K, V)>, K, V> Iterator for Replay<I> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        const SHORT: &str = "a recorded merge step has its entries";
        Some(match self.steps.next()? {
            Step::Left => self.left.next().expect(SHORT),
            Step::Right => self.right.next().expect(SHORT),
            Step::Both => {
                let (k, _) = self.left.next().expect(SHORT);
                let (_, v) = self.right.next().expect(SHORT);
                (k, v)
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.steps.size_hint()
    }
}

impl<I: Iterator<Item = (K, V)>, K, V> ExactSizeIterator for Replay<I> {}
