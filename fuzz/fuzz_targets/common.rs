//! Shared by the fuzz targets: bounds, iterator walks, cheap pseudo-random
//! entry lists, and running `BTreeMap` first under `catch_unwind` so that
//! ours is expected to panic exactly when (and as) std does.
//!
//! Ops hold no nested `Vec`s: every op has a fixed layout (a `u32`
//! discriminant, then little-endian fields), so seed inputs can be written
//! by hand (see `fuzz/README.md`).

#![allow(dead_code)]

use std::any::Any;
use std::cell::Cell;
use std::fmt::Debug;
use std::ops::Bound;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use arbitrary::Arbitrary;
use bptree::policy::Handle;

/// The configurations under test, chosen by an input's first field.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Config {
    /// `BPlusTreeMap<K, V>`: `Wide32`, `VecArena`, 64.
    Default,
    /// `phase::Compact`: `Adaptive`, `Indirect<VecArena<Boxed>>`, 128.
    Compact,
    /// `phase::Phase0`: `Wide32`, `MaskedArena<Growing>`, 64.
    Phase0,
    /// `Compact16`, `VecArena`, 4 (kept under [`COMPACT16_MAX`] entries,
    /// well inside its 65,535 nodes; `tests/limits.rs` covers running out).
    Compact16Cap4,
    /// `Adaptive`, `VecArena`, 4: widens past 65,535 nodes.
    AdaptiveCap4,
    /// `Adaptive`, `PoolArena`, 4: the same through the pool arena.
    AdaptivePoolCap4,
}

/// `$run::<H, A, CAP>($args)` for the configuration `$config` names.
macro_rules! on_config {
    ($config:expr, $run:ident($($arg:expr),*)) => {{
        use bptree::policy::{Boxed, Growing, Indirect, MaskedArena};
        use bptree::{Adaptive, Compact16, PoolArena, VecArena, Wide32};
        use common::Config;
        match $config {
            Config::Default => $run::<Wide32, VecArena, 64>($($arg),*),
            Config::Compact => $run::<Adaptive, Indirect<VecArena<Boxed>>, 128>($($arg),*),
            Config::Phase0 => $run::<Wide32, MaskedArena<Growing>, 64>($($arg),*),
            Config::Compact16Cap4 => $run::<Compact16, VecArena, 4>($($arg),*),
            Config::AdaptiveCap4 => $run::<Adaptive, VecArena, 4>($($arg),*),
            Config::AdaptivePoolCap4 => $run::<Adaptive, PoolArena, 4>($($arg),*),
        }
    }};
}
pub(crate) use on_config;

/// The most entries a map with 16-bit handles may hold in a run.
pub const COMPACT16_MAX: usize = 50_000;

/// The most entries a run lets a map of handles `H` reach: no limit, except
/// for fixed 16-bit handles, which would run out.
pub fn max_len<H: Handle>() -> usize {
    if H::MAX_NODES <= usize::from(u16::MAX) {
        COMPACT16_MAX
    } else {
        usize::MAX
    }
}

/// One end of a range, over the small key space ops use.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum B {
    In(u16),
    Ex(u16),
    Un,
}

impl B {
    pub fn get(self) -> Bound<u32> {
        match self {
            B::In(k) => Bound::Included(u32::from(k)),
            B::Ex(k) => Bound::Excluded(u32::from(k)),
            B::Un => Bound::Unbounded,
        }
    }

    pub fn as_ref(b: &Bound<u32>) -> Bound<&u32> {
        match b {
            Bound::Included(k) => Bound::Included(k),
            Bound::Excluded(k) => Bound::Excluded(k),
            Bound::Unbounded => Bound::Unbounded,
        }
    }
}

/// How a walk over a double-ended iterator ends.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum End {
    Stop,
    RestFwd,
    RestBack,
    Last,
    Min,
    Max,
    Count,
    Nth(u8),
    NthBack(u8),
}

/// A walk: `steps` items, bit `i` of `ends` choosing the back (1) or the
/// front (0) for step `i`, then `end`.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Walk {
    pub steps: u8,
    pub ends: u64,
    pub end: End,
}

/// What a walk saw, to compare ours with std's.
#[derive(Debug, PartialEq)]
pub enum Rec<T> {
    Item(Option<T>),
    Len(usize),
    Count(usize),
}

fn walk_steps<I: DoubleEndedIterator>(
    it: &mut I,
    w: &Walk,
    log: &mut Vec<Rec<I::Item>>,
    len: impl Fn(&I) -> Option<usize>,
) {
    for i in 0..usize::from(w.steps % 64) {
        let back = w.ends >> i & 1 == 1;
        let item = if back { it.next_back() } else { it.next() };
        // A finished iterator keeps answering `None` (FusedIterator).
        log.push(Rec::Item(item));
        if let Some(n) = len(it) {
            log.push(Rec::Len(n));
        }
    }
}

fn walk_end<I: DoubleEndedIterator>(mut it: I, w: &Walk, log: &mut Vec<Rec<I::Item>>)
where
    I::Item: Ord,
{
    match w.end {
        End::Stop => {}
        End::RestFwd => log.extend(it.map(|x| Rec::Item(Some(x)))),
        End::RestBack => log.extend(it.rev().map(|x| Rec::Item(Some(x)))),
        End::Last => log.push(Rec::Item(it.last())),
        End::Min => log.push(Rec::Item(it.min())),
        End::Max => log.push(Rec::Item(it.max())),
        End::Count => log.push(Rec::Count(it.count())),
        End::Nth(n) => {
            log.push(Rec::Item(it.nth(usize::from(n))));
            log.push(Rec::Item(it.next()));
        }
        End::NthBack(n) => {
            log.push(Rec::Item(it.nth_back(usize::from(n))));
            log.push(Rec::Item(it.next_back()));
        }
    }
}

/// Walks a double-ended iterator as `w` says.
pub fn walk<I: DoubleEndedIterator>(mut it: I, w: &Walk) -> Vec<Rec<I::Item>>
where
    I::Item: Ord,
{
    let mut log = Vec::new();
    walk_steps(&mut it, w, &mut log, |_| None);
    walk_end(it, w, &mut log);
    log
}

/// Walks an exact-size iterator, logging `len()` after every step.
pub fn walk_exact<I: DoubleEndedIterator + ExactSizeIterator>(
    mut it: I,
    w: &Walk,
) -> Vec<Rec<I::Item>>
where
    I::Item: Ord,
{
    let mut log = vec![Rec::Len(it.len())];
    walk_steps(&mut it, w, &mut log, |it| Some(it.len()));
    walk_end(it, w, &mut log);
    log
}

/// Entries for bulk operations, generated from a few input bytes.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Src {
    /// `len` pseudo-random keys below `modulus + 1` (unsorted, duplicates).
    Random { seed: u32, len: u8, modulus: u16 },
    /// `base, base + step, ...`: `len` ascending keys (`step` 0 repeats).
    Run { base: u16, len: u16, step: u8 },
    /// `Run` backwards (descending keys).
    Desc { base: u16, len: u16, step: u8 },
}

/// The value every generated entry gets: a function of its key and a salt.
pub fn val(k: u32, salt: u32) -> u32 {
    k.wrapping_mul(0x9E37_79B1) ^ salt
}

/// A step of a value mutation (`get_mut`, `iter_mut`, cursors, entries).
pub fn mix(v: u32, x: u32) -> u32 {
    v.rotate_left(5).wrapping_add(x) ^ 0x5bd1_e995
}

impl Src {
    pub fn keys(self) -> Vec<u32> {
        match self {
            Src::Random {
                mut seed,
                len,
                modulus,
            } => (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed % (u32::from(modulus) + 1)
                })
                .collect(),
            Src::Run { base, len, step } => (0..u32::from(len % 4096))
                .map(|i| u32::from(base) + i * u32::from(step))
                .collect(),
            Src::Desc { base, len, step } => (0..u32::from(len % 4096))
                .rev()
                .map(|i| u32::from(base) + i * u32::from(step))
                .collect(),
        }
    }

    pub fn entries(self, salt: u32) -> Vec<(u32, u32)> {
        self.keys().into_iter().map(|k| (k, val(k, salt))).collect()
    }
}

/// A mutation program for cursors: 4 bits per op, taken from `prog`.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Prog {
    pub len: u8,
    pub prog: u64,
    pub arg: u32,
}

impl Prog {
    /// `(op, arg)` pairs: op in 0..16, arg varying per step.
    pub fn ops(self) -> impl Iterator<Item = (u8, u32)> {
        (0..u32::from(self.len % 17)).map(move |i| {
            let op = (self.prog >> (4 * i) & 15) as u8;
            (op, self.arg.rotate_left(i * 7).wrapping_add(i))
        })
    }
}

thread_local! {
    /// Set while a panic is expected: the hook stays quiet.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// The payload of every panic the fuzzer injects.
#[derive(Debug)]
pub struct Injected;

/// Keeps libFuzzer's hook (which aborts, so that crashes are found) for
/// every panic but the expected ones: injected panics and the ones std
/// also raised.
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let prev = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.get() || info.payload().is::<Injected>() {
                return;
            }
            prev(info);
        }));
    });
}

/// Runs `f`, catching an expected panic.
pub fn quietly<R>(f: impl FnOnce() -> R) -> Result<R, Box<dyn Any + Send>> {
    let was = QUIET.replace(true);
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.set(was);
    r
}

/// Runs `f`, catching injected panics only (any other panic is a crash).
pub fn catch_injected<R>(f: impl FnOnce() -> R) -> Result<R, Box<dyn Any + Send>> {
    panic::catch_unwind(AssertUnwindSafe(f))
}

pub fn message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// What a range panic is about, ignoring the wording: ours names
/// `BPlusTreeMap` (also for sets) where std names `BTreeMap`/`BTreeSet`, and
/// says "equal and both excluded" where std says "equal and excluded".
fn panic_kind(msg: &str) -> String {
    if msg.starts_with("range start is greater than range end in ") {
        "range start > end".to_string()
    } else if msg.starts_with("range start and end are equal and ") && msg.contains("excluded in ")
    {
        "range start == end, both excluded".to_string()
    } else {
        msg.to_string()
    }
}

/// Runs std's side first: if it panics, ours must panic for the same
/// reason (and `None` is returned); otherwise ours must not panic and must
/// return the same.
pub fn mirror<T: PartialEq + Debug>(
    std: impl FnOnce() -> T,
    ours: impl FnOnce() -> T,
) -> Option<T> {
    match quietly(std) {
        Err(p) => {
            let want = message(&*p);
            match quietly(ours) {
                Ok(got) => panic!("std panicked ({want:?}) but ours returned {got:?}"),
                Err(q) => {
                    let got = message(&*q);
                    assert_eq!(
                        panic_kind(&got),
                        panic_kind(&want),
                        "ours panicked differently from std: {got:?}"
                    );
                }
            }
            None
        }
        Ok(want) => {
            let got = ours();
            assert_eq!(got, want, "ours differs from std");
            Some(got)
        }
    }
}
