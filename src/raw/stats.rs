//! Memory accounting: what a tree holds on the heap, and how full it is.

use super::Core;
use super::RawTree;
use super::map::{PlaceOf, RawMap, View, WidePlaceOf};
use super::view::LeafChain;
use crate::policy::Place;
use crate::policy::{Config, Handle};

/// Where a map's memory goes: [`BPlusTreeMap::memory_usage`](crate::BPlusTreeMap::memory_usage).
///
/// `heap_bytes` counts what the map asked the allocator for, spare capacity
/// included (arena slots not in use, `Vec` slack), so it matches a counting
/// global allocator; it does not count heap memory owned by the keys and
/// values themselves (a `String`'s buffer, say).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct MemoryUsage {
    /// `size_of` the map itself.
    pub stack_bytes: usize,
    /// Bytes the map holds on the heap: arenas (spare slots included) and
    /// per-node buffers.
    pub heap_bytes: usize,
    /// Live heap allocations the map holds.
    pub allocations: usize,
    /// Whether the map is a small sorted run rather than a tree (see
    /// [`BPlusTreeMap::RUN_MAX`](crate::BPlusTreeMap::RUN_MAX)); a run has no
    /// leaves or branches.
    pub small_run: bool,
    /// Bits per node handle in the tree now: 16 or 32 (with
    /// [`Adaptive`](crate::Adaptive) handles, 16 until the tree outgrows
    /// them); 0 for a small run, which has no nodes.
    pub handle_bits: u32,
    /// Leaves in the tree.
    pub leaves: usize,
    /// Branches in the tree.
    pub branches: usize,
    /// Entries per leaf over the node capacity, averaged over the leaves
    /// (0 for an empty map).
    pub leaf_fill: f64,
}

impl MemoryUsage {
    /// Stack and heap bytes together.
    pub fn total_bytes(&self) -> usize {
        self.stack_bytes + self.heap_bytes
    }
}

impl<K, V, C: Config> RawTree<K, V, C> {
    pub(crate) fn memory_usage(&self, stack_bytes: usize) -> MemoryUsage {
        let mut usage = MemoryUsage {
            stack_bytes,
            handle_bits: (size_of::<C::H>() * 8) as u32,
            ..MemoryUsage::default()
        };
        for arena in self.arena_usage() {
            usage.heap_bytes += arena.heap_bytes;
            usage.allocations += arena.allocations;
        }
        let mut h = self.edge_leaf(false);
        while !h.is_nil() {
            // SAFETY: `h` is the first leaf (from `first_leaf`, read from
            // the tree's links) or the previous leaf's `next`.
            let leaf = unsafe { self.leaf(h) };
            let (bytes, allocations) = leaf.heap();
            usage.heap_bytes += bytes;
            usage.allocations += allocations;
            usage.leaves += 1;
            h = leaf.next;
        }
        if self.height > 0 {
            // SAFETY: the root is live by the tree invariant, and a branch
            // as `height > 0`.
            unsafe { self.branch_usage(self.root, self.height, &mut usage) };
        }
        if usage.leaves > 0 {
            usage.leaf_fill = self.len as f64 / (usage.leaves * C::CAP) as f64;
        }
        usage
    }

    /// Add up branch `h` and the branches below it, `height` levels above
    /// the leaves.
    ///
    /// # Safety
    /// `h` names a live branch of this tree, `height >= 1` levels above the
    /// leaves.
    unsafe fn branch_usage(&self, h: C::H, height: u8, usage: &mut MemoryUsage) {
        // SAFETY: `h` is a live branch (caller's contract).
        let b = unsafe { self.branch(h) };
        let (bytes, allocations) = b.heap();
        usage.heap_bytes += bytes;
        usage.allocations += allocations;
        usage.branches += 1;
        if height > 1 {
            for i in 0..=b.len() {
                // SAFETY: the child was just read from live branch `h`'s
                // children and, as `height > 1`, is a branch.
                unsafe { self.branch_usage(b.child(i), height - 1, usage) };
            }
        }
    }
}

impl<K, V, C: Config> RawMap<K, V, C> {
    /// Where the map's memory goes.
    pub(crate) fn memory_usage(&self, stack_bytes: usize) -> MemoryUsage {
        /// A tree's usage, its boxed state included.
        fn tree<K, V, X: Config>(
            t: &RawTree<K, V, X>,
            boxed: bool,
            stack_bytes: usize,
        ) -> MemoryUsage {
            let mut usage = t.memory_usage(stack_bytes);
            if boxed {
                usage.heap_bytes += size_of::<Core<X>>();
                usage.allocations += 1;
            }
            usage
        }
        match self.view() {
            View::Run(run) => {
                let (heap_bytes, allocations) = run.heap();
                MemoryUsage {
                    stack_bytes,
                    heap_bytes,
                    allocations,
                    small_run: true,
                    ..MemoryUsage::default()
                }
            }
            View::Narrow(t) => tree(t, <PlaceOf<C::Narrow> as Place<_>>::BOXED, stack_bytes),
            View::Wide(t) => tree(t, <WidePlaceOf<C> as Place<_>>::BOXED, stack_bytes),
        }
    }
}
