//! Named configurations: the [`TreeConfig`] trait (documenting
//! `#[derive(TreeConfig)]`), the crate's own configurations, and running one
//! piece of generic code over a list of configurations ([`ConfigList`],
//! [`ConfigVisitor`]).
//!
//! A configuration is a marker type that names a handle width, an arena
//! strategy, a node storage policy and a capacity, checked when it is
//! declared:
//!
//! ```
//! use bptree::{Compact16, PoolArena, TreeConfig};
//!
//! #[derive(TreeConfig)]
//! #[tree(handle = Compact16, arena = PoolArena, capacity = 32)]
//! pub struct Embedded;
//!
//! let mut m: <Embedded as TreeConfig>::Map<u64, String> = Default::default();
//! m.insert(1, "one".to_string());
//! assert_eq!(m[&1], "one");
//! assert_eq!(Embedded::NAME, "Embedded");
//! assert_eq!(Embedded::DESCRIPTION, "Compact16 handles, PoolArena, 32 entries per node");
//! ```
//!
//! # The crate's configurations
//!
//! Declared in this module (by hand, so that the crate builds without the
//! `derive` feature). Their maps have plain names in [`phase`](crate::phase):
//! [`phase::Phase0`](crate::phase::Phase0) to
//! [`phase::Phase3`](crate::phase::Phase3) and
//! [`phase::Compact`](crate::phase::Compact) are aliases of the same
//! concrete types, and the map of [`Standard`] is `BPlusTreeMap<K, V>`.
//!
//! | configuration | handles | arena | node storage | capacity | for |
//! |---|---|---|---|---|---|
//! | [`Phase0`] | [`Wide32`] | [`MaskedArena`] | [`Growing`] | 64 | the baseline |
//! | [`Phase1`] | [`Wide32`] | [`VecArena`] | [`Growing`] | 64 | phase 1 |
//! | [`Phase2`] | [`Wide32`] | [`VecArena`] | [`Boxed`] | 64 | phase 2 |
//! | [`Phase3`] | [`Adaptive`] | [`PoolArena`] | [`Inline`] | 64 | phase 3 |
//! | [`Compact`] | [`Adaptive`] | [`Indirect`]`<`[`VecArena`]`, 16>` | [`Boxed`] | 128 | least memory |
//! | [`Standard`] | [`Wide32`] | [`Indirect`]`<`[`VecArena`]`>` | [`Inline`] | 64 | the default: `BPlusTreeMap<K, V>` |
//! | [`Indexed`] | [`Wide32`] | [`Counted`]`<`[`Indirect`]`<`[`VecArena`]`>>` | [`Inline`] | 64 | order statistics: `get_index`, `rank` |
//! | [`Prefixed`] | [`Wide32`] | [`Prefixed`](crate::policy::Prefixed)`<`[`Indirect`]`<`[`VecArena`]`>>` | [`Inline`] | 64 | `String` and other byte-string keys |
//!
//! [`All`] lists them all and [`Phases`] the four phases, for
//! [`ConfigList::for_each`].
//!
//! # Running code over configurations
//!
//! Stable Rust cannot pass `C::CAPACITY` as a const generic argument inside
//! a function generic over `C: TreeConfig` (`BPlusTreeMap<K, V, C::Handle,
//! C::Arena, { C::CAPACITY }>` needs `generic_const_exprs`), and inside such
//! a function `C::Map<K, V>` is an opaque type. So generic code is written
//! as a [`ConfigVisitor`], whose `visit` receives the configuration *and* its
//! capacity as a const parameter; a [`ConfigList`] (a configuration, or a
//! tuple of lists) calls it once per configuration:
//!
//! ```
//! use bptree::config::{self, ConfigList, ConfigVisitor};
//! use bptree::{BPlusTreeMap, TreeConfig};
//!
//! /// Stack size and height of a 10,000-entry map, per configuration.
//! struct Shape(Vec<(&'static str, usize, usize)>);
//!
//! impl ConfigVisitor for Shape {
//!     fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
//!         let m: BPlusTreeMap<u32, u32, C::Handle, C::Arena, CAP> = (0..10_000).map(|i| (i, i)).collect();
//!         self.0.push((C::NAME, size_of_val(&m), m.height()));
//!     }
//! }
//!
//! let mut shape = Shape(Vec::new());
//! config::All::for_each(&mut shape);
//! let names: Vec<_> = shape.0.iter().map(|s| s.0).collect();
//! assert_eq!(names, ["Phase0", "Phase1", "Phase2", "Phase3", "Compact", "Standard", "Indexed", "Prefixed"]);
//! ```
//!
//! # Why capacity is a const generic, not a typenum
//!
//! Capacity reaches node arrays as a bare `const CAP: usize` (stable Rust
//! rejects `[K; C::CAP]`, and a branch's `CAP + 1` children are `CAP`
//! children plus one field), its bounds are checked by `const` assertions
//! and, for a derived configuration, by the derive with an error at the
//! attribute. Nothing else needs arithmetic or comparison in the type
//! system: the handle width bounds how many nodes a tree may have (a
//! runtime limit that `checked_insert` reports), not how many entries a
//! node holds (node lengths are `u16` for both widths), so there is no
//! relation between capacity and handle width to state in bounds. Where a
//! const generic does fall short, a capacity named by an associated const
//! in generic code, a typenum would not help either (the map takes a
//! `const CAP: usize`, and `U32::USIZE` is an associated const too); the
//! visitor passes the capacity as a const parameter instead. typenum would
//! only turn `BPlusTreeMap<K, V, Compact16, PoolArena, 32>` into `U32` types
//! in every signature and error message.

#![forbid(unsafe_code)]

#[cfg(doc)]
use crate::Compact16;
use crate::policy::{ArenaStrategy, Boxed, Growing, Handle, MaskedArena, Storage};
use crate::policy::{Counted, Indirect};
#[cfg(doc)]
use crate::policy::{Inline, MAX_CAP, MIN_CAP};
use crate::{Adaptive, PoolArena, VecArena, Wide32};

/// A named configuration: a handle width, an arena strategy, a node storage
/// policy and a capacity, with the map and set types they make.
///
/// Declare one with `#[derive(TreeConfig)]` (feature `derive`, on by
/// default) on a marker type and a `#[tree(..)]` attribute:
///
/// ```
/// use bptree::{Compact16, PoolArena, TreeConfig};
///
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, arena = PoolArena, capacity = 32)]
/// pub struct Embedded;
///
/// let mut m: <Embedded as TreeConfig>::Map<u64, String> = Default::default();
/// m.insert(7, "seven".to_string());
/// let mut s: <Embedded as TreeConfig>::Set<u64> = Default::default();
/// s.insert(7);
/// assert_eq!(m.keys().collect::<Vec<_>>(), s.iter().collect::<Vec<_>>());
/// ```
///
/// # The `#[tree(..)]` keys
///
/// | key | takes | default |
/// |---|---|---|
/// | `capacity` | entries per node: a `usize` constant, [`MIN_CAP`] (4) to [`MAX_CAP`] (4096) | required |
/// | `handle` | [`Compact16`], [`Wide32`] or [`Adaptive`] | [`Wide32`] |
/// | `arena` | [`VecArena`], [`PoolArena`] or [`MaskedArena`], optionally with its storage (`PoolArena<Boxed>`), and wrapped in [`Indirect`] or [`Counted`] | [`Indirect`]`<`[`VecArena`]`>`, the map's default |
/// | `storage` | [`Inline`], [`Boxed`] or [`Growing`] | [`Inline`] |
/// | `counts` | a flag: `counts` (or `counts = true`) wraps the arena in [`Counted`] | off (`counts = false`) |
/// | `alias` | an identifier: declares `Name<K, V>` (the map) and `NameSet<T>` (the set) | none |
/// | `name` | a string: [`NAME`](Self::NAME) | the type's name |
/// | `description` | a string: [`DESCRIPTION`](Self::DESCRIPTION) | the doc comment's first paragraph, else generated |
/// | `crate` | the path to bptree | `::bptree` |
///
/// Keys may come in any order and be split over several `#[tree]`
/// attributes, each at most once. Types may be written with any path
/// (`bptree::policy::Boxed`); they are checked by the compiler against
/// [`Handle`], [`ArenaStrategy`] and [`Storage`], with the error at the
/// attribute.
///
/// **`capacity`** (required): a literal or any constant expression.
/// A literal outside [`MIN_CAP`]`..=`[`MAX_CAP`] is an error at the literal;
/// another expression is checked by a `const` assertion, also reported at
/// the attribute. The handle width puts no further bound on the capacity: it
/// limits how many nodes a tree can have (65,535 leaves and 65,535 branches
/// for [`Compact16`]; past that `checked_insert` returns an error, and an
/// [`Adaptive`] tree moves to 32-bit handles), not how many entries a node
/// holds.
///
/// ```
/// use bptree::TreeConfig;
///
/// const PAGE: usize = 4096 / 16;
///
/// #[derive(TreeConfig)]
/// #[tree(capacity = PAGE)]
/// struct Paged;
///
/// assert_eq!(Paged::CAPACITY, 256);
/// ```
///
/// **`handle`**, **`arena`**, **`storage`**: the policies; the storage is the
/// arena's type parameter, given either way (not both). With a wrapper
/// arena (`Indirect`, `Counted`) the storage goes to the arena it wraps:
/// `arena = Indirect, storage = Boxed` is `Indirect<VecArena<Boxed>>`,
/// `arena = Counted, storage = Boxed` is `Counted<Indirect<VecArena<Boxed>>>`.
///
/// ```
/// use bptree::policy::{Boxed, MaskedArena, PoolArena};
/// use bptree::{Compact16, TreeConfig};
///
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, arena = PoolArena, storage = Boxed, capacity = 64)]
/// struct A;
///
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, arena = PoolArena<Boxed>, capacity = 64)]
/// struct B;
///
/// // Without `arena`, `storage` applies to the default arena:
/// // `Indirect<VecArena<Boxed>>`.
/// #[derive(TreeConfig)]
/// #[tree(storage = Boxed, capacity = 64)]
/// struct C;
///
/// assert_eq!(size_of::<<A as TreeConfig>::Map<u8, u8>>(), size_of::<<B as TreeConfig>::Map<u8, u8>>());
/// assert_eq!(<C as TreeConfig>::Storage::NAME, "boxed");
/// # use bptree::policy::Storage;
/// ```
///
/// **`counts`**: order statistics. The flag wraps the arena, after its
/// storage is applied, in [`Counted`]: `arena = PoolArena<Boxed>, counts`
/// (or `arena = PoolArena, storage = Boxed, counts`) makes
/// `Counted<PoolArena<Boxed>>`, and `arena = Indirect<VecArena<Boxed>>,
/// counts` makes `Counted<Indirect<VecArena<Boxed>>>` (the same tree as
/// `Indirect<Counted<..>>`). Branches then count the entries below each
/// child, and the map and set get
/// [`get_index`](crate::BPlusTreeMap::get_index),
/// [`rank`](crate::BPlusTreeMap::rank),
/// [`remove_index`](crate::BPlusTreeMap::remove_index) and range lengths
/// in `O(log n)` (see [`OrderStatistics`](crate::policy::OrderStatistics));
/// without it they have none and pay nothing. An arena already written
/// `Counted<..>` takes no `counts` (an error: counts given twice). The
/// generated description names the wrapped arena:
///
/// ```
/// use bptree::{Compact16, PoolArena, TreeConfig};
/// use bptree::policy::{Boxed, Counted};
///
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, arena = PoolArena<Boxed>, counts, capacity = 32, alias = Ranked)]
/// struct RankedConfig;
///
/// let mut m: Ranked<u32, &str> = Ranked::empty();
/// for (k, v) in [(30, "c"), (10, "a"), (40, "d"), (20, "b")] {
///     m.insert(k, v);
/// }
/// assert_eq!(m.get_index(1), Some((&20, &"b")));
/// assert_eq!(m.rank(&25), 2); // 10 and 20 are below 25
/// assert_eq!(m.range(15..35).len(), 2);
///
/// use std::any::TypeId;
/// assert_eq!(TypeId::of::<<RankedConfig as TreeConfig>::Arena>(), TypeId::of::<Counted<PoolArena<Boxed>>>());
/// assert_eq!(RankedConfig::DESCRIPTION, "Compact16 handles, Counted<PoolArena<Boxed>>, 32 entries per node");
/// ```
///
/// Without `counts` the map keeps no counts and has no `get_index`:
///
/// ```compile_fail,E0599
/// use bptree::TreeConfig;
///
/// #[derive(TreeConfig)]
/// #[tree(capacity = 32, alias = Plain)]
/// struct PlainConfig;
///
/// let m: Plain<u32, u32> = (0..10).map(|i| (i, i)).collect();
/// m.get_index(3); // error: no `get_index`, `VecArena` keeps no counts
/// ```
///
/// **`alias`**: type aliases for the map and the set, with the marker's
/// visibility. They name the concrete types (`type Tiny<K, V> =
/// BPlusTreeMap<K, V, Compact16, VecArena, 16>`), not the projection
/// `<TinyConfig as TreeConfig>::Map<K, V>`, so a trait can be implemented
/// for them beside other maps (the compiler cannot tell a projection apart
/// from, say, `BTreeMap<K, V>` and would report conflicting impls):
///
/// ```
/// use bptree::{Compact16, TreeConfig};
///
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, capacity = 16, alias = Tiny)]
/// pub struct TinyConfig;
///
/// let mut m: Tiny<&str, u32> = Tiny::empty();
/// m.insert("a", 1);
/// let s: TinySet<&str> = m.keys().copied().collect();
/// assert!(s.contains("a"));
///
/// trait Describe {}
/// impl Describe for std::collections::BTreeMap<u64, u64> {}
/// impl Describe for Tiny<u64, u64> {}
/// ```
///
/// **`name`** and **`description`**: what reports print. The description
/// is, in order of preference, the `description` key, the first paragraph of
/// the marker's doc comment (joined into one line), or generated from the
/// attribute:
///
/// ```
/// use bptree::{Compact16, TreeConfig};
///
/// /// Sixteen-bit handles for
/// /// small trees.
/// ///
/// /// More text that reports leave out.
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, capacity = 16)]
/// struct Documented;
///
/// #[derive(TreeConfig)]
/// #[tree(capacity = 16, name = "sixteen", description = "the default policies at capacity 16")]
/// struct Named;
///
/// #[derive(TreeConfig)]
/// #[tree(handle = Compact16, arena = bptree::policy::PoolArena<bptree::policy::Boxed>, capacity = 16)]
/// struct Generated;
///
/// assert_eq!(Documented::NAME, "Documented");
/// assert_eq!(Documented::DESCRIPTION, "Sixteen-bit handles for small trees.");
/// assert_eq!(Named::NAME, "sixteen");
/// assert_eq!(Named::DESCRIPTION, "the default policies at capacity 16");
/// assert_eq!(Generated::DESCRIPTION, "Compact16 handles, PoolArena<Boxed>, 16 entries per node");
/// ```
///
/// **`crate`**: where the generated code finds bptree, for a crate that
/// reaches it through a re-export (as in `#[serde(crate = ..)]` and
/// `#[rkyv(crate = ..)]`):
///
/// ```
/// mod reexports {
///     pub use bptree as tree;
/// }
///
/// #[derive(bptree::TreeConfig)]
/// #[tree(crate = reexports::tree, capacity = 8)]
/// struct Eight;
///
/// assert_eq!(<Eight as bptree::TreeConfig>::CAPACITY, 8);
/// ```
///
/// # Errors
///
/// Every mistake is a compile error at the attribute that says what is
/// allowed: an unknown key, a key given twice, a missing `capacity`, a
/// capacity out of range, a value of the wrong kind (`counts = 3`), a type
/// that is not a policy, a storage given twice, counts given twice, or a
/// generic marker type.
///
/// ```compile_fail
/// #[derive(bptree::TreeConfig)]
/// #[tree(handle = bptree::Compact16)] // error: missing `capacity`
/// struct NoCapacity;
/// ```
///
/// ```compile_fail
/// #[derive(bptree::TreeConfig)]
/// #[tree(capacity = 2)] // error: capacity 2 is below the minimum, 4
/// struct TooSmall;
/// ```
///
/// A type that is not a policy is the compiler's own error, at the type in
/// the attribute ("the trait bound `u16: Handle` is not satisfied"),
/// followed by the types that are:
///
/// ```compile_fail,E0277
/// #[derive(bptree::TreeConfig)]
/// #[tree(handle = u16, capacity = 32)]
/// struct NotAHandle;
/// ```
///
/// ```compile_fail,E0277
/// #[derive(bptree::TreeConfig)]
/// #[tree(arena = Vec<u8>, capacity = 32)]
/// struct NotAnArena;
/// ```
///
/// ```compile_fail,E0277
/// #[derive(bptree::TreeConfig)]
/// #[tree(storage = Box<u8>, capacity = 32)]
/// struct NotAStorage;
/// ```
///
/// # Implementing by hand
///
/// Derive it. A hand-written impl must name `BPlusTreeMap<K, V,
/// Self::Handle, Self::Arena, CAPACITY>` as `Map` (and likewise `Set`) and
/// have [`visit`](Self::visit) call `visitor.visit::<Self, CAPACITY>()`
/// with the capacity as a literal or constant.
pub trait TreeConfig: Sized + 'static {
    /// The node handle width: [`Compact16`] or [`Wide32`].
    type Handle: Handle;
    /// The arena strategy, whose type parameter is [`Storage`](Self::Storage).
    type Arena: ArenaStrategy<Storage = Self::Storage>;
    /// The node storage policy: [`Inline`], [`Boxed`] or [`Growing`].
    type Storage: Storage;
    /// Entries per node (keys per branch): [`MIN_CAP`]`..=`[`MAX_CAP`].
    const CAPACITY: usize;
    /// The name used in reports: the marker type's name unless renamed.
    const NAME: &'static str;
    /// One line saying what the configuration is, for reports.
    const DESCRIPTION: &'static str;

    /// The ordered map of this configuration:
    /// `BPlusTreeMap<K, V, Self::Handle, Self::Arena, CAPACITY>`.
    type Map<K: Ord, V>;
    /// The ordered set of this configuration:
    /// `BPlusTreeSet<T, Self::Handle, Self::Arena, CAPACITY>`.
    type Set<T: Ord>;

    /// Calls `visitor.visit::<Self, CAPACITY>()`: runs generic code on this
    /// configuration (see [`ConfigVisitor`]; to run it on several, use a
    /// [`ConfigList`]).
    ///
    /// ```
    /// use bptree::config::{ConfigVisitor, Phase3};
    /// use bptree::TreeConfig;
    ///
    /// struct Capacity(usize);
    /// impl ConfigVisitor for Capacity {
    ///     fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
    ///         self.0 = CAP;
    ///     }
    /// }
    /// let mut cap = Capacity(0);
    /// Phase3::visit(&mut cap);
    /// assert_eq!(cap.0, Phase3::CAPACITY);
    /// ```
    fn visit<V: ConfigVisitor + ?Sized>(visitor: &mut V);
}

/// Generic code to run on configurations: the body of a loop over a
/// [`ConfigList`].
///
/// `visit::<C, CAP>` is called with `CAP == C::CAPACITY`, so that the body
/// can name the map as `BPlusTreeMap<K, V, C::Handle, C::Arena, CAP>` and
/// the set as `BPlusTreeSet<T, C::Handle, C::Arena, CAP>` and use their
/// whole API; [`C::NAME`](TreeConfig::NAME) and
/// [`C::DESCRIPTION`](TreeConfig::DESCRIPTION) label the results.
///
/// ```
/// use std::collections::BTreeMap;
/// use bptree::config::{self, ConfigList, ConfigVisitor};
/// use bptree::{BPlusTreeMap, TreeConfig};
///
/// /// Checks every configuration against `BTreeMap` on the same inserts
/// /// and removes.
/// struct SameAsBTreeMap {
///     checked: Vec<&'static str>,
/// }
///
/// impl ConfigVisitor for SameAsBTreeMap {
///     fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
///         let mut ours: BPlusTreeMap<u32, u32, C::Handle, C::Arena, CAP> = BPlusTreeMap::empty();
///         let mut std = BTreeMap::new();
///         for i in 0..2000u32 {
///             let k = i.wrapping_mul(2_654_435_761) % 500;
///             assert_eq!(ours.insert(k, i), std.insert(k, i));
///             if i % 3 == 0 {
///                 assert_eq!(ours.remove(&(k / 2)), std.remove(&(k / 2)));
///             }
///         }
///         ours.check_invariants().unwrap();
///         assert!(ours.iter().eq(std.iter()), "{}", C::NAME);
///         self.checked.push(C::NAME);
///     }
/// }
///
/// let mut check = SameAsBTreeMap { checked: Vec::new() };
/// config::Phases::for_each(&mut check);
/// assert_eq!(check.checked, ["Phase0", "Phase1", "Phase2", "Phase3"]);
/// ```
pub trait ConfigVisitor {
    /// Runs on configuration `C`, whose capacity is `CAP`.
    fn visit<C: TreeConfig, const CAP: usize>(&mut self);
}

/// A list of configurations: one [`TreeConfig`], or a tuple of lists (up to
/// twelve, nested as deep as you like), visited in order.
///
/// ```
/// use bptree::config::{Compact, ConfigList, ConfigVisitor, Phase0, Phases, Standard};
/// use bptree::TreeConfig;
///
/// struct Names(Vec<&'static str>);
/// impl ConfigVisitor for Names {
///     fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
///         self.0.push(C::NAME);
///     }
/// }
///
/// let mut names = Names(Vec::new());
/// <(Standard, (Compact, Phase0), Phases)>::for_each(&mut names);
/// assert_eq!(names.0, ["Standard", "Compact", "Phase0", "Phase0", "Phase1", "Phase2", "Phase3"]);
/// assert_eq!(<(Standard, Phases)>::LEN, 5);
/// ```
pub trait ConfigList {
    /// How many configurations the list holds.
    const LEN: usize;
    /// Calls `visitor` on each configuration of the list, in order.
    fn for_each<V: ConfigVisitor + ?Sized>(visitor: &mut V);
}

impl<C: TreeConfig> ConfigList for C {
    const LEN: usize = 1;
    fn for_each<V: ConfigVisitor + ?Sized>(visitor: &mut V) {
        C::visit(visitor);
    }
}

macro_rules! tuple_lists {
    ($($name:ident)*) => {
        impl<$($name: ConfigList),*> ConfigList for ($($name,)*) {
            const LEN: usize = 0 $(+ $name::LEN)*;
            #[allow(unused_variables)] // by the empty list
            fn for_each<V: ConfigVisitor + ?Sized>(visitor: &mut V) {
                $($name::for_each(visitor);)*
            }
        }
    };
}

tuple_lists!();
tuple_lists!(A);
tuple_lists!(A B);
tuple_lists!(A B C);
tuple_lists!(A B C D);
tuple_lists!(A B C D E);
tuple_lists!(A B C D E F);
tuple_lists!(A B C D E F G);
tuple_lists!(A B C D E F G H);
tuple_lists!(A B C D E F G H I);
tuple_lists!(A B C D E F G H I J);
tuple_lists!(A B C D E F G H I J K);
tuple_lists!(A B C D E F G H I J K L);

/// Entries per node of the four phases: the default capacity, so that the
/// phases differ only in layout. (`phase::Phase0..Phase3` write it out as
/// `64`; `tests/aliases.rs` checks they agree.)
const PHASE_CAP: usize = 64;

/// Declares one of the crate's own configurations with the impl
/// `#[derive(TreeConfig)]` would write, so that the crate builds without the
/// optional `derive` feature (and its proc-macro dependencies). `summary` is
/// the doc comment's first paragraph and the
/// [`DESCRIPTION`](TreeConfig::DESCRIPTION), as the derive takes it.
macro_rules! configuration {
    (
        summary = $summary:literal;
        $(#[$attr:meta])*
        $name:ident: handle = $handle:ty, arena = $arena:ty, capacity = $cap:expr;
    ) => {
        #[doc = $summary]
        #[doc = ""]
        $(#[$attr])*
        pub struct $name;

        impl TreeConfig for $name {
            type Handle = $handle;
            type Arena = $arena;
            type Storage = <$arena as ArenaStrategy>::Storage;
            const CAPACITY: usize = $cap;
            const NAME: &'static str = stringify!($name);
            const DESCRIPTION: &'static str = $summary;
            type Map<K: Ord, V> = crate::BPlusTreeMap<K, V, $handle, $arena, { $cap }>;
            type Set<T: Ord> = crate::BPlusTreeSet<T, $handle, $arena, { $cap }>;

            fn visit<Vis: ConfigVisitor + ?Sized>(visitor: &mut Vis) {
                visitor.visit::<Self, { $cap }>();
            }
        }
    };
}

configuration! {
    summary = "The baseline (phase 0): 32-bit handles, masked arena, growing vectors.";
    /// A masked arena (a `Vec` of slots, a `Vec<usize>` free list, a
    /// `Vec<bool>` mask and a generation) and a `Vec` per node array.
    Phase0: handle = Wide32, arena = MaskedArena<Growing>, capacity = PHASE_CAP;
}

configuration! {
    summary = "Phase 1: packed handles, free-list arena, growing vectors.";
    /// Handles without a leaf flag, the free list threaded through free slots,
    /// no per-node capacity field.
    Phase1: handle = Wide32, arena = VecArena<Growing>, capacity = PHASE_CAP;
}

configuration! {
    summary = "Phase 2: phase 1 with fixed, exactly-sized boxed node arrays.";
    Phase2: handle = Wide32, arena = VecArena<Boxed>, capacity = PHASE_CAP;
}

configuration! {
    summary = "Phase 3: phase 2 with 16-bit handles and the pool arena.";
    /// [`Adaptive`] handles are 16 bits while the tree fits them and move to 32
    /// bits when it outgrows them, so the tree has no size limit and the map
    /// stays 64 bytes (an enum of a 16-bit and a 32-bit handle would make every
    /// handle wider than either). The pool holds the nodes themselves, arrays
    /// inline: one allocation per 64 nodes; with boxed arrays every node would
    /// still make two allocations of its own and the pool could not cut them.
    Phase3: handle = Adaptive, arena = PoolArena, capacity = PHASE_CAP;
}

configuration! {
    summary = "Least memory: the tree's state behind one pointer ([`Indirect`]), boxed \
               node arrays of 128 entries in a vector arena, [`Adaptive`] handles.";
    /// The map is 24 bytes, as `BTreeMap`; empty, it allocates nothing; up to
    /// 2,048 entries it is one sorted run; beyond, leaves hold a key array and a
    /// value array of exactly 128 entries each, behind 24-byte arena slots
    /// (16-bit handles), and two full leaves split into three. Past 65,535
    /// leaves (about seven million random entries) the tree moves to 32-bit
    /// handles and goes on growing. It never uses more bytes than `BTreeMap`
    /// (tested up to 10⁴ entries in random, ascending and bulk order; the
    /// memory report shows 10⁵ and 10⁶).
    ///
    /// The price is speed where the run is long: an insert into a run of `n`
    /// entries moves `n / 2` of them on average, so building a map of 2,048
    /// entries one insert at a time costs a few times what `BTreeMap` takes.
    /// Lookups in a run are a binary search, as in a leaf.
    Compact: handle = Adaptive, arena = Indirect<VecArena<Boxed>, 16>, capacity = 128;
}

configuration! {
    summary = "The default configuration: 32-bit handles, inline node arrays, vector arena, \
               the tree behind one pointer.";
    /// The one `BPlusTreeMap<K, V>` and `BPlusTreeSet<T>` name with their
    /// default parameters; best all-round: inline arrays keep a node's keys
    /// next to each other, 64 entries per node keep the tree shallow, and
    /// the tree's state behind one pointer ([`Indirect`]) makes the map 16
    /// bytes, so many small maps side by side stay close together.
    Standard: handle = Wide32, arena = Indirect<VecArena>, capacity = 64;
}

configuration! {
    summary = "Order statistics: the default configuration whose branches also count the \
               entries below each child ([`Counted`]).";
    /// [`Standard`]'s handles, arena, storage and capacity, with counts: the
    /// map has the whole std API plus
    /// [`get_index`](crate::BPlusTreeMap::get_index),
    /// [`get_index_mut`](crate::BPlusTreeMap::get_index_mut),
    /// [`remove_index`](crate::BPlusTreeMap::remove_index),
    /// [`rank`](crate::BPlusTreeMap::rank), cursors at an index, and range
    /// iterators that count, skip and report their length in `O(log n)`.
    /// Counts cost one `u32` per branch child (under 1% more memory) and
    /// one addition per level on each insert and removal; lookups and
    /// iteration read no count. The map holds at most `u32::MAX` entries
    /// (see [`Counted`]).
    Indexed: handle = Wide32, arena = Counted<Indirect<VecArena>>, capacity = 64;
}

configuration! {
    summary = "Byte-string keys: the default configuration whose nodes keep each key's \
               next 8 bytes beside it ([`Prefixed`](crate::policy::Prefixed)).";
    /// [`Standard`]'s handles, arena, storage and capacity; for `String`,
    /// `&str`, `Vec<u8>` and other byte-string keys, each node also keeps
    /// the bytes its keys share and 8 bytes of each key past them, so a
    /// lookup compares integers in the node and reads a key's bytes on the
    /// heap only where their 8 bytes tie with the query's: about one key
    /// per lookup, where a binary search over whole keys reads one per
    /// probe. Costs 10 bytes per slot and 40 per node; keys of other types
    /// are searched as in [`Standard`] and pay the memory for nothing.
    Prefixed: handle = Wide32, arena = crate::policy::Prefixed<Indirect<VecArena>>, capacity = 64;
}

/// The four phases, in order.
pub type Phases = (Phase0, Phase1, Phase2, Phase3);

/// Every configuration this crate names, in the order reports print them:
/// the phases, then [`Compact`], [`Standard`], [`Indexed`] and [`Prefixed`].
pub type All = (Phases, Compact, Standard, Indexed, Prefixed);
