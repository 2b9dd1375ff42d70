//! Every command-line type of `ipfs-kit`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// ipfs-kit: IPFS tools that report their own failures.
#[derive(Debug, Parser)]
#[command(name = "ipfs-kit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Settings for this run, above the environment and the configuration file.
    #[command(flatten)]
    pub global: GlobalFlags,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every command.
#[derive(Debug, Args)]
pub struct GlobalFlags {
    /// Report failures of this run as GitHub issues.
    #[arg(long, global = true, conflicts_with = "no_auto_heal")]
    pub auto_heal: bool,

    /// Do not report failures of this run.
    #[arg(long, global = true)]
    pub no_auto_heal: bool,

    /// The repository failures are reported to (OWNER/REPO); `autoheal enable` also saves it.
    #[arg(long, value_name = "OWNER/REPO", global = true)]
    pub github_repo: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a file: print its CIDv1 (raw leaves, sha2-256, base32).
    Add(AddArgs),
    /// Print the peer ID of a running IPFS daemon (Kubo RPC API).
    Id(IdArgs),
    /// The MCP server.
    #[command(subcommand)]
    Mcp(McpCommand),
    /// Configure and inspect automatic error reporting.
    #[command(subcommand)]
    Autoheal(AutohealCommand),
}

/// `ipfs-kit add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The file to add.
    pub file: PathBuf,
}

/// `ipfs-kit id`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The Kubo RPC API address.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:5001")]
    pub api: String,
}

/// `ipfs-kit mcp ...`.
#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Serve the MCP server's health endpoint until interrupted.
    Start(McpStartArgs),
}

/// `ipfs-kit mcp start`.
#[derive(Debug, Args)]
pub struct McpStartArgs {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8004)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
}

/// `ipfs-kit autoheal ...`.
#[derive(Debug, Subcommand)]
pub enum AutohealCommand {
    /// `enable`, `disable`, `status`, `config`, `queue`, `flush` and `stats`: autoheal's own.
    #[command(flatten)]
    Manage(autoheal::commands::Command),
    /// Diagnose a failure offline: a queued report, an issue body, or the last failure.
    Diagnose(DiagnoseArgs),
    /// Answer an auto-heal issue: a diagnosis comment, a draft pull request, or a hand-off.
    Fix(FixArgs),
    /// Turn a failed job's log (on standard input) into a report and file it.
    ReportLog(ReportLogArgs),
    /// Repair a failed job in a checkout with cargo's own tools, and verify the repair.
    Repair(RepairArgs),
    /// Fail on purpose and report it, to check that reports reach the repository.
    Test(TestArgs),
}

/// `ipfs-kit autoheal test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Panic instead of returning an error, to check the panic hook's report.
    #[arg(long)]
    pub panic: bool,
}

impl AutohealCommand {
    /// Whether the command runs inside the capture, as the IPFS commands do: only `test`,
    /// whose failure is the point. The others manage the reporting itself.
    pub fn is_captured(&self) -> bool {
        matches!(self, AutohealCommand::Test(_))
    }
}

/// `ipfs-kit autoheal diagnose`.
#[derive(Debug, Args)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("report").required(true).multiple(false)))]
pub struct DiagnoseArgs {
    /// The trace ID of a queued report (a unique prefix is enough).
    #[arg(group = "report")]
    pub trace_id: Option<String>,
    /// An issue body (markdown) to read the report from; `-` reads standard input.
    #[arg(long, value_name = "ISSUE_BODY.md", group = "report")]
    pub file: Option<std::path::PathBuf>,
    /// The last failure reported on this machine.
    #[arg(long, group = "report")]
    pub last: bool,
    /// Print the diagnosis as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `ipfs-kit autoheal fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// The issue to answer.
    #[arg(long, value_name = "N")]
    pub issue: u64,
    /// The repository of the issue (OWNER/REPO); defaults to the configured one.
    #[arg(long, value_name = "OWNER/REPO")]
    pub repo: Option<String>,
    /// Print every request it would make, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also open a draft pull request with the fix and a troubleshooting entry.
    #[arg(long)]
    pub create_pr: bool,
    /// Hand an unrecognised failure to the Copilot coding agent.
    #[arg(long)]
    pub copilot: bool,
    /// Who approved an outsider's issue (checked: they must be able to triage the repository).
    #[arg(long, value_name = "LOGIN")]
    pub approved_by: Option<String>,
    /// The SHA-256 (hex) of the issue body as approved; the issue is refused if its body
    /// changed since.
    #[arg(long, value_name = "HEX")]
    pub expect_body_sha256: Option<String>,
    /// A repair bundle (`ipfs-kit autoheal repair --bundle`): checked, then a verified repair
    /// is committed to the issue's branch with a draft pull request (implies --create-pr); a
    /// dropped one is explained in the comment.
    #[arg(long, value_name = "BUNDLE.json")]
    pub repair: Option<std::path::PathBuf>,
}

/// `ipfs-kit autoheal report-log`.
#[derive(Debug, Args)]
pub struct ReportLogArgs {
    /// What produced the log.
    #[arg(long, value_enum, default_value = "workflow")]
    pub kind: LogKind,
    /// The URL of the failed run, linked from the issue.
    #[arg(long, value_name = "URL")]
    pub run_url: Option<String>,
    /// The failed job's name; by default the one the log gives, if any.
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
}

/// `ipfs-kit autoheal repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// The failed job's log (`gh run view RUN_ID --log-failed > job.log`); `-` reads standard
    /// input.
    #[arg(long, value_name = "JOB.log")]
    pub log: std::path::PathBuf,
    /// The git working tree to repair, at the commit that failed, with no uncommitted change.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: std::path::PathBuf,
    /// Lines (added plus removed) the repair may change; a larger one is dropped.
    #[arg(long, value_name = "N", default_value_t = autoheal::repair::DEFAULT_MAX_CHANGED_LINES)]
    pub max_lines: usize,
    /// Also write the repair (or why it was dropped) to this file, for `ipfs-kit autoheal fix
    /// --repair`.
    #[arg(long, value_name = "OUT.json")]
    pub bundle: Option<std::path::PathBuf>,
    /// The id of the CI job whose log this is, recorded in the bundle.
    #[arg(long, value_name = "ID", requires = "bundle")]
    pub job_id: Option<u64>,
}

/// What produced a log given to `report-log`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogKind {
    /// A GitHub Actions job.
    Workflow,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn set_takes_a_key_and_a_value() {
        let cli = Cli::try_parse_from([
            "ipfs-kit",
            "autoheal",
            "config",
            "--set",
            "max_log_lines",
            "200",
        ])
        .unwrap();
        let Command::Autoheal(AutohealCommand::Manage(autoheal::commands::Command::Config(args))) =
            cli.command
        else {
            panic!("parsed {cli:?}")
        };
        assert_eq!(
            args.set.as_deref(),
            Some(&["max_log_lines".to_string(), "200".to_string()][..])
        );
        assert!(
            Cli::try_parse_from([
                "ipfs-kit", "autoheal", "config", "--get", "a", "--unset", "b"
            ])
            .is_err()
        );
    }
}
