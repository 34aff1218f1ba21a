//! The many-small-maps groups: 10^6 `u64 -> u64` entries in all
//! ([`SMALL_TOTAL`]), in 10^5 maps of 10, 10^4 of 100 and 10^3 of 1,000
//! ([`SMALL_SIZES`]); one group per operation and entries per map, named
//! `small_maps_<op>_<n>` (`small_maps_insert_10`, `small_maps_get_100`,
//! `small_maps_iterate_1000`, ...), each holding the maps of a
//! [`MapList`] (`BTreeMap` first), the speed runner's small-maps rows
//! (`--keys small`) as criterion groups. Benchmark ids are the map's name
//! and `<maps>x<n>`.
//!
//! ```text
//! cargo bench -- small_maps_               # every small-maps group, ~2 minutes
//! cargo bench -- small_maps_insert_10/     # one group
//! ```

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

use crate::support::{
    MapList, MapVisitor, Op, SMALL_SIZES, SMALL_TOTAL, SmallMaps, Timed, U64Keys,
};

/// The name of `op` ([`SmallMaps::OPS`]) in the group names.
fn short(op: Op) -> &'static str {
    match op {
        Op::InsertRandom => "insert",
        Op::GetHit => "get",
        Op::Iterate => "iterate",
        op => unreachable!("{} is not among SmallMaps::OPS", op.name()),
    }
}

/// Adds the small-maps groups, each holding the maps of `L` that have its
/// operation.
pub fn small_maps<L: MapList<U64Keys>>(c: &mut Criterion) {
    for n in SMALL_SIZES {
        let w = SmallMaps::generate(SMALL_TOTAL, n);
        for op in SmallMaps::OPS {
            let mut group = c.benchmark_group(format!("small_maps_{}_{n}", short(op)));
            // A call handles 10^6 entries (tens of milliseconds): the same
            // number of calls per sample, not criterion's growing ones.
            group.sampling_mode(SamplingMode::Flat);
            group.throughput(Throughput::Elements(w.total() as u64));
            L::for_each(&mut Each {
                op,
                group: &mut group,
                w: &w,
            });
            group.finish();
        }
    }
}

/// Adds one small-maps benchmark for each map it visits.
struct Each<'g, 'c, 'w> {
    op: Op,
    group: &'g mut crate::groups::Group<'c>,
    w: &'w SmallMaps,
}

impl MapVisitor for Each<'_, '_, '_> {
    type Keys = U64Keys;
    /// Adds the benchmark of map type `M`, named `name`, unless `M` lacks
    /// the operation; the maps a query reads are built outside the timing.
    fn visit<M: Timed>(&mut self, name: &'static str) {
        if M::LACKS.contains(&self.op) {
            return;
        }
        let (g, w) = (&mut *self.group, self.w);
        let id = BenchmarkId::new(name, format!("{}x{}", w.maps(), w.n()));
        match self.op {
            Op::InsertRandom => {
                g.bench_function(id, |b| b.iter_with_large_drop(|| w.insert::<M>()));
            }
            Op::GetHit => {
                let maps: Vec<M> = w.insert();
                g.bench_function(id, |b| b.iter(|| w.get_hits(&maps)));
            }
            Op::Iterate => {
                let maps: Vec<M> = w.insert();
                g.bench_function(id, |b| b.iter(|| w.iterate(&maps)));
            }
            op => unreachable!("{} is not among SmallMaps::OPS", op.name()),
        }
    }
}
