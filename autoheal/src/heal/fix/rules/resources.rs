//! Resources of the machine: disk space, file descriptors, memory.

use std::sync::LazyLock;

use regex::Regex;

use super::{Finding, Rule, RuleInfo, Wording, exact, matched, quote, shell_word, weak};
use crate::fix::Confidence;
use crate::fix::evidence::{Errno, Evidence};

pub(super) static DISK_FULL: Rule = Rule {
    info: RuleInfo {
        id: "disk-full",
        name: "Disk full",
        symptom: "`No space left on device (os error 28)` (`ENOSPC`, \
                  `io::ErrorKind::StorageFull`).",
        cause: "The file system the program writes to has no free space (or no free inodes) \
                left.",
        remedy: "Free space (`df -h PATH`, then `du` to find what is large), or point the \
                 program at a larger disk.",
    },
    check: disk_full,
};

/// A full disk, as each producer words it.
pub(super) const DISK_FULL_WORDING: &[Wording] = &[
    exact("glibc: strerror(ENOSPC)", "no space left on device"),
    exact("std: io::ErrorKind::StorageFull", "no storage space"),
    exact(
        "Windows: ERROR_DISK_FULL (os error 112)",
        "not enough space on the disk",
    ),
    exact("glibc: strerror(EDQUOT)", "disk quota exceeded"),
    exact(
        "std: io::ErrorKind::QuotaExceeded",
        "filesystem quota exceeded",
    ),
];

fn disk_full(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::NoSpace),
        Some("StorageFull"),
        DISK_FULL_WORDING,
    )?;
    let path = evidence.path();
    let target = path.as_deref().map_or(".".to_string(), shell_word);
    let title = match &path {
        Some(path) => format!("Disk full while writing {}", quote(path)),
        None => "Disk full".to_string(),
    };
    let ipfs = evidence.report.command.program.contains("ipfs");
    Some(
        Finding::new(
            title,
            "The file system the program writes to has no free space (or no free inodes) left."
                .to_string(),
            confidence,
        )
        .step(format!(
            "See how full it is: {} (and {} for inodes).",
            quote(&format!("df -h {target}")),
            quote(&format!("df -i {target}"))
        ))
        .step(format!(
            "Find what takes the space: {}.",
            quote(&format!(
                "du -xh --max-depth=2 {target} | sort -h | tail -n 20"
            ))
        ))
        .step_if(ipfs.then(|| {
            "Unpinned blocks in the IPFS repository can be removed with `ipfs repo gc`.".to_string()
        }))
        .step("Free space there, or point the program at a larger disk."),
    )
}

pub(super) static TOO_MANY_OPEN_FILES: Rule = Rule {
    info: RuleInfo {
        id: "too-many-open-files",
        name: "Too many open files",
        symptom: "`Too many open files (os error 24)` (`EMFILE`; `ENFILE`, os error 23, for the \
                  whole system).",
        cause: "The process reached its limit of open file descriptors (files, sockets, pipes): \
                the limit is low for the work, or descriptors leak.",
        remedy: "Raise the limit (`ulimit -n 65536`, `LimitNOFILE=` for a systemd service) and \
                 look for descriptors that are never closed.",
    },
    check: too_many_open_files,
};

/// Out of file descriptors, as each producer words it.
pub(super) const TOO_MANY_FILES_WORDING: &[Wording] = &[
    exact(
        "glibc: strerror(EMFILE), strerror(ENFILE)",
        "too many open files",
    ),
    exact(
        "Windows: ERROR_TOO_MANY_OPEN_FILES (os error 4)",
        "the system cannot open the file",
    ),
];

fn too_many_open_files(evidence: &Evidence<'_>) -> Option<Finding> {
    let confidence = matched(
        evidence,
        Some(Errno::TooManyFiles),
        None,
        TOO_MANY_FILES_WORDING,
    )?;
    Some(
        Finding::new(
            "Too many open files".to_string(),
            "The process reached its limit of open file descriptors (files, sockets, pipes): \
             the limit is too low for the work, or descriptors are opened and never closed."
                .to_string(),
            confidence,
        )
        .step("See the limit of this shell: `ulimit -n` (1024 is a common default).")
        .step("Raise it for this shell before running the program: `ulimit -n 65536`; for a systemd service set `LimitNOFILE=65536` in its unit.")
        .step(format!(
            "If the count keeps growing while the program runs, descriptors leak: watch {} and look for files or connections that are never dropped.",
            quote(&open_descriptors_command(evidence))
        )),
    )
}

/// The command that counts the open descriptors of the report's program while it runs (its
/// process id of the failed run is gone by now; `pidof` finds the next one).
fn open_descriptors_command(evidence: &Evidence<'_>) -> String {
    let program = &evidence.report.command.program;
    let name = program.rsplit(['/', '\\']).next().unwrap_or_default();
    if name.is_empty() {
        "ls /proc/PID/fd | wc -l".to_string()
    } else {
        format!("ls /proc/$(pidof -s {})/fd | wc -l", shell_word(name))
    }
}

pub(super) static OUT_OF_MEMORY: Rule = Rule {
    info: RuleInfo {
        id: "out-of-memory",
        name: "Out of memory",
        symptom: "`memory allocation of N bytes failed`, `Cannot allocate memory (os error 12)` \
                  (`ENOMEM`), or `out of memory`.",
        cause: "The program asked for more memory than the machine, the container or the \
                process limit allows, often because a size was read from unexpected or corrupt \
                input.",
        remedy: "Check the size asked for against the input, process large inputs in pieces, \
                 and raise the memory limit if the need is real.",
    },
    check: out_of_memory,
};

/// Memory exhausted, as each producer words it.
pub(super) const OUT_OF_MEMORY_WORDING: &[Wording] = &[
    exact("std: the allocation error handler", "memory allocation of"),
    exact("glibc: strerror(ENOMEM)", "cannot allocate memory"),
    exact("std: io::ErrorKind::OutOfMemory", "out of memory"),
    exact(
        "Windows: ERROR_NOT_ENOUGH_MEMORY (os error 8)",
        "not enough memory resources",
    ),
    weak("others", "not enough memory"),
];

fn out_of_memory(evidence: &Evidence<'_>) -> Option<Finding> {
    static ALLOCATION: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"memory allocation of (\d{1,20}) bytes failed").ok());
    let size = ALLOCATION
        .as_ref()
        .and_then(|regex| evidence.captures(regex))
        .and_then(|captures| captures.get(1)?.as_str().parse::<u64>().ok());
    let confidence = match size {
        Some(_) => Confidence::High,
        None => matched(
            evidence,
            Some(Errno::NoMemory),
            Some("OutOfMemory"),
            OUT_OF_MEMORY_WORDING,
        )?,
    };
    let (title, size_step) = match size {
        Some(bytes) => (
            format!(
                "Out of memory: an allocation of {} failed",
                human_bytes(bytes)
            ),
            format!(
                "The program asked for {bytes} bytes ({}) at once: check whether the input is \
                 that large, or whether the size was read from unexpected or corrupt data.",
                human_bytes(bytes)
            ),
        ),
        None => (
            "Out of memory".to_string(),
            "Check how much memory the program uses on this input (`/usr/bin/time -v` prints \
             the maximum resident size)."
                .to_string(),
        ),
    };
    Some(
        Finding::new(
            title,
            "The program asked for more memory than the machine, the container or the process \
             limit allows."
                .to_string(),
            confidence,
        )
        .step(size_step)
        .step("See what memory is free and what limits apply: `free -h`, `ulimit -v`, and the container's memory limit.")
        .step("Process large inputs in pieces (streaming instead of reading whole), or raise the limit if the need is real."),
    )
}

/// `bytes` in the largest binary unit that keeps one digit before the point.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS.get(unit).unwrap_or(&"bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::rules::tests_support::report_with;

    #[test]
    fn a_full_disk_names_the_path_and_the_ipfs_cleanup() {
        let mut report = report_with(
            "could not write /data/ipfs/blocks/x.data",
            &["No space left on device (os error 28)"],
        );
        report.command.program = "ipfs-kit".into();
        let finding = disk_full(&Evidence::of(&report)).unwrap();
        assert_eq!(finding.confidence, Confidence::High);
        assert!(finding.steps[0].contains("`df -h /data/ipfs/blocks/x.data`"));
        assert!(finding.steps.iter().any(|s| s.contains("ipfs repo gc")));
    }

    #[test]
    fn too_many_open_files_points_at_ulimit() {
        let report = report_with(
            "accepting a connection",
            &["Too many open files (os error 24)"],
        );
        let finding = too_many_open_files(&Evidence::of(&report)).unwrap();
        assert_eq!(finding.confidence, Confidence::High);
        assert!(finding.steps.iter().any(|s| s.contains("ulimit -n 65536")));
        let program = &report.command.program;
        assert!(
            finding.steps[2].contains(&format!("`ls /proc/$(pidof -s {program})/fd | wc -l`")),
            "{:?}",
            finding.steps
        );
    }

    #[test]
    fn a_failed_allocation_says_how_much_was_asked() {
        let report = report_with("memory allocation of 68719476736 bytes failed", &[]);
        let finding = out_of_memory(&Evidence::of(&report)).unwrap();
        assert_eq!(
            finding.title,
            "Out of memory: an allocation of 64.0 GiB failed"
        );
        let report = report_with("Cannot allocate memory (os error 12)", &[]);
        assert!(out_of_memory(&Evidence::of(&report)).is_some());
        assert_eq!(human_bytes(512), "512 bytes");
    }

    #[test]
    fn near_misses_do_not_match() {
        for message in [
            "memory usage is fine",
            "space left: 12 GiB",
            "opened 3 files",
            "os error 240",
        ] {
            let report = report_with(message, &[]);
            let evidence = Evidence::of(&report);
            assert!(disk_full(&evidence).is_none(), "{message}");
            assert!(too_many_open_files(&evidence).is_none(), "{message}");
            assert!(out_of_memory(&evidence).is_none(), "{message}");
        }
    }
}
