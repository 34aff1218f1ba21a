//! The counts policy: whether branches keep, beside each child, the number
//! of entries below it. With counts, a map answers order statistics (the
//! `i`-th entry, a key's rank, the length of a range) in `O(log n)`;
//! without them a branch's child is a bare handle, exactly as before: no
//! byte and no instruction is spent on counts a configuration did not ask
//! for.

use core::marker::PhantomData;

use super::arena::{ArenaStrategy, Indirect, sealed};
use super::handle::Handle;

/// What a branch keeps beside each child handle (internal to the engine):
/// [`NoCount`], a zero-sized nothing, or a `usize` count of the entries
/// below the child.
pub trait Count: Copy + Send + Sync + 'static {
    /// Whether this policy counts (a constant: every use of it folds away).
    const ON: bool;
    /// The count `n` (ignored by [`NoCount`]).
    fn new(n: usize) -> Self;
    /// The count (0 for [`NoCount`]).
    fn get(self) -> usize;
}

/// No counts: the child handle alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoCount;

impl Count for NoCount {
    const ON: bool = false;
    #[inline(always)]
    fn new(_: usize) -> Self {
        NoCount
    }
    #[inline(always)]
    fn get(self) -> usize {
        0
    }
}

impl Count for usize {
    const ON: bool = true;
    #[inline(always)]
    fn new(n: usize) -> Self {
        n
    }
    #[inline(always)]
    fn get(self) -> usize {
        self
    }
}

/// Any arena strategy whose branches also count the entries below each
/// child: the configuration of order statistics.
///
/// A map whose arena is `Counted<A>` is `A`'s map (the same nodes, runs,
/// handles and storage) whose branches keep one `usize` per child beside
/// the child's handle. It has the whole `BTreeMap` API plus
/// [`get_index`](crate::BPlusTreeMap::get_index),
/// [`get_index_mut`](crate::BPlusTreeMap::get_index_mut),
/// [`remove_index`](crate::BPlusTreeMap::remove_index),
/// [`rank`](crate::BPlusTreeMap::rank), cursors at an index, and range
/// iterators that count, skip and report their length in `O(log n)`.
/// Branches are a small part of a tree (about one node in `CAP / 2`), so
/// the counts cost about 1% more memory at the default capacity; inserts
/// and removals add one count per level. A map whose arena is not
/// `Counted` pays nothing: its branches have no counts at all.
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
pub struct Counted<A = super::VecArena>(PhantomData<A>);

impl<A> sealed::Sealed for Counted<A> {}

impl<A: ArenaStrategy> ArenaStrategy for Counted<A> {
    type Storage = A::Storage;
    type Raw<H: Handle> = A::Raw<H>;
    type Place<T: Send + Sync> = A::Place<T>;
    type Count = usize;
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
pub trait OrderStatistics: ArenaStrategy<Count = usize> + sealed::Sealed {}

impl<A: ArenaStrategy> OrderStatistics for Counted<A> {}
impl<A: OrderStatistics> OrderStatistics for Indirect<A> {}
