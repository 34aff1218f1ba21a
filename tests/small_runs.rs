//! The small-run representation: a map of at most `RUN_MAX` entries is one
//! sorted run; an insert into a full run promotes it to a tree, a removal
//! that leaves a tree below `RUN_MAX / 2` demotes it back (see
//! `src/raw/repr.rs`).
//!
//! Every test here is a generic function, instantiated for each
//! configuration by `configurations!` at the bottom: the default map
//! (`Indirect<VecArena>`, `RUN_MAX` 256: four leaves' worth), the same
//! arena in the map (`VecArena`, 256), `Phase2` (256), `Phase3` (256),
//! `Compact` (`Indirect<_, 16>`, 2,048), a
//! `CAP = 4` `Indirect<VecArena, 16>` map (64, and a tree of sixteen leaves at
//! promotion) and `Phase1` (`RUN_MAX` 0: a tree as soon as it holds
//! anything). Values are `String`s (not `Copy`), `std`'s `BTreeMap` is the
//! oracle, and `check_invariants` runs after every mutation.
//!
//! Under Miri, `compact` and `phase2` are ignored (see their attributes):
//! the other four configurations reach every run path.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Debug;
use std::ops::Bound::{self, Excluded, Included, Unbounded};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use bptree::map::Entry;
use bptree::policy::{ArenaStrategy, Boxed, Growing, Handle, Indirect};
use bptree::{Adaptive, BPlusTreeMap, BPlusTreeSet, PoolArena, VecArena, Wide32};

type M<H, A, const CAP: usize> = BPlusTreeMap<u32, String, H, A, CAP>;
type Oracle = BTreeMap<u32, String>;
/// Builds a map and its oracle.
type Make<H, A, const CAP: usize> = fn() -> (M<H, A, CAP>, Oracle);
/// Empties a map one way (named).
type Emptier<H, A, const CAP: usize> = (&'static str, fn(&mut M<H, A, CAP>));

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn run_max<H: Handle, A: ArenaStrategy, const CAP: usize>() -> usize {
    BPlusTreeMap::<u32, String, H, A, CAP>::RUN_MAX
}

/// The `i`-th key of a built map: multiples of ten, so every gap has room.
fn key(i: usize) -> u32 {
    10 * (i as u32 + 1)
}

fn val(k: u32) -> String {
    format!("v{k}")
}

fn is_run<K, V, H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &BPlusTreeMap<K, V, H, A, CAP>,
) -> bool {
    m.memory_usage().small_run
}

/// The map agrees with the oracle and its invariants hold.
#[track_caller]
fn same<K, V, H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &BPlusTreeMap<K, V, H, A, CAP>,
    o: &BTreeMap<K, V>,
) where
    K: Ord + Debug,
    V: PartialEq + Debug,
{
    if let Err(e) = m.check_invariants() {
        panic!("{e} (len {})", m.len());
    }
    assert_eq!(m.len(), o.len(), "len");
    if let Some(i) = m.iter().zip(o.iter()).position(|(a, b)| a != b) {
        panic!(
            "entry {i} differs: ours {:?}, std {:?}",
            m.iter().nth(i),
            o.iter().nth(i)
        );
    }
    assert_eq!(m.iter().count(), o.len(), "iterator length");
    assert_eq!(m.first_key_value(), o.first_key_value());
    assert_eq!(m.last_key_value(), o.last_key_value());
    let rm = run_max::<H, A, CAP>();
    if is_run(m) {
        assert!(m.len() <= rm || m.is_empty(), "a run of {} > {rm}", m.len());
    } else {
        assert!(m.len() >= rm / 2, "a tree of {} < {}", m.len(), rm / 2);
    }
}

#[track_caller]
fn expect_run<K, V, H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &BPlusTreeMap<K, V, H, A, CAP>,
    run: bool,
) {
    if m.is_empty() && run_max::<H, A, CAP>() == 0 {
        // Without runs an empty map may be either (an empty tree holds
        // `RUN_MAX / 2 = 0` entries).
        return;
    }
    assert_eq!(
        is_run(m),
        run,
        "{} entries: expected a {} (RUN_MAX {})",
        m.len(),
        if run { "run" } else { "tree" },
        run_max::<H, A, CAP>()
    );
}

/// Whether a loop that changes the map one entry at a time compares it
/// whole at this size: always for small `RUN_MAX` (not under Miri, where
/// that took minutes per test), else near the thresholds, at small sizes
/// and every 61 entries (a 2,048-entry run compared at every step would
/// make the suite slow in debug builds).
fn full_check_at(len: usize, rm: usize) -> bool {
    (rm <= 256 && !cfg!(miri))
        || len <= 16
        || len.abs_diff(rm) <= 3
        || len.abs_diff(rm / 2) <= 3
        || len.is_multiple_of(61)
}

/// [`same`] at the sizes [`full_check_at`] picks; otherwise the
/// invariants, the length, both ends and the representation's bounds.
#[track_caller]
fn check_step<K, V, H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &BPlusTreeMap<K, V, H, A, CAP>,
    o: &BTreeMap<K, V>,
) where
    K: Ord + Debug,
    V: PartialEq + Debug,
{
    let rm = run_max::<H, A, CAP>();
    if full_check_at(m.len(), rm) {
        return same(m, o);
    }
    if let Err(e) = m.check_invariants() {
        panic!("{e} (len {})", m.len());
    }
    assert_eq!(m.len(), o.len(), "len");
    assert_eq!(m.first_key_value(), o.first_key_value());
    assert_eq!(m.last_key_value(), o.last_key_value());
}

/// A map and its oracle holding `key(0..n)`, inserted in order.
fn built<H: Handle, A: ArenaStrategy, const CAP: usize>(n: usize) -> (M<H, A, CAP>, Oracle) {
    let mut m = M::<H, A, CAP>::empty();
    let mut o = Oracle::new();
    for i in 0..n {
        m.insert(key(i), val(key(i)));
        o.insert(key(i), val(key(i)));
    }
    (m, o)
}

/// A tree of exactly `n` entries: grown past `RUN_MAX`, then shrunk by
/// removing odd-indexed keys from the back (then the last ones).
fn tree_of<H: Handle, A: ArenaStrategy, const CAP: usize>(n: usize) -> (M<H, A, CAP>, Oracle) {
    let rm = run_max::<H, A, CAP>();
    assert!(n >= rm / 2);
    let top = n.max(rm + 1);
    let (mut m, mut o) = built::<H, A, CAP>(top);
    for i in (1..top).rev().step_by(2) {
        if m.len() == n {
            break;
        }
        assert_eq!(m.remove(&key(i)), o.remove(&key(i)));
    }
    while m.len() > n {
        assert_eq!(m.pop_last(), o.pop_last());
    }
    same(&m, &o);
    expect_run(&m, false);
    (m, o)
}

/// The size of a tree right at the demotion threshold (a removal demotes
/// it), or a small tree where there are no runs.
fn at_demotion<H: Handle, A: ArenaStrategy, const CAP: usize>() -> usize {
    let rm = run_max::<H, A, CAP>();
    if rm == 0 { 3 } else { rm / 2 }
}

/// Keys of `o` at interesting indices: both ends, around the first leaf
/// boundary, the middle.
fn present_keys<V>(o: &BTreeMap<u32, V>, cap: usize) -> Vec<u32> {
    let keys: Vec<u32> = o.keys().copied().collect();
    let n = keys.len();
    let mut idx = vec![0, 1, cap.wrapping_sub(1), cap, cap + 1, n / 2];
    idx.extend([n.wrapping_sub(2), n.wrapping_sub(1)]);
    let mut out: Vec<u32> = idx
        .into_iter()
        .filter_map(|i| keys.get(i).copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Absent keys (`o`'s keys are multiples of ten) before, after and between
/// the interesting ones.
fn absent_keys<V>(o: &BTreeMap<u32, V>, cap: usize) -> Vec<u32> {
    let mut out = vec![5];
    out.extend(present_keys(o, cap).into_iter().map(|k| k + 5));
    out.dedup();
    out
}

/// The keys an API path is tried at: all of them for the first path and
/// for small runs, else every other one (both ends included).
fn few(keys: &[u32], path: usize, rm: usize) -> Vec<u32> {
    if path == 0 || rm <= 256 {
        return keys.to_vec();
    }
    let mut out: Vec<u32> = keys.iter().copied().step_by(2).collect();
    out.extend(keys.last());
    out.dedup();
    out
}

/// Every `(start, end)` pair of bounds over `probes` that std accepts.
fn bound_pairs(probes: &[u32]) -> Vec<(Bound<u32>, Bound<u32>)> {
    let bounds = |k: u32| [Included(k), Excluded(k), Unbounded];
    let mut out = Vec::new();
    for &a in probes {
        for &b in probes {
            for s in bounds(a) {
                for e in bounds(b) {
                    let ok = match (s, e) {
                        (Excluded(x), Excluded(y)) if x == y => false,
                        (Included(x) | Excluded(x), Included(y) | Excluded(y)) => x <= y,
                        _ => true,
                    };
                    if ok && !out.contains(&(s, e)) {
                        out.push((s, e));
                    }
                }
            }
        }
    }
    out
}

fn probes<V>(o: &BTreeMap<u32, V>, cap: usize) -> Vec<u32> {
    let mut p = vec![0, u32::MAX];
    p.extend(present_keys(o, cap).into_iter().step_by(2));
    if let Some(&k) = o.keys().nth(o.len() / 2) {
        p.push(k + 5);
    }
    p.sort_unstable();
    p.dedup();
    p
}

/// The entry as an owned pair (for comparing cursor peeks).
fn owned(kv: Option<(&u32, &mut String)>) -> Option<(u32, String)> {
    kv.map(|(k, v)| (*k, v.clone()))
}

fn owned_ref(kv: Option<(&u32, &String)>) -> Option<(u32, String)> {
    kv.map(|(k, v)| (*k, v.clone()))
}

// ---------------------------------------------------------------------------
// Drop and clone accounting
// ---------------------------------------------------------------------------

#[derive(Default)]
struct LedgerInner {
    next_id: u64,
    live: HashSet<u64>,
    double_drops: usize,
    /// Clones allowed before one panics (`None`: never panic).
    clone_budget: Option<usize>,
}

/// Tracks the values made by one test: which are alive, double drops, and
/// a switch that makes the next clone panic.
#[derive(Default)]
struct Ledger(RefCell<LedgerInner>);

impl Ledger {
    fn mint(&self) -> u64 {
        let mut l = self.0.borrow_mut();
        let id = l.next_id;
        l.next_id += 1;
        l.live.insert(id);
        id
    }

    fn release(&self, id: u64) {
        let mut l = self.0.borrow_mut();
        if !l.live.remove(&id) {
            l.double_drops += 1;
        }
    }

    fn set_budget(&self, budget: Option<usize>) {
        self.0.borrow_mut().clone_budget = budget;
    }

    /// Panics (outside the borrow) if the budget is spent.
    fn spend(&self) {
        let spent = {
            let mut l = self.0.borrow_mut();
            match &mut l.clone_budget {
                Some(0) => true,
                Some(n) => {
                    *n -= 1;
                    false
                }
                None => false,
            }
        };
        if spent {
            panic!("clone panics on demand");
        }
    }

    #[track_caller]
    fn assert_clean(&self) {
        let l = self.0.borrow();
        assert_eq!(l.double_drops, 0, "double drops");
        assert!(l.live.is_empty(), "{} values leaked", l.live.len());
    }

    fn live(&self) -> usize {
        self.0.borrow().live.len()
    }
}

/// A key whose clone panics when its ledger says so; ordered by `k`.
struct PKey {
    k: u32,
    id: u64,
    ledger: Rc<Ledger>,
}

impl PKey {
    fn new(ledger: &Rc<Ledger>, k: u32) -> Self {
        PKey {
            k,
            id: ledger.mint(),
            ledger: Rc::clone(ledger),
        }
    }
}

impl Clone for PKey {
    fn clone(&self) -> Self {
        self.ledger.spend();
        PKey::new(&self.ledger, self.k)
    }
}

impl Drop for PKey {
    fn drop(&mut self) {
        self.ledger.release(self.id);
    }
}

impl PartialEq for PKey {
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k
    }
}
impl Eq for PKey {}
impl PartialOrd for PKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.k.cmp(&other.k)
    }
}
impl Debug for PKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.k, self.id)
    }
}

/// A value that reports its drop to a ledger.
struct Counted {
    tag: u32,
    id: u64,
    ledger: Rc<Ledger>,
}

impl Counted {
    fn new(ledger: &Rc<Ledger>, tag: u32) -> Self {
        Counted {
            tag,
            id: ledger.mint(),
            ledger: Rc::clone(ledger),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.ledger.release(self.id);
    }
}

impl Debug for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "c{}#{}", self.tag, self.id)
    }
}

// ---------------------------------------------------------------------------
// Thresholds and hysteresis
// ---------------------------------------------------------------------------

fn thresholds<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let mut m = M::<H, A, CAP>::empty();
    let mut o = Oracle::new();
    expect_run(&m, true);
    // Up to RUN_MAX entries: a run (inserted out of order).
    let mut order: Vec<usize> = (0..rm).collect();
    order.sort_by_key(|&i| (i * 37) % rm.max(1));
    for (n, &i) in order.iter().enumerate() {
        assert_eq!(m.insert(key(i), val(key(i))), o.insert(key(i), val(key(i))));
        check_step(&m, &o);
        expect_run(&m, true);
        // Replacing a value never changes the representation.
        assert_eq!(m.insert(key(i), format!("w{n}")), Some(val(key(i))));
        o.insert(key(i), format!("w{n}"));
        check_step(&m, &o);
        expect_run(&m, true);
    }
    assert_eq!(m.len(), rm);
    // One more: a tree.
    let extra = key(rm / 2) + 5;
    assert_eq!(m.insert(extra, val(extra)), o.insert(extra, val(extra)));
    check_step(&m, &o);
    expect_run(&m, false);
    // Hysteresis at the upper threshold: back to RUN_MAX entries, still a
    // tree; over and over.
    for round in 0..4 {
        let k = if round % 2 == 0 { extra } else { key(0) };
        assert_eq!(m.remove(&k), o.remove(&k));
        check_step(&m, &o);
        if !(rm == 0 && m.is_empty()) {
            expect_run(&m, false);
        }
        assert_eq!(m.insert(k, val(k)), o.insert(k, val(k)));
        check_step(&m, &o);
        expect_run(&m, false);
    }
    if rm == 0 {
        // A tree from the first entry on, and no demotion ever.
        while let Some((k, _)) = o.pop_first() {
            assert!(m.remove(&k).is_some());
            check_step(&m, &o);
            expect_run(&m, false);
        }
        return;
    }
    // Remove down to exactly RUN_MAX / 2 (from both ends and the middle):
    // still a tree.
    let mut step = 0;
    while m.len() > rm / 2 {
        let k = match step % 3 {
            0 => *o.keys().next().unwrap(),
            1 => *o.keys().next_back().unwrap(),
            _ => *o.keys().nth(o.len() / 2).unwrap(),
        };
        step += 1;
        assert_eq!(m.remove(&k), o.remove(&k));
        check_step(&m, &o);
        expect_run(&m, false);
    }
    // Hysteresis at the lower threshold: insert, remove, never a rebuild.
    for _ in 0..4 {
        let k = *o.keys().next().unwrap() - 1;
        assert_eq!(m.insert(k, val(k)), None);
        o.insert(k, val(k));
        check_step(&m, &o);
        expect_run(&m, false);
        assert_eq!(m.remove(&k), o.remove(&k));
        check_step(&m, &o);
        expect_run(&m, false);
    }
    // One more removal: a run.
    let k = *o.keys().nth(1).unwrap();
    assert_eq!(m.remove(&k), o.remove(&k));
    check_step(&m, &o);
    expect_run(&m, true);
    assert_eq!(m.len(), rm / 2 - 1);
    // Below it, alternating stays a run.
    for _ in 0..4 {
        assert_eq!(m.insert(k, val(k)), None);
        o.insert(k, val(k));
        check_step(&m, &o);
        expect_run(&m, true);
        assert_eq!(m.remove(&k), o.remove(&k));
        check_step(&m, &o);
        expect_run(&m, true);
    }
    // Growing again: a run up to RUN_MAX, a tree beyond.
    let mut fresh = (0..).map(|i| 7 + 10 * i);
    while m.len() < rm {
        let k = fresh.next().unwrap();
        assert_eq!(m.insert(k, val(k)), o.insert(k, val(k)));
        check_step(&m, &o);
        expect_run(&m, true);
    }
    let k = fresh.next().unwrap();
    m.insert(k, val(k));
    o.insert(k, val(k));
    check_step(&m, &o);
    expect_run(&m, false);
    // And down to nothing: a run from RUN_MAX / 2 - 1 on, empty at the end.
    while let Some((k, v)) = o.pop_last() {
        assert_eq!(m.remove(&k), Some(v));
        check_step(&m, &o);
        expect_run(&m, m.len() < rm / 2);
    }
    assert_eq!(m.memory_usage().heap_bytes, 0);
}

// ---------------------------------------------------------------------------
// Every API path across the upper threshold (promotion)
// ---------------------------------------------------------------------------

fn promotion_paths<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    type Op<H, A, const CAP: usize> = fn(&mut M<H, A, CAP>, &mut Oracle, u32);
    let rm = run_max::<H, A, CAP>();
    let ops: &[(&str, Op<H, A, CAP>)] = &[
        ("insert", |m, o, k| {
            assert_eq!(m.insert(k, val(k)), o.insert(k, val(k)));
        }),
        ("checked_insert", |m, o, k| {
            assert_eq!(m.checked_insert(k, val(k)).unwrap(), o.insert(k, val(k)));
        }),
        ("entry().or_insert", |m, o, k| {
            let v = m.entry(k).or_insert(val(k));
            assert_eq!(*v, val(k));
            v.push('!');
            o.insert(k, val(k) + "!");
        }),
        ("entry().or_insert_with_key", |m, o, k| {
            let v = m.entry(k).or_insert_with_key(|k| val(*k));
            assert_eq!(*v, val(k));
            v.push('!');
            o.insert(k, val(k) + "!");
        }),
        ("entry().or_default", |m, o, k| {
            let v = m.entry(k).or_default();
            assert!(v.is_empty());
            v.push('d');
            o.insert(k, "d".into());
        }),
        ("VacantEntry::insert", |m, o, k| {
            let Entry::Vacant(e) = m.entry(k) else {
                panic!("occupied")
            };
            assert_eq!(e.key(), &k);
            let v = e.insert(val(k));
            assert_eq!(*v, val(k));
            v.push('!');
            o.insert(k, val(k) + "!");
        }),
        ("VacantEntry::insert_entry", |m, o, k| {
            let Entry::Vacant(e) = m.entry(k) else {
                panic!("occupied")
            };
            let mut e = e.insert_entry(val(k));
            assert_eq!(e.key(), &k);
            assert_eq!(e.get(), &val(k));
            e.get_mut().push('!');
            assert_eq!(e.insert("new".into()), val(k) + "!");
            e.into_mut().push('?');
            o.insert(k, "new?".into());
        }),
        ("VacantEntry::insert_entry, then remove", |m, o, k| {
            let Entry::Vacant(e) = m.entry(k) else {
                panic!("occupied")
            };
            let e = e.insert_entry(val(k));
            assert_eq!(e.remove_entry(), (k, val(k)));
            let _ = o;
        }),
        ("Entry::insert_entry", |m, o, k| {
            let e = m.entry(k).insert_entry(val(k));
            assert_eq!((e.key(), e.get()), (&k, &val(k)));
            assert_eq!(e.remove(), val(k));
            let e = m.entry(k).insert_entry(val(k) + "2");
            assert_eq!(e.get(), &(val(k) + "2"));
            o.insert(k, val(k) + "2");
        }),
        ("CursorMut::insert_before", |m, o, k| {
            let mut c = m.lower_bound_mut(Included(&k));
            c.insert_before(k, val(k)).unwrap();
            o.insert(k, val(k));
            assert_eq!(owned(c.peek_prev()), Some((k, val(k))));
            let after: Vec<(u32, String)> = o
                .range((Excluded(k), Unbounded))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            assert_eq!(owned(c.peek_next()), after.first().cloned());
            for kv in after {
                assert_eq!(owned(c.next()), Some(kv));
            }
            assert!(c.next().is_none());
        }),
        ("CursorMut::insert_after", |m, o, k| {
            let mut c = m.upper_bound_mut(Excluded(&k));
            c.insert_after(k, val(k)).unwrap();
            o.insert(k, val(k));
            assert_eq!(owned(c.peek_next()), Some((k, val(k))));
            let before: Vec<(u32, String)> =
                o.range(..k).rev().map(|(k, v)| (*k, v.clone())).collect();
            assert_eq!(owned(c.peek_prev()), before.first().cloned());
            for kv in before {
                assert_eq!(owned(c.prev()), Some(kv));
            }
            assert!(c.prev().is_none());
        }),
        ("CursorMut::insert_after_unchecked", |m, o, k| {
            let mut c = m.lower_bound_mut(Unbounded);
            c.insert_after_unchecked(k, val(k));
            o.insert(k, val(k));
            assert_eq!(owned(c.peek_next()), Some((k, val(k))));
        }),
        ("extend", |m, o, k| {
            m.extend([(k, val(k))]);
            o.extend([(k, val(k))]);
        }),
        ("append", |m, o, k| {
            let mut other = M::<H, A, CAP>::empty();
            other.insert(k, val(k));
            m.append(&mut other);
            assert!(other.is_empty());
            assert_eq!(other.memory_usage().heap_bytes, 0);
            o.insert(k, val(k));
        }),
    ];
    let (_, base) = built::<H, A, CAP>(rm);
    let keys = absent_keys(&base, CAP);
    for (n, &(name, op)) in ops.iter().enumerate() {
        for k in few(&keys, n, rm) {
            let (mut m, mut o) = built::<H, A, CAP>(rm);
            expect_run(&m, true);
            let r = catch_unwind(AssertUnwindSafe(|| op(&mut m, &mut o, k)));
            assert!(r.is_ok(), "{name}({k}) panicked on a full run of {rm}");
            same(&m, &o);
            expect_run(&m, false);
            // The tree works on: a removal and an insert elsewhere.
            let first = o.keys().next().copied().unwrap_or(0);
            assert_eq!(m.remove(&first), o.remove(&first));
            assert_eq!(m.insert(first + 1, val(1)), o.insert(first + 1, val(1)));
            same(&m, &o);
        }
    }
}

// ---------------------------------------------------------------------------
// Every API path across the lower threshold (demotion)
// ---------------------------------------------------------------------------

fn demotion_paths<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    type Op<H, A, const CAP: usize> = fn(&mut M<H, A, CAP>, &mut Oracle, u32);
    let rm = run_max::<H, A, CAP>();
    let n = at_demotion::<H, A, CAP>();
    let ops: &[(&str, Op<H, A, CAP>)] = &[
        ("remove", |m, o, k| assert_eq!(m.remove(&k), o.remove(&k))),
        ("remove_entry", |m, o, k| {
            assert_eq!(m.remove_entry(&k), o.remove_entry(&k));
        }),
        ("pop_first", |m, o, _| {
            assert_eq!(m.pop_first(), o.pop_first())
        }),
        ("pop_last", |m, o, _| assert_eq!(m.pop_last(), o.pop_last())),
        ("OccupiedEntry::remove", |m, o, k| {
            let Entry::Occupied(e) = m.entry(k) else {
                panic!("vacant")
            };
            assert_eq!(e.key(), &k);
            assert_eq!(Some(e.remove()), o.remove(&k));
        }),
        ("OccupiedEntry::remove_entry", |m, o, k| {
            let Entry::Occupied(e) = m.entry(k) else {
                panic!("vacant")
            };
            assert_eq!(Some(e.remove_entry()), o.remove_entry(&k));
        }),
        ("first_entry().remove()", |m, o, _| {
            let theirs = o.first_entry().map(|e| e.remove());
            assert_eq!(m.first_entry().map(|e| e.remove()), theirs);
        }),
        ("last_entry().remove_entry()", |m, o, _| {
            let theirs = o.last_entry().map(|e| e.remove_entry());
            assert_eq!(m.last_entry().map(|e| e.remove_entry()), theirs);
        }),
        ("retain", |m, o, k| {
            m.retain(|&x, v| {
                v.push('+');
                x != k
            });
            o.retain(|&x, v| {
                v.push('+');
                x != k
            });
        }),
        ("extract_if(..)", |m, o, k| {
            let ours: Vec<_> = m.extract_if(.., |&x, _| x == k).collect();
            let theirs: Vec<_> = o.extract_if(.., |&x, _| x == k).collect();
            assert_eq!(ours, theirs);
        }),
        ("extract_if(k..=k)", |m, o, k| {
            let ours: Vec<_> = m.extract_if(k..=k, |_, _| true).collect();
            let theirs: Vec<_> = o.extract_if(k..=k, |_, _| true).collect();
            assert_eq!(ours, theirs);
        }),
        ("CursorMut::remove_next", |m, o, k| {
            let mut c = m.lower_bound_mut(Included(&k));
            assert_eq!(c.remove_next(), o.remove_entry(&k));
            assert_eq!(owned(c.peek_prev()), owned_ref(o.range(..k).next_back()));
            assert_eq!(owned(c.peek_next()), owned_ref(o.range(k..).next()));
            // Walk to the end, then back to the start.
            for kv in o.range(k..) {
                assert_eq!(owned(c.next()), owned_ref(Some(kv)));
            }
            assert!(c.next().is_none());
            for kv in o.iter().rev() {
                assert_eq!(owned(c.prev()), owned_ref(Some(kv)));
            }
            assert!(c.prev().is_none());
        }),
        ("CursorMut::remove_prev", |m, o, k| {
            let mut c = m.upper_bound_mut(Included(&k));
            assert_eq!(c.remove_prev(), o.remove_entry(&k));
            assert_eq!(owned(c.peek_prev()), owned_ref(o.range(..k).next_back()));
            assert_eq!(owned(c.peek_next()), owned_ref(o.range(k..).next()));
            for kv in o.range(..k).rev() {
                assert_eq!(owned(c.prev()), owned_ref(Some(kv)));
            }
            assert!(c.prev().is_none());
        }),
    ];
    let (_, base) = tree_of::<H, A, CAP>(n);
    let keys = present_keys(&base, CAP);
    for (i, &(name, op)) in ops.iter().enumerate() {
        for k in few(&keys, i, rm) {
            let (mut m, mut o) = tree_of::<H, A, CAP>(n);
            let r = catch_unwind(AssertUnwindSafe(|| op(&mut m, &mut o, k)));
            assert!(r.is_ok(), "{name}({k}) panicked on a tree of {n}");
            same(&m, &o);
            assert_eq!(m.len(), n - 1, "{name}");
            expect_run(&m, rm > 0);
            // The run works on: an insert and a removal.
            assert_eq!(m.insert(k + 1, val(1)), o.insert(k + 1, val(1)));
            let last = *o.keys().next_back().unwrap();
            assert_eq!(m.remove(&last), o.remove(&last));
            same(&m, &o);
        }
    }
}

/// `extract_if` partially consumed, across a demotion mid-iteration, then
/// dropped; and `retain` across a demotion.
fn extract_if_and_retain<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let n = at_demotion::<H, A, CAP>() + 3;
    let (_, base) = tree_of::<H, A, CAP>(n);
    let keys: Vec<u32> = base.keys().copied().collect();
    let (lo, mid, hi) = (keys[1], keys[n / 3], keys[n - 2]);
    let ranges: [(Bound<u32>, Bound<u32>); 5] = [
        (Unbounded, Unbounded),
        (Included(mid), Unbounded),
        (Excluded(lo), Included(hi)),
        (Unbounded, Excluded(mid)),
        (Included(mid + 1), Excluded(hi + 1)),
    ];
    for range in ranges {
        for modulus in 1..=3u32 {
            for take in [0, 3, 4, 5, usize::MAX] {
                let (mut m, mut o) = tree_of::<H, A, CAP>(n);
                // Removes every `modulus`-th key, and marks the kept ones
                // it looks at.
                let pred = |k: &u32, v: &mut String| {
                    if (k / 10).is_multiple_of(modulus) {
                        true
                    } else {
                        v.push('k');
                        false
                    }
                };
                // Partly consumed, then dropped.
                let got: Vec<_> = m.extract_if(range, pred).take(take).collect();
                let theirs: Vec<_> = o.extract_if(range, pred).take(take).collect();
                assert_eq!(got, theirs, "{range:?} modulus {modulus} take {take}");
                same(&m, &o);
                expect_run(&m, rm > 0 && m.len() < rm / 2);
            }
        }
    }
    // retain: down across the threshold (with values changed), to empty,
    // and keeping everything.
    let (mut m, mut o) = tree_of::<H, A, CAP>(n + 2);
    let cut = |k: &u32, v: &mut String| {
        v.push('r');
        !(mid..mid + 60).contains(k)
    };
    m.retain(cut);
    o.retain(cut);
    same(&m, &o);
    expect_run(&m, rm > 0 && m.len() < rm / 2);
    m.retain(|_, v| {
        v.push('s');
        true
    });
    o.retain(|_, v| {
        v.push('s');
        true
    });
    same(&m, &o);
    m.retain(|_, _| false);
    o.retain(|_, _| false);
    same(&m, &o);
    if rm > 0 {
        expect_run(&m, true);
        assert_eq!(m.memory_usage().heap_bytes, 0);
    }
}

// ---------------------------------------------------------------------------
// split_off, append, clear, building and cloning
// ---------------------------------------------------------------------------

fn split_off<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let shapes: [Make<H, A, CAP>; 5] = [
        || built::<H, A, CAP>(3),
        || built::<H, A, CAP>(run_max::<H, A, CAP>()),
        || built::<H, A, CAP>(run_max::<H, A, CAP>() + 1),
        || tree_of::<H, A, CAP>(at_demotion::<H, A, CAP>()),
        || built::<H, A, CAP>(2 * run_max::<H, A, CAP>() + 3),
    ];
    for make in shapes {
        let (_, base) = make();
        let keys: Vec<u32> = base.keys().copied().collect();
        let mut at = vec![0, 1, u32::MAX];
        let step = (keys.len() / if rm > 256 { 3 } else { 6 }).max(1);
        for i in (0..keys.len())
            .step_by(step)
            .chain([keys.len().saturating_sub(1)])
        {
            if let Some(&k) = keys.get(i) {
                at.extend([k, k + 5]);
            }
        }
        at.extend(present_keys(&base, CAP));
        for k in at {
            let (mut m, mut o) = make();
            let right = m.split_off(&k);
            let theirs = o.split_off(&k);
            same(&m, &o);
            same(&right, &theirs);
            // Both sides work on.
            let mut m2 = m;
            let mut r2 = right;
            m2.insert(3, val(3));
            o.insert(3, val(3));
            r2.insert(u32::MAX - 1, val(7));
            let mut theirs = theirs;
            theirs.insert(u32::MAX - 1, val(7));
            same(&m2, &o);
            same(&r2, &theirs);
        }
    }
    // A tree at the threshold split in the middle: both sides are runs.
    if rm > 0 {
        let (mut m, mut o) = tree_of::<H, A, CAP>(rm / 2);
        let k = *o.keys().nth(rm / 4).unwrap();
        let right = m.split_off(&k);
        let theirs = o.split_off(&k);
        same(&m, &o);
        same(&right, &theirs);
        expect_run(&m, true);
        expect_run(&right, true);
    }
}

fn append<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let half = rm / 2;
    // (left size, right size, overlap): left keys are even multiples of
    // ten, right keys odd ones, and `overlap` of the right's are the
    // left's (with other values).
    let cases = [
        (half, half, 0),
        (half, half + 1, 0),
        (rm, 1, 0),
        (1, rm, 0),
        (rm, rm, rm.min(3)),
        (rm + 1, 2, 1),
        (0, rm + 1, 0),
        (rm + 1, 0, 0),
        (0, 0, 0),
        (3, 2, 2),
        (half + 1, half, half),
    ];
    for (a, b, overlap) in cases {
        let mut left = M::<H, A, CAP>::empty();
        let mut right = M::<H, A, CAP>::empty();
        let mut ol = Oracle::new();
        let mut or = Oracle::new();
        for i in 0..a {
            let k = key(2 * i);
            left.insert(k, val(k));
            ol.insert(k, val(k));
        }
        for i in 0..b {
            let k = if i < overlap {
                key(2 * i)
            } else {
                key(2 * i + 1)
            };
            right.insert(k, format!("r{k}"));
            or.insert(k, format!("r{k}"));
        }
        left.append(&mut right);
        ol.append(&mut or);
        same(&left, &ol);
        same(&right, &or);
        assert_eq!(right.memory_usage().heap_bytes, 0);
        assert_eq!(right.memory_usage().allocations, 0);
        if a > 0 && b > 0 {
            expect_run(&left, left.len() <= rm);
        }
        // Keep going from the result.
        left.insert(1, val(1));
        ol.insert(1, val(1));
        same(&left, &ol);
    }
}

fn clear<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    for n in [1, rm, rm + 1, 3 * rm + 2] {
        let (mut m, mut o) = built::<H, A, CAP>(n);
        m.clear();
        o.clear();
        same(&m, &o);
        expect_run(&m, true);
        let usage = m.memory_usage();
        assert_eq!((usage.heap_bytes, usage.allocations), (0, 0), "{n}");
        // Reused across the threshold.
        for i in 0..=rm {
            m.insert(key(i), val(key(i)));
            o.insert(key(i), val(key(i)));
            check_step(&m, &o);
        }
        expect_run(&m, false);
    }
}

fn build_and_clone<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    for n in [rm.wrapping_sub(1), rm, rm + 1, 0, 1, rm / 2, 2 * rm + 1] {
        if n > 10 * rm + 10 {
            continue;
        }
        // Shuffled, with duplicates whose last value wins.
        let mut pairs: Vec<(u32, String)> = (0..n)
            .flat_map(|i| [(key(i), format!("a{i}")), (key(i), val(key(i)))])
            .filter(|(k, v)| (k / 10) % 3 != 0 || v.starts_with('v'))
            .collect();
        let mut x = 12345u64;
        for i in (1..pairs.len()).rev() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            pairs.swap(i, (x >> 33) as usize % (i + 1));
        }
        let o: Oracle = pairs.iter().cloned().collect();
        let m: M<H, A, CAP> = pairs.iter().cloned().collect();
        same(&m, &o);
        assert_eq!(m.len(), n);
        expect_run(&m, n <= rm);
        // FromIterator with an inexact size hint.
        let m: M<H, A, CAP> = pairs.iter().filter(|_| true).cloned().collect();
        same(&m, &o);
        // Sorted input.
        let m = M::<H, A, CAP>::from_sorted_iter(o.clone()).unwrap();
        same(&m, &o);
        expect_run(&m, n <= rm);
        if n > 1 {
            assert!(M::<H, A, CAP>::from_sorted_iter(o.clone().into_iter().rev()).is_none());
        }
        // Extend (owned and by reference on a `Copy` map).
        let mut e = M::<H, A, CAP>::empty();
        e.extend(pairs.iter().cloned());
        same(&e, &o);
        let mut c = BPlusTreeMap::<u32, u32, H, A, CAP>::empty();
        let copy: BTreeMap<u32, u32> = o.keys().map(|&k| (k, k + 1)).collect();
        c.extend(copy.iter());
        same(&c, &copy);
        // Clones: the same entries, packed; a clone that fits is a run.
        let cl = m.clone();
        same(&cl, &o);
        expect_run(&cl, n <= rm);
        let cl = e.clone();
        same(&cl, &o);
        expect_run(&cl, n <= rm);
    }
    if rm > 0 {
        let (t, o) = tree_of::<H, A, CAP>(rm / 2);
        let cl = t.clone();
        same(&cl, &o);
        expect_run(&cl, true);
        expect_run(&t, false);
    }
}

// ---------------------------------------------------------------------------
// Cursors across both thresholds
// ---------------------------------------------------------------------------

/// A cursor's model: the entries and the gap index.
struct Model {
    v: Vec<(u32, String)>,
    gap: usize,
}

impl Model {
    #[track_caller]
    fn check<H: Handle, A: ArenaStrategy, const CAP: usize>(
        &self,
        c: &mut bptree::map::CursorMut<'_, u32, String, H, A, CAP>,
    ) {
        let next = self.v.get(self.gap).cloned();
        let prev = self.gap.checked_sub(1).map(|i| self.v[i].clone());
        assert_eq!(owned(c.peek_next()), next, "peek_next at gap {}", self.gap);
        assert_eq!(owned(c.peek_prev()), prev, "peek_prev at gap {}", self.gap);
        let cur = c.as_cursor();
        assert_eq!(owned_ref(cur.peek_next()), next);
        assert_eq!(owned_ref(cur.peek_prev()), prev);
    }
}

fn cursors<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    // Removing across a demotion with one cursor, alternating directions.
    for start in [0, 1, 2, 3] {
        let n = at_demotion::<H, A, CAP>() + 4;
        let (mut m, o) = tree_of::<H, A, CAP>(n);
        let mut model = Model {
            v: o.iter().map(|(k, v)| (*k, v.clone())).collect(),
            gap: [0, n / 2, n, 1][start],
        };
        {
            let at = model.v.get(model.gap).map(|kv| kv.0);
            let mut c = match at {
                Some(k) => m.lower_bound_mut(Included(&k)),
                None => m.lower_bound_mut(Unbounded::<&u32>),
            };
            if at.is_none() {
                // `lower_bound_mut(Unbounded)` is the front: walk to the end.
                while c.next().is_some() {}
            }
            model.check(&mut c);
            for step in 0..10 {
                let forward = match start {
                    0 => true,
                    2 => false,
                    _ => step % 2 == 0,
                };
                let (ours, theirs) = if forward {
                    let theirs = (model.gap < model.v.len()).then(|| model.v.remove(model.gap));
                    (c.remove_next(), theirs)
                } else {
                    let theirs = (model.gap > 0).then(|| {
                        model.gap -= 1;
                        model.v.remove(model.gap)
                    });
                    (c.remove_prev(), theirs)
                };
                assert_eq!(ours, theirs, "step {step}");
                model.check(&mut c);
                // Move about a little.
                if step % 3 == 2 && c.next().is_some() {
                    model.gap += 1;
                    model.check(&mut c);
                }
            }
        }
        let o: Oracle = model.v.iter().cloned().collect();
        same(&m, &o);
        expect_run(&m, rm > 0);
    }
    // Inserting across a promotion with one cursor: `insert_after` with
    // falling keys and `insert_before` with rising ones, in one gap.
    for before in [false, true] {
        let n = rm.saturating_sub(3);
        let mut m = M::<H, A, CAP>::empty();
        let mut model = Model {
            v: (0..n as u32).map(|i| (1000 * i, val(1000 * i))).collect(),
            gap: n / 2,
        };
        for (k, v) in &model.v {
            m.insert(*k, v.clone());
        }
        {
            let lo = model.gap.checked_sub(1).map_or(0, |i| model.v[i].0);
            let mut c = if model.gap == 0 {
                m.lower_bound_mut(Unbounded::<&u32>)
            } else {
                m.upper_bound_mut(Included(&lo))
            };
            model.check(&mut c);
            for step in 0..8u32 {
                if before {
                    let k = lo + 1 + step;
                    c.insert_before(k, val(k)).unwrap();
                    model.v.insert(model.gap, (k, val(k)));
                    model.gap += 1;
                } else {
                    let k = lo + 999 - step;
                    c.insert_after(k, val(k)).unwrap();
                    model.v.insert(model.gap, (k, val(k)));
                }
                model.check(&mut c);
                // Equal to a neighbour: refused, nothing changes.
                if let Some(&(p, _)) = model.gap.checked_sub(1).and_then(|i| model.v.get(i)) {
                    assert!(c.insert_before(p, val(0)).is_err());
                    assert!(c.insert_after(p, val(0)).is_err());
                }
                if let Some(&(q, _)) = model.v.get(model.gap) {
                    assert!(c.insert_before(q, val(0)).is_err());
                    assert!(c.insert_after(q, val(0)).is_err());
                }
                model.check(&mut c);
            }
            // Walk the whole map from the gap, both ways.
            let g = model.gap;
            for kv in &model.v[g..] {
                assert_eq!(owned(c.next()), Some(kv.clone()));
            }
            assert!(c.next().is_none());
            for kv in model.v.iter().rev() {
                assert_eq!(owned(c.prev()), Some(kv.clone()));
            }
            assert!(c.prev().is_none());
        }
        let o: Oracle = model.v.iter().cloned().collect();
        same(&m, &o);
        assert_eq!(m.len(), n + 8);
        expect_run(&m, false);
    }
    // One step at a time (a fresh cursor per step, so invariants are
    // checked in between): empty a tree from the front with `remove_next`,
    // refill it from the back with `insert_before`.
    let n = rm + 2;
    let (mut m, mut o) = built::<H, A, CAP>(n);
    for _ in 0..n {
        let first = o.pop_first();
        let mut c = m.lower_bound_mut(Unbounded::<&u32>);
        assert_eq!(c.remove_next(), first);
        assert_eq!(owned(c.peek_next()), owned_ref(o.iter().next()));
        assert_eq!(c.peek_prev(), None);
        check_step(&m, &o);
    }
    expect_run(&m, rm > 0);
    for i in 0..n {
        let k = key(i);
        let mut c = m.upper_bound_mut(Unbounded::<&u32>);
        c.insert_before(k, val(k)).unwrap();
        o.insert(k, val(k));
        assert_eq!(owned(c.peek_prev()), Some((k, val(k))));
        assert_eq!(c.peek_next(), None);
        check_step(&m, &o);
        expect_run(&m, m.len() <= rm && rm > 0);
    }
    // Read-only cursors on a run and on a tree.
    for (m, o) in [
        built::<H, A, CAP>(rm.max(2) - 1),
        built::<H, A, CAP>(rm + 1),
    ] {
        for b in probes(&o, CAP) {
            for bound in [Included(&b), Excluded(&b), Unbounded] {
                let lc = m.lower_bound(bound);
                let theirs = o.range((bound, Unbounded)).next();
                assert_eq!(lc.peek_next(), theirs);
                let uc = m.upper_bound(bound);
                let theirs = o.range((Unbounded, bound)).next_back();
                assert_eq!(uc.peek_prev(), theirs);
                let mut lc = lc;
                let rest: Vec<_> = std::iter::from_fn(|| lc.next()).collect();
                let theirs: Vec<_> = o.range((bound, Unbounded)).collect();
                assert_eq!(rest, theirs);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Iterators on both representations
// ---------------------------------------------------------------------------

fn shapes<H: Handle, A: ArenaStrategy, const CAP: usize>() -> Vec<(M<H, A, CAP>, Oracle)> {
    let rm = run_max::<H, A, CAP>();
    let mut out = vec![
        built::<H, A, CAP>(0),
        built::<H, A, CAP>(1),
        built::<H, A, CAP>(rm / 2),
        built::<H, A, CAP>(rm),
        built::<H, A, CAP>(rm + 1),
        tree_of::<H, A, CAP>(at_demotion::<H, A, CAP>()),
        built::<H, A, CAP>(3 * rm + 5),
    ];
    // And one demoted from a tree (its run was rebuilt, not grown).
    let (mut m, mut o) = tree_of::<H, A, CAP>(at_demotion::<H, A, CAP>());
    m.pop_first();
    o.pop_first();
    out.push((m, o));
    out
}

fn iterators<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    for (mut m, mut o) in shapes::<H, A, CAP>() {
        let n = o.len();
        same(&m, &o);
        // iter, rev, len, double-ended meeting in the middle.
        assert!(m.iter().rev().eq(o.iter().rev()));
        let mut it = m.iter();
        let mut theirs = o.iter();
        for step in 0..=n {
            assert_eq!(it.len(), theirs.len());
            let (a, b) = if step % 3 == 0 {
                (it.next_back(), theirs.next_back())
            } else {
                (it.next(), theirs.next())
            };
            assert_eq!(a, b);
        }
        assert_eq!(it.next(), None);
        assert_eq!(it.next_back(), None);
        assert!(m.keys().eq(o.keys()));
        assert!(m.keys().rev().eq(o.keys().rev()));
        assert_eq!(m.keys().len(), n);
        assert!(m.values().eq(o.values()));
        assert_eq!(m.values().len(), n);
        for (v, k) in m.values_mut().zip(o.keys()) {
            v.push_str(&k.to_string());
        }
        for (k, v) in o.iter_mut() {
            v.push_str(&k.to_string());
        }
        assert_eq!(m.values_mut().len(), n);
        for (k, v) in m.iter_mut().rev() {
            v.push(char::from(b'a' + (k % 26) as u8));
        }
        for (k, v) in o.iter_mut().rev() {
            v.push(char::from(b'a' + (k % 26) as u8));
        }
        assert_eq!(m.iter_mut().len(), n);
        same(&m, &o);
        // get and friends.
        for k in present_keys(&o, CAP)
            .into_iter()
            .chain(absent_keys(&o, CAP))
        {
            assert_eq!(m.get(&k), o.get(&k));
            assert_eq!(m.get_key_value(&k), o.get_key_value(&k));
            assert_eq!(m.contains_key(&k), o.contains_key(&k));
            if let Some(v) = m.get_mut(&k) {
                v.push('g');
                o.get_mut(&k).unwrap().push('g');
                assert_eq!(m[&k], o[&k]);
            }
        }
        // range with every bound kind, both directions, then range_mut.
        let p = probes(&o, CAP);
        for (s, e) in bound_pairs(&p) {
            let ours: Vec<_> = m.range((s, e)).collect();
            let theirs: Vec<_> = o.range((s, e)).collect();
            assert_eq!(ours, theirs, "range({s:?}, {e:?}) of {n}");
            assert!(m.range((s, e)).rev().eq(o.range((s, e)).rev()));
            let mut a = m.range((s, e));
            let mut b = o.range((s, e));
            loop {
                let (x, y) = (a.next_back(), b.next_back());
                assert_eq!(x, y);
                let (x2, y2) = (a.next(), b.next());
                assert_eq!(x2, y2);
                if y.is_none() && y2.is_none() {
                    break;
                }
            }
        }
        for (s, e) in bound_pairs(&p).into_iter().step_by(7) {
            for (k, v) in m.range_mut((s, e)) {
                v.push_str(&(k % 7).to_string());
            }
            for (k, v) in o.range_mut((s, e)) {
                v.push_str(&(k % 7).to_string());
            }
            assert!(
                m.range_mut((s, e))
                    .rev()
                    .map(|(k, _)| *k)
                    .eq(o.range_mut((s, e)).rev().map(|(k, _)| *k))
            );
        }
        same(&m, &o);
        // Range syntax and borrowed bounds.
        if let (Some(&a), Some(&b)) = (o.keys().next(), o.keys().next_back()) {
            assert!(m.range(a..b).eq(o.range(a..b)));
            assert!(m.range(a..=b).eq(o.range(a..=b)));
            assert!(m.range(a + 1..).eq(o.range(a + 1..)));
            assert!(m.range(..=b - 1).eq(o.range(..=b - 1)));
            assert!(
                m.range::<u32, _>((Excluded(&a), Included(&b)))
                    .eq(o.range((Excluded(&a), Included(&b))))
            );
        }
        // Owning iterators, partly consumed (drops are counted below).
        let front = n / 3;
        let mut ours = m.clone().into_iter();
        let mut theirs = o.clone().into_iter();
        for _ in 0..front {
            assert_eq!(ours.next(), theirs.next());
            assert_eq!(ours.next_back(), theirs.next_back());
            assert_eq!(ours.len(), theirs.len());
        }
        assert!(m.clone().into_keys().rev().eq(o.clone().into_keys().rev()));
        assert!(m.clone().into_values().eq(o.clone().into_values()));
        assert!(m.into_iter().eq(o));
    }
}

/// `into_iter` consumed from both ends, then dropped: every value is
/// dropped exactly once, on runs and on trees.
fn into_iter_drops<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let ledger = Rc::new(Ledger::default());
    for n in [0, 1, rm / 2, rm, rm + 1, 2 * rm + 3] {
        let plans = [
            (0, 0),
            (1, 0),
            (0, 1),
            (2, 3),
            (n / 2, n / 3),
            (n, 0),
            (0, n),
        ];
        for (front, back) in plans {
            let mut m = BPlusTreeMap::<u32, Counted, H, A, CAP>::empty();
            for i in 0..n {
                m.insert(key(i), Counted::new(&ledger, key(i)));
            }
            assert_eq!(ledger.live(), n);
            expect_run(&m, n <= rm && (rm > 0 || n == 0));
            let mut it = m.into_iter();
            let mut seen = Vec::new();
            for _ in 0..front {
                if let Some((k, v)) = it.next() {
                    assert_eq!(k, v.tag);
                    seen.push(k);
                }
            }
            for _ in 0..back {
                if let Some((k, v)) = it.next_back() {
                    assert_eq!(k, v.tag);
                    seen.push(k);
                }
            }
            let taken = seen.len();
            assert_eq!(it.len(), n - taken);
            let expect: Vec<u32> = (0..front.min(n))
                .map(key)
                .chain((n - back.min(n - front.min(n))..n).rev().map(key))
                .collect();
            assert_eq!(seen, expect, "n {n} front {front} back {back}");
            drop(it);
            ledger.assert_clean();
        }
        // into_keys / into_values partly consumed; plain drop.
        let mut m = BPlusTreeMap::<u32, Counted, H, A, CAP>::empty();
        for i in 0..n {
            m.insert(key(i), Counted::new(&ledger, key(i)));
        }
        let m2 = {
            let mut c = BPlusTreeMap::<u32, Counted, H, A, CAP>::empty();
            for i in 0..n {
                c.insert(key(i), Counted::new(&ledger, key(i)));
            }
            c
        };
        let mut vals = m.into_values();
        if n > 2 {
            assert_eq!(vals.next().map(|v| v.tag), Some(key(0)));
            assert_eq!(vals.next_back().map(|v| v.tag), Some(key(n - 1)));
        }
        drop(vals);
        let mut keys = m2.into_keys();
        keys.next_back();
        drop(keys);
        ledger.assert_clean();
        let mut m = BPlusTreeMap::<u32, Counted, H, A, CAP>::empty();
        for i in 0..n {
            m.insert(key(i), Counted::new(&ledger, key(i)));
        }
        drop(m);
        ledger.assert_clean();
    }
}

// ---------------------------------------------------------------------------
// Sets
// ---------------------------------------------------------------------------

/// The set agrees with the oracle (whole, at the sizes [`full_check_at`]
/// picks) and its invariants hold.
#[track_caller]
fn same_set<H: Handle, A: ArenaStrategy, const CAP: usize>(
    s: &BPlusTreeSet<u32, H, A, CAP>,
    o: &BTreeSet<u32>,
) {
    s.check_invariants().unwrap();
    assert_eq!(s.len(), o.len());
    assert_eq!(s.first(), o.first());
    assert_eq!(s.last(), o.last());
    if full_check_at(s.len(), run_max::<H, A, CAP>()) {
        assert!(s.iter().eq(o.iter()));
        assert!(s.iter().rev().eq(o.iter().rev()));
    }
}

fn sets<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let mut s = BPlusTreeSet::<u32, H, A, CAP>::empty();
    let mut o = BTreeSet::new();
    // Up to and across the upper threshold, with replace and failed
    // inserts at every size.
    for i in 0..=rm + 1 {
        let k = key(i);
        assert_eq!(s.insert(k), o.insert(k));
        same_set(&s, &o);
        assert!(!s.insert(k));
        assert_eq!(s.replace(k), Some(k));
        assert_eq!(s.take(&(k + 1)), None);
        assert!(!s.remove(&(k + 1)));
        same_set(&s, &o);
    }
    let mut other = BPlusTreeSet::<u32, H, A, CAP>::empty();
    assert_eq!(other.replace(7), None);
    assert_eq!(other.take(&7), Some(7));
    assert!(other.is_empty());
    // Ranges on the tree.
    let range_check = |s: &BPlusTreeSet<u32, H, A, CAP>, o: &BTreeSet<u32>| {
        let p: Vec<u32> = {
            let mut p = vec![0, u32::MAX, 15];
            p.extend(o.iter().step_by((o.len() / 4).max(1)).copied());
            p
        };
        for (a, b) in bound_pairs(&p) {
            assert!(s.range((a, b)).eq(o.range((a, b))), "{a:?} {b:?}");
            assert!(s.range((a, b)).rev().eq(o.range((a, b)).rev()));
        }
    };
    range_check(&s, &o);
    // Down across the lower threshold by remove, take, pop_first, pop_last.
    let mut step = 0;
    while s.len() > rm / 2 + 2 {
        let k = *o.iter().nth(o.len() / 2).unwrap();
        match step % 4 {
            0 => assert_eq!(s.remove(&k), o.remove(&k)),
            1 => assert_eq!(s.take(&k), o.take(&k)),
            2 => assert_eq!(s.pop_first(), o.pop_first()),
            _ => assert_eq!(s.pop_last(), o.pop_last()),
        }
        step += 1;
        same_set(&s, &o);
    }
    for _ in 0..4 {
        let Some(&k) = o.iter().nth(1) else { break };
        assert_eq!(s.take(&k), o.take(&k));
        same_set(&s, &o);
        assert_eq!(s.replace(k), None);
        o.insert(k);
        same_set(&s, &o);
        assert_eq!(s.take(&k), o.take(&k));
        same_set(&s, &o);
    }
    range_check(&s, &o);
    // retain, extract_if, split_off and append across the thresholds.
    s.retain(|k| k % 20 != 0);
    o.retain(|k| k % 20 != 0);
    same_set(&s, &o);
    let (mut s, mut o): (BPlusTreeSet<u32, H, A, CAP>, BTreeSet<u32>) =
        ((0..=rm).map(key).collect(), (0..=rm).map(key).collect());
    let ours: Vec<u32> = s.extract_if(.., |k| k % 30 == 0).take(rm / 2).collect();
    let theirs: Vec<u32> = o.extract_if(.., |k| k % 30 == 0).take(rm / 2).collect();
    assert_eq!(ours, theirs);
    same_set(&s, &o);
    let mid = *o.iter().nth(o.len() / 2).unwrap_or(&0);
    let mut right = s.split_off(&mid);
    let mut oright = o.split_off(&mid);
    same_set(&s, &o);
    same_set(&right, &oright);
    s.append(&mut right);
    o.append(&mut oright);
    same_set(&s, &o);
    same_set(&right, &oright);
    s.clear();
    o.clear();
    same_set(&s, &o);
}

// ---------------------------------------------------------------------------
// Panic safety at promotion
// ---------------------------------------------------------------------------

type PMap<H, A, const CAP: usize> = BPlusTreeMap<PKey, Counted, H, A, CAP>;

/// Makes every clone in turn panic during an insert into a full run, by
/// every insert path: the map keeps its entries (none leaked or dropped
/// twice) and its invariants. Returns the cases where it is nevertheless
/// left promoted (a tree of `RUN_MAX` entries instead of the run).
fn panic_at_promotion<H: Handle, A: ArenaStrategy, const CAP: usize>() -> Vec<String> {
    type Op<H, A, const CAP: usize> = fn(&mut PMap<H, A, CAP>, PKey, Counted);
    let rm = run_max::<H, A, CAP>();
    let ops: &[(&str, Op<H, A, CAP>)] = &[
        ("insert", |m, k, v| assert!(m.insert(k, v).is_none())),
        ("checked_insert", |m, k, v| {
            assert!(m.checked_insert(k, v).unwrap().is_none());
        }),
        ("entry().or_insert", |m, k, v| {
            let t = v.tag;
            assert_eq!(m.entry(k).or_insert(v).tag, t);
        }),
        ("VacantEntry::insert_entry", |m, k, v| {
            let Entry::Vacant(e) = m.entry(k) else {
                panic!("occupied")
            };
            let t = v.tag;
            assert_eq!(e.insert_entry(v).get().tag, t);
        }),
        ("CursorMut::insert_after", |m, k, v| {
            let b = k.k;
            let mut c = m.lower_bound_mut(Included(&PKey::new(&k.ledger, b)));
            c.insert_after(k, v).unwrap();
        }),
        ("extend", |m, k, v| m.extend([(k, v)])),
    ];
    let ledger = Rc::new(Ledger::default());
    let fill = |m: &mut PMap<H, A, CAP>| {
        for i in 0..rm {
            m.insert(PKey::new(&ledger, key(i)), Counted::new(&ledger, key(i)));
        }
    };
    let snapshot = |m: &PMap<H, A, CAP>| -> Vec<(u32, u32, u64)> {
        m.iter().map(|(k, v)| (k.k, v.tag, v.id)).collect()
    };
    let mut promoted = Vec::new();
    for (n, &(name, op)) in ops.iter().enumerate() {
        // Every position for the first path, the middle for the others.
        let all = [5, key(rm / 2) + 5, key(rm) + 5, key(CAP) + 5];
        for &new in if n == 0 { &all[..] } else { &all[1..2] } {
            let mut budget = 0;
            loop {
                let mut m = PMap::<H, A, CAP>::empty();
                fill(&mut m);
                let before = snapshot(&m);
                expect_run(&m, true);
                let (k, v) = (PKey::new(&ledger, new), Counted::new(&ledger, new));
                ledger.set_budget(Some(budget));
                let r = catch_unwind(AssertUnwindSafe(|| op(&mut m, k, v)));
                ledger.set_budget(None);
                if let Err(e) = m.check_invariants() {
                    panic!("{name}({new}), clone {budget} panics: {e}");
                }
                let done = r.is_ok();
                if done {
                    assert_eq!(m.len(), rm + 1, "{name}");
                    expect_run(&m, false);
                } else {
                    assert_eq!(snapshot(&m), before, "{name}({new}), clone {budget} panics");
                    if !is_run(&m) {
                        promoted.push(format!("{name}({new}), clone {budget} panics"));
                    }
                    // Still usable.
                    m.insert(PKey::new(&ledger, 1), Counted::new(&ledger, 1));
                    m.check_invariants().unwrap();
                }
                drop(m);
                ledger.assert_clean();
                if done {
                    break;
                }
                // Large runs: every clone for the first path, some for the
                // others (the first, and the one after the separators).
                budget += if n > 0 && rm > 256 { 5 } else { 1 };
                assert!(budget < 1000, "{name}: never succeeds");
            }
        }
    }
    promoted
}

// ---------------------------------------------------------------------------
// memory_usage
// ---------------------------------------------------------------------------

#[track_caller]
fn nothing_allocated<K, V, H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &BPlusTreeMap<K, V, H, A, CAP>,
    what: &str,
) {
    let u = m.memory_usage();
    assert_eq!((u.heap_bytes, u.allocations), (0, 0), "{what}: {u:?}");
    assert_eq!((u.leaves, u.branches), (0, 0), "{what}: {u:?}");
    assert_eq!(u.stack_bytes, size_of::<BPlusTreeMap<K, V, H, A, CAP>>());
}

fn memory_usage<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    let m = M::<H, A, CAP>::empty();
    nothing_allocated(&m, "new");
    assert!(m.memory_usage().small_run);
    nothing_allocated(&M::<H, A, CAP>::default(), "default");
    // Runs of every size.
    let (mut m, mut o) = built::<H, A, CAP>(0);
    for i in 0..rm {
        m.insert(key(i), val(key(i)));
        o.insert(key(i), val(key(i)));
        let u = m.memory_usage();
        assert!(u.small_run);
        assert_eq!((u.leaves, u.branches), (0, 0));
        let entry = size_of::<u32>() + size_of::<String>();
        assert!(u.heap_bytes >= m.len() * entry, "{u:?}");
        assert_eq!(u.allocations, 1);
    }
    // A tree.
    m.insert(1, val(1));
    o.insert(1, val(1));
    let u = m.memory_usage();
    assert!(!u.small_run && u.leaves >= 1, "{u:?}");
    assert!(u.heap_bytes > 0 && u.allocations >= 1);
    // Emptied by removals from the tree (through the demotion).
    while let Some((k, _)) = o.pop_first() {
        m.remove(&k);
    }
    same(&m, &o);
    if rm > 0 {
        nothing_allocated(&m, "emptied by remove");
    }
    // Emptied by other removals, from a run and from a tree.
    for n in [rm / 2, rm + 1] {
        let emptied: [Emptier<H, A, CAP>; 5] = [
            ("pop_first", |m| while m.pop_first().is_some() {}),
            ("pop_last", |m| while m.pop_last().is_some() {}),
            ("retain", |m| m.retain(|_, _| false)),
            ("extract_if", |m| {
                m.extract_if(.., |_, _| true).for_each(drop)
            }),
            ("clear", |m| m.clear()),
        ];
        for (name, empty) in emptied {
            let (mut m, _) = built::<H, A, CAP>(n);
            empty(&mut m);
            m.check_invariants().unwrap();
            assert!(m.is_empty());
            if rm > 0 || name == "clear" {
                nothing_allocated(&m, name);
            }
        }
        // split_off taking everything, or nothing.
        let (mut m, _) = built::<H, A, CAP>(n);
        let all = m.split_off(&0);
        nothing_allocated(&m, "split_off(&0), left");
        let none = {
            let mut all = all;
            let none = all.split_off(&u32::MAX);
            assert_eq!(all.len(), n);
            none
        };
        nothing_allocated(&none, "split_off(&MAX), right");
    }
}

/// Zero-sized values (a set) and a zero-sized key in a run.
fn zero_sized<H: Handle, A: ArenaStrategy, const CAP: usize>() {
    let rm = run_max::<H, A, CAP>();
    // A set is a map to `()`.
    let mut s = BPlusTreeMap::<u32, (), H, A, CAP>::empty();
    let mut o = BTreeMap::new();
    for i in 0..=rm + 1 {
        assert_eq!(s.insert(key(i), ()), o.insert(key(i), ()));
        check_step(&s, &o);
        let u = s.memory_usage();
        assert_eq!(u.small_run, i < rm);
        assert!(u.heap_bytes >= s.len() * 4);
    }
    while let Some((k, ())) = o.pop_last() {
        assert_eq!(s.remove(&k), Some(()));
        check_step(&s, &o);
    }
    // A zero-sized key: at most one entry.
    let mut z = BPlusTreeMap::<(), u32, H, A, CAP>::empty();
    let mut oz = BTreeMap::new();
    assert_eq!(z.insert((), 1), oz.insert((), 1));
    same(&z, &oz);
    expect_run(&z, rm > 0);
    assert!(z.memory_usage().heap_bytes >= 4);
    assert_eq!(z.insert((), 2), oz.insert((), 2));
    *z.entry(()).or_insert(0) += 1;
    *oz.entry(()).or_insert(0) += 1;
    same(&z, &oz);
    assert_eq!(z.get(&()), Some(&3));
    assert!(z.range(..).eq(oz.range(..)));
    assert!(z.range(()..=()).rev().eq(oz.range(()..=()).rev()));
    assert_eq!(z.range((Excluded(()), Unbounded)).count(), 0);
    {
        let mut c = z.lower_bound_mut(Unbounded::<&()>);
        assert_eq!(c.peek_next(), Some((&(), &mut 3)));
        assert!(c.insert_before((), 9).is_err());
        assert_eq!(c.remove_next(), Some(((), 3)));
        assert_eq!(c.peek_next(), None);
        c.insert_after((), 4).unwrap();
    }
    oz.insert((), 4);
    same(&z, &oz);
    let cl = z.clone();
    same(&cl, &oz);
    assert_eq!(z.remove(&()), oz.remove(&()));
    same(&z, &oz);
    if rm > 0 {
        nothing_allocated(&z, "zero-sized key, emptied");
    }
    // Everything zero-sized: a run allocates nothing at all.
    let mut zz = BPlusTreeMap::<(), (), H, A, CAP>::empty();
    zz.insert((), ());
    zz.check_invariants().unwrap();
    assert_eq!(zz.len(), 1);
    if rm > 0 {
        nothing_allocated(&zz, "((), ())");
    }
    assert_eq!(zz.into_iter().count(), 1);
    // A zero-sized key through the set API.
    let mut us = BPlusTreeSet::<(), H, A, CAP>::empty();
    assert!(us.insert(()));
    assert!(!us.insert(()));
    assert_eq!(us.replace(()), Some(()));
    assert_eq!(us.first(), Some(&()));
    assert_eq!(us.take(&()), Some(()));
    assert!(us.is_empty());
    us.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------
// Instantiation
// ---------------------------------------------------------------------------

/// One module per configuration: handle, arena, capacity, the `RUN_MAX`
/// expected, and the named map type these parameters must spell.
macro_rules! configurations {
    ($($(#[$attr:meta])* $name:ident: $h:ty, $a:ty, $cap:literal, $rm:expr, $named:ty;)*) => {$(
        mod $name {
            use super::*;

            type H = $h;
            type A = $a;
            const CAP: usize = $cap;

            // The parameters are the named configuration's.
            const _: fn($named) -> BPlusTreeMap<u32, String, H, A, CAP> = |m| m;

            #[test]
            $(#[$attr])*
            fn run_max_is_as_documented() {
                assert_eq!(super::run_max::<H, A, CAP>(), $rm);
            }

            #[test]
            $(#[$attr])*
            fn thresholds_and_hysteresis() {
                super::thresholds::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn promotion_paths() {
                super::promotion_paths::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn demotion_paths() {
                super::demotion_paths::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn extract_if_and_retain() {
                super::extract_if_and_retain::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn split_off() {
                super::split_off::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn append() {
                super::append::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn clear() {
                super::clear::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn build_and_clone() {
                super::build_and_clone::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn cursors() {
                super::cursors::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn iterators() {
                super::iterators::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn into_iter_drops() {
                super::into_iter_drops::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn sets() {
                super::sets::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn panic_at_promotion() {
                super::panic_at_promotion::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn panic_at_promotion_leaves_a_run() {
                let promoted = super::panic_at_promotion::<H, A, CAP>();
                assert!(promoted.is_empty(), "left promoted: {promoted:#?}");
            }

            #[test]
            $(#[$attr])*
            fn memory_usage() {
                super::memory_usage::<H, A, CAP>();
            }

            #[test]
            $(#[$attr])*
            fn zero_sized() {
                super::zero_sized::<H, A, CAP>();
            }
        }
    )*};
}

configurations! {
    default_config: Wide32, Indirect<VecArena>, 64, 256, BPlusTreeMap<u32, String>;
    // The same arena in the map itself.
    direct: Wide32, VecArena, 64, 256, BPlusTreeMap<u32, String, Wide32, VecArena, 64>;
    // The default configuration's runs and thresholds with boxed node
    // buffers: under Miri `default_config` covers these paths, and the
    // differential and drop tests cover `Phase2`'s storage.
    #[cfg_attr(miri, ignore = "the default configuration's paths with boxed buffers: default_config covers them under Miri; differential and drops cover Phase2")]
    phase2: Wide32, VecArena<Boxed>, 64, 256, bptree::phase::Phase2<u32, String>;
    phase3: Adaptive, PoolArena, 64, 256, bptree::phase::Phase3<u32, String>;
    // Its tests walk runs of up to 2,048 with a full check after each
    // step: hours under Miri, where `indirect_cap4` covers `Indirect` runs.
    #[cfg_attr(miri, ignore = "runs of 2,048 checked after every step: hours under Miri; indirect_cap4 covers Indirect")]
    compact: Adaptive, Indirect<VecArena<Boxed>, 16>, 128, 2048, bptree::phase::Compact<u32, String>;
    indirect_cap4: Wide32, Indirect<VecArena, 16>, 4, 64, BPlusTreeMap<u32, String, Wide32, Indirect<VecArena, 16>, 4>;
    phase1: Wide32, VecArena<Growing>, 64, 0, bptree::phase::Phase1<u32, String>;
}

/// Without runs (`RUN_MAX` 0), a map emptied by removals still allocates
/// nothing: an empty tree becomes an empty run (it used to keep its arenas,
/// 248 bytes in 2 allocations for Phase 1 after 100 inserts and 100
/// `pop_first`s).
#[test]
fn emptied_by_removals_allocates_nothing_without_runs() {
    let mut m = bptree::phase::Phase1::<u32, String>::empty();
    for i in 0..100 {
        m.insert(i, val(i));
    }
    while m.pop_first().is_some() {}
    nothing_allocated(&m, "Phase1 emptied by pop_first");
    let mut m = bptree::phase::Phase0::<u32, String>::empty();
    m.insert(1, val(1));
    m.remove(&1);
    nothing_allocated(&m, "Phase0 emptied by remove");
}
