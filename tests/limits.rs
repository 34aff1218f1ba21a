//! Running out of handles: a `Compact16` tree holds at most 65,535 leaves
//! (and as many branches). At `CAP = 4` an ascending load reaches that at
//! about 4 * 65,535 entries; then `checked_insert` must return an
//! `InsertError` holding the very key and value it was given and the
//! `CapacityError`, and leave the map exactly as it was; `insert` must panic
//! with the same message, and everything else must keep working.
//!
//! Every test here needs the full 65,535 leaves, so none runs under Miri
//! (nor does the arenas' own unit test of the limit).

mod common;

use bptree::policy::{ArenaStrategy, Boxed, Growing};
use bptree::{
    BPlusTreeMap, BPlusTreeSet, CapacityError, Compact16, InsertError, PoolArena, VecArena,
};
use common::{Tracked, Tracker};

type Small<A> = BPlusTreeMap<u32, (), Compact16, A, 4>;

/// Keys are even, so that odd keys can be inserted into full leaves.
fn key(i: u32) -> u32 {
    i * 2
}

/// Fills a map by ascending `checked_insert`s until one fails; returns the
/// map, the error and the number of entries.
fn fill<A: ArenaStrategy>() -> (Small<A>, CapacityError, u32) {
    let mut map = Small::<A>::empty();
    let mut i = 0;
    loop {
        match map.checked_insert(key(i), ()) {
            Ok(None) => i += 1,
            Ok(Some(())) => panic!("key {} was already there", key(i)),
            Err(e) => {
                assert_eq!((e.key, e.value), (key(i), ()));
                return (map, e.error, i);
            }
        }
        assert!(i <= 4 * 65_535, "no capacity error after {i} entries");
    }
}

fn assert_intact<A: ArenaStrategy>(map: &Small<A>, n: u32) {
    if let Err(e) = map.check_invariants() {
        panic!("{e}");
    }
    assert_eq!(map.len(), n as usize);
    assert_eq!(map.first_key_value(), Some((&0, &())));
    assert_eq!(map.last_key_value(), Some((&key(n - 1), &())));
    for i in (0..n).step_by(997).chain([1, n / 2, n - 2, n - 1]) {
        assert!(map.contains_key(&key(i)), "key {} lost", key(i));
        assert!(!map.contains_key(&(key(i) + 1)));
    }
    assert!(map.keys().copied().eq((0..n).map(key)));
}

fn out_of_handles<A: ArenaStrategy>() {
    let (mut map, err, n) = fill::<A>();
    // The error names the handle type and its limit.
    let text = err.to_string();
    assert!(text.contains("Compact16"), "{text}");
    assert!(text.contains("65535"), "{text}");
    assert_eq!(err.max_nodes(), 65_535);
    // Every leaf is full, so the tree holds 4 entries per leaf.
    assert!(n > 4 * 65_535 - 4 && n <= 4 * 65_535, "{n} entries");
    assert_eq!(map.memory_usage().leaves, 65_535);
    // The failed insert changed nothing.
    assert!(!map.contains_key(&key(n)));
    assert_intact(&map, n);

    // Inserts into full leaves elsewhere need a split too: refused alike.
    for k in [1, key(n / 2) + 1, key(n - 1) + 1, key(n + 5)] {
        let refused = InsertError {
            key: k,
            value: (),
            error: err,
        };
        assert_eq!(map.checked_insert(k, ()), Err(refused), "insert {k}");
        assert!(!map.contains_key(&k));
    }
    assert_intact(&map, n);
    // Replacing a value needs no node: fine.
    assert_eq!(map.checked_insert(key(7), ()), Ok(Some(())));
    assert_eq!(map.insert(key(n - 1), ()), Some(()));
    assert_intact(&map, n);

    // A packed clone fits in as many nodes.
    let copy = map.clone();
    copy.check_invariants().unwrap();
    assert!(copy == map);
    drop(copy);

    // Removals work; once leaves merge, inserts work again.
    for i in (1000..3000).rev() {
        assert_eq!(map.remove(&key(i)), Some(()));
    }
    assert_eq!(map.pop_first(), Some((0, ())));
    assert_eq!(map.pop_last(), Some((key(n - 1), ())));
    map.check_invariants().unwrap();
    assert_eq!(map.len(), n as usize - 2002);
    for i in 1000..1100 {
        assert_eq!(map.checked_insert(key(i), ()), Ok(None));
    }
    map.check_invariants().unwrap();
    assert_eq!(map.len(), n as usize - 1902);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn vec_arena_runs_out_cleanly() {
    out_of_handles::<VecArena>();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn pool_arena_runs_out_cleanly() {
    out_of_handles::<PoolArena>();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn pool_arena_boxed_runs_out_cleanly() {
    out_of_handles::<PoolArena<Boxed>>();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn vec_arena_growing_runs_out_cleanly() {
    out_of_handles::<VecArena<Growing>>();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
#[should_panic(expected = "capacity")]
fn vec_arena_insert_panics_when_out_of_handles() {
    let (mut map, _, n) = fill::<VecArena>();
    map.insert(key(n), ());
}

#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
#[should_panic(expected = "capacity")]
fn pool_arena_insert_panics_when_out_of_handles() {
    let (mut map, _, n) = fill::<PoolArena>();
    map.insert(key(n), ());
}

/// `insert`'s panic leaves the map intact (caught and checked).
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn insert_panic_leaves_the_map_intact() {
    let (mut map, err, n) = fill::<PoolArena>();
    let result = common::quietly(|| map.insert(key(n), ()));
    let message = result.expect_err("insert did not panic");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert_eq!(message, err.to_string());
    assert_intact(&map, n);
}

/// Building past the limit in one go panics too (with the same message).
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
#[should_panic(expected = "capacity")]
fn collect_past_the_limit_panics() {
    let _map: Small<VecArena> = (0..4 * 65_535 + 1).map(|k| (k, ())).collect();
}

/// Just below the limit, a packed build fits.
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn collect_up_to_the_limit_fits() {
    let map: Small<PoolArena> = (0..4 * 65_535).map(|k| (k, ())).collect();
    map.check_invariants().unwrap();
    assert_eq!(map.memory_usage().leaves, 65_535);
}

/// `append` whose result would not fit panics with the capacity message
/// before moving anything: both maps keep every entry.
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn append_past_the_limit_panics_and_keeps_both_maps() {
    let mut left: Small<PoolArena> = (0..3 * 65_535).map(|k| (key(k), ())).collect();
    let mut right: Small<PoolArena> = (0..65_536).map(|k| (key(k) + 1, ())).collect();
    let result = common::quietly(|| left.append(&mut right));
    let message = result.expect_err("append did not panic");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("capacity exceeded"), "{message}");
    left.check_invariants().unwrap();
    right.check_invariants().unwrap();
    assert!(left.keys().copied().eq((0..3 * 65_535).map(key)));
    assert!(right.keys().copied().eq((0..65_536).map(|k| key(k) + 1)));
    // Exactly at the limit, it fits.
    let mut right: Small<PoolArena> = (0..65_535).map(|k| (key(k) + 1, ())).collect();
    left.append(&mut right);
    assert_eq!(left.len(), 4 * 65_535);
    assert!(right.is_empty());
    left.check_invariants().unwrap();
}

/// A full tree of `Tracked` keys: 65,535 full leaves of 4 entries, keys even.
type TrackedMap = BPlusTreeMap<Tracked, String, Compact16, VecArena, 4>;

fn full_tracked(keys: &std::rc::Rc<Tracker>) -> TrackedMap {
    let map =
        TrackedMap::from_sorted_iter((0..4 * 65_535).map(|i| (keys.make(key(i)), String::new())))
            .expect("sorted");
    assert_eq!(map.memory_usage().leaves, 65_535);
    map
}

/// The refused key and value come back: the very values passed (same
/// identity, same heap buffer), neither cloned nor dropped, and the map is
/// as it was.
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn refused_insert_hands_back_key_and_value() {
    let keys = Tracker::new();
    let mut map = full_tracked(&keys);
    let n = map.len();
    for k in [
        1,
        key(65_535) + 1,
        key(4 * 65_535 - 1) + 1,
        key(4 * 65_535 + 3),
    ] {
        let key_in = keys.make(k);
        let id = key_in.id();
        let value_in = format!("value for {k}");
        let buffer = value_in.as_ptr();
        let (live, drops, clones) = (keys.live(), keys.drops(), keys.clones());

        let err = map
            .checked_insert(key_in, value_in)
            .expect_err("every leaf is full");
        assert_eq!(err.key.key, k);
        assert_eq!(err.key.id(), id, "the key is the one passed, not a clone");
        assert_eq!(err.value, format!("value for {k}"));
        assert_eq!(err.value.as_ptr(), buffer, "the value is the one passed");
        assert_eq!(err.max_nodes(), 65_535);
        assert_eq!(err.error.max_nodes(), 65_535);
        assert_eq!(err.to_string(), err.error.to_string());
        assert!(format!("{err:?}").contains("value for"), "{err:?}");
        // The separator clones a split would need are made first and
        // dropped when it is refused: nothing else was dropped, nothing
        // leaked, no key is alive but the map's and the returned one.
        assert_eq!(keys.live(), live);
        assert_eq!(keys.drops() - drops, keys.clones() - clones);
        assert_eq!(map.len(), n);
        assert!(!map.contains_key(&k));

        let (key_back, value_back) = err.into_inner();
        assert_eq!(key_back.id(), id);
        assert_eq!(value_back.as_ptr(), buffer);
        drop((key_back, value_back));
        assert_eq!(keys.live(), live - 1);
    }
    map.check_invariants().unwrap();
    assert!(map.keys().map(|t| t.key).eq((0..4 * 65_535).map(key)));
    assert!(map.values().all(String::is_empty));
    // Replacing needs no node: the old value comes back, the key stays.
    assert_eq!(
        map.checked_insert(keys.make(key(9)), "nine".into()),
        Ok(Some(String::new()))
    );
    assert_eq!(map[&key(9)], "nine");
    drop(map);
    keys.assert_all_dropped_once();
}

/// `?` turns the error into its `CapacityError`, and it is a
/// `std::error::Error`.
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn insert_error_converts_and_is_an_error() {
    fn via_question_mark(map: &mut Small<VecArena>, k: u32) -> Result<(), CapacityError> {
        map.checked_insert(k, ())?;
        Ok(())
    }
    let (mut map, err, _) = fill::<VecArena>();
    assert_eq!(via_question_mark(&mut map, 1), Err(err));
    let boxed: Box<dyn std::error::Error> = map.checked_insert(1, ()).unwrap_err().into();
    assert_eq!(boxed.to_string(), err.to_string());
    assert!(boxed.source().is_none());
    // The message points at the ways out.
    let text = err.to_string();
    for way in ["Adaptive", "Wide32", "CAP"] {
        assert!(text.contains(way), "{text}");
    }
}

/// A full set hands the refused element back as the error's `key`.
#[test]
#[cfg_attr(
    miri,
    ignore = "fills 65,535 Compact16 leaves (about 262,000 entries): hours under Miri"
)]
fn set_checked_insert_hands_back_the_element() {
    let keys = Tracker::new();
    // Collected at full fill, like `from_sorted_iter`.
    let mut set: BPlusTreeSet<Tracked, Compact16, VecArena, 4> =
        (0..4 * 65_535).map(|i| keys.make(key(i))).collect();
    assert_eq!(set.len(), 4 * 65_535);
    let element = keys.make(3);
    let id = element.id();
    let err = set.checked_insert(element).expect_err("every leaf is full");
    assert_eq!(err.key.id(), id);
    assert_eq!(err.value, ());
    assert_eq!(err.max_nodes(), 65_535);
    assert!(!set.contains(&3));
    // An element already there is no insert: Ok(false), whatever the limit.
    assert_eq!(set.checked_insert(keys.make(key(5))), Ok(false));
    drop((err, set));
    keys.assert_all_dropped_once();
}
