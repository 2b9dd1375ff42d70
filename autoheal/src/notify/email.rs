//! Mailing a notification over SMTP with lettre (rustls): TLS from the first byte, STARTTLS
//! (required), or no encryption to a relay on this machine; the password from the environment
//! only.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport as _};

use super::message::Notification;
use super::settings::{NotifySettings, SMTP_PASSWORD_ENV, SmtpEndpoint, SmtpSecurity};

/// Send `notification` to `settings.email_to`.
///
/// # Errors
///
/// A setting that is missing or not valid, or what the server or the connection said.
pub(crate) fn send_mail(
    settings: &NotifySettings,
    notification: &Notification,
    timeout: Duration,
) -> Result<(), String> {
    let url = settings
        .smtp_url
        .as_deref()
        .ok_or("no SMTP server is set")?;
    let endpoint = SmtpEndpoint::parse(url)?;
    let from = settings
        .email_from
        .as_deref()
        .or(settings.email_to.first().map(String::as_str))
        .ok_or("no recipient is set")?;
    let mut message = Message::builder()
        .from(
            from.parse()
                .map_err(|e| format!("notify_email_from: {e}"))?,
        )
        .subject(notification.subject())
        .header(ContentType::TEXT_PLAIN);
    for to in &settings.email_to {
        message = message.to(to.parse().map_err(|e| format!("notify_email_to: {e}"))?);
    }
    let message = message
        .body(notification.mail_body())
        .map_err(|e| format!("the mail could not be built: {e}"))?;
    let builder = match endpoint.security {
        SmtpSecurity::Tls => SmtpTransport::relay(&endpoint.host),
        SmtpSecurity::StartTls => SmtpTransport::starttls_relay(&endpoint.host),
        SmtpSecurity::Plain => Ok(SmtpTransport::builder_dangerous(&endpoint.host)),
    }
    .map_err(|e| format!("the SMTP connection could not be set up: {e}"))?;
    let mut builder = builder.port(endpoint.port).timeout(Some(timeout));
    if let Some(user) = &endpoint.user {
        let password = settings.smtp_password.as_ref().ok_or_else(|| {
            format!(
                "the SMTP URL names the user `{user}` but no password is set (<PREFIX>{SMTP_PASSWORD_ENV})"
            )
        })?;
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose().to_string(),
        ));
    }
    builder
        .build()
        .send(&message)
        .map(|_| ())
        .map_err(|e| format!("SMTP: {e}"))
}
