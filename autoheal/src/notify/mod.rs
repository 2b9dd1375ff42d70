//! Notifications: telling maintainers when a failure opened a new issue or came back.
//!
//! When a report files a new issue (`new`), files one for a bug whose issue was closed
//! (`regression`) or, if asked, adds an occurrence to an open one (`recurrence`), the outcome
//! is kept in `notifications/` beside the queue, and the background worker sends it once the
//! report is on GitHub: to a Slack-compatible incoming webhook (Slack, Discord's `/slack`
//! endpoint, Mattermost), to a generic JSON webhook signed with HMAC-SHA256 in the
//! [`SIGNATURE_HEADER`] header when a secret is set, and by mail over SMTP (with the `email`
//! feature). Each carries the issue's title and link, the trace ID and, with the healing
//! engine, the rule of the offline diagnosis; every text is redacted like the report.
//!
//! A notification never holds a report back: it is sent after GitHub's answer, each attempt
//! bounded by `notify_timeout_secs`, and one that fails waits for a later round (half a minute
//! later while the program runs, the next report, the next start of the program, or `flush`),
//! at most `notify_max_attempts` times.
//! `status` and `queue` show what waits and the last failure.
//!
//! # Verifying the JSON webhook's signature
//!
//! ```
//! use autoheal::notify::{signature_header, verify_signature};
//!
//! let body = br#"{"event":"new"}"#;
//! // What the sender put in the X-Autoheal-Signature-256 header:
//! let header = signature_header("the shared secret", body);
//! assert!(verify_signature("the shared secret", body, &header));
//! ```

#[cfg(feature = "email")]
mod email;
mod hmac;
mod message;
mod outbox;
mod send;
mod settings;
#[cfg(feature = "github")]
mod webhook;

use std::time::Duration;

pub use hmac::{hmac_sha256, signature_header, verify_signature};
pub use outbox::NotificationBacklog;
pub use send::NotifySummary;
pub(crate) use settings::{check_email, mask_url, parse_events};

/// A `notify_smtp_url` that parses, or why not.
pub(crate) fn check_smtp_url(url: &str) -> Result<(), String> {
    settings::SmtpEndpoint::parse(url).map(|_| ())
}
pub use settings::{Event, NotifySettings, SMTP_PASSWORD_ENV, SecretUrl, WEBHOOK_SECRET_ENV};

use crate::{Config, Outcome, Redactor, Report};

/// The header carrying the JSON webhook's signature: `sha256=` and the lowercase hex
/// HMAC-SHA256 of the body's exact bytes under the secret, as GitHub's `X-Hub-Signature-256`.
pub const SIGNATURE_HEADER: &str = "X-Autoheal-Signature-256";

/// How long a notification that failed waits before the worker tries it again; `flush` does
/// not wait.
pub(crate) const RETRY_GAP: Duration = Duration::from_secs(30);

/// Keep the notification of `report`'s `outcome` on GitHub, when `config` asks for one. Runs
/// where the outcome is known (the caller holds the reporting lock); sending is left to
/// [`send_pending`].
#[cfg_attr(not(feature = "github"), allow(dead_code))]
pub(crate) fn record(
    config: &Config,
    report: &Report,
    outcome: &Outcome,
    regression_of: Option<u64>,
) {
    // Nothing is computed unless the event is wanted: this runs before the report leaves
    // the queue.
    let event = match (outcome, regression_of) {
        (Outcome::Reported { .. }, Some(_)) => Event::Regression,
        (Outcome::Reported { .. }, None) => Event::New,
        (Outcome::Recurred { .. }, _) => Event::Recurrence,
        _ => return,
    };
    if !config.notify.wants(event) {
        return;
    }
    let redactor = Redactor::for_config(config);
    let Some(notification) = message::Notification::of(
        report,
        outcome,
        regression_of,
        config.github_repo.as_deref(),
        &redactor,
    ) else {
        return;
    };
    let _ = outbox::Outbox::in_dir(&config.config_dir).add(notification, &config.notify.channels());
}

/// Send the notifications that wait, within the time bound of one round; those that failed
/// less than `retry_gap` ago wait for a later round.
pub(crate) fn send_pending(config: &Config, retry_gap: Duration) -> NotifySummary {
    send::send_pending(config, retry_gap)
}

/// Forget the notifications of `config` that every channel gave up on (`queue clear`).
/// Returns how many were changed.
///
/// # Errors
///
/// A notification file that could not be rewritten or removed.
pub fn forget_given_up(config: &Config) -> crate::Result<usize> {
    outbox::Outbox::in_dir(&config.config_dir).forget_given_up()
}

/// What waits to be notified for `config`, and the last failure.
pub fn backlog(config: &Config) -> NotificationBacklog {
    outbox::Outbox::in_dir(&config.config_dir).backlog()
}
