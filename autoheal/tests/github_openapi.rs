//! The client and the fake GitHub against GitHub's own OpenAPI description of its REST API
//! (`@octokit/openapi`, read offline): every request the client sends in reporting and in
//! healing, and every reply the fake gives it, recorded by the fake and checked exchange by
//! exchange.
//!
//! - the route is a documented operation and the reply's status is documented for it;
//! - the request's query parameters and JSON body use documented names, types and `enum`
//!   values only, and carry what is required;
//! - every field the client reads of the reply (see `github/client.rs` and
//!   `github/heal/api.rs`) is documented, present and of its documented type, and the reply's
//!   other documented fields have their types too.
//!
//! The description comes from the file named by `AUTOHEAL_GITHUB_OPENAPI`, which `.ci/run`
//! installs and sets; without it the test skips (see `fake_github::tools`).

use std::collections::BTreeSet;

use autoheal::config::Token;
use autoheal::fix::FIX_COMMENT_MARKER;
use autoheal::github::{FixOptions, GitHubClient, fix_issue};
use autoheal::issue::{IssueDraft, fingerprint_marker, render_issue};
use autoheal::repair::RepairBundle;
use autoheal::{App, Config, Report};
use fake_github::openapi::{DESCRIPTION_VAR, Description};
use fake_github::tools::require_file_from;
use fake_github::{AgentTasks, Exchange, FakeGitHub, NewIssue};

const REPO: &str = "acme/tools";
const INSTALL: &str = "npm install --prefix DIR @octokit/openapi@23.0.2 and set \
    AUTOHEAL_GITHUB_OPENAPI=DIR/node_modules/@octokit/openapi/generated/api.github.com.json \
    (bash .ci/run does both, pinned by .ci/openapi/package-lock.json)";

/// What the client reads of each operation's successful reply: a leading `?` marks a field it
/// does without. Of an error reply it reads `message`, and `errors` when there are any.
const READS: &[(&str, &str, &[&str])] = &[
    (
        "GET",
        "/search/issues",
        &[
            "incomplete_results",
            "items[].id",
            "items[].number",
            "items[].html_url",
            "items[].state",
            "?items[].body",
            "?items[].pull_request",
            "?items[].user.login",
            "items[].author_association",
        ],
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues",
        &[
            "[].id",
            "[].number",
            "[].html_url",
            "[].state",
            "?[].body",
            "?[].pull_request",
            "?[].user.login",
            "[].author_association",
            "[].title",
            "[].created_at",
            "?[].closed_at",
            "[].comments",
        ],
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues",
        &[
            "id",
            "number",
            "html_url",
            "state",
            "?body",
            "?user.login",
            "author_association",
        ],
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}",
        &[
            "id",
            "number",
            "html_url",
            "state",
            "?body",
            "labels[].name",
            "?pull_request",
            "?user.login",
            "author_association",
        ],
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/events",
        &["[].event", "?[].actor.login", "?[].label.name"],
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/collaborators/{username}/permission",
        &["role_name", "permission"],
    ),
    ("GET", "/user", &["login"]),
    ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", &[]),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        &[
            "[].id",
            "[].html_url",
            "?[].body",
            "?[].user.login",
            "[].author_association",
            "[].created_at",
        ],
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        &[
            "id",
            "html_url",
            "?body",
            "?user.login",
            "author_association",
        ],
    ),
    (
        "PATCH",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        &[
            "id",
            "html_url",
            "?body",
            "?user.login",
            "author_association",
        ],
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/labels",
        &[],
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
        &["assignees[].login"],
    ),
    ("GET", "/repos/{owner}/{repo}", &["default_branch"]),
    (
        "GET",
        "/repos/{owner}/{repo}/git/ref/{ref}",
        &["object.sha"],
    ),
    ("POST", "/repos/{owner}/{repo}/git/refs", &[]),
    (
        "GET",
        "/repos/{owner}/{repo}/contents/{path}",
        &["type", "sha", "content"],
    ),
    ("PUT", "/repos/{owner}/{repo}/contents/{path}", &[]),
    (
        "GET",
        "/repos/{owner}/{repo}/pulls",
        &[
            "[].number",
            "[].html_url",
            "[].state",
            "[].head.ref",
            "?[].head.repo.full_name",
            "[].created_at",
            "?[].closed_at",
            "?[].merged_at",
            "?[].title",
            "?[].body",
        ],
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/pulls",
        &["number", "html_url", "state", "?title", "?body"],
    ),
    (
        "PATCH",
        "/repos/{owner}/{repo}/pulls/{pull_number}",
        &["number", "html_url", "state", "?title", "?body"],
    ),
    (
        "POST",
        "/agents/repos/{owner}/{repo}/tasks",
        &["id", "?html_url"],
    ),
];

/// Request body properties the client sends that the description lacks, each with where
/// GitHub documents it.
const UNDOCUMENTED: &[(&str, &str, &str)] = &[(
    "POST",
    "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
    // "Assigning an issue to Copilot" in GitHub's REST documentation of the Copilot coding
    // agent: the repository and base branch it works on.
    "body.agent_assignment is not a documented property",
)];

/// A verified repair of `src/lib.rs`, its verification saying `output`.
fn repair_bundle(output: &str) -> RepairBundle {
    let bundle = serde_json::json!({
        "format": 1, "base_commit": "0123456789abcdef0123456789abcdef01234567",
        "failure": { "kind": "cargo fmt", "message": "Diff in src/lib.rs at line 1" },
        "outcome": "repaired",
        "repair": { "command": "cargo fmt -p tiny", "passed": true },
        "verification": { "command": "cargo fmt --check -p tiny", "passed": true, "output_tail": output },
        "diff": "diff --git a/src/lib.rs b/src/lib.rs\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1 +1,3 @@\n-pub fn answer()->u32{42}\n+pub fn answer() -> u32 {\n+    42\n+}\n",
        "files": [{ "path": "src/lib.rs", "content": "pub fn answer() -> u32 {\n    42\n}\n" }],
        "lines_added": 3, "lines_removed": 1,
    });
    RepairBundle::from_json(&bundle.to_string()).unwrap()
}

fn config(github: &FakeGitHub, dir: &tempfile::TempDir) -> Config {
    let mut config = Config::for_app(App::new("openapi_test", "OPENAPI_TEST_", "0.1.0"));
    config.config_dir = dir.path().to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new("ghp_OpenApiTestToken0123456789abcdefghijklm"));
    config.api_url = github.url().to_string();
    config
}

#[autoheal::auto_heal(name = "load settings")]
fn load_settings(path: &str) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// A failure the diagnosis recognises (a missing file): healing answers it with a pull request.
fn recognised_report() -> Report {
    let (result, reports) = autoheal::test::with_captured_reports(|| {
        load_settings("/nonexistent/autoheal-openapi/settings.toml")
    });
    assert!(result.is_err());
    reports
        .into_iter()
        .next()
        .expect("the failure was captured")
}

/// A failure nobody recognises: healing hands it to the Copilot coding agent.
fn unrecognised_report() -> Report {
    let mut report = recognised_report();
    report.error.type_name = "WidgetError".to_string();
    report.error.message = "the widget declined to frobnicate shard 7".to_string();
    report.error.chain.clear();
    report.fingerprint = "4f2a9c1d8e7b6a50".to_string();
    report
}

fn seed(github: &FakeGitHub, report: &Report) -> u64 {
    let draft = render_issue(report);
    github.create_issue_directly(
        REPO,
        NewIssue::new(&draft.title)
            .body(&draft.body)
            .labels(&["auto-heal"]),
    )
}

/// Reporting: search, create (once refused for its labels), list, comments, close as a
/// duplicate.
fn reporting(exchanges: &mut Vec<Exchange>) {
    let github = FakeGitHub::start();
    github.restrict_labels(&["auto-heal"]);
    let dir = tempfile::tempdir().unwrap();
    let client = GitHubClient::from_config(&config(&github, &dir)).unwrap();
    let marker = fingerprint_marker("0123456789abcdef");
    let draft = IssueDraft {
        title: "Crash in add".to_string(),
        body: format!("{marker}\nThe details."),
        labels: vec!["auto-heal".to_string()],
    };
    assert_eq!(client.search_open(&marker).unwrap(), Some(Vec::new()));
    let first = client.create_issue(&draft).unwrap();
    let refused = IssueDraft {
        labels: vec!["auto-heal".to_string(), "no-such-label".to_string()],
        ..draft.clone()
    };
    let twin = client.create_issue(&refused).unwrap();
    let found = client.search_open(&marker).unwrap().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let mut listed = Vec::new();
    client
        .list_open("auto-heal", 3, |issue| {
            listed.push(issue.number);
            true
        })
        .unwrap();
    assert_eq!(listed.len(), 1, "the twin was filed without its labels");
    client.comment(first.number, "It happened again.").unwrap();
    assert_eq!(
        client.comments_since(first.number, 0, 3).unwrap(),
        vec!["It happened again.".to_string()]
    );
    client.close_as_duplicate(twin.number, &first).unwrap();
    assert_eq!(client.issue(twin.number).unwrap().state, "closed");
    exchanges.extend(github.exchanges());
}

/// Healing: a recognised failure answered with a comment (updating an earlier answer) and a
/// draft pull request; unrecognised ones handed to Copilot as an agent task, by assignment
/// where agent tasks are refused, and labelled for triage where both are.
fn healing(exchanges: &mut Vec<Exchange>) {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = GitHubClient::from_config(&config(&github, &dir)).unwrap();
    let number = seed(&github, &recognised_report());
    client
        .comment(number, &format!("{FIX_COMMENT_MARKER}\nAn older answer."))
        .unwrap();
    let options = |issue, copilot| FixOptions {
        issue,
        create_pr: true,
        copilot,
        ..FixOptions::default()
    };
    fix_issue(&client, &options(number, false)).unwrap();
    assert_eq!(github.pulls(REPO).len(), 1);
    fix_issue(&client, &options(number, false)).unwrap();

    github.set_agent_tasks(AgentTasks::Accept);
    let number = seed(&github, &unrecognised_report());
    fix_issue(&client, &options(number, true)).unwrap();
    assert_eq!(github.agent_tasks(REPO).len(), 1);

    github.set_agent_tasks(AgentTasks::Refuse(403));
    github.set_copilot_assignable(true);
    let mut report = unrecognised_report();
    report.fingerprint = "5f2a9c1d8e7b6a51".to_string();
    let number = seed(&github, &report);
    fix_issue(&client, &options(number, true)).unwrap();

    // An outsider's issue, approved by a triager's label and by a named approver; a
    // workflow-style token that cannot read its own user.
    let outsiders = github.create_issue_directly(
        REPO,
        NewIssue::new("copied report")
            .body(&render_issue(&recognised_report()).body)
            .by_outsider("mallory"),
    );
    github.add_collaborator(REPO, "tom", "triage");
    github.label_issue_as(REPO, outsiders, "auto-heal", "tom");
    fix_issue(&client, &options(outsiders, false)).unwrap();
    let approved = FixOptions {
        approved_by: Some("tom".to_string()),
        ..options(outsiders, false)
    };
    fix_issue(&client, &approved).unwrap();

    // A token the agent tasks API does not take (an installation token): assignment next.
    github.set_agent_tasks(AgentTasks::Refuse(401));
    github.set_copilot_assignable(true);
    report.fingerprint = "7f2a9c1d8e7b6a53".to_string();
    let number = seed(&github, &report);
    fix_issue(&client, &options(number, true)).unwrap();
    github.set_agent_tasks(AgentTasks::Refuse(403));

    // A private repository without drafts: a normal pull request, marked in its title.
    github.refuse_draft_pulls(true);
    let mut missing = recognised_report();
    missing.fingerprint = "8f2a9c1d8e7b6a54".to_string();
    let number = seed(&github, &missing);
    fix_issue(&client, &options(number, false)).unwrap();
    github.refuse_draft_pulls(false);

    // A verified repair: its branch (from the default branch, GitHub lacking the repair's base
    // commit), its file replaced, its draft; again with other words: the description patched.
    github.put_file(REPO, "main", "src/lib.rs", b"pub fn answer()->u32{42}\n");
    let mut repair = recognised_report();
    repair.fingerprint = "9f2a9c1d8e7b6a55".to_string();
    let number = seed(&github, &repair);
    let pulls_before = github.pulls(REPO).len();
    for verification_output in ["ok", "ok again"] {
        let with_bundle = FixOptions {
            repair: Some(repair_bundle(verification_output)),
            ..options(number, false)
        };
        fix_issue(&client, &with_bundle).unwrap();
    }
    assert_eq!(github.pulls(REPO).len(), pulls_before + 1);

    // Neither hand-off is possible: the issue is labelled for a person to look at.
    github.set_copilot_assignable(false);
    report.fingerprint = "6f2a9c1d8e7b6a52".to_string();
    let number = seed(&github, &report);
    fix_issue(&client, &options(number, true)).unwrap();
    assert!(
        github.issue(REPO, number).unwrap().labels.len() > 1,
        "the issue was labelled"
    );
    exchanges.extend(github.exchanges());
}

/// Repository stats: the issues listed since a time, their comments, and every pull request.
fn repository_stats(exchanges: &mut Vec<Exchange>) {
    use autoheal::stats::repo::{RepoOptions, RepoStats};
    use fake_github::{PastComment, PastIssue, PastPull};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let client = GitHubClient::from_config(&config(&github, &dir)).unwrap();
    let day = Duration::from_secs(86_400);
    let start = SystemTime::now() - 10 * day;
    let number = github.seed_past_issue(
        REPO,
        PastIssue::new("[auto-heal] io: not found", start)
            .labels(&["auto-heal"])
            .comment(PastComment::new(
                "This failure happened again — once more since the last update.",
                start + day,
            ))
            .closed_at(start + 2 * day),
    );
    let branch = format!("autoheal/issue-{number}");
    github.seed_past_pull(
        REPO,
        PastPull::new("Fix", &branch, start).merged_at(start + day),
    );
    github.seed_past_pull(
        REPO,
        PastPull::new("Other", "feature/x", start).closed_at(start + day),
    );
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let since = now_ms - 20 * 86_400_000;
    let options = RepoOptions::at(now_ms).since(Some(since));
    let stats = RepoStats::from_github(&client, "auto-heal", &options).unwrap();
    assert_eq!((stats.closed_issues, stats.occurrences), (1, 2));
    assert_eq!(stats.fixes.merged, 1);
    exchanges.extend(github.exchanges());
}

#[test]
fn the_client_and_the_fake_follow_githubs_openapi_description() {
    let Some(path) = require_file_from(DESCRIPTION_VAR, INSTALL) else {
        return;
    };
    let description = Description::load(&path).unwrap();
    let mut exchanges = Vec::new();
    reporting(&mut exchanges);
    healing(&mut exchanges);
    repository_stats(&mut exchanges);

    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let mut used = BTreeSet::new();
    for exchange in &exchanges {
        let request = &exchange.request;
        let name = format!("{} {}", request.method, request.path);
        let Some(operation) = description.operation(&request.method, &request.path) else {
            problems.push(format!("{name}: no such operation is documented"));
            continue;
        };
        let route = (operation.method.clone(), operation.template.clone());
        seen.insert(route.clone());
        let reads = READS
            .iter()
            .find(|(m, t, _)| (*m, *t) == (route.0.as_str(), route.1.as_str()))
            .map(|(_, _, reads)| *reads);
        let Some(reads) = reads else {
            problems.push(format!(
                "{name}: {} {} is missing from READS",
                route.0, route.1
            ));
            continue;
        };
        if !operation.documents_status(exchange.status) {
            problems.push(format!(
                "{name}: {} is not a documented status (documented: {:?})",
                exchange.status,
                operation.statuses()
            ));
        }
        for error in operation.check_request(request) {
            let allowed = UNDOCUMENTED
                .iter()
                .find(|(m, t, e)| (*m, *t, *e) == (route.0.as_str(), route.1.as_str(), &*error));
            match allowed {
                Some(exemption) => {
                    used.insert(exemption.2);
                }
                None => problems.push(format!("{name}: request {error}")),
            }
        }
        let body = exchange.json().unwrap_or_default();
        let fields: &[&str] = match (exchange.status, body.get("errors")) {
            (200..=299, _) => reads,
            (_, Some(_)) => &["message", "errors"],
            (_, None) => &["message"],
        };
        for error in operation.check_fields(exchange.status, &body, fields) {
            problems.push(format!("{name} -> {}: {error}", exchange.status));
        }
        for error in operation.check_reply(exchange.status, &body) {
            problems.push(format!("{name} -> {}: {error}", exchange.status));
        }
    }
    for (method, template, _) in READS {
        if !seen.contains(&(method.to_string(), template.to_string())) {
            problems.push(format!("{method} {template} was not exercised"));
        }
    }
    for (method, template, error) in UNDOCUMENTED {
        if !used.contains(error) {
            problems.push(format!(
                "{method} {template}: no longer sent, drop it: {error}"
            ));
        }
    }
    problems.dedup();
    println!(
        "{} exchanges over {} documented operations checked",
        exchanges.len(),
        seen.len()
    );
    assert!(
        problems.is_empty(),
        "{} exchanges, {} problems:\n{}",
        exchanges.len(),
        problems.len(),
        problems.join("\n")
    );
}
