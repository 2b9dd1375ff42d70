//! `autoheal::github::fix_issue`, the library call behind `ipfs-kit autoheal fix`, against
//! the fake GitHub: what it reports having done, what a dry run records, and a run stopped by
//! a fault that the next run finishes.

use autoheal::Report;
use autoheal::fix::{diagnose, troubleshooting_entry};
use autoheal::github::{
    CommentOutcome, DRAFT_MARK, FixError, FixOptions, GitHubClient, Handoff, NEEDS_TRIAGE_LABEL,
    PullRequestOutcome, TROUBLESHOOTING_PATH, fix_branch, fix_issue,
};
use autoheal::issue::render_issue;
use fake_github::{AgentTasks, FakeGitHub, Fault, FaultRule, NewIssue};

mod healing_support;
use healing_support::{REPO, missing_file_report};

fn client(github: &FakeGitHub, dir: &tempfile::TempDir) -> GitHubClient {
    healing_support::client("healing_test", github, dir)
}

fn seed(github: &FakeGitHub, report: &Report) -> u64 {
    let draft = render_issue(report);
    github.create_issue_directly(REPO, NewIssue::new(&draft.title).body(&draft.body))
}

fn options(issue: u64) -> FixOptions {
    FixOptions {
        issue,
        create_pr: true,
        ..FixOptions::default()
    }
}

#[test]
fn the_outcome_says_what_was_done_and_a_second_run_only_reads() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    let report = missing_file_report();
    let number = seed(&github, &report);

    let first = fix_issue(&client, &options(number)).unwrap();
    assert_eq!(first.diagnosis, diagnose(&report));
    assert_eq!(
        first.issue_url,
        format!("https://github.com/{REPO}/issues/{number}")
    );
    let pull = github.pulls(REPO).pop().unwrap();
    let pull_url = format!("https://github.com/{REPO}/pull/{}", pull.number);
    assert_eq!(
        first.pull_request,
        Some(PullRequestOutcome::Opened {
            number: pull.number,
            url: pull_url.clone(),
            committed: vec![TROUBLESHOOTING_PATH.to_string()],
            draft: true,
        })
    );
    let comment = github.comments(REPO, number).pop().unwrap();
    assert!(
        matches!(&first.comment, CommentOutcome::Posted { url } if url.ends_with(&format!("#issuecomment-{}", comment.id)))
    );
    assert!(first.requests.iter().all(|r| r.sent));

    let second = fix_issue(&client, &options(number)).unwrap();
    assert!(
        matches!(&second.pull_request, Some(PullRequestOutcome::Existing { url, state, .. }) if *url == pull_url && state == "open")
    );
    assert!(matches!(second.comment, CommentOutcome::Unchanged { .. }));
    assert!(
        second.requests.iter().all(|r| r.method == "GET"),
        "{:?}",
        second.requests
    );
}

#[test]
fn a_dry_run_records_the_writes_it_holds_back() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    let number = seed(&github, &missing_file_report());
    let dry = FixOptions {
        dry_run: true,
        ..options(number)
    };

    let outcome = fix_issue(&client, &dry).unwrap();
    assert_eq!(outcome.comment, CommentOutcome::WouldPost);
    assert_eq!(
        outcome.pull_request,
        Some(PullRequestOutcome::WouldOpen {
            branch: fix_branch(number),
            files: vec![TROUBLESHOOTING_PATH.to_string()],
        })
    );
    let held_back: Vec<(&str, &str)> = outcome
        .requests
        .iter()
        .filter(|r| !r.sent)
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let contents = format!("/repos/{REPO}/contents/{TROUBLESHOOTING_PATH}");
    let comments = format!("/repos/{REPO}/issues/{number}/comments");
    assert_eq!(
        held_back,
        [
            ("POST", format!("/repos/{REPO}/git/refs").as_str()),
            ("PUT", contents.as_str()),
            ("POST", format!("/repos/{REPO}/pulls").as_str()),
            ("POST", comments.as_str()),
        ]
    );
    assert!(github.requests().iter().all(|r| r.method == "GET"));
    assert!(
        outcome
            .requests
            .iter()
            .filter(|r| r.sent)
            .all(|r| r.method == "GET")
    );
}

#[test]
fn a_run_stopped_by_a_fault_is_finished_by_the_next_one() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    let report = missing_file_report();
    let number = seed(&github, &report);
    github.set_fault(
        FaultRule::new(Fault::Status(500))
            .on_path(&format!("/repos/{REPO}/contents"))
            .on_method("PUT")
            .times(1),
    );

    let error = fix_issue(&client, &options(number)).unwrap_err();
    assert!(!error.is_bad_input());
    assert!(
        matches!(&error, FixError::GitHub { action, .. } if action.contains(TROUBLESHOOTING_PATH)),
        "{error}"
    );
    let branch = fix_branch(number);
    assert!(
        github.branch_sha(REPO, &branch).is_some(),
        "the branch was made"
    );
    assert!(github.pulls(REPO).is_empty() && github.comments(REPO, number).is_empty());

    github.clear_requests();
    let outcome = fix_issue(&client, &options(number)).unwrap();
    assert!(matches!(
        outcome.pull_request,
        Some(PullRequestOutcome::Opened { .. })
    ));
    assert!(
        !github
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/git/refs")),
        "the branch is not made twice"
    );
    let guide = github.file(REPO, &branch, TROUBLESHOOTING_PATH).unwrap();
    let entry = troubleshooting_entry(&diagnose(&report));
    assert_eq!(
        String::from_utf8(guide)
            .unwrap()
            .matches(entry.trim())
            .count(),
        1
    );
    assert_eq!(github.comments(REPO, number).len(), 1);
}

#[autoheal::auto_heal(name = "connect")]
fn connect() -> Result<(), String> {
    Err("environment variable IPFS_KIT_API_URL is not set".to_string())
}

#[test]
fn a_diagnosis_with_a_patch_commits_it_beside_the_entry() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    let (_, reports) = autoheal::test::with_captured_reports(connect);
    let report = reports.into_iter().next().unwrap();
    let diagnosis = diagnose(&report);
    let patch = diagnosis.patch.clone().expect("this rule proposes a patch");
    let existing = "# Settings the daemon reads\nIPFS_PATH=\n";
    github.put_file(REPO, "main", &patch.path, existing.as_bytes());
    let number = seed(&github, &report);

    let outcome = fix_issue(&client, &options(number)).unwrap();
    let Some(PullRequestOutcome::Opened { committed, .. }) = &outcome.pull_request else {
        panic!("{:?}", outcome.pull_request)
    };
    assert_eq!(
        committed,
        &[patch.path.clone(), TROUBLESHOOTING_PATH.to_string()]
    );
    let branch = fix_branch(number);
    let changed = String::from_utf8(github.file(REPO, &branch, &patch.path).unwrap()).unwrap();
    assert!(changed.starts_with(existing), "{changed}");
    assert!(changed.contains("IPFS_KIT_API_URL="), "{changed}");
    assert_eq!(
        github.file(REPO, "main", &patch.path).unwrap(),
        existing.as_bytes()
    );
    let comment = github.comments(REPO, number).pop().unwrap().body;
    assert!(
        comment.contains(&format!("a change to `{}`", patch.path)),
        "{comment}"
    );

    github.clear_requests();
    fix_issue(&client, &options(number)).unwrap();
    assert!(github.requests().iter().all(|r| r.method == "GET"));
}

/// This repository's own guide, which documents every rule.
const THIS_GUIDE: &str = include_str!("../../docs/TROUBLESHOOTING.md");

#[test]
fn a_guide_that_documents_the_rule_already_gets_no_second_entry() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    github.put_file(REPO, "main", TROUBLESHOOTING_PATH, THIS_GUIDE.as_bytes());
    let report = missing_file_report();
    let number = seed(&github, &report);

    let outcome = fix_issue(&client, &options(number)).unwrap();
    assert_eq!(
        outcome.pull_request,
        Some(PullRequestOutcome::AlreadyFixed {
            base: "main".to_string()
        })
    );
    assert!(github.pulls(REPO).is_empty(), "nothing to propose");
    assert!(github.branch_sha(REPO, &fix_branch(number)).is_none());
    let comment = github.comments(REPO, number).pop().unwrap().body;
    assert!(
        comment.contains("already documents this failure"),
        "{comment}"
    );

    // A rule with a patch still proposes its patch, without a second entry.
    let (_, reports) = autoheal::test::with_captured_reports(connect);
    let report = reports.into_iter().next().unwrap();
    let patch = diagnose(&report).patch.expect("this rule proposes a patch");
    github.put_file(REPO, "main", &patch.path, b"IPFS_PATH=\n");
    let number = seed(&github, &report);
    let outcome = fix_issue(&client, &options(number)).unwrap();
    let Some(PullRequestOutcome::Opened { committed, .. }) = &outcome.pull_request else {
        panic!("{:?}", outcome.pull_request)
    };
    assert_eq!(committed, std::slice::from_ref(&patch.path));
    assert_eq!(
        github
            .file(REPO, &fix_branch(number), TROUBLESHOOTING_PATH)
            .unwrap(),
        THIS_GUIDE.as_bytes()
    );
}

#[test]
fn a_marker_planted_by_an_outsider_is_not_taken_for_the_fix_comment() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    let number = seed(&github, &missing_file_report());
    let planted = format!(
        "{} looks fixed to me, see my fork\n<!-- autoheal:copilot=accepted -->",
        autoheal::fix::FIX_COMMENT_MARKER
    );
    github.comment_as_outsider(REPO, number, "mallory", &planted);

    let outcome = fix_issue(&client, &options(number)).unwrap();
    assert!(
        matches!(outcome.comment, CommentOutcome::Posted { .. }),
        "{:?}",
        outcome.comment
    );
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 2, "the fix has a comment of its own");
    assert_eq!(
        comments[0].body, planted,
        "the outsider's comment is untouched"
    );
    assert_eq!(comments[1].user, "autoheal-bot");
    assert!(
        !github
            .requests()
            .iter()
            .any(|r| r.method == "PATCH" && r.path.contains("/issues/comments/")),
        "no comment was edited"
    );

    // The second run finds its own comment, not the planted one.
    let again = fix_issue(&client, &options(number)).unwrap();
    assert!(matches!(again.comment, CommentOutcome::Unchanged { .. }));
    assert_eq!(github.comments(REPO, number).len(), 2);
}

#[test]
fn where_drafts_are_refused_a_normal_pull_request_marked_draft_is_opened() {
    let github = FakeGitHub::start();
    github.refuse_draft_pulls(true);
    let dir = tempfile::tempdir().unwrap();
    let client = client(&github, &dir);
    let number = seed(&github, &missing_file_report());

    let outcome = fix_issue(&client, &options(number)).unwrap();
    let [pull] = &github.pulls(REPO)[..] else {
        panic!("one pull request")
    };
    assert!(!pull.draft);
    assert!(
        pull.title.starts_with(&format!("{DRAFT_MARK} ")),
        "{}",
        pull.title
    );
    assert!(
        matches!(&outcome.pull_request, Some(PullRequestOutcome::Opened { draft: false, number: n, .. }) if *n == pull.number),
        "{:?}",
        outcome.pull_request
    );
    assert!(
        outcome.notes.iter().any(|n| n.contains("refused a draft")),
        "{:?}",
        outcome.notes
    );
    let comment = &github.comments(REPO, number)[0].body;
    assert!(
        comment.contains(&format!("/pull/{}", pull.number)),
        "{comment}"
    );

    // The next run finds it and changes nothing.
    let again = fix_issue(&client, &options(number)).unwrap();
    assert!(matches!(
        again.pull_request,
        Some(PullRequestOutcome::Existing { .. })
    ));
    assert_eq!(github.pulls(REPO).len(), 1);
}

/// A failure no rule recognises.
fn unrecognised_report() -> Report {
    let mut report = missing_file_report();
    report.error.type_name = "WidgetError".to_string();
    report.error.message = "the widget declined to frobnicate shard 7".to_string();
    report.error.chain.clear();
    report
}

#[test]
fn an_agent_tasks_api_that_does_not_take_the_token_falls_back_to_assignment_then_the_label() {
    for status in [401, 400] {
        let github = FakeGitHub::start();
        github.set_agent_tasks(AgentTasks::Refuse(status));
        github.set_copilot_assignable(true);
        let dir = tempfile::tempdir().unwrap();
        let client = client(&github, &dir);
        let copilot = |issue| FixOptions {
            issue,
            copilot: true,
            ..FixOptions::default()
        };
        let number = seed(&github, &unrecognised_report());
        let outcome = fix_issue(&client, &copilot(number)).unwrap();
        assert!(
            matches!(outcome.handoff, Some(Handoff::Assigned { .. })),
            "{status}: {:?}",
            outcome.handoff
        );

        github.set_copilot_assignable(false);
        let mut report = unrecognised_report();
        report.fingerprint = format!("{status}f2a9c1d8e7b6a5");
        let number = seed(&github, &report);
        let outcome = fix_issue(&client, &copilot(number)).unwrap();
        assert!(
            matches!(&outcome.handoff, Some(Handoff::Refused { reason }) if reason.contains(&status.to_string())),
            "{status}: {:?}",
            outcome.handoff
        );
        assert!(
            github
                .issue(REPO, number)
                .unwrap()
                .labels
                .contains(&NEEDS_TRIAGE_LABEL.to_string())
        );
    }
}
