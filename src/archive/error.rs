//! What validation can find wrong in an archive.

#![forbid(unsafe_code)]

use core::fmt;

/// A structural invariant of an archived map or set that its bytes break,
/// found by validation ([`rkyv::access`] runs it after rkyv's own
/// checks). Byte-level problems (a truncated or misaligned buffer, a
/// pointer out of bounds, an invalid `char` or `bool`) are rkyv's errors;
/// this type names the tree's own invariants. With
/// [`rancor::BoxedError`](rkyv::rancor::BoxedError) both arrive as a
/// message, in release builds too.
///
/// ```
/// use bptree::BPlusTreeMap;
/// use bptree::archive::ArchivedBPlusTreeMap;
/// use rkyv::rancor::BoxedError;
/// use rkyv::rend::u32_le;
///
/// let map: BPlusTreeMap<u32, u32> = (0..40).map(|k| (k, k)).collect();
/// let mut bytes = rkyv::to_bytes::<BoxedError>(&map).unwrap();
/// // Swap the first two keys (the key array starts the buffer).
/// bytes[..8].copy_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
/// let err = rkyv::access::<ArchivedBPlusTreeMap<u32_le, u32_le>, BoxedError>(&bytes)
///     .unwrap_err();
/// assert!(err.to_string().contains("keys not strictly ascending at index 1"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The key at `index` is not above the key before it.
    KeysNotAscending {
        /// Position of the offending key in key order.
        index: usize,
    },
    /// The separator array does not have the length that the number of
    /// keys implies.
    SeparatorCount {
        /// The number of keys.
        keys: usize,
        /// The separators those keys need.
        expected: usize,
        /// The separators the archive holds.
        found: usize,
    },
    /// Separator `index` of branch level `level` (1 is just above the keys)
    /// is not equal to the key it stands for.
    SeparatorMismatch {
        /// The branch level, counted from the keys up.
        level: usize,
        /// The separator's position within its level.
        index: usize,
    },
    /// A map holds a different number of values than keys.
    ValueCount {
        /// The number of keys.
        keys: usize,
        /// The number of values.
        values: usize,
    },
    /// Deserializing: the native keys are not strictly ascending although
    /// the archived ones are, so the archived type's `Ord` and the native
    /// type's disagree.
    NativeOrder {
        /// Position of the first native key not above the one before it.
        index: usize,
    },
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ArchiveError::KeysNotAscending { index } => write!(
                f,
                "invalid bptree archive: keys not strictly ascending at index {index}"
            ),
            ArchiveError::SeparatorCount {
                keys,
                expected,
                found,
            } => write!(
                f,
                "invalid bptree archive: {keys} keys need {expected} separators, found {found}"
            ),
            ArchiveError::SeparatorMismatch { level, index } => write!(
                f,
                "invalid bptree archive: separator {index} of level {level} differs from its key"
            ),
            ArchiveError::ValueCount { keys, values } => {
                write!(f, "invalid bptree archive: {keys} keys but {values} values")
            }
            ArchiveError::NativeOrder { index } => write!(
                f,
                "bptree archive: the native keys are not strictly ascending at index {index} \
                 (the archived and native key types order differently)"
            ),
        }
    }
}

impl core::error::Error for ArchiveError {}
