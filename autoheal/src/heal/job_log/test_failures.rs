//! Failed tests, as `cargo test` (libtest) and `cargo nextest` print them: the names of the
//! failed tests, each with its panic message and location when the log has them.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Finding;
use super::lines::workspace_relative;

/// Lines kept of the failures section: the panic messages and the output of failed tests.
const MAX_SECTION_LINES: usize = 400;

/// `test pins::tests::normalise ... FAILED` (libtest).
static LIBTEST_FAILED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^test (.+) \.\.\. FAILED\s*$").ok());
/// `FAIL [   0.006s] crate pins::tests::normalise` (nextest; also its TIMEOUT and signals).
static NEXTEST_FAILED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:FAIL|TIMEOUT|SIGSEGV|SIGABRT|SIGKILL) \[[^\]]*\] (.+?)\s*$").ok()
});
/// `TIMEOUT [  60.002s] crate pins::tests::slow` (nextest: the test ran past its limit).
static NEXTEST_TIMEOUT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*TIMEOUT \[[^\]]*\] (.+?)\s*$").ok());
/// `test pins::tests::slow has been running for over 60 seconds` (libtest).
static LIBTEST_SLOW: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^test (\S+) has been running for over (\d+) seconds").ok());
/// `thread 'name' (1234) panicked at src/lib.rs:14:13:` (Rust 1.73 and later).
static PANICKED_AT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^thread '([^']+)'(?: \(\d+\))? panicked at (.+?):(\d+):(\d+):\s*$").ok()
});
/// `thread 'name' panicked at 'message', src/lib.rs:14:13` (before Rust 1.73).
static PANICKED_OLD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^thread '([^']+)' panicked at '(.*)', (.+?):(\d+):(\d+)\s*$").ok()
});

/// Where and why one test panicked.
#[derive(Debug)]
struct Panic {
    message: String,
    file: String,
    line: Option<u32>,
}

/// The failed tests in `lines`, sorted by name (tests run in parallel: the order in which
/// they fail changes from run to run, the set does not).
pub(super) fn failed_tests(lines: &[String]) -> Vec<Finding> {
    let mut names: Vec<String> = Vec::new();
    let mut timed_out: Vec<String> = Vec::new();
    let mut in_failure_list = false;
    for line in lines {
        if line == "failures:" {
            in_failure_list = true;
            continue;
        }
        if in_failure_list {
            match line.strip_prefix("    ") {
                Some(name) if !name.trim().is_empty() && !name.starts_with(' ') => {
                    names.push(name.trim().to_string());
                    continue;
                }
                _ => in_failure_list = false,
            }
        }
        if let Some(name) = capture(&LIBTEST_FAILED, line) {
            names.push(name);
        } else if let Some(rest) = capture(&NEXTEST_FAILED, line) {
            // `binary-id test::name`: the test's own name is the last word.
            let name = rest.rsplit(' ').next().unwrap_or(&rest).to_string();
            if capture(&NEXTEST_TIMEOUT, line).is_some() {
                timed_out.push(name.clone());
            }
            names.push(name);
        }
    }
    if names.is_empty() {
        // A run cut off by the job's limit: libtest had said which tests were still running.
        names = still_running(lines);
        timed_out.clone_from(&names);
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Vec::new();
    }
    let panics = panics(lines);
    let section = failures_section(lines);
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let panic = panics.get(&name);
            let message = match panic {
                _ if timed_out.contains(&name) => format!("test {name} timed out"),
                Some(panic) if !panic.message.is_empty() => {
                    format!("test {name} failed: {}", panic.message)
                }
                _ => format!("test {name} failed"),
            };
            Finding {
                code: Some(name),
                message,
                file: panic.map(|p| p.file.clone()),
                line: panic.and_then(|p| p.line),
                // Every test shares the one failures section; past the findings kept it is
                // not copied again.
                lines: if i < super::MAX_FINDINGS {
                    section.clone()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// The tests libtest said were running long in a run that never printed its result: the job
/// was stopped (its `timeout-minutes`, a runner's limit) while they ran.
fn still_running(lines: &[String]) -> Vec<String> {
    let finished = lines.iter().any(|l| l.starts_with("test result:"));
    if finished {
        return Vec::new();
    }
    let mut names: Vec<String> = lines
        .iter()
        .filter_map(|line| capture(&LIBTEST_SLOW, line))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn capture(pattern: &LazyLock<Option<Regex>>, line: &str) -> Option<String> {
    let caps = pattern.as_ref()?.captures(line)?;
    Some(caps.get(1)?.as_str().to_string())
}

/// The panics in `lines`, by thread name (libtest names a test's thread after the test).
fn panics(lines: &[String]) -> BTreeMap<String, Panic> {
    let mut panics = BTreeMap::new();
    for (index, line) in lines.iter().enumerate() {
        if let Some(caps) = PANICKED_AT.as_ref().and_then(|re| re.captures(line)) {
            let message = lines
                .get(index + 1)
                .map(|l| l.trim().to_string())
                .unwrap_or_default();
            let panic = Panic {
                message,
                file: caps
                    .get(2)
                    .map(|m| workspace_relative(m.as_str()))
                    .unwrap_or_default(),
                line: caps.get(3).and_then(|m| m.as_str().parse().ok()),
            };
            if let Some(thread) = caps.get(1) {
                panics.entry(thread.as_str().to_string()).or_insert(panic);
            }
        } else if let Some(caps) = PANICKED_OLD.as_ref().and_then(|re| re.captures(line)) {
            let panic = Panic {
                message: caps.get(2).map_or("", |m| m.as_str()).to_string(),
                file: caps
                    .get(3)
                    .map(|m| workspace_relative(m.as_str()))
                    .unwrap_or_default(),
                line: caps.get(4).and_then(|m| m.as_str().parse().ok()),
            };
            if let Some(thread) = caps.get(1) {
                panics.entry(thread.as_str().to_string()).or_insert(panic);
            }
        }
    }
    panics
}

/// The lines that explain the failures: from the first `failures:` (libtest) or the first
/// failed test (nextest) to the end of the run, without stack backtraces.
fn failures_section(lines: &[String]) -> Vec<String> {
    let libtest = lines.iter().position(|l| l == "failures:");
    let nextest = lines
        .iter()
        .position(|l| capture(&NEXTEST_FAILED, l).is_some());
    let start = match (libtest, nextest) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(0),
    };
    // libtest ends its run with the result line; nextest prints one per failed test.
    let stop_at_result = nextest.is_none();
    let mut section = Vec::new();
    let mut in_backtrace = false;
    for line in lines.get(start..).unwrap_or_default() {
        if line.starts_with("stack backtrace:") {
            in_backtrace = true;
            continue;
        }
        if in_backtrace {
            // A backtrace ends with a note, or with the next blank line.
            if line.starts_with("note: Some details are omitted") || line.trim().is_empty() {
                in_backtrace = false;
            }
            continue;
        }
        section.push(line.clone());
        if (stop_at_result && line.starts_with("test result: FAILED"))
            || section.len() >= MAX_SECTION_LINES
        {
            break;
        }
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn libtest_failures_are_named_sorted_and_explained() {
        let found = failed_tests(&lines(
            "test b::second ... FAILED\ntest a::first ... FAILED\ntest c ... ok\n\nfailures:\n\n\
             ---- a::first stdout ----\n\nthread 'a::first' (88) panicked at src/a.rs:3:5:\nboom\n\
             stack backtrace:\n   0: std::panicking\nnote: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n\n\
             failures:\n    a::first\n    b::second\n\ntest result: FAILED. 1 passed; 2 failed",
        ));
        let names: Vec<_> = found.iter().filter_map(|f| f.code.as_deref()).collect();
        assert_eq!(names, ["a::first", "b::second"]);
        assert_eq!(found[0].message, "test a::first failed: boom");
        assert_eq!(
            (found[0].file.as_deref(), found[0].line),
            (Some("src/a.rs"), Some(3))
        );
        assert_eq!(found[1].message, "test b::second failed");
        assert!(found[0].lines.iter().any(|l| l == "boom"));
        assert!(!found[0].lines.iter().any(|l| l.contains("std::panicking")));
        assert_eq!(
            found[0].lines.last().map(String::as_str),
            Some("test result: FAILED. 1 passed; 2 failed")
        );
    }

    #[test]
    fn nextest_and_old_panic_messages_are_read() {
        let found = failed_tests(&lines(
            "        FAIL [   0.006s] my-crate tests::parses\n\
             thread 'tests::parses' panicked at 'bad input', src/parse.rs:10:7\n\
             error: test run failed",
        ));
        let [finding] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(finding.code.as_deref(), Some("tests::parses"));
        assert_eq!(finding.message, "test tests::parses failed: bad input");
        assert_eq!(finding.line, Some(10));
    }

    #[test]
    fn timed_out_tests_are_named_as_such() {
        // nextest, recorded from a real run with `slow-timeout = { period = "1s", terminate-after = 2 }`.
        let found = failed_tests(&lines(
            "        SLOW [>  1.000s] (───) to waits_forever\n\
             \x20    TIMEOUT [   2.002s] (1/1) to waits_forever\n\
             error: test run failed",
        ));
        let names: Vec<_> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(names, ["test waits_forever timed out"]);
        // libtest's warning in a run the job's limit cut off.
        let found = failed_tests(&lines(
            "running 2 tests\ntest a::quick ... ok\n\
             test a::waits has been running for over 60 seconds\n\
             ##[error]The operation was canceled.",
        ));
        let names: Vec<_> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(names, ["test a::waits timed out"]);
        // A slow test in a run that finished is no failure.
        assert!(
            failed_tests(&lines(
                "test a::waits has been running for over 60 seconds\n\
                 test a::waits ... ok\ntest result: ok. 1 passed"
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_log_without_failed_tests_has_none() {
        assert!(failed_tests(&lines("test a ... ok\ntest result: ok. 1 passed")).is_empty());
    }
}
