//! Adopting autoheal in one line: `autoheal::init!()` describes the program from Cargo (its
//! name, version and repository), loads its configuration from the environment and its file,
//! installs the panic hook and starts the background worker; `autoheal::layer()` adds the
//! recent log lines.
//!
//! With `GITHUB_TOKEN` set, a failure is filed as an issue in the package's GitHub repository
//! (Cargo.toml's `repository`), or in the one `<PREFIX>AUTO_HEAL_GITHUB_REPO` names; the
//! prefix comes from the package name (here `AUTOHEAL_WORKSPACE_`). Without a token the report
//! waits in the local queue, and the notice says what is missing:
//!
//! ```text
//! cargo run --example one_line_setup -- /no/such/settings.toml
//! ```

use std::process::ExitCode;

use tracing_subscriber::prelude::*;

/// Reads the settings file the program was given.
#[autoheal::auto_heal(name = "read settings")]
fn read_settings(path: &str) -> std::io::Result<String> {
    tracing::info!(path, "reading the settings");
    std::fs::read_to_string(path)
}

fn main() -> ExitCode {
    let guard = autoheal::init!();
    tracing_subscriber::registry()
        .with(autoheal::layer())
        .init();

    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "settings.toml".to_string());
    match read_settings(&path) {
        Ok(settings) => {
            println!("{} bytes of settings", settings.len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: could not read {path}: {error}");
            // Waits, bounded, for the report, then says where it went: the issue, or why it
            // waits in the queue and what to set.
            autoheal::notice::print_after_failure(guard.config());
            ExitCode::FAILURE
        }
    }
}
