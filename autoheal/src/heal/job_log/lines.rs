//! A raw job log made readable: the prefixes GitHub Actions adds (a timestamp on every line;
//! the job and step names in `gh run view --log-failed`), terminal colours, progress-bar
//! carriage returns and workflow commands (`##[group]`, `##[error]`) removed.

use std::sync::LazyLock;

use regex::Regex;

/// Characters kept of one log line: a minified file or a base64 blob is not worth more.
pub(super) const MAX_LINE_CHARS: usize = 500;

/// A log with its lines cleaned, and what the prefixes said about where it came from.
#[derive(Debug, Default)]
pub(super) struct CleanLog {
    /// The lines, in order, without prefixes, colours or workflow-command markers.
    pub(super) lines: Vec<String>,
    /// The job name, when the log came from `gh run view --log-failed` (first field).
    pub(super) job_name: Option<String>,
}

/// `2026-11-24T07:41:12.1370000Z ` at the start of a line.
static TIMESTAMP: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\x{feff}?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?").ok()
});

/// Terminal escape sequences: colours (CSI), character-set switches, window titles (OSC).
static ESCAPES: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\([0-9A-Za-z]|\][^\x07\x1b]*(?:\x07|\x1b\\)?)").ok()
});

/// Split `log` into clean lines.
pub(super) fn clean(log: &str) -> CleanLog {
    let mut out = CleanLog::default();
    for raw in log.lines() {
        let (job, rest) = split_gh_prefix(raw);
        if out.job_name.is_none()
            && let Some(job) = job.filter(|j| !j.trim().is_empty())
        {
            out.job_name = Some(bounded(job.trim()));
        }
        out.lines.push(clean_line(rest));
    }
    out
}

/// The lines with every secret-shaped text masked, looked for in the log as a whole: a secret
/// spread over several lines (a PEM private key block) is masked whole, so that no part of it
/// survives in the lines later kept around an error. The report is redacted again, field by
/// field, with the token and the environment's secrets.
pub(super) fn mask_secret_blocks(lines: Vec<String>) -> Vec<String> {
    let joined = lines.join("\n");
    match crate::Redactor::default().redact(&joined) {
        std::borrow::Cow::Borrowed(_) => lines,
        std::borrow::Cow::Owned(masked) => masked.split('\n').map(str::to_string).collect(),
    }
}

/// `gh run view --log-failed` writes `JOB<TAB>STEP<TAB>TIMESTAMP LINE`: the job and the rest.
fn split_gh_prefix(line: &str) -> (Option<&str>, &str) {
    let mut fields = line.splitn(3, '\t');
    if let (Some(job), Some(_step), Some(rest)) = (fields.next(), fields.next(), fields.next())
        && TIMESTAMP.as_ref().is_some_and(|t| t.is_match(rest))
    {
        return (Some(job), rest);
    }
    (None, line)
}

/// One line without its timestamp, escapes, overwritten progress text or workflow command.
fn clean_line(line: &str) -> String {
    let line = match TIMESTAMP.as_ref() {
        Some(timestamp) => timestamp.replace(line, ""),
        None => line.into(),
    };
    let line = match ESCAPES.as_ref() {
        Some(escapes) => escapes.replace_all(&line, "").into_owned(),
        None => line.into_owned(),
    };
    // A carriage return moves back to the start: what follows the last one is what was seen.
    let line = line
        .trim_end_matches('\r')
        .rsplit('\r')
        .next()
        .unwrap_or_default();
    let line = [
        "##[group]",
        "##[endgroup]",
        "##[error]",
        "##[warning]",
        "##[notice]",
    ]
    .iter()
    .find_map(|marker| line.strip_prefix(marker))
    .unwrap_or(line);
    bounded(line.trim_end())
}

/// At most [`MAX_LINE_CHARS`] characters of `text`, the cut marked with `…`.
pub(super) fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// `path` relative to the checkout when it is under a GitHub-hosted runner's workspace
/// (`/home/runner/work/REPO/REPO/`, `/Users/runner/work/...`, `D:\a\REPO\REPO\`, `/__w/...`).
pub(super) fn workspace_relative(path: &str) -> String {
    static WORKSPACE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"^(?:(?:/home/runner/work|/Users/runner/work|/__w)/[^/]+/[^/]+/|[A-Za-z]:\\a\\[^\\]+\\[^\\]+\\)",
        )
        .ok()
    });
    let path = path.trim();
    match WORKSPACE.as_ref() {
        Some(workspace) => workspace.replace(path, "").replace('\\', "/"),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_colours_and_markers_are_removed() {
        let log = "\u{feff}2026-11-24T07:41:12.1370000Z ##[group]Run cargo build\n\
                   2026-11-24T07:41:13.0960000Z \x1b[31m-pub fn add()\x1b(B\x1b[m\n\
                   2026-11-24T07:41:14Z Downloading 10%\rDownloading 100%\r\n\
                   2026-11-24T07:41:15.5Z ##[error]Process completed with exit code 101.";
        let clean = clean(log);
        assert_eq!(
            clean.lines,
            [
                "Run cargo build",
                "-pub fn add()",
                "Downloading 100%",
                "Process completed with exit code 101."
            ]
        );
        assert_eq!(clean.job_name, None);
    }

    #[test]
    fn the_gh_cli_prefix_gives_the_job_name() {
        let log = "test (ubuntu-latest)\tRun cargo test\t2026-11-24T07:41:14.1920000Z test a ... FAILED\n\
                   test (ubuntu-latest)\tRun cargo test\t2026-11-24T07:41:14.3Z \ttabbed";
        let clean = clean(log);
        assert_eq!(clean.job_name.as_deref(), Some("test (ubuntu-latest)"));
        assert_eq!(clean.lines, ["test a ... FAILED", "\ttabbed"]);
        // Tabs in an ordinary line are not a prefix.
        assert_eq!(super::clean("a\tb\tc").lines, ["a\tb\tc"]);
    }

    #[test]
    fn long_lines_are_cut() {
        let clean = clean(&"é".repeat(MAX_LINE_CHARS * 3));
        assert_eq!(clean.lines[0].chars().count(), MAX_LINE_CHARS + 1);
        assert!(clean.lines[0].ends_with('…'));
    }

    #[test]
    fn runner_workspaces_become_relative() {
        assert_eq!(
            workspace_relative("/home/runner/work/ipfs_kit/ipfs_kit/cli/src/main.rs"),
            "cli/src/main.rs"
        );
        assert_eq!(
            workspace_relative(r"D:\a\ipfs_kit\ipfs_kit\cli\src\main.rs"),
            "cli/src/main.rs"
        );
        assert_eq!(workspace_relative("src/lib.rs"), "src/lib.rs");
    }
}
