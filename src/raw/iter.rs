//! The iteration engines that move or mutably borrow entries while they
//! walk: [`RawIterMut`] (behind `IterMut`, `RangeMut`, `ValuesMut`) and
//! [`RawIntoIter`] (behind `IntoIter` and friends). Both walk a
//! [`RawRange`], which yields every position between its ends once.

use core::borrow::Borrow;
use core::mem::ManuallyDrop;
use core::ops::Bound;

use super::navigate::RawRange;
use super::repr::RawMap;
use crate::policy::Config;

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
        let range = tree.range_search(start, end);
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
        let view = unsafe { self.tree.leaf_view(leaf) };
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
        let pos = unsafe { self.range.next(&self.tree) }?;
        // SAFETY: the position holds an entry, yielded once; `Drop` drops
        // only the untaken range and then forgets every entry.
        Some(unsafe { self.tree.take(pos) })
    }

    #[inline]
    pub(crate) fn next_back(&mut self) -> Option<(K, V)> {
        // SAFETY: as in `next`.
        let pos = unsafe { self.range.next_back(&self.tree) }?;
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
