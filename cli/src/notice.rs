//! What the user is told after a failed command: where its report went.

use std::time::Duration;

use autoheal::{Config, Outcome};

/// Print, on stderr, what became of the failure's report. `enabled_by` names what decided
/// `enabled` when it was not the file or the default (`--no-auto-heal`, `env IPFS_KIT_AUTO_HEAL`).
pub fn print_after_failure(config: &Config, enabled_by: Option<&str>) {
    if !config.enabled {
        let why = enabled_by.map(|by| format!(" ({by})")).unwrap_or_default();
        eprintln!(
            "note: automatic error reporting is off{why}; turn it on with `ipfs-kit autoheal enable --github-repo OWNER/REPO`"
        );
        return;
    }
    // The report is sent by autoheal's background worker: wait for it, as long as one
    // delivery may take (a few requests, each bounded by the timeout).
    autoheal::flush(Duration::from_secs(config.timeout_secs.max(1) * 4));
    let Some(delivery) = autoheal::last_delivery() else {
        return;
    };
    let trace_id = &delivery.trace_id;
    match &delivery.outcome {
        Outcome::Reported { url, .. } => {
            eprintln!("An error occurred and has been automatically reported.");
            eprintln!("  Issue:    {url}");
            eprintln!("  Trace ID: {trace_id}");
        }
        Outcome::Recurred { url, .. } => {
            eprintln!(
                "This error has been reported before; this occurrence was added to the existing issue."
            );
            eprintln!("  Issue:    {url}");
            eprintln!("  Trace ID: {trace_id}");
        }
        Outcome::Queued { path, reason } => {
            eprintln!("The error report was saved in the local queue: {reason}.");
            eprintln!("  Report:   {}", path.display());
            eprintln!("  Trace ID: {trace_id}");
            if config.is_configured() {
                eprintln!("  `ipfs-kit autoheal flush` sends it once GitHub can take it.");
            } else {
                eprintln!(
                    "  `ipfs-kit autoheal flush` sends it once a repository and GITHUB_TOKEN are set."
                );
            }
        }
        Outcome::Pending { path } => {
            eprintln!("The error report is still being sent; it waits in the local queue.");
            if let Some(path) = path {
                eprintln!("  Report:   {}", path.display());
            }
            eprintln!("  Trace ID: {trace_id}");
            eprintln!("  `ipfs-kit autoheal flush` sends it if this run could not.");
        }
        Outcome::Refused { path, reason } => {
            eprintln!("GitHub refused the error report: {reason}.");
            eprintln!("  Report:   {}", path.display());
            eprintln!("  Trace ID: {trace_id}");
            eprintln!(
                "  It stays in the local queue, marked, and is not sent again: `ipfs-kit autoheal queue` shows it, `ipfs-kit autoheal queue clear` removes it."
            );
        }
        Outcome::Throttled => eprintln!(
            "This error was reported moments ago; this occurrence was counted (trace ID {trace_id})."
        ),
        Outcome::Disabled => eprintln!("note: automatic error reporting is off"),
        Outcome::Failed { reason } => {
            eprintln!("The error could not be reported: {reason} (trace ID {trace_id}).")
        }
        other => eprintln!("Error report: {other} (trace ID {trace_id})."),
    }
}
