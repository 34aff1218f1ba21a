//! Node storage: how a node holds its up-to-`CAP` keys, values or children.
//!
//! A storage policy names a buffer type ([`Buf`]) that offers `CAP` slots of
//! possibly uninitialised `T`. Which slots are initialised is the node's
//! business (its `len`); a buffer never drops its contents, only its own
//! memory. This module owns the raw-pointer contract of those buffers.
//!
//! | policy | buffer | trade-off |
//! |---|---|---|
//! | [`Inline`] | `[MaybeUninit<T>; CAP]` in the node | best locality; arena slots are large |
//! | [`Boxed`] | one heap array of exactly `CAP` slots per node array (held as a raw pointer) | small arena slots; one pointer hop |
//! | [`Growing`] | a `Vec` per array that grows as the node fills | the seed's baseline (Phase 0/1) |

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::{ManuallyDrop, MaybeUninit, size_of};
use core::ptr::{self, NonNull};

mod sealed {
    pub trait Sealed {}
}

/// A node-storage policy: [`Inline`], [`Boxed`] or [`Growing`].
///
/// Chosen through the arena strategy's type parameter, e.g.
/// `VecArena<Boxed>`; every arena defaults to [`Inline`]. Sealed.
pub trait Storage: sealed::Sealed + Send + Sync + 'static {
    /// The buffer holding up to `N` elements of `T` (the engine's).
    #[doc(hidden)]
    type Buf<T, const N: usize>: Buf<T>;
    /// The name used in reports.
    const NAME: &'static str;
    /// Whether every node holds exactly `CAP` slots whatever it holds
    /// ([`Inline`], [`Boxed`]), rather than growing with its contents
    /// ([`Growing`]). Fixed nodes cost the same full or not, so such
    /// configurations keep small maps as a sorted run (see
    /// [`BPlusTreeMap::RUN_MAX`](crate::BPlusTreeMap::RUN_MAX)) and split two full
    /// leaves into three rather than one into two halves.
    const FIXED: bool;
}

/// A fixed-capacity, possibly uninitialised buffer of `T` (internal to the
/// engine; it cannot be named outside the crate).
///
/// # Safety
/// Implementors guarantee that after `reserve(n)` (and for as long as the
/// buffer is not moved or reserved again) `as_ptr`/`as_mut_ptr` point to
/// `n` properly aligned slots of `T`, valid for reads and writes, and that
/// the buffer never reads or drops those slots itself.
pub unsafe trait Buf<T> {
    /// A new buffer. `Inline` and `Boxed` buffers have all their slots from
    /// the start; a `Growing` buffer has none until `reserve`.
    fn new() -> Self;
    /// Write a new buffer at `this` without building it on the stack (an
    /// inline buffer is a whole node's keys or values).
    ///
    /// # Safety
    /// `this` is valid for writes and aligned; what it held is overwritten
    /// unread.
    #[inline]
    unsafe fn init(this: *mut Self)
    where
        Self: Sized,
    {
        // SAFETY: caller's contract.
        unsafe { this.write(Self::new()) }
    }
    /// Make sure at least `n` slots exist (no-op for fixed buffers, which
    /// always have `N`, and `n` never exceeds `N`).
    fn reserve(&mut self, n: usize);
    /// The first slot.
    fn as_ptr(&self) -> *const T;
    /// The first slot, for writing.
    fn as_mut_ptr(&mut self) -> *mut T;
    /// The first slot, reached without creating a reference to the slots
    /// (so that references handed out earlier into them stay valid).
    ///
    /// # Safety
    /// `this` points to a live buffer.
    unsafe fn raw(this: *mut Self) -> *mut T;
    /// Bytes this buffer holds on the heap (zero for inline buffers).
    fn heap_bytes(&self) -> usize;
}

/// Keys and values stored inline in the node, as `[MaybeUninit<T>; CAP]`.
pub struct Inline;
/// Keys and values in one boxed slice of exactly `CAP` per node array.
pub struct Boxed;
/// Keys and values in a `Vec` per node that grows as the node fills (the
/// seed's "current" layout, kept to reproduce Phase 0 and Phase 1).
pub struct Growing;

impl sealed::Sealed for Inline {}
impl sealed::Sealed for Boxed {}
impl sealed::Sealed for Growing {}

impl Storage for Inline {
    type Buf<T, const N: usize> = [MaybeUninit<T>; N];
    const NAME: &'static str = "inline";
    const FIXED: bool = true;
}
impl Storage for Boxed {
    type Buf<T, const N: usize> = BoxedBuf<T, N>;
    const NAME: &'static str = "boxed";
    const FIXED: bool = true;
}
impl Storage for Growing {
    type Buf<T, const N: usize> = GrowingBuf<T>;
    const NAME: &'static str = "growing";
    const FIXED: bool = false;
}

// SAFETY: an array of N `MaybeUninit<T>` is N aligned slots that never drop
// their contents; `reserve` is only ever asked for n <= N.
unsafe impl<T, const N: usize> Buf<T> for [MaybeUninit<T>; N] {
    #[inline]
    fn new() -> Self {
        [const { MaybeUninit::uninit() }; N]
    }
    #[inline]
    unsafe fn init(_: *mut Self) {
        // Uninitialised slots are a valid array of `MaybeUninit`: nothing
        // to write.
    }
    #[inline]
    fn reserve(&mut self, n: usize) {
        debug_assert!(n <= N);
    }
    #[inline]
    fn as_ptr(&self) -> *const T {
        self.as_slice().as_ptr().cast()
    }
    #[inline]
    fn as_mut_ptr(&mut self) -> *mut T {
        self.as_mut_slice().as_mut_ptr().cast()
    }
    #[inline]
    unsafe fn raw(this: *mut Self) -> *mut T {
        this.cast()
    }
    #[inline]
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// The buffer of the [`Boxed`] policy: a heap array of exactly `N` slots.
///
/// Held as a raw pointer rather than a `Box`, so that reaching the slots
/// never asserts uniqueness over all of them.
pub struct BoxedBuf<T, const N: usize>(NonNull<MaybeUninit<T>>);

// SAFETY: a `BoxedBuf` owns its array like a `Box<[MaybeUninit<T>]>` would,
// and is `Send` on the same condition.
unsafe impl<T: Send, const N: usize> Send for BoxedBuf<T, N> {}
// SAFETY: as above; `&BoxedBuf` only hands out a `*const T`.
unsafe impl<T: Sync, const N: usize> Sync for BoxedBuf<T, N> {}

impl<T, const N: usize> Drop for BoxedBuf<T, N> {
    fn drop(&mut self) {
        let slice = ptr::slice_from_raw_parts_mut(self.0.as_ptr(), N);
        // SAFETY: made by `Box::into_raw` of a boxed slice of length N in
        // `new`; `MaybeUninit` drops nothing.
        drop(unsafe { Box::from_raw(slice) });
    }
}

// SAFETY: the array holds exactly N aligned slots from construction on and
// `MaybeUninit` never drops its contents; `reserve` is only asked for n <= N.
unsafe impl<T, const N: usize> Buf<T> for BoxedBuf<T, N> {
    #[inline]
    fn new() -> Self {
        let raw = Box::into_raw(Box::<[T]>::new_uninit_slice(N));
        // SAFETY: `Box::into_raw` never returns null.
        BoxedBuf(unsafe { NonNull::new_unchecked(raw.cast()) })
    }
    #[inline]
    fn reserve(&mut self, n: usize) {
        debug_assert!(n <= N);
    }
    #[inline]
    fn as_ptr(&self) -> *const T {
        self.0.as_ptr().cast()
    }
    #[inline]
    fn as_mut_ptr(&mut self) -> *mut T {
        self.0.as_ptr().cast()
    }
    #[inline]
    unsafe fn raw(this: *mut Self) -> *mut T {
        // SAFETY: `this` is live; the field read copies the pointer.
        unsafe { (*this).0.as_ptr().cast() }
    }
    #[inline]
    fn heap_bytes(&self) -> usize {
        N * size_of::<T>()
    }
}

/// The buffer of the [`Growing`] policy: an array whose capacity grows
/// (amortised doubling) as the node needs slots.
///
/// Held as the raw parts of a `Vec<MaybeUninit<T>>` whose length is always
/// its capacity (every `MaybeUninit` is a valid value, so growing preserves
/// every slot, not only a prefix). Raw parts rather than a `Vec`, so that
/// [`Buf::raw`] reads the pointer without creating a reference to the
/// buffer: iterators reach a leaf's slots through a shared path while other
/// iterators over the same `&map` do the same on other threads. All three
/// parts are kept, as a `Vec` keeps them, so that the buffer is the seed's
/// per-node `Vec` to the byte and Phases 0 and 1 measure what it cost.
pub struct GrowingBuf<T> {
    ptr: NonNull<MaybeUninit<T>>,
    /// The vector's length: always `cap`.
    len: usize,
    cap: usize,
}

// SAFETY: a `GrowingBuf` owns its array like a `Vec<MaybeUninit<T>>` would,
// and is `Send` on the same condition.
unsafe impl<T: Send> Send for GrowingBuf<T> {}
// SAFETY: as above; `&GrowingBuf` only hands out a `*const T`.
unsafe impl<T: Sync> Sync for GrowingBuf<T> {}

impl<T> GrowingBuf<T> {
    /// Rebuild the vector the buffer was made from, to grow or free it.
    fn as_vec(&mut self) -> ManuallyDrop<Vec<MaybeUninit<T>>> {
        // SAFETY: `ptr`, `len` and `cap` are the raw parts of a
        // `Vec<MaybeUninit<T>>` (see the type docs), or a dangling pointer
        // with length and capacity 0, which are an empty `Vec`'s.
        ManuallyDrop::new(unsafe { Vec::from_raw_parts(self.ptr.as_ptr(), self.len, self.cap) })
    }
}

impl<T> Drop for GrowingBuf<T> {
    fn drop(&mut self) {
        // `MaybeUninit` drops nothing: this frees the array only.
        drop(ManuallyDrop::into_inner(self.as_vec()));
    }
}

// SAFETY: `reserve(n)` makes the capacity (= the vector's length) at least
// n; the slots are aligned, writable `MaybeUninit`s that growth moves whole
// (the vector's length is its capacity) and nothing reads or drops as `T`.
unsafe impl<T> Buf<T> for GrowingBuf<T> {
    #[inline]
    fn new() -> Self {
        GrowingBuf {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        }
    }
    #[inline]
    fn reserve(&mut self, n: usize) {
        if n > self.cap {
            // Doubling growth, as the seed's `Vec::push` had. If growing
            // fails, the vector is left as it was and still ours.
            let target = n.max(self.cap * 2).max(4);
            let mut v = self.as_vec();
            v.reserve_exact(target - self.cap);
            let cap = v.capacity();
            // SAFETY: `cap` slots are allocated and `MaybeUninit<T>` needs
            // no initialisation.
            unsafe { v.set_len(cap) };
            // SAFETY: a vector's pointer is never null.
            self.ptr = unsafe { NonNull::new_unchecked(v.as_mut_ptr()) };
            (self.len, self.cap) = (cap, cap);
        }
    }
    #[inline]
    fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr().cast()
    }
    #[inline]
    fn as_mut_ptr(&mut self) -> *mut T {
        self.ptr.as_ptr().cast()
    }
    #[inline]
    unsafe fn raw(this: *mut Self) -> *mut T {
        // SAFETY: `this` is live; the field is read by place, creating no
        // reference to the buffer.
        unsafe { (*this).ptr.as_ptr().cast() }
    }
    #[inline]
    fn heap_bytes(&self) -> usize {
        self.cap * size_of::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip<B: Buf<u32>>() {
        let mut b = B::new();
        b.reserve(5);
        for i in 0..5 {
            // SAFETY: `reserve(5)` gave five writable slots.
            unsafe { b.as_mut_ptr().add(i).write(i as u32 * 3) };
        }
        // SAFETY: the five slots were written just above.
        let s = unsafe { core::slice::from_raw_parts(b.as_ptr(), 5) };
        assert_eq!(s, &[0, 3, 6, 9, 12]);
    }

    #[test]
    fn buffers_hold_what_is_written() {
        roundtrip::<<Inline as Storage>::Buf<u32, 8>>();
        roundtrip::<<Boxed as Storage>::Buf<u32, 8>>();
        roundtrip::<<Growing as Storage>::Buf<u32, 8>>();
    }

    #[test]
    fn growing_doubles() {
        let mut b = GrowingBuf::<u64>::new();
        assert_eq!(b.heap_bytes(), 0);
        b.reserve(1);
        assert_eq!(b.heap_bytes(), 4 * 8);
        b.reserve(5);
        assert_eq!(b.heap_bytes(), 8 * 8);
    }
}
