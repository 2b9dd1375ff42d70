//! The fake GitHub's Copilot coding agent: agent tasks accepted or refused as GitHub does, and
//! issue assignment that leaves out a login it cannot assign.

mod common;

use common::{Client, is_rfc3339};
use fake_github::{AgentTasks, COPILOT_ASSIGNEE, FakeGitHub, NewIssue};
use serde_json::json;

#[test]
fn an_accepted_task_is_recorded_and_answered_with_a_task_object() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    github.set_agent_tasks(AgentTasks::Accept);
    let request = json!({ "prompt": "Fix the crash\nin add", "base_ref": "main", "create_pull_request": true });
    let reply = client.post("/agents/repos/acme/tools/tasks", request);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let task = reply.json();
    let id = task["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(task["state"], "queued");
    assert_eq!(task["base_ref"], "main");
    assert_eq!(task["repository"]["full_name"], "acme/tools");
    assert_eq!(
        task["url"],
        format!("{}/agents/repos/acme/tools/tasks/{id}", github.url())
    );
    assert!(is_rfc3339(&task["created_at"]));
    let tasks = github.agent_tasks("acme/tools");
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        (
            tasks[0].id.as_str(),
            tasks[0].prompt.as_str(),
            tasks[0].create_pull_request
        ),
        (id.as_str(), "Fix the crash\nin add", true)
    );

    let without_prompt = client.post(
        "/agents/repos/acme/tools/tasks",
        json!({ "base_ref": "main" }),
    );
    assert_eq!(without_prompt.status, 422);
    assert_eq!(without_prompt.json()["errors"][0]["field"], "prompt");
    let unknown_base = client.post(
        "/agents/repos/acme/tools/tasks",
        json!({ "prompt": "x", "base_ref": "nope" }),
    );
    assert_eq!(unknown_base.status, 422);
    assert_eq!(github.agent_tasks("acme/tools").len(), 1);
}

#[test]
fn a_refused_task_answers_githubs_error_and_starts_nothing() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let request = json!({ "prompt": "Fix it" });
    assert_eq!(
        client
            .post("/agents/repos/acme/tools/tasks", request.clone())
            .status,
        404,
        "refused until a test accepts"
    );
    for status in [403_u16, 404, 422] {
        github.set_agent_tasks(AgentTasks::Refuse(status));
        let reply = client.post("/agents/repos/acme/tools/tasks", request.clone());
        assert_eq!(reply.status, status);
        let body = reply.json();
        assert!(body["message"].is_string() && body["documentation_url"].is_string());
    }
    assert!(github.agent_tasks("acme/tools").is_empty());
}

#[test]
fn copilot_is_assigned_only_when_it_can_be_and_others_always() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let number = github.create_issue_directly("acme/tools", NewIssue::new("Crash"));
    let path = format!("/repos/acme/tools/issues/{number}/assignees");
    let reply = client.post(
        &path,
        json!({ "assignees": ["copilot-swe-agent[bot]", "octocat"] }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let logins: Vec<String> = reply.json()["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(logins, ["octocat"], "Copilot is left out silently");

    github.set_copilot_assignable(true);
    let reply = client.post(&path, json!({ "assignees": ["copilot-swe-agent[bot]"] }));
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json()["assignees"][1]["login"], COPILOT_ASSIGNEE);
    assert_eq!(
        github.issue("acme/tools", number).unwrap().assignees,
        ["octocat", COPILOT_ASSIGNEE]
    );
    assert_eq!(
        client
            .post(
                "/repos/acme/tools/issues/99/assignees",
                json!({ "assignees": ["octocat"] })
            )
            .status,
        404
    );
}
