//! The new-issue link: for a user without a GitHub token, a link that opens GitHub's
//! new-issue form prefilled with the report (`/issues/new?title=...&labels=...&body=...`,
//! GitHub's documented query parameters), so that they can file it themselves.
//!
//! The body is made of the same sections as the issue's (the summary with the trace ID, the
//! cause chain, the in-app frames, the environment), from the report as it leaves the machine
//! ([`outgoing_report`](super::outgoing_report): redacted, privacy settings applied), shortened
//! until the whole URL, percent-encoded, fits [`MAX_LINK_BYTES`]. It ends by saying what was
//! left out or cut, and that the full report stays in the local queue.

use std::fmt::Write as _;

use super::body;
use super::limits::IN_APP_FRAMES;
use crate::{Config, Error, Report, Result};

/// The longest link made, in bytes: GitHub (and browsers before it) refuse URLs of more than
/// 8 KB; the margin keeps clear of the limit.
pub const MAX_LINK_BYTES: usize = 8_000;

/// The parts of a report a link never carries: they rarely fit, and the queue keeps them.
const NEVER_IN_A_LINK: &str =
    "the full backtrace, the command line, the log lines, the span stack and the report JSON";

/// Message lengths tried, longest first, until the link fits.
const MESSAGE_BUDGETS: [usize; 7] = [3_000, 1_500, 800, 400, 200, 100, 40];

/// A link that opens `config`'s repository's new-issue form prefilled with `report`: its
/// title, its labels and a body cut to fit 8 KB (see the [`issue`](super) module).
///
/// # Errors
///
/// [`Error::InvalidConfig`] when `config` names no repository.
pub fn new_issue_link(report: &Report, config: &Config) -> Result<String> {
    let repo = config
        .github_repo
        .as_deref()
        .ok_or_else(|| Error::InvalidConfig {
            key: "github_repo".to_string(),
            message: "a link to a new issue needs a repository; set github_repo".to_string(),
        })?;
    let report = super::outgoing_report(report, config);
    let labels: Vec<String> = super::labels(&report.labels)
        .iter()
        .map(|l| encode(l))
        .collect();
    let head = format!(
        "{}/{repo}/issues/new?title={}&labels={}&body=",
        web_base(&config.api_url),
        encode(&super::title::title(&report)),
        labels.join(",")
    );
    let room = MAX_LINK_BYTES.saturating_sub(head.len());
    Ok(format!("{head}{}", encode(&fitting_body(&report, room))))
}

/// The richest body whose encoding fits in `room` bytes.
fn fitting_body(report: &Report, room: usize) -> String {
    let fits = |body: &str| encoded_len(body) <= room;
    let mut smallest = String::new();
    for budget in MESSAGE_BUDGETS {
        let shortened = shortened(report, budget);
        let body = compose(report, &shortened, budget);
        if fits(&body) {
            return body;
        }
        smallest = body;
    }
    // Even the shortest sections overflow (a huge operation name, say): cut by characters.
    let mut cut: String = smallest.chars().collect();
    while !fits(&cut) && !cut.is_empty() {
        let keep = cut.chars().count() * 3 / 4;
        cut = cut.chars().take(keep).collect();
    }
    cut
}

/// `report` with its message cut to `budget` characters and each cause to half that.
fn shortened(report: &Report, budget: usize) -> Report {
    let mut short = report.clone();
    short.error.message = cut_chars(&report.error.message, budget);
    short.error.chain = report
        .error
        .chain
        .iter()
        .map(|cause| cut_chars(cause, budget / 2))
        .collect();
    short
}

/// The body of `short` (the report cut to `budget`): the sections that fit, in order, and the
/// closing note on what was left out.
fn compose(full: &Report, short: &Report, budget: usize) -> String {
    let mut cut: Vec<String> = Vec::new();
    if short.error.message != full.error.message {
        cut.push(format!(
            "the message was cut to {budget} of {} characters",
            full.error.message.chars().count()
        ));
    }
    if short.error.chain != full.error.chain {
        cut.push(format!("each cause was cut to {} characters", budget / 2));
    }
    let frames = IN_APP_FRAMES.min(budget / 100).max(3);
    let in_app = full.backtrace.iter().filter(|f| f.in_app).count();
    if in_app > frames {
        cut.push(format!("{} of {in_app} in-app frames", in_app - frames));
    }
    let mut out = String::new();
    out.push_str(&body::summary(short));
    out.push_str(&body::chain(short));
    out.push_str(&body::in_app_frames(short, frames));
    if budget >= 400 {
        out.push_str(&body::environment(short));
    } else {
        cut.push("the environment".to_string());
    }
    let trace_id: String = full
        .trace_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let _ = write!(
        out,
        "---\nThis report was shortened to fit a link: {NEVER_IN_A_LINK} are left out"
    );
    for part in &cut {
        let _ = write!(out, "; {part}");
    }
    let _ = writeln!(
        out,
        ". The full report (trace ID `{trace_id}`) stays in the local queue of the machine it happened on."
    );
    out
}

/// The first `max` characters of `text`, with `…` when it was longer.
fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// The address of GitHub's web pages for an API base URL: `https://github.com` for the
/// public API, `https://HOST` for GitHub Enterprise Server's `https://HOST/api/v3`, the URL
/// itself otherwise (a test server).
fn web_base(api_url: &str) -> String {
    let api_url = api_url.trim_end_matches('/');
    if api_url == crate::config::DEFAULT_API_URL {
        return "https://github.com".to_string();
    }
    api_url
        .strip_suffix("/api/v3")
        .unwrap_or(api_url)
        .to_string()
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte))
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// The length of [`encode`]'s result, without making it.
fn encoded_len(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => 1,
            _ => 3,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(repo: &str) -> Config {
        let mut config = Config::for_app(crate::App::new("pinctl", "PINCTL_", "1.0.0"));
        config.github_repo = Some(repo.to_string());
        config
    }

    fn decode(text: &str) -> String {
        fake_github::percent_decode(text)
    }

    #[test]
    fn the_link_opens_the_form_of_the_repository_with_title_labels_and_body() {
        let report = crate::report::sample();
        let link = new_issue_link(&report, &config("acme/pinctl")).unwrap();
        let (head, query) = link.split_once('?').unwrap();
        assert_eq!(head, "https://github.com/acme/pinctl/issues/new");
        let params: Vec<(&str, String)> = query
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k, decode(v))
            })
            .collect();
        assert_eq!(params[0].0, "title");
        assert_eq!(params[0].1, super::super::render_issue(&report).title);
        assert_eq!(params[1], ("labels", "auto-heal".to_string()));
        assert!(params[2].1.contains(&report.trace_id), "{}", params[2].1);
        assert!(params[2].1.contains("stays in the local queue"));
    }

    #[test]
    fn a_huge_message_is_cut_to_fit_and_the_body_says_so() {
        let mut report = crate::report::sample();
        report.error.message = "é".repeat(5_000_000);
        let link = new_issue_link(&report, &config("acme/pinctl")).unwrap();
        assert!(link.len() <= MAX_LINK_BYTES, "{}", link.len());
        let body = decode(link.split("&body=").nth(1).unwrap());
        assert!(body.contains("the message was cut to"), "{body}");
    }

    #[test]
    fn enterprise_and_test_servers_keep_their_host() {
        assert_eq!(
            web_base("https://ghe.example.com/api/v3"),
            "https://ghe.example.com"
        );
        assert_eq!(web_base("http://127.0.0.1:9/"), "http://127.0.0.1:9");
        assert_eq!(encode("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(encoded_len("a b/ü"), encode("a b/ü").len());
    }
}
