//! Point lookups in a map built by random insertion.

use criterion::BenchmarkId;

use crate::support::{Subject, Workload};
use crate::{Group, on_random_map};

/// `get` of every present key, in another random order.
pub fn get_hit<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.get_hits(m));
}

/// `get` of as many absent keys.
pub fn get_miss<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.get_misses(m));
}
