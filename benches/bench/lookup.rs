//! Point lookups in a map built by random insertion.

use criterion::BenchmarkId;

use super::{Group, on_random_map};
use crate::support::{KeySet, Timed, Workload};

/// `get` of every present key, in another random order.
pub fn get_hit<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    on_random_map(g, id, w, |m: &M| w.get_hits(m));
}

/// `get` of as many absent keys.
pub fn get_miss<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    on_random_map(g, id, w, |m: &M| w.get_misses(m));
}
