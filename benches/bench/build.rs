//! Building maps: insertion into an empty map, `clone`, and the bulk build
//! from sorted pairs.

use criterion::{BatchSize, BenchmarkId};

use super::{Group, on_random_map};
use crate::support::{BenchKey, KeySet, Order, Timed, Workload};

/// Insert every key, in random order, into an empty map (the map is
/// dropped outside the timing). Keys that own heap memory (`String`) are
/// cloned outside the timing too: each insert takes an owned key.
pub fn insert_random<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    if S::Key::OWNS_HEAP {
        g.bench_function(id, |b| {
            b.iter_batched(
                || w.entries(),
                |entries| w.insert_entries::<M>(entries),
                BatchSize::LargeInput,
            )
        });
    } else {
        g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert_random::<M>()));
    }
}

/// Insert every key, ascending, into an empty map (dropped untimed).
pub fn insert_ascending<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert_ascending::<M>()));
}

/// Clone a map built by random insertion, and drop the clone (both timed).
pub fn clone<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    on_random_map(g, id, w, M::duplicate);
}

/// Build a map at once from the sorted pairs (ours: `from_sorted_iter`;
/// `BTreeMap`: `collect`); dropped untimed.
pub fn bulk<S: KeySet, M: Timed<S::Key, S::Value>>(
    g: &mut Group,
    id: BenchmarkId,
    w: &Workload<S>,
) {
    g.bench_function(id, |b| b.iter_with_large_drop(|| w.build::<M>(Order::Bulk)));
}
