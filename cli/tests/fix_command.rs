//! `ipfs-kit autoheal fix` against the fake GitHub: the answering comment (posted once,
//! updated in place), the draft pull request with its troubleshooting entry, the hand-off to
//! the Copilot coding agent, dry runs, and the errors a user can make.

mod common;

use autoheal::fix::{
    Diagnosis, FIX_COMMENT_MARKER, comment_markdown, diagnose, parse_issue_body,
    troubleshooting_entry,
};
use autoheal::issue::render_issue;
use common::{Run, Sandbox};
use fake_github::{AgentTasks, COPILOT_ASSIGNEE, FakeGitHub, Fault, NewIssue};
use serde_json::json;

const TOKEN: &str = "ghp_FixCommandTokenValue0123456789abcdefgh";
const REPO: &str = "acme/tools";

/// A sandbox reporting to the fake, with auto-healing enabled for `acme/tools`.
fn sandbox(github: &FakeGitHub) -> Sandbox {
    Sandbox::reporting_to(github.url(), TOKEN, REPO)
}

/// File a real auto-heal issue the way users get one: a failing `ipfs-kit add` of a missing
/// file (an io::Error "No such file or directory (os error 2)"). Returns its number.
fn file_missing_file_issue(github: &FakeGitHub, sandbox: &Sandbox) -> u64 {
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1, "the failure was filed");
    github.clear_requests();
    issues[0].number
}

/// Seed an auto-heal issue whose failure no rule knows. Returns its number.
fn seed_unrecognised_issue(github: &FakeGitHub) -> u64 {
    let report = serde_json::from_value(json!({
        "schema": 1, "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "timestamp": "2026-11-25T09:00:00Z", "fingerprint": "4f2a9c1d8e7b6a50", "kind": "error",
        "error": { "type": "WidgetError", "message": "the widget declined to frobnicate shard 7", "chain": [] },
        "site": { "function": "frobnicate", "module": "ipfs_kit::widget", "file": "src/widget.rs", "line": 42 },
        "frames": ["frobnicate"], "command": { "program": "ipfs-kit", "args": ["widget", "frob"] },
        "backtrace": [], "logs": [], "spans": [], "env": {},
        "system": { "os": "linux", "arch": "x86_64", "app": "ipfs_kit", "app_version": "0.1.0",
                    "rust_version": "1.95.0", "pid": 7, "cwd": "~/work" },
        "labels": ["auto-heal"],
    }))
    .unwrap();
    let draft = render_issue(&report);
    github.create_issue_directly(
        REPO,
        NewIssue::new(&draft.title)
            .body(&draft.body)
            .labels(&["auto-heal"]),
    )
}

/// The diagnosis of issue `number` as the library makes it.
fn diagnosis_of(github: &FakeGitHub, number: u64) -> Diagnosis {
    let issue = github.issue(REPO, number).unwrap();
    diagnose(&parse_issue_body(&issue.body).unwrap().report)
}

fn fix(sandbox: &Sandbox, extra: &[&str]) -> Run {
    let mut args = vec!["autoheal", "fix"];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

/// The requests that would change something on GitHub.
fn writes(github: &FakeGitHub) -> Vec<String> {
    github
        .requests()
        .into_iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The token appears in no output and no request, except in its `Authorization` header.
#[track_caller]
fn assert_token_kept(github: &FakeGitHub, runs: &[&Run]) {
    for run in runs {
        assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    }
    github.assert_secret_only_in_authorization(TOKEN);
}

#[test]
fn the_diagnosis_is_posted_once_and_a_second_run_adds_no_comment() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let number = file_missing_file_issue(&github, &sandbox);
    let diagnosis = diagnosis_of(&github, number);
    assert!(diagnosis.is_recognised(), "{diagnosis:?}");

    let first = fix(&sandbox, &["--issue", &number.to_string()]);
    first.success();
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.starts_with(FIX_COMMENT_MARKER));
    assert!(
        comments[0]
            .body
            .contains(comment_markdown(&diagnosis).trim()),
        "{}",
        comments[0].body
    );
    assert!(first.stdout.contains(&diagnosis.title), "{}", first.stdout);
    assert!(
        first.stdout.contains("Comment:   posted"),
        "{}",
        first.stdout
    );

    github.clear_requests();
    let second = fix(&sandbox, &["--issue", &number.to_string()]);
    second.success();
    assert!(second.stdout.contains("unchanged"), "{}", second.stdout);
    assert_eq!(github.comments(REPO, number), comments);
    assert_eq!(writes(&github), Vec::<String>::new());
    assert_token_kept(&github, &[&first, &second]);
}

#[test]
fn an_earlier_answer_on_a_later_page_is_updated_in_place() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let number = file_missing_file_issue(&github, &sandbox);
    // 150 comments by people, then an outdated answer: it sits on the second page of 100.
    {
        let mut issue =
            NewIssue::new("Crash in add").body(&github.issue(REPO, number).unwrap().body);
        for i in 0..150 {
            issue = issue.comment(&format!("me too ({i})"));
        }
        issue = issue.comment(&format!(
            "{FIX_COMMENT_MARKER}\n### An outdated diagnosis\n"
        ));
        let seeded = github.create_issue_directly(REPO, issue);
        assert_eq!(seeded, number + 1);
    }
    let seeded = number + 1;
    let before = github.comments(REPO, seeded);
    let run = fix(&sandbox, &["--issue", &seeded.to_string(), "--repo", REPO]);
    run.success();
    assert!(run.stdout.contains("Comment:   updated"), "{}", run.stdout);
    let after = github.comments(REPO, seeded);
    assert_eq!(after.len(), before.len(), "no second answer");
    let answer = after.last().unwrap();
    assert_eq!(answer.id, before.last().unwrap().id);
    assert!(!answer.body.contains("An outdated diagnosis"));
    assert!(answer.body.contains(&diagnosis_of(&github, seeded).title));
    assert_eq!(
        writes(&github),
        [format!("PATCH /repos/{REPO}/issues/comments/{}", answer.id)]
    );
    assert!(
        github
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/comments") && r.query.contains("page=2")),
        "the second page was read"
    );
}

#[test]
fn create_pr_opens_a_draft_with_the_troubleshooting_entry_once() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let number = file_missing_file_issue(&github, &sandbox);
    let diagnosis = diagnosis_of(&github, number);
    let main_before = github.branch_sha(REPO, "main");

    let first = fix(&sandbox, &["--issue", &number.to_string(), "--create-pr"]);
    first.success();
    let branch = format!("autoheal/issue-{number}");
    let pulls = github.pulls(REPO);
    assert_eq!(pulls.len(), 1);
    let pull = &pulls[0];
    assert!(pull.draft);
    assert_eq!(
        (pull.head.as_str(), pull.base.as_str()),
        (branch.as_str(), "main")
    );
    assert_eq!(pull.title, diagnosis.title);
    assert!(
        pull.body.contains(&format!("Fixes #{number}")),
        "{}",
        pull.body
    );
    let guide = String::from_utf8(
        github
            .file(REPO, &branch, "docs/TROUBLESHOOTING.md")
            .unwrap(),
    )
    .unwrap();
    assert!(guide.starts_with("# Troubleshooting"), "{guide}");
    assert!(
        guide.contains(troubleshooting_entry(&diagnosis).trim()),
        "{guide}"
    );
    assert_eq!(
        github.branch_sha(REPO, "main"),
        main_before,
        "main is untouched"
    );
    let pull_url = format!("https://github.com/{REPO}/pull/{}", pull.number);
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains(&pull_url), "{}", comments[0].body);
    assert!(first.stdout.contains(&pull_url), "{}", first.stdout);

    let branch_sha = github.branch_sha(REPO, &branch);
    github.clear_requests();
    let second = fix(&sandbox, &["--issue", &number.to_string(), "--create-pr"]);
    second.success();
    assert_eq!(
        writes(&github),
        Vec::<String>::new(),
        "no second branch, commit, pull request or comment"
    );
    assert_eq!(github.branch_sha(REPO, &branch), branch_sha);
    assert_eq!(github.pulls(REPO).len(), 1);
    assert!(second.stdout.contains(&pull_url), "{}", second.stdout);
    assert_token_kept(&github, &[&first, &second]);
}

#[test]
fn the_entry_is_appended_to_an_existing_guide_and_an_interrupted_run_is_finished() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let number = file_missing_file_issue(&github, &sandbox);
    let diagnosis = diagnosis_of(&github, number);
    let existing = "# Troubleshooting\n\n## Daemon not running\n\nStart it with `ipfs daemon`.\n";
    github.put_file(REPO, "main", "docs/TROUBLESHOOTING.md", existing.as_bytes());
    // An earlier run created the branch and stopped before committing.
    let branch = format!("autoheal/issue-{number}");
    github.put_file(REPO, &branch, "README.md", b"# tools\n");

    fix(&sandbox, &["--issue", &number.to_string(), "--create-pr"]).success();
    let guide = String::from_utf8(
        github
            .file(REPO, &branch, "docs/TROUBLESHOOTING.md")
            .unwrap(),
    )
    .unwrap();
    assert!(guide.starts_with(existing.trim_end()), "{guide}");
    assert!(
        guide
            .trim_end()
            .ends_with(troubleshooting_entry(&diagnosis).trim()),
        "{guide}"
    );
    assert_eq!(
        guide
            .matches(troubleshooting_entry(&diagnosis).trim())
            .count(),
        1
    );
    let creates_ref = writes(&github).iter().any(|w| w.ends_with("/git/refs"));
    assert!(
        !creates_ref,
        "the existing branch is reused: {:?}",
        writes(&github)
    );
    assert_eq!(github.pulls(REPO).len(), 1);
}

#[test]
fn dry_run_prints_every_request_and_changes_nothing() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let number = file_missing_file_issue(&github, &sandbox);

    let run = fix(
        &sandbox,
        &["--issue", &number.to_string(), "--create-pr", "--dry-run"],
    );
    run.success();
    assert_eq!(writes(&github), Vec::<String>::new());
    assert!(github.comments(REPO, number).is_empty() && github.pulls(REPO).is_empty());
    assert_eq!(
        github.branch_sha(REPO, &format!("autoheal/issue-{number}")),
        None
    );
    for line in [
        format!("GET   /repos/{REPO}/issues/{number}"),
        format!("POST  /repos/{REPO}/git/refs"),
        format!("PUT   /repos/{REPO}/contents/docs/TROUBLESHOOTING.md"),
        format!("POST  /repos/{REPO}/pulls"),
        format!("POST  /repos/{REPO}/issues/{number}/comments"),
    ] {
        assert!(run.stdout.contains(&line), "{line}\n{}", run.stdout);
    }
    assert!(run.stdout.contains("(not sent)"), "{}", run.stdout);
    assert!(run.stdout.contains("draft: true"), "{}", run.stdout);
    assert_token_kept(&github, &[&run]);
}

#[test]
fn a_dry_run_handoff_lists_the_fallbacks_and_changes_nothing() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    github.set_agent_tasks(AgentTasks::Accept);
    let number = seed_unrecognised_issue(&github);

    let run = fix(
        &sandbox,
        &["--issue", &number.to_string(), "--copilot", "--dry-run"],
    );
    run.success();
    assert_eq!(writes(&github), Vec::<String>::new());
    assert!(github.agent_tasks(REPO).is_empty());
    let issue = github.issue(REPO, number).unwrap();
    assert!(issue.assignees.is_empty() && !issue.labels.contains(&"needs-triage".to_string()));
    let lines: Vec<&str> = run.stdout.lines().collect();
    for (request, condition) in [
        (format!("POST  /agents/repos/{REPO}/tasks"), ""),
        (
            format!("POST  /repos/{REPO}/issues/{number}/assignees"),
            "if the agent tasks API refuses",
        ),
        (
            format!("POST  /repos/{REPO}/issues/{number}/labels"),
            "and so does the assignment",
        ),
        (format!("POST  /repos/{REPO}/issues/{number}/comments"), ""),
    ] {
        assert!(
            lines.iter().any(|l| l.contains(&request)
                && l.contains(condition)
                && l.ends_with("(not sent)")),
            "{request} {condition}\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("Copilot:   a coding agent task would be requested")
    );
}

#[test]
fn an_unrecognised_failure_is_handed_to_the_copilot_coding_agent_once() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    github.set_agent_tasks(AgentTasks::Accept);
    let number = seed_unrecognised_issue(&github);
    let diagnosis = diagnosis_of(&github, number);
    assert!(!diagnosis.is_recognised(), "{diagnosis:?}");

    let first = fix(&sandbox, &["--issue", &number.to_string(), "--copilot"]);
    first.success();
    let tasks = github.agent_tasks(REPO);
    assert_eq!(tasks.len(), 1);
    // The instructions name the issue to close, but send the agent to no issue text.
    let issue_url = format!("https://github.com/{REPO}/issues/{number}");
    assert!(!tasks[0].prompt.contains(&issue_url), "{}", tasks[0].prompt);
    assert!(
        tasks[0].prompt.contains(&format!("Fixes #{number}")),
        "{}",
        tasks[0].prompt
    );
    let prompt = diagnosis
        .prompt
        .as_ref()
        .expect("an unrecognised failure has a prompt");
    let (_, report_block) = prompt.split_once("```text\n").expect("the fenced report");
    assert!(
        tasks[0].prompt.contains(report_block),
        "{}",
        tasks[0].prompt
    );
    assert_eq!(tasks[0].base_ref.as_deref(), Some("main"));
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].body.contains(&tasks[0].id),
        "{}",
        comments[0].body
    );
    assert!(
        comments[0].body.contains("Copilot coding agent"),
        "{}",
        comments[0].body
    );
    assert!(github.pulls(REPO).is_empty());

    let second = fix(&sandbox, &["--issue", &number.to_string(), "--copilot"]);
    second.success();
    assert_eq!(github.agent_tasks(REPO).len(), 1, "no second task");
    assert_eq!(github.comments(REPO, number), comments);
    assert_token_kept(&github, &[&first, &second]);
}

#[test]
fn without_the_agent_tasks_api_the_issue_is_assigned_to_copilot_with_the_handoff_token() {
    const COPILOT_TOKEN: &str = "github_pat_11AAAAAAA0CopilotHandoffOnly0123456789";
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github).env("AUTOHEAL_COPILOT_TOKEN", COPILOT_TOKEN);
    github.set_agent_tasks(AgentTasks::Refuse(404));
    github.set_copilot_assignable(true);
    let number = seed_unrecognised_issue(&github);

    let run = fix(&sandbox, &["--issue", &number.to_string(), "--copilot"]);
    run.success();
    assert_eq!(
        github.issue(REPO, number).unwrap().assignees,
        [COPILOT_ASSIGNEE]
    );
    // The hand-off's two requests (the refused task, the assignment) carry the hand-off's
    // token; every other request the main one.
    let handoff = |path: &str| path.starts_with("/agents/") || path.ends_with("/assignees");
    let requests = github.requests();
    assert_eq!(requests.iter().filter(|r| handoff(&r.path)).count(), 2);
    for request in &requests {
        let token = if handoff(&request.path) {
            COPILOT_TOKEN
        } else {
            TOKEN
        };
        let sent = request.header("Authorization");
        assert_eq!(
            sent,
            Some(format!("Bearer {token}").as_str()),
            "{}",
            request.path
        );
    }
    github.assert_secret_only_in_authorization(COPILOT_TOKEN);
    assert!(!run.stdout.contains(COPILOT_TOKEN) && !run.stderr.contains(COPILOT_TOKEN));
    let assignment = github
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/assignees"))
        .unwrap();
    assert_eq!(
        assignment.json().unwrap()["assignees"],
        json!(["copilot-swe-agent[bot]"])
    );
    let comment = &github.comments(REPO, number)[0].body;
    assert!(comment.contains("assigned to Copilot"), "{comment}");
    assert!(
        !github
            .issue(REPO, number)
            .unwrap()
            .labels
            .contains(&"needs-triage".to_string())
    );
}

#[test]
fn a_refused_handoff_is_said_in_the_comment_and_labels_the_issue_needs_triage() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    // The hand-off comes from the configuration here, not from --copilot.
    sandbox
        .run(&["autoheal", "config", "--set", "copilot_handoff", "true"])
        .success();
    github.set_agent_tasks(AgentTasks::Refuse(403));
    let number = seed_unrecognised_issue(&github);

    let run = fix(&sandbox, &["--issue", &number.to_string()]);
    run.success();
    let issue = github.issue(REPO, number).unwrap();
    assert!(
        issue.labels.contains(&"needs-triage".to_string()),
        "{:?}",
        issue.labels
    );
    assert!(
        issue.assignees.is_empty(),
        "GitHub skipped the login it cannot assign"
    );
    assert!(github.agent_tasks(REPO).is_empty());
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("refused"), "{}", comments[0].body);
    assert!(
        comments[0].body.contains("needs-triage"),
        "{}",
        comments[0].body
    );
    assert!(run.stdout.contains("refused"), "{}", run.stdout);

    // With a plan later, running again hands it off and says so in the same comment.
    github.set_agent_tasks(AgentTasks::Accept);
    fix(&sandbox, &["--issue", &number.to_string()]).success();
    assert_eq!(github.agent_tasks(REPO).len(), 1);
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(
        !comments[0].body.contains("refused"),
        "{}",
        comments[0].body
    );
}

#[test]
fn a_recognised_failure_never_goes_to_copilot() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    github.set_agent_tasks(AgentTasks::Accept);
    github.set_copilot_assignable(true);
    let number = file_missing_file_issue(&github, &sandbox);

    let run = fix(&sandbox, &["--issue", &number.to_string(), "--copilot"]);
    run.success();
    assert!(github.agent_tasks(REPO).is_empty());
    assert!(github.issue(REPO, number).unwrap().assignees.is_empty());
    assert!(
        run.stdout.contains("not handed to Copilot"),
        "{}",
        run.stdout
    );
    assert_eq!(github.comments(REPO, number).len(), 1);
}

#[test]
fn mistakes_are_bad_input_and_github_faults_are_failures() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let plain = github.create_issue_directly(
        REPO,
        NewIssue::new("Docs typo").body("The README says ipfs-kti."),
    );

    let missing = fix(&sandbox, &["--issue", "999"]);
    missing.failure(2);
    assert!(
        missing.stderr.contains("#999 was not found in acme/tools"),
        "{}",
        missing.stderr
    );

    let not_autoheal = fix(&sandbox, &["--issue", &plain.to_string()]);
    not_autoheal.failure(2);
    assert!(
        not_autoheal
            .stderr
            .contains(&format!("issue #{plain} is not an auto-heal issue")),
        "{}",
        not_autoheal.stderr
    );

    let bad_repo = fix(&sandbox, &["--issue", "1", "--repo", "not a repo"]);
    bad_repo.failure(2);
    assert!(bad_repo.stderr.contains("--repo"), "{}", bad_repo.stderr);

    let without_token = sandbox.run_with(
        &["autoheal", "fix", "--issue", "1"],
        &[("GITHUB_TOKEN", "")],
    );
    without_token.failure(2);
    assert!(
        without_token.stderr.contains("GITHUB_TOKEN"),
        "{}",
        without_token.stderr
    );
    assert_eq!(writes(&github), Vec::<String>::new());
    assert!(github.comments(REPO, plain).is_empty());

    github.set_fault(Fault::Status(502));
    let outage = fix(&sandbox, &["--issue", &plain.to_string()]);
    outage.failure(1);
    assert!(outage.stderr.contains("502"), "{}", outage.stderr);
    assert_token_kept(
        &github,
        &[&missing, &not_autoheal, &bad_repo, &without_token, &outage],
    );
}

#[test]
fn an_outsiders_issue_is_refused_until_someone_who_may_triage_approves_it() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let number = file_missing_file_issue(&github, &sandbox);
    // The same report, copied into an issue of someone outside the repository.
    let copied = github.issue(REPO, number).unwrap();
    let outsiders = github.create_issue_directly(
        REPO,
        NewIssue::new(&copied.title)
            .body(&copied.body)
            .labels(&["auto-heal"])
            .by_outsider("mallory"),
    );
    github.clear_requests();

    let issue = outsiders.to_string();
    let refused = fix(&sandbox, &["--issue", &issue, "--create-pr"]);
    refused.failure(2);
    assert!(
        refused.stderr.contains("opened by mallory")
            && refused.stderr.contains("not acting on an outsider's text"),
        "{}",
        refused.stderr
    );
    assert!(writes(&github).is_empty(), "{:?}", writes(&github));

    let not_a_triager = fix(
        &sandbox,
        &["--issue", &issue, "--approved-by", "mallory", "--create-pr"],
    );
    not_a_triager.failure(2);
    assert!(writes(&github).is_empty(), "{:?}", writes(&github));

    github.add_collaborator(REPO, "tom", "triage");
    let approved = fix(
        &sandbox,
        &["--issue", &issue, "--approved-by", "tom", "--create-pr"],
    );
    approved.success();
    assert!(
        approved
            .stdout
            .contains("Trusted:   approved by tom, who may triage"),
        "{}",
        approved.stdout
    );
    assert_eq!(github.comments(REPO, outsiders).len(), 1);
}
