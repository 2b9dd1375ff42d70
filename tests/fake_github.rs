//! The fake GitHub itself: its replies follow the documented shapes the clients read, its
//! pagination and search behave like GitHub's, and its fault switches do what they say.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::fake_github::{FakeGitHub, Fault};

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

fn get(github: &FakeGitHub, path: &str) -> (u16, Value, Option<String>) {
    let mut reply = agent(Duration::from_secs(5))
        .get(&format!("{}{path}", github.url()))
        .header("Authorization", "Bearer test")
        .call()
        .unwrap();
    let link = reply
        .headers()
        .get("link")
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    (
        reply.status().as_u16(),
        serde_json::from_str(&reply.body_mut().read_to_string().unwrap()).unwrap_or(Value::Null),
        link,
    )
}

fn post(github: &FakeGitHub, path: &str, body: Value) -> (u16, Value) {
    let mut reply = agent(Duration::from_secs(5))
        .post(&format!("{}{path}", github.url()))
        .header("Authorization", "Bearer test")
        .send_json(&body)
        .unwrap();
    (
        reply.status().as_u16(),
        serde_json::from_str(&reply.body_mut().read_to_string().unwrap()).unwrap_or(Value::Null),
    )
}

#[test]
fn issues_are_created_read_and_listed_page_by_page() {
    let github = FakeGitHub::start();
    let (status, issue) = post(
        &github,
        "/repos/acme/tools/issues",
        json!({ "title": "t", "body": "b", "labels": ["auto-heal"] }),
    );
    assert_eq!(status, 201);
    assert_eq!(issue["number"], 1);
    assert_eq!(issue["html_url"], "https://github.com/acme/tools/issues/1");
    assert_eq!(issue["labels"][0]["name"], "auto-heal");
    assert_eq!(get(&github, "/repos/acme/tools/issues/1").1["title"], "t");
    for i in 0..4 {
        github.seed_issue("acme/tools", &format!("other {i}"), "", &[], "open");
    }
    let mut url = "/repos/acme/tools/issues?per_page=2&state=open".to_string();
    let mut seen = Vec::new();
    loop {
        let (status, page, link) = get(&github, &url);
        assert_eq!(status, 200);
        seen.extend(
            page.as_array()
                .unwrap()
                .iter()
                .map(|i| i["number"].as_u64().unwrap()),
        );
        let Some(next) = link
            .as_deref()
            .and_then(|l| l.split(',').find(|p| p.contains("rel=\"next\"")))
        else {
            break;
        };
        let next = &next[next.find('<').unwrap() + 1..next.find('>').unwrap()];
        url = next.trim_start_matches(github.url()).to_string();
    }
    assert_eq!(seen, [5, 4, 3, 2, 1], "newest first, every page followed");
    let (_, labelled, _) = get(&github, "/repos/acme/tools/issues?labels=auto-heal");
    assert_eq!(labelled.as_array().unwrap().len(), 1);
}

#[test]
fn search_understands_qualifiers_and_phrases_and_lags_like_github() {
    let github = FakeGitHub::start();
    github.seed_issue(
        "acme/tools",
        "old",
        "has <!-- autoheal:fingerprint=abc --> inside",
        &["auto-heal"],
        "open",
    );
    github.seed_issue(
        "acme/other",
        "elsewhere",
        "has <!-- autoheal:fingerprint=abc --> inside",
        &["auto-heal"],
        "open",
    );
    github.seed_issue(
        "acme/tools",
        "closed",
        "has <!-- autoheal:fingerprint=abc --> inside",
        &["auto-heal"],
        "closed",
    );
    let query = "/search/issues?q=repo%3Aacme%2Ftools+is%3Aissue+is%3Aopen+label%3Aauto-heal+in%3Abody+%22autoheal%3Afingerprint%3Dabc%22";
    let (status, found, _) = get(&github, query);
    assert_eq!(status, 200);
    assert_eq!(found["total_count"], 1);
    assert_eq!(found["incomplete_results"], false);
    assert_eq!(found["items"][0]["title"], "old");
    github.set_search_lag(Duration::from_secs(3600));
    post(
        &github,
        "/repos/acme/tools/issues",
        json!({ "title": "new", "body": "autoheal:fingerprint=new" }),
    );
    let (_, lagging, _) = get(
        &github,
        "/search/issues?q=%22autoheal%3Afingerprint%3Dnew%22",
    );
    assert_eq!(
        lagging["total_count"], 0,
        "a just-created issue is not indexed yet"
    );
}

#[test]
fn fault_switches_behave_as_named() {
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::PrimaryRateLimit { reset_in_secs: 60 }));
    let reply = agent(Duration::from_secs(5))
        .get(&format!("{}/repos/acme/tools/issues", github.url()))
        .header("Authorization", "Bearer t")
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 403);
    assert_eq!(reply.headers().get("x-ratelimit-remaining").unwrap(), "0");
    assert!(reply.headers().get("x-ratelimit-reset").is_some());
    github.set_fault(Some(Fault::SecondaryRateLimit {
        retry_after_secs: 7,
    }));
    let reply = agent(Duration::from_secs(5))
        .get(&format!("{}/repos/acme/tools/issues", github.url()))
        .header("Authorization", "Bearer t")
        .call()
        .unwrap();
    assert_eq!(
        (
            reply.status().as_u16(),
            reply
                .headers()
                .get("retry-after")
                .unwrap()
                .to_str()
                .unwrap()
        ),
        (429, "7")
    );
    github.set_fault(Some(Fault::Status(410)));
    assert_eq!(get(&github, "/repos/acme/tools/issues").0, 410);
    github.set_fault(Some(Fault::Hang));
    let hung = agent(Duration::from_millis(300))
        .get(&format!("{}/x", github.url()))
        .call();
    assert!(matches!(hung, Err(ureq::Error::Timeout(_))), "{hung:?}");
    github.set_fault(Some(Fault::Down));
    let refused = agent(Duration::from_secs(5))
        .get(&format!("{}/x", github.url()))
        .call();
    assert!(
        matches!(&refused, Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused),
        "{refused:?}"
    );
    github.set_fault(None);
    let unauthenticated = agent(Duration::from_secs(5))
        .get(&format!("{}/repos/acme/tools/issues", github.url()))
        .call()
        .unwrap();
    assert_eq!(
        unauthenticated.status().as_u16(),
        401,
        "no token, no access"
    );
    assert_eq!(
        github.requests().len(),
        5,
        "every request that arrived is recorded; the refused one never arrived"
    );
}

#[test]
fn branches_contents_and_draft_pull_requests() {
    let github = FakeGitHub::start();
    let (_, main, _) = get(&github, "/repos/acme/tools/git/ref/heads/main");
    let sha = main["object"]["sha"].as_str().unwrap().to_string();
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/git/refs",
            json!({ "ref": "refs/heads/autoheal/issue-1", "sha": sha })
        )
        .0,
        201
    );
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/git/refs",
            json!({ "ref": "refs/heads/autoheal/issue-1", "sha": sha })
        )
        .0,
        422
    );
    let mut put = agent(Duration::from_secs(5))
        .put(&format!("{}/repos/acme/tools/contents/docs/TROUBLESHOOTING.md", github.url()))
        .header("Authorization", "Bearer t")
        .send_json(json!({ "message": "docs", "content": "aGVsbG8gd29ybGQ=", "branch": "autoheal/issue-1" }))
        .unwrap();
    assert_eq!(put.status().as_u16(), 201);
    let _ = put.body_mut().read_to_string();
    assert_eq!(
        github
            .file("acme/tools", "autoheal/issue-1", "docs/TROUBLESHOOTING.md")
            .unwrap(),
        b"hello world"
    );
    let (_, file, _) = get(
        &github,
        "/repos/acme/tools/contents/docs/TROUBLESHOOTING.md?ref=autoheal/issue-1",
    );
    assert_eq!(file["content"], "aGVsbG8gd29ybGQ=");
    let (status, pull) = post(
        &github,
        "/repos/acme/tools/pulls",
        json!({ "title": "Fix", "head": "autoheal/issue-1", "base": "main", "body": "Fixes #1", "draft": true }),
    );
    assert_eq!(status, 201);
    assert_eq!(pull["draft"], true);
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/pulls",
            json!({ "title": "Fix", "head": "autoheal/issue-1", "base": "main" })
        )
        .0,
        422
    );
    assert_eq!(
        get(
            &github,
            "/repos/acme/tools/pulls?head=acme:autoheal/issue-1"
        )
        .1
        .as_array()
        .unwrap()
        .len(),
        1
    );
}

#[test]
fn labels_can_be_listed_created_and_added_to_issues() {
    let github = FakeGitHub::start();
    github.restrict_labels(&["bug"]);
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/issues",
            json!({ "title": "t", "labels": ["auto-heal"] })
        )
        .0,
        422
    );
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/labels",
            json!({ "name": "auto-heal", "color": "d73a4a" })
        )
        .0,
        201
    );
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/labels",
            json!({ "name": "auto-heal" })
        )
        .0,
        422
    );
    let (_, labels, _) = get(&github, "/repos/acme/tools/labels");
    assert_eq!(labels.as_array().unwrap().len(), 2);
    assert_eq!(
        post(
            &github,
            "/repos/acme/tools/issues",
            json!({ "title": "t", "labels": ["auto-heal"] })
        )
        .0,
        201
    );
    let (status, labels) = post(
        &github,
        "/repos/acme/tools/issues/1/labels",
        json!({ "labels": ["bug"] }),
    );
    assert_eq!((status, labels.as_array().unwrap().len()), (200, 2));
}

#[test]
fn comments_are_added_and_listed() {
    let github = FakeGitHub::start();
    post(&github, "/repos/acme/tools/issues", json!({ "title": "t" }));
    for i in 0..3 {
        assert_eq!(
            post(
                &github,
                "/repos/acme/tools/issues/1/comments",
                json!({ "body": format!("c{i}") })
            )
            .0,
            201
        );
    }
    let (status, page, link) = get(&github, "/repos/acme/tools/issues/1/comments?per_page=2");
    assert_eq!(status, 200);
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert!(link.is_some_and(|l| l.contains("rel=\"next\"")));
    assert_eq!(get(&github, "/repos/acme/tools/issues/9/comments").0, 404);
}
