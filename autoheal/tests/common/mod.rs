//! Helpers shared by the behaviour tests of `#[auto_heal]` on each function shape.

use autoheal::Report;

/// The in-app frames of `report`'s backtrace, innermost first, as function and line.
#[allow(dead_code)] // Only the files that check frames use it.
pub fn in_app_frames(report: &Report) -> Vec<(&str, Option<u32>)> {
    report
        .backtrace
        .iter()
        .filter(|f| f.in_app)
        .map(|f| (f.function.as_str(), f.line))
        .collect()
}

/// The one report that was made; fails the test, listing them, when there were none or several.
pub fn single(reports: Vec<Report>) -> Report {
    assert_eq!(reports.len(), 1, "expected one report, got {reports:#?}");
    reports.into_iter().next().expect("one report")
}

/// The line number (from 1) of the one line of `source` that starts with `needle` after its
/// indentation (`fn load_config(`, `pub async fn run(`, `panic!("...`).
///
/// Tests read their own file with `include_str!` and look up the line where a function's name
/// (or a panic) is written, so the expected line follows the code as it is laid out. A line
/// that only mentions the needle, such as the call of this function, does not count.
pub fn line_of(source: &str, needle: &str) -> u32 {
    let lines: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with(needle))
        .map(|(index, _)| index + 1)
        .collect();
    assert_eq!(lines.len(), 1, "`{needle}` must start exactly one line");
    u32::try_from(lines[0]).expect("a source line number fits in u32")
}
