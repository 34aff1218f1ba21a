//! Trait parity with `std::collections::BTreeMap`: auto traits (`Send`,
//! `Sync`), variance, `Debug` text, iterator traits (`ExactSizeIterator`,
//! `FusedIterator`, `Clone`, `Default`), `Hash`, `PartialOrd`/`Ord`,
//! `PartialEq`, `Index`, conversions.

mod common;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::collections::btree_map;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hash};
use std::iter::FusedIterator;
use std::rc::Rc;
use std::sync::MutexGuard;

use bptree::map::{
    IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Range, RangeMut, Values, ValuesMut,
};
use bptree::phase::{Phase0, Phase1, Phase2, Phase3};
use bptree::{BPlusTreeMap, Compact16, PoolArena, VecArena, Wide32};
use common::XorShift;

/// Whether type `$t` implements `$tr`, decided at compile time: the
/// inherent constant exists only when the bound holds, else the trait's
/// default is found (the `impls` crate's trick; no `unsafe`).
macro_rules! implements {
    ($t:ty: $($tr:tt)+) => {{
        struct Probe<T: ?Sized>(std::marker::PhantomData<T>);
        #[allow(dead_code)]
        trait Fallback {
            const YES: bool = false;
        }
        impl<T: ?Sized> Fallback for Probe<T> {}
        #[allow(dead_code)]
        impl<T: ?Sized + $($tr)+> Probe<T> {
            const YES: bool = true;
        }
        <Probe<$t>>::YES
    }};
}

/// Asserts that ours implements each trait exactly when std's type does
/// (or, with `=> $out`, pushes each difference onto the `Vec` `$out`).
macro_rules! same_traits {
    ($ours:ty, $std:ty: $($tr:ident),+) => {{
        let mut out = Vec::new();
        same_traits!($ours, $std: $($tr),+ => out);
        assert!(out.is_empty(), "{out:#?}");
    }};
    ($ours:ty, $std:ty: $($tr:ident),+ => $out:ident) => {$(
        let (ours, theirs) = (implements!($ours: $tr), implements!($std: $tr));
        if ours != theirs {
            $out.push(format!(
                "{}: {} {}, std {}",
                stringify!($ours),
                if ours { "is" } else { "is not" },
                stringify!($tr),
                if theirs { "is" } else { "is not" },
            ));
        }
    )+};
}

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

#[test]
fn send_and_sync_for_plain_types() {
    assert_send::<BPlusTreeMap<u64, u64>>();
    assert_sync::<BPlusTreeMap<u64, u64>>();
    assert_send::<BPlusTreeMap<String, Vec<u8>, Compact16, PoolArena, 32>>();
    assert_sync::<BPlusTreeMap<String, Vec<u8>, Compact16, PoolArena, 32>>();
    assert_send::<Phase0<u64, u64>>();
    assert_sync::<Phase0<u64, u64>>();
    assert_send::<Phase1<u64, u64>>();
    assert_sync::<Phase2<u64, u64>>();
    assert_send::<Phase3<u64, u64>>();
    assert_sync::<Phase3<u64, u64>>();
    assert_send::<Iter<'static, u64, u64>>();
    assert_sync::<Range<'static, u64, u64>>();
    assert_send::<IterMut<'static, u64, u64>>();
    assert_send::<IntoIter<u64, u64, Compact16, PoolArena, 32>>();
    // Negative cases (`BPlusTreeMap<Rc<u8>, u8>: !Send`, ...) are proven
    // against std below.
}

/// `Sync` but not `Send`, and ordered (the phase aliases need `K: Ord`).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct G(u8, std::marker::PhantomData<MutexGuard<'static, ()>>);

/// Differences from std in `Send`/`Sync` of the maps (`maps`) or of the
/// iterators (`!maps`), for keys and values that are both, only `Send`
/// (`Cell`), only `Sync` (`G`), or neither (`Rc`, `*const u8`).
fn auto_trait_differences(maps: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    macro_rules! per_kv {
        ($($k:ty, $v:ty;)*) => {$(
            if maps {
                same_traits!(BPlusTreeMap<$k, $v>, BTreeMap<$k, $v>: Send, Sync => out);
                same_traits!(BPlusTreeMap<$k, $v, Compact16, PoolArena, 32>, BTreeMap<$k, $v>: Send, Sync => out);
                same_traits!(Phase0<$k, $v>, BTreeMap<$k, $v>: Send, Sync => out);
                same_traits!(Phase1<$k, $v>, BTreeMap<$k, $v>: Send, Sync => out);
                same_traits!(Phase2<$k, $v>, BTreeMap<$k, $v>: Send, Sync => out);
                same_traits!(Phase3<$k, $v>, BTreeMap<$k, $v>: Send, Sync => out);
            } else {
                same_traits!(Iter<'static, $k, $v>, btree_map::Iter<'static, $k, $v>: Send, Sync => out);
                same_traits!(IterMut<'static, $k, $v>, btree_map::IterMut<'static, $k, $v>: Send, Sync => out);
                same_traits!(IntoIter<$k, $v>, btree_map::IntoIter<$k, $v>: Send, Sync => out);
                same_traits!(Keys<'static, $k, $v>, btree_map::Keys<'static, $k, $v>: Send, Sync => out);
                same_traits!(Values<'static, $k, $v>, btree_map::Values<'static, $k, $v>: Send, Sync => out);
                same_traits!(ValuesMut<'static, $k, $v>, btree_map::ValuesMut<'static, $k, $v>: Send, Sync => out);
                same_traits!(IntoKeys<$k, $v>, btree_map::IntoKeys<$k, $v>: Send, Sync => out);
                same_traits!(IntoValues<$k, $v>, btree_map::IntoValues<$k, $v>: Send, Sync => out);
                same_traits!(Range<'static, $k, $v>, btree_map::Range<'static, $k, $v>: Send, Sync => out);
                same_traits!(RangeMut<'static, $k, $v>, btree_map::RangeMut<'static, $k, $v>: Send, Sync => out);
            }
        )*};
    }
    per_kv! {
        u64, u64;
        Rc<u8>, u8;
        u8, Rc<u8>;
        Cell<u8>, u8;
        u8, Cell<u8>;
        G, u8;
        u8, G;
        *const u8, u8;
    }
    out
}

/// The maps are `Send` and `Sync` exactly when std's are.
#[test]
fn maps_send_and_sync_exactly_like_std() {
    // The probe itself works.
    assert!(implements!(u8: Send));
    assert!(!implements!(Rc<u8>: Send));
    assert!(!implements!(Cell<u8>: Sync));
    assert!(implements!(G: Sync) && !implements!(G: Send));
    let diff = auto_trait_differences(true);
    assert!(diff.is_empty(), "{diff:#?}");
}

/// So are the iterators.
#[test]
fn iterators_send_and_sync_exactly_like_std() {
    let diff = auto_trait_differences(false);
    assert!(diff.is_empty(), "{diff:#?}");
}

/// Iterator traits exactly where std has them: exact size (not for
/// ranges), fused, double-ended, `Clone` (shared ones), `Default`, `Debug`.
#[test]
fn iterator_traits_like_std() {
    use std::fmt::Debug;
    same_traits!(Iter<'static, u8, u8>, btree_map::Iter<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(IterMut<'static, u8, u8>, btree_map::IterMut<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(IntoIter<u8, u8>, btree_map::IntoIter<u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(Keys<'static, u8, u8>, btree_map::Keys<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(Values<'static, u8, u8>, btree_map::Values<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(ValuesMut<'static, u8, u8>, btree_map::ValuesMut<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(IntoKeys<u8, u8>, btree_map::IntoKeys<u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(IntoValues<u8, u8>, btree_map::IntoValues<u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(Range<'static, u8, u8>, btree_map::Range<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    same_traits!(RangeMut<'static, u8, u8>, btree_map::RangeMut<'static, u8, u8>:
        ExactSizeIterator, FusedIterator, DoubleEndedIterator, Clone, Default, Debug);
    // The map itself.
    same_traits!(BPlusTreeMap<u8, u8>, BTreeMap<u8, u8>:
        Clone, Default, Debug, PartialEq, Eq, PartialOrd, Ord, Hash);
    same_traits!(BPlusTreeMap<f64, f64>, BTreeMap<f64, f64>:
        Clone, Default, Debug, PartialEq, Eq, PartialOrd, Ord, Hash);
    // Positives, spelled out.
    fn exact<I: ExactSizeIterator + FusedIterator + DoubleEndedIterator>(_: &I) {}
    let mut m = BPlusTreeMap::from([(1u8, 1u8)]);
    exact(&m.iter());
    exact(&m.keys());
    exact(&m.values());
    exact(&m.iter_mut());
    exact(&m.values_mut());
    exact(&m.clone().into_iter());
    exact(&m.clone().into_keys());
    exact(&m.clone().into_values());
}

#[test]
fn default_iterators_are_empty() {
    fn empty<I: Iterator + DoubleEndedIterator + Default>() {
        let mut it = I::default();
        assert!(it.next().is_none());
        assert!(it.next_back().is_none());
        assert_eq!(it.size_hint().0, 0);
    }
    fn empty_exact<I: ExactSizeIterator + DoubleEndedIterator + Default>() {
        assert_eq!(I::default().len(), 0);
        empty::<I>();
    }
    empty_exact::<Iter<'_, u8, u8>>();
    empty_exact::<IterMut<'_, u8, u8>>();
    empty_exact::<IntoIter<u8, u8>>();
    empty_exact::<Keys<'_, u8, u8>>();
    empty_exact::<Values<'_, u8, u8>>();
    empty_exact::<ValuesMut<'_, u8, u8>>();
    empty_exact::<IntoKeys<u8, u8>>();
    empty_exact::<IntoValues<u8, u8>>();
    empty::<Range<'_, u8, u8>>();
    empty::<RangeMut<'_, u8, u8>>();
    empty_exact::<Iter<'_, u8, u8, Compact16, PoolArena, 32>>();
    empty::<Range<'_, String, u8, Wide32, VecArena, 4>>();
    assert_eq!(format!("{:?}", Iter::<u8, u8>::default()), "[]");
    assert_eq!(format!("{:?}", Range::<u8, u8>::default()), "[]");
}

#[test]
fn clone_iterators_walk_independently() {
    let m: BPlusTreeMap<u32, u32, Wide32, VecArena, 4> = (0..100).map(|i| (i, i * i)).collect();
    let s: BTreeMap<u32, u32> = (0..100).map(|i| (i, i * i)).collect();
    let mut it = m.iter();
    it.next();
    it.next_back();
    let copy = it.clone();
    assert!(it.by_ref().take(10).eq(s.iter().skip(1).take(10)));
    assert_eq!(copy.len(), 98);
    assert!(copy.eq(s.iter().skip(1).take(98)));
    let mut r = m.range(10..50);
    r.next_back();
    let rc = r.clone();
    assert!(r.rev().eq(s.range(10..49).rev()));
    assert!(rc.eq(s.range(10..49)));
    let k = m.keys().skip(5);
    assert!(k.clone().eq(k));
    let v = m.values();
    assert_eq!(v.clone().len(), 100);
    assert!(v.clone().eq(v));
}

// ---------------------------------------------------------------------------
// Variance: these compile only if the types are covariant in K and V.
// ---------------------------------------------------------------------------

fn map_shorter<'a>(m: BPlusTreeMap<&'static str, &'static str>) -> BPlusTreeMap<&'a str, &'a str> {
    m
}
fn compact_shorter<'a>(
    m: BPlusTreeMap<&'static str, &'static str, Compact16, PoolArena, 32>,
) -> BPlusTreeMap<&'a str, &'a str, Compact16, PoolArena, 32> {
    m
}
fn phase0_shorter<'a>(m: Phase0<&'static str, &'static str>) -> Phase0<&'a str, &'a str> {
    m
}
fn phase3_shorter<'a>(m: Phase3<&'static str, &'static str>) -> Phase3<&'a str, &'a str> {
    m
}
fn iter_shorter<'i, 'a>(i: Iter<'i, &'static str, &'static str>) -> Iter<'i, &'a str, &'a str> {
    i
}
fn range_shorter<'i, 'a>(r: Range<'i, &'static str, &'static str>) -> Range<'i, &'a str, &'a str> {
    r
}
fn keys_shorter<'i, 'a>(k: Keys<'i, &'static str, &'static str>) -> Keys<'i, &'a str, &'a str> {
    k
}
fn values_shorter<'i, 'a>(
    v: Values<'i, &'static str, &'static str>,
) -> Values<'i, &'a str, &'a str> {
    v
}
fn into_iter_shorter<'a>(i: IntoIter<&'static str, &'static str>) -> IntoIter<&'a str, &'a str> {
    i
}
fn into_keys_shorter<'a>(i: IntoKeys<&'static str, &'static str>) -> IntoKeys<&'a str, &'a str> {
    i
}
fn into_values_shorter<'a>(
    i: IntoValues<&'static str, &'static str>,
) -> IntoValues<&'a str, &'a str> {
    i
}
/// Iterators are covariant in their own lifetime too.
fn iter_lifetime_shorter<'long: 'short, 'short>(i: Iter<'long, u8, u8>) -> Iter<'short, u8, u8> {
    i
}
fn range_lifetime_shorter<'long: 'short, 'short>(i: Range<'long, u8, u8>) -> Range<'short, u8, u8> {
    i
}

#[test]
fn covariant_in_keys_and_values() {
    let m: BPlusTreeMap<&'static str, &'static str> = BPlusTreeMap::from([("a", "b")]);
    let local = String::from("a");
    let shorter = map_shorter(m.clone());
    assert_eq!(shorter.get(local.as_str()), Some(&"b"));
    assert_eq!(iter_shorter(m.iter()).count(), 1);
    assert_eq!(range_shorter(m.range::<&str, _>(..)).count(), 1);
    assert_eq!(keys_shorter(m.keys()).count(), 1);
    assert_eq!(values_shorter(m.values()).count(), 1);
    assert_eq!(
        iter_lifetime_shorter(BPlusTreeMap::<u8, u8>::new().iter()).count(),
        0
    );
    assert_eq!(
        range_lifetime_shorter(BPlusTreeMap::<u8, u8>::new().range(..)).count(),
        0
    );
    assert_eq!(into_iter_shorter(m.clone().into_iter()).count(), 1);
    assert_eq!(into_keys_shorter(m.clone().into_keys()).count(), 1);
    assert_eq!(into_values_shorter(m.into_values()).count(), 1);
    let c = compact_shorter(BPlusTreeMap::empty());
    assert!(c.is_empty());
    assert!(phase0_shorter(Phase0::empty()).is_empty());
    assert!(phase3_shorter(Phase3::empty()).is_empty());
}

// ---------------------------------------------------------------------------
// Debug
// ---------------------------------------------------------------------------

fn both<K: Ord + Clone, V: Clone>(entries: &[(K, V)]) -> (BPlusTreeMap<K, V>, BTreeMap<K, V>) {
    (
        entries.iter().cloned().collect(),
        entries.iter().cloned().collect(),
    )
}

#[test]
fn debug_like_std() {
    let (a, b) = both::<u8, u8>(&[]);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
    let (a, b) = both(&[(1, "one")]);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
    let many: Vec<(String, Option<char>)> = (0..300)
        .map(|i| (format!("k\"{i}\n"), char::from_u32(i)))
        .collect();
    let (a, b) = both(&many);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
    // Nested maps.
    let inner: Vec<(u8, Vec<i8>)> = (0..20)
        .map(|i| (i, vec![-(i as i8); i as usize % 3]))
        .collect();
    let a: BPlusTreeMap<&str, BPlusTreeMap<u8, Vec<i8>>> = [
        ("x", inner.iter().cloned().collect()),
        ("", BPlusTreeMap::new()),
    ]
    .into();
    let b: BTreeMap<&str, BTreeMap<u8, Vec<i8>>> = [
        ("x", inner.iter().cloned().collect()),
        ("", BTreeMap::new()),
    ]
    .into();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
    // Other configurations print the same.
    let c: BPlusTreeMap<String, Option<char>, Wide32, VecArena, 4> = many.iter().cloned().collect();
    assert_eq!(format!("{c:?}"), format!("{b:?}", b = both(&many).1));
}

/// Iterators print what they have left, as std's do.
#[test]
fn iterator_debug_like_std() {
    let entries: Vec<(u16, String)> = (0..50).map(|i| (i * 3, format!("v{i}"))).collect();
    let (mut a, mut b) = both(&entries);
    macro_rules! same {
        ($x:expr, $y:expr) => {{
            let (mut x, mut y) = ($x, $y);
            assert_eq!(format!("{x:?}"), format!("{y:?}"));
            x.next();
            y.next();
            x.next_back();
            y.next_back();
            assert_eq!(format!("{x:?}"), format!("{y:?}"));
            assert_eq!(format!("{x:#?}"), format!("{y:#?}"));
        }};
    }
    same!(a.iter(), b.iter());
    same!(a.keys(), b.keys());
    same!(a.values(), b.values());
    same!(a.range(10..100), b.range(10..100));
    same!(a.iter_mut(), b.iter_mut());
    same!(a.values_mut(), b.values_mut());
    same!(a.range_mut(10..=100), b.range_mut(10..=100));
    same!(a.clone().into_iter(), b.clone().into_iter());
    same!(a.clone().into_keys(), b.clone().into_keys());
    same!(a.clone().into_values(), b.clone().into_values());
}

// ---------------------------------------------------------------------------
// Hash, Eq, Ord
// ---------------------------------------------------------------------------

fn hash_of<T: Hash>(t: &T) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(t)
}

#[test]
fn hash_like_std() {
    let (a, b) = both::<u8, u8>(&[]);
    assert_eq!(hash_of(&a), hash_of(&b));
    let mut rng = XorShift::new(42);
    for n in [1, 2, 63, 64, 65, 1000] {
        let entries: Vec<(u64, String)> = (0..n)
            .map(|_| (rng.below(5000), rng.next_u64().to_string()))
            .collect();
        let (a, b) = both(&entries);
        assert_eq!(hash_of(&a), hash_of(&b), "{n} entries");
        let c: BPlusTreeMap<u64, String, Compact16, PoolArena, 32> =
            entries.iter().cloned().collect();
        assert_eq!(hash_of(&c), hash_of(&b));
    }
    // Nested maps (std frames each map by its length).
    let a: BPlusTreeMap<u8, BPlusTreeMap<u8, u8>> =
        [(1, [(2, 3)].into()), (4, BPlusTreeMap::new())].into();
    let b: BTreeMap<u8, BTreeMap<u8, u8>> = [(1, [(2, 3)].into()), (4, BTreeMap::new())].into();
    assert_eq!(hash_of(&a), hash_of(&b));
    // Equal maps of different shapes hash equal.
    let mut grown = BPlusTreeMap::<u32, u32, Wide32, VecArena, 4>::empty();
    (0..500).rev().for_each(|i| {
        grown.insert(i, i);
    });
    let packed: BPlusTreeMap<u32, u32, Wide32, VecArena, 4> = (0..500).map(|i| (i, i)).collect();
    assert!(grown == packed);
    assert_eq!(hash_of(&grown), hash_of(&packed));
}

#[test]
fn eq_and_ord_like_std() {
    let mut rng = XorShift::new(7);
    let mut maps: Vec<Vec<(u8, u8)>> = vec![vec![]];
    // 64 maps, every pair compared; under Miri 12 random ones (16 maps).
    for _ in 0..if cfg!(miri) { 12 } else { 60 } {
        let n = rng.below(12) as usize;
        maps.push(
            (0..n)
                .map(|_| (rng.below(8) as u8, rng.below(3) as u8))
                .collect(),
        );
    }
    // Prefixes and near-copies.
    maps.push(vec![(1, 1), (2, 2)]);
    maps.push(vec![(1, 1)]);
    maps.push(vec![(1, 1), (2, 3)]);
    maps.push(vec![(1, 2)]);
    for x in &maps {
        for y in &maps {
            let (a1, b1) = both(x);
            let (a2, b2) = both(y);
            assert_eq!(a1 == a2, b1 == b2, "{b1:?} == {b2:?}");
            assert_eq!(a1 != a2, b1 != b2);
            assert_eq!(a1.cmp(&a2), b1.cmp(&b2), "{b1:?} cmp {b2:?}");
            assert_eq!(a1.partial_cmp(&a2), b1.partial_cmp(&b2));
            assert_eq!(a1 < a2, b1 < b2);
            assert_eq!(
                a1.clone().max(a2.clone()) == a1,
                b1.clone().max(b2.clone()) == b1
            );
        }
    }
    // Partial orders: NaN values compare as std's do.
    let x: Vec<(u8, f64)> = vec![(1, f64::NAN)];
    let y: Vec<(u8, f64)> = vec![(1, 1.0)];
    let z: Vec<(u8, f64)> = vec![(0, f64::NAN)];
    for (p, q) in [(&x, &y), (&x, &x), (&z, &y), (&y, &z)] {
        let (a1, b1) = both(p);
        let (a2, b2) = both(q);
        assert_eq!(a1.partial_cmp(&a2), b1.partial_cmp(&b2), "{b1:?} vs {b2:?}");
        assert_eq!(a1 == a2, b1 == b2);
    }
}

// ---------------------------------------------------------------------------
// Index, conversions
// ---------------------------------------------------------------------------

#[test]
fn index_and_conversions() {
    let m = BPlusTreeMap::from([(3, 'c'), (1, 'a'), (2, 'b'), (1, 'z')]);
    let s = BTreeMap::from([(3, 'c'), (1, 'a'), (2, 'b'), (1, 'z')]);
    assert!(m.iter().eq(s.iter()));
    assert_eq!(m[&1], 'z');
    let strings: BPlusTreeMap<String, u8> = [("a".to_string(), 1)].into();
    assert_eq!(strings["a"], 1);
    let d: BPlusTreeMap<u8, u8, Compact16, PoolArena, 32> = Default::default();
    assert!(d.is_empty());
    let e: BPlusTreeMap<u8, u8> = BPlusTreeMap::default();
    assert_eq!(e, BPlusTreeMap::new());
    // Extend by reference, then by value; later values win.
    let mut x = BPlusTreeMap::new();
    x.extend(s.iter());
    x.extend([(4, 'd'), (1, 'y')]);
    let mut y = s.clone();
    y.extend([(4, 'd'), (1, 'y')]);
    assert!(x.iter().eq(y.iter()));
}

#[test]
#[should_panic(expected = "no entry found for key")]
fn index_panics_on_a_missing_key() {
    let m = BPlusTreeMap::from([(1, 1)]);
    let _ = m[&2];
}
