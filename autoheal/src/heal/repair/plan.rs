//! What to do for a classified failure: the cargo commands that repair it, the narrowest
//! command that shows the step passes again, and the files the repair may touch; or advice
//! when no change to the repository repairs it; or why nothing is tried.

mod dependency;
mod lock;
mod tools;

use crate::job_log::{FailureKind, JobFailure};

use super::advice::{self, Advice};
use super::checkout::Checkout;
use super::{RepairError, ToolRun};

/// Arguments to one `cargo` command.
pub(super) type CargoArgs = Vec<String>;

/// What [`plan`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Run the plan and verify it.
    Repair(Plan),
    /// Change nothing: what to do by hand.
    Advise(Advice),
    /// Try nothing, for this reason.
    Drop(String),
}

/// A repair to attempt.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    /// The repairing commands, as attempts in order: the commands of one attempt run one
    /// after the other, then the verification; a later attempt runs only when the earlier
    /// one changed nothing or did not make the verification pass, and adds to its change.
    pub(super) attempts: Vec<Vec<CargoArgs>>,
    /// The verifying command's arguments to `cargo`.
    pub(super) verify: CargoArgs,
    /// The files the repair may change.
    pub(super) may_change: MayChange,
}

/// The files a repair may change.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum MayChange {
    /// Rust sources outside `.github/`: only the ones the log names, any when it names none.
    Sources(Vec<String>),
    /// Only these files, relative to the root (a member's `Cargo.toml`, `Cargo.lock`).
    Only(Vec<String>),
}

impl MayChange {
    /// Whether the repair may change `path` (relative to the root).
    pub(super) fn allows(&self, path: &str) -> bool {
        match self {
            MayChange::Sources(named) => {
                path.ends_with(".rs")
                    && !path.starts_with(".github/")
                    && (named.is_empty() || named.iter().any(|f| f == path))
            }
            MayChange::Only(files) => files.iter().any(|f| f == path),
        }
    }

    /// What the allowed files are, for the reason a repair reaching others is dropped.
    pub(super) fn describe(&self) -> String {
        match self {
            MayChange::Sources(_) => "the log does not name".to_string(),
            MayChange::Only(files) => format!("other than {}", files.join(" and ")),
        }
    }
}

/// Runs `cargo` in the checkout with the given arguments for what it says, changing nothing
/// (`cargo add --dry-run`).
pub(super) type Probe<'a> = dyn FnMut(CargoArgs) -> Result<ToolRun, RepairError> + 'a;

/// The decision for `failure` in `checkout`.
///
/// The most specific first: a missing system library (which fails a build that no code
/// change repairs), a lock file `--locked` refuses, a crate a member does not declare, then
/// what rustfmt, clippy and rustc suggest.
///
/// # Errors
///
/// When a probe cannot be run.
pub(super) fn plan(
    failure: &JobFailure,
    checkout: &Checkout,
    probe: &mut Probe<'_>,
) -> Result<Decision, RepairError> {
    if let Some(advice) = advice::advice(failure) {
        return Ok(Decision::Advise(advice));
    }
    if failure.kind == FailureKind::Dependencies
        && let Some(plan) = lock::plan(failure)
    {
        return Ok(Decision::Repair(plan));
    }
    if failure.kind == FailureKind::Build
        && let Some(decision) = dependency::plan(failure, checkout, probe)?
    {
        return Ok(decision);
    }
    Ok(match tools::plan(failure, checkout) {
        Ok(plan) => Decision::Repair(plan),
        Err(reason) => Decision::Drop(reason),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_named_by_the_log_are_the_only_ones_a_tool_repair_may_change() {
        let named = MayChange::Sources(vec!["src/lib.rs".to_string()]);
        assert!(named.allows("src/lib.rs"));
        assert!(!named.allows("src/other.rs"));
        let any = MayChange::Sources(Vec::new());
        assert!(any.allows("core/src/lib.rs"));
        assert!(!any.allows("Cargo.lock"));
        assert!(!any.allows(".github/build.rs"));
        let only = MayChange::Only(vec!["app/Cargo.toml".to_string(), "Cargo.lock".to_string()]);
        assert!(only.allows("Cargo.lock") && only.allows("app/Cargo.toml"));
        assert!(!only.allows("Cargo.toml") && !only.allows("app/src/lib.rs"));
        assert_eq!(only.describe(), "other than app/Cargo.toml and Cargo.lock");
    }
}
