//! Moving a tree to handles of another width (an `Adaptive` map's switch
//! between 16- and 32-bit handles): every node moves into fresh arenas,
//! numbered in order, and no key or value is cloned, compared or dropped.

use super::RawTree;
use crate::node::{Edge, EdgeOf};
use crate::policy::{Config, Count, Handle};

/// Moving a tree to handles of another width.
impl<K, V, C: Config> RawTree<K, V, C> {
    /// Move every node into a new tree of configuration `D`: the same
    /// storage and capacity, handles of another width. Leaves are numbered
    /// from 0 in key order and each branch after its children, so the new
    /// arenas have no free slots. Entries and separators move: no key or
    /// value is cloned, compared or dropped, and nothing but an allocation
    /// can fail. Returns the new tree and the new name of leaf `follow`
    /// (NIL for NIL).
    ///
    /// # Panics
    ///
    /// If `D`'s handles cannot name every node; callers make sure they can.
    pub(crate) fn transcode<D: Config>(mut self, follow: C::H) -> (RawTree<K, V, D>, D::H) {
        const { assert!(C::CAP == D::CAP) };
        let (root, height, len) = (self.root, self.height, self.len);
        // The old tree forgets its shape first: each node is freed as it
        // moves, and were anything to unwind, what is left would only leak.
        self.root = C::H::NIL;
        self.height = 0;
        self.len = 0;
        let mut moved = Transcode {
            dst: RawTree::<K, V, D>::new(),
            last_leaf: D::H::NIL,
            follow,
            followed: D::H::NIL,
        };
        if !root.is_nil() {
            let root = self.transcode_node(root, height, &mut moved);
            moved.dst.root = root;
            moved.dst.height = height;
            moved.dst.len = len;
        }
        (moved.dst, moved.followed)
    }

    /// Move node `h` at `height` above the leaves, and its subtree, into
    /// `moved.dst`; returns its new handle.
    fn transcode_node<D: Config>(
        &mut self,
        h: C::H,
        height: u8,
        moved: &mut Transcode<K, V, D, C::H>,
    ) -> D::H {
        const FIT: &str = "the new handles name every node";
        let dst = &mut moved.dst;
        if height == 0 {
            let new = dst.alloc_leaf().expect(FIT);
            // SAFETY: `h` is a live leaf of the old tree (read from its
            // links); `new` was just allocated and `prev`, the leaf moved
            // before it, is live in the new tree.
            unsafe {
                dst.leaf_mut(new).append_from(self.leaf_mut(h));
                let prev = moved.last_leaf;
                if !prev.is_nil() {
                    dst.leaf_mut(prev).next = new;
                    dst.leaf_mut(new).prev = prev;
                }
            }
            moved.last_leaf = new;
            if h == moved.follow {
                moved.followed = new;
            }
            // SAFETY: `h` is live, and no link of the old tree is followed
            // to it again (its parent is being moved, its neighbours are
            // reached from the parents).
            unsafe { self.free_leaf(h) };
            return new;
        }
        // SAFETY: `h` is a live branch of the old tree (read from its links),
        // and stays so while its children move.
        let len = unsafe { self.branch(h) }.len();
        let children: alloc::vec::Vec<EdgeOf<D>> = (0..=len)
            .map(|i| {
                // SAFETY: as above.
                let child = unsafe { self.branch(h) }.edge(i);
                let new = self.transcode_node(child.h, height - 1, moved);
                Edge::new(new, child.n.get())
            })
            .collect();
        let dst = &mut moved.dst;
        let new = dst.alloc_branch(children[0]).expect(FIT);
        // SAFETY: `new` was just allocated; `h` is live, and freed once its
        // separators have moved (its parent no longer follows it).
        unsafe {
            dst.branch_mut(new)
                .take_keys_from(self.branch_mut(h), &children[1..]);
            self.free_branch(h);
        }
        new
    }
}

/// The state of a [`RawTree::transcode`]: the new tree, the last leaf
/// moved (to link the next one to), and the leaf to follow.
struct Transcode<K, V, D: Config, H> {
    dst: RawTree<K, V, D>,
    last_leaf: D::H,
    follow: H,
    followed: D::H,
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use crate::policy::{
        ArenaStrategy, Boxed, Compact16, Growing, Handle, Indirect, Inline, MaskedArena, PoolArena,
        VecArena, Wide32,
    };
    use crate::raw::view::{LeafChain, TreeView};

    fn key(i: u32) -> String {
        alloc::format!("{i:03}")
    }

    /// `transcode` moves every node of a churned tree (free slots scattered
    /// through its arenas) to the other handle width and back: every entry
    /// arrives once, nothing is dropped twice or leaked, the leaf it is
    /// asked to follow is found, and both trees pass the invariant check.
    /// (The switch an `Adaptive` map makes needs 65,535 nodes, too many for
    /// Miri; `tests/widening.rs` drives it through the API.)
    fn transcode_both_ways<A: ArenaStrategy>() {
        use crate::policy::Cfg;
        use crate::raw::RawTree;
        use crate::raw::navigate::Pos;
        type Narrow<A> = RawTree<String, Vec<u32>, Cfg<Compact16, A, 4>>;
        type Wide<A> = RawTree<String, Vec<u32>, Cfg<Wide32, A, 4>>;

        let n: u32 = if cfg!(miri) { 90 } else { 900 };
        let mut tree = Narrow::<A>::from_sorted((0..n).map(|i| (key(i), alloc::vec![i]))).unwrap();
        for i in (0..n).step_by(3) {
            let mut path = crate::raw::Path::new();
            let k = key(i);
            let leaf = tree.descend(&k, &mut path);
            // SAFETY: the path and leaf were just recorded by a descent.
            unsafe {
                let at = tree.leaf(leaf).keys().binary_search(&k).unwrap();
                tree.remove_at(&path, leaf, at);
            }
        }
        tree.check().unwrap();
        let expect: Vec<(String, Vec<u32>)> = (0..n)
            .filter(|i| i % 3 != 0)
            .map(|i| (key(i), alloc::vec![i]))
            .collect();
        let follow = tree.edge_leaf(true);
        // SAFETY: the last leaf is live.
        let follow_len = unsafe { tree.leaf(follow) }.len();

        let (wide, followed): (Wide<A>, _) = tree.transcode(follow);
        wide.check().unwrap();
        assert_eq!(wide.len, expect.len());
        assert_eq!(wide.edge_leaf(true), followed);
        // SAFETY: the transcode names the moved leaf, live.
        assert_eq!(unsafe { wide.leaf(followed) }.len(), follow_len);

        let (back, _): (Narrow<A>, _) = wide.transcode(Wide32::NIL);
        back.check().unwrap();
        let (mut got, mut h) = (Vec::new(), back.edge_leaf(false));
        while !h.is_nil() {
            // SAFETY: the first leaf and the `next` links are live, and
            // nothing borrows the tree mutably.
            let (leaf, keys, vals) = unsafe {
                let leaf = LeafChain::leaf(&back, h);
                (leaf, leaf.keys(), leaf.vals())
            };
            got.extend(keys.iter().cloned().zip(vals.iter().cloned()));
            h = leaf.next;
        }
        assert_eq!(got, expect);
        let first = Pos {
            leaf: back.edge_leaf(false),
            idx: 0,
        };
        // SAFETY: the first leaf is live.
        assert_eq!(unsafe { back.normalize(first) }, first);
    }

    #[test]
    fn transcode_moves_every_node() {
        transcode_both_ways::<VecArena<Boxed>>();
        transcode_both_ways::<PoolArena<Inline>>();
        transcode_both_ways::<Indirect<VecArena<Inline>>>();
        transcode_both_ways::<MaskedArena<Growing>>();
    }
}
