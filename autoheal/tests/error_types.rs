//! The error types people return, and what the report says about each: its type, its message
//! and its chain of causes. The error itself always comes back untouched.

mod common;

use std::error::Error as _;
use std::io;

use anyhow::Context as _;
use autoheal::test::with_captured_reports;
use autoheal::{ReportKind, auto_heal};
use common::{line_of, single};

const SOURCE: &str = include_str!("error_types.rs");

#[auto_heal]
fn read_repo_config(dir: &std::path::Path) -> io::Result<String> {
    std::fs::read_to_string(dir.join("config.json"))
}

#[test]
fn io_errors_from_the_os() {
    let dir = tempfile::tempdir().unwrap();
    let (result, reports) = with_captured_reports(|| read_repo_config(dir.path()));
    let error = result.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotFound);
    assert_eq!(error.raw_os_error(), Some(2));
    let report = single(reports);
    assert_eq!(report.kind, ReportKind::Error);
    assert_eq!(report.error.type_name, "io::Error");
    assert_eq!(
        report.error.message,
        "No such file or directory (os error 2)"
    );
    assert!(report.error.chain.is_empty());
    assert_eq!(report.site.function, "error_types::read_repo_config");
    assert_eq!(report.site.line, line_of(SOURCE, "fn read_repo_config("));
}

#[derive(Debug, thiserror::Error)]
#[error("the API address {address} is invalid")]
struct AddressError {
    address: String,
    #[source]
    port: std::num::ParseIntError,
}

#[auto_heal]
fn api_port(address: &str) -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
    let Some((_, port)) = address.rsplit_once(':') else {
        return Err(format!("{address} has no port").into());
    };
    if port.starts_with('+') {
        let port = "x".parse::<u16>().unwrap_err();
        let address = address.to_string();
        return Err(Box::new(AddressError { address, port }));
    }
    Ok(port.parse::<u16>()?)
}

#[test]
fn boxed_errors_are_recognised_by_what_the_box_holds() {
    let (results, reports) = with_captured_reports(|| {
        (
            api_port("127.0.0.1:5001"),
            api_port("127.0.0.1:http"),
            api_port("127.0.0.1:+1"),
            api_port("localhost"),
        )
    });
    assert_eq!(results.0.unwrap(), 5001);
    assert_eq!(reports.len(), 3, "one per failure: {reports:#?}");

    let parse = results.1.unwrap_err();
    assert!(
        parse.is::<std::num::ParseIntError>(),
        "the box is untouched"
    );
    assert_eq!(reports[0].error.type_name, "ParseIntError");
    assert_eq!(reports[0].error.message, "invalid digit found in string");
    assert!(reports[0].error.chain.is_empty());

    let address = results.2.unwrap_err();
    let address = address.downcast_ref::<AddressError>().unwrap();
    assert_eq!(address.address, "127.0.0.1:+1");
    assert_eq!(reports[1].error.type_name, "AddressError");
    assert_eq!(
        reports[1].error.message,
        "the API address 127.0.0.1:+1 is invalid"
    );
    assert_eq!(reports[1].error.chain, ["invalid digit found in string"]);

    assert_eq!(results.3.unwrap_err().to_string(), "localhost has no port");
    assert_eq!(
        reports[2].error.type_name, "Box<dyn Error + Send + Sync>",
        "a boxed string has no type of its own to show"
    );
    assert_eq!(reports[2].error.message, "localhost has no port");
    assert!(
        reports
            .iter()
            .all(|r| r.frames == ["error_types::api_port"])
    );
}

#[auto_heal]
fn open_repository(dir: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path)
        .context("reading the repository config")
        .context("opening the repository")?;
    serde_json::from_str(&text).context("parsing the repository config")
}

#[test]
fn anyhow_errors_report_the_outermost_context_and_the_causes_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (result, reports) = with_captured_reports(|| open_repository(dir.path()));
    let error = result.unwrap_err();
    let returned_chain: Vec<String> = error.chain().map(ToString::to_string).collect();
    assert_eq!(
        returned_chain,
        [
            "opening the repository",
            "reading the repository config",
            "No such file or directory (os error 2)"
        ]
    );
    assert_eq!(
        error
            .root_cause()
            .downcast_ref::<io::Error>()
            .map(io::Error::kind),
        Some(io::ErrorKind::NotFound)
    );
    let report = single(reports);
    assert_eq!(report.error.message, "opening the repository");
    assert_eq!(report.error.chain, returned_chain[1..]);
    assert_eq!(
        report.error.type_name, "io::Error",
        "the type of what the context wraps"
    );

    std::fs::write(dir.path().join("config.json"), r#"{"Addresses": {}}"#).unwrap();
    let (ok, reports) = with_captured_reports(|| open_repository(dir.path()));
    assert_eq!(ok.unwrap()["Addresses"], serde_json::json!({}));
    assert!(reports.is_empty());
}

#[auto_heal]
fn ad_hoc() -> anyhow::Result<()> {
    anyhow::bail!("the daemon is not running")
}

#[test]
fn anyhow_messages_without_a_source_type() {
    let (result, reports) = with_captured_reports(ad_hoc);
    assert_eq!(result.unwrap_err().to_string(), "the daemon is not running");
    let report = single(reports);
    assert_eq!(report.error.type_name, "anyhow::Error");
    assert_eq!(report.error.message, "the daemon is not running");
    assert!(report.error.chain.is_empty());
}

#[derive(Debug, thiserror::Error)]
#[error("the config has no {key}")]
struct ConfigError {
    key: &'static str,
    #[source]
    cause: serde_json::Error,
}

#[derive(Debug, thiserror::Error)]
enum RepoError {
    #[error("the repository at {0} is locked")]
    Locked(String),
    #[error("could not read the datastore")]
    Datastore(#[from] io::Error),
    #[error("the config is invalid")]
    Config(#[from] ConfigError),
}

#[auto_heal]
fn open_repo(case: u8) -> Result<(), RepoError> {
    match case {
        0 => Err(RepoError::Locked("/var/lib/ipfs".into())),
        1 => Err(io::Error::other("disk quota exceeded"))?,
        _ => {
            let cause = serde_json::from_str::<u8>("x").unwrap_err();
            Err(ConfigError {
                key: "Datastore",
                cause,
            })?
        }
    }
}

#[test]
fn thiserror_enums_report_their_own_name_and_the_source_chain() {
    let (results, reports) = with_captured_reports(|| (open_repo(0), open_repo(1), open_repo(2)));
    assert!(matches!(results.0, Err(RepoError::Locked(ref path)) if path == "/var/lib/ipfs"));
    assert!(
        matches!(results.1, Err(RepoError::Datastore(ref e)) if e.kind() == io::ErrorKind::Other)
    );
    let Err(RepoError::Config(config)) = results.2 else {
        panic!("expected the config error, got {:?}", results.2)
    };
    assert_eq!(config.key, "Datastore");
    assert_eq!(reports.len(), 3);
    assert!(reports.iter().all(|r| r.error.type_name == "RepoError"));
    assert_eq!(
        reports[0].error.message,
        "the repository at /var/lib/ipfs is locked"
    );
    assert!(reports[0].error.chain.is_empty());
    assert_eq!(reports[1].error.message, "could not read the datastore");
    assert_eq!(reports[1].error.chain, ["disk quota exceeded"]);
    assert_eq!(reports[2].error.message, "the config is invalid");
    assert_eq!(
        reports[2].error.chain,
        [
            "the config has no Datastore".to_string(),
            config.source().unwrap().to_string()
        ]
    );
    assert_eq!(
        reports[2].error.chain[1],
        "expected value at line 1 column 1"
    );
}

#[auto_heal]
fn string_error(peer: &str) -> Result<(), String> {
    Err(format!("peer \"{peer}\" refused the connection"))
}

#[auto_heal]
fn str_error() -> Result<(), &'static str> {
    Err("no peers")
}

#[test]
fn string_errors_are_reported_by_their_display_text() {
    let ((string, str_), reports) = with_captured_reports(|| (string_error("12D3"), str_error()));
    assert_eq!(string.unwrap_err(), "peer \"12D3\" refused the connection");
    assert_eq!(str_.unwrap_err(), "no peers");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].error.type_name, "String");
    assert_eq!(
        reports[0].error.message, "peer \"12D3\" refused the connection",
        "Display, not Debug: no outer quotes, no escapes"
    );
    assert_eq!(reports[1].error.type_name, "&str");
    assert_eq!(reports[1].error.message, "no peers");
}

/// An error with `Debug` only: neither `Display`, `Error`, `Clone` nor `PartialEq`.
#[derive(Debug)]
struct Refused {
    port: u16,
    reason: Vec<&'static str>,
}

#[auto_heal]
fn bind(port: u16) -> Result<u16, Refused> {
    if port < 1024 {
        return Err(Refused {
            port,
            reason: vec!["privileged", "in use"],
        });
    }
    Ok(port)
}

#[test]
fn debug_only_errors_are_reported_by_their_debug_text() {
    let ((ok, err), reports) = with_captured_reports(|| (bind(8004), bind(80)));
    assert_eq!(ok.unwrap(), 8004);
    let refused = err.unwrap_err();
    assert_eq!(
        (refused.port, refused.reason.as_slice()),
        (80, &["privileged", "in use"][..])
    );
    let report = single(reports);
    assert_eq!(report.error.type_name, "Refused");
    assert_eq!(
        report.error.message,
        r#"Refused { port: 80, reason: ["privileged", "in use"] }"#
    );
    assert_eq!(report.error.message, format!("{refused:?}"));
    assert!(report.error.chain.is_empty());
}

#[derive(Debug, thiserror::Error)]
#[error("could not sync the pin set")]
struct SyncError(#[source] io::Error);

/// A real failure of the OS: a file that is not there.
fn missing_file() -> io::Error {
    std::fs::read("/nonexistent/autoheal-sync/pins.json").unwrap_err()
}

#[auto_heal]
fn sync_returning_its_own_type() -> Result<(), SyncError> {
    Err(SyncError(missing_file()))
}

#[auto_heal]
fn sync_returning_anyhow() -> anyhow::Result<()> {
    Err(SyncError(missing_file()).into())
}

#[auto_heal]
fn sync_returning_a_box() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err(Box::new(SyncError(missing_file())))
}

/// However the program's error travels — as itself, in an `anyhow::Error` or in a box — the
/// title names it with its root cause's type beside it, the same each time.
#[test]
fn the_title_names_the_program_s_type_and_the_root_cause_s_however_wrapped() {
    let ((), reports) = with_captured_reports(|| {
        let _ = sync_returning_its_own_type();
        let _ = sync_returning_anyhow();
        let _ = sync_returning_a_box();
    });
    assert_eq!(reports.len(), 3, "{reports:#?}");
    for report in &reports {
        assert_eq!(report.error.type_name, "SyncError", "{report:#?}");
        assert_eq!(report.error.root_type.as_deref(), Some("io::Error"));
        let title = autoheal::issue::render_issue(report).title;
        assert!(
            title.starts_with("[auto-heal] SyncError ← io::Error: could not sync the pin set in "),
            "{title}"
        );
    }
}

/// An error with no cause, or whose cause is its own type, names one type only.
#[test]
fn an_error_without_another_root_names_one_type() {
    let dir = tempfile::tempdir().unwrap();
    let (_, reports) = with_captured_reports(|| read_repo_config(dir.path()));
    let report = single(reports);
    assert_eq!(report.error.root_type, None);
    let title = autoheal::issue::render_issue(&report).title;
    assert!(title.starts_with("[auto-heal] io::Error: "), "{title}");
}
