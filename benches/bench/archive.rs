//! The archive group: our archived map (the same bytes from every
//! configuration, so one entry) beside the in-memory `BTreeMap` and rkyv's
//! own `ArchivedBTreeMap` of the same entries: `get` of every key,
//! iterating all, ranges of 100, and opening (validated `access` against
//! `rkyv::from_bytes` into a `BTreeMap`).

use criterion::{BenchmarkId, Criterion, Throughput};
use rkyv::rancor::BoxedError;

use crate::support::{Archive, Baseline, OurArchive, StdArchive, Subject, Timed, Workload};
use bptree::BPlusTreeMap;

/// Adds the archive groups for every workload.
pub fn archive(c: &mut Criterion, workloads: &[Workload]) {
    for w in workloads {
        let base: Baseline = w.insert_random();
        let ours_bytes =
            BPlusTreeMap::<u64, u64>::bulk(base.iter().map(|(&k, &v)| (k, v))).archive();
        let std_bytes = base.archive();
        let ours = rkyv::access::<OurArchive, BoxedError>(&ours_bytes).expect("valid");
        let theirs = rkyv::access::<StdArchive, BoxedError>(&std_bytes).expect("valid");
        let n = w.n();
        macro_rules! group {
            ($name:expr, $elements:expr, $a:ident => $op:expr) => {{
                let mut g = c.benchmark_group($name);
                g.throughput(Throughput::Elements($elements as u64));
                g.bench_function(BenchmarkId::new("BTreeMap", n), |b| {
                    let $a = &base;
                    b.iter(|| $op)
                });
                g.bench_function(BenchmarkId::new("ArchivedBPlusTreeMap", n), |b| {
                    let $a = ours;
                    b.iter(|| $op)
                });
                g.bench_function(BenchmarkId::new("rkyv ArchivedBTreeMap", n), |b| {
                    let $a = theirs;
                    b.iter(|| $op)
                });
                g.finish();
            }};
        }
        group!("archive_get_hit", n, a => w.archive_get_hits(a));
        group!("archive_iterate", n, a => a.sum_all());
        group!(
            "archive_range_100",
            w.range_starts.len() * crate::support::RANGE_LEN,
            a => w.archive_ranges(a)
        );
        let mut g = c.benchmark_group("archive_open");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("rkyv::from_bytes into BTreeMap", n), |b| {
            b.iter(|| rkyv::from_bytes::<Baseline, BoxedError>(&std_bytes).expect("valid"))
        });
        g.bench_function(BenchmarkId::new("ArchivedBPlusTreeMap access", n), |b| {
            b.iter(|| {
                rkyv::access::<OurArchive, BoxedError>(&ours_bytes)
                    .expect("valid")
                    .len()
            })
        });
        g.finish();
    }
}
