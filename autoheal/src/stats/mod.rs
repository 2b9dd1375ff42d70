//! What fails most, since when, in which version, and what became of it: the local
//! [`history`](crate::history) summed up per failure (fingerprint), per diagnosis rule, per
//! outcome and per day.
//!
//! # Usage
//!
//! ```
//! use autoheal::history::{EntryKind, HistoryEntry, HistoryOutcome};
//! use autoheal::stats::{Stats, StatsOptions};
//!
//! let day = 86_400_000;
//! let now = 20_000 * day;
//! let mut entry = HistoryEntry::new(now - day, EntryKind::Failure, HistoryOutcome::Reported);
//! entry.fingerprint = "0123456789abcdef".into();
//! entry.title = "[auto-heal] io: file not found in add".into();
//! let stats = Stats::from_entries(&[entry.clone(), entry], &StatsOptions::at(now));
//! assert_eq!(stats.total, 2);
//! assert_eq!(stats.failures[0].count, 2);
//! assert_eq!(stats.daily[28], 2, "yesterday, the second-to-last of 30 days");
//! ```

pub mod html;
mod render;
#[cfg(feature = "github")]
#[cfg_attr(docsrs, doc(cfg(feature = "github")))]
pub mod repo;
mod since;

use std::collections::HashMap;

use crate::history::{EntryKind, EntryRef, HistoryEntry, HistoryOutcome};

pub use render::sparkline;
pub use since::parse_since;

/// The days the daily counts cover, ending today.
pub const DAYS: usize = 30;

const DAY_MS: u64 = 86_400_000;

/// Which entries count, and when "now" is.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct StatsOptions {
    /// Now, in milliseconds since the Unix epoch: the last of the daily counts is its day.
    pub now_ms: u64,
    /// Only entries from this time on count (milliseconds since the Unix epoch).
    pub since_ms: Option<u64>,
}

impl StatsOptions {
    /// Every entry, with `now_ms` as now.
    pub fn at(now_ms: u64) -> StatsOptions {
        StatsOptions {
            now_ms,
            since_ms: None,
        }
    }

    /// Only the entries from `since_ms` on.
    #[must_use]
    pub fn since(mut self, since_ms: Option<u64>) -> StatsOptions {
        self.since_ms = since_ms;
        self
    }
}

/// One failure (fingerprint) and its occurrences.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureStats {
    /// The bug's fingerprint.
    pub fingerprint: String,
    /// Its issue title (the latest recorded).
    pub title: String,
    /// How many times it happened.
    pub count: u64,
    /// When it happened first (milliseconds since the Unix epoch).
    pub first_seen_ms: u64,
    /// When it happened last.
    pub last_seen_ms: u64,
    /// The program's versions it happened in, in the order they were first seen.
    pub app_versions: Vec<String>,
    /// What became of it last (a queued report sent later counts).
    pub last_outcome: HistoryOutcome,
    /// Its issue, the latest known.
    pub issue_url: Option<String>,
    /// The diagnosis rule that recognises it, the latest known.
    pub rule: Option<String>,
}

/// The history summed up. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// The options it was made with.
    pub since_ms: Option<u64>,
    /// Now, as the options said.
    pub now_ms: u64,
    /// Failures counted.
    pub total: u64,
    /// Per failure, the most frequent first (then the latest).
    pub failures: Vec<FailureStats>,
    /// Failures per diagnosis rule (each bug's latest known), the most frequent first; `None`
    /// is no rule.
    pub rules: Vec<(Option<String>, u64)>,
    /// Failures per outcome (as each was first settled), in [`HistoryOutcome::ALL`] order,
    /// without the outcomes that never happened.
    pub outcomes: Vec<(HistoryOutcome, u64)>,
    /// Failures per day (UTC) over the last [`DAYS`] days, the oldest first, today last.
    pub daily: [u64; DAYS],
    /// Lines of the history that were not entries (torn by a crash, or edited by hand).
    pub skipped: usize,
}

impl Stats {
    /// Sum up `entries` (oldest first, as [`History::read`](crate::history::History::read)
    /// gives them).
    pub fn from_entries(entries: &[HistoryEntry], options: &StatsOptions) -> Stats {
        let mut tally = Tally::new(options);
        for entry in entries {
            tally.add(&EntryRef::of(entry));
        }
        tally.finish()
    }

    /// The stats of `history`.
    ///
    /// # Errors
    ///
    /// When the history file exists but cannot be read.
    pub fn of_history(
        history: &crate::history::History,
        options: &StatsOptions,
    ) -> crate::Result<Stats> {
        let bytes = history.read_bytes()?;
        let mut tally = Tally::new(options);
        let skipped = crate::history::for_each_entry(&bytes, |entry| tally.add(&entry));
        let mut stats = tally.finish();
        stats.skipped = skipped;
        Ok(stats)
    }

    /// The first day of [`daily`](Stats::daily), as days since the Unix epoch.
    pub fn first_day(&self) -> u64 {
        (self.now_ms / DAY_MS).saturating_sub(DAYS as u64 - 1)
    }
}

/// The sums so far, entry by entry: nothing of an entry is copied but what is new.
struct Tally {
    options: StatsOptions,
    first_day: u64,
    today: u64,
    index: HashMap<String, usize>,
    failures: Vec<FailureStats>,
    /// The time of the newest entry that set each failure's outcome.
    outcome_at: Vec<u64>,
    outcomes: [u64; HistoryOutcome::ALL.len()],
    daily: [u64; DAYS],
    total: u64,
}

impl Tally {
    fn new(options: &StatsOptions) -> Tally {
        let today = options.now_ms / DAY_MS;
        Tally {
            options: *options,
            first_day: today.saturating_sub(DAYS as u64 - 1),
            today,
            index: HashMap::new(),
            failures: Vec::new(),
            outcome_at: Vec::new(),
            outcomes: [0; HistoryOutcome::ALL.len()],
            daily: [0; DAYS],
            total: 0,
        }
    }

    fn add(&mut self, entry: &EntryRef<'_>) {
        if entry.time_ms < self.options.since_ms.unwrap_or(0) {
            return;
        }
        if entry.kind == EntryKind::Rule {
            // The rule of a failure counted already.
            if let Some(&at) = self.index.get(&*entry.fingerprint)
                && let Some(failure) = self.failures.get_mut(at)
            {
                replace_if_other(&mut failure.rule, entry.rule.as_deref());
            }
            return;
        }
        if entry.kind == EntryKind::Update {
            // A later outcome of a failure counted already.
            if let Some(&at) = self.index.get(&*entry.fingerprint)
                && let (Some(failure), Some(set_at)) =
                    (self.failures.get_mut(at), self.outcome_at.get_mut(at))
                && entry.time_ms >= *set_at
            {
                failure.last_outcome = entry.outcome;
                replace_if_other(&mut failure.issue_url, entry.issue_url.as_deref());
                *set_at = entry.time_ms;
            }
            return;
        }
        self.total += 1;
        if let Some(slot) = HistoryOutcome::ALL
            .iter()
            .position(|o| *o == entry.outcome)
            .and_then(|i| self.outcomes.get_mut(i))
        {
            *slot += 1;
        }
        let day = entry.time_ms / DAY_MS;
        if (self.first_day..=self.today).contains(&day)
            && let Some(slot) = self.daily.get_mut((day - self.first_day) as usize)
        {
            *slot += 1;
        }
        let at = match self.index.get(&*entry.fingerprint) {
            Some(&at) => at,
            None => {
                self.failures.push(FailureStats {
                    fingerprint: entry.fingerprint.to_string(),
                    title: String::new(),
                    count: 0,
                    first_seen_ms: entry.time_ms,
                    last_seen_ms: entry.time_ms,
                    app_versions: Vec::new(),
                    last_outcome: entry.outcome,
                    issue_url: None,
                    rule: None,
                });
                self.outcome_at.push(0);
                let at = self.failures.len() - 1;
                self.index.insert(entry.fingerprint.to_string(), at);
                at
            }
        };
        let (Some(failure), Some(set_at)) =
            (self.failures.get_mut(at), self.outcome_at.get_mut(at))
        else {
            return;
        };
        failure.count += 1;
        failure.first_seen_ms = failure.first_seen_ms.min(entry.time_ms);
        if entry.time_ms >= failure.last_seen_ms || failure.title.is_empty() {
            failure.last_seen_ms = failure.last_seen_ms.max(entry.time_ms);
            if !entry.title.is_empty() && failure.title != *entry.title {
                failure.title = entry.title.to_string();
            }
        }
        if !entry.app_version.is_empty()
            && !failure
                .app_versions
                .iter()
                .any(|v| *v == *entry.app_version)
        {
            failure.app_versions.push(entry.app_version.to_string());
        }
        if entry.time_ms >= *set_at {
            failure.last_outcome = entry.outcome;
            *set_at = entry.time_ms;
        }
        replace_if_other(&mut failure.issue_url, entry.issue_url.as_deref());
        replace_if_other(&mut failure.rule, entry.rule.as_deref());
    }

    fn finish(self) -> Stats {
        let mut failures = self.failures;
        failures.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(b.last_seen_ms.cmp(&a.last_seen_ms))
        });
        // A bug has one rule: its failures count for the latest one known.
        let mut by_rule: HashMap<Option<&str>, u64> = HashMap::new();
        for failure in &failures {
            *by_rule.entry(failure.rule.as_deref()).or_default() += failure.count;
        }
        let mut rules: Vec<(Option<String>, u64)> = by_rule
            .into_iter()
            .map(|(rule, count)| (rule.map(str::to_string), count))
            .collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Stats {
            since_ms: self.options.since_ms,
            now_ms: self.options.now_ms,
            total: self.total,
            failures,
            rules,
            outcomes: HistoryOutcome::ALL
                .into_iter()
                .zip(self.outcomes)
                .filter(|(_, count)| *count > 0)
                .collect(),
            daily: self.daily,
            skipped: 0,
        }
    }
}

/// Set `slot` to `value` when there is one and it differs (allocating only then).
fn replace_if_other(slot: &mut Option<String>, value: Option<&str>) {
    if let Some(value) = value
        && slot.as_deref() != Some(value)
    {
        *slot = Some(value.to_string());
    }
}

#[cfg(test)]
mod tests;
