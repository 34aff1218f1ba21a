//! `set_ops`: random operation sequences on `BPlusTreeSet<u32, ..>`, each
//! checked against `std::collections::BTreeSet`, with `check_invariants()`
//! along the way and at the end: point ops, ranges and iterators from both
//! ends, partial `into_iter`, `retain`, `extract_if`, `append`,
//! `split_off`, `clone`, bulk builds (up to 300,000 ascending keys), and
//! the set operations (`union`, `intersection`, `difference`,
//! `symmetric_difference`, `is_subset`, `is_superset`, `is_disjoint`)
//! against a second set.

#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};

use arbitrary::Arbitrary;
use bptree::BPlusTreeSet;
use bptree::policy::{ArenaStrategy, Handle};
use common::{B, Src, Walk, install_hook, mirror, walk, walk_exact};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    config: common::Config,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16),
    Replace(u16),
    Remove(u16),
    Take(u16),
    Get(u16),
    PopFirst,
    PopLast,
    Range(B, B, Walk),
    Iter(Walk),
    IntoIter(Walk, bool),
    Retain(u8, u8),
    ExtractIf(B, B, u8, u8, u8),
    Append(Src),
    SplitOff(u16, bool),
    Clone(bool),
    FromIter(Src),
    Extend(Src),
    /// `len % 300_001` ascending keys from `base`; replace the set if the
    /// flag is set, else extend it.
    Bulk(u16, u32, bool),
    Clear,
    /// The set operations and comparisons against another set.
    With(Src, SetOp),
    Check,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum SetOp {
    Union,
    Intersection,
    Difference,
    /// `other.difference(self)`.
    DifferenceRev,
    SymmetricDifference,
    Relations,
    Compare,
}

const BULK_MAX: u32 = 300_000;
const BULK_BUDGET: usize = 700_000;

type Set<H, A, const CAP: usize> = BPlusTreeSet<u32, H, A, CAP>;

fn check<H: Handle, A: ArenaStrategy, const CAP: usize>(
    ours: &Set<H, A, CAP>,
    std: &BTreeSet<u32>,
) {
    if let Err(e) = ours.check_invariants() {
        panic!("check_invariants: {e:?}");
    }
    assert_eq!(ours.len(), std.len(), "len");
    assert!(ours.iter().eq(std.iter()), "contents differ");
}

struct State<H: Handle, A: ArenaStrategy, const CAP: usize> {
    ours: Set<H, A, CAP>,
    std: BTreeSet<u32>,
    max_len: usize,
    budget: usize,
}

impl<H: Handle, A: ArenaStrategy, const CAP: usize> State<H, A, CAP> {
    fn room(&mut self, want: usize) -> usize {
        let n = want
            .min(self.budget)
            .min(self.max_len.saturating_sub(self.std.len()));
        self.budget -= n;
        n
    }

    fn apply(&mut self, op: Op) {
        let (ours, std) = (&mut self.ours, &mut self.std);
        match op {
            Op::Insert(k) => assert_eq!(ours.insert(k.into()), std.insert(k.into())),
            Op::Replace(k) => assert_eq!(ours.replace(k.into()), std.replace(k.into())),
            Op::Remove(k) => assert_eq!(ours.remove(&k.into()), std.remove(&k.into())),
            Op::Take(k) => assert_eq!(ours.take(&k.into()), std.take(&k.into())),
            Op::Get(k) => {
                let k = u32::from(k);
                assert_eq!(ours.get(&k), std.get(&k));
                assert_eq!(ours.contains(&k), std.contains(&k));
            }
            Op::PopFirst => assert_eq!(ours.pop_first(), std.pop_first()),
            Op::PopLast => assert_eq!(ours.pop_last(), std.pop_last()),
            Op::Range(lo, hi, w) => {
                let r = (lo.get(), hi.get());
                // std checks a range's bounds only when its map has a root
                // node, which a map emptied by removals keeps and a new one
                // lacks; ours checks them whenever it has entries (its
                // documented rule). An empty map yields nothing.
                if std.is_empty() {
                    assert_eq!(walk(ours.range(r), &w), walk(std::iter::empty(), &w));
                } else {
                    mirror(|| walk(std.range(r), &w), || walk(ours.range(r), &w));
                }
            }
            Op::Iter(w) => assert_eq!(walk_exact(ours.iter(), &w), walk_exact(std.iter(), &w)),
            Op::IntoIter(w, of_clone) => {
                let (a, b) = if of_clone {
                    (ours.clone(), std.clone())
                } else {
                    (std::mem::take(ours), std::mem::take(std))
                };
                assert_eq!(walk_exact(a.into_iter(), &w), walk_exact(b.into_iter(), &w));
            }
            Op::Retain(m, r) => {
                let f = |k: &u32| (k + u32::from(r)) % (u32::from(m) + 1) != 0;
                ours.retain(f);
                std.retain(f);
                check(ours, std);
            }
            Op::ExtractIf(lo, hi, m, r, limit) => {
                let range = (lo.get(), hi.get());
                let f = |k: &u32| (k + u32::from(r)) % (u32::from(m) + 1) == 0;
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
            Op::Append(src) => {
                let keys = src.keys();
                let n = self.room(keys.len());
                let mut other: Set<H, A, CAP> = keys[..n].iter().copied().collect();
                let mut other_std: BTreeSet<u32> = keys[..n].iter().copied().collect();
                self.ours.append(&mut other);
                self.std.append(&mut other_std);
                check(&other, &other_std);
                check(&self.ours, &self.std);
            }
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
                if keep {
                    *ours = c;
                }
            }
            Op::FromIter(src) => {
                let keys = src.keys();
                let n = self.room(keys.len());
                self.ours = keys[..n].iter().copied().collect();
                self.std = keys[..n].iter().copied().collect();
                check(&self.ours, &self.std);
            }
            Op::Extend(src) => {
                let keys = src.keys();
                let n = self.room(keys.len());
                self.ours.extend(keys[..n].iter());
                self.std.extend(keys[..n].iter());
            }
            Op::Bulk(base, len, replace) => {
                let n = self.room((len % (BULK_MAX + 1)) as usize) as u32;
                let keys = u32::from(base)..u32::from(base) + n;
                if replace {
                    self.ours = keys.clone().collect();
                    self.std = keys.collect();
                } else {
                    self.ours.extend(keys.clone());
                    self.std.extend(keys);
                }
                check(&self.ours, &self.std);
            }
            Op::Clear => {
                ours.clear();
                std.clear();
            }
            Op::With(src, set_op) => {
                let keys = src.keys();
                let other: Set<H, A, CAP> = keys.iter().copied().collect();
                let other_std: BTreeSet<u32> = keys.iter().copied().collect();
                check(&other, &other_std);
                let (a, b): (&Set<H, A, CAP>, &BTreeSet<u32>) = (ours, std);
                match set_op {
                    SetOp::Union => assert!(a.union(&other).eq(b.union(&other_std))),
                    SetOp::Intersection => {
                        assert!(a.intersection(&other).eq(b.intersection(&other_std)));
                    }
                    SetOp::Difference => assert!(a.difference(&other).eq(b.difference(&other_std))),
                    SetOp::DifferenceRev => {
                        assert!(other.difference(a).eq(other_std.difference(b)))
                    }
                    SetOp::SymmetricDifference => assert!(
                        a.symmetric_difference(&other)
                            .eq(b.symmetric_difference(&other_std))
                    ),
                    SetOp::Relations => {
                        assert_eq!(a.is_subset(&other), b.is_subset(&other_std), "is_subset");
                        assert_eq!(other.is_subset(a), other_std.is_subset(b), "is_subset");
                        assert_eq!(
                            a.is_superset(&other),
                            b.is_superset(&other_std),
                            "is_superset"
                        );
                        assert_eq!(
                            a.is_disjoint(&other),
                            b.is_disjoint(&other_std),
                            "is_disjoint"
                        );
                    }
                    SetOp::Compare => {
                        assert_eq!(*a == other, *b == other_std, "==");
                        assert_eq!(a.partial_cmp(&other), b.partial_cmp(&other_std));
                        assert_eq!(a.cmp(&other), b.cmp(&other_std));
                        let h = RandomState::new();
                        if *a == other {
                            assert_eq!(
                                h.hash_one(a),
                                h.hash_one(&other),
                                "equal sets hash differently"
                            );
                        }
                        if b.len() <= 64 {
                            assert_eq!(format!("{a:?}"), format!("{b:?}"), "Debug");
                        }
                    }
                }
            }
            Op::Check => {
                check(ours, std);
                assert!(ours.iter().rev().eq(std.iter().rev()));
            }
        }
    }
}

fn run<H: Handle, A: ArenaStrategy, const CAP: usize>(ops: Vec<Op>) {
    let mut st = State::<H, A, CAP> {
        ours: Set::default(),
        std: BTreeSet::new(),
        max_len: common::max_len::<H>(),
        budget: BULK_BUDGET,
    };
    for (i, op) in ops.into_iter().enumerate() {
        st.apply(op);
        assert_eq!(st.ours.len(), st.std.len(), "len");
        assert_eq!(st.ours.first(), st.std.first());
        assert_eq!(st.ours.last(), st.std.last());
        if st.std.len() <= 256 || i % 32 == 31 {
            check(&st.ours, &st.std);
        }
    }
    check(&st.ours, &st.std);
    assert!(st.ours.iter().rev().eq(st.std.iter().rev()));
}

fuzz_target!(|input: Input| {
    install_hook();
    common::on_config!(input.config, run(input.ops))
});
