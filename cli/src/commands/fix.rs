//! `ipfs-kit autoheal fix`: answer an auto-heal issue on GitHub.

use anyhow::{Result, bail};
use autoheal::{App, Overrides};

use crate::args::FixArgs;

/// Diagnose issue `args.issue` and answer it.
pub fn run(
    _app: &App,
    _overrides: &Overrides,
    _repo_flag: Option<&str>,
    _args: &FixArgs,
) -> Result<()> {
    bail!("`autoheal fix` is not available in this build")
}
