//! The fingerprint that groups reports of one bug: the same failure from another run, machine,
//! port or temporary directory gets the same fingerprint; a different site or error type gets
//! another.

use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::Report;

/// How many of the innermost application frames take part.
const TOP_FRAMES: usize = 3;

/// Volatile parts of messages, most specific first, each with its stand-in.
static VOLATILE: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "<uuid>",
        ),
        (
            r"(?:/tmp|/var/tmp|/var/folders|/private/var/folders|/dev/shm)(?:/[^\s:'\x22,)]*)?",
            "<tmp>",
        ),
        (
            r"(?i)[a-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp(?:\\[^\s:'\x22,)]*)?",
            "<tmp>",
        ),
        (r"(?:/home|/Users)/[^/\s:'\x22,)]+", "<home>"),
        (r"\b0x[0-9a-fA-F]+\b", "<addr>"),
        (r"(?i)\b[0-9a-f]{12,}\b", "<hex>"),
        (
            r"\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds|m|min|minutes|h|hours)\b",
            "<duration>",
        ),
        (r":\d{2,5}\b", ":<port>"),
        (r"\d+", "<n>"),
    ]
    .into_iter()
    .filter_map(|(pattern, mask)| Regex::new(pattern).ok().map(|re| (re, mask)))
    .collect()
});

/// The fingerprint of a report: 32 lowercase hex digits of a SHA-256 over the error type, the
/// masked message, the site and the top in-app frames.
pub(crate) fn fingerprint(report: &Report) -> String {
    let mut hasher = Sha256::new();
    let mut field = |text: &str| {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    };
    field(&report.error.type_name);
    field(&mask_volatile(&report.error.message));
    field(&report.site.module);
    field(&report.site.function);
    for frame in report
        .backtrace
        .iter()
        .filter(|f| f.in_app)
        .take(TOP_FRAMES)
    {
        field(&frame.function);
    }
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `message` with the parts that change from run to run replaced by stand-ins.
pub(crate) fn mask_volatile(message: &str) -> String {
    VOLATILE
        .iter()
        .fold(message.to_string(), |text, (pattern, mask)| {
            pattern.replace_all(&text, *mask).into_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BacktraceFrame, ErrorDetails, Site};

    fn report(type_name: &str, message: &str, function: &str, frames: &[&str]) -> Report {
        let mut report = crate::report::sample();
        report.error = ErrorDetails {
            type_name: type_name.into(),
            message: message.into(),
            chain: vec![],
        };
        report.site = Site {
            function: function.into(),
            module: "app::net".into(),
            file: "src/net.rs".into(),
            line: 10,
        };
        report.backtrace = frames
            .iter()
            .map(|f| BacktraceFrame {
                function: (*f).into(),
                file: None,
                line: Some(1),
                in_app: true,
            })
            .collect();
        report
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(VOLATILE.len(), 9);
    }

    #[test]
    fn volatile_parts_are_masked() {
        assert_eq!(
            mask_volatile("address 127.0.0.1:8004 in use"),
            "address <n>.<n>.<n>.<n>:<port> in use"
        );
        assert_eq!(
            mask_volatile("timed out after 1.5s"),
            "timed out after <duration>"
        );
        assert_eq!(
            mask_volatile("timed out after 300ms"),
            "timed out after <duration>"
        );
        assert_eq!(
            mask_volatile("no file /tmp/.tmpA1b2C3/pins.txt"),
            "no file <tmp>"
        );
        assert_eq!(
            mask_volatile("no file /home/alice/pins.txt"),
            "no file <home>/pins.txt"
        );
        assert_eq!(
            mask_volatile("request 550e8400-e29b-41d4-a716-446655440000 failed"),
            "request <uuid> failed"
        );
        assert_eq!(
            mask_volatile("object 4bf92f3577b34da6a3ce929d0e0e4736 missing"),
            "object <hex> missing"
        );
        assert_eq!(
            mask_volatile("null pointer 0x7ffd5e8c"),
            "null pointer <addr>"
        );
        assert_eq!(
            mask_volatile("expected value at line 3 column 7"),
            "expected value at line <n> column <n>"
        );
        assert_eq!(mask_volatile("key not found"), "key not found");
    }

    #[test]
    fn the_same_bug_elsewhere_has_the_same_fingerprint() {
        let here = report(
            "io::Error",
            "bind 127.0.0.1:8004: address in use",
            "app::serve",
            &["app::serve", "app::main"],
        );
        let there = report(
            "io::Error",
            "bind 10.1.2.3:9001: address in use",
            "app::serve",
            &["app::serve", "app::main"],
        );
        assert_eq!(fingerprint(&here), fingerprint(&there));
        let mut moved = here.clone();
        moved.site.line = 99;
        moved.trace_id = "2".repeat(32);
        assert_eq!(
            fingerprint(&here),
            fingerprint(&moved),
            "line numbers and trace IDs do not count"
        );
        assert_eq!(fingerprint(&here).len(), 32);
    }

    #[test]
    fn a_different_site_type_or_caller_is_a_different_bug() {
        let base = report(
            "io::Error",
            "address in use",
            "app::serve",
            &["app::serve", "app::main"],
        );
        let other_site = report(
            "io::Error",
            "address in use",
            "app::listen",
            &["app::serve", "app::main"],
        );
        let other_type = report(
            "AddrError",
            "address in use",
            "app::serve",
            &["app::serve", "app::main"],
        );
        let other_caller = report(
            "io::Error",
            "address in use",
            "app::serve",
            &["app::serve", "app::admin"],
        );
        let other_message = report(
            "io::Error",
            "permission denied",
            "app::serve",
            &["app::serve", "app::main"],
        );
        for other in [other_site, other_type, other_caller, other_message] {
            assert_ne!(fingerprint(&base), fingerprint(&other), "{:?}", other.error);
        }
    }
}
