//! Archived keys ordered against native ones.

#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use rkyv::option::ArchivedOption;
use rkyv::primitive::{
    ArchivedChar, ArchivedI16, ArchivedI32, ArchivedI64, ArchivedI128, ArchivedU16, ArchivedU32,
    ArchivedU64, ArchivedU128,
};
use rkyv::string::ArchivedString;
use rkyv::tuple::{ArchivedTuple1, ArchivedTuple2, ArchivedTuple3, ArchivedTuple4};
use rkyv::vec::ArchivedVec;

/// Orders an archived key against a native value, so that an archive is
/// queried with the keys a program already has: `get(&42u64)` on an archive
/// of `u64` keys, `get("name")` on one of `String` keys. It plays the part
/// that [`Borrow`](core::borrow::Borrow) plays for the in-memory map.
///
/// Implemented for every type against itself (when it is [`Ord`]), for
/// rkyv's archived integers and `char` against the native ones
/// (`ArchivedU64` against `u64`, ...; `usize` and `isize` archive as rkyv's
/// fixed-width integers, 32 bits unless rkyv's format says otherwise, so
/// query those with `u32` and `i32`),
/// `ArchivedString` against `str`, `&str` and `String`, `ArchivedVec<T>` against
/// `[U]` and `Vec<U>`, `ArchivedOption<T>` against `Option<U>`, and rkyv's
/// archived tuples of up to four fields against native tuples, whenever the
/// parts compare. Implement it for your own archived key types.
///
/// # Contract
///
/// `a.cmp_native(q)` must equal the order of the native key `a` was
/// archived from against `q`, and agree with the archived type's own
/// [`Ord`] (which validation uses to prove the keys ascending). A
/// comparison that breaks this makes lookups return wrong answers; it
/// never makes them read out of bounds or panic.
///
/// ```
/// use bptree::archive::NativeOrd;
/// use core::cmp::Ordering;
/// use rkyv::rancor::Error;
///
/// let bytes = rkyv::to_bytes::<Error>(&(7u32, String::from("seven"))).unwrap();
/// let archived = rkyv::access::<rkyv::Archived<(u32, String)>, Error>(&bytes).unwrap();
/// assert_eq!(archived.cmp_native(&(7, "seven".to_string())), Ordering::Equal);
/// assert_eq!(archived.cmp_native(&(8, String::new())), Ordering::Less);
/// ```
pub trait NativeOrd<Q: ?Sized> {
    /// The order of `self` (archived) against `other` (native).
    fn cmp_native(&self, other: &Q) -> Ordering;
}

impl<T: Ord + ?Sized> NativeOrd<T> for T {
    #[inline]
    fn cmp_native(&self, other: &T) -> Ordering {
        self.cmp(other)
    }
}

macro_rules! native_primitive {
    ($($archived:ty => $native:ty),* $(,)?) => {$(
        impl NativeOrd<$native> for $archived {
            #[inline]
            fn cmp_native(&self, other: &$native) -> Ordering {
                self.to_native().cmp(other)
            }
        }
    )*};
}

native_primitive!(
    ArchivedU16 => u16, ArchivedU32 => u32, ArchivedU64 => u64, ArchivedU128 => u128,
    ArchivedI16 => i16, ArchivedI32 => i32, ArchivedI64 => i64, ArchivedI128 => i128,
    ArchivedChar => char,
);

impl NativeOrd<str> for ArchivedString {
    #[inline]
    fn cmp_native(&self, other: &str) -> Ordering {
        self.as_str().cmp(other)
    }
}

impl NativeOrd<&str> for ArchivedString {
    #[inline]
    fn cmp_native(&self, other: &&str) -> Ordering {
        self.as_str().cmp(*other)
    }
}

impl NativeOrd<String> for ArchivedString {
    #[inline]
    fn cmp_native(&self, other: &String) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Lexicographic, as slices order.
fn cmp_slices<T: NativeOrd<U>, U>(a: &[T], b: &[U]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.cmp_native(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

impl<T: NativeOrd<U>, U> NativeOrd<[U]> for ArchivedVec<T> {
    #[inline]
    fn cmp_native(&self, other: &[U]) -> Ordering {
        cmp_slices(self.as_slice(), other)
    }
}

impl<T: NativeOrd<U>, U> NativeOrd<Vec<U>> for ArchivedVec<T> {
    #[inline]
    fn cmp_native(&self, other: &Vec<U>) -> Ordering {
        cmp_slices(self.as_slice(), other)
    }
}

impl<T: NativeOrd<U>, U> NativeOrd<Option<U>> for ArchivedOption<T> {
    #[inline]
    fn cmp_native(&self, other: &Option<U>) -> Ordering {
        match (self.as_ref(), other) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => a.cmp_native(b),
        }
    }
}

macro_rules! native_tuple {
    ($name:ident, $($t:ident $u:ident $i:tt),+) => {
        impl<$($t: NativeOrd<$u>,)+ $($u,)+> NativeOrd<($($u,)+)> for $name<$($t,)+> {
            #[inline]
            fn cmp_native(&self, other: &($($u,)+)) -> Ordering {
                $(
                    match self.$i.cmp_native(&other.$i) {
                        Ordering::Equal => {}
                        unequal => return unequal,
                    }
                )+
                Ordering::Equal
            }
        }
    };
}

native_tuple!(ArchivedTuple1, T0 U0 0);
native_tuple!(ArchivedTuple2, T0 U0 0, T1 U1 1);
native_tuple!(ArchivedTuple3, T0 U0 0, T1 U1 1, T2 U2 2);
native_tuple!(ArchivedTuple4, T0 U0 0, T1 U1 1, T2 U2 2, T3 U3 3);
