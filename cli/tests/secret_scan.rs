//! No secret leaves the process. With a GitHub token and a set of fake secrets of every common
//! shape placed in the environment, in command-line arguments, in error messages (a file path,
//! an API URL with a password, a panic message) and in log lines, every ipfs-kit command runs,
//! reports go through every row of the fault table (`common/fault_rows.rs`), and `fix` answers
//! issues for real (comment, branch, file contents, pull request, Copilot hand-off). Every byte
//! that left a process is scanned: stdout and stderr of each run; every file under the private
//! home (configuration, backups, and the queue right after each faulted failure, while its
//! report waits there); and every request the fake GitHub received (path, query, body and
//! every header but `Authorization`). No secret may appear, plain or base64-, JSON- or
//! URL-encoded.
//!
//! A panic inside `#[auto_heal]`, with a secret in its message and another on its command line,
//! is queued while GitHub fails, under `RUST_BACKTRACE=1` (or the scan's own setting); ipfs-kit
//! has no command that panics, so this test binary plays the program (`panic_run.rs`).
//!
//! The scan runs three times: plain, under `RUST_BACKTRACE=1` with autoheal's debug output on,
//! and under `RUST_BACKTRACE=full` with debug output on; `RUST_LOG=trace` throughout.

mod common;
#[path = "common/fault_rows.rs"]
mod fault_rows;
#[path = "secret_scan/panic_run.rs"]
mod panic_run;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use autoheal::fix::{diagnose, parse_issue_body};
use autoheal::{Report, ReportKind};
use common::{Run, Sandbox};
use fake_github::names::letters;
use fake_github::tools::require_tool;
use fake_github::{AgentTasks, FakeGitHub, Fault, base64};
use fault_rows::{Expect, fault_rows};

const TOKEN: &str = "ghp_ScanSecretTokenValue0123456789abcdefAB";
const FINE_GRAINED: &str =
    "github_pat_11SCANFAKE0123456789_scanfakescanfakescanfakescanfakescanfakescanfake0123456789";
const AWS_KEY_ID: &str = "AKIASCANFAKE7EXAMPLE";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYScanFakeKey+1";
const SLACK: &str = "xoxb-123456789012-1234567890123-ScanFakeSlackTokenValue";
const JWT: &str =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzY2FuLWZha2UifQ.U2NhbkZha2VKd3RTaWduYXR1cmU";
const PEM_BODY: &str = "MIIEpAIBAAKCAQEAScanFakePrivateKeyBody0123456789abcdefABCDEF";
const URL_PASSWORD: &str = "Sc4nUrlPassw0rdValue";
const DB_PASSWORD: &str = "Sc4nDbPassw0rdValue";

const REPO: &str = "acme/tools";

/// Every secret, by name, as it must never be seen.
const SECRETS: &[(&str, &str)] = &[
    ("GitHub token", TOKEN),
    ("fine-grained token", FINE_GRAINED),
    ("AWS access key ID", AWS_KEY_ID),
    ("AWS secret key", AWS_SECRET),
    ("Slack token", SLACK),
    ("JWT", JWT),
    ("PEM private key", PEM_BODY),
    ("password in a URL", URL_PASSWORD),
    ("DB_PASSWORD", DB_PASSWORD),
];

fn pem() -> String {
    format!("-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----")
}

/// The environment of every run: each secret where programs usually find it.
fn secret_env(github: &FakeGitHub) -> Vec<(String, String)> {
    [
        ("GITHUB_TOKEN", TOKEN.to_string()),
        ("GITHUB_API_URL", github.url().to_string()),
        ("GITHUB_PAT", FINE_GRAINED.to_string()),
        ("AWS_ACCESS_KEY_ID", AWS_KEY_ID.to_string()),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET.to_string()),
        ("SLACK_BOT_TOKEN", SLACK.to_string()),
        ("API_JWT", JWT.to_string()),
        ("TLS_PRIVATE_KEY", pem()),
        (
            "DATABASE_URL",
            format!("postgres://scan:{URL_PASSWORD}@127.0.0.1/db"),
        ),
        ("DB_PASSWORD", DB_PASSWORD.to_string()),
        // Variables of the application's own prefix are reported: secrets hidden in values
        // of names that do not say so.
        (
            "IPFS_KIT_REMOTE",
            format!("https://deploy:{URL_PASSWORD}@pins.example.com"),
        ),
        ("IPFS_KIT_NOTE", format!("DB_PASSWORD={DB_PASSWORD} {JWT}")),
        ("RUST_LOG", "trace".to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect()
}

/// The forms `secret` could take in the output: as is, JSON-escaped, URL-encoded, and base64
/// at each of the three alignments it could have inside a longer encoded text (only the
/// characters that depend on the secret alone).
fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let mut forms = vec![("plain", secret.to_string())];
    let json = serde_json::to_string(secret).unwrap();
    forms.push(("JSON-escaped", json[1..json.len() - 1].to_string()));
    let url: String = secret
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    forms.push(("URL-encoded", url));
    for shift in 0..3usize {
        let mut bytes = vec![0u8; shift];
        bytes.extend_from_slice(secret.as_bytes());
        let encoded = base64(&bytes);
        let first = (shift * 8).div_ceil(6);
        let last = bytes.len() * 8 / 6;
        forms.push(("base64", encoded[first..last].to_string()));
    }
    let mut distinct: Vec<(&'static str, String)> = Vec::new();
    for (encoding, form) in forms {
        if !distinct.iter().any(|(_, seen)| *seen == form) {
            distinct.push((encoding, form));
        }
    }
    distinct
}

/// Everything that left the processes of one scan, and what was found in it.
#[derive(Default)]
struct Scan {
    commands: usize,
    bytes: usize,
    /// Queued report files read while their report waited in the queue.
    queued_reports: usize,
    leaks: Vec<String>,
}

/// The nearest character boundary of `text` from `at` (at most its length) in direction `step`
/// (`str::floor_char_boundary` and `ceil_char_boundary` are newer than the supported Rust).
fn char_boundary(text: &str, mut at: usize, step: isize) -> usize {
    while !text.is_char_boundary(at) {
        at = at.saturating_add_signed(step);
    }
    at
}

impl Scan {
    /// Scan one output, named by where it went.
    fn check(&mut self, place: &str, bytes: &[u8]) {
        self.bytes += bytes.len();
        let text = String::from_utf8_lossy(bytes);
        for (name, secret) in SECRETS {
            for (encoding, form) in encodings(secret) {
                if let Some(at) = text.find(&form) {
                    let start = char_boundary(&text, at.saturating_sub(80), -1);
                    let end = char_boundary(&text, (at + form.len() + 40).min(text.len()), 1);
                    self.leaks.push(format!(
                        "{name} ({encoding}) in {place}: …{}…",
                        &text[start..end]
                    ));
                }
            }
        }
    }

    fn run(&mut self, what: &str, run: &Run) {
        self.commands += 1;
        self.check(&format!("stdout of `{what}`"), run.stdout.as_bytes());
        self.check(&format!("stderr of `{what}`"), run.stderr.as_bytes());
    }

    /// Scan every file under the home, `when` naming the moment. Returns the reports in the
    /// queue, read back.
    fn files(&mut self, sandbox: &Sandbox, when: &str) -> Vec<Report> {
        let queue = sandbox.config_dir().join("queue");
        let mut queued = Vec::new();
        for (path, bytes) in sandbox.all_files() {
            self.check(&format!("{} ({when})", path.display()), &bytes);
            if is_queued_report(&queue, &path) {
                let report = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{} is not a report: {e}", path.display()));
                queued.push(report);
            }
        }
        self.queued_reports += queued.len();
        queued
    }
}

fn is_queued_report(queue: &Path, path: &Path) -> bool {
    path.parent() == Some(queue)
        && path.extension().is_some_and(|x| x == "json")
        && !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// One scan: a private home, the secrets in the environment, every command, every fault.
fn scan(extra_env: &[(&str, &str)]) -> Scan {
    let github = FakeGitHub::start();
    github.expect_token(TOKEN);
    let mut sandbox = Sandbox::new();
    for (name, value) in secret_env(&github) {
        sandbox = sandbox.env(&name, &value);
    }
    for (name, value) in extra_env {
        sandbox = sandbox.env(name, value);
    }
    let mut scan = Scan::default();
    let run = |scan: &mut Scan, args: &[&str]| -> Run {
        let run = sandbox.run(args);
        scan.run(&args.join(" "), &run);
        assert!(
            !run.stderr.contains("panicked"),
            "`{}` panicked:\n{}",
            args.join(" "),
            run.stderr
        );
        run
    };

    // A malformed configuration file holding a token, set aside as a backup by the first
    // change.
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    std::fs::write(
        sandbox.config_file(),
        format!("{{\"github_token\": \"{TOKEN}\", \"note\": \"{SLACK}\", \"enabled\": tru"),
    )
    .unwrap();
    run(&mut scan, &["autoheal", "status"]);
    run(
        &mut scan,
        &["autoheal", "enable", "--github-repo", "acme/tools"],
    );
    // Every failure below is a new bug: the flood guard must not hold any back unsent.
    for (key, value) in [("timeout_secs", "2"), ("max_new_issues_per_hour", "1000")] {
        run(&mut scan, &["autoheal", "config", "--set", key, value]);
    }
    for args in [
        &["autoheal", "status"][..],
        &["autoheal", "status", "--json"],
        &["autoheal", "config"],
        &["autoheal", "config", "--get", "github_token"],
        &["autoheal", "config", "--get", "api_url"],
        &["autoheal", "config", "--set", "max_log_lines", "200"],
        &["autoheal", "config", "--set", "github_repo", TOKEN],
        &["autoheal", "config", "--set", "api_url", JWT],
        &["autoheal", "config", "--set", "issue_labels", SLACK],
        &["autoheal", "config", "--get", DB_PASSWORD],
        &["autoheal", "config", "--unset", "max_log_lines"],
        &["autoheal", "config", "--unset", "github_token"],
        &["--github-repo", AWS_SECRET, "autoheal", "status"],
    ] {
        run(&mut scan, args);
    }

    // Failures whose messages carry secrets, reported to GitHub.
    // Outside the home, whose every file is scanned: these are the user's files.
    let user_files = tempfile::tempdir().unwrap();
    let secret_dir = user_files.path().join(format!("{TOKEN}-{AWS_KEY_ID}"));
    let secret_path = secret_dir.join(format!("DB_PASSWORD={DB_PASSWORD}.txt"));
    let secret_path = secret_path.to_str().unwrap().to_string();
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = format!("http://scan:{URL_PASSWORD}@127.0.0.1:{closed_port}");
    run(&mut scan, &["add", &secret_path]);
    run(&mut scan, &["id", "--api", &api]);
    std::fs::create_dir_all(&secret_dir).unwrap();
    std::fs::write(&secret_path, SLACK).unwrap();
    run(&mut scan, &["add", &secret_path]);
    mcp_start_briefly(&sandbox, &mut scan);

    // Every row of the fault table, on a new bug each time. The queue is scanned while the
    // report waits in it; then the fault is cleared (and a rate limit waited out) and a flush
    // sends it.
    for (i, row) in fault_rows().iter().enumerate() {
        if row.issue_before {
            // Its fault is met by a comment on a bug filed before; each row here is a new bug.
            continue;
        }
        github.set_fault(row.rule.clone());
        // Outside the temporary directory, whose paths are masked whole in fingerprints.
        let path = format!(
            "/nonexistent/{TOKEN}-{AWS_KEY_ID}/missing-{}-{SLACK}",
            letters(i)
        );
        run(&mut scan, &["add", &path]);
        let queued = scan.files(&sandbox, &format!("after a failure under {}", row.name));
        let expected = usize::from(row.expect.queued());
        assert_eq!(
            queued.len(),
            expected,
            "{}: the failure's report met the fault; queued: {:?}",
            row.name,
            queued
                .iter()
                .map(|r| (&r.trace_id, &r.error.message))
                .collect::<Vec<_>>()
        );
        github.clear_faults();
        std::thread::sleep(row.wait_before_flush());
        run(&mut scan, &["autoheal", "flush"]);
        if row.expect == Expect::Refused {
            // Kept, marked, never sent: the user looks at it and removes it.
            run(&mut scan, &["autoheal", "queue"]);
            run(&mut scan, &["autoheal", "queue", "clear", "--yes"]);
        }
    }
    run(&mut scan, &["autoheal", "queue"]);

    // A panic with secrets in its message and command line, queued while GitHub fails.
    let backtrace = extra_env
        .iter()
        .find(|(name, _)| *name == "RUST_BACKTRACE")
        .map_or("1", |(_, value)| *value);
    github.set_fault(Fault::Status(503));
    panic_run::panic_briefly(&sandbox, &mut scan, backtrace);
    let queued = scan.files(&sandbox, "after the panic");
    assert!(
        queued.iter().any(|r| r.kind == ReportKind::Panic),
        "the panic was queued: {queued:?}"
    );
    github.clear_faults();
    run(&mut scan, &["autoheal", "flush"]);

    // The healing commands, for real: a diagnosis comment, a branch with the troubleshooting
    // entry and a draft pull request for a recognised failure; a Copilot hand-off for the
    // panic, which no rule recognises.
    let (recognised, panic) = issues_to_answer(&github);
    run(
        &mut scan,
        &[
            "autoheal",
            "fix",
            "--issue",
            &recognised.to_string(),
            "--create-pr",
        ],
    )
    .success();
    let branch = format!("autoheal/issue-{recognised}");
    let guide = github
        .file(REPO, &branch, "docs/TROUBLESHOOTING.md")
        .expect("the pull request's branch holds the troubleshooting entry");
    scan.check(&format!("docs/TROUBLESHOOTING.md on {branch}"), &guide);
    github.set_agent_tasks(AgentTasks::Accept);
    run(
        &mut scan,
        &[
            "autoheal",
            "fix",
            "--issue",
            &panic.to_string(),
            "--copilot",
        ],
    )
    .success();
    assert_eq!(github.pulls(REPO).len(), 1, "a pull request was opened");
    assert_eq!(github.agent_tasks(REPO).len(), 1, "Copilot was asked");
    for number in [recognised, panic] {
        assert_eq!(github.comments(REPO, number).len(), 1, "#{number} answered");
    }

    // The dry run and the other healing commands: the log given to report-log holds secrets
    // too.
    for args in [
        &["autoheal", "diagnose", "--last"][..],
        &["autoheal", "fix", "--issue", "1", "--dry-run"],
    ] {
        run(&mut scan, args);
    }
    report_log(&sandbox, &mut scan);
    run(&mut scan, &["autoheal", "queue", "clear", "--yes"]);
    run(&mut scan, &["autoheal", "disable"]);

    scan.files(&sandbox, "at the end");
    for request in github.requests() {
        let place = format!("request {} {}", request.method, request.path);
        scan.check(&place, request.path.as_bytes());
        scan.check(&place, request.query.as_bytes());
        scan.check(&place, request.body.as_bytes());
        for (name, value) in &request.headers {
            if !name.eq_ignore_ascii_case("authorization") {
                scan.check(&format!("{place} header {name}"), value.as_bytes());
            }
        }
    }
    let filed = github.issues(REPO).len();
    // Reports GitHub refused for good are kept, not filed.
    let filable = fault_rows()
        .iter()
        .filter(|row| row.expect != Expect::Refused)
        .count();
    assert!(
        filed > filable,
        "the failures were filed ({filed} issues), so their bodies were scanned"
    );
    scan
}

/// The issues `fix` answers: a recognised failure, and the panic (which no rule recognises).
fn issues_to_answer(github: &FakeGitHub) -> (u64, u64) {
    let mut recognised = None;
    let mut panic = None;
    for issue in github.issues(REPO) {
        let Ok(parsed) = parse_issue_body(&issue.body) else {
            continue;
        };
        if parsed.report.kind == ReportKind::Panic {
            assert!(
                !diagnose(&parsed.report).is_recognised(),
                "the panic is meant for Copilot"
            );
            panic = Some(issue.number);
        } else if recognised.is_none() && diagnose(&parsed.report).is_recognised() {
            recognised = Some(issue.number);
        }
    }
    (
        recognised.expect("a recognised failure was filed"),
        panic.expect("the panic was filed"),
    )
}

/// `mcp start` until it has started, then interrupted as a user would.
fn mcp_start_briefly(sandbox: &Sandbox, scan: &mut Scan) {
    let mut child = sandbox
        .command(&["mcp", "start", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert!(first.contains("listening"), "{first}");
    // SIGINT needs a `kill` program (the standard library sends only SIGKILL). A test run whose
    // shell ignores SIGINT (a background job) hands that on to the server; then, as without
    // `kill`, it is killed, and its output scanned all the same.
    if let Some(kill) = require_tool("kill", "apt-get install procps") {
        Command::new(kill)
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    if child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let mut run = Run::from(output);
    run.stdout.insert_str(0, &first);
    scan.run("mcp start --port 0", &run);
}

/// `autoheal report-log` with a job log full of secrets on its standard input.
fn report_log(sandbox: &Sandbox, scan: &mut Scan) {
    let log = format!(
        "##[group]Run deploy\nexport GITHUB_TOKEN={TOKEN}\ncurl -H 'Authorization: Bearer {JWT}' \
         https://x:{URL_PASSWORD}@example.com\nDB_PASSWORD={DB_PASSWORD}\n{}\nerror: deploy \
         failed with {SLACK}\n##[error]Process completed with exit code 1.\n",
        pem()
    );
    // The command may stop reading early; a closed pipe is not a failure of the scan.
    let run = sandbox.run_with_stdin(&["autoheal", "report-log"], log.as_bytes());
    scan.run("autoheal report-log", &run);
}

fn assert_no_leak(label: &str, scan: &Scan) {
    println!(
        "secret scan ({label}): {} commands run, {} bytes scanned, {} queued reports read while queued, {} secrets in up to 6 encodings, leaks: {}",
        scan.commands,
        scan.bytes,
        scan.queued_reports,
        SECRETS.len(),
        scan.leaks.len(),
    );
    assert!(
        scan.leaks.is_empty(),
        "{} leak(s):\n{}",
        scan.leaks.len(),
        scan.leaks.join("\n")
    );
    assert!(
        scan.commands > 40 && scan.bytes > 20_000,
        "the scan saw too little"
    );
}

#[test]
fn no_secret_leaves_the_process() {
    assert_no_leak("plain", &scan(&[]));
}

#[test]
fn no_secret_leaves_the_process_with_backtraces_and_debug_output() {
    let debug = [
        ("AUTOHEAL_DEBUG", "1"),
        ("IPFS_KIT_AUTO_HEAL_DEBUG", "true"),
    ];
    let mut env = vec![("RUST_BACKTRACE", "1")];
    env.extend(debug);
    assert_no_leak("RUST_BACKTRACE=1, debug", &scan(&env));
}

#[test]
fn no_secret_leaves_the_process_with_full_backtraces_and_debug_output() {
    let env = [
        ("RUST_BACKTRACE", "full"),
        ("AUTOHEAL_DEBUG", "1"),
        ("IPFS_KIT_AUTO_HEAL_DEBUG", "true"),
    ];
    assert_no_leak("RUST_BACKTRACE=full, debug", &scan(&env));
}

#[test]
fn the_scan_finds_each_secret_in_each_encoding() {
    for (name, secret) in SECRETS {
        for (encoding, form) in encodings(secret) {
            if encoding == "base64" {
                continue;
            }
            let mut scan = Scan::default();
            scan.check("sample", format!("before {form} after").as_bytes());
            assert_eq!(scan.leaks.len(), 1, "{name} {encoding} not found once");
        }
        // Base64 inside a longer text, at each alignment.
        for prefix in ["", "a", "ab"] {
            let mut scan = Scan::default();
            let encoded = base64(format!("{prefix}{secret}!").as_bytes());
            scan.check("sample", encoded.as_bytes());
            assert!(
                !scan.leaks.is_empty(),
                "{name} in base64 after {prefix:?} not found"
            );
        }
    }
    let mut scan = Scan::default();
    scan.check("sample", b"ghp_ and AKIA and xoxb- alone are no secret");
    assert!(scan.leaks.is_empty());
}
