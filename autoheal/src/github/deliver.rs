//! Delivering one report: one issue per bug. A [`Delivery`] moves through named states —
//! look for the bug's issue (local cache, then search, then the list of open auto-heal
//! issues), comment on it, or file a new one (linking a closed one as a regression) — and
//! each step that sends something is written to the journal (`known_issues.json`) first, once,
//! so a process that dies mid-way leaves enough for the next one to finish without sending
//! twice.
//!
//! The caller holds the machine's [`ReportingLock`](crate::reporting_lock::ReportingLock): the cache is
//! read, used and written back by one process at a time.

use super::GitHubError;
use super::client::{GitHubClient, IssueRef};
use super::known_issues::{IssueAt, KnownIssues, SendingComment};
use super::lookup::{
    Adopt, RECENT_PAGES, TWIN_CHECK_PAGES, find_open_issue, oldest_open_with_marker,
};
use super::trust::needs_trusted_issue;
use crate::{Config, IssueDraft, Outcome, Report, outgoing_issue};

/// Pages of an issue's recent comments read to see whether an interrupted comment arrived.
const MAX_COMMENT_PAGES: usize = 10;

/// Deliver `report`, which stands for `occurrences` failures of its bug (at least one), to
/// GitHub and say what became of it. While a rate limit GitHub announced still holds, nothing
/// is sent.
pub(crate) fn deliver(
    client: &GitHubClient,
    config: &Config,
    report: &Report,
    occurrences: u64,
    merged_trace_ids: &[String],
    journal: Option<KnownIssues>,
) -> Result<Outcome, GitHubError> {
    let mut delivery = Delivery {
        client,
        config,
        report,
        occurrences: occurrences.max(1),
        merged_trace_ids,
        journal: journal.unwrap_or_else(|| KnownIssues::load(&config.config_dir)),
        regression_of: None,
        moved: false,
        adopt: match needs_trusted_issue(report) {
            true => Adopt::TrustedOnly,
            false => Adopt::Any,
        },
    };
    // The failures added to this report while it waited go to GitHub with it, named in its
    // issue or comment: they count as delivered, saved with the first mark before a request,
    // so that a hand-off of one of them left behind by a killed process is not sent again on
    // its own once this report is on GitHub.
    for trace_id in merged_trace_ids {
        delivery.journal.mark_delivered(trace_id);
    }
    let result = delivery.run();
    match &result {
        Err(GitHubError::RateLimited(until)) => delivery.journal.set_rate_limited(*until),
        // GitHub has it: what to tell maintainers is kept now, and sent by the worker after.
        Ok(outcome) => crate::notify::record(config, report, outcome, delivery.regression_of),
        Err(_) => {}
    }
    result
}

/// Count `report` when its bug was reported within the throttle window: nothing would be sent.
/// `None` when it must go to GitHub. The caller holds the lock and loaded `journal` under it.
pub(crate) fn count_within_throttle(
    config: &Config,
    journal: &mut KnownIssues,
    report: &Report,
) -> Option<Outcome> {
    journal
        .count_if_throttled(
            &report.fingerprint,
            &report.trace_id,
            config.throttle_secs,
            1,
        )
        .then_some(Outcome::Throttled)
}

/// Where a report stands on its way to GitHub.
#[derive(Debug)]
enum State {
    /// A process died while posting this report's comment: the issue's comments say whether
    /// GitHub took it.
    Resuming(SendingComment),
    /// Nothing sent yet: where is the bug's issue?
    Looking,
    /// Commenting on the bug's open issue, for this many occurrences.
    Commenting { issue: IssueAt, occurrences: u64 },
    /// Filing a new issue for the bug.
    Creating,
    /// GitHub has the report: a new issue, or an occurrence on the bug's issue.
    Filed(Outcome),
    /// Counted within the throttle window: nothing sent.
    Counted,
}

/// One report on its way, with its journal (the known-issues cache) and what it learnt on
/// the way.
struct Delivery<'a> {
    client: &'a GitHubClient,
    config: &'a Config,
    report: &'a Report,
    /// Failures this report stands for.
    occurrences: u64,
    /// The trace IDs of those that were added to it while it waited in the queue.
    merged_trace_ids: &'a [String],
    journal: KnownIssues,
    /// The bug's issue that was found closed: the new issue says it is a regression of it.
    regression_of: Option<u64>,
    /// Whether GitHub already answered a request about the bug's issue with a redirect: the
    /// issue is looked up again once, not in a loop.
    moved: bool,
    /// Which issues the report may be added to: a CI failure's only to a trusted one.
    adopt: Adopt,
}

impl Delivery<'_> {
    fn fingerprint(&self) -> &str {
        &self.report.fingerprint
    }

    fn trace_id(&self) -> &str {
        &self.report.trace_id
    }

    /// From the first state to the last; each state sends at most one kind of request.
    fn run(&mut self) -> Result<Outcome, GitHubError> {
        let mut state = self.first_state()?;
        loop {
            state = match state {
                State::Resuming(sending) => self.resume(sending)?,
                State::Looking => self.look()?,
                State::Commenting { issue, occurrences } => self.comment(issue, occurrences)?,
                State::Creating => self.create()?,
                State::Filed(outcome) => return Ok(outcome),
                State::Counted => return Ok(Outcome::Throttled),
            };
        }
    }

    fn first_state(&mut self) -> Result<State, GitHubError> {
        if self.journal.was_delivered(self.trace_id()) {
            // Its process died after GitHub had it, before removing it from the queue.
            return Ok(State::Filed(self.delivered_already()));
        }
        if let Some(until) = self.journal.rate_limited_until() {
            return Err(GitHubError::RateLimited(Some(until)));
        }
        if let Some(sending) = self.journal.sending(self.trace_id()) {
            return Ok(State::Resuming(sending));
        }
        Ok(self.counted_or_looking())
    }

    fn counted_or_looking(&mut self) -> State {
        let (fingerprint, trace_id) = (&self.report.fingerprint, &self.report.trace_id);
        if self.journal.count_if_throttled(
            fingerprint,
            trace_id,
            self.config.throttle_secs,
            self.occurrences,
        ) {
            State::Counted
        } else {
            State::Looking
        }
    }

    /// What became of a report delivered or counted by another run (or another process): the
    /// occurrence is on the bug's issue.
    fn delivered_already(&self) -> Outcome {
        match self.journal.get(self.fingerprint()) {
            Some(entry) => Outcome::Recurred {
                url: entry.url.clone(),
                number: entry.number,
            },
            None => Outcome::Throttled,
        }
    }

    /// Resuming: when GitHub has the interrupted comment, finish the bookkeeping instead of
    /// posting it again.
    fn resume(&mut self, sending: SendingComment) -> Result<State, GitHubError> {
        self.let_request_in_flight_land(sending.since);
        let comments = self.client.comments_since(
            sending.number,
            sending.since.saturating_sub(60),
            MAX_COMMENT_PAGES,
        )?;
        if !comments.iter().any(|c| c.contains(self.trace_id())) {
            return Ok(self.counted_or_looking());
        }
        let issue = IssueAt {
            number: sending.number,
            url: sending.url,
        };
        let (fingerprint, trace_id) = (&self.report.fingerprint, &self.report.trace_id);
        self.journal.comment_posted(fingerprint, trace_id, &issue);
        Ok(State::Filed(recurred(issue)))
    }

    /// A request whose sender died or gave up on it, marked at `since` (seconds since the Unix
    /// epoch), may still be on its way: the server can take it after the sender is gone (a
    /// busy server, a proxy). Before asking what arrived, wait until the mark is older than a
    /// request may take (`timeout_secs`), so that such a request has landed or never will;
    /// asking sooner and sending again would post it twice. A mark that old costs no wait.
    fn let_request_in_flight_land(&self, since: u64) {
        let bound_ms = self.config.timeout_secs.max(1).saturating_mul(1000);
        // The mark's second began at most a second before the request went out.
        let landed_by_ms = since
            .saturating_add(1)
            .saturating_mul(1000)
            .saturating_add(bound_ms);
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        if now_ms < landed_by_ms {
            let wait = (landed_by_ms - now_ms).min(bound_ms.saturating_add(1000));
            std::thread::sleep(std::time::Duration::from_millis(wait));
        }
    }

    /// Looking: the cached issue when it is still open; otherwise search and the list.
    fn look(&mut self) -> Result<State, GitHubError> {
        let fingerprint = self.report.fingerprint.as_str();
        let trace_id = self.report.trace_id.as_str();
        let mut occurrences = self.occurrences;
        if let Some(entry) = self.journal.get(fingerprint).cloned() {
            match self.client.issue(entry.number) {
                Ok(issue)
                    if issue.state == "open" && !self.adopt.accepts(self.client, &issue)? => {}
                Ok(issue) if issue.state == "open" => {
                    return Ok(State::Commenting {
                        issue: IssueAt {
                            number: entry.number,
                            url: entry.url,
                        },
                        occurrences: entry.pending.saturating_add(occurrences),
                    });
                }
                Ok(_) => self.regression_of = Some(entry.number),
                // Transferred or deleted: the bug's issue, if any, is looked up again, and
                // the occurrences counted for the old one go to it.
                Err(GitHubError::Moved { .. }) if !self.moved => {
                    self.moved = true;
                    occurrences = entry.pending.saturating_add(occurrences);
                }
                Err(error) => return Err(error),
            }
            self.journal.forget(fingerprint);
        }
        let max_new = self.config.max_new_issues_per_hour;
        let flood_guarded = self.journal.created_last_hour() >= max_new as usize;
        let creator = self.journal.creator(fingerprint);
        if flood_guarded && self.regression_of.is_none() && creator.is_none() {
            // A bug this machine has no issue of would most likely need a new one: it waits in
            // the queue without spending a search (whose rate limit is the strictest).
            return Err(GitHubError::FloodGuard(max_new));
        }
        let found = if creator.is_some() {
            // A process died while filing this bug: the list, which does not lag, says whether
            // GitHub has the issue.
            if let Some(since) = self.journal.creating_since(fingerprint) {
                self.let_request_in_flight_land(since);
            }
            oldest_open_with_marker(
                self.client,
                self.config,
                fingerprint,
                RECENT_PAGES,
                self.adopt,
            )?
        } else {
            find_open_issue(self.client, self.config, fingerprint, self.adopt)?
        };
        let Some(issue) = found else {
            if flood_guarded {
                return Err(GitHubError::FloodGuard(max_new));
            }
            return Ok(State::Creating);
        };
        let creator = creator.filter(|c| {
            issue
                .body
                .as_deref()
                .is_some_and(|b| b.contains(c.as_str()))
        });
        let issue = issue_at(&issue);
        if creator.as_deref() == Some(trace_id) {
            // This very report filed it, and its process died before remembering it.
            self.journal
                .issue_filed(fingerprint, trace_id, &issue, false);
            return Ok(State::Filed(Outcome::Reported {
                url: issue.url,
                number: issue.number,
            }));
        }
        if let Some(creator) = creator {
            // The report that filed it still waits in the queue: it is on GitHub already.
            self.journal.mark_delivered(&creator);
        }
        Ok(State::Commenting { issue, occurrences })
    }

    /// Commenting: marked in the journal while the comment is on its way (see
    /// [`Delivery::resume`]). A redirect means the issue moved (transferred, or the repository
    /// renamed): nothing was posted, the issue is forgotten, and the bug's issue is looked up
    /// again, once; never taken for success.
    fn comment(&mut self, issue: IssueAt, occurrences: u64) -> Result<State, GitHubError> {
        let (fingerprint, trace_id) = (&self.report.fingerprint, &self.report.trace_id);
        self.journal.start_comment(trace_id, &issue);
        let body = recurrence_comment(self.report, occurrences, self.merged_trace_ids);
        match self.client.comment(issue.number, &body) {
            Ok(()) => {
                self.journal.comment_posted(fingerprint, trace_id, &issue);
                Ok(State::Filed(recurred(issue)))
            }
            Err(error @ GitHubError::Moved { .. }) => {
                self.journal.comment_moved(fingerprint, trace_id);
                if self.moved {
                    return Err(error);
                }
                self.moved = true;
                self.occurrences = occurrences;
                Ok(State::Looking)
            }
            Err(error) => Err(error),
        }
    }

    /// Creating: marked in the journal while the issue is on its way, then a check that no
    /// twin was filed at the same moment (the oldest open issue wins, a newer one is closed as
    /// its duplicate).
    fn create(&mut self) -> Result<State, GitHubError> {
        let (fingerprint, trace_id) = (&self.report.fingerprint, &self.report.trace_id);
        let mut draft = outgoing_issue(self.report, self.config);
        if !self.merged_trace_ids.is_empty() {
            draft.body = format!(
                "While this report waited to be sent, the failure happened {} more times{}.\n\n{}",
                self.occurrences.saturating_sub(1),
                also_trace_ids(self.merged_trace_ids),
                draft.body
            );
        }
        if let Some(number) = self.regression_of {
            draft.body = format!(
                "Regression of #{number}: that issue was closed, and the same failure happened again.\n\n{}",
                draft.body
            );
        }
        self.journal.start_creating(fingerprint, trace_id);
        let filed = match self.create_looking_first(&draft) {
            Ok(issue) => issue,
            Err(error) => {
                if !error.is_transient() || matches!(error, GitHubError::RateLimited(_)) {
                    // A refusal, not a lost answer: GitHub filed nothing.
                    self.journal.creating_refused(fingerprint);
                }
                return Err(error);
            }
        };
        let oldest = oldest_open_with_marker(
            self.client,
            self.config,
            fingerprint,
            TWIN_CHECK_PAGES,
            self.adopt,
        )
        .ok()
        .flatten();
        if let Some(original) = oldest.filter(|o| o.number < filed.number) {
            let _ = self.client.close_as_duplicate(filed.number, &original);
            let original = issue_at(&original);
            self.journal
                .issue_filed(fingerprint, trace_id, &original, true);
            return Ok(State::Filed(recurred(original)));
        }
        let filed = issue_at(&filed);
        self.journal
            .issue_filed(fingerprint, trace_id, &filed, true);
        Ok(State::Filed(Outcome::Reported {
            url: filed.url,
            number: filed.number,
        }))
    }

    /// File `draft`; after a 5xx, once more, unless the list (which does not lag) shows that
    /// GitHub filed it before failing. An issue of the bug filed by another report leaves this
    /// one to the next delivery (the mark kept in the journal makes it comment there).
    fn create_looking_first(&self, draft: &IssueDraft) -> Result<IssueRef, GitHubError> {
        let status = match self.client.create_issue(draft) {
            Err(GitHubError::Server(status)) => status,
            other => return other,
        };
        std::thread::sleep(super::client::SERVER_RETRY_DELAY);
        let fingerprint = self.fingerprint();
        match oldest_open_with_marker(
            self.client,
            self.config,
            fingerprint,
            RECENT_PAGES,
            self.adopt,
        )? {
            Some(issue)
                if issue
                    .body
                    .as_deref()
                    .is_some_and(|b| b.contains(self.trace_id())) =>
            {
                Ok(issue)
            }
            Some(_) => Err(GitHubError::Server(status)),
            None => self.client.create_issue(draft),
        }
    }
}

fn issue_at(issue: &IssueRef) -> IssueAt {
    IssueAt {
        number: issue.number,
        url: issue.html_url.clone(),
    }
}

fn recurred(issue: IssueAt) -> Outcome {
    Outcome::Recurred {
        url: issue.url,
        number: issue.number,
    }
}

/// ` (trace IDs `a`, `b`)`: the trace IDs of the occurrences added to a waiting report, as
/// hex digits only (they come from the queue, written by this library).
fn also_trace_ids(trace_ids: &[String]) -> String {
    let listed: Vec<String> = trace_ids
        .iter()
        .map(|id| {
            let hex: String = id.chars().filter(char::is_ascii_hexdigit).collect();
            format!("`{hex}`")
        })
        .collect();
    format!(" (trace IDs {})", listed.join(", "))
}

fn recurrence_comment(report: &Report, occurrences: u64, merged_trace_ids: &[String]) -> String {
    let also = match merged_trace_ids.is_empty() {
        true => String::new(),
        false => format!("- Also{}\n", also_trace_ids(merged_trace_ids)),
    };
    let times = if occurrences == 1 {
        "once more".to_string()
    } else {
        format!("{occurrences} more times")
    };
    format!(
        "This failure happened again — {times} since the last update.\n\n- Trace ID: `{}`\n{also}- Time: {}\n- Version: {} {}\n",
        report
            .trace_id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>(),
        report
            .timestamp
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "-:.TZ".contains(*c))
            .collect::<String>(),
        report
            .system
            .app
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
            .collect::<String>(),
        report
            .system
            .app_version
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "-_.+".contains(*c))
            .collect::<String>(),
    )
}
