//! The seed memory plan (`memory-optimization-plan.md`), phase by phase, as
//! configurations you can benchmark side by side.
//!
//! | alias | plan step | handles | arena | node storage | `size_of` (u64 keys) |
//! |---|---|---|---|---|---|
//! | [`Phase0`] | the "current" baseline | [`Wide32`] | [`MaskedArena`]: `Vec` + `Vec<usize>` free list + `Vec<bool>` mask + generation | [`Growing`] `Vec`s | 176 |
//! | [`Phase1`] | 1.1 packed handles, 1.2 free list threaded through free slots, 1.3 no per-node capacity | [`Wide32`] | [`VecArena`] | [`Growing`] | 72 |
//! | [`Phase2`] | 2.1 fixed `Box<[T]>` node storage, 2.2 small maps as one sorted run (up to 64 entries) | [`Wide32`] | [`VecArena`] | [`Boxed`] | 72 |
//! | [`Phase3`] | 3.1 16-bit handles (32-bit once the tree outgrows them), 3.2 pool of 64-slot chunks with a free bitmap, holding the nodes with their arrays inline | [`Adaptive`] | [`PoolArena`] | [`Inline`] | 64 |
//! | [`Compact`] | beyond the plan: least memory: the tree behind one pointer, runs up to 2,048 entries, 128 entries per node | [`Adaptive`] | [`Indirect`]`<`[`VecArena`]`>` | [`Boxed`] | 24 |
//!
//! The small-tree representation (step 2.2) comes with [`Inline`] and
//! [`Boxed`] storage, so Phase 2 and later have it and Phases 0 and 1 (the
//! seed's growing `Vec`s) do not, as in the plan. The packed handles of step
//! 1.1 are better than planned: handles carry no leaf flag at all (leaves and
//! branches are told apart by depth), so `Wide32` is 4 bytes, not 8. Step
//! 3.1's `enum NodeId { Small(u16), Large(u32) }` would make every handle
//! wider than either; [`Adaptive`] instead chooses the width for the whole
//! tree: 16 bits while it fits them, 32 once it outgrows them.
//!
//! Phase 0 measures what the seed measured: two 80-byte arenas (three `Vec`s
//! and a generation each) beside the root handle, height and length.
//!
//! ```
//! use bptree::phase::{Phase0, Phase3};
//! let mut m: Phase3<u64, u64> = Phase3::empty();
//! m.insert(1, 1);
//! assert!(size_of::<Phase3<u64, u64>>() < size_of::<Phase0<u64, u64>>());
//! ```

use crate::TreeConfig;
use crate::config;
#[cfg(doc)]
use crate::policy::{
    Adaptive, Boxed, Growing, Indirect, Inline, MaskedArena, PoolArena, VecArena, Wide32,
};

/// The node capacity the seed's implementation used, kept by every phase so
/// that phases differ only in what the plan changes.
pub const PLAN_CAP: usize = 64;

/// The seed's baseline: 32-bit handles, the masked arena, growing `Vec`s
/// (the map of [`config::Phase0`]).
pub type Phase0<K, V> = <config::Phase0 as TreeConfig>::Map<K, V>;
/// Plan phase 1: packed handles and the free-list arena (the map of
/// [`config::Phase1`]).
pub type Phase1<K, V> = <config::Phase1 as TreeConfig>::Map<K, V>;
/// Plan phase 2: phase 1 with fixed, exactly-sized boxed node arrays (the
/// map of [`config::Phase2`]).
pub type Phase2<K, V> = <config::Phase2 as TreeConfig>::Map<K, V>;
/// Plan phase 3: phase 2 with 16-bit handles (32-bit once the tree
/// outgrows them) and the pool arena (the map of [`config::Phase3`]).
pub type Phase3<K, V> = <config::Phase3 as TreeConfig>::Map<K, V>;

/// Least memory (the map of [`config::Compact`]): 24 bytes, nothing
/// allocated while empty, one sorted run up to 2,048 entries, and never more
/// bytes than `BTreeMap` for the same entries.
pub type Compact<K, V> = <config::Compact as TreeConfig>::Map<K, V>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_sizes_are_pinned() {
        assert_eq!(size_of::<Phase0<u64, u64>>(), 176);
        assert_eq!(size_of::<Phase1<u64, u64>>(), 72);
        assert_eq!(size_of::<Phase2<u64, u64>>(), 72);
        assert_eq!(size_of::<Phase3<u64, u64>>(), 64);
        assert!(size_of::<Phase1<u64, u64>>() <= 96);
        assert!(size_of::<Phase2<u64, u64>>() <= 72);
        assert!(size_of::<Phase3<u64, u64>>() <= 64);
        assert_eq!(size_of::<Compact<u64, u64>>(), 24);
        // The stack part does not depend on the key and value types.
        assert_eq!(
            size_of::<Phase3<String, Vec<u8>>>(),
            size_of::<Phase3<u8, ()>>()
        );
        assert_eq!(size_of::<Compact<String, Vec<u8>>>(), 24);
    }
}
