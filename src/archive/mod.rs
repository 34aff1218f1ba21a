//! Zero-copy archives with [rkyv](https://docs.rs/rkyv) (the `rkyv`
//! feature, off by default; `no_std` + `alloc` like the rest of the crate).
//!
//! [`BPlusTreeMap`](crate::BPlusTreeMap) and
//! [`BPlusTreeSet`](crate::BPlusTreeSet) of every configuration implement
//! rkyv's `Archive`, `Serialize` and `Deserialize`, so they work as fields
//! of your own `#[derive(rkyv::Archive)]` types. The archived forms,
//! [`ArchivedBPlusTreeMap`] and [`ArchivedBPlusTreeSet`], answer `get`,
//! `range`, `iter` and the rest in place, on bytes read or mapped from a
//! file, with native keys ([`NativeOrd`]).
//!
//! ```
//! use bptree::BPlusTreeMap;
//! use bptree::archive::ArchivedBPlusTreeMap;
//! use rkyv::{rancor::BoxedError, Archived};
//!
//! let map: BPlusTreeMap<u64, u64> = (0..10_000).map(|k| (k, 2 * k)).collect();
//! let bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
//!
//! // Validate once, then query in place: no deserialization.
//! let archived =
//!     rkyv::access::<ArchivedBPlusTreeMap<Archived<u64>, Archived<u64>>, BoxedError>(&bytes).unwrap();
//! assert_eq!(archived.len(), 10_000);
//! assert_eq!(archived.get(&4321).unwrap().to_native(), 8642);
//! assert_eq!(archived.range(100..).next().unwrap().0.to_native(), 100);
//! assert!(archived.iter().map(|(k, _)| k.to_native()).eq(0..10_000));
//!
//! // Any configuration reads it back, by bulk loading.
//! let compact: bptree::phase::Compact<u64, u64> = rkyv::deserialize::<_, BoxedError>(archived).unwrap();
//! assert!(compact.iter().eq(map.iter()));
//! ```
//!
//! # Layout
//!
//! The archive is canonical: the same entries give the same bytes whatever
//! configuration wrote them, and any configuration reads any archive. It
//! is a static B+ tree with no pointers between nodes:
//!
//! - all keys in one archived array, strictly ascending; read in runs of
//!   [`FANOUT`] (16) they are the leaves, all full but the last;
//! - all values (for a map) in a second array, value `i` belonging to key
//!   `i`;
//! - branch levels as copies of every `16^i`-th key, all levels in one
//!   separator array, top level first. The children of an entry are found
//!   by arithmetic, so a lookup reads one 16-key node per level and a
//!   range is two positions in the key array.
//!
//! For `u64` keys and values the separators add 1/15 of the key array:
//! a million entries take 16.5 MB.
//!
//! # Order statistics
//!
//! Because the keys sit in one array, an archive answers by position what
//! std's `BTreeMap` cannot: `get_index(i)`, the `i`-th entry, is O(1);
//! `rank(q)`, the number of keys below `q`, is one descent; and a range's
//! iterator knows its length and skips in O(1), so `range(a..b).len()`
//! counts a range in O(log n). Every configuration's archive has them,
//! whether or not the in-memory map keeps counts.
//!
//! ```
//! use bptree::BPlusTreeSet;
//! use bptree::archive::ArchivedBPlusTreeSet;
//! use rkyv::{rancor::BoxedError, Archived};
//!
//! let scores: BPlusTreeSet<u32> = (0..10_000).map(|x| x * 7 % 10_007).collect();
//! let bytes = rkyv::to_bytes::<BoxedError>(&scores).unwrap();
//! let archived = rkyv::access::<ArchivedBPlusTreeSet<Archived<u32>>, BoxedError>(&bytes).unwrap();
//! let median = archived.get_index(archived.len() / 2).unwrap().to_native();
//! assert_eq!(archived.rank(&median), 5_000);
//! assert_eq!(archived.range(1_000..2_000).len(), archived.rank(&2_000) - archived.rank(&1_000));
//! // Page 3 of 20 per page, without walking pages 1 and 2.
//! let page: Vec<u32> = archived.iter().skip(40).take(20).map(|x| x.to_native()).collect();
//! assert_eq!(page.len(), 20);
//! assert_eq!(page[0], archived.get_index(40).unwrap().to_native());
//! ```
//!
//! # Validation
//!
//! `rkyv::access` (rkyv's `bytecheck` checks, then this crate's `Verify`)
//! proves every invariant in one linear pass: the separator array has the
//! length the key count implies, the keys are strictly ascending (by the
//! archived key type's `Ord`), every separator equals its key, and a map
//! has as many values as keys. A violation is an [`ArchiveError`] naming
//! it; a truncated, misaligned or otherwise malformed buffer is rkyv's
//! error. Use [`rancor::BoxedError`](rkyv::rancor::BoxedError) to keep the
//! message in release builds (`rancor::Error` keeps it only in debug
//! builds, and `rancor::Panic` panics, which is never right for untrusted
//! bytes).
//!
//! Without validation, what holds is narrower. Every read this crate makes
//! of an archive is bounds-checked, so bytes that are a well-formed rkyv
//! archive of the type (lengths and relative pointers in bounds) but break
//! the tree's invariants (keys out of order, wrong separators or counts)
//! answer every query, possibly wrongly, without a panic or a read outside
//! the buffer. Arbitrary bytes given to `rkyv::access_unchecked` are
//! undefined behaviour inside rkyv, before this crate reads anything: only
//! bytes validated once (or written by this process) may be read
//! unchecked, which is why [`from_file_bytes_unchecked`] and
//! `open_unchecked` are `unsafe`.
//!
//! # Deserializing
//!
//! Into any configuration, by bulk loading the validated entries in order
//! (full nodes, O(n), no search per entry). A
//! [`Compact16`](crate::Compact16) tree too large for its 16-bit handles,
//! or a map with counts of more than `u32::MAX` entries, is a
//! [`CapacityError`](crate::CapacityError), not a panic. A configuration
//! outside the documented ranges (see [`MAX_CAP`](crate::policy::MAX_CAP))
//! does not compile, here as everywhere:
//!
//! ```compile_fail
//! use bptree::{BPlusTreeMap, VecArena, Wide32, policy::Indirect};
//! type Rejected = BPlusTreeMap<u32, u32, Wide32, Indirect<VecArena, 16>, 4096>;
//! let bytes = rkyv::to_bytes::<rkyv::rancor::Error>(&BPlusTreeMap::<u32, u32>::new()).unwrap();
//! let _ = rkyv::from_bytes::<Rejected, rkyv::rancor::Error>(&bytes);
//! ```
//!
//! ```compile_fail
//! use bptree::{BPlusTreeMap, VecArena, Wide32};
//! type Rejected = BPlusTreeMap<u32, u32, Wide32, VecArena, 100_000>;
//! let bytes = rkyv::to_bytes::<rkyv::rancor::Error>(&BPlusTreeMap::<u32, u32>::new()).unwrap();
//! let _ = rkyv::from_bytes::<Rejected, rkyv::rancor::Error>(&bytes);
//! ```
//!
//! ```
//! // The same lines with an accepted configuration compile and run.
//! use bptree::{BPlusTreeMap, VecArena, Wide32, policy::Indirect};
//! type Accepted = BPlusTreeMap<u32, u32, Wide32, Indirect<VecArena, 16>, 4095>;
//! let bytes = rkyv::to_bytes::<rkyv::rancor::Error>(&BPlusTreeMap::<u32, u32>::new()).unwrap();
//! let _ = rkyv::from_bytes::<Accepted, rkyv::rancor::Error>(&bytes).unwrap();
//! ```
//!
//! # Files
//!
//! [`save`] (with `std`) writes a 32-byte header (magic, format version,
//! map or set, flags, a fingerprint of the archived key and value types,
//! the archive's length) and the archive after it, 16-byte aligned.
//! [`load`] (with `std`) reads a file into memory and validates it once,
//! and is safe whatever happens to the file afterwards. [`open`] (the
//! `mmap` feature) maps a file and validates it once; it is `unsafe`, as
//! every memory map is, because the file must not change while mapped
//! (`save` replaces a file by a rename, so it never changes a mapped one).
//! [`open_unchecked`] skips validation, in O(1). [`to_file_bytes`] and
//! [`from_file_bytes`] do the same in memory.
//!
//! ```
//! use bptree::BPlusTreeMap;
//!
//! let map: BPlusTreeMap<u32, String> = (0..100).map(|k| (k, k.to_string())).collect();
//! let path = std::env::temp_dir().join(format!("bptree-doc-{}.bpt", std::process::id()));
//! bptree::archive::save(&map, &path).unwrap();
//!
//! let file = bptree::archive::load::<BPlusTreeMap<u32, String>>(&path).unwrap();
//! assert_eq!(file.get(&42).unwrap(), "42");
//! // The wrong types are an error, not garbage.
//! assert!(bptree::archive::load::<BPlusTreeMap<u64, String>>(&path).is_err());
//! # drop(file);
//! # std::fs::remove_file(&path).unwrap();
//! ```

mod cmp;
mod error;
mod file;
mod index;
mod iter;
mod map;
mod set;

pub use cmp::NativeOrd;
pub use error::ArchiveError;
#[cfg(feature = "std")]
pub use file::{ArchiveFile, load, save};
pub use file::{
    FileError, HEADER_LEN, TreeArchive, from_file_bytes, from_file_bytes_unchecked, to_file_bytes,
};
#[cfg(feature = "mmap")]
pub use file::{open, open_unchecked};
pub use index::FANOUT;
pub use iter::{Iter, IterSeal, Keys, Values};
pub use map::{ArchivedBPlusTreeMap, MapResolver};
pub use set::{ArchivedBPlusTreeSet, SetResolver};

/// `Ok` if `keys` ascend strictly; else where they first do not.
fn native_order<'a, K: Ord + 'a>(keys: impl Iterator<Item = &'a K>) -> Result<(), ArchiveError> {
    let mut prev: Option<&K> = None;
    for (index, k) in keys.enumerate() {
        if prev.is_some_and(|p| p >= k) {
            return Err(ArchiveError::NativeOrder { index });
        }
        prev = Some(k);
    }
    Ok(())
}
