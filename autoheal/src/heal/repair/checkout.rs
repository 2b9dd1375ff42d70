//! The git working tree a repair runs in: its packages, its state, its changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::RepairError;
use super::run::Tool;

/// Time allowed to git and `cargo metadata`, which read and never build.
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// A workspace package: its name, the directory of its manifest, its dependencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Package {
    /// The package's name, as `-p` takes it.
    pub(super) name: String,
    /// The directory of its `Cargo.toml`, canonical.
    pub(super) dir: PathBuf,
    /// The dependencies its manifest declares (inherited ones resolved).
    pub(super) dependencies: Vec<Dependency>,
}

/// One dependency a package declares, as `cargo metadata` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Dependency {
    /// The depended-on package's name.
    pub(super) name: String,
    /// The name the package uses for it, when renamed (`core2 = { package = "corelib" }`).
    pub(super) rename: Option<String>,
    /// The version requirement (`^1.0`).
    pub(super) req: String,
    /// Where it comes from (`registry+https://github.com/rust-lang/crates.io-index`,
    /// `git+https://...`); `None` for a path dependency.
    pub(super) source: Option<String>,
    /// The directory of a path dependency.
    pub(super) path: Option<PathBuf>,
    /// `dev` or `build`; `None` for a normal dependency.
    pub(super) kind: Option<String>,
}

impl Dependency {
    /// The name the code uses for it: `core2` for `core2 = { package = "corelib" }`, with
    /// dashes as underscores (`my_crate` for `my-crate`).
    pub(super) fn crate_name(&self) -> String {
        self.rename
            .as_deref()
            .unwrap_or(&self.name)
            .replace('-', "_")
    }
}

/// A checkout: a git working tree with a Cargo workspace at its root.
#[derive(Debug)]
pub(super) struct Checkout {
    /// Its root, canonical.
    pub(super) root: PathBuf,
    /// The workspace's packages.
    pub(super) packages: Vec<Package>,
}

/// One changed file, with its lines added and removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ChangedFile {
    /// Its path relative to the checkout's root.
    pub(super) path: String,
    /// Lines added plus lines removed.
    pub(super) lines: usize,
}

impl Checkout {
    /// Open `dir`: it must be a git working tree whose tracked files have no uncommitted change
    /// (a repair is the difference it makes, and reverting it must lose nothing), with a Cargo
    /// workspace.
    ///
    /// # Errors
    ///
    /// When `dir` is not a git working tree, has uncommitted changes, or cargo cannot read
    /// its workspace.
    pub(super) fn open(dir: &Path) -> Result<Checkout, RepairError> {
        let root = dir.canonicalize().map_err(|error| {
            RepairError::new(format!(
                "cannot open the checkout {}: {error}",
                dir.display()
            ))
        })?;
        let status = git(&root, &["status", "--porcelain", "--untracked-files=no"])?;
        if !status.passed {
            return Err(RepairError::new(format!(
                "{} is not a git working tree ({}); run the repair in a checkout of the commit that failed",
                root.display(),
                status.headline()
            )));
        }
        if !status.output.trim().is_empty() {
            return Err(RepairError::new(format!(
                "{} has uncommitted changes:\n{}\ncommit or stash them first: a repair must be the only change",
                root.display(),
                status.output.trim_end()
            )));
        }
        let packages = packages(&root)?;
        Ok(Checkout { root, packages })
    }

    /// The path of a file a log names, relative to the root: as given when relative, with the
    /// root removed when absolute and inside it; `None` when it is outside the checkout.
    pub(super) fn relative(&self, file: &str) -> Option<String> {
        let path = Path::new(file);
        if path.is_relative() {
            return Some(file.trim_start_matches("./").to_string());
        }
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let relative = path.strip_prefix(&self.root).ok()?;
        Some(relative.to_string_lossy().replace('\\', "/"))
    }

    /// The package a file (relative to the root) belongs to: the one whose directory is the
    /// longest prefix of it.
    pub(super) fn package_of(&self, file: &str) -> Option<&Package> {
        let path = self.root.join(file);
        self.packages
            .iter()
            .filter(|p| path.starts_with(&p.dir))
            .max_by_key(|p| p.dir.components().count())
    }

    /// The tracked files changed since the last commit, with their sizes.
    ///
    /// # Errors
    ///
    /// When git fails.
    pub(super) fn changed_files(&self) -> Result<Vec<ChangedFile>, RepairError> {
        let numstat = git_ok(&self.root, &["diff", "--numstat", "--no-renames", "HEAD"])?;
        Ok(numstat
            .lines()
            .filter_map(|line| {
                let mut fields = line.splitn(3, '\t');
                let added = fields.next()?.parse::<usize>().unwrap_or(0);
                let removed = fields.next()?.parse::<usize>().unwrap_or(0);
                Some(ChangedFile {
                    path: fields.next()?.to_string(),
                    lines: added + removed,
                })
            })
            .collect())
    }

    /// The change since the last commit as a patch `git apply` takes.
    ///
    /// # Errors
    ///
    /// When git fails.
    pub(super) fn patch(&self) -> Result<String, RepairError> {
        git_ok(
            &self.root,
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-renames",
                "HEAD",
            ],
        )
    }

    /// Put `files` back as they were committed: a dropped repair leaves nothing behind.
    ///
    /// # Errors
    ///
    /// When git fails.
    pub(super) fn revert(&self, files: &[ChangedFile]) -> Result<(), RepairError> {
        if files.is_empty() {
            return Ok(());
        }
        let mut args = vec!["checkout", "HEAD", "--"];
        args.extend(files.iter().map(|f| f.path.as_str()));
        git_ok(&self.root, &args).map(drop)
    }
}

/// Run git in `root`.
fn git(root: &Path, args: &[&str]) -> Result<super::ToolRun, RepairError> {
    let mut all = vec!["-c".to_string(), "core.quotepath=off".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    Tool {
        program: "git",
        args: all,
        env: Vec::new(),
    }
    .run(root, READ_TIMEOUT)
}

/// Run git in `root` and return its output, or fail with what it said.
fn git_ok(root: &Path, args: &[&str]) -> Result<String, RepairError> {
    let run = git(root, args)?;
    match run.passed {
        true => Ok(run.output),
        false => Err(RepairError::new(format!(
            "`{}` failed in {}: {}",
            run.command,
            root.display(),
            run.headline()
        ))),
    }
}

/// The workspace's packages, as `cargo metadata` lists them.
fn packages(root: &Path) -> Result<Vec<Package>, RepairError> {
    let run = Tool {
        program: "cargo",
        args: [
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ]
        .map(str::to_string)
        .to_vec(),
        env: vec![("CARGO_NET_OFFLINE", "true".to_string())],
    }
    .run(root, READ_TIMEOUT)?;
    let unreadable = |why: String| {
        RepairError::new(format!(
            "cannot read the Cargo workspace in {}: {why}",
            root.display()
        ))
    };
    if !run.passed {
        return Err(unreadable(run.headline().to_string()));
    }
    let json = run
        .output
        .lines()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| unreadable("`cargo metadata` printed no JSON".to_string()))?;
    let metadata: serde_json::Value =
        serde_json::from_str(json).map_err(|error| unreadable(error.to_string()))?;
    let listed = metadata
        .get("packages")
        .and_then(|p| p.as_array())
        .ok_or_else(|| unreadable("`cargo metadata` listed no packages".to_string()))?;
    Ok(listed
        .iter()
        .filter_map(|package| {
            let name = package.get("name")?.as_str()?.to_string();
            let manifest = Path::new(package.get("manifest_path")?.as_str()?);
            let dir = manifest.parent()?;
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
            let dependencies = package
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|listed| listed.iter().filter_map(dependency).collect())
                .unwrap_or_default();
            Some(Package {
                name,
                dir,
                dependencies,
            })
        })
        .collect())
}

/// One entry of a package's `dependencies` in `cargo metadata`.
fn dependency(entry: &serde_json::Value) -> Option<Dependency> {
    let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_string);
    Some(Dependency {
        name: text("name")?,
        rename: text("rename"),
        req: text("req").unwrap_or_else(|| "*".to_string()),
        source: text("source"),
        path: text("path").map(PathBuf::from),
        kind: text("kind"),
    })
}
