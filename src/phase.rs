//! The crate's memory layouts, from a baseline to the most compact, as map
//! types you can name, benchmark side by side and implement your own
//! traits for.
//!
//! | alias | what it changes | handles | arena | node storage | `size_of` (u64 keys) |
//! |---|---|---|---|---|---|
//! | [`Phase0`] | the baseline: 32-bit handles, a masked arena, growing vectors | [`Wide32`] | [`MaskedArena`]: `Vec` + `Vec<usize>` free list + `Vec<bool>` mask + generation | [`Growing`] `Vec`s | 176 |
//! | [`Phase1`] | packed handles, the free list threaded through free slots, no per-node capacity field | [`Wide32`] | [`VecArena`] | [`Growing`] | 72 |
//! | [`Phase2`] | fixed `Box<[T]>` node storage; maps of up to 256 entries kept as one sorted run | [`Wide32`] | [`VecArena`] | [`Boxed`] | 72 |
//! | [`Phase3`] | 16-bit handles (32-bit once the tree outgrows them); a pool of 64-slot chunks with a free bitmap, holding the nodes with their arrays inline | [`Adaptive`] | [`PoolArena`] | [`Inline`] | 64 |
//! | [`Compact`] | least memory: the tree behind one pointer, runs up to 2,048 entries, 128 entries per node | [`Adaptive`] | [`Indirect`]`<`[`VecArena`]`, 16>` | [`Boxed`] | 24 |
//! | [`Indexed`] | order statistics (`get_index`, `rank`, range lengths in `O(log n)`): the default layout with counts in branches | [`Wide32`] | [`Counted`]`<`[`Indirect`]`<`[`VecArena`]`>>` | [`Inline`] | 16 |
//! | [`Prefixed`] | byte-string keys (`String`, `&str`, `Vec<u8>`): the default layout whose nodes keep 8 bytes of each key beside it | [`Wide32`] | [`policy::Prefixed`]`<`[`Indirect`]`<`[`VecArena`]`>>` | [`Inline`] | 16 |
//!
//! Each phase keeps what the one before it changed. The four phases hold 64
//! entries per node, so they differ only in layout.
//!
//! The one-sorted-run representation of small maps comes with [`Inline`]
//! and [`Boxed`] storage, so Phase 2 and later have it and Phases 0 and 1
//! (growing `Vec`s) do not. Packed handles carry no leaf flag (leaves and
//! branches are told apart by depth), so a [`Wide32`] handle is 4 bytes.
//! [`Adaptive`] handles choose one width for the whole tree, 16 bits while
//! it fits them and 32 once it outgrows them, rather than making every
//! handle an enum wider than either.
//!
//! Phase 0 is 176 bytes: two 80-byte arenas (three `Vec`s and a generation
//! each) beside the root handle, height and length.
//!
//! ```
//! use bptree::phase::{Phase0, Phase3};
//! let mut m: Phase3<u64, u64> = Phase3::empty();
//! m.insert(1, 1);
//! assert!(size_of::<Phase3<u64, u64>>() < size_of::<Phase0<u64, u64>>());
//! ```
//!
//! # Plain aliases
//!
//! Each alias names a concrete [`BPlusTreeMap`], the map of the
//! configuration of the same name in [`config`] (for generic code over
//! configurations, see there). The five are distinct types, none of them
//! `BPlusTreeMap<K, V>` itself (the map of [`config::Standard`]), so a trait
//! can be implemented for each beside `BTreeMap`:
//!
//! ```
//! use std::collections::BTreeMap;
//! use bptree::phase::{Compact, Phase3};
//!
//! trait Describe {
//!     fn describe(&self) -> &'static str;
//! }
//! impl Describe for BTreeMap<u64, u64> {
//!     fn describe(&self) -> &'static str { "std" }
//! }
//! impl Describe for Phase3<u64, u64> {
//!     fn describe(&self) -> &'static str { "phase 3" }
//! }
//! impl Describe for Compact<u64, u64> {
//!     fn describe(&self) -> &'static str { "compact" }
//! }
//!
//! assert_eq!(Compact::<u64, u64>::empty().describe(), "compact");
//! ```

#![forbid(unsafe_code)]

use crate::BPlusTreeMap;
use crate::policy;
#[cfg(doc)]
use crate::policy::Inline;
use crate::policy::{
    Adaptive, Boxed, Counted, Growing, Indirect, MaskedArena, PoolArena, VecArena, Wide32,
};
#[cfg(doc)]
use crate::{TreeConfig, config};

// The phases' capacity is 64, the default, written out in each alias: the
// aliases must name exactly the parameters of `config::Phase0..Phase3`
// (`tests/aliases.rs` compares them with `TreeConfig::Map`).

/// The baseline: 32-bit handles, a masked arena, growing vectors; the map
/// of [`config::Phase0`].
pub type Phase0<K, V> = BPlusTreeMap<K, V, Wide32, MaskedArena<Growing>, 64>;
/// Phase 0 with packed handles and the free-list arena; the map of
/// [`config::Phase1`].
pub type Phase1<K, V> = BPlusTreeMap<K, V, Wide32, VecArena<Growing>, 64>;
/// Phase 1 with fixed, exactly-sized boxed node arrays (and small maps as
/// one sorted run); the map of [`config::Phase2`].
pub type Phase2<K, V> = BPlusTreeMap<K, V, Wide32, VecArena<Boxed>, 64>;
/// Phase 2 with 16-bit handles (32-bit once the tree outgrows them) and the
/// pool arena, node arrays inline; the map of [`config::Phase3`].
pub type Phase3<K, V> = BPlusTreeMap<K, V, Adaptive, PoolArena, 64>;

/// Least memory: 24 bytes, nothing allocated while empty, one sorted run up
/// to 2,048 entries, and never more bytes than `BTreeMap` for the same
/// entries; the map of [`config::Compact`].
pub type Compact<K, V> = BPlusTreeMap<K, V, Adaptive, Indirect<VecArena<Boxed>, 16>, 128>;

/// Order statistics: the default layout whose branches count the entries
/// below each child, so that [`get_index`](BPlusTreeMap::get_index),
/// [`rank`](BPlusTreeMap::rank) and range lengths take `O(log n)`; the
/// map of [`config::Indexed`].
///
/// ```
/// use bptree::phase::Indexed;
/// let scores: Indexed<(u32, u32), &str> =
///     [((90, 1), "ann"), ((75, 2), "bob"), ((82, 3), "cy")].into_iter().collect();
/// // The median and the second best.
/// assert_eq!(scores.get_index(scores.len() / 2), Some((&(82, 3), &"cy")));
/// assert_eq!(scores.get_index(scores.len() - 2).map(|(_, n)| *n), Some("cy"));
/// // How many scored below 85.
/// assert_eq!(scores.rank(&(85, 0)), 2);
/// ```
pub type Indexed<K, V> = BPlusTreeMap<K, V, Wide32, Counted<Indirect<VecArena>>, 64>;

/// The set of [`Indexed`]: [`get_index`](crate::BPlusTreeSet::get_index) and
/// [`rank`](crate::BPlusTreeSet::rank) in `O(log n)`; the set of
/// [`config::Indexed`].
///
/// ```
/// use bptree::phase::IndexedSet;
/// let s: IndexedSet<&str> = ["pear", "fig", "apple"].into_iter().collect();
/// assert_eq!(s.get_index(1), Some(&"fig"));
/// assert_eq!(s.rank("banana"), 1);
/// ```
pub type IndexedSet<T> = crate::BPlusTreeSet<T, Wide32, Counted<Indirect<VecArena>>, 64>;

/// Byte-string keys: the default layout whose nodes keep, beside their
/// keys, the bytes the node's keys share and the next 8 bytes of each, so
/// that a lookup reads about one key's bytes instead of one per probe; the
/// map of [`config::Prefixed`] (see [`policy::Prefixed`]).
///
/// ```
/// use bptree::phase::Prefixed;
/// let mut users: Prefixed<String, u32> = Prefixed::empty();
/// for id in 0..1000u32 {
///     users.insert(format!("user:{id:012}"), id);
/// }
/// assert_eq!(users.get("user:000000000777"), Some(&777));
/// assert_eq!(users.range("user:000000000990".to_string()..).count(), 10);
/// ```
pub type Prefixed<K, V> = BPlusTreeMap<K, V, Wide32, policy::Prefixed<Indirect<VecArena>>, 64>;

/// The set of [`Prefixed`]: byte-string elements searched by their
/// prefixes; the set of [`config::Prefixed`].
///
/// ```
/// use bptree::phase::PrefixedSet;
/// let words: PrefixedSet<&str> = ["pear", "fig", "apple"].into_iter().collect();
/// assert!(words.contains("fig"));
/// assert_eq!(words.first(), Some(&"apple"));
/// ```
pub type PrefixedSet<T> = crate::BPlusTreeSet<T, Wide32, policy::Prefixed<Indirect<VecArena>>, 64>;

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
        // The default layout and the two built on it: a run's pointer and
        // two `u16`s, or the tree's pointer (`BTreeMap` is 24).
        assert_eq!(size_of::<BPlusTreeMap<u64, u64>>(), 16);
        assert_eq!(size_of::<Indexed<u64, u64>>(), 16);
        assert_eq!(size_of::<Prefixed<String, u64>>(), 16);
        assert_eq!(size_of::<crate::BPlusTreeSet<u64>>(), 16);
    }
}
