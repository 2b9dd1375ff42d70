//! The main demo: a small program fails, and autoheal captures the failure with its trace ID,
//! cause chain, recent log lines and backtrace, stores it in the local queue, and shows the
//! GitHub issue that would be filed.
//!
//! Runs with no GitHub token and no network:
//!
//! ```text
//! cargo run --example demo_auto_healing
//! ```
//!
//! The queue lives under `$AUTOHEAL_DEMO_CONFIG_DIR` (default `~/.autoheal_demo`).

use std::io;
use std::path::Path;

use anyhow::Context as _;
use autoheal::{App, Config, Outcome, Queue};
use tracing::{debug, info, info_span, warn};
use tracing_subscriber::prelude::*;

#[derive(Debug, thiserror::Error)]
enum PinListError {
    #[error("could not read the pin list {path}")]
    Unreadable {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Reads the list of pinned CIDs; fails because the file does not exist.
#[autoheal::auto_heal]
fn read_pin_list(path: &Path) -> Result<Vec<String>, PinListError> {
    debug!(path = %path.display(), "reading the pin list");
    let text = std::fs::read_to_string(path).map_err(|source| PinListError::Unreadable {
        path: path.display().to_string(),
        source,
    })?;
    Ok(text.lines().map(str::to_string).collect())
}

/// The operation a user ran: nested annotated functions report the failure once, here.
#[autoheal::auto_heal(name = "pin sync", labels("demo"))]
fn sync_pins(repo_dir: &Path) -> anyhow::Result<usize> {
    let _span = info_span!("sync", repo = %repo_dir.display()).entered();
    info!("starting pin sync");
    warn!(
        retries = 0,
        "remote pinning service not configured; using the local list"
    );
    let pins = read_pin_list(&repo_dir.join("pins.txt")).context("syncing pins failed")?;
    Ok(pins.len())
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::registry()
        .with(autoheal::layer())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(io::stderr)
                .with_filter(tracing_subscriber::filter::LevelFilter::WARN),
        )
        .init();

    // The defaults alone: `Config::for_app` reads neither GITHUB_TOKEN nor a file, so the demo
    // never files an issue, whatever the environment holds. A program that reports uses
    // `autoheal::init!()` (see examples/one_line_setup.rs).
    let mut config = Config::for_app(App::new(
        "autoheal_demo",
        "AUTOHEAL_DEMO_",
        env!("CARGO_PKG_VERSION"),
    ));
    config.enabled = true;
    let queue_dir = config.queue_dir();
    let _guard = autoheal::init(config);

    let repo_dir = std::env::temp_dir().join("autoheal-demo-repo-that-does-not-exist");
    let error = match sync_pins(&repo_dir) {
        Ok(count) => {
            println!("synced {count} pins");
            return Ok(());
        }
        Err(error) => error,
    };
    println!("The operation failed: {error:#}\n");

    // The report is finished and stored by autoheal's background worker: wait for it.
    autoheal::flush(std::time::Duration::from_secs(10));
    let delivery = autoheal::last_delivery().context("autoheal did not record the failure")?;
    println!("trace ID:    {}", delivery.trace_id);
    println!("fingerprint: {}", delivery.fingerprint);
    println!("outcome:     {}\n", delivery.outcome);
    let Outcome::Queued { path, .. } = &delivery.outcome else {
        anyhow::bail!(
            "expected the report in the local queue, got: {}",
            delivery.outcome
        );
    };
    let report = Queue::open(&queue_dir).read(path)?;
    let issue = autoheal::issue::render_issue(&report);
    println!("The issue that would be filed on GitHub:");
    println!("────────────────────────────────────────");
    println!("title:  {}", issue.title);
    println!("labels: {}", issue.labels.join(", "));
    println!();
    println!("{}", issue.body);
    println!("────────────────────────────────────────");
    println!(
        "{} report(s) wait in {}",
        Queue::open(&queue_dir).len(),
        queue_dir.display()
    );
    Ok(())
}
