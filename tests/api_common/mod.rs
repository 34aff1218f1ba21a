//! Helpers shared by `api_map`, `api_set`, `cursors` and `panic_safety`:
//! the configurations the tests run on, a deterministic proptest runner, a
//! seeded generator, quiet `catch_unwind`, range specs that know when std
//! panics, and a key type with a field that `Ord` ignores.
//!
//! Each test crate uses a different part of it.
#![allow(dead_code)]

use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Bound::{self, Excluded, Included, Unbounded};
use std::panic::{AssertUnwindSafe, catch_unwind};

use bptree::TreeConfig;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

// ---------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------

/// Capacity 4 with 16-bit handles and the pool arena (inline arrays): deep
/// trees where splits and merges happen on almost every operation.
#[derive(TreeConfig)]
#[tree(handle = bptree::Compact16, arena = bptree::PoolArena, capacity = 4)]
pub struct Deep4;

/// Capacity 4 with boxed node arrays in a vector arena.
#[derive(TreeConfig)]
#[tree(arena = bptree::VecArena<bptree::policy::Boxed>, capacity = 4)]
pub struct Deep4Boxed;

/// Capacity 5 (odd, so `CAP / 2` rounds) with the masked arena and growing
/// node vectors.
#[derive(TreeConfig)]
#[tree(arena = bptree::policy::MaskedArena, storage = bptree::policy::Growing, capacity = 5)]
pub struct Deep5;

/// Capacity 4 with counts (order statistics) in the pool arena: every
/// split, merge and rotation also moves counts, which `check_invariants`
/// checks.
#[derive(TreeConfig)]
#[tree(handle = bptree::Compact16, arena = bptree::policy::Counted<bptree::PoolArena>, capacity = 4)]
pub struct Deep4Counted;

/// The small-capacity configurations.
pub type Deep = (Deep4, Deep4Boxed, Deep5, Deep4Counted);

/// Every named configuration of the crate, then the small-capacity ones.
pub type Configs = (bptree::config::All, Deep);

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

/// FNV-1a of a name: a stable seed per test and configuration.
pub fn seed_of(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A small seeded generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng((seed ^ 0x2545_f491_4f6c_dd1d) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// Runs a property `cases` times with a runner seeded from `name`: the same
/// inputs on every run, no failure files written.
pub fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: fmt::Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut seed = [0u8; 32];
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed_of(&format!("{name}/{i}")).to_le_bytes());
    }
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

// ---------------------------------------------------------------------------
// Expected panics
// ---------------------------------------------------------------------------

thread_local! {
    static SILENT: Cell<bool> = const { Cell::new(false) };
}

/// `catch_unwind` with the panic message suppressed (for panics the test
/// provokes on purpose); panics elsewhere are printed as usual.
pub fn quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !SILENT.with(Cell::get) {
                default(info);
            }
        }));
    });
    let before = SILENT.with(|s| s.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    SILENT.with(|s| s.set(before));
    result
}

// ---------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------

/// A pair of bounds, as passed to `range`, `range_mut` and `extract_if`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Rb(pub Bound<u32>, pub Bound<u32>);

impl fmt::Debug for Rb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Included(s) => write!(f, "[{s}")?,
            Excluded(s) => write!(f, "({s}")?,
            Unbounded => write!(f, "(-inf")?,
        }
        match self.1 {
            Included(e) => write!(f, ", {e}]"),
            Excluded(e) => write!(f, ", {e})"),
            Unbounded => write!(f, ", +inf)"),
        }
    }
}

impl Rb {
    pub fn bounds(self) -> (Bound<u32>, Bound<u32>) {
        (self.0, self.1)
    }

    /// Whether `BTreeMap::range` panics on these bounds (on a non-empty
    /// map): start above end, or equal and both excluded.
    pub fn inverted(self) -> bool {
        match (self.0, self.1) {
            (Excluded(s), Excluded(e)) => s >= e,
            (Included(s) | Excluded(s), Included(e) | Excluded(e)) => s > e,
            _ => false,
        }
    }

    /// The same bounds, made valid by swapping an inverted pair.
    pub fn valid(self) -> Rb {
        if !self.inverted() {
            return self;
        }
        match (self.0, self.1) {
            (Excluded(s), Excluded(e)) if s == e => Rb(Included(s), Excluded(e)),
            (s, e) => Rb(e, s),
        }
    }

    pub fn contains(self, k: u32) -> bool {
        std::ops::RangeBounds::contains(&self.bounds(), &k)
    }
}

/// The bounds as [`Tagged`] keys (tag 0), for `extract_if`, which takes a
/// range of the key type itself.
pub fn tagged_bounds(r: Rb) -> (Bound<Tagged>, Bound<Tagged>) {
    (
        r.0.map(|k| Tagged::new(k, 0)),
        r.1.map(|k| Tagged::new(k, 0)),
    )
}

/// A bound on a key below `keys`.
pub fn bound(keys: u32) -> impl Strategy<Value = Bound<u32>> + Clone {
    prop_oneof![
        1 => Just(Unbounded),
        3 => (0..keys).prop_map(Included),
        3 => (0..keys).prop_map(Excluded),
    ]
}

/// Any pair of bounds, inverted ones included.
pub fn any_range(keys: u32) -> impl Strategy<Value = Rb> + Clone {
    (bound(keys), bound(keys)).prop_map(|(s, e)| Rb(s, e))
}

/// A pair of bounds on which `range` does not panic.
pub fn valid_range(keys: u32) -> impl Strategy<Value = Rb> + Clone {
    any_range(keys).prop_map(Rb::valid)
}

// ---------------------------------------------------------------------------
// Keys that are equal without being identical
// ---------------------------------------------------------------------------

/// Ordered and hashed by `key` alone; `tag` tells equal keys apart, to see
/// which of two equal keys a collection keeps.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tagged {
    pub key: u32,
    pub tag: u32,
}

impl Tagged {
    pub const fn new(key: u32, tag: u32) -> Self {
        Tagged { key, tag }
    }

    pub const fn pair(self) -> (u32, u32) {
        (self.key, self.tag)
    }
}

impl PartialEq for Tagged {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Tagged {}

impl PartialOrd for Tagged {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tagged {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl Hash for Tagged {
    fn hash<S: Hasher>(&self, state: &mut S) {
        self.key.hash(state);
    }
}

impl std::borrow::Borrow<u32> for Tagged {
    fn borrow(&self) -> &u32 {
        &self.key
    }
}

/// The hash of `t` under `DefaultHasher::new()` (fixed keys, so comparable
/// between two values within a run).
pub fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Drives two double-ended iterators in step, `plan`'s bits choosing
/// `next` (0) or `next_back` (1), comparing every item and, if `exact`,
/// the size hints; stops after `limit` items (then both are dropped
/// part-way) or when both end, and then checks that both stay ended.
pub fn drive<T, I, J>(mut ours: I, mut theirs: J, plan: u64, limit: usize, exact: bool)
where
    T: PartialEq + fmt::Debug,
    I: DoubleEndedIterator<Item = T>,
    J: DoubleEndedIterator<Item = T>,
{
    for step in 0..limit {
        if exact {
            assert_eq!(
                ours.size_hint(),
                theirs.size_hint(),
                "size_hint at step {step}"
            );
        }
        let back = (plan >> (step % 64)) & 1 == 1;
        let (a, b) = if back {
            (ours.next_back(), theirs.next_back())
        } else {
            (ours.next(), theirs.next())
        };
        assert_eq!(
            a,
            b,
            "step {step} ({})",
            if back { "next_back" } else { "next" }
        );
        if a.is_none() {
            assert!(
                ours.next().is_none() && ours.next_back().is_none(),
                "not fused"
            );
            return;
        }
    }
}

/// Asserts that two traces of the same op are equal, reporting the first
/// entry that differs (traces can be long).
#[track_caller]
pub fn same_trace(ours: &[String], theirs: &[String], context: impl fmt::Display) {
    if ours == theirs {
        return;
    }
    let at = ours
        .iter()
        .zip(theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    panic!(
        "{context}: traces differ at entry {at} (lengths {} and {})\n  ours: {:?}\n   std: {:?}",
        ours.len(),
        theirs.len(),
        ours.get(at),
        theirs.get(at)
    );
}

/// The cases each configuration's property runs under Miri (128 natively):
/// enough for maps built both ways, several sizes, and trees at capacity 4.
#[allow(dead_code)] // panic_safety shares this module but not the list
pub const MIRI_CASES: u32 = 1;

/// One `#[test]` per configuration of [`Configs`], each running
/// `$run::<H, A, CAP>(label, 128)` (label `"$prefix/<config name>"`), so a
/// failure names its configuration and the suites share one list. Under
/// Miri, [`MIRI_CASES`] cases instead of 128.
#[allow(unused_macros)] // panic_safety shares this module but not the list
macro_rules! per_config_tests {
    ($prefix:literal, $run:ident) => {
        struct PerConfig;

        impl bptree::config::ConfigVisitor for PerConfig {
            fn visit<C: bptree::TreeConfig, const CAP: usize>(&mut self) {
                let cases = if cfg!(miri) { crate::api_common::MIRI_CASES } else { 128 };
                $run::<C::Handle, C::Arena, CAP>(&format!("{}/{}", $prefix, C::NAME), cases);
            }
        }

        per_config_tests!(@each
            phase0: bptree::config::Phase0,
            phase1: bptree::config::Phase1,
            phase2: bptree::config::Phase2,
            phase3: bptree::config::Phase3,
            compact: bptree::config::Compact,
            standard: bptree::config::Standard,
            indexed: bptree::config::Indexed,
            prefixed: bptree::config::Prefixed,
            deep4: crate::api_common::Deep4,
            deep4_boxed: crate::api_common::Deep4Boxed,
            deep5: crate::api_common::Deep5,
            deep4_counted: crate::api_common::Deep4Counted,
        );
    };
    (@each $($test:ident: $config:ty,)*) => {
        $(
            #[test]
            fn $test() {
                <$config as bptree::config::ConfigList>::for_each(&mut PerConfig);
            }
        )*

        /// The list above is exactly [`Configs`]: a configuration added
        /// there fails here until it gets its own test.
        #[test]
        fn list_covers_every_configuration() {
            struct Names(Vec<&'static str>);
            impl bptree::config::ConfigVisitor for Names {
                fn visit<C: bptree::TreeConfig, const CAP: usize>(&mut self) {
                    self.0.push(C::NAME);
                }
            }
            let (mut all, mut listed) = (Names(Vec::new()), Names(Vec::new()));
            <crate::api_common::Configs as bptree::config::ConfigList>::for_each(&mut all);
            $(<$config as bptree::config::ConfigList>::for_each(&mut listed);)*
            assert_eq!(listed.0, all.0);
        }
    };
}

/// Records, step by step, what an iterator yields when driven by `plan`
/// (bit set: `next_back`), with size hints if `exact`, for `limit` steps or
/// until it ends, and whether it then stays ended.
pub fn trace_iter<T: fmt::Debug>(
    mut it: impl DoubleEndedIterator<Item = T>,
    plan: u64,
    limit: usize,
    exact: bool,
    t: &mut Vec<String>,
) {
    for step in 0..limit {
        if exact {
            t.push(format!("hint {:?}", it.size_hint()));
        }
        let x = if (plan >> (step % 64)) & 1 == 1 {
            it.next_back()
        } else {
            it.next()
        };
        let end = x.is_none();
        t.push(format!("{x:?}"));
        if end {
            t.push(format!(
                "fused {}",
                it.next().is_none() && it.next_back().is_none()
            ));
            return;
        }
    }
}
