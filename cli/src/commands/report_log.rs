//! `ipfs-kit autoheal report-log`: a failed job's log filed as a report.

use std::io::Read as _;

use anyhow::{Context as _, Result, bail};
use autoheal::config::Overrides;
use autoheal::job_log::{self, JobRun};
use autoheal::{App, Config, Outcome};

use crate::args::{LogKind, ReportLogArgs};

/// Bytes of the log classified: the end of a longer one, where the failure is.
const KEPT_LOG_BYTES: usize = 16 * 1024 * 1024;

/// Read a log from standard input, classify it, and file it.
pub fn run(app: &App, overrides: &Overrides, args: &ReportLogArgs) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    let log = read_log()?;
    if log.trim().is_empty() {
        bail!(
            "standard input is empty: pipe the failed job's log in, e.g. `gh run view RUN_ID --log-failed | ipfs-kit autoheal report-log`"
        );
    }
    let failure = match args.kind {
        LogKind::Workflow => job_log::classify(&log),
    };
    let run = JobRun {
        run_url: args.run_url.clone(),
        job_name: args.job.clone(),
    };
    let report = job_log::report(&loaded.config, &failure, &run);
    println!(
        "{}: {}",
        report.error.type_name,
        first_line(&report.error.message)
    );
    println!("Trace ID: {}", report.trace_id);
    match job_log::file(&loaded.config, &report) {
        Outcome::Reported { url, .. } => println!("Issue:    {url} (new)"),
        Outcome::Recurred { url, .. } => println!("Issue:    {url} (updated)"),
        Outcome::Throttled => {
            println!("Counted: the same failure was reported moments ago.")
        }
        Outcome::Queued { path, reason } => {
            println!("Queued:   {} ({reason})", path.display());
            println!("Send it later with `ipfs-kit autoheal flush`.");
        }
        Outcome::Refused { path, reason } => {
            println!("Refused:  {} ({reason})", path.display());
            println!("It is kept in the queue, marked, and not sent again.");
        }
        Outcome::Failed { reason } => bail!("the report could not be stored or sent: {reason}"),
        other => println!("{other}"),
    }
    Ok(())
}

/// Standard input as text (invalid UTF-8 replaced), at most the last [`KEPT_LOG_BYTES`].
///
/// Read to its end in chunks, dropping what falls out of the kept window as it goes: a log of
/// any length costs at most twice the window in memory, and its end (where a job fails) is
/// what is kept.
fn read_log() -> Result<String> {
    let mut input = std::io::stdin().lock();
    let mut bytes = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let read = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error).context("reading the log from standard input"),
        };
        bytes.extend_from_slice(chunk.get(..read).unwrap_or_default());
        if bytes.len() > 2 * KEPT_LOG_BYTES {
            bytes.drain(..bytes.len() - KEPT_LOG_BYTES);
        }
    }
    let start = bytes.len().saturating_sub(KEPT_LOG_BYTES);
    Ok(String::from_utf8_lossy(bytes.get(start..).unwrap_or_default()).into_owned())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
