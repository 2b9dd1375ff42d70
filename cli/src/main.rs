//! `ipfs-kit`: IPFS tools that report their own failures.

mod args;
mod commands;
mod ipfs;
mod setup;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// Exit code of a command that failed.
const FAILED: u8 = 1;
/// Exit code of a command that panicked (as Rust's runtime uses).
const PANICKED: u8 = 101;
/// Exit code of a command given invalid input (as clap uses for usage errors).
const INVALID_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let app = setup::app();
    let overrides = match setup::overrides(&cli.global) {
        Ok(overrides) => overrides,
        Err(error) => return fail(&error.into()),
    };
    if let Command::Autoheal(command) = &cli.command
        && !command.is_captured()
    {
        // Managing the reporting itself: a mistake here is the user's to fix, not a bug to file.
        return match commands::autoheal::run(
            &app,
            &overrides,
            cli.global.github_repo.as_deref(),
            command,
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        };
    }
    let (config, enabled_by) = setup::config(&app, &overrides);
    setup::tracing();
    let _guard = autoheal::init(config.clone());
    // A panic is reported by autoheal's hook and printed as Rust prints it; the user then
    // hears where its report went, as for an error.
    match std::panic::catch_unwind(|| commands::run_captured(&cli.command)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("error: {}", setup::redactor().redact(&format!("{error:#}")));
            print_notice(&config, enabled_by);
            ExitCode::from(FAILED)
        }
        Err(_) => {
            print_notice(&config, enabled_by);
            ExitCode::from(PANICKED)
        }
    }
}

/// Tell the user, on stderr, what became of the failure's report. `enabled_by` names what
/// decided `enabled` when it was not the file or the default (`--no-auto-heal`,
/// `env IPFS_KIT_AUTO_HEAL`).
fn print_notice(config: &autoheal::Config, enabled_by: Option<String>) {
    autoheal::notice::Notice::new(config)
        .off_because(enabled_by)
        .print_after_failure();
}

/// Print an error of a configuration command and choose its exit code.
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", setup::redactor().redact(&format!("{error:#}")));
    match error.downcast_ref::<autoheal::Error>() {
        Some(autoheal::Error::InvalidConfig { .. }) => ExitCode::from(INVALID_INPUT),
        _ if error.is::<commands::diagnose::InvalidInput>() => ExitCode::from(INVALID_INPUT),
        _ => ExitCode::from(FAILED),
    }
}
