//! Entry points: `fn main() -> Result` and `async fn` combined with `#[tokio::main]`, with the
//! attributes in either order. Each reads the port it would serve on from its "configuration"
//! (a thread-local setting here), so each can succeed or fail.

mod common;

use std::cell::Cell;
use std::num::ParseIntError;

use autoheal::test::with_captured_reports;
use autoheal::{Report, ReportKind};
use common::{line_of, single};

const SOURCE: &str = include_str!("entry_points.rs");

thread_local! {
    static PORT_SETTING: Cell<&'static str> = const { Cell::new("") };
}

/// The configured port. `#[tokio::main]` polls the body on the calling thread, so the
/// thread-local setting is the caller's.
fn configured_port() -> Result<u16, ParseIntError> {
    PORT_SETTING.get().parse()
}

/// Run `entry` with the port setting `setting` and capture what it reports.
fn run_with_setting<T>(setting: &'static str, entry: fn() -> T) -> (T, Vec<Report>) {
    PORT_SETTING.set(setting);
    with_captured_reports(entry)
}

mod app {
    #[autoheal::auto_heal]
    pub fn main() -> Result<(), Box<dyn std::error::Error>> {
        let port = super::configured_port()?;
        println!("serving on 127.0.0.1:{port}");
        Ok(())
    }
}

#[tokio::main]
#[autoheal::auto_heal]
async fn run() -> Result<u16, ParseIntError> {
    tokio::task::yield_now().await;
    configured_port()
}

#[autoheal::auto_heal]
#[tokio::main]
async fn run2() -> Result<u16, ParseIntError> {
    tokio::task::yield_now().await;
    let port = configured_port()?;
    Ok(port)
}

#[test]
fn a_main_function_returning_result() {
    let (ok, reports) = run_with_setting("8004", app::main);
    assert!(ok.is_ok());
    assert!(reports.is_empty(), "{reports:#?}");

    let (result, reports) = run_with_setting("http", app::main);
    let error = result.unwrap_err();
    assert!(error.is::<ParseIntError>(), "the boxed error is untouched");
    let report = single(reports);
    assert_eq!(report.kind, ReportKind::Error);
    assert_eq!(report.error.type_name, "ParseIntError");
    assert_eq!(report.error.message, "invalid digit found in string");
    assert_eq!(report.site.function, "entry_points::app::main");
    assert_eq!(report.site.module, "entry_points::app");
    assert_eq!(report.site.file, "autoheal/tests/entry_points.rs");
    assert_eq!(report.site.line, line_of(SOURCE, "pub fn main("));
    assert_eq!(report.frames, ["entry_points::app::main"]);
}

#[test]
fn tokio_main_applied_outside_the_attribute() {
    let (ok, reports) = run_with_setting("8004", run);
    assert_eq!((ok, reports.len()), (Ok(8004), 0));

    let (result, reports) = run_with_setting("", run);
    assert_eq!(
        result.unwrap_err().to_string(),
        "cannot parse integer from empty string"
    );
    let report = single(reports);
    assert_eq!(report.error.type_name, "ParseIntError");
    assert_eq!(
        report.error.message,
        "cannot parse integer from empty string"
    );
    assert_eq!(report.site.function, "entry_points::run");
    assert_eq!(report.site.line, line_of(SOURCE, "async fn run("));
    assert_eq!(report.frames, ["entry_points::run"]);
}

#[test]
fn tokio_main_applied_inside_the_attribute() {
    let (ok, reports) = run_with_setting("5001", run2);
    assert_eq!((ok, reports.len()), (Ok(5001), 0));

    let (result, reports) = run_with_setting("99999", run2);
    assert_eq!(
        result.unwrap_err().to_string(),
        "number too large to fit in target type"
    );
    let report = single(reports);
    assert_eq!(report.error.type_name, "ParseIntError");
    assert_eq!(
        report.error.message,
        "number too large to fit in target type"
    );
    assert_eq!(report.site.function, "entry_points::run2");
    assert_eq!(report.site.line, line_of(SOURCE, "async fn run2("));
    assert_eq!(report.frames, ["entry_points::run2"]);
}
