//! The tree's typed access to its type-erased arenas: reading and writing
//! leaves and branches by handle, building nodes in place, freeing them, and
//! dropping a whole tree.
//!
//! The tree's invariant: every handle it stores (the root, a branch's
//! children, a leaf's `next` and `prev`) names a live node, a leaf or a
//! branch according to the depth it sits at. The methods that take a handle
//! are `unsafe fn`s with that contract; callers say where their handle came
//! from.

use core::alloc::Layout;
use core::borrow::Borrow;
use core::ptr;

use super::RawTree;
use super::search::prefetch_bytes;
use super::view::{BranchRead, LeafChain, TreeView};
use crate::node::{Block, Branch, EdgeOf, Leaf, LeafView};
use crate::policy::{Config, Handle, RawArena};

/// Typed access to the erased arenas.
///
/// The tree's invariant: every handle it stores (the root, a branch's
/// children, a leaf's `next` and `prev`) names a live node, a leaf or a
/// branch according to the depth it sits at. Handles reach the methods
/// below from those links, from a [`Path`](crate::raw::Path) recorded by a
/// descent, or from a position the engine handed out since the tree last
/// changed; which of these a caller holds is its business, so the methods
/// that take a handle are `unsafe fn`s with that contract.
impl<K, V, C: Config> RawTree<K, V, C> {
    pub(crate) const LEAF: Layout = Layout::new::<Leaf<K, V, C>>();
    pub(crate) const BRANCH: Layout = Layout::new::<Branch<K, C>>();

    /// The address of leaf `h`.
    ///
    /// # Safety
    /// `h` names a live leaf of this tree.
    #[inline]
    unsafe fn leaf_ptr(&self, h: C::H) -> *mut Leaf<K, V, C> {
        // SAFETY: `h` is live (caller's contract), and every call on the
        // leaf arena passes `LEAF`.
        unsafe { self.leaves.slot(h, Self::LEAF).cast().as_ptr() }
    }

    /// The address of branch `h`.
    ///
    /// # Safety
    /// `h` names a live branch of this tree.
    #[inline]
    unsafe fn branch_ptr(&self, h: C::H) -> *mut Branch<K, C> {
        // SAFETY: as in `leaf_ptr`, for the branch arena.
        unsafe { self.branches.slot(h, Self::BRANCH).cast().as_ptr() }
    }

    /// Leaf `h`.
    ///
    /// # Safety
    /// `h` names a live leaf of this tree.
    #[inline]
    pub(crate) unsafe fn leaf(&self, h: C::H) -> &Leaf<K, V, C> {
        // SAFETY: a live leaf slot holds an initialised `Leaf`; `&self`
        // keeps the arena from changing while the borrow lasts.
        unsafe { &*self.leaf_ptr(h) }
    }

    /// Leaf `h`, mutably.
    ///
    /// # Safety
    /// `h` names a live leaf of this tree.
    #[inline]
    pub(crate) unsafe fn leaf_mut(&mut self, h: C::H) -> &mut Leaf<K, V, C> {
        // SAFETY: as in `leaf`; `&mut self` makes the borrow unique.
        unsafe { &mut *self.leaf_ptr(h) }
    }

    /// Two distinct leaves at once (panics if `a == b`).
    ///
    /// # Safety
    /// `a` and `b` name live leaves of this tree.
    pub(crate) unsafe fn leaf_pair_mut(
        &mut self,
        a: C::H,
        b: C::H,
    ) -> (&mut Leaf<K, V, C>, &mut Leaf<K, V, C>) {
        assert!(a != b);
        // SAFETY: both are live (caller's contract); distinct live slots do
        // not overlap (arena contract), and `&mut self` makes both unique.
        unsafe { (&mut *self.leaf_ptr(a), &mut *self.leaf_ptr(b)) }
    }

    /// Branch `h`.
    ///
    /// # Safety
    /// `h` names a live branch of this tree.
    #[inline]
    pub(crate) unsafe fn branch(&self, h: C::H) -> &Branch<K, C> {
        // SAFETY: as in `leaf`, for the branch arena.
        unsafe { &*self.branch_ptr(h) }
    }

    /// Branch `h`, mutably.
    ///
    /// # Safety
    /// `h` names a live branch of this tree.
    #[inline]
    pub(crate) unsafe fn branch_mut(&mut self, h: C::H) -> &mut Branch<K, C> {
        // SAFETY: as in `leaf_mut`.
        unsafe { &mut *self.branch_ptr(h) }
    }

    /// Two distinct branches at once (panics if `a == b`).
    ///
    /// # Safety
    /// `a` and `b` name live branches of this tree.
    pub(crate) unsafe fn branch_pair_mut(
        &mut self,
        a: C::H,
        b: C::H,
    ) -> (&mut Branch<K, C>, &mut Branch<K, C>) {
        assert!(a != b);
        // SAFETY: as in `leaf_pair_mut`.
        unsafe { (&mut *self.branch_ptr(a), &mut *self.branch_ptr(b)) }
    }

    /// A new empty leaf, built in place, or `None` if the handles ran out.
    pub(crate) fn alloc_leaf(&mut self) -> Option<C::H> {
        let core = &mut self.core;
        // SAFETY: the head is the leaf arena's, and every call on it passes
        // `LEAF`.
        let h = unsafe { core.leaves.alloc(&mut core.leaf_head, Self::LEAF) }?;
        // SAFETY: `h` is a fresh slot of the leaf layout; `init` writes the
        // empty leaf in place (a node never passes through the stack).
        unsafe { Leaf::init(self.leaf_ptr(h)) };
        Some(h)
    }

    /// A new branch with no separators and `first` as its only child,
    /// built in place, or `None` if the handles ran out.
    pub(crate) fn alloc_branch(&mut self, first: EdgeOf<C>) -> Option<C::H> {
        let core = &mut self.core;
        // SAFETY: as in `alloc_leaf`, for the branch arena.
        let h = unsafe { core.branches.alloc(&mut core.branch_head, Self::BRANCH) }?;
        // SAFETY: as in `alloc_leaf`.
        unsafe { Branch::init(self.branch_ptr(h), first) };
        Some(h)
    }

    /// Room in the arenas for `leaves` more leaves and `branches` more
    /// branches (a hint; see `RawArena::reserve`).
    pub(crate) fn reserve_nodes(&mut self, leaves: usize, branches: usize) {
        let core = &mut self.core;
        // SAFETY: each arena gets the layout of every call on it.
        unsafe {
            core.leaves.reserve(leaves, Self::LEAF);
            core.branches.reserve(branches, Self::BRANCH);
        }
    }

    /// Drop leaf `h` in place (and whatever entries it still holds) and
    /// free its slot, also if a drop panics.
    ///
    /// # Safety
    /// `h` names a live leaf of this tree, and no link that will be followed
    /// again names it.
    pub(crate) unsafe fn free_leaf(&mut self, h: C::H) {
        /// Gives the slot back, also while unwinding.
        struct Release<'t, K, V, C: Config>(&'t mut RawTree<K, V, C>, C::H);
        impl<K, V, C: Config> Drop for Release<'_, K, V, C> {
            fn drop(&mut self) {
                let core = &mut self.0.core;
                // SAFETY: the slot is live and its contents were dropped.
                unsafe {
                    core.leaves
                        .release(&mut core.leaf_head, self.1, RawTree::<K, V, C>::LEAF)
                };
            }
        }
        // SAFETY: `h` is live (caller's contract).
        let leaf = unsafe { self.leaf_ptr(h) };
        let _release = Release(self, h);
        // SAFETY: the leaf is initialised, dropped once here, and its slot
        // is released (by the guard) without being read again.
        unsafe { ptr::drop_in_place(leaf) };
    }

    /// Drop branch `h` in place (not its children) and free its slot.
    ///
    /// # Safety
    /// `h` names a live branch of this tree, and no link that will be
    /// followed again names it.
    pub(crate) unsafe fn free_branch(&mut self, h: C::H) {
        struct Release<'t, K, V, C: Config>(&'t mut RawTree<K, V, C>, C::H);
        impl<K, V, C: Config> Drop for Release<'_, K, V, C> {
            fn drop(&mut self) {
                let core = &mut self.0.core;
                // SAFETY: the slot is live and its contents were dropped.
                unsafe {
                    core.branches
                        .release(&mut core.branch_head, self.1, RawTree::<K, V, C>::BRANCH)
                };
            }
        }
        // SAFETY: `h` is live (caller's contract).
        let branch = unsafe { self.branch_ptr(h) };
        let _release = Release(self, h);
        // SAFETY: as in `free_leaf`.
        unsafe { ptr::drop_in_place(branch) };
    }

    /// Drop every node and free all arena memory; the tree becomes empty.
    /// If a key or value panics on drop, the rest is still dropped and freed.
    pub(crate) fn drop_all(&mut self) {
        struct Reset<'a, K, V, C: Config>(&'a mut RawTree<K, V, C>);
        impl<K, V, C: Config> Drop for Reset<'_, K, V, C> {
            fn drop(&mut self) {
                let t = &mut *self.0;
                // SAFETY: every node was dropped (or leaked by a panic) by
                // `drop_subtree` before this runs; each arena is freed with
                // its own layout.
                unsafe {
                    t.leaves.free_all(RawTree::<K, V, C>::LEAF);
                    t.branches.free_all(RawTree::<K, V, C>::BRANCH);
                }
                t.leaf_head = C::Arena::EMPTY_HEAD;
                t.branch_head = C::Arena::EMPTY_HEAD;
                t.root = C::H::NIL;
                t.height = 0;
                t.len = 0;
            }
        }
        let (root, height) = (self.root, self.height);
        let guard = Reset(self);
        if !root.is_nil() {
            // SAFETY: the root is live and, at `height`, a branch or a leaf
            // as the tree's depth says; the guard frees the arenas after.
            unsafe { guard.0.drop_subtree(root, height) };
        }
    }

    /// Drop node `h` at `height` above the leaves and everything below it,
    /// in place; the arenas' memory is freed by `drop_all` afterwards.
    ///
    /// # Safety
    /// `h` is a live node of the tree at `height` (a leaf at 0), reached
    /// once; no node of its subtree is used again except to free the arenas.
    unsafe fn drop_subtree(&mut self, h: C::H, height: u8) {
        if height == 0 {
            // SAFETY: `h` is a live leaf (caller's contract), dropped once.
            unsafe { ptr::drop_in_place(self.leaf_ptr(h)) };
            return;
        }
        /// Drops the children not yet dropped, also while unwinding (if a
        /// separator or a child panics on drop), as std's B-tree does; a
        /// second panic aborts.
        struct Rest<'t, K, V, C: Config> {
            tree: &'t mut RawTree<K, V, C>,
            children: &'t [C::H],
            height: u8,
        }
        impl<K, V, C: Config> Drop for Rest<'_, K, V, C> {
            fn drop(&mut self) {
                while let Some((&child, tail)) = self.children.split_first() {
                    self.children = tail;
                    // SAFETY: each child of the branch is live at `height`
                    // and reached once (taken off the list before).
                    unsafe { self.tree.drop_subtree(child, self.height) };
                }
            }
        }
        // SAFETY: `h` is a live branch (caller's contract).
        let branch = unsafe { self.branch_ptr(h) };
        // SAFETY: the branch is initialised; the children are copied out
        // before it is dropped.
        let b = unsafe { &*branch };
        let children: alloc::vec::Vec<C::H> = (0..=b.len()).map(|i| b.child(i)).collect();
        let mut rest = Rest {
            tree: self,
            children: &children,
            height: height - 1,
        };
        // SAFETY: the branch is initialised and dropped once, in place; its
        // slot is not read again.
        unsafe { ptr::drop_in_place(branch) };
        while let Some((&child, tail)) = rest.children.split_first() {
            rest.children = tail;
            // SAFETY: each child is live at `height - 1` and reached once.
            unsafe { rest.tree.drop_subtree(child, rest.height) };
        }
    }

    /// What the leaf and branch arenas hold.
    pub(crate) fn arena_usage(&self) -> [crate::policy::ArenaUsage; 2] {
        [
            self.leaves.usage(Self::LEAF),
            self.branches.usage(Self::BRANCH),
        ]
    }

    /// Arena bookkeeping, for `check_invariants`: the free slot indices of
    /// the leaf and branch arenas, and how many slots each has.
    pub(crate) fn arena_slots(
        &self,
        leaf_free: &mut dyn FnMut(usize),
        branch_free: &mut dyn FnMut(usize),
    ) -> Result<(usize, usize), &'static str> {
        // SAFETY: each head is its arena's, and each arena gets its layout.
        unsafe {
            self.leaves
                .for_each_free_slot(self.leaf_head, Self::LEAF, leaf_free)?;
            self.branches
                .for_each_free_slot(self.branch_head, Self::BRANCH, branch_free)?;
        }
        Ok((
            self.leaves.usage(Self::LEAF).slots,
            self.branches.usage(Self::BRANCH).slots,
        ))
    }
}

impl<K, V, C: Config> RawTree<K, V, C> {
    /// Raw view of leaf `h` (see [`LeafView`]).
    ///
    /// # Safety
    /// `h` names a live leaf of this tree.
    #[inline]
    pub(crate) unsafe fn leaf_view(&self, h: C::H) -> LeafView<K, V, C::H> {
        // SAFETY: `h` is live (caller's contract), so its slot holds an
        // initialised leaf.
        unsafe { Leaf::view(self.leaf_ptr(h)) }
    }
}

/// The tree read through the view every reader shares.
impl<K, V, C: Config> LeafChain for RawTree<K, V, C> {
    type K = K;
    type V = V;
    type H = C::H;

    /// Leaf `h`; NIL (the root of an empty tree, which is being built or
    /// torn down) is an empty leaf, so that no safe reader of an empty tree
    /// reaches an arena slot.
    #[inline]
    unsafe fn leaf(&self, h: C::H) -> LeafView<K, V, C::H> {
        if h.is_nil() {
            return LeafView::empty();
        }
        // SAFETY: a handle the tree handed out names a live leaf (caller's
        // contract).
        unsafe { self.leaf_view(h) }
    }

    /// The whole node (keys, values and links, for inline storage; the
    /// node's links and buffer pointers otherwise), at most 2 KiB of it.
    #[inline]
    unsafe fn prefetch_leaf(&self, h: C::H) {
        if !h.is_nil() {
            // SAFETY: `h` names a live leaf (caller's contract).
            let node = unsafe { self.leaf_ptr(h) };
            prefetch_bytes(node.cast(), size_of::<Leaf<K, V, C>>().min(2048));
        }
    }

    /// The first or last leaf; NIL for a tree being built or torn down.
    #[inline]
    fn edge_leaf(&self, last: bool) -> C::H {
        if self.root.is_nil() {
            return C::H::NIL;
        }
        self.tree_edge_leaf(last)
    }
}

impl<K, V, C: Config> TreeView for RawTree<K, V, C> {
    type Branch<'a>
        = &'a Branch<K, C>
    where
        Self: 'a;

    #[inline]
    fn root(&self) -> C::H {
        self.root
    }

    #[inline]
    fn height(&self) -> usize {
        self.height as usize
    }

    #[inline]
    unsafe fn search_leaf<Q>(&self, h: C::H, q: &Q) -> (LeafView<K, V, C::H>, Result<usize, usize>)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if h.is_nil() {
            // The root of an empty tree (see `leaf`).
            return (LeafView::empty(), Err(0));
        }
        // SAFETY: `h` names a live leaf (caller's contract), which does not
        // change while `&self` is borrowed.
        unsafe { Leaf::search_at(self.leaf_ptr(h), q) }
    }

    #[inline]
    unsafe fn branch(&self, h: C::H) -> &Branch<K, C> {
        // SAFETY: caller's contract: a branch the tree handed out is live.
        unsafe { RawTree::branch(self, h) }
    }
}

impl<'a, K, C: Config> BranchRead<'a, K, C::H> for &'a Branch<K, C> {
    #[inline]
    fn keys(&self) -> &'a [K] {
        Branch::keys(self)
    }

    #[inline]
    fn child(&self, i: usize) -> C::H {
        Branch::child(self, i)
    }

    #[inline]
    fn search<Q>(&self, q: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        Branch::search(self, q)
    }

    #[inline(always)]
    fn searches_prefixes<Q: ?Sized>(&self) -> bool {
        <C::Pfx as Block>::searches::<K, Q>()
    }
}

#[cfg(test)]
mod tests {
    //! Small, Miri-sized runs of every storage × arena combination through
    //! the operations that do raw memory work: splits, merges, borrows,
    //! bulk builds, `IterMut` with many `&mut V` alive, and partly consumed
    //! `IntoIter`s. Keys and values own heap memory, so Miri sees any
    //! double drop, leak or use after free.

    use alloc::collections::BTreeMap;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use crate::BPlusTreeMap;
    use crate::policy::{
        ArenaStrategy, Boxed, Compact16, Growing, Handle, Indirect, Inline, MaskedArena, PoolArena,
        VecArena, Wide32,
    };

    type Map<H, A> = BPlusTreeMap<String, Vec<u32>, H, A, 4>;

    fn key(i: u32) -> String {
        alloc::format!("{i:03}")
    }

    fn exercise<H: Handle, A: ArenaStrategy>() {
        let n: u32 = if cfg!(miri) { 30 } else { 600 };
        let mut m = Map::<H, A>::empty();
        let mut o = BTreeMap::new();
        let mut x = 0x9e37_79b9_u32;
        for step in 0..4 * n {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let k = key(x % n);
            if x.is_multiple_of(3) {
                assert_eq!(m.remove(&k), o.remove(&k));
            } else {
                assert_eq!(
                    m.insert(k.clone(), alloc::vec![step]),
                    o.insert(k, alloc::vec![step])
                );
            }
        }
        m.check_invariants().unwrap();
        assert!(m.iter().eq(o.iter()));

        // Many `&mut V` alive at once, collected from both ends.
        let mut refs: Vec<&mut Vec<u32>> = Vec::new();
        let mut it = m.iter_mut();
        while let (Some((_, a)), b) = (it.next(), it.next_back()) {
            refs.push(a);
            if let Some((_, b)) = b {
                refs.push(b);
            }
        }
        for r in refs {
            r.push(7);
        }
        assert!(m.values().all(|v| v.last() == Some(&7)));

        // Partly consumed owning iterators drop the rest exactly once.
        let c = m.clone();
        let mut into = c.into_iter();
        into.next();
        into.next_back();
        drop(into);

        // Bulk build, then unload from both ends through merges.
        let built: Map<H, A> = (0..n).map(|i| (key(i), alloc::vec![i])).collect();
        built.check_invariants().unwrap();
        let mut built = built;
        while built.len() > 2 {
            built.pop_first();
            built.pop_last();
        }
        built.check_invariants().unwrap();
        built.clear();
        assert!(built.is_empty());
        m.check_invariants().unwrap();
        assert_eq!(
            m.keys().map(ToString::to_string).collect::<Vec<_>>().len(),
            o.len()
        );
    }

    #[test]
    fn inline_storage() {
        exercise::<Wide32, VecArena<Inline>>();
        exercise::<Compact16, PoolArena<Inline>>();
    }

    #[test]
    fn boxed_storage() {
        exercise::<Wide32, VecArena<Boxed>>();
        exercise::<Compact16, PoolArena<Boxed>>();
    }

    /// The tree behind one pointer, and small runs (up to 64 entries at
    /// CAP 4) promoted and demoted on the way.
    #[test]
    fn indirect_place() {
        exercise::<Compact16, Indirect<VecArena<Boxed>>>();
        exercise::<Wide32, Indirect<PoolArena<Inline>>>();
    }

    #[test]
    fn growing_storage() {
        exercise::<Wide32, MaskedArena<Growing>>();
        exercise::<Wide32, VecArena<Growing>>();
    }
}
