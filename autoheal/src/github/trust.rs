//! Whom the healing loop trusts. On a public repository anyone may open an issue, comment on
//! one, copy a fingerprint marker or write a report by hand: issue text proves nothing about
//! who wrote it. A report counts only when its author is the reporting identity (the login of
//! the token that files reports) or an owner, member or collaborator of the repository
//! (GitHub's `author_association`), or when someone who may triage the repository approved it
//! by labelling the issue. Every place that adopts an issue or acts on a report asks here.

use std::sync::OnceLock;

use super::{GitHubClient, GitHubError};
use crate::Report;

/// The login a workflow's `GITHUB_TOKEN` writes as. Such a token cannot read its own user
/// (`GET /user` answers 403), so a token that cannot is taken to be the workflow's.
pub const ACTIONS_BOT_LOGIN: &str = "github-actions[bot]";

/// The label of a failed CI job's report (`job_log` adds it): the workflow
/// files it and acts on the issue it lands on at once, so it goes only to a trusted issue.
pub(crate) const WORKFLOW_ERROR_LABEL: &str = "workflow-error";

/// The `author_association` values of people the repository trusts.
const TRUSTED_ASSOCIATIONS: [&str; 3] = ["OWNER", "MEMBER", "COLLABORATOR"];

#[cfg(feature = "heal")]
/// The roles that may triage (label issues): the built-in ones from `triage` up.
const TRIAGE_ROLES: [&str; 4] = ["admin", "maintain", "write", "triage"];

/// Whether `association` (an issue's or a comment's `author_association`) is an owner, member
/// or collaborator of the repository.
pub(crate) fn trusted_association(association: Option<&str>) -> bool {
    association.is_some_and(|a| TRUSTED_ASSOCIATIONS.contains(&a))
}

/// Whether the author of an issue or comment, `login` with `association`, is trusted: an owner,
/// member or collaborator, or the reporting identity itself. The identity is only asked of
/// GitHub (once per client) when the association does not already settle it.
///
/// # Errors
///
/// When GitHub cannot say who the token belongs to for another reason than the token being a
/// workflow's or an app's.
pub(crate) fn trusted_author(
    client: &GitHubClient,
    login: Option<&str>,
    association: Option<&str>,
) -> Result<bool, GitHubError> {
    if trusted_association(association) {
        return Ok(true);
    }
    let Some(login) = login else {
        return Ok(false);
    };
    Ok(login.eq_ignore_ascii_case(reporting_identity(client)?))
}

/// Whether a collaborator's permission (`role_name` and the legacy `permission` of
/// `GET /repos/{o}/{r}/collaborators/{user}/permission`) allows triage. A custom role is
/// judged by its base permission, which reads `write` or `admin` only from `maintain` up.
#[cfg(feature = "heal")]
pub(crate) fn may_triage(role_name: Option<&str>, permission: Option<&str>) -> bool {
    role_name.is_some_and(|r| TRIAGE_ROLES.contains(&r))
        || permission.is_some_and(|p| p == "admin" || p == "write")
}

/// Whether `report` may only be added to a trusted issue: a failed CI job's report, which the
/// workflow acts on with write permissions at once. Reports of applications may still be added
/// to an issue an end user opened (they report with their own tokens); the loop never acts on
/// such an issue unless it is approved.
pub(crate) fn needs_trusted_issue(report: &Report) -> bool {
    report.labels.iter().any(|l| l == WORKFLOW_ERROR_LABEL)
}

/// The login reports are filed as: the token's user, or [`ACTIONS_BOT_LOGIN`] for a token that
/// cannot read its user (a workflow's or an app's installation token). Asked once per client.
///
/// # Errors
///
/// A failed exchange other than GitHub refusing to say (403, 404).
pub(crate) fn reporting_identity(client: &GitHubClient) -> Result<&str, GitHubError> {
    let cell: &OnceLock<String> = client.identity_cell();
    if let Some(login) = cell.get() {
        return Ok(login);
    }
    let login = match client.authenticated_login() {
        Ok(login) => login,
        Err(GitHubError::NoAccess(403 | 404)) => ACTIONS_BOT_LOGIN.to_string(),
        Err(error) => return Err(error),
    };
    Ok(cell.get_or_init(|| login))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_members_and_collaborators_are_trusted_by_association() {
        for trusted in ["OWNER", "MEMBER", "COLLABORATOR"] {
            assert!(trusted_association(Some(trusted)), "{trusted}");
        }
        for outsider in ["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE", "owner", ""] {
            assert!(!trusted_association(Some(outsider)), "{outsider}");
        }
        assert!(!trusted_association(None));
    }

    #[cfg(feature = "heal")]
    #[test]
    fn triage_and_above_may_approve() {
        for role in ["admin", "maintain", "write", "triage"] {
            assert!(may_triage(Some(role), Some("read")), "{role}");
        }
        assert!(may_triage(Some("release-manager"), Some("write")));
        assert!(!may_triage(Some("read"), Some("read")));
        assert!(!may_triage(Some("none"), Some("none")));
        assert!(!may_triage(None, None));
    }
}
