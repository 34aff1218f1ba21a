//! The invariant checker: proves every invariant of ARCHITECTURE.md.
//!
//! Keys strictly ascending within and across nodes; every separator bounds
//! its subtrees; fill bounds (see `raw`); all leaves at one depth; the leaf
//! chain visits every leaf once in key order, both ways; `len` equals the
//! number of entries; every arena slot is either reachable exactly once or
//! free, never both, never neither.

use super::map::{RawMap, View, on_ref};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::RawTree;
use crate::error::InvariantError;
use crate::node::Block;
use crate::policy::{Config, Count, Handle};

struct Walk<H> {
    leaf_seen: Vec<bool>,
    branch_seen: Vec<bool>,
    leaves: Vec<H>,
    entries: usize,
}

fn fail<T>(message: impl Into<alloc::string::String>) -> Result<T, InvariantError> {
    Err(InvariantError::new(message))
}

impl<K: Ord, V, C: Config> RawTree<K, V, C> {
    pub(crate) fn check(&self) -> Result<(), InvariantError> {
        let (mut leaf_free, mut branch_free) = (Vec::new(), Vec::new());
        let (leaf_slots, branch_slots) = self
            .arena_slots(&mut |i| leaf_free.push(i), &mut |i| branch_free.push(i))
            .or_else(fail)?;
        let mut walk = Walk {
            leaf_seen: vec![false; leaf_slots],
            branch_seen: vec![false; branch_slots],
            leaves: Vec::new(),
            entries: 0,
        };
        if self.root.is_nil() {
            if self.len != 0 || self.height != 0 {
                return fail(format!(
                    "empty root but len {} height {}",
                    self.len, self.height
                ));
            }
        } else {
            // SAFETY: the root is live by the tree invariant, at depth 0.
            unsafe { self.check_node(self.root, 0, None, None, (true, true), &mut walk)? };
        }
        if walk.entries != self.len {
            return fail(format!(
                "len is {} but the leaves hold {}",
                self.len, walk.entries
            ));
        }
        if C::N::ON && !self.root.is_nil() {
            // SAFETY: the root is live, at the tree's height; the walk above
            // proved every link below it names a live node of its level.
            let counted = unsafe { self.check_counts(self.root, self.height as usize) };
            if let Err((h, j, kept, below)) = counted {
                return fail(format!(
                    "branch {h:?} counts {kept} entries below child {j}, which holds {below}"
                ));
            }
        }

        // The leaf chain.
        for (n, &h) in walk.leaves.iter().enumerate() {
            // SAFETY: `check_node` recorded `h` as a leaf read from the
            // tree's links, and the tree is not changed (`&self`).
            let leaf = unsafe { self.leaf(h) };
            let prev = if n == 0 {
                C::H::NIL
            } else {
                walk.leaves[n - 1]
            };
            let next = walk.leaves.get(n + 1).copied().unwrap_or(C::H::NIL);
            if leaf.prev != prev || leaf.next != next {
                return fail(format!(
                    "leaf {h:?} links {:?}/{:?}, expected {prev:?}/{next:?}",
                    leaf.prev, leaf.next
                ));
            }
        }

        // Arena accounting.
        for (kind, seen, free) in [
            ("leaf", &mut walk.leaf_seen, &leaf_free),
            ("branch", &mut walk.branch_seen, &branch_free),
        ] {
            for &i in free {
                match seen.get_mut(i) {
                    None => return fail(format!("free {kind} slot {i} out of range")),
                    Some(s) if *s => {
                        return fail(format!("{kind} slot {i} is both reachable and free"));
                    }
                    Some(s) => *s = true,
                }
            }
            if let Some(i) = seen.iter().position(|s| !s) {
                return fail(format!(
                    "{kind} slot {i} is neither reachable nor free (lost)"
                ));
            }
        }
        Ok(())
    }

    /// Check the subtree under `h`, at `depth`.
    ///
    /// # Safety
    /// `h` names a live node of this tree: a leaf if `depth == height`,
    /// else a branch.
    unsafe fn check_node(
        &self,
        h: C::H,
        depth: usize,
        lo: Option<&K>,
        hi: Option<&K>,
        (left_edge, right_edge): (bool, bool),
        walk: &mut Walk<C::H>,
    ) -> Result<(), InvariantError> {
        let is_leaf = depth == self.height as usize;
        let (kind, seen) = if is_leaf {
            ("leaf", &mut walk.leaf_seen)
        } else {
            ("branch", &mut walk.branch_seen)
        };
        match seen.get_mut(h.index()) {
            None => return fail(format!("{kind} handle {h:?} out of range")),
            Some(s) if *s => return fail(format!("{kind} {h:?} reachable twice")),
            Some(s) => *s = true,
        }
        // SAFETY: `h` is live, a leaf exactly at the leaf depth (caller's
        // contract).
        let (keys, prefixes_hold) = unsafe {
            if is_leaf {
                let leaf = self.leaf(h);
                (leaf.keys(), leaf.prefixes().holds_for(leaf.keys()))
            } else {
                let branch = self.branch(h);
                (branch.keys(), branch.prefixes().holds_for(branch.keys()))
            }
        };
        if !prefixes_hold {
            return fail(format!(
                "{kind} {h:?}: a key's prefix word or shared bytes do not match its bytes"
            ));
        }
        let len = keys.len();
        let min = if depth == 0 || left_edge || right_edge {
            1
        } else {
            C::CAP / 2
        };
        if len > C::CAP || len < min {
            return fail(format!(
                "{kind} {h:?} at depth {depth} holds {len} (bounds {min}..={})",
                C::CAP
            ));
        }
        if keys.windows(2).any(|w| w[0].cmp(&w[1]) != Ordering::Less) {
            return fail(format!("{kind} {h:?} keys not strictly ascending"));
        }
        if lo.is_some_and(|lo| keys[0].cmp(lo) == Ordering::Less) {
            return fail(format!("{kind} {h:?} has a key below its separator"));
        }
        if hi.is_some_and(|hi| keys[len - 1].cmp(hi) != Ordering::Less) {
            return fail(format!(
                "{kind} {h:?} has a key at or above the next separator"
            ));
        }
        if is_leaf {
            walk.leaves.push(h);
            walk.entries += len;
            return Ok(());
        }
        // SAFETY: `h` is a live branch (caller's contract; not the leaf
        // depth).
        let b = unsafe { self.branch(h) };
        for i in 0..=len {
            let child_lo = if i == 0 { lo } else { Some(&keys[i - 1]) };
            let child_hi = if i == len { hi } else { Some(&keys[i]) };
            let edges = (left_edge && i == 0, right_edge && i == len);
            // SAFETY: the child was just read from live branch `h`'s
            // children, one level deeper.
            unsafe { self.check_node(b.child(i), depth + 1, child_lo, child_hi, edges, walk)? };
        }
        Ok(())
    }
}

/// The map's own invariants, around its tree's.
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
                if run.head() + run.len() > run.cap() {
                    return Err(InvariantError::new(
                        "a run's entries end past its capacity",
                    ));
                }
                if let Some(i) = run.keys().windows(2).position(|w| w[0] >= w[1]) {
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
        if matches!(self.view(), View::Wide(_)) && len < Self::NARROW_BELOW {
            return Err(InvariantError::new(alloc::format!(
                "a tree of {len} entries with wide handles, below {}: it should have narrowed",
                Self::NARROW_BELOW
            )));
        }
        Ok(())
    }
}
