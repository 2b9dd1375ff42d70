//! A blocking GitHub REST client over ureq: the few calls reporting needs, bounded by timeouts,
//! with every status turned into a [`GitHubError`] that says what to do.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use ureq::http::Response;

use super::GitHubError;
use crate::json::{Fields, FromJson, deserialize_through_json};
use crate::{Config, IssueDraft, Token};

/// An issue as the API describes it (the fields reporting reads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueRef {
    /// Its id, unique across GitHub (what `duplicate_issue_id` names), not its number.
    pub id: u64,
    /// The issue's number.
    pub number: u64,
    /// Its web address.
    pub html_url: String,
    /// `open` or `closed`.
    pub state: String,
    /// Its body.
    pub body: Option<String>,
    /// Who opened it.
    pub user: Option<IssueAuthor>,
    /// The author's relation to the repository: `OWNER`, `MEMBER`, `COLLABORATOR`,
    /// `CONTRIBUTOR`, `NONE`, ...
    pub author_association: Option<String>,
}

/// The author of an issue or comment, as GitHub names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssueAuthor {
    /// Their login (`octocat`, `github-actions[bot]`).
    pub login: String,
}

impl IssueRef {
    /// The login of whoever opened it, when GitHub said.
    pub fn author(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.login.as_str())
    }
}

struct AuthenticatedUser {
    login: String,
}

/// A successful reply of [`GitHubClient::exchange`].
#[cfg(feature = "heal")]
#[derive(Debug)]
pub(crate) struct ApiReply {
    /// The body as JSON (`null` when empty).
    pub(crate) json: Value,
    /// The `rel="next"` address of its `Link` header, for a list with more pages.
    pub(crate) next: Option<String>,
}

/// A page of a list, as [`GitHubClient::get_page`] reads it.
#[derive(Debug)]
pub(crate) struct ListPage {
    /// The body as JSON.
    pub(crate) json: Value,
    /// The `rel="next"` address of its `Link` header, when there are more pages.
    pub(crate) next: Option<String>,
    /// `X-RateLimit-Remaining`: the requests left in the window, when GitHub said.
    pub(crate) rate_remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window starts again, when GitHub said.
    pub(crate) rate_reset: Option<SystemTime>,
}

struct CommentRef {
    body: Option<String>,
}

/// An item of the issue list or of search results: a pull request is an issue too there, and
/// carries a `pull_request` object.
struct ListedIssue {
    issue: IssueRef,
    pull_request: Option<Value>,
}

impl ListedIssue {
    /// The issue, or `None` for a pull request.
    fn into_issue(self) -> Option<IssueRef> {
        self.pull_request.is_none().then_some(self.issue)
    }
}

struct SearchResults {
    /// `true` when the search timed out before looking everywhere: the items are not the
    /// answer, and an issue missing from them may well exist.
    incomplete_results: bool,
    items: Vec<ListedIssue>,
}

/// `id` and `body` may be missing (`body` may also be `null`); the others must be there.
impl FromJson for IssueRef {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "issue")?;
        Ok(IssueRef {
            id: fields.or_default("id")?,
            number: fields.required("number")?,
            html_url: fields.required("html_url")?,
            state: fields.required("state")?,
            body: fields.optional("body")?,
            user: fields.optional("user")?,
            author_association: fields.optional("author_association")?,
        })
    }
}

/// `login` may be missing: it is then empty.
impl FromJson for IssueAuthor {
    fn from_json(json: &Value) -> Result<Self, String> {
        Ok(IssueAuthor {
            login: Fields::of(json, "user")?.or_default("login")?,
        })
    }
}

impl FromJson for AuthenticatedUser {
    fn from_json(json: &Value) -> Result<Self, String> {
        Ok(AuthenticatedUser {
            login: Fields::of(json, "user")?.required("login")?,
        })
    }
}

deserialize_through_json!(IssueRef, IssueAuthor);

impl FromJson for CommentRef {
    fn from_json(json: &Value) -> Result<Self, String> {
        Ok(CommentRef {
            body: Fields::of(json, "comment")?.optional("body")?,
        })
    }
}

impl FromJson for ListedIssue {
    fn from_json(json: &Value) -> Result<Self, String> {
        Ok(ListedIssue {
            issue: IssueRef::from_json(json)?,
            pull_request: Fields::of(json, "issue")?.optional("pull_request")?,
        })
    }
}

impl FromJson for SearchResults {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "search results")?;
        Ok(SearchResults {
            incomplete_results: fields.or_default("incomplete_results")?,
            items: fields.required("items")?,
        })
    }
}

/// The longest GitHub's documentation tells a client to wait after a secondary rate limit that
/// named no time: "wait for at least one minute".
pub(crate) const SECONDARY_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// Talks to the issues API of one repository.
#[derive(Debug)]
pub struct GitHubClient {
    agent: ureq::Agent,
    api: String,
    repo: String,
    token: Token,
    /// The login reports are filed as, once asked ([`super::trust::reporting_identity`]).
    identity: std::sync::OnceLock<String>,
}

/// How long to wait before writing again after GitHub answered 5xx.
pub(crate) const SERVER_RETRY_DELAY: Duration = Duration::from_millis(500);

type Reply = Response<ureq::Body>;

impl GitHubClient {
    /// A client for `config`'s repository and API, or `None` without a repository or token.
    pub fn from_config(config: &Config) -> Option<GitHubClient> {
        let (repo, token) = (config.github_repo.clone()?, config.github_token.clone()?);
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!(
                "{}/{} autoheal/{}",
                config.app.name,
                config.app.version,
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .into();
        Some(GitHubClient {
            agent,
            api: config.api_url.trim_end_matches('/').to_string(),
            repo,
            token,
            identity: std::sync::OnceLock::new(),
        })
    }

    /// The same client (repository, API, timeouts) sending `token` instead.
    pub fn with_token(&self, token: Token) -> GitHubClient {
        GitHubClient {
            agent: self.agent.clone(),
            api: self.api.clone(),
            repo: self.repo.clone(),
            token,
            identity: std::sync::OnceLock::new(),
        }
    }

    /// The repository, `owner/repo`.
    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// Where the reporting identity is kept once known.
    pub(crate) fn identity_cell(&self) -> &std::sync::OnceLock<String> {
        &self.identity
    }

    /// The login of the token's user (`GET /user`).
    ///
    /// # Errors
    ///
    /// Any failed exchange; 403 for a workflow's or an app's installation token.
    pub(crate) fn authenticated_login(&self) -> Result<String, GitHubError> {
        let url = format!("{}/user", self.api);
        let user: AuthenticatedUser = self.send(self.agent.get(&url)).and_then(parse)?;
        Ok(user.login)
    }

    /// Create an issue. When GitHub refuses its labels (422), it is created again without them.
    /// A 5xx is not retried here: GitHub may have filed the issue before failing, so the caller
    /// looks before filing again.
    ///
    /// # Errors
    ///
    /// Any failed exchange.
    pub fn create_issue(&self, draft: &IssueDraft) -> Result<IssueRef, GitHubError> {
        let url = format!("{}/repos/{}/issues", self.api, self.repo);
        let body = json!({ "title": draft.title, "body": draft.body, "labels": draft.labels });
        match self.send_json_once("POST", &url, &body) {
            Err(GitHubError::Rejected { errors, .. })
                if !draft.labels.is_empty()
                    && errors
                        .iter()
                        .any(|e| e.to_ascii_lowercase().contains("label")) =>
            {
                let body = json!({ "title": draft.title, "body": draft.body });
                self.send_json_once("POST", &url, &body)
            }
            other => other,
        }
        .and_then(parse)
    }

    /// Add a comment to issue `number`. A 5xx is not retried: GitHub may have posted it
    /// before failing (the next delivery looks at the issue's comments first).
    ///
    /// # Errors
    ///
    /// Any failed exchange.
    pub fn comment(&self, number: u64, body: &str) -> Result<(), GitHubError> {
        let url = format!("{}/repos/{}/issues/{number}/comments", self.api, self.repo);
        self.send_json_once("POST", &url, &json!({ "body": body }))
            .map(|_| ())
    }

    /// The bodies of the comments on issue `number` updated at or after `since` (Unix
    /// seconds), oldest first, up to `max_pages` pages of 100.
    ///
    /// # Errors
    ///
    /// Any failed exchange.
    pub fn comments_since(
        &self,
        number: u64,
        since: u64,
        max_pages: usize,
    ) -> Result<Vec<String>, GitHubError> {
        let since = crate::timestamp::seconds(UNIX_EPOCH + Duration::from_secs(since));
        let mut url = format!(
            "{}/repos/{}/issues/{number}/comments?per_page=100&since={}",
            self.api,
            self.repo,
            encode(&since.to_string())
        );
        let mut bodies = Vec::new();
        for _ in 0..max_pages {
            let reply = self.send(self.agent.get(&url))?;
            let next = next_link(&reply);
            let comments: Vec<CommentRef> = parse(reply)?;
            bodies.extend(comments.into_iter().filter_map(|c| c.body));
            match next {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(bodies)
    }

    /// Close issue `number` as a duplicate of `original`, saying so in a comment. GitHub's
    /// `state_reason: "duplicate"` names the original by its id (`duplicate_issue_id`), so
    /// the issue page links the two.
    ///
    /// # Errors
    ///
    /// Any failed exchange.
    pub fn close_as_duplicate(&self, number: u64, original: &IssueRef) -> Result<(), GitHubError> {
        self.comment(
            number,
            &format!(
                "Duplicate of #{}: the same failure was reported there first.",
                original.number
            ),
        )?;
        let url = format!("{}/repos/{}/issues/{number}", self.api, self.repo);
        self.send_json(
            "PATCH",
            &url,
            &json!({
                "state": "closed",
                "state_reason": "duplicate",
                "duplicate_issue_id": original.id,
            }),
        )
        .map(|_| ())
    }

    /// Issue `number`. A redirect is not followed (it would be followed without the token):
    /// an issue transferred or deleted is [`GitHubError::Moved`].
    ///
    /// # Errors
    ///
    /// Any failed exchange.
    pub fn issue(&self, number: u64) -> Result<IssueRef, GitHubError> {
        let url = format!("{}/repos/{}/issues/{number}", self.api, self.repo);
        self.send(without_redirects(self.agent.get(&url)))
            .and_then(parse)
    }

    /// Open issues (not pull requests) whose body holds `marker`, found through the search
    /// API; `None` when GitHub says its results are incomplete (`incomplete_results`), which
    /// is no answer: the issue may exist all the same.
    ///
    /// # Errors
    ///
    /// Any failed exchange (search has its own, stricter rate limit).
    pub fn search_open(&self, marker: &str) -> Result<Option<Vec<IssueRef>>, GitHubError> {
        let url = format!("{}/search/issues", self.api);
        let query = format!("repo:{} is:issue is:open in:body \"{marker}\"", self.repo);
        let reply = self.send(
            self.agent
                .get(&url)
                .query("q", &query)
                .query("per_page", "10"),
        )?;
        let results: SearchResults = parse(reply)?;
        if results.incomplete_results {
            return Ok(None);
        }
        Ok(Some(
            results
                .items
                .into_iter()
                .filter_map(ListedIssue::into_issue)
                .collect(),
        ))
    }

    /// Open issues (pull requests skipped) carrying `label`, page by page (following `Link: rel="next"`), until `keep`
    /// says stop or `max_pages` pages were read.
    ///
    /// # Errors
    ///
    /// Any failed exchange.
    pub fn list_open(
        &self,
        label: &str,
        max_pages: usize,
        mut keep: impl FnMut(&IssueRef) -> bool,
    ) -> Result<(), GitHubError> {
        let mut url = format!(
            "{}/repos/{}/issues?state=open&per_page=100&labels={}",
            self.api,
            self.repo,
            encode(label)
        );
        for _ in 0..max_pages {
            let reply = self.send(self.agent.get(&url))?;
            let next = next_link(&reply);
            let issues: Vec<ListedIssue> = parse(reply)?;
            for issue in issues.into_iter().filter_map(ListedIssue::into_issue) {
                if !keep(&issue) {
                    return Ok(());
                }
            }
            match next {
                Some(next) => url = next,
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// One page of a list read with `GET`: `target` is a path under the API's base
    /// (`/repos/o/r/issues?state=all`) or the absolute `rel="next"` address of the page before.
    /// Nothing is retried and nothing waits: a rate limit is the caller's to report.
    ///
    /// # Errors
    ///
    /// Any failed exchange, or a reply that is not JSON.
    pub(crate) fn get_page(&self, target: &str) -> Result<ListPage, GitHubError> {
        let url = if target.starts_with("http://") || target.starts_with("https://") {
            target.to_string()
        } else {
            format!("{}{target}", self.api)
        };
        let mut reply = self.send(self.agent.get(&url))?;
        let next = next_link(&reply);
        let rate_remaining = reply
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let rate_reset = reply
            .headers()
            .get("x-ratelimit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|t| UNIX_EPOCH + Duration::from_secs(t));
        let text = reply
            .body_mut()
            .read_to_string()
            .map_err(|e| GitHubError::UnexpectedReply(e.to_string()))?;
        let json = serde_json::from_str(&text)
            .map_err(|e| GitHubError::UnexpectedReply(format!("not the documented JSON: {e}")))?;
        Ok(ListPage {
            json,
            next,
            rate_remaining,
            rate_reset,
        })
    }

    /// One exchange with the API and nothing more: `target` is a path under the API's base
    /// (`/repos/o/r/issues/1`) or an absolute address from a `Link` header; a body is sent as
    /// JSON. No retry: a caller that writes decides itself whether trying again is safe.
    ///
    /// # Errors
    ///
    /// Any failed exchange, or a reply that is not JSON.
    #[cfg(feature = "heal")]
    pub(crate) fn exchange(
        &self,
        method: &str,
        target: &str,
        body: Option<&Value>,
    ) -> Result<ApiReply, GitHubError> {
        let url = if target.starts_with("http://") || target.starts_with("https://") {
            target.to_string()
        } else {
            format!("{}{target}", self.api)
        };
        let reply = match (method, body) {
            ("GET", _) => self.send(self.agent.get(&url))?,
            (_, body) => {
                let empty = json!({});
                let request = self.headers(self.body_request(method, &url));
                send_body(request, body.unwrap_or(&empty))?
            }
        };
        let next = next_link(&reply);
        let mut reply = reply;
        let text = reply
            .body_mut()
            .read_to_string()
            .map_err(|e| GitHubError::UnexpectedReply(e.to_string()))?;
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| {
                GitHubError::UnexpectedReply(format!("not the documented JSON: {e}"))
            })?
        };
        Ok(ApiReply { json, next })
    }

    /// The API's base address, without a trailing slash.
    #[cfg(feature = "heal")]
    pub(crate) fn api_url(&self) -> &str {
        &self.api
    }

    /// A write to `url`. Its redirects are not followed: ureq would follow a 301 as a `GET`
    /// without the token, and the write would look done when nothing was written.
    fn body_request(
        &self,
        method: &str,
        url: &str,
    ) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        without_redirects(match method {
            "PATCH" => self.agent.patch(url),
            "PUT" => self.agent.put(url),
            _ => self.agent.post(url),
        })
    }

    /// An idempotent write (a `PATCH` that sets a state), retried once after a 5xx: a blip
    /// should not cost a queued report.
    fn send_json(&self, method: &str, url: &str, body: &Value) -> Result<Reply, GitHubError> {
        match self.send_json_once(method, url, body) {
            Err(GitHubError::Server(_)) => {
                std::thread::sleep(SERVER_RETRY_DELAY);
                self.send_json_once(method, url, body)
            }
            other => other,
        }
    }

    /// A write sent once: one that would be made twice if GitHub carried it out and then
    /// answered 5xx.
    fn send_json_once(&self, method: &str, url: &str, body: &Value) -> Result<Reply, GitHubError> {
        send_body(self.headers(self.body_request(method, url)), body)
    }

    fn send(
        &self,
        request: ureq::RequestBuilder<ureq::typestate::WithoutBody>,
    ) -> Result<Reply, GitHubError> {
        self.headers(request)
            .call()
            .map_err(transport)
            .and_then(check)
    }

    fn headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        request
            .header("Authorization", format!("Bearer {}", self.token.expose()))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
    }
}

/// `request`, answered with the redirect itself rather than where it points.
fn without_redirects<B>(request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
    request.config().max_redirects(0).build()
}

fn transport(error: ureq::Error) -> GitHubError {
    match error {
        ureq::Error::Timeout(_) => GitHubError::TimedOut,
        ureq::Error::Io(io)
            if io.kind() == std::io::ErrorKind::TimedOut
                || io.kind() == std::io::ErrorKind::WouldBlock =>
        {
            GitHubError::TimedOut
        }
        other => GitHubError::Unreachable(other.to_string()),
    }
}

/// Turn a reply's status into success or the error that says what to do.
fn check(reply: Reply) -> Result<Reply, GitHubError> {
    let status = reply.status().as_u16();
    let header = |name: &str| {
        reply
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    match status {
        200..=299 => Ok(reply),
        300..=399 => Err(GitHubError::Moved {
            status,
            location: header("location"),
        }),
        401 => Err(GitHubError::Unauthorized),
        403 | 429 => {
            let retry_after = header("retry-after").and_then(|s| s.trim().parse::<u64>().ok());
            let exhausted = header("x-ratelimit-remaining").as_deref() == Some("0");
            let reset = header("x-ratelimit-reset")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(|t| UNIX_EPOCH + Duration::from_secs(t));
            if let Some(secs) = retry_after {
                return Err(GitHubError::RateLimited(Some(
                    SystemTime::now() + Duration::from_secs(secs),
                )));
            }
            if exhausted {
                let until = reset.unwrap_or_else(|| SystemTime::now() + SECONDARY_RATE_LIMIT_WAIT);
                return Err(GitHubError::RateLimited(Some(until)));
            }
            // A secondary rate limit may come with neither header: only its message tells it
            // from a refusal, and GitHub asks for at least a minute's wait.
            let message = error_body(reply).0.to_ascii_lowercase();
            if status == 429 || message.contains("rate limit") || message.contains("abuse") {
                return Err(GitHubError::RateLimited(Some(
                    SystemTime::now() + SECONDARY_RATE_LIMIT_WAIT,
                )));
            }
            Err(GitHubError::NoAccess(status))
        }
        404 => Err(GitHubError::NoAccess(status)),
        410 => Err(GitHubError::IssuesDisabled),
        400 | 422 => {
            let (message, errors) = error_body(reply);
            Err(GitHubError::Rejected {
                status,
                message,
                errors,
            })
        }
        500..=599 => Err(GitHubError::Server(status)),
        other => Err(GitHubError::UnexpectedReply(format!("status {other}"))),
    }
}

/// GitHub's error body: its `message` and its `errors` details, one line each, each cut
/// short (a body that is not the documented JSON gives its first characters as the message).
fn error_body(mut reply: Reply) -> (String, Vec<String>) {
    const LONGEST: usize = 300;
    let text = reply
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let short = |s: &str| s.chars().take(LONGEST).collect::<String>();
    let Ok(json) = serde_json::from_str::<Value>(&text) else {
        return (short(text.trim()), Vec::new());
    };
    let message = json
        .get("message")
        .and_then(Value::as_str)
        .map_or_else(|| short(text.trim()), short);
    let errors = json
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|error| short(&error_detail(error)))
                .collect()
        })
        .unwrap_or_default();
    (message, errors)
}

/// One item of a validation error's `errors`: `field: message`, or `resource field code`.
fn error_detail(error: &Value) -> String {
    if let Some(text) = error.as_str() {
        return text.to_string();
    }
    let field = |name: &str| error.get(name).and_then(Value::as_str).unwrap_or_default();
    match (field("field"), field("message")) {
        (name, message) if !message.is_empty() && !name.is_empty() => format!("{name}: {message}"),
        (_, message) if !message.is_empty() => message.to_string(),
        _ => [field("resource"), field("field"), field("code")]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn parse<T: FromJson>(mut reply: Reply) -> Result<T, GitHubError> {
    let text = reply
        .body_mut()
        .read_to_string()
        .map_err(|e| GitHubError::UnexpectedReply(e.to_string()))?;
    crate::json::parse(&text)
        .map_err(|e| GitHubError::UnexpectedReply(format!("not the documented JSON: {e}")))
}

/// Send `body` as the request's JSON body.
fn send_body(
    request: ureq::RequestBuilder<ureq::typestate::WithBody>,
    body: &Value,
) -> Result<Reply, GitHubError> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    request
        .header("content-type", "application/json")
        .send(&bytes[..])
        .map_err(transport)
        .and_then(check)
}

/// The `rel="next"` address of an RFC 8288 `Link` header.
fn next_link(reply: &Reply) -> Option<String> {
    let link = reply.headers().get("link")?.to_str().ok()?;
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let start = part.find('<')? + 1;
            let end = part.find('>')?;
            part.get(start..end).map(str::to_string)
        })
}

/// Percent-encode one query value or path segment (RFC 3986 unreserved characters stay).
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
