//! The side-by-side speed runner: every map of a [`MapList`] against std's
//! `BTreeMap`, interleaved in one process, one ratio per key set, operation,
//! n and map. The root's example (`examples/speed.rs`: for `u64 -> u64`,
//! `BTreeMap` and every configuration of `support::Under`; for the other
//! key sets, `BTreeMap`, the default configuration and `Compact`) and the
//! peers' (`peers/examples/speed.rs`: the same columns, then the peers) both
//! include this file by path, with the support module at their crate root.
//!
//! ```text
//! cargo run --release --example speed                    # every key set, n = 10^5 and 10^6
//! cargo run --release --example speed -- --n 100000      # one n (repeat or comma-separate for more)
//! cargo run --release --example speed -- --op get_hit    # some operations (group names)
//! cargo run --release --example speed -- --keys ids,u64  # some key sets
//! cargo run --release --example speed -- --keys small    # only the many-small-maps table
//! cargo run --release --example speed -- --keys small --per-map 100   # one block of it
//! cargo run --release --example speed -- --quick         # n = 1000: a smoke run of every cell
//! ```
//!
//! The key sets ([`KeySet`], `--keys`): `u32 -> u32`, `u64 -> u64`, `String`
//! ids sharing a prefix, random `String` words, `(u64, u64)` tuples and
//! `u64 -> [u64; 8]`. `u64 -> u64` has every operation by default, the
//! others [`Op::KEYED`]; `--op` names the rows of every key set.
//!
//! Many small maps (`--keys small`, in the default run after the key sets;
//! [`SmallMaps`]): 10^6 random `u64 -> u64` entries in all
//! ([`SMALL_TOTAL`]; 10^4 under `--quick`), spread over 10^5 maps of 10,
//! 10^4 maps of 100 and 10^3 maps of 1,000 ([`SMALL_SIZES`], or the sizes
//! `--per-map` names), with the `u64` table's columns. Rows
//! ([`SmallMaps::OPS`], named as the operations they are for one map, so
//! `--op` picks them too): insert random (build every map, one after
//! another, by random inserts into an empty map), get hit (every key in its
//! map, in one random order across all maps) and iterate (every map in
//! turn); each cell times every map at once, against `BTreeMap`'s maps of
//! the same entries built beside the cell's.
//!
//! Each cell is [`time_ratio`] (or [`time_ratio_batched`] where the
//! operation uses up its map, or where its keys own heap memory and
//! inserting takes them made beforehand): the map's median time over
//! `BTreeMap`'s, from [`ROUNDS`](crate::support::ROUNDS) alternating
//! warmed-up blocks of each. Every column is timed against its own
//! `BTreeMap` blocks, so the `BTreeMap` column (`BTreeMap` against itself)
//! shows the noise. Before a cell is timed, the map's answer is checked
//! against `BTreeMap`'s. The output is markdown: a header (date, machine,
//! command), one table per key set (each with a block per n), and for every
//! cell one line `ratio <map> <op> <n> <value>` for `u64 -> u64` (as before
//! there were key sets), `ratio <map> <op> <n> <keys> <value>` for the
//! others and `ratio <map> <op> <entries per map> small <value>` for the
//! many small maps (`none` for the value where the map lacks the
//! operation), printed as each cell is measured.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::marker::PhantomData;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::support::{
    Baseline, BenchKey, EveryKeySet, KEY_SETS, KeySet, KeySetVisitor, MapList, MapVisitor, Op,
    Order, SMALL_SIZES, SMALL_TOTAL, SmallMaps, Table, Timed, U64Keys, Workload, machine,
    power_of_ten, time_ratio, time_ratio_batched, visit_key_set,
};

/// The name of the many-small-maps table on the command line (`--keys
/// small`), beside the key sets' names.
const SMALL_MAPS: &str = "small";

/// Entries in all of the many-small-maps table under `--quick`.
const SMALL_TOTAL_QUICK: usize = 10_000;

/// What the command line chose.
struct Args {
    /// The n of each table.
    sizes: Vec<usize>,
    /// The rows, if named; else each key set's default.
    ops: Option<Vec<Op>>,
    /// The key sets, by name, and [`SMALL_MAPS`] for the many-small-maps
    /// table, in table order.
    keys: Vec<String>,
    /// Entries per map of the many-small-maps table's blocks.
    per_map: Vec<usize>,
    /// Entries in all maps of each of its blocks.
    small_total: usize,
}

const USAGE: &str = "options: --n N[,N...] (sizes; default 100000,1000000), \
     --op NAME[,NAME...] (operations by group name: get_hit get_miss insert_random \
     insert_ascending remove_random iterate range_100 clone drop build; default all for u64, \
     get_hit get_miss insert_random remove_random iterate range_100 for the other key sets), \
     --keys NAME[,NAME...] (key sets: u32 u64 ids words tuples wide, and small for many small \
     u64 maps; default all), \
     --per-map N[,N...] (entries per map of the small-maps table; default 10,100,1000), \
     --quick (n = 1000 unless --n is given, and 10^4 entries in all in the small-maps table \
     rather than 10^6: a smoke run)";

/// Parses the command line (after the program name).
fn parse(args: &[String]) -> Args {
    let (mut sizes, mut ops, mut keys, mut quick) = (Vec::new(), Vec::new(), Vec::new(), false);
    let mut per_map = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .unwrap_or_else(|| panic!("{flag} needs a value; {USAGE}"))
        };
        match flag {
            "--quick" => quick = true,
            "--n" => {
                for n in value().split(',') {
                    let n = n.trim().replace('_', "");
                    sizes.push(n.parse().unwrap_or_else(|_| panic!("bad n {n:?}; {USAGE}")));
                }
            }
            "--per-map" => {
                for n in value().split(',') {
                    let n = n.trim().replace('_', "");
                    per_map.push(n.parse().unwrap_or_else(|_| panic!("bad n {n:?}; {USAGE}")));
                }
            }
            "--op" => {
                for name in value().split(',') {
                    let op = Op::ALL.into_iter().find(|op| op.name() == name.trim());
                    ops.push(op.unwrap_or_else(|| panic!("no operation {name:?}; {USAGE}")));
                }
            }
            "--keys" => {
                for name in value().split(',') {
                    let name = name.trim();
                    assert!(
                        KEY_SETS.contains(&name) || name == SMALL_MAPS,
                        "no key set {name:?}; {USAGE}"
                    );
                    keys.push(name.to_string());
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => panic!("unknown argument {arg:?}; {USAGE}"),
        }
    }
    if sizes.is_empty() {
        sizes = if quick {
            vec![1_000]
        } else {
            vec![100_000, 1_000_000]
        };
    }
    if keys.is_empty() {
        keys = KEY_SETS.iter().map(|k| k.to_string()).collect();
        keys.push(SMALL_MAPS.to_string());
    }
    if per_map.is_empty() {
        per_map = SMALL_SIZES.to_vec();
    }
    let small_total = if quick {
        SMALL_TOTAL_QUICK
    } else {
        SMALL_TOTAL
    };
    for &n in &per_map {
        assert!(
            n > 0 && small_total.is_multiple_of(n),
            "--per-map {n} must divide the {small_total} entries in all; {USAGE}"
        );
    }
    Args {
        sizes,
        ops: (!ops.is_empty()).then_some(ops),
        keys,
        per_map,
        small_total,
    }
}

/// Runs the runner over the maps of `L` (for each key set, the list `L`
/// has for it), with the process's arguments; `command` is the command that
/// starts it, without arguments (printed with them in the header).
pub fn run<L: EveryKeySet>(command: &str) {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = parse(&argv);
    let command = if argv.is_empty() {
        command.to_string()
    } else {
        format!("{command} -- {}", argv.join(" "))
    };
    let mut descriptions = Vec::new();
    for name in &args.keys {
        if name == SMALL_MAPS {
            descriptions.push(small_maps_description(&args));
        } else {
            visit_key_set::<L>(name, &mut Describe(&mut descriptions, PhantomData));
        }
    }
    print!("{}", header(&command, &descriptions));

    let mut tables = Vec::new();
    for name in &args.keys {
        if name == SMALL_MAPS {
            if let Some(table) = small_maps_table::<L>(&args) {
                let title = format!(
                    "Many small u64 -> u64 maps, {} entries in all (`--keys {SMALL_MAPS}`)",
                    power_of_ten(args.small_total)
                );
                tables.push((title, table));
            }
            continue;
        }
        let mut job = KeySetTable {
            args: &args,
            tables: &mut tables,
            lists: PhantomData,
        };
        visit_key_set::<L>(name, &mut job);
    }
    println!("\nload average at the end: {}", load_average());
    for (title, table) in tables {
        println!("\n### {title}\n");
        table.print();
    }
}

/// Collects each key set's title and description, for the header.
struct Describe<'a, L>(&'a mut Vec<String>, PhantomData<L>);

impl<L> KeySetVisitor<L> for Describe<'_, L> {
    fn visit<S: KeySet>(&mut self)
    where
        L: MapList<S>,
    {
        self.0
            .push(format!("`{}` ({}): {}", S::NAME, S::TITLE, S::DESCRIPTION));
    }
}

/// Measures the table of one key set: every row at every n, for the maps
/// `L` has for it.
struct KeySetTable<'a, L> {
    args: &'a Args,
    /// Each key set's title and table, in order.
    tables: &'a mut Vec<(String, Table)>,
    lists: PhantomData<L>,
}

impl<L> KeySetVisitor<L> for KeySetTable<'_, L> {
    fn visit<S: KeySet>(&mut self)
    where
        L: MapList<S>,
    {
        let mut names = Names::<S>(Vec::new(), PhantomData);
        L::for_each(&mut names);
        let mut titles = vec!["operation", "n"];
        titles.extend(names.0);
        let mut table = Table::new(&titles, 2);
        let ops = match &self.args.ops {
            Some(ops) => ops.clone(),
            None if S::NAME == U64Keys::NAME => Op::ALL.to_vec(),
            None => Op::KEYED.to_vec(),
        };
        for (i, &n) in self.args.sizes.iter().enumerate() {
            if i > 0 {
                table.rule();
            }
            let w = Workload::<S>::generate(n);
            let base: BTreeMap<S::Key, S::Value> = w.insert_random();
            for &op in &ops {
                let mut row = Row {
                    op,
                    w: &w,
                    base: &base,
                    cells: vec![op.title().to_string(), power_of_ten(n)],
                };
                L::for_each(&mut row);
                table.row(row.cells);
            }
        }
        self.tables
            .push((format!("{} (`--keys {}`)", S::TITLE, S::NAME), table));
    }
}

/// The header: what is measured, when, where and how it was started.
fn header(command: &str, key_sets: &[String]) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Speed: time of each map over std's BTreeMap's in the same run (lower is better).\n\
         Keys from a seeded xorshift PRNG, one table per key set; each cell is the map's median \
         time over BTreeMap's, from {} rounds of alternating warmed-up blocks (the map's, then \
         BTreeMap's) of {} samples each. The \
         BTreeMap column times BTreeMap against itself: its distance from 1.00 is the noise. \
         Rows: get every key (hit) in another random order, as many absent keys (miss); \
         insert n keys into an empty map, random or ascending (String keys: cloned before the \
         timing, each insert takes an owned key); remove every key in random \
         order (the map built untimed); iterate all; {} range(start..) queries of up to {} \
         entries; clone (the clone dropped untimed), drop (of a clone made untimed), of a map \
         built by random insertion; build from sorted pairs (ours: from_sorted_iter; \
         BTreeMap: collect). The many-small-maps table (`small` below) times insert random, \
         get hit and iterate over every map of its workload at once, against BTreeMap's maps \
         of the same entries built beside the cell's. An empty cell: the map lacks the \
         operation.\n",
        crate::support::ROUNDS,
        crate::support::SAMPLES,
        crate::support::RANGE_QUERIES,
        crate::support::RANGE_LEN,
    );
    let _ = writeln!(text, "Key sets:\n");
    for line in key_sets {
        let _ = writeln!(text, "- {line}");
    }
    let _ = writeln!(text);
    let _ = writeln!(text, "- date: {}", utc_now());
    let _ = writeln!(text, "- machine: {}", machine());
    let _ = writeln!(text, "- load average at the start: {}", load_average());
    let _ = writeln!(text, "- command: `{command}`\n");
    text
}

/// Collects the column names.
struct Names<S>(Vec<&'static str>, PhantomData<S>);

impl<S: KeySet> MapVisitor for Names<S> {
    type Keys = S;
    fn visit<M: Timed<S::Key, S::Value>>(&mut self, name: &'static str) {
        self.0.push(name);
    }
}

/// Measures one row: `op` at the workload's n for each map it visits.
struct Row<'a, S: KeySet> {
    op: Op,
    w: &'a Workload<S>,
    /// `BTreeMap` built by random insertion from the workload's keys.
    base: &'a BTreeMap<S::Key, S::Value>,
    cells: Vec<String>,
}

impl<S: KeySet> MapVisitor for Row<'_, S> {
    type Keys = S;
    fn visit<M: Timed<S::Key, S::Value>>(&mut self, name: &'static str) {
        let (op, n) = (self.op.name(), self.w.n());
        // `u64 -> u64` lines keep their five fields; the others name the
        // key set before the value.
        let keys = if S::NAME == U64Keys::NAME {
            String::new()
        } else {
            format!(" {}", S::NAME)
        };
        if M::LACKS.contains(&self.op) {
            println!("ratio {name} {op} {n}{keys} none");
            self.cells.push(String::new());
            return;
        }
        // Keys that own heap memory: `BTreeMap` is built afresh for each
        // cell, as the map under test is, so that neither side's keys lie
        // in an older, more scattered heap (a `BTreeMap` built once per
        // table measured 0.6 to 0.8 against a fresh one for `String` keys).
        let fresh: Std<S>;
        let base = if S::Key::OWNS_HEAP {
            fresh = self.w.insert_random();
            &fresh
        } else {
            self.base
        };
        let ratio = measure::<S, M>(self.op, self.w, base, name);
        println!("ratio {name} {op} {n}{keys} {ratio:.3}");
        self.cells.push(format!("{ratio:.2}"));
    }
}

/// The ratio of `op` on map `M` to `BTreeMap`.
fn measure<S: KeySet, M: Timed<S::Key, S::Value>>(
    op: Op,
    w: &Workload<S>,
    base: &BTreeMap<S::Key, S::Value>,
    name: &str,
) -> f64 {
    match op {
        Op::GetHit => get_hit::<S, M>(w, base, name),
        Op::GetMiss => get_miss::<S, M>(w, base, name),
        Op::InsertRandom => insert_random::<S, M>(w, base, name),
        Op::InsertAscending => insert_ascending::<S, M>(w, base, name),
        Op::RemoveRandom => remove_random::<S, M>(w, name),
        Op::Iterate => iterate::<S, M>(w, base, name),
        Op::Range => range::<S, M>(w, base, name),
        Op::Clone => clone::<S, M>(w, base, name),
        Op::Drop => drop::<S, M>(w, base),
        Op::Build => build::<S, M>(w, base, name),
    }
}

/// Panics unless the map's answer is `BTreeMap`'s.
fn same(name: &str, what: &str, ours: u64, base: u64) {
    assert_eq!(ours, base, "{name}: {what} differs from BTreeMap's");
}

/// `BTreeMap` over the key set's keys and values.
type Std<S> = BTreeMap<<S as KeySet>::Key, <S as KeySet>::Value>;

fn get_hit<S: KeySet, M: Timed<S::Key, S::Value>>(
    w: &Workload<S>,
    base: &Std<S>,
    name: &str,
) -> f64 {
    let m: M = w.insert_random();
    same(name, "get (hits)", w.get_hits(&m), w.get_hits(base));
    time_ratio(|| w.get_hits(&m), || w.get_hits(base))
}

fn get_miss<S: KeySet, M: Timed<S::Key, S::Value>>(
    w: &Workload<S>,
    base: &Std<S>,
    name: &str,
) -> f64 {
    let m: M = w.insert_random();
    same(name, "get (misses)", w.get_misses(&m), w.get_misses(base));
    time_ratio(|| w.get_misses(&m), || w.get_misses(base))
}

fn insert_random<S: KeySet, M: Timed<S::Key, S::Value>>(
    w: &Workload<S>,
    base: &Std<S>,
    name: &str,
) -> f64 {
    let m: M = w.insert_random();
    same(name, "len after inserting", m.len() as u64, w.n() as u64);
    same(name, "iterating", w.iterate(&m), w.iterate(base));
    if S::Key::OWNS_HEAP {
        // Each insert takes an owned key: cloned here, untimed.
        time_ratio_batched(
            || w.entries(),
            |entries| w.insert_entries::<M>(entries),
            || w.entries(),
            |entries| w.insert_entries::<Std<S>>(entries),
        )
    } else {
        time_ratio(|| w.insert_random::<M>(), || w.insert_random::<Std<S>>())
    }
}

fn insert_ascending<S: KeySet, M: Timed<S::Key, S::Value>>(
    w: &Workload<S>,
    base: &Std<S>,
    name: &str,
) -> f64 {
    let m: M = w.insert_ascending();
    same(name, "iterating", w.iterate(&m), w.iterate(base));
    time_ratio(
        || w.insert_ascending::<M>(),
        || w.insert_ascending::<Std<S>>(),
    )
}

fn remove_random<S: KeySet, M: Timed<S::Key, S::Value>>(w: &Workload<S>, name: &str) -> f64 {
    let emptied = w.remove_all(w.insert_random::<M>());
    same(name, "len after removing", emptied.len() as u64, 0);
    time_ratio_batched(
        || w.insert_random::<M>(),
        |m| w.remove_all(m),
        || w.insert_random::<Std<S>>(),
        |m| w.remove_all(m),
    )
}

fn iterate<S: KeySet, M: Timed<S::Key, S::Value>>(
    w: &Workload<S>,
    base: &Std<S>,
    name: &str,
) -> f64 {
    let m: M = w.insert_random();
    same(name, "iterating", w.iterate(&m), w.iterate(base));
    time_ratio(|| w.iterate(&m), || w.iterate(base))
}

fn range<S: KeySet, M: Timed<S::Key, S::Value>>(w: &Workload<S>, base: &Std<S>, name: &str) -> f64 {
    let m: M = w.insert_random();
    same(name, "range", w.ranges(&m), w.ranges(base));
    time_ratio(|| w.ranges(&m), || w.ranges(base))
}

fn clone<S: KeySet, M: Timed<S::Key, S::Value>>(w: &Workload<S>, base: &Std<S>, name: &str) -> f64 {
    let m: M = w.insert_random();
    same(
        name,
        "iterating a clone",
        w.iterate(&m.duplicate()),
        w.iterate(base),
    );
    time_ratio(|| m.duplicate(), || base.clone())
}

fn drop<S: KeySet, M: Timed<S::Key, S::Value>>(w: &Workload<S>, base: &Std<S>) -> f64 {
    let m: M = w.insert_random();
    time_ratio_batched(
        || m.duplicate(),
        std::mem::drop,
        || base.clone(),
        std::mem::drop,
    )
}

fn build<S: KeySet, M: Timed<S::Key, S::Value>>(w: &Workload<S>, base: &Std<S>, name: &str) -> f64 {
    let m: M = w.build(Order::Bulk);
    same(name, "iterating", w.iterate(&m), w.iterate(base));
    time_ratio(
        || w.build::<M>(Order::Bulk),
        || w.build::<Std<S>>(Order::Bulk),
    )
}

/// The header's line for the many-small-maps table.
fn small_maps_description(args: &Args) -> String {
    let sizes: Vec<String> = args.per_map.iter().map(|n| n.to_string()).collect();
    format!(
        "`{SMALL_MAPS}` (many small u64 -> u64 maps): {} random even u64 keys in all (distinct, \
         each its own value), in maps of {} entries each (one block per size); insert random: \
         build every map, one after another, each by inserting its keys in random order into \
         an empty map; get, hit: every key in its map, in one random order across all maps; \
         iterate: every map in turn",
        power_of_ten(args.small_total),
        sizes.join(", "),
    )
}

/// The many-small-maps table (`--keys small`) over the `u64 -> u64` maps of
/// `L` (the `u64` table's columns): one block per entries per map, the rows
/// of [`SmallMaps::OPS`] that `--op` names (all if none); `None` if it
/// names none of them.
fn small_maps_table<L: MapList<U64Keys>>(args: &Args) -> Option<Table> {
    let ops: Vec<Op> = SmallMaps::OPS
        .into_iter()
        .filter(|op| args.ops.as_ref().is_none_or(|ops| ops.contains(op)))
        .collect();
    if ops.is_empty() {
        println!("(no small-maps rows: --op names none of get_hit, insert_random, iterate)");
        return None;
    }
    let mut names = Names::<U64Keys>(Vec::new(), PhantomData);
    L::for_each(&mut names);
    let mut titles = vec!["operation", "maps × n"];
    titles.extend(names.0);
    let mut table = Table::new(&titles, 2);
    for (i, &n) in args.per_map.iter().enumerate() {
        if i > 0 {
            table.rule();
        }
        let w = SmallMaps::generate(args.small_total, n);
        for &op in &ops {
            let mut row = SmallRow {
                op,
                w: &w,
                cells: vec![
                    op.title().to_string(),
                    format!("{} × {n}", power_of_ten(w.maps())),
                ],
            };
            L::for_each(&mut row);
            table.row(row.cells);
        }
    }
    Some(table)
}

/// Measures one row of the many-small-maps table: `op` on the workload's
/// maps for each map type it visits.
struct SmallRow<'a> {
    op: Op,
    w: &'a SmallMaps,
    cells: Vec<String>,
}

impl MapVisitor for SmallRow<'_> {
    type Keys = U64Keys;
    fn visit<M: Timed>(&mut self, name: &'static str) {
        // `ratio <map> <op> <entries per map> small <value>`.
        let (op, n) = (self.op.name(), self.w.n());
        if M::LACKS.contains(&self.op) {
            println!("ratio {name} {op} {n} {SMALL_MAPS} none");
            self.cells.push(String::new());
            return;
        }
        let ratio = measure_small::<M>(self.op, self.w, name);
        println!("ratio {name} {op} {n} {SMALL_MAPS} {ratio:.3}");
        self.cells.push(format!("{ratio:.2}"));
    }
}

/// The ratio of `op` ([`SmallMaps::OPS`]) over every map of `w` of type
/// `M` to the same over `BTreeMap`s. `BTreeMap`'s maps are built afresh
/// for each cell, right after the map's, so that neither side's 10^3 to
/// 10^5 small allocations lie in an older, more scattered heap.
fn measure_small<M: Timed>(op: Op, w: &SmallMaps, name: &str) -> f64 {
    let ours: Vec<M> = w.insert();
    let base: Vec<Baseline> = w.insert();
    same(
        name,
        "entries",
        SmallMaps::len(&ours) as u64,
        w.total() as u64,
    );
    same(name, "iterating", w.iterate(&ours), w.iterate(&base));
    same(name, "get (hits)", w.get_hits(&ours), w.get_hits(&base));
    match op {
        Op::GetHit => time_ratio(|| w.get_hits(&ours), || w.get_hits(&base)),
        Op::Iterate => time_ratio(|| w.iterate(&ours), || w.iterate(&base)),
        Op::InsertRandom => {
            // Neither side holds maps while the other builds.
            std::mem::drop((ours, base));
            time_ratio(|| w.insert::<M>(), || w.insert::<Baseline>())
        }
        op => unreachable!("{} is not among SmallMaps::OPS", op.name()),
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

/// The time now, UTC, to the minute.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (rest / 3600, rest % 3600 / 60);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}
