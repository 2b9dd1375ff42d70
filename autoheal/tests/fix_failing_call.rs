//! The values of a diagnosis come from the failing call: real failures captured from annotated
//! functions whose errors name no path, port or address (std's bare `io::Error`), diagnosed
//! with the value the function's span recorded — and with none when nothing says which.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::Path;

use autoheal::Report;
use autoheal::fix::{Confidence, diagnose};
use autoheal::test::with_captured_reports;
use tracing_subscriber::prelude::*;

#[tracing::instrument]
#[autoheal::auto_heal]
fn load_settings(path: &Path) -> io::Result<String> {
    std::fs::read_to_string(path)
}

#[autoheal::auto_heal]
fn load_untraced(path: &Path) -> io::Result<String> {
    std::fs::read_to_string(path)
}

#[tracing::instrument]
#[autoheal::auto_heal]
fn serve(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port))
}

#[tracing::instrument]
#[autoheal::auto_heal]
fn call_daemon(addr: &str) -> io::Result<TcpStream> {
    TcpStream::connect(addr)
}

/// The one report `f` makes, under a registry with autoheal's layer (which records spans).
fn report_of<T>(f: impl FnOnce() -> T) -> Report {
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    let (_, mut reports) =
        tracing::subscriber::with_default(subscriber, || with_captured_reports(f));
    assert_eq!(reports.len(), 1, "{reports:?}");
    reports.remove(0)
}

#[test]
fn a_bare_io_error_is_diagnosed_with_the_path_its_span_recorded() {
    let report = report_of(|| load_settings(Path::new("/nonexistent/autoheal/settings.toml")));
    assert!(!report.error.message.contains("/nonexistent"), "{report:?}");
    let diagnosis = diagnose(&report);
    assert_eq!(diagnosis.rule_id, "file-not-found");
    assert_eq!(
        diagnosis.title,
        "File not found: `/nonexistent/autoheal/settings.toml`"
    );
    assert_eq!(diagnosis.confidence, Confidence::High);
}

#[test]
fn an_argument_the_failing_call_did_not_name_is_not_taken_for_its_path() {
    let mut report = report_of(|| load_untraced(Path::new("/nonexistent/autoheal/other.toml")));
    // The command line of a program that writes into `./dist`: the test binary's own command
    // line cannot be chosen, so the captured report is given one.
    report.command.program = "site-builder".into();
    report.command.args = vec!["build".into(), "--out".into(), "./dist/index.html".into()];
    let diagnosis = diagnose(&report);
    assert_eq!(diagnosis.rule_id, "file-not-found");
    assert_eq!(diagnosis.title, "File not found");
    assert!(
        diagnosis.cause.contains("does not say which"),
        "{diagnosis:?}"
    );
    assert!(
        !diagnosis.steps.iter().any(|s| s.contains("dist")),
        "{:?}",
        diagnosis.steps
    );
}

#[test]
fn a_port_in_use_and_a_refused_address_come_from_the_span() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let report = report_of(|| serve(port));
    assert!(!report.error.message.contains(&port.to_string()));
    let diagnosis = diagnose(&report);
    assert_eq!(diagnosis.rule_id, "address-in-use");
    assert_eq!(
        diagnosis.title,
        format!("Address already in use: port `{port}`")
    );
    assert_eq!(diagnosis.confidence, Confidence::High);
    drop(holder);

    let address = format!("127.0.0.1:{port}");
    let report = report_of(|| call_daemon(&address));
    let diagnosis = diagnose(&report);
    assert_eq!(diagnosis.rule_id, "connection-refused");
    assert_eq!(
        diagnosis.title,
        format!("Connection refused by `127.0.0.1:{port}`")
    );
}
