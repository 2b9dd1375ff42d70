//! The fake GitHub itself: its replies follow the documented shapes clients read, and its
//! pagination, search, labels, contents and pull requests behave like GitHub's.

mod common;

use std::time::Duration;

use common::{Client, is_rfc3339, numbers};
use fake_github::{FakeGitHub, NewIssue};
use serde_json::{Value, json};

#[test]
fn an_issue_is_created_read_and_updated_with_the_documented_shape() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let created = client.post(
        "/repos/acme/tools/issues",
        json!({ "title": "Crash in add", "body": "details", "labels": ["auto-heal"], "assignees": ["octocat"] }),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let issue = created.json();
    assert_eq!(issue["number"], 1);
    assert!(issue["id"].as_u64().is_some() && issue["node_id"].is_string());
    assert_eq!(issue["html_url"], "https://github.com/acme/tools/issues/1");
    assert_eq!(
        issue["url"],
        format!("{}/repos/acme/tools/issues/1", github.url())
    );
    assert_eq!(created.header("location"), issue["url"].as_str());
    assert_eq!(
        (
            issue["state"].as_str(),
            issue["title"].as_str(),
            issue["body"].as_str()
        ),
        (Some("open"), Some("Crash in add"), Some("details"))
    );
    assert_eq!(issue["labels"][0]["name"], "auto-heal");
    assert!(issue["labels"][0]["id"].is_u64() && issue["labels"][0]["color"].is_string());
    assert_eq!(issue["assignees"][0]["login"], "octocat");
    assert_eq!(issue["user"]["login"], "autoheal-bot");
    assert!(is_rfc3339(&issue["created_at"]) && is_rfc3339(&issue["updated_at"]));
    assert_eq!(
        (issue["closed_at"].clone(), issue["comments"].clone()),
        (Value::Null, json!(0))
    );
    assert!(issue.get("pull_request").is_none());
    assert_eq!(client.get("/repos/acme/tools/issues/1").json(), issue);
    assert_eq!(client.get("/repos/acme/tools/issues/2").status, 404);

    let closed = client.patch("/repos/acme/tools/issues/1", json!({ "state": "closed", "state_reason": "not_planned", "title": "Crash in add (dup)" })).json();
    assert_eq!(
        (closed["state"].as_str(), closed["state_reason"].as_str()),
        (Some("closed"), Some("not_planned"))
    );
    assert!(is_rfc3339(&closed["closed_at"]));
    assert_eq!(closed["title"], "Crash in add (dup)");
    let reopened = client
        .patch(
            "/repos/acme/tools/issues/1",
            json!({ "state": "open", "labels": ["bug"] }),
        )
        .json();
    assert_eq!(
        (
            reopened["state_reason"].as_str(),
            reopened["closed_at"].clone()
        ),
        (Some("reopened"), Value::Null)
    );
    assert_eq!(
        github.issues("acme/tools")[0].labels,
        ["bug"],
        "labels are replaced"
    );
    assert_eq!(
        client
            .patch("/repos/acme/tools/issues/1", json!({ "state": "shut" }))
            .status,
        422
    );
    assert_eq!(
        client
            .post("/repos/acme/tools/issues", json!({ "body": "no title" }))
            .json()["errors"][0]["code"],
        "missing_field"
    );
}

#[test]
fn every_reply_carries_github_headers() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let first = client.get("/repos/acme/tools/issues");
    let second = client.get("/search/issues?q=crash");
    for answer in [&first, &second] {
        assert_eq!(
            answer.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        for name in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ratelimit-used",
        ] {
            assert!(
                answer
                    .header(name)
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_some(),
                "{name}"
            );
        }
    }
    assert_ne!(
        first.header("x-github-request-id"),
        second.header("x-github-request-id")
    );
    assert_eq!(second.header("x-ratelimit-resource"), Some("search"));
    assert_ne!(first.header("x-ratelimit-remaining"), Some("0"));
}

#[test]
fn lists_paginate_with_link_headers_followed_to_the_end() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let numbers_seeded = github.create_issues_directly("acme/tools", 75, |i| {
        let issue = NewIssue::new(&format!("issue {i}")).labels(if i % 3 == 0 {
            &["auto-heal", "bug"]
        } else {
            &["bug"]
        });
        if i % 5 == 4 { issue.closed() } else { issue }
    });
    let open: Vec<u64> = numbers_seeded
        .iter()
        .rev()
        .copied()
        .filter(|n| n % 5 != 0)
        .collect();
    assert_eq!(github.open_issue_count("acme/tools"), 60);

    let first = client.get("/repos/acme/tools/issues?state=open&per_page=20");
    assert_eq!(first.json().as_array().unwrap().len(), 20);
    assert_eq!(
        first.link("last").unwrap(),
        format!(
            "{}/repos/acme/tools/issues?state=open&per_page=20&page=3",
            github.url()
        )
    );
    assert!(first.link("prev").is_none() && first.link("first").is_none());
    let (all, pages) = client.get_all("/repos/acme/tools/issues?state=open&per_page=20");
    assert_eq!(
        (numbers(&all), pages),
        (open.clone(), 3),
        "newest first, every page followed"
    );
    let second = client.get(&first.link("next").unwrap());
    assert!(second.link("prev").unwrap().ends_with("page=1") && second.link("first").is_some());

    assert_eq!(
        client
            .get("/repos/acme/tools/issues")
            .json()
            .as_array()
            .unwrap()
            .len(),
        30,
        "30 by default"
    );
    assert_eq!(
        client
            .get("/repos/acme/tools/issues?state=all&per_page=500")
            .json()
            .as_array()
            .unwrap()
            .len(),
        75,
        "at most 100"
    );
    assert!(
        client
            .get("/repos/acme/tools/issues?page=9")
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (closed, _) = client.get_all("/repos/acme/tools/issues?state=closed");
    assert!(numbers(&closed).iter().all(|n| n % 5 == 0) && closed.len() == 15);

    let (labelled, pages) =
        client.get_all("/repos/acme/tools/issues?labels=auto-heal,bug&per_page=7");
    let expected: Vec<u64> = open.iter().copied().filter(|n| (n - 1) % 3 == 0).collect();
    assert_eq!(
        (numbers(&labelled), pages),
        (expected, 3),
        "every label must match; links keep the filter"
    );
}

#[test]
fn comments_are_added_listed_and_edited() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    client.post("/repos/acme/tools/issues", json!({ "title": "t" }));
    for i in 0..3 {
        let comment = client.post(
            "/repos/acme/tools/issues/1/comments",
            json!({ "body": format!("c{i}") }),
        );
        assert_eq!(comment.status, 201);
        let comment = comment.json();
        assert!(
            comment["html_url"]
                .as_str()
                .unwrap()
                .starts_with("https://github.com/acme/tools/issues/1#issuecomment-")
        );
        assert!(is_rfc3339(&comment["created_at"]) && comment["user"]["login"] == "autoheal-bot");
    }
    let page = client.get("/repos/acme/tools/issues/1/comments?per_page=2");
    assert_eq!(page.json().as_array().unwrap().len(), 2);
    let (all, pages) = client.get_all("/repos/acme/tools/issues/1/comments?per_page=2");
    let bodies: Vec<&str> = all.iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!((bodies, pages), (vec!["c0", "c1", "c2"], 2), "oldest first");
    let id = all[1]["id"].as_u64().unwrap();
    let edited = client.patch(
        &format!("/repos/acme/tools/issues/comments/{id}"),
        json!({ "body": "c1, edited" }),
    );
    assert_eq!(
        (edited.status, edited.json()["body"].as_str()),
        (200, Some("c1, edited"))
    );
    assert_eq!(github.comments("acme/tools", 1)[1].body, "c1, edited");
    assert_eq!(
        client.get("/repos/acme/tools/issues/1").json()["comments"],
        3
    );
    assert_eq!(
        client.get("/repos/acme/tools/issues/9/comments").status,
        404
    );
    assert_eq!(
        client
            .post(
                "/repos/acme/tools/issues/9/comments",
                json!({ "body": "x" })
            )
            .status,
        404
    );
}

#[test]
fn labels_are_listed_created_added_and_unknown_ones_can_be_refused() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    client.post(
        "/repos/acme/open/issues",
        json!({ "title": "t", "labels": ["new-label"] }),
    );
    assert_eq!(
        github.labels("acme/open"),
        ["new-label"],
        "created on the fly by default"
    );

    github.restrict_labels(&["bug"]);
    let refused = client.post(
        "/repos/acme/tools/issues",
        json!({ "title": "t", "labels": ["auto-heal"] }),
    );
    assert_eq!(
        (refused.status, refused.json()["message"].as_str()),
        (422, Some("Validation Failed"))
    );
    assert_eq!(refused.json()["errors"][0]["value"], "auto-heal");
    assert!(github.issues("acme/tools").is_empty());
    let label = client.post(
        "/repos/acme/tools/labels",
        json!({ "name": "auto-heal", "color": "#D73A4A", "description": "filed by autoheal" }),
    );
    assert_eq!(
        (label.status, label.json()["color"].as_str()),
        (201, Some("d73a4a"))
    );
    assert_eq!(
        client
            .post("/repos/acme/tools/labels", json!({ "name": "Auto-Heal" }))
            .json()["errors"][0]["code"],
        "already_exists"
    );
    let names: Vec<Value> = client
        .get("/repos/acme/tools/labels")
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].clone())
        .collect();
    assert_eq!(names, [json!("bug"), json!("auto-heal")]);
    assert_eq!(
        client
            .post(
                "/repos/acme/tools/issues",
                json!({ "title": "t", "labels": ["auto-heal"] })
            )
            .status,
        201
    );
    let labels = client.post(
        "/repos/acme/tools/issues/1/labels",
        json!({ "labels": ["bug"] }),
    );
    assert_eq!(
        (labels.status, labels.json().as_array().unwrap().len()),
        (200, 2)
    );
    assert_eq!(
        client
            .post("/repos/acme/tools/issues/1/labels", json!(["wontfix"]))
            .status,
        422
    );
    assert_eq!(github.issues("acme/tools")[0].labels, ["auto-heal", "bug"]);
}

#[test]
fn search_understands_qualifiers_phrases_and_fields() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let marker = "<!-- autoheal:fingerprint=abc -->";
    github.seed_issue(
        "acme/tools",
        "Panic in add",
        &format!("has {marker} inside"),
        &["auto-heal", "needs triage"],
        "open",
    );
    github.seed_issue(
        "acme/other",
        "Panic elsewhere",
        &format!("has {marker} inside"),
        &["auto-heal"],
        "open",
    );
    github.seed_issue(
        "acme/tools",
        "Closed one",
        &format!("has {marker} inside"),
        &["auto-heal"],
        "closed",
    );
    github.seed_issue(
        "acme/tools",
        "fingerprint=abc in the title",
        "plain body",
        &[],
        "open",
    );
    let search = |q: &str| {
        let answer = client.get(&format!(
            "/search/issues?q={}",
            q.replace(' ', "+")
                .replace('"', "%22")
                .replace(':', "%3A")
                .replace('/', "%2F")
        ));
        assert_eq!(answer.status, 200, "{q}: {}", answer.body);
        let found = answer.json();
        assert_eq!(found["incomplete_results"], false);
        assert_eq!(
            found["total_count"].as_u64().unwrap() as usize,
            found["items"].as_array().unwrap().len()
        );
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        search(
            "repo:acme/tools is:issue is:open label:auto-heal in:body \"autoheal:fingerprint=abc\""
        ),
        ["Panic in add"]
    );
    assert_eq!(
        search("\"fingerprint=abc\" in:title"),
        ["fingerprint=abc in the title"]
    );
    assert_eq!(
        search("repo:acme/tools \"FINGERPRINT=ABC\"").len(),
        3,
        "case-insensitive, title and body by default"
    );
    assert_eq!(search("label:\"needs triage\""), ["Panic in add"]);
    assert_eq!(search("is:closed fingerprint"), ["Closed one"]);
    assert_eq!(
        search("panic add"),
        ["Panic in add"],
        "every bare word must occur"
    );
    assert_eq!(
        search("repo:acme/tools -label:auto-heal"),
        ["fingerprint=abc in the title"]
    );
    assert!(search("is:pr panic").is_empty());
    assert!(
        search("\"abc inside has\"").is_empty(),
        "a phrase is matched as a whole"
    );
    let paged = client
        .get("/search/issues?q=fingerprint&per_page=2&page=2")
        .json();
    assert_eq!(
        (
            paged["total_count"].as_u64(),
            paged["items"].as_array().unwrap().len()
        ),
        (Some(4), 2)
    );
    assert_eq!(client.get("/search/issues").status, 422, "q is required");
}

#[test]
fn search_lags_behind_issue_creation() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    github.set_search_lag(Duration::from_millis(300));
    client.post(
        "/repos/acme/tools/issues",
        json!({ "title": "new", "body": "autoheal:fingerprint=new" }),
    );
    let query = "/search/issues?q=%22autoheal%3Afingerprint%3Dnew%22";
    assert_eq!(
        client.get(query).json()["total_count"],
        0,
        "a just-created issue is not indexed yet"
    );
    assert_eq!(
        client
            .get("/repos/acme/tools/issues")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "the list is up to date"
    );
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        client.get(query).json()["total_count"],
        1,
        "found once the lag has passed"
    );
}

#[test]
fn branches_contents_and_draft_pull_requests() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    assert_eq!(
        client.get("/repos/acme/tools").json()["default_branch"],
        "main"
    );
    let main = client.get("/repos/acme/tools/git/ref/heads/main").json();
    assert_eq!(main["ref"], "refs/heads/main");
    let sha = main["object"]["sha"].as_str().unwrap().to_string();
    let branch = json!({ "ref": "refs/heads/autoheal/issue-1", "sha": sha });
    assert_eq!(
        client
            .post("/repos/acme/tools/git/refs", branch.clone())
            .status,
        201
    );
    assert_eq!(
        client.post("/repos/acme/tools/git/refs", branch).json()["message"],
        "Reference already exists"
    );
    assert_eq!(
        client
            .post(
                "/repos/acme/tools/git/refs",
                json!({ "ref": "refs/heads/x", "sha": "0".repeat(40) })
            )
            .status,
        422
    );

    let early = json!({ "title": "Fix", "head": "acme:autoheal/issue-1", "base": "main" });
    assert!(
        client
            .post("/repos/acme/tools/pulls", early)
            .body
            .contains("No commits between")
    );
    let path = "/repos/acme/tools/contents/docs/TROUBLESHOOTING.md";
    let draft =
        json!({ "message": "docs", "content": "Zmlyc3QgZHJhZnQK", "branch": "autoheal/issue-1" });
    let created = client.put(path, draft);
    assert_eq!(created.status, 201);
    let file_sha = created.json()["content"]["sha"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(created.json()["commit"]["sha"].is_string());
    let text =
        "IyBUcm91Ymxlc2hvb3RpbmcKClJlc3RhcnQgdGhlIGRhZW1vbiB3aGVuIHBvcnQgODAwNCBpcyBidXN5Lgo=";
    let update = |sha: Option<&str>| json!({ "message": "docs", "content": text, "branch": "autoheal/issue-1", "sha": sha });
    assert_eq!(
        client.put(path, update(None)).status,
        422,
        "replacing a file needs its sha"
    );
    assert_eq!(client.put(path, update(Some(&"f".repeat(40)))).status, 409);
    assert_eq!(client.put(path, update(Some(&file_sha))).status, 200);
    let expected = b"# Troubleshooting\n\nRestart the daemon when port 8004 is busy.\n";
    assert_eq!(
        github
            .file("acme/tools", "autoheal/issue-1", "docs/TROUBLESHOOTING.md")
            .unwrap(),
        expected
    );
    let file = client.get(&format!("{path}?ref=autoheal/issue-1")).json();
    assert_eq!(
        file["content"],
        "IyBUcm91Ymxlc2hvb3RpbmcKClJlc3RhcnQgdGhlIGRhZW1vbiB3aGVuIHBv\ncnQgODAwNCBpcyBidXN5Lgo=\n",
        "wrapped at 60 like GitHub's"
    );
    assert_eq!(
        (file["encoding"].as_str(), file["size"].as_u64()),
        (Some("base64"), Some(expected.len() as u64))
    );
    assert_eq!(client.get(path).status, 404, "main is untouched");
    assert_eq!(
        client
            .get("/repos/acme/tools/contents/docs?ref=autoheal/issue-1")
            .json()[0]["name"],
        "TROUBLESHOOTING.md"
    );

    let request = json!({ "title": "Fix", "head": "acme:autoheal/issue-1", "base": "main", "body": "Fixes #1", "draft": true });
    let pull = client.post("/repos/acme/tools/pulls", request.clone());
    assert_eq!(pull.status, 201, "{}", pull.body);
    let pull = pull.json();
    assert_eq!(
        (pull["number"].as_u64(), pull["draft"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(pull["html_url"], "https://github.com/acme/tools/pull/1");
    assert_eq!(
        (pull["head"]["ref"].as_str(), pull["base"]["ref"].as_str()),
        (Some("autoheal/issue-1"), Some("main"))
    );
    assert!(
        client
            .post("/repos/acme/tools/pulls", request)
            .body
            .contains("already exists")
    );
    assert_eq!(
        client
            .get("/repos/acme/tools/pulls?head=acme:autoheal/issue-1")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        client
            .get("/repos/acme/tools/pulls?head=acme:other")
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        client.get("/repos/acme/tools/issues/1").json()["pull_request"].is_object(),
        "a pull request is an issue too"
    );
    assert!(github.issues("acme/tools").is_empty() && github.pulls("acme/tools")[0].draft);
}

#[test]
fn ten_thousand_seeded_issues_are_counted_and_listed() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    github.create_issues_directly("acme/big", 10_000, |i| {
        NewIssue::new(&format!("bug {i}")).labels(&["auto-heal"])
    });
    assert_eq!(github.open_issue_count("acme/big"), 10_000);
    let first = client.get("/repos/acme/big/issues?per_page=100&labels=auto-heal");
    let last = client.get(&first.link("last").unwrap());
    assert!(first.link("last").unwrap().ends_with("page=100"));
    assert_eq!(numbers(&last.json().as_array().unwrap()[99..]), [1]);
}
