//! The fault table: every way GitHub can fail, one row each. `faults.rs` checks what each row
//! does to a failing command and its report; `secret_scan.rs` sends a report through each row
//! and scans what left the process. One list, so the two cannot drift apart.
//!
//! Most rows fail every request, so the first request (the search) meets the fault. The rows
//! "on the create" fail only `POST` requests: the search passes and the request that files the
//! issue fails; some of them after GitHub filed it (the answer lost or garbled on its way back).
//!
//! The rows hold for a `timeout_secs` of 1 or 2: "slow, within the timeout" answers in 250 ms,
//! "slow, beyond the timeout" in 3 s.

#![allow(dead_code)]

use std::time::Duration;

use fake_github::{Fault, FaultRule};

/// What the row's failing run does with its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Filed at once: one issue, nothing queued.
    Delivered,
    /// Kept in the queue: nothing on GitHub yet.
    Queued,
    /// GitHub filed the issue but its answer was lost: the report stays queued, and the flush
    /// finds the issue it filed instead of filing another.
    FiledAnswerLost,
    /// GitHub refused it for good (400, 422): kept in the queue, marked, never sent again.
    Refused,
}

impl Expect {
    /// Whether the report waits in the queue after the failing run.
    pub fn queued(self) -> bool {
        self != Expect::Delivered
    }

    /// As the tests print it.
    pub fn label(self) -> &'static str {
        match self {
            Expect::Delivered => "filed",
            Expect::Queued => "queued",
            Expect::FiledAnswerLost => "filed, queued",
            Expect::Refused => "refused, kept",
        }
    }
}

/// Requests a report may make (the documented bound): a report gives up at the first request
/// that fails, after one fallback from the search to the list of open issues, or, when GitHub
/// answers the create with a 5xx, one look at the list (did it file the issue before failing?)
/// and one more create. Each request is bounded by `timeout_secs`, so this also bounds the
/// time a failing command spends reporting.
pub mod bound {
    /// A read fails: the search, then the list.
    pub const READ_FAILS: usize = 2;
    /// The create fails: the search, the create.
    pub const CREATE_FAILS: usize = 2;
    /// The create is answered 5xx: the search, the create, the list, the create once more.
    pub const CREATE_RETRIED: usize = 4;
    /// Filed: the search, the create, the twin check of the list.
    pub const FILED: usize = 3;
    /// Filed, then answered 5xx: the search, the create, the list that finds it, the twin check.
    pub const FILED_THEN_5XX: usize = 4;
    /// Filed after search gave no answer (rate limited, incomplete): the search, the list, the
    /// create, the twin check.
    pub const FILED_FROM_THE_LIST: usize = 4;
    /// The comment on the bug's known issue is redirected: the read of the issue, the comment,
    /// the search that looks the issue up again, the comment once more.
    pub const COMMENT_REDIRECTED: usize = 4;
}

/// One way GitHub fails.
pub struct FaultRow {
    pub name: &'static str,
    /// The fault and the requests it applies to.
    pub rule: FaultRule,
    pub expect: Expect,
    /// A phrase of the notice that says what happened and what to do.
    pub advice: &'static str,
    /// Seconds GitHub asked to wait (rate limits): the flush comes after them.
    pub wait_secs: u64,
    /// The most requests the failing run may send (see [`bound`]).
    pub max_requests: usize,
    /// The bug's issue was filed (without a fault, with `throttle_secs` 0) before the failing
    /// run, so the failing run comments on it; its comment counts in the expectations.
    pub issue_before: bool,
}

impl FaultRow {
    /// How long to wait, once the fault is cleared, before a flush can send: past the window
    /// a rate limit announced (with a second to spare), nothing otherwise.
    pub fn wait_before_flush(&self) -> Duration {
        match self.wait_secs {
            0 => Duration::ZERO,
            secs => Duration::from_secs(secs + 1),
        }
    }
}

/// A row whose fault applies to every request and whose report is queued.
fn every_request(name: &'static str, fault: Fault, advice: &'static str) -> FaultRow {
    FaultRow {
        name,
        rule: FaultRule::new(fault),
        expect: Expect::Queued,
        advice,
        wait_secs: 0,
        max_requests: bound::READ_FAILS,
        issue_before: false,
    }
}

/// A row whose fault applies only to `POST` requests (the create) and whose report is queued.
fn on_create(name: &'static str, fault: Fault, advice: &'static str) -> FaultRow {
    let max_requests = match fault {
        Fault::Status(500..=599) => bound::CREATE_RETRIED,
        _ => bound::CREATE_FAILS,
    };
    FaultRow {
        name,
        rule: FaultRule::new(fault).on_method("POST"),
        expect: Expect::Queued,
        advice,
        wait_secs: 0,
        max_requests,
        issue_before: false,
    }
}

/// A row where GitHub files the issue, and then `fault` replaces its answer to the create.
fn answer_lost(name: &'static str, fault: Fault, advice: &'static str) -> FaultRow {
    let row = on_create(name, fault, advice);
    FaultRow {
        rule: row.rule.after_handling(),
        expect: Expect::FiledAnswerLost,
        ..row
    }
}

const RATE_LIMITED: &str = "rate limit was reached; reports wait in the queue until";

/// A row whose fault applies to search only: search gives no answer, the list does.
fn on_search(name: &'static str, fault: Fault) -> FaultRow {
    FaultRow {
        name,
        rule: FaultRule::new(fault).on_path("/search"),
        expect: Expect::Delivered,
        advice: "has been automatically reported",
        wait_secs: 0,
        max_requests: bound::FILED_FROM_THE_LIST,
        issue_before: false,
    }
}

pub fn fault_rows() -> Vec<FaultRow> {
    vec![
        every_request(
            "connection refused",
            Fault::Down,
            "GitHub could not be reached",
        ),
        every_request("hang", Fault::Hang, "did not answer in time"),
        FaultRow {
            expect: Expect::Delivered,
            max_requests: bound::FILED,
            ..every_request(
                "slow, within the timeout",
                Fault::Slow(Duration::from_millis(250)),
                "has been automatically reported",
            )
        },
        every_request(
            "slow, beyond the timeout",
            Fault::Slow(Duration::from_secs(3)),
            "did not answer in time",
        ),
        every_request("500", Fault::Status(500), "GitHub answered 500"),
        every_request("502", Fault::Status(502), "GitHub answered 502"),
        every_request("503", Fault::Status(503), "GitHub answered 503"),
        every_request(
            "401",
            Fault::Status(401),
            "token is invalid or expired (401); create a new one and set GITHUB_TOKEN",
        ),
        every_request(
            "403",
            Fault::Status(403),
            "token lacks access (403); check github_repo and give the token Issues: write",
        ),
        every_request(
            "404",
            Fault::Status(404),
            "repository not found or token lacks access (404)",
        ),
        every_request(
            "410",
            Fault::Status(410),
            "issues are disabled on the repository (410); enable them",
        ),
        FaultRow {
            expect: Expect::Refused,
            ..every_request("422", Fault::Status(422), "GitHub refused the issue (422)")
        },
        FaultRow {
            wait_secs: 2,
            ..every_request(
                "primary rate limit",
                Fault::PrimaryRateLimit { reset_in_secs: 2 },
                RATE_LIMITED,
            )
        },
        FaultRow {
            wait_secs: 2,
            ..every_request(
                "secondary rate limit (429)",
                Fault::SecondaryRateLimit {
                    retry_after_secs: 2,
                },
                RATE_LIMITED,
            )
        },
        FaultRow {
            wait_secs: 2,
            ..every_request(
                "secondary rate limit (403 + Retry-After)",
                Fault::SecondaryRateLimit403 {
                    retry_after_secs: 2,
                },
                RATE_LIMITED,
            )
        },
        every_request("not JSON", Fault::NotJson, "answer was not understood"),
        every_request(
            "truncated mid-body",
            Fault::Truncated,
            "answer was not understood",
        ),
        every_request(
            "200 with an unexpected shape",
            Fault::UnexpectedShape,
            "answer was not understood",
        ),
        on_create(
            "401 on the create",
            Fault::Status(401),
            "token is invalid or expired (401); create a new one and set GITHUB_TOKEN",
        ),
        on_create(
            "403 on the create",
            Fault::Status(403),
            "token lacks access (403); check github_repo and give the token Issues: write",
        ),
        FaultRow {
            expect: Expect::Refused,
            ..on_create(
                "422 on the create",
                Fault::Status(422),
                "GitHub refused the issue (422)",
            )
        },
        FaultRow {
            expect: Expect::Refused,
            ..on_create(
                "400 on the create",
                Fault::Status(400),
                "GitHub refused the issue (400)",
            )
        },
        FaultRow {
            // GitHub's docs: without Retry-After, wait at least a minute.
            wait_secs: 60,
            ..on_create(
                "secondary rate limit, bare 403, on the create",
                Fault::SecondaryRateLimitBare { status: 403 },
                RATE_LIMITED,
            )
        },
        on_search(
            "secondary rate limit, bare 403, on the search",
            Fault::SecondaryRateLimitBare { status: 403 },
        ),
        on_search(
            "secondary rate limit, bare 429, on the search",
            Fault::SecondaryRateLimitBare { status: 429 },
        ),
        on_search("incomplete search results", Fault::IncompleteSearch),
        FaultRow {
            name: "301 on the comment (the issue moved)",
            rule: FaultRule::new(Fault::Redirect {
                status: 301,
                location: "https://api.github.com/repositories/1/issues/1/comments".to_string(),
            })
            .on_path("/repos/acme/tools/issues/1/comments"),
            expect: Expect::Queued,
            advice: "the issue or the repository moved",
            wait_secs: 0,
            max_requests: bound::COMMENT_REDIRECTED,
            issue_before: true,
        },
        on_create(
            "500 on the create (and its retry)",
            Fault::Status(500),
            "GitHub answered 500",
        ),
        on_create(
            "503 on the create (and its retry)",
            Fault::Status(503),
            "GitHub answered 503",
        ),
        FaultRow {
            expect: Expect::Delivered,
            max_requests: bound::FILED_THEN_5XX,
            ..answer_lost(
                "502 after the issue was filed",
                Fault::Status(502),
                "has been automatically reported",
            )
        },
        answer_lost(
            "201 truncated, the issue filed",
            Fault::Truncated,
            "answer was not understood",
        ),
        answer_lost(
            "201 with an unexpected shape, the issue filed",
            Fault::UnexpectedShape,
            "answer was not understood",
        ),
        answer_lost(
            "no answer to the create, the issue filed",
            Fault::Hang,
            "did not answer in time",
        ),
    ]
}
