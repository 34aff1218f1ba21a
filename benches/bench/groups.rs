//! The operation groups: one criterion group per [`Op`], holding every map
//! of a [`MapList`] at every n. Each operation is one generic function over
//! [`Timed`] in its area's module; a map that lacks an operation is left out
//! of its group. The root's benches (`benches/bench.rs`) and the peers'
//! (`peers/benches/peers.rs`) both include this file by path, with the
//! support module at their crate root.

#[path = "build.rs"]
mod build;
#[path = "lookup.rs"]
mod lookup;
#[path = "remove.rs"]
mod remove;
#[path = "scan.rs"]
mod scan;

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};

use crate::support::{MapList, MapVisitor, Op, Timed, Workload};

/// A benchmark group of one operation.
pub type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// The criterion settings of both crates' benches: 20 samples after 1 s
/// of warm-up, 2 s each (command-line flags such as `--measurement-time`
/// override them).
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(1000))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

/// Sizes measured; 10⁶ only when `BPTREE_BENCH_LARGE=1`.
pub fn sizes() -> Vec<usize> {
    let mut sizes = vec![1_000, 100_000];
    if std::env::var_os("BPTREE_BENCH_LARGE").is_some_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    sizes
}

/// Adds the group of every operation, each holding the maps of `L` at
/// every workload's n.
pub fn operations<L: MapList>(c: &mut Criterion, workloads: &[Workload]) {
    for op in Op::ALL {
        let mut group = c.benchmark_group(op.name());
        for workload in workloads {
            group.throughput(Throughput::Elements(op.elements(workload) as u64));
            L::for_each(&mut Each {
                op,
                group: &mut group,
                workload,
            });
        }
        group.finish();
    }
}

/// Adds one operation's benchmark for each map it visits.
struct Each<'g, 'c, 'w> {
    op: Op,
    group: &'g mut Group<'c>,
    workload: &'w Workload,
}

impl MapVisitor for Each<'_, '_, '_> {
    /// Adds the benchmark of map type `M`, named `name`, unless `M` lacks
    /// the operation. Each builds what it needs from the workload
    /// (untimed).
    fn visit<M: Timed>(&mut self, name: &'static str) {
        if M::LACKS.contains(&self.op) {
            return;
        }
        let (g, w) = (&mut *self.group, self.workload);
        let id = BenchmarkId::new(name, w.n());
        match self.op {
            Op::GetHit => lookup::get_hit::<M>(g, id, w),
            Op::GetMiss => lookup::get_miss::<M>(g, id, w),
            Op::InsertRandom => build::insert_random::<M>(g, id, w),
            Op::InsertAscending => build::insert_ascending::<M>(g, id, w),
            Op::RemoveRandom => remove::remove_random::<M>(g, id, w),
            Op::Iterate => scan::iterate::<M>(g, id, w),
            Op::Range => scan::range::<M>(g, id, w),
            Op::Clone => build::clone::<M>(g, id, w),
            Op::Drop => remove::drop::<M>(g, id, w),
            Op::Build => build::bulk::<M>(g, id, w),
        }
    }
}

/// Times `query` on a map built by random insertion (the build is not
/// timed): the shape shared by every read-only operation.
pub fn on_random_map<M: Timed, R>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload,
    query: impl Fn(&M) -> R,
) {
    let m: M = w.insert_random();
    g.bench_function(id, |b| b.iter(|| query(&m)));
}
