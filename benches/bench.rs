//! The criterion benches: every operation of the speed table in GOALS.md,
//! each a group holding `BTreeMap` and every configuration at every n.
//!
//! ```text
//! cargo bench                                # n = 1 000 and 100 000, ~14 minutes
//! BPTREE_BENCH_LARGE=1 cargo bench           # also n = 1 000 000
//! cargo bench -- 'get_hit/Phase3'            # one group, one configuration
//! cargo bench -- archive_                    # the archive groups (bench/archive.rs)
//! cargo bench -- small_maps_                 # the many-small-maps groups (bench/small.rs)
//! ```
//!
//! Keys are `u64` from a seeded PRNG (the main-job example's [`Workload`]),
//! values `u64`. The key-set groups (`get_hit_ids`, `insert_random_words`,
//! `remove_random_tuples`, ...: `groups::keyed`) measure get hit, insert random
//! and remove random at n = 100 000 for the other key sets of the speed runner
//! (`u32`, `String` ids and words, `(u64, u64)` tuples, `u64 -> [u64; 8]`),
//! with `BTreeMap`, the default configuration (`Standard`) and `Compact` in
//! each group, and `Prefixed` for ids, words and tuples (`cargo bench -- _ids`). The many-small-maps groups
//! (`small_maps_insert_10`, `small_maps_get_100`, `small_maps_iterate_1000`,
//! ...: `small::small_maps`) time insert, get and iterate over 10^6 `u64`
//! entries in all, in maps of 10, 100 or 1,000 entries, with the same three
//! maps. Speed is reported as a ratio to `BTreeMap` in the same group: compare
//! medians within a group, never across runs. The configurations are
//! `support::Under` (in `examples/support/mod.rs`), a list of `TreeConfig`
//! types that each group runs through a `ConfigVisitor`, after `BTreeMap` (the
//! list `support::StdAndUnder`); the groups are built in `bench/groups.rs`,
//! which the peers' benches (`peers/`, a crate of their own) share; each
//! operation is one generic function in its area's module, and benchmark ids
//! are the configurations' names. The peers (indexset, sweep-bptree, a sorted
//! `Vec`) are in the same groups there: `cargo bench --manifest-path
//! peers/Cargo.toml`.

#[path = "../examples/support/mod.rs"]
mod support;

#[path = "bench/archive.rs"]
mod archive;
#[path = "bench/groups.rs"]
mod groups;
#[path = "bench/small.rs"]
mod small;

use criterion::{Criterion, criterion_group, criterion_main};
use support::{KeyedColumns, StdAndDefaults, StdAndUnder, Workload};

fn all(c: &mut Criterion) {
    let workloads: Vec<Workload> = groups::sizes().into_iter().map(Workload::new).collect();
    groups::operations::<StdAndUnder>(c, &workloads);
    groups::keyed::<KeyedColumns>(c);
    small::small_maps::<StdAndDefaults>(c);
    archive::archive(c, &workloads);
}

criterion_group! {
    name = benches;
    // 10 operations x 2 sizes x 9 maps (BTreeMap and the 8 of `Under`) at
    // ~3.5 s each, builds included: about 14 minutes (8 operations took
    // about 11); the key-set groups, 3 operations x 5 key sets x 3 maps,
    // about 3 more; the small-maps groups, 3 operations x 3 sizes x 3
    // maps, about 2 more.
    // Command-line flags (--warm-up-time, --measurement-time,
    // --sample-size) override these.
    config = groups::config();
    targets = all
}
criterion_main!(benches);
