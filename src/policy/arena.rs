//! Arenas: where nodes live, and how their slots are found and recycled.
//!
//! An arena hands out *slots* of one fixed [`Layout`] and names each with a
//! [`Handle`]. Arenas are type-erased: they store bytes, and the tree's typed
//! access (`raw/tree.rs`) reads and writes the node layer's leaves and
//! branches through the slot addresses.
//! Erasing the element type keeps `BPlusTreeMap` covariant in `K` and `V`
//! (a field of type `A::Arena<Leaf<K, V>>` would make it invariant), just as
//! std's `BTreeMap` stays covariant by holding raw node pointers.
//!
//! Contract shared by every arena (the tree upholds it): every call on one
//! arena passes the same `Layout`; a slot is written before it is read; a
//! slot's contents are dropped or moved out before `release`, and all live
//! slots before `free_all`. Arenas never drop node contents themselves.
//!
//! Each arena's free-list head ([`RawArena::Head`]) is kept by the tree
//! beside its other small fields rather than inside the arena, so that two
//! arenas, the root, the height and two heads pack without padding (that is
//! what brings Phase 2 to 72 bytes and Phase 3 to 64).

use alloc::alloc::{alloc, dealloc, handle_alloc_error, realloc};
use alloc::vec::Vec;
use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::counts::{Count, NoCount};
use super::handle::Handle;
use super::storage::{Inline, Storage};
use crate::node::Block;

pub(super) mod sealed {
    pub trait Sealed {}
}

/// An arena strategy: [`VecArena`], [`PoolArena`] or [`MaskedArena`].
///
/// The type parameter `S` of each strategy picks the node [`Storage`]
/// policy, defaulting to [`Inline`]: `PoolArena` is `PoolArena<Inline>`,
/// `VecArena<Boxed>` keeps per-node boxed arrays in a `Vec`-backed arena.
/// Sealed: the tree's memory safety rests on the arenas' contract.
///
/// [`Boxed`]: super::Boxed
pub trait ArenaStrategy: sealed::Sealed + Send + Sync + 'static {
    /// How nodes in this arena hold their keys, values and children.
    type Storage: Storage;
    /// The arena itself, for handles of width `H` (the engine's).
    #[doc(hidden)]
    type Raw<H: Handle>: RawArena<H>;
    /// Where a tree keeps its state (arenas, root, length): in the map
    /// (`Direct`) or behind one heap pointer (`Box`, for [`Indirect`]).
    #[doc(hidden)]
    type Place<T: Send + Sync>: Place<T>;
    /// What a branch keeps beside each child: the number of entries below
    /// it ([`Counted`]), or nothing.
    #[doc(hidden)]
    type Count: Count;
    /// What a node of `CAP` entries keeps beside its keys: their prefixes
    /// ([`Prefixed`](super::Prefixed)), or nothing.
    #[doc(hidden)]
    type Block<const CAP: usize>: Block;
    /// A small map stays a sorted run (no tree) up to this many full
    /// leaves' worth of entries; see
    /// [`BPlusTreeMap::RUN_MAX`](crate::BPlusTreeMap::RUN_MAX).
    #[doc(hidden)]
    const RUN_LEAVES: usize;
    /// The entries a small run's first block has room for (it then grows
    /// 4, 8, 11 and by a quarter).
    #[doc(hidden)]
    const RUN_FIRST: usize;
    /// The name used in reports.
    const NAME: &'static str;
}

/// Where a tree's state lives: [`Direct`] (in the map), `Box` (behind
/// one pointer), or `Infallible` (nowhere: the place of a tree that cannot
/// exist, such as a widened tree of a fixed handle width). Sealed; internal
/// to the engine.
pub trait Place<T>: sealed::Sealed + Send + Sync + Sized {
    /// Whether the value lives in its own heap allocation (false for
    /// [`Direct`] and `Infallible`).
    const BOXED: bool;
    /// Put `value` in place.
    fn new(value: T) -> Self;
    /// The value.
    fn get(&self) -> &T;
    /// The value, mutably.
    fn get_mut(&mut self) -> &mut T;
    /// Take the value out.
    fn into_inner(self) -> T;
}

/// A tree's state held in the map itself.
#[repr(transparent)]
pub struct Direct<T>(T);

impl<T> sealed::Sealed for Direct<T> {}
impl<T> sealed::Sealed for alloc::boxed::Box<T> {}
impl sealed::Sealed for core::convert::Infallible {}

impl<T: Send + Sync> Place<T> for Direct<T> {
    const BOXED: bool = false;
    #[inline]
    fn new(value: T) -> Self {
        Direct(value)
    }
    #[inline]
    fn get(&self) -> &T {
        &self.0
    }
    #[inline]
    fn get_mut(&mut self) -> &mut T {
        &mut self.0
    }
    #[inline]
    fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Send + Sync> Place<T> for alloc::boxed::Box<T> {
    const BOXED: bool = true;
    #[inline]
    fn new(value: T) -> Self {
        alloc::boxed::Box::new(value)
    }
    #[inline]
    fn get(&self) -> &T {
        self
    }
    #[inline]
    fn get_mut(&mut self) -> &mut T {
        self
    }
    #[inline]
    fn into_inner(self) -> T {
        *self
    }
}

/// No place: a value of this type does not exist, so neither does the tree
/// it would hold. `new` is never called (a fixed-width tree never widens).
impl<T: Send + Sync> Place<T> for core::convert::Infallible {
    const BOXED: bool = false;
    fn new(_: T) -> Self {
        unreachable!("bptree: a tree of fixed handle width never widens")
    }
    fn get(&self) -> &T {
        match *self {}
    }
    fn get_mut(&mut self) -> &mut T {
        match *self {}
    }
    fn into_inner(self) -> T {
        match self {}
    }
}

/// How much an arena holds; see [`MemoryUsage`](crate::MemoryUsage).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArenaUsage {
    /// Slots that exist (live or free).
    pub slots: usize,
    /// Bytes the arena holds on the heap, spare capacity included.
    pub heap_bytes: usize,
    /// Live heap allocations the arena holds.
    pub allocations: usize,
}

/// A type-erased slot arena (internal to the engine; see the module docs for
/// the contract). Outside the crate it cannot be named, and every method
/// that could reach a slot is an `unsafe fn`.
///
/// # Safety
/// Implementors guarantee that `slot(h)` for a handle returned by `alloc`
/// and not yet released is a pointer to `layout.size()` bytes aligned to
/// `layout.align()`, distinct from every other live slot, and that the slot
/// keeps its contents until released. For arenas whose slots never move
/// ([`PoolArena`]) the address is stable; others may move slots on `alloc`.
pub unsafe trait RawArena<H: Handle>: Send + Sync + Sized {
    /// The free-list head, kept by the tree.
    type Head: Copy + fmt::Debug + Send + Sync;
    /// An arena holding nothing.
    const EMPTY: Self;
    /// The head of an arena holding nothing.
    const EMPTY_HEAD: Self::Head;

    /// A fresh slot, or `None` if every handle value is in use.
    ///
    /// # Safety
    /// `head` is this arena's head (kept by the caller since `EMPTY` and
    /// changed only by this arena's methods), and `layout` is the layout of
    /// every other call on this arena.
    unsafe fn alloc(&mut self, head: &mut Self::Head, layout: Layout) -> Option<H>;

    /// The address of slot `h`.
    ///
    /// # Safety
    /// `h` was returned by `alloc` and not released since, and `layout` is
    /// the layout of every call on this arena.
    unsafe fn slot(&self, h: H, layout: Layout) -> NonNull<u8>;

    /// Give slot `h` back.
    ///
    /// # Safety
    /// As for `slot`, `head` is this arena's head, and the slot's contents
    /// were dropped or moved out.
    unsafe fn release(&mut self, head: &mut Self::Head, h: H, layout: Layout);

    /// Free all memory and become `EMPTY` (the caller resets the head).
    ///
    /// # Safety
    /// `layout` is the layout of every call on this arena, and the contents
    /// of every live slot were dropped or moved out.
    unsafe fn free_all(&mut self, layout: Layout);

    /// Room for `additional` more slots, where the arena allocates slots
    /// ahead (a hint: arenas that allocate per chunk or per node ignore it).
    /// Bulk builds that know their node count call it, so that the arena
    /// is allocated once at its final size instead of grown step by step.
    ///
    /// # Safety
    /// `layout` is the layout of every call on this arena.
    unsafe fn reserve(&mut self, additional: usize, layout: Layout) {
        let _ = (additional, layout);
    }

    /// What the arena holds.
    fn usage(&self, layout: Layout) -> ArenaUsage;

    /// Call `f` with the index of every free slot, and check the arena's own
    /// bookkeeping on the way (cycles, out-of-range links, bitmaps).
    ///
    /// # Safety
    /// `head` is this arena's head and `layout` the layout of every call on
    /// it.
    unsafe fn for_each_free_slot(
        &self,
        head: Self::Head,
        layout: Layout,
        f: &mut dyn FnMut(usize),
    ) -> Result<(), &'static str>;
}

/// One `Vec`-like growable run of slots (grown by a function the arena
/// chooses: by a quarter for [`VecArena`], doubling for [`MaskedArena`];
/// slots move when it grows). Shared by both.
struct RawSlots {
    ptr: NonNull<u8>,
    cap: usize,
    len: usize,
}

// SAFETY: `RawSlots` owns plain memory with no thread affinity; the typed
// contents' Send/Sync are accounted for by the map's `PhantomData<(K, V)>`.
unsafe impl Send for RawSlots {}
// SAFETY: as above; `&RawSlots` allows no mutation.
unsafe impl Sync for RawSlots {}

impl RawSlots {
    const EMPTY: Self = RawSlots {
        ptr: NonNull::dangling(),
        cap: 0,
        len: 0,
    };

    fn array(cap: usize, layout: Layout) -> Layout {
        let size = layout.pad_to_align().size();
        let bytes = size.checked_mul(cap).expect("arena size overflows usize");
        Layout::from_size_align(bytes, layout.align()).expect("arena size overflows isize")
    }

    /// Append one slot, growing to `grow(cap)` slots (at most `max`) when full.
    fn push(&mut self, layout: Layout, max: usize, grow: fn(usize) -> usize) -> Option<usize> {
        if self.len == self.cap {
            if self.cap == max {
                return None;
            }
            self.grow_to(grow(self.cap).min(max), layout);
        }
        self.len += 1;
        Some(self.len - 1)
    }

    /// Make room for `additional` more slots (at most `max` in all) in one
    /// allocation, so that the next pushes do not grow step by step.
    fn reserve_exact(&mut self, additional: usize, layout: Layout, max: usize) {
        let want = self.len.saturating_add(additional).min(max);
        if want > self.cap {
            self.grow_to(want, layout);
        }
    }

    /// Reallocate to `new_cap > cap` slots.
    ///
    /// A run large enough for huge pages (see [`huge_pages`]) is moved to a
    /// new allocation that is advised before anything is written to it, so
    /// its pages fault in huge (a `realloc` would keep the old small pages:
    /// it moves them); a smaller one is `realloc`ed.
    fn grow_to(&mut self, new_cap: usize, layout: Layout) {
        debug_assert!(new_cap > self.cap);
        let new = Self::array(new_cap, layout);
        let huge = huge_pages::worth(new.size());
        let ptr = if self.cap == 0 || huge {
            // SAFETY: `new` has non-zero size: nodes are never zero-sized
            // and new_cap > cap >= 0.
            let ptr = unsafe { alloc(new) };
            if !ptr.is_null() {
                if huge {
                    huge_pages::advise(ptr, new.size());
                }
                if self.cap != 0 {
                    let old = Self::array(self.cap, layout);
                    // SAFETY: the first `len` slots of the old run (all that
                    // are in use, free ones included: they hold the free
                    // list) move to the new one, which is larger and does
                    // not overlap it; the old run was allocated with `old`
                    // and nothing refers to it afterwards.
                    unsafe {
                        ptr.copy_from_nonoverlapping(
                            self.ptr.as_ptr(),
                            self.len * layout.pad_to_align().size(),
                        );
                        dealloc(self.ptr.as_ptr(), old);
                    }
                }
            }
            ptr
        } else {
            // SAFETY: `ptr` was allocated with `array(cap, layout)`, and the
            // new size is non-zero and fits `isize` (checked by `array`).
            unsafe { realloc(self.ptr.as_ptr(), Self::array(self.cap, layout), new.size()) }
        };
        self.ptr = NonNull::new(ptr).unwrap_or_else(|| handle_alloc_error(new));
        self.cap = new_cap;
    }

    /// The address of slot `index`.
    ///
    /// # Safety
    /// `index < len` (the slot exists), and `layout` is the layout of every
    /// call on these slots.
    #[inline]
    unsafe fn slot(&self, index: usize, layout: Layout) -> NonNull<u8> {
        debug_assert!(index < self.len, "slot {index} out of {}", self.len);
        // SAFETY: index < len <= cap (caller's contract), so the offset
        // stays inside the allocation of `cap` padded slots of `layout`.
        unsafe { self.ptr.add(index * layout.pad_to_align().size()) }
    }

    fn free_all(&mut self, layout: Layout) {
        if self.cap != 0 {
            // SAFETY: allocated with exactly this layout.
            unsafe { dealloc(self.ptr.as_ptr(), Self::array(self.cap, layout)) };
        }
        *self = Self::EMPTY;
    }

    fn usage(&self, layout: Layout) -> ArenaUsage {
        ArenaUsage {
            slots: self.len,
            heap_bytes: self.cap * layout.pad_to_align().size(),
            allocations: usize::from(self.cap != 0),
        }
    }
}

/// Transparent huge pages for large runs of slots (Linux, with `std`).
///
/// A lookup in a large tree is bound by cache and TLB misses: its nodes
/// lie megabytes apart, and with 4 KiB pages nearly every node visited
/// needs a page-table walk. A run of slots is one allocation, so unlike
/// the separate node allocations of `BTreeMap` it can ask the kernel for
/// 2 MiB pages (`madvise(MADV_HUGEPAGE)`, which the default
/// `transparent_hugepage=madvise` setting honours), and a whole tree of a
/// million entries then fits in a dozen TLB entries. Only runs that hold
/// at least one whole aligned huge page ask; the advice changes no byte
/// and the bytes the map requests (what `memory_usage` reports) are the
/// same. Elsewhere (another OS, `no_std`, Miri) nothing is asked.
mod huge_pages {
    /// A huge page, on the targets that ask for them.
    const HUGE: usize = 2 << 20;

    /// Whether a run of `bytes` bytes asks for huge pages: one that holds
    /// at least one whole aligned huge page wherever it lies. Under Miri,
    /// which cannot ask, runs of a few KiB take the same path (a move to a
    /// new allocation), so that Miri checks it.
    pub(super) const fn worth(bytes: usize) -> bool {
        if cfg!(miri) {
            bytes >= 4 << 10
        } else {
            cfg!(all(feature = "std", target_os = "linux")) && bytes >= 2 * HUGE
        }
    }

    /// Ask for huge pages for the whole aligned huge pages inside the
    /// `bytes` bytes at `ptr` (an allocation of this crate's). Advice
    /// only: it reads and writes nothing, and a refusal changes nothing.
    #[cfg(all(feature = "std", target_os = "linux", not(miri)))]
    pub(super) fn advise(ptr: *mut u8, bytes: usize) {
        use core::ffi::{c_int, c_void};
        unsafe extern "C" {
            /// POSIX `madvise`, from the C library `std` links on Linux.
            fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
        }
        /// Linux's `MADV_HUGEPAGE` (the same on every architecture).
        const MADV_HUGEPAGE: c_int = 14;
        let start = (ptr as usize).next_multiple_of(HUGE);
        let end = (ptr as usize + bytes) & !(HUGE - 1);
        if start < end {
            // SAFETY: `start..end` lies inside the caller's allocation,
            // page-aligned; `MADV_HUGEPAGE` only sets a flag on the mapping
            // (no content changes, no memory is freed), and its result is
            // advice we may ignore.
            unsafe {
                madvise(
                    ptr.wrapping_add(start - ptr as usize).cast(),
                    end - start,
                    MADV_HUGEPAGE,
                )
            };
        }
    }

    #[cfg(not(all(feature = "std", target_os = "linux", not(miri))))]
    pub(super) fn advise(_: *mut u8, _: usize) {}
}

/// The arena of Phase 1 and later: one growable run of slots, with the free
/// list threaded through the free slots themselves (nothing on the side).
///
/// Fast (a node's address is one multiply away) and compact; slots move
/// when the run grows (by a quarter), so up to a fifth of it can be spare.
pub struct VecArena<S = Inline>(PhantomData<S>);

/// The arena of Phase 3: chunks of 64 slots, each with a free bitmap (the
/// first seven chunks hold 1, 1, 2, 4, 8, 16 and 32 slots, so a small tree
/// does not pay for 64 nodes).
///
/// Nodes never move, growth never copies, spare capacity is at most one
/// chunk, and a tree of a million entries makes a few hundred allocations.
pub struct PoolArena<S = Inline>(PhantomData<S>);

/// The seed's "current" arena, kept to reproduce the Phase 0 baseline:
/// a `Vec` of slots, a `Vec<usize>` free list, a `Vec<bool>` occupancy
/// mask and a generation counter (80 bytes per arena).
pub struct MaskedArena<S = Inline>(PhantomData<S>);

/// The run length of `VecArena`, `PoolArena` and, by default, `Indirect`:
/// four leaves' worth (the `4` in `Indirect`'s default parameter).
const SHORT_RUN_LEAVES: usize = 4;

/// Entries of a short run's first block: a `BTreeMap` leaf's.
const BTREE_FIRST_LEAF: usize = 11;

/// Any arena strategy with the tree's state behind one heap pointer: the
/// map itself is 16 bytes (a small map's run pointer and its `u16` length
/// and capacity, or the pointer to the tree; 24 with [`Adaptive`](crate::Adaptive) handles,
/// which tell a narrow tree from a wide one; `BTreeMap` is 24), and an
/// empty map allocates nothing. The price is one more pointer to follow on every operation on
/// a tree (one load, from a line that stays cached while the map is in
/// use).
///
/// The default configuration's arena: `BPlusTreeMap<K, V>` is
/// `BPlusTreeMap<K, V, Wide32, Indirect<VecArena>, 64>`. Many small maps
/// side by side are where the size tells: a `Vec` of 10^5 maps of ten
/// entries spans 1.6 MB of map headers instead of 7.2 MB, and every lookup
/// starts with one of them (see the README's small-maps table).
///
/// With fixed-size node storage, small maps stay sorted runs up to
/// `RUN_LEAVES` leaves' worth of entries: four by default, as a bare
/// [`VecArena`] or [`PoolArena`] (and behind `Indirect` for a
/// [`MaskedArena`] too, although a bare one keeps the seed's behaviour and
/// has no runs). Longer runs take less memory and insert slower (an insert
/// moves up to half the run); `Indirect<VecArena<Boxed>, 16>` is
/// [`Compact`](crate::config::Compact)'s arena, whose runs hold up to 2,048
/// entries. Runs of at most four leaves allocate room for 11 entries at
/// first (`BTreeMap`'s first leaf, so a map of up to 11 entries allocates
/// once); longer ones, chosen for memory, grow from 4. `RUN_LEAVES` is
/// bounded by the run's `u16` length: `CAP * RUN_LEAVES` must fit it,
/// checked at compile time.
///
/// ```
/// use bptree::policy::Indirect;
/// use bptree::{BPlusTreeMap, VecArena, Wide32};
///
/// assert_eq!(size_of::<BPlusTreeMap<u64, u64>>(), 16);
/// assert_eq!(BPlusTreeMap::<u8, u8>::RUN_MAX, 256);
/// assert_eq!(BPlusTreeMap::<u8, u8, Wide32, Indirect<VecArena, 16>, 64>::RUN_MAX, 1024);
/// // The same arena in the map itself: 72 bytes.
/// assert_eq!(size_of::<BPlusTreeMap<u64, u64, Wide32, VecArena, 64>>(), 72);
/// ```
pub struct Indirect<A = VecArena, const RUN_LEAVES: usize = 4>(PhantomData<A>);

impl<A, const RUN_LEAVES: usize> sealed::Sealed for Indirect<A, RUN_LEAVES> {}

impl<A: ArenaStrategy, const LEAVES: usize> ArenaStrategy for Indirect<A, LEAVES> {
    type Storage = A::Storage;
    type Raw<H: Handle> = A::Raw<H>;
    type Place<T: Send + Sync> = alloc::boxed::Box<T>;
    type Count = A::Count;
    type Block<const CAP: usize> = A::Block<CAP>;
    const RUN_LEAVES: usize = LEAVES;
    // Short runs start at `BTreeMap`'s first leaf, as `VecArena`'s; the
    // long runs of least memory grow from 4.
    const RUN_FIRST: usize = if LEAVES > SHORT_RUN_LEAVES {
        4
    } else {
        BTREE_FIRST_LEAF
    };
    const NAME: &'static str = A::NAME;
}

impl<S> sealed::Sealed for VecArena<S> {}
impl<S> sealed::Sealed for PoolArena<S> {}
impl<S> sealed::Sealed for MaskedArena<S> {}

impl<S: Storage> ArenaStrategy for VecArena<S> {
    type Storage = S;
    type Count = NoCount;
    type Block<const CAP: usize> = ();
    type Place<T: Send + Sync> = Direct<T>;
    // Four leaves' worth: a map of 100 entries stays one sorted array
    // (measured over 10^4 maps of 100 `u64`s, against runs of one leaf's
    // worth: insert 1.11 -> 0.78 and get 1.36 -> 0.68 times `BTreeMap`'s),
    // and such a run is smaller than the tree it replaces.
    const RUN_LEAVES: usize = SHORT_RUN_LEAVES;
    // A `BTreeMap` leaf's 11 at once: a map of up to 11 entries allocates
    // once (as `BTreeMap`), not three times (4, 8, 11), and never holds
    // more slots than `BTreeMap`'s first leaf.
    const RUN_FIRST: usize = BTREE_FIRST_LEAF;
    type Raw<H: Handle> = VecRaw<H>;
    const NAME: &'static str = "vec";
}
impl<S: Storage> ArenaStrategy for PoolArena<S> {
    type Storage = S;
    type Count = NoCount;
    type Block<const CAP: usize> = ();
    type Place<T: Send + Sync> = Direct<T>;
    // Four leaves' worth, as `VecArena`: over 10^4 maps of 100 `u64`s,
    // get 1.36-1.72 -> 0.54-0.58 times `BTreeMap`'s (`Phase3`,
    // `Compact16Pool32`, `Wide32Pool64`), and such a map takes 18.6 bytes
    // per entry instead of 26.0-30.4 (a two-leaf tree in a 64-node chunk).
    const RUN_LEAVES: usize = SHORT_RUN_LEAVES;
    const RUN_FIRST: usize = BTREE_FIRST_LEAF;
    type Raw<H: Handle> = PoolRaw<H>;
    const NAME: &'static str = "pool";
}
impl<S: Storage> ArenaStrategy for MaskedArena<S> {
    type Storage = S;
    type Count = NoCount;
    type Block<const CAP: usize> = ();
    type Place<T: Send + Sync> = Direct<T>;
    const RUN_LEAVES: usize = 0;
    const RUN_FIRST: usize = 4;
    type Raw<H: Handle> = MaskedRaw<H>;
    const NAME: &'static str = "masked";
}

/// How a [`VecArena`] grows: from one slot, by a quarter (at least two).
///
/// Nodes are large (a 64-entry leaf of u64 pairs is 1 KiB), so doubling
/// would leave up to half the arena spare; a quarter keeps spare capacity
/// under 20% at scale, and large reallocations move pages rather than copy
/// them.
fn vec_growth(cap: usize) -> usize {
    cap + (cap / 4).max(if cap == 0 { 1 } else { 2 })
}

/// The raw form of [`VecArena`].
pub struct VecRaw<H> {
    slots: RawSlots,
    _h: PhantomData<H>,
}

// SAFETY: the contract holds: slots come from `RawSlots::push` and are
// distinct; a free slot stores the next free index in its first bytes (a
// node is always larger than a handle), and is reused only after `release`.
unsafe impl<H: Handle> RawArena<H> for VecRaw<H> {
    type Head = H;
    const EMPTY: Self = VecRaw {
        slots: RawSlots::EMPTY,
        _h: PhantomData,
    };
    const EMPTY_HEAD: H = H::NIL;

    unsafe fn alloc(&mut self, head: &mut H, layout: Layout) -> Option<H> {
        debug_assert!(layout.size() >= size_of::<H>());
        if !head.is_nil() {
            let h = *head;
            // SAFETY: `head` is this arena's (caller's contract), so it names
            // a free slot, which holds the next free handle written by
            // `release`; the read is unaligned-tolerant.
            *head = unsafe {
                self.slots
                    .slot(h.index(), layout)
                    .cast::<H>()
                    .read_unaligned()
            };
            return Some(h);
        }
        let index = self.slots.push(layout, H::MAX_NODES, vec_growth)?;
        H::from_index(index)
    }

    unsafe fn reserve(&mut self, additional: usize, layout: Layout) {
        self.slots.reserve_exact(additional, layout, H::MAX_NODES);
    }

    #[inline]
    unsafe fn slot(&self, h: H, layout: Layout) -> NonNull<u8> {
        // SAFETY: a live handle names an existing slot, and the layout is
        // the arena's (caller's contract).
        unsafe { self.slots.slot(h.index(), layout) }
    }

    unsafe fn release(&mut self, head: &mut H, h: H, layout: Layout) {
        // SAFETY: the slot is live (caller's contract), at least handle-sized,
        // and its contents are dead.
        unsafe {
            self.slots
                .slot(h.index(), layout)
                .cast::<H>()
                .write_unaligned(*head)
        };
        *head = h;
    }

    unsafe fn free_all(&mut self, layout: Layout) {
        self.slots.free_all(layout);
    }

    fn usage(&self, layout: Layout) -> ArenaUsage {
        self.slots.usage(layout)
    }

    unsafe fn for_each_free_slot(
        &self,
        head: H,
        layout: Layout,
        f: &mut dyn FnMut(usize),
    ) -> Result<(), &'static str> {
        let mut h = head;
        let mut steps = 0;
        while !h.is_nil() {
            if h.index() >= self.slots.len {
                return Err("free list points past the arena");
            }
            steps += 1;
            if steps > self.slots.len {
                return Err("free list has a cycle");
            }
            f(h.index());
            // SAFETY: `h` is in range (checked above) and on this arena's
            // free list (`head` is this arena's); free slots hold a handle.
            h = unsafe {
                self.slots
                    .slot(h.index(), layout)
                    .cast::<H>()
                    .read_unaligned()
            };
        }
        Ok(())
    }
}

/// The raw form of [`MaskedArena`].
pub struct MaskedRaw<H> {
    slots: RawSlots,
    free: Vec<usize>,
    mask: Vec<bool>,
    generation: u32,
    _h: PhantomData<H>,
}

// SAFETY: slots come from `RawSlots::push` and are distinct; `mask` tracks
// which are live and a slot is reused only after `release` put it on `free`.
unsafe impl<H: Handle> RawArena<H> for MaskedRaw<H> {
    type Head = ();
    const EMPTY: Self = MaskedRaw {
        slots: RawSlots::EMPTY,
        free: Vec::new(),
        mask: Vec::new(),
        generation: 0,
        _h: PhantomData,
    };
    const EMPTY_HEAD: () = ();

    unsafe fn alloc(&mut self, _: &mut (), layout: Layout) -> Option<H> {
        self.generation = self.generation.wrapping_add(1);
        if let Some(index) = self.free.pop() {
            self.mask[index] = true;
            return H::from_index(index);
        }
        let index = self.slots.push(
            layout,
            H::MAX_NODES,
            |cap| if cap == 0 { 4 } else { cap * 2 },
        )?;
        self.mask.push(true);
        H::from_index(index)
    }

    #[inline]
    unsafe fn slot(&self, h: H, layout: Layout) -> NonNull<u8> {
        debug_assert!(self.mask[h.index()]);
        // SAFETY: a live handle names an existing slot, and the layout is
        // the arena's (caller's contract).
        unsafe { self.slots.slot(h.index(), layout) }
    }

    unsafe fn release(&mut self, _: &mut (), h: H, _: Layout) {
        self.generation = self.generation.wrapping_add(1);
        self.mask[h.index()] = false;
        self.free.push(h.index());
    }

    unsafe fn free_all(&mut self, layout: Layout) {
        self.slots.free_all(layout);
        *self = Self::EMPTY;
    }

    fn usage(&self, layout: Layout) -> ArenaUsage {
        let mut u = self.slots.usage(layout);
        u.heap_bytes += self.free.capacity() * size_of::<usize>() + self.mask.capacity();
        u.allocations +=
            usize::from(self.free.capacity() != 0) + usize::from(self.mask.capacity() != 0);
        u
    }

    unsafe fn for_each_free_slot(
        &self,
        _: (),
        _: Layout,
        f: &mut dyn FnMut(usize),
    ) -> Result<(), &'static str> {
        if self.mask.len() != self.slots.len {
            return Err("mask length differs from the slot count");
        }
        for &i in &self.free {
            if i >= self.slots.len || self.mask[i] {
                return Err("free list names a live or missing slot");
            }
            f(i);
        }
        if self.mask.iter().filter(|live| !**live).count() != self.free.len() {
            return Err("mask and free list disagree");
        }
        Ok(())
    }
}

/// Slots per full [`PoolArena`] chunk (one bit each in the chunk's free
/// bitmap); the first seven chunks are smaller, 64 slots together.
pub const POOL_CHUNK: usize = 64;
const NO_CHUNK: u32 = u32::MAX;

/// The header at the start of every pool chunk.
#[repr(C)]
struct ChunkHeader {
    /// Bit `s` set: slot `s` is free.
    free: u64,
    /// The next chunk with a free slot, or `NO_CHUNK`.
    next: u32,
}

/// The raw form of [`PoolArena`]: the chunks; the head of the list of chunks
/// that have a free slot is kept by the tree.
pub struct PoolRaw<H> {
    chunks: Vec<NonNull<u8>>,
    _h: PhantomData<H>,
}

// SAFETY: `PoolRaw` owns plain memory (its chunks) with no thread affinity,
// like `RawSlots`; the typed contents' Send/Sync are accounted for by the
// map's `PhantomData<(K, V)>`, and the type cannot be named outside the
// crate.
unsafe impl<H> Send for PoolRaw<H> {}
// SAFETY: as above.
unsafe impl<H> Sync for PoolRaw<H> {}

/// Chunk sizes: the first seven chunks hold 1, 1, 2, 4, 8, 16 and 32 slots
/// (64 in all), every later one [`POOL_CHUNK`], so a small pool holds
/// about as many slots as it uses and a large one makes one allocation per
/// 64 nodes. Chunk `c` holds the slot indices `chunk_base(c)..` onwards.
const SMALL_CHUNKS: usize = 7;

/// How many slots chunk `c` holds.
#[inline]
fn chunk_slots(c: usize) -> usize {
    match c {
        0 => 1,
        1..SMALL_CHUNKS => 1 << (c - 1),
        _ => POOL_CHUNK,
    }
}

/// The index of chunk `c`'s first slot.
#[inline]
fn chunk_base(c: usize) -> usize {
    match c {
        0 => 0,
        1..SMALL_CHUNKS => 1 << (c - 1),
        _ => POOL_CHUNK * (c - SMALL_CHUNKS + 1),
    }
}

/// The chunk holding slot index `i`, and the slot's place in it.
#[inline]
fn chunk_of(i: usize) -> (usize, usize) {
    if i < POOL_CHUNK {
        // Chunk `c` of the small ones starts at 2^(c-1) (at 0 for c = 0).
        let c = (usize::BITS - i.leading_zeros()) as usize;
        (c, i - ((1 << c) >> 1))
    } else {
        (i / POOL_CHUNK + SMALL_CHUNKS - 1, i % POOL_CHUNK)
    }
}

impl<H: Handle> PoolRaw<H> {
    /// Offset of slot 0 in chunk `c`, and the chunk's layout.
    fn chunk_layout(c: usize, layout: Layout) -> (usize, Layout) {
        let align = layout.align().max(align_of::<ChunkHeader>());
        let offset = size_of::<ChunkHeader>().next_multiple_of(layout.align());
        let size = offset + chunk_slots(c) * layout.pad_to_align().size();
        (
            offset,
            Layout::from_size_align(size, align).expect("pool chunk too large"),
        )
    }

    /// The header of chunk `chunk` (the index is checked).
    #[inline]
    fn header(&self, chunk: usize) -> *mut ChunkHeader {
        self.chunks[chunk].as_ptr().cast()
    }

    /// The free bits a fresh chunk starts with: only slots whose index is a
    /// usable handle.
    fn fresh_bits(chunk: usize) -> u64 {
        let first = chunk_base(chunk);
        let usable = H::MAX_NODES.saturating_sub(first).min(chunk_slots(chunk));
        if usable == POOL_CHUNK {
            u64::MAX
        } else {
            (1u64 << usable) - 1
        }
    }

    fn chunk_index(head: H) -> Option<usize> {
        (!head.is_nil()).then(|| head.index())
    }
}

// SAFETY: every slot lies inside its own chunk allocation at a distinct
// offset; chunks are never moved or freed before `free_all`, so slot
// addresses are stable; a slot is handed out only while its free bit is set
// and the bit is cleared when it is.
unsafe impl<H: Handle> RawArena<H> for PoolRaw<H> {
    /// The first chunk with a free slot, as a handle-sized chunk index.
    type Head = H;
    const EMPTY: Self = PoolRaw {
        chunks: Vec::new(),
        _h: PhantomData,
    };
    const EMPTY_HEAD: H = H::NIL;

    unsafe fn alloc(&mut self, head: &mut H, layout: Layout) -> Option<H> {
        let chunk = match Self::chunk_index(*head) {
            Some(c) => c,
            None => {
                let c = self.chunks.len();
                if chunk_base(c) >= H::MAX_NODES {
                    return None;
                }
                let (_, chunk_layout) = Self::chunk_layout(c, layout);
                // SAFETY: a chunk layout always has a non-zero size.
                let ptr = unsafe { alloc(chunk_layout) };
                let ptr = NonNull::new(ptr).unwrap_or_else(|| handle_alloc_error(chunk_layout));
                // SAFETY: the allocation starts with room for an aligned header.
                unsafe {
                    ptr.cast::<ChunkHeader>().write(ChunkHeader {
                        free: Self::fresh_bits(c),
                        next: NO_CHUNK,
                    })
                };
                self.chunks.push(ptr);
                *head = H::from_index(c)?;
                c
            }
        };
        // SAFETY: `chunk` exists (`header` checks the index) and its header
        // was initialised when the chunk was made; nothing else borrows it.
        let hdr = unsafe { &mut *self.header(chunk) };
        debug_assert!(hdr.free != 0, "a listed chunk has a free slot");
        let s = hdr.free.trailing_zeros() as usize;
        hdr.free &= hdr.free - 1;
        if hdr.free == 0 {
            *head = if hdr.next == NO_CHUNK {
                H::NIL
            } else {
                H::from_index(hdr.next as usize)?
            };
        }
        H::from_index(chunk_base(chunk) + s)
    }

    #[inline]
    unsafe fn slot(&self, h: H, layout: Layout) -> NonNull<u8> {
        let (chunk, s) = chunk_of(h.index());
        let offset = size_of::<ChunkHeader>().next_multiple_of(layout.align());
        // SAFETY: `chunk` exists (the index into `chunks` is checked) and,
        // `layout` being the one the chunk was made with (caller's
        // contract), slot `s < chunk_slots(chunk)` lies inside it.
        unsafe { self.chunks[chunk].add(offset + s * layout.pad_to_align().size()) }
    }

    unsafe fn release(&mut self, head: &mut H, h: H, _: Layout) {
        let (chunk, s) = chunk_of(h.index());
        // SAFETY: `chunk` exists (checked by `header`) and its header is
        // initialised.
        let hdr = unsafe { &mut *self.header(chunk) };
        debug_assert!(hdr.free & (1 << s) == 0, "double release");
        if hdr.free == 0 {
            hdr.next = if head.is_nil() {
                NO_CHUNK
            } else {
                head.index() as u32
            };
            *head = H::from_index(chunk).expect("chunk index fits a handle");
        }
        hdr.free |= 1 << s;
    }

    unsafe fn free_all(&mut self, layout: Layout) {
        for (c, ptr) in self.chunks.drain(..).enumerate() {
            // SAFETY: chunk `c` was allocated with this layout.
            unsafe { dealloc(ptr.as_ptr(), Self::chunk_layout(c, layout).1) };
        }
        self.chunks = Vec::new();
    }

    fn usage(&self, layout: Layout) -> ArenaUsage {
        let n = self.chunks.len();
        ArenaUsage {
            slots: (chunk_base(n)).min(H::MAX_NODES),
            heap_bytes: (0..n)
                .map(|c| Self::chunk_layout(c, layout).1.size())
                .sum::<usize>()
                + self.chunks.capacity() * size_of::<NonNull<u8>>(),
            allocations: self.chunks.len() + usize::from(self.chunks.capacity() != 0),
        }
    }

    unsafe fn for_each_free_slot(
        &self,
        head: H,
        _: Layout,
        f: &mut dyn FnMut(usize),
    ) -> Result<(), &'static str> {
        let mut listed = alloc::vec![false; self.chunks.len()];
        let mut c = Self::chunk_index(head);
        while let Some(chunk) = c {
            if chunk >= self.chunks.len() {
                return Err("free-chunk list points past the pool");
            }
            if core::mem::replace(&mut listed[chunk], true) {
                return Err("free-chunk list has a cycle");
            }
            // SAFETY: the chunk exists; headers are always initialised.
            let next = unsafe { (*self.header(chunk)).next };
            c = (next != NO_CHUNK).then_some(next as usize);
        }
        for (chunk, &is_listed) in listed.iter().enumerate() {
            // SAFETY: as above.
            let free = unsafe { (*self.header(chunk)).free };
            if (free != 0) != is_listed {
                return Err("a chunk with free slots is not listed, or a full one is");
            }
            if free & !Self::fresh_bits(chunk) != 0 {
                return Err("a bit for an unusable handle is set");
            }
            let mut bits = free;
            while bits != 0 {
                f(chunk_base(chunk) + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Compact16, Wide32};

    #[test]
    fn pool_chunks_cover_every_index_once() {
        let mut next = 0;
        for c in 0..SMALL_CHUNKS + 3 {
            assert_eq!(chunk_base(c), next, "chunk {c}");
            for s in 0..chunk_slots(c) {
                assert_eq!(chunk_of(next + s), (c, s));
            }
            next += chunk_slots(c);
        }
        assert_eq!(chunk_base(SMALL_CHUNKS), POOL_CHUNK);
    }

    #[repr(C)]
    struct Node<const PAD: usize = 0> {
        a: u64,
        b: u32,
        pad: [u8; PAD],
    }

    fn exercise<R: RawArena<H>, H: Handle>(rounds: usize) {
        exercise_sized::<R, H, 0>(rounds);
    }

    fn exercise_sized<R: RawArena<H>, H: Handle, const PAD: usize>(rounds: usize) {
        let layout = Layout::new::<Node<PAD>>();
        let mut arena = R::EMPTY;
        let mut head = R::EMPTY_HEAD;
        let mut live = Vec::new();
        for i in 0..rounds {
            // SAFETY: `head` is this arena's and every call passes `layout`.
            let h = unsafe { arena.alloc(&mut head, layout) }.unwrap();
            // SAFETY: a fresh slot of `layout`.
            unsafe {
                arena.slot(h, layout).cast::<Node<PAD>>().write(Node {
                    a: i as u64,
                    b: 7,
                    pad: [0; PAD],
                })
            };
            live.push((h, i as u64));
            if i % 3 == 2 {
                let (h, _) = live.swap_remove(i % live.len());
                // SAFETY: `h` is live and `Node` needs no drop.
                unsafe { arena.release(&mut head, h, layout) };
            }
        }
        for &(h, a) in &live {
            // SAFETY: live slots hold the node written above.
            let n = unsafe { arena.slot(h, layout).cast::<Node<PAD>>().as_ref() };
            assert_eq!((n.a, n.b), (a, 7));
        }
        let mut free = 0;
        // SAFETY: as for `alloc`.
        unsafe { arena.for_each_free_slot(head, layout, &mut |_| free += 1) }.unwrap();
        let usage = arena.usage(layout);
        assert_eq!(free + live.len(), usage.slots);
        // SAFETY: `Node` needs no drop.
        unsafe { arena.free_all(layout) };
    }

    /// Runs large enough for huge pages move to a new allocation when
    /// they grow (a few KiB under Miri, which checks the move; over 4 MiB
    /// natively, where it is asked for huge pages), keeping every slot.
    #[test]
    fn large_runs_keep_what_they_hold_when_they_move() {
        let n = if cfg!(miri) { 60 } else { 9000 };
        exercise_sized::<VecRaw<Wide32>, _, 1012>(n);
        exercise_sized::<MaskedRaw<Wide32>, _, 1012>(n);
        assert!(huge_pages::worth(if cfg!(miri) {
            4 << 10
        } else {
            4 << 20
        }));
        assert!(
            !huge_pages::worth(if cfg!(miri) { 4 << 9 } else { 2 << 20 })
                || cfg!(not(target_os = "linux"))
        );
    }

    #[test]
    fn arenas_keep_what_they_hold() {
        let n = if cfg!(miri) { 200 } else { 5000 };
        exercise::<VecRaw<Wide32>, _>(n);
        exercise::<PoolRaw<Wide32>, _>(n);
        exercise::<MaskedRaw<Wide32>, _>(n);
        exercise::<PoolRaw<Compact16>, _>(n);
    }

    #[test]
    #[cfg_attr(miri, ignore = "65,535 nodes of each arena: too slow under Miri")]
    fn compact_arenas_run_out_at_the_limit() {
        let layout = Layout::new::<Node>();
        let mut pool = PoolRaw::<Compact16>::EMPTY;
        let mut head = Compact16::NIL;
        for _ in 0..Compact16::MAX_NODES {
            // SAFETY: `head` is this arena's and every call passes `layout`.
            assert!(unsafe { pool.alloc(&mut head, layout) }.is_some());
        }
        // SAFETY: as above.
        assert!(unsafe { pool.alloc(&mut head, layout) }.is_none());
        // SAFETY: nothing to drop.
        unsafe { pool.free_all(layout) };
        let mut v = VecRaw::<Compact16>::EMPTY;
        let mut head = Compact16::NIL;
        for _ in 0..Compact16::MAX_NODES {
            // SAFETY: `head` is this arena's and every call passes `layout`.
            assert!(unsafe { v.alloc(&mut head, layout) }.is_some());
        }
        // SAFETY: as above.
        assert!(unsafe { v.alloc(&mut head, layout) }.is_none());
        // SAFETY: nothing to drop.
        unsafe { v.free_all(layout) };
    }
}
