//! Positions, and the one walker over them.
//!
//! A position is a (leaf, index) pair kept in canonical form: the index is
//! below the leaf's length, except at the very end of the tree, where it is
//! (last leaf, its length). Two canonical positions name the same place
//! exactly when they are equal, which is how range iterators know they met.
//! [`RawRange`] walks the positions between two of them from either end,
//! over any [`LeafChain`]; the descents that find positions are
//! [`TreeView`](super::view::TreeView)'s.

use core::borrow::Borrow;
use core::ops::Bound;

use super::search::{search_branch, search_leaf};
use super::view::LeafChain;
use crate::policy::Handle;

/// A place between entries: before entry `idx` of `leaf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos<H> {
    pub(crate) leaf: H,
    pub(crate) idx: usize,
}

impl<H: Handle> Pos<H> {
    /// The same position with the leaf named by a handle of width `G`.
    #[inline]
    pub(crate) fn cast<G: Handle>(self) -> Pos<G> {
        Pos {
            leaf: self.leaf.cast(),
            idx: self.idx,
        }
    }
}

/// The child of a branch with separators `keys` that a bound descends
/// into: the leftmost (`upper == false`) or rightmost child for
/// `Unbounded`, else the one where its key is or would be.
#[inline]
pub(crate) fn child_bound<K, Q>(keys: &[K], bound: Bound<&Q>, upper: bool) -> usize
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    match bound {
        Bound::Unbounded => {
            if upper {
                keys.len()
            } else {
                0
            }
        }
        Bound::Included(q) | Bound::Excluded(q) => search_branch(keys, q),
    }
}

/// The panic for a range whose ends cross (see
/// [`TreeView::range_edges`](super::view::TreeView::range_edges)).
#[cold]
#[track_caller]
pub(crate) fn ill_defined_range() -> ! {
    panic!("Ord is ill-defined in BPlusTreeMap range")
}

/// Where `bound` falls in sorted `keys`, as
/// [`TreeView::bound_pos`](super::view::TreeView::bound_pos) reads it:
/// the index before the first key `>= q` for `Included(q)`, `> q` for
/// `Excluded(q)`, 0 for `Unbounded`; with `upper`, `> q`, `>= q` and the end.
#[inline]
pub(crate) fn key_bound<K, Q>(keys: &[K], bound: Bound<&Q>, upper: bool) -> usize
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    let (q, after_equal) = match bound {
        Bound::Unbounded => return if upper { keys.len() } else { 0 },
        Bound::Included(q) => (q, upper),
        Bound::Excluded(q) => (q, !upper),
    };
    match search_leaf(keys, q) {
        Ok(i) if after_equal => i + 1,
        Ok(i) | Err(i) => i,
    }
}

/// The positions between which an iterator has not yet yielded: `front`
/// is the next entry from the front, `back` the end of what is left.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawRange<H> {
    pub(crate) front: Pos<H>,
    pub(crate) back: Pos<H>,
}

impl<H: Handle> RawRange<H> {
    /// A range that yields nothing.
    pub(crate) const EMPTY: Self = RawRange {
        front: Pos {
            leaf: H::NIL,
            idx: 0,
        },
        back: Pos {
            leaf: H::NIL,
            idx: 0,
        },
    };

    /// All entries of `tree`.
    pub(crate) fn full<T: LeafChain<H = H>>(tree: &T) -> Self {
        let (front, back) = tree.full_range();
        RawRange { front, back }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.front == self.back
    }

    /// The next position from the front, as (leaf, index).
    ///
    /// # Safety
    /// This is a range of `tree`: made from it (by [`RawRange::full`] or
    /// from a range's edges) since the tree last changed, and advanced only
    /// by `next` and `next_back`.
    #[inline]
    pub(crate) unsafe fn next<T: LeafChain<H = H>>(&mut self, tree: &T) -> Option<(H, usize)> {
        if self.is_empty() {
            return None;
        }
        let Pos { leaf, idx } = self.front;
        // SAFETY: `front` is a position of this range, which is `tree`'s
        // (caller's contract): its leaf is NIL (the run) or live.
        let view = unsafe { tree.leaf(leaf) };
        self.front = if idx + 1 < view.len || view.next.is_nil() {
            Pos { leaf, idx: idx + 1 }
        } else {
            Pos {
                leaf: view.next,
                idx: 0,
            }
        };
        Some((leaf, idx))
    }

    /// The next position from the back, as (leaf, index).
    ///
    /// # Safety
    /// As for [`next`](Self::next).
    #[inline]
    pub(crate) unsafe fn next_back<T: LeafChain<H = H>>(&mut self, tree: &T) -> Option<(H, usize)> {
        if self.is_empty() {
            return None;
        }
        // SAFETY: `back` is a position of this range, which is `tree`'s
        // (caller's contract); the range is not empty, so an entry lies
        // before `back`.
        self.back = unsafe { tree.step_back(self.back) }
            .expect("a non-empty range has an entry before its end");
        Some((self.back.leaf, self.back.idx))
    }
}
