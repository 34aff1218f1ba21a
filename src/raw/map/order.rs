//! Order statistics on a map in either representation: a run answers by
//! index arithmetic, a tree by descending through its branches' counts
//! (configurations with counts only; see `raw::counts`).

use core::borrow::Borrow;
use core::ops::Bound;

use super::{RawMap, on_ref};
use crate::policy::{Config, Count, Handle};
use crate::raw::navigate::{Pos, check_range_bounds, key_bound};
use crate::raw::view::{LeafChain, TreeView};
use crate::raw::{Path, RawTree};

impl<K, V, C: Config> RawMap<K, V, C> {
    /// The canonical position of the gap before entry `i` (the end for
    /// `i == len`), and in `path` the descent to its leaf. Needs counts
    /// and `i <= len`.
    pub(crate) fn gap_at_index(&self, i: usize, path: &mut Path) -> Pos<C::H> {
        debug_assert!(C::N::ON);
        assert!(i <= self.len());
        on_ref!(self,
            _ => Pos { leaf: C::H::NIL, idx: i },
            t => if i == t.len {
                let leaf = t.descend_edge(true, path);
                // SAFETY: `leaf` was just found by a descent.
                let idx = unsafe { t.leaf(leaf) }.len();
                Pos { leaf, idx }.cast()
            } else {
                t.position_of_index(i, path).cast()
            },
        )
    }

    /// The number of entries before the canonical position `at` (of an
    /// entry, or the end). Needs counts.
    ///
    /// # Safety
    /// `at` is a position of this map, handed out since it last changed.
    pub(crate) unsafe fn index_at(&self, at: Pos<C::H>) -> usize
    where
        K: Ord,
    {
        debug_assert!(C::N::ON);
        if at.leaf.is_nil() {
            return at.idx;
        }
        // SAFETY: `at.leaf` is live (caller's contract).
        let keys = unsafe { self.leaf(at.leaf).keys() };
        if at.idx == keys.len() {
            return self.len();
        }
        let mut path = Path::new();
        let found = self.descend(&keys[at.idx], &mut path);
        self.check_found(found, at.leaf);
        on_ref!(self, _ => at.idx, t => t.index_of(&path, at.cast()))
    }

    /// The number of entries below a bound, as
    /// [`bound_pos`](Self::bound_pos) places it: before the first key
    /// `>= q` (`Included(q)`) or `> q` (`Excluded(q)`), with `upper` after
    /// the last key `<= q` or `< q`; 0 or `len` for `Unbounded`; and that
    /// canonical position, from the same descent. Needs counts.
    pub(crate) fn bound_index<Q>(&self, bound: Bound<&Q>, upper: bool) -> (usize, Pos<C::H>)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        debug_assert!(C::N::ON);
        on_ref!(self,
            run => {
                let idx = key_bound(run.keys(), bound, upper);
                (idx, Pos { leaf: C::H::NIL, idx })
            },
            t => {
                let (i, pos) = t.bound_index(bound, upper);
                (i, pos.cast())
            },
        )
    }

    /// A range's two ends as [`range_search`](Self::range_search) finds
    /// them (with its panics), each with its index: one descent per end,
    /// through the counts. Needs counts.
    #[allow(clippy::type_complexity)]
    pub(crate) fn range_indexed<Q>(
        &self,
        start: Bound<&Q>,
        end: Bound<&Q>,
    ) -> ((usize, Pos<C::H>), (usize, Pos<C::H>))
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if self.len() == 0 {
            let nil = (
                0,
                Pos {
                    leaf: C::H::NIL,
                    idx: 0,
                },
            );
            return (nil, nil);
        }
        check_range_bounds(start, end);
        let front = self.bound_index(start, false);
        let back = self.bound_index(end, true);
        // Crossing ends (an `Ord` that is not a total order): empty, as
        // `range_search`.
        if back.0 < front.0 {
            (front, front)
        } else {
            (front, back)
        }
    }
}

impl<K, V, C: Config> RawTree<K, V, C> {
    /// As [`RawMap::bound_index`], for a tree: one descent, adding up the
    /// counts of the children left of the one taken.
    fn bound_index<Q>(&self, bound: Bound<&Q>, upper: bool) -> (usize, Pos<C::H>)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if let Bound::Unbounded = bound {
            let (first, end) = self.full_range();
            return if upper { (self.len, end) } else { (0, first) };
        }
        let (mut before, mut total) = (0, self.len);
        let mut h = self.root;
        for _ in 0..self.height {
            // SAFETY: `h` is the root or a child read one level up; above
            // the leaf level it is a branch.
            let b = unsafe { self.branch(h) };
            let j = crate::raw::navigate::child_bound(b.keys(), bound, upper);
            before += b.count_before_within(j, total);
            total = b.count(j);
            h = b.child(j);
        }
        // SAFETY: as above, at the leaf level.
        unsafe {
            let idx = key_bound(self.leaf(h).keys(), bound, upper);
            (before + idx, self.normalize(Pos { leaf: h, idx }))
        }
    }
}
