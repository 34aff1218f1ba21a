//! Build a tree from a sorted run in O(n), at full fill.
//!
//! Leaves are filled to `CAP` left to right (only the last may hold fewer:
//! it sits on the right edge); then each branch level groups up to `CAP + 1`
//! children. A level's last branch takes a child from its neighbour if it
//! would otherwise have a single child. Each leaf's first key is cloned once
//! to serve as its separator; branch separators move up, uncloned.

use alloc::vec::Vec;

use super::RawTree;
use super::insert::OutOfHandles;
use crate::policy::{Config, Handle};

impl<K: Clone, V, C: Config> RawTree<K, V, C> {
    /// A tree holding `entries`, which must be in strictly ascending key
    /// order (the caller checks or establishes that). The map builds
    /// through [`from_sorted_with`](Self::from_sorted_with); the engine's
    /// own tests use this.
    #[cfg(test)]
    pub(crate) fn from_sorted(
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, OutOfHandles> {
        Self::from_sorted_with(entries, K::clone)
    }

    /// As [`from_sorted`](Self::from_sorted), taking each leaf's separator
    /// (the first key of every leaf but the first, that is of entries
    /// `CAP`, `2 * CAP`, ...) from `separator` instead of cloning it there.
    pub(crate) fn from_sorted_with(
        entries: impl IntoIterator<Item = (K, V)>,
        mut separator: impl FnMut(&K) -> K,
    ) -> Result<Self, OutOfHandles> {
        /// Until the branch levels stand, the leaves are reachable only
        /// through their chain: if the input or a `Clone` panics, or the
        /// handles run out, this frees them (and drops their entries).
        struct Leaves<K, V, C: Config>(RawTree<K, V, C>);
        impl<K, V, C: Config> Drop for Leaves<K, V, C> {
            fn drop(&mut self) {
                let t = &mut self.0;
                let mut h = t.root;
                t.root = C::H::NIL;
                t.len = 0;
                while !h.is_nil() {
                    // SAFETY: `h` is the first leaf (the root link, cleared
                    // above) or was read from the previous leaf's `next`, and
                    // each leaf is visited once. Only the next leaf's `prev`
                    // still names it, and that leaf is freed in the next
                    // round without reading it.
                    unsafe {
                        let next = t.leaf(h).next;
                        t.free_leaf(h);
                        h = next;
                    }
                }
            }
        }

        let mut leaves = Leaves(RawTree::new());
        let tree = &mut leaves.0;
        let mut entries = entries.into_iter();
        let (len, exact) = match entries.size_hint() {
            (lo, Some(hi)) => (lo, lo == hi),
            (lo, None) => (lo, false),
        };
        if exact {
            // The node count is known: allocate each arena once, at its
            // final size, rather than grow it (and copy it) step by step.
            let (leaves, branches) = Self::sorted_node_counts(len);
            tree.reserve_nodes(leaves, branches);
        }
        // (child, its least key) for the level being built; the first
        // child's key is never used as a separator.
        let mut level: Vec<(C::H, Option<K>)> = Vec::with_capacity(len.div_ceil(C::CAP));
        let mut cur = C::H::NIL;
        // Each round starts a leaf with the next entry and fills it.
        while let Some((k, v)) = entries.next() {
            let sep = if cur.is_nil() {
                None
            } else {
                Some(separator(&k))
            };
            let h = tree.alloc_leaf().ok_or(OutOfHandles)?;
            if cur.is_nil() {
                tree.root = h;
            } else {
                // SAFETY: `h` was just allocated by `alloc_leaf`, `cur`
                // before it, and no leaf is freed while building.
                unsafe {
                    tree.leaf_mut(cur).next = h;
                    tree.leaf_mut(h).prev = cur;
                }
            }
            level.push((h, sep));
            cur = h;
            // SAFETY: `h` was just allocated by `alloc_leaf`.
            let leaf = unsafe { tree.leaf_mut(h) };
            leaf.insert(0, k, v);
            leaf.fill_from(&mut entries);
            tree.len += leaf.len();
        }
        // No user code runs from here on: take the tree out of the guard.
        let mut tree = core::mem::replace(&mut leaves.0, RawTree::new());
        core::mem::forget(leaves);
        while level.len() > 1 {
            // A level has at most half as many branches as children, so
            // a fresh tree whose leaves fit has room for its branches.
            level = tree
                .build_level(level)
                .expect("branches never outnumber leaves");
            tree.height += 1;
            tree.root = level[0].0;
        }
        Ok(tree)
    }

    /// The leaves and branches of a tree of `len` entries built here.
    fn sorted_node_counts(len: usize) -> (usize, usize) {
        let leaves = len.div_ceil(C::CAP);
        let (mut level, mut branches) = (leaves, 0);
        while level > 1 {
            level = level.div_ceil(C::CAP + 1);
            branches += level;
        }
        (leaves, branches)
    }

    /// Group `children` under new branches; returns the branches with their
    /// least keys.
    #[allow(clippy::type_complexity)]
    fn build_level(
        &mut self,
        children: Vec<(C::H, Option<K>)>,
    ) -> Result<Vec<(C::H, Option<K>)>, OutOfHandles> {
        let fan = C::CAP + 1;
        let n = children.len();
        // Group sizes: full groups, but never a last group of one.
        let mut sizes = alloc::vec![fan; n / fan];
        match n % fan {
            0 => {}
            1 => {
                *sizes.last_mut().expect("n > 1") -= 1;
                sizes.push(2);
            }
            r => sizes.push(r),
        }
        let mut out = Vec::with_capacity(sizes.len());
        let mut it = children.into_iter();
        for size in sizes {
            let (first, key) = it.next().expect("group sizes add up to n");
            let h = self.alloc_branch(first).ok_or(OutOfHandles)?;
            // SAFETY: `h` was just allocated by `alloc_branch`.
            let b = unsafe { self.branch_mut(h) };
            for j in 0..size - 1 {
                let (child, sep) = it.next().expect("group sizes add up to n");
                b.insert(j, sep.expect("only the first child lacks a key"), child);
            }
            out.push((h, key));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{Cfg, Compact16, Inline, VecArena};
    use crate::raw::RawTree;

    type Tree = RawTree<u32, u32, Cfg<Compact16, VecArena<Inline>, 4>>;

    /// A build from an iterator of known length allocates each `VecArena`
    /// once, at exactly the node count it predicted; one of unknown length
    /// grows its arenas and may leave spare slots. Both hold the same tree.
    #[test]
    fn exact_length_builds_allocate_arenas_once() {
        for len in [5usize, 9, 21, 26, 100, 250] {
            let exact = Tree::from_sorted((0..len as u32).map(|i| (i, i))).unwrap();
            let (leaves, branches) = Tree::sorted_node_counts(len);
            let [l, b] = exact.arena_usage();
            assert_eq!((l.slots, b.slots), (leaves, branches), "len {len}");
            assert_eq!(l.allocations, 1, "len {len}");
            assert_eq!(l.heap_bytes, leaves * Tree::LEAF.pad_to_align().size());
            assert_eq!(b.heap_bytes, branches * Tree::BRANCH.pad_to_align().size());
            exact.check().unwrap();

            let unknown =
                Tree::from_sorted((0..len as u32).filter(|_| true).map(|i| (i, i))).unwrap();
            let [ul, ub] = unknown.arena_usage();
            assert_eq!((ul.slots, ub.slots), (leaves, branches), "len {len}");
            assert!(ul.heap_bytes >= l.heap_bytes && ub.heap_bytes >= b.heap_bytes);
            unknown.check().unwrap();
        }
    }
}
