//! What this machine knows of the issues it filed: fingerprint → issue, when it last commented,
//! and the occurrences counted since. Kept in `known_issues.json` in the configuration
//! directory; it spares a search per report and carries the throttle.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_core::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::json::{Fields, FromJson, deserialize_through_json};

/// The file's name in the configuration directory.
const FILE_NAME: &str = "known_issues.json";

/// Trace IDs of the latest reports GitHub has (or that were counted), kept so that a report
/// whose process died before removing it from the queue is not sent a second time.
const REMEMBERED_TRACE_IDS: usize = 256;

/// One known issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KnownIssue {
    pub(crate) number: u64,
    pub(crate) url: String,
    /// Unix seconds of the last issue or comment sent for this fingerprint.
    pub(crate) last_sent: u64,
    /// Occurrences counted, not sent, since then.
    pub(crate) pending: u64,
}

/// An issue on GitHub: its number and web address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IssueAt {
    pub(crate) number: u64,
    pub(crate) url: String,
}

/// A recurrence comment on its way to an issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SendingComment {
    pub(crate) number: u64,
    pub(crate) url: String,
    /// Unix seconds when it was sent.
    pub(crate) since: u64,
}

/// A new issue being filed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Creating {
    /// Unix seconds when it was sent.
    since: u64,
    /// The trace ID of the report filing it (its body holds it).
    trace_id: String,
}

/// The known issues, loaded from and saved to the configuration directory.
#[derive(Debug, Default)]
pub(crate) struct KnownIssues {
    path: PathBuf,
    state: Stored,
}

#[derive(Debug, Default)]
struct Stored {
    issues: BTreeMap<String, KnownIssue>,
    /// Unix seconds of each new issue filed from this machine in the last hour.
    created: Vec<u64>,
    /// Unix seconds until which GitHub asked not to be called (a rate limit).
    rate_limited_until: u64,
    /// Trace IDs of the latest reports delivered or counted, oldest first.
    delivered: VecDeque<String>,
    /// Recurrence comments being posted, by trace ID: a process that died in between leaves
    /// the mark, and the next one reads the issue's comments before posting again.
    sending: BTreeMap<String, SendingComment>,
    /// Fingerprints whose new issue was being filed (Unix seconds): a process that died in
    /// between leaves the mark, and the next one asks the list (which does not lag, unlike
    /// search) before filing again.
    creating: BTreeMap<String, Creating>,
}

impl Serialize for KnownIssue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let KnownIssue {
            number,
            url,
            last_sent,
            pending,
        } = self;
        let mut out = serializer.serialize_map(Some(4))?;
        out.serialize_entry("number", number)?;
        out.serialize_entry("url", url)?;
        out.serialize_entry("last_sent", last_sent)?;
        out.serialize_entry("pending", pending)?;
        out.end()
    }
}

impl FromJson for KnownIssue {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "known issue")?;
        Ok(KnownIssue {
            number: fields.required("number")?,
            url: fields.required("url")?,
            last_sent: fields.required("last_sent")?,
            pending: fields.required("pending")?,
        })
    }
}

impl Serialize for SendingComment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let SendingComment { number, url, since } = self;
        let mut out = serializer.serialize_map(Some(3))?;
        out.serialize_entry("number", number)?;
        out.serialize_entry("url", url)?;
        out.serialize_entry("since", since)?;
        out.end()
    }
}

impl FromJson for SendingComment {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "comment being sent")?;
        Ok(SendingComment {
            number: fields.required("number")?,
            url: fields.required("url")?,
            since: fields.required("since")?,
        })
    }
}

impl Serialize for Creating {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Creating { since, trace_id } = self;
        let mut out = serializer.serialize_map(Some(2))?;
        out.serialize_entry("since", since)?;
        out.serialize_entry("trace_id", trace_id)?;
        out.end()
    }
}

impl FromJson for Creating {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "issue being filed")?;
        Ok(Creating {
            since: fields.required("since")?,
            trace_id: fields.required("trace_id")?,
        })
    }
}

impl Serialize for Stored {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Stored {
            issues,
            created,
            rate_limited_until,
            delivered,
            sending,
            creating,
        } = self;
        let mut out = serializer.serialize_map(Some(6))?;
        out.serialize_entry("issues", issues)?;
        out.serialize_entry("created", created)?;
        out.serialize_entry("rate_limited_until", rate_limited_until)?;
        out.serialize_entry("delivered", delivered)?;
        out.serialize_entry("sending", sending)?;
        out.serialize_entry("creating", creating)?;
        out.end()
    }
}

/// Every field may be missing (a file written by an older version): it is then empty.
impl FromJson for Stored {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "known issues")?;
        Ok(Stored {
            issues: fields.or_default("issues")?,
            created: fields.or_default("created")?,
            rate_limited_until: fields.or_default("rate_limited_until")?,
            delivered: fields.or_default("delivered")?,
            sending: fields.or_default("sending")?,
            creating: fields.or_default("creating")?,
        })
    }
}

deserialize_through_json!(Stored);

impl KnownIssues {
    /// Load (a missing or unreadable file is an empty cache: the search finds the issues again).
    pub(crate) fn load(config_dir: &Path) -> KnownIssues {
        let path = config_dir.join(FILE_NAME);
        let state = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        KnownIssues { path, state }
    }

    /// When `fingerprint`'s bug was reported less than `throttle_secs` ago, count the report
    /// `trace_id`, standing for `occurrences` failures, as that many more occurrences (saved)
    /// and say so; otherwise change nothing.
    pub(crate) fn count_if_throttled(
        &mut self,
        fingerprint: &str,
        trace_id: &str,
        throttle_secs: u64,
        occurrences: u64,
    ) -> bool {
        let Some(entry) = self.state.issues.get_mut(fingerprint) else {
            return false;
        };
        if now().saturating_sub(entry.last_sent) >= throttle_secs {
            return false;
        }
        entry.pending = entry.pending.saturating_add(occurrences.max(1));
        self.mark_delivered(trace_id);
        self.save();
        true
    }

    /// The issue known for `fingerprint`, if any.
    pub(crate) fn get(&self, fingerprint: &str) -> Option<&KnownIssue> {
        self.state.issues.get(fingerprint)
    }

    /// Whether the report with `trace_id` was delivered or counted already.
    pub(crate) fn was_delivered(&self, trace_id: &str) -> bool {
        self.state.delivered.iter().any(|t| t == trace_id)
    }

    /// Whether the report with `trace_id` may still change: not delivered or counted, and not
    /// on its way (a comment or an issue that a process which died may have sent: GitHub then
    /// has it as it was, and nothing added to it since would reach GitHub).
    pub(crate) fn is_unsent(&self, trace_id: &str) -> bool {
        !self.was_delivered(trace_id)
            && !self.state.sending.contains_key(trace_id)
            && !self.state.creating.values().any(|c| c.trace_id == trace_id)
    }

    /// Remember that the report with `trace_id` was delivered or counted (saved with the rest).
    pub(crate) fn mark_delivered(&mut self, trace_id: &str) {
        self.state.delivered.push_back(trace_id.to_string());
        while self.state.delivered.len() > REMEMBERED_TRACE_IDS {
            self.state.delivered.pop_front();
        }
    }

    /// The recurrence comment of `trace_id` whose posting was interrupted, if any.
    pub(crate) fn sending(&self, trace_id: &str) -> Option<SendingComment> {
        self.state.sending.get(trace_id).cloned()
    }

    /// The trace ID of the report that was filing `fingerprint`'s issue when its process
    /// died, if any.
    pub(crate) fn creator(&self, fingerprint: &str) -> Option<String> {
        self.state
            .creating
            .get(fingerprint)
            .map(|c| c.trace_id.clone())
    }

    /// When the report that was filing `fingerprint`'s issue marked it (seconds since the
    /// Unix epoch), if a mark is left.
    pub(crate) fn creating_since(&self, fingerprint: &str) -> Option<u64> {
        self.state.creating.get(fingerprint).map(|c| c.since)
    }

    /// Forget `fingerprint`'s issue (closed or moved); saved with the next change.
    pub(crate) fn forget(&mut self, fingerprint: &str) {
        self.state.issues.remove(fingerprint);
    }

    /// Mark (saved) that the recurrence comment of `trace_id` is being posted on `issue`: a
    /// process that dies in between leaves the mark for the next one to check.
    pub(crate) fn start_comment(&mut self, trace_id: &str, issue: &IssueAt) {
        let oldest = oldest_live_mark();
        self.state.sending.retain(|_, s| s.since > oldest);
        self.state.sending.insert(
            trace_id.to_string(),
            SendingComment {
                number: issue.number,
                url: issue.url.clone(),
                since: now(),
            },
        );
        self.save();
    }

    /// The comment of `trace_id` is on `issue` (saved): its mark goes, the report counts as
    /// delivered, and `fingerprint`'s issue was updated just now with nothing pending.
    pub(crate) fn comment_posted(&mut self, fingerprint: &str, trace_id: &str, issue: &IssueAt) {
        self.state.sending.remove(trace_id);
        self.mark_delivered(trace_id);
        match self.state.issues.get_mut(fingerprint) {
            Some(entry) => {
                entry.last_sent = now();
                entry.pending = 0;
            }
            None => self.remember(fingerprint, issue),
        }
        self.save();
    }

    /// GitHub redirected the comment of `trace_id` (the issue moved): nothing was posted, so
    /// its mark goes, and so does `fingerprint`'s issue (saved).
    pub(crate) fn comment_moved(&mut self, fingerprint: &str, trace_id: &str) {
        self.state.sending.remove(trace_id);
        self.forget(fingerprint);
        self.save();
    }

    /// Mark (saved) that the report `trace_id` is filing a new issue for `fingerprint`: a
    /// process that dies in between leaves the mark, and the next one asks the list first.
    pub(crate) fn start_creating(&mut self, fingerprint: &str, trace_id: &str) {
        let oldest = oldest_live_mark();
        self.state.creating.retain(|_, c| c.since > oldest);
        self.state.creating.insert(
            fingerprint.to_string(),
            Creating {
                since: now(),
                trace_id: trace_id.to_string(),
            },
        );
        self.save();
    }

    /// GitHub refused to file `fingerprint`'s issue: nothing was filed, the mark goes (saved).
    pub(crate) fn creating_refused(&mut self, fingerprint: &str) {
        self.state.creating.remove(fingerprint);
        self.save();
    }

    /// The report `trace_id` is on GitHub as `issue`, `fingerprint`'s issue from now on
    /// (saved); `new_issue` counts it against the hourly flood guard.
    pub(crate) fn issue_filed(
        &mut self,
        fingerprint: &str,
        trace_id: &str,
        issue: &IssueAt,
        new_issue: bool,
    ) {
        if new_issue {
            self.state.created.push(now());
        }
        self.remember(fingerprint, issue);
        self.mark_delivered(trace_id);
        self.save();
    }

    fn remember(&mut self, fingerprint: &str, issue: &IssueAt) {
        self.state.creating.remove(fingerprint);
        self.state.issues.insert(
            fingerprint.to_string(),
            KnownIssue {
                number: issue.number,
                url: issue.url.clone(),
                last_sent: now(),
                pending: 0,
            },
        );
    }

    /// How many new issues this machine filed in the last hour.
    pub(crate) fn created_last_hour(&mut self) -> usize {
        let hour_ago = now().saturating_sub(3600);
        self.state.created.retain(|t| *t > hour_ago);
        self.state.created.len()
    }

    /// When GitHub's rate limit still holds, the time it ends.
    pub(crate) fn rate_limited_until(&self) -> Option<SystemTime> {
        (self.state.rate_limited_until > now())
            .then(|| UNIX_EPOCH + std::time::Duration::from_secs(self.state.rate_limited_until))
    }

    /// Remember (saved) that GitHub asked to wait until `until` (a minute when it did not
    /// say).
    pub(crate) fn set_rate_limited(&mut self, until: Option<SystemTime>) {
        let until = until
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(now() + 60, |d| d.as_secs());
        self.state.rate_limited_until = until;
        self.save();
    }

    /// Save; a failure only costs a search next time.
    fn save(&self) {
        if let Ok(text) = serde_json::to_vec_pretty(&self.state) {
            let _ = crate::durable::replace_cache_file(&self.path, &text);
        }
    }
}

/// Marks of a comment or an issue on its way are dropped after a day: a process that died
/// that long ago left nothing a later run could still finish.
fn oldest_live_mark() -> u64 {
    now().saturating_sub(86_400)
}

/// Unix seconds now.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue() -> IssueAt {
        IssueAt {
            number: 7,
            url: "https://github.com/acme/tools/issues/7".to_string(),
        }
    }

    #[test]
    fn a_report_standing_for_several_failures_counts_each_within_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = KnownIssues::load(dir.path());
        journal.issue_filed("f00d", "trace-1", &issue(), true);
        assert!(journal.count_if_throttled("f00d", "trace-2", 3600, 3));
        assert!(journal.count_if_throttled("f00d", "trace-3", 3600, 1));
        let reloaded = KnownIssues::load(dir.path());
        assert_eq!(reloaded.get("f00d").map(|e| e.pending), Some(4));
        assert!(reloaded.was_delivered("trace-2") && reloaded.was_delivered("trace-3"));
        assert_eq!(
            reloaded.state.created.len(),
            1,
            "one new issue against the flood guard"
        );
    }

    #[test]
    fn outside_the_window_nothing_is_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = KnownIssues::load(dir.path());
        journal.issue_filed("f00d", "trace-1", &issue(), true);
        assert!(!journal.count_if_throttled("f00d", "trace-2", 0, 3));
        assert!(!journal.count_if_throttled("beef", "trace-3", 3600, 3));
        assert_eq!(journal.get("f00d").map(|e| e.pending), Some(0));
    }

    #[test]
    fn a_posted_comment_clears_its_mark_and_the_pending_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = KnownIssues::load(dir.path());
        journal.issue_filed("f00d", "trace-1", &issue(), true);
        journal.count_if_throttled("f00d", "trace-2", 3600, 2);
        journal.start_comment("trace-3", &issue());
        assert_eq!(
            KnownIssues::load(dir.path())
                .sending("trace-3")
                .map(|s| s.number),
            Some(7),
            "the mark is on disk before the comment leaves"
        );
        journal.comment_posted("f00d", "trace-3", &issue());
        let reloaded = KnownIssues::load(dir.path());
        assert!(reloaded.sending("trace-3").is_none());
        assert!(reloaded.was_delivered("trace-3"));
        assert_eq!(reloaded.get("f00d").map(|e| e.pending), Some(0));
    }
}
