//! Cursors against an oracle built from `BTreeMap` ranges (std's own
//! cursors are unstable): random starting bounds of every kind, then random
//! walks of `next`/`prev`/`peek_*`, ordered and unchecked inserts on both
//! sides, and removals, over every named configuration and the
//! small-capacity ones, empty maps and both ends included.
//!
//! The oracle keeps the cursor's gap as a position in key space: before
//! everything, after everything, just below a key or just above one. The
//! entry after the gap is then the first of `range` past that position,
//! the entry before it the last one short of it.

#[macro_use]
mod api_common;

use std::collections::BTreeMap;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use api_common::{Configs, check};
use bptree::config::{ConfigList, ConfigVisitor};
use bptree::map::{Cursor, CursorMut, UnorderedKeyError};
use bptree::policy::{ArenaStrategy, Handle};
use bptree::{BPlusTreeMap, TreeConfig};
use proptest::collection::vec;
use proptest::prelude::*;

type K = u32;
type V = u64;
type Std = BTreeMap<K, V>;

/// Keys of the initial maps are multiples of 4 below `4 * STRIDES`, so
/// that there is room for ordered inserts between them.
const STRIDES: u32 = 250;
const KEYS: u32 = 4 * STRIDES + 8;

/// The oracle's cursor position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gap {
    Start,
    End,
    /// Just before key `k` (whether or not `k` is in the map).
    Below(K),
    /// Just after key `k`.
    Above(K),
}

impl Gap {
    fn lower(bound: Bound<K>) -> Gap {
        match bound {
            Included(k) => Gap::Below(k),
            Excluded(k) => Gap::Above(k),
            Unbounded => Gap::Start,
        }
    }

    fn upper(bound: Bound<K>) -> Gap {
        match bound {
            Included(k) => Gap::Above(k),
            Excluded(k) => Gap::Below(k),
            Unbounded => Gap::End,
        }
    }

    /// The entry after the gap.
    fn next(self, m: &Std) -> Option<(K, V)> {
        let found = match self {
            Gap::Start => m.iter().next(),
            Gap::End => None,
            Gap::Below(k) => m.range(k..).next(),
            Gap::Above(k) => m.range((Excluded(k), Unbounded)).next(),
        };
        found.map(|(k, v)| (*k, *v))
    }

    /// The entry before the gap.
    fn prev(self, m: &Std) -> Option<(K, V)> {
        let found = match self {
            Gap::Start => None,
            Gap::End => m.iter().next_back(),
            Gap::Below(k) => m.range(..k).next_back(),
            Gap::Above(k) => m.range(..=k).next_back(),
        };
        found.map(|(k, v)| (*k, *v))
    }
}

/// How to pick the key of an insert.
#[derive(Clone, Copy, Debug)]
enum KeyChoice {
    /// A key between the cursor's neighbours if there is room (derived from
    /// this number), else this number.
    Fit(u32),
    /// This key, in order or not.
    Any(u32),
}

impl KeyChoice {
    fn resolve(self, gap: Gap, m: &Std) -> K {
        match self {
            KeyChoice::Any(k) => k,
            KeyChoice::Fit(x) => {
                let lo = gap.prev(m).map_or(0, |(k, _)| k + 1);
                let hi = gap.next(m).map_or(KEYS, |(k, _)| k);
                if lo < hi {
                    lo + x % (hi - lo)
                } else {
                    x % KEYS
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum COp {
    Next,
    Prev,
    PeekNext,
    PeekPrev,
    /// Move or peek, then change the value through the returned reference.
    NextMut(V),
    PrevMut(V),
    PeekNextMut(V),
    PeekPrevMut(V),
    InsertBefore(KeyChoice, V),
    InsertAfter(KeyChoice, V),
    InsertBeforeUnchecked(KeyChoice, V),
    InsertAfterUnchecked(KeyChoice, V),
    RemoveNext,
    RemovePrev,
    /// Peek both ways through `as_cursor`.
    AsCursor,
}

/// One cursor's life: how it starts and what it does.
#[derive(Clone, Debug)]
struct Session {
    mutable: bool,
    upper: bool,
    bound: Bound<K>,
    ops: Vec<COp>,
}

fn key_choice() -> impl Strategy<Value = KeyChoice> {
    prop_oneof![3 => any::<u32>().prop_map(KeyChoice::Fit), 1 => (0..KEYS).prop_map(KeyChoice::Any)]
}

fn cop() -> impl Strategy<Value = COp> {
    prop_oneof![
        6 => Just(COp::Next),
        6 => Just(COp::Prev),
        2 => Just(COp::PeekNext),
        2 => Just(COp::PeekPrev),
        1 => any::<V>().prop_map(COp::NextMut),
        1 => any::<V>().prop_map(COp::PrevMut),
        1 => any::<V>().prop_map(COp::PeekNextMut),
        1 => any::<V>().prop_map(COp::PeekPrevMut),
        3 => (key_choice(), any::<V>()).prop_map(|(k, v)| COp::InsertBefore(k, v)),
        3 => (key_choice(), any::<V>()).prop_map(|(k, v)| COp::InsertAfter(k, v)),
        1 => (key_choice(), any::<V>()).prop_map(|(k, v)| COp::InsertBeforeUnchecked(k, v)),
        1 => (key_choice(), any::<V>()).prop_map(|(k, v)| COp::InsertAfterUnchecked(k, v)),
        3 => Just(COp::RemoveNext),
        3 => Just(COp::RemovePrev),
        1 => Just(COp::AsCursor),
    ]
}

fn session() -> impl Strategy<Value = Session> {
    let bound = prop_oneof![
        1 => Just(Unbounded),
        3 => (0..KEYS).prop_map(Included),
        3 => (0..KEYS).prop_map(Excluded),
    ];
    let steps = if cfg!(miri) { 0..20 } else { 0..80 };
    (any::<bool>(), any::<bool>(), bound, vec(cop(), steps)).prop_map(
        |(mutable, upper, bound, ops)| Session {
            mutable,
            upper,
            bound,
            ops,
        },
    )
}

fn initial() -> impl Strategy<Value = Vec<(K, V)>> {
    prop_oneof![
        1 => Just(Vec::new()),
        1 => vec((0..STRIDES).prop_map(|k| k * 4), 1..6).prop_map(|ks| ks.into_iter().map(|k| (k, 0)).collect()),
        // Under Miri up to 100 entries (trees at capacities 4 and 64).
        4 => vec(((0..STRIDES).prop_map(|k| k * 4), any::<V>()), 0..if cfg!(miri) { 100 } else { 400 }),
    ]
}

fn kv<'a>(x: Option<(&'a K, &'a V)>) -> Option<(K, V)> {
    x.map(|(k, v)| (*k, *v))
}

fn kv_mut(x: Option<(&K, &mut V)>, change: Option<V>) -> Option<(K, V)> {
    x.map(|(k, v)| {
        if let Some(d) = change {
            *v ^= d;
        }
        (*k, *v)
    })
}

/// The walk of a read-only cursor: moves and peeks only.
fn walk<H: Handle, A: ArenaStrategy, const CAP: usize>(
    mut cursor: Cursor<'_, K, V, H, A, CAP>,
    mut gap: Gap,
    oracle: &Std,
    ops: &[COp],
) {
    for (i, op) in ops.iter().enumerate() {
        assert_eq!(
            kv(cursor.peek_next()),
            gap.next(oracle),
            "peek_next before step {i} at {gap:?}"
        );
        assert_eq!(
            kv(cursor.peek_prev()),
            gap.prev(oracle),
            "peek_prev before step {i} at {gap:?}"
        );
        match op {
            COp::Next | COp::NextMut(_) => {
                let want = gap.next(oracle);
                assert_eq!(kv(cursor.next()), want, "next at step {i}");
                if let Some((k, _)) = want {
                    gap = Gap::Above(k);
                }
            }
            COp::Prev | COp::PrevMut(_) => {
                let want = gap.prev(oracle);
                assert_eq!(kv(cursor.prev()), want, "prev at step {i}");
                if let Some((k, _)) = want {
                    gap = Gap::Below(k);
                }
            }
            // A clone walks on its own: the original stays.
            COp::AsCursor => {
                let mut clone = cursor.clone();
                clone.next();
                clone.next();
                clone.prev();
                assert_eq!(
                    kv(cursor.peek_next()),
                    gap.next(oracle),
                    "clone moved the original"
                );
            }
            _ => {
                assert_eq!(kv(cursor.peek_next()), gap.next(oracle));
                assert_eq!(kv(cursor.peek_prev()), gap.prev(oracle));
            }
        }
    }
    assert_eq!(format!("{cursor:?}"), "Cursor");
}

/// The walk of a mutable cursor, keeping the oracle in step.
fn walk_mut<H: Handle, A: ArenaStrategy, const CAP: usize>(
    mut cursor: CursorMut<'_, K, V, H, A, CAP>,
    mut gap: Gap,
    oracle: &mut Std,
    ops: &[COp],
) {
    for (i, op) in ops.iter().enumerate() {
        let at = format!("step {i} {op:?} at {gap:?}");
        match *op {
            COp::Next | COp::NextMut(_) => {
                let change = if let COp::NextMut(d) = *op {
                    Some(d)
                } else {
                    None
                };
                let want = gap.next(oracle);
                let got = kv_mut(cursor.next(), change);
                if let Some((k, v)) = want {
                    gap = Gap::Above(k);
                    if let Some(d) = change {
                        oracle.insert(k, v ^ d);
                    }
                }
                assert_eq!(got.map(|(k, _)| k), want.map(|(k, _)| k), "{at}");
            }
            COp::Prev | COp::PrevMut(_) => {
                let change = if let COp::PrevMut(d) = *op {
                    Some(d)
                } else {
                    None
                };
                let want = gap.prev(oracle);
                let got = kv_mut(cursor.prev(), change);
                if let Some((k, v)) = want {
                    gap = Gap::Below(k);
                    if let Some(d) = change {
                        oracle.insert(k, v ^ d);
                    }
                }
                assert_eq!(got.map(|(k, _)| k), want.map(|(k, _)| k), "{at}");
            }
            COp::PeekNext | COp::PeekNextMut(_) => {
                let change = if let COp::PeekNextMut(d) = *op {
                    Some(d)
                } else {
                    None
                };
                let want = gap.next(oracle);
                let got = kv_mut(cursor.peek_next(), change);
                assert_eq!(got.map(|(k, _)| k), want.map(|(k, _)| k), "{at}");
                if let (Some((k, v)), Some(d)) = (want, change) {
                    oracle.insert(k, v ^ d);
                }
            }
            COp::PeekPrev | COp::PeekPrevMut(_) => {
                let change = if let COp::PeekPrevMut(d) = *op {
                    Some(d)
                } else {
                    None
                };
                let want = gap.prev(oracle);
                let got = kv_mut(cursor.peek_prev(), change);
                assert_eq!(got.map(|(k, _)| k), want.map(|(k, _)| k), "{at}");
                if let (Some((k, v)), Some(d)) = (want, change) {
                    oracle.insert(k, v ^ d);
                }
            }
            COp::InsertBefore(choice, v) | COp::InsertAfter(choice, v) => {
                let key = choice.resolve(gap, oracle);
                let fits = gap.prev(oracle).is_none_or(|(p, _)| p < key)
                    && gap.next(oracle).is_none_or(|(n, _)| key < n);
                let before = matches!(op, COp::InsertBefore(..));
                let result = if before {
                    cursor.insert_before(key, v)
                } else {
                    cursor.insert_after(key, v)
                };
                if fits {
                    assert_eq!(result, Ok(()), "{at}: key {key} fits");
                    oracle.insert(key, v);
                    gap = if before {
                        Gap::Above(key)
                    } else {
                        Gap::Below(key)
                    };
                } else {
                    assert_eq!(
                        result,
                        Err(UnorderedKeyError {}),
                        "{at}: key {key} does not fit"
                    );
                }
            }
            COp::InsertBeforeUnchecked(choice, v) => {
                let key = choice.resolve(gap, oracle);
                cursor.insert_before_unchecked(key, v);
                oracle.insert(key, v);
                gap = Gap::Above(key);
            }
            COp::InsertAfterUnchecked(choice, v) => {
                let key = choice.resolve(gap, oracle);
                cursor.insert_after_unchecked(key, v);
                oracle.insert(key, v);
                gap = Gap::Below(key);
            }
            COp::RemoveNext => {
                let want = gap.next(oracle);
                if let Some((k, _)) = want {
                    oracle.remove(&k);
                }
                assert_eq!(cursor.remove_next(), want, "{at}");
            }
            COp::RemovePrev => {
                let want = gap.prev(oracle);
                if let Some((k, _)) = want {
                    oracle.remove(&k);
                }
                assert_eq!(cursor.remove_prev(), want, "{at}");
            }
            COp::AsCursor => {
                let view = cursor.as_cursor();
                assert_eq!(kv(view.peek_next()), gap.next(oracle), "{at}");
                assert_eq!(kv(view.peek_prev()), gap.prev(oracle), "{at}");
            }
        }
        // After every step, both neighbours (values included) agree.
        assert_eq!(
            kv_mut(cursor.peek_next(), None),
            gap.next(oracle),
            "peek_next after {at}"
        );
        assert_eq!(
            kv_mut(cursor.peek_prev(), None),
            gap.prev(oracle),
            "peek_prev after {at}"
        );
    }
    assert_eq!(format!("{cursor:?}"), "CursorMut");
}

fn differential<H: Handle, A: ArenaStrategy, const CAP: usize>(name: &str, cases: u32) {
    check(
        name,
        cases,
        (
            initial(),
            vec(session(), if cfg!(miri) { 1..3 } else { 1..6 }),
        ),
        |(init, sessions)| {
            let mut ours: BPlusTreeMap<K, V, H, A, CAP> = init.iter().copied().collect();
            let mut oracle: Std = init.iter().copied().collect();
            for (s, session) in sessions.iter().enumerate() {
                let bound = session.bound.as_ref();
                let gap = if session.upper {
                    Gap::upper(session.bound)
                } else {
                    Gap::lower(session.bound)
                };
                if session.mutable {
                    let cursor = if session.upper {
                        ours.upper_bound_mut(bound)
                    } else {
                        ours.lower_bound_mut(bound)
                    };
                    walk_mut(cursor, gap, &mut oracle, &session.ops);
                } else {
                    let cursor = if session.upper {
                        ours.upper_bound(bound)
                    } else {
                        ours.lower_bound(bound)
                    };
                    walk(cursor, gap, &oracle, &session.ops);
                }
                if let Err(e) = ours.check_invariants() {
                    panic!("invariants after session {s}: {e:?}");
                }
                assert!(ours.iter().eq(oracle.iter()), "contents after session {s}");
                assert_eq!(ours.len(), oracle.len());
            }
            Ok(())
        },
    );
}

per_config_tests!("cursors", differential);

#[test]
fn cursors_cover_every_configuration() {
    struct Count(usize);
    impl ConfigVisitor for Count {
        fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
            self.0 += 1;
        }
    }
    let mut n = Count(0);
    Configs::for_each(&mut n);
    assert_eq!(n.0, 12, "add a cursors_* test for the new configuration");
}

// ---------------------------------------------------------------------------
// Hand-written cases: empty maps, both ends, every bound kind
// ---------------------------------------------------------------------------

struct EdgeCases;

impl ConfigVisitor for EdgeCases {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        type M<C, const CAP: usize> =
            BPlusTreeMap<u32, u32, <C as TreeConfig>::Handle, <C as TreeConfig>::Arena, CAP>;

        // Empty map: every bound gives a cursor with nothing either side.
        let mut empty = M::<C, CAP>::empty();
        for b in [Unbounded, Included(&3), Excluded(&3)] {
            for mut c in [empty.lower_bound(b), empty.upper_bound(b)] {
                assert_eq!((c.peek_next(), c.peek_prev()), (None, None));
                assert_eq!((c.next(), c.prev()), (None, None));
            }
            let mut c = empty.lower_bound_mut(b);
            assert!(c.next().is_none());
            assert!(c.prev().is_none());
            assert_eq!((c.remove_next(), c.remove_prev()), (None, None));
        }
        // Filling an empty map through a cursor, both ways.
        let mut c = empty.upper_bound_mut(Unbounded::<&u32>);
        for k in 0..50u32 {
            c.insert_before(k, k).unwrap();
        }
        assert_eq!(c.insert_before(10, 0), Err(UnorderedKeyError {}));
        assert_eq!(c.peek_prev().map(|(k, _)| *k), Some(49));
        let mut c = empty.lower_bound_mut(Unbounded::<&u32>);
        assert_eq!(c.insert_after(49, 0), Err(UnorderedKeyError {}));
        assert_eq!(
            c.insert_after(0, 0),
            Err(UnorderedKeyError {}),
            "equal to the next key"
        );
        empty.check_invariants().unwrap();
        assert!(empty.keys().copied().eq(0..50));
        let mut c = empty.lower_bound_mut(Unbounded::<&u32>);
        while c.remove_next().is_some() {}
        assert_eq!(c.remove_prev(), None);
        empty.check_invariants().unwrap();
        assert!(empty.is_empty());
        let mut c = empty.lower_bound_mut(Unbounded::<&u32>);
        c.insert_after(5, 5).unwrap();
        c.insert_after(3, 3).unwrap();
        c.insert_before(1, 1).unwrap();
        assert_eq!(c.next(), Some((&3, &mut 3)));
        empty.check_invariants().unwrap();
        assert!(empty.keys().copied().eq([1, 3, 5]));

        // Every bound kind on a multi-level map, at and between keys and
        // past both ends.
        let map: M<C, CAP> = (1..=200u32).map(|k| (k * 2, k)).collect();
        let oracle: BTreeMap<u32, u32> = (1..=200u32).map(|k| (k * 2, k)).collect();
        for probe in [0u32, 1, 2, 3, 200, 201, 399, 400, 401, 1000] {
            for bound in [Included(&probe), Excluded(&probe), Unbounded] {
                let lower = map.lower_bound(bound);
                let want_next = oracle.range((bound, Unbounded)).next();
                let want_prev = match bound {
                    Included(k) => oracle.range(..k).next_back(),
                    Excluded(k) => oracle.range(..=k).next_back(),
                    Unbounded => None,
                };
                assert_eq!(
                    (lower.peek_next(), lower.peek_prev()),
                    (want_next, want_prev),
                    "lower {bound:?}"
                );
                let upper = map.upper_bound(bound);
                let want_prev = oracle.range((Unbounded, bound)).next_back();
                let want_next = match bound {
                    Included(k) => oracle.range((Excluded(k), Unbounded)).next(),
                    Excluded(k) => oracle.range(k..).next(),
                    Unbounded => None,
                };
                assert_eq!(
                    (upper.peek_next(), upper.peek_prev()),
                    (want_next, want_prev),
                    "upper {bound:?}"
                );
            }
        }
        // A full walk each way, crossing every leaf.
        let mut c = map.lower_bound(Unbounded::<&u32>);
        let mut forward = Vec::new();
        while let Some((k, _)) = c.next() {
            forward.push(*k);
        }
        assert!(forward.iter().copied().eq(oracle.keys().copied()));
        let mut back = Vec::new();
        while let Some((k, _)) = c.prev() {
            back.push(*k);
        }
        assert!(back.iter().copied().eq(oracle.keys().rev().copied()));
        assert_eq!(c.prev(), None);
        assert_eq!(c.peek_next(), Some((&2, &1)));

        // Unchecked inserts put an out-of-order key where it sorts, and an
        // existing key's value is replaced.
        let mut map = map;
        let mut c = map.lower_bound_mut(Included(&100));
        c.insert_after_unchecked(7, 0);
        assert_eq!(c.peek_next(), Some((&7, &mut 0)));
        c.insert_before_unchecked(300, 1);
        assert_eq!(c.peek_prev(), Some((&300, &mut 1)));
        assert_eq!(c.peek_next(), Some((&302, &mut 151)));
        c.insert_after_unchecked(2, 99);
        assert_eq!(c.peek_next(), Some((&2, &mut 99)));
        map.check_invariants().unwrap();
        assert_eq!(map.len(), 201);
        assert_eq!(map.get(&300), Some(&1));
        assert_eq!(map.get(&2), Some(&99));
    }
}

#[test]
fn cursor_edge_cases() {
    Configs::for_each(&mut EdgeCases);
}

#[test]
fn unordered_key_error_is_an_error() {
    let e = UnorderedKeyError {};
    assert_eq!(
        e.to_string(),
        "key is not properly ordered relative to neighbors"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.source().is_none());
}
