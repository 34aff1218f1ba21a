//! The canonical packed layout, shared by the archived map and set: the
//! arithmetic that places every level, the descent, validation, and
//! writing the key arrays.
//!
//! `n` keys sit in one array in strictly ascending order; read in runs of
//! [`FANOUT`], they are the leaves (all full but the last). Above them,
//! branch level `i` (from 1) holds a copy of every `FANOUT^i`-th key:
//! entry `j` of level `i` is key `j * FANOUT^i`, the least key of the
//! subtree below it, and the node of level `i - 1` that entry leads to is
//! the `j`-th run of `FANOUT` entries there. There are levels while the
//! level below holds more than one node's worth (`FANOUT` entries), so the
//! top level is a single node. All levels sit in one separator array, top
//! level first. Nothing is stored but the keys: the number of keys fixes
//! every length and every offset, so no index in the archive can point
//! anywhere.

#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::cmp::Ordering;
use core::ops::Bound;

use rkyv::Serialize;
use rkyv::rancor::Fallible;
use rkyv::ser::{Allocator, Writer};
use rkyv::vec::{ArchivedVec, VecResolver};

use super::{ArchiveError, NativeOrd};
use crate::raw::navigate::check_range_bounds_of;
use crate::raw::search::{count_while, prefetch};

/// Entries per node at every level of an archive (leaves and branches).
/// Part of the format: changing it changes the format version.
pub const FANOUT: usize = 16;
const SHIFT: u32 = FANOUT.trailing_zeros();
const _: () = assert!(FANOUT.is_power_of_two() && FANOUT >= 2);

/// The number of branch levels above `n` keys.
#[inline]
pub(crate) fn levels(n: usize) -> u32 {
    // Level `i` exists when the level below it holds more than FANOUT
    // entries, that is when n > FANOUT^i.
    if n <= 1 {
        0
    } else {
        (usize::BITS - (n - 1).leading_zeros() - 1) / SHIFT
    }
}

/// The entries of branch level `i >= 1` above `n >= 1` keys:
/// `ceil(n / FANOUT^i)`.
#[inline]
fn level_len(n: usize, i: u32) -> usize {
    ((n - 1) >> (SHIFT * i)) + 1
}

/// The separators `n` keys need: the lengths of all branch levels.
pub(crate) fn separator_count(n: usize) -> usize {
    (1..=levels(n)).map(|i| level_len(n, i)).sum()
}

/// The keys and separators of an archive, read in place.
pub(crate) struct Index<'a, K> {
    pub(crate) keys: &'a [K],
    pub(crate) seps: &'a [K],
}

impl<K> Clone for Index<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Index<'_, K> {}

impl<'a, K> Index<'a, K> {
    /// The number of keys for which `pred` holds, for a `pred` that holds
    /// on a prefix of the keys. Each level is searched in one node; for any
    /// `pred` at all the result is at most `keys.len()` and no read is out
    /// of bounds (every slice is taken with `get`).
    #[inline]
    fn count(&self, pred: impl Fn(&K) -> bool) -> usize {
        self.count_leaf(&pred, self.leaf_of(&pred))
    }

    /// The leaf (its first position) where the keys for which `pred` holds
    /// end: a descent through every branch level.
    #[inline]
    fn leaf_of(&self, pred: &impl Fn(&K) -> bool) -> usize {
        let n = self.keys.len();
        // The node to search in the current level, and where the level starts.
        let mut node = 0;
        let mut off = 0;
        for i in (1..=levels(n)).rev() {
            let end = off + level_len(n, i);
            let start = off + node * FANOUT;
            let entries = self.seps.get(start..end.min(start + FANOUT)).unwrap_or(&[]);
            prefetch_node(entries, 0);
            // The last entry whose subtree starts where `pred` still holds
            // (the first entry if none does: then so does nothing below).
            node = node * FANOUT + node_count(entries, pred).saturating_sub(1);
            off = end;
        }
        node * FANOUT
    }

    /// The number of keys for which `pred` holds, given the leaf where
    /// they end (from [`leaf_of`](Self::leaf_of)).
    #[inline]
    fn count_leaf(&self, pred: &impl Fn(&K) -> bool, lo: usize) -> usize {
        let n = self.keys.len();
        let leaf = self.keys.get(lo..n.min(lo + FANOUT)).unwrap_or(&[]);
        prefetch_node(leaf, 0);
        n.min(lo + node_count(leaf, pred))
    }

    /// The position of the first key `>= q`.
    #[inline]
    pub(crate) fn lower<Q: ?Sized>(&self, q: &Q) -> usize
    where
        K: NativeOrd<Q>,
    {
        self.count(|k| k.cmp_native(q) == Ordering::Less)
    }

    /// The position of the first key `> q`.
    #[inline]
    fn upper<Q: ?Sized>(&self, q: &Q) -> usize
    where
        K: NativeOrd<Q>,
    {
        self.count(|k| k.cmp_native(q) != Ordering::Greater)
    }

    /// The position of the key equal to `q`.
    #[inline]
    pub(crate) fn find<Q: ?Sized>(&self, q: &Q) -> Option<usize>
    where
        K: NativeOrd<Q>,
    {
        self.find_then(q, |_| {})
    }

    /// As [`find`](Self::find), calling `at_leaf` with the position of the
    /// leaf before searching it (to prefetch what the caller reads there).
    #[inline]
    pub(crate) fn find_then<Q: ?Sized>(&self, q: &Q, at_leaf: impl FnOnce(usize)) -> Option<usize>
    where
        K: NativeOrd<Q>,
    {
        let pred = |k: &K| k.cmp_native(q) == Ordering::Less;
        let lo = self.leaf_of(&pred);
        at_leaf(lo);
        let i = self.count_leaf(&pred, lo);
        match self.keys.get(i) {
            Some(k) if k.cmp_native(q) == Ordering::Equal => Some(i),
            _ => None,
        }
    }

    /// Where a range bound falls: before the first key it admits (start)
    /// or after the last (end).
    fn bound<Q: ?Sized>(&self, bound: Bound<&Q>, end: bool) -> usize
    where
        K: NativeOrd<Q>,
    {
        match bound {
            Bound::Unbounded if end => self.keys.len(),
            Bound::Unbounded => 0,
            Bound::Included(q) if end => self.upper(q),
            Bound::Excluded(q) if end => self.lower(q),
            Bound::Included(q) => self.lower(q),
            Bound::Excluded(q) => self.upper(q),
        }
    }

    /// The positions `start..end` of the keys in a range, with std's
    /// panics for inverted bounds when there are keys, naming `name` (the
    /// archived type whose `range` was called). An `Ord` or
    /// [`NativeOrd`] that is not a total order can make the ends cross;
    /// the range is then empty.
    #[track_caller]
    pub(crate) fn range<Q>(
        &self,
        name: &'static str,
        start: Bound<&Q>,
        end: Bound<&Q>,
    ) -> (usize, usize)
    where
        Q: Ord + ?Sized,
        K: NativeOrd<Q>,
    {
        if self.keys.is_empty() {
            return (0, 0);
        }
        check_range_bounds_of(name, start, end);
        let a = self.bound(start, false);
        let b = self.bound(end, true);
        (a, b.max(a))
    }
}

/// The number of `node`'s keys for which `pred` holds (on a prefix): the
/// engine's in-node search, given the length as a constant for a full node
/// (every node but the last of each level), so that it unrolls.
#[inline(always)]
fn node_count<K>(node: &[K], pred: impl Fn(&K) -> bool) -> usize {
    match <&[K; FANOUT]>::try_from(node) {
        Ok(full) => count_while(full, pred),
        Err(_) => count_while(node, pred),
    }
}

/// Asks the CPU to start loading the node of (at most) `FANOUT` items
/// from `items[start]` on, so that the search's reads of both halves
/// overlap instead of waiting on each other.
#[inline(always)]
pub(crate) fn prefetch_node<T>(items: &[T], start: usize) {
    let end = items.len().min(start.saturating_add(FANOUT));
    prefetch(items.get(start..end).unwrap_or(&[]));
}

/// Proves the layout: the separators have the length the keys imply, the
/// keys ascend strictly, and every separator equals the key it stands for.
/// One pass over the keys and one over the separators.
pub(crate) fn verify<K: Ord>(keys: &[K], seps: &[K]) -> Result<(), ArchiveError> {
    let n = keys.len();
    let expected = separator_count(n);
    if seps.len() != expected {
        return Err(ArchiveError::SeparatorCount {
            keys: n,
            expected,
            found: seps.len(),
        });
    }
    if let Some(i) = keys
        .windows(2)
        .position(|w| w[0].cmp(&w[1]) != Ordering::Less)
    {
        return Err(ArchiveError::KeysNotAscending { index: i + 1 });
    }
    let mut off = 0;
    for i in (1..=levels(n)).rev() {
        let len = level_len(n, i);
        let level = &seps[off..off + len];
        let stride = 1usize << (SHIFT * i);
        let mismatch = level.iter().enumerate().position(|(j, s)| {
            keys.get(j * stride)
                .is_none_or(|k| k.cmp(s) != Ordering::Equal)
        });
        if let Some(index) = mismatch {
            return Err(ArchiveError::SeparatorMismatch {
                level: i as usize,
                index,
            });
        }
        off += len;
    }
    Ok(())
}

/// Writes the key array and the separator array of an archive whose keys,
/// in ascending order, `keys` yields; returns their resolvers.
pub(crate) fn serialize_keys<'a, K, I, S>(
    keys: I,
    serializer: &mut S,
) -> Result<(VecResolver, VecResolver), S::Error>
where
    K: Serialize<S> + 'a,
    I: ExactSizeIterator<Item = &'a K> + Clone,
    S: Fallible + Allocator + Writer + ?Sized,
{
    let n = keys.len();
    let resolver =
        ArchivedVec::<K::Archived>::serialize_from_iter::<K, _, _>(keys.clone(), serializer)?;
    let mut seps: Vec<&K> = Vec::with_capacity(separator_count(n));
    for i in (1..=levels(n)).rev() {
        seps.extend(keys.clone().step_by(1 << (SHIFT * i)));
    }
    let seps = ArchivedVec::<K::Archived>::serialize_from_iter::<K, _, _>(
        seps.iter().copied(),
        serializer,
    )?;
    Ok((resolver, seps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_arithmetic() {
        assert_eq!(levels(0), 0);
        assert_eq!(levels(1), 0);
        assert_eq!(levels(FANOUT), 0);
        assert_eq!(levels(FANOUT + 1), 1);
        assert_eq!(levels(FANOUT * FANOUT), 1);
        assert_eq!(levels(FANOUT * FANOUT + 1), 2);
        assert_eq!(separator_count(FANOUT + 1), 2);
        assert_eq!(separator_count(FANOUT * FANOUT + 1), 17 + 2);
        assert_eq!(level_len(usize::MAX, levels(usize::MAX)), FANOUT);
        // The top level is one node.
        for n in 1..5000 {
            let h = levels(n);
            if h > 0 {
                assert!(level_len(n, h) <= FANOUT && level_len(n, h) >= 2, "{n}");
            }
        }
    }

    #[test]
    fn searches_agree_with_a_scan() {
        for n in [0usize, 1, 2, 15, 16, 17, 255, 256, 257, 300, 4097] {
            let keys: Vec<u32> = (0..n as u32).map(|k| 2 * k).collect();
            let mut seps = Vec::new();
            for i in (1..=levels(n)).rev() {
                seps.extend(keys.iter().step_by(1 << (SHIFT * i)).copied());
            }
            verify(&keys, &seps).unwrap();
            let index = Index {
                keys: &keys,
                seps: &seps,
            };
            // Under Miri, the 4,097 keys (three levels) get every 61st
            // query and both ends: all of them take too long there.
            let all = 2 * n as u32 + 2;
            let sampled = |q: u32| n <= 300 || q < 40 || q + 40 >= all || q.is_multiple_of(61);
            for q in (0..all).filter(|&q| !cfg!(miri) || sampled(q)) {
                // Two scans per query are hours under Miri: there the
                // oracle is std's binary search over the same sorted keys.
                let (lo, hi) = if cfg!(miri) {
                    (
                        keys.partition_point(|&k| k < q),
                        keys.partition_point(|&k| k <= q),
                    )
                } else {
                    (
                        keys.iter().filter(|&&k| k < q).count(),
                        keys.iter().filter(|&&k| k <= q).count(),
                    )
                };
                assert_eq!(index.lower(&q), lo, "n {n} q {q}");
                assert_eq!(index.upper(&q), hi, "n {n} q {q}");
                assert_eq!(
                    index.find(&q),
                    (q % 2 == 0 && q < 2 * n as u32).then_some(lo)
                );
            }
        }
    }
}
