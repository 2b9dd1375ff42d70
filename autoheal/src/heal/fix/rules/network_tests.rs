use std::net::{TcpListener, TcpStream};

use super::*;
use crate::fix::rules::tests_support::{real_io_error, report_with};

/// A port on 127.0.0.1 that nothing listens on (it was free a moment ago).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_refused_connection_to_the_kubo_port_says_to_start_the_daemon() {
    let port = closed_port();
    let refused = real_io_error(|| TcpStream::connect(("127.0.0.1", port)));
    let report = report_with(
        "the IPFS daemon is not running at http://127.0.0.1:5001 (connection refused); start it with `ipfs daemon`, or pass --api URL",
        &[&format!("io: {refused}"), &refused],
    );
    let finding = connection_refused(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "Connection refused by `127.0.0.1:5001`");
    assert_eq!(finding.confidence, Confidence::High);
    assert!(finding.steps[0].starts_with("Start the IPFS daemon: `ipfs daemon`"));
    assert!(finding.steps[1].contains("`ss -ltnp 'sport = :5001'`"));
}

#[test]
fn a_refused_connection_elsewhere_names_host_and_port() {
    let port = closed_port();
    let refused = real_io_error(|| TcpStream::connect(("127.0.0.1", port)));
    let report = report_with(
        &format!("could not connect to 127.0.0.1:{port}"),
        &[&refused],
    );
    let finding = connection_refused(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        format!("Connection refused by `127.0.0.1:{port}`")
    );
    assert!(!finding.steps.iter().any(|s| s.contains("ipfs daemon")));
}

#[test]
fn a_port_in_use_gives_the_holder_command_and_another_port() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let in_use = real_io_error(|| TcpListener::bind(("127.0.0.1", port)));
    let mut report = report_with(
        &format!(
            "address 127.0.0.1:{port} is already in use; stop the process holding it or pick another --port"
        ),
        &[&in_use],
    );
    report.command.program = "ipfs-kit".into();
    report.command.args = vec![
        "mcp".into(),
        "start".into(),
        "--port".into(),
        port.to_string(),
    ];
    let finding = address_in_use(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        format!("Address already in use: port `{port}`")
    );
    assert!(finding.steps[0].contains(&format!("`ss -ltnp 'sport = :{port}'`")));
    let other = port.checked_add(1).unwrap_or(port - 1);
    assert!(
        finding.steps[2].contains(&format!("`ipfs-kit mcp start --port {other}`")),
        "{:?}",
        finding.steps
    );
}

#[test]
fn timeouts_from_ureq_std_and_tokio_are_recognised() {
    for (message, chain) in [
        (
            "the IPFS daemon at http://127.0.0.1:5001 did not answer in time",
            "timeout: global",
        ),
        ("request failed", "Connection timed out (os error 110)"),
        ("waiting for the pin", "deadline has elapsed"),
    ] {
        let report = report_with(message, &[chain]);
        assert!(timed_out(&Evidence::of(&report)).is_some(), "{message}");
    }
    let report = report_with(
        "fetching https://example.com/x failed",
        &["timeout: connect"],
    );
    let finding = timed_out(&Evidence::of(&report)).unwrap();
    assert!(finding.steps[0].contains("`curl -v --max-time 10 https://example.com/`"));
}

#[test]
fn name_resolution_tls_and_auth_failures_are_told_apart() {
    let report = report_with(
        "GET https://api.githb.com/repos failed",
        &["failed to lookup address information: Name or service not known"],
    );
    let evidence = Evidence::of(&report);
    let finding = dns_resolution(&evidence).unwrap();
    assert_eq!(
        finding.title,
        "Host name could not be resolved: `api.githb.com`"
    );
    assert!(finding.steps[0].contains("`getent hosts api.githb.com`"));
    assert!(tls_certificate(&evidence).is_none() && http_unauthorized(&evidence).is_none());

    let report = report_with(
        "GET https://self-signed.internal/x failed",
        &["rustls: invalid peer certificate: UnknownIssuer"],
    );
    let finding = tls_certificate(&Evidence::of(&report)).unwrap();
    assert!(
        finding.title.starts_with("TLS certificate not trusted"),
        "{}",
        finding.title
    );
    assert!(finding.steps[0].contains("openssl s_client -connect self-signed.internal:443"));
    let report = report_with(
        "tls error",
        &["invalid peer certificate: certificate expired"],
    );
    assert!(
        tls_certificate(&Evidence::of(&report))
            .unwrap()
            .title
            .starts_with("TLS certificate expired")
    );

    let report = report_with(
        "creating the issue on https://api.github.com/repos/acme/tools failed",
        &["http status: 401"],
    );
    let finding = http_unauthorized(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "HTTP 401 from `api.github.com`");
    assert!(finding.steps[0].contains("`GITHUB_TOKEN`"));
    let report = report_with(
        "the API answered 403 Forbidden: API rate limit exceeded",
        &[],
    );
    let finding = http_unauthorized(&Evidence::of(&report)).unwrap();
    assert!(finding.cause.contains("rate limit"));
    let report = report_with("HF_TOKEN was refused", &["status code 401"]);
    assert!(http_unauthorized(&Evidence::of(&report)).unwrap().steps[0].contains("`HF_TOKEN`"));
    let report = report_with(
        "the IPFS daemon at http://127.0.0.1:5001 answered 401 Unauthorized: no token",
        &[],
    );
    let finding = http_unauthorized(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "HTTP 401 from `127.0.0.1`");
    assert!(
        !finding.steps.iter().any(|s| s.contains("GITHUB_TOKEN")),
        "{:?}",
        finding.steps
    );
}

#[test]
fn near_misses_are_not_network_failures() {
    for message in [
        "Connection reset by peer (os error 104)",
        "processed 401 items",
        "http status: 404",
        "the timeout must be a number",
        "certificate loaded",
        "port 5001 is open",
    ] {
        let report = report_with(message, &[]);
        let evidence = Evidence::of(&report);
        for (name, matched) in [
            ("refused", connection_refused(&evidence).is_some()),
            ("in use", address_in_use(&evidence).is_some()),
            ("timed out", timed_out(&evidence).is_some()),
            ("dns", dns_resolution(&evidence).is_some()),
            ("tls", tls_certificate(&evidence).is_some()),
            ("http", http_unauthorized(&evidence).is_some()),
        ] {
            assert!(!matched, "{message} matched {name}");
        }
    }
}
