//! `#[auto_heal]` on synchronous functions of every shape: the result passes through untouched,
//! an `Err` is reported once with its site, an `Ok` is not.

use std::fmt::Display;
use std::io;

use autoheal::test::with_captured_reports;
use autoheal::{Report, auto_heal};

fn single(reports: Vec<Report>) -> Report {
    assert_eq!(reports.len(), 1, "expected one report, got {reports:#?}");
    reports.into_iter().next().unwrap()
}

const LOAD_LINE: u32 = line!() + 2;
#[auto_heal]
fn load_config(path: &str) -> io::Result<String> {
    std::fs::read_to_string(path)
}

#[test]
fn a_free_function_reports_its_error_with_its_site() {
    let (result, reports) = with_captured_reports(|| load_config("/nonexistent/autoheal.toml"));
    let error = result.unwrap_err();
    assert_eq!(
        error.kind(),
        io::ErrorKind::NotFound,
        "the error itself is returned untouched"
    );
    let report = single(reports);
    assert_eq!(report.site.function, "sync_fn::load_config");
    assert_eq!(report.site.module, "sync_fn");
    assert_eq!(report.site.file, "tests/sync_fn.rs");
    assert_eq!(report.site.line, LOAD_LINE);
    assert_eq!(report.frames, ["sync_fn::load_config"]);
    assert_eq!(report.error.type_name, "io::Error");
    assert_eq!(
        report.error.message,
        "No such file or directory (os error 2)"
    );
}

#[test]
fn ok_passes_through_and_reports_nothing() {
    let path = std::env::temp_dir().join(format!("autoheal-sync-fn-{}.txt", std::process::id()));
    std::fs::write(&path, "port = 8004").unwrap();
    let (result, reports) = with_captured_reports(|| load_config(path.to_str().unwrap()));
    std::fs::remove_file(&path).unwrap();
    assert_eq!(result.unwrap(), "port = 8004");
    assert!(reports.is_empty());
}

#[auto_heal(name = "mcp start", labels("mcp", "server"))]
fn start_server(port: u16) -> Result<u16, String> {
    if port == 0 {
        return Err("port 0 is not allowed".to_string());
    }
    Ok(port)
}

#[test]
fn name_and_labels_arguments_show_in_the_report() {
    let (result, reports) = with_captured_reports(|| start_server(0));
    assert_eq!(result, Err("port 0 is not allowed".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "mcp start");
    assert_eq!(report.frames, ["mcp start"]);
    assert_eq!(report.error.type_name, "String");
    assert_eq!(
        report.error.message, "port 0 is not allowed",
        "Display, not Debug: no quotes"
    );
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
        // An early return through `?` on an error of the same type.
        return "".parse::<u16>();
    }
    let port: u16 = trimmed.parse()?;
    Ok(port)
}

#[test]
fn question_mark_and_early_return_are_captured() {
    let ((empty, bad, good), reports) =
        with_captured_reports(|| (parse_port("  "), parse_port("80a"), parse_port("80")));
    assert!(empty.is_err() && bad.is_err());
    assert_eq!(good, Ok(80));
    assert_eq!(reports.len(), 2);
    assert_eq!(
        reports[0].error.message,
        "cannot parse integer from empty string"
    );
    assert_eq!(reports[1].error.message, "invalid digit found in string");
    assert!(reports.iter().all(|r| r.error.type_name == "ParseIntError"));
}

#[auto_heal]
fn describe<T, U>(value: T, extra: impl Iterator<Item = U>) -> Result<String, String>
where
    T: Display + Clone,
    U: Into<u64>,
{
    let total: u64 = extra.map(Into::into).sum();
    if total == 0 {
        return Err(format!("nothing to describe for {value}"));
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
    assert_eq!(single(reports).site.function, "sync_fn::describe");
}

#[auto_heal]
fn first_word<'a>(text: &'a str, fallback: &'a str) -> Result<&'a str, String> {
    match text.split_whitespace().next() {
        Some(word) => Ok(word),
        None if !fallback.is_empty() => Ok(fallback),
        None => Err("no words".to_string()),
    }
}

#[test]
fn explicit_lifetimes_and_borrowed_results() {
    let text = String::from("hello world");
    assert_eq!(first_word(&text, "x"), Ok("hello"));
    let (result, reports) = with_captured_reports(|| first_word("   ", "").map(str::len));
    assert_eq!(result, Err("no words".to_string()));
    assert_eq!(single(reports).error.message, "no words");
}

#[auto_heal]
fn sum_pair(mut total: u32, (a, b): (u32, u32)) -> Result<u32, String> {
    total += a;
    total = total.checked_add(b).ok_or("overflow")?;
    Ok(total)
}

#[test]
fn mut_and_pattern_parameters() {
    assert_eq!(sum_pair(1, (2, 3)), Ok(6));
    let (result, reports) = with_captured_reports(|| sum_pair(1, (1, u32::MAX)));
    assert_eq!(result, Err("overflow".to_string()));
    assert_eq!(single(reports).error.message, "overflow");
}

mod visibility {
    /// Documentation and other attributes stay on the function.
    #[must_use = "the result says whether the pin was kept"]
    #[autoheal::auto_heal]
    pub(crate) fn keep_pin(cid: &str) -> Result<(), String> {
        if cid.starts_with("baf") {
            Ok(())
        } else {
            Err(format!("{cid} is not a CIDv1"))
        }
    }
}

#[test]
fn visibility_docs_and_attributes_are_kept() {
    let (result, reports) = with_captured_reports(|| visibility::keep_pin("Qm123"));
    assert_eq!(result, Err("Qm123 is not a CIDv1".to_string()));
    assert_eq!(
        single(reports).site.function,
        "sync_fn::visibility::keep_pin"
    );
}

#[derive(Debug, PartialEq)]
struct NotDisplay {
    code: u16,
}

#[auto_heal]
fn debug_only_error() -> Result<(), NotDisplay> {
    Err(NotDisplay { code: 503 })
}

#[test]
fn an_error_that_is_only_debug_is_reported_with_its_debug_text() {
    let (result, reports) = with_captured_reports(debug_only_error);
    assert_eq!(result, Err(NotDisplay { code: 503 }));
    let report = single(reports);
    assert_eq!(report.error.type_name, "NotDisplay");
    assert_eq!(report.error.message, "NotDisplay { code: 503 }");
}
