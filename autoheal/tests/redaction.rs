//! No secret leaves the machine: a corpus of secret shapes, each in a message, a log line, an
//! argument and a path, and the near-misses that must stay intact.

use std::borrow::Cow;

use autoheal::Report;
use autoheal::config::Token;
use autoheal::redact::Redactor;
use autoheal::test::{test_config, with_captured_reports_using};
use serde_json::json;

/// (secret-bearing text, the secret that must vanish, what must remain)
const SECRETS: &[(&str, &str, &str)] = &[
    (
        "token ghp_0123456789abcdefghijABCDEFGHIJ012345 expired",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "expired",
    ),
    (
        "oauth gho_16C7e42F292c6912E7710c838347Ae178B4a in use",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "in use",
    ),
    (
        "app ghs_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
        "app",
    ),
    (
        "user ghu_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghu_abcdefghijklmnopqrstuvwxyz0123456789",
        "user",
    ),
    (
        "refresh ghr_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghr_abcdefghijklmnopqrstuvwxyz0123456789",
        "refresh",
    ),
    (
        "glued MY_ghp_0123456789abcdefghijABCDEFGHIJ012345_x",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "glued MY_",
    ),
    (
        "pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
        "pat",
    ),
    (
        "aws key AKIAIOSFODNN7EXAMPLE denied",
        "AKIAIOSFODNN7EXAMPLE",
        "denied",
    ),
    (
        "session ASIAY34FZKBOKMUTVV7A expired",
        "ASIAY34FZKBOKMUTVV7A",
        "expired",
    ),
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key=",
    ),
    (
        "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx failed",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "failed",
    ),
    (
        "user token xoxp-2222222222-3333333333-444444444444-abcdef0123 revoked",
        "xoxp-2222222222-3333333333-444444444444-abcdef0123",
        "revoked",
    ),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        "rejected",
    ),
    (
        "unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9. accepted",
        "eyJzdWIiOiJhZG1pbiJ9",
        "accepted",
    ),
    (
        "header Authorization: Bearer abc.def-123_456",
        "abc.def-123_456",
        "header Authorization: Bearer ",
    ),
    (
        "sent Bearer 9f8e7d6c5b4a39281706 to the api",
        "9f8e7d6c5b4a39281706",
        "to the api",
    ),
    (
        "curl -H 'Cookie: sid=31d4d96e407aad42; theme=dark'",
        "31d4d96e407aad42",
        "curl -H 'Cookie: ",
    ),
    (
        "X-Api-Key: 0123456789abcdef0123 rejected",
        "0123456789abcdef0123",
        "rejected",
    ),
    (
        "fetch https://alice:s3cretP4ss@registry.example.com/v2 failed",
        "s3cretP4ss",
        "https://alice:[REDACTED]@registry.example.com/v2 failed",
    ),
    (
        "GET /login?user=bob&password=hunter2&next=/",
        "hunter2",
        "user=bob&password=[REDACTED]&next=/",
    ),
    (
        "GET /api?token=tok_live_abcdef&page=2",
        "tok_live_abcdef",
        "&page=2",
    ),
    ("GET /x?passwd=opensesame1", "opensesame1", "passwd="),
    ("GET /x?pwd=letmein42", "letmein42", "pwd="),
    ("GET /x?secret=shh-quiet", "shh-quiet", "secret="),
    ("GET /x?api_key=k3y-material", "k3y-material", "api_key="),
    ("GET /x?access_token=at0ken", "at0ken", "access_token="),
    (
        "GET /x?key=AIzaSyA-not-google",
        "AIzaSyA-not-google",
        "key=",
    ),
    (
        "export DB_PASSWORD=hunter2 && run",
        "hunter2",
        "export DB_PASSWORD=[REDACTED] && run",
    ),
    (
        "settings clientSecret='c1i3nt s3cr3t' loaded",
        "c1i3nt s3cr3t",
        "loaded",
    ),
    (
        "config {\"password\": \"pa55w0rd!\"}",
        "pa55w0rd!",
        "config {\"password\": \"",
    ),
    (
        "Config { url: \"x\", password: Some(\"correct horse\") }",
        "correct horse",
        "url: \"x\"",
    ),
    (
        "login password: s3cr3t-pass!",
        "s3cr3t-pass!",
        "login password: ",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Zq\nlongbase64==\n-----END RSA PRIVATE KEY-----\nafter",
        "MIIEowIBAAKCAQEA7Zq",
        "after",
    ),
    (
        "cut -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B",
        "MIIEvQIBADANBgkqhkiG9w0B",
        "cut",
    ),
];

/// Text that looks a little like a secret and must stay as it is.
const NEAR_MISSES: &[&str] = &[
    "commit 4bf92f3577b34da6a3ce929d0e0e4736a3ce929d",
    "request 550e8400-e29b-41d4-a716-446655440000 failed",
    "cid bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
    "digest sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "key not found in the keyboard map of the monkey",
    "keyboard=us monkey=3 max_tokens=100",
    "the Bearer of bad news",
    "Bearer authentication is required",
    "bearer token expired",
    "authorization failed",
    "failed to refresh token: connection refused",
    "invalid password: too short",
    "base64 aGVsbG8gd29ybGQ= is not a token",
    "header eyJhbGciOiJIUzI1NiJ9 alone",
    "the password prompt timed out",
    "ghp_short is not a token",
    "https://example.com/path?page=2",
    "ssh://git@github.com:22/acme/tools",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----",
];

const CONFIGURED_TOKEN: &str = "ghp_ConfiguredTokenValue0123456789abcdefgh";

#[test]
fn every_secret_shape_is_redacted_and_the_rest_kept() {
    let redactor = Redactor::default();
    for (text, secret, kept) in SECRETS {
        let redacted = redactor.redact(text);
        assert!(
            !redacted.contains(secret),
            "{secret:?} survived in {redacted:?}"
        );
        assert!(redacted.contains("[REDACTED]"), "{redacted:?}");
        assert!(
            redacted.contains(kept),
            "{kept:?} was lost from {redacted:?}"
        );
        assert_eq!(
            redactor.redact(&redacted),
            redacted,
            "redacting twice changes more"
        );
    }
}

#[test]
fn near_misses_stay_intact_without_a_copy() {
    let redactor = Redactor::new([CONFIGURED_TOKEN.to_string()]);
    for text in NEAR_MISSES {
        let redacted = redactor.redact(text);
        assert_eq!(redacted, *text);
        assert!(matches!(redacted, Cow::Borrowed(_)), "{text:?} was copied");
    }
}

#[test]
fn the_configured_token_is_redacted_even_inside_other_text() {
    let redactor = Redactor::new([CONFIGURED_TOKEN.to_string()]);
    let text = format!("prefix{CONFIGURED_TOKEN}suffix and {CONFIGURED_TOKEN}");
    assert_eq!(
        redactor.redact(&text),
        "prefix[REDACTED]suffix and [REDACTED]"
    );
    // A configured token of any shape, not only GitHub's.
    let redactor = Redactor::new(["plain-looking-value".to_string()]);
    assert_eq!(redactor.redact("x=plain-looking-value!"), "x=[REDACTED]!");
}

/// A report carrying `text` in its message, cause chain, a log line, a span, an argument, the
/// site's file, a backtrace frame's file, the working directory and an environment value.
fn report_carrying(text: &str) -> Report {
    let path = format!("/srv/app/{text}/main.rs");
    serde_json::from_value(json!({
        "schema": 1,
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "timestamp": "2026-11-25T04:53:09.123Z",
        "fingerprint": "",
        "kind": "error",
        "error": { "type": "LeakyError", "message": format!("failed: {text}"), "chain": [text] },
        "site": { "function": "app::run", "module": "app", "file": path, "line": 1 },
        "frames": ["app::run"],
        "command": { "program": "app", "args": ["run", text] },
        "backtrace": [ { "function": "app::run", "file": path, "line": 1, "in_app": true } ],
        "logs": [format!("2026-11-25T04:53:09.123Z  WARN app: retrying {text}")],
        "spans": [format!("request{{detail={text}}}")],
        "env": { "APP_DETAIL": text },
        "system": { "os": "linux", "arch": "x86_64", "app": "app", "app_version": "1.0.0",
                    "rust_version": "rustc 1.95.0", "pid": 1, "cwd": format!("~/{text}") },
        "labels": ["auto-heal"]
    }))
    .expect("a well-formed report")
}

#[test]
fn every_secret_shape_is_redacted_in_every_field_of_a_report() {
    let redactor = Redactor::default();
    for (text, secret, _) in SECRETS {
        let mut report = report_carrying(text);
        redactor.redact_report(&mut report);
        let json = serde_json::to_string(&report).unwrap();
        let escaped = serde_json::to_string(secret).unwrap();
        assert!(
            !json.contains(escaped.trim_matches('"')),
            "{secret:?} leaked into {json}"
        );
        assert!(report.error.message.starts_with("failed: "));
        assert!(report.site.file.starts_with("/srv/app/"));
        assert!(report.logs[0].contains("WARN app: retrying "));
        assert_eq!(report.command.args[0], "run");
    }
}

#[test]
fn near_misses_survive_every_field_of_a_report() {
    let redactor = Redactor::default();
    for text in NEAR_MISSES {
        let original = report_carrying(text);
        let mut report = original.clone();
        redactor.redact_report(&mut report);
        assert_eq!(report, original, "{text:?}");
    }
}

#[test]
fn secret_names_in_the_environment_and_arguments_hide_their_values() {
    let mut report = report_carrying("nothing secret");
    report
        .env
        .insert("APP_API_TOKEN".into(), "plainvalue".into());
    report
        .env
        .insert("AWS_SECRET_ACCESS_KEY".into(), "abc".into());
    report.env.insert("KEYBOARD_LAYOUT".into(), "dvorak".into());
    report.command.args = [
        "--token",
        "plainvalue",
        "--api-key=also-plain",
        "--password",
        "pw",
        "--port",
        "8004",
        "--keyboard",
        "dvorak",
    ]
    .map(String::from)
    .to_vec();
    Redactor::default().redact_report(&mut report);
    assert_eq!(report.env["APP_API_TOKEN"], "[REDACTED]");
    assert_eq!(report.env["AWS_SECRET_ACCESS_KEY"], "[REDACTED]");
    assert_eq!(report.env["KEYBOARD_LAYOUT"], "dvorak");
    assert_eq!(report.env["APP_DETAIL"], "nothing secret");
    assert_eq!(
        report.command.args,
        [
            "--token",
            "[REDACTED]",
            "--api-key=[REDACTED]",
            "--password",
            "[REDACTED]",
            "--port",
            "8004",
            "--keyboard",
            "dvorak"
        ]
    );
}

#[derive(Debug)]
struct LeakyError(String);

impl std::fmt::Display for LeakyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LeakyError {}

#[autoheal::auto_heal]
fn fails_with_every_secret() -> Result<(), LeakyError> {
    for (text, ..) in SECRETS {
        tracing::warn!(detail = %text, "log line carrying {}", text);
    }
    let all: Vec<&str> = SECRETS.iter().map(|(text, ..)| *text).collect();
    // The near-misses first: an unterminated private key block is redacted to the end.
    Err(LeakyError(format!(
        "{} {CONFIGURED_TOKEN} {}",
        NEAR_MISSES.join(" | "),
        all.join(" | ")
    )))
}

#[test]
fn no_secret_reaches_a_captured_report() {
    use tracing_subscriber::prelude::*;
    let mut config = test_config();
    config.github_token = Some(Token::new(CONFIGURED_TOKEN));
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    let (_, reports) = tracing::subscriber::with_default(subscriber, || {
        // The span stack is taken where the error leaves the annotated function.
        let _upload = tracing::info_span!("upload", auth = CONFIGURED_TOKEN).entered();
        with_captured_reports_using(config, fails_with_every_secret)
    });
    assert_eq!(reports.len(), 1);
    let json = serde_json::to_string(&reports[0]).unwrap();
    // Compare against the JSON-escaped forms: that is how the values would appear.
    for secret in SECRETS
        .iter()
        .map(|(_, secret, _)| *secret)
        .chain([CONFIGURED_TOKEN])
    {
        let escaped = serde_json::to_string(secret).unwrap();
        assert!(
            !json.contains(escaped.trim_matches('"')),
            "{secret:?} leaked into the report"
        );
    }
    for kept in NEAR_MISSES {
        assert!(
            reports[0].error.message.contains(kept),
            "{kept:?} was lost from {}",
            reports[0].error.message
        );
    }
    assert!(
        reports[0]
            .logs
            .iter()
            .any(|l| l.contains("log line carrying")),
        "the log lines are there, redacted"
    );
    assert!(
        reports[0]
            .spans
            .iter()
            .any(|s| s == "upload{auth=[REDACTED]}"),
        "{:?}",
        reports[0].spans
    );
}
