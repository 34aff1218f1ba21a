//! Archive bytes: the input, copied into a 16-byte aligned buffer, is
//! accessed (validated) as an archived `u32 -> u32` map, a `String -> u16`
//! map and a `u64` set. Validation must never panic; whatever it accepts
//! must answer every query consistently: iteration both ways gives `len()`
//! strictly ascending keys, `get` finds each of them with the value
//! iteration gave, ranges from each key hold the rest, and the archive
//! deserializes into a tree that passes `check_invariants()` with the
//! same entries. Seeds are small valid archives (`fuzz/seeds/archive`).
#![no_main]

use bptree::archive::{ArchivedBPlusTreeMap, ArchivedBPlusTreeSet};
use bptree::{BPlusTreeMap, BPlusTreeSet};
use libfuzzer_sys::fuzz_target;
use rkyv::rancor::BoxedError;
use rkyv::util::AlignedVec;
use rkyv::Archived;

fuzz_target!(|data: &[u8]| {
    let mut buf = AlignedVec::<16>::with_capacity(data.len());
    buf.extend_from_slice(data);

    if let Ok(a) = rkyv::access::<ArchivedBPlusTreeMap<Archived<u32>, Archived<u32>>, BoxedError>(&buf) {
        let entries: Vec<(u32, u32)> = a.iter().map(|(k, v)| (k.to_native(), v.to_native())).collect();
        check_keys(entries.iter().map(|e| e.0), a.len());
        let back: Vec<(u32, u32)> = a.iter().rev().map(|(k, v)| (k.to_native(), v.to_native())).collect();
        assert!(back.iter().rev().eq(entries.iter()));
        for (i, &(k, v)) in entries.iter().enumerate() {
            assert_eq!(a.get(&k).map(|v| v.to_native()), Some(v));
            assert_eq!(a.range(k..).len(), entries.len() - i);
            assert_eq!(a.range(..k).len(), i);
        }
        let map: BPlusTreeMap<u32, u32> = rkyv::deserialize::<_, BoxedError>(a).expect("a valid archive reads back");
        map.check_invariants().expect("read back valid");
        assert!(map.iter().map(|(k, v)| (*k, *v)).eq(entries.iter().copied()));
    }

    if let Ok(a) = rkyv::access::<ArchivedBPlusTreeMap<Archived<String>, Archived<u16>>, BoxedError>(&buf) {
        let keys: Vec<&str> = a.keys().map(|k| k.as_str()).collect();
        check_keys(keys.iter().copied(), a.len());
        for (i, k) in keys.iter().enumerate() {
            assert!(a.get(*k).is_some());
            assert_eq!(a.range(*k..).len(), keys.len() - i);
        }
        let map: BPlusTreeMap<String, u16> = rkyv::deserialize::<_, BoxedError>(a).expect("a valid archive reads back");
        map.check_invariants().expect("read back valid");
        assert_eq!(map.len(), keys.len());
    }

    if let Ok(a) = rkyv::access::<ArchivedBPlusTreeSet<Archived<u64>>, BoxedError>(&buf) {
        let keys: Vec<u64> = a.iter().map(|k| k.to_native()).collect();
        check_keys(keys.iter().copied(), a.len());
        for k in &keys {
            assert!(a.contains(k));
        }
        let set: BPlusTreeSet<u64> = rkyv::deserialize::<_, BoxedError>(a).expect("a valid archive reads back");
        set.check_invariants().expect("read back valid");
        assert!(set.iter().copied().eq(keys.iter().copied()));
    }
});

/// `keys` ascend strictly and number `len`.
fn check_keys<T: Ord>(keys: impl Iterator<Item = T>, len: usize) {
    let keys: Vec<T> = keys.collect();
    assert_eq!(keys.len(), len);
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "keys not strictly ascending");
}
