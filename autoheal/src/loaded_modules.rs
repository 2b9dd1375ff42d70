//! Where this process's executable code is mapped from: the executable and the shared
//! libraries, as Linux lists them in `/proc/self/maps`, so that a frame's instruction pointer
//! can be traced to the file whose symbols name it.

/// One executable mapping of a file into this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecutableMapping {
    /// First address of the mapping.
    pub(crate) start: usize,
    /// One past its last address.
    pub(crate) end: usize,
    /// Where in the file the mapping starts.
    pub(crate) file_offset: usize,
    /// The file, as the kernel names it.
    pub(crate) path: String,
    /// The file's device (`major:minor`) and inode: a file rebuilt under the same name has
    /// another inode.
    pub(crate) device: String,
    pub(crate) inode: u64,
}

impl ExecutableMapping {
    /// Whether `address` lies in this mapping.
    pub(crate) fn contains(&self, address: usize) -> bool {
        self.start <= address && address < self.end
    }
}

/// The executable file mappings of this process; empty where `/proc/self/maps` cannot be read
/// (any system but Linux), which leaves every frame to the `backtrace` crate.
pub(crate) fn executable_mappings() -> Vec<ExecutableMapping> {
    std::fs::read_to_string("/proc/self/maps")
        .map(|maps| parse_maps(&maps))
        .unwrap_or_default()
}

/// The executable mappings of files in a `/proc/<pid>/maps` listing; anonymous mappings, the
/// vDSO and lines that do not parse are left out.
pub(crate) fn parse_maps(maps: &str) -> Vec<ExecutableMapping> {
    maps.lines().filter_map(parse_line).collect()
}

/// `start-end perms offset dev inode path`, hexadecimal numbers, the path last (it may hold
/// spaces, so it is the rest of the line).
fn parse_line(line: &str) -> Option<ExecutableMapping> {
    let (range, rest) = next_field(line)?;
    let (perms, rest) = next_field(rest)?;
    let (offset, rest) = next_field(rest)?;
    let (device, rest) = next_field(rest)?;
    let (inode, rest) = next_field(rest)?;
    let path = rest.trim();
    if !perms.contains('x') || !path.starts_with('/') {
        return None;
    }
    let (start, end) = range.split_once('-')?;
    Some(ExecutableMapping {
        start: usize::from_str_radix(start, 16).ok()?,
        end: usize::from_str_radix(end, 16).ok()?,
        file_offset: usize::from_str_radix(offset, 16).ok()?,
        path: path.to_string(),
        device: device.to_string(),
        inode: inode.parse().ok()?,
    })
}

/// The next space-separated field of `text` and what follows it.
fn next_field(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    match text.split_once(' ') {
        Some((field, rest)) => Some((field, rest)),
        None if !text.is_empty() => Some((text, "")),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
5581f2a00000-5581f2a4e000 r--p 00000000 08:01 1311 /usr/bin/ipfs-kit
5581f2a4e000-5581f2f08000 r-xp 0004e000 08:01 1311 /usr/bin/ipfs-kit
5581f3a9c000-5581f3abd000 rw-p 00000000 00:00 0                          [heap]
7f00d690c000-7f00d6a62000 r-xp 00026000 08:01 2202                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f00d6b00000-7f00d6b01000 r-xp 00000000 08:01 4404                       /opt/my app/lib plugin.so
7ffd5c3f2000-7ffd5c3f4000 r-xp 00000000 00:00 0                          [vdso]
garbage
";

    #[test]
    fn only_executable_file_mappings_are_kept_with_their_offsets() {
        let mappings = parse_maps(MAPS);
        let paths: Vec<&str> = mappings.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/usr/bin/ipfs-kit",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/opt/my app/lib plugin.so"
            ]
        );
        assert_eq!(
            mappings[1],
            ExecutableMapping {
                start: 0x7f00d690c000,
                end: 0x7f00d6a62000,
                file_offset: 0x26000,
                path: "/usr/lib/x86_64-linux-gnu/libc.so.6".into(),
                device: "08:01".into(),
                inode: 2202,
            }
        );
        assert!(mappings[1].contains(0x7f00d690c000));
        assert!(!mappings[1].contains(0x7f00d6a62000));
    }

    #[test]
    fn this_process_has_its_own_executable_mapped() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let exe = std::env::current_exe().map(|p| p.display().to_string());
        let ip = this_process_has_its_own_executable_mapped as *const () as usize;
        let mappings = executable_mappings();
        let own = mappings.iter().find(|m| m.contains(ip));
        assert_eq!(own.map(|m| m.path.clone()), exe.ok());
    }
}
