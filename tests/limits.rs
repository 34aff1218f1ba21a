//! Running out of handles: a `Compact16` tree holds at most 65,535 leaves
//! (and as many branches). At `CAP = 4` an ascending load reaches that at
//! about 4 * 65,535 entries; then `checked_insert` must return a
//! `CapacityError` and leave the map exactly as it was, `insert` must panic
//! with the same message, and everything else must keep working.

mod common;

use bptree::policy::{ArenaStrategy, Boxed, Growing};
use bptree::{BPlusTreeMap, CapacityError, Compact16, PoolArena, VecArena};

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
            Err(e) => return (map, e, i),
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
        assert_eq!(map.checked_insert(k, ()), Err(err), "insert {k}");
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
fn vec_arena_runs_out_cleanly() {
    out_of_handles::<VecArena>();
}

#[test]
fn pool_arena_runs_out_cleanly() {
    out_of_handles::<PoolArena>();
}

#[test]
fn pool_arena_boxed_runs_out_cleanly() {
    out_of_handles::<PoolArena<Boxed>>();
}

#[test]
fn vec_arena_growing_runs_out_cleanly() {
    out_of_handles::<VecArena<Growing>>();
}

#[test]
#[should_panic(expected = "capacity")]
fn vec_arena_insert_panics_when_out_of_handles() {
    let (mut map, _, n) = fill::<VecArena>();
    map.insert(key(n), ());
}

#[test]
#[should_panic(expected = "capacity")]
fn pool_arena_insert_panics_when_out_of_handles() {
    let (mut map, _, n) = fill::<PoolArena>();
    map.insert(key(n), ());
}

/// `insert`'s panic leaves the map intact (caught and checked).
#[test]
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
#[should_panic(expected = "capacity")]
fn collect_past_the_limit_panics() {
    let _map: Small<VecArena> = (0..4 * 65_535 + 1).map(|k| (k, ())).collect();
}

/// Just below the limit, a packed build fits.
#[test]
fn collect_up_to_the_limit_fits() {
    let map: Small<PoolArena> = (0..4 * 65_535).map(|k| (k, ())).collect();
    map.check_invariants().unwrap();
    assert_eq!(map.memory_usage().leaves, 65_535);
}
