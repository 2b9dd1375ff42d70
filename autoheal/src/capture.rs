//! The cold path: turning an error into [`ErrorDetails`] and a pending [`Capture`], without
//! I/O and without resolving symbols.

use std::cell::Cell;
use std::error::Error as StdError;
use std::fmt::{self, Debug, Display, Write as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::SystemTime;

use crate::report::{ErrorDetails, ReportKind, Site};
use crate::site::SiteInfo;
use crate::stack::UnresolvedBacktrace;

/// Longest message kept from one error, in bytes; the rest is cut with a marker.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Longest cause message kept, in bytes.
const MAX_CAUSE_BYTES: usize = 8 * 1024;
/// Most causes kept from a `source()` chain (chains can be cyclic through bugs).
const MAX_CAUSES: usize = 32;

thread_local! {
    /// Set while autoheal runs user code (`Display`/`Debug` impls) or reports: a panic raised
    /// meanwhile is not reported, and nothing recurses into capture.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside autoheal's own capture or reporting code.
pub(crate) fn is_busy() -> bool {
    BUSY.with(Cell::get)
}

/// Run `f` marked as autoheal's own work; a panic inside it yields `None`.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    let was_busy = BUSY.with(|b| b.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f)).ok();
    BUSY.with(|b| b.set(was_busy));
    result
}

/// A failure captured at the innermost annotated frame, waiting to be reported at the
/// outermost one.
#[derive(Debug)]
pub(crate) struct Capture {
    pub(crate) kind: ReportKind,
    pub(crate) error: ErrorDetails,
    pub(crate) site: Site,
    pub(crate) frames: Vec<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) backtrace: Option<UnresolvedBacktrace>,
    pub(crate) spans: Vec<String>,
    pub(crate) time: SystemTime,
}

impl Capture {
    /// A new capture of `error` at `site`.
    pub(crate) fn new(
        kind: ReportKind,
        error: ErrorDetails,
        site: Site,
        with_backtrace: bool,
    ) -> Self {
        Capture {
            kind,
            error,
            frames: vec![site.operation().to_string()],
            site,
            labels: Vec::new(),
            backtrace: with_backtrace.then(UnresolvedBacktrace::capture),
            spans: crate::layer::current_spans(),
            time: SystemTime::now(),
        }
    }

    /// A capture at an annotated function's site.
    pub(crate) fn at(site: &'static SiteInfo, error: ErrorDetails, with_backtrace: bool) -> Self {
        let mut capture = Capture::new(ReportKind::Error, error, site.to_site(), with_backtrace);
        capture.add_labels(site.labels);
        if site.span_closes_first {
            let name = crate::site::function_name(&capture.site.function);
            if let Some(span) = crate::layer::take_closed_function_span(name) {
                capture.spans.push(span);
            }
        }
        capture
    }

    /// Whether `outer`, returned by a caller that held this capture, carries this failure:
    /// the same message and causes (the error as is, or converted by `From` into a type that
    /// shows it unchanged, such as `Box<dyn Error>` or `anyhow::Error`), or this failure's
    /// message and causes as the last causes of `outer` (wrapped with context, or as the
    /// `source` of an error of the caller's).
    ///
    /// Judged on the error's structure, not by searching its text: an error that merely
    /// quotes the callee's message is the caller's own. Whether the value could still be the
    /// callee's at all is the frames' concern (see `frames`).
    pub(crate) fn is_carried_by(&self, outer: &ErrorDetails) -> bool {
        let inner = &self.error;
        if outer.message == inner.message && outer.chain == inner.chain {
            return true;
        }
        let Some(wrapped_at) = outer.chain.len().checked_sub(inner.chain.len() + 1) else {
            return false;
        };
        outer.chain.get(wrapped_at) == Some(&inner.message)
            && outer.chain.get(wrapped_at + 1..) == Some(inner.chain.as_slice())
    }

    /// Record that the failure passed through (and out of) the annotated function at `site`,
    /// as `outer`: the outer message and chain carry the richer context; the type, the site
    /// and the backtrace stay those of the innermost frame, where the failure first appeared.
    pub(crate) fn passed_through(&mut self, site: &'static SiteInfo, mut outer: ErrorDetails) {
        self.frames.push(site.operation());
        self.add_labels(site.labels);
        outer.type_name = std::mem::take(&mut self.error.type_name);
        outer.root_type = self.error.root_type.take();
        self.error = outer;
    }

    fn add_labels(&mut self, labels: &[&str]) {
        for label in labels {
            if !self.labels.iter().any(|l| l == label) {
                self.labels.push((*label).to_string());
            }
        }
    }
}

/// Details of an error that implements `std::error::Error`: message and `source()` chain.
pub(crate) fn details_of_error<E: StdError + ?Sized>(type_name: &str, error: &E) -> ErrorDetails {
    let mut chain = Vec::new();
    let mut root = None;
    let mut cause = error.source();
    while let Some(c) = cause {
        if chain.len() == MAX_CAUSES {
            chain.push("[autoheal: further causes omitted]".to_string());
            root = None;
            break;
        }
        chain.push(bounded_display(c, MAX_CAUSE_BYTES));
        root = Some(c);
        cause = c.source();
    }
    let root_type = root
        .and_then(|root| {
            known_type_name(root)
                .map(str::to_string)
                .or_else(|| debug_type_name(root))
        })
        .filter(|root_type| root_type != type_name);
    ErrorDetails {
        type_name: type_name.to_string(),
        message: bounded_display(error, MAX_MESSAGE_BYTES),
        chain,
        root_type,
    }
}

/// Details of a type-erased error (`Box<dyn Error>`, `anyhow::Error`): the type is taken from
/// the error object where it can be recognised.
pub(crate) fn details_of_dyn_error(
    fallback_type: &str,
    error: &(dyn StdError + 'static),
) -> ErrorDetails {
    let type_name = dyn_error_type_name(error).unwrap_or_else(|| pointer_type_name(fallback_type));
    details_of_error(&type_name, error)
}

/// The type of a pointer to an error object whose contents were not recognised, as written in
/// code: `alloc::boxed::Box<dyn core::error::Error + core::marker::Send>` →
/// `Box<dyn Error + Send>` (not a bare `Box`); `anyhow::Error` stays as it is.
fn pointer_type_name(full: &str) -> String {
    if !full.contains("<dyn ") {
        return short_type_name(full);
    }
    let last_segment = |path: &str| path.rsplit("::").next().unwrap_or(path).to_string();
    let mut written = String::with_capacity(full.len());
    let mut path = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            path.push(c);
        } else {
            written.push_str(&last_segment(&path));
            path.clear();
            written.push(c);
        }
    }
    written.push_str(&last_segment(&path));
    written
}

/// Details of a value that is only `Display` (a `String` error, say).
pub(crate) fn details_of_display<E: Display + ?Sized>(type_name: &str, error: &E) -> ErrorDetails {
    ErrorDetails {
        type_name: short_type_name(type_name),
        message: bounded_display(error, MAX_MESSAGE_BYTES),
        chain: Vec::new(),
        root_type: None,
    }
}

/// Details of a value that is only `Debug`.
pub(crate) fn details_of_debug<E: Debug + ?Sized>(type_name: &str, error: &E) -> ErrorDetails {
    ErrorDetails {
        type_name: short_type_name(type_name),
        message: bounded_format(MAX_MESSAGE_BYTES, |w| write!(w, "{error:?}")),
        chain: Vec::new(),
        root_type: None,
    }
}

fn bounded_display<E: Display + ?Sized>(value: &E, max: usize) -> String {
    bounded_format(max, |w| write!(w, "{value}"))
}

/// Format into a string of at most `max` bytes. A formatting impl that fails or panics yields
/// what it wrote so far plus a marker, never a panic here.
fn bounded_format(max: usize, format: impl FnOnce(&mut BoundedWriter) -> fmt::Result) -> String {
    let mut writer = BoundedWriter {
        text: String::new(),
        max,
        truncated: false,
    };
    let outcome = guarded(|| format(&mut writer));
    let BoundedWriter {
        mut text,
        truncated,
        ..
    } = writer;
    if truncated {
        text.push_str(" […truncated]");
    } else if outcome.is_none() {
        text.push_str("[autoheal: formatting this error panicked]");
    }
    text
}

struct BoundedWriter {
    text: String,
    max: usize,
    truncated: bool,
}

impl fmt::Write for BoundedWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.max.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
            return Ok(());
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.truncated = true;
        Err(fmt::Error)
    }
}

/// The name of a type-erased error's type: the first error of its chain whose type can be
/// recognised, so a context wrapper (`anyhow`'s, say) shows the type of what it wraps.
fn dyn_error_type_name(error: &(dyn StdError + 'static)) -> Option<String> {
    let mut current = Some(error);
    let mut depth = 0;
    while let Some(error) = current {
        if let Some(name) = known_type_name(error)
            .map(str::to_string)
            .or_else(|| debug_type_name(error))
        {
            return Some(name);
        }
        depth += 1;
        current = if depth < MAX_CAUSES {
            error.source()
        } else {
            None
        };
    }
    None
}

fn known_type_name(error: &(dyn StdError + 'static)) -> Option<&'static str> {
    if error.is::<std::io::Error>() {
        Some("io::Error")
    } else if error.is::<std::num::ParseIntError>() {
        Some("ParseIntError")
    } else if error.is::<std::num::ParseFloatError>() {
        Some("ParseFloatError")
    } else if error.is::<std::str::Utf8Error>() {
        Some("Utf8Error")
    } else if error.is::<std::string::FromUtf8Error>() {
        Some("FromUtf8Error")
    } else if error.is::<std::fmt::Error>() {
        Some("fmt::Error")
    } else {
        None
    }
}

/// The type name a derived `Debug` prints first (`ConfigError { .. }`, `Timeout(..)`), if any.
fn debug_type_name(error: &dyn StdError) -> Option<String> {
    let debug = bounded_format(256, |w| write!(w, "{error:?}"));
    let name: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let rest = &debug[name.len()..];
    let looks_like_type = name.starts_with(|c: char| c.is_ascii_uppercase())
        && !matches!(
            name.as_str(),
            "Error" | "Custom" | "Os" | "Kind" | "SimpleMessage" | "Some" | "None" | "Ok" | "Err"
        )
        && (rest.is_empty() || rest.starts_with(" {") || rest.starts_with('('));
    looks_like_type.then_some(name)
}

/// A readable type name: `std::io::error::Error` → `io::Error`, `serde_json::error::Error` →
/// `serde_json::Error`, `my_app::config::ConfigError<T>` → `ConfigError`.
pub(crate) fn short_type_name(full: &str) -> String {
    let base = full.split('<').next().unwrap_or(full);
    let segments: Vec<&str> = base.split("::").filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] => full.to_string(),
        [only] => (*only).to_string(),
        [first, second, .., "Error"] if matches!(*first, "std" | "core" | "alloc") => {
            format!("{second}::Error")
        }
        [first, .., "Error"] => format!("{first}::Error"),
        [.., last] => (*last).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(message: &str, chain: &[&str]) -> Capture {
        let error = ErrorDetails::new("io::Error", message).with_chain(chain.iter().copied());
        Capture::new(ReportKind::Error, error, Site::default(), false)
    }

    #[test]
    fn a_capture_is_carried_by_its_error_as_is_converted_or_wrapped() {
        let capture = held("not found", &["os error 2"]);
        let as_is = ErrorDetails::new("anyhow::Error", "not found").with_chain(["os error 2"]);
        assert!(capture.is_carried_by(&as_is));
        let wrapped = ErrorDetails::new("anyhow::Error", "loading the cache").with_chain([
            "reading",
            "not found",
            "os error 2",
        ]);
        assert!(capture.is_carried_by(&wrapped));
    }

    #[test]
    fn a_capture_is_not_carried_by_an_error_that_only_quotes_it() {
        let capture = held("not found", &[]);
        for outer in [
            ErrorDetails::new("io::Error", "reading the manifest: not found"),
            ErrorDetails::new("io::Error", "reading").with_chain(["the manifest: not found"]),
            ErrorDetails::new("io::Error", "reading").with_chain(["not found", "denied"]),
            ErrorDetails::new("io::Error", "not found").with_chain(["os error 2"]),
        ] {
            assert!(!capture.is_carried_by(&outer), "{outer:?}");
        }
    }

    #[test]
    fn short_type_names_read_like_the_source() {
        assert_eq!(short_type_name("std::io::error::Error"), "io::Error");
        assert_eq!(
            short_type_name("serde_json::error::Error"),
            "serde_json::Error"
        );
        assert_eq!(short_type_name("anyhow::Error"), "anyhow::Error");
        assert_eq!(
            short_type_name("my_app::config::ConfigError<u8>"),
            "ConfigError"
        );
        assert_eq!(short_type_name("alloc::string::String"), "String");
        assert_eq!(short_type_name("u32"), "u32");
    }

    #[test]
    fn unrecognised_error_objects_are_named_by_their_pointer_as_written() {
        assert_eq!(
            pointer_type_name(
                "alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
            ),
            "Box<dyn Error + Send + Sync>"
        );
        assert_eq!(
            pointer_type_name("alloc::sync::Arc<dyn core::error::Error>"),
            "Arc<dyn Error>"
        );
        assert_eq!(pointer_type_name("anyhow::Error"), "anyhow::Error");
    }

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let text = "é".repeat(MAX_MESSAGE_BYTES);
        let details = details_of_display("alloc::string::String", &text);
        assert!(details.message.len() <= MAX_MESSAGE_BYTES + 20);
        assert!(details.message.ends_with("[…truncated]"));
    }

    struct PanickingDisplay;
    impl Display for PanickingDisplay {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            panic!("display impl panicked")
        }
    }

    #[test]
    fn a_panicking_display_impl_does_not_escape() {
        let details = details_of_display("x::PanickingDisplay", &PanickingDisplay);
        assert!(details.message.contains("formatting this error panicked"));
    }

    #[test]
    fn cyclic_or_endless_chains_are_bounded() {
        #[derive(Debug)]
        struct Endless;
        impl Display for Endless {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("endless")
            }
        }
        impl StdError for Endless {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&Endless)
            }
        }
        let details = details_of_error("x::Endless", &Endless);
        assert_eq!(details.chain.len(), MAX_CAUSES + 1);
    }
}
