use super::*;
use crate::fix::rules::tests_support::report_with;
use crate::{BacktraceFrame, ReportKind};

fn panic_report(message: &str) -> crate::Report {
    let mut report = report_with(message, &[]);
    report.kind = ReportKind::Panic;
    report.error.type_name = "panic".into();
    report.backtrace = vec![
        BacktraceFrame {
            function: "core::option::unwrap_failed".into(),
            file: Some("/rustc/x/library/core/src/option.rs".into()),
            line: Some(2015),
            in_app: false,
        },
        BacktraceFrame {
            function: "app::pins::pick".into(),
            file: Some("src/pins.rs".into()),
            line: Some(42),
            in_app: true,
        },
    ];
    report
}

#[test]
fn unwrap_on_none_points_at_the_in_app_frame() {
    let finding = unwrap_on_none(&Evidence::of(&panic_report(
        "called `Option::unwrap()` on a `None` value",
    )))
    .unwrap();
    assert_eq!(
        finding.title,
        "`unwrap()` on a `None` value at `src/pins.rs:42 in app::pins::pick`"
    );
    assert!(finding.steps[0].contains("src/pins.rs:42"));
}

#[test]
fn unwrap_on_err_explains_the_error_inside() {
    let message = "called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: \"No such file or directory\" }";
    let finding = unwrap_on_err(&Evidence::of(&panic_report(message))).unwrap();
    assert!(
        finding.cause.contains("kind: NotFound"),
        "{}",
        finding.cause
    );
    assert!(
        finding.steps.iter().any(|s| s.contains("`file-not-found`")),
        "{:?}",
        finding.steps
    );
    let finding = unwrap_on_err(&Evidence::of(&panic_report(
        "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }",
    )))
    .unwrap();
    assert_eq!(finding.steps.len(), 2, "{:?}", finding.steps);
}

#[test]
fn index_out_of_bounds_gives_the_index_and_the_length() {
    let finding = index_out_of_bounds(&Evidence::of(&panic_report(
        "index out of bounds: the len is 3 but the index is 5",
    )))
    .unwrap();
    assert_eq!(
        finding.title,
        "Index out of bounds at `src/pins.rs:42 in app::pins::pick`: index 5 of a collection of length 3"
    );
    let finding = index_out_of_bounds(&Evidence::of(&panic_report(
        "range end index 9 out of range for slice of length 4",
    )))
    .unwrap();
    assert!(
        finding
            .title
            .ends_with("index 9 of a collection of length 4")
    );
    let finding = index_out_of_bounds(&Evidence::of(&panic_report(
        "byte index 7 is out of bounds of `hello`",
    )))
    .unwrap();
    assert!(
        finding
            .title
            .ends_with("byte index 7 past the end of a string")
    );
}

#[test]
fn overflow_names_the_checked_method() {
    let finding = integer_overflow(&Evidence::of(&panic_report(
        "attempt to subtract with overflow",
    )))
    .unwrap();
    assert!(finding.title.ends_with("attempt to subtract with overflow"));
    assert!(finding.steps.iter().any(|s| s.contains("saturating_sub")));
    assert!(finding.steps.iter().any(|s| s.contains("`checked_sub`")));
    let finding = integer_overflow(&Evidence::of(&panic_report(
        "attempt to multiply with overflow",
    )))
    .unwrap();
    assert!(finding.steps.iter().any(|s| s.contains("`checked_mul`")));
}

#[test]
fn near_misses_are_not_these_panics() {
    for message in [
        "called `Result::unwrap_err()` on an `Ok` value: 3",
        "attempt to divide by zero",
        "index 5 is fine",
        "Option::unwrap() was avoided",
        "explicit panic",
    ] {
        let report = panic_report(message);
        let evidence = Evidence::of(&report);
        assert!(unwrap_on_none(&evidence).is_none(), "{message}");
        assert!(unwrap_on_err(&evidence).is_none(), "{message}");
        assert!(index_out_of_bounds(&evidence).is_none(), "{message}");
        assert!(integer_overflow(&evidence).is_none(), "{message}");
    }
}
