//! The side-by-side speed runner: for `u64 -> u64`, `BTreeMap` and every
//! configuration of `support::Under`; for the other key sets (`u32`,
//! `String` ids and words, `(u64, u64)` tuples, `u64 -> [u64; 8]`),
//! `BTreeMap`, the default configuration and `Compact`
//! (`support::RootColumns`); each against `BTreeMap` in the same process,
//! one table per key set, one row per operation and n; the README's speed
//! table comes from its `u64` table. Then many small maps (`--keys small`):
//! 10^6 `u64 -> u64` entries in all, in 10^5 maps of 10, 10^4 of 100 and
//! 10^3 of 1,000; insert (every map by random inserts), get (random hits
//! across all maps) and iterate (every map), with the `u64` table's
//! columns.
//!
//! ```text
//! cargo run --release --example speed                    # every key set, n = 10^5 and 10^6, small maps
//! cargo run --release --example speed -- --n 100000      # one n
//! cargo run --release --example speed -- --keys ids,u64  # some key sets (default: all and small)
//! cargo run --release --example speed -- --keys small    # only the many small maps
//! cargo run --release --example speed -- --keys small --per-map 10 --op insert_random
//! cargo run --release --example speed -- --quick         # n = 1000 (small maps: 10^4 entries)
//! ```
//!
//! The runner itself is `support/speed.rs`, which the peers crate
//! (`peers/examples/speed.rs`: the same columns, then indexset,
//! sweep-bptree, a sorted `Vec`, brie-tree and bbtree) runs too.

mod support;

#[path = "support/speed.rs"]
mod speed;

fn main() {
    speed::run::<support::RootColumns>("cargo run --release --example speed");
}
