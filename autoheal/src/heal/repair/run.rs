//! Running a tool in the checkout: with a time bound, offline, its output captured.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::RepairError;

/// How often a running tool is checked for having finished.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Lines kept of a tool's output: the end, where the verdict is.
const KEPT_OUTPUT_LINES: usize = 60;

/// One tool run: what was run, whether it passed, and what it said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolRun {
    /// The command line, as a maintainer would type it in the checkout.
    pub command: String,
    /// Whether it exited with success within its time bound.
    pub passed: bool,
    /// Whether it was stopped for running past its time bound.
    pub timed_out: bool,
    /// Its output (standard output, then standard error); the end of it once
    /// [`shortened`](Self::shortened) for a report.
    pub output: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl ToolRun {
    /// The first line of its output that looks like an error, or its last line.
    pub fn headline(&self) -> &str {
        let lines = || self.output.lines().map(str::trim).filter(|l| !l.is_empty());
        lines()
            .find(|l| l.starts_with("error"))
            .or_else(|| lines().next_back())
            .unwrap_or("no output")
    }

    /// The run with only the end of its output, where the verdict is, kept.
    pub(super) fn shortened(mut self) -> ToolRun {
        self.output = tail(&self.output);
        self
    }
}

/// A command to run in the checkout.
#[derive(Debug)]
pub(super) struct Tool<'a> {
    /// The program (`cargo`, `git`).
    pub(super) program: &'a str,
    /// Its arguments.
    pub(super) args: Vec<String>,
    /// Extra environment variables.
    pub(super) env: Vec<(&'a str, String)>,
}

impl Tool<'_> {
    /// The command line as shown to a maintainer: the program and its arguments.
    pub(super) fn command_line(&self) -> String {
        std::iter::once(self.program.to_string())
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Run it in `dir`, stopping it after `timeout`.
    ///
    /// # Errors
    ///
    /// When the program cannot be started (not installed, `dir` missing).
    pub(super) fn run(&self, dir: &Path, timeout: Duration) -> Result<ToolRun, RepairError> {
        let started = Instant::now();
        let mut child = Command::new(self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                RepairError::new(format!(
                    "could not start `{}` in {}: {error}; is it installed and on PATH?",
                    self.command_line(),
                    dir.display()
                ))
            })?;
        let stdout = child.stdout.take().map(drain);
        let stderr = child.stderr.take().map(drain);
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() >= timeout => {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().ok();
                }
                Ok(None) => thread::sleep(POLL_INTERVAL),
                Err(_) => break None,
            }
        };
        let mut output = String::new();
        for reader in [stdout, stderr].into_iter().flatten() {
            output.push_str(&reader.join().unwrap_or_default());
        }
        if timed_out {
            output.push_str(&format!("\nstopped after {} s\n", timeout.as_secs()));
        }
        Ok(ToolRun {
            command: self.command_line(),
            passed: !timed_out && status.is_some_and(|s| s.success()),
            timed_out,
            output,
            elapsed: started.elapsed(),
        })
    }
}

/// Read a pipe to its end on a thread of its own, so that a full pipe never blocks the tool.
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// The last [`KEPT_OUTPUT_LINES`] lines of `text`.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(KEPT_OUTPUT_LINES);
    lines.get(from..).unwrap_or_default().join("\n")
}
