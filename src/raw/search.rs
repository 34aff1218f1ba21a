//! In-node search.
//!
//! Both searches are branchless binary searches: the loop runs a fixed
//! `log2(len)` steps and picks the half with a conditional move, so there is
//! no mispredicted branch per level. For small plain keys (at most 8 bytes,
//! no drop glue: integers and the like) the last 8 candidates are counted
//! linearly, which replaces three dependent steps by independent
//! comparisons; any other `Ord` key makes the same comparisons as an
//! ordinary binary search. Only `Ord::cmp` is used (never `PartialOrd`).

use core::borrow::Borrow;
use core::cmp::Ordering;

/// The number of keys below `q` (so the position of `q` if present), and
/// whether the key there equals `q`.
#[inline]
pub(crate) fn search_leaf<K, Q>(keys: &[K], q: &Q) -> Result<usize, usize>
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    let i = count_while(keys, |k| k.borrow().cmp(q) == Ordering::Less);
    match keys.get(i) {
        Some(k) if k.borrow().cmp(q) == Ordering::Equal => Ok(i),
        _ => Err(i),
    }
}

/// The number of keys at or below `q`: the child of a branch to descend
/// into, since a separator is the least key of the subtree to its right.
#[inline]
pub(crate) fn search_branch<K, Q>(keys: &[K], q: &Q) -> usize
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    count_while(keys, |k| k.borrow().cmp(q) != Ordering::Greater)
}

/// The length of the prefix of `keys` for which `pred` holds (`pred` must
/// be true on a prefix and false after it).
#[inline(always)]
pub(crate) fn count_while<K>(keys: &[K], pred: impl Fn(&K) -> bool) -> usize {
    // The window `rest` always has the same length whichever half is kept,
    // so the choice compiles to conditional moves, and every index is
    // provably in bounds (no checks in the loop).
    // Small plain keys (integers and the like) finish with a linear count
    // over the last few: independent comparisons instead of a dependent
    // chain. Keys that own memory or are wide (strings) keep halving, so
    // they make no more comparisons than a binary search.
    let linear = size_of::<K>() <= 8 && !core::mem::needs_drop::<K>();
    let tail = if linear { LINEAR_TAIL } else { 1 };
    let mut rest = keys;
    let mut base = 0;
    while rest.len() > tail {
        let half = rest.len() / 2;
        let keep = rest.len() - half;
        let right = pred(&rest[half]);
        base += if right { half } else { 0 };
        rest = if right { &rest[half..] } else { &rest[..keep] };
    }
    base + rest.iter().map(|k| usize::from(pred(k))).sum::<usize>()
}

/// Asks the CPU to start loading every cache line of `items` (at most the
/// first 16, one KiB), so that a search's reads of them overlap instead of
/// each waiting on the one before: a binary search over a node spanning
/// several lines otherwise pays one cache miss after another.
#[inline(always)]
pub(crate) fn prefetch<T>(items: &[T]) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE: usize = 64;
        let first = items.as_ptr().cast::<i8>();
        let bytes = size_of_val(items).min(16 * LINE);
        // From the line holding the first byte to the one holding the last.
        let skew = first as usize % LINE;
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
    let _ = items;
}

/// How many keys the search for small plain keys counts linearly.
const LINEAR_TAIL: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_linear_search() {
        for len in 0..20 {
            let keys: Vec<u32> = (0..len).map(|i| i * 2).collect();
            for q in 0..2 * len + 2 {
                let lin = keys.iter().position(|&k| k >= q).unwrap_or(keys.len());
                let expect = if keys.get(lin) == Some(&q) {
                    Ok(lin)
                } else {
                    Err(lin)
                };
                assert_eq!(search_leaf(&keys, &q), expect);
                assert_eq!(
                    search_branch(&keys, &q),
                    keys.iter().filter(|&&k| k <= q).count()
                );
            }
        }
    }

    #[test]
    fn borrowed_keys() {
        let keys = ["b".to_string(), "d".to_string()];
        assert_eq!(search_leaf(&keys, "d"), Ok(1));
        assert_eq!(search_leaf(&keys, "c"), Err(1));
        assert_eq!(search_branch(&keys, "a"), 0);
    }
}
