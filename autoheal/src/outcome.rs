//! What became of a report.

use std::fmt;
use std::path::PathBuf;

/// What happened to one report after capture.
///
/// `#[non_exhaustive]` on the enum, not on its variants: a new transport or queue state may
/// bring a new outcome in a minor release, so code that matches an `Outcome` needs a wildcard
/// arm (printing it with `Display` covers every case). The variants stay open to struct-literal
/// construction, because a [`Sink`](crate::Sink) returns them: their fields are fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A new issue was filed.
    Reported {
        /// The web address.
        url: String,
        /// The number.
        number: u64,
    },
    /// An open issue for the same bug exists; the occurrence was added to it.
    Recurred {
        /// The existing issue's web address.
        url: String,
        /// The existing issue's number.
        number: u64,
    },
    /// The report waits in the local queue; `flush` sends it later.
    Queued {
        /// The queued report's file.
        path: PathBuf,
        /// Why it was not sent now (not configured, GitHub unreachable, rate limited...).
        reason: String,
    },
    /// Handed to the background worker, which has not finished with it yet; the report waits
    /// in the queue at `path` (when the queue could be written) until it does. See
    /// [`flush`](crate::flush).
    Pending {
        /// The report's file in the queue.
        path: Option<PathBuf>,
    },
    /// GitHub refused the report for good (a 400 or 422: sending it again would be refused
    /// again). It stays in the queue at `path`, marked, and is not sent again.
    Refused {
        /// The refused report's file.
        path: PathBuf,
        /// GitHub's message.
        reason: String,
    },
    /// The same bug was reported moments ago; this occurrence was counted, not sent.
    Throttled,
    /// Auto-healing is switched off: nothing was recorded.
    Disabled,
    /// An ignore rule of the privacy settings matched: nothing was sent or queued; the
    /// failure was only counted locally (see [`privacy::ignored_counts`](crate::privacy::ignored_counts)).
    Ignored {
        /// The rule that matched (`ignore_error_types: ConfigError`).
        rule: String,
    },
    /// The report could not be stored or sent; the reason says why.
    Failed {
        /// What went wrong.
        reason: String,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Reported { url, .. } => write!(f, "reported as {url}"),
            Outcome::Recurred { url, .. } => write!(f, "added to the existing issue {url}"),
            Outcome::Queued { path, reason } => {
                write!(f, "queued at {} ({reason})", path.display())
            }
            Outcome::Pending { path: Some(path) } => write!(
                f,
                "being sent in the background; it waits at {} until then",
                path.display()
            ),
            Outcome::Pending { path: None } => f.write_str("being sent in the background"),
            Outcome::Refused { path, reason } => write!(
                f,
                "refused by GitHub ({reason}); it stays at {}, not sent again",
                path.display()
            ),
            Outcome::Throttled => f.write_str("counted; the same failure was reported moments ago"),
            Outcome::Disabled => f.write_str("not reported: auto-healing is disabled"),
            Outcome::Ignored { rule } => {
                write!(f, "not reported: ignored by {rule}; counted locally")
            }
            Outcome::Failed { reason } => write!(f, "could not be reported: {reason}"),
        }
    }
}

/// A report's trace ID and what became of it: the answer to "was my failure reported?".
///
/// `#[non_exhaustive]`: programs only receive a `Delivery` (from
/// [`last_delivery`](crate::last_delivery) and the capture functions) and read its fields, so
/// a later release may add one (the time it was settled, say) without breaking them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The report's trace ID.
    pub trace_id: String,
    /// The report's fingerprint.
    pub fingerprint: String,
    /// What became of it.
    pub outcome: Outcome,
}
