//! Panics with a cause in the code: `unwrap` on `None` or on an `Err`, an index out of
//! bounds, an arithmetic overflow. Each points at the in-app frame where it happened.

use std::sync::LazyLock;

use regex::Regex;

use super::{Finding, Rule, RuleInfo, Wording, exact, first_error_match, quote, signal};
use crate::fix::Confidence;
use crate::fix::diagnosis::location;
use crate::fix::evidence::Evidence;
use crate::stack::{OPTION_EXPECT_FAILED, RESULT_UNWRAP_FAILED};

/// Whether the panic went through `function` of core ([`RESULT_UNWRAP_FAILED`]): the
/// capture keeps that frame at the top of a panic's backtrace. `expect` panics with the
/// caller's own message, so that frame is how it is recognised.
fn panicked_in(evidence: &Evidence<'_>, function: &str) -> bool {
    evidence.report.kind == crate::ReportKind::Panic
        && evidence
            .report
            .backtrace
            .first()
            .is_some_and(|frame| frame.function == function)
}

/// "at `src/x.rs:42 in app::f`", or "in the code" when the report has no location.
fn at(evidence: &Evidence<'_>) -> String {
    location(evidence.report).map_or("in the code".to_string(), |place| {
        format!("at {}", quote(&place))
    })
}

pub(super) static UNWRAP_ON_NONE: Rule = Rule {
    info: RuleInfo {
        id: "unwrap-on-none",
        name: "`unwrap()` on `None`",
        symptom: "A panic: ``called `Option::unwrap()` on a `None` value``, or the message of \
                  an `.expect(\"...\")` on `None` (the backtrace starts in \
                  `core::option::expect_failed`).",
        cause: "The code assumed an `Option` always holds a value, and in this run it did not \
                (a missing key, an empty list, a failed lookup).",
        remedy: "At the location of the panic, handle `None`: `if let`/`match`, `.ok_or(...)?` \
                 with an error that says what was missing, or a default.",
    },
    check: unwrap_on_none,
};

/// core's panic message (an `.expect` on `None` panics with the caller's own words, and is
/// known by the frame it panics in).
pub(super) const UNWRAP_ON_NONE_WORDING: &[Wording] = &[exact(
    "core: Option::unwrap",
    "called `option::unwrap()` on a `none` value",
)];

fn unwrap_on_none(evidence: &Evidence<'_>) -> Option<Finding> {
    let method = if signal(evidence, UNWRAP_ON_NONE_WORDING).is_some() {
        "unwrap"
    } else if panicked_in(evidence, OPTION_EXPECT_FAILED) {
        "expect"
    } else {
        return None;
    };
    let at = at(evidence);
    Some(
        Finding::new(
            format!("`{method}()` on a `None` value {at}"),
            "The code assumed an `Option` always holds a value; in this run it was `None`."
                .to_string(),
            Confidence::High,
        )
        .step(format!(
            "Look {at} for the `.{method}()` on an `Option` (a map lookup, `.first()`, `.parent()`, a parse)."
        ))
        .step("Handle `None` there: `if let Some(..)`, `match`, `.ok_or_else(|| ...)?` with an error that says what was missing, or `.unwrap_or_default()` when a default is right.")
        .step("Find why the value was missing in this run: the command line and the log lines of the report show the input."),
    )
}

pub(super) static UNWRAP_ON_ERR: Rule = Rule {
    info: RuleInfo {
        id: "unwrap-on-err",
        name: "`unwrap()` on an `Err`",
        symptom: "A panic: ``called `Result::unwrap()` on an `Err` value: ...``, or \
                  `MESSAGE: ERROR` from an `.expect(\"MESSAGE\")` on an `Err` (the backtrace \
                  starts in `core::result::unwrap_failed`).",
        cause: "The code assumed an operation cannot fail, and it failed; the error after \
                `Err value:` says how.",
        remedy: "At the location of the panic, return the error with `?` (with context) or \
                 handle it; then fix the error itself (often one of the other entries here).",
    },
    check: unwrap_on_err,
};

fn unwrap_on_err(evidence: &Evidence<'_>) -> Option<Finding> {
    static UNWRAP: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"called `Result::(?:unwrap|expect)\(\)` on an `Err` value: ([^\n]{0,4000})")
            .ok()
    });
    let captures = UNWRAP.as_ref().and_then(|r| evidence.captures(r));
    let (method, inner) = match &captures {
        Some(captures) => ("unwrap", captures.get(1).map_or("", |m| m.as_str())),
        // `.expect("MESSAGE")` panics with `MESSAGE: {error:?}`: all of it is the evidence.
        None if panicked_in(evidence, RESULT_UNWRAP_FAILED) => {
            ("expect", evidence.report.error.message.as_str())
        }
        None => return None,
    };
    let at = at(evidence);
    let inner_evidence = Evidence::from_texts(evidence.report, vec![inner]);
    let inner_finding = first_error_match(&inner_evidence);
    let mut finding = Finding::new(
        format!("`{method}()` on an `Err` value {at}"),
        format!(
            "The code assumed an operation cannot fail, and it failed with: {}.",
            quote(inner)
        ),
        Confidence::High,
    )
    .step(format!(
        "Look {at} for the `.{method}()` on a `Result`, and return the error instead (`?`, with `.context(...)` naming what was being done) or handle it."
    ));
    if let Some((info, inner)) = inner_finding {
        finding = finding.step(format!(
            "The error itself is a known one ({}): {}.",
            quote(info.id),
            inner.title
        ));
        finding.steps.extend(inner.steps);
    } else {
        finding = finding.step("Then find why the operation failed in this run: the command line and the log lines of the report show the input.");
    }
    Some(finding)
}

pub(super) static INDEX_OUT_OF_BOUNDS: Rule = Rule {
    info: RuleInfo {
        id: "index-out-of-bounds",
        name: "Index out of bounds",
        symptom: "A panic: `index out of bounds: the len is 3 but the index is 5` (or `range end \
                  index 9 out of range for slice of length 4`).",
        cause: "The code indexed a slice, `Vec` or string past its end: an off-by-one, or a \
                length assumed from input that was shorter.",
        remedy: "At the location of the panic, use `.get(i)` and handle `None`, or check the \
                 length before indexing.",
    },
    check: index_out_of_bounds,
};

/// core's panic messages for indexing past the end.
pub(super) const INDEX_WORDING: &[Wording] = &[
    exact(
        "core: slice and Vec indexing",
        "index out of bounds: the len is",
    ),
    exact("core: slice ranges", "out of range for slice of length"),
    exact("core: str ranges", "out of range for str of length"),
    exact("core: str byte index", "is out of bounds of"),
];

fn index_out_of_bounds(evidence: &Evidence<'_>) -> Option<Finding> {
    signal(evidence, INDEX_WORDING)?;
    static INDEX: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"index out of bounds: the len is (\d{1,20}) but the index is (\d{1,20})").ok()
    });
    static RANGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"range (?:start|end) index (\d{1,20}) out of range for (?:slice|str) of length (\d{1,20})|byte index (\d{1,20}) is out of bounds of").ok()
    });
    let (len, index) = if let Some(c) = INDEX.as_ref().and_then(|r| evidence.captures(r)) {
        (
            Some(c.get(1)?.as_str().to_string()),
            c.get(2)?.as_str().to_string(),
        )
    } else if let Some(c) = RANGE.as_ref().and_then(|r| evidence.captures(r)) {
        match (c.get(1), c.get(2), c.get(3)) {
            (Some(index), Some(len), _) => {
                (Some(len.as_str().to_string()), index.as_str().to_string())
            }
            (_, _, Some(index)) => (None, index.as_str().to_string()),
            _ => return None,
        }
    } else {
        return None;
    };
    let at = at(evidence);
    let size = match &len {
        Some(len) => format!("index {index} of a collection of length {len}"),
        None => format!("byte index {index} past the end of a string"),
    };
    Some(
        Finding::new(
            format!("Index out of bounds {at}: {size}"),
            format!("The code used {size}: an off-by-one, or a length assumed from input that was shorter."),
            Confidence::High,
        )
        .step(format!("Look {at} for the indexing (`v[i]`, `&s[a..b]`)."))
        .step("Use `.get(i)` (or `.get(a..b)`) and handle `None`, or check the length first and return an error that names the input.")
        .step("Find why the input was shorter than expected in this run: the command line and the log lines of the report show it."),
    )
}

pub(super) static INTEGER_OVERFLOW: Rule = Rule {
    info: RuleInfo {
        id: "integer-overflow",
        name: "Integer overflow",
        symptom: "A panic: `attempt to add with overflow` (or subtract, multiply, negate, shift).",
        cause: "An arithmetic result did not fit its integer type; debug builds panic, release \
                builds wrap silently to a wrong value. Subtracting below zero in an unsigned \
                type is the usual case.",
        remedy: "At the location of the panic, use `checked_*` and handle `None`, \
                 `saturating_*`, or a wider type, depending on what the value means.",
    },
    check: integer_overflow,
};

/// core's panic messages under overflow checks (debug builds).
pub(super) const OVERFLOW_WORDING: &[Wording] =
    &[exact("core: arithmetic overflow checks", "with overflow")];

fn integer_overflow(evidence: &Evidence<'_>) -> Option<Finding> {
    signal(evidence, OVERFLOW_WORDING)?;
    static OVERFLOW: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"attempt to (add|subtract|multiply|negate|shift left|shift right|calculate the remainder) with overflow").ok()
    });
    let captures = OVERFLOW.as_ref().and_then(|r| evidence.captures(r))?;
    let operation = captures.get(1)?.as_str();
    let method = match operation {
        "add" => "checked_add",
        "subtract" => "checked_sub",
        "multiply" => "checked_mul",
        "negate" => "checked_neg",
        "shift left" => "checked_shl",
        "shift right" => "checked_shr",
        _ => "checked_rem",
    };
    let at = at(evidence);
    let below_zero = (operation == "subtract")
        .then(|| "A subtraction below zero in an unsigned type (`a - b` with `b > a`) is the usual case: compare first, or use `a.saturating_sub(b)` when zero is the right answer.".to_string());
    Some(
        Finding::new(
            format!("Integer overflow {at}: attempt to {operation} with overflow"),
            "An arithmetic result did not fit its integer type. Debug builds panic; release \
             builds wrap silently to a wrong value."
                .to_string(),
            Confidence::High,
        )
        .step(format!("Look {at} for the `{operation}` operation."))
        .step_if(below_zero)
        .step(format!(
            "Use `{method}` and handle `None` (an error naming the input), the `saturating_` form when clamping is right, or a wider type."
        )),
    )
}

#[cfg(test)]
#[path = "panics_tests.rs"]
mod tests;
