//! Reading what autoheal wrote on GitHub back: the recurrence comments and their counts, the
//! regression and queued-occurrence sentences at the top of an issue, the rule of the
//! diagnosis comment and the Copilot hand-off markers. Each wording is the one the writer
//! uses (`github::deliver`, `fix::answer`, `github_api::comment`); the tests below hold them
//! together.

use super::HandoffOutcome;

/// How a recurrence comment starts.
const RECURRENCE: &str = "This failure happened again — ";
/// How an issue filed for a bug whose issue was closed starts.
const REGRESSION: &str = "Regression of #";
/// How an issue starts whose report waited in the queue while the bug happened again.
const WAITED: &str = "While this report waited to be sent, the failure happened ";
/// The diagnosis comment's marker.
const FIX_MARKER: &str = "<!-- autoheal:fix -->";
/// The rule, on the diagnosis comment's confidence line: `· rule `file-not-found``.
const RULE: &str = "· rule `";
/// A hand-off the agent accepted.
const HANDOFF_ACCEPTED: &str = "<!-- autoheal:copilot=accepted -->";
/// A hand-off GitHub refused.
const HANDOFF_REFUSED: &str = "<!-- autoheal:copilot=refused -->";

/// The occurrences a recurrence comment counts ("once more": 1, "3 more times": 3), or `None`
/// when `body` is not one.
pub(super) fn recurrences(body: &str) -> Option<u64> {
    let rest = body.strip_prefix(RECURRENCE)?;
    if rest.starts_with("once more") {
        return Some(1);
    }
    let (count, rest) = rest.split_once(' ')?;
    rest.starts_with("more times")
        .then(|| count.parse().ok())
        .flatten()
}

/// The issue `body` says it is a regression of.
pub(super) fn regression_of(body: &str) -> Option<u64> {
    let rest = body.strip_prefix(REGRESSION)?;
    let digits: &str = rest.split(':').next()?;
    digits.parse().ok()
}

/// The occurrences the issue's body counts before its own: those that waited in the queue
/// with its report. Only the opening paragraphs autoheal writes are read.
pub(super) fn waited(body: &str) -> u64 {
    let body = match regression_of(body) {
        Some(_) => body.split_once("\n\n").map_or("", |(_, rest)| rest),
        None => body,
    };
    body.strip_prefix(WAITED)
        .and_then(|rest| rest.split_once(' '))
        .filter(|(_, rest)| rest.starts_with("more times"))
        .and_then(|(count, _)| count.parse().ok())
        .unwrap_or(0)
}

/// Whether `body` is a diagnosis comment of the fix flow.
pub(super) fn is_diagnosis(body: &str) -> bool {
    body.starts_with(FIX_MARKER)
}

/// The rule a diagnosis comment names.
pub(super) fn rule(body: &str) -> Option<String> {
    let start = body.find(RULE)? + RULE.len();
    let rest = body.get(start..)?;
    let rule = rest.get(..rest.find('`')?)?;
    // Rule ids are plain words; the comment escapes Markdown in them (`\_`).
    let rule = rule.replace('\\', "");
    (!rule.is_empty()).then_some(rule)
}

/// What a diagnosis comment says of a Copilot hand-off, if it says anything.
pub(super) fn handoff(body: &str) -> Option<HandoffOutcome> {
    if body.contains(HANDOFF_ACCEPTED) {
        Some(HandoffOutcome::Accepted)
    } else if body.contains(HANDOFF_REFUSED) {
        Some(HandoffOutcome::Refused)
    } else {
        None
    }
}

/// The issue number a fix branch (`autoheal/issue-N`) is for.
pub(super) fn fix_branch_issue(head_ref: &str) -> Option<u64> {
    head_ref.strip_prefix("autoheal/issue-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recurrence_comment_counts_what_it_says() {
        let once =
            "This failure happened again — once more since the last update.\n\n- Trace ID: `ab`\n";
        assert_eq!(recurrences(once), Some(1));
        let many =
            "This failure happened again — 12 more times since the last update.\n\n- Time: x\n";
        assert_eq!(recurrences(many), Some(12));
        assert_eq!(
            recurrences("> This failure happened again — once more"),
            None
        );
        assert_eq!(
            recurrences("This failure happened again — lots more times"),
            None
        );
        assert_eq!(recurrences("Thanks, this is fixed."), None);
    }

    #[test]
    fn a_regression_and_waiting_occurrences_are_read_from_the_top_of_the_body() {
        let body = "Regression of #42: that issue was closed, and the same failure happened again.\n\nWhile this report waited to be sent, the failure happened 3 more times (trace IDs `a`).\n\n## Error\n";
        assert_eq!(regression_of(body), Some(42));
        assert_eq!(waited(body), 3);
        assert_eq!(
            waited("While this report waited to be sent, the failure happened 2 more times."),
            2
        );
        assert_eq!(regression_of("## Error\nRegression of #42: quoted"), None);
        assert_eq!(
            waited(
                "## Error\nWhile this report waited to be sent, the failure happened 9 more times"
            ),
            0
        );
    }

    #[test]
    fn the_diagnosis_comment_names_its_rule_and_hand_off() {
        let comment = "<!-- autoheal:fix -->\n### Diagnosis: File not found\n\n**Confidence:** high · rule `file-not-found`\n\n<!-- autoheal:copilot=refused -->\n**Copilot:** refused\n<!-- autoheal:copilot-end -->\n";
        assert!(is_diagnosis(comment));
        assert_eq!(rule(comment).as_deref(), Some("file-not-found"));
        assert_eq!(handoff(comment), Some(HandoffOutcome::Refused));
        assert_eq!(
            handoff("<!-- autoheal:copilot=accepted -->"),
            Some(HandoffOutcome::Accepted)
        );
        assert!(!is_diagnosis("> <!-- autoheal:fix -->"));
        assert_eq!(rule("no rule here"), None);
    }

    #[test]
    fn fix_branches_name_their_issue() {
        assert_eq!(fix_branch_issue("autoheal/issue-17"), Some(17));
        assert_eq!(fix_branch_issue("autoheal/issue-x"), None);
        assert_eq!(fix_branch_issue("feature/issue-17"), None);
    }
}
