//! The counting rules, on plain values.

use super::*;

const DAY: u64 = 86_400_000;
const HOUR: u64 = 3_600_000;
const START: u64 = 20_000 * DAY;

fn comment(body: &str, at: u64) -> RepoComment {
    RepoComment {
        body: body.to_string(),
        created_ms: START + at,
        trusted: true,
    }
}

fn recurrence(times: u64) -> String {
    match times {
        1 => "This failure happened again — once more since the last update.\n".to_string(),
        n => format!("This failure happened again — {n} more times since the last update.\n"),
    }
}

fn diagnosis(rule: &str) -> String {
    format!("<!-- autoheal:fix -->\n### Diagnosis: x\n\n**Confidence:** high · rule `{rule}`\n")
}

fn issue(number: u64, at: u64) -> RepoIssue {
    let mut issue = RepoIssue::new(number, &format!("[auto-heal] bug {number}"), START + at);
    issue.html_url = format!("https://github.com/acme/tools/issues/{number}");
    issue
}

fn pull(number: u64, issue: u64, at: u64) -> RepoPull {
    RepoPull {
        number,
        html_url: format!("https://github.com/acme/tools/pull/{number}"),
        head_ref: format!("autoheal/issue-{issue}"),
        from_repo: true,
        created_ms: START + at,
        closed_ms: None,
        merged_ms: None,
    }
}

fn merged(mut pull: RepoPull, at: u64) -> RepoPull {
    pull.merged_ms = Some(START + at);
    pull.closed_ms = Some(START + at);
    pull
}

fn compute(issues: &[RepoIssue], pulls: &[RepoPull]) -> RepoStats {
    RepoStats::compute(
        "acme/tools",
        issues,
        pulls,
        &RepoOptions::at(START + 30 * DAY),
    )
}

#[test]
fn occurrences_are_the_issue_its_waiting_reports_and_its_recurrences() {
    let mut one = issue(1, 0);
    one.body =
        "While this report waited to be sent, the failure happened 2 more times.\n\n## Error"
            .into();
    one.comments = vec![
        comment(&recurrence(1), DAY),
        comment(&recurrence(4), 2 * DAY),
        comment("Thanks, looking into it.", 3 * DAY),
    ];
    let stats = compute(&[one, issue(2, DAY)], &[]);
    assert_eq!(stats.issues[0].occurrences, 1 + 2 + 1 + 4);
    assert_eq!(stats.occurrences, 9);
    assert_eq!(
        stats.daily,
        vec![(20_000, 3), (20_001, 2), (20_002, 4)],
        "every day from the first to the last"
    );
    let last_30 = stats.last_days(30);
    assert_eq!(last_30.len(), 30);
    assert_eq!(
        &last_30[..3],
        [2, 4, 0],
        "the first day is 29 days before now"
    );
}

#[test]
fn the_median_time_to_close_takes_the_middle_two_for_an_even_count() {
    let durations = [3 * DAY, DAY, 2 * DAY, 10 * DAY];
    let issues: Vec<RepoIssue> = durations
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut issue = issue(i as u64 + 1, 0);
            issue.closed_ms = Some(START + d);
            issue
        })
        .chain([issue(9, 0)])
        .collect();
    let stats = compute(&issues, &[]);
    assert_eq!((stats.open_issues, stats.closed_issues), (1, 4));
    assert_eq!(stats.close_secs, [86_400, 172_800, 259_200, 864_000]);
    assert_eq!(stats.median_close_secs, Some(216_000), "2.5 days");
    assert_eq!(compute(&issues[..3], &[]).median_close_secs, Some(172_800));
    assert_eq!(compute(&[issue(1, 0)], &[]).median_close_secs, None);
}

#[test]
fn a_merged_fix_recurred_when_a_recurrence_or_a_regression_came_after_the_merge() {
    let mut before = issue(1, 0);
    before.comments = vec![comment(&recurrence(1), HOUR)];
    let mut after = issue(2, 0);
    after.comments = vec![comment(&recurrence(1), 3 * DAY)];
    let regressed = issue(3, 0);
    let mut regression = issue(4, 5 * DAY);
    regression.body =
        "Regression of #3: that issue was closed, and the same failure happened again.\n\n".into();
    let pulls = [
        merged(pull(10, 1, HOUR), 2 * DAY),
        merged(pull(11, 2, HOUR), 2 * DAY),
        merged(pull(12, 3, HOUR), 2 * DAY),
        RepoPull {
            closed_ms: Some(START + DAY),
            ..pull(13, 4, 6 * DAY)
        },
    ];
    let stats = compute(&[before, after, regressed, regression], &pulls);
    assert_eq!(stats.regressions, 1);
    assert_eq!(
        stats.fixes,
        FixStats {
            opened: 4,
            open: 0,
            merged: 3,
            closed_unmerged: 1,
            recurred_after_merge: 2,
        }
    );
    assert_eq!(stats.fixes.success_rate(), Some(0.25));
    let recurred = |n: u64| {
        let issue = stats.issues.iter().find(|i| i.number == n).unwrap();
        issue.fix.as_ref().map(|f| f.recurred)
    };
    assert_eq!(
        recurred(1),
        Some(false),
        "the recurrence came before the merge"
    );
    assert_eq!(recurred(2), Some(true));
    assert_eq!(recurred(3), Some(true), "by a regression");
    assert_eq!(FixStats::default().success_rate(), None);
}

#[test]
fn only_the_repositorys_own_fix_branches_count_and_a_merged_one_speaks_for_its_issue() {
    let mut fork = pull(10, 1, 0);
    fork.from_repo = false;
    let mut feature = pull(11, 1, 0);
    feature.head_ref = "feature/autoheal/issue-1".into();
    let closed_first = RepoPull {
        closed_ms: Some(START + HOUR),
        ..pull(12, 1, 0)
    };
    let merged_later = merged(pull(13, 1, 2 * HOUR), 3 * HOUR);
    let stats = compute(&[issue(1, 0)], &[fork, feature, merged_later, closed_first]);
    assert_eq!(stats.fixes.opened, 2);
    let fix = stats.issues[0].fix.as_ref().unwrap();
    assert_eq!((fix.number, fix.state), (13, FixState::Merged));
}

#[test]
fn rules_and_hand_offs_come_from_trusted_diagnosis_comments_only() {
    let mut diagnosed = issue(1, 0);
    let mut forged = comment(&diagnosis("forged"), 2 * DAY);
    forged.trusted = false;
    diagnosed.comments = vec![
        comment(&diagnosis("file-not-found"), HOUR),
        forged,
        comment(
            "The rule `other` · rule `quoted` is not a diagnosis",
            3 * DAY,
        ),
    ];
    let mut handed = issue(2, 0);
    handed.comments = vec![comment(
        &format!(
            "{}\n<!-- autoheal:copilot=accepted -->\ntext\n<!-- autoheal:copilot-end -->",
            diagnosis("unrecognised")
        ),
        HOUR,
    )];
    let mut refused = issue(3, 0);
    refused.comments = vec![comment(
        &format!(
            "{}\n<!-- autoheal:copilot=refused -->",
            diagnosis("unrecognised")
        ),
        HOUR,
    )];
    let stats = compute(&[diagnosed, handed, refused, issue(4, 0)], &[]);
    let rule_of = |n: u64| {
        stats
            .issues
            .iter()
            .find(|i| i.number == n)
            .and_then(|i| i.rule.clone())
    };
    assert_eq!(rule_of(1).as_deref(), Some("file-not-found"));
    assert_eq!(rule_of(2).as_deref(), Some("unrecognised"));
    assert_eq!(rule_of(4), None);
    assert_eq!(
        stats.handoffs,
        HandoffStats {
            accepted: 1,
            refused: 1
        }
    );
    let rules: Vec<(Option<&str>, u64, u64)> = stats
        .rules
        .iter()
        .map(|r| (r.rule.as_deref(), r.issues, r.occurrences))
        .collect();
    assert_eq!(
        rules,
        [
            (Some("unrecognised"), 2, 2),
            (None, 1, 1),
            (Some("file-not-found"), 1, 1)
        ]
    );
}

#[test]
fn since_counts_the_issues_opened_since_and_their_regressions_still_mark_older_fixes() {
    let old = issue(1, 0);
    let mut regression = issue(2, 10 * DAY);
    regression.body = "Regression of #1: that issue was closed.\n\n".into();
    let pulls = [merged(pull(3, 1, HOUR), DAY)];
    let options = RepoOptions::at(START + 30 * DAY).since(Some(START + 5 * DAY));
    let stats = RepoStats::compute("acme/tools", &[old, regression], &pulls, &options);
    assert_eq!(stats.issues.len(), 1);
    assert_eq!((stats.regressions, stats.occurrences), (1, 1));
    assert_eq!(stats.fixes.opened, 0, "the fix of an older issue");
}

#[test]
fn the_json_document_holds_every_figure_and_the_text_says_when_it_is_partial() {
    let mut closed = issue(1, 0);
    closed.closed_ms = Some(START + 2 * DAY + 3 * HOUR);
    closed.comments = vec![comment(&diagnosis("file-not-found"), HOUR)];
    let mut stats = compute(&[closed], &[merged(pull(2, 1, HOUR), DAY)]);
    stats.incomplete = vec!["GitHub's rate limit was reached".into()];
    let json = stats.to_json();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["complete"], false);
    assert_eq!(json["time_to_close"]["median_secs"], 2 * 86_400 + 3 * 3_600);
    assert_eq!(json["fixes"]["success_rate"], 1.0);
    assert_eq!(json["failures"][0]["fix"]["state"], "merged");
    assert_eq!(json["failures"][0]["closed_at"], "2024-10-06T03:00:00Z");
    assert_eq!(json["daily"][0]["date"], "2024-10-04");
    let text = stats.to_text(5);
    assert!(
        text.starts_with("Partial: GitHub's rate limit was reached.\n"),
        "{text}"
    );
    assert!(
        text.contains("closed in 2d 3h  rule file-not-found  fix #2 merged\n"),
        "{text}"
    );
    assert!(
        text.contains("Fix success      100% (1 of 1 decided"),
        "{text}"
    );
}

#[test]
fn durations_show_their_two_largest_units() {
    assert_eq!(render::duration(42), "42s");
    assert_eq!(render::duration(125), "2m");
    assert_eq!(render::duration(2 * 3600 + 300), "2h 5m");
    assert_eq!(render::duration(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
}

/// The wordings read back are the ones the fix flow writes.
#[cfg(feature = "heal")]
#[test]
fn the_rule_is_read_from_a_real_diagnosis_comment() {
    let mut report = crate::report::sample();
    report.error.message = "could not read /etc/app.toml: No such file or directory".into();
    let diagnosis = crate::fix::diagnose(&report);
    let body = crate::fix::comment_markdown(&diagnosis);
    let mut answered = issue(1, 0);
    answered.comments = vec![comment(&body, HOUR)];
    let stats = compute(&[answered], &[]);
    assert_eq!(
        stats.issues[0].rule.as_deref(),
        Some(diagnosis.rule_id.as_str())
    );
    assert_eq!(diagnosis.rule_id, "file-not-found");
}
