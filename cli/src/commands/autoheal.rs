//! `ipfs-kit autoheal ...`: autoheal's own `enable | disable | status | config | queue |
//! flush`, and ipfs-kit's healing commands.

use anyhow::Result;
use autoheal::App;
use autoheal::config::Overrides;

use crate::args::AutohealCommand;

/// Run a configuration command.
pub fn run(
    app: &App,
    overrides: &Overrides,
    repo_flag: Option<&str>,
    command: &AutohealCommand,
) -> Result<()> {
    match command {
        AutohealCommand::Manage(command) => Ok(autoheal::commands::run(app, overrides, command)?),
        AutohealCommand::Diagnose(args) => super::diagnose::run(app, overrides, args),
        AutohealCommand::Fix(args) => super::fix::run(app, overrides, repo_flag, args),
        AutohealCommand::ReportLog(args) => super::report_log::run(app, overrides, args),
        AutohealCommand::Repair(args) => super::repair::run(args),
        // main runs it inside the capture; here it fails like any unreported error.
        AutohealCommand::Test(args) => super::self_test::run(args),
    }
}
