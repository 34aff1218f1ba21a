//! Nodes: the layouts of leaves, branches and small runs, and all raw
//! memory work on keys, values and children.
//!
//! This layer knows nothing of trees: no handle here is followed, no arena
//! is touched. It owns one invariant, kept by every method of every node:
//! the first `len` slots of a node's buffers are initialised, the rest are
//! not. The raw work sits behind small named helpers on one array
//! (`slice_insert`, `slice_remove`, `move_slice`, `shift_left`,
//! `shift_right`) and on a leaf's or run's pair of arrays ([`Pairs`]).
//!
//! - [`leaf`](Leaf): up to `CAP` keys and values, linked to its neighbours;
//! - [`branch`](Branch): up to `CAP` separators and `len + 1` children;
//! - [`run`](Run): a small map's sorted entries in one allocation.

use core::ptr;

/// The accessors a leaf and a branch share, written once: both hold `len`
/// keys in `keys` and, in a second buffer (`$other`, of `$B`), `len` values
/// or right children, and keep their first `len` slots initialised.
macro_rules! node_buffers {
    ($other:ident: $B:ty) => {
        #[inline]
        pub(crate) fn len(&self) -> usize {
            self.len as usize
        }

        #[inline]
        fn set_len(&mut self, len: usize) {
            debug_assert!(len <= C::CAP);
            self.len = len as u16;
        }

        /// Room for `n` slots in both buffers (only `Growing` buffers act).
        #[inline]
        pub(crate) fn reserve(&mut self, n: usize) {
            debug_assert!(n <= C::CAP);
            self.keys.reserve(n);
            self.$other.reserve(n);
        }

        #[inline]
        pub(crate) fn keys(&self) -> &[K] {
            // SAFETY: the first `len` slots are initialised (module invariant).
            unsafe { core::slice::from_raw_parts(self.keys.as_ptr(), self.len()) }
        }

        /// Both buffers, raw.
        #[inline]
        pub(super) fn pairs(&mut self) -> Pairs<K, $B> {
            Pairs::new(self.keys.as_mut_ptr(), self.$other.as_mut_ptr())
        }

        /// Insert a key and its value (or right child) at `i`. The node
        /// must not be full.
        pub(crate) fn insert(&mut self, i: usize, key: K, other: $B) {
            let len = self.len();
            assert!(len < C::CAP && i <= len);
            self.reserve(len + 1);
            self.pfx.insert::<K>(len, i, &key);
            // SAFETY: there is room for `len + 1` and `i <= len`.
            unsafe { self.pairs().insert(len, i, key, other) };
            self.set_len(len + 1);
        }

        /// Remove and return key `i` and its value (or right child).
        pub(crate) fn remove(&mut self, i: usize) -> (K, $B) {
            let len = self.len();
            assert!(i < len);
            self.pfx.remove::<K>(len, i);
            // Shorten first: if anything below unwinds, nothing is dropped
            // twice.
            self.set_len(len - 1);
            // SAFETY: `i < len` and the first `len` slots are initialised.
            unsafe { self.pairs().remove(len, i) }
        }

        /// Move keys `at..len` and their values (or right children) to the
        /// empty node `dst` (a branch's `first` is the caller's to set).
        pub(crate) fn move_tail_to(&mut self, at: usize, dst: &mut Self) {
            let len = self.len();
            assert!(at <= len && dst.len() == 0);
            let count = len - at;
            dst.reserve(count);
            // SAFETY: `self[at..len]` is initialised and is given up by
            // setting our length to `at`; `dst` has room for `count`.
            unsafe { self.pairs().at(at).move_to(dst.pairs(), count) };
            self.pfx.split_to(len, at, &mut dst.pfx);
            self.set_len(at);
            dst.set_len(count);
            self.refresh_flat_prefixes();
            dst.refresh_flat_prefixes();
        }

        /// The node's prefix block and its keys, apart.
        #[inline]
        fn prefixes_and_keys(&mut self) -> (&mut C::Pfx, &[K]) {
            let len = self.len as usize;
            // SAFETY: the first `len` slots are initialised (module
            // invariant); the block is a field apart from the keys.
            let keys = unsafe { core::slice::from_raw_parts(self.keys.as_ptr(), len) };
            (&mut self.pfx, keys)
        }

        /// The keys `from..from + count` of the node whose block is `src`
        /// have joined this node at its end (or front), which held `len`
        /// keys before them; its keys are as after the move. Returns
        /// whether the block was derived anew from them instead.
        #[inline]
        fn prefixes_joined(
            &mut self,
            len: usize,
            src: Option<$crate::node::Parts<'_>>,
            (from, count): (usize, usize),
            front: bool,
        ) -> bool {
            <C::Pfx as Block>::ON && {
                let (pfx, keys) = self.prefixes_and_keys();
                pfx.take_from(len, src, (from, count), front, keys)
            }
        }

        /// Rebuild the block if its words all tie (after a move, which
        /// keeps the fewer shared bytes of the two nodes).
        #[inline]
        fn refresh_flat_prefixes(&mut self) {
            if <C::Pfx as Block>::ON && self.pfx.is_flat(self.len()) {
                self.rebuild_prefixes();
            }
        }

        /// Derive the prefix block anew from the keys (after a change
        /// other than one insert or removal).
        #[inline]
        pub(crate) fn rebuild_prefixes(&mut self) {
            if <C::Pfx as Block>::ON {
                let (pfx, keys) = self.prefixes_and_keys();
                pfx.rebuild(keys);
            }
        }

        /// The node's prefix block.
        #[inline(always)]
        pub(crate) fn prefixes(&self) -> &C::Pfx {
            &self.pfx
        }
    };
}

mod branch;
mod leaf;
mod prefix;
mod run;

pub(crate) use branch::{Branch, Edge, EdgeOf, sum_counts};
pub(crate) use leaf::{Leaf, LeafView};
pub(crate) use prefix::{Block, Parts, PrefixBlock, SHARED, as_type};
pub(crate) use run::{Run, RunDrain};

/// Two parallel arrays seen through raw pointers: a leaf's or a run's keys
/// and values (`Pairs<K, V>`), or a branch's separators and right children.
/// Every raw operation that leaves, runs and branches share is written once
/// here, on both arrays at once.
pub(super) struct Pairs<A, B> {
    a: *mut A,
    b: *mut B,
}

impl<A, B> Clone for Pairs<A, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A, B> Copy for Pairs<A, B> {}

impl<A, B> Pairs<A, B> {
    #[inline]
    pub(super) fn new(a: *mut A, b: *mut B) -> Self {
        Pairs { a, b }
    }

    /// The arrays from slot `i` on.
    ///
    /// # Safety
    /// Both arrays have at least `i` slots.
    #[inline]
    pub(super) unsafe fn at(self, i: usize) -> Self {
        // SAFETY: caller's contract.
        unsafe { Pairs::new(self.a.add(i), self.b.add(i)) }
    }

    /// The arrays from `n` slots before these on.
    ///
    /// # Safety
    /// Both arrays have at least `n` slots before these.
    #[inline]
    pub(super) unsafe fn before(self, n: usize) -> Self {
        // SAFETY: caller's contract.
        unsafe { Pairs::new(self.a.sub(n), self.b.sub(n)) }
    }

    /// Insert a pair at `i` in the initialised prefix `..len`.
    ///
    /// # Safety
    /// As for [`slice_insert`], on both arrays.
    #[inline]
    pub(super) unsafe fn insert(self, len: usize, i: usize, a: A, b: B) {
        // SAFETY: caller's contract.
        unsafe {
            slice_insert(self.a, len, i, a);
            slice_insert(self.b, len, i, b);
        }
    }

    /// Remove and return the pair at `i` from the initialised prefix `..len`.
    ///
    /// # Safety
    /// As for [`slice_remove`], on both arrays.
    #[inline]
    pub(super) unsafe fn remove(self, len: usize, i: usize) -> (A, B) {
        // SAFETY: caller's contract.
        unsafe { (slice_remove(self.a, len, i), slice_remove(self.b, len, i)) }
    }

    /// Write a pair into slot `i`, overwriting it unread.
    ///
    /// # Safety
    /// Slot `i` of both arrays exists and holds nothing to keep.
    #[inline]
    pub(super) unsafe fn write(self, i: usize, a: A, b: B) {
        // SAFETY: caller's contract.
        unsafe {
            self.a.add(i).write(a);
            self.b.add(i).write(b);
        }
    }

    /// Read the pair at `i` out, leaving its slots logically uninitialised.
    ///
    /// # Safety
    /// Slot `i` of both arrays is initialised and not read again.
    #[inline]
    pub(super) unsafe fn read(self, i: usize) -> (A, B) {
        // SAFETY: caller's contract.
        unsafe { (self.a.add(i).read(), self.b.add(i).read()) }
    }

    /// Move `count` pairs to `dst` (the ranges do not overlap).
    ///
    /// # Safety
    /// As for [`move_slice`], on both arrays.
    #[inline]
    pub(super) unsafe fn move_to(self, dst: Self, count: usize) {
        // SAFETY: caller's contract.
        unsafe {
            move_slice(self.a, dst.a, count);
            move_slice(self.b, dst.b, count);
        }
    }

    /// Shift `..len` right by `by` slots in both arrays.
    ///
    /// # Safety
    /// As for [`shift_right`], on both arrays.
    #[inline]
    pub(super) unsafe fn shift_right(self, len: usize, by: usize) {
        // SAFETY: caller's contract.
        unsafe {
            shift_right(self.a, len, by);
            shift_right(self.b, len, by);
        }
    }

    /// Shift `by..len` left to `..len - by` in both arrays.
    ///
    /// # Safety
    /// As for [`shift_left`], on both arrays.
    #[inline]
    pub(super) unsafe fn shift_left(self, len: usize, by: usize) {
        // SAFETY: caller's contract.
        unsafe {
            shift_left(self.a, len, by);
            shift_left(self.b, len, by);
        }
    }

    /// Drop the pairs `from..to` in place; the second array's are dropped
    /// even if a drop in the first panics.
    ///
    /// # Safety
    /// Those pairs are initialised and never used or dropped again.
    pub(super) unsafe fn drop_range(self, from: usize, to: usize) {
        // SAFETY: caller's contract; the guard drops the `b`s on unwind too.
        unsafe {
            let _guard = DropOnUnwind(ptr::slice_from_raw_parts_mut(self.b.add(from), to - from));
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.a.add(from), to - from));
        }
    }
}

/// Insert `val` at `idx` in the initialised prefix `base[..len]`.
///
/// # Safety
/// `base` has at least `len + 1` slots, `base[..len]` is initialised and
/// `idx <= len`.
#[inline]
pub(super) unsafe fn slice_insert<T>(base: *mut T, len: usize, idx: usize, val: T) {
    debug_assert!(idx <= len);
    // SAFETY: both ranges lie within the `len + 1` slots; `copy` allows overlap.
    unsafe {
        let p = base.add(idx);
        if idx < len {
            ptr::copy(p, p.add(1), len - idx);
        }
        p.write(val);
    }
}

/// Remove and return `base[idx]` from the initialised prefix `base[..len]`.
///
/// # Safety
/// `base[..len]` is initialised and `idx < len`.
#[inline]
pub(super) unsafe fn slice_remove<T>(base: *mut T, len: usize, idx: usize) -> T {
    debug_assert!(idx < len);
    // SAFETY: `idx < len`, so the read is of an initialised slot and the
    // shifted range stays within `len`.
    unsafe {
        let p = base.add(idx);
        let val = p.read();
        ptr::copy(p.add(1), p, len - idx - 1);
        val
    }
}

/// Move `count` values from `src` to `dst` (the ranges do not overlap).
///
/// # Safety
/// `src[..count]` is initialised and is treated as uninitialised afterwards;
/// `dst[..count]` is writable and its old contents are overwritten unread.
#[inline]
pub(super) unsafe fn move_slice<T>(src: *const T, dst: *mut T, count: usize) {
    // SAFETY: guaranteed by the caller.
    unsafe { ptr::copy_nonoverlapping(src, dst, count) };
}

/// Shift `base[..len]` right by `by` slots, leaving `base[..by]` free.
///
/// # Safety
/// `base` has at least `len + by` slots.
#[inline]
pub(super) unsafe fn shift_right<T>(base: *mut T, len: usize, by: usize) {
    // SAFETY: guaranteed by the caller; `copy` allows overlap.
    unsafe { ptr::copy(base, base.add(by), len) };
}

/// Shift `base[by..len]` left to `base[..len - by]`.
///
/// # Safety
/// `by <= len`, `base[..by]` was moved out and `base[by..len]` is initialised.
#[inline]
pub(super) unsafe fn shift_left<T>(base: *mut T, len: usize, by: usize) {
    // SAFETY: guaranteed by the caller; `copy` allows overlap.
    unsafe { ptr::copy(base.add(by), base, len - by) };
}

/// Total heap bytes of some buffers, and how many of them allocate.
pub(super) fn buffer_heap(bytes: &[usize]) -> (usize, usize) {
    (bytes.iter().sum(), bytes.iter().filter(|&&b| b > 0).count())
}

/// Drops a slice when it goes out of scope, also while unwinding.
pub(super) struct DropOnUnwind<T>(pub(super) *mut [T]);

impl<T> Drop for DropOnUnwind<T> {
    fn drop(&mut self) {
        // SAFETY: the creator hands over initialised elements it never uses again.
        unsafe { ptr::drop_in_place(self.0) };
    }
}
