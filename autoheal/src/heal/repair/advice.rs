//! A system library missing where the job builds: no change to the repository repairs it, so
//! the answer is advice — the Debian/Ubuntu package that provides the library and the line to
//! add to the workflow. Workflows are never edited automatically.

use crate::fix::{dev_package, missing_library};
use crate::job_log::JobFailure;

/// What to change by hand when no change to the code repairs the failure: a system library
/// the build needs is not installed on the machine that runs the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    /// The libraries the log says are missing, in the order it names them, each once.
    pub libraries: Vec<MissingLibrary>,
    /// The command to run in a workflow step before the build:
    /// `sudo apt-get install -y libssl-dev`.
    pub workflow_line: String,
    /// Why nothing was changed and what to do, in sentences.
    pub explanation: String,
}

/// A system library missing at build time, and the package that provides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingLibrary {
    /// The name the linker (`ssl` in `-lssl`) or pkg-config (`openssl`) gave.
    pub library: String,
    /// The Debian/Ubuntu development package (`libssl-dev`).
    pub package: String,
    /// Whether the package is a guess: the usual `lib<name>-dev`, for a library not in the
    /// table of known ones (`apt-cache search NAME` finds the right one).
    pub guessed: bool,
}

/// The advice for a failure whose log says a system library is missing (the linker's
/// `cannot find -lfoo`, pkg-config's `Package foo was not found in the pkg-config search
/// path`), or `None`.
pub(super) fn advice(failure: &JobFailure) -> Option<Advice> {
    let lines = failure.lines.iter().chain(
        failure
            .findings
            .iter()
            .flat_map(|f| std::iter::once(&f.message).chain(f.lines.iter())),
    );
    let mut libraries: Vec<MissingLibrary> = Vec::new();
    for library in lines.filter_map(|line| missing_library(line)) {
        if libraries.iter().any(|l| l.library == library) {
            continue;
        }
        let package = dev_package(&library);
        libraries.push(MissingLibrary {
            library,
            package: package.name,
            guessed: !package.known,
        });
    }
    if libraries.is_empty() {
        return None;
    }
    let workflow_line = install_line(libraries.iter().map(|l| l.package.as_str()));
    let named = libraries
        .iter()
        .map(|l| format!("`{}`", l.library))
        .collect::<Vec<_>>()
        .join(", ");
    let mut explanation = format!(
        "The build needs the system library {named}, which is not installed where the job runs: no change to the code repairs this. Install it in a workflow step before the build: `{workflow_line}` (Debian/Ubuntu runners such as ubuntu-latest)."
    );
    for library in libraries.iter().filter(|l| l.guessed) {
        explanation.push_str(&format!(
            " `{}` is a guess, the usual Debian name for `{}`: `apt-cache search {}` finds the package that provides it.",
            library.package, library.library, library.library
        ));
    }
    explanation.push_str(" Workflows are never edited automatically: add the step yourself.");
    Some(Advice {
        libraries,
        workflow_line,
        explanation,
    })
}

/// The workflow line that installs `packages`, each once, in the order given:
/// `sudo apt-get install -y libssl-dev zlib1g-dev`.
pub(super) fn install_line<'a>(packages: impl Iterator<Item = &'a str>) -> String {
    let mut once: Vec<&str> = Vec::new();
    for package in packages {
        if !once.contains(&package) {
            once.push(package);
        }
    }
    format!("sudo apt-get install -y {}", once.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job_log::classify;

    #[test]
    fn pkg_config_and_the_linker_name_the_package_to_install() {
        let failure = classify(
            "error: failed to run custom build command for `openssl-sys v0.9.104`\n\nCaused by:\n  --- stderr\n  Package openssl was not found in the pkg-config search path.\n",
        );
        let found = advice(&failure).unwrap();
        assert_eq!(found.workflow_line, "sudo apt-get install -y libssl-dev");
        assert_eq!(
            found.libraries,
            [MissingLibrary {
                library: "openssl".into(),
                package: "libssl-dev".into(),
                guessed: false
            }]
        );
        assert!(found.explanation.contains("never edited automatically"));
        let failure = classify(
            "error: linking with `cc` failed: exit status: 1\n  = note: /usr/bin/ld: cannot find -lz: No such file or directory\n          /usr/bin/ld: cannot find -lfoo_bar: No such file or directory\n\nerror: could not compile `app` (bin \"app\") due to 1 previous error\n",
        );
        let found = advice(&failure).unwrap();
        assert_eq!(
            found.workflow_line,
            "sudo apt-get install -y zlib1g-dev libfoo-bar-dev"
        );
        assert!(
            found
                .explanation
                .contains("`libfoo-bar-dev` is a guess, the usual Debian name for `foo_bar`"),
            "{}",
            found.explanation
        );
    }

    #[test]
    fn openssl_sys_without_openssl_asks_for_libssl_dev() {
        // Recorded from openssl-sys 0.9 on a runner without OpenSSL (this machine has it);
        // its log ends with the build script's panic, the pkg-config part may be cut off.
        let failure = classify(
            "error: failed to run custom build command for `openssl-sys v0.9.104`\n\nCaused by:\n  --- stderr\n  thread 'main' panicked at /home/runner/.cargo/registry/src/index.crates.io-6f17d22bba15001f/openssl-sys-0.9.104/build/find_normal.rs:190:5:\n\n  Could not find directory of OpenSSL installation, and this `-sys` crate cannot\n  proceed without this knowledge.\n",
        );
        assert_eq!(
            advice(&failure).unwrap().workflow_line,
            "sudo apt-get install -y libssl-dev"
        );
        let failure = classify(
            "  The system library `sqlite3` required by crate `libsqlite3-sys` was not found.\n",
        );
        assert_eq!(
            advice(&failure).unwrap().workflow_line,
            "sudo apt-get install -y libsqlite3-dev"
        );
    }

    #[test]
    fn a_compiler_error_is_no_missing_library() {
        let failure = classify("error[E0308]: mismatched types\n --> src/lib.rs:2:5\n");
        assert_eq!(advice(&failure), None);
    }
}
