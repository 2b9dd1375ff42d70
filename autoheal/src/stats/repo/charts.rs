//! The repository's figures as charts of the stats page ([`crate::stats::html`]): they fill the
//! placeholders [`Page::from_local`](crate::stats::html::Page::from_local) leaves (time to
//! close, fix outcomes) and add the occurrences per day and per rule read from GitHub.

use super::RepoStats;
use crate::stats::html::{Chart, FIX_OUTCOMES, Page, REPOSITORY, TIME_TO_CLOSE};

/// The chart of the repository's occurrences per day.
pub const REPO_OCCURRENCES: &str = "repo-occurrences";
/// The chart of the repository's occurrences per diagnosis rule.
pub const REPO_BY_RULE: &str = "repo-by-rule";

const DAY_MS: u64 = 86_400_000;

/// The time-to-close buckets: the label and the longest time (seconds) it holds.
const CLOSE_BUCKETS: [(&str, u64); 5] = [
    ("under 1 hour", 3_600),
    ("1 hour to 1 day", 86_400),
    ("1 to 7 days", 7 * 86_400),
    ("1 to 4 weeks", 28 * 86_400),
    ("over 4 weeks", u64::MAX),
];

/// `ms` since the epoch as `YYYY-MM-DD`.
fn date(ms: u64) -> String {
    let (year, month, day) = crate::timestamp::civil_from_days(ms / DAY_MS);
    format!("{year:04}-{month:02}-{day:02}")
}

impl RepoStats {
    /// Put the repository's charts on `page`, in its [`REPOSITORY`] section: time to close and
    /// fix outcomes (replacing their placeholders), occurrences per day and per rule; and its
    /// headline figures in the page's summary.
    pub fn put_charts(&self, page: &mut Page) {
        let mut close = Chart::bars(TIME_TO_CLOSE, "Time to close", "time open", "issues")
            .describe(format!(
                "How long the auto-heal issues of {} stayed open before they closed.",
                self.repo
            ))
            .when_empty("No issue was closed yet.");
        if !self.close_secs.is_empty() {
            let mut lower = 0;
            for (label, upper) in CLOSE_BUCKETS {
                let count = self
                    .close_secs
                    .iter()
                    .filter(|secs| **secs >= lower && (**secs < upper || upper == u64::MAX))
                    .count();
                close = close.with_point(label, count as f64);
                lower = upper;
            }
        }
        page.put_chart(REPOSITORY, close);

        let fixes = &self.fixes;
        let mut outcomes = Chart::bars(FIX_OUTCOMES, "Fix outcomes", "outcome", "pull requests")
            .describe(
                "What became of the fix pull requests (branch autoheal/issue-N), and of the \
                 Copilot hand-offs.",
            )
            .when_empty("No fix pull request and no hand-off yet.");
        let counts = [
            ("merged", fixes.merged),
            ("closed unmerged", fixes.closed_unmerged),
            ("open", fixes.open),
            ("recurred after merge", fixes.recurred_after_merge),
            ("Copilot accepted", self.handoffs.accepted),
            ("Copilot refused", self.handoffs.refused),
        ];
        if counts.iter().any(|(_, count)| *count > 0) {
            for (label, count) in counts {
                outcomes = outcomes.with_point(label, count as f64);
            }
        }
        page.put_chart(REPOSITORY, outcomes);

        let mut daily = Chart::time_series(
            REPO_OCCURRENCES,
            "Occurrences per day in the repository",
            "day (UTC)",
            "occurrences",
        )
        .describe("Each issue and each recurrence it counts, on the day it was reported.")
        .when_empty("No occurrence in this period.");
        for (day, count) in &self.daily {
            daily = daily.with_point(date(day * DAY_MS), *count as f64);
        }
        page.put_chart(REPOSITORY, daily);

        let mut by_rule = Chart::bars(
            REPO_BY_RULE,
            "Occurrences by rule in the repository",
            "diagnosis rule",
            "occurrences",
        )
        .describe("Each issue's occurrences under the rule of its diagnosis comment.")
        .when_empty("No issue in this period.");
        for rule in &self.rules {
            by_rule = by_rule.with_point(
                rule.rule.as_deref().unwrap_or("(not diagnosed)"),
                rule.occurrences as f64,
            );
        }
        page.put_chart(REPOSITORY, by_rule);

        page.summary.extend([
            (
                format!("Issues in {}", self.repo),
                format!(
                    "{} ({} open)",
                    self.open_issues + self.closed_issues,
                    self.open_issues
                ),
            ),
            (
                "Fix success".to_string(),
                self.fixes
                    .success_rate()
                    .map_or("none decided".to_string(), |rate| {
                        format!("{:.0}%", rate * 100.0)
                    }),
            ),
        ]);
        if !self.incomplete.is_empty() {
            page.summary
                .push(("Repository figures".to_string(), "partial".to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::repo::{RepoIssue, RepoOptions, RepoPull};
    use crate::stats::{Stats, StatsOptions};

    #[test]
    fn the_repository_charts_replace_the_placeholders() {
        let day = 86_400_000;
        let start = 20_000 * day;
        let mut quick = RepoIssue::new(1, "quick", start);
        quick.closed_ms = Some(start + 1_800_000);
        let mut slow = RepoIssue::new(2, "slow", start);
        slow.closed_ms = Some(start + 3 * day);
        let merged = RepoPull {
            number: 3,
            head_ref: "autoheal/issue-2".into(),
            from_repo: true,
            created_ms: start,
            closed_ms: Some(start + day),
            merged_ms: Some(start + day),
            ..RepoPull::default()
        };
        let options = RepoOptions::at(start + 5 * day);
        let stats = RepoStats::compute("acme/tools", &[quick, slow], &[merged], &options);
        let mut page = Page::from_local(&Stats::from_entries(&[], &StatsOptions::at(start)), 5);
        stats.put_charts(&mut page);
        let points = |id: &str| -> Vec<(String, f64)> {
            page.chart(id)
                .unwrap()
                .points
                .iter()
                .map(|p| (p.label.clone(), p.value))
                .collect()
        };
        assert_eq!(
            points(TIME_TO_CLOSE),
            [
                ("under 1 hour".to_string(), 1.0),
                ("1 hour to 1 day".to_string(), 0.0),
                ("1 to 7 days".to_string(), 1.0),
                ("1 to 4 weeks".to_string(), 0.0),
                ("over 4 weeks".to_string(), 0.0),
            ]
        );
        assert_eq!(points(FIX_OUTCOMES)[0], ("merged".to_string(), 1.0));
        assert_eq!(points(REPO_OCCURRENCES), [("2024-10-04".to_string(), 2.0)]);
        assert_eq!(points(REPO_BY_RULE), [("(not diagnosed)".to_string(), 2.0)]);
        let html = crate::stats::html::render_page(&page);
        assert!(
            !html.contains("no data: run with --repo"),
            "placeholders replaced"
        );
        assert!(html.contains("Issues in acme/tools"));
    }
}
