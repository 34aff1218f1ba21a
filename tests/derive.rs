//! `#[derive(TreeConfig)]`: what each `#[tree(..)]` key produces, the
//! crate's own configurations, running code over configuration lists, and
//! (in `ui`, through trybuild) every compile error with its exact message.
#![cfg(feature = "derive")]

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet};

use bptree::config::{self, ConfigList, ConfigVisitor};
use bptree::policy::{
    ArenaStrategy, Boxed, Counted, Growing, Handle, Indirect, Inline, MAX_CAP, MIN_CAP,
    MaskedArena, OrderStatistics, Storage,
};
use bptree::{
    Adaptive, BPlusTreeMap, BPlusTreeSet, Compact16, PoolArena, TreeConfig, VecArena, Wide32,
};

fn same<A: 'static, B: 'static>() -> bool {
    TypeId::of::<A>() == TypeId::of::<B>()
}

/// The snippet of the issue, exactly as written there.
#[test]
fn issue_snippet() {
    use bptree::{Compact16, PoolArena, TreeConfig};
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, arena = PoolArena, capacity = 32)]
    pub struct Embedded;
    let mut m: <Embedded as TreeConfig>::Map<u64, String> = Default::default();

    for i in 0..1000u64 {
        m.insert(i * 7 % 1000, i.to_string());
    }
    m.check_invariants().unwrap();
    assert_eq!(m.len(), 1000);
    assert!(same::<
        <Embedded as TreeConfig>::Map<u64, String>,
        BPlusTreeMap<u64, String, Compact16, PoolArena, 32>,
    >());
    assert!(same::<
        <Embedded as TreeConfig>::Set<u64>,
        BPlusTreeSet<u64, Compact16, PoolArena, 32>,
    >());
    assert_eq!(Embedded::NAME, "Embedded");
    assert_eq!(
        Embedded::DESCRIPTION,
        "Compact16 handles, PoolArena, 32 entries per node"
    );
}

#[test]
fn defaults_are_the_maps_defaults() {
    #[derive(TreeConfig)]
    #[tree(capacity = 64)]
    struct Plain;
    assert!(same::<<Plain as TreeConfig>::Handle, Wide32>());
    assert!(same::<<Plain as TreeConfig>::Arena, Indirect<VecArena>>());
    assert!(same::<<Plain as TreeConfig>::Storage, Inline>());
    assert!(same::<
        <Plain as TreeConfig>::Map<u8, u8>,
        BPlusTreeMap<u8, u8>,
    >());
    assert!(same::<<Plain as TreeConfig>::Set<u8>, BPlusTreeSet<u8>>());
    assert_eq!(Plain::CAPACITY, 64);
    assert_eq!(
        Plain::DESCRIPTION,
        "Wide32 handles, Indirect<VecArena>, 64 entries per node"
    );
}

#[test]
fn handle_arena_and_storage() {
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, arena = MaskedArena, storage = Growing, capacity = 8)]
    struct Split;
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, arena = MaskedArena<Growing>, capacity = 8)]
    struct Joined;
    #[derive(TreeConfig)]
    #[tree(storage = bptree::policy::Boxed, capacity = 8)]
    struct StorageOnly;
    #[derive(TreeConfig)]
    #[tree(handle = ::bptree::Compact16, arena = bptree::policy::PoolArena<Boxed>, capacity = 8)]
    struct FullPaths;

    assert!(same::<<Split as TreeConfig>::Arena, MaskedArena<Growing>>());
    assert!(same::<
        <Split as TreeConfig>::Map<u8, u8>,
        <Joined as TreeConfig>::Map<u8, u8>,
    >());
    assert!(same::<<Split as TreeConfig>::Storage, Growing>());
    assert!(same::<
        <StorageOnly as TreeConfig>::Arena,
        Indirect<VecArena<Boxed>>,
    >());
    assert!(same::<<StorageOnly as TreeConfig>::Handle, Wide32>());
    assert!(same::<
        <FullPaths as TreeConfig>::Map<u8, u8>,
        BPlusTreeMap<u8, u8, Compact16, PoolArena<Boxed>, 8>,
    >());
    assert_eq!(<FullPaths as TreeConfig>::Handle::NAME, "Compact16");
    assert_eq!(<FullPaths as TreeConfig>::Arena::NAME, "pool");
    assert_eq!(<FullPaths as TreeConfig>::Storage::NAME, "boxed");
    assert_eq!(
        Split::DESCRIPTION,
        "Compact16 handles, MaskedArena<Growing>, 8 entries per node"
    );
    assert_eq!(
        FullPaths::DESCRIPTION,
        "Compact16 handles, PoolArena<Boxed>, 8 entries per node"
    );
}

/// `counts` wraps the arena, whatever it is, in `Counted`: the bare flag,
/// `= true` and `= false`, beside `arena = A<S>`, `arena = A, storage = S`
/// (in another attribute) and `arena = Indirect<..>`.
#[test]
fn counts_wrap_the_arena() {
    #[derive(TreeConfig)]
    #[tree(counts, capacity = 32, alias = Ranked)]
    struct RankedConfig;
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, arena = PoolArena<Boxed>, counts = true, capacity = 8)]
    struct PoolJoined;
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, arena = PoolArena, storage = Boxed, capacity = 8)]
    #[tree(counts)]
    struct PoolSplit;
    #[derive(TreeConfig)]
    #[tree(handle = Adaptive, arena = Indirect<VecArena<Boxed>, 16>, counts, capacity = 128)]
    struct CompactCounted;
    #[derive(TreeConfig)]
    #[tree(arena = PoolArena, counts = false, capacity = 8)]
    struct Uncounted;

    assert!(same::<
        <RankedConfig as TreeConfig>::Arena,
        Counted<Indirect<VecArena>>,
    >());
    assert!(same::<<RankedConfig as TreeConfig>::Storage, Inline>());
    assert!(same::<
        <RankedConfig as TreeConfig>::Map<u8, u8>,
        BPlusTreeMap<u8, u8, Wide32, Counted<Indirect<VecArena>>, 32>,
    >());
    assert!(same::<
        <RankedConfig as TreeConfig>::Set<u8>,
        BPlusTreeSet<u8, Wide32, Counted<Indirect<VecArena>>, 32>,
    >());
    assert!(same::<
        Ranked<u8, u8>,
        <RankedConfig as TreeConfig>::Map<u8, u8>,
    >());
    assert!(same::<RankedSet<u8>, <RankedConfig as TreeConfig>::Set<u8>>());
    assert!(same::<
        <PoolJoined as TreeConfig>::Arena,
        Counted<PoolArena<Boxed>>,
    >());
    assert!(same::<
        <PoolSplit as TreeConfig>::Map<u8, u8>,
        <PoolJoined as TreeConfig>::Map<u8, u8>,
    >());
    assert!(same::<<PoolSplit as TreeConfig>::Storage, Boxed>());
    assert!(same::<
        <CompactCounted as TreeConfig>::Map<u8, u8>,
        BPlusTreeMap<u8, u8, Adaptive, Counted<Indirect<VecArena<Boxed>, 16>>, 128>,
    >());
    assert!(same::<<Uncounted as TreeConfig>::Arena, PoolArena>());
    // Counts live in the branches: the map itself is the size it was.
    assert_eq!(
        size_of::<<CompactCounted as TreeConfig>::Map<u64, u64>>(),
        size_of::<bptree::phase::Compact<u64, u64>>()
    );
    assert_eq!(<PoolJoined as TreeConfig>::Arena::NAME, "pool");

    assert_eq!(
        RankedConfig::DESCRIPTION,
        "Wide32 handles, Counted<Indirect<VecArena>>, 32 entries per node"
    );
    assert_eq!(
        PoolJoined::DESCRIPTION,
        "Compact16 handles, Counted<PoolArena<Boxed>>, 8 entries per node"
    );
    assert_eq!(PoolSplit::DESCRIPTION, PoolJoined::DESCRIPTION);
    assert_eq!(
        CompactCounted::DESCRIPTION,
        "Adaptive handles, Counted<Indirect<VecArena<Boxed>, 16>>, 128 entries per node"
    );
    assert_eq!(
        Uncounted::DESCRIPTION,
        "Wide32 handles, PoolArena, 8 entries per node"
    );

    let mut m: Ranked<u32, char> = Ranked::empty();
    m.extend([(30, 'c'), (10, 'a'), (20, 'b')]);
    assert_eq!(m.get_index(1), Some((&20, &'b')));
    assert_eq!(m.rank(&25), 2);

    let mut run = 0;
    order_statistics_agree(<RankedConfig as TreeConfig>::Map::empty(), &mut run);
    order_statistics_agree(<PoolJoined as TreeConfig>::Map::empty(), &mut run);
    order_statistics_agree(<CompactCounted as TreeConfig>::Map::empty(), &mut run);
    assert_eq!(run, 3);
}

/// A short random run of a counted map (and the set of the same
/// configuration) against `BTreeMap`/`BTreeSet`, checking `get_index`,
/// `rank`, `remove_index` and range lengths at every step.
fn order_statistics_agree<H: Handle, A: OrderStatistics, const CAP: usize>(
    mut map: BPlusTreeMap<u32, u64, H, A, CAP>,
    run: &mut u64,
) {
    let mut set: BPlusTreeSet<u32, H, A, CAP> = BPlusTreeSet::empty();
    let mut std_map = BTreeMap::new();
    let mut std_set = BTreeSet::new();
    let mut x = 0x9e37_79b9_7f4a_7c15_u64 ^ (CAP as u64) ^ *run;
    let ops = if cfg!(miri) { 200 } else { 6_000 };
    for step in 0..ops {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x % 1200) as u32;
        let i = (x >> 32) as usize % (std_map.len() + 2);
        match x % 7 {
            0..=2 => {
                assert_eq!(map.insert(k, x), std_map.insert(k, x));
                assert_eq!(set.insert(k), std_set.insert(k));
            }
            3 => {
                assert_eq!(map.remove(&k), std_map.remove(&k));
                assert_eq!(set.remove(&k), std_set.remove(&k));
            }
            4 => {
                let nth = std_map.keys().nth(i).copied();
                assert_eq!(
                    map.remove_index(i),
                    nth.map(|k| (k, std_map.remove(&k).unwrap()))
                );
                let nth = std_set.iter().nth(i).copied();
                assert_eq!(
                    set.remove_index(i),
                    nth.inspect(|k| assert!(std_set.remove(k)))
                );
            }
            _ => {
                assert_eq!(map.get_index(i), std_map.iter().nth(i));
                assert_eq!(set.get_index(i), std_set.iter().nth(i));
                assert_eq!(map.rank(&k), std_map.range(..k).count());
                assert_eq!(set.rank(&k), std_set.range(..k).count());
                let r = k..k.saturating_add(100);
                assert_eq!(map.range(r.clone()).len(), std_map.range(r).count());
            }
        }
        assert_eq!(map.len(), std_map.len());
        if step % 500 == 0 {
            map.check_invariants().unwrap();
        }
    }
    map.check_invariants().unwrap();
    assert!(map.iter().eq(std_map.iter()));
    assert!(set.iter().eq(std_set.iter()));
    *run += 1;
}

/// The derive's own copy of the capacity bounds matches the crate's: both
/// ends derive (the UI tests pin the errors one step outside them).
#[test]
fn capacity_bounds_match_the_crate() {
    #[derive(TreeConfig)]
    #[tree(capacity = 4)]
    struct Smallest;
    #[derive(TreeConfig)]
    #[tree(capacity = 4096)]
    struct Largest;
    assert_eq!(Smallest::CAPACITY, MIN_CAP);
    assert_eq!(Largest::CAPACITY, MAX_CAP);

    let mut small: <Smallest as TreeConfig>::Map<u32, u32> = (0..500).map(|i| (i, i)).collect();
    assert_eq!(small.height(), 3);
    small.retain(|k, _| k % 3 == 0);
    small.check_invariants().unwrap();
    let large: <Largest as TreeConfig>::Map<u32, u32> = (0..20_000).map(|i| (i, i)).collect();
    assert_eq!(large.height(), 1);
    large.check_invariants().unwrap();
}

#[test]
fn capacity_as_constant_expression() {
    const ENTRIES: usize = 24;
    mod sizes {
        pub const PAGE: usize = 4096;
    }
    #[derive(TreeConfig)]
    #[tree(capacity = ENTRIES)]
    struct ByName;
    #[derive(TreeConfig)]
    #[tree(capacity = sizes::PAGE / 64)]
    struct ByExpression;
    #[derive(TreeConfig)]
    #[tree(capacity = 16usize)]
    struct Suffixed;
    assert_eq!(ByName::CAPACITY, 24);
    assert_eq!(ByExpression::CAPACITY, 64);
    assert_eq!(Suffixed::CAPACITY, 16);
    assert!(same::<
        <ByExpression as TreeConfig>::Map<u8, u8>,
        BPlusTreeMap<u8, u8>,
    >());
    assert_eq!(
        ByExpression::DESCRIPTION,
        "Wide32 handles, Indirect<VecArena>, sizes::PAGE / 64 entries per node"
    );
}

mod aliased {
    use bptree::{Compact16, TreeConfig};

    #[derive(TreeConfig)]
    #[tree(handle = Compact16, capacity = 16, alias = Tiny)]
    pub struct TinyConfig;
}

#[test]
fn alias() {
    use aliased::{Tiny, TinyConfig, TinySet};
    assert!(same::<
        Tiny<u8, u16>,
        <TinyConfig as TreeConfig>::Map<u8, u16>,
    >());
    assert!(same::<TinySet<u8>, <TinyConfig as TreeConfig>::Set<u8>>());
    let mut m: Tiny<&str, u32> = Tiny::empty();
    m.insert("a", 1);
    let s: TinySet<&str> = m.keys().copied().collect();
    assert!(s.contains("a"));
}

/// A derived alias names the concrete map and set, so a user crate can
/// implement its own trait for them beside `BTreeMap`/`BTreeSet` and the
/// default map (an alias of `<C as TreeConfig>::Map<K, V>` would draw
/// E0119, conflicting implementations), whatever form the capacity takes
/// and wherever the crate path points.
mod coherent_aliases {
    use std::collections::{BTreeMap, BTreeSet};

    use bptree::{BPlusTreeMap, Compact16, TreeConfig};

    pub const ENTRIES: usize = 24;
    mod sizes {
        pub const PAGE: usize = 4096;
    }

    #[derive(TreeConfig)]
    #[tree(capacity = ENTRIES, alias = ByName)]
    pub struct ByNameConfig;

    // 4096 / 128 = 32 with `Compact16` handles: not the default map.
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, capacity = sizes::PAGE / 128, alias = ByExpression)]
    pub struct ByExpressionConfig;

    #[derive(TreeConfig)]
    #[tree(crate = super::reexports::nested::tree, capacity = 12, alias = Reexported)]
    pub struct ReexportedConfig;

    pub trait Kind {
        fn kind(&self) -> &'static str;
    }

    macro_rules! kind {
        ($($ty:ty => $name:literal;)*) => {$(
            impl Kind for $ty {
                fn kind(&self) -> &'static str {
                    $name
                }
            }
        )*};
    }

    kind! {
        BTreeMap<u8, u8> => "BTreeMap";
        BTreeSet<u8> => "BTreeSet";
        BPlusTreeMap<u8, u8> => "default";
        ByName<u8, u8> => "ByName";
        ByExpression<u8, u8> => "ByExpression";
        ByExpressionSet<u8> => "ByExpressionSet";
        Reexported<u8, u8> => "Reexported";
        ReexportedSet<u8> => "ReexportedSet";
    }
}

#[test]
fn derived_aliases_allow_coherent_impls() {
    use coherent_aliases::*;
    assert!(same::<
        ByName<u8, u8>,
        BPlusTreeMap<u8, u8, Wide32, Indirect<VecArena>, 24>,
    >());
    assert!(same::<
        ByExpressionSet<u8>,
        <ByExpressionConfig as TreeConfig>::Set<u8>,
    >());
    assert!(same::<
        Reexported<u8, u8>,
        <ReexportedConfig as TreeConfig>::Map<u8, u8>,
    >());
    assert_eq!(ByNameConfig::CAPACITY, ENTRIES);
    let kinds = [
        BTreeMap::<u8, u8>::new().kind(),
        BTreeSet::<u8>::new().kind(),
        BPlusTreeMap::<u8, u8>::new().kind(),
        ByName::<u8, u8>::empty().kind(),
        ByExpression::<u8, u8>::empty().kind(),
        ByExpressionSet::<u8>::empty().kind(),
        Reexported::<u8, u8>::empty().kind(),
        ReexportedSet::<u8>::empty().kind(),
    ];
    assert_eq!(
        kinds,
        [
            "BTreeMap",
            "BTreeSet",
            "default",
            "ByName",
            "ByExpression",
            "ByExpressionSet",
            "Reexported",
            "ReexportedSet"
        ]
    );
}

#[test]
fn name_and_description() {
    /// First line,
    /// second line of the first paragraph.
    ///
    /// Not part of the description.
    #[derive(TreeConfig)]
    #[tree(capacity = 16)]
    struct FromDocs;

    /// The doc comment loses to the key.
    #[derive(TreeConfig)]
    #[tree(capacity = 16, name = "renamed", description = "from the key")]
    struct FromKeys;

    #[doc = ""]
    #[doc = "  After a blank line.  "]
    #[derive(TreeConfig)]
    #[tree(capacity = 16)]
    struct LeadingBlank;

    assert_eq!(FromDocs::NAME, "FromDocs");
    assert_eq!(
        FromDocs::DESCRIPTION,
        "First line, second line of the first paragraph."
    );
    assert_eq!(FromKeys::NAME, "renamed");
    assert_eq!(FromKeys::DESCRIPTION, "from the key");
    assert_eq!(LeadingBlank::DESCRIPTION, "After a blank line.");
}

mod reexports {
    pub mod nested {
        pub use bptree as tree;
    }
}

#[test]
fn crate_path() {
    #[derive(bptree::TreeConfig)]
    #[tree(crate = reexports::nested::tree, capacity = 8, alias = Eight)]
    struct EightConfig;
    #[derive(bptree::TreeConfig)]
    #[tree(crate = ::bptree, capacity = 8)]
    struct Absolute;
    assert_eq!(<EightConfig as TreeConfig>::CAPACITY, 8);
    assert!(same::<Eight<u8, u8>, <Absolute as TreeConfig>::Map<u8, u8>>());
}

#[test]
fn keys_split_over_attributes_in_any_order() {
    #[derive(TreeConfig)]
    #[tree(capacity = 32)]
    #[tree(alias = Spread, handle = Compact16)]
    #[tree()]
    #[tree(arena = PoolArena,)]
    struct SpreadConfig;
    assert!(same::<
        Spread<u8, u8>,
        BPlusTreeMap<u8, u8, Compact16, PoolArena, 32>,
    >());
}

#[test]
fn markers_may_be_any_non_generic_type() {
    #[derive(TreeConfig)]
    #[tree(capacity = 8)]
    #[allow(dead_code)]
    struct WithField(u8);
    #[derive(TreeConfig)]
    #[tree(capacity = 8)]
    enum Uninhabited {}
    assert_eq!(WithField::CAPACITY, Uninhabited::CAPACITY);
}

/// The crate's own configurations: the phases' maps, the default.
#[test]
fn crate_configurations() {
    use bptree::config::{Compact, Phase0, Phase1, Phase2, Phase3, Standard};
    assert!(same::<
        <Standard as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<u64, u64>,
    >());
    assert!(same::<<Standard as TreeConfig>::Set<u64>, BPlusTreeSet<u64>>());
    assert!(same::<
        <Phase0 as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<u64, u64, Wide32, MaskedArena<Growing>, 64>,
    >());
    assert!(same::<
        <Phase1 as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<u64, u64, Wide32, VecArena<Growing>, 64>,
    >());
    assert!(same::<
        <Phase2 as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<u64, u64, Wide32, VecArena<Boxed>, 64>,
    >());
    assert!(same::<
        <Phase3 as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<u64, u64, bptree::Adaptive, PoolArena, 64>,
    >());
    assert!(same::<
        <Compact as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<
            u64,
            u64,
            bptree::Adaptive,
            bptree::policy::Indirect<VecArena<Boxed>, 16>,
            128,
        >,
    >());
    assert_eq!(
        [
            Phase0::CAPACITY,
            Phase1::CAPACITY,
            Phase2::CAPACITY,
            Phase3::CAPACITY
        ],
        [64; 4]
    );
    assert!(same::<
        bptree::phase::Phase2<u8, ()>,
        <Phase2 as TreeConfig>::Map<u8, ()>,
    >());
    assert_eq!(
        Phase3::DESCRIPTION,
        "Phase 3: phase 2 with 16-bit handles and the pool arena."
    );
    assert_eq!(<config::All as ConfigList>::LEN, 8);
    assert_eq!(<config::Phases as ConfigList>::LEN, 4);
    assert_eq!(<() as ConfigList>::LEN, 0);
}

/// Records what each visited configuration is.
struct Describe(
    Vec<(
        &'static str,
        usize,
        &'static str,
        &'static str,
        &'static str,
    )>,
);

impl ConfigVisitor for Describe {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        assert_eq!(CAP, C::CAPACITY);
        self.0.push((
            C::NAME,
            CAP,
            <C::Handle as Handle>::NAME,
            <C::Arena as ArenaStrategy>::NAME,
            <C::Storage as Storage>::NAME,
        ));
    }
}

#[test]
fn lists_visit_in_order() {
    let mut seen = Describe(Vec::new());
    config::All::for_each(&mut seen);
    assert_eq!(
        seen.0,
        [
            ("Phase0", 64, "Wide32", "masked", "growing"),
            ("Phase1", 64, "Wide32", "vec", "growing"),
            ("Phase2", 64, "Wide32", "vec", "boxed"),
            ("Phase3", 64, "Adaptive", "pool", "inline"),
            ("Compact", 128, "Adaptive", "vec", "boxed"),
            ("Standard", 64, "Wide32", "vec", "inline"),
            ("Indexed", 64, "Wide32", "vec", "inline"),
            ("Prefixed", 64, "Wide32", "vec", "inline"),
        ]
    );

    // Empty and nested lists.
    let mut seen = Describe(Vec::new());
    <((), (config::Standard,), ((config::Compact,),))>::for_each(&mut seen);
    assert_eq!(
        seen.0.iter().map(|d| d.0).collect::<Vec<_>>(),
        ["Standard", "Compact"]
    );
}

/// A short differential run of every named configuration (and a deep
/// derived one) against `BTreeMap`/`BTreeSet`, through the visitor.
struct AgreesWithStd {
    ops: usize,
    visited: usize,
}

impl ConfigVisitor for AgreesWithStd {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        let mut map: BPlusTreeMap<u32, u64, C::Handle, C::Arena, CAP> = BPlusTreeMap::empty();
        let mut set: BPlusTreeSet<u32, C::Handle, C::Arena, CAP> = BPlusTreeSet::empty();
        let mut std_map = BTreeMap::new();
        let mut std_set = BTreeSet::new();
        let mut x = 0x2545_f491_4f6c_dd1d_u64 ^ CAP as u64;
        let ops = if cfg!(miri) { 200 } else { 20_000 };
        for step in 0..ops {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = (x % 1500) as u32;
            match x % 5 {
                0..=2 => {
                    assert_eq!(map.insert(k, x), std_map.insert(k, x), "{}", C::NAME);
                    assert_eq!(set.insert(k), std_set.insert(k), "{}", C::NAME);
                }
                3 => {
                    assert_eq!(map.remove(&k), std_map.remove(&k), "{}", C::NAME);
                    assert_eq!(set.remove(&k), std_set.remove(&k), "{}", C::NAME);
                }
                _ => {
                    assert_eq!(map.get(&k), std_map.get(&k), "{}", C::NAME);
                    let r = k..k.saturating_add(40);
                    assert!(
                        map.range(r.clone()).eq(std_map.range(r.clone())),
                        "{}",
                        C::NAME
                    );
                    assert!(set.range(r.clone()).eq(std_set.range(r)), "{}", C::NAME);
                }
            }
            if step % 1000 == 0 {
                map.check_invariants().unwrap();
            }
        }
        map.check_invariants().unwrap();
        assert!(map.iter().eq(std_map.iter()), "{}", C::NAME);
        assert!(map.iter().rev().eq(std_map.iter().rev()), "{}", C::NAME);
        assert!(set.iter().eq(std_set.iter()), "{}", C::NAME);
        self.ops += ops;
        self.visited += 1;
    }
}

#[test]
fn configurations_agree_with_std() {
    #[derive(TreeConfig)]
    #[tree(handle = Compact16, arena = PoolArena, storage = Growing, capacity = 4)]
    struct Deep;

    let mut run = AgreesWithStd { ops: 0, visited: 0 };
    <(config::All, Deep)>::for_each(&mut run);
    assert_eq!(run.visited, 9);
    println!("{} ops over {} configurations", run.ops, run.visited);
}

/// Every compile error of the derive, with its exact message
/// (`tests/ui/*.stderr`; `TRYBUILD=overwrite` regenerates them).
///
/// A type that is no policy (`handle = u16`) is the compiler's own E0277,
/// whose text quotes bptree's sources; it is a `compile_fail` doc test on
/// `TreeConfig` instead, so that these files do not change with them.
#[test]
#[cfg_attr(miri, ignore = "trybuild runs cargo")]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

/// `storage` with a wrapper arena goes to the arena inside it:
/// `Indirect` with `Boxed` is `Indirect<VecArena<Boxed>>` (`Compact`'s
/// layout with the default runs of four leaves), and `Counted<PoolArena>` with `Boxed` is
/// `Counted<PoolArena<Boxed>>`.
#[test]
fn storage_goes_inside_wrapper_arenas() {
    use bptree::policy::{Boxed, Counted, Indirect};
    use std::any::TypeId;

    #[derive(TreeConfig)]
    #[tree(handle = bptree::Adaptive, arena = Indirect, storage = Boxed, capacity = 128)]
    struct LikeCompact;

    #[derive(TreeConfig)]
    #[tree(arena = Counted<bptree::PoolArena>, storage = Boxed, capacity = 16)]
    struct CountedPool;

    assert_eq!(
        TypeId::of::<<LikeCompact as TreeConfig>::Arena>(),
        TypeId::of::<Indirect<bptree::VecArena<Boxed>>>()
    );
    assert_eq!(
        TypeId::of::<<CountedPool as TreeConfig>::Arena>(),
        TypeId::of::<Counted<bptree::PoolArena<Boxed>>>()
    );
    let m: <LikeCompact as TreeConfig>::Map<u32, u32> = (0..5_000).map(|i| (i, i)).collect();
    assert_eq!(size_of_val(&m), 24);
    m.check_invariants().unwrap();
    let c: <CountedPool as TreeConfig>::Map<u32, u32> = (0..5_000).map(|i| (i, i)).collect();
    assert_eq!(c.get_index(4_321), Some((&4_321, &4_321)));
}
