//! One line of the history: a failure the program saw, or a later outcome of one, as one JSON
//! object on one line.
//!
//! The line always starts with `{"v":1,`: a reader that meets a line spoiled by a torn write
//! (a writer killed mid-record, then another record appended after it) finds the record that
//! follows the torn one by that prefix. The prefix cannot occur inside a JSON string, whose
//! quotes are escaped.

use std::borrow::Cow;
use std::fmt;

use serde_core::de::{self, Deserializer, MapAccess, Visitor};
use serde_core::ser::{SerializeMap, Serializer};

/// The format version every line starts with.
pub(crate) const LINE_START: &[u8] = b"{\"v\":1,";

/// The longest a field's text may be in the history, in characters: a line stays well under
/// 4 KiB, so that one `write` appends it whole.
const MAX_FIELD_CHARS: usize = 300;

/// What became of one failure, as the history records it: the [`Outcome`](crate::Outcome) the
/// pipeline settled it with, or `Ignored` when a rule of the program's own kept it from being
/// reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HistoryOutcome {
    /// A new issue was filed.
    Reported,
    /// Added to the open issue of the same bug.
    Recurred,
    /// Waits in the local queue.
    Queued,
    /// Handed to the background worker, which had not finished with it.
    Pending,
    /// GitHub refused it for good.
    Refused,
    /// Counted, not sent: the same bug was reported moments ago.
    Throttled,
    /// Kept from being reported by a setting (a privacy rule).
    Ignored,
    /// Could not be stored or sent.
    Failed,
    /// An outcome this version does not know (written by a newer one).
    Other,
}

impl HistoryOutcome {
    /// Every outcome, in the order `stats` lists them.
    pub const ALL: [HistoryOutcome; 9] = [
        HistoryOutcome::Reported,
        HistoryOutcome::Recurred,
        HistoryOutcome::Queued,
        HistoryOutcome::Pending,
        HistoryOutcome::Refused,
        HistoryOutcome::Throttled,
        HistoryOutcome::Ignored,
        HistoryOutcome::Failed,
        HistoryOutcome::Other,
    ];

    /// The outcome's name in the history and in `stats --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryOutcome::Reported => "reported",
            HistoryOutcome::Recurred => "recurred",
            HistoryOutcome::Queued => "queued",
            HistoryOutcome::Pending => "pending",
            HistoryOutcome::Refused => "refused",
            HistoryOutcome::Throttled => "throttled",
            HistoryOutcome::Ignored => "ignored",
            HistoryOutcome::Failed => "failed",
            HistoryOutcome::Other => "other",
        }
    }

    /// The outcome named `name`; [`HistoryOutcome::Other`] for a name this version does not
    /// know.
    pub fn from_name(name: &str) -> HistoryOutcome {
        HistoryOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == name)
            .unwrap_or(HistoryOutcome::Other)
    }
}

impl fmt::Display for HistoryOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a line records a failure, or a later outcome of one already recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// A failure the program saw: counted.
    Failure,
    /// What became of a failure recorded earlier (a queued report sent later by `flush`):
    /// not counted again, but it changes the bug's last outcome and issue link.
    Update,
    /// The diagnosis rule that recognises a failure recorded earlier (found once the report
    /// was delivered, off the path the program waits on): not counted again, and its outcome
    /// is not a new one.
    Rule,
}

impl EntryKind {
    /// The kind's name in the history (a failure's is not written).
    fn as_str(self) -> &'static str {
        match self {
            EntryKind::Failure => "failure",
            EntryKind::Update => "update",
            EntryKind::Rule => "rule",
        }
    }
}

/// One line of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// When it was recorded, in milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// A failure, or a later outcome of one.
    pub kind: EntryKind,
    /// The bug's fingerprint.
    pub fingerprint: String,
    /// The issue title of the bug.
    pub title: String,
    /// The report's trace ID.
    pub trace_id: String,
    /// The version of the program that failed.
    pub app_version: String,
    /// What became of it.
    pub outcome: HistoryOutcome,
    /// The issue's web address, when there is one.
    pub issue_url: Option<String>,
    /// The diagnosis rule that recognises the failure, when one does.
    pub rule: Option<String>,
}

impl HistoryEntry {
    /// A failure recorded at `time_ms`; the other fields empty.
    pub fn new(time_ms: u64, kind: EntryKind, outcome: HistoryOutcome) -> HistoryEntry {
        HistoryEntry {
            time_ms,
            kind,
            fingerprint: String::new(),
            title: String::new(),
            trace_id: String::new(),
            app_version: String::new(),
            outcome,
            issue_url: None,
            rule: None,
        }
    }

    /// The line for the history file: one JSON object starting with [`LINE_START`], ending
    /// with a newline, each text field cut to a bound.
    pub(crate) fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(&Bounded(self)).unwrap_or_default();
        line.push(b'\n');
        line
    }

    /// The entry a line holds, or `None` for a line that is not one (torn, or not JSON).
    #[cfg(test)]
    pub(crate) fn from_line(line: &[u8]) -> Option<HistoryEntry> {
        EntryRef::from_line(line).map(EntryRef::into_owned)
    }
}

/// `text` cut to [`MAX_FIELD_CHARS`] characters.
fn bounded(text: &str) -> &str {
    match text.char_indices().nth(MAX_FIELD_CHARS) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}

/// An entry written with its fields cut to their bounds.
struct Bounded<'a>(&'a HistoryEntry);

impl serde_core::Serialize for Bounded<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = self.0;
        let mut out = serializer.serialize_map(None)?;
        // `v` first: it is how a reader finds the start of a record.
        out.serialize_entry("v", &1)?;
        out.serialize_entry("time_ms", &entry.time_ms)?;
        if entry.kind != EntryKind::Failure {
            out.serialize_entry("kind", entry.kind.as_str())?;
        }
        out.serialize_entry("fingerprint", bounded(&entry.fingerprint))?;
        out.serialize_entry("title", bounded(&entry.title))?;
        out.serialize_entry("trace_id", bounded(&entry.trace_id))?;
        out.serialize_entry("app_version", bounded(&entry.app_version))?;
        out.serialize_entry("outcome", entry.outcome.as_str())?;
        if let Some(url) = &entry.issue_url {
            out.serialize_entry("issue_url", bounded(url))?;
        }
        if let Some(rule) = &entry.rule {
            out.serialize_entry("rule", bounded(rule))?;
        }
        out.end()
    }
}

/// An entry read from a line, its text borrowed from the line where it holds no escape: `stats`
/// reads a hundred thousand of them and keeps few of their strings.
#[derive(Clone, Debug)]
pub(crate) struct EntryRef<'a> {
    pub(crate) time_ms: u64,
    pub(crate) kind: EntryKind,
    pub(crate) fingerprint: Cow<'a, str>,
    pub(crate) title: Cow<'a, str>,
    pub(crate) trace_id: Cow<'a, str>,
    pub(crate) app_version: Cow<'a, str>,
    pub(crate) outcome: HistoryOutcome,
    pub(crate) issue_url: Option<Cow<'a, str>>,
    pub(crate) rule: Option<Cow<'a, str>>,
}

impl<'a> EntryRef<'a> {
    /// The entry a line holds, or `None` for a line that is not one (torn, or not JSON).
    pub(crate) fn from_line(line: &'a [u8]) -> Option<EntryRef<'a>> {
        serde_json::from_slice(line).ok()
    }

    /// `entry`, borrowed.
    pub(crate) fn of(entry: &'a HistoryEntry) -> EntryRef<'a> {
        EntryRef {
            time_ms: entry.time_ms,
            kind: entry.kind,
            fingerprint: Cow::Borrowed(&entry.fingerprint),
            title: Cow::Borrowed(&entry.title),
            trace_id: Cow::Borrowed(&entry.trace_id),
            app_version: Cow::Borrowed(&entry.app_version),
            outcome: entry.outcome,
            issue_url: entry.issue_url.as_deref().map(Cow::Borrowed),
            rule: entry.rule.as_deref().map(Cow::Borrowed),
        }
    }

    /// The entry, owning its text.
    pub(crate) fn into_owned(self) -> HistoryEntry {
        HistoryEntry {
            time_ms: self.time_ms,
            kind: self.kind,
            fingerprint: self.fingerprint.into_owned(),
            title: self.title.into_owned(),
            trace_id: self.trace_id.into_owned(),
            app_version: self.app_version.into_owned(),
            outcome: self.outcome,
            issue_url: self.issue_url.map(Cow::into_owned),
            rule: self.rule.map(Cow::into_owned),
        }
    }
}

/// The fields of a line, read without building a `serde_json::Value` first.
enum Field {
    Version,
    Time,
    Kind,
    Fingerprint,
    Title,
    TraceId,
    AppVersion,
    Outcome,
    IssueUrl,
    Rule,
    Unknown,
}

impl<'de> serde_core::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "v" => Field::Version,
                    "time_ms" => Field::Time,
                    "kind" => Field::Kind,
                    "fingerprint" => Field::Fingerprint,
                    "title" => Field::Title,
                    "trace_id" => Field::TraceId,
                    "app_version" => Field::AppVersion,
                    "outcome" => Field::Outcome,
                    "issue_url" => Field::IssueUrl,
                    "rule" => Field::Rule,
                    // Fields a newer version adds are skipped.
                    _ => Field::Unknown,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

/// A string borrowed from the input when it can be.
struct Text<'a>(Cow<'a, str>);

impl<'de> serde_core::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_string())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// An outcome read by name without allocating.
struct OutcomeName(HistoryOutcome);

impl<'de> serde_core::Deserialize<'de> for OutcomeName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OutcomeVisitor;
        impl Visitor<'_> for OutcomeVisitor {
            type Value = OutcomeName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an outcome name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<OutcomeName, E> {
                Ok(OutcomeName(HistoryOutcome::from_name(name)))
            }
        }
        deserializer.deserialize_str(OutcomeVisitor)
    }
}

impl<'de> serde_core::Deserialize<'de> for EntryRef<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = EntryRef<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a history entry (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntryRef<'de>, A::Error> {
                let text = |t: Option<Text<'de>>| t.map(|t| t.0);
                let mut version = None;
                let mut time_ms = None;
                let mut outcome = None;
                let mut entry = EntryRef {
                    time_ms: 0,
                    kind: EntryKind::Failure,
                    fingerprint: Cow::Borrowed(""),
                    title: Cow::Borrowed(""),
                    trace_id: Cow::Borrowed(""),
                    app_version: Cow::Borrowed(""),
                    outcome: HistoryOutcome::Other,
                    issue_url: None,
                    rule: None,
                };
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Version => version = Some(map.next_value::<u64>()?),
                        Field::Time => time_ms = Some(map.next_value::<u64>()?),
                        Field::Kind => {
                            entry.kind = match &*map.next_value::<Text<'de>>()?.0 {
                                "update" => EntryKind::Update,
                                "rule" => EntryKind::Rule,
                                "failure" => EntryKind::Failure,
                                // A kind a newer version adds is not a failure to count.
                                _ => return Err(de::Error::custom("an unknown kind of entry")),
                            }
                        }
                        Field::Fingerprint => entry.fingerprint = map.next_value::<Text<'de>>()?.0,
                        Field::Title => entry.title = map.next_value::<Text<'de>>()?.0,
                        Field::TraceId => entry.trace_id = map.next_value::<Text<'de>>()?.0,
                        Field::AppVersion => entry.app_version = map.next_value::<Text<'de>>()?.0,
                        Field::Outcome => outcome = Some(map.next_value::<OutcomeName>()?.0),
                        Field::IssueUrl => entry.issue_url = text(map.next_value()?),
                        Field::Rule => entry.rule = text(map.next_value()?),
                        Field::Unknown => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                if version != Some(1) {
                    return Err(de::Error::custom("not a version 1 history entry"));
                }
                entry.time_ms = time_ms.ok_or_else(|| de::Error::missing_field("time_ms"))?;
                entry.outcome = outcome.ok_or_else(|| de::Error::missing_field("outcome"))?;
                Ok(entry)
            }
        }
        deserializer.deserialize_map(EntryVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> HistoryEntry {
        HistoryEntry {
            fingerprint: "0123456789abcdef".into(),
            title: "[auto-heal] io: \"quoted\" {\"v\":1, inside".into(),
            trace_id: "a".repeat(32),
            app_version: "0.1.0".into(),
            issue_url: Some("https://github.com/acme/tools/issues/7".into()),
            rule: Some("file-not-found".into()),
            ..HistoryEntry::new(
                1_700_000_000_123,
                EntryKind::Failure,
                HistoryOutcome::Reported,
            )
        }
    }

    #[test]
    fn a_line_reads_back_as_the_entry_it_was_written_from() {
        let entry = sample();
        let line = entry.to_line();
        assert!(line.starts_with(LINE_START));
        assert_eq!(line.last(), Some(&b'\n'));
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
        assert_eq!(HistoryEntry::from_line(&line), Some(entry.clone()));
        let update = HistoryEntry {
            kind: EntryKind::Update,
            issue_url: None,
            rule: None,
            ..entry
        };
        assert_eq!(
            HistoryEntry::from_line(&update.to_line()),
            Some(update.clone())
        );
        let rule = HistoryEntry {
            kind: EntryKind::Rule,
            rule: Some("file-not-found".into()),
            ..update
        };
        assert_eq!(HistoryEntry::from_line(&rule.to_line()), Some(rule));
    }

    #[test]
    fn the_record_start_never_occurs_inside_a_field() {
        let line = sample().to_line();
        let starts = line
            .windows(LINE_START.len())
            .filter(|w| *w == LINE_START)
            .count();
        assert_eq!(starts, 1);
    }

    #[test]
    fn long_fields_are_cut_so_a_line_stays_small() {
        let entry = HistoryEntry {
            title: "é".repeat(10_000),
            ..sample()
        };
        let line = entry.to_line();
        assert!(line.len() < 4096, "{}", line.len());
        let back = HistoryEntry::from_line(&line).unwrap();
        assert_eq!(back.title.chars().count(), MAX_FIELD_CHARS);
    }

    #[test]
    fn a_torn_line_and_a_line_of_another_format_are_not_entries() {
        let line = sample().to_line();
        assert_eq!(HistoryEntry::from_line(&line[..line.len() / 2]), None);
        assert_eq!(HistoryEntry::from_line(b"{\"v\":2,\"time_ms\":1}"), None);
        let unknown = br#"{"v":1,"time_ms":5,"outcome":"teleported","extra":[1,2]}"#;
        let entry = HistoryEntry::from_line(unknown).unwrap();
        assert_eq!(entry.outcome, HistoryOutcome::Other);
    }
}
