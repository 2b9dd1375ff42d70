//! `ipfs-kit autoheal diagnose`: the diagnosis of a failure, offline.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::path::Path;

use anyhow::{Context as _, Result};
use autoheal::config::Overrides;
use autoheal::fix::{
    Diagnosis, MAX_BODY_BYTES, ParseSource, diagnose, last_report, parse_issue_body,
};
use autoheal::{App, Config, Queue, QueuedEntry, Report};

use crate::args::DiagnoseArgs;

/// A mistake in what was asked for (an unknown trace ID, a file that is no issue body): the
/// command exits with status 2, like a usage error.
#[derive(Debug)]
pub struct InvalidInput(String);

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidInput {}

/// Print the diagnosis of a queued report, an issue body, or the last failure.
pub fn run(app: &App, overrides: &Overrides, args: &DiagnoseArgs) -> Result<()> {
    // Only the configuration directory matters here; a broken file must not stop a diagnosis.
    let config = Config::load(app.clone(), overrides)
        .map(|loaded| loaded.config)
        .unwrap_or_else(|_| Config::for_app(app.clone()));
    let (report, source) = if let Some(file) = &args.file {
        from_file(file)?
    } else if args.last {
        let report = last_report(&config)?.ok_or_else(|| {
            InvalidInput(format!(
                "no failure has been recorded here yet (the last report is kept in {}); enable \
                 reporting with `ipfs-kit autoheal enable`, and diagnose the next failure",
                autoheal::fix::last_report_path(&config).display()
            ))
        })?;
        (report, "the last failure".to_string())
    } else if let Some(trace_id) = &args.trace_id {
        from_queue(&config, trace_id)?
    } else {
        return Err(InvalidInput("give a trace ID, --file or --last".to_string()).into());
    };
    let diagnosis = diagnose(&report);
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&as_json(&diagnosis, &report, &source))?;
        json.push('\n');
        json
    } else {
        terminal(&diagnosis, &report, &source)
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // A reader that stopped early (`| head`) is not a failure.
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("writing the diagnosis")
        }
        _ => Ok(()),
    }
}

/// The report in an issue body (or a report's JSON) read from `file`, `-` for standard input.
fn from_file(file: &Path) -> Result<(Report, String)> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_BODY_BYTES).unwrap_or(u64::MAX) + 1;
    let name = if file == Path::new("-") {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        "standard input".to_string()
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(|e| InvalidInput(format!("could not read {}: {e}", file.display())))?;
        file.display().to_string()
    };
    let text =
        String::from_utf8(bytes).map_err(|_| InvalidInput(format!("{name} is not UTF-8 text")))?;
    match parse_issue_body(&text) {
        Ok(parsed) => {
            let from = match parsed.source {
                ParseSource::EmbeddedJson => "its report JSON",
                _ => "its markdown sections (no report JSON)",
            };
            Ok((
                parsed.report,
                format!("the issue body in {name}, from {from}"),
            ))
        }
        Err(error) => match serde_json::from_str::<Report>(&text) {
            Ok(report) => Ok((report, format!("the report in {name}"))),
            Err(_) => Err(InvalidInput(format!("{name}: {error}")).into()),
        },
    }
}

/// The queued report whose trace ID is (or starts with) `wanted`, or the last report when it
/// has that trace ID (delivered reports leave the queue).
fn from_queue(config: &Config, wanted: &str) -> Result<(Report, String)> {
    let wanted = wanted.trim().to_ascii_lowercase();
    let queue = Queue::for_config(config);
    let entries = queue.entries();
    let matching: Vec<&QueuedEntry> = entries
        .iter()
        .filter(|e| !e.trace_id.is_empty() && e.trace_id.starts_with(&wanted))
        .collect();
    let exact = matching.iter().find(|e| e.trace_id == wanted);
    match (exact, matching.as_slice()) {
        (Some(entry), _) | (None, [entry]) if !wanted.is_empty() => {
            let report = queue.read(&entry.path)?;
            return Ok((
                report,
                format!("the queued report {}", entry.path.display()),
            ));
        }
        (None, [_, _, ..]) if !wanted.is_empty() => {
            let ids: Vec<&str> = matching.iter().map(|e| e.trace_id.as_str()).collect();
            return Err(InvalidInput(format!(
                "the trace ID prefix {wanted} matches {} queued reports: {}; give more of it",
                ids.len(),
                ids.join(", ")
            ))
            .into());
        }
        _ => {}
    }
    if let Ok(Some(report)) = last_report(config)
        && !wanted.is_empty()
        && report.trace_id.starts_with(&wanted)
    {
        return Ok((report, "the last failure".to_string()));
    }
    let listing = if entries.is_empty() {
        format!("the queue ({}) is empty", queue.dir().display())
    } else {
        let lines: Vec<String> = entries
            .iter()
            .map(|e| {
                format!(
                    "  {}  {}: {}",
                    e.trace_id,
                    e.error_type,
                    first_line(&e.message)
                )
            })
            .collect();
        format!("queued reports:\n{}", lines.join("\n"))
    };
    Err(InvalidInput(format!(
        "no queued report has the trace ID {wanted} (`--last` diagnoses the last failure); {listing}"
    ))
    .into())
}

/// The diagnosis for a terminal.
fn terminal(diagnosis: &Diagnosis, report: &Report, source: &str) -> String {
    let mut out = format!(
        "{}\n\n{}\n",
        printable(&diagnosis.title),
        printable(&diagnosis.cause)
    );
    if !diagnosis.steps.is_empty() {
        out.push_str("\nWhat to do:\n");
        for (i, step) in diagnosis.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, printable(step)));
        }
    }
    out.push('\n');
    if let Some(location) = &diagnosis.location {
        out.push_str(&format!("Location:   {}\n", printable(location)));
    }
    out.push_str(&format!("Confidence: {}\n", diagnosis.confidence));
    out.push_str(&format!("Rule:       {}\n", diagnosis.rule_id));
    out.push_str(&format!("Trace ID:   {}\n", printable(&report.trace_id)));
    out.push_str(&format!("Report:     {}\n", printable(source)));
    if let Some(patch) = &diagnosis.patch {
        out.push_str(&format!(
            "Patch:      {} ({})\n",
            printable(&patch.path),
            printable(&patch.description)
        ));
    }
    if let Some(prompt) = &diagnosis.prompt {
        out.push_str("\nNo rule recognises this failure. A summary for a coding agent:\n\n");
        for line in prompt.lines() {
            out.push_str(&format!("  {}\n", printable(line)));
        }
    }
    out
}

/// The diagnosis as JSON, for scripts.
fn as_json(diagnosis: &Diagnosis, report: &Report, source: &str) -> serde_json::Value {
    serde_json::json!({
        "rule_id": diagnosis.rule_id,
        "title": diagnosis.title,
        "cause": diagnosis.cause,
        "steps": diagnosis.steps,
        "confidence": diagnosis.confidence.to_string(),
        "location": diagnosis.location,
        "patch": diagnosis.patch.as_ref().map(|p| serde_json::json!({
            "path": p.path, "description": p.description,
        })),
        "prompt": diagnosis.prompt,
        "trace_id": report.trace_id,
        "fingerprint": report.fingerprint,
        "source": source,
    })
}

/// `text` without control characters, which could move the cursor or recolour the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn first_line(text: &str) -> String {
    printable(text.lines().next().unwrap_or(""))
        .chars()
        .take(100)
        .collect()
}
