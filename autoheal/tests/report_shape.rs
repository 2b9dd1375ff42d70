//! The report's JSON shape: the fields DESIGN.md documents, in their formats, and a lossless
//! round trip.

use autoheal::test::with_captured_reports;
use autoheal::{Report, ReportKind};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
#[error("the repository at {path} is locked")]
struct RepoLocked {
    path: String,
    #[source]
    source: std::io::Error,
}

#[autoheal::auto_heal(name = "repo gc", labels("repo"))]
fn collect_garbage() -> Result<(), RepoLocked> {
    tracing::info!(blocks = 12, "collecting garbage");
    Err(RepoLocked {
        path: "/var/lib/ipfs".into(),
        source: std::io::Error::new(std::io::ErrorKind::WouldBlock, "lock held by pid 4242"),
    })
}

fn captured_report() -> Report {
    let subscriber = tracing_subscriber::registry();
    use tracing_subscriber::prelude::*;
    let subscriber = subscriber.with(autoheal::layer());
    let (result, mut reports) =
        tracing::subscriber::with_default(subscriber, || with_captured_reports(collect_garbage));
    assert!(result.is_err());
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

fn is_lower_hex(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[test]
fn the_json_has_exactly_the_documented_fields() {
    let json: Value = serde_json::to_value(captured_report()).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "backtrace",
            "command",
            "env",
            "error",
            "fingerprint",
            "frames",
            "kind",
            "labels",
            "logs",
            "schema",
            "site",
            "spans",
            "system",
            "timestamp",
            "trace_id"
        ]
    );
    let object_keys = |name: &str| -> Vec<String> {
        let mut keys: Vec<String> = json[name].as_object().unwrap().keys().cloned().collect();
        keys.sort_unstable();
        keys
    };
    assert_eq!(
        object_keys("error"),
        ["chain", "message", "root_type", "type"]
    );
    assert_eq!(
        object_keys("site"),
        ["file", "function", "line", "module", "name"]
    );
    assert_eq!(json["site"]["function"], "report_shape::collect_garbage");
    assert_eq!(json["site"]["name"], "repo gc");
    assert_eq!(object_keys("command"), ["args", "program"]);
    assert_eq!(
        object_keys("system"),
        [
            "app",
            "app_version",
            "arch",
            "cwd",
            "os",
            "pid",
            "rust_version"
        ]
    );
    assert_eq!(json["schema"], 1);
    assert_eq!(json["kind"], "error");
    let frame = &json["backtrace"][0];
    assert!(
        frame["function"].is_string() && frame["in_app"].is_boolean(),
        "{frame}"
    );
}

#[test]
fn identifiers_and_times_have_their_formats() {
    let report = captured_report();
    assert_eq!(report.trace_id.len(), 32);
    assert!(is_lower_hex(&report.trace_id) && report.trace_id != "0".repeat(32));
    assert!(report.fingerprint.len() >= 16 && is_lower_hex(&report.fingerprint));
    let parsed = humantime_like_rfc3339(&report.timestamp);
    assert!(parsed, "timestamp {} is not RFC 3339 UTC", report.timestamp);
    assert_eq!(report.kind, ReportKind::Error);
    assert_eq!(report.system.os, std::env::consts::OS);
    assert_eq!(report.system.pid, std::process::id());
    assert_eq!(report.error.chain, ["lock held by pid 4242"]);
    assert_eq!(report.labels.last().map(String::as_str), Some("repo"));
    assert!(
        report
            .logs
            .iter()
            .any(|line| line.contains("collecting garbage")),
        "{:?}",
        report.logs
    );
}

/// `YYYY-MM-DDTHH:MM:SS(.fff)Z`
fn humantime_like_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.ends_with('Z')
        && bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && text[..4].parse::<u32>().is_ok_and(|year| year >= 2024)
}

#[test]
fn a_report_round_trips_through_json() {
    let report = captured_report();
    let json = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    let pretty: Report = serde_json::from_str(&report.to_json_pretty()).unwrap();
    assert_eq!(pretty, report);
}
