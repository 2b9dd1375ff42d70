//! A client for the Kubo RPC API (`POST /api/v0/...`).

use std::time::Duration;

use anyhow::{Context as _, Result, bail};

/// Bound on connecting to the daemon.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on a whole request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The peer ID of the daemon whose RPC API is at `api` (`http://127.0.0.1:5001`).
///
/// # Errors
///
/// When the daemon cannot be reached, answers with an error status, or with something that is
/// not an identity.
pub fn peer_id(api: &str) -> Result<String> {
    let url = format!("{}/api/v0/id", api.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .send_empty()
        .map_err(|error| unreachable_daemon(api, error))?;
    let status = response.status();
    let body = response
        .body_mut()
        .read_to_string()
        .with_context(|| format!("reading the answer of {url}"))?;
    if !status.is_success() {
        bail!(
            "the IPFS daemon at {api} answered {status}: {}",
            body.trim()
        );
    }
    let identity: serde_json::Value = serde_json::from_str(&body)
        .with_context(|| format!("the IPFS daemon at {api} did not answer with JSON"))?;
    match identity.get("ID").and_then(|id| id.as_str()) {
        Some(id) if !id.is_empty() => Ok(id.to_string()),
        _ => bail!("the IPFS daemon at {api} answered without a peer ID (no `ID` field)"),
    }
}

fn unreachable_daemon(api: &str, error: ureq::Error) -> anyhow::Error {
    let what = match &error {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "the IPFS daemon is not running at {api} (connection refused); start it with `ipfs daemon`, or pass --api URL"
        ),
        ureq::Error::Timeout(_) => format!("the IPFS daemon at {api} did not answer in time"),
        ureq::Error::HostNotFound => {
            format!("could not reach the IPFS daemon at {api}: the host name could not be resolved")
        }
        _ => {
            format!("could not reach the IPFS daemon at {api}; check the address given with --api")
        }
    };
    anyhow::Error::new(error).context(what)
}
