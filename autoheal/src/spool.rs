//! The embedded default sink: every report goes to the local queue.

use std::path::PathBuf;

use crate::queue::Queue;
use crate::{Outcome, Report, Sink};

/// Stores each report in the queue directory, where `ipfs-kit autoheal flush` (or any
/// application's equivalent) sends it later.
#[derive(Debug)]
pub struct SpoolSink {
    queue: Queue,
    reason: String,
}

impl SpoolSink {
    /// A sink writing into the queue directory `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SpoolSink {
            queue: Queue::open(dir),
            reason: "stored in the local queue".to_string(),
        }
    }

    /// A sink writing into `config`'s queue, within its bounds.
    pub fn for_config(config: &crate::Config) -> Self {
        SpoolSink {
            queue: Queue::for_config(config),
            reason: "stored in the local queue".to_string(),
        }
    }

    /// Say why reports stay queued (shown to the user with each queued report).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }
}

impl Sink for SpoolSink {
    fn send(&self, report: &Report) -> Outcome {
        match self.queue.push(report) {
            Ok(path) => Outcome::Queued {
                path,
                reason: self.reason.clone(),
            },
            Err(error) => Outcome::Failed {
                reason: error.to_string(),
            },
        }
    }
}
