//! The main job: every configuration beside std's `BTreeMap`, measured in one table.
//!
//! The configurations are `support::Under`, a list of `TreeConfig` types;
//! one generic `ConfigVisitor` measures each, and a table of their names,
//! layouts and descriptions comes first.
//!
//! ```text
//! cargo run --release --example tour
//! ```
//!
//! For n in {10, 1000, 100 000} seeded random `u64` keys (to `u64` values)
//! it builds each configuration, checks its contents against `BTreeMap`'s and
//! its invariants, then reports its stack size, its memory per entry from a
//! counting global allocator (built in each insertion order, measured by the
//! same function as the memory report, `examples/memory.rs`), and its time
//! against `BTreeMap` measured in the same run. The criterion benches (`cargo bench`) are the published speed
//! numbers; these ratios are a quick look.

mod support;

use bptree::TreeConfig;
use bptree::config::{ConfigList, ConfigVisitor};
use support::{Baseline, CountingAlloc, Map, Order, Subject, Table, Under, Workload};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

/// The sizes the tour measures.
const SIZES: [usize; 3] = [10, 1000, 100_000];

fn main() {
    ALLOC.assert_installed();
    println!(
        "bptree tour: every configuration beside std's BTreeMap; u64 keys from a seeded \
         xorshift PRNG, u64 values.\n\
         layout: handle width, arena/node storage, entries per node.\n\
         size_of: the map itself (stack), bytes. B/e: (live heap bytes from a counting \
         allocator, Vec spare capacity included, + size_of) / n, the map built from n keys \
         inserted in random order, inserted ascending, or bulk-built from the sorted keys \
         (ours: from_sorted_iter; BTreeMap: collect). allocs: live heap allocations of the \
         random-order map. The memory report (cargo run --release --example memory) has \
         every n.\n\
         insert, get, iter: time ratio ours / BTreeMap in this run, medians of alternating \
         warmed-up blocks (lower is better): insert n random keys into an empty map; get \
         every key (hits) in another random order; iterate all.\n\
         Ratios on a shared machine are noisy: the BTreeMap row times BTreeMap against \
         itself, so its distance from 1.00 is the noise. The published speed numbers are \
         the criterion benches (cargo bench).\n"
    );
    let mut configurations =
        Configurations(Table::new(&["configuration", "layout", "description"], 3));
    configurations.0.row(vec![
        "BTreeMap".into(),
        Baseline::layout(),
        "std::collections::BTreeMap, the baseline: every row is measured against it".into(),
    ]);
    Under::for_each(&mut configurations);
    configurations.0.print();
    println!();

    let mut table = Table::new(
        &[
            "n",
            "configuration",
            "size_of",
            "B/e random",
            "B/e ascending",
            "B/e bulk",
            "allocs",
            "insert",
            "get",
            "iter",
        ],
        2,
    );
    let mut failures = Vec::new();
    for (i, n) in SIZES.into_iter().enumerate() {
        if i > 0 {
            table.rule();
        }
        let workload = Workload::new(n);
        // Built once, first, on a quiet heap: the most favourable layout
        // for BTreeMap, whose nodes are separate allocations.
        let baseline: Baseline = workload.insert_random();
        let mut tour = Tour {
            workload: &workload,
            baseline: &baseline,
            table: &mut table,
            failures: &mut failures,
        };
        tour.row("BTreeMap", &baseline);
        Under::for_each(&mut tour);
    }
    table.print();
    if failures.is_empty() {
        println!(
            "\nEvery configuration at every n: contents equal BTreeMap's, check_invariants() passed."
        );
    } else {
        println!();
        for failure in &failures {
            println!("FAILED: {failure}");
        }
        std::process::exit(1);
    }
}

/// The configurations under test, a row each: name, layout, description.
struct Configurations(Table);

impl ConfigVisitor for Configurations {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        let description = C::DESCRIPTION.to_string();
        self.0
            .row(vec![C::NAME.into(), Map::<C, CAP>::layout(), description]);
    }
}

/// Measures configurations at one n, a row each.
struct Tour<'a> {
    workload: &'a Workload,
    /// `BTreeMap` built from the same keys in the same order.
    baseline: &'a Baseline,
    table: &'a mut Table,
    failures: &'a mut Vec<String>,
}

impl ConfigVisitor for Tour<'_> {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        let map: Map<C, CAP> = self.workload.insert_random();
        self.row(C::NAME, &map);
    }
}

impl Tour<'_> {
    /// Verifies `map` (built by random insertion) and measures it against
    /// the baseline.
    fn row<M: Subject>(&mut self, name: &str, map: &M) {
        let (w, base) = (self.workload, self.baseline);
        if let Err(e) = verify(map, base) {
            self.failures.push(format!("{name} at n = {}: {e}", w.n()));
        }

        // rkyv archive round-trip: a later issue archives `map` here, checks
        // that the archive opens, validates and answers like `map`, and adds
        // its columns (archive bytes per entry, open and get ratios).

        let [random, ascending, bulk] = Order::ALL.map(|order| ALLOC.measure::<M>(w, order));
        let insert =
            support::time_ratio(|| w.insert_random::<M>(), || w.insert_random::<Baseline>());
        let get = support::time_ratio(|| w.get_hits(map), || w.get_hits(base));
        let iter = support::time_ratio(|| w.iterate(map), || w.iterate(base));
        self.table.row(vec![
            w.n().to_string(),
            name.to_string(),
            size_of::<M>().to_string(),
            format!("{:.1}", random.bytes_per_entry()),
            format!("{:.1}", ascending.bytes_per_entry()),
            format!("{:.1}", bulk.bytes_per_entry()),
            random.allocations.to_string(),
            format!("{insert:.2}"),
            format!("{get:.2}"),
            format!("{iter:.2}"),
        ]);
    }
}

/// Same entries in the same order as `base`, and the map's own invariants.
fn verify<M: Subject>(map: &M, base: &Baseline) -> Result<(), String> {
    map.check()?;
    if map.len() != base.len() {
        return Err(format!("len {} != BTreeMap's {}", map.len(), base.len()));
    }
    match map.iter().zip(base.iter()).position(|(a, b)| a != b) {
        Some(i) => Err(format!("entry {i} differs from BTreeMap's")),
        None => Ok(()),
    }
}
