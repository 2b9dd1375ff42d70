//! Where a report says the failure happened: application frames name their files relative to
//! the workspace the program was built in, never by the building machine's absolute path, and
//! with the commit the program was built from, the issue links each to its line on GitHub.

use autoheal::config::App;
use autoheal::issue::render_issue;
use autoheal::test::{test_config, with_captured_reports_using};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

#[derive(Debug, thiserror::Error)]
#[error("the pin set is locked")]
struct PinsLocked;

#[autoheal::auto_heal]
fn lock_pins() -> Result<(), PinsLocked> {
    Err(PinsLocked)
}

/// The workspace's root on this machine: what no report may carry.
fn workspace_root() -> String {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap().display().to_string()
}

fn report_with(app: App) -> autoheal::Report {
    let mut config = test_config();
    config.app = app;
    let (result, mut reports) = with_captured_reports_using(config, lock_pins);
    assert!(result.is_err());
    assert_eq!(reports.len(), 1, "{reports:#?}");
    reports.remove(0)
}

#[test]
fn in_app_frames_are_relative_to_the_workspace_and_linked_at_the_commit() {
    let app = App::new("links", "LINKS_", "1.0.0")
        .with_repository("acme/pins")
        .unwrap()
        .with_build_commit(COMMIT)
        .unwrap();
    let report = report_with(app);
    let top = report
        .backtrace
        .iter()
        .find(|frame| frame.in_app)
        .expect("an in-app frame");
    assert_eq!(top.function, "source_links::lock_pins");
    assert_eq!(top.file.as_deref(), Some("autoheal/tests/source_links.rs"));
    let line = top.line.expect("a line");

    // The working directory is where the test runs, which may be the build's: not a path
    // the build put in the report.
    let json = report.to_json_pretty().replace(&report.system.cwd, "");
    assert!(!json.contains(&workspace_root()), "{json}");
    assert_eq!(report.system.commit.as_deref(), Some(COMMIT));

    let body = render_issue(&report).body.replace(&report.system.cwd, "");
    let link = format!(
        "(https://github.com/acme/pins/blob/{COMMIT}/autoheal/tests/source_links.rs#L{line})"
    );
    assert!(body.contains(&link), "{body}");
    assert!(!body.contains(&workspace_root()), "{body}");
}

#[test]
fn without_a_commit_there_are_no_links_and_still_no_absolute_paths() {
    let app = App::new("links", "LINKS_", "1.0.0")
        .with_repository("acme/pins")
        .unwrap();
    let report = report_with(app);
    assert_eq!(report.system.commit, None);
    assert_eq!(report.system.source_url, None);
    let body = render_issue(&report).body.replace(&report.system.cwd, "");
    assert!(!body.contains("/blob/"), "{body}");
    assert!(body.contains("autoheal/tests/source_links.rs:"), "{body}");
    assert!(!body.contains(&workspace_root()), "{body}");
    let json = report.to_json_pretty().replace(&report.system.cwd, "");
    assert!(!json.contains(&workspace_root()), "{json}");
}
