//! `ipfs-kit autoheal test`: a failure on purpose, reported like any other, so that a user can
//! see a report reach the repository (or learn why it does not) before a real one has to.

use anyhow::{Result, bail};

use crate::args::TestArgs;

/// What the test failure says, in its error message or panic message.
pub const TEST_FAILURE: &str =
    "test failure from `ipfs-kit autoheal test`: automatic error reporting works";

/// Fail as asked: return an error, or panic.
#[::autoheal::auto_heal(name = "autoheal test")]
pub fn run(args: &TestArgs) -> Result<()> {
    if args.panic {
        panic!("{TEST_FAILURE}");
    }
    bail!("{TEST_FAILURE}")
}
