//! The program built with `default-features = false` reports through its own sink, and its
//! dependency tree holds no HTTP client and no TLS.

use std::path::Path;
use std::process::Command;

#[test]
fn the_failure_is_printed_by_the_programs_own_sink() {
    let config_dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_custom_sink"))
        .env("CUSTOM_SINK_CONFIG_DIR", config_dir.path())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|line| line.starts_with("report "))
        .unwrap_or_else(|| panic!("no report printed:\n{stdout}\n{stderr}"));
    assert!(
        line.contains("io::Error") && line.ends_with(" in read settings"),
        "{line}"
    );
    assert!(line.contains("No such file or directory"), "{line}");
    assert!(
        stdout.contains("outcome: ") && stdout.contains("printed by the program's own sink"),
        "the sink's outcome is the delivery's: {stdout}"
    );
    // The last report is kept whatever the sink did with it.
    assert!(config_dir.path().join("last_report.json").is_file());
}

#[test]
fn the_dependency_tree_has_no_http_client_and_no_tls() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["-p", env!("CARGO_PKG_NAME"), "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        tree.lines().any(|line| line.starts_with("autoheal ")),
        "{tree}"
    );
    for crate_name in ["ureq", "rustls", "ring", "base64"] {
        assert!(
            !tree
                .lines()
                .any(|line| line.starts_with(&format!("{crate_name} "))),
            "{crate_name} is in the tree:\n{tree}"
        );
    }
}
