//! Delivering one report: one issue per bug. Look for the bug's issue (local cache, then the
//! search API, then the list of open auto-heal issues), comment on it at most once per
//! throttle window, or file a new issue — linking a closed one as a regression.
//!
//! The caller holds the machine's [`ReportingLock`](super::lock::ReportingLock): the cache is
//! read, used and written back by one process at a time.

use super::GitHubError;
use super::client::{GitHubClient, IssueRef};
use super::known_issues::{KnownIssues, now};
use crate::{Config, Outcome, Report, fingerprint_marker, render_issue};

/// Pages of open auto-heal issues read when search is unavailable (100 issues a page).
const MAX_LIST_PAGES: usize = 100;

/// Pages of an issue's recent comments read to see whether an interrupted comment arrived.
const MAX_COMMENT_PAGES: usize = 10;

/// Pages of the newest open issues read for an issue a dead process may have filed: it is
/// among the newest 300 unless 300 others were filed since.
const RECENT_PAGES: usize = 3;

/// Pages read after filing a new issue, looking for a twin filed at the same moment: the
/// newest 100 open issues hold it unless 100 others were filed in between.
const TWIN_CHECK_PAGES: usize = 1;

/// Deliver `report` to GitHub and say what became of it. While a rate limit GitHub announced
/// still holds, nothing is sent.
pub(crate) fn deliver(
    client: &GitHubClient,
    config: &Config,
    report: &Report,
) -> Result<Outcome, GitHubError> {
    let mut known = KnownIssues::load(&config.config_dir);
    if known.was_delivered(&report.trace_id) {
        // Its process died after GitHub had it, before removing it from the queue.
        return Ok(delivered_already(&known, &report.fingerprint));
    }
    if let Some(until) = known.rate_limited_until() {
        return Err(GitHubError::RateLimited(Some(until)));
    }
    let result = match resume_interrupted_comment(client, report, &mut known) {
        Ok(Some(outcome)) => Ok(outcome),
        Ok(None) => deliver_once(client, config, report, &mut known),
        Err(error) => Err(error),
    };
    if let Err(GitHubError::RateLimited(until)) = &result {
        known.set_rate_limited(*until);
        known.save();
    }
    result
}

/// Count `report` when its bug was reported within the throttle window: nothing would be sent.
/// `None` when it must go to GitHub. The caller holds the lock.
pub(crate) fn count_within_throttle(config: &Config, report: &Report) -> Option<Outcome> {
    KnownIssues::load(&config.config_dir)
        .count_if_throttled(&report.fingerprint, &report.trace_id, config.throttle_secs)
        .then_some(Outcome::Throttled)
}

/// When a process died while posting this report's recurrence comment, the issue's comments
/// say whether GitHub took it: if so, finish the bookkeeping instead of posting it again.
fn resume_interrupted_comment(
    client: &GitHubClient,
    report: &Report,
    known: &mut KnownIssues,
) -> Result<Option<Outcome>, GitHubError> {
    let trace_id = report.trace_id.as_str();
    let Some(sending) = known.sending(trace_id) else {
        return Ok(None);
    };
    let comments = client.comments_since(
        sending.number,
        sending.since.saturating_sub(60),
        MAX_COMMENT_PAGES,
    )?;
    if !comments.iter().any(|c| c.contains(trace_id)) {
        return Ok(None);
    }
    if let Some(entry) = known.get_mut(&report.fingerprint) {
        entry.last_sent = now();
        entry.pending = 0;
    } else {
        known.remember(&report.fingerprint, sending.number, &sending.url);
    }
    known.finish_sending(trace_id);
    known.save();
    Ok(Some(Outcome::Recurred {
        url: sending.url,
        number: sending.number,
    }))
}

/// Post a recurrence comment, marked in the cache while it is on its way (see
/// [`resume_interrupted_comment`]).
fn post_recurrence(
    client: &GitHubClient,
    known: &mut KnownIssues,
    report: &Report,
    issue: (u64, &str),
    occurrences: u64,
) -> Result<(), GitHubError> {
    let (number, url) = issue;
    known.start_sending(&report.trace_id, number, url);
    known.save();
    client.comment(number, &recurrence_comment(report, occurrences))?;
    known.finish_sending(&report.trace_id);
    Ok(())
}

/// What became of a report delivered or counted by another run (or another process): the
/// occurrence is on the bug's issue.
fn delivered_already(known: &KnownIssues, fingerprint: &str) -> Outcome {
    match known.get(fingerprint) {
        Some(entry) => Outcome::Recurred {
            url: entry.url.clone(),
            number: entry.number,
        },
        None => Outcome::Throttled,
    }
}

fn deliver_once(
    client: &GitHubClient,
    config: &Config,
    report: &Report,
    known: &mut KnownIssues,
) -> Result<Outcome, GitHubError> {
    let fingerprint = report.fingerprint.as_str();
    let trace_id = report.trace_id.as_str();
    let mut regression_of = None;
    if known.count_if_throttled(fingerprint, trace_id, config.throttle_secs) {
        return Ok(Outcome::Throttled);
    }
    if let Some(entry) = known.get_mut(fingerprint) {
        let issue = client.issue(entry.number)?;
        if issue.state == "open" {
            let (number, url, pending) = (entry.number, entry.url.clone(), entry.pending);
            post_recurrence(client, known, report, (number, &url), pending + 1)?;
            if let Some(entry) = known.get_mut(fingerprint) {
                entry.last_sent = now();
                entry.pending = 0;
            }
            known.save();
            return Ok(Outcome::Recurred { url, number });
        }
        regression_of = Some(entry.number);
        known.forget(fingerprint);
    }
    let flood_guarded = known.created_last_hour() >= config.max_new_issues_per_hour as usize;
    let creator = known.creator(fingerprint);
    if flood_guarded && regression_of.is_none() && creator.is_none() {
        // A bug this machine has no issue of would most likely need a new one: it waits in
        // the queue without spending a search (whose rate limit is the strictest).
        return Err(GitHubError::FloodGuard(config.max_new_issues_per_hour));
    }
    let found = if creator.is_some() {
        // A process died while filing this bug: the list, which does not lag, says whether
        // GitHub has the issue.
        oldest_open_with_marker(client, config, fingerprint, RECENT_PAGES)?
    } else {
        find_open_issue(client, config, fingerprint)?
    };
    if let Some(issue) = found {
        let creator = creator.filter(|c| {
            issue
                .body
                .as_deref()
                .is_some_and(|b| b.contains(c.as_str()))
        });
        if creator.as_deref() == Some(trace_id) {
            // This very report filed it, and its process died before remembering it.
            known.remember(fingerprint, issue.number, &issue.html_url);
            known.mark_delivered(trace_id);
            known.save();
            return Ok(Outcome::Reported {
                url: issue.html_url,
                number: issue.number,
            });
        }
        if let Some(creator) = creator {
            // The report that filed it still waits in the queue: it is on GitHub already.
            known.mark_delivered(&creator);
        }
        post_recurrence(client, known, report, (issue.number, &issue.html_url), 1)?;
        known.remember(fingerprint, issue.number, &issue.html_url);
        known.save();
        return Ok(Outcome::Recurred {
            url: issue.html_url,
            number: issue.number,
        });
    }
    if flood_guarded {
        return Err(GitHubError::FloodGuard(config.max_new_issues_per_hour));
    }
    let mut draft = render_issue(report);
    if let Some(number) = regression_of {
        draft.body = format!(
            "Regression of #{number}: that issue was closed, and the same failure happened again.\n\n{}",
            draft.body
        );
    }
    known.start_creating(fingerprint, trace_id);
    known.save();
    let issue = match create_looking_first(client, config, fingerprint, trace_id, &draft) {
        Ok(issue) => issue,
        Err(error) => {
            if !error.is_transient() || matches!(error, GitHubError::RateLimited(_)) {
                // A refusal, not a lost answer: GitHub filed nothing.
                known.clear_creating(fingerprint);
                known.save();
            }
            return Err(error);
        }
    };
    known.count_created();
    // Another process or machine may have filed the same new bug at the same moment: the
    // oldest open issue wins, a newer one is closed as its duplicate.
    let oldest = oldest_open_with_marker(client, config, fingerprint, TWIN_CHECK_PAGES)
        .ok()
        .flatten();
    if let Some(original) = oldest.filter(|o| o.number < issue.number) {
        let _ = client.close_as_duplicate(issue.number, &original);
        known.remember(fingerprint, original.number, &original.html_url);
        known.mark_delivered(trace_id);
        known.save();
        return Ok(Outcome::Recurred {
            url: original.html_url,
            number: original.number,
        });
    }
    known.remember(fingerprint, issue.number, &issue.html_url);
    known.mark_delivered(trace_id);
    known.save();
    Ok(Outcome::Reported {
        url: issue.html_url,
        number: issue.number,
    })
}

/// File `draft`; after a 5xx, once more, unless the list (which does not lag) shows that GitHub
/// filed it before failing. An issue of the bug filed by another report leaves this one to the
/// next delivery (the mark kept in the cache makes it comment there).
fn create_looking_first(
    client: &GitHubClient,
    config: &Config,
    fingerprint: &str,
    trace_id: &str,
    draft: &crate::IssueDraft,
) -> Result<IssueRef, GitHubError> {
    let status = match client.create_issue(draft) {
        Err(GitHubError::Server(status)) => status,
        other => return other,
    };
    std::thread::sleep(super::client::SERVER_RETRY_DELAY);
    match oldest_open_with_marker(client, config, fingerprint, RECENT_PAGES)? {
        Some(issue) if issue.body.as_deref().is_some_and(|b| b.contains(trace_id)) => Ok(issue),
        Some(_) => Err(GitHubError::Server(status)),
        None => client.create_issue(draft),
    }
}

/// The oldest open issue carrying the fingerprint's marker, from the (authoritative) list, up
/// to `pages` pages of it.
fn oldest_open_with_marker(
    client: &GitHubClient,
    config: &Config,
    fingerprint: &str,
    pages: usize,
) -> Result<Option<IssueRef>, GitHubError> {
    let marker = fingerprint_marker(fingerprint);
    let label = config
        .issue_labels
        .first()
        .map_or("auto-heal", String::as_str);
    let mut oldest: Option<IssueRef> = None;
    client.list_open(label, pages, |issue| {
        if issue.body.as_deref().is_some_and(|b| b.contains(&marker))
            && oldest.as_ref().is_none_or(|o| issue.number < o.number)
        {
            oldest = Some(issue.clone());
        }
        true
    })?;
    Ok(oldest)
}

/// The open issue carrying this fingerprint's marker: search first; when search is refused,
/// rate limited, failing or incomplete, the paginated list of open issues with the first configured label.
fn find_open_issue(
    client: &GitHubClient,
    config: &Config,
    fingerprint: &str,
) -> Result<Option<IssueRef>, GitHubError> {
    let marker = fingerprint_marker(fingerprint);
    let has_marker = |issue: &IssueRef| issue.body.as_deref().is_some_and(|b| b.contains(&marker));
    match client.search_open(&format!("autoheal:fingerprint={fingerprint}")) {
        Ok(Some(items)) => {
            return Ok(items
                .into_iter()
                .find(|i| has_marker(i) && i.state == "open"));
        }
        // Incomplete results are no answer: the issue may be among those not searched.
        Ok(None) => {}
        Err(
            error @ (GitHubError::Unauthorized
            | GitHubError::NoAccess(_)
            | GitHubError::IssuesDisabled),
        ) => return Err(error),
        Err(_) => {}
    }
    // Search is refused, rate limited or failing: the list of open issues answers instead.
    let label = config
        .issue_labels
        .first()
        .map_or("auto-heal", String::as_str);
    let mut found = None;
    client.list_open(label, MAX_LIST_PAGES, |issue| {
        if has_marker(issue) {
            found = Some(issue.clone());
            false
        } else {
            true
        }
    })?;
    Ok(found)
}

fn recurrence_comment(report: &Report, occurrences: u64) -> String {
    let times = if occurrences == 1 {
        "once more".to_string()
    } else {
        format!("{occurrences} more times")
    };
    format!(
        "This failure happened again — {times} since the last update.\n\n- Trace ID: `{}`\n- Time: {}\n- Version: {} {}\n",
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
