//! A tokio service that reports the requests it fails: the same one-line setup, async
//! handlers annotated with `#[auto_heal]`, and a service that keeps serving while the
//! background worker files the report.
//!
//! ```text
//! cargo run --example tokio_service -- bafy1 not-a-cid bafy2
//! ```
//!
//! Each argument is one request; a request for something that is not a CIDv1 fails, and that
//! failure is reported (with `GITHUB_TOKEN` set, as an issue in the package's repository or the
//! one `<PREFIX>AUTO_HEAL_GITHUB_REPO` names).

use std::time::Duration;

use tracing_subscriber::prelude::*;

/// Fetches one block; fails for anything that is not a CIDv1.
#[autoheal::auto_heal(name = "fetch block")]
async fn fetch_block(cid: String) -> Result<Vec<u8>, std::io::Error> {
    tracing::info!(%cid, "fetching");
    tokio::time::sleep(Duration::from_millis(5)).await;
    if cid.starts_with("baf") {
        return Ok(cid.into_bytes());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{cid} is not a CIDv1"),
    ))
}

#[tokio::main]
async fn main() {
    let guard = autoheal::init!();
    tracing_subscriber::registry()
        .with(autoheal::layer())
        .init();

    let requests: Vec<String> = std::env::args().skip(1).collect();
    let handles: Vec<_> = requests
        .into_iter()
        .map(|cid| tokio::spawn(fetch_block(cid)))
        .collect();
    for handle in handles {
        match handle.await {
            Ok(Ok(block)) => println!("served {} bytes", block.len()),
            // The request fails; the service goes on. The report is already handed off.
            Ok(Err(error)) => println!("request failed: {error}"),
            Err(join_error) => println!("request panicked: {join_error}"),
        }
    }
    // At shutdown: wait, bounded, for the reports and say where they went.
    eprint!("{}", autoheal::notice::after_failure(guard.config()));
}
