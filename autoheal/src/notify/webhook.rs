//! Posting a notification's JSON to a webhook over ureq, bounded by the notification timeout,
//! without following redirects (a webhook that moved is set up again, not guessed).

use std::time::Duration;

/// POST `body` as JSON to `url` with `headers`. Any 2xx is success.
///
/// # Errors
///
/// What went wrong, without the URL (which is a secret): the status and the start of the
/// endpoint's answer, a timeout, or the connection's failure.
pub(crate) fn post_json(
    url: &str,
    body: &[u8],
    headers: &[(&str, String)],
    timeout: Duration,
    user_agent: &str,
) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(timeout))
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(user_agent)
        .build()
        .into();
    let mut request = agent.post(url).content_type("application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let mut reply = request.send(body).map_err(describe)?;
    let status = reply.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let answer = reply
        .body_mut()
        .with_config()
        .limit(4096)
        .read_to_string()
        .unwrap_or_default();
    let answer: String = answer
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    Err(match answer.trim().is_empty() {
        true => format!("the endpoint answered HTTP {status}"),
        false => format!("the endpoint answered HTTP {status}: {}", answer.trim()),
    })
}

/// A transport failure in words that name no URL.
fn describe(error: ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "no answer within the notification timeout".to_string(),
        ureq::Error::Io(e) => format!("connection failed: {}", e.kind()),
        ureq::Error::HostNotFound => "the host name was not found".to_string(),
        ureq::Error::ConnectionFailed => "the connection failed".to_string(),
        ureq::Error::BadUri(_) => "the webhook URL is not valid".to_string(),
        other => {
            let text = other.to_string();
            match text.contains("://") {
                true => "the request failed".to_string(),
                false => text,
            }
        }
    }
}
