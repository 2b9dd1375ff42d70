//! The ipfs-kit commands, their success and their realistic failures, and what the user is
//! told about the failure's report.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::Duration;

use common::Sandbox;

#[test]
fn add_prints_the_cid_ipfs_would() {
    let sandbox = Sandbox::new();
    let empty = sandbox.home().join("empty.txt");
    let hello = sandbox.home().join("hello.txt");
    std::fs::write(&empty, b"").unwrap();
    std::fs::write(&hello, b"hello world").unwrap();
    let run = sandbox.run(&["add", empty.to_str().unwrap()]);
    assert_eq!(
        run.success().stdout.trim(),
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    );
    let run = sandbox.run(&["add", hello.to_str().unwrap()]);
    assert_eq!(
        run.success().stdout.trim(),
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    );
}

#[test]
fn add_fails_clearly_for_missing_unreadable_and_too_large_files() {
    let sandbox = Sandbox::new();
    let missing = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    missing.failure(1);
    assert!(
        missing
            .stderr
            .contains("error: could not read /nonexistent/pins.txt: No such file or directory"),
        "{}",
        missing.stderr
    );
    let directory = sandbox.run(&["add", sandbox.home().to_str().unwrap()]);
    directory.failure(1);
    assert!(
        directory.stderr.contains("could not read"),
        "{}",
        directory.stderr
    );
    let big = sandbox.home().join("big.bin");
    std::fs::write(&big, vec![7u8; 256 * 1024 + 1]).unwrap();
    let too_big = sandbox.run(&["add", big.to_str().unwrap()]);
    too_big.failure(1);
    assert!(too_big.stderr.contains("multi-block"), "{}", too_big.stderr);
}

#[test]
fn a_failure_with_reporting_off_says_how_to_turn_it_on() {
    let run = Sandbox::new().run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("ipfs-kit autoheal enable --github-repo OWNER/REPO"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failure_with_reporting_on_is_queued_and_the_user_told_where() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("saved in the local queue (no GitHub token is set (GITHUB_TOKEN))"),
        "{}",
        run.stderr
    );
    let trace_id = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID: "))
        .expect("the trace ID is shown")
        .to_string();
    let report_path = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Report:   "))
        .expect("the report's path is shown");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_path.trim()).unwrap()).unwrap();
    assert_eq!(report["trace_id"], trace_id.as_str());
    assert_eq!(report["error"]["type"], "io::Error");
    assert_eq!(
        report["error"]["message"],
        "could not read /nonexistent/pins.txt"
    );
    assert_eq!(
        report["frames"],
        serde_json::json!(["add", "ipfs-kit"]),
        "reported once, at the outermost frame"
    );
    assert_eq!(report["command"]["program"], "ipfs-kit");
    assert_eq!(
        report["command"]["args"],
        serde_json::json!(["add", "/nonexistent/pins.txt"])
    );
    assert_eq!(report["system"]["app"], "ipfs_kit");
    let queue = sandbox.run(&["autoheal", "queue"]);
    assert!(
        queue.success().stdout.contains(&trace_id),
        "{}",
        queue.stdout
    );
    assert_eq!(
        sandbox
            .run(&["autoheal", "status", "--json"])
            .success()
            .json()["queue_length"],
        1
    );
}

/// A stand-in for the Kubo RPC API: answers one `POST /api/v0/id`.
fn kubo_stub(
    reply_status: &'static str,
    reply_body: &'static str,
) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        write!(stream, "HTTP/1.1 {reply_status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply_body}", reply_body.len()).unwrap();
        request_line
    });
    (url, handle)
}

#[test]
fn id_prints_the_peer_id_from_the_rpc_api() {
    let (url, stub) = kubo_stub(
        "200 OK",
        r#"{"ID":"12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf","Addresses":[]}"#,
    );
    let run = Sandbox::new().run(&["id", "--api", &url]);
    assert_eq!(
        run.success().stdout.trim(),
        "12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf"
    );
    assert!(stub.join().unwrap().starts_with("POST /api/v0/id HTTP/1.1"));
}

#[test]
fn id_explains_an_error_status_and_a_missing_daemon() {
    let (url, _stub) = kubo_stub(
        "500 Internal Server Error",
        r#"{"Message":"repo not initialized","Code":0}"#,
    );
    let run = Sandbox::new().run(&["id", "--api", &url]);
    run.failure(1);
    assert!(
        run.stderr.contains("answered 500") && run.stderr.contains("repo not initialized"),
        "{}",
        run.stderr
    );

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = Sandbox::new().run(&["id", "--api", &url]);
    run.failure(1);
    assert!(
        run.stderr
            .contains(&format!("could not reach the IPFS daemon at {url}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("is the IPFS daemon running?"),
        "{}",
        run.stderr
    );
}

#[test]
fn mcp_start_on_a_busy_port_fails_with_the_realistic_error() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let run = Sandbox::new().run(&["mcp", "start", "--port", &port]);
    run.failure(1);
    assert!(
        run.stderr
            .contains(&format!("address 127.0.0.1:{port} is already in use")),
        "{}",
        run.stderr
    );
}

#[test]
fn mcp_start_serves_health_until_stopped() {
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .command(&["mcp", "start", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    stdout.read_line(&mut banner).unwrap();
    let address = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with(r#"{"status":"ok"}"#), "{reply}");
}

#[test]
fn the_queue_is_bounded_and_can_be_cleared() {
    let sandbox = Sandbox::new();
    sandbox.run(&["autoheal", "enable"]).success();
    sandbox
        .run(&["autoheal", "config", "--set", "queue_max_reports", "2"])
        .success();
    for name in ["a", "b", "c"] {
        sandbox
            .run(&["add", &format!("/nonexistent/{name}")])
            .failure(1);
    }
    let status = sandbox
        .run(&["autoheal", "status", "--json"])
        .success()
        .json();
    assert_eq!(status["queue_length"], 2);
    assert_eq!(
        status["queue_dropped"], 1,
        "the oldest was dropped, and counted"
    );
    let listing = sandbox.run(&["autoheal", "queue"]).success().stdout.clone();
    assert!(
        !listing.contains("/nonexistent/a") && listing.contains("/nonexistent/c"),
        "{listing}"
    );

    let refused = sandbox.run(&["autoheal", "queue", "clear"]);
    refused.failure(1);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    assert_eq!(
        sandbox
            .run(&["autoheal", "status", "--json"])
            .success()
            .json()["queue_length"],
        2
    );
    let cleared = sandbox.run(&["autoheal", "queue", "clear", "--yes"]);
    assert!(
        cleared
            .success()
            .stdout
            .contains("Deleted 2 queued report(s)."),
        "{}",
        cleared.stdout
    );
    assert_eq!(
        sandbox
            .run(&["autoheal", "status", "--json"])
            .success()
            .json()["queue_length"],
        0
    );
}
