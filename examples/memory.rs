//! The memory report: bytes per entry of every configuration beside std's
//! `BTreeMap`, from 1 to 10⁶ entries, in three insertion orders.
//!
//! ```text
//! cargo run --release --example memory
//! ```
//!
//! The configurations are `support::Under`, a list of `TreeConfig` types,
//! visited by one generic `ConfigVisitor`; keys are seeded random `u64`s
//! (the tour's `Workload`), each its own value. Bytes are what a counting
//! global allocator has live while the map is (spare capacity included)
//! plus the map's `size_of`, measured by `CountingAlloc::measure`, the
//! function the tour uses. It prints, as markdown tables:
//!
//! 1. bytes per entry at n ∈ {1, 2, 5, 10, 20, 50, 100, 10³, 10⁴, 10⁵, 10⁶},
//!    for keys inserted one by one in random order, inserted one by one
//!    ascending, and bulk-built from the sorted keys (ours:
//!    `from_sorted_iter`; `BTreeMap`: `collect`);
//! 2. live heap allocations at the same n;
//! 3. the figures at 10⁶ against `BTreeMap`'s;
//! 4. the crossover: the smallest n from which on (up to 10⁴) a
//!    configuration never uses more bytes than `BTreeMap`, measured after
//!    every insert into one growing map for the random and ascending orders,
//!    and for bulk builds at sampled n (every n to 100, then steps of 2 %);
//!
//! and draws bytes per entry against n (random order; every n to 10⁴, then
//! 10⁵ and 10⁶) to `docs/memory.svg`. Last, `String` keys (the speed
//! runner's ids and words): bytes per entry of `BTreeMap`, `Standard`,
//! `Compact` and `Prefixed`, without the keys' own heap bytes, which every
//! map holds alike.

mod support;

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use bptree::TreeConfig;
use bptree::config::{ConfigList, ConfigVisitor};
use plotters::coord::Shift;
use plotters::prelude::*;
use support::{
    Baseline, CountingAlloc, Footprint, IdKeys, KeySet, Map, Order, Subject, Table, Under,
    WordKeys, Workload,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

/// The sizes of the tables.
const SIZES: [usize; 11] = [1, 2, 5, 10, 20, 50, 100, 1_000, 10_000, 100_000, 1_000_000];
/// Their column titles.
const SIZE_TITLES: [&str; 11] = [
    "1", "2", "5", "10", "20", "50", "100", "10^3", "10^4", "10^5", "10^6",
];
/// The crossover is looked for up to this n.
const CROSSOVER_MAX: usize = 10_000;
/// Where the chart goes, under the crate's root.
const CHART: &str = "docs/memory.svg";

fn main() {
    let start = Instant::now();
    ALLOC.assert_installed();
    println!(
        "bptree memory report: every configuration beside std's BTreeMap; u64 keys from a \
         seeded xorshift PRNG, each its own u64 value (payload: 16 bytes per entry).\n\
         Bytes: live heap bytes from a counting global allocator while the map is alive \
         (as requested: Vec spare capacity included, allocator overhead not) + size_of of \
         the map. Orders: {}.\n",
        Order::ALL
            .map(|o| format!("{}: {}", o.name(), o.description()))
            .join("; ")
    );

    let mut names = Names(
        Vec::new(),
        Table::new(&["configuration", "layout", "description", "size_of"], 3),
    );
    every_subject(&mut names);
    names.1.print();
    let names = names.0;
    println!();

    // at_size[subject][order][i]: the map of SIZES[i] keys.
    let mut at_size: Vec<[Vec<Footprint>; 3]> = vec![Default::default(); names.len()];
    for n in SIZES {
        let workload = Workload::new(n);
        let mut measure = Measure {
            workload: &workload,
            orders: &Order::ALL,
            out: Vec::new(),
        };
        every_subject(&mut measure);
        for (subject, footprints) in at_size.iter_mut().zip(measure.out) {
            for (series, footprint) in subject.iter_mut().zip(footprints) {
                series.push(footprint);
            }
        }
    }

    // growth[subject][0 random, 1 ascending][n - 1]: one map, after each insert.
    let workload = Workload::new(CROSSOVER_MAX);
    let mut growth = Growth {
        workload: &workload,
        out: Vec::new(),
    };
    every_subject(&mut growth);
    let growth = growth.out;
    let last = SIZES.iter().position(|&n| n == CROSSOVER_MAX).unwrap();
    for (subject, name) in names.iter().enumerate() {
        for (o, order) in [Order::Random, Order::Ascending].into_iter().enumerate() {
            let (grown, built) = (
                growth[subject][o][CROSSOVER_MAX - 1],
                at_size[subject][o][last],
            );
            assert_eq!(
                (grown.bytes, grown.allocations),
                (built.bytes, built.allocations),
                "{}: {} order at n = {CROSSOVER_MAX}: growing and building differ",
                name.name,
                order.name()
            );
        }
    }

    // bulk[subject][i]: bulk-built at BULK sample i.
    let samples = bulk_samples();
    let mut bulk: Vec<Vec<(usize, Footprint)>> = vec![Vec::new(); names.len()];
    for &n in &samples {
        let workload = Workload::new(n);
        let mut measure = Measure {
            workload: &workload,
            orders: &[Order::Bulk],
            out: Vec::new(),
        };
        every_subject(&mut measure);
        for (subject, footprints) in bulk.iter_mut().zip(measure.out) {
            subject.push((n, footprints[0]));
        }
    }

    for (o, order) in Order::ALL.into_iter().enumerate() {
        let (name, description) = (order.name(), order.description());
        println!("Bytes per entry by n, {name}: {description}.\n");
        by_n(&names, &at_size, o, |f| {
            format!("{:.1}", f.bytes_per_entry())
        });
    }
    for (o, order) in Order::ALL.into_iter().enumerate() {
        println!("Live heap allocations by n, {}.\n", order.name());
        by_n(&names, &at_size, o, |f| f.allocations.to_string());
    }

    summary(&names, &at_size);
    crossovers(&names, &growth, &bulk, samples.len());
    string_keys();

    // The chart: random order, every n up to CROSSOVER_MAX from the growing
    // map (sampled for size), then the larger table sizes.
    let lines: Vec<(&str, Vec<(f64, f64)>)> = names
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let grown = chart_points(CROSSOVER_MAX).map(|n| (n, growth[s][0][n - 1]));
            let built = SIZES.iter().copied().zip(at_size[s][0].iter().copied());
            let larger = built.filter(|&(n, _)| n > CROSSOVER_MAX);
            let points = grown.chain(larger);
            let points = points.map(|(n, f)| (n as f64, f.bytes_per_entry()));
            (name.name, points.collect())
        })
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CHART);
    match chart(&path, &lines) {
        Ok(()) => println!("Chart: {CHART} (bytes per entry against n, random order)."),
        Err(e) => {
            eprintln!("could not draw {}: {e}", path.display());
            std::process::exit(1);
        }
    }
    println!("Done in {:.1} s.", start.elapsed().as_secs_f64());
}

/// The `String`-keys table: bytes per entry of maps of the speed runner's
/// ids and words (`String -> u64`, inserted one by one in random order),
/// less the keys' own heap bytes (each key's `len`, as a clone allocates
/// it), which every map holds alike.
fn string_keys() {
    const NS: [usize; 3] = [1_000, 100_000, 1_000_000];
    println!(
        "Bytes per entry, String keys -> u64 (random inserts; the keys' own heap bytes not \
         counted).\n"
    );
    let mut table = Table::new(&["keys", "map", "10³", "10⁵", "10⁶"], 2);
    fn row<S: KeySet<Key = String, Value = u64>, M: Default>(
        table: &mut Table,
        name: &str,
        insert: fn(&mut M, String, u64),
    ) {
        let mut cells = vec![S::NAME.to_string(), name.to_string()];
        for n in NS {
            let keys = Workload::<S>::generate(n).keys;
            let key_bytes: usize = keys.iter().map(String::len).sum();
            let before = ALLOC.live_bytes();
            let mut m = M::default();
            for (i, k) in keys.iter().enumerate() {
                insert(&mut m, k.clone(), i as u64);
            }
            let bytes = ALLOC.live_bytes() - before + size_of::<M>() - key_bytes;
            drop(m);
            cells.push(format!("{:.1}", bytes as f64 / n as f64));
        }
        table.row(cells);
    }
    fn rows<S: KeySet<Key = String, Value = u64>>(table: &mut Table) {
        row::<S, std::collections::BTreeMap<String, u64>>(table, "BTreeMap", |m, k, v| {
            m.insert(k, v);
        });
        row::<S, bptree::BPlusTreeMap<String, u64>>(table, "Standard", |m, k, v| {
            m.insert(k, v);
        });
        row::<S, bptree::phase::Compact<String, u64>>(table, "Compact", |m, k, v| {
            m.insert(k, v);
        });
        row::<S, bptree::phase::Prefixed<String, u64>>(table, "Prefixed", |m, k, v| {
            m.insert(k, v);
        });
    }
    rows::<IdKeys>(&mut table);
    table.rule();
    rows::<WordKeys>(&mut table);
    table.print();
    println!();
}

/// Column titles: `first`, then the sizes.
/// A table of `cell` for every configuration at every n, in order `o`.
fn by_n(
    names: &[Name],
    at_size: &[[Vec<Footprint>; 3]],
    o: usize,
    cell: impl Fn(&Footprint) -> String,
) {
    let mut table = Table::new(&size_titles("configuration"), 1);
    for (name, subject) in names.iter().zip(at_size) {
        let cells = subject[o].iter().map(&cell);
        table.row(
            std::iter::once(name.name.to_string())
                .chain(cells)
                .collect(),
        );
    }
    table.print();
    println!();
}

fn size_titles(first: &'static str) -> Vec<&'static str> {
    std::iter::once(first).chain(SIZE_TITLES).collect()
}

/// Every n to 100, then steps of 2 % to [`CROSSOVER_MAX`].
fn bulk_samples() -> Vec<usize> {
    let mut samples: Vec<usize> = (1..=100).collect();
    let mut x = 100.0f64;
    while x < CROSSOVER_MAX as f64 {
        x *= 1.02;
        let n = (x.round() as usize).min(CROSSOVER_MAX);
        if samples.last() != Some(&n) {
            samples.push(n);
        }
    }
    samples
}

/// The n the chart draws of the growing map: every n to 100, then steps of
/// 1 % (the SVG stays small), and `max`.
fn chart_points(max: usize) -> impl Iterator<Item = usize> {
    let mut next = 1usize;
    std::iter::from_fn(move || {
        let n = next;
        if n > max {
            return None;
        }
        next = if n == max {
            max + 1
        } else {
            (n + 1).max((n as f64 * 1.01) as usize).min(max)
        };
        Some(n)
    })
}

// ---------------------------------------------------------------------------
// Running a job on every subject: BTreeMap, then `Under`.

/// Generic code to run on `BTreeMap` and every configuration.
trait Job {
    /// Runs on the map type `M`, named `name`, described as `description`.
    fn run<M: Subject>(&mut self, name: &'static str, description: &'static str);
}

/// Runs a [`Job`] on the configurations of a list.
struct Visit<'a, J>(&'a mut J);

impl<J: Job> ConfigVisitor for Visit<'_, J> {
    fn visit<C: TreeConfig, const CAP: usize>(&mut self) {
        self.0.run::<Map<C, CAP>>(C::NAME, C::DESCRIPTION);
    }
}

/// Runs `job` on `BTreeMap`, then on every configuration of `Under`.
fn every_subject(job: &mut impl Job) {
    job.run::<Baseline>(
        "BTreeMap",
        "std::collections::BTreeMap, the baseline: every row is measured against it",
    );
    Under::for_each(&mut Visit(job));
}

/// A subject's name and `size_of`.
struct Name {
    name: &'static str,
    size_of: usize,
}

/// Collects the names, and a table of them with layouts and descriptions.
struct Names(Vec<Name>, Table);

impl Job for Names {
    fn run<M: Subject>(&mut self, name: &'static str, description: &'static str) {
        let size_of = size_of::<M>();
        self.0.push(Name { name, size_of });
        let row = [
            name.into(),
            M::layout(),
            description.into(),
            size_of.to_string(),
        ];
        self.1.row(row.into());
    }
}

/// The footprint of the map of each of `orders` built from `workload`.
struct Measure<'a> {
    workload: &'a Workload,
    orders: &'a [Order],
    /// Per subject, per order.
    out: Vec<Vec<Footprint>>,
}

impl Job for Measure<'_> {
    fn run<M: Subject>(&mut self, _: &'static str, _: &'static str) {
        let orders = self.orders.iter();
        let footprints = orders.map(|&order| ALLOC.measure::<M>(self.workload, order));
        self.out.push(footprints.collect());
    }
}

/// The footprint after every insert into one map, random and ascending.
struct Growth<'a> {
    workload: &'a Workload,
    /// Per subject: random, ascending; element `n - 1` holds n entries.
    out: Vec<[Vec<Footprint>; 2]>,
}

impl Job for Growth<'_> {
    fn run<M: Subject>(&mut self, _: &'static str, _: &'static str) {
        let w = self.workload;
        let random = ALLOC.growth::<M>(&w.keys);
        let ascending = ALLOC.growth::<M>(&w.ascending);
        self.out.push([random, ascending]);
    }
}

// ---------------------------------------------------------------------------
// Tables of results

/// The figures at the largest n, against `BTreeMap`'s (the first subject).
fn summary(names: &[Name], at_size: &[[Vec<Footprint>; 3]]) {
    let n = SIZE_TITLES[SIZES.len() - 1];
    println!(
        "At n = {n}, against BTreeMap (×: bytes over BTreeMap's; fill: average leaf fill \
         after random insertion; allocs: live allocations, random order, and the fraction \
         of BTreeMap's):\n"
    );
    let mut table = Table::new(
        &[
            "configuration",
            "size_of",
            "random B/e",
            "×",
            "fill",
            "ascending B/e",
            "×",
            "bulk B/e",
            "×",
            "allocs",
            "of BTreeMap's",
        ],
        1,
    );
    let at = |s: usize, o: usize| at_size[s][o][SIZES.len() - 1];
    for (s, name) in names.iter().enumerate() {
        let mut row = vec![name.name.to_string(), name.size_of.to_string()];
        for o in 0..3 {
            let (ours, base) = (at(s, o), at(0, o));
            row.push(format!("{:.2}", ours.bytes_per_entry()));
            row.push(format!("{:.2}", ours.bytes as f64 / base.bytes as f64));
            if o == 0 {
                row.push(ours.leaf_fill.map_or("—".into(), |f| format!("{f:.3}")));
            }
        }
        let (ours, base) = (at(s, 0).allocations, at(0, 0).allocations);
        row.push(ours.to_string());
        row.push(format!("1/{:.0}", base as f64 / ours.max(1) as f64));
        table.row(row);
    }
    table.print();
    println!();
}

/// Where a configuration stops using more bytes than `BTreeMap`.
struct Crossover {
    /// The smallest n from which on it never uses more, if it is reached.
    from: Option<usize>,
    /// The largest ratio of its bytes to `BTreeMap`'s where it uses more:
    /// n, its bytes, `BTreeMap`'s.
    worst: Option<(usize, usize, usize)>,
}

impl Crossover {
    /// From `(n, ours, BTreeMap's)` byte counts, ascending in n.
    fn new(points: impl Iterator<Item = (usize, usize, usize)>) -> Self {
        let (mut from, mut worst) = (None, None::<(usize, usize, usize)>);
        for (n, ours, base) in points {
            if ours <= base {
                from.get_or_insert(n);
                continue;
            }
            from = None;
            // ours / base > o / b, without rounding.
            if worst.is_none_or(|(_, o, b)| ours * b > o * base) {
                worst = Some((n, ours, base));
            }
        }
        Crossover { from, worst }
    }

    /// The crossover n, or that it is not reached.
    fn start_text(&self) -> String {
        match (self.from, self.worst) {
            (Some(n), None) => format!("{n} (never above)"),
            (Some(n), Some(_)) => n.to_string(),
            (None, _) => format!("not by {CROSSOVER_MAX}"),
        }
    }

    fn worst_text(&self) -> String {
        match self.worst {
            None => "—".into(),
            Some((n, ours, base)) => {
                let ratio = ours as f64 / base as f64;
                format!("{ratio:.2}× at n = {n} ({ours} B vs {base} B)")
            }
        }
    }
}

/// The crossover table: random and ascending from the growing maps, bulk
/// from the samples.
fn crossovers(
    names: &[Name],
    growth: &[[Vec<Footprint>; 2]],
    bulk: &[Vec<(usize, Footprint)>],
    samples: usize,
) {
    println!(
        "Crossover: the smallest n from which on, up to n = {CROSSOVER_MAX}, the configuration \
         never uses more bytes than BTreeMap built the same way from the same keys. Random \
         and ascending: measured at every n, after each insert into one growing map. Bulk: \
         sampled at {samples} n (every n to 100, then steps of 2 %), so its crossover is the \
         first sample from which on it never uses more. Worst: the largest ratio of bytes to \
         BTreeMap's where it uses more.\n"
    );
    let mut table = Table::new(
        &[
            "configuration",
            "random: from n",
            "random: worst",
            "ascending: from n",
            "ascending: worst",
            "bulk (sampled): from n",
            "bulk: worst",
        ],
        7,
    );
    for (s, name) in names.iter().enumerate().skip(1) {
        let mut row = vec![name.name.to_string()];
        for (ours, base) in growth[s].iter().zip(&growth[0]) {
            let points = ours
                .iter()
                .zip(base)
                .map(|(a, b)| (a.entries, a.bytes, b.bytes));
            let crossover = Crossover::new(points);
            row.push(crossover.start_text());
            row.push(crossover.worst_text());
        }
        let (ours, base) = (&bulk[s], &bulk[0]);
        let points = ours
            .iter()
            .zip(base)
            .map(|((n, a), (_, b))| (*n, a.bytes, b.bytes));
        let crossover = Crossover::new(points);
        row.push(crossover.start_text());
        row.push(crossover.worst_text());
        table.row(row);
    }
    table.print();
    println!();
}

// ---------------------------------------------------------------------------
// The chart

/// Line colours: BTreeMap black, then a ten-colour palette.
const COLOURS: [RGBColor; 11] = [
    RGBColor(0, 0, 0),
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The zoomed panel: n from here on...
const ZOOM_FROM: f64 = 50.0;
/// ...and bytes per entry up to here.
const ZOOM_TOP: f64 = 64.0;

/// Draws bytes per entry against n as SVG at `path`, one line per subject:
/// the whole range log-log above, and below, zoomed in on large n.
fn chart(path: &Path, lines: &[(&str, Vec<(f64, f64)>)]) -> Result<(), Box<dyn Error>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let ys = lines
        .iter()
        .flat_map(|(_, points)| points.iter().map(|p| p.1));
    let (low, high) = ys.fold((f64::MAX, 0f64), |(l, h), y| (l.min(y), h.max(y)));
    let max_n = SIZES[SIZES.len() - 1] as f64;

    let root = SVGBackend::new(path, (960, 980)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(560);
    panel(
        &top,
        "Bytes per entry (heap + size_of), u64 keys and values, random insertion",
        (1.0, max_n),
        (low * 0.9, high * 1.1),
        &[1.0, 2.0, 5.0],
        lines,
    )?;
    let zoomed: Vec<(&str, Vec<(f64, f64)>)> = lines
        .iter()
        .map(|(name, points)| {
            let kept = points.iter().filter(|p| p.0 >= ZOOM_FROM);
            (*name, kept.copied().collect())
        })
        .collect();
    panel(
        &bottom,
        "The same from n = 50, up to 64 bytes per entry (lines cut at the top)",
        (ZOOM_FROM, max_n),
        (low * 0.95, ZOOM_TOP),
        &[
            1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.4, 2.8, 3.2, 4.0, 4.8, 5.6, 6.4, 8.0,
        ],
        &zoomed,
    )?;
    root.present()?;
    Ok(())
}

/// One log-log chart of `lines` over `x` and `y` on `area`, with a legend;
/// the y axis is labelled at `steps` times each power of ten.
fn panel(
    area: &DrawingArea<SVGBackend, Shift>,
    caption: &str,
    (x_low, x_high): (f64, f64),
    (y_low, y_high): (f64, f64),
    steps: &[f64],
    lines: &[(&str, Vec<(f64, f64)>)],
) -> Result<(), Box<dyn Error>> {
    let powers = (0..8).map(|e| 10f64.powi(e));
    let y_keys = powers.flat_map(|p| steps.iter().map(move |s| s * p));
    let y_keys = y_keys.filter(|y| (y_low..=y_high).contains(y)).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(16)
        .margin_right(40)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (x_low..x_high).log_scale(),
            (y_low..y_high).log_scale().with_key_points(y_keys),
        )?;
    chart
        .configure_mesh()
        .x_desc("n (entries)")
        .y_desc("bytes per entry")
        .x_label_formatter(&|&x| count(x))
        .y_label_formatter(&|y| count(*y))
        .label_style(("sans-serif", 13))
        .draw()?;
    for (i, (name, points)) in lines.iter().enumerate() {
        let width = if i == 0 { 3 } else { 2 };
        let style = COLOURS[i % COLOURS.len()].stroke_width(width);
        for (run, points) in below(points, y_high).into_iter().enumerate() {
            let series = chart.draw_series(LineSeries::new(points, style))?;
            if run == 0 {
                let legend = move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style);
                series.label(*name).legend(legend);
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    Ok(())
}

/// The runs of the line through `points` that lie at or below `top`, cut
/// where the line crosses it (in log-log space); the SVG backend does not
/// clip.
fn below(points: &[(f64, f64)], top: f64) -> Vec<Vec<(f64, f64)>> {
    let crossing = |(x0, y0): (f64, f64), (x1, y1): (f64, f64)| {
        let t = (top.ln() - y0.ln()) / (y1.ln() - y0.ln());
        ((x0.ln() + t * (x1.ln() - x0.ln())).exp(), top)
    };
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut previous: Option<(f64, f64)> = None;
    for &p in points {
        let inside = p.1 <= top;
        match previous {
            Some(q) if (q.1 <= top) != inside => {
                let cut = crossing(q, p);
                if inside {
                    runs.push(vec![cut, p]);
                } else if let Some(run) = runs.last_mut() {
                    run.push(cut);
                }
            }
            _ if inside => match runs.last_mut() {
                Some(run) if previous.is_some_and(|q| q.1 <= top) => run.push(p),
                _ => runs.push(vec![p]),
            },
            _ => {}
        }
        previous = Some(p);
    }
    runs
}

/// `x` as a count: 1, 10, 100, 1k, 10k, 100k, 1M.
fn count(x: f64) -> String {
    match x {
        x if x >= 1e6 => format!("{}M", x / 1e6),
        x if x >= 1e3 => format!("{}k", x / 1e3),
        x => format!("{x:.0}"),
    }
}
