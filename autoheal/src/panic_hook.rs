//! The panic hook: a panic is reported once, then the previous hook runs as before, unless its
//! message holds a secret: then autoheal prints it, masked, as Rust's default hook would (the
//! previous hook can only be given the message as it is).

use std::io::Write as _;
use std::panic::{self, PanicHookInfo};
use std::sync::Once;

use crate::capture::{self, Capture};
use crate::report::{ErrorDetails, ReportKind, Site};

static INSTALL: Once = Once::new();

/// Install the hook once per process; it chains to the hook that was there before.
pub(crate) fn install() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !capture::is_busy() {
                let message = payload_text(info);
                let masked =
                    capture::guarded(|| crate::pipeline::redacted_if_secret(&message)).flatten();
                report_panic(info, message);
                match masked {
                    Some(message) => print_masked(info, &message),
                    None => previous(info),
                }
            }
        }));
    });
}

fn report_panic(info: &PanicHookInfo<'_>, message: String) {
    let Some(settings) = crate::pipeline::capture_settings() else {
        crate::pipeline::forget_last_delivery();
        return;
    };
    let _ = capture::guarded(|| {
        let thread = std::thread::current();
        let thread_name = thread.name().unwrap_or("<unnamed>");
        let (file, line, column) = info
            .location()
            .map(|l| (l.file(), l.line(), l.column()))
            .unwrap_or(("", 0, 0));
        let error = ErrorDetails {
            type_name: "panic".to_string(),
            message,
            chain: vec![format!(
                "thread '{thread_name}' panicked at {file}:{line}:{column}"
            )],
            root_type: None,
        };
        // The function is filled in from the innermost application frame when resolved.
        let site = Site {
            function: String::new(),
            name: None,
            module: String::new(),
            file: file.to_string(),
            line,
        };
        let mut capture = Capture::new(ReportKind::Panic, error, site, settings.backtrace);
        capture.frames.clear();
        crate::pipeline::report(capture);
    });
}

/// The panic as Rust's default hook prints it, with `message` (already masked) in place of the
/// payload; the backtrace as `RUST_BACKTRACE` asks.
fn print_masked(info: &PanicHookInfo<'_>, message: &str) {
    let _ = capture::guarded(|| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("<unnamed>");
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::capture();
        let mut text = format!("\nthread '{name}' panicked at {location}:\n{message}\n");
        match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => {
                text.push_str(&format!("stack backtrace:\n{backtrace}\n"));
            }
            _ => text.push_str(
                "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
            ),
        }
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    });
}

fn payload_text(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Box<dyn Any>".to_string()
    }
}
