//! Iterators over archives: a range of an archive is a pair of positions,
//! so each iterator walks one or two slices.

use core::iter::FusedIterator;
use core::{fmt, mem, slice};

use rkyv::seal::Seal;

/// The entries of an [`ArchivedBPlusTreeMap`](super::ArchivedBPlusTreeMap)
/// (all of them, or a range), in key order: double-ended and exact-size,
/// with `len`, `count`, `nth`, `nth_back` (so `skip`) and `last` in O(1).
pub struct Iter<'a, K, V> {
    keys: slice::Iter<'a, K>,
    values: slice::Iter<'a, V>,
}

impl<'a, K, V> Iter<'a, K, V> {
    /// The pairs of `keys` and `values` (the shorter one's length).
    pub(crate) fn new(keys: &'a [K], values: &'a [V]) -> Self {
        let n = keys.len().min(values.len());
        Iter {
            keys: keys[..n].iter(),
            values: values[..n].iter(),
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        Some((self.keys.next()?, self.values.next()?))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.keys.size_hint()
    }

    #[inline]
    fn nth(&mut self, n: usize) -> Option<(&'a K, &'a V)> {
        Some((self.keys.nth(n)?, self.values.nth(n)?))
    }

    fn last(mut self) -> Option<(&'a K, &'a V)> {
        self.next_back()
    }

    fn count(self) -> usize {
        self.keys.len()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        Some((self.keys.next_back()?, self.values.next_back()?))
    }

    #[inline]
    fn nth_back(&mut self, n: usize) -> Option<Self::Item> {
        Some((self.keys.nth_back(n)?, self.values.nth_back(n)?))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {
    fn len(&self) -> usize {
        self.keys.len()
    }
}

impl<K, V> FusedIterator for Iter<'_, K, V> {}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter {
            keys: self.keys.clone(),
            values: self.values.clone(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// One slice of an archive walked in order: a map's keys or values, or a
/// set's elements (all of them, or a range).
macro_rules! slice_iter {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<'a, T>(slice::Iter<'a, T>);

        impl<'a, T> $name<'a, T> {
            pub(crate) fn new(items: &'a [T]) -> Self {
                $name(items.iter())
            }
        }

        impl<'a, T> Iterator for $name<'a, T> {
            type Item = &'a T;

            #[inline]
            fn next(&mut self) -> Option<&'a T> {
                self.0.next()
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }

            #[inline]
            fn nth(&mut self, n: usize) -> Option<&'a T> {
                self.0.nth(n)
            }

            fn last(mut self) -> Option<&'a T> {
                self.0.next_back()
            }

            fn count(self) -> usize {
                self.0.len()
            }
        }

        impl<T> DoubleEndedIterator for $name<'_, T> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.0.next_back()
            }

            #[inline]
            fn nth_back(&mut self, n: usize) -> Option<Self::Item> {
                self.0.nth_back(n)
            }
        }

        impl<T> ExactSizeIterator for $name<'_, T> {
            fn len(&self) -> usize {
                self.0.len()
            }
        }

        impl<T> FusedIterator for $name<'_, T> {}

        impl<T> Clone for $name<'_, T> {
            fn clone(&self) -> Self {
                $name(self.0.clone())
            }
        }

        impl<T: fmt::Debug> fmt::Debug for $name<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    };
}

slice_iter!(
    /// The keys of an archived map, or the elements of an archived set
    /// (all, or a range), in order: double-ended and exact-size, with
    /// `len`, `count`, `nth`, `nth_back` (so `skip`) and `last` in O(1).
    Keys
);
slice_iter!(
    /// The values of an archived map, in key order: double-ended and
    /// exact-size, with `len`, `count`, `nth`, `nth_back` (so `skip`) and
    /// `last` in O(1).
    Values
);

/// The entries of an archived map (all, or a range) with their values
/// sealed for in-place mutation, in key order: double-ended and
/// exact-size, with `len`, `count`, `nth`, `nth_back` (so `skip`) and
/// `last` in O(1).
pub struct IterSeal<'a, K, V> {
    keys: slice::Iter<'a, K>,
    values: Seal<'a, [V]>,
}

impl<'a, K, V> IterSeal<'a, K, V> {
    /// The pairs of `keys` and `values` (which have the same length).
    pub(crate) fn new(keys: &'a [K], values: Seal<'a, [V]>) -> Self {
        debug_assert_eq!(keys.len(), values.len());
        IterSeal {
            keys: keys.iter(),
            values,
        }
    }

    /// Drops `n` entries (at most all of them) from the front
    /// (`back == false`) or the back, in O(1).
    fn drop_n(&mut self, n: usize, back: bool) {
        let keys = self.keys.as_slice();
        let values = mem::replace(&mut self.values, Seal::new(&mut []));
        let len = keys.len().min(values.len());
        let n = n.min(len);
        (self.keys, self.values) = if back {
            (keys[..len - n].iter(), values.index(..len - n))
        } else {
            (keys[n..len].iter(), values.index(n..len))
        };
    }

    /// Splits the first (`back == false`) or last value off the rest.
    fn split(&mut self, back: bool) -> Option<Seal<'a, V>> {
        let values = mem::replace(&mut self.values, Seal::new(&mut []));
        // SAFETY: the slice is only split: both parts are sealed again at
        // once, and nothing is moved or written through the bare reference.
        let values = unsafe { values.unseal_unchecked() };
        let (value, rest) = if back {
            values.split_last_mut()?
        } else {
            values.split_first_mut()?
        };
        self.values = Seal::new(rest);
        Some(Seal::new(value))
    }
}

impl<'a, K, V> Iterator for IterSeal<'a, K, V> {
    type Item = (&'a K, Seal<'a, V>);

    fn next(&mut self) -> Option<Self::Item> {
        let value = self.split(false)?;
        Some((self.keys.next()?, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<Self::Item> {
        self.drop_n(n, false);
        self.next()
    }

    fn last(mut self) -> Option<Self::Item> {
        self.next_back()
    }

    fn count(self) -> usize {
        self.len()
    }
}

impl<K, V> DoubleEndedIterator for IterSeal<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let value = self.split(true)?;
        Some((self.keys.next_back()?, value))
    }

    fn nth_back(&mut self, n: usize) -> Option<Self::Item> {
        self.drop_n(n, true);
        self.next_back()
    }
}

impl<K, V> ExactSizeIterator for IterSeal<'_, K, V> {
    fn len(&self) -> usize {
        self.keys.len().min(self.values.len())
    }
}

impl<K, V> FusedIterator for IterSeal<'_, K, V> {}
