//! A lock file `--locked` refuses to update because a manifest changed: updated by
//! `cargo update`, as little as satisfies the manifests.
//!
//! First `cargo update --workspace`, which re-resolves the workspace's own members and keeps
//! every other locked version; only when that does not suffice, `cargo update -p` for the
//! crates the error names. Verified by `cargo tree --workspace --depth 0 --locked`: the
//! refusal comes from resolving the dependency graph against the lock file, before anything
//! is compiled, and that command resolves the whole graph exactly as `cargo build --locked`
//! does (the lock file is the workspace's, so no `-p` makes it narrower) while compiling
//! nothing and printing only the members.

use std::sync::LazyLock;

use regex::Regex;

use crate::fix::is_lock_refusal;
use crate::job_log::JobFailure;

use super::{MayChange, Plan};

/// The lock file, relative to the workspace's root: the only file the repair may change.
const LOCK_FILE: &str = "Cargo.lock";

/// The plan for a lock file `--locked` (or `--frozen`) refuses to update, or `None` when the
/// failure is another dependency failure (a version conflict).
pub(super) fn plan(failure: &JobFailure) -> Option<Plan> {
    let refusal = failure
        .findings
        .iter()
        .find(|f| is_lock_refusal(&f.message))?;
    let mut attempts = vec![args(&["update", "--workspace", "--offline"])];
    let named = named_crates(refusal.lines.iter().chain(failure.lines.iter()));
    if !named.is_empty() {
        let mut update = args(&["update", "--offline"]);
        update.extend(named.into_iter().flat_map(|name| ["-p".to_string(), name]));
        attempts.push(update);
    }
    Some(Plan {
        attempts: attempts.into_iter().map(|command| vec![command]).collect(),
        verify: args(&[
            "tree",
            "--workspace",
            "--depth",
            "0",
            "--locked",
            "--offline",
        ]),
        may_change: MayChange::Only(vec![LOCK_FILE.to_string()]),
    })
}

/// The crates cargo names in its error, each once: `` `dep1` `` or `` `app v0.1.0 (/w/app)` ``
/// (cargo 1.95 names none in the refusal itself; the lines below it may).
fn named_crates<'a>(lines: impl Iterator<Item = &'a String>) -> Vec<String> {
    static CRATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"`([A-Za-z][A-Za-z0-9_-]{0,63})(?: v[0-9][^`]{0,200})?(?: = [^`]{0,100})?`")
            .ok()
    });
    let Some(regex) = CRATE.as_ref() else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for line in lines {
        for captures in regex.captures_iter(line) {
            if let Some(name) = captures.get(1).map(|m| m.as_str().to_string())
                && !names.contains(&name)
                && name != "cargo"
            {
                names.push(name);
            }
        }
    }
    names
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job_log::classify;

    #[test]
    fn cargo_1_95s_refusal_is_repaired_by_updating_the_workspace_only() {
        let failure = classify(
            "Run cargo build --locked\nerror: cannot update the lock file /w/app/Cargo.lock because --locked was passed to prevent this\nhelp: to generate the lock file without accessing the network, remove the --locked flag and use --offline instead.\n",
        );
        let plan = plan(&failure).unwrap();
        assert_eq!(plan.attempts, [[["update", "--workspace", "--offline"]]]);
        assert_eq!(
            plan.verify.join(" "),
            "tree --workspace --depth 0 --locked --offline"
        );
        assert_eq!(plan.may_change, MayChange::Only(vec!["Cargo.lock".into()]));
    }

    #[test]
    fn crates_the_error_names_are_updated_when_the_workspace_update_does_not_suffice() {
        let failure = classify(
            "error: the lock file /w/app/Cargo.lock needs to be updated but --locked was passed to prevent this\nlocked `dep1 v0.1.0 (/w/dep1)` does not match `dep1 = \"^0.2\"` required by package `app v0.1.0 (/w/app)`\n",
        );
        let plan = plan(&failure).unwrap();
        assert_eq!(plan.attempts.len(), 2);
        assert_eq!(
            plan.attempts[1][0].join(" "),
            "update --offline -p dep1 -p app"
        );
    }

    #[test]
    fn a_version_conflict_is_not_a_lock_file_to_update() {
        let failure = classify(
            "error: failed to select a version for the requirement `dep1 = \"^0.2\"`\ncandidate versions found which didn't match: 0.1.0\n",
        );
        assert_eq!(plan(&failure), None);
    }
}
