//! bptree's speed beside its peers: [`Timed`] for `indexset::BTreeMap`,
//! `sweep_bptree::BPlusTreeMap`, a [`SortedVec`], `brie_tree::BTree`
//! (integer keys only: `u64`) and `bbtree::unsync::BBTreeMap` (`u64 -> u64`
//! and the `String` key sets), and the map lists the
//! runner (`examples/speed.rs`) and the criterion groups
//! (`benches/peers.rs`) run. The measuring code is the root's
//! (`examples/support`, included here by path as [`support`]); so are the
//! runner and the groups, which the targets include by path. [`order`]:
//! order statistics (`get_index`, `rank`, range counts) beside the peers
//! that have them, for the order runner (`examples/order.rs`) and the
//! `order_*` criterion groups.
//!
//! ```text
//! cargo run --release --manifest-path peers/Cargo.toml --example speed
//! cargo run --release --manifest-path peers/Cargo.toml --example order
//! cargo bench --manifest-path peers/Cargo.toml -- get_hit
//! ```

#[path = "../../examples/support/mod.rs"]
pub mod support;

pub mod order;

use std::borrow::Borrow;

use bptree::config::{All, ConfigList};
use brie_tree::nonmax::NonMaxU64;
use support::{
    BenchKey, BenchValue, EachConfig, IdKeys, MapList, MapVisitor, Op, StdAndDefaults, StdAndUnder,
    Timed, TupleKeys, U32Keys, U64Keys, WideValues, WordKeys, lacking,
};

/// indexset's two-level B-tree.
pub type Indexset = indexset::BTreeMap<u64, u64>;
/// sweep-bptree's B+ tree map.
pub type SweepBptree = sweep_bptree::BPlusTreeMap<u64, u64>;

/// The floor: entries in a `Vec`, sorted by key, found by binary search.
/// Inserting or removing a random key moves half the entries, so it lacks
/// random insert and remove (quadratic in n).
#[derive(Clone, Default)]
pub struct SortedVec(Vec<(u64, u64)>);

impl SortedVec {
    /// Where `key` is, or where it would go.
    fn search(&self, key: &u64) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }
}

impl Timed for SortedVec {
    const LACKS: &'static [Op] = &[Op::InsertRandom, Op::RemoveRandom];
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self {
        SortedVec(entries.collect())
    }
    fn insert(&mut self, key: u64, value: u64) -> Option<u64> {
        match self.search(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }
    fn get(&self, key: &u64) -> Option<&u64> {
        self.search(key).ok().map(|i| &self.0[i].1)
    }
    fn remove(&mut self, key: &u64) -> Option<u64> {
        self.search(key).ok().map(|i| self.0.remove(i).1)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn scan(&self) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    fn scan_from(&self, start: &u64) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        let from = self.0.partition_point(|(k, _)| k < start);
        self.0[from..].iter().map(|(k, v)| (k, v))
    }
    fn duplicate(&self) -> Self {
        self.clone()
    }
}

impl Timed for Indexset {
    /// `collect`: indexset's `FromIterator` inserts one by one.
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self {
        entries.collect()
    }
    fn insert(&mut self, key: u64, value: u64) -> Option<u64> {
        Indexset::insert(self, key, value)
    }
    fn get(&self, key: &u64) -> Option<&u64> {
        Indexset::get(self, key)
    }
    fn remove(&mut self, key: &u64) -> Option<u64> {
        Indexset::remove(self, key)
    }
    fn len(&self) -> usize {
        Indexset::len(self)
    }
    fn scan(&self) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        Indexset::iter(self)
    }
    fn scan_from(&self, start: &u64) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        Indexset::range(self, start..)
    }
    fn duplicate(&self) -> Self {
        self.clone()
    }
}

impl Timed for SweepBptree {
    /// sweep-bptree has no `range` and is not `Clone` (so the runner has no
    /// clone of it to drop either).
    const LACKS: &'static [Op] = &[Op::Range, Op::Clone, Op::Drop];
    /// `collect`: sweep-bptree's `FromIterator` sorts, then bulk-loads.
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self {
        entries.collect()
    }
    fn insert(&mut self, key: u64, value: u64) -> Option<u64> {
        SweepBptree::insert(self, key, value)
    }
    fn get(&self, key: &u64) -> Option<&u64> {
        SweepBptree::get(self, key)
    }
    fn remove(&mut self, key: &u64) -> Option<u64> {
        SweepBptree::remove(self, key)
    }
    fn len(&self) -> usize {
        SweepBptree::len(self)
    }
    fn scan(&self) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        SweepBptree::iter(self)
    }
    fn scan_from(&self, _start: &u64) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        lacking(Op::Range);
        std::iter::empty::<(&u64, &u64)>()
    }
    fn duplicate(&self) -> Self {
        lacking(Op::Clone);
        Self::default()
    }
}

/// brie-tree's B+ tree (0.1.2; 0.2.0 needs Rust 1.98): integer keys only,
/// which it stores as non-max integers (`u64::MAX` cannot be a key) and
/// yields by value.
pub type BrieTree = brie_tree::BTree<NonMaxU64, u64>;

/// The key of `key` in a [`BrieTree`]: `None` for `u64::MAX`, which no map
/// of it can hold (the workloads' present keys are even; an odd absent key
/// may be `u64::MAX`, and is then not found).
fn brie_key(key: u64) -> Option<NonMaxU64> {
    NonMaxU64::new(key)
}

impl Timed for BrieTree {
    /// `collect`: brie-tree's `FromIterator` inserts one by one.
    fn bulk(entries: impl Iterator<Item = (u64, u64)>) -> Self {
        entries
            .map(|(k, v)| (brie_key(k).expect("not u64::MAX"), v))
            .collect()
    }
    fn insert(&mut self, key: u64, value: u64) -> Option<u64> {
        BrieTree::insert(self, brie_key(key).expect("not u64::MAX"), value)
    }
    fn get(&self, key: &u64) -> Option<&u64> {
        BrieTree::get(self, brie_key(*key)?)
    }
    fn remove(&mut self, key: &u64) -> Option<u64> {
        BrieTree::remove(self, brie_key(*key)?)
    }
    /// brie-tree keeps no length: counted (only the checks before timing
    /// call this).
    fn len(&self) -> usize {
        BrieTree::iter(self).count()
    }
    fn is_empty(&self) -> bool {
        BrieTree::is_empty(self)
    }
    fn scan(&self) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        BrieTree::iter(self).map(|(k, v)| (k.get(), v))
    }
    fn scan_from(&self, start: &u64) -> impl Iterator<Item = (impl Borrow<u64>, &u64)> {
        let start = brie_key(*start).expect("a present key");
        BrieTree::range(self, start..).map(|(k, v)| (k.get(), v))
    }
    fn duplicate(&self) -> Self {
        self.clone()
    }
}

/// bbtree's single-threaded map, with its default inline-key strategy
/// (`Auto`: inline keys for integers and byte strings, `String` included).
pub type BBTree<K = u64, V = u64> = bbtree::unsync::BBTreeMap<K, V>;

impl<K: BenchKey, V: BenchValue> Timed<K, V> for BBTree<K, V> {
    /// `collect`: bbtree's `FromIterator` (a bulk build from sorted
    /// entries).
    fn bulk(entries: impl Iterator<Item = (K, V)>) -> Self {
        entries.collect()
    }
    fn insert(&mut self, key: K, value: V) -> Option<V> {
        BBTree::insert(self, key, value)
    }
    fn get(&self, key: &K) -> Option<&V> {
        BBTree::get(self, key)
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        BBTree::remove(self, key)
    }
    fn len(&self) -> usize {
        BBTree::len(self)
    }
    fn scan(&self) -> impl Iterator<Item = (impl Borrow<K>, &V)> {
        BBTree::iter(self)
    }
    fn scan_from(&self, start: &K) -> impl Iterator<Item = (impl Borrow<K>, &V)> {
        BBTree::range::<K, _>(self, start..)
    }
    fn duplicate(&self) -> Self {
        self.clone()
    }
}

/// The peers, in column order.
pub struct Peers;

impl MapList for Peers {
    fn for_each<V: MapVisitor<Keys = U64Keys>>(visitor: &mut V) {
        visitor.visit::<Indexset>("indexset");
        visitor.visit::<SweepBptree>("sweep-bptree");
        visitor.visit::<SortedVec>("sorted-Vec");
        visitor.visit::<BrieTree>("brie-tree");
        visitor.visit::<BBTree>("bbtree");
    }
}

/// The runner's columns: for `u64 -> u64`, the root runner's (`BTreeMap`,
/// every configuration of `support::Under`), then the peers; for the
/// `String` key sets, the root runner's (`BTreeMap`, `Standard`,
/// `Compact`), then bbtree; for the others, the root runner's.
pub struct RunnerColumns;

impl MapList for RunnerColumns {
    fn for_each<V: MapVisitor<Keys = U64Keys>>(visitor: &mut V) {
        StdAndUnder::for_each(visitor);
        Peers::for_each(visitor);
    }
}

/// `BTreeMap`, `Standard`, `Compact`, `Prefixed`, then bbtree: the
/// runner's columns for the `String` key sets.
pub struct StringColumns;

impl<S: support::KeySet<Key = String>> MapList<S> for StringColumns {
    fn for_each<V: MapVisitor<Keys = S>>(visitor: &mut V) {
        support::StdDefaultsAndPrefixed::for_each(visitor);
        visitor.visit::<BBTree<String, S::Value>>("bbtree");
    }
}

columns!(RunnerColumns:
    IdKeys, WordKeys => StringColumns;
    U32Keys, TupleKeys, WideValues => StdAndDefaults);

/// Each criterion group's members: `BTreeMap`, the named configurations
/// (`bptree::config::All`), then the peers.
pub struct GroupMembers;

impl MapList for GroupMembers {
    fn for_each<V: MapVisitor<Keys = U64Keys>>(visitor: &mut V) {
        visitor.visit::<support::Baseline>("BTreeMap");
        All::for_each(&mut EachConfig(visitor));
        Peers::for_each(visitor);
    }
}
