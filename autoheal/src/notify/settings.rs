//! What is notified, and where to: the `notify_*` configuration keys and the two secrets read
//! from the environment only.

use std::fmt;

use crate::Token;

/// A report's outcome worth a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Event {
    /// A new issue was filed for a bug never seen before.
    New,
    /// A new issue was filed for a bug whose issue was closed: it came back.
    Regression,
    /// Another occurrence was added to the bug's open issue.
    Recurrence,
}

impl Event {
    /// Every event, in the order `notify_on` lists them.
    pub const ALL: [Event; 3] = [Event::New, Event::Regression, Event::Recurrence];

    /// The event's name in `notify_on` and in the JSON webhook's `event` field.
    pub fn name(self) -> &'static str {
        match self {
            Event::New => "new",
            Event::Regression => "regression",
            Event::Recurrence => "recurrence",
        }
    }

    /// The event called `name` (any case).
    pub fn from_name(name: &str) -> Option<Event> {
        Event::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A webhook address: its path is the secret that lets anyone post. `Debug` and `Display`
/// show the scheme and host alone (`https://hooks.slack.com/…`).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wrap a checked URL.
    pub fn new(url: impl Into<String>) -> Self {
        SecretUrl(url.into())
    }

    /// The whole URL, for the request and for redaction only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL as `status` and `config` show it: the scheme and host, then `…`.
    pub fn masked(&self) -> String {
        mask_url(&self.0)
    }
}

/// `https://hooks.slack.com/…`: a URL without its path, query or user.
pub(crate) fn mask_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}/…")
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({})", self.masked())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Where notifications go and when. Set through the `notify_*` keys (file, environment,
/// `config --set`, or field by field); the webhook secret and the SMTP password come from the
/// environment only ([`WEBHOOK_SECRET_ENV`], [`SMTP_PASSWORD_ENV`] after the program's prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotifySettings {
    /// The outcomes that are notified (`new` and `regression` by default).
    pub on: Vec<Event>,
    /// A Slack-compatible incoming webhook (Slack, Discord's `/slack` endpoint, Mattermost).
    pub slack_webhook: Option<SecretUrl>,
    /// A generic JSON webhook.
    pub webhook_url: Option<SecretUrl>,
    /// The key the JSON webhook's body is signed with (HMAC-SHA256), from the environment.
    pub webhook_secret: Option<Token>,
    /// Who is mailed.
    pub email_to: Vec<String>,
    /// Who the mail is from (by default the first recipient).
    pub email_from: Option<String>,
    /// The SMTP server: `smtps://[user@]host[:port]` (TLS), `smtp://[user@]host[:port]`
    /// (STARTTLS, required) or `smtp+plain://[user@]host[:port]` (no encryption, loopback only).
    pub smtp_url: Option<String>,
    /// The SMTP password, from the environment only.
    pub smtp_password: Option<Token>,
    /// Bound, in seconds, on connecting to and on each exchange with a notification endpoint.
    pub timeout_secs: u64,
    /// Attempts per notification and channel before it is given up (and kept, for `queue`).
    pub max_attempts: u32,
}

/// The variable, after the program's prefix, holding the JSON webhook's signing secret.
pub const WEBHOOK_SECRET_ENV: &str = "AUTO_HEAL_NOTIFY_WEBHOOK_SECRET";

/// The variable, after the program's prefix, holding the SMTP password.
pub const SMTP_PASSWORD_ENV: &str = "AUTO_HEAL_NOTIFY_SMTP_PASSWORD";

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            on: vec![Event::New, Event::Regression],
            slack_webhook: None,
            webhook_url: None,
            webhook_secret: None,
            email_to: Vec::new(),
            email_from: None,
            smtp_url: None,
            smtp_password: None,
            timeout_secs: 5,
            max_attempts: 5,
        }
    }
}

/// One way a notification goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Channel {
    Slack,
    Webhook,
    Email,
}

impl Channel {
    pub(crate) const ALL: [Channel; 3] = [Channel::Slack, Channel::Webhook, Channel::Email];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Channel::Slack => "slack",
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl NotifySettings {
    /// Whether `event` is notified at all (some channel is set and `notify_on` names it).
    pub fn wants(&self, event: Event) -> bool {
        self.on.contains(&event) && !self.channels().is_empty()
    }

    /// The channels that are set up.
    pub(crate) fn channels(&self) -> Vec<Channel> {
        let mut channels = Vec::new();
        if self.slack_webhook.is_some() {
            channels.push(Channel::Slack);
        }
        if self.webhook_url.is_some() {
            channels.push(Channel::Webhook);
        }
        if !self.email_to.is_empty() && self.smtp_url.is_some() {
            channels.push(Channel::Email);
        }
        channels
    }

    /// The channel names, for `status`: `slack, webhook`, or `none`.
    pub fn describe_channels(&self) -> String {
        let names: Vec<&str> = self.channels().into_iter().map(Channel::name).collect();
        match names.is_empty() {
            true => "none".to_string(),
            false => names.join(", "),
        }
    }

    /// Values that must never leave the machine: the webhook URLs, the signing secret, the
    /// SMTP password.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let urls = [&self.slack_webhook, &self.webhook_url]
            .into_iter()
            .flatten()
            .map(|u| u.expose().to_string());
        let tokens = [&self.webhook_secret, &self.smtp_password]
            .into_iter()
            .flatten()
            .map(|t| t.expose().to_string());
        urls.chain(tokens).collect()
    }

    /// What is set up halfway, in sentences for `status`.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.email_to.is_empty() && self.smtp_url.is_none() {
            warnings.push(
                "notify_email_to is set but notify_smtp_url is not: no mail is sent".to_string(),
            );
        }
        if self.smtp_url.is_some() && self.email_to.is_empty() {
            warnings.push(
                "notify_smtp_url is set but notify_email_to is not: no mail is sent".to_string(),
            );
        }
        if !cfg!(feature = "email") && self.channels().contains(&Channel::Email) {
            warnings.push("email notifications are set up but this program was built without autoheal's `email` feature: they wait, unsent".to_string());
        }
        if !cfg!(feature = "github") && self.channels().iter().any(|c| *c != Channel::Email) {
            warnings.push("webhook notifications are set up but this program was built without autoheal's `github` feature: they wait, unsent".to_string());
        }
        warnings
    }
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SmtpSecurity {
    /// TLS from the first byte (`smtps://`, port 465).
    Tls,
    /// Plain text upgraded with STARTTLS, which the server must offer (`smtp://`, port 587).
    StartTls,
    /// No encryption at all (`smtp+plain://`, port 25): for a relay on this machine only.
    Plain,
}

/// A parsed `notify_smtp_url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SmtpEndpoint {
    pub(crate) security: SmtpSecurity,
    pub(crate) user: Option<String>,
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl SmtpEndpoint {
    /// Parse `smtps://`, `smtp://` or `smtp+plain://` `[user@]host[:port]`.
    pub(crate) fn parse(text: &str) -> Result<SmtpEndpoint, String> {
        let text = text.trim();
        let (security, port, rest) = if let Some(rest) = text.strip_prefix("smtps://") {
            (SmtpSecurity::Tls, 465, rest)
        } else if let Some(rest) = text.strip_prefix("smtp://") {
            (SmtpSecurity::StartTls, 587, rest)
        } else if let Some(rest) = text.strip_prefix("smtp+plain://") {
            (SmtpSecurity::Plain, 25, rest)
        } else {
            return Err(format!(
                "`{}` is not an SMTP URL; use smtps://[user@]host[:port] (TLS), smtp://[user@]host[:port] (STARTTLS) or smtp+plain://host[:port] (loopback only)",
                mask_url(text)
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (user, address) = match rest.rsplit_once('@') {
            Some((user, address)) => (Some(user), address),
            None => (None, rest),
        };
        if user.is_some_and(|u| u.contains(':')) {
            return Err(format!(
                "the SMTP URL must not hold a password (it would be stored in the file); set the environment variable <PREFIX>{SMTP_PASSWORD_ENV} instead"
            ));
        }
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || address.starts_with('[') => {
                let port = port
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{port}` is not a port number (1 to 65535)"))?;
                (host, port)
            }
            _ => (address, port),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
            return Err(format!(
                "the SMTP URL `{}` has no valid host",
                mask_url(text)
            ));
        }
        if security == SmtpSecurity::Plain && !is_loopback(host) {
            return Err(format!(
                "smtp+plain:// sends mail and password unencrypted: it is allowed to this machine only (localhost, 127.0.0.1, ::1), not `{host}`; use smtps:// or smtp:// (STARTTLS)"
            ));
        }
        Ok(SmtpEndpoint {
            security,
            user: user.filter(|u| !u.is_empty()).map(str::to_string),
            host: host.to_string(),
            port,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A plain e-mail address: `name@domain`, no spaces or angle brackets.
pub(crate) fn check_email(text: &str) -> Result<(), String> {
    let (local, domain) = text.rsplit_once('@').unwrap_or_default();
    if local.is_empty()
        || domain.is_empty()
        || text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
    {
        return Err(format!(
            "`{text}` is not an e-mail address; use the form name@example.com"
        ));
    }
    Ok(())
}

/// `notify_on`: event names, or `all`.
pub(crate) fn parse_events(names: &[&str]) -> Result<Vec<Event>, String> {
    let mut events = Vec::new();
    for name in names {
        let found = match name.trim().to_ascii_lowercase().as_str() {
            "all" => Event::ALL.to_vec(),
            other => vec![Event::from_name(other).ok_or_else(|| {
                format!("`{name}` is not an event; use new, regression, recurrence or all")
            })?],
        };
        for event in found {
            if !events.contains(&event) {
                events.push(event);
            }
        }
    }
    if events.is_empty() {
        return Err("name at least one event (new, regression, recurrence or all); to send no notifications, unset the channels".to_string());
    }
    events.sort();
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_shows_its_host_alone() {
        let url = SecretUrl::new("https://hooks.slack.com/services/T000/B000/XXXXSECRET");
        assert_eq!(url.to_string(), "https://hooks.slack.com/…");
        assert!(!format!("{url:?}").contains("XXXXSECRET"));
        assert_eq!(
            mask_url("http://user:pw@127.0.0.1:9/x?y"),
            "http://127.0.0.1:9/…"
        );
    }

    #[test]
    fn smtp_urls() {
        let tls = SmtpEndpoint::parse("smtps://alerts@mail.example.com").unwrap();
        assert_eq!(
            (
                tls.security,
                tls.user.as_deref(),
                tls.host.as_str(),
                tls.port
            ),
            (SmtpSecurity::Tls, Some("alerts"), "mail.example.com", 465)
        );
        let starttls = SmtpEndpoint::parse("smtp://mail.example.com:2525").unwrap();
        assert_eq!(
            (starttls.security, starttls.port),
            (SmtpSecurity::StartTls, 2525)
        );
        let plain = SmtpEndpoint::parse("smtp+plain://127.0.0.1:2525").unwrap();
        assert_eq!((plain.security, plain.user), (SmtpSecurity::Plain, None));
        let with_password =
            SmtpEndpoint::parse("smtps://me:hunter22@mail.example.com").unwrap_err();
        assert!(
            with_password.contains("must not hold a password")
                && !with_password.contains("hunter22"),
            "{with_password}"
        );
        assert!(
            SmtpEndpoint::parse("smtp+plain://mail.example.com")
                .unwrap_err()
                .contains("this machine only")
        );
        assert!(SmtpEndpoint::parse("https://mail.example.com").is_err());
        assert!(SmtpEndpoint::parse("smtp://host:0").is_err());
        assert!(SmtpEndpoint::parse("smtps://").is_err());
    }

    #[test]
    fn notify_on_names_events_or_all() {
        assert_eq!(
            parse_events(&["new", "regression"]).unwrap(),
            vec![Event::New, Event::Regression]
        );
        assert_eq!(parse_events(&["ALL"]).unwrap(), Event::ALL.to_vec());
        assert!(
            parse_events(&["news"])
                .unwrap_err()
                .contains("`news` is not an event")
        );
        assert!(parse_events(&[]).is_err());
    }

    #[test]
    fn email_addresses() {
        assert!(check_email("ops@example.com").is_ok());
        for bad in [
            "ops",
            "@example.com",
            "ops@",
            "a b@example.com",
            "<ops@example.com>",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
