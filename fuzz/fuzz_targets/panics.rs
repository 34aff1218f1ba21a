//! `panics`: keys and values whose `Ord`, `Clone` or `Drop` (or the
//! predicate of `retain`/`extract_if`) panic when the input says so.
//!
//! Each step may arm one panic: "the n-th call of this kind from now". The
//! injected panic must reach the caller; afterwards the map must pass
//! `check_invariants()`, iterate (both ways) as many entries as `len()` says
//! in strictly ascending order, and the `BTreeMap` model is re-synced from
//! it. Steps without a panic are compared with the model. No instance may be
//! dropped twice or used after its drop; at the end every instance must have
//! been dropped exactly once if no panic happened. After a panic, leaks are
//! counted but allowed, as `tests/panic_safety.rs` allows them; set
//! `BPTREE_FUZZ_STRICT_LEAKS=1` to make them crashes too.

#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::panic;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use bptree::BPlusTreeMap;
use bptree::policy::{ArenaStrategy, Handle};
use common::{B, Injected, Prog, Src, Walk, catch_injected, install_hook};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cmp,
    Clone,
    Drop,
    Pred,
}

#[derive(Default)]
struct Ledger {
    drops: Vec<u8>,
    /// Calls of `kind` still to go before the armed one panics.
    armed: Option<(Kind, u32)>,
    fired: bool,
    double_drops: u32,
    used_after_drop: u32,
}

thread_local! {
    static LEDGER: RefCell<Ledger> = RefCell::new(Ledger::default());
}

fn ledger<R>(f: impl FnOnce(&mut Ledger) -> R) -> R {
    LEDGER.with_borrow_mut(f)
}

/// Counts a call of `kind`; panics if it is the armed one (once).
fn tick(kind: Kind) {
    let fire = ledger(|l| match &mut l.armed {
        Some((k, 0)) if *k == kind => {
            l.armed = None;
            l.fired = true;
            true
        }
        Some((k, n)) if *k == kind => {
            *n -= 1;
            false
        }
        _ => false,
    });
    if fire {
        panic::panic_any(Injected);
    }
}

/// A key or value: `key` orders it, `id` tracks its drops.
#[derive(Debug)]
struct D {
    key: u16,
    id: u32,
}

impl D {
    fn new(key: u16) -> D {
        let id = ledger(|l| {
            l.drops.push(0);
            l.drops.len() as u32 - 1
        });
        D { key, id }
    }

    fn live(&self) -> u16 {
        ledger(|l| {
            if l.drops[self.id as usize] != 0 {
                l.used_after_drop += 1;
            }
        });
        self.key
    }
}

impl Clone for D {
    fn clone(&self) -> D {
        let key = self.live();
        tick(Kind::Clone);
        D::new(key)
    }
}

impl Drop for D {
    fn drop(&mut self) {
        ledger(|l| {
            let d = &mut l.drops[self.id as usize];
            if *d != 0 {
                l.double_drops += 1;
            }
            *d = d.saturating_add(1);
        });
        if !std::thread::panicking() {
            tick(Kind::Drop);
        }
    }
}

impl PartialEq for D {
    fn eq(&self, other: &D) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for D {}
impl PartialOrd for D {
    fn partial_cmp(&self, other: &D) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for D {
    fn cmp(&self, other: &D) -> Ordering {
        let (a, b) = (self.live(), other.live());
        tick(Kind::Cmp);
        a.cmp(&b)
    }
}

fn pred(k: &D, m: u8, r: u8) -> bool {
    tick(Kind::Pred);
    (u32::from(k.key) + u32::from(r)) % (u32::from(m) + 1) == 0
}

#[derive(Arbitrary, Debug)]
struct Input {
    config: common::Config,
    steps: Vec<Step>,
}

#[derive(Arbitrary, Debug)]
struct Step {
    /// Panic at the n-th call of this kind during the op.
    arm: Option<(Kind, u8)>,
    op: Op,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16, u16),
    Remove(u16),
    Get(u16),
    EntryOrInsert(u16, u16),
    EntryRemove(u16),
    PopFirst,
    PopLast,
    Retain(u8, u8),
    ExtractIf(B, B, u8, u8, u8),
    Append(Src),
    SplitOff(u16),
    Clone(bool),
    FromIter(Src),
    FromSorted(Src),
    Extend(Src),
    Range(B, B, Walk),
    IntoIter(Walk),
    CursorMut(bool, B, Prog),
    /// Up to 2,000 ascending keys.
    Bulk(u16, u16),
    Clear,
}

type Map<H, A, const CAP: usize> = BPlusTreeMap<D, D, H, A, CAP>;
type Model = BTreeMap<u16, u16>;

fn entries(src: Src) -> Vec<(D, D)> {
    src.keys()
        .into_iter()
        .map(|k| (D::new(k as u16), D::new(k as u16 ^ 0x5555)))
        .collect()
}

fn bound(b: B) -> Bound<D> {
    match b.get() {
        Bound::Included(k) => Bound::Included(D::new(k as u16)),
        Bound::Excluded(k) => Bound::Excluded(D::new(k as u16)),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn bound_ref(b: &Bound<D>) -> Bound<&D> {
    match b {
        Bound::Included(k) => Bound::Included(k),
        Bound::Excluded(k) => Bound::Excluded(k),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn snapshot<H: Handle, A: ArenaStrategy, const CAP: usize>(m: &Map<H, A, CAP>) -> Vec<(u16, u16)> {
    m.iter().map(|(k, v)| (k.key, v.key)).collect()
}

/// Runs `op` on the map and (where it can without `D`) on the model.
fn apply<H: Handle, A: ArenaStrategy, const CAP: usize>(
    m: &mut Map<H, A, CAP>,
    model: &mut Model,
    op: Op,
) {
    match op {
        Op::Insert(k, v) => {
            let old = m.insert(D::new(k), D::new(v)).map(|v| v.key);
            assert_eq!(old, model.insert(k, v));
        }
        Op::Remove(k) => {
            let old = m.remove(&D::new(k)).map(|v| v.key);
            assert_eq!(old, model.remove(&k));
        }
        Op::Get(k) => assert_eq!(m.get(&D::new(k)).map(|v| v.key), model.get(&k).copied()),
        Op::EntryOrInsert(k, v) => {
            let got = m.entry(D::new(k)).or_insert(D::new(v)).key;
            assert_eq!(got, *model.entry(k).or_insert(v));
        }
        Op::EntryRemove(k) => {
            let got = match m.entry(D::new(k)) {
                bptree::map::Entry::Occupied(o) => Some(o.remove().key),
                bptree::map::Entry::Vacant(_) => None,
            };
            assert_eq!(got, model.remove(&k));
        }
        Op::PopFirst => assert_eq!(
            m.pop_first().map(|(k, v)| (k.key, v.key)),
            model.pop_first()
        ),
        Op::PopLast => assert_eq!(m.pop_last().map(|(k, v)| (k.key, v.key)), model.pop_last()),
        Op::Retain(md, r) => {
            m.retain(|k, _| !pred(k, md, r));
            model.retain(|k, _| (u32::from(*k) + u32::from(r)) % (u32::from(md) + 1) != 0);
        }
        Op::ExtractIf(lo, hi, md, r, limit) => {
            let (lo, hi) = (bound(lo), bound(hi));
            if range_ok(&lo, &hi) {
                let n = usize::from(limit);
                let got: Vec<u16> = m
                    .extract_if((bound_ref(&lo), bound_ref(&hi)), |k, _| pred(k, md, r))
                    .take(n)
                    .map(|(k, _)| k.key)
                    .collect();
                let want: Vec<u16> = model
                    .extract_if((key_bound(&lo), key_bound(&hi)), |k, _| {
                        (u32::from(*k) + u32::from(r)) % (u32::from(md) + 1) == 0
                    })
                    .take(n)
                    .map(|(k, _)| k)
                    .collect();
                assert_eq!(got, want);
            }
        }
        Op::Append(src) => {
            let e = entries(src);
            let keys: Vec<(u16, u16)> = e.iter().map(|(k, v)| (k.key, v.key)).collect();
            let mut other: Map<H, A, CAP> = e.into_iter().collect();
            m.append(&mut other);
            assert!(other.is_empty());
            model.extend(keys);
        }
        Op::SplitOff(k) => {
            let right = m.split_off(&D::new(k));
            let want = model.split_off(&k);
            assert_eq!(snapshot(&right), want.into_iter().collect::<Vec<_>>());
            survivor(&right);
        }
        Op::Clone(keep) => {
            let c = m.clone();
            assert_eq!(snapshot(&c), snapshot(m));
            survivor(&c);
            if keep {
                *m = c;
            }
        }
        Op::FromIter(src) => {
            let e = entries(src);
            let keys: Vec<(u16, u16)> = e.iter().map(|(k, v)| (k.key, v.key)).collect();
            *m = e.into_iter().collect();
            *model = keys.into_iter().collect();
        }
        Op::FromSorted(src) => {
            let e = entries(src);
            let keys: Vec<(u16, u16)> = e.iter().map(|(k, v)| (k.key, v.key)).collect();
            let strictly = keys.windows(2).all(|w| w[0].0 < w[1].0);
            match Map::<H, A, CAP>::from_sorted_iter(e) {
                Some(built) => {
                    assert!(strictly);
                    *m = built;
                    *model = keys.into_iter().collect();
                }
                None => assert!(!strictly),
            }
        }
        Op::Extend(src) => {
            let e = entries(src);
            let keys: Vec<(u16, u16)> = e.iter().map(|(k, v)| (k.key, v.key)).collect();
            m.extend(e);
            model.extend(keys);
        }
        Op::Range(lo, hi, w) => {
            let (lo, hi) = (bound(lo), bound(hi));
            if range_ok(&lo, &hi) {
                let got = common::walk(
                    m.range((bound_ref(&lo), bound_ref(&hi)))
                        .map(|(k, v)| (k.key, v.key)),
                    &w,
                );
                let want = common::walk(
                    model
                        .range((key_bound(&lo), key_bound(&hi)))
                        .map(|(k, v)| (*k, *v)),
                    &w,
                );
                assert_eq!(got, want);
            }
        }
        Op::IntoIter(w) => {
            let got = common::walk(
                std::mem::take(m).into_iter().map(|(k, v)| (k.key, v.key)),
                &w,
            );
            let want = common::walk(std::mem::take(model).into_iter(), &w);
            assert_eq!(got, want);
        }
        Op::CursorMut(upper, b, prog) => {
            let b = bound(b);
            let mut c = if upper {
                m.upper_bound_mut(bound_ref(&b))
            } else {
                m.lower_bound_mut(bound_ref(&b))
            };
            for (op, x) in prog.ops() {
                let k = x as u16;
                match op % 6 {
                    0 => drop(c.next()),
                    1 => drop(c.prev()),
                    2 => drop(c.insert_after(D::new(k), D::new(k))),
                    3 => drop(c.insert_before(D::new(k), D::new(k))),
                    4 => drop(c.remove_next()),
                    _ => drop(c.remove_prev()),
                }
            }
            drop(c);
            // The model follows by re-syncing (cursor moves are not modelled).
            *model = snapshot(m).into_iter().collect();
        }
        Op::Bulk(base, len) => {
            let n = u32::from(len % 2001);
            let base = u32::from(base).min(65_535 - n);
            let e: Vec<(D, D)> = (base..base + n)
                .map(|k| (D::new(k as u16), D::new(k as u16)))
                .collect();
            m.extend(e);
            model.extend((base..base + n).map(|k| (k as u16, k as u16)));
        }
        Op::Clear => {
            m.clear();
            model.clear();
        }
    }
}

fn key_bound(b: &Bound<D>) -> Bound<u16> {
    match b {
        Bound::Included(k) => Bound::Included(k.key),
        Bound::Excluded(k) => Bound::Excluded(k.key),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// Ranges std would refuse (crossed ends) are left to `map_ops`.
fn range_ok(lo: &Bound<D>, hi: &Bound<D>) -> bool {
    match (key_bound(lo), key_bound(hi)) {
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b))
            if a > b =>
        {
            false
        }
        (Bound::Excluded(a), Bound::Excluded(b)) if a == b => false,
        _ => true,
    }
}

/// What a map must be after anything, a panic included.
fn survivor<H: Handle, A: ArenaStrategy, const CAP: usize>(m: &Map<H, A, CAP>) {
    if let Err(e) = m.check_invariants() {
        panic!("check_invariants: {e:?}");
    }
    let keys: Vec<u16> = m.keys().map(|k| k.key).collect();
    assert_eq!(keys.len(), m.len(), "iteration disagrees with len()");
    assert_eq!(
        m.iter().rev().count(),
        m.len(),
        "reverse iteration disagrees with len()"
    );
    assert_eq!(m.iter().len(), m.len());
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "keys out of order: {keys:?}"
    );
    ledger(|l| {
        assert_eq!(l.double_drops, 0, "double drop");
        assert_eq!(l.used_after_drop, 0, "use after drop");
    });
}

fn strict_leaks() -> bool {
    static STRICT: OnceLock<bool> = OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("BPTREE_FUZZ_STRICT_LEAKS").is_some_and(|v| v != "0"))
}

fn run<H: Handle, A: ArenaStrategy, const CAP: usize>(steps: Vec<Step>) {
    ledger(|l| *l = Ledger::default());
    let mut m: Map<H, A, CAP> = Map::empty();
    let mut model = Model::new();
    let mut panicked = false;
    for step in steps {
        ledger(|l| {
            l.armed = step.arm.map(|(k, n)| (k, u32::from(n % 64)));
            l.fired = false;
        });
        let result = catch_injected(|| apply(&mut m, &mut model, step.op));
        let fired = ledger(|l| {
            l.armed = None;
            l.fired
        });
        match result {
            Ok(()) => assert!(!fired, "an injected panic did not reach the caller"),
            Err(p) => {
                if !p.is::<Injected>() {
                    panic::resume_unwind(p);
                }
                panicked = true;
                survivor(&m);
                model = snapshot(&m).into_iter().collect();
            }
        }
        assert_eq!(
            snapshot(&m),
            model.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>()
        );
        survivor(&m);
    }
    drop(m);
    ledger(|l| {
        assert_eq!(l.double_drops, 0, "double drop");
        assert_eq!(l.used_after_drop, 0, "use after drop");
        let leaked = l.drops.iter().filter(|&&d| d == 0).count();
        if !panicked || strict_leaks() {
            assert_eq!(
                leaked, 0,
                "{leaked} instances never dropped (panicked: {panicked})"
            );
        }
    });
}

fuzz_target!(|input: Input| {
    install_hook();
    common::on_config!(input.config, run(input.steps))
});
