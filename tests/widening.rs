//! Adaptive handles: a `BPlusTreeMap<_, _, Adaptive, _, CAP>` tree starts
//! with 16-bit handles, moves to 32-bit ones when an insert needs a
//! 65,536th leaf or branch, and moves back when a removal leaves it under
//! `(65_535 / 4) * (CAP / 2)` entries. At `CAP = 4` that is about 262,000
//! and 32,766 entries. Every switch is checked against a `BTreeMap` oracle,
//! inside every API that can cause one: `insert`, `checked_insert`, the
//! entry API, cursors, `remove`, `pop_*`, `extract_if`, `retain`, and the
//! bulk builds (`collect`, `from_sorted_iter`, `clone`, `append`,
//! `split_off`), with keys and values that count their drops, and with a
//! key clone that panics at the switch.
//!
//! `check_invariants` and `memory_usage` are O(n): the tests sample them
//! at the moments that matter, never per operation over a whole load.
//! Each check runs on `VecArena`, `PoolArena`, `VecArena<Boxed>` and
//! `Indirect<VecArena<Boxed>, 16>` (runs of up to 64 entries), the slowest ones
//! on two of them, to keep the file near 20 s in a debug build on two cores.

// `Tracked` orders by its plain `key` field; its interior mutability (the
// shared ledger) never affects the order.
#![allow(clippy::mutable_key_type)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::ops::Bound::{Excluded, Included, Unbounded};
use std::rc::Rc;

use bptree::map::{CursorMut, Entry};
use bptree::policy::{ArenaStrategy, Boxed, Indirect};
use bptree::{Adaptive, BPlusTreeMap, Compact16, MemoryUsage, PoolArena, VecArena};
use common::{Tracked, Tracker, XorShift, seed_of};

const CAP: usize = 4;
/// Nodes of each kind (leaves, branches) a 16-bit tree can name.
const MAX_NODES: usize = 65_535;
/// Entries in 65,535 full leaves: the most a 16-bit bulk build holds.
const EDGE: usize = MAX_NODES * CAP;
/// A removal that leaves a 32-bit tree with fewer entries narrows it.
const NARROW: usize = (MAX_NODES / 4) * (CAP / 2);

type Map<A, V = u32> = BPlusTreeMap<u32, V, Adaptive, A, CAP>;
type TMap<A> = BPlusTreeMap<Tracked, Tracked, Adaptive, A, CAP>;
type Std<V = u32> = BTreeMap<u32, V>;
type Cur<'a, A> = CursorMut<'a, u32, u32, Adaptive, A, CAP>;
/// An entry by value, or none.
type Pair = Option<(u32, u32)>;

/// One test per arena strategy for a generic check, ignored under Miri
/// (each builds trees of tens of thousands of nodes).
macro_rules! per_arena {
    (#[doc = $doc:literal] mod $name:ident => $check:ident { $($test:ident: $arena:ty),+ $(,)? }) => {
        mod $name {
            use super::*;
            $(
                #[doc = $doc]
                #[test]
                #[cfg_attr(miri, ignore = "a switch needs 65,536 leaves (about 262,000 entries): hours under Miri")]
                fn $test() {
                    $check::<$arena>();
                }
            )+
        }
    };
}

/// The i-th key of the ascending loads: even and at least 2, so that an
/// odd key fits between any two keys, and before the first.
fn key(i: usize) -> u32 {
    (2 * i + 2) as u32
}

/// The most entries a map of this arena keeps as a small sorted run.
fn run_max<A: ArenaStrategy>() -> usize {
    CAP * A::RUN_LEAVES
}

fn bits<A: ArenaStrategy, V>(map: &Map<A, V>) -> u32 {
    map.memory_usage().handle_bits
}

/// Invariants, and everything against the oracle: length, both iteration
/// orders, first and last, hits, misses and ranges.
fn check<A: ArenaStrategy, V: PartialEq + Debug>(map: &Map<A, V>, oracle: &Std<V>, what: &str) {
    if let Err(e) = map.check_invariants() {
        panic!("{what}: {e}");
    }
    assert_eq!(map.len(), oracle.len(), "{what}: len");
    assert!(map.iter().eq(oracle.iter()), "{what}: iter");
    // The whole map from the back only where it matters: `check_both_ways`.
    assert!(
        map.iter()
            .rev()
            .take(1_000)
            .eq(oracle.iter().rev().take(1_000)),
        "{what}: iter().rev()"
    );
    assert_eq!(
        map.first_key_value(),
        oracle.first_key_value(),
        "{what}: first"
    );
    assert_eq!(
        map.last_key_value(),
        oracle.last_key_value(),
        "{what}: last"
    );
    for (k, v) in oracle.iter().step_by(oracle.len() / 199 + 1) {
        assert_eq!(map.get(k), Some(v), "{what}: get {k}");
    }
    let top = oracle.last_key_value().map_or(0, |(k, _)| *k);
    let mut rng = XorShift::new(seed_of(what));
    for _ in 0..100 {
        let a = rng.below(u64::from(top) + 3) as u32;
        let b = a + 1 + rng.below(64) as u32;
        assert_eq!(map.get(&a), oracle.get(&a), "{what}: get {a}");
        assert!(
            map.range(a..b).eq(oracle.range(a..b)),
            "{what}: range {a}..{b}"
        );
        let r = (Excluded(a), Included(b));
        assert!(
            map.range(r).rev().eq(oracle.range(r).rev()),
            "{what}: range {r:?} reversed"
        );
    }
}

/// [`check`], and iteration from the back over the whole map.
fn check_both_ways<A: ArenaStrategy, V: PartialEq + Debug>(
    map: &Map<A, V>,
    oracle: &Std<V>,
    what: &str,
) {
    check(map, oracle, what);
    assert!(
        map.iter().rev().eq(oracle.iter().rev()),
        "{what}: iter().rev()"
    );
    assert!(
        map.values().rev().eq(oracle.values().rev()),
        "{what}: values().rev()"
    );
}

/// A 16-bit tree at its limit: `EDGE` ascending keys in 65,535 full
/// leaves, built in bulk; the next insert of a new key needs a new leaf.
fn edge<A: ArenaStrategy>() -> (Map<A>, Std) {
    let entries = (0..EDGE).map(|i| (key(i), i as u32));
    let map = Map::<A>::from_sorted_iter(entries.clone()).expect("sorted");
    let u = map.memory_usage();
    assert_eq!(
        (u.handle_bits, u.leaves, map.len()),
        (16, MAX_NODES, EDGE),
        "edge: {u:?}"
    );
    (map, entries.collect())
}

/// A 32-bit tree of `NARROW + extra` entries: one entry more than 16 bits
/// hold, built in bulk, then cut down from the top by `pop_last`.
fn at_threshold<A: ArenaStrategy>(extra: usize) -> (Map<A>, Std) {
    let entries = (0..EDGE + 1).map(|i| (key(i), i as u32));
    let mut map = Map::<A>::from_sorted_iter(entries.clone()).expect("sorted");
    assert_eq!(bits(&map), 32, "a bulk build past the edge");
    while map.len() > NARROW + extra {
        map.pop_last();
    }
    assert_eq!(bits(&map), 32, "{} entries", map.len());
    (map, entries.take(NARROW + extra).collect())
}

/// Samples `memory_usage` of a growing map (an O(n) walk) only as often as
/// a widening could be near, and records the op after which the tree first
/// has 32-bit handles, checking that the sample taken just before that op
/// was a 16-bit tree out of leaves (or branches).
struct Watch {
    /// The last sample, the height then, and the op it followed.
    last: MemoryUsage,
    height: usize,
    at: usize,
    /// The op after which to sample next.
    next: usize,
    widened_at: Option<usize>,
}

impl Watch {
    fn new() -> Self {
        Watch {
            last: MemoryUsage::default(),
            height: 0,
            at: 0,
            next: 0,
            widened_at: None,
        }
    }

    /// Call after op `step` (counted from 1) on a map that only grows.
    fn after<A: ArenaStrategy, V>(&mut self, map: &Map<A, V>, step: usize) {
        if self.widened_at.is_some() || step < self.next {
            return;
        }
        let now = map.memory_usage();
        if now.handle_bits == 32 {
            let last = &self.last;
            assert_eq!(
                self.at + 1,
                step,
                "widened between ops {} and {step}: before, {last:?}",
                self.at
            );
            assert_eq!(last.handle_bits, 16, "before widening: {last:?}");
            assert!(
                last.leaves == MAX_NODES || last.branches + self.height + 1 >= MAX_NODES,
                "widened at op {step} with nodes to spare: {last:?}"
            );
            self.widened_at = Some(step);
            return;
        }
        let want = if now.small_run { 0 } else { 16 };
        assert_eq!(now.handle_bits, want, "op {step}: {now:?}");
        assert!(
            now.leaves <= MAX_NODES && now.branches <= MAX_NODES,
            "{now:?}"
        );
        // An insert adds at most one leaf, and at most one branch per
        // level plus a new root.
        let height = map.height();
        let leaf_room = (MAX_NODES - now.leaves).saturating_sub(1);
        let branch_room = (MAX_NODES - now.branches).saturating_sub(1) / (height + 2);
        self.next = step + leaf_room.min(branch_room).max(1);
        self.last = now;
        self.height = height;
        self.at = step;
    }
}

/// The entry after and before the cursor, as values.
fn peeks<A: ArenaStrategy>(c: &mut Cur<'_, A>) -> (Pair, Pair) {
    let next = c.peek_next().map(|(k, v)| (*k, *v));
    let prev = c.peek_prev().map(|(k, v)| (*k, *v));
    (next, prev)
}

/// Checks the cursor at the gap before the first key `>= at` against the
/// oracle: its peeks, then `steps` entries forward, `2 * steps` back and
/// `steps` forward again. Returns the gap it ends at.
fn walk<A: ArenaStrategy>(c: &mut Cur<'_, A>, oracle: &Std, at: u32, steps: usize) -> u32 {
    let expect = |at: u32| {
        let next = oracle.range(at..).next().map(|(k, v)| (*k, *v));
        let prev = oracle.range(..at).next_back().map(|(k, v)| (*k, *v));
        (next, prev)
    };
    assert_eq!(peeks(c), expect(at), "peeks at the gap before {at}");
    let mut at = at;
    for (&k, &v) in oracle.range(at..).take(steps) {
        assert_eq!(c.next().map(|(k, v)| (*k, *v)), Some((k, v)), "next");
        at = k + 1;
    }
    for (&k, &v) in oracle.range(..at).rev().take(2 * steps) {
        assert_eq!(c.prev().map(|(k, v)| (*k, *v)), Some((k, v)), "prev");
        at = k;
    }
    for (&k, &v) in oracle.range(at..).take(steps) {
        assert_eq!(c.next().map(|(k, v)| (*k, *v)), Some((k, v)), "next again");
        at = k + 1;
    }
    assert_eq!(peeks(c), expect(at), "peeks after the walk, before {at}");
    at
}

// ---------------------------------------------------------------------------
// 1. An ascending load
// ---------------------------------------------------------------------------

fn ascending_load<A: ArenaStrategy>() {
    let mut map = Map::<A>::empty();
    let mut oracle = Std::new();
    let mut watch = Watch::new();
    for i in 0..EDGE + 3_000 {
        assert_eq!(map.insert(key(i), i as u32), None, "insert {}", key(i));
        oracle.insert(key(i), i as u32);
        watch.after(&map, i + 1);
        if i + 1 == EDGE / 2 {
            check(&map, &oracle, "halfway");
        }
        if watch.widened_at == Some(i + 1) {
            check(&map, &oracle, "just widened");
        }
    }
    let at = watch.widened_at.expect("never widened");
    // Ascending inserts leave every leaf but the last full: the tree runs
    // out of leaves within one leaf of `EDGE` entries.
    assert!(at > EDGE - CAP && at <= EDGE + 1, "widened at insert {at}");
    assert_eq!(bits(&map), 32);
    check_both_ways(&map, &oracle, "after the load");
    // Replacing values does not change the width.
    for i in (0..EDGE).step_by(1_001) {
        assert_eq!(map.insert(key(i), 0), oracle.insert(key(i), 0));
    }
    assert_eq!(bits(&map), 32);
    // Mutable iteration over part of the 32-bit tree.
    for (k, v) in map.range_mut(key(1_000)..key(9_000)) {
        *v = v.wrapping_add(*k);
    }
    for (k, v) in oracle.range_mut(key(1_000)..key(9_000)) {
        *v = v.wrapping_add(*k);
    }
    assert!(map.into_iter().eq(oracle));
}

per_arena! {
    /// An ascending load widens on the insert that needs a 65,536th leaf, and the 32-bit tree matches the oracle.
    mod ascending_load_widens_when_out_of_leaves => ascending_load {
        vec_arena: VecArena,
        pool_arena: PoolArena,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 2. Random inserts across the widening, random removals down to a run
// ---------------------------------------------------------------------------

fn random_grow_and_shrink<A: ArenaStrategy>() {
    let mut rng = XorShift::new(seed_of(core::any::type_name::<A>()));
    let mut map = Map::<A>::empty();
    let mut oracle = Std::new();
    let mut watch = Watch::new();
    let mut step = 0;
    // Even keys in 0..2^21 (misses are odd); grow to 2,000 inserts past
    // the widening.
    loop {
        step += 1;
        let k = 2 * rng.below(1 << 20) as u32;
        let v = rng.next_u64() as u32;
        assert_eq!(
            map.insert(k, v),
            oracle.insert(k, v),
            "insert {k} at op {step}"
        );
        watch.after(&map, step);
        match watch.widened_at {
            Some(at) if at == step => check(&map, &oracle, "just widened"),
            Some(at) if at + 2_000 == step => break,
            _ => {}
        }
        if step == 50_000 {
            check(&map, &oracle, "50,000 random inserts");
        }
        assert!(step < 400_000, "no widening after {step} inserts");
    }
    check_both_ways(&map, &oracle, "grown");

    let run_half = run_max::<A>() / 2;
    let mut keys: Vec<u32> = oracle.keys().copied().collect();
    rng.shuffle(&mut keys);
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(map.remove(k), oracle.remove(k), "remove {k}");
        if i % 8 == 0 {
            assert_eq!(map.remove(&(k + 1)), None, "remove of a missing key");
        }
        let n = map.len();
        if n.abs_diff(NARROW) <= 1 || n.abs_diff(run_half) <= 1 || i % 16_384 == 0 {
            let u = map.memory_usage();
            let want = if n >= NARROW {
                (false, 32)
            } else if n >= run_half {
                (false, 16)
            } else {
                (true, 0)
            };
            assert_eq!(
                (u.small_run, u.handle_bits),
                want,
                "{n} entries left: {u:?}"
            );
        }
        if [
            100_000,
            NARROW,
            NARROW - 1,
            1_000,
            run_half,
            run_half - 1,
            0,
        ]
        .contains(&n)
        {
            check(&map, &oracle, &format!("shrunk to {n}"));
        }
        if n == NARROW - 1 {
            // Just narrowed: growing back over the threshold stays 16-bit.
            assert_eq!(map.insert(1, 1), None);
            assert_eq!(bits(&map), 16, "re-grown to the threshold");
            assert_eq!(map.remove(&1), Some(1));
            assert_eq!(bits(&map), 16);
        }
    }
    assert!(map.is_empty());
}

per_arena! {
    /// Random inserts widen exactly when out of leaves; random removals narrow at the threshold and end as a small run; all oracle-checked.
    mod random_inserts_widen_and_removals_narrow => random_grow_and_shrink {
        vec_arena: VecArena,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 3. Widening inside insert, the entry API and cursors
// ---------------------------------------------------------------------------

fn widen_inside_apis<A: ArenaStrategy>() {
    let (base, base_oracle) = edge::<A>();
    let fresh = || {
        // A clone is a packed build: the same 65,535 full leaves.
        let map = base.clone();
        let u = map.memory_usage();
        assert_eq!(
            (u.handle_bits, u.leaves),
            (16, MAX_NODES),
            "clone of the edge: {u:?}"
        );
        (map, base_oracle.clone())
    };
    let mid = key(EDGE / 2);
    let last = key(EDGE - 1);

    // insert, into a full leaf in the middle.
    let (mut map, mut oracle) = fresh();
    assert_eq!(map.insert(mid + 1, 7), None);
    oracle.insert(mid + 1, 7);
    assert_eq!(bits(&map), 32, "insert");
    check_both_ways(&map, &oracle, "widened by insert");

    // VacantEntry::insert_entry: the occupied entry it returns is the new one.
    let (mut map, mut oracle) = fresh();
    let k = mid - 1;
    match map.entry(k) {
        Entry::Vacant(v) => {
            assert_eq!(v.key(), &k);
            let mut o = v.insert_entry(11);
            assert_eq!((o.key(), o.get()), (&k, &11));
            *o.get_mut() += 1;
            assert_eq!(o.insert(20), 12);
            assert_eq!(*o.into_mut(), 20);
        }
        Entry::Occupied(_) => panic!("{k} present"),
    }
    oracle.insert(k, 20);
    assert_eq!(bits(&map), 32, "insert_entry");
    check(&map, &oracle, "widened by insert_entry");

    // VacantEntry::insert, before the first key.
    let (mut map, mut oracle) = fresh();
    match map.entry(1) {
        Entry::Vacant(v) => {
            let r = v.insert(5);
            assert_eq!(*r, 5);
            *r = 6;
        }
        Entry::Occupied(_) => panic!("1 present"),
    }
    oracle.insert(1, 6);
    assert_eq!(bits(&map), 32, "VacantEntry::insert");
    check(&map, &oracle, "widened by VacantEntry::insert");

    // Entry::or_insert_with, past the last key.
    let (mut map, mut oracle) = fresh();
    *map.entry(last + 2).or_insert_with(|| 3) += 1;
    oracle.insert(last + 2, 4);
    assert_eq!(bits(&map), 32, "or_insert_with");
    check(&map, &oracle, "widened by or_insert_with");

    // CursorMut::insert_before in the middle; the cursor walks on, removes
    // and inserts again in the 32-bit tree.
    let (mut map, mut oracle) = fresh();
    let mut c = map.lower_bound_mut(Included(&mid));
    assert_eq!(c.insert_before(mid - 1, 9), Ok(()));
    oracle.insert(mid - 1, 9);
    assert_eq!(
        peeks(&mut c),
        (Some((mid, base_oracle[&mid])), Some((mid - 1, 9)))
    );
    let at = walk(&mut c, &oracle, mid, 40);
    let (k, v) = oracle
        .range(at..)
        .next()
        .map(|(k, v)| (*k, *v))
        .expect("an entry after");
    assert_eq!(c.remove_next(), Some((k, v)));
    oracle.remove(&k);
    assert_eq!(c.insert_after(k, v + 1), Ok(()));
    oracle.insert(k, v + 1);
    assert!(c.insert_after(k, 0).is_err(), "unordered insert accepted");
    walk(&mut c, &oracle, at, 40);
    assert_eq!(bits(&map), 32, "insert_before");
    check(&map, &oracle, "widened by insert_before");

    // CursorMut::insert_after in the middle.
    let (mut map, mut oracle) = fresh();
    let mut c = map.lower_bound_mut(Excluded(&mid));
    assert_eq!(c.insert_after(mid + 1, 9), Ok(()));
    oracle.insert(mid + 1, 9);
    assert_eq!(
        peeks(&mut c),
        (Some((mid + 1, 9)), Some((mid, base_oracle[&mid])))
    );
    walk(&mut c, &oracle, mid + 1, 40);
    assert_eq!(bits(&map), 32, "insert_after");
    check(&map, &oracle, "widened by insert_after");

    // CursorMut::insert_before at the end.
    let (mut map, mut oracle) = fresh();
    let mut c = map.upper_bound_mut(Unbounded);
    assert_eq!(c.insert_before(last + 1, 9), Ok(()));
    oracle.insert(last + 1, 9);
    assert_eq!(peeks(&mut c), (None, Some((last + 1, 9))));
    walk(&mut c, &oracle, last + 2, 40);
    assert_eq!(bits(&map), 32, "insert_before at the end");
    check(&map, &oracle, "widened by insert_before at the end");

    // CursorMut::insert_after at the start.
    let (mut map, mut oracle) = fresh();
    let mut c = map.lower_bound_mut(Unbounded);
    assert_eq!(c.insert_after(1, 9), Ok(()));
    oracle.insert(1, 9);
    assert_eq!(peeks(&mut c), (Some((1, 9)), None));
    walk(&mut c, &oracle, 1, 40);
    assert_eq!(bits(&map), 32, "insert_after at the start");
    check(&map, &oracle, "widened by insert_after at the start");
}

per_arena! {
    /// An insert into a full 16-bit tree widens it inside `insert`, the entry API and `CursorMut` inserts, which return and walk the right entries.
    mod widening_inside_insert_entry_and_cursors => widen_inside_apis {
        vec_arena: VecArena,
        pool_arena: PoolArena,
        vec_arena_boxed: VecArena<Boxed>,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 4. Narrowing inside remove, pop_*, cursors, extract_if and retain
// ---------------------------------------------------------------------------

fn narrow_inside_apis<A: ArenaStrategy>() {
    // remove: a miss keeps the width, a hit narrows.
    let (mut map, mut oracle) = at_threshold::<A>(0);
    check_both_ways(&map, &oracle, "a 32-bit tree at the threshold");
    assert_eq!(map.remove(&3), None);
    assert_eq!(bits(&map), 32, "missed remove");
    let k = key(NARROW / 2);
    assert_eq!(map.remove(&k), Some((NARROW / 2) as u32));
    oracle.remove(&k);
    assert_eq!(bits(&map), 16, "remove");
    check_both_ways(&map, &oracle, "narrowed by remove");

    // pop_last down to the threshold keeps the width, pop_first narrows.
    let (mut map, mut oracle) = at_threshold::<A>(1);
    assert_eq!(map.pop_last(), oracle.pop_last());
    assert_eq!(bits(&map), 32, "pop_last to the threshold");
    assert_eq!(map.pop_first(), Some((key(0), 0)));
    oracle.pop_first();
    assert_eq!(bits(&map), 16, "pop_first");
    check(&map, &oracle, "narrowed by pop_first");

    // And the other way round.
    let (mut map, mut oracle) = at_threshold::<A>(1);
    assert_eq!(map.pop_first(), oracle.pop_first());
    assert_eq!(bits(&map), 32, "pop_first to the threshold");
    assert_eq!(map.pop_last(), oracle.pop_last());
    assert_eq!(bits(&map), 16, "pop_last");
    check(&map, &oracle, "narrowed by pop_last");

    // OccupiedEntry::remove_entry.
    let (mut map, mut oracle) = at_threshold::<A>(0);
    let k = key(NARROW / 3);
    match map.entry(k) {
        Entry::Occupied(o) => assert_eq!(o.remove_entry(), (k, (NARROW / 3) as u32)),
        Entry::Vacant(_) => panic!("{k} missing"),
    }
    oracle.remove(&k);
    assert_eq!(bits(&map), 16, "remove_entry");
    check(&map, &oracle, "narrowed by remove_entry");

    // CursorMut::remove_next, twice: the second narrows; the cursor keeps
    // its gap, walks, and removes behind itself.
    let (mut map, mut oracle) = at_threshold::<A>(1);
    let at = key(NARROW / 2);
    let mut c = map.lower_bound_mut(Included(&at));
    for k in [at, at + 2] {
        assert_eq!(c.remove_next(), Some((k, oracle[&k])));
        oracle.remove(&k);
    }
    let at = walk(&mut c, &oracle, at, 40);
    let (k, v) = oracle
        .range(..at)
        .next_back()
        .map(|(k, v)| (*k, *v))
        .expect("an entry before");
    assert_eq!(c.remove_prev(), Some((k, v)));
    oracle.remove(&k);
    walk(&mut c, &oracle, at, 40);
    assert_eq!(bits(&map), 16, "remove_next");
    check_both_ways(&map, &oracle, "narrowed by remove_next");

    // extract_if over a range, narrowing on its 51st entry.
    let (mut map, mut oracle) = at_threshold::<A>(50);
    let range = key(100)..key(1_000);
    let ours: Vec<_> = map
        .extract_if(range.clone(), |k, _| k.is_multiple_of(4))
        .collect();
    let theirs: Vec<_> = oracle
        .extract_if(range, |k, _| k.is_multiple_of(4))
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(bits(&map), 16, "extract_if");
    check(&map, &oracle, "narrowed by extract_if");

    // extract_if dropped part way, after narrowing.
    let (mut map, mut oracle) = at_threshold::<A>(10);
    let ours: Vec<_> = map
        .extract_if(.., |k, v| {
            *v += 1;
            k.is_multiple_of(3)
        })
        .take(40)
        .collect();
    let theirs: Vec<_> = oracle
        .extract_if(.., |k, v| {
            *v += 1;
            k.is_multiple_of(3)
        })
        .take(40)
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(bits(&map), 16, "extract_if dropped");
    check(&map, &oracle, "narrowed by a dropped extract_if");

    // retain.
    let (mut map, mut oracle) = at_threshold::<A>(100);
    let keep = |k: &u32, v: &mut u32| {
        *v += 1;
        !k.is_multiple_of(5)
    };
    map.retain(keep);
    oracle.retain(keep);
    assert_eq!(bits(&map), 16, "retain");
    check(&map, &oracle, "narrowed by retain");
}

per_arena! {
    /// A removal that leaves a 32-bit tree under the threshold narrows it inside `remove`, `pop_*`, the entry API, cursors, `extract_if` and `retain`.
    mod narrowing_inside_removals => narrow_inside_apis {
        vec_arena: VecArena,
        pool_arena: PoolArena,
        vec_arena_boxed: VecArena<Boxed>,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 5. Drops
// ---------------------------------------------------------------------------

fn drops_across_switches<A: ArenaStrategy>() {
    let keys = Tracker::new();
    let vals = Tracker::new();
    let entries = (0..EDGE).map(|i| (keys.make(key(i)), vals.make(i as u32)));
    let mut map = TMap::<A>::from_sorted_iter(entries).expect("sorted");
    let ok = |map: &TMap<A>, bits: u32, what: &str| {
        assert_eq!(map.memory_usage().handle_bits, bits, "{what}");
        assert_eq!(vals.live(), map.len(), "{what}: values alive");
        assert_eq!(
            keys.double_drops() + vals.double_drops(),
            0,
            "{what}: double drops"
        );
    };
    ok(&map, 16, "the edge");

    // Widen inside insert.
    assert!(map.insert(keys.make(1), vals.make(1)).is_none());
    ok(&map, 32, "widened");
    if let Err(e) = map.check_invariants() {
        panic!("widened: {e}");
    }
    // Replace a value: the old one comes back, the new key is dropped.
    let old = map
        .insert(keys.make(key(7)), vals.make(0))
        .expect("replaced");
    assert_eq!(old.key, 7);
    drop(old);
    ok(&map, 32, "replaced");

    // A 32-bit clone, dropped through a partly consumed `into_iter`.
    let copy = map.clone();
    assert_eq!(copy.memory_usage().handle_bits, 32, "clone");
    assert_eq!(vals.live(), 2 * map.len());
    let mut it = copy.into_iter();
    for _ in 0..10 {
        drop(it.next());
        drop(it.next_back());
    }
    drop(it);
    ok(&map, 32, "clone dropped");

    // Down to the threshold from the top, then narrow inside remove_entry.
    while map.len() > NARROW {
        drop(map.pop_last());
    }
    ok(&map, 32, "at the threshold");
    let (k, v) = map.remove_entry(&key(10)).expect("present");
    assert_eq!((k.key, v.key), (key(10), 10));
    drop((k, v));
    ok(&map, 16, "narrowed");
    if let Err(e) = map.check_invariants() {
        panic!("narrowed: {e}");
    }

    // To a small run inside retain: only key 1 stays.
    map.retain(|k, _| k.key < 2);
    assert!(map.memory_usage().small_run);
    assert_eq!(map.len(), 1);
    ok(&map, 0, "a run");
    drop(map);
    keys.assert_all_dropped_once();
    vals.assert_all_dropped_once();
}

per_arena! {
    /// No key or value is dropped or leaked across widening and narrowing; dropping the map drops each exactly once.
    mod drops_across_widening_and_narrowing => drops_across_switches {
        pool_arena: PoolArena,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 6. Bulk builds
// ---------------------------------------------------------------------------

fn bulk_builds<A: ArenaStrategy>() {
    // collect (here from descending input) and from_sorted_iter: 16 bits
    // up to 65,535 full leaves, 32 past them.
    for (n, want) in [(EDGE, 16), (EDGE + 1, 32)] {
        let entries = (0..n).map(|i| (key(i), i as u32));
        let oracle: Std = entries.clone().collect();
        let collected: Map<A> = entries.clone().rev().collect();
        assert_eq!(bits(&collected), want, "collect of {n}");
        check(&collected, &oracle, &format!("collect of {n}"));
        drop(collected);
        let sorted = Map::<A>::from_sorted_iter(entries).expect("sorted");
        assert_eq!(bits(&sorted), want, "from_sorted_iter of {n}");
        check_both_ways(&sorted, &oracle, &format!("from_sorted_iter of {n}"));
        if n > EDGE {
            // A clone of a 32-bit map too big for 16 bits.
            let copy = sorted.clone();
            assert_eq!(bits(&copy), 32, "clone of {n}");
            assert!(copy == sorted);
            check(&copy, &oracle, "clone of a big 32-bit map");
        }
    }

    // A clone of a 32-bit map that fits 16 bits is a 16-bit tree.
    let (mut map, mut oracle) = edge::<A>();
    map.insert(1, 1);
    oracle.insert(1, 1);
    assert_eq!(map.pop_last(), oracle.pop_last());
    assert_eq!(bits(&map), 32);
    let copy = map.clone();
    assert_eq!(bits(&copy), 16, "clone of a 32-bit map of {}", map.len());
    check(&copy, &oracle, "clone of a 32-bit map that fits");
    drop((map, copy));

    // append of two 16-bit maps: a union too big for 16 bits, and one that fits.
    for (half, want) in [(140_000, 32), (100_000, 16)] {
        let mut evens: Map<A> = (0..half).map(|i| (key(i), 0)).collect();
        let mut odds: Map<A> = (0..half).map(|i| (key(i) + 1, 1)).collect();
        assert_eq!((bits(&evens), bits(&odds)), (16, 16));
        let oracle: Std = evens
            .iter()
            .chain(odds.iter())
            .map(|(k, v)| (*k, *v))
            .collect();
        evens.append(&mut odds);
        assert!(odds.is_empty());
        if let Err(e) = odds.check_invariants() {
            panic!("emptied by append: {e}");
        }
        assert_eq!(bits(&evens), want, "append of {half} and {half}");
        check(&evens, &oracle, &format!("append of {half} and {half}"));
    }

    // split_off of a 32-bit map moves the smaller part into a bulk build
    // (16 bits here, or a run) and keeps the larger one in place, a 32-bit
    // tree (never under the threshold: it holds at least half).
    let n = 300_000;
    let big: Map<A> = (0..n).map(|i| (key(i), i as u32)).collect();
    let big_oracle: Std = big.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(bits(&big), 32);
    for (at, want) in [
        (280_000, (32, 16)),
        (150_000, (32, 16)),
        (20_000, (16, 32)),
        (n - 1, (32, 0)),
    ] {
        let mut left = big.clone();
        let mut left_oracle = big_oracle.clone();
        let right = left.split_off(&key(at));
        let right_oracle = left_oracle.split_off(&key(at));
        assert_eq!(
            (bits(&left), bits(&right)),
            want,
            "split_off at {at} of {n}"
        );
        check(&left, &left_oracle, &format!("left of split_off at {at}"));
        check(
            &right,
            &right_oracle,
            &format!("right of split_off at {at}"),
        );
    }
    // Near the threshold, the part left in place narrows as it gives up
    // the other half.
    let (mut left, mut left_oracle) = at_threshold::<A>(5_000);
    let at = key((NARROW + 5_000) / 2);
    let right = left.split_off(&at);
    let right_oracle = left_oracle.split_off(&at);
    assert_eq!(
        (bits(&left), bits(&right)),
        (16, 16),
        "split_off near the threshold"
    );
    check(&left, &left_oracle, "left of split_off near the threshold");
    check(
        &right,
        &right_oracle,
        "right of split_off near the threshold",
    );

    // append onto a 32-bit map at the threshold: a full build that fits.
    let (mut map, mut oracle) = at_threshold::<A>(0);
    let mut more: Map<A> = (0..100).map(|i| (key(i) + 1, 1)).collect();
    let mut more_oracle: Std = more.iter().map(|(k, v)| (*k, *v)).collect();
    map.append(&mut more);
    oracle.append(&mut more_oracle);
    assert!(more.is_empty());
    assert_eq!(bits(&map), 16, "append onto a 32-bit map at the threshold");
    check(&map, &oracle, "append onto a 32-bit map at the threshold");

    // clear of a 32-bit map leaves an empty run, which grows again.
    let mut big = big;
    big.clear();
    let u = big.memory_usage();
    assert_eq!(
        (u.small_run, u.handle_bits, u.heap_bytes),
        (true, 0, 0),
        "cleared: {u:?}"
    );
    big.extend((0..1_000).map(|i| (key(i), 0)));
    assert_eq!(bits(&big), 16);
    if let Err(e) = big.check_invariants() {
        panic!("regrown after clear: {e}");
    }
}

per_arena! {
    /// Bulk builds (`collect`, `from_sorted_iter`, `clone`, `append`, `split_off`'s moved part) use 16 bits exactly when the entries fit 65,535 full leaves.
    mod bulk_builds_pick_the_width => bulk_builds {
        pool_arena: PoolArena,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 7. A panicking key clone at the switch
// ---------------------------------------------------------------------------

thread_local! {
    static CLONE_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A key whose `clone` panics while `CLONE_PANICS` is set.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PanicKey(u32);

impl Clone for PanicKey {
    fn clone(&self) -> Self {
        if CLONE_PANICS.with(|p| p.get()) {
            panic!("PanicKey({}) clone", self.0);
        }
        PanicKey(self.0)
    }
}

impl std::borrow::Borrow<u32> for PanicKey {
    fn borrow(&self) -> &u32 {
        &self.0
    }
}

type PMap<A> = BPlusTreeMap<PanicKey, Rc<()>, Adaptive, A, CAP>;

/// Runs `f` on the map with key clones panicking; returns whether it panicked.
fn with_clone_panics<A: ArenaStrategy>(map: &mut PMap<A>, f: impl FnOnce(&mut PMap<A>)) -> bool {
    CLONE_PANICS.with(|p| p.set(true));
    let result = common::quietly(|| f(map));
    CLONE_PANICS.with(|p| p.set(false));
    result.is_err()
}

/// The map holds exactly `keys`, each with a clone of `value`, is sound,
/// and no value leaked.
fn holds<A: ArenaStrategy>(map: &PMap<A>, keys: &[u32], value: &Rc<()>, what: &str) {
    if let Err(e) = map.check_invariants() {
        panic!("{what}: {e}");
    }
    assert_eq!(map.len(), keys.len(), "{what}: len");
    assert!(
        map.keys().map(|k| k.0).eq(keys.iter().copied()),
        "{what}: keys"
    );
    assert_eq!(
        Rc::strong_count(value),
        keys.len() + 1,
        "{what}: values alive"
    );
}

fn clone_panic_at_the_switch<A: ArenaStrategy>() {
    let value = Rc::new(());
    let mut keys: Vec<u32> = (0..EDGE).map(key).collect();
    let mut map =
        PMap::<A>::from_sorted_iter(keys.iter().map(|&k| (PanicKey(k), Rc::clone(&value))))
            .expect("sorted");
    let mid = key(EDGE / 2);

    // The insert that would widen needs a separator clone: it panics and
    // leaves the entries as they were (whatever the width).
    let v = Rc::clone(&value);
    let panicked = with_clone_panics(&mut map, |m| {
        m.insert(PanicKey(mid + 1), v);
    });
    assert!(panicked, "a leaf split cloned no key");
    holds(&map, &keys, &value, "after a panicking insert");
    let v = Rc::clone(&value);
    let panicked = with_clone_panics(&mut map, |m| {
        if let Entry::Vacant(e) = m.entry(PanicKey(1)) {
            e.insert_entry(v);
        }
    });
    assert!(panicked, "a leaf split cloned no key");
    holds(&map, &keys, &value, "after a panicking insert_entry");

    // Without the panic the same insert widens.
    assert!(map.insert(PanicKey(mid + 1), Rc::clone(&value)).is_none());
    keys.insert(EDGE / 2 + 1, mid + 1);
    assert_eq!(map.memory_usage().handle_bits, 32);
    holds(&map, &keys, &value, "widened");

    // Down to the threshold, then removals with panicking clones: each
    // either panics and changes nothing, or removes its key (and may narrow).
    while map.len() > NARROW {
        map.pop_last();
        keys.pop();
    }
    holds(&map, &keys, &value, "at the threshold");
    for i in [NARROW / 2, 1, NARROW - 3, 7] {
        let k = keys[i];
        let panicked = with_clone_panics(&mut map, |m| {
            m.remove(&k);
        });
        if !panicked {
            keys.remove(i);
        }
        holds(
            &map,
            &keys,
            &value,
            &format!("after remove({k}) (panicked: {panicked})"),
        );
    }
    assert!(map.remove(&keys[100]).is_some());
    keys.remove(100);
    assert_eq!(map.memory_usage().handle_bits, 16);
    holds(&map, &keys, &value, "narrowed");
    drop(map);
    assert_eq!(Rc::strong_count(&value), 1, "values leaked");
}

per_arena! {
    /// A key clone that panics in the insert that would widen, or in removals at the threshold, leaves the entries intact and leaks nothing.
    mod clone_panics_at_the_switch => clone_panic_at_the_switch {
        vec_arena: VecArena,
        indirect: Indirect<VecArena<Boxed>, 16>,
    }
}

// ---------------------------------------------------------------------------
// 8. checked_insert
// ---------------------------------------------------------------------------

fn checked_insert_never_errs<A: ArenaStrategy>() {
    // Compact16 at the same loads refuses ...
    let mut compact = BPlusTreeMap::<u32, u32, Compact16, A, CAP>::empty();
    let refused = (0..EDGE + 1).find(|&i| compact.checked_insert(key(i), i as u32).is_err());
    assert!(
        refused.is_some_and(|i| i <= EDGE),
        "Compact16 refused at {refused:?}"
    );
    drop(compact);
    let mut compact = BPlusTreeMap::<u32, u32, Compact16, A, CAP>::from_sorted_iter(
        (0..EDGE).map(|i| (key(i), 0)),
    )
    .expect("sorted");
    assert!(compact.checked_insert(1, 0).is_err());
    drop(compact);

    // ... Adaptive never does: an ascending load past the limit,
    let mut map = Map::<A>::empty();
    let mut oracle = Std::new();
    for i in 0..EDGE + 1_000 {
        assert_eq!(
            map.checked_insert(key(i), i as u32),
            Ok(None),
            "checked_insert {}",
            key(i)
        );
        oracle.insert(key(i), i as u32);
    }
    assert_eq!(bits(&map), 32);
    // inserts into full leaves all over the 32-bit tree, and replacements,
    for i in (0..EDGE).step_by(977) {
        assert_eq!(map.checked_insert(key(i) + 1, 0), Ok(None));
        oracle.insert(key(i) + 1, 0);
    }
    assert_eq!(map.checked_insert(key(5), 7), Ok(Some(5)));
    oracle.insert(key(5), 7);
    check(&map, &oracle, "checked_insert load");
    drop(map);

    // and the insert that widens the edge.
    let (mut map, mut oracle) = edge::<A>();
    assert_eq!(map.checked_insert(1, 0), Ok(None));
    oracle.insert(1, 0);
    assert_eq!(bits(&map), 32, "widened by checked_insert");
    check(&map, &oracle, "widened by checked_insert");
}

per_arena! {
    /// `checked_insert` never errs for Adaptive across the widening, where Compact16 at the same load does.
    mod checked_insert_never_errs_across_the_switch => checked_insert_never_errs {
        vec_arena: VecArena,
        pool_arena: PoolArena,
    }
}

// ---------------------------------------------------------------------------
// 9. Sizes
// ---------------------------------------------------------------------------

/// Adaptive behind `Indirect` keeps the map at 24 bytes; `Phase3` (64) and `Compact` (24) keep their sizes and start with 16-bit handles.
#[test]
fn sizes_and_names() {
    type Tiny = BPlusTreeMap<u64, u64, Adaptive, Indirect<VecArena<Boxed>, 16>, 128>;
    assert_eq!(size_of::<Tiny>(), 24);
    assert_eq!(size_of::<bptree::phase::Phase3<u64, u64>>(), 64);
    assert_eq!(size_of::<bptree::phase::Compact<u64, u64>>(), 24);
    // One type under both paths.
    let map: BPlusTreeMap<u32, u32, bptree::policy::Adaptive> =
        BPlusTreeMap::<u32, u32, Adaptive>::empty();
    assert!(map.is_empty());
    if cfg!(miri) {
        return;
    }
    let phase3: bptree::phase::Phase3<u32, u32> = (0..20_000).map(|i| (i, i)).collect();
    assert_eq!(phase3.memory_usage().handle_bits, 16, "Phase3");
    let compact: bptree::phase::Compact<u32, u32> = (0..20_000).map(|i| (i, i)).collect();
    assert_eq!(compact.memory_usage().handle_bits, 16, "Compact");
}

/// An iterator whose size hint lies: it says it holds at most 100 entries
/// (so an `Adaptive` bulk build picks 16-bit handles) and holds `n`.
struct LyingHint(std::ops::Range<u32>);

impl Iterator for LyingHint {
    type Item = (u32, u32);
    fn next(&mut self) -> Option<(u32, u32)> {
        self.0.next().map(|k| (k, k))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(100))
    }
}

/// `from_sorted_iter` with a size hint that understates the input by far
/// (issue 23: 524,288 entries under a hint of at most 100 panicked "a tree
/// with Adaptive handles holds at most ... leaves"): the build widens and
/// returns every entry. `Adaptive` never runs out of handles.
#[test]
#[cfg_attr(miri, ignore = "half a million entries: hours under Miri")]
fn bulk_build_widens_past_a_lying_size_hint() {
    for n in [EDGE as u32, EDGE as u32 + 1, 524_288] {
        let map: Map<VecArena> = BPlusTreeMap::from_sorted_iter(LyingHint(0..n)).unwrap();
        assert_eq!(map.len(), n as usize);
        map.check_invariants().unwrap();
        assert_eq!(
            bits(&map),
            if n as usize > EDGE { 32 } else { 16 },
            "n = {n}"
        );
        assert!(map.iter().map(|(k, _)| *k).eq(0..n));
        assert_eq!(map.get(&(n - 1)), Some(&(n - 1)));
    }
}
