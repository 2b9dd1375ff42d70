//! kill -9 at seeded random moments while ipfs-kit writes its report and while it flushes the
//! queue: afterwards every queued report is whole, none is lost, and none is filed twice.

mod common;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use common::Sandbox;
use support::fake_github::{FakeGitHub, Fault};

/// xorshift64*: reproducible delays from a fixed seed.
struct Seeded(u64);

impl Seeded {
    fn next_millis(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % max
    }
}

fn queue_files(sandbox: &Sandbox) -> Vec<std::path::PathBuf> {
    let dir = sandbox.config_dir().join("queue");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries.map(|e| e.unwrap().path()).collect()
}

fn assert_every_queued_report_is_whole(sandbox: &Sandbox) -> usize {
    let mut whole = 0;
    for path in queue_files(sandbox) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} is not a whole report: {e}"));
        assert_eq!(
            report["trace_id"].as_str().map(str::len),
            Some(32),
            "{name}"
        );
        whole += 1;
    }
    whole
}

#[test]
fn killed_while_writing_the_report_leaves_whole_reports_or_none() {
    let github = FakeGitHub::start();
    github.set_fault(Some(Fault::Down));
    let sandbox = Sandbox::new()
        .env("GITHUB_TOKEN", "ghp_CrashTestToken0123456789abcdefghijklmn")
        .env("GITHUB_API_URL", github.url());
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    let mut rng = Seeded(0x5EED_CAFE);
    for i in 0..40 {
        let mut child = sandbox
            .command(&["add", &format!("/nonexistent/crash-{i}")])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next_millis(120)));
        let _ = child.kill();
        let _ = child.wait();
        assert_every_queued_report_is_whole(&sandbox);
    }
    // The next run starts cleanly: it works, and it removes what killed writers left behind.
    sandbox
        .run(&["add", "/nonexistent/after-the-crashes"])
        .failure(1);
    let leftovers: Vec<_> = queue_files(&sandbox)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files of killed writers remain: {leftovers:?}"
    );
    assert!(assert_every_queued_report_is_whole(&sandbox) >= 1);
}

#[test]
fn killed_while_flushing_loses_nothing_and_files_nothing_twice() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::new()
        .env("GITHUB_TOKEN", "ghp_CrashTestToken0123456789abcdefghijklmn")
        .env("GITHUB_API_URL", github.url());
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    github.set_fault(Some(Fault::Down));
    // Names without digits: digits are masked in fingerprints, so bug-1 and bug-2 would be one bug.
    const NAMES: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    const BUGS: usize = NAMES.len();
    for name in NAMES {
        sandbox
            .run(&["add", &format!("/nonexistent/{name}")])
            .failure(1);
    }
    assert_eq!(assert_every_queued_report_is_whole(&sandbox), BUGS);
    github.set_fault(None);
    let mut rng = Seeded(0xF1A5_4ED0);
    let mut kills = 0;
    while assert_every_queued_report_is_whole(&sandbox) > 0 && kills < 60 {
        let mut child = sandbox.command(&["autoheal", "flush"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.next_millis(80)));
        let _ = child.kill();
        let _ = child.wait();
        kills += 1;
    }
    sandbox.run(&["autoheal", "flush"]).success();
    assert_eq!(
        assert_every_queued_report_is_whole(&sandbox),
        0,
        "everything was delivered"
    );
    let issues = github.issues("acme/tools");
    let open: Vec<_> = issues.iter().filter(|i| i.state == "open").collect();
    assert_eq!(
        open.len(),
        BUGS,
        "one open issue per bug after {kills} kills: {:#?}",
        issues.iter().map(|i| &i.title).collect::<Vec<_>>()
    );
    for name in NAMES {
        let path = format!("/nonexistent/{name}");
        assert_eq!(
            open.iter()
                .filter(|issue| issue.title.contains(&path))
                .count(),
            1,
            "{path}"
        );
    }
}
