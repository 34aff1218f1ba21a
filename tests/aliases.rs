//! The named map types are plain aliases of concrete types: each
//! `phase::*` alias (and a derived `alias = Name`) is the very type its
//! configuration's `TreeConfig::Map` names, and a user crate can implement
//! its own trait for every one of them beside `BTreeMap` without the
//! conflicting-implementations error (E0119) a projection would cause.

use std::any::TypeId;
use std::collections::BTreeMap;

use bptree::policy::{Boxed, Growing, Indirect, MaskedArena};
use bptree::{Adaptive, BPlusTreeMap, BPlusTreeSet, PoolArena, TreeConfig, VecArena, Wide32};
use bptree::{config, phase};

fn same<A: 'static, B: 'static>() -> bool {
    TypeId::of::<A>() == TypeId::of::<B>()
}

/// Each alias is its configuration's map, and both are the concrete type
/// written out.
#[test]
fn aliases_are_their_configurations_maps() {
    macro_rules! check {
        ($($alias:ident => $concrete:ty;)*) => {$(
            assert!(
                same::<phase::$alias<u64, u64>, <config::$alias as TreeConfig>::Map<u64, u64>>(),
                "phase::{} is not the map of config::{}", stringify!($alias), stringify!($alias),
            );
            assert!(
                same::<phase::$alias<u64, u64>, $concrete>(),
                "phase::{} is not {}", stringify!($alias), stringify!($concrete),
            );
            // Any key and value types, not just `u64`.
            assert!(same::<
                phase::$alias<String, Vec<u8>>,
                <config::$alias as TreeConfig>::Map<String, Vec<u8>>,
            >());
        )*};
    }
    check! {
        Phase0 => BPlusTreeMap<u64, u64, Wide32, MaskedArena<Growing>, 64>;
        Phase1 => BPlusTreeMap<u64, u64, Wide32, VecArena<Growing>, 64>;
        Phase2 => BPlusTreeMap<u64, u64, Wide32, VecArena<Boxed>, 64>;
        Phase3 => BPlusTreeMap<u64, u64, Adaptive, PoolArena, 64>;
        Compact => BPlusTreeMap<u64, u64, Adaptive, Indirect<VecArena<Boxed>, 16>, 128>;
        Indexed => BPlusTreeMap<u64, u64, Wide32, bptree::policy::Counted<Indirect<VecArena>>, 64>;
        Prefixed => BPlusTreeMap<u64, u64, Wide32, bptree::policy::Prefixed<Indirect<VecArena>>, 64>;
    }
    // `config::Standard` has no alias of its own: its map is the map with
    // every default, `BPlusTreeMap<K, V>`.
    assert!(same::<
        <config::Standard as TreeConfig>::Map<u64, u64>,
        BPlusTreeMap<u64, u64>,
    >());
}

/// The sets of the configurations are the concrete sets too (the `phase`
/// module names maps only).
#[test]
fn configuration_sets_are_concrete() {
    macro_rules! check {
        ($($config:ident => $concrete:ty;)*) => {$(
            assert!(
                same::<<config::$config as TreeConfig>::Set<u64>, $concrete>(),
                "config::{}", stringify!($config),
            );
        )*};
    }
    check! {
        Phase0 => BPlusTreeSet<u64, Wide32, MaskedArena<Growing>, 64>;
        Phase1 => BPlusTreeSet<u64, Wide32, VecArena<Growing>, 64>;
        Phase2 => BPlusTreeSet<u64, Wide32, VecArena<Boxed>, 64>;
        Phase3 => BPlusTreeSet<u64, Adaptive, PoolArena, 64>;
        Compact => BPlusTreeSet<u64, Adaptive, Indirect<VecArena<Boxed>, 16>, 128>;
        Standard => BPlusTreeSet<u64>;
        Indexed => BPlusTreeSet<u64, Wide32, bptree::policy::Counted<Indirect<VecArena>>, 64>;
        Prefixed => BPlusTreeSet<u64, Wide32, bptree::policy::Prefixed<Indirect<VecArena>>, 64>;
    }
}

/// Every named configuration is a distinct type, so impls for all of them
/// can coexist (two equal ones would conflict, as `config::Standard`'s map
/// would with `BPlusTreeMap<u64, u64>`: it is that type).
#[test]
fn named_maps_are_distinct_types() {
    let ids = [
        TypeId::of::<phase::Phase0<u64, u64>>(),
        TypeId::of::<phase::Phase1<u64, u64>>(),
        TypeId::of::<phase::Phase2<u64, u64>>(),
        TypeId::of::<phase::Phase3<u64, u64>>(),
        TypeId::of::<phase::Compact<u64, u64>>(),
        TypeId::of::<BPlusTreeMap<u64, u64>>(),
    ];
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

/// The E0119 example as a user crate writes it: a local trait implemented
/// for `BTreeMap` and for every named map type. With projection aliases
/// this file would not compile.
mod coherence {
    use super::*;

    pub trait Describe {
        fn describe(&self) -> String;
    }

    impl Describe for BTreeMap<u64, u64> {
        fn describe(&self) -> String {
            format!("BTreeMap of {}", self.len())
        }
    }

    macro_rules! describe {
        ($($ty:ty => $name:literal;)*) => {$(
            impl Describe for $ty {
                fn describe(&self) -> String {
                    format!("{} of {}", $name, self.len())
                }
            }
        )*};
    }

    describe! {
        phase::Phase0<u64, u64> => "Phase0";
        phase::Phase1<u64, u64> => "Phase1";
        phase::Phase2<u64, u64> => "Phase2";
        phase::Phase3<u64, u64> => "Phase3";
        phase::Compact<u64, u64> => "Compact";
        BPlusTreeMap<u64, u64> => "Standard";
    }

    #[cfg(feature = "derive")]
    pub mod derived {
        use super::Describe;
        use bptree::{Compact16, PoolArena, TreeConfig};

        /// Distinct from every configuration above (`Compact16` handles).
        #[derive(TreeConfig)]
        #[tree(handle = Compact16, arena = PoolArena, capacity = 32, alias = Embedded)]
        pub struct EmbeddedConfig;

        impl Describe for Embedded<u64, u64> {
            fn describe(&self) -> String {
                format!("Embedded of {}", self.len())
            }
        }

        impl Describe for EmbeddedSet<u64> {
            fn describe(&self) -> String {
                format!("EmbeddedSet of {}", self.len())
            }
        }
    }

    fn filled<M: Default + Extend<(u64, u64)>>(n: u64) -> M {
        let mut m = M::default();
        m.extend((0..n).map(|i| (i, i)));
        m
    }

    #[test]
    fn each_impl_is_its_own() {
        let described = [
            filled::<BTreeMap<u64, u64>>(1).describe(),
            filled::<phase::Phase0<u64, u64>>(2).describe(),
            filled::<phase::Phase1<u64, u64>>(3).describe(),
            filled::<phase::Phase2<u64, u64>>(4).describe(),
            filled::<phase::Phase3<u64, u64>>(5).describe(),
            filled::<phase::Compact<u64, u64>>(6).describe(),
            filled::<BPlusTreeMap<u64, u64>>(7).describe(),
        ];
        assert_eq!(
            described,
            [
                "BTreeMap of 1",
                "Phase0 of 2",
                "Phase1 of 3",
                "Phase2 of 4",
                "Phase3 of 5",
                "Compact of 6",
                "Standard of 7",
            ]
        );
    }

    #[cfg(feature = "derive")]
    #[test]
    fn derived_alias_impl_is_its_own() {
        use derived::{Embedded, EmbeddedConfig, EmbeddedSet};
        assert!(same::<
            Embedded<u64, u64>,
            <EmbeddedConfig as TreeConfig>::Map<u64, u64>,
        >());
        assert!(same::<
            EmbeddedSet<u64>,
            <EmbeddedConfig as TreeConfig>::Set<u64>,
        >());
        assert_eq!(filled::<Embedded<u64, u64>>(8).describe(), "Embedded of 8");
        let set: EmbeddedSet<u64> = (0..9).collect();
        assert_eq!(set.describe(), "EmbeddedSet of 9");
    }
}
