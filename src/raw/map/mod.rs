//! The map's representations: a small sorted run, or a tree with narrow or
//! wide handles; the typed view of whichever a map holds, and the map's
//! operations on it. Moving between representations (promotion, demotion,
//! widening, narrowing) is in `adapt`.
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
//! A tree has the handle policy's narrow handles ([`Repr::Narrow`]) or, for
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

use crate::raw::bulk::{BulkSource, Cloned, Each};
use crate::raw::iter::RawIntoIter;
use crate::raw::view::{LeafChain, TreeView};
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::mem;
use core::ops::Bound;

mod adapt;
mod order;

use crate::node::{LeafView, Run, RunDrain};
use crate::policy::{ArenaStrategy, Config, Count, Handle, Place};
use crate::raw::insert::{Full, Refused};
use crate::raw::navigate::{Pos, check_range_bounds, key_bound};
use crate::raw::search::search_leaf;
use crate::raw::{Core, Path, RawTree};

/// Where a tree of configuration `C` keeps its state (in the map, or boxed).
pub(crate) type PlaceOf<C> = <<C as Config>::A as ArenaStrategy>::Place<Core<C>>;
/// Where a map of configuration `C` keeps a tree that outgrew its narrow
/// handles: a `Box`, or nowhere for a fixed handle width.
pub(crate) type WidePlaceOf<C> = <<C as Config>::H as Handle>::WidePlace<Core<<C as Config>::Wide>>;

/// Which representation a map is in.
pub(crate) enum Repr<K, V, C: Config> {
    Small(Run<K, V>),
    /// A tree with the policy's narrow handles (for a fixed width, its only
    /// handles).
    Narrow(PlaceOf<C::Narrow>),
    /// A tree that outgrew them ([`Adaptive`](crate::policy::Adaptive)
    /// only; for a fixed width this variant holds an uninhabited type and
    /// takes no space).
    Wide(WidePlaceOf<C>),
}

/// A map's contents, typed: the run, or the tree with whichever handles it
/// has. Made only by [`RawMap::view`], which gives the type-erased trees
/// their key and value types back.
pub(crate) enum View<'a, K, V, C: Config> {
    Run(&'a Run<K, V>),
    Narrow(&'a RawTree<K, V, C::Narrow>),
    Wide(&'a RawTree<K, V, C::Wide>),
}

/// As [`View`], mutably: made by [`RawMap::view_mut`].
pub(crate) enum ViewMut<'a, K, V, C: Config> {
    Run(&'a mut Run<K, V>),
    Narrow(&'a mut RawTree<K, V, C::Narrow>),
    Wide(&'a mut RawTree<K, V, C::Wide>),
}

/// `$tree` with `$t` bound to the map's tree (a `&RawTree` with whichever
/// handles it has), or `$run` with the run (a `&Run<K, V>`) matched against
/// `$r`: one piece of code for both trees, whose types the compiler checks
/// in each arm.
macro_rules! on_ref {
    ($map:expr, $r:pat => $run:expr, $t:ident => $tree:expr $(,)?) => {
        match $crate::raw::map::RawMap::view($map) {
            $crate::raw::map::View::Run($r) => $run,
            $crate::raw::map::View::Narrow($t) => $tree,
            $crate::raw::map::View::Wide($t) => $tree,
        }
    };
}

/// As `on_ref!`, with `$t` a `&mut RawTree` and the run a `&mut Run`.
macro_rules! on_mut {
    ($map:expr, $r:pat => $run:expr, $t:ident => $tree:expr $(,)?) => {
        match $crate::raw::map::RawMap::view_mut($map) {
            $crate::raw::map::ViewMut::Run($r) => $run,
            $crate::raw::map::ViewMut::Narrow($t) => $tree,
            $crate::raw::map::ViewMut::Wide($t) => $tree,
        }
    };
}

pub(crate) use {on_mut, on_ref};

/// A map's state in either representation (see the module docs).
///
/// Invariant: a tree in `repr` holds `K`s and `V`s. Its core is
/// type-erased, so this is what lets [`view`](Self::view) give the tree
/// its types back; it holds because `repr` is private to this module,
/// which only ever stores the core of a `RawTree<K, V, _>` there.
pub(crate) struct RawMap<K, V, C: Config> {
    repr: Repr<K, V, C>,
}

/// The most nodes of one kind a tree of configuration `C` can have.
const fn max_nodes<C: Config>() -> usize {
    <C::H as Handle>::MAX_NODES
}

impl<K, V, C: Config> RawMap<K, V, C> {
    /// The fewest entries a tree holds: `RUN_MAX / 2`, and at least one (an
    /// empty map is an empty run).
    pub(crate) const MIN_TREE: usize = if C::RUN_MAX / 2 > 1 {
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

    /// The limit a bulk build of `len` entries would pass, if any: the
    /// most entries counts count (configurations with counts), or the
    /// nodes handles name (only a tree whose handles cannot widen can run
    /// out).
    pub(crate) const fn bulk_limit(len: usize) -> Result<(), Full> {
        if C::N::ON && len > C::N::MAX {
            Err(Full::Entries)
        } else if len <= C::RUN_MAX
            || len <= Self::NARROW_HOLDS
            || (C::H::WIDENS && len <= max_nodes::<C::Wide>().saturating_mul(C::CAP))
        {
            Ok(())
        } else {
            Err(Full::Handles)
        }
    }

    /// Evaluating this fails to compile for a configuration outside the
    /// documented ranges ([`Config::CHECK`]: the capacity, a run's length),
    /// if a wide tree could also be small enough to be a run (the
    /// representations would overlap), or if a run could hold more entries
    /// than counts count (a run's inserts do not check that limit: the
    /// tree a full run becomes holds `RUN_MAX + 1`). Both ways a map comes to be,
    /// [`new`](Self::new) and [`from_tree`](Self::from_tree), evaluate it,
    /// so every constructor of every public type does: the counters of
    /// nodes and runs (`u16`) cannot overflow in a map that compiles.
    const CHECK: () = {
        let () = C::CHECK;
        assert!(!C::H::WIDENS || Self::NARROW_BELOW > Self::MIN_TREE);
        assert!(!C::N::ON || C::RUN_MAX < C::N::MAX);
    };

    /// An empty map: where every map starts.
    pub(crate) const fn new() -> Self {
        let () = Self::CHECK;
        RawMap {
            repr: Repr::Small(Run::EMPTY),
        }
    }

    /// A map of a tree built elsewhere (a bulk build).
    fn from_tree(tree: RawTree<K, V, C::Narrow>) -> Self {
        let () = Self::CHECK;
        RawMap {
            repr: Repr::Narrow(Place::new(tree.into_core())),
        }
    }

    /// The map's contents, typed.
    #[inline]
    pub(crate) fn view(&self) -> View<'_, K, V, C> {
        match &self.repr {
            Repr::Small(run) => View::Run(run),
            // SAFETY: the core holds `K`s and `V`s (the type's invariant).
            Repr::Narrow(place) => View::Narrow(unsafe { RawTree::view(place.get()) }),
            // SAFETY: as above.
            Repr::Wide(place) => View::Wide(unsafe { RawTree::view(place.get()) }),
        }
    }

    /// The map's contents, typed and mutable.
    #[inline]
    pub(crate) fn view_mut(&mut self) -> ViewMut<'_, K, V, C> {
        match &mut self.repr {
            Repr::Small(run) => ViewMut::Run(run),
            // SAFETY: the core holds `K`s and `V`s (the type's invariant).
            Repr::Narrow(place) => ViewMut::Narrow(unsafe { RawTree::view_mut(place.get_mut()) }),
            // SAFETY: as above.
            Repr::Wide(place) => ViewMut::Wide(unsafe { RawTree::view_mut(place.get_mut()) }),
        }
    }

    /// The number of entries (a `const fn`, as std's `len`).
    #[inline]
    pub(crate) const fn len(&self) -> usize {
        match &self.repr {
            Repr::Small(run) => run.len(),
            Repr::Narrow(place) => core_of(place).len,
            Repr::Wide(place) => core_of(place).len,
        }
    }

    #[inline]
    pub(crate) fn run(&self) -> Option<&Run<K, V>> {
        match &self.repr {
            Repr::Small(run) => Some(run),
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn run_mut(&mut self) -> Option<&mut Run<K, V>> {
        match &mut self.repr {
            Repr::Small(run) => Some(run),
            _ => None,
        }
    }

    /// Branch levels above the leaves (0 for a run).
    pub(crate) fn height(&self) -> usize {
        on_ref!(self, _ => 0, t => t.height as usize)
    }

    /// Replace the stored key equal to `key` by `key`, returning the old
    /// one; gives `key` back if no key is equal to it.
    pub(crate) fn replace_key(&mut self, key: K) -> Result<K, K>
    where
        K: Ord,
    {
        let Some((leaf, i)) = self.find(&key) else {
            return Err(key);
        };
        Ok(on_mut!(self,
            run => run.replace_key(i, key),
            // SAFETY: `find` just returned this position.
            t => unsafe { t.leaf_mut(leaf.cast()) }.replace_key(i, key),
        ))
    }

    /// The value for `q`, mutably, if present.
    #[inline]
    pub(crate) fn get_mut<Q>(&mut self, q: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (leaf, i) = self.find(q)?;
        // SAFETY: `find` just returned this position; `&mut self` makes the
        // value reference unique.
        Some(unsafe { self.leaf(leaf).entry_mut(i) }.1)
    }

    /// The first (`last == false`) or last entry, if any.
    pub(crate) fn edge_entry(&self, last: bool) -> Option<(&K, &V)> {
        // SAFETY: `edge_leaf` names the run or a live leaf; `&self` hands
        // out no `&mut`, and the entries live as long as it.
        let (keys, vals) = unsafe {
            let leaf = self.leaf(self.edge_leaf(last));
            (leaf.keys(), leaf.vals())
        };
        let i = if last { keys.len().checked_sub(1)? } else { 0 };
        Some((keys.get(i)?, &vals[i]))
    }

    /// The position of `q`, if present.
    #[inline]
    pub(crate) fn find<Q>(&self, q: &Q) -> Option<(C::H, usize)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        on_ref!(self,
            run => search_leaf(run.keys(), q).ok().map(|i| (C::H::NIL, i)),
            t => t.find(q).map(|(h, i)| (h.cast(), i)),
        )
    }

    /// Panics unless a descent by a key in `expected` found `found`: the
    /// keys' `Ord` is then not a total order.
    #[inline]
    pub(crate) fn check_found(&self, found: C::H, expected: C::H) {
        assert!(
            found == expected,
            "Ord is ill-defined in BPlusTreeMap: a key's descent does not reach its own leaf"
        );
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
                let i = search_leaf(run.keys(), q).ok()?;
                Some((&run.keys()[i], &run.vals()[i]))
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

    /// Where `q` is in leaf `h` (the run for NIL) or would go: the search
    /// after a [`descend`](Self::descend).
    ///
    /// # Safety
    /// `h` is NIL or a leaf the map handed out, and the map has not changed
    /// since.
    #[inline]
    pub(crate) unsafe fn search_leaf<Q>(&self, h: C::H, q: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        on_ref!(self,
            run => search_leaf(run.keys(), q),
            // SAFETY: `h` is the tree's (caller's contract).
            t => unsafe { t.search_leaf(h.cast(), q) }.1,
        )
    }

    /// The first (`last == false`) or last leaf, recording the path.
    pub(crate) fn descend_edge(&self, last: bool, path: &mut Path) -> C::H {
        on_ref!(self, _ => C::H::NIL, t => t.descend_edge(last, path).cast())
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
                idx: key_bound(run.keys(), bound, upper),
            },
            t => t.bound_pos(bound, upper).cast(),
        )
    }

    /// The range between two bounds, with std's panics for inverted bounds
    /// (on a non-empty map), and a panic if an `Ord` that is not a total
    /// order makes the ends cross (see `RawTree::range_edges`): a range's
    /// front never lies after its back. Returns the range's front and back
    /// positions.
    pub(crate) fn range_search<Q>(&self, start: Bound<&Q>, end: Bound<&Q>) -> (Pos<C::H>, Pos<C::H>)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if self.len() == 0 {
            let nil = Pos {
                leaf: C::H::NIL,
                idx: 0,
            };
            return (nil, nil);
        }
        check_range_bounds(start, end);
        let (front, back) = on_ref!(self,
            run => {
                let (i, j) = (key_bound(run.keys(), start, false), key_bound(run.keys(), end, true));
                // Crossing ends (an `Ord` that is not a total order): empty,
                // as `TreeView::range_edges` and std's range.
                let j = j.max(i);
                let pos = |idx| Pos {
                    leaf: C::H::NIL,
                    idx,
                };
                (pos(i), pos(j))
            },
            t => {
                let (front, back) = t.range_edges(start, end);
                (front.cast(), back.cast())
            },
        );
        (front, back)
    }

    /// Take the map's tree out, typed (the map is left an empty run).
    fn take_tree<X: Config, P: Place<Core<X>>>(place: P) -> RawTree<K, V, X> {
        // SAFETY: the core holds `K`s and `V`s (the type's invariant), and
        // the caller took it out of the map, so it is owned once.
        unsafe { RawTree::from_core(place.into_inner()) }
    }

    /// Drop every entry and free everything; the map becomes an empty run.
    pub(crate) fn drop_all(&mut self) {
        match mem::replace(&mut self.repr, Repr::Small(Run::EMPTY)) {
            Repr::Small(mut run) => run.drop_all(),
            Repr::Narrow(place) => drop(Self::take_tree(place)),
            Repr::Wide(place) => drop(Self::take_tree(place)),
        }
    }
}

impl<K: Clone, V, C: Config> RawMap<K, V, C> {
    /// A map holding `entries`, which must be in strictly ascending key
    /// order: a run if they fit one, else a tree at full fill, with narrow
    /// handles if the iterator's upper size bound fits them.
    pub(crate) fn from_sorted(entries: impl IntoIterator<Item = (K, V)>) -> Result<Self, Full> {
        Self::from_sorted_with(entries, K::clone)
    }

    /// As [`from_sorted`](Self::from_sorted), taking a tree's separators
    /// from `separator` (see `RawTree::from_sorted_with`); a run needs none.
    pub(crate) fn from_sorted_with(
        entries: impl IntoIterator<Item = (K, V)>,
        separator: impl FnMut(&K) -> K,
    ) -> Result<Self, Full> {
        let mut entries = entries.into_iter();
        let run = match entries.size_hint() {
            (lo, Some(hi)) if lo == hi && hi <= C::RUN_MAX => Run::with_capacity(hi),
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
            run.insert(at, k, v, C::RUN_FIRST, C::RUN_MAX);
        }
        let Some(first) = entries.next() else {
            return Ok(map);
        };
        let run = mem::replace(map.run_mut().expect("a new map is a run"), Run::EMPTY);
        let mut entries = RunDrain::new(run).chain(Some(first)).chain(entries);
        if !C::H::WIDENS || !Self::hint_fits_narrow(&entries) {
            return Self::tree_from_sorted(Each(entries), separator);
        }
        // A size hint is a promise that safe code may break: the narrow
        // build takes no more than narrow handles hold, and if the source
        // has more, the tree is built again with wide handles from the
        // narrow tree's entries and the rest. (Only a user's iterator can
        // lie here: the engine's own sources, whose separators may come
        // from a list, are never built twice.)
        let mut separator = separator;
        let narrow = RawMap::from_tree(RawTree::from_sorted_with(
            Each(entries.by_ref().take(Self::NARROW_HOLDS)),
            &mut separator,
        )?);
        let Some(next) = entries.next() else {
            // The source goes while the tree is still a local: a panic in
            // its drop (user code) frees the tree rather than leak it as the
            // return value (see `RawTree::from_sorted_with`).
            drop(entries);
            return Ok(narrow);
        };
        let mut built = RawIntoIter::new(narrow);
        let entries = core::iter::from_fn(move || built.next())
            .chain(Some(next))
            .chain(entries);
        Self::wide_from_sorted(Each(entries), separator)
    }

    /// Whether a source's upper size bound says it fits a tree with narrow
    /// handles (a promise only: see [`from_sorted_with`](Self::from_sorted_with)).
    fn hint_fits_narrow(entries: &impl Iterator) -> bool {
        entries
            .size_hint()
            .1
            .is_some_and(|hi| hi <= Self::NARROW_HOLDS)
    }

    /// A clone of this map (a run, or a tree at full fill), its entries
    /// copied a leaf slice at a time.
    pub(crate) fn clone_packed(&self) -> Result<Self, Full>
    where
        V: Clone,
    {
        let len = self.len();
        if len <= C::RUN_MAX {
            // A run, or a tree small enough to be one.
            return Self::from_sorted(Cloned::new(self, len));
        }
        Self::tree_from_sorted(Cloned::new(self, len), K::clone)
    }

    /// A tree holding `entries` (strictly ascending, more than a run
    /// holds), with narrow handles if the source's upper size bound fits
    /// them. Only a source whose bound is true (a map's own length) comes
    /// here with a bound that fits when handles can widen.
    fn tree_from_sorted(
        entries: impl BulkSource<K, V>,
        mut separator: impl FnMut(&K) -> K,
    ) -> Result<Self, Full> {
        if !C::H::WIDENS || Self::hint_fits_narrow(&entries) {
            return Ok(RawMap::from_tree(RawTree::from_sorted_with(
                entries,
                &mut separator,
            )?));
        }
        Self::wide_from_sorted(entries, separator)
    }

    /// A tree with wide handles holding `entries` (as for
    /// [`tree_from_sorted`](Self::tree_from_sorted)), narrowed if it turns
    /// out small enough.
    fn wide_from_sorted(
        entries: impl BulkSource<K, V>,
        mut separator: impl FnMut(&K) -> K,
    ) -> Result<Self, Full> {
        let wide = RawTree::<K, V, C::Wide>::from_sorted_with(entries, &mut separator)?;
        let mut map = RawMap::new();
        map.repr = Repr::Wide(Place::new(wide.into_core()));
        // The bound was loose: a tree this small narrows.
        // SAFETY: a NIL position is valid in any map.
        unsafe {
            map.fit_representation(Pos {
                leaf: C::H::NIL,
                idx: 0,
            })
        };
        Ok(map)
    }
}

impl<K: Ord + Clone, V, C: Config> RawMap<K, V, C> {
    /// Move the last (`last`) or first `count` entries (at most `len`) into
    /// a new map, built at full fill. Every `Clone` (the new tree's
    /// separators) runs before any entry moves, and nothing else of the
    /// user's runs (no comparison): a panicking `Clone` leaves the map as
    /// it was. This map keeps its tree, cut along its edge (a run stays a
    /// run), and then demotes or narrows as after a removal.
    pub(crate) fn split_edge(&mut self, count: usize, last: bool) -> Self {
        if count == 0 {
            return RawMap::new();
        }
        if count == self.len() {
            return mem::replace(self, RawMap::new());
        }
        let (entries, seps) = on_mut!(self,
            run => {
                // A run's part fits a run: nothing is cloned.
                let mut all: Vec<(K, V)> = RunDrain::new(mem::replace(run, Run::EMPTY)).collect();
                let tail = all.split_off(if last { all.len() - count } else { count });
                let (kept, moved) = if last { (all, tail) } else { (tail, all) };
                for (k, v) in kept {
                    let at = run.len();
                    run.insert(at, k, v, C::RUN_FIRST, C::RUN_MAX);
                }
                (moved, Vec::new())
            },
            t => t.split_edge(count, last, count > C::RUN_MAX),
        );
        // SAFETY: a NIL position is valid in any map.
        unsafe {
            self.fit_representation(Pos {
                leaf: C::H::NIL,
                idx: 0,
            })
        };
        let mut seps = seps.into_iter();
        RawMap::from_sorted_with(entries, |_| {
            seps.next().expect("one separator per leaf after the first")
        })
        .unwrap_or_else(|_: Full| unreachable!("a part of a tree, packed, fits in a fresh tree"))
    }

    /// Insert `key`, or replace the value of an equal key (keeping the old
    /// key, as std does). At a limit (out of handles, or as many entries as
    /// counts count), gives the pair back with the limit.
    pub(crate) fn insert(&mut self, key: K, val: V) -> Result<Option<V>, Refused<K, V>> {
        let (key, val) = match self.view_mut() {
            ViewMut::Run(run) => match search_leaf(run.keys(), &key) {
                Ok(i) => {
                    // As in the tree: drop the new key first.
                    drop(key);
                    return Ok(Some(mem::replace(&mut run.split_mut().1[i], val)));
                }
                Err(i) => {
                    self.run_insert(i, key, val);
                    return Ok(None);
                }
            },
            ViewMut::Narrow(t) => match t.insert(key, val) {
                Err((Full::Handles, kv)) if C::H::WIDENS => kv,
                done => return done,
            },
            ViewMut::Wide(t) => return t.insert(key, val),
        };
        self.widened().insert(key, val)
    }

    /// Insert `key` after every key of the map, if it is greater than all
    /// of them: an insert with no search (one comparison, with the last
    /// key), which an ascending `extend` makes. `Err` gives the pair back
    /// untouched when the key is not the greatest; `Ok(Err(..))` at a limit
    /// (as [`insert`](Self::insert)).
    #[allow(clippy::type_complexity)]
    pub(crate) fn push_last(
        &mut self,
        key: K,
        val: V,
    ) -> Result<Result<(), Refused<K, V>>, (K, V)> {
        let mut path = Path::new();
        let leaf = self.descend_edge(true, &mut path);
        // SAFETY: `descend_edge` named the run (NIL) or the last leaf, and
        // the keys are read before anything changes.
        let keys = unsafe { self.leaf(leaf).keys() };
        // `Ord::cmp`, as every search here (never `PartialOrd`).
        if keys
            .last()
            .is_some_and(|last| key.cmp(last) != core::cmp::Ordering::Greater)
        {
            return Err((key, val));
        }
        let i = keys.len();
        // SAFETY: `path` and `leaf` were just recorded by a descent of this
        // map, and `i` is the leaf's length.
        Ok(unsafe { self.insert_at(&path, leaf, i, key, val) }.map(|_| ()))
    }

    /// Insert a new entry at index `i` of `leaf`, reached by `path`, where
    /// the key belongs (it is absent). Returns where the entry ended up.
    ///
    /// # Safety
    /// `path` and `leaf` were recorded by a descent of this map
    /// ([`descend`](Self::descend)) since it last changed, and `i` is at most
    /// the leaf's length.
    pub(crate) unsafe fn insert_at(
        &mut self,
        path: &Path,
        leaf: C::H,
        i: usize,
        key: K,
        val: V,
    ) -> Result<(C::H, usize), Refused<K, V>> {
        let (key, val) = match self.view_mut() {
            ViewMut::Run(_) => return Ok(self.run_insert(i, key, val)),
            // SAFETY: the path and leaf are this tree's (caller's contract).
            ViewMut::Narrow(t) => match unsafe { t.insert_at(path, leaf.cast(), i, key, val) } {
                Ok((h, i)) => return Ok((h.cast(), i)),
                Err((Full::Handles, kv)) if C::H::WIDENS => kv,
                Err(e) => return Err(e),
            },
            ViewMut::Wide(t) => {
                // SAFETY: as above.
                return unsafe { t.insert_at(path, leaf.cast(), i, key, val) }
                    .map(|(h, i)| (h.cast(), i));
            }
        };
        // The path and leaf named the narrow tree: find the place again.
        let wide = self.widened();
        let mut path = Path::new();
        let leaf = wide.descend(&key, &mut path);
        // SAFETY: `leaf` was just found by a descent of `wide`.
        let i = unsafe { wide.leaf(leaf) }
            .search(&key)
            .expect_err("Ord is ill-defined: the key of an insert is absent, then present");
        // SAFETY: the path and leaf were just recorded by a descent of `wide`.
        unsafe { wide.insert_at(&path, leaf, i, key, val) }.map(|(h, i)| (h.cast(), i))
    }

    /// Insert into the run at index `i`, promoting a full run to a tree;
    /// returns where the entry went.
    fn run_insert(&mut self, i: usize, key: K, val: V) -> (C::H, usize) {
        match &mut self.repr {
            Repr::Small(run) if run.len() < C::RUN_MAX => {
                run.insert(i, key, val, C::RUN_FIRST, C::RUN_MAX);
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
                let i = search_leaf(run.keys(), q).ok()?;
                return Some(run.remove(i));
            },
            t => {
                let mut path = Path::new();
                let leaf = t.descend(q, &mut path);
                // SAFETY: `leaf` and `path` were just recorded by a descent
                // of `t`, and `i` indexes the leaf.
                let (kv, next) = unsafe {
                    let i = t.leaf(leaf).search(q).ok()?;
                    t.remove_at(&path, leaf, i)
                };
                (kv, next.cast())
            },
        );
        // SAFETY: `next` is the position the removal returned.
        unsafe { self.fit_representation(next) };
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
                return Some(run.remove(i));
            },
            t => {
                let mut path = Path::new();
                let leaf = t.descend_edge(last, &mut path);
                // SAFETY: `leaf` and `path` were just recorded by a descent
                // of `t`; a tree's leaves are never empty.
                let (kv, next) = unsafe {
                    let i = if last { t.leaf(leaf).len() - 1 } else { 0 };
                    t.remove_at(&path, leaf, i)
                };
                (kv, next.cast())
            },
        );
        // SAFETY: `next` is the position the removal returned.
        unsafe { self.fit_representation(next) };
        Some(kv)
    }

    /// Remove the entry at `at`, reached by `path`, and rebalance (or
    /// demote, or narrow). Returns the entry and the canonical position of
    /// the entry that followed it.
    ///
    /// # Safety
    /// `path` and `at.leaf` were recorded by a descent of this map
    /// ([`descend`](Self::descend), [`descend_edge`](Self::descend_edge))
    /// since it last changed, and `at.idx` holds an entry.
    pub(crate) unsafe fn remove_with_path(
        &mut self,
        path: &Path,
        at: Pos<C::H>,
    ) -> ((K, V), Pos<C::H>) {
        let Pos { leaf, idx: i } = at;
        let (kv, next) = on_mut!(self,
            run => {
                let kv = run.remove(i);
                return (
                    kv,
                    Pos {
                        leaf: C::H::NIL,
                        idx: i,
                    },
                );
            },
            t => {
                // SAFETY: the path and leaf are this tree's (caller's
                // contract).
                let (kv, next) = unsafe { t.remove_at(path, leaf.cast(), i) };
                (kv, next.cast())
            },
        );
        // SAFETY: `next` is the position the removal returned.
        (kv, unsafe { self.fit_representation(next) })
    }

    /// Remove the entry at `at`, as [`remove_with_path`](Self::remove_with_path)
    /// does, finding the path by descending with the entry's own key.
    ///
    /// If that descent ends elsewhere, the keys' `Ord` is not a total order
    /// (or disagrees with itself over time): this panics before anything
    /// changes, as std does where it detects one.
    ///
    /// # Safety
    /// `at` is the position of an entry of this map, handed out since the
    /// map last changed (or returned by that change).
    pub(crate) unsafe fn remove_at(&mut self, at: Pos<C::H>) -> ((K, V), Pos<C::H>) {
        let mut path = Path::new();
        if !at.leaf.is_nil() {
            // SAFETY: `at.leaf` is live (caller's contract).
            let key = &unsafe { self.leaf(at.leaf).keys() }[at.idx];
            let found = self.descend(key, &mut path);
            self.check_found(found, at.leaf);
        }
        // SAFETY: the path and leaf were just recorded by a descent (checked
        // to end at `at.leaf`), and `at.idx` holds an entry (its key was
        // read above).
        unsafe { self.remove_with_path(&path, at) }
    }
}

/// The map read as a chain of leaves: a NIL handle names the small run (an
/// empty leaf while the map is a tree).
impl<K, V, C: Config> LeafChain for RawMap<K, V, C> {
    type K = K;
    type V = V;
    type H = C::H;

    #[inline]
    unsafe fn leaf(&self, h: C::H) -> LeafView<K, V, C::H> {
        if !h.is_nil() {
            return on_ref!(self, _ => unreachable!("a leaf handle names a tree's leaf"), t => {
                // SAFETY: `h` names a live leaf (caller's contract).
                let view = unsafe { t.leaf_view(h.cast()) };
                LeafView {
                    keys: view.keys,
                    vals: view.vals,
                    len: view.len,
                    next: view.next.cast(),
                    prev: view.prev.cast(),
                }
            });
        }
        let (keys, vals, len) = match self.run() {
            Some(run) => {
                let (keys, vals) = run.raw();
                (keys, vals, run.len())
            }
            None => return LeafView::empty(),
        };
        LeafView {
            keys,
            vals,
            len,
            next: C::H::NIL,
            prev: C::H::NIL,
        }
    }

    #[inline]
    unsafe fn prefetch_leaf(&self, h: C::H) {
        if !h.is_nil() {
            on_ref!(self, _ => {}, t => {
                // SAFETY: `h` names a live leaf (caller's contract).
                unsafe { t.prefetch_leaf(h.cast()) }
            });
        }
    }

    /// The first (`last == false`) or last leaf: NIL for the run.
    #[inline]
    fn edge_leaf(&self, last: bool) -> C::H {
        on_ref!(self, _ => C::H::NIL, t => t.edge_leaf(last).cast())
    }
}

/// Raw access for the iteration engines.
impl<K, V, C: Config> RawMap<K, V, C> {
    /// Move the entry at `(leaf, i)` out.
    ///
    /// # Safety
    /// The position holds an entry (its leaf as for [`leaf`](Self::leaf));
    /// each is taken at most once, and before the map is used or dropped
    /// the caller drops the untaken entries and calls `forget_entries`.
    #[inline]
    pub(crate) unsafe fn take(&mut self, (leaf, i): (C::H, usize)) -> (K, V) {
        on_mut!(self,
            // SAFETY: guaranteed by the caller.
            run => unsafe { run.take(i) },
            // SAFETY: guaranteed by the caller.
            t => unsafe { t.leaf_mut(leaf.cast()).take(i) },
        )
    }

    /// Treat every leaf (or the run) as empty without dropping anything.
    pub(crate) fn forget_entries(&mut self) {
        on_mut!(self,
            run => run.forget_all(),
            t => {
                let mut h = t.edge_leaf(false);
                while !h.is_nil() {
                    // SAFETY: the first leaf and the `next` links are live.
                    let leaf = unsafe { t.leaf_mut(h) };
                    leaf.forget_all();
                    h = leaf.next;
                }
                t.len = 0;
            },
        )
    }
}

/// The core a place holds, in a `const fn` (trait methods are not const).
#[inline]
const fn core_of<X: Config, P: Place<Core<X>>>(place: &P) -> &Core<X> {
    let p: *const P = place;
    if P::BOXED {
        // SAFETY: the only boxed place is `Box<Core<X>>`, which for a sized
        // pointee is one non-null pointer to a live `Core<X>`.
        unsafe { &**p.cast::<*const Core<X>>() }
    } else {
        // SAFETY: the other places are `Direct<Core<X>>`, `repr(transparent)`
        // over `Core<X>`, and `Infallible`, of which no value (hence no
        // reference to one) exists.
        unsafe { &*p.cast::<Core<X>>() }
    }
}

impl<K, V, C: Config> Drop for RawMap<K, V, C> {
    fn drop(&mut self) {
        self.drop_all();
    }
}
