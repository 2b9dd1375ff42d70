//! Real broken crates in real git repositories, and the real cargo output of their failure as
//! a CI job log: what the repair tests repair.
//!
//! A crate is one package without dependencies, or a workspace of a few packages with path
//! dependencies only, so that cargo builds it offline in seconds.
//! Every cargo command here runs with `CARGO_TARGET_DIR` inside the crate's directory, apart
//! from the workspace's own build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::require_tool;

/// The crate's name, as `-p` takes it.
pub const CRATE_NAME: &str = "tiny";

/// A build script that asks pkg-config for OpenSSL in an empty search path and fails with
/// pkg-config's words, as on a runner without `libssl-dev`.
pub const MISSING_OPENSSL_BUILD_SCRIPT: &str = r#"fn main() {
    let output = std::process::Command::new("pkg-config")
        .args(["--libs", "--cflags", "openssl"])
        .env("PKG_CONFIG_LIBDIR", "/autoheal-nonexistent")
        .env("PKG_CONFIG_PATH", "")
        .output()
        .expect("pkg-config runs");
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        panic!("could not find openssl with pkg-config");
    }
}
"#;

/// A git repository holding one committed crate.
#[derive(Debug)]
pub struct BrokenCrate {
    /// The repository's root, where `Cargo.toml` is.
    pub dir: PathBuf,
}

/// Whether cargo's `fmt` and `clippy` are installed; `None` after saying on stderr that the
/// calling test skips (a failure instead when `AUTOHEAL_REQUIRE_TOOLS=1`).
pub fn require_cargo_tools() -> Option<()> {
    require_tool("rustfmt", "rustup component add rustfmt")?;
    require_tool("cargo-clippy", "rustup component add clippy")?;
    Some(())
}

impl BrokenCrate {
    /// Write a crate with `files` (path relative to the root, contents) into `dir`, and commit
    /// it in a new git repository.
    ///
    /// # Panics
    ///
    /// When a file cannot be written or git fails.
    pub fn create(dir: &Path, files: &[(&str, &str)]) -> BrokenCrate {
        let manifest = format!(
            "[package]\nname = \"{CRATE_NAME}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n"
        );
        write(dir, "Cargo.toml", &manifest);
        write(dir, ".gitignore", "/target\nCargo.lock\n");
        let krate = BrokenCrate {
            dir: dir.to_path_buf(),
        };
        krate.git(&["init", "--quiet"]);
        krate.commit(files, "A crate that fails CI");
        krate
    }

    /// Write a workspace with `files` (path relative to the root, contents; the manifests
    /// included, with path dependencies only) into `dir`, and commit it with the lock file
    /// cargo generates offline, in a new git repository.
    ///
    /// # Panics
    ///
    /// When a file cannot be written, cargo cannot generate the lock file, or git fails.
    pub fn workspace(dir: &Path, files: &[(&str, &str)]) -> BrokenCrate {
        for (path, contents) in files {
            write(dir, path, contents);
        }
        write(dir, ".gitignore", "/target\n");
        let krate = BrokenCrate {
            dir: dir.to_path_buf(),
        };
        let (generated, output) = krate.cargo(&["generate-lockfile", "--offline"]);
        assert!(generated, "cargo generate-lockfile failed:\n{output}");
        krate.git(&["init", "--quiet"]);
        krate.commit(&[], "A workspace with its lock file");
        krate
    }

    /// Write `files` (path relative to the root, contents) and commit them: a later commit
    /// than the one a log was taken from.
    ///
    /// # Panics
    ///
    /// When a file cannot be written or git fails.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) {
        for (path, contents) in files {
            write(&self.dir, path, contents);
        }
        self.git(&["add", "--all"]);
        self.git(&[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit",
            "--quiet",
            "--message",
            message,
        ]);
    }

    /// Run `cargo ARGS` in the crate (offline, into its own `target`): whether it passed,
    /// and its output (standard output, then standard error).
    ///
    /// # Panics
    ///
    /// When cargo cannot be started.
    pub fn cargo(&self, args: &[&str]) -> (bool, String) {
        let output = Command::new("cargo")
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", self.dir.join("target"))
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .expect("cargo runs");
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    }

    /// The log of a GitHub Actions step running `cargo ARGS` in the crate, which must fail:
    /// the step's `Run` line, then cargo's real output, each line timestamped as GitHub
    /// serves it.
    ///
    /// # Panics
    ///
    /// When the command passes: the crate is not broken the way the test means.
    pub fn failed_job_log(&self, args: &[&str]) -> String {
        let (passed, output) = self.cargo(args);
        assert!(!passed, "`cargo {}` should fail:\n{output}", args.join(" "));
        let mut log = format!(
            "2026-12-03T04:00:00.0000000Z ##[group]Run cargo {}\n",
            args.join(" ")
        );
        for line in output.lines() {
            log.push_str(&format!("2026-12-03T04:00:01.0000000Z {line}\n"));
        }
        log.push_str("2026-12-03T04:00:02.0000000Z ##[error]Process completed with exit code 1.\n");
        log
    }

    /// The tracked files changed since the commit, as `git status --short` lists them.
    pub fn changed(&self) -> Vec<String> {
        let status = self.git(&["status", "--porcelain", "--untracked-files=no"]);
        status.lines().map(str::to_string).collect()
    }

    /// A file's contents, relative to the root.
    ///
    /// # Panics
    ///
    /// When it cannot be read.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).expect("the file is readable")
    }

    /// Run git in the repository and return its standard output.
    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// Write `contents` to `path` under `dir`, creating its directories.
fn write(dir: &Path, path: &str, contents: &str) {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("the directory is created");
    }
    std::fs::write(path, contents).expect("the file is written");
}
