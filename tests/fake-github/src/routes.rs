//! From a request to a reply: authentication, the route table, and the headers every GitHub
//! reply carries (content type, rate limits, request id).

use std::time::SystemTime;

use serde_json::{Value, json};

use super::encoding::{epoch_secs, http_date};
use super::faults::moved;
use super::http::{Query, RecordedRequest, Reply, decode};
use super::shapes::{bad_json, error_reply, not_found, user};
use super::state::{Auth, Resource, State};
use super::{copilot, git, issues, labels, people, pull_edits, search};

/// What every handler needs to know about the request.
pub(crate) struct Context<'a> {
    /// The fake's base address, for the API addresses in replies.
    pub(crate) base: &'a str,
    pub(crate) request: &'a RecordedRequest,
    pub(crate) query: Query,
}

impl Context<'_> {
    /// The body as JSON (`{}` when empty); `Err` is GitHub's 400 for a body that is not JSON.
    pub(crate) fn json(&self) -> Result<Value, Reply> {
        if self.request.body.trim().is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_str(&self.request.body).map_err(|_| bad_json())
    }
}

/// The rate-limit bucket a request counts against.
pub(crate) fn resource_of(path: &str) -> Resource {
    if path.starts_with("/search/") {
        Resource::Search
    } else {
        Resource::Core
    }
}

/// Answer `request` from `state`.
pub(crate) fn handle(state: &mut State, base: &str, request: &RecordedRequest) -> Reply {
    if let Some(refusal) = authenticate(&state.auth, request) {
        return refusal;
    }
    let segments: Vec<String> = request
        .path
        .trim_matches('/')
        .split('/')
        .map(decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let context = Context {
        base,
        request,
        query: Query::parse(&request.query),
    };
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["search", "issues"]) => search::search_issues(state, &context),
        ("GET", ["user"]) => Reply::json(200, &user(&state.login, base)),
        ("GET", ["rate_limit"]) => rate_limit(),
        ("POST", ["agents", "repos", owner, name, "tasks"]) => {
            let repo = format!("{owner}/{name}");
            state.repo_mut(&repo);
            copilot::start_task(state, &context, &repo)
        }
        (_, ["repos", owner, name, rest @ ..]) => {
            let repo = format!("{owner}/{name}");
            state.repo_mut(&repo);
            repository_route(state, &context, &repo, rest)
        }
        _ => not_found(),
    }
}

/// The routes under `/repos/{owner}/{repo}`.
fn repository_route(state: &mut State, context: &Context<'_>, repo: &str, rest: &[&str]) -> Reply {
    if let ["issues", number, tail @ ..] = rest
        && let Some(moved_to) = number
            .parse()
            .ok()
            .and_then(|n| state.repo_mut(repo).transferred.get(&n))
    {
        // GitHub's answer about an issue transferred to a repository the user can read.
        let suffix: String = tail.iter().map(|part| format!("/{part}")).collect();
        return moved(301, &format!("{}{moved_to}{suffix}", context.base));
    }
    match (context.request.method.as_str(), rest) {
        ("GET", []) => git::repository(state, context, repo),
        ("GET", ["issues"]) => issues::list(state, context, repo),
        ("POST", ["issues"]) => issues::create(state, context, repo),
        ("GET", ["issues", "comments", id]) => issues::get_comment(state, context, repo, id),
        ("PATCH", ["issues", "comments", id]) => issues::update_comment(state, context, repo, id),
        ("GET", ["issues", number]) => issues::get(state, context, repo, number),
        ("PATCH", ["issues", number]) => issues::update(state, context, repo, number),
        ("GET", ["issues", number, "comments"]) => {
            issues::list_comments(state, context, repo, number)
        }
        ("POST", ["issues", number, "comments"]) => {
            issues::add_comment(state, context, repo, number)
        }
        ("POST", ["issues", number, "assignees"]) => {
            copilot::add_assignees(state, context, repo, number)
        }
        ("GET", ["issues", number, "events"]) => people::issue_events(state, context, repo, number),
        ("GET", ["collaborators", login, "permission"]) => {
            people::collaborator_permission(state, context, repo, login)
        }
        ("GET", ["issues", number, "labels"]) => labels::of_issue(state, context, repo, number),
        ("POST", ["issues", number, "labels"]) => {
            labels::add_to_issue(state, context, repo, number, false)
        }
        ("PUT", ["issues", number, "labels"]) => {
            labels::add_to_issue(state, context, repo, number, true)
        }
        ("GET", ["labels"]) => labels::list(state, context, repo),
        ("POST", ["labels"]) => labels::create(state, context, repo),
        ("GET", ["labels", name]) => labels::get(state, context, repo, name),
        ("GET", ["contents", path @ ..]) => {
            git::get_contents(state, context, repo, &path.join("/"))
        }
        ("PUT", ["contents", path @ ..]) => {
            git::put_contents(state, context, repo, &path.join("/"))
        }
        ("GET", ["git", "ref" | "refs", "heads", branch @ ..]) => {
            git::get_branch_ref(state, context, repo, &branch.join("/"))
        }
        ("POST", ["git", "refs"]) => git::create_ref(state, context, repo),
        ("GET", ["pulls"]) => git::list_pulls(state, context, repo),
        ("POST", ["pulls"]) => git::create_pull(state, context, repo),
        ("GET", ["pulls", number]) => git::get_pull(state, context, repo, number),
        ("PATCH", ["pulls", number]) => pull_edits::update_pull(state, context, repo, number),
        _ => not_found(),
    }
}

/// `None` when the request may pass; otherwise GitHub's 401.
fn authenticate(auth: &Auth, request: &RecordedRequest) -> Option<Reply> {
    const DOCS: &str = "https://docs.github.com/rest";
    if *auth == Auth::AcceptAnything {
        return None;
    }
    let Some(header) = request.header("authorization") else {
        return Some(error_reply(401, "Requires authentication", DOCS));
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .or_else(|| header.strip_prefix("token "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    match (auth, token) {
        (Auth::RequireToken, Some(_)) => None,
        (Auth::Expect(expected), Some(token)) if token == expected => None,
        _ => Some(error_reply(401, "Bad credentials", DOCS)),
    }
}

/// `GET /rate_limit`: the two buckets at full capacity (the fake counts but never limits).
fn rate_limit() -> Reply {
    let reset = epoch_secs(SystemTime::now()) + 3600;
    let bucket =
        |limit: u64| json!({ "limit": limit, "used": 0, "remaining": limit, "reset": reset });
    Reply::json(
        200,
        &json!({
            "resources": { "core": bucket(5000), "search": bucket(30) },
            "rate": bucket(5000),
        }),
    )
}

/// Add the headers every GitHub reply carries, unless the reply already sets them (a rate
/// limit fault sets its own `X-RateLimit-*`).
pub(crate) fn add_common_headers(state: &mut State, reply: &mut Reply, path: &str, port: u16) {
    let resource = resource_of(path);
    let (serial, rate) = state.next_reply(resource);
    let mut headers = vec![
        (
            "Content-Type",
            "application/json; charset=utf-8".to_string(),
        ),
        ("Server", "GitHub.com".to_string()),
        ("Date", http_date(SystemTime::now())),
        ("X-GitHub-Media-Type", "github.v3; format=json".to_string()),
        ("X-GitHub-Api-Version-Selected", "2022-11-28".to_string()),
        ("X-RateLimit-Limit", resource.limit().to_string()),
        (
            "X-RateLimit-Remaining",
            (resource.limit() - rate.used).to_string(),
        ),
        ("X-RateLimit-Reset", epoch_secs(rate.reset).to_string()),
        ("X-RateLimit-Used", rate.used.to_string()),
        ("X-RateLimit-Resource", rate.resource.name().to_string()),
        (
            "X-GitHub-Request-Id",
            format!(
                "FAKE:{port:04X}:{serial:06X}:{:08X}",
                serial.wrapping_mul(2_654_435_761) as u32
            ),
        ),
    ];
    headers.retain(|(name, _)| !reply.has_header(name));
    reply
        .headers
        .extend(headers.into_iter().map(|(n, v)| (n.to_string(), v)));
}
