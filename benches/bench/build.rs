//! Building maps: insertion into an empty map, `clone`, and the bulk build
//! from sorted pairs.

use criterion::BenchmarkId;

use super::{Group, on_random_map};
use crate::support::{Order, Timed, Workload};

/// Insert every key, in random order, into an empty map (the map is
/// dropped outside the timing).
pub fn insert_random<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert_random::<M>()));
}

/// Insert every key, ascending, into an empty map (dropped untimed).
pub fn insert_ascending<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert_ascending::<M>()));
}

/// Clone a map built by random insertion, and drop the clone (both timed).
pub fn clone<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, M::duplicate);
}

/// Build a map at once from the sorted pairs (ours: `from_sorted_iter`;
/// `BTreeMap`: `collect`); dropped untimed.
pub fn bulk<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.build::<M>(Order::Bulk)));
}
