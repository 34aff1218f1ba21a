//! The criterion benches: every operation of the speed table in GOALS.md,
//! each a group holding `BTreeMap` and every configuration at every n.
//!
//! ```text
//! cargo bench                                # n = 1 000 and 100 000, ~11 minutes
//! BPTREE_BENCH_LARGE=1 cargo bench           # also n = 1 000 000
//! cargo bench -- 'get_hit/Phase3'            # one group, one configuration
//! cargo bench -- archive_                    # the archive groups (bench/archive.rs)
//! ```
//!
//! Keys are `u64` from a seeded PRNG (the main-job example's [`Workload`]),
//! values `u64`. Speed is reported as a ratio to `BTreeMap` in the same
//! group: compare medians within a group, never across runs. The
//! configurations are `support::Under` (in `examples/support/mod.rs`), a
//! list of `TreeConfig` types that each group runs through a
//! `ConfigVisitor`, after `BTreeMap`; each operation is one generic function
//! in its area's module, and benchmark ids are the configurations' names.

#[path = "../examples/support/mod.rs"]
mod support;

#[path = "bench/archive.rs"]
mod archive;
#[path = "bench/build.rs"]
mod build;
#[path = "bench/lookup.rs"]
mod lookup;
#[path = "bench/remove.rs"]
mod remove;
#[path = "bench/scan.rs"]
mod scan;

use std::time::Duration;

use bptree::TreeConfig;
use bptree::config::{ConfigList, ConfigVisitor};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use support::{Baseline, Map, Subject, Under, Workload};

/// A benchmark group of one operation.
pub type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// Sizes measured; 10⁶ only when `BPTREE_BENCH_LARGE=1`.
fn sizes() -> Vec<usize> {
    let mut sizes = vec![1_000, 100_000];
    if std::env::var_os("BPTREE_BENCH_LARGE").is_some_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    sizes
}

/// The operations, by area. Each builds what it needs from the workload
/// (untimed), then adds one benchmark `id` to the group.
#[derive(Clone, Copy)]
enum Op {
    GetHit,
    GetMiss,
    InsertRandom,
    InsertAscending,
    RemoveRandom,
    Iterate,
    Range,
    Clone,
}

impl Op {
    const ALL: [Op; 8] = [
        Op::GetHit,
        Op::GetMiss,
        Op::InsertRandom,
        Op::InsertAscending,
        Op::RemoveRandom,
        Op::Iterate,
        Op::Range,
        Op::Clone,
    ];

    /// The group name.
    fn name(self) -> &'static str {
        match self {
            Op::GetHit => "get_hit",
            Op::GetMiss => "get_miss",
            Op::InsertRandom => "insert_random",
            Op::InsertAscending => "insert_ascending",
            Op::RemoveRandom => "remove_random",
            Op::Iterate => "iterate",
            Op::Range => "range_100",
            Op::Clone => "clone",
        }
    }

    /// Elements one timed call handles.
    fn elements(self, w: &Workload) -> usize {
        match self {
            Op::Range => w.range_starts.len() * support::RANGE_LEN,
            _ => w.n(),
        }
    }

    fn bench<M: Subject>(self, g: &mut Group, id: BenchmarkId, w: &Workload) {
        match self {
            Op::GetHit => lookup::get_hit::<M>(g, id, w),
            Op::GetMiss => lookup::get_miss::<M>(g, id, w),
            Op::InsertRandom => build::insert_random::<M>(g, id, w),
            Op::InsertAscending => build::insert_ascending::<M>(g, id, w),
            Op::RemoveRandom => remove::remove_random::<M>(g, id, w),
            Op::Iterate => scan::iterate::<M>(g, id, w),
            Op::Range => scan::range::<M>(g, id, w),
            Op::Clone => build::clone::<M>(g, id, w),
        }
    }
}

/// Adds one operation's benchmark for each configuration it visits.
struct Each<'g, 'c, 'w> {
    op: Op,
    group: &'g mut Group<'c>,
    workload: &'w Workload,
}

impl Each<'_, '_, '_> {
    /// Adds the benchmark of map type `M`, named `name`.
    fn add<M: Subject>(&mut self, name: &str) {
        let id = BenchmarkId::new(name, self.workload.n());
        self.op.bench::<M>(self.group, id, self.workload);
    }
}

impl ConfigVisitor for Each<'_, '_, '_> {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        self.add::<Map<C, CAP>>(C::NAME);
    }
}

/// Times `query` on a map built by random insertion (the build is not
/// timed): the shape shared by every read-only operation.
pub fn on_random_map<M: Subject, R>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload,
    query: impl Fn(&M) -> R,
) {
    let m: M = w.insert_random();
    g.bench_function(id, |b| b.iter(|| query(&m)));
}

fn all(c: &mut Criterion) {
    let workloads: Vec<Workload> = sizes().into_iter().map(Workload::new).collect();
    for op in Op::ALL {
        let mut group = c.benchmark_group(op.name());
        for workload in &workloads {
            group.throughput(Throughput::Elements(op.elements(workload) as u64));
            let mut each = Each {
                op,
                group: &mut group,
                workload,
            };
            each.add::<Baseline>("BTreeMap");
            Under::for_each(&mut each);
        }
        group.finish();
    }
    archive::archive(c, &workloads);
}

criterion_group! {
    name = benches;
    // 8 operations x 2 sizes x 9 maps (BTreeMap and the 8 of `Under`) at
    // ~3.5 s each, builds included: about 11 minutes.
    // Command-line flags (--warm-up-time, --measurement-time,
    // --sample-size) override these.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(1000))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = all
}
criterion_main!(benches);
