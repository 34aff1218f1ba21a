//! Serde support (the `serde` feature, off by default): [`Serialize`] and
//! [`Deserialize`] for [`BPlusTreeMap`] and [`BPlusTreeSet`] in every
//! configuration, in the same data model as std's `BTreeMap` and `BTreeSet`.
//!
//! A map serializes as a serde map of its entries in key order, with an
//! exact length; a set as a sequence of its elements in order. So the bytes
//! are those of the `BTreeMap` or `BTreeSet` with the same contents, and
//! either can be read back as the other.
//!
//! Deserializing inserts the entries one by one, as std does: on a repeated
//! key the map keeps the last value, and the set the first element. Nothing
//! is preallocated from the input's size hint. Where `insert` would panic
//! because a [`Compact16`](crate::Compact16) tree ran out of node handles,
//! or a map with counts ([`Counted`](crate::policy::Counted)) holds
//! `u32::MAX` entries, deserializing returns the
//! [`CapacityError`](crate::CapacityError) as a serde error instead.
//!
//! ```
//! use bptree::{BPlusTreeMap, BPlusTreeSet};
//! use std::collections::BTreeMap;
//!
//! let map = BPlusTreeMap::from([(2u64, "two".to_string()), (1, "one".to_string())]);
//! let json = serde_json::to_string(&map).unwrap();
//! assert_eq!(json, r#"{"1":"one","2":"two"}"#);
//! // The same text as std's map, and it reads back as either.
//! let std_map: BTreeMap<u64, String> = serde_json::from_str(&json).unwrap();
//! assert_eq!(json, serde_json::to_string(&std_map).unwrap());
//! let back: BPlusTreeMap<u64, String> = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, map);
//!
//! let set: BPlusTreeSet<&str> = ["b", "a"].into();
//! assert_eq!(serde_json::to_string(&set).unwrap(), r#"["a","b"]"#);
//! ```

#![forbid(unsafe_code)]

use core::fmt;
use core::marker::PhantomData;

use ::serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use ::serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::map::BPlusTreeMap;
use crate::policy::{ArenaStrategy, Handle};
use crate::set::BPlusTreeSet;

impl<K: Serialize, V: Serialize, H: Handle, A: ArenaStrategy, const CAP: usize> Serialize
    for BPlusTreeMap<K, V, H, A, CAP>
{
    /// A map of `len()` entries, in key order.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<T: Serialize, H: Handle, A: ArenaStrategy, const CAP: usize> Serialize
    for BPlusTreeSet<T, H, A, CAP>
{
    /// A sequence of `len()` elements, in order.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for element in self {
            seq.serialize_element(element)?;
        }
        seq.end()
    }
}

/// Builds a map `M` from a serde map, one entry at a time.
struct MapVisitor<M>(PhantomData<fn() -> M>);

impl<'de, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Visitor<'de>
    for MapVisitor<BPlusTreeMap<K, V, H, A, CAP>>
where
    K: Deserialize<'de> + Ord + Clone,
    V: Deserialize<'de>,
{
    type Value = BPlusTreeMap<K, V, H, A, CAP>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a map")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut access: M) -> Result<Self::Value, M::Error> {
        // No preallocation from `access.size_hint()`: the input is untrusted,
        // and the tree grows node by node anyway.
        let mut map = BPlusTreeMap::empty();
        while let Some((key, value)) = access.next_entry()? {
            // A repeated key replaces the value: the last one wins, as in std.
            map.checked_insert(key, value).map_err(M::Error::custom)?;
        }
        Ok(map)
    }
}

impl<'de, K, V, H: Handle, A: ArenaStrategy, const CAP: usize> Deserialize<'de>
    for BPlusTreeMap<K, V, H, A, CAP>
where
    K: Deserialize<'de> + Ord + Clone,
    V: Deserialize<'de>,
{
    /// Reads a map, inserting its entries in input order (the last value of
    /// a repeated key wins). A tree that runs out of node handles (only
    /// [`Compact16`](crate::Compact16) can), or a map with counts past
    /// `u32::MAX` entries, is an error, not a panic.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// Builds a set `S` from a serde sequence, one element at a time.
struct SetVisitor<S>(PhantomData<fn() -> S>);

impl<'de, T, H: Handle, A: ArenaStrategy, const CAP: usize> Visitor<'de>
    for SetVisitor<BPlusTreeSet<T, H, A, CAP>>
where
    T: Deserialize<'de> + Ord + Clone,
{
    type Value = BPlusTreeSet<T, H, A, CAP>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a sequence")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut access: S) -> Result<Self::Value, S::Error> {
        // No preallocation from `access.size_hint()` (untrusted).
        let mut set = BPlusTreeSet::empty();
        while let Some(element) = access.next_element()? {
            // A repeated element is dropped: the first one stays, as in std.
            set.checked_insert(element).map_err(S::Error::custom)?;
        }
        Ok(set)
    }
}

impl<'de, T, H: Handle, A: ArenaStrategy, const CAP: usize> Deserialize<'de>
    for BPlusTreeSet<T, H, A, CAP>
where
    T: Deserialize<'de> + Ord + Clone,
{
    /// Reads a sequence, inserting its elements in input order (of equal
    /// elements the first is kept). A tree that runs out of node handles
    /// (only [`Compact16`](crate::Compact16) can), or a set with counts past
    /// `u32::MAX` elements, is an error, not a panic.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}
