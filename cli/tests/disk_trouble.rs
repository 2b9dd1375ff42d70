//! Disk trouble under ipfs-kit: a read-only configuration directory, a full disk, the queue
//! directory deleted while ipfs-kit runs. Each time the user reads what happened and what to
//! do, nothing panics, and the host command is unaffected: its own output and exit code are
//! those of the IPFS command.
//!
//! The tests may run as root, where permissions do not bite. Each picks the most faithful
//! mechanism available and prints which ran:
//! - read-only: `chmod 0500` as an ordinary user; as root, a read-only bind mount of the
//!   directory onto itself; where mounting is not allowed, a file standing where the queue
//!   directory should be (the write fails just the same, with a different error);
//! - full disk: as root, a 64 KiB tmpfs filled to the last byte; otherwise a file standing
//!   where the queue directory should be.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, Sandbox};
use fake_github::tools::is_root;
use fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_DiskTroubleToken0123456789abcdefghijk";

/// A sandbox where reporting is switched on through the environment (so it does not depend
/// on the configuration directory being readable), with a configuration file in place.
fn reporting_sandbox(github: &FakeGitHub) -> Sandbox {
    with_reporting(Sandbox::new(), github)
}

/// `sandbox` with reporting switched on through the environment, and its configuration file
/// written.
fn with_reporting(sandbox: Sandbox, github: &FakeGitHub) -> Sandbox {
    let sandbox = sandbox
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_REPOSITORY", "acme/tools")
        .env("IPFS_KIT_AUTO_HEAL", "true");
    sandbox
        .run(&["autoheal", "config", "--set", "max_log_lines", "50"])
        .success();
    sandbox
}

/// A mount that is undone when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Run `mount ARGS... DIR`; `None` when not root or not allowed.
    fn new(dir: &Path, args: &[&str]) -> Option<Mount> {
        if !is_root() {
            return None;
        }
        let status = Command::new("mount")
            .args(args)
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| Mount(dir.to_path_buf()))
    }

    /// `dir` bound onto itself, then remounted read-only.
    fn read_only(dir: &Path) -> Option<Mount> {
        let dir_text = dir.to_str()?;
        let bound = Mount::new(dir, &["--bind", dir_text])?;
        Mount::new(dir, &["-o", "remount,bind,ro", dir_text]).map(|remounted| {
            // One umount undoes both.
            std::mem::forget(remounted);
            bound
        })
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// How the trouble was made, for the test's output.
enum Mechanism {
    Chmod,
    Mount(&'static str),
    FileInTheWay,
}

impl Mechanism {
    fn describe(&self) -> &'static str {
        match self {
            Mechanism::Chmod => "chmod 0500 on the configuration directory",
            Mechanism::Mount(what) => what,
            Mechanism::FileInTheWay => "a file where the queue directory should be",
        }
    }
}

/// Put a file where the queue directory should be.
fn file_in_the_way(sandbox: &Sandbox) -> Mechanism {
    let queue = sandbox.config_dir().join("queue");
    let _ = std::fs::remove_dir_all(&queue);
    std::fs::write(&queue, "in the way").unwrap();
    Mechanism::FileInTheWay
}

/// The output of `ipfs-kit add FILE` in a healthy home: what the host command must still say.
fn healthy_add(file: &Path) -> Run {
    Sandbox::new().run(&["add", file.to_str().unwrap()])
}

/// The host command's own behaviour survives, and the report's fate is explained with what
/// happened and what to do.
fn assert_host_unaffected_and_told(sandbox: &Sandbox, told: &[&str]) {
    let data = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(data.path(), b"pins\n").unwrap();
    let ok = sandbox.run(&["add", data.path().to_str().unwrap()]);
    ok.success();
    assert_eq!(
        ok.stdout,
        healthy_add(data.path()).stdout,
        "the CID is printed"
    );

    let missing = sandbox.home().join("missing.txt");
    let failed = sandbox.run(&["add", missing.to_str().unwrap()]);
    failed.failure(1);
    assert!(failed.stdout.is_empty(), "{}", failed.stdout);
    let first = failed.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("error: could not read {}: ", missing.display())),
        "the host's own error comes first:\n{}",
        failed.stderr
    );
    assert!(!failed.stderr.contains("panicked"), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("could not be reported"),
        "the user learns the report was lost:\n{}",
        failed.stderr
    );
    assert!(
        told.iter().any(|phrase| failed.stderr.contains(phrase)),
        "what happened and what to do ({told:?}):\n{}",
        failed.stderr
    );
}

/// Changing the configuration fails with what happened and what to do; the file is intact.
fn assert_config_change_refused(sandbox: &Sandbox, told: &[&str]) {
    let before = std::fs::read(sandbox.config_file()).unwrap();
    let run = sandbox.run(&["autoheal", "config", "--set", "max_log_lines", "99"]);
    run.failure(1);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "could not write {}",
            sandbox.config_file().display()
        )),
        "names the file:\n{}",
        run.stderr
    );
    assert!(
        told.iter().any(|phrase| run.stderr.contains(phrase)),
        "what to do ({told:?}):\n{}",
        run.stderr
    );
    assert_eq!(std::fs::read(sandbox.config_file()).unwrap(), before);
}

#[test]
fn a_read_only_configuration_directory() {
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::Down));
    let sandbox = reporting_sandbox(&github);
    let dir = sandbox.config_dir();
    let mut mount = None;
    let mechanism = if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
        Mechanism::Chmod
    } else if let Some(read_only) = Mount::read_only(&dir) {
        mount = Some(read_only);
        Mechanism::Mount("a read-only bind mount of the configuration directory")
    } else {
        file_in_the_way(&sandbox)
    };
    println!(
        "read-only configuration directory: {}",
        mechanism.describe()
    );
    let told = [
        "the file system is read-only: remount it read-write",
        "check the owner and permissions of the directory",
        "a file stands where the directory should be",
    ];
    assert_host_unaffected_and_told(&sandbox, &told);
    if !matches!(mechanism, Mechanism::FileInTheWay) {
        assert_config_change_refused(&sandbox, &told);
    }
    if let Mechanism::Chmod = mechanism {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    drop(mount);
}

#[test]
fn a_full_disk() {
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::Down));
    let mut sandbox = Sandbox::new();
    let dir = sandbox.config_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mount = Mount::new(&dir, &["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs"]);
    sandbox = with_reporting(sandbox, &github);
    let mechanism = match &mount {
        Some(_) => {
            fill(&dir.join("filler"));
            Mechanism::Mount("a 64 KiB tmpfs filled to the last byte")
        }
        None => file_in_the_way(&sandbox),
    };
    println!("full disk: {}", mechanism.describe());
    let told = [
        "the disk is full: free some space and try again",
        "a file stands where the directory should be",
    ];
    assert_host_unaffected_and_told(&sandbox, &told);
    if let Mechanism::Mount(_) = mechanism {
        assert_config_change_refused(&sandbox, &told);
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
    drop(mount);
}

/// Write to `path` until the file system has no byte left.
fn fill(path: &Path) {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    for _ in 0..4096 {
        if file.write_all(&[0]).is_err() {
            break;
        }
    }
    let _ = file.sync_all();
}

#[test]
fn a_file_where_the_queue_directory_should_be() {
    // The mechanism the other tests fall back on, checked wherever the tests run.
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::Down));
    let sandbox = reporting_sandbox(&github);
    file_in_the_way(&sandbox);
    assert_host_unaffected_and_told(&sandbox, &["a file stands where the directory should be"]);
    let status = sandbox.run(&["autoheal", "status"]);
    status.success();
    assert!(!status.stderr.contains("panicked"), "{}", status.stderr);
}

#[test]
fn the_queue_directory_deleted_between_runs_is_made_again() {
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::Down));
    let sandbox = reporting_sandbox(&github);
    sandbox.run(&["add", "/nonexistent/a.txt"]).failure(1);
    let queue = sandbox.config_dir().join("queue");
    assert!(queue.is_dir());
    std::fs::remove_dir_all(&queue).unwrap();
    let run = sandbox.run(&["add", "/nonexistent/b.txt"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("The error report was saved in the local queue"),
        "{}",
        run.stderr
    );
    assert!(std::fs::read_dir(&queue).unwrap().count() > 0);
}

#[test]
fn the_queue_directory_deleted_while_flush_runs() {
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::Down));
    let sandbox = reporting_sandbox(&github);
    for (i, args) in [
        vec!["add", "/nonexistent/one.txt"],
        vec!["id", "--api", "http://127.0.0.1:9"],
        vec!["add", "/"],
    ]
    .iter()
    .enumerate()
    {
        let run = sandbox.run(args);
        assert!(run.code != Some(0), "failure {i} failed");
    }
    let queue = sandbox.config_dir().join("queue");
    let queued = std::fs::read_dir(&queue)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert!(queued >= 2, "{queued} reports queued");

    // Each request now takes a second, so the flush is still delivering the first report
    // (search, create, the twin check: three seconds) when the queue goes, and has not read
    // the second.
    github.set_fault(Some(Fault::Slow(Duration::from_secs(1))));
    let child = sandbox
        .command(&["autoheal", "flush"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while github.request_count() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::remove_dir_all(&queue).unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    println!(
        "flush after the queue was deleted:\n{}{}",
        run.stdout, run.stderr
    );
    // The report in flight is filed; the others went with the directory, as if sent by
    // another process: a success that says so, with nothing on stderr.
    run.success();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let issues = github.issues("acme/tools");
    assert_eq!(issues.len(), 1, "only the report in flight was filed");
    assert!(
        issues[0].title.contains("/nonexistent/one.txt"),
        "the oldest report went first: {}",
        issues[0].title
    );
    assert_eq!(
        run.stdout,
        format!(
            "reported: https://github.com/acme/tools/issues/{}\nFlushed: 1 new issue(s), 0 recurrence(s), 0 counted within the throttle window; 0 report(s) still queued.\n",
            issues[0].number
        )
    );
    // The next failure finds a queue again.
    github.set_fault(Some(Fault::Down));
    let after = sandbox.run(&["add", "/nonexistent/after.txt"]);
    after.failure(1);
    assert!(
        after.stderr.contains("saved in the local queue"),
        "{}",
        after.stderr
    );
}
