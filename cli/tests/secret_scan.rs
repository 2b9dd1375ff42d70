//! No secret leaves the process. With a GitHub token and a set of fake secrets of every common
//! shape placed in the environment, in command-line arguments, in error messages (a file path,
//! an API URL with a password) and in log lines, every ipfs-kit command runs, and reports go
//! through every fault of the fake GitHub. Then every byte that left the process is scanned:
//! stdout, stderr, every file under the private home (configuration, backups, the queue), and
//! every request the fake GitHub received (path, query, body and every header but
//! `Authorization`). No secret may appear, plain or base64-, JSON- or URL-encoded.
//!
//! The scan runs three times: plain, under `RUST_BACKTRACE=1` with autoheal's debug output on,
//! and under `RUST_BACKTRACE=full` with debug output on; `RUST_LOG=trace` throughout.

mod common;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Run, Sandbox};
use support::fake_github::{FakeGitHub, Fault, FaultRule, base64};

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
    leaks: Vec<String>,
}

impl Scan {
    /// Scan one output, named by where it went.
    fn check(&mut self, place: &str, bytes: &[u8]) {
        self.bytes += bytes.len();
        let text = String::from_utf8_lossy(bytes);
        for (name, secret) in SECRETS {
            for (encoding, form) in encodings(secret) {
                if let Some(at) = text.find(&form) {
                    let start = text.floor_char_boundary(at.saturating_sub(80));
                    let end = text.ceil_char_boundary((at + form.len() + 40).min(text.len()));
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
    run(
        &mut scan,
        &["autoheal", "config", "--set", "timeout_secs", "2"],
    );
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

    // Every fault of the fake GitHub, on a new failure each time, then a flush.
    let faults = [
        Fault::Down,
        Fault::Hang,
        Fault::Slow(Duration::from_millis(100)),
        Fault::Status(500),
        Fault::Status(502),
        Fault::Unauthorized,
        Fault::Forbidden,
        Fault::PrimaryRateLimit { reset_in_secs: 1 },
        Fault::SecondaryRateLimit {
            retry_after_secs: 1,
        },
        Fault::SecondaryRateLimit403 {
            retry_after_secs: 1,
        },
        Fault::NotFound,
        Fault::Gone,
        Fault::Unprocessable,
        Fault::NotJson,
        Fault::Truncated,
        Fault::UnexpectedShape,
    ];
    for (i, fault) in faults.into_iter().enumerate() {
        let rule = match fault {
            // Refuse connections only for a while, so the flush below reaches GitHub.
            Fault::Down => FaultRule::new(fault).times(3),
            _ => FaultRule::new(fault),
        };
        github.set_fault(rule);
        let path = secret_dir.join(format!("missing-{i}-{SLACK}"));
        run(&mut scan, &["add", path.to_str().unwrap()]);
        github.clear_faults();
        run(&mut scan, &["autoheal", "flush"]);
    }
    run(&mut scan, &["autoheal", "queue"]);

    // The healing commands: the log given to report-log holds secrets too.
    for args in [
        &["autoheal", "diagnose", "--last"][..],
        &["autoheal", "fix", "--issue", "1", "--dry-run"],
    ] {
        run(&mut scan, args);
    }
    report_log(&sandbox, &mut scan);
    run(&mut scan, &["autoheal", "queue", "clear", "--yes"]);
    run(&mut scan, &["autoheal", "disable"]);

    for (path, bytes) in sandbox.all_files() {
        scan.check(&path.display().to_string(), &bytes);
    }
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
    assert!(
        github.issues("acme/tools").len() >= 2,
        "the failures were filed, so their bodies were scanned"
    );
    scan
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
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
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
        "secret scan ({label}): {} commands run, {} bytes scanned, {} secrets in up to 6 encodings, leaks: {}",
        scan.commands,
        scan.bytes,
        SECRETS.len(),
        scan.leaks.len()
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
