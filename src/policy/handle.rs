//! Node handles: the width of the integers that name nodes inside an arena.
//!
//! A handle is an index into one arena (leaves and branches live in separate
//! arenas, so the same number may name one of each). The all-ones value is
//! reserved as `NIL`. Leaves and branches are told apart by their depth in
//! the tree, never by a flag bit, so every other value is a usable index.
//!
//! A handle *policy* is one of three types: [`Compact16`] and [`Wide32`] are
//! fixed widths, and [`Adaptive`] gives a map 16-bit handles while its tree
//! fits them and 32-bit ones once it outgrows them. A policy names the
//! widths its trees use ([`Handle::Narrow`], [`Handle::Wide`]); the engine's
//! positions and paths carry the policy's own handle type, which can name a
//! node of either tree.

#![forbid(unsafe_code)]

use alloc::boxed::Box;
use core::convert::Infallible;
use core::fmt;
use core::hash::Hash;

use super::Place;

mod sealed {
    pub trait Sealed {}
}

/// A handle policy: [`Compact16`], [`Wide32`] or [`Adaptive`].
///
/// This trait is sealed: the tree relies on `index`/`from_index` being exact
/// inverses, so only the handle types of this crate implement it. Its
/// methods convert between handles and arena indices; none of them reaches
/// a node.
pub trait Handle:
    sealed::Sealed + Copy + Eq + Ord + Hash + fmt::Debug + Send + Sync + 'static
{
    /// The reserved value that names no node.
    const NIL: Self;
    /// How many nodes of one kind a tree with this handle width can hold:
    /// every value but `NIL`.
    const MAX_NODES: usize;
    /// The name used in reports and error messages.
    const NAME: &'static str;
    /// Whether a map's tree moves from [`Narrow`](Self::Narrow) to
    /// [`Wide`](Self::Wide) handles when it outgrows the narrow ones (and
    /// back when it shrinks): true only for [`Adaptive`].
    #[doc(hidden)]
    const WIDENS: bool;

    /// The handles of the tree a map builds: `Self` for a fixed width,
    /// [`Compact16`] for [`Adaptive`].
    #[doc(hidden)]
    type Narrow: Handle;
    /// The handles a tree moves to when it outgrows `Narrow`'s: `Self` for
    /// a fixed width (its trees never move), [`Wide32`] for [`Adaptive`].
    #[doc(hidden)]
    type Wide: Handle;
    /// Where a map keeps a tree with `Wide` handles: behind a `Box` for
    /// [`Adaptive`] (a tree that large is megabytes; the map stays as small
    /// as with narrow handles), and nowhere for a fixed width
    /// (`Infallible`: no such tree exists, and the map spends no byte on it).
    #[doc(hidden)]
    type WidePlace<T: Send + Sync>: Place<T>;

    /// The handle for arena index `index`, or `None` if the index is not
    /// representable (it is `NIL` or larger).
    #[doc(hidden)]
    fn from_index(index: usize) -> Option<Self>;

    /// The arena index this handle names.
    #[doc(hidden)]
    fn index(self) -> usize;

    /// Whether this is the reserved `NIL` handle.
    #[inline]
    fn is_nil(self) -> bool {
        self == Self::NIL
    }

    /// This handle as a 32-bit value, `NIL` as `u32::MAX`.
    #[doc(hidden)]
    fn to_u32(self) -> u32;

    /// The handle whose [`to_u32`](Self::to_u32) is `raw`. For a handle
    /// narrower than 32 bits, `raw` must be one of its values or
    /// `u32::MAX`.
    #[doc(hidden)]
    fn from_u32(raw: u32) -> Self;

    /// The same node (or `NIL`) as a handle of width `G`; the index must
    /// fit `G`. Free when `G` is `Self`.
    #[doc(hidden)]
    #[inline]
    fn cast<G: Handle>(self) -> G {
        G::from_u32(self.to_u32())
    }
}

macro_rules! handle_type {
    ($(#[$doc:meta])* $name:ident, $raw:ty, widens: $widens:expr, $narrow:ty, $wide:ty, $place:ty) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($raw);

        impl sealed::Sealed for $name {}

        impl Handle for $name {
            const NIL: Self = $name(<$raw>::MAX);
            const MAX_NODES: usize = <$raw>::MAX as usize;
            const NAME: &'static str = stringify!($name);
            const WIDENS: bool = $widens;
            type Narrow = $narrow;
            type Wide = $wide;
            type WidePlace<T: Send + Sync> = $place;

            #[inline]
            fn from_index(index: usize) -> Option<Self> {
                if index < Self::MAX_NODES {
                    // The check above makes the cast lossless.
                    Some($name(index as $raw))
                } else {
                    None
                }
            }

            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }

            #[inline]
            fn to_u32(self) -> u32 {
                if self.is_nil() {
                    u32::MAX
                } else {
                    u32::from(self.0)
                }
            }

            #[inline]
            fn from_u32(raw: u32) -> Self {
                debug_assert!(raw == u32::MAX || (raw as usize) < Self::MAX_NODES);
                // Truncation keeps a narrow handle's value and maps
                // `u32::MAX` to the narrow `NIL` (all ones).
                $name(raw as $raw)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if self.is_nil() {
                    f.write_str("NIL")
                } else {
                    write!(f, "#{}", self.0)
                }
            }
        }
    };
}

handle_type!(
    /// 16-bit node handles: at most 65,535 leaves and 65,535 branches.
    ///
    /// Halves the size of every child pointer and leaf link, so branches fan
    /// out wider for the same bytes. A tree that would need a 65,536th node
    /// refuses the insert: [`BPlusTreeMap::checked_insert`] returns a
    /// [`CapacityError`] and leaves the tree as it was, and
    /// [`BPlusTreeMap::insert`] panics with that message. [`Adaptive`]
    /// handles are 16-bit too, but move to 32 bits instead of refusing.
    ///
    /// ```
    /// use bptree::{BPlusTreeMap, Compact16, PoolArena};
    /// let mut m: BPlusTreeMap<u32, u32, Compact16, PoolArena, 32> = BPlusTreeMap::empty();
    /// m.insert(1, 10);
    /// assert_eq!(m.get(&1), Some(&10));
    /// ```
    ///
    /// [`BPlusTreeMap::checked_insert`]: crate::BPlusTreeMap::checked_insert
    /// [`BPlusTreeMap::insert`]: crate::BPlusTreeMap::insert
    /// [`CapacityError`]: crate::CapacityError
    Compact16,
    u16,
    widens: false,
    Compact16,
    Compact16,
    Infallible
);

handle_type!(
    /// 32-bit node handles: at most 4,294,967,295 nodes of each kind, which
    /// no tree that fits in memory reaches. The default.
    ///
    /// ```
    /// use bptree::{BPlusTreeMap, Wide32, VecArena};
    /// let mut m: BPlusTreeMap<u32, u32, Wide32, VecArena, 64> = BPlusTreeMap::empty();
    /// m.insert(1, 10);
    /// assert_eq!(m.len(), 1);
    /// ```
    Wide32,
    u32,
    widens: false,
    Wide32,
    Wide32,
    Infallible
);

handle_type!(
    /// 16-bit node handles while the tree fits them, 32-bit ones once it
    /// outgrows them: the memory of [`Compact16`] with no limit.
    ///
    /// A map's tree starts with [`Compact16`] handles. When an insert needs
    /// a 65,536th leaf or branch, the map moves every node into a tree with
    /// [`Wide32`] handles (once, in O(n); entries and separators move, none
    /// is cloned, compared or dropped, so nothing is lost and no error is
    /// possible) and then inserts. When removals leave a wide tree with
    /// fewer than `16,383 * (CAP / 2)` entries (a quarter of the leaves a
    /// narrow tree can hold, at the least fill a leaf may have), it moves
    /// back; the gap between the two points keeps a map from moving back
    /// and forth. Bulk builds (`collect`, `from_sorted_iter`, `clone`,
    /// `append`, and the part `split_off` moves; the part it keeps keeps
    /// its tree) use 16-bit handles when the entries fit 65,535 full
    /// leaves. A wide tree sits behind one more pointer, so the
    /// map is no larger than with 16-bit handles.
    /// [`MemoryUsage::handle_bits`](crate::MemoryUsage::handle_bits) tells
    /// which width a map uses now.
    ///
    /// ```
    /// use bptree::{Adaptive, BPlusTreeMap, VecArena};
    /// let mut m: BPlusTreeMap<u32, u32, Adaptive, VecArena, 16> = BPlusTreeMap::empty();
    /// m.extend((0..1000).map(|i| (i, i)));
    /// assert_eq!(m.memory_usage().handle_bits, 16);
    /// assert!(m.checked_insert(1000, 1000).is_ok()); // never a CapacityError
    /// ```
    ///
    /// As a value of the engine's positions, an `Adaptive` handle is 32
    /// bits wide: it names a node of either tree.
    Adaptive,
    u32,
    widens: true,
    Compact16,
    Wide32,
    Box<T>
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nil_is_reserved() {
        assert!(Compact16::NIL.is_nil());
        assert_eq!(
            Compact16::from_index(65_534).map(Handle::index),
            Some(65_534)
        );
        assert_eq!(Compact16::from_index(65_535), None);
        assert_eq!(Wide32::from_index(u32::MAX as usize), None);
        assert_eq!(Wide32::MAX_NODES, u32::MAX as usize);
        assert_eq!(core::mem::size_of::<Compact16>(), 2);
        assert_eq!(core::mem::size_of::<Wide32>(), 4);
        assert_eq!(
            format!("{:?} {:?}", Wide32::NIL, Wide32::from_index(3).unwrap()),
            "NIL #3"
        );
    }

    #[test]
    fn casts_keep_the_index_and_nil() {
        let h = Compact16::from_index(65_534).unwrap();
        assert_eq!(h.cast::<Adaptive>().index(), 65_534);
        assert_eq!(h.cast::<Adaptive>().cast::<Compact16>(), h);
        assert!(Compact16::NIL.cast::<Adaptive>().is_nil());
        assert!(Adaptive::NIL.cast::<Compact16>().is_nil());
        assert!(Wide32::NIL.cast::<Compact16>().is_nil());
        assert_eq!(Compact16::NIL.to_u32(), u32::MAX);
        let w = Wide32::from_index(70_000).unwrap();
        assert_eq!(w.cast::<Adaptive>().cast::<Wide32>(), w);
    }
}
