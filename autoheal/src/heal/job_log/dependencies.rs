//! Cargo's dependency failures: a lock file `--locked` may not update, or requirements no
//! version satisfies. Nothing was compiled; the manifest or the lock file needs a change.

use super::Finding;

/// Lines kept of one dependency error: cargo's message and what it found.
const MAX_ERROR_LINES: usize = 20;

/// cargo's words for a lock file out of date and for a version conflict, by version.
const DEPENDENCY_ERRORS: &[&str] = &[
    "because --locked was passed to prevent this",
    "needs to be updated but --locked was passed",
    "because --frozen was passed to prevent this",
    "needs to be updated but --frozen was passed",
    "failed to select a version for",
];

/// One finding per dependency error of cargo in `lines`, each with the lines below it.
pub(super) fn dependency_errors(lines: &[String]) -> Vec<Finding> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| {
            line.starts_with("error") && DEPENDENCY_ERRORS.iter().any(|w| line.contains(w))
        })
        .take(super::MAX_FINDINGS)
        .map(|(index, line)| {
            let block = lines
                .get(index..)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .take_while(|(i, l)| *i == 0 || !(l.trim().is_empty() || l.starts_with("error")))
                .map(|(_, l)| l.clone())
                .take(MAX_ERROR_LINES)
                .collect();
            Finding {
                code: None,
                message: line.strip_prefix("error: ").unwrap_or(line).to_string(),
                file: None,
                line: None,
                lines: block,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_stale_lock_file_and_a_version_conflict_are_found_with_their_lines() {
        // cargo 1.9x's words, as a real run on a tiny crate prints them.
        let found = dependency_errors(&lines(
            "    Updating crates.io index\n\
             error: failed to select a version for the requirement `dep1 = \"^0.2\"`\n\
             candidate versions found which didn't match: 0.1.0\n\
             location searched: /w/app/dep1\n\
             required by package `app v0.1.0 (/w/app)`",
        ));
        let [finding] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(
            finding.message,
            "failed to select a version for the requirement `dep1 = \"^0.2\"`"
        );
        assert_eq!(finding.lines.len(), 4);
        let found = dependency_errors(&lines(
            "error: the lock file /w/app/Cargo.lock needs to be updated but --locked was passed to prevent this",
        ));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn other_errors_are_not_dependency_errors() {
        assert!(
            dependency_errors(&lines(
                "error: could not compile `app`\nerror[E0308]: mismatched types"
            ))
            .is_empty()
        );
    }
}
