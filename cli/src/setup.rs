//! Start-up: the application's identity, its configuration, logging and autoheal.

use autoheal::config::{Overrides, Source};
use autoheal::{App, Config};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

use crate::args::GlobalFlags;

/// ipfs-kit as autoheal knows it.
pub fn app() -> App {
    App::new("ipfs_kit", "IPFS_KIT_", env!("CARGO_PKG_VERSION"))
        .with_command("ipfs-kit")
        .with_manage_subcommand("autoheal")
}

/// The command-line flags as configuration overrides.
///
/// # Errors
///
/// When `--github-repo` is not a valid repository.
pub fn overrides(flags: &GlobalFlags) -> autoheal::Result<Overrides> {
    let mut overrides = Overrides::new();
    if flags.auto_heal {
        overrides.set("enabled", "true")?;
    }
    if flags.no_auto_heal {
        overrides.set("enabled", "false")?;
    }
    if let Some(repo) = &flags.github_repo {
        overrides.set("github_repo", repo)?;
    }
    Ok(overrides)
}

/// The configuration for this run, and what decided `enabled` when it was not the file or the
/// default (`--no-auto-heal`, `env IPFS_KIT_AUTO_HEAL`, a configuration error).
///
/// A broken configuration does not stop the command: it is reported on stderr and the run goes
/// on with auto-healing off.
pub fn config(app: &App, overrides: &Overrides) -> (Config, Option<String>) {
    match Config::load(app.clone(), overrides) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            let decided_by = match loaded.sources.get("enabled") {
                Some(Source::Flag) if loaded.config.enabled => Some("--auto-heal".to_string()),
                Some(Source::Flag) => Some("--no-auto-heal".to_string()),
                Some(Source::Env) => Some(loaded.origin("enabled")),
                _ => None,
            };
            (loaded.config, decided_by)
        }
        Err(error) => {
            let hint = match &error {
                autoheal::Error::MalformedConfig { .. } => {
                    "fix the file, or run `ipfs-kit autoheal enable` to keep it as a backup and start a new one"
                }
                _ => "fix the value named above",
            };
            eprintln!("warning: {error}; automatic error reporting is off for this run ({hint})");
            (
                Config::for_app(app.clone()),
                Some("configuration error".to_string()),
            )
        }
    }
}

/// What hides secrets in everything ipfs-kit prints: their known shapes, and the values of the
/// environment's secret-named variables (the GitHub token among them). Made once a process.
pub fn redactor() -> &'static autoheal::redact::Redactor {
    static REDACTOR: std::sync::OnceLock<autoheal::redact::Redactor> = std::sync::OnceLock::new();
    REDACTOR.get_or_init(|| autoheal::redact::Redactor::default().with_env_secrets())
}

/// Logs: warnings and errors on stderr (`RUST_LOG` changes that), redacted; recent lines kept
/// for reports.
pub fn tracing() {
    let stderr = fmt::layer()
        .with_writer(autoheal::redact::RedactedWriter::new(
            std::io::stderr,
            redactor().clone(),
        ))
        .with_target(false)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")));
    let _ = tracing_subscriber::registry()
        .with(autoheal::layer())
        .with(stderr)
        .try_init();
}
