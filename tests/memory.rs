//! `memory_usage()` against a counting global allocator: the heap bytes and
//! live allocations a map reports are exactly what it asked the allocator
//! for, spare capacity included, for every named configuration, the
//! storage/arena combinations beyond them, and `Adaptive` maps whose trees
//! widened and narrowed again.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bptree::config::{All, ConfigList, ConfigVisitor};
use bptree::policy::{Boxed, Growing, Indirect, MaskedArena, PoolArena, VecArena, Wide32};
use bptree::{Adaptive, BPlusTreeMap, Compact16, TreeConfig};

/// Counts live bytes and live allocations.
struct Counting;

// Counted per thread: the test harness's own threads allocate too (output
// capture, the runner), and a global count sees them now and then.
thread_local! {
    static BYTES: Cell<isize> = const { Cell::new(0) };
    static ALLOCS: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: isize, allocs: isize) {
    // `try_with`: a thread being torn down has no counters left to update.
    let _ = BYTES.try_with(|b| b.set(b.get() + bytes));
    let _ = ALLOCS.try_with(|a| a.set(a.get() + allocs));
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only
// observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize, 1);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize), -1);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize, 0);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live bytes and allocations made (and not freed) by this thread.
fn live() -> (isize, isize) {
    (BYTES.with(Cell::get), ALLOCS.with(Cell::get))
}

/// Builds maps in several ways and sizes and compares what they report with
/// what the allocator saw.
fn check<H: bptree::policy::Handle, A: bptree::policy::ArenaStrategy, const CAP: usize>(
    name: &str,
) {
    let sizes: &[u64] = if cfg!(miri) {
        &[0, 1, 30]
    } else {
        &[0, 1, 10, 100, 3_000, 20_000]
    };
    for &n in sizes {
        let keys: Vec<u64> = (0..n)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % (4 * n + 1))
            .collect();
        for how in ["random inserts", "collect", "inserts then removals"] {
            let before = live();
            let mut map = BPlusTreeMap::<u64, u64, H, A, CAP>::empty();
            match how {
                "random inserts" => keys.iter().for_each(|&k| {
                    map.insert(k, k);
                }),
                "collect" => map = keys.iter().map(|&k| (k, k)).collect(),
                _ => {
                    keys.iter().for_each(|&k| {
                        map.insert(k, k);
                    });
                    keys.iter().step_by(3).for_each(|k| {
                        map.remove(k);
                    });
                }
            }
            let after = live();
            let usage = map.memory_usage();
            assert_eq!(
                (usage.heap_bytes as isize, usage.allocations as isize),
                (after.0 - before.0, after.1 - before.1),
                "{name}, n = {n}, {how}: memory_usage() (heap bytes, allocations) vs the allocator"
            );
            assert_eq!(usage.stack_bytes, size_of_val(&map));
            drop(map);
            assert_eq!(
                live(),
                before,
                "{name}, n = {n}, {how}: memory not returned on drop"
            );
        }
    }
}

/// An `Adaptive` map across both switches: widened by ascending inserts
/// (its 32-bit tree in a box of its own), then narrowed by removals.
fn check_adaptive<A: bptree::policy::ArenaStrategy>(name: &str) {
    let before = live();
    let mut map = BPlusTreeMap::<u32, u32, Adaptive, A, 4>::empty();
    let compare = |map: &BPlusTreeMap<u32, u32, Adaptive, A, 4>, bits: u32, what: &str| {
        let (usage, after) = (map.memory_usage(), live());
        assert_eq!(usage.handle_bits, bits, "{name}, {what}");
        assert_eq!(
            (usage.heap_bytes as isize, usage.allocations as isize),
            (after.0 - before.0, after.1 - before.1),
            "{name}, {what}: memory_usage() (heap bytes, allocations) vs the allocator"
        );
    };
    (0..270_000).for_each(|k| {
        map.insert(k, k);
    });
    compare(&map, 32, "widened");
    (30_000..270_000).for_each(|k| {
        map.remove(&k);
    });
    compare(&map, 16, "narrowed");
    drop(map);
    assert_eq!(live(), before, "{name}: memory not returned on drop");
}

struct Check;

impl ConfigVisitor for Check {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        check::<C::Handle, C::Arena, CAP>(C::NAME);
    }
}

/// One test, so that no other test thread allocates while it measures.
#[test]
fn memory_usage_reports_what_the_allocator_saw() {
    All::for_each(&mut Check);
    check::<Compact16, PoolArena, 32>("Compact16/PoolArena/32");
    check::<Wide32, PoolArena<Growing>, 8>("Wide32/PoolArena<Growing>/8");
    check::<Wide32, MaskedArena<Boxed>, 16>("Wide32/MaskedArena<Boxed>/16");
    check::<Compact16, VecArena<Growing>, 4>("Compact16/VecArena<Growing>/4");
    if !cfg!(miri) {
        check_adaptive::<VecArena>("Adaptive/VecArena/4");
        check_adaptive::<Indirect<VecArena<Boxed>, 16>>("Adaptive/Indirect<VecArena<Boxed>, 16>/4");
    }
}
