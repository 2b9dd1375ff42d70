//! The spool sink. (being written)

use crate::{Outcome, Report, Sink};
use std::path::PathBuf;

/// Writes each report into the queue directory.
#[derive(Debug)]
pub struct SpoolSink {
    dir: PathBuf,
}

impl SpoolSink {
    /// A sink writing into `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SpoolSink { dir: dir.into() }
    }
}

impl Sink for SpoolSink {
    fn send(&self, report: &Report) -> Outcome {
        let _ = report;
        Outcome::Failed {
            reason: format!("not written to {}", self.dir.display()),
        }
    }
}
