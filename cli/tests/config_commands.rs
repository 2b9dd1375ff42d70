//! `ipfs-kit autoheal enable | disable | status | config`, run as a user runs them.

mod common;

use common::Sandbox;
use serde_json::Value;

const TOKEN: &str = "ghp_SecretTokenValueForTests0123456789abcd";

#[test]
fn enable_and_disable_write_a_private_file() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["autoheal", "enable", "--github-repo", "acme/ipfs-tools"]);
    run.success();
    assert!(
        run.stdout
            .contains("https://github.com/acme/ipfs-tools/issues"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("GITHUB_TOKEN"),
        "says how to add the token: {}",
        run.stdout
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["github_repo"], "acme/ipfs-tools");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&sandbox.config_file()), 0o600);
        assert_eq!(mode(&sandbox.config_dir()), 0o700);
    }
    sandbox.run(&["autoheal", "disable"]).success();
    let status = sandbox
        .run(&["autoheal", "status", "--json"])
        .success()
        .json();
    assert_eq!(status["enabled"], false);
    assert_eq!(status["repository"], "acme/ipfs-tools");
}

#[test]
fn status_json_has_stable_fields_and_never_the_token() {
    let sandbox = Sandbox::new().env("GITHUB_TOKEN", TOKEN);
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/ipfs-tools"])
        .success();
    let run = sandbox.run(&["autoheal", "status", "--json"]);
    run.success();
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    let status = run.json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["configured"], true);
    assert_eq!(status["repository"], "acme/ipfs-tools");
    assert_eq!(status["github_token"], "set");
    assert_eq!(status["github_token_source"], "GITHUB_TOKEN");
    assert_eq!(status["auto_create_issues"], true);
    assert_eq!(status["queue_length"], 0);
    assert_eq!(
        status["config_file"],
        sandbox.config_file().display().to_string()
    );
    assert_eq!(status["settings"]["enabled"]["source"], "file");
    assert_eq!(
        status["settings"]["max_log_lines"],
        serde_json::json!({"value": 100, "source": "default"})
    );

    let text = sandbox
        .run(&["autoheal", "status"])
        .success()
        .stdout
        .clone();
    for expected in [
        "Enabled:",
        "Configured:",
        "Repository:",
        "GitHub Token:       Set",
        "Auto-create issues:",
        "Queued reports:",
        "Config file:",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains(TOKEN));
}

#[test]
fn the_token_is_never_written_to_any_file() {
    let sandbox = Sandbox::new().env("GITHUB_TOKEN", TOKEN);
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/ipfs-tools"])
        .success();
    sandbox
        .run(&["autoheal", "config", "--set", "max_log_lines", "250"])
        .success();
    let refused = sandbox.run(&["autoheal", "config", "--set", "github_token", TOKEN]);
    refused.failure(2);
    assert!(
        refused.stderr.contains("GITHUB_TOKEN"),
        "says to use the environment: {}",
        refused.stderr
    );
    sandbox.run(&["add", "/nonexistent/file"]).failure(1);
    // A token pasted into a file that then breaks is masked in the backup too.
    std::fs::write(
        sandbox.config_file(),
        format!("{{\"github_token\": \"{TOKEN}\", \"enabled\": true,}}"),
    )
    .unwrap();
    let enable = sandbox.run(&["autoheal", "enable"]);
    assert!(
        enable.success().stderr.contains(".bak"),
        "{}",
        enable.stderr
    );
    let files = sandbox.all_files();
    assert!(
        files.len() >= 3,
        "the config file, its backup and a queued report: {files:?}"
    );
    for (path, bytes) in files {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "the token leaked into {}",
            path.display()
        );
    }
}

#[test]
fn a_token_found_in_the_file_is_ignored_with_a_warning_and_removed_on_save() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    std::fs::write(
        sandbox.config_file(),
        format!(r#"{{"enabled": true, "github_token": "{TOKEN}", "x_custom": [1, 2]}}"#),
    )
    .unwrap();
    let run = sandbox.run(&["autoheal", "status", "--json"]);
    run.success();
    assert!(run.stderr.is_empty() || !run.stderr.contains(TOKEN));
    let status = run.json();
    assert_eq!(status["github_token"], "not set");
    assert!(
        status["warnings"]
            .to_string()
            .contains("ignoring `github_token`"),
        "{status}"
    );
    assert_eq!(
        sandbox
            .run(&["autoheal", "config", "--get", "github_token"])
            .success()
            .stdout
            .trim(),
        "not set",
        "the token in the file is not used"
    );
    let set = sandbox.run(&["autoheal", "config", "--set", "debug", "yes"]);
    set.success();
    assert!(
        set.stderr.contains("removed github_token from"),
        "the user is told the key went: {}",
        set.stderr
    );
    assert!(!set.stdout.contains(TOKEN) && !set.stderr.contains(TOKEN));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert!(
        saved.get("github_token").is_none(),
        "removed on save: {saved}"
    );
    assert_eq!(
        saved["x_custom"],
        serde_json::json!([1, 2]),
        "unknown keys are kept"
    );
    assert_eq!(saved["debug"], true);
    assert_eq!(
        sandbox
            .run_with(
                &["autoheal", "config", "--get", "github_token"],
                &[("GITHUB_TOKEN", TOKEN)]
            )
            .success()
            .stdout
            .trim(),
        "set"
    );

    // `--unset github_token` cleans a file by hand.
    std::fs::write(
        sandbox.config_file(),
        format!(r#"{{"token": "{TOKEN}", "debug": true}}"#),
    )
    .unwrap();
    let unset = sandbox.run(&["autoheal", "config", "--unset", "github_token"]);
    assert!(
        unset.success().stdout.contains("removed token from"),
        "{}",
        unset.stdout
    );
    let saved = std::fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(!saved.contains(TOKEN), "{saved}");
    assert!(saved.contains("\"debug\": true"), "{saved}");
}

#[test]
fn precedence_is_flag_then_env_then_file_then_default() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "file/repo"])
        .success();
    sandbox
        .run(&["autoheal", "config", "--set", "max_log_lines", "300"])
        .success();
    let from_file = sandbox
        .run(&["autoheal", "status", "--json"])
        .success()
        .json();
    assert_eq!(
        from_file["settings"]["github_repo"],
        serde_json::json!({"value": "file/repo", "source": "file"})
    );
    assert_eq!(from_file["settings"]["max_log_lines"]["source"], "file");

    let env = [
        ("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "env/repo"),
        ("GITHUB_REPOSITORY", "someone/else"),
        ("IPFS_KIT_AUTO_HEAL", "No"),
        ("GITHUB_API_URL", "https://ghe.example.com/api/v3"),
        ("GH_TOKEN", TOKEN),
    ];
    let from_env = sandbox
        .run_with(&["autoheal", "status", "--json"], &env)
        .success()
        .json();
    assert_eq!(
        from_env["settings"]["github_repo"],
        serde_json::json!({"value": "env/repo", "source": "env", "env_var": "IPFS_KIT_AUTO_HEAL_GITHUB_REPO"})
    );
    assert_eq!(
        from_env["settings"]["enabled"],
        serde_json::json!({"value": false, "source": "env", "env_var": "IPFS_KIT_AUTO_HEAL"})
    );
    assert_eq!(
        from_env["settings"]["api_url"]["value"],
        "https://ghe.example.com/api/v3"
    );
    assert_eq!(from_env["settings"]["max_log_lines"]["source"], "file");
    assert_eq!(from_env["github_token"], "set");
    assert_eq!(
        from_env["github_token_source"], "GH_TOKEN",
        "GH_TOKEN is the fallback"
    );

    let from_flag = sandbox
        .run_with(
            &[
                "autoheal",
                "status",
                "--json",
                "--github-repo",
                "flag/repo",
                "--auto-heal",
            ],
            &env,
        )
        .success()
        .json();
    assert_eq!(
        from_flag["settings"]["github_repo"],
        serde_json::json!({"value": "flag/repo", "source": "flag"})
    );
    assert_eq!(
        from_flag["settings"]["enabled"],
        serde_json::json!({"value": true, "source": "flag"})
    );
    assert_eq!(from_flag["settings"]["timeout_secs"]["source"], "default");

    let switched_off = sandbox
        .run_with(
            &["--no-auto-heal", "autoheal", "status", "--json"],
            &[("IPFS_KIT_AUTO_HEAL", "1")],
        )
        .success()
        .json();
    assert_eq!(
        switched_off["settings"]["enabled"],
        serde_json::json!({"value": false, "source": "flag"})
    );
    let both = sandbox.run(&["--auto-heal", "--no-auto-heal", "autoheal", "status"]);
    both.failure(2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn changes_say_when_the_environment_still_overrides_the_file() {
    let sandbox = Sandbox::new();
    let env = [
        ("IPFS_KIT_AUTO_HEAL", "false"),
        ("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "env/repo"),
    ];
    let run = sandbox.run_with(&["autoheal", "enable", "--github-repo", "file/repo"], &env);
    run.success();
    assert!(
        run.stdout.contains(
            "the environment takes precedence over the file: enabled is false (env IPFS_KIT_AUTO_HEAL)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("github_repo is env/repo (env IPFS_KIT_AUTO_HEAL_GITHUB_REPO)"),
        "{}",
        run.stdout
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert_eq!(saved["enabled"], true, "the file holds what was asked for");
    assert_eq!(saved["github_repo"], "file/repo");

    let unset = sandbox.run_with(&["autoheal", "config", "--unset", "github_repo"], &env);
    assert!(
        unset.success().stdout.contains("github_repo removed from")
            && unset
                .stdout
                .contains("it is now env/repo (env IPFS_KIT_AUTO_HEAL_GITHUB_REPO)"),
        "{}",
        unset.stdout
    );
    let unset_again = sandbox.run(&["autoheal", "config", "--unset", "github_repo"]);
    assert!(
        unset_again.success().stdout.contains("was not set in")
            && unset_again.stdout.contains("it is now (not set) (default)"),
        "{}",
        unset_again.stdout
    );

    let enterprise = sandbox.run_with(
        &["autoheal", "enable", "--github-repo", "corp/tools"],
        &[("GITHUB_API_URL", "https://ghe.example.com/api/v3")],
    );
    assert!(
        enterprise
            .success()
            .stdout
            .contains("reported to corp/tools through https://ghe.example.com/api/v3"),
        "{}",
        enterprise.stdout
    );
}

#[test]
fn config_lists_gets_sets_and_unsets_typed_values() {
    let sandbox = Sandbox::new();
    let listing = sandbox
        .run(&["autoheal", "config"])
        .success()
        .stdout
        .clone();
    for key in [
        "enabled",
        "github_repo",
        "max_log_lines",
        "include_stack_trace",
        "auto_create_issues",
        "issue_labels",
        "api_url",
        "timeout_secs",
        "github_token",
    ] {
        assert!(
            listing.contains(key),
            "{key} missing from the listing:\n{listing}"
        );
    }
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "issue_labels",
            "auto-heal, ipfs ,bug",
        ])
        .success();
    assert_eq!(
        sandbox
            .run(&["autoheal", "config", "--get", "issue_labels"])
            .success()
            .stdout
            .trim(),
        "auto-heal,ipfs,bug"
    );
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "include_stack_trace",
            "FALSE",
        ])
        .success();
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "api_url",
            "https://github.example.com/api/v3",
        ])
        .success();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert_eq!(
        saved["issue_labels"],
        serde_json::json!(["auto-heal", "ipfs", "bug"])
    );
    assert_eq!(
        saved["include_stack_trace"], false,
        "booleans are stored as booleans"
    );
    sandbox
        .run(&["autoheal", "config", "--unset", "include_stack_trace"])
        .success();
    assert_eq!(
        sandbox
            .run(&["autoheal", "config", "--get", "include_stack_trace"])
            .success()
            .stdout
            .trim(),
        "true"
    );
    assert_eq!(
        sandbox
            .run(&["autoheal", "config", "--get", "api_url"])
            .success()
            .stdout
            .trim(),
        "https://github.example.com/api/v3"
    );
}

#[test]
fn every_command_has_help() {
    let sandbox = Sandbox::new();
    for args in [
        &["--help"][..],
        &["add", "--help"],
        &["id", "--help"],
        &["mcp", "start", "--help"],
        &["autoheal", "--help"],
        &["autoheal", "enable", "--help"],
        &["autoheal", "disable", "--help"],
        &["autoheal", "status", "--help"],
        &["autoheal", "config", "--help"],
        &["autoheal", "queue", "--help"],
        &["autoheal", "flush", "--help"],
        &["autoheal", "queue", "clear", "--help"],
    ] {
        let run = sandbox.run(args);
        run.success();
        assert!(
            run.stdout.contains("Usage: ipfs-kit"),
            "{args:?}: {}",
            run.stdout
        );
    }
    let unknown = sandbox.run(&["autoheal", "explode"]);
    unknown.failure(2);
    assert!(
        unknown.stderr.contains("unrecognized subcommand"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn log_level_is_set_read_and_shown_with_its_source() {
    let sandbox = Sandbox::new();
    let status = |env: &[(&str, &str)]| {
        sandbox
            .run_with(&["autoheal", "status", "--json"], env)
            .success()
            .json()["settings"]["log_level"]
            .clone()
    };
    assert_eq!(
        status(&[]),
        serde_json::json!({"value": "info", "source": "default"})
    );
    sandbox
        .run(&["autoheal", "config", "--set", "log_level", "DEBUG"])
        .success();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.config_file()).unwrap()).unwrap();
    assert_eq!(saved["log_level"], "debug");
    assert_eq!(
        status(&[]),
        serde_json::json!({"value": "debug", "source": "file"})
    );
    assert_eq!(
        status(&[("IPFS_KIT_AUTO_HEAL_LOG_LEVEL", "warn")]),
        serde_json::json!({"value": "warn", "source": "env", "env_var": "IPFS_KIT_AUTO_HEAL_LOG_LEVEL"})
    );
    let text = sandbox
        .run(&["autoheal", "status"])
        .success()
        .stdout
        .clone();
    assert!(
        text.lines().any(|line| line.contains("log_level")
            && line.contains("debug")
            && line.contains("(file)")),
        "{text}"
    );
    let bad_env = sandbox.run_with(
        &["autoheal", "status"],
        &[("IPFS_KIT_AUTO_HEAL_LOG_LEVEL", "chatty")],
    );
    bad_env.failure(2);
    assert!(
        bad_env.stderr.contains("IPFS_KIT_AUTO_HEAL_LOG_LEVEL")
            && bad_env.stderr.contains("chatty"),
        "{}",
        bad_env.stderr
    );
}

#[test]
fn status_says_which_repository_won_when_ci_names_another_project() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    let ci = [("GITHUB_REPOSITORY", "someone/their-project")];
    let status = sandbox.run_with(&["autoheal", "status"], &ci);
    status.success();
    assert!(
        status.stdout.contains("acme/tools") && status.stdout.contains("(file)"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains("GITHUB_REPOSITORY (someone/their-project) is ignored"),
        "{}",
        status.stdout
    );
    let json = sandbox
        .run_with(&["autoheal", "status", "--json"], &ci)
        .success()
        .json();
    assert_eq!(json["repository"], "acme/tools");

    let chosen = sandbox.run_with(
        &["autoheal", "status"],
        &[
            ("GITHUB_REPOSITORY", "someone/their-project"),
            ("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "acme/fork"),
        ],
    );
    chosen.success();
    assert!(
        chosen
            .stdout
            .contains("IPFS_KIT_AUTO_HEAL_GITHUB_REPO is set: it is above the file"),
        "{}",
        chosen.stdout
    );
}
