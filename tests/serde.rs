//! Serde parity with `std::collections::{BTreeMap, BTreeSet}` (the `serde`
//! feature): the JSON of a map or set equals serde_json's for the std
//! collection of the same contents, in every configuration; round trips
//! rebuild an equal, valid tree; repeated keys keep the last value; a map
//! works as a derived struct's field; wrong input is an error, not a panic.
#![cfg(feature = "serde")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use bptree::config::{self, TreeConfig};
use bptree::policy::{ArenaStrategy, Handle};
use bptree::{BPlusTreeMap, BPlusTreeSet, Compact16, VecArena};
use common::XorShift;
use serde::{Deserialize, Serialize};

/// A deep tree: 1000 entries at 4 per node are several levels.
type Deep<K, V> = BPlusTreeMap<K, V, Compact16, VecArena, 4>;
/// The set of the same configuration.
type DeepSet<T> = BPlusTreeSet<T, Compact16, VecArena, 4>;

/// Sizes that cover the empty map, a small sorted run and a multi-level tree
/// (under Miri 30 and 100 for 100 and 1000: still several levels at 4 per
/// node).
const SIZES: [usize; 5] = if cfg!(miri) {
    [0, 1, 7, 30, 100]
} else {
    [0, 1, 7, 100, 1000]
};

/// `n` distinct keys from `key`, in a shuffled order.
fn shuffled<K>(n: usize, seed: u64, key: impl Fn(u64) -> K) -> Vec<K> {
    let mut ids: Vec<u64> = (0..n as u64).collect();
    let mut rng = XorShift::new(seed);
    for i in (1..ids.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        ids.swap(i, j);
    }
    ids.into_iter().map(key).collect()
}

/// Fills a map of configuration `(H, A, CAP)` and a `BTreeMap` with the same
/// entries, inserted one by one in a shuffled order (so the tree is not the
/// full-fill shape of a bulk build).
fn both<K, V, H, A, const CAP: usize>(
    entries: &[(K, V)],
) -> (BPlusTreeMap<K, V, H, A, CAP>, BTreeMap<K, V>)
where
    K: Ord + Clone,
    V: Clone,
    H: Handle,
    A: ArenaStrategy,
{
    let mut ours = BPlusTreeMap::empty();
    let mut std = BTreeMap::new();
    for (k, v) in entries {
        ours.insert(k.clone(), v.clone());
        std.insert(k.clone(), v.clone());
    }
    ours.check_invariants().unwrap();
    (ours, std)
}

/// The JSON of `ours` is the JSON of `std`, in compact and pretty form, and
/// so is its `serde_json::Value`.
fn assert_same_json<T: Serialize + ?Sized, U: Serialize + ?Sized>(ours: &T, std: &U) {
    let json = serde_json::to_string(ours).unwrap();
    assert_eq!(json, serde_json::to_string(std).unwrap());
    assert_eq!(
        serde_json::to_string_pretty(ours).unwrap(),
        serde_json::to_string_pretty(std).unwrap()
    );
    assert_eq!(
        serde_json::to_value(ours).unwrap(),
        serde_json::to_value(std).unwrap()
    );
}

/// Map JSON parity and round trips (through text and through
/// `serde_json::Value`) for one configuration.
fn check_map<K, V, H, A, const CAP: usize>(entries: &[(K, V)])
where
    K: Ord + Clone + Debug + Serialize + for<'de> Deserialize<'de>,
    V: Clone + PartialEq + Debug + Serialize + for<'de> Deserialize<'de>,
    H: Handle,
    A: ArenaStrategy,
{
    let (ours, std) = both::<K, V, H, A, CAP>(entries);
    assert_same_json(&ours, &std);

    let json = serde_json::to_string(&ours).unwrap();
    let back: BPlusTreeMap<K, V, H, A, CAP> = serde_json::from_str(&json).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back, ours);
    // std's JSON reads as ours and ours as std's.
    let from_std: BPlusTreeMap<K, V, H, A, CAP> =
        serde_json::from_str(&serde_json::to_string(&std).unwrap()).unwrap();
    assert_eq!(from_std, ours);
    let as_std: BTreeMap<K, V> = serde_json::from_str(&json).unwrap();
    assert_eq!(as_std, std);

    let value = serde_json::to_value(&ours).unwrap();
    let back: BPlusTreeMap<K, V, H, A, CAP> = serde_json::from_value(value).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back, ours);
}

/// Set JSON parity and round trips for one configuration.
fn check_set<T, H, A, const CAP: usize>(elements: &[T])
where
    T: Ord + Clone + Debug + Serialize + for<'de> Deserialize<'de>,
    H: Handle,
    A: ArenaStrategy,
{
    let mut ours = BPlusTreeSet::<T, H, A, CAP>::empty();
    let mut std = BTreeSet::new();
    for e in elements {
        ours.insert(e.clone());
        std.insert(e.clone());
    }
    ours.check_invariants().unwrap();
    assert_same_json(&ours, &std);

    let json = serde_json::to_string(&ours).unwrap();
    let back: BPlusTreeSet<T, H, A, CAP> = serde_json::from_str(&json).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back, ours);
    let as_std: BTreeSet<T> = serde_json::from_str(&json).unwrap();
    assert_eq!(as_std, std);

    let value = serde_json::to_value(&ours).unwrap();
    let back: BPlusTreeSet<T, H, A, CAP> = serde_json::from_value(value).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back, ours);
}

/// Runs `$check::<..>(&$data)` for the default configuration, `Compact`,
/// `Phase0` and the deep `Compact16` / `VecArena` / 4 configuration.
macro_rules! each_config {
    ($check:ident::<$($t:ty),+>($data:expr)) => {{
        let data = $data;
        $check::<$($t,)+ bptree::Wide32, VecArena, 64>(&data);
        $check::<
            $($t,)+
            <config::Compact as TreeConfig>::Handle,
            <config::Compact as TreeConfig>::Arena,
            { <config::Compact as TreeConfig>::CAPACITY },
        >(&data);
        $check::<
            $($t,)+
            <config::Phase0 as TreeConfig>::Handle,
            <config::Phase0 as TreeConfig>::Arena,
            { <config::Phase0 as TreeConfig>::CAPACITY },
        >(&data);
        $check::<$($t,)+ Compact16, VecArena, 4>(&data);
    }};
}

#[test]
fn map_u64_string_json_matches_btreemap() {
    for n in SIZES {
        let entries: Vec<(u64, String)> = shuffled(n, 1, |i| (i * 7919, format!("v{i}")));
        each_config!(check_map::<u64, String>(entries));
    }
}

#[test]
fn map_string_keys_json_matches_btreemap() {
    for n in SIZES {
        // Keys whose string order differs from their numeric order, with
        // characters JSON must escape.
        let entries: Vec<(String, u32)> = shuffled(n, 2, |i| (format!("k\"{i}\\\u{e9}"), i as u32));
        each_config!(check_map::<String, u32>(entries));
    }
}

#[test]
fn map_of_unit_values_and_empty_maps() {
    for n in SIZES {
        let entries: Vec<(i32, ())> = shuffled(n, 3, |i| (i as i32 - 500, ()));
        each_config!(check_map::<i32, ()>(entries));
    }
    // An empty map is `{}` in every configuration, like std's.
    assert_eq!(
        serde_json::to_string(&BPlusTreeMap::<u8, u8>::new()).unwrap(),
        "{}"
    );
    assert_eq!(
        serde_json::to_string(&bptree::phase::Compact::<u8, u8>::empty()).unwrap(),
        "{}"
    );
    assert_eq!(
        serde_json::to_string(&Deep::<u8, u8>::empty()).unwrap(),
        "{}"
    );
    let empty: Deep<u32, u32> = serde_json::from_str("{}").unwrap();
    assert!(empty.is_empty());
    empty.check_invariants().unwrap();
}

#[test]
fn nested_maps_json_matches_btreemap() {
    let entries: Vec<(u8, BTreeMap<String, Vec<u8>>)> = (0..20u8)
        .map(|i| (i, (0..i).map(|j| (format!("{j}"), vec![i, j])).collect()))
        .collect();
    each_config!(check_map::<u8, BTreeMap<String, Vec<u8>>>(entries));

    // Our map inside our map, against std's inside std's.
    let ours: BPlusTreeMap<u8, BPlusTreeMap<u8, bool>> = (0..50u8)
        .map(|i| (i, (0..i).map(|j| (j, j % 2 == 0)).collect()))
        .collect();
    let std: BTreeMap<u8, BTreeMap<u8, bool>> = (0..50u8)
        .map(|i| (i, (0..i).map(|j| (j, j % 2 == 0)).collect()))
        .collect();
    assert_same_json(&ours, &std);
    let back: BPlusTreeMap<u8, BPlusTreeMap<u8, bool>> =
        serde_json::from_str(&serde_json::to_string(&std).unwrap()).unwrap();
    assert_eq!(back, ours);
}

#[test]
fn set_json_matches_btreeset() {
    for n in SIZES {
        let ints: Vec<u64> = shuffled(n, 4, |i| i * 31);
        each_config!(check_set::<u64>(ints));
        let strings: Vec<String> = shuffled(n, 5, |i| format!("s{i}"));
        each_config!(check_set::<String>(strings));
        // Tuples are not JSON map keys, but they are set elements.
        let tuples: Vec<(u32, String)> = shuffled(n, 6, |i| ((i % 10) as u32, format!("{i}")));
        each_config!(check_set::<(u32, String)>(tuples));
    }
}

#[test]
fn tuple_keys_are_sequences_of_pairs_or_errors_like_std() {
    let entries: Vec<((u32, u32), String)> =
        shuffled(1000, 7, |i| (((i % 13) as u32, i as u32), format!("{i}")));
    let (ours, std) = both::<(u32, u32), String, Compact16, VecArena, 4>(&entries);
    assert!(ours.height() >= 2);
    // JSON map keys must be strings: serde_json refuses tuple keys, with the
    // same error for both maps.
    let ours_err = serde_json::to_string(&ours).unwrap_err().to_string();
    let std_err = serde_json::to_string(&std).unwrap_err().to_string();
    assert_eq!(ours_err, std_err);
    // As a sequence of pairs, the entries come out in the same order.
    let ours_pairs: Vec<_> = ours.iter().collect();
    let std_pairs: Vec<_> = std.iter().collect();
    assert_eq!(
        serde_json::to_string(&ours_pairs).unwrap(),
        serde_json::to_string(&std_pairs).unwrap()
    );
    // And a set of those pairs is std's sequence.
    let ours_set: DeepSet<((u32, u32), String)> = entries.iter().cloned().collect();
    let std_set: BTreeSet<((u32, u32), String)> = entries.iter().cloned().collect();
    assert_same_json(&ours_set, &std_set);
    let back: DeepSet<((u32, u32), String)> =
        serde_json::from_str(&serde_json::to_string(&std_set).unwrap()).unwrap();
    back.check_invariants().unwrap();
    assert_eq!(back, ours_set);
}

#[test]
fn deep_tree_round_trip() {
    let entries: Vec<(u32, u32)> = shuffled(1000, 8, |i| (i as u32, (i * i) as u32));
    let (ours, std) = both::<u32, u32, Compact16, VecArena, 4>(&entries);
    assert!(ours.height() >= 3, "height {}", ours.height());
    assert_same_json(&ours, &std);
    let back: Deep<u32, u32> =
        serde_json::from_str(&serde_json::to_string(&ours).unwrap()).unwrap();
    back.check_invariants().unwrap();
    assert!(back.height() >= 3);
    assert_eq!(back, ours);
    assert!(back.iter().eq(std.iter()));
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let ours: Deep<u32, u32> = serde_json::from_str(r#"{"1":1,"1":2}"#).unwrap();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[&1], 2);
    ours.check_invariants().unwrap();

    // Many repeats across a deep tree, against std.
    let mut json = String::from("{");
    for round in 0..3 {
        for k in 0..500 {
            if json.len() > 1 {
                json.push(',');
            }
            json.push_str(&format!("\"{}\":{}", (k * 37) % 500, round * 1000 + k));
        }
    }
    json.push('}');
    let std: BTreeMap<u32, u32> = serde_json::from_str(&json).unwrap();
    let ours: Deep<u32, u32> = serde_json::from_str(&json).unwrap();
    ours.check_invariants().unwrap();
    assert_eq!(ours.len(), 500);
    assert!(ours.iter().eq(std.iter()));
    assert!(ours.values().all(|v| *v >= 2000));
    let default: BPlusTreeMap<u32, u32> = serde_json::from_str(&json).unwrap();
    assert!(default.iter().eq(std.iter()));
}

#[test]
fn duplicate_set_elements_count_once() {
    let ours: DeepSet<u32> = serde_json::from_str("[3,1,3,2,1,3]").unwrap();
    let std: BTreeSet<u32> = serde_json::from_str("[3,1,3,2,1,3]").unwrap();
    assert_eq!(ours.len(), 3);
    assert!(ours.iter().eq(std.iter()));
    ours.check_invariants().unwrap();
}

/// A user type holding our collections as fields, through serde's derive.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Inventory {
    name: String,
    stock: BPlusTreeMap<String, u32>,
    deep: Deep<u32, u32>,
    tags: BPlusTreeSet<String>,
}

/// The same type with std's collections.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct StdInventory {
    name: String,
    stock: BTreeMap<String, u32>,
    deep: BTreeMap<u32, u32>,
    tags: BTreeSet<String>,
}

#[test]
fn map_as_a_derived_struct_field() {
    let ours = Inventory {
        name: "shop".into(),
        stock: [("pears", 3), ("apples", 5)]
            .map(|(k, v)| (k.to_string(), v))
            .into(),
        deep: (0..1000).map(|i| (i, i % 7)).collect(),
        tags: ["fresh", "local"].map(String::from).into(),
    };
    let std = StdInventory {
        name: "shop".into(),
        stock: [("pears", 3), ("apples", 5)]
            .map(|(k, v)| (k.to_string(), v))
            .into(),
        deep: (0..1000).map(|i| (i, i % 7)).collect(),
        tags: ["fresh", "local"].map(String::from).into(),
    };
    let json = serde_json::to_string(&ours).unwrap();
    assert_eq!(json, serde_json::to_string(&std).unwrap());
    assert!(json.starts_with(r#"{"name":"shop","stock":{"apples":5,"pears":3},"deep":{"0":0,"#));
    let back: Inventory = serde_json::from_str(&json).unwrap();
    back.deep.check_invariants().unwrap();
    assert_eq!(back, ours);
    let as_std: StdInventory = serde_json::from_str(&json).unwrap();
    assert_eq!(as_std, std);
}

#[test]
fn wrong_types_are_errors_like_std() {
    /// Our error text is std's, for the map and the set alike.
    fn same_error<Ours, Std>(json: &str)
    where
        Ours: for<'de> Deserialize<'de> + Debug,
        Std: for<'de> Deserialize<'de> + Debug,
    {
        let ours = serde_json::from_str::<Ours>(json).unwrap_err().to_string();
        let std = serde_json::from_str::<Std>(json).unwrap_err().to_string();
        assert_eq!(ours, std, "input {json}");
    }
    // A sequence for a map, and a map for a set.
    let err = serde_json::from_str::<BPlusTreeMap<u32, u32>>("[1,2]").unwrap_err();
    assert!(err.to_string().contains("expected a map"), "{err}");
    same_error::<BPlusTreeMap<u32, u32>, BTreeMap<u32, u32>>("[1,2]");
    same_error::<Deep<u32, u32>, BTreeMap<u32, u32>>("[[1,2]]");
    let err = serde_json::from_str::<BPlusTreeSet<u32>>(r#"{"1":2}"#).unwrap_err();
    assert!(err.to_string().contains("expected a sequence"), "{err}");
    same_error::<DeepSet<u32>, BTreeSet<u32>>(r#"{"1":2}"#);
    // Scalars, wrong entry types, bad keys, truncated input.
    for json in [
        "1",
        "\"map\"",
        "null",
        r#"{"1":"one"}"#,
        r#"{"x":1}"#,
        r#"{"1":1,"2":"#,
        r#"{"-1":1}"#,
    ] {
        same_error::<BPlusTreeMap<u32, u32>, BTreeMap<u32, u32>>(json);
        same_error::<Deep<u32, u32>, BTreeMap<u32, u32>>(json);
    }
    for json in ["1", "{}", r#"[1,"two"]"#, "[1,2", "[-1]"] {
        same_error::<BPlusTreeSet<u32>, BTreeSet<u32>>(json);
        same_error::<DeepSet<u32>, BTreeSet<u32>>(json);
    }
    // A failure part way through a deep map drops what was built.
    let mut json: String = (0..1000).map(|i| format!("\"{i}\":{i},")).collect();
    json.insert(0, '{');
    json.push_str(r#""1000":"x"}"#);
    same_error::<Deep<u32, u32>, BTreeMap<u32, u32>>(&json);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "needs 300,000 entries (65,535 full Compact16 leaves) and their JSON: hours under Miri"
)]
fn running_out_of_handles_is_an_error_not_a_panic() {
    // 65,535 leaves of at most 4 entries hold fewer than 300,000.
    let n = 300_000u32;
    let mut json = String::with_capacity(n as usize * 16);
    json.push('{');
    for i in 0..n {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!("\"{i}\":{i}"));
    }
    json.push('}');
    let err = serde_json::from_str::<Deep<u32, u32>>(&json).unwrap_err();
    assert!(err.to_string().contains("capacity exceeded"), "{err}");
    // The same input fits a tree whose handles widen.
    let wide: BPlusTreeMap<u32, u32, bptree::Adaptive, VecArena, 4> =
        serde_json::from_str(&json).unwrap();
    assert_eq!(wide.len(), n as usize);
    wide.check_invariants().unwrap();
}
