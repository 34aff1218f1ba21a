//! The memory goal's first line (GOALS.md, "Memory"): the `Compact`
//! configuration never uses more bytes than `BTreeMap` for `u64` keys and
//! values, at every n from 1 to 10⁴, inserted in random or ascending order,
//! and when bulk-built from sorted entries (at about 340 sampled n).
//!
//! Bytes are live heap bytes from a counting global allocator (as requested,
//! spare capacity included) plus the map's `size_of`, as the memory report
//! (`cargo run --release --example memory`) counts them. Everything runs in
//! one test so that no other test thread allocates meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use bptree::TreeConfig;
use bptree::config::Compact;

/// Counts live bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counter only
// observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::SeqCst);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::SeqCst);
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::SeqCst)
}

type Ours = <Compact as TreeConfig>::Map<u64, u64>;
type Std = BTreeMap<u64, u64>;

/// Every n from 1 to this, inserting one by one. Under Miri 2,100: past
/// Compact's run of 2,048, so its tree is measured too.
const MAX: usize = if cfg!(miri) { 2_100 } else { 10_000 };
/// The n at which bulk builds are compared, ascending: every n to 100,
/// then steps of 2 % to [`MAX`] (as the memory report samples them), with
/// 200, 500, 1000, 2000 and 5000 among them (under Miri, steps of 25 % and
/// those up to [`MAX`]).
fn bulk_sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = (1..=100).collect();
    let mut x = 100.0f64;
    let step = if cfg!(miri) { 1.25 } else { 1.02 };
    while x < MAX as f64 {
        x *= step;
        sizes.push((x.round() as usize).min(MAX));
    }
    sizes.extend(
        [200, 500, 1_000, 2_000, 5_000]
            .into_iter()
            .filter(|&n| n <= MAX),
    );
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// Bytes of the map after each insert of `keys` into one map from empty
/// (element `i`: the first `i + 1` keys).
fn growing<M: Default>(keys: &[u64], insert: impl Fn(&mut M, u64)) -> Vec<usize> {
    let mut bytes = Vec::with_capacity(keys.len());
    let before = live();
    let mut map = M::default();
    for &k in keys {
        insert(&mut map, k);
        bytes.push(live() - before + size_of::<M>());
    }
    bytes
}

/// Bytes of the map `build` returns.
fn built<M>(build: impl FnOnce() -> M) -> usize {
    let before = live();
    let map = build();
    let bytes = live() - before + size_of::<M>();
    drop(map);
    bytes
}

/// Distinct keys in a seeded random order: a bijective mix of 0..n.
fn random_keys(n: usize) -> Vec<u64> {
    (0..n as u64)
        .map(|i| {
            let mut x = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        })
        .collect()
}

/// The n (ascending) where ours used more than std, with both byte counts.
fn above(ns: impl Iterator<Item = usize>, ours: &[usize], std: &[usize]) -> Vec<String> {
    let pairs = ns.zip(ours.iter().zip(std));
    let above = pairs.filter(|(_, (o, s))| o > s);
    above
        .map(|(n, (o, s))| format!("n = {n}: {o} B > {s} B"))
        .collect()
}

#[test]
fn compact_never_uses_more_than_btreemap() {
    let random = random_keys(MAX);
    let mut ascending = random.clone();
    ascending.sort_unstable();

    let mut failures = Vec::new();
    for (order, keys) in [("random", &random), ("ascending", &ascending)] {
        let ours = growing::<Ours>(keys, |m, k| {
            m.insert(k, k);
        });
        let std = growing::<Std>(keys, |m, k| {
            m.insert(k, k);
        });
        failures.push((order, above(1..=MAX, &ours, &std)));
    }

    let entries = |n: usize| ascending[..n].iter().map(|&k| (k, k));
    let bulk = bulk_sizes();
    let ours: Vec<usize> = bulk
        .iter()
        .map(|&n| built(|| Ours::from_sorted_iter(entries(n)).expect("ascending keys")))
        .collect();
    let std: Vec<usize> = bulk
        .iter()
        .map(|&n| built(|| entries(n).collect::<Std>()))
        .collect();
    failures.push(("bulk", above(bulk.into_iter(), &ours, &std)));

    let report: Vec<String> = failures
        .iter()
        .filter(|(_, above)| !above.is_empty())
        .map(|(order, above)| {
            let (first, last) = (&above[0], &above[above.len() - 1]);
            let count = above.len();
            format!("{order}: above BTreeMap at {count} n; first {first}; last {last}")
        })
        .collect();
    assert!(
        report.is_empty(),
        "Compact uses more bytes than BTreeMap:\n{}",
        report.join("\n")
    );
}
