//! GitHub's limits, the bounds that keep each part of an issue inside them, and the layout that
//! fits a body into 65,000 characters by cutting the least useful parts first.
//!
//! The summary, the cause chain, the command line, the span stack, the environment and the
//! fingerprint marker have fixed bounds that add up to about half the limit. What remains goes,
//! in order of priority, to the report JSON (the fix generator's input), the in-app frames,
//! and then the full backtrace and the log lines, which share what is left.

use super::body::{self, Shown};
use super::embedded::{self, JsonCut};
use crate::Report;

/// GitHub's limit on an issue title, in characters.
pub(super) const MAX_TITLE_CHARS: usize = 256;
/// The most of the operation's name a title holds, so the message keeps room.
pub(super) const TITLE_OPERATION_CHARS: usize = 100;

/// The most characters autoheal puts in an issue body. GitHub's limit is 65,536; the margin
/// leaves room for a line put before the body (a regression note).
pub(super) const MAX_BODY_CHARS: usize = 65_000;

/// The message as shown in the summary (its first line), escaped.
pub(super) const MESSAGE_CHARS: usize = 3_000;
/// The whole message of a multi-line error, in a code block below the summary.
pub(super) const MESSAGE_BLOCK_CHARS: usize = 3_000;
/// Names, paths and versions: the operation, a type, a function, a file, the app.
pub(super) const NAME_CHARS: usize = 300;
/// One cause of the chain, escaped.
pub(super) const CAUSE_CHARS: usize = 2_000;
/// The whole cause chain.
pub(super) const CHAIN_CHARS: usize = 12_000;
/// The list of annotated functions the error passed through.
pub(super) const ANNOTATED_FRAMES_CHARS: usize = 2_000;
/// The command line.
pub(super) const COMMAND_CHARS: usize = 3_000;
/// The span stack.
pub(super) const SPANS_CHARS: usize = 3_000;
/// One environment value or system fact.
pub(super) const FACT_CHARS: usize = 200;
/// The environment variables' rows together.
pub(super) const ENV_CHARS: usize = 4_000;
/// One log line in the body.
pub(super) const LOG_LINE_CHARS: usize = 2_000;
/// How many in-app frames the body lists before pointing to the full backtrace.
pub(super) const IN_APP_FRAMES: usize = 30;

/// The body of `report`, at most [`MAX_BODY_CHARS`] characters.
pub(super) fn fit_body(report: &Report) -> String {
    let fixed = body::FixedParts::of(report);
    let in_app_len = |n| chars(&body::in_app_frames(report, n));
    let backtrace_len = |n| chars(&body::backtrace(report, n));
    let logs_len = |n| chars(&body::logs(report, n));

    let least = in_app_len(0) + backtrace_len(0) + logs_len(0);
    let json_room = MAX_BODY_CHARS.saturating_sub(fixed.len_chars() + least);
    let json = richest_json(report, json_room);

    let room = MAX_BODY_CHARS.saturating_sub(fixed.len_chars() + chars(&json));
    let mut shown = Shown::NOTHING;
    let in_app_room = room.saturating_sub(backtrace_len(0) + logs_len(0));
    shown.in_app = largest_fitting(IN_APP_FRAMES, in_app_room, in_app_len);

    let room = room.saturating_sub(in_app_len(shown.in_app));
    let spare = room.saturating_sub(backtrace_len(0) + logs_len(0));
    // The log lines and the backtrace get half the spare room each; what one leaves, the
    // other takes.
    shown.log_lines = largest_fitting(report.logs.len(), logs_len(0) + spare / 2, logs_len);
    let backtrace_room = room.saturating_sub(logs_len(shown.log_lines));
    shown.backtrace = largest_fitting(report.backtrace.len(), backtrace_room, backtrace_len);
    let logs_room = room.saturating_sub(backtrace_len(shown.backtrace));
    shown.log_lines = largest_fitting(report.logs.len(), logs_room, logs_len);

    fixed.assemble(report, shown, &json)
}

/// The first JSON block, from the full report through ever shorter ones, that fits in `room`.
fn richest_json(report: &Report, room: usize) -> String {
    let mut cut = JsonCut::start(report, room);
    loop {
        let block = embedded::json_block(report, cut);
        let len = chars(&block);
        match cut.next(report, len, room) {
            Some(smaller) if len > room => cut = smaller,
            _ => return block,
        }
    }
}

/// The largest `n` in `0..=most` whose rendering (of length `len(n)`) fits in `room`; 0 when
/// none does. `len` grows with `n`, though not strictly (an "N omitted" note shrinks), so the
/// answer is checked, not assumed. The search gallops up from 1, so that it never renders
/// much more than fits: 5,000 log lines cost no more than the few hundred shown.
fn largest_fitting(most: usize, room: usize, len: impl Fn(usize) -> usize) -> usize {
    let (mut fits, mut step) = (0usize, 1usize);
    let mut too_big = loop {
        let probe = fits.saturating_add(step).min(most);
        if probe == fits {
            return fits;
        }
        if len(probe) > room {
            break probe;
        }
        fits = probe;
        step = step.saturating_mul(2);
    };
    while too_big - fits > 1 {
        let middle = fits + (too_big - fits) / 2;
        if len(middle) <= room {
            fits = middle;
        } else {
            too_big = middle;
        }
    }
    fits
}

/// The length of `text` the way GitHub measures a body: in characters, not bytes.
fn chars(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_fitting_count_is_found() {
        assert_eq!(largest_fitting(100, 1000, |n| n * 10), 100);
        assert_eq!(largest_fitting(100, 555, |n| n * 10), 55);
        assert_eq!(largest_fitting(100, 5, |n| 10 + n), 0);
        assert_eq!(largest_fitting(0, 0, |_| 0), 0);
        assert_eq!(largest_fitting(7, 10, |n| n), 7);
    }

    #[test]
    fn the_search_renders_little_more_than_fits() {
        let probes = std::cell::Cell::new(0);
        let found = largest_fitting(1_000_000, 100, |n| {
            probes.set(probes.get() + 1);
            assert!(n <= 256, "rendered {n} for a room of 100");
            n
        });
        assert_eq!(found, 100);
        assert!(probes.get() < 20);
    }

    #[test]
    fn the_json_is_the_full_report_when_it_fits() {
        let report = crate::report::sample();
        let block = richest_json(&report, MAX_BODY_CHARS);
        assert_eq!(block, embedded::json_block(&report, JsonCut::NONE));
    }

    #[test]
    fn a_json_too_large_for_the_room_is_shortened_until_it_fits() {
        let mut report = crate::report::sample();
        report.logs = (0..3000)
            .map(|i| format!("log line {i} {}", "x".repeat(80)))
            .collect();
        let block = richest_json(&report, 20_000);
        assert!(block.chars().count() <= 20_000);
        assert!(
            block.contains("shortened"),
            "the block says it was shortened"
        );
    }

    #[test]
    fn bodies_fit_and_give_the_cuttable_parts_what_is_left() {
        let mut report = crate::report::sample();
        report.logs = (0..3000)
            .map(|i| format!("log line {i} {}", "x".repeat(80)))
            .collect();
        let body = fit_body(&report);
        let len = chars(&body);
        assert!(len <= MAX_BODY_CHARS);
        assert!(len > MAX_BODY_CHARS - 1_000, "the room is used: {len}");
        assert!(body.contains("earlier lines omitted to fit GitHub's size limit"));
    }
}
