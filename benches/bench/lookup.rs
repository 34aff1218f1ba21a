//! Point lookups in a map built by random insertion.

use criterion::BenchmarkId;

use super::{Group, on_random_map};
use crate::support::{Timed, Workload};

/// `get` of every present key, in another random order.
pub fn get_hit<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.get_hits(m));
}

/// `get` of as many absent keys.
pub fn get_miss<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.get_misses(m));
}
