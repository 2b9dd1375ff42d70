//! Sending what waits in the outbox: each channel once per round, bounded in time. A channel
//! that fails is not tried again in the same round (a dead endpoint costs one timeout, not
//! one per notification), and each failure is counted against `notify_max_attempts`.

use std::time::{Duration, Instant};

use super::message::Notification;
use super::outbox::Outbox;
use super::settings::{Channel, NotifySettings};
use crate::queue::unix_millis;
use crate::{Config, Redactor};

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotifySummary {
    /// Notifications every channel took in this round.
    pub sent: usize,
    /// The failures of this round, one per channel, redacted.
    pub failed: Vec<String>,
    /// Notifications still waiting afterwards.
    pub waiting: usize,
}

/// The bound on one round: an attempt starts before it, and each attempt is itself bounded by
/// the timeout, so a round ends within twice the timeout.
fn round_bound(settings: &NotifySettings) -> Duration {
    Duration::from_secs(settings.timeout_secs.max(1))
}

/// Send what waits, oldest first, within the round's bound. A notification whose channel
/// failed less than `retry_gap` ago waits for a later round.
pub(crate) fn send_pending(config: &Config, retry_gap: Duration) -> NotifySummary {
    let outbox = Outbox::in_dir(&config.config_dir);
    let mut summary = NotifySummary::default();
    let settings = &config.notify;
    let all = outbox.all();
    if all.is_empty() {
        return summary;
    }
    outbox.remove_abandoned_temporaries();
    let redactor = Redactor::for_config(config);
    let deadline = Instant::now() + round_bound(settings);
    let configured = settings.channels();
    let mut failed_this_round: Vec<Channel> = Vec::new();
    let gap_ms = retry_gap.as_millis();
    for listed in all.into_iter().filter(|p| p.is_due()) {
        if Instant::now() >= deadline {
            break;
        }
        let Some(_claim) = outbox.claim(&listed) else {
            continue;
        };
        // Read again under the claim: another process may have sent it meanwhile.
        let Some(mut pending) = outbox.all().into_iter().find(|p| p.path == listed.path) else {
            continue;
        };
        let channels: Vec<Channel> = pending.channels.keys().copied().collect();
        for channel in channels {
            let Some(state) = pending.channels.get_mut(&channel) else {
                continue;
            };
            if state.given_up || failed_this_round.contains(&channel) {
                continue;
            }
            if !configured.contains(&channel) {
                // Set up when the report was filed, switched off since.
                pending.channels.remove(&channel);
                continue;
            }
            let waited = unix_millis().saturating_sub(state.last_attempt_ms);
            if state.attempts > 0 && waited < gap_ms || Instant::now() >= deadline {
                continue;
            }
            state.last_attempt_ms = unix_millis();
            match send_to(channel, &pending.notification, config) {
                Ok(()) => {
                    pending.channels.remove(&channel);
                }
                Err(error) => {
                    let error = redactor.redact(&error).into_owned();
                    state.attempts = state.attempts.saturating_add(1);
                    state.given_up = state.attempts >= settings.max_attempts.max(1);
                    summary.failed.push(format!("{}: {error}", channel.name()));
                    state.last_error = Some(error);
                    failed_this_round.push(channel);
                }
            }
        }
        if pending.channels.is_empty() {
            summary.sent += 1;
        }
        let _ = pending.save();
    }
    summary.waiting = outbox.all().iter().filter(|p| p.is_due()).count();
    summary
}

/// One attempt on one channel.
fn send_to(channel: Channel, notification: &Notification, config: &Config) -> Result<(), String> {
    let settings = &config.notify;
    let timeout = Duration::from_secs(settings.timeout_secs.max(1));
    let user_agent = format!(
        "{}/{} autoheal/{}",
        config.app.name,
        config.app.version,
        env!("CARGO_PKG_VERSION")
    );
    match channel {
        Channel::Slack => {
            let url = settings
                .slack_webhook
                .as_ref()
                .ok_or("no Slack webhook is set")?;
            let body = serde_json::to_vec(&notification.slack_json()).unwrap_or_default();
            post(url.expose(), &body, &[], timeout, &user_agent)
        }
        Channel::Webhook => {
            let url = settings
                .webhook_url
                .as_ref()
                .ok_or("no webhook URL is set")?;
            let body = serde_json::to_vec(&notification.to_json()).unwrap_or_default();
            let mut headers = vec![
                ("X-Autoheal-Event", notification.event.name().to_string()),
                ("X-Autoheal-Delivery", notification.trace_id.clone()),
            ];
            if let Some(secret) = &settings.webhook_secret {
                headers.push((
                    super::SIGNATURE_HEADER,
                    super::hmac::signature_header(secret.expose(), &body),
                ));
            }
            post(url.expose(), &body, &headers, timeout, &user_agent)
        }
        Channel::Email => mail(settings, notification, timeout),
    }
}

#[cfg(feature = "github")]
fn post(
    url: &str,
    body: &[u8],
    headers: &[(&str, String)],
    timeout: Duration,
    user_agent: &str,
) -> Result<(), String> {
    super::webhook::post_json(url, body, headers, timeout, user_agent)
}

#[cfg(not(feature = "github"))]
fn post(
    _url: &str,
    _body: &[u8],
    _headers: &[(&str, String)],
    _timeout: Duration,
    _user_agent: &str,
) -> Result<(), String> {
    Err(
        "this program was built without autoheal's `github` feature, which sends webhooks"
            .to_string(),
    )
}

#[cfg(feature = "email")]
fn mail(
    settings: &NotifySettings,
    notification: &Notification,
    timeout: Duration,
) -> Result<(), String> {
    super::email::send_mail(settings, notification, timeout)
}

#[cfg(not(feature = "email"))]
fn mail(
    _settings: &NotifySettings,
    _notification: &Notification,
    _timeout: Duration,
) -> Result<(), String> {
    Err("this program was built without autoheal's `email` feature, which sends mail".to_string())
}
