//! The draft pull request of a recognised failure: a branch `autoheal/issue-N` from the
//! default branch, the diagnosis's patch and a troubleshooting entry committed through the
//! contents API, and a draft pull request that fixes the issue. Each step looks before it
//! writes, so running again adds no second branch, commit or pull request.

use serde_json::json;

use super::api::{Api, IssueDetails};
use super::comment::inline_code;
use super::{FixError, PullRequestOutcome};
use crate::fix::{
    Diagnosis, FIX_COMMENT_MARKER, PatchEdit, comment_markdown, troubleshooting_entry,
    troubleshooting_rule_line,
};

/// The repository's troubleshooting guide, where every fixed failure gets an entry.
pub const TROUBLESHOOTING_PATH: &str = "docs/TROUBLESHOOTING.md";

/// The start of a troubleshooting guide created by the first entry.
const GUIDE_HEADING: &str = "# Troubleshooting\n\nFailures seen in the field, what causes them, and what to do about them.\n";

/// The branch of issue `number`'s pull request.
pub fn fix_branch(number: u64) -> String {
    format!("autoheal/issue-{number}")
}

/// One change to one file.
enum Edit<'a> {
    Patch(&'a PatchEdit),
    /// A troubleshooting entry, and the `Rule: ...` line that names its rule: a guide that
    /// has that line documents the failure already, whatever its entry says.
    Entry {
        entry: String,
        rule_line: String,
    },
}

/// The changes to one file, and the line its commit message gets.
struct FileChange<'a> {
    path: String,
    edits: Vec<Edit<'a>>,
    message: Vec<String>,
}

/// A file's new text, computed from what the branch holds now.
struct NewFile {
    path: String,
    text: String,
    replacing: Option<String>,
    message: String,
}

/// The pull request an earlier run opened for issue `number`, if any.
pub(crate) fn existing(api: &Api<'_>, number: u64) -> Result<Option<PullRequestOutcome>, FixError> {
    let pulls = api
        .pulls_from(&fix_branch(number))
        .map_err(FixError::github("looking for the pull request"))?;
    Ok(pulls
        .into_iter()
        .next()
        .map(|pull| PullRequestOutcome::Existing {
            number: pull.number,
            url: pull.html_url,
            state: pull.state,
        }))
}

/// Propose the fix of `issue` as a draft pull request (or find the one proposed before).
pub(crate) fn propose(
    api: &Api<'_>,
    issue: &IssueDetails,
    diagnosis: &Diagnosis,
    notes: &mut Vec<String>,
) -> Result<PullRequestOutcome, FixError> {
    if let Some(found) = existing(api, issue.number)? {
        return Ok(found);
    }
    let branch = fix_branch(issue.number);
    let base = api
        .default_branch()
        .map_err(FixError::github("reading the repository's default branch"))?;
    let base_sha = api
        .branch_sha(&base)
        .map_err(FixError::github(format!("reading branch {base}")))?
        .ok_or_else(|| FixError::GitHub {
            action: format!("reading branch {base}"),
            source: super::GitHubError::UnexpectedReply(format!(
                "the default branch {base} has no reference"
            )),
        })?;
    let branch_sha = api
        .branch_sha(&branch)
        .map_err(FixError::github(format!("reading branch {branch}")))?;
    // A new branch starts as the default branch: read from there until it exists.
    let read_from = if branch_sha.is_some() { &branch } else { &base };
    let mut new_files = Vec::new();
    for change in changes(issue.number, diagnosis) {
        if let Some(file) = new_text(api, &change, read_from, notes)? {
            new_files.push(file);
        }
    }
    let ahead = branch_sha.as_ref().is_some_and(|sha| *sha != base_sha);
    if new_files.is_empty() && !ahead {
        return Ok(PullRequestOutcome::AlreadyFixed { base });
    }
    if branch_sha.is_none() {
        api.create_branch(&branch, &base_sha)
            .map_err(FixError::github(format!("creating branch {branch}")))?;
    }
    let mut committed = Vec::new();
    for file in &new_files {
        api.commit_file(
            &file.path,
            &branch,
            &file.text,
            &file.message,
            file.replacing.as_deref(),
        )
        .map_err(FixError::github(format!(
            "committing {} to {branch}",
            file.path
        )))?;
        committed.push(file.path.clone());
    }
    let body = pull_body(issue.number, diagnosis, &committed);
    let request = |title: String, draft: bool| json!({ "title": title, "head": branch, "base": base, "body": body, "draft": draft });
    let (created, draft) = match api.create_pull(&request(pull_title(diagnosis), true)) {
        Err(error) if refuses_drafts(&error) => {
            // Private repositories of GitHub Free and Pro have no draft pull requests: the
            // branch and its commits exist already, so the pull request is opened as a normal
            // one, marked in its title.
            let title = format!("{DRAFT_MARK} {}", pull_title(diagnosis));
            let normal = request(title.chars().take(256).collect(), false);
            let created = api.create_pull(&normal).map_err(FixError::github(format!(
                "opening a pull request from {branch} (drafts are refused here; the branch is left for a person to open one)"
            )))?;
            notes.push(format!(
                "GitHub refused a draft pull request (private repositories on GitHub Free and Pro have none): opened a normal one marked {DRAFT_MARK} in its title; review it before merging"
            ));
            (created, false)
        }
        other => (
            other.map_err(FixError::github("opening the draft pull request"))?,
            true,
        ),
    };
    Ok(match created {
        Some(pull) => PullRequestOutcome::Opened {
            number: pull.number,
            url: pull.html_url,
            committed,
            draft,
        },
        None => PullRequestOutcome::WouldOpen {
            branch,
            files: committed,
        },
    })
}

/// What marks a pull request opened as a normal one where drafts are refused.
pub const DRAFT_MARK: &str = "[draft]";

/// Whether GitHub refused the pull request for being a draft (422, "Draft pull requests are not
/// supported in this repository").
pub(super) fn refuses_drafts(error: &super::GitHubError) -> bool {
    match error {
        super::GitHubError::Rejected {
            status: 422,
            message,
            errors,
        } => std::iter::once(message)
            .chain(errors)
            .any(|text| text.to_ascii_lowercase().contains("draft")),
        _ => false,
    }
}

/// The files to change: the patch's, then the troubleshooting guide (one commit per file).
fn changes(number: u64, diagnosis: &Diagnosis) -> Vec<FileChange<'_>> {
    let mut changes: Vec<FileChange<'_>> = Vec::new();
    if let Some(patch) = &diagnosis.patch {
        changes.push(FileChange {
            path: repository_path(&patch.path).to_string(),
            edits: vec![Edit::Patch(&patch.edit)],
            message: vec![patch.description.clone()],
        });
    }
    let entry = Edit::Entry {
        entry: troubleshooting_entry(diagnosis),
        rule_line: troubleshooting_rule_line(&diagnosis.rule_id),
    };
    let message = format!("Troubleshooting entry for #{number}: {}", diagnosis.title);
    match changes.iter_mut().find(|c| c.path == TROUBLESHOOTING_PATH) {
        Some(change) => {
            change.edits.push(entry);
            change.message.push(message);
        }
        None => changes.push(FileChange {
            path: TROUBLESHOOTING_PATH.to_string(),
            edits: vec![entry],
            message: vec![message],
        }),
    }
    changes
}

/// `change` applied to the file as `reference` holds it; `None` when it is already there.
fn new_text(
    api: &Api<'_>,
    change: &FileChange<'_>,
    reference: &str,
    notes: &mut Vec<String>,
) -> Result<Option<NewFile>, FixError> {
    let current = api
        .file(&change.path, reference)
        .map_err(FixError::github(format!("reading {}", change.path)))?;
    let original = current.as_ref().map(|f| f.text.clone());
    let mut text = original.clone();
    for edit in &change.edits {
        match apply(text.as_deref(), edit) {
            Ok(Some(changed)) => text = Some(changed),
            Ok(None) => {}
            Err(why) => notes.push(format!("{}: {why}", change.path)),
        }
    }
    match text {
        Some(text) if Some(&text) != original.as_ref() => Ok(Some(NewFile {
            path: change.path.clone(),
            text,
            replacing: current.map(|f| f.sha),
            message: change.message.join("; "),
        })),
        _ => Ok(None),
    }
}

/// `edit` applied to `text` (`None`: no such file): the new text, `None` when the edit is
/// already there, or why it cannot be applied.
fn apply(text: Option<&str>, edit: &Edit<'_>) -> Result<Option<String>, String> {
    match edit {
        Edit::Entry { entry, rule_line } => {
            let guide = text.unwrap_or(GUIDE_HEADING);
            if guide.lines().any(|line| line.trim() == rule_line) {
                return Ok(None);
            }
            Ok(append(guide, entry))
        }
        Edit::Patch(PatchEdit::Append(addition)) => Ok(append(text.unwrap_or_default(), addition)),
        Edit::Patch(PatchEdit::Replace { find, replace }) => {
            let Some(text) = text else {
                return Err("the patch does not apply: the file does not exist".to_string());
            };
            let present = !find.is_empty() && text.contains(find.as_str());
            // `port = 8080` holds `port = 80`: a replacement that contains what it replaces
            // counts as applied once it is there.
            let applied = !replace.is_empty()
                && text.contains(replace.as_str())
                && (!present || replace.contains(find.as_str()));
            if applied {
                Ok(None)
            } else if present {
                Ok(Some(text.replacen(find.as_str(), replace, 1)))
            } else {
                Err("the patch no longer applies: the text it replaces is gone".to_string())
            }
        }
    }
}

/// `addition` after `text`, separated by a blank line; `None` when `text` already holds it.
fn append(text: &str, addition: &str) -> Option<String> {
    let addition = addition.trim();
    if addition.is_empty() || text.contains(addition) {
        return None;
    }
    let mut out = text.trim_end().to_string();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(addition);
    out.push('\n');
    Some(out)
}

/// A patch's path as the contents API names it: relative to the repository's root.
fn repository_path(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// The pull request's title: the diagnosis's, bounded as GitHub requires.
fn pull_title(diagnosis: &Diagnosis) -> String {
    let title: String = diagnosis
        .title
        .chars()
        .filter(|c| !c.is_control())
        .take(250)
        .collect();
    if title.trim().is_empty() {
        "Troubleshooting entry for an auto-heal issue".to_string()
    } else {
        title
    }
}

/// The pull request's body: the diagnosis, what the draft changes, and the line that closes
/// the issue on merge.
fn pull_body(number: u64, diagnosis: &Diagnosis, committed: &[String]) -> String {
    let markdown = comment_markdown(diagnosis);
    let diagnosis_text = markdown.replace(FIX_COMMENT_MARKER, "");
    let mut changes = Vec::new();
    if let Some(patch) = diagnosis.patch.as_ref().filter(|p| {
        committed
            .iter()
            .any(|path| path == repository_path(&p.path))
    }) {
        changes.push(format!(
            "changes `{}`: {}",
            inline_code(&patch.path),
            patch.description
        ));
    }
    if committed.iter().any(|path| path == TROUBLESHOOTING_PATH) {
        changes.push(format!("adds the failure to `{TROUBLESHOOTING_PATH}`"));
    }
    let changes = if changes.is_empty() {
        String::new()
    } else {
        format!("This draft {}.\n\n", changes.join(" and "))
    };
    format!("{}\n\n{changes}Fixes #{number}\n", diagnosis_text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_appended_once_and_a_missing_guide_gets_a_heading() {
        let entry = Edit::Entry {
            entry: "## File not found\n\nRule: `file-not-found`\n\nCreate it.\n".to_string(),
            rule_line: "Rule: `file-not-found`".to_string(),
        };
        let created = apply(None, &entry).unwrap().unwrap();
        assert!(created.starts_with("# Troubleshooting\n"), "{created}");
        assert!(
            created.ends_with("## File not found\n\nRule: `file-not-found`\n\nCreate it.\n"),
            "{created}"
        );
        assert_eq!(apply(Some(&created), &entry), Ok(None));
        let grown = apply(Some("# Guide\n\n## Other\n"), &entry)
            .unwrap()
            .unwrap();
        assert_eq!(
            grown,
            "# Guide\n\n## Other\n\n## File not found\n\nRule: `file-not-found`\n\nCreate it.\n"
        );
    }

    #[test]
    fn a_guide_that_documents_the_rule_gets_no_second_entry() {
        // Another issue of the same rule: its entry differs by the report's values.
        let entry = Edit::Entry {
            entry: "## File not found: /srv/other.txt\n\nRule: `file-not-found`\n\nCreate /srv/other.txt.\n"
                .to_string(),
            rule_line: "Rule: `file-not-found`".to_string(),
        };
        let guide =
            "# Guide\n\n### File not found\n\nRule: `file-not-found`\n\n**Remedy:** create it.\n";
        assert_eq!(apply(Some(guide), &entry), Ok(None));
        let other_rule = "# Guide\n\nRule: `permission-denied`\n";
        assert!(apply(Some(other_rule), &entry).unwrap().is_some());
    }

    #[test]
    fn a_replacement_applies_once_and_says_when_it_cannot() {
        let patch = PatchEdit::Replace {
            find: "port = 80".to_string(),
            replace: "port = 8080".to_string(),
        };
        let edit = Edit::Patch(&patch);
        let fixed = apply(Some("a\nport = 80\n"), &edit).unwrap().unwrap();
        assert_eq!(fixed, "a\nport = 8080\n");
        assert_eq!(apply(Some(&fixed), &edit), Ok(None));
        assert!(apply(Some("nothing here"), &edit).is_err());
        assert!(apply(None, &edit).is_err());
    }
}
