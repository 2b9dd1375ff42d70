//! `ipfs-kit autoheal diagnose`: a real failure of `ipfs-kit add` diagnosed offline by its
//! trace ID (whole or a prefix), as the last failure (also once GitHub has it and the queue is
//! empty), from its issue body (a file or standard input), and the errors for bad input.

mod common;

use common::{Run, Sandbox};
use fake_github::FakeGitHub;

const TOKEN: &str = "ghp_DiagnoseTestTokenValue0123456789abcdefgh";

/// A sandbox with reporting on but no token: failures are queued.
fn queuing_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.run(&["autoheal", "enable"]).success();
    sandbox
}

/// Run `ipfs-kit add` on a missing file and return the trace ID it printed.
fn fail_to_add(sandbox: &Sandbox) -> String {
    let run = sandbox.run(&["add", "/missing/file"]);
    run.failure(1);
    run.stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID: "))
        .unwrap_or_else(|| panic!("no trace ID in\n{}", run.stderr))
        .to_string()
}

#[track_caller]
fn assert_file_not_found(run: &Run, trace_id: &str) {
    run.success();
    let out = &run.stdout;
    assert!(
        out.starts_with("File not found: `/missing/file`\n"),
        "{out}"
    );
    assert!(
        out.contains("What to do:\n  1. Check the path: `ls -l /missing/file`"),
        "{out}"
    );
    assert!(out.contains("`ipfs-kit add /missing/file`"), "{out}");
    assert!(
        out.contains("Location:   ") && out.contains("add.rs:"),
        "{out}"
    );
    assert!(
        out.contains("Confidence: high\nRule:       file-not-found\n"),
        "{out}"
    );
    assert!(out.contains(&format!("Trace ID:   {trace_id}\n")), "{out}");
}

#[test]
fn a_queued_failure_is_diagnosed_by_its_trace_id_or_a_prefix() {
    let sandbox = queuing_sandbox();
    let trace_id = fail_to_add(&sandbox);
    let run = sandbox.run(&["autoheal", "diagnose", &trace_id]);
    assert_file_not_found(&run, &trace_id);
    assert!(
        run.stdout.contains("Report:     the queued report "),
        "{}",
        run.stdout
    );
    let run = sandbox.run(&["autoheal", "diagnose", &trace_id[..8]]);
    assert_file_not_found(&run, &trace_id);

    let json = sandbox
        .run(&["autoheal", "diagnose", &trace_id, "--json"])
        .success()
        .json();
    assert_eq!(json["rule_id"], "file-not-found");
    assert_eq!(json["trace_id"], trace_id.as_str());
    assert_eq!(json["confidence"], "high");
    assert!(
        json["steps"][0]
            .as_str()
            .unwrap()
            .contains("ls -l /missing/file")
    );
}

#[test]
fn the_last_failure_is_kept_privately_and_diagnosed() {
    let sandbox = queuing_sandbox();
    let first = fail_to_add(&sandbox);
    let run = sandbox.run(&["add", "/missing/other"]);
    run.failure(1);
    let last = sandbox.run(&["autoheal", "diagnose", "--last"]);
    last.success();
    assert!(
        last.stdout.starts_with("File not found: `/missing/other`"),
        "{}",
        last.stdout
    );
    assert!(!last.stdout.contains(&first));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = sandbox.config_dir().join("last_report.json");
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_failure_filed_on_github_is_still_the_last_one_and_its_issue_body_reads_back() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::reporting_to(github.url(), TOKEN, "acme/tools");
    let trace_id = fail_to_add(&sandbox);
    let queue = sandbox.run(&["autoheal", "queue"]);
    assert!(
        queue.stdout.contains("No reports are waiting"),
        "{}",
        queue.stdout
    );

    assert_file_not_found(&sandbox.run(&["autoheal", "diagnose", "--last"]), &trace_id);
    assert_file_not_found(
        &sandbox.run(&["autoheal", "diagnose", &trace_id]),
        &trace_id,
    );
    for (path, bytes) in sandbox.all_files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(TOKEN), "the token is in {}", path.display());
    }

    let body = github.issues("acme/tools")[0].body.clone();
    let file = sandbox.home().join("issue.md");
    std::fs::write(&file, &body).unwrap();
    let run = sandbox.run(&["autoheal", "diagnose", "--file", file.to_str().unwrap()]);
    assert_file_not_found(&run, &trace_id);
    assert!(
        run.stdout.contains("from its report JSON"),
        "{}",
        run.stdout
    );

    let without_json = &body[..body.find(autoheal::issue::REPORT_MARKER).unwrap()];
    let run = sandbox.run_with_stdin(
        &["autoheal", "diagnose", "--file", "-"],
        without_json.as_bytes(),
    );
    run.success();
    assert!(
        run.stdout.starts_with("File not found: `/missing/file`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("markdown sections"), "{}", run.stdout);
}

#[test]
fn bad_input_exits_with_2_and_says_what_to_do() {
    let sandbox = queuing_sandbox();
    let run = sandbox.run(&["autoheal", "diagnose", "--last"]);
    run.failure(2);
    assert!(
        run.stderr.contains("no failure has been recorded here yet"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("ipfs-kit autoheal enable"),
        "{}",
        run.stderr
    );

    let run = sandbox.run(&["autoheal", "diagnose", "0123abcd"]);
    run.failure(2);
    assert!(
        run.stderr.contains("the queue") && run.stderr.contains("is empty"),
        "{}",
        run.stderr
    );

    let trace_id = fail_to_add(&sandbox);
    let run = sandbox.run(&["autoheal", "diagnose", "ffffffffffff"]);
    run.failure(2);
    assert!(
        run.stderr
            .contains("no queued report has the trace ID ffffffffffff"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&trace_id),
        "the queued reports are listed: {}",
        run.stderr
    );

    let file = sandbox.home().join("notes.md");
    std::fs::write(&file, "# Notes\n\nNothing to see.\n").unwrap();
    let run = sandbox.run(&["autoheal", "diagnose", "--file", file.to_str().unwrap()]);
    run.failure(2);
    assert!(
        run.stderr.contains("neither an autoheal report"),
        "{}",
        run.stderr
    );
    // A report hidden in an HTML comment, invisible on GitHub, is refused, not diagnosed.
    std::fs::write(
        &file,
        "Thanks!\n<!-- <!-- autoheal:report -->\n```json\n{\"schema\": 1}\n```\n",
    )
    .unwrap();
    let run = sandbox.run(&["autoheal", "diagnose", "--file", file.to_str().unwrap()]);
    run.failure(2);
    assert!(
        run.stderr
            .contains("inside an HTML comment, invisible on GitHub"),
        "{}",
        run.stderr
    );
    let run = sandbox.run(&["autoheal", "diagnose", "--file", "/missing/issue.md"]);
    run.failure(2);
    assert!(
        run.stderr.contains("could not read /missing/issue.md"),
        "{}",
        run.stderr
    );

    sandbox.run(&["autoheal", "diagnose"]).failure(2);
    sandbox
        .run(&["autoheal", "diagnose", "--last", "--file", "x"])
        .failure(2);
}

#[test]
fn the_shell_s_working_directory_is_not_mistaken_for_a_secret() {
    // A shell exports PWD (and OLDPWD); a path under the working directory must stay whole in
    // the report and its diagnosis.
    let sandbox = queuing_sandbox();
    let project = sandbox.home().join("projects").join("pins-app");
    std::fs::create_dir_all(&project).unwrap();
    let missing = project.join("pins.txt");
    let missing = missing.to_str().unwrap();
    let mut command = sandbox.command(&["add", missing]);
    command
        .current_dir(&project)
        .env("PWD", &project)
        .env("OLDPWD", sandbox.home());
    let run = Run::from(command.output().unwrap());
    run.failure(1);
    assert!(run.stderr.contains(missing), "{}", run.stderr);
    let run = sandbox.run(&["autoheal", "diagnose", "--last", "--json"]);
    let json = run.success().json();
    assert_eq!(json["rule_id"], "file-not-found");
    let text = json.to_string();
    assert!(text.contains(missing), "{text}");
    assert!(!text.contains("[REDACTED]"), "{text}");
}
