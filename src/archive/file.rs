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

/// Writes `value` to the file at `path`: the header, then the archive.
/// Needs `std`.
///
/// The bytes go to a new file beside `path` (same folder, a name made of
/// `path`'s and this process's id), which is then renamed over `path`: a
/// reader never sees a half-written file, and an [`ArchiveFile`] mapped
/// from the old file (by [`open`]) keeps the old file's bytes, which the
/// rename does not change. If writing fails, `path` is left as it was and
/// the new file is removed.
#[cfg(feature = "std")]
pub fn save<T>(value: &T, path: impl AsRef<std::path::Path>) -> Result<(), FileError>
where
    T: TreeArchive + for<'a> Serialize<HighSerializer<AlignedVec, ArenaHandle<'a>, BoxedError>>,
{
    use std::io::Write;

    let path = path.as_ref();
    let archive = rkyv::to_bytes::<BoxedError>(value).map_err(FileError::Rkyv)?;
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(alloc::format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&header::<T>(archive.len()))?;
        file.write_all(&archive)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(written?)
}

#[cfg(feature = "std")]
pub use on_disk::{ArchiveFile, load};
#[cfg(feature = "mmap")]
pub use on_disk::{open, open_unchecked};

#[cfg(feature = "std")]
mod on_disk {
    use core::marker::PhantomData;
    use core::ops::Deref;
    use std::path::Path;

    use rkyv::Portable;
    use rkyv::api::high::HighValidator;
    use rkyv::bytecheck::CheckBytes;
    use rkyv::rancor::BoxedError;
    use rkyv::util::AlignedVec;

    use super::{ALIGN, FileError, HEADER_LEN, TreeArchive, body};

    /// An archive file's bytes, read into memory ([`load`]) or mapped
    /// ([`open`], [`open_unchecked`]): derefs to the archived map or set,
    /// which queries read in place. Freed or unmapped on drop.
    pub struct ArchiveFile<A> {
        bytes: Bytes,
        archived: PhantomData<A>,
    }

    /// Where an [`ArchiveFile`]'s bytes are.
    enum Bytes {
        /// Read into memory: ours, whatever happens to the file.
        Read(AlignedVec<ALIGN>),
        /// Mapped: the file's pages, which must not change while mapped.
        #[cfg(feature = "mmap")]
        Mapped(memmap2::Mmap),
    }

    impl<A> ArchiveFile<A> {
        /// The file's bytes, header included.
        fn file_bytes(&self) -> &[u8] {
            match &self.bytes {
                Bytes::Read(v) => v,
                #[cfg(feature = "mmap")]
                Bytes::Mapped(m) => m,
            }
        }
    }

    impl<A: Portable> Deref for ArchiveFile<A> {
        type Target = A;

        fn deref(&self) -> &A {
            // SAFETY: the bytes were checked by `body` and validated by
            // `rkyv::access` when `load` or `open` made this (or the caller
            // of `open_unchecked` promised them valid), and they have not
            // changed: a read buffer is ours and never written, and a
            // mapping's file must not change while mapped (`open`'s
            // contract).
            unsafe { rkyv::access_unchecked::<A>(&self.file_bytes()[HEADER_LEN..]) }
        }
    }

    impl<A: Portable + core::fmt::Debug> core::fmt::Debug for ArchiveFile<A> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            (**self).fmt(f)
        }
    }

    /// Checks the header and validates the archive in `bytes`.
    fn validated<T>(bytes: Bytes) -> Result<ArchiveFile<T::Archived>, FileError>
    where
        T: TreeArchive,
        T::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let file = ArchiveFile::<T::Archived> {
            bytes,
            archived: PhantomData,
        };
        let body = body::<T>(file.file_bytes())?;
        rkyv::access::<T::Archived, BoxedError>(body).map_err(FileError::Rkyv)?;
        Ok(file)
    }

    /// Reads the file at `path` (written by [`save`](super::save)) into
    /// memory and validates it: the header must name a `T`, and the
    /// archive must pass `rkyv::access`. Queries then read the bytes in
    /// place, with no deserializing. The file may change or go away
    /// afterwards: the bytes read are the archive's own.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    /// use bptree::archive::{load, save};
    ///
    /// let path = std::env::temp_dir().join(format!("bptree-load-{}.bpt", std::process::id()));
    /// let big: BPlusTreeMap<u32, u32> = (0..1000).map(|k| (k, k * 2)).collect();
    /// save(&big, &path).unwrap();
    /// let file = load::<BPlusTreeMap<u32, u32>>(&path).unwrap();
    /// // Saving over the file does not touch what was loaded.
    /// save(&BPlusTreeMap::<u32, u32>::new(), &path).unwrap();
    /// assert_eq!(file.get(&999).unwrap(), &1998);
    /// assert!(load::<BPlusTreeMap<u32, u32>>(&path).unwrap().is_empty());
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn load<T>(path: impl AsRef<Path>) -> Result<ArchiveFile<T::Archived>, FileError>
    where
        T: TreeArchive,
        T::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        use std::io::Read;

        let mut file = std::fs::File::open(path)?;
        let hint = file.metadata().map_or(0, |m| m.len());
        let mut bytes = AlignedVec::<ALIGN>::with_capacity(usize::try_from(hint).unwrap_or(0));
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        validated::<T>(Bytes::Read(bytes))
    }

    /// Maps a file into memory and checks its header.
    #[cfg(feature = "mmap")]
    fn map<T: TreeArchive>(path: &Path) -> Result<memmap2::Mmap, FileError> {
        let file = std::fs::File::open(path)?;
        if file.metadata()?.len() < HEADER_LEN as u64 {
            return Err(FileError::NotAnArchive);
        }
        // SAFETY: mapping a file is sound as long as it does not change
        // while mapped, which the callers (`open`, `open_unchecked`) require
        // of theirs.
        let map = unsafe { memmap2::Mmap::map(&file)? };
        body::<T>(&map)?;
        Ok(map)
    }

    /// Maps the file at `path` (written by [`save`](super::save)) and
    /// validates it once: the header must name a `T`, and the archive must
    /// pass `rkyv::access`. Queries then read the mapped pages in place:
    /// no copy, and only the pages a query touches are read from disk.
    /// [`load`] is the safe form, which reads the file into memory.
    ///
    /// ```
    /// use bptree::BPlusTreeMap;
    ///
    /// let map: BPlusTreeMap<u32, String> = (0..100).map(|k| (k, k.to_string())).collect();
    /// let path = std::env::temp_dir().join(format!("bptree-open-{}.bpt", std::process::id()));
    /// bptree::archive::save(&map, &path).unwrap();
    /// // SAFETY: this program wrote the file, and nothing changes it while
    /// // it is mapped (`save` replaces a file, it never writes into one).
    /// let file = unsafe { bptree::archive::open::<BPlusTreeMap<u32, String>>(&path) }.unwrap();
    /// assert_eq!(file.get(&42).unwrap(), "42");
    /// # drop(file);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    ///
    /// # Safety
    ///
    /// The file must not change while it is mapped (until the
    /// [`ArchiveFile`] is dropped): no process may write to it or truncate
    /// it. The archive is validated once, here, and queries trust it
    /// afterwards; a write makes them read changed bytes, and a truncation
    /// makes them fault (`SIGBUS`). This is the contract of every
    /// memory-mapped file (memmap2's `Mmap::map` is `unsafe` for it).
    /// Replacing the file (writing a new one and renaming it over the path,
    /// as [`save`](super::save) does, or removing it) is fine: the mapping
    /// keeps the old file.
    #[cfg(feature = "mmap")]
    pub unsafe fn open<T>(path: impl AsRef<Path>) -> Result<ArchiveFile<T::Archived>, FileError>
    where
        T: TreeArchive,
        T::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        validated::<T>(Bytes::Mapped(map::<T>(path.as_ref())?))
    }

    /// As [`open`], checking the header but not the archive: O(1) whatever
    /// the file's size.
    ///
    /// # Safety
    ///
    /// As for [`open`], and the archive in the file must be valid ([`open`]
    /// would accept it), for example a file this program wrote and nobody
    /// else can write.
    #[cfg(feature = "mmap")]
    pub unsafe fn open_unchecked<T>(
        path: impl AsRef<Path>,
    ) -> Result<ArchiveFile<T::Archived>, FileError>
    where
        T: TreeArchive,
        T::Archived: Portable,
    {
        Ok(ArchiveFile {
            bytes: Bytes::Mapped(map::<T>(path.as_ref())?),
            archived: PhantomData,
        })
    }
}
