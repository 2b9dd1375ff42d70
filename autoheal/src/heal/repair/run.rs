//! Running a tool in the checkout: with a time bound, offline, its output captured.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant};

use super::RepairError;

/// How often a running tool is checked for having finished.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How long a tool's output is awaited once it has exited.
const PIPE_GRACE: Duration = Duration::from_secs(10);

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
    /// Its output (standard output, then standard error); in a repair's answer, only its end.
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
        let (sender, outputs) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            drain(0, pipe, sender.clone());
        }
        if let Some(pipe) = child.stderr.take() {
            drain(1, pipe, sender.clone());
        }
        drop(sender);
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
        // A process the tool started may hold its pipes open after it ended (or was
        // stopped): its output is awaited a little, never past the bound.
        let mut streams = [String::new(), String::new()];
        let grace = Instant::now() + PIPE_GRACE;
        while let Some(left) = grace.checked_duration_since(Instant::now()) {
            match outputs.recv_timeout(left) {
                Ok((index, text)) => {
                    if let Some(stream) = streams.get_mut(index) {
                        *stream = text;
                    }
                }
                Err(_) => break,
            }
        }
        let mut output = streams.concat();
        if timed_out {
            output.push_str(&format!("\nstopped after {:.1} s\n", timeout.as_secs_f64()));
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

/// Read a pipe to its end on a thread of its own, so that a full pipe never blocks the tool,
/// and send what it read, tagged with `index`, when the pipe closes.
fn drain(index: usize, mut pipe: impl Read + Send + 'static, done: Sender<(usize, String)>) {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = done.send((index, String::from_utf8_lossy(&bytes).into_owned()));
    });
}

/// The last [`KEPT_OUTPUT_LINES`] lines of `text`.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(KEPT_OUTPUT_LINES);
    lines.get(from..).unwrap_or_default().join("\n")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_tool_past_its_bound_is_stopped_and_says_so() {
        let tool = Tool {
            program: "sleep",
            args: vec!["30".to_string()],
            env: Vec::new(),
        };
        let run = tool
            .run(Path::new("."), Duration::from_millis(300))
            .unwrap();
        assert!(run.timed_out && !run.passed, "{run:?}");
        assert!(run.elapsed < Duration::from_secs(20), "{run:?}");
        assert!(run.output.contains("stopped after"), "{run:?}");
    }

    #[test]
    fn both_streams_are_kept_and_the_error_line_is_the_headline() {
        let tool = Tool {
            program: "sh",
            args: vec![
                "-c".to_string(),
                "echo Checking tiny; echo 'error[E0308]: mismatched types' >&2; exit 101"
                    .to_string(),
            ],
            env: Vec::new(),
        };
        let run = tool.run(Path::new("."), Duration::from_secs(60)).unwrap();
        assert!(!run.passed && !run.timed_out);
        assert!(run.output.starts_with("Checking tiny\n"), "{run:?}");
        assert_eq!(run.headline(), "error[E0308]: mismatched types");
    }

    #[test]
    fn a_missing_program_is_an_error_that_names_it() {
        let tool = Tool {
            program: "autoheal-no-such-tool",
            args: Vec::new(),
            env: Vec::new(),
        };
        let error = tool
            .run(Path::new("."), Duration::from_secs(5))
            .unwrap_err();
        assert!(
            error.to_string().contains("autoheal-no-such-tool"),
            "{error}"
        );
    }
}
