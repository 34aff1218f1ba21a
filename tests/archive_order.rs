//! Order statistics on the rkyv archive (issue 26, the archive part):
//! `get_index`, `rank` and the O(1) positional methods of the range
//! iterators, on `ArchivedBPlusTreeMap` and `ArchivedBPlusTreeSet`.
//!
//! - against a sorted `Vec` for random maps and sets of sizes around the
//!   archive's node (16) and level (256, 4096) boundaries up to 10^4:
//!   `get_index` at every position and past the end, `rank` of every key,
//!   of the gaps between keys and of values below and above them all,
//!   and `len`, `count`, `nth`, `nth_back`, `skip`, `last` of many random
//!   ranges with every kind of bound;
//! - `rank` with native keys as `get` takes them (`str` and `&String`
//!   against archived `String`s);
//! - archived `rank` and `get_index` agree with the positions of the
//!   native map that wrote the archive, for trees of several
//!   configurations shaped by inserts and removes;
//! - the costs: `get_index` compares no key, `rank` reads one leaf and at
//!   most one node per level (a key type that records the address of
//!   every archived key compared), and a range iterator's positional
//!   methods compare none.
//!
//! Sizes shrink under Miri (the file holds no unsafe code of its own; the
//! sealed paths are in `tests/archive.rs`'s `seal_mutation_in_place`).
#![cfg(feature = "rkyv")]

mod common;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use bptree::archive::{ArchivedBPlusTreeMap, ArchivedBPlusTreeSet, FANOUT, NativeOrd};
use bptree::{BPlusTreeMap, BPlusTreeSet, Compact16, VecArena};
use common::XorShift;
use rkyv::Archived;
use rkyv::primitive::ArchivedU64 as u64_le;
use rkyv::rancor::BoxedError;

type AMap = ArchivedBPlusTreeMap<Archived<u64>, Archived<u64>>;
type ASet = ArchivedBPlusTreeSet<Archived<u64>>;

/// Sizes around every node and level boundary of the archive, up to 10^4
/// (three branch levels); under Miri one level.
const SIZES: &[usize] = if cfg!(miri) {
    &[0, 1, 15, 16, 17, 40]
} else {
    &[
        0, 1, 2, 15, 16, 17, 255, 256, 257, 300, 4095, 4096, 4097, 10_000,
    ]
};

/// Random ranges asked of each archive.
const RANGES: usize = if cfg!(miri) { 40 } else { 2000 };

/// `n` ascending keys with gaps of 2 to 5 from 10 on (so `k - 1` and
/// `k + 1` are never keys, and values below the least exist), and their
/// values.
fn sorted_entries(n: usize, seed: u64) -> Vec<(u64, u64)> {
    let mut rng = XorShift::new(seed);
    let mut k = 10;
    (0..n)
        .map(|_| {
            k += 2 + rng.below(4);
            (k, rng.next_u64())
        })
        .collect()
}

/// A map holding `sorted`, filled in a shuffled order.
fn map_of(sorted: &[(u64, u64)], seed: u64) -> BPlusTreeMap<u64, u64> {
    let mut shuffled = sorted.to_vec();
    XorShift::new(seed).shuffle(&mut shuffled);
    shuffled.into_iter().collect()
}

/// The bounds a random range is made of: keys, gaps, values outside, and
/// unbounded ends.
fn random_bound(rng: &mut XorShift, keys: &[u64]) -> Bound<u64> {
    let top = keys.last().map_or(20, |&k| k + 10);
    let x = match rng.below(4) {
        0 if !keys.is_empty() => keys[rng.below(keys.len() as u64) as usize],
        _ => rng.below(top + 1),
    };
    match rng.below(5) {
        0 => Unbounded,
        1 | 2 => Included(x),
        _ => Excluded(x),
    }
}

/// Where a bound puts a range's start or end in `keys`, as std's `range`
/// reads it.
fn position(keys: &[u64], bound: Bound<u64>, end: bool) -> usize {
    match bound {
        Unbounded if end => keys.len(),
        Unbounded => 0,
        Included(x) if end => keys.partition_point(|&k| k <= x),
        Excluded(x) if end => keys.partition_point(|&k| k < x),
        Included(x) => keys.partition_point(|&k| k < x),
        Excluded(x) => keys.partition_point(|&k| k <= x),
    }
}

/// A random range that `range` accepts (start not above the end, never
/// the same excluded value twice), with the positions `lo..hi` of its keys.
fn random_range(rng: &mut XorShift, keys: &[u64]) -> ((Bound<u64>, Bound<u64>), usize, usize) {
    loop {
        let (s, e) = (random_bound(rng, keys), random_bound(rng, keys));
        let value = |b: Bound<u64>| match b {
            Included(x) | Excluded(x) => Some(x),
            Unbounded => None,
        };
        let ok = match (value(s), value(e)) {
            (Some(a), Some(b)) => {
                a < b || (a == b && !matches!((s, e), (Excluded(_), Excluded(_))))
            }
            _ => true,
        };
        if ok {
            let lo = position(keys, s, false);
            let hi = position(keys, e, true).max(lo);
            return ((s, e), lo, hi);
        }
    }
}

/// The positions worth asking `nth` and `skip` for in `len` items.
fn steps(rng: &mut XorShift, len: usize) -> [usize; 6] {
    [
        0,
        1,
        len.saturating_sub(1),
        len,
        len + 1,
        rng.below(len as u64 + 1) as usize,
    ]
}

fn u(x: &u64_le) -> u64 {
    x.to_native()
}

#[test]
fn map_get_index_and_rank_against_a_sorted_vec() {
    for (s, &n) in SIZES.iter().enumerate() {
        let sorted = sorted_entries(n, 1 + s as u64);
        let map = map_of(&sorted, 100 + s as u64);
        let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
        let a = rkyv::access::<AMap, BoxedError>(&bytes).unwrap();
        let keys: Vec<u64> = sorted.iter().map(|e| e.0).collect();

        // get_index: every position, then past the end.
        for (i, &(k, v)) in sorted.iter().enumerate() {
            let (x, y) = a.get_index(i).unwrap();
            assert_eq!((u(x), u(y)), (k, v), "n {n} get_index {i}");
        }
        for i in [n, n + 1, n + FANOUT, usize::MAX] {
            assert!(a.get_index(i).is_none(), "n {n} get_index {i}");
        }

        // rank: every key, the gaps on both sides, and values outside.
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(a.rank(&k), i, "n {n} rank of key {k}");
            assert_eq!(a.rank(&(k - 1)), i, "n {n} rank below key {k}");
            assert_eq!(a.rank(&(k + 1)), i + 1, "n {n} rank above key {k}");
            // rank and get_index are inverse, and agree with get.
            assert_eq!(u(a.get_index(a.rank(&k)).unwrap().1), u(a.get(&k).unwrap()));
        }
        for q in [0, 1, 9, 10, 11, u64::MAX - 1, u64::MAX] {
            assert_eq!(
                a.rank(&q),
                keys.partition_point(|&k| k < q),
                "n {n} rank {q}"
            );
        }
        // A rank is where a range starts.
        for &k in keys.iter().step_by(7) {
            assert_eq!(a.rank(&k), n - a.range(k..).len());
        }
    }
}

#[test]
fn map_range_positions_against_a_sorted_vec() {
    for (s, &n) in SIZES.iter().enumerate() {
        let sorted = sorted_entries(n, 1 + s as u64);
        let map = map_of(&sorted, 200 + s as u64);
        let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
        let a = rkyv::access::<AMap, BoxedError>(&bytes).unwrap();
        let keys: Vec<u64> = sorted.iter().map(|e| e.0).collect();
        let entry = |i: usize| sorted.get(i).copied();
        let pair = |e: Option<(&u64_le, &u64_le)>| e.map(|(k, v)| (u(k), u(v)));
        let mut rng = XorShift::new(300 + s as u64);

        for _ in 0..RANGES {
            let (bounds, lo, hi) = random_range(&mut rng, &keys);
            let len = hi - lo;
            let it = a.range(bounds);
            assert_eq!(it.len(), len, "n {n} {bounds:?}");
            assert_eq!(it.size_hint(), (len, Some(len)));
            assert_eq!(it.clone().count(), len);
            assert_eq!(pair(it.clone().last()), (len > 0).then(|| sorted[hi - 1]));
            // The range's positions in the whole map, by rank.
            if let (Included(x), Excluded(y)) = bounds {
                assert_eq!(a.rank(&y).max(a.rank(&x)) - a.rank(&x), len);
            }
            for i in steps(&mut rng, len) {
                let want = (i < len).then(|| sorted[lo + i]);
                assert_eq!(pair(it.clone().nth(i)), want, "n {n} {bounds:?} nth {i}");
                let back = (i < len).then(|| sorted[hi - 1 - i]);
                assert_eq!(pair(it.clone().nth_back(i)), back, "nth_back {i}");
                // skip, then both ends of what is left.
                let mut rest = it.clone().skip(i);
                assert_eq!(rest.len(), len.saturating_sub(i));
                assert_eq!(pair(rest.next_back()), (i < len).then(|| sorted[hi - 1]));
                assert_eq!(pair(rest.next()), (i + 1 < len).then(|| sorted[lo + i]));
                // nth from both ends meets in the middle.
                let mut both = it.clone();
                let front = pair(both.nth(i));
                assert_eq!(both.len(), len.saturating_sub(i + 1));
                let j = i / 2;
                let tail = pair(both.nth_back(j));
                let want = (i + 1 + j < len).then(|| sorted[hi - 1 - j]);
                assert_eq!((front, tail), (entry(lo + i).filter(|_| i < len), want));
                assert_eq!(both.len(), len.saturating_sub(i + 1 + j + 1));
            }
        }

        // keys() and values(): the whole map by position.
        let mut rng = XorShift::new(400 + s as u64);
        for i in steps(&mut rng, n) {
            assert_eq!(a.keys().nth(i).map(u), entry(i).map(|e| e.0));
            assert_eq!(a.values().nth(i).map(u), entry(i).map(|e| e.1));
            let back = n.checked_sub(i + 1).and_then(entry);
            assert_eq!(a.keys().nth_back(i).map(u), back.map(|e| e.0));
            assert_eq!(a.values().nth_back(i).map(u), back.map(|e| e.1));
            assert_eq!(a.keys().skip(i).len(), n.saturating_sub(i));
            assert_eq!(a.values().skip(i).count(), n.saturating_sub(i));
        }
        assert_eq!(a.keys().last().map(u), keys.last().copied());
        assert_eq!(a.values().last().map(u), sorted.last().map(|e| e.1));
    }
}

#[test]
fn set_get_index_rank_and_ranges_against_a_sorted_vec() {
    for (s, &n) in SIZES.iter().enumerate() {
        let keys: Vec<u64> = sorted_entries(n, 500 + s as u64)
            .iter()
            .map(|e| e.0)
            .collect();
        let mut shuffled = keys.clone();
        XorShift::new(600 + s as u64).shuffle(&mut shuffled);
        let set: BPlusTreeSet<u64> = shuffled.into_iter().collect();
        let bytes = rkyv::to_bytes::<BoxedError>(&set).unwrap();
        let a = rkyv::access::<ASet, BoxedError>(&bytes).unwrap();

        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(a.get_index(i).map(u), Some(k), "n {n} get_index {i}");
            assert_eq!(a.rank(&k), i, "n {n} rank {k}");
            assert_eq!(a.rank(&(k - 1)), i);
            assert_eq!(a.rank(&(k + 1)), i + 1);
        }
        for i in [n, n + 1, usize::MAX] {
            assert!(a.get_index(i).is_none());
        }
        for q in [0, 9, 10, u64::MAX] {
            assert_eq!(a.rank(&q), keys.partition_point(|&k| k < q));
        }

        let mut rng = XorShift::new(700 + s as u64);
        for _ in 0..RANGES {
            let (bounds, lo, hi) = random_range(&mut rng, &keys);
            let len = hi - lo;
            let it = a.range(bounds);
            assert_eq!(it.len(), len, "n {n} {bounds:?}");
            assert_eq!(it.clone().count(), len);
            assert_eq!(it.clone().last().map(u), (len > 0).then(|| keys[hi - 1]));
            for i in steps(&mut rng, len) {
                let want = (i < len).then(|| keys[lo + i]);
                assert_eq!(it.clone().nth(i).map(u), want, "n {n} {bounds:?} nth {i}");
                let back = (i < len).then(|| keys[hi - 1 - i]);
                assert_eq!(it.clone().nth_back(i).map(u), back);
                let mut rest = it.clone().skip(i);
                assert_eq!(rest.len(), len.saturating_sub(i));
                assert_eq!(rest.next().map(u), want);
            }
        }
    }
}

#[test]
fn rank_takes_native_keys_as_get_does() {
    let n = if cfg!(miri) { 40 } else { 600 };
    let words: Vec<String> = (0..n).map(|i| format!("w{:05}", 3 * i + 1)).collect();
    let set: BPlusTreeSet<String> = words.iter().cloned().collect();
    let map: BPlusTreeMap<String, u32> = words.iter().cloned().zip(0..).collect();
    let sb = rkyv::to_bytes::<BoxedError>(&set).unwrap();
    let mb = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    let aset = rkyv::access::<ArchivedBPlusTreeSet<Archived<String>>, BoxedError>(&sb).unwrap();
    let amap =
        rkyv::access::<ArchivedBPlusTreeMap<Archived<String>, Archived<u32>>, BoxedError>(&mb)
            .unwrap();
    for (i, w) in words.iter().enumerate() {
        // By `str`, `&String` and `String`, as `get` and `contains` take them.
        assert_eq!(amap.rank(w.as_str()), i);
        assert_eq!(amap.rank(w), i);
        assert_eq!(aset.rank(w.as_str()), i);
        assert_eq!(aset.rank(w), i);
        assert_eq!(amap.get(w.as_str()).unwrap().to_native(), i as u32);
        assert_eq!(amap.get_index(i).unwrap().0, w.as_str());
        assert_eq!(aset.get_index(i).unwrap(), w.as_str());
        // Absent words just below and just above.
        assert_eq!(aset.rank(format!("w{:05}", 3 * i).as_str()), i);
        assert_eq!(amap.rank(&format!("w{:05}", 3 * i + 2)), i + 1);
        assert_eq!(amap.rank(format!("{w}!").as_str()), i + 1);
    }
    assert_eq!(aset.rank(""), 0);
    assert_eq!(aset.rank("x"), n);
}

/// Archived positions are the native map's positions, for trees of
/// several configurations whose shapes inserts and removes made.
fn native_positions<H, A, const CAP: usize>(n: usize, seed: u64)
where
    H: bptree::policy::Handle,
    A: bptree::policy::ArenaStrategy,
{
    let mut rng = XorShift::new(seed);
    let mut map = BPlusTreeMap::<u64, u64, H, A, CAP>::empty();
    for _ in 0..2 * n {
        map.insert(rng.below(3 * n as u64 + 1), rng.next_u64());
    }
    for _ in 0..n / 2 {
        map.remove(&rng.below(3 * n as u64 + 1));
    }
    let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    let a = rkyv::access::<AMap, BoxedError>(&bytes).unwrap();
    assert_eq!(a.len(), map.len());
    for (i, (k, v)) in map.iter().enumerate() {
        assert_eq!(a.rank(k), i);
        assert_eq!(a.rank(k), map.range(..k).count());
        let (x, y) = a.get_index(i).unwrap();
        assert_eq!((u(x), u(y)), (*k, *v));
    }
    // Absent keys: where the native map would put them.
    for q in (0..3 * n as u64 + 2).step_by(5) {
        assert_eq!(a.rank(&q), map.range(..q).count(), "rank {q}");
        assert_eq!(a.range(q..).len(), map.range(q..).count());
    }
    assert!(a.get_index(map.len()).is_none());

    let set: BPlusTreeSet<u64, H, A, CAP> = map.keys().copied().collect();
    let sb = rkyv::to_bytes::<BoxedError>(&set).unwrap();
    let s = rkyv::access::<ASet, BoxedError>(&sb).unwrap();
    for (i, k) in set.iter().enumerate() {
        assert_eq!(s.rank(k), i);
        assert_eq!(s.get_index(i).map(u), Some(*k));
    }
}

#[test]
fn archived_rank_agrees_with_native_positions() {
    let n = if cfg!(miri) { 60 } else { 3000 };
    native_positions::<bptree::Wide32, VecArena, 64>(n, 1);
    type C = bptree::config::Compact;
    use bptree::config::TreeConfig;
    native_positions::<
        <C as TreeConfig>::Handle,
        <C as TreeConfig>::Arena,
        { <C as TreeConfig>::CAPACITY },
    >(n, 2);
    native_positions::<Compact16, VecArena, 4>(n, 3);
}

// ---------------------------------------------------------------------------
// Costs
// ---------------------------------------------------------------------------

thread_local! {
    /// The addresses of the archived keys compared with a `Probe`.
    static TOUCHED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// A native `u64` query that records every archived key it is compared
/// with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Probe(u64);

impl NativeOrd<Probe> for u64_le {
    fn cmp_native(&self, q: &Probe) -> Ordering {
        TOUCHED.with(|t| t.borrow_mut().push(std::ptr::from_ref(self).addr()));
        self.to_native().cmp(&q.0)
    }
}

/// The addresses `f` compared, with the comparisons of `f` itself.
fn touched<R>(f: impl FnOnce() -> R) -> (R, Vec<usize>) {
    TOUCHED.with(|t| t.borrow_mut().clear());
    let r = f();
    (r, TOUCHED.with(|t| t.take()))
}

/// The branch levels of an archive of `n` keys (see the module docs of
/// `bptree::archive`): a level of separators while the level below holds
/// more than one node's worth.
fn levels(n: usize) -> usize {
    let mut levels = 0;
    let mut below = n;
    while below > FANOUT {
        below = below.div_ceil(FANOUT);
        levels += 1;
    }
    levels
}

#[test]
fn get_index_compares_nothing_and_rank_is_one_descent() {
    let sizes: &[usize] = if cfg!(miri) {
        &[1, 16, 17, 300]
    } else {
        &[1, 16, 17, 256, 257, 4096, 4097, 10_000, 70_000]
    };
    let mut most = Vec::new();
    for &n in sizes {
        let keys: Vec<u64> = (0..n as u64).map(|k| 2 * k + 1).collect();
        let set: BPlusTreeSet<u64> = keys.iter().copied().collect();
        let map: BPlusTreeMap<u64, u64> = keys.iter().map(|&k| (k, k)).collect();
        let sb = rkyv::to_bytes::<BoxedError>(&set).unwrap();
        let mb = rkyv::to_bytes::<BoxedError>(&map).unwrap();
        let s = rkyv::access::<ASet, BoxedError>(&sb).unwrap();
        let m = rkyv::access::<AMap, BoxedError>(&mb).unwrap();
        // Where the key array lies: key `i` is at `base + i * size`.
        let base = std::ptr::from_ref(s.get_index(0).unwrap()).addr();
        let mbase = std::ptr::from_ref(m.get_index(0).unwrap().0).addr();
        let size = size_of::<u64_le>();
        let h = levels(n);
        let mut worst = 0;
        let step = if cfg!(miri) { 7 } else { (n / 500).max(1) };
        for q in (0..2 * n as u64 + 2).step_by(step) {
            let runs = [
                (touched(|| s.rank(&Probe(q))), base),
                (touched(|| m.rank(&Probe(q))), mbase),
            ];
            for ((rank, seen), base) in runs {
                assert_eq!(rank, (q as usize / 2).min(n), "n {n} q {q}");
                // One leaf: every key compared in the key array lies in
                // one aligned run of FANOUT.
                let in_leaf: Vec<usize> = seen
                    .iter()
                    .filter(|&&p| p >= base && p < base + n * size)
                    .map(|&p| (p - base) / size / FANOUT)
                    .collect();
                assert!(
                    in_leaf.windows(2).all(|w| w[0] == w[1]),
                    "n {n} q {q}: leaves {in_leaf:?}"
                );
                assert!(!in_leaf.is_empty() && in_leaf.len() <= FANOUT);
                // At most one node of separators per level.
                let in_branches = seen.len() - in_leaf.len();
                assert!(in_branches <= FANOUT * h, "n {n} q {q}: {in_branches}");
                assert_eq!(in_branches > 0, h > 0, "n {n} q {q}: the separators");
                worst = worst.max(seen.len());
            }
        }
        most.push((n, h, worst));

        // get_index, and everything a range does once made, compare
        // nothing.
        let ((), seen) = touched(|| {
            for i in [0, n / 2, n - 1, n] {
                let _ = s.get_index(i);
                let _ = m.get_index(i);
            }
        });
        assert!(seen.is_empty());
        let (range, made) = touched(|| m.range(Probe(n as u64 / 2)..Probe(3 * n as u64 / 2)));
        assert!(made.len() <= 2 * FANOUT * (h + 1));
        let ((), seen) = touched(|| {
            assert_eq!(range.len(), range.clone().count());
            let _ = range.clone().nth(range.len() / 2);
            let _ = range.clone().nth_back(range.len() / 3);
            let mut skipped = range.clone().skip(range.len() / 4);
            let _ = (skipped.len(), skipped.next_back(), skipped.next());
            let _ = range.clone().last();
        });
        assert!(seen.is_empty());
    }
    // The comparisons grow with the height, not with n.
    for &(n, h, worst) in &most {
        assert!(
            worst <= FANOUT * (h + 1),
            "n {n}: {worst} comparisons at height {h}"
        );
    }
}
