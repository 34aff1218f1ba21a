//! Remove, borrow and merge.
//!
//! A leaf that falls below `CAP / 2` entries borrows from a sibling (the left
//! one when it has one) if the two together hold more than `CAP`, and merges
//! with it otherwise; a merge removes a separator from the parent, which may
//! then fix itself the same way, up to the root. A root branch left with no
//! separator is replaced by its only child.
//!
//! Borrowing between leaves needs a new separator, a clone of a key; it is
//! cloned before the entry is removed, so a panicking `Clone` leaves the tree
//! as it was. Branch fixes rotate separators through the parent and clone
//! nothing.

use super::navigate::Pos;
use super::view::LeafChain;
use super::{Path, RawTree};
use crate::node::Edge;
use crate::policy::{Config, Handle};

/// How a leaf that runs low after a removal gets fixed.
enum LeafFix<K> {
    /// It keeps enough entries.
    Nothing,
    /// Merge with the sibling.
    Merge,
    /// Take `count` entries from the sibling; `sep` is the new separator.
    Borrow { count: usize, sep: K },
}

impl<K: Ord + Clone, V, C: Config> RawTree<K, V, C> {
    /// Remove entry `i` of `leaf`, reached by `path`, and rebalance.
    /// Returns the entry and the canonical position of the entry that
    /// followed it (entries move between leaves when leaves borrow or merge).
    ///
    /// # Safety
    /// `path` and `leaf` were recorded by a descent of this tree
    /// (`descend`, `descend_edge`) since it last changed.
    pub(crate) unsafe fn remove_at(
        &mut self,
        path: &Path,
        leaf: C::H,
        i: usize,
    ) -> ((K, V), Pos<C::H>) {
        let min = C::CAP / 2;
        // SAFETY: `leaf` is live (caller's contract).
        let len = unsafe { self.leaf(leaf) }.len();
        if self.height == 0 {
            // SAFETY: as just above; nothing changed the tree.
            let kv = unsafe { self.leaf_mut(leaf) }.remove(i);
            self.len -= 1;
            if len == 1 {
                // The root link goes first: `free_leaf` wants a leaf that no
                // link names.
                self.root = C::H::NIL;
                // SAFETY: `leaf` (live, caller's contract) was the root, a
                // lone leaf with no neighbours, and the root link to it was
                // cleared just above.
                unsafe { self.free_leaf(leaf) };
                return (
                    kv,
                    Pos {
                        leaf: C::H::NIL,
                        idx: 0,
                    },
                );
            }
            return (kv, Pos { leaf, idx: i });
        }

        // Plan the fix, and clone what it needs, before touching anything.
        let (parent, ci) = path.at(path.len() - 1);
        let fix = if len > min {
            LeafFix::Nothing
        } else {
            // SAFETY: `parent` is the path's last branch, live (caller's
            // contract).
            let p = unsafe { self.branch(parent) };
            let sib = if ci > 0 { p.child(ci - 1) } else { p.child(1) };
            // SAFETY: `sib` was just read from live branch `parent`'s
            // children, at the leaf level.
            let slen = unsafe { self.leaf(sib) }.len();
            if len - 1 + slen <= C::CAP {
                LeafFix::Merge
            } else {
                let count = (len - 1 + slen) / 2 - (len - 1);
                // SAFETY: as just above; nothing changed the tree.
                let s = unsafe { self.leaf(sib) }.keys();
                // The new separator: the first key the right leaf will have.
                let sep = if ci > 0 {
                    s[slen - count].clone()
                } else {
                    s[count].clone()
                };
                LeafFix::Borrow { count, sep }
            }
        };

        // SAFETY: `leaf` is live (caller's contract); clones change no node.
        let kv = unsafe { self.leaf_mut(leaf) }.remove(i);
        self.len -= 1;
        // SAFETY: `path` is a descent's (caller's contract), and no branch
        // changed since.
        unsafe { self.add_along(path, path.len(), usize::MAX) };
        let next = match fix {
            LeafFix::Nothing => Pos { leaf, idx: i },
            LeafFix::Borrow { count, sep } => {
                // SAFETY: `parent` is the path's last branch, live (caller's
                // contract); only leaf contents changed since.
                let p = unsafe { self.branch(parent) };
                if ci > 0 {
                    let sib = p.child(ci - 1);
                    // SAFETY: `sib` was just read from live branch `parent`'s
                    // children, `leaf` is live (caller's contract).
                    unsafe {
                        let (l, r) = self.leaf_pair_mut(sib, leaf);
                        l.shift_to_right(r, count);
                        let old = self.branch_mut(parent).replace_key(ci - 1, sep);
                        self.recount(parent, ci - 1, 0);
                        self.recount(parent, ci, 0);
                        // Dropped once the tree is whole (a drop may panic).
                        drop(old);
                    }
                    Pos {
                        leaf,
                        idx: i + count,
                    }
                } else {
                    let sib = p.child(1);
                    // SAFETY: `sib` was just read from live branch `parent`'s
                    // children, `leaf` is live (caller's contract).
                    unsafe {
                        let (l, r) = self.leaf_pair_mut(leaf, sib);
                        l.shift_from_right(r, count);
                        let old = self.branch_mut(parent).replace_key(0, sep);
                        self.recount(parent, 0, 0);
                        self.recount(parent, 1, 0);
                        drop(old);
                    }
                    Pos { leaf, idx: i }
                }
            }
            LeafFix::Merge => {
                // SAFETY: `parent` is the path's last branch, live (caller's
                // contract); only leaf contents changed since.
                let p = unsafe { self.branch(parent) };
                let s = if ci > 0 { ci - 1 } else { 0 };
                let (left, right) = (p.child(s), p.child(s + 1));
                // SAFETY: `left` and `right` were just read from live branch
                // `parent`'s children, at the leaf level.
                let (l, r) = unsafe { self.leaf_pair_mut(left, right) };
                let offset = if ci > 0 { l.len() } else { 0 };
                l.append_from(r);
                let next = r.next;
                l.next = next;
                if !next.is_nil() {
                    // SAFETY: `next` was just read from live leaf `right`'s
                    // `next`.
                    unsafe { self.leaf_mut(next) }.prev = left;
                }
                // The parent's link goes first: `free_leaf` wants a leaf that
                // no link names.
                // SAFETY: `parent` is live (as above).
                let (old_sep, _) = unsafe { self.branch_mut(parent) }.remove(s);
                // SAFETY: `parent` is live and `left` its child `s`, a leaf.
                unsafe { self.recount(parent, s, 0) };
                // SAFETY: `right` is live (read from `parent` above); its
                // parent link was removed just above and its neighbours'
                // links (`left.next`, `next.prev`) bypass it.
                unsafe { self.free_leaf(right) };
                // SAFETY: the path's branches are live: recorded by the
                // descent and only their contents changed since (the one
                // node freed is leaf `right`).
                unsafe { self.fix_branch(path, path.len() - 1) };
                // Dropped only now: a panicking `K::drop` finds the tree whole.
                drop(old_sep);
                Pos {
                    leaf: left,
                    idx: offset + i,
                }
            }
        };
        // SAFETY: `next.leaf` is `leaf` or `left`, a live leaf: the only
        // node freed is `right` (or, by `fix_branch`, branches).
        (kv, unsafe { self.normalize(next) })
    }

    /// The branch at `level` of `path` may have run low: fix it and, after
    /// a merge, its parent, up to the root.
    ///
    /// # Safety
    /// `path` was recorded by a descent of this tree, and since then only
    /// the contents of its branches changed (none of them was freed);
    /// `level < path.len()`.
    pub(super) unsafe fn fix_branch(&mut self, path: &Path, mut level: usize) {
        let min = C::CAP / 2;
        loop {
            let (h, _) = path.at(level);
            // SAFETY: `h` is one of the path's branches, live (caller's
            // contract): a merge below frees only a node of a level the loop
            // has finished with.
            let len = unsafe { self.branch(h) }.len();
            if level == 0 {
                if len == 0 {
                    // SAFETY: as just above.
                    self.root = unsafe { self.branch(h) }.child(0);
                    self.height -= 1;
                    // SAFETY: `h` was the root, a live branch; the root link
                    // moved to its only child just above, so no link names it.
                    unsafe { self.free_branch(h) };
                }
                return;
            }
            if len >= min {
                return;
            }
            let (parent, ci) = path.at(level - 1);
            // SAFETY: `parent` is one of the path's branches, live (caller's
            // contract).
            let p = unsafe { self.branch(parent) };
            let s = if ci > 0 { ci - 1 } else { 0 };
            let (left, right) = (p.child(s), p.child(s + 1));
            // SAFETY: `left` and `right` were just read from live branch
            // `parent`'s children, and are branches (`level` is a branch
            // level).
            let (llen, rlen) = unsafe { (self.branch(left).len(), self.branch(right).len()) };
            // SAFETY: `parent` is live (as above).
            let (sep, right_again) = unsafe { self.branch_mut(parent) }.remove(s);
            debug_assert!(right_again.h == right);
            if llen + 1 + rlen <= C::CAP {
                // SAFETY: `left` and `right` are live (read from `parent`
                // above); `right` was unlinked from `parent` just above, its
                // entries move into `left`, and then no link names it.
                // `parent`'s child `s` is `left`, whose children's counts are
                // exact (the levels below were fixed first).
                unsafe {
                    let (l, r) = self.branch_pair_mut(left, right);
                    l.append_from(sep, r);
                    self.free_branch(right);
                    self.recount(parent, s, self.child_height(level - 1));
                }
                level -= 1;
                continue;
            }
            // SAFETY: `left` and `right` are live (read from `parent` above;
            // `right` was taken out of `parent` only to be put back below).
            let (l, r) = unsafe { self.branch_pair_mut(left, right) };
            let new_sep = if ci > 0 {
                // This branch is the right one: take from the left.
                let count = (llen + rlen) / 2 - rlen;
                l.shift_to_right(sep, r, count)
            } else {
                let count = (llen + rlen) / 2 - llen;
                l.shift_from_right(sep, r, count)
            };
            let (lt, rt) = (l.total(), r.total());
            // SAFETY: `parent` is live (as above).
            let p = unsafe { self.branch_mut(parent) };
            p.insert(s, new_sep, Edge::new(right, rt));
            p.set_count(s, lt);
            return;
        }
    }
}
