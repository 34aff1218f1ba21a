//! # bptree
//!
//! A B+ tree ordered map and set whose memory layout is chosen by types: a
//! drop-in for [`BTreeMap`](alloc::collections::BTreeMap) that can be made
//! smaller or faster by naming a configuration.
//!
//! ```
//! use bptree::BPlusTreeMap;
//!
//! let mut map = BPlusTreeMap::new();
//! map.insert(3, "c");
//! map.insert(1, "a");
//! map.insert(2, "b");
//! assert_eq!(map.range(2..).map(|(k, _)| *k).collect::<Vec<_>>(), [2, 3]);
//! assert_eq!(format!("{map:?}"), r#"{1: "a", 2: "b", 3: "c"}"#);
//! ```
//!
//! ## Configurations
//!
//! `BPlusTreeMap<K, V, H, A, CAP>`: every parameter after `V` has a default.
//!
//! | parameter | meaning | choices |
//! |---|---|---|
//! | `H` | node handle width | [`Wide32`] (default), [`Compact16`], [`Adaptive`] (16-bit until the tree outgrows them, then 32) |
//! | `A` | arena strategy, with node storage as its parameter | [`VecArena`], [`PoolArena`], [`policy::MaskedArena`]; storage [`policy::Inline`] (default), [`policy::Boxed`], [`policy::Growing`]; wrapped in [`policy::Indirect`] (the tree behind one pointer: a 16-byte map; the default is `Indirect<VecArena>`), [`policy::Counted`] (order statistics) or [`policy::Prefixed`] (byte-string keys searched by prefixes kept in the nodes) |
//! | `CAP` | entries per node | 4 to 4096, default 64; checked at compile time |
//!
//! The seed memory plan's phases are named in [`phase`].
//!
//! ## Features
//!
//! * `std` (default): [`archive::save`] and [`archive::load`] (with
//!   `rkyv`). The crate is
//!   `#![no_std]` with `alloc` otherwise; its errors implement
//!   `core::error::Error`.
//! * `rkyv` (off): the zero-copy archive, [`archive`] (`no_std` + `alloc`).
//! * `mmap` (off; implies `rkyv` and `std`): [`archive::open`] maps archive
//!   files (an `unsafe fn`: a mapped file must not change), through the
//!   `memmap2` crate.
//! * `serde` (off): `Serialize`/`Deserialize`, see below.
//! * `derive` (default): `#[derive(TreeConfig)]`, from the `bptree-derive`
//!   proc-macro crate (and through it `syn`, `quote` and `proc-macro2`).
//!   Without it bptree has no dependencies; the trait and the crate's own
//!   configurations in [`config`] are there either way. Examples in these
//!   docs that declare a configuration assume it.
//!
//! ## Layout
//!
//! Entries live only in leaves, linked in key order both ways; branches hold
//! separator keys (clones of keys, hence `K: Clone` for the operations that
//! reshape the tree) and child handles. Nodes live in two arenas, one for
//! leaves and one for branches, and are named by 16- or 32-bit handles, so a
//! branch of `Compact16` handles spends 2 bytes per child, not 8.
//!
//! ## Invariants
//!
//! [`BPlusTreeMap::check_invariants`] proves them: keys strictly ascending
//! within and across nodes; each separator is at most every key to its right
//! and above every key to its left; every node holds at most `CAP` entries
//! and every non-root node at least `CAP / 2`, except the first and last
//! node of each level, which hold at least one; all leaves at one depth; the
//! leaf chain visits every leaf once in order, both ways; `len` counts the
//! entries; every arena slot is reachable exactly once or free.
//!
//! ## Serde
//!
//! With the `serde` feature (off by default; `no_std` + `alloc` like the
//! rest of the crate), [`BPlusTreeMap`] and [`BPlusTreeSet`] implement
//! `Serialize` and `Deserialize` in every configuration, exactly as std's
//! `BTreeMap` and `BTreeSet` do: a map is a serde map of its entries in key
//! order, a set a sequence, so the serialized bytes are std's and either
//! type reads the other's. Deserializing inserts entry by entry (the last
//! value of a repeated key wins) and never preallocates from the input's
//! size hint; a [`Compact16`] tree that runs out of node handles (or a map
//! with counts past `u32::MAX` entries) is a serde error rather than a
//! panic.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use bptree::BPlusTreeMap;
//!
//! let map = BPlusTreeMap::from([(2u64, "b"), (1, "a")]);
//! let json = serde_json::to_string(&map).unwrap();
//! assert_eq!(json, r#"{"1":"a","2":"b"}"#);
//! let back: BPlusTreeMap<u64, String> = serde_json::from_str(&json).unwrap();
//! assert_eq!(back[&2], "b");
//! # }
//! ```
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(all(feature = "std", not(test)))]
extern crate std;

#[cfg(feature = "rkyv")]
#[cfg_attr(docsrs, doc(cfg(feature = "rkyv")))]
pub mod archive;
pub mod config;
mod error;
pub mod map;
mod node;
pub mod phase;
pub mod policy;
mod raw;
#[cfg(feature = "serde")]
mod serde;
pub mod set;

pub use config::TreeConfig;
pub use error::{CapacityError, InsertError, InvariantError};
pub use map::BPlusTreeMap;
pub use policy::{Adaptive, Compact16, PoolArena, VecArena, Wide32};
pub use raw::stats::MemoryUsage;
pub use set::BPlusTreeSet;

/// Derives [`TreeConfig`](trait@TreeConfig) for a marker type; the keys of
/// its `#[tree(..)]` attribute are documented on the trait. Needs the
/// `derive` feature (on by default), which adds the `bptree-derive`
/// proc-macro crate and with it `syn`, `quote` and `proc-macro2`.
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use bptree_derive::TreeConfig;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
