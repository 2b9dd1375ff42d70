//! Fault switches: what the fake does instead of answering normally, for which requests and
//! how many times, and the replies GitHub sends in each of those situations.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::encoding::epoch_secs;
use super::http::Reply;
use super::shapes::{error_reply, validation_failed};

/// What the fake does instead of answering normally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens. Switched on for every request with no count, the listening socket is
    /// closed so connections are refused (and open connections are closed at their next
    /// request); limited to a path or a count, the request is read and the connection closed
    /// without a reply.
    Down,
    /// Read the request and never answer; the connection is closed when the fake is dropped or
    /// its fault rules change.
    Hang,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// This status with GitHub's error body for it (`Status(401)` is `Bad credentials`,
    /// `Status(410)` is `Issues are disabled for this repo`, `Status(5xx)` a server error).
    Status(u16),
    /// 401 `Bad credentials`.
    Unauthorized,
    /// 403 `Resource not accessible by personal access token` (not a rate limit: no
    /// `Retry-After`, requests remaining).
    Forbidden,
    /// 403 `API rate limit exceeded` with `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset`
    /// this many seconds ahead.
    PrimaryRateLimit {
        /// Seconds until the window resets.
        reset_in_secs: u64,
    },
    /// 429 `You have exceeded a secondary rate limit` with `Retry-After`.
    SecondaryRateLimit {
        /// The `Retry-After` value.
        retry_after_secs: u64,
    },
    /// 403 with `Retry-After`: GitHub's other form of the secondary rate limit.
    SecondaryRateLimit403 {
        /// The `Retry-After` value.
        retry_after_secs: u64,
    },
    /// A secondary rate limit in its bare form: this status (403 or 429) and the message `You
    /// have exceeded a secondary rate limit`, with requests remaining and no `Retry-After`
    /// (GitHub's documentation: then wait at least a minute).
    SecondaryRateLimitBare {
        /// 403 or 429.
        status: u16,
    },
    /// A redirect (301 `Moved Permanently`, or 307/308 for writes to a renamed repository)
    /// to `location`, GitHub's answer for a transferred issue or a renamed repository.
    Redirect {
        /// 301, 302, 307 or 308.
        status: u16,
        /// The absolute `Location`.
        location: String,
    },
    /// 200 from search with `incomplete_results: true` and no items: the search timed out
    /// before it looked everywhere.
    IncompleteSearch,
    /// 404 `Not Found` (GitHub's answer for a repository the token cannot see).
    NotFound,
    /// 410 `Issues are disabled for this repo`.
    Gone,
    /// 422 `Validation Failed` with an `errors` array.
    Unprocessable,
    /// 200 with a body that is not JSON (still labelled JSON, as a broken proxy would).
    NotJson,
    /// A `Content-Length` larger than the body sent, then the connection closes.
    Truncated,
    /// 200 (201 for a `POST`) with valid JSON of the wrong shape: an object where a list is
    /// expected, no `number`, `items` not a list.
    UnexpectedShape,
}

/// A fault, the requests it applies to, and how many times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// What happens.
    pub fault: Fault,
    /// Only requests whose path starts with this (`/search`, `/repos/acme/tools/issues`).
    pub path_prefix: Option<String>,
    /// Only requests with this method (`PUT`), when set.
    pub method: Option<String>,
    /// Only this many more requests; `None` for all of them.
    pub remaining: Option<u64>,
    /// Carry the request out first (file the issue, post the comment), then let the fault
    /// replace its answer: GitHub did the work and the answer was lost or garbled on the way.
    pub after_handling: bool,
}

impl FaultRule {
    /// `fault` for every request, until switched off.
    pub fn new(fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            path_prefix: None,
            method: None,
            remaining: None,
            after_handling: false,
        }
    }

    /// Only for requests with `method` (`PUT`, `POST`...): a write fails while reads pass.
    pub fn on_method(mut self, method: &str) -> FaultRule {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only for requests whose path starts with `prefix`.
    pub fn on_path(mut self, prefix: &str) -> FaultRule {
        self.path_prefix = Some(prefix.to_string());
        self
    }

    /// Only for the next `times` matching requests; then requests are answered normally.
    pub fn times(mut self, times: u64) -> FaultRule {
        self.remaining = Some(times);
        self
    }

    /// Carry each matching request out before the fault replaces its answer.
    pub fn after_handling(mut self) -> FaultRule {
        self.after_handling = true;
        self
    }

    /// Whether this rule closes the listening socket (an unlimited `Down` for every path).
    pub(crate) fn refuses_connections(&self) -> bool {
        self.fault == Fault::Down
            && self.path_prefix.is_none()
            && self.method.is_none()
            && self.remaining.is_none()
    }

    fn applies_to(&self, method: &str, path: &str) -> bool {
        self.remaining != Some(0)
            && self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|prefix| path.starts_with(prefix))
    }
}

/// The rule for a `method` request to `path`: the first rule that applies, counted down (and
/// dropped once spent).
pub(crate) fn take_fault(
    rules: &mut Vec<FaultRule>,
    method: &str,
    path: &str,
) -> Option<FaultRule> {
    let index = rules
        .iter()
        .position(|rule| rule.applies_to(method, path))?;
    let rule = rules.get_mut(index)?;
    let taken = rule.clone();
    if let Some(remaining) = &mut rule.remaining {
        *remaining = remaining.saturating_sub(1);
        if *remaining == 0 {
            rules.remove(index);
        }
    }
    Some(taken)
}

/// What the connection does for a fault.
pub(crate) enum FaultAction {
    /// Close the connection without a reply.
    Close,
    /// Hold the connection without a reply until the fake stops.
    Hang,
    /// Wait, then answer normally.
    Delay(Duration),
    /// Send this reply.
    Reply(Reply),
    /// Send this reply's head announcing more body than is sent, then close.
    Truncate(Reply),
}

/// The behaviour of `fault` for a request with `method`.
pub(crate) fn action(fault: &Fault, method: &str) -> FaultAction {
    let success = if method == "POST" { 201 } else { 200 };
    match fault {
        Fault::Down => FaultAction::Close,
        Fault::Hang => FaultAction::Hang,
        Fault::Slow(delay) => FaultAction::Delay(*delay),
        Fault::Status(status) => FaultAction::Reply(status_reply(*status)),
        Fault::Unauthorized => FaultAction::Reply(status_reply(401)),
        Fault::Forbidden => FaultAction::Reply(status_reply(403)),
        Fault::NotFound => FaultAction::Reply(status_reply(404)),
        Fault::Gone => FaultAction::Reply(status_reply(410)),
        Fault::Unprocessable => FaultAction::Reply(status_reply(422)),
        Fault::PrimaryRateLimit { reset_in_secs } => {
            let reset = epoch_secs(SystemTime::now()) + reset_in_secs;
            FaultAction::Reply(
                error_reply(403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
                    .with_header("X-RateLimit-Limit", "5000")
                    .with_header("X-RateLimit-Remaining", "0")
                    .with_header("X-RateLimit-Used", "5000")
                    .with_header("X-RateLimit-Reset", reset.to_string())
                    .with_header("X-RateLimit-Resource", "core"),
            )
        }
        Fault::SecondaryRateLimit { retry_after_secs } => {
            FaultAction::Reply(secondary_rate_limit(429, *retry_after_secs))
        }
        Fault::SecondaryRateLimit403 { retry_after_secs } => {
            FaultAction::Reply(secondary_rate_limit(403, *retry_after_secs))
        }
        Fault::SecondaryRateLimitBare { status } => FaultAction::Reply(error_reply(
            *status,
            SECONDARY_RATE_LIMIT_MESSAGE,
            SECONDARY_RATE_LIMIT_DOCS,
        )),
        Fault::Redirect { status, location } => FaultAction::Reply(moved(*status, location)),
        Fault::IncompleteSearch => FaultAction::Reply(Reply::json(
            200,
            &json!({
                "total_count": 0, "incomplete_results": true, "items": [],
                "search_type": "lexical",
            }),
        )),
        Fault::NotJson => FaultAction::Reply(Reply {
            status: 200,
            headers: Vec::new(),
            body: "<!DOCTYPE html><html><body><h1>Unicorn!</h1> This page is taking too long to load.</body></html>".to_string(),
        }),
        Fault::Truncated => FaultAction::Truncate(Reply {
            status: success,
            headers: Vec::new(),
            body: r#"{"id":1001,"number":1,"html_url":"https://github.com/acme/tools/issues/1","sta"#
                .to_string(),
        }),
        Fault::UnexpectedShape => FaultAction::Reply(Reply::json(
            success,
            &json!({ "ok": true, "items": "none", "data": { "issue": null } }),
        )),
    }
}

/// GitHub's body for an error `status`.
fn status_reply(status: u16) -> Reply {
    const DOCS: &str = "https://docs.github.com/rest";
    match status {
        400 => error_reply(400, "Problems parsing JSON", DOCS),
        401 => error_reply(401, "Bad credentials", DOCS),
        403 => error_reply(
            403,
            "Resource not accessible by personal access token",
            "https://docs.github.com/rest/issues/issues#create-an-issue",
        ),
        404 => error_reply(
            404,
            "Not Found",
            "https://docs.github.com/rest/issues/issues#create-an-issue",
        ),
        409 => error_reply(409, "Conflict", DOCS),
        410 => error_reply(
            410,
            "Issues are disabled for this repo",
            "https://docs.github.com/v3/issues/",
        ),
        422 => validation_failed(
            &json!([{
                "resource": "Issue", "code": "custom", "field": "body",
                "message": "body is too long (maximum is 65536 characters)",
            }]),
            "https://docs.github.com/rest/issues/issues#create-an-issue",
        ),
        500 => error_reply(500, "Server Error", DOCS),
        502 => error_reply(502, "Server Error", DOCS),
        503 => error_reply(
            503,
            "No server is currently available to service your request. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
            DOCS,
        ),
        other => error_reply(other, "Fault injected by the fake", DOCS),
    }
}

const SECONDARY_RATE_LIMIT_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";

const SECONDARY_RATE_LIMIT_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";

fn secondary_rate_limit(status: u16, retry_after_secs: u64) -> Reply {
    error_reply(
        status,
        SECONDARY_RATE_LIMIT_MESSAGE,
        SECONDARY_RATE_LIMIT_DOCS,
    )
    .with_header("Retry-After", retry_after_secs.to_string())
}

/// GitHub's redirect: `Location` and a body naming the new address.
pub(crate) fn moved(status: u16, location: &str) -> Reply {
    let message = match status {
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        _ => "Permanent Redirect",
    };
    Reply::json(
        status,
        &json!({
            "message": message,
            "url": location,
            "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects",
        }),
    )
    .with_header("Location", location)
}
