//! Measuring code shared by the main-job example (`examples/tour.rs`), the
//! speed runner (`examples/speed.rs`) and the criterion benches
//! (`benches/bench.rs` includes this file by path), and by the peers crate
//! (`peers/`, by path too); the memory report (`examples/memory.rs`)
//! measures with the same functions as the tour.
//!
//! - [`Under`]: the one list of configurations under test, a
//!   [`ConfigList`](bptree::config::ConfigList) of [`TreeConfig`] types that
//!   the tour and every bench group run through a
//!   [`ConfigVisitor`](bptree::config::ConfigVisitor). Adding a
//!   configuration is one entry there (and, if it is new, one
//!   `#[derive(TreeConfig)]` beside it); everything else is generic.
//! - [`KeySet`]: a kind of keys and values the timings measure (`u32`,
//!   `u64`, `String` ids and words, `(u64, u64)` tuples, `u64 -> [u64; 8]`),
//!   over a [`BenchKey`] and [`BenchValue`] type: how its keys are drawn.
//!   The one generic dimension of every timing: [`Timed`], [`Workload`],
//!   [`MapList`] and [`MapVisitor`] take it; [`KEY_SETS`] and
//!   [`visit_key_set`] name them all.
//! - [`Timed`]: the map operations the timings use, over keys `K` and values
//!   `V` (`u64` by default), implemented once for every
//!   `BPlusTreeMap<K, V, H, A, CAP>` (a configuration's map), once for
//!   `BTreeMap<K, V>`, and in `peers/` for each peer, which may lack some
//!   [`Op`]s or some key types. [`Subject`] adds what the memory report, the
//!   tour and the archive checks need, for ours ([`Map`]) and the
//!   [`Baseline`] over `u64` only.
//! - [`Op`]: the timed operations, the speed runner's rows and the criterion
//!   groups; [`MapList`] and [`MapVisitor`]: the maps each runs over for a
//!   key set (configurations through [`EachConfig`], a `ConfigVisitor`);
//!   [`StdAndUnder`], [`StdAndDefaults`], [`StdDefaultsAndPrefixed`],
//!   [`KeyedColumns`] and the runner's [`RootColumns`].
//! - [`Workload`]: seeded keys of a key set and the timed operations over
//!   them; it builds a map in each insertion [`Order`]. [`SmallMaps`]: the
//!   same for many small `u64` maps ([`SMALL_TOTAL`] entries in maps of
//!   each of [`SMALL_SIZES`]).
//! - [`CountingAlloc`]: a global allocator that counts live bytes and live
//!   allocations; each binary that measures memory declares its own
//!   `#[global_allocator]` static of it. [`CountingAlloc::measure`] is the
//!   one memory measurement of a built map (tour and memory report alike),
//!   [`CountingAlloc::growth`] the same after every insert into one map.
//! - [`time_ratio`]: interleaved median timing of ours against the baseline;
//!   [`time_ratio_batched`] the same for calls that use up an input made
//!   outside the timing.
//! - [`Table`]: a markdown table, columns sized to fit.
//! - [`Archive`]: the archive operations (`get`, iterate, range) over our
//!   archived map and rkyv's archived `BTreeMap`, and [`Subject::archive`],
//!   the rkyv bytes of any subject.

// Each includer uses a part: the benches neither count bytes nor time by hand.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::hash::Hash;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bptree::archive::ArchivedBPlusTreeMap;
use bptree::config::{ConfigList, ConfigVisitor};
use bptree::policy::{ArenaStrategy, Handle, Storage};
use bptree::{BPlusTreeMap, Compact16, PoolArena, TreeConfig, Wide32};
use rkyv::collections::btree_map::ArchivedBTreeMap;
use rkyv::rancor::BoxedError;
use rkyv::util::AlignedVec;
use rkyv::{Archived, rend::u64_le};

// ---------------------------------------------------------------------------
// Configurations

/// Every configuration under test, in table order: the crate's own
/// ([`bptree::config::All`]: the four phases, `Compact`, `Standard`), then
/// the two below. The [`Baseline`] is not among them: callers put it first
/// themselves.
pub type Under = (bptree::config::All, Compact16Pool32, Wide32Pool64);

/// Phase 3's 16-bit handles and pool arena with inline node arrays of 32
/// entries: smaller nodes.
#[derive(TreeConfig)]
#[tree(handle = Compact16, arena = PoolArena, capacity = 32)]
pub struct Compact16Pool32;

/// The default layout's handles and node arrays in a pool arena, the tree
/// in the map: 32-bit handles, inline node arrays of 64 entries.
#[derive(TreeConfig)]
#[tree(handle = Wide32, arena = PoolArena, capacity = 64)]
pub struct Wide32Pool64;

/// The map of configuration `C` (whose capacity is `CAP`) over `u64` keys
/// and values, as a [`ConfigVisitor`](bptree::config::ConfigVisitor) names
/// it.
pub type Map<C, const CAP: usize> =
    BPlusTreeMap<u64, u64, <C as TreeConfig>::Handle, <C as TreeConfig>::Arena, CAP>;

/// What every configuration is compared with, in the same run.
pub type Baseline = BTreeMap<u64, u64>;

/// A timed operation: a row of the speed runner (`examples/speed.rs`), a
/// criterion group (`benches/bench.rs`). [`Timed`] maps may lack some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `get` of every present key, in another random order.
    GetHit,
    /// `get` of as many absent keys.
    GetMiss,
    /// Insert every key, in random order, into an empty map.
    InsertRandom,
    /// Insert every key, ascending, into an empty map.
    InsertAscending,
    /// Remove every key, in another random order, from a map built by
    /// random insertion.
    RemoveRandom,
    /// Iterate every entry.
    Iterate,
    /// `range(start..)` taking up to [`RANGE_LEN`] entries, from each of
    /// the workload's range starts.
    Range,
    /// Clone a map built by random insertion.
    Clone,
    /// Drop a map (a clone of one built by random insertion).
    Drop,
    /// Build a map at once from sorted pairs ([`Timed::bulk`]).
    Build,
}

impl Op {
    /// Every operation, in table order.
    pub const ALL: [Op; 10] = [
        Op::GetHit,
        Op::GetMiss,
        Op::InsertRandom,
        Op::InsertAscending,
        Op::RemoveRandom,
        Op::Iterate,
        Op::Range,
        Op::Clone,
        Op::Drop,
        Op::Build,
    ];

    /// The name of its criterion group and in the runner's `ratio` lines.
    pub fn name(self) -> &'static str {
        match self {
            Op::GetHit => "get_hit",
            Op::GetMiss => "get_miss",
            Op::InsertRandom => "insert_random",
            Op::InsertAscending => "insert_ascending",
            Op::RemoveRandom => "remove_random",
            Op::Iterate => "iterate",
            Op::Range => "range_100",
            Op::Clone => "clone",
            Op::Drop => "drop",
            Op::Build => "build",
        }
    }

    /// Its row title in tables, as GOALS.md names it.
    pub fn title(self) -> &'static str {
        match self {
            Op::GetHit => "get, hit",
            Op::GetMiss => "get, miss",
            Op::InsertRandom => "insert random",
            Op::InsertAscending => "insert ascending",
            Op::RemoveRandom => "remove random",
            Op::Iterate => "iterate",
            Op::Range => "range of 100",
            Op::Clone => "clone",
            Op::Drop => "drop",
            Op::Build => "build from sorted pairs",
        }
    }

    /// Entries one timed call handles in `w`.
    pub fn elements<S: KeySet>(self, w: &Workload<S>) -> usize {
        match self {
            Op::Range => w.range_starts.len() * RANGE_LEN,
            _ => w.n(),
        }
    }

    /// The operations measured for every key set, not only `u64 -> u64`:
    /// the speed runner's default rows for the other key sets.
    pub const KEYED: [Op; 6] = [
        Op::GetHit,
        Op::GetMiss,
        Op::InsertRandom,
        Op::RemoveRandom,
        Op::Iterate,
        Op::Range,
    ];
}

// ---------------------------------------------------------------------------
// Key sets

/// A key type of the timings: what a [`KeySet`] draws and the [`Timed`]
/// maps hold.
pub trait BenchKey: Ord + Clone + Hash + fmt::Debug + 'static {
    /// Whether a key owns heap memory, so that a clone of it is not a copy:
    /// then the timed inserts take keys cloned outside the timing
    /// ([`Workload::entries`]) rather than cloning each inside it.
    const OWNS_HEAP: bool = false;
    /// A cheap digest of the key (a few loads at most), folded into the
    /// answers that are checked against `BTreeMap`'s before timing, and
    /// the value the key maps to (as [`BenchValue::of`]).
    fn digest(&self) -> u64;
}

impl BenchKey for u64 {
    fn digest(&self) -> u64 {
        *self
    }
}

impl BenchKey for u32 {
    fn digest(&self) -> u64 {
        u64::from(*self)
    }
}

impl BenchKey for String {
    const OWNS_HEAP: bool = true;
    /// The length and the last (up to) 8 bytes: ids that share their
    /// prefix differ there.
    fn digest(&self) -> u64 {
        let bytes = self.as_bytes();
        let tail = &bytes[bytes.len().saturating_sub(8)..];
        let mut word = [0; 8];
        word[..tail.len()].copy_from_slice(tail);
        u64::from_le_bytes(word) ^ bytes.len() as u64
    }
}

impl BenchKey for (u64, u64) {
    fn digest(&self) -> u64 {
        self.0.rotate_left(32) ^ self.1
    }
}

/// A value type of the timings: each key maps to the value of its
/// [`digest`](BenchKey::digest).
pub trait BenchValue: Clone + 'static {
    /// The value of a key whose digest is `digest`.
    fn of(digest: u64) -> Self;
    /// A cheap digest of the value, folded into the checked answers.
    fn digest(&self) -> u64;
}

impl BenchValue for u64 {
    fn of(digest: u64) -> Self {
        digest
    }
    fn digest(&self) -> u64 {
        *self
    }
}

impl BenchValue for u32 {
    fn of(digest: u64) -> Self {
        digest as u32
    }
    fn digest(&self) -> u64 {
        u64::from(*self)
    }
}

/// A large value: 64 bytes.
impl BenchValue for [u64; 8] {
    fn of(digest: u64) -> Self {
        std::array::from_fn(|i| digest.wrapping_add(i as u64))
    }
    fn digest(&self) -> u64 {
        self[7]
    }
}

/// A kind of keys (and values) the speed runner and the criterion groups
/// measure: a key type and how a [`Workload`] draws its keys. Present keys
/// are drawn (and deduplicated) first, then absent ones (any drawn that is
/// present is drawn again); each key maps to [`BenchValue::of`] its digest.
pub trait KeySet: 'static {
    /// The key type.
    type Key: BenchKey;
    /// The value type.
    type Value: BenchValue;
    /// Its name on the command line (`--keys`), in `ratio` lines and in
    /// criterion group names.
    const NAME: &'static str;
    /// Its table title: the map's key and value types.
    const TITLE: &'static str;
    /// How its keys are drawn, for report headers.
    const DESCRIPTION: &'static str;
    /// A candidate present key.
    fn present(rng: &mut XorShift) -> Self::Key;
    /// A candidate absent key: drawn again while it is present.
    fn absent(rng: &mut XorShift) -> Self::Key {
        Self::present(rng)
    }
}

/// `u32 -> u32`: even random keys present, odd ones absent.
pub struct U32Keys;
/// `u64 -> u64`, the default key set: even random keys present, odd ones
/// absent (the workload every measurement used before there were others).
pub struct U64Keys;
/// `String -> u64`: ids of 17 bytes sharing the prefix `user:0000`.
pub struct IdKeys;
/// `String -> u64`: random lowercase words of 3 to 12 letters.
pub struct WordKeys;
/// `(u64, u64) -> u64`: the first field in `0..1000` (many keys share it).
pub struct TupleKeys;
/// `u64 -> [u64; 8]`: the `u64` keys with 64-byte values.
pub struct WideValues;

/// Ids share their first 9 bytes: 12 digits below 10^12.
const ID_RANGE: u64 = 1_000_000_000_000;

impl KeySet for U32Keys {
    type Key = u32;
    type Value = u32;
    const NAME: &'static str = "u32";
    const TITLE: &'static str = "u32 -> u32";
    const DESCRIPTION: &'static str = "random even u32 keys (odd ones absent), each its own value";
    fn present(rng: &mut XorShift) -> u32 {
        rng.next_u64() as u32 & !1
    }
    fn absent(rng: &mut XorShift) -> u32 {
        rng.next_u64() as u32 | 1
    }
}

impl KeySet for U64Keys {
    type Key = u64;
    type Value = u64;
    const NAME: &'static str = "u64";
    const TITLE: &'static str = "u64 -> u64";
    const DESCRIPTION: &'static str = "random even u64 keys (odd ones absent), each its own value";
    fn present(rng: &mut XorShift) -> u64 {
        rng.next_u64() & !1
    }
    fn absent(rng: &mut XorShift) -> u64 {
        rng.next_u64() | 1
    }
}

impl KeySet for IdKeys {
    type Key = String;
    type Value = u64;
    const NAME: &'static str = "ids";
    const TITLE: &'static str = "String ids -> u64";
    const DESCRIPTION: &'static str = "ids format!(\"user:{:012}\", random % 10^12), 17 bytes sharing \
         the prefix \"user:0000\" (even numbers present, odd ones absent)";
    fn present(rng: &mut XorShift) -> String {
        format!("user:{:012}", (rng.next_u64() % ID_RANGE) & !1)
    }
    fn absent(rng: &mut XorShift) -> String {
        format!("user:{:012}", (rng.next_u64() % ID_RANGE) | 1)
    }
}

impl KeySet for WordKeys {
    type Key = String;
    type Value = u64;
    const NAME: &'static str = "words";
    const TITLE: &'static str = "String words -> u64";
    const DESCRIPTION: &'static str =
        "random lowercase words of 3 to 12 letters (deduplicated; absent ones drawn alike)";
    fn present(rng: &mut XorShift) -> String {
        let len = 3 + (rng.next_u64() % 10) as usize;
        (0..len)
            .map(|_| char::from(b'a' + (rng.next_u64() % 26) as u8))
            .collect()
    }
}

impl KeySet for TupleKeys {
    type Key = (u64, u64);
    type Value = u64;
    const NAME: &'static str = "tuples";
    const TITLE: &'static str = "(u64, u64) -> u64";
    const DESCRIPTION: &'static str =
        "tuples (random % 1000, random even u64) (odd second fields absent)";
    fn present(rng: &mut XorShift) -> (u64, u64) {
        (rng.next_u64() % 1000, rng.next_u64() & !1)
    }
    fn absent(rng: &mut XorShift) -> (u64, u64) {
        (rng.next_u64() % 1000, rng.next_u64() | 1)
    }
}

impl KeySet for WideValues {
    type Key = u64;
    type Value = [u64; 8];
    const NAME: &'static str = "wide";
    const TITLE: &'static str = "u64 -> [u64; 8]";
    const DESCRIPTION: &'static str = "the u64 keys, each mapped to 64 bytes";
    fn present(rng: &mut XorShift) -> u64 {
        U64Keys::present(rng)
    }
    fn absent(rng: &mut XorShift) -> u64 {
        U64Keys::absent(rng)
    }
}

/// Every key set's name, in table order: what `--keys` takes.
pub const KEY_SETS: [&str; 6] = [
    U32Keys::NAME,
    U64Keys::NAME,
    IdKeys::NAME,
    WordKeys::NAME,
    TupleKeys::NAME,
    WideValues::NAME,
];

/// A map list for every key set: what a runner over all of them takes.
pub trait EveryKeySet:
    MapList<U32Keys>
    + MapList<U64Keys>
    + MapList<IdKeys>
    + MapList<WordKeys>
    + MapList<TupleKeys>
    + MapList<WideValues>
{
}

impl<L> EveryKeySet for L where
    L: MapList<U32Keys>
        + MapList<U64Keys>
        + MapList<IdKeys>
        + MapList<WordKeys>
        + MapList<TupleKeys>
        + MapList<WideValues>
{
}

/// Generic code to run on a key set, with the maps of `L` for it.
pub trait KeySetVisitor<L> {
    /// Runs on key set `S`.
    fn visit<S: KeySet>(&mut self)
    where
        L: MapList<S>;
}

/// Runs `visitor` on the key set named `name` (one of [`KEY_SETS`]);
/// `false` if there is none of that name.
pub fn visit_key_set<L: EveryKeySet>(name: &str, visitor: &mut impl KeySetVisitor<L>) -> bool {
    match name {
        "u32" => visitor.visit::<U32Keys>(),
        "u64" => visitor.visit::<U64Keys>(),
        "ids" => visitor.visit::<IdKeys>(),
        "words" => visitor.visit::<WordKeys>(),
        "tuples" => visitor.visit::<TupleKeys>(),
        "wide" => visitor.visit::<WideValues>(),
        _ => return false,
    }
    true
}

// ---------------------------------------------------------------------------
// Maps

/// The timed map operations, over keys `K` and values `V` (`u64` both by
/// default): what the speed runner and the criterion benches drive, for
/// ours, `BTreeMap` and the peers (`peers/`). A map may
/// [lack](Timed::LACKS) some.
pub trait Timed<K: BenchKey = u64, V: BenchValue = u64>: Default {
    /// Operations this map does not have, or has only in quadratic time:
    /// never timed, and their methods here never called (they panic).
    const LACKS: &'static [Op] = &[];
    /// The map of `entries`, which ascend strictly, built at once:
    /// `from_sorted_iter` for ours, `collect` (a bulk build) for `BTreeMap`.
    fn bulk(entries: impl Iterator<Item = (K, V)>) -> Self;
    /// As `BTreeMap::insert`.
    fn insert(&mut self, key: K, value: V) -> Option<V>;
    /// As `BTreeMap::get`.
    fn get(&self, key: &K) -> Option<&V>;
    /// As `BTreeMap::remove`.
    fn remove(&mut self, key: &K) -> Option<V>;
    /// As `BTreeMap::len`.
    fn len(&self) -> usize;
    /// As `BTreeMap::is_empty`.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// As `BTreeMap::iter`, but a map may yield keys by value (brie-tree
    /// stores them as integers).
    fn scan(&self) -> impl Iterator<Item = (impl Borrow<K>, &V)>;
    /// As `BTreeMap::range(start..)`, keys as in [`scan`](Self::scan).
    fn scan_from(&self, start: &K) -> impl Iterator<Item = (impl Borrow<K>, &V)>;
    /// As `Clone::clone` (a method of its own: some peers are not `Clone`).
    fn duplicate(&self) -> Self;
}

/// What a [`Timed`] map that lacks `op` runs in its place: a panic.
pub fn lacking(op: Op) {
    panic!(
        "{} is in LACKS: the runner and the benches never call it",
        op.name()
    );
}

/// The measured maps: ours in every configuration and the [`Baseline`],
/// which the memory report, the tour and the archive checks need beyond
/// [`Timed`]; `u64` keys and values.
pub trait Subject: Timed + Clone {
    /// Handle width, arena, storage and capacity, for reports.
    fn layout() -> String;
    /// Entries per leaf over the node capacity, averaged over the leaves
    /// (`None` for `BTreeMap` and for a small map, which has no leaves).
    fn leaf_fill(&self) -> Option<f64>;
    /// The structural self-check, where the map has one.
    fn check(&self) -> Result<(), String>;
    /// As `BTreeMap::iter`.
    fn iter(&self) -> impl Iterator<Item = (&u64, &u64)>;
    /// The rkyv archive of the map: ours for every configuration, rkyv's
    /// own `ArchivedBTreeMap` for the baseline.
    fn archive(&self) -> AlignedVec;
    /// Checks an [`archive`](Self::archive) of a map with `base`'s
    /// entries: it validates, iterates to exactly those entries and reads
    /// back (deserializes) into an equal map; ours must also be the bytes
    /// `canonical`, which every configuration writes.
    fn check_archive(bytes: &[u8], base: &Baseline, canonical: &[u8]) -> Result<(), String>;
}

/// Generic code to run on map types: what
/// [`ConfigVisitor`](bptree::config::ConfigVisitor) is to our
/// configurations, for every [`Timed`] map (ours, `BTreeMap`, the peers)
/// over the keys and values of its [`KeySet`].
pub trait MapVisitor {
    /// The key set of the maps it runs on.
    type Keys: KeySet;
    /// Runs on map type `M`, named `name` in reports.
    fn visit<M: Timed<Key<Self>, Value<Self>>>(&mut self, name: &'static str);
}

/// The key type of a visitor's key set.
pub type Key<V> = <<V as MapVisitor>::Keys as KeySet>::Key;
/// The value type of a visitor's key set.
pub type Value<V> = <<V as MapVisitor>::Keys as KeySet>::Value;

/// A list of named map types over the keys and values of key set `S`: the
/// columns of the speed runner, the members of each criterion group.
pub trait MapList<S: KeySet = U64Keys> {
    /// Calls `visitor` on each map type of the list, in order.
    fn for_each<V: MapVisitor<Keys = S>>(visitor: &mut V);
}

/// Hands each configuration of a
/// [`ConfigList`](bptree::config::ConfigList) to a [`MapVisitor`], as its
/// map over the visitor's keys and values, named by the configuration's
/// name.
pub struct EachConfig<'v, V>(pub &'v mut V);

impl<V: MapVisitor> ConfigVisitor for EachConfig<'_, V> {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        self.0
            .visit::<BPlusTreeMap<Key<V>, Value<V>, C::Handle, C::Arena, CAP>>(C::NAME);
    }
}

/// `BTreeMap`, then every configuration of [`Under`]: the root's runner
/// columns and criterion group members for `u64 -> u64` (any key set).
pub struct StdAndUnder;

impl<S: KeySet> MapList<S> for StdAndUnder {
    fn for_each<V: MapVisitor<Keys = S>>(visitor: &mut V) {
        visitor.visit::<BTreeMap<S::Key, S::Value>>("BTreeMap");
        Under::for_each(&mut EachConfig(visitor));
    }
}

/// `BTreeMap`, the default configuration (`BPlusTreeMap<K, V>`, named
/// `Standard`) and [`bptree::phase::Compact`]: the columns and group
/// members for the key sets other than `u64 -> u64`.
pub struct StdAndDefaults;

impl<S: KeySet> MapList<S> for StdAndDefaults {
    fn for_each<V: MapVisitor<Keys = S>>(visitor: &mut V) {
        visitor.visit::<BTreeMap<S::Key, S::Value>>("BTreeMap");
        visitor.visit::<BPlusTreeMap<S::Key, S::Value>>(bptree::config::Standard::NAME);
        visitor.visit::<bptree::phase::Compact<S::Key, S::Value>>(bptree::config::Compact::NAME);
    }
}

/// [`StdAndDefaults`], then the `Prefixed` configuration for the key set's
/// key type (`Prefixed<VecArena, K>`; for `String` keys the same maps as
/// [`bptree::phase::Prefixed`]): the columns and group members for the
/// `String` key sets (ids and words) and the tuples, whose keys it
/// searches by their prefixes.
pub struct StdDefaultsAndPrefixed;

impl<S: KeySet> MapList<S> for StdDefaultsAndPrefixed
where
    S::Key: bptree::policy::KeyPrefix + 'static,
{
    fn for_each<V: MapVisitor<Keys = S>>(visitor: &mut V) {
        StdAndDefaults::for_each(visitor);
        type P<K> = bptree::policy::Prefixed<bptree::VecArena, K>;
        visitor.visit::<BPlusTreeMap<S::Key, S::Value, bptree::Wide32, P<S::Key>, 64>>(
            bptree::config::Prefixed::NAME,
        );
    }
}

/// Implements `MapList` for one list type, key set by key set, as
/// another list's: `columns!(Ours: U64Keys => StdAndUnder; U32Keys, IdKeys
/// => StdAndDefaults)`.
#[macro_export]
macro_rules! columns {
    ($list:ty: $($($keys:ty),+ => $as:ty);+ $(;)?) => {
        $($(
            impl $crate::support::MapList<$keys> for $list {
                fn for_each<V: $crate::support::MapVisitor<Keys = $keys>>(visitor: &mut V) {
                    <$as as $crate::support::MapList<$keys>>::for_each(visitor);
                }
            }
        )+)+
    };
}

/// The columns of the key sets other than `u64 -> u64`:
/// [`StdDefaultsAndPrefixed`] for the `String` key sets and the tuples,
/// [`StdAndDefaults`] for the others.
pub struct KeyedColumns;

columns!(KeyedColumns:
    IdKeys, WordKeys, TupleKeys => StdDefaultsAndPrefixed;
    U32Keys, WideValues => StdAndDefaults);

/// The root runner's columns (`examples/speed.rs`): [`StdAndUnder`] for
/// `u64 -> u64`, [`KeyedColumns`] for every other key set.
pub struct RootColumns;

columns!(RootColumns:
    U64Keys => StdAndUnder;
    U32Keys, IdKeys, WordKeys, TupleKeys, WideValues => KeyedColumns);

/// The [`Timed`] methods that forward to the map's inherent ones of the
/// same name (and `duplicate` to `Clone`), written once for both map types.
macro_rules! forward_to_inherent {
    ($map:ident) => {
        fn insert(&mut self, key: K, value: V) -> Option<V> {
            $map::insert(self, key, value)
        }
        fn get(&self, key: &K) -> Option<&V> {
            $map::get(self, key)
        }
        fn remove(&mut self, key: &K) -> Option<V> {
            $map::remove(self, key)
        }
        fn len(&self) -> usize {
            $map::len(self)
        }
        fn scan(&self) -> impl Iterator<Item = (impl Borrow<K>, &V)> {
            $map::iter(self)
        }
        fn scan_from(&self, start: &K) -> impl Iterator<Item = (impl Borrow<K>, &V)> {
            $map::range::<K, _>(self, start..)
        }
        fn duplicate(&self) -> Self {
            Clone::clone(self)
        }
    };
}

impl<K: BenchKey, V: BenchValue, H: Handle, A: ArenaStrategy, const CAP: usize> Timed<K, V>
    for BPlusTreeMap<K, V, H, A, CAP>
{
    fn bulk(entries: impl Iterator<Item = (K, V)>) -> Self {
        BPlusTreeMap::from_sorted_iter(entries).expect("keys ascend strictly")
    }
    forward_to_inherent!(BPlusTreeMap);
}

impl<H: Handle, A: ArenaStrategy, const CAP: usize> Subject for BPlusTreeMap<u64, u64, H, A, CAP> {
    fn layout() -> String {
        let storage = <A::Storage as Storage>::NAME;
        format!("{} {}/{storage} {CAP}", H::NAME, A::NAME)
    }
    fn leaf_fill(&self) -> Option<f64> {
        let usage = self.memory_usage();
        (usage.leaves > 0).then_some(usage.leaf_fill)
    }
    fn check(&self) -> Result<(), String> {
        self.check_invariants().map_err(|e| e.to_string())
    }
    fn iter(&self) -> impl Iterator<Item = (&u64, &u64)> {
        BPlusTreeMap::iter(self)
    }
    fn archive(&self) -> AlignedVec {
        rkyv::to_bytes::<BoxedError>(self).expect("archiving a map cannot fail")
    }
    fn check_archive(bytes: &[u8], base: &Baseline, canonical: &[u8]) -> Result<(), String> {
        if bytes != canonical {
            return Err("the archive's bytes differ from the default configuration's".into());
        }
        let archived = rkyv::access::<OurArchive, BoxedError>(bytes).map_err(|e| e.to_string())?;
        let entries = archived.iter().map(|(k, v)| (k.to_native(), v.to_native()));
        if archived.len() != base.len() || !entries.eq(base.iter().map(|(&k, &v)| (k, v))) {
            return Err("the archive's entries differ from BTreeMap's".into());
        }
        let back: Self =
            rkyv::deserialize::<Self, BoxedError>(archived).map_err(|e| e.to_string())?;
        back.check()?;
        if !BPlusTreeMap::iter(&back).eq(base.iter()) {
            return Err("the map read back differs from BTreeMap".into());
        }
        Ok(())
    }
}

impl<K: BenchKey, V: BenchValue> Timed<K, V> for BTreeMap<K, V> {
    fn bulk(entries: impl Iterator<Item = (K, V)>) -> Self {
        entries.collect()
    }
    forward_to_inherent!(BTreeMap);
}

impl Subject for Baseline {
    fn layout() -> String {
        "std B-tree".into()
    }
    fn leaf_fill(&self) -> Option<f64> {
        None
    }
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
    fn iter(&self) -> impl Iterator<Item = (&u64, &u64)> {
        BTreeMap::iter(self)
    }
    fn archive(&self) -> AlignedVec {
        rkyv::to_bytes::<BoxedError>(self).expect("archiving a map cannot fail")
    }
    fn check_archive(bytes: &[u8], base: &Baseline, _canonical: &[u8]) -> Result<(), String> {
        let archived = rkyv::access::<StdArchive, BoxedError>(bytes).map_err(|e| e.to_string())?;
        let entries = archived.iter().map(|(k, v)| (k.to_native(), v.to_native()));
        if !entries.eq(base.iter().map(|(&k, &v)| (k, v))) {
            return Err("rkyv's archive's entries differ from BTreeMap's".into());
        }
        let back: Self =
            rkyv::deserialize::<Self, BoxedError>(archived).map_err(|e| e.to_string())?;
        if back != *base {
            return Err("rkyv's archive reads back as another map".into());
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Workload

/// Entries each `range` query takes at most.
pub const RANGE_LEN: usize = 100;
/// `range` queries per timed call.
pub const RANGE_QUERIES: usize = 1000;

/// xorshift64*: small, seeded, good enough for shuffled keys.
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    /// The next pseudo-random value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Shuffles `v` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// `n` distinct seeded random keys of key set `S` (`u64 -> u64` by
/// default) and the timed operations over them. Absent keys are never
/// present ones.
pub struct Workload<S: KeySet = U64Keys> {
    /// Keys in random insertion order.
    pub keys: Vec<S::Key>,
    /// The same keys, reshuffled: the order of lookups and removals.
    pub lookups: Vec<S::Key>,
    /// As many keys that are not in the map.
    pub misses: Vec<S::Key>,
    /// The same keys, ascending.
    pub ascending: Vec<S::Key>,
    /// Present keys at which `range` queries start.
    pub range_starts: Vec<S::Key>,
}

impl Workload {
    /// The `u64 -> u64` workload of `n` keys; the same `n` always gives
    /// the same keys.
    pub fn new(n: usize) -> Self {
        Self::generate(n)
    }
}

impl<S: KeySet> Workload<S> {
    /// The workload of `n` keys of `S`; the same `n` always gives the same
    /// keys. (For `u64` keys, the draws are those of the workload before
    /// there were key sets: the same keys.)
    pub fn generate(n: usize) -> Self {
        let mut rng = XorShift::new(0x9e37_79b9_7f4a_7c15 ^ n as u64);
        let mut present = HashSet::with_capacity(n);
        let mut keys = Vec::with_capacity(n);
        while keys.len() < n {
            let key = S::present(&mut rng);
            if present.insert(key.clone()) {
                keys.push(key);
            }
        }
        let mut lookups = keys.clone();
        rng.shuffle(&mut lookups);
        let misses = (0..n)
            .map(|_| {
                loop {
                    let key = S::absent(&mut rng);
                    if !present.contains(&key) {
                        break key;
                    }
                }
            })
            .collect();
        let mut ascending = keys.clone();
        ascending.sort_unstable();
        let range_starts = (0..RANGE_QUERIES.min(n))
            .map(|_| keys[(rng.next_u64() % n as u64) as usize].clone())
            .collect();
        Workload {
            keys,
            lookups,
            misses,
            ascending,
            range_starts,
        }
    }

    /// Number of keys.
    pub fn n(&self) -> usize {
        self.keys.len()
    }

    /// Inserts every key, in random order, into an empty map.
    pub fn insert_random<M: Timed<S::Key, S::Value>>(&self) -> M {
        insert_all(&self.keys)
    }

    /// Inserts every key, ascending, into an empty map.
    pub fn insert_ascending<M: Timed<S::Key, S::Value>>(&self) -> M {
        insert_all(&self.ascending)
    }

    /// Every entry, keys in random insertion order: the input of
    /// [`insert_entries`](Self::insert_entries), made outside the timing.
    pub fn entries(&self) -> Vec<(S::Key, S::Value)> {
        self.keys.iter().map(entry::<S>).collect()
    }

    /// Inserts `entries` into an empty map: [`insert_random`](Self::insert_random)
    /// with the keys made beforehand, for keys that
    /// [own heap memory](BenchKey::OWNS_HEAP).
    pub fn insert_entries<M: Timed<S::Key, S::Value>>(
        &self,
        entries: Vec<(S::Key, S::Value)>,
    ) -> M {
        let mut m = M::default();
        for (k, v) in entries {
            m.insert(k, v);
        }
        m
    }

    /// Builds a map of every key in `order`.
    pub fn build<M: Timed<S::Key, S::Value>>(&self, order: Order) -> M {
        match order {
            Order::Random => self.insert_random(),
            Order::Ascending => self.insert_ascending(),
            Order::Bulk => M::bulk(self.ascending.iter().map(entry::<S>)),
        }
    }

    /// Looks up every key, in another random order.
    pub fn get_hits<M: Timed<S::Key, S::Value>>(&self, m: &M) -> u64 {
        get_all(m, &self.lookups)
    }

    /// Looks up as many absent keys.
    pub fn get_misses<M: Timed<S::Key, S::Value>>(&self, m: &M) -> u64 {
        get_all(m, &self.misses)
    }

    /// Removes every key, in another random order; returns the empty map.
    pub fn remove_all<M: Timed<S::Key, S::Value>>(&self, mut m: M) -> M {
        for k in &self.lookups {
            black_box(m.remove(k));
        }
        m
    }

    /// Visits every entry in order.
    pub fn iterate<M: Timed<S::Key, S::Value>>(&self, m: &M) -> u64 {
        sum(m.scan())
    }

    /// Runs each `range` query, taking up to [`RANGE_LEN`] entries.
    pub fn ranges<M: Timed<S::Key, S::Value>>(&self, m: &M) -> u64 {
        let per_query = self.range_starts.iter();
        per_query.fold(0, |acc, start| {
            acc.wrapping_add(sum(m.scan_from(start).take(RANGE_LEN)))
        })
    }
}

/// `key` and its value.
fn entry<S: KeySet>(key: &S::Key) -> (S::Key, S::Value) {
    (key.clone(), S::Value::of(key.digest()))
}

fn insert_all<K: BenchKey, V: BenchValue, M: Timed<K, V>>(keys: &[K]) -> M {
    let mut m = M::default();
    for k in keys {
        m.insert(k.clone(), V::of(k.digest()));
    }
    m
}

fn get_all<K: BenchKey, V: BenchValue, M: Timed<K, V>>(m: &M, keys: &[K]) -> u64 {
    keys.iter().fold(0, |acc, k| {
        acc.wrapping_add(m.get(black_box(k)).map_or(1, V::digest))
    })
}

fn sum<'a, K: BenchKey, V: BenchValue>(
    entries: impl Iterator<Item = (impl Borrow<K>, &'a V)>,
) -> u64 {
    entries.fold(0, |acc, (k, v)| {
        let k = k.borrow().digest();
        acc.wrapping_add(k ^ v.digest()).wrapping_add(k)
    })
}

// ---------------------------------------------------------------------------
// Many small maps

/// Entries in all of a [`SmallMaps`] workload: 10^6, spread over 10^5 maps
/// of 10, 10^4 of 100 or 10^3 of 1,000.
pub const SMALL_TOTAL: usize = 1_000_000;
/// Entries per map of the [`SmallMaps`] workloads, in table order.
pub const SMALL_SIZES: [usize; 3] = [10, 100, 1_000];

/// Many small `u64 -> u64` maps: `total / n` maps of `n` seeded random
/// keys each (distinct across all maps; each key its own value), as a
/// program that keeps a map per object holds them. The timed operations
/// ([`SmallMaps::OPS`]) each cover every entry of every map:
/// [`insert`](Self::insert) builds the maps one after another, each by
/// inserting its keys in random order into an empty map;
/// [`get_hits`](Self::get_hits) looks every key up in its map, in one
/// random order across all maps; [`iterate`](Self::iterate) walks every
/// map in turn.
pub struct SmallMaps {
    /// Entries per map.
    n: usize,
    /// Every map's keys, map after map (`n` each), each map's in random
    /// insertion order.
    pub keys: Vec<u64>,
    /// Every entry once as (map index, key), in random order across maps:
    /// the order of lookups.
    pub lookups: Vec<(u32, u64)>,
}

impl SmallMaps {
    /// The operations measured on many small maps: the rows of the speed
    /// runner's small-maps table and the criterion `small_maps_*` groups
    /// (`insert` here is [`Op::InsertRandom`], `get` [`Op::GetHit`]).
    pub const OPS: [Op; 3] = [Op::GetHit, Op::InsertRandom, Op::Iterate];

    /// `total / n` maps of `n` keys (`n` divides `total`); the same `total`
    /// and `n` always give the same keys.
    pub fn generate(total: usize, n: usize) -> Self {
        assert!(
            n > 0 && total.is_multiple_of(n) && total / n <= u32::MAX as usize,
            "{n} entries per map must divide {total}"
        );
        let mut rng = XorShift::new(0x5bd1_e995_9e37_79b9 ^ (total as u64) ^ ((n as u64) << 40));
        let mut present = HashSet::with_capacity(total);
        let mut keys = Vec::with_capacity(total);
        while keys.len() < total {
            let key = U64Keys::present(&mut rng);
            if present.insert(key) {
                keys.push(key);
            }
        }
        let mut lookups: Vec<(u32, u64)> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| ((i / n) as u32, k))
            .collect();
        rng.shuffle(&mut lookups);
        SmallMaps { n, keys, lookups }
    }

    /// Entries per map.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of maps.
    pub fn maps(&self) -> usize {
        self.keys.len() / self.n
    }

    /// Entries in all maps.
    pub fn total(&self) -> usize {
        self.keys.len()
    }

    /// Builds every map, one after another, each by inserting its keys in
    /// random order into an empty map.
    pub fn insert<M: Timed>(&self) -> Vec<M> {
        self.keys.chunks(self.n).map(insert_all).collect()
    }

    /// Looks every key up in its map, in random order across the maps.
    pub fn get_hits<M: Timed>(&self, maps: &[M]) -> u64 {
        self.lookups.iter().fold(0, |acc, &(i, k)| {
            let m = &maps[i as usize];
            acc.wrapping_add(m.get(black_box(&k)).map_or(1, |&v| v))
        })
    }

    /// Visits every entry of every map, map after map, each in order.
    pub fn iterate<M: Timed>(&self, maps: &[M]) -> u64 {
        maps.iter()
            .fold(0, |acc, m| acc.wrapping_add(sum(m.scan())))
    }

    /// Entries in all of `maps`.
    pub fn len<M: Timed>(maps: &[M]) -> usize {
        maps.iter().map(M::len).sum()
    }
}

// ---------------------------------------------------------------------------
// Memory

/// How a measured map is built from a [`Workload`]'s keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Inserted one by one, in the workload's random order.
    Random,
    /// Inserted one by one, ascending.
    Ascending,
    /// Built at once from the ascending keys ([`Subject::bulk`]).
    Bulk,
}

impl Order {
    /// Every order, in report order.
    pub const ALL: [Order; 3] = [Order::Random, Order::Ascending, Order::Bulk];

    /// The order's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Order::Random => "random",
            Order::Ascending => "ascending",
            Order::Bulk => "bulk",
        }
    }

    /// How the map is built, for report headers.
    pub fn description(self) -> &'static str {
        match self {
            Order::Random => "seeded random keys inserted one by one",
            Order::Ascending => "the same keys inserted one by one, ascending",
            Order::Bulk => {
                "built at once from the sorted keys (ours: from_sorted_iter; BTreeMap: collect)"
            }
        }
    }
}

/// A global allocator that counts live bytes (as requested, so `Vec` spare
/// capacity counts) and live allocations, then defers to [`System`].
///
/// Declare it in the binary itself:
/// `#[global_allocator] static ALLOC: CountingAlloc = CountingAlloc::new();`
pub struct CountingAlloc {
    bytes: AtomicUsize,
    allocations: AtomicUsize,
}

impl CountingAlloc {
    /// A counter at zero.
    pub const fn new() -> Self {
        CountingAlloc {
            bytes: AtomicUsize::new(0),
            allocations: AtomicUsize::new(0),
        }
    }

    /// Bytes currently allocated.
    pub fn live_bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Allocations currently live.
    pub fn live_allocations(&self) -> usize {
        self.allocations.load(Ordering::Relaxed)
    }

    /// Panics unless this is the global allocator (else every count is 0).
    pub fn assert_installed(&self) {
        let before = self.live_bytes();
        let probe = black_box(vec![0u8; 4096]);
        assert!(
            self.live_bytes() >= before + 4096,
            "CountingAlloc is not the #[global_allocator] of this binary"
        );
        drop(probe);
    }

    /// What the map `build` returns costs: live bytes and allocations it
    /// added, the map's own `size_of` included in the bytes. Single-threaded
    /// use only (another thread's allocations would count too).
    pub fn footprint<M: Subject>(&self, build: impl FnOnce() -> M) -> Footprint {
        let (bytes, allocations) = (self.live_bytes(), self.live_allocations());
        let m = build();
        let footprint = Footprint {
            entries: m.len(),
            bytes: self.live_bytes() - bytes + size_of::<M>(),
            allocations: self.live_allocations() - allocations,
            leaf_fill: m.leaf_fill(),
        };
        drop(m);
        footprint
    }

    /// The memory measurement: the [`footprint`](Self::footprint) of the
    /// map of `M` that `order` builds from `workload`'s keys. The tour and
    /// the memory report both call this.
    pub fn measure<M: Subject>(&self, workload: &Workload, order: Order) -> Footprint {
        self.footprint(|| workload.build::<M>(order))
    }

    /// The footprint of one map of `M` after each insert of `keys` (each
    /// key its own value), one by one into one map from empty: element
    /// `i` is the map of the first `i + 1` keys, counted as
    /// [`footprint`](Self::footprint) counts. Single-threaded use only.
    pub fn growth<M: Subject>(&self, keys: &[u64]) -> Vec<Footprint> {
        // Allocated before the counts are read: pushing never allocates.
        let mut footprints = Vec::with_capacity(keys.len());
        let (bytes, allocations) = (self.live_bytes(), self.live_allocations());
        let mut m = M::default();
        for &k in keys {
            m.insert(k, k);
            footprints.push(Footprint {
                entries: m.len(),
                bytes: self.live_bytes() - bytes + size_of::<M>(),
                allocations: self.live_allocations() - allocations,
                leaf_fill: None,
            });
        }
        drop(m);
        footprints
    }

    fn add(&self, size: usize) {
        self.bytes.fetch_add(size, Ordering::Relaxed);
        self.allocations.fetch_add(1, Ordering::Relaxed);
    }

    fn sub(&self, size: usize) {
        self.bytes.fetch_sub(size, Ordering::Relaxed);
        self.allocations.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees are ours; counting touches only atomics
// and never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            self.add(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            self.add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator (so from `System`) with
        // `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) };
        self.sub(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, and
        // `ptr` came from `System` with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            self.bytes.fetch_add(new_size, Ordering::Relaxed);
            self.bytes.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

/// What a map costs in memory; see [`CountingAlloc::footprint`].
#[derive(Clone, Copy, Debug)]
pub struct Footprint {
    /// Entries in the map.
    pub entries: usize,
    /// Live heap bytes plus the map's `size_of`.
    pub bytes: usize,
    /// Live heap allocations.
    pub allocations: usize,
    /// Average leaf fill, where the map has leaves (not recorded by
    /// [`CountingAlloc::growth`]).
    pub leaf_fill: Option<f64>,
}

impl Footprint {
    /// Bytes per entry, stack included.
    pub fn bytes_per_entry(&self) -> f64 {
        self.bytes as f64 / self.entries.max(1) as f64
    }
}

// ---------------------------------------------------------------------------
// Archives

/// Our archive of a `u64` to `u64` map (any configuration writes it).
pub type OurArchive = ArchivedBPlusTreeMap<Archived<u64>, Archived<u64>>;
/// rkyv's own archive of a `BTreeMap<u64, u64>`.
pub type StdArchive = ArchivedBTreeMap<Archived<u64>, Archived<u64>>;

/// What the archive comparisons run: a lookup, full iteration and a range
/// of [`RANGE_LEN`], over an archived map or the in-memory [`Baseline`].
pub trait Archive {
    /// The value of `key`.
    fn get_value(&self, key: u64) -> Option<u64>;
    /// The sum of every key and value, in order.
    fn sum_all(&self) -> u64;
    /// The sum of the keys and values of the first [`RANGE_LEN`] entries
    /// from `start` on.
    fn sum_range(&self, start: u64) -> u64;
}

impl Archive for OurArchive {
    fn get_value(&self, key: u64) -> Option<u64> {
        self.get(&key).map(|v| v.to_native())
    }
    fn sum_all(&self) -> u64 {
        self.iter().fold(0, |acc, (k, v)| {
            acc.wrapping_add(k.to_native() ^ v.to_native())
        })
    }
    fn sum_range(&self, start: u64) -> u64 {
        self.range(start..).take(RANGE_LEN).fold(0, |acc, (k, v)| {
            acc.wrapping_add(k.to_native() ^ v.to_native())
        })
    }
}

impl Archive for StdArchive {
    fn get_value(&self, key: u64) -> Option<u64> {
        // rkyv's map looks up by the archived key type only.
        self.get(&u64_le::from_native(key)).map(|v| v.to_native())
    }
    fn sum_all(&self) -> u64 {
        self.iter().fold(0, |acc, (k, v)| {
            acc.wrapping_add(k.to_native() ^ v.to_native())
        })
    }
    fn sum_range(&self, start: u64) -> u64 {
        self.range(u64_le::from_native(start)..)
            .take(RANGE_LEN)
            .fold(0, |acc, (k, v)| {
                acc.wrapping_add(k.to_native() ^ v.to_native())
            })
    }
}

impl Archive for Baseline {
    fn get_value(&self, key: u64) -> Option<u64> {
        self.get(&key).copied()
    }
    fn sum_all(&self) -> u64 {
        self.iter().fold(0, |acc, (k, v)| acc.wrapping_add(k ^ v))
    }
    fn sum_range(&self, start: u64) -> u64 {
        self.range(start..)
            .take(RANGE_LEN)
            .fold(0, |acc, (k, v)| acc.wrapping_add(k ^ v))
    }
}

impl Workload {
    /// Looks up every key of the map in `a`, in random order.
    pub fn archive_get_hits(&self, a: &impl Archive) -> u64 {
        self.lookups.iter().fold(0, |acc, &k| {
            acc.wrapping_add(a.get_value(black_box(k)).unwrap_or(1))
        })
    }

    /// Runs every range query on `a`.
    pub fn archive_ranges(&self, a: &impl Archive) -> u64 {
        self.range_starts
            .iter()
            .fold(0, |acc, &k| acc.wrapping_add(a.sum_range(k)))
    }
}

// ---------------------------------------------------------------------------
// Time

/// Rounds in [`time_ratio`]: each times a block of ours, then one of the
/// baseline.
pub const ROUNDS: usize = 5;
/// Samples per block; the median over all blocks of a side is taken.
pub const SAMPLES: usize = 5;
/// A sample times enough calls to last at least this long.
pub const MIN_SAMPLE: Duration = Duration::from_millis(1);
/// Each block starts with untimed calls lasting at least this long, so that
/// it finds its own data in cache rather than the other side's (switching
/// costs several passes over a 100 000-entry map here).
pub const WARM_UP: Duration = Duration::from_millis(3);

/// `ours / base`: the median time of one call of `ours` over the median time
/// of one call of `base`. Blocks of the two alternate, so drift on a shared
/// machine falls on both sides alike, and the median drops samples that the
/// scheduler cut into. Each call is timed on its own and its result dropped
/// after its clock stops, before the next call: both sides run with one
/// result alive, whatever their speed. (Keeping a sample's results alive
/// until its end, as criterion's `iter_with_large_drop` does, let the
/// faster side hold more maps at once, and a map in one large block then
/// paid for fresh pages on every call: the default configuration's
/// `clone` at 10^5 measured 1.17 that way and half that timed per call.)
pub fn time_ratio<R, S>(ours: impl FnMut() -> R, base: impl FnMut() -> S) -> f64 {
    ratio(&mut Calls(ours), &mut Calls(base))
}

/// [`time_ratio`] of calls that each consume an input made outside the
/// timing, as criterion's `iter_batched` does: before each call, the setup
/// makes its input, untimed (one input alive at a time). For operations
/// that use up their map (`remove` until empty, `drop`). A sample makes at
/// most [`MAX_BATCH`] inputs, which bounds the untimed setup.
pub fn time_ratio_batched<I, R, J, S>(
    ours_setup: impl FnMut() -> I,
    ours: impl FnMut(I) -> R,
    base_setup: impl FnMut() -> J,
    base: impl FnMut(J) -> S,
) -> f64 {
    ratio(
        &mut Batched(ours_setup, ours),
        &mut Batched(base_setup, base),
    )
}

/// Most inputs of one [`time_ratio_batched`] sample.
pub const MAX_BATCH: usize = 32;

/// What [`time_ratio`] and [`time_ratio_batched`] time.
trait Timing {
    /// Most calls of one sample.
    const MAX_CALLS: usize;
    /// One untimed call.
    fn warm_up(&mut self);
    /// Mean time of one call over `calls` calls, in nanoseconds.
    fn ns_per_call(&mut self, calls: usize) -> f64;
}

/// Calls of a closure.
struct Calls<F>(F);

impl<R, F: FnMut() -> R> Timing for Calls<F> {
    const MAX_CALLS: usize = usize::MAX;
    fn warm_up(&mut self) {
        black_box((self.0)());
    }
    fn ns_per_call(&mut self, calls: usize) -> f64 {
        let mut elapsed = Duration::ZERO;
        for _ in 0..calls {
            let start = Instant::now();
            let result = black_box((self.0)());
            elapsed += start.elapsed();
            drop(result);
        }
        elapsed.as_secs_f64() * 1e9 / calls as f64
    }
}

/// Calls of a routine, each on an input of the setup made beforehand.
struct Batched<G, F>(G, F);

impl<I, R, G: FnMut() -> I, F: FnMut(I) -> R> Timing for Batched<G, F> {
    const MAX_CALLS: usize = MAX_BATCH;
    fn warm_up(&mut self) {
        let input = (self.0)();
        black_box((self.1)(input));
    }
    fn ns_per_call(&mut self, calls: usize) -> f64 {
        let mut elapsed = Duration::ZERO;
        for _ in 0..calls {
            let input = black_box((self.0)());
            let start = Instant::now();
            let result = black_box((self.1)(input));
            elapsed += start.elapsed();
            drop(result);
        }
        elapsed.as_secs_f64() * 1e9 / calls as f64
    }
}

/// The ratio of the medians, over [`ROUNDS`] alternating blocks.
fn ratio(ours: &mut impl Timing, base: &mut impl Timing) -> f64 {
    let (ours_calls, base_calls) = (calls_per_sample(ours), calls_per_sample(base));
    let (mut ours_ns, mut base_ns) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        block(ours, ours_calls, &mut ours_ns);
        block(base, base_calls, &mut base_ns);
    }
    median(&mut ours_ns) / median(&mut base_ns)
}

/// Warms `t` up, then pushes [`SAMPLES`] samples of `calls` calls each.
fn block(t: &mut impl Timing, calls: usize, ns: &mut Vec<f64>) {
    let start = Instant::now();
    while start.elapsed() < WARM_UP {
        t.warm_up();
    }
    ns.extend((0..SAMPLES).map(|_| t.ns_per_call(calls)));
}

/// How many calls of `t` make a sample of at least [`MIN_SAMPLE`] (warming
/// `t` up on the way), at most its `MAX_CALLS`.
fn calls_per_sample<T: Timing>(t: &mut T) -> usize {
    let mut calls = 1;
    loop {
        let ns = t.ns_per_call(calls) * calls as f64;
        if ns >= MIN_SAMPLE.as_secs_f64() * 1e9 || calls * 2 > T::MAX_CALLS {
            return calls;
        }
        calls *= 2;
    }
}

/// The median wall time of one call of `f` over [`SAMPLES`] calls after
/// one untimed call, in seconds; for operations too slow to repeat in
/// blocks (opening a file, deserializing 10^6 entries). Each result is
/// dropped after its clock stops.
pub fn median_secs<R>(mut f: impl FnMut() -> R) -> f64 {
    black_box(f());
    let mut secs: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            let r = black_box(f());
            let t = start.elapsed().as_secs_f64();
            drop(r);
            t
        })
        .collect();
    median(&mut secs)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

// ---------------------------------------------------------------------------
// Tables

/// A markdown table, padded so that it also reads as plain text: rows are
/// kept until [`print`](Table::print), which sizes every column to fit. The
/// first `left` columns align left, the rest (numbers) right.
pub struct Table {
    titles: Vec<&'static str>,
    left: usize,
    /// `None` is a rule between groups of rows.
    rows: Vec<Option<Vec<String>>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(titles: &[&'static str], left: usize) -> Self {
        Table {
            titles: titles.to_vec(),
            left,
            rows: Vec::new(),
        }
    }

    /// Adds a row, one cell per column.
    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.titles.len(), "one cell per column");
        self.rows.push(Some(cells));
    }

    /// Adds a rule between groups of rows: the table is printed as one
    /// markdown table per group, each with the titles.
    pub fn rule(&mut self) {
        self.rows.push(None);
    }

    /// Prints the table to standard output.
    pub fn print(&self) {
        print!("{}", self.render());
    }

    /// The text [`print`](Table::print) prints.
    pub fn render(&self) -> String {
        // At least 3: the alignment row's `:--` or `--:`.
        let title_widths = self.titles.iter().map(|t| t.chars().count().max(3));
        let mut widths: Vec<usize> = title_widths.collect();
        for row in self.rows.iter().flatten() {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let titles: Vec<String> = self.titles.iter().map(|t| t.to_string()).collect();
        let header = format!(
            "{}\n{}\n",
            self.line(&widths, &titles),
            self.alignment(&widths)
        );
        let mut text = header.clone();
        for row in &self.rows {
            match row {
                Some(cells) => {
                    text += &self.line(&widths, cells);
                    text.push('\n');
                }
                None => {
                    text.push('\n');
                    text += &header;
                }
            }
        }
        text
    }

    fn line(&self, widths: &[usize], cells: &[String]) -> String {
        let cells = widths.iter().zip(cells).enumerate();
        let padded = cells.map(|(i, (&w, cell))| {
            if i < self.left {
                format!("{cell:<w$}")
            } else {
                format!("{cell:>w$}")
            }
        });
        format!("| {} |", padded.collect::<Vec<_>>().join(" | "))
    }

    /// The markdown alignment row: `:---` left, `---:` right.
    fn alignment(&self, widths: &[usize]) -> String {
        let marks = widths.iter().enumerate().map(|(i, &w)| {
            let dashes = "-".repeat(w - 1);
            if i < self.left {
                format!(":{dashes}")
            } else {
                format!("{dashes}:")
            }
        });
        format!("| {} |", marks.collect::<Vec<_>>().join(" | "))
    }
}

/// `n` as `10^k` when it is a power of ten.
pub fn power_of_ten(n: usize) -> String {
    let k = n.ilog10();
    if n > 1 && 10usize.pow(k) == n {
        format!("10^{k}")
    } else {
        n.to_string()
    }
}

/// The CPU model and core counts, from `/proc/cpuinfo`.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, m)| m.trim())
        })
        .unwrap_or("unknown CPU");
    let logical = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let available = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{model}; {logical} logical cores in /proc/cpuinfo, {available} available to this process"
    )
}
