//! Node handles: the width of the integers that name nodes inside an arena.
//!
//! A handle is an index into one arena (leaves and branches live in separate
//! arenas, so the same number may name one of each). The all-ones value is
//! reserved as `NIL`. Leaves and branches are told apart by their depth in
//! the tree, never by a flag bit, so every other value is a usable index.

use core::fmt;
use core::hash::Hash;

mod sealed {
    pub trait Sealed {}
}

/// The handle width of a tree: [`Compact16`] or [`Wide32`].
///
/// This trait is sealed: the tree relies on `index`/`from_index` being exact
/// inverses, so only the handle types of this crate implement it.
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

    /// The handle for arena index `index`, or `None` if the index is not
    /// representable (it is `NIL` or larger).
    fn from_index(index: usize) -> Option<Self>;

    /// The arena index this handle names.
    fn index(self) -> usize;

    /// Whether this is the reserved `NIL` handle.
    #[inline]
    fn is_nil(self) -> bool {
        self == Self::NIL
    }
}

macro_rules! handle_type {
    ($(#[$doc:meta])* $name:ident, $raw:ty) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($raw);

        impl sealed::Sealed for $name {}

        impl Handle for $name {
            const NIL: Self = $name(<$raw>::MAX);
            const MAX_NODES: usize = <$raw>::MAX as usize;
            const NAME: &'static str = stringify!($name);

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
    /// [`BPlusTreeMap::insert`] panics with that message.
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
    u16
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
    u32
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
}
