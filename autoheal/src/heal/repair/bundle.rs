//! A repair as a file: what the job that may only read hands to the job that writes.
//!
//! The repair runs where nothing can be written to the repository (a CI job with read
//! permissions, a maintainer's checkout); its result travels as a [`RepairBundle`], a JSON
//! file holding the base commit, the failure, the commands run and their results, the diff
//! and the changed files' new contents. The writing side never trusts it: it checks every
//! path, re-counts the diff and compares the contents with it
//! ([`RepairBundle::check`](super::RepairBundle::check)) before anything reaches GitHub.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::run::Tool;
use super::{RepairError, RepairOutcome, ToolRun};
use crate::job_log::JobFailure;

/// The bundle format this version writes and reads.
pub const BUNDLE_FORMAT: u32 = 1;

/// The largest bundle file read: a repair is at most a few hundred lines, its files' contents
/// included.
pub const MAX_BUNDLE_BYTES: u64 = 8 * 1024 * 1024;

/// A repair (or a repair that was dropped), as written by `ipfs-kit autoheal repair --bundle`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RepairBundle {
    /// [`BUNDLE_FORMAT`].
    pub format: u32,
    /// The commit the repair was made on (`git rev-parse HEAD` of the checkout).
    pub base_commit: String,
    /// The CI job whose log was repaired, when the caller named it: how the workflow matches
    /// a bundle with the issue filed for the same job.
    #[serde(default)]
    pub job_id: Option<u64>,
    /// The failure, as the log was classified.
    pub failure: BundleFailure,
    /// `repaired` or `dropped`.
    pub outcome: BundleOutcome,
    /// Why the repair was dropped (dropped bundles only).
    #[serde(default)]
    pub dropped_reason: Option<String>,
    /// The command that repaired (repaired bundles only).
    #[serde(default)]
    pub repair: Option<BundleRun>,
    /// The command that showed the step passes again, and its result (repaired bundles only).
    #[serde(default)]
    pub verification: Option<BundleRun>,
    /// What was run, in order (dropped bundles).
    #[serde(default)]
    pub tried: Vec<BundleRun>,
    /// The change, as `git diff` shows it; empty when dropped.
    #[serde(default)]
    pub diff: String,
    /// The changed files with their new contents; empty when dropped.
    #[serde(default)]
    pub files: Vec<BundleFile>,
    /// What to install, when no change to the code repairs the failure (advice bundles only).
    #[serde(default)]
    pub advice: Option<BundleAdvice>,
    /// Lines the diff adds.
    #[serde(default)]
    pub lines_added: usize,
    /// Lines the diff removes.
    #[serde(default)]
    pub lines_removed: usize,
}

/// What a bundle came to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BundleOutcome {
    /// Verified: the diff repairs the step.
    Repaired,
    /// Not kept: [`RepairBundle::dropped_reason`] says why.
    #[default]
    Dropped,
    /// No change to the code repairs it: [`RepairBundle::advice`] names the system package to
    /// install and the workflow line that installs it.
    Advice,
}

/// A system library missing where the job builds, as a bundle carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BundleAdvice {
    /// The missing libraries and their packages, in the order the log names them.
    pub libraries: Vec<BundleLibrary>,
    /// The command to add in a workflow step before the build
    /// (`sudo apt-get install -y libssl-dev`).
    pub workflow_line: String,
}

/// One missing system library and the Debian/Ubuntu package that provides it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BundleLibrary {
    /// The name the linker or pkg-config gave (`ssl`, `openssl`).
    pub library: String,
    /// The development package (`libssl-dev`).
    pub package: String,
    /// Whether the package is the usual `lib<name>-dev` guess rather than a known one.
    #[serde(default)]
    pub guessed: bool,
}

impl BundleAdvice {
    /// The workflow line that installs `libraries`' packages, each once: what a bundle's
    /// `workflow_line` must be.
    pub fn workflow_line_of(libraries: &[BundleLibrary]) -> String {
        super::advice::install_line(libraries.iter().map(|l| l.package.as_str()))
    }
}

/// The failure a bundle repairs, as the log was classified.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BundleFailure {
    /// Its kind (`cargo fmt`, `cargo clippy`, `cargo build`, ...).
    pub kind: String,
    /// Its first error.
    pub message: String,
    /// The step that failed, when the log shows it (`Run cargo fmt --check`).
    #[serde(default)]
    pub step: Option<String>,
    /// The job's name, when the log gives it.
    #[serde(default)]
    pub job: Option<String>,
}

/// One command run by the repair.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BundleRun {
    /// The command line, as typed in the checkout.
    pub command: String,
    /// Whether it passed within its time bound.
    pub passed: bool,
    /// Whether it was stopped for running too long.
    #[serde(default)]
    pub timed_out: bool,
    /// The end of its output.
    #[serde(default)]
    pub output_tail: String,
    /// How long it ran, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// A changed file and its contents after the repair.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BundleFile {
    /// Its path relative to the repository's root (`/` separated).
    pub path: String,
    /// Its whole text after the repair.
    pub content: String,
}

impl BundleRun {
    fn of(run: &ToolRun) -> BundleRun {
        BundleRun {
            command: run.command.clone(),
            passed: run.passed,
            timed_out: run.timed_out,
            output_tail: run.output.clone(),
            elapsed_ms: u64::try_from(run.elapsed.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// The first line of its output that looks like an error, or its last line.
    pub fn headline(&self) -> &str {
        let lines = || {
            self.output_tail
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
        };
        lines()
            .find(|l| l.starts_with("error"))
            .or_else(|| lines().next_back())
            .unwrap_or("no output")
    }
}

impl RepairBundle {
    /// The bundle of `outcome`, a repair of `failure` in the git working tree `dir` (a repaired
    /// one must still be in the tree: its files are read from there).
    ///
    /// # Errors
    ///
    /// When the commit or a changed file cannot be read.
    pub fn new(
        failure: &JobFailure,
        outcome: &RepairOutcome,
        dir: &Path,
        job_id: Option<u64>,
    ) -> Result<RepairBundle, RepairError> {
        let base_commit = head_commit(dir)?;
        let failure = BundleFailure {
            kind: failure.kind.to_string(),
            message: failure.message(),
            step: failure.step.clone(),
            job: failure.job_name.clone(),
        };
        let mut bundle = RepairBundle {
            format: BUNDLE_FORMAT,
            base_commit,
            job_id,
            failure,
            ..RepairBundle::default()
        };
        match outcome {
            RepairOutcome::Repaired(repaired) => {
                let counted = super::bundle_check::count_diff(&repaired.patch);
                let mut files = Vec::new();
                for path in &repaired.files {
                    let content = std::fs::read_to_string(dir.join(path)).map_err(|error| {
                        RepairError::new(format!(
                            "cannot read the repaired file {path} in {}: {error}",
                            dir.display()
                        ))
                    })?;
                    files.push(BundleFile {
                        path: path.clone(),
                        content,
                    });
                }
                bundle.outcome = BundleOutcome::Repaired;
                bundle.repair = Some(BundleRun::of(&repaired.repair));
                bundle.verification = Some(BundleRun::of(&repaired.verification));
                bundle.tried = (repaired.earlier.iter())
                    .chain([&repaired.repair, &repaired.verification])
                    .map(BundleRun::of)
                    .collect();
                bundle.diff = repaired.patch.clone();
                bundle.files = files;
                bundle.lines_added = counted.added;
                bundle.lines_removed = counted.removed;
            }
            RepairOutcome::Dropped(dropped) => {
                bundle.outcome = BundleOutcome::Dropped;
                bundle.dropped_reason = Some(dropped.reason.clone());
                bundle.tried = dropped.tried.iter().map(BundleRun::of).collect();
            }
            RepairOutcome::Advice(advice) => {
                bundle.outcome = BundleOutcome::Advice;
                bundle.advice = Some(BundleAdvice {
                    libraries: (advice.libraries.iter())
                        .map(|l| BundleLibrary {
                            library: l.library.clone(),
                            package: l.package.clone(),
                            guessed: l.guessed,
                        })
                        .collect(),
                    workflow_line: advice.workflow_line.clone(),
                });
            }
        }
        Ok(bundle)
    }

    /// The bundle as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Read a bundle file: at most [`MAX_BUNDLE_BYTES`], JSON of this format. What it holds is
    /// not checked yet: [`check`](Self::check) does that.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is too large, is not a bundle or has another format.
    pub fn read(path: &Path) -> Result<RepairBundle, RepairError> {
        let shown = path.display();
        let size = std::fs::metadata(path)
            .map_err(|error| {
                RepairError::new(format!("cannot read the repair bundle {shown}: {error}"))
            })?
            .len();
        if size > MAX_BUNDLE_BYTES {
            return Err(RepairError::new(format!(
                "the repair bundle {shown} is {size} bytes, more than the {MAX_BUNDLE_BYTES} a repair can take; it was not written by `ipfs-kit autoheal repair --bundle`"
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|error| {
            RepairError::new(format!("cannot read the repair bundle {shown}: {error}"))
        })?;
        Self::from_json(&text).map_err(|reason| {
            RepairError::new(format!("the repair bundle {shown} is not usable: {reason}"))
        })
    }

    /// A bundle from its JSON text.
    ///
    /// # Errors
    ///
    /// When the text is not a bundle, or a bundle of another format.
    pub fn from_json(text: &str) -> Result<RepairBundle, String> {
        let bundle: RepairBundle = serde_json::from_str(text).map_err(|error| {
            format!("not a repair bundle ({error}); write one with `ipfs-kit autoheal repair --bundle FILE`")
        })?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(format!(
                "format {} is not the format {BUNDLE_FORMAT} this version reads; make the bundle with the same ipfs-kit version",
                bundle.format
            ));
        }
        Ok(bundle)
    }
}

/// The commit `dir` has checked out.
fn head_commit(dir: &Path) -> Result<String, RepairError> {
    let tool = Tool {
        program: "git",
        args: vec!["rev-parse".to_string(), "HEAD".to_string()],
        env: Vec::new(),
    };
    let run = tool.run(dir, std::time::Duration::from_secs(60))?;
    let sha = run.output.trim();
    if !run.passed || sha.is_empty() {
        return Err(RepairError::new(format!(
            "cannot read the commit of {}: {}",
            dir.display(),
            run.headline()
        )));
    }
    Ok(sha.to_string())
}
