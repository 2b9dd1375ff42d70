//! The calls answering an issue makes, each one recorded. In a dry run the reads still go out
//! (they decide what would be written) but every write is held back and only recorded.

use std::cell::RefCell;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::Token;
use crate::github::GitHubError;
use crate::github::{GitHubClient, encode};

/// One request of a run: made, or (in a dry run) held back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    /// `GET`, `POST`, `PATCH` or `PUT`.
    pub method: String,
    /// The path under the API's base, with its query (`/repos/o/r/issues/1`).
    pub path: String,
    /// What the body holds, in a few words (empty for a request without a body).
    pub summary: String,
    /// Whether it reached GitHub (false for a write held back by a dry run).
    pub sent: bool,
}

impl std::fmt::Display for PlannedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:<5} {}", self.method, self.path)?;
        if !self.summary.is_empty() {
            write!(f, "  {}", self.summary)?;
        }
        if !self.sent {
            f.write_str("  (not sent)")?;
        }
        Ok(())
    }
}

/// An issue as the fix reads it.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct IssueDetails {
    pub(crate) number: u64,
    pub(crate) html_url: String,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) labels: Vec<NamedLabel>,
    /// Who opened it.
    #[serde(default)]
    pub(crate) user: Option<CommentAuthor>,
    /// The author's relation to the repository.
    #[serde(default)]
    pub(crate) author_association: Option<String>,
    /// Present when the "issue" is a pull request.
    #[serde(default)]
    pub(crate) pull_request: Option<Value>,
}

/// A label in an issue's `labels`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct NamedLabel {
    pub(crate) name: String,
}

/// An issue comment.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct IssueComment {
    pub(crate) id: u64,
    pub(crate) html_url: String,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) user: Option<CommentAuthor>,
    /// `OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, ...
    #[serde(default)]
    pub(crate) author_association: Option<String>,
}

/// The author of an issue or a comment, the fields the fix reads.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CommentAuthor {
    #[serde(default)]
    pub(crate) login: String,
}

/// A collaborator's permission on the repository, the fields the fix reads.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Permission {
    /// The role's name: `admin`, `maintain`, `write`, `triage`, `read` or a custom role.
    #[serde(default)]
    pub(crate) role_name: Option<String>,
    /// The legacy base permission: `admin`, `write`, `read` or `none`.
    #[serde(default)]
    pub(crate) permission: Option<String>,
}

/// A pull request, the fields the fix reads.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct PullRef {
    pub(crate) number: u64,
    pub(crate) html_url: String,
    pub(crate) state: String,
    /// Its title (read to tell whether an update would change it).
    #[serde(default)]
    pub(crate) title: String,
    /// Its description.
    #[serde(default)]
    pub(crate) body: Option<String>,
}

/// A file read through the contents API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileContent {
    /// The blob sha, needed to replace the file.
    pub(crate) sha: String,
    /// The content, as text (lossily decoded).
    pub(crate) text: String,
}

/// The longest summary of a body shown for one request.
const SUMMARY_CHARS: usize = 72;

/// The calls of one run against one repository.
#[derive(Debug)]
pub(crate) struct Api<'a> {
    client: &'a GitHubClient,
    /// The client of the Copilot hand-off's requests, when it has a token of its own.
    handoff: Option<GitHubClient>,
    dry_run: bool,
    log: RefCell<Vec<PlannedRequest>>,
}

impl<'a> Api<'a> {
    pub(crate) fn new(client: &'a GitHubClient, dry_run: bool) -> Api<'a> {
        Api {
            client,
            handoff: None,
            dry_run,
            log: RefCell::new(Vec::new()),
        }
    }

    /// This API, sending the Copilot hand-off's requests (the agent task, the assignment) with
    /// `token` when there is one.
    pub(crate) fn with_handoff_token(mut self, token: Option<Token>) -> Api<'a> {
        self.handoff = token.map(|token| self.client.with_token(token));
        self
    }

    /// Whether writes are held back.
    pub(crate) fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// The client of the run's reads and writes.
    pub(crate) fn client(&self) -> &GitHubClient {
        self.client
    }

    /// The repository, `owner/repo`.
    pub(crate) fn repo(&self) -> &str {
        self.client.repo()
    }

    /// The repository's owner.
    pub(crate) fn owner(&self) -> &str {
        self.repo().split('/').next().unwrap_or_default()
    }

    /// Every request of the run so far, in order.
    pub(crate) fn requests(&self) -> Vec<PlannedRequest> {
        self.log.borrow().clone()
    }

    fn record(&self, method: &str, target: &str, summary: String, sent: bool) {
        let path = target
            .strip_prefix(self.client.api_url())
            .unwrap_or(target)
            .to_string();
        self.log.borrow_mut().push(PlannedRequest {
            method: method.to_string(),
            path,
            summary,
            sent,
        });
    }

    /// A read: always sent.
    fn get(&self, target: &str) -> Result<(Value, Option<String>), GitHubError> {
        self.record("GET", target, String::new(), true);
        let reply = self.client.exchange("GET", target, None)?;
        Ok((reply.json, reply.next))
    }

    /// A read where 404 means "there is none".
    fn get_optional(&self, target: &str) -> Result<Option<Value>, GitHubError> {
        match self.get(target) {
            Ok((json, _)) => Ok(Some(json)),
            Err(GitHubError::NoAccess(404)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// A write: sent, or in a dry run only recorded (`Ok(None)`).
    fn write(&self, method: &str, path: &str, body: &Value) -> Result<Option<Value>, GitHubError> {
        self.write_with(self.client, method, path, body)
    }

    /// A write of the Copilot hand-off: with its own token when it has one.
    fn handoff_write(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<Option<Value>, GitHubError> {
        self.write_with(
            self.handoff.as_ref().unwrap_or(self.client),
            method,
            path,
            body,
        )
    }

    fn write_with(
        &self,
        client: &GitHubClient,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<Option<Value>, GitHubError> {
        self.record(method, path, summarise(body), !self.dry_run);
        if self.dry_run {
            return Ok(None);
        }
        client
            .exchange(method, path, Some(body))
            .map(|reply| Some(reply.json))
    }

    fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}{rest}", self.repo())
    }

    pub(crate) fn issue(&self, number: u64) -> Result<IssueDetails, GitHubError> {
        let (json, _) = self.get(&self.repo_path(&format!("/issues/{number}")))?;
        from_json(json)
    }

    /// The issue's comments, page by page, until `wanted` finds one (`max_pages` at most).
    pub(crate) fn find_comment(
        &self,
        number: u64,
        max_pages: usize,
        mut wanted: impl FnMut(&IssueComment) -> Result<bool, GitHubError>,
    ) -> Result<Option<IssueComment>, GitHubError> {
        let mut target = self.repo_path(&format!("/issues/{number}/comments?per_page=100"));
        for _ in 0..max_pages {
            let (json, next) = self.get(&target)?;
            let comments: Vec<IssueComment> = from_json(json)?;
            for comment in comments {
                if wanted(&comment)? {
                    return Ok(Some(comment));
                }
            }
            match next {
                Some(next) => target = next,
                None => break,
            }
        }
        Ok(None)
    }

    /// The issue's events, oldest first, up to `max_pages` pages of 100.
    pub(crate) fn issue_events(
        &self,
        number: u64,
        max_pages: usize,
    ) -> Result<Vec<Value>, GitHubError> {
        let mut target = self.repo_path(&format!("/issues/{number}/events?per_page=100"));
        let mut events = Vec::new();
        for _ in 0..max_pages {
            let (json, next) = self.get(&target)?;
            let page: Vec<Value> = from_json(json)?;
            events.extend(page);
            match next {
                Some(next) => target = next,
                None => break,
            }
        }
        Ok(events)
    }

    /// `login`'s role and legacy permission in the repository, or `None` when GitHub does not
    /// know them as a collaborator (404).
    pub(crate) fn collaborator_permission(
        &self,
        login: &str,
    ) -> Result<Option<Permission>, GitHubError> {
        let path = self.repo_path(&format!("/collaborators/{}/permission", encode(login)));
        self.get_optional(&path)?.map(from_json).transpose()
    }

    pub(crate) fn add_comment(
        &self,
        number: u64,
        body: &str,
    ) -> Result<Option<IssueComment>, GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        self.write("POST", &path, &json!({ "body": body }))?
            .map(from_json)
            .transpose()
    }

    pub(crate) fn update_comment(
        &self,
        id: u64,
        body: &str,
    ) -> Result<Option<IssueComment>, GitHubError> {
        let path = self.repo_path(&format!("/issues/comments/{id}"));
        self.write("PATCH", &path, &json!({ "body": body }))?
            .map(from_json)
            .transpose()
    }

    /// Record, without sending, a write that would follow only `condition` (a dry run's view
    /// of a fallback).
    pub(crate) fn plan_if(&self, condition: &str, method: &str, path: &str, body: &Value) {
        self.record(
            method,
            path,
            format!("{}; {condition}", summarise(body)),
            false,
        );
    }

    pub(crate) fn labels_path(&self, number: u64) -> String {
        self.repo_path(&format!("/issues/{number}/labels"))
    }

    pub(crate) fn assignees_path(&self, number: u64) -> String {
        self.repo_path(&format!("/issues/{number}/assignees"))
    }

    pub(crate) fn add_label(&self, number: u64, label: &str) -> Result<(), GitHubError> {
        let path = self.labels_path(number);
        self.write("POST", &path, &json!({ "labels": [label] }))
            .map(|_| ())
    }

    pub(crate) fn default_branch(&self) -> Result<String, GitHubError> {
        let (json, _) = self.get(&self.repo_path(""))?;
        json.get("default_branch")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GitHubError::UnexpectedReply("no default_branch".to_string()))
    }

    /// The commit sha `branch` points at, or `None` when there is no such branch.
    pub(crate) fn branch_sha(&self, branch: &str) -> Result<Option<String>, GitHubError> {
        let path = self.repo_path(&format!("/git/ref/heads/{}", encode_path(branch)));
        let Some(json) = self.get_optional(&path)? else {
            return Ok(None);
        };
        json.pointer("/object/sha")
            .and_then(Value::as_str)
            .map(|sha| Some(sha.to_string()))
            .ok_or_else(|| GitHubError::UnexpectedReply("a reference without object.sha".into()))
    }

    pub(crate) fn create_branch(&self, branch: &str, sha: &str) -> Result<(), GitHubError> {
        let body = json!({ "ref": format!("refs/heads/{branch}"), "sha": sha });
        self.write("POST", &self.repo_path("/git/refs"), &body)
            .map(|_| ())
    }

    /// File `path` on `reference`, or `None` when it does not exist there.
    pub(crate) fn file(
        &self,
        path: &str,
        reference: &str,
    ) -> Result<Option<FileContent>, GitHubError> {
        let target = self.repo_path(&format!(
            "/contents/{}?ref={}",
            encode_path(path),
            encode(reference)
        ));
        let Some(json) = self.get_optional(&target)? else {
            return Ok(None);
        };
        if json.is_array()
            || json
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t != "file")
        {
            return Err(GitHubError::UnexpectedReply(format!(
                "{path} is a directory, not a file"
            )));
        }
        let (Some(sha), Some(content)) = (
            json.get("sha").and_then(Value::as_str),
            json.get("content").and_then(Value::as_str),
        ) else {
            return Err(GitHubError::UnexpectedReply(format!(
                "the contents of {path} came without sha or content"
            )));
        };
        let bytes = decode_base64(content).ok_or_else(|| {
            GitHubError::UnexpectedReply(format!("the content of {path} is not base64"))
        })?;
        Ok(Some(FileContent {
            sha: sha.to_string(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }))
    }

    /// Commit `text` as `path` on `branch`; `replacing` is the blob sha of the file it replaces.
    pub(crate) fn commit_file(
        &self,
        path: &str,
        branch: &str,
        text: &str,
        message: &str,
        replacing: Option<&str>,
    ) -> Result<(), GitHubError> {
        let mut body = json!({
            "message": message,
            "content": encode_base64(text.as_bytes()),
            "branch": branch,
        });
        // Creating a file sends no `sha` at all; replacing one names the blob it replaces.
        if let (Some(sha), Some(fields)) = (replacing, body.as_object_mut()) {
            fields.insert("sha".to_string(), json!(sha));
        }
        let target = self.repo_path(&format!("/contents/{}", encode_path(path)));
        self.write("PUT", &target, &body).map(|_| ())
    }

    /// Pull requests (open or closed) whose head is `branch` of the repository's owner.
    pub(crate) fn pulls_from(&self, branch: &str) -> Result<Vec<PullRef>, GitHubError> {
        let head = format!("{}:{branch}", self.owner());
        let target = self.repo_path(&format!(
            "/pulls?head={}&state=all&per_page=100",
            encode(&head)
        ));
        let (json, _) = self.get(&target)?;
        from_json(json)
    }

    pub(crate) fn create_pull(&self, request: &Value) -> Result<Option<PullRef>, GitHubError> {
        self.write("POST", &self.repo_path("/pulls"), request)?
            .map(from_json)
            .transpose()
    }

    /// Update pull request `number` (`title`, `body`, ...).
    pub(crate) fn update_pull(
        &self,
        number: u64,
        request: &Value,
    ) -> Result<Option<PullRef>, GitHubError> {
        self.write(
            "PATCH",
            &self.repo_path(&format!("/pulls/{number}")),
            request,
        )?
        .map(from_json)
        .transpose()
    }

    /// Start a Copilot coding agent task; the reply's task object.
    pub(crate) fn start_agent_task(&self, request: &Value) -> Result<Option<Value>, GitHubError> {
        let path = format!("/agents/repos/{}/tasks", self.repo());
        self.handoff_write("POST", &path, request)
    }

    /// Add assignees to issue `number`; the logins assigned afterwards.
    pub(crate) fn add_assignees(
        &self,
        number: u64,
        request: &Value,
    ) -> Result<Option<Vec<String>>, GitHubError> {
        let path = self.assignees_path(number);
        let Some(issue) = self.handoff_write("POST", &path, request)? else {
            return Ok(None);
        };
        let logins = issue
            .get("assignees")
            .and_then(Value::as_array)
            .map(|users| {
                users
                    .iter()
                    .filter_map(|u| u.get("login")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(logins))
    }
}

fn from_json<T: serde::de::DeserializeOwned>(json: Value) -> Result<T, GitHubError> {
    serde_json::from_value(json)
        .map_err(|e| GitHubError::UnexpectedReply(format!("not the documented JSON: {e}")))
}

/// A few words on a request body: its keys, with short strings shown and long ones counted.
fn summarise(body: &Value) -> String {
    let Some(fields) = body.as_object() else {
        return String::new();
    };
    let parts: Vec<String> = fields
        .iter()
        .map(|(key, value)| match value {
            Value::String(text) if key == "content" => {
                format!("{key}: <{} bytes, base64>", text.len())
            }
            Value::String(text) => {
                let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                let short: String = first_line.chars().take(SUMMARY_CHARS).collect();
                if short.len() == text.len() {
                    format!("{key}: {text:?}")
                } else {
                    format!("{key}: {short:?}… ({} chars)", text.chars().count())
                }
            }
            other => {
                let text = other.to_string();
                let short: String = text.chars().take(SUMMARY_CHARS).collect();
                if short.len() == text.len() {
                    format!("{key}: {text}")
                } else {
                    format!("{key}: {short}…")
                }
            }
        })
        .collect();
    parts.join(", ")
}

/// Percent-encode a path, keeping its slashes.
fn encode_path(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

fn encode_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decode the contents API's base64, which GitHub wraps at 60 characters.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_shows_short_values_and_counts_long_ones() {
        let long = "x".repeat(500);
        let summary = summarise(&json!({ "title": "Fix it", "body": long, "draft": true }));
        assert!(summary.contains("title: \"Fix it\""), "{summary}");
        assert!(summary.contains("(500 chars)"), "{summary}");
        assert!(summary.contains("draft: true"), "{summary}");
        let content = summarise(&json!({ "content": encode_base64(b"secret file") }));
        assert!(
            !content.contains(&encode_base64(b"secret file")),
            "{content}"
        );
    }

    #[test]
    fn wrapped_base64_decodes_and_paths_keep_their_slashes() {
        let encoded = encode_base64(&[7_u8; 100]);
        let (head, tail) = encoded.split_at(60);
        assert_eq!(
            decode_base64(&format!("{head}\n{tail}\n")),
            Some(vec![7; 100])
        );
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(
            encode_path("docs/TROUBLE SHOOTING.md"),
            "docs/TROUBLE%20SHOOTING.md"
        );
        assert_eq!(encode("acme:autoheal/issue-1"), "acme%3Aautoheal%2Fissue-1");
    }
}
