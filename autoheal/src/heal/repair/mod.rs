//! Repairs computed by the Rust tools themselves: a failed CI job, classified by
//! [`job_log`](crate::job_log), repaired in a git working tree by `cargo fmt`,
//! `cargo clippy --fix` or `cargo fix`, never by edits of our own, and verified by re-running
//! the narrowest equivalent of the step that failed.
//!
//! A repair is kept only when the verification passes, the change touches only the files the
//! log names, and it stays under a size bound; otherwise it is dropped, the tree is put back
//! as it was, and the answer says what was tried and why it was dropped. Either outcome can be
//! written as a [`RepairBundle`] for a process that may write to the repository, which checks it
//! again ([`RepairBundle::check`]) before proposing it. Every tool runs
//! offline (`--offline`, `CARGO_NET_OFFLINE=true`), with a time bound, and builds into the
//! checkout's own `target` directory (or the one given).
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
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bundle;
mod bundle_check;
mod checkout;
mod plan;
mod run;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::job_log::JobFailure;

pub use bundle::{
    BUNDLE_FORMAT, BundleFailure, BundleFile, BundleOutcome, BundleRun, MAX_BUNDLE_BYTES,
    RepairBundle,
};
use checkout::{ChangedFile, Checkout};
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
    /// The command that repaired.
    pub repair: ToolRun,
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
/// [`RepairOutcome::Dropped`] the tree is as it was.
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
    let plan = match plan::plan(failure, &checkout) {
        Ok(plan) => plan,
        Err(reason) => return Ok(dropped(reason, Vec::new())),
    };
    let target_dir = options
        .target_dir
        .clone()
        .unwrap_or_else(|| checkout.root.join("target"));
    let cargo = |args: Vec<String>| Tool {
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
    let repair = cargo(plan.repair)
        .run(&checkout.root, options.tool_timeout)?
        .shortened();
    let changed = checkout.changed_files()?;
    if changed.is_empty() {
        let reason = match repair.passed {
            true => "the tool changed nothing: no machine-applicable fix".to_string(),
            false => format!("the tool failed and changed nothing: {}", repair.headline()),
        };
        return Ok(dropped(reason, vec![repair]));
    }
    let outside: Vec<&str> = changed
        .iter()
        .map(|f| f.path.as_str())
        .filter(|path| !may_change(path, &plan.files))
        .collect();
    if !outside.is_empty() {
        let reason = format!(
            "the tool changed files the log does not name: {}",
            outside.join(", ")
        );
        return revert(&checkout, &changed, reason, vec![repair]);
    }
    let changed_lines: usize = changed.iter().map(|f| f.lines).sum();
    if changed_lines > options.max_changed_lines {
        let reason = format!(
            "the change is too large: {changed_lines} lines changed, at most {} allowed",
            options.max_changed_lines
        );
        return revert(&checkout, &changed, reason, vec![repair]);
    }
    let verification = cargo(plan.verify)
        .run(&checkout.root, options.tool_timeout)?
        .shortened();
    if !verification.passed {
        let reason = format!(
            "the step still fails after the repair: {}",
            verification.headline()
        );
        return revert(&checkout, &changed, reason, vec![repair, verification]);
    }
    Ok(RepairOutcome::Repaired(Repaired {
        patch: checkout.patch()?,
        files: changed.into_iter().map(|f| f.path).collect(),
        changed_lines,
        repair,
        verification,
    }))
}

/// Whether a repair may change `path`: a Rust source outside the workflows, named by the log
/// when the log names files. Manifests, lock files and workflows are never changed.
fn may_change(path: &str, named: &[String]) -> bool {
    path.ends_with(".rs")
        && !path.starts_with(".github/")
        && (named.is_empty() || named.iter().any(|f| f == path))
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
