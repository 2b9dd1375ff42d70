//! One supported Rust, stated once: the workspace's `rust-version`, inherited by every package,
//! quoted by the README and the quick start, and built by CI's `msrv` job.

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PACKAGES: [&str; 5] = [
    "Cargo.toml",
    "autoheal/Cargo.toml",
    "autoheal-macros/Cargo.toml",
    "cli/Cargo.toml",
    "tests/fake-github/Cargo.toml",
];

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap()
}

/// The `rust-version` of `[workspace.package]`.
fn supported() -> String {
    let manifest = read("Cargo.toml");
    let versions: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.strip_prefix("rust-version = \""))
        .map(|rest| rest.trim_end_matches('"'))
        .collect();
    assert_eq!(versions.len(), 1, "one rust-version literal: {versions:?}");
    versions[0].to_string()
}

/// Every "1.NN or newer" or "1.NN or later" in `text`, across line breaks.
fn stated_versions(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(3)
        .filter(|w| w[1] == "or" && (w[2].starts_with("newer") || w[2].starts_with("later")))
        .filter_map(|w| {
            let version = w[0].trim_start_matches('(');
            version
                .starts_with("1.")
                .then(|| version.trim_end_matches(',').to_string())
        })
        .collect()
}

#[test]
fn every_package_inherits_the_workspace_rust_version() {
    let version = supported();
    assert!(
        version.split('.').all(|part| part.parse::<u32>().is_ok()),
        "{version}"
    );
    for package in PACKAGES {
        assert!(
            read(package).contains("\nrust-version.workspace = true\n"),
            "{package} does not say rust-version.workspace = true"
        );
    }
}

#[test]
fn the_readme_and_the_quick_start_state_the_same_version() {
    let version = supported();
    for doc in ["README.md", "docs/AUTO_HEALING_QUICKSTART.md"] {
        assert_eq!(
            stated_versions(&read(doc)),
            vec![version.clone()],
            "{doc} must say \"{version} or newer\" (or later), once"
        );
    }
}

#[test]
fn ci_builds_with_the_version_of_cargo_toml() {
    let ci = read(".github/workflows/ci.yml");
    let job = &ci[ci.find("\n  msrv:\n").expect("ci.yml has an msrv job")..];
    assert!(
        job.contains(r#"version="$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)""#),
        "the msrv job reads the version from Cargo.toml"
    );
    assert!(job.contains(r#"rustup toolchain install "$version""#));
    assert!(job.contains(r#"cargo "+$version" check --workspace --all-targets"#));
}

#[test]
fn a_stated_version_is_found_across_a_line_break() {
    assert_eq!(
        stated_versions("You need Rust (1.89 or\nlater, the rust-version) and 2 or more"),
        vec!["1.89".to_string()]
    );
    assert_eq!(stated_versions("a toolchain (1.85 or newer)"), vec!["1.85"]);
}
