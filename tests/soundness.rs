//! Soundness when the caller's `Ord` lies, and under shared concurrent reads.
//!
//! std documents that a key whose `Ord` is inconsistent makes the map's
//! behaviour unspecified, "but will not result in undefined behavior": any
//! operation may panic, return wrong answers or leave entries in a strange
//! order, yet it must never hand out an entry that is not in the map, never
//! the same `&mut V` twice, and never double-drop or read past a node.
//!
//! * `*::reversed_range*`: the reproduction. Keys `K(i, false)` in a map and
//!   the range `K(900, true)..K(100, true)`, whose bounds compare reversed
//!   with each other (so the range is accepted) and normally with the keys
//!   (so the start lies after the end). `range_mut` and `range`, walked
//!   forwards, backwards and alternating, on a multi-leaf tree and on a
//!   10-entry map (a small run where the configuration has them), yield
//!   nothing, as std's range does (since 1.95); afterwards the map is
//!   intact.
//! * `*::chaotic_map_ops`, `*::chaotic_set_ops`: seeded random sequences of
//!   every operation (entries, ranges, iterators, cursors, bulk operations,
//!   set algebra) with a key whose `cmp` answers from a shared random
//!   source (consistently, reversed, permuted or at random), with keys and
//!   values that count their instances. After each operation (panicking or
//!   not): `len` matches forward, backward and alternating iteration,
//!   `iter_mut` yields each entry once, every instance the map holds is
//!   alive, the map holds exactly its `len` values, and no instance was
//!   compared after its drop or dropped twice; at the end, nothing is left.
//! * `*::two_threads_iterate`: a map shared by `&` between two threads that
//!   walk it forwards and backwards at once (Miri checks for data races).
//!
//! Each configuration module runs all of them; the small-capacity ones give
//! trees of several levels with few entries (and so under Miri).
//!
//! That the raw arena types are no longer public is a `compile_fail` doc
//! test in the crate, not here.

mod common;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::ops::Bound::{self, Excluded, Included, Unbounded};
use std::thread::LocalKey;

use bptree::config::TreeConfig;
use bptree::map::Entry;
use bptree::policy::{ArenaStrategy, Growing, Handle, MaskedArena};
use bptree::{Adaptive, BPlusTreeMap, BPlusTreeSet, Compact16, PoolArena, VecArena, Wide32};
use common::{XorShift, quietly, seed_of};

// ---------------------------------------------------------------------------
// Shared walking helpers
// ---------------------------------------------------------------------------

/// Whether step `i` of a walk with this plan takes from the back.
fn from_back(plan: u64, i: usize) -> bool {
    (plan >> (i % 64)) & 1 == 1
}

/// Walks `it` from both ends as `plan` says, handing each item to `visit`;
/// stops at the end or after `limit + 1` items (one more than allowed, so
/// the caller sees an overrun). Returns the number of items.
fn walk<I: DoubleEndedIterator>(
    mut it: I,
    plan: u64,
    limit: usize,
    mut visit: impl FnMut(I::Item),
) -> usize {
    let mut n = 0;
    while n <= limit {
        let item = if from_back(plan, n) {
            it.next_back()
        } else {
            it.next()
        };
        match item {
            Some(x) => {
                visit(x);
                n += 1;
            }
            None => break,
        }
    }
    n
}

/// The duplicates among `items`, if any.
fn duplicates<T: Copy + Eq + std::hash::Hash>(items: &[T]) -> usize {
    let mut seen = HashSet::new();
    items.iter().filter(|x| !seen.insert(**x)).count()
}

// ---------------------------------------------------------------------------
// 1. The reproduction: a range whose bounds order differently from the keys
// ---------------------------------------------------------------------------

/// A key whose order is reversed between two keys that both carry the flag,
/// and normal otherwise: `K(900, true) < K(100, true)`, yet
/// `K(100, false) < K(900, true)` and `K(100, true) < K(900, false)`.
#[derive(Clone, Copy, Debug)]
struct K(u32, bool);

impl Ord for K {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.1 && other.1 {
            other.0.cmp(&self.0)
        } else {
            self.0.cmp(&other.0)
        }
    }
}

impl PartialOrd for K {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for K {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for K {}

type RMap<H, A, const CAP: usize> = BPlusTreeMap<K, u64, H, A, CAP>;

/// Entries of the reproduction's multi-leaf map (1,000 as in the report;
/// fewer under Miri, still several leaves at every capacity but 128).
const BIG: u32 = if cfg!(miri) { 70 } else { 1000 };
/// Entries of the reproduction's small map (one sorted run where the
/// configuration has runs).
const SMALL: u32 = 10;

/// Added to a value each time `range_mut` yields it.
const BUMP: u64 = 1 << 40;

fn value_of(i: u32) -> u64 {
    u64::from(i) * 10 + 7
}

/// The three ways a reproduction walks its iterator.
const PLANS: [(&str, u64); 3] = [
    ("forwards", 0),
    ("backwards", u64::MAX),
    ("alternating", 0xAAAA_AAAA_AAAA_AAAA),
];

fn filled<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> RMap<H, A, CAP>,
    n: u32,
) -> RMap<H, A, CAP> {
    let mut map = make();
    for i in 0..n {
        assert!(map.insert(K(i, false), value_of(i)).is_none());
    }
    map
}

/// The bounds `K(hi, true)..K(lo, true)`: accepted as a range (the bounds
/// compare reversed), but the start lies after the end among the keys.
fn reversed_bounds(n: u32) -> std::ops::Range<K> {
    K(n * 9 / 10, true)..K(n / 10, true)
}

/// Checks what a walk yielded: only entries of the map (by key and by the
/// address of the value), each at most once, and no more than `n`.
fn check_yielded(what: &str, n: u32, got: &[(K, *const u64)], addrs: &HashMap<*const u64, u32>) {
    assert!(
        got.len() <= n as usize,
        "{what}: yielded {} items from a map of {n}",
        got.len()
    );
    for &(k, p) in got {
        assert!(
            !k.1 && k.0 < n,
            "{what}: yielded the key {k:?}, which is not in the map"
        );
        assert_eq!(
            addrs.get(&p),
            Some(&k.0),
            "{what}: yielded key {k:?} with a value at {p:?}, not that entry's value"
        );
    }
    let keys: Vec<u32> = got.iter().map(|(k, _)| k.0).collect();
    assert_eq!(
        duplicates(&keys),
        0,
        "{what}: a key yielded twice: {keys:?}"
    );
    let ptrs: Vec<*const u64> = got.iter().map(|&(_, p)| p).collect();
    assert_eq!(duplicates(&ptrs), 0, "{what}: a value yielded twice");
}

/// The map holds exactly `0..n` with their values (bumped for `bumped`),
/// in order both ways, and passes `check_invariants` (its keys are all
/// unflagged, so their order is consistent). Resets the bumped values.
fn assert_intact<H: Handle, A: ArenaStrategy, const CAP: usize>(
    what: &str,
    map: &mut RMap<H, A, CAP>,
    n: u32,
    bumped: &HashSet<u32>,
) {
    assert_eq!(map.len(), n as usize, "{what}: len");
    let fwd: Vec<(u32, u64)> = map
        .iter()
        .take(n as usize + 1)
        .map(|(k, v)| {
            assert!(!k.1, "{what}: a flagged key in the map");
            (k.0, *v)
        })
        .collect();
    let expected: Vec<(u32, u64)> = (0..n)
        .map(|i| (i, value_of(i) + if bumped.contains(&i) { BUMP } else { 0 }))
        .collect();
    assert_eq!(fwd, expected, "{what}: entries after the walk");
    let mut bwd: Vec<(u32, u64)> = map
        .iter()
        .rev()
        .take(n as usize + 1)
        .map(|(k, v)| (k.0, *v))
        .collect();
    bwd.reverse();
    assert_eq!(bwd, expected, "{what}: entries backwards after the walk");
    map.check_invariants()
        .unwrap_or_else(|e| panic!("{what}: invariants after the walk: {e:?}"));
    for (k, v) in map.iter_mut() {
        *v = value_of(k.0);
    }
}

/// The value addresses of the map's entries, with their keys.
fn addresses<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &RMap<H, A, CAP>,
) -> HashMap<*const u64, u32> {
    map.iter()
        .map(|(k, v)| (std::ptr::from_ref(v), k.0))
        .collect()
}

/// `range_mut` over the reversed bounds, walked three ways.
fn reversed_range_mut<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> RMap<H, A, CAP>,
    n: u32,
) {
    let mut map = filled(make, n);
    let addrs = addresses(&map);
    for (how, plan) in PLANS {
        let what = format!(
            "range_mut({:?}) over {n} entries, {how}",
            reversed_bounds(n)
        );
        let mut got: Vec<(K, *const u64)> = Vec::new();
        let outcome = quietly(|| {
            walk(
                map.range_mut(reversed_bounds(n)),
                plan,
                n as usize,
                |(k, v)| {
                    *v += BUMP;
                    got.push((*k, std::ptr::from_ref::<u64>(v)));
                },
            )
        });
        eprintln!(
            "{what}: {}, {} items",
            if outcome.is_err() {
                "panicked"
            } else {
                "returned"
            },
            got.len()
        );
        check_yielded(&what, n, &got, &addrs);
        // As std's (1.95 on): crossing ends make an empty range.
        assert!(outcome.is_ok() && got.is_empty(), "{what}: not empty");
        let bumped: HashSet<u32> = got.iter().map(|(k, _)| k.0).collect();
        assert_intact(&what, &mut map, n, &bumped);
    }
    // Still a working map: it grows, shrinks and drops.
    map.insert(K(n, false), value_of(n));
    assert_eq!(map.remove(&K(0, false)), Some(value_of(0)));
    assert_eq!(map.len(), n as usize);
    map.check_invariants().unwrap();
    drop(map);
}

/// `range` over the reversed bounds, walked three ways.
fn reversed_range<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> RMap<H, A, CAP>,
    n: u32,
) {
    let mut map = filled(make, n);
    let addrs = addresses(&map);
    for (how, plan) in PLANS {
        let what = format!("range({:?}) over {n} entries, {how}", reversed_bounds(n));
        let mut got: Vec<(K, *const u64)> = Vec::new();
        let mut wrong_values = 0;
        let outcome = quietly(|| {
            walk(map.range(reversed_bounds(n)), plan, n as usize, |(k, v)| {
                wrong_values += usize::from(*v != value_of(k.0));
                got.push((*k, std::ptr::from_ref(v)));
            })
        });
        eprintln!(
            "{what}: {}, {} items",
            if outcome.is_err() {
                "panicked"
            } else {
                "returned"
            },
            got.len()
        );
        check_yielded(&what, n, &got, &addrs);
        assert!(outcome.is_ok() && got.is_empty(), "{what}: not empty");
        assert_eq!(wrong_values, 0, "{what}: yielded values not their keys'");
        assert_intact(&what, &mut map, n, &HashSet::new());
    }
    assert_eq!(map.iter().count(), n as usize);
    map.check_invariants().unwrap();
    drop(map);
}

// ---------------------------------------------------------------------------
// 2. Chaotic `Ord`: counted keys and values, random answers
// ---------------------------------------------------------------------------

/// Live instances of one counted type: `live[id]` (ids are handed out in
/// order; a `Vec`, not a hash set, to keep Miri fast).
#[derive(Default)]
struct Ledger {
    live: Vec<bool>,
    count: usize,
    double_drops: usize,
}

/// How `Ck::cmp` answers during one operation.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// By key: a consistent order, the map's own.
    Consistent,
    /// By key, reversed: consistent, but opposite to the map's.
    Reversed,
    /// By a hash of the key and a salt: consistent, unrelated to the map's.
    Permuted(u32),
    /// Per mille of the answers at random (`Less`, `Equal`, `Greater`), the
    /// rest by key.
    Random(u64),
}

struct Chaos {
    mode: Mode,
    rng: XorShift,
    /// Comparisons that touched a dropped key.
    stale: usize,
}

thread_local! {
    static KEYS: RefCell<Ledger> = RefCell::new(Ledger::default());
    static VALS: RefCell<Ledger> = RefCell::new(Ledger::default());
    static CHAOS: RefCell<Chaos> = RefCell::new(Chaos {
        mode: Mode::Consistent,
        rng: XorShift::new(1),
        stale: 0,
    });
}

fn mint(ledger: &'static LocalKey<RefCell<Ledger>>) -> u64 {
    ledger.with(|l| {
        let mut l = l.borrow_mut();
        l.live.push(true);
        l.count += 1;
        l.live.len() as u64 - 1
    })
}

fn retire(ledger: &'static LocalKey<RefCell<Ledger>>, id: u64) {
    ledger.with(|l| {
        let mut l = l.borrow_mut();
        match l.live.get_mut(id as usize) {
            Some(alive) if *alive => {
                *alive = false;
                l.count -= 1;
            }
            _ => l.double_drops += 1,
        }
    });
}

fn alive(ledger: &'static LocalKey<RefCell<Ledger>>, id: u64) -> bool {
    ledger.with(|l| l.borrow().live.get(id as usize) == Some(&true))
}

fn live(ledger: &'static LocalKey<RefCell<Ledger>>) -> usize {
    ledger.with(|l| l.borrow().count)
}

fn double_drops() -> (usize, usize) {
    (
        KEYS.with(|l| l.borrow().double_drops),
        VALS.with(|l| l.borrow().double_drops),
    )
}

fn stale_compares() -> usize {
    CHAOS.with(|c| c.borrow().stale)
}

/// Fresh ledgers and a seeded answer source for this thread.
fn reset(seed: u64) {
    KEYS.with(|l| *l.borrow_mut() = Ledger::default());
    VALS.with(|l| *l.borrow_mut() = Ledger::default());
    CHAOS.with(|c| {
        *c.borrow_mut() = Chaos {
            mode: Mode::Consistent,
            rng: XorShift::new(seed ^ 0x5eed),
            stale: 0,
        }
    });
}

fn set_mode(mode: Mode) {
    CHAOS.with(|c| c.borrow_mut().mode = mode);
}

/// A mode for the next operation: consistent half the time.
fn pick_mode(rng: &mut XorShift) -> Mode {
    match rng.below(20) {
        0..=9 => Mode::Consistent,
        10..=11 => Mode::Reversed,
        12..=13 => Mode::Permuted(rng.next_u64() as u32),
        14..=15 => Mode::Random(20),
        16..=18 => Mode::Random(200),
        _ => Mode::Random(1000),
    }
}

/// A counted key whose `cmp` answers as the thread's current [`Mode`] says.
struct Ck {
    key: u32,
    id: u64,
}

impl Ck {
    fn new(key: u32) -> Ck {
        Ck {
            key,
            id: mint(&KEYS),
        }
    }
}

impl Clone for Ck {
    fn clone(&self) -> Ck {
        Ck::new(self.key)
    }
}

impl Drop for Ck {
    fn drop(&mut self) {
        retire(&KEYS, self.id);
    }
}

impl std::fmt::Debug for Ck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.key, self.id)
    }
}

fn scramble(key: u32, salt: u32) -> u64 {
    (u64::from(key ^ salt)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 7
}

impl Ord for Ck {
    fn cmp(&self, other: &Self) -> Ordering {
        let fresh = alive(&KEYS, self.id) && alive(&KEYS, other.id);
        CHAOS.with(|c| {
            let mut c = c.borrow_mut();
            if !fresh {
                c.stale += 1;
            }
            let (a, b) = (self.key, other.key);
            match c.mode {
                Mode::Consistent => a.cmp(&b),
                Mode::Reversed => b.cmp(&a),
                Mode::Permuted(salt) => (scramble(a, salt), a).cmp(&(scramble(b, salt), b)),
                Mode::Random(per_mille) => {
                    if c.rng.below(1000) < per_mille {
                        [Ordering::Less, Ordering::Equal, Ordering::Greater]
                            [c.rng.below(3) as usize]
                    } else {
                        a.cmp(&b)
                    }
                }
            }
        })
    }
}

impl PartialOrd for Ck {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ck {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ck {}

/// A counted value.
struct Cv {
    v: u64,
    id: u64,
}

impl Cv {
    fn new(v: u64) -> Cv {
        Cv { v, id: mint(&VALS) }
    }
}

impl Clone for Cv {
    fn clone(&self) -> Cv {
        Cv::new(self.v)
    }
}

impl Drop for Cv {
    fn drop(&mut self) {
        retire(&VALS, self.id);
    }
}

impl PartialEq for Cv {
    fn eq(&self, other: &Self) -> bool {
        self.v == other.v
    }
}

type CMap<H, A, const CAP: usize> = BPlusTreeMap<Ck, Cv, H, A, CAP>;
type CSet<H, A, const CAP: usize> = BPlusTreeSet<Ck, H, A, CAP>;

/// Operations per case and cases per configuration, and the key space.
const OPS: usize = if cfg!(miri) { 12 } else { 600 };
const CASES: u64 = if cfg!(miri) { 1 } else { 5 };
const SPACE: u32 = if cfg!(miri) { 40 } else { 300 };

fn key(rng: &mut XorShift) -> Ck {
    Ck::new(rng.below(u64::from(SPACE)) as u32)
}

fn bound(rng: &mut XorShift) -> Bound<Ck> {
    match rng.below(5) {
        0 => Unbounded,
        1 | 2 => Included(key(rng)),
        _ => Excluded(key(rng)),
    }
}

fn bounds(rng: &mut XorShift) -> (Bound<Ck>, Bound<Ck>) {
    (bound(rng), bound(rng))
}

/// What an item of the map is: key id, value id, value address.
type Seen = (u64, u64, *const Cv);

/// The key id of a [`Seen`] whose key the iterator did not show.
const NO_KEY: u64 = u64::MAX;

fn seen(k: &Ck, v: &Cv) -> Seen {
    (k.id, v.id, std::ptr::from_ref(v))
}

/// A failure found while an operation ran (reported after it, so that the
/// operation's `catch_unwind` cannot swallow it).
struct Errors(Vec<String>);

impl Errors {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    /// Items of one walk over a map of `len` entries, shared or mutable:
    /// each an entry of the map (by value address, when `addrs` is known),
    /// alive, and none twice.
    fn walked(
        &mut self,
        what: &str,
        items: &[Seen],
        len: usize,
        addrs: Option<&HashSet<*const Cv>>,
    ) {
        self.check(items.len() <= len, || {
            format!("{what}: {} items from a map of {len}", items.len())
        });
        let ptrs: Vec<*const Cv> = items.iter().map(|s| s.2).collect();
        self.check(duplicates(&ptrs) == 0, || {
            format!("{what}: an entry yielded twice")
        });
        for &(k, v, p) in items {
            self.check((k == NO_KEY || alive(&KEYS, k)) && alive(&VALS, v), || {
                format!("{what}: yielded a dropped key or value ({k}, {v})")
            });
            if let Some(addrs) = addrs {
                self.check(addrs.contains(&p), || {
                    format!("{what}: yielded a value that is not in the map")
                });
            }
        }
    }
}

fn value_addrs<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &CMap<H, A, CAP>,
) -> HashSet<*const Cv> {
    map.iter()
        .take(map.len())
        .map(|(_, v)| std::ptr::from_ref(v))
        .collect()
}

/// The map after an operation: `len` matches iteration every way, each
/// entry once and alive, `iter_mut` and `values_mut` agree with `iter`.
fn check_map<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &mut CMap<H, A, CAP>,
) -> Result<(), String> {
    let n = map.len();
    let fwd: Vec<Seen> = map.iter().take(n + 1).map(|(k, v)| seen(k, v)).collect();
    if fwd.len() != n {
        return Err(format!("len {n}, but iter yields {}", fwd.len()));
    }
    let mut bwd: Vec<Seen> = map
        .iter()
        .rev()
        .take(n + 1)
        .map(|(k, v)| seen(k, v))
        .collect();
    bwd.reverse();
    if bwd != fwd {
        return Err(format!(
            "iter().rev() ({} items) is not iter() reversed ({n})",
            bwd.len()
        ));
    }
    let (mut front, mut back) = (Vec::new(), Vec::new());
    let mut it = map.iter();
    for i in 0..=n {
        let item = if i % 2 == 1 {
            it.next_back()
        } else {
            it.next()
        };
        match item {
            Some((k, v)) if i % 2 == 1 => back.push(seen(k, v)),
            Some((k, v)) => front.push(seen(k, v)),
            None => break,
        }
    }
    front.extend(back.into_iter().rev());
    if front != fwd {
        return Err("alternating next/next_back differs from iter()".into());
    }
    let all: Vec<Seen> = map
        .range::<Ck, _>(..)
        .take(n + 1)
        .map(|(k, v)| seen(k, v))
        .collect();
    if all != fwd {
        return Err("range(..) differs from iter()".into());
    }
    // `fold` walks whole leaves (and asks for the next one ahead).
    let gather = |mut v: Vec<Seen>, (k, val): (&Ck, &Cv)| {
        v.push(seen(k, val));
        v
    };
    if map.iter().fold(Vec::new(), gather) != fwd
        || map.range::<Ck, _>(..).fold(Vec::new(), gather) != fwd
    {
        return Err("fold differs from iter()".into());
    }
    if map.iter().len() != n || map.keys().len() != n || map.values().len() != n {
        return Err("an ExactSizeIterator's len differs from the map's".into());
    }
    if map.is_empty() != (n == 0) {
        return Err("is_empty disagrees with len".into());
    }
    if map.first_key_value().map(|(k, v)| seen(k, v)) != fwd.first().copied()
        || map.last_key_value().map(|(k, v)| seen(k, v)) != fwd.last().copied()
    {
        return Err("first/last_key_value are not iter's ends".into());
    }
    let keys: Vec<u64> = fwd.iter().map(|s| s.0).collect();
    let vals: Vec<u64> = fwd.iter().map(|s| s.1).collect();
    let ptrs: Vec<*const Cv> = fwd.iter().map(|s| s.2).collect();
    if duplicates(&keys) + duplicates(&vals) + duplicates(&ptrs) != 0 {
        return Err("an entry appears twice".into());
    }
    if let Some(s) = fwd
        .iter()
        .find(|s| !alive(&KEYS, s.0) || !alive(&VALS, s.1))
    {
        return Err(format!("the map holds a dropped key or value: {s:?}"));
    }
    let muts: Vec<*const Cv> = map
        .iter_mut()
        .take(n + 1)
        .map(|(_, v)| std::ptr::from_ref::<Cv>(v))
        .collect();
    if muts != ptrs {
        return Err("iter_mut differs from iter".into());
    }
    let muts: Vec<*const Cv> = map
        .values_mut()
        .rev()
        .take(n + 1)
        .map(|v| std::ptr::from_ref::<Cv>(v))
        .collect();
    if muts.into_iter().rev().ne(ptrs.iter().copied()) {
        return Err("values_mut().rev() differs from iter".into());
    }
    Ok(())
}

/// The operations of the chaotic map test, by weight.
const MAP_OPS: [(u64, &str); 26] = [
    (30, "insert"),
    (4, "checked_insert"),
    (10, "remove"),
    (4, "remove_entry"),
    (8, "get"),
    (5, "get_mut"),
    (10, "entry"),
    (3, "first/last_entry"),
    (15, "range"),
    (15, "range_mut"),
    (3, "iter"),
    (3, "iter_mut"),
    (2, "into_iter of a clone"),
    (2, "into_iter, rest collected"),
    (3, "first/last_key_value"),
    (5, "pop_first/pop_last"),
    (2, "retain"),
    (4, "extract_if"),
    (2, "append"),
    (2, "split_off"),
    (2, "clone"),
    (8, "cursor_mut"),
    (3, "cursor"),
    (2, "extend"),
    (1, "from_sorted_iter"),
    (1, "clear"),
];

fn pick(rng: &mut XorShift, table: &[(u64, &'static str)]) -> &'static str {
    let total: u64 = table.iter().map(|w| w.0).sum();
    let mut r = rng.below(total);
    for &(w, name) in table {
        if r < w {
            return name;
        }
        r -= w;
    }
    unreachable!()
}

/// One operation on the map; failures go to `errs`.
fn map_op<H: Handle, A: ArenaStrategy, const CAP: usize>(
    op: &str,
    map: &mut CMap<H, A, CAP>,
    make: fn() -> CMap<H, A, CAP>,
    rng: &mut XorShift,
    errs: &mut Errors,
) {
    let n = map.len();
    match op {
        "insert" => {
            let v = rng.next_u64();
            drop(map.insert(key(rng), Cv::new(v)));
        }
        "checked_insert" => {
            let v = rng.next_u64();
            drop(map.checked_insert(key(rng), Cv::new(v)));
        }
        "remove" => drop(map.remove(&key(rng))),
        "remove_entry" => drop(map.remove_entry(&key(rng))),
        "get" => {
            let addrs = value_addrs(map);
            let k = key(rng);
            if let Some(v) = map.get(&k) {
                errs.check(addrs.contains(&std::ptr::from_ref(v)), || {
                    "get: not an entry".into()
                });
            }
            if let Some((k, v)) = map.get_key_value(&k) {
                errs.walked("get_key_value", &[seen(k, v)], n, Some(&addrs));
            }
            let _ = map.contains_key(&k);
        }
        "get_mut" => {
            let addrs = value_addrs(map);
            if let Some(v) = map.get_mut(&key(rng)) {
                v.v = v.v.wrapping_add(1);
                errs.check(addrs.contains(&std::ptr::from_ref::<Cv>(v)), || {
                    "get_mut: not an entry".into()
                });
            }
        }
        "entry" => {
            let how = rng.below(4);
            let v = rng.next_u64();
            match how {
                0 => {
                    let r = map.entry(key(rng)).or_insert(Cv::new(v));
                    r.v = r.v.wrapping_add(1);
                }
                1 => {
                    let r = map
                        .entry(key(rng))
                        .and_modify(|x| x.v = x.v.wrapping_add(1))
                        .or_insert_with(|| Cv::new(v));
                    r.v = r.v.wrapping_add(1);
                }
                _ => match map.entry(key(rng)) {
                    Entry::Occupied(mut e) => match rng.below(4) {
                        0 => drop(e.remove_entry()),
                        1 => drop(e.remove()),
                        2 => drop(e.insert(Cv::new(v))),
                        _ => {
                            let x = e.get_mut();
                            x.v = x.v.wrapping_add(1);
                        }
                    },
                    Entry::Vacant(e) => {
                        if how == 2 {
                            let _ = e.insert(Cv::new(v));
                        } else {
                            let e = e.insert_entry(Cv::new(v));
                            if rng.below(2) == 0 {
                                drop(e.remove_entry());
                            }
                        }
                    }
                },
            }
        }
        "first/last_entry" => {
            let e = if rng.below(2) == 0 {
                map.first_entry()
            } else {
                map.last_entry()
            };
            if let Some(e) = e {
                drop(e.remove_entry());
            }
        }
        "range" => {
            let addrs = value_addrs(map);
            let plan = rng.next_u64();
            let (lo, hi) = bounds(rng);
            let mut items = Vec::new();
            if rng.below(2) == 0 {
                walk(map.range((lo, hi)), plan, n, |(k, v)| {
                    items.push(seen(k, v))
                });
            } else {
                let r = (lo.as_ref(), hi.as_ref());
                walk(map.range::<Ck, _>(r), plan, n, |(k, v)| {
                    items.push(seen(k, v))
                });
            }
            errs.walked("range", &items, n, Some(&addrs));
        }
        "range_mut" => {
            let addrs = value_addrs(map);
            let plan = rng.next_u64();
            let range = bounds(rng);
            let mut items = Vec::new();
            walk(map.range_mut(range), plan, n, |(k, v)| {
                v.v = v.v.wrapping_add(1);
                items.push(seen(k, v));
            });
            errs.walked("range_mut", &items, n, Some(&addrs));
        }
        "iter" => {
            let plan = rng.next_u64();
            let mut items = Vec::new();
            match rng.below(3) {
                0 => walk(map.iter(), plan, n, |(k, v)| items.push(seen(k, v))),
                1 => walk(map.keys().zip(map.values()), 0, n, |(k, v)| {
                    items.push(seen(k, v))
                }),
                _ => walk(map.keys().rev().zip(map.values().rev()), 0, n, |(k, v)| {
                    items.push(seen(k, v))
                }),
            };
            errs.check(items.len() == n, || {
                format!("iter: {} of {n} items", items.len())
            });
            errs.walked("iter", &items, n, None);
        }
        "iter_mut" => {
            let addrs = value_addrs(map);
            let plan = rng.next_u64();
            let mut items = Vec::new();
            if rng.below(2) == 0 {
                walk(map.iter_mut(), plan, n, |(k, v)| {
                    v.v = v.v.wrapping_add(1);
                    items.push(seen(k, v));
                });
            } else {
                walk(map.values_mut(), plan, n, |v| {
                    v.v = v.v.wrapping_add(1);
                    items.push((NO_KEY, v.id, std::ptr::from_ref::<Cv>(v)));
                });
            }
            errs.check(items.len() == n, || {
                format!("iter_mut: {} of {n} items", items.len())
            });
            errs.walked("iter_mut", &items, n, Some(&addrs));
        }
        "into_iter of a clone" => {
            let copy = map.clone();
            let take = rng.below(n as u64 + 2) as usize;
            let plan = rng.next_u64();
            let mut it = copy.into_iter();
            let mut ids = Vec::new();
            for i in 0..take {
                let item = if from_back(plan, i) {
                    it.next_back()
                } else {
                    it.next()
                };
                let Some((k, v)) = item else { break };
                ids.push(k.id);
                errs.check(alive(&KEYS, k.id) && alive(&VALS, v.id), || {
                    "into_iter: yielded a dropped instance".into()
                });
            }
            errs.check(duplicates(&ids) == 0, || "into_iter: an entry twice".into());
            errs.check(it.len() == n - ids.len(), || {
                format!("into_iter: {} left after {} of {n}", it.len(), ids.len())
            });
            drop(it);
        }
        "into_iter, rest collected" => {
            let take = rng.below(n as u64 / 4 + 2) as usize;
            let plan = rng.next_u64();
            let mut it = std::mem::take(map).into_iter();
            for i in 0..take {
                let item = if from_back(plan, i) {
                    it.next_back()
                } else {
                    it.next()
                };
                drop(item);
            }
            *map = it.collect();
        }
        "first/last_key_value" => {
            let addrs = value_addrs(map);
            let mut items = Vec::new();
            items.extend(map.first_key_value().map(|(k, v)| seen(k, v)));
            items.extend(map.last_key_value().map(|(k, v)| seen(k, v)));
            items.dedup();
            errs.walked("first/last_key_value", &items, n, Some(&addrs));
        }
        "pop_first/pop_last" => {
            let popped = if rng.below(2) == 0 {
                map.pop_first()
            } else {
                map.pop_last()
            };
            errs.check(popped.is_some() == (n > 0), || {
                "pop: wrong emptiness".into()
            });
            if let Some((k, v)) = popped {
                errs.check(alive(&KEYS, k.id) && alive(&VALS, v.id), || {
                    "pop: a dropped instance".into()
                });
            }
        }
        "retain" => {
            let modulus = rng.below(4) + 2;
            // Entries shift as others go, so addresses may repeat: count
            // value instances, and check them alive when the predicate
            // sees them.
            let (mut visited, mut stale) = (Vec::new(), 0);
            map.retain(|k, v| {
                visited.push(v.id);
                stale += usize::from(!alive(&KEYS, k.id) || !alive(&VALS, v.id));
                v.v = v.v.wrapping_add(1);
                u64::from(k.key) % modulus != 0
            });
            errs.check(visited.len() <= n, || {
                "retain: more entries than the map".into()
            });
            errs.check(duplicates(&visited) == 0, || {
                "retain: an entry visited twice".into()
            });
            errs.check(stale == 0, || {
                "retain: the predicate saw a dropped instance".into()
            });
        }
        "extract_if" => {
            let modulus = rng.below(3) + 1;
            let limit = rng.below(n as u64 + 2) as usize;
            let range = bounds(rng);
            let mut out_ids = Vec::new();
            let mut extracted = 0;
            let (mut visited, mut stale) = (Vec::new(), 0);
            for (k, v) in map
                .extract_if(range, |k, v| {
                    visited.push(v.id);
                    stale += usize::from(!alive(&KEYS, k.id) || !alive(&VALS, v.id));
                    v.v = v.v.wrapping_add(1);
                    u64::from(k.key) % modulus == 0
                })
                .take(limit)
            {
                out_ids.push((k.id, v.id));
                extracted += 1;
            }
            errs.check(duplicates(&out_ids) == 0, || {
                "extract_if: an entry twice".into()
            });
            errs.check(extracted <= n, || {
                "extract_if: more entries than the map had".into()
            });
            errs.check(visited.len() <= n && duplicates(&visited) == 0, || {
                "extract_if: the predicate saw an entry twice".into()
            });
            errs.check(stale == 0, || {
                "extract_if: the predicate saw a dropped instance".into()
            });
        }
        "append" => {
            let mut other = make();
            for _ in 0..rng.below(u64::from(SPACE) / 2) {
                let v = rng.next_u64();
                other.insert(key(rng), Cv::new(v));
            }
            let m = other.len();
            map.append(&mut other);
            errs.check(other.is_empty(), || "append: other not emptied".into());
            errs.check(map.len() <= n + m, || {
                "append: more entries than both had".into()
            });
        }
        "split_off" => {
            let at = key(rng);
            let mut right = map.split_off(&at);
            errs.check(map.len() + right.len() == n, || {
                format!("split_off: {} + {} of {n}", map.len(), right.len())
            });
            match rng.below(3) {
                0 => drop(right),
                1 => std::mem::swap(map, &mut right),
                _ => map.append(&mut right),
            }
        }
        "clone" => {
            let copy = map.clone();
            let ours: Vec<u32> = map.keys().map(|k| k.key).collect();
            let theirs: Vec<u32> = copy.keys().map(|k| k.key).collect();
            errs.check(ours == theirs, || "clone: other keys or order".into());
            let _ = copy == *map;
            if rng.below(2) == 0 {
                *map = copy;
            }
        }
        "cursor_mut" => cursor_mut_op(map, rng, errs),
        "cursor" => {
            let addrs = value_addrs(map);
            let b = bound(rng);
            let mut c = if rng.below(2) == 0 {
                map.lower_bound(b.as_ref())
            } else {
                map.upper_bound(b.as_ref())
            };
            let mut fwd = Vec::new();
            while fwd.len() <= n {
                let peeked = c.peek_next().map(|(k, v)| seen(k, v));
                let Some((k, v)) = c.next() else { break };
                errs.check(peeked == Some(seen(k, v)), || {
                    "cursor: peek_next is not next".into()
                });
                fwd.push(seen(k, v));
            }
            errs.walked("cursor next", &fwd, n, Some(&addrs));
            let mut bwd = Vec::new();
            while bwd.len() <= n {
                let peeked = c.peek_prev().map(|(k, v)| seen(k, v));
                let Some((k, v)) = c.prev() else { break };
                errs.check(peeked == Some(seen(k, v)), || {
                    "cursor: peek_prev is not prev".into()
                });
                bwd.push(seen(k, v));
            }
            errs.walked("cursor prev", &bwd, n, Some(&addrs));
            errs.check(bwd.len() == n, || {
                format!("cursor: prev from the end reached {} of {n}", bwd.len())
            });
        }
        "extend" => {
            let items: Vec<(Ck, Cv)> = (0..rng.below(20))
                .map(|_| (key(rng), Cv::new(rng.next_u64())))
                .collect();
            map.extend(items);
        }
        "from_sorted_iter" => {
            let entries: Vec<(Ck, Cv)> = std::mem::take(map).into_iter().collect();
            let keys: Vec<u32> = entries.iter().map(|(k, _)| k.key).collect();
            match CMap::<H, A, CAP>::from_sorted_iter(entries) {
                Some(built) => {
                    let got: Vec<u32> = built.keys().map(|k| k.key).collect();
                    errs.check(got == keys, || "from_sorted_iter: other keys".into());
                    *map = built;
                }
                None => {
                    let mut fresh = make();
                    for k in keys {
                        fresh.insert(Ck::new(k), Cv::new(0));
                    }
                    *map = fresh;
                }
            }
        }
        "clear" => {
            map.clear();
            errs.check(map.is_empty(), || "clear: not empty".into());
        }
        other => unreachable!("{other}"),
    }
}

/// A random walk of a mutable cursor: moves, peeks, checked and unchecked
/// insertions, removals. A run of moves one way never meets an entry twice;
/// a peek shows what the move then yields; an inserted entry is next to the
/// cursor on the side the method names.
fn cursor_mut_op<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &mut CMap<H, A, CAP>,
    rng: &mut XorShift,
    errs: &mut Errors,
) {
    let n = map.len();
    let b = bound(rng);
    let mut c = if rng.below(2) == 0 {
        map.lower_bound_mut(b.as_ref())
    } else {
        map.upper_bound_mut(b.as_ref())
    };
    let mut size = n;
    // The current run of moves: direction (true = next) and what it met.
    let mut run: (bool, Vec<Seen>) = (true, Vec::new());
    for _ in 0..rng.below(30) {
        match rng.below(14) {
            0..=3 => {
                let forward = rng.below(2) == 0;
                let peeked = if forward {
                    c.peek_next().map(|(k, v)| seen(k, v))
                } else {
                    c.peek_prev().map(|(k, v)| seen(k, v))
                };
                let got = if forward { c.next() } else { c.prev() };
                let got = got.map(|(k, v)| {
                    v.v = v.v.wrapping_add(1);
                    seen(k, v)
                });
                errs.check(peeked == got, || {
                    "cursor_mut: a peek is not the move".into()
                });
                if run.0 != forward {
                    run = (forward, Vec::new());
                }
                if let Some(s) = got {
                    run.1.push(s);
                    errs.walked("cursor_mut run", &run.1, size, None);
                    // Back and forth again: the same entry.
                    if rng.below(4) == 0 {
                        let back = if forward { c.prev() } else { c.next() };
                        let back = back.map(|(k, v)| seen(k, v));
                        errs.check(back == got, || "cursor_mut: a move undone differs".into());
                        let again = if forward { c.next() } else { c.prev() };
                        let again = again.map(|(k, v)| seen(k, v));
                        errs.check(again == got, || "cursor_mut: a move redone differs".into());
                    }
                }
            }
            4..=8 => {
                let k = key(rng);
                let v = Cv::new(rng.next_u64());
                let (kid, vid) = (k.id, v.id);
                let after = rng.below(2) == 0;
                let inserted = match rng.below(3) {
                    0 if after => {
                        c.insert_after_unchecked(k, v);
                        true
                    }
                    0 => {
                        c.insert_before_unchecked(k, v);
                        true
                    }
                    _ if after => c.insert_after(k, v).is_ok(),
                    _ => c.insert_before(k, v).is_ok(),
                };
                if inserted {
                    size += 1;
                    let beside = if after { c.peek_next() } else { c.peek_prev() };
                    // An equal key in the map keeps its key and takes the
                    // new value: the value is beside the cursor either way.
                    let beside = beside.map(|(_, v)| v.id);
                    errs.check(beside == Some(vid), || {
                        format!(
                            "cursor_mut: the value inserted {} the cursor is not there",
                            if after { "after" } else { "before" }
                        )
                    });
                } else {
                    errs.check(!alive(&KEYS, kid) && !alive(&VALS, vid), || {
                        "cursor_mut: a refused key lives on".into()
                    });
                }
                run.1.clear();
            }
            9..=11 => {
                let removed = if rng.below(2) == 0 {
                    c.remove_next()
                } else {
                    c.remove_prev()
                };
                if let Some((k, v)) = removed {
                    size -= 1;
                    errs.check(alive(&KEYS, k.id) && alive(&VALS, v.id), || {
                        "cursor_mut: removed a dropped instance".into()
                    });
                }
                run.1.clear();
            }
            _ => {
                let view = c.as_cursor();
                let p = view.peek_prev().map(|(k, v)| seen(k, v));
                let q = view.peek_next().map(|(k, v)| seen(k, v));
                if let (Some(p), Some(q)) = (p, q) {
                    errs.check(p != q, || "cursor: one entry on both sides".into());
                }
            }
        }
    }
}

/// The live counts that a map of `len` entries explains: exactly its
/// values, at least its keys (branches hold clones as separators).
fn check_counts(len: usize) -> Result<(), String> {
    let (kd, vd) = double_drops();
    if kd + vd != 0 {
        return Err(format!("double drops: {kd} keys, {vd} values"));
    }
    if stale_compares() != 0 {
        return Err(format!("{} comparisons of dropped keys", stale_compares()));
    }
    if live(&VALS) != len {
        return Err(format!(
            "{} values alive for a map of {len} (leaked or lost)",
            live(&VALS)
        ));
    }
    if live(&KEYS) < len {
        return Err(format!("{} keys alive for a map of {len}", live(&KEYS)));
    }
    Ok(())
}

fn chaotic_map<H: Handle, A: ArenaStrategy, const CAP: usize>(
    name: &str,
    make: fn() -> CMap<H, A, CAP>,
) {
    chaotic(name, "map", make, &MAP_OPS, map_op, |map| {
        check_map(map)?;
        check_counts(map.len())
    });
}

// ---------------------------------------------------------------------------
// The set under chaotic `Ord`
// ---------------------------------------------------------------------------

/// The set after an operation: `len` matches iteration both ways, each
/// element once and alive.
fn check_set<H: Handle, A: ArenaStrategy, const CAP: usize>(
    set: &CSet<H, A, CAP>,
) -> Result<(), String> {
    let n = set.len();
    let fwd: Vec<u64> = set.iter().take(n + 1).map(|k| k.id).collect();
    if fwd.len() != n {
        return Err(format!("len {n}, but iter yields {}", fwd.len()));
    }
    let mut bwd: Vec<u64> = set.iter().rev().take(n + 1).map(|k| k.id).collect();
    bwd.reverse();
    if bwd != fwd {
        return Err("iter().rev() is not iter() reversed".into());
    }
    let all: Vec<u64> = set
        .range::<Ck, _>(..)
        .rev()
        .take(n + 1)
        .map(|k| k.id)
        .collect();
    if all.into_iter().rev().ne(fwd.iter().copied()) {
        return Err("range(..).rev() differs from iter()".into());
    }
    if set.iter().len() != n {
        return Err("iter().len() differs from len()".into());
    }
    if set.first().map(|k| k.id) != fwd.first().copied()
        || set.last().map(|k| k.id) != fwd.last().copied()
    {
        return Err("first/last are not iter's ends".into());
    }
    if duplicates(&fwd) != 0 {
        return Err("an element appears twice".into());
    }
    if fwd.iter().any(|&id| !alive(&KEYS, id)) {
        return Err("the set holds a dropped element".into());
    }
    Ok(())
}

const SET_OPS: [(u64, &str); 19] = [
    (30, "insert"),
    (3, "replace"),
    (10, "remove"),
    (3, "take"),
    (6, "contains/get"),
    (15, "range"),
    (3, "iter"),
    (3, "into_iter"),
    (5, "pop_first/pop_last"),
    (8, "union/intersection/difference"),
    (2, "subset/disjoint"),
    (2, "retain"),
    (4, "extract_if"),
    (2, "append"),
    (2, "split_off"),
    (2, "clone"),
    (2, "extend"),
    (1, "clear"),
    (1, "first/last"),
];

fn set_op<H: Handle, A: ArenaStrategy, const CAP: usize>(
    op: &str,
    set: &mut CSet<H, A, CAP>,
    make: fn() -> CSet<H, A, CAP>,
    rng: &mut XorShift,
    errs: &mut Errors,
) {
    let n = set.len();
    let elements = |set: &CSet<H, A, CAP>| -> HashSet<u64> { set.iter().map(|k| k.id).collect() };
    let random_set = |rng: &mut XorShift| {
        let mut other = make();
        for _ in 0..rng.below(u64::from(SPACE) / 2) {
            other.insert(key(rng));
        }
        other
    };
    match op {
        "insert" => {
            let _ = set.insert(key(rng));
        }
        "replace" => drop(set.replace(key(rng))),
        "remove" => {
            let _ = set.remove(&key(rng));
        }
        "take" => {
            if let Some(k) = set.take(&key(rng)) {
                errs.check(alive(&KEYS, k.id), || "take: a dropped element".into());
            }
        }
        "contains/get" => {
            let ids = elements(set);
            let k = key(rng);
            let _ = set.contains(&k);
            if let Some(got) = set.get(&k) {
                errs.check(ids.contains(&got.id), || "get: not an element".into());
            }
        }
        "range" => {
            let ids = elements(set);
            let plan = rng.next_u64();
            let range = bounds(rng);
            let mut got = Vec::new();
            walk(set.range(range), plan, n, |k| got.push(k.id));
            errs.check(got.len() <= n, || {
                "range: more elements than the set".into()
            });
            errs.check(duplicates(&got) == 0, || "range: an element twice".into());
            errs.check(got.iter().all(|id| ids.contains(id)), || {
                "range: not an element".into()
            });
        }
        "iter" => {
            let plan = rng.next_u64();
            let mut got = Vec::new();
            walk(set.iter(), plan, n, |k| got.push(k.id));
            errs.check(got.len() == n && duplicates(&got) == 0, || {
                "iter: not each once".into()
            });
        }
        "into_iter" => {
            let copy = set.clone();
            let plan = rng.next_u64();
            let take = rng.below(n as u64 + 2) as usize;
            let mut it = copy.into_iter();
            let mut got = Vec::new();
            for i in 0..take {
                let item = if from_back(plan, i) {
                    it.next_back()
                } else {
                    it.next()
                };
                let Some(k) = item else { break };
                got.push(k.id);
            }
            errs.check(duplicates(&got) == 0, || {
                "into_iter: an element twice".into()
            });
            drop(it);
        }
        "pop_first/pop_last" => {
            let popped = if rng.below(2) == 0 {
                set.pop_first()
            } else {
                set.pop_last()
            };
            errs.check(popped.is_some() == (n > 0), || {
                "pop: wrong emptiness".into()
            });
        }
        "union/intersection/difference" => {
            let other = random_set(rng);
            let (a, b) = (elements(set), elements(&other));
            let limit = n + other.len();
            let mut got = Vec::new();
            let take = rng.below(limit as u64 + 2) as usize;
            let flip = rng.below(2) == 0;
            let (x, y) = if flip {
                (&other, &*set)
            } else {
                (&*set, &other)
            };
            match rng.below(4) {
                0 => got.extend(x.union(y).take(take.min(limit + 1)).map(|k| k.id)),
                1 => got.extend(x.intersection(y).take(take.min(limit + 1)).map(|k| k.id)),
                2 => got.extend(x.difference(y).take(take.min(limit + 1)).map(|k| k.id)),
                _ => got.extend(
                    x.symmetric_difference(y)
                        .take(take.min(limit + 1))
                        .map(|k| k.id),
                ),
            }
            errs.check(got.len() <= limit, || {
                "set algebra: more than both sets".into()
            });
            errs.check(
                got.iter().all(|id| a.contains(id) || b.contains(id)),
                || "set algebra: an element of neither set".into(),
            );
            errs.check(duplicates(&got) == 0, || {
                "set algebra: one instance twice".into()
            });
        }
        "subset/disjoint" => {
            let other = random_set(rng);
            let _ = (
                set.is_subset(&other),
                set.is_superset(&other),
                set.is_disjoint(&other),
                other.is_subset(set),
            );
        }
        "retain" => {
            let modulus = rng.below(4) + 2;
            let mut visited = Vec::new();
            set.retain(|k| {
                visited.push(k.id);
                u64::from(k.key) % modulus != 0
            });
            errs.check(visited.len() <= n && duplicates(&visited) == 0, || {
                "retain: an element visited twice".into()
            });
        }
        "extract_if" => {
            let modulus = rng.below(3) + 1;
            let limit = rng.below(n as u64 + 2) as usize;
            let range = bounds(rng);
            let got: Vec<u64> = set
                .extract_if(range, |k| u64::from(k.key) % modulus == 0)
                .take(limit)
                .map(|k| k.id)
                .collect();
            errs.check(got.len() <= n && duplicates(&got) == 0, || {
                "extract_if: an element twice".into()
            });
        }
        "append" => {
            let mut other = random_set(rng);
            set.append(&mut other);
            errs.check(other.is_empty(), || "append: other not emptied".into());
        }
        "split_off" => {
            let mut right = set.split_off(&key(rng));
            errs.check(set.len() + right.len() == n, || {
                "split_off: lost elements".into()
            });
            match rng.below(3) {
                0 => drop(right),
                1 => std::mem::swap(set, &mut right),
                _ => set.append(&mut right),
            }
        }
        "clone" => {
            let copy = set.clone();
            let ours: Vec<u32> = set.iter().map(|k| k.key).collect();
            let theirs: Vec<u32> = copy.iter().map(|k| k.key).collect();
            errs.check(ours == theirs, || "clone: other elements or order".into());
            let _ = copy == *set;
            let _ = copy.partial_cmp(set);
            if rng.below(2) == 0 {
                *set = copy;
            }
        }
        "extend" => {
            let items: Vec<Ck> = (0..rng.below(20)).map(|_| key(rng)).collect();
            set.extend(items);
        }
        "clear" => set.clear(),
        "first/last" => {
            let ids = elements(set);
            for k in [set.first(), set.last()].into_iter().flatten() {
                errs.check(ids.contains(&k.id), || "first/last: not an element".into());
            }
        }
        other => unreachable!("{other}"),
    }
}

fn chaotic_set<H: Handle, A: ArenaStrategy, const CAP: usize>(
    name: &str,
    make: fn() -> CSet<H, A, CAP>,
) {
    chaotic(name, "set", make, &SET_OPS, set_op, |set| {
        check_set(set)?;
        check_counts(0)?;
        if live(&KEYS) < set.len() {
            return Err("elements lost".to_string());
        }
        Ok(())
    });
}

/// One operation on a map or set, by name (`map_op`, `set_op`).
type Apply<T> = fn(&str, &mut T, fn() -> T, &mut XorShift, &mut Errors);

/// The chaotic-`Ord` driver shared by maps and sets: `CASES` seeded runs
/// of `OPS` operations picked from `ops` and applied by `apply` (each under
/// `catch_unwind`, with a random `Ord` mode), `check` after every one, and
/// at the end every key dropped.
fn chaotic<T>(
    name: &str,
    what: &str,
    make: fn() -> T,
    ops: &[(u64, &'static str)],
    apply: Apply<T>,
    check: impl Fn(&mut T) -> Result<(), String>,
) {
    let mut panics = 0;
    for case in 0..CASES {
        let seed = seed_of(name) ^ case;
        reset(seed);
        let mut rng = XorShift::new(seed);
        let mut coll = make();
        let mut history: Vec<&str> = Vec::new();
        for step in 0..OPS {
            let op = pick(&mut rng, ops);
            history.push(op);
            let mode = pick_mode(&mut rng);
            let mut errs = Errors(Vec::new());
            set_mode(mode);
            let outcome = quietly(|| apply(op, &mut coll, make, &mut rng, &mut errs));
            set_mode(Mode::Consistent);
            panics += usize::from(outcome.is_err());
            let at = || {
                let from = history.len().saturating_sub(8);
                format!(
                    "{name}, seed {seed:#x}, step {step}: {op} ({mode:?}); last ops {:?}",
                    &history[from..]
                )
            };
            assert!(errs.0.is_empty(), "{}: {:?}", at(), errs.0);
            if let Err(e) = check(&mut coll) {
                panic!("{}: {e}", at());
            }
        }
        drop(coll);
        if let Err(e) = check_counts(0) {
            panic!("{name}, seed {seed:#x}, after dropping the {what}: {e}");
        }
        assert_eq!(live(&KEYS), 0, "{name}, seed {seed:#x}: keys leaked");
    }
    eprintln!(
        "{name}: {} {what} ops, {panics} panicked",
        CASES as usize * OPS
    );
}

// ---------------------------------------------------------------------------
// 3. Two threads reading one map
// ---------------------------------------------------------------------------

/// Entries of the shared maps: several leaves at capacity 4 (and, outside
/// Miri, at 64).
const SHARED: u32 = if cfg!(miri) { 24 } else { 300 };
const ROUNDS: usize = if cfg!(miri) { 1 } else { 20 };

fn two_threads<H: Handle, A: ArenaStrategy, const CAP: usize>(
    make: fn() -> BPlusTreeMap<u32, u32, H, A, CAP>,
) where
    BPlusTreeMap<u32, u32, H, A, CAP>: Sync,
{
    let mut map = make();
    for i in 0..SHARED {
        map.insert(i * 3, i);
    }
    let expected: Vec<(u32, u32)> = (0..SHARED).map(|i| (i * 3, i)).collect();
    let map = &map;
    let expected = &expected;
    std::thread::scope(|s| {
        for t in 0..2 {
            s.spawn(move || {
                for round in 0..ROUNDS {
                    let back_first = (round + t) % 2 == 0;
                    for pass in 0..2 {
                        if (pass == 0) == back_first {
                            let bwd: Vec<(u32, u32)> =
                                map.iter().rev().map(|(k, v)| (*k, *v)).collect();
                            assert!(
                                bwd.iter().rev().eq(expected.iter()),
                                "thread {t}: iter().rev()"
                            );
                            assert_eq!(
                                map.range::<u32, _>(..).next_back(),
                                expected.last().map(|(k, v)| (k, v))
                            );
                            let lo = SHARED / 3 * 3;
                            let mid: Vec<u32> = map.range(lo..).rev().map(|(k, _)| *k).collect();
                            let want: Vec<u32> = expected
                                .iter()
                                .rev()
                                .map(|e| e.0)
                                .take_while(|&k| k >= lo)
                                .collect();
                            assert_eq!(mid, want, "thread {t}: range(lo..).rev()");
                            assert!(map.values().rev().copied().eq((0..SHARED).rev()));
                            let mut c = map.upper_bound::<u32>(Unbounded);
                            let mut n = 0;
                            while let Some((k, _)) = c.prev() {
                                n += 1;
                                assert_eq!(*k, (SHARED - n) * 3);
                            }
                            assert_eq!(n as usize, expected.len());
                        } else {
                            let fwd: Vec<(u32, u32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
                            assert_eq!(&fwd, expected, "thread {t}: iter()");
                            assert_eq!(
                                map.range::<u32, _>(..).next(),
                                expected.first().map(|(k, v)| (k, v))
                            );
                            assert!(map.keys().copied().eq(expected.iter().map(|e| e.0)));
                            assert_eq!(map.get(&(SHARED / 2 * 3)), Some(&(SHARED / 2)));
                        }
                    }
                }
            });
        }
    });
}

// ---------------------------------------------------------------------------
// Debug of a mutable iterator
// ---------------------------------------------------------------------------

/// Formatting a mutable iterator (`IterMut`, `ValuesMut`, `RangeMut`) while
/// the `&mut V`s it handed out from both ends are alive, then writing
/// through them: the formatting must borrow only what is left (issue 23:
/// it made a shared slice over the whole leaf, which Miri reported as
/// undefined behaviour under Stacked and Tree Borrows). In a small run
/// (3 entries) and a tree (200), and with the output std's gives.
fn debug_mut_iters<H: Handle, A: ArenaStrategy, const CAP: usize>(
    new: fn() -> BPlusTreeMap<u32, u32, H, A, CAP>,
) {
    use std::collections::BTreeMap;
    for n in [3u32, 200] {
        let mut ours = new();
        ours.extend((0..n).map(|k| (k, k)));
        let mut std: BTreeMap<u32, u32> = (0..n).map(|k| (k, k)).collect();
        let (a, b) = (&mut ours, &mut std);
        macro_rules! check {
            ($method:ident($($arg:tt)*), $item:pat => $val:expr) => {{
                let mut it = a.$method($($arg)*);
                let $item = it.next().unwrap();
                let first = $val;
                *first = 10;
                let $item = it.next_back().unwrap();
                let last = $val;
                *last = 30;
                let got = format!("{it:?}");
                *first = 20;
                *last = 40;
                let mut it = b.$method($($arg)*);
                let _ = (it.next(), it.next_back());
                assert_eq!(got, format!("{it:?}"), "n = {n}");
            }};
        }
        check!(iter_mut(), (_, v) => v);
        check!(values_mut(), v => v);
        check!(range_mut(..), (_, v) => v);
        assert_eq!(ours.first_key_value(), Some((&0, &20)));
        assert_eq!(ours.last_key_value(), Some((&(n - 1), &40)));
        assert!(ours.check_invariants().is_ok());
    }
}

// ---------------------------------------------------------------------------
// The configurations
// ---------------------------------------------------------------------------

macro_rules! configurations {
    ($($name:ident: $cfg:ty => $h:ty, $a:ty, $cap:literal;)*) => {$(
        mod $name {
            use super::*;

            fn reversed() -> RMap<$h, $a, $cap> {
                RMap::<$h, $a, $cap>::empty()
            }

            fn chaos_map() -> CMap<$h, $a, $cap> {
                <$cfg>::empty()
            }

            fn chaos_set() -> CSet<$h, $a, $cap> {
                CSet::<$h, $a, $cap>::empty()
            }

            fn shared() -> BPlusTreeMap<u32, u32, $h, $a, $cap> {
                BPlusTreeMap::empty()
            }

            #[test]
            fn reversed_range_mut_big() {
                reversed_range_mut(reversed, BIG);
            }

            #[test]
            fn reversed_range_mut_small() {
                reversed_range_mut(reversed, SMALL);
            }

            #[test]
            fn reversed_range_big() {
                reversed_range(reversed, BIG);
            }

            #[test]
            fn reversed_range_small() {
                reversed_range(reversed, SMALL);
            }

            #[test]
            fn chaotic_map_ops() {
                chaotic_map(concat!(stringify!($name), " map"), chaos_map);
            }

            #[test]
            fn chaotic_set_ops() {
                chaotic_set(concat!(stringify!($name), " set"), chaos_set);
            }

            #[test]
            fn two_threads_iterate() {
                two_threads(shared);
            }

            #[test]
            fn debug_of_mutable_iterators() {
                debug_mut_iters(shared);
            }
        }
    )*};
}

/// The named configurations' maps, as the config's own alias, with the
/// parameters they stand for (checked: `chaos_map` returns the alias as the
/// spelled-out type).
type Standard<K, V> = BPlusTreeMap<K, V>;

configurations! {
    default_config: Standard<Ck, Cv> => Wide32, bptree::policy::Indirect<VecArena>, 64;
    phase0: bptree::phase::Phase0<Ck, Cv> => Wide32, MaskedArena<Growing>, 64;
    phase1: bptree::phase::Phase1<Ck, Cv> => Wide32, VecArena<Growing>, 64;
    phase2: bptree::phase::Phase2<Ck, Cv> => Wide32, VecArena<bptree::policy::Boxed>, 64;
    phase3: bptree::phase::Phase3<Ck, Cv> => Adaptive, PoolArena, 64;
    compact: bptree::phase::Compact<Ck, Cv> =>
        Adaptive, bptree::policy::Indirect<VecArena<bptree::policy::Boxed>, 16>, 128;
    compact16_vec_cap4: CMap<Compact16, VecArena, 4> => Compact16, VecArena, 4;
    adaptive_pool_cap4: CMap<Adaptive, PoolArena, 4> => Adaptive, PoolArena, 4;
    growing_cap4: CMap<Wide32, VecArena<Growing>, 4> => Wide32, VecArena<Growing>, 4;
    masked_growing_cap4: CMap<Wide32, MaskedArena<Growing>, 4> => Wide32, MaskedArena<Growing>, 4;
}

/// The configurations' sets are the sets of the same parameters.
#[test]
fn config_sets_are_the_parameters_sets() {
    fn same<T: 'static, U: 'static>() -> bool {
        std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()
    }
    assert!(same::<
        <bptree::config::Phase0 as TreeConfig>::Set<u32>,
        BPlusTreeSet<u32, Wide32, MaskedArena<Growing>, 64>,
    >());
    assert!(same::<
        <bptree::config::Compact as TreeConfig>::Set<u32>,
        BPlusTreeSet<
            u32,
            Adaptive,
            bptree::policy::Indirect<VecArena<bptree::policy::Boxed>, 16>,
            128,
        >,
    >());
}
