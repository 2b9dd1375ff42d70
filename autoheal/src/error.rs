//! The crate's error type.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// What can go wrong inside autoheal itself: configuration, files and the queue.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is not valid; the message says which and why.
    InvalidConfig {
        /// The configuration key.
        key: String,
        /// Why the value is not valid and what would be.
        message: String,
    },
    /// An [`App`](crate::App)'s name, environment prefix or repository is not valid; the
    /// message says which and why.
    InvalidApp {
        /// What is wrong and what would be right.
        message: String,
    },
    /// A command of `autoheal::commands` (the `clap` feature) could not do what was asked; the message
    /// says why.
    Command {
        /// What happened and what to do.
        message: String,
    },
    /// The configuration file is not valid JSON.
    MalformedConfig {
        /// The file.
        path: PathBuf,
        /// Line of the first error, 1-based.
        line: usize,
        /// Column of the first error, 1-based.
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// A file or directory could not be read or written.
    Io {
        /// What autoheal was doing.
        action: String,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig { key, message } => {
                write!(f, "invalid value for `{key}`: {message}")
            }
            Error::InvalidApp { message } | Error::Command { message } => f.write_str(message),
            Error::MalformedConfig {
                path,
                line,
                column,
                message,
            } => write!(
                f,
                "{}:{line}:{column}: the configuration file is not valid JSON: {message}",
                path.display()
            ),
            Error::Io {
                action,
                path,
                source,
            } => {
                write!(f, "could not {action} {}: {source}", path.display())?;
                match remedy(source.kind()) {
                    Some(remedy) => write!(f, "; {remedy}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// What to do about a file that cannot be written, for the kinds of failure a user can fix.
fn remedy(kind: io::ErrorKind) -> Option<&'static str> {
    use io::ErrorKind::*;
    match kind {
        ReadOnlyFilesystem => Some(
            "the file system is read-only: remount it read-write, or choose a configuration directory on a writable one",
        ),
        PermissionDenied => Some(
            "check the owner and permissions of the directory, or choose a configuration directory you can write to",
        ),
        StorageFull | QuotaExceeded => Some("the disk is full: free some space and try again"),
        FileTooLarge => {
            Some("the file system refuses a file this large: free some space or raise the limit")
        }
        NotADirectory => Some(
            "a file stands where a directory is expected: move it away (autoheal recreates the directory)",
        ),
        _ => None,
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    pub(crate) fn io(
        action: impl Into<String>,
        path: impl Into<PathBuf>,
        source: io::Error,
    ) -> Self {
        Error::Io {
            action: action.into(),
            path: path.into(),
            source,
        }
    }
}

/// `Result` with autoheal's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_cannot_be_written_says_what_to_do() {
        let error = Error::io(
            "write",
            "/etc/app/config.json",
            io::Error::from(io::ErrorKind::ReadOnlyFilesystem),
        );
        let text = error.to_string();
        assert!(
            text.starts_with("could not write /etc/app/config.json: "),
            "{text}"
        );
        assert!(text.contains("remount it read-write"), "{text}");
        let full = Error::io(
            "write",
            "/q/r.json",
            io::Error::from(io::ErrorKind::StorageFull),
        );
        assert!(
            full.to_string()
                .ends_with("the disk is full: free some space and try again")
        );
        let missing = Error::io(
            "read",
            "/q/r.json",
            io::Error::from(io::ErrorKind::NotFound),
        );
        assert!(!missing.to_string().contains(';'), "{missing}");
    }
}
