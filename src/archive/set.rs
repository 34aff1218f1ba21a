//! The archived set, and rkyv's traits for [`BPlusTreeSet`].

use core::fmt;
use core::ops::RangeBounds;

use rkyv::bytecheck::{CheckBytes, Verify};
use rkyv::munge::munge;
use rkyv::rancor::{Fallible, Source};
use rkyv::ser::{Allocator, Writer};
use rkyv::vec::{ArchivedVec, VecResolver};
use rkyv::{Archive, Deserialize, Place, Portable, Serialize};

use super::NativeOrd;
use super::index::{self, Index};
use super::iter::Keys;
use crate::map::BPlusTreeMap;
use crate::policy::{ArenaStrategy, Handle};
use crate::raw::map::RawMap;
use crate::set::BPlusTreeSet;

/// An archived [`BPlusTreeSet`], read in place: the archive of a
/// `BPlusTreeSet<T, ..>` of any configuration is an
/// `ArchivedBPlusTreeSet<Archived<T>>`, and every configuration writes the
/// same bytes for the same elements. The layout is the map's without the
/// values (see the [module docs](super)).
///
/// ```
/// use bptree::BPlusTreeSet;
/// use bptree::archive::ArchivedBPlusTreeSet;
/// use rkyv::{rancor::BoxedError, Archived};
///
/// let set: BPlusTreeSet<u32> = (0..1000).map(|x| x * 3).collect();
/// let bytes = rkyv::to_bytes::<BoxedError>(&set).unwrap();
/// let archived = rkyv::access::<ArchivedBPlusTreeSet<Archived<u32>>, BoxedError>(&bytes).unwrap();
/// assert!(archived.contains(&999));
/// assert!(!archived.contains(&1000));
/// assert_eq!(archived.range(10..20).map(|x| x.to_native()).collect::<Vec<_>>(), [12, 15, 18]);
/// ```
#[derive(Portable, CheckBytes)]
#[bytecheck(crate = rkyv::bytecheck, verify)]
#[rkyv(crate = rkyv)]
#[repr(C)]
pub struct ArchivedBPlusTreeSet<T> {
    keys: ArchivedVec<T>,
    seps: ArchivedVec<T>,
}

// SAFETY: as for the map: no read of an `ArchivedBPlusTreeSet` relies on
// what `verify` proves for memory safety; it proves the tree's invariants.
unsafe impl<T, C> Verify<C> for ArchivedBPlusTreeSet<T>
where
    T: Ord,
    C: Fallible + ?Sized,
    C::Error: Source,
{
    fn verify(&self, _context: &mut C) -> Result<(), C::Error> {
        index::verify(&self.keys, &self.seps).map_err(Source::new)
    }
}

impl<T> ArchivedBPlusTreeSet<T> {
    fn index(&self) -> Index<'_, T> {
        Index {
            keys: &self.keys,
            seps: &self.seps,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no elements.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether `value` is an element (compared as a native value, see
    /// [`NativeOrd`]).
    #[inline]
    pub fn contains<Q: ?Sized>(&self, value: &Q) -> bool
    where
        T: NativeOrd<Q>,
    {
        self.index().find(value).is_some()
    }

    /// The stored element equal to `value`, if any.
    #[inline]
    pub fn get<Q: ?Sized>(&self, value: &Q) -> Option<&T>
    where
        T: NativeOrd<Q>,
    {
        self.keys.get(self.index().find(value)?)
    }

    /// The element at position `i` in order (the `i`-th least, counting
    /// from 0), or `None` if `i >= len()`. O(1): one read of the element
    /// array, no search.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// use bptree::archive::ArchivedBPlusTreeSet;
    /// use rkyv::{rancor::BoxedError, Archived};
    ///
    /// let set: BPlusTreeSet<u32> = (0..1000).map(|x| x * 3).collect();
    /// let bytes = rkyv::to_bytes::<BoxedError>(&set).unwrap();
    /// let archived = rkyv::access::<ArchivedBPlusTreeSet<Archived<u32>>, BoxedError>(&bytes).unwrap();
    /// assert_eq!(archived.get_index(0).unwrap(), &0);
    /// assert_eq!(archived.get_index(333).unwrap(), &999);
    /// assert!(archived.get_index(1000).is_none());
    /// ```
    #[inline]
    pub fn get_index(&self, i: usize) -> Option<&T> {
        self.keys.get(i)
    }

    /// The number of elements less than `value`: the position `value` has
    /// if present, or would have if inserted, as
    /// [`slice::partition_point`] gives it. `value` is a native value, as
    /// for [`contains`](Self::contains), and the answer takes one descent
    /// of the index.
    ///
    /// ```
    /// use bptree::BPlusTreeSet;
    /// use bptree::archive::ArchivedBPlusTreeSet;
    /// use rkyv::{rancor::BoxedError, Archived};
    ///
    /// let set: BPlusTreeSet<u32> = (0..1000).map(|x| x * 3).collect();
    /// let bytes = rkyv::to_bytes::<BoxedError>(&set).unwrap();
    /// let archived = rkyv::access::<ArchivedBPlusTreeSet<Archived<u32>>, BoxedError>(&bytes).unwrap();
    /// assert_eq!(archived.rank(&999), 333); // present: its position
    /// assert_eq!(archived.rank(&1000), 334); // absent: where it would go
    /// assert_eq!(archived.rank(&5000), 1000);
    /// // Elements in 100..200, two ways.
    /// assert_eq!(archived.rank(&200) - archived.rank(&100), 33);
    /// assert_eq!(archived.range(100..200).len(), 33);
    /// ```
    #[inline]
    pub fn rank<Q: ?Sized>(&self, value: &Q) -> usize
    where
        T: NativeOrd<Q>,
    {
        self.index().lower(value)
    }

    /// The elements in `range`, in order (double-ended and exact-size).
    /// Finding the range takes one descent per bound; the iterator's
    /// `len()`, `count()`, `nth`, `nth_back`, `skip` and `last` are then
    /// O(1).
    ///
    /// # Panics
    ///
    /// As `BTreeSet::range`: if the start bound is above the end, or both
    /// are the same excluded value, and the set is not empty.
    #[track_caller]
    pub fn range<Q, R>(&self, range: R) -> Keys<'_, T>
    where
        Q: Ord + ?Sized,
        T: NativeOrd<Q>,
        R: RangeBounds<Q>,
    {
        let (a, b) = self.index().range(
            "ArchivedBPlusTreeSet",
            range.start_bound(),
            range.end_bound(),
        );
        Keys::new(self.keys.get(a..b).unwrap_or(&[]))
    }

    /// Every element, in order.
    pub fn iter(&self) -> Keys<'_, T> {
        Keys::new(&self.keys)
    }

    /// The least element.
    pub fn first(&self) -> Option<&T> {
        self.keys.first()
    }

    /// The greatest element.
    pub fn last(&self) -> Option<&T> {
        self.keys.last()
    }
}

impl<T: fmt::Debug> fmt::Debug for ArchivedBPlusTreeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: PartialEq> PartialEq for ArchivedBPlusTreeSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.keys.as_slice() == other.keys.as_slice()
    }
}

impl<T: Eq> Eq for ArchivedBPlusTreeSet<T> {}

impl<'a, T> IntoIterator for &'a ArchivedBPlusTreeSet<T> {
    type Item = &'a T;
    type IntoIter = Keys<'a, T>;

    fn into_iter(self) -> Keys<'a, T> {
        self.iter()
    }
}

/// The resolver of a [`BPlusTreeSet`]'s archive.
pub struct SetResolver {
    keys: VecResolver,
    seps: VecResolver,
}

impl<T: Archive, H: Handle, A: ArenaStrategy, const CAP: usize> Archive
    for BPlusTreeSet<T, H, A, CAP>
{
    type Archived = ArchivedBPlusTreeSet<T::Archived>;
    type Resolver = SetResolver;

    fn resolve(&self, resolver: SetResolver, out: Place<Self::Archived>) {
        let n = self.len();
        munge!(let ArchivedBPlusTreeSet { keys, seps } = out);
        ArchivedVec::resolve_from_len(n, resolver.keys, keys);
        ArchivedVec::resolve_from_len(index::separator_count(n), resolver.seps, seps);
    }
}

impl<T, H, A, const CAP: usize, S> Serialize<S> for BPlusTreeSet<T, H, A, CAP>
where
    T: Serialize<S>,
    H: Handle,
    A: ArenaStrategy,
    S: Fallible + Allocator + Writer + ?Sized,
{
    fn serialize(&self, serializer: &mut S) -> Result<SetResolver, S::Error> {
        let (keys, seps) = index::serialize_keys(self.iter(), serializer)?;
        Ok(SetResolver { keys, seps })
    }
}

impl<T, H, A, const CAP: usize, D> Deserialize<BPlusTreeSet<T, H, A, CAP>, D>
    for ArchivedBPlusTreeSet<T::Archived>
where
    T: Archive + Ord + Clone,
    T::Archived: Deserialize<T, D>,
    H: Handle,
    A: ArenaStrategy,
    D: Fallible + ?Sized,
    D::Error: Source,
{
    /// Bulk-loads the elements in order, at full node fill, in O(n); errors
    /// as for the map's.
    fn deserialize(&self, deserializer: &mut D) -> Result<BPlusTreeSet<T, H, A, CAP>, D::Error> {
        let mut failed = None;
        let entries = self.keys.iter().map_while(|k| {
            k.deserialize(deserializer)
                .map(|k| (k, ()))
                .map_err(|e| failed = Some(e))
                .ok()
        });
        let built = RawMap::from_sorted_with(entries, T::clone);
        if let Some(e) = failed {
            return Err(e);
        }
        let map = BPlusTreeMap {
            raw: built.map_err(|full| Source::new(full.error::<H, A::Count>()))?,
        };
        super::native_order(map.keys()).map_err(Source::new)?;
        Ok(BPlusTreeSet { map })
    }
}
