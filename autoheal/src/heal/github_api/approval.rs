//! Whether an issue's report may be acted on, decided by [`crate::github::trust`]: the report
//! of an issue opened by the reporting identity or a member; of an outsider's issue that
//! someone who may triage approved (labelled it [`APPROVAL_LABEL`], or was named as its
//! approver); or else the report in a comment of a trusted author. Nothing else.

use serde::Deserialize;

use super::FixError;
use super::api::{Api, IssueDetails};
use crate::REPORT_MARKER;
use crate::github::trust::{may_triage, trusted_author};

/// The label whose addition by someone who may triage approves an outsider's issue: the one
/// the auto-heal workflow starts on.
pub const APPROVAL_LABEL: &str = "auto-heal";

/// Pages of events (100 a page) read for the approving label.
const MAX_EVENT_PAGES: usize = 10;

/// Pages of comments (100 a page) searched for a trusted report.
const MAX_COMMENT_PAGES: usize = 30;

/// Why a report is trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Approval {
    /// The issue's author is the reporting identity, or an owner, member or collaborator.
    Author {
        /// Their login.
        login: String,
    },
    /// Someone who may triage labelled the issue with [`APPROVAL_LABEL`].
    Labelled {
        /// Who added the label.
        by: String,
    },
    /// The approver named by the caller may triage.
    Approver {
        /// Their login.
        login: String,
    },
    /// The issue is an outsider's, but a trusted author's comment carries a report.
    Comment {
        /// The comment's address.
        url: String,
        /// Its author.
        by: String,
    },
}

impl std::fmt::Display for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Approval::Author { login } => {
                write!(f, "opened by {login}, whom the repository trusts")
            }
            Approval::Labelled { by } => {
                write!(f, "labelled {APPROVAL_LABEL} by {by}, who may triage")
            }
            Approval::Approver { login } => write!(f, "approved by {login}, who may triage"),
            Approval::Comment { url, by } => write!(f, "the report of {by}'s comment {url}"),
        }
    }
}

/// An event of the issue's history, the fields read.
#[derive(Debug, Deserialize)]
struct IssueEvent {
    #[serde(default)]
    event: String,
    #[serde(default)]
    actor: Option<Login>,
    #[serde(default)]
    label: Option<Named>,
}

#[derive(Debug, Deserialize)]
struct Login {
    login: String,
}

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
}

/// Why the issue's report may be acted on, and the text holding it (the body, or a trusted
/// comment's body).
///
/// # Errors
///
/// [`FixError::Untrusted`] when nobody trusted wrote or approved the report; a failed call.
pub(crate) fn approve(
    api: &Api<'_>,
    issue: &IssueDetails,
    approver: Option<&str>,
) -> Result<(Approval, String), FixError> {
    let number = issue.number;
    let body = issue.body.clone().unwrap_or_default();
    let author = issue.user.as_ref().map(|u| u.login.clone());
    let failed = |what: &str| FixError::github(format!("{what} of #{number}"));
    if trusted_author(
        api.client(),
        author.as_deref(),
        issue.author_association.as_deref(),
    )
    .map_err(failed("checking the author"))?
    {
        let login = author.unwrap_or_default();
        return Ok((Approval::Author { login }, body));
    }
    if let Some(login) = approver {
        if may_approve(api, login).map_err(failed("checking the approver"))? {
            let login = login.to_string();
            return Ok((Approval::Approver { login }, body));
        }
        return Err(FixError::Untrusted {
            number,
            author: author.unwrap_or_default(),
            reason: format!("{login}, named as its approver, may not triage the repository"),
        });
    }
    if let Some(by) = labelled_by(api, number).map_err(failed("reading the events"))? {
        return Ok((Approval::Labelled { by }, body));
    }
    let comment = api
        .find_comment(number, MAX_COMMENT_PAGES, |c| {
            if !c.body.as_deref().is_some_and(|b| b.contains(REPORT_MARKER)) {
                return Ok(false);
            }
            let login = c.user.as_ref().map(|u| u.login.as_str());
            trusted_author(api.client(), login, c.author_association.as_deref())
        })
        .map_err(failed("reading the comments"))?;
    if let Some(comment) = comment {
        let by = comment.user.map(|u| u.login).unwrap_or_default();
        let approval = Approval::Comment {
            url: comment.html_url,
            by,
        };
        return Ok((approval, comment.body.unwrap_or_default()));
    }
    Err(FixError::Untrusted {
        number,
        author: author.unwrap_or_default(),
        reason: format!(
            "nobody who may triage labelled it {APPROVAL_LABEL}, and no comment of a member carries a report"
        ),
    })
}

/// Who, among those who may triage, added [`APPROVAL_LABEL`] to issue `number`, if anyone.
fn labelled_by(api: &Api<'_>, number: u64) -> Result<Option<String>, crate::github::GitHubError> {
    let mut checked: Vec<String> = Vec::new();
    for event in api.issue_events(number, MAX_EVENT_PAGES)? {
        let Ok(event) = serde_json::from_value::<IssueEvent>(event) else {
            continue;
        };
        let labelled = event.event == "labeled"
            && event
                .label
                .as_ref()
                .is_some_and(|l| l.name.eq_ignore_ascii_case(APPROVAL_LABEL));
        let Some(actor) = event.actor.map(|a| a.login).filter(|_| labelled) else {
            continue;
        };
        if checked.iter().any(|c| c.eq_ignore_ascii_case(&actor)) {
            continue;
        }
        if may_approve(api, &actor)? {
            return Ok(Some(actor));
        }
        checked.push(actor);
    }
    Ok(None)
}

/// Whether `login` may approve: the reporting identity, or someone who may triage.
fn may_approve(api: &Api<'_>, login: &str) -> Result<bool, crate::github::GitHubError> {
    if trusted_author(api.client(), Some(login), None)? {
        return Ok(true);
    }
    Ok(api
        .collaborator_permission(login)?
        .is_some_and(|p| may_triage(p.role_name.as_deref(), p.permission.as_deref())))
}
