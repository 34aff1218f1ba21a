//! Panic safety with crash-test dummies: keys and values whose `Ord`,
//! `Clone` or `Drop` (or a predicate) panics on the Nth call, for every N
//! an operation reaches, on small-capacity trees where splits, borrows and
//! merges happen on almost every step.
//!
//! Each run: build a fixture, arm the Nth call, run the operation under
//! `catch_unwind`, then check that no instance was dropped twice or used
//! after its drop, that the surviving maps pass `check_invariants`, hold
//! only live instances, each once, and still work; and, where the docs or
//! std promise it, that the map is unchanged or holds exactly what it
//! should. Leaks (instances never dropped) are allowed on panic paths;
//! they are counted and printed (`--nocapture`).

mod api_common;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound::Included;

use api_common::{Deep, Rng, quietly};
use bptree::config::{ConfigList, ConfigVisitor};
use bptree::map::Entry;
use bptree::policy::{ArenaStrategy, Handle};
use bptree::{BPlusTreeMap, TreeConfig};

// ---------------------------------------------------------------------------
// The dummy and its ledger
// ---------------------------------------------------------------------------

/// The calls a dummy can be told to panic on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Cmp,
    Clone,
    Drop,
    /// A predicate passed to `retain` or `extract_if`.
    Pred,
}

const KINDS: usize = 4;

#[derive(Default)]
struct Ledger {
    /// Times each instance (by id) was dropped.
    drops: Vec<u8>,
    /// Each instance's key (values carry keys of 1000 and above).
    keys: Vec<u32>,
    calls: [u64; KINDS],
    /// Panic when this kind's call count reaches this value.
    armed: Option<(Kind, u64)>,
    fired: u32,
    double_drops: u32,
    used_after_drop: u32,
}

thread_local! {
    static LEDGER: RefCell<Ledger> = RefCell::new(Ledger::default());
}

fn ledger<R>(f: impl FnOnce(&mut Ledger) -> R) -> R {
    LEDGER.with(|l| f(&mut l.borrow_mut()))
}

fn reset() {
    ledger(|l| *l = Ledger::default());
}

fn calls(kind: Kind) -> u64 {
    ledger(|l| l.calls[kind as usize])
}

/// Counts a call of `kind` and panics if it is the armed one.
fn event(kind: Kind) {
    let fire = ledger(|l| {
        l.calls[kind as usize] += 1;
        match l.armed {
            Some((k, n)) if k == kind && l.calls[kind as usize] == n => {
                l.armed = None;
                l.fired += 1;
                true
            }
            _ => false,
        }
    });
    if fire {
        panic!("crash test dummy: {kind:?} panics");
    }
}

/// A key or value that records its life in the ledger.
struct D {
    key: u32,
    id: usize,
}

impl D {
    fn new(key: u32) -> D {
        let id = ledger(|l| {
            l.keys.push(key);
            l.drops.push(0);
            l.drops.len() - 1
        });
        D { key, id }
    }

    fn touch(&self) {
        ledger(|l| {
            if l.drops[self.id] != 0 {
                l.used_after_drop += 1;
            }
        });
    }
}

impl fmt::Debug for D {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.key, self.id)
    }
}

impl Clone for D {
    fn clone(&self) -> D {
        self.touch();
        event(Kind::Clone);
        D::new(self.key)
    }
}

impl Drop for D {
    fn drop(&mut self) {
        ledger(|l| {
            l.drops[self.id] += 1;
            if l.drops[self.id] > 1 {
                l.double_drops += 1;
            }
        });
        if std::thread::panicking() {
            // Count the call, never fire while unwinding (that would abort).
            ledger(|l| l.calls[Kind::Drop as usize] += 1);
        } else {
            event(Kind::Drop);
        }
    }
}

impl Ord for D {
    fn cmp(&self, other: &D) -> Ordering {
        self.touch();
        other.touch();
        event(Kind::Cmp);
        self.key.cmp(&other.key)
    }
}

impl PartialOrd for D {
    fn partial_cmp(&self, other: &D) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for D {
    fn eq(&self, other: &D) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for D {}

// ---------------------------------------------------------------------------
// Fixtures and checks
// ---------------------------------------------------------------------------

type M<H, A, const CAP: usize> = BPlusTreeMap<D, D, H, A, CAP>;

/// What an operation works on: the map, a second map (for `append`, or to
/// receive `split_off`, `clone` and `from_iter` results), and loose pairs.
struct Fx<H: Handle, A: ArenaStrategy, const CAP: usize> {
    map: M<H, A, CAP>,
    other: M<H, A, CAP>,
    items: Vec<(D, D)>,
    /// Keys the predicate saw, in order (for `retain` and `extract_if`).
    seen: RefCell<Vec<u32>>,
}

/// Keys `0, 2, .., 2 * (N - 1)` in the map, inserted in a shuffled order
/// (so nodes are partly full); keys `30, 33, .., 87` in `other`; 50 pairs
/// with repeated keys loose.
const N: u32 = 40;

fn fixture<H: Handle, A: ArenaStrategy, const CAP: usize>() -> Fx<H, A, CAP> {
    let mut keys: Vec<u32> = (0..N).map(|k| k * 2).collect();
    Rng::new(11).shuffle(&mut keys);
    let mut map = M::<H, A, CAP>::empty();
    for k in keys {
        map.insert(D::new(k), D::new(k + 1000));
    }
    let mut other = M::<H, A, CAP>::empty();
    for k in (30..90).step_by(3) {
        other.insert(D::new(k), D::new(k + 2000));
    }
    let mut rng = Rng::new(5);
    let items = (0..50)
        .map(|i| {
            let k = rng.below(30) as u32;
            (D::new(k), D::new(3000 + i))
        })
        .collect();
    Fx {
        map,
        other,
        items,
        seen: RefCell::new(Vec::new()),
    }
}

/// The map's entries as (key, key id, value id): what "unchanged" compares.
fn snapshot<H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &M<H, A, CAP>,
) -> Vec<(u32, usize, usize)> {
    m.iter().map(|(k, v)| (k.key, k.id, v.id)).collect()
}

/// A map that survived a panic: valid, live instances only, each once,
/// and still usable.
fn survivor<H: Handle, A: ArenaStrategy, const CAP: usize>(m: &mut M<H, A, CAP>, what: &str) {
    if let Err(e) = m.check_invariants() {
        panic!("{what}: invariants broken after the panic: {e:?}");
    }
    let snap = snapshot(m);
    assert_eq!(snap.len(), m.len(), "{what}: len");
    let ids: BTreeSet<usize> = snap.iter().flat_map(|&(_, k, v)| [k, v]).collect();
    assert_eq!(
        ids.len(),
        2 * snap.len(),
        "{what}: an instance is in the map twice"
    );
    ledger(|l| {
        for &id in &ids {
            assert_eq!(l.drops[id], 0, "{what}: the map holds a dropped instance");
        }
    });
    // Still works: inserts that split, removals that merge, pops.
    for k in 0..12 {
        m.insert(D::new(500 + k * 7), D::new(0));
    }
    for &(k, _, _) in snap.iter().take(6) {
        assert!(m.remove(&D::new(k)).is_some(), "{what}: lost key {k}");
    }
    m.pop_first();
    m.pop_last();
    if let Err(e) = m.check_invariants() {
        panic!("{what}: invariants broken after using the survivor: {e:?}");
    }
    assert_eq!(m.iter().count(), m.len());
    assert_eq!(m.len(), snap.len() + 12 - snap.len().min(6) - 2);
}

/// What a case promises beyond "valid and no double drop".
#[derive(Clone, Copy)]
enum Promise {
    Nothing,
    /// The map and the second map are exactly as before.
    Unchanged,
    /// `retain`/`extract_if` with a panicking predicate: the entries the
    /// predicate accepted before the panicking call are gone, all others
    /// stay (std's documented behaviour).
    PredicateHonoured(fn(u32) -> bool),
}

#[derive(Default)]
struct Tally {
    runs: u64,
    leaked: u64,
    leaky_runs: u64,
    /// The keys of the first few leaked instances.
    examples: Vec<u32>,
}

/// Runs `op` once to count its calls of `kind`, then once per call with
/// that call panicking, checking each survivor.
fn sweep<H: Handle, A: ArenaStrategy, const CAP: usize>(
    label: &str,
    kind: Kind,
    promise: Promise,
    op: &dyn Fn(&mut Fx<H, A, CAP>),
) -> Tally {
    // Dry run.
    reset();
    let mut fx = fixture::<H, A, CAP>();
    let start = calls(kind);
    op(&mut fx);
    let total = calls(kind) - start;
    drop(fx);
    ledger(|l| {
        assert_eq!(l.double_drops, 0, "{label}: double drop without a panic");
        assert!(
            l.drops.iter().all(|&d| d == 1),
            "{label}: leak or double drop without a panic"
        );
    });

    let mut tally = Tally::default();
    // Every call natively; under Miri the first, a middle and the last.
    let mut points: Vec<u64> = if cfg!(miri) {
        vec![1, total.div_ceil(2), total]
    } else {
        (1..=total).collect()
    };
    points.dedup();
    for n in points.into_iter().filter(|&n| 1 <= n && n <= total) {
        let what = format!("{label}, {kind:?} call {n} of {total} panics");
        reset();
        let mut fx = fixture::<H, A, CAP>();
        let before = snapshot(&fx.map);
        let before_other = snapshot(&fx.other);
        ledger(|l| l.armed = Some((kind, l.calls[kind as usize] + n)));
        let result = quietly(|| op(&mut fx));
        let fired = ledger(|l| {
            l.armed = None;
            l.fired
        });
        assert_eq!(fired, 1, "{what}: the armed call did not happen");
        assert!(
            result.is_err(),
            "{what}: the panic did not reach the caller"
        );
        ledger(|l| {
            assert_eq!(l.double_drops, 0, "{what}: double drop");
            assert_eq!(l.used_after_drop, 0, "{what}: use after drop");
        });

        match promise {
            Promise::Nothing => {}
            Promise::Unchanged => {
                assert!(snapshot(&fx.map) == before, "{what}: the map changed");
                assert!(
                    snapshot(&fx.other) == before_other,
                    "{what}: the second map changed"
                );
            }
            Promise::PredicateHonoured(pred) => {
                let seen = fx.seen.borrow().clone();
                // The last key seen is the one whose predicate call panicked.
                let removed: BTreeSet<u32> = seen[..seen.len() - 1]
                    .iter()
                    .copied()
                    .filter(|&k| pred(k))
                    .collect();
                let want: Vec<u32> = before
                    .iter()
                    .map(|e| e.0)
                    .filter(|k| !removed.contains(k))
                    .collect();
                let got: Vec<u32> = fx.map.keys().map(|k| k.key).collect();
                assert_eq!(got, want, "{what}: wrong entries kept");
            }
        }
        survivor(&mut fx.map, &format!("{what} (map)"));
        survivor(&mut fx.other, &format!("{what} (other)"));
        drop(fx);
        let leaked = ledger(|l| {
            assert_eq!(l.double_drops, 0, "{what}: double drop at the end");
            for (id, _) in l.drops.iter().enumerate().filter(|(_, d)| **d == 0) {
                if tally.examples.len() < 4 {
                    tally.examples.push(l.keys[id]);
                }
            }
            l.drops.iter().filter(|&&d| d == 0).count() as u64
        });
        tally.runs += 1;
        tally.leaked += leaked;
        tally.leaky_runs += u64::from(leaked > 0);
    }
    tally
}

// ---------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------

/// An operation on a fixture.
type OpFn<H, A, const CAP: usize> = Box<dyn Fn(&mut Fx<H, A, CAP>)>;

/// One operation, the call kinds to sweep, and the promise for each.
struct Case<H: Handle, A: ArenaStrategy, const CAP: usize> {
    label: String,
    kinds: Vec<(Kind, Promise)>,
    op: OpFn<H, A, CAP>,
}

fn case<H: Handle, A: ArenaStrategy, const CAP: usize>(
    label: impl Into<String>,
    kinds: &[(Kind, Promise)],
    op: impl Fn(&mut Fx<H, A, CAP>) + 'static,
) -> Case<H, A, CAP> {
    Case {
        label: label.into(),
        kinds: kinds.to_vec(),
        op: Box::new(op),
    }
}

use Kind::{Clone as KClone, Cmp, Drop as KDrop, Pred};
use Promise::{Nothing, Unchanged};

fn is_multiple_of_3(k: u32) -> bool {
    k.is_multiple_of(3)
}

fn is_multiple_of_4(k: u32) -> bool {
    k.is_multiple_of(4)
}

#[derive(Clone, Copy, Debug)]
enum Group {
    Insert,
    Remove,
    Entry,
    Bulk,
    Predicates,
    Teardown,
    Cursor,
}

fn cases<H: Handle, A: ArenaStrategy, const CAP: usize>(group: Group) -> Vec<Case<H, A, CAP>> {
    let mut v: Vec<Case<H, A, CAP>> = Vec::new();
    match group {
        Group::Insert => {
            // New keys everywhere: before the first, between every few, past
            // the last (each split path). Clones happen before any change.
            for k in (1..2 * N + 2).step_by(6).chain([1001]) {
                v.push(case(
                    format!("insert new {k}"),
                    &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                    move |fx| {
                        drop(fx.map.insert(D::new(k), D::new(0)));
                    },
                ));
            }
            for k in [0, 38, 2 * N - 2] {
                v.push(case(
                    format!("insert existing {k}"),
                    &[(Cmp, Unchanged), (KDrop, Nothing)],
                    move |fx| {
                        drop(fx.map.insert(D::new(k), D::new(0)));
                    },
                ));
            }
        }
        Group::Remove => {
            for k in (0..2 * N).step_by(6).chain([1, 2 * N - 2]) {
                v.push(case(
                    format!("remove {k}"),
                    &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                    move |fx| {
                        drop(fx.map.remove(&D::new(k)));
                    },
                ));
            }
            v.push(case(
                "pop_first",
                &[(KClone, Unchanged), (KDrop, Nothing)],
                |fx| drop(fx.map.pop_first()),
            ));
            v.push(case(
                "pop_last",
                &[(KClone, Unchanged), (KDrop, Nothing)],
                |fx| drop(fx.map.pop_last()),
            ));
            v.push(case(
                "pop_first x12",
                &[(KClone, Nothing), (KDrop, Nothing)],
                |fx| {
                    for _ in 0..12 {
                        drop(fx.map.pop_first());
                    }
                },
            ));
            v.push(case(
                "pop_last x12",
                &[(KClone, Nothing), (KDrop, Nothing)],
                |fx| {
                    for _ in 0..12 {
                        drop(fx.map.pop_last());
                    }
                },
            ));
        }
        Group::Entry => {
            for k in [1, 17, 39, 2 * N + 1] {
                v.push(case(
                    format!("entry or_insert new {k}"),
                    &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                    move |fx| {
                        fx.map.entry(D::new(k)).or_insert_with(|| D::new(0));
                    },
                ));
                // `VacantEntry::insert_entry` descends again after inserting
                // (comparing keys), so a panicking `Ord` can leave the entry
                // inserted: no "unchanged" promise for `Cmp`.
                v.push(case(
                    format!("entry insert_entry new {k}"),
                    // Two operations: a `Clone` panic in the removal's
                    // rebalancing leaves the insert done (and the map valid).
                    &[(Cmp, Nothing), (KClone, Nothing), (KDrop, Nothing)],
                    move |fx| {
                        let e = fx.map.entry(D::new(k)).insert_entry(D::new(0));
                        drop(e.remove_entry());
                    },
                ));
            }
            for k in [0, 18, 2 * N - 2] {
                v.push(case(
                    format!("entry remove {k}"),
                    &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                    move |fx| {
                        if let Entry::Occupied(o) = fx.map.entry(D::new(k)) {
                            drop(o.remove_entry());
                        }
                    },
                ));
            }
            v.push(case(
                "first_entry remove",
                &[(KClone, Unchanged), (KDrop, Nothing)],
                |fx| {
                    drop(fx.map.first_entry().map(|e| e.remove()));
                },
            ));
            v.push(case("last_entry insert", &[(KDrop, Nothing)], |fx| {
                if let Some(mut e) = fx.map.last_entry() {
                    drop(e.insert(D::new(0)));
                }
            }));
        }
        Group::Bulk => {
            v.push(case(
                "append",
                // Comparisons and clones run before anything moves.
                &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                |fx| {
                    fx.map.append(&mut fx.other);
                },
            ));
            for k in [0, 11, 40, 77, 1000] {
                v.push(case(
                    format!("split_off {k}"),
                    // Every clone (the moved part's separators) happens
                    // before any entry leaves the map.
                    &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                    move |fx| {
                        let right = fx.map.split_off(&D::new(k));
                        fx.other = right;
                    },
                ));
            }
            v.push(case(
                "clone",
                &[(KClone, Unchanged), (KDrop, Nothing)],
                |fx| {
                    fx.other = fx.map.clone();
                },
            ));
            v.push(case(
                "from_iter",
                &[(Cmp, Unchanged), (KClone, Unchanged), (KDrop, Nothing)],
                |fx| {
                    fx.other = std::mem::take(&mut fx.items).into_iter().collect();
                },
            ));
            v.push(case(
                "extend",
                &[(Cmp, Nothing), (KClone, Nothing), (KDrop, Nothing)],
                |fx| {
                    let items = std::mem::take(&mut fx.items);
                    fx.map.extend(items);
                },
            ));
        }
        Group::Predicates => {
            v.push(case(
                "retain",
                &[
                    (Pred, Promise::PredicateHonoured(is_multiple_of_3)),
                    (KClone, Nothing),
                    (KDrop, Nothing),
                ],
                |fx| {
                    fx.map.retain(|k, _| {
                        fx.seen.borrow_mut().push(k.key);
                        event(Pred);
                        !is_multiple_of_3(k.key)
                    });
                },
            ));
            v.push(case(
                "extract_if 10..60",
                &[
                    (Pred, Promise::PredicateHonoured(is_multiple_of_4)),
                    (Cmp, Nothing),
                    (KClone, Nothing),
                    (KDrop, Nothing),
                ],
                |fx| {
                    let range = D::new(10)..D::new(60);
                    let extracted: Vec<(D, D)> = fx
                        .map
                        .extract_if(range, |k, _| {
                            fx.seen.borrow_mut().push(k.key);
                            event(Pred);
                            is_multiple_of_4(k.key)
                        })
                        .collect();
                    drop(extracted);
                },
            ));
            v.push(case(
                "extract_if .. dropped part-way",
                &[
                    (Pred, Promise::PredicateHonoured(is_multiple_of_3)),
                    (KClone, Nothing),
                    (KDrop, Nothing),
                ],
                |fx| {
                    let mut it = fx.map.extract_if(.., |k, _| {
                        fx.seen.borrow_mut().push(k.key);
                        event(Pred);
                        is_multiple_of_3(k.key)
                    });
                    for _ in 0..5 {
                        drop(it.next());
                    }
                },
            ));
        }
        Group::Teardown => {
            v.push(case("clear", &[(KDrop, Nothing)], |fx| fx.map.clear()));
            v.push(case("drop", &[(KDrop, Nothing)], |fx| {
                drop(std::mem::take(&mut fx.map))
            }));
            v.push(case(
                "into_iter dropped part-way",
                &[(KDrop, Nothing)],
                |fx| {
                    let mut it = std::mem::take(&mut fx.map).into_iter();
                    drop(it.next());
                    drop(it.next_back());
                    drop(it);
                },
            ));
            v.push(case(
                "into_keys dropped part-way",
                &[(KDrop, Nothing)],
                |fx| {
                    let mut it = std::mem::take(&mut fx.map).into_keys();
                    drop(it.nth(3));
                },
            ));
        }
        Group::Cursor => {
            for k in [0, 20, 2 * N - 2] {
                v.push(case(
                    format!("cursor at {k}: insert and remove"),
                    &[(Cmp, Nothing), (KClone, Nothing), (KDrop, Nothing)],
                    move |fx| {
                        let probe = D::new(k);
                        let mut c = fx.map.lower_bound_mut(Included(&probe));
                        let _ = c.insert_before(D::new(k + 1), D::new(0));
                        let _ = c.insert_after(D::new(k + 1), D::new(0));
                        drop(c.remove_next());
                        drop(c.remove_prev());
                        drop(c.remove_prev());
                        c.insert_after_unchecked(D::new(k + 3), D::new(0));
                    },
                ));
            }
        }
    }
    v
}

struct Run(Group);

impl ConfigVisitor for Run {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        let mut report = Vec::new();
        for case in cases::<C::Handle, C::Arena, CAP>(self.0) {
            for &(kind, promise) in &case.kinds {
                let label = format!("{}: {}", C::NAME, case.label);
                let t = sweep::<C::Handle, C::Arena, CAP>(&label, kind, promise, &*case.op);
                if t.leaked > 0 {
                    report.push(format!(
                        "{label}, {kind:?} panics: {} of {} runs leaked, {} instances in all (keys {:?}; values have keys >= 1000)",
                        t.leaky_runs, t.runs, t.leaked, t.examples
                    ));
                }
            }
        }
        for line in report {
            println!("leak: {line}");
        }
    }
}

macro_rules! groups {
    ($($test:ident: $group:ident,)*) => {$(
        #[test]
        fn $test() {
            Deep::for_each(&mut Run(Group::$group));
        }
    )*};
}

groups! {
    panics_in_insert: Insert,
    panics_in_remove_and_pop: Remove,
    panics_in_entries: Entry,
    panics_in_append_split_off_clone_from_iter: Bulk,
    panics_in_retain_and_extract_if: Predicates,
    panics_in_clear_drop_into_iter: Teardown,
    panics_in_cursor_edits: Cursor,
}

// ---------------------------------------------------------------------------
// split_off: all or nothing under a panicking `Clone`
// ---------------------------------------------------------------------------

/// `split_off` on maps of each of `sizes` (keys `0, 2, ..`, values odd), at
/// keys near the start, the middle and the end: the parts match std's
/// `split_off`; then the same split with the first, a middle and the last
/// of its `Clone` calls panicking leaves the map with every entry it held,
/// in order and valid, and every instance is dropped exactly once at the
/// end. `moving_trees` are the sizes whose split at the middle moves a tree,
/// so clones must happen there.
fn split_off_all_or_nothing<H: Handle, A: ArenaStrategy, const CAP: usize>(
    sizes: &[u32],
    moving_trees: &[u32],
) {
    let build =
        |n: u32| -> M<H, A, CAP> { (0..n).map(|k| (D::new(2 * k), D::new(2 * k + 1))).collect() };
    let all_dropped_once = |what: &str| {
        ledger(|l| {
            assert_eq!(l.double_drops, 0, "{what}: double drop");
            assert_eq!(l.used_after_drop, 0, "{what}: use after drop");
            let leaked = l.drops.iter().filter(|&&d| d == 0).count();
            assert_eq!(leaked, 0, "{what}: {leaked} instances never dropped");
        });
    };
    for &n in sizes {
        for at in [0, 1, n / 8, n / 2, n - n / 8, n - 1, n] {
            let key = 2 * at;
            let what = format!("{n} entries, split_off({key})");

            // No panic: the same parts as std's, both valid.
            reset();
            let mut map = build(n);
            let mut std_map: std::collections::BTreeMap<u32, u32> =
                (0..n).map(|k| (2 * k, 2 * k + 1)).collect();
            let before = calls(KClone);
            let right = map.split_off(&D::new(key));
            let clones = calls(KClone) - before;
            let std_right = std_map.split_off(&key);
            let pairs =
                |m: &M<H, A, CAP>| m.iter().map(|(k, v)| (k.key, v.key)).collect::<Vec<_>>();
            assert_eq!(
                pairs(&map),
                std_map.into_iter().collect::<Vec<_>>(),
                "{what}: left"
            );
            assert_eq!(
                pairs(&right),
                std_right.into_iter().collect::<Vec<_>>(),
                "{what}: right"
            );
            map.check_invariants()
                .unwrap_or_else(|e| panic!("{what}: left: {e:?}"));
            right
                .check_invariants()
                .unwrap_or_else(|e| panic!("{what}: right: {e:?}"));
            drop((map, right));
            all_dropped_once(&what);
            if at == n / 2 && moving_trees.contains(&n) {
                assert!(
                    clones > 0,
                    "{what}: moved a tree without cloning separators"
                );
            }

            // The k-th clone panics: the map holds what it held.
            let mut ks = vec![1, clones.div_ceil(2), clones];
            ks.dedup();
            for k in ks.into_iter().filter(|&k| 0 < k && k <= clones) {
                let what = format!("{what}, clone {k} of {clones} panics");
                reset();
                let mut map = build(n);
                let snap = snapshot(&map);
                ledger(|l| l.armed = Some((KClone, l.calls[KClone as usize] + k)));
                let result = quietly(|| map.split_off(&D::new(key)));
                assert!(
                    result.is_err(),
                    "{what}: the panic did not reach the caller"
                );
                assert_eq!(
                    ledger(|l| l.fired),
                    1,
                    "{what}: the armed clone did not happen"
                );
                assert_eq!(map.len(), n as usize, "{what}: len");
                assert!(snapshot(&map) == snap, "{what}: the entries changed");
                map.check_invariants()
                    .unwrap_or_else(|e| panic!("{what}: {e:?}"));
                drop(map);
                all_dropped_once(&what);
            }
        }
    }
}

#[test]
fn split_off_clone_panic_keeps_every_entry_default() {
    // Runs of up to 256; 20,000 entries split in the middle: two trees of
    // height 2.
    // Under Miri 600 (a root over leaves, 300 each side) for 20,000.
    let big = if cfg!(miri) { 600 } else { 20_000 };
    split_off_all_or_nothing::<bptree::Wide32, bptree::VecArena, 64>(&[40, 120, big], &[big]);
}

#[test]
fn split_off_clone_panic_keeps_every_entry_compact() {
    // `phase::Compact`: Adaptive handles, runs of up to 2,048 behind one
    // pointer, CAP 128 (40,000 split in the middle: height 2 each side).
    split_off_all_or_nothing::<
        bptree::Adaptive,
        bptree::policy::Indirect<bptree::VecArena<bptree::policy::Boxed>, 16>,
        128,
    >(
        // Under Miri a run of 300 and a tree of 2,100 (past the run's
        // 2,048), whose halves are runs: no split there moves a tree.
        if cfg!(miri) {
            &[300, 2_100]
        } else {
            &[1_000, 3_000, 40_000]
        },
        if cfg!(miri) { &[] } else { &[40_000] },
    );
}

#[test]
fn split_off_clone_panic_keeps_every_entry_phase0() {
    // `phase::Phase0`: no runs (a bare MaskedArena of Growing nodes).
    split_off_all_or_nothing::<
        bptree::Wide32,
        bptree::policy::MaskedArena<bptree::policy::Growing>,
        64,
    >(
        // Under Miri 300 (a root over leaves) for 20,000.
        if cfg!(miri) {
            &[30, 100, 300]
        } else {
            &[30, 100, 20_000]
        },
        if cfg!(miri) { &[300] } else { &[20_000] },
    );
}

#[test]
fn split_off_clone_panic_keeps_every_entry_cap4() {
    // Compact16 handles, CAP 4: runs of up to 16, trees of height 4 and
    // more.
    split_off_all_or_nothing::<bptree::Compact16, bptree::VecArena, 4>(
        if cfg!(miri) {
            &[3, 8, 17, 40, 200]
        } else {
            &[3, 8, 17, 40, 200, 2_000]
        },
        if cfg!(miri) {
            &[40, 200]
        } else {
            &[40, 200, 2_000]
        },
    );
}

/// The dummy itself: a panic on the Nth call happens exactly there, drops
/// are counted once, and nothing fires while unwinding.
#[test]
fn crash_test_dummy_counts() {
    reset();
    let a = D::new(1);
    let b = a.clone();
    assert_eq!(calls(KClone), 1);
    ledger(|l| l.armed = Some((Cmp, 2)));
    assert!(a < D::new(2));
    assert!(quietly(|| a == b).is_err());
    assert!(a == b, "fires once");
    let next_drop = calls(KDrop) + 1;
    ledger(|l| l.armed = Some((KDrop, next_drop)));
    assert!(quietly(move || drop(b)).is_err());
    drop(a);
    ledger(|l| {
        assert_eq!(l.double_drops, 0);
        assert!(l.drops.iter().all(|&d| d == 1));
    });
}
