//! In-node search.
//!
//! Both searches are branchless binary searches: the loop runs a fixed
//! `log2(len)` steps and picks the half with a conditional move, so for
//! small `Copy` keys (integers) there is no mispredicted branch per level,
//! and for any other `Ord` key it makes the same number of comparisons as an
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
    let mut size = keys.len();
    if size == 0 {
        return 0;
    }
    let mut base = 0;
    while size > 1 {
        let half = size / 2;
        let mid = base + half;
        base = if pred(&keys[mid]) { mid } else { base };
        size -= half;
    }
    base + usize::from(pred(&keys[base]))
}

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
