//! The fake GitHub's fault switches do what they say, it asks for a token, it records what it
//! received, and it speaks HTTP/1.1 with keep-alive and chunked bodies.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Client;
use fake_github::{FakeGitHub, Fault, FaultRule};
use serde_json::{Value, json};

#[test]
fn fault_switches_answer_with_githubs_statuses_and_headers() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let cases = [
        (Fault::Status(500), 500, "Server Error"),
        (Fault::Status(502), 502, "Server Error"),
        (Fault::Status(503), 503, "No server is currently available"),
        (Fault::Unauthorized, 401, "Bad credentials"),
        (Fault::Forbidden, 403, "Resource not accessible"),
        (Fault::NotFound, 404, "Not Found"),
        (Fault::Gone, 410, "Issues are disabled"),
        (Fault::Unprocessable, 422, "Validation Failed"),
        (
            Fault::PrimaryRateLimit { reset_in_secs: 600 },
            403,
            "API rate limit exceeded",
        ),
        (
            Fault::SecondaryRateLimit {
                retry_after_secs: 7,
            },
            429,
            "secondary rate limit",
        ),
        (
            Fault::SecondaryRateLimit403 {
                retry_after_secs: 7,
            },
            403,
            "secondary rate limit",
        ),
    ];
    for (fault, status, message) in cases {
        github.set_fault(fault.clone());
        let answer = client.post("/repos/acme/tools/issues", json!({ "title": "t" }));
        assert_eq!(answer.status, status, "{fault:?}");
        assert!(
            answer.json()["message"].as_str().unwrap().contains(message),
            "{fault:?}: {}",
            answer.body
        );
        assert!(answer.json()["documentation_url"].is_string(), "{fault:?}");
        assert_eq!(
            answer.json()["errors"].is_array(),
            status == 422,
            "{fault:?}"
        );
        let rate_limited = answer.header("x-ratelimit-remaining") == Some("0");
        assert_eq!(
            rate_limited,
            matches!(fault, Fault::PrimaryRateLimit { .. }),
            "{fault:?}"
        );
        let retry_after = answer.header("retry-after");
        assert_eq!(
            retry_after == Some("7"),
            matches!(
                fault,
                Fault::SecondaryRateLimit { .. } | Fault::SecondaryRateLimit403 { .. }
            ),
            "{fault:?}"
        );
        if rate_limited {
            let reset: u64 = answer.header("x-ratelimit-reset").unwrap().parse().unwrap();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(
                (now + 500..now + 700).contains(&reset),
                "the reset is an epoch time ahead"
            );
        }
    }

    github.set_fault(Fault::NotJson);
    let answer = client.get("/repos/acme/tools/issues");
    assert_eq!(answer.status, 200);
    assert!(serde_json::from_str::<Value>(&answer.body).is_err());
    github.set_fault(Fault::UnexpectedShape);
    let answer = client.post("/repos/acme/tools/issues", json!({ "title": "t" }));
    assert_eq!(answer.status, 201);
    assert!(
        answer.json().is_object()
            && answer.json()["number"].is_null()
            && !answer.json()["items"].is_array()
    );
    github.set_fault(Fault::Truncated);
    assert!(
        client
            .send(
                "POST",
                "/repos/acme/tools/issues",
                Some(json!({ "title": "t" }))
            )
            .is_err(),
        "the body ends early"
    );
    github.set_fault(None);
    assert!(
        github.issues("acme/tools").is_empty(),
        "a faulted request changes nothing"
    );
    assert_eq!(
        client
            .post("/repos/acme/tools/issues", json!({ "title": "t" }))
            .status,
        201
    );
}

#[test]
fn hang_times_out_down_refuses_and_both_recover() {
    let github = FakeGitHub::start();
    let quick = Client::with_timeout(&github, Duration::from_millis(300));
    github.set_fault(Fault::Hang);
    let hung = quick.send("GET", "/repos/acme/tools/issues", None);
    assert!(
        matches!(hung, Err(ureq::Error::Timeout(_))),
        "{:?}",
        hung.err()
    );
    github.set_fault(Some(Fault::Down));
    let refused = quick.send("GET", "/repos/acme/tools/issues", None);
    assert!(
        matches!(&refused, Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused),
        "{:?}",
        refused.err()
    );
    github.set_fault(None);
    assert_eq!(
        Client::new(&github).get("/repos/acme/tools/issues").status,
        200,
        "listening again, same address"
    );
    assert_eq!(
        github.request_count(),
        2,
        "the hung request and the last one; the refused one never arrived"
    );
}

#[test]
fn scoped_faults_apply_to_their_path_or_their_count_only() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    github.set_fault_for("/search", Fault::Status(503));
    assert_eq!(client.get("/search/issues?q=x").status, 503);
    assert_eq!(client.get("/repos/acme/tools/issues").status, 200);

    github.set_fault_times(Fault::Status(502), 2);
    let statuses: Vec<u16> = (0..3)
        .map(|_| client.get("/repos/acme/tools/issues").status)
        .collect();
    assert_eq!(statuses, [502, 502, 200]);
    assert!(github.faults().is_empty(), "a spent rule is gone");

    github.set_fault(FaultRule::new(Fault::Down).times(1));
    assert!(
        client
            .send("GET", "/repos/acme/tools/issues", None)
            .is_err(),
        "closed without a reply"
    );
    assert_eq!(client.get("/repos/acme/tools/issues").status, 200);

    github.set_fault(FaultRule::new(Fault::Slow(Duration::from_millis(600))).times(1));
    let impatient = Client::with_timeout(&github, Duration::from_millis(100));
    assert!(matches!(
        impatient.send("GET", "/repos/acme/tools", None),
        Err(ureq::Error::Timeout(_))
    ));
    github.set_fault(FaultRule::new(Fault::Slow(Duration::from_millis(50))).on_path("/repos"));
    assert_eq!(
        client.get("/repos/acme/tools").json()["default_branch"],
        "main",
        "slow, then a normal answer"
    );

    github.clear_faults();
    github.add_fault(FaultRule::new(Fault::Gone).on_path("/repos/acme/tools/issues"));
    github.add_fault(FaultRule::new(Fault::Status(500)));
    assert_eq!(
        client.get("/repos/acme/tools/issues").status,
        410,
        "the first rule that applies wins"
    );
    assert_eq!(client.get("/search/issues?q=x").status, 500);
}

#[test]
fn tokens_are_required_unless_any_is_accepted() {
    let github = FakeGitHub::start();
    let mut client = Client::new(&github);
    client.token = None;
    let anonymous = client.get("/repos/acme/tools/issues");
    assert_eq!(
        (anonymous.status, anonymous.json()["message"].as_str()),
        (401, Some("Requires authentication"))
    );
    github.expect_token("ghp_right");
    client.token = Some("ghp_wrong".into());
    assert_eq!(
        client.get("/repos/acme/tools/issues").json()["message"],
        "Bad credentials"
    );
    client.token = Some("ghp_right".into());
    assert_eq!(client.get("/repos/acme/tools/issues").status, 200);
    github.accept_any_token();
    client.token = None;
    assert_eq!(client.get("/repos/acme/tools/issues").status, 200);
}

#[test]
fn every_request_is_recorded() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    client.get("/repos/acme/tools/issues?state=open&labels=auto-heal");
    client.post("/repos/acme/tools/issues", json!({ "title": "recorded" }));
    let requests = github.requests();
    assert_eq!((requests.len(), github.request_count()), (2, 2));
    assert_eq!(
        (
            requests[0].method.as_str(),
            requests[0].path.as_str(),
            requests[0].query.as_str()
        ),
        (
            "GET",
            "/repos/acme/tools/issues",
            "state=open&labels=auto-heal"
        )
    );
    assert_eq!(
        requests[0].query_param("labels").as_deref(),
        Some("auto-heal")
    );
    assert_eq!(requests[1].header("AUTHORIZATION"), Some("Bearer ghp_test"));
    assert_eq!(requests[1].json().unwrap()["title"], "recorded");
    github.clear_requests();
    assert!(github.requests().is_empty());
}

/// Send `raw` on `stream` and read one reply: its status and body.
fn exchange(stream: &mut TcpStream, raw: &str) -> (u16, String) {
    stream.write_all(raw.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (mut line, mut length) = (String::new(), 0);
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header.trim().is_empty() {
            break;
        }
        if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

#[test]
fn one_connection_serves_many_requests_and_chunked_bodies_are_read() {
    let github = FakeGitHub::start();
    let address = github.url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let body = r#"{"title":"sent in chunks","body":"b"}"#;
    let (first, second) = body.split_at(10);
    let chunked = format!(
        "POST /repos/acme/tools/issues HTTP/1.1\r\nHost: x\r\nAuthorization: token t\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        first.len(),
        second.len()
    );
    assert_eq!(exchange(&mut stream, &chunked).0, 201);
    let (status, body) = exchange(
        &mut stream,
        "GET /repos/acme/tools/issues/1 HTTP/1.1\r\nHost: x\r\nAuthorization: token t\r\n\r\n",
    );
    assert_eq!(status, 200, "the same connection answers again");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["title"],
        "sent in chunks"
    );
    drop(github);
    assert!(
        TcpStream::connect(&address).is_err(),
        "dropped: nothing listens"
    );
}

#[test]
fn a_fault_for_one_method_leaves_the_others_alone() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    github.set_fault(
        FaultRule::new(Fault::Status(500))
            .on_path("/repos/acme/tools/contents")
            .on_method("put")
            .times(1),
    );
    let path = "/repos/acme/tools/contents/docs/A.md";
    assert_eq!(client.get(path).status, 404, "a read passes");
    let write = json!({ "message": "Add A", "content": "QQ==" });
    assert_eq!(client.put(path, write.clone()).status, 500);
    assert_eq!(client.put(path, write).status, 201, "spent after once");
    assert_eq!(
        github.file("acme/tools", "main", "docs/A.md"),
        Some(b"A".to_vec())
    );
}

#[test]
fn each_answered_request_is_recorded_with_its_reply() {
    let github = FakeGitHub::start();
    let client = Client::new(&github);
    let created = client.post("/repos/acme/tools/issues", json!({ "title": "Crash" }));
    github.set_fault(FaultRule::new(Fault::Status(502)).times(1));
    client.get("/repos/acme/tools/issues/1");

    let exchanges = github.exchanges();
    assert_eq!(exchanges.len(), 2);
    assert_eq!(exchanges[0].request, github.requests()[0]);
    assert_eq!(
        (exchanges[0].status, exchanges[0].json()),
        (201, Some(created.json()))
    );
    assert_eq!(exchanges[1].request.path, "/repos/acme/tools/issues/1");
    assert_eq!(exchanges[1].status, 502);
    github.clear_requests();
    assert!(github.exchanges().is_empty());
}
