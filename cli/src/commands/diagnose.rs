//! `ipfs-kit autoheal diagnose`: the diagnosis of a failure, offline.

use anyhow::{Result, bail};
use autoheal::{App, Overrides};

use crate::args::DiagnoseArgs;

/// Print the diagnosis of a queued report, an issue body, or the last failure.
pub fn run(_app: &App, _overrides: &Overrides, _args: &DiagnoseArgs) -> Result<()> {
    bail!("`autoheal diagnose` is not available in this build")
}
