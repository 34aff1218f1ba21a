//! `map_ops`: random operation sequences on `BPlusTreeMap<u32, u32, ..>`,
//! each checked against `std::collections::BTreeMap` (nightly's, for the
//! cursors), with `check_invariants()` along the way and at the end.
//!
//! The input's first field picks the configuration (see `Config`); the ops
//! cover the whole map API: point ops, entries, ranges and iterators from
//! both ends, partial `into_iter`, `retain`, `extract_if`, `append`,
//! `split_off`, `clone`, cursors, `from_sorted_iter`/`collect`/`extend`,
//! and bulk inserts of up to 300,000 ascending keys (enough to move an
//! `Adaptive` tree of 4-entry nodes past 65,535 nodes to wide handles, and
//! removals to move it back).

#![no_main]
#![feature(btree_cursors)]

#[path = "common.rs"]
mod common;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry as StdEntry;
use std::hash::{BuildHasher, RandomState};
use std::ops::Bound;

use arbitrary::Arbitrary;
use bptree::map::Entry;
use bptree::phase::{Compact, Phase0};
use bptree::policy::{ArenaStrategy, Boxed, Growing, Handle, Indirect, MaskedArena};
use bptree::{Adaptive, BPlusTreeMap, VecArena, Wide32};
use common::{B, Prog, Src, Walk, install_hook, mirror, mix, val, walk, walk_exact};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    config: common::Config,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16, u32),
    CheckedInsert(u16, u32),
    Remove(u16),
    RemoveEntry(u16),
    Get(u16),
    GetMut(u16, u32),
    Entry(u16, EntryAct),
    FirstEntry(EdgeAct),
    LastEntry(EdgeAct),
    Range(B, B, Walk),
    RangeMut(B, B, Walk, u32),
    Iter(Walk),
    IterMut(Walk, u32),
    Keys(Walk),
    Values(Walk),
    ValuesMut(Walk, u32),
    /// Consume the map (or, if the flag is set, a clone) partially.
    IntoIter(Walk, IntoKind, bool),
    PopFirst,
    PopLast,
    /// Keep `(k + rem) % (modulus + 1) != 0`, mixing the values visited.
    Retain(u8, u8, u32),
    /// Extract `(k + rem) % (modulus + 1) == 0` within the range, mixing
    /// the values visited; pull at most `limit` (255: all).
    ExtractIf(B, B, u8, u8, u32, u8),
    Append(Src, u32),
    /// Split at the key; keep the right part if the flag is set.
    SplitOff(u16, bool),
    /// Clone; go on with the clone if the flag is set.
    Clone(bool),
    /// A read-only cursor at `upper_bound` (flag) or `lower_bound`.
    Cursor(bool, B, Prog),
    CursorMut(bool, B, Prog),
    FromSorted(Src, u32),
    Collect(Src, u32),
    Extend(Src, u32),
    /// `len % 300_001` ascending keys from `base`.
    Bulk(u16, u32, BulkHow),
    Clear,
    /// `==`, `cmp`, `partial_cmp`, `Hash` against another map.
    Compare(Src, u32),
    Check,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum IntoKind {
    Entries,
    Keys,
    Values,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum BulkHow {
    Extend,
    FromSorted,
    Append,
    /// Append the map to a bulk-built one (the bulk keys on the left).
    AppendTo,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum EntryAct {
    OrInsert(u32),
    OrInsertWithKey,
    OrDefault,
    AndModify(u32, u32),
    InsertEntry(u32),
    Key,
    /// Split into occupied/vacant and act on that.
    Occupied(EdgeAct),
    Vacant(u32, bool),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum EdgeAct {
    Get,
    GetMut(u32),
    IntoMut(u32),
    Insert(u32),
    Remove,
    RemoveEntry,
}

const BULK_MAX: u32 = 300_000;
/// Bulk entries one input may add in all (keeps each run well under a second).
const BULK_BUDGET: usize = 700_000;

type Map<H, A, const CAP: usize> = BPlusTreeMap<u32, u32, H, A, CAP>;

struct State<H: Handle, A: ArenaStrategy, const CAP: usize> {
    ours: Map<H, A, CAP>,
    std: BTreeMap<u32, u32>,
    /// The most entries the map may hold (`Compact16` stays far from its
    /// handle limit).
    max_len: usize,
    budget: usize,
}

fn pair((k, v): (&u32, &u32)) -> (u32, u32) {
    (*k, *v)
}

fn check<H: Handle, A: ArenaStrategy, const CAP: usize>(
    ours: &Map<H, A, CAP>,
    std: &BTreeMap<u32, u32>,
) {
    if let Err(e) = ours.check_invariants() {
        panic!("check_invariants: {e:?}");
    }
    assert_eq!(ours.len(), std.len(), "len");
    assert!(ours.iter().eq(std.iter()), "contents differ");
}

impl<H: Handle, A: ArenaStrategy, const CAP: usize> State<H, A, CAP> {
    fn check_all(&self) {
        check(&self.ours, &self.std);
        assert!(
            self.ours.iter().rev().eq(self.std.iter().rev()),
            "reverse contents differ"
        );
        assert_eq!(self.ours.keys().len(), self.std.len());
        assert!(self.ours.values().eq(self.std.values()));
    }

    fn check_cheap(&self) {
        assert_eq!(self.ours.len(), self.std.len(), "len");
        assert_eq!(self.ours.is_empty(), self.std.is_empty());
        assert_eq!(self.ours.first_key_value(), self.std.first_key_value());
        assert_eq!(self.ours.last_key_value(), self.std.last_key_value());
    }

    /// How many of `want` bulk entries may be added.
    fn room(&mut self, want: usize) -> usize {
        let n = want
            .min(self.budget)
            .min(self.max_len.saturating_sub(self.std.len()));
        self.budget -= n;
        n
    }

    fn replace(&mut self, entries: Vec<(u32, u32)>, sorted: bool) {
        let n = self.room(entries.len());
        let entries = &entries[..n];
        let strictly = entries.windows(2).all(|w| w[0].0 < w[1].0);
        if sorted {
            let built = Map::<H, A, CAP>::from_sorted_iter(entries.iter().copied());
            assert_eq!(
                built.is_some(),
                strictly,
                "from_sorted_iter accepted or refused wrongly"
            );
            let Some(built) = built else { return };
            self.ours = built;
        } else {
            self.ours = entries.iter().copied().collect();
        }
        self.std = entries.iter().copied().collect();
        check(&self.ours, &self.std);
    }

    fn append(&mut self, entries: Vec<(u32, u32)>, to: bool) {
        let n = self.room(entries.len());
        let mut other: Map<H, A, CAP> = entries[..n].iter().copied().collect();
        let mut other_std: BTreeMap<u32, u32> = entries[..n].iter().copied().collect();
        check(&other, &other_std);
        if to {
            std::mem::swap(&mut self.ours, &mut other);
            std::mem::swap(&mut self.std, &mut other_std);
        }
        self.ours.append(&mut other);
        self.std.append(&mut other_std);
        check(&other, &other_std);
        assert!(other.is_empty());
        check(&self.ours, &self.std);
    }

    fn apply(&mut self, op: Op) {
        let (ours, std) = (&mut self.ours, &mut self.std);
        match op {
            Op::Insert(k, v) => assert_eq!(ours.insert(k.into(), v), std.insert(k.into(), v)),
            Op::CheckedInsert(k, v) => {
                let got = ours
                    .checked_insert(k.into(), v)
                    .ok()
                    .expect("checked_insert refused");
                assert_eq!(got, std.insert(k.into(), v));
            }
            Op::Remove(k) => assert_eq!(ours.remove(&k.into()), std.remove(&k.into())),
            Op::RemoveEntry(k) => {
                assert_eq!(ours.remove_entry(&k.into()), std.remove_entry(&k.into()));
            }
            Op::Get(k) => {
                let k = u32::from(k);
                assert_eq!(ours.get(&k), std.get(&k));
                assert_eq!(ours.get_key_value(&k), std.get_key_value(&k));
                assert_eq!(ours.contains_key(&k), std.contains_key(&k));
                if std.contains_key(&k) {
                    assert_eq!(ours[&k], std[&k]);
                }
            }
            Op::GetMut(k, x) => {
                let k = u32::from(k);
                match (ours.get_mut(&k), std.get_mut(&k)) {
                    (Some(a), Some(b)) => {
                        assert_eq!(*a, *b);
                        *a = mix(*a, x);
                        *b = mix(*b, x);
                    }
                    (None, None) => {}
                    (a, b) => panic!("get_mut: {a:?} vs {b:?}"),
                }
            }
            Op::Entry(k, act) => entry(ours, std, k.into(), act),
            Op::FirstEntry(act) => match (ours.first_entry(), std.first_entry()) {
                (Some(a), Some(b)) => occupied(a, b, act),
                (None, None) => {}
                _ => panic!("first_entry differs"),
            },
            Op::LastEntry(act) => match (ours.last_entry(), std.last_entry()) {
                (Some(a), Some(b)) => occupied(a, b, act),
                (None, None) => {}
                _ => panic!("last_entry differs"),
            },
            Op::Range(lo, hi, w) => {
                let r = (lo.get(), hi.get());
                // std checks a range's bounds only when its map has a root
                // node, which a map emptied by removals keeps and a new one
                // lacks; ours checks them whenever it has entries (its
                // documented rule). An empty map yields nothing.
                if std.is_empty() {
                    assert_eq!(walk(ours.range(r).map(pair), &w), walk(std::iter::empty(), &w));
                } else {
                    mirror(
                        || walk(std.range(r).map(pair), &w),
                        || walk(ours.range(r).map(pair), &w),
                    );
                }
            }
            Op::RangeMut(lo, hi, w, x) => {
                let r = (lo.get(), hi.get());
                let f = |(k, v): (&u32, &mut u32)| {
                    *v = mix(*v, x);
                    (*k, *v)
                };
                // std checks a range's bounds only when its map has a root
                // node, which a map emptied by removals keeps and a new one
                // lacks; ours checks them whenever it has entries (its
                // documented rule). An empty map yields nothing.
                if std.is_empty() {
                    assert_eq!(walk(ours.range_mut(r).map(f), &w), walk(std::iter::empty(), &w));
                } else {
                    mirror(
                        || walk(std.range_mut(r).map(f), &w),
                        || walk(ours.range_mut(r).map(f), &w),
                    );
                }
            }
            Op::Iter(w) => assert_eq!(
                walk_exact(ours.iter().map(pair), &w),
                walk_exact(std.iter().map(pair), &w)
            ),
            Op::IterMut(w, x) => {
                let f = |(k, v): (&u32, &mut u32)| {
                    *v = mix(*v, x);
                    (*k, *v)
                };
                assert_eq!(
                    walk_exact(ours.iter_mut().map(f), &w),
                    walk_exact(std.iter_mut().map(f), &w)
                );
            }
            Op::Keys(w) => assert_eq!(walk_exact(ours.keys(), &w), walk_exact(std.keys(), &w)),
            Op::Values(w) => {
                assert_eq!(walk_exact(ours.values(), &w), walk_exact(std.values(), &w))
            }
            Op::ValuesMut(w, x) => {
                let f = |v: &mut u32| {
                    *v = mix(*v, x);
                    *v
                };
                assert_eq!(
                    walk_exact(ours.values_mut().map(f), &w),
                    walk_exact(std.values_mut().map(f), &w)
                );
            }
            Op::IntoIter(w, kind, of_clone) => {
                let (a, b) = if of_clone {
                    (ours.clone(), std.clone())
                } else {
                    (std::mem::take(ours), std::mem::take(std))
                };
                match kind {
                    IntoKind::Entries => {
                        assert_eq!(walk_exact(a.into_iter(), &w), walk_exact(b.into_iter(), &w))
                    }
                    IntoKind::Keys => {
                        assert_eq!(walk_exact(a.into_keys(), &w), walk_exact(b.into_keys(), &w))
                    }
                    IntoKind::Values => assert_eq!(
                        walk_exact(a.into_values(), &w),
                        walk_exact(b.into_values(), &w)
                    ),
                }
            }
            Op::PopFirst => assert_eq!(ours.pop_first(), std.pop_first()),
            Op::PopLast => assert_eq!(ours.pop_last(), std.pop_last()),
            Op::Retain(m, r, x) => {
                let f = |k: &u32, v: &mut u32| {
                    *v = mix(*v, x);
                    (k + u32::from(r)) % (u32::from(m) + 1) != 0
                };
                ours.retain(f);
                std.retain(f);
                check(ours, std);
            }
            Op::ExtractIf(lo, hi, m, r, x, limit) => {
                let range = (lo.get(), hi.get());
                let f = |k: &u32, v: &mut u32| {
                    *v = mix(*v, x);
                    (k + u32::from(r)) % (u32::from(m) + 1) == 0
                };
                let n = if limit == 255 {
                    usize::MAX
                } else {
                    usize::from(limit)
                };
                mirror(
                    || std.extract_if(range, f).take(n).collect::<Vec<_>>(),
                    || ours.extract_if(range, f).take(n).collect::<Vec<_>>(),
                );
                check(ours, std);
            }
            Op::Append(src, salt) => self.append(src.entries(salt), false),
            Op::SplitOff(k, keep_right) => {
                let k = u32::from(k);
                let mut a = ours.split_off(&k);
                let mut b = std.split_off(&k);
                check(ours, std);
                check(&a, &b);
                if keep_right {
                    std::mem::swap(ours, &mut a);
                    std::mem::swap(std, &mut b);
                }
            }
            Op::Clone(keep) => {
                let c = ours.clone();
                check(&c, std);
                assert!(c == *ours);
                if keep {
                    *ours = c;
                }
            }
            Op::Cursor(upper, b, prog) => {
                let b = b.get();
                let (mut a, mut s) = if upper {
                    (
                        ours.upper_bound(B::as_ref(&b)),
                        std.upper_bound(B::as_ref(&b)),
                    )
                } else {
                    (
                        ours.lower_bound(B::as_ref(&b)),
                        std.lower_bound(B::as_ref(&b)),
                    )
                };
                for (op, _) in prog.ops() {
                    let (x, y) = match op % 4 {
                        0 => (a.next(), s.next()),
                        1 => (a.prev(), s.prev()),
                        2 => (a.peek_next(), s.peek_next()),
                        _ => (a.peek_prev(), s.peek_prev()),
                    };
                    assert_eq!(x, y, "cursor op {op}");
                }
            }
            Op::CursorMut(upper, b, prog) => cursor_mut(ours, std, upper, b.get(), prog),
            Op::FromSorted(src, salt) => self.replace(src.entries(salt), true),
            Op::Collect(src, salt) => self.replace(src.entries(salt), false),
            Op::Extend(src, salt) => {
                let e = src.entries(salt);
                let n = self.room(e.len());
                self.ours.extend(e[..n].iter().copied());
                self.std.extend(e[..n].iter().copied());
            }
            Op::Bulk(base, len, how) => {
                let len = (len % (BULK_MAX + 1)) as usize;
                let n = self.room(len) as u32;
                let base = u32::from(base);
                let entries = (base..base + n).map(|k| (k, val(k, 0xb01c)));
                match how {
                    BulkHow::Extend => {
                        self.ours.extend(entries.clone());
                        self.std.extend(entries);
                        check(&self.ours, &self.std);
                    }
                    BulkHow::FromSorted => {
                        self.ours = Map::from_sorted_iter(entries.clone()).expect("ascending");
                        self.std = entries.collect();
                        check(&self.ours, &self.std);
                    }
                    BulkHow::Append => {
                        self.budget += n as usize; // `append` charges it again
                        self.append(entries.collect(), false);
                    }
                    BulkHow::AppendTo => {
                        self.budget += n as usize;
                        self.append(entries.collect(), true);
                    }
                }
            }
            Op::Clear => {
                ours.clear();
                std.clear();
            }
            Op::Compare(src, salt) => {
                let e = src.entries(salt);
                let other: Map<H, A, CAP> = e.iter().copied().collect();
                let other_std: BTreeMap<u32, u32> = e.iter().copied().collect();
                let (ours, std): (&Map<H, A, CAP>, &BTreeMap<u32, u32>) = (ours, std);
                assert_eq!(*ours == other, *std == other_std, "==");
                assert_eq!(
                    ours.partial_cmp(&other),
                    std.partial_cmp(&other_std),
                    "partial_cmp"
                );
                assert_eq!(ours.cmp(&other), std.cmp(&other_std), "cmp");
                let h = RandomState::new();
                if *ours == other {
                    assert_eq!(
                        h.hash_one(&*ours),
                        h.hash_one(&other),
                        "equal maps hash differently"
                    );
                }
                if std.len() <= 64 {
                    assert_eq!(format!("{ours:?}"), format!("{std:?}"), "Debug");
                }
            }
            Op::Check => self.check_all(),
        }
    }
}

fn occupied<H: Handle, A: ArenaStrategy, const CAP: usize>(
    mut a: bptree::map::OccupiedEntry<'_, u32, u32, H, A, CAP>,
    mut b: std::collections::btree_map::OccupiedEntry<'_, u32, u32>,
    act: EdgeAct,
) {
    assert_eq!(a.key(), b.key());
    assert_eq!(a.get(), b.get());
    match act {
        EdgeAct::Get => {}
        EdgeAct::GetMut(x) => {
            *a.get_mut() = mix(*a.get(), x);
            *b.get_mut() = mix(*b.get(), x);
            assert_eq!(a.get(), b.get());
        }
        EdgeAct::IntoMut(x) => {
            let (a, b) = (a.into_mut(), b.into_mut());
            *a = mix(*a, x);
            *b = mix(*b, x);
        }
        EdgeAct::Insert(v) => assert_eq!(a.insert(v), b.insert(v)),
        EdgeAct::Remove => assert_eq!(a.remove(), b.remove()),
        EdgeAct::RemoveEntry => assert_eq!(a.remove_entry(), b.remove_entry()),
    }
}

fn entry<H: Handle, A: ArenaStrategy, const CAP: usize>(
    ours: &mut Map<H, A, CAP>,
    std: &mut BTreeMap<u32, u32>,
    k: u32,
    act: EntryAct,
) {
    let (a, b) = (ours.entry(k), std.entry(k));
    assert_eq!(a.key(), b.key());
    match act {
        EntryAct::OrInsert(v) => {
            let (a, b) = (a.or_insert(v), b.or_insert(v));
            assert_eq!(a, b);
            *a = mix(*a, v);
            *b = mix(*b, v);
        }
        EntryAct::OrInsertWithKey => {
            assert_eq!(
                a.or_insert_with_key(|k| val(*k, 1)),
                b.or_insert_with_key(|k| val(*k, 1))
            );
        }
        EntryAct::OrDefault => assert_eq!(a.or_default(), b.or_default()),
        EntryAct::AndModify(x, d) => {
            let f = |v: &mut u32| *v = mix(*v, x);
            assert_eq!(a.and_modify(f).or_insert(d), b.and_modify(f).or_insert(d));
        }
        EntryAct::InsertEntry(v) => {
            let (a, b) = (a.insert_entry(v), b.insert_entry(v));
            assert_eq!((a.key(), a.get()), (b.key(), b.get()));
        }
        EntryAct::Key => {}
        EntryAct::Occupied(act) => match (a, b) {
            (Entry::Occupied(a), StdEntry::Occupied(b)) => occupied(a, b, act),
            (Entry::Vacant(_), StdEntry::Vacant(_)) => {}
            _ => panic!("entry kinds differ"),
        },
        EntryAct::Vacant(v, into_key) => match (a, b) {
            (Entry::Vacant(a), StdEntry::Vacant(b)) => {
                assert_eq!(a.key(), b.key());
                if into_key {
                    assert_eq!(a.into_key(), b.into_key());
                } else {
                    let (a, b) = (a.insert_entry(v), b.insert_entry(v));
                    assert_eq!((a.key(), a.get()), (b.key(), b.get()));
                }
            }
            (Entry::Occupied(_), StdEntry::Occupied(_)) => {}
            _ => panic!("entry kinds differ"),
        },
    }
}

fn cursor_mut<H: Handle, A: ArenaStrategy, const CAP: usize>(
    ours: &mut Map<H, A, CAP>,
    std: &mut BTreeMap<u32, u32>,
    upper: bool,
    b: Bound<u32>,
    prog: Prog,
) {
    let (mut a, mut s) = if upper {
        (
            ours.upper_bound_mut(B::as_ref(&b)),
            std.upper_bound_mut(B::as_ref(&b)),
        )
    } else {
        (
            ours.lower_bound_mut(B::as_ref(&b)),
            std.lower_bound_mut(B::as_ref(&b)),
        )
    };
    let f = |x: u32| {
        move |e: Option<(&u32, &mut u32)>| {
            e.map(|(k, v)| {
                *v = mix(*v, x);
                (*k, *v)
            })
        }
    };
    for (op, x) in prog.ops() {
        // Keys near the cursor's neighbours, so that inserts often succeed.
        let prev = s.peek_prev().map(|(k, _)| *k);
        let next = s.peek_next().map(|(k, _)| *k);
        let near = match x % 4 {
            0 => x % 65_536,
            1 => prev.map_or(x % 8, |p| p.wrapping_add(1 + x % 4)),
            2 => next.map_or(x % 8, |n| n.wrapping_sub(1 + x % 4)),
            _ => prev.or(next).unwrap_or(0),
        };
        match op {
            0 => assert_eq!(a.next().map(pair_mut), s.next().map(pair_mut)),
            1 => assert_eq!(f(x)(a.next()), f(x)(s.next())),
            2 => assert_eq!(a.prev().map(pair_mut), s.prev().map(pair_mut)),
            3 => assert_eq!(f(x)(a.prev()), f(x)(s.prev())),
            4 => assert_eq!(f(x)(a.peek_next()), f(x)(s.peek_next())),
            5 => assert_eq!(f(x)(a.peek_prev()), f(x)(s.peek_prev())),
            6 | 7 => assert_eq!(
                a.insert_after(near, x).is_ok(),
                s.insert_after(near, x).is_ok(),
                "insert_after({near})"
            ),
            8 | 9 => assert_eq!(
                a.insert_before(near, x).is_ok(),
                s.insert_before(near, x).is_ok(),
                "insert_before({near})"
            ),
            10 | 15 => assert_eq!(a.remove_next(), s.remove_next()),
            11 => assert_eq!(a.remove_prev(), s.remove_prev()),
            12 => {
                let (c, d) = (a.as_cursor(), s.as_cursor());
                assert_eq!(
                    (c.peek_prev(), c.peek_next()),
                    (d.peek_prev(), d.peek_next())
                );
            }
            13 => assert_eq!(a.next().map(pair_mut), s.next().map(pair_mut)),
            _ => assert_eq!(a.prev().map(pair_mut), s.prev().map(pair_mut)),
        }
    }
    drop((a, s));
    check(ours, std);
}

fn pair_mut((k, v): (&u32, &mut u32)) -> (u32, u32) {
    (*k, *v)
}

fn run<H: Handle, A: ArenaStrategy, const CAP: usize>(ops: Vec<Op>) {
    let mut st = State::<H, A, CAP> {
        ours: Map::empty(),
        std: BTreeMap::new(),
        max_len: common::max_len::<H>(),
        budget: BULK_BUDGET,
    };
    for (i, op) in ops.into_iter().enumerate() {
        st.apply(op);
        st.check_cheap();
        if st.std.len() <= 256 || i % 32 == 31 {
            check(&st.ours, &st.std);
        }
    }
    st.check_all();
}

fuzz_target!(|input: Input| {
    install_hook();
    // The named configurations are the types spelled out below.
    let _: fn(Compact<u32, u32>) -> Map<Adaptive, Indirect<VecArena<Boxed>>, 128> = |m| m;
    let _: fn(Phase0<u32, u32>) -> Map<Wide32, MaskedArena<Growing>, 64> = |m| m;
    let _: fn(BPlusTreeMap<u32, u32>) -> Map<Wide32, VecArena, 64> = |m| m;
    common::on_config!(input.config, run(input.ops))
});
