//! The side-by-side speed runner: `BTreeMap` and every configuration of
//! `support::Under`, each against `BTreeMap` in the same process, one row
//! per operation and n; the README's speed table comes from it.
//!
//! ```text
//! cargo run --release --example speed                    # n = 10^5 and 10^6
//! cargo run --release --example speed -- --n 100000      # one n
//! cargo run --release --example speed -- --quick         # n = 1000, every cell
//! ```
//!
//! The runner itself is `support/speed.rs`, which the peers crate
//! (`peers/examples/speed.rs`: the same columns, then indexset, sweep-bptree
//! and a sorted `Vec`) runs too.

mod support;

#[path = "support/speed.rs"]
mod speed;

fn main() {
    speed::run::<support::StdAndUnder>("cargo run --release --example speed");
}
