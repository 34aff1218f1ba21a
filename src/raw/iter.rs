//! The iteration engines: [`RawIter`] (shared, over any [`LeafChain`]:
//! behind `Iter`, `Range` and their projections), [`RawIterMut`] (behind
//! `IterMut`, `RangeMut`, `ValuesMut`) and [`RawIntoIter`] (behind
//! `IntoIter` and friends). All walk a [`RawRange`], which yields every
//! position between its ends once.

use core::borrow::Borrow;
use core::iter::Zip;
use core::mem::{self, ManuallyDrop};
use core::ops::Bound;
use core::slice;

use super::map::RawMap;
use super::navigate::Pos;
use super::view::LeafChain;
use crate::policy::{Config, Handle};

/// The positions between which an iterator has not yet yielded: `front`
/// is the next entry from the front, `back` the end of what is left.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawRange<H> {
    pub(crate) front: Pos<H>,
    pub(crate) back: Pos<H>,
}

impl<H: Handle> RawRange<H> {
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

/// What is left of an iterator's front leaf: its keys and values side by
/// side (a `Zip` of two slice iterators steps by one index).
type Entries<'a, K, V> = Zip<slice::Iter<'a, K>, slice::Iter<'a, V>>;

/// Shared iteration over a range of any [`LeafChain`]: the engine of `Iter`,
/// `Range` and their projections.
///
/// What is left of the front leaf is held as a zip of its keys and values
/// from the front on, cut at the back when the back is in that leaf, so a
/// step from the front is one index check; the tree is consulted only to
/// cross into the next leaf and for steps from the back across leaves.
///
/// Invariant: `tree` is `None` only for an empty iterator. What is left to
/// yield is `entries` (of leaf `leaf`, whose `next` link is `next`), then,
/// if `leaf` is not `back.leaf`, every entry of the leaves after it up to
/// `back` (exclusive). When `leaf == back.leaf`, `entries` ends at
/// `back.idx`. All handles came from `tree` since it last changed.
///
/// `K`, `V` and `H` are the tree's, named as parameters rather than read
/// through `T` so that the iterator stays covariant in them, as std's is.
pub(crate) struct RawIter<'a, T, K, V, H> {
    tree: Option<&'a T>,
    /// The front leaf, and what is left of it.
    leaf: H,
    entries: Entries<'a, K, V>,
    /// The front leaf's `next` link.
    next: H,
    /// The end of what is left.
    back: Pos<H>,
}

impl<T, K, V, H: Copy> Clone for RawIter<'_, T, K, V, H> {
    fn clone(&self) -> Self {
        RawIter {
            tree: self.tree,
            leaf: self.leaf,
            entries: self.entries.clone(),
            next: self.next,
            back: self.back,
        }
    }
}

impl<'a, T, K, V, H> RawIter<'a, T, K, V, H>
where
    T: LeafChain<K = K, V = V, H = H>,
    H: Handle,
{
    /// An iterator that yields nothing.
    pub(crate) fn empty() -> Self {
        RawIter {
            tree: None,
            leaf: H::NIL,
            entries: [].iter().zip(&[]),
            next: H::NIL,
            back: Pos {
                leaf: H::NIL,
                idx: 0,
            },
        }
    }

    /// An iterator over all of `tree`.
    pub(crate) fn full(tree: &'a T) -> Self {
        // SAFETY: the range was just made from `tree`.
        unsafe { Self::new(tree, RawRange::full(tree)) }
    }

    /// # Safety
    /// `range` is a range of `tree`: made from it (by [`RawRange::full`]
    /// or `RawMap::range_search`) since it last changed.
    pub(crate) unsafe fn new(tree: &'a T, range: RawRange<H>) -> Self {
        let RawRange { front, back } = range;
        // SAFETY: the range's front leaf is the tree's (caller's contract);
        // a shared borrow of the tree hands out no `&mut` for `'a`.
        let view = unsafe { tree.leaf(front.leaf) };
        let end = if front.leaf == back.leaf {
            back.idx
        } else {
            view.len
        };
        // SAFETY: as above. Only what is left is borrowed: a mutable
        // iterator formatted by `Debug` has handed out `&mut V`s before
        // `front.idx` (and after the back), which stay valid.
        let (keys, vals) = unsafe { view.entries(front.idx, end) };
        RawIter {
            tree: Some(tree),
            leaf: front.leaf,
            entries: keys.iter().zip(vals),
            next: view.next,
            back,
        }
    }

    /// The tree walked (`None` for [`empty`](Self::empty)).
    #[inline]
    pub(crate) fn tree(&self) -> Option<&'a T> {
        self.tree
    }

    /// The next entry from the front.
    #[inline]
    pub(crate) fn next(&mut self) -> Option<(&'a K, &'a V)> {
        loop {
            if let Some(entry) = self.entries.next() {
                return Some(entry);
            }
            if !self.cross_leaf() {
                return None;
            }
        }
    }

    /// Make the leaf after the front leaf the front leaf, if the back is
    /// not in the front leaf; returns whether it did.
    fn cross_leaf(&mut self) -> bool {
        let Some(tree) = self.tree else { return false };
        if self.leaf == self.back.leaf || self.next.is_nil() {
            return false;
        }
        // SAFETY: `next` was read from the front leaf's link (the type's
        // invariant), so it names a leaf of the tree; a shared borrow hands
        // out no `&mut`, and only what is left of the leaf is borrowed (a
        // mutable iterator's `&mut V`s from the back lie past `end`).
        unsafe {
            let view = tree.leaf(self.next);
            let end = if self.next == self.back.leaf {
                self.back.idx
            } else {
                view.len
            };
            self.leaf = self.next;
            let (keys, vals) = view.entries(0, end);
            self.entries = keys.iter().zip(vals);
            self.next = view.next;
        }
        true
    }

    /// The next entry from the back.
    #[inline]
    pub(crate) fn next_back(&mut self) -> Option<(&'a K, &'a V)> {
        if self.back.leaf == self.leaf {
            // All that is left is in `entries`.
            let entry = self.entries.next_back()?;
            self.back.idx -= 1;
            return Some(entry);
        }
        let tree = self.tree?;
        // SAFETY: `back` is a position of the tree (the type's invariant),
        // and so is the one before it; a shared borrow hands out no `&mut`.
        unsafe {
            let pos = tree
                .step_back(self.back)
                .expect("the back is past the front leaf, which lies before it");
            if pos.leaf == self.leaf {
                // The back enters the front leaf, whose entries run to its
                // end: the back is that end.
                self.back = Pos {
                    leaf: pos.leaf,
                    idx: pos.idx + 1,
                };
                return self.next_back();
            }
            self.back = pos;
            Some(tree.leaf(pos.leaf).entry(pos.idx))
        }
    }

    /// Fold over the next `n` entries from the front (fewer if the range
    /// ends first), a leaf at a time.
    #[inline]
    pub(crate) fn fold_front<B>(
        &mut self,
        mut n: usize,
        init: B,
        mut f: impl FnMut(B, (&'a K, &'a V)) -> B,
    ) -> B {
        let mut acc = init;
        loop {
            let left = self.entries.len();
            if left <= n {
                // The whole leaf: `Zip`'s own fold, an indexed loop.
                n -= left;
                acc = mem::replace(&mut self.entries, [].iter().zip(&[])).fold(acc, &mut f);
            } else {
                return self.entries.by_ref().take(n).fold(acc, f);
            }
            if n == 0 || !self.cross_leaf() {
                return acc;
            }
            if n > self.entries.len()
                && let Some(tree) = self.tree
            {
                // The fold goes past this leaf: the next one loads while
                // this one is read (leaves are linked in key order, not
                // laid out in it). Only a fold, which is known to go on,
                // asks: a scan stepped by `next` may stop any time.
                // SAFETY: `next` was read from the front leaf's link.
                unsafe { tree.prefetch_leaf(self.next) };
            }
        }
    }
}

/// The engine of `IterMut` and friends: yields each position of a range at
/// most once, as `(&'a K, &'a mut V)`, from a tree borrowed exclusively for
/// `'a`.
pub(crate) struct RawIterMut<'a, K, V, C: Config> {
    /// Shared, so that many `&mut V` may be out at once; exclusive access
    /// for `'a` was proven by the `&'a mut` the iterator was made from.
    tree: &'a RawMap<K, V, C>,
    range: RawRange<C::H>,
    /// Stands for the `&'a mut` the iterator holds: variance as std's
    /// `IterMut`, and Send/Sync set below as for `&'a mut (K, V)`.
    marker: core::marker::PhantomData<&'a mut (K, V)>,
    /// Opts out of the auto traits the shared `tree` field would give.
    not_auto: core::marker::PhantomData<*mut ()>,
}

// SAFETY: the iterator stands for an exclusive borrow of the tree, which is
// `Send` exactly when `&'a mut (K, V)` is.
unsafe impl<K: Send, V: Send, C: Config> Send for RawIterMut<'_, K, V, C> {}
// SAFETY: through `&RawIterMut` only shared access (`remaining`) is possible;
// as for `&'a mut (K, V)`, that is `Sync` when `K` and `V` are.
unsafe impl<K: Sync, V: Sync, C: Config> Sync for RawIterMut<'_, K, V, C> {}

/// Invariant of both engines: `range` is a range of `tree` (made by
/// [`RawRange::full`] or [`RawMap::range_search`] while the tree was as it
/// is, and advanced only by its own `next` and `next_back`).
impl<'a, K, V, C: Config> RawIterMut<'a, K, V, C> {
    /// An iterator over all of `tree`.
    pub(crate) fn full(tree: &'a mut RawMap<K, V, C>) -> Self {
        let range = RawRange::full(tree);
        // SAFETY: the range was just made from `tree`.
        unsafe { Self::new(tree, range) }
    }

    /// An iterator over the entries of `tree` between two bounds (with
    /// std's panics, see [`RawMap::range_search`]).
    pub(crate) fn range<Q>(tree: &'a mut RawMap<K, V, C>, start: Bound<&Q>, end: Bound<&Q>) -> Self
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (front, back) = tree.range_search(start, end);
        let range = RawRange { front, back };
        // SAFETY: the range was just made from `tree`.
        unsafe { Self::new(tree, range) }
    }

    /// # Safety
    /// `range` is a range of `tree`, made since the tree last changed.
    unsafe fn new(tree: &'a mut RawMap<K, V, C>, range: RawRange<C::H>) -> Self {
        RawIterMut {
            tree,
            range,
            marker: core::marker::PhantomData,
            not_auto: core::marker::PhantomData,
        }
    }

    /// The entry at a position the range just yielded.
    #[inline]
    fn entry(&self, (leaf, i): (C::H, usize)) -> (&'a K, &'a mut V) {
        // SAFETY: the range is the tree's (the type's invariant), so the
        // leaves of its positions are live.
        let view = unsafe { self.tree.leaf(leaf) };
        assert!(i < view.len, "bptree: iterator position past its leaf");
        // SAFETY: `i < len` (checked), so both slots are initialised; the
        // range yields each position at most once, so the `&mut V`s never
        // overlap; the tree is exclusively borrowed for `'a`; `leaf_view`
        // created no reference to the leaf that could invalidate earlier
        // ones.
        unsafe { (&*view.keys.add(i), &mut *view.vals.add(i)) }
    }

    #[inline]
    pub(crate) fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        // SAFETY: the range is the tree's (the type's invariant).
        let pos = unsafe { self.range.next(self.tree) }?;
        Some(self.entry(pos))
    }

    #[inline]
    pub(crate) fn next_back(&mut self) -> Option<(&'a K, &'a mut V)> {
        // SAFETY: as in `next`.
        let pos = unsafe { self.range.next_back(self.tree) }?;
        Some(self.entry(pos))
    }

    /// A shared view of what is left.
    pub(crate) fn remaining(&self) -> (&RawMap<K, V, C>, RawRange<C::H>) {
        (self.tree, self.range)
    }
}

/// The engine of `IntoIter`: moves entries out of an owned tree.
pub(crate) struct RawIntoIter<K, V, C: Config> {
    tree: ManuallyDrop<RawMap<K, V, C>>,
    range: RawRange<C::H>,
}

impl<K, V, C: Config> RawIntoIter<K, V, C> {
    pub(crate) fn new(tree: RawMap<K, V, C>) -> Self {
        let range = RawRange::full(&tree);
        RawIntoIter {
            tree: ManuallyDrop::new(tree),
            range,
        }
    }

    #[inline]
    pub(crate) fn next(&mut self) -> Option<(K, V)> {
        // SAFETY: the range is the tree's (the type's invariant; the tree
        // changes only as `take` empties slots, which moves no leaf).
        let pos = unsafe { self.range.next(&*self.tree) }?;
        // SAFETY: the position holds an entry, yielded once; `Drop` drops
        // only the untaken range and then forgets every entry.
        Some(unsafe { self.tree.take(pos) })
    }

    #[inline]
    pub(crate) fn next_back(&mut self) -> Option<(K, V)> {
        // SAFETY: as in `next`.
        let pos = unsafe { self.range.next_back(&*self.tree) }?;
        // SAFETY: as in `next`.
        Some(unsafe { self.tree.take(pos) })
    }

    /// A shared view of what is left.
    pub(crate) fn remaining(&self) -> (&RawMap<K, V, C>, RawRange<C::H>) {
        (&self.tree, self.range)
    }
}

impl<K, V, C: Config> Drop for RawIntoIter<K, V, C> {
    fn drop(&mut self) {
        /// Frees the tree even if dropping an entry panics.
        struct Finish<'a, K, V, C: Config>(&'a mut RawIntoIter<K, V, C>);
        impl<K, V, C: Config> Drop for Finish<'_, K, V, C> {
            fn drop(&mut self) {
                let it = &mut *self.0;
                // Entries not yet dropped keep dropping (they were not
                // taken, and the guard for the rest runs even on unwind).
                while let Some(kv) = it.next() {
                    drop(kv);
                }
                it.tree.forget_entries();
                // SAFETY: dropped once, here; it holds no entries now.
                unsafe { ManuallyDrop::drop(&mut it.tree) };
            }
        }
        let guard = Finish(self);
        while let Some(kv) = guard.0.next() {
            drop(kv);
        }
    }
}
