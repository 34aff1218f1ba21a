//! Descents and positions: finding the leaf for a key, the first and last
//! leaves, and the leaf positions that bound a range.
//!
//! A position is a (leaf, index) pair kept in canonical form: the index is
//! below the leaf's length, except at the very end of the tree, where it is
//! (last leaf, its length). Two canonical positions name the same place
//! exactly when they are equal, which is how range iterators know they met.

use core::borrow::Borrow;
use core::ops::Bound;

use super::repr::RawMap;
use super::search::{search_branch, search_leaf};
use super::{Path, RawTree};
use crate::policy::{Config, Handle};

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

impl<K, V, C: Config> RawTree<K, V, C> {
    /// Descend to the leaf where `q` is or would be, recording the path.
    #[inline]
    pub(crate) fn descend<Q>(&self, q: &Q, path: &mut Path) -> C::H
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let mut h = self.root;
        for _ in 0..self.height {
            // SAFETY: `h` is the root or was read from a live branch's
            // children one level up; above the leaf level it is a branch.
            let b = unsafe { self.branch(h) };
            let i = search_branch(b.keys(), q);
            path.push(h, i);
            h = b.child(i);
        }
        h
    }

    /// The leaf where `q` is or would be. The tree must not be empty.
    #[inline]
    fn leaf_for<Q>(&self, q: &Q) -> C::H
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (mut h, mut above) = (self.root, self.height);
        while above > 0 {
            // SAFETY: `h` is the root or was read from a live branch's
            // children one level up; above the leaf level it is a branch.
            let b = unsafe { self.branch(h) };
            h = b.child(search_branch(b.keys(), q));
            above -= 1;
        }
        h
    }

    /// The leaf and index holding `q`, if present.
    #[inline]
    pub(crate) fn find<Q>(&self, q: &Q) -> Option<(C::H, usize)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if self.root.is_nil() {
            return None;
        }
        let h = self.leaf_for(q);
        // SAFETY: the tree is not empty (checked above), so `leaf_for` read
        // `h` from the tree's links down to the leaf level: a live leaf.
        search_leaf(unsafe { self.leaf(h) }.keys(), q)
            .ok()
            .map(|i| (h, i))
    }

    /// The entry for `q`, if present.
    #[inline]
    pub(crate) fn get<Q>(&self, q: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if self.root.is_nil() {
            return None;
        }
        // SAFETY: the tree is not empty (checked above), so `leaf_for`
        // returns a live leaf read from the tree's links.
        let leaf = unsafe { self.leaf(self.leaf_for(q)) };
        let i = search_leaf(leaf.keys(), q).ok()?;
        Some(leaf.entry(i))
    }

    /// Descend along the leftmost (`last == false`) or rightmost edge,
    /// recording the path. The tree must not be empty.
    pub(crate) fn descend_edge(&self, last: bool, path: &mut Path) -> C::H {
        let mut h = self.root;
        for _ in 0..self.height {
            // SAFETY: `h` is the root or was read from a live branch's
            // children one level up; above the leaf level it is a branch.
            let b = unsafe { self.branch(h) };
            let i = if last { b.len() } else { 0 };
            path.push(h, i);
            h = b.child(i);
        }
        h
    }

    /// The first leaf, or NIL.
    pub(crate) fn first_leaf(&self) -> C::H {
        if self.root.is_nil() {
            return C::H::NIL;
        }
        let mut h = self.root;
        for _ in 0..self.height {
            // SAFETY: the tree is not empty (checked above); `h` is the root
            // or a child of a live branch, and a branch above the leaf level.
            h = unsafe { self.branch(h) }.child(0);
        }
        h
    }

    /// The last leaf, or NIL.
    pub(crate) fn last_leaf(&self) -> C::H {
        if self.root.is_nil() {
            return C::H::NIL;
        }
        let mut h = self.root;
        for _ in 0..self.height {
            // SAFETY: the tree is not empty (checked above); `h` is the root
            // or a child of a live branch, and a branch above the leaf level.
            let b = unsafe { self.branch(h) };
            h = b.child(b.len());
        }
        h
    }

    /// Bring a position into canonical form.
    ///
    /// # Safety
    /// `pos.leaf` names a live leaf of this tree (a position the engine
    /// handed out, or a leaf read from the tree's links, since the tree last
    /// changed).
    #[inline]
    pub(crate) unsafe fn normalize(&self, pos: Pos<C::H>) -> Pos<C::H> {
        // SAFETY: `pos.leaf` is a live leaf (caller's contract).
        let leaf = unsafe { self.leaf(pos.leaf) };
        if pos.idx == leaf.len() && !leaf.next.is_nil() {
            Pos {
                leaf: leaf.next,
                idx: 0,
            }
        } else {
            pos
        }
    }

    /// The position of the first entry, and the end position.
    pub(crate) fn full_range(&self) -> (Pos<C::H>, Pos<C::H>) {
        if self.root.is_nil() {
            let nil = Pos {
                leaf: C::H::NIL,
                idx: 0,
            };
            return (nil, nil);
        }
        let last = self.last_leaf();
        (
            Pos {
                leaf: self.first_leaf(),
                idx: 0,
            },
            Pos {
                leaf: last,
                // SAFETY: the tree is not empty (checked above), so
                // `last_leaf` read `last` from the tree's links: a live leaf.
                idx: unsafe { self.leaf(last) }.len(),
            },
        )
    }

    /// The canonical position before the first key that is not below the
    /// bound: `>= q` for `Included(q)`, `> q` for `Excluded(q)`, the first
    /// entry for `Unbounded`. With `upper`, the roles flip to give an
    /// exclusive end: `> q` for `Included(q)`, `>= q` for `Excluded(q)`,
    /// the end for `Unbounded`. The tree must not be empty.
    pub(crate) fn bound_pos<Q>(&self, bound: Bound<&Q>, upper: bool) -> Pos<C::H>
    where
        K: Borrow<Q>,
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
        // SAFETY: the tree is not empty (this fn's precondition), so
        // `leaf_for` read `h` from the tree's links: a live leaf, and
        // nothing changes the tree in between.
        unsafe {
            let idx = key_bound(self.leaf(h).keys(), bound, upper);
            self.normalize(Pos { leaf: h, idx })
        }
    }

    /// The canonical positions of a range's two ends, as
    /// [`bound_pos`](Self::bound_pos) finds them (`start` as a lower bound,
    /// `end` as an upper one), in one descent that follows both bounds
    /// while they share a node. The tree must not be empty.
    ///
    /// # Panics
    ///
    /// If the lower end comes after the upper one: in a shared node, the
    /// lower bound's child (or index) lies right of the upper bound's. With
    /// bounds in order (the caller checks that with std's panics) only an
    /// `Ord` that is not a total order can do that, and std panics then too.
    /// Iterators rely on it: walking from the lower end forwards reaches the
    /// upper end, so no position is yielded twice and none past a leaf.
    pub(crate) fn range_edges<Q>(&self, start: Bound<&Q>, end: Bound<&Q>) -> (Pos<C::H>, Pos<C::H>)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (mut lo, mut hi) = (self.root, self.root);
        for _ in 0..self.height {
            // SAFETY: `lo` and `hi` are the root or were read from live
            // branches' children one level up; above the leaves they are
            // branches.
            let (a, b) = unsafe { (self.branch(lo), self.branch(hi)) };
            let (i, j) = (
                child_bound(a.keys(), start, false),
                child_bound(b.keys(), end, true),
            );
            if lo == hi && i > j {
                ill_defined_range();
            }
            (lo, hi) = (a.child(i), b.child(j));
        }
        // SAFETY: as above, at the leaf level.
        let (a, b) = unsafe { (self.leaf(lo), self.leaf(hi)) };
        let (i, j) = (
            key_bound(a.keys(), start, false),
            key_bound(b.keys(), end, true),
        );
        if lo == hi && i > j {
            ill_defined_range();
        }
        // SAFETY: `lo` and `hi` are live leaves (above).
        unsafe {
            (
                self.normalize(Pos { leaf: lo, idx: i }),
                self.normalize(Pos { leaf: hi, idx: j }),
            )
        }
    }
}

/// The child of a branch with separators `keys` that a bound descends
/// into: the leftmost (`upper == false`) or rightmost child for
/// `Unbounded`, else the one where its key is or would be.
#[inline]
fn child_bound<K, Q>(keys: &[K], bound: Bound<&Q>, upper: bool) -> usize
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

/// The panic for a range whose ends cross (see [`RawTree::range_edges`]).
#[cold]
#[track_caller]
pub(crate) fn ill_defined_range() -> ! {
    panic!("Ord is ill-defined in BPlusTreeMap range")
}

/// Where `bound` falls in sorted `keys`, as [`RawTree::bound_pos`] reads it:
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
    pub(crate) fn full<K, V, C: Config<H = H>>(tree: &RawMap<K, V, C>) -> Self {
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
    /// This is a range of `tree`: made by [`RawRange::full`] or
    /// [`RawMap::range_search`] since the tree last changed, and advanced
    /// only by `next` and `next_back`.
    #[inline]
    pub(crate) unsafe fn next<K, V, C: Config<H = H>>(
        &mut self,
        tree: &RawMap<K, V, C>,
    ) -> Option<(H, usize)> {
        if self.is_empty() {
            return None;
        }
        let Pos { leaf, idx } = self.front;
        // SAFETY: `front` is a position of this range, which is `tree`'s
        // (caller's contract): its leaf is NIL (the run) or live.
        let view = unsafe { tree.leaf_view(leaf) };
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
    pub(crate) unsafe fn next_back<K, V, C: Config<H = H>>(
        &mut self,
        tree: &RawMap<K, V, C>,
    ) -> Option<(H, usize)> {
        if self.is_empty() {
            return None;
        }
        let Pos { leaf, idx } = self.back;
        self.back = if idx > 0 {
            Pos { leaf, idx: idx - 1 }
        } else {
            // SAFETY: `back` is a position of this range, which is `tree`'s
            // (caller's contract), so `leaf` is live; at index 0 of a
            // non-empty range it is not the run nor the first leaf, and
            // `prev` was read from its `prev` link: a live leaf.
            unsafe {
                let prev = tree.leaf_view(leaf).prev;
                Pos {
                    leaf: prev,
                    idx: tree.leaf_view(prev).len - 1,
                }
            }
        };
        Some((self.back.leaf, self.back.idx))
    }
}
