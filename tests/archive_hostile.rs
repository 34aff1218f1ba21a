//! Hostile bytes for the rkyv archive (`bptree::archive`, feature `rkyv`).
//! Everything runs inside `catch_unwind` and must not panic.
//!
//! - Hand-made corruption of each layout invariant gives the matching
//!   `ArchiveError` text through `rkyv::access`: keys out of order, a
//!   duplicate key, a separator that differs from its key (level 1 and
//!   level 2), a wrong separator count, a wrong value count; a truncated or
//!   misaligned buffer is rkyv's error. The same corrupt bytes read with
//!   `access_unchecked` (the module docs promise every read is bounds-
//!   checked) answer every query without panicking (and, under Miri,
//!   without undefined behaviour).
//! - Every single-bit flip, every prefix and every 4-byte-step suffix of
//!   several small archives (u32 -> u32 maps of 0, 1, 3, 17, 40 entries,
//!   a String -> u16 map of 20, a set of 30 u64; under Miri the maps of
//!   0 and 1 entries, a String map of 1 and a set of 2): whatever `access`
//!   accepts is a consistent tree: iteration both ways gives exactly
//!   `len()` strictly ascending keys, `get` finds each of them (by the
//!   native and the archived key), `range(..)` has `len()` entries, and it
//!   deserializes into valid trees (`check_invariants`) of `len()`
//!   entries.
//! - Random buffers (lengths 0..256, 16-aligned) for the u32 -> u32 map and
//!   the String set: a third uniform bytes, a third mostly-zero bytes, a
//!   third plausible archives (small random arrays under a root of small
//!   lengths and in-bounds offsets, which validate now and then): no
//!   panic, the same checks on whatever validates. 10^6 of each (debug
//!   and release), 200 under Miri. And valid archives with a few random
//!   bytes overwritten.
#![cfg(feature = "rkyv")]

mod common;

use std::fmt::Debug;
use std::mem::size_of;
use std::panic::{AssertUnwindSafe, catch_unwind};

use bptree::archive::{ArchivedBPlusTreeMap, ArchivedBPlusTreeSet, NativeOrd};
use bptree::{BPlusTreeMap, BPlusTreeSet, Compact16, VecArena};
use common::XorShift;
use rkyv::api::high::{HighDeserializer, HighSerializer, HighValidator};
use rkyv::bytecheck::CheckBytes;
use rkyv::rancor::BoxedError;
use rkyv::ser::allocator::ArenaHandle;
use rkyv::util::AlignedVec;
use rkyv::{Archive, Archived, Deserialize, Serialize};

/// A key type archived for these tests.
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

/// A value type archived for these tests.
trait Val:
    Clone
    + Debug
    + Archive<
        Archived: Debug
                      + for<'a> CheckBytes<HighValidator<'a, BoxedError>>
                      + Deserialize<Self, HighDeserializer<BoxedError>>,
    > + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>
{
}

impl<T> Val for T where
    T: Clone
        + Debug
        + Archive<
            Archived: Debug
                          + for<'a> CheckBytes<HighValidator<'a, BoxedError>>
                          + Deserialize<T, HighDeserializer<BoxedError>>,
        > + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>
{
}

type AMap<K, V> = ArchivedBPlusTreeMap<Archived<K>, Archived<V>>;
type ASet<T> = ArchivedBPlusTreeSet<Archived<T>>;
/// A deep configuration to deserialize into, beside the default one.
type Deep<K, V> = BPlusTreeMap<K, V, Compact16, VecArena, 4>;
type DeepSet<T> = BPlusTreeSet<T, Compact16, VecArena, 4>;

fn bytes_of<T>(value: &T) -> AlignedVec
where
    T: for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>,
{
    rkyv::to_bytes::<BoxedError>(value).unwrap()
}

/// A copy of `bytes` in a 16-aligned buffer.
fn aligned(bytes: &[u8]) -> AlignedVec {
    let mut v = AlignedVec::new();
    v.extend_from_slice(bytes);
    v
}

/// Runs `f`, failing the test (with `what` in the message) if it panics.
fn no_panic<R>(what: impl FnOnce() -> String, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("panicked on hostile input ({}): {msg}", what())
        }
    }
}

// ---------------------------------------------------------------------------
// Consistency of whatever validates
// ---------------------------------------------------------------------------

/// The checks on an archived map that `access` accepted. Returns its
/// length.
fn check_valid_map<K: Key, V: Val>(a: &AMap<K, V>) -> usize {
    let n = a.len();
    assert_eq!(a.is_empty(), n == 0);
    let keys: Vec<&Archived<K>> = a.iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), n, "forward iteration length");
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "keys not strictly ascending"
    );
    let back: Vec<&Archived<K>> = a.iter().rev().map(|(k, _)| k).collect();
    assert!(back.iter().rev().copied().eq(keys.iter().copied()));
    assert_eq!(a.keys().rev().count(), n);
    assert_eq!(a.values().count(), n);
    assert_eq!(a.range::<K, _>(..).len(), n);
    assert_eq!(a.range::<K, _>(..).rev().count(), n);
    for (k, v) in a.iter() {
        let native: K = rkyv::deserialize::<K, BoxedError>(k).unwrap();
        let found = a.get(&native).expect("get of an iterated key");
        assert!(std::ptr::eq(found, v));
        let (fk, _) = a
            .get_key_value::<Archived<K>>(k)
            .expect("get by the archived key");
        assert!(std::ptr::eq(fk, k));
        assert_eq!(a.range(&native..=&native).len(), 1);
    }
    if let (Some(first), Some(last)) = (a.first_key_value(), a.last_key_value()) {
        assert!(std::ptr::eq(first.0, keys[0]) && std::ptr::eq(last.0, keys[n - 1]));
    } else {
        assert_eq!(n, 0);
    }
    let _ = format!("{a:?}");
    let tree: BPlusTreeMap<K, V> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    tree.check_invariants().unwrap();
    assert_eq!(tree.len(), n);
    let deep: Deep<K, V> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    deep.check_invariants().unwrap();
    assert_eq!(deep.len(), n);
    assert!(tree.keys().eq(deep.keys()));
    n
}

/// The same for an archived set.
fn check_valid_set<T: Key>(a: &ASet<T>) -> usize {
    let n = a.len();
    assert_eq!(a.is_empty(), n == 0);
    let keys: Vec<&Archived<T>> = a.iter().collect();
    assert_eq!(keys.len(), n);
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    assert!(a.iter().rev().eq(keys.iter().rev().copied()));
    assert_eq!(a.range::<T, _>(..).len(), n);
    for k in a.iter() {
        let native: T = rkyv::deserialize::<T, BoxedError>(k).unwrap();
        assert!(std::ptr::eq(a.get(&native).expect("get"), k));
        assert!(a.contains::<Archived<T>>(k));
        assert_eq!(a.range(&native..=&native).len(), 1);
    }
    assert_eq!(a.first().is_some(), n > 0);
    assert_eq!(a.last().is_some(), n > 0);
    let _ = format!("{a:?}");
    let tree: BPlusTreeSet<T> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    tree.check_invariants().unwrap();
    assert_eq!(tree.len(), n);
    let deep: DeepSet<T> = rkyv::deserialize::<_, BoxedError>(a).unwrap();
    deep.check_invariants().unwrap();
    assert_eq!(deep.len(), n);
    n
}

/// `access` on hostile bytes as a map: no panic; `Some(len)` if accepted
/// (and consistent).
fn try_map<K: Key, V: Val>(bytes: &[u8], what: impl Fn() -> String) -> Option<usize> {
    no_panic(what, || {
        rkyv::access::<AMap<K, V>, BoxedError>(bytes)
            .ok()
            .map(check_valid_map::<K, V>)
    })
}

fn try_set<T: Key>(bytes: &[u8], what: impl Fn() -> String) -> Option<usize> {
    no_panic(what, || {
        rkyv::access::<ASet<T>, BoxedError>(bytes)
            .ok()
            .map(check_valid_set::<T>)
    })
}

// ---------------------------------------------------------------------------
// Hand-made corruption
// ---------------------------------------------------------------------------

/// Where an `ArchivedVec` field at `field` points, and its length (a
/// 4-byte relative offset and a 4-byte length, little-endian).
fn vec_field(bytes: &[u8], field: usize) -> (usize, usize) {
    let off = i32::from_le_bytes(bytes[field..field + 4].try_into().unwrap());
    let len = u32::from_le_bytes(bytes[field + 4..field + 8].try_into().unwrap());
    ((field as isize + off as isize) as usize, len as usize)
}

/// The archived fields of a map or set: (data position, length) of the
/// keys, the separators and (for a map) the values.
fn fields(bytes: &[u8], root_size: usize) -> Vec<(usize, usize)> {
    let root = bytes.len() - root_size;
    (0..root_size / 8)
        .map(|i| vec_field(bytes, root + 8 * i))
        .collect()
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn set_u32(bytes: &mut [u8], at: usize, x: u32) {
    bytes[at..at + 4].copy_from_slice(&x.to_le_bytes());
}

/// `access` refuses `bytes` as a u32 -> u32 map with a message containing
/// `expected`, without panicking; `access_unchecked` on the same bytes
/// answers every query without panicking.
fn expect_map_error(bytes: &mut AlignedVec, expected: &str) {
    let err = no_panic(
        || expected.to_string(),
        || rkyv::access::<AMap<u32, u32>, BoxedError>(bytes).map(|_| ()),
    )
    .expect_err(expected);
    assert!(
        err.to_string().contains(expected),
        "expected {expected:?}, got {err}"
    );
    no_panic(
        || format!("unchecked after {expected}"),
        || query_unchecked(bytes),
    );
}

/// Every query on bytes that pass rkyv's checks but not the tree's,
/// accessed without validation. None may panic (ranges with valid bounds)
/// or read out of bounds (Miri checks).
fn query_unchecked(bytes: &mut AlignedVec) {
    // SAFETY: the bytes pass rkyv's own checks (only the tree's `Verify`
    // fails), so they are a well-formed `ArchivedBPlusTreeMap` for rkyv;
    // the crate promises every read of one is bounds-checked.
    let a = unsafe { rkyv::access_unchecked::<AMap<u32, u32>>(bytes) };
    // Every key and a few beyond (a sample under Miri: ranges are O(n)).
    let n = if cfg!(miri) { a.len().min(6) } else { a.len() };
    for q in 0..(n as u32 + 3) {
        let _ = a.get(&q);
        let _ = a.get_key_value(&q);
        let _ = a.contains_key(&q);
        let _ = a.range(q..).count();
        let _ = a.range(..=q).rev().count();
        let _ = a.range(q..q + 5).len();
    }
    let _ = a.iter().count();
    let _ = a.iter().rev().count();
    let _ = a.iter().nth(3);
    let _ = a.keys().rev().count();
    let _ = a.values().count();
    let _ = (a.first_key_value(), a.last_key_value());
    let _ = format!("{a:?}");
    let _ = PartialEq::eq(a, a);
    // SAFETY: as above.
    let mut m = unsafe { rkyv::access_unchecked_mut::<AMap<u32, u32>>(bytes) };
    for q in 0..(n as u32 + 3) {
        if let Some(mut v) = AMap::<u32, u32>::get_seal(m.as_mut(), &q) {
            *v = v.to_native().wrapping_add(1).into();
        }
    }
    for (_, mut v) in AMap::<u32, u32>::range_seal(m.as_mut(), 2u32..) {
        *v = 0.into();
    }
    for (_, mut v) in AMap::<u32, u32>::iter_seal(m.as_mut()).rev() {
        *v = 1.into();
    }
}

/// A u32 -> u32 map of keys `0, 2, 4, ..` (values `k + 1`).
fn map_bytes(n: u32) -> AlignedVec {
    let map: BPlusTreeMap<u32, u32> = (0..n).map(|k| (2 * k, 2 * k + 1)).collect();
    bytes_of(&map)
}

const MAP_ROOT: usize = size_of::<AMap<u32, u32>>();

#[test]
fn layout_is_as_documented() {
    assert_eq!(MAP_ROOT, 24);
    assert_eq!(size_of::<ASet<u64>>(), 16);
    let bytes = map_bytes(40);
    let f = fields(&bytes, MAP_ROOT);
    assert_eq!(f[0], (0, 40), "the key array starts the buffer");
    assert_eq!(f[1].1, 3, "40 keys: separators 0, 16, 32");
    assert_eq!(f[2].1, 40);
    for (i, k) in [0u32, 32, 64].into_iter().enumerate() {
        assert_eq!(u32_at(&bytes, f[1].0 + 4 * i), k);
    }
    let bytes = map_bytes(300);
    let f = fields(&bytes, MAP_ROOT);
    assert_eq!(
        f[1].1,
        2 + 19,
        "300 keys: 2 level-2 and 19 level-1 separators"
    );
    assert_eq!(u32_at(&bytes, f[1].0 + 4), 2 * 256, "top level first");
}

#[test]
fn keys_out_of_order() {
    let mut bytes = map_bytes(40);
    let keys = fields(&bytes, MAP_ROOT)[0].0;
    // Swap keys 5 and 6.
    let (a, b) = (u32_at(&bytes, keys + 20), u32_at(&bytes, keys + 24));
    set_u32(&mut bytes, keys + 20, b);
    set_u32(&mut bytes, keys + 24, a);
    expect_map_error(&mut bytes, "keys not strictly ascending at index 6");

    // Swap the last two keys of a 300-key map.
    let mut bytes = map_bytes(300);
    let keys = fields(&bytes, MAP_ROOT)[0].0;
    let (a, b) = (
        u32_at(&bytes, keys + 4 * 298),
        u32_at(&bytes, keys + 4 * 299),
    );
    set_u32(&mut bytes, keys + 4 * 298, b);
    set_u32(&mut bytes, keys + 4 * 299, a);
    expect_map_error(&mut bytes, "keys not strictly ascending at index 299");

    // String keys: swap two adjacent (inline, 8-byte) archived strings.
    let map: BPlusTreeMap<String, u16> = (0..20).map(|k| (format!("s{k:02}"), k)).collect();
    let mut bytes = bytes_of(&map);
    let keys = fields(&bytes, size_of::<AMap<String, u16>>())[0].0;
    let (x, y) = (keys + 8 * 3, keys + 8 * 4);
    let tmp: [u8; 8] = bytes[x..x + 8].try_into().unwrap();
    bytes.copy_within(y..y + 8, x);
    bytes[y..y + 8].copy_from_slice(&tmp);
    let err = no_panic(
        || "string keys swapped".into(),
        || rkyv::access::<AMap<String, u16>, BoxedError>(&bytes).map(|_| ()),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("keys not strictly ascending at index 4"),
        "{err}"
    );

    // A set: swap keys 0 and 1 of 30 u64.
    let set: BPlusTreeSet<u64> = (0..30).map(|k| k * 1000).collect();
    let mut bytes = bytes_of(&set);
    let keys = fields(&bytes, size_of::<ASet<u64>>())[0].0;
    let tmp: [u8; 8] = bytes[keys..keys + 8].try_into().unwrap();
    bytes.copy_within(keys + 8..keys + 16, keys);
    bytes[keys + 8..keys + 16].copy_from_slice(&tmp);
    let err = no_panic(
        || "set keys swapped".into(),
        || rkyv::access::<ASet<u64>, BoxedError>(&bytes).map(|_| ()),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("keys not strictly ascending at index 1"),
        "{err}"
    );
}

#[test]
fn duplicate_key() {
    for (n, i) in [(2u32, 1usize), (40, 6), (40, 39), (300, 256)] {
        let mut bytes = map_bytes(n);
        let keys = fields(&bytes, MAP_ROOT)[0].0;
        let prev = u32_at(&bytes, keys + 4 * (i - 1));
        set_u32(&mut bytes, keys + 4 * i, prev);
        expect_map_error(
            &mut bytes,
            &format!("keys not strictly ascending at index {i}"),
        );
    }
}

#[test]
fn separator_differs_from_its_key() {
    // Level 1 of 40 keys: separator 1 stands for key 16.
    let mut bytes = map_bytes(40);
    let seps = fields(&bytes, MAP_ROOT)[1].0;
    set_u32(&mut bytes, seps + 4, 33);
    expect_map_error(&mut bytes, "separator 1 of level 1 differs from its key");
    // The first separator too (it equals key 0).
    let mut bytes = map_bytes(40);
    let seps = fields(&bytes, MAP_ROOT)[1].0;
    set_u32(&mut bytes, seps, 1);
    expect_map_error(&mut bytes, "separator 0 of level 1 differs from its key");

    // 300 keys: level 2 holds keys 0 and 256 (first), then level 1.
    let mut bytes = map_bytes(300);
    let seps = fields(&bytes, MAP_ROOT)[1].0;
    set_u32(&mut bytes, seps + 4, 2 * 255);
    expect_map_error(&mut bytes, "separator 1 of level 2 differs from its key");
    let mut bytes = map_bytes(300);
    let seps = fields(&bytes, MAP_ROOT)[1].0;
    // Level 1 entry 3 (key 48, at 2 * 48) made one above.
    set_u32(&mut bytes, seps + 4 * (2 + 3), 2 * 48 + 2);
    expect_map_error(&mut bytes, "separator 3 of level 1 differs from its key");
    // The last entry of level 1 (key 288).
    let mut bytes = map_bytes(300);
    let seps = fields(&bytes, MAP_ROOT)[1].0;
    set_u32(&mut bytes, seps + 4 * (2 + 18), 0);
    expect_map_error(&mut bytes, "separator 18 of level 1 differs from its key");

    // A set of u64: level 1 separator 1.
    let set: BPlusTreeSet<u64> = (0..30).collect();
    let mut bytes = bytes_of(&set);
    let seps = fields(&bytes, size_of::<ASet<u64>>())[1].0;
    bytes[seps + 8] ^= 0x80;
    let err = no_panic(
        || "set separator".into(),
        || rkyv::access::<ASet<u64>, BoxedError>(&bytes).map(|_| ()),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("separator 1 of level 1 differs from its key"),
        "{err}"
    );
}

/// Patches the length of field `field` of the root.
fn patch_len(bytes: &mut AlignedVec, root_size: usize, field: usize, len: u32) {
    let at = bytes.len() - root_size + 8 * field + 4;
    set_u32(bytes, at, len);
}

#[test]
fn separator_count_is_wrong() {
    for (n, found) in [(40u32, 2u32), (40, 0), (300, 20), (17, 1), (300, 19)] {
        let mut bytes = map_bytes(n);
        let expected = fields(&bytes, MAP_ROOT)[1].1;
        patch_len(&mut bytes, MAP_ROOT, 1, found);
        expect_map_error(
            &mut bytes,
            &format!("{n} keys need {expected} separators, found {found}"),
        );
    }
    // Fewer keys than the separators were written for: 40 keys read as 16
    // need none (the values are 40 too: the separator count is checked
    // first).
    let mut bytes = map_bytes(40);
    patch_len(&mut bytes, MAP_ROOT, 0, 16);
    expect_map_error(&mut bytes, "16 keys need 0 separators, found 3");
    // A set.
    let set: BPlusTreeSet<u64> = (0..30).collect();
    let mut bytes = bytes_of(&set);
    patch_len(&mut bytes, size_of::<ASet<u64>>(), 1, 1);
    let err = rkyv::access::<ASet<u64>, BoxedError>(&bytes)
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("30 keys need 2 separators, found 1"),
        "{err}"
    );
}

#[test]
fn value_count_is_wrong() {
    for (n, values) in [(40u32, 39u32), (40, 0), (1, 0), (300, 299)] {
        let mut bytes = map_bytes(n);
        patch_len(&mut bytes, MAP_ROOT, 2, values);
        expect_map_error(&mut bytes, &format!("{n} keys but {values} values"));
    }
    // Fewer keys than values (40 keys read as 33, whose separators are
    // still 0, 16 and 32).
    let mut bytes = map_bytes(40);
    patch_len(&mut bytes, MAP_ROOT, 0, 33);
    expect_map_error(&mut bytes, "33 keys but 40 values");
}

#[test]
fn truncated_and_misaligned_buffers_are_rkyv_errors() {
    let bytes = map_bytes(40);
    for cut in [0, 1, 7, 23, bytes.len() / 2, bytes.len() - 1] {
        let short = aligned(&bytes[..cut]);
        let r = no_panic(
            || format!("truncated to {cut}"),
            || rkyv::access::<AMap<u32, u32>, BoxedError>(&short).map(|_| ()),
        );
        assert!(r.is_err(), "truncated to {cut} validated");
    }
    for shift in [1, 2, 3] {
        let mut buf = AlignedVec::<16>::new();
        buf.extend_from_slice(&vec![0; shift]);
        buf.extend_from_slice(&bytes);
        let err = no_panic(
            || format!("misaligned by {shift}"),
            || rkyv::access::<AMap<u32, u32>, BoxedError>(&buf[shift..]).map(|_| ()),
        )
        .unwrap_err();
        assert!(!err.to_string().contains("bptree"), "{err}");
    }
}

// ---------------------------------------------------------------------------
// Bit flips and truncations
// ---------------------------------------------------------------------------

/// Counts of how hostile variants fared.
#[derive(Debug, Default)]
struct Tally {
    tried: usize,
    accepted: usize,
    non_empty: usize,
}

impl Tally {
    fn add(&mut self, r: Option<usize>) {
        self.tried += 1;
        if let Some(n) = r {
            self.accepted += 1;
            self.non_empty += usize::from(n > 0);
        }
    }
}

/// Every single-bit flip, every prefix and every suffix (at 4-byte steps,
/// copied to an aligned buffer) of `bytes`, through `check`.
fn mutations(
    name: &str,
    bytes: &[u8],
    check: impl Fn(&[u8], &dyn Fn() -> String) -> Option<usize>,
) {
    let mut tally = Tally::default();
    let mut buf = aligned(bytes);
    for bit in 0..bytes.len() * 8 {
        buf[bit / 8] ^= 1 << (bit % 8);
        tally.add(check(&buf, &|| format!("{name}: bit {bit} flipped")));
        buf[bit / 8] ^= 1 << (bit % 8);
    }
    for cut in 0..bytes.len() {
        tally.add(check(&buf[..cut], &|| {
            format!("{name}: truncated to {cut}")
        }));
    }
    for start in (4..bytes.len()).step_by(4) {
        let suffix = aligned(&bytes[start..]);
        tally.add(check(&suffix, &|| {
            format!("{name}: first {start} bytes cut")
        }));
    }
    // The original itself is fine.
    assert!(check(&buf, &|| name.to_string()).is_some(), "{name}");
    eprintln!("{name}: {tally:?}");
}

#[test]
fn bit_flips_and_truncations_of_u32_maps() {
    let sizes: &[u32] = if cfg!(miri) {
        &[0, 1]
    } else {
        &[0, 1, 3, 17, 40]
    };
    for &n in sizes {
        let bytes = map_bytes(n);
        mutations(&format!("u32 map of {n}"), &bytes, |b, what| {
            try_map::<u32, u32>(b, what)
        });
    }
}

#[test]
fn bit_flips_and_truncations_of_a_string_map_and_a_u64_set() {
    // Short strings are inline; long ones point outside the key array.
    let n = if cfg!(miri) { 1 } else { 20 };
    let map: BPlusTreeMap<String, u16> = (0..n)
        .map(|k| {
            let long = if k % 3 == 0 {
                "-long-enough-to-be-out-of-line"
            } else {
                ""
            };
            (format!("s{k:02}{long}"), k)
        })
        .collect();
    let bytes = bytes_of(&map);
    mutations(&format!("String map of {n}"), &bytes, |b, what| {
        try_map::<String, u16>(b, what)
    });
    let n = if cfg!(miri) { 2 } else { 30 };
    let set: BPlusTreeSet<u64> = (0..n).map(|k| k * k).collect();
    let bytes = bytes_of(&set);
    mutations(&format!("u64 set of {n}"), &bytes, |b, what| {
        try_set::<u64>(b, what)
    });
}

// ---------------------------------------------------------------------------
// Random buffers
// ---------------------------------------------------------------------------

/// Random buffers per test: 10^6 (a debug build runs them in about ten
/// seconds, so no smaller debug count is needed), 200 under Miri.
const RANDOM_BUFFERS: usize = if cfg!(miri) { 200 } else { 1_000_000 };

/// Fills `buf` with a random buffer of up to 255 bytes, by `i % 3`:
/// uniform bytes; mostly-zero bytes; or a plausible archive: random small
/// bytes for the arrays, then a root of `fields` vectors with small
/// lengths whose offsets point into them in order (elements of `elem`
/// bytes), which validates now and then.
fn random_buffer(rng: &mut XorShift, buf: &mut AlignedVec, i: usize, fields: usize, elem: usize) {
    buf.clear();
    if i % 3 == 2 {
        let data_len = rng.below(24) as usize * 8;
        for _ in 0..data_len {
            let r = rng.next_u64();
            buf.push(if r.is_multiple_of(4) {
                (r >> 8) as u8
            } else {
                ((r >> 8) % 4) as u8
            });
        }
        let k = rng.below(6) as usize;
        let mut pos = 0;
        for f in 0..fields {
            let len = match f {
                0 => k,
                1 => usize::from(rng.below(8) == 0),
                _ => k + usize::from(rng.below(8) == 0),
            };
            let start = (pos + rng.below(2) as usize * elem).min(data_len);
            let offset = start as i64 - (data_len + 8 * f) as i64;
            buf.extend_from_slice(&(offset as i32).to_le_bytes());
            buf.extend_from_slice(&(len as u32).to_le_bytes());
            pos = start + len * elem;
        }
        return;
    }
    let len = rng.below(256) as usize;
    for _ in 0..len {
        let r = rng.next_u64();
        let byte = if i.is_multiple_of(3) {
            r as u8
        } else {
            match r % 8 {
                0 => (r >> 8) as u8,
                1 => ((r >> 8) % 8) as u8,
                _ => 0,
            }
        };
        buf.push(byte);
    }
}

#[test]
fn random_buffers_as_u32_maps() {
    let mut rng = XorShift::new(common::seed_of("random_buffers_as_u32_maps"));
    let mut buf = AlignedVec::new();
    let mut tally = Tally::default();
    for i in 0..RANDOM_BUFFERS {
        random_buffer(&mut rng, &mut buf, i, 3, 4);
        tally.add(try_map::<u32, u32>(&buf, || {
            format!("random buffer {i}: {:?}", buf.as_slice())
        }));
    }
    eprintln!("random u32 -> u32 maps: {tally:?}");
    assert!(tally.non_empty > 0);
}

#[test]
fn random_buffers_as_string_sets() {
    let mut rng = XorShift::new(common::seed_of("random_buffers_as_string_sets"));
    let mut buf = AlignedVec::new();
    let mut tally = Tally::default();
    for i in 0..RANDOM_BUFFERS {
        random_buffer(&mut rng, &mut buf, i, 2, 8);
        tally.add(try_set::<String>(&buf, || {
            format!("random buffer {i}: {:?}", buf.as_slice())
        }));
    }
    eprintln!("random String sets: {tally:?}");
    assert!(tally.non_empty > 0);
}

/// Valid archives with several random bytes overwritten: closer to valid
/// than random buffers, so more of them validate.
#[test]
fn random_overwrites_of_valid_archives() {
    let rounds = if cfg!(miri) { 30 } else { 20_000 };
    let mut rng = XorShift::new(common::seed_of("random_overwrites"));
    let map = map_bytes(if cfg!(miri) { 5 } else { 40 });
    let strings: BPlusTreeSet<String> = (0..if cfg!(miri) { 5 } else { 40 })
        .map(|k: u32| "x".repeat(k as usize % 12) + &k.to_string())
        .collect();
    let set = bytes_of(&strings);
    let (mut t1, mut t2) = (Tally::default(), Tally::default());
    for round in 0..rounds {
        for (bytes, tally, is_map) in [(&map, &mut t1, true), (&set, &mut t2, false)] {
            let mut buf = aligned(bytes);
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(buf.len() as u64) as usize;
                buf[at] = match rng.below(3) {
                    0 => rng.next_u64() as u8,
                    1 => buf[at].wrapping_add(1),
                    _ => buf[at].wrapping_sub(1),
                };
            }
            let what = || format!("round {round}: {:?}", buf.as_slice());
            tally.add(if is_map {
                try_map::<u32, u32>(&buf, what)
            } else {
                try_set::<String>(&buf, what)
            });
        }
    }
    eprintln!("overwritten u32 map: {t1:?}; overwritten String set: {t2:?}");
}
