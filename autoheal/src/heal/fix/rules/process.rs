//! The process's surroundings: a missing shared library, a missing executable, a missing
//! environment variable.

use std::sync::LazyLock;

use regex::Regex;

use super::{Finding, Rule, RuleInfo, Signal, Wording, exact, quote, shell_word, signal, weak};
use crate::fix::evidence::{Errno, Evidence};
use crate::fix::{Confidence, Patch, PatchEdit};

pub(super) static MISSING_SHARED_LIBRARY: Rule = Rule {
    info: RuleInfo {
        id: "missing-shared-library",
        name: "Missing shared library",
        symptom: "At start-up, `error while loading shared libraries: libssl.so.3: cannot open \
                  shared object file: No such file or directory`; at run time (`dlopen`, \
                  libloading), `libfoo.so: cannot open shared object file`; on macOS `Library \
                  not loaded`.",
        cause: "A program was built against a shared library that is not installed on this \
                machine (or not where the dynamic loader looks).",
        remedy: "Install the package that provides it (Debian/Ubuntu: libssl.so.3 is in \
                 `libssl3`, libz.so.1 in `zlib1g`); `ldd PROGRAM` lists what is missing.",
    },
    check: missing_shared_library,
};

/// Debian packages of common shared libraries, by file name.
const LIBRARY_PACKAGES: &[(&str, &str)] = &[
    ("libssl.so.3", "libssl3"),
    ("libcrypto.so.3", "libssl3"),
    ("libssl.so.1.1", "libssl1.1"),
    ("libcrypto.so.1.1", "libssl1.1"),
    ("libz.so.1", "zlib1g"),
    ("libsqlite3.so.0", "libsqlite3-0"),
    ("libpq.so.5", "libpq5"),
    ("libcurl.so.4", "libcurl4"),
    ("libffi.so.8", "libffi8"),
    ("libzstd.so.1", "libzstd1"),
    ("liblzma.so.5", "liblzma5"),
    ("libbz2.so.1.0", "libbz2-1.0"),
    ("libstdc++.so.6", "libstdc++6"),
    ("libgcc_s.so.1", "libgcc-s1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libudev.so.1", "libudev1"),
    ("libsodium.so.23", "libsodium23"),
    ("libgmp.so.10", "libgmp10"),
    ("libxml2.so.2", "libxml2"),
    ("libmysqlclient.so.21", "libmysqlclient21"),
];

/// The Debian package that provides `library`, when known.
pub(crate) fn debian_package(library: &str) -> Option<&'static str> {
    LIBRARY_PACKAGES
        .iter()
        .find(|(file, _)| *file == library)
        .map(|(_, package)| *package)
}

/// A library the loader cannot find, at start-up and at run time (`dlopen`), as each
/// loader words it.
pub(super) const SHARED_LIBRARY_WORDING: &[Wording] = &[
    exact(
        "glibc ld.so at start-up",
        "error while loading shared libraries",
    ),
    exact(
        "glibc dlopen (dlerror), libloading",
        "cannot open shared object file",
    ),
    exact("musl ld.so", "error loading shared library"),
    exact("macOS dyld at start-up", "library not loaded"),
    exact(
        "Windows loader (os error 126)",
        "the specified module could not be found",
    ),
];

fn missing_shared_library(evidence: &Evidence<'_>) -> Option<Finding> {
    static DLOPEN: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r#"(?:^|[\s"'(])([^\s:"'(]{1,200}\.so[^\s:"']{0,20}): cannot open shared object file"#,
        )
        .ok()
    });
    static MUSL: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"[Ee]rror loading shared library ([^\s:]{1,200}): No such file").ok()
    });
    signal(evidence, SHARED_LIBRARY_WORDING)?;
    static LOADER: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?:(?:^|\s)([^\s:]{1,200}): )?error while loading shared libraries: ([^\s:]{1,200}): cannot open shared object file",
        )
        .ok()
    });
    static DYLD: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"Library not loaded: ([^\s]{1,300})").ok());
    let (program, library) = if let Some(c) = LOADER.as_ref().and_then(|r| evidence.captures(r)) {
        (
            c.get(1).map(|m| m.as_str().to_string()),
            c.get(2)?.as_str().to_string(),
        )
    } else if let Some(c) = DYLD.as_ref().and_then(|r| evidence.captures(r)) {
        let path = c.get(1)?.as_str();
        (None, path.rsplit('/').next().unwrap_or(path).to_string())
    } else if let Some(c) = [&DLOPEN, &MUSL]
        .iter()
        .find_map(|regex| regex.as_ref().and_then(|r| evidence.captures(r)))
    {
        let path = c.get(1)?.as_str();
        (None, path.rsplit('/').next().unwrap_or(path).to_string())
    } else {
        return None;
    };
    let package = debian_package(&library);
    let install = match package {
        Some(package) => format!(
            "Install the package that provides it: {} (Debian/Ubuntu).",
            quote(&format!("sudo apt-get install {package}"))
        ),
        None => format!(
            "Find the package that provides it: {} (Debian/Ubuntu), {} (Fedora), then install it.",
            quote(&format!("apt-file search {}", shell_word(&library))),
            quote(&format!("dnf provides '*/{}'", library.replace('\'', "")))
        ),
    };
    let ldd_target = match &program {
        Some(program) => format!(
            "ldd \"$(command -v {})\" | grep 'not found'",
            shell_word(program)
        ),
        None => "ldd PROGRAM | grep 'not found'".to_string(),
    };
    let title = match &program {
        Some(program) => format!(
            "Missing shared library {} for {}",
            quote(&library),
            quote(program)
        ),
        None => format!("Missing shared library {}", quote(&library)),
    };
    Some(
        Finding::new(
            title,
            format!(
                "The dynamic loader could not find {}, which the program was built against: \
                 the library is not installed, or is installed where the loader does not look.",
                quote(&library)
            ),
            Confidence::High,
        )
        .step(install)
        .step(format!("List every library the program still lacks: {}.", quote(&ldd_target)))
        .step("If the library is installed in another directory, run `sudo ldconfig` after adding that directory to `/etc/ld.so.conf.d/`, or build the program on this system."),
    )
}

pub(super) static MISSING_EXECUTABLE: Rule = Rule {
    info: RuleInfo {
        id: "missing-executable",
        name: "Executable not found on PATH",
        symptom: "Spawning a program fails with `No such file or directory (os error 2)` \
                  (`io::ErrorKind::NotFound`), or a shell says `command not found`.",
        cause: "The program runs another program that is not installed, or not on the `PATH` \
                of the environment it runs in.",
        remedy: "Install it, or add its directory to `PATH` (`command -v NAME` prints nothing \
                 when it is missing).",
    },
    check: missing_executable,
};

/// A program not on `PATH`, in the words of crates that look it up (the shells' and std's
/// are matched with the program's name above).
pub(super) const MISSING_EXECUTABLE_WORDING: &[Wording] = &[
    weak(
        "which crate: Error::CannotFindBinaryPath",
        "cannot find binary path",
    ),
    weak("a program's own words", "program not found"),
    weak("a program's own words", "not found in path"),
];

fn missing_executable(evidence: &Evidence<'_>) -> Option<Finding> {
    static SPAWNED: LazyLock<Option<Regex>> = LazyLock::new(|| {
        // `spawn` and `execute` name a program; `run` and `start` only when it is quoted.
        Regex::new(
            r"(?i)\b(?:failed to|could not|cannot|unable to|couldn't) (?:(?:spawn|execute|exec)\s+(?:the\s+)?(?:program\s+|command\s+|process\s+)?[`'\x22]?([A-Za-z0-9._+/-]{1,200})|(?:run|launch|start)\s+(?:the\s+)?(?:program\s+|command\s+|process\s+)?[`'\x22]([A-Za-z0-9._+/-]{1,200})[`'\x22])",
        )
        .ok()
    });
    static SHELL: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?:^|\s)([A-Za-z0-9._+-]{1,200}): command not found\b|\bsh: \d+: ([A-Za-z0-9._+-]{1,200}): not found\b",
        )
        .ok()
    });

    let not_found = evidence.errno(Errno::NotFound)
        || evidence.kind("NotFound")
        || evidence.mentions(&[
            "no such file or directory",
            "cannot find the file specified",
        ]);
    let spawned = SPAWNED
        .as_ref()
        .and_then(|r| evidence.captures(r))
        .and_then(|c| Some(c.get(1).or_else(|| c.get(2))?.as_str().to_string()));
    let (program, confidence) = match (spawned, not_found) {
        (Some(program), true) => (program, Confidence::High),
        _ => {
            if let Some(c) = SHELL.as_ref().and_then(|r| evidence.captures(r)) {
                let name = c.get(1).or_else(|| c.get(2))?.as_str().to_string();
                (name, Confidence::High)
            } else if signal(evidence, MISSING_EXECUTABLE_WORDING).is_some() {
                ("the program".to_string(), Confidence::Medium)
            } else {
                return None;
            }
        }
    };
    let name = program.rsplit('/').next().unwrap_or(&program).to_string();
    let named = name != "the program";
    let install = match install_hint(&name) {
        Some(hint) => hint,
        None if named => format!(
            "Install {} (Debian/Ubuntu: `apt-cache search` finds the package), or add the directory it is in to `PATH`.",
            quote(&name)
        ),
        None => "Install the program, or add the directory it is in to `PATH`.".to_string(),
    };
    let title = if named {
        format!("Executable not found: {}", quote(&name))
    } else {
        "Executable not found".to_string()
    };
    let check = if named {
        format!(
            "Check whether it is on `PATH`: {} prints nothing when it is not.",
            quote(&format!("command -v {}", shell_word(&name)))
        )
    } else {
        "Run the command again with `RUST_LOG=debug` to see which program it starts.".to_string()
    };
    Some(
        Finding::new(
            title,
            "The program starts another program that is not installed, or not on the `PATH` of \
             the environment it runs in (a service or CI job often has a shorter `PATH` than \
             a login shell)."
                .to_string(),
            confidence,
        )
        .step(check)
        .step(install)
        .step("For a service or a CI job, set `PATH` there too: it does not read your shell's profile."),
    )
}

/// How to install a well-known program.
fn install_hint(name: &str) -> Option<String> {
    let package = match name {
        "ipfs" => {
            return Some(
                "Install Kubo, the `ipfs` command: https://docs.ipfs.tech/install/command-line/ (then `ipfs init`)."
                    .to_string(),
            );
        }
        "git" | "curl" | "ffmpeg" | "python3" | "jq" | "make" | "gcc" | "pkg-config" => name,
        "docker" => "docker.io",
        "node" => "nodejs",
        "cc" => "gcc",
        _ => return None,
    };
    Some(format!(
        "Install it: {} (Debian/Ubuntu).",
        quote(&format!("sudo apt-get install {package}"))
    ))
}

pub(super) static MISSING_ENV_VAR: Rule = Rule {
    info: RuleInfo {
        id: "missing-env-var",
        name: "Missing environment variable",
        symptom: "`environment variable not found` (`std::env::VarError::NotPresent`), or \
                  `NAME is not set`.",
        cause: "The program reads a variable that is not set in the environment it runs in \
                (a service, a CI job or `sudo` starts with a different environment than your \
                shell).",
        remedy: "Set the variable where the program starts (`export NAME=...`, a systemd \
                 `Environment=`, the CI's env or secrets); secrets belong in a secret store.",
    },
    check: missing_env_var,
};

/// A variable that is not set, as each producer words it (a program's own `NAME is not set`
/// is matched with its name below, at medium confidence).
pub(super) const MISSING_ENV_VAR_WORDING: &[Wording] = &[exact(
    "std: env::VarError::NotPresent",
    "environment variable not found",
)];

fn missing_env_var(evidence: &Evidence<'_>) -> Option<Finding> {
    static NAMED: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:environment variable|env var(?:iable)?)\s+[`'\x22]?([A-Za-z_][A-Za-z0-9_]{0,127})[`'\x22]?\s+(?:is\s+)?(?:not set|not found|missing|must be set|is required|not present|not defined)",
        )
        .ok()
    });
    static UNSET: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"[`'\x22]?\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b[`'\x22]?:?\s+(?:is not set|must be set|not set|is required|is missing|is unset|is empty)").ok()
    });
    static ANY_NAME: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b").ok());
    let capture = |regex: &LazyLock<Option<Regex>>| {
        regex
            .as_ref()
            .and_then(|r| evidence.captures(r))
            .and_then(|c| Some(c.get(1)?.as_str().to_string()))
    };
    let std_message = signal(evidence, MISSING_ENV_VAR_WORDING) == Some(Signal::Exact);
    let name = capture(&NAMED)
        .or_else(|| capture(&UNSET))
        .or_else(|| std_message.then(|| capture(&ANY_NAME)).flatten());
    if name.is_none() && !std_message {
        return None;
    }
    let confidence = if std_message {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let Some(name) = name else {
        return Some(
            Finding::new(
                "Missing environment variable".to_string(),
                "The program reads an environment variable that is not set; the message does \
                 not say which."
                    .to_string(),
                confidence,
            )
            .step("Run the command again with `RUST_LOG=debug`, or look for `env::var(` near the failing code, to find the variable's name.")
            .step("Set it where the program starts (`export NAME=value`, a systemd `Environment=`, the CI's env block)."),
        );
    };
    let secret = crate::redact::is_secret_name(&name);
    let mut finding = Finding::new(
        format!("Missing environment variable {}", quote(&name)),
        format!(
            "The program reads {} from its environment, where it is not set (a service, a CI \
             job or `sudo` starts with another environment than your shell).",
            quote(&name)
        ),
        confidence,
    )
    .step(format!(
        "Set it for this shell and run the command again: {}.",
        quote(&format!("export {name}=..."))
    ))
    .step(format!(
        "For a service, set it in the unit ({}); for CI, in the job's `env:` block.",
        quote(&format!("Environment={name}=..."))
    ));
    if secret {
        finding = finding.step("It holds a secret: keep it in the CI's or the system's secret store, never in a file under version control.");
    }
    if valid_variable_name(&name) {
        finding.patch = Some(Patch {
            path: ".env.example".to_string(),
            description: format!("Document the environment variable {name} in .env.example"),
            edit: PatchEdit::Append(format!("# Required: read at start-up.\n{name}=\n")),
        });
    }
    Some(finding)
}

/// Whether `name` is safe to write into a file as a variable name.
fn valid_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
