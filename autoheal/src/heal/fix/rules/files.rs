//! Files: not found, permission denied, read-only file system.

use super::{
    Finding, Rule, RuleInfo, Wording, exact, matched, quote, quoted_command, shell_word, weak,
};
use crate::fix::Confidence;
use crate::fix::evidence::{Errno, Evidence};

pub(super) static FILE_NOT_FOUND: Rule = Rule {
    info: RuleInfo {
        id: "file-not-found",
        name: "File not found",
        symptom: "`No such file or directory (os error 2)` (`io::ErrorKind::NotFound`; on Windows \
                  `The system cannot find the file specified`).",
        cause: "The program opened a path that does not exist: the path is wrong, the file was \
                moved or deleted, or the step that creates it has not run.",
        remedy: "Check the path (`ls -l PATH`), pass the right one, or create the file or its \
                 directory (`mkdir -p DIR`) first.",
    },
    check: file_not_found,
};

/// A missing file as each producer words it.
pub(super) const FILE_NOT_FOUND_WORDING: &[Wording] = &[
    exact(
        "std: io::ErrorKind::NotFound (an error made from the kind)",
        "entity not found",
    ),
    exact(
        "Windows: ERROR_FILE_NOT_FOUND (os error 2)",
        "cannot find the file specified",
    ),
    exact(
        "Windows: ERROR_PATH_NOT_FOUND (os error 3)",
        "cannot find the path specified",
    ),
    // The text of ENOENT alone: the loader, the linker and shells say it too.
    weak(
        "glibc, musl, macOS: strerror(ENOENT) without its code",
        "no such file or directory",
    ),
];

/// Words of a failure another rule owns though its code is ENOENT: a program or a library
/// that is missing, not a file the program opened.
const NOT_A_FILE: &[&str] = &[
    "spawn",
    "execute",
    "command not found",
    "shared object",
    "shared libraries",
    "cannot find -l",
    "library not loaded",
];

fn file_not_found(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::NotFound),
        Some("NotFound"),
        FILE_NOT_FOUND_WORDING,
    )?;
    let confidence = if evidence.mentions(NOT_A_FILE) {
        confidence.min(Confidence::Medium)
    } else {
        confidence
    };
    let path = evidence.path();
    let title = match &path {
        Some(path) => format!("File not found: {}", quote(path)),
        None => "File not found".to_string(),
    };
    let cause = match &path {
        Some(path) => format!(
            "The program tried to open {}, which does not exist: the path is wrong, the file \
             was moved or deleted, or the step that creates it has not run.",
            quote(path)
        ),
        None => "The program tried to open a file that does not exist; the message does not \
                 say which."
            .to_string(),
    };
    let finding = Finding::new(title, cause, confidence);
    let Some(path) = path else {
        return Some(
            finding
                .step("Run the command again with `RUST_LOG=debug` to see which file it opens.")
                .step("Create the file, or pass the path of one that exists."),
        );
    };
    let parent = parent_dir(&path);
    Some(
        finding
            .step(format!(
                "Check the path: {} (a typo, a relative path run from another directory, or a \
                 file that was moved).",
                quote(&format!("ls -l {}", shell_word(&path)))
            ))
            .step_if(quoted_command(evidence).map(|command| {
                format!(
                    "If the path is wrong, run the command again with the right one: {command}."
                )
            }))
            .step(match parent {
                Some(dir) => format!(
                    "If the file is made by an earlier step (an `init`, a download), run that \
                     step first; create its directory with {} if that is missing too.",
                    quote(&format!("mkdir -p {}", shell_word(dir)))
                ),
                None => "If the file is made by an earlier step (an `init`, a download), run \
                         that step first."
                    .to_string(),
            }),
    )
}

/// The directory of `path`, when it has one.
fn parent_dir(path: &str) -> Option<&str> {
    let (dir, _) = path.rsplit_once(['/', '\\'])?;
    (!dir.is_empty() && dir != "~").then_some(dir)
}

pub(super) static PERMISSION_DENIED: Rule = Rule {
    info: RuleInfo {
        id: "permission-denied",
        name: "Permission denied",
        symptom: "`Permission denied (os error 13)` or `Operation not permitted (os error 1)` \
                  (`io::ErrorKind::PermissionDenied`).",
        cause: "The user running the program may not read, write or create the file, or may not \
                listen on a port below 1024.",
        remedy: "Look at the owner and mode (`ls -ld PATH`) and run as the owner or change the \
                 ownership; for a port below 1024 pick one above 1023.",
    },
    check: permission_denied,
};

/// Access refused, as each producer words it.
pub(super) const PERMISSION_DENIED_WORDING: &[Wording] = &[
    exact(
        "glibc: strerror(EACCES); std: io::ErrorKind::PermissionDenied",
        "permission denied",
    ),
    exact("glibc: strerror(EPERM)", "operation not permitted"),
    exact(
        "Windows: ERROR_ACCESS_DENIED (os error 5)",
        "access is denied",
    ),
];

fn permission_denied(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::PermissionDenied),
        Some("PermissionDenied"),
        PERMISSION_DENIED_WORDING,
    )?;
    let listening = evidence.mentions(&["listen", "bind"]);
    if let Some(port) = evidence.port().filter(|port| *port < 1024 && listening) {
        return Some(
            Finding::new(
                format!("Permission denied listening on port {}", quote(&port.to_string())),
                format!(
                    "Ports below 1024 are privileged: only root (or a program with the \
                     `CAP_NET_BIND_SERVICE` capability) may listen on port {port}."
                ),
                confidence,
            )
            .step("Listen on a port above 1023 instead (`--port 8080`), behind a reverse proxy if it must be reachable on the low port.")
            .step(format!(
                "Or grant the capability to the program: {}.",
                quote(&format!(
                    "sudo setcap cap_net_bind_service=+ep \"$(command -v {})\"",
                    shell_word(&evidence.report.command.program)
                ))
            )),
        );
    }
    let path = evidence.path();
    let Some(path) = path else {
        return Some(
            Finding::new(
                "Permission denied".to_string(),
                "The program was not allowed to open a file or resource; the message does not \
                 say which."
                    .to_string(),
                confidence,
            )
            .step("Run the command again with `RUST_LOG=debug` to see which file it opens.")
            .step("Run it as the user who owns that file, or give that user access."),
        );
    };
    let word = shell_word(&path);
    Some(
        Finding::new(
            format!("Permission denied: {}", quote(&path)),
            format!(
                "The user running the program may not access {} (or the directory it is in).",
                quote(&path)
            ),
            confidence,
        )
        .step(format!(
            "See who owns it and its mode: {}.",
            quote(&format!("ls -ld {word}"))
        ))
        .step(format!(
            "Run the program as that user, or give your user the file: {}.",
            quote(&format!("sudo chown \"$USER\" {word}"))
        ))
        .step(format!(
            "Or allow access without changing the owner: {} (avoid `chmod 777`).",
            quote(&format!("chmod u+rw {word}"))
        )),
    )
}

pub(super) static READ_ONLY_FILESYSTEM: Rule = Rule {
    info: RuleInfo {
        id: "read-only-filesystem",
        name: "Read-only file system",
        symptom: "`Read-only file system (os error 30)` (`EROFS`, \
                  `io::ErrorKind::ReadOnlyFilesystem`).",
        cause: "The file system the program writes to is mounted read-only: a container's root \
                file system, a read-only volume, or a disk the kernel remounted read-only after \
                errors.",
        remedy: "Point the program at a writable directory (mount a writable volume in a \
                 container), or check the disk (`dmesg`) and remount it read-write.",
    },
    check: read_only_filesystem,
};

/// A read-only file system, as each producer words it.
pub(super) const READ_ONLY_WORDING: &[Wording] = &[
    exact("glibc: strerror(EROFS)", "read-only file system"),
    exact(
        "std: io::ErrorKind::ReadOnlyFilesystem",
        "read-only filesystem or storage medium",
    ),
    exact(
        "Windows: ERROR_WRITE_PROTECT (os error 19)",
        "the media is write protected",
    ),
    weak("others", "read-only filesystem"),
];

fn read_only_filesystem(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::ReadOnly),
        Some("ReadOnlyFilesystem"),
        READ_ONLY_WORDING,
    )?;
    let path = evidence.path();
    let target = path.as_deref().map_or(".".to_string(), shell_word);
    let title = match &path {
        Some(path) => format!("Read-only file system: {}", quote(path)),
        None => "Read-only file system".to_string(),
    };
    Some(
        Finding::new(
            title,
            "The program writes to a file system that is mounted read-only (a container's \
             root file system, a read-only volume, or a disk remounted read-only after errors)."
                .to_string(),
            confidence,
        )
        .step(format!(
            "See which mount holds it and its options: {}.",
            quote(&format!("findmnt -T {target}"))
        ))
        .step("Point the program at a writable directory; in a container, mount a writable volume there.")
        .step(format!(
            "If the disk was remounted read-only after errors, check {} before remounting it read-write.",
            quote("dmesg | tail -n 50")
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Confidence;
    use crate::fix::rules::tests_support::{real_io_error, report_with};

    #[test]
    fn a_real_missing_file_names_its_path() {
        let message = real_io_error(|| std::fs::read("/nonexistent/autoheal/pins.txt"));
        let report = report_with("could not read /nonexistent/autoheal/pins.txt", &[&message]);
        let finding = file_not_found(&Evidence::of(&report)).unwrap();
        assert_eq!(
            finding.title,
            "File not found: `/nonexistent/autoheal/pins.txt`"
        );
        assert_eq!(finding.confidence, Confidence::High);
        assert!(finding.steps[0].contains("`ls -l /nonexistent/autoheal/pins.txt`"));
        assert!(
            finding
                .steps
                .iter()
                .any(|s| s.contains("`mkdir -p /nonexistent/autoheal`"))
        );
    }

    #[test]
    fn permission_denied_on_a_path_and_on_a_low_port() {
        let report = report_with(
            "could not write /var/lib/app/state.json",
            &["Permission denied (os error 13)"],
        );
        let finding = permission_denied(&Evidence::of(&report)).unwrap();
        assert_eq!(
            finding.title,
            "Permission denied: `/var/lib/app/state.json`"
        );
        assert!(
            finding
                .steps
                .iter()
                .any(|s| s.contains("`ls -ld /var/lib/app/state.json`"))
        );
        let report = report_with(
            "not allowed to listen on 0.0.0.0:80; use a port above 1023",
            &["Permission denied (os error 13)"],
        );
        let finding = permission_denied(&Evidence::of(&report)).unwrap();
        assert!(finding.title.contains("port `80`"), "{}", finding.title);
    }

    #[test]
    fn a_read_only_file_system_is_not_a_permission_problem() {
        let report = report_with(
            "could not create /app/cache/x",
            &["Read-only file system (os error 30)"],
        );
        let evidence = Evidence::of(&report);
        let finding = read_only_filesystem(&evidence).unwrap();
        assert!(finding.steps[0].contains("`findmnt -T /app/cache/x`"));
        assert!(permission_denied(&evidence).is_none());
    }

    #[test]
    fn near_misses_do_not_match() {
        for message in [
            "user not found",
            "404 Not Found",
            "host not found",
            "os error 20",
        ] {
            let report = report_with(message, &[]);
            assert!(
                file_not_found(&Evidence::of(&report)).is_none(),
                "{message}"
            );
        }
        let report = report_with("permission granted", &["HTTP 403 Forbidden"]);
        assert!(permission_denied(&Evidence::of(&report)).is_none());
    }
}
