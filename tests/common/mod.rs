//! Running the workspace's examples as processes, as their users run them.

// Each test file uses a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The example `name`'s binary: `cargo test` builds the examples next to the test binaries'
/// directory.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace`",
        path.display()
    );
    path
}

/// Run the example `name` with `args` in the home `home` (also its working directory), with
/// only `env` and PATH set.
pub fn run_example(name: &str, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(example(name));
    command
        .args(args)
        .current_dir(home)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}
