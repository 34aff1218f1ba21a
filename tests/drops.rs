//! Drop accounting: with keys and values that count their creations, clones
//! and drops (`common::Tracked`), every key, value and separator clone is
//! dropped exactly once, on every path that gives entries up: `remove`,
//! `pop_*`, `clear`, dropping the map, a partly consumed `into_iter`,
//! replaced values, merges and borrows that retire separators, `clone`.
//! A value that panics in `drop` must not cause a double drop.

// `Tracked` orders by its plain `key` field; its interior mutability (the
// shared ledger) never affects the order.
#![allow(clippy::mutable_key_type)]

mod common;

use std::collections::BTreeMap;
use std::rc::Rc;

use bptree::BPlusTreeMap;
use bptree::phase::{Phase0, Phase1, Phase2, Phase3};
use bptree::policy::{ArenaStrategy, Boxed, Growing, Handle, MaskedArena};
use bptree::{Compact16, PoolArena, VecArena, Wide32};
use common::{Tracked, Tracker, XorShift, quietly};

type TMap<H, A, const CAP: usize> = BPlusTreeMap<Tracked, Tracked, H, A, CAP>;

/// Entries in the maps of these tests: enough for several levels at CAP 4
/// and two leaves at CAP 64.
const N: u32 = if cfg!(miri) { 40 } else { 600 };

/// Keys `0..n` in a seeded random order.
fn shuffled(n: u32, seed: u64) -> Vec<u32> {
    let mut keys: Vec<u32> = (0..n).collect();
    XorShift::new(seed).shuffle(&mut keys);
    keys
}

struct Fixture<H: Handle, A: ArenaStrategy, const CAP: usize> {
    keys: Rc<Tracker>,
    vals: Rc<Tracker>,
    map: TMap<H, A, CAP>,
}

impl<H: Handle, A: ArenaStrategy, const CAP: usize> Fixture<H, A, CAP> {
    /// A map of `n` entries inserted in a random order.
    fn new(make: fn() -> TMap<H, A, CAP>, n: u32, seed: u64) -> Self {
        let (keys, vals) = (Tracker::new(), Tracker::new());
        let mut map = make();
        for k in shuffled(n, seed) {
            assert!(map.insert(keys.make(k), vals.make(k)).is_none());
        }
        map.check_invariants().unwrap();
        Fixture { keys, vals, map }
    }

    /// Live keys are the entries' plus the separators (clones of keys).
    fn assert_live(&self) {
        assert_eq!(self.vals.live(), self.map.len());
        assert!(self.keys.live() >= self.map.len());
        assert_eq!(
            self.keys.live(),
            self.keys.created() + self.keys.clones() - self.keys.drops()
        );
        assert_eq!(self.keys.double_drops() + self.vals.double_drops(), 0);
    }

    fn finish(self) {
        let Fixture { keys, vals, map } = self;
        drop(map);
        keys.assert_all_dropped_once();
        vals.assert_all_dropped_once();
    }
}

fn remove<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    let mut f = Fixture::new(make, N, 1);
    for (i, k) in shuffled(N, 2).into_iter().enumerate() {
        let v = if i % 2 == 0 {
            f.map.remove(&k).unwrap()
        } else {
            let (key, v) = f.map.remove_entry(&k).unwrap();
            assert_eq!(key.key, k);
            v
        };
        assert_eq!(v.key, k);
        drop(v);
        if i % 50 == 0 {
            f.assert_live();
            f.map.check_invariants().unwrap();
        }
        assert!(f.map.remove(&k).is_none());
    }
    // Every separator went with the merges that emptied the tree.
    assert_eq!(
        f.keys.live(),
        0,
        "keys (or separators) alive in an empty map"
    );
    assert_eq!(f.vals.live(), 0);
    f.finish();
}

fn pop<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    let mut f = Fixture::new(make, N, 3);
    let (mut lo, mut hi) = (0, N);
    let mut rng = XorShift::new(4);
    while lo < hi {
        if rng.below(2) == 0 {
            let (k, v) = f.map.pop_first().unwrap();
            assert_eq!((k.key, v.key), (lo, lo));
            lo += 1;
        } else {
            let (k, v) = f.map.pop_last().unwrap();
            hi -= 1;
            assert_eq!((k.key, v.key), (hi, hi));
        }
        if lo % 64 == 0 {
            f.assert_live();
        }
    }
    assert!(f.map.pop_first().is_none() && f.map.pop_last().is_none());
    assert_eq!(f.keys.live() + f.vals.live(), 0);
    f.finish();
}

fn clear<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    let mut f = Fixture::new(make, N, 5);
    f.assert_live();
    f.map.clear();
    assert!(f.map.is_empty());
    assert_eq!(f.keys.live() + f.vals.live(), 0);
    f.map.check_invariants().unwrap();
    // The map is usable again.
    for k in shuffled(N / 2, 6) {
        f.map.insert(f.keys.make(k), f.vals.make(k));
    }
    f.map.check_invariants().unwrap();
    f.assert_live();
    f.finish();
}

fn drop_map<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    for n in [0, 1, CAP as u32, CAP as u32 + 1, N] {
        let f = Fixture::new(make, n, 7 + u64::from(n));
        f.assert_live();
        f.finish();
    }
}

fn into_iter_partly<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    for (front, back) in [
        (0, 0),
        (1, 0),
        (0, 1),
        (3, 5),
        (N / 2, N / 3),
        (N - 1, 0),
        (0, N),
    ] {
        let Fixture { keys, vals, map } = Fixture::new(make, N, 8);
        let mut it = map.into_iter();
        for i in 0..front {
            let (k, v) = it.next().unwrap();
            assert_eq!((k.key, v.key), (i, i));
        }
        for i in 0..back.min(N - front) {
            let (k, v) = it.next_back().unwrap();
            assert_eq!((k.key, v.key), (N - 1 - i, N - 1 - i));
        }
        assert_eq!(it.len() as u32, N - front - back.min(N - front));
        assert_eq!(vals.live(), it.len());
        drop(it);
        keys.assert_all_dropped_once();
        vals.assert_all_dropped_once();
    }
    // into_keys and into_values, partly consumed.
    let Fixture { keys, vals, map } = Fixture::new(make, N, 9);
    let mut ks = map.into_keys();
    assert_eq!(ks.next().map(|k| k.key), Some(0));
    assert_eq!(ks.next_back().map(|k| k.key), Some(N - 1));
    drop(ks);
    keys.assert_all_dropped_once();
    vals.assert_all_dropped_once();
    let Fixture { keys, vals, map } = Fixture::new(make, N, 10);
    let mut vs = map.into_values();
    assert_eq!(vs.next_back().map(|v| v.key), Some(N - 1));
    drop(vs);
    keys.assert_all_dropped_once();
    vals.assert_all_dropped_once();
}

/// Inserting an existing key replaces and returns the value, keeps the
/// stored key and drops the new one, as std does.
fn replace<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    let mut f = Fixture::new(make, N, 11);
    let (sk, sv) = (Tracker::new(), Tracker::new());
    let mut std_map = BTreeMap::new();
    for k in 0..N {
        std_map.insert(sk.make(k), sv.make(k));
    }
    for k in shuffled(N, 12) {
        let stored = f.map.get_key_value(&k).unwrap().0.id();
        let std_stored = std_map.get_key_value(&k).unwrap().0.id();
        let old = f.map.insert(f.keys.make(k), f.vals.make(k + 1)).unwrap();
        let std_old = std_map.insert(sk.make(k), sv.make(k + 1)).unwrap();
        assert_eq!(old.key, k);
        assert_eq!(std_old.key, k);
        // Both keep the key they had.
        assert_eq!(f.map.get_key_value(&k).unwrap().0.id(), stored);
        assert_eq!(std_map.get_key_value(&k).unwrap().0.id(), std_stored);
        assert_eq!(f.map[&k].key, k + 1);
    }
    // checked_insert, likewise.
    let old = f
        .map
        .checked_insert(f.keys.make(0), f.vals.make(7))
        .unwrap();
    assert_eq!(old.map(|v| v.key), Some(1));
    f.assert_live();
    f.map.check_invariants().unwrap();
    f.finish();
    drop(std_map);
    sk.assert_all_dropped_once();
    sv.assert_all_dropped_once();
}

/// Separators are clones of keys: a random load makes some, removals and
/// merges retire them, `clone` makes a packed copy; each clone is dropped
/// exactly once.
fn separators<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> TMap<H, A, CAP>) {
    let mut f = Fixture::new(make, N, 13);
    if f.map.height() > 0 {
        assert!(
            f.keys.clones() > 0,
            "a tree of height {} cloned no key",
            f.map.height()
        );
    }
    assert_eq!(f.vals.clones(), 0, "values are never cloned by inserts");
    // Churn: remove and reinsert half, in random orders.
    for round in 0..3 {
        for k in shuffled(N, 20 + round).into_iter().take(N as usize / 2) {
            drop(f.map.remove(&k));
        }
        f.assert_live();
        f.map.check_invariants().unwrap();
        for k in 0..N {
            if !f.map.contains_key(&k) {
                f.map.insert(f.keys.make(k), f.vals.make(k));
            }
        }
        f.assert_live();
    }
    // A clone: entries cloned once each (plus separators), all dropped once.
    let before = (f.keys.clones(), f.vals.clones());
    let copy = f.map.clone();
    copy.check_invariants().unwrap();
    assert_eq!(f.vals.clones() - before.1, N as usize);
    assert!(f.keys.clones() - before.0 >= N as usize);
    assert!(copy == f.map);
    drop(copy);
    f.assert_live();
    // Collecting and extending drop what they replace.
    let extra: Vec<(Tracked, Tracked)> = (0..N).map(|k| (f.keys.make(k), f.vals.make(k))).collect();
    f.map.extend(extra);
    f.assert_live();
    let from: TMap<H, A, CAP> = (0..N)
        .flat_map(|k| {
            [
                (f.keys.make(k), f.vals.make(0)),
                (f.keys.make(k), f.vals.make(k)),
            ]
        })
        .collect();
    assert!(from.iter().all(|(k, v)| k.key == v.key));
    drop(from);
    assert!(
        TMap::<H, A, CAP>::from_sorted_iter((0..N).rev().map(|k| (f.keys.make(k), f.vals.make(k))))
            .is_none()
    );
    f.assert_live();
    f.finish();
}

/// One value panics when dropped while the map is dropped (or cleared, or
/// an `into_iter` is dropped): no double drop, and the map stays valid.
fn panic_in_drop<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> TMap<H, A, CAP>,
) -> usize {
    let mut leaked = 0;
    for (how, bad) in [
        (0, N / 2),
        (0, 0),
        (0, N - 1),
        (1, N / 3),
        (2, N / 4),
        (3, N / 5),
    ] {
        let (keys, vals) = (Tracker::new(), Tracker::new());
        let mut map = make();
        for k in shuffled(N, 30) {
            let v = if k == bad {
                vals.make_panicky(k)
            } else {
                vals.make(k)
            };
            map.insert(keys.make(k), v);
        }
        let result = match how {
            0 => quietly(move || drop(map)),
            1 => {
                let r = quietly(|| map.clear());
                // After the panic the map must be valid (std's clear leaves
                // it empty).
                map.check_invariants().unwrap();
                map.insert(keys.make(1), vals.make(1));
                map.check_invariants().unwrap();
                drop(map);
                r
            }
            2 => quietly(move || {
                let mut it = map.into_iter();
                it.next();
                drop(it)
            }),
            _ => quietly(move || {
                let mut it = map.into_values();
                it.next_back();
                drop(it)
            }),
        };
        assert!(
            result.is_err(),
            "the panicking drop did not panic (case {how})"
        );
        assert_eq!(keys.double_drops(), 0, "double drop of a key (case {how})");
        assert_eq!(
            vals.double_drops(),
            0,
            "double drop of a value (case {how})"
        );
        eprintln!(
            "  case {how}, value {bad} panics: {} keys, {} values leaked",
            keys.live(),
            vals.live()
        );
        leaked += keys.live() + vals.live();
    }
    leaked
}

macro_rules! configurations {
    ($($name:ident: $map:ty;)*) => {$(
        mod $name {
            use super::*;

            fn make() -> $map {
                <$map>::empty()
            }

            #[test]
            fn remove_drops_once() {
                remove(make);
            }

            #[test]
            fn pop_drops_once() {
                pop(make);
            }

            #[test]
            fn clear_drops_once() {
                clear(make);
            }

            #[test]
            fn dropping_the_map_drops_once() {
                drop_map(make);
            }

            #[test]
            fn partly_consumed_into_iter_drops_once() {
                into_iter_partly(make);
            }

            #[test]
            fn replaced_values_drop_once() {
                replace(make);
            }

            #[test]
            fn separator_clones_drop_once() {
                separators(make);
            }

            #[test]
            fn panic_in_drop_never_double_drops() {
                let leaked = panic_in_drop(make);
                eprintln!("{}: {leaked} keys and values leaked after panics in drop", stringify!($name));
            }
        }
    )*};
}

configurations! {
    default_config: TMap<Wide32, VecArena, 64>;
    deep_cap4: TMap<Wide32, VecArena, 4>;
    compact16_pool_32: TMap<Compact16, PoolArena, 32>;
    phase0: Phase0<Tracked, Tracked>;
    phase1: Phase1<Tracked, Tracked>;
    phase2: Phase2<Tracked, Tracked>;
    phase3: Phase3<Tracked, Tracked>;
    vec_boxed_cap5: TMap<Wide32, VecArena<Boxed>, 5>;
    pool_growing_cap4: TMap<Compact16, PoolArena<Growing>, 4>;
    masked_inline_cap4: TMap<Wide32, MaskedArena, 4>;
}

/// `FromIterator` with duplicate keys: std keeps the last pair (its key
/// and its value); all others are dropped exactly once.
#[test]
fn from_iter_duplicates_keep_last_like_std() {
    let (keys, vals) = (Tracker::new(), Tracker::new());
    let pairs = |n: u32| -> Vec<(Tracked, Tracked)> {
        (0..n)
            .flat_map(|k| [(keys.make(k), vals.make(0)), (keys.make(k), vals.make(k))])
            .collect()
    };
    let ours: BPlusTreeMap<Tracked, Tracked> = pairs(100).into_iter().collect();
    let theirs: BTreeMap<Tracked, Tracked> = pairs(100).into_iter().collect();
    for ((a, b), (c, d)) in ours.iter().zip(&theirs) {
        assert_eq!((a.key, b.key), (c.key, d.key));
    }
    assert_eq!(vals.live(), 200);
    assert!(keys.live() >= 200); // and our separators
    drop((ours, theirs));
    keys.assert_all_dropped_once();
    vals.assert_all_dropped_once();
}

/// Which *key* instance `collect` keeps for duplicates: std keeps the last
/// pair whole (`DedupSortedIter` skips an entry when the next has an equal
/// key), so the stored key is the last one given.
#[test]
fn from_iter_duplicates_keep_the_last_key_like_std() {
    let t = Tracker::new();
    // Two equal keys; returns the pairs and the id of the last key.
    let pairs = || {
        let (first, last) = (t.make(1), t.make(1));
        let id = last.id();
        ([(first, 0u8), (last, 1u8)], id)
    };
    let (p, last) = pairs();
    let theirs: BTreeMap<Tracked, u8> = p.into_iter().collect();
    assert_eq!(theirs[&1], 1);
    assert_eq!(
        theirs.keys().next().unwrap().id(),
        last,
        "std keeps the last key"
    );
    let (p, last) = pairs();
    let ours: BPlusTreeMap<Tracked, u8> = p.into_iter().collect();
    assert_eq!(ours[&1], 1);
    assert_eq!(
        ours.keys().next().unwrap().id(),
        last,
        "ours keeps the first key"
    );
}

/// After a value panics in `drop` while the map is dropped or cleared, std
/// still drops every other entry (its `IntoIter` drop guard keeps going).
fn leaks_after_panic_in_drop(clear: bool) -> (usize, usize) {
    let (keys, vals) = (Tracker::new(), Tracker::new());
    let (sk, sv) = (Tracker::new(), Tracker::new());
    let mut ours: BPlusTreeMap<Tracked, Tracked> = BPlusTreeMap::new();
    let mut theirs = BTreeMap::new();
    for k in 0..N {
        let (v, sv) = if k == 0 {
            (vals.make_panicky(k), sv.make_panicky(k))
        } else {
            (vals.make(k), sv.make(k))
        };
        ours.insert(keys.make(k), v);
        theirs.insert(sk.make(k), sv);
    }
    if clear {
        assert!(quietly(|| ours.clear()).is_err());
        assert!(quietly(|| theirs.clear()).is_err());
    } else {
        assert!(quietly(move || drop(ours)).is_err());
        assert!(quietly(move || drop(theirs)).is_err());
    }
    assert_eq!(sk.live() + sv.live(), 0, "std leaks nothing");
    assert_eq!(keys.double_drops() + vals.double_drops(), 0);
    (keys.live(), vals.live())
}

#[test]
fn panic_in_drop_leaks_nothing_like_std() {
    assert_eq!(
        leaks_after_panic_in_drop(false),
        (0, 0),
        "drop: (keys, values) leaked"
    );
    assert_eq!(
        leaks_after_panic_in_drop(true),
        (0, 0),
        "clear: (keys, values) leaked"
    );
}
