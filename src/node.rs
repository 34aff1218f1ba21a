//! Nodes: leaf and branch layouts, and all raw memory work on them.
//!
//! Everything `unsafe` about keys and values lives here, behind small named
//! helpers (`slice_insert`, `slice_remove`, `move_slice`) and node methods
//! that keep one invariant: the first `len` slots of a node's buffers are
//! initialised, the rest are not. Code above this module is safe.
//!
//! A leaf holds up to `CAP` keys and values plus `next`/`prev` leaf links. A
//! branch holds up to `CAP` separator keys and `len + 1` children, stored as
//! `first` plus `rights[i]`, the child to the right of key `i` (stable Rust
//! cannot write `[H; CAP + 1]`); inserting a separator with its right child
//! then touches the same index in both arrays.
//!
//! This module also gives the tree typed access to its erased arenas
//! (`RawTree::leaf`, `branch`, `alloc_leaf`, ...): a handle the tree stores
//! is always live, and names a leaf or a branch according to its depth.
//! Its submodule `run` holds a small map's sorted run, and the raw access
//! that lets iterators treat the run as the leaf named by NIL
//! (`RawMap::leaf_view`, `take`) lives here too.

use core::alloc::Layout;

use core::ptr;
use core::slice;

use crate::policy::{Buf, Config, Handle, RawArena};
use crate::raw::RawTree;

mod run;

pub(crate) use run::{Run, RunDrain};

/// Insert `val` at `idx` in the initialised prefix `base[..len]`.
///
/// # Safety
/// `base` has at least `len + 1` slots, `base[..len]` is initialised and
/// `idx <= len`.
#[inline]
unsafe fn slice_insert<T>(base: *mut T, len: usize, idx: usize, val: T) {
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
unsafe fn slice_remove<T>(base: *mut T, len: usize, idx: usize) -> T {
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
unsafe fn move_slice<T>(src: *const T, dst: *mut T, count: usize) {
    // SAFETY: guaranteed by the caller.
    unsafe { ptr::copy_nonoverlapping(src, dst, count) };
}

/// Shift `base[..len]` right by `by` slots, leaving `base[..by]` free.
///
/// # Safety
/// `base` has at least `len + by` slots.
#[inline]
unsafe fn shift_right<T>(base: *mut T, len: usize, by: usize) {
    // SAFETY: guaranteed by the caller; `copy` allows overlap.
    unsafe { ptr::copy(base, base.add(by), len) };
}

/// Shift `base[by..len]` left to `base[..len - by]`.
///
/// # Safety
/// `by <= len`, `base[..by]` was moved out and `base[by..len]` is initialised.
#[inline]
unsafe fn shift_left<T>(base: *mut T, len: usize, by: usize) {
    // SAFETY: guaranteed by the caller; `copy` allows overlap.
    unsafe { ptr::copy(base.add(by), base, len - by) };
}

/// A leaf: up to `CAP` entries in key order, linked to its neighbours.
pub(crate) struct Leaf<K, V, C: Config> {
    keys: C::Buf<K>,
    vals: C::Buf<V>,
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
    unsafe fn init(this: *mut Self) {
        // SAFETY: the fields lie within `*this` (caller's contract).
        unsafe {
            <C::Buf<K> as Buf<K>>::init(&raw mut (*this).keys);
            <C::Buf<V> as Buf<V>>::init(&raw mut (*this).vals);
            (&raw mut (*this).next).write(C::H::NIL);
            (&raw mut (*this).prev).write(C::H::NIL);
            (&raw mut (*this).len).write(0);
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    #[inline]
    fn set_len(&mut self, len: usize) {
        debug_assert!(len <= C::CAP);
        self.len = len as u16;
    }

    /// Room for `n` entries in both buffers (only `Growing` buffers act).
    #[inline]
    fn reserve(&mut self, n: usize) {
        debug_assert!(n <= C::CAP);
        self.keys.reserve(n);
        self.vals.reserve(n);
    }

    #[inline]
    pub(crate) fn keys(&self) -> &[K] {
        // SAFETY: the first `len` slots are initialised (module invariant).
        unsafe { slice::from_raw_parts(self.keys.as_ptr(), self.len()) }
    }

    #[inline]
    pub(crate) fn vals(&self) -> &[V] {
        // SAFETY: as in `keys`.
        unsafe { slice::from_raw_parts(self.vals.as_ptr(), self.len()) }
    }

    #[inline]
    pub(crate) fn vals_mut(&mut self) -> &mut [V] {
        // SAFETY: as in `keys`; `&mut self` makes the borrow unique.
        unsafe { slice::from_raw_parts_mut(self.vals.as_mut_ptr(), self.len()) }
    }

    /// Entry `i`.
    #[inline]
    pub(crate) fn entry(&self, i: usize) -> (&K, &V) {
        assert!(i < self.len());
        // SAFETY: `i < len`: both slots are initialised.
        unsafe { (&*self.keys.as_ptr().add(i), &*self.vals.as_ptr().add(i)) }
    }

    /// The keys, and the values mutably.
    #[inline]
    pub(crate) fn split_mut(&mut self) -> (&[K], &mut [V]) {
        // SAFETY: as in `keys`; keys and values are separate buffers, so
        // the borrows do not overlap, and `&mut self` makes them unique.
        unsafe {
            (
                slice::from_raw_parts(self.keys.as_ptr(), self.len()),
                slice::from_raw_parts_mut(self.vals.as_mut_ptr(), self.len()),
            )
        }
    }

    /// Replace key `i` (by an equal key), returning the old one.
    pub(crate) fn replace_key(&mut self, i: usize, key: K) -> K {
        assert!(i < self.len());
        // SAFETY: `i < len`, an initialised slot.
        unsafe { ptr::replace(self.keys.as_mut_ptr().add(i), key) }
    }

    /// Insert an entry at `i`. The leaf must not be full.
    pub(crate) fn insert(&mut self, i: usize, key: K, val: V) {
        let len = self.len();
        assert!(len < C::CAP && i <= len);
        self.reserve(len + 1);
        // SAFETY: there is room for `len + 1` entries and `i <= len`.
        unsafe {
            slice_insert(self.keys.as_mut_ptr(), len, i, key);
            slice_insert(self.vals.as_mut_ptr(), len, i, val);
        }
        self.set_len(len + 1);
    }

    /// Remove and return entry `i`.
    pub(crate) fn remove(&mut self, i: usize) -> (K, V) {
        let len = self.len();
        assert!(i < len);
        // Shorten first: if anything below unwinds, nothing is dropped twice.
        self.set_len(len - 1);
        // SAFETY: `i < len` and the first `len` slots are initialised.
        unsafe {
            (
                slice_remove(self.keys.as_mut_ptr(), len, i),
                slice_remove(self.vals.as_mut_ptr(), len, i),
            )
        }
    }

    /// Move entries `at..len` to the empty leaf `dst`.
    pub(crate) fn move_tail_to(&mut self, at: usize, dst: &mut Self) {
        let len = self.len();
        assert!(at <= len && dst.len() == 0);
        let count = len - at;
        dst.reserve(count);
        // SAFETY: `self[at..len]` is initialised and is given up by setting
        // our length to `at`; `dst` has room for `count`.
        unsafe {
            move_slice(self.keys.as_ptr().add(at), dst.keys.as_mut_ptr(), count);
            move_slice(self.vals.as_ptr().add(at), dst.vals.as_mut_ptr(), count);
        }
        self.set_len(at);
        dst.set_len(count);
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
        unsafe {
            move_slice(src.keys.as_ptr(), self.keys.as_mut_ptr().add(len), count);
            move_slice(src.vals.as_ptr(), self.vals.as_mut_ptr().add(len), count);
        }
        src.set_len(0);
        self.set_len(len + count);
    }

    /// Move the first `count` entries of `right` to the end of this leaf.
    pub(crate) fn take_front_of(&mut self, right: &mut Self, count: usize) {
        let (len, rlen) = (self.len(), right.len());
        assert!(count <= rlen && len + count <= C::CAP);
        self.reserve(len + count);
        // SAFETY: `right[..count]` is moved to our free tail, then `right`'s
        // remaining entries shift down over the vacated slots.
        unsafe {
            move_slice(right.keys.as_ptr(), self.keys.as_mut_ptr().add(len), count);
            move_slice(right.vals.as_ptr(), self.vals.as_mut_ptr().add(len), count);
            shift_left(right.keys.as_mut_ptr(), rlen, count);
            shift_left(right.vals.as_mut_ptr(), rlen, count);
        }
        self.set_len(len + count);
        right.set_len(rlen - count);
    }

    /// Move the last `count` entries of this leaf to the front of `right`.
    pub(crate) fn give_back_to(&mut self, right: &mut Self, count: usize) {
        let (len, rlen) = (self.len(), right.len());
        assert!(count <= len && rlen + count <= C::CAP);
        right.reserve(rlen + count);
        // SAFETY: `right` shifts up to make room at its front, then our last
        // `count` entries move there and our length drops by `count`.
        unsafe {
            shift_right(right.keys.as_mut_ptr(), rlen, count);
            shift_right(right.vals.as_mut_ptr(), rlen, count);
            move_slice(
                self.keys.as_ptr().add(len - count),
                right.keys.as_mut_ptr(),
                count,
            );
            move_slice(
                self.vals.as_ptr().add(len - count),
                right.vals.as_mut_ptr(),
                count,
            );
        }
        self.set_len(len - count);
        right.set_len(rlen + count);
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
        unsafe {
            (
                self.keys.as_ptr().add(i).read(),
                self.vals.as_ptr().add(i).read(),
            )
        }
    }

    /// Drop entries `from..to` in place.
    ///
    /// # Safety
    /// Those entries are initialised and not used again; the caller then
    /// calls `forget_all` (or otherwise never drops them again).
    pub(crate) unsafe fn drop_range(&mut self, from: usize, to: usize) {
        // SAFETY: guaranteed by the caller. A guard drops the values even if
        // a key's drop panics.
        unsafe {
            let vals = ptr::slice_from_raw_parts_mut(self.vals.as_mut_ptr().add(from), to - from);
            let _guard = DropOnUnwind(vals);
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
                self.keys.as_mut_ptr().add(from),
                to - from,
            ));
        }
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

/// Total heap bytes of some buffers, and how many of them allocate.
fn buffer_heap(bytes: &[usize]) -> (usize, usize) {
    (bytes.iter().sum(), bytes.iter().filter(|&&b| b > 0).count())
}

/// Drops a slice when it goes out of scope, also while unwinding.
struct DropOnUnwind<T>(*mut [T]);

impl<T> Drop for DropOnUnwind<T> {
    fn drop(&mut self) {
        // SAFETY: the creator hands over initialised elements it never uses again.
        unsafe { ptr::drop_in_place(self.0) };
    }
}

impl<K, V, C: Config> Drop for Leaf<K, V, C> {
    fn drop(&mut self) {
        let len = self.len();
        self.len = 0;
        // SAFETY: the first `len` entries are initialised and, with the
        // length reset, never touched again.
        unsafe { self.drop_range(0, len) };
    }
}

/// A branch: `len` separator keys and `len + 1` children.
pub(crate) struct Branch<K, C: Config> {
    keys: C::Buf<K>,
    rights: C::Buf<C::H>,
    /// The leftmost child.
    first: C::H,
    len: u16,
}

impl<K, C: Config> Branch<K, C> {
    /// Write a branch with no separators and `first` as its only child at
    /// `this`, field by field (see [`Leaf::init`]).
    ///
    /// # Safety
    /// As for [`Leaf::init`].
    unsafe fn init(this: *mut Self, first: C::H) {
        // SAFETY: the fields lie within `*this` (caller's contract).
        unsafe {
            <C::Buf<K> as Buf<K>>::init(&raw mut (*this).keys);
            <C::Buf<C::H> as Buf<C::H>>::init(&raw mut (*this).rights);
            (&raw mut (*this).first).write(first);
            (&raw mut (*this).len).write(0);
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    #[inline]
    fn set_len(&mut self, len: usize) {
        debug_assert!(len <= C::CAP);
        self.len = len as u16;
    }

    #[inline]
    fn reserve(&mut self, n: usize) {
        debug_assert!(n <= C::CAP);
        self.keys.reserve(n);
        self.rights.reserve(n);
    }

    #[inline]
    pub(crate) fn keys(&self) -> &[K] {
        // SAFETY: the first `len` slots are initialised (module invariant).
        unsafe { slice::from_raw_parts(self.keys.as_ptr(), self.len()) }
    }

    /// Child `i`, for `i <= len`.
    #[inline]
    pub(crate) fn child(&self, i: usize) -> C::H {
        if i == 0 {
            self.first
        } else {
            assert!(i <= self.len());
            // SAFETY: `i - 1 < len`, an initialised slot.
            unsafe { *self.rights.as_ptr().add(i - 1) }
        }
    }

    /// Heap bytes and allocations of the branch's own buffers.
    pub(crate) fn heap(&self) -> (usize, usize) {
        buffer_heap(&[self.keys.heap_bytes(), self.rights.heap_bytes()])
    }

    /// Replace separator `i`, returning the old one.
    pub(crate) fn replace_key(&mut self, i: usize, key: K) -> K {
        assert!(i < self.len());
        // SAFETY: `i < len`, an initialised slot.
        unsafe { ptr::replace(self.keys.as_mut_ptr().add(i), key) }
    }

    /// Insert separator `key` at `i` with `right` as the child to its right.
    pub(crate) fn insert(&mut self, i: usize, key: K, right: C::H) {
        let len = self.len();
        assert!(len < C::CAP && i <= len);
        self.reserve(len + 1);
        // SAFETY: there is room for `len + 1` and `i <= len`.
        unsafe {
            slice_insert(self.keys.as_mut_ptr(), len, i, key);
            slice_insert(self.rights.as_mut_ptr(), len, i, right);
        }
        self.set_len(len + 1);
    }

    /// Remove separator `i` and the child to its right.
    pub(crate) fn remove(&mut self, i: usize) -> (K, C::H) {
        let len = self.len();
        assert!(i < len);
        self.set_len(len - 1);
        // SAFETY: `i < len` and the first `len` slots are initialised.
        unsafe {
            (
                slice_remove(self.keys.as_mut_ptr(), len, i),
                slice_remove(self.rights.as_mut_ptr(), len, i),
            )
        }
    }

    /// Move separators `at..len` and their right children to the empty
    /// branch `dst` (whose `first` the caller sets).
    pub(crate) fn move_tail_to(&mut self, at: usize, dst: &mut Self) {
        let len = self.len();
        assert!(at <= len && dst.len() == 0);
        let count = len - at;
        dst.reserve(count);
        // SAFETY: as in `Leaf::move_tail_to`.
        unsafe {
            move_slice(self.keys.as_ptr().add(at), dst.keys.as_mut_ptr(), count);
            move_slice(self.rights.as_ptr().add(at), dst.rights.as_mut_ptr(), count);
        }
        self.set_len(at);
        dst.set_len(count);
    }

    /// Set the leftmost child.
    #[inline]
    pub(crate) fn set_first(&mut self, h: C::H) {
        self.first = h;
    }

    /// Move all of `src`'s separators into this branch, which has none, with
    /// `rights[i]` as the child to the right of separator `i`: how a branch
    /// moves to another configuration (another handle width), its children
    /// renamed. `src` is left with no separators.
    pub(crate) fn take_keys_from<D: Config>(&mut self, src: &mut Branch<K, D>, rights: &[C::H]) {
        let count = src.len();
        assert!(self.len() == 0 && rights.len() == count && count <= C::CAP);
        self.reserve(count);
        // SAFETY: `src[..count]` is initialised and given up (its length
        // becomes 0); we have room for `count` separators and children.
        unsafe {
            move_slice(src.keys.as_ptr(), self.keys.as_mut_ptr(), count);
            move_slice(rights.as_ptr(), self.rights.as_mut_ptr(), count);
        }
        src.set_len(0);
        self.set_len(count);
    }

    /// Merge: append `sep` and all of `src` (its children included).
    pub(crate) fn append_from(&mut self, sep: K, src: &mut Self) {
        let (len, count) = (self.len(), src.len());
        assert!(len + 1 + count <= C::CAP);
        self.insert(len, sep, src.first);
        self.reserve(len + 1 + count);
        // SAFETY: `src[..count]` is given up (its length becomes 0) and we
        // have room for `len + 1 + count`.
        unsafe {
            move_slice(
                src.keys.as_ptr(),
                self.keys.as_mut_ptr().add(len + 1),
                count,
            );
            move_slice(
                src.rights.as_ptr(),
                self.rights.as_mut_ptr().add(len + 1),
                count,
            );
        }
        src.set_len(0);
        self.set_len(len + 1 + count);
    }

    /// Rotate `count` children from the front of `right` to the end of this
    /// branch through the parent separator `sep`; returns the new separator.
    pub(crate) fn take_front_of(&mut self, sep: K, right: &mut Self, count: usize) -> K {
        let (len, rlen) = (self.len(), right.len());
        assert!(count >= 1 && count <= rlen && len + count <= C::CAP);
        self.insert(len, sep, right.first);
        self.reserve(len + count);
        // SAFETY: `right`'s first `count - 1` separators and right children
        // move to our tail; its separator `count - 1` is read out as the new
        // parent separator, its right child becomes `right.first`, and the
        // remaining `rlen - count` entries shift down.
        unsafe {
            move_slice(
                right.keys.as_ptr(),
                self.keys.as_mut_ptr().add(len + 1),
                count - 1,
            );
            move_slice(
                right.rights.as_ptr(),
                self.rights.as_mut_ptr().add(len + 1),
                count - 1,
            );
            let new_sep = right.keys.as_ptr().add(count - 1).read();
            right.first = right.rights.as_ptr().add(count - 1).read();
            shift_left(right.keys.as_mut_ptr(), rlen, count);
            shift_left(right.rights.as_mut_ptr(), rlen, count);
            self.set_len(len + count);
            right.set_len(rlen - count);
            new_sep
        }
    }

    /// Rotate `count` children from the end of this branch to the front of
    /// `right` through the parent separator `sep`; returns the new separator.
    pub(crate) fn give_back_to(&mut self, sep: K, right: &mut Self, count: usize) -> K {
        let (len, rlen) = (self.len(), right.len());
        assert!(count >= 1 && count <= len && rlen + count <= C::CAP);
        right.reserve(rlen + count);
        // SAFETY: `right` shifts up by `count`; into the gap go our last
        // `count - 1` separators and `sep`, and as children our last `count`
        // children (the old `right.first` moves behind `sep`). Our separator
        // `len - count` becomes the new parent separator.
        unsafe {
            shift_right(right.keys.as_mut_ptr(), rlen, count);
            shift_right(right.rights.as_mut_ptr(), rlen, count);
            let kp = right.keys.as_mut_ptr();
            let rp = right.rights.as_mut_ptr();
            move_slice(self.keys.as_ptr().add(len - count + 1), kp, count - 1);
            kp.add(count - 1).write(sep);
            move_slice(self.rights.as_ptr().add(len - count + 1), rp, count - 1);
            rp.add(count - 1).write(right.first);
            right.first = self.rights.as_ptr().add(len - count).read();
            let new_sep = self.keys.as_ptr().add(len - count).read();
            self.set_len(len - count);
            right.set_len(rlen + count);
            new_sep
        }
    }
}

impl<K, C: Config> Drop for Branch<K, C> {
    fn drop(&mut self) {
        let len = self.len();
        self.len = 0;
        // SAFETY: the first `len` keys are initialised and never used again
        // (handles need no drop).
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.keys.as_mut_ptr(), len));
        }
    }
}

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
    const LEAF: Layout = Layout::new::<Leaf<K, V, C>>();
    const BRANCH: Layout = Layout::new::<Branch<K, C>>();

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
    pub(crate) fn alloc_branch(&mut self, first: C::H) -> Option<C::H> {
        let core = &mut self.core;
        // SAFETY: as in `alloc_leaf`, for the branch arena.
        let h = unsafe { core.branches.alloc(&mut core.branch_head, Self::BRANCH) }?;
        // SAFETY: as in `alloc_leaf`.
        unsafe { Branch::init(self.branch_ptr(h), first) };
        Some(h)
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
                .free_slots(self.leaf_head, Self::LEAF, leaf_free)?;
            self.branches
                .free_slots(self.branch_head, Self::BRANCH, branch_free)?;
        }
        Ok((
            self.leaves.usage(Self::LEAF).slots,
            self.branches.usage(Self::BRANCH).slots,
        ))
    }
}

/// Moving a tree to handles of another width.
impl<K, V, C: Config> RawTree<K, V, C> {
    /// Move every node into a new tree of configuration `D`: the same
    /// storage and capacity, handles of another width. Leaves are numbered
    /// from 0 in key order and each branch after its children, so the new
    /// arenas have no free slots. Entries and separators move: no key or
    /// value is cloned, compared or dropped, and nothing but an allocation
    /// can fail. Returns the new tree and the new name of leaf `follow`
    /// (NIL for NIL).
    ///
    /// # Panics
    ///
    /// If `D`'s handles cannot name every node; callers make sure they can.
    pub(crate) fn transcode<D: Config>(mut self, follow: C::H) -> (RawTree<K, V, D>, D::H) {
        const { assert!(C::CAP == D::CAP) };
        let (root, height, len) = (self.root, self.height, self.len);
        // The old tree forgets its shape first: each node is freed as it
        // moves, and were anything to unwind, what is left would only leak.
        self.root = C::H::NIL;
        self.height = 0;
        self.len = 0;
        let mut moved = Transcode {
            dst: RawTree::<K, V, D>::new(),
            last_leaf: D::H::NIL,
            follow,
            followed: D::H::NIL,
        };
        if !root.is_nil() {
            let root = self.transcode_node(root, height, &mut moved);
            moved.dst.root = root;
            moved.dst.height = height;
            moved.dst.len = len;
        }
        (moved.dst, moved.followed)
    }

    /// Move node `h` at `height` above the leaves, and its subtree, into
    /// `moved.dst`; returns its new handle.
    fn transcode_node<D: Config>(
        &mut self,
        h: C::H,
        height: u8,
        moved: &mut Transcode<K, V, D, C::H>,
    ) -> D::H {
        const FIT: &str = "the new handles name every node";
        let dst = &mut moved.dst;
        if height == 0 {
            let new = dst.alloc_leaf().expect(FIT);
            // SAFETY: `h` is a live leaf of the old tree (read from its
            // links); `new` was just allocated and `prev`, the leaf moved
            // before it, is live in the new tree.
            unsafe {
                dst.leaf_mut(new).append_from(self.leaf_mut(h));
                let prev = moved.last_leaf;
                if !prev.is_nil() {
                    dst.leaf_mut(prev).next = new;
                    dst.leaf_mut(new).prev = prev;
                }
            }
            moved.last_leaf = new;
            if h == moved.follow {
                moved.followed = new;
            }
            // SAFETY: `h` is live, and no link of the old tree is followed
            // to it again (its parent is being moved, its neighbours are
            // reached from the parents).
            unsafe { self.free_leaf(h) };
            return new;
        }
        // SAFETY: `h` is a live branch of the old tree (read from its links),
        // and stays so while its children move.
        let len = unsafe { self.branch(h) }.len();
        let children: alloc::vec::Vec<D::H> = (0..=len)
            .map(|i| {
                // SAFETY: as above.
                let child = unsafe { self.branch(h) }.child(i);
                self.transcode_node(child, height - 1, moved)
            })
            .collect();
        let dst = &mut moved.dst;
        let new = dst.alloc_branch(children[0]).expect(FIT);
        // SAFETY: `new` was just allocated; `h` is live, and freed once its
        // separators have moved (its parent no longer follows it).
        unsafe {
            dst.branch_mut(new)
                .take_keys_from(self.branch_mut(h), &children[1..]);
            self.free_branch(h);
        }
        new
    }
}

/// The state of a [`RawTree::transcode`]: the new tree, the last leaf
/// moved (to link the next one to), and the leaf to follow.
struct Transcode<K, V, D: Config, H> {
    dst: RawTree<K, V, D>,
    last_leaf: D::H,
    follow: H,
    followed: D::H,
}

/// A leaf seen through raw pointers, for iterators that hand out `&mut V`
/// while they keep walking: reading it creates no reference to the leaf, so
/// references already handed out into it stay valid.
pub(crate) struct LeafView<K, V, H> {
    pub(crate) keys: *const K,
    pub(crate) vals: *mut V,
    pub(crate) len: usize,
    pub(crate) next: H,
    pub(crate) prev: H,
}

impl<K, V, C: Config> RawTree<K, V, C> {
    /// Raw view of leaf `h` (see [`LeafView`]).
    ///
    /// # Safety
    /// `h` names a live leaf of this tree.
    #[inline]
    pub(crate) unsafe fn leaf_view(&self, h: C::H) -> LeafView<K, V, C::H> {
        // SAFETY: `h` is live (caller's contract).
        let p = unsafe { self.leaf_ptr(h) };
        // SAFETY: `h` is a live leaf; fields are read by place, and the
        // buffers are reached through `Buf::raw`, so no reference to the
        // leaf or its slots is created.
        unsafe {
            LeafView {
                keys: <C::Buf<K> as Buf<K>>::raw(&raw mut (*p).keys),
                vals: <C::Buf<V> as Buf<V>>::raw(&raw mut (*p).vals),
                len: (*p).len as usize,
                next: (*p).next,
                prev: (*p).prev,
            }
        }
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
        let n: u32 = if cfg!(miri) { 60 } else { 600 };
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

    /// `transcode` moves every node of a churned tree (free slots scattered
    /// through its arenas) to the other handle width and back: every entry
    /// arrives once, nothing is dropped twice or leaked, the leaf it is
    /// asked to follow is found, and both trees pass the invariant check.
    /// (The switch an `Adaptive` map makes needs 65,535 nodes, too many for
    /// Miri; `tests/widening.rs` drives it through the API.)
    fn transcode_both_ways<A: ArenaStrategy>() {
        use crate::policy::Cfg;
        use crate::raw::RawTree;
        use crate::raw::navigate::Pos;
        type Narrow<A> = RawTree<String, Vec<u32>, Cfg<Compact16, A, 4>>;
        type Wide<A> = RawTree<String, Vec<u32>, Cfg<Wide32, A, 4>>;

        let n: u32 = if cfg!(miri) { 90 } else { 900 };
        let mut tree = Narrow::<A>::from_sorted((0..n).map(|i| (key(i), alloc::vec![i]))).unwrap();
        for i in (0..n).step_by(3) {
            let mut path = crate::raw::Path::new();
            let k = key(i);
            let leaf = tree.descend(&k, &mut path);
            // SAFETY: the path and leaf were just recorded by a descent.
            unsafe {
                let at = tree.leaf(leaf).keys().binary_search(&k).unwrap();
                tree.remove_at(&path, leaf, at);
            }
        }
        tree.check().unwrap();
        let expect: Vec<(String, Vec<u32>)> = (0..n)
            .filter(|i| i % 3 != 0)
            .map(|i| (key(i), alloc::vec![i]))
            .collect();
        let follow = tree.last_leaf();
        // SAFETY: the last leaf is live.
        let follow_len = unsafe { tree.leaf(follow) }.len();

        let (wide, followed): (Wide<A>, _) = tree.transcode(follow);
        wide.check().unwrap();
        assert_eq!(wide.len, expect.len());
        assert_eq!(wide.last_leaf(), followed);
        // SAFETY: the transcode names the moved leaf, live.
        assert_eq!(unsafe { wide.leaf(followed) }.len(), follow_len);

        let (back, _): (Narrow<A>, _) = wide.transcode(Wide32::NIL);
        back.check().unwrap();
        let (mut got, mut h) = (Vec::new(), back.first_leaf());
        while !h.is_nil() {
            // SAFETY: the first leaf and the `next` links are live.
            let leaf = unsafe { back.leaf(h) };
            got.extend(leaf.keys().iter().cloned().zip(leaf.vals().iter().cloned()));
            h = leaf.next;
        }
        assert_eq!(got, expect);
        let first = Pos {
            leaf: back.first_leaf(),
            idx: 0,
        };
        // SAFETY: the first leaf is live.
        assert_eq!(unsafe { back.normalize(first) }, first);
    }

    #[test]
    fn transcode_moves_every_node() {
        transcode_both_ways::<VecArena<Boxed>>();
        transcode_both_ways::<PoolArena<Inline>>();
        transcode_both_ways::<Indirect<VecArena<Inline>>>();
        transcode_both_ways::<MaskedArena<Growing>>();
    }

    #[test]
    fn growing_storage() {
        exercise::<Wide32, MaskedArena<Growing>>();
        exercise::<Wide32, VecArena<Growing>>();
    }
}
