//! What a fix generator needs to open a pull request: the repository (its default branch),
//! branch references, file contents read and committed through the contents API, and pull
//! requests (drafts too).

use serde_json::{Value, json};

use super::encoding::{base64_wrapped, object_id, rfc3339, unbase64};
use super::http::{Reply, encode};
use super::pagination::PageRequest;
use super::routes::Context;
use super::shapes::{self, error_reply, missing_field, not_found, validation_failed};
use super::state::{Commit, Issue, IssueFields, PullInfo, Repo, State};

const CONTENTS_DOCS: &str =
    "https://docs.github.com/rest/repos/contents#create-or-update-file-contents";
const REFS_DOCS: &str = "https://docs.github.com/rest/git/refs#create-a-reference";
const PULLS_DOCS: &str = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";

/// `GET /repos/{o}/{r}`.
pub(crate) fn repository(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    Reply::json(200, &shapes::repository(state.repo_mut(repo), context.base))
}

/// A file of the contents API; `content` is left out when `with_content` is false (as in the
/// reply to a commit).
fn file_shape(
    repo: &Repo,
    path: &str,
    content: &[u8],
    reference: &str,
    base: &str,
    with_content: bool,
) -> Value {
    let sha = object_id(content);
    let url = format!(
        "{base}/repos/{}/contents/{path}?ref={}",
        repo.full_name,
        encode(reference)
    );
    let git_url = format!("{base}/repos/{}/git/blobs/{sha}", repo.full_name);
    let html_url = format!(
        "https://github.com/{}/blob/{reference}/{path}",
        repo.full_name
    );
    let mut shape = json!({
        "type": "file", "size": content.len(),
        "name": path.rsplit('/').next().unwrap_or(path), "path": path, "sha": sha,
        "url": url, "git_url": git_url, "html_url": html_url,
        "download_url": format!("https://raw.githubusercontent.com/{}/{reference}/{path}", repo.full_name),
        "_links": { "self": url, "git": git_url, "html": html_url },
    });
    if with_content {
        shape["encoding"] = json!("base64");
        shape["content"] = json!(base64_wrapped(content));
    }
    shape
}

/// The entries directly under `dir` (`""` for the root) of `commit`.
fn directory_listing(
    repo: &Repo,
    commit: &Commit,
    dir: &str,
    reference: &str,
    base: &str,
) -> Vec<Value> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut entries: Vec<Value> = Vec::new();
    let mut seen_dirs: Vec<&str> = Vec::new();
    for (path, content) in commit.files.range(prefix.clone()..) {
        let Some(rest) = path.strip_prefix(&prefix) else {
            break;
        };
        match rest.split_once('/') {
            None => entries.push(file_shape(repo, path, content, reference, base, false)),
            Some((child, _)) if !seen_dirs.contains(&child) => {
                seen_dirs.push(child);
                entries.push(json!({ "type": "dir", "name": child, "path": format!("{prefix}{child}"), "size": 0 }));
            }
            Some(_) => {}
        }
    }
    entries
}

/// `GET /repos/{o}/{r}/contents/{path}?ref=`: a file, or the listing of a directory.
pub(crate) fn get_contents(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    path: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    let reference = context.query.get("ref").unwrap_or(&repo.default_branch);
    let Some(commit) = repo.resolve(reference) else {
        return error_reply(
            404,
            &format!("No commit found for the ref {reference}"),
            CONTENTS_DOCS,
        );
    };
    if let Some(content) = commit.files.get(path) {
        return Reply::json(
            200,
            &file_shape(repo, path, content, reference, context.base, true),
        );
    }
    let listing = directory_listing(
        repo,
        commit,
        path.trim_end_matches('/'),
        reference,
        context.base,
    );
    if listing.is_empty() {
        not_found()
    } else {
        Reply::json(200, &Value::Array(listing))
    }
}

/// `PUT /repos/{o}/{r}/contents/{path}`: `message`, `content` (base64), `sha` (of the file
/// replaced; required when it exists), `branch` (the default one when absent).
pub(crate) fn put_contents(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    path: &str,
) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let Some(message) = input["message"].as_str() else {
        return missing_field("Commit", "message", CONTENTS_DOCS);
    };
    let Some(content) = input["content"].as_str().map(unbase64) else {
        return missing_field("Commit", "content", CONTENTS_DOCS);
    };
    let Some(content) = content else {
        return error_reply(422, "content is not valid Base64", CONTENTS_DOCS);
    };
    let repo: &mut Repo = state.repo_mut(repo);
    let branch = input["branch"]
        .as_str()
        .unwrap_or(&repo.default_branch)
        .to_string();
    let Some(head) = repo
        .resolve(&branch)
        .filter(|_| repo.branches.contains_key(&branch))
    else {
        return error_reply(404, &format!("Branch {branch} not found"), CONTENTS_DOCS);
    };
    let existing = head.files.get(path).map(|c| object_id(c));
    match (&existing, input["sha"].as_str()) {
        (Some(_), None) => {
            return error_reply(
                422,
                "Invalid request.\n\n\"sha\" wasn't supplied.",
                CONTENTS_DOCS,
            );
        }
        (Some(current), Some(given)) if current != given => {
            return error_reply(
                409,
                &format!("{path} does not match {given}"),
                CONTENTS_DOCS,
            );
        }
        _ => {}
    }
    let stored = content.clone();
    let Some(sha) = repo.commit(&branch, message, |files| {
        files.insert(path.to_string(), stored);
    }) else {
        return not_found();
    };
    let Some(commit) = repo.commits.get(&sha) else {
        return not_found();
    };
    let commit_url = format!(
        "{}/repos/{}/git/commits/{sha}",
        context.base, repo.full_name
    );
    let person = json!({ "name": "autoheal-bot", "email": "autoheal-bot@users.noreply.github.com", "date": rfc3339(commit.time) });
    let parents: Vec<Value> = commit
        .parent
        .iter()
        .map(|p| json!({ "sha": p, "url": format!("{}/repos/{}/git/commits/{p}", context.base, repo.full_name), "html_url": format!("https://github.com/{}/commit/{p}", repo.full_name) }))
        .collect();
    let status = if existing.is_some() { 200 } else { 201 };
    Reply::json(
        status,
        &json!({
            "content": file_shape(repo, path, &content, &branch, context.base, false),
            "commit": {
                "sha": sha, "node_id": format!("C_kwDO{}", sha.chars().take(12).collect::<String>()),
                "url": commit_url, "html_url": format!("https://github.com/{}/commit/{sha}", repo.full_name),
                "author": person, "committer": person, "message": commit.message,
                "tree": { "sha": object_id(format!("tree {sha}").as_bytes()), "url": format!("{}/repos/{}/git/trees/{sha}", context.base, repo.full_name) },
                "parents": parents,
                "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null },
            },
        }),
    )
}

/// `GET /repos/{o}/{r}/git/ref/heads/{branch}`.
pub(crate) fn get_branch_ref(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    branch: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    match repo.branches.get(branch) {
        Some(sha) => Reply::json(200, &shapes::git_ref(repo, branch, sha, context.base)),
        None => not_found(),
    }
}

/// `POST /repos/{o}/{r}/git/refs` with `ref` (`refs/heads/...`) and `sha` (an existing commit).
pub(crate) fn create_ref(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let (Some(reference), Some(sha)) = (input["ref"].as_str(), input["sha"].as_str()) else {
        return missing_field("Reference", "ref", REFS_DOCS);
    };
    let Some(branch) = reference
        .strip_prefix("refs/heads/")
        .filter(|b| !b.is_empty())
    else {
        return error_reply(422, "Reference name is invalid", REFS_DOCS);
    };
    let repo: &mut Repo = state.repo_mut(repo);
    if !repo.commits.contains_key(sha) {
        return error_reply(422, "Object does not exist", REFS_DOCS);
    }
    if repo.branches.contains_key(branch) {
        return error_reply(422, "Reference already exists", REFS_DOCS);
    }
    repo.branches.insert(branch.to_string(), sha.to_string());
    let shape = shapes::git_ref(repo, branch, sha, context.base);
    let location = shape["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, &shape).with_header("Location", location)
}

/// A branch name from a `head` value, which may be `owner:branch`.
fn branch_of(head: &str) -> &str {
    head.split_once(':').map_or(head, |(_, branch)| branch)
}

/// `POST /repos/{o}/{r}/pulls`: `title`, `head`, `base`, `body`, `draft`.
pub(crate) fn create_pull(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let invalid = |field: &str| {
        validation_failed(
            &json!([{ "resource": "PullRequest", "field": field, "code": "invalid" }]),
            PULLS_DOCS,
        )
    };
    let custom = |message: String| {
        validation_failed(
            &json!([{ "resource": "PullRequest", "code": "custom", "message": message }]),
            PULLS_DOCS,
        )
    };
    let Some(title) = input["title"].as_str().filter(|t| !t.trim().is_empty()) else {
        return missing_field("PullRequest", "title", PULLS_DOCS);
    };
    let (Some(head), Some(base)) = (
        input["head"].as_str().map(branch_of),
        input["base"].as_str(),
    ) else {
        return missing_field(
            "PullRequest",
            if input["head"].is_string() {
                "base"
            } else {
                "head"
            },
            PULLS_DOCS,
        );
    };
    let draft = input["draft"].as_bool().unwrap_or(false);
    if draft && state.drafts_refused {
        return custom("Draft pull requests are not supported in this repository.".to_string());
    }
    let repo_state: &Repo = state.repo_mut(repo);
    let Some(head_sha) = repo_state.branches.get(head).cloned() else {
        return invalid("head");
    };
    let Some(base_sha) = repo_state.branches.get(base).cloned() else {
        return invalid("base");
    };
    if head_sha == base_sha {
        return custom(format!("No commits between {base} and {head}"));
    }
    let duplicate = repo_state.issues.values().any(|i| {
        i.open
            && i.pull
                .as_ref()
                .is_some_and(|p| p.head == head && p.base == base)
    });
    if duplicate {
        return custom(format!(
            "A pull request already exists for {}:{head}.",
            repo_state.owner()
        ));
    }
    let fields = IssueFields {
        title: title.to_string(),
        body: input["body"].as_str().map(str::to_string),
        pull: Some(PullInfo {
            head: head.to_string(),
            head_sha,
            base: base.to_string(),
            base_sha,
            draft,
        }),
        ..IssueFields::default()
    };
    let number = state.insert_issue(repo, fields, false);
    let repo: &Repo = state.repo_mut(repo);
    let Some(issue) = repo.issues.get(&number) else {
        return not_found();
    };
    let shape = shapes::pull(repo, issue, context.base);
    let location = shape["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, &shape).with_header("Location", location)
}

/// `GET /repos/{o}/{r}/pulls?state=&head=owner:branch&base=`, newest first, paginated.
pub(crate) fn list_pulls(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let query = &context.query;
    let wanted_state = query.get("state").unwrap_or("open");
    let head = query.get("head").map(branch_of);
    let base = query.get("base");
    let repo: &Repo = state.repo_mut(repo);
    let mut pulls: Vec<&Issue> = repo
        .issues
        .values()
        .filter(|issue| match &issue.pull {
            Some(pull) => {
                head.is_none_or(|h| pull.head == h) && base.is_none_or(|b| pull.base == b)
            }
            None => false,
        })
        .filter(|issue| match wanted_state {
            "all" => true,
            "closed" => !issue.open,
            _ => issue.open,
        })
        .collect();
    if query.get("direction") != Some("asc") {
        pulls.reverse();
    }
    PageRequest::from_query(query).reply(
        pulls,
        |issue| shapes::pull(repo, issue, context.base),
        context.base,
        &context.request.path,
        query,
    )
}

/// `GET /repos/{o}/{r}/pulls/{n}`.
pub(crate) fn get_pull(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    match number.parse().ok().and_then(|n| repo.issues.get(&n)) {
        Some(issue) if issue.pull.is_some() => {
            Reply::json(200, &shapes::pull(repo, issue, context.base))
        }
        _ => not_found(),
    }
}
