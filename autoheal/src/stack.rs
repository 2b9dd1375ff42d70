//! Backtraces: captured as bare instruction pointers on the failing path, resolved to
//! function names and lines only when the report is built.

use std::fmt;

use crate::report::BacktraceFrame;

/// Most frames a report keeps; deeper stacks keep their innermost frames.
pub(crate) const MAX_FRAMES: usize = 256;

/// Crates whose frames never count as the application's.
const FOREIGN_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "backtrace",
    "autoheal",
    "autoheal_macros",
    "tokio",
    "futures",
    "futures_util",
    "futures_executor",
    "tracing",
    "tracing_core",
    "tracing_subscriber",
    "test",
    "panic_unwind",
];

/// Most frames a stack walk keeps: the report's frames plus room for the capture machinery
/// and the panic runtime on top, which are trimmed.
const MAX_WALKED: usize = MAX_FRAMES + 64;

/// A backtrace whose symbols have not been looked up yet: the return addresses of the stack,
/// innermost first.
pub(crate) struct UnresolvedBacktrace(Vec<usize>);

impl fmt::Debug for UnresolvedBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnresolvedBacktrace({} frames)", self.0.len())
    }
}

impl UnresolvedBacktrace {
    /// Walk the stack: instruction pointers only, no symbol lookup.
    #[inline(never)]
    pub(crate) fn capture() -> Self {
        UnresolvedBacktrace(walk_stack())
    }

    /// The instruction pointers, innermost first, for writing the backtrace down.
    pub(crate) fn ips(&self) -> Vec<usize> {
        self.0.clone()
    }

    /// Look up symbols and turn the stack into report frames, innermost first, with
    /// autoheal's own frames and the panic machinery trimmed from the top.
    ///
    /// `app_crate` names the application's crate: frames without source information (a release
    /// build without debug info) are the application's when they belong to it.
    pub(crate) fn resolve(self, app_crate: &str) -> Vec<BacktraceFrame> {
        crate::symbols::resolve_ips(&self.ips(), app_crate)
    }
}

/// The return addresses of this thread's stack, from the system unwinder.
#[cfg(unix)]
fn walk_stack() -> Vec<usize> {
    crate::unwind::return_addresses(MAX_WALKED)
}

/// The return addresses of this thread's stack, from the `backtrace` crate.
#[cfg(not(unix))]
fn walk_stack() -> Vec<usize> {
    let mut addresses = Vec::new();
    backtrace::trace(|frame| {
        addresses.push(frame.ip() as usize);
        addresses.len() < MAX_WALKED
    });
    addresses
}

/// The crate a demangled function name belongs to: `<my_app::Foo as core::fmt::Display>::fmt`
/// belongs to `my_app`.
fn crate_of(function: &str) -> &str {
    let trimmed = function
        .trim_start_matches('<')
        .trim_start_matches('&')
        .trim_start_matches("mut ");
    trimmed.split("::").next().unwrap_or(trimmed)
}

/// Remove autoheal's own frames and the panic machinery from the top of `frames`, keeping the
/// function of core that panicked on `unwrap`/`expect`: it tells an `expect` (whose message is
/// the caller's own text) from any other panic.
pub(crate) fn trim_machinery(frames: &mut Vec<BacktraceFrame>) {
    let skip = frames
        .iter()
        .take_while(|f| is_machinery(&f.function))
        .count();
    let failed_unwrap = frames
        .get(..skip)
        .and_then(|top| top.iter().rposition(|f| is_unwrap_failure(&f.function)));
    match failed_unwrap {
        Some(at) => {
            frames.drain(..at);
            frames.drain(1..skip - at);
        }
        None => {
            frames.drain(..skip);
        }
    }
}

/// The function of core through which `Result::unwrap` and `Result::expect` panic.
pub(crate) const RESULT_UNWRAP_FAILED: &str = "core::result::unwrap_failed";
/// The function of core through which `Option::expect` panics.
pub(crate) const OPTION_EXPECT_FAILED: &str = "core::option::expect_failed";

/// The functions of core through which `Option`/`Result` `unwrap` and `expect` panic.
const UNWRAP_FAILURES: [&str; 3] = [
    RESULT_UNWRAP_FAILED,
    OPTION_EXPECT_FAILED,
    "core::option::unwrap_failed",
];

/// Whether `function` is one of [`UNWRAP_FAILURES`].
fn is_unwrap_failure(function: &str) -> bool {
    UNWRAP_FAILURES.contains(&function)
}

/// Whether a frame is autoheal's own, the backtrace crate's, or the std panic machinery.
fn is_machinery(function: &str) -> bool {
    matches!(
        crate_of(function),
        "autoheal" | "backtrace" | "std" | "core" | "alloc" | "__rustc"
    ) || function.starts_with("rust_begin_unwind")
        // `catch_unwind`'s intrinsic, around autoheal's own guarded code in the panic hook.
        || function.starts_with("__rust_")
        || function == "<unknown>"
}

/// Whether a frame is the application's: not std, not autoheal, not a dependency from the
/// registry, and not a runtime entry point. Without a source file, only frames of `app_crate`
/// count.
pub(crate) fn is_in_app(function: &str, file: Option<&str>, app_crate: &str) -> bool {
    let krate = crate_of(function);
    if FOREIGN_CRATES.contains(&krate) || krate.starts_with("__") || !function.contains("::") {
        return false;
    }
    match file {
        Some(path) => !is_foreign_path(path),
        None => !app_crate.is_empty() && krate == app_crate,
    }
}

/// Whether `path` is a file of std or of a crate from a registry or a git source.
pub(crate) fn is_foreign_path(path: &str) -> bool {
    let path = path.replace('\\', "/");
    path.starts_with("/rustc/")
        || path.contains("/.cargo/registry/")
        || path.contains("/.cargo/git/")
        || path.contains("/rustlib/")
        || path.contains("/cargo/registry/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str) -> BacktraceFrame {
        BacktraceFrame {
            function: function.to_string(),
            file: None,
            line: None,
            in_app: false,
        }
    }

    fn names(frames: &[BacktraceFrame]) -> Vec<&str> {
        frames.iter().map(|f| f.function.as_str()).collect()
    }

    #[test]
    fn the_machinery_is_trimmed_but_a_failed_unwrap_is_kept() {
        let mut expect = vec![
            frame("backtrace::backtrace::trace"),
            frame("autoheal::panic_hook::hook"),
            frame("std::panicking::rust_panic_with_hook"),
            frame("core::panicking::panic_fmt"),
            frame("core::result::unwrap_failed"),
            frame("my_app::load"),
            frame("my_app::main"),
        ];
        trim_machinery(&mut expect);
        assert_eq!(
            names(&expect),
            [
                "core::result::unwrap_failed",
                "my_app::load",
                "my_app::main"
            ]
        );
        let mut other = vec![
            frame("__rust_try"),
            frame("std::panic::catch_unwind"),
            frame("autoheal::panic_hook::report_panic"),
            frame("std::panicking::begin_panic"),
            frame("core::panicking::panic_bounds_check"),
            frame("my_app::load"),
        ];
        trim_machinery(&mut other);
        assert_eq!(names(&other), ["my_app::load"]);
    }

    #[test]
    fn application_frames_are_in_app() {
        assert!(is_in_app(
            "my_app::config::load",
            Some("/home/u/my_app/src/config.rs"),
            "my_app"
        ));
        assert!(is_in_app(
            "<my_app::Server as my_app::Serve>::run",
            Some("src/server.rs"),
            "my_app"
        ));
        assert!(is_in_app(
            "my_app::main::{{closure}}",
            Some("src/main.rs"),
            "my_app"
        ));
        // A release build without debug info: no file, so the crate decides.
        assert!(is_in_app("my_app::config::load", None, "my_app"));
        assert!(!is_in_app("other_dep::parse", None, "my_app"));
    }

    #[test]
    fn std_autoheal_and_dependencies_are_not_in_app() {
        let app = "my_app";
        assert!(!is_in_app(
            "std::rt::lang_start",
            Some("/rustc/abc/library/std/src/rt.rs"),
            app
        ));
        assert!(!is_in_app(
            "core::ops::function::FnOnce::call_once",
            None,
            app
        ));
        assert!(!is_in_app(
            "autoheal::frames::Frame::fail",
            Some("/src/autoheal/src/frames.rs"),
            app
        ));
        assert!(!is_in_app(
            "serde_json::de::from_str",
            Some("/home/u/.cargo/registry/src/index.crates.io-1/serde_json-1.0.0/src/de.rs"),
            app
        ));
        assert!(!is_in_app(
            "tokio::runtime::park::run",
            Some("/x/tokio/src/park.rs"),
            app
        ));
        assert!(!is_in_app("main", None, app));
        assert!(!is_in_app("__libc_start_main", None, app));
    }

    #[test]
    fn capture_then_resolve_finds_this_test() {
        let frames = UnresolvedBacktrace::capture().resolve("autoheal");
        assert!(!frames.is_empty());
        assert!(
            !frames[0].function.starts_with("autoheal::stack"),
            "top frame {:?} should be trimmed",
            frames[0]
        );
        assert!(
            frames
                .iter()
                .all(|f| !f.function.starts_with("backtrace::"))
        );
    }
}
