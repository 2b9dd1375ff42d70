//! Capturing without the attribute: for errors handled in place and for plain messages.

use std::error::Error as StdError;

use crate::Delivery;
use crate::capture::{self, Capture};
use crate::report::{ErrorDetails, ReportKind, Site};

/// The severity of a message passed to [`capture_message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warning,
}

/// Report an error now, where it is handled, with its cause chain and a backtrace of this
/// call.
///
/// Returns what became of the report, or `None` when autoheal is not installed.
#[track_caller]
#[inline(never)]
pub fn capture_error<E: StdError + ?Sized>(error: &E) -> Option<Delivery> {
    let details = capture::guarded(|| {
        capture::details_of_error(&capture::short_type_name(std::any::type_name::<E>()), error)
    })?;
    capture_details(details, std::panic::Location::caller())
}

/// Report a message that is not an error value, such as an unexpected state.
///
/// Returns what became of the report, or `None` when autoheal is not installed.
#[track_caller]
#[inline(never)]
pub fn capture_message(level: Level, message: &str) -> Option<Delivery> {
    let type_name = match level {
        Level::Error => "Message",
        Level::Warning => "Warning",
    };
    let details = ErrorDetails {
        type_name: type_name.to_string(),
        message: message.to_string(),
        chain: Vec::new(),
        root_type: None,
    };
    capture_details(details, std::panic::Location::caller())
}

fn capture_details(
    details: ErrorDetails,
    location: &'static std::panic::Location<'static>,
) -> Option<Delivery> {
    if capture::is_busy() {
        return None;
    }
    let Some(settings) = crate::pipeline::capture_settings() else {
        crate::pipeline::forget_last_delivery();
        return None;
    };
    // The function is filled in from the innermost application frame when resolved.
    let site = Site {
        function: String::new(),
        name: None,
        module: String::new(),
        file: location.file().to_string(),
        line: location.line(),
    };
    let mut capture = Capture::new(ReportKind::Error, details, site, settings.backtrace);
    capture.frames.clear();
    crate::pipeline::report(capture)
}
