//! Building maps: insertion into an empty map, and `clone`.

use criterion::BenchmarkId;

use crate::support::{Subject, Workload};
use crate::{Group, on_random_map};

/// Insert every key, in random order, into an empty map (the map is
/// dropped outside the timing).
pub fn insert_random<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert_random::<M>()));
}

/// Insert every key, ascending, into an empty map (dropped untimed).
pub fn insert_ascending<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert_ascending::<M>()));
}

/// Clone a map built by random insertion, and drop the clone (both timed).
pub fn clone<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, M::clone);
}
