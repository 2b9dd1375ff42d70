//! The Copilot coding agent as the fake knows it: agent tasks (`POST
//! /agents/repos/{o}/{r}/tasks`, accepted or refused as a test chooses) and assigning issues
//! (`POST /repos/{o}/{r}/issues/{n}/assignees`, which silently skips logins that cannot be
//! assigned, as GitHub does).

use std::time::SystemTime;

use serde_json::{Value, json};

use super::FakeGitHub;
use super::encoding::{object_id, rfc3339};
use super::http::Reply;
use super::issues::strings;
use super::routes::Context;
use super::shapes::{error_reply, missing_field, not_found, user, validation_failed};
use super::state::{Repo, State};

const TASKS_DOCS: &str = "https://docs.github.com/rest/agent-tasks/agent-tasks#start-a-task";

/// The login an issue assigned to Copilot shows in its `assignees`.
pub const COPILOT_ASSIGNEE: &str = "Copilot";

/// How `POST /agents/repos/{o}/{r}/tasks` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentTasks {
    /// 201 with the new task (a repository with a Copilot plan).
    Accept,
    /// This error status with GitHub's error body: 403 (no Copilot plan), 404 (the preview not
    /// enabled), 422 (the agent turned off), 401 or 400 (a token the API does not take, such as
    /// an app's installation token).
    Refuse(u16),
}

/// A task as it stands in the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentTaskSnapshot {
    /// Its id.
    pub id: String,
    /// The repository, `owner/repo`.
    pub repo: String,
    /// The prompt it was started with.
    pub prompt: String,
    /// The base branch asked for.
    pub base_ref: Option<String>,
    /// Whether the agent was asked to open a pull request.
    pub create_pull_request: bool,
}

/// `POST /agents/repos/{o}/{r}/tasks` with `prompt` (required), `base_ref`, `head_ref`,
/// `model`, `create_pull_request`.
pub(crate) fn start_task(state: &mut State, context: &Context<'_>, repo: &str) -> Reply {
    let refusal = match state.agent_tasks {
        AgentTasks::Accept => None,
        AgentTasks::Refuse(status) => Some(status),
    };
    match refusal {
        Some(422) => {
            return validation_failed(
                &json!([{ "resource": "Task", "code": "custom", "message": "Copilot coding agent is disabled for this repository" }]),
                TASKS_DOCS,
            );
        }
        Some(403) => {
            return error_reply(
                403,
                "Copilot coding agent is not available: this account has no Copilot plan that includes it",
                TASKS_DOCS,
            );
        }
        Some(401) => {
            return error_reply(
                401,
                "Requires a user token: installation tokens cannot start agent tasks",
                TASKS_DOCS,
            );
        }
        Some(400) => return error_reply(400, "This token type is not supported", TASKS_DOCS),
        Some(status) => return error_reply(status, "Not Found", TASKS_DOCS),
        None => {}
    }
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let Some(prompt) = input["prompt"].as_str().filter(|p| !p.trim().is_empty()) else {
        return missing_field("Task", "prompt", TASKS_DOCS);
    };
    let base_ref = input["base_ref"].as_str().map(str::to_string);
    let login = state.login.clone();
    let serial = state.allocate_id();
    let repo_state: &Repo = state.repo_mut(repo);
    if let Some(base) = &base_ref
        && !repo_state.branches.contains_key(base)
    {
        return validation_failed(
            &json!([{ "resource": "Task", "field": "base_ref", "code": "invalid" }]),
            TASKS_DOCS,
        );
    }
    let hex = object_id(format!("task {serial} {prompt}").as_bytes());
    let id = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    let now = rfc3339(SystemTime::now());
    let full_name = repo_state.full_name.clone();
    let shape = json!({
        "id": id,
        "url": format!("{}/agents/repos/{full_name}/tasks/{id}", context.base),
        "name": prompt.lines().next().unwrap_or_default().chars().take(80).collect::<String>(),
        "state": "queued",
        "base_ref": base_ref,
        "head_ref": Value::Null,
        "user": user(&login, context.base),
        "repository": { "id": repo_state.id, "full_name": full_name },
        "created_at": now, "updated_at": now, "completed_at": Value::Null,
        "is_archived": false,
    });
    state.agent_task_log.push(AgentTaskSnapshot {
        id,
        repo: full_name,
        prompt: prompt.to_string(),
        base_ref,
        create_pull_request: input["create_pull_request"].as_bool().unwrap_or(false),
    });
    Reply::json(201, &shape)
}

/// `POST /repos/{o}/{r}/issues/{n}/assignees` with `assignees`: 201 with the issue. Copilot
/// (`copilot-swe-agent[bot]`, `copilot-swe-agent` or `Copilot`) is assigned only when the
/// fake says it can be; any other login always is.
pub(crate) fn add_assignees(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let input = match context.json() {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    let copilot_assignable = state.copilot_assignable;
    let repo_state: &mut Repo = state.repo_mut(repo);
    let Some(issue) = repo_state.issue_mut(number) else {
        return not_found();
    };
    for login in strings(&input["assignees"]) {
        let login = if is_copilot(&login) {
            if !copilot_assignable {
                continue;
            }
            COPILOT_ASSIGNEE.to_string()
        } else {
            login
        };
        if !issue
            .assignees
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&login))
        {
            issue.assignees.push(login);
        }
    }
    issue.updated_at = SystemTime::now();
    let number = issue.number;
    super::issues::reply_with_issue(state, context, repo, number, 201)
}

fn is_copilot(login: &str) -> bool {
    let login = login.to_ascii_lowercase();
    login == "copilot" || login == "copilot-swe-agent" || login == "copilot-swe-agent[bot]"
}

impl FakeGitHub {
    /// How the agent tasks endpoint answers from now on (`Refuse(404)` at first).
    pub fn set_agent_tasks(&self, answer: AgentTasks) {
        self.state().agent_tasks = answer;
    }

    /// Whether Copilot can be assigned to issues (`false` at first: the assignees endpoint
    /// then leaves it out, as GitHub does).
    pub fn set_copilot_assignable(&self, assignable: bool) {
        self.state().copilot_assignable = assignable;
    }

    /// The agent tasks started in `repo`, oldest first.
    pub fn agent_tasks(&self, repo: &str) -> Vec<AgentTaskSnapshot> {
        self.state()
            .agent_task_log
            .iter()
            .filter(|t| t.repo.eq_ignore_ascii_case(repo))
            .cloned()
            .collect()
    }
}
