//! What a notification says, and its three shapes: a Slack-compatible message, the JSON
//! webhook's body, and a plain-text mail.

use serde_json::{Value, json};

use super::settings::Event;
use crate::{Outcome, Redactor, Report};

/// One notification: a report's outcome on GitHub, told in a few fields, every text redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Notification {
    pub(crate) event: Event,
    /// The issue's title.
    pub(crate) title: String,
    /// The issue's web address.
    pub(crate) url: String,
    pub(crate) number: u64,
    pub(crate) trace_id: String,
    pub(crate) fingerprint: String,
    pub(crate) repository: Option<String>,
    pub(crate) app: String,
    pub(crate) app_version: String,
    pub(crate) error_type: String,
    /// The closed issue a regression reopens the bug of.
    pub(crate) regression_of: Option<u64>,
    /// The offline diagnosis's rule and one-line finding, when a rule recognises the failure
    /// (with the healing engine built in).
    pub(crate) diagnosis: Option<(String, String)>,
    pub(crate) timestamp: String,
}

impl Notification {
    /// The notification of `report`'s `outcome`, or `None` when the outcome is not one a
    /// notification tells of (queued, throttled...).
    pub(crate) fn of(
        report: &Report,
        outcome: &Outcome,
        regression_of: Option<u64>,
        repository: Option<&str>,
        redactor: &Redactor,
    ) -> Option<Notification> {
        let (event, url, number) = match outcome {
            Outcome::Reported { url, number } if regression_of.is_some() => {
                (Event::Regression, url, *number)
            }
            Outcome::Reported { url, number } => (Event::New, url, *number),
            Outcome::Recurred { url, number } => (Event::Recurrence, url, *number),
            _ => return None,
        };
        let clean = |text: &str| redactor.redact(text).into_owned();
        Some(Notification {
            event,
            title: clean(&crate::render_issue(report).title),
            url: clean(url),
            number,
            trace_id: clean(&report.trace_id),
            fingerprint: clean(&report.fingerprint),
            repository: repository.map(clean),
            app: clean(&report.system.app),
            app_version: clean(&report.system.app_version),
            error_type: clean(&report.error.type_name),
            regression_of,
            diagnosis: diagnosis_of(report).map(|(rule, title)| (clean(&rule), clean(&title))),
            timestamp: clean(&report.timestamp),
        })
    }

    /// The JSON webhook's body, which is also how the notification is kept on disk.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "event": self.event.name(),
            "title": self.title,
            "url": self.url,
            "number": self.number,
            "trace_id": self.trace_id,
            "fingerprint": self.fingerprint,
            "repository": self.repository,
            "app": self.app,
            "app_version": self.app_version,
            "error_type": self.error_type,
            "regression_of": self.regression_of,
            "diagnosis": self.diagnosis.as_ref().map(|(rule, title)| json!({"rule": rule, "title": title})),
            "timestamp": self.timestamp,
        })
    }

    /// Read back what [`Notification::to_json`] wrote.
    pub(crate) fn from_json(value: &Value) -> Option<Notification> {
        let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_string);
        let diagnosis = value.get("diagnosis").and_then(|d| {
            Some((
                d.get("rule")?.as_str()?.to_string(),
                d.get("title")?.as_str()?.to_string(),
            ))
        });
        Some(Notification {
            event: Event::from_name(value.get("event")?.as_str()?)?,
            title: text("title")?,
            url: text("url")?,
            number: value.get("number")?.as_u64()?,
            trace_id: text("trace_id")?,
            fingerprint: text("fingerprint").unwrap_or_default(),
            repository: text("repository"),
            app: text("app").unwrap_or_default(),
            app_version: text("app_version").unwrap_or_default(),
            error_type: text("error_type").unwrap_or_default(),
            regression_of: value.get("regression_of").and_then(Value::as_u64),
            diagnosis,
            timestamp: text("timestamp").unwrap_or_default(),
        })
    }

    /// `New issue #12`, `Regression #14 (of #9)`, `Recurrence on #12`.
    pub(crate) fn headline(&self) -> String {
        let number = self.number;
        match (self.event, self.regression_of) {
            (Event::Regression, Some(old)) => format!("Regression #{number} (of #{old})"),
            (Event::Regression, None) => format!("Regression #{number}"),
            (Event::Recurrence, _) => format!("Recurrence on #{number}"),
            _ => format!("New issue #{number}"),
        }
    }

    /// The mail's subject: `[app] New issue #12: title`.
    #[cfg_attr(not(feature = "email"), allow(dead_code))]
    pub(crate) fn subject(&self) -> String {
        let subject = format!("[{}] {}: {}", self.app, self.headline(), self.title);
        subject
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect()
    }

    /// The plain-text lines every shape carries.
    pub(crate) fn lines(&self) -> Vec<(&'static str, String)> {
        let mut lines = vec![
            ("Issue", self.url.clone()),
            ("Trace ID", self.trace_id.clone()),
            ("Error", self.error_type.clone()),
            ("App", format!("{} {}", self.app, self.app_version)),
        ];
        if let Some(repository) = &self.repository {
            lines.push(("Repository", repository.clone()));
        }
        if let Some((rule, title)) = &self.diagnosis {
            lines.push(("Diagnosis", format!("{rule}: {title}")));
        }
        lines
    }

    /// A message for a Slack-compatible incoming webhook: `text` (all a client needs) and one
    /// legacy attachment with the fields, which Slack, Discord's `/slack` endpoint and
    /// Mattermost all render.
    pub(crate) fn slack_json(&self) -> Value {
        let text = format!(
            "{}: <{}|{}>",
            slack_escape(&self.headline()),
            slack_escape(&self.url),
            slack_escape(&self.title)
        );
        let fields: Vec<Value> = self
            .lines()
            .into_iter()
            .filter(|(name, _)| *name != "Issue")
            .map(|(name, value)| {
                json!({"title": name, "value": slack_escape(&value), "short": name != "Diagnosis"})
            })
            .collect();
        let color = match self.event {
            Event::New => "#d73a49",
            Event::Regression => "#b60205",
            Event::Recurrence => "#fbca04",
        };
        json!({
            "text": text,
            "attachments": [{
                "fallback": text,
                "color": color,
                "title": slack_escape(&self.title),
                "title_link": self.url,
                "fields": fields,
            }],
        })
    }

    /// The mail's body, plain text.
    #[cfg_attr(not(feature = "email"), allow(dead_code))]
    pub(crate) fn mail_body(&self) -> String {
        let mut body = format!("{}: {}\n\n", self.headline(), self.title);
        for (name, value) in self.lines() {
            body.push_str(&format!("{name}: {value}\n"));
        }
        body.push_str("\nSent by autoheal when a failure reached GitHub.\n");
        body
    }
}

/// Slack's three reserved characters, escaped as its docs ask.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The offline diagnosis's rule and title, when a rule recognises the report: with the
/// healing engine only (`heal`); without it, notifications carry no diagnosis.
#[cfg(feature = "heal")]
fn diagnosis_of(report: &Report) -> Option<(String, String)> {
    let diagnosis = crate::fix::diagnose(report);
    diagnosis
        .is_recognised()
        .then_some((diagnosis.rule_id, diagnosis.title))
}

#[cfg(not(feature = "heal"))]
fn diagnosis_of(_report: &Report) -> Option<(String, String)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification() -> Notification {
        Notification {
            event: Event::Regression,
            title: "io::Error in load <settings> & more".to_string(),
            url: "https://github.com/acme/tool/issues/14".to_string(),
            number: 14,
            trace_id: "0123456789abcdef0123456789abcdef".to_string(),
            fingerprint: "abcdef0123456789".to_string(),
            repository: Some("acme/tool".to_string()),
            app: "tool".to_string(),
            app_version: "1.2.3".to_string(),
            error_type: "std::io::Error".to_string(),
            regression_of: Some(9),
            diagnosis: Some((
                "file-not-found".to_string(),
                "File not found: /etc/x".to_string(),
            )),
            timestamp: "2026-01-01T00:00:00Z".to_string(),
        }
    }

    #[test]
    fn a_notification_survives_its_json_form() {
        let n = notification();
        assert_eq!(Notification::from_json(&n.to_json()), Some(n.clone()));
        let without = Notification {
            diagnosis: None,
            repository: None,
            regression_of: None,
            ..n
        };
        assert_eq!(Notification::from_json(&without.to_json()), Some(without));
    }

    #[test]
    fn the_slack_message_escapes_what_slack_reserves() {
        let slack = notification().slack_json();
        let text = slack["text"].as_str().unwrap();
        assert_eq!(
            text,
            "Regression #14 (of #9): <https://github.com/acme/tool/issues/14|io::Error in load &lt;settings&gt; &amp; more>"
        );
        let fields = slack["attachments"][0]["fields"].as_array().unwrap();
        assert!(
            fields.iter().any(|f| f["title"] == "Diagnosis"
                && f["value"] == "file-not-found: File not found: /etc/x")
        );
        assert!(fields.iter().any(|f| f["title"] == "Trace ID"));
    }

    #[test]
    fn the_subject_has_no_line_breaks() {
        let n = Notification {
            title: "a\r\nBcc: x@y".to_string(),
            ..notification()
        };
        assert_eq!(n.subject(), "[tool] Regression #14 (of #9): aBcc: x@y");
    }
}
