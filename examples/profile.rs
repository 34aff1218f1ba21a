//! Instruction counts per operation, for before/after comparisons under
//! callgrind: one configuration, one operation, `n` seeded random `u64`
//! keys. The map is built outside the measurement; the operation runs in
//! one call of [`measure`], the only function callgrind is told to count.
//!
//! ```text
//! cargo run --release --example profile -- <config> <op> <n>
//!   config: standard phase0 phase1 phase2 phase3 compact btreemap
//!   op:     get insert ascending remove iter range100 build clone drop
//! ```
//!
//! `get`: `n` gets of present keys in shuffled order; `insert`: `n` inserts
//! into an empty map; `ascending`: the same keys inserted in ascending order;
//! `remove`: every key, in shuffled order; `iter`: one
//! full iteration (per element); `range100`: `n / 100` ranges of 100
//! entries from random starts (per range); `build`: the map of the `n`
//! sorted pairs built at once (ours `from_sorted_iter`, `BTreeMap`
//! `collect`; per entry); `clone`: clone the map and drop the clone (per
//! entry); `drop`: drop the map (per entry). It prints
//! `config op n operations`; callgrind's total divided by `operations` is
//! instructions per operation. The matrix, one line
//! `config op n instructions_per_op` each:
//!
//! ```sh
//! cargo build --release --example profile
//! for c in standard phase3 compact btreemap; do
//!   for op in get insert remove iter range100; do
//!     set -- $(valgrind --tool=callgrind --toggle-collect='*measure*' \
//!       --callgrind-out-file=/tmp/cg.out target/release/examples/profile $c $op 100000 2>/dev/null)
//!     callgrind_annotate /tmp/cg.out | awk -v c=$1 -v op=$2 -v n=$3 -v ops=$4 \
//!       '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%s %s %s %.2f\n", c, op, n, $1 / ops }'
//!   done
//! done
//! ```

mod support;

use std::collections::BTreeMap;
use std::hint::black_box;

use bptree::BPlusTreeMap;
use bptree::phase::{Compact, Phase0, Phase1, Phase2, Phase3};
use bptree::policy::{ArenaStrategy, Handle};
use support::XorShift;

/// The operations measured, over `u64` keys and values.
trait Subject: Default + Clone + Bulk {
    fn insert(&mut self, key: u64, value: u64) -> Option<u64>;
    fn get(&self, key: &u64) -> Option<&u64>;
    fn remove(&mut self, key: &u64) -> Option<u64>;
    fn len(&self) -> usize;
    /// The sum of all values, in key order.
    fn iter_sum(&self) -> u64;
    /// The sum of the values of (at most) `len` entries from `start` on.
    fn range_sum(&self, start: u64, len: usize) -> u64;
}

/// Building at once from sorted entries: ours `from_sorted_iter`, std's
/// `collect` (a bulk build too).
trait Bulk: Sized {
    /// The map of `entries` (strictly ascending).
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self;
}

impl Bulk for BTreeMap<u64, u64> {
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self {
        entries.collect()
    }
}

/// Implements [`Subject`] by the map's own methods (inherent methods take
/// precedence over the trait's, so the calls below do not recurse).
macro_rules! subject {
    ([$($generics:tt)*] $map:ty) => {
        impl<$($generics)*> Subject for $map {
            fn insert(&mut self, key: u64, value: u64) -> Option<u64> {
                self.insert(key, value)
            }
            fn get(&self, key: &u64) -> Option<&u64> {
                self.get(key)
            }
            fn remove(&mut self, key: &u64) -> Option<u64> {
                self.remove(key)
            }
            fn len(&self) -> usize {
                self.len()
            }
            fn iter_sum(&self) -> u64 {
                self.iter().fold(0, |s, (_, v)| s.wrapping_add(*v))
            }
            fn range_sum(&self, start: u64, len: usize) -> u64 {
                self.range(start..).take(len).fold(0, |s, (_, v)| s.wrapping_add(*v))
            }
        }
    };
}

subject!([] BTreeMap<u64, u64>);
subject!([H: Handle, A: ArenaStrategy, const CAP: usize] BPlusTreeMap<u64, u64, H, A, CAP>);

impl<H: Handle, A: ArenaStrategy, const CAP: usize> Bulk for BPlusTreeMap<u64, u64, H, A, CAP> {
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self {
        BPlusTreeMap::from_sorted_iter(entries).expect("ascending")
    }
}

/// Entries per `range100` query.
const RANGE: usize = 100;

#[derive(Clone, Copy)]
enum Op {
    Get,
    Insert,
    Ascending,
    Remove,
    Iter,
    Range,
    Build,
    Clone,
    Drop,
}

/// The measured call: everything it runs is what callgrind counts.
#[inline(never)]
fn measure<M: Subject>(op: Op, map: &mut M, keys: &[u64]) -> u64 {
    let mut acc = 0u64;
    match op {
        Op::Get => {
            for k in keys {
                acc = acc.wrapping_add(*black_box(map.get(k)).unwrap());
            }
        }
        Op::Insert | Op::Ascending => {
            for &k in keys {
                black_box(map.insert(k, k));
            }
        }
        Op::Remove => {
            for k in keys {
                acc = acc.wrapping_add(black_box(map.remove(k)).unwrap());
            }
        }
        Op::Iter => acc = map.iter_sum(),
        Op::Range => {
            for &k in keys {
                acc = acc.wrapping_add(map.range_sum(k, RANGE));
            }
        }
        Op::Build => *map = M::bulk(keys.iter().map(|&k| (k, k))),
        Op::Clone => drop(black_box(map.clone())),
        Op::Drop => drop(std::mem::take(map)),
    }
    black_box(acc)
}

/// Builds the map (except for `insert`), prepares the operation's keys and
/// runs [`measure`] once; returns how many operations it ran.
fn run<M: Subject>(op: Op, n: usize) -> usize {
    let mut rng = XorShift::new(0x5eed);
    let keys: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
    let mut map = M::default();
    if !matches!(op, Op::Insert | Op::Ascending | Op::Build) {
        for &k in &keys {
            map.insert(k, k);
        }
        assert_eq!(map.len(), n, "seeded keys must be distinct");
    }
    let mut keys = match op {
        Op::Insert => keys,
        Op::Iter | Op::Clone | Op::Drop => Vec::new(),
        Op::Build | Op::Ascending => {
            let mut sorted = keys;
            sorted.sort_unstable();
            sorted
        }
        Op::Get | Op::Remove => {
            let mut k = keys;
            rng.shuffle(&mut k);
            k
        }
        Op::Range => {
            // Starts with at least `RANGE` entries from them to the end.
            let mut sorted = keys;
            sorted.sort_unstable();
            let last = n.saturating_sub(RANGE) as u64 + 1;
            (0..n / RANGE)
                .map(|_| sorted[(rng.next_u64() % last) as usize])
                .collect()
        }
    };
    black_box(&mut keys);
    let acc = measure(op, &mut map, &keys);
    black_box(acc);
    match op {
        Op::Insert | Op::Ascending | Op::Build => assert_eq!(map.len(), n),
        Op::Remove | Op::Drop => assert_eq!(map.len(), 0),
        _ => {}
    }
    match op {
        Op::Iter | Op::Build | Op::Clone | Op::Drop => n,
        _ => keys.len(),
    }
}

fn main() {
    let usage = "usage: profile <standard|phase0|phase1|phase2|phase3|compact|btreemap> \
                 <get|insert|ascending|remove|iter|range100|build|clone|drop> <n>";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, op_name, n] = &args[..] else {
        panic!("{usage}")
    };
    let n: usize = n.parse().expect(usage);
    let op = match op_name.as_str() {
        "get" => Op::Get,
        "insert" => Op::Insert,
        "ascending" => Op::Ascending,
        "remove" => Op::Remove,
        "iter" => Op::Iter,
        "range100" => Op::Range,
        "build" => Op::Build,
        "clone" => Op::Clone,
        "drop" => Op::Drop,
        _ => panic!("{usage}"),
    };
    let ops = match config.as_str() {
        "standard" => run::<BPlusTreeMap<u64, u64>>(op, n),
        "phase0" => run::<Phase0<u64, u64>>(op, n),
        "phase1" => run::<Phase1<u64, u64>>(op, n),
        "phase2" => run::<Phase2<u64, u64>>(op, n),
        "phase3" => run::<Phase3<u64, u64>>(op, n),
        "compact" => run::<Compact<u64, u64>>(op, n),
        "btreemap" => run::<BTreeMap<u64, u64>>(op, n),
        _ => panic!("{usage}"),
    };
    println!("{config} {op_name} {n} {ops}");
}
