//! One module per command: each turns its arguments into library calls.

pub mod add;
pub mod autoheal;
pub mod diagnose;
pub mod fix;
pub mod id;
pub mod mcp;
pub mod repair;
pub mod report_log;
pub mod self_test;

use anyhow::Result;

use crate::args::{AutohealCommand, Command, McpCommand};

/// Run an IPFS command inside autoheal's capture: a failure anywhere in it is reported once.
#[::autoheal::auto_heal(name = "ipfs-kit")]
pub fn run_captured(command: &Command) -> Result<()> {
    match command {
        Command::Add(args) => add::run(args),
        Command::Id(args) => id::run(args),
        Command::Mcp(McpCommand::Start(args)) => mcp::start(args),
        Command::Autoheal(AutohealCommand::Test(args)) => self_test::run(args),
        // Configuration commands run outside the capture (see main).
        Command::Autoheal(_) => Ok(()),
    }
}
