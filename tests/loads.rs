//! Large loads and unloads: 10^5 entries inserted in ascending, descending
//! and (seeded) random order and removed again in each order, compared
//! with `BTreeMap` and checked after every phase; the fill that ascending
//! and descending loads promise; `from_sorted_iter`'s input checks.

mod common;

use std::collections::BTreeMap;

use bptree::policy::{ArenaStrategy, Handle};
use bptree::{BPlusTreeMap, Compact16, PoolArena, VecArena, Wide32};
use common::XorShift;

type Map<H, A, const CAP: usize> = BPlusTreeMap<u32, u32, H, A, CAP>;

/// Entries per load.
const N: u32 = if cfg!(miri) { 300 } else { 100_000 };

#[derive(Clone, Copy, Debug)]
enum Order {
    Ascending,
    Descending,
    Random(u64),
}

fn keys(order: Order, n: u32) -> Vec<u32> {
    match order {
        Order::Ascending => (0..n).collect(),
        Order::Descending => (0..n).rev().collect(),
        Order::Random(seed) => {
            let mut k: Vec<u32> = (0..n).collect();
            XorShift::new(seed).shuffle(&mut k);
            k
        }
    }
}

fn check<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &Map<H, A, CAP>,
    oracle: &BTreeMap<u32, u32>,
    what: &str,
) {
    if let Err(e) = map.check_invariants() {
        panic!("{what}: {e}");
    }
    assert_eq!(map.len(), oracle.len(), "{what}: len");
    assert!(map.iter().eq(oracle.iter()), "{what}: contents");
    assert!(map.iter().rev().eq(oracle.iter().rev()), "{what}: reverse");
}

/// Loads `N` entries in `load` order, checks, then removes them all in
/// `unload` order (halfway through with `remove`, then `remove_entry` or
/// `pop_*` for the ordered unloads), checking halfway and at the end.
fn load_unload<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> Map<H, A, CAP>,
    load: Order,
    unload: Order,
) {
    let mut map = make();
    let mut oracle = BTreeMap::new();
    for k in keys(load, N) {
        let v = k.wrapping_mul(2_654_435_761);
        assert_eq!(map.insert(k, v), None);
        oracle.insert(k, v);
    }
    check(&map, &oracle, &format!("after {load:?} load"));
    let order = keys(unload, N);
    for (i, &k) in order.iter().enumerate() {
        let want = oracle.remove(&k);
        let got = match (i < order.len() / 2, unload) {
            (true, _) => map.remove(&k),
            (false, Order::Ascending) => map.pop_first().map(|(kk, v)| {
                assert_eq!(kk, k);
                v
            }),
            (false, Order::Descending) => map.pop_last().map(|(kk, v)| {
                assert_eq!(kk, k);
                v
            }),
            (false, Order::Random(_)) => map.remove_entry(&k).map(|(_, v)| v),
        };
        assert_eq!(got, want, "removing {k}");
        if i + 1 == order.len() / 2 {
            check(&map, &oracle, &format!("halfway through {unload:?} unload"));
        }
    }
    check(
        &map,
        &oracle,
        &format!("after {load:?} load, {unload:?} unload"),
    );
    assert!(map.is_empty());
    assert_eq!(map.height(), 0);
}

fn all_orders<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> Map<H, A, CAP>) {
    let orders = [Order::Ascending, Order::Descending, Order::Random(0x5eed)];
    for (i, &load) in orders.iter().enumerate() {
        // Each load once with the matching unload, once with the next.
        load_unload(make, load, load);
        load_unload(make, load, orders[(i + 1) % 3]);
    }
    load_unload(make, Order::Random(1), Order::Random(2));
}

/// The height a tree of `n` entries has when every node is full but the
/// last of each level: the fewest levels that hold `ceil(n / CAP)` leaves
/// with `CAP + 1` children per branch.
fn packed_height(n: usize, cap: usize) -> usize {
    let mut nodes = n.div_ceil(cap);
    let mut h = 0;
    while nodes > 1 {
        nodes = nodes.div_ceil(cap + 1);
        h += 1;
    }
    h
}

/// Ascending (and descending) loads fill every leaf but the last: a tree
/// of `n` entries has `ceil(n / CAP)` leaves exactly when every leaf but one
/// holds `CAP` entries (`memory_usage().leaves` counts them). Sizes around
/// the points where the leaf count and the height change, up to
/// `CAP * (CAP + 1)^levels + 1` entries.
///
/// Branches are not full after such a load: at the right edge a full
/// branch splits into `CAP` children and a new branch of two (a branch
/// needs a separator), so the height can exceed that of a `collect`ed tree
/// (whose branches are packed), by at most one level.
fn full_fill<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> Map<H, A, CAP>,
    levels: u32,
    descending: bool,
) {
    let exact = CAP * (CAP + 1).pow(levels);
    let mut sizes = vec![
        0,
        1,
        CAP,
        CAP + 1,
        2 * CAP,
        2 * CAP + 1,
        CAP * (CAP + 1) + 1,
    ];
    sizes.extend([exact - CAP + 1, exact - 1, exact, exact + 1]);
    let how = if descending {
        "descending"
    } else {
        "ascending"
    };
    for n in sizes {
        let mut map = make();
        let n32 = n as u32;
        if descending {
            (0..n32)
                .rev()
                .for_each(|k| assert!(map.insert(k, k).is_none()));
        } else {
            (0..n32).for_each(|k| assert!(map.insert(k, k).is_none()));
        }
        map.check_invariants().unwrap();
        let usage = map.memory_usage();
        // A small map is one sorted run, without leaves.
        let leaves = |usage: bptree::MemoryUsage| {
            if usage.small_run {
                n.div_ceil(CAP)
            } else {
                usage.leaves
            }
        };
        assert_eq!(
            leaves(usage),
            n.div_ceil(CAP),
            "{how} load of {n} entries at CAP {CAP}: not every leaf but one is full"
        );
        // A `collect`ed tree is packed: full leaves and full branches.
        let packed: Map<H, A, CAP> = (0..n32).map(|k| (k, k)).collect();
        packed.check_invariants().unwrap();
        assert_eq!(
            leaves(packed.memory_usage()),
            n.div_ceil(CAP),
            "collect of {n}"
        );
        assert!(usage.small_run == packed.memory_usage().small_run);
        if !usage.small_run {
            assert_eq!(packed.height(), packed_height(n, CAP), "collect of {n}");
        }
        assert!(
            map.height() <= packed.height() + 1,
            "{how} load of {n}: too tall"
        );
        assert!(map == packed);
    }
}

macro_rules! configurations {
    ($($name:ident: $map:ty, levels = $levels:expr;)*) => {$(
        mod $name {
            use super::*;

            fn make() -> $map {
                <$map>::empty()
            }

            #[test]
            fn loads_and_unloads() {
                all_orders(make);
            }

            #[test]
            fn ascending_load_fills_every_leaf_but_the_last() {
                full_fill(make, $levels, false);
            }

            #[test]
            fn descending_load_fills_every_leaf_but_the_last() {
                full_fill(make, $levels, true);
            }
        }
    )*};
}

configurations! {
    // 64 * 65^2 = 270,400 entries at height 2.
    default_config: Map<Wide32, VecArena, 64>, levels = if cfg!(miri) { 1 } else { 2 };
    // 4 * 5^6 = 62,500 entries at height 6.
    deep_cap4: Map<Wide32, VecArena, 4>, levels = if cfg!(miri) { 2 } else { 6 };
    // 32 * 33^2 = 34,848 entries at height 2.
    compact16_pool_32: Map<Compact16, PoolArena, 32>, levels = if cfg!(miri) { 1 } else { 2 };
}

#[test]
fn from_sorted_iter_accepts_only_strictly_ascending_keys() {
    type M = BPlusTreeMap<u32, u32>;
    type Deep = Map<Wide32, VecArena, 4>;
    assert!(M::from_sorted_iter([]).unwrap().is_empty());
    assert_eq!(M::from_sorted_iter([(1, 1)]).unwrap().len(), 1);
    assert!(
        M::from_sorted_iter([(2, 0), (1, 0)]).is_none(),
        "descending"
    );
    assert!(M::from_sorted_iter([(1, 0), (1, 1)]).is_none(), "duplicate");
    assert!(Deep::from_sorted_iter([(1, 0), (2, 0), (2, 0), (3, 0)]).is_none());
    // One bad pair at the very end, or the very start, of a long run.
    let run = || (0..N).map(|k| (k * 2, k));
    assert!(M::from_sorted_iter(run().chain([(5, 0)])).is_none());
    assert!(M::from_sorted_iter(run().chain([(2 * N - 2, 0)])).is_none());
    assert!(Deep::from_sorted_iter([(u32::MAX, 0)].into_iter().chain(run())).is_none());
    // A good run builds a valid, packed tree equal to the oracle.
    let oracle: BTreeMap<u32, u32> = run().collect();
    let map = M::from_sorted_iter(run()).unwrap();
    map.check_invariants().unwrap();
    assert!(map.iter().eq(oracle.iter()));
    assert_eq!(map.height(), packed_height(N as usize, 64));
    let deep = Deep::from_sorted_iter(run()).unwrap();
    deep.check_invariants().unwrap();
    assert!(deep.iter().eq(oracle.iter()));
    assert_eq!(deep.height(), packed_height(N as usize, 4));
}
