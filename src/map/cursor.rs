//! Cursors: [`Cursor`] and [`CursorMut`], the shape of std's unstable
//! `btree_cursors` (rust-lang/rust#107540), on stable.
//!
//! A cursor sits in a *gap* between two entries (or before the first, or
//! after the last), kept as the canonical position of the entry after the
//! gap. Moving costs O(1) amortised; inserting or removing at the cursor
//! costs one descent plus the rebalancing an insert or remove does anyway.

use core::borrow::Borrow;
use core::fmt;
use core::ops::Bound;

use super::{BPlusTreeMap, Tree};
use crate::policy::{ArenaStrategy, Handle, OrderStatistics};
use crate::raw::Path;
use crate::raw::navigate::Pos;
use crate::raw::view::LeafChain;

/// The error of [`CursorMut::insert_before`] and
/// [`CursorMut::insert_after`]: the key does not fit between the cursor's
/// neighbours (it must be greater than the entry before the gap and less
/// than the entry after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnorderedKeyError {}

impl fmt::Display for UnorderedKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("key is not properly ordered relative to neighbors")
    }
}

impl core::error::Error for UnorderedKeyError {}

/// A read-only cursor over a map: [`BPlusTreeMap::lower_bound`],
/// [`BPlusTreeMap::upper_bound`].
pub struct Cursor<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    tree: &'a Tree<K, V, H, A, CAP>,
    pos: Pos<H>,
}

/// A cursor that can also change the map: [`BPlusTreeMap::lower_bound_mut`],
/// [`BPlusTreeMap::upper_bound_mut`].
pub struct CursorMut<
    'a,
    K,
    V,
    H: Handle = crate::Wide32,
    A: ArenaStrategy = crate::policy::Indirect,
    const CAP: usize = 64,
> {
    tree: &'a mut Tree<K, V, H, A, CAP>,
    pos: Pos<H>,
}

/// Shared moves over a tree and a gap position.
///
/// A cursor's invariant: `pos` is a canonical position of its tree, made
/// by the tree (`gap`) or by these moves since the tree last changed, or
/// returned by the change (an insert or removal through the cursor). The
/// moves below take such a position and return one.
impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Tree<K, V, H, A, CAP> {
    /// The gap for a cursor: before the first key above the bound
    /// (`lower`), or after the last key below it (`upper`).
    fn gap<Q>(&self, bound: Bound<&Q>, upper: bool) -> Pos<H>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.bound_pos(bound, upper)
    }

    /// The entry after the gap, if any.
    ///
    /// # Safety
    /// `pos` is a position of this tree (the cursor's invariant).
    unsafe fn after(&self, pos: Pos<H>) -> Option<Pos<H>> {
        // SAFETY: `pos.leaf` is live (caller's contract).
        (pos.idx < unsafe { self.leaf(pos.leaf) }.len).then_some(pos)
    }

    /// The gap after entry `pos`.
    ///
    /// # Safety
    /// As for [`after`](Self::after), and `pos` holds an entry.
    unsafe fn past(&self, pos: Pos<H>) -> Pos<H> {
        // SAFETY: `pos.leaf` is live (caller's contract).
        unsafe {
            self.normalize(Pos {
                leaf: pos.leaf,
                idx: pos.idx + 1,
            })
        }
    }

    /// The entry at `pos` (panics if there is none).
    ///
    /// # Safety
    /// As for [`after`](Self::after).
    unsafe fn entry_at(&self, pos: Pos<H>) -> (&K, &V) {
        // SAFETY: `pos.leaf` is live (caller's contract); `&self` hands out
        // no `&mut`, and the entries live as long as it.
        unsafe { self.leaf(pos.leaf).entry(pos.idx) }
    }

    /// The entry at `pos`, its value mutable (panics if there is none).
    ///
    /// # Safety
    /// As for [`after`](Self::after).
    unsafe fn entry_mut_at(&mut self, pos: Pos<H>) -> (&K, &mut V) {
        // SAFETY: `pos.leaf` is live (caller's contract); `&mut self` makes
        // the value reference unique for its lifetime.
        unsafe { self.leaf(pos.leaf).entry_mut(pos.idx) }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> BPlusTreeMap<K, V, H, A, CAP> {
    /// A cursor at the gap before the least key above `bound`: before the
    /// first key `>= k` for `Included(k)`, `> k` for `Excluded(k)`, before
    /// everything for `Unbounded`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let map = BPlusTreeMap::from([(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
    /// let cursor = map.lower_bound(Bound::Included(&2));
    /// assert_eq!(cursor.peek_prev(), Some((&1, &"a")));
    /// assert_eq!(cursor.peek_next(), Some((&2, &"b")));
    /// let cursor = map.lower_bound(Bound::Excluded(&2));
    /// assert_eq!(cursor.peek_next(), Some((&3, &"c")));
    /// ```
    pub fn lower_bound<Q>(&self, bound: Bound<&Q>) -> Cursor<'_, K, V, H, A, CAP>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        Cursor {
            tree: &self.raw,
            pos: self.raw.gap(bound, false),
        }
    }

    /// A cursor at the gap after the greatest key below `bound`: after the
    /// last key `<= k` for `Included(k)`, `< k` for `Excluded(k)`, after
    /// everything for `Unbounded`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let map = BPlusTreeMap::from([(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
    /// let cursor = map.upper_bound(Bound::Included(&3));
    /// assert_eq!(cursor.peek_prev(), Some((&3, &"c")));
    /// assert_eq!(cursor.peek_next(), Some((&4, &"d")));
    /// let cursor = map.upper_bound(Bound::Excluded(&3));
    /// assert_eq!(cursor.peek_prev(), Some((&2, &"b")));
    /// ```
    pub fn upper_bound<Q>(&self, bound: Bound<&Q>) -> Cursor<'_, K, V, H, A, CAP>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        Cursor {
            tree: &self.raw,
            pos: self.raw.gap(bound, true),
        }
    }

    /// A mutable cursor; the gap is that of [`lower_bound`](Self::lower_bound).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (3, "c")]);
    /// let mut cursor = map.lower_bound_mut(Bound::Included(&2));
    /// cursor.insert_after(2, "b").unwrap();
    /// assert_eq!(cursor.next(), Some((&2, &mut "b")));
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    pub fn lower_bound_mut<Q>(&mut self, bound: Bound<&Q>) -> CursorMut<'_, K, V, H, A, CAP>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        let pos = self.raw.gap(bound, false);
        CursorMut {
            tree: &mut self.raw,
            pos,
        }
    }

    /// A mutable cursor; the gap is that of [`upper_bound`](Self::upper_bound).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b"), (3, "c")]);
    /// let mut cursor = map.upper_bound_mut(Bound::Included(&2));
    /// assert_eq!(cursor.remove_prev(), Some((2, "b")));
    /// assert_eq!(map.len(), 2);
    /// ```
    pub fn upper_bound_mut<Q>(&mut self, bound: Bound<&Q>) -> CursorMut<'_, K, V, H, A, CAP>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        let pos = self.raw.gap(bound, true);
        CursorMut {
            tree: &mut self.raw,
            pos,
        }
    }
}

impl<'a, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Cursor<'a, K, V, H, A, CAP> {
    /// Moves over the next entry and returns it; at the end, stays and
    /// returns `None`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// let mut c = map.lower_bound(Bound::Unbounded);
    /// assert_eq!(c.next(), Some((&1, &"a")));
    /// assert_eq!(c.next(), Some((&2, &"b")));
    /// assert_eq!(c.next(), None);
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<(&'a K, &'a V)> {
        // SAFETY: `self.pos` is a position of the tree (the invariant), and
        // so are the positions the moves return.
        unsafe {
            let at = self.tree.after(self.pos)?;
            self.pos = self.tree.past(at);
            Some(self.tree.entry_at(at))
        }
    }

    /// Moves back over the previous entry and returns it; at the start,
    /// stays and returns `None`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// let mut c = map.upper_bound(Bound::Unbounded);
    /// assert_eq!(c.prev(), Some((&2, &"b")));
    /// assert_eq!(c.prev(), Some((&1, &"a")));
    /// assert_eq!(c.prev(), None);
    /// ```
    pub fn prev(&mut self) -> Option<(&'a K, &'a V)> {
        // SAFETY: as in `next`.
        unsafe {
            let at = self.tree.step_back(self.pos)?;
            self.pos = at;
            Some(self.tree.entry_at(at))
        }
    }

    /// The next entry, without moving.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let map = BPlusTreeMap::from([(1, "a")]);
    /// assert_eq!(map.lower_bound(Bound::Unbounded).peek_next(), Some((&1, &"a")));
    /// ```
    pub fn peek_next(&self) -> Option<(&'a K, &'a V)> {
        // SAFETY: as in `next`.
        unsafe { self.tree.after(self.pos).map(|at| self.tree.entry_at(at)) }
    }

    /// The previous entry, without moving.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let map = BPlusTreeMap::from([(1, "a")]);
    /// assert_eq!(map.lower_bound(Bound::Unbounded).peek_prev(), None);
    /// ```
    pub fn peek_prev(&self) -> Option<(&'a K, &'a V)> {
        // SAFETY: as in `next`.
        unsafe {
            self.tree
                .step_back(self.pos)
                .map(|at| self.tree.entry_at(at))
        }
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Clone for Cursor<'_, K, V, H, A, CAP> {
    fn clone(&self) -> Self {
        Cursor {
            tree: self.tree,
            pos: self.pos,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for Cursor<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cursor")
    }
}

impl<K: fmt::Debug, V: fmt::Debug, H: Handle, A: ArenaStrategy, const CAP: usize> fmt::Debug
    for CursorMut<'_, K, V, H, A, CAP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorMut")
    }
}

impl<K, V, H: Handle, A: ArenaStrategy, const CAP: usize> CursorMut<'_, K, V, H, A, CAP> {
    /// Moves over the next entry and returns it, the value mutable.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, 10), (2, 20)]);
    /// let mut c = map.lower_bound_mut(Bound::Unbounded);
    /// while let Some((_, v)) = c.next() {
    ///     *v += 1;
    /// }
    /// assert_eq!(map[&2], 21);
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<(&K, &mut V)> {
        // SAFETY: `self.pos` is a position of the tree (the invariant), and
        // so are the positions the moves return.
        unsafe {
            let at = self.tree.after(self.pos)?;
            self.pos = self.tree.past(at);
            Some(self.tree.entry_mut_at(at))
        }
    }

    /// Moves back over the previous entry and returns it, the value mutable.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, 10), (2, 20)]);
    /// let mut c = map.upper_bound_mut(Bound::Unbounded);
    /// *c.prev().unwrap().1 = 0;
    /// assert_eq!(map[&2], 0);
    /// ```
    pub fn prev(&mut self) -> Option<(&K, &mut V)> {
        // SAFETY: as in `next`.
        unsafe {
            let at = self.tree.step_back(self.pos)?;
            self.pos = at;
            Some(self.tree.entry_mut_at(at))
        }
    }

    /// The next entry, without moving.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, 10)]);
    /// let mut c = map.lower_bound_mut(Bound::Unbounded);
    /// *c.peek_next().unwrap().1 = 11;
    /// assert_eq!(map[&1], 11);
    /// ```
    pub fn peek_next(&mut self) -> Option<(&K, &mut V)> {
        // SAFETY: as in `next`.
        unsafe {
            let at = self.tree.after(self.pos)?;
            Some(self.tree.entry_mut_at(at))
        }
    }

    /// The previous entry, without moving.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, 10)]);
    /// let mut c = map.upper_bound_mut(Bound::Unbounded);
    /// assert_eq!(c.peek_prev(), Some((&1, &mut 10)));
    /// ```
    pub fn peek_prev(&mut self) -> Option<(&K, &mut V)> {
        // SAFETY: as in `next`.
        unsafe {
            let at = self.tree.step_back(self.pos)?;
            Some(self.tree.entry_mut_at(at))
        }
    }

    /// A read-only cursor at the same gap, borrowing this one.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, 10)]);
    /// let c = map.lower_bound_mut(Bound::Unbounded);
    /// assert_eq!(c.as_cursor().peek_next(), Some((&1, &10)));
    /// ```
    pub fn as_cursor(&self) -> Cursor<'_, K, V, H, A, CAP> {
        Cursor {
            tree: self.tree,
            pos: self.pos,
        }
    }
}

impl<K: Ord + Clone, V, H: Handle, A: ArenaStrategy, const CAP: usize>
    CursorMut<'_, K, V, H, A, CAP>
{
    /// Inserts an entry in the gap; the cursor ends up before it (it is
    /// the next entry).
    ///
    /// # Errors
    ///
    /// [`UnorderedKeyError`] if `key` is not greater than the previous key
    /// and less than the next one; the map is then unchanged.
    ///
    /// # Panics
    ///
    /// If the map is at a limit of its configuration (a `Compact16` tree
    /// out of handles, or a map with counts that holds `u32::MAX` entries:
    /// see [`BPlusTreeMap::checked_insert`]); the map is then unchanged.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (3, "c")]);
    /// let mut c = map.lower_bound_mut(Bound::Excluded(&1));
    /// assert!(c.insert_after(5, "e").is_err());
    /// c.insert_after(2, "b").unwrap();
    /// assert_eq!(c.peek_next(), Some((&2, &mut "b")));
    /// ```
    pub fn insert_after(&mut self, key: K, value: V) -> Result<(), UnorderedKeyError> {
        self.check_order(&key)?;
        self.insert_after_unchecked(key, value);
        Ok(())
    }

    /// Inserts an entry in the gap; the cursor ends up after it (it is the
    /// previous entry).
    ///
    /// # Errors
    ///
    /// As [`insert_after`](Self::insert_after).
    ///
    /// # Panics
    ///
    /// As [`insert_after`](Self::insert_after).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (3, "c")]);
    /// let mut c = map.lower_bound_mut(Bound::Excluded(&1));
    /// c.insert_before(2, "b").unwrap();
    /// assert_eq!(c.peek_prev(), Some((&2, &mut "b")));
    /// assert_eq!(c.peek_next(), Some((&3, &mut "c")));
    /// ```
    pub fn insert_before(&mut self, key: K, value: V) -> Result<(), UnorderedKeyError> {
        self.check_order(&key)?;
        self.insert_before_unchecked(key, value);
        Ok(())
    }

    /// [`insert_after`](Self::insert_after) without comparing `key` with
    /// the neighbours.
    ///
    /// Unlike std's unstable method of this name, this one is safe: an
    /// out-of-order key is inserted where it sorts (a key equal to one in
    /// the map replaces that entry's value), the map stays a valid B+ tree,
    /// and the cursor goes before that entry. Only the cursor's position is
    /// then surprising.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (3, "c")]);
    /// let mut c = map.lower_bound_mut(Bound::Excluded(&1));
    /// c.insert_after_unchecked(2, "b");
    /// assert_eq!(map.len(), 3);
    /// ```
    pub fn insert_after_unchecked(&mut self, key: K, value: V) {
        self.pos = self.insert_sorted(key, value);
    }

    /// [`insert_before`](Self::insert_before) without comparing `key`
    /// with the neighbours; safe, as
    /// [`insert_after_unchecked`](Self::insert_after_unchecked) explains
    /// (the cursor goes after the entry).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (3, "c")]);
    /// let mut c = map.lower_bound_mut(Bound::Excluded(&1));
    /// c.insert_before_unchecked(2, "b");
    /// assert_eq!(c.peek_prev(), Some((&2, &mut "b")));
    /// ```
    pub fn insert_before_unchecked(&mut self, key: K, value: V) {
        let at = self.insert_sorted(key, value);
        // SAFETY: `at` is where the insert put the entry.
        self.pos = unsafe { self.tree.past(at) };
    }

    /// Removes the next entry and returns it; the cursor stays in the gap.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// let mut c = map.lower_bound_mut(Bound::Unbounded);
    /// assert_eq!(c.remove_next(), Some((1, "a")));
    /// assert_eq!(c.remove_next(), Some((2, "b")));
    /// assert_eq!(c.remove_next(), None);
    /// ```
    pub fn remove_next(&mut self) -> Option<(K, V)> {
        // SAFETY: `self.pos` is a position of the tree (the invariant).
        let at = unsafe { self.tree.after(self.pos) }?;
        // SAFETY: `after` returned a position of an entry.
        Some(unsafe { self.remove(at) })
    }

    /// Removes the previous entry and returns it; the cursor stays in the
    /// gap.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use std::ops::Bound;
    /// let mut map = BPlusTreeMap::from([(1, "a"), (2, "b")]);
    /// let mut c = map.upper_bound_mut(Bound::Unbounded);
    /// assert_eq!(c.remove_prev(), Some((2, "b")));
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn remove_prev(&mut self) -> Option<(K, V)> {
        // SAFETY: `self.pos` is a position of the tree (the invariant).
        let at = unsafe { self.tree.step_back(self.pos) }?;
        // SAFETY: `before` returned a position of an entry.
        Some(unsafe { self.remove(at) })
    }

    fn check_order(&self, key: &K) -> Result<(), UnorderedKeyError> {
        let cursor = self.as_cursor();
        let after_prev = cursor.peek_prev().is_none_or(|(prev, _)| prev < key);
        let before_next = cursor.peek_next().is_none_or(|(next, _)| key < next);
        if after_prev && before_next {
            Ok(())
        } else {
            Err(UnorderedKeyError {})
        }
    }

    /// Insert (or replace) where `key` sorts; returns its position.
    fn insert_sorted(&mut self, key: K, value: V) -> Pos<H> {
        let tree = &mut *self.tree;
        let mut path = Path::new();
        let leaf = tree.descend(&key, &mut path);
        // SAFETY: `leaf` and `path` were just recorded by a descent of the
        // tree, which has not changed since; `idx` comes from searching it.
        let at = unsafe {
            match tree.search_leaf(leaf, &key) {
                Ok(idx) => {
                    *tree.leaf(leaf).entry_mut(idx).1 = value;
                    Ok((leaf, idx))
                }
                Err(idx) => tree.insert_at(&path, leaf, idx, key, value),
            }
        };
        match at {
            Ok((leaf, idx)) => Pos { leaf, idx },
            Err((full, _)) => panic!("{}", full.error::<H, A::Count>()),
        }
    }

    /// Remove the entry at `at`; the cursor goes to the gap it leaves.
    ///
    /// # Safety
    /// `at` is a position of an entry of the tree (see the moves).
    unsafe fn remove(&mut self, at: Pos<H>) -> (K, V) {
        // SAFETY: caller's contract.
        let (kv, next) = unsafe { self.tree.remove_at(at) };
        self.pos = next;
        kv
    }
}

/// Order statistics on cursors: where a cursor is, and a cursor made at an
/// index, for maps whose configuration keeps counts
/// ([`OrderStatistics`]).
impl<K, V, H: Handle, A: OrderStatistics, const CAP: usize> BPlusTreeMap<K, V, H, A, CAP> {
    /// A cursor at the gap before entry `i` (after every entry for
    /// `i == len()`): the cursor whose [`index`](Cursor::index) is `i`.
    /// `O(log n)`.
    ///
    /// # Panics
    ///
    /// If `i > len()`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// let map: Indexed<u32, char> = [(1, 'a'), (2, 'b'), (3, 'c')].into_iter().collect();
    /// let cursor = map.cursor_at_index(1);
    /// assert_eq!(cursor.peek_prev(), Some((&1, &'a')));
    /// assert_eq!(cursor.peek_next(), Some((&2, &'b')));
    /// ```
    #[track_caller]
    pub fn cursor_at_index(&self, i: usize) -> Cursor<'_, K, V, H, A, CAP> {
        assert!(
            i <= self.len(),
            "cursor index (is {i}) should be <= len (is {})",
            self.len()
        );
        let pos = self.raw.gap_at_index(i, &mut Path::new());
        Cursor {
            tree: &self.raw,
            pos,
        }
    }

    /// A mutable cursor at the gap before entry `i`, as
    /// [`cursor_at_index`](Self::cursor_at_index). `O(log n)`.
    ///
    /// # Panics
    ///
    /// If `i > len()`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// let mut map: Indexed<u32, char> = [(1, 'a'), (3, 'c')].into_iter().collect();
    /// let mut cursor = map.cursor_mut_at_index(1);
    /// cursor.insert_before(2, 'b').unwrap();
    /// assert_eq!(cursor.index(), 2);
    /// assert_eq!(map.get_index(1), Some((&2, &'b')));
    /// ```
    #[track_caller]
    pub fn cursor_mut_at_index(&mut self, i: usize) -> CursorMut<'_, K, V, H, A, CAP> {
        assert!(
            i <= self.len(),
            "cursor index (is {i}) should be <= len (is {})",
            self.len()
        );
        let pos = self.raw.gap_at_index(i, &mut Path::new());
        CursorMut {
            tree: &mut self.raw,
            pos,
        }
    }
}

impl<K: Ord, V, H: Handle, A: OrderStatistics, const CAP: usize> Cursor<'_, K, V, H, A, CAP> {
    /// The number of entries before the cursor's gap: from 0 (before the
    /// first entry) to `len()` (after the last). `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// use std::ops::Bound;
    /// let map: Indexed<u32, ()> = (0..100).map(|k| (k * 10, ())).collect();
    /// assert_eq!(map.lower_bound(Bound::Included(&250)).index(), 25);
    /// assert_eq!(map.upper_bound(Bound::Unbounded).index(), 100);
    /// ```
    pub fn index(&self) -> usize {
        // SAFETY: the cursor's position is its tree's (its invariant).
        unsafe { self.tree.index_at(self.pos) }
    }
}

impl<K: Ord, V, H: Handle, A: OrderStatistics, const CAP: usize> CursorMut<'_, K, V, H, A, CAP> {
    /// The number of entries before the cursor's gap, as
    /// [`Cursor::index`]. `O(log n)`.
    ///
    /// ```
    /// use bptree::phase::Indexed;
    /// use std::ops::Bound;
    /// let mut map: Indexed<u32, ()> = (0..10).map(|k| (k, ())).collect();
    /// let mut cursor = map.lower_bound_mut(Bound::Included(&4));
    /// cursor.remove_next();
    /// assert_eq!(cursor.index(), 4);
    /// cursor.next();
    /// assert_eq!(cursor.index(), 5);
    /// ```
    pub fn index(&self) -> usize {
        // SAFETY: the cursor's position is its tree's (its invariant).
        unsafe { self.tree.index_at(self.pos) }
    }
}
