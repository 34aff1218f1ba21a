//! Ordered scans of a map built by random insertion: the whole map, and
//! short ranges.

use criterion::BenchmarkId;

use super::{Group, on_random_map};
use crate::support::{KeySet, Timed, Workload};

/// Iterate every entry.
pub fn iterate<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    on_random_map(g, id, w, |m: &M| w.iterate(m));
}

/// `range(start..)` taking up to 100 entries, from random present keys.
pub fn range<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    on_random_map(g, id, w, |m: &M| w.ranges(m));
}
