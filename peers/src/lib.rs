//! bptree's speed beside its peers: [`Timed`] for `indexset::BTreeMap`,
//! `sweep_bptree::BPlusTreeMap` and a [`SortedVec`], and the map lists the
//! runner (`examples/speed.rs`) and the criterion groups
//! (`benches/peers.rs`) run. The measuring code is the root's
//! (`examples/support`, included here by path as [`support`]); so are the
//! runner and the groups, which the targets include by path.
//!
//! ```text
//! cargo run --release --manifest-path peers/Cargo.toml --example speed
//! cargo bench --manifest-path peers/Cargo.toml -- get_hit
//! ```

#[path = "../../examples/support/mod.rs"]
pub mod support;

use bptree::config::{All, ConfigList};
use support::{EachConfig, MapList, MapVisitor, Op, StdAndUnder, Timed, lacking};

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
    fn iter(&self) -> impl Iterator<Item = (&u64, &u64)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    fn range_from(&self, start: u64) -> impl Iterator<Item = (&u64, &u64)> {
        let from = self.0.partition_point(|&(k, _)| k < start);
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
    fn iter(&self) -> impl Iterator<Item = (&u64, &u64)> {
        Indexset::iter(self)
    }
    fn range_from(&self, start: u64) -> impl Iterator<Item = (&u64, &u64)> {
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
    fn iter(&self) -> impl Iterator<Item = (&u64, &u64)> {
        SweepBptree::iter(self)
    }
    fn range_from(&self, _start: u64) -> impl Iterator<Item = (&u64, &u64)> {
        lacking(Op::Range);
        std::iter::empty()
    }
    fn duplicate(&self) -> Self {
        lacking(Op::Clone);
        Self::default()
    }
}

/// The peers, in column order.
pub struct Peers;

impl MapList for Peers {
    fn for_each<V: MapVisitor>(visitor: &mut V) {
        visitor.visit::<Indexset>("indexset");
        visitor.visit::<SweepBptree>("sweep-bptree");
        visitor.visit::<SortedVec>("sorted-Vec");
    }
}

/// The runner's columns: the root runner's (`BTreeMap`, every
/// configuration of `support::Under`), then the peers.
pub struct RunnerColumns;

impl MapList for RunnerColumns {
    fn for_each<V: MapVisitor>(visitor: &mut V) {
        StdAndUnder::for_each(visitor);
        Peers::for_each(visitor);
    }
}

/// Each criterion group's members: `BTreeMap`, the named configurations
/// (`bptree::config::All`), then the peers.
pub struct GroupMembers;

impl MapList for GroupMembers {
    fn for_each<V: MapVisitor>(visitor: &mut V) {
        visitor.visit::<support::Baseline>("BTreeMap");
        All::for_each(&mut EachConfig(visitor));
        Peers::for_each(visitor);
    }
}
