//! The page the local history gives: occurrences per day, failures per rule and per outcome,
//! and the most frequent failures, with placeholders for the repository's figures.

use std::time::{Duration, UNIX_EPOCH};

use super::{
    BY_OUTCOME, BY_RULE, Block, Cell, Chart, FIX_OUTCOMES, LOCAL, NEEDS_REPO, OCCURRENCES, Page,
    REPOSITORY, Section, TIME_TO_CLOSE, TOP_FAILURES, Table,
};
use crate::stats::{DAY_MS, DAYS, Stats};

/// `ms` since the epoch as `YYYY-MM-DD`.
fn date(ms: u64) -> String {
    let (year, month, day) = crate::timestamp::civil_from_days(ms / DAY_MS);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM` (UTC).
fn minute(ms: u64) -> String {
    let of_day = ms % DAY_MS / 1000;
    format!("{} {:02}:{:02}", date(ms), of_day / 3600, of_day / 60 % 60)
}

impl Page {
    /// The page of `stats`: a summary, the failures per day over the last 30 days, per
    /// diagnosis rule and per outcome, and a table of the `top` most frequent failures; then
    /// the repository's charts ([`TIME_TO_CLOSE`], [`FIX_OUTCOMES`]) without data, each saying
    /// so until [`Page::put_chart`] gives it some.
    pub fn from_local(stats: &Stats, top: usize) -> Page {
        let generated = crate::timestamp::seconds(UNIX_EPOCH + Duration::from_millis(stats.now_ms));
        let mut page = Page::new("Failure statistics", generated.to_string());
        let last_30: u64 = stats.daily.iter().sum();
        page.summary = vec![
            ("Failures".into(), stats.total.to_string()),
            ("Kinds of failure".into(), stats.failures.len().to_string()),
            (format!("In the last {DAYS} days"), last_30.to_string()),
            (
                "Counted since".into(),
                match stats.since_ms {
                    Some(since) => format!("{} UTC", minute(since)),
                    None => "the oldest recorded".into(),
                },
            ),
        ];
        if stats.skipped > 0 {
            page.summary.push((
                "Unreadable history lines skipped".into(),
                stats.skipped.to_string(),
            ));
        }

        let no_failures = "No failures recorded in this period.";
        let mut occurrences =
            Chart::time_series(OCCURRENCES, "Occurrences per day", "day (UTC)", "failures")
                .describe(format!(
                    "Failures recorded on this machine each day, {} to {}.",
                    date(stats.first_day() * DAY_MS),
                    date(stats.now_ms)
                ));
        for (count, day) in stats.daily.iter().zip(stats.first_day()..) {
            occurrences = occurrences.with_point(date(day * DAY_MS), *count as f64);
        }
        let mut by_rule = Chart::bars(BY_RULE, "Failures by rule", "diagnosis rule", "failures")
            .describe("Each failure counted under the diagnosis rule that recognises it.")
            .when_empty(no_failures);
        for (rule, count) in &stats.rules {
            by_rule = by_rule.with_point(
                rule.as_deref().unwrap_or("(no rule recognises it)"),
                *count as f64,
            );
        }
        let mut by_outcome = Chart::bars(BY_OUTCOME, "Failures by outcome", "outcome", "failures")
            .describe("What became of each failure's report when it was first settled.")
            .when_empty(no_failures);
        for (outcome, count) in &stats.outcomes {
            by_outcome = by_outcome.with_point(outcome.as_str(), *count as f64);
        }

        let mut local = Section::new(LOCAL, "On this machine")
            .with_intro("From the failure history this machine recorded.");
        local.blocks = vec![
            Block::Chart(occurrences),
            Block::Chart(by_rule),
            Block::Chart(by_outcome),
            Block::Table(top_failures(stats, top)),
        ];
        let mut repository = Section::new(REPOSITORY, "In the repository")
            .with_intro("From the GitHub repository's issues and fix pull requests.");
        repository.blocks = vec![
            Block::Chart(
                Chart::bars(TIME_TO_CLOSE, "Time to close", "time open", "issues")
                    .describe("How long the auto-heal issues stayed open before they closed.")
                    .when_empty(NEEDS_REPO),
            ),
            Block::Chart(
                Chart::bars(FIX_OUTCOMES, "Fix outcomes", "outcome", "pull requests")
                    .describe(
                        "What became of the fix pull requests: merged, closed unmerged, \
                         recurred after merge, handed to Copilot.",
                    )
                    .when_empty(NEEDS_REPO),
            ),
        ];
        page.sections = vec![local, repository];
        page
    }
}

/// The `top` most frequent failures, one row each.
fn top_failures(stats: &Stats, top: usize) -> Table {
    let kinds = stats.failures.len();
    let caption = if kinds > top {
        format!("The {top} most frequent failures (of {kinds} kinds)")
    } else {
        "The failures, the most frequent first".to_string()
    };
    let mut table = Table::new(
        TOP_FAILURES,
        caption,
        &[
            "Count",
            "Failure",
            "Rule",
            "Last outcome",
            "First seen (UTC)",
            "Last seen (UTC)",
            "Versions",
            "Issue",
        ],
    );
    table.no_data = match kinds {
        0 => "No failures recorded in this period.".into(),
        _ => format!("None of the {kinds} kinds of failure listed (--top {top})."),
    };
    for failure in stats.failures.iter().take(top) {
        table.rows.push(vec![
            Cell::Number(failure.count as f64),
            Cell::Text(failure.title.clone()),
            Cell::Text(failure.rule.clone().unwrap_or_default()),
            Cell::Text(failure.last_outcome.as_str().into()),
            Cell::Text(minute(failure.first_seen_ms)),
            Cell::Text(minute(failure.last_seen_ms)),
            Cell::Text(failure.app_versions.join(", ")),
            match &failure.issue_url {
                Some(url) => Cell::Link(issue_name(url), url.clone()),
                None => Cell::Text(String::new()),
            },
        ]);
    }
    table
}

/// An issue's address as a short name: `#12` for `https://github.com/o/r/issues/12`.
fn issue_name(url: &str) -> String {
    match url.rsplit_once("/issues/") {
        Some((_, number)) if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            format!("#{number}")
        }
        _ => url.to_string(),
    }
}
