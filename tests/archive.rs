//! The rkyv archive (`bptree::archive`, feature `rkyv`) against its
//! promises:
//!
//! - canonical bytes: every named configuration (`Standard`, `Phase0` to
//!   `Phase3`, `Compact`, and a deep `Compact16` / `VecArena` / 4 tree),
//!   filled in a shuffled order, writes the very same bytes for the same
//!   entries (`u64`, `String`, `Vec<u8>` and `(u32, String)` keys, sizes
//!   around every node and level boundary), and that archive deserializes
//!   into every configuration as an equal tree that passes
//!   `check_invariants`; the same for sets;
//! - a map and a set as fields of a user's derived struct;
//! - query parity of the archived map and set with `std::collections::
//!   BTreeMap` / `BTreeSet`: lookups, `Index`, every kind of range bound
//!   (with std's panics for inverted bounds, only when non-empty), the
//!   iterators both ways, `nth`, first/last, `len`, `Debug`; and lookups by
//!   native keys (`&u64`, `str`, `&String`, `&[u8]`, `&Vec<u8>`, tuples);
//! - in-place mutation through `get_seal`, `get_index_seal`, `range_seal`
//!   and `iter_seal` (with the sealed iterator's `nth`, `nth_back`,
//!   `count`, `last` and `skip`);
//! - a `Compact16` tree too big for its handles is an error on
//!   deserialization, not a panic (exactly 65,535 full leaves of 4 fit;
//!   `Adaptive` handles widen instead);
//! - more key types (signed and 128-bit integers, `char`, `bool`,
//!   `Option`, 3-tuples, a zero-sized key, unit values), and a key whose
//!   native order disagrees with the archived one (`NativeOrder` error);
//! - the file format: `save` / `open` / `open_unchecked`, and
//!   `to_file_bytes` / `from_file_bytes` in memory, with every header
//!   error (`TypeMismatch`, `WrongKind`, `Length`, `NotAnArchive`,
//!   `UnsupportedVersion`, `UnknownFlags`, `Misaligned`) and a corrupt
//!   body (files are skipped under Miri).
#![cfg(feature = "rkyv")]

mod common;

use std::any::type_name;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use bptree::archive::{
    ArchivedBPlusTreeMap, ArchivedBPlusTreeSet, FileError, HEADER_LEN, NativeOrd,
};
use bptree::config::{self, TreeConfig};
use bptree::policy::{ArenaStrategy, Handle};
use bptree::{BPlusTreeMap, BPlusTreeSet, Compact16, VecArena};
use common::{XorShift, quietly};
use rkyv::api::high::{HighDeserializer, HighSerializer, HighValidator};
use rkyv::bytecheck::CheckBytes;
use rkyv::rancor::BoxedError;
use rkyv::ser::allocator::ArenaHandle;
use rkyv::util::AlignedVec;
use rkyv::{Archive, Archived, Deserialize, Serialize};

/// The deep test configuration: 4 entries per node, 16-bit handles.
type Deep<K, V> = BPlusTreeMap<K, V, Compact16, VecArena, 4>;
/// The set of the deep configuration.
type DeepSet<T> = BPlusTreeSet<T, Compact16, VecArena, 4>;

/// Sizes around the node (16) and level (256) boundaries of the archive
/// layout, and multi-level trees in every configuration (under Miri one
/// archive level, 17, and 40: a tree of three levels at capacity 4).
const SIZES: &[usize] = if cfg!(miri) {
    &[0, 1, 17, 40]
} else {
    &[0, 1, 15, 16, 17, 255, 256, 257, 1000, 5000]
};

/// A key type the tests archive: ordered, archived to an ordered type that
/// compares with the native one, validated, deserialized.
trait Key:
    Ord
    + Clone
    + Debug
    + Archive<
        Archived: Ord
                      + Debug
                      + NativeOrd<Self>
                      + for<'a> CheckBytes<HighValidator<'a, BoxedError>>
                      + Deserialize<Self, HighDeserializer<BoxedError>>,
    > + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>
{
}

impl<T> Key for T where
    T: Ord
        + Clone
        + Debug
        + Archive<
            Archived: Ord
                          + Debug
                          + NativeOrd<T>
                          + for<'a> CheckBytes<HighValidator<'a, BoxedError>>
                          + Deserialize<T, HighDeserializer<BoxedError>>,
        > + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>
{
}

/// A value type the tests archive.
trait Val:
    Clone
    + Debug
    + PartialEq
    + Archive<
        Archived: PartialEq<Self>
                      + Debug
                      + for<'a> CheckBytes<HighValidator<'a, BoxedError>>
                      + Deserialize<Self, HighDeserializer<BoxedError>>,
    > + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>
{
}

impl<T> Val for T where
    T: Clone
        + Debug
        + PartialEq
        + Archive<
            Archived: PartialEq<T>
                          + Debug
                          + for<'a> CheckBytes<HighValidator<'a, BoxedError>>
                          + Deserialize<T, HighDeserializer<BoxedError>>,
        > + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>
{
}

type AMap<K, V> = ArchivedBPlusTreeMap<Archived<K>, Archived<V>>;
type ASet<T> = ArchivedBPlusTreeSet<Archived<T>>;

fn bytes_of<T>(value: &T) -> AlignedVec
where
    T: for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>,
{
    rkyv::to_bytes::<BoxedError>(value).unwrap()
}

fn access_map<K: Key, V: Val>(bytes: &[u8]) -> &AMap<K, V> {
    rkyv::access::<AMap<K, V>, BoxedError>(bytes).unwrap()
}

fn access_set<T: Key>(bytes: &[u8]) -> &ASet<T> {
    rkyv::access::<ASet<T>, BoxedError>(bytes).unwrap()
}

/// An archived entry equals a native one.
fn same_entry<K: Key, V: Val>(a: (&Archived<K>, &Archived<V>), s: (&K, &V)) -> bool {
    a.0.cmp_native(s.0) == Ordering::Equal && a.1 == s.1
}

fn same_key<K: Key>(a: &Archived<K>, s: &K) -> bool {
    a.cmp_native(s) == Ordering::Equal
}

// ---------------------------------------------------------------------------
// Key generators: strictly increasing in `j`
// ---------------------------------------------------------------------------

fn key_u64(j: u64) -> u64 {
    j * 3 + 1
}

fn key_string(j: u64) -> String {
    // Fixed-width digits keep string order = numeric order; the suffix
    // varies the length.
    format!("k{j:07}{}", "\u{e9}".repeat((j % 4) as usize))
}

fn key_bytes(j: u64) -> Vec<u8> {
    let mut v = j.to_be_bytes().to_vec();
    v.extend(0..(j % 5) as u8);
    v
}

fn key_tuple(j: u64) -> (u32, String) {
    ((j / 7) as u32, format!("{:03}", j % 7))
}

/// The `n` keys of a test, `key(2i + 1)`, with their values, in a shuffled
/// order; the probes `key(j)` for `j` in `0..=2n + 1` alternate absent and
/// present keys and reach below the least and above the greatest.
fn entries<K, V>(n: usize, seed: u64, key: fn(u64) -> K, val: fn(u64) -> V) -> Vec<(K, V)> {
    let mut ids: Vec<u64> = (0..n as u64).collect();
    XorShift::new(seed).shuffle(&mut ids);
    ids.into_iter().map(|i| (key(2 * i + 1), val(i))).collect()
}

/// Probe indices `j`: all of `0..=2n + 1` for small `n`, else the ends, the
/// node and level boundaries and a sample.
fn probe_ids(n: usize, dense_up_to: usize, sample: u64) -> Vec<u64> {
    let top = 2 * n as u64 + 1;
    if n <= dense_up_to {
        return (0..=top).collect();
    }
    let mut ids: BTreeSet<u64> = [0, 1, 2, 3, top - 2, top - 1, top].into();
    for b in [15u64, 16, 17, 255, 256, 257, 4095, 4096, 4097] {
        for j in [2 * b, 2 * b + 1, 2 * b + 2] {
            if j <= top {
                ids.insert(j);
            }
        }
    }
    let mut rng = XorShift::new(top);
    for _ in 0..sample {
        ids.insert(rng.below(top + 1));
    }
    ids.into_iter().collect()
}

// ---------------------------------------------------------------------------
// Every configuration
// ---------------------------------------------------------------------------

/// Calls `$f::<$t.., H, A, CAP>($args)` for every named configuration and
/// the deep `Compact16` / `VecArena` / 4 one.
macro_rules! each_config {
    ($f:ident::<$($t:ty),*>($($arg:expr),*)) => {{
        each_config!(@one $f [$($t),*] ($($arg),*) Standard);
        each_config!(@one $f [$($t),*] ($($arg),*) Phase0);
        each_config!(@one $f [$($t),*] ($($arg),*) Phase1);
        each_config!(@one $f [$($t),*] ($($arg),*) Phase2);
        each_config!(@one $f [$($t),*] ($($arg),*) Phase3);
        each_config!(@one $f [$($t),*] ($($arg),*) Compact);
        $f::<$($t,)* Compact16, VecArena, 4>($($arg),*);
    }};
    (@one $f:ident [$($t:ty),*] ($($arg:expr),*) $c:ident) => {
        $f::<
            $($t,)*
            <config::$c as TreeConfig>::Handle,
            <config::$c as TreeConfig>::Arena,
            { <config::$c as TreeConfig>::CAPACITY },
        >($($arg),*)
    };
}

/// One configuration, filled one insert at a time in `entries`' order,
/// writes exactly `reference`; `reference` deserializes into an equal,
/// valid tree of this configuration.
fn map_config<K: Key, V: Val, H: Handle, A: ArenaStrategy, const CAP: usize>(
    entries: &[(K, V)],
    reference: &[u8],
    std: &BTreeMap<K, V>,
) {
    let name = type_name::<BPlusTreeMap<K, V, H, A, CAP>>();
    let mut ours = BPlusTreeMap::<K, V, H, A, CAP>::empty();
    for (k, v) in entries {
        ours.insert(k.clone(), v.clone());
    }
    ours.check_invariants().unwrap();
    let bytes = bytes_of(&ours);
    assert!(
        bytes.as_slice() == reference,
        "{name}, n {}: the bytes differ from the Standard configuration's",
        entries.len()
    );
    let archived = access_map::<K, V>(reference);
    let back: BPlusTreeMap<K, V, H, A, CAP> = rkyv::deserialize::<_, BoxedError>(archived).unwrap();
    back.check_invariants()
        .unwrap_or_else(|e| panic!("{name}, n {}: {e:?}", entries.len()));
    assert!(back == ours, "{name}");
    assert_eq!(back.len(), std.len(), "{name}");
    assert!(back.iter().eq(std.iter()), "{name}");
}

fn set_config<T: Key, H: Handle, A: ArenaStrategy, const CAP: usize>(
    elements: &[T],
    reference: &[u8],
    std: &BTreeSet<T>,
) {
    let name = type_name::<BPlusTreeSet<T, H, A, CAP>>();
    let mut ours = BPlusTreeSet::<T, H, A, CAP>::empty();
    for e in elements {
        ours.insert(e.clone());
    }
    ours.check_invariants().unwrap();
    let bytes = bytes_of(&ours);
    assert!(
        bytes.as_slice() == reference,
        "{name}, n {}: the bytes differ from the Standard configuration's",
        elements.len()
    );
    let archived = access_set::<T>(reference);
    let back: BPlusTreeSet<T, H, A, CAP> = rkyv::deserialize::<_, BoxedError>(archived).unwrap();
    back.check_invariants()
        .unwrap_or_else(|e| panic!("{name}, n {}: {e:?}", elements.len()));
    assert!(back == ours, "{name}");
    assert!(back.iter().eq(std.iter()), "{name}");
}

/// Round trips of maps and sets of `key` at every size in every
/// configuration, then query parity on the archive.
fn round_trips<K: Key, V: Val>(key: fn(u64) -> K, val: fn(u64) -> V, debug_same: bool) {
    for (s, &n) in SIZES.iter().enumerate() {
        let entries = entries(n, s as u64 + 1, key, val);
        let std: BTreeMap<K, V> = entries.iter().cloned().collect();
        // The reference: the default configuration, bulk-built.
        let reference = bytes_of(&entries.iter().cloned().collect::<BPlusTreeMap<K, V>>());
        each_config!(map_config::<K, V>(&entries, &reference, &std));
        map_parity::<K, V>(access_map::<K, V>(&reference), &std, key, debug_same);

        let elements: Vec<K> = entries.iter().map(|(k, _)| k.clone()).collect();
        let std_set: BTreeSet<K> = elements.iter().cloned().collect();
        let reference = bytes_of(&elements.iter().cloned().collect::<BPlusTreeSet<K>>());
        each_config!(set_config::<K>(&elements, &reference, &std_set));
        set_parity::<K>(access_set::<K>(&reference), &std_set, key, debug_same);
    }
}

#[test]
fn round_trip_u64_keys() {
    round_trips(key_u64, |i| format!("v{i}"), true);
}

#[test]
fn round_trip_string_keys() {
    round_trips(key_string, |i| i * i, true);
}

#[test]
fn round_trip_byte_vec_keys() {
    round_trips(key_bytes, |i| i as u32, true);
}

#[test]
fn round_trip_tuple_keys() {
    // The archived tuple prints as `ArchivedTuple2(..)`, not `(..)`.
    round_trips(key_tuple, |i| vec![i as u16; (i % 3) as usize], false);
}

/// Archives of the same entries are equal as archived maps (`PartialEq`),
/// and of different entries are not.
#[test]
fn archived_equality() {
    let a: BPlusTreeMap<u32, u32> = (0..100).map(|k| (k, k)).collect();
    let b: bptree::phase::Phase3<u32, u32> = (0..100).rev().map(|k| (k, k)).collect();
    let c: BPlusTreeMap<u32, u32> = (0..100).map(|k| (k, k + u32::from(k == 99))).collect();
    let (ba, bb, bc) = (bytes_of(&a), bytes_of(&b), bytes_of(&c));
    assert!(access_map::<u32, u32>(&ba) == access_map::<u32, u32>(&bb));
    assert!(access_map::<u32, u32>(&ba) != access_map::<u32, u32>(&bc));
    let s: BPlusTreeSet<u32> = (0..10).collect();
    let t: BPlusTreeSet<u32> = (0..11).collect();
    let (bs, bt) = (bytes_of(&s), bytes_of(&t));
    assert!(access_set::<u32>(&bs) == access_set::<u32>(&bs));
    assert!(access_set::<u32>(&bs) != access_set::<u32>(&bt));
}

// ---------------------------------------------------------------------------
// Query parity
// ---------------------------------------------------------------------------

/// Every kind of bound at each probe.
fn bounds<K>(probes: &[K]) -> Vec<Bound<&K>> {
    let mut out = vec![Unbounded];
    for p in probes {
        out.push(Included(p));
        out.push(Excluded(p));
    }
    out
}

/// `nth` positions worth asking for in a sequence of `n`.
fn positions(n: usize) -> Vec<usize> {
    let mut p = vec![
        0,
        1,
        2,
        n / 2,
        n.saturating_sub(2),
        n.saturating_sub(1),
        n,
        n + 1,
    ];
    p.dedup();
    p
}

fn map_parity<K: Key, V: Val>(
    a: &AMap<K, V>,
    std: &BTreeMap<K, V>,
    key: fn(u64) -> K,
    debug_same: bool,
) {
    let n = std.len();
    assert_eq!(a.len(), n);
    assert_eq!(a.is_empty(), std.is_empty());
    let eq = |x: Option<(&Archived<K>, &Archived<V>)>, y: Option<(&K, &V)>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => same_entry::<K, V>(x, y),
        _ => false,
    };
    assert!(eq(a.first_key_value(), std.first_key_value()));
    assert!(eq(a.last_key_value(), std.last_key_value()));

    // Whole-map iterators, both ways.
    assert_eq!(a.iter().len(), n);
    assert!(
        a.iter()
            .zip(std.iter())
            .all(|(x, y)| same_entry::<K, V>(x, y))
    );
    assert!(
        a.iter()
            .rev()
            .zip(std.iter().rev())
            .all(|(x, y)| same_entry::<K, V>(x, y))
    );
    assert_eq!(a.iter().rev().count(), n);
    assert_eq!(a.into_iter().count(), n);
    assert_eq!(a.keys().len(), n);
    assert!(a.keys().zip(std.keys()).all(|(x, y)| same_key::<K>(x, y)));
    assert!(
        a.keys()
            .rev()
            .zip(std.keys().rev())
            .all(|(x, y)| same_key::<K>(x, y))
    );
    assert_eq!(a.values().len(), n);
    assert!(a.values().zip(std.values()).all(|(x, y)| x == y));
    assert!(
        a.values()
            .rev()
            .zip(std.values().rev())
            .all(|(x, y)| x == y)
    );
    for i in positions(n) {
        assert!(eq(a.iter().nth(i), std.iter().nth(i)), "nth {i}");
        assert!(
            eq(a.iter().nth_back(i), std.iter().nth_back(i)),
            "nth_back {i}"
        );
        let (x, y) = (a.keys().nth(i), std.keys().nth(i));
        assert_eq!(x.is_some(), y.is_some());
        assert!(x.zip(y).is_none_or(|(x, y)| same_key::<K>(x, y)));
        let (x, y) = (a.values().nth_back(i), std.values().nth_back(i));
        assert_eq!(x.is_some(), y.is_some());
        assert!(x.zip(y).is_none_or(|(x, y)| x == y));
        // nth then the rest.
        let mut it = a.iter();
        let mut st = std.iter();
        assert!(eq(it.nth(i), st.nth(i)));
        assert_eq!(it.len(), st.len());
        assert!(eq(it.next_back(), st.next_back()));
    }
    if debug_same {
        assert_eq!(format!("{a:?}"), format!("{std:?}"));
    } else {
        assert!(!format!("{a:?}").is_empty());
    }

    // Lookups: every probe for small maps.
    let ids = probe_ids(n, 300, 64);
    let probes: Vec<K> = ids.iter().map(|&j| key(j)).collect();
    for p in &probes {
        let want = std.get_key_value(p);
        assert!(eq(a.get_key_value(p), want), "get_key_value {p:?}");
        assert_eq!(a.contains_key(p), want.is_some(), "contains_key {p:?}");
        match (a.get(p), want) {
            (None, None) => {
                assert!(quietly(|| &a[p]).is_err(), "Index of absent {p:?}");
                assert!(quietly(|| &std[p]).is_err());
            }
            (Some(x), Some((_, y))) => {
                assert!(x == y);
                assert!(&a[p] == y);
            }
            _ => panic!("get {p:?}"),
        }
    }

    // Ranges: every pair of bound kinds at a handful of probes.
    let range_ids = probe_ids(n, 12, 3);
    let range_probes: Vec<K> = range_ids.iter().map(|&j| key(j)).collect();
    let bs = bounds(&range_probes);
    for &s in &bs {
        for &e in &bs {
            let want = quietly(|| std.range::<K, _>((s, e)).collect::<Vec<_>>());
            let got = quietly(|| a.range::<K, _>((s, e)));
            match (got, want) {
                (Err(_), Err(_)) => {
                    assert!(n > 0);
                    assert!(
                        quietly(|| a.range::<K, _>((s, e)).rev().count()).is_err(),
                        "{s:?}..{e:?}"
                    );
                }
                (Ok(got), Ok(want)) => {
                    assert_eq!(got.len(), want.len(), "len of {s:?}..{e:?}");
                    assert!(
                        got.clone()
                            .zip(want.iter().copied())
                            .all(|(x, y)| same_entry::<K, V>(x, y)),
                        "{s:?}..{e:?}"
                    );
                    assert_eq!(got.clone().rev().count(), want.len());
                    assert!(
                        got.clone()
                            .rev()
                            .zip(want.iter().rev().copied())
                            .all(|(x, y)| same_entry::<K, V>(x, y)),
                        "rev {s:?}..{e:?}"
                    );
                    // Alternating ends meet in the middle.
                    let mut it = got.clone();
                    let (mut lo, mut hi) = (0, want.len());
                    let mut back = false;
                    while lo < hi {
                        if back {
                            hi -= 1;
                            assert!(same_entry::<K, V>(it.next_back().unwrap(), want[hi]));
                        } else {
                            assert!(same_entry::<K, V>(it.next().unwrap(), want[lo]));
                            lo += 1;
                        }
                        back = !back;
                        assert_eq!(it.len(), hi - lo);
                    }
                    assert!(it.next().is_none() && it.next_back().is_none());
                    for i in [0, 1, want.len()] {
                        assert!(eq(got.clone().nth(i), want.get(i).copied()));
                    }
                }
                (got, want) => panic!(
                    "{s:?}..{e:?}: archived panicked: {}, std panicked: {}",
                    got.is_err(),
                    want.is_err()
                ),
            }
        }
    }
}

fn set_parity<T: Key>(a: &ASet<T>, std: &BTreeSet<T>, key: fn(u64) -> T, debug_same: bool) {
    let n = std.len();
    assert_eq!(a.len(), n);
    assert_eq!(a.is_empty(), std.is_empty());
    let eq = |x: Option<&Archived<T>>, y: Option<&T>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => same_key::<T>(x, y),
        _ => false,
    };
    assert!(eq(a.first(), std.first()));
    assert!(eq(a.last(), std.last()));
    assert_eq!(a.iter().len(), n);
    assert!(a.iter().zip(std.iter()).all(|(x, y)| same_key::<T>(x, y)));
    assert!(
        a.iter()
            .rev()
            .zip(std.iter().rev())
            .all(|(x, y)| same_key::<T>(x, y))
    );
    assert_eq!(a.into_iter().rev().count(), n);
    for i in positions(n) {
        assert!(eq(a.iter().nth(i), std.iter().nth(i)));
        assert!(eq(a.iter().nth_back(i), std.iter().nth_back(i)));
    }
    if debug_same {
        assert_eq!(format!("{a:?}"), format!("{std:?}"));
    }
    let probes: Vec<T> = probe_ids(n, 300, 64).into_iter().map(key).collect();
    for p in &probes {
        assert_eq!(a.contains(p), std.contains(p), "{p:?}");
        assert!(eq(a.get(p), std.get(p)), "{p:?}");
    }
    let range_probes: Vec<T> = probe_ids(n, 12, 3).into_iter().map(key).collect();
    let bs = bounds(&range_probes);
    for &s in &bs {
        for &e in &bs {
            let want = quietly(|| std.range::<T, _>((s, e)).collect::<Vec<_>>());
            let got = quietly(|| a.range::<T, _>((s, e)));
            match (got, want) {
                (Err(_), Err(_)) => assert!(n > 0),
                (Ok(got), Ok(want)) => {
                    assert_eq!(got.len(), want.len(), "{s:?}..{e:?}");
                    assert!(
                        got.clone()
                            .zip(want.iter().copied())
                            .all(|(x, y)| same_key::<T>(x, y))
                    );
                    assert!(
                        got.rev()
                            .zip(want.iter().rev().copied())
                            .all(|(x, y)| same_key::<T>(x, y))
                    );
                }
                (got, want) => panic!(
                    "{s:?}..{e:?}: archived panicked: {}, std panicked: {}",
                    got.is_err(),
                    want.is_err()
                ),
            }
        }
    }
}

/// Lookups and ranges by the native forms of each key type: `&u64`,
/// `str`, `&str`, `&String`, `&[u8]`, `&Vec<u8>`, `&(u32, String)`, and
/// range syntax.
#[test]
fn native_key_lookups() {
    let map: BPlusTreeMap<u64, u64> = (0..1000).map(|k| (k * 2, k)).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<u64, u64>(&bytes);
    assert_eq!(a.get(&500u64).map(|v| v.to_native()), Some(250));
    assert_eq!(a.get(&501u64), None);
    assert_eq!(a[&1998u64], 999);
    assert_eq!(a.range(10u64..20).count(), 5);
    assert_eq!(a.range(10u64..=20).count(), 6);
    assert_eq!(a.range(..10u64).count(), 5);
    assert_eq!(a.range(..=10u64).count(), 6);
    assert_eq!(a.range(1990u64..).count(), 5);
    assert_eq!(a.range::<u64, _>(..).count(), 1000);
    assert_eq!(a.range(3000u64..).count(), 0);

    let map: BPlusTreeMap<String, u32> = (0..300).map(|k| (format!("s{k:03}"), k)).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<String, u32>(&bytes);
    assert_eq!(a.get("s042").map(|v| v.to_native()), Some(42));
    assert_eq!(a.get(&"s043"), a.get("s043"));
    assert_eq!(a.get(&"s044".to_string()).map(|v| v.to_native()), Some(44));
    assert!(a.get("s04").is_none() && !a.contains_key("zzz"));
    assert_eq!(a["s299"], 299);
    assert_eq!(a.get_key_value("s007").unwrap().0, "s007");
    assert_eq!(
        a.range::<str, _>((Included("s010"), Excluded("s020")))
            .count(),
        10
    );
    assert_eq!(a.range::<str, _>((Excluded("s1"), Unbounded)).count(), 200);
    assert_eq!(a.range("s1".to_string()..).count(), 200);
    assert_eq!(a.range::<&str, _>("s1"..="s100").count(), 1);

    let map: BPlusTreeMap<Vec<u8>, u8> = (0..=255u8).map(|k| (vec![k, k], k)).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<Vec<u8>, u8>(&bytes);
    assert_eq!(a.get(&[7u8, 7][..]).copied(), Some(7));
    assert_eq!(a.get(&vec![9u8, 9]).copied(), Some(9));
    assert!(a.get(&[9u8][..]).is_none() && a.get(&vec![9u8, 9, 0]).is_none());
    assert_eq!(
        a.range::<[u8], _>((Included(&[10u8][..]), Excluded(&[20u8][..])))
            .count(),
        10
    );
    assert_eq!(a.range(vec![250u8]..).count(), 6);

    let map: BPlusTreeMap<(u32, String), i32> = (0..100)
        .map(|k| ((k / 10, format!("{}", k % 10)), -(k as i32)))
        .collect();
    let bytes = bytes_of(&map);
    let a = access_map::<(u32, String), i32>(&bytes);
    assert_eq!(
        a.get(&(3u32, "4".to_string())).map(|v| v.to_native()),
        Some(-34)
    );
    assert!(a.get(&(3u32, "x".to_string())).is_none());
    assert_eq!(
        a.range((2u32, String::new())..(3, String::new())).count(),
        10
    );
    assert_eq!(a.range((9u32, "5".to_string())..).count(), 5);

    // A set of `String` by `str`.
    let set: BPlusTreeSet<String> = ["b", "d", "f"].map(String::from).into_iter().collect();
    let bytes = bytes_of(&set);
    let s = access_set::<String>(&bytes);
    assert!(s.contains("d") && !s.contains("c"));
    assert_eq!(s.get("f").unwrap(), "f");
    assert_eq!(s.range::<str, _>((Included("c"), Unbounded)).count(), 2);
}

/// The text of a caught panic.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// std's panics for inverted range bounds, on a non-empty archive only.
#[test]
fn inverted_range_bounds_panic_only_when_non_empty() {
    for n in [0u64, 1, 100] {
        let map: BPlusTreeMap<u64, u64> = (0..n).map(|k| (k, k)).collect();
        let std: BTreeMap<u64, u64> = (0..n).map(|k| (k, k)).collect();
        let set: BPlusTreeSet<u64> = (0..n).collect();
        let (mb, sb) = (bytes_of(&map), bytes_of(&set));
        let (a, s) = (access_map::<u64, u64>(&mb), access_set::<u64>(&sb));
        let cases: [(Bound<u64>, Bound<u64>); 4] = [
            (Included(5), Included(4)),
            (Excluded(5), Excluded(5)),
            (Included(5), Excluded(4)),
            (Excluded(5), Included(4)),
        ];
        for (lo, hi) in cases {
            let ours = quietly(|| a.range((lo, hi)).count());
            let theirs = quietly(|| std.range((lo, hi)).count());
            assert_eq!(ours.is_err(), theirs.is_err(), "n {n}: {lo:?}..{hi:?}");
            assert_eq!(ours.is_err(), n > 0, "n {n}: {lo:?}..{hi:?}");
            let set_ours = quietly(|| s.range((lo, hi)).count());
            assert_eq!(set_ours.is_err(), n > 0);
            if let (Err(ours), Err(theirs), Err(set_ours)) = (ours, theirs, set_ours) {
                // std's words, naming the archived type that panicked.
                let theirs = panic_text(&theirs);
                let want = theirs.replace("BTreeMap", "ArchivedBPlusTreeMap");
                assert_eq!(panic_text(&ours), want, "n {n}: {lo:?}..{hi:?}");
                let want = theirs.replace("BTreeMap", "ArchivedBPlusTreeSet");
                assert_eq!(panic_text(&set_ours), want, "n {n}: {lo:?}..{hi:?}");
            }
        }
        // Equal bounds that are not both excluded are fine.
        assert_eq!(a.range(5u64..5).count(), 0);
        assert_eq!(a.range(5u64..=5).count(), usize::from(n > 5));
        assert_eq!(a.range::<u64, _>((Excluded(5), Included(5))).count(), 0);
    }
}

// ---------------------------------------------------------------------------
// A map inside a user's derived type
// ---------------------------------------------------------------------------

#[derive(Archive, Serialize, Deserialize, Debug, PartialEq)]
struct Catalog {
    name: String,
    tags: Vec<u32>,
    by_name: BPlusTreeMap<String, u64>,
    deep: Deep<u32, (u8, bool)>,
    ids: bptree::phase::Compact<i64, ()>,
    seen: DeepSet<u16>,
}

#[test]
fn map_as_a_field_of_a_derived_struct() {
    let n = if cfg!(miri) { 40 } else { 700 };
    let catalog = Catalog {
        name: "shelf".into(),
        tags: vec![3, 1, 4, 1, 5],
        by_name: (0..n).map(|k| (format!("item-{k:04}"), k * 10)).collect(),
        deep: (0..n as u32)
            .rev()
            .map(|k| (k * 3, (k as u8, k % 2 == 0)))
            .collect(),
        ids: (-(n as i64)..0).map(|k| (k, ())).collect(),
        seen: (0..n as u16).map(|k| k * 7).collect(),
    };
    let bytes = bytes_of(&catalog);
    let a = rkyv::access::<ArchivedCatalog, BoxedError>(&bytes).unwrap();
    assert_eq!(a.name, "shelf");
    assert_eq!(a.tags.as_slice(), [3, 1, 4, 1, 5]);
    assert_eq!(a.by_name.len(), n as usize);
    assert_eq!(a.by_name["item-0012"], 120);
    assert!(a.by_name.get("item-9999").is_none());
    assert_eq!(
        a.by_name
            .range("item-0010".to_string().."item-0020".to_string())
            .count(),
        10
    );
    let (x, flag) = (&a.deep[&30u32].0, &a.deep[&30u32].1);
    assert_eq!((*x, *flag), (10, true));
    assert_eq!(a.deep.len(), n as usize);
    assert!(a.ids.contains_key(&-1i64) && !a.ids.contains_key(&0i64));
    assert_eq!(a.ids.first_key_value().unwrap().0.to_native(), -(n as i64));
    assert!(a.seen.contains(&14u16) && !a.seen.contains(&15u16));
    let back: Catalog = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    back.by_name.check_invariants().unwrap();
    back.deep.check_invariants().unwrap();
    back.ids.check_invariants().unwrap();
    back.seen.check_invariants().unwrap();
    assert_eq!(back, catalog);
}

// ---------------------------------------------------------------------------
// Seal mutation
// ---------------------------------------------------------------------------

#[test]
fn seal_mutation_in_place() {
    for n in [0u32, 1, 17, if cfg!(miri) { 300 } else { 5000 }] {
        let map: BPlusTreeMap<u32, u32> = (0..n).map(|k| (k * 2, k)).collect();
        let mut std: BTreeMap<u32, u32> = (0..n).map(|k| (k * 2, k)).collect();
        let mut bytes = bytes_of(&map);
        {
            let mut a = rkyv::access_mut::<AMap<u32, u32>, BoxedError>(&mut bytes).unwrap();
            // get_seal: present and absent keys.
            for k in [0u32, 1, 2, 30, n, 2 * n - n.min(1), 2 * n] {
                let got = AMap::<u32, u32>::get_seal(a.as_mut(), &k);
                assert_eq!(got.is_some(), std.contains_key(&k), "get_seal {k}");
                if let Some(mut v) = got {
                    *v = (k + 1_000_000).into();
                    std.insert(k, k + 1_000_000);
                }
            }
            // get_index_seal: every 7th position, the last and past the end.
            let n_ = n as usize;
            let mut at: Vec<usize> = (0..n_).step_by(7).collect();
            at.extend([n_.saturating_sub(1), n_, n_ + 1, usize::MAX]);
            for i in at {
                let key = std.keys().nth(i).copied();
                let got = AMap::<u32, u32>::get_index_seal(a.as_mut(), i);
                assert_eq!(got.is_some(), key.is_some(), "get_index_seal {i}");
                if let (Some(mut v), Some(k)) = (got, key) {
                    *v = (v.to_native() ^ 0x5555).into();
                    *std.get_mut(&k).unwrap() ^= 0x5555;
                }
            }
            // IterSeal's positional methods: nth and nth_back from both
            // ends, count and last, skip.
            let mut it = AMap::<u32, u32>::iter_seal(a.as_mut());
            let mut model: Vec<u32> = std.keys().copied().collect();
            for (i, back) in [
                (2, false),
                (1, true),
                (0, false),
                (5, true),
                (usize::MAX, true),
            ] {
                // What nth / nth_back leave: the rest past the i-th.
                let want = if i >= model.len() {
                    model.clear();
                    None
                } else if back {
                    model.split_off(model.len() - 1 - i).first().copied()
                } else {
                    model.drain(..=i).next_back()
                };
                let got = if back { it.nth_back(i) } else { it.nth(i) };
                assert_eq!(
                    got.as_ref().map(|e| e.0.to_native()),
                    want,
                    "nth {i} {back}"
                );
                if let Some((k, mut v)) = got {
                    *v = (v.to_native().wrapping_add(11)).into();
                    let s = std.get_mut(&k.to_native()).unwrap();
                    *s = s.wrapping_add(11);
                }
                assert_eq!(it.len(), model.len());
            }
            assert_eq!(it.count(), model.len());
            let last = AMap::<u32, u32>::iter_seal(a.as_mut()).last();
            assert_eq!(last.map(|e| e.0.to_native()), std.keys().last().copied());
            let mut skipped = AMap::<u32, u32>::range_seal(a.as_mut(), 4..).skip(3);
            assert_eq!(skipped.len(), std.range(4..).count().saturating_sub(3));
            let want = std.range(4..).nth(3).map(|e| *e.0);
            assert_eq!(skipped.next().map(|e| e.0.to_native()), want);
            // range_seal forward, over a range with absent bounds.
            let (lo, hi) = (n / 3 * 2 + 1, n + 7);
            let mut seen = 0;
            for (k, mut v) in AMap::<u32, u32>::range_seal(a.as_mut(), lo..hi) {
                *v = (v.to_native() + 7).into();
                *std.get_mut(&k.to_native()).unwrap() += 7;
                seen += 1;
            }
            assert_eq!(seen, std.range(lo..hi).count());
            // range_seal backward with an inclusive end.
            let it = AMap::<u32, u32>::range_seal(a.as_mut(), ..=n / 2);
            assert_eq!(it.len(), std.range(..=n / 2).count());
            let mut prev = None;
            for (k, mut v) in it.rev() {
                assert!(prev.is_none_or(|p| k.to_native() < p));
                prev = Some(k.to_native());
                *v = (v.to_native() ^ 0x8000_0000).into();
                *std.get_mut(&k.to_native()).unwrap() ^= 0x8000_0000;
            }
            // Inverted bounds panic like range (when non-empty).
            let inverted = quietly(|| {
                let _ = AMap::<u32, u32>::range_seal(a.as_mut(), (Excluded(4u32), Excluded(4)));
            });
            assert_eq!(inverted.is_err(), n > 0);
            // iter_seal both ways, alternating ends.
            let mut it = AMap::<u32, u32>::iter_seal(a.as_mut());
            assert_eq!(it.len(), n as usize);
            let mut back = false;
            let mut count = 0;
            loop {
                let next = if back { it.next_back() } else { it.next() };
                let Some((k, mut v)) = next else { break };
                *v = (v.to_native().wrapping_mul(3)).into();
                let s = std.get_mut(&k.to_native()).unwrap();
                *s = s.wrapping_mul(3);
                back = !back;
                count += 1;
            }
            assert_eq!(count, n as usize);
            assert!(it.next().is_none() && it.next_back().is_none());
            // The reverse iterator alone.
            for (k, mut v) in AMap::<u32, u32>::iter_seal(a.as_mut()).rev() {
                *v = (v.to_native() + k.to_native()).into();
                let s = std.get_mut(&k.to_native()).unwrap();
                *s = s.wrapping_add(k.to_native());
            }
        }
        // The mutated bytes still validate and deserialize to the model.
        let a = access_map::<u32, u32>(&bytes);
        assert!(
            a.iter()
                .map(|(k, v)| (k.to_native(), v.to_native()))
                .eq(std.clone())
        );
        let back: Deep<u32, u32> = rkyv::from_bytes::<_, BoxedError>(&bytes).unwrap();
        back.check_invariants().unwrap();
        assert!(back.into_iter().eq(std));
    }
}

// ---------------------------------------------------------------------------
// Capacity
// ---------------------------------------------------------------------------

/// 300,000 entries at 4 per leaf are 75,000 leaves: more than 16-bit
/// handles name. Deserializing is an error naming the limit, not a panic;
/// one leaf's worth fewer than the limit is fine.
#[test]
#[cfg_attr(miri, ignore = "300,000 entries")]
fn compact16_capacity_is_an_error_not_a_panic() {
    let map: BPlusTreeMap<u32, u32> = (0..300_000).map(|k| (k, !k)).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<u32, u32>(&bytes);
    let result = quietly(|| rkyv::deserialize::<Deep<u32, u32>, BoxedError>(a));
    let err = result
        .expect("deserializing past the capacity panicked")
        .expect_err("300,000 entries fit 65,535 leaves of 4");
    let msg = err.to_string();
    assert!(msg.contains("capacity exceeded"), "{msg}");
    assert!(msg.contains("65535") || msg.contains("65,535"), "{msg}");

    let set: BPlusTreeSet<u32> = (0..300_000).collect();
    let bytes = bytes_of(&set);
    let a = access_set::<u32>(&bytes);
    let result = quietly(|| rkyv::deserialize::<DeepSet<u32>, BoxedError>(a));
    let msg = result.unwrap().unwrap_err().to_string();
    assert!(msg.contains("capacity exceeded"), "{msg}");

    // Just below the limit.
    let fits: BPlusTreeMap<u32, u32> = (0..200_000).map(|k| (k, k)).collect();
    let bytes = bytes_of(&fits);
    let back: Deep<u32, u32> = rkyv::from_bytes::<_, BoxedError>(&bytes).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back.len(), 200_000);
}

/// The limit exactly: 65,535 full leaves of 4 deserialize into the
/// `Compact16` tree, one entry more is the error; `Adaptive` handles at the
/// same capacity widen instead (bulk-loading straight into wide handles).
#[test]
#[cfg_attr(miri, ignore = "262,141 entries")]
fn compact16_capacity_boundary_and_adaptive_widening() {
    const MAX: u32 = 65_535 * 4;
    let map: BPlusTreeMap<u32, u32> = (0..=MAX).map(|k| (k, k)).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<u32, u32>(&bytes);
    let err = quietly(|| rkyv::deserialize::<Deep<u32, u32>, BoxedError>(a))
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("capacity exceeded"), "{err}");
    let adaptive: BPlusTreeMap<u32, u32, bptree::Adaptive, VecArena, 4> =
        rkyv::deserialize::<_, BoxedError>(a).unwrap();
    adaptive.check_invariants().unwrap();
    assert_eq!(adaptive.len(), MAX as usize + 1);
    assert!(adaptive.iter().eq(map.iter()));

    let map: BPlusTreeMap<u32, u32> = (0..MAX).map(|k| (k, k)).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<u32, u32>(&bytes);
    let deep = quietly(|| rkyv::deserialize::<Deep<u32, u32>, BoxedError>(a))
        .unwrap()
        .unwrap_or_else(|e| panic!("{MAX} entries are 65,535 full leaves: {e}"));
    deep.check_invariants().unwrap();
    assert_eq!(deep.len(), MAX as usize);
    assert_eq!(deep.memory_usage().leaves, 65_535);
}

// ---------------------------------------------------------------------------
// More key types
// ---------------------------------------------------------------------------

/// A round trip, query parity at every probe and deserialization into the
/// deep configuration, for `keys` (ascending, distinct).
fn more_keys<K: Key>(keys: Vec<K>) {
    // About 16 of them, spread over the range, under Miri.
    let keys: Vec<K> = if cfg!(miri) {
        let step = (keys.len() / 16).max(1);
        keys.into_iter().step_by(step).collect()
    } else {
        keys
    };
    let std: BTreeMap<K, u32> = keys.iter().cloned().zip(0..).collect();
    assert_eq!(std.len(), keys.len(), "distinct keys");
    let map: BPlusTreeMap<K, u32> = std.clone().into_iter().collect();
    let bytes = bytes_of(&map);
    let a = access_map::<K, u32>(&bytes);
    assert_eq!(a.len(), keys.len());
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(a.get(k).map(|v| v.to_native()), Some(i as u32), "{k:?}");
        assert_eq!(a.range(k..).len(), keys.len() - i);
        assert_eq!(a.range(..k).len(), i);
    }
    assert!(a.keys().zip(&keys).all(|(x, y)| same_key::<K>(x, y)));
    let back: Deep<K, u32> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    back.check_invariants().unwrap();
    assert!(back.iter().eq(std.iter()));
    let set: BPlusTreeSet<K> = keys.iter().cloned().collect();
    let bytes = bytes_of(&set);
    let s = access_set::<K>(&bytes);
    assert!(keys.iter().all(|k| s.contains(k)));
    let back: DeepSet<K> = rkyv::deserialize::<_, BoxedError>(s).unwrap();
    assert!(back.iter().eq(keys.iter()));
}

/// Signed integers across zero (an archived order by bytes would fail),
/// wide integers, `char`, `bool`, `Option`, three-field tuples, a
/// zero-sized key, and unit values.
#[test]
fn more_key_types() {
    more_keys::<i32>((-300..300).map(|k| k * 1_000_003).collect());
    more_keys::<i64>((-300..300).map(|k| k << 40).collect());
    more_keys::<i16>((i16::MIN..=i16::MAX).step_by(97).collect());
    more_keys::<u128>((0..300u128).map(|k| k << 100 | k).collect());
    more_keys::<i128>((-150..150i128).map(|k| k << 90).collect());
    more_keys::<char>(('\u{0}'..='\u{10ffff}').step_by(3001).collect());
    more_keys::<bool>(vec![false, true]);
    more_keys::<Option<u32>>(std::iter::once(None).chain((0..300).map(Some)).collect());
    more_keys::<(u8, i16, String)>(
        (0..300)
            .map(|k| ((k / 100) as u8, (k % 100) as i16 - 50, format!("{k}")))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    );
    more_keys::<()>(vec![()]);
    more_keys::<()>(vec![]);

    // Unit values: the values array holds zero-sized elements.
    let map: BPlusTreeMap<u32, ()> = (0..1000).map(|k| (k, ())).collect();
    let bytes = bytes_of(&map);
    let a = access_map::<u32, ()>(&bytes);
    assert_eq!(a.values().len(), 1000);
    assert!(a.contains_key(&999u32));
    let back: bptree::phase::Phase0<u32, ()> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back.len(), 1000);
}

/// A key whose native `Ord` is the reverse of its archived one (the
/// archived form is a plain archived `u32`): an archive of ascending `u32`s
/// validates, but deserializing it as this type is an
/// `ArchiveError::NativeOrder`, not a panic or an invalid tree.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Down(u32);

impl Ord for Down {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.cmp(&self.0)
    }
}

impl PartialOrd for Down {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Archive for Down {
    type Archived = rkyv::rend::u32_le;
    type Resolver = ();

    fn resolve(&self, resolver: (), out: rkyv::Place<Self::Archived>) {
        self.0.resolve(resolver, out);
    }
}

impl<D: rkyv::rancor::Fallible + ?Sized> Deserialize<Down, D> for rkyv::rend::u32_le {
    fn deserialize(&self, _: &mut D) -> Result<Down, D::Error> {
        Ok(Down(self.to_native()))
    }
}

#[test]
fn native_order_disagreeing_with_the_archive_is_an_error() {
    for n in [2u32, 3, 17, 100, 1000] {
        let map: BPlusTreeMap<u32, String> = (0..n).map(|k| (k, k.to_string())).collect();
        let bytes = bytes_of(&map);
        let a = access_map::<u32, String>(&bytes);
        let r = quietly(|| rkyv::deserialize::<BPlusTreeMap<Down, String>, BoxedError>(a));
        let err = r.expect("no panic").expect_err("descending native keys");
        assert!(
            err.to_string()
                .contains("native keys are not strictly ascending at index 1"),
            "{err}"
        );
        let r = quietly(|| rkyv::deserialize::<Deep<Down, String>, BoxedError>(a));
        assert!(r.expect("no panic").is_err());
        let set: BPlusTreeSet<u32> = (0..n).collect();
        let bytes = bytes_of(&set);
        let s = access_set::<u32>(&bytes);
        let r = quietly(|| {
            rkyv::deserialize::<bptree::phase::Compact<Down, ()>, BoxedError>(
                access_map::<u32, ()>(&bytes_of(
                    &set.iter()
                        .map(|&k| (k, ()))
                        .collect::<BPlusTreeMap<u32, ()>>(),
                )),
            )
        });
        assert!(r.expect("no panic").is_err());
        let r = quietly(|| rkyv::deserialize::<BPlusTreeSet<Down>, BoxedError>(s));
        assert!(r.expect("no panic").is_err());
    }
    // One key is in order whatever the order.
    let map = BPlusTreeMap::from([(7u32, String::new())]);
    let bytes = bytes_of(&map);
    let back: BPlusTreeMap<Down, String> =
        rkyv::deserialize::<_, BoxedError>(access_map::<u32, String>(&bytes)).unwrap();
    assert_eq!(back.len(), 1);
}

// ---------------------------------------------------------------------------
// Files, in memory
// ---------------------------------------------------------------------------

fn file_bytes_map() -> BPlusTreeMap<u32, String> {
    (0..if cfg!(miri) { 50 } else { 1000 })
        .map(|k| (k, format!("#{k}")))
        .collect()
}

/// A copy of `bytes` in a 16-aligned buffer.
fn aligned(bytes: &[u8]) -> AlignedVec<16> {
    let mut v = AlignedVec::<16>::new();
    v.extend_from_slice(bytes);
    v
}

fn header_err<T>(bytes: &[u8]) -> FileError
where
    T: bptree::archive::TreeArchive,
    T::Archived: rkyv::Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>> + Debug,
{
    bptree::archive::from_file_bytes::<T>(bytes).unwrap_err()
}

#[test]
fn file_bytes_round_trip_and_header_errors() {
    use bptree::archive::{from_file_bytes, from_file_bytes_unchecked, to_file_bytes};
    let map = file_bytes_map();
    let bytes = to_file_bytes(&map).unwrap();
    assert_eq!(bytes.as_ptr() as usize % 16, 0);
    let a = from_file_bytes::<BPlusTreeMap<u32, String>>(&bytes).unwrap();
    assert_eq!(a.len(), map.len());
    assert_eq!(a[&7u32], "#7");
    // Any configuration reads it: the format is canonical.
    let a = from_file_bytes::<Deep<u32, String>>(&bytes).unwrap();
    assert_eq!(a.get(&9u32).unwrap(), "#9");
    let back: bptree::phase::Phase3<u32, String> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    assert!(back == map.iter().map(|(k, v)| (*k, v.clone())).collect());
    // SAFETY: to_file_bytes wrote these bytes.
    let u = unsafe { from_file_bytes_unchecked::<BPlusTreeMap<u32, String>>(&bytes) }.unwrap();
    assert_eq!(u.len(), map.len());
    // The archive after the header is rkyv's.
    assert_eq!(&bytes[HEADER_LEN..], bytes_of(&map).as_slice());

    // Wrong key type, wrong value type.
    assert!(matches!(
        header_err::<BPlusTreeMap<u64, String>>(&bytes),
        FileError::TypeMismatch { .. }
    ));
    assert!(matches!(
        header_err::<BPlusTreeMap<u32, Vec<u8>>>(&bytes),
        FileError::TypeMismatch { .. }
    ));
    assert!(matches!(
        header_err::<BPlusTreeMap<i32, String>>(&bytes),
        FileError::TypeMismatch { .. }
    ));
    // A map is not a set, and the reverse.
    assert!(matches!(
        header_err::<BPlusTreeSet<u32>>(&bytes),
        FileError::WrongKind {
            expected: 2,
            found: 1
        }
    ));
    let set: BPlusTreeSet<u32> = (0..10).collect();
    let set_bytes = to_file_bytes(&set).unwrap();
    assert_eq!(
        from_file_bytes::<bptree::phase::Phase0<u32, ()>>(&set_bytes)
            .map(|_| ())
            .map_err(|e| e.to_string())
            .unwrap_err(),
        FileError::WrongKind {
            expected: 1,
            found: 2
        }
        .to_string()
    );
    assert!(
        from_file_bytes::<DeepSet<u32>>(&set_bytes)
            .unwrap()
            .contains(&9u32)
    );
    // The unchecked form checks the header too.
    // SAFETY: the header check fails before the archive is read.
    let e = unsafe { from_file_bytes_unchecked::<BPlusTreeMap<u64, String>>(&bytes) };
    assert!(matches!(e, Err(FileError::TypeMismatch { .. })));

    // Truncated: inside the header, and inside the archive.
    for cut in [0, 1, HEADER_LEN - 1] {
        assert!(matches!(
            header_err::<BPlusTreeMap<u32, String>>(&bytes[..cut]),
            FileError::NotAnArchive
        ));
    }
    let len = (bytes.len() - HEADER_LEN) as u64;
    for cut in [HEADER_LEN, HEADER_LEN + 1, bytes.len() - 1] {
        match header_err::<BPlusTreeMap<u32, String>>(&bytes[..cut]) {
            FileError::Length { header, actual } => {
                assert_eq!((header, actual), (len, (cut - HEADER_LEN) as u64));
            }
            e => panic!("cut {cut}: {e:?}"),
        }
    }
    // Bytes appended.
    let mut longer = aligned(&bytes);
    longer.extend_from_slice(&[0; 16]);
    assert!(matches!(
        header_err::<BPlusTreeMap<u32, String>>(&longer),
        FileError::Length { actual, .. } if actual == len + 16
    ));
    // Bad magic.
    let mut bad = aligned(&bytes);
    bad[0] ^= 1;
    assert!(matches!(
        header_err::<BPlusTreeMap<u32, String>>(&bad),
        FileError::NotAnArchive
    ));
    // Another version.
    let mut bad = aligned(&bytes);
    bad[8..10].copy_from_slice(&2u16.to_le_bytes());
    assert!(matches!(
        header_err::<BPlusTreeMap<u32, String>>(&bad),
        FileError::UnsupportedVersion { found: 2 }
    ));
    // Unknown flags, unknown kind.
    let mut bad = aligned(&bytes);
    bad[12] = 4;
    assert!(matches!(
        header_err::<BPlusTreeMap<u32, String>>(&bad),
        FileError::UnknownFlags { flags: 4 }
    ));
    let mut bad = aligned(&bytes);
    bad[10..12].copy_from_slice(&7u16.to_le_bytes());
    let e = header_err::<BPlusTreeMap<u32, String>>(&bad);
    assert!(matches!(
        e,
        FileError::WrongKind {
            expected: 1,
            found: 7
        }
    ));
    assert!(e.to_string().contains("unknown kind"), "{e}");
    // A corrupt archive: swap the first two keys.
    let mut bad = aligned(&bytes);
    let (k0, k1) = (HEADER_LEN, HEADER_LEN + 4);
    let first: [u8; 4] = bad[k0..k0 + 4].try_into().unwrap();
    bad.copy_within(k1..k1 + 4, k0);
    bad[k1..k1 + 4].copy_from_slice(&first);
    let e = header_err::<BPlusTreeMap<u32, String>>(&bad);
    assert!(matches!(e, FileError::Rkyv(_)), "{e:?}");
    assert!(
        e.to_string()
            .contains("keys not strictly ascending at index 1"),
        "{e}"
    );
    // Misaligned: the same bytes one byte into an aligned buffer.
    let mut off = AlignedVec::<16>::new();
    off.push(0);
    off.extend_from_slice(&bytes);
    assert!(matches!(
        header_err::<BPlusTreeMap<u32, String>>(&off[1..]),
        FileError::Misaligned
    ));
    // SAFETY: the alignment check fails before the archive is read.
    let e = unsafe { from_file_bytes_unchecked::<BPlusTreeMap<u32, String>>(&off[1..]) };
    assert!(matches!(e, Err(FileError::Misaligned)));
}

// ---------------------------------------------------------------------------
// Files on disk
// ---------------------------------------------------------------------------

#[cfg(all(feature = "mmap", not(miri)))]
mod files {
    use super::*;
    use bptree::archive::{ArchiveFile, load, open_unchecked, save};
    use std::path::{Path, PathBuf};

    /// `archive::open`, for the files these tests write: nothing changes a
    /// file while it is mapped (`save` replaces a file, never writes into
    /// one).
    fn open<T>(path: &Path) -> Result<ArchiveFile<T::Archived>, FileError>
    where
        T: bptree::archive::TreeArchive,
        T::Archived: rkyv::Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        // SAFETY: see above.
        unsafe { bptree::archive::open::<T>(path) }
    }

    /// A unique path in the temp directory, removed on drop.
    struct TempPath(PathBuf);

    impl TempPath {
        fn new(tag: &str) -> Self {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            TempPath(std::env::temp_dir().join(format!(
                "bptree-archive-test-{}-{tag}-{n}.bpt",
                std::process::id()
            )))
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn open_err<T>(path: &TempPath) -> FileError
    where
        T: bptree::archive::TreeArchive,
        T::Archived: rkyv::Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        match open::<T>(&path.0) {
            Ok(_) => panic!("{} opened as {}", path.0.display(), type_name::<T>()),
            Err(e) => e,
        }
    }

    #[test]
    fn save_open_round_trip() {
        let map: BPlusTreeMap<u64, String> = (0..5000).map(|k| (k * 5, k.to_string())).collect();
        let path = TempPath::new("map");
        save(&map, &path.0).unwrap();
        let file = std::fs::read(&path.0).unwrap();
        assert_eq!(
            file.as_slice(),
            bptree::archive::to_file_bytes(&map).unwrap().as_slice()
        );

        let mapped = open::<BPlusTreeMap<u64, String>>(&path.0).unwrap();
        assert_eq!(mapped.len(), 5000);
        assert_eq!(mapped.get(&25u64).unwrap(), "5");
        assert!(mapped.get(&26u64).is_none());
        assert_eq!(mapped.range(100u64..200).count(), 20);
        assert!(format!("{mapped:?}").starts_with("{0: \"0\", 5: \"1\""));
        let back: bptree::phase::Compact<u64, String> =
            rkyv::deserialize::<_, BoxedError>(&*mapped).unwrap();
        back.check_invariants().unwrap();
        assert!(back.iter().eq(map.iter()));
        // Another configuration opens it too.
        let deep = open::<Deep<u64, String>>(&path.0).unwrap();
        assert!(*deep == *mapped);
        // SAFETY: this test wrote the file and nothing else writes it.
        let unchecked = unsafe { open_unchecked::<BPlusTreeMap<u64, String>>(&path.0) }.unwrap();
        assert!(
            unchecked
                .iter()
                .map(|(k, _)| k.to_native())
                .eq(map.keys().copied())
        );
        drop((mapped, deep, unchecked));

        // A set, and an empty map.
        let set: bptree::phase::Phase2<i32, ()> = (-50..50).map(|k| (k, ())).collect();
        let set: BPlusTreeSet<i32> = set.keys().copied().collect();
        let path = TempPath::new("set");
        save(&set, &path.0).unwrap();
        let mapped = open::<DeepSet<i32>>(&path.0).unwrap();
        assert!(mapped.contains(&-50i32) && !mapped.contains(&50i32));
        assert_eq!(mapped.first().unwrap().to_native(), -50);
        let empty = BPlusTreeMap::<u8, u8>::new();
        let path = TempPath::new("empty");
        save(&empty, &path.0).unwrap();
        assert!(open::<BPlusTreeMap<u8, u8>>(&path.0).unwrap().is_empty());
        // Saving over a file (not mapped) truncates it.
        save(&BPlusTreeMap::from([(1u8, 2u8)]), &path.0).unwrap();
        assert_eq!(open::<BPlusTreeMap<u8, u8>>(&path.0).unwrap()[&1u8], 2);
    }

    /// A safe program that saves over an archive file it has open keeps
    /// reading what it opened: `load` owns its bytes, and `save` replaces
    /// a file by a rename, so a mapping made by `open` keeps the old file
    /// (issue 23: saving a small map over a mapped large one used to
    /// truncate the mapped file: SIGBUS, or reads out of bounds).
    #[test]
    fn saving_over_an_open_file_changes_nothing_read() {
        let big: BPlusTreeMap<u64, String> = (0..20_000).map(|k| (k, k.to_string())).collect();
        let tiny = BPlusTreeMap::from([(1u64, String::from("one"))]);
        let path = TempPath::new("resave");
        save(&big, &path.0).unwrap();
        let loaded = load::<BPlusTreeMap<u64, String>>(&path.0).unwrap();
        let mapped = open::<BPlusTreeMap<u64, String>>(&path.0).unwrap();
        save(&tiny, &path.0).unwrap();
        for f in [&loaded, &mapped] {
            assert_eq!(f.len(), 20_000);
            assert_eq!(f.get(&19_999u64).unwrap(), "19999");
            assert_eq!(f.iter().count(), 20_000);
        }
        // The path holds the new map, and no temporary file is left.
        assert_eq!(load::<BPlusTreeMap<u64, String>>(&path.0).unwrap().len(), 1);
        let dir = path.0.parent().unwrap();
        let stem = path.0.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(std::fs::read_dir(dir).unwrap().all(|e| {
            !e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains(&format!("{stem}."))
        }));
        // Overwriting the file in place (not by `save`) does not reach
        // what `load` read.
        std::fs::write(&path.0, b"not an archive").unwrap();
        assert_eq!(loaded.get(&7u64).unwrap(), "7");
        assert!(matches!(
            load::<BPlusTreeMap<u64, String>>(&path.0),
            Err(FileError::NotAnArchive)
        ));
        // A path with no file name is an I/O error, and nothing is written.
        assert!(matches!(save(&tiny, Path::new("/")), Err(FileError::Io(_))));
    }

    #[test]
    fn load_reads_what_open_maps() {
        let map: BPlusTreeMap<u32, String> = (0..300).map(|k| (k, format!("{k}"))).collect();
        let path = TempPath::new("load");
        save(&map, &path.0).unwrap();
        let loaded = load::<BPlusTreeMap<u32, String>>(&path.0).unwrap();
        let mapped = open::<BPlusTreeMap<u32, String>>(&path.0).unwrap();
        assert!(*loaded == *mapped);
        assert_eq!(format!("{loaded:?}"), format!("{map:?}"));
        assert!(matches!(
            load::<BPlusTreeMap<u64, String>>(&path.0),
            Err(FileError::TypeMismatch { .. })
        ));
        assert!(matches!(
            load::<BPlusTreeSet<u32>>(&path.0),
            Err(FileError::WrongKind { .. })
        ));
        let good = std::fs::read(&path.0).unwrap();
        std::fs::write(&path.0, &good[..good.len() - 1]).unwrap();
        assert!(matches!(
            load::<BPlusTreeMap<u32, String>>(&path.0),
            Err(FileError::Length { .. })
        ));
        std::fs::remove_file(&path.0).unwrap();
        assert!(matches!(
            load::<BPlusTreeMap<u32, String>>(&path.0),
            Err(FileError::Io(_))
        ));
    }

    #[test]
    fn open_errors() {
        let map: BPlusTreeMap<u32, String> = (0..300).map(|k| (k, format!("{k}"))).collect();
        let path = TempPath::new("errors");
        save(&map, &path.0).unwrap();
        let good = std::fs::read(&path.0).unwrap();
        assert!(matches!(
            open_err::<BPlusTreeMap<u64, String>>(&path),
            FileError::TypeMismatch { .. }
        ));
        assert!(matches!(
            open_err::<BPlusTreeMap<u32, u32>>(&path),
            FileError::TypeMismatch { .. }
        ));
        assert!(matches!(
            open_err::<BPlusTreeSet<u32>>(&path),
            FileError::WrongKind {
                expected: 2,
                found: 1
            }
        ));
        // SAFETY: the header check fails before the archive is read.
        let e = unsafe { open_unchecked::<BPlusTreeMap<u64, String>>(&path.0) };
        assert!(matches!(e, Err(FileError::TypeMismatch { .. })));

        let write = |bytes: &[u8]| std::fs::write(&path.0, bytes).unwrap();
        // Truncated.
        for cut in [0, 10, HEADER_LEN - 1] {
            write(&good[..cut]);
            assert!(matches!(
                open_err::<BPlusTreeMap<u32, String>>(&path),
                FileError::NotAnArchive
            ));
        }
        for cut in [HEADER_LEN, good.len() / 2, good.len() - 1] {
            write(&good[..cut]);
            assert!(matches!(
                open_err::<BPlusTreeMap<u32, String>>(&path),
                FileError::Length { .. }
            ));
        }
        // Appended.
        let mut longer = good.clone();
        longer.push(0);
        write(&longer);
        assert!(matches!(
            open_err::<BPlusTreeMap<u32, String>>(&path),
            FileError::Length { .. }
        ));
        // Bad magic, version.
        let mut bad = good.clone();
        bad[7] = 0;
        write(&bad);
        assert!(matches!(
            open_err::<BPlusTreeMap<u32, String>>(&path),
            FileError::NotAnArchive
        ));
        let mut bad = good.clone();
        bad[8] = 0;
        write(&bad);
        assert!(matches!(
            open_err::<BPlusTreeMap<u32, String>>(&path),
            FileError::UnsupportedVersion { found: 0 }
        ));
        // A corrupt archive: the header is right, validation is not.
        let mut bad = good.clone();
        bad[HEADER_LEN] = 1; // key 0 becomes 1: equal to key 1.
        write(&bad);
        let e = open_err::<BPlusTreeMap<u32, String>>(&path);
        assert!(matches!(e, FileError::Rkyv(_)), "{e:?}");
        assert!(
            e.to_string()
                .contains("keys not strictly ascending at index 1"),
            "{e}"
        );
        // A missing file.
        std::fs::remove_file(&path.0).unwrap();
        assert!(matches!(
            open_err::<BPlusTreeMap<u32, String>>(&path),
            FileError::Io(_)
        ));
    }
}
