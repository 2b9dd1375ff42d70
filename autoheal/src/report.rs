//! The report: everything known about one failure, in the JSON shape that is embedded in
//! every issue and read back by the fix generator.

use std::collections::BTreeMap;

/// The version of the report's JSON shape. Bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// One captured failure, ready to be redacted, fingerprinted and sent.
///
/// Serialises to exactly the shape documented in `docs/AUTO_HEALING.md` and round-trips
/// through `serde_json`.
///
/// The report types are `#[non_exhaustive]`: a later release may add a field (and a JSON key)
/// without breaking code that builds or destructures them. Outside this crate, start from
/// [`Report::default`] and the parts' constructors, then set the public fields:
///
/// ```
/// use autoheal::{BacktraceFrame, ErrorDetails, Report, ReportKind, Site};
///
/// let mut report = Report::default();
/// report.kind = ReportKind::Panic;
/// report.error = ErrorDetails::new("panic", "index out of bounds");
/// report.site = Site::new("my_app::pick", "src/pick.rs", 12).with_module("my_app");
/// report.backtrace.push(
///     BacktraceFrame::new("my_app::pick")
///         .with_file("src/pick.rs")
///         .with_line(12)
///         .with_in_app(true),
/// );
/// assert_eq!(report.operation(), "my_app::pick");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Version of this JSON shape ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// W3C trace-context compatible trace ID: 32 lowercase hex digits.
    pub trace_id: String,
    /// When the failure was captured, RFC 3339 in UTC.
    pub timestamp: String,
    /// Groups reports of the same bug: 16 or more lowercase hex digits.
    pub fingerprint: String,
    /// Whether this was an error returned from a function or a panic.
    pub kind: ReportKind,
    /// What went wrong.
    pub error: ErrorDetails,
    /// Where it first went wrong: the innermost annotated function it escaped.
    pub site: Site,
    /// The annotated functions the error passed through, innermost first.
    pub frames: Vec<String>,
    /// The command line of the process.
    pub command: CommandLine,
    /// The resolved backtrace, innermost frame first; empty when stack traces are off.
    pub backtrace: Vec<BacktraceFrame>,
    /// Recent log lines, oldest first.
    pub logs: Vec<String>,
    /// The tracing span stack where the error was captured, outermost first.
    pub spans: Vec<String>,
    /// Allow-listed, redacted environment variables.
    pub env: BTreeMap<String, String>,
    /// Facts about the machine and the program.
    pub system: SystemInfo,
    /// Labels for the issue: the configured ones plus the attribute's.
    pub labels: Vec<String>,
}

/// An empty error report of the current [`SCHEMA_VERSION`]: every text, list and map empty.
/// Not derived, so that the schema is the current one rather than 0 and the kind is
/// [`ReportKind::Error`], the kind of every report not raised by a panic.
impl Default for Report {
    fn default() -> Self {
        Report {
            schema: SCHEMA_VERSION,
            trace_id: String::new(),
            timestamp: String::new(),
            fingerprint: String::new(),
            kind: ReportKind::Error,
            error: ErrorDetails::default(),
            site: Site::default(),
            frames: Vec::new(),
            command: CommandLine::default(),
            backtrace: Vec::new(),
            logs: Vec::new(),
            spans: Vec::new(),
            env: BTreeMap::new(),
            system: SystemInfo::default(),
            labels: Vec::new(),
        }
    }
}

/// The kinds of failure autoheal captures.
///
/// `#[non_exhaustive]`: a later release may capture another kind, so a `match` on it needs a
/// wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportKind {
    /// An `Err` that escaped an annotated function, or one passed to `capture_error` or
    /// `capture_message`.
    Error,
    /// A panic caught by the panic hook.
    Panic,
}

/// The error itself: its type, its message and the messages of its causes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetails {
    /// The error's type name, without its module path (`Error`, `ConfigError`, `panic`).
    pub type_name: String,
    /// The error's `Display` text (or `Debug` when it has no `Display`).
    pub message: String,
    /// The messages of its `source()` chain, outermost cause first.
    pub chain: Vec<String>,
    /// The type of the last cause in that chain, where it can be named (`io::Error`), when it
    /// is not the error's own: the title names both (`SyncError ← io::Error`), so that a
    /// failure reads the same however it was wrapped.
    pub root_type: Option<String>,
}

impl ErrorDetails {
    /// An error of type `type_name` with `message` and no causes.
    pub fn new(type_name: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorDetails {
            type_name: type_name.into(),
            message: message.into(),
            chain: Vec::new(),
            root_type: None,
        }
    }

    /// The same error with `chain` as the messages of its causes, outermost first.
    #[must_use]
    pub fn with_chain<I>(mut self, chain: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.chain = chain.into_iter().map(Into::into).collect();
        self
    }
}

/// A source location with the function it belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Site {
    /// The function's path (`my_app::Server::start`), whatever the attribute names it.
    pub function: String,
    /// The operation's name given with `#[auto_heal(name = "...")]`, if any. Absent from the
    /// JSON when not given.
    pub name: Option<String>,
    /// The module path of the function (`my_app::config`).
    pub module: String,
    /// The source file, as the compiler saw it.
    pub file: String,
    /// The line of the function (or of the panic).
    pub line: u32,
}

impl Site {
    /// The site of `function`, at `line` of `file`, with no module path.
    pub fn new(function: impl Into<String>, file: impl Into<String>, line: u32) -> Self {
        Site {
            function: function.into(),
            name: None,
            module: String::new(),
            file: file.into(),
            line,
        }
    }

    /// The same site of an operation named `name` (the attribute's `name = "..."`).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The operation as the user knows it: its `name` when given, else the function's path.
    pub fn operation(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.function)
    }

    /// The same site in the module `module` (`my_app::config`).
    #[must_use]
    pub fn with_module(mut self, module: impl Into<String>) -> Self {
        self.module = module.into();
        self
    }
}

/// The program and its arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandLine {
    /// The program's file name (`ipfs-kit`), without its directory.
    pub program: String,
    /// The arguments after the program name, redacted.
    pub args: Vec<String>,
}

impl CommandLine {
    /// `program` run with `args` (the arguments after the program name).
    pub fn new<I>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        CommandLine {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }
}

/// One resolved frame of a backtrace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BacktraceFrame {
    /// The demangled function name, without its hash.
    pub function: String,
    /// The source file, when debug info has it.
    pub file: Option<String>,
    /// The source line, when debug info has it.
    pub line: Option<u32>,
    /// Whether the frame belongs to the application (not std, not autoheal, not a dependency).
    pub in_app: bool,
}

impl BacktraceFrame {
    /// A frame of `function` with no source location, not in the application; the `with_*`
    /// methods add what debug info told.
    pub fn new(function: impl Into<String>) -> Self {
        BacktraceFrame {
            function: function.into(),
            file: None,
            line: None,
            in_app: false,
        }
    }

    /// The same frame in the source file `file`.
    #[must_use]
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// The same frame at source line `line`.
    #[must_use]
    pub fn with_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// The same frame, marked as the application's own code or not.
    #[must_use]
    pub fn with_in_app(mut self, in_app: bool) -> Self {
        self.in_app = in_app;
        self
    }
}

/// Facts about the machine and the running program.
///
/// Outside this crate, build one from [`SystemInfo::default`] and set its public fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SystemInfo {
    /// `std::env::consts::OS`.
    pub os: String,
    /// `std::env::consts::ARCH`.
    pub arch: String,
    /// The application's name.
    pub app: String,
    /// The application's version.
    pub app_version: String,
    /// The rustc version the application was built with.
    pub rust_version: String,
    /// The process ID.
    pub pid: u32,
    /// The working directory, with the home directory shown as `~`.
    pub cwd: String,
    /// The commit the program was built from, when the build said (see
    /// [`App::with_build_commit`](crate::config::App::with_build_commit)).
    pub commit: Option<String>,
    /// Where the program's source is browsed at that commit,
    /// `https://github.com/OWNER/REPO/blob/COMMIT`: the issue links in-app frames below it.
    pub source_url: Option<String>,
}

impl Report {
    /// Read a report from the JSON text of the file at `path`; a parse error names the file,
    /// line and column.
    pub(crate) fn from_json_file(path: &std::path::Path, text: &str) -> crate::Result<Report> {
        serde_json::from_str(text).map_err(|e| crate::Error::MalformedConfig {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// The report as pretty-printed JSON, the form embedded in issues and queue files.
    pub fn to_json_pretty(&self) -> String {
        // Serialising plain strings, numbers and maps cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The operation that failed, as the user ran it: the outermost annotated frame the
    /// failure passed through (its `name = "..."` when given), else the site's operation.
    pub fn operation(&self) -> &str {
        self.frames
            .last()
            .map_or(self.site.operation(), String::as_str)
    }
}

/// A small, complete report for unit tests.
#[cfg(test)]
pub(crate) fn sample() -> Report {
    Report {
        schema: SCHEMA_VERSION,
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".to_string(),
        timestamp: "2026-11-25T04:53:09.123Z".to_string(),
        fingerprint: "0123456789abcdef0123456789abcdef".to_string(),
        kind: ReportKind::Error,
        error: ErrorDetails {
            type_name: "io::Error".into(),
            message: "No such file or directory (os error 2)".into(),
            chain: vec![],
            root_type: None,
        },
        site: Site {
            function: "app::load".into(),
            name: None,
            module: "app".into(),
            file: "src/lib.rs".into(),
            line: 7,
        },
        frames: vec!["app::load".into()],
        command: CommandLine {
            program: "app".into(),
            args: vec!["load".into()],
        },
        backtrace: vec![],
        logs: vec![],
        spans: vec![],
        env: BTreeMap::new(),
        system: SystemInfo::default(),
        labels: vec!["auto-heal".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_report_is_an_error_of_the_current_schema() {
        let report = Report::default();
        assert_eq!(report.schema, SCHEMA_VERSION);
        assert_eq!(report.kind, ReportKind::Error);
        let json: serde_json::Value = serde_json::from_str(&report.to_json_pretty()).unwrap();
        assert_eq!(json["schema"], SCHEMA_VERSION);
        assert_eq!(json["kind"], "error");
    }

    #[test]
    fn constructors_fill_the_fields_they_name() {
        assert_eq!(
            ErrorDetails::new("io::Error", "not found").with_chain(["cause"]),
            ErrorDetails {
                type_name: "io::Error".into(),
                message: "not found".into(),
                chain: vec!["cause".into()],
                root_type: None,
            }
        );
        assert_eq!(
            Site::new("app::load", "src/lib.rs", 7).with_module("app"),
            Site {
                function: "app::load".into(),
                name: None,
                module: "app".into(),
                file: "src/lib.rs".into(),
                line: 7,
            }
        );
        assert_eq!(
            Site::new("app::load", "src/lib.rs", 7)
                .with_name("load settings")
                .name
                .as_deref(),
            Some("load settings")
        );
        assert_eq!(
            CommandLine::new("app", ["load", "--all"]),
            CommandLine {
                program: "app".into(),
                args: vec!["load".into(), "--all".into()],
            }
        );
        assert_eq!(
            BacktraceFrame::new("app::load")
                .with_file("src/lib.rs")
                .with_line(7)
                .with_in_app(true),
            BacktraceFrame {
                function: "app::load".into(),
                file: Some("src/lib.rs".into()),
                line: Some(7),
                in_app: true,
            }
        );
    }

    #[test]
    fn a_site_names_its_operation_in_json_only_when_it_has_a_name() {
        let site = Site::new("app::load", "src/lib.rs", 7).with_module("app");
        assert_eq!(site.operation(), "app::load");
        let json = serde_json::to_value(&site).unwrap();
        assert_eq!(json.get("name"), None);
        assert_eq!(serde_json::from_value::<Site>(json).unwrap(), site);

        let named = site.with_name("load settings");
        assert_eq!(named.operation(), "load settings");
        let json = serde_json::to_value(&named).unwrap();
        assert_eq!(json["function"], "app::load");
        assert_eq!(json["name"], "load settings");
        assert_eq!(serde_json::from_value::<Site>(json).unwrap(), named);
    }

    #[test]
    fn a_frame_without_a_location_has_no_file_or_line_in_json() {
        let json = serde_json::to_value(BacktraceFrame::new("app::load")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "function": "app::load", "in_app": false })
        );
    }
}
