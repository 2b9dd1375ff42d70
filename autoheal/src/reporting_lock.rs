//! One reporter at a time per configuration directory.
//!
//! Processes of one machine share `known_issues.json` (the throttle, the flood guard, the issue
//! of each bug) and the queue. Reading the cache, asking GitHub, and writing the cache back is
//! one step that two processes must not interleave: each would count an occurrence the other
//! then overwrites, or both would search, find nothing (GitHub's index lags), and file the same
//! new bug twice. The step runs under an advisory lock on the sidecar file
//! `known_issues.json.lock`.
//!
//! The lock never blocks for long and never deadlocks: the wait is bounded (then the report stays
//! queued and the caller hears [`Busy`]); the operating system releases the lock of
//! a process that dies, even by `kill -9`; and where the file system cannot lock at all, reporting
//! goes on unlocked, as it did before (the twin check after filing still closes a duplicate).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// The lock file's name in the configuration directory.
const LOCK_FILE: &str = "known_issues.json.lock";

/// The longest pause between two attempts to take the lock.
const MAX_PAUSE: Duration = Duration::from_millis(5);

/// Another process on this machine held the lock for the whole wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Busy;

/// Held while one process reads, uses and writes back what this machine knows of its issues.
/// Dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct ReportingLock {
    /// The locked file; `None` when the file system offers no lock (reporting goes on).
    _file: Option<File>,
}

impl ReportingLock {
    /// Take the lock of `config_dir`, waiting at most `wait`.
    ///
    /// # Errors
    ///
    /// [`Busy`] when another process held it for all of `wait`.
    pub(crate) fn acquire(config_dir: &Path, wait: Duration) -> Result<ReportingLock, Busy> {
        if crate::durable::create_private_dir(config_dir).is_err() {
            return Ok(ReportingLock { _file: None });
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let Ok(file) = options.open(config_dir.join(LOCK_FILE)) else {
            return Ok(ReportingLock { _file: None });
        };
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(ReportingLock { _file: Some(file) }),
                Err(TryLockError::Error(_)) => return Ok(ReportingLock { _file: None }),
                Err(TryLockError::WouldBlock) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Busy);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_hears_busy_and_gets_it_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = ReportingLock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert!(first._file.is_some(), "the file system of a temp dir locks");
        let busy = ReportingLock::acquire(dir.path(), Duration::from_millis(50));
        assert_eq!(busy.err(), Some(Busy));
        drop(first);
        let second = ReportingLock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert!(second._file.is_some());
    }

    #[test]
    fn threads_taking_turns_never_overlap() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let inside = AtomicUsize::new(0);
        let entered = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..25 {
                        let _lock =
                            ReportingLock::acquire(dir.path(), Duration::from_secs(30)).unwrap();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                        std::thread::sleep(Duration::from_micros(200));
                        inside.fetch_sub(1, Ordering::SeqCst);
                        entered.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(entered.load(Ordering::SeqCst), 100);
    }

    #[test]
    fn an_unwritable_directory_does_not_stop_reporting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-directory");
        std::fs::write(&file, "x").unwrap();
        let lock = ReportingLock::acquire(&file.join("config"), Duration::ZERO).unwrap();
        assert!(lock._file.is_none());
    }
}
