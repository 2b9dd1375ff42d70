//! Notifications waiting to be sent: one file per report in `notifications/` beside the
//! queue, written whole or not at all (as the queue's files are), with each channel's
//! attempts and last error. A file leaves once every channel took it; a channel that failed
//! `notify_max_attempts` times is given up, and its notification stays for `queue` to show.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::message::Notification;
use super::settings::Channel;
use crate::queue::{file_safe, unix_millis};

/// The directory, inside the configuration directory.
pub(crate) const DIR: &str = "notifications";

/// One channel's progress with one notification.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChannelState {
    pub(crate) attempts: u32,
    pub(crate) last_error: Option<String>,
    pub(crate) given_up: bool,
    /// When it was last tried, in milliseconds since the Unix epoch.
    pub(crate) last_attempt_ms: u128,
}

/// A notification and the channels that still have to take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pending {
    pub(crate) path: PathBuf,
    pub(crate) notification: Notification,
    pub(crate) created_ms: u128,
    pub(crate) channels: BTreeMap<Channel, ChannelState>,
}

impl Pending {
    fn to_json(&self) -> Value {
        let channels: serde_json::Map<String, Value> = self
            .channels
            .iter()
            .map(|(channel, state)| {
                (
                    channel.name().to_string(),
                    json!({
                        "attempts": state.attempts,
                        "last_error": state.last_error,
                        "given_up": state.given_up,
                        "last_attempt_ms": state.last_attempt_ms.to_string(),
                    }),
                )
            })
            .collect();
        json!({
            "schema": 1,
            "created_ms": self.created_ms.to_string(),
            "notification": self.notification.to_json(),
            "channels": channels,
        })
    }

    fn from_json(path: &Path, value: &Value) -> Option<Pending> {
        let channels = value
            .get("channels")?
            .as_object()?
            .iter()
            .filter_map(|(name, state)| {
                Some((
                    Channel::from_name(name)?,
                    ChannelState {
                        attempts: state
                            .get("attempts")
                            .and_then(Value::as_u64)
                            .map_or(0, |a| u32::try_from(a).unwrap_or(u32::MAX)),
                        last_error: state
                            .get("last_error")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        given_up: state.get("given_up").and_then(Value::as_bool) == Some(true),
                        last_attempt_ms: state
                            .get("last_attempt_ms")
                            .and_then(Value::as_str)
                            .and_then(|t| t.parse().ok())
                            .unwrap_or_default(),
                    },
                ))
            })
            .collect();
        Some(Pending {
            path: path.to_path_buf(),
            notification: Notification::from_json(value.get("notification")?)?,
            created_ms: value
                .get("created_ms")
                .and_then(Value::as_str)
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
            channels,
        })
    }

    /// Whether a channel still has to take it (one that was not given up).
    pub(crate) fn is_due(&self) -> bool {
        self.channels.values().any(|s| !s.given_up)
    }

    /// Write it back, or remove the file once no channel is left.
    pub(crate) fn save(&self) -> crate::Result<()> {
        if self.channels.is_empty() {
            return match fs::remove_file(&self.path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(crate::Error::io("remove", &self.path, e)),
            };
        }
        let bytes = serde_json::to_vec_pretty(&self.to_json()).unwrap_or_default();
        crate::durable::write_atomically(&self.path, &bytes)
    }
}

/// What waits to be notified, for `status` and `queue`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationBacklog {
    /// Notifications that some channel has still to take.
    pub waiting: usize,
    /// Of those, how many failed at least once.
    pub failing: usize,
    /// Notifications a channel gave up on after `notify_max_attempts` failures; kept.
    pub given_up: usize,
    /// The most recent failure, redacted: `webhook: connection refused (3 attempts)`.
    pub last_error: Option<String>,
}

/// The notifications directory of a configuration.
#[derive(Clone, Debug)]
pub(crate) struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub(crate) fn in_dir(config_dir: &Path) -> Outbox {
        Outbox {
            dir: config_dir.join(DIR),
        }
    }

    /// Remove the temporary files of writers killed mid-write.
    pub(crate) fn remove_abandoned_temporaries(&self) {
        crate::durable::remove_abandoned_temporaries(&self.dir);
    }

    /// Keep `notification` for `channels`; a notification of the same report already kept is
    /// left as it is (a report delivered twice after a crash is notified once).
    pub(crate) fn add(
        &self,
        notification: Notification,
        channels: &[Channel],
    ) -> crate::Result<()> {
        let path = self
            .dir
            .join(format!("{}.json", file_safe(&notification.trace_id)));
        if path.exists() || channels.is_empty() {
            return Ok(());
        }
        Pending {
            path,
            notification,
            created_ms: unix_millis(),
            channels: channels
                .iter()
                .map(|c| (*c, ChannelState::default()))
                .collect(),
        }
        .save()
    }

    /// Every kept notification, oldest first. Unreadable files are set aside
    /// (`*.json.unreadable`).
    pub(crate) fn all(&self) -> Vec<Pending> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut all: Vec<Pending> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| !file_name(p).starts_with('.'))
            .filter_map(|path| {
                let read = fs::read(&path)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                    .and_then(|value| Pending::from_json(&path, &value));
                if read.is_none() && path.exists() {
                    let _ = fs::rename(&path, path.with_extension("json.unreadable"));
                }
                read
            })
            .collect();
        all.sort_by(|a, b| (a.created_ms, &a.path).cmp(&(b.created_ms, &b.path)));
        all
    }

    /// Counts and the latest failure.
    pub(crate) fn backlog(&self) -> NotificationBacklog {
        let all = self.all();
        let mut backlog = NotificationBacklog::default();
        let mut latest: Option<(u128, String)> = None;
        for pending in &all {
            if pending.is_due() {
                backlog.waiting += 1;
            }
            if pending.channels.values().any(|s| s.given_up) {
                backlog.given_up += 1;
            }
            if pending
                .channels
                .values()
                .any(|s| !s.given_up && s.attempts > 0)
            {
                backlog.failing += 1;
            }
            for (channel, state) in &pending.channels {
                if let Some(error) = &state.last_error
                    && latest
                        .as_ref()
                        .is_none_or(|(at, _)| pending.created_ms >= *at)
                {
                    latest = Some((
                        pending.created_ms,
                        format!(
                            "{}: {error} ({} attempt{})",
                            channel.name(),
                            state.attempts,
                            if state.attempts == 1 { "" } else { "s" }
                        ),
                    ));
                }
            }
        }
        backlog.last_error = latest.map(|(_, error)| error);
        backlog
    }

    /// Forget what every channel gave up on: each channel that failed `notify_max_attempts`
    /// times is removed from its notification, and a notification left without channels is
    /// removed. Notifications still due to some channel stay, as do those another process is
    /// sending. Returns how many notifications had a channel removed.
    pub(crate) fn forget_given_up(&self) -> crate::Result<usize> {
        let mut forgotten = 0;
        for mut pending in self.all() {
            if !pending.channels.values().any(|s| s.given_up) {
                continue;
            }
            let Some(_claim) = self.claim(&pending) else {
                continue;
            };
            pending.channels.retain(|_, state| !state.given_up);
            pending.save()?;
            forgotten += 1;
        }
        Ok(forgotten)
    }

    /// Claim `pending` for this process while it is sent, so that two processes never send
    /// one notification twice at the same time. `None` when another live process has it.
    pub(crate) fn claim(&self, pending: &Pending) -> Option<Claim> {
        let lock = pending.path.with_extension("sending");
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(mut file) => {
                    use std::io::Write as _;
                    let _ = write!(file, "{}", std::process::id());
                    return Some(Claim { lock });
                }
                Err(_) => {
                    let holder = fs::read_to_string(&lock)
                        .ok()
                        .and_then(|t| t.trim().parse::<u32>().ok());
                    let gone = match holder {
                        Some(pid) => crate::durable::process_is_gone(pid, &lock),
                        None => true,
                    };
                    if !gone {
                        return None;
                    }
                    let _ = fs::remove_file(&lock);
                }
            }
        }
        None
    }
}

/// A notification being sent by this process; released on drop.
#[derive(Debug)]
pub(crate) struct Claim {
    lock: PathBuf,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.lock);
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::settings::Event;

    fn notification(trace_id: &str) -> Notification {
        Notification {
            event: Event::New,
            title: "t".to_string(),
            url: "https://github.com/a/b/issues/1".to_string(),
            number: 1,
            trace_id: trace_id.to_string(),
            fingerprint: "f".to_string(),
            repository: None,
            app: "a".to_string(),
            app_version: "1".to_string(),
            error_type: "E".to_string(),
            regression_of: None,
            diagnosis: None,
            timestamp: String::new(),
        }
    }

    #[test]
    fn forgetting_given_up_channels_keeps_what_is_still_due() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::in_dir(dir.path());
        outbox
            .add(notification("gone1"), &[Channel::Slack])
            .unwrap();
        outbox
            .add(notification("half2"), &[Channel::Slack, Channel::Webhook])
            .unwrap();
        outbox
            .add(notification("due3"), &[Channel::Webhook])
            .unwrap();
        for mut pending in outbox.all() {
            if let Some(slack) = pending.channels.get_mut(&Channel::Slack) {
                slack.attempts = 3;
                slack.given_up = true;
            }
            pending.save().unwrap();
        }
        assert_eq!(outbox.backlog().given_up, 2);

        assert_eq!(outbox.forget_given_up().unwrap(), 2);
        let mut left: Vec<(String, Vec<Channel>)> = outbox
            .all()
            .into_iter()
            .map(|p| {
                let channels = p.channels.keys().copied().collect();
                (p.notification.trace_id, channels)
            })
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![
                ("due3".to_string(), vec![Channel::Webhook]),
                ("half2".to_string(), vec![Channel::Webhook]),
            ]
        );
        assert_eq!(outbox.backlog().given_up, 0);
        assert_eq!(outbox.forget_given_up().unwrap(), 0);
    }

    #[test]
    fn a_notification_is_kept_once_and_leaves_when_every_channel_took_it() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::in_dir(dir.path());
        outbox
            .add(notification("aa11"), &[Channel::Slack, Channel::Webhook])
            .unwrap();
        outbox.add(notification("aa11"), &[Channel::Email]).unwrap();
        let mut all = outbox.all();
        assert_eq!(all.len(), 1);
        let mut pending = all.remove(0);
        assert_eq!(
            pending.channels.keys().copied().collect::<Vec<_>>(),
            vec![Channel::Slack, Channel::Webhook]
        );
        pending
            .channels
            .get_mut(&Channel::Webhook)
            .unwrap()
            .attempts = 2;
        pending
            .channels
            .get_mut(&Channel::Webhook)
            .unwrap()
            .last_error = Some("refused".to_string());
        pending.channels.remove(&Channel::Slack);
        pending.save().unwrap();
        let backlog = outbox.backlog();
        assert_eq!(
            (backlog.waiting, backlog.failing, backlog.given_up),
            (1, 1, 0)
        );
        assert_eq!(
            backlog.last_error.as_deref(),
            Some("webhook: refused (2 attempts)")
        );
        let claim = outbox.claim(&pending).unwrap();
        assert!(outbox.claim(&pending).is_none(), "claimed twice");
        drop(claim);
        pending.channels.clear();
        pending.save().unwrap();
        assert!(outbox.all().is_empty());
        assert_eq!(outbox.backlog(), NotificationBacklog::default());
    }

    #[test]
    fn an_unreadable_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::in_dir(dir.path());
        fs::create_dir_all(dir.path().join(DIR)).unwrap();
        fs::write(dir.path().join(DIR).join("x.json"), "{not json").unwrap();
        assert!(outbox.all().is_empty());
        assert!(dir.path().join(DIR).join("x.json.unreadable").exists());
    }
}
