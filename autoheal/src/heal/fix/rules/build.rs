//! What a Rust project meets in CI: an unresolved import or crate, a system library missing
//! at link time, a lock file out of date, a version conflict, a test that timed out, and a
//! registry that cannot be reached. These read the error line and, for a CI job's report,
//! the log lines below it, where the linker's and cargo's own words stand.

use std::sync::LazyLock;

use regex::Regex;

use super::{Finding, Rule, RuleInfo, Wording, exact, quote, shell_word, signal, weak};
use crate::fix::Confidence;
use crate::fix::evidence::Evidence;

/// Whether the texts or the log hold one of `wordings`, and how sure that makes the rule.
fn matched_with_log(evidence: &Evidence<'_>, wordings: &[Wording]) -> Option<Confidence> {
    if let Some(found) = signal(evidence, wordings) {
        return Some(confidence_of(found));
    }
    let exact: Vec<&str> = wordings
        .iter()
        .filter(|w| w.signal == super::Signal::Exact)
        .map(|w| w.text)
        .collect();
    let weak: Vec<&str> = wordings
        .iter()
        .filter(|w| w.signal == super::Signal::Weak)
        .map(|w| w.text)
        .collect();
    if evidence.mentions_with_log(&exact) {
        Some(Confidence::High)
    } else if evidence.mentions_with_log(&weak) {
        Some(Confidence::Medium)
    } else {
        None
    }
}

fn confidence_of(found: super::Signal) -> Confidence {
    match found {
        super::Signal::Exact => Confidence::High,
        super::Signal::Weak => Confidence::Medium,
    }
}

/// The first capture of `pattern` in the texts, then in the log.
fn captured(evidence: &Evidence<'_>, pattern: &LazyLock<Option<Regex>>) -> Option<String> {
    pattern
        .as_ref()
        .and_then(|regex| evidence.captures_with_log(regex))
}

pub(super) static UNRESOLVED_IMPORT: Rule = Rule {
    info: RuleInfo {
        id: "unresolved-import",
        name: "Unresolved import or crate",
        symptom: "rustc's ``error[E0432]: unresolved import `x` `` or ``error[E0433]: failed \
                  to resolve: use of undeclared crate or module `x` `` (rustc 1.95: ``cannot \
                  find module or crate `x` in this scope``).",
        cause: "The code uses a crate that is not a dependency of this package (or is behind a \
                feature that is off), or a module path that does not exist.",
        remedy: "Add the crate (`cargo add NAME`), turn on the feature that provides it, or fix \
                 the path (`crate::`, `super::`, a renamed module).",
    },
    check: unresolved_import,
};

/// rustc's words for an unresolved import or crate, by version.
pub(super) const UNRESOLVED_IMPORT_WORDING: &[Wording] = &[
    exact("rustc: E0432", "error[e0432]"),
    exact("rustc: E0433", "error[e0433]"),
    exact(
        "rustc 1.95: E0432 label",
        "use of unresolved module or unlinked crate",
    ),
    exact("rustc 1.95: E0433", "cannot find module or crate"),
    exact(
        "rustc before 1.85: E0433",
        "use of undeclared crate or module",
    ),
    weak("rustc: E0432 without its code", "unresolved import"),
];

/// rustc's words before the crate or module it cannot resolve, which it names next.
static UNRESOLVED_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:unresolved import|unlinked crate|cannot find module or crate|undeclared crate or module) `([A-Za-z_][A-Za-z0-9_]{0,100})").ok()
});

/// The crate or module an unresolved import or path starts with, as rustc names it in one
/// line: `core2` in ``error[E0432]: unresolved import `core2::c` ``. Shared with the repair,
/// which adds such a crate when the workspace already depends on it.
pub(crate) fn unresolved_name(line: &str) -> Option<String> {
    let regex = UNRESOLVED_NAME.as_ref()?;
    Some(regex.captures(line)?.get(1)?.as_str().to_string())
}

fn unresolved_import(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched_with_log(evidence, UNRESOLVED_IMPORT_WORDING)?;
    let name = captured(evidence, &UNRESOLVED_NAME);
    let title = match &name {
        Some(name) => format!("Unresolved import or crate {}", quote(name)),
        None => "Unresolved import or crate".to_string(),
    };
    let add = match &name {
        Some(name) => format!(
            "If {} is a crate, add it to the package that fails: {} (or turn on the feature that brings it in).",
            quote(name),
            quote(&format!("cargo add {}", shell_word(&name.replace('_', "-"))))
        ),
        None => "If it is a crate, add it to the package that fails (`cargo add NAME`), or turn on the feature that brings it in.".to_string(),
    };
    Some(
        Finding::new(
            title,
            "The code uses a crate that is not a dependency of this package (or sits behind a \
             feature that is off in this build), or a module path that does not exist."
                .to_string(),
            confidence,
        )
        .step(add)
        .step("If it is a module of this crate, fix the path: `crate::`, `super::`, or the module's new name after a rename.")
        .step("If it builds locally but not in CI, compare the features: CI may build with `--no-default-features` or another feature set."),
    )
}

pub(super) static MISSING_SYSTEM_LIBRARY: Rule = Rule {
    info: RuleInfo {
        id: "missing-system-library",
        name: "System library missing at build time",
        symptom: "The linker's `cannot find -lssl` (`/usr/bin/ld: cannot find -lssl: No such \
                  file or directory`), or pkg-config's `Package openssl was not found in the \
                  pkg-config search path`.",
        cause: "A crate links a C library whose development files (the `.so` link and the `.pc` \
                file) are not installed on the build machine.",
        remedy: "Install the library's `-dev` package (Debian/Ubuntu: `libssl-dev` for `ssl`, \
                 plus `pkg-config`), or turn on the crate's vendored/bundled feature.",
    },
    check: missing_system_library,
};

/// The linker's and pkg-config's words for a library that is not installed.
pub(super) const SYSTEM_LIBRARY_WORDING: &[Wording] = &[
    exact("GNU ld", "cannot find -l"),
    exact("lld", "unable to find library -l"),
    exact("macOS ld64", "library not found for -l"),
    exact("pkg-config", "was not found in the pkg-config search path"),
    exact("pkgconf", "required by 'virtual:world', not found"),
    exact("pkg-config crate", "could not find system library"),
    exact(
        "openssl-sys build script",
        "could not find directory of openssl installation",
    ),
];

/// Debian/Ubuntu development packages of libraries crates link, by the linker's (`-lssl`) or
/// pkg-config's (`openssl`) name.
const DEV_PACKAGES: &[(&str, &str)] = &[
    ("ssl", "libssl-dev"),
    ("crypto", "libssl-dev"),
    ("openssl", "libssl-dev"),
    ("z", "zlib1g-dev"),
    ("zlib", "zlib1g-dev"),
    ("sqlite3", "libsqlite3-dev"),
    ("pq", "libpq-dev"),
    ("libpq", "libpq-dev"),
    ("curl", "libcurl4-openssl-dev"),
    ("libcurl", "libcurl4-openssl-dev"),
    ("dbus-1", "libdbus-1-dev"),
    ("udev", "libudev-dev"),
    ("libudev", "libudev-dev"),
    ("asound", "libasound2-dev"),
    ("alsa", "libasound2-dev"),
    ("xml2", "libxml2-dev"),
    ("libxml-2.0", "libxml2-dev"),
    ("sodium", "libsodium-dev"),
    ("libsodium", "libsodium-dev"),
    ("zstd", "libzstd-dev"),
    ("libzstd", "libzstd-dev"),
    ("fontconfig", "libfontconfig1-dev"),
    ("gtk-3", "libgtk-3-dev"),
    ("gtk+-3.0", "libgtk-3-dev"),
    ("freetype", "libfreetype-dev"),
    ("freetype2", "libfreetype-dev"),
    ("x11", "libx11-dev"),
    ("X11", "libx11-dev"),
    ("xcb", "libxcb1-dev"),
    ("libxcb", "libxcb1-dev"),
    ("xkbcommon", "libxkbcommon-dev"),
    ("wayland-client", "libwayland-dev"),
    ("gl", "libgl-dev"),
    ("GL", "libgl-dev"),
    ("ffi", "libffi-dev"),
    ("libffi", "libffi-dev"),
    ("lzma", "liblzma-dev"),
    ("liblzma", "liblzma-dev"),
    ("bz2", "libbz2-dev"),
    ("gmp", "libgmp-dev"),
    ("pcap", "libpcap-dev"),
    ("libpcap", "libpcap-dev"),
    ("usb-1.0", "libusb-1.0-0-dev"),
    ("libusb-1.0", "libusb-1.0-0-dev"),
    ("hidapi-hidraw", "libhidapi-dev"),
    ("protobuf", "libprotobuf-dev"),
    ("clang", "libclang-dev"),
    ("glib-2.0", "libglib2.0-dev"),
    ("gobject-2.0", "libglib2.0-dev"),
    ("cairo", "libcairo2-dev"),
    ("pango", "libpango1.0-dev"),
    ("webkit2gtk-4.1", "libwebkit2gtk-4.1-dev"),
];

/// A Debian/Ubuntu development package for a system library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DevPackage {
    /// The package's name (`libssl-dev`).
    pub(crate) name: String,
    /// Whether the name comes from the table of known libraries; otherwise it is the usual
    /// `lib<name>-dev`, a guess.
    pub(crate) known: bool,
}

/// The development package that provides `library` (the linker's or pkg-config's name).
pub(crate) fn dev_package(library: &str) -> DevPackage {
    match DEV_PACKAGES.iter().find(|(lib, _)| *lib == library) {
        Some((_, package)) => DevPackage {
            name: (*package).to_string(),
            known: true,
        },
        None => DevPackage {
            name: format!(
                "lib{}-dev",
                library
                    .trim_start_matches("lib")
                    .to_ascii_lowercase()
                    .replace('_', "-")
            ),
            known: false,
        },
    }
}

/// The linker's and pkg-config's words before the name of a library that is not installed.
static MISSING_LIBRARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:cannot find|unable to find library|library not found for) -l([A-Za-z0-9_.+-]{1,100})|[Pp]ackage '?([A-Za-z0-9_.+-]{1,100})'?,? (?:was not found|required by)|(?:could not find system library '|[Tt]he system library `)([A-Za-z0-9_.+-]{1,100})['`]")
        .ok()
});

/// The system library one line of a linker's or pkg-config's output says is missing: `ssl`
/// in `cannot find -lssl`, `openssl` in `Package openssl was not found in the pkg-config
/// search path`, in the pkg-config crate's ``The system library `openssl` required by crate
/// `openssl-sys` was not found`` and in openssl-sys' `Could not find directory of OpenSSL
/// installation`. Shared with the repair, which answers with the package to install.
pub(crate) fn missing_library(line: &str) -> Option<String> {
    if line
        .to_ascii_lowercase()
        .contains("could not find directory of openssl installation")
    {
        return Some("openssl".to_string());
    }
    let captures = MISSING_LIBRARY.as_ref()?.captures(line)?;
    Some(
        captures
            .get(1)
            .or_else(|| captures.get(2))
            .or_else(|| captures.get(3))?
            .as_str()
            .to_string(),
    )
}

fn missing_system_library(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched_with_log(evidence, SYSTEM_LIBRARY_WORDING)?;
    let library = evidence
        .texts()
        .iter()
        .find_map(|t| missing_library(t))
        .or_else(|| {
            evidence
                .report
                .logs
                .iter()
                .take(400)
                .find_map(|l| missing_library(l))
        });
    let openssl = evidence.mentions_with_log(&["openssl"]);
    let library = library.or_else(|| openssl.then(|| "ssl".to_string()));
    let package = library
        .as_deref()
        .map(dev_package)
        .filter(|package| package.known)
        .map(|package| package.name);
    let title = match &library {
        Some(library) => format!("System library {} missing at build time", quote(library)),
        None => "System library missing at build time".to_string(),
    };
    let install = match (package, &library) {
        (Some(package), _) => format!(
            "Install its development files: {} (Debian/Ubuntu; in CI, a step before the build).",
            quote(&format!("sudo apt-get install -y {package} pkg-config"))
        ),
        (None, Some(library)) => format!(
            "Install its development files: {} finds the package (Debian/Ubuntu), usually {}.",
            quote(&format!("apt-cache search {}", shell_word(library))),
            quote(&dev_package(library).name)
        ),
        (None, None) => "Install the library's development package (`-dev` on Debian/Ubuntu, `-devel` on Fedora) and `pkg-config`.".to_string(),
    };
    Some(
        Finding::new(
            title,
            "A crate links a C library whose development files (the `.so` link and the `.pc` \
             file) are not installed where the build runs."
                .to_string(),
            confidence,
        )
        .step(install)
        .step("If it is installed in another prefix, point `PKG_CONFIG_PATH` at its `.pc` files.")
        .step_if(openssl.then(|| "Or build without the system library: the `vendored` feature of `openssl` (or a rustls-based TLS feature of the crate that pulls it in).".to_string())),
    )
}

pub(super) static LOCK_FILE_OUT_OF_DATE: Rule = Rule {
    info: RuleInfo {
        id: "lock-file-out-of-date",
        name: "Lock file out of date",
        symptom: "cargo's `cannot update the lock file Cargo.lock because --locked was passed to \
                  prevent this` (older: `the lock file ... needs to be updated but --locked was \
                  passed to prevent this`).",
        cause: "`Cargo.toml` changed (a dependency added, removed or re-versioned) and the \
                committed `Cargo.lock` was not updated with it; `--locked` refuses to change it.",
        remedy: "Run `cargo update -w` (or any `cargo build`) locally and commit the updated \
                 `Cargo.lock`.",
    },
    check: lock_file_out_of_date,
};

/// cargo's words when `--locked` (or `--frozen`) refuses to change the lock file.
pub(super) const LOCK_FILE_WORDING: &[Wording] = &[
    exact("cargo 1.84+", "because --locked was passed to prevent this"),
    exact(
        "cargo before 1.84",
        "needs to be updated but --locked was passed",
    ),
    exact(
        "cargo --frozen",
        "because --frozen was passed to prevent this",
    ),
    exact(
        "cargo --frozen, older",
        "needs to be updated but --frozen was passed",
    ),
];

/// Whether `line` is cargo refusing to update the lock file because of `--locked` or
/// `--frozen`. Shared with the repair, which updates the lock file with cargo.
pub(crate) fn is_lock_refusal(line: &str) -> bool {
    let line = line.to_ascii_lowercase();
    LOCK_FILE_WORDING.iter().any(|w| line.contains(w.text))
}

fn lock_file_out_of_date(evidence: &Evidence<'_>) -> Option<Finding> {
    static LOCK: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"lock file (\S{1,1024}Cargo\.lock)").ok());
    let confidence = matched_with_log(evidence, LOCK_FILE_WORDING)?;
    let lock = captured(evidence, &LOCK).unwrap_or_else(|| "Cargo.lock".to_string());
    Some(
        Finding::new(
            format!("Lock file out of date: {}", quote(&lock)),
            "`Cargo.toml` changed and the committed `Cargo.lock` was not updated with it; \
             `--locked` makes cargo refuse to change it in CI."
                .to_string(),
            confidence,
        )
        .step("Update the lock file locally: `cargo update -w` (changes only what `Cargo.toml` requires), or any `cargo build`.")
        .step("Commit the updated `Cargo.lock` with the change to `Cargo.toml`.")
        .step("Check it before pushing: `cargo metadata --locked --format-version 1 >/dev/null` fails the same way."),
    )
}

pub(super) static VERSION_CONFLICT: Rule = Rule {
    info: RuleInfo {
        id: "version-conflict",
        name: "Dependency version conflict",
        symptom: "cargo's ``failed to select a version for the requirement `serde = \"=1.0.999\"` `` \
                  or ``failed to select a version for `x` which could resolve this conflict``.",
        cause: "No version of a crate satisfies every requirement on it: two dependencies want \
                incompatible versions, a `links` key is claimed twice, or the version asked for \
                does not exist (or not in the offline index).",
        remedy: "Read which packages require what (`cargo tree -i CRATE`), then relax or align \
                 the requirements, or update the dependency that pins the old version.",
    },
    check: version_conflict,
};

/// cargo's resolver's words.
pub(super) const VERSION_CONFLICT_WORDING: &[Wording] = &[
    exact("cargo resolver", "failed to select a version for"),
    exact("cargo resolver", "which could resolve this conflict"),
    exact(
        "cargo resolver, links",
        "only one package in the dependency graph may specify the same links value",
    ),
    weak(
        "cargo resolver",
        "candidate versions found which didn't match",
    ),
];

fn version_conflict(evidence: &Evidence<'_>) -> Option<Finding> {
    static CRATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"failed to select a version for (?:the requirement )?`([A-Za-z0-9_-]{1,100})")
            .ok()
    });
    let confidence = matched_with_log(evidence, VERSION_CONFLICT_WORDING)?;
    let name = captured(evidence, &CRATE);
    let offline = evidence.mentions_with_log(&["offline mode", "--offline"]);
    let title = match &name {
        Some(name) => format!("No version of {} satisfies every requirement", quote(name)),
        None => "Dependency version conflict".to_string(),
    };
    let tree = match &name {
        Some(name) => quote(&format!(
            "cargo tree -i {} --edges normal,build",
            shell_word(name)
        )),
        None => quote("cargo tree -d"),
    };
    Some(
        Finding::new(
            title,
            "No version of the crate satisfies every requirement on it: two dependencies want \
             incompatible versions, or the version asked for does not exist."
                .to_string(),
            confidence,
        )
        .step(format!("See who requires which version: {tree}; cargo's message lists the candidates it found."))
        .step("Relax or align the requirements in `Cargo.toml`, or update the dependency that pins the old version (`cargo update -p NAME`).")
        .step_if(offline.then(|| "The build ran with `--offline`: the version may exist but not be in the local index yet; run `cargo fetch` online once.".to_string())),
    )
}

pub(super) static TEST_TIMED_OUT: Rule = Rule {
    info: RuleInfo {
        id: "test-timed-out",
        name: "Test timed out",
        symptom: "cargo-nextest's `TIMEOUT [ 60.002s] crate tests::name`, or libtest's `test \
                  tests::name has been running for over 60 seconds` before the job was killed.",
        cause: "A test hangs (a deadlock, a wait for a server or input that never comes) or is \
                slower than the limit on the CI machine.",
        remedy: "Run the test alone with output (`cargo test NAME -- --nocapture`) to see where \
                 it waits; bound its waits, or raise nextest's `slow-timeout` for a test that is \
                 slow by nature.",
    },
    check: test_timed_out,
};

/// The test runners' words.
pub(super) const TEST_TIMEOUT_WORDING: &[Wording] = &[
    exact("cargo-nextest", "timeout ["),
    exact("cargo-nextest", "(test timed out)"),
    exact("libtest", "has been running for over"),
    exact("cargo-nextest summary", " timed out, "),
    weak("GitHub Actions", "has exceeded the maximum execution time"),
];

fn test_timed_out(evidence: &Evidence<'_>) -> Option<Finding> {
    static NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"TIMEOUT \[[^\]]{1,40}\](?: \([^)]{1,40}\))? (?:\S+ )?(\S{1,300})\s*$|test (\S{1,300}) has been running for over")
            .ok()
    });
    let confidence = matched_with_log(evidence, TEST_TIMEOUT_WORDING)?;
    let name = NAME.as_ref().and_then(|regex| {
        let find = |text: &str| {
            text.lines().find_map(|line| {
                let c = regex.captures(line.trim_end())?;
                Some(c.get(1).or_else(|| c.get(2))?.as_str().to_string())
            })
        };
        evidence
            .texts()
            .iter()
            .find_map(|t| find(t))
            .or_else(|| evidence.report.logs.iter().take(400).find_map(|l| find(l)))
    });
    let title = match &name {
        Some(name) => format!("Test timed out: {}", quote(name)),
        None => "A test timed out".to_string(),
    };
    let alone = match &name {
        Some(name) => quote(&format!(
            "cargo test {} -- --exact --nocapture",
            shell_word(name)
        )),
        None => quote("cargo test NAME -- --nocapture"),
    };
    Some(
        Finding::new(
            title,
            "A test hangs (a deadlock, a wait for a server or input that never comes) or is \
             slower than the limit on the CI machine."
                .to_string(),
            confidence,
        )
        .step(format!("Run it alone with its output to see where it waits: {alone}."))
        .step("Bound every wait in the test (a timeout on reads, joins and channel receives) so a hang fails with a message instead of the runner's limit.")
        .step("For a test that is slow by nature, raise the limit: nextest's `slow-timeout` in `.config/nextest.toml`, or the job's `timeout-minutes`."),
    )
}

pub(super) static REGISTRY_UNREACHABLE: Rule = Rule {
    info: RuleInfo {
        id: "registry-unreachable",
        name: "Registry cannot be reached",
        symptom: "cargo's ``failed to get `serde` as a dependency of package ...`` or \
                  ``failed to download from `URL` ``, caused by curl's `[6] Couldn't resolve \
                  host name` or `[7] Could not connect to server`.",
        cause: "The build machine cannot reach crates.io (or the configured registry or mirror): \
                no network, a DNS failure, a proxy or firewall in the way, or the registry is \
                down.",
        remedy: "Retry the job; check the network, the proxy (`HTTPS_PROXY`, \
                 `CARGO_HTTP_PROXY`) and any `[source]` replacement in `.cargo/config.toml`; \
                 cache `~/.cargo/registry` in CI or vendor the dependencies.",
    },
    check: registry_unreachable,
};

/// cargo's words when a registry does not answer, with curl's below them.
pub(super) const REGISTRY_WORDING: &[Wording] = &[
    exact("cargo", "as a dependency of package"),
    exact("cargo", "failed to download from"),
    exact("cargo", "failed to query replaced source registry"),
    exact("cargo", "failed to fetch `"),
    exact("cargo, download", "failed to download `"),
    weak("cargo", "spurious network error"),
];

fn registry_unreachable(evidence: &Evidence<'_>) -> Option<Finding> {
    static URL: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?:download from|fetch) `([^`\s]{1,300})`").ok());
    let cargo = matched_with_log(evidence, REGISTRY_WORDING)?;
    let network = evidence.mentions_with_log(&[
        "couldn't resolve host",
        "could not resolve host",
        "could not connect to server",
        "couldn't connect to server",
        "failed to connect to",
        "timeout was reached",
        "operation timed out",
        "connection refused",
        "ssl connect error",
        "spurious network error",
        "download of config.json failed",
    ]);
    if !network {
        return None;
    }
    let dns = evidence.mentions_with_log(&["resolve host"]);
    let url = captured(evidence, &URL);
    let title = match &url {
        Some(url) => format!("Registry cannot be reached: {}", quote(url)),
        None => "Registry cannot be reached".to_string(),
    };
    let cause = if dns {
        "The registry's host name did not resolve on the build machine: no network, or DNS in \
         the way."
    } else {
        "The build machine could not connect to the registry (crates.io, or the configured \
         mirror): no network, a proxy or firewall in the way, or the registry is down."
    };
    Some(
        Finding::new(title, cause.to_string(), cargo)
            .step("Retry the job: a registry or network outage is often brief (`[net] retry = 5` in `.cargo/config.toml` retries more).")
            .step("Check the network path: a proxy (`HTTPS_PROXY`, `CARGO_HTTP_PROXY`), a firewall, and any `[source]` replacement or mirror in `.cargo/config.toml`.")
            .step("Make the build need the network less: cache `~/.cargo/registry` and `~/.cargo/git` in CI, or vendor the dependencies (`cargo vendor`)."),
    )
}

#[cfg(test)]
#[path = "build_tests.rs"]
pub(super) mod tests;
