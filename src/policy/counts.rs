//! The counts policy: whether branches keep, beside each child, the number
//! of entries below it. With counts, a map answers order statistics (the
//! `i`-th entry, a key's rank, the length of a range) in `O(log n)`;
//! without them a branch's child is a bare handle, exactly as before: no
//! byte and no instruction is spent on counts a configuration did not ask
//! for.

use core::marker::PhantomData;
use core::ops::Add;

use super::arena::{ArenaStrategy, Indirect, sealed};
use super::handle::Handle;

/// What a branch keeps beside each child handle (internal to the engine):
/// [`NoCount`], a zero-sized nothing, or a `u32` count of the entries
/// below the child.
///
/// A count is at most [`MAX`](Self::MAX), and so is the length of a map
/// that keeps counts: every count counts entries of the map, so no
/// count (and no sum of counts of some of a branch's children) exceeds the
/// map's length. The engine refuses the insert or build that would pass
/// it (see [`CapacityError::max_entries`](crate::CapacityError::max_entries)).
/// So counts add in their own type (`Add`) without overflow: a `u32` sum
/// folds its loads into its additions, where a sum in `usize` widens each
/// count first.
pub trait Count: Copy + Add<Output = Self> + Send + Sync + 'static {
    /// Whether this policy counts (a constant: every use of it folds away).
    const ON: bool;
    /// The most entries a map of this policy holds: the largest count
    /// (`usize::MAX`, no limit, for [`NoCount`]).
    const MAX: usize;
    /// The count `n`, at most [`MAX`](Self::MAX) (ignored by [`NoCount`]).
    fn new(n: usize) -> Self;
    /// The count (0 for [`NoCount`]).
    fn get(self) -> usize;
}

/// No counts: the child handle alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoCount;

impl Add for NoCount {
    type Output = NoCount;
    #[inline(always)]
    fn add(self, _: NoCount) -> NoCount {
        NoCount
    }
}

impl Count for NoCount {
    const ON: bool = false;
    const MAX: usize = usize::MAX;
    #[inline(always)]
    fn new(_: usize) -> Self {
        NoCount
    }
    #[inline(always)]
    fn get(self) -> usize {
        0
    }
}

/// Counts of up to `u32::MAX` entries: beside a [`Wide32`](crate::Wide32)
/// handle, an 8-byte child (a `usize` count would make it 16).
impl Count for u32 {
    const ON: bool = true;
    const MAX: usize = u32::MAX as usize;
    #[inline(always)]
    fn new(n: usize) -> Self {
        debug_assert!(
            n <= <Self as Count>::MAX,
            "bptree: a count of {n} entries overflows u32"
        );
        n as u32
    }
    #[inline(always)]
    fn get(self) -> usize {
        self as usize
    }
}

/// Any arena strategy whose branches also count the entries below each
/// child: the configuration of order statistics.
///
/// A map whose arena is `Counted<A>` is `A`'s map (the same nodes, runs,
/// handles and storage) whose branches keep one `u32` per child beside
/// the child's handle. It has the whole `BTreeMap` API plus
/// [`get_index`](crate::BPlusTreeMap::get_index),
/// [`get_index_mut`](crate::BPlusTreeMap::get_index_mut),
/// [`remove_index`](crate::BPlusTreeMap::remove_index),
/// [`rank`](crate::BPlusTreeMap::rank), cursors at an index, and range
/// iterators that count, skip and report their length in `O(log n)`.
/// Branches are a small part of a tree (about one node in `CAP / 2`), and
/// a child with its count takes 8 bytes (a bare `Wide32` handle 4), so
/// the counts cost under 1% more memory at the default capacity; inserts
/// and removals add one count per level. A map whose arena is not
/// `Counted` pays nothing: its branches have no counts at all.
///
/// Counts are `u32`s, so a counted map holds at most `u32::MAX`
/// (4,294,967,295) entries. A map that holds that many takes no new key,
/// as a [`Compact16`](crate::Compact16) tree out of handles takes none:
/// [`checked_insert`](crate::BPlusTreeMap::checked_insert) returns a
/// [`CapacityError`](crate::CapacityError) whose
/// [`max_entries`](crate::CapacityError::max_entries) names the limit,
/// `insert` panics with its message (and so do the bulk builds that would
/// pass it), deserializing returns it as an error, and the map is
/// unchanged.
///
/// `Counted` composes with every other choice: `Counted<PoolArena<Boxed>>`,
/// `Counted<Indirect<VecArena>>` (or `Indirect<Counted<VecArena>>`, the
/// same), any handle width and capacity. [`Indexed`](crate::config::Indexed)
/// is the named configuration.
///
/// ```
/// use bptree::policy::{Counted, VecArena};
/// use bptree::{BPlusTreeMap, Wide32};
///
/// let mut m: BPlusTreeMap<u32, &str, Wide32, Counted<VecArena>, 16> = BPlusTreeMap::empty();
/// for (i, w) in ["d", "a", "c", "b", "e"].into_iter().enumerate() {
///     m.insert(i as u32 * 10, w);
/// }
/// assert_eq!(m.get_index(2), Some((&20, &"c")));
/// assert_eq!(m.rank(&25), 3); // 0, 10 and 20 are below 25
/// assert_eq!(m.range(10..40).len(), 3);
/// ```
pub struct Counted<A = super::Indirect>(PhantomData<A>);

impl<A> sealed::Sealed for Counted<A> {}

impl<A: ArenaStrategy> ArenaStrategy for Counted<A> {
    type Storage = A::Storage;
    type Raw<H: Handle> = A::Raw<H>;
    type Place<T: Send + Sync> = A::Place<T>;
    type Count = u32;
    type Block<const CAP: usize> = A::Block<CAP>;
    const RUN_LEAVES: usize = A::RUN_LEAVES;
    const RUN_FIRST: usize = A::RUN_FIRST;
    const NAME: &'static str = A::NAME;
}

/// The arena strategies whose maps keep counts: [`Counted`]`<A>`, and
/// [`Indirect`] of one. The order-statistics methods
/// ([`get_index`](crate::BPlusTreeMap::get_index),
/// [`rank`](crate::BPlusTreeMap::rank), ...) exist for these only. Sealed.
///
/// ```compile_fail
/// // A map that keeps no counts has no `get_index`.
/// let m: bptree::BPlusTreeMap<u32, u32> = (0..10).map(|i| (i, i)).collect();
/// m.get_index(3);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` keeps no counts: order statistics need a `Counted` arena",
    label = "this configuration's branches keep no counts",
    note = "choose `bptree::policy::Counted<{Self}>` as the arena, or the `Indexed` configuration \
            (`bptree::phase::Indexed<K, V>`)"
)]
pub trait OrderStatistics: ArenaStrategy<Count = u32> + sealed::Sealed {}

impl<A: ArenaStrategy> OrderStatistics for Counted<A> {}
impl<A: OrderStatistics, const RUN_LEAVES: usize> OrderStatistics for Indirect<A, RUN_LEAVES> {}

/// The limit on entries, reached: `u32` counts stop at 4,294,967,295
/// entries, too many to test, so these tests give maps counts that stop at
/// a few hundred ([`UpTo`]) and drive every path that can grow a map
/// through the public API. The engine reads the limit only from
/// [`Count::MAX`], so the same code refuses at `u32::MAX`.
#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::marker::PhantomData;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::{ArenaStrategy, Count, Counted, sealed};
    use crate::policy::{Adaptive, Compact16, Handle, Indirect, PoolArena, VecArena, Wide32};
    use crate::{BPlusTreeMap, BPlusTreeSet, CapacityError};

    /// A count of at most `MAX` entries: `u32`'s, with a lower limit.
    #[derive(Clone, Copy, Debug)]
    struct Limited<const MAX: usize>(u32);

    impl<const MAX: usize> core::ops::Add for Limited<MAX> {
        type Output = Self;
        fn add(self, other: Self) -> Self {
            Self::new(self.get() + other.get())
        }
    }

    impl<const MAX: usize> Count for Limited<MAX> {
        const ON: bool = true;
        const MAX: usize = MAX;
        fn new(n: usize) -> Self {
            assert!(n <= MAX, "a count of {n} entries, past {MAX}");
            Limited(n as u32)
        }
        fn get(self) -> usize {
            self.0 as usize
        }
    }

    /// `Counted<A>` whose maps hold at most `MAX` entries.
    struct UpTo<A, const MAX: usize>(PhantomData<A>);

    impl<A, const MAX: usize> sealed::Sealed for UpTo<A, MAX> {}

    impl<A: ArenaStrategy, const MAX: usize> ArenaStrategy for UpTo<A, MAX> {
        type Storage = A::Storage;
        type Raw<H: Handle> = A::Raw<H>;
        type Place<T: Send + Sync> = A::Place<T>;
        type Count = Limited<MAX>;
        type Block<const CAP: usize> = A::Block<CAP>;
        const RUN_LEAVES: usize = A::RUN_LEAVES;
        const RUN_FIRST: usize = A::RUN_FIRST;
        const NAME: &'static str = A::NAME;
    }

    /// The limit of the maps below: several levels of branches at `CAP`
    /// 4, above the runs of every arena here (64 entries behind `Indirect`),
    /// fewer under Miri.
    const MAX: usize = if cfg!(miri) { 80 } else { 300 };
    /// [`MAX`], as a key.
    const LIMIT: u32 = MAX as u32;

    /// Whether `text` names the limit.
    fn names_limit(text: &str) -> bool {
        text.contains(&alloc::format!("at most {MAX} entries"))
    }

    type Map<H, A> = BPlusTreeMap<u32, String, H, UpTo<A, MAX>, 4>;

    /// Keys `0, 2, ..., 2 * (MAX - 1)` in a scrambled order (odd keys are
    /// absent), with their values.
    fn full<H: Handle, A: ArenaStrategy>() -> Map<H, A> {
        let mut map = Map::<H, A>::empty();
        for i in 0..LIMIT {
            let k = (i * 7919) % LIMIT * 2;
            assert_eq!(map.checked_insert(k, k.to_string()), Ok(None));
        }
        map
    }

    /// The map holds exactly what `full` put in, and is a valid tree.
    fn assert_full<H: Handle, A: ArenaStrategy>(map: &Map<H, A>) {
        map.check_invariants().unwrap();
        assert_eq!(map.len(), MAX);
        assert!(
            map.iter()
                .map(|(k, v)| (*k, v.parse().unwrap()))
                .eq((0..LIMIT).map(|i| (2 * i, 2 * i)))
        );
    }

    fn assert_limit_error(err: &CapacityError) {
        assert_eq!(err.max_entries(), Some(MAX));
        let text = err.to_string();
        assert!(names_limit(&text), "{text}");
        assert!(text.contains("Counted"), "{text}");
    }

    /// `f` panics with the limit's message.
    fn assert_panics_at_limit(f: impl FnOnce()) {
        let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("no panic at the limit");
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        assert!(
            text.contains("capacity exceeded") && names_limit(text),
            "{text}"
        );
    }

    /// A full map refuses every new key, hands it back with its value, and
    /// stays as it was; it still replaces values, and takes a new key
    /// again after a removal.
    fn refuses_past_the_limit<H: Handle, A: ArenaStrategy>() {
        let mut map = full::<H, A>();
        assert_full(&map);
        let handle_bits = map.memory_usage().handle_bits;
        for k in [1, 301, 2 * LIMIT - 1, 5_000] {
            let err = map.checked_insert(k, "new".to_string()).unwrap_err();
            assert_eq!((err.key, err.value.as_str()), (k, "new"));
            assert_limit_error(&err.error);
            assert_eq!(err.max_entries(), Some(MAX));
            assert_eq!(err.max_nodes(), H::MAX_NODES);
            assert_full(&map);
        }
        // At the limit narrow `Adaptive` handles do not widen.
        assert_eq!(map.memory_usage().handle_bits, handle_bits);
        // Replacing a value adds no entry.
        assert_eq!(
            map.checked_insert(10, "ten".to_string()),
            Ok(Some("10".to_string()))
        );
        assert_eq!(map.insert(10, "10".to_string()), Some("ten".to_string()));
        assert_full(&map);
        // Room again after a removal, and refused again once full.
        assert_eq!(map.remove(&0), Some("0".to_string()));
        assert_eq!(map.checked_insert(1, "1".to_string()), Ok(None));
        map.check_invariants().unwrap();
        assert!(map.checked_insert(3, String::new()).is_err());
        assert_eq!(map.pop_first(), Some((1, "1".to_string())));
        assert_eq!(map.insert(0, "0".to_string()), None);
        assert_full(&map);
        // A set refuses alike.
        let mut set: BPlusTreeSet<u32, H, UpTo<A, MAX>, 4> = (0..LIMIT).collect();
        let err = set.checked_insert(LIMIT).unwrap_err();
        assert_eq!(err.key, LIMIT);
        assert_limit_error(&err.error);
        assert_eq!(set.checked_insert(7), Ok(false));
        set.check_invariants().unwrap();
    }

    #[test]
    fn checked_insert_refuses_past_the_limit() {
        refuses_past_the_limit::<Wide32, VecArena>();
        refuses_past_the_limit::<Compact16, VecArena>();
        refuses_past_the_limit::<Adaptive, VecArena>();
        refuses_past_the_limit::<Wide32, PoolArena>();
        refuses_past_the_limit::<Wide32, Indirect<VecArena>>();
    }

    /// Every insert of a new key into a full map panics with the limit's
    /// message and leaves the map as it was.
    #[test]
    fn every_insert_path_panics_at_the_limit() {
        type M = Map<Wide32, VecArena>;
        let mut map: M = full();
        assert_panics_at_limit(|| drop(map.insert(1, String::new())));
        assert_full(&map);
        assert_panics_at_limit(|| {
            map.entry(3).or_insert("three".to_string());
        });
        assert_full(&map);
        assert_panics_at_limit(|| match map.entry(5) {
            crate::map::Entry::Vacant(v) => drop(v.insert_entry(String::new())),
            crate::map::Entry::Occupied(_) => unreachable!(),
        });
        assert_full(&map);
        type Insert =
            fn(&mut crate::map::CursorMut<'_, u32, String, Wide32, UpTo<VecArena, MAX>, 4>);
        let cursor_inserts: [Insert; 4] = [
            |c| c.insert_after(7, String::new()).unwrap(),
            |c| c.insert_before(7, String::new()).unwrap(),
            |c| c.insert_after_unchecked(7, String::new()),
            |c| c.insert_before_unchecked(7, String::new()),
        ];
        for insert in cursor_inserts {
            let mut cursor = map.lower_bound_mut(core::ops::Bound::Included(&7));
            assert_panics_at_limit(|| insert(&mut cursor));
            assert_full(&map);
        }
        // `extend` takes what fits: its ascending path (past the last key)
        // and its ordinary inserts.
        let mut short: M = full();
        short.pop_last();
        let last = 2 * LIMIT - 2;
        assert_panics_at_limit(|| short.extend([(last, String::new()), (last + 2, String::new())]));
        short.check_invariants().unwrap();
        assert_eq!(short.len(), MAX);
        let mut short: M = full();
        short.pop_first();
        assert_panics_at_limit(|| short.extend([(1, String::new()), (3, String::new())]));
        short.check_invariants().unwrap();
        assert_eq!(short.len(), MAX);
        // A set's inserts go through the map's.
        let mut set: BPlusTreeSet<u32, Wide32, UpTo<VecArena, MAX>, 4> = (0..LIMIT).collect();
        assert_panics_at_limit(|| {
            set.insert(LIMIT);
        });
        assert_panics_at_limit(|| {
            set.replace(LIMIT);
        });
        assert!(!set.insert(0));
        set.check_invariants().unwrap();
        assert_eq!(set.len(), MAX);
    }

    /// Bulk builds of more entries than the counts count panic as their
    /// `Compact16` counterparts do (`append` before anything moves); of
    /// exactly that many, they build.
    #[test]
    fn bulk_builds_past_the_limit_panic() {
        type M = Map<Adaptive, VecArena>;
        let entries = |n: u32| (0..n).map(|k| (k, k.to_string()));
        let at: M = entries(LIMIT).collect();
        assert_eq!(at.len(), MAX);
        at.check_invariants().unwrap();
        assert_eq!(at.clone(), at);
        assert_panics_at_limit(|| drop(entries(LIMIT + 1).collect::<M>()));
        assert_panics_at_limit(|| drop(M::from_sorted_iter(entries(LIMIT + 1))));
        // A source that understates its length (`filter`'s hint).
        assert_panics_at_limit(|| drop(M::from_sorted_iter(entries(2 * LIMIT).filter(|_| true))));
        assert_eq!(M::from_sorted_iter(entries(LIMIT)).unwrap(), at);

        // Two thirds of the limit each, one third in both: they fit.
        let mut a: M = (0..2 * LIMIT / 3).map(|k| (k, k.to_string())).collect();
        let mut b: M = (LIMIT / 3..LIMIT).map(|k| (k, k.to_string())).collect();
        a.append(&mut b);
        assert_eq!((a.len(), b.len()), (MAX, 0));
        a.check_invariants().unwrap();
        // One more does not, and neither map changes.
        let mut a: M = (0..2 * LIMIT / 3).map(|k| (k, k.to_string())).collect();
        let mut b: M = (LIMIT / 3..LIMIT + 1).map(|k| (k, k.to_string())).collect();
        assert_panics_at_limit(|| a.append(&mut b));
        a.check_invariants().unwrap();
        b.check_invariants().unwrap();
        assert!(
            a.keys().copied().eq(0..2 * LIMIT / 3) && b.keys().copied().eq(LIMIT / 3..LIMIT + 1)
        );
    }

    /// Deserializing past the limit is an error, not a panic.
    #[cfg(feature = "serde")]
    #[test]
    fn serde_past_the_limit_is_an_error() {
        let json = |n: u32| {
            serde_json::to_string(
                &(0..n)
                    .map(|k| (k, k))
                    .collect::<alloc::collections::BTreeMap<_, _>>(),
            )
            .unwrap()
        };
        type M = BPlusTreeMap<u32, u32, Wide32, UpTo<VecArena, MAX>, 4>;
        let at: M = serde_json::from_str(&json(LIMIT)).unwrap();
        assert_eq!(at.len(), MAX);
        let err = serde_json::from_str::<M>(&json(LIMIT + 1)).unwrap_err();
        assert!(names_limit(&err.to_string()), "{err}");
        let err = serde_json::from_str::<BPlusTreeSet<u32, Wide32, UpTo<VecArena, MAX>, 4>>(
            &serde_json::to_string(&(0..LIMIT + 1).collect::<Vec<_>>()).unwrap(),
        )
        .unwrap_err();
        assert!(names_limit(&err.to_string()), "{err}");
    }

    /// Deserializing an archive past the limit is an error, not a panic.
    #[cfg(feature = "rkyv")]
    #[test]
    fn rkyv_past_the_limit_is_an_error() {
        use rkyv::rancor::BoxedError as Error;
        type M = BPlusTreeMap<u32, u32, Wide32, UpTo<VecArena, MAX>, 4>;
        type S = BPlusTreeSet<u32, Wide32, UpTo<VecArena, MAX>, 4>;
        let bytes = |n: u32| {
            rkyv::to_bytes::<Error>(&(0..n).map(|k| (k, k)).collect::<BPlusTreeMap<u32, u32>>())
                .unwrap()
        };
        let at: M = rkyv::from_bytes::<M, Error>(&bytes(LIMIT)).unwrap();
        assert_eq!(at.len(), MAX);
        at.check_invariants().unwrap();
        let err = rkyv::from_bytes::<M, Error>(&bytes(LIMIT + 1)).unwrap_err();
        assert!(names_limit(&err.to_string()), "{err}");
        let set = rkyv::to_bytes::<Error>(&(0..LIMIT + 1).collect::<BPlusTreeSet<u32>>()).unwrap();
        let err = rkyv::from_bytes::<S, Error>(&set).unwrap_err();
        assert!(names_limit(&err.to_string()), "{err}");
    }

    /// The real limit: `u32` counts, 4,294,967,295 entries, named by the
    /// error; a bulk build past it is refused before it starts.
    #[test]
    fn u32_counts_hold_u32_max_entries() {
        use crate::policy::Cfg;
        use crate::raw::insert::Full;
        use crate::raw::map::RawMap;
        assert_eq!(<u32 as Count>::MAX, 4_294_967_295);
        let err = Full::Entries.error::<Wide32, u32>();
        assert_eq!(err.max_entries(), Some(4_294_967_295));
        assert_eq!(err.max_nodes(), Wide32::MAX_NODES);
        assert!(
            err.to_string().contains("at most 4294967295 entries"),
            "{err}"
        );
        assert_eq!(Full::Handles.error::<Compact16, u32>().max_entries(), None);
        type Raw = RawMap<u64, u64, Cfg<Wide32, Counted<VecArena>, 64>>;
        assert_eq!(Raw::bulk_limit(u32::MAX as usize), Ok(()));
        assert_eq!(Raw::bulk_limit(u32::MAX as usize + 1), Err(Full::Entries));
        type Plain = RawMap<u64, u64, Cfg<Wide32, VecArena, 64>>;
        assert_eq!(Plain::bulk_limit(u32::MAX as usize + 1), Ok(()));
    }

    /// A count never truncates silently.
    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "overflows u32")]
    fn a_count_past_u32_max_is_caught() {
        let _ = <u32 as Count>::new(u32::MAX as usize + 1);
    }
}
