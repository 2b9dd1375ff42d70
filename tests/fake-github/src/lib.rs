//! A stateful fake of the GitHub REST API on 127.0.0.1, and the other helpers the
//! workspace's tests share: [`names`] for distinct bugs, [`tools`] for tests that need a
//! program the machine may lack,
//! [`broken_crate`] for real broken crates and the CI logs of their failures.
//!
//! It serves issues (with their authors and `author_association`), comments, labels, issue
//! events (who added which label), collaborator permissions, issue search (with an indexing
//! lag), repositories, branch references, file contents, pull requests and the Copilot coding
//! agent (agent tasks and assignment), paginates lists with RFC 8288 `Link`
//! headers, records every request, and can be switched into the failures a client must
//! survive ([`Fault`]). Replies follow GitHub's REST documentation field for field for the
//! fields clients read, and carry GitHub's usual headers (`Content-Type`, `X-RateLimit-*`,
//! `X-GitHub-Request-Id`).
//!
//! ```
//! use std::time::Duration;
//! use fake_github::{Fault, FakeGitHub, FaultRule};
//!
//! let github = FakeGitHub::start();
//! github.set_search_lag(Duration::from_secs(2));
//! // ... run the code under test with GITHUB_API_URL set to github.url() ...
//! assert_eq!(github.open_issue_count("acme/tools"), 0);
//! github.set_fault(FaultRule::new(Fault::Status(502)).times(1));
//! ```
//!
//! Requests need `Authorization: Bearer <token>` (or `token <token>`) unless
//! [`FakeGitHub::accept_any_token`] was called. Repositories exist as soon as something names
//! them; each starts with a `main` branch and no labels.

#![warn(missing_docs, unreachable_pub, rust_2018_idioms)]

pub mod broken_crate;
mod copilot;
mod encoding;
mod faults;
mod git;
mod http;
mod issues;
mod labels;
pub mod names;
pub mod openapi;
mod pagination;
mod people;
mod pull_edits;
mod routes;
mod search;
mod server;
mod shapes;
mod snapshots;
mod state;
mod timeline;
pub mod tools;
pub mod webhook;

pub use copilot::{AgentTaskSnapshot, AgentTasks, COPILOT_ASSIGNEE};
pub use encoding::{base64, percent_decode};
pub use faults::{Fault, FaultRule};
pub use http::{Exchange, RecordedRequest};
pub use snapshots::{CommentSnapshot, IssueSnapshot, NewIssue, PullSnapshot};
pub use timeline::{PastComment, PastIssue, PastPull};

use std::sync::MutexGuard;
use std::time::Duration;

use server::Server;
use state::{Auth, State};

/// The fake server; it stops (closing its connections) when dropped.
pub struct FakeGitHub {
    server: Server,
}

impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl FakeGitHub {
    /// Start on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When no port can be bound or no thread started: the test cannot run.
    pub fn start() -> FakeGitHub {
        let server = Server::start().expect("the fake GitHub could not listen on 127.0.0.1");
        FakeGitHub { server }
    }

    /// The base address of the API, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.server.shared().base
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.server.shared().lock()
    }

    /// Create repository `owner/repo` (it would also be created by the first request naming it).
    pub fn add_repo(&self, full_name: &str) {
        self.state().repo_mut(full_name);
    }

    /// With `true`, a draft pull request is refused with GitHub's 422, as in a private
    /// repository on GitHub Free or Pro; a normal one is still opened.
    pub fn refuse_draft_pulls(&self, refuse: bool) {
        self.state().drafts_refused = refuse;
    }

    /// Let every request through, even one without a token.
    pub fn accept_any_token(&self) {
        self.state().auth = Auth::AcceptAnything;
    }

    /// Only `token` passes; any other is answered 401 `Bad credentials`.
    pub fn expect_token(&self, token: &str) {
        self.state().auth = Auth::Expect(token.to_string());
    }

    /// The login of the authenticated user, the author of what is created through the API
    /// (`autoheal-bot` by default).
    pub fn set_login(&self, login: &str) {
        self.state().login = login.to_string();
    }

    /// Issues created through the API are found by search only once they are this old (GitHub's
    /// index lags behind). Issues seeded with [`FakeGitHub::create_issue_directly`] are found at
    /// once.
    pub fn set_search_lag(&self, lag: Duration) {
        self.state().search_lag = lag;
    }

    /// With `true`, creating an issue (or labelling one) with a label the repository lacks is
    /// answered 422 `Validation Failed`; with `false` (the default) the label is created, as
    /// GitHub does for a token with push access.
    pub fn reject_unknown_labels(&self, reject: bool) {
        self.state().reject_unknown_labels = reject;
    }

    /// Only `labels` (and those created later) exist, in every repository: issue creation with
    /// another label is answered 422.
    pub fn restrict_labels(&self, labels: &[&str]) {
        let names: Vec<String> = labels.iter().map(|l| (*l).to_string()).collect();
        let mut state = self.state();
        state.reject_unknown_labels = false;
        let repos: Vec<String> = state.repos.values().map(|r| r.full_name.clone()).collect();
        for repo in repos {
            let _ = state.ensure_labels(&repo, &names);
        }
        state.seed_labels = names;
        state.reject_unknown_labels = true;
    }

    /// Give `repo` label `name` (no-op when it has it).
    pub fn add_label(&self, repo: &str, name: &str) {
        let mut state = self.state();
        let strict = std::mem::replace(&mut state.reject_unknown_labels, false);
        let _ = state.ensure_labels(repo, &[name.to_string()]);
        state.reject_unknown_labels = strict;
    }

    /// Replace every fault rule with `fault` for all requests (`None` switches faults off).
    /// Accepts a [`Fault`], `Some(fault)`, `None` or a [`FaultRule`]. Returns once the listening
    /// socket is closed or open again as the rule says.
    pub fn set_fault(&self, fault: impl Into<FaultSetting>) {
        let rules = match fault.into() {
            FaultSetting(Some(rule)) => vec![rule],
            FaultSetting(None) => Vec::new(),
        };
        {
            let mut state = self.state();
            state.faults = rules;
            state.fault_generation += 1;
        }
        self.server.sync_listener();
    }

    /// Replace every fault rule with `fault` for requests whose path starts with `prefix`.
    pub fn set_fault_for(&self, prefix: &str, fault: Fault) {
        self.set_fault(FaultRule::new(fault).on_path(prefix));
    }

    /// Replace every fault rule with `fault` for the next `times` requests only.
    pub fn set_fault_times(&self, fault: Fault, times: u64) {
        self.set_fault(FaultRule::new(fault).times(times));
    }

    /// Add a rule after the existing ones (the first rule that applies to a request wins).
    pub fn add_fault(&self, rule: FaultRule) {
        {
            let mut state = self.state();
            state.faults.push(rule);
            state.fault_generation += 1;
        }
        self.server.sync_listener();
    }

    /// Switch every fault off.
    pub fn clear_faults(&self) {
        self.set_fault(None);
    }

    /// The rules still in force (spent counted rules are gone).
    pub fn faults(&self) -> Vec<FaultRule> {
        self.state().faults.clone()
    }

    /// Every request received so far, oldest first (connections refused while down never
    /// arrive).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// Check that `secret` reached the fake in no request but in its Authorization header: not
    /// in a path, a query, a body or another header.
    #[track_caller]
    pub fn assert_secret_only_in_authorization(&self, secret: &str) {
        for request in self.requests() {
            assert!(
                !request.body.contains(secret)
                    && !request.path.contains(secret)
                    && !request.query.contains(secret),
                "the secret left in a request's path, query or body: {request:?}"
            );
            for (name, value) in &request.headers {
                assert!(
                    name.eq_ignore_ascii_case("authorization") || !value.contains(secret),
                    "the secret leaked into the {name} header"
                );
            }
        }
    }

    /// Every request answered so far with the reply it got, oldest first: what a test checks
    /// the replies' shapes on.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state().exchanges.clone()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }

    /// Forget the requests received so far, and their replies.
    pub fn clear_requests(&self) {
        let mut state = self.state();
        state.requests.clear();
        state.exchanges.clear();
    }
}

/// What [`FakeGitHub::set_fault`] accepts: a fault for every request, a [`FaultRule`], or
/// nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSetting(Option<FaultRule>);

impl From<Fault> for FaultSetting {
    fn from(fault: Fault) -> FaultSetting {
        FaultSetting(Some(FaultRule::new(fault)))
    }
}

impl From<Option<Fault>> for FaultSetting {
    fn from(fault: Option<Fault>) -> FaultSetting {
        FaultSetting(fault.map(FaultRule::new))
    }
}

impl From<FaultRule> for FaultSetting {
    fn from(rule: FaultRule) -> FaultSetting {
        FaultSetting(Some(rule))
    }
}
