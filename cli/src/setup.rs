//! Start-up: the application's identity, its configuration, logging and autoheal.

use autoheal::{App, Config, Overrides};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

use crate::args::GlobalFlags;

/// ipfs-kit as autoheal knows it.
pub fn app() -> App {
    App::new("ipfs_kit", "IPFS_KIT_", env!("CARGO_PKG_VERSION"))
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

/// The configuration for this run. A broken configuration does not stop the command: it is
/// reported on stderr and the run goes on with auto-healing off.
pub fn config(app: &App, overrides: &Overrides) -> Config {
    match Config::load(app.clone(), overrides) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            loaded.config
        }
        Err(error) => {
            eprintln!(
                "warning: {error}; automatic error reporting is off for this run (fix it, or run `ipfs-kit autoheal enable` to start a new file)"
            );
            Config::for_app(app.clone())
        }
    }
}

/// Logs: warnings and errors on stderr (`RUST_LOG` changes that), recent lines kept for reports.
pub fn tracing() {
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")));
    let _ = tracing_subscriber::registry()
        .with(autoheal::layer())
        .with(stderr)
        .try_init();
}
