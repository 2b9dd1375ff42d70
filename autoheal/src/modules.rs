//! Where the program's code is loaded: instruction pointers made relative to the file they
//! come from, so that a backtrace written down by a process that then died can be resolved by
//! another process running the same binary.
//!
//! On Linux the executable mappings are read once from `/proc/self/maps` (at `init`, not on a
//! failing thread). An address is written as (file, offset into that file); a later process
//! finds the same file (by device and inode, so a rebuilt binary does not match) among its
//! own mappings and turns the offset back into one of its addresses. Elsewhere, and for code
//! loaded after `init`, nothing is written down: such a report, recovered after a crash, has no
//! backtrace (the process that made it resolves it from memory as usual).

use std::sync::OnceLock;

use crate::json::{Fields, FromJson, deserialize_through_json};

use crate::loaded_modules::ExecutableMapping;

/// A file the program's code is loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModuleFile {
    pub(crate) path: String,
    pub(crate) device: String,
    pub(crate) inode: u64,
}

/// One executable mapping of a module file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Mapping {
    start: usize,
    end: usize,
    file_offset: usize,
    file: usize,
}

/// A backtrace written down relative to its files: `frames` are (index into `files`, offset in
/// that file), innermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RelativeBacktrace {
    pub(crate) files: Vec<ModuleFile>,
    pub(crate) frames: Vec<(usize, usize)>,
}

impl serde_core::Serialize for ModuleFile {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeMap;
        let ModuleFile {
            path,
            device,
            inode,
        } = self;
        let mut out = serializer.serialize_map(Some(3))?;
        out.serialize_entry("path", path)?;
        out.serialize_entry("device", device)?;
        out.serialize_entry("inode", inode)?;
        out.end()
    }
}

impl FromJson for ModuleFile {
    fn from_json(json: &serde_json::Value) -> Result<Self, String> {
        let fields = Fields::of(json, "module file")?;
        Ok(ModuleFile {
            path: fields.required("path")?,
            device: fields.required("device")?,
            inode: fields.required("inode")?,
        })
    }
}

impl serde_core::Serialize for RelativeBacktrace {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeMap;
        let RelativeBacktrace { files, frames } = self;
        let mut out = serializer.serialize_map(Some(2))?;
        out.serialize_entry("files", files)?;
        out.serialize_entry("frames", frames)?;
        out.end()
    }
}

impl FromJson for RelativeBacktrace {
    fn from_json(json: &serde_json::Value) -> Result<Self, String> {
        let fields = Fields::of(json, "relative backtrace")?;
        Ok(RelativeBacktrace {
            files: fields.required("files")?,
            frames: fields.required("frames")?,
        })
    }
}

deserialize_through_json!(RelativeBacktrace);

/// The executable mappings of one process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ModuleMap {
    files: Vec<ModuleFile>,
    mappings: Vec<Mapping>,
}

static THIS_PROCESS: OnceLock<ModuleMap> = OnceLock::new();

/// The mappings of this process, read the first time (call it from `init`, so that a failing
/// thread only looks them up).
pub(crate) fn this_process() -> &'static ModuleMap {
    THIS_PROCESS.get_or_init(ModuleMap::read)
}

impl ModuleMap {
    /// The current mappings of this process; empty where `/proc/self/maps` does not exist.
    pub(crate) fn read() -> ModuleMap {
        ModuleMap::from_mappings(crate::loaded_modules::executable_mappings())
    }

    fn from_mappings(mappings: Vec<ExecutableMapping>) -> ModuleMap {
        let mut map = ModuleMap::default();
        for mapping in mappings {
            let file = ModuleFile {
                path: mapping.path,
                device: mapping.device,
                inode: mapping.inode,
            };
            let index = match map.files.iter().position(|f| *f == file) {
                Some(index) => index,
                None => {
                    map.files.push(file);
                    map.files.len() - 1
                }
            };
            map.mappings.push(Mapping {
                start: mapping.start,
                end: mapping.end,
                file_offset: mapping.file_offset,
                file: index,
            });
        }
        map
    }

    /// `ips` written relative to their files; addresses outside every known mapping are left
    /// out.
    pub(crate) fn relative(&self, ips: &[usize]) -> RelativeBacktrace {
        let mut used: Vec<usize> = Vec::new();
        let mut frames = Vec::with_capacity(ips.len());
        for &ip in ips {
            let Some(mapping) = self.mappings.iter().find(|m| m.start <= ip && ip < m.end) else {
                continue;
            };
            let index = match used.iter().position(|&f| f == mapping.file) {
                Some(index) => index,
                None => {
                    used.push(mapping.file);
                    used.len() - 1
                }
            };
            frames.push((index, ip - mapping.start + mapping.file_offset));
        }
        RelativeBacktrace {
            files: used
                .iter()
                .filter_map(|&f| self.files.get(f).cloned())
                .collect(),
            frames,
        }
    }

    /// The addresses in this process of a backtrace written down by `relative`, innermost
    /// first. Frames of files this process has not loaded (or that changed since: another
    /// device or inode) are left out; `None` when none is left.
    pub(crate) fn absolute(&self, backtrace: &RelativeBacktrace) -> Option<Vec<usize>> {
        let ips: Vec<usize> = backtrace
            .frames
            .iter()
            .filter_map(|&(file, offset)| {
                let file = backtrace.files.get(file)?;
                let mapping = self.mappings.iter().find(|m| {
                    self.files.get(m.file) == Some(file)
                        && m.file_offset <= offset
                        && offset - m.file_offset < m.end - m.start
                })?;
                Some(mapping.start + (offset - mapping.file_offset))
            })
            .collect();
        (!ips.is_empty()).then_some(ips)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
55d0c8a00000-55d0c8a2c000 r--p 00000000 fd:01 1234567                    /usr/bin/app
55d0c8a2c000-55d0c8b00000 r-xp 0002c000 fd:01 1234567                    /usr/bin/app
7f0000000000-7f0000100000 r-xp 00010000 fd:01 42                         /usr/lib/libc.so.6
7f0000200000-7f0000201000 rw-p 00000000 00:00 0
7ffd00000000-7ffd00021000 r-xp 00000000 00:00 0                          [vdso]
";

    fn parse(maps: &str) -> ModuleMap {
        ModuleMap::from_mappings(crate::loaded_modules::parse_maps(maps))
    }

    #[test]
    fn each_file_is_listed_once() {
        let map = parse(MAPS);
        assert_eq!(map.files.len(), 2);
        assert_eq!(map.files[0].path, "/usr/bin/app");
        assert_eq!(map.mappings.len(), 2);
    }

    #[test]
    fn an_address_written_down_by_one_process_is_found_in_another() {
        let first = parse(MAPS);
        let ips = [0x55d0c8a2c010, 0x7f0000000020, 0x1234];
        let relative = first.relative(&ips);
        assert_eq!(relative.frames, [(0, 0x2c010), (1, 0x10020)]);
        // The same files loaded elsewhere (another process, other addresses).
        let second = parse(
            "\
5600aa02c000-5600aa100000 r-xp 0002c000 fd:01 1234567  /usr/bin/app
7e0000000000-7e0000100000 r-xp 00010000 fd:01 42  /usr/lib/libc.so.6
",
        );
        assert_eq!(
            second.absolute(&relative),
            Some(vec![0x5600aa02c010, 0x7e0000000020])
        );
    }

    #[test]
    fn a_rebuilt_binary_does_not_match() {
        let relative = parse(MAPS).relative(&[0x55d0c8a2c010]);
        let rebuilt =
            parse("5600aa02c000-5600aa100000 r-xp 0002c000 fd:01 7654321  /usr/bin/app\n");
        assert_eq!(rebuilt.absolute(&relative), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_maps_its_own_code() {
        let here = this_process as fn() -> &'static ModuleMap as usize;
        let map = this_process();
        let relative = map.relative(&[here]);
        assert_eq!(relative.frames.len(), 1, "{map:?}");
        assert_eq!(map.absolute(&relative), Some(vec![here]));
    }
}
