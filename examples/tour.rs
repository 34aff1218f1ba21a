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

use bptree::archive;
use bptree::config::{ConfigList, ConfigVisitor};
use bptree::{BPlusTreeMap, TreeConfig};
use rkyv::rancor::BoxedError;
use support::{
    Archive, Baseline, CountingAlloc, Map, Order, OurArchive, StdArchive, Subject, Table, Timed,
    Under, Workload,
};

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
            "archive B/e",
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
        let canonical =
            BPlusTreeMap::<u64, u64>::bulk(baseline.iter().map(|(&k, &v)| (k, v))).archive();
        let mut tour = Tour {
            workload: &workload,
            baseline: &baseline,
            canonical: &canonical,
            table: &mut table,
            failures: &mut failures,
        };
        tour.row("BTreeMap", &baseline);
        Under::for_each(&mut tour);
    }
    table.print();
    println!();
    if let Err(e) = archive_report() {
        failures.push(format!("archive at n = {ARCHIVE_N}: {e}"));
    }
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

/// The size of the archive the tour saves, opens and queries.
const ARCHIVE_N: usize = 1_000_000;

/// Saves an archive of [`ARCHIVE_N`] entries to a file, opens it with and
/// without validation, checks it against `BTreeMap`, and prints its size
/// and its speed against the in-memory `BTreeMap` and against rkyv's own
/// `ArchivedBTreeMap` of the same entries.
fn archive_report() -> Result<(), String> {
    type Ours = BPlusTreeMap<u64, u64>;
    let w = Workload::new(ARCHIVE_N);
    let map = Ours::bulk(w.ascending.iter().map(|&k| (k, k)));
    // The in-memory baseline is built as the tour builds it, by random inserts.
    let base: Baseline = w.insert_random();
    let path = std::env::temp_dir().join(format!("bptree-tour-{}.bpt", std::process::id()));
    archive::save(&map, &path).map_err(|e| e.to_string())?;
    let result = (|| {
        let file_bytes = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let payload = (ARCHIVE_N * 2 * size_of::<u64>()) as u64;
        let std_bytes = base.archive();

        let open = support::median_secs(|| {
            // SAFETY: this process wrote the file just now, and nothing
            // writes it while it is mapped.
            unsafe { archive::open::<Ours>(&path) }.expect("valid")
        });
        let load = support::median_secs(|| archive::load::<Ours>(&path).expect("valid"));
        let open_unchecked = support::median_secs(|| {
            // SAFETY: this process wrote the file just now, and nothing
            // else writes it.
            unsafe { archive::open_unchecked::<Ours>(&path) }.expect("valid")
        });
        let from_bytes = support::median_secs(|| {
            rkyv::from_bytes::<Baseline, BoxedError>(&std_bytes).expect("valid")
        });

        // SAFETY: as for `open` above.
        let file = unsafe { archive::open::<Ours>(&path) }.map_err(|e| e.to_string())?;
        let ours: &OurArchive = &file;
        // SAFETY: unchecked open of the same file gives the same archive.
        let unchecked =
            unsafe { archive::open_unchecked::<Ours>(&path) }.map_err(|e| e.to_string())?;
        let theirs =
            rkyv::access::<StdArchive, BoxedError>(&std_bytes).map_err(|e| e.to_string())?;
        for a in [ours, &*unchecked] {
            if w.archive_get_hits(a) != w.archive_get_hits(&base) || a.sum_all() != base.sum_all() {
                return Err("the opened archive answers differently from BTreeMap".into());
            }
            if w.archive_ranges(a) != w.archive_ranges(&base) {
                return Err("the opened archive's ranges differ from BTreeMap's".into());
            }
        }

        // Ours against the in-memory map and against rkyv's archive.
        macro_rules! vs {
            ($a:ident => $op:expr) => {
                (
                    support::time_ratio(
                        || {
                            let $a = ours;
                            $op
                        },
                        || {
                            let $a = &base;
                            $op
                        },
                    ),
                    support::time_ratio(
                        || {
                            let $a = ours;
                            $op
                        },
                        || {
                            let $a = theirs;
                            $op
                        },
                    ),
                )
            };
        }
        let get = vs!(a => w.archive_get_hits(a));
        let iter = vs!(a => a.sum_all());
        let range = vs!(a => w.archive_ranges(a));

        println!(
            "Archive of n = {ARCHIVE_N} u64 keys and values (BPlusTreeMap<u64, u64>, saved with \
             bptree::archive::save, opened with the unsafe archive::open, which maps the file and \
             validates it, and archive::open_unchecked, which does not validate; archive::load \
             reads the file into memory and validates it, safely):"
        );
        let mut t = Table::new(&["measure", "ours", "against", "ratio"], 3);
        t.row(vec![
            "file bytes".into(),
            file_bytes.to_string(),
            format!("payload {payload}"),
            format!("{:.3}", file_bytes as f64 / payload as f64),
        ]);
        t.row(vec![
            "open, validated".into(),
            format!("{:.2} ms", open * 1e3),
            format!("rkyv::from_bytes into BTreeMap {:.1} ms", from_bytes * 1e3),
            format!("{:.3}", open / from_bytes),
        ]);
        t.row(vec![
            "load (read, validated)".into(),
            format!("{:.2} ms", load * 1e3),
            format!("rkyv::from_bytes into BTreeMap {:.1} ms", from_bytes * 1e3),
            format!("{:.3}", load / from_bytes),
        ]);
        t.row(vec![
            "open, unchecked".into(),
            format!("{:.1} us", open_unchecked * 1e6),
            "(no work proportional to n)".into(),
            String::new(),
        ]);
        for (op, (mem, rkyv)) in [
            ("get, random hits", get),
            ("iterate all", iter),
            ("range of 100", range),
        ] {
            t.row(vec![
                op.into(),
                String::new(),
                "in-memory BTreeMap".into(),
                format!("{mem:.2}"),
            ]);
            t.row(vec![
                op.into(),
                String::new(),
                "rkyv ArchivedBTreeMap".into(),
                format!("{rkyv:.2}"),
            ]);
        }
        t.print();
        Ok(())
    })();
    let _ = std::fs::remove_file(&path);
    result
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
    /// The archive of the baseline's entries, as every configuration must
    /// write it.
    canonical: &'a [u8],
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

        // The rkyv archive: ours must validate, hold exactly the baseline's
        // entries, be the same bytes whatever configuration wrote it, and
        // read back into this configuration as an equal map.
        let archive = map.archive();
        if let Err(e) = M::check_archive(&archive, base, self.canonical) {
            self.failures
                .push(format!("{name} at n = {}: archive: {e}", w.n()));
        }

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
            format!("{:.1}", archive.len() as f64 / w.n() as f64),
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
