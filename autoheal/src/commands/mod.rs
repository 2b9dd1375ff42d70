//! The commands that manage reporting, for a program's own command line: `enable`, `disable`,
//! `status`, `config`, `queue`, `flush`, `preview`, `report-link` and `stats`, as clap subcommands.
//!
//! Put [`Command`] in the program's clap CLI, under a subcommand of its own or flattened
//! among its commands, and say which on the [`App`] with
//! [`App::with_manage_subcommand`], so that the notices and these commands name it:
//!
//! ```no_run
//! use clap::{Parser, Subcommand};
//!
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(subcommand)]
//!     command: Cmd,
//! }
//!
//! #[derive(Subcommand)]
//! enum Cmd {
//!     /// Do the work.
//!     Run,
//!     /// Configure and inspect automatic error reporting.
//!     #[command(subcommand)]
//!     Autoheal(autoheal::commands::Command),
//! }
//!
//! fn main() -> Result<(), autoheal::Error> {
//!     let app = autoheal::App::new("pinctl", "PINCTL_", env!("CARGO_PKG_VERSION"))
//!         .with_command("pinctl")
//!         .with_manage_subcommand("autoheal");
//!     match Cli::parse().command {
//!         Cmd::Autoheal(command) => {
//!             autoheal::commands::run(&app, &autoheal::config::Overrides::new(), &command)
//!         }
//!         Cmd::Run => Ok(()),
//!     }
//! }
//! ```

mod report;
mod run;
mod stats;
#[cfg(feature = "github")]
mod stats_repo;

use clap::{Args, Subcommand};

use crate::App;

pub use run::run;

/// `enable | disable | status | config | queue | flush | preview | report-link | stats`.
#[derive(Clone, Debug, Subcommand)]
#[non_exhaustive]
pub enum Command {
    /// Turn automatic error reporting on (with --github-repo, also set the repository).
    Enable(EnableArgs),
    /// Turn automatic error reporting off.
    Disable,
    /// Show whether reporting is set up, and where each setting comes from.
    Status(StatusArgs),
    /// List, read or change the configuration.
    Config(ConfigArgs),
    /// List the reports waiting in the local queue (or clear it).
    Queue(QueueArgs),
    /// Send the queued reports to GitHub, oldest first.
    #[cfg(feature = "github")]
    Flush,
    /// Print exactly the title, labels and body a report sends.
    Preview(PreviewArgs),
    /// Print a link that opens GitHub's new-issue form prefilled with a report.
    ReportLink(ReportLinkArgs),
    /// Sum up the failures seen on this machine: which, how often, since when, in which version.
    Stats(StatsArgs),
}

/// Which report: `TRACE_ID` or `--last`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct WhichReport {
    /// The report's trace ID (or its first 8 or more hex digits), as the notice and `queue`
    /// show it.
    #[arg(required_unless_present = "last", value_name = "TRACE_ID")]
    pub trace_id: Option<String>,
    /// The last report made on this machine.
    #[arg(long, conflicts_with = "trace_id")]
    pub last: bool,
}

/// `preview`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct PreviewArgs {
    /// Which report.
    #[command(flatten)]
    pub which: WhichReport,
    /// Print the request's JSON object (`title`, `body`, `labels`) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `report-link`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct ReportLinkArgs {
    /// Which report.
    #[command(flatten)]
    pub which: WhichReport,
    /// Open the link in the browser (only when standard output is a terminal).
    #[arg(long)]
    pub open: bool,
}

/// `stats`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct StatsArgs {
    /// Only failures since then: a duration back from now (30m, 12h, 7d, 2w) or a UTC date
    /// (2026-11-01, 2026-11-01T08:00:00Z).
    #[arg(long, value_name = "DURATION|DATE")]
    pub since: Option<String>,
    /// Print one JSON object (every failure) instead of text.
    #[arg(long)]
    pub json: bool,
    /// How many failures the text lists, the most frequent first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Write the stats as one self-contained HTML page of charts and the top failures to FILE
    /// (viewable offline, printable) instead of printing them.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub html: Option<std::path::PathBuf>,
    /// Sum up the auto-heal issues and fix pull requests of a GitHub repository instead of
    /// this machine's history (OWNER/REPO; without a value, the configured one).
    #[cfg(feature = "github")]
    #[arg(long, value_name = "OWNER/REPO", num_args = 0..=1, default_missing_value = "")]
    pub repo: Option<String>,
    /// With --repo: the most issues read, the newest first.
    #[cfg(feature = "github")]
    #[arg(long, value_name = "N", default_value_t = crate::stats::repo::DEFAULT_MAX_ISSUES, requires = "repo")]
    pub max_issues: usize,
}

/// `enable`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct EnableArgs {
    /// The repository failures are reported to (OWNER/REPO), saved in the configuration file.
    #[arg(long, value_name = "OWNER/REPO")]
    pub github_repo: Option<String>,
}

/// `status`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct StatusArgs {
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `queue`.
#[derive(Clone, Debug, Args)]
#[non_exhaustive]
pub struct QueueArgs {
    /// What to do with the queue; without one, list it.
    #[command(subcommand)]
    pub action: Option<QueueAction>,
}

/// `queue ...`.
#[derive(Clone, Debug, Subcommand)]
#[non_exhaustive]
pub enum QueueAction {
    /// Delete every queued report, and the notifications every channel gave up on (asks
    /// first unless --yes).
    Clear {
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `config`.
#[derive(Clone, Debug, Args)]
#[group(multiple = false)]
#[non_exhaustive]
pub struct ConfigArgs {
    /// Print one key's value.
    #[arg(long, value_name = "KEY")]
    pub get: Option<String>,
    /// Set a key in the configuration file (lists are comma-separated).
    #[arg(long, num_args = 2, value_names = ["KEY", "VALUE"], allow_negative_numbers = true)]
    pub set: Option<Vec<String>>,
    /// Remove a key from the configuration file (back to its default).
    #[arg(long, value_name = "KEY")]
    pub unset: Option<String>,
}

/// How the commands name themselves in what they print: `pinctl autoheal`, or the program's
/// command when they sit among its own.
fn manage_command(app: &App) -> String {
    app.manage_command().unwrap_or_else(|| app.command())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Top,
    }

    #[derive(Debug, Subcommand)]
    enum Top {
        Work,
        #[command(subcommand)]
        Report(Command),
    }

    #[derive(Debug, Parser)]
    struct Flat {
        #[command(subcommand)]
        command: FlatTop,
    }

    #[derive(Debug, Subcommand)]
    enum FlatTop {
        Work,
        #[command(flatten)]
        Manage(Command),
    }

    #[test]
    fn the_commands_nest_under_a_subcommand_or_flatten_among_the_programs() {
        Cli::command().debug_assert();
        Flat::command().debug_assert();
        let cli =
            Cli::try_parse_from(["pinctl", "report", "config", "--set", "max_log_lines", "5"])
                .unwrap();
        let Top::Report(Command::Config(args)) = cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(args.set.unwrap(), ["max_log_lines", "5"]);
        let flat =
            Flat::try_parse_from(["pinctl", "enable", "--github-repo", "acme/pinctl"]).unwrap();
        let FlatTop::Manage(Command::Enable(args)) = flat.command else {
            panic!("{flat:?}")
        };
        assert_eq!(args.github_repo.as_deref(), Some("acme/pinctl"));
        assert!(
            Cli::try_parse_from(["pinctl", "report", "config", "--get", "a", "--unset", "b"])
                .is_err()
        );
    }
}
