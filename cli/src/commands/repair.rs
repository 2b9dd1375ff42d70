//! `ipfs-kit autoheal repair`: a failed job's log and a checkout in, a verified repair (the
//! patch, the command that repaired, the verification and its result) out; or, when no change
//! to the repository repairs the failure, what to install and the workflow line to add. With
//! `--bundle`, the outcome is also written as a file for `ipfs-kit autoheal fix --repair`.

use std::io::Read as _;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use autoheal::job_log;
use autoheal::repair::{self, BundleOutcome, RepairBundle, RepairOptions, RepairOutcome, ToolRun};

use crate::args::RepairArgs;

/// Repair the failure the log shows in the checkout, print the verified patch, or fail with
/// why the repair was dropped.
pub fn run(args: &RepairArgs) -> Result<()> {
    let log = read_log(&args.log)?;
    if log.trim().is_empty() {
        bail!(
            "the log {} is empty: save the failed job's log first, e.g. `gh run view RUN_ID --log-failed > job.log`",
            args.log.display()
        );
    }
    let failure = job_log::classify(&log);
    println!("Failure:      {}: {}", failure.kind, failure.message());
    let options = RepairOptions::default().max_changed_lines(args.max_lines);
    let outcome = repair::repair(&failure, &args.dir, &options)?;
    if let Some(path) = &args.bundle {
        write_bundle(
            path,
            &RepairBundle::new(&failure, &outcome, &args.dir, args.job_id)?,
        )?;
    }
    match outcome {
        RepairOutcome::Repaired(repaired) => {
            for run in &repaired.earlier {
                println!("Ran first:    {}", describe(run));
            }
            println!(
                "Repaired by:  {} (in {})",
                repaired.repair.command,
                seconds(repaired.repair.elapsed)
            );
            println!(
                "Verified by:  {} (passed in {})",
                repaired.verification.command,
                seconds(repaired.verification.elapsed)
            );
            println!(
                "Changed:      {} ({} lines; the change is left in the working tree)",
                repaired.files.join(", "),
                repaired.changed_lines
            );
            println!();
            print!("{}", repaired.patch);
            Ok(())
        }
        RepairOutcome::Dropped(dropped) => {
            for run in &dropped.tried {
                println!("Tried:        {}", describe(run));
            }
            bail!("repair dropped: {}", dropped.reason)
        }
        RepairOutcome::Advice(advice) => {
            for library in &advice.libraries {
                let guess = match library.guessed {
                    true => ", a guess",
                    false => "",
                };
                println!(
                    "Missing:      system library `{}` (Debian/Ubuntu package {}{guess})",
                    library.library, library.package
                );
            }
            println!(
                "Workflow:     add `{}` in a step before the build",
                advice.workflow_line
            );
            println!();
            println!("{}", advice.explanation);
            bail!(
                "no repair: install the system library in the workflow (workflows are never edited automatically)"
            )
        }
    }
}

/// Write `bundle` to `path` (through a temporary file beside it, so that a reader never sees
/// half a bundle).
fn write_bundle(path: &std::path::Path, bundle: &RepairBundle) -> Result<()> {
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, bundle.to_json())
        .and_then(|()| std::fs::rename(&partial, path))
        .with_context(|| format!("writing the repair bundle {}", path.display()))?;
    let what = match bundle.outcome {
        BundleOutcome::Repaired => "the verified repair",
        BundleOutcome::Dropped => "what was tried and why it was dropped",
        BundleOutcome::Advice => "the package to install and the workflow line",
    };
    println!("Bundle:       {} ({what})", path.display());
    Ok(())
}

/// A tool run in one line: the command, whether it passed, how long it took.
fn describe(run: &ToolRun) -> String {
    let verdict = match (run.passed, run.timed_out) {
        (true, _) => "passed".to_string(),
        (false, true) => "stopped: too slow".to_string(),
        (false, false) => format!("failed: {}", run.headline()),
    };
    format!("{} ({verdict}, {})", run.command, seconds(run.elapsed))
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.1} s", elapsed.as_secs_f64())
}

/// The log's text (invalid UTF-8 replaced), from the file or, for `-`, standard input.
fn read_log(path: &std::path::Path) -> Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("reading the log from standard input")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("reading the log {}", path.display()))?
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
