//! Insert and split.
//!
//! A full leaf splits in two and hands a separator (a clone of the new right
//! leaf's first key) to its parent, which may split in turn, up to a new
//! root. Where the split falls: at the end when the insert is at the end of
//! the rightmost leaf (ascending loads fill every leaf completely), at the
//! start when it is at the start of the leftmost leaf (likewise descending
//! loads), and in the middle otherwise. Branches on the tree's edges split
//! the same way but keep at least one separator on each side.
//!
//! Before a full leaf splits, it tries to pass entries to a sibling under
//! the same parent that has room (the left one first): random insertion
//! then keeps leaves fuller, and such inserts allocate nothing. Ascending
//! and descending loads never find a sibling with room, so they still fill
//! leaves completely. When the left sibling is full too, and nodes have a
//! fixed size (`Storage::FIXED`), the two full leaves become three, each two
//! thirds full, instead of one full leaf and two halves: random insertion
//! into a `Compact` tree then keeps leaves 88% full on average (86% with
//! one-into-two splits).
//!
//! An insert is all or nothing: the separator is cloned and every node the
//! split needs is allocated before anything moves, so a panicking `Clone`
//! or running out of handles leaves the tree exactly as it was. A tree
//! with counts refuses the entry past [`Count::MAX`] the same way, before
//! it looks at a node.

use super::view::TreeView;
use super::{MAX_HEIGHT, Path, RawTree};
use crate::error::CapacityError;
use crate::node::Block;
use crate::node::{Branch, Edge, EdgeOf};
use crate::policy::{ArenaStrategy, Config, Count, Handle, Storage};

/// Why an insert or a bulk build could not happen: a limit of the
/// configuration. Nothing changed; the map turns it into its public
/// [`CapacityError`] with [`error`](Self::error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// Every handle value is in use.
    Handles,
    /// The tree holds [`Count::MAX`] entries, as many as its counts count
    /// (configurations with counts only).
    Entries,
}

/// An insert refused at a limit: the limit, and the entry handed back.
pub(crate) type Refused<K, V> = (Full, (K, V));

impl Full {
    /// The public error for this limit, in a map of handles `H` whose
    /// branches keep counts `N`.
    pub(crate) fn error<H: Handle, N: Count>(self) -> CapacityError {
        match self {
            Full::Handles => CapacityError::nodes::<H>(),
            Full::Entries => CapacityError::entries::<H>(N::MAX),
        }
    }
}

impl<K: Ord + Clone, V, C: Config> RawTree<K, V, C> {
    /// Insert `key`, or replace the value of an equal key (keeping the old
    /// key, as std does). At a limit (out of handles, or as many entries as
    /// counts count), gives the pair back with the limit.
    pub(crate) fn insert(&mut self, key: K, val: V) -> Result<Option<V>, Refused<K, V>> {
        assert!(
            !self.root.is_nil(),
            "bptree: a tree is never empty (an empty map is a run)"
        );
        let mut path = Path::new();
        let leaf = self.descend(&key, &mut path);
        // SAFETY: the tree is not empty (asserted above), so `leaf`
        // came from `descend`, which read it from the tree's links, and
        // nothing changed the tree since.
        let node = unsafe { self.leaf(leaf) };
        let keys = node.keys();
        // Past the leaf's last key (an ascending insert): no search.
        // `Ord::cmp`, as every search here (never `PartialOrd`).
        // With prefixes, the search costs less than one key comparison.
        let found = match keys.last() {
            Some(last)
                if !<C::Pfx as Block>::searches::<K, K>()
                    && last.cmp(&key) == core::cmp::Ordering::Less =>
            {
                Err(keys.len())
            }
            _ => node.search(&key),
        };
        match found {
            Ok(i) => {
                // The map keeps its key. Drop the new one first, as std does:
                // if that panics, the old value is still in the map.
                drop(key);
                // SAFETY: as above; dropping `key` did not touch the tree.
                let l = unsafe { self.leaf_mut(leaf) };
                Ok(Some(core::mem::replace(&mut l.vals_mut()[i], val)))
            }
            // SAFETY: `path` and `leaf` were recorded by `descend` just
            // above, and nothing changed the tree since.
            Err(i) => unsafe { self.insert_at(&path, leaf, i, key, val) }.map(|_| None),
        }
    }

    /// Insert a new entry at index `i` of `leaf`, reached by `path`, where
    /// the key belongs (it is absent). Returns where the entry ended up.
    ///
    /// # Safety
    /// `path` and `leaf` were recorded by a descent of this tree
    /// (`descend`, `descend_edge`) since it last changed.
    pub(crate) unsafe fn insert_at(
        &mut self,
        path: &Path,
        leaf: C::H,
        i: usize,
        key: K,
        val: V,
    ) -> Result<(C::H, usize), Refused<K, V>> {
        // A tree with counts holds at most as many entries as they count:
        // one comparison, and none without counts.
        if C::N::ON && self.len >= C::N::MAX {
            return Err((Full::Entries, (key, val)));
        }
        let cap = C::CAP;
        // SAFETY: `leaf` is live (caller's contract).
        let l = unsafe { self.leaf_mut(leaf) };
        let len = l.len();
        if len < cap {
            l.insert(i, key, val);
            self.len += 1;
            // SAFETY: `path` is a descent's (caller's contract), and no
            // branch changed.
            unsafe { self.add_along(path, path.len(), 1) };
            return Ok((leaf, i));
        }

        // SAFETY: `path` and `leaf` are still those of a descent since the
        // tree last changed (nothing changed above).
        if let Some((at, old_sep)) = unsafe { self.shift_to_sibling(path, leaf, i, &key) } {
            // SAFETY: `at.0` is `leaf`, live (caller's contract); the shift
            // moved entries, not nodes.
            let l = unsafe { self.leaf_mut(at.0) };
            l.insert(at.1, key, val);
            self.len += 1;
            if C::N::ON {
                // The leaf and the sibling it passed entries to changed;
                // above them, one more entry.
                let level = path.len() - 1;
                let (parent, ci) = path.at(level);
                // SAFETY: the path's branches are live and only leaf
                // contents and separators changed since the descent.
                unsafe {
                    let last = self.branch(parent).len();
                    for j in ci.saturating_sub(1)..=(ci + 1).min(last) {
                        self.recount(parent, j, 0);
                    }
                    self.add_along(path, level, 1);
                }
            }
            // The displaced separator goes once the tree is whole (its drop
            // may panic).
            drop(old_sep);
            return Ok(at);
        }

        // Where the leaf splits: at its end when the insert is at the end of
        // the last leaf, at its start when at the start of the first one
        // (`edge`: `left` entries stay, counting the new one if it goes left),
        // else in the middle. In the middle, a full left sibling under the
        // same parent makes the split two leaves into three, each two thirds
        // full (one into two leaves halves); only for fixed-size nodes, as
        // growing ones cost what they hold.
        // SAFETY: `leaf` is live (caller's contract); nothing changed.
        let l = unsafe { self.leaf(leaf) };
        let edge = if i == cap && l.next.is_nil() {
            Some(cap)
        } else if i == 0 && l.prev.is_nil() {
            Some(1)
        } else {
            None
        };
        let left = edge.unwrap_or(cap.div_ceil(2));
        let fixed = <<C::A as ArenaStrategy>::Storage as Storage>::FIXED;
        let full_left = match path.len().checked_sub(1) {
            Some(level) if fixed && edge.is_none() && path.idx(level) > 0 => {
                let (parent, ci) = path.at(level);
                // SAFETY: `parent` is the path's last branch, live (caller's
                // contract), and `left` was just read from its children, at
                // the leaf level.
                unsafe {
                    let left = self.branch(parent).child(ci - 1);
                    (self.leaf(left).len() == cap).then_some((parent, ci - 1, left))
                }
            }
            _ => None,
        };
        let (q, r) = (2 * cap / 3, 2 * cap % 3);
        let thirds = [q + usize::from(r > 0), q + usize::from(r > 1), q];
        // Separators are cloned before anything changes (a panicking clone
        // then leaves the tree as is): the new leaf's first key, and for a
        // three-way split the leaf's new first key too.
        let (sep, three) = match full_left {
            Some((parent, sep_at, a)) => (
                l.keys()[cap - thirds[2]].clone(),
                Some((
                    parent,
                    sep_at,
                    a,
                    // SAFETY: `a` was read from live branch `parent`'s
                    // children just above, and nothing changed the tree since.
                    unsafe { self.leaf(a) }.keys()[thirds[0]].clone(),
                )),
            ),
            None => (
                match i.cmp(&left) {
                    core::cmp::Ordering::Less => l.keys()[left - 1].clone(),
                    core::cmp::Ordering::Equal => key.clone(),
                    core::cmp::Ordering::Greater => l.keys()[left].clone(),
                },
                None,
            ),
        };

        // Every node the split needs, allocated up front.
        let mut full = 0;
        while full < path.len()
            // SAFETY: the path's branches are live (caller's contract), and
            // nothing changed the tree since.
            && unsafe { self.branch(path.at(path.len() - 1 - full).0) }.len() == cap
        {
            full += 1;
        }
        let branches = full + usize::from(full == path.len());
        let mut spare = [C::H::NIL; MAX_HEIGHT + 1];
        let Some(new_leaf) = self.alloc_leaf() else {
            return Err((Full::Handles, (key, val)));
        };
        for k in 0..branches {
            match self.alloc_branch(Edge::new(C::H::NIL, 0)) {
                Some(h) => spare[k] = h,
                None => {
                    // SAFETY: `spare[..k]` and `new_leaf` were just allocated
                    // by `alloc_branch` and `alloc_leaf`, and no link names
                    // them.
                    unsafe {
                        for &h in &spare[..k] {
                            self.free_branch(h);
                        }
                        self.free_leaf(new_leaf);
                    }
                    return Err((Full::Handles, (key, val)));
                }
            }
        }
        if branches > full {
            assert!(
                path.len() + 1 < MAX_HEIGHT,
                "bptree: tree height limit reached"
            );
        }

        // Split the leaf (two into three with a full left sibling `a`: the
        // leaf's last third moves to the new leaf, then `a`'s last third to
        // the leaf's front; the new key never sorts into `a`).
        // A displaced separator is dropped on return, when the tree is whole
        // again (its drop may panic).
        let mut _displaced = None;
        let three_way = three.is_some();
        if let Some((parent, sep_at, a, left_sep)) = three {
            let [a_len, _, c_len] = thirds;
            // SAFETY: `leaf` is live (caller's contract), `new_leaf` was just
            // allocated, `a` was read from live branch `parent`'s children
            // (the path's last branch); only node contents changed since.
            unsafe {
                let (l, r) = self.leaf_pair_mut(leaf, new_leaf);
                l.move_tail_to(cap - c_len, r);
                let (la, l) = self.leaf_pair_mut(a, leaf);
                la.shift_to_right(l, cap - a_len);
                _displaced = Some(self.branch_mut(parent).replace_key(sep_at, left_sep));
            }
        }
        // SAFETY: `leaf` is live (caller's contract) and `new_leaf` was just
        // allocated; only node contents changed since.
        let (l, r) = unsafe { self.leaf_pair_mut(leaf, new_leaf) };
        let at = if three_way {
            // The leaf kept its first `kept` entries, behind `a`'s tail.
            let kept = cap - thirds[2];
            if i <= kept {
                let j = i + cap - thirds[0];
                l.insert(j, key, val);
                (leaf, j)
            } else {
                r.insert(i - kept, key, val);
                (new_leaf, i - kept)
            }
        } else if i < left {
            l.move_tail_to(left - 1, r);
            l.insert(i, key, val);
            (leaf, i)
        } else {
            l.move_tail_to(left, r);
            r.insert(i - left, key, val);
            (new_leaf, i - left)
        };
        let next = l.next;
        l.next = new_leaf;
        r.prev = leaf;
        r.next = next;
        let new_len = r.len();
        if !next.is_nil() {
            // SAFETY: `next` was just read from live leaf `leaf`'s `next`.
            unsafe { self.leaf_mut(next) }.prev = new_leaf;
        }
        self.len += 1;
        if C::N::ON
            && let Some(level) = path.len().checked_sub(1)
        {
            // Counts: one more entry on every level above the leaf's
            // parent; there, the leaf (and `a`) hold what they now hold,
            // and the new leaf's count goes up with it below.
            let (parent, ci) = path.at(level);
            // SAFETY: the path's branches are live: recorded by the descent
            // and only their contents changed since.
            unsafe {
                self.add_along(path, level, 1);
                self.recount(parent, ci, 0);
                if three_way {
                    self.recount(parent, ci - 1, 0);
                }
            }
        }

        // Hand the separator up, splitting full branches on the way.
        let (mut sep, mut right) = (sep, Edge::new(new_leaf, new_len));
        for (used, level) in (0..path.len()).rev().enumerate() {
            let (p, ci) = path.at(level);
            // SAFETY: the path's branches are live: recorded by the descent
            // and only their contents changed since.
            if unsafe { self.branch(p) }.len() < cap {
                // SAFETY: as just above.
                unsafe { self.branch_mut(p) }.insert(ci, sep, right);
                return Ok(at);
            }
            let right_edge = (0..level).all(|j| {
                let (h, ci) = path.at(j);
                // SAFETY: as above, `h` is one of the path's branches.
                ci == unsafe { self.branch(h) }.len()
            });
            let left_edge = (0..level).all(|j| path.idx(j) == 0);
            let keep = if ci == cap && right_edge {
                cap - 1
            } else if ci == 0 && left_edge {
                1
            } else {
                cap / 2
            };
            let nb = spare[used];
            // SAFETY: `p` is one of the path's branches (live, as above) and
            // `nb` was allocated by `alloc_branch` above.
            let (b, nbr) = unsafe { self.branch_pair_mut(p, nb) };
            sep = split_branch(b, nbr, keep, ci, sep, right);
            let moved = nbr.total();
            right = Edge::new(nb, moved);
            if C::N::ON && level > 0 {
                // The parent's count for `p` covered `p` and `nb`.
                let (gp, gi) = path.at(level - 1);
                // SAFETY: as above, a branch of the path.
                unsafe { self.branch_mut(gp) }.add_count(gi, 0usize.wrapping_sub(moved));
            }
        }

        // The root split: a new root above it.
        let new_root = spare[full];
        let old_root = self.root;
        let left_len = self.len - right.n.get();
        // SAFETY: `new_root` was allocated by `alloc_branch` above.
        let root = unsafe { self.branch_mut(new_root) };
        root.set_first(Edge::new(old_root, left_len));
        root.insert(0, sep, right);
        self.root = new_root;
        self.height += 1;
        Ok(at)
    }
}

impl<K: Ord + Clone, V, C: Config> RawTree<K, V, C> {
    /// Before splitting the full `leaf`, where a key goes in at `i`: move
    /// some of its entries into a sibling under the same parent that has
    /// room (the left one first), so that random insertion keeps leaves
    /// fuller and allocates nothing. Only entries on the far side of `i`
    /// move, so the new key still goes into `leaf`; returns where, with
    /// the separator the shift displaced (for the caller to drop once the
    /// tree is whole), or `None` if neither sibling can help.
    ///
    /// # Safety
    /// `path` and `leaf` were recorded by a descent of this tree since it
    /// last changed.
    unsafe fn shift_to_sibling(
        &mut self,
        path: &Path,
        leaf: C::H,
        i: usize,
        key: &K,
    ) -> Option<((C::H, usize), K)> {
        let cap = C::CAP;
        let (parent, ci) = path.at(path.len().checked_sub(1)?);
        // SAFETY: `parent` is the path's last branch, live (caller's
        // contract).
        let p = unsafe { self.branch(parent) };
        if ci > 0 {
            let left = p.child(ci - 1);
            // SAFETY: `left` was just read from live branch `parent`'s
            // children, at the leaf level.
            let room = cap - unsafe { self.leaf(left) }.len();
            let m = room.div_ceil(2).min(i);
            if m > 0 {
                // The leaf's new first key, the new separator, is cloned
                // before anything moves.
                let sep = if i == m {
                    key.clone()
                } else {
                    // SAFETY: `leaf` is live (caller's contract).
                    unsafe { self.leaf(leaf) }.keys()[m].clone()
                };
                // SAFETY: `left` and `leaf` are live leaves (read from
                // `parent` above, and the caller's contract), and `parent`
                // is live; a clone changes no node.
                let old = unsafe {
                    let (l, r) = self.leaf_pair_mut(left, leaf);
                    l.shift_from_right(r, m);
                    self.branch_mut(parent).replace_key(ci - 1, sep)
                };
                return Some(((leaf, i - m), old));
            }
        }
        if ci < p.len() {
            let right = p.child(ci + 1);
            // SAFETY: `right` was just read from live branch `parent`'s
            // children, at the leaf level.
            let room = cap - unsafe { self.leaf(right) }.len();
            let m = room.div_ceil(2).min(cap - i);
            if m > 0 {
                // SAFETY: `leaf` and `right` are live leaves (the caller's
                // contract, and read from `parent` above), `parent` is
                // live; nothing changed the tree since.
                let old = unsafe {
                    let sep = self.leaf(leaf).keys()[cap - m].clone();
                    let (l, r) = self.leaf_pair_mut(leaf, right);
                    l.shift_to_right(r, m);
                    self.branch_mut(parent).replace_key(ci, sep)
                };
                return Some(((leaf, i), old));
            }
        }
        None
    }
}

/// Split the full branch `b` while inserting separator `sep` with right child
/// `right` at index `i`: `b` keeps `keep` separators, the empty branch `nb`
/// takes the rest but one, and that one is returned for the parent.
fn split_branch<K, C: Config>(
    b: &mut Branch<K, C>,
    nb: &mut Branch<K, C>,
    keep: usize,
    i: usize,
    sep: K,
    right: EdgeOf<C>,
) -> K {
    use core::cmp::Ordering::*;
    match i.cmp(&keep) {
        Equal => {
            b.move_tail_to(keep, nb);
            nb.set_first(right);
            sep
        }
        Less => {
            b.move_tail_to(keep, nb);
            let (up, child) = b.remove(keep - 1);
            nb.set_first(child);
            b.insert(i, sep, right);
            up
        }
        Greater => {
            b.move_tail_to(keep + 1, nb);
            let (up, child) = b.remove(keep);
            nb.set_first(child);
            nb.insert(i - keep - 1, sep, right);
            up
        }
    }
}
