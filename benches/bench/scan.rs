//! Ordered scans of a map built by random insertion: the whole map, and
//! short ranges.

use criterion::BenchmarkId;

use super::{Group, on_random_map};
use crate::support::{Timed, Workload};

/// Iterate every entry.
pub fn iterate<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.iterate(m));
}

/// `range(start..)` taking up to 100 entries, from random present keys.
pub fn range<M: Timed>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.ranges(m));
}
