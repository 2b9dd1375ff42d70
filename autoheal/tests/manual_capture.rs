//! `capture_error` and `capture_message`, for code that handles failures without the attribute.

use autoheal::test::with_captured_reports;
use autoheal::{Level, capture_error, capture_message};

#[test]
fn capture_error_reports_a_handled_error_with_its_chain_and_call_site() {
    let line = line!() + 3;
    let (delivery, reports) = with_captured_reports(|| {
        let error = serde_json::from_str::<serde_json::Value>("{\"port\": }").unwrap_err();
        capture_error(&error)
    });
    let delivery = delivery.expect("autoheal is installed inside with_captured_reports");
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(delivery.trace_id, report.trace_id);
    assert_eq!(report.error.type_name, "serde_json::Error");
    assert!(
        report
            .error
            .message
            .contains("expected value at line 1 column 10"),
        "{}",
        report.error.message
    );
    assert_eq!(report.site.file, "autoheal/tests/manual_capture.rs");
    assert_eq!(report.site.line, line);
    assert!(
        report.frames.is_empty(),
        "no annotated frame was passed through"
    );
    assert!(
        report.site.function.contains("manual_capture"),
        "site {:?}",
        report.site
    );
}

#[test]
fn capture_message_reports_a_plain_message() {
    let (_, reports) =
        with_captured_reports(|| capture_message(Level::Warning, "the pin set is empty"));
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].error.type_name, "Warning");
    assert_eq!(reports[0].error.message, "the pin set is empty");
}

#[autoheal::auto_heal]
fn always_fails() -> Result<(), String> {
    Err("boom".to_string())
}

#[test]
fn a_disabled_configuration_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.path().to_path_buf();
    config.enabled = false;
    let ((result, delivery), reports) = autoheal::test::with_captured_reports_using(config, || {
        (
            always_fails(),
            capture_message(Level::Error, "also not sent"),
        )
    });
    assert_eq!(result, Err("boom".to_string()));
    assert!(reports.is_empty());
    assert_eq!(
        delivery.map(|d| d.outcome),
        Some(autoheal::Outcome::Disabled)
    );
    assert!(!dir.path().join("queue").exists());
}
