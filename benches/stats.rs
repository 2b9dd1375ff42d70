//! `stats` over a synthetic local history of 100,000 failures: reading the file (about 25 MB
//! of JSON lines) and summing it up per fingerprint, rule, outcome and day, as
//! `ipfs-kit autoheal stats` does. Also the two halves apart, and the text and JSON output.

mod common;

use autoheal::history::{EntryKind, History, HistoryEntry, HistoryOutcome};
use autoheal::stats::{Stats, StatsOptions};
use criterion::criterion_group;

/// Failures in the synthetic history.
const ENTRIES: u64 = 100_000;

/// Distinct bugs among them.
const BUGS: u64 = 500;

const DAY_MS: u64 = 86_400_000;

/// A history of [`ENTRIES`] failures of [`BUGS`] bugs over the last 60 days, in `dir`, with
/// the shapes real entries have: 32-hex fingerprints and trace IDs, titles of 60–120
/// characters, three versions, a rule for two bugs in three, an issue link for most.
fn synthetic_history(dir: &std::path::Path, now_ms: u64) -> History {
    let history = History::open(dir).with_bounds(1_000_000, 1 << 30);
    let outcomes = [
        HistoryOutcome::Reported,
        HistoryOutcome::Recurred,
        HistoryOutcome::Throttled,
        HistoryOutcome::Throttled,
        HistoryOutcome::Queued,
    ];
    let entries: Vec<HistoryEntry> = (0..ENTRIES)
        .map(|n| {
            // Frequent bugs are far more frequent than rare ones, as in real life.
            let bug = (n * n) % BUGS;
            let age = (ENTRIES - n) * 60 * DAY_MS / ENTRIES;
            let mut entry = HistoryEntry::new(
                now_ms - age,
                EntryKind::Failure,
                outcomes[(n % 5) as usize],
            );
            entry.fingerprint = format!("{:032x}", bug.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            entry.title = format!(
                "[auto-heal] io::Error: could not read /var/lib/ipfs_kit/blocks/{bug:06}/data.bin in {}",
                "add".repeat(1 + (bug % 20) as usize)
            );
            entry.trace_id = format!("{:032x}", n.wrapping_mul(0x2545_f491_4f6c_dd1d));
            entry.app_version = format!("0.{}.0", n * 3 / ENTRIES + 1);
            entry.issue_url = (!bug.is_multiple_of(10))
                .then(|| format!("https://github.com/acme/ipfs_kit/issues/{}", bug + 1));
            entry.rule = (!bug.is_multiple_of(3)).then(|| ["file-not-found", "connection-refused"][(bug % 2) as usize].to_string());
            entry
        })
        .collect();
    history
        .append_all(&entries)
        .expect("the synthetic history is written");
    history
}

fn stats(c: &mut criterion::Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let now_ms = 20_425 * DAY_MS + 12 * 3_600_000;
    let history = synthetic_history(dir.path(), now_ms);
    let bytes = std::fs::metadata(history.path())
        .map(|m| m.len())
        .unwrap_or(0);
    let read = history.read().expect("the history reads back");
    assert_eq!(read.entries.len() as u64, ENTRIES);
    eprintln!(
        "history: {} entries, {:.1} MB, {} bugs",
        read.entries.len(),
        bytes as f64 / 1e6,
        Stats::from_entries(&read.entries, &StatsOptions::at(now_ms))
            .failures
            .len()
    );
    let options = StatsOptions::at(now_ms);

    let mut group = c.benchmark_group("stats_100k");
    group.bench_function("read_and_aggregate", |b| {
        b.iter(|| Stats::of_history(&history, &options).expect("stats"))
    });
    group.bench_function("read", |b| b.iter(|| history.read().expect("read")));
    group.bench_function("aggregate", |b| {
        b.iter(|| Stats::from_entries(&read.entries, &options))
    });
    let summed = Stats::from_entries(&read.entries, &options);
    group.bench_function("text", |b| b.iter(|| summed.to_text(20)));
    group.bench_function("json", |b| {
        b.iter(|| serde_json::to_string_pretty(&summed.to_json()))
    });
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = stats }
criterion::criterion_main!(benches);
