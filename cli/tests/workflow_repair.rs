//! The auto-heal workflow's repair split, its scripts run locally as the jobs run them: the
//! report job files a real broken crate's failed job, the read-only repair job downloads the
//! log and repairs it into a bundle with no token in its environment, and the job that writes
//! passes the bundle of the issue's job to `fix --repair`, which opens the draft pull request
//! on (the fake) GitHub. curl is a stand-in serving the Actions API the fake does not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fake_github::FakeGitHub;
use fake_github::broken_crate::{BrokenCrate, require_cargo_tools};
use fake_github::tools::require_tool;

const REPO: &str = "acme/tiny";
const TOKEN: &str = "ghp_WorkflowRepairTestToken0123456789abc";
const RUN_URL: &str = "https://github.com/acme/tiny/actions/runs/7001";
const JOB_ID: &str = "501";

/// Temporary directories for one workflow run, and the scripts' runner.
struct Runner {
    root: tempfile::TempDir,
    bash: PathBuf,
}

impl Runner {
    /// `None` (the test skips) when bash, jq or cargo's fmt and clippy are missing.
    fn new() -> Option<Runner> {
        let bash = require_tool("bash", "apt-get install bash")?;
        require_tool("jq", "apt-get install jq")?;
        require_cargo_tools()?;
        let runner = Runner {
            root: tempfile::tempdir().unwrap(),
            bash,
        };
        for dir in ["work", "home", "bin", "crate"] {
            std::fs::create_dir_all(runner.path(dir)).unwrap();
        }
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ipfs-kit"), runner.path("bin/ipfs-kit"))
            .unwrap();
        Some(runner)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// A curl that serves run 7001's jobs (job 501 failed) and job 501's `log`.
    fn serve_failed_run(&self, log: &str) {
        use std::os::unix::fs::PermissionsExt as _;
        let jobs = serde_json::json!({ "total_count": 1, "jobs": [
            { "id": 501, "name": "lint", "conclusion": "failure" },
        ]});
        std::fs::write(self.path("jobs.json"), jobs.to_string()).unwrap();
        std::fs::write(self.path("501.log"), log).unwrap();
        let script = format!(
            r#"#!/usr/bin/env bash
set -eu
out=""; url=""
while [ $# -gt 0 ]; do
    case "$1" in
        --output) out="$2"; shift 2 ;;
        --header|--max-time|--retry) shift 2 ;;
        --*) shift ;;
        *) url="$1"; shift ;;
    esac
done
case "$url" in
    */repos/{REPO}/actions/runs/7001/attempts/1/jobs\?per_page=100\&page=1) cp "{root}/jobs.json" "$out" ;;
    */repos/{REPO}/actions/jobs/501/logs) cp "{root}/501.log" "$out" ;;
    *) echo "curl: (22) The requested URL returned error: 404 for $url" >&2; exit 22 ;;
esac
"#,
            root = self.root.path().display(),
        );
        let curl = self.path("bin/curl");
        std::fs::write(&curl, script).unwrap();
        std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// `bash .github/scripts/NAME` with only the variables given (and what every step has:
    /// the PATH, a home, the toolchain's directories).
    fn run(&self, name: &str, env: &[(&str, &str)]) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../.github/scripts")
            .join(name);
        let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        let toolchain = |var: &str, default: &str| {
            std::env::var_os(var).unwrap_or_else(|| home.join(default).into_os_string())
        };
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(&self.bash);
        command
            .arg(script)
            .current_dir(self.path("work"))
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path("home"))
            .env("IPFS_KIT_CONFIG_DIR", self.path("home/config"))
            .env("RUSTUP_HOME", toolchain("RUSTUP_HOME", ".rustup"))
            .env("CARGO_HOME", toolchain("CARGO_HOME", ".cargo"))
            .envs(env.iter().copied());
        let output = command.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

/// The variables GitHub Actions gives a step that talks to the API.
fn api_env(github: &FakeGitHub) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_API_URL", github.url().to_string()),
        ("GITHUB_REPOSITORY", REPO.to_string()),
        ("GITHUB_TOKEN", TOKEN.to_string()),
    ]
}

fn with<'a>(
    base: &'a [(&'static str, String)],
    more: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(more.iter().copied())
        .collect()
}

/// The report job and the repair job of a failed `cargo fmt --check`: the runner, the crate,
/// the issue's number and the report job's `issue_jobs` output.
fn report_and_repair(github: &FakeGitHub) -> Option<(Runner, BrokenCrate, u64, String)> {
    let runner = Runner::new()?;
    let krate = BrokenCrate::create(
        &runner.path("crate"),
        &[("src/lib.rs", "pub fn answer()->u32{42}\n")],
    );
    for path in ["Cargo.toml", "src/lib.rs"] {
        github.put_file(REPO, "main", path, krate.read(path).as_bytes());
    }
    runner.serve_failed_run(&krate.failed_job_log(&["fmt", "--check"]));
    let api = api_env(github);

    // report-ci-failure
    let outputs = runner.path("github_output");
    let outputs_var = outputs.display().to_string();
    runner.run(
        "autoheal-report-run.sh",
        &with(
            &api,
            &[
                ("RUN_ID", "7001"),
                ("RUN_URL", RUN_URL),
                ("GITHUB_OUTPUT", &outputs_var),
            ],
        ),
    );
    let outputs = std::fs::read_to_string(outputs).unwrap();
    let issue_jobs = outputs
        .lines()
        .find_map(|l| l.strip_prefix("issue_jobs="))
        .expect("the report job says which job filed each issue")
        .to_string();
    let number = github.issues(REPO).last().expect("filed").number;
    assert_eq!(issue_jobs, format!("{{\"{number}\":{JOB_ID}}}"));

    // repair-ci-failure: the logs with the token, the repair without it.
    let logs = runner.path("logs").display().to_string();
    runner.run(
        "autoheal-fetch-logs.sh",
        &with(&api, &[("RUN_ID", "7001"), ("AUTOHEAL_LOG_DIR", &logs)]),
    );
    assert_eq!(
        std::fs::read_to_string(runner.path("logs/501.log")).unwrap(),
        std::fs::read_to_string(runner.path("501.log")).unwrap()
    );
    let bundles = runner.path("bundles").display().to_string();
    let checkout = krate.dir.display().to_string();
    let repaired = runner.run(
        "autoheal-repair-run.sh",
        &[
            ("AUTOHEAL_LOG_DIR", logs.as_str()),
            ("AUTOHEAL_CHECKOUT", &checkout),
            ("AUTOHEAL_BUNDLE_DIR", &bundles),
        ],
    );
    let stdout = String::from_utf8_lossy(&repaired.stdout);
    assert!(
        stdout.contains("Verified by:  cargo fmt --check -p tiny (passed"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(runner.path("bundles/index.txt")).unwrap(),
        "501 repaired\n"
    );
    assert!(krate.changed().is_empty(), "the checkout is put back");
    Some((runner, krate, number, issue_jobs))
}

#[test]
fn the_read_only_jobs_bundle_becomes_the_writing_jobs_draft_pull_request() {
    let github = FakeGitHub::start();
    let Some((runner, krate, number, issue_jobs)) = report_and_repair(&github) else {
        return;
    };
    let bundles = runner.path("bundles").display().to_string();
    let issue = number.to_string();

    // fix-reported-issues
    let answered = runner.run(
        "autoheal-fix-issue.sh",
        &with(
            &api_env(&github),
            &[
                ("ISSUE_NUMBER", &issue),
                ("ISSUE_JOBS", &issue_jobs),
                ("AUTOHEAL_BUNDLE_DIR", &bundles),
            ],
        ),
    );

    let stdout = String::from_utf8_lossy(&answered.stdout);
    assert!(stdout.contains("Repair bundle of job 501"), "{stdout}");
    let pulls = github.pulls(REPO);
    let [pull] = &pulls[..] else {
        panic!("{pulls:?}\n{stdout}")
    };
    assert!(pull.draft, "{pull:?}");
    assert!(
        pull.body.contains(&format!("Failed run: {RUN_URL}")),
        "{}",
        pull.body
    );
    assert!(
        pull.body.contains(&format!("Closes #{number}")),
        "{}",
        pull.body
    );
    let committed = github
        .file(REPO, &format!("autoheal/issue-{number}"), "src/lib.rs")
        .unwrap();
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.path("bundles/501.json")).unwrap())
            .unwrap();
    assert_eq!(
        String::from_utf8(committed).unwrap(),
        bundle["files"][0]["content"]
    );
    assert_ne!(
        krate.read("src/lib.rs"),
        bundle["files"][0]["content"],
        "the checkout kept nothing"
    );
}

#[test]
fn a_bundle_that_records_another_job_is_not_used() {
    let github = FakeGitHub::start();
    let Some((runner, _krate, number, _)) = report_and_repair(&github) else {
        return;
    };
    // A bundle named for job 777 that was made of job 501's log.
    std::fs::copy(
        runner.path("bundles/501.json"),
        runner.path("bundles/777.json"),
    )
    .unwrap();
    let bundles = runner.path("bundles").display().to_string();
    let issue = number.to_string();
    let mapping = format!("{{\"{number}\":777}}");

    let answered = runner.run(
        "autoheal-fix-issue.sh",
        &with(
            &api_env(&github),
            &[
                ("ISSUE_NUMBER", &issue),
                ("ISSUE_JOBS", &mapping),
                ("AUTOHEAL_BUNDLE_DIR", &bundles),
            ],
        ),
    );

    let stdout = String::from_utf8_lossy(&answered.stdout);
    assert!(
        stdout.contains(&format!("No repair bundle for issue #{number}")),
        "{stdout}"
    );
    // The diagnosis may still propose its troubleshooting entry; the source is not touched.
    let source = github.file(REPO, &format!("autoheal/issue-{number}"), "src/lib.rs");
    assert!(
        source.is_none_or(|s| s == b"pub fn answer()->u32{42}\n"),
        "the repair was committed"
    );
    assert!(
        github
            .pulls(REPO)
            .iter()
            .all(|p| !p.body.contains("## Verification")),
        "no repair was proposed"
    );
}
