//! The plans for what rustfmt, clippy and rustc suggest: `cargo fmt`, `cargo clippy --fix`
//! and `cargo fix` in the packages that hold the files the log names.

use crate::job_log::{FailureKind, JobFailure};

use super::super::checkout::Checkout;
use super::{MayChange, Plan};

/// The plan for a formatting, lint or compiler failure in `checkout`, or why there is none.
pub(super) fn plan(failure: &JobFailure, checkout: &Checkout) -> Result<Plan, String> {
    let files = named_files(failure, checkout);
    let mut packages: Vec<String> = Vec::new();
    for file in &files {
        if let Some(package) = checkout.package_of(file)
            && !packages.contains(&package.name)
        {
            packages.push(package.name.clone());
        }
    }
    let selection = |packages: &[String]| -> Vec<String> {
        packages
            .iter()
            .flat_map(|p| ["-p".to_string(), p.clone()])
            .collect()
    };
    match failure.kind {
        FailureKind::Format => {
            let scope = match packages.is_empty() {
                true => vec!["--all".to_string()],
                false => selection(&packages),
            };
            Ok(Plan {
                attempts: vec![vec![args(&["fmt"], &scope, &[])]],
                verify: args(&["fmt", "--check"], &scope, &[]),
                may_change: MayChange::Sources(files),
            })
        }
        FailureKind::Lint | FailureKind::Build => {
            let packages = match (packages.is_empty(), checkout.packages.as_slice()) {
                (false, _) => packages,
                (true, [only]) => vec![only.name.clone()],
                (true, _) => {
                    return Err(
                        "the log names no source file of a workspace package, so the package to repair is unknown"
                            .to_string(),
                    );
                }
            };
            let scope = selection(&packages);
            let targets = ["--all-targets", "--offline"];
            let fix = ["--fix", "--allow-dirty", "--allow-staged", "--allow-no-vcs"];
            let (repair, verify) = match uses_clippy(failure) {
                true => (
                    args(&["clippy"], &scope, &[&targets[..], &fix[..]].concat())
                        .into_iter()
                        .chain(["--", "-D", "warnings"].map(str::to_string))
                        .collect(),
                    args(&["clippy"], &scope, &targets)
                        .into_iter()
                        .chain(["--", "-D", "warnings"].map(str::to_string))
                        .collect(),
                ),
                false => (
                    args(&["fix"], &scope, &[&targets[..], &fix[1..]].concat()),
                    args(&["check"], &scope, &targets),
                ),
            };
            Ok(Plan {
                attempts: vec![vec![repair]],
                verify,
                may_change: MayChange::Sources(files),
            })
        }
        other => Err(format!(
            "a {other} failure has no repair a tool can compute (repaired: formatting, denied lints, compiler errors with machine-applicable suggestions, a lock file `--locked` refuses, and a crate the workspace already depends on missing from a member)"
        )),
    }
}

/// Whether the failure came from clippy: a clippy lint, or a step that ran clippy. A denied
/// rustc lint (`unused_imports` under `-D warnings`) is repaired by clippy as well, which
/// applies rustc's suggestions too, and verified with `-D warnings`.
fn uses_clippy(failure: &JobFailure) -> bool {
    failure.kind == FailureKind::Lint
        || failure
            .step
            .as_deref()
            .is_some_and(|s| s.contains("clippy"))
        || failure
            .findings
            .iter()
            .any(|f| f.code.as_deref().is_some_and(|c| c.starts_with("clippy::")))
}

/// `cargo` arguments: the subcommand, the package selection, the rest.
pub(super) fn args(subcommand: &[&str], scope: &[String], rest: &[&str]) -> Vec<String> {
    subcommand
        .iter()
        .map(|s| s.to_string())
        .chain(scope.iter().cloned())
        .chain(rest.iter().map(|s| s.to_string()))
        .collect()
}

/// The files the findings name, relative to the root, each once, inside the checkout only.
pub(super) fn named_files(failure: &JobFailure, checkout: &Checkout) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for file in failure.findings.iter().filter_map(|f| f.file.as_deref()) {
        if let Some(relative) = checkout.relative(file)
            && !files.contains(&relative)
        {
            files.push(relative);
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::heal::repair::checkout::Package;
    use crate::job_log::classify;

    fn workspace() -> Checkout {
        let root = PathBuf::from("/checkout");
        Checkout {
            packages: vec![
                Package {
                    name: "app".to_string(),
                    dir: root.clone(),
                    dependencies: Vec::new(),
                },
                Package {
                    name: "core".to_string(),
                    dir: root.join("core"),
                    dependencies: Vec::new(),
                },
            ],
            root,
        }
    }

    #[test]
    fn a_lint_is_repaired_in_the_member_that_holds_its_file() {
        let failure = classify(
            "Run cargo clippy --workspace -- -D warnings\nerror: unneeded `return` statement\n --> core/src/lib.rs:5:5\n  = note: `-D clippy::needless-return` implied by `-D warnings`\n",
        );
        let plan = plan(&failure, &workspace()).unwrap();
        assert_eq!(
            plan.attempts[0][0].join(" "),
            "clippy -p core --all-targets --offline --fix --allow-dirty --allow-staged --allow-no-vcs -- -D warnings"
        );
        assert_eq!(
            plan.verify.join(" "),
            "clippy -p core --all-targets --offline -- -D warnings"
        );
        assert_eq!(
            plan.may_change,
            MayChange::Sources(vec!["core/src/lib.rs".to_string()])
        );
    }

    #[test]
    fn fmt_diffs_of_ci_paths_are_formatted_per_package() {
        let failure = classify(
            "Diff in /home/runner/work/kit/kit/src/main.rs:3:\n-a\n+b\nDiff in /home/runner/work/kit/kit/core/src/lib.rs:1:\n-c\n+d\n",
        );
        let plan = plan(&failure, &workspace()).unwrap();
        assert_eq!(plan.attempts, [[["fmt", "-p", "app", "-p", "core"]]]);
        assert_eq!(plan.verify.join(" "), "fmt --check -p app -p core");
    }

    #[test]
    fn a_failure_naming_no_file_in_a_workspace_of_several_packages_has_no_plan() {
        let failure = classify(
            "error: unneeded `return` statement\n  = note: `-D clippy::needless-return` implied by `-D warnings`\nerror: could not compile `core`",
        );
        let reason = plan(&failure, &workspace()).unwrap_err();
        assert!(reason.contains("package to repair is unknown"), "{reason}");
    }
}
