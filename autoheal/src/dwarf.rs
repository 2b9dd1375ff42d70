//! Functions, files and lines from a module's DWARF: the frames (inlined ones first) at the
//! addresses a backtrace holds, read with `addr2line` from the module's own debug
//! information or, for the main executable, from the debug file its `.gnu_debuglink` names.
//!
//! Only the DWARF sections are read from the file, once per module and process: they stay in
//! memory for the process's life (as the `backtrace` crate keeps its), so a process that
//! reports many failures reads and indexes them once. Only modules that carry DWARF are kept,
//! and the set of a process's modules does not grow. Compressed sections are not supported
//! (the caller then names the frames from the module's symbol table).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use addr2line::gimli;
use object::elf::SHF_COMPRESSED;
use object::read::ReadCache;
use object::read::elf::{FileHeader, SectionHeader, SectionTable};
use object::{Endianness, FileKind};

use crate::loaded_modules::ExecutableMapping;
use crate::symbols::load_bias;
use crate::sync::Mutex;

/// DWARF sections read into memory for the rest of the process's life.
type Reader = gimli::EndianSlice<'static, gimli::RunTimeEndian>;

/// A module file as the process maps it: a file rebuilt under the same name is another one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ModuleKey {
    path: String,
    device: String,
    inode: u64,
}

/// A module's DWARF, parsed lazily; `None` for a module that has none this can read.
type LoadedDwarf = Option<Box<addr2line::Context<Reader>>>;

/// The DWARF of each module looked up so far.
static LOADED: Mutex<Vec<(ModuleKey, LoadedDwarf)>> = Mutex::new(Vec::new());

/// Most frames one address may give (inlining depth).
const MAX_INLINED: usize = 64;

/// One frame of an address: a function (the innermost inlined one first) and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceFrame {
    /// Demangled, without its hash; `None` when the DWARF does not name it.
    pub(crate) function: Option<String>,
    pub(crate) file: Option<String>,
    pub(crate) line: Option<u32>,
    /// The directory the compiler ran in (the workspace's root, for a crate of the program's
    /// own workspace built by cargo), when the DWARF names it: `file` relative to it is the
    /// path in the repository.
    pub(crate) build_dir: Option<String>,
}

/// The frames at each of `addresses` (run-time addresses of calls in mappings of the file at
/// `path`), innermost first; an empty list where the DWARF has nothing. `None` when the module
/// has no DWARF this can read: none of its own and (with `follow_debug_link`) no separate
/// debug file found, or compressed sections.
pub(crate) fn frames_in_module(
    path: &str,
    follow_debug_link: bool,
    addresses: &[(&ExecutableMapping, usize)],
) -> Option<Vec<Vec<SourceFrame>>> {
    let first = addresses.first()?.0;
    let key = ModuleKey {
        path: path.to_string(),
        device: first.device.clone(),
        inode: first.inode,
    };
    let file = File::open(path).ok()?;
    let data = ReadCache::new(file);
    match FileKind::parse(&data).ok()? {
        FileKind::Elf64 => in_elf::<object::elf::FileHeader64<Endianness>>(
            &key,
            &data,
            follow_debug_link,
            addresses,
        ),
        FileKind::Elf32 => in_elf::<object::elf::FileHeader32<Endianness>>(
            &key,
            &data,
            follow_debug_link,
            addresses,
        ),
        _ => None,
    }
}

/// [`frames_in_module`] for an ELF file of the class `Elf`.
fn in_elf<Elf: FileHeader<Endian = Endianness>>(
    key: &ModuleKey,
    data: &ReadCache<File>,
    follow_debug_link: bool,
    addresses: &[(&ExecutableMapping, usize)],
) -> Option<Vec<Vec<SourceFrame>>> {
    let header = Elf::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let segments = header.program_headers(endian, data).ok()?;
    let svmas: Vec<Option<u64>> = addresses
        .iter()
        .map(|(mapping, address)| {
            let bias = load_bias::<Elf>(segments, endian, mapping)?;
            Some(u64::try_from(*address).ok()?.wrapping_sub(bias))
        })
        .collect();
    let mut loaded = LOADED.lock();
    let position = match loaded.iter().position(|(loaded_key, _)| loaded_key == key) {
        Some(position) => position,
        None => {
            let context =
                load_dwarf::<Elf>(key, header, endian, data, follow_debug_link).map(Box::new);
            loaded.push((key.clone(), context));
            loaded.len() - 1
        }
    };
    let context = loaded.get(position)?.1.as_deref()?;
    Some(
        svmas
            .iter()
            .map(|svma| {
                svma.map(|svma| frames_at(context, svma))
                    .unwrap_or_default()
            })
            .collect(),
    )
}

/// The module's DWARF: its own, or (with `follow_debug_link`) its separate debug file's.
fn load_dwarf<Elf: FileHeader<Endian = Endianness>>(
    key: &ModuleKey,
    header: &Elf,
    endian: Endianness,
    data: &ReadCache<File>,
    follow_debug_link: bool,
) -> Option<addr2line::Context<Reader>> {
    let sections = header.sections(endian, data).ok()?;
    let path = Path::new(&key.path);
    if sections.section_by_name(endian, b".debug_info").is_some() {
        return dwarf_of::<Elf>(path, endian, &sections);
    }
    if !follow_debug_link {
        return None;
    }
    let debug_path = debug_file(path, &sections, endian, data)?;
    let debug_data = ReadCache::new(File::open(&debug_path).ok()?);
    let debug_header = Elf::parse(&debug_data).ok()?;
    let debug_endian = debug_header.endian().ok()?;
    let debug_sections = debug_header.sections(debug_endian, &debug_data).ok()?;
    dwarf_of::<Elf>(&debug_path, debug_endian, &debug_sections)
}

/// The separate debug file named by the module's `.gnu_debuglink`, where GDB looks for it:
/// beside the module, in `.debug/` beside it, or under `/usr/lib/debug` by the module's
/// directory.
fn debug_file<'data, Elf: FileHeader<Endian = Endianness>>(
    path: &Path,
    sections: &SectionTable<'data, Elf, &'data ReadCache<File>>,
    endian: Endianness,
    data: &'data ReadCache<File>,
) -> Option<PathBuf> {
    let (_, link) = sections.section_by_name(endian, b".gnu_debuglink")?;
    let link = link.data(endian, data).ok()?;
    let name = link.split(|&b| b == 0).next()?;
    let name = std::str::from_utf8(name).ok().filter(|n| !n.is_empty())?;
    let dir = path.parent()?;
    let candidates = [
        dir.join(name),
        dir.join(".debug").join(name),
        Path::new("/usr/lib/debug")
            .join(dir.strip_prefix("/").unwrap_or(dir))
            .join(name),
    ];
    candidates
        .into_iter()
        .find(|candidate| candidate.as_path() != path && candidate.is_file())
}

/// The DWARF sections of the file at `path` (whose section table is `sections`), read into
/// memory, parsed lazily by `addr2line`.
fn dwarf_of<'data, Elf: FileHeader<Endian = Endianness>>(
    path: &Path,
    endian: Endianness,
    sections: &SectionTable<'data, Elf, &'data ReadCache<File>>,
) -> Option<addr2line::Context<Reader>> {
    let reader_endian = if endian == Endianness::Little {
        gimli::RunTimeEndian::Little
    } else {
        gimli::RunTimeEndian::Big
    };
    let compressed = sections.iter().any(|section| {
        sections
            .section_name(endian, section)
            .is_ok_and(|name| name.starts_with(b".debug_"))
            && section.sh_flags(endian).contains(SHF_COMPRESSED)
    });
    if compressed {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut load = |id: gimli::SectionId| -> Result<Reader, ()> {
        let bytes: &'static [u8] = match sections.section_by_name(endian, id.name().as_bytes()) {
            Some((_, section)) => {
                let (offset, size) = section.file_range(endian).unwrap_or((0, 0));
                let mut bytes = vec![0; usize::try_from(size).map_err(|_| ())?];
                file.seek(SeekFrom::Start(offset)).map_err(|_| ())?;
                file.read_exact(&mut bytes).map_err(|_| ())?;
                // Kept for the process's life with the module's parsed DWARF (see above).
                bytes.leak()
            }
            None => &[],
        };
        Ok(gimli::EndianSlice::new(bytes, reader_endian))
    };
    let dwarf = gimli::Dwarf::load(&mut load).ok()?;
    addr2line::Context::from_dwarf(dwarf).ok()
}

/// The frames at `svma`, the innermost inlined function first.
fn frames_at<R: gimli::Reader>(context: &addr2line::Context<R>, svma: u64) -> Vec<SourceFrame> {
    let mut found = Vec::new();
    let build_dir = context
        .find_dwarf_and_unit(svma)
        .skip_all_loads()
        .and_then(|unit| {
            unit.comp_dir
                .as_ref()
                .map(|dir| dir.to_string_lossy().map(|d| d.into_owned()))
        })
        .and_then(Result::ok);
    let Ok(mut frames) = context.find_frames(svma).skip_all_loads() else {
        return found;
    };
    while let Ok(Some(frame)) = frames.next() {
        let function = frame
            .function
            .as_ref()
            .and_then(|function| function.raw_name().ok())
            .map(|name| format!("{:#}", rustc_demangle::demangle(&name)));
        let (file, line) = frame
            .location
            .map(|location| (location.file.map(str::to_string), location.line))
            .unwrap_or((None, None));
        found.push(SourceFrame {
            function,
            file,
            line,
            build_dir: build_dir.clone(),
        });
        if found.len() >= MAX_INLINED {
            break;
        }
    }
    found
}
