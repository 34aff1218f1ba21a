//! The root's side-by-side speed runner (`examples/support/speed.rs`, by
//! path) with the peers as extra columns: `BTreeMap`, every configuration
//! of `support::Under`, then indexset, sweep-bptree and a sorted `Vec`, each
//! against `BTreeMap` in the same process. Empty cells: the peer lacks the
//! operation (sweep-bptree has no `range` and no `clone`; the sorted `Vec`
//! has only quadratic random insert and remove).
//!
//! ```text
//! cargo run --release --manifest-path peers/Cargo.toml --example speed
//! cargo run --release --manifest-path peers/Cargo.toml --example speed -- --n 100000
//! ```

use bptree_peers::support;

#[path = "../../examples/support/speed.rs"]
mod speed;

fn main() {
    speed::run::<bptree_peers::RunnerColumns>(
        "cargo run --release --manifest-path peers/Cargo.toml --example speed",
    );
}
