//! Finding the open issue of a bug on GitHub: the search API first, and the list of open
//! auto-heal issues (which does not lag behind, unlike search) when search cannot answer.

use super::GitHubError;
use super::client::{GitHubClient, IssueRef};
use super::trust::trusted_author;
use crate::{Config, fingerprint_marker};

/// Pages of open auto-heal issues read when search is unavailable (100 issues a page).
const MAX_LIST_PAGES: usize = 100;

/// Pages of the newest open issues read for an issue a dead process may have filed: it is
/// among the newest 300 unless 300 others were filed since.
pub(crate) const RECENT_PAGES: usize = 3;

/// Pages read after filing a new issue, looking for a twin filed at the same moment: the
/// newest 100 open issues hold it unless 100 others were filed in between.
pub(crate) const TWIN_CHECK_PAGES: usize = 1;

/// The label the list is filtered by: the first configured one.
fn list_label(config: &Config) -> &str {
    config
        .issue_labels
        .first()
        .map_or("auto-heal", String::as_str)
}

/// Which issues a report may be added to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Adopt {
    /// Any issue with the fingerprint's marker (an application's report).
    Any,
    /// Only an issue the repository trusts (see [`super::trust`]): a CI failure's report.
    TrustedOnly,
}

impl Adopt {
    /// Whether `issue` may take the report.
    pub(crate) fn accepts(
        self,
        client: &GitHubClient,
        issue: &IssueRef,
    ) -> Result<bool, GitHubError> {
        match self {
            Adopt::Any => Ok(true),
            Adopt::TrustedOnly => {
                trusted_author(client, issue.author(), issue.author_association.as_deref())
            }
        }
    }
}

/// The oldest open issue carrying the fingerprint's marker that `adopt` accepts, from the
/// (authoritative) list, up to `pages` pages of it.
pub(crate) fn oldest_open_with_marker(
    client: &GitHubClient,
    config: &Config,
    fingerprint: &str,
    pages: usize,
    adopt: Adopt,
) -> Result<Option<IssueRef>, GitHubError> {
    let marker = fingerprint_marker(fingerprint);
    let mut oldest: Option<IssueRef> = None;
    let mut failure = None;
    client.list_open(list_label(config), pages, |issue| {
        if issue.body.as_deref().is_some_and(|b| b.contains(&marker))
            && oldest.as_ref().is_none_or(|o| issue.number < o.number)
        {
            match adopt.accepts(client, issue) {
                Ok(true) => oldest = Some(issue.clone()),
                Ok(false) => {}
                Err(error) => {
                    failure = Some(error);
                    return false;
                }
            }
        }
        true
    })?;
    match failure {
        Some(error) => Err(error),
        None => Ok(oldest),
    }
}

/// The open issue carrying this fingerprint's marker: search first; when search is refused,
/// rate limited, failing or incomplete, the paginated list of open issues with the first
/// configured label. A token or repository that cannot work ends the look at once.
pub(crate) fn find_open_issue(
    client: &GitHubClient,
    config: &Config,
    fingerprint: &str,
    adopt: Adopt,
) -> Result<Option<IssueRef>, GitHubError> {
    let marker = fingerprint_marker(fingerprint);
    let has_marker = |issue: &IssueRef| issue.body.as_deref().is_some_and(|b| b.contains(&marker));
    match client.search_open(&format!("autoheal:fingerprint={fingerprint}")) {
        Ok(Some(items)) => {
            for item in items {
                if has_marker(&item) && item.state == "open" && adopt.accepts(client, &item)? {
                    return Ok(Some(item));
                }
            }
            return Ok(None);
        }
        // Incomplete results are no answer: the issue may be among those not searched.
        Ok(None) => {}
        Err(
            error @ (GitHubError::Unauthorized
            | GitHubError::NoAccess(_)
            | GitHubError::IssuesDisabled),
        ) => return Err(error),
        Err(_) => {}
    }
    let mut found = Ok(None);
    client.list_open(list_label(config), MAX_LIST_PAGES, |issue| {
        if !has_marker(issue) {
            return true;
        }
        match adopt.accepts(client, issue) {
            Ok(false) => true,
            Ok(true) => {
                found = Ok(Some(issue.clone()));
                false
            }
            Err(error) => {
                found = Err(error);
                false
            }
        }
    })?;
    found
}
