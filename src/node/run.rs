//! The small run: a small map's entries, sorted, in one allocation.
//!
//! A map of at most `Config::RUN_MAX`
//! entries keeps them here instead of in a tree: `cap` keys, then `cap`
//! values, in a single heap block sized to the run (no arenas, no node
//! headers, nothing allocated while empty). Keys and values sit in separate
//! arrays, as in a leaf, so searches scan keys only and the run hands out
//! the same `&[K]`/`&[V]` slices a leaf does.
//!
//! The run is typed (`Run<K, V>` holds a raw block pointer and a
//! `PhantomData<(K, V)>`, so the map stays covariant in `K` and `V`); its
//! invariants (below) are kept by its own methods.
//!
//! The first block has room for the arena's `RUN_FIRST` entries (11 in a
//! `VecArena` or `PoolArena`, so a map of up to 11 entries allocates once,
//! as a `BTreeMap` does; 4 behind `Indirect`, for least memory); capacity
//! then grows 4, 8, 11, then by a quarter; it never exceeds `max`, and it
//! shrinks by three quarters once the run is under half full. A `BTreeMap`
//! leaf holds 11 entries, so up to 11 entries the run never holds more
//! slots than `BTreeMap`'s first leaf, and beyond that at most a quarter
//! more than it has entries.
//!
//! The entries need not start at the block's first slot: `head` free slots
//! may come before them, so that an insert or a removal in a run of at
//! least `TWO_SIDED` (256) entries moves the shorter side of the run (the
//! entries before the position, towards the front, or those after it,
//! towards the back) instead of always the tail. When the shorter side
//! has no free slot, the entries are first moved to the middle of the
//! block, splitting its free slots. Random inserts into such a run so move
//! a quarter of it per insert instead of half (`Compact`'s runs hold up to
//! 2,048 entries: at 1,000 entries, 645 -> 517 instructions per insert,
//! callgrind); ascending inserts still move nothing, and a new block
//! starts with its entries at the front. Shorter runs (every run of the
//! default configuration, whose runs hold at most 256) move their tail:
//! choosing a side costs a branch that the few entries saved do not pay
//! for.

use alloc::alloc::{alloc, dealloc, handle_alloc_error};
use core::alloc::Layout;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::slice;

use super::{Leaf, Pairs};
use crate::policy::Config;

/// A sorted run of entries (see the module docs).
///
/// Invariants: the block, when allocated, has the layout `layout::<K,
/// V>(cap)`; its keys and values in slots `head..head + len` are
/// initialised, the rest are not; `head + len <= cap`.
pub(crate) struct Run<K, V> {
    /// The block, or dangling while nothing is allocated.
    ptr: NonNull<u8>,
    /// `u16`, as the capacity: a run holds at most `RUN_MAX <= u16::MAX`
    /// entries, and the narrow fields leave the map's other
    /// representations room for their tag (an `Indirect` map with
    /// `Adaptive` handles stays 24 bytes).
    len: u16,
    cap: u16,
    /// The free slots before the first entry (module docs); `u16` as the
    /// others, and the run stays 16 bytes.
    head: u16,
    /// The run owns `K`s and `V`s. Covariant.
    marker: PhantomData<(K, V)>,
}

// SAFETY: a `Run` owns its block and the entries in it, like a `Vec<(K, V)>`,
// and is `Send` on the same condition.
unsafe impl<K: Send, V: Send> Send for Run<K, V> {}
// SAFETY: as above; `&Run` gives only shared access to the entries.
unsafe impl<K: Sync, V: Sync> Sync for Run<K, V> {}

/// The capacity after `cap` when the run is full (see the module docs):
/// `first` for the first block.
fn grown(cap: usize, first: usize, max: usize) -> usize {
    let next = match cap {
        0 => first,
        1..4 => 4,
        4..8 => 8,
        8..11 => 11,
        _ => cap + cap / 4,
    };
    next.min(max).max(cap + 1)
}

/// The length from which a run's inserts and removals move the shorter
/// side (module docs); below it they move the tail. Measured (callgrind,
/// 10^6 entries in maps of 10, 100 and 1,000): from 64, maps of 100 took
/// 6% more instructions per insert; from 128 and 256 both within 2%, and
/// at 256 the default configuration's runs (at most 256 entries) keep
/// their tail-only moves.
const TWO_SIDED: usize = 256;

impl<K, V> Run<K, V> {
    pub(crate) const EMPTY: Self = Run {
        ptr: NonNull::dangling(),
        len: 0,
        cap: 0,
        head: 0,
        marker: PhantomData,
    };

    #[inline]
    pub(crate) const fn len(&self) -> usize {
        self.len as usize
    }

    #[inline]
    pub(crate) fn cap(&self) -> usize {
        self.cap as usize
    }

    /// The block for `cap` entries, and the offset of its values.
    fn layout(cap: usize) -> (Layout, usize) {
        let keys = Layout::array::<K>(cap).expect("run size overflows isize");
        let vals = Layout::array::<V>(cap).expect("run size overflows isize");
        let (block, offset) = keys.extend(vals).expect("run size overflows isize");
        (block.pad_to_align(), offset)
    }

    /// Whether this run's block is allocated (zero-sized blocks never are).
    fn allocated(&self) -> bool {
        self.cap != 0 && Self::layout(self.cap()).0.size() != 0
    }

    /// The free slots before the first entry.
    #[inline]
    pub(crate) fn head(&self) -> usize {
        self.head as usize
    }

    /// The first key (slot `head` of the key array).
    #[inline]
    fn keys_ptr(&self) -> *mut K {
        if self.allocated() {
            // SAFETY: `head <= cap`: slot `head` is in the key array or
            // one past its end.
            unsafe { self.ptr.as_ptr().cast::<K>().add(self.head()) }
        } else {
            NonNull::<K>::dangling().as_ptr()
        }
    }

    /// The first value (slot `head` of the value array).
    #[inline]
    fn vals_ptr(&self) -> *mut V {
        if self.allocated() {
            // SAFETY: the offset lies within the block (module docs), and
            // slot `head <= cap` is in the value array or one past its end.
            unsafe {
                self.ptr
                    .as_ptr()
                    .add(Self::layout(self.cap()).1)
                    .cast::<V>()
                    .add(self.head())
            }
        } else {
            NonNull::<V>::dangling().as_ptr()
        }
    }

    #[inline]
    pub(crate) fn keys(&self) -> &[K] {
        // SAFETY: the first `len` keys are initialised; the pointer is
        // aligned and non-null even when nothing is allocated.
        unsafe { slice::from_raw_parts(self.keys_ptr(), self.len()) }
    }

    #[inline]
    pub(crate) fn vals(&self) -> &[V] {
        // SAFETY: as in `keys`.
        unsafe { slice::from_raw_parts(self.vals_ptr(), self.len()) }
    }

    /// The keys, and the values mutably.
    #[inline]
    pub(crate) fn split_mut(&mut self) -> (&[K], &mut [V]) {
        // SAFETY: as in `keys`; the two arrays do not overlap, and `&mut
        // self` makes the value borrow unique.
        unsafe {
            (
                slice::from_raw_parts(self.keys_ptr(), self.len()),
                slice::from_raw_parts_mut(self.vals_ptr(), self.len()),
            )
        }
    }

    /// Raw pointers to the keys and values, for iterators that must not
    /// create references to the whole run (see `LeafView`).
    #[inline]
    pub(crate) fn raw(&self) -> (*const K, *mut V) {
        (self.keys_ptr(), self.vals_ptr())
    }

    /// Both arrays, raw.
    #[inline]
    fn pairs(&self) -> Pairs<K, V> {
        Pairs::new(self.keys_ptr(), self.vals_ptr())
    }

    /// Replace key `i` (equal to `key` by `Ord`), returning the old one.
    pub(crate) fn replace_key(&mut self, i: usize, key: K) -> K {
        assert!(i < self.len());
        // SAFETY: key `i` is initialised.
        unsafe { ptr::replace(self.keys_ptr().add(i), key) }
    }

    /// Reallocate to exactly `cap` slots (at least `len`), the entries at
    /// the front.
    fn resize(&mut self, cap: usize) {
        debug_assert!(cap >= self.len() && cap <= u16::MAX as usize);
        let (new, new_off) = Self::layout(cap);
        let ptr = if new.size() == 0 {
            NonNull::dangling()
        } else {
            // SAFETY: `new` has non-zero size.
            NonNull::new(unsafe { alloc(new) }).unwrap_or_else(|| handle_alloc_error(new))
        };
        if self.allocated() {
            let (old, _) = Self::layout(self.cap());
            // SAFETY: the `len` keys and values from slot `head` move to
            // the front of the new block, which has room for them (`cap >=
            // len`); the old block was allocated with `old` and nothing
            // refers to it afterwards.
            unsafe {
                if new.size() != 0 {
                    ptr::copy_nonoverlapping(self.keys_ptr(), ptr.as_ptr().cast::<K>(), self.len());
                    ptr::copy_nonoverlapping(
                        self.vals_ptr(),
                        ptr.as_ptr().add(new_off).cast::<V>(),
                        self.len(),
                    );
                }
                dealloc(self.ptr.as_ptr(), old);
            }
        }
        self.ptr = ptr;
        self.cap = cap as u16;
        self.head = 0;
    }

    /// Move the entries to the middle of the block: half the free slots
    /// before them, half after.
    #[cold]
    #[inline(never)]
    fn center(&mut self) {
        let (head, len) = (self.head(), self.len());
        let mid = (self.cap() - len) / 2;
        // SAFETY: slots `head..head + len` are initialised and both ranges
        // lie within the block (`mid + len <= cap`); the shifts allow
        // overlap and leave the vacated slots logically uninitialised.
        unsafe {
            let base = self.pairs().before(head);
            if mid > head {
                base.at(head).shift_right(len, mid - head);
            } else if mid < head {
                base.at(mid).shift_left(len + head - mid, head - mid);
            }
        }
        self.head = mid as u16;
    }

    /// An empty run with room for exactly `cap` entries.
    pub(crate) fn with_capacity(cap: usize) -> Self {
        let mut run = Run::EMPTY;
        if cap > 0 {
            run.resize(cap);
        }
        run
    }

    /// Insert at `i` (the caller keeps the keys sorted), growing the block
    /// if full (to `first` entries if it has none); the run may hold at
    /// most `max` entries.
    #[inline(always)]
    pub(crate) fn insert(&mut self, i: usize, key: K, val: V, first: usize, max: usize) {
        let len = self.len();
        assert!(i <= len && len < max);
        if len >= TWO_SIDED {
            return self.insert_two_sided(i, key, val, first, max);
        }
        // A short run moves its tail: a few entries cost less than choosing
        // a side.
        if self.head() + len == self.cap() {
            if len == self.cap() {
                self.resize(grown(self.cap(), first, max));
            } else {
                self.center();
            }
        }
        // SAFETY: slot `head + len` is free (`head + len < cap` now) and
        // `i <= len`.
        unsafe { self.pairs().insert(len, i, key, val) };
        self.len += 1;
    }

    /// [`insert`](Self::insert) into a run of at least `TWO_SIDED`
    /// entries: grow the block if full, then move the shorter side into
    /// the free slots on that side; if it has none, the entries are
    /// centered first (there are at least two free slots then, or else the
    /// one there is goes to the other side).
    #[inline(never)]
    fn insert_two_sided(&mut self, i: usize, key: K, val: V, first: usize, max: usize) {
        let len = self.len();
        if len == self.cap() {
            self.resize(grown(self.cap(), first, max));
        }
        let front = i < len - i;
        let room = if front {
            self.head() > 0
        } else {
            self.head() + len < self.cap()
        };
        if !room && self.cap() - len >= 2 {
            self.center();
        }
        if self.head() > 0 && (front || self.head() + len == self.cap()) {
            // SAFETY: slot `head - 1` is free, and entries `..i` (slots
            // `head..head + i`) shift one slot towards it.
            unsafe {
                let p = self.pairs().before(1);
                p.shift_left(i + 1, 1);
                p.write(i, key, val);
            }
            self.head -= 1;
        } else {
            // SAFETY: slot `head + len` is free (`head + len < cap`: the
            // branch above was not taken, and `len < cap` after the
            // resize), and `i <= len`.
            unsafe { self.pairs().insert(len, i, key, val) };
        }
        self.len += 1;
    }

    /// Move all of `leaf`'s entries to the end of the run, which has room
    /// for them (a tree turning back into a run).
    pub(crate) fn append_leaf<C: Config>(&mut self, leaf: &mut Leaf<K, V, C>) {
        let (len, count) = (self.len(), leaf.len());
        assert!(self.head() + len + count <= self.cap());
        // SAFETY: `leaf[..count]` is initialised and given up (the leaf
        // forgets it); the run has room for `len + count`.
        unsafe { leaf.pairs().move_to(self.pairs().at(len), count) };
        leaf.forget_all();
        self.len += count as u16;
    }

    /// Remove entry `i`, shrinking the block once under half full and
    /// freeing it when empty.
    pub(crate) fn remove(&mut self, i: usize) -> (K, V) {
        let len = self.len();
        assert!(i < len);
        // The shorter side closes the gap: the entries before `i` move one
        // slot back (the run then starts a slot later), or those after it
        // one slot forward.
        let kv = if len >= TWO_SIDED && i < len - 1 - i {
            // SAFETY: entry `i` is initialised and read out once; entries
            // `..i` shift into its slot, vacating slot `head`.
            unsafe {
                let p = self.pairs();
                let kv = p.read(i);
                p.shift_right(i, 1);
                self.head += 1;
                kv
            }
        } else {
            // SAFETY: entry `i` is initialised; the tail shifts by one.
            unsafe { self.pairs().remove(len, i) }
        };
        self.len -= 1;
        if self.len == 0 {
            self.resize(0);
        } else if self.len() < self.cap() / 2 && self.cap() > 4 {
            self.resize((self.len() + self.len() / 4).max(4));
        }
        kv
    }

    /// Read entry `i` out, leaving its slot logically uninitialised.
    ///
    /// # Safety
    /// `i < len`, each entry is taken at most once, and before the run is
    /// used again the caller drops the untaken entries and calls
    /// `forget_all`.
    #[inline]
    pub(crate) unsafe fn take(&mut self, i: usize) -> (K, V) {
        debug_assert!(i < self.len());
        // SAFETY: guaranteed by the caller.
        unsafe { self.pairs().read(i) }
    }

    /// Drop entries `from..to` in place.
    ///
    /// # Safety
    /// Those entries are initialised and never used again; the caller then
    /// calls `forget_all`.
    pub(crate) unsafe fn drop_range(&mut self, from: usize, to: usize) {
        // SAFETY: guaranteed by the caller.
        unsafe { self.pairs().drop_range(from, to) }
    }

    /// Free the block without dropping any entry (they were moved out or
    /// dropped); the run becomes empty.
    pub(crate) fn forget_all(&mut self) {
        self.len = 0;
        self.resize(0);
    }

    /// Drop every entry and free the block. If a drop panics, the rest are
    /// still dropped and the block freed.
    pub(crate) fn drop_all(&mut self) {
        struct Free<'a, K, V>(&'a mut Run<K, V>);
        impl<K, V> Drop for Free<'_, K, V> {
            fn drop(&mut self) {
                self.0.forget_all();
            }
        }
        let len = self.len();
        let guard = Free(self);
        // SAFETY: all `len` entries are initialised and never used again:
        // the guard forgets them.
        unsafe { guard.0.drop_range(0, len) };
    }

    /// Heap bytes and allocations of the run.
    pub(crate) fn heap(&self) -> (usize, usize) {
        if self.allocated() {
            (Self::layout(self.cap()).0.size(), 1)
        } else {
            (0, 0)
        }
    }
}

/// Moves a run's entries out in order; dropping it drops the entries not
/// yet taken and frees the block.
pub(crate) struct RunDrain<K, V> {
    run: Run<K, V>,
    next: usize,
}

impl<K, V> RunDrain<K, V> {
    pub(crate) fn new(run: Run<K, V>) -> Self {
        RunDrain { run, next: 0 }
    }
}

impl<K, V> Iterator for RunDrain<K, V> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        if self.next == self.run.len() {
            return None;
        }
        self.next += 1;
        // SAFETY: each index below `len` is taken once, in order; `Drop`
        // handles the rest and forgets the run.
        Some(unsafe { self.run.take(self.next - 1) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.run.len() - self.next;
        (n, Some(n))
    }
}

impl<K, V> Drop for RunDrain<K, V> {
    fn drop(&mut self) {
        struct Forget<'a, K, V>(&'a mut Run<K, V>);
        impl<K, V> Drop for Forget<'_, K, V> {
            fn drop(&mut self) {
                self.0.forget_all();
            }
        }
        let (from, to) = (self.next, self.run.len());
        self.next = to;
        let guard = Forget(&mut self.run);
        // SAFETY: entries `from..to` were not taken; they are dropped once
        // here and the guard forgets the run.
        unsafe { guard.0.drop_range(from, to) };
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use super::*;

    #[test]
    fn growth_stays_within_a_btreemap_leaf_then_a_quarter() {
        let mut cap = 0;
        let mut caps = Vec::new();
        while cap < 100 {
            cap = grown(cap, 4, 100);
            caps.push(cap);
        }
        assert_eq!(
            caps,
            [4, 8, 11, 13, 16, 20, 25, 31, 38, 47, 58, 72, 90, 100]
        );
        assert_eq!(grown(7, 4, 6), 8, "never below len + 1");
        assert_eq!(grown(0, 11, 100), 11, "the first block");
        assert_eq!(grown(11, 11, 100), 13);
        assert_eq!(grown(0, 11, 5), 5, "never above max");
    }

    fn exercise<K: Clone + Ord + core::fmt::Debug, V: Clone + PartialEq + core::fmt::Debug>(
        make: impl Fn(usize) -> (K, V),
    ) {
        let n = if cfg!(miri) { 40 } else { 300 };
        let mut run = Run::<K, V>::EMPTY;
        let mut model: Vec<(K, V)> = Vec::new();
        for i in 0..n {
            let (k, v) = make((i * 7) % n);
            let at = model.partition_point(|(mk, _)| *mk < k);
            run.insert(at, k.clone(), v.clone(), 4, n);
            model.insert(at, (k, v));
            assert!(run.len() <= run.cap());
        }
        let keys: Vec<K> = model.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(run.keys(), &keys[..]);
        for i in (0..n).step_by(3).rev() {
            assert_eq!(run.remove(i), model.remove(i));
            assert!(run.cap() <= 4 || run.len() + 1 >= run.cap() / 2);
        }
        let (_, vals) = run.split_mut();
        assert_eq!(vals.len(), model.len());
        let mut drain = RunDrain::new(core::mem::replace(&mut run, Run::EMPTY));
        assert_eq!(drain.next(), Some(model[0].clone()));
        drop(drain);
        let mut run = Run::<K, V>::with_capacity(3);
        run.insert(0, make(1).0, make(1).1, 4, 10);
        run.drop_all();
        assert_eq!(run.heap(), (0, 0));
    }

    /// Ascending, descending, alternating-ends and scattered inserts, then
    /// removals at the front, the back and scattered, against a vector;
    /// owned keys and values, so that a slot moved wrongly is a double
    /// drop or a leak (Miri).
    #[test]
    fn both_sides_move() {
        // Past `TWO_SIDED`, so that both ways are taken, also under Miri.
        let n = TWO_SIDED + if cfg!(miri) { 20 } else { 150 };
        let patterns: [fn(usize, usize) -> usize; 4] = [
            |_, len| len,
            |_, _| 0,
            |i, len| if i % 2 == 0 { 0 } else { len },
            |i, len| (i * 37) % (len + 1),
        ];
        for (p, at) in patterns.iter().enumerate() {
            let mut run = Run::<String, String>::EMPTY;
            let mut model: Vec<(String, String)> = Vec::new();
            for i in 0..n {
                let j = at(i, model.len());
                // Keys in the model's order: the run never compares.
                let k = alloc::format!("{p}:{i}");
                run.insert(j, k.clone(), k.clone(), 4, n);
                model.insert(j, (k.clone(), k));
                assert!(run.head() + run.len() <= run.cap());
                assert_eq!(run.keys().len(), model.len());
            }
            let keys: Vec<String> = model.iter().map(|(k, _)| k.clone()).collect();
            assert_eq!(run.keys(), &keys[..]);
            assert_eq!(run.vals(), &keys[..]);
            let mut i = 0;
            while !model.is_empty() {
                let j = match i % 3 {
                    0 => 0,
                    1 => model.len() - 1,
                    _ => (i * 13) % model.len(),
                };
                assert_eq!(run.remove(j), model.remove(j));
                assert!(run.head() + run.len() <= run.cap());
                i += 1;
                if i == n / 2 {
                    // Half emptied: the rest is dropped with the run.
                    let keys: Vec<String> = model.iter().map(|(k, _)| k.clone()).collect();
                    assert_eq!(run.keys(), &keys[..]);
                    break;
                }
            }
            run.drop_all();
        }
    }

    #[test]
    fn owned_entries() {
        exercise(|i| (alloc::format!("{i:04}"), i.to_string().into_bytes()));
    }

    #[test]
    fn zero_sized_values_and_keys() {
        exercise(|i| (i as u32, ()));
        let mut run = Run::<(), ()>::EMPTY;
        run.insert(0, (), (), 4, 5);
        assert_eq!(run.heap(), (0, 0));
        assert_eq!(run.remove(0), ((), ()));
    }

    #[test]
    fn over_aligned_values() {
        #[derive(Clone, Debug, PartialEq)]
        #[repr(align(32))]
        struct Big(String);
        exercise(|i| (i as u8, Big(i.to_string())));
    }
}
