//! The policies a configuration chooses: handle width, arena strategy, node
//! storage and capacity.
//!
//! | parameter | choices | default |
//! |---|---|---|
//! | `H`: handle width | [`Compact16`] (u16), [`Wide32`] (u32), [`Adaptive`] (u16, u32 once the tree outgrows them) | [`Wide32`] |
//! | `A`: arena strategy | [`VecArena`], [`PoolArena`], [`MaskedArena`], each optionally wrapped in [`Indirect`] | [`VecArena`] |
//! | storage (the arena's parameter) | [`Inline`], [`Boxed`], [`Growing`] | [`Inline`] |
//! | `CAP`: entries per node | [`MIN_CAP`]`..=`[`MAX_CAP`] | 64 |
//!
//! Node storage is an associated choice of the arena strategy
//! (`PoolArena<Boxed>`), not another positional parameter: every arena
//! accepts every storage, the common case needs no mention of it, and
//! `BPlusTreeMap<K, V, Compact16, PoolArena, 32>` reads as users write it.
//!
//! [`Indirect`] wraps any arena strategy to move the tree's state behind one
//! heap pointer: the map shrinks to 16 bytes (24 with `Adaptive` handles;
//! `BTreeMap` is 24). The default configuration's arena is
//! `Indirect<VecArena>`; `Indirect<VecArena<Boxed>, 16>`, whose small maps
//! stay sorted runs of up to 16 leaves' worth, is the [`Compact`]
//! configuration's.
//!
//! [`Compact`]: crate::config::Compact
//!
//! Inside the crate the four choices travel as one configuration type, so
//! node, search and navigation code carries a single generic parameter.
//!
//! # The engine stays inside
//!
//! Only what a configuration names is public. The traits above are sealed:
//! they can be named in bounds, but not implemented outside the crate.
//! The arenas' raw slot stores, node buffers and the folded configuration
//! are the engine's and cannot be reached from outside, so no safe code can
//! touch a node's memory:
//!
//! ```compile_fail
//! use bptree::policy::RawArena; // private: the arenas' slot interface
//! ```
//!
//! ```compile_fail
//! use bptree::policy::VecRaw; // private: the raw form of `VecArena`
//! ```
//!
//! ```compile_fail
//! use bptree::policy::PoolRaw; // private: the raw form of `PoolArena`
//! ```
//!
//! ```compile_fail
//! use bptree::policy::{Buf, BoxedBuf, GrowingBuf}; // private: node buffers
//! ```
//!
//! ```compile_fail
//! use bptree::policy::{Cfg, Config}; // private: the folded configuration
//! ```
//!
//! ```compile_fail
//! use bptree::policy::{Direct, Place}; // private: where a tree's state lives
//! ```

mod arena;
mod counts;
mod handle;
mod prefixed;
mod storage;

pub use arena::{ArenaStrategy, Indirect, MaskedArena, POOL_CHUNK, PoolArena, VecArena};
pub use counts::{Counted, OrderStatistics};
pub use handle::{Adaptive, Compact16, Handle, Wide32};
pub use prefixed::{IMAGE_BYTES, KeyImage, KeyPrefix, Prefixed};
pub use storage::{Boxed, Growing, Inline, Storage};

// The engine's side of the policies: crate-internal, and unnameable outside
// the crate (the traits are `pub` only so that the public, sealed traits
// above may name them in their bounds).
pub(crate) use arena::{ArenaUsage, Place, RawArena};
pub(crate) use counts::Count;
pub(crate) use storage::Buf;

use core::marker::PhantomData;

/// The smallest node capacity: below 4 a split or merge cannot keep both
/// halves at least half full.
pub const MIN_CAP: usize = 4;
/// The largest node capacity: node lengths are stored as `u16`.
///
/// Capacities are checked when a map type is used, at compile time (by
/// `cargo build`; `cargo check` does not evaluate the check):
///
/// ```compile_fail
/// // A capacity below MIN_CAP is a compile error.
/// let _m = bptree::BPlusTreeMap::<u8, u8, bptree::Wide32, bptree::VecArena, 2>::empty();
/// ```
///
/// ```compile_fail
/// // So is one above MAX_CAP.
/// let _m = bptree::BPlusTreeMap::<u8, u8, bptree::Wide32, bptree::VecArena, 5000>::empty();
/// ```
///
/// Every constructor checks, not only `empty`: `new`, `Default`,
/// `FromIterator`, `From`, `from_sorted_iter`, `clone`, `split_off`, serde
/// and rkyv deserialization, and the set's (they all make their map
/// through the engine's two constructors, which evaluate the check).
///
/// ```compile_fail
/// let _m: bptree::BPlusTreeMap<u8, u8, bptree::Wide32, bptree::VecArena, 100_000> =
///     [(1, 1)].into_iter().collect();
/// ```
///
/// ```compile_fail
/// let _s: bptree::BPlusTreeSet<u8, bptree::Wide32, bptree::VecArena, 2> = Default::default();
/// ```
///
/// ```compile_fail
/// // And an `Indirect` arena whose small runs (16 leaves' worth of entries)
/// // would not fit a `u16` length: with `Indirect<_, 16>`, CAP is at most 4095.
/// use bptree::policy::Indirect;
/// let _m = bptree::BPlusTreeMap::<u8, u8, bptree::Wide32, Indirect<bptree::VecArena, 16>, 4096>::empty();
/// ```
///
/// ```
/// use bptree::policy::Indirect;
/// let _m = bptree::BPlusTreeMap::<u8, u8, bptree::Wide32, Indirect<bptree::VecArena, 16>, 4095>::empty();
/// let _m = bptree::BPlusTreeMap::<u8, u8, bptree::Wide32, Indirect, 4096>::empty();
/// let _m = bptree::BPlusTreeMap::<u8, u8, bptree::Wide32, bptree::VecArena, 4096>::empty();
/// ```
pub const MAX_CAP: usize = 4096;

/// A whole configuration folded into one type (internal to the engine).
pub(crate) trait Config: 'static {
    /// Handle width: the handle policy, whose handles name nodes in the
    /// engine's positions and paths.
    type H: Handle;
    /// The configuration of the tree a map builds: this one with the
    /// policy's [`Narrow`](Handle::Narrow) handles (itself for a fixed
    /// width).
    type Narrow: Config<A = Self::A, N = Self::N>;
    /// The configuration of a tree that outgrew `Narrow`'s handles: this one
    /// with the policy's [`Wide`](Handle::Wide) handles.
    type Wide: Config<A = Self::A, N = Self::N>;
    /// Arena strategy.
    type A: ArenaStrategy;
    /// The arena holding this configuration's nodes.
    type Arena: RawArena<Self::H>;
    /// A node buffer of `CAP` elements.
    type Buf<T>: Buf<T>;
    /// What a branch keeps beside each child: a count of the entries
    /// below it, or nothing.
    type N: Count;
    /// What a node keeps beside its keys: their prefixes, or nothing.
    type Pfx: crate::node::Block;
    /// Entries per node (keys per branch).
    const CAP: usize;
    /// The most entries a map keeps as a small sorted run instead of a
    /// tree: `CAP` times the arena's [`RUN_LEAVES`](ArenaStrategy::RUN_LEAVES),
    /// or 0 (no small runs) for [`Growing`] storage, the seed's per-node
    /// vectors, which Phases 0 and 1 reproduce as they were.
    const RUN_MAX: usize;
    /// The entries a run's first block holds (its arena's
    /// [`RUN_FIRST`](ArenaStrategy::RUN_FIRST)).
    const RUN_FIRST: usize;
    /// Evaluating this fails to compile for an invalid configuration.
    const CHECK: ();
}

/// The [`Config`] for handle width `H`, arena `A` and capacity `CAP`;
/// naming it checks `CAP` at compile time (see [`MAX_CAP`]).
pub(crate) struct Cfg<H, A, const CAP: usize>(PhantomData<fn() -> (H, A)>);

impl<H: Handle, A: ArenaStrategy, const CAP: usize> Config for Cfg<H, A, CAP> {
    type H = H;
    type Narrow = Cfg<H::Narrow, A, CAP>;
    type Wide = Cfg<H::Wide, A, CAP>;
    type A = A;
    type Arena = A::Raw<H>;
    type Buf<T> = <A::Storage as Storage>::Buf<T, CAP>;
    type N = A::Count;
    type Pfx = A::Block<CAP>;
    const CAP: usize = CAP;
    const RUN_MAX: usize = if <A::Storage as Storage>::FIXED {
        CAP * A::RUN_LEAVES
    } else {
        0
    };
    const RUN_FIRST: usize = A::RUN_FIRST;
    const CHECK: () = {
        assert!(CAP >= MIN_CAP, "bptree: CAP must be at least 4 (MIN_CAP)");
        assert!(CAP <= MAX_CAP, "bptree: CAP must be at most 4096 (MAX_CAP)");
        assert!(
            Self::RUN_MAX <= u16::MAX as usize,
            "bptree: a small run of RUN_MAX = CAP * RUN_LEAVES entries (Indirect<A, RUN_LEAVES>) \
             must fit a u16 length: CAP * RUN_LEAVES must be at most 65,535"
        );
    };
}
