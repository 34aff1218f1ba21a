//! Bad input and panicking user code: the claims of the README's "Bad input
//! and panics" section that no other test file backs. Each test's name is
//! its claim; each ends with `check_invariants` on the maps that survive.
//!
//! - Inverted ranges panic with std's messages and leave the map as it was.
//! - `from_sorted_iter` refuses unsorted input, reading it up to the first
//!   key out of order and dropping every key and value read exactly once;
//!   a panicking `Ord` or
//!   `Clone` in it drops the input too.
//! - A `Compact16` tree out of handles: every insert path (`insert`, the
//!   entry API, the four cursor inserts, `extend`, the set's `insert`,
//!   `replace` and `extend`) panics with the `CapacityError` message and
//!   leaves the map as it was, dropping the refused key and value;
//!   `extend` keeps what it inserted before; bulk builds past the limit
//!   panic and drop their input.
//! - `extend` with a panicking `Ord` or `Clone` keeps exactly the entries
//!   inserted before the panicking one.
//! - `insert` of an existing key whose new key panics in `Drop` leaves the
//!   map unchanged, as std's does.
//! - `append` with a panicking `Drop` leaves both maps empty and valid, and
//!   drops every other key and value.
//! - `clear` with a panicking `Drop` leaves the map empty, valid and usable.
//! - The leaks on panic paths are std's own (rust-lang/rust#47949): a value
//!   whose key panics in `Drop` in `remove` or `OccupiedEntry::remove`, a
//!   key whose value panics in `Drop` in `into_keys`; std leaks the same.
//! - Separators are clones of keys: a key whose clones panic in `Drop` too
//!   panics again when its separator copy is dropped.
//! - An archived map's `Index` panics on a missing key.

// `Tracked` orders by its plain `key` field; its interior mutability (the
// shared ledger) never affects the order.
#![allow(clippy::mutable_key_type)]

mod common;

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{self, Excluded, Included, Unbounded};
use std::rc::Rc;

use bptree::map::Entry;
use bptree::policy::{ArenaStrategy, Handle};
use bptree::{Adaptive, BPlusTreeMap, BPlusTreeSet, Compact16, PoolArena, VecArena, Wide32};
use common::{Tracked, Tracker, XorShift, quietly};

/// The text of a caught panic.
fn message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<not a string>")
    }
}

// ---------------------------------------------------------------------------
// Inverted ranges
// ---------------------------------------------------------------------------

type Bounds = (Bound<u32>, Bound<u32>);

fn inverted_ranges<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32) {
    let mut map: BPlusTreeMap<u32, u32, H, A, CAP> = (0..n).map(|k| (2 * k, k)).collect();
    let set: BPlusTreeSet<u32, H, A, CAP> = (0..n).map(|k| 2 * k).collect();
    let before: Vec<(u32, u32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
    let cases: [(Bounds, &str); 4] = [
        (
            (Included(10), Included(9)),
            "range start is greater than range end",
        ),
        (
            (Included(10), Excluded(4)),
            "range start is greater than range end",
        ),
        (
            (Excluded(11), Included(3)),
            "range start is greater than range end",
        ),
        (
            (Excluded(10), Excluded(10)),
            "range start and end are equal and excluded",
        ),
    ];
    let std: BTreeMap<u32, u32> = before.iter().copied().collect();
    let std_set: BTreeSet<u32> = before.iter().map(|&(k, _)| k).collect();
    for (bounds, want) in cases {
        let what = format!("n {n}, CAP {CAP}, {bounds:?}");
        // Word for word std's messages, with our type names.
        let want_map = format!("{want} in BPlusTreeMap");
        let want_set = format!("{want} in BPlusTreeSet");
        let theirs = message(quietly(|| std.range(bounds).count()).unwrap_err());
        assert_eq!(
            theirs.replace("BTreeMap", "BPlusTreeMap"),
            want_map,
            "{what}: std"
        );
        let theirs = message(quietly(|| std_set.range(bounds).count()).unwrap_err());
        assert_eq!(
            theirs.replace("BTreeSet", "BPlusTreeSet"),
            want_set,
            "{what}: std set"
        );
        let got = message(quietly(|| map.range(bounds).count()).unwrap_err());
        assert_eq!(got, want_map, "{what}: range");
        let got =
            message(quietly(|| map.range_mut(bounds).for_each(|(_, v)| *v += 1)).unwrap_err());
        assert_eq!(got, want_map, "{what}: range_mut");
        let got = message(quietly(|| set.range(bounds).count()).unwrap_err());
        assert_eq!(got, want_set, "{what}: set range");
    }
    assert!(map.iter().map(|(k, v)| (*k, *v)).eq(before.iter().copied()));
    map.check_invariants().unwrap();
    set.check_invariants().unwrap();
}

#[test]
#[allow(clippy::reversed_empty_ranges)] // the inverted bounds are the point
fn inverted_ranges_panic_like_std_and_leave_the_map_intact() {
    let sizes: &[u32] = if cfg!(miri) {
        &[10, 40]
    } else {
        &[10, 40, 1000]
    };
    for &n in sizes {
        inverted_ranges::<Wide32, VecArena, 64>(n);
        inverted_ranges::<Compact16, PoolArena, 4>(n);
    }
    // Range syntax too.
    let map: BPlusTreeMap<u32, u32> = (0..100).map(|k| (k, k)).collect();
    assert!(quietly(|| map.range(5..2).count()).is_err());
    assert!(quietly(|| map.range(5..=2).count()).is_err());
    assert_eq!(map.range(4..4).count(), 0);
    map.check_invariants().unwrap();
    assert_eq!(map.len(), 100);
    // The one difference: an empty map never panics, also one emptied by
    // removals, whose std counterpart keeps its root node and panics.
    let mut ours = map;
    let mut std: BTreeMap<u32, u32> = (0..100).map(|k| (k, k)).collect();
    for k in 0..100 {
        ours.remove(&k);
        std.remove(&k);
    }
    assert_eq!(ours.range(5..2).count(), 0);
    assert_eq!(ours.range_mut(5..2).count(), 0);
    assert!(quietly(|| std.range(5..2).count()).is_err());
    assert_eq!(BTreeMap::<u32, u32>::new().range(5..2).count(), 0);
    ours.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------
// from_sorted_iter
// ---------------------------------------------------------------------------

fn unsorted<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32) {
    type M<H, A, const CAP: usize> = BPlusTreeMap<Tracked, Tracked, H, A, CAP>;
    // Keys 0, 2, .. with one defect: a pair swapped at the start, the
    // middle or the end, or a key repeated.
    for (name, swap) in [("swap", true), ("repeat", false)] {
        let mut ats = vec![0, (n as usize - 2) / 2, n as usize - 2];
        ats.dedup();
        for at in ats {
            let what = format!("n {n}, CAP {CAP}: {name} at {at}");
            let (keys, vals) = (Tracker::new(), Tracker::new());
            let mut ks: Vec<u32> = (0..n).map(|k| 2 * k).collect();
            if swap {
                ks.swap(at, at + 1);
            } else {
                ks[at + 1] = ks[at];
            }
            let pulled = Cell::new(0);
            let input = ks.iter().map(|&k| {
                pulled.set(pulled.get() + 1);
                (keys.make(k), vals.make(k))
            });
            assert!(M::<H, A, CAP>::from_sorted_iter(input).is_none(), "{what}");
            // Reading stops at the first key not above the one before it.
            assert_eq!(pulled.get(), at as u32 + 2, "{what}: read up to the defect");
            keys.assert_all_dropped_once();
            vals.assert_all_dropped_once();
            assert_eq!(keys.created(), at + 2);
        }
    }
    // Sorted input builds the map.
    let (keys, vals) = (Tracker::new(), Tracker::new());
    let map = M::<H, A, CAP>::from_sorted_iter((0..n).map(|k| (keys.make(2 * k), vals.make(k))))
        .expect("sorted");
    map.check_invariants().unwrap();
    assert!(map.keys().map(|k| k.key).eq((0..n).map(|k| 2 * k)));
    drop(map);
    keys.assert_all_dropped_once();
    vals.assert_all_dropped_once();
}

#[test]
fn from_sorted_iter_rejects_unsorted_input_and_builds_nothing() {
    let sizes: &[u32] = if cfg!(miri) {
        &[2, 3, 40]
    } else {
        &[2, 3, 40, 1000]
    };
    for &n in sizes {
        unsorted::<Wide32, VecArena, 64>(n);
        unsorted::<Compact16, PoolArena, 4>(n);
    }
}

// ---------------------------------------------------------------------------
// Out of handles
// ---------------------------------------------------------------------------

/// Entries of a full `Compact16` tree at CAP 4: 65,535 full leaves.
const FULL: u32 = 4 * 65_535;

type Full = BPlusTreeMap<u32, Rc<()>, Compact16, VecArena, 4>;

/// A full tree of keys `0, 2, ..`, every value a clone of `token`.
fn full(token: &Rc<()>) -> Full {
    let map = Full::from_sorted_iter((0..FULL).map(|i| (2 * i, Rc::clone(token)))).unwrap();
    assert_eq!(map.memory_usage().leaves, 65_535);
    map
}

/// `CapacityError`'s text, from a refused `checked_insert` on a full map
/// (which it leaves as it was).
fn capacity_message(map: &mut Full) -> String {
    map.checked_insert(1, Rc::new(()))
        .unwrap_err()
        .error
        .to_string()
}

/// An insert path: inserts `key` (odd, absent) with `value` into the map.
type InsertPath = (&'static str, fn(&mut Full, u32, Rc<()>));

const INSERT_PATHS: &[InsertPath] = &[
    ("insert", |m, k, v| {
        m.insert(k, v);
    }),
    ("entry().or_insert", |m, k, v| {
        m.entry(k).or_insert(v);
    }),
    ("entry().or_insert_with", |m, k, v| {
        m.entry(k).or_insert_with(|| v);
    }),
    ("VacantEntry::insert", |m, k, v| match m.entry(k) {
        Entry::Vacant(e) => drop(e.insert(v)),
        Entry::Occupied(_) => unreachable!(),
    }),
    ("VacantEntry::insert_entry", |m, k, v| match m.entry(k) {
        Entry::Vacant(e) => drop(e.insert_entry(v)),
        Entry::Occupied(_) => unreachable!(),
    }),
    ("CursorMut::insert_after", |m, k, v| {
        let mut c = m.lower_bound_mut(Excluded(&(k - 1)));
        c.insert_after(k, v).expect("the key fits the gap");
    }),
    ("CursorMut::insert_before", |m, k, v| {
        let mut c = m.lower_bound_mut(Excluded(&(k - 1)));
        c.insert_before(k, v).expect("the key fits the gap");
    }),
    ("CursorMut::insert_after_unchecked", |m, k, v| {
        m.lower_bound_mut(Unbounded).insert_after_unchecked(k, v);
    }),
    ("CursorMut::insert_before_unchecked", |m, k, v| {
        m.upper_bound_mut(Unbounded).insert_before_unchecked(k, v);
    }),
    ("extend", |m, k, v| m.extend([(k, v)])),
];

#[test]
#[cfg_attr(miri, ignore = "262,140 entries")]
fn every_insert_path_out_of_handles_panics_and_leaves_the_map_intact() {
    let token = Rc::new(());
    let mut map = full(&token);
    let text = capacity_message(&mut map);
    assert!(text.contains("capacity exceeded"), "{text}");
    let n = FULL as usize;
    for &(name, path) in INSERT_PATHS {
        for key in [1, FULL + 1, 2 * FULL - 1, 2 * FULL + 7] {
            let what = format!("{name}({key})");
            let refused = Rc::new(());
            let r = Rc::clone(&refused);
            let got = message(quietly(|| path(&mut map, key, r)).expect_err(&what));
            assert_eq!(got, text, "{what}");
            assert_eq!(map.len(), n, "{what}");
            assert!(!map.contains_key(&key), "{what}");
            assert_eq!(
                Rc::strong_count(&refused),
                1,
                "{what}: value kept or leaked"
            );
            assert_eq!(Rc::strong_count(&token), n + 1, "{what}");
        }
    }
    map.check_invariants().unwrap();
    assert!(map.keys().copied().eq((0..FULL).map(|i| 2 * i)));
}

#[test]
#[cfg_attr(miri, ignore = "262,140 entries")]
fn extend_out_of_handles_keeps_what_it_inserted_before_the_panic() {
    let token = Rc::new(());
    let mut map = full(&token);
    let text = capacity_message(&mut map);
    let (first, refused, after) = (Rc::new(()), Rc::new(()), Rc::new(()));
    let items = [
        (2, Rc::clone(&first)),
        (3, Rc::clone(&refused)),
        (4, Rc::clone(&after)),
    ];
    let got = message(quietly(|| map.extend(items)).unwrap_err());
    assert_eq!(got, text);
    // Key 2's value was replaced (no node needed); 3 refused; 4 never
    // reached (its pair dropped with the iterator).
    assert!(Rc::ptr_eq(&map[&2], &first));
    assert!(!map.contains_key(&3));
    assert!(Rc::ptr_eq(&map[&4], &token));
    assert_eq!(Rc::strong_count(&first), 2);
    assert_eq!(Rc::strong_count(&refused), 1);
    assert_eq!(Rc::strong_count(&after), 1);
    assert_eq!(map.len(), FULL as usize);
    map.check_invariants().unwrap();
}

#[test]
#[cfg_attr(miri, ignore = "262,140 entries")]
fn set_inserts_out_of_handles_panic_and_leave_the_set_intact() {
    let text = capacity_message(&mut full(&Rc::new(())));
    let mut set: BPlusTreeSet<u32, Compact16, VecArena, 4> = (0..FULL).map(|i| 2 * i).collect();
    assert_eq!(set.memory_usage().leaves, 65_535);
    type SetPath = (
        &'static str,
        fn(&mut BPlusTreeSet<u32, Compact16, VecArena, 4>, u32),
    );
    let paths: [SetPath; 3] = [
        ("insert", |s, k| {
            let _ = s.insert(k);
        }),
        ("replace", |s, k| {
            let _ = s.replace(k);
        }),
        ("extend", |s, k| s.extend([k])),
    ];
    for (name, path) in paths {
        for key in [1, FULL + 1, 2 * FULL + 1] {
            let got = message(quietly(|| path(&mut set, key)).expect_err(name));
            assert_eq!(got, text, "{name}({key})");
            assert!(!set.contains(&key), "{name}({key})");
            assert_eq!(set.len(), FULL as usize, "{name}({key})");
        }
    }
    // An element already there needs no node.
    assert!(!set.insert(4));
    assert_eq!(set.replace(4), Some(4));
    set.check_invariants().unwrap();
    assert!(set.iter().copied().eq((0..FULL).map(|i| 2 * i)));
}

#[test]
#[cfg_attr(miri, ignore = "262,141 entries")]
fn bulk_builds_past_the_limit_panic_and_drop_their_input() {
    let token = Rc::new(());
    let mut fits = full(&token);
    let text = capacity_message(&mut fits);
    drop(fits);
    let input = || (0..=FULL).map(|k| (k, Rc::clone(&token)));
    let got = message(quietly(|| Full::from_sorted_iter(input())).unwrap_err());
    assert_eq!(got, text, "from_sorted_iter");
    assert_eq!(Rc::strong_count(&token), 1, "from_sorted_iter leaked");
    let got = message(quietly(|| input().collect::<Full>()).unwrap_err());
    assert_eq!(got, text, "collect");
    assert_eq!(Rc::strong_count(&token), 1, "collect leaked");
    // One entry fewer fits, at full fill.
    let map = Full::from_sorted_iter((0..FULL).map(|k| (k, Rc::clone(&token)))).unwrap();
    map.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------
// A key whose Ord or Clone panics on the Nth call
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Cmp,
    Clone,
}

thread_local! {
    static CALLS: Cell<[u64; 2]> = const { Cell::new([0; 2]) };
    /// Panic when this kind's count reaches this value.
    static ARMED: Cell<Option<(Call, u64)>> = const { Cell::new(None) };
}

fn calls(kind: Call) -> u64 {
    CALLS.with(|c| c.get()[kind as usize])
}

fn arm(kind: Call, nth: u64) {
    ARMED.with(|a| a.set(Some((kind, calls(kind) + nth))));
}

fn tick(kind: Call) {
    let mut c = CALLS.with(Cell::get);
    c[kind as usize] += 1;
    CALLS.with(|cell| cell.set(c));
    if ARMED.with(Cell::get) == Some((kind, c[kind as usize])) {
        ARMED.with(|a| a.set(None));
        panic!("bomb: {kind:?} panics");
    }
}

/// A key whose `cmp` and `clone` count their calls and panic when armed.
#[derive(Debug)]
struct Bomb(u32);

impl Clone for Bomb {
    fn clone(&self) -> Bomb {
        tick(Call::Clone);
        Bomb(self.0)
    }
}

impl Ord for Bomb {
    fn cmp(&self, other: &Bomb) -> Ordering {
        tick(Call::Cmp);
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Bomb {
    fn partial_cmp(&self, other: &Bomb) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Bomb {
    fn eq(&self, other: &Bomb) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Bomb {}

fn extend_sweep<H: Handle, A: ArenaStrategy, const CAP: usize>(kind: Call) {
    type M<H, A, const CAP: usize> = BPlusTreeMap<Bomb, Tracked, H, A, CAP>;
    let vals = Tracker::new();
    // 14 entries short of the largest run (at least 50) and 40 items: the
    // map's run becomes a tree, so `extend` splits and clones separator
    // keys (under Miri too: fewer items would leave it a run, with no
    // `Clone` call to panic in).
    let n = M::<H, A, CAP>::RUN_MAX.max(64) as u32 - 14;
    let items_len: u32 = 40;
    // Keys 0, 2, .. shuffled in; items with keys below 2n + 10, some
    // already there, some repeated.
    let fixture = || {
        let mut keys: Vec<u32> = (0..n).map(|k| 2 * k).collect();
        XorShift::new(3).shuffle(&mut keys);
        let mut map = M::<H, A, CAP>::empty();
        for k in keys {
            map.insert(Bomb(k), vals.make(k + 1000));
        }
        let mut rng = XorShift::new(9);
        let items: Vec<(u32, Tracked)> = (0..items_len)
            .map(|i| {
                let k = rng.below(u64::from(2 * n + 10)) as u32;
                (k, vals.make(3000 + i))
            })
            .collect();
        (map, items)
    };
    // The expected contents after the first `done` items went in.
    let expect = |map: &M<H, A, CAP>, items: &[(u32, Tracked)], done: usize| {
        let mut want: BTreeMap<u32, u64> = map.iter().map(|(k, v)| (k.0, v.id())).collect();
        for (k, v) in &items[..done] {
            want.insert(*k, v.id());
        }
        want.into_iter().collect::<Vec<_>>()
    };
    let contents = |map: &M<H, A, CAP>| map.iter().map(|(k, v)| (k.0, v.id())).collect::<Vec<_>>();

    // Dry run: how many calls of `kind` `extend` makes.
    let (mut map, items) = fixture();
    let want = expect(&map, &items, items.len());
    let start = calls(kind);
    map.extend(items.into_iter().map(|(k, v)| (Bomb(k), v)));
    let total = calls(kind) - start;
    assert_eq!(contents(&map), want);
    drop(map);
    assert!(total > 0, "CAP {CAP}: no {kind:?} call");

    let step = if cfg!(miri) { total.div_ceil(6) } else { 1 };
    for nth in (1..=total).step_by(step as usize) {
        let what = format!("CAP {CAP}: {kind:?} call {nth} of {total} panics");
        let (mut map, items) = fixture();
        let pulled = Cell::new(0);
        // The values' ids in item order.
        let ids: Vec<u64> = items.iter().map(|(_, v)| v.id()).collect();
        let keys: Vec<u32> = items.iter().map(|(k, _)| *k).collect();
        let before = contents(&map);
        arm(kind, nth);
        let result = quietly(|| {
            map.extend(items.into_iter().map(|(k, v)| {
                pulled.set(pulled.get() + 1);
                (Bomb(k), v)
            }))
        });
        ARMED.with(|a| a.set(None));
        assert!(result.is_err(), "{what}: no panic");
        // The item being inserted when the panic came is not in the map;
        // every item before it is.
        let done = pulled.get() - 1;
        let mut want: BTreeMap<u32, u64> = before.into_iter().collect();
        for i in 0..done {
            want.insert(keys[i], ids[i]);
        }
        assert_eq!(
            contents(&map),
            want.into_iter().collect::<Vec<_>>(),
            "{what}: {done} items went in"
        );
        map.check_invariants()
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    }
    assert_eq!(vals.double_drops(), 0);
    vals.assert_all_dropped_once();
}

#[test]
fn extend_stops_at_a_panicking_ord_or_clone_keeping_what_it_inserted() {
    for kind in [Call::Cmp, Call::Clone] {
        extend_sweep::<Wide32, VecArena, 64>(kind);
        extend_sweep::<Compact16, PoolArena, 4>(kind);
        extend_sweep::<Wide32, bptree::policy::MaskedArena<bptree::policy::Growing>, 5>(kind);
    }
}

fn from_sorted_sweep<H: Handle, A: ArenaStrategy, const CAP: usize>(kind: Call, n: u32) {
    type M<H, A, const CAP: usize> = BPlusTreeMap<Bomb, Tracked, H, A, CAP>;
    let vals = Tracker::new();
    let input = || {
        (0..n)
            .map(|k| (Bomb(2 * k), vals.make(k)))
            .collect::<Vec<_>>()
    };
    let start = calls(kind);
    let map = M::<H, A, CAP>::from_sorted_iter(input()).expect("sorted");
    let total = calls(kind) - start;
    map.check_invariants().unwrap();
    drop(map);
    let step = if cfg!(miri) {
        total.div_ceil(5).max(1)
    } else {
        1
    };
    for nth in (1..=total).step_by(step as usize) {
        let items = input();
        arm(kind, nth);
        let r = quietly(|| M::<H, A, CAP>::from_sorted_iter(items));
        ARMED.with(|a| a.set(None));
        assert!(
            r.is_err(),
            "n {n}, CAP {CAP}: {kind:?} call {nth} of {total}"
        );
        assert_eq!(
            vals.live(),
            0,
            "n {n}, CAP {CAP}: {kind:?} call {nth}: leaked"
        );
    }
    vals.assert_all_dropped_once();
}

#[test]
fn from_sorted_iter_with_a_panicking_ord_or_clone_panics_and_drops_its_input() {
    let sizes: &[u32] = if cfg!(miri) { &[3, 30] } else { &[3, 30, 300] };
    for &n in sizes {
        for kind in [Call::Cmp, Call::Clone] {
            from_sorted_sweep::<Wide32, VecArena, 64>(kind, n);
            from_sorted_sweep::<Compact16, PoolArena, 4>(kind, n);
        }
    }
}

// ---------------------------------------------------------------------------
// Panicking Drop
// ---------------------------------------------------------------------------

type TMap<H, A, const CAP: usize> = BPlusTreeMap<Tracked, Tracked, H, A, CAP>;

fn insert_existing<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32) {
    let (keys, vals) = (Tracker::new(), Tracker::new());
    let (std_keys, std_vals) = (Tracker::new(), Tracker::new());
    let mut map: TMap<H, A, CAP> = (0..n).map(|k| (keys.make(k), vals.make(k))).collect();
    let mut std: BTreeMap<Tracked, Tracked> = (0..n)
        .map(|k| (std_keys.make(k), std_vals.make(k)))
        .collect();
    let before: Vec<u64> = map.values().map(Tracked::id).collect();
    for k in [0, n / 2, n - 1] {
        let (key, val) = (keys.make_panicky(k), vals.make(k + 1000));
        assert!(quietly(|| map.insert(key, val)).is_err());
        let (key, val) = (std_keys.make_panicky(k), std_vals.make(k + 1000));
        assert!(quietly(|| std.insert(key, val)).is_err());
        assert_eq!(std[&k].key, k, "std keeps the old value");
    }
    assert_eq!(map.values().map(Tracked::id).collect::<Vec<_>>(), before);
    map.check_invariants().unwrap();
    drop((map, std));
    for t in [keys, vals, std_keys, std_vals] {
        t.assert_all_dropped_once();
    }
}

#[test]
fn insert_of_an_existing_key_whose_new_key_panics_in_drop_leaves_the_map_unchanged_like_std() {
    let sizes: &[u32] = if cfg!(miri) { &[3, 30] } else { &[3, 30, 300] };
    for &n in sizes {
        insert_existing::<Wide32, VecArena, 64>(n);
        insert_existing::<Compact16, PoolArena, 4>(n);
    }
}

fn append_drop<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32) {
    for m in [0, n / 2, n - 1] {
        // `a` holds even keys, `b` odd ones and `2m`: `b`'s value replaces
        // `a`'s for key `2m`, whose displaced key (b's) or value (a's)
        // panics in `Drop`.
        for panicky_key in [true, false] {
            let what = format!("n {n}, CAP {CAP}, m {m}, panicky key {panicky_key}");
            let (keys, vals) = (Tracker::new(), Tracker::new());
            let mut a: TMap<H, A, CAP> = (0..n)
                .map(|k| {
                    let v = if k == m && !panicky_key {
                        vals.make_panicky(2 * k)
                    } else {
                        vals.make(2 * k)
                    };
                    (keys.make(2 * k), v)
                })
                .collect();
            let mut b: TMap<H, A, CAP> = (0..n)
                .map(|k| (keys.make(2 * k + 1), vals.make(2 * k + 1)))
                .chain([(
                    if panicky_key {
                        keys.make_panicky(2 * m)
                    } else {
                        keys.make(2 * m)
                    },
                    vals.make(2 * m + 5000),
                )])
                .collect();
            assert!(quietly(|| a.append(&mut b)).is_err(), "{what}: no panic");
            assert!(a.is_empty() && b.is_empty(), "{what}: a map is not empty");
            a.check_invariants().unwrap();
            b.check_invariants().unwrap();
            assert_eq!(keys.live() + vals.live(), 0, "{what}: leaked");
            assert_eq!(keys.double_drops() + vals.double_drops(), 0, "{what}");
            // Both still work.
            a.insert(keys.make(1), vals.make(1));
            b.append(&mut a);
            assert_eq!(b.len(), 1);
            b.check_invariants().unwrap();
        }
    }
}

#[test]
fn append_with_a_panicking_drop_empties_both_maps_and_leaks_nothing() {
    let sizes: &[u32] = if cfg!(miri) { &[3, 30] } else { &[3, 30, 300] };
    for &n in sizes {
        append_drop::<Wide32, VecArena, 64>(n);
        append_drop::<Compact16, PoolArena, 4>(n);
    }
}

thread_local! {
    /// `Once` instances alive, and the drop (counted from 1) that panics.
    static ONCE_LIVE: Cell<isize> = const { Cell::new(0) };
    static ONCE_ARM: Cell<u32> = const { Cell::new(0) };
}

/// A key whose drop panics once: on the `ONCE_ARM`-th drop after arming.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Once(u32);

impl Once {
    fn new(k: u32) -> Self {
        ONCE_LIVE.set(ONCE_LIVE.get() + 1);
        Once(k)
    }
}

impl Clone for Once {
    fn clone(&self) -> Self {
        Once::new(self.0)
    }
}

impl Drop for Once {
    fn drop(&mut self) {
        ONCE_LIVE.set(ONCE_LIVE.get() - 1);
        match ONCE_ARM.get() {
            0 => {}
            1 => {
                ONCE_ARM.set(0);
                panic!("drop of key {}", self.0);
            }
            n => ONCE_ARM.set(n - 1),
        }
    }
}

/// `append` of two disjoint trees: the merge itself drops nothing, and the
/// first drop is of a separator copy in a source's emptied tree, after the
/// result is built (the `panics` fuzz target's find). The build drops its
/// source before it hands the result over, so a panic there frees the
/// result too: both maps empty, usable, nothing leaked.
fn append_source_drop<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32) {
    for arm in [1, 2, 5] {
        let what = format!("n {n}, CAP {CAP}, panic at drop {arm}");
        let mut a: BPlusTreeMap<Once, u32, H, A, CAP> =
            (0..n).map(|k| (Once::new(2 * k), k)).collect();
        let mut b: BPlusTreeMap<Once, u32, H, A, CAP> =
            (0..n).map(|k| (Once::new(2 * k + 1), k)).collect();
        ONCE_ARM.set(arm);
        assert!(quietly(|| a.append(&mut b)).is_err(), "{what}: no panic");
        assert_eq!(ONCE_ARM.get(), 0, "{what}");
        assert!(a.is_empty() && b.is_empty(), "{what}: a map is not empty");
        a.check_invariants().unwrap();
        b.check_invariants().unwrap();
        assert_eq!(ONCE_LIVE.get(), 0, "{what}: leaked");
        a.insert(Once::new(1), 1);
        b.append(&mut a);
        assert_eq!(b.len(), 1);
        b.check_invariants().unwrap();
        drop(b);
        assert_eq!(ONCE_LIVE.get(), 0, "{what}");
    }
}

#[test]
fn append_with_a_drop_panic_in_a_sources_separators_empties_both_maps_and_leaks_nothing() {
    let sizes: &[u32] = if cfg!(miri) { &[30] } else { &[30, 300] };
    for &n in sizes {
        append_source_drop::<Compact16, VecArena, 4>(n);
        append_source_drop::<Adaptive, VecArena, 4>(n);
    }
    append_source_drop::<Wide32, VecArena, 64>(if cfg!(miri) { 200 } else { 1000 });
}

fn clear_drop<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32) {
    for m in [0, n / 2, n - 1] {
        let (keys, vals) = (Tracker::new(), Tracker::new());
        let mut map: TMap<H, A, CAP> = (0..n)
            .map(|k| {
                let v = if k == m {
                    vals.make_panicky(k)
                } else {
                    vals.make(k)
                };
                (keys.make(k), v)
            })
            .collect();
        assert!(quietly(|| map.clear()).is_err());
        assert!(map.is_empty());
        assert_eq!(map.iter().count(), 0);
        map.check_invariants().unwrap();
        assert_eq!(keys.live() + vals.live(), 0, "n {n}, m {m}: leaked");
        map.insert(keys.make(1), vals.make(1));
        map.check_invariants().unwrap();
        drop(map);
        keys.assert_all_dropped_once();
        vals.assert_all_dropped_once();
    }
}

#[test]
fn clear_with_a_panicking_drop_leaves_the_map_empty_and_usable() {
    let sizes: &[u32] = if cfg!(miri) { &[3, 30] } else { &[3, 30, 300] };
    for &n in sizes {
        clear_drop::<Wide32, VecArena, 64>(n);
        clear_drop::<Compact16, PoolArena, 4>(n);
    }
}

/// Leaks, as (keys, values) alive after everything else was dropped.
fn leaks(keys: &Tracker, vals: &Tracker) -> (usize, usize) {
    assert_eq!(keys.double_drops() + vals.double_drops(), 0);
    (keys.live(), vals.live())
}

/// `k`: the key (or value) that panics in `Drop`.
fn std_leaks<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32, k: u32) {
    // Builds ours and std's with the key (or value) of `k` panicking in Drop.
    let build = |panicky_key: bool| {
        let (keys, vals) = (Tracker::new(), Tracker::new());
        let pair = |i: u32| {
            if i != k {
                (keys.make(i), vals.make(i))
            } else if panicky_key {
                (keys.make_panicky(i), vals.make(i))
            } else {
                (keys.make(i), vals.make_panicky(i))
            }
        };
        let ours: TMap<H, A, CAP> = (0..n).map(pair).collect();
        let (skeys, svals) = (Tracker::new(), Tracker::new());
        let spair = |i: u32| {
            if i != k {
                (skeys.make(i), svals.make(i))
            } else if panicky_key {
                (skeys.make_panicky(i), svals.make(i))
            } else {
                (skeys.make(i), svals.make_panicky(i))
            }
        };
        let std: BTreeMap<Tracked, Tracked> = (0..n).map(spair).collect();
        (ours, std, [keys, vals, skeys, svals])
    };

    // remove: the stored key panics in Drop; its value leaks.
    let (mut ours, mut std, [keys, vals, skeys, svals]) = build(true);
    assert!(quietly(|| ours.remove(&k)).is_err());
    assert!(quietly(|| std.remove(&k)).is_err());
    assert!(!ours.contains_key(&k) && !std.contains_key(&k));
    assert_eq!(ours.len(), n as usize - 1);
    ours.check_invariants().unwrap();
    drop((ours, std));
    assert_eq!(leaks(&keys, &vals), (0, 1), "remove: ours");
    assert_eq!(leaks(&skeys, &svals), (0, 1), "remove: std");

    // OccupiedEntry::remove: the same.
    let (mut ours, mut std, [keys, vals, skeys, svals]) = build(true);
    let r = quietly(|| match ours.entry(keys.make(k)) {
        Entry::Occupied(e) => drop(e.remove()),
        Entry::Vacant(_) => unreachable!(),
    });
    assert!(r.is_err());
    let r = quietly(|| match std.entry(skeys.make(k)) {
        std::collections::btree_map::Entry::Occupied(e) => drop(e.remove()),
        std::collections::btree_map::Entry::Vacant(_) => unreachable!(),
    });
    assert!(r.is_err());
    assert!(!ours.contains_key(&k) && !std.contains_key(&k));
    ours.check_invariants().unwrap();
    drop((ours, std));
    assert_eq!(leaks(&keys, &vals), (0, 1), "OccupiedEntry::remove: ours");
    assert_eq!(leaks(&skeys, &svals), (0, 1), "OccupiedEntry::remove: std");

    // into_keys: the value panics in Drop as its key is yielded; the key
    // leaks, the rest is dropped with the iterator.
    let (ours, std, [keys, vals, skeys, svals]) = build(false);
    let mut it = ours.into_keys();
    let mut sit = std.into_keys();
    for _ in 0..k {
        drop((it.next(), sit.next()));
    }
    assert!(quietly(|| drop(it.next())).is_err());
    assert!(quietly(|| drop(sit.next())).is_err());
    assert_eq!(it.next().map(|t| t.key), Some(k + 1).filter(|&x| x < n));
    drop((it, sit));
    assert_eq!(leaks(&keys, &vals), (1, 0), "into_keys: ours");
    assert_eq!(leaks(&skeys, &svals), (1, 0), "into_keys: std");
}

#[test]
fn a_panicking_drop_leaks_only_what_std_leaks_in_remove_entry_remove_and_into_keys() {
    let sizes: &[u32] = if cfg!(miri) { &[3, 30] } else { &[3, 30, 300] };
    for &n in sizes {
        // Keys that start no leaf of these bulk-built maps, so no separator
        // is a copy of them (see the next test for one that is).
        for k in [0, (n / 2) | 1] {
            std_leaks::<Wide32, VecArena, 64>(n, k);
            std_leaks::<Compact16, PoolArena, 4>(n, k);
        }
    }
}

/// Separators are clones of keys. `Tracked`'s clones of a key that panics
/// in `Drop` panic too, so such a key panics once in `remove`, and its
/// separator copy panics again when it is dropped (here: with the map);
/// nothing is dropped twice, and only the removed value leaks.
fn separator_copy<H: Handle, A: ArenaStrategy, const CAP: usize>(n: u32, k: u32) {
    let (keys, vals) = (Tracker::new(), Tracker::new());
    let mut map: TMap<H, A, CAP> = (0..n)
        .map(|i| {
            let key = if i == k {
                keys.make_panicky(i)
            } else {
                keys.make(i)
            };
            (key, vals.make(i))
        })
        .collect();
    assert!(map.height() >= 1, "a tree");
    assert!(quietly(|| map.remove(&k)).is_err());
    assert!(!map.contains_key(&k));
    assert_eq!(map.len(), n as usize - 1);
    map.check_invariants().unwrap();
    let clones = keys.clones();
    assert!(clones > 0);
    let r = quietly(move || drop(map));
    assert!(r.is_err(), "n {n}, k {k}: the separator copy did not panic");
    assert_eq!(leaks(&keys, &vals), (0, 1), "n {n}, k {k}");
}

#[test]
fn separator_copies_of_a_key_that_panics_in_drop_panic_again_when_dropped() {
    // A leaf starts at every CAP-th key of a bulk-built tree, so its first
    // key is copied into a branch.
    separator_copy::<Compact16, PoolArena, 4>(30, 12);
    separator_copy::<Compact16, PoolArena, 4>(300, 148);
    separator_copy::<Wide32, VecArena, 64>(300, 128);
}

// ---------------------------------------------------------------------------
// The archive
// ---------------------------------------------------------------------------

#[cfg(feature = "rkyv")]
#[test]
fn archived_index_of_a_missing_key_panics() {
    use bptree::archive::ArchivedBPlusTreeMap;
    use rkyv::Archived;
    use rkyv::rancor::BoxedError;
    for n in [0u32, 1, 100] {
        let map: BPlusTreeMap<u32, u32> = (0..n).map(|k| (2 * k, k)).collect();
        let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
        let a =
            rkyv::access::<ArchivedBPlusTreeMap<Archived<u32>, Archived<u32>>, BoxedError>(&bytes)
                .unwrap();
        let got = message(quietly(|| a[&3u32].to_native()).unwrap_err());
        assert_eq!(got, "key not found in ArchivedBPlusTreeMap");
        if n > 1 {
            assert_eq!(a[&2u32], 1);
        }
    }
}
