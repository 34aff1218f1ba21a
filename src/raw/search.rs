//! In-node search.
//!
//! Both searches count the keys for which a comparison holds, in two
//! rounds of independent comparisons over the last 64 candidates: every
//! 8th key, then the 8 keys of the window found. Above 64 keys a
//! branchless binary search halves first (a fixed `log2(len)` steps, the
//! half picked by a conditional move). Independent comparisons are what
//! make it fast for every key type: for integers they replace six
//! dependent steps; for keys that compare through memory (`String`, whose
//! bytes are a cache miss away) the CPU has all eight misses of a round in
//! flight at once instead of one after another, and for composite keys
//! (tuples) no comparison's outcome feeds the next one's address. Measured
//! against a plain branchless binary search for `String` and `(u64, u64)`
//! keys at n = 10^5 and 10^6 (issue 24): lookups 25-45% faster, for 16
//! comparisons per node instead of 6. Keys with drop glue save two of the
//! 16 (`count_probed`: the probe that ended the first round is not
//! compared again, nor the key found, to learn it is equal); for integers
//! and tuples the fixed window of 8 compiles to fewer branches, so they
//! keep `count_while`. Only `Ord::cmp` is used (never `PartialOrd`).

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::mem::needs_drop;

/// The number of keys below `q` (so the position of `q` if present), and
/// whether the key there equals `q`.
#[inline]
pub(crate) fn search_leaf<K, Q>(keys: &[K], q: &Q) -> Result<usize, usize>
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    if needs_drop::<K>() {
        // Keys that compare through memory: the equality falls out of the
        // comparisons the count makes (see `count_probed`).
        let (i, found) = count_probed(keys, |k| {
            let o = k.borrow().cmp(q);
            (o == Ordering::Less, o == Ordering::Equal)
        });
        return if found { Ok(i) } else { Err(i) };
    }
    if let Some(found) = int_tuples::search_leaf(keys, q) {
        return found;
    }
    let i = count_while(keys, |k| k.borrow().cmp(q) == Ordering::Less);
    match keys.get(i) {
        Some(k) if k.borrow().cmp(q) == Ordering::Equal => Ok(i),
        _ => Err(i),
    }
}

/// The number of keys at or below `q`: the child of a branch to descend
/// into, since a separator is the least key of the subtree to its right.
/// Always inlined: it is a descent's loop body (outlined, it cost `String`
/// lookups a call per level, 37 instructions per lookup at n = 10^5).
#[inline(always)]
pub(crate) fn search_branch<K, Q>(keys: &[K], q: &Q) -> usize
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    if needs_drop::<K>() {
        return count_probed(keys, |k| (k.borrow().cmp(q) != Ordering::Greater, false)).0;
    }
    if let Some(i) = int_tuples::search_branch(keys, q) {
        return i;
    }
    count_while(keys, |k| k.borrow().cmp(q) != Ordering::Greater)
}

/// Tuples of two integers searched as one wider unsigned integer: the
/// first field (its sign bit flipped if signed) above the second, so that
/// the integer's order is the tuple's (std's `Ord`, which no other crate
/// can change for these types). One comparison without branches per key
/// instead of two fields' comparisons: `(u64, u64)` lookups at n = 10^5
/// went from 709 to 545 instructions (callgrind). The types are told by
/// their identity, as the byte strings are (`node::prefix`).
mod int_tuples {
    use crate::node::as_type;

    /// Each pair with its wide type and its image in it (a signed field's
    /// bits with the sign bit flipped: the unsigned integer of its order).
    macro_rules! tuples {
        ($($a:ty, $b:ty => $w:ty, |$x:ident, $y:ident| $e:expr;)*) => {
            /// [`super::search_leaf`] for the tuples listed, `None` for
            /// other key types.
            #[inline(always)]
            pub(super) fn search_leaf<K, Q: ?Sized>(keys: &[K], q: &Q) -> Option<Result<usize, usize>> {
                $(
                    if let Some((keys, q)) = as_type::<($a, $b), K, Q>(keys, q) {
                        let wide = |&($x, $y): &($a, $b)| -> $w { $e };
                        let q = wide(q);
                        let i = super::count_while(keys, |k| wide(k) < q);
                        return Some(match keys.get(i) {
                            Some(k) if wide(k) == q => Ok(i),
                            _ => Err(i),
                        });
                    }
                )*
                None
            }

            /// [`super::search_branch`] for the tuples listed.
            #[inline(always)]
            pub(super) fn search_branch<K, Q: ?Sized>(keys: &[K], q: &Q) -> Option<usize> {
                $(
                    if let Some((keys, q)) = as_type::<($a, $b), K, Q>(keys, q) {
                        let wide = |&($x, $y): &($a, $b)| -> $w { $e };
                        let q = wide(q);
                        return Some(super::count_while(keys, |k| wide(k) <= q));
                    }
                )*
                None
            }
        };
    }

    tuples! {
        u64, u64 => u128, |a, b| (u128::from(a) << 64) | u128::from(b);
        i64, i64 => u128, |a, b| (u128::from(a.cast_unsigned() ^ 1 << 63) << 64) | u128::from(b.cast_unsigned() ^ 1 << 63);
        u64, u32 => u128, |a, b| (u128::from(a) << 32) | u128::from(b);
        u32, u64 => u128, |a, b| (u128::from(a) << 64) | u128::from(b);
        u32, u32 => u64, |a, b| (u64::from(a) << 32) | u64::from(b);
        i32, i32 => u64, |a, b| (u64::from(a.cast_unsigned() ^ 1 << 31) << 32) | u64::from(b.cast_unsigned() ^ 1 << 31);
        usize, usize => u128, |a, b| ((a as u128) << 64) | b as u128;
        u16, u16 => u32, |a, b| (u32::from(a) << 16) | u32::from(b);
    }
}

/// The length of the prefix of `keys` for which `pred` holds (`pred` must
/// be true on a prefix and false after it).
#[inline(always)]
pub(crate) fn count_while<K>(keys: &[K], pred: impl Fn(&K) -> bool) -> usize {
    // A closure, not `&pred`: through the reference the loop kept an
    // indirection (8 more instructions per `u64` lookup, callgrind).
    let (mut base, mut rest) = halve(keys, |k| pred(k));
    if rest.len() > WINDOW {
        // At most WINDOW² keys are left: count the last key of each full
        // window of WINDOW (all true windows lie before the first false
        // one), then count within the window that holds the boundary. Two
        // rounds of independent comparisons.
        let windows = rest
            .chunks_exact(WINDOW)
            .map(|w| usize::from(pred(&w[WINDOW - 1])))
            .sum::<usize>();
        // Every key before `start` is true: either it lies in a true window,
        // or `start` was moved back to keep the window inside `rest`.
        let start = (windows * WINDOW).min(rest.len() - WINDOW);
        base += start;
        rest = &rest[start..start + WINDOW];
    }
    base + rest.iter().map(|k| usize::from(pred(k))).sum::<usize>()
}

/// Halve `keys` until at most `WINDOW²` are left, keeping the half that
/// holds the end of the prefix for which `pred` holds: the keys before the
/// window (all true) and the window.
///
/// The window always has the same length whichever half is kept, so the
/// choice compiles to conditional moves, and every index is provably in
/// bounds (no checks in the loop). Halving stops at 64 keys, which two
/// linear counts finish (see the module docs).
#[inline(always)]
fn halve<K>(keys: &[K], mut pred: impl FnMut(&K) -> bool) -> (usize, &[K]) {
    let mut rest = keys;
    let mut base = 0;
    while rest.len() > WINDOW * WINDOW {
        let half = rest.len() / 2;
        let keep = rest.len() - half;
        let right = pred(&rest[half]);
        // Which half is kept is a coin toss for the branch predictor:
        // `select_unpredictable` keeps it a conditional move even where the
        // comparison itself branches (tuples, strings), where the compiler
        // would otherwise emit a jump that mispredicts half the time.
        base += core::hint::select_unpredictable(right, half, 0);
        rest = core::hint::select_unpredictable(right, &rest[half..], &rest[..keep]);
    }
    (base, rest)
}

/// [`count_while`] for keys that compare through memory (`needs_drop`:
/// `String`, `Vec`, boxed keys), where each comparison is a cache miss
/// away and so worth saving: `f` gives the predicate and whether the key
/// equals the one searched for. Returns the count and whether the key at
/// it (if any) is equal.
///
/// The same rounds as `count_while`, less two comparisons per node: the
/// second round skips the key that ended the first (its answer is known),
/// and no key is compared again to learn whether it is equal. The key at
/// the count is always one this compared (the first false key of the last
/// round, the probe that ended the first round, or a halving's probe
/// bounding the window), and of a node's sorted keys only that one can
/// equal the key searched for, so `found` is the `or` of every
/// comparison's equality. (An `Ord` that is not a total order gets some
/// count in bounds, as with `count_while`.)
#[inline(always)]
fn count_probed<K>(keys: &[K], f: impl Fn(&K) -> (bool, bool)) -> (usize, bool) {
    let mut found = false;
    let (mut base, mut rest) = halve(keys, |k| {
        let (t, eq) = f(k);
        found |= eq;
        t
    });
    if rest.len() > WINDOW {
        let chunks = rest.len() / WINDOW;
        let mut windows = 0;
        for w in rest.chunks_exact(WINDOW) {
            let (t, eq) = f(&w[WINDOW - 1]);
            windows += usize::from(t);
            found |= eq;
        }
        // The window that holds the boundary: the first false window less
        // its last key (the probe, known false), or the keys after the
        // last whole window.
        let start = windows * WINDOW;
        let end = if windows < chunks {
            start + WINDOW - 1
        } else {
            rest.len()
        };
        base += start;
        rest = &rest[start..end];
    }
    let mut count = 0;
    for k in rest {
        let (t, eq) = f(k);
        count += usize::from(t);
        found |= eq;
    }
    (base + count, found)
}

/// Asks the CPU to start loading every cache line of `items` (at most the
/// first 16, one KiB), so that a search's reads of them overlap instead of
/// each waiting on the one before: a binary search over a node spanning
/// several lines otherwise pays one cache miss after another.
#[inline(always)]
pub(crate) fn prefetch<T>(items: &[T]) {
    prefetch_bytes(items.as_ptr().cast(), size_of_val(items).min(16 * LINE));
}

/// Asks the CPU to start loading every cache line of the `bytes` bytes from
/// `first` (which need not be readable: nothing is read).
#[inline(always)]
pub(crate) fn prefetch_bytes(first: *const u8, bytes: usize) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // From the line holding the first byte to the one holding the last.
        let skew = first as usize % LINE;
        let first = first.cast::<i8>();
        let mut offset = 0;
        while offset < skew + bytes {
            // SAFETY: a prefetch only hints the cache: it reads nothing the
            // program sees and cannot fault, whatever the address (so the
            // line's start may lie before the slice). `sse`, the
            // intrinsic's target feature, is enabled (the cfg above).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first.wrapping_sub(skew).wrapping_add(offset)) };
            offset += LINE;
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = (first, bytes);
}

/// A cache line, in bytes.
const LINE: usize = 64;

/// The window, in keys, that the search counts linearly: 8 keys of 8 bytes
/// are one cache line, and 8 independent comparisons keep the CPU busy
/// while their memory loads. Up to its square, keys are searched with two
/// linear counts instead of halving.
const WINDOW: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_linear_search() {
        // Every path: halving (above 64), the two linear rounds (9 to 64,
        // whole windows or not) and the plain count (up to 8).
        let lens: Vec<u32> = if cfg!(miri) {
            vec![0, 1, 7, 8, 9, 16, 17, 63, 64, 65, 129]
        } else {
            (0..80).chain([127, 128, 129, 200, 300]).collect()
        };
        for len in lens {
            let keys: Vec<u32> = (0..len).map(|i| i * 2).collect();
            let wide: Vec<(u64, u32)> = keys.iter().map(|&k| (7, k)).collect();
            let strings: Vec<alloc::string::String> =
                keys.iter().map(|k| alloc::format!("{k:06}")).collect();
            // The keys are the even numbers below `2 * len`, so a linear
            // scan's answers have closed forms (a scan per query made this
            // test quadratic, minutes under Miri): the first key `>= q` is
            // at `ceil(q / 2)`, and `q / 2 + 1` keys are `<= q`.
            for q in 0..2 * len + 2 {
                let lin = q.div_ceil(2).min(len) as usize;
                let expect = if q % 2 == 0 && q < 2 * len {
                    Ok(lin)
                } else {
                    Err(lin)
                };
                assert_eq!(search_leaf(&keys, &q), expect);
                assert_eq!(search_branch(&keys, &q), (q / 2 + 1).min(len) as usize);
                // The same answers for wide keys, and for keys with drop
                // glue.
                assert_eq!(search_leaf(&wide, &(7, q)), expect);
                assert_eq!(search_branch(&wide, &(7, q)), (q / 2 + 1).min(len) as usize);
                // Keys with drop glue take `count_probed`: every query
                // (every fourth under Miri), present and absent.
                if !cfg!(miri) || q % 4 == 0 {
                    let q = alloc::format!("{q:06}");
                    assert_eq!(search_leaf(&strings, q.as_str()), expect);
                    assert_eq!(
                        search_branch(&strings, q.as_str()),
                        (lin + usize::from(expect.is_ok())),
                    );
                }
            }
        }
    }

    /// The tuples searched as wide integers agree with their `Ord`, at
    /// the fields' extremes and with signed fields of both signs.
    #[test]
    fn integer_tuples_agree_with_ord() {
        fn check<T: Ord + Copy + core::fmt::Debug>(values: &[T]) {
            let mut keys = values.to_vec();
            keys.sort();
            keys.dedup();
            for len in [0, 1, 5, 9, keys.len()] {
                let keys = &keys[..len.min(keys.len())];
                for q in values {
                    let below = keys.partition_point(|k| k < q);
                    let expect = if keys.get(below) == Some(q) {
                        Ok(below)
                    } else {
                        Err(below)
                    };
                    assert_eq!(search_leaf(keys, q), expect, "{q:?} in {keys:?}");
                    assert_eq!(search_branch(keys, q), keys.partition_point(|k| k <= q));
                }
            }
        }
        fn pairs<A: Copy, B: Copy>(a: &[A], b: &[B]) -> Vec<(A, B)> {
            a.iter()
                .flat_map(|&x| b.iter().map(move |&y| (x, y)))
                .collect()
        }
        let u64s = [0, 1, 2, u64::MAX - 1, u64::MAX, 1 << 32, 1 << 63];
        let i64s = [i64::MIN, -2, -1, 0, 1, i64::MAX];
        let u32s = [0, 1, u32::MAX, 1 << 31];
        let i32s = [i32::MIN, -1, 0, 1, i32::MAX];
        check(&pairs(&u64s, &u64s));
        check(&pairs(&i64s, &i64s));
        check(&pairs(&u64s, &u32s));
        check(&pairs(&u32s, &u64s));
        check(&pairs(&u32s, &u32s));
        check(&pairs(&i32s, &i32s));
        check(&pairs(&[0usize, 1, usize::MAX], &[usize::MAX, 0]));
        check(&pairs(&[0u16, 7, u16::MAX], &[u16::MAX, 0, 1]));
        // A pair not listed, by `Ord`.
        check(&pairs(&[-1i8, 0, 1], &[3u8, 0]));
    }

    #[test]
    fn borrowed_keys() {
        let keys = ["b".to_string(), "d".to_string()];
        assert_eq!(search_leaf(&keys, "d"), Ok(1));
        assert_eq!(search_leaf(&keys, "c"), Err(1));
        assert_eq!(search_branch(&keys, "a"), 0);
    }
}
