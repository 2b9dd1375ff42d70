//! The answering comment: the diagnosis (from [`comment_markdown`]) with what this run did
//! about it, posted once and updated in place afterwards.

use super::api::{Api, IssueComment};
use super::{CommentOutcome, FixError, Handoff, PullRequestOutcome};
use crate::fix::{Diagnosis, comment_markdown};
use crate::repair::{BundleOutcome, RepairBundle};

/// Opens the comment's hand-off section when the hand-off was accepted; a later run keeps the
/// section and does not hand the issue off twice.
const HANDOFF_ACCEPTED: &str = "<!-- autoheal:copilot=accepted -->";
/// Opens the section of a refused hand-off (a later run tries again).
const HANDOFF_REFUSED: &str = "<!-- autoheal:copilot=refused -->";
/// Closes the hand-off section.
const HANDOFF_END: &str = "<!-- autoheal:copilot-end -->";

/// The comment's body.
pub(crate) fn compose(
    diagnosis: &Diagnosis,
    pull_request: Option<&PullRequestOutcome>,
    repair: Option<&RepairBundle>,
    handoff_section: Option<&str>,
) -> String {
    let mut body = comment_markdown(diagnosis).trim_end().to_string();
    // The patch when there is one (its pull request may also add the troubleshooting entry,
    // unless the guide has it already), else the entry.
    let proposal = match (repair, &diagnosis.patch) {
        (Some(bundle), _) if bundle.outcome == BundleOutcome::Repaired => match &bundle.repair {
            Some(run) => format!("the repair made by `{}`", inline_code(&run.command)),
            None => "the verified repair".to_string(),
        },
        (_, Some(patch)) => format!("a change to `{}`", inline_code(&patch.path)),
        (_, None) => "a troubleshooting entry for this failure".to_string(),
    };
    // The same words whether this run opened the pull request or found it open: a second
    // run leaves the comment as it is.
    let pull_line = match pull_request {
        Some(PullRequestOutcome::Opened { url, .. }) => {
            Some(format!("**Pull request:** {url} proposes {proposal}."))
        }
        Some(
            PullRequestOutcome::Existing { url, state, .. }
            | PullRequestOutcome::Updated { url, state, .. },
        ) if state == "open" => Some(format!("**Pull request:** {url} proposes {proposal}.")),
        Some(
            PullRequestOutcome::Existing { url, state, .. }
            | PullRequestOutcome::Updated { url, state, .. },
        ) => Some(format!("**Pull request:** {url} ({state}).")),
        Some(PullRequestOutcome::AlreadyFixed { base }) => Some(format!(
            "**Fix:** `{base}` already documents this failure in its troubleshooting guide."
        )),
        Some(PullRequestOutcome::WouldOpen { .. } | PullRequestOutcome::WouldWrite { .. })
        | None => None,
    };
    if let Some(line) = pull_line {
        body.push_str("\n\n");
        body.push_str(&line);
    }
    if let Some(section) = repair.and_then(super::repair_pull::comment_section) {
        body.push_str("\n\n");
        body.push_str(section.trim());
    }
    if let Some(section) = handoff_section {
        body.push_str("\n\n");
        body.push_str(section.trim());
    }
    body.push('\n');
    body
}

/// The comment section saying what became of a hand-off (none for a dry run or a repeat).
pub(crate) fn handoff_section(handoff: &Handoff) -> Option<String> {
    let (marker, text) = match handoff {
        Handoff::TaskStarted { id, url } => {
            let link = url
                .as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            (
                HANDOFF_ACCEPTED,
                format!(
                    "**Copilot:** no rule recognises this failure, so it was handed to the Copilot coding agent: task `{}`{link}. The agent opens a pull request for review.",
                    inline_code(id)
                ),
            )
        }
        Handoff::Assigned { login } => (
            HANDOFF_ACCEPTED,
            format!(
                "**Copilot:** no rule recognises this failure, so this issue was assigned to Copilot (`{}`). The coding agent opens a pull request for review.",
                inline_code(login)
            ),
        ),
        Handoff::Refused { reason } => (
            HANDOFF_REFUSED,
            format!(
                "**Copilot:** no rule recognises this failure, and handing it to the Copilot coding agent was refused ({reason}); the repository may have no Copilot plan or the agent is turned off. Labelled `{}` for a maintainer.",
                super::NEEDS_TRIAGE_LABEL
            ),
        ),
        Handoff::AlreadyHandedOff | Handoff::WouldHandOff => return None,
    };
    Some(format!("{marker}\n{text}\n{HANDOFF_END}"))
}

/// The hand-off section of an earlier answer, when that hand-off was accepted.
pub(crate) fn accepted_handoff(earlier: &str) -> Option<String> {
    let start = earlier.find(HANDOFF_ACCEPTED)?;
    let rest = earlier.get(start..)?;
    let end = rest.find(HANDOFF_END)? + HANDOFF_END.len();
    rest.get(..end).map(str::to_string)
}

/// Post `body` as a new comment, or update the earlier answer unless it already says so.
pub(crate) fn publish(
    api: &Api<'_>,
    number: u64,
    earlier: Option<&IssueComment>,
    body: &str,
) -> Result<CommentOutcome, FixError> {
    let action = format!("answering issue #{number}");
    match earlier {
        Some(comment) if comment.body.as_deref() == Some(body) => Ok(CommentOutcome::Unchanged {
            url: comment.html_url.clone(),
        }),
        Some(comment) => match api
            .update_comment(comment.id, body)
            .map_err(FixError::github(action))?
        {
            Some(updated) => Ok(CommentOutcome::Updated {
                url: updated.html_url,
            }),
            None => Ok(CommentOutcome::WouldUpdate {
                url: comment.html_url.clone(),
            }),
        },
        None => match api
            .add_comment(number, body)
            .map_err(FixError::github(action))?
        {
            Some(posted) => Ok(CommentOutcome::Posted {
                url: posted.html_url,
            }),
            None => Ok(CommentOutcome::WouldPost),
        },
    }
}

/// Text safe inside single backticks.
pub(crate) fn inline_code(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '`' && !c.is_control())
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{Confidence, FIX_COMMENT_MARKER, UNRECOGNISED};

    fn diagnosis() -> Diagnosis {
        Diagnosis {
            rule_id: UNRECOGNISED.to_string(),
            title: "Weird failure".to_string(),
            cause: String::new(),
            steps: Vec::new(),
            confidence: Confidence::Low,
            location: None,
            patch: None,
            prompt: Some("Investigate".to_string()),
        }
    }

    #[test]
    fn an_accepted_handoff_is_found_again_and_a_refused_one_is_not() {
        let accepted = handoff_section(&Handoff::TaskStarted {
            id: "a1b2".to_string(),
            url: None,
        })
        .unwrap();
        let body = compose(&diagnosis(), None, None, Some(&accepted));
        assert!(body.starts_with(FIX_COMMENT_MARKER), "{body}");
        assert_eq!(accepted_handoff(&body).as_deref(), Some(accepted.as_str()));
        assert_eq!(
            compose(&diagnosis(), None, None, accepted_handoff(&body).as_deref()),
            body
        );

        let refused = handoff_section(&Handoff::Refused {
            reason: "403".to_string(),
        })
        .unwrap();
        let body = compose(&diagnosis(), None, None, Some(&refused));
        assert!(body.contains("needs-triage"), "{body}");
        assert_eq!(accepted_handoff(&body), None);
    }

    #[test]
    fn the_comment_links_the_pull_request() {
        let opened = PullRequestOutcome::Opened {
            number: 7,
            url: "https://github.com/acme/tools/pull/7".to_string(),
            committed: vec!["docs/TROUBLESHOOTING.md".to_string()],
            draft: true,
        };
        let body = compose(&diagnosis(), Some(&opened), None, None);
        assert!(
            body.contains("**Pull request:** https://github.com/acme/tools/pull/7 proposes a troubleshooting entry"),
            "{body}"
        );
        let found = PullRequestOutcome::Existing {
            number: 7,
            url: "https://github.com/acme/tools/pull/7".to_string(),
            state: "open".to_string(),
        };
        assert_eq!(compose(&diagnosis(), Some(&found), None, None), body);
        assert_eq!(inline_code("a`b\nc"), "abc");
    }
}
