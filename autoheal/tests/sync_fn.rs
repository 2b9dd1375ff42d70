//! `#[auto_heal]` on synchronous free functions of every shape: the result passes through
//! untouched, an `Err` is reported once with its site, an `Ok` is not reported, and a panic is
//! reported as a panic only.

mod common;

use std::fmt::Display;
use std::io;

use autoheal::config::DEFAULT_LABELS;
use autoheal::test::with_captured_reports;
use autoheal::{ReportKind, auto_heal};
use common::{in_app_frames, line_of, single};

const SOURCE: &str = include_str!("sync_fn.rs");

#[auto_heal]
fn load_config(path: &str) -> io::Result<String> {
    std::fs::read_to_string(path)
}

#[test]
fn a_free_function_reports_its_error_with_its_site() {
    let (result, reports) = with_captured_reports(|| load_config("/nonexistent/autoheal.toml"));
    let error = result.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotFound);
    assert_eq!(
        error.raw_os_error(),
        Some(2),
        "the OS error itself comes back"
    );
    let report = single(reports);
    assert_eq!(report.kind, ReportKind::Error);
    assert_eq!(report.error.type_name, "io::Error");
    assert_eq!(
        report.error.message,
        "No such file or directory (os error 2)"
    );
    assert!(report.error.chain.is_empty());
    assert_eq!(report.site.function, "sync_fn::load_config");
    assert_eq!(report.site.name, None);
    assert_eq!(report.site.module, "sync_fn");
    assert_eq!(report.site.file, "autoheal/tests/sync_fn.rs");
    assert_eq!(report.site.line, line_of(SOURCE, "fn load_config("));
    assert_eq!(report.frames, ["sync_fn::load_config"]);
    assert_eq!(report.labels, DEFAULT_LABELS);
    assert!(
        report
            .backtrace
            .iter()
            .any(|frame| frame.in_app && frame.function.starts_with("sync_fn::load_config")),
        "the backtrace shows the failing function: {:#?}",
        report.backtrace
    );
}

#[test]
fn ok_passes_through_and_reports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "port = 8004").unwrap();
    let (result, reports) = with_captured_reports(|| load_config(path.to_str().unwrap()));
    assert_eq!(result.unwrap(), "port = 8004");
    assert!(reports.is_empty(), "{reports:#?}");
}

#[auto_heal(name = "mcp start", labels("mcp", "server"))]
fn start_server(port: u16) -> Result<u16, String> {
    if port == 0 {
        return Err("port 0 is not allowed".to_string());
    }
    Ok(port)
}

#[test]
fn the_name_argument_names_the_operation_and_labels_are_added() {
    let (result, reports) = with_captured_reports(|| start_server(0));
    assert_eq!(result, Err("port 0 is not allowed".to_string()));
    let report = single(reports);
    assert_eq!(
        report.site.function, "sync_fn::start_server",
        "the function's path is kept beside the name"
    );
    assert_eq!(report.site.name.as_deref(), Some("mcp start"));
    assert_eq!(report.site.operation(), "mcp start");
    assert_eq!(report.frames, ["mcp start"]);
    assert_eq!(report.operation(), "mcp start");
    assert_eq!(
        report.site.module, "sync_fn",
        "the module is still the real one"
    );
    assert_eq!(report.site.line, line_of(SOURCE, "fn start_server("));
    assert_eq!(
        report.labels,
        ["auto-heal", "cli-error", "automated-issue", "mcp", "server"]
    );
    assert_eq!(
        with_captured_reports(|| start_server(8004)),
        (Ok(8004), vec![])
    );
}

#[auto_heal]
fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return "".parse::<u16>();
    }
    let port: u16 = trimmed.parse()?;
    Ok(port)
}

#[test]
fn question_mark_and_early_return_are_captured() {
    let ((empty, bad, good), reports) =
        with_captured_reports(|| (parse_port("  "), parse_port("80a"), parse_port(" 80 ")));
    assert_eq!(
        empty.unwrap_err().to_string(),
        "cannot parse integer from empty string"
    );
    assert_eq!(
        bad.unwrap_err().to_string(),
        "invalid digit found in string"
    );
    assert_eq!(good, Ok(80));
    assert_eq!(reports.len(), 2, "one per failing call: {reports:#?}");
    assert_eq!(
        reports[0].error.message,
        "cannot parse integer from empty string"
    );
    assert_eq!(reports[1].error.message, "invalid digit found in string");
    for report in &reports {
        assert_eq!(report.error.type_name, "ParseIntError");
        assert_eq!(report.frames, ["sync_fn::parse_port"]);
    }
}

#[auto_heal]
fn describe<T, U>(value: T, extra: impl Iterator<Item = U>) -> Result<String, String>
where
    T: Display + Clone,
    U: Into<u64>,
{
    let total: u64 = extra.map(Into::into).sum();
    if total == 0 {
        return Err(format!("nothing to describe for {}", value.clone()));
    }
    Ok(format!("{value}: {total}"))
}

#[test]
fn generic_functions_with_where_clauses_and_impl_trait_arguments() {
    let (ok, reports) = with_captured_reports(|| describe("pins", [1u8, 2, 3].into_iter()));
    assert_eq!(ok.unwrap(), "pins: 6");
    assert!(reports.is_empty());
    let (err, reports) = with_captured_reports(|| describe(42, std::iter::empty::<u32>()));
    assert_eq!(err.unwrap_err(), "nothing to describe for 42");
    let report = single(reports);
    assert_eq!(
        report.site.function, "sync_fn::describe",
        "no generic arguments in the path"
    );
    assert_eq!(report.site.line, line_of(SOURCE, "fn describe<"));
    assert_eq!(report.error.message, "nothing to describe for 42");
}

#[auto_heal]
fn peer_ids(count: usize) -> Result<impl Iterator<Item = String>, String> {
    if count == 0 {
        // The error type comes from the signature alone, as it would without the attribute.
        return Err("no peers asked for".into());
    }
    Ok((1..=count).map(|n| format!("12D3KooW{n}")))
}

#[test]
fn impl_trait_in_the_return_type() {
    let (ids, reports) = with_captured_reports(|| peer_ids(2).map(Iterator::collect::<Vec<_>>));
    assert_eq!(ids.unwrap(), ["12D3KooW1", "12D3KooW2"]);
    assert!(reports.is_empty());
    let (result, reports) = with_captured_reports(|| peer_ids(0).map(Iterator::count));
    assert_eq!(result, Err("no peers asked for".to_string()));
    let report = single(reports);
    assert_eq!(
        (
            report.error.type_name.as_str(),
            report.error.message.as_str()
        ),
        ("String", "no peers asked for"),
        "the error type is known although the ok type is opaque"
    );
    assert_eq!(report.site.line, line_of(SOURCE, "fn peer_ids("));
}

#[auto_heal]
fn first_word<'a>(text: &'a str) -> Result<&'a str, String> {
    text.split_whitespace()
        .next()
        .ok_or_else(|| format!("no words in {text:?}"))
}

#[test]
fn explicit_lifetimes_return_borrows_of_the_arguments() {
    let text = String::from("hello world");
    let (word, reports) = with_captured_reports(|| first_word(&text));
    let word = word.unwrap();
    assert_eq!(word, "hello");
    assert!(
        std::ptr::eq(word.as_ptr(), text.as_ptr()),
        "the borrow points into the argument"
    );
    assert!(reports.is_empty());
    let (result, reports) = with_captured_reports(|| first_word("   ").map(str::len));
    assert_eq!(result, Err("no words in \"   \"".to_string()));
    assert_eq!(single(reports).error.message, "no words in \"   \"");
}

#[auto_heal]
fn sum_pair(mut total: u32, (a, b): (u32, u32)) -> Result<u32, String> {
    total += a;
    total = total.checked_add(b).ok_or("overflow")?;
    Ok(total)
}

#[test]
fn mut_and_pattern_parameters() {
    assert_eq!(
        with_captured_reports(|| sum_pair(1, (2, 3))),
        (Ok(6), vec![])
    );
    let (result, reports) = with_captured_reports(|| sum_pair(1, (1, u32::MAX)));
    assert_eq!(result, Err("overflow".to_string()));
    let report = single(reports);
    assert_eq!(report.error.message, "overflow");
    assert_eq!(report.site.line, line_of(SOURCE, "fn sum_pair("));
}

mod pins {
    /// A pin that is kept; the handle is neither `Clone` nor `PartialEq`.
    pub(crate) struct Kept {
        pub(crate) cid: String,
        pub(crate) bytes: Vec<u8>,
    }

    /// Documentation and other attributes stay on the function.
    #[must_use = "the result says whether the pin was kept"]
    #[autoheal::auto_heal]
    pub(crate) fn keep_pin(cid: &str) -> Result<Kept, String> {
        if cid.starts_with("baf") {
            Ok(Kept {
                cid: cid.to_string(),
                bytes: cid.bytes().rev().collect(),
            })
        } else {
            Err(format!("{cid} is not a CIDv1"))
        }
    }
}

#[test]
fn a_pub_crate_function_with_docs_and_must_use_in_a_module() {
    let (kept, reports) = with_captured_reports(|| pins::keep_pin("bafk"));
    let Ok(kept) = kept else {
        panic!("expected the pin to be kept")
    };
    assert_eq!(
        (kept.cid.as_str(), kept.bytes.as_slice()),
        ("bafk", &b"kfab"[..])
    );
    assert!(reports.is_empty());
    let (result, reports) = with_captured_reports(|| pins::keep_pin("Qm123"));
    assert_eq!(result.err(), Some("Qm123 is not a CIDv1".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "sync_fn::pins::keep_pin");
    assert_eq!(report.site.module, "sync_fn::pins");
    assert_eq!(report.site.line, line_of(SOURCE, "pub(crate) fn keep_pin("));
}

#[auto_heal]
fn pin_at(pins: &[&str], at: usize) -> Result<String, String> {
    if at >= pins.len() {
        panic!("pin index {at} is past the end of {} pins", pins.len());
    }
    Ok(pins[at].to_string())
}

#[test]
fn a_panic_inside_is_reported_once_as_a_panic_and_the_next_failure_normally() {
    let ((caught, after), reports) = with_captured_reports(|| {
        let caught = std::panic::catch_unwind(|| pin_at(&["bafk"], 7));
        (caught, load_config("/nonexistent/after-the-panic.toml"))
    });
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("pin index 7 is past the end of 1 pins")
    );
    assert!(after.is_err());
    assert_eq!(reports.len(), 2, "{reports:#?}");
    let panic = &reports[0];
    assert_eq!(panic.kind, ReportKind::Panic);
    assert_eq!(panic.error.type_name, "panic");
    assert_eq!(panic.error.message, "pin index 7 is past the end of 1 pins");
    assert_eq!(panic.site.file, "autoheal/tests/sync_fn.rs");
    assert_eq!(panic.site.line, line_of(SOURCE, "panic!(\"pin index"));
    assert_eq!(panic.site.function, "sync_fn::pin_at");
    assert_eq!(panic.site.module, "sync_fn");
    // The body's closure is not a frame of its own: the function is, at the line that panicked.
    let in_app = in_app_frames(panic);
    assert_eq!(
        in_app.first(),
        Some(&("sync_fn::pin_at", Some(panic.site.line))),
        "{in_app:#?}"
    );
    assert!(
        in_app
            .iter()
            .all(|(f, _)| !f.starts_with("sync_fn::pin_at::")),
        "{in_app:#?}"
    );
    // The frame state is clean: the next failure is reported alone, at its own frame.
    let next = &reports[1];
    assert_eq!(next.kind, ReportKind::Error);
    assert_eq!(next.frames, ["sync_fn::load_config"]);
    assert_eq!(
        with_captured_reports(|| pin_at(&["bafk"], 0)),
        (Ok("bafk".to_string()), vec![])
    );
}

#[derive(Debug, thiserror::Error)]
#[error("port {0} is reserved")]
struct ReservedPort(u16);

/// A `Result` named through an alias whose name does not say so.
type Fallible<T> = Result<T, ReservedPort>;

#[auto_heal]
fn reserve_port(port: u16) -> Fallible<u16> {
    #![allow(clippy::manual_range_contains)]
    if port < 1024 || port > 65000 {
        return Err(ReservedPort(port));
    }
    Ok(port)
}

#[test]
fn a_result_alias_with_inner_attributes_is_reported_like_a_result() {
    let (ok, reports) = with_captured_reports(|| reserve_port(8004));
    assert_eq!((ok.unwrap(), reports.len()), (8004, 0));
    let (result, reports) = with_captured_reports(|| reserve_port(80));
    assert_eq!(result.unwrap_err().0, 80, "the error itself comes back");
    let report = single(reports);
    assert_eq!(report.error.type_name, "ReservedPort");
    assert_eq!(report.error.message, "port 80 is reserved");
    assert_eq!(report.site.function, "sync_fn::reserve_port");
    assert_eq!(report.site.line, line_of(SOURCE, "fn reserve_port("));
}
