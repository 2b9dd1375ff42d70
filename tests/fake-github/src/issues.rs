//! Issues and their comments: create, read, update, list (filtered, sorted, paginated).

use std::time::SystemTime;

use serde_json::{Value, json};

use super::http::Reply;
use super::labels::{names_in, unknown_label};
use super::pagination::PageRequest;
use super::routes::Context;
use super::shapes::{self, missing_field, not_found, validation_failed};
use super::state::{Comment, Issue, IssueFields, Repo, State};

const CREATE_DOCS: &str = "https://docs.github.com/rest/issues/issues#create-an-issue";
const UPDATE_DOCS: &str = "https://docs.github.com/rest/issues/issues#update-an-issue";
const COMMENT_DOCS: &str = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";

/// The strings of a JSON array (other items skipped); empty for anything else.
pub(crate) fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Issue `number` of `repo` as JSON with `status`, or 404.
pub(super) fn reply_with_issue(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: u64,
    status: u16,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    match repo.issues.get(&number) {
        Some(issue) => Reply::json(status, &shapes::issue(repo, issue, context.base)),
        None => not_found(),
    }
}

/// `POST /repos/{o}/{r}/issues`: `title` (required), `body`, `labels`, `assignees`.
pub(crate) fn create(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let title = match &input["title"] {
        Value::String(title) if !title.trim().is_empty() => title.clone(),
        Value::Number(number) => number.to_string(),
        _ => return missing_field("Issue", "title", CREATE_DOCS),
    };
    let labels = match state.ensure_labels(repo, &names_in(&input["labels"])) {
        Ok(labels) => labels,
        Err(unknown) => return unknown_label(&unknown, CREATE_DOCS),
    };
    let mut assignees = strings(&input["assignees"]);
    if let Some(assignee) = input["assignee"].as_str() {
        assignees.push(assignee.to_string());
    }
    let fields = IssueFields {
        title,
        body: input["body"].as_str().map(str::to_string),
        labels,
        assignees,
        ..IssueFields::default()
    };
    let number = state.insert_issue(repo, fields, false);
    let location = format!("{}/repos/{repo}/issues/{number}", context.base);
    reply_with_issue(state, context, repo, number, 201).with_header("Location", location)
}

/// `GET /repos/{o}/{r}/issues/{n}`.
pub(crate) fn get(state: &mut State, context: &Context<'_>, repo: &str, number: &str) -> Reply {
    match number.parse() {
        Ok(number) => reply_with_issue(state, context, repo, number, 200),
        Err(_) => not_found(),
    }
}

/// `PATCH /repos/{o}/{r}/issues/{n}`: `title`, `body`, `state`, `state_reason`, `labels`
/// (replacing), `assignees` (replacing).
pub(crate) fn update(state: &mut State, context: &Context<'_>, repo: &str, number: &str) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let invalid = |field: &str, value: &Value| {
        validation_failed(
            &json!([{ "resource": "Issue", "code": "invalid", "field": field, "value": value }]),
            UPDATE_DOCS,
        )
    };
    let open = match input.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "open" => Some(true),
        Some(Value::String(s)) if s == "closed" => Some(false),
        Some(other) => return invalid("state", other),
    };
    let reason = match input.get("state_reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(r))
            if ["completed", "not_planned", "reopened", "duplicate"].contains(&r.as_str()) =>
        {
            Some(r.clone())
        }
        Some(other) => return invalid("state_reason", other),
    };
    let labels = match input.get("labels").filter(|l| !l.is_null()) {
        Some(labels) => match state.ensure_labels(repo, &names_in(labels)) {
            Ok(labels) => Some(labels),
            Err(unknown) => return unknown_label(&unknown, UPDATE_DOCS),
        },
        None => None,
    };
    // `duplicate_issue_id` names the canonical issue by id; it must exist (GitHub: "The
    // issue must exist and be accessible"), and it is ignored for another `state_reason`.
    let duplicate_of = match (reason.as_deref(), input.get("duplicate_issue_id")) {
        (Some("duplicate"), Some(id)) if !id.is_null() => {
            let exists = id.as_u64().is_some_and(|id| {
                state
                    .repos
                    .values()
                    .any(|r| r.issues.values().any(|i| i.id == id))
            });
            if !exists {
                return invalid("duplicate_issue_id", id);
            }
            id.as_u64()
        }
        _ => None,
    };
    let Some(issue) = state.repo_mut(repo).issue_mut(number) else {
        return not_found();
    };
    if let Some(title) = input.get("title").and_then(Value::as_str) {
        issue.title = title.to_string();
    }
    match input.get("body") {
        Some(Value::String(body)) => issue.body = Some(body.clone()),
        Some(Value::Null) => issue.body = None,
        _ => {}
    }
    if let Some(labels) = labels {
        issue.labels = labels;
    }
    if let Some(assignees) = input.get("assignees").filter(|a| a.is_array()) {
        issue.assignees = strings(assignees);
    }
    if duplicate_of.is_some() {
        issue.duplicate_of = duplicate_of;
    }
    issue.set_open(open.unwrap_or(issue.open), reason);
    let number = issue.number;
    reply_with_issue(state, context, repo, number, 200)
}

/// `GET /repos/{o}/{r}/issues?state=&labels=&assignee=&creator=&since=&sort=&direction=&per_page=&page=`
/// (pull requests included, as on GitHub; `since` keeps those updated at or after it).
pub(crate) fn list(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let query = &context.query;
    let wanted_state = query.get("state").unwrap_or("open");
    let labels: Vec<&str> = query
        .get("labels")
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let assignee = query.get("assignee");
    let creator = query.get("creator");
    // Both are `YYYY-MM-DDTHH:MM:SSZ`: comparing the text compares the times.
    let since = query.get("since");
    let state_matches = |issue: &Issue| match wanted_state {
        "all" => true,
        "closed" => !issue.open,
        _ => issue.open,
    };
    let assignee_matches = |issue: &Issue| match assignee {
        None => true,
        Some("*") => !issue.assignees.is_empty(),
        Some("none") => issue.assignees.is_empty(),
        Some(login) => issue
            .assignees
            .iter()
            .any(|a| a.eq_ignore_ascii_case(login)),
    };
    let repo: &Repo = state.repo_mut(repo);
    let mut found: Vec<&Issue> = repo
        .issues
        .values()
        .filter(|issue| state_matches(issue))
        .filter(|issue| {
            labels
                .iter()
                .all(|l| issue.labels.iter().any(|have| have.eq_ignore_ascii_case(l)))
        })
        .filter(|issue| assignee_matches(issue))
        .filter(|issue| creator.is_none_or(|c| issue.user.eq_ignore_ascii_case(c)))
        .filter(|issue| {
            since.is_none_or(|s| super::encoding::rfc3339(issue.updated_at).as_str() >= s)
        })
        .collect();
    match query.get("sort") {
        Some("updated") => found.sort_by_key(|i| (i.updated_at, i.id)),
        Some("comments") => found.sort_by_key(|i| (i.comments.len(), i.id)),
        _ => found.sort_by_key(|i| (i.created_at, i.id)),
    }
    if query.get("direction") != Some("asc") {
        found.reverse();
    }
    PageRequest::from_query(query).reply(
        found,
        |issue| shapes::issue(repo, issue, context.base),
        context.base,
        &context.request.path,
        query,
    )
}

/// `GET /repos/{o}/{r}/issues/{n}/comments`, oldest first, paginated.
pub(crate) fn list_comments(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    let Some(issue) = number.parse().ok().and_then(|n| repo.issues.get(&n)) else {
        return not_found();
    };
    PageRequest::from_query(&context.query).reply(
        issue.comments.iter().collect(),
        |comment| shapes::comment(repo, issue.number, comment, context.base),
        context.base,
        &context.request.path,
        &context.query,
    )
}

/// `POST /repos/{o}/{r}/issues/{n}/comments` with `body`.
pub(crate) fn add_comment(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let Some(body) = input["body"].as_str().filter(|b| !b.trim().is_empty()) else {
        return missing_field("IssueComment", "body", COMMENT_DOCS);
    };
    let id = state.allocate_id();
    let login = state.login.clone();
    let repo: &mut Repo = state.repo_mut(repo);
    let Some(issue) = repo.issue_mut(number) else {
        return not_found();
    };
    let comment = Comment::new(id, body.to_string(), &login);
    issue.updated_at = comment.created_at;
    issue.comments.push(comment.clone());
    let issue_number = issue.number;
    let shape = shapes::comment(repo, issue_number, &comment, context.base);
    let location = shape["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, &shape).with_header("Location", location)
}

/// The issue number and comment with id `id` in `repo`.
fn find_comment<'a>(repo: &'a mut Repo, id: &str) -> Option<(u64, &'a mut Comment)> {
    let id: u64 = id.parse().ok()?;
    repo.issues.values_mut().find_map(|issue| {
        let number = issue.number;
        issue
            .comments
            .iter_mut()
            .find(|c| c.id == id)
            .map(|c| (number, c))
    })
}

/// `GET /repos/{o}/{r}/issues/comments/{id}`.
pub(crate) fn get_comment(state: &mut State, context: &Context<'_>, repo: &str, id: &str) -> Reply {
    let repo = state.repo_mut(repo);
    let Some((number, comment)) = find_comment(repo, id) else {
        return not_found();
    };
    let comment = comment.clone();
    Reply::json(200, &shapes::comment(repo, number, &comment, context.base))
}

/// `PATCH /repos/{o}/{r}/issues/comments/{id}` with `body`.
pub(crate) fn update_comment(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    id: &str,
) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let Some(body) = input["body"].as_str().filter(|b| !b.trim().is_empty()) else {
        return missing_field("IssueComment", "body", COMMENT_DOCS);
    };
    let repo = state.repo_mut(repo);
    let Some((number, comment)) = find_comment(repo, id) else {
        return not_found();
    };
    comment.body = body.to_string();
    comment.updated_at = SystemTime::now();
    let comment = comment.clone();
    Reply::json(200, &shapes::comment(repo, number, &comment, context.base))
}
