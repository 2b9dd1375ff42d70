//! The repository's figures for a terminal, and as a stable JSON document.

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::{IssueStats, RepoStats};
use crate::stats::{DAYS, sparkline};

const DAY_MS: u64 = 86_400_000;

/// The version of the JSON document: raised when a field changes meaning or goes away.
pub const JSON_SCHEMA: u64 = 1;

/// `ms` since the epoch as `YYYY-MM-DD`.
fn date(ms: u64) -> String {
    let (year, month, day) = crate::timestamp::civil_from_days(ms / DAY_MS);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `ms` since the epoch as RFC 3339 (UTC, seconds).
fn rfc3339(ms: u64) -> String {
    crate::timestamp::seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// `secs` as the two largest units: `3d 4h`, `2h 5m`, `40s`.
pub(super) fn duration(secs: u64) -> String {
    let (days, hours, minutes) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// `rate` (from 0 to 1) as a whole percentage.
fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

/// What became of an issue's fix, in a few words.
fn fix_words(issue: &IssueStats) -> Option<String> {
    let fix = issue.fix.as_ref()?;
    let mut words = format!(
        "fix #{} {}",
        fix.number,
        fix.state.as_str().replace('_', " ")
    );
    if fix.recurred {
        words.push_str(", recurred");
    }
    Some(words)
}

impl RepoStats {
    /// The figures for a terminal: the totals, the fixes and hand-offs, the `top` issues with
    /// the most occurrences, and the occurrences per rule; what cut the reading short first.
    pub fn to_text(&self, top: usize) -> String {
        let mut out = String::new();
        for reason in &self.incomplete {
            let _ = writeln!(out, "Partial: {reason}.");
        }
        if !self.incomplete.is_empty() {
            out.push('\n');
        }
        let span = match self.since_ms {
            Some(since) => format!(" opened since {}", date(since)),
            None => String::new(),
        };
        let total = self.open_issues + self.closed_issues;
        let _ = writeln!(
            out,
            "{}: {total} auto-heal issue(s){span}: {} open, {} closed, {} regression(s).",
            self.repo, self.open_issues, self.closed_issues, self.regressions
        );
        let _ = writeln!(
            out,
            "Occurrences      {} in all (each issue, plus the recurrences its comments count)",
            self.occurrences
        );
        let _ = writeln!(
            out,
            "Last {DAYS} days     {}  {} .. {}",
            sparkline(&self.last_days(DAYS)),
            date(self.now_ms.saturating_sub((DAYS as u64 - 1) * DAY_MS)),
            date(self.now_ms),
        );
        let _ = match self.median_close_secs {
            Some(median) => writeln!(
                out,
                "Time to close    median {} over {} closed issue(s)",
                duration(median),
                self.close_secs.len()
            ),
            None => writeln!(out, "Time to close    no issue closed yet"),
        };
        let fixes = &self.fixes;
        let _ = writeln!(
            out,
            "Fix pulls        {} opened: {} merged, {} closed unmerged, {} open; {} merged fix(es) recurred",
            fixes.opened,
            fixes.merged,
            fixes.closed_unmerged,
            fixes.open,
            fixes.recurred_after_merge
        );
        let _ = match fixes.success_rate() {
            Some(rate) => writeln!(
                out,
                "Fix success      {} ({} of {} decided: merged and not recurred)",
                percent(rate),
                fixes.merged.saturating_sub(fixes.recurred_after_merge),
                fixes.merged + fixes.closed_unmerged
            ),
            None => writeln!(out, "Fix success      no fix pull request decided yet"),
        };
        let _ = writeln!(
            out,
            "Copilot          {} hand-off(s): {} accepted, {} refused",
            self.handoffs.accepted + self.handoffs.refused,
            self.handoffs.accepted,
            self.handoffs.refused
        );
        if self.issues.is_empty() {
            return out;
        }
        out.push_str("\nTop failures:\n");
        for issue in self.issues.iter().take(top) {
            let _ = writeln!(
                out,
                "{:>6}×  #{} {}",
                issue.occurrences, issue.number, issue.title
            );
            let mut line = match issue.closed_ms {
                Some(closed) => format!(
                    "         closed in {}",
                    duration(closed.saturating_sub(issue.created_ms) / 1000)
                ),
                None => format!("         open since {}", date(issue.created_ms)),
            };
            if let Some(rule) = &issue.rule {
                let _ = write!(line, "  rule {rule}");
            }
            if let Some(words) = fix_words(issue) {
                let _ = write!(line, "  {words}");
            }
            if let Some(handoff) = issue.handoff {
                let _ = write!(line, "  Copilot {}", handoff.as_str());
            }
            if let Some(original) = issue.regression_of {
                let _ = write!(line, "  regression of #{original}");
            }
            let _ = writeln!(out, "{line}");
        }
        if self.issues.len() > top {
            let _ = writeln!(
                out,
                "   ... and {} more issue(s) (--top N shows more, --json all)",
                self.issues.len() - top
            );
        }
        out.push_str("\nBy diagnosis rule:\n");
        for rule in &self.rules {
            let _ = writeln!(
                out,
                "{:>8} occurrence(s) in {:>4} issue(s)  {}",
                rule.occurrences,
                rule.issues,
                rule.rule.as_deref().unwrap_or("(not diagnosed)")
            );
        }
        out
    }

    /// The figures as one JSON document, stable for scripts and charts (see
    /// [`JSON_SCHEMA`]): every issue, the rules, the fixes, the hand-offs, the time-to-close
    /// durations and the occurrences per day.
    pub fn to_json(&self) -> Value {
        let fixes = &self.fixes;
        json!({
            "schema": JSON_SCHEMA,
            "repo": self.repo,
            "since": self.since_ms.map(rfc3339),
            "now": rfc3339(self.now_ms),
            "complete": self.incomplete.is_empty(),
            "incomplete": self.incomplete,
            "issues": {
                "total": self.open_issues + self.closed_issues,
                "open": self.open_issues,
                "closed": self.closed_issues,
                "regressions": self.regressions,
            },
            "occurrences": self.occurrences,
            "time_to_close": {
                "median_secs": self.median_close_secs,
                "durations_secs": self.close_secs,
            },
            "fixes": {
                "opened": fixes.opened,
                "open": fixes.open,
                "merged": fixes.merged,
                "closed_unmerged": fixes.closed_unmerged,
                "recurred_after_merge": fixes.recurred_after_merge,
                "success_rate": fixes.success_rate(),
            },
            "copilot": {
                "handoffs": self.handoffs.accepted + self.handoffs.refused,
                "accepted": self.handoffs.accepted,
                "refused": self.handoffs.refused,
            },
            "rules": self.rules.iter().map(|rule| json!({
                "rule": rule.rule,
                "issues": rule.issues,
                "occurrences": rule.occurrences,
            })).collect::<Vec<_>>(),
            "failures": self.issues.iter().map(|issue| json!({
                "number": issue.number,
                "title": issue.title,
                "url": issue.html_url,
                "state": if issue.open { "open" } else { "closed" },
                "occurrences": issue.occurrences,
                "created_at": rfc3339(issue.created_ms),
                "closed_at": issue.closed_ms.map(rfc3339),
                "rule": issue.rule,
                "regression_of": issue.regression_of,
                "copilot": issue.handoff.map(|h| h.as_str()),
                "fix": issue.fix.as_ref().map(|fix| json!({
                    "number": fix.number,
                    "url": fix.html_url,
                    "state": fix.state.as_str(),
                    "merged_at": fix.merged_ms.map(rfc3339),
                    "recurred": fix.recurred,
                })),
            })).collect::<Vec<_>>(),
            "daily": self.daily.iter().map(|(day, count)| json!({
                "date": date(day * DAY_MS),
                "count": count,
            })).collect::<Vec<_>>(),
        })
    }
}
