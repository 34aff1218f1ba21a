//! The raw engine: a B+ tree over two arenas, one algorithm per file.
//!
//! Shape: all entries live in leaves, at depth `height`; branches hold
//! separators, and a separator is at most every key to its right and greater
//! than every key to its left, so a search descends into child
//! `#{separators <= key}`. Leaves are linked in key order both ways.
//! Navigation never uses parent pointers: descents record a fixed-size
//! [`Path`] of (branch, child index) pairs.
//!
//! Fill: every node holds at most `CAP` entries (keys, for branches); every
//! non-root node holds at least `CAP / 2`, except nodes on the left or right
//! edge of their level, which hold at least one. Edge nodes may run low
//! because an insert at the very end (or start) of the tree splits off a
//! node holding just the new entry, which is what makes ascending and
//! descending loads fill every other node completely.
//!
//! Files: `search` (in-node search), `navigate` (descents and positions),
//! `insert` (insert and split), `remove` (remove, borrow, merge), `bulk`
//! (build from a sorted run), `check` (the invariant checker), `stats`
//! (memory accounting).

pub(crate) mod bulk;
pub(crate) mod check;
mod counts;
pub(crate) mod insert;
pub(crate) mod iter;
pub(crate) mod map;
pub(crate) mod navigate;
pub(crate) mod remove;
pub(crate) mod search;
mod split;
pub(crate) mod stats;
mod transcode;
mod tree;
pub(crate) mod view;

use core::marker::PhantomData;

use crate::policy::{Config, Handle, RawArena};

/// The deepest tree the engine builds. A non-root branch has at least two
/// children, so a tree of height `h` has at least `2^h` leaves: no handle
/// width lets a tree reach this.
pub(crate) const MAX_HEIGHT: usize = 40;

pub(crate) type Head<C> = <<C as Config>::Arena as RawArena<<C as Config>::H>>::Head;

/// A tree's state: two arenas, their free-list heads, the root, height and
/// length. It names no key or value type (the arenas are type-erased), so a
/// map can hold it behind a configuration-chosen [`Place`] and stay
/// covariant; [`RawTree`] gives it its types back.
///
/// Fields are ordered for the reader; the compiler packs them (the heads sit
/// beside the root and height, not padded inside each arena).
///
/// [`Place`]: crate::policy::Place
pub(crate) struct Core<C: Config> {
    pub(crate) leaves: C::Arena,
    pub(crate) branches: C::Arena,
    pub(crate) len: usize,
    /// The root node (a leaf when `height == 0`), or NIL when empty.
    pub(crate) root: C::H,
    pub(crate) height: u8,
    pub(crate) leaf_head: Head<C>,
    pub(crate) branch_head: Head<C>,
}

impl<C: Config> Core<C> {
    pub(crate) const EMPTY: Self = Core {
        leaves: C::Arena::EMPTY,
        branches: C::Arena::EMPTY,
        len: 0,
        root: C::H::NIL,
        height: 0,
        leaf_head: C::Arena::EMPTY_HEAD,
        branch_head: C::Arena::EMPTY_HEAD,
    };
}

/// The tree: a [`Core`] that owns `K`s and `V`s (in its arenas). The engine's
/// algorithms are its methods; it reads its core's fields through `Deref`.
#[repr(transparent)]
pub(crate) struct RawTree<K, V, C: Config> {
    pub(crate) core: Core<C>,
    /// The tree owns `K`s and `V`s (in the arenas, type-erased). Covariant.
    marker: PhantomData<(K, V)>,
}

impl<K, V, C: Config> RawTree<K, V, C> {
    pub(crate) const fn new() -> Self {
        // Nodes count their entries in `u16`s: a tree of a configuration
        // outside the documented ranges does not compile.
        let () = C::CHECK;
        RawTree {
            core: Core::EMPTY,
            marker: PhantomData,
        }
    }

    /// Take ownership of a core holding `K`s and `V`s.
    ///
    /// # Safety
    /// `core` was made by a `RawTree<K, V, C>` (with these `K` and `V`) and
    /// is owned by no other tree.
    pub(crate) const unsafe fn from_core(core: Core<C>) -> Self {
        RawTree {
            core,
            marker: PhantomData,
        }
    }

    /// The tree whose state is `core`.
    ///
    /// # Safety
    /// As for [`from_core`](Self::from_core): `core` holds `K`s and `V`s.
    #[inline]
    pub(crate) const unsafe fn view(core: &Core<C>) -> &Self {
        // SAFETY: `RawTree` is `repr(transparent)` over `Core<C>` (its other
        // field is a zero-sized marker), so the pointee has the same layout;
        // the core holds `K`s and `V`s (caller's contract).
        unsafe { &*(core as *const Core<C>).cast::<Self>() }
    }

    /// As [`view`](Self::view), mutably.
    ///
    /// # Safety
    /// As for [`view`](Self::view).
    #[inline]
    pub(crate) unsafe fn view_mut(core: &mut Core<C>) -> &mut Self {
        // SAFETY: as in `view`; the borrow stays unique.
        unsafe { &mut *(core as *mut Core<C>).cast::<Self>() }
    }

    /// Give up the core (and its entries) without dropping anything.
    pub(crate) fn into_core(mut self) -> Core<C> {
        core::mem::replace(&mut self.core, Core::EMPTY)
    }
}

impl<K, V, C: Config> core::ops::Deref for RawTree<K, V, C> {
    type Target = Core<C>;
    #[inline]
    fn deref(&self) -> &Core<C> {
        &self.core
    }
}

impl<K, V, C: Config> core::ops::DerefMut for RawTree<K, V, C> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Core<C> {
        &mut self.core
    }
}

impl<K, V, C: Config> Drop for RawTree<K, V, C> {
    fn drop(&mut self) {
        self.drop_all();
    }
}

/// A root-to-leaf descent: the branch and the child index taken at each
/// level (level 0 is the root).
///
/// Branches are stored as 32-bit values ([`Handle::to_u32`]), so one path
/// type serves trees of every handle width: a map with [`Adaptive`]
/// handles fills it from whichever tree it holds.
///
/// [`Adaptive`]: crate::policy::Adaptive
pub(crate) struct Path {
    nodes: [u32; MAX_HEIGHT],
    idx: [u16; MAX_HEIGHT],
    len: usize,
}

impl Path {
    #[inline]
    pub(crate) fn new() -> Self {
        Path {
            nodes: [u32::MAX; MAX_HEIGHT],
            idx: [0; MAX_HEIGHT],
            len: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, node: impl Handle, idx: usize) {
        self.nodes[self.len] = node.to_u32();
        self.idx[self.len] = idx as u16;
        self.len += 1;
    }

    /// The branch and child index at `level`.
    #[inline]
    pub(crate) fn at<H: Handle>(&self, level: usize) -> (H, usize) {
        debug_assert!(level < self.len);
        (H::from_u32(self.nodes[level]), self.idx[level] as usize)
    }

    /// The child index taken at `level`.
    #[inline]
    pub(crate) fn idx(&self, level: usize) -> usize {
        debug_assert!(level < self.len);
        self.idx[level] as usize
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}
