//! Differential tests: random op sequences run on every configuration and on
//! `std::collections::BTreeMap`, which must agree after every op; invariants
//! are checked every `CHECK_EVERY` ops and after each sequence.
//!
//! The test body is written once (`common::run_ops`, generic over handle,
//! arena and capacity) and instantiated per configuration by the
//! `configurations!` macro below.
//!
//! Op counts per run (debug `cargo test`, the default): each *named*
//! configuration (the four phases, the default, `Compact16`/`PoolArena`/32
//! and the deep `CAP = 4` tree) runs `NAMED_SMALL + NAMED_WIDE` cases of
//! `LEN` ops (mean 1,000) plus `NAMED_BIG` cases of `BIG_LEN` ops: about
//! 1.04 million top-level ops each (the runs of `Extend*` ops insert many
//! entries but count once). The storage variants run a fifth of that. Each
//! test prints its exact count (`cargo test -- --nocapture`);
//! `PROPTEST_CASES=n` overrides the case count of every proptest here.
//! Under Miri everything shrinks to a few short cases.

mod common;

use std::collections::BTreeMap;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use bptree::phase::{Phase0, Phase1, Phase2, Phase3};
use bptree::policy::{ArenaStrategy, Boxed, Growing, Handle, Inline, MaskedArena};
use bptree::{BPlusTreeMap, Compact16, PoolArena, VecArena, Wide32};
use common::{
    K, KeySpace, Map, V, XorShift, apply, full_check, ops_strategy, quietly, random_op, run_ops,
    run_proptest, seed_of,
};

/// Sequence lengths (mean 1,000).
const LEN: std::ops::Range<usize> = if cfg!(miri) { 0..40 } else { 1..2000 };
/// Sequence lengths of the big-key-space test.
const BIG_LEN: std::ops::Range<usize> = if cfg!(miri) { 0..20 } else { 1..2000 };

const fn cases(n: u32) -> u32 {
    if cfg!(miri) { 2 } else { n }
}

/// Cases per test for a named configuration.
const NAMED_SMALL: u32 = cases(500);
const NAMED_WIDE: u32 = cases(500);
const NAMED_BIG: u32 = cases(40);
/// Cases per test for a storage variant.
const VARIANT_SMALL: u32 = cases(100);
const VARIANT_WIDE: u32 = cases(100);
const VARIANT_BIG: u32 = cases(8);

fn differential<H: Handle, A: ArenaStrategy, const CAP: usize>(
    name: &str,
    make: fn() -> Map<H, A, CAP>,
    space: KeySpace,
    len: std::ops::Range<usize>,
    cases: u32,
) {
    let strategy = ops_strategy(space, len);
    run_proptest(name, cases, &strategy, |ops| run_ops(make(), ops));
}

/// Ops of the long run per named configuration.
const LONG_NAMED: u64 = 100_000_000;
/// Ops of the long run per storage variant.
const LONG_VARIANT: u64 = 10_000_000;
/// Ops per sequence of the long run: each sequence starts from an empty map.
const LONG_SEQ: u64 = 100_000;
/// Ops between two full checks (invariants and contents) in the long run.
const LONG_CHECK_EVERY: u64 = 1_024;

/// The long differential run (ignored by default): `BPTREE_LONG_OPS` random
/// ops (default [`LONG_NAMED`] for a named configuration, [`LONG_VARIANT`]
/// for a storage variant) against `BTreeMap`, in sequences of [`LONG_SEQ`] ops
/// whose key space rotates (small, medium, wide and big trees). Every op's
/// result and the length are compared; invariants and contents every
/// [`LONG_CHECK_EVERY`] ops and at each sequence's end. A failure names the
/// sequence and op, which `BPTREE_LONG_FROM=<sequence>` replays first.
///
/// `cargo test --release --test differential -- --ignored long_run`
fn long_run<H: Handle, A: ArenaStrategy, const CAP: usize>(
    name: &str,
    make: fn() -> Map<H, A, CAP>,
    default_ops: u64,
) {
    let env = |var: &str, default: u64| {
        std::env::var(var)
            .ok()
            .and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or(default)
    };
    let total = env("BPTREE_LONG_OPS", default_ops);
    let from = env("BPTREE_LONG_FROM", 0);
    let spaces = [
        KeySpace::Small(64),
        KeySpace::Small(2_048),
        KeySpace::Wide,
        KeySpace::Big,
    ];
    let start = std::time::Instant::now();
    let mut done = 0u64;
    let mut seq = from;
    while done < total {
        let space = spaces[(seq % spaces.len() as u64) as usize];
        let mut rng = XorShift::new(seed_of(name) ^ seq.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut map = make();
        let mut oracle = BTreeMap::new();
        let len = LONG_SEQ.min(total - done);
        for step in 0..len {
            let op = random_op(space, &mut rng);
            let context = Context(name, seq, step, &op);
            apply(&mut map, &mut oracle, &op);
            assert_eq!(map.len(), oracle.len(), "len");
            if step % LONG_CHECK_EVERY == LONG_CHECK_EVERY - 1 || step == len - 1 {
                full_check(&map, &oracle);
            }
            std::mem::forget(context);
        }
        done += len;
        seq += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name}: {done} ops in {} sequences, {secs:.1} s ({:.0} ns/op), all agree with BTreeMap",
        seq - from,
        secs * 1e9 / done as f64
    );

    /// Names the failing op when a check panics (forgotten on success).
    struct Context<'a>(&'a str, u64, u64, &'a common::Op);
    impl Drop for Context<'_> {
        fn drop(&mut self) {
            let Context(name, seq, step, op) = self;
            eprintln!(
                "{name}: failed in sequence {seq} (BPTREE_LONG_FROM={seq}), op {step}: {op:?}"
            );
        }
    }
}

/// `range` panics exactly when std's does: for every pair of bound kinds
/// and every order of the two keys, on an empty and a non-empty map.
fn range_panics<H: Handle, A: ArenaStrategy, const CAP: usize>(make: fn() -> Map<H, A, CAP>) {
    fn bounds(k: K) -> [Bound<K>; 3] {
        [Included(k), Excluded(k), Unbounded]
    }
    let sizes = [0u32, 1, 3, 300];
    for n in sizes {
        let mut map = make();
        let mut oracle = BTreeMap::new();
        for k in 0..n {
            map.insert(k * 2, V::from(k));
            oracle.insert(k * 2, V::from(k));
        }
        for (a, b) in [(4, 4), (3, 3), (2, 5), (5, 2), (0, 600), (600, 0), (7, 6)] {
            for s in bounds(a) {
                for e in bounds(b) {
                    let theirs = quietly(|| oracle.range((s, e)).count()).ok();
                    let ours = quietly(|| map.range((s, e)).count()).ok();
                    assert_eq!(ours, theirs, "range({s:?}, {e:?}) on {n} entries");
                    let ours = quietly(|| map.range::<K, _>((s.as_ref(), e.as_ref())).count()).ok();
                    assert_eq!(ours, theirs, "range(&{s:?}, &{e:?}) on {n} entries");
                    let theirs_mut = quietly(|| oracle.range_mut((s, e)).count()).ok();
                    let ours_mut = quietly(|| map.range_mut((s, e)).count()).ok();
                    assert_eq!(
                        ours_mut, theirs_mut,
                        "range_mut({s:?}, {e:?}) on {n} entries"
                    );
                }
            }
        }
        // Range syntax, where std's panics come from the same checks.
        #[allow(clippy::reversed_empty_ranges)]
        {
            let cases: [(Option<usize>, Option<usize>); 4] = [
                (
                    quietly(|| map.range(5..2).count()).ok(),
                    quietly(|| oracle.range(5..2).count()).ok(),
                ),
                (
                    quietly(|| map.range(5..=2).count()).ok(),
                    quietly(|| oracle.range(5..=2).count()).ok(),
                ),
                (
                    quietly(|| map.range(4..4).count()).ok(),
                    quietly(|| oracle.range(4..4).count()).ok(),
                ),
                (
                    quietly(|| map.range(4..=4).count()).ok(),
                    quietly(|| oracle.range(4..=4).count()).ok(),
                ),
            ];
            for (i, (ours, theirs)) in cases.into_iter().enumerate() {
                assert_eq!(ours, theirs, "syntax case {i} on {n} entries");
            }
        }
    }
}

/// One module per configuration: `$map` is the map type with `K`, `V`.
macro_rules! configurations {
    ($($name:ident: $map:ty, $small:expr, $wide:expr, $big:expr, $long:expr;)*) => {$(
        mod $name {
            use super::*;

            fn make() -> $map {
                <$map>::empty()
            }

            #[test]
            fn small_keys() {
                let name = concat!(stringify!($name), "::small_keys");
                differential(name, make, KeySpace::Small(256), LEN, $small);
            }

            #[test]
            fn wide_keys() {
                let name = concat!(stringify!($name), "::wide_keys");
                differential(name, make, KeySpace::Wide, LEN, $wide);
            }

            #[test]
            fn big_trees() {
                let name = concat!(stringify!($name), "::big_trees");
                differential(name, make, KeySpace::Big, BIG_LEN, $big);
            }

            #[test]
            fn range_panics_like_std() {
                range_panics(make);
            }

            #[test]
            #[ignore = "10^8 ops: run once in release (see long_run)"]
            fn long_run() {
                super::long_run(concat!(stringify!($name), "::long_run"), make, $long);
            }
        }
    )*};
}

configurations! {
    // The named configurations.
    phase0: Phase0<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    phase1: Phase1<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    phase2: Phase2<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    phase3: Phase3<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    default_config: BPlusTreeMap<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    compact16_pool_32: BPlusTreeMap<K, V, Compact16, PoolArena, 32>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    deep_cap4: BPlusTreeMap<K, V, Wide32, VecArena, 4>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    compact: bptree::phase::Compact<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    indexed: bptree::phase::Indexed<K, V>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    // Counts (checked by `check_invariants`) under every op, in deep trees.
    counted_cap4: BPlusTreeMap<K, V, Wide32, bptree::policy::Counted<VecArena>, 4>, NAMED_SMALL, NAMED_WIDE, NAMED_BIG, LONG_NAMED;
    counted_pool_growing_cap5: BPlusTreeMap<K, V, Compact16, bptree::policy::Counted<PoolArena<Growing>>, 5>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    counted_indirect_adaptive_cap4: BPlusTreeMap<K, V, bptree::policy::Adaptive, bptree::policy::Indirect<bptree::policy::Counted<VecArena<Boxed>>>, 4>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    // Storage and arena variants, with small and odd capacities.
    vec_boxed_cap5: BPlusTreeMap<K, V, Wide32, VecArena<Boxed>, 5>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    vec_growing_compact_cap9: BPlusTreeMap<K, V, Compact16, VecArena<Growing>, 9>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    pool_growing_compact_cap4: BPlusTreeMap<K, V, Compact16, PoolArena<Growing>, 4>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    pool_inline_wide_cap7: BPlusTreeMap<K, V, Wide32, PoolArena<Inline>, 7>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    masked_inline_cap6: BPlusTreeMap<K, V, Wide32, MaskedArena, 6>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    masked_boxed_compact_cap16: BPlusTreeMap<K, V, Compact16, MaskedArena<Boxed>, 16>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
    indirect_vec_cap4: BPlusTreeMap<K, V, Compact16, bptree::policy::Indirect<VecArena>, 4>, VARIANT_SMALL, VARIANT_WIDE, VARIANT_BIG, LONG_VARIANT;
}

/// The op mix reaches every op, iterator kind, range spelling and
/// rebuild kind, and some ranges are invalid.
#[test]
fn op_mix_covers_every_op() {
    use common::{Op, op_strategy};
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use std::collections::HashSet;
    use std::mem::discriminant;

    let mut runner = TestRunner::deterministic();
    let strategy = op_strategy(KeySpace::Small(256));
    let (mut ops, mut iters, mut forms, mut rebuilds) = (
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
    );
    let (mut inverted, mut both_excluded_equal) = (0, 0);
    for _ in 0..if cfg!(miri) { 2_000 } else { 50_000 } {
        let op = strategy.new_tree(&mut runner).unwrap().current();
        ops.insert(discriminant(&op));
        match &op {
            Op::Iter(kind, _, _) => {
                iters.insert(discriminant(kind));
            }
            Op::Rebuild(how) => {
                rebuilds.insert(discriminant(how));
            }
            Op::Range(spec) | Op::RangeMut(spec, _) | Op::ExtractIf(spec, _, _) => {
                forms.insert(discriminant(&spec.form));
                match (spec.start, spec.end) {
                    (Included(s) | Excluded(s), Included(e) | Excluded(e)) if s > e => {
                        inverted += 1;
                    }
                    (Excluded(s), Excluded(e)) if s == e => both_excluded_equal += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(ops.len(), 26, "op kinds seen");
    assert_eq!(iters.len(), 9, "iterator kinds seen");
    assert_eq!(forms.len(), 3, "range spellings seen");
    assert_eq!(rebuilds.len(), 3, "rebuild kinds seen");
    assert!(inverted > 0 && both_excluded_equal > 0);
}
