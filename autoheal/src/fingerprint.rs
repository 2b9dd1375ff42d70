//! The fingerprint that groups reports of one bug: the same failure from another run, machine,
//! port or temporary directory gets the same fingerprint; a different site or error type gets
//! another.
//!
//! It hashes the error type, the message with its volatile parts masked, the site's module and
//! function (never its line) and the names of the innermost application frames, each
//! length-prefixed, with SHA-256: the same input gives the same fingerprint on every machine,
//! build and Rust version.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::sha256::Sha256;
use regex_lite::{Captures, Regex};

use crate::Report;

/// How many of the innermost application frames take part.
const TOP_FRAMES: usize = 3;

/// Bytes of the SHA-256 digest kept: 32 hex digits.
const FINGERPRINT_BYTES: usize = 16;

/// What replaces a volatile part.
#[derive(Clone, Copy, Debug)]
enum StandIn {
    /// Every match.
    Always(&'static str),
    /// Matches containing a digit: `a1b2c3d4` is a hex id, `deadbeef` may be a word.
    WithDigit(&'static str),
}

use StandIn::{Always, WithDigit};

/// Volatile parts of messages, most specific first, each with its stand-in.
const VOLATILE: &[(&str, StandIn)] = &[
    (
        r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        Always("<uuid>"),
    ),
    // IPFS content IDs: CIDv1 in base32, CIDv0 in base58.
    (
        r"\b(?:b[a-z2-7]{58,}|Qm[1-9A-HJ-NP-Za-km-z]{44})\b",
        Always("<cid>"),
    ),
    // Temporary directories: Unix, macOS, Windows.
    (
        r"(?:/private)?(?:/tmp|/var/tmp|/var/folders|/dev/shm)(?:/[^\s:'\x22,)]*)?",
        Always("<tmp>"),
    ),
    (
        r"(?i)(?:[a-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp|[a-z]:\\Windows\\Temp|%TE?MP%)(?:\\[^\s:'\x22,)]*)?",
        Always("<tmp>"),
    ),
    // Home directories: the user's name is volatile, the path below it is not.
    (
        r"(?:/home/[^/\s:'\x22,)]+|/Users/[^/\s:'\x22,)]+|/root\b)",
        Always("<home>"),
    ),
    (r"(?i)\b[a-z]:\\Users\\[^\\\s:'\x22,)]+", Always("<home>")),
    (r"\b0x[0-9a-fA-F]+\b", Always("<addr>")),
    (r"\b[0-9a-fA-F]{8,}\b", WithDigit("<hex>")),
    (
        r"\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|secs?|seconds?|m|mins?|minutes?|h|hours?)\b",
        Always("<duration>"),
    ),
    (r":\d{2,5}\b", Always(":<port>")),
    (r"\d+", Always("<n>")),
];

static VOLATILE_COMPILED: LazyLock<Vec<(Regex, StandIn)>> = LazyLock::new(|| {
    VOLATILE
        .iter()
        .filter_map(|(pattern, stand_in)| Regex::new(pattern).ok().map(|re| (re, *stand_in)))
        .collect()
});

/// Build hashes and numbered closures in function names: `::h0123456789abcdef` at the end,
/// `{closure#0}` (v0 mangling) for `{{closure}}` (legacy mangling).
static FUNCTION_NOISE: LazyLock<Option<(Regex, Regex)>> = LazyLock::new(|| {
    let hash = Regex::new(r"::h[0-9a-f]{16}$").ok()?;
    let numbered = Regex::new(r"\{([a-z_]+)#\d+\}").ok()?;
    Some((hash, numbered))
});

/// The fingerprint of a report: 32 lowercase hex digits of a SHA-256 over the error type, the
/// masked message, the site and the top in-app frames.
pub(crate) fn fingerprint(report: &Report) -> String {
    // The operation, as before the site kept the function's path beside the `name` argument:
    // the reports of a named function keep grouping with the issues already filed for it.
    let site_function = stable_function(report.site.operation());
    let mut fields = vec![
        Cow::Borrowed(report.error.type_name.as_str()),
        Cow::Owned(mask_volatile(&report.error.message)),
        Cow::Borrowed(report.site.module.as_str()),
        Cow::Borrowed(without_line(&site_function)),
    ];
    for frame in report
        .backtrace
        .iter()
        .filter(|f| f.in_app)
        .take(TOP_FRAMES)
    {
        fields.push(stable_function(&frame.function));
    }
    digest(fields.iter().map(|field| field.as_ref()))
}

/// 32 lowercase hex digits of a SHA-256 over `fields`, each preceded by its length, so that
/// no two lists of fields give the same input.
pub(crate) fn digest<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(FINGERPRINT_BYTES)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `message` with the parts that change from run to run replaced by stand-ins: UUIDs, CIDs,
/// temporary and home directories, addresses, hex ids, durations, ports and numbers.
pub(crate) fn mask_volatile(message: &str) -> String {
    VOLATILE_COMPILED.iter().fold(
        message.to_string(),
        |text, (pattern, stand_in)| match *stand_in {
            Always(stand_in) => pattern.replace_all(&text, stand_in).into_owned(),
            WithDigit(stand_in) => pattern
                .replace_all(&text, |caps: &Captures<'_>| {
                    let found = caps.get(0).map_or("", |m| m.as_str());
                    if found.bytes().any(|b| b.is_ascii_digit()) {
                        stand_in.to_string()
                    } else {
                        found.to_string()
                    }
                })
                .into_owned(),
        },
    )
}

/// A function name as every build and Rust version spells it.
fn stable_function(function: &str) -> Cow<'_, str> {
    let Some((hash, numbered)) = FUNCTION_NOISE.as_ref() else {
        return Cow::Borrowed(function);
    };
    match hash.replace(function, "") {
        Cow::Borrowed(name) => numbered.replace_all(name, "{{$1}}"),
        Cow::Owned(name) => Cow::Owned(numbered.replace_all(&name, "{{$1}}").into_owned()),
    }
}

/// A site known only by its location (`src/main.rs:42`) without the line.
fn without_line(function: &str) -> &str {
    match function.rsplit_once(':') {
        Some((location, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
            location
        }
        _ => function,
    }
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
            root_type: None,
        };
        report.site = Site {
            function: function.into(),
            name: None,
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
        assert_eq!(VOLATILE_COMPILED.len(), VOLATILE.len());
        assert!(FUNCTION_NOISE.is_some());
    }

    #[test]
    fn volatile_parts_are_masked() {
        for (message, masked) in [
            (
                "address 127.0.0.1:8004 in use",
                "address <n>.<n>.<n>.<n>:<port> in use",
            ),
            ("timed out after 1.5s", "timed out after <duration>"),
            ("timed out after 300ms", "timed out after <duration>"),
            ("retry in 2 minutes", "retry in <duration>"),
            ("no file /tmp/.tmpA1b2C3/pins.txt", "no file <tmp>"),
            (
                "no file /var/folders/x1/abc/T/.tmpQ/pins.txt: denied",
                "no file <tmp>: denied",
            ),
            (
                r"no file C:\Users\bob\AppData\Local\Temp\.tmpQ\pins.txt",
                "no file <tmp>",
            ),
            ("no file /home/alice/pins.txt", "no file <home>/pins.txt"),
            ("no file /Users/alice/pins.txt", "no file <home>/pins.txt"),
            (
                r"no file C:\Users\alice\pins.txt",
                r"no file <home>\pins.txt",
            ),
            (
                "request 550e8400-e29b-41d4-a716-446655440000 failed",
                "request <uuid> failed",
            ),
            (
                "object 4bf92f3577b34da6a3ce929d0e0e4736 missing",
                "object <hex> missing",
            ),
            ("container a1b2c3d4 gone", "container <hex> gone"),
            (
                "pin bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e failed",
                "pin <cid> failed",
            ),
            (
                "pin QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG failed",
                "pin <cid> failed",
            ),
            ("null pointer 0x7ffd5e8c", "null pointer <addr>"),
            (
                "expected value at line 3 column 7",
                "expected value at line <n> column <n>",
            ),
            ("key not found", "key not found"),
            ("deadbeef accepted", "deadbeef accepted"),
        ] {
            assert_eq!(mask_volatile(message), masked, "{message}");
        }
    }

    #[test]
    fn the_same_bug_elsewhere_has_the_same_fingerprint() {
        let frames = &["app::serve", "app::main"];
        let here = report(
            "io::Error",
            "bind 127.0.0.1:8004 (/tmp/.tmpAb12/sock, 1.5s): address in use",
            "app::serve",
            frames,
        );
        let there = report(
            "io::Error",
            "bind 10.1.2.3:9001 (/tmp/.tmpZz99/sock, 300ms): address in use",
            "app::serve",
            frames,
        );
        assert_eq!(fingerprint(&here), fingerprint(&there));
        let mut moved = here.clone();
        moved.site.line = 99;
        moved.trace_id = "2".repeat(32);
        moved.timestamp = "2030-01-01T00:00:00.000Z".into();
        moved.system.pid = 4242;
        for frame in &mut moved.backtrace {
            frame.line = Some(frame.line.unwrap_or(0) + 7);
        }
        assert_eq!(
            fingerprint(&here),
            fingerprint(&moved),
            "lines, trace IDs, times and processes do not count"
        );
        let fingerprint = fingerprint(&here);
        assert_eq!(fingerprint.len(), 32);
        assert!(
            fingerprint
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        );
    }

    #[test]
    fn the_fingerprint_is_the_same_on_every_build() {
        let base = report("io::Error", "address in use", "app::serve", &["app::serve"]);
        // SHA-256 over the length-prefixed fields, computed independently of this code: a change
        // here would split every issue already filed in two.
        assert_eq!(fingerprint(&base), "d898185d6301043754de9880daf25d1e");
        let legacy = report(
            "io::Error",
            "address in use",
            "app::serve",
            &["app::serve::{{closure}}::h0123456789abcdef"],
        );
        let v0 = report(
            "io::Error",
            "address in use",
            "app::serve",
            &["app::serve::{closure#0}"],
        );
        assert_eq!(fingerprint(&legacy), fingerprint(&v0));
    }

    #[test]
    fn a_site_known_by_location_only_ignores_the_line() {
        let a = report("panic", "boom", "src/main.rs:42", &[]);
        let b = report("panic", "boom", "src/main.rs:57", &[]);
        let c = report("panic", "boom", "src/lib.rs:42", &[]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn only_the_top_in_app_frames_count() {
        let base = report(
            "E",
            "m",
            "app::f",
            &["app::a", "app::b", "app::c", "app::d"],
        );
        let deeper = report(
            "E",
            "m",
            "app::f",
            &["app::a", "app::b", "app::c", "app::x"],
        );
        assert_eq!(fingerprint(&base), fingerprint(&deeper));
        let mut with_std = base.clone();
        with_std.backtrace.insert(
            0,
            BacktraceFrame {
                function: "std::rt::lang_start".into(),
                file: None,
                line: None,
                in_app: false,
            },
        );
        assert_eq!(fingerprint(&base), fingerprint(&with_std));
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
        let mut other_module = base.clone();
        other_module.site.module = "app::admin".into();
        for other in [
            other_site,
            other_type,
            other_caller,
            other_message,
            other_module,
        ] {
            assert_ne!(fingerprint(&base), fingerprint(&other), "{:?}", other.error);
        }
    }
}
