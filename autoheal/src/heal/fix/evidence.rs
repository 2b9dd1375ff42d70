//! What the rules look at: the error's message and cause chain, bounded, and the facts read
//! from them — OS error codes (by the report's OS), `io::ErrorKind` names, paths, hosts and
//! ports. Every pattern is a `regex` (linear time, no backtracking) or a plain search, so any
//! text is read in time proportional to its length.

use std::sync::LazyLock;

use regex::Regex;

use crate::Report;
use crate::prefix::prefix_within;

/// The most of one text (message or cause) the rules read, in bytes.
const TEXT_BYTES: usize = 16 * 1024;
/// The most causes of the chain the rules read.
const CHAIN_ITEMS: usize = 32;

/// An error a rule recognises by its OS code, whose number depends on the OS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Errno {
    /// ENOENT (ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND on Windows).
    NotFound,
    /// EACCES and EPERM (ERROR_ACCESS_DENIED).
    PermissionDenied,
    /// EROFS (ERROR_WRITE_PROTECT).
    ReadOnly,
    /// ENOSPC (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).
    NoSpace,
    /// EMFILE and ENFILE (ERROR_TOO_MANY_OPEN_FILES).
    TooManyFiles,
    /// ENOMEM (ERROR_NOT_ENOUGH_MEMORY, ERROR_OUTOFMEMORY).
    NoMemory,
    /// ECONNREFUSED.
    ConnectionRefused,
    /// EADDRINUSE.
    AddrInUse,
    /// ETIMEDOUT.
    TimedOut,
}

impl Errno {
    /// The codes of this error on `os` (`std::env::consts::OS`; Linux when unknown).
    fn codes(self, os: &str) -> &'static [i32] {
        let windows = os == "windows";
        let linux = matches!(os, "linux" | "android" | "");
        match self {
            Errno::NotFound if windows => &[2, 3],
            Errno::NotFound => &[2],
            Errno::PermissionDenied if windows => &[5],
            Errno::PermissionDenied => &[13, 1],
            Errno::ReadOnly if windows => &[19],
            Errno::ReadOnly => &[30],
            Errno::NoSpace if windows => &[112, 39],
            Errno::NoSpace => &[28],
            Errno::TooManyFiles if windows => &[4],
            Errno::TooManyFiles => &[24, 23],
            Errno::NoMemory if windows => &[8, 14],
            Errno::NoMemory => &[12],
            Errno::ConnectionRefused if windows => &[10061],
            Errno::ConnectionRefused if linux => &[111],
            Errno::ConnectionRefused => &[61],
            Errno::AddrInUse if windows => &[10048],
            Errno::AddrInUse if linux => &[98],
            Errno::AddrInUse => &[48],
            Errno::TimedOut if windows => &[10060],
            Errno::TimedOut if linux => &[110],
            Errno::TimedOut => &[60],
        }
    }
}

/// A host and, when known, a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// A host name or an address (IPv6 in brackets).
    pub(crate) host: String,
    /// The port, when the text has one (or a URL's scheme implies it).
    pub(crate) port: Option<u16>,
}

impl Endpoint {
    /// `host:port`, or the host alone.
    pub(crate) fn address(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }
}

/// The texts of one report, ready for the rules.
#[derive(Debug)]
pub(crate) struct Evidence<'a> {
    /// The report.
    pub(crate) report: &'a Report,
    /// The message, then the causes, each bounded.
    texts: Vec<&'a str>,
    /// The same, in lower case, for case-insensitive searches.
    lower: Vec<String>,
    /// The first `(os error N)` of the texts.
    pub(crate) os_error: Option<i32>,
    /// The report's log lines in lower case, bounded: a CI job's output, where the linker's
    /// or cargo's own words stand below the error line.
    log: Vec<String>,
}

/// The most log lines the rules read.
const LOG_LINES: usize = 400;

static OS_ERROR: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"os error (-?\d{1,6})\b").ok());

impl<'a> Evidence<'a> {
    /// The evidence of `report`: its message and its cause chain.
    pub(crate) fn of(report: &'a Report) -> Self {
        let texts = std::iter::once(report.error.message.as_str())
            .chain(
                report
                    .error
                    .chain
                    .iter()
                    .take(CHAIN_ITEMS)
                    .map(String::as_str),
            )
            .map(|text| prefix_within(text, TEXT_BYTES))
            .collect();
        Self::from_texts(report, texts)
    }

    /// Evidence from `texts` (a part of the report's message) with `report` for the rest.
    pub(crate) fn from_texts(report: &'a Report, texts: Vec<&'a str>) -> Self {
        let lower = texts.iter().map(|t| t.to_lowercase()).collect();
        let os_error = texts.iter().find_map(|text| {
            let regex = OS_ERROR.as_ref()?;
            regex.captures(text)?.get(1)?.as_str().parse().ok()
        });
        let log = report
            .logs
            .iter()
            .take(LOG_LINES)
            .map(|line| prefix_within(line, TEXT_BYTES / 4).to_lowercase())
            .collect();
        Evidence {
            report,
            texts,
            lower,
            os_error,
            log,
        }
    }

    /// The message and the causes, outermost first.
    pub(crate) fn texts(&self) -> &[&'a str] {
        &self.texts
    }

    /// Whether the OS error code is `errno` on the report's OS.
    pub(crate) fn errno(&self, errno: Errno) -> bool {
        self.os_error
            .is_some_and(|code| errno.codes(&self.report.system.os).contains(&code))
    }

    /// Whether a text names the `io::ErrorKind` `kind` in its `Debug` form
    /// (`kind: NotFound`, `Kind(NotFound)`).
    pub(crate) fn kind(&self, kind: &str) -> bool {
        let kind = kind.to_lowercase();
        self.lower
            .iter()
            .any(|t| t.contains(&format!("kind: {kind}")) || t.contains(&format!("kind({kind})")))
    }

    /// Whether a text contains one of `needles`, ignoring ASCII case (give them in lower case).
    pub(crate) fn mentions(&self, needles: &[&str]) -> bool {
        self.lower
            .iter()
            .any(|text| needles.iter().any(|needle| text.contains(needle)))
    }

    /// Whether a text or a log line contains one of `needles` (in lower case).
    pub(crate) fn mentions_with_log(&self, needles: &[&str]) -> bool {
        self.mentions(needles)
            || self
                .log
                .iter()
                .any(|line| needles.iter().any(|needle| line.contains(needle)))
    }

    /// The first match of `regex` in the texts, then in the log lines (in lower case).
    pub(crate) fn captures_with_log(&self, regex: &Regex) -> Option<String> {
        self.texts
            .iter()
            .find_map(|text| Some(regex.captures(text)?.get(1)?.as_str().to_string()))
            .or_else(|| {
                self.report.logs.iter().take(LOG_LINES).find_map(|line| {
                    let line = prefix_within(line, TEXT_BYTES / 4);
                    Some(regex.captures(line)?.get(1)?.as_str().to_string())
                })
            })
    }

    /// The first match of `regex` in the texts, with its capture groups.
    pub(crate) fn captures(&self, regex: &Regex) -> Option<regex::Captures<'a>> {
        self.texts.iter().find_map(|text| regex.captures(text))
    }

    /// The path of the failing call: the first path the error or its causes name, else the
    /// first path-shaped field of the failing span (innermost first), else a command-line
    /// argument only when a span field shows the function used it. `None` when nothing says
    /// which path failed: an argument the error does not name may be any other file (the
    /// program's output folder, say), and a diagnosis that named it would mislead.
    pub(crate) fn path(&self) -> Option<String> {
        self.texts
            .iter()
            .find_map(|text| path_in(text))
            .or_else(|| {
                self.span_values()
                    .find(|value| looks_like_path(value) && !value.contains("://"))
                    .map(|value| prefix_within(&value, 1024).to_string())
            })
            .or_else(|| self.path_argument())
    }

    /// The first argument of the command that looks like a path and that a field of the
    /// failing spans holds: the argument the failing function used.
    pub(crate) fn path_argument(&self) -> Option<String> {
        self.arguments_used()
            .filter(|arg| !arg.starts_with('-') && !arg.contains("://"))
            .find(|arg| looks_like_path(arg) || has_extension(arg))
            .map(|arg| prefix_within(arg, 1024).to_string())
    }

    /// The command's arguments that a field of the failing spans holds.
    fn arguments_used(&self) -> impl Iterator<Item = &'a str> + '_ {
        let values: Vec<String> = self.span_values().collect();
        self.report
            .command
            .args
            .iter()
            .map(String::as_str)
            .filter(move |arg| !arg.is_empty() && values.iter().any(|value| value == arg))
    }

    /// The field values of the report's spans, innermost span first (`load{path="/x"}` gives
    /// `/x`), each unquoted and bounded.
    pub(crate) fn span_values(&self) -> impl Iterator<Item = String> + '_ {
        self.report
            .spans
            .iter()
            .rev()
            .take(CHAIN_ITEMS)
            .flat_map(|span| span_fields(prefix_within(span, TEXT_BYTES)))
            .map(|(_, value)| value)
    }

    /// The host (and port) of the failing call: from the error or its causes, else from a
    /// field of the failing spans, else from an argument a span field shows it used.
    pub(crate) fn endpoint(&self) -> Option<Endpoint> {
        self.texts
            .iter()
            .copied()
            .find_map(endpoint_in)
            .or_else(|| self.span_values().find_map(|value| endpoint_in(&value)))
            .or_else(|| self.arguments_used().find_map(endpoint_in))
    }

    /// The port of the failing call: an endpoint's, else a span's `port` field, else
    /// `--port N` when a span field shows the function used it.
    pub(crate) fn port(&self) -> Option<u16> {
        self.endpoint()
            .and_then(|e| e.port)
            .or_else(|| {
                self.report
                    .spans
                    .iter()
                    .rev()
                    .flat_map(|span| span_fields(prefix_within(span, TEXT_BYTES)))
                    .find(|(name, _)| name == "port")
                    .and_then(|(_, value)| value.parse().ok())
            })
            .or_else(|| {
                let port = self.port_argument()?;
                self.span_values()
                    .any(|value| value == port.to_string())
                    .then_some(port)
            })
    }

    /// The value of `--port N`, `--port=N` or `-p N` on the command line.
    pub(crate) fn port_argument(&self) -> Option<u16> {
        let args = &self.report.command.args;
        args.iter().enumerate().find_map(|(i, arg)| {
            if let Some(value) = arg.strip_prefix("--port=") {
                return value.parse().ok();
            }
            if arg == "--port" || arg == "-p" {
                return args.get(i + 1)?.parse().ok();
            }
            None
        })
    }
}

/// The fields of one span label, `name{a=1 path="/x y"}`: `(a, 1)`, `(path, /x y)`.
pub(crate) fn span_fields(label: &str) -> Vec<(String, String)> {
    static FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r#"(?:\{|\s)([A-Za-z_][A-Za-z0-9_.]{0,63})=("(?:[^"\\]|\\.){0,1024}"|[^\s}]{1,1024})"#,
        )
        .ok()
    });
    let Some(regex) = FIELD.as_ref() else {
        return Vec::new();
    };
    let Some(open) = label.find('{') else {
        return Vec::new();
    };
    let fields = label.get(open..).unwrap_or("");
    regex
        .captures_iter(fields)
        .filter_map(|captures| {
            let name = captures.get(1)?.as_str().to_string();
            let raw = captures.get(2)?.as_str();
            let value = match raw.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\\\\", "\\").replace("\\\"", "\""),
                None => raw.to_string(),
            };
            Some((name, value))
        })
        .collect()
}

/// The first path in `text`: a quoted one, else a bare absolute or relative one.
pub(crate) fn path_in(text: &str) -> Option<String> {
    quoted_path(text).or_else(|| {
        text.split_whitespace()
            .map(trim_token)
            .find(|token| looks_like_path(token) && !token.contains("://"))
            .map(|token| strip_line_column(token).to_string())
    })
}

/// A path in quotes or backticks (Debug output quotes paths: `path: "/etc/app.toml"`).
fn quoted_path(text: &str) -> Option<String> {
    static QUOTED: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#""([^"\n]{1,1024})"|'([^'\n]{1,1024})'|`([^`\n]{1,1024})`"#).ok()
    });
    let regex = QUOTED.as_ref()?;
    regex.captures_iter(text).find_map(|captures| {
        let inner = captures
            .get(1)
            .or_else(|| captures.get(2))
            .or_else(|| captures.get(3))?
            .as_str();
        (looks_like_path(inner) && !inner.contains("://")).then(|| inner.to_string())
    })
}

/// Punctuation around a word of running text: `(/etc/x),` → `/etc/x`.
fn trim_token(token: &str) -> &str {
    token
        .trim_start_matches(['(', '[', '{', '"', '\'', '`', '<'])
        .trim_end_matches([':', ',', ';', '.', ')', ']', '}', '"', '\'', '`', '>'])
}

/// `/a/b.json:3:5` → `/a/b.json`.
fn strip_line_column(token: &str) -> &str {
    let mut rest = token;
    for _ in 0..2 {
        match rest.rsplit_once(':') {
            Some((head, tail)) if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) => {
                rest = head;
            }
            _ => break,
        }
    }
    rest
}

/// Whether `token` is shaped like a path: absolute, home-relative, dot-relative, a Windows
/// drive path, or a relative path whose last part has an extension.
pub(crate) fn looks_like_path(token: &str) -> bool {
    let drive = token.len() > 3
        && token
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
        && token.get(1..3).is_some_and(|s| s == ":\\" || s == ":/");
    let anchored = (token.starts_with('/') && token.len() > 1 && !token.starts_with("//"))
        || token.starts_with("~/")
        || token.starts_with("./")
        || token.starts_with("../")
        || drive;
    let relative = token.contains('/') && has_extension(token.rsplit('/').next().unwrap_or(""));
    ((anchored || relative) && !token.contains(char::is_whitespace)) || quoted_with_space(token)
}

/// An absolute path that holds spaces (only ever found between quotes).
fn quoted_with_space(token: &str) -> bool {
    token.starts_with('/') && token.len() > 1 && token.contains(' ') && !token.contains("  ")
}

/// Whether the last part of `name` is `stem.ext` with a short alphanumeric extension.
fn has_extension(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=6).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && ext.chars().any(|c| c.is_ascii_alphabetic())
                && !name.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The first endpoint in `text`: a URL, a multiaddr (`/ip4/127.0.0.1/tcp/5001`) or `host:port`.
pub(crate) fn endpoint_in(text: &str) -> Option<Endpoint> {
    static URL: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(https?|wss?)://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?").ok()
    });
    static MULTIADDR: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"/(?:ip4|ip6|dns|dns4|dns6)/([0-9A-Za-z.:-]+)/tcp/(\d{1,5})").ok()
    });
    static HOST_PORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:^|[\s(,'`=@])((?:\d{1,3}\.){3}\d{1,3}|localhost|\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}):(\d{1,5})\b",
        )
        .ok()
    });
    if let Some(captures) = URL.as_ref().and_then(|r| r.captures(text)) {
        let scheme = captures.get(1)?.as_str().to_lowercase();
        let host = captures.get(2)?.as_str().to_string();
        let port = match captures.get(3) {
            Some(port) => port.as_str().parse().ok(),
            None if scheme == "https" || scheme == "wss" => Some(443),
            None => Some(80),
        };
        return Some(Endpoint { host, port });
    }
    [MULTIADDR.as_ref(), HOST_PORT.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|regex| {
            let captures = regex.captures(text)?;
            let host = captures.get(1)?.as_str();
            let source_file = host.rsplit_once('.').is_some_and(|(_, ext)| {
                SOURCE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
            });
            if source_file {
                return None;
            }
            Some(Endpoint {
                host: host.to_string(),
                port: captures.get(2)?.as_str().parse().ok(),
            })
        })
}

/// Extensions of files that `name.ext:42` names with a line, not a host with a port.
const SOURCE_EXTENSIONS: &[&str] = &[
    "rs", "toml", "json", "yaml", "yml", "md", "txt", "log", "py", "go", "js", "ts", "c", "h",
    "cc", "cpp", "hpp", "java", "rb", "sh", "lock",
];

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
