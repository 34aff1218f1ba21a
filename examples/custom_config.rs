//! Declares a configuration of its own with `#[derive(TreeConfig)]` and
//! compares it with `std::collections::BTreeMap`: the same contents after
//! the same operations, and the stack size of each.
//!
//! ```text
//! cargo run --example custom_config
//! ```

use std::collections::BTreeMap;

use bptree::policy::Boxed;
use bptree::{Compact16, PoolArena, TreeConfig};

/// Small nodes in a pool: 16-bit handles, boxed node arrays, 32 entries
/// per node.
#[derive(TreeConfig)]
#[tree(handle = Compact16, arena = PoolArena, storage = Boxed, capacity = 32, alias = Embedded)]
pub struct EmbeddedConfig;

fn main() {
    let mut ours: Embedded<u64, String> = Embedded::empty();
    let mut std = BTreeMap::new();

    // The same inserts, overwrites and removes on both.
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..50_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let key = x % 20_000;
        if i % 4 == 3 {
            assert_eq!(ours.remove(&key), std.remove(&key));
        } else {
            assert_eq!(
                ours.insert(key, i.to_string()),
                std.insert(key, i.to_string())
            );
        }
    }
    ours.check_invariants().expect("a valid tree");

    assert_eq!(ours.len(), std.len());
    assert!(ours.iter().eq(std.iter()), "same entries in the same order");
    assert!(ours.range(1_000..2_000).eq(std.range(1_000..2_000)));
    assert_eq!(ours.first_key_value(), std.first_key_value());
    assert_eq!(ours.last_key_value(), std.last_key_value());
    assert_eq!(ours.pop_first(), std.pop_first());
    let probe = std.keys().nth(std.len() / 2).copied().expect("not empty");
    assert_eq!(ours.get(&probe), std.get(&probe));
    assert_eq!(ours.get(&20_001), None);

    println!("{}: {}", EmbeddedConfig::NAME, EmbeddedConfig::DESCRIPTION);
    println!(
        "{} entries, equal to BTreeMap's after 50,000 random inserts and removes",
        ours.len()
    );
    println!(
        "tree height {} (capacity {})",
        ours.height(),
        EmbeddedConfig::CAPACITY
    );
    println!("size_of:");
    println!(
        "  {:<28} {:>3} bytes",
        "Embedded<u64, String>",
        size_of::<Embedded<u64, String>>()
    );
    println!(
        "  {:<28} {:>3} bytes",
        "BTreeMap<u64, String>",
        size_of::<BTreeMap<u64, String>>()
    );
}
