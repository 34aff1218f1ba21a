//! The root's criterion operation groups (`benches/bench/groups.rs`, by
//! path) with the peers as members: `BTreeMap`, the named configurations,
//! then indexset, sweep-bptree, a sorted `Vec`, brie-tree and bbtree; a
//! member that lacks an operation is left out of its group. The key-set
//! groups (`groups::keyed`: `get_hit_ids`, ...) hold `BTreeMap`, `Standard`,
//! `Compact` and, for the `String` key sets, bbtree.
//!
//! ```text
//! cargo bench --manifest-path peers/Cargo.toml -- get_hit      # one group, ~2 minutes
//! cargo bench --manifest-path peers/Cargo.toml                 # every group, n = 10^3 and 10^5
//! BPTREE_BENCH_LARGE=1 cargo bench --manifest-path peers/Cargo.toml   # also n = 10^6
//! ```

use bptree_peers::support;

#[path = "../../benches/bench/groups.rs"]
mod groups;

use criterion::{Criterion, criterion_group, criterion_main};
use support::Workload;

fn all(c: &mut Criterion) {
    let workloads: Vec<Workload> = groups::sizes().into_iter().map(Workload::new).collect();
    groups::operations::<bptree_peers::GroupMembers>(c, &workloads);
    // The key-set groups (get_hit_ids, ...): the runner's columns for those
    // key sets (bbtree beside ours for the String ones).
    groups::keyed::<bptree_peers::RunnerColumns>(c);
}

criterion_group! {
    name = benches;
    // The root's settings (`groups::config`).
    config = groups::config();
    targets = all
}
criterion_main!(benches);
