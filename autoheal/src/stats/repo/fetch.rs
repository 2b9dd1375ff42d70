//! Reading a repository's auto-heal issues, their comments and its fix pull requests from
//! GitHub: lists of 100 a page following `Link: rel="next"`, bounded in issues and pages, and
//! stopping (never waiting) when the rate limit is used up, with what was read so far kept and
//! the reason said.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::{RepoComment, RepoIssue, RepoOptions, RepoPull, RepoStats};
use crate::github::trust::trusted_association;
use crate::github::{GitHubClient, GitHubError, ListPage, encode_query};
use crate::{Error, Result};

/// What was read from GitHub, and why it is not everything when it is not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fetched {
    /// The issues (not pull requests), the newest first, each with its comments.
    pub issues: Vec<RepoIssue>,
    /// The fix pull requests (branch `autoheal/issue-N`), the newest first.
    pub pulls: Vec<RepoPull>,
    /// What cut the reading short: a bound reached, or a rate limit.
    pub incomplete: Vec<String>,
}

/// Why the reading stopped early.
enum Stop {
    /// The rate limit: what was read is kept, and the message says until when.
    RateLimit(String),
    /// Anything else: nothing useful can be shown.
    Failed(GitHubError),
}

impl From<GitHubError> for Stop {
    fn from(error: GitHubError) -> Stop {
        match error {
            GitHubError::RateLimited(until) => Stop::RateLimit(rate_limit_message(until)),
            other => Stop::Failed(other),
        }
    }
}

fn rate_limit_message(until: Option<SystemTime>) -> String {
    match until {
        Some(until) => format!(
            "GitHub's rate limit was reached, so the reading stopped there: the figures are partial; run it again after {}",
            crate::timestamp::seconds(until)
        ),
        None => "GitHub's rate limit was reached, so the reading stopped there: the figures are partial; run it again later".to_string(),
    }
}

/// Reads pages, and stops before the next when the last said no request is left.
struct Reader<'a> {
    client: &'a GitHubClient,
    exhausted: Option<Option<SystemTime>>,
}

impl Reader<'_> {
    fn page(&mut self, target: &str) -> std::result::Result<ListPage, Stop> {
        if let Some(reset) = self.exhausted {
            return Err(Stop::RateLimit(rate_limit_message(reset)));
        }
        let page = self.client.get_page(target)?;
        if page.rate_remaining == Some(0) {
            self.exhausted = Some(page.rate_reset);
        }
        Ok(page)
    }
}

/// Read the issues labelled `label` of the client's repository, with their comments, and its
/// fix pull requests, as `options` bound them.
///
/// # Errors
///
/// When the first page cannot be read (no such repository, a token refused, GitHub out of
/// reach, a rate limit already reached), or a later one fails for another reason than the rate
/// limit: the message says what to do. A rate limit after the first page is no error: what was
/// read is returned, and [`Fetched::incomplete`] says so.
pub fn fetch(client: &GitHubClient, label: &str, options: &RepoOptions) -> Result<Fetched> {
    let mut reader = Reader {
        client,
        exhausted: None,
    };
    let mut fetched = Fetched::default();
    let mut counts = Vec::new();
    match read_issues(&mut reader, label, options, &mut fetched, &mut counts) {
        Ok(()) => {}
        Err(Stop::RateLimit(message)) if !fetched.issues.is_empty() => {
            fetched.incomplete.push(message);
            return Ok(fetched);
        }
        Err(Stop::RateLimit(message)) => {
            return Err(command_error(format!(
                "{} could not be read: {message}",
                client.repo()
            )));
        }
        Err(Stop::Failed(error)) => return Err(explain(client, &error)),
    }
    let rest = read_pulls(&mut reader, options, &mut fetched)
        .and_then(|()| read_comments(&mut reader, options, &mut fetched, &counts));
    match rest {
        Ok(()) => Ok(fetched),
        Err(Stop::RateLimit(message)) => {
            fetched.incomplete.push(message);
            Ok(fetched)
        }
        Err(Stop::Failed(error)) => Err(explain(client, &error)),
    }
}

impl RepoStats {
    /// Read the repository's issues labelled `label` from GitHub and sum them up.
    ///
    /// # Errors
    ///
    /// As [`fetch`].
    pub fn from_github(
        client: &GitHubClient,
        label: &str,
        options: &RepoOptions,
    ) -> Result<RepoStats> {
        let fetched = fetch(client, label, options)?;
        let mut stats = RepoStats::compute(client.repo(), &fetched.issues, &fetched.pulls, options);
        stats.incomplete = fetched.incomplete;
        Ok(stats)
    }
}

/// The issues, the newest first, up to the bounds; `counts` gets each one's comment count.
fn read_issues(
    reader: &mut Reader<'_>,
    label: &str,
    options: &RepoOptions,
    fetched: &mut Fetched,
    counts: &mut Vec<u64>,
) -> std::result::Result<(), Stop> {
    let mut target = format!(
        "/repos/{}/issues?state=all&labels={}&sort=created&direction=desc&per_page=100",
        reader.client.repo(),
        encode_query(label)
    );
    if let Some(since) = options.since_ms {
        // GitHub's `since` is about the last update: a superset of the issues opened since.
        let since = crate::timestamp::seconds(UNIX_EPOCH + Duration::from_millis(since));
        target.push_str(&format!("&since={}", encode_query(&since.to_string())));
    }
    for _ in 0..options.max_pages.max(1) {
        let page = reader.page(&target)?;
        for item in page.json.as_array().map(Vec::as_slice).unwrap_or_default() {
            if item.get("pull_request").is_some_and(|p| !p.is_null()) {
                continue;
            }
            let Some(issue) = issue_of(item) else {
                continue;
            };
            if options
                .since_ms
                .is_some_and(|since| issue.created_ms < since)
            {
                continue;
            }
            if fetched.issues.len() >= options.max_issues {
                fetched.incomplete.push(format!(
                    "only the newest {} issues were read (--max-issues raises the bound)",
                    options.max_issues
                ));
                return Ok(());
            }
            counts.push(item.get("comments").and_then(Value::as_u64).unwrap_or(1));
            fetched.issues.push(issue);
        }
        match page.next {
            Some(next) => target = next,
            None => return Ok(()),
        }
    }
    fetched.incomplete.push(format!(
        "only the first {} pages of issues were read",
        options.max_pages
    ));
    Ok(())
}

/// The fix pull requests, the newest first, until one older than `since` or the bound.
fn read_pulls(
    reader: &mut Reader<'_>,
    options: &RepoOptions,
    fetched: &mut Fetched,
) -> std::result::Result<(), Stop> {
    let mut target = format!(
        "/repos/{}/pulls?state=all&sort=created&direction=desc&per_page=100",
        reader.client.repo()
    );
    let repo = reader.client.repo().to_string();
    for _ in 0..options.max_pages.max(1) {
        let page = reader.page(&target)?;
        let mut older = false;
        for item in page.json.as_array().map(Vec::as_slice).unwrap_or_default() {
            let Some(pull) = pull_of(item, &repo) else {
                continue;
            };
            if options
                .since_ms
                .is_some_and(|since| pull.created_ms < since)
            {
                older = true;
                continue;
            }
            if super::parse::fix_branch_issue(&pull.head_ref).is_some() {
                fetched.pulls.push(pull);
            }
        }
        match page.next {
            Some(next) if !older => target = next,
            _ => return Ok(()),
        }
    }
    fetched.incomplete.push(format!(
        "only the first {} pages of pull requests were read",
        options.max_pages
    ));
    Ok(())
}

/// The comments of each issue that has any.
fn read_comments(
    reader: &mut Reader<'_>,
    options: &RepoOptions,
    fetched: &mut Fetched,
    counts: &[u64],
) -> std::result::Result<(), Stop> {
    let total = fetched.issues.len();
    for (at, count) in counts.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        let Some(number) = fetched.issues.get(at).map(|i| i.number) else {
            continue;
        };
        let mut target = format!(
            "/repos/{}/issues/{number}/comments?per_page=100",
            reader.client.repo()
        );
        let mut comments = Vec::new();
        let mut complete = false;
        for _ in 0..options.max_pages.max(1) {
            let page = match reader.page(&target) {
                Ok(page) => page,
                Err(Stop::RateLimit(message)) => {
                    return Err(Stop::RateLimit(format!(
                        "{message} (the comments of {at} of {total} issues were read; the others count as having none)"
                    )));
                }
                Err(other) => return Err(other),
            };
            comments.extend(
                page.json
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(comment_of),
            );
            match page.next {
                Some(next) => target = next,
                None => {
                    complete = true;
                    break;
                }
            }
        }
        if !complete {
            fetched.incomplete.push(format!(
                "only the first {} pages of comments of issue #{number} were read",
                options.max_pages
            ));
        }
        if let Some(issue) = fetched.issues.get_mut(at) {
            issue.comments = comments;
        }
    }
    Ok(())
}

/// A GitHub time as milliseconds since the Unix epoch.
fn time_ms(value: Option<&Value>) -> Option<u64> {
    let at = crate::timestamp::parse(value?.as_str()?)?;
    let since = at.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_millis()).ok()
}

fn text(item: &Value, name: &str) -> String {
    item.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn issue_of(item: &Value) -> Option<RepoIssue> {
    Some(RepoIssue {
        number: item.get("number")?.as_u64()?,
        title: text(item, "title"),
        html_url: text(item, "html_url"),
        body: text(item, "body"),
        created_ms: time_ms(item.get("created_at"))?,
        closed_ms: match item.get("state").and_then(Value::as_str) {
            Some("closed") => time_ms(item.get("closed_at")),
            _ => None,
        },
        comments: Vec::new(),
    })
}

fn comment_of(item: &Value) -> Option<RepoComment> {
    let login = item
        .get("user")
        .and_then(|u| u.get("login"))
        .and_then(Value::as_str);
    let association = item.get("author_association").and_then(Value::as_str);
    Some(RepoComment {
        body: text(item, "body"),
        created_ms: time_ms(item.get("created_at"))?,
        trusted: trusted_association(association) || login.is_some_and(|l| l.ends_with("[bot]")),
    })
}

fn pull_of(item: &Value, repo: &str) -> Option<RepoPull> {
    let head = item.get("head")?;
    let head_repo = head
        .get("repo")
        .and_then(|r| r.get("full_name"))
        .and_then(Value::as_str);
    Some(RepoPull {
        number: item.get("number")?.as_u64()?,
        html_url: text(item, "html_url"),
        head_ref: text(head, "ref"),
        from_repo: head_repo.is_some_and(|r| r.eq_ignore_ascii_case(repo)),
        created_ms: time_ms(item.get("created_at"))?,
        closed_ms: time_ms(item.get("closed_at")),
        merged_ms: time_ms(item.get("merged_at")),
    })
}

fn command_error(message: String) -> Error {
    Error::Command { message }
}

/// What went wrong reading the repository, and what to do about it.
fn explain(client: &GitHubClient, error: &GitHubError) -> Error {
    let repo = client.repo();
    command_error(match error {
        GitHubError::Unauthorized => "GitHub refused the token (401): it is invalid or expired; create a new one that can read the repository's issues and pull requests, and set GITHUB_TOKEN".to_string(),
        GitHubError::NoAccess(404) => format!(
            "repository {repo} was not found, or the token cannot see it (404): check the name (--repo OWNER/REPO) and that the token can read it"
        ),
        GitHubError::NoAccess(status) => format!(
            "the token may not read {repo}'s issues or pull requests ({status}): give it Issues: read and Pull requests: read on the repository"
        ),
        GitHubError::IssuesDisabled => format!("{repo} has issues turned off (410): there is nothing to sum up"),
        GitHubError::Moved { status, location } => format!(
            "{repo} moved ({status}{}): run it again with the repository's new name (--repo OWNER/REPO)",
            location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default()
        ),
        GitHubError::Unreachable(detail) => format!(
            "GitHub could not be reached ({detail}): check the network, or GITHUB_API_URL, and try again"
        ),
        GitHubError::TimedOut => "GitHub did not answer in time (timeout_secs): try again later".to_string(),
        GitHubError::Server(status) => format!("GitHub answered {status}: it is having trouble; try again later"),
        GitHubError::RateLimited(until) => rate_limit_message(*until),
        other => format!("reading {repo} from GitHub failed: {other}"),
    })
}
