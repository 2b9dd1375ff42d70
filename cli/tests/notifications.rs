//! Notifications through the binary, against the fake GitHub and real servers on loopback: a
//! Slack-compatible webhook and a signed JSON webhook hear of a new issue and of a regression
//! (not of a recurrence), mail reaches a real SMTP server (aiosmtpd), and an endpoint that
//! hangs or refuses delays nothing beyond its bound and loses nothing.

mod common;

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{Run, Sandbox};
use fake_github::FakeGitHub;
use fake_github::webhook::{Hanging, Receiver, refusing_port};

const TOKEN: &str = "ghp_NotifyTestTokenValue0123456789abcdefgh";
const SIGNING_SECRET: &str = "whsec_NotifyTestSigningSecret0123456789";
const SLACK_PATH: &str = "/services/T0001/B0001/SlackPathSecret0123456789";
const HOOK_PATH: &str = "/hooks/generic/HookPathSecret0123456789";

const SLACK_ENV: &str = "IPFS_KIT_AUTO_HEAL_NOTIFY_SLACK_WEBHOOK";
const HOOK_ENV: &str = "IPFS_KIT_AUTO_HEAL_NOTIFY_WEBHOOK_URL";

fn sandbox(github: &FakeGitHub) -> Sandbox {
    Sandbox::reporting_to(github.url(), TOKEN, "acme/tools")
        .env("IPFS_KIT_AUTO_HEAL_THROTTLE_SECS", "0")
}

/// Run a command that fails and is reported; its trace ID.
fn fail(sandbox: &Sandbox) -> (Run, String) {
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    let trace_id = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID: "))
        .unwrap_or_else(|| panic!("no trace ID in:\n{}", run.stderr))
        .to_string();
    (run, trace_id)
}

fn notifications(sandbox: &Sandbox) -> serde_json::Value {
    sandbox
        .run(&["autoheal", "status", "--json"])
        .success()
        .json()["notifications"]
        .clone()
}

#[test]
fn webhooks_hear_of_a_new_issue_and_a_regression_but_not_a_recurrence() {
    let github = FakeGitHub::start();
    let receiver = Receiver::start();
    let sandbox = sandbox(&github)
        .env(SLACK_ENV, &receiver.url(SLACK_PATH))
        .env("IPFS_KIT_AUTO_HEAL_NOTIFY_WEBHOOK_SECRET", SIGNING_SECRET);
    let set = sandbox.run(&[
        "autoheal",
        "config",
        "--set",
        "notify_webhook_url",
        &receiver.url(HOOK_PATH),
    ]);
    set.success();
    assert!(
        set.stdout.contains(&format!(
            "notify_webhook_url = http://127.0.0.1:{}/…",
            receiver.port
        )) && !set.stdout.contains("HookPathSecret"),
        "{}",
        set.stdout
    );

    let (_, trace_id) = fail(&sandbox);
    let slack = receiver.at("/services/");
    assert_eq!(slack.len(), 1, "{slack:?}");
    let message = slack[0].json();
    let text = message["text"].as_str().unwrap();
    assert!(
        text.starts_with("New issue #1: <https://github.com/acme/tools/issues/1|"),
        "{text}"
    );
    let fields = message["attachments"][0]["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f["title"] == "Trace ID" && f["value"] == trace_id.as_str()),
        "{fields:?}"
    );
    assert_eq!(
        message["attachments"][0]["title_link"],
        "https://github.com/acme/tools/issues/1"
    );

    let hooks = receiver.at("/hooks/");
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    let hook = &hooks[0];
    let signature = hook.header("X-Autoheal-Signature-256").unwrap();
    assert!(autoheal::notify::verify_signature(
        SIGNING_SECRET,
        &hook.body,
        signature
    ));
    let mut tampered = hook.body.clone();
    tampered[0] = b' ';
    assert!(!autoheal::notify::verify_signature(
        SIGNING_SECRET,
        &tampered,
        signature
    ));
    assert_eq!(hook.header("X-Autoheal-Event"), Some("new"));
    assert_eq!(hook.header("Content-Type"), Some("application/json"));
    let body = hook.json();
    assert_eq!(body["event"], "new");
    assert_eq!(body["url"], "https://github.com/acme/tools/issues/1");
    assert_eq!(body["number"], 1);
    assert_eq!(body["trace_id"], trace_id.as_str());
    assert_eq!(body["repository"], "acme/tools");
    assert_eq!(body["title"], github.issues("acme/tools")[0].title.as_str());
    // ipfs-kit has the healing engine: the offline diagnosis's rule comes along.
    assert_eq!(body["diagnosis"]["rule"], "file-not-found", "{body}");

    // A recurrence is a comment on the open issue: no notification.
    fail(&sandbox);
    assert_eq!(github.issues("acme/tools").len(), 1);
    assert_eq!(receiver.received().len(), 2);

    // The issue closed, the failure back: a regression.
    github.close_issue("acme/tools", 1);
    let (_, regression_trace) = fail(&sandbox);
    assert_eq!(github.issues("acme/tools").len(), 2);
    let hooks = receiver.at("/hooks/");
    assert_eq!(hooks.len(), 2);
    let body = hooks[1].json();
    assert_eq!(body["event"], "regression");
    assert_eq!(body["regression_of"], 1);
    assert_eq!(body["number"], 2);
    assert_eq!(body["trace_id"], regression_trace.as_str());
    let slack = receiver.at("/services/");
    assert!(
        slack[1].json()["text"]
            .as_str()
            .unwrap()
            .starts_with("Regression #2 (of #1): "),
        "{:?}",
        slack[1].json()
    );

    // The secrets: nowhere on GitHub, shown masked, the env-only ones in no file.
    for request in github.requests() {
        for secret in ["SlackPathSecret", "HookPathSecret", SIGNING_SECRET] {
            assert!(!request.body.contains(secret), "{secret} sent to GitHub");
        }
    }
    let status = sandbox
        .run(&["autoheal", "status"])
        .success()
        .stdout
        .clone();
    let masked = format!("http://127.0.0.1:{}/…", receiver.port);
    assert!(
        status.contains(&format!("notify_slack_webhook     {masked}"))
            && status.contains(&format!("(env {SLACK_ENV})"))
            && status.contains("Notifications:      slack, webhook")
            && status.contains("(on new,regression)"),
        "{status}"
    );
    let listing = sandbox
        .run(&["autoheal", "config"])
        .success()
        .stdout
        .clone();
    for shown in [&status, &listing] {
        for secret in ["SlackPathSecret", "HookPathSecret", SIGNING_SECRET] {
            assert!(!shown.contains(secret), "{secret} shown:\n{shown}");
        }
    }
    for (path, bytes) in sandbox.all_files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SIGNING_SECRET), "{}", path.display());
        assert!(!text.contains("SlackPathSecret"), "{}", path.display());
        if text.contains("HookPathSecret") {
            assert!(
                path.ends_with("auto_heal_config.json"),
                "{}",
                path.display()
            );
        }
    }
    assert_eq!(notifications(&sandbox)["waiting"], 0);
}

#[test]
fn notify_on_all_adds_recurrences_and_a_bad_value_is_refused_by_name() {
    let github = FakeGitHub::start();
    let receiver = Receiver::start();
    let sandbox = sandbox(&github).env(HOOK_ENV, &receiver.url(HOOK_PATH));
    let bad = sandbox.run(&["autoheal", "config", "--set", "notify_on", "new,sometimes"]);
    bad.failure(2);
    assert!(
        bad.stderr.contains("notify_on") && bad.stderr.contains("`sometimes` is not an event"),
        "{}",
        bad.stderr
    );
    sandbox
        .run(&["autoheal", "config", "--set", "notify_on", "all"])
        .success();
    fail(&sandbox);
    fail(&sandbox);
    let events: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["new", "recurrence"]);
}

#[test]
fn an_endpoint_that_hangs_or_refuses_delays_nothing_beyond_its_bound_and_loses_nothing() {
    let github = FakeGitHub::start();
    let hanging = Hanging::start();
    let refused = refusing_port();
    let sandbox = sandbox(&github)
        .env(
            HOOK_ENV,
            &format!("http://127.0.0.1:{}{HOOK_PATH}", hanging.port),
        )
        .env(
            SLACK_ENV,
            &format!("http://127.0.0.1:{refused}{SLACK_PATH}"),
        )
        .env("IPFS_KIT_AUTO_HEAL_NOTIFY_TIMEOUT_SECS", "2");
    let started = Instant::now();
    let (run, trace_id) = fail(&sandbox);
    let took = started.elapsed();
    eprintln!("the failing command took {took:?} with one endpoint hanging and one refusing");
    // The bound is two seconds per round; the limit here is generous.
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(
        run.stderr
            .contains("Issue:    https://github.com/acme/tools/issues/1"),
        "{}",
        run.stderr
    );
    assert_eq!(github.issues("acme/tools").len(), 1);

    let waiting = notifications(&sandbox);
    assert_eq!(waiting["waiting"], 1, "{waiting}");
    assert_eq!(waiting["failing"], 1, "{waiting}");
    let last_error = waiting["last_error"].as_str().unwrap();
    assert!(
        last_error.contains("(1 attempt)")
            && (last_error.starts_with("slack: connection failed")
                || last_error.starts_with("webhook: no answer")),
        "{last_error}"
    );
    let status = sandbox
        .run(&["autoheal", "status"])
        .success()
        .stdout
        .clone();
    assert!(
        status.contains("1 waiting, 1 failing, 0 given up") && status.contains("last failure: "),
        "{status}"
    );
    let queue = sandbox.run(&["autoheal", "queue"]).success().stdout.clone();
    assert!(
        queue.contains("1 notification(s) waiting, 1 failing")
            && queue.contains("last notification failure: "),
        "{queue}"
    );
    for shown in [&status, &queue, &last_error.to_string()] {
        assert!(!shown.contains("PathSecret"), "{shown}");
    }

    // The endpoints are fixed: `flush` sends what waited, with the report's own trace ID.
    let receiver = Receiver::start();
    let flushed = sandbox.run_with(
        &["autoheal", "flush"],
        &[
            (HOOK_ENV, &receiver.url(HOOK_PATH)),
            (SLACK_ENV, &receiver.url(SLACK_PATH)),
        ],
    );
    flushed.success();
    assert!(
        flushed.stdout.contains("Notified: 1 sent; 0 waiting."),
        "{}",
        flushed.stdout
    );
    let hooks = receiver.at("/hooks/");
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].json()["trace_id"], trace_id.as_str());
    assert_eq!(receiver.at("/services/").len(), 1);
    assert_eq!(notifications(&sandbox)["waiting"], 0);
}

#[test]
fn queue_clear_forgets_what_every_channel_gave_up_on() {
    let github = FakeGitHub::start();
    let refused = refusing_port();
    let sandbox = sandbox(&github)
        .env(
            SLACK_ENV,
            &format!("http://127.0.0.1:{refused}{SLACK_PATH}"),
        )
        .env("IPFS_KIT_AUTO_HEAL_NOTIFY_MAX_ATTEMPTS", "1");
    fail(&sandbox);
    let given_up = notifications(&sandbox);
    assert_eq!(
        (&given_up["waiting"], &given_up["given_up"]),
        (&serde_json::json!(0), &serde_json::json!(1)),
        "{given_up}"
    );

    let refused_clear = sandbox.run(&["autoheal", "queue", "clear"]);
    refused_clear.failure(1);
    assert!(
        refused_clear
            .stderr
            .contains("refusing to delete 1 given-up notification(s) without confirmation"),
        "{}",
        refused_clear.stderr
    );
    assert_eq!(notifications(&sandbox)["given_up"], 1);

    let cleared = sandbox.run(&["autoheal", "queue", "clear", "--yes"]);
    cleared.success();
    assert!(
        cleared
            .stdout
            .contains("Forgot 1 notification(s) given up after notify_max_attempts."),
        "{}",
        cleared.stdout
    );
    let after = notifications(&sandbox);
    assert_eq!(after["given_up"], 0, "{after}");
    assert!(after["last_error"].is_null(), "{after}");
    let queue = sandbox.run(&["autoheal", "queue"]).success().stdout.clone();
    assert!(!queue.contains("given up"), "{queue}");
}

/// aiosmtpd, from the virtual environment `.ci/run` makes, storing mail in `maildir`.
struct SmtpServer {
    child: Child,
    port: u16,
}

impl SmtpServer {
    fn start(python: &Path, maildir: &Path) -> SmtpServer {
        let port = refusing_port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpServer { child, port }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mails(maildir: &Path) -> Vec<String> {
    let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(maildir.join("new"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let modified = e.metadata().unwrap().modified().unwrap();
                    (modified, std::fs::read_to_string(e.path()).unwrap())
                })
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails.into_iter().map(|(_, mail)| mail).collect()
}

#[test]
fn mail_reaches_a_real_smtp_server_and_starttls_is_never_skipped() {
    let Some(python) = fake_github::tools::require_file_from(
        "AUTOHEAL_AIOSMTPD_PYTHON",
        ".ci/run installs aiosmtpd into a virtual environment and exports it; by hand: python3 -m venv V && V/bin/pip install -r .ci/smtp/requirements.txt && export AUTOHEAL_AIOSMTPD_PYTHON=V/bin/python",
    ) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    // aiosmtpd's Mailbox makes the maildir (new/, cur/, tmp/) when the directory is not there.
    let maildir = scratch.path().join("mail");
    let smtp = SmtpServer::start(&python, &maildir);
    let github = FakeGitHub::start();
    let plain = format!("smtp+plain://127.0.0.1:{}", smtp.port);
    let sandbox = sandbox(&github)
        .env(
            "IPFS_KIT_AUTO_HEAL_NOTIFY_EMAIL_TO",
            "oncall@example.com,dev@example.com",
        )
        .env("IPFS_KIT_AUTO_HEAL_NOTIFY_EMAIL_FROM", "alerts@example.com")
        .env("IPFS_KIT_AUTO_HEAL_NOTIFY_SMTP_URL", &plain);
    let (_, trace_id) = fail(&sandbox);
    let received = mails(&maildir);
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert!(mail.contains("From: alerts@example.com"), "{mail}");
    assert!(
        mail.contains("oncall@example.com") && mail.contains("dev@example.com"),
        "{mail}"
    );
    assert!(mail.contains("Subject: [ipfs_kit] New issue #1:"), "{mail}");
    assert!(
        mail.contains("Issue: https://github.com/acme/tools/issues/1")
            && mail.contains(&format!("Trace ID: {trace_id}"))
            && mail.contains("Diagnosis: file-not-found"),
        "{mail}"
    );

    // smtp:// requires STARTTLS, which this server does not offer: nothing goes in plain
    // text, and the notification waits.
    github.close_issue("acme/tools", 1);
    let starttls = format!("smtp://127.0.0.1:{}", smtp.port);
    let run = sandbox.run_with(
        &["add", "/nonexistent/pins.txt"],
        &[("IPFS_KIT_AUTO_HEAL_NOTIFY_SMTP_URL", &starttls)],
    );
    run.failure(1);
    assert_eq!(github.issues("acme/tools").len(), 2);
    assert_eq!(mails(&maildir).len(), 1);
    let waiting = notifications(&sandbox);
    assert_eq!(waiting["waiting"], 1, "{waiting}");
    assert!(
        waiting["last_error"]
            .as_str()
            .unwrap()
            .starts_with("email: SMTP"),
        "{waiting}"
    );

    let flushed = sandbox.run(&["autoheal", "flush"]);
    flushed.success();
    let received = mails(&maildir);
    assert_eq!(received.len(), 2, "{}", flushed.stdout);
    assert!(
        received[1].contains("Regression #2 (of #1)"),
        "{}",
        received[1]
    );
}
