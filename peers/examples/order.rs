//! Order statistics beside the peers (issue 26): nanoseconds per query of
//! `get_index(i)`, `rank(&k)` (present and absent keys), `range(a..b).count()`
//! and `rank(&b) - rank(&a)` for bptree's `Indexed` configuration,
//! indexset 0.18, sweep-bptree 0.4.1's `Count` augmentation and std's
//! `BTreeMap` (`iter().nth(i)`, `range(..k).count()`, `range(a..b).count()`:
//! walks, timed over fewer queries); then the cost of the counts on the
//! ordinary rows: `Indexed` against the default configuration (`Standard`)
//! and `BTreeMap`.
//!
//! ```text
//! cargo run --release --manifest-path peers/Cargo.toml --example order
//! cargo run --release --manifest-path peers/Cargo.toml --example order -- --n 100000
//! cargo run --release --manifest-path peers/Cargo.toml --example order -- --op get_index,rank_hit
//! cargo run --release --manifest-path peers/Cargo.toml --example order -- --no-costs
//! ```
//!
//! Every map is built by inserting the workload's random keys (`u64`, even
//! ones present, odd ones absent) in random order. A query row's cell is
//! the map's median time per query over [`ROUNDS`] rounds; in each round
//! every map, in turn, runs a warm-up of at least [`WARM_UP`] and then
//! [`SAMPLES`] samples of at least [`MIN_SAMPLE`] each (the constants of
//! the speed runner), so drift on a shared machine falls on every column
//! alike. Before timing, each map's answers are checked against the sorted
//! keys. The ranges hold log-uniform numbers of keys in `1..=n/2`.
//!
//! The cost rows are the speed runner's ratios (`support::time_ratio`:
//! medians of five alternating blocks): `Indexed` over `Standard`,
//! `Standard` over itself (the noise), and `Indexed` over `BTreeMap`.

use std::collections::BTreeMap;
use std::time::Instant;

use bptree::BPlusTreeMap;
use bptree_peers::order::{self, OrderOp, OrderQueries, OrderStats, OrderVisitor};
use bptree_peers::support::{
    self, MIN_SAMPLE, ROUNDS, SAMPLES, Table, WARM_UP, Workload, machine, power_of_ten,
    time_ratio, time_ratio_batched,
};

const COMMAND: &str = "cargo run --release --manifest-path peers/Cargo.toml --example order";

const USAGE: &str = "options: --n N[,N...] (default 100000,1000000), --op NAME[,NAME...] \
     (get_index rank_hit rank_miss range_count rank_difference; default all), \
     --no-costs (skip the Indexed-vs-Standard rows), --only-costs";

/// The cost rows: the speed runner's operations.
#[derive(Clone, Copy)]
enum CostOp {
    InsertRandom,
    RemoveRandom,
    GetHit,
    Iterate,
}

impl CostOp {
    const ALL: [CostOp; 4] = [
        CostOp::InsertRandom,
        CostOp::RemoveRandom,
        CostOp::GetHit,
        CostOp::Iterate,
    ];
    fn title(self) -> &'static str {
        match self {
            CostOp::InsertRandom => "insert random",
            CostOp::RemoveRandom => "remove random",
            CostOp::GetHit => "get, hit",
            CostOp::Iterate => "iterate",
        }
    }
}

type Standard = BPlusTreeMap<u64, u64>;
type Std = BTreeMap<u64, u64>;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (mut sizes, mut ops, mut costs, mut queries) = (Vec::new(), Vec::new(), true, true);
    let mut args = argv.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--n" => {
                let value = args
                    .next()
                    .unwrap_or_else(|| panic!("--n needs a value; {USAGE}"));
                for n in value.split(',') {
                    let n = n.trim().replace('_', "");
                    sizes.push(n.parse().unwrap_or_else(|_| panic!("bad n {n:?}; {USAGE}")));
                }
            }
            "--op" => {
                let value = args
                    .next()
                    .unwrap_or_else(|| panic!("--op needs a value; {USAGE}"));
                for name in value.split(',') {
                    let op = OrderOp::ALL.into_iter().find(|op| op.name() == name.trim());
                    ops.push(op.unwrap_or_else(|| panic!("no operation {name:?}; {USAGE}")));
                }
            }
            "--no-costs" => costs = false,
            "--only-costs" => queries = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            _ => panic!("unknown argument {arg:?}; {USAGE}"),
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    if ops.is_empty() {
        ops = OrderOp::ALL.to_vec();
    }
    let command = if argv.is_empty() {
        COMMAND.to_string()
    } else {
        format!("{COMMAND} -- {}", argv.join(" "))
    };
    println!(
        "Order statistics: ns per query, median of {ROUNDS} interleaved rounds of {SAMPLES} \
         samples per map; maps built by random insertion of random u64 keys. BTreeMap walks \
         (iter().nth(i), range(..k).count(), range(a..b).count()) and is timed over {} queries, \
         the others over {}.\n",
        order::LINEAR_QUERIES,
        order::QUERIES
    );
    println!("- date: {}", utc_now());
    println!("- machine: {}", machine());
    println!("- load average at the start: {}", load_average());
    println!("- command: `{command}`\n");

    let mut query_tables = Vec::new();
    let mut cost_table = Table::new(
        &[
            "operation",
            "n",
            "Indexed / Standard",
            "Standard / Standard",
            "Indexed / BTreeMap",
        ],
        2,
    );
    for (i, &n) in sizes.iter().enumerate() {
        let w = Workload::new(n);
        if queries {
            query_tables.push((n, query_table(&w, &ops)));
        }
        if costs {
            if i > 0 {
                cost_table.rule();
            }
            for op in CostOp::ALL {
                let cells = cost_row(&w, op);
                cost_table.row(cells);
            }
        }
    }
    println!("\nload average at the end: {}", load_average());
    for (n, table) in query_tables {
        println!("\n### Order statistics, n = {}\n", power_of_ten(n));
        table.print();
    }
    if costs {
        println!("\n### The cost of counts (time ratios)\n");
        cost_table.print();
    }
}

/// A built map, type-erased: runs `queries` queries of a kind on it.
struct Built<'q> {
    name: &'static str,
    queries: usize,
    applies: fn(OrderOp) -> bool,
    run: Box<dyn Fn(OrderOp, usize) -> u64 + 'q>,
}

/// Builds every map of the list over the workload's keys, checking each
/// map's answers.
struct Build<'q> {
    w: &'q Workload,
    q: &'q OrderQueries,
    ops: &'q [OrderOp],
    maps: Vec<Built<'q>>,
}

impl<'q> OrderVisitor for Build<'q> {
    fn visit<M: OrderStats>(&mut self, name: &'static str) {
        let m = M::build(&self.w.keys);
        let queries = OrderQueries::count::<M>();
        for &op in self.ops.iter().filter(|op| op.applies::<M>()) {
            let (got, want) = (
                self.q.run(op, &m, queries),
                self.q.expected(self.w, op, queries),
            );
            assert_eq!(got, want, "{name}: {} answers wrong", op.name());
        }
        let q = self.q;
        self.maps.push(Built {
            name,
            queries,
            applies: |op| op.applies::<M>(),
            run: Box::new(move |op, queries| q.run(op, &m, queries)),
        });
    }
}

/// The query rows at one n: ns per query for each map, and the ratios of
/// `Indexed` to the peers.
fn query_table(w: &Workload, ops: &[OrderOp]) -> Table {
    let n = w.n();
    let q = OrderQueries::new(w);
    eprintln!("n = {n}: mean range length {:.0} keys", q.mean_range_len(w));
    let mut build = Build {
        w,
        q: &q,
        ops,
        maps: Vec::new(),
    };
    order::for_each_order_map(&mut build);
    let maps = build.maps;
    let mut titles = vec!["operation", "n"];
    titles.extend(maps.iter().map(|m| m.name));
    titles.extend(["Indexed / indexset", "Indexed / sweep-bptree"]);
    let mut table = Table::new(&titles, 2);
    for &op in ops {
        let ns = time_interleaved(op, &maps);
        for (m, ns) in maps.iter().zip(&ns) {
            match ns {
                Some(ns) => println!("order {} {} {n} {ns:.1}", m.name, op.name()),
                None => println!("order {} {} {n} none", m.name, op.name()),
            }
        }
        let mut cells = vec![op.title().to_string(), power_of_ten(n)];
        cells.extend(ns.iter().map(|ns| ns.map_or(String::new(), format_ns)));
        // Indexed is first; indexset and sweep-bptree next.
        let ratio = |j: usize| match (ns[0], ns[j]) {
            (Some(ours), Some(theirs)) => format!("{:.2}", ours / theirs),
            _ => String::new(),
        };
        cells.push(ratio(1));
        cells.push(ratio(2));
        table.row(cells);
    }
    table
}

/// Median ns per query of each map that answers `op` (`None` for the
/// others), from [`ROUNDS`] rounds in which every map runs a warm-up and
/// [`SAMPLES`] samples in turn.
fn time_interleaved(op: OrderOp, maps: &[Built]) -> Vec<Option<f64>> {
    let call = |m: &Built| (m.run)(op, m.queries);
    let calls: Vec<usize> = maps
        .iter()
        .map(|m| {
            if !(m.applies)(op) {
                return 0;
            }
            let mut calls = 1;
            loop {
                let start = Instant::now();
                for _ in 0..calls {
                    std::hint::black_box(call(m));
                }
                if start.elapsed() >= MIN_SAMPLE {
                    return calls;
                }
                calls *= 2;
            }
        })
        .collect();
    let mut samples = vec![Vec::new(); maps.len()];
    for _ in 0..ROUNDS {
        for (i, m) in maps.iter().enumerate() {
            if calls[i] == 0 {
                continue;
            }
            let start = Instant::now();
            while start.elapsed() < WARM_UP {
                std::hint::black_box(call(m));
            }
            for _ in 0..SAMPLES {
                let start = Instant::now();
                for _ in 0..calls[i] {
                    std::hint::black_box(call(m));
                }
                let ns = start.elapsed().as_secs_f64() * 1e9;
                samples[i].push(ns / (calls[i] * m.queries) as f64);
            }
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            (!s.is_empty()).then(|| {
                s.sort_by(f64::total_cmp);
                s[s.len() / 2]
            })
        })
        .collect()
}

/// One cost row: `Indexed` over `Standard`, `Standard` over itself and
/// `Indexed` over `BTreeMap`, each from its own alternating blocks.
fn cost_row(w: &Workload, op: CostOp) -> Vec<String> {
    let ratios = [
        cost_ratio::<order::Indexed, Standard>(w, op),
        cost_ratio::<Standard, Standard>(w, op),
        cost_ratio::<order::Indexed, Std>(w, op),
    ];
    let n = w.n();
    for (what, r) in ["Indexed/Standard", "Standard/Standard", "Indexed/BTreeMap"]
        .iter()
        .zip(&ratios)
    {
        println!("cost {what} {} {n} {r:.3}", op.title().replace(' ', "_"));
    }
    let mut cells = vec![op.title().to_string(), power_of_ten(n)];
    cells.extend(ratios.iter().map(|r| format!("{r:.2}")));
    cells
}

/// The time of `op` on `A` over its time on `B`.
fn cost_ratio<A: support::Timed, B: support::Timed>(w: &Workload, op: CostOp) -> f64 {
    match op {
        CostOp::InsertRandom => {
            let (a, b): (A, B) = (w.insert_random(), w.insert_random());
            assert_eq!(w.iterate(&a), w.iterate(&b), "the maps differ");
            time_ratio(|| w.insert_random::<A>(), || w.insert_random::<B>())
        }
        CostOp::RemoveRandom => time_ratio_batched(
            || w.insert_random::<A>(),
            |m| w.remove_all(m),
            || w.insert_random::<B>(),
            |m| w.remove_all(m),
        ),
        CostOp::GetHit => {
            let (a, b): (A, B) = (w.insert_random(), w.insert_random());
            assert_eq!(w.get_hits(&a), w.get_hits(&b), "the maps differ");
            time_ratio(|| w.get_hits(&a), || w.get_hits(&b))
        }
        CostOp::Iterate => {
            let (a, b): (A, B) = (w.insert_random(), w.insert_random());
            time_ratio(|| w.iterate(&a), || w.iterate(&b))
        }
    }
}

/// Nanoseconds, to three significant digits or so.
fn format_ns(ns: f64) -> String {
    if ns >= 100.0 {
        format!("{ns:.0}")
    } else {
        format!("{ns:.1}")
    }
}


/// `/proc/loadavg`'s 1, 5 and 15 minute averages.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The time now, UTC, to the minute (`date -u`).
fn utc_now() -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "unknown".into(), |s| s.trim().to_string())
}
