//! [`ExtractIf`]: removing the entries of a range that match a predicate,
//! while iterating.
//!
//! The walk keeps a canonical position; a kept entry costs one step, a
//! removed one a descent to find its path (removal may borrow or merge
//! leaves, and `remove_at` reports where the next entry went).

use core::fmt;
use core::iter::FusedIterator;
use core::ops::{Bound, RangeBounds};

use crate::policy::{ArenaStrategy, Cfg, Handle};
use crate::raw::map::RawMap;
use crate::raw::navigate::Pos;
use crate::raw::view::LeafChain;

/// The walk behind the map's and the set's `ExtractIf`: the tree, the next
/// position to look at, and the range.
pub(crate) struct ExtractCore<'a, K, V, R, H: Handle, A: ArenaStrategy, const CAP: usize> {
    tree: &'a mut RawMap<K, V, Cfg<H, A, CAP>>,
    /// The next entry to look at (canonical). Invariant: a position of
    /// `tree`, made by it since it last changed or returned by the change.
    pos: Pos<H>,
    /// Whether the walk passed the end of the range.
    done: bool,
    range: R,
}

impl<'a, K: Ord + Clone, V, R: RangeBounds<K>, H: Handle, A: ArenaStrategy, const CAP: usize>
    ExtractCore<'a, K, V, R, H, A, CAP>
{
    pub(crate) fn new(tree: &'a mut RawMap<K, V, Cfg<H, A, CAP>>, range: R) -> Self {
        // Unlike `range`, std's `extract_if` does not panic on inverted
        // bounds; it yields nothing, which the end-bound check does here.
        let pos = tree.bound_pos(range.start_bound(), false);
        ExtractCore {
            tree,
            pos,
            done: false,
            range,
        }
    }

    /// The next entry in range for which `pred` holds, removed.
    pub(crate) fn next_with(&mut self, mut pred: impl FnMut(&K, &mut V) -> bool) -> Option<(K, V)> {
        loop {
            let Pos { leaf, idx } = self.pos;
            // SAFETY: `self.pos` is the tree's (the type's invariant).
            if self.done || idx == unsafe { self.tree.leaf(leaf) }.len {
                self.done = true;
                return None;
            }
            // SAFETY: as above.
            let (k, v) = unsafe { self.tree.leaf(leaf).entry_mut(idx) };
            let in_range = match self.range.end_bound() {
                Bound::Included(e) => k <= e,
                Bound::Excluded(e) => k < e,
                Bound::Unbounded => true,
            };
            if !in_range {
                self.done = true;
                return None;
            }
            if pred(k, v) {
                // SAFETY: `self.pos` is the tree's and holds an entry.
                let (kv, next) = unsafe { self.tree.remove_at(self.pos) };
                self.pos = next;
                return Some(kv);
            }
            // SAFETY: as above.
            self.pos = unsafe { self.tree.normalize(Pos { leaf, idx: idx + 1 }) };
        }
    }

    pub(crate) fn upper_bound(&self) -> usize {
        if self.done { 0 } else { self.tree.len() }
    }

    /// The next entry it would look at.
    pub(crate) fn peek(&self) -> Option<(&K, &V)> {
        let Pos { leaf, idx } = self.pos;
        // SAFETY: `self.pos` is the tree's (the type's invariant).
        let leaf = unsafe { self.tree.leaf(leaf) };
        if self.done || idx >= leaf.len {
            return None;
        }
        // SAFETY: `&self` borrows the walk, which hands out no `&mut` while
        // it is borrowed; the entries live as long as that borrow.
        Some(unsafe { leaf.entry(idx) })
    }
}

/// An iterator that removes and yields the entries of a range for which a
/// predicate holds: [`BPlusTreeMap::extract_if`](super::BPlusTreeMap::extract_if).
///
/// Entries it has not reached when dropped stay in the map.
pub struct ExtractIf<
    'a,
    K,
    V,
    R,
    F,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    core: ExtractCore<'a, K, V, R, H, A, CAP>,
    pred: F,
}

impl<'a, K: Ord + Clone, V, R: RangeBounds<K>, F, H: Handle, A: ArenaStrategy, const CAP: usize>
    ExtractIf<'a, K, V, R, F, H, A, CAP>
{
    pub(super) fn new(tree: &'a mut RawMap<K, V, Cfg<H, A, CAP>>, range: R, pred: F) -> Self {
        ExtractIf {
            core: ExtractCore::new(tree, range),
            pred,
        }
    }
}

impl<K, V, R, F, H, A, const CAP: usize> Iterator for ExtractIf<'_, K, V, R, F, H, A, CAP>
where
    K: Ord + Clone,
    R: RangeBounds<K>,
    F: FnMut(&K, &mut V) -> bool,
    H: Handle,
    A: ArenaStrategy,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.core.next_with(&mut self.pred)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.core.upper_bound()))
    }
}

impl<K, V, R, F, H, A, const CAP: usize> FusedIterator for ExtractIf<'_, K, V, R, F, H, A, CAP>
where
    K: Ord + Clone,
    R: RangeBounds<K>,
    F: FnMut(&K, &mut V) -> bool,
    H: Handle,
    A: ArenaStrategy,
{
}

impl<K, V, R, F, H, A, const CAP: usize> fmt::Debug for ExtractIf<'_, K, V, R, F, H, A, CAP>
where
    K: fmt::Debug + Ord + Clone,
    V: fmt::Debug,
    R: RangeBounds<K>,
    H: Handle,
    A: ArenaStrategy,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf")
            .field("peek", &self.core.peek())
            .finish_non_exhaustive()
    }
}
