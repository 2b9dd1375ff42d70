//! The ipfs-kit commands, their success and their realistic failures, and what the user is
//! told about the failure's report.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::Duration;

use common::Sandbox;

/// The CIDv1 (raw codec, sha2-256) of `data`, written out bit by bit from the specs:
/// multibase `b` + RFC 4648 base32 (lower case, no padding) of
/// `<version 0x01><codec 0x55><multihash 0x12 0x20 digest>`.
fn expected_cid(data: &[u8]) -> String {
    use sha2::Digest as _;
    let mut bytes = vec![0x01, 0x55, 0x12, 0x20];
    bytes.extend_from_slice(&sha2::Sha256::digest(data));
    let bits: Vec<u8> = bytes
        .iter()
        .flat_map(|byte| (0..8).rev().map(move |i| (byte >> i) & 1))
        .collect();
    let alphabet = "abcdefghijklmnopqrstuvwxyz234567".as_bytes();
    let mut cid = String::from("b");
    for group in bits.chunks(5) {
        let index = (0..5).fold(0usize, |acc, i| {
            (acc << 1) | usize::from(*group.get(i).unwrap_or(&0))
        });
        cid.push(char::from(alphabet[index]));
    }
    cid
}

#[test]
fn the_expected_cids_match_published_ipfs_vectors() {
    // `ipfs add --cid-version 1 --raw-leaves` of an empty file and of `printf 'hello world'`.
    assert_eq!(
        expected_cid(b""),
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    );
    assert_eq!(
        expected_cid(b"hello world"),
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    );
}

#[test]
fn add_prints_the_cid_ipfs_would() {
    let sandbox = Sandbox::new();
    let block: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    let files: [(&str, &[u8]); 4] = [
        ("empty.txt", b""),
        ("hello.txt", b"hello world"),
        ("hello-line.txt", b"hello world\n"),
        ("one-full-block.bin", &block),
    ];
    for (name, contents) in files {
        let path = sandbox.home().join(name);
        std::fs::write(&path, contents).unwrap();
        let run = sandbox.run(&["add", path.to_str().unwrap()]);
        assert_eq!(
            run.success().stdout.trim(),
            expected_cid(contents),
            "{name}"
        );
        assert!(run.stderr.is_empty(), "{name}: {}", run.stderr);
    }
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
fn a_broken_configuration_does_not_stop_a_command() {
    let sandbox = Sandbox::new();
    let file = sandbox.home().join("hello.txt");
    std::fs::write(&file, b"hello world").unwrap();
    let file = file.to_str().unwrap();

    let bad_env = sandbox.run_with(&["add", file], &[("IPFS_KIT_AUTO_HEAL", "sometimes")]);
    assert_eq!(
        bad_env.success().stdout.trim(),
        expected_cid(b"hello world")
    );
    assert!(
        bad_env.stderr.contains("IPFS_KIT_AUTO_HEAL")
            && bad_env
                .stderr
                .contains("automatic error reporting is off for this run"),
        "{}",
        bad_env.stderr
    );

    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    std::fs::write(sandbox.config_file(), "{\"enabled\": true,,}").unwrap();
    let bad_file = sandbox.run(&["add", file]);
    assert_eq!(
        bad_file.success().stdout.trim(),
        expected_cid(b"hello world")
    );
    assert!(
        bad_file
            .stderr
            .contains(&format!("{}:1:18", sandbox.config_file().display())),
        "names the file, line and column: {}",
        bad_file.stderr
    );
    let failing = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    failing.failure(1);
    assert!(
        failing
            .stderr
            .contains("automatic error reporting is off (configuration error)"),
        "{}",
        failing.stderr
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.config_file()).unwrap(),
        "{\"enabled\": true,,}",
        "a command never rewrites the file"
    );
}

#[test]
fn the_run_flags_switch_reporting_for_one_run() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    let off = sandbox.run(&["--no-auto-heal", "add", "/nonexistent/pins.txt"]);
    off.failure(1);
    assert!(
        off.stderr
            .contains("automatic error reporting is off (--no-auto-heal)"),
        "{}",
        off.stderr
    );
    assert_eq!(sandbox.queue_length(), 0, "nothing was recorded");

    sandbox.run(&["autoheal", "disable"]).success();
    let on = sandbox.run(&["add", "--auto-heal", "/nonexistent/pins.txt"]);
    on.failure(1);
    assert!(
        on.stderr.contains("saved in the local queue"),
        "{}",
        on.stderr
    );
    assert_eq!(sandbox.queue_length(), 1);

    let env_off = sandbox.run_with(
        &[
            "--github-repo",
            "other/repo",
            "add",
            "/nonexistent/pins.txt",
        ],
        &[("IPFS_KIT_AUTO_HEAL", "0")],
    );
    env_off.failure(1);
    assert!(
        env_off
            .stderr
            .contains("automatic error reporting is off (env IPFS_KIT_AUTO_HEAL)"),
        "{}",
        env_off.stderr
    );
    assert_eq!(sandbox.queue_length(), 1);
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
            .contains("saved in the local queue: no GitHub token is set"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`ipfs-kit autoheal flush` sends it"),
        "says how it will be sent: {}",
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
        run.stderr.starts_with(&format!(
            "error: the IPFS daemon is not running at {url} (connection refused)"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn mcp_start_on_a_busy_port_fails_with_the_realistic_error_and_one_report() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let sandbox = Sandbox::new();
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    let run = sandbox.run(&["mcp", "start", "--port", &port]);
    run.failure(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: address 127.0.0.1:{port} is already in use"
        )),
        "{}",
        run.stderr
    );
    let report_path = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Report:"))
        .expect("the report's path is shown");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_path.trim()).unwrap()).unwrap();
    assert_eq!(
        report["frames"],
        serde_json::json!(["mcp start", "ipfs-kit"])
    );
    assert!(
        report["labels"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("mcp")),
        "{report}"
    );
    assert_eq!(sandbox.queue_length(), 1, "one failure, one report");
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
