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

use crate::support::{
    IdKeys, KeySet, MapList, MapVisitor, Op, Timed, TupleKeys, U32Keys, WideValues, WordKeys,
    Workload,
};

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

/// The n of the key-set groups ([`keyed`]).
pub const KEYED_N: usize = 100_000;

/// The operations of the key-set groups.
pub const KEYED_OPS: [Op; 3] = [Op::GetHit, Op::InsertRandom, Op::RemoveRandom];

/// Adds the key-set groups: for every key set but `u64 -> u64` (which the
/// [`operations`] groups measure), `get_hit`, `insert_random` and
/// `remove_random` at n = [`KEYED_N`], one group per operation and key set
/// (named `<op>_<keys>`, e.g. `get_hit_ids`) holding the maps of `L` for it
/// (`BTreeMap` first).
pub fn keyed<L>(c: &mut Criterion)
where
    L: MapList<U32Keys>
        + MapList<IdKeys>
        + MapList<WordKeys>
        + MapList<TupleKeys>
        + MapList<WideValues>,
{
    keyed_groups::<U32Keys, L>(c);
    keyed_groups::<IdKeys, L>(c);
    keyed_groups::<WordKeys, L>(c);
    keyed_groups::<TupleKeys, L>(c);
    keyed_groups::<WideValues, L>(c);
}

/// The key-set groups of key set `S`.
fn keyed_groups<S: KeySet, L: MapList<S>>(c: &mut Criterion) {
    let workload = Workload::<S>::generate(KEYED_N);
    for op in KEYED_OPS {
        let mut group = c.benchmark_group(format!("{}_{}", op.name(), S::NAME));
        group.throughput(Throughput::Elements(op.elements(&workload) as u64));
        L::for_each(&mut EachKeyed(Each {
            op,
            group: &mut group,
            workload: &workload,
        }));
        group.finish();
    }
}

/// [`Each`] for the key-set groups: only [`KEYED_OPS`] are compiled for
/// their maps (compile time: the other operations' code is never built for
/// these key types).
struct EachKeyed<'g, 'c, 'w, S: KeySet>(Each<'g, 'c, 'w, S>);

impl<S: KeySet> MapVisitor for EachKeyed<'_, '_, '_, S> {
    type Keys = S;
    fn visit<M: Timed<S::Key, S::Value>>(&mut self, name: &'static str) {
        if M::LACKS.contains(&self.0.op) {
            return;
        }
        let (g, w) = (&mut *self.0.group, self.0.workload);
        let id = BenchmarkId::new(name, w.n());
        match self.0.op {
            Op::GetHit => lookup::get_hit::<S, M>(g, id, w),
            Op::InsertRandom => build::insert_random::<S, M>(g, id, w),
            Op::RemoveRandom => remove::remove_random::<S, M>(g, id, w),
            op => unreachable!("{} is not among KEYED_OPS", op.name()),
        }
    }
}

/// Adds one operation's benchmark for each map it visits.
struct Each<'g, 'c, 'w, S: KeySet> {
    op: Op,
    group: &'g mut Group<'c>,
    workload: &'w Workload<S>,
}

impl<S: KeySet> MapVisitor for Each<'_, '_, '_, S> {
    type Keys = S;
    /// Adds the benchmark of map type `M`, named `name`, unless `M` lacks
    /// the operation. Each builds what it needs from the workload
    /// (untimed).
    fn visit<M: Timed<S::Key, S::Value>>(&mut self, name: &'static str) {
        if M::LACKS.contains(&self.op) {
            return;
        }
        let (g, w) = (&mut *self.group, self.workload);
        let id = BenchmarkId::new(name, w.n());
        match self.op {
            Op::GetHit => lookup::get_hit::<S, M>(g, id, w),
            Op::GetMiss => lookup::get_miss::<S, M>(g, id, w),
            Op::InsertRandom => build::insert_random::<S, M>(g, id, w),
            Op::InsertAscending => build::insert_ascending::<S, M>(g, id, w),
            Op::RemoveRandom => remove::remove_random::<S, M>(g, id, w),
            Op::Iterate => scan::iterate::<S, M>(g, id, w),
            Op::Range => scan::range::<S, M>(g, id, w),
            Op::Clone => build::clone::<S, M>(g, id, w),
            Op::Drop => remove::drop::<S, M>(g, id, w),
            Op::Build => build::bulk::<S, M>(g, id, w),
        }
    }
}

/// Times `query` on a map built by random insertion (the build is not
/// timed): the shape shared by every read-only operation.
pub fn on_random_map<S: KeySet, M: Timed<S::Key, S::Value>, R>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
    query: impl Fn(&M) -> R,
) {
    let m: M = w.insert_random();
    g.bench_function(id, |b| b.iter(|| query(&m)));
}
