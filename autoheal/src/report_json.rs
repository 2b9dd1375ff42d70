//! The report's JSON shape (documented in docs/AUTO_HEALING.md): `serde::Serialize` written
//! out field by field in the documented order, and reading back through [`FromJson`].
//!
//! Each impl takes its struct apart with a pattern that names every field, so a field added
//! to a report type without a place here does not compile.

use serde_core::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;

use crate::json::{Fields, FromJson, deserialize_through_json};
use crate::report::{
    BacktraceFrame, CommandLine, ErrorDetails, Report, ReportKind, Site, SystemInfo,
};

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(REPORT_FIELDS))?;
        write_report_fields(self, &mut out)?;
        out.end()
    }
}

/// How many fields [`write_report_fields`] writes.
pub(crate) const REPORT_FIELDS: usize = 15;

/// The report's fields, in order, into a map being written (a report, or a file that holds a
/// report's fields and more).
pub(crate) fn write_report_fields<M: SerializeMap>(
    report: &Report,
    out: &mut M,
) -> Result<(), M::Error> {
    let Report {
        schema,
        trace_id,
        timestamp,
        fingerprint,
        kind,
        error,
        site,
        frames,
        command,
        backtrace,
        logs,
        spans,
        env,
        system,
        labels,
    } = report;
    out.serialize_entry("schema", schema)?;
    out.serialize_entry("trace_id", trace_id)?;
    out.serialize_entry("timestamp", timestamp)?;
    out.serialize_entry("fingerprint", fingerprint)?;
    out.serialize_entry("kind", kind)?;
    out.serialize_entry("error", error)?;
    out.serialize_entry("site", site)?;
    out.serialize_entry("frames", frames)?;
    out.serialize_entry("command", command)?;
    out.serialize_entry("backtrace", backtrace)?;
    out.serialize_entry("logs", logs)?;
    out.serialize_entry("spans", spans)?;
    out.serialize_entry("env", env)?;
    out.serialize_entry("system", system)?;
    out.serialize_entry("labels", labels)
}

impl FromJson for Report {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "report")?;
        Ok(Report {
            schema: fields.required("schema")?,
            trace_id: fields.required("trace_id")?,
            timestamp: fields.required("timestamp")?,
            fingerprint: fields.required("fingerprint")?,
            kind: fields.required("kind")?,
            error: fields.required("error")?,
            site: fields.required("site")?,
            frames: fields.required("frames")?,
            command: fields.required("command")?,
            backtrace: fields.required("backtrace")?,
            logs: fields.required("logs")?,
            spans: fields.required("spans")?,
            env: fields.required("env")?,
            system: fields.required("system")?,
            labels: fields.required("labels")?,
        })
    }
}

impl ReportKind {
    /// The kind as the JSON spells it.
    fn as_json(self) -> &'static str {
        match self {
            ReportKind::Error => "error",
            ReportKind::Panic => "panic",
        }
    }
}

impl Serialize for ReportKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_json())
    }
}

impl FromJson for ReportKind {
    fn from_json(json: &Value) -> Result<Self, String> {
        match json.as_str() {
            Some("error") => Ok(ReportKind::Error),
            Some("panic") => Ok(ReportKind::Panic),
            _ => Err(format!("expected `error` or `panic`, found {json}")),
        }
    }
}

impl Serialize for ErrorDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ErrorDetails {
            type_name,
            message,
            chain,
            root_type,
        } = self;
        let mut out = serializer.serialize_struct("ErrorDetails", 4)?;
        out.serialize_field("type", type_name)?;
        match root_type {
            Some(root_type) => out.serialize_field("root_type", root_type)?,
            None => out.skip_field("root_type")?,
        }
        out.serialize_field("message", message)?;
        out.serialize_field("chain", chain)?;
        out.end()
    }
}

impl FromJson for ErrorDetails {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "error")?;
        Ok(ErrorDetails {
            type_name: fields.required("type")?,
            message: fields.required("message")?,
            chain: fields.required("chain")?,
            root_type: fields.optional("root_type")?,
        })
    }
}

impl Serialize for Site {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Site {
            function,
            name,
            module,
            file,
            line,
        } = self;
        let mut out = serializer.serialize_struct("Site", 5)?;
        out.serialize_field("function", function)?;
        match name {
            Some(name) => out.serialize_field("name", name)?,
            None => out.skip_field("name")?,
        }
        out.serialize_field("module", module)?;
        out.serialize_field("file", file)?;
        out.serialize_field("line", line)?;
        out.end()
    }
}

impl FromJson for Site {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "site")?;
        Ok(Site {
            function: fields.required("function")?,
            name: fields.optional("name")?,
            module: fields.required("module")?,
            file: fields.required("file")?,
            line: fields.required("line")?,
        })
    }
}

impl Serialize for CommandLine {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let CommandLine { program, args } = self;
        let mut out = serializer.serialize_struct("CommandLine", 2)?;
        out.serialize_field("program", program)?;
        out.serialize_field("args", args)?;
        out.end()
    }
}

impl FromJson for CommandLine {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "command")?;
        Ok(CommandLine {
            program: fields.required("program")?,
            args: fields.required("args")?,
        })
    }
}

impl Serialize for BacktraceFrame {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let BacktraceFrame {
            function,
            file,
            line,
            in_app,
        } = self;
        let mut out = serializer.serialize_struct("BacktraceFrame", 4)?;
        out.serialize_field("function", function)?;
        match file {
            Some(file) => out.serialize_field("file", file)?,
            None => out.skip_field("file")?,
        }
        match line {
            Some(line) => out.serialize_field("line", line)?,
            None => out.skip_field("line")?,
        }
        out.serialize_field("in_app", in_app)?;
        out.end()
    }
}

impl FromJson for BacktraceFrame {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "backtrace frame")?;
        Ok(BacktraceFrame {
            function: fields.required("function")?,
            file: fields.optional("file")?,
            line: fields.optional("line")?,
            in_app: fields.required("in_app")?,
        })
    }
}

impl Serialize for SystemInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let SystemInfo {
            os,
            arch,
            app,
            app_version,
            rust_version,
            pid,
            cwd,
            commit,
            source_url,
        } = self;
        let mut out = serializer.serialize_struct("SystemInfo", 9)?;
        out.serialize_field("os", os)?;
        out.serialize_field("arch", arch)?;
        out.serialize_field("app", app)?;
        out.serialize_field("app_version", app_version)?;
        out.serialize_field("rust_version", rust_version)?;
        out.serialize_field("pid", pid)?;
        out.serialize_field("cwd", cwd)?;
        match commit {
            Some(commit) => out.serialize_field("commit", commit)?,
            None => out.skip_field("commit")?,
        }
        match source_url {
            Some(url) => out.serialize_field("source_url", url)?,
            None => out.skip_field("source_url")?,
        }
        out.end()
    }
}

impl FromJson for SystemInfo {
    fn from_json(json: &Value) -> Result<Self, String> {
        let fields = Fields::of(json, "system")?;
        Ok(SystemInfo {
            os: fields.required("os")?,
            arch: fields.required("arch")?,
            app: fields.required("app")?,
            app_version: fields.required("app_version")?,
            rust_version: fields.required("rust_version")?,
            pid: fields.required("pid")?,
            cwd: fields.required("cwd")?,
            commit: fields.optional("commit")?,
            source_url: fields.optional("source_url")?,
        })
    }
}

deserialize_through_json!(
    Report,
    ReportKind,
    ErrorDetails,
    Site,
    CommandLine,
    BacktraceFrame,
    SystemInfo,
);
