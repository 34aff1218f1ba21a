//! Counts: the entries below each child of a branch, kept by a `Counted`
//! configuration (`C::N = u32`), and the order statistics they answer.
//!
//! Every method here does nothing (and compiles to nothing) when the
//! configuration keeps no counts: `C::N::ON` is a constant. The engine's
//! algorithms keep counts exact as they go: an insert or removal adds or
//! subtracts one along its path, and every step that moves entries or
//! children between nodes (a split, a borrow, a merge, a rotation) sets
//! the counts of the nodes it touched from their contents; children that
//! move between branches carry their counts with them (a branch's children
//! are [`Edge`](crate::node::Edge)s).

use super::navigate::Pos;
use super::{Path, RawTree};
use crate::node::sum_counts;
use crate::policy::{Config, Count};

impl<K, V, C: Config> RawTree<K, V, C> {
    /// The entries below node `h`, `height` levels above the leaves (0
    /// without counts).
    ///
    /// # Safety
    /// `h` names a live node of this tree at that height.
    #[inline]
    pub(crate) unsafe fn subtree_len(&self, h: C::H, height: usize) -> usize {
        if !C::N::ON {
            return 0;
        }
        // SAFETY: `h` is live at that height (caller's contract).
        unsafe {
            if height == 0 {
                self.leaf(h).len()
            } else {
                self.branch(h).total()
            }
        }
    }

    /// Add `delta` (wrapping, so `0usize.wrapping_sub(n)` subtracts) to the
    /// count of the child taken at each of the first `levels` levels of
    /// `path`.
    ///
    /// # Safety
    /// `path` was recorded by a descent of this tree, and since then no
    /// branch of its first `levels` levels was freed or lost children.
    #[inline]
    pub(crate) unsafe fn add_along(&mut self, path: &Path, levels: usize, delta: usize) {
        if !C::N::ON {
            return;
        }
        for level in 0..levels {
            let (p, ci) = path.at::<C::H>(level);
            // SAFETY: the path's branch is live (caller's contract).
            unsafe { self.branch_mut(p) }.add_count(ci, delta);
        }
    }

    /// Set the count of child `j` of branch `p`, whose children sit
    /// `height` levels above the leaves, from the child's contents.
    ///
    /// # Safety
    /// `p` names a live branch whose children are at that height, and the
    /// counts of the child's own children (if a branch) are exact.
    #[inline]
    pub(crate) unsafe fn recount(&mut self, p: C::H, j: usize, height: usize) {
        if !C::N::ON {
            return;
        }
        // SAFETY: `p` is live, its child is at `height` (caller's contract).
        unsafe {
            let n = self.subtree_len(self.branch(p).child(j), height);
            self.branch_mut(p).set_count(j, n);
        }
    }

    /// The height of the children of the branch at `level` of a path.
    #[inline]
    pub(crate) fn child_height(&self, level: usize) -> usize {
        self.height as usize - level - 1
    }

    /// The position of entry `i` (`i < len`), and the path to its leaf.
    /// Needs counts.
    pub(crate) fn position_of_index(&self, mut i: usize, path: &mut Path) -> Pos<C::H> {
        debug_assert!(C::N::ON);
        debug_assert!(i < self.len);
        let (mut h, mut total) = (self.root, self.len);
        for _ in 0..self.height {
            // SAFETY: `h` is the root or a child read one level up; above
            // the leaf level it is a branch.
            let b = unsafe { self.branch(h) };
            let first = b.count(0);
            let j = if i < first {
                0
            } else if 2 * i >= total {
                // Past the middle: from the last child back, by `r`, the
                // entries from `i` to the end of this branch.
                let (j, r) = Self::child_from_end(b.rights(), total - i);
                i = b.count(j) - r;
                j
            } else {
                // Whole chunks of 8 children first (their counts summed
                // without a branch per child), then the chunk that holds
                // entry `i`, child by child.
                i -= first;
                let rights = b.rights();
                let mut k = 0;
                for chunk in rights.chunks_exact(8) {
                    let sum = sum_counts(chunk);
                    if i < sum {
                        break;
                    }
                    i -= sum;
                    k += 8;
                }
                let rest = &rights[k..];
                let mut c = 0;
                while c + 1 < rest.len() && i >= rest[c].n.get() {
                    i -= rest[c].n.get();
                    c += 1;
                }
                k + c + 1
            };
            path.push(h, j);
            total = b.count(j);
            h = b.child(j);
        }
        Pos { leaf: h, idx: i }
    }

    /// The child of a branch that holds the entry `r` entries before its
    /// end, where that entry lies in children `1..=len` (`rights`; `1 <= r
    /// <=` their entries), and how many of the child's entries are from
    /// that one on: whole chunks of 8 children from the end first, then
    /// child by child.
    fn child_from_end(rights: &[crate::node::EdgeOf<C>], mut r: usize) -> (usize, usize) {
        let mut end = rights.len();
        for chunk in rights.rchunks_exact(8) {
            let sum = sum_counts(chunk);
            if r <= sum {
                break;
            }
            r -= sum;
            end -= 8;
        }
        while end > 1 {
            let n = rights[end - 1].n.get();
            if r <= n {
                return (end, r);
            }
            r -= n;
            end -= 1;
        }
        debug_assert!(r <= rights[0].n.get());
        (1, r)
    }

    /// The index of the entry at `pos` (or of the end): the number of
    /// entries before it. `path` is the path of a descent to `pos.leaf`.
    /// Needs counts.
    pub(crate) fn index_of(&self, path: &Path, pos: Pos<C::H>) -> usize {
        debug_assert!(C::N::ON);
        // Root first: each level's total is the count of the child taken
        // one level up.
        let (mut before, mut total) = (pos.idx, self.len);
        for level in 0..path.len() {
            let (p, ci) = path.at::<C::H>(level);
            // SAFETY: the path's branches are live (it was recorded by a
            // descent of this tree, which has not changed since).
            let b = unsafe { self.branch(p) };
            before += b.count_before_within(ci, total);
            total = b.count(ci);
        }
        before
    }

    /// Does every count below `h` match what is below its child? Returns
    /// the subtree's length, or the first wrong count: the branch, the
    /// child, the count and the entries below the child.
    ///
    /// # Safety
    /// `h` names a live node at `height`.
    #[allow(clippy::type_complexity)]
    pub(crate) unsafe fn check_counts(
        &self,
        h: C::H,
        height: usize,
    ) -> Result<usize, (C::H, usize, usize, usize)> {
        // SAFETY: `h` is live at `height` (caller's contract), and so are
        // the children read from its links, one level down.
        unsafe {
            if height == 0 {
                return Ok(self.leaf(h).len());
            }
            let b = self.branch(h);
            let mut total = 0;
            for j in 0..=b.len() {
                let n = self.check_counts(b.child(j), height - 1)?;
                if C::N::ON && b.count(j) != n {
                    return Err((h, j, b.count(j), n));
                }
                total += n;
            }
            Ok(total)
        }
    }
}
