//! Shared helpers for the integration tests: a seeded RNG, the differential
//! op model and its oracle runner (against `std::collections::BTreeMap`),
//! iterator drivers, and drop/clone-counting key and value types.
//!
//! Every test crate includes this module with `mod common;` and uses a
//! different part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::ops::Bound::{self, Excluded, Included, Unbounded};
use std::ops::RangeBounds;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use bptree::BPlusTreeMap;
use bptree::policy::{ArenaStrategy, Handle};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRunner};

/// Key type of the differential tests.
pub type K = u32;
/// Value type of the differential tests.
pub type V = u64;

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------

/// xorshift64: small, seeded, deterministic.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator; any seed works (zero is mapped to a nonzero state).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// A stable 64-bit hash of a name (FNV-1a), to give each test its own seed.
pub fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------
// Expected panics
// ---------------------------------------------------------------------------

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `catch_unwind` for a panic the test expects: the panic hook stays silent
/// for it (no message, no backtrace even under `RUST_BACKTRACE=1`, which
/// would make thousands of expected panics slow). Other threads' panics,
/// and this thread's outside `quietly`, are reported as usual.
pub fn quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result
}

// ---------------------------------------------------------------------------
// The op model
// ---------------------------------------------------------------------------

/// How a range is spelled when it is passed to `range`/`range_mut`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Range syntax (`a..b`, `a..=b`, `a..`, `..b`, `..=b`, `..`) where the
    /// bounds have one, else an owned `(Bound<K>, Bound<K>)`.
    Syntax,
    /// `(Bound<K>, Bound<K>)`.
    Owned,
    /// `(Bound<&K>, Bound<&K>)`.
    Borrowed,
}

/// A range to ask both maps for, and how to walk the iterator.
#[derive(Clone, Debug)]
pub struct RangeSpec {
    pub start: Bound<K>,
    pub end: Bound<K>,
    pub form: Form,
    /// Bit `i % 64` says whether step `i` calls `next_back` (1) or `next`.
    pub plan: u64,
}

/// Which whole-map iterator an [`Op::Iter`] walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterKind {
    Iter,
    RefIntoIter,
    Keys,
    Values,
    IterMut,
    ValuesMut,
    /// `into_iter` of a clone (the clone and the oracle's clone).
    IntoIter,
    IntoKeys,
    IntoValues,
}

/// How [`Op::Rebuild`] replaces the map with one built from the oracle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rebuild {
    /// `collect()` of the sorted entries.
    Collect,
    /// `collect()` of the entries in reverse, each preceded by a duplicate
    /// with another value (the later one must win, as in std).
    CollectShuffledDup,
    /// `from_sorted_iter`.
    FromSorted,
}

/// One step of a differential test.
#[derive(Clone, Debug)]
pub enum Op {
    Insert(K, V),
    CheckedInsert(K, V),
    Remove(K),
    RemoveEntry(K),
    /// Remove the first key at or after `k` (wrapping to the first key), so
    /// that removals hit in a wide key space.
    RemoveNear(K),
    /// `get`, `contains_key`, `get_key_value`, `Index`.
    Get(K),
    /// As `Get`, for the first key at or after `k` (wrapping).
    GetNear(K),
    /// `get_mut`, adding to the value.
    GetMut(K, V),
    Range(RangeSpec),
    /// `range_mut`, adding the delta to every value walked.
    RangeMut(RangeSpec, V),
    PopFirst,
    PopLast,
    /// `first_key_value`, `last_key_value`, `iter().{next, next_back, last,
    /// min, max}`, `keys().last()`.
    FirstLast,
    /// Walk an iterator over the whole map with interleaved `next` and
    /// `next_back` per the plan; for the mutable ones add the delta.
    Iter(IterKind, u64, V),
    /// `into_iter` of a clone, stopped after `n` items from alternating
    /// ends, then dropped; the clone's remaining length is checked.
    PartialIntoIter(usize),
    Clear,
    Extend(Vec<(K, V)>),
    /// `Extend<(&K, &V)>`.
    ExtendRef(Vec<(K, V)>),
    /// Insert the keys `start..start + len` with values from `v`.
    ExtendRun(K, u32, V),
    /// `clone()`, compare with `==`, check the clone, and maybe continue
    /// with the clone in place of the original.
    CloneEq(bool),
    Rebuild(Rebuild),
    /// `check_invariants` and a full comparison.
    Check,
    /// `retain` keeping the keys with `k % m != r` (adding 1 to every value).
    Retain(K, K),
    /// `extract_if` over a range, extracting keys with `k % m == 0` (adding
    /// 1 to every value the predicate sees), stopping after `limit` items.
    ExtractIf(RangeSpec, K, usize),
    /// `append` of a map built from the pairs.
    Append(Vec<(K, V)>),
    /// `split_off` at the key; then continue with the left part (0), the
    /// right part (1), or `append` the right part back (2).
    SplitOff(K, u8),
}

/// Where a differential test draws its keys from.
#[derive(Clone, Copy, Debug)]
pub enum KeySpace {
    /// `0..n`: most removes and gets hit.
    Small(K),
    /// Any `u32` (with some bias to the extremes).
    Wide,
    /// `0..50_000` with runs of up to 4,000 keys: trees of thousands of
    /// entries, deep enough for two branch levels at `CAP = 64`.
    Big,
}

impl KeySpace {
    /// The largest key drawn.
    fn max_key(self) -> K {
        match self {
            KeySpace::Small(n) => n - 1,
            KeySpace::Wide => K::MAX,
            KeySpace::Big => 49_999,
        }
    }

    /// The longest run of an [`Op::ExtendRun`].
    fn max_run(self) -> u32 {
        match self {
            KeySpace::Small(n) => n / 2,
            KeySpace::Wide => 300,
            KeySpace::Big => 4_000,
        }
    }

    /// A key from random bits (for the keys of `Extend` lists).
    fn key_from(self, bits: u64) -> K {
        match self {
            KeySpace::Wide => bits as K,
            _ => (bits % (u64::from(self.max_key()) + 1)) as K,
        }
    }
}

/// The op kinds and their weights (out of their sum).
const WEIGHTS: [(u16, OpKind); 26] = [
    (220, OpKind::Insert),
    (40, OpKind::CheckedInsert),
    (50, OpKind::Remove),
    (20, OpKind::RemoveEntry),
    (110, OpKind::RemoveNear),
    (60, OpKind::Get),
    (40, OpKind::GetNear),
    (30, OpKind::GetMut),
    (50, OpKind::Range),
    (15, OpKind::RangeMut),
    (25, OpKind::PopFirst),
    (25, OpKind::PopLast),
    (20, OpKind::FirstLast),
    (12, OpKind::Iter),
    (3, OpKind::PartialIntoIter),
    (1, OpKind::Clear),
    (8, OpKind::Extend),
    (4, OpKind::ExtendRef),
    (4, OpKind::ExtendRun),
    (3, OpKind::CloneEq),
    (2, OpKind::Rebuild),
    (3, OpKind::Check),
    (3, OpKind::Retain),
    (6, OpKind::ExtractIf),
    (3, OpKind::Append),
    (4, OpKind::SplitOff),
];

const TOTAL_WEIGHT: u16 = {
    let mut sum = 0;
    let mut i = 0;
    while i < WEIGHTS.len() {
        sum += WEIGHTS[i].0;
        i += 1;
    }
    sum
};

#[derive(Clone, Copy)]
enum OpKind {
    Insert,
    CheckedInsert,
    Remove,
    RemoveEntry,
    RemoveNear,
    Get,
    GetNear,
    GetMut,
    Range,
    RangeMut,
    PopFirst,
    PopLast,
    FirstLast,
    Iter,
    PartialIntoIter,
    Clear,
    Extend,
    ExtendRef,
    ExtendRun,
    CloneEq,
    Rebuild,
    Check,
    Retain,
    ExtractIf,
    Append,
    SplitOff,
}

fn bound(kind: u64, k: K) -> Bound<K> {
    match kind {
        0 => Included(k),
        1 => Excluded(k),
        _ => Unbounded,
    }
}

/// An iteration plan: forward only, backward only, or interleaved.
fn plan_from(bits: u64) -> u64 {
    match bits % 8 {
        0 => 0,
        1 => u64::MAX,
        _ => XorShift::new(bits).next_u64(),
    }
}

/// A range over keys `a` and `b`: usually ordered, sometimes inverted or
/// with equal ends (where std panics, on a non-empty map, for inverted
/// bounds and for equal excluded ones); every bound kind and spelling.
fn range_from(a: K, b: K, bits: u64) -> RangeSpec {
    let (lo, hi) = (a.min(b), a.max(b));
    let (s, e) = match (bits >> 8) % 20 {
        0 | 1 => (hi, lo),
        2 | 3 => (a, a),
        _ => (lo, hi),
    };
    RangeSpec {
        start: bound(bits % 3, s),
        end: bound((bits >> 2) % 3, e),
        form: match (bits >> 4) % 3 {
            0 => Form::Syntax,
            1 => Form::Owned,
            _ => Form::Borrowed,
        },
        plan: plan_from(bits >> 16),
    }
}

/// Decodes one op from flat random numbers: a weighted kind, two keys and
/// 64 bits for everything else. (A flat tuple is several times cheaper to
/// generate than nested `prop_oneof!`s in a debug build, and still shrinks
/// element by element.)
fn decode(space: KeySpace, (pick, a, b, c): (u16, K, K, u64)) -> Op {
    // A few wide keys go to the extremes of the key type.
    let a = match (space, c % 32) {
        (KeySpace::Wide, 0) => [0, 1, K::MAX - 1, K::MAX][(c >> 5) as usize % 4],
        _ => a,
    };
    let mut pick = pick;
    let mut kind = OpKind::Check;
    for &(w, k) in &WEIGHTS {
        if pick < w {
            kind = k;
            break;
        }
        pick -= w;
    }
    let pairs = |c: u64| -> Vec<(K, V)> {
        let mut rng = XorShift::new(c);
        let n = c % 24;
        (0..n)
            .map(|_| (space.key_from(rng.next_u64()), rng.next_u64()))
            .collect()
    };
    match kind {
        OpKind::Insert => Op::Insert(a, c),
        OpKind::CheckedInsert => Op::CheckedInsert(a, c),
        OpKind::Remove => Op::Remove(a),
        OpKind::RemoveEntry => Op::RemoveEntry(a),
        OpKind::RemoveNear => Op::RemoveNear(a),
        OpKind::Get => Op::Get(a),
        OpKind::GetNear => Op::GetNear(a),
        OpKind::GetMut => Op::GetMut(a, c),
        OpKind::Range => Op::Range(range_from(a, b, c)),
        OpKind::RangeMut => Op::RangeMut(range_from(a, b, c), c >> 40),
        OpKind::PopFirst => Op::PopFirst,
        OpKind::PopLast => Op::PopLast,
        OpKind::FirstLast => Op::FirstLast,
        OpKind::Iter => {
            let kinds = [
                IterKind::Iter,
                IterKind::RefIntoIter,
                IterKind::Keys,
                IterKind::Values,
                IterKind::IterMut,
                IterKind::ValuesMut,
                IterKind::IntoIter,
                IterKind::IntoKeys,
                IterKind::IntoValues,
            ];
            Op::Iter(kinds[(c % 9) as usize], plan_from(c >> 4), c >> 40)
        }
        OpKind::PartialIntoIter => Op::PartialIntoIter((c % 64) as usize),
        OpKind::Clear => Op::Clear,
        OpKind::Extend => Op::Extend(pairs(c)),
        OpKind::ExtendRef => Op::ExtendRef(pairs(c)),
        OpKind::ExtendRun => Op::ExtendRun(a, 1 + (c % u64::from(space.max_run())) as u32, c),
        OpKind::CloneEq => Op::CloneEq(c % 2 == 1),
        OpKind::Rebuild => Op::Rebuild(match c % 3 {
            0 => Rebuild::Collect,
            1 => Rebuild::CollectShuffledDup,
            _ => Rebuild::FromSorted,
        }),
        OpKind::Check => Op::Check,
        OpKind::Retain => {
            let m = 2 + (c % 5) as K;
            Op::Retain(m, (c >> 8) as K % m)
        }
        OpKind::ExtractIf => {
            let limit = match (c >> 40) % 3 {
                0 => (c >> 42) as usize % 70,
                _ => usize::MAX,
            };
            Op::ExtractIf(range_from(a, b, c), 1 + (c >> 24) as K % 4, limit)
        }
        OpKind::Append => Op::Append(pairs(c)),
        OpKind::SplitOff => Op::SplitOff(a, ((c >> 3) % 3) as u8),
    }
}

/// One random op over `space`, drawn from `rng` with the same weights and
/// decoding as [`op_strategy`] (for runs too long to go through proptest).
pub fn random_op(space: KeySpace, rng: &mut XorShift) -> Op {
    let key = |rng: &mut XorShift| match space {
        KeySpace::Wide => rng.next_u64() as K,
        _ => rng.below(u64::from(space.max_key()) + 1) as K,
    };
    let pick = rng.below(u64::from(TOTAL_WEIGHT)) as u16;
    let (a, b) = (key(rng), key(rng));
    decode(space, (pick, a, b, rng.next_u64()))
}

/// Random ops over `space`.
pub fn op_strategy(space: KeySpace) -> impl Strategy<Value = Op> + Clone {
    let k = 0..=space.max_key();
    (0..TOTAL_WEIGHT, k.clone(), k, any::<u64>()).prop_map(move |t| decode(space, t))
}

/// Sequences of ops over `space`, of a length in `len`.
pub fn ops_strategy(space: KeySpace, len: std::ops::Range<usize>) -> BoxedStrategy<Vec<Op>> {
    prop::collection::vec(op_strategy(space), len).boxed()
}

/// Runs `test` on `cases` op sequences drawn from `strategy` with a seed
/// fixed by `name` (deterministic; `PROPTEST_CASES` overrides the count).
/// Returns the number of ops run (failing cases shrink, then panic).
pub fn run_proptest(
    name: &str,
    cases: u32,
    strategy: &BoxedStrategy<Vec<Op>>,
    test: impl Fn(&[Op]),
) -> u64 {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    let config = Config {
        rng_algorithm: RngAlgorithm::XorShift,
        rng_seed: RngSeed::Fixed(seed_of(name)),
        failure_persistence: None,
        ..Config::with_cases(cases)
    };
    let ops = std::cell::Cell::new(0u64);
    let mut runner = TestRunner::new(config);
    let result = runner.run(strategy, |seq| {
        test(&seq);
        ops.set(ops.get() + seq.len() as u64);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!("{name}: {} ops in {cases} cases", ops.get());
    ops.get()
}

// ---------------------------------------------------------------------------
// The oracle runner
// ---------------------------------------------------------------------------

/// A configuration's map with the differential key and value types.
pub type Map<H, A, const CAP: usize> = BPlusTreeMap<K, V, H, A, CAP>;

/// Checks every invariant and compares the whole content with the oracle.
pub fn full_check<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &Map<H, A, CAP>,
    oracle: &BTreeMap<K, V>,
) {
    if let Err(e) = map.check_invariants() {
        panic!("{e}");
    }
    assert_eq!(map.len(), oracle.len());
    assert_eq!(map.is_empty(), oracle.is_empty());
    assert!(map.iter().eq(oracle.iter()), "contents differ");
}

/// Walks two double-ended iterators in lockstep, calling `next_back` at the
/// steps whose bit in `plan` is set and `next` otherwise; items must agree.
/// `check` sees both iterators before every step; `visit` gets the items.
/// After both end, ours must stay ended from both sides (fused).
pub fn drive<I, J>(
    mut ours: I,
    mut theirs: J,
    plan: u64,
    mut check: impl FnMut(&I, &J),
    mut visit: impl FnMut(I::Item, J::Item),
) -> usize
where
    I: DoubleEndedIterator,
    J: DoubleEndedIterator,
    I::Item: PartialEq<J::Item> + Debug,
    J::Item: Debug,
{
    let mut step = 0usize;
    loop {
        check(&ours, &theirs);
        let back = (plan >> (step % 64)) & 1 == 1;
        let (a, b) = if back {
            (ours.next_back(), theirs.next_back())
        } else {
            (ours.next(), theirs.next())
        };
        match (a, b) {
            (Some(a), Some(b)) => {
                assert!(
                    a == b,
                    "step {step} ({}): ours {a:?}, std {b:?}",
                    if back { "next_back" } else { "next" }
                );
                visit(a, b);
            }
            (None, None) => break,
            (a, b) => panic!("step {step}: ours {a:?}, std {b:?}"),
        }
        step += 1;
    }
    for _ in 0..2 {
        assert!(ours.next().is_none(), "not fused (next)");
        assert!(ours.next_back().is_none(), "not fused (next_back)");
    }
    step
}

/// [`drive`] for exact-size iterators: lengths and size hints must agree
/// with std's at every step.
pub fn drive_exact<I, J>(ours: I, theirs: J, plan: u64, visit: impl FnMut(I::Item, J::Item))
where
    I: DoubleEndedIterator + ExactSizeIterator,
    J: DoubleEndedIterator + ExactSizeIterator,
    I::Item: PartialEq<J::Item> + Debug,
    J::Item: Debug,
{
    drive(
        ours,
        theirs,
        plan,
        |a, b| {
            assert_eq!(a.len(), b.len(), "len");
            assert_eq!(a.size_hint(), b.size_hint(), "size_hint");
        },
        visit,
    );
}

fn ignore<A, B>(_: A, _: B) {}

fn no_check<I, J>(_: &I, _: &J) {}

/// Calls `$body` with `$r` bound to `$spec`'s range spelled per its form.
macro_rules! with_range {
    ($spec:expr, |$r:ident| $body:expr) => {{
        let spec: &RangeSpec = $spec;
        match (spec.form, spec.start, spec.end) {
            (Form::Syntax, Included(a), Excluded(b)) => {
                let $r = a..b;
                $body
            }
            (Form::Syntax, Included(a), Included(b)) => {
                let $r = a..=b;
                $body
            }
            (Form::Syntax, Included(a), Unbounded) => {
                let $r = a..;
                $body
            }
            (Form::Syntax, Unbounded, Excluded(b)) => {
                let $r = ..b;
                $body
            }
            (Form::Syntax, Unbounded, Included(b)) => {
                let $r = ..=b;
                $body
            }
            (Form::Syntax, Unbounded, Unbounded) => {
                let $r = ..;
                $body
            }
            (Form::Borrowed, s, e) => {
                let $r = (s.as_ref(), e.as_ref());
                $body
            }
            (_, s, e) => {
                let $r = (s, e);
                $body
            }
        }
    }};
}

/// Whether ours must panic where std did: std decides by whether its root
/// node exists, so a `BTreeMap` emptied by removals (it keeps an empty root
/// leaf) still panics on inverted bounds while a new or cleared one does
/// not. Ours panics exactly when it is non-empty (as documented), so on an
/// empty map only "ours does not panic" is checked.
fn panics_agree<A, B>(
    ours: &std::thread::Result<A>,
    theirs: &std::thread::Result<B>,
    empty: bool,
) -> bool {
    if empty {
        ours.is_ok()
    } else {
        ours.is_err() == theirs.is_err()
    }
}

/// `range` on both; both must panic, or neither and then agree.
fn range_case<H, A, R, const CAP: usize>(
    map: &Map<H, A, CAP>,
    oracle: &BTreeMap<K, V>,
    r: R,
    plan: u64,
) where
    H: Handle,
    A: ArenaStrategy,
    R: RangeBounds<K> + Clone + Debug,
{
    let theirs = quietly(|| oracle.range::<K, R>(r.clone()));
    let ours = quietly(|| map.range::<K, R>(r.clone()));
    assert!(
        panics_agree(&ours, &theirs, oracle.is_empty()),
        "range {r:?} on {} entries: ours panicked: {}, std panicked: {}",
        oracle.len(),
        ours.is_err(),
        theirs.is_err()
    );
    if let (Ok(a), Ok(b)) = (ours, theirs) {
        // A clone walks independently of the original.
        let (a2, b2) = (a.clone(), b.clone());
        drive(a, b, plan, no_check, ignore);
        drive(a2, b2, plan.rotate_left(17), no_check, ignore);
    }
}

/// `range_mut` on both, adding `delta` to every value walked.
fn range_mut_case<H, A, R, const CAP: usize>(
    map: &mut Map<H, A, CAP>,
    oracle: &mut BTreeMap<K, V>,
    r: R,
    plan: u64,
    delta: V,
) where
    H: Handle,
    A: ArenaStrategy,
    R: RangeBounds<K> + Clone + Debug,
{
    let len = oracle.len();
    // `move` and the rebinding make the closures `FnOnce`, so that the
    // iterators may borrow from what they captured.
    let r2 = r.clone();
    let theirs = quietly(move || {
        let oracle = oracle;
        oracle.range_mut::<K, R>(r2)
    });
    let r2 = r.clone();
    let ours = quietly(move || {
        let map = map;
        map.range_mut::<K, R>(r2)
    });
    assert!(
        panics_agree(&ours, &theirs, len == 0),
        "range_mut {r:?} on {len} entries: ours panicked: {}, std panicked: {}",
        ours.is_err(),
        theirs.is_err()
    );
    if let (Ok(a), Ok(b)) = (ours, theirs) {
        drive(a, b, plan, no_check, |(_, x), (_, y)| {
            *x = x.wrapping_add(delta);
            *y = y.wrapping_add(delta);
        });
    }
}

/// `extract_if` on ours against std's own (stable since 1.91, the MSRV):
/// the same predicate, stopping after `limit`. Neither panics on inverted
/// bounds; both yield nothing for them.
fn extract_case<H, A, R, const CAP: usize>(
    map: &mut Map<H, A, CAP>,
    oracle: &mut BTreeMap<K, V>,
    r: R,
    m: K,
    limit: usize,
) where
    H: Handle,
    A: ArenaStrategy,
    R: RangeBounds<K> + Clone + Debug,
{
    let pred = move |k: &K, v: &mut V| {
        *v = v.wrapping_add(1);
        k.is_multiple_of(m)
    };
    let theirs = quietly(|| {
        oracle
            .extract_if(r.clone(), pred)
            .take(limit)
            .collect::<Vec<_>>()
    });
    let ours = quietly(|| {
        map.extract_if(r.clone(), pred)
            .take(limit)
            .collect::<Vec<_>>()
    });
    assert!(
        panics_agree(&ours, &theirs, oracle.is_empty()),
        "extract_if {r:?} on {} entries: ours panicked: {}, std panicked: {}",
        oracle.len(),
        ours.is_err(),
        theirs.is_err()
    );
    if let (Ok(a), Ok(b)) = (ours, theirs) {
        assert_eq!(a, b, "extract_if {r:?}, k % {m} == 0, limit {limit}");
    }
}

/// The first key at or after `k`, wrapping to the first key.
fn near(oracle: &BTreeMap<K, V>, k: K) -> Option<K> {
    oracle
        .range(k..)
        .next()
        .or_else(|| oracle.iter().next())
        .map(|(k, _)| *k)
}

fn get_case<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &Map<H, A, CAP>,
    oracle: &BTreeMap<K, V>,
    k: K,
) {
    assert_eq!(map.get(&k), oracle.get(&k), "get {k}");
    assert_eq!(map.contains_key(&k), oracle.contains_key(&k));
    assert_eq!(map.get_key_value(&k), oracle.get_key_value(&k));
    if let Some(v) = oracle.get(&k) {
        assert_eq!(&map[&k], v);
    }
}

fn iter_case<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &mut Map<H, A, CAP>,
    oracle: &mut BTreeMap<K, V>,
    kind: IterKind,
    plan: u64,
    delta: V,
) {
    let add = |(_, x): (&K, &mut V), (_, y): (&K, &mut V)| {
        *x = x.wrapping_add(delta);
        *y = y.wrapping_add(delta);
    };
    match kind {
        IterKind::Iter => drive_exact(map.iter(), oracle.iter(), plan, ignore),
        IterKind::RefIntoIter => {
            drive_exact(IntoIterator::into_iter(&*map), oracle.iter(), plan, ignore)
        }
        IterKind::Keys => drive_exact(map.keys(), oracle.keys(), plan, ignore),
        IterKind::Values => drive_exact(map.values(), oracle.values(), plan, ignore),
        IterKind::IterMut => drive_exact(map.iter_mut(), oracle.iter_mut(), plan, add),
        IterKind::ValuesMut => drive_exact(map.values_mut(), oracle.values_mut(), plan, |x, y| {
            *x = x.wrapping_add(delta);
            *y = y.wrapping_add(delta);
        }),
        IterKind::IntoIter => {
            drive_exact(
                map.clone().into_iter(),
                oracle.clone().into_iter(),
                plan,
                ignore,
            );
        }
        IterKind::IntoKeys => {
            drive_exact(
                map.clone().into_keys(),
                oracle.clone().into_keys(),
                plan,
                ignore,
            );
        }
        IterKind::IntoValues => {
            drive_exact(
                map.clone().into_values(),
                oracle.clone().into_values(),
                plan,
                ignore,
            );
        }
    }
}

/// Applies one op to both maps and compares the results.
pub fn apply<H: Handle, A: ArenaStrategy, const CAP: usize>(
    map: &mut Map<H, A, CAP>,
    oracle: &mut BTreeMap<K, V>,
    op: &Op,
) {
    match *op {
        Op::Insert(k, v) => assert_eq!(map.insert(k, v), oracle.insert(k, v), "insert {k}"),
        Op::CheckedInsert(k, v) => {
            assert_eq!(map.checked_insert(k, v), Ok(oracle.insert(k, v)));
        }
        Op::Remove(k) => assert_eq!(map.remove(&k), oracle.remove(&k), "remove {k}"),
        Op::RemoveEntry(k) => assert_eq!(map.remove_entry(&k), oracle.remove_entry(&k)),
        Op::RemoveNear(k) => {
            if let Some(k) = near(oracle, k) {
                let want = oracle.remove_entry(&k);
                assert!(want.is_some());
                assert_eq!(map.remove_entry(&k), want, "remove_entry {k}");
            } else {
                assert!(map.is_empty());
            }
        }
        Op::Get(k) => get_case(map, oracle, k),
        Op::GetNear(k) => {
            if let Some(k) = near(oracle, k) {
                get_case(map, oracle, k);
            }
        }
        Op::GetMut(k, d) => match (map.get_mut(&k), oracle.get_mut(&k)) {
            (Some(a), Some(b)) => {
                assert_eq!(*a, *b);
                *a = a.wrapping_add(d);
                *b = b.wrapping_add(d);
            }
            (None, None) => {}
            (a, b) => panic!("get_mut {k}: ours {a:?}, std {b:?}"),
        },
        Op::Range(ref spec) => {
            with_range!(spec, |r| range_case(map, oracle, r, spec.plan));
        }
        Op::RangeMut(ref spec, d) => {
            with_range!(spec, |r| range_mut_case(map, oracle, r, spec.plan, d));
        }
        Op::PopFirst => assert_eq!(map.pop_first(), oracle.pop_first()),
        Op::PopLast => assert_eq!(map.pop_last(), oracle.pop_last()),
        Op::FirstLast => {
            assert_eq!(map.first_key_value(), oracle.first_key_value());
            assert_eq!(map.last_key_value(), oracle.last_key_value());
            assert_eq!(map.iter().next(), oracle.iter().next());
            assert_eq!(map.iter().next_back(), oracle.iter().next_back());
            assert_eq!(map.iter().last(), oracle.iter().last());
            assert_eq!(map.iter().min(), oracle.iter().min());
            assert_eq!(map.iter().max(), oracle.iter().max());
            assert_eq!(map.keys().last(), oracle.keys().last());
            assert_eq!(map.values().last(), oracle.values().last());
            assert_eq!(map.range(..).last(), oracle.range(..).last());
            assert_eq!(map.range(..).min(), oracle.range(..).min());
            assert_eq!(map.range(..).max(), oracle.range(..).max());
        }
        Op::Iter(kind, plan, d) => iter_case(map, oracle, kind, plan, d),
        Op::PartialIntoIter(n) => {
            let mut ours = map.clone().into_iter();
            let mut theirs = oracle.clone().into_iter();
            for i in 0..n {
                let (a, b) = if i % 2 == 0 {
                    (ours.next(), theirs.next())
                } else {
                    (ours.next_back(), theirs.next_back())
                };
                assert_eq!(a, b);
                if a.is_none() {
                    break;
                }
            }
            assert_eq!(ours.len(), theirs.len());
            drop(ours);
        }
        Op::Clear => {
            map.clear();
            oracle.clear();
            full_check(map, oracle);
        }
        Op::Extend(ref pairs) => {
            map.extend(pairs.iter().copied());
            oracle.extend(pairs.iter().copied());
        }
        Op::ExtendRef(ref pairs) => {
            map.extend(pairs.iter().map(|(k, v)| (k, v)));
            oracle.extend(pairs.iter().map(|(k, v)| (k, v)));
        }
        Op::ExtendRun(start, n, v) => {
            let run = (start..start.saturating_add(n)).map(|k| (k, v ^ V::from(k)));
            map.extend(run.clone());
            oracle.extend(run);
        }
        Op::CloneEq(replace) => {
            let copy = map.clone();
            if let Err(e) = copy.check_invariants() {
                panic!("clone: {e}");
            }
            assert!(copy == *map);
            assert!(copy.iter().eq(oracle.iter()));
            if replace {
                *map = copy;
            }
        }
        Op::Rebuild(how) => {
            let entries = oracle.iter().map(|(&k, &v)| (k, v));
            *map = match how {
                Rebuild::Collect => entries.collect(),
                Rebuild::CollectShuffledDup => entries
                    .rev()
                    .flat_map(|(k, v)| [(k, v.wrapping_add(1)), (k, v)])
                    .collect(),
                Rebuild::FromSorted => match Map::from_sorted_iter(entries) {
                    Some(m) => m,
                    None => panic!("from_sorted_iter rejected sorted input"),
                },
            };
            full_check(map, oracle);
        }
        Op::Check => full_check(map, oracle),
        Op::Retain(m, r) => {
            let f = |k: &K, v: &mut V| {
                *v = v.wrapping_add(1);
                k % m != r
            };
            map.retain(f);
            oracle.retain(f);
        }
        Op::ExtractIf(ref spec, m, limit) => {
            with_range!(spec, |r| extract_case(map, oracle, r, m, limit));
        }
        Op::Append(ref pairs) => {
            let mut ours: Map<H, A, CAP> = pairs.iter().copied().collect();
            let mut theirs: BTreeMap<K, V> = pairs.iter().copied().collect();
            map.append(&mut ours);
            oracle.append(&mut theirs);
            assert!(ours.is_empty());
            if let Err(e) = ours.check_invariants() {
                panic!("emptied by append: {e}");
            }
        }
        Op::SplitOff(k, then) => {
            let mut right = map.split_off(&k);
            let mut theirs = oracle.split_off(&k);
            full_check(&right, &theirs);
            full_check(map, oracle);
            match then {
                0 => {}
                1 => {
                    *map = right;
                    *oracle = theirs;
                }
                _ => {
                    map.append(&mut right);
                    oracle.append(&mut theirs);
                    assert!(right.is_empty());
                }
            }
        }
    }
}

/// Check invariants and compare everything every this many ops.
pub const CHECK_EVERY: usize = 64;

/// Runs `ops` on `map` (which must be empty) and a `BTreeMap`, asserting
/// they agree after every op; invariants are checked every
/// [`CHECK_EVERY`] ops and at the end.
pub fn run_ops<H: Handle, A: ArenaStrategy, const CAP: usize>(mut map: Map<H, A, CAP>, ops: &[Op]) {
    assert!(map.is_empty());
    let mut oracle = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        apply(&mut map, &mut oracle, op);
        assert_eq!(map.len(), oracle.len(), "len after op {step}: {op:?}");
        if step % CHECK_EVERY == CHECK_EVERY - 1 {
            full_check(&map, &oracle);
        }
    }
    full_check(&map, &oracle);
    // Finally drain from both ends.
    drive_exact(
        map.into_iter(),
        oracle.into_iter(),
        0xA5A5_5A5A_F0F0_0F0F,
        ignore,
    );
}

// ---------------------------------------------------------------------------
// Drop- and clone-counting types
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Ledger {
    next_id: u64,
    live: HashSet<u64>,
    created: usize,
    clones: usize,
    drops: usize,
    double_drops: usize,
}

/// Counts creations, clones and drops of the [`Tracked`] values it makes,
/// and catches double drops (an id dropped twice) and leaks (ids alive).
#[derive(Default)]
pub struct Tracker(RefCell<Ledger>);

impl Tracker {
    /// A new tracker.
    pub fn new() -> Rc<Self> {
        Rc::new(Tracker::default())
    }

    fn mint(self: &Rc<Self>, key: u32, panic_on_drop: bool, clone: bool) -> Tracked {
        let mut l = self.0.borrow_mut();
        let id = l.next_id;
        l.next_id += 1;
        l.live.insert(id);
        if clone {
            l.clones += 1;
        } else {
            l.created += 1;
        }
        Tracked {
            key,
            id,
            panic_on_drop,
            tracker: Rc::clone(self),
        }
    }

    /// A tracked value ordered by `key`.
    pub fn make(self: &Rc<Self>, key: u32) -> Tracked {
        self.mint(key, false, false)
    }

    /// A tracked value whose drop panics (after it has been counted).
    pub fn make_panicky(self: &Rc<Self>, key: u32) -> Tracked {
        self.mint(key, true, false)
    }

    /// Values alive now (created or cloned, not yet dropped).
    pub fn live(&self) -> usize {
        self.0.borrow().live.len()
    }

    /// Values made by `make`.
    pub fn created(&self) -> usize {
        self.0.borrow().created
    }

    /// Clones made.
    pub fn clones(&self) -> usize {
        self.0.borrow().clones
    }

    /// Drops seen (not counting double drops).
    pub fn drops(&self) -> usize {
        self.0.borrow().drops
    }

    /// Drops of a value that was already dropped.
    pub fn double_drops(&self) -> usize {
        self.0.borrow().double_drops
    }

    /// Asserts that no value was dropped twice and that every value made
    /// or cloned has been dropped.
    pub fn assert_all_dropped_once(&self) {
        let l = self.0.borrow();
        assert_eq!(l.double_drops, 0, "double drops");
        assert!(l.live.is_empty(), "{} values leaked", l.live.len());
        assert_eq!(l.drops, l.created + l.clones);
    }
}

/// A key or value that reports its clones and drops to a [`Tracker`].
/// Compares, orders and hashes by `key` alone.
pub struct Tracked {
    pub key: u32,
    id: u64,
    panic_on_drop: bool,
    tracker: Rc<Tracker>,
}

impl Tracked {
    /// This value's identity (clones get new ones).
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        self.tracker.mint(self.key, self.panic_on_drop, true)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        {
            let mut l = self.tracker.0.borrow_mut();
            if l.live.remove(&self.id) {
                l.drops += 1;
            } else {
                l.double_drops += 1;
            }
        }
        if self.panic_on_drop && !std::thread::panicking() {
            panic!("Tracked {} panics in drop", self.key);
        }
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Tracked {}

impl PartialOrd for Tracked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tracked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl std::hash::Hash for Tracked {
    fn hash<S: std::hash::Hasher>(&self, state: &mut S) {
        self.key.hash(state);
    }
}

impl Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.key, self.id)
    }
}

impl std::borrow::Borrow<u32> for Tracked {
    fn borrow(&self) -> &u32 {
        &self.key
    }
}
