//! Removal until empty.

use criterion::{BatchSize, BenchmarkId};

use crate::Group;
use crate::support::{Subject, Workload};

/// Remove every key, in another random order, from a map built by random
/// insertion (the build is not timed).
pub fn remove_random<M: Subject>(g: &mut Group, id: BenchmarkId, w: &Workload) {
    g.bench_function(id, |b| {
        b.iter_batched(
            || w.insert_random::<M>(),
            |m| w.remove_all(m),
            BatchSize::LargeInput,
        )
    });
}
