//! Taking maps apart: removal until empty, and `drop`.

use criterion::{BatchSize, BenchmarkId};

use super::Group;
use crate::support::{KeySet, Timed, Workload};

/// Remove every key, in another random order, from a map built by random
/// insertion (the build is not timed).
pub fn remove_random<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    g.bench_function(id, |b| {
        b.iter_batched(
            || w.insert_random::<M>(),
            |m| w.remove_all(m),
            BatchSize::LargeInput,
        )
    });
}

/// Drop a clone of a map built by random insertion (the clone is not
/// timed).
pub fn drop<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    let m: M = w.insert_random();
    g.bench_function(id, |b| {
        b.iter_batched(|| m.duplicate(), std::mem::drop, BatchSize::LargeInput)
    });
}
