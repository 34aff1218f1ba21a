//! The root's criterion operation groups (`benches/bench/groups.rs`, by
//! path) with the peers as members: `BTreeMap`, the named configurations,
//! then indexset, sweep-bptree, a sorted `Vec`, brie-tree and bbtree; a
//! member that lacks an operation is left out of its group. The key-set
//! groups (`groups::keyed`: `get_hit_ids`, ...) hold `BTreeMap`, `Standard`,
//! `Compact` and, for the `String` key sets, bbtree.
//!
//! The order-statistic groups (issue 26; `bptree_peers::order`):
//! `order_get_index` (`get_index(i)`), `order_rank` (`rank(&k)` of present
//! and of absent keys) and `order_range_count` (`range(a..b).count()`, and
//! the same length as `rank(&b) - rank(&a)`), each of [`order::QUERIES`]
//! queries per iteration, with bptree's `Indexed`, indexset, sweep-bptree's
//! `Count` and, at n = 10^3 only (it walks), `BTreeMap`.
//!
//! ```text
//! cargo bench --manifest-path peers/Cargo.toml -- get_hit      # one group, ~2 minutes
//! cargo bench --manifest-path peers/Cargo.toml -- order_       # the order-statistic groups
//! cargo bench --manifest-path peers/Cargo.toml                 # every group, n = 10^3 and 10^5
//! BPTREE_BENCH_LARGE=1 cargo bench --manifest-path peers/Cargo.toml   # also n = 10^6
//! ```

use bptree_peers::support;

#[path = "../../benches/bench/groups.rs"]
mod groups;

use bptree_peers::order::{self, OrderOp, OrderQueries, OrderStats, OrderVisitor};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use support::Workload;

fn all(c: &mut Criterion) {
    let workloads: Vec<Workload> = groups::sizes().into_iter().map(Workload::new).collect();
    groups::operations::<bptree_peers::GroupMembers>(c, &workloads);
    // The key-set groups (get_hit_ids, ...): the runner's columns for those
    // key sets (bbtree beside ours for the String ones).
    groups::keyed::<bptree_peers::RunnerColumns>(c);
    order_groups(c, &workloads);
}

/// The largest n at which `BTreeMap`, which walks, joins the order groups.
const ORDER_WALK_MAX_N: usize = 1_000;

/// The order-statistic groups and their query kinds.
const ORDER_GROUPS: [(&str, &[OrderOp]); 3] = [
    ("order_get_index", &[OrderOp::GetIndex]),
    ("order_rank", &[OrderOp::RankHit, OrderOp::RankMiss]),
    (
        "order_range_count",
        &[OrderOp::RangeCount, OrderOp::RankDifference],
    ),
];

/// Adds the order-statistic groups at every workload's n.
fn order_groups(c: &mut Criterion, workloads: &[Workload]) {
    let queries: Vec<OrderQueries> = workloads.iter().map(OrderQueries::new).collect();
    for (name, ops) in ORDER_GROUPS {
        let mut group = c.benchmark_group(name);
        for (w, q) in workloads.iter().zip(&queries) {
            order::for_each_order_map(&mut OrderBench {
                group: &mut group,
                w,
                q,
                ops,
            });
        }
        group.finish();
    }
}

/// Adds the benchmarks of one group at one n, one per map and query kind
/// (named `<map> <kind>`); each iteration runs the kind's queries.
struct OrderBench<'g, 'c, 'w> {
    group: &'g mut groups::Group<'c>,
    w: &'w Workload,
    q: &'w OrderQueries,
    ops: &'w [OrderOp],
}

impl OrderVisitor for OrderBench<'_, '_, '_> {
    fn visit<M: OrderStats>(&mut self, name: &'static str) {
        let (w, q) = (self.w, self.q);
        if M::LINEAR && w.n() > ORDER_WALK_MAX_N {
            return;
        }
        let m = M::build(&w.keys);
        let queries = order::QUERIES;
        for &op in self.ops.iter().filter(|op| op.applies::<M>()) {
            assert_eq!(
                q.run(op, &m, queries),
                q.expected(w, op, queries),
                "{name}: {} answers wrong",
                op.name()
            );
            self.group.throughput(Throughput::Elements(queries as u64));
            let id = BenchmarkId::new(format!("{name} {}", op.name()), w.n());
            self.group
                .bench_function(id, |b| b.iter(|| q.run(op, &m, queries)));
        }
    }
}

criterion_group! {
    name = benches;
    // The root's settings (`groups::config`).
    config = groups::config();
    targets = all
}
criterion_main!(benches);
