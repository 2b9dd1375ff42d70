//! Repairs computed by the Rust tools themselves: a failed CI job, classified by
//! [`job_log`](crate::job_log), repaired in a git working tree by `cargo fmt`,
//! `cargo clippy --fix`, `cargo fix`, `cargo update` (a lock file `--locked` refuses) or
//! `cargo add` (a crate a member uses but does not declare, which the workspace already
//! depends on), never by edits of our own, and verified by re-running the narrowest
//! equivalent of the step that failed.
//!
//! A repair is kept only when the verification passes, the change touches only the files it
//! may (the Rust sources the log names; the lock file; the member's manifest), and it stays
//! under a size bound; otherwise it is dropped, the tree is put back as it was, and the answer
//! says what was tried and why it was dropped. A system library missing at build time is
//! answered with [`Advice`]: the package to install and the workflow line, since workflows
//! are never edited. Either outcome can be written as a [`RepairBundle`] for a process that
//! may write to the repository, which checks it again ([`RepairBundle::check`]) before
//! proposing it. Every tool runs offline (`--offline`, `CARGO_NET_OFFLINE=true`), with a time
//! bound, and builds into the checkout's own `target` directory (or the one given).
//!
//! ```no_run
//! use autoheal::job_log;
//! use autoheal::repair::{self, RepairOptions, RepairOutcome};
//!
//! let log = std::fs::read_to_string("job.log")?;
//! let failure = job_log::classify(&log);
//! match repair::repair(&failure, "checkout".as_ref(), &RepairOptions::default())? {
//!     RepairOutcome::Repaired(repaired) => print!("{}", repaired.patch),
//!     RepairOutcome::Dropped(dropped) => eprintln!("dropped: {}", dropped.reason),
//!     RepairOutcome::Advice(advice) => eprintln!("by hand: {}", advice.workflow_line),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod advice;
mod bundle;
mod bundle_check;
mod checkout;
mod plan;
mod run;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::job_log::JobFailure;

pub use advice::{Advice, MissingLibrary};
pub use bundle::{
    BUNDLE_FORMAT, BundleAdvice, BundleFailure, BundleFile, BundleLibrary, BundleOutcome,
    BundleRun, MAX_BUNDLE_BYTES, RepairBundle,
};
use checkout::{ChangedFile, Checkout};
use plan::{CargoArgs, Decision, MayChange};
use run::Tool;
pub use run::ToolRun;

/// Lines (added plus removed) a repair may change by default.
pub const DEFAULT_MAX_CHANGED_LINES: usize = 200;

/// Time allowed to each tool by default: a repair or a verification builds one package.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// How a repair runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RepairOptions {
    /// Lines (added plus removed) the repair may change; a larger change is dropped.
    pub max_changed_lines: usize,
    /// Time allowed to each tool; one that runs longer is stopped and the repair dropped.
    pub tool_timeout: Duration,
    /// Where cargo builds (`CARGO_TARGET_DIR`); by default the checkout's own `target`.
    pub target_dir: Option<PathBuf>,
}

impl Default for RepairOptions {
    fn default() -> Self {
        RepairOptions {
            max_changed_lines: DEFAULT_MAX_CHANGED_LINES,
            tool_timeout: DEFAULT_TOOL_TIMEOUT,
            target_dir: None,
        }
    }
}

impl RepairOptions {
    /// The options with another size bound.
    pub fn max_changed_lines(mut self, lines: usize) -> Self {
        self.max_changed_lines = lines;
        self
    }

    /// The options with another time bound per tool.
    pub fn tool_timeout(mut self, timeout: Duration) -> Self {
        self.tool_timeout = timeout;
        self
    }

    /// The options with another build directory.
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.target_dir = Some(dir.into());
        self
    }
}

/// What a repair came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepairOutcome {
    /// The tree is repaired and the step passes again: the change is left in the tree.
    Repaired(Repaired),
    /// No repair was kept: the tree is as it was.
    Dropped(Dropped),
    /// No change to the repository repairs the failure (a system library is missing where
    /// the job builds): nothing was run or changed, and this says what to do by hand.
    Advice(Advice),
}

/// A verified repair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repaired {
    /// The change, as `git diff` shows it (`git apply` takes it).
    pub patch: String,
    /// The files changed, relative to the checkout's root.
    pub files: Vec<String>,
    /// Lines added plus lines removed.
    pub changed_lines: usize,
    /// The command that repaired (the last one, when it took several).
    pub repair: ToolRun,
    /// What ran before it, in order: the earlier commands of the same repair (one `cargo add`
    /// per crate), or an attempt that did not suffice and its verification (a
    /// `cargo update --workspace` before `cargo update -p`).
    pub earlier: Vec<ToolRun>,
    /// The command that showed the step passes again, and its result.
    pub verification: ToolRun,
}

/// A repair not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// Why: no tool repairs this failure, the tool changed nothing, the step still fails,
    /// the change reached other files or was too large.
    pub reason: String,
    /// What was run, in order.
    pub tried: Vec<ToolRun>,
}

/// A repair that could not be attempted: the checkout is not fit for one, or a tool could not
/// be started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairError {
    message: String,
}

impl RepairError {
    fn new(message: String) -> Self {
        RepairError { message }
    }
}

impl fmt::Display for RepairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RepairError {}

/// Repair `failure` in the git working tree `dir` and verify it.
///
/// On [`RepairOutcome::Repaired`] the change is left in the tree (and given as a patch); on
/// [`RepairOutcome::Dropped`] and [`RepairOutcome::Advice`] the tree is as it was.
///
/// # Errors
///
/// When `dir` is not a git working tree, has uncommitted changes to tracked files, holds no
/// Cargo workspace, or a tool cannot be started.
pub fn repair(
    failure: &JobFailure,
    dir: &Path,
    options: &RepairOptions,
) -> Result<RepairOutcome, RepairError> {
    let checkout = Checkout::open(dir)?;
    let target_dir = options
        .target_dir
        .clone()
        .unwrap_or_else(|| checkout.root.join("target"));
    let run = |args: CargoArgs| -> Result<ToolRun, RepairError> {
        let tool = Tool {
            program: "cargo",
            args,
            env: vec![
                ("CARGO_NET_OFFLINE", "true".to_string()),
                ("CARGO_TERM_COLOR", "never".to_string()),
                (
                    "CARGO_TARGET_DIR",
                    target_dir.to_string_lossy().into_owned(),
                ),
            ],
        };
        Ok(tool.run(&checkout.root, options.tool_timeout)?.shortened())
    };
    let plan = match plan::plan(failure, &checkout, &mut |args| run(args))? {
        Decision::Repair(plan) => plan,
        Decision::Advise(advice) => return Ok(RepairOutcome::Advice(advice)),
        Decision::Drop(reason) => return Ok(dropped(reason, Vec::new())),
    };
    let mut tried: Vec<ToolRun> = Vec::new();
    let attempts = plan.attempts.len();
    for (index, attempt) in plan.attempts.into_iter().enumerate() {
        let last_attempt = index + 1 == attempts;
        for command in attempt {
            tried.push(run(command)?);
        }
        let changed = checkout.changed_files()?;
        if changed.is_empty() {
            if last_attempt {
                return Ok(dropped(unchanged_reason(&tried), tried));
            }
            continue;
        }
        if let Some(reason) = out_of_bounds(&changed, &plan.may_change, options) {
            return revert(&checkout, &changed, reason, tried);
        }
        let verification = run(plan.verify.clone())?;
        if verification.passed {
            let changed_lines: usize = changed.iter().map(|f| f.lines).sum();
            let repair = tried.pop().unwrap_or_else(|| verification.clone());
            return Ok(RepairOutcome::Repaired(Repaired {
                patch: checkout.patch()?,
                files: changed.into_iter().map(|f| f.path).collect(),
                changed_lines,
                repair,
                earlier: tried,
                verification,
            }));
        }
        let headline = verification.headline().to_string();
        tried.push(verification);
        if last_attempt {
            let reason = format!("the step still fails after the repair: {headline}");
            return revert(&checkout, &changed, reason, tried);
        }
    }
    Ok(dropped("the plan had nothing to run".to_string(), tried))
}

/// Why a repair that changed nothing is dropped: the tool found nothing to do, or failed.
fn unchanged_reason(tried: &[ToolRun]) -> String {
    match tried.iter().find(|run| !run.passed) {
        None => "the tool changed nothing: no machine-applicable fix".to_string(),
        Some(failed) => format!("the tool failed and changed nothing: {}", failed.headline()),
    }
}

/// Why a change may not be kept: it reached files it may not change, or is too large.
fn out_of_bounds(
    changed: &[ChangedFile],
    may_change: &MayChange,
    options: &RepairOptions,
) -> Option<String> {
    let outside: Vec<&str> = changed
        .iter()
        .map(|f| f.path.as_str())
        .filter(|path| !may_change.allows(path))
        .collect();
    if !outside.is_empty() {
        return Some(format!(
            "the tool changed files {}: {}",
            may_change.describe(),
            outside.join(", ")
        ));
    }
    let changed_lines: usize = changed.iter().map(|f| f.lines).sum();
    (changed_lines > options.max_changed_lines).then(|| {
        format!(
            "the change is too large: {changed_lines} lines changed, at most {} allowed",
            options.max_changed_lines
        )
    })
}

/// A dropped repair.
fn dropped(reason: String, tried: Vec<ToolRun>) -> RepairOutcome {
    RepairOutcome::Dropped(Dropped { reason, tried })
}

/// Put the changed files back and answer with a dropped repair.
fn revert(
    checkout: &Checkout,
    changed: &[ChangedFile],
    reason: String,
    tried: Vec<ToolRun>,
) -> Result<RepairOutcome, RepairError> {
    checkout.revert(changed)?;
    Ok(dropped(format!("{reason}; the change was reverted"), tried))
}
