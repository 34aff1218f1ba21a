//! Moving a map between its representations: a full run promoted to a
//! tree, a small tree demoted to a run, a narrow tree widened when it runs
//! out of handles, a wide tree narrowed when removals shrink it. Each keeps
//! every entry (they move; nothing is cloned but separators, before any
//! entry moves) and tells callers where a position went.

use super::on_mut;
use alloc::vec::Vec;
use core::mem;

use super::{RawMap, Repr, ViewMut};
use crate::node::{Run, RunDrain};
use crate::policy::{Config, Handle, Place};
use crate::raw::RawTree;
use crate::raw::bulk::ShortFirst;
use crate::raw::insert::Full;
use crate::raw::navigate::Pos;
use crate::raw::view::LeafChain;

impl<K, V, C: Config> RawMap<K, V, C> {
    /// A tree below `RUN_MAX / 2` becomes a run, and so does an empty one
    /// (an empty map allocates nothing); a wide tree below `NARROW_BELOW`
    /// moves to narrow handles. Returns where position `at` is now.
    ///
    /// # Safety
    /// As for [`leaf`](Self::leaf), for `at.leaf`.
    #[inline]
    pub(super) unsafe fn fit_representation(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        let len = self.len();
        match self.repr {
            Repr::Small(_) => at,
            // SAFETY: `at` is valid (caller's contract).
            _ if len < Self::MIN_TREE => unsafe { self.demote(at) },
            Repr::Wide(_) if len < Self::NARROW_BELOW => self.narrow(at),
            Repr::Narrow(_) | Repr::Wide(_) => at,
        }
    }

    /// Move a narrow tree that ran out of handles to wide ones; returns the
    /// wide tree.
    #[cold]
    #[inline(never)]
    pub(super) fn widened(&mut self) -> &mut RawTree<K, V, C::Wide> {
        debug_assert!(C::H::WIDENS);
        let Repr::Narrow(place) = mem::replace(&mut self.repr, Repr::Small(Run::EMPTY)) else {
            unreachable!("only a narrow tree widens");
        };
        let narrow = Self::take_tree(place);
        let (wide, _) = narrow.transcode::<C::Wide>(<C::Narrow as Config>::H::NIL);
        self.repr = Repr::Wide(Place::new(wide.into_core()));
        match self.view_mut() {
            ViewMut::Wide(t) => t,
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
        let wide: RawTree<K, V, C::Wide> = Self::take_tree(place);
        let (narrow, leaf) = wide.transcode::<C::Narrow>(at.leaf.cast());
        self.repr = Repr::Narrow(Place::new(narrow.into_core()));
        Pos {
            leaf: leaf.cast(),
            idx: at.idx,
        }
    }

    /// Turn a tree into a run; returns where position `at` is now.
    ///
    /// # Safety
    /// As for [`leaf`](Self::leaf), for `at.leaf`.
    #[cold]
    #[inline(never)]
    unsafe fn demote(&mut self, at: Pos<C::H>) -> Pos<C::H> {
        let mut rank = at.idx;
        if !at.leaf.is_nil() {
            let mut h = self.edge_leaf(false);
            while h != at.leaf {
                // SAFETY: `h` is the first leaf or read from a live leaf's
                // `next`; the walk reaches `at.leaf` (live, by the caller's
                // contract) before the chain ends.
                let leaf = unsafe { self.leaf(h) };
                rank += leaf.len;
                h = leaf.next;
            }
        }
        let mut run = Run::with_capacity(self.len());
        on_mut!(self,
            _ => unreachable!("only a tree is demoted"),
            t => {
                // Entries move leaf by leaf; no user code runs.
                let mut h = t.edge_leaf(false);
                while !h.is_nil() {
                    // SAFETY: the first leaf and the `next` links are live.
                    let leaf = unsafe { t.leaf_mut(h) };
                    run.append_leaf(leaf);
                    h = leaf.next;
                }
            },
        );
        // The tree holds only empty leaves now: dropping it frees them.
        match mem::replace(&mut self.repr, Repr::Small(run)) {
            Repr::Small(_) => unreachable!("only a tree is demoted"),
            Repr::Narrow(place) => drop(Self::take_tree(place)),
            Repr::Wide(place) => drop(Self::take_tree(place)),
        }
        Pos {
            leaf: C::H::NIL,
            idx: rank,
        }
    }
}

impl<K: Ord + Clone, V, C: Config> RawMap<K, V, C> {
    /// Turn a full run into a tree holding the run and a new entry, which
    /// sorts at index `i`; returns where the new entry is. The tree is
    /// built at full fill from the merged entries, so the insert splits
    /// nothing, and every separator is cloned before any entry moves: a
    /// panicking `Clone` leaves the run as it was.
    pub(super) fn promote_with(&mut self, i: usize, key: K, val: V) -> (C::H, usize) {
        let Repr::Small(run) = &mut self.repr else {
            unreachable!("only a run is promoted");
        };
        // Leaves are full but one, which is the last, or the first when
        // the entry goes in at the front: the leaf a load in that direction
        // goes on to fill (ascending and descending loads fill every leaf
        // but one).
        let keys = run.keys();
        let total = keys.len() + 1;
        let first = if i == 0 {
            (total - 1) % C::CAP + 1
        } else {
            C::CAP
        };
        // The separators: the merged entries' keys where each leaf but the
        // first starts (`first`, `first + CAP`, ...).
        let seps: Vec<K> = (first..total)
            .step_by(C::CAP)
            .map(|j| match j.cmp(&i) {
                core::cmp::Ordering::Less => keys[j].clone(),
                core::cmp::Ordering::Equal => key.clone(),
                core::cmp::Ordering::Greater => keys[j - 1].clone(),
            })
            .collect();
        let mut drain = RunDrain::new(mem::replace(run, Run::EMPTY));
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
        let tree =
            RawTree::<K, V, C::Narrow>::from_sorted_with(ShortFirst::new(entries, first), |_| {
                seps.next().expect("one separator per leaf after the first")
            })
            .unwrap_or_else(|_: Full| unreachable!("a run fits in a fresh tree"));
        // Entry `i` (at the front, or in full leaves from the first on).
        let mut leaf = tree.edge_leaf(false);
        for _ in 0..i / C::CAP {
            // SAFETY: the first leaf and its `next` links are live; a tree
            // of full leaves holding entry `i` has `i / CAP` leaves after
            // the first.
            leaf = unsafe { tree.leaf(leaf) }.next;
        }
        self.repr = Repr::Narrow(Place::new(tree.into_core()));
        (leaf.cast(), i % C::CAP)
    }
}
