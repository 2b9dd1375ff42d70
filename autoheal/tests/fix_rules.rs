//! Diagnoses of real failures: each report carries the text the failing call actually produced
//! on this machine (a missing file, a port in use, a closed port, bad JSON, ureq's errors, a
//! missing program, a missing variable, real panics), and the diagnosis names the rule, the
//! value from the report and where the failure points.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};

use autoheal::fix::{Confidence, UNRECOGNISED, comment_markdown, diagnose, rules};
use autoheal::{BacktraceFrame, Report, ReportKind};

fn report(message: &str, chain: &[String]) -> Report {
    let json = serde_json::json!({
        "schema": 1, "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "timestamp": "2026-11-25T04:53:09.123Z", "fingerprint": "0123456789abcdef",
        "kind": "error",
        "error": { "type": "anyhow::Error", "message": message, "chain": chain },
        "site": { "function": "add", "module": "ipfs_kit::commands::add",
                  "file": "cli/src/commands/add.rs", "line": 10 },
        "frames": ["add", "ipfs-kit"],
        "command": { "program": "ipfs-kit", "args": ["add", "/missing/file"] },
        "backtrace": [], "logs": [], "spans": [], "env": {},
        "system": { "os": std::env::consts::OS, "arch": "x86_64", "app": "ipfs_kit",
                    "app_version": "0.1.0", "rust_version": "1.95", "pid": 1, "cwd": "~" },
        "labels": ["auto-heal"]
    });
    serde_json::from_value(json).unwrap()
}

fn error_text<T, E: std::fmt::Display>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => panic!("expected a failure"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_missing_file() {
    let cause = error_text(std::fs::read("/missing/file"));
    let diagnosis = diagnose(&report("could not read /missing/file", &[cause]));
    assert_eq!(diagnosis.rule_id, "file-not-found");
    assert_eq!(diagnosis.title, "File not found: `/missing/file`");
    assert_eq!(diagnosis.confidence, Confidence::High);
    assert_eq!(
        diagnosis.location.as_deref(),
        Some("cli/src/commands/add.rs:10 in add")
    );
}

#[test]
fn a_port_in_use_and_a_closed_port() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let in_use = error_text(TcpListener::bind(("127.0.0.1", port)));
    let diagnosis = diagnose(&report(
        &format!("could not listen on 127.0.0.1:{port}"),
        &[in_use],
    ));
    assert_eq!(diagnosis.rule_id, "address-in-use");
    assert!(
        diagnosis.steps[0].contains(&format!("sport = :{port}")),
        "{:?}",
        diagnosis.steps
    );
    drop(holder);

    let refused = error_text(TcpStream::connect(("127.0.0.1", port)));
    let diagnosis = diagnose(&report(
        &format!("could not connect to 127.0.0.1:{port}"),
        &[refused],
    ));
    assert_eq!(diagnosis.rule_id, "connection-refused");
    assert_eq!(
        diagnosis.title,
        format!("Connection refused by `127.0.0.1:{port}`")
    );
}

#[test]
fn ureq_errors_for_a_closed_port_and_a_401() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{closed}/api/v0/id");
    let error = ureq::post(&url).send_empty().unwrap_err();
    let diagnosis = diagnose(&report(
        &format!("could not reach {url}"),
        &[error.to_string()],
    ));
    assert_eq!(diagnosis.rule_id, "connection-refused", "{error}");

    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let answering = std::thread::spawn(move || {
        let (mut stream, _) = server.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let answer = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        stream.write_all(answer.as_bytes()).unwrap();
    });
    let url = format!("http://127.0.0.1:{port}/repos/acme/tools/issues");
    let error = ureq::get(&url).call().unwrap_err();
    answering.join().unwrap();
    assert_eq!(error.to_string(), "http status: 401");
    let message = format!("listing the issues at {url} with GITHUB_TOKEN failed");
    let diagnosis = diagnose(&report(&message, &[error.to_string()]));
    assert_eq!(diagnosis.rule_id, "http-unauthorized");
    assert!(diagnosis.steps.iter().any(|s| s.contains("`GITHUB_TOKEN`")));
}

#[test]
fn bad_json_from_serde_json() {
    let cause = error_text(serde_json::from_str::<serde_json::Value>(
        "{\"port\": 8004 \"host\": 1}",
    ));
    let diagnosis = diagnose(&report(
        "could not load /etc/ipfs_kit/settings.json",
        &[cause],
    ));
    assert_eq!(diagnosis.rule_id, "malformed-json");
    assert_eq!(
        diagnosis.title,
        "Malformed JSON in `/etc/ipfs_kit/settings.json` at line 1, column 15"
    );
}

#[test]
fn a_missing_program_and_a_missing_variable() {
    // Looked up on a PATH of one empty directory: on the caller's PATH, a directory the user
    // may not read (root's, under `su`) turns "not found" into "permission denied".
    let empty = tempfile::tempdir().unwrap();
    let cause = error_text(
        std::process::Command::new("autoheal-missing-tool")
            .env("PATH", empty.path())
            .spawn(),
    );
    let diagnosis = diagnose(&report("failed to spawn `autoheal-missing-tool`", &[cause]));
    assert_eq!(diagnosis.rule_id, "missing-executable", "{diagnosis:?}");

    let cause = error_text(std::env::var("AUTOHEAL_FIX_TEST_UNSET"));
    let diagnosis = diagnose(&report("reading AUTOHEAL_FIX_TEST_UNSET", &[cause]));
    assert_eq!(diagnosis.rule_id, "missing-env-var");
    assert_eq!(
        diagnosis.title,
        "Missing environment variable `AUTOHEAL_FIX_TEST_UNSET`"
    );
    assert!(diagnosis.patch.is_some());
}

/// The message of the panic `f` raises.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).unwrap_err();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

fn panic_report(message: &str) -> Report {
    let mut report = report(message, &[]);
    report.kind = ReportKind::Panic;
    report.error.type_name = "panic".into();
    report.backtrace = vec![
        BacktraceFrame::new("std::panicking::begin_panic")
            .with_file("/rustc/library/std/src/panicking.rs")
            .with_line(700)
            .with_in_app(false),
        BacktraceFrame::new("ipfs_kit::pins::pick")
            .with_file("cli/src/pins.rs")
            .with_line(42)
            .with_in_app(true),
    ];
    report
}

#[test]
fn real_panics_point_at_the_in_app_frame() {
    let values = [1, 2, 3];
    let cases = [
        (
            panic_message(|| {
                std::hint::black_box(None::<u8>).unwrap();
            }),
            "unwrap-on-none",
        ),
        (
            panic_message(|| {
                std::hint::black_box("x".parse::<u8>()).unwrap();
            }),
            "unwrap-on-err",
        ),
        (
            panic_message(move || {
                std::hint::black_box(values[std::hint::black_box(5)]);
            }),
            "index-out-of-bounds",
        ),
        (
            panic_message(|| {
                std::hint::black_box(std::hint::black_box(u8::MAX) + std::hint::black_box(1));
            }),
            "integer-overflow",
        ),
    ];
    for (message, rule) in cases {
        let diagnosis = diagnose(&panic_report(&message));
        assert_eq!(diagnosis.rule_id, rule, "{message}");
        assert_eq!(
            diagnosis.location.as_deref(),
            Some("cli/src/pins.rs:42 in ipfs_kit::pins::pick")
        );
        assert!(
            diagnosis.title.contains("cli/src/pins.rs:42"),
            "{}",
            diagnosis.title
        );
    }
}

#[test]
fn the_most_specific_rule_wins() {
    let library = "ipfs: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory".to_string();
    assert_eq!(
        diagnose(&report("ipfs failed", &[library])).rule_id,
        "missing-shared-library"
    );
    let read_only = "Read-only file system (os error 30)".to_string();
    assert_eq!(
        diagnose(&report("could not write /x", &[read_only])).rule_id,
        "read-only-filesystem"
    );
    let in_err = panic_message(|| drop(std::fs::read("/missing/file").unwrap()));
    let diagnosis = diagnose(&panic_report(&in_err));
    assert_eq!(diagnosis.rule_id, "unwrap-on-err");
    assert!(
        diagnosis
            .steps
            .iter()
            .any(|s| s.contains("`file-not-found`")),
        "{:?}",
        diagnosis.steps
    );
}

#[test]
fn an_unknown_failure_is_unrecognised_with_a_bounded_prompt() {
    let mut report = report("the frobnicator jammed", &["gears: 3 teeth missing".into()]);
    report.logs = vec!["started frobnicating".into(); 50];
    let diagnosis = diagnose(&report);
    assert_eq!(diagnosis.rule_id, UNRECOGNISED);
    let prompt = diagnosis.prompt.as_deref().unwrap();
    assert!(prompt.contains("the frobnicator jammed") && prompt.contains("gears: 3 teeth missing"));
    assert!(prompt.len() <= autoheal::fix::MAX_PROMPT_BYTES);
    assert!(comment_markdown(&diagnosis).contains("Prompt for a coding agent"));
    assert!(rules().all(|rule| rule.id != UNRECOGNISED));
}

#[test]
fn an_issue_body_without_its_json_is_diagnosed_the_same() {
    let cases = [
        (
            "could not read /missing/file",
            "No such file or directory (os error 2)",
        ),
        (
            "could not listen on 127.0.0.1:8004",
            "Address already in use (os error 98)",
        ),
        (
            "reading GITHUB_REPOSITORY",
            "environment variable not found",
        ),
        ("the frobnicator jammed", "3 teeth missing"),
    ];
    for (message, cause) in cases {
        let mut original = report(message, &[cause.to_string()]);
        original.system.os = "linux".into();
        let body = autoheal::issue::render_issue(&original).body;
        let without_json = &body[..body.find(autoheal::issue::REPORT_MARKER).unwrap()];
        let parsed = autoheal::fix::parse_issue_body(without_json).unwrap();
        assert_eq!(parsed.source, autoheal::fix::ParseSource::Markdown);
        assert_eq!(diagnose(&parsed.report), diagnose(&original), "{message}");
    }
}

#[test]
fn a_ureq_timeout_and_a_host_not_found() {
    // A server that accepts and never answers: ureq's own timeout error.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/api/v0/id",
        silent.local_addr().unwrap().port()
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_millis(300)))
        .build()
        .into();
    let error = agent.post(&url).send_empty().unwrap_err();
    drop(silent);
    let diagnosis = diagnose(&report(&format!("POST {url} failed"), &[error.to_string()]));
    assert_eq!(diagnosis.rule_id, "timed-out", "{error}");

    let not_found = ureq::Error::HostNotFound.to_string();
    let diagnosis = diagnose(&report(
        "GET https://api.githb.com/repos/acme/tools failed",
        &[not_found],
    ));
    assert_eq!(diagnosis.rule_id, "dns-resolution");
    assert_eq!(
        diagnosis.title,
        "Host name could not be resolved: `api.githb.com`"
    );
}

#[test]
fn resource_and_file_system_errors_in_std_words() {
    // A real full disk: /dev/full answers every write with ENOSPC.
    let full = error_text(std::fs::write("/dev/full", b"pins"));
    assert_eq!(full, "No space left on device (os error 28)");
    let diagnosis = diagnose(&report("writing /dev/full failed", &[full]));
    assert_eq!(diagnosis.rule_id, "disk-full");

    // The others as std formats the OS's error codes (Linux numbers).
    for (code, rule) in [
        (24, "too-many-open-files"),
        (23, "too-many-open-files"),
        (12, "out-of-memory"),
        (30, "read-only-filesystem"),
        (13, "permission-denied"),
        (2, "file-not-found"),
    ] {
        let text = std::io::Error::from_raw_os_error(code).to_string();
        let diagnosis = diagnose(&report(
            "writing /var/lib/app/pins failed",
            std::slice::from_ref(&text),
        ));
        assert_eq!(diagnosis.rule_id, rule, "{text}");
    }
}
