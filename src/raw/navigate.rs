//! Positions, and the one walker over them.
//!
//! A position is a (leaf, index) pair kept in canonical form: the index is
//! below the leaf's length, except at the very end of the tree, where it is
//! (last leaf, its length). Two canonical positions name the same place
//! exactly when they are equal, which is how range iterators know they met.
//! The descents that find positions are
//! [`TreeView`](super::view::TreeView)'s; the walker that steps between them
//! is `raw::iter::RawRange`. This module holds what both use: the position
//! type and where a bound falls among a node's keys.

#![forbid(unsafe_code)]

use core::borrow::Borrow;
use core::ops::Bound;

use super::search::{search_branch, search_leaf};
use crate::policy::Handle;

/// A place between entries: before entry `idx` of `leaf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos<H> {
    pub(crate) leaf: H,
    pub(crate) idx: usize,
}

impl<H: Handle> Pos<H> {
    /// The same position with the leaf named by a handle of width `G`.
    #[inline]
    pub(crate) fn cast<G: Handle>(self) -> Pos<G> {
        Pos {
            leaf: self.leaf.cast(),
            idx: self.idx,
        }
    }
}

/// The child of a branch with separators `keys` that a bound descends
/// into: the leftmost (`upper == false`) or rightmost child for
/// `Unbounded`, else the one where its key is or would be.
#[inline]
pub(crate) fn child_bound<K, Q>(keys: &[K], bound: Bound<&Q>, upper: bool) -> usize
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    match bound {
        Bound::Unbounded => {
            if upper {
                keys.len()
            } else {
                0
            }
        }
        Bound::Included(q) | Bound::Excluded(q) => search_branch(keys, q),
    }
}

/// std's panics for a range whose bounds are inverted: start above end,
/// or both ends the same key and excluded, for the map. (std checks only
/// when the map is not empty; so do the callers.)
#[track_caller]
pub(crate) fn check_range_bounds<Q: Ord + ?Sized>(start: Bound<&Q>, end: Bound<&Q>) {
    check_range_bounds_of("BPlusTreeMap", start, end);
}

/// [`check_range_bounds`] for the collection named `name`: the one place
/// that words std's two panics ("... in BTreeMap", "... in BTreeSet"),
/// with our type names.
#[track_caller]
pub(crate) fn check_range_bounds_of<Q: Ord + ?Sized>(
    name: &'static str,
    start: Bound<&Q>,
    end: Bound<&Q>,
) {
    match (start, end) {
        (Bound::Excluded(s), Bound::Excluded(e)) if s == e => {
            panic!("range start and end are equal and excluded in {name}")
        }
        (Bound::Included(s) | Bound::Excluded(s), Bound::Included(e) | Bound::Excluded(e))
            if s > e =>
        {
            panic!("range start is greater than range end in {name}")
        }
        _ => {}
    }
}

/// Where `bound` falls in sorted `keys`, as
/// [`TreeView::bound_pos`](super::view::TreeView::bound_pos) reads it:
/// the index before the first key `>= q` for `Included(q)`, `> q` for
/// `Excluded(q)`, 0 for `Unbounded`; with `upper`, `> q`, `>= q` and the end.
#[inline]
pub(crate) fn key_bound<K, Q>(keys: &[K], bound: Bound<&Q>, upper: bool) -> usize
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    let (q, after_equal) = match bound {
        Bound::Unbounded => return if upper { keys.len() } else { 0 },
        Bound::Included(q) => (q, upper),
        Bound::Excluded(q) => (q, !upper),
    };
    match search_leaf(keys, q) {
        Ok(i) if after_equal => i + 1,
        Ok(i) | Err(i) => i,
    }
}
