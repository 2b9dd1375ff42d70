//! From the issues and pull requests read to the figures: no I/O, so every rule of counting is
//! tested on plain values.

use std::collections::{BTreeMap, HashMap};

use super::parse;
use super::{
    FixState, FixStats, HandoffOutcome, HandoffStats, IssueFix, IssueStats, RepoIssue, RepoOptions,
    RepoPull, RepoStats, RuleStats,
};

const DAY_MS: u64 = 86_400_000;

/// The occurrences of one issue's bug, each with its time.
struct Occurrences {
    total: u64,
    /// (time, count), the issue itself first.
    dated: Vec<(u64, u64)>,
}

fn occurrences(issue: &RepoIssue) -> Occurrences {
    let mut dated = vec![(issue.created_ms, 1 + parse::waited(&issue.body))];
    dated.extend(
        issue
            .comments
            .iter()
            .filter_map(|c| parse::recurrences(&c.body).map(|n| (c.created_ms, n))),
    );
    Occurrences {
        total: dated.iter().map(|(_, n)| n).sum(),
        dated,
    }
}

/// The rule and hand-off of the newest trusted diagnosis comment that names each.
fn diagnosis(issue: &RepoIssue) -> (Option<String>, Option<HandoffOutcome>) {
    let mut answers: Vec<_> = issue
        .comments
        .iter()
        .filter(|c| c.trusted && parse::is_diagnosis(&c.body))
        .collect();
    answers.sort_by_key(|c| c.created_ms);
    let rule = answers.iter().rev().find_map(|c| parse::rule(&c.body));
    let handoff = answers.iter().rev().find_map(|c| parse::handoff(&c.body));
    (rule, handoff)
}

fn fix_state(pull: &RepoPull) -> FixState {
    match (pull.merged_ms, pull.closed_ms) {
        (Some(_), _) => FixState::Merged,
        (None, Some(_)) => FixState::ClosedUnmerged,
        (None, None) => FixState::Open,
    }
}

/// The middle of `sorted` (the mean of the middle two for an even count).
fn median(sorted: &[u64]) -> Option<u64> {
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(middle).copied(),
        _ => {
            let (low, high) = (sorted.get(middle - 1)?, sorted.get(middle)?);
            Some(low / 2 + high / 2 + (low % 2 + high % 2) / 2)
        }
    }
}

impl RepoStats {
    /// Sum up `issues` (each with its comments) and `pulls` of `repo`. Issues opened before
    /// `options.since_ms` do not count, but a regression filed since of one of them still
    /// marks its merged fix as recurred.
    pub fn compute(
        repo: &str,
        issues: &[RepoIssue],
        pulls: &[RepoPull],
        options: &RepoOptions,
    ) -> RepoStats {
        let since = options.since_ms.unwrap_or(0);
        // When each bug came back: its recurrence comments, and the regressions filed of it.
        let mut came_back: HashMap<u64, Vec<u64>> = HashMap::new();
        for issue in issues {
            let back = came_back.entry(issue.number).or_default();
            back.extend(
                issue
                    .comments
                    .iter()
                    .filter(|c| parse::recurrences(&c.body).is_some())
                    .map(|c| c.created_ms),
            );
            if let Some(original) = parse::regression_of(&issue.body) {
                came_back
                    .entry(original)
                    .or_default()
                    .push(issue.created_ms);
            }
        }
        let recurred_after = |number: u64, merged_ms: u64| {
            came_back
                .get(&number)
                .is_some_and(|times| times.iter().any(|t| *t > merged_ms))
        };
        let mut fix_pulls: HashMap<u64, Vec<&RepoPull>> = HashMap::new();
        for pull in pulls.iter().filter(|p| p.from_repo) {
            if let Some(number) = parse::fix_branch_issue(&pull.head_ref) {
                fix_pulls.entry(number).or_default().push(pull);
            }
        }

        let mut stats = RepoStats {
            repo: repo.to_string(),
            since_ms: options.since_ms,
            now_ms: options.now_ms,
            open_issues: 0,
            closed_issues: 0,
            occurrences: 0,
            regressions: 0,
            close_secs: Vec::new(),
            median_close_secs: None,
            issues: Vec::new(),
            rules: Vec::new(),
            fixes: FixStats::default(),
            handoffs: HandoffStats::default(),
            daily: Vec::new(),
            incomplete: Vec::new(),
        };
        let mut by_day: BTreeMap<u64, u64> = BTreeMap::new();
        for issue in issues.iter().filter(|i| i.created_ms >= since) {
            let counted = occurrences(issue);
            for (at, count) in &counted.dated {
                *by_day.entry(at / DAY_MS).or_default() += count;
            }
            stats.occurrences += counted.total;
            match issue.closed_ms {
                Some(closed) => {
                    stats.closed_issues += 1;
                    stats
                        .close_secs
                        .push(closed.saturating_sub(issue.created_ms) / 1000);
                }
                None => stats.open_issues += 1,
            }
            let regression_of = parse::regression_of(&issue.body);
            if regression_of.is_some() {
                stats.regressions += 1;
            }
            let (rule, handoff) = diagnosis(issue);
            match handoff {
                Some(HandoffOutcome::Accepted) => stats.handoffs.accepted += 1,
                Some(HandoffOutcome::Refused) => stats.handoffs.refused += 1,
                None => {}
            }
            let mut fix = None;
            for pull in fix_pulls.get(&issue.number).into_iter().flatten() {
                let state = fix_state(pull);
                let recurred = pull
                    .merged_ms
                    .is_some_and(|merged| recurred_after(issue.number, merged));
                stats.fixes.opened += 1;
                match state {
                    FixState::Open => stats.fixes.open += 1,
                    FixState::Merged => stats.fixes.merged += 1,
                    FixState::ClosedUnmerged => stats.fixes.closed_unmerged += 1,
                }
                if recurred {
                    stats.fixes.recurred_after_merge += 1;
                }
                let this = IssueFix {
                    number: pull.number,
                    html_url: pull.html_url.clone(),
                    state,
                    merged_ms: pull.merged_ms,
                    recurred,
                };
                // The merged one speaks for the issue; else the newest.
                let better = match &fix {
                    None => true,
                    Some(IssueFix {
                        state: FixState::Merged,
                        ..
                    }) => false,
                    Some(current) => state == FixState::Merged || pull.number > current.number,
                };
                if better {
                    fix = Some(this);
                }
            }
            stats.issues.push(IssueStats {
                number: issue.number,
                title: issue.title.clone(),
                html_url: issue.html_url.clone(),
                open: issue.closed_ms.is_none(),
                occurrences: counted.total,
                created_ms: issue.created_ms,
                closed_ms: issue.closed_ms,
                rule,
                regression_of,
                handoff,
                fix,
            });
        }
        stats.close_secs.sort_unstable();
        stats.median_close_secs = median(&stats.close_secs);
        stats.issues.sort_by(|a, b| {
            b.occurrences
                .cmp(&a.occurrences)
                .then(b.created_ms.cmp(&a.created_ms))
        });
        stats.rules = by_rule(&stats.issues);
        stats.daily = match (by_day.keys().next(), by_day.keys().next_back()) {
            (Some(&first), Some(&last)) => (first..=last)
                .map(|day| (day, by_day.get(&day).copied().unwrap_or(0)))
                .collect(),
            _ => Vec::new(),
        };
        stats
    }

    /// The occurrences of the last `days` days (UTC) up to today, the oldest first.
    pub fn last_days(&self, days: usize) -> Vec<u64> {
        let today = self.now_ms / DAY_MS;
        let first = today.saturating_sub(days.saturating_sub(1) as u64);
        let counts: HashMap<u64, u64> = self.daily.iter().copied().collect();
        (first..=today)
            .map(|day| counts.get(&day).copied().unwrap_or(0))
            .collect()
    }
}

/// Issues and occurrences per rule, the most occurrences first.
fn by_rule(issues: &[IssueStats]) -> Vec<RuleStats> {
    let mut rules: Vec<RuleStats> = Vec::new();
    for issue in issues {
        match rules.iter_mut().find(|r| r.rule == issue.rule) {
            Some(rule) => {
                rule.issues += 1;
                rule.occurrences += issue.occurrences;
            }
            None => rules.push(RuleStats {
                rule: issue.rule.clone(),
                issues: 1,
                occurrences: issue.occurrences,
            }),
        }
    }
    rules.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then(b.issues.cmp(&a.issues))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    rules
}
