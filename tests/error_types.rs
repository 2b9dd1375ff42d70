//! The error types people return: `io::Error`, `Box<dyn Error + Send + Sync>`, `anyhow::Error`
//! with context, a `thiserror` enum with sources, and what each report says about them.

use autoheal::test::with_captured_reports;
use autoheal::{Report, auto_heal};

fn single(reports: Vec<Report>) -> Report {
    assert_eq!(reports.len(), 1, "expected one report, got {reports:#?}");
    reports.into_iter().next().unwrap()
}

#[auto_heal]
fn io_error() -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        "cannot open /etc/ipfs/config",
    ))
}

#[test]
fn io_errors() {
    let (result, reports) = with_captured_reports(io_error);
    assert_eq!(
        result.unwrap_err().kind(),
        std::io::ErrorKind::PermissionDenied
    );
    let report = single(reports);
    assert_eq!(report.error.type_name, "io::Error");
    assert_eq!(report.error.message, "cannot open /etc/ipfs/config");
    assert!(report.error.chain.is_empty());
}

#[auto_heal]
fn boxed(text: &str) -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
    let port: u16 = text.parse()?;
    if port < 1024 {
        return Err(format!("port {port} needs privileges").into());
    }
    Ok(port)
}

#[test]
fn boxed_trait_objects_are_recognised_by_their_contents() {
    let (result, reports) = with_captured_reports(|| boxed("http"));
    assert!(
        result.unwrap_err().is::<std::num::ParseIntError>(),
        "the boxed error is untouched"
    );
    let report = single(reports);
    assert_eq!(report.error.type_name, "ParseIntError");
    assert_eq!(report.error.message, "invalid digit found in string");
    let (result, reports) = with_captured_reports(|| boxed("80"));
    assert_eq!(result.unwrap_err().to_string(), "port 80 needs privileges");
    assert_eq!(single(reports).error.message, "port 80 needs privileges");
    assert_eq!(boxed("8004").unwrap(), 8004);
}

#[auto_heal]
fn with_context() -> anyhow::Result<()> {
    use anyhow::Context as _;
    let text =
        std::fs::read_to_string("/nonexistent/ipfs/config").context("reading the repo config")?;
    let _: serde_json::Value = serde_json::from_str(&text).context("parsing the repo config")?;
    Ok(())
}

#[test]
fn anyhow_errors_keep_their_context_chain() {
    let (result, reports) = with_captured_reports(with_context);
    let error = result.unwrap_err();
    assert_eq!(error.to_string(), "reading the repo config");
    let report = single(reports);
    assert_eq!(report.error.message, "reading the repo config");
    assert_eq!(
        report.error.chain,
        ["No such file or directory (os error 2)"]
    );
    assert_eq!(
        report.error.type_name, "io::Error",
        "the type of what the context wraps"
    );
}

#[derive(Debug, thiserror::Error)]
enum RepoError {
    #[error("the repository at {0} is locked")]
    Locked(String),
    #[error("could not read the datastore")]
    Datastore(#[from] std::io::Error),
    #[error("the config is invalid")]
    Config(#[source] serde_json::Error),
}

#[auto_heal]
fn open_repo(case: u8) -> Result<(), RepoError> {
    match case {
        0 => Err(RepoError::Locked("/var/lib/ipfs".into())),
        1 => Err(std::io::Error::other("disk quota exceeded"))?,
        _ => Err(RepoError::Config(
            serde_json::from_str::<u8>("x").unwrap_err(),
        )),
    }
}

#[test]
fn thiserror_enums_report_their_name_message_and_sources() {
    let (results, reports) = with_captured_reports(|| (open_repo(0), open_repo(1), open_repo(2)));
    assert!(matches!(results.0, Err(RepoError::Locked(ref path)) if path == "/var/lib/ipfs"));
    assert!(matches!(results.1, Err(RepoError::Datastore(_))));
    assert!(matches!(results.2, Err(RepoError::Config(_))));
    assert_eq!(reports.len(), 3);
    assert!(reports.iter().all(|r| r.error.type_name == "RepoError"));
    assert_eq!(
        reports[0].error.message,
        "the repository at /var/lib/ipfs is locked"
    );
    assert!(reports[0].error.chain.is_empty());
    assert_eq!(reports[1].error.chain, ["disk quota exceeded"]);
    assert_eq!(reports[2].error.message, "the config is invalid");
    assert_eq!(
        reports[2].error.chain,
        ["expected value at line 1 column 1"]
    );
}
