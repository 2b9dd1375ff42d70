//! Repository labels and the labels of an issue.

use serde_json::{Value, json};

use super::http::Reply;
use super::pagination::PageRequest;
use super::routes::Context;
use super::shapes::{self, missing_field, not_found, validation_failed};
use super::state::{IssueEvent, Label, Repo, State};

const LABEL_DOCS: &str = "https://docs.github.com/rest/issues/labels#create-a-label";
const ISSUE_LABEL_DOCS: &str = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue";

/// Label names as clients send them: a list of names or of `{"name": ...}` objects, or one
/// name.
pub(crate) fn names_in(value: &Value) -> Vec<String> {
    match value {
        Value::String(name) => vec![name.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(name) => Some(name.clone()),
                Value::Object(object) => object
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            })
            .filter(|name| !name.trim().is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// 422 for a label the repository does not have (when unknown labels are rejected).
pub(crate) fn unknown_label(name: &str, documentation_url: &str) -> Reply {
    validation_failed(
        &json!([{ "resource": "Label", "code": "invalid", "field": "labels", "value": name }]),
        documentation_url,
    )
}

/// `GET /repos/{o}/{r}/labels`, paginated.
pub(crate) fn list(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    PageRequest::from_query(&context.query).reply(
        repo.labels.iter().collect(),
        |label| shapes::label(repo, label, context.base),
        context.base,
        &context.request.path,
        &context.query,
    )
}

/// `GET /repos/{o}/{r}/labels/{name}`.
pub(crate) fn get(state: &mut State, context: &Context<'_>, repo: &str, name: &str) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    match repo.label(name) {
        Some(label) => Reply::json(200, &shapes::label(repo, label, context.base)),
        None => not_found(),
    }
}

/// `POST /repos/{o}/{r}/labels`: `name` (required), `color` (six hex digits), `description`.
pub(crate) fn create(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let Some(name) = input["name"].as_str().filter(|n| !n.trim().is_empty()) else {
        return missing_field("Label", "name", LABEL_DOCS);
    };
    let color = input["color"]
        .as_str()
        .map(|c| c.trim_start_matches('#').to_ascii_lowercase());
    if let Some(color) = &color
        && !(color.len() == 6 && color.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return validation_failed(
            &json!([{ "resource": "Label", "code": "invalid", "field": "color" }]),
            LABEL_DOCS,
        );
    }
    if state.repo_mut(repo).label(name).is_some() {
        return validation_failed(
            &json!([{ "resource": "Label", "code": "already_exists", "field": "name" }]),
            LABEL_DOCS,
        );
    }
    let mut label = Label::new(state.allocate_id(), name);
    if let Some(color) = color {
        label.color = color;
    }
    label.description = input["description"].as_str().map(str::to_string);
    let repo = state.repo_mut(repo);
    repo.labels.push(label.clone());
    let shape = shapes::label(repo, &label, context.base);
    let location = shape["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, &shape).with_header("Location", location)
}

/// `GET /repos/{o}/{r}/issues/{n}/labels`.
pub(crate) fn of_issue(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    match number.parse().ok().and_then(|n| repo.issues.get(&n)) {
        Some(issue) => Reply::json(200, &shapes::labels_of(repo, issue, context.base)),
        None => not_found(),
    }
}

/// `POST` (add) or `PUT` (`replace`) `/repos/{o}/{r}/issues/{n}/labels` with `{"labels": [...]}`
/// or a bare list; answers the issue's labels.
pub(crate) fn add_to_issue(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
    replace: bool,
) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let names = names_in(input.get("labels").unwrap_or(&input));
    if state.repo_mut(repo).issue_mut(number).is_none() {
        return not_found();
    }
    let names = match state.ensure_labels(repo, &names) {
        Ok(names) => names,
        Err(unknown) => return unknown_label(&unknown, ISSUE_LABEL_DOCS),
    };
    let actor = state.login.clone();
    let event_ids: Vec<u64> = names.iter().map(|_| state.allocate_id()).collect();
    let repo = state.repo_mut(repo);
    let Some(issue) = repo.issue_mut(number) else {
        return not_found();
    };
    let now = std::time::SystemTime::now();
    if replace {
        issue.labels.clear();
    }
    for (name, id) in names.into_iter().zip(event_ids) {
        if !issue.labels.iter().any(|l| l.eq_ignore_ascii_case(&name)) {
            issue
                .events
                .push(IssueEvent::labeled(id, &actor, &name, now));
            issue.labels.push(name);
        }
    }
    issue.updated_at = now;
    let issue = issue.clone();
    Reply::json(200, &shapes::labels_of(repo, &issue, context.base))
}
