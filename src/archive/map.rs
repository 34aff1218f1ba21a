//! The archived map, and rkyv's traits for [`BPlusTreeMap`].

use core::fmt;
use core::ops::{Index as IndexOp, RangeBounds};

use rkyv::bytecheck::{CheckBytes, Verify};
use rkyv::munge::munge;
use rkyv::rancor::{Fallible, Source};
use rkyv::ser::{Allocator, Writer};
use rkyv::vec::{ArchivedVec, VecResolver};
use rkyv::{Archive, Deserialize, Place, Portable, Serialize, seal::Seal};

use super::index::{self, Index};
use super::iter::{Iter, IterSeal, Keys, Values};
use super::{ArchiveError, NativeOrd};
use crate::map::BPlusTreeMap;
use crate::policy::{ArenaStrategy, Handle};
use crate::raw::map::RawMap;

/// An archived [`BPlusTreeMap`], read in place: what `rkyv::access` returns
/// for the bytes of a map with keys `K::Archived`... that is, this type is
/// `ArchivedBPlusTreeMap<Archived<K>, Archived<V>>` for a
/// `BPlusTreeMap<K, V, ..>` of any configuration, and every configuration
/// writes the same bytes for the same entries.
///
/// The layout is a static B+ tree with nothing but keys and values in it
/// (see the [module docs](super)): lookups descend by arithmetic, and a
/// range is a pair of positions, so iteration walks two arrays.
///
/// Keys are looked up with native values through [`NativeOrd`]:
///
/// ```
/// use bptree::BPlusTreeMap;
/// use bptree::archive::ArchivedBPlusTreeMap;
/// use rkyv::rancor::BoxedError;
/// use rkyv::Archived;
///
/// let map: BPlusTreeMap<String, u64> =
///     [("ant", 6), ("bee", 6), ("cat", 4)].map(|(k, v)| (k.to_string(), v)).into();
/// let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
/// let archived = rkyv::access::<ArchivedBPlusTreeMap<Archived<String>, Archived<u64>>, BoxedError>(&bytes)
///     .unwrap();
/// assert_eq!(archived.get("bee").map(|v| v.to_native()), Some(6));
/// assert_eq!(archived.range("b"..).count(), 2);
/// assert_eq!(archived.first_key_value().unwrap().0, "ant");
///
/// let back: BPlusTreeMap<String, u64> = rkyv::deserialize::<_, BoxedError>(archived).unwrap();
/// assert_eq!(back, map);
/// ```
#[derive(Portable, CheckBytes)]
#[bytecheck(crate = rkyv::bytecheck, verify)]
#[rkyv(crate = rkyv)]
#[repr(C)]
pub struct ArchivedBPlusTreeMap<K, V> {
    keys: ArchivedVec<K>,
    seps: ArchivedVec<K>,
    values: ArchivedVec<V>,
}

// SAFETY: nothing that reads an `ArchivedBPlusTreeMap` relies on what
// `verify` proves for memory safety (every read is bounds-checked); it
// proves the tree's invariants so that lookups give the right answers.
unsafe impl<K, V, C> Verify<C> for ArchivedBPlusTreeMap<K, V>
where
    K: Ord,
    C: Fallible + ?Sized,
    C::Error: Source,
{
    fn verify(&self, _context: &mut C) -> Result<(), C::Error> {
        index::verify(&self.keys, &self.seps).map_err(Source::new)?;
        if self.values.len() != self.keys.len() {
            return Err(Source::new(ArchiveError::ValueCount {
                keys: self.keys.len(),
                values: self.values.len(),
            }));
        }
        Ok(())
    }
}

impl<K, V> ArchivedBPlusTreeMap<K, V> {
    fn index(&self) -> Index<'_, K> {
        Index {
            keys: &self.keys,
            seps: &self.seps,
        }
    }

    /// The entries `start..end`, as an iterator.
    fn slice(&self, start: usize, end: usize) -> Iter<'_, K, V> {
        Iter::new(
            self.keys.get(start..end).unwrap_or(&[]),
            self.values.get(start..end).unwrap_or(&[]),
        )
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The value of `key`, if present.
    #[inline]
    pub fn get<Q: ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: NativeOrd<Q>,
    {
        let values = self.values.as_slice();
        // The leaf's values are fetched while its keys are searched.
        self.values.get(
            self.index()
                .find_then(key, |lo| index::prefetch_node(values, lo))?,
        )
    }

    /// The stored key and the value of `key`, if present.
    #[inline]
    pub fn get_key_value<Q: ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: NativeOrd<Q>,
    {
        let i = self.index().find(key)?;
        Some((self.keys.get(i)?, self.values.get(i)?))
    }

    /// Whether `key` is present.
    #[inline]
    pub fn contains_key<Q: ?Sized>(&self, key: &Q) -> bool
    where
        K: NativeOrd<Q>,
    {
        self.index().find(key).is_some()
    }

    /// The entry at position `i` in key order (the `i`-th least key,
    /// counting from 0), or `None` if `i >= len()`. O(1): the keys sit in
    /// one array and the values in another, so this is two array reads,
    /// with no search at all (where `iter().nth(i)` on a `BTreeMap` walks
    /// `i` entries).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::archive::ArchivedBPlusTreeMap;
    /// use rkyv::{rancor::BoxedError, Archived};
    ///
    /// let map: BPlusTreeMap<u64, u64> = (0..1000).map(|k| (k * 10, k)).collect();
    /// let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    /// let archived = rkyv::access::<ArchivedBPlusTreeMap<Archived<u64>, Archived<u64>>, BoxedError>(&bytes)
    ///     .unwrap();
    /// let (k, v) = archived.get_index(500).unwrap();
    /// assert_eq!((k.to_native(), v.to_native()), (5000, 500));
    /// // The median, and the 99th percentile.
    /// assert_eq!(archived.get_index(archived.len() / 2).unwrap().0, &5000);
    /// assert_eq!(archived.get_index(archived.len() * 99 / 100).unwrap().0, &9900);
    /// assert!(archived.get_index(1000).is_none());
    /// ```
    #[inline]
    pub fn get_index(&self, i: usize) -> Option<(&K, &V)> {
        Some((self.keys.get(i)?, self.values.get(i)?))
    }

    /// The number of keys less than `key`: the position `key` has in key
    /// order if present, or would have if inserted, as
    /// [`slice::partition_point`] gives it. Keys are native values, as for
    /// [`get`](Self::get), and the answer takes one descent of the index
    /// (one node of 16 keys per level, as `get` reads).
    ///
    /// So `get_index(rank(q))` is the least entry with a key `>= q`, and
    /// `rank(b) - rank(a)` counts the keys in `a..b`.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::archive::ArchivedBPlusTreeMap;
    /// use rkyv::{rancor::BoxedError, Archived};
    ///
    /// let map: BPlusTreeMap<String, u32> =
    ///     ["ant", "bee", "cat", "dog"].map(|k| (k.to_string(), k.len() as u32)).into();
    /// let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    /// let archived = rkyv::access::<ArchivedBPlusTreeMap<Archived<String>, Archived<u32>>, BoxedError>(&bytes)
    ///     .unwrap();
    /// assert_eq!(archived.rank("cat"), 2); // present: its position
    /// assert_eq!(archived.rank("cow"), 3); // absent: where it would go
    /// assert_eq!(archived.rank("aardvark"), 0);
    /// assert_eq!(archived.rank("zebra"), 4);
    /// assert_eq!(archived.get_index(archived.rank("bat")).unwrap().0, "bee");
    /// ```
    #[inline]
    pub fn rank<Q: ?Sized>(&self, key: &Q) -> usize
    where
        K: NativeOrd<Q>,
    {
        self.index().lower(key)
    }

    /// The value of `key`, sealed for in-place mutation.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::archive::ArchivedBPlusTreeMap;
    /// use rkyv::{rancor::BoxedError, seal::Seal, Archived};
    ///
    /// let map = BPlusTreeMap::from([(1u32, 10u32), (2, 20)]);
    /// let mut bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    /// let archived = rkyv::access_mut::<ArchivedBPlusTreeMap<Archived<u32>, Archived<u32>>, BoxedError>(&mut bytes)
    ///     .unwrap();
    /// let mut value = ArchivedBPlusTreeMap::get_seal(archived, &2).unwrap();
    /// *value = 21.into();
    /// let back: BPlusTreeMap<u32, u32> = rkyv::from_bytes::<_, BoxedError>(&bytes).unwrap();
    /// assert_eq!(back[&2], 21);
    /// ```
    pub fn get_seal<'a, Q: ?Sized>(this: Seal<'a, Self>, key: &Q) -> Option<Seal<'a, V>>
    where
        K: NativeOrd<Q>,
    {
        munge!(let Self { keys, seps, values } = this);
        let index = Index {
            keys: keys.unseal_ref(),
            seps: seps.unseal_ref(),
        };
        let i = index.find(key)?;
        let values = ArchivedVec::as_slice_seal(values);
        (i < values.len()).then(|| values.index(i))
    }

    /// The value at position `i` in key order (as
    /// [`get_index`](Self::get_index) finds it), sealed for in-place
    /// mutation; `None` if `i >= len()`. O(1).
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::archive::ArchivedBPlusTreeMap;
    /// use rkyv::{rancor::BoxedError, seal::Seal, Archived};
    ///
    /// let map = BPlusTreeMap::from([(1u32, 10u32), (2, 20), (3, 30)]);
    /// let mut bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    /// let archived = rkyv::access_mut::<ArchivedBPlusTreeMap<Archived<u32>, Archived<u32>>, BoxedError>(&mut bytes)
    ///     .unwrap();
    /// let mut value = ArchivedBPlusTreeMap::get_index_seal(archived, 1).unwrap();
    /// *value = 21.into();
    /// let back: BPlusTreeMap<u32, u32> = rkyv::from_bytes::<_, BoxedError>(&bytes).unwrap();
    /// assert_eq!(back[&2], 21);
    /// ```
    pub fn get_index_seal(this: Seal<'_, Self>, i: usize) -> Option<Seal<'_, V>> {
        munge!(let Self { keys, seps: _, values } = this);
        let values = ArchivedVec::as_slice_seal(values);
        (i < values.len().min(keys.len())).then(|| values.index(i))
    }

    /// The entries whose keys lie in `range`, in key order (double-ended
    /// and exact-size, like [`iter`](Self::iter)). Bounds are native
    /// values, as for [`get`](Self::get).
    ///
    /// Finding the range takes one descent per bound; the iterator is then
    /// a pair of positions, so its `len()`, `count()`, `nth`, `nth_back`,
    /// `skip` and `last` are O(1): `range(a..b).len()` counts the keys in
    /// a range in O(log n), and `range(a..).nth(i)` finds the `i`-th entry
    /// from `a` without walking to it.
    ///
    /// # Panics
    ///
    /// As `BTreeMap::range`, and only then: if the start bound is above the
    /// end, or both are the same excluded key, and the map is not empty.
    /// Nothing else about a validated archive can make it panic.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::archive::ArchivedBPlusTreeMap;
    /// use rkyv::{rancor::BoxedError, Archived};
    ///
    /// let map: BPlusTreeMap<u64, u64> = (0..100).map(|k| (k, k * k)).collect();
    /// let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
    /// let archived = rkyv::access::<ArchivedBPlusTreeMap<Archived<u64>, Archived<u64>>, BoxedError>(&bytes)
    ///     .unwrap();
    /// let squares: Vec<u64> = archived.range(10..13).map(|(_, v)| v.to_native()).collect();
    /// assert_eq!(squares, [100, 121, 144]);
    /// assert_eq!(archived.range(..=5u64).rev().next().unwrap().0, &5);
    /// assert_eq!(archived.range(20..=50).len(), 31);
    /// assert_eq!(archived.range(20..).nth(30).unwrap().1, &2500);
    /// assert_eq!(archived.range(20..).skip(5).nth_back(2).unwrap().0, &97);
    /// ```
    #[track_caller]
    pub fn range<Q, R>(&self, range: R) -> Iter<'_, K, V>
    where
        Q: Ord + ?Sized,
        K: NativeOrd<Q>,
        R: RangeBounds<Q>,
    {
        let (a, b) = self.index().range(
            "ArchivedBPlusTreeMap",
            range.start_bound(),
            range.end_bound(),
        );
        self.slice(a, b)
    }

    /// As [`range`](Self::range), with the values sealed for in-place
    /// mutation.
    #[track_caller]
    pub fn range_seal<'a, Q, R>(this: Seal<'a, Self>, range: R) -> IterSeal<'a, K, V>
    where
        Q: Ord + ?Sized,
        K: NativeOrd<Q>,
        R: RangeBounds<Q>,
    {
        Self::seal_slice(this, |index| {
            index.range(
                "ArchivedBPlusTreeMap",
                range.start_bound(),
                range.end_bound(),
            )
        })
    }

    /// Every entry in key order, with the values sealed for in-place
    /// mutation.
    pub fn iter_seal(this: Seal<'_, Self>) -> IterSeal<'_, K, V> {
        Self::seal_slice(this, |index| (0, index.keys.len()))
    }

    /// The entries at the positions `span` finds, values sealed.
    #[track_caller]
    fn seal_slice<'a>(
        this: Seal<'a, Self>,
        span: impl FnOnce(Index<'a, K>) -> (usize, usize),
    ) -> IterSeal<'a, K, V> {
        munge!(let Self { keys, seps, values } = this);
        let index = Index {
            keys: keys.unseal_ref(),
            seps: seps.unseal_ref(),
        };
        let (a, b) = span(index);
        let values = ArchivedVec::as_slice_seal(values);
        let b = b.min(values.len()).min(index.keys.len());
        let a = a.min(b);
        IterSeal::new(&index.keys[a..b], values.index(a..b))
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.slice(0, self.len())
    }

    /// Every key, in order.
    pub fn keys(&self) -> Keys<'_, K> {
        Keys::new(&self.keys)
    }

    /// Every value, in key order.
    pub fn values(&self) -> Values<'_, V> {
        Values::new(self.values.get(..self.len()).unwrap_or(&[]))
    }

    /// The entry with the least key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        Some((self.keys.first()?, self.values.first()?))
    }

    /// The entry with the greatest key.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        let i = self.len().checked_sub(1)?;
        Some((self.keys.get(i)?, self.values.get(i)?))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for ArchivedBPlusTreeMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for ArchivedBPlusTreeMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<K: Eq, V: Eq> Eq for ArchivedBPlusTreeMap<K, V> {}

impl<K, V, Q: ?Sized> IndexOp<&Q> for ArchivedBPlusTreeMap<K, V>
where
    K: NativeOrd<Q>,
{
    type Output = V;

    /// The value of `key`.
    ///
    /// # Panics
    ///
    /// If `key` is not present, as std's maps do.
    #[track_caller]
    fn index(&self, key: &Q) -> &V {
        self.get(key)
            .expect("key not found in ArchivedBPlusTreeMap")
    }
}

impl<'a, K, V> IntoIterator for &'a ArchivedBPlusTreeMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

/// The resolver of a [`BPlusTreeMap`]'s archive: where its three arrays
/// were written.
pub struct MapResolver {
    keys: VecResolver,
    seps: VecResolver,
    values: VecResolver,
}

impl<K: Archive, V: Archive, H: Handle, A: ArenaStrategy, const CAP: usize> Archive
    for BPlusTreeMap<K, V, H, A, CAP>
{
    type Archived = ArchivedBPlusTreeMap<K::Archived, V::Archived>;
    type Resolver = MapResolver;

    fn resolve(&self, resolver: MapResolver, out: Place<Self::Archived>) {
        let n = self.len();
        munge!(let ArchivedBPlusTreeMap { keys, seps, values } = out);
        ArchivedVec::resolve_from_len(n, resolver.keys, keys);
        ArchivedVec::resolve_from_len(index::separator_count(n), resolver.seps, seps);
        ArchivedVec::resolve_from_len(n, resolver.values, values);
    }
}

impl<K, V, H, A, const CAP: usize, S> Serialize<S> for BPlusTreeMap<K, V, H, A, CAP>
where
    K: Serialize<S>,
    V: Serialize<S>,
    H: Handle,
    A: ArenaStrategy,
    S: Fallible + Allocator + Writer + ?Sized,
{
    /// Writes the keys, the separators and the values, in that order (the
    /// order validation reads them in).
    fn serialize(&self, serializer: &mut S) -> Result<MapResolver, S::Error> {
        let (keys, seps) = index::serialize_keys(self.keys(), serializer)?;
        let values =
            ArchivedVec::<V::Archived>::serialize_from_iter::<V, _, _>(self.values(), serializer)?;
        Ok(MapResolver { keys, seps, values })
    }
}

impl<K, V, H, A, const CAP: usize, D> Deserialize<BPlusTreeMap<K, V, H, A, CAP>, D>
    for ArchivedBPlusTreeMap<K::Archived, V::Archived>
where
    K: Archive + Ord + Clone,
    K::Archived: Deserialize<K, D>,
    V: Archive,
    V::Archived: Deserialize<V, D>,
    H: Handle,
    A: ArenaStrategy,
    D: Fallible + ?Sized,
    D::Error: Source,
{
    /// Bulk-loads the entries in order, at full node fill, in O(n): no
    /// entry is searched for. A [`Compact16`](crate::Compact16) tree that
    /// runs out of node handles, or a map with counts
    /// ([`Counted`](crate::policy::Counted)) of more than `u32::MAX`
    /// entries, is a [`CapacityError`](crate::CapacityError); native keys
    /// that do not ascend (the archived and native `Ord` disagree) are an
    /// [`ArchiveError::NativeOrder`].
    fn deserialize(&self, deserializer: &mut D) -> Result<BPlusTreeMap<K, V, H, A, CAP>, D::Error> {
        let mut failed = None;
        let entries = self
            .keys
            .iter()
            .zip(self.values.iter())
            .map_while(|(k, v)| {
                let entry = k
                    .deserialize(deserializer)
                    .and_then(|k| Ok((k, v.deserialize(deserializer)?)));
                entry.map_err(|e| failed = Some(e)).ok()
            });
        let built = RawMap::from_sorted_with(entries, K::clone);
        if let Some(e) = failed {
            return Err(e);
        }
        let map = BPlusTreeMap {
            raw: built.map_err(|full| Source::new(full.error::<H, A::Count>()))?,
        };
        super::native_order(map.keys()).map_err(Source::new)?;
        Ok(map)
    }
}
