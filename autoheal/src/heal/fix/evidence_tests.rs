//! The evidence's reading of paths, endpoints, span fields and OS error codes.

use super::*;

#[test]
fn paths_are_found_bare_quoted_or_in_debug_output() {
    let cases = [
        (
            "could not read /nonexistent/pins.txt",
            "/nonexistent/pins.txt",
        ),
        ("open \"/var/lib/my app/db\": denied", "/var/lib/my app/db"),
        ("Custom { path: \"./conf/app.toml\" }", "./conf/app.toml"),
        ("failed (~/data/x.bin), giving up", "~/data/x.bin"),
        (
            "/home/u/.cfg/a.json:3:5: not valid JSON",
            "/home/u/.cfg/a.json",
        ),
        (
            "reading config/settings.json failed",
            "config/settings.json",
        ),
        ("C:\\Users\\me\\a.txt: denied", "C:\\Users\\me\\a.txt"),
    ];
    for (text, path) in cases {
        assert_eq!(path_in(text).as_deref(), Some(path), "{text}");
    }
    for text in [
        "No such file or directory (os error 2)",
        "http://127.0.0.1:5001/api/v0/id refused",
        "and/or 3.5 times",
        "see / for more",
    ] {
        assert_eq!(path_in(text), None, "{text}");
    }
}

#[test]
fn endpoints_come_from_urls_multiaddrs_and_host_port_pairs() {
    let endpoint = |host: &str, port| {
        Some(Endpoint {
            host: host.into(),
            port: Some(port),
        })
    };
    let cases = [
        (
            "daemon at http://127.0.0.1:5001 (refused)",
            endpoint("127.0.0.1", 5001),
        ),
        (
            "GET https://api.github.com/repos failed",
            endpoint("api.github.com", 443),
        ),
        (
            "listen /ip4/0.0.0.0/tcp/4001 failed",
            endpoint("0.0.0.0", 4001),
        ),
        (
            "address 127.0.0.1:8004 is in use",
            endpoint("127.0.0.1", 8004),
        ),
        ("connect to [::1]:5001", endpoint("[::1]", 5001)),
        (
            "connect to db.internal.example:5432",
            endpoint("db.internal.example", 5432),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(endpoint_in(text), expected, "{text}");
    }
    assert_eq!(endpoint_in("at line 3 column 5, time 10:30"), None);
    assert_eq!(endpoint_in("std::io::Error"), None);
    assert_eq!(endpoint_in("panicked at main.rs:42:5"), None);
}

#[test]
fn the_path_comes_from_the_failing_call_not_any_argument() {
    let failure = std::fs::read("/nonexistent/autoheal/settings.toml").unwrap_err();
    let mut report = crate::report::sample();
    report.error.message = "could not load the settings".into();
    report.error.chain = vec![failure.to_string()];
    report.command.args = vec!["build".into(), "--out".into(), "./dist/site.html".into()];
    // Nothing in the error names the file, and no span shows the argument was used.
    assert_eq!(Evidence::of(&report).path(), None);
    // The span of the failing function names its path.
    report.spans = vec![
        "build{out=./dist/site.html}".into(),
        "load{path=\"/nonexistent/autoheal/settings.toml\" strict=true}".into(),
    ];
    assert_eq!(
        Evidence::of(&report).path().as_deref(),
        Some("/nonexistent/autoheal/settings.toml")
    );
    // An argument counts once a span shows the function used it.
    report.spans = vec!["render{target=./dist/site.html}".into()];
    assert_eq!(
        Evidence::of(&report).path().as_deref(),
        Some("./dist/site.html")
    );
    // The error's own path comes first.
    report.error.message = "could not load /etc/app/real.toml".into();
    assert_eq!(
        Evidence::of(&report).path().as_deref(),
        Some("/etc/app/real.toml")
    );
}

#[test]
fn ports_and_hosts_come_from_the_error_or_the_failing_span() {
    let mut report = crate::report::sample();
    report.error.message = "Address already in use (os error 98)".into();
    report.command.args = vec!["serve".into(), "--port".into(), "8080".into()];
    let evidence = Evidence::of(&report);
    assert_eq!(evidence.port(), None);
    report.spans = vec!["serve{port=8080}".into()];
    assert_eq!(Evidence::of(&report).port(), Some(8080));
    report.spans = vec!["connect{addr=db.internal.example:5432}".into()];
    assert_eq!(
        Evidence::of(&report)
            .endpoint()
            .map(|e| e.address())
            .as_deref(),
        Some("db.internal.example:5432")
    );
    assert_eq!(
        span_fields("load{path=\"/a b/c\" n=3}"),
        [
            ("path".to_string(), "/a b/c".to_string()),
            ("n".to_string(), "3".to_string())
        ]
    );
    assert!(span_fields("plain").is_empty());
}

#[test]
fn os_error_codes_are_read_by_the_reports_os() {
    let mut report = crate::report::sample();
    report.error.message = "Connection refused (os error 111)".into();
    let evidence = Evidence::of(&report);
    assert_eq!(evidence.os_error, Some(111));
    assert!(evidence.errno(Errno::ConnectionRefused));
    report.system.os = "macos".into();
    assert!(!Evidence::of(&report).errno(Errno::ConnectionRefused));
    report.error.message = "Connection refused (os error 61)".into();
    assert!(Evidence::of(&report).errno(Errno::ConnectionRefused));
}

#[test]
fn huge_texts_are_read_only_so_far() {
    let mut report = crate::report::sample();
    report.error.message = format!("{}(os error 2)", "é".repeat(TEXT_BYTES));
    assert_eq!(Evidence::of(&report).os_error, None);
    assert_eq!(prefix_within("éé", 3), "é");
}
