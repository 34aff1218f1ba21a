//! A branch: `len` separator keys and `len + 1` children, stored as `first`
//! plus `rights[i]`, the child to the right of key `i` (stable Rust cannot
//! write `[H; CAP + 1]`); inserting a separator with its right child then
//! touches the same index in both arrays.

use core::borrow::Borrow;
use core::ptr;

use super::prefix::Block;
use super::{Pairs, buffer_heap, move_slice};
use crate::policy::{Buf, Config, Count};

/// A child of a branch: its handle and what the configuration keeps beside
/// it, the number of entries below it (`N = u32`, a `Counted` arena) or
/// nothing (`N = NoCount`, zero-sized: the edge is the bare handle).
/// Children move with their counts: every move of a branch's children
/// below moves both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge<H, N> {
    pub(crate) h: H,
    pub(crate) n: N,
}

impl<H, N: Count> Edge<H, N> {
    /// Child `h`, with `n` entries below it.
    #[inline(always)]
    pub(crate) fn new(h: H, n: usize) -> Self {
        Edge { h, n: N::new(n) }
    }
}

/// A configuration's branch child.
pub(crate) type EdgeOf<C> = Edge<<C as Config>::H, <C as Config>::N>;

/// The entries below `edges` (0 without counts), added as counts: no sum
/// of some of a branch's children's counts exceeds the map's length, so
/// none overflows the count type (see [`Count`]).
#[inline]
pub(crate) fn sum_counts<H, N: Count>(edges: &[Edge<H, N>]) -> usize {
    edges.iter().fold(N::new(0), |sum, e| sum + e.n).get()
}

/// A branch: `len` separator keys and `len + 1` children.
pub(crate) struct Branch<K, C: Config> {
    keys: C::Buf<K>,
    rights: C::Buf<EdgeOf<C>>,
    /// The leftmost child.
    first: EdgeOf<C>,
    /// The separators' prefixes (`Prefixed` configurations), or nothing.
    pfx: C::Pfx,
    len: u16,
}

impl<K, C: Config> Branch<K, C> {
    /// Write a branch with no separators and `first` as its only child at
    /// `this`, field by field (see [`Leaf::init`]).
    ///
    /// # Safety
    /// As for [`Leaf::init`].
    pub(crate) unsafe fn init(this: *mut Self, first: EdgeOf<C>) {
        // SAFETY: the fields lie within `*this` (caller's contract).
        unsafe {
            <C::Buf<K> as Buf<K>>::init(&raw mut (*this).keys);
            <C::Buf<EdgeOf<C>> as Buf<EdgeOf<C>>>::init(&raw mut (*this).rights);
            (&raw mut (*this).first).write(first);
            <C::Pfx as Block>::init(&raw mut (*this).pfx);
            (&raw mut (*this).len).write(0);
        }
    }

    node_buffers!(rights: EdgeOf<C>);

    /// The child to descend into for `q`: the number of separators at or
    /// below it, searched through the prefix block where the
    /// configuration keeps one.
    #[inline]
    pub(crate) fn search<Q>(&self, q: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.pfx.search_branch(self.keys(), q)
    }

    /// Child `i` with its count, for `i <= len`.
    #[inline]
    pub(crate) fn edge(&self, i: usize) -> EdgeOf<C> {
        if i == 0 {
            self.first
        } else {
            assert!(i <= self.len());
            // SAFETY: `i - 1 < len`, an initialised slot.
            unsafe { *self.rights.as_ptr().add(i - 1) }
        }
    }

    /// Children `1..=len` with their counts (child 0 is
    /// [`edge`](Self::edge)`(0)`).
    #[inline]
    pub(crate) fn rights(&self) -> &[EdgeOf<C>] {
        // SAFETY: the first `len` slots are initialised (module invariant).
        unsafe { core::slice::from_raw_parts(self.rights.as_ptr(), self.len()) }
    }

    /// Child `i`, for `i <= len`.
    #[inline]
    pub(crate) fn child(&self, i: usize) -> C::H {
        self.edge(i).h
    }

    /// The entries below child `i`, for `i <= len` (0 without counts).
    #[inline]
    pub(crate) fn count(&self, i: usize) -> usize {
        self.edge(i).n.get()
    }

    /// Set the count of child `i`, for `i <= len` (nothing without counts).
    #[inline]
    pub(crate) fn set_count(&mut self, i: usize, n: usize) {
        if !C::N::ON {
            return;
        }
        if i == 0 {
            self.first.n = C::N::new(n);
        } else {
            assert!(i <= self.len());
            // SAFETY: `i - 1 < len`, an initialised slot.
            unsafe { (*self.rights.as_mut_ptr().add(i - 1)).n = C::N::new(n) }
        }
    }

    /// Add `delta` (wrapping: -1 is `usize::MAX`) to the count of child
    /// `i`, for `i <= len` (nothing without counts).
    #[inline]
    pub(crate) fn add_count(&mut self, i: usize, delta: usize) {
        if C::N::ON {
            self.set_count(i, self.count(i).wrapping_add(delta));
        }
    }

    /// The entries below children `0..j` (0 without counts): a sum over
    /// the count array, without a branch per child.
    #[inline]
    pub(crate) fn count_before(&self, j: usize) -> usize {
        if !C::N::ON || j == 0 {
            return 0;
        }
        self.count(0) + sum_counts(&self.rights()[..j - 1])
    }

    /// [`count_before`](Self::count_before) for a branch with `total`
    /// entries below it, summed from the nearer end: for `j` past the
    /// middle, `total` less the entries below children `j..=len`. Half the
    /// counts on average, and a descent knows each branch's total (the
    /// count of the child it took one level up).
    #[inline]
    pub(crate) fn count_before_within(&self, j: usize, total: usize) -> usize {
        if !C::N::ON || 2 * j <= self.len() {
            return self.count_before(j);
        }
        total - self.count(j) - sum_counts(&self.rights()[j..])
    }

    /// The entries below this branch: the sum of its children's counts
    /// (0 without counts).
    pub(crate) fn total(&self) -> usize {
        if !C::N::ON {
            return 0;
        }
        self.count(0) + sum_counts(self.rights())
    }

    /// Heap bytes and allocations of the branch's own buffers.
    pub(crate) fn heap(&self) -> (usize, usize) {
        buffer_heap(&[self.keys.heap_bytes(), self.rights.heap_bytes()])
    }

    /// Replace separator `i`, returning the old one.
    pub(crate) fn replace_key(&mut self, i: usize, key: K) -> K {
        let len = self.len();
        assert!(i < len);
        self.pfx.remove::<K>(len, i);
        self.pfx.insert::<K>(len - 1, i, &key);
        // SAFETY: `i < len`, an initialised slot.
        unsafe { ptr::replace(self.keys.as_mut_ptr().add(i), key) }
    }

    /// Set the leftmost child.
    #[inline]
    pub(crate) fn set_first(&mut self, e: EdgeOf<C>) {
        self.first = e;
    }

    /// Move all of `src`'s separators into this branch, which has none, with
    /// `rights[i]` as the child to the right of separator `i`: how a branch
    /// moves to another configuration (another handle width), its children
    /// renamed. `src` is left with no separators.
    pub(crate) fn take_keys_from<D: Config>(
        &mut self,
        src: &mut Branch<K, D>,
        rights: &[EdgeOf<C>],
    ) {
        let count = src.len();
        assert!(self.len() == 0 && rights.len() == count && count <= C::CAP);
        self.reserve(count);
        // SAFETY: `src[..count]` is initialised and given up (its length
        // becomes 0); we have room for `count` separators and children.
        unsafe {
            move_slice(src.keys.as_ptr(), self.keys.as_mut_ptr(), count);
            move_slice(rights.as_ptr(), self.rights.as_mut_ptr(), count);
        }
        src.set_len(0);
        self.set_len(count);
        self.rebuild_prefixes();
    }

    /// Merge: append `sep` and all of `src` (its children included).
    pub(crate) fn append_from(&mut self, sep: K, src: &mut Self) {
        let (len, count) = (self.len(), src.len());
        assert!(len + 1 + count <= C::CAP);
        self.insert(len, sep, src.first);
        self.reserve(len + 1 + count);
        // SAFETY: `src[..count]` is given up (its length becomes 0) and we
        // have room for `len + 1 + count`.
        unsafe { src.pairs().move_to(self.pairs().at(len + 1), count) };
        src.set_len(0);
        self.set_len(len + 1 + count);
        self.prefixes_joined(len + 1, src.pfx.parts(), (0, count), false);
        self.refresh_flat_prefixes();
    }

    /// Rotate `count` children from the front of `right` to the end of this
    /// branch through the parent separator `sep`; returns the new separator.
    pub(crate) fn shift_from_right(&mut self, sep: K, right: &mut Self, count: usize) -> K {
        let (len, rlen) = (self.len(), right.len());
        assert!(count >= 1 && count <= rlen && len + count <= C::CAP);
        self.insert(len, sep, right.first);
        self.reserve(len + count);
        // SAFETY: `right`'s first `count - 1` separators and right children
        // move to our tail; its separator `count - 1` is read out as the new
        // parent separator, its right child becomes `right.first`, and the
        // remaining `rlen - count` entries shift down.
        unsafe {
            right.pairs().move_to(self.pairs().at(len + 1), count - 1);
            let (new_sep, first) = right.pairs().read(count - 1);
            right.first = first;
            right.pairs().shift_left(rlen, count);
            self.set_len(len + count);
            right.set_len(rlen - count);
            self.prefixes_joined(len + 1, right.pfx.parts(), (0, count - 1), false);
            right.pfx.remove_front::<K>(rlen, count);
            self.refresh_flat_prefixes();
            new_sep
        }
    }

    /// Rotate `count` children from the end of this branch to the front of
    /// `right` through the parent separator `sep`; returns the new separator.
    pub(crate) fn shift_to_right(&mut self, sep: K, right: &mut Self, count: usize) -> K {
        let (len, rlen) = (self.len(), right.len());
        assert!(count >= 1 && count <= len && rlen + count <= C::CAP);
        right.reserve(rlen + count);
        // SAFETY: `right` shifts up by `count`; into the gap go our last
        // `count - 1` separators and `sep`, and as children our last `count`
        // children (the old `right.first` moves behind `sep`). Our separator
        // `len - count` becomes the new parent separator.
        unsafe {
            right.pairs().shift_right(rlen, count);
            self.pairs()
                .at(len - count + 1)
                .move_to(right.pairs(), count - 1);
            let (kp, rp) = (right.keys.as_mut_ptr(), right.rights.as_mut_ptr());
            kp.add(count - 1).write(sep);
            rp.add(count - 1).write(right.first);
            let (new_sep, first) = self.pairs().read(len - count);
            right.first = first;
            self.set_len(len - count);
            right.set_len(rlen + count);
            // The prefixes: our last `count - 1` separators joined `right`
            // at its front, then `sep` after them (our own block needs
            // nothing: its last keys left).
            if !right.prefixes_joined(rlen, self.pfx.parts(), (len - count + 1, count - 1), true) {
                let (pfx, keys) = right.prefixes_and_keys();
                pfx.insert::<K>(rlen + count - 1, count - 1, &keys[count - 1]);
            }
            right.refresh_flat_prefixes();
            new_sep
        }
    }
}

impl<K, C: Config> Drop for Branch<K, C> {
    fn drop(&mut self) {
        let len = self.len();
        self.len = 0;
        // SAFETY: the first `len` keys are initialised and never used again
        // (handles need no drop).
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.keys.as_mut_ptr(), len));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EdgeOf;
    use crate::policy::{Cfg, Compact16, Counted, VecArena, Wide32};

    /// A child is its handle, and with counts a `u32` beside it: 8 bytes
    /// for either handle width (a `Compact16` handle is padded to the
    /// count's alignment).
    #[test]
    fn edge_sizes() {
        assert_eq!(size_of::<EdgeOf<Cfg<Wide32, VecArena, 64>>>(), 4);
        assert_eq!(size_of::<EdgeOf<Cfg<Compact16, VecArena, 64>>>(), 2);
        assert_eq!(size_of::<EdgeOf<Cfg<Wide32, Counted<VecArena>, 64>>>(), 8);
        assert_eq!(
            size_of::<EdgeOf<Cfg<Compact16, Counted<VecArena>, 64>>>(),
            8
        );
    }
}
