//! A leaf: up to `CAP` entries in key order, keys and values in two
//! buffers of the configuration's node storage, linked to the leaves before
//! and after it by handles that this layer never follows.

use core::borrow::Borrow;
use core::ptr;
use core::slice;

use super::prefix::Block;
use super::{Pairs, buffer_heap};
use crate::policy::{Buf, Config, Handle};

/// A leaf: up to `CAP` entries in key order, linked to its neighbours.
pub(crate) struct Leaf<K, V, C: Config> {
    keys: C::Buf<K>,
    vals: C::Buf<V>,
    /// The keys' prefixes (`Prefixed` configurations), or nothing.
    pfx: C::Pfx,
    /// The next leaf in key order, or NIL.
    pub(crate) next: C::H,
    /// The previous leaf in key order, or NIL.
    pub(crate) prev: C::H,
    len: u16,
}

impl<K, V, C: Config> Leaf<K, V, C> {
    /// Write an empty leaf at `this`, field by field: a node can be tens of
    /// kilobytes, so it is never built on the stack and moved.
    ///
    /// # Safety
    /// `this` is valid for writes and aligned for a leaf; whatever it held
    /// is overwritten unread.
    pub(crate) unsafe fn init(this: *mut Self) {
        // SAFETY: the fields lie within `*this` (caller's contract).
        unsafe {
            <C::Buf<K> as Buf<K>>::init(&raw mut (*this).keys);
            <C::Buf<V> as Buf<V>>::init(&raw mut (*this).vals);
            <C::Pfx as Block>::init(&raw mut (*this).pfx);
            (&raw mut (*this).next).write(C::H::NIL);
            (&raw mut (*this).prev).write(C::H::NIL);
            (&raw mut (*this).len).write(0);
        }
    }

    node_buffers!(vals: V);

    /// Where `q` is among the keys (`Ok`) or would go (`Err`), searched
    /// through the prefix block where the configuration keeps one.
    #[inline]
    pub(crate) fn search<Q>(&self, q: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.pfx.search_leaf(self.keys(), q)
    }

    /// The leaf at `this` as [`view`](Self::view) gives it, and where `q`
    /// is in it or would go ([`search`](Self::search)), making no
    /// reference to the leaf's values (a `&mut V` handed out into it stays
    /// valid). The search first asks for the lines it reads.
    ///
    /// # Safety
    /// `this` points to an initialised leaf, unchanged while this runs.
    #[inline]
    pub(crate) unsafe fn search_at<Q>(
        this: *mut Self,
        q: &Q,
    ) -> (LeafView<K, V, C::H>, Result<usize, usize>)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        // SAFETY: `this` is an initialised leaf (caller's contract); the
        // view makes no reference, the keys are never handed out mutably,
        // and the block is a field apart from the values.
        unsafe {
            let view = Self::view(this);
            let keys = view.keys();
            let pfx = &(*this).pfx;
            pfx.prefetch(keys);
            (view, pfx.search_leaf(keys, q))
        }
    }

    #[inline]
    pub(crate) fn vals_mut(&mut self) -> &mut [V] {
        // SAFETY: as in `keys`; `&mut self` makes the borrow unique.
        unsafe { slice::from_raw_parts_mut(self.vals.as_mut_ptr(), self.len()) }
    }

    /// Append entries taken from `entries` until the leaf is full or they
    /// run out: a bulk build's inner loop, with no search and no shift.
    /// The entries must continue the leaf's key order (the caller's
    /// promise). If `entries` panics, the leaf keeps what it took.
    pub(crate) fn fill_from(&mut self, entries: &mut impl Iterator<Item = (K, V)>) {
        let room = C::CAP - self.len();
        // The entries the iterator promises (those that fit) get their
        // slots in one `reserve` (growing buffers) and are written with
        // the buffers' addresses read once: no per-entry check.
        let promised = entries.size_hint().0.min(room);
        self.reserve(self.len() + promised);
        // `for_each` runs on the iterator's own loop (`fold`), so a chain
        // of a vector and a run fills without a per-entry state check.
        entries.take(promised).for_each(|(k, v)| {
            let len = self.len();
            // SAFETY: at most `promised` entries come here, and the leaf
            // held `CAP - room` before them: slot `len` is below the
            // `reserve`d length and within `CAP`, and it is free.
            unsafe { self.pairs().write(len, k, v) };
            self.set_len(len + 1);
        });
        // Any beyond the promise, one slot at a time.
        entries.take(room - promised).for_each(|(k, v)| {
            let len = self.len();
            self.reserve(len + 1);
            // SAFETY: `len < CAP` (`take` stops at the room there was),
            // slot `len` exists after `reserve` and is free.
            unsafe { self.pairs().write(len, k, v) };
            self.set_len(len + 1);
        });
        self.rebuild_prefixes();
    }

    /// Append clones of `keys[i]` and `vals[i]` for every `i` (the slices
    /// have equal lengths and fit), in order: a clone's inner loop, one
    /// indexed pass with no iterator state. The entries must continue the
    /// leaf's key order (the caller's promise). If a `Clone` panics, the
    /// leaf keeps the entries cloned before it.
    pub(crate) fn extend_cloned(&mut self, keys: &[K], vals: &[V])
    where
        K: Clone,
        V: Clone,
    {
        let (len, count) = (self.len(), keys.len());
        assert!(vals.len() == count && len + count <= C::CAP);
        self.reserve(len + count);
        for (i, (k, v)) in keys.iter().zip(vals).enumerate() {
            let (k, v) = (k.clone(), v.clone());
            // SAFETY: `len + i < len + count <= CAP`, and slot `len + i`
            // exists after `reserve` and is free (the length is `len + i`).
            unsafe { self.pairs().write(len + i, k, v) };
            self.set_len(len + i + 1);
        }
        self.rebuild_prefixes();
    }

    /// Replace key `i` (by an equal key), returning the old one.
    pub(crate) fn replace_key(&mut self, i: usize, key: K) -> K {
        assert!(i < self.len());
        // SAFETY: `i < len`, an initialised slot.
        unsafe { ptr::replace(self.keys.as_mut_ptr().add(i), key) }
    }

    /// Move all of `src`'s entries to the end of this leaf. `src` may be a
    /// leaf of another configuration with the same capacity (a tree moving
    /// to other handles).
    pub(crate) fn append_from<D: Config>(&mut self, src: &mut Leaf<K, V, D>) {
        let (len, count) = (self.len(), src.len());
        assert!(len + count <= C::CAP);
        self.reserve(len + count);
        // SAFETY: `src[..count]` is initialised and given up (its length
        // becomes 0); we have room for `len + count`.
        unsafe { src.pairs().move_to(self.pairs().at(len), count) };
        src.set_len(0);
        self.set_len(len + count);
        self.prefixes_joined(len, src.prefixes().parts(), (0, count), false);
        self.refresh_flat_prefixes();
    }

    /// Move the first `count` entries of `right` to the end of this leaf.
    pub(crate) fn shift_from_right(&mut self, right: &mut Self, count: usize) {
        let (len, rlen) = (self.len(), right.len());
        assert!(count <= rlen && len + count <= C::CAP);
        self.reserve(len + count);
        // SAFETY: `right[..count]` is moved to our free tail, then `right`'s
        // remaining entries shift down over the vacated slots.
        unsafe {
            right.pairs().move_to(self.pairs().at(len), count);
            right.pairs().shift_left(rlen, count);
        }
        self.set_len(len + count);
        right.set_len(rlen - count);
        self.prefixes_joined(len, right.pfx.parts(), (0, count), false);
        right.pfx.remove_front::<K>(rlen, count);
        self.refresh_flat_prefixes();
    }

    /// Move the last `count` entries of this leaf to the front of `right`.
    pub(crate) fn shift_to_right(&mut self, right: &mut Self, count: usize) {
        let (len, rlen) = (self.len(), right.len());
        assert!(count <= len && rlen + count <= C::CAP);
        right.reserve(rlen + count);
        // SAFETY: `right` shifts up to make room at its front, then our last
        // `count` entries move there and our length drops by `count`.
        unsafe {
            right.pairs().shift_right(rlen, count);
            self.pairs().at(len - count).move_to(right.pairs(), count);
        }
        self.set_len(len - count);
        right.set_len(rlen + count);
        right.prefixes_joined(rlen, self.pfx.parts(), (len - count, count), true);
        right.refresh_flat_prefixes();
    }

    /// Read entry `i` out, leaving the slot logically uninitialised.
    ///
    /// # Safety
    /// `i < len`, each slot is taken at most once, and before the leaf is
    /// dropped the caller drops the untaken entries and calls `forget_all`.
    #[inline]
    pub(crate) unsafe fn take(&mut self, i: usize) -> (K, V) {
        debug_assert!(i < self.len());
        // SAFETY: guaranteed by the caller.
        unsafe { self.pairs().read(i) }
    }

    /// Heap bytes and allocations of the leaf's own buffers (not its slot).
    pub(crate) fn heap(&self) -> (usize, usize) {
        buffer_heap(&[self.keys.heap_bytes(), self.vals.heap_bytes()])
    }

    /// Treat the leaf as empty without dropping anything (entries leak).
    #[inline]
    pub(crate) fn forget_all(&mut self) {
        self.len = 0;
    }
}

impl<K, V, C: Config> Drop for Leaf<K, V, C> {
    fn drop(&mut self) {
        let len = self.len();
        self.len = 0;
        // SAFETY: the first `len` entries are initialised and, with the
        // length reset, never touched again.
        unsafe { self.pairs().drop_range(0, len) };
    }
}

/// A leaf as every reader sees it (a tree's leaf, a small run, or a leaf
/// stored elsewhere): its entries through raw pointers, its length and its
/// neighbours. Making one creates no reference to the leaf, so references
/// already handed out into it (the `&mut V`s of a mutable iterator) stay
/// valid; the reader chooses which references to make from it.
pub(crate) struct LeafView<K, V, H> {
    pub(crate) keys: *const K,
    pub(crate) vals: *mut V,
    pub(crate) len: usize,
    pub(crate) next: H,
    pub(crate) prev: H,
}

impl<K, V, H: Copy> Clone for LeafView<K, V, H> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V, H: Copy> Copy for LeafView<K, V, H> {}

impl<K, V, H: Handle> LeafView<K, V, H> {
    /// A leaf with no entries and no neighbours: what a view answers for
    /// NIL where it has no leaf of that name.
    #[inline]
    pub(crate) fn empty() -> Self {
        LeafView {
            keys: ptr::dangling(),
            vals: ptr::dangling_mut(),
            len: 0,
            next: H::NIL,
            prev: H::NIL,
        }
    }
}

impl<K, V, H> LeafView<K, V, H> {
    /// The keys.
    ///
    /// # Safety
    /// The leaf is alive and unchanged for `'a`, and no `&mut K` into it
    /// exists (none is ever handed out).
    #[inline]
    pub(crate) unsafe fn keys<'a>(&self) -> &'a [K] {
        // SAFETY: the first `len` keys are initialised (node invariant),
        // and the caller's contract covers `'a`.
        unsafe { slice::from_raw_parts(self.keys, self.len) }
    }

    /// The values.
    ///
    /// # Safety
    /// As for [`keys`](Self::keys), and no `&mut V` into the leaf is alive
    /// during `'a`.
    #[inline]
    pub(crate) unsafe fn vals<'a>(&self) -> &'a [V] {
        // SAFETY: as in `keys`.
        unsafe { slice::from_raw_parts(self.vals, self.len) }
    }

    /// Entries `from..to`, shared: slices over that range alone, so a
    /// `&mut V` handed out for another entry of the leaf (by a mutable
    /// iterator that is now being formatted) stays valid. Panics unless
    /// `from <= to <= len`.
    ///
    /// # Safety
    /// As for [`keys`](Self::keys), and no `&mut V` into `from..to` is
    /// alive during `'a`.
    #[inline]
    pub(crate) unsafe fn entries<'a>(&self, from: usize, to: usize) -> (&'a [K], &'a [V]) {
        assert!(from <= to && to <= self.len, "bptree: range past its leaf");
        // SAFETY: `from..to` lies within the first `len` entries, which are
        // initialised; the caller's contract covers `'a` and says no
        // `&mut V` into the range is alive.
        unsafe {
            (
                slice::from_raw_parts(self.keys.add(from), to - from),
                slice::from_raw_parts(self.vals.add(from), to - from),
            )
        }
    }

    /// Entry `i`, shared (panics if `i` is out of range): references to
    /// that entry alone (see [`entries`](Self::entries)).
    ///
    /// # Safety
    /// As for [`keys`](Self::keys), and no `&mut` to value `i` is alive
    /// during `'a`.
    #[inline]
    pub(crate) unsafe fn entry<'a>(&self, i: usize) -> (&'a K, &'a V) {
        assert!(i < self.len, "bptree: position past its leaf");
        // SAFETY: `i < len`: both slots are initialised; the caller's
        // contract covers `'a`.
        unsafe { (&*self.keys.add(i), &*self.vals.add(i)) }
    }

    /// Entry `i`, the value mutable (panics if `i` is out of range).
    ///
    /// # Safety
    /// As for [`keys`](Self::keys), and no other reference to value `i` is
    /// alive during `'a`.
    #[inline]
    pub(crate) unsafe fn entry_mut<'a>(&self, i: usize) -> (&'a K, &'a mut V) {
        assert!(i < self.len, "bptree: position past its leaf");
        // SAFETY: `i < len`: both slots are initialised; the caller's
        // contract makes the `&mut V` unique for `'a`.
        unsafe { (&*self.keys.add(i), &mut *self.vals.add(i)) }
    }
}

impl<K, V, C: Config> Leaf<K, V, C> {
    /// Raw view of the leaf at `this` (see [`LeafView`]).
    ///
    /// # Safety
    /// `this` points to an initialised leaf.
    #[inline]
    pub(crate) unsafe fn view(this: *mut Self) -> LeafView<K, V, C::H> {
        // SAFETY: `this` is an initialised leaf (caller's contract); fields
        // are read by place, and the buffers are reached through `Buf::raw`,
        // so no reference to the leaf or its slots is created.
        unsafe {
            LeafView {
                keys: <C::Buf<K> as Buf<K>>::raw(&raw mut (*this).keys),
                vals: <C::Buf<V> as Buf<V>>::raw(&raw mut (*this).vals),
                len: (*this).len as usize,
                next: (*this).next,
                prev: (*this).prev,
            }
        }
    }
}
