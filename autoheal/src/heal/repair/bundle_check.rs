//! A bundle checked without trusting it: the side that writes to the repository takes from a
//! bundle only relative paths of Rust sources and Cargo manifests outside `.github/`, a diff it
//! counts itself, and contents that are what the diff says they are.

use super::RepairError;
use super::bundle::{BundleAdvice, BundleOutcome, RepairBundle};

/// What a diff adds and removes, counted from its hunks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct DiffCount {
    /// Lines added.
    pub(super) added: usize,
    /// Lines removed.
    pub(super) removed: usize,
}

/// One file of a diff: its path after the change, and each hunk's new side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct DiffFile {
    path: String,
    /// Where each hunk's new side starts (1-based), and its lines (context and added).
    hunks: Vec<(usize, Vec<String>)>,
}

/// A parsed diff.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ParsedDiff {
    files: Vec<DiffFile>,
    count: DiffCount,
}

/// The lines `patch` adds and removes; a diff that does not parse counts what it could.
pub(super) fn count_diff(patch: &str) -> DiffCount {
    match parse_diff(patch) {
        Ok(parsed) => parsed.count,
        Err(_) => DiffCount::default(),
    }
}

impl RepairBundle {
    /// Check the bundle before acting on it, trusting nothing it says: a repaired bundle's
    /// paths must be relative, without `..`, outside `.github/`, and name `.rs`, `Cargo.toml`
    /// or `Cargo.lock` files; its diff is counted again and must stay within
    /// `max_changed_lines` and match the counts it declares; its files must be the diff's
    /// files, with the contents the diff gives them. A dropped bundle must carry a reason and
    /// no change.
    ///
    /// # Errors
    ///
    /// Every problem found, in one message.
    pub fn check(&self, max_changed_lines: usize) -> Result<(), RepairError> {
        let mut problems = Vec::new();
        if !is_commit_id(&self.base_commit) {
            problems.push(format!(
                "its base commit {:?} is not a commit id",
                shorten(&self.base_commit)
            ));
        }
        match self.outcome {
            BundleOutcome::Dropped => {
                if self
                    .dropped_reason
                    .as_deref()
                    .is_none_or(|r| r.trim().is_empty())
                {
                    problems.push("it is dropped but says no reason".to_string());
                }
                if !self.files.is_empty() || !self.diff.trim().is_empty() {
                    problems.push("it is dropped but carries a change".to_string());
                }
            }
            BundleOutcome::Repaired => self.check_repair(max_changed_lines, &mut problems),
            BundleOutcome::Advice => self.check_advice(&mut problems),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RepairError::new(format!(
                "the repair bundle is refused: {}",
                problems.join("; ")
            )))
        }
    }

    /// An advice bundle changes nothing and names Debian package names only; its workflow line
    /// is exactly the one those packages make, so nothing else can reach a comment as a command.
    fn check_advice(&self, problems: &mut Vec<String>) {
        if !self.files.is_empty() || !self.diff.trim().is_empty() {
            problems.push("it is advice but carries a change".to_string());
        }
        let Some(advice) = &self.advice else {
            problems.push("it is advice but names no library".to_string());
            return;
        };
        if advice.libraries.is_empty() {
            problems.push("it is advice but names no library".to_string());
        }
        for library in &advice.libraries {
            if !is_package_name(&library.package) {
                problems.push(format!(
                    "{:?} is not a Debian package name",
                    shorten(&library.package)
                ));
            }
            if !is_library_name(&library.library) {
                problems.push(format!(
                    "{:?} is not a library name",
                    shorten(&library.library)
                ));
            }
        }
        if advice.workflow_line != BundleAdvice::workflow_line_of(&advice.libraries) {
            problems.push("its workflow line is not the one its packages make".to_string());
        }
    }

    fn check_repair(&self, max_changed_lines: usize, problems: &mut Vec<String>) {
        if self.repair.is_none() {
            problems.push("it names no repair command".to_string());
        }
        match &self.verification {
            Some(run) if run.passed => {}
            Some(run) => problems.push(format!("its verification `{}` failed", run.command)),
            None => problems.push("it carries no verification".to_string()),
        }
        if self.files.is_empty() {
            problems.push("it is repaired but changes no file".to_string());
        }
        for file in &self.files {
            if let Err(why) = allowed_path(&file.path) {
                problems.push(format!("path {:?} {why}", shorten(&file.path)));
            }
        }
        let diff = match parse_diff(&self.diff) {
            Ok(diff) => diff,
            Err(why) => {
                problems.push(format!("its diff {why}"));
                return;
            }
        };
        for file in &diff.files {
            if let Err(why) = allowed_path(&file.path) {
                problems.push(format!("the diff's path {:?} {why}", shorten(&file.path)));
            }
        }
        let changed = diff.count.added + diff.count.removed;
        if changed > max_changed_lines {
            problems.push(format!(
                "its diff changes {changed} lines, more than the {max_changed_lines} allowed"
            ));
        }
        if (diff.count.added, diff.count.removed) != (self.lines_added, self.lines_removed) {
            problems.push(format!(
                "it declares +{} -{} lines but its diff has +{} -{}",
                self.lines_added, self.lines_removed, diff.count.added, diff.count.removed
            ));
        }
        let mut declared: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        let mut diffed: Vec<&str> = diff.files.iter().map(|f| f.path.as_str()).collect();
        declared.sort_unstable();
        diffed.sort_unstable();
        if declared != diffed {
            problems.push(format!(
                "its files [{}] are not the diff's files [{}]",
                declared.join(", "),
                diffed.join(", ")
            ));
            return;
        }
        for file in &diff.files {
            let Some(given) = self.files.iter().find(|f| f.path == file.path) else {
                continue;
            };
            let lines: Vec<&str> = given.content.lines().collect();
            let consistent = file.hunks.iter().all(|(start, new_side)| {
                let from = start.saturating_sub(1);
                lines
                    .get(from..from + new_side.len())
                    .is_some_and(|slice| slice.iter().zip(new_side).all(|(a, b)| a == b))
            });
            if !consistent {
                problems.push(format!(
                    "the contents of {} are not what its diff makes of it",
                    file.path
                ));
            }
        }
    }
}

/// Why `path` may not be changed by an automatic repair, if it may not.
fn allowed_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.len() > 1024 {
        return Err("is empty or too long");
    }
    if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        return Err("is not a relative path");
    }
    if path.chars().any(char::is_control) || path.starts_with('"') {
        return Err("holds control characters or quotes");
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.iter().any(|p| matches!(*p, "" | "." | "..")) {
        return Err("holds `..`, `.` or an empty component");
    }
    let lower = path.to_ascii_lowercase();
    if lower.starts_with(".github/") || lower.split('/').any(|p| p == ".git") {
        return Err("is under .github/ or .git/, which are never changed automatically");
    }
    let name = parts.last().copied().unwrap_or_default();
    if !(name.ends_with(".rs") || name == "Cargo.toml" || name == "Cargo.lock") {
        return Err("is not a .rs, Cargo.toml or Cargo.lock file");
    }
    Ok(())
}

/// Whether `text` is a git commit id (SHA-1 or SHA-256, hex).
/// A Debian package (or library) name: lower-case letters, digits and `+ - . _`, starting
/// with a letter or digit (Debian policy 5.6.1, and the `_` of library names), at most 100.
fn is_package_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text.len() <= 100
        && chars.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '_')
        })
}

/// A library's name as the linker or pkg-config gives it (`ssl`, `X11`, `gtk+-3.0`).
fn is_library_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'))
}

fn is_commit_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// At most 80 characters of `text`, for a message.
fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Parse a `git diff` of changed text files: every file's path and hunks, and the counts.
/// Deletions, renames, copies, mode changes and binary files are refused.
fn parse_diff(patch: &str) -> Result<ParsedDiff, String> {
    let mut parsed = ParsedDiff::default();
    let mut lines = patch.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            let path = rest
                .rsplit_once(" b/")
                .map(|(_, path)| path.to_string())
                .ok_or_else(|| format!("has a file header it cannot read: {:?}", shorten(line)))?;
            parsed.files.push(DiffFile {
                path,
                hunks: Vec::new(),
            });
            continue;
        }
        let Some(file) = parsed.files.last_mut() else {
            if line.trim().is_empty() {
                continue;
            }
            return Err(format!(
                "starts with {:?}, not a file header",
                shorten(line)
            ));
        };
        if let Some(header) = line.strip_prefix("@@ ") {
            let (old_count, new_start, new_count) = hunk_header(header)
                .ok_or_else(|| format!("has a hunk header it cannot read: {:?}", shorten(line)))?;
            let (mut old_left, mut new_left) = (old_count, new_count);
            let mut new_side = Vec::new();
            while old_left > 0 || new_left > 0 {
                let Some(body) = lines.next() else {
                    return Err(format!("ends inside a hunk of {}", file.path));
                };
                match body.chars().next() {
                    Some('+') if new_left > 0 => {
                        new_left -= 1;
                        parsed.count.added += 1;
                        new_side.push(body.get(1..).unwrap_or_default().to_string());
                    }
                    Some('-') if old_left > 0 => {
                        old_left -= 1;
                        parsed.count.removed += 1;
                    }
                    Some(' ') | None if old_left > 0 && new_left > 0 => {
                        old_left -= 1;
                        new_left -= 1;
                        new_side.push(body.get(1..).unwrap_or_default().to_string());
                    }
                    Some('\\') => {}
                    _ => return Err(format!("has a hunk of {} that does not add up", file.path)),
                }
            }
            while lines.peek().is_some_and(|l| l.starts_with('\\')) {
                lines.next();
            }
            file.hunks.push((new_start, new_side));
            continue;
        }
        let refused = [
            "deleted file mode",
            "rename from",
            "copy from",
            "old mode",
            "new mode",
            "Binary files",
            "GIT binary patch",
        ];
        if refused.iter().any(|r| line.starts_with(r)) || line == "+++ /dev/null" {
            return Err(format!(
                "deletes, renames, copies, changes the mode of or binary-patches {}; only edits are repairs",
                file.path
            ));
        }
        if let Some(path) = line.strip_prefix("+++ b/")
            && path != file.path
        {
            return Err(format!("names {} and {} for one file", file.path, path));
        }
        let header = [
            "index ",
            "--- ",
            "+++ ",
            "new file mode",
            "similarity index",
        ];
        if !header.iter().any(|h| line.starts_with(h)) {
            return Err(format!("has a line outside any hunk: {:?}", shorten(line)));
        }
    }
    if parsed.files.is_empty() {
        return Err("changes no file".to_string());
    }
    Ok(parsed)
}

/// `-a,b +c,d @@ ...`: the old side's line count, the new side's start and line count.
fn hunk_header(header: &str) -> Option<(usize, usize, usize)> {
    let mut parts = header.split_whitespace();
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let count = |range: &str| -> Option<(usize, usize)> {
        match range.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((range.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = count(old)?;
    let (new_start, new_count) = count(new)?;
    Some((old_count, new_start, new_count))
}

#[cfg(test)]
mod tests {
    use super::super::bundle::{BUNDLE_FORMAT, BundleFile, BundleRun};
    use super::*;

    const DIFF: &str = "diff --git a/src/lib.rs b/src/lib.rs\nindex 1b2c3d4..5e6f7a8 100644\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1 +1,3 @@\n-pub fn answer()->u32{42}\n+pub fn answer() -> u32 {\n+    42\n+}\n";
    const FIXED: &str = "pub fn answer() -> u32 {\n    42\n}\n";

    fn bundle() -> RepairBundle {
        let run = |command: &str| BundleRun {
            command: command.to_string(),
            passed: true,
            ..BundleRun::default()
        };
        RepairBundle {
            format: BUNDLE_FORMAT,
            base_commit: "a".repeat(40),
            outcome: BundleOutcome::Repaired,
            repair: Some(run("cargo fmt -p tiny")),
            verification: Some(run("cargo fmt --check -p tiny")),
            diff: DIFF.to_string(),
            files: vec![BundleFile {
                path: "src/lib.rs".to_string(),
                content: FIXED.to_string(),
            }],
            lines_added: 3,
            lines_removed: 1,
            ..RepairBundle::default()
        }
    }

    #[test]
    fn a_true_bundle_passes_and_its_diff_is_counted() {
        assert_eq!(bundle().check(200), Ok(()));
        assert_eq!(
            count_diff(DIFF),
            DiffCount {
                added: 3,
                removed: 1
            }
        );
        let error = bundle().check(3).unwrap_err().to_string();
        assert!(
            error.contains("changes 4 lines, more than the 3 allowed"),
            "{error}"
        );
    }

    #[test]
    fn paths_outside_what_a_repair_may_change_are_refused() {
        for (path, why) in [
            ("../x.rs", "`..`"),
            ("/etc/x.rs", "not a relative path"),
            (".github/workflows/a.yml", ".github/"),
            (".github/build.rs", ".github/"),
            ("src/.git/hooks.rs", ".git/"),
            ("README.md", "not a .rs"),
            ("src//lib.rs", "empty component"),
        ] {
            assert!(allowed_path(path).unwrap_err().contains(why), "{path}");
        }
        for path in ["src/lib.rs", "Cargo.toml", "crates/a/Cargo.lock"] {
            assert_eq!(allowed_path(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn contents_that_are_not_what_the_diff_says_are_refused() {
        let mut wrong = bundle();
        wrong.files[0].content = "pub fn answer() -> u32 {\n    43\n}\n".to_string();
        let error = wrong.check(200).unwrap_err().to_string();
        assert!(
            error.contains("contents of src/lib.rs are not what its diff"),
            "{error}"
        );

        let mut other = bundle();
        other.files[0].path = "src/main.rs".to_string();
        let error = other.check(200).unwrap_err().to_string();
        assert!(error.contains("not the diff's files"), "{error}");

        let mut understated = bundle();
        understated.lines_added = 1;
        let error = understated.check(200).unwrap_err().to_string();
        assert!(
            error.contains("declares +1 -1 lines but its diff has +3 -1"),
            "{error}"
        );
    }

    #[test]
    fn deletions_and_broken_hunks_are_refused() {
        let deletion = "diff --git a/src/lib.rs b/src/lib.rs\ndeleted file mode 100644\n--- a/src/lib.rs\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        assert!(parse_diff(deletion).unwrap_err().contains("deletes"));
        let short = "diff --git a/src/lib.rs b/src/lib.rs\n@@ -1,2 +1,2 @@\n-x\n";
        assert!(
            parse_diff(short)
                .unwrap_err()
                .contains("ends inside a hunk")
        );
        assert!(parse_diff("").unwrap_err().contains("changes no file"));
    }

    #[test]
    fn a_dropped_bundle_needs_a_reason_and_no_change() {
        let mut dropped = RepairBundle {
            format: BUNDLE_FORMAT,
            base_commit: "b".repeat(40),
            dropped_reason: Some("the tool changed nothing".to_string()),
            ..RepairBundle::default()
        };
        assert_eq!(dropped.check(200), Ok(()));
        dropped.diff = DIFF.to_string();
        dropped.dropped_reason = None;
        let error = dropped.check(200).unwrap_err().to_string();
        assert!(
            error.contains("says no reason") && error.contains("carries a change"),
            "{error}"
        );
    }
}
