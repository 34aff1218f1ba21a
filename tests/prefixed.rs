//! The `Prefixed` configurations: byte-string keys searched through the
//! prefixes their nodes keep, against `BTreeMap` as the oracle, with the
//! invariant checker (which compares every node's prefixes with its keys'
//! bytes) after every mutation.
//!
//! The keys are built to reach every case of the prefix logic: ids whose
//! shared prefix is longer than a node records (32 bytes), keys that are
//! prefixes of each other or differ only in trailing zero bytes (`"a"`,
//! `"a\0"`, `"a\0\0"`: equal words, told apart by `Ord`), empty keys, and
//! keys from several families in one map (so nodes' shared bytes shrink
//! as keys arrive and grow back on splits).

mod common;

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Included, Unbounded};

use bptree::policy::{Counted, Indirect, KeyImage, KeyPrefix, PoolArena, Prefixed, VecArena};
use bptree::{BPlusTreeMap, BPlusTreeSet, Compact16, Wide32};
use common::XorShift;

const OPS: usize = if cfg!(miri) { 100 } else { 6_000 };
const SEEDS: u64 = if cfg!(miri) { 1 } else { 4 };

/// A key from `n`, in one of several families chosen by the RNG.
fn key(rng: &mut XorShift, space: u64) -> String {
    let n = rng.below(space);
    match rng.below(6) {
        // A prefix longer than the 32 bytes a node records.
        0 => format!("tenant/acme-corporation/region-eu/user:{n:06}"),
        // Ids with a short shared prefix.
        1 => format!("user:{n:012}"),
        // Keys that differ in trailing zero bytes and prefixes of each
        // other: "a", "a\0", "a\0\0", "ab", ...
        2 => {
            let mut s = String::from("a");
            for _ in 0..n % 5 {
                s.push('\0');
            }
            if n.is_multiple_of(7) {
                s.push('b');
            }
            s
        }
        // Short words from a small alphabet (many shared bytes, many ties).
        3 => (0..1 + n % 9)
            .map(|i| char::from(b'a' + ((n >> i) % 3) as u8))
            .collect(),
        // The empty key and single bytes, zero included.
        4 => match n % 4 {
            0 => String::new(),
            1 => "\0".to_string(),
            2 => "\u{7f}".to_string(),
            _ => "\u{ff}".to_string(),
        },
        // Long keys that differ only past 40 bytes.
        _ => format!("{}{n:08}", "x".repeat(40)),
    }
}

/// Random operations on `ours` and on a `BTreeMap`, which must agree after
/// each; invariants checked after every fourth operation (each check walks
/// the whole map) and at the end.
fn differential<H: bptree::policy::Handle, A: bptree::policy::ArenaStrategy, const CAP: usize>(
    seed: u64,
    space: u64,
) {
    let mut rng = XorShift::new(seed);
    let mut ours: BPlusTreeMap<String, u64, H, A, CAP> = BPlusTreeMap::empty();
    let mut std: BTreeMap<String, u64> = BTreeMap::new();
    for step in 0..OPS as u64 {
        let k = key(&mut rng, space);
        match rng.below(16) {
            0..=5 => assert_eq!(ours.insert(k.clone(), step), std.insert(k, step)),
            6..=8 => assert_eq!(ours.remove(k.as_str()), std.remove(k.as_str())),
            9..=10 => {
                assert_eq!(ours.get(k.as_str()), std.get(k.as_str()), "get {k:?}");
                assert_eq!(ours.get(&k), std.get(&k));
                assert_eq!(ours.contains_key(k.as_str()), std.contains_key(k.as_str()));
            }
            11 => {
                let hi = key(&mut rng, space);
                let (lo, hi) = if k <= hi { (k, hi) } else { (hi, k) };
                let a: Vec<_> = ours
                    .range::<str, _>((Included(lo.as_str()), Excluded(hi.as_str())))
                    .collect();
                let b: Vec<_> = std
                    .range::<str, _>((Included(lo.as_str()), Excluded(hi.as_str())))
                    .collect();
                assert_eq!(a, b);
                let a: Vec<_> = ours
                    .range::<str, _>((Excluded(lo.as_str()), Unbounded))
                    .take(5)
                    .collect();
                let b: Vec<_> = std
                    .range::<str, _>((Excluded(lo.as_str()), Unbounded))
                    .take(5)
                    .collect();
                assert_eq!(a, b);
            }
            12 => {
                *ours.entry(k.clone()).or_insert(0) += 1;
                *std.entry(k).or_insert(0) += 1;
            }
            13 => {
                let n = rng.below(100);
                let batch: Vec<(String, u64)> = (0..n).map(|i| (key(&mut rng, space), i)).collect();
                ours.extend(batch.clone());
                std.extend(batch);
            }
            14 => {
                // Retain, and now and then a split and an append back.
                let m = 2 + rng.below(5);
                ours.retain(|_, v| *v % m != 0);
                std.retain(|_, v| *v % m != 0);
                if rng.below(4) == 0 {
                    let mut right = ours.split_off(k.as_str());
                    let mut std_right = std.split_off(k.as_str());
                    right.check_invariants().unwrap();
                    assert!(right.iter().eq(std_right.iter()));
                    ours.append(&mut right);
                    std.append(&mut std_right);
                }
            }
            _ => {
                // Rebuild in bulk, or clone.
                if rng.below(2) == 0 {
                    ours = std.iter().map(|(k, v)| (k.clone(), *v)).collect();
                } else {
                    ours = ours.clone();
                }
            }
        }
        if step % 4 == 0 {
            ours.check_invariants().unwrap();
        }
        assert_eq!(ours.len(), std.len());
        if step % 512 == 0 {
            assert!(ours.iter().eq(std.iter()), "step {step}");
        }
    }
    ours.check_invariants().unwrap();
    assert!(ours.iter().eq(std.iter()));
    // Every key, and its neighbours, found as std finds them.
    for k in std.keys() {
        assert_eq!(ours.get(k.as_str()), std.get(k.as_str()));
        let below: String = k.chars().take(k.len().saturating_sub(1)).collect();
        assert_eq!(ours.get(below.as_str()), std.get(below.as_str()));
        let above = format!("{k}\0");
        assert_eq!(ours.get(above.as_str()), std.get(above.as_str()));
    }
}

#[test]
fn prefixed_agrees_with_btreemap_cap4() {
    for seed in 1..=SEEDS {
        differential::<Wide32, Prefixed<VecArena>, 4>(seed, 400);
    }
}

#[test]
fn prefixed_agrees_with_btreemap_cap64() {
    for seed in 1..=SEEDS {
        differential::<Wide32, Prefixed<VecArena>, 64>(seed, 100_000);
    }
}

#[test]
fn prefixed_composes_with_other_arenas() {
    for seed in 1..=SEEDS.min(3) {
        differential::<Compact16, Prefixed<PoolArena>, 8>(seed, 2_000);
        differential::<Wide32, Counted<Prefixed<VecArena>>, 6>(seed, 2_000);
        differential::<Wide32, Indirect<Prefixed<VecArena>>, 16>(seed, 2_000);
    }
}

/// Every byte-string key type the configuration recognises, looked up by
/// its borrowed form; and a key type it does not recognise, which works as
/// in any other configuration.
#[test]
fn key_types() {
    type P<K> = BPlusTreeMap<K, u32, Wide32, Prefixed<VecArena>, 4>;
    let n = if cfg!(miri) { 60 } else { 2_000 };
    let words: Vec<String> = (0..n)
        .map(|i| format!("item-{:05}", (i * 7919) % n))
        .collect();

    let m: P<Vec<u8>> = words.iter().map(|w| (w.clone().into_bytes(), 1)).collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get(b"item-00042".as_slice()), Some(&1));
    assert_eq!(m.get(b"item-0004".as_slice()), None);

    let m: P<Box<str>> = words
        .iter()
        .map(|w| (w.clone().into_boxed_str(), 2))
        .collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get("item-00042"), Some(&2));

    let m: P<&str> = words.iter().map(|w| (w.as_str(), 3)).collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get("item-00042"), Some(&3));
    assert_eq!(m.get(&"item-00042"), Some(&3));

    let m: P<std::sync::Arc<str>> = words.iter().map(|w| (w.as_str().into(), 4)).collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get("item-00042"), Some(&4));

    let m: P<std::borrow::Cow<'_, str>> = words.iter().map(|w| (w.as_str().into(), 5)).collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get("item-00042"), Some(&5));

    // Not byte strings: searched by `Ord`.
    let m: P<(String, u32)> = words.iter().map(|w| ((w.clone(), 1), 6)).collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get(&("item-00042".to_string(), 1)), Some(&6));
    let m: P<u64> = (0..n as u64).map(|i| (i * 3, 7)).collect();
    m.check_invariants().unwrap();
    assert_eq!(m.get(&42), Some(&7));
    assert_eq!(m.get(&43), None);

    // The set.
    let s: BPlusTreeSet<String, Wide32, Prefixed<VecArena>, 4> = words.iter().cloned().collect();
    s.check_invariants().unwrap();
    assert!(s.contains("item-00042"));
    assert!(!s.contains("item-0004"));
}

/// Random operations on keys of any type against `BTreeMap`, as
/// `differential` does for `String` keys (without borrowed lookups).
fn differential_keys<K, H, A, const CAP: usize>(seed: u64, mut key: impl FnMut(&mut XorShift) -> K)
where
    K: Ord + Clone + std::fmt::Debug,
    H: bptree::policy::Handle,
    A: bptree::policy::ArenaStrategy,
{
    let mut rng = XorShift::new(seed);
    let mut ours: BPlusTreeMap<K, u64, H, A, CAP> = BPlusTreeMap::empty();
    let mut std: BTreeMap<K, u64> = BTreeMap::new();
    for step in 0..OPS as u64 {
        let k = key(&mut rng);
        match rng.below(12) {
            0..=4 => assert_eq!(ours.insert(k.clone(), step), std.insert(k, step)),
            5..=6 => assert_eq!(ours.remove(&k), std.remove(&k)),
            7..=8 => assert_eq!(ours.get(&k), std.get(&k), "get {k:?}"),
            9 => {
                let hi = key(&mut rng);
                let (lo, hi) = if k <= hi { (k, hi) } else { (hi, k) };
                assert!(
                    ours.range(lo.clone()..hi.clone())
                        .eq(std.range(lo.clone()..hi))
                );
                assert!(
                    ours.range(..=lo.clone())
                        .rev()
                        .take(3)
                        .eq(std.range(..=lo).rev().take(3))
                );
            }
            10 => {
                let batch: Vec<(K, u64)> = (0..rng.below(80)).map(|i| (key(&mut rng), i)).collect();
                ours.extend(batch.clone());
                std.extend(batch);
            }
            _ => {
                let m = 2 + rng.below(5);
                ours.retain(|_, v| *v % m != 0);
                std.retain(|_, v| *v % m != 0);
                match rng.below(3) {
                    0 => ours = std.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                    1 => {
                        let mut right = ours.split_off(&k);
                        let mut std_right = std.split_off(&k);
                        right.check_invariants().unwrap();
                        ours.append(&mut right);
                        std.append(&mut std_right);
                    }
                    _ => ours = ours.clone(),
                }
            }
        }
        if step % 4 == 0 {
            ours.check_invariants().unwrap();
        }
        assert_eq!(ours.len(), std.len());
    }
    ours.check_invariants().unwrap();
    assert!(ours.iter().eq(std.iter()));
    for k in std.keys() {
        assert_eq!(ours.get(k), std.get(k));
    }
}

/// A key type of a user's, with a lifetime, whose image is its fields in
/// `Ord`'s order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Account<'a> {
    tenant: u16,
    name: &'a str,
    serial: i32,
}

// SAFETY: the methods push bytes and keep no reference.
unsafe impl KeyPrefix for Account<'_> {
    fn write_image(&self, image: &mut KeyImage) {
        (self.tenant, self.name, self.serial).write_image(image);
    }
}

fn pair(r: &mut XorShift) -> (u64, u64) {
    // First fields in 0..1000, as ids of a parent: every node's keys share
    // leading bytes.
    (r.below(1000), r.below(1 << 40))
}

fn named(r: &mut XorShift) -> (String, u32) {
    // Strings first, then an integer: prefixes of each other, zero bytes,
    // long shared prefixes.
    (key(r, 300), r.below(4) as u32)
}

fn signed(r: &mut XorShift) -> (i8, i64) {
    (r.below(7) as i8 - 3, r.below(1 << 20) as i64 - (1 << 19))
}

/// Keys of the configuration's own key type `P`: tuples of integers and
/// strings, and a struct of a user's (with a lifetime: `P` names it with
/// `'static`, the map's keys borrow from a local `Vec`), at CAP 4 (deep
/// trees, every rebalancing case). Under Miri, the struct and the pairs
/// (the struct's image goes through the tuple and string impls).
#[test]
fn configured_keys_small_nodes() {
    let names: Vec<String> = (0..50).map(|i| format!("name-{}", i % 17)).collect();
    let account = |r: &mut XorShift| Account {
        tenant: r.below(3) as u16,
        name: &names[r.below(50) as usize],
        serial: r.below(9) as i32 - 4,
    };
    for seed in 1..=SEEDS.min(2) {
        differential_keys::<_, Wide32, Prefixed<VecArena, Account<'static>>, 4>(seed, account);
        differential_keys::<_, Wide32, Prefixed<VecArena, (u64, u64)>, 4>(seed, pair);
        if !cfg!(miri) {
            differential_keys::<_, Wide32, Prefixed<VecArena, (String, u32)>, 4>(seed, named);
            differential_keys::<_, Wide32, Prefixed<VecArena, (i8, i64)>, 4>(seed, signed);
        }
    }
}

/// The same key types in nodes of 64 and 8, with other arenas and counts.
#[test]
fn configured_keys_wide_nodes() {
    for seed in 1..=SEEDS.min(2) {
        differential_keys::<_, Wide32, Prefixed<VecArena, (u64, u64)>, 64>(seed, pair);
        differential_keys::<_, Compact16, Counted<Prefixed<PoolArena, (u64, u64)>>, 8>(seed, pair);
        differential_keys::<_, Wide32, Prefixed<VecArena, (String, u32)>, 64>(seed, named);
        differential_keys::<_, Wide32, Indirect<Prefixed<VecArena, (i8, i64)>>, 16>(seed, signed);
    }
}

/// A configuration for one key type still knows the byte strings, and
/// searches other key types by `Ord`.
#[test]
fn configured_key_type_beside_others() {
    for seed in 1..=SEEDS.min(2) {
        differential::<Wide32, Prefixed<VecArena, (u64, u64)>, 4>(seed, 400);
    }
    let wide = |r: &mut XorShift| (r.below(1000), r.below(1000), r.below(3));
    differential_keys::<_, Wide32, Prefixed<VecArena, (u64, u64)>, 4>(1, wide);
    differential_keys::<_, Wide32, Prefixed<VecArena, (u64, u64)>, 4>(2, |r| r.below(5000));
}
