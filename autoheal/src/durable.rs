//! Files that survive crashes and stay private: written whole or not at all (temporary file,
//! sync, rename, sync of the directory), mode 0600 in directories of mode 0700.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// Create `dir` (and its parents) readable by the owner only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| {
        // `create_dir_all` says "File exists" when a file stands in the way: say which.
        let in_the_way =
            e.kind() == std::io::ErrorKind::AlreadyExists || dir.ancestors().any(|p| p.is_file());
        let e = match in_the_way {
            true => std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "a file stands where the directory should be",
            ),
            false => e,
        };
        Error::io("create the directory", dir, e)
    })
}

/// Replace `path` with `bytes` atomically: a reader (or a crash) sees the old file or the new
/// one, never a part. The temporary file is hidden (`.name.pid.n.tmp`) and removed on failure.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_whole(path, bytes, true)
}

/// Like [`write_atomically`] but without waiting for the disk: for caches, where a crash may
/// lose the latest change but must never leave half a file.
pub(crate) fn replace_cache_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_whole(path, bytes, false)
}

fn write_whole(path: &Path, bytes: &[u8], synced: bool) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    // Errors name the file being written, not its hidden temporary copy.
    let written = write_new(&temp, bytes, synced).and_then(|()| fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(Error::io("write", path, e));
    }
    if synced && let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Remove the temporary files that writers killed mid-write left in `dir`: those of processes
/// that no longer run (on Linux), or older than ten minutes (elsewhere).
pub(crate) fn remove_abandoned_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with('.') && name.ends_with(".tmp")) {
            continue;
        }
        let pid = name.rsplit('.').nth(2).and_then(|p| p.parse::<u32>().ok());
        let abandoned = match pid {
            Some(pid) => process_is_gone(pid, &entry.path()),
            None => older_than_ten_minutes(&entry.path()),
        };
        if abandoned {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether the process `pid`, which wrote `file`, no longer runs: on Linux, from `/proc`;
/// elsewhere, when the file is older than ten minutes.
pub(crate) fn process_is_gone(pid: u32, file: &Path) -> bool {
    if pid == std::process::id() {
        return false;
    }
    if Path::new("/proc/self").exists() {
        return !Path::new(&format!("/proc/{pid}")).exists();
    }
    older_than_ten_minutes(file)
}

fn older_than_ten_minutes(file: &Path) -> bool {
    fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 600)
}

fn write_new(path: &Path, bytes: &[u8], synced: bool) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    if synced {
        file.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_where_the_directory_should_be_is_named_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let queue = dir.path().join("queue");
        fs::write(&queue, "not a directory").unwrap();
        for path in [queue.join("report.json"), queue.join("sub").join("r.json")] {
            let error = write_atomically(&path, b"{}").unwrap_err().to_string();
            assert!(
                error.contains("a file stands where the directory should be"),
                "{error}"
            );
            assert!(error.contains("move it away"), "{error}");
        }
        assert_eq!(fs::read(&queue).unwrap(), b"not a directory");
    }

    #[test]
    fn replaces_whole_files_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("file.json");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["file.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn files_and_directories_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private").join("file");
        write_atomically(&path, b"x").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn temporaries_of_dead_writers_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".report.json.999999999.0.tmp");
        let mine = dir
            .path()
            .join(format!(".report.json.{}.0.tmp", std::process::id()));
        fs::write(&dead, "half").unwrap();
        fs::write(&mine, "in progress").unwrap();
        remove_abandoned_temporaries(dir.path());
        assert!(!dead.exists());
        assert!(mine.exists());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        write_atomically(&path, b"old").unwrap();
        // A directory where the file should go cannot be replaced by a rename.
        let blocked = dir.path().join("blocked");
        fs::create_dir_all(blocked.join("child")).unwrap();
        assert!(write_atomically(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let temps = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(temps, 0);
    }
}
