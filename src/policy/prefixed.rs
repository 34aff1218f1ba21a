//! [`Prefixed`]: nodes that keep their keys' prefixes beside them.

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
/// `[u8]`, looked up by any of these (a `String` map by `&str`, say). Ids
/// that share a long prefix (`"user:000123456789"`) still differ in their
/// words: each node skips the bytes its own keys share (up to 32). Keys
/// of other types work as in `A`'s maps, searched by `Ord`, and pay the
/// memory for nothing.
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
/// ```
pub struct Prefixed<A = super::VecArena>(PhantomData<A>);

impl<A> sealed::Sealed for Prefixed<A> {}

impl<A: ArenaStrategy> ArenaStrategy for Prefixed<A> {
    type Storage = A::Storage;
    type Raw<H: Handle> = A::Raw<H>;
    type Place<T: Send + Sync> = A::Place<T>;
    type Count = A::Count;
    type Block<const CAP: usize> = PrefixBlock<CAP>;
    const RUN_LEAVES: usize = A::RUN_LEAVES;
    const RUN_FIRST: usize = A::RUN_FIRST;
    const NAME: &'static str = A::NAME;
}
