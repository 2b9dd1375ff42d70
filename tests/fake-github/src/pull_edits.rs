//! Editing a pull request: `PATCH /repos/{o}/{r}/pulls/{n}` with `title`, `body`, `state` and
//! `base`, as GitHub documents it ("Update a pull request").

use std::time::SystemTime;

use serde_json::json;

use super::http::Reply;
use super::routes::Context;
use super::shapes::{self, not_found, validation_failed};
use super::state::{Repo, State};

const UPDATE_DOCS: &str = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request";

/// `PATCH /repos/{o}/{r}/pulls/{n}`: the fields given are changed, the others kept; the reply
/// is the pull request as it is now.
pub(crate) fn update_pull(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let invalid = |field: &str| {
        validation_failed(
            &json!([{ "resource": "PullRequest", "field": field, "code": "invalid" }]),
            UPDATE_DOCS,
        )
    };
    let wanted_state = match input["state"].as_str() {
        None => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => return invalid("state"),
    };
    if input["title"].as_str().is_some_and(|t| t.trim().is_empty()) {
        return invalid("title");
    }
    let repo_state: &mut Repo = state.repo_mut(repo);
    let base_sha = match input["base"].as_str() {
        Some(base) => match repo_state.branches.get(base) {
            Some(sha) => Some((base.to_string(), sha.clone())),
            None => return invalid("base"),
        },
        None => None,
    };
    let Some(issue) = repo_state.issue_mut(number).filter(|i| i.pull.is_some()) else {
        return not_found();
    };
    if let Some(title) = input["title"].as_str() {
        issue.title = title.to_string();
    }
    if let Some(body) = input.get("body").filter(|b| !b.is_null()) {
        issue.body = body.as_str().map(str::to_string);
    }
    if let (Some((base, sha)), Some(pull)) = (base_sha, issue.pull.as_mut()) {
        pull.base = base;
        pull.base_sha = sha;
    }
    if let Some(open) = wanted_state
        && open != issue.open
    {
        issue.set_open(open, None);
    }
    issue.updated_at = SystemTime::now();
    let number = issue.number;
    let repo: &Repo = state.repo_mut(repo);
    match repo.issues.get(&number) {
        Some(issue) => Reply::json(200, &shapes::pull(repo, issue, context.base)),
        None => not_found(),
    }
}
