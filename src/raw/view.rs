//! The read-only view of a tree: what search, navigation and iteration read,
//! and all they read.
//!
//! Two traits, one for each kind of reader:
//! - [`LeafChain`]: the leaves, one after another (a leaf's keys and values,
//!   its next and previous leaf). Iterators and cursors walk positions
//!   through it ([`Pos`] moves: [`normalize`](LeafChain::normalize),
//!   [`step_back`](LeafChain::step_back), [`full_range`](LeafChain::full_range)).
//!   A map implements it in either representation (its small run is the
//!   one leaf named NIL).
//! - [`TreeView`]: a whole tree (root, height, a branch's separators and
//!   children). Search and descents are written once against it: finding a
//!   key, the first and last leaves, a bound's position and a range's two
//!   ends. A tree of either handle width implements it, and so can a tree
//!   stored elsewhere (an archive) that answers the same questions.
//!
//! Nodes are named by handles ([`Handle`]), NIL for none. A handle passed to
//! a view must be one the view handed out (its root, a child, a leaf's
//! link, or a position made from those) while the view was borrowed: the
//! accessors that take one are `unsafe fn`s with that contract, and the
//! algorithms below say at each step where their handle came from.

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::ops::Bound;

use super::Path;
use super::navigate::{Pos, child_bound, key_bound};
use crate::node::LeafView;
use crate::policy::Handle;

/// A branch as a view hands it out: its separators and children.
pub(crate) trait BranchRead<'a, K: 'a, H> {
    /// The separators: child `i` holds the keys from separator `i - 1` on,
    /// below separator `i`.
    fn keys(&self) -> &'a [K];
    /// Child `i`, for `i <= keys().len()`.
    fn child(&self, i: usize) -> H;
    /// The child to descend into for `q`: the number of separators at or
    /// below it.
    fn search<Q>(&self, q: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized;
    /// Whether [`search`](Self::search) for a `Q` reads the keys' prefixes
    /// rather than the keys (a constant per configuration and type).
    fn searches_prefixes<Q: ?Sized>(&self) -> bool;
}

/// Leaves in key order, each linked to the next and the previous one.
pub(crate) trait LeafChain {
    type K;
    type V;
    /// How leaves are named.
    type H: Handle;

    /// Leaf `h` (see [`LeafView`]: making it creates no reference). NIL
    /// is always accepted: it is the map's small run, or an empty leaf.
    ///
    /// # Safety
    /// `h` is NIL or a leaf the view handed out while it was borrowed (see
    /// the module docs).
    unsafe fn leaf(&self, h: Self::H) -> LeafView<Self::K, Self::V, Self::H>;

    /// Ask the CPU to start loading leaf `h` (a scan about to reach it);
    /// a hint that reads nothing. Views whose leaves live elsewhere may
    /// ignore it.
    ///
    /// # Safety
    /// As for [`leaf`](Self::leaf).
    #[inline]
    unsafe fn prefetch_leaf(&self, h: Self::H) {
        let _ = h;
    }

    /// The first (`last == false`) or last leaf.
    fn edge_leaf(&self, last: bool) -> Self::H;

    /// The same place as `pos`, in canonical form: the index is below the
    /// leaf's length, except at the very end, (last leaf, its length).
    ///
    /// # Safety
    /// `pos.leaf` is a leaf of this view (as for [`leaf`](Self::leaf)).
    #[inline]
    unsafe fn normalize(&self, pos: Pos<Self::H>) -> Pos<Self::H> {
        // SAFETY: caller's contract.
        let leaf = unsafe { self.leaf(pos.leaf) };
        if pos.idx == leaf.len && !leaf.next.is_nil() {
            Pos {
                leaf: leaf.next,
                idx: 0,
            }
        } else {
            pos
        }
    }

    /// The position of the entry before `pos`, if there is one.
    ///
    /// # Safety
    /// As for [`normalize`](Self::normalize).
    #[inline]
    unsafe fn step_back(&self, pos: Pos<Self::H>) -> Option<Pos<Self::H>> {
        if pos.idx > 0 {
            return Some(Pos {
                leaf: pos.leaf,
                idx: pos.idx - 1,
            });
        }
        // SAFETY: `pos.leaf` is the view's (caller's contract), and so is
        // the leaf its `prev` link names; a leaf of a chain is never empty.
        unsafe {
            let prev = self.leaf(pos.leaf).prev;
            (!prev.is_nil()).then(|| Pos {
                leaf: prev,
                idx: self.leaf(prev).len - 1,
            })
        }
    }

    /// The position of the first entry, and the end position.
    #[inline]
    fn full_range(&self) -> (Pos<Self::H>, Pos<Self::H>) {
        let (first, last) = (self.edge_leaf(false), self.edge_leaf(true));
        // SAFETY: the view handed out `last`.
        let len = unsafe { self.leaf(last) }.len;
        (
            Pos {
                leaf: first,
                idx: 0,
            },
            Pos {
                leaf: last,
                idx: len,
            },
        )
    }
}

/// A whole tree: a root, branches of separators above the leaves, and a
/// height (0 when the root is a leaf). An empty tree has a NIL root of
/// height 0, which [`LeafChain::leaf`] answers as an empty leaf, so every
/// method here is sound on it too; a non-empty tree's leaves each hold an
/// entry.
pub(crate) trait TreeView: LeafChain {
    /// A branch, borrowed from the view.
    type Branch<'a>: BranchRead<'a, Self::K, Self::H>
    where
        Self: 'a;

    /// The root: a branch, or the only leaf when the height is 0.
    fn root(&self) -> Self::H;

    /// Branch levels above the leaves.
    fn height(&self) -> usize;

    /// Leaf `h` (as [`leaf`](LeafChain::leaf) gives it), and where `q` is
    /// in it (`Ok`) or would go (`Err`). The leaf is where a large tree's
    /// lookup misses the cache, so this first asks for the lines the
    /// search reads (measured: the upper levels stay cached, and
    /// prefetching them too cost more than it gave).
    ///
    /// # Safety
    /// As for [`leaf`](LeafChain::leaf).
    #[allow(clippy::type_complexity)]
    unsafe fn search_leaf<Q>(
        &self,
        h: Self::H,
        q: &Q,
    ) -> (LeafView<Self::K, Self::V, Self::H>, Result<usize, usize>)
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized;

    /// Branch `h`.
    ///
    /// # Safety
    /// `h` is a branch the view handed out while it was borrowed (the root
    /// of a tree of height above 0, or a child above the leaf level).
    unsafe fn branch(&self, h: Self::H) -> Self::Branch<'_>;

    /// Descend to the leaf where `q` is or would be, recording the path:
    /// the descent of the operations that change the tree.
    ///
    /// While the descent follows the right edge, each branch's last
    /// separator is compared first, so a key past the end (an ascending
    /// insert) goes down the right edge with one comparison per level
    /// instead of a search. Any other key pays that one comparison at the
    /// root only: once it leaves the right edge, it searches (a comparison
    /// can cost a cache miss, for keys that live on the heap).
    #[inline]
    fn descend<Q>(&self, q: &Q, path: &mut Path) -> Self::H
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let mut h = self.root();
        let mut right_edge = true;
        for _ in 0..self.height() {
            // SAFETY: `h` is the root or a child read one level up; above
            // the leaf level it is a branch.
            let b = unsafe { self.branch(h) };
            let keys = b.keys();
            // With prefixes, the search costs less than one key comparison.
            let i = match keys.last() {
                Some(last)
                    if right_edge
                        && !b.searches_prefixes::<Q>()
                        && last.borrow().cmp(q) != Ordering::Greater =>
                {
                    keys.len()
                }
                _ => {
                    right_edge = false;
                    b.search(q)
                }
            };
            path.push(h, i);
            h = b.child(i);
        }
        h
    }

    /// The leaf where `q` is or would be.
    #[inline]
    fn leaf_for<Q>(&self, q: &Q) -> Self::H
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (mut h, mut above) = (self.root(), self.height());
        while above > 0 {
            // SAFETY: as in `descend`.
            let b = unsafe { self.branch(h) };
            h = b.child(b.search(q));
            above -= 1;
        }
        h
    }

    /// The leaf and index holding `q`, if present.
    #[inline]
    fn find<Q>(&self, q: &Q) -> Option<(Self::H, usize)>
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let h = self.leaf_for(q);
        // SAFETY: `leaf_for` read `h` from the view, down to the leaves.
        unsafe { self.search_leaf(h, q) }.1.ok().map(|i| (h, i))
    }

    /// The entry for `q`, if present.
    #[inline]
    fn get<Q>(&self, q: &Q) -> Option<(&Self::K, &Self::V)>
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        // SAFETY: as in `find`; `&self` hands out no `&mut`, and the
        // entries live as long as it.
        let (leaf, found) = unsafe { self.search_leaf(self.leaf_for(q), q) };
        // SAFETY: as above.
        Some(unsafe { leaf.entry(found.ok()?) })
    }

    /// Descend along the leftmost (`last == false`) or rightmost edge,
    /// recording the path.
    fn descend_edge(&self, last: bool, path: &mut Path) -> Self::H {
        let mut h = self.root();
        for _ in 0..self.height() {
            // SAFETY: as in `descend`.
            let b = unsafe { self.branch(h) };
            let i = if last { b.keys().len() } else { 0 };
            path.push(h, i);
            h = b.child(i);
        }
        h
    }

    /// The first (`last == false`) or last leaf.
    fn tree_edge_leaf(&self, last: bool) -> Self::H {
        let mut h = self.root();
        for _ in 0..self.height() {
            // SAFETY: as in `descend`.
            let b = unsafe { self.branch(h) };
            h = b.child(if last { b.keys().len() } else { 0 });
        }
        h
    }

    /// The canonical position before the first key that is not below the
    /// bound: `>= q` for `Included(q)`, `> q` for `Excluded(q)`, the first
    /// entry for `Unbounded`. With `upper`, the roles flip to give an
    /// exclusive end: `> q` for `Included(q)`, `>= q` for `Excluded(q)`,
    /// the end for `Unbounded`.
    fn bound_pos<Q>(&self, bound: Bound<&Q>, upper: bool) -> Pos<Self::H>
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let q = match bound {
            Bound::Unbounded => {
                let (first, end) = self.full_range();
                return if upper { end } else { first };
            }
            Bound::Included(q) | Bound::Excluded(q) => q,
        };
        let h = self.leaf_for(q);
        // SAFETY: `leaf_for` read `h` from the view, down to the leaves.
        unsafe {
            let idx = key_bound(self.leaf(h).keys(), bound, upper);
            self.normalize(Pos { leaf: h, idx })
        }
    }

    /// The canonical positions of a range's two ends, as
    /// [`bound_pos`](Self::bound_pos) finds them (`start` as a lower bound,
    /// `end` as an upper one), in one descent that follows both bounds
    /// while they share a node.
    ///
    /// If the lower end comes after the upper one (in a shared node, the
    /// lower bound's child or index lies right of the upper bound's), the
    /// range is empty: both ends are one position. With bounds in order
    /// (the caller checks that with std's panics) only an `Ord` that is not
    /// a total order can do that, and std's range yields nothing there too
    /// (since 1.95; it panicked before). Iterators rely on it: walking from
    /// the lower end forwards reaches the upper end, so no position is
    /// yielded twice and none past a leaf.
    fn range_edges<Q>(&self, start: Bound<&Q>, end: Bound<&Q>) -> (Pos<Self::H>, Pos<Self::H>)
    where
        Self::K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (mut lo, mut hi) = (self.root(), self.root());
        for _ in 0..self.height() {
            // SAFETY: `lo` and `hi` are the root or children read one level
            // up; above the leaves they are branches.
            let (a, b) = unsafe { (self.branch(lo), self.branch(hi)) };
            let (i, j) = (
                child_bound(a.keys(), start, false),
                child_bound(b.keys(), end, true),
            );
            if lo == hi && i > j {
                let (first, _) = self.full_range();
                return (first, first);
            }
            (lo, hi) = (a.child(i), b.child(j));
        }
        // SAFETY: as above, at the leaf level.
        let (i, j) = unsafe {
            (
                key_bound(self.leaf(lo).keys(), start, false),
                key_bound(self.leaf(hi).keys(), end, true),
            )
        };
        // SAFETY: `lo` and `hi` are leaves of the view (above).
        unsafe {
            let front = self.normalize(Pos { leaf: lo, idx: i });
            if lo == hi && i > j {
                return (front, front);
            }
            (front, self.normalize(Pos { leaf: hi, idx: j }))
        }
    }
}
