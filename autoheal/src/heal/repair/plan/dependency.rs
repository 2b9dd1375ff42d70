//! A crate a member uses but does not declare (rustc's E0432/E0433), which the workspace
//! already knows: added to that member's manifest by `cargo add`, as the workspace has it.
//!
//! `cargo add -p MEMBER NAME` (tried first with `--dry-run`) writes `NAME.workspace = true`
//! when `[workspace.dependencies]` has the crate, and the path and version of a workspace
//! member; otherwise the crate is added from the same path, or with the same registry version,
//! as another member declares it. A crate the workspace does not know is never added: that
//! would bring a new dependency from the registry, a decision for a maintainer.

use std::path::Path;

use crate::fix::unresolved_name;
use crate::job_log::JobFailure;

use super::super::RepairError;
use super::super::checkout::{Checkout, Dependency, Package};
use super::{CargoArgs, Decision, MayChange, Plan, Probe};

/// Names rustc reports unresolved that are not crates a manifest could declare.
const NOT_CRATES: &[&str] = &[
    "crate",
    "self",
    "super",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
];

/// crates.io's index, as `cargo metadata` names it (git and sparse protocols).
const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// The lock file, relative to the workspace's root, which `cargo add` updates too.
const LOCK_FILE: &str = "Cargo.lock";

/// A crate a member's code uses without declaring it.
#[derive(Debug)]
struct Missing<'a> {
    /// The member whose code uses it.
    member: &'a Package,
    /// The name the code uses (`core2`, `my_crate`).
    name: String,
    /// `--dev` when the code is a test, bench or example; `--build` for a build script.
    section: Option<&'static str>,
}

/// The decision for the unresolved crates of a compiler failure; `None` when it names none
/// (a type error, or a module path such as `crate::gone`), for the compiler's own fixes.
///
/// # Errors
///
/// When a probe cannot be run.
pub(super) fn plan(
    failure: &JobFailure,
    checkout: &Checkout,
    probe: &mut Probe<'_>,
) -> Result<Option<Decision>, RepairError> {
    let missing = match missing_crates(failure, checkout) {
        Ok(missing) if missing.is_empty() => return Ok(None),
        Ok(missing) => missing,
        Err(reason) => return Ok(Some(Decision::Drop(reason))),
    };
    let mut commands = Vec::new();
    let mut manifests: Vec<String> = Vec::new();
    let mut members: Vec<String> = Vec::new();
    for missing in &missing {
        match add_command(missing, checkout, probe)? {
            Ok(command) => commands.push(command),
            Err(reason) => return Ok(Some(Decision::Drop(reason))),
        }
        let manifest = manifest_of(missing.member, &checkout.root);
        if !manifests.contains(&manifest) {
            manifests.push(manifest);
            members.push(missing.member.name.clone());
        }
    }
    let mut verify = vec!["check".to_string()];
    verify.extend(members.into_iter().flat_map(|m| ["-p".to_string(), m]));
    verify.extend(["--all-targets", "--offline", "--locked"].map(str::to_string));
    manifests.push(LOCK_FILE.to_string());
    Ok(Some(Decision::Repair(Plan {
        attempts: vec![commands],
        verify,
        may_change: MayChange::Only(manifests),
    })))
}

/// The crates the findings say are unresolved, with the member whose code uses each, each
/// pair once; or why the member is unknown.
fn missing_crates<'a>(
    failure: &JobFailure,
    checkout: &'a Checkout,
) -> Result<Vec<Missing<'a>>, String> {
    let mut found: Vec<Missing<'a>> = Vec::new();
    for finding in &failure.findings {
        if !matches!(finding.code.as_deref(), Some("E0432" | "E0433")) {
            continue;
        }
        let Some(name) = std::iter::once(&finding.message)
            .chain(finding.lines.iter())
            .find_map(|line| unresolved_name(line))
            .filter(|name| !NOT_CRATES.contains(&name.as_str()))
        else {
            continue;
        };
        let file = finding.file.as_deref().and_then(|f| checkout.relative(f));
        let only = match checkout.packages.as_slice() {
            [only] => Some(only),
            _ => None,
        };
        let member = file
            .as_deref()
            .and_then(|f| checkout.package_of(f))
            .or(only);
        let Some(member) = member else {
            return Err(format!(
                "the log names no source file of a workspace package that uses `{name}`, so the member to add it to is unknown"
            ));
        };
        let section = file
            .as_deref()
            .and_then(|f| section_of(&checkout.root.join(f), member));
        if !found
            .iter()
            .any(|m| m.name == name && m.member.name == member.name)
        {
            found.push(Missing {
                member,
                name,
                section,
            });
        }
    }
    Ok(found)
}

/// The dependency section a file's crate takes its dependencies from: `--dev` for tests,
/// benches and examples, `--build` for the build script, `None` for the library and binaries.
fn section_of(file: &Path, member: &Package) -> Option<&'static str> {
    let inside = file.strip_prefix(&member.dir).ok()?;
    let first = inside.components().next()?.as_os_str().to_str()?;
    match first {
        "tests" | "benches" | "examples" => Some("--dev"),
        "build.rs" => Some("--build"),
        _ => None,
    }
}

/// The `cargo add` that declares `missing` as the workspace has it, or why there is none.
///
/// # Errors
///
/// When a probe cannot be run.
fn add_command(
    missing: &Missing<'_>,
    checkout: &Checkout,
    probe: &mut Probe<'_>,
) -> Result<Result<CargoArgs, String>, RepairError> {
    let Missing {
        member,
        name,
        section,
    } = missing;
    if member.dependencies.iter().any(|d| d.crate_name() == *name) {
        return Ok(Err(format!(
            "`{name}` is already a dependency of `{}`: the code may need a feature of it that is off, or the path is wrong; nothing is added",
            member.name
        )));
    }
    let add = |spec: &str, extra: &[&str]| -> CargoArgs {
        ["add", "-p", &member.name, spec, "--offline"]
            .iter()
            .chain(extra)
            .chain(section.iter())
            .map(|s| s.to_string())
            .collect()
    };
    // `[workspace.dependencies]` and the workspace's members, as cargo itself finds them.
    let mut keys = vec![name.clone()];
    if name.contains('_') {
        keys.push(name.replace('_', "-"));
    }
    for key in &keys {
        let run = probe(add(key, &["--dry-run"]))?;
        if run.passed && (run.output.contains(" (workspace) ") || run.output.contains(" (local) "))
        {
            return Ok(Ok(add(key, &[])));
        }
    }
    // As another member declares it.
    let declared = checkout
        .packages
        .iter()
        .flat_map(|p| p.dependencies.iter().map(move |d| (p, d)))
        .find(|(_, d)| d.crate_name() == *name);
    let Some((other, dependency)) = declared else {
        return Ok(Err(format!(
            "`{name}` is neither a workspace member, nor in `[workspace.dependencies]`, nor a dependency of any member: a new dependency is never added automatically. If it is a crate, add it with `cargo add -p {} {}`; if it is a module, fix the path",
            member.name,
            name.replace('_', "-")
        )));
    };
    Ok(same_as(dependency, &other.name).map(|(spec, extra)| {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        add(&spec, &extra)
    }))
}

/// The `cargo add` crate argument and options that declare `dependency` as `member` does, or
/// why `cargo add` cannot.
fn same_as(dependency: &Dependency, member: &str) -> Result<(String, Vec<String>), String> {
    let mut extra = Vec::new();
    if let Some(rename) = &dependency.rename {
        extra.extend(["--rename".to_string(), rename.clone()]);
    }
    match (&dependency.path, dependency.source.as_deref()) {
        (Some(path), _) => {
            extra.extend(["--path".to_string(), path.to_string_lossy().into_owned()]);
            Ok((dependency.name.clone(), extra))
        }
        (None, Some(source)) if CRATES_IO.contains(&source) => {
            Ok((format!("{}@{}", dependency.name, dependency.req), extra))
        }
        (None, source) => Err(format!(
            "`{}` comes to `{member}` from {}, which is not added automatically; declare it as `{member}` does",
            dependency.name,
            source.unwrap_or("an unknown source")
        )),
    }
}

/// A member's manifest, relative to the workspace's root.
fn manifest_of(member: &Package, root: &Path) -> String {
    match member.dir.strip_prefix(root) {
        Ok(dir) if dir.as_os_str().is_empty() => "Cargo.toml".to_string(),
        Ok(dir) => format!("{}/Cargo.toml", dir.to_string_lossy().replace('\\', "/")),
        Err(_) => member.dir.join("Cargo.toml").to_string_lossy().into_owned(),
    }
}

#[cfg(test)]
#[path = "dependency_tests.rs"]
mod tests;
