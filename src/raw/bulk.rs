//! Build a tree from a sorted run in O(n), at full fill.
//!
//! Leaves are filled to `CAP` left to right (only the last may hold fewer:
//! it sits on the right edge); then each branch level groups up to `CAP + 1`
//! children. A level's last branch takes a child from its neighbour if it
//! would otherwise have a single child. Each leaf's first key is cloned once
//! to serve as its separator; branch separators move up, uncloned.

use alloc::vec::Vec;

use super::RawTree;
use super::insert::Full;
use super::view::LeafChain;
use crate::node::{Edge, EdgeOf, Leaf};
use crate::policy::{Config, Count, Handle};

/// Where a bulk build takes its entries: one at a time for the first entry
/// of each leaf (its key becomes a separator), then as many as fit.
pub(crate) trait BulkSource<K, V>: Iterator<Item = (K, V)> {
    /// Append entries to `leaf` until it is full or they run out.
    fn fill<C: Config>(&mut self, leaf: &mut Leaf<K, V, C>);
}

/// Any iterator's entries, one by one.
pub(crate) struct Each<I>(pub(crate) I);

impl<K, V, I: Iterator<Item = (K, V)>> Iterator for Each<I> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V, I: Iterator<Item = (K, V)>> BulkSource<K, V> for Each<I> {
    #[inline]
    fn fill<C: Config>(&mut self, leaf: &mut Leaf<K, V, C>) {
        leaf.fill_from(&mut self.0);
    }
}

/// An iterator's entries with the first leaf cut to `first` entries (at
/// least one, at most `CAP`), the others full: a tree whose short leaf is
/// its first, where a load that inserts at the front fills it.
pub(crate) struct ShortFirst<I> {
    entries: I,
    first: Option<usize>,
}

impl<I> ShortFirst<I> {
    pub(crate) fn new(entries: I, first: usize) -> Self {
        ShortFirst {
            entries,
            first: Some(first),
        }
    }
}

impl<K, V, I: Iterator<Item = (K, V)>> Iterator for ShortFirst<I> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.entries.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<K, V, I: Iterator<Item = (K, V)>> BulkSource<K, V> for ShortFirst<I> {
    fn fill<C: Config>(&mut self, leaf: &mut Leaf<K, V, C>) {
        match self.first.take() {
            Some(first) => {
                let more = first.saturating_sub(leaf.len());
                leaf.fill_from(&mut self.entries.by_ref().take(more));
            }
            None => leaf.fill_from(&mut self.entries),
        }
    }
}

/// Clones of every entry of a chain of leaves, a slice of a leaf at a time
/// (a clone of a map: no per-entry iterator state).
pub(crate) struct Cloned<'a, T: LeafChain> {
    chain: &'a T,
    /// What is left of the current leaf, and the leaf after it.
    keys: &'a [T::K],
    vals: &'a [T::V],
    next: T::H,
    /// Entries left in all.
    left: usize,
}

impl<'a, T: LeafChain> Cloned<'a, T> {
    /// Clones of all `len` entries of `chain`, from its first leaf on.
    pub(crate) fn new(chain: &'a T, len: usize) -> Self {
        let mut cloned = Cloned {
            chain,
            keys: &[],
            vals: &[],
            next: chain.edge_leaf(false),
            left: len,
        };
        if len > 0 {
            cloned.advance();
        }
        cloned
    }

    /// Move to the next leaf.
    fn advance(&mut self) {
        // SAFETY: `next` is the chain's first leaf or was read from the
        // link of the leaf before it (and the caller knows entries are
        // left, so it is not past the last leaf); the chain is borrowed
        // for `'a`, so it does not change.
        let view = unsafe { self.chain.leaf(self.next) };
        // SAFETY: as above.
        (self.keys, self.vals) = unsafe { (view.keys(), view.vals()) };
        self.next = view.next;
    }
}

impl<T: LeafChain<K: Clone, V: Clone>> Iterator for Cloned<'_, T> {
    type Item = (T::K, T::V);

    fn next(&mut self) -> Option<(T::K, T::V)> {
        if self.left == 0 {
            return None;
        }
        if self.keys.is_empty() {
            self.advance();
        }
        let ([k, keys @ ..], [v, vals @ ..]) = (self.keys, self.vals) else {
            unreachable!("a leaf of a chain holds an entry");
        };
        (self.keys, self.vals, self.left) = (keys, vals, self.left - 1);
        Some((k.clone(), v.clone()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T: LeafChain<K: Clone, V: Clone>> BulkSource<T::K, T::V> for Cloned<'_, T> {
    fn fill<C: Config>(&mut self, leaf: &mut Leaf<T::K, T::V, C>) {
        while self.left > 0 && leaf.len() < C::CAP {
            if self.keys.is_empty() {
                self.advance();
            }
            let count = self.keys.len().min(C::CAP - leaf.len());
            let (keys, rest_keys) = self.keys.split_at(count);
            let (vals, rest_vals) = self.vals.split_at(count);
            leaf.extend_cloned(keys, vals);
            (self.keys, self.vals, self.left) = (rest_keys, rest_vals, self.left - count);
        }
    }
}

impl<K: Clone, V, C: Config> RawTree<K, V, C> {
    /// A tree holding `entries`, which must be in strictly ascending key
    /// order (the caller checks or establishes that). The map builds
    /// through [`from_sorted_with`](Self::from_sorted_with); the engine's
    /// own tests use this.
    #[cfg(test)]
    pub(crate) fn from_sorted(entries: impl IntoIterator<Item = (K, V)>) -> Result<Self, Full> {
        Self::from_sorted_with(Each(entries.into_iter()), K::clone)
    }

    /// As [`from_sorted`](Self::from_sorted), taking each leaf's separator
    /// (the first key of every leaf but the first, that is of entries
    /// `CAP`, `2 * CAP`, ...) from `separator` instead of cloning it there.
    pub(crate) fn from_sorted_with(
        mut entries: impl BulkSource<K, V>,
        mut separator: impl FnMut(&K) -> K,
    ) -> Result<Self, Full> {
        /// Until the branch levels stand, the leaves are reachable only
        /// through their chain: if the input or a `Clone` panics, or a
        /// limit is reached, this frees them (and drops their entries).
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
        let (len, hi) = entries.size_hint();
        if hi == Some(len) {
            // The node count is known: allocate each arena once, at its
            // final size, rather than grow it (and copy it) step by step.
            let (leaves, branches) = Self::sorted_node_counts(len);
            tree.reserve_nodes(leaves, branches);
        }
        // (child, its least key) for the level being built; the first
        // child's key is never used as a separator.
        let mut level: Vec<(EdgeOf<C>, Option<K>)> = Vec::with_capacity(len.div_ceil(C::CAP));
        let mut cur = C::H::NIL;
        // Each round starts a leaf with the next entry and fills it.
        while let Some((k, v)) = entries.next() {
            let sep = if cur.is_nil() {
                None
            } else {
                Some(separator(&k))
            };
            let h = tree.alloc_leaf().ok_or(Full::Handles)?;
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
            cur = h;
            // SAFETY: `h` was just allocated by `alloc_leaf`.
            let leaf = unsafe { tree.leaf_mut(h) };
            // A growing leaf gets the room the source promises in one
            // allocation, not four slots and then a reallocation.
            leaf.reserve(1 + entries.size_hint().0.min(C::CAP - 1));
            leaf.insert(0, k, v);
            entries.fill(leaf);
            let n = leaf.len();
            tree.len += n;
            // Past the most entries counts count: refused, as an insert
            // would be (the guard frees what was built).
            if C::N::ON && tree.len > C::N::MAX {
                return Err(Full::Entries);
            }
            level.push((Edge::new(h, n), sep));
        }
        // The source goes while the guard still owns the tree: its drop can
        // run user code (a map's `IntoIter` drops the separator keys of its
        // emptied tree), and a panic there must free the tree, not leak the
        // tree as the return value would be. No user code runs after it:
        // take the tree out of the guard.
        drop(entries);
        let mut tree = core::mem::replace(&mut leaves.0, RawTree::new());
        core::mem::forget(leaves);
        while level.len() > 1 {
            // A level has at most half as many branches as children, so
            // a fresh tree whose leaves fit has room for its branches.
            level = tree
                .build_level(level)
                .expect("branches never outnumber leaves");
            tree.height += 1;
            tree.root = level[0].0.h;
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
        children: Vec<(EdgeOf<C>, Option<K>)>,
    ) -> Result<Vec<(EdgeOf<C>, Option<K>)>, Full> {
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
            let h = self.alloc_branch(first).ok_or(Full::Handles)?;
            // SAFETY: `h` was just allocated by `alloc_branch`.
            let b = unsafe { self.branch_mut(h) };
            b.reserve(size - 1);
            for j in 0..size - 1 {
                let (child, sep) = it.next().expect("group sizes add up to n");
                b.insert(j, sep.expect("only the first child lacks a key"), child);
            }
            let n = b.total();
            out.push((Edge::new(h, n), key));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{Cfg, Compact16, Config, Growing, Handle, Inline, VecArena};
    use crate::raw::RawTree;
    use crate::raw::view::LeafChain;

    type Tree = RawTree<u32, u32, Cfg<Compact16, VecArena<Inline>, 4>>;

    /// Entries whose size hint promises `promise` more than they hold (a
    /// wrong hint must not matter beyond spare room).
    struct Overpromise<I>(I, usize);

    impl<I: Iterator> Iterator for Overpromise<I> {
        type Item = I::Item;
        fn next(&mut self) -> Option<I::Item> {
            self.0.next()
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            (self.0.size_hint().0 + self.1, None)
        }
    }

    /// Every entry of `tree`, leaf by leaf along the links.
    fn contents<C: Config>(tree: &RawTree<u32, String, C>) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        let mut h = tree.edge_leaf(false);
        while !h.is_nil() {
            // SAFETY: `h` is the first leaf or was read from a leaf's link.
            let (keys, vals, next) = unsafe {
                let view = LeafChain::leaf(tree, h);
                (view.keys(), view.vals(), view.next)
            };
            out.extend(keys.iter().cloned().zip(vals.iter().cloned()));
            h = next;
        }
        out
    }

    /// Growing leaves (Phase 0/1) built in bulk: the promised room in one
    /// allocation, entries past a short promise one slot at a time, and a
    /// promise the iterator breaks costs nothing but room. The same tree
    /// every way, and an exact promise needs no more memory than none.
    #[test]
    fn growing_leaves_take_what_the_source_promises() {
        type Growing4 = RawTree<u32, String, Cfg<Compact16, VecArena<Growing>, 4>>;
        type Growing8 = RawTree<u32, String, Cfg<Compact16, VecArena<Growing>, 8>>;
        let entries = |len: u32| (0..len).map(|i| (i, i.to_string()));
        for len in [1u32, 3, 4, 5, 9, 21, 26] {
            let expected: Vec<_> = entries(len).collect();
            let exact = Growing8::from_sorted(entries(len)).unwrap();
            let short = Growing8::from_sorted(entries(len).filter(|_| true)).unwrap();
            let over = Growing8::from_sorted(Overpromise(entries(len), 5)).unwrap();
            for tree in [&exact, &short, &over] {
                tree.check().unwrap();
                assert_eq!(contents(tree), expected, "len {len}");
            }
            let small = Growing4::from_sorted(Overpromise(entries(len), 2)).unwrap();
            small.check().unwrap();
            assert_eq!(contents(&small), expected, "len {len}");
            let heap = |t: &Growing8| t.memory_usage(0).heap_bytes;
            assert!(heap(&exact) <= heap(&short), "len {len}");
        }
    }

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
