//! The stats as text for a terminal, and as JSON.

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::{DAY_MS, Stats};

/// The bars of a sparkline, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `counts` as a line of bars (`▁▂▃▄▅▆▇█`), the highest count the full bar; a zero is the
/// lowest bar, and any count above zero at least the second lowest, so a day with one failure
/// stands out from a day with none.
pub fn sparkline(counts: &[u64]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&count| {
            let level = match (count, max) {
                (0, _) | (_, 0) => 0,
                _ => (count.saturating_mul(7).div_ceil(max)).clamp(1, 7),
            };
            BARS.get(level as usize).copied().unwrap_or('▁')
        })
        .collect()
}

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

/// `ms` since the epoch as RFC 3339 (UTC, seconds).
fn rfc3339(ms: u64) -> String {
    crate::timestamp::seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

impl Stats {
    /// The stats for a terminal: the totals and the daily sparkline, the `top` most frequent
    /// failures, then the totals per diagnosis rule and per outcome.
    pub fn to_text(&self, top: usize) -> String {
        let mut out = String::new();
        let span = match self.since_ms {
            Some(since) => format!(" since {}", minute(since)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{} failure(s) of {} kind(s){span}.",
            self.total,
            self.failures.len()
        );
        let last_30: u64 = self.daily.iter().sum();
        let peak = self.daily.iter().copied().max().unwrap_or(0);
        let _ = writeln!(
            out,
            "Last 30 days  {}  {} .. {}  ({last_30} in all, at most {peak} a day)",
            sparkline(&self.daily),
            date(self.first_day() * DAY_MS),
            date(self.now_ms),
        );
        if self.skipped > 0 {
            let _ = writeln!(
                out,
                "({} unreadable line(s) of the history skipped: torn by a crash or edited by hand)",
                self.skipped
            );
        }
        if self.failures.is_empty() {
            return out;
        }
        out.push('\n');
        for failure in self.failures.iter().take(top) {
            let _ = writeln!(out, "{:>6}×  {}", failure.count, failure.title);
            let _ = writeln!(
                out,
                "         {}  first {}  last {}  version(s) {}",
                failure.fingerprint,
                minute(failure.first_seen_ms),
                minute(failure.last_seen_ms),
                match failure.app_versions.is_empty() {
                    true => "unknown".to_string(),
                    false => failure.app_versions.join(", "),
                }
            );
            let mut last = format!("         last: {}", failure.last_outcome);
            if let Some(url) = &failure.issue_url {
                let _ = write!(last, "  {url}");
            }
            if let Some(rule) = &failure.rule {
                let _ = write!(last, "  rule {rule}");
            }
            let _ = writeln!(out, "{last}");
        }
        if self.failures.len() > top {
            let _ = writeln!(
                out,
                "   ... and {} more kind(s) (--top N shows more, --json all)",
                self.failures.len() - top
            );
        }
        out.push_str("\nBy diagnosis rule:\n");
        for (rule, count) in &self.rules {
            let _ = writeln!(
                out,
                "{count:>8}  {}",
                rule.as_deref().unwrap_or("(no rule recognises it)")
            );
        }
        out.push_str("\nBy outcome:\n");
        for (outcome, count) in &self.outcomes {
            let _ = writeln!(out, "{count:>8}  {outcome}");
        }
        out
    }

    /// The stats as JSON: every failure, the rules, the outcomes and the daily counts.
    pub fn to_json(&self) -> Value {
        let first_day = self.first_day();
        json!({
            "since": self.since_ms.map(rfc3339),
            "now": rfc3339(self.now_ms),
            "total": self.total,
            "skipped_lines": self.skipped,
            "failures": self.failures.iter().map(|f| json!({
                "fingerprint": f.fingerprint,
                "title": f.title,
                "count": f.count,
                "first_seen": rfc3339(f.first_seen_ms),
                "last_seen": rfc3339(f.last_seen_ms),
                "app_versions": f.app_versions,
                "last_outcome": f.last_outcome.as_str(),
                "issue_url": f.issue_url,
                "rule": f.rule,
            })).collect::<Vec<_>>(),
            "rules": self.rules.iter().map(|(rule, count)| json!({
                "rule": rule,
                "count": count,
            })).collect::<Vec<_>>(),
            "outcomes": self.outcomes.iter().map(|(outcome, count)| {
                (outcome.as_str().to_string(), Value::from(*count))
            }).collect::<serde_json::Map<_, _>>(),
            "daily": self.daily.iter().zip(first_day..).map(|(count, day)| json!({
                "date": date(day * DAY_MS),
                "count": count,
            })).collect::<Vec<_>>(),
        })
    }
}
