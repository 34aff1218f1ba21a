//! The map's two representations: a small sorted run, or a tree.
//!
//! A map of at most [`Config::RUN_MAX`] entries is a [`Run`]: one sorted
//! block, no arenas, nothing allocated while empty. An insert into a full
//! run promotes the map to a tree (built at full fill from the run); a
//! removal that leaves a tree with fewer than `RUN_MAX / 2` entries demotes
//! it to a run again. The gap between the two thresholds is the hysteresis:
//! alternating inserts and removals at either threshold rebuild nothing.
//!
//! Everything above this module sees one interface. Positions are
//! `(leaf, index)` pairs in both representations: the run is the leaf named
//! by NIL, with no neighbours, so iterators, cursors and entries work on
//! either without knowing which it is. The tree's own state lives in a
//! [`Core`] held where the arena strategy's [`Place`] says: in the map, or
//! behind one pointer ([`Indirect`](crate::policy::Indirect)).
//!
//! Invariants (checked by `check`): a run holds at most `RUN_MAX` entries,
//! in strictly ascending order; a tree holds at least `RUN_MAX / 2`, and at
//! least one (an empty map is an empty run: it allocates nothing).

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::marker::PhantomData;
use core::mem;
use core::ops::Bound;

use super::insert::OutOfHandles;
use super::navigate::{Pos, RawRange, key_bound};
use super::search::search_leaf;
use super::stats::MemoryUsage;
use super::{Core, Path, RawTree};
use crate::error::InvariantError;
use crate::node::{RawIntoIter, Run, RunDrain};
use crate::policy::{ArenaStrategy, Config, Handle, Place};

pub(crate) type PlaceOf<C> = <<C as Config>::A as ArenaStrategy>::Place<Core<C>>;

/// Which representation a map is in.
pub(crate) enum Repr<C: Config> {
    Small(Run),
    Tree(PlaceOf<C>),
}

/// A map's state in either representation (see the module docs).
pub(crate) struct RawMap<K, V, C: Config> {
    pub(crate) repr: Repr<C>,
    /// The map owns `K`s and `V`s (type-erased in the run or the arenas).
    marker: PhantomData<(K, V)>,
}

/// A leaf's (or the run's) entries and neighbours.
pub(crate) struct LeafRef<'a, K, V, H> {
    keys: &'a [K],
    vals: &'a [V],
    pub(crate) next: H,
    pub(crate) prev: H,
}

impl<'a, K, V, H> LeafRef<'a, K, V, H> {
    #[inline]
    pub(crate) fn keys(&self) -> &'a [K] {
        self.keys
    }

    #[inline]
    pub(crate) fn vals(&self) -> &'a [V] {
        self.vals
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// A leaf's (or the run's) keys, and its values mutably.
pub(crate) struct LeafMut<'a, K, V> {
    keys: &'a [K],
    vals: &'a mut [V],
}

impl<'a, K, V> LeafMut<'a, K, V> {
    #[inline]
    pub(crate) fn vals_mut(self) -> &'a mut [V] {
        self.vals
    }

    #[inline]
    pub(crate) fn kv_mut(self, i: usize) -> (&'a K, &'a mut V) {
        (&self.keys[i], &mut self.vals[i])
    }
}

impl<K, V, C: Config> RawMap<K, V, C> {
    /// The fewest entries a tree holds: `RUN_MAX / 2`, and at least one (an
    /// empty map is an empty run).
    const MIN_TREE: usize = if C::RUN_MAX / 2 > 1 {
        C::RUN_MAX / 2
    } else {
        1
    };

    pub(crate) const fn new() -> Self {
        RawMap {
            repr: Repr::Small(Run::EMPTY),
            marker: PhantomData,
        }
    }

    fn from_tree(tree: RawTree<K, V, C>) -> Self {
        RawMap {
            repr: Repr::Tree(Place::new(tree.into_core())),
            marker: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn run(&self) -> Option<&Run> {
        match &self.repr {
            Repr::Small(run) => Some(run),
            Repr::Tree(_) => None,
        }
    }

    #[inline]
    pub(crate) fn run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.repr {
            Repr::Small(run) => Some(run),
            Repr::Tree(_) => None,
        }
    }

    #[inline]
    pub(crate) fn tree(&self) -> Option<&RawTree<K, V, C>> {
        match &self.repr {
            Repr::Small(_) => None,
            Repr::Tree(place) => Some(RawTree::view(place.get())),
        }
    }

    #[inline]
    pub(crate) fn tree_mut(&mut self) -> Option<&mut RawTree<K, V, C>> {
        match &mut self.repr {
            Repr::Small(_) => None,
            Repr::Tree(place) => Some(RawTree::view_mut(place.get_mut())),
        }
    }

    /// The tree, which a non-NIL leaf handle implies.
    #[inline]
    pub(crate) fn expect_tree(&self) -> &RawTree<K, V, C> {
        self.tree().expect("a leaf handle names a tree's leaf")
    }

    #[inline]
    pub(crate) fn expect_tree_mut(&mut self) -> &mut RawTree<K, V, C> {
        self.tree_mut().expect("a leaf handle names a tree's leaf")
    }

    /// Branch levels above the leaves (0 for a run).
    pub(crate) fn height(&self) -> usize {
        self.tree().map_or(0, |t| t.height as usize)
    }

    /// Leaf `h`, or the run for NIL (empty while the map is a tree).
    #[inline]
    pub(crate) fn leaf(&self, h: C::H) -> LeafRef<'_, K, V, C::H> {
        if !h.is_nil() {
            let leaf = self.expect_tree().leaf(h);
            return LeafRef {
                keys: leaf.keys(),
                vals: leaf.vals(),
                next: leaf.next,
                prev: leaf.prev,
            };
        }
        let (keys, vals) = match self.run() {
            Some(run) => (run.keys::<K, V>(), run.vals::<K, V>()),
            None => (&[][..], &[][..]),
        };
        LeafRef {
            keys,
            vals,
            next: C::H::NIL,
            prev: C::H::NIL,
        }
    }

    /// As [`leaf`](Self::leaf), the values mutable.
    #[inline]
    pub(crate) fn leaf_mut(&mut self, h: C::H) -> LeafMut<'_, K, V> {
        let (keys, vals) = if !h.is_nil() {
            self.expect_tree_mut().leaf_mut(h).split_mut()
        } else {
            match self.run_mut() {
                Some(run) => run.split_mut::<K, V>(),
                None => (&[][..], &mut [][..]),
            }
        };
        LeafMut { keys, vals }
    }

    /// Replace the key at `(leaf, i)` by an equal one; returns the old key.
    pub(crate) fn replace_key(&mut self, (leaf, i): (C::H, usize), key: K) -> K {
        if leaf.is_nil() {
            self.run_mut()
                .expect("a NIL leaf names the run")
                .replace_key::<K, V>(i, key)
        } else {
            self.expect_tree_mut().leaf_mut(leaf).replace_key(i, key)
        }
    }

    /// The position of `q`, if present.
    #[inline]
    pub(crate) fn find<Q>(&self, q: &Q) -> Option<(C::H, usize)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &self.repr {
            Repr::Small(run) => search_leaf(run.keys::<K, V>(), q)
                .ok()
                .map(|i| (C::H::NIL, i)),
            Repr::Tree(place) => RawTree::<K, V, C>::view(place.get()).find(q),
        }
    }

    /// The entry for `q`, if present.
    #[inline]
    pub(crate) fn get<Q>(&self, q: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &self.repr {
            Repr::Small(run) => {
                let i = search_leaf(run.keys::<K, V>(), q).ok()?;
                Some((&run.keys::<K, V>()[i], &run.vals::<K, V>()[i]))
            }
            Repr::Tree(place) => {
                let tree = RawTree::<K, V, C>::view(place.get());
                let (h, i) = tree.find(q)?;
                let leaf = tree.leaf(h);
                Some((&leaf.keys()[i], &leaf.vals()[i]))
            }
        }
    }

    /// The leaf where `q` is or would be (NIL for the run), recording the
    /// path.
    pub(crate) fn descend<Q>(&self, q: &Q, path: &mut Path<C::H>) -> C::H
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.tree().map_or(C::H::NIL, |tree| tree.descend(q, path))
    }

    /// The first (`last == false`) or last leaf, recording the path.
    pub(crate) fn descend_edge(&self, last: bool, path: &mut Path<C::H>) -> C::H {
        self.tree()
            .map_or(C::H::NIL, |tree| tree.descend_edge(last, path))
    }

    /// The first (`last == false`) or last leaf: NIL for the run.
    pub(crate) fn edge_leaf(&self, last: bool) -> C::H {
        match self.tree() {
            Some(tree) if last => tree.last_leaf(),
            Some(tree) => tree.first_leaf(),
            None => C::H::NIL,
        }
    }

    /// Bring a position into canonical form (see `navigate`).
    #[inline]
    pub(crate) fn normalize(&self, pos: Pos<C::H>) -> Pos<C::H> {
        if pos.leaf.is_nil() {
            pos
        } else {
            self.expect_tree().normalize(pos)
        }
    }

    /// The position of the first entry, and the end position.
    pub(crate) fn full_range(&self) -> (Pos<C::H>, Pos<C::H>) {
        match self.tree() {
            Some(tree) => tree.full_range(),
            None => (
                Pos {
                    leaf: C::H::NIL,
                    idx: 0,
                },
                Pos {
                    leaf: C::H::NIL,
                    idx: self.len(),
                },
            ),
        }
    }

    /// The canonical position for a bound (see `RawTree::bound_pos`).
    pub(crate) fn bound_pos<Q>(&self, bound: Bound<&Q>, upper: bool) -> Pos<C::H>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &self.repr {
            Repr::Small(run) => Pos {
                leaf: C::H::NIL,
                idx: key_bound(run.keys::<K, V>(), bound, upper),
            },
            Repr::Tree(place) => RawTree::<K, V, C>::view(place.get()).bound_pos(bound, upper),
        }
    }

    /// The range between two bounds, with std's panics for inverted bounds
    /// (on a non-empty map).
    pub(crate) fn range_search<Q>(&self, start: Bound<&Q>, end: Bound<&Q>) -> RawRange<C::H>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if self.len() == 0 {
            return RawRange::EMPTY;
        }
        match (start, end) {
            (Bound::Excluded(s), Bound::Excluded(e)) if s == e => {
                panic!("range start and end are equal and both excluded in BPlusTreeMap")
            }
            (Bound::Included(s) | Bound::Excluded(s), Bound::Included(e) | Bound::Excluded(e))
                if s > e =>
            {
                panic!("range start is greater than range end in BPlusTreeMap")
            }
            _ => {}
        }
        RawRange {
            front: self.bound_pos(start, false),
            back: self.bound_pos(end, true),
        }
    }

    /// Drop every entry and free everything; the map becomes an empty run.
    pub(crate) fn drop_all(&mut self) {
        match mem::replace(&mut self.repr, Repr::Small(Run::EMPTY)) {
            Repr::Small(mut run) => run.drop_all::<K, V>(),
            Repr::Tree(place) => drop(RawTree::<K, V, C>::from_core(place.into_inner())),
        }
    }

    /// Where the map's memory goes.
    pub(crate) fn memory_usage(&self, stack_bytes: usize) -> MemoryUsage {
        match &self.repr {
            Repr::Small(run) => {
                let (heap_bytes, allocations) = run.heap::<K, V>();
                MemoryUsage {
                    stack_bytes,
                    heap_bytes,
                    allocations,
                    small_run: true,
                    ..MemoryUsage::default()
                }
            }
            Repr::Tree(place) => {
                let mut usage = RawTree::<K, V, C>::view(place.get()).memory_usage(stack_bytes);
                if PlaceOf::<C>::BOXED {
                    usage.heap_bytes += size_of::<Core<C>>();
                    usage.allocations += 1;
                }
                usage
            }
        }
    }
}

impl<K: Ord, V, C: Config> RawMap<K, V, C> {
    /// Check every invariant of the representation in use.
    pub(crate) fn check(&self) -> Result<(), InvariantError> {
        match &self.repr {
            Repr::Small(run) => {
                if run.len() > C::RUN_MAX {
                    return Err(InvariantError::new(alloc::format!(
                        "a run of {} entries, above RUN_MAX = {}",
                        run.len(),
                        C::RUN_MAX
                    )));
                }
                if run.len() > run.cap() {
                    return Err(InvariantError::new("a run longer than its capacity"));
                }
                if let Some(i) = run.keys::<K, V>().windows(2).position(|w| w[0] >= w[1]) {
                    return Err(InvariantError::new(alloc::format!(
                        "run keys {i} and {} are not strictly ascending",
                        i + 1
                    )));
                }
                Ok(())
            }
            Repr::Tree(place) => {
                let tree = RawTree::<K, V, C>::view(place.get());
                tree.check()?;
                if tree.len < Self::MIN_TREE {
                    return Err(InvariantError::new(alloc::format!(
                        "a tree of {} entries, below RUN_MAX / 2 = {} or empty: it should be a run",
                        tree.len,
                        C::RUN_MAX / 2
                    )));
                }
                Ok(())
            }
        }
    }
}

impl<K: Clone, V, C: Config> RawMap<K, V, C> {
    /// A map holding `entries`, which must be in strictly ascending key
    /// order: a run if they fit one, else a tree at full fill.
    pub(crate) fn from_sorted(
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, OutOfHandles> {
        let mut entries = entries.into_iter();
        let run = match entries.size_hint() {
            (lo, Some(hi)) if lo == hi && hi <= C::RUN_MAX => Run::with_capacity::<K, V>(hi),
            _ => Run::EMPTY,
        };
        // The map owns the entries taken so far if the input panics.
        let mut map = RawMap {
            repr: Repr::Small(run),
            marker: PhantomData,
        };
        while map.len() < C::RUN_MAX {
            let Some((k, v)) = entries.next() else {
                return Ok(map);
            };
            let run = map.run_mut().expect("a new map is a run");
            let at = run.len();
            run.insert::<K, V>(at, k, v, C::RUN_MAX);
        }
        let Some(first) = entries.next() else {
            return Ok(map);
        };
        let run = mem::replace(map.run_mut().expect("a new map is a run"), Run::EMPTY);
        let entries = RunDrain::<K, V>::new(run).chain(Some(first)).chain(entries);
        Ok(RawMap::from_tree(RawTree::from_sorted(entries)?))
    }
}

impl<K: Ord + Clone, V, C: Config> RawMap<K, V, C> {
    /// Insert `key`, or replace the value of an equal key (keeping the old
    /// key, as std does). On running out of handles, gives the pair back.
    pub(crate) fn insert(&mut self, key: K, val: V) -> Result<Option<V>, (K, V)> {
        if let Repr::Small(run) = &mut self.repr {
            match search_leaf(run.keys::<K, V>(), &key) {
                Ok(i) => {
                    // As in the tree: drop the new key first.
                    drop(key);
                    return Ok(Some(mem::replace(&mut run.split_mut::<K, V>().1[i], val)));
                }
                Err(i) => {
                    self.run_insert(i, key, val);
                    return Ok(None);
                }
            }
        }
        self.expect_tree_mut().insert(key, val)
    }

    /// Insert a new entry at index `i` of `leaf`, reached by `path`, where
    /// the key belongs (it is absent). Returns where the entry ended up.
    #[allow(clippy::type_complexity)]
    pub(crate) fn insert_at(
        &mut self,
        path: &Path<C::H>,
        leaf: C::H,
        i: usize,
        key: K,
        val: V,
    ) -> Result<(C::H, usize), (OutOfHandles, (K, V))> {
        match self.tree_mut() {
            Some(tree) => tree.insert_at(path, leaf, i, key, val),
            None => Ok(self.run_insert(i, key, val)),
        }
    }

    /// Insert into the run at index `i`, promoting a full run to a tree;
    /// returns where the entry went.
    fn run_insert(&mut self, i: usize, key: K, val: V) -> (C::H, usize) {
        match &mut self.repr {
            Repr::Small(run) if run.len() < C::RUN_MAX => {
                run.insert::<K, V>(i, key, val, C::RUN_MAX);
                (C::H::NIL, i)
            }
            _ => self.promote_with(i, key, val),
        }
    }

    /// Remove the entry with key `q`.
    pub(crate) fn remove<Q>(&mut self, q: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let mut path = Path::new();
        let leaf = self.descend(q, &mut path);
        let i = search_leaf(self.leaf(leaf).keys(), q).ok()?;
        Some(self.remove_at(&path, leaf, i).0)
    }

    /// Remove the first (`last == false`) or last entry.
    pub(crate) fn pop_edge(&mut self, last: bool) -> Option<(K, V)> {
        if self.len() == 0 {
            return None;
        }
        let mut path = Path::new();
        let leaf = self.descend_edge(last, &mut path);
        let i = if last { self.leaf(leaf).len() - 1 } else { 0 };
        Some(self.remove_at(&path, leaf, i).0)
    }

    /// Remove entry `i` of `leaf`, reached by `path`, and rebalance (or
    /// demote). Returns the entry and the canonical position of the entry
    /// that followed it.
    pub(crate) fn remove_at(
        &mut self,
        path: &Path<C::H>,
        leaf: C::H,
        i: usize,
    ) -> ((K, V), Pos<C::H>) {
        if let Repr::Small(run) = &mut self.repr {
            let kv = run.remove::<K, V>(i);
            return (
                kv,
                Pos {
                    leaf: C::H::NIL,
                    idx: i,
                },
            );
        }
        let (kv, next) = self.expect_tree_mut().remove_at(path, leaf, i);
        (kv, self.settle_at(next))
    }

    /// A tree below `RUN_MAX / 2` becomes a run, and so does an empty one
    /// (an empty map allocates nothing); returns where position `at` is now.
    fn settle_at(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        match self.tree() {
            Some(tree) if tree.len < Self::MIN_TREE => self.demote(at),
            _ => at,
        }
    }

    /// Turn a full run into a tree holding the run and a new entry, which
    /// sorts at index `i`; returns where the new entry is. The tree is
    /// built at full fill from the merged entries, so the insert splits
    /// nothing, and every separator is cloned before any entry moves: a
    /// panicking `Clone` leaves the run as it was.
    fn promote_with(&mut self, i: usize, key: K, val: V) -> (C::H, usize) {
        let Repr::Small(run) = &mut self.repr else {
            unreachable!("only a run is promoted");
        };
        // The separators: the merged entries' keys at CAP, 2 * CAP, ...
        let keys = run.keys::<K, V>();
        let seps: Vec<K> = (C::CAP..=keys.len())
            .step_by(C::CAP)
            .map(|j| match j.cmp(&i) {
                core::cmp::Ordering::Less => keys[j].clone(),
                core::cmp::Ordering::Equal => key.clone(),
                core::cmp::Ordering::Greater => keys[j - 1].clone(),
            })
            .collect();
        let mut drain = RunDrain::<K, V>::new(mem::replace(run, Run::EMPTY));
        let (mut new, mut drained) = (Some((key, val)), 0);
        let entries = core::iter::from_fn(move || {
            if drained == i
                && let Some(kv) = new.take()
            {
                return Some(kv);
            }
            drained += 1;
            drain.next()
        });
        let mut seps = seps.into_iter();
        let tree = RawTree::from_sorted_with(entries, |_| {
            seps.next().expect("one separator per leaf after the first")
        })
        .unwrap_or_else(|OutOfHandles| unreachable!("a run fits in a fresh tree"));
        let mut leaf = tree.first_leaf();
        for _ in 0..i / C::CAP {
            leaf = tree.leaf(leaf).next;
        }
        self.repr = Repr::Tree(Place::new(tree.into_core()));
        (leaf, i % C::CAP)
    }

    /// Turn a tree into a run; returns where position `at` is now.
    fn demote(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        let tree = self.expect_tree();
        let mut rank = at.idx;
        if !at.leaf.is_nil() {
            let mut h = tree.first_leaf();
            while h != at.leaf {
                let leaf = tree.leaf(h);
                rank += leaf.len();
                h = leaf.next;
            }
        }
        let n = tree.len;
        let mut run = Run::with_capacity::<K, V>(n);
        let mut entries = RawIntoIter::new(mem::replace(self, RawMap::new()));
        while let Some((k, v)) = entries.next() {
            let at = run.len();
            run.insert::<K, V>(at, k, v, n);
        }
        self.repr = Repr::Small(run);
        Pos {
            leaf: C::H::NIL,
            idx: rank,
        }
    }
}

impl<K, V, C: Config> Drop for RawMap<K, V, C> {
    fn drop(&mut self) {
        self.drop_all();
    }
}
