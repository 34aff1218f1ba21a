use bptree::{BPlusTreeMap, Compact16, PoolArena, VecArena, Wide32};
use std::collections::BTreeMap;

fn run<const CAP: usize>(seed: u64) {
    let mut m: BPlusTreeMap<u32, u64, Wide32, VecArena, CAP> = BPlusTreeMap::empty();
    let mut o = BTreeMap::new();
    let mut x = seed;
    for step in 0..20000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x % 500) as u32;
        match x % 4 {
            0 | 1 => assert_eq!(m.insert(k, x), o.insert(k, x)),
            2 => assert_eq!(m.remove(&k), o.remove(&k)),
            _ => assert_eq!(m.get(&k), o.get(&k)),
        }
        if step % 97 == 0 {
            m.check_invariants().unwrap();
            assert!(m.iter().eq(o.iter()));
            assert!(m.iter().rev().eq(o.iter().rev()));
            assert!(m.range(100..300).eq(o.range(100..300)));
        }
    }
    m.check_invariants().unwrap();
    assert!(m.into_iter().eq(o.into_iter()));
}

#[test]
fn smoke() {
    for seed in 1..6 {
        run::<4>(seed);
        run::<5>(seed);
        run::<16>(seed);
    }
    let mut p: BPlusTreeMap<u64, String, Compact16, PoolArena, 32> = BPlusTreeMap::empty();
    for i in 0..10000u64 {
        p.insert(i, i.to_string());
    }
    p.check_invariants().unwrap();
    for i in (0..10000u64).rev() {
        p.insert(i * 7 % 10007, String::new());
    }
    p.check_invariants().unwrap();
    let c: BPlusTreeMap<u64, u64> = (0..100000).map(|i| (i, i)).collect();
    c.check_invariants().unwrap();
}
