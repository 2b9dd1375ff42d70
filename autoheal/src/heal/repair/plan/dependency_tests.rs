use std::path::PathBuf;

use super::*;
use crate::heal::repair::ToolRun;
use crate::job_log::classify;

fn member(name: &str, dir: PathBuf, dependencies: Vec<Dependency>) -> Package {
    Package {
        name: name.to_string(),
        dir,
        dependencies,
    }
}

fn registry(name: &str, req: &str) -> Dependency {
    Dependency {
        name: name.to_string(),
        rename: None,
        req: req.to_string(),
        source: Some(CRATES_IO[0].to_string()),
        path: None,
        kind: None,
    }
}

/// `app` at the root, `core` beside it depending on serde and a git crate.
fn workspace() -> Checkout {
    let root = PathBuf::from("/checkout");
    let mut git = registry("gitdep", "*");
    git.source = Some("git+https://example.com/gitdep".to_string());
    Checkout {
        packages: vec![
            member("app", root.clone(), vec![registry("regex", "^1")]),
            member(
                "core",
                root.join("core"),
                vec![registry("serde_json", "^1.0.100"), git],
            ),
        ],
        root,
    }
}

/// A probe answering as `cargo add --dry-run` does for `[workspace.dependencies]`' `shared`
/// and nothing else, recording what it was asked.
fn probe(asked: &mut Vec<String>) -> impl FnMut(CargoArgs) -> Result<ToolRun, RepairError> + '_ {
    move |args: CargoArgs| {
        asked.push(args.join(" "));
        let shared = args.iter().any(|a| a == "shared");
        Ok(ToolRun {
            command: format!("cargo {}", args.join(" ")),
            passed: shared,
            timed_out: false,
            output: match shared {
                true => "      Adding shared (workspace) to dependencies".to_string(),
                false => "error: the crate `x` could not be found in registry index.".to_string(),
            },
            elapsed: std::time::Duration::ZERO,
        })
    }
}

fn e0433(name: &str, file: &str) -> JobFailure {
    classify(&format!(
        "error[E0433]: cannot find module or crate `{name}` in this scope\n --> {file}:2:5\n  |\n2 |     {name}::f();\n  |     ^^^^ use of unresolved module or unlinked crate `{name}`\n\nerror: could not compile `app` (lib) due to 1 previous error\n"
    ))
}

fn decide(failure: &JobFailure) -> (Option<Decision>, Vec<String>) {
    let mut asked = Vec::new();
    let decision = plan(failure, &workspace(), &mut probe(&mut asked)).unwrap();
    (decision, asked)
}

#[test]
fn a_workspace_dependency_is_added_as_cargo_finds_it() {
    let (decision, asked) = decide(&e0433("shared", "src/lib.rs"));
    assert_eq!(asked, ["add -p app shared --offline --dry-run"]);
    let Some(Decision::Repair(plan)) = decision else {
        panic!("{decision:?}")
    };
    assert_eq!(
        plan.attempts,
        [[["add", "-p", "app", "shared", "--offline"]]]
    );
    assert_eq!(
        plan.verify.join(" "),
        "check -p app --all-targets --offline --locked"
    );
    assert_eq!(
        plan.may_change,
        MayChange::Only(vec!["Cargo.toml".into(), "Cargo.lock".into()])
    );
}

#[test]
fn a_crate_another_member_uses_is_added_with_the_same_version_for_tests_only() {
    let (decision, asked) = decide(&e0433("serde_json", "tests/api.rs"));
    assert_eq!(
        asked,
        [
            "add -p app serde_json --offline --dry-run --dev",
            "add -p app serde-json --offline --dry-run --dev"
        ]
    );
    let Some(Decision::Repair(plan)) = decision else {
        panic!("{decision:?}")
    };
    assert_eq!(
        plan.attempts,
        [[[
            "add",
            "-p",
            "app",
            "serde_json@^1.0.100",
            "--offline",
            "--dev"
        ]]]
    );
}

#[test]
fn a_crate_declared_by_another_member_is_copied_with_its_registry_version() {
    let (decision, _) = decide(&e0433("regex", "core/src/lib.rs"));
    let Some(Decision::Repair(plan)) = decision else {
        panic!("{decision:?}")
    };
    assert_eq!(
        plan.attempts,
        [[["add", "-p", "core", "regex@^1", "--offline"]]]
    );
    assert_eq!(
        plan.may_change,
        MayChange::Only(vec!["core/Cargo.toml".into(), "Cargo.lock".into()])
    );
}

#[test]
fn a_crate_nobody_depends_on_is_dropped_with_how_to_add_it() {
    let (decision, _) = decide(&e0433("rand_core", "src/lib.rs"));
    let Some(Decision::Drop(reason)) = decision else {
        panic!("{decision:?}")
    };
    assert!(reason.contains("never added automatically"), "{reason}");
    assert!(reason.contains("cargo add -p app rand-core"), "{reason}");
}

#[test]
fn a_git_dependency_and_an_already_declared_one_are_dropped_with_the_reason() {
    let (decision, _) = decide(&e0433("gitdep", "src/main.rs"));
    let Some(Decision::Drop(reason)) = decision else {
        panic!("{decision:?}")
    };
    assert!(
        reason.contains("git+https://example.com/gitdep"),
        "{reason}"
    );
    let (decision, _) = decide(&e0433("regex", "src/lib.rs"));
    let Some(Decision::Drop(reason)) = decision else {
        panic!("{decision:?}")
    };
    assert!(reason.contains("already a dependency of `app`"), "{reason}");
}

#[test]
fn a_module_path_or_a_type_error_is_left_to_the_compilers_fixes() {
    let (decision, asked) = decide(&e0433("crate", "src/lib.rs"));
    assert_eq!(decision, None);
    assert!(asked.is_empty());
    let type_error = classify(
        "error[E0308]: mismatched types\n --> src/lib.rs:2:5\n\nerror: could not compile `app`\n",
    );
    assert_eq!(decide(&type_error).0, None);
}
