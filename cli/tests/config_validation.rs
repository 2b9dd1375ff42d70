//! Invalid configuration, wherever it comes from: each value checked with a clear message,
//! malformed files named with their position and kept as backups, unknown keys shown.

mod common;

use common::Sandbox;
use serde_json::Value;

#[test]
fn every_invalid_value_is_a_clear_error_that_changes_nothing() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    let before = std::fs::read_to_string(sandbox.config_file()).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["autoheal", "enable", "--github-repo", "not-a-repo"],
            "owner/repo",
        ),
        (&["autoheal", "enable", "--github-repo=-bad/repo"], "owner"),
        (
            &["autoheal", "config", "--set", "github_repo", "acme/re po"],
            "repository name",
        ),
        (
            &["autoheal", "config", "--set", "github_repo", "acme/.."],
            "repository name",
        ),
        (
            &[
                "autoheal",
                "config",
                "--set",
                "github_repo",
                &format!("{}/tools", "a".repeat(40)),
            ],
            "1 to 39 characters",
        ),
        (
            &[
                "autoheal",
                "config",
                "--set",
                "github_repo",
                &format!("acme/{}", "r".repeat(101)),
            ],
            "1 to 100 characters",
        ),
        (
            &["autoheal", "config", "--set", "issue_labels", " , "],
            "at least one label",
        ),
        (
            &["autoheal", "config", "--set", "timeout_secs", "-5"],
            "not a whole number",
        ),
        (
            &["autoheal", "config", "--set", "api_url", "https://"],
            "no valid host",
        ),
        (
            &["autoheal", "config", "--set", "issue_labels", ""],
            "at least one label",
        ),
        (
            &[
                "autoheal",
                "config",
                "--set",
                "issue_labels",
                &"x".repeat(51),
            ],
            "longer than 50",
        ),
        (
            &["autoheal", "config", "--set", "max_log_lines", "0"],
            "from 1 to 10000",
        ),
        (
            &["autoheal", "config", "--set", "max_log_lines", "10001"],
            "from 1 to 10000",
        ),
        (
            &["autoheal", "config", "--set", "max_log_lines", "many"],
            "not a whole number",
        ),
        (
            &[
                "autoheal",
                "config",
                "--set",
                "api_url",
                "ftp://example.com",
            ],
            "http(s) URL",
        ),
        (
            &["autoheal", "config", "--set", "enabled", "maybe"],
            "not a boolean",
        ),
        (
            &["autoheal", "config", "--set", "log_level", "verbose"],
            "`verbose` is not a log level; use off, error, warn, info, debug, trace",
        ),
        (
            &["autoheal", "config", "--set", "colour", "blue"],
            "known keys are: enabled, github_repo",
        ),
        (&["autoheal", "config", "--get", "colour"], "known keys are"),
        (
            &["autoheal", "config", "--unset", "colour"],
            "known keys are",
        ),
    ];
    for (args, expected) in cases {
        let run = sandbox.run(args);
        run.failure(2);
        assert!(
            run.stderr.contains(expected),
            "{args:?}: expected {expected:?} in:\n{}",
            run.stderr
        );
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(sandbox.config_file()).unwrap(),
        before,
        "nothing was written"
    );
    let bad_env = sandbox.run_with(
        &["autoheal", "status"],
        &[("IPFS_KIT_AUTO_HEAL", "sometimes")],
    );
    bad_env.failure(2);
    assert!(
        bad_env.stderr.contains("IPFS_KIT_AUTO_HEAL") && bad_env.stderr.contains("sometimes"),
        "{}",
        bad_env.stderr
    );
}

#[test]
fn invalid_values_in_the_file_name_the_key_and_the_file() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    let cases = [
        (
            r#"{"max_log_lines": "100"}"#,
            "max_log_lines",
            "is not a whole number",
        ),
        (
            r#"{"max_log_lines": 2.5}"#,
            "max_log_lines",
            "from 1 to 10000",
        ),
        (r#"{"timeout_secs": -1}"#, "timeout_secs", "from 1 to 600"),
        (r#"{"enabled": "yes"}"#, "enabled", "is not a boolean"),
        (
            r#"{"issue_labels": ["ok", "a,b"]}"#,
            "issue_labels",
            "contains a comma",
        ),
        (
            r#"{"issue_labels": "auto-heal"}"#,
            "issue_labels",
            "is not a list of labels",
        ),
        (
            r#"{"github_repo": "just-a-name"}"#,
            "github_repo",
            "owner/repo",
        ),
        (r#"{"api_url": "api.github.com"}"#, "api_url", "http(s) URL"),
        (
            r#"{"log_level": "loud"}"#,
            "log_level",
            "is not a log level",
        ),
        (r#"{"log_level": 4}"#, "log_level", "is not a log level"),
    ];
    for (contents, key, expected) in cases {
        std::fs::write(sandbox.config_file(), contents).unwrap();
        let run = sandbox.run(&["autoheal", "status"]);
        run.failure(2);
        assert!(
            run.stderr.contains(&format!("invalid value for `{key}`"))
                && run.stderr.contains(expected)
                && run
                    .stderr
                    .contains(&sandbox.config_file().display().to_string()),
            "{contents}: {}",
            run.stderr
        );
    }
}

#[test]
fn unknown_keys_in_the_file_are_shown_and_kept() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    std::fs::write(sandbox.config_file(), r#"{"enabeld": true}"#).unwrap();
    let status = sandbox.run(&["autoheal", "status"]);
    assert!(
        status.success().stdout.contains("a typo?): enabeld"),
        "{}",
        status.stdout
    );
    let json = sandbox
        .run(&["autoheal", "status", "--json"])
        .success()
        .json();
    assert_eq!(json["unknown_file_keys"], serde_json::json!(["enabeld"]));
    assert_eq!(json["enabled"], false, "a misspelt key changes nothing");
    sandbox.run(&["autoheal", "enable"]).success();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert_eq!(saved["enabeld"], true);
    assert_eq!(saved["enabled"], true);
}

#[test]
fn a_malformed_file_is_reported_with_its_position_and_kept_as_a_backup() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    let broken =
        "{\n  \"enabled\": true,\n  \"github_repo\": \"acme/tools\"\n  \"max_log_lines\": 5\n}\n";
    std::fs::write(sandbox.config_file(), broken).unwrap();
    let status = sandbox.run(&["autoheal", "status"]);
    status.failure(1);
    let expected = format!("{}:4:3", sandbox.config_file().display());
    assert!(
        status.stderr.contains(&expected),
        "names file, line and column: {}",
        status.stderr
    );
    // A normal command still works, with reporting off for the run.
    let add = sandbox.run(&["add", "/nonexistent/file"]);
    add.failure(1);
    assert!(
        add.stderr
            .contains("automatic error reporting is off for this run"),
        "{}",
        add.stderr
    );
    // Changing the configuration keeps the broken file first.
    let enable = sandbox.run(&["autoheal", "enable"]);
    enable.success();
    assert!(enable.stderr.contains(".bak"), "{}", enable.stderr);
    let backup = sandbox.config_dir().join("auto_heal_config.json.bak");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), broken);
    let status = sandbox
        .run(&["autoheal", "status", "--json"])
        .success()
        .json();
    assert_eq!(status["enabled"], true);

    // `config --set` on a file broken again keeps a second backup beside the first.
    std::fs::write(sandbox.config_file(), "{\"enabled\": tru}").unwrap();
    let set = sandbox.run(&["autoheal", "config", "--set", "max_log_lines", "20"]);
    set.success();
    let second = sandbox.config_dir().join("auto_heal_config.json.bak.2");
    assert!(
        set.stderr.contains(&second.display().to_string()),
        "{}",
        set.stderr
    );
    assert_eq!(
        std::fs::read_to_string(second).unwrap(),
        "{\"enabled\": tru}"
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.config_dir().join("auto_heal_config.json.bak")).unwrap(),
        broken,
        "the first backup is untouched"
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert_eq!(saved, serde_json::json!({"max_log_lines": 20}));
}
