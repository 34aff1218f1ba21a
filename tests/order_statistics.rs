//! Order statistics (`Counted` configurations): `get_index`, `rank`,
//! `remove_index`, range lengths, `nth`/`nth_back`/`skip`, cursor indices,
//! checked against a sorted `Vec` (and `BTreeMap`) after random steps; the
//! counts themselves are checked by `check_invariants` (and, under every
//! op of the differential tests, in `tests/differential.rs`).

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

use bptree::phase::{Indexed, IndexedSet};
use bptree::policy::{Adaptive, ArenaStrategy, Boxed, Counted, Handle, Indirect, PoolArena};
use bptree::{BPlusTreeMap, Compact16, VecArena, Wide32};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every order statistic of `map` against the sorted keys `keys`, at a
/// sample of indices and keys (all of them when `all`).
fn agree<H: Handle, A: bptree::policy::OrderStatistics, const CAP: usize>(
    map: &BPlusTreeMap<u32, u32, H, A, CAP>,
    keys: &[u32],
    rng: &mut Rng,
    all: bool,
) {
    assert_eq!(map.len(), keys.len());
    let n = keys.len();
    let samples: Vec<usize> = if all {
        (0..=n + 1).collect()
    } else {
        (0..if cfg!(miri) { 1 } else { 4 })
            .map(|_| rng.below(n + 2))
            .collect()
    };
    for &i in &samples {
        assert_eq!(
            map.get_index(i).map(|(k, v)| (*k, *v)),
            keys.get(i).map(|&k| (k, !k)),
            "get_index({i})"
        );
        let q = if i < n { keys[i] } else { u32::MAX };
        assert_eq!(
            map.rank(&q),
            keys.partition_point(|&k| k < q),
            "rank of {q}"
        );
        let between = q.wrapping_add(1);
        assert_eq!(map.rank(&between), keys.partition_point(|&k| k < between));
        // Ranges and their lengths, both ways of bounding.
        let (a, b) = (rng.next() as u32 % 4096, rng.next() as u32 % 4096);
        let (a, b) = (a.min(b), a.max(b));
        let expect = keys.iter().filter(|&&k| a <= k && k < b).count();
        assert_eq!(map.range(a..b).len(), expect, "range({a}..{b}).len()");
        assert_eq!(map.range(a..b).count(), expect);
        assert_eq!(
            map.range(a..=b).len(),
            keys.iter().filter(|&&k| a <= k && k <= b).count()
        );
        assert_eq!(
            map.range((Bound::Excluded(a), Bound::Unbounded)).len(),
            keys.iter().filter(|&&k| a < k).count()
        );
        // nth / nth_back / skip from both ends, on ranges and whole maps.
        let in_range: Vec<u32> = keys.iter().copied().filter(|&k| a <= k && k < b).collect();
        let j = rng.below(in_range.len() + 2);
        assert_eq!(
            map.range(a..b).nth(j).map(|(k, _)| *k),
            in_range.get(j).copied()
        );
        assert_eq!(
            map.range(a..b).nth_back(j).map(|(k, _)| *k),
            in_range.len().checked_sub(j + 1).map(|x| in_range[x])
        );
        let mut r = map.range(a..b);
        let front = r.nth(j / 2);
        let back = r.nth_back(j / 3);
        assert_eq!(front.map(|(k, _)| *k), in_range.get(j / 2).copied());
        let left = in_range.len().saturating_sub(j / 2 + 1);
        if j / 3 < left {
            assert_eq!(
                back.map(|(k, _)| *k),
                Some(in_range[j / 2 + 1 + left - 1 - j / 3])
            );
            assert_eq!(r.len(), left - j / 3 - 1);
            let rest: Vec<u32> = r.map(|(k, _)| *k).collect();
            assert_eq!(rest, in_range[j / 2 + 1..j / 2 + 1 + left - 1 - j / 3]);
        } else {
            assert_eq!(back, None);
            assert_eq!(r.len(), 0);
        }
        assert_eq!(map.keys().nth(i).copied(), keys.get(i).copied());
        assert_eq!(
            map.values().nth_back(i).copied(),
            n.checked_sub(i + 1).map(|x| !keys[x])
        );
        assert_eq!(
            map.iter().skip(i).map(|(k, _)| *k).next(),
            keys.get(i).copied()
        );
        let mut it = map.iter();
        assert_eq!(it.nth(i / 2).map(|(k, _)| *k), keys.get(i / 2).copied());
        assert_eq!(it.len(), n.saturating_sub(i / 2 + 1));
        assert_eq!(it.nth_back(i / 3).map(|(k, _)| *k), {
            let left = n.saturating_sub(i / 2 + 1);
            (i / 3 < left).then(|| keys[n - 1 - i / 3])
        });
        // Cursors know their index, and can be made at one.
        if i <= n {
            let c = map.cursor_at_index(i);
            assert_eq!(c.index(), i);
            assert_eq!(c.peek_next().map(|(k, _)| *k), keys.get(i).copied());
            assert_eq!(
                map.lower_bound(Bound::Included(&q)).index(),
                keys.partition_point(|&k| k < q)
            );
            assert_eq!(
                map.upper_bound(Bound::Included(&q)).index(),
                keys.partition_point(|&k| k <= q)
            );
        }
    }
}

/// Random inserts, removals, index removals, cursor edits and splits,
/// with every order statistic compared after each step.
fn differential<H: Handle, A: bptree::policy::OrderStatistics, const CAP: usize>(
    seed: u64,
    steps: usize,
) {
    let mut rng = Rng(seed);
    let mut map: BPlusTreeMap<u32, u32, H, A, CAP> = BPlusTreeMap::empty();
    let mut oracle = BTreeMap::new();
    for step in 0..steps {
        match rng.below(10) {
            0..=4 => {
                let k = rng.next() as u32 % 4096;
                assert_eq!(map.insert(k, !k), oracle.insert(k, !k));
            }
            5 | 6 => {
                let k = rng.next() as u32 % 4096;
                assert_eq!(map.remove(&k), oracle.remove(&k));
            }
            7 => {
                let i = rng.below(oracle.len() + 1);
                let expect = oracle.keys().nth(i).copied();
                assert_eq!(map.remove_index(i).map(|(k, _)| k), expect);
                if let Some(k) = expect {
                    oracle.remove(&k);
                }
            }
            8 => {
                // Cursor edits at an index.
                let i = rng.below(oracle.len() + 1);
                let mut c = map.cursor_mut_at_index(i);
                assert_eq!(c.index(), i);
                if c.remove_next().is_some() {
                    let k = *oracle.keys().nth(i).unwrap();
                    oracle.remove(&k);
                    assert_eq!(c.index(), i);
                }
            }
            _ => {
                // Split off and append back (or keep the split part).
                let k = rng.next() as u32 % 4096;
                let mut tail = map.split_off(&k);
                let otail = oracle.split_off(&k);
                tail.check_invariants().unwrap();
                agree(
                    &tail,
                    &otail.keys().copied().collect::<Vec<_>>(),
                    &mut rng,
                    false,
                );
                if rng.below(2) == 0 {
                    map.append(&mut tail);
                    oracle.extend(otail);
                }
            }
        }
        if step % 7 == 0 {
            map.check_invariants().unwrap();
        }
        let keys: Vec<u32> = oracle.keys().copied().collect();
        agree(
            &map,
            &keys,
            &mut rng,
            keys.len() < if cfg!(miri) { 8 } else { 40 },
        );
    }
    map.check_invariants().unwrap();
    // retain and extract_if keep counts.
    map.retain(|k, _| k % 3 != 0);
    oracle.retain(|k, _| k % 3 != 0);
    map.check_invariants().unwrap();
    agree(
        &map,
        &oracle.keys().copied().collect::<Vec<_>>(),
        &mut rng,
        false,
    );
    let taken: Vec<u32> = map
        .extract_if(.., |k, _| k % 2 == 0)
        .map(|(k, _)| k)
        .collect();
    let expect: Vec<u32> = oracle.keys().copied().filter(|k| k % 2 == 0).collect();
    assert_eq!(taken, expect);
    oracle.retain(|k, _| k % 2 != 0);
    map.check_invariants().unwrap();
    agree(
        &map,
        &oracle.keys().copied().collect::<Vec<_>>(),
        &mut rng,
        false,
    );
}

const STEPS: usize = if cfg!(miri) { 25 } else { 1_500 };

#[test]
fn indexed_agrees_with_a_sorted_vec() {
    for seed in 1..4 {
        differential::<Wide32, Counted<VecArena>, 64>(seed, STEPS);
    }
}

#[test]
fn cap4_agrees_with_a_sorted_vec() {
    for seed in 1..4 {
        differential::<Wide32, Counted<VecArena>, 4>(seed, STEPS);
    }
}

#[test]
fn other_arenas_and_handles_agree() {
    differential::<Compact16, Counted<PoolArena<Boxed>>, 5>(7, STEPS);
    differential::<Adaptive, Indirect<Counted<VecArena<Boxed>>>, 4>(8, STEPS);
    differential::<Adaptive, Counted<Indirect<VecArena>>, 8>(9, STEPS);
}

/// Counts survive the `Adaptive` width move both ways (16-bit handles run
/// out past 65,535 leaves, and removals move the tree back).
#[test]
#[cfg_attr(miri, ignore = "hundreds of thousands of entries")]
fn counts_survive_the_width_move() {
    type M = BPlusTreeMap<u32, u32, Adaptive, Counted<VecArena>, 4>;
    let mut map = M::empty();
    let mut rng = Rng(99);
    let mut keys = Vec::new();
    while map.memory_usage().handle_bits != 32 {
        for _ in 0..10_000 {
            let k = rng.next() as u32;
            if map.insert(k, !k).is_none() {
                keys.push(k);
            }
        }
    }
    keys.sort_unstable();
    map.check_invariants().unwrap();
    agree(&map, &keys, &mut rng, false);
    for &i in &[0, 1, keys.len() / 3, keys.len() - 1] {
        assert_eq!(map.get_index(i).map(|(k, _)| *k), Some(keys[i]));
    }
    // Remove by index until the tree is narrow again.
    while map.memory_usage().handle_bits == 32 {
        for _ in 0..5_000 {
            let i = rng.below(keys.len());
            assert_eq!(map.remove_index(i).map(|(k, _)| k), Some(keys.remove(i)));
        }
    }
    map.check_invariants().unwrap();
    agree(&map, &keys, &mut rng, false);
}

/// Bulk builds, clones, serde-like rebuilds and the run <-> tree moves all
/// carry exact counts.
#[test]
fn builds_and_clones_keep_counts() {
    let sizes: &[usize] = if cfg!(miri) {
        &[0, 1, 70]
    } else {
        &[0, 1, 63, 64, 65, 255, 256, 257, 1_000, 20_000]
    };
    for &n in sizes {
        let keys: Vec<u32> = (0..n as u32).map(|k| k * 3).collect();
        let mut rng = Rng(n as u64 + 1);
        let built: Indexed<u32, u32> = keys.iter().map(|&k| (k, !k)).collect();
        built.check_invariants().unwrap();
        agree(&built, &keys, &mut rng, n < 70);
        let sorted = Indexed::<u32, u32>::from_sorted_iter(keys.iter().map(|&k| (k, !k))).unwrap();
        sorted.check_invariants().unwrap();
        agree(&sorted, &keys, &mut rng, false);
        let cloned = sorted.clone();
        cloned.check_invariants().unwrap();
        agree(&cloned, &keys, &mut rng, false);
        // Descending inserts (front splits), then popping from both ends.
        let mut desc: BPlusTreeMap<u32, u32, Wide32, Counted<VecArena>, 4> = BPlusTreeMap::empty();
        for &k in keys.iter().rev() {
            desc.insert(k, !k);
        }
        desc.check_invariants().unwrap();
        agree(&desc, &keys, &mut rng, false);
        let mut left = keys.clone();
        while left.len() > n / 2 {
            assert_eq!(desc.pop_first().map(|(k, _)| k), Some(left.remove(0)));
            assert_eq!(desc.pop_last().map(|(k, _)| k), left.pop());
        }
        desc.check_invariants().unwrap();
        agree(&desc, &left, &mut rng, false);
    }
}

#[test]
fn sets_have_order_statistics() {
    let n: u32 = if cfg!(miri) { 700 } else { 10_000 };
    let mut s: IndexedSet<u32> = (0..n).map(|k| k * 2).collect();
    assert_eq!(s.get_index(17), Some(&34));
    assert_eq!(s.rank(&35), 18);
    assert_eq!(s.range(100..200).len(), 50);
    assert_eq!(s.range(100..200).nth(10), Some(&120));
    assert_eq!(s.iter().nth(n as usize - 1), Some(&(2 * n - 2)));
    assert_eq!(s.remove_index(0), Some(0));
    assert_eq!(s.get_index(0), Some(&2));
    s.check_invariants().unwrap();
}

/// A key whose comparisons are counted.
#[derive(Clone, Debug)]
struct Counting(u32);
thread_local!(static COMPARISONS: Cell<usize> = const { Cell::new(0) });
impl PartialEq for Counting {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Counting {}
impl PartialOrd for Counting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Counting {
    fn cmp(&self, other: &Self) -> Ordering {
        COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0.cmp(&other.0)
    }
}
fn comparisons(f: impl FnOnce()) -> usize {
    COMPARISONS.with(|c| c.set(0));
    f();
    COMPARISONS.with(|c| c.get())
}

/// `rank`, a range's length and a cursor's index cost one descent: their
/// comparisons grow with the height (a few per level), not with the index
/// or the range's length; `get_index`, `nth` and `skip` compare nothing.
#[test]
#[cfg_attr(miri, ignore = "a million entries")]
fn order_statistics_take_one_descent() {
    const N: u32 = if cfg!(debug_assertions) {
        200_000
    } else {
        1_000_000
    };
    let map: BPlusTreeMap<Counting, (), Wide32, Counted<VecArena>, 16> =
        BPlusTreeMap::from_sorted_iter((0..N).map(|k| (Counting(k), ()))).unwrap();
    let height = map.height() + 1;
    // A descent: a search of at most 16 keys (5 comparisons, or 16 for
    // the small-node scan) per level, twice for a range's two ends.
    let bound = 2 * height * 17;
    for q in [0, 1, N / 3, N / 2, N - 1] {
        let c = comparisons(|| assert_eq!(map.rank(&Counting(q)), q as usize));
        assert!(c <= bound, "rank({q}): {c} comparisons, height {height}");
        let c = comparisons(|| assert_eq!(map.range(Counting(0)..Counting(q)).len(), q as usize));
        assert!(c <= bound, "range(0..{q}).len(): {c} comparisons");
        let c = comparisons(|| assert_eq!(map.range(Counting(0)..Counting(q)).count(), q as usize));
        assert!(c <= bound, "range(0..{q}).count(): {c} comparisons");
        let c = comparisons(|| {
            assert_eq!(
                map.lower_bound(Bound::Included(&Counting(q))).index(),
                q as usize
            )
        });
        assert!(c <= 2 * bound, "cursor index at {q}: {c} comparisons");
        let c = comparisons(|| assert_eq!(map.get_index(q as usize).map(|(k, _)| k.0), Some(q)));
        assert_eq!(c, 0);
        let c = comparisons(|| assert_eq!(map.keys().nth(q as usize).map(|k| k.0), Some(q)));
        assert_eq!(c, 0);
    }
}

/// Counts are a configuration: a map without them has not a byte of them.
#[test]
#[cfg_attr(miri, ignore = "10^5 entries")]
fn counts_cost_nothing_when_not_chosen() {
    use bptree::map::{Iter, Range};
    assert_eq!(
        size_of::<BPlusTreeMap<u64, u64>>(),
        size_of::<Indexed<u64, u64>>()
    );
    // Iterators of a map with counts carry their indices, `u32`s (a
    // counted map holds at most `u32::MAX` entries), padded to the
    // iterator's alignment.
    let padded = |bytes: usize| bytes.next_multiple_of(align_of::<usize>());
    assert_eq!(
        padded(size_of::<Range<'_, u64, u64>>() + 2 * size_of::<u32>()),
        size_of::<Range<'_, u64, u64, Wide32, Counted<VecArena>>>()
    );
    assert_eq!(
        padded(size_of::<Iter<'_, u64, u64>>() + size_of::<u32>()),
        size_of::<Iter<'_, u64, u64, Wide32, Counted<VecArena>>>()
    );
    // Branches: the default's hold 4-byte child handles; with counts,
    // handle and count. Leaves are the same.
    let plain: BPlusTreeMap<u64, u64> = (0..100_000).map(|k| (k, k)).collect();
    let counted: Indexed<u64, u64> = (0..100_000).map(|k| (k, k)).collect();
    let (p, c) = (plain.memory_usage(), counted.memory_usage());
    assert_eq!(p.leaves, c.leaves);
    assert_eq!(p.branches, c.branches);
    assert!(
        c.total_bytes() as f64 <= p.total_bytes() as f64 * 1.01,
        "{} vs {}",
        c.total_bytes(),
        p.total_bytes()
    );
    let _ = <Counted as ArenaStrategy>::NAME;
}

/// serde and rkyv round trips rebuild a counted map with exact counts, and
/// an archived map answers the same order statistics as the map.
#[test]
fn serde_and_rkyv_round_trips_keep_counts() {
    use rkyv::rancor::Error as BoxedError;
    let mut rng = Rng(5);
    for n in [0u32, 5, 300, if cfg!(miri) { 400 } else { 5_000 }] {
        let map: Indexed<u32, u32> = (0..n)
            .map(|k| (k * 7 % 10_007, !(k * 7 % 10_007)))
            .collect();
        let keys: Vec<u32> = map.keys().copied().collect();

        let json = serde_json::to_string(&map).unwrap();
        let back: Indexed<u32, u32> = serde_json::from_str(&json).unwrap();
        back.check_invariants().unwrap();
        agree(&back, &keys, &mut rng, false);

        let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
        let back: Indexed<u32, u32> = rkyv::from_bytes::<_, BoxedError>(&bytes).unwrap();
        back.check_invariants().unwrap();
        agree(&back, &keys, &mut rng, false);

        let archived =
            rkyv::access::<bptree::archive::ArchivedBPlusTreeMap<u32, u32>, BoxedError>(&bytes)
                .unwrap();
        for i in (0..keys.len()).step_by(97) {
            let (k, v) = archived.get_index(i).unwrap();
            assert_eq!((*k, *v), {
                let (k, v) = map.get_index(i).unwrap();
                (*k, *v)
            });
            assert_eq!(archived.rank(&keys[i]), map.rank(&keys[i]));
        }
    }
}

/// `get_index_mut` reaches the entry in a run and in a tree, and the value
/// written is the one read back by key.
#[test]
fn get_index_mut_writes_the_ith_value() {
    for n in [3u32, 200, if cfg!(miri) { 300 } else { 20_000 }] {
        let mut map: Indexed<u32, u32> = (0..n).map(|k| (k * 3, 0)).collect();
        for i in [0, n as usize / 2, n as usize - 1] {
            let (k, v) = map.get_index_mut(i).unwrap();
            assert_eq!(*k, i as u32 * 3);
            *v = *k + 1;
        }
        assert!(map.get_index_mut(n as usize).is_none());
        for i in [0, n as usize / 2, n as usize - 1] {
            assert_eq!(map[&(i as u32 * 3)], i as u32 * 3 + 1);
        }
        // A cursor edit at an index keeps the counts exact.
        let mid = n as usize / 2;
        let key = mid as u32 * 3 - 1;
        let mut c = map.cursor_mut_at_index(mid);
        c.insert_before(key, 7).unwrap();
        assert_eq!(c.index(), mid + 1);
        assert_eq!(map.get_index(mid), Some((&key, &7)));
        assert_eq!(map.rank(&key), mid);
        map.check_invariants().unwrap();
    }
}

/// `get_index` and `rank` at every index of trees three and four levels
/// deep whose branches hold many children, so that the descent takes both
/// of its ways through a branch's counts: from the first child forward for
/// an index in a branch's first half, from the last child back (whole
/// chunks of 8, then child by child) for one in its second half.
#[test]
fn every_index_of_deep_trees() {
    fn check<A: bptree::policy::OrderStatistics, const CAP: usize>(n: usize, seed: u64) {
        let mut rng = Rng(seed);
        let mut map = BPlusTreeMap::<u32, u32, Wide32, A, CAP>::empty();
        while map.len() < n {
            let k = rng.next() as u32;
            map.insert(k, !k);
        }
        let mut keys: Vec<u32> = map.keys().copied().collect();
        keys.sort_unstable();
        assert!(map.height() >= 3, "height {}", map.height());
        let step = if cfg!(miri) { 97 } else { 1 };
        for i in (0..n).step_by(step) {
            assert_eq!(
                map.get_index(i),
                Some((&keys[i], &!keys[i])),
                "get_index({i})"
            );
            assert_eq!(map.rank(&keys[i]), i, "rank of the {i}th key");
            assert_eq!(
                map.rank(&keys[i].wrapping_add(1)),
                keys.partition_point(|&k| k <= keys[i])
            );
        }
        assert_eq!(map.get_index(n), None);
    }
    let (small, large) = if cfg!(miri) {
        (700, 2_000)
    } else {
        (3_000, 40_000)
    };
    check::<Counted<VecArena>, 8>(small, 5);
    check::<Counted<Indirect<VecArena>>, 16>(large, 6);
}
