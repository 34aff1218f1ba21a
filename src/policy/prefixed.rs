//! [`Prefixed`]: nodes that keep their keys' prefixes beside them, and
//! [`KeyPrefix`]: how a key type other than the byte strings gives them.

use alloc::borrow::{Cow, ToOwned};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::marker::PhantomData;

use super::arena::sealed;
use super::{ArenaStrategy, Handle};
use crate::node::PrefixBlock;

/// Any arena strategy whose nodes keep, beside their keys, the bytes all of
/// a node's keys share and the next 8 bytes of each key as an integer: a
/// lookup compares integers inside the node and reads a key's bytes only
/// where its 8 bytes tie with the query's (mostly the key it finds).
///
/// For keys that are byte strings ordered by their bytes: `String`, `str`,
/// `Vec<u8>`, `[u8]`, and `Box`, `Rc`, `Arc`, `Cow` and `&` of `str` and
/// `[u8]`, looked up by any of these (a `String` map by `&str`, say), and
/// for keys of the type `P` (any type that implements [`KeyPrefix`]:
/// tuples such as `(u64, u64)` or `(String, u32)`, or a type of your own),
/// looked up by a `&P`. Ids that share a long prefix
/// (`"user:000123456789"`) still differ in their words: each node skips
/// the bytes its own keys share (up to 32). Keys of other types work as in
/// `A`'s maps, searched by `Ord`, and pay the memory for nothing. (Which
/// keys have prefixes is read from their type, not from a bound on the
/// map's methods: a map's signatures are those of every configuration.)
///
/// The price is memory: 10 bytes per slot in every leaf and branch (the
/// 8 bytes, the byte after them and the key's length), plus 40 per node: `String -> u64` maps
/// take about 1.33 times `A`'s bytes (1.05 to 1.21 times `BTreeMap`'s; the
/// README's memory section). Small maps that are still sorted runs (see
/// [`BPlusTreeMap::RUN_MAX`](crate::BPlusTreeMap::RUN_MAX)) keep no
/// prefixes and search by `Ord`. `Prefixed` composes with every other
/// choice: `Prefixed<PoolArena>`, `Counted<Prefixed<VecArena>>`,
/// `Indirect<Prefixed<VecArena>>`.
///
/// ```
/// use bptree::{BPlusTreeMap, Wide32};
/// use bptree::policy::{Prefixed, VecArena};
///
/// let mut ids: BPlusTreeMap<String, u32, Wide32, Prefixed<VecArena>> = BPlusTreeMap::empty();
/// for i in 0..1000u32 {
///     ids.insert(format!("user:{i:012}"), i);
/// }
/// assert_eq!(ids.get("user:000000000042"), Some(&42));
/// assert_eq!(ids.range("user:000000000998".to_string()..).count(), 2);
///
/// // Composite keys: name the key type.
/// type Pairs = Prefixed<VecArena, (String, u32)>;
/// let mut versions: BPlusTreeMap<(String, u32), &str, Wide32, Pairs> = BPlusTreeMap::empty();
/// versions.insert(("serde".to_string(), 1), "1.0");
/// versions.insert(("rkyv".to_string(), 8), "0.8");
/// assert_eq!(versions.get(&("rkyv".to_string(), 8)), Some(&"0.8"));
/// assert_eq!(versions.first_key_value().map(|(k, _)| k.0.as_str()), Some("rkyv"));
/// ```
pub struct Prefixed<A = super::Indirect, P: ?Sized = str>(
    PhantomData<A>,
    PhantomData<fn() -> *const P>,
);

impl<A, P: ?Sized> sealed::Sealed for Prefixed<A, P> {}

impl<A: ArenaStrategy, P: KeyPrefix + ?Sized + 'static> ArenaStrategy for Prefixed<A, P> {
    type Storage = A::Storage;
    type Raw<H: Handle> = A::Raw<H>;
    type Place<T: Send + Sync> = A::Place<T>;
    type Count = A::Count;
    type Block<const CAP: usize> = PrefixBlock<CAP, P>;
    const RUN_LEAVES: usize = A::RUN_LEAVES;
    const RUN_FIRST: usize = A::RUN_FIRST;
    const NAME: &'static str = A::NAME;
}

/// How many bytes of a key's image a node looks at: the bytes its keys
/// share (at most 32), the 8 of a key's word and the byte after them.
pub const IMAGE_BYTES: usize = crate::node::SHARED + 9;

/// The first bytes of a key's image, as [`KeyPrefix`] writes them: up to
/// [`IMAGE_BYTES`] bytes, and how many were pushed in all.
///
/// Pushing past `IMAGE_BYTES` only counts: a node never looks further,
/// and a key whose image is longer is told apart from its neighbours by
/// `Ord`. An implementation may stop writing once [`is_full`](Self::is_full).
#[derive(Clone)]
pub struct KeyImage {
    bytes: [u8; IMAGE_BYTES],
    len: usize,
}

impl KeyImage {
    /// An empty image.
    #[inline(always)]
    pub const fn new() -> Self {
        KeyImage {
            bytes: [0; IMAGE_BYTES],
            len: 0,
        }
    }

    /// Append `bytes`.
    #[inline]
    pub fn push(&mut self, bytes: &[u8]) {
        let at = self.len.min(IMAGE_BYTES);
        let n = bytes.len().min(IMAGE_BYTES - at);
        self.bytes[at..at + n].copy_from_slice(&bytes[..n]);
        self.len = self.len.saturating_add(bytes.len());
    }

    /// Append one byte.
    #[inline]
    pub fn push_byte(&mut self, byte: u8) {
        if let Some(b) = self.bytes.get_mut(self.len) {
            *b = byte;
        }
        self.len = self.len.saturating_add(1);
    }

    /// Whether more than [`IMAGE_BYTES`] bytes were pushed: whatever is
    /// pushed now is not looked at (only that the image is that long).
    #[inline(always)]
    pub fn is_full(&self) -> bool {
        self.len > IMAGE_BYTES
    }

    /// How many bytes were pushed: exact up to [`IMAGE_BYTES`]; beyond,
    /// an implementation that stopped early gives a smaller count that is
    /// still above it, which is all a node uses.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was pushed.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes kept: the first `min(len, IMAGE_BYTES)` pushed.
    #[inline(always)]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len.min(IMAGE_BYTES)]
    }
}

impl Default for KeyImage {
    fn default() -> Self {
        KeyImage::new()
    }
}

impl core::fmt::Debug for KeyImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyImage")
            .field("bytes", &self.bytes())
            .field("len", &self.len)
            .finish()
    }
}

/// Keys whose order is the order of a byte string they can write (their
/// *image*), so that a [`Prefixed`] configuration can keep 8 of those
/// bytes per key in its nodes and compare them as integers.
///
/// The image of `a` must order against the image of `b` as `a.cmp(b)`,
/// byte by byte, a proper prefix first (the order of `[u8]`): equal keys
/// have equal images, and a key less than another has a lesser image.
/// [`write_delimited`](Self::write_delimited) writes an image that no
/// other key's delimited image begins with, for use before more fields
/// (in tuples and arrays).
///
/// Implemented for the byte strings (their bytes), the integers
/// (big-endian, signed ones with the sign bit flipped), `char`, `bool`,
/// `()`, arrays, tuples of up to four fields, and references, `Box`,
/// `Rc`, `Arc` and `Cow` of these. Only the first [`IMAGE_BYTES`] bytes
/// are kept, so a key type whose images differ early (a tuple with a
/// leading integer) gains more than one whose images differ late.
///
/// An image that does not follow `Ord` makes lookups of that map miss or
/// find the wrong entry, as an `Ord` that is not a total order does
/// (never undefined behaviour, see *Safety*). The methods must not panic:
/// a map writes images in the middle of its changes, so a panic there
/// aborts the process rather than unwind through a half-changed tree.
///
/// # Safety
/// The trait is `unsafe` for lifetimes only. A map recognises its key
/// type as the configuration's `P` by type identity, which does not see
/// lifetimes: a map of `Name<'a>` whose configuration names `Name<'static>`
/// calls `Name<'static>`'s methods on values that live only for `'a`. So
/// `write_image` and `write_delimited` must not keep any reference they
/// read from `self` past the call (in a static, a thread-local or a cell).
/// An implementation for a type without lifetime parameters is always
/// sound; so is one that only pushes bytes.
///
/// ```
/// use bptree::policy::{KeyImage, KeyPrefix, Prefixed, VecArena};
/// use bptree::{BPlusTreeMap, Wide32};
///
/// /// Ordered by tenant, then by name.
/// #[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Debug)]
/// struct Account {
///     tenant: u32,
///     name: String,
/// }
///
/// // SAFETY: `Account` has no lifetime parameters.
/// unsafe impl KeyPrefix for Account {
///     fn write_image(&self, image: &mut KeyImage) {
///         // The fields in `Ord`'s order; every field but the last delimited.
///         self.tenant.write_delimited(image);
///         self.name.write_image(image);
///     }
///     fn write_delimited(&self, image: &mut KeyImage) {
///         self.tenant.write_delimited(image);
///         self.name.write_delimited(image);
///     }
/// }
///
/// type Accounts<V> = BPlusTreeMap<Account, V, Wide32, Prefixed<VecArena, Account>>;
/// let mut m: Accounts<u64> = BPlusTreeMap::empty();
/// for i in 0..1000u32 {
///     m.insert(Account { tenant: i % 3, name: format!("user{i}") }, u64::from(i));
/// }
/// let k = Account { tenant: 1, name: "user7".to_string() };
/// assert_eq!(m.get(&k), Some(&7));
/// assert_eq!(m.first_key_value().unwrap().0.name, "user0");
/// ```
pub unsafe trait KeyPrefix: Ord {
    /// Push the key's image to `image`.
    fn write_image(&self, image: &mut KeyImage);

    /// Push the key's image in a form that no other key's delimited image
    /// begins with (and in the same order). The default, `write_image`,
    /// is right where every image has one length (the integers, tuples of
    /// them); types whose images vary in length override it (the byte
    /// strings escape their zero bytes and end with two zeros).
    #[inline]
    fn write_delimited(&self, image: &mut KeyImage) {
        self.write_image(image);
    }
}

/// A byte string's delimited image: each zero byte as `0, 0xff`, then
/// `0, 0`, so that a string that is a prefix of another still orders first
/// and no image begins another.
#[inline]
fn delimit_bytes(bytes: &[u8], image: &mut KeyImage) {
    for chunk in bytes.split_inclusive(|&b| b == 0) {
        if image.is_full() {
            // The rest is not looked at; the length stays above the limit.
            return;
        }
        image.push(chunk);
        if chunk.last() == Some(&0) {
            image.push_byte(0xff);
        }
    }
    image.push(&[0, 0]);
}

// SAFETY: pushes bytes read from `self` and keeps no reference.
unsafe impl KeyPrefix for [u8] {
    #[inline]
    fn write_image(&self, image: &mut KeyImage) {
        image.push(self);
    }
    #[inline]
    fn write_delimited(&self, image: &mut KeyImage) {
        delimit_bytes(self, image);
    }
}

// SAFETY: pushes bytes read from `self` and keeps no reference.
unsafe impl KeyPrefix for str {
    #[inline]
    fn write_image(&self, image: &mut KeyImage) {
        image.push(self.as_bytes());
    }
    #[inline]
    fn write_delimited(&self, image: &mut KeyImage) {
        delimit_bytes(self.as_bytes(), image);
    }
}

/// Forward to the type the key derefs to, whose order it has.
macro_rules! forward_key_prefix {
    ($(impl[$($g:tt)*] for $ty:ty => $to:ty;)*) => {$(
        // SAFETY: forwards to the impl of the type it derefs to.
        unsafe impl<$($g)*> KeyPrefix for $ty {
            #[inline]
            fn write_image(&self, image: &mut KeyImage) {
                <$to as KeyPrefix>::write_image(self, image);
            }
            #[inline]
            fn write_delimited(&self, image: &mut KeyImage) {
                <$to as KeyPrefix>::write_delimited(self, image);
            }
        }
    )*};
}

forward_key_prefix! {
    impl[] for String => str;
    impl[] for Vec<u8> => [u8];
    impl['a, T: KeyPrefix + ?Sized] for &'a T => T;
    impl[T: KeyPrefix + ?Sized] for Box<T> => T;
    impl[T: KeyPrefix + ?Sized] for Rc<T> => T;
    impl[T: KeyPrefix + ?Sized] for Arc<T> => T;
}

// SAFETY: forwards to `B`'s impl.
unsafe impl<B: KeyPrefix + ToOwned + ?Sized> KeyPrefix for Cow<'_, B> {
    #[inline]
    fn write_image(&self, image: &mut KeyImage) {
        B::write_image(self, image);
    }
    #[inline]
    fn write_delimited(&self, image: &mut KeyImage) {
        B::write_delimited(self, image);
    }
}

/// Unsigned integers: big-endian. Signed ones: big-endian with the sign
/// bit flipped, so that negative numbers come first.
macro_rules! int_key_prefix {
    ($($u:ty),*; $($i:ty => $iu:ty),*) => {
        // SAFETY: pushes the integer's bytes.
        $(unsafe impl KeyPrefix for $u {
            #[inline]
            fn write_image(&self, image: &mut KeyImage) {
                image.push(&self.to_be_bytes());
            }
        })*
        // SAFETY: pushes the integer's bytes.
        $(unsafe impl KeyPrefix for $i {
            #[inline]
            fn write_image(&self, image: &mut KeyImage) {
                let flipped = (*self as $iu) ^ (1 << (<$iu>::BITS - 1));
                image.push(&flipped.to_be_bytes());
            }
        })*
    };
}

int_key_prefix!(u8, u16, u32, u64, u128, usize; i8 => u8, i16 => u16, i32 => u32, i64 => u64, i128 => u128, isize => usize);

// SAFETY: pushes bytes of a value.
unsafe impl KeyPrefix for char {
    #[inline]
    fn write_image(&self, image: &mut KeyImage) {
        u32::from(*self).write_image(image);
    }
}

// SAFETY: pushes bytes of a value.
unsafe impl KeyPrefix for bool {
    #[inline]
    fn write_image(&self, image: &mut KeyImage) {
        image.push_byte(u8::from(*self));
    }
}

// SAFETY: pushes bytes of a value.
unsafe impl KeyPrefix for () {
    #[inline]
    fn write_image(&self, _: &mut KeyImage) {}
}

// SAFETY: forwards to `T`'s impl.
unsafe impl<T: KeyPrefix, const N: usize> KeyPrefix for [T; N] {
    /// Each element delimited: arrays of one length are ordered element by
    /// element (and `[u8; N]` is its bytes, which delimit as themselves).
    #[inline]
    fn write_image(&self, image: &mut KeyImage) {
        for x in self {
            if image.is_full() {
                return;
            }
            x.write_delimited(image);
        }
    }
}

/// Tuples: every field delimited but the last.
macro_rules! tuple_key_prefix {
    ($(($($f:ident $n:tt),* ; $l:ident $ln:tt))*) => {$(
        // SAFETY: forwards to the fields' impls.
        unsafe impl<$($f: KeyPrefix,)* $l: KeyPrefix> KeyPrefix for ($($f,)* $l,) {
            #[inline]
            fn write_image(&self, image: &mut KeyImage) {
                $(self.$n.write_delimited(image);)*
                self.$ln.write_image(image);
            }
            #[inline]
            fn write_delimited(&self, image: &mut KeyImage) {
                $(self.$n.write_delimited(image);)*
                self.$ln.write_delimited(image);
            }
        }
    )*};
}

tuple_key_prefix! {
    (; A 0)
    (A 0; B 1)
    (A 0, B 1; C 2)
    (A 0, B 1, C 2; D 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use core::cmp::Ordering;

    fn image<T: KeyPrefix + ?Sized>(k: &T) -> KeyImage {
        let mut i = KeyImage::new();
        k.write_image(&mut i);
        i
    }

    /// Every pair of `keys` orders as its images do: where neither image
    /// was cut (both within `IMAGE_BYTES`) exactly, else at least weakly.
    fn orders_as_images<T: KeyPrefix + core::fmt::Debug>(keys: &[T]) {
        for a in keys {
            for b in keys {
                let (ia, ib) = (image(a), image(b));
                let by_image = ia.bytes().cmp(ib.bytes());
                if ia.len() <= IMAGE_BYTES && ib.len() <= IMAGE_BYTES {
                    assert_eq!(a.cmp(b), by_image, "{a:?} {b:?}");
                } else {
                    assert!(
                        by_image == Ordering::Equal || by_image == a.cmp(b),
                        "{a:?} {b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn integers_order_as_their_images() {
        orders_as_images(&[0u8, 1, 127, 128, 255]);
        orders_as_images(&[i8::MIN, -1, 0, 1, i8::MAX]);
        orders_as_images(&[i64::MIN, -256, -1, 0, 1, 255, 256, i64::MAX]);
        orders_as_images(&[0u64, 1, 255, 256, 1 << 40, u64::MAX]);
        orders_as_images(&[i128::MIN, -1, 0, i128::MAX]);
        orders_as_images(&['\0', 'a', 'é', '\u{10ffff}']);
        orders_as_images(&[false, true]);
        assert_eq!(image(&0x0102u16).bytes(), &[1, 2]);
        assert_eq!(image(&-1i16).bytes(), &[0x7f, 0xff]);
        assert!(image(&()).is_empty() && !image(&0u8).is_empty());
    }

    #[test]
    fn strings_delimit_and_order() {
        let words = ["", "\0", "\0\0", "a", "a\0", "a\0b", "a\u{1}", "ab", "b"];
        orders_as_images(&words.map(|w| w.to_string()));
        let mut d = KeyImage::new();
        "a\0b".write_delimited(&mut d);
        assert_eq!(d.bytes(), b"a\0\xffb\0\0");
        // Tuples whose first field is a string: a prefix of another
        // string still orders first, whatever follows it.
        let pairs: Vec<(String, u8)> = words
            .iter()
            .flat_map(|w| [(w.to_string(), 0), (w.to_string(), 255)])
            .collect();
        orders_as_images(&pairs);
        let triples: Vec<(u16, &str, i8)> = vec![
            (0, "", -1),
            (0, "", 1),
            (0, "\0", -128),
            (0, "a", 0),
            (1, "", 0),
            (256, "z", 0),
        ];
        orders_as_images(&triples);
        orders_as_images(&[[0u8, 1], [0, 2], [1, 0]]);
        orders_as_images(&[["a", ""], ["a", "b"], ["a\0", ""], ["b", ""]]);
    }

    #[test]
    fn long_images_are_cut_and_counted() {
        let long = "x".repeat(100);
        let i = image(&long);
        assert_eq!((i.bytes().len(), i.len()), (IMAGE_BYTES, 100));
        assert!(i.is_full());
        let mut d = KeyImage::new();
        long.write_delimited(&mut d);
        assert!(d.len() > IMAGE_BYTES && d.bytes() == &long.as_bytes()[..IMAGE_BYTES]);
        let mut t = KeyImage::new();
        t.push(&[1; 40]);
        assert!(!t.is_full());
        t.push_byte(2);
        t.push_byte(3);
        assert_eq!(
            (t.len(), t.bytes().len(), t.bytes()[40]),
            (42, IMAGE_BYTES, 2)
        );
        let boxed: Box<str> = "k".into();
        assert_eq!(image(&boxed).bytes(), b"k");
        assert_eq!(image(&Cow::Borrowed("k")).bytes(), b"k");
        assert_eq!(image(&Rc::new(5u8)).bytes(), &[5]);
    }
}
