//! The file format: a 32-byte header, then the archive.
//!
//! | bytes | field |
//! |---|---|
//! | 0..8 | magic `b"bptree\0\x1a"` |
//! | 8..10 | format version, little-endian (1) |
//! | 10..12 | kind: 1 a map, 2 a set |
//! | 12..16 | flags (none defined yet: 0) |
//! | 16..24 | fingerprint of the archived types (FNV-1a, 64 bits) |
//! | 24..32 | length of the archive in bytes |
//! | 32.. | the archive (`rkyv::to_bytes`), 16-byte aligned |

use alloc::string::String;
use core::fmt;

use rkyv::api::high::{HighSerializer, HighValidator};
use rkyv::bytecheck::CheckBytes;
use rkyv::rancor::BoxedError;
use rkyv::ser::allocator::ArenaHandle;
use rkyv::util::AlignedVec;
use rkyv::{Archive, Portable, Serialize};

use super::index::FANOUT;
use crate::map::BPlusTreeMap;
use crate::policy::{ArenaStrategy, Handle};
use crate::set::BPlusTreeSet;

/// The length of a file's header; the archive starts at this offset.
pub const HEADER_LEN: usize = 32;
const MAGIC: [u8; 8] = *b"bptree\0\x1a";
const VERSION: u16 = 1;
const ALIGN: usize = 16;

mod sealed {
    pub trait Sealed {}
}

/// The types [`save`] and [`open`] take: [`BPlusTreeMap`] and
/// [`BPlusTreeSet`] of any configuration (sealed). A file records which of
/// the two it holds and a fingerprint of the archived key and value types,
/// and opening it as anything else is an error.
///
/// The fingerprint hashes the archived types' names (as
/// [`core::any::type_name`] gives them), rkyv's archived `usize` (which
/// carries rkyv's endianness and pointer-width format) and the node
/// width. `type_name` is not guaranteed stable across compiler versions:
/// a compiler that spells a type differently makes an old file a
/// [`FileError::TypeMismatch`], never a misread.
pub trait TreeArchive: Archive + sealed::Sealed {
    /// What the file holds: 1 a map, 2 a set.
    #[doc(hidden)]
    const KIND: u16;

    /// The archived types, as the fingerprint hashes them.
    #[doc(hidden)]
    fn type_description() -> String;
}

impl<K: Archive, V: Archive, H: Handle, A: ArenaStrategy, const CAP: usize> sealed::Sealed
    for BPlusTreeMap<K, V, H, A, CAP>
{
}

impl<K: Archive, V: Archive, H: Handle, A: ArenaStrategy, const CAP: usize> TreeArchive
    for BPlusTreeMap<K, V, H, A, CAP>
{
    const KIND: u16 = 1;

    fn type_description() -> String {
        alloc::format!(
            "map of {} to {}",
            core::any::type_name::<K::Archived>(),
            core::any::type_name::<V::Archived>()
        )
    }
}

impl<T: Archive, H: Handle, A: ArenaStrategy, const CAP: usize> sealed::Sealed
    for BPlusTreeSet<T, H, A, CAP>
{
}

impl<T: Archive, H: Handle, A: ArenaStrategy, const CAP: usize> TreeArchive
    for BPlusTreeSet<T, H, A, CAP>
{
    const KIND: u16 = 2;

    fn type_description() -> String {
        alloc::format!("set of {}", core::any::type_name::<T::Archived>())
    }
}

/// FNV-1a over the type description, rkyv's format and the node width.
fn fingerprint<T: TreeArchive>() -> u64 {
    let format = alloc::format!(
        "{}; usize {}; fanout {FANOUT}",
        T::type_description(),
        core::any::type_name::<rkyv::Archived<usize>>()
    );
    format.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The header of a file holding `len` bytes of archive of a `T`.
fn header<T: TreeArchive>(len: usize) -> [u8; HEADER_LEN] {
    let mut h = [0; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..10].copy_from_slice(&VERSION.to_le_bytes());
    h[10..12].copy_from_slice(&T::KIND.to_le_bytes());
    // 12..16: no flags.
    h[16..24].copy_from_slice(&fingerprint::<T>().to_le_bytes());
    h[24..32].copy_from_slice(&(len as u64).to_le_bytes());
    h
}

/// What is wrong with a file (or its bytes) that [`open`] or
/// [`from_file_bytes`] rejects, or why [`save`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileError {
    /// Reading, writing or mapping the file failed.
    #[cfg(feature = "std")]
    Io(std::io::Error),
    /// Shorter than the header, or the magic bytes are not bptree's.
    NotAnArchive,
    /// A format version this build does not read.
    UnsupportedVersion {
        /// The file's version.
        found: u16,
    },
    /// The file holds a map where a set was asked for, or the reverse.
    WrongKind {
        /// 1 for a map, 2 for a set.
        expected: u16,
        /// The file's kind.
        found: u16,
    },
    /// Flags this build does not know.
    UnknownFlags {
        /// The file's flags.
        flags: u32,
    },
    /// The file was written for other key or value types (or another rkyv
    /// format).
    TypeMismatch {
        /// The archived types asked for.
        expected: String,
    },
    /// The archive's length differs from the header's (a truncated file,
    /// or bytes after the archive).
    Length {
        /// The length the header states.
        header: u64,
        /// The bytes after the header.
        actual: u64,
    },
    /// The archive does not start 16-byte aligned in memory.
    Misaligned,
    /// rkyv rejected the archive (validation: a corrupt or hostile file,
    /// see [`ArchiveError`](super::ArchiveError)), or failed to write it.
    Rkyv(BoxedError),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            #[cfg(feature = "std")]
            FileError::Io(e) => write!(f, "bptree archive file: {e}"),
            FileError::NotAnArchive => {
                f.write_str("not a bptree archive file (bad magic or too short)")
            }
            FileError::UnsupportedVersion { found } => {
                write!(
                    f,
                    "bptree archive file format version {found}; this build reads {VERSION}"
                )
            }
            FileError::WrongKind { expected, found } => {
                let name = |k: u16| match k {
                    1 => "a map",
                    2 => "a set",
                    _ => "an unknown kind",
                };
                write!(
                    f,
                    "bptree archive file holds {}, not {}",
                    name(*found),
                    name(*expected)
                )
            }
            FileError::UnknownFlags { flags } => {
                write!(f, "bptree archive file has unknown flags {flags:#x}")
            }
            FileError::TypeMismatch { expected } => write!(
                f,
                "bptree archive file was written for other types than a {expected} (or another rkyv format)"
            ),
            FileError::Length { header, actual } => write!(
                f,
                "bptree archive file: the header states {header} bytes of archive, the file has {actual}"
            ),
            FileError::Misaligned => f.write_str("bptree archive bytes are not 16-byte aligned"),
            FileError::Rkyv(e) => write!(f, "bptree archive: {e}"),
        }
    }
}

impl core::error::Error for FileError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            #[cfg(feature = "std")]
            FileError::Io(e) => Some(e),
            FileError::Rkyv(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for FileError {
    fn from(e: std::io::Error) -> Self {
        FileError::Io(e)
    }
}

/// The archive in a file's bytes, once the header says it is a `T`'s.
fn body<T: TreeArchive>(bytes: &[u8]) -> Result<&[u8], FileError> {
    let (head, body) = bytes
        .split_at_checked(HEADER_LEN)
        .ok_or(FileError::NotAnArchive)?;
    let field = |r: core::ops::Range<usize>| &head[r];
    if field(0..8) != MAGIC {
        return Err(FileError::NotAnArchive);
    }
    let u16_at = |at: usize| u16::from_le_bytes([head[at], head[at + 1]]);
    let u64_at = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().expect("8 bytes"));
    let version = u16_at(8);
    if version != VERSION {
        return Err(FileError::UnsupportedVersion { found: version });
    }
    let kind = u16_at(10);
    if kind != T::KIND {
        return Err(FileError::WrongKind {
            expected: T::KIND,
            found: kind,
        });
    }
    let flags = u32::from_le_bytes(head[12..16].try_into().expect("4 bytes"));
    if flags != 0 {
        return Err(FileError::UnknownFlags { flags });
    }
    if u64_at(16) != fingerprint::<T>() {
        return Err(FileError::TypeMismatch {
            expected: T::type_description(),
        });
    }
    let len = u64_at(24);
    if len != body.len() as u64 {
        return Err(FileError::Length {
            header: len,
            actual: body.len() as u64,
        });
    }
    if !(body.as_ptr() as usize).is_multiple_of(ALIGN) {
        return Err(FileError::Misaligned);
    }
    Ok(body)
}

/// A file's bytes for `value`: the header, then the archive. The buffer is
/// 16-byte aligned, so [`from_file_bytes`] reads it as it is.
///
/// ```
/// use bptree::BPlusTreeSet;
/// use bptree::archive::{from_file_bytes, to_file_bytes};
///
/// let set: BPlusTreeSet<i64> = (-5..5).collect();
/// let bytes = to_file_bytes(&set).unwrap();
/// let archived = from_file_bytes::<BPlusTreeSet<i64>>(&bytes).unwrap();
/// assert_eq!(archived.len(), 10);
/// assert!(archived.contains(&-5));
/// ```
pub fn to_file_bytes<T>(value: &T) -> Result<AlignedVec<ALIGN>, FileError>
where
    T: TreeArchive + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>,
{
    let archive = rkyv::to_bytes::<BoxedError>(value).map_err(FileError::Rkyv)?;
    let mut out = AlignedVec::<ALIGN>::with_capacity(HEADER_LEN + archive.len());
    out.extend_from_slice(&header::<T>(archive.len()));
    out.extend_from_slice(&archive);
    Ok(out)
}

/// The archive in a file's bytes (see [`to_file_bytes`]), validated: the
/// header must name a `T` and give the archive's exact length, the
/// archive must start 16-byte aligned in memory, and it must pass
/// `rkyv::access`.
pub fn from_file_bytes<T>(bytes: &[u8]) -> Result<&T::Archived, FileError>
where
    T: TreeArchive,
    T::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
{
    rkyv::access::<T::Archived, BoxedError>(body::<T>(bytes)?).map_err(FileError::Rkyv)
}

/// As [`from_file_bytes`], checking the header but not the archive: O(1).
///
/// # Safety
///
/// The archive after the header must be one that [`from_file_bytes`]
/// accepts (for example, one this process validated before, or wrote).
pub unsafe fn from_file_bytes_unchecked<T>(bytes: &[u8]) -> Result<&T::Archived, FileError>
where
    T: TreeArchive,
    T::Archived: Portable,
{
    let body = body::<T>(bytes)?;
    // SAFETY: the header was checked (length, alignment), and the caller
    // promises the archive is valid.
    Ok(unsafe { rkyv::access_unchecked::<T::Archived>(body) })
}

/// Writes `value` to the file at `path` (created, or truncated): the
/// header, then the archive. Needs `std`.
///
/// Never save over a file that is mapped (by [`open`], in this or another
/// process): a mapped file must not change. Write a new file and rename it
/// over the old one instead.
#[cfg(feature = "std")]
pub fn save<T>(value: &T, path: impl AsRef<std::path::Path>) -> Result<(), FileError>
where
    T: TreeArchive + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>,
{
    use std::io::Write;

    let archive = rkyv::to_bytes::<BoxedError>(value).map_err(FileError::Rkyv)?;
    let mut file = std::fs::File::create(path)?;
    file.write_all(&header::<T>(archive.len()))?;
    file.write_all(&archive)?;
    file.flush()?;
    Ok(())
}

#[cfg(feature = "mmap")]
pub use mapped::{Mapped, open, open_unchecked};

#[cfg(feature = "mmap")]
mod mapped {
    use core::marker::PhantomData;
    use core::ops::Deref;
    use std::fs::File;
    use std::path::Path;

    use memmap2::Mmap;
    use rkyv::Portable;
    use rkyv::api::high::HighValidator;
    use rkyv::bytecheck::CheckBytes;
    use rkyv::rancor::BoxedError;

    use super::{FileError, HEADER_LEN, TreeArchive, body};

    /// An archive file mapped into memory: derefs to the archived map or
    /// set. Made by [`open`] or [`open_unchecked`]; unmapped on drop.
    ///
    /// The file must not change while it is mapped (no writes, no
    /// truncation, by any process): the archive was validated once, when
    /// the file was opened, and a change afterwards is undefined
    /// behaviour, as for every memory-mapped file.
    pub struct Mapped<A> {
        map: Mmap,
        archived: PhantomData<A>,
    }

    impl<A: Portable> Deref for Mapped<A> {
        type Target = A;

        fn deref(&self) -> &A {
            // SAFETY: `map` was checked by `body` and validated by
            // `rkyv::access` when `open` made this (or the caller of
            // `open_unchecked` promised it valid), and it has not changed:
            // it is mapped read-only, and the docs forbid changing the file.
            unsafe { rkyv::access_unchecked::<A>(&self.map[HEADER_LEN..]) }
        }
    }

    impl<A: Portable + core::fmt::Debug> core::fmt::Debug for Mapped<A> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            (**self).fmt(f)
        }
    }

    fn map<T: TreeArchive>(path: &Path) -> Result<Mmap, FileError> {
        let file = File::open(path)?;
        if file.metadata()?.len() < HEADER_LEN as u64 {
            return Err(FileError::NotAnArchive);
        }
        // SAFETY: mapping a file is sound as long as it does not change
        // while mapped, which `Mapped`'s docs require of the caller.
        let map = unsafe { Mmap::map(&file)? };
        body::<T>(&map)?;
        Ok(map)
    }

    /// Maps the file at `path` (written by [`save`](super::save)) and
    /// validates it once: the header must name a `T`, and the archive must
    /// pass `rkyv::access`. Queries then read the mapped bytes in place.
    /// The file must not change while mapped (see [`Mapped`]).
    pub fn open<T>(path: impl AsRef<Path>) -> Result<Mapped<T::Archived>, FileError>
    where
        T: TreeArchive,
        T::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let map = map::<T>(path.as_ref())?;
        rkyv::access::<T::Archived, BoxedError>(&map[HEADER_LEN..]).map_err(FileError::Rkyv)?;
        Ok(Mapped {
            map,
            archived: PhantomData,
        })
    }

    /// As [`open`], checking the header but not the archive: O(1) whatever
    /// the file's size.
    ///
    /// # Safety
    ///
    /// The archive in the file must be valid ([`open`] would accept it),
    /// for example a file this program wrote and nobody else can write.
    pub unsafe fn open_unchecked<T>(
        path: impl AsRef<Path>,
    ) -> Result<Mapped<T::Archived>, FileError>
    where
        T: TreeArchive,
        T::Archived: Portable,
    {
        Ok(Mapped {
            map: map::<T>(path.as_ref())?,
            archived: PhantomData,
        })
    }
}
