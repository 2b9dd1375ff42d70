//! A clap command-line tool that reports its failures and offers autoheal's commands as its
//! own: `pinctl autoheal enable | disable | status | config | queue | flush`.
//!
//! ```text
//! cargo run --example pinctl -- read /no/such/pins.txt
//! cargo run --example pinctl -- autoheal status
//! ```
//!
//! Its variables are `PINCTL_...` (`PINCTL_AUTO_HEAL_GITHUB_REPO`, `PINCTL_AUTO_HEAL`), its
//! configuration `~/.pinctl/auto_heal_config.json`; the notices after a failure name
//! `pinctl autoheal flush`, never another program's command.

use std::process::ExitCode;

use autoheal::config::Overrides;
use clap::{Parser, Subcommand};
use tracing_subscriber::prelude::*;

/// pinctl: keeps a list of pins.
#[derive(Debug, Parser)]
#[command(name = "pinctl")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the pin list in a file.
    Read {
        /// The pin list.
        path: String,
    },
    /// Configure and inspect automatic error reporting.
    #[command(subcommand)]
    Autoheal(autoheal::commands::Command),
}

#[autoheal::auto_heal(name = "read pins")]
fn read_pins(path: &str) -> std::io::Result<Vec<String>> {
    tracing::info!(path, "reading the pin list");
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(str::to_string)
        .collect())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let setup = autoheal::setup!(
        name = "pinctl",
        command = "pinctl",
        manage_subcommand = "autoheal"
    );
    match cli.command {
        // Managing the reporting itself: a mistake here is the user's to fix, not a bug.
        Command::Autoheal(command) => {
            let result = setup
                .app()
                .and_then(|app| autoheal::commands::run(&app, &Overrides::new(), &command));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Read { path } => {
            let guard = setup.init();
            tracing_subscriber::registry()
                .with(autoheal::layer())
                .init();
            match read_pins(&path) {
                Ok(pins) => {
                    pins.iter().for_each(|pin| println!("{pin}"));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: could not read {path}: {error}");
                    autoheal::notice::print_after_failure(guard.config());
                    ExitCode::FAILURE
                }
            }
        }
    }
}
