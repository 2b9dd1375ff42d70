//! The JSON of GitHub's REST replies, field for field as documented for the fields clients read
//! (users, labels, issues, comments, pull requests, repositories, errors).

use serde_json::{Value, json};

use super::encoding::{object_id, rfc3339};
use super::http::Reply;
use super::state::{Comment, Issue, IssueEvent, Label, Repo};

/// GitHub's error body: `{"message", "documentation_url", "status"}`.
pub(crate) fn error_reply(status: u16, message: &str, documentation_url: &str) -> Reply {
    Reply::json(
        status,
        &json!({
            "message": message,
            "documentation_url": documentation_url,
            "status": status.to_string(),
        }),
    )
}

/// 404 `Not Found`, GitHub's answer for anything missing or invisible.
pub(crate) fn not_found() -> Reply {
    error_reply(404, "Not Found", "https://docs.github.com/rest")
}

/// 422 `Validation Failed` with its `errors` array.
pub(crate) fn validation_failed(errors: &Value, documentation_url: &str) -> Reply {
    Reply::json(
        422,
        &json!({
            "message": "Validation Failed",
            "errors": errors,
            "documentation_url": documentation_url,
            "status": "422",
        }),
    )
}

/// 422 for a required field that is missing.
pub(crate) fn missing_field(resource: &str, field: &str, documentation_url: &str) -> Reply {
    validation_failed(
        &json!([{ "resource": resource, "code": "missing_field", "field": field }]),
        documentation_url,
    )
}

/// 400 `Problems parsing JSON`.
pub(crate) fn bad_json() -> Reply {
    error_reply(400, "Problems parsing JSON", "https://docs.github.com/rest")
}

/// A deterministic user id for a login.
fn user_id(login: &str) -> u64 {
    login.bytes().fold(7_u64, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u64::from(b))
    }) % 90_000_000
        + 1_000_000
}

/// A simple user, as in `user`, `assignees` and `owner`.
pub(crate) fn user(login: &str, base: &str) -> Value {
    let id = user_id(login);
    json!({
        "login": login, "id": id, "node_id": format!("U_kgDO{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "", "url": format!("{base}/users/{login}"),
        "html_url": format!("https://github.com/{login}"), "type": "User", "site_admin": false,
    })
}

/// A label.
pub(crate) fn label(repo: &Repo, label: &Label, base: &str) -> Value {
    json!({
        "id": label.id, "node_id": format!("LA_kwDO{}", label.id),
        "url": format!("{base}/repos/{}/labels/{}", repo.full_name, super::http::encode(&label.name)),
        "name": label.name, "description": label.description, "color": label.color,
        "default": false,
    })
}

/// The labels of an issue, in the order they were added.
fn issue_labels(repo: &Repo, names: &[String], base: &str) -> Vec<Value> {
    names
        .iter()
        .filter_map(|name| repo.label(name))
        .map(|l| label(repo, l, base))
        .collect()
}

/// The labels of issue `issue`, as the label endpoints list them.
pub(crate) fn labels_of(repo: &Repo, issue: &Issue, base: &str) -> Value {
    Value::Array(issue_labels(repo, &issue.labels, base))
}

/// An issue (a pull request carries a `pull_request` object and a `/pull/` address).
pub(crate) fn issue(repo: &Repo, issue: &Issue, base: &str) -> Value {
    let api = format!("{base}/repos/{}/issues/{}", repo.full_name, issue.number);
    let kind = if issue.pull.is_some() {
        "pull"
    } else {
        "issues"
    };
    let html_url = format!(
        "https://github.com/{}/{kind}/{}",
        repo.full_name, issue.number
    );
    let assignees: Vec<Value> = issue.assignees.iter().map(|a| user(a, base)).collect();
    let mut value = json!({
        "id": issue.id, "node_id": format!("I_kwDO{}", issue.id), "url": api,
        "repository_url": format!("{base}/repos/{}", repo.full_name),
        "labels_url": format!("{api}/labels{{/name}}"), "comments_url": format!("{api}/comments"),
        "events_url": format!("{api}/events"), "html_url": html_url,
        "number": issue.number, "state": issue.state(), "state_reason": issue.state_reason,
        "title": issue.title, "body": issue.body, "user": user(&issue.user, base),
        "labels": issue_labels(repo, &issue.labels, base),
        "assignee": assignees.first().cloned().unwrap_or(Value::Null), "assignees": assignees,
        "milestone": null, "locked": false, "active_lock_reason": null,
        "comments": issue.comments.len(),
        "created_at": rfc3339(issue.created_at), "updated_at": rfc3339(issue.updated_at),
        "closed_at": issue.closed_at.map(rfc3339), "closed_by": null,
        "author_association": issue.author_association,
        "reactions": { "url": format!("{api}/reactions"), "total_count": 0, "+1": 0, "-1": 0,
                       "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0 },
    });
    if issue.pull.is_some() {
        let pull = format!("{base}/repos/{}/pulls/{}", repo.full_name, issue.number);
        value["pull_request"] = json!({
            "url": pull, "html_url": html_url, "diff_url": format!("{html_url}.diff"),
            "patch_url": format!("{html_url}.patch"),
            "merged_at": issue.merged_at.map(rfc3339),
        });
    }
    value
}

/// An issue comment.
pub(crate) fn comment(repo: &Repo, issue_number: u64, comment: &Comment, base: &str) -> Value {
    json!({
        "id": comment.id, "node_id": format!("IC_kwDO{}", comment.id),
        "url": format!("{base}/repos/{}/issues/comments/{}", repo.full_name, comment.id),
        "html_url": format!("https://github.com/{}/issues/{issue_number}#issuecomment-{}", repo.full_name, comment.id),
        "issue_url": format!("{base}/repos/{}/issues/{issue_number}", repo.full_name),
        "body": comment.body, "user": user(&comment.user, base),
        "created_at": rfc3339(comment.created_at), "updated_at": rfc3339(comment.updated_at),
        "author_association": comment.author_association,
    })
}

/// A repository (the fields of GitHub's "full repository" that clients read).
pub(crate) fn repository(repo: &Repo, base: &str) -> Value {
    let open_issues = repo.issues.values().filter(|i| i.open).count();
    json!({
        "id": repo.id, "node_id": format!("R_kgDO{}", repo.id), "name": repo.name(),
        "full_name": repo.full_name, "owner": user(repo.owner(), base), "private": false,
        "html_url": format!("https://github.com/{}", repo.full_name), "description": null,
        "fork": false, "url": format!("{base}/repos/{}", repo.full_name),
        "default_branch": repo.default_branch, "has_issues": true, "archived": false,
        "disabled": false, "visibility": "public", "open_issues_count": open_issues,
        "open_issues": open_issues,
        "permissions": { "admin": true, "maintain": true, "push": true, "triage": true, "pull": true },
    })
}

/// One side (`head` or `base`) of a pull request.
fn branch_side(repo: &Repo, branch: &str, sha: &str, base: &str) -> Value {
    json!({
        "label": format!("{}:{branch}", repo.owner()), "ref": branch, "sha": sha,
        "user": user(repo.owner(), base), "repo": repository(repo, base),
    })
}

/// A pull request; `Value::Null` when `issue` is not one.
pub(crate) fn pull(repo: &Repo, issue: &Issue, base: &str) -> Value {
    let Some(info) = &issue.pull else {
        return Value::Null;
    };
    let api = format!("{base}/repos/{}/pulls/{}", repo.full_name, issue.number);
    let html_url = format!(
        "https://github.com/{}/pull/{}",
        repo.full_name, issue.number
    );
    json!({
        "url": api, "id": issue.id, "node_id": format!("PR_kwDO{}", issue.id),
        "html_url": html_url, "diff_url": format!("{html_url}.diff"),
        "patch_url": format!("{html_url}.patch"),
        "issue_url": format!("{base}/repos/{}/issues/{}", repo.full_name, issue.number),
        "number": issue.number, "state": issue.state(), "locked": false, "title": issue.title,
        "user": user(&issue.user, base), "body": issue.body,
        "labels": issue_labels(repo, &issue.labels, base),
        "created_at": rfc3339(issue.created_at), "updated_at": rfc3339(issue.updated_at),
        "closed_at": issue.closed_at.map(rfc3339), "merged_at": issue.merged_at.map(rfc3339),
        "merge_commit_sha": null,
        "assignees": [], "requested_reviewers": [], "draft": info.draft,
        "head": branch_side(repo, &info.head, &info.head_sha, base),
        "base": branch_side(repo, &info.base, &info.base_sha, base),
        "author_association": "OWNER", "merged": issue.merged_at.is_some(), "mergeable": null,
        "comments": issue.comments.len(), "commits": 1,
    })
}

/// A git reference to branch `branch`.
pub(crate) fn git_ref(repo: &Repo, branch: &str, sha: &str, base: &str) -> Value {
    let url = format!("{base}/repos/{}/git/refs/heads/{branch}", repo.full_name);
    json!({
        "ref": format!("refs/heads/{branch}"),
        "node_id": format!("REF_kwDO{}", object_id(url.as_bytes()).chars().take(12).collect::<String>()),
        "url": url,
        "object": {
            "type": "commit", "sha": sha,
            "url": format!("{base}/repos/{}/git/commits/{sha}", repo.full_name),
        },
    })
}

/// An issue event (`labeled`), as the issue's events list it.
pub(crate) fn issue_event(repo: &Repo, event: &IssueEvent, base: &str) -> Value {
    let mut value = json!({
        "id": event.id, "node_id": format!("LE_lADO{}", event.id),
        "url": format!("{base}/repos/{}/issues/events/{}", repo.full_name, event.id),
        "actor": user(&event.actor, base), "event": event.event,
        "commit_id": null, "commit_url": null, "created_at": rfc3339(event.created_at),
        "performed_via_github_app": null,
    });
    if let Some(name) = &event.label {
        let color = repo
            .label(name)
            .map_or(super::state::DEFAULT_LABEL_COLOR, |l| l.color.as_str());
        value["label"] = json!({ "name": name, "color": color });
    }
    value
}

/// A collaborator's permission: the legacy base role (`admin`, `write`, `read`, `none`; a
/// `maintain` role reads `write`, a `triage` one `read`) and the role's own name.
pub(crate) fn collaborator_permission(login: &str, role: &str, base: &str) -> Value {
    let permission = match role {
        "admin" => "admin",
        "maintain" | "write" => "write",
        "triage" | "read" => "read",
        _ => "none",
    };
    let mut collaborator = user(login, base);
    collaborator["role_name"] = json!(role);
    json!({ "permission": permission, "role_name": role, "user": collaborator })
}
