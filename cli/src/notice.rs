//! What the user is told after a failed command: where its report went.

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
