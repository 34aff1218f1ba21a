//! Ordered scans of a map built by random insertion: the whole map, and
//! short ranges.

use criterion::BenchmarkId;

use crate::support::{Subject, Workload};
use crate::{Group, on_random_map};

/// Iterate every entry.
pub fn iterate<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.iterate(m));
}

/// `range(start..)` taking up to 100 entries, from random present keys.
pub fn range<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    on_random_map(g, id, w, |m: &M| w.ranges(m));
}
