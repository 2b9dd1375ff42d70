//! Tests that need something beyond a Rust toolchain: a program on the `PATH` (GitHub's
//! markdown renderer, `jq`, `python3`...), or to know whether they run as root.
//!
//! `cargo test --workspace` passes on a machine with a Rust toolchain alone, as any user: a test
//! whose program is missing skips, with one line on stderr naming the program and how to
//! install it. Where the tools are meant to be present (the project's gate, `.ci/run`),
//! [`REQUIRE_TOOLS`]`=1` turns every such skip into a failure.
//!
//! ```
//! if let Some(jq) = fake_github::tools::require_tool("jq", "apt-get install jq") {
//!     let output = std::process::Command::new(jq).arg("--version").output().unwrap();
//!     assert!(output.status.success());
//! }
//! ```

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The environment variable that makes a missing tool (or a missing root) fail the test that
/// needs it instead of skipping it: set to `1` by `.ci/run`.
pub const REQUIRE_TOOLS: &str = "AUTOHEAL_REQUIRE_TOOLS";

/// Where `name` is on the `PATH`, or `None` after saying on stderr that the calling test skips
/// what needs it (the whole test, as a rule) and how to install the tool (`install`, a command
/// or a web address).
///
/// # Panics
///
/// When the tool is missing and [`REQUIRE_TOOLS`] is `1`.
#[track_caller]
pub fn require_tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| find_in(&path, name));
    if found.is_none() {
        skip(&format!(
            "`{name}` is not on the PATH (install it: {install})"
        ));
    }
    found
}

/// The file that environment variable `var` names, or `None` after saying on stderr that the
/// calling test skips, and how to get the file (`install`).
///
/// # Panics
///
/// When `var` names no file and [`REQUIRE_TOOLS`] is `1`.
#[track_caller]
pub fn require_file_from(var: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|path| path.is_file());
    if found.is_none() {
        skip(&format!("`{var}` names no file (to get it: {install})"));
    }
    found
}

/// Whether the tests run as root (user ID 0): root passes file permissions, so a test that
/// makes a directory unwritable with `chmod` needs another way there.
///
/// Read from the owner of a file this process creates, so that it needs neither `id` nor
/// `/proc`.
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let dir = std::env::temp_dir();
    let probe = dir.join(format!(
        "fake-github-uid-probe-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let uid = std::fs::File::create(&probe)
        .and_then(|file| file.metadata())
        .map(|metadata| metadata.uid());
    let _ = std::fs::remove_file(&probe);
    uid.is_ok_and(|uid| uid == 0)
}

/// Whether [`REQUIRE_TOOLS`] is set to `1`.
pub fn tools_required() -> bool {
    std::env::var_os(REQUIRE_TOOLS).is_some_and(|value| value == "1")
}

/// Say that the running test skips what needs a missing tool (`reason` names it), or fail it
/// when [`REQUIRE_TOOLS`] is `1`: for a test that finds out only by running the tool.
#[track_caller]
pub fn skip(reason: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    assert!(
        !tools_required(),
        "{test}: {reason}, and {REQUIRE_TOOLS}=1 forbids skipping"
    );
    // Straight to the file descriptor: the test harness captures `eprintln!` of a test that
    // passes, and a skip must show.
    let line = format!("skipped in {test}: {reason}; {REQUIRE_TOOLS}=1 makes this a failure\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

/// The first executable file called `name` in the directories of `path`.
fn find_in(path: &OsStr, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_is_found_only_where_an_executable_file_of_its_name_is() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("fake-github-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tool = dir.join("sometool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = std::env::join_paths([Path::new("/nonexistent"), &dir]).unwrap();
        assert_eq!(find_in(&path, "sometool"), None, "not executable");
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_in(&path, "sometool"), Some(tool));
        assert_eq!(find_in(&path, "othertool"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Run in a child process by the test below.
    #[test]
    #[ignore = "run by a_missing_tool_skips_unless_tools_are_required"]
    fn needs_a_missing_tool() {
        assert_eq!(
            require_tool("autoheal-no-such-tool", "apt-get install nothing"),
            None
        );
    }

    #[test]
    fn a_missing_tool_skips_unless_tools_are_required() {
        let run = |required: &str| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "tools::tests::needs_a_missing_tool"])
                .arg("--test-threads=1")
                .env(REQUIRE_TOOLS, required)
                .output()
                .unwrap()
        };
        let skipped = run("0");
        let stderr = String::from_utf8_lossy(&skipped.stderr);
        assert!(skipped.status.success(), "{stderr}");
        assert!(
            stderr.contains("skipped in tools::tests::needs_a_missing_tool: `autoheal-no-such-tool` is not on the PATH (install it: apt-get install nothing)"),
            "{stderr}"
        );
        let failed = run("1");
        // The harness prints a failing test's panic on stdout.
        let stdout = String::from_utf8_lossy(&failed.stdout);
        assert!(!failed.status.success(), "{stdout}");
        assert!(
            stdout.contains("AUTOHEAL_REQUIRE_TOOLS=1 forbids skipping"),
            "{stdout}"
        );
    }
}
