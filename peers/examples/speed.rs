//! The root's side-by-side speed runner (`examples/support/speed.rs`, by
//! path) with the peers as extra columns: for `u64 -> u64`, `BTreeMap`,
//! every configuration of `support::Under`, then indexset, sweep-bptree, a
//! sorted `Vec`, brie-tree and bbtree; for the `String` key sets (`ids`,
//! `words`), `BTreeMap`, `Standard`, `Compact` and bbtree; for the others,
//! the root runner's columns. Each is timed against `BTreeMap` in the same
//! process. Empty cells: the peer lacks the operation (sweep-bptree has no
//! `range` and no `clone`; the sorted `Vec` has only quadratic random insert
//! and remove).
//!
//! ```text
//! cargo run --release --manifest-path peers/Cargo.toml --example speed
//! cargo run --release --manifest-path peers/Cargo.toml --example speed -- --n 100000
//! cargo run --release --manifest-path peers/Cargo.toml --example speed -- --keys u64,ids --op get_hit,get_miss
//! ```

use bptree_peers::support;

#[path = "../../examples/support/speed.rs"]
mod speed;

fn main() {
    speed::run::<bptree_peers::RunnerColumns>(
        "cargo run --release --manifest-path peers/Cargo.toml --example speed",
    );
}
