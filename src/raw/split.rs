//! Split the entries at one end off a tree (for `split_off`).
//!
//! Every clone (the separators of the tree the moved part will become)
//! happens before any entry moves, so a panicking `Clone` leaves the tree
//! as it was. Then whole leaves leave the edge, each unlinked from its
//! parent, which fixes itself as after a merge (branches merge or rotate
//! their separators: nothing is cloned); the leaf the cut runs through gives
//! up its part and becomes the edge leaf, which may hold as few as one entry
//! (the fill rule of edge nodes, see the module docs of `raw`).

use alloc::vec::Vec;

use super::view::{LeafChain, TreeView};
use super::{Path, RawTree};
use crate::policy::{Config, Handle};

impl<K: Ord + Clone, V, C: Config> RawTree<K, V, C> {
    /// Move the last (`last`) or first `count` entries out, in key order,
    /// with, if `separators`, the separators a tree built of them needs:
    /// clones of the moved keys at `CAP`, `2 * CAP`, ... (what
    /// [`from_sorted_with`](Self::from_sorted_with) asks for). Needs
    /// `0 < count < len`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn split_edge(
        &mut self,
        count: usize,
        last: bool,
        separators: bool,
    ) -> (Vec<(K, V)>, Vec<K>) {
        assert!(0 < count && count < self.len);
        // The plan: the leaf the cut runs through, how many entries it
        // keeps, and the clones, all before anything moves.
        let (cut, keep, seps) = {
            let mut parts: Vec<&[K]> = Vec::new();
            let mut taken = 0;
            let mut h = self.edge_leaf(last);
            let (cut, keep) = loop {
                // SAFETY: `h` is the edge leaf or was read from a live
                // leaf's link; the walk ends before the chain does, as
                // `count < len`.
                let leaf = unsafe { self.leaf(h) };
                let keys = leaf.keys();
                let len = keys.len();
                if taken + len >= count {
                    let n = count - taken;
                    parts.push(if last { &keys[len - n..] } else { &keys[..n] });
                    break (h, len - n);
                }
                parts.push(keys);
                taken += len;
                h = if last { leaf.prev } else { leaf.next };
            };
            if last {
                parts.reverse();
            }
            let seps: Vec<K> = if separators {
                parts
                    .iter()
                    .flat_map(|part| part.iter())
                    .skip(C::CAP)
                    .step_by(C::CAP)
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            (cut, keep, seps)
        };

        // No user code runs from here on but the drop of the separators
        // that leave the tree, which waits until the tree is whole.
        let mut out = Vec::with_capacity(count);
        let mut dropped = Vec::new();
        loop {
            let mut path = Path::new();
            let h = self.descend_edge(last, &mut path);
            if h == cut && keep > 0 {
                break;
            }
            // SAFETY: `h` was just reached by a descent of this tree.
            let leaf = unsafe { self.leaf_mut(h) };
            let from = out.len();
            while leaf.len() > 0 {
                out.push(leaf.remove(leaf.len() - 1));
            }
            if !last {
                out[from..].reverse();
            }
            self.len -= out.len() - from;
            // SAFETY: `path` was just recorded by a descent; only a leaf
            // changed since.
            unsafe { self.add_along(&path, path.len(), from.wrapping_sub(out.len())) };
            // SAFETY: `path` and `h` were just recorded by a descent, and
            // the tree has leaves besides `h` (it keeps `len - count > 0`
            // entries, none of them in `h`).
            unsafe { self.unlink_edge_leaf(&path, h, last, &mut dropped) };
            if h == cut {
                break;
            }
        }
        if keep > 0 {
            let mut path = Path::new();
            let edge = self.descend_edge(last, &mut path);
            debug_assert!(edge == cut);
            // SAFETY: `cut` is live: only the leaves beyond it were freed.
            let leaf = unsafe { self.leaf_mut(cut) };
            let len = leaf.len();
            if last {
                while leaf.len() > keep {
                    out.push(leaf.remove(leaf.len() - 1));
                }
            } else {
                let mut all = Vec::with_capacity(len);
                while leaf.len() > 0 {
                    all.push(leaf.remove(leaf.len() - 1));
                }
                all.reverse();
                let rest = all.split_off(len - keep);
                out.extend(all);
                for (k, v) in rest {
                    let at = leaf.len();
                    leaf.insert(at, k, v);
                }
            }
            self.len -= len - keep;
            // SAFETY: `path` was just recorded by a descent; only the leaf
            // `cut` changed since.
            unsafe { self.add_along(&path, path.len(), keep.wrapping_sub(len)) };
        }
        if last {
            out.reverse();
        }
        drop(dropped);
        (out, seps)
    }

    /// Unlink the empty edge leaf `h` from its parent and neighbour, free
    /// it, and fix the branches above; its separator goes to `dropped`.
    ///
    /// # Safety
    /// `path` and `h` were recorded by a descent of this tree to its first
    /// (`!last`) or last leaf since it last changed, and the tree has other
    /// leaves.
    unsafe fn unlink_edge_leaf(&mut self, path: &Path, h: C::H, last: bool, dropped: &mut Vec<K>) {
        let (parent, ci) = path.at(path.len() - 1);
        // SAFETY: `parent` is the path's last branch, live (caller's
        // contract); it has at least two children, as the tree has other
        // leaves and `h` is at its edge.
        let p = unsafe { self.branch_mut(parent) };
        let sep = if last {
            let (sep, child) = p.remove(ci - 1);
            debug_assert!(child.h == h);
            sep
        } else {
            let second = p.edge(1);
            let (sep, _) = p.remove(0);
            p.set_first(second);
            sep
        };
        dropped.push(sep);
        // SAFETY: `h` is live (caller's contract), and so is its neighbour
        // towards the tree's inside (the tree has other leaves).
        unsafe {
            let leaf = self.leaf(h);
            if last {
                let prev = leaf.prev;
                self.leaf_mut(prev).next = C::H::NIL;
            } else {
                let next = leaf.next;
                self.leaf_mut(next).prev = C::H::NIL;
            }
            // No link names `h` now: its parent's was removed above, its
            // neighbour's just now.
            self.free_leaf(h);
            // The path's branches are live: only the parent's contents
            // changed.
            self.fix_branch(path, path.len() - 1);
        }
    }
}
