//! Order statistics beside the peers (issue 26): the `i`-th entry, a key's
//! rank and the length of a key range, for bptree's
//! [`Indexed`](bptree::phase::Indexed) configuration, indexset 0.18,
//! sweep-bptree 0.4.1 with its `Count` augmentation and std's `BTreeMap`
//! (which has none of them: it walks). What the order runner
//! (`examples/order.rs`) and the criterion groups `order_get_index`,
//! `order_rank` and `order_range_count` (`benches/peers.rs`) time.
//!
//! Each map is built by inserting the [`Workload`]'s keys in its random
//! order; the queries ([`OrderQueries`]) are drawn from a seeded generator,
//! so every map answers the same ones and the answers are checked against
//! each other before any timing.

use std::collections::BTreeMap;
use std::hint::black_box;

use crate::support::{Workload, XorShift};

/// bptree's map with counts in its branches: `get_index`, `rank` and
/// `range(..).count()` in `O(log n)`.
pub type Indexed = bptree::phase::Indexed<u64, u64>;
/// sweep-bptree's B+ tree with the `Count` augmentation (an order-statistic
/// tree): `get_by_argument(i)` and `rank_by_argument(&k)`.
pub type SweepCount = sweep_bptree::BPlusTreeMap<u64, u64, sweep_bptree::argument::count::Count>;

/// A map that answers order-statistic queries over `u64 -> u64`, with its
/// own API for each (or a walk where it has none).
pub trait OrderStats: Sized + 'static {
    /// Whether its queries take time linear in n (a walk): timed over
    /// [`LINEAR_QUERIES`] queries instead of [`QUERIES`].
    const LINEAR: bool = false;
    /// Whether it has `range(a..b)` (sweep-bptree has no range).
    const HAS_RANGE: bool = true;
    /// The map of `keys` inserted in their order, each its own value.
    fn build(keys: &[u64]) -> Self;
    /// The key at index `i` in key order (`get_index(i)`).
    fn key_at(&self, i: usize) -> Option<u64>;
    /// The number of keys below `k`.
    fn rank_of(&self, k: &u64) -> usize;
    /// `range(a..b).count()`, with the map's range iterator.
    fn range_count(&self, a: &u64, b: &u64) -> usize;
    /// The same number from two ranks: `rank(b) - rank(a)`.
    fn rank_difference(&self, a: &u64, b: &u64) -> usize {
        self.rank_of(b) - self.rank_of(a)
    }
}

impl OrderStats for Indexed {
    fn build(keys: &[u64]) -> Self {
        keys.iter().map(|&k| (k, k)).collect()
    }
    fn key_at(&self, i: usize) -> Option<u64> {
        self.get_index(i).map(|(k, _)| *k)
    }
    fn rank_of(&self, k: &u64) -> usize {
        self.rank(k)
    }
    fn range_count(&self, a: &u64, b: &u64) -> usize {
        self.range(a..b).count()
    }
}

/// indexset keeps its leaves in one vector with a Fenwick tree of their
/// lengths over them: `get_index` and `rank` are `O(log n)`, but its range
/// iterator does not override `count` (it walks).
impl OrderStats for indexset::BTreeMap<u64, u64> {
    fn build(keys: &[u64]) -> Self {
        let mut m = Self::new();
        for &k in keys {
            m.insert(k, k);
        }
        m
    }
    fn key_at(&self, i: usize) -> Option<u64> {
        self.get_index(i).map(|(k, _)| *k)
    }
    fn rank_of(&self, k: &u64) -> usize {
        self.rank(k)
    }
    fn range_count(&self, a: &u64, b: &u64) -> usize {
        self.range(a..b).count()
    }
}

/// sweep-bptree's `Count`: `get_by_argument(i)` and `rank_by_argument(&k)`
/// (`Ok(rank)` for a present key, `Err(rank)` for an absent one); no
/// `range`, so a range's length is two ranks.
impl OrderStats for SweepCount {
    const HAS_RANGE: bool = false;
    fn build(keys: &[u64]) -> Self {
        let mut m = Self::new();
        for &k in keys {
            m.insert(k, k);
        }
        m
    }
    fn key_at(&self, i: usize) -> Option<u64> {
        self.get_by_argument(i).map(|(k, _)| *k)
    }
    fn rank_of(&self, k: &u64) -> usize {
        self.rank_by_argument(k).unwrap_or_else(|r| r)
    }
    fn range_count(&self, _a: &u64, _b: &u64) -> usize {
        unreachable!("sweep-bptree has no range: HAS_RANGE is false")
    }
}

/// std's `BTreeMap` keeps no counts: `iter().nth(i)`, `range(..k).count()`
/// and `range(a..b).count()` walk (`O(n)`).
impl OrderStats for BTreeMap<u64, u64> {
    const LINEAR: bool = true;
    fn build(keys: &[u64]) -> Self {
        keys.iter().map(|&k| (k, k)).collect()
    }
    fn key_at(&self, i: usize) -> Option<u64> {
        self.iter().nth(i).map(|(k, _)| *k)
    }
    fn rank_of(&self, k: &u64) -> usize {
        self.range(..k).count()
    }
    fn range_count(&self, a: &u64, b: &u64) -> usize {
        self.range(a..b).count()
    }
}

/// Queries per timed call for the maps with counts.
pub const QUERIES: usize = 1000;
/// Queries per timed call for a map that walks ([`OrderStats::LINEAR`]):
/// the first of the same queries.
pub const LINEAR_QUERIES: usize = 16;

/// An order-statistic query kind: a row of the order runner, a criterion
/// group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderOp {
    /// `get_index(i)`, `i` uniform in `0..n`.
    GetIndex,
    /// `rank(&k)` of present keys.
    RankHit,
    /// `rank(&k)` of absent keys.
    RankMiss,
    /// `range(a..b).count()`: lengths log-uniform in `1..=n/2`.
    RangeCount,
    /// The same ranges' lengths as `rank(b) - rank(a)`.
    RankDifference,
}

impl OrderOp {
    /// Every kind, in table order.
    pub const ALL: [OrderOp; 5] = [
        OrderOp::GetIndex,
        OrderOp::RankHit,
        OrderOp::RankMiss,
        OrderOp::RangeCount,
        OrderOp::RankDifference,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OrderOp::GetIndex => "get_index",
            OrderOp::RankHit => "rank_hit",
            OrderOp::RankMiss => "rank_miss",
            OrderOp::RangeCount => "range_count",
            OrderOp::RankDifference => "rank_difference",
        }
    }

    /// Its row title.
    pub fn title(self) -> &'static str {
        match self {
            OrderOp::GetIndex => "get_index(i)",
            OrderOp::RankHit => "rank(&k), present k",
            OrderOp::RankMiss => "rank(&k), absent k",
            OrderOp::RangeCount => "range(a..b).count()",
            OrderOp::RankDifference => "rank(&b) - rank(&a)",
        }
    }

    /// Whether map `M` can answer it (sweep-bptree has no range).
    pub fn applies<M: OrderStats>(self) -> bool {
        self != OrderOp::RangeCount || M::HAS_RANGE
    }
}

/// The queries of one n: random indices, present and absent keys, and key
/// ranges `a..b` of present keys with their lengths.
pub struct OrderQueries {
    /// Indices uniform in `0..n`.
    pub indices: Vec<usize>,
    /// Present keys, uniform over the map's.
    pub present: Vec<u64>,
    /// Absent keys.
    pub absent: Vec<u64>,
    /// `(a, b)`: present keys with `len` keys in `a..b`, `len` log-uniform
    /// in `1..=n/2` (so most ranges are short and some hold a large part
    /// of the map), starting at a uniform index.
    pub ranges: Vec<(u64, u64)>,
}

impl OrderQueries {
    /// [`QUERIES`] queries of each kind over the keys of `w`.
    pub fn new(w: &Workload) -> Self {
        let n = w.n();
        assert!(n >= 4, "order queries need a few keys");
        let mut rng = XorShift::new(0x0bd3_7a11_5eed ^ n as u64);
        let mut below = |m: usize| (rng.next_u64() % m as u64) as usize;
        let indices = (0..QUERIES).map(|_| below(n)).collect();
        let present = (0..QUERIES).map(|_| w.keys[below(n)]).collect();
        let absent = w.misses[..QUERIES.min(n)]
            .iter()
            .copied()
            .cycle()
            .take(QUERIES)
            .collect();
        let max_len = (n / 2) as f64;
        let ranges = (0..QUERIES)
            .map(|_| {
                let unit = below(1 << 30) as f64 / (1u64 << 30) as f64;
                let len = (max_len.powf(unit) as usize).clamp(1, n / 2);
                let start = below(n - len);
                (w.ascending[start], w.ascending[start + len])
            })
            .collect();
        OrderQueries {
            indices,
            present,
            absent,
            ranges,
        }
    }

    /// How many queries map `M` is timed over per call.
    pub fn count<M: OrderStats>() -> usize {
        if M::LINEAR { LINEAR_QUERIES } else { QUERIES }
    }

    /// Runs the first `queries` queries of kind `op` on `m`: the sum of the
    /// answers (keys for `get_index`, ranks and counts otherwise).
    pub fn run<M: OrderStats>(&self, op: OrderOp, m: &M, queries: usize) -> u64 {
        let add = |acc: u64, x: usize| acc.wrapping_add(x as u64);
        match op {
            OrderOp::GetIndex => self.indices[..queries].iter().fold(0, |acc, &i| {
                acc.wrapping_add(m.key_at(black_box(i)).unwrap_or(1))
            }),
            OrderOp::RankHit => self.present[..queries]
                .iter()
                .fold(0, |acc, k| add(acc, m.rank_of(black_box(k)))),
            OrderOp::RankMiss => self.absent[..queries]
                .iter()
                .fold(0, |acc, k| add(acc, m.rank_of(black_box(k)))),
            OrderOp::RangeCount => self.ranges[..queries]
                .iter()
                .fold(0, |acc, (a, b)| add(acc, m.range_count(black_box(a), b))),
            OrderOp::RankDifference => self.ranges[..queries].iter().fold(0, |acc, (a, b)| {
                add(acc, m.rank_difference(black_box(a), b))
            }),
        }
    }

    /// The answer to the first `queries` queries of kind `op`, from the
    /// workload's sorted keys: what every map must return.
    pub fn expected(&self, w: &Workload, op: OrderOp, queries: usize) -> u64 {
        let rank = |k: &u64| w.ascending.partition_point(|x| x < k);
        let add = |acc: u64, x: usize| acc.wrapping_add(x as u64);
        match op {
            OrderOp::GetIndex => self.indices[..queries]
                .iter()
                .fold(0, |acc, &i| acc.wrapping_add(w.ascending[i])),
            OrderOp::RankHit => self.present[..queries]
                .iter()
                .fold(0, |acc, k| add(acc, rank(k))),
            OrderOp::RankMiss => self.absent[..queries]
                .iter()
                .fold(0, |acc, k| add(acc, rank(k))),
            OrderOp::RangeCount | OrderOp::RankDifference => self.ranges[..queries]
                .iter()
                .fold(0, |acc, (a, b)| add(acc, rank(b) - rank(a))),
        }
    }

    /// The mean length of the ranges, for reports.
    pub fn mean_range_len(&self, w: &Workload) -> f64 {
        let rank = |k: &u64| w.ascending.partition_point(|x| x < k);
        let total: usize = self.ranges.iter().map(|(a, b)| rank(b) - rank(a)).sum();
        total as f64 / self.ranges.len() as f64
    }
}

/// Runs generic code on each [`OrderStats`] map of a list.
pub trait OrderVisitor {
    /// Runs on map type `M`, named `name` in reports.
    fn visit<M: OrderStats>(&mut self, name: &'static str);
}

/// The order runner's columns and the criterion groups' members: bptree's
/// `Indexed`, indexset, sweep-bptree's `Count` and `BTreeMap`.
pub fn for_each_order_map(visitor: &mut impl OrderVisitor) {
    visitor.visit::<Indexed>("Indexed");
    visitor.visit::<indexset::BTreeMap<u64, u64>>("indexset");
    visitor.visit::<SweepCount>("sweep-bptree Count");
    visitor.visit::<BTreeMap<u64, u64>>("BTreeMap");
}
