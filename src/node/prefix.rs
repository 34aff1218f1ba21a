//! Key prefixes: what a node of a [`Prefixed`](crate::policy::Prefixed)
//! configuration keeps beside its keys, so that a search compares integers
//! in the node instead of following each key to its bytes on the heap.
//!
//! A node's [`PrefixBlock`] holds `skip`, the number of leading bytes that
//! every key of the node shares (at most [`SHARED`]), those bytes, and for
//! each key the 8 bytes that follow them, big-endian, as a `u64` word, the
//! byte after those, and the key's length. The bytes are the key's own
//! (`String`, `str`, `Vec<u8>`, `[u8]`, boxed and borrowed forms of them),
//! or for keys of the configuration's key type `P` the image its
//! [`KeyPrefix`] impl writes, padded with zeros past its end: the keys'
//! order is their bytes' order, so a word below the query's word is a key
//! below the query. Only keys whose word ties with the query's are looked
//! at further (usually the one key equal to it, or none): by the next
//! byte, then, where the key or the query ends within the `skip + 9` bytes
//! compared, by length (one is a prefix of the other), and only otherwise
//! by `Ord` (for a byte string, its bytes on the heap).
//!
//! Which keys have bytes is read from their type, not from a trait bound
//! (the engine's signatures, like `BTreeMap`'s, ask only `K: Borrow<Q>,
//! Q: Ord`): [`bytes_of`] recognises the byte-string types above, and
//! [`image_of`] those and `P`, by their type identity, a test that
//! compiles to a constant. Keys of any other type, and queries not of the
//! keys' kind (a byte string for byte-string keys, `P` for `P` keys), are
//! searched by `Ord` as in every other configuration; their nodes' blocks
//! are left as they are.
//!
//! # The block's invariant
//!
//! For every key `k` in slot `i` of a node with `len` keys: its padded
//! bytes `0..skip` equal `shared[..skip]`, `words[i]` is its padded bytes
//! `skip..skip + 8` as a big-endian `u64`, `next[i]` its padded byte
//! `skip + 8`, and `lens[i]` its length (at most 255). No operation but a
//! rebuild reads a key other than the one it inserts: an insert whose key
//! does not share `skip` bytes lowers `skip` and re-derives the words and
//! next bytes from the shared bytes; a split copies the block's slots; a
//! merge or a move between siblings lowers both blocks to the bytes they
//! share and moves the slots; a removal shifts them. A block whose words
//! all tie is rebuilt from its keys (it may then skip more), as are the
//! blocks of bulk builds, clones and the handle-width move.
//! `check_invariants` compares every block with its keys.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::cmp::Ordering;
use core::marker::PhantomData;
use core::ptr;

use crate::policy::{KeyImage, KeyPrefix};
use crate::raw::search::{count_while, prefetch, search_branch, search_leaf};

/// The most leading bytes a node records as shared by all its keys.
pub(crate) const SHARED: usize = 32;

// A key's length is kept exact up to 254: enough for every length a
// search compares by (at most `SHARED + 8`).
const _: () = assert!(SHARED + 9 < 255);

/// The byte strings whose `Ord` is the order of their bytes, each with how
/// to read its bytes: [`bytes_of`] and [`has_bytes`] recognise exactly
/// these.
macro_rules! byte_strings {
    ($($ty:ty => |$k:ident| $bytes:expr),* $(,)?) => {
        /// The bytes of `key` if its type is one of the byte strings whose
        /// `Ord` is the order of their bytes: `String`, `str`, `Vec<u8>`,
        /// `[u8]`, and `Box`, `Rc`, `Arc`, `Cow` and `&` of `str` and
        /// `[u8]`. `None` for every other type. Which one applies is
        /// decided by the compiler, per type.
        #[inline(always)]
        pub(crate) fn bytes_of<T: ?Sized>(key: &T) -> Option<&[u8]> {
            let id = typeid::of::<T>();
            $(
                if id == typeid::of::<$ty>() {
                    // SAFETY: `T` is `$ty`, lifetimes aside (their type
                    // identities, which ignore lifetimes, are equal), so
                    // the two references have one layout (thin, or with
                    // the same metadata); the reference made keeps `key`'s
                    // lifetime.
                    let $k: &$ty = unsafe { core::mem::transmute_copy::<&T, &$ty>(&key) };
                    return Some($bytes);
                }
            )*
            None
        }

        /// Whether keys of type `T` have bytes ([`bytes_of`]).
        #[inline(always)]
        pub(crate) fn has_bytes<T: ?Sized>() -> bool {
            let id = typeid::of::<T>();
            false $(|| id == typeid::of::<$ty>())*
        }
    };
}

byte_strings! {
    String => |k| k.as_bytes(),
    str => |k| k.as_bytes(),
    Vec<u8> => |k| k.as_slice(),
    [u8] => |k| k,
    Box<str> => |k| k.as_bytes(),
    Box<[u8]> => |k| &k[..],
    Rc<str> => |k| k.as_bytes(),
    Rc<[u8]> => |k| &k[..],
    Arc<str> => |k| k.as_bytes(),
    Arc<[u8]> => |k| &k[..],
    Cow<'static, str> => |k| k.as_bytes(),
    Cow<'static, [u8]> => |k| &k[..],
    &'static str => |k| k.as_bytes(),
    &'static [u8] => |k| *k,
}

/// Types without lifetime parameters, so that equal type identities (which
/// ignore lifetimes) mean equal types: what [`as_type`] retypes to.
///
/// # Safety
/// The implementing type has no lifetime parameters.
pub(crate) unsafe trait Plain: 'static {}

macro_rules! plain {
    ($($t:ty),*) => {$(
        // SAFETY: a primitive integer has no lifetime parameters.
        unsafe impl Plain for $t {}
    )*};
}

plain!(u16, u32, u64, usize, i32, i64);

// SAFETY: a pair of types without lifetime parameters has none.
unsafe impl<A: Plain, B: Plain> Plain for (A, B) {}

/// `keys` and `q` as `T`s, if `K` and `Q` are both `T` (tuples of
/// integers, whose `Ord` is std's).
#[inline(always)]
pub(crate) fn as_type<'a, T: Plain, K, Q: ?Sized>(
    keys: &'a [K],
    q: &'a Q,
) -> Option<(&'a [T], &'a T)> {
    if typeid::of::<K>() != typeid::of::<T>() || typeid::of::<Q>() != typeid::of::<T>() {
        return None;
    }
    // SAFETY: `K` and `Q` are `T`: their type identities are equal, and
    // `T` has no lifetime parameters for the identity to ignore (`Plain`),
    // so the slice and the reference are the same ones, retyped.
    unsafe {
        let keys = core::slice::from_raw_parts(keys.as_ptr().cast::<T>(), keys.len());
        let q = &*ptr::from_ref(q).cast::<T>();
        Some((keys, q))
    }
}

/// What a node knows keys of a type by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Nothing: searched by `Ord`.
    None,
    /// A byte string ([`bytes_of`]).
    Bytes,
    /// The configuration's key type `P`, by its [`KeyPrefix`] image.
    Image,
}

/// What keys of type `T` are known by, in a block for keys of type `P`.
#[inline(always)]
fn kind<T: ?Sized, P: ?Sized>() -> Kind {
    if has_bytes::<T>() {
        Kind::Bytes
    } else if typeid::of::<T>() == typeid::of::<P>() {
        Kind::Image
    } else {
        Kind::None
    }
}

/// A key's image as a block reads it: its first bytes (all of them, or
/// at least the first [`IMAGE_BYTES`](crate::policy::IMAGE_BYTES)) and its length (exact up to
/// `IMAGE_BYTES`; beyond, only known to be more). A block reads no byte
/// past `IMAGE_BYTES` (`SHARED + 9`) and compares lengths only where one
/// of the two is within them.
#[derive(Clone, Copy)]
struct Image<'a> {
    head: &'a [u8],
    len: usize,
}

/// `key`'s image, if keys of its type are known by one in a block for
/// keys of type `P` (see [`kind`]): a byte string's bytes, or the image a
/// `P` writes to `scratch`.
#[inline(always)]
fn image_of<'a, T: ?Sized, P: KeyPrefix + ?Sized>(
    key: &'a T,
    scratch: &'a mut KeyImage,
) -> Option<Image<'a>> {
    match kind::<T, P>() {
        Kind::Bytes => bytes_of(key).map(|head| Image {
            head,
            len: head.len(),
        }),
        Kind::Image => {
            // SAFETY: `T` is `P`, lifetimes aside (their type identities,
            // which ignore lifetimes, are equal), so the references have
            // one layout; `KeyPrefix`'s contract (an `unsafe` trait) is
            // that its methods keep no reference from the key past the
            // call, so lifetimes longer than the key's are never used.
            let key: &P = unsafe { core::mem::transmute_copy::<&T, &P>(&key) };
            *scratch = KeyImage::new();
            // Images are written in the middle of a node's changes (a
            // merge's rebuild), where unwinding would leave the tree half
            // changed: a panic in `write_image` aborts instead.
            let guard = AbortOnUnwind;
            key.write_image(scratch);
            core::mem::forget(guard);
            Some(Image {
                head: scratch.bytes(),
                len: scratch.len(),
            })
        }
        Kind::None => None,
    }
}

/// Dropped only while a panic unwinds past it: panics again, which
/// aborts the process.
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        panic!("bptree: a KeyPrefix::write_image panicked while the map was changing; aborting");
    }
}

/// Bytes `at..at + 8` of `bytes` padded with zeros, big-endian.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(b) => u64::from_be_bytes(b.try_into().unwrap_or([0; 8])),
        None => {
            let mut w = [0u8; 8];
            let tail = bytes.get(at..).unwrap_or(&[]);
            w[..tail.len()].copy_from_slice(tail);
            u64::from_be_bytes(w)
        }
    }
}

/// How many of `words` (those from the first `>= w` on) equal `w`: the
/// keys a search compares whole. Mostly none or one, so the first two are
/// looked at before counting.
#[inline(always)]
fn ties(words: &[u64], w: u64) -> usize {
    match words {
        [a, b, ..] if *a == w && *b == w => 2 + count_while(&words[2..], |&x| x == w),
        [a, ..] if *a == w => 1,
        _ => 0,
    }
}

/// How a key (its image's length capped at 255 in `len`, its byte after
/// the word in `next`) orders against the query `q` whose first `skip + 8`
/// bytes, padded with zeros, it shares. The next byte first; past it,
/// where either of the two ends within the bytes compared, it is a prefix
/// of the other followed by zeros, so the shorter is the lesser and equal
/// lengths are equal keys: the key itself is not read. Otherwise `cmp`
/// (the key's `Ord` against the query) decides.
#[inline(always)]
fn tie_order(
    len: u8,
    next: u8,
    q: Image<'_>,
    skip: usize,
    cmp: impl FnOnce() -> Ordering,
) -> Ordering {
    let covered = skip + 8;
    let qn = byte_at(q.head, covered);
    if next != qn {
        return next.cmp(&qn);
    }
    let covered = covered + 1;
    let len = usize::from(len);
    if len.min(q.len) <= covered {
        // `covered` is at most SHARED + 9, below 255 and within the
        // lengths known exactly: `len` is exact here, or `q.len` is and
        // `len` is larger.
        return len.cmp(&q.len);
    }
    cmp()
}

/// Byte `at` of `bytes` padded with zeros.
#[inline(always)]
fn byte_at(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// A key's length as the block keeps it: exact up to 254, 255 beyond.
#[inline(always)]
fn len8(len: usize) -> u8 {
    len.min(255) as u8
}

/// How many of the first `max` bytes `a` and `b` share, each padded with
/// zeros past its end.
fn shared_len(a: &[u8], b: &[u8], max: usize) -> usize {
    (0..max)
        .find(|&i| a.get(i).copied().unwrap_or(0) != b.get(i).copied().unwrap_or(0))
        .unwrap_or(max)
}

/// How `q`'s first `prefix.len()` bytes, padded with zeros, order against
/// `prefix`.
#[inline(always)]
fn cmp_padded(q: &[u8], prefix: &[u8]) -> Ordering {
    let n = q.len().min(prefix.len());
    match q[..n].cmp(&prefix[..n]) {
        Ordering::Equal if prefix[n..].iter().any(|&b| b != 0) => Ordering::Less,
        o => o,
    }
}

/// What a node keeps beside its keys: nothing (`()`, every configuration
/// but [`Prefixed`](crate::policy::Prefixed)'s), or a [`PrefixBlock`].
/// Every method takes the node's keys as they are after the change it
/// follows (or before the change it precedes, where it says so).
pub trait Block: Sized + Send + Sync + 'static {
    /// Whether this block holds anything (`false` for `()`).
    #[doc(hidden)]
    const ON: bool;
    /// Write an empty block at `this`.
    ///
    /// # Safety
    /// `this` is valid for writes and aligned.
    #[doc(hidden)]
    unsafe fn init(this: *mut Self);
    /// Key `key` is about to be inserted at `i` in a node of `len` keys.
    #[doc(hidden)]
    fn insert<K>(&mut self, len: usize, i: usize, key: &K);
    /// Key `i` of a node of `len` keys of type `K` (before the removal)
    /// is removed.
    #[doc(hidden)]
    fn remove<K>(&mut self, len: usize, i: usize);
    /// Ask the CPU to load what a search of the node reads first.
    #[doc(hidden)]
    fn prefetch<K>(&self, keys: &[K]);
    /// Derive the block anew from the node's keys.
    #[doc(hidden)]
    fn rebuild<K>(&mut self, keys: &[K]);
    /// The block as plain data, to hand to [`take_from`](Block::take_from)
    /// of a block of another type (`None` for `()`).
    #[doc(hidden)]
    fn parts(&self) -> Option<Parts<'_>>;
    /// Keys `at..len` of this node of `len` keys move to the empty node
    /// whose block is `dst`.
    #[doc(hidden)]
    fn split_to(&mut self, len: usize, at: usize, dst: &mut Self);
    /// The keys `from..from + count` of the node whose block is `src` (of
    /// keys of type `K`) join this node of `len` keys at its end, or at
    /// its front. With no `src` (a block of `()`), derive the block anew
    /// from `keys`, the node's keys after the move, and return `true`.
    #[doc(hidden)]
    fn take_from<K>(
        &mut self,
        len: usize,
        src: Option<Parts<'_>>,
        range: (usize, usize),
        front: bool,
        keys: &[K],
    ) -> bool;
    /// Whether a search for a `Q` among keys of type `K` goes through the
    /// block (both are byte strings, or both the configuration's key type,
    /// and the block is kept), so that a key comparison costs more than
    /// the block's search. A constant per type.
    #[doc(hidden)]
    fn searches<K: ?Sized, Q: ?Sized>() -> bool;
    /// Whether the first `len` words all tie (the block tells the keys
    /// apart no better than `Ord` would: a rebuild may skip more bytes).
    #[doc(hidden)]
    fn is_flat(&self, len: usize) -> bool;
    /// The first `count` keys of this node of `len` keys left it.
    #[doc(hidden)]
    fn remove_front<K>(&mut self, len: usize, count: usize);
    /// [`search_leaf`] over the node's keys, through the block.
    #[doc(hidden)]
    fn search_leaf<K: Borrow<Q>, Q: Ord + ?Sized>(&self, keys: &[K], q: &Q)
    -> Result<usize, usize>;
    /// [`search_branch`] over the node's keys, through the block.
    #[doc(hidden)]
    fn search_branch<K: Borrow<Q>, Q: Ord + ?Sized>(&self, keys: &[K], q: &Q) -> usize;
    /// Whether the block is the one [`rebuild`](Block::rebuild) would
    /// derive from `keys`, or another that holds for them (a `skip` that
    /// is lower, from inserts, but true).
    #[doc(hidden)]
    fn holds_for<K>(&self, keys: &[K]) -> bool;
}

impl Block for () {
    const ON: bool = false;
    #[inline(always)]
    fn searches<K: ?Sized, Q: ?Sized>() -> bool {
        false
    }
    #[inline(always)]
    unsafe fn init(_: *mut Self) {}
    #[inline(always)]
    fn insert<K>(&mut self, _: usize, _: usize, _: &K) {}
    #[inline(always)]
    fn remove<K>(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn prefetch<K>(&self, keys: &[K]) {
        prefetch(keys);
    }
    #[inline(always)]
    fn rebuild<K>(&mut self, _: &[K]) {}
    #[inline(always)]
    fn parts(&self) -> Option<Parts<'_>> {
        None
    }
    #[inline(always)]
    fn split_to(&mut self, _: usize, _: usize, _: &mut Self) {}
    #[inline(always)]
    fn take_from<K>(
        &mut self,
        _: usize,
        _: Option<Parts<'_>>,
        _: (usize, usize),
        _: bool,
        _: &[K],
    ) -> bool {
        false
    }
    #[inline(always)]
    fn remove_front<K>(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn is_flat(&self, _: usize) -> bool {
        false
    }
    #[inline(always)]
    fn search_leaf<K: Borrow<Q>, Q: Ord + ?Sized>(
        &self,
        keys: &[K],
        q: &Q,
    ) -> Result<usize, usize> {
        search_leaf(keys, q)
    }
    #[inline(always)]
    fn search_branch<K: Borrow<Q>, Q: Ord + ?Sized>(&self, keys: &[K], q: &Q) -> usize {
        search_branch(keys, q)
    }
    fn holds_for<K>(&self, _: &[K]) -> bool {
        true
    }
}

/// A [`PrefixBlock`] as plain data: its `skip`, its shared bytes (the
/// first `skip`) and its words.
pub struct Parts<'a> {
    skip: usize,
    shared: &'a [u8],
    words: &'a [u64],
    lens: &'a [u8],
    next: &'a [u8],
}

/// A key's word `w` and next byte `next` in a node whose keys share
/// `shared`, as they are in a node whose keys share only its first `to`
/// bytes: the key's bytes `to..shared.len()` are the shared ones, and its
/// bytes from `shared.len()` on begin its old word, then its next byte.
#[inline]
fn lowered(w: u64, next: u8, shared: &[u8], to: usize) -> (u64, u8) {
    let gap = shared.len() - to;
    if gap == 0 {
        return (w, next);
    }
    let head = word_at(shared, to);
    match gap {
        // The new next byte is the old word's byte `8 - gap`.
        1..8 => (head | (w >> (8 * gap)), (w >> (8 * (gap - 1))) as u8),
        8 => (head, (w >> 56) as u8),
        _ => (head, shared[to + 8]),
    }
}

/// A node's key prefixes (see the module docs): `CAP` words, `CAP` lengths,
/// `CAP` next bytes, and the bytes all of the node's keys share; for keys
/// that are byte strings or of type `P`.
/// `repr(C)`: the lengths and next bytes follow the words, so one prefetch
/// asks for all three.
#[repr(C)]
pub struct PrefixBlock<const CAP: usize, P: ?Sized = str> {
    /// The words of the node's keys: slot `i` is key `i`'s padded bytes
    /// `skip..skip + 8`, big-endian. The first `len` are meaningful.
    words: [u64; CAP],
    /// The lengths of the node's keys, at most 255 (so exact up to the
    /// bytes a word covers): a search tells a key that ties with the query
    /// from it by length, without reading the key.
    lens: [u8; CAP],
    /// The byte of each key after its word (`skip + 8`, padded): one more
    /// byte a search compares before it reads a key.
    next: [u8; CAP],
    /// The bytes every key of the node shares (the first `skip`).
    shared: [u8; SHARED],
    skip: u8,
    key: PhantomData<fn() -> *const P>,
}

impl<const CAP: usize, P: KeyPrefix + ?Sized + 'static> PrefixBlock<CAP, P> {
    #[inline(always)]
    fn skip(&self) -> usize {
        self.skip as usize
    }

    /// Lower `skip` to `to`, re-deriving the first `len` words from the
    /// shared bytes: a key's bytes `to..skip` are `shared[to..skip]`, and
    /// its bytes from `skip` on begin its old word.
    fn lower_skip(&mut self, len: usize, to: usize) {
        let from = self.skip();
        debug_assert!(to < from);
        let shared = &self.shared[..from];
        for (w, n) in self.words[..len].iter_mut().zip(&mut self.next[..len]) {
            (*w, *n) = lowered(*w, *n, shared, to);
        }
        self.skip = to as u8;
    }

    /// `q`'s position against the node's keys when its bytes `..skip`
    /// differ from theirs (`Some(0)`: before all; `Some(len)`: after all),
    /// else `None` and its word.
    #[inline(always)]
    fn place(&self, q: &[u8], len: usize) -> Result<u64, usize> {
        let skip = self.skip();
        match cmp_padded(q, &self.shared[..skip]) {
            Ordering::Less => Err(0),
            Ordering::Greater => Err(len),
            Ordering::Equal => Ok(word_at(q, skip)),
        }
    }

    /// Whether keys of type `K` have images here.
    #[inline(always)]
    fn known<K: ?Sized>() -> bool {
        kind::<K, P>() != Kind::None
    }
}

impl<const CAP: usize, P: KeyPrefix + ?Sized + 'static> Block for PrefixBlock<CAP, P> {
    const ON: bool = true;

    #[inline(always)]
    fn searches<K: ?Sized, Q: ?Sized>() -> bool {
        Self::known::<K>() && kind::<K, P>() == kind::<Q, P>()
    }

    unsafe fn init(this: *mut Self) {
        // SAFETY: `this` is valid for writes (caller's contract); every
        // field is plain bytes, for which zeros are a value.
        unsafe { ptr::write_bytes(this, 0, 1) };
    }

    #[inline]
    fn insert<K>(&mut self, len: usize, i: usize, key: &K) {
        let mut scratch = KeyImage::new();
        let Some(Image {
            head: bytes,
            len: key_len,
        }) = image_of::<K, P>(key, &mut scratch)
        else {
            return;
        };
        debug_assert!(len < CAP && i <= len);
        if len == 0 {
            // The only key: all of its bytes (up to SHARED) are shared.
            let skip = bytes.len().min(SHARED);
            self.shared[..skip].copy_from_slice(&bytes[..skip]);
            self.skip = skip as u8;
        } else {
            let common = shared_len(bytes, &self.shared, self.skip());
            if common < self.skip() {
                self.lower_skip(len, common);
            }
        }
        self.words.copy_within(i..len, i + 1);
        self.words[i] = word_at(bytes, self.skip());
        self.lens.copy_within(i..len, i + 1);
        self.lens[i] = len8(key_len);
        self.next.copy_within(i..len, i + 1);
        self.next[i] = byte_at(bytes, self.skip() + 8);
    }

    #[inline]
    fn remove<K>(&mut self, len: usize, i: usize) {
        if Self::known::<K>() {
            self.words.copy_within(i + 1..len, i);
            self.lens.copy_within(i + 1..len, i);
            self.next.copy_within(i + 1..len, i);
        }
    }

    #[inline(always)]
    fn prefetch<K>(&self, keys: &[K]) {
        if Self::known::<K>() {
            // The words in use, and after all `CAP` words the lengths and
            // the next bytes in use.
            let bytes = 9 * CAP + keys.len();
            crate::raw::search::prefetch_bytes(self.words.as_ptr().cast(), bytes.min(1024));
        } else {
            prefetch(keys);
        }
    }

    fn rebuild<K>(&mut self, keys: &[K]) {
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            self.skip = 0;
            return;
        };
        let (mut a, mut b) = (KeyImage::new(), KeyImage::new());
        let (Some(first), Some(last)) = (
            image_of::<K, P>(first, &mut a),
            image_of::<K, P>(last, &mut b),
        ) else {
            return;
        };
        let skip = shared_len(first.head, last.head, SHARED);
        for (i, s) in self.shared[..skip].iter_mut().enumerate() {
            *s = byte_at(first.head, i);
        }
        self.skip = skip as u8;
        let mut scratch = KeyImage::new();
        let slots = self
            .words
            .iter_mut()
            .zip(&mut self.lens)
            .zip(&mut self.next);
        for (((w, l), n), k) in slots.zip(keys) {
            let Some(img) = image_of::<K, P>(k, &mut scratch) else {
                return;
            };
            *w = word_at(img.head, skip);
            *l = len8(img.len);
            *n = byte_at(img.head, skip + 8);
        }
    }

    fn parts(&self) -> Option<Parts<'_>> {
        Some(Parts {
            skip: self.skip(),
            shared: &self.shared[..self.skip()],
            words: &self.words,
            lens: &self.lens,
            next: &self.next,
        })
    }

    fn split_to(&mut self, len: usize, at: usize, dst: &mut Self) {
        dst.skip = self.skip;
        dst.shared = self.shared;
        dst.words[..len - at].copy_from_slice(&self.words[at..len]);
        dst.lens[..len - at].copy_from_slice(&self.lens[at..len]);
        dst.next[..len - at].copy_from_slice(&self.next[at..len]);
    }

    fn take_from<K>(
        &mut self,
        len: usize,
        src: Option<Parts<'_>>,
        (from, count): (usize, usize),
        front: bool,
        keys: &[K],
    ) -> bool {
        if !Self::known::<K>() || count == 0 {
            return false;
        }
        let Some(src) = src else {
            self.rebuild(keys);
            return true;
        };
        // The bytes both nodes' keys share: the fewer of the two, and no
        // more than their shared bytes agree on.
        let to = if len == 0 {
            self.shared[..src.skip].copy_from_slice(src.shared);
            src.skip
        } else {
            let to = self.skip().min(src.skip);
            let to = shared_len(&self.shared[..self.skip()], src.shared, to);
            if to < self.skip() {
                self.lower_skip(len, to);
            }
            to
        };
        self.skip = to as u8;
        let start = if front {
            self.words.copy_within(..len, count);
            self.lens.copy_within(..len, count);
            self.next.copy_within(..len, count);
            0
        } else {
            len
        };
        let words = self.words[start..start + count].iter_mut();
        let next = self.next[start..start + count].iter_mut();
        let src_words = &src.words[from..from + count];
        let src_next = &src.next[from..from + count];
        for ((w, n), (&sw, &sn)) in words.zip(next).zip(src_words.iter().zip(src_next)) {
            (*w, *n) = lowered(sw, sn, src.shared, to);
        }
        self.lens[start..start + count].copy_from_slice(&src.lens[from..from + count]);
        false
    }

    fn is_flat(&self, len: usize) -> bool {
        len >= 2 && self.words[0] == self.words[len - 1]
    }

    fn remove_front<K>(&mut self, len: usize, count: usize) {
        if Self::known::<K>() {
            self.words.copy_within(count..len, 0);
            self.lens.copy_within(count..len, 0);
            self.next.copy_within(count..len, 0);
        }
    }

    #[inline]
    fn search_leaf<K: Borrow<Q>, Q: Ord + ?Sized>(
        &self,
        keys: &[K],
        q: &Q,
    ) -> Result<usize, usize> {
        let mut scratch = KeyImage::new();
        let qb = match image_of::<Q, P>(q, &mut scratch) {
            Some(qb) if Self::searches::<K, Q>() => qb,
            _ => return search_leaf(keys, q),
        };
        let len = keys.len();
        let words = &self.words[..len];
        let qw = self.place(qb.head, len)?;
        let lo = count_while(words, |&w| w < qw);
        let ties = ties(&words[lo..], qw);
        // The keys whose word ties with the query's: equal to it in their
        // first `skip + 8` bytes, padded.
        let skip = self.skip();
        let at = |i: usize| {
            let k = &keys[lo + i];
            tie_order(self.lens[lo + i], self.next[lo + i], qb, skip, || {
                k.borrow().cmp(q)
            })
        };
        match ties {
            // One tie, the usual case: a hit, or a key sharing 8 more bytes.
            1 => match at(0) {
                Ordering::Less => Err(lo + 1),
                Ordering::Equal => Ok(lo),
                Ordering::Greater => Err(lo),
            },
            _ => {
                let (mut a, mut b) = (0, ties);
                while a < b {
                    let m = a + (b - a) / 2;
                    match at(m) {
                        Ordering::Less => a = m + 1,
                        Ordering::Equal => return Ok(lo + m),
                        Ordering::Greater => b = m,
                    }
                }
                Err(lo + a)
            }
        }
    }

    #[inline]
    fn search_branch<K: Borrow<Q>, Q: Ord + ?Sized>(&self, keys: &[K], q: &Q) -> usize {
        let mut scratch = KeyImage::new();
        let qb = match image_of::<Q, P>(q, &mut scratch) {
            Some(qb) if Self::searches::<K, Q>() => qb,
            _ => return search_branch(keys, q),
        };
        let len = keys.len();
        let words = &self.words[..len];
        let qw = match self.place(qb.head, len) {
            Ok(w) => w,
            Err(i) => return i,
        };
        let lo = count_while(words, |&w| w < qw);
        let ties = ties(&words[lo..], qw);
        let skip = self.skip();
        let (mut a, mut b) = (0, ties);
        while a < b {
            let m = a + (b - a) / 2;
            let (l, n, k) = (self.lens[lo + m], self.next[lo + m], &keys[lo + m]);
            if tie_order(l, n, qb, skip, || k.borrow().cmp(q)) == Ordering::Greater {
                b = m;
            } else {
                a = m + 1;
            }
        }
        lo + a
    }

    fn holds_for<K>(&self, keys: &[K]) -> bool {
        let skip = self.skip();
        let mut scratch = KeyImage::new();
        keys.iter()
            .zip(&self.words)
            .zip(&self.lens)
            .zip(&self.next)
            .all(|(((k, &w), &l), &n)| {
                image_of::<K, P>(k, &mut scratch).is_none_or(|b| {
                    cmp_padded(b.head, &self.shared[..skip]) == Ordering::Equal
                        && word_at(b.head, skip) == w
                        && len8(b.len) == l
                        && byte_at(b.head, skip + 8) == n
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn recognises_byte_strings_only() {
        let s = "abc".to_string();
        assert_eq!(bytes_of(&s), Some(&b"abc"[..]));
        assert_eq!(bytes_of("abc"), Some(&b"abc"[..]));
        assert_eq!(bytes_of(&&*s), Some(&b"abc"[..]));
        assert_eq!(bytes_of(&b"ab".to_vec()), Some(&b"ab"[..]));
        assert_eq!(bytes_of(&b"ab"[..]), Some(&b"ab"[..]));
        assert_eq!(bytes_of(&Box::<str>::from("x")), Some(&b"x"[..]));
        assert_eq!(bytes_of(&Cow::Borrowed("cow")), Some(&b"cow"[..]));
        assert!(has_bytes::<String>() && has_bytes::<str>() && has_bytes::<&str>());
        assert_eq!(bytes_of(&5u32), None);
        assert_eq!(bytes_of(&(s.clone(), 1)), None);
        assert_eq!(bytes_of(core::slice::from_ref(&s)), None);
        assert!(!has_bytes::<u64>() && !has_bytes::<[u8; 4]>() && !has_bytes::<Vec<u16>>());
    }

    #[test]
    fn words_and_shared_lengths() {
        assert_eq!(word_at(b"abcdefghij", 0), u64::from_be_bytes(*b"abcdefgh"));
        assert_eq!(
            word_at(b"abcdefghij", 8),
            u64::from_be_bytes(*b"ij\0\0\0\0\0\0")
        );
        assert_eq!(word_at(b"ab", 5), 0);
        assert_eq!(shared_len(b"abc", b"abd", 32), 2);
        // Padded with zeros: "a" and "a\0" share every byte.
        assert_eq!(shared_len(b"a", b"a\0", 32), 32);
        assert_eq!(shared_len(b"a", b"a\0b", 32), 2);
        assert_eq!(cmp_padded(b"a", b"a\0"), Ordering::Equal);
        assert_eq!(cmp_padded(b"a", b"a\x01"), Ordering::Less);
        assert_eq!(cmp_padded(b"b", b"a\x01"), Ordering::Greater);
    }

    /// A block kept by inserts and removals in random order holds for its
    /// keys, lowers `skip` as keys with fewer shared bytes arrive, and
    /// searches as a scan does.
    #[test]
    fn block_agrees_with_a_scan() {
        const CAP: usize = 16;
        let pool = [
            "user:0001",
            "user:0002",
            "user:0010",
            "user:01",
            "user:1",
            "user",
            "us",
            "",
            "\0",
            "user:0001\0",
            "v",
            "user:00011",
            "user:0001\0\0",
            "zz",
        ];
        // SAFETY: `init` writes the whole block (zeros, a value of it).
        let mut block: PrefixBlock<CAP> = unsafe {
            let mut b = core::mem::MaybeUninit::uninit();
            PrefixBlock::init(b.as_mut_ptr());
            b.assume_init()
        };
        let mut keys: Vec<String> = Vec::new();
        for (step, k) in pool.iter().enumerate() {
            let i = keys.partition_point(|x| x.as_str() < *k);
            block.insert(keys.len(), i, &k.to_string());
            keys.insert(i, k.to_string());
            assert!(block.holds_for(&keys), "after inserting {k:?}");
            if step % 4 == 3 {
                block.remove::<String>(keys.len(), 0);
                keys.remove(0);
                assert!(block.holds_for(&keys));
            }
            for q in pool
                .iter()
                .chain(&["user:00", "user:0001\0\0\0", "a", "\0\0"])
            {
                let lin = keys.partition_point(|x| x.as_str() < *q);
                let found = keys.get(lin).is_some_and(|x| x == q);
                let expect = if found { Ok(lin) } else { Err(lin) };
                assert_eq!(block.search_leaf(&keys, *q), expect, "{q:?} in {keys:?}");
                let at_or_below = keys.partition_point(|x| x.as_str() <= *q);
                assert_eq!(
                    block.search_branch(&keys, *q),
                    at_or_below,
                    "{q:?} in {keys:?}"
                );
            }
        }
        block.rebuild(&keys);
        assert!(block.holds_for(&keys));
    }
}
