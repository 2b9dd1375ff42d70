//! `ipfs-kit autoheal report-log`: a failed job's log filed as a report.

use anyhow::{Result, bail};
use autoheal::{App, Overrides};

use crate::args::ReportLogArgs;

/// Read a log from standard input, classify it, and file it.
pub fn run(_app: &App, _overrides: &Overrides, _args: &ReportLogArgs) -> Result<()> {
    bail!("`autoheal report-log` is not available in this build")
}
