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
//! A tree has the handle policy's narrow handles ([`Repr::Tree`]) or, for
//! [`Adaptive`](crate::policy::Adaptive) handles once it outgrew them, wide
//! ones ([`Repr::Wide`]). A narrow tree that runs out of handles moves to
//! wide ones and the insert goes on there; a wide tree that removals leave
//! with fewer than [`RawMap::NARROW_BELOW`] entries moves back. Both moves
//! are `RawTree::transcode`: every node moves, nothing is cloned, compared
//! or dropped. Positions name leaves by the policy's own handle type, which
//! `cast` converts to and from either tree's; the macros `on_ref!` and
//! `on_mut!` run one piece of code on whichever tree a map holds.
//!
//! Invariants (checked by `check`): a run holds at most `RUN_MAX` entries,
//! in strictly ascending order; a tree holds at least `RUN_MAX / 2`, and at
//! least one (an empty map is an empty run: it allocates nothing); a wide
//! tree holds at least `NARROW_BELOW`.

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
use crate::node::{Leaf, RawIntoIter, Run, RunDrain};
use crate::policy::{ArenaStrategy, Config, Handle, Place};

/// Where a tree of configuration `C` keeps its state (in the map, or boxed).
pub(crate) type PlaceOf<C> = <<C as Config>::A as ArenaStrategy>::Place<Core<C>>;
/// Where a map of configuration `C` keeps a tree that outgrew its narrow
/// handles: a `Box`, or nowhere for a fixed handle width.
pub(crate) type WidePlaceOf<C> = <<C as Config>::H as Handle>::WidePlace<Core<<C as Config>::Wide>>;

/// Which representation a map is in.
pub(crate) enum Repr<C: Config> {
    Small(Run),
    /// A tree with the policy's narrow handles (for a fixed width, its only
    /// handles).
    Tree(PlaceOf<C::Narrow>),
    /// A tree that outgrew them ([`Adaptive`](crate::policy::Adaptive)
    /// only; for a fixed width this variant holds an uninhabited type and
    /// takes no space).
    Wide(WidePlaceOf<C>),
}

/// `$tree` with `$t` bound to the map's tree (a `&RawTree` with whichever
/// handles it has), or `$run` with the run matched against `$r`.
macro_rules! on_ref {
    ($map:expr, $r:pat => $run:expr, $t:ident => $tree:expr $(,)?) => {
        match &$map.repr {
            $crate::raw::repr::Repr::Small($r) => $run,
            $crate::raw::repr::Repr::Tree(place) => {
                let $t = $crate::raw::RawTree::<K, V, _>::view($crate::policy::Place::get(place));
                $tree
            }
            $crate::raw::repr::Repr::Wide(place) => {
                let $t = $crate::raw::RawTree::<K, V, _>::view($crate::policy::Place::get(place));
                $tree
            }
        }
    };
}

/// As `on_ref!`, with `$t` a `&mut RawTree` and the run matched mutably.
macro_rules! on_mut {
    ($map:expr, $r:pat => $run:expr, $t:ident => $tree:expr $(,)?) => {
        match &mut $map.repr {
            $crate::raw::repr::Repr::Small($r) => $run,
            $crate::raw::repr::Repr::Tree(place) => {
                let $t = $crate::raw::RawTree::<K, V, _>::view_mut($crate::policy::Place::get_mut(
                    place,
                ));
                $tree
            }
            $crate::raw::repr::Repr::Wide(place) => {
                let $t = $crate::raw::RawTree::<K, V, _>::view_mut($crate::policy::Place::get_mut(
                    place,
                ));
                $tree
            }
        }
    };
}

pub(crate) use {on_mut, on_ref};

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

impl<'a, K, V, H: Handle> LeafRef<'a, K, V, H> {
    /// A tree's leaf, its links named by handles of width `H`.
    #[inline]
    fn of<D: Config>(leaf: &'a Leaf<K, V, D>) -> Self {
        LeafRef {
            keys: leaf.keys(),
            vals: leaf.vals(),
            next: leaf.next.cast(),
            prev: leaf.prev.cast(),
        }
    }
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

/// The most nodes of one kind a tree of configuration `C` can have.
const fn max_nodes<C: Config>() -> usize {
    <C::H as Handle>::MAX_NODES
}

impl<K, V, C: Config> RawMap<K, V, C> {
    /// The fewest entries a tree holds: `RUN_MAX / 2`, and at least one (an
    /// empty map is an empty run).
    const MIN_TREE: usize = if C::RUN_MAX / 2 > 1 {
        C::RUN_MAX / 2
    } else {
        1
    };

    /// A wide tree with fewer entries than this moves back to narrow
    /// handles: it then has at most a quarter of the leaves narrow handles
    /// can name (every leaf but the two at the ends holds at least
    /// `CAP / 2` entries, and there are fewer branches than leaves), so it
    /// can grow fourfold before it widens again.
    pub(crate) const NARROW_BELOW: usize =
        (max_nodes::<C::Narrow>() / 4).saturating_mul(C::CAP / 2);

    /// The most entries a narrow tree holds at full fill: a bulk build of
    /// at most this many uses narrow handles.
    const NARROW_HOLDS: usize = max_nodes::<C::Narrow>().saturating_mul(C::CAP);

    /// Evaluating this fails to compile if a wide tree could also be small
    /// enough to be a run (the representations would overlap).
    const CHECK: () = assert!(!C::H::WIDENS || Self::NARROW_BELOW > Self::MIN_TREE);

    /// An empty map: where every map starts.
    pub(crate) const fn new() -> Self {
        let () = Self::CHECK;
        RawMap {
            repr: Repr::Small(Run::EMPTY),
            marker: PhantomData,
        }
    }

    fn from_tree(tree: RawTree<K, V, C::Narrow>) -> Self {
        RawMap {
            repr: Repr::Tree(Place::new(tree.into_core())),
            marker: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn run(&self) -> Option<&Run> {
        match &self.repr {
            Repr::Small(run) => Some(run),
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.repr {
            Repr::Small(run) => Some(run),
            _ => None,
        }
    }

    /// Branch levels above the leaves (0 for a run).
    pub(crate) fn height(&self) -> usize {
        on_ref!(self, _ => 0, t => t.height as usize)
    }

    /// Leaf `h`, or the run for NIL (empty while the map is a tree).
    #[inline]
    pub(crate) fn leaf(&self, h: C::H) -> LeafRef<'_, K, V, C::H> {
        if h.is_nil() {
            let (keys, vals) = match self.run() {
                Some(run) => (run.keys::<K, V>(), run.vals::<K, V>()),
                None => (&[][..], &[][..]),
            };
            return LeafRef {
                keys,
                vals,
                next: C::H::NIL,
                prev: C::H::NIL,
            };
        }
        on_ref!(self,
            _ => unreachable!("a leaf handle names a tree's leaf"),
            t => LeafRef::of(t.leaf(h.cast())),
        )
    }

    /// The leaf after leaf `h`, with its entries: `None` after the last
    /// leaf and for the run (NIL).
    #[inline]
    #[allow(clippy::type_complexity)]
    pub(crate) fn next_leaf(&self, h: C::H) -> Option<(C::H, LeafRef<'_, K, V, C::H>)> {
        if h.is_nil() {
            return None;
        }
        on_ref!(self, _ => None, t => {
            let next = t.leaf(h.cast()).next;
            if next.is_nil() {
                return None;
            }
            Some((next.cast(), LeafRef::of(t.leaf(next))))
        })
    }

    /// As [`leaf`](Self::leaf), the values mutable.
    #[inline]
    pub(crate) fn leaf_mut(&mut self, h: C::H) -> LeafMut<'_, K, V> {
        let (keys, vals) = on_mut!(self,
            run => run.split_mut::<K, V>(),
            t => if h.is_nil() {
                (&[][..], &mut [][..])
            } else {
                t.leaf_mut(h.cast()).split_mut()
            },
        );
        LeafMut { keys, vals }
    }

    /// Replace the key at `(leaf, i)` by an equal one; returns the old key.
    pub(crate) fn replace_key(&mut self, (leaf, i): (C::H, usize), key: K) -> K {
        on_mut!(self,
            run => run.replace_key::<K, V>(i, key),
            t => t.leaf_mut(leaf.cast()).replace_key(i, key),
        )
    }

    /// The position of `q`, if present.
    #[inline]
    pub(crate) fn find<Q>(&self, q: &Q) -> Option<(C::H, usize)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        on_ref!(self,
            run => search_leaf(run.keys::<K, V>(), q).ok().map(|i| (C::H::NIL, i)),
            t => t.find(q).map(|(h, i)| (h.cast(), i)),
        )
    }

    /// The entry for `q`, if present.
    #[inline]
    pub(crate) fn get<Q>(&self, q: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        on_ref!(self,
            run => {
                let i = search_leaf(run.keys::<K, V>(), q).ok()?;
                Some((&run.keys::<K, V>()[i], &run.vals::<K, V>()[i]))
            },
            t => t.get(q),
        )
    }

    /// The leaf where `q` is or would be (NIL for the run), recording the
    /// path.
    pub(crate) fn descend<Q>(&self, q: &Q, path: &mut Path) -> C::H
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        on_ref!(self, _ => C::H::NIL, t => t.descend(q, path).cast())
    }

    /// The first (`last == false`) or last leaf, recording the path.
    pub(crate) fn descend_edge(&self, last: bool, path: &mut Path) -> C::H {
        on_ref!(self, _ => C::H::NIL, t => t.descend_edge(last, path).cast())
    }

    /// The first (`last == false`) or last leaf: NIL for the run.
    pub(crate) fn edge_leaf(&self, last: bool) -> C::H {
        on_ref!(self,
            _ => C::H::NIL,
            t => (if last { t.last_leaf() } else { t.first_leaf() }).cast(),
        )
    }

    /// Bring a position into canonical form (see `navigate`).
    #[inline]
    pub(crate) fn normalize(&self, pos: Pos<C::H>) -> Pos<C::H> {
        if pos.leaf.is_nil() {
            return pos;
        }
        on_ref!(self, _ => pos, t => t.normalize(pos.cast()).cast())
    }

    /// The position of the first entry, and the end position.
    pub(crate) fn full_range(&self) -> (Pos<C::H>, Pos<C::H>) {
        on_ref!(self,
            run => (
                Pos {
                    leaf: C::H::NIL,
                    idx: 0,
                },
                Pos {
                    leaf: C::H::NIL,
                    idx: run.len(),
                },
            ),
            t => {
                let (first, end) = t.full_range();
                (first.cast(), end.cast())
            },
        )
    }

    /// The canonical position for a bound (see `RawTree::bound_pos`).
    pub(crate) fn bound_pos<Q>(&self, bound: Bound<&Q>, upper: bool) -> Pos<C::H>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        on_ref!(self,
            run => Pos {
                leaf: C::H::NIL,
                idx: key_bound(run.keys::<K, V>(), bound, upper),
            },
            t => t.bound_pos(bound, upper).cast(),
        )
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
            Repr::Tree(place) => drop(RawTree::<K, V, C::Narrow>::from_core(place.into_inner())),
            Repr::Wide(place) => drop(RawTree::<K, V, C::Wide>::from_core(place.into_inner())),
        }
    }

    /// Where the map's memory goes.
    pub(crate) fn memory_usage(&self, stack_bytes: usize) -> MemoryUsage {
        /// A tree's usage, its boxed state included.
        fn tree<K, V, X: Config, P: Place<Core<X>>>(place: &P, stack_bytes: usize) -> MemoryUsage {
            let mut usage = RawTree::<K, V, X>::view(place.get()).memory_usage(stack_bytes);
            if P::BOXED {
                usage.heap_bytes += size_of::<Core<X>>();
                usage.allocations += 1;
            }
            usage
        }
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
            Repr::Tree(place) => tree::<K, V, C::Narrow, _>(place, stack_bytes),
            Repr::Wide(place) => tree::<K, V, C::Wide, _>(place, stack_bytes),
        }
    }

    /// A tree below `RUN_MAX / 2` becomes a run, and so does an empty one
    /// (an empty map allocates nothing); a wide tree below `NARROW_BELOW`
    /// moves to narrow handles. Returns where position `at` is now.
    #[inline]
    fn settle_at(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        let len = self.len();
        match self.repr {
            Repr::Small(_) => at,
            _ if len < Self::MIN_TREE => self.demote(at),
            Repr::Wide(_) if len < Self::NARROW_BELOW => self.narrow(at),
            Repr::Tree(_) | Repr::Wide(_) => at,
        }
    }

    /// Move a narrow tree that ran out of handles to wide ones; returns the
    /// wide tree.
    #[cold]
    #[inline(never)]
    fn widened(&mut self) -> &mut RawTree<K, V, C::Wide> {
        debug_assert!(C::H::WIDENS);
        let Repr::Tree(place) = mem::replace(&mut self.repr, Repr::Small(Run::EMPTY)) else {
            unreachable!("only a narrow tree widens");
        };
        let narrow = RawTree::<K, V, C::Narrow>::from_core(place.into_inner());
        let (wide, _) = narrow.transcode::<C::Wide>(<C::Narrow as Config>::H::NIL);
        self.repr = Repr::Wide(Place::new(wide.into_core()));
        match &mut self.repr {
            Repr::Wide(place) => RawTree::view_mut(place.get_mut()),
            _ => unreachable!("the tree was just widened"),
        }
    }

    /// Move a wide tree back to narrow handles; returns where position `at`
    /// is now.
    #[cold]
    #[inline(never)]
    fn narrow(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        let Repr::Wide(place) = mem::replace(&mut self.repr, Repr::Small(Run::EMPTY)) else {
            unreachable!("only a wide tree narrows");
        };
        let wide = RawTree::<K, V, C::Wide>::from_core(place.into_inner());
        let (narrow, leaf) = wide.transcode::<C::Narrow>(at.leaf.cast());
        self.repr = Repr::Tree(Place::new(narrow.into_core()));
        Pos {
            leaf: leaf.cast(),
            idx: at.idx,
        }
    }

    /// Turn a tree into a run; returns where position `at` is now.
    #[cold]
    #[inline(never)]
    fn demote(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        let mut rank = at.idx;
        if !at.leaf.is_nil() {
            let mut h = self.edge_leaf(false);
            while h != at.leaf {
                let leaf = self.leaf(h);
                rank += leaf.len();
                h = leaf.next;
            }
        }
        let n = self.len();
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

impl<K: Ord, V, C: Config> RawMap<K, V, C> {
    /// Check every invariant of the representation in use.
    pub(crate) fn check(&self) -> Result<(), InvariantError> {
        let len = on_ref!(self,
            run => {
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
                return Ok(());
            },
            t => {
                t.check()?;
                t.len
            },
        );
        if len < Self::MIN_TREE {
            return Err(InvariantError::new(alloc::format!(
                "a tree of {len} entries, below RUN_MAX / 2 = {} or empty: it should be a run",
                C::RUN_MAX / 2
            )));
        }
        if matches!(self.repr, Repr::Wide(_)) && len < Self::NARROW_BELOW {
            return Err(InvariantError::new(alloc::format!(
                "a tree of {len} entries with wide handles, below {}: it should have narrowed",
                Self::NARROW_BELOW
            )));
        }
        Ok(())
    }
}

impl<K: Clone, V, C: Config> RawMap<K, V, C> {
    /// A map holding `entries`, which must be in strictly ascending key
    /// order: a run if they fit one, else a tree at full fill, with narrow
    /// handles if the iterator's upper size bound fits them.
    pub(crate) fn from_sorted(
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, OutOfHandles> {
        let mut entries = entries.into_iter();
        let run = match entries.size_hint() {
            (lo, Some(hi)) if lo == hi && hi <= C::RUN_MAX => Run::with_capacity::<K, V>(hi),
            _ => Run::EMPTY,
        };
        // The map owns the entries taken so far if the input panics.
        let mut map = RawMap::new();
        map.repr = Repr::Small(run);
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
        let fits_narrow = entries
            .size_hint()
            .1
            .is_some_and(|hi| hi <= Self::NARROW_HOLDS);
        if !C::H::WIDENS || fits_narrow {
            return Ok(RawMap::from_tree(RawTree::from_sorted(entries)?));
        }
        let wide = RawTree::<K, V, C::Wide>::from_sorted(entries)?;
        map.repr = Repr::Wide(Place::new(wide.into_core()));
        // The bound was loose: a tree this small narrows.
        map.settle_at(Pos {
            leaf: C::H::NIL,
            idx: 0,
        });
        Ok(map)
    }
}

impl<K: Ord + Clone, V, C: Config> RawMap<K, V, C> {
    /// Insert `key`, or replace the value of an equal key (keeping the old
    /// key, as std does). On running out of handles, gives the pair back.
    pub(crate) fn insert(&mut self, key: K, val: V) -> Result<Option<V>, (K, V)> {
        let (key, val) = match &mut self.repr {
            Repr::Small(run) => match search_leaf(run.keys::<K, V>(), &key) {
                Ok(i) => {
                    // As in the tree: drop the new key first.
                    drop(key);
                    return Ok(Some(mem::replace(&mut run.split_mut::<K, V>().1[i], val)));
                }
                Err(i) => {
                    self.run_insert(i, key, val);
                    return Ok(None);
                }
            },
            Repr::Tree(place) => match RawTree::view_mut(place.get_mut()).insert(key, val) {
                Err(kv) if C::H::WIDENS => kv,
                done => return done,
            },
            Repr::Wide(place) => return RawTree::view_mut(place.get_mut()).insert(key, val),
        };
        self.widened().insert(key, val)
    }

    /// Insert a new entry at index `i` of `leaf`, reached by `path`, where
    /// the key belongs (it is absent). Returns where the entry ended up.
    #[allow(clippy::type_complexity)]
    pub(crate) fn insert_at(
        &mut self,
        path: &Path,
        leaf: C::H,
        i: usize,
        key: K,
        val: V,
    ) -> Result<(C::H, usize), (OutOfHandles, (K, V))> {
        let (key, val) = match &mut self.repr {
            Repr::Small(_) => return Ok(self.run_insert(i, key, val)),
            Repr::Tree(place) => {
                match RawTree::view_mut(place.get_mut()).insert_at(path, leaf.cast(), i, key, val) {
                    Ok((h, i)) => return Ok((h.cast(), i)),
                    Err((OutOfHandles, kv)) if C::H::WIDENS => kv,
                    Err(e) => return Err(e),
                }
            }
            Repr::Wide(place) => {
                return RawTree::view_mut(place.get_mut())
                    .insert_at(path, leaf.cast(), i, key, val)
                    .map(|(h, i)| (h.cast(), i));
            }
        };
        // The path and leaf named the narrow tree: find the place again.
        let wide = self.widened();
        let mut path = Path::new();
        let leaf = wide.descend(&key, &mut path);
        let i =
            search_leaf(wide.leaf(leaf).keys(), &key).expect_err("the key of an insert is absent");
        wide.insert_at(&path, leaf, i, key, val)
            .map(|(h, i)| (h.cast(), i))
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
        let (kv, next) = on_mut!(self,
            run => {
                let i = search_leaf(run.keys::<K, V>(), q).ok()?;
                return Some(run.remove::<K, V>(i));
            },
            t => {
                let mut path = Path::new();
                let leaf = t.descend(q, &mut path);
                let i = search_leaf(t.leaf(leaf).keys(), q).ok()?;
                let (kv, next) = t.remove_at(&path, leaf, i);
                (kv, next.cast())
            },
        );
        self.settle_at(next);
        Some(kv)
    }

    /// Remove the first (`last == false`) or last entry.
    pub(crate) fn pop_edge(&mut self, last: bool) -> Option<(K, V)> {
        let (kv, next) = on_mut!(self,
            run => {
                if run.len() == 0 {
                    return None;
                }
                let i = if last { run.len() - 1 } else { 0 };
                return Some(run.remove::<K, V>(i));
            },
            t => {
                let mut path = Path::new();
                let leaf = t.descend_edge(last, &mut path);
                let i = if last { t.leaf(leaf).len() - 1 } else { 0 };
                let (kv, next) = t.remove_at(&path, leaf, i);
                (kv, next.cast())
            },
        );
        self.settle_at(next);
        Some(kv)
    }

    /// Remove entry `i` of `leaf`, reached by `path`, and rebalance (or
    /// demote, or narrow). Returns the entry and the canonical position of
    /// the entry that followed it.
    pub(crate) fn remove_at(&mut self, path: &Path, leaf: C::H, i: usize) -> ((K, V), Pos<C::H>) {
        let (kv, next) = on_mut!(self,
            run => {
                let kv = run.remove::<K, V>(i);
                return (
                    kv,
                    Pos {
                        leaf: C::H::NIL,
                        idx: i,
                    },
                );
            },
            t => {
                let (kv, next) = t.remove_at(path, leaf.cast(), i);
                (kv, next.cast())
            },
        );
        (kv, self.settle_at(next))
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
        let tree = RawTree::<K, V, C::Narrow>::from_sorted_with(entries, |_| {
            seps.next().expect("one separator per leaf after the first")
        })
        .unwrap_or_else(|OutOfHandles| unreachable!("a run fits in a fresh tree"));
        let mut leaf = tree.first_leaf();
        for _ in 0..i / C::CAP {
            leaf = tree.leaf(leaf).next;
        }
        self.repr = Repr::Tree(Place::new(tree.into_core()));
        (leaf.cast(), i % C::CAP)
    }
}

impl<K, V, C: Config> Drop for RawMap<K, V, C> {
    fn drop(&mut self) {
        self.drop_all();
    }
}
