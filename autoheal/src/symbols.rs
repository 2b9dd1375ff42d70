//! Symbol lookup for the instruction pointers of this process, at a memory cost that does not
//! dwarf the failing program's own.
//!
//! On Linux each frame's module is found in `/proc/self/maps` first:
//!
//! - a module that carries its own DWARF (a debug build, or a release build with `debug` set),
//!   and the main executable when its debug information was split off with a debug link, are
//!   named from that DWARF ([`crate::dwarf`]): inlined frames, file and line;
//! - any other module (a shared library whose debug information, if any, lives in a separate
//!   file, or a release executable without debug information) is named from its own ELF symbol
//!   table, read on demand from the file: one pass over the table for all of the module's
//!   frames, and only the names of the symbols found are read. Loading a system library's
//!   separate debug file instead (Debian's `libc6-dbg` puts glibc's in `/usr/lib/debug`) would
//!   decompress and parse about 30 MiB of DWARF only to name the two or three C runtime frames
//!   at the bottom of every stack, which are never the application's.
//!
//! Elsewhere (no `/proc/self/maps`), every frame is resolved by the `backtrace` crate.

#[cfg(not(target_os = "linux"))]
use std::ffi::c_void;
use std::fs::File;

use object::FileKind;
use object::elf::{PF_X, PT_LOAD, SHN_UNDEF, SHT_DYNSYM, SHT_SYMTAB, STT_FUNC, STT_OBJECT};
use object::read::ReadCache;
use object::read::elf::{FileHeader, ProgramHeader, Sym};

use crate::dwarf::SourceFrame;
use crate::loaded_modules::{ExecutableMapping, executable_mappings};
use crate::report::BacktraceFrame;
use crate::stack::{MAX_FRAMES, is_foreign_path, is_in_app, trim_machinery};

/// Look up the functions, files and lines of `ips` and turn them into report frames,
/// innermost first, with autoheal's own frames and the panic machinery trimmed from the top
/// and at most [`MAX_FRAMES`] kept.
///
/// `ips` are instruction pointers of this process as a stack walk gives them: return
/// addresses, so each is looked up one byte earlier, inside the call. `app_crate` names the
/// application's crate, for frames without source information (see [`is_in_app`]).
pub(crate) fn resolve_ips(ips: &[usize], app_crate: &str) -> Vec<BacktraceFrame> {
    let mut frames = name_frames(ips, app_crate);
    trim_machinery(&mut frames);
    frames.truncate(MAX_FRAMES);
    frames
}

/// Every frame of `ips`, nothing trimmed.
fn name_frames(ips: &[usize], app_crate: &str) -> Vec<BacktraceFrame> {
    let naming = name_by_module(ips);
    let mut frames = Vec::new();
    for (index, &ip) in ips.iter().enumerate() {
        match naming.get(index) {
            Some(Naming::Source(found)) => {
                for source in found {
                    let function = source
                        .function
                        .clone()
                        .unwrap_or_else(|| "<unknown>".to_string());
                    let frame = frame(function, source.file.clone(), source.line, app_crate);
                    frames.push(relative_to_build_dir(frame, source.build_dir.as_deref()));
                }
            }
            Some(Naming::Symbol(name)) => frames.push(frame(name.clone(), None, None, app_crate)),
            Some(Naming::Unnamed) => {}
            Some(Naming::Elsewhere) | None => resolve_elsewhere(ip, app_crate, &mut frames),
        }
    }
    frames
}

/// `frame` with its file relative to `build_dir` when it is one of the program's own or of its
/// workspace's other crates; a registry crate's or std's keeps the path that says where it
/// comes from.
fn relative_to_build_dir(mut frame: BacktraceFrame, build_dir: Option<&str>) -> BacktraceFrame {
    if frame
        .file
        .as_deref()
        .is_some_and(|file| !is_foreign_path(file))
    {
        frame.file = frame.file.map(|file| in_repository(file, build_dir));
    }
    frame
}

/// `file`, an application frame's source as the DWARF gives it (absolute, the build directory
/// joined to the path the compiler was given), relative to `build_dir` when it lies inside:
/// the path in the repository (`src/main.rs`, `cli/src/main.rs`), which says nothing of the
/// machine that built the program. A file outside it keeps its path.
fn in_repository(file: String, build_dir: Option<&str>) -> String {
    let Some(dir) = build_dir.map(|d| d.trim_end_matches(['/', '\\'])) else {
        return file;
    };
    match file.strip_prefix(dir) {
        Some(rest) if !dir.is_empty() && rest.starts_with(['/', '\\']) => {
            rest.trim_start_matches(['/', '\\']).replace('\\', "/")
        }
        _ => file,
    }
}

/// Name an instruction pointer that lies in no module of `/proc/self/maps`: without it (not
/// Linux), with the `backtrace` crate, one frame per function it finds there, the inlined ones
/// first; on Linux such an address belongs to no file, and has no name.
#[cfg(not(target_os = "linux"))]
fn resolve_elsewhere(ip: usize, app_crate: &str, frames: &mut Vec<BacktraceFrame>) {
    // The crate takes the return address as a pointer and looks up the byte before it.
    backtrace::resolve(ip as *mut c_void, |symbol| {
        let function = symbol
            .name()
            .map(|n| format!("{n:#}"))
            .unwrap_or_else(|| "<unknown>".to_string());
        let file = symbol.filename().map(|p| p.display().to_string());
        frames.push(frame(function, file, symbol.lineno(), app_crate));
    });
}

#[cfg(target_os = "linux")]
fn resolve_elsewhere(_ip: usize, _app_crate: &str, _frames: &mut Vec<BacktraceFrame>) {}

fn frame(
    function: String,
    file: Option<String>,
    line: Option<u32>,
    app_crate: &str,
) -> BacktraceFrame {
    let in_app = is_in_app(&function, file.as_deref(), app_crate);
    BacktraceFrame {
        function,
        file,
        line,
        in_app,
    }
}

/// How one instruction pointer is named.
#[derive(Debug, Clone, PartialEq)]
enum Naming {
    /// From its module's DWARF: the functions there, the inlined ones first.
    Source(Vec<SourceFrame>),
    /// From its module's symbol table: the demangled name of the function around it.
    Symbol(String),
    /// Its module's symbol table has no function there: no frame.
    Unnamed,
    /// It lies in no module this process's map names: left to [`resolve_elsewhere`].
    Elsewhere,
}

/// Name the instruction pointers module by module: from the module's DWARF where it has some
/// (its own, or the main executable's separate debug file), else from its symbol table.
fn name_by_module(ips: &[usize]) -> Vec<Naming> {
    let mut naming = vec![Naming::Elsewhere; ips.len()];
    let mappings = executable_mappings();
    if mappings.is_empty() {
        return naming;
    }
    let main_executable = std::env::current_exe()
        .ok()
        .map(|p| p.display().to_string());
    let located: Vec<Option<&ExecutableMapping>> = ips
        .iter()
        .map(|&ip| mappings.iter().find(|m| m.contains(call_address(ip))))
        .collect();
    let mut paths: Vec<&str> = Vec::new();
    for mapping in located.iter().flatten() {
        if !paths.contains(&mapping.path.as_str()) {
            paths.push(&mapping.path);
        }
    }
    for path in paths {
        let is_main = main_executable.as_deref() == Some(path);
        let wanted: Vec<(usize, (&ExecutableMapping, usize))> = located
            .iter()
            .enumerate()
            .filter_map(|(index, m)| {
                let mapping = m.filter(|m| m.path == path)?;
                Some((index, (mapping, call_address(*ips.get(index)?))))
            })
            .collect();
        let addresses: Vec<(&ExecutableMapping, usize)> =
            wanted.iter().map(|&(_, address)| address).collect();
        let from_dwarf = crate::dwarf::frames_in_module(path, is_main, &addresses);
        // Addresses the DWARF says nothing about are named from the symbol table.
        let mut by_table: Vec<(usize, (&ExecutableMapping, usize))> = Vec::new();
        for (position, &(index, address)) in wanted.iter().enumerate() {
            match from_dwarf.as_ref().and_then(|found| found.get(position)) {
                Some(found) if !found.is_empty() => {
                    if let Some(slot) = naming.get_mut(index) {
                        *slot = Naming::Source(found.clone());
                    }
                }
                _ => by_table.push((index, address)),
            }
        }
        if by_table.is_empty() {
            continue;
        }
        let table_addresses: Vec<(&ExecutableMapping, usize)> =
            by_table.iter().map(|&(_, address)| address).collect();
        let Some(names) = names_in_module(path, &table_addresses) else {
            continue;
        };
        for ((index, _), name) in by_table.into_iter().zip(names) {
            if let Some(slot) = naming.get_mut(index) {
                *slot = name.map_or(Naming::Unnamed, Naming::Symbol);
            }
        }
    }
    naming
}

/// The address inside the call instruction whose return address is `ip`.
fn call_address(ip: usize) -> usize {
    ip.saturating_sub(1)
}

/// The demangled names of the functions at `addresses` (run-time addresses in mappings of the
/// file at `path`) from the file's own symbol table, or `None` when it cannot be read.
fn names_in_module(
    path: &str,
    addresses: &[(&ExecutableMapping, usize)],
) -> Option<Vec<Option<String>>> {
    let file = File::open(path).ok()?;
    let cache = ReadCache::new(file);
    match FileKind::parse(&cache).ok()? {
        FileKind::Elf64 => {
            names_in_elf::<object::elf::FileHeader64<object::Endianness>>(&cache, addresses)
        }
        FileKind::Elf32 => {
            names_in_elf::<object::elf::FileHeader32<object::Endianness>>(&cache, addresses)
        }
        _ => None,
    }
}

fn names_in_elf<Elf: FileHeader<Endian = object::Endianness>>(
    data: &ReadCache<File>,
    addresses: &[(&ExecutableMapping, usize)],
) -> Option<Vec<Option<String>>> {
    let header = Elf::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let sections = header.sections(endian, data).ok()?;
    let segments = header.program_headers(endian, data).ok()?;
    let svmas: Vec<Option<u64>> = addresses
        .iter()
        .map(|(mapping, address)| {
            let bias = load_bias::<Elf>(segments, endian, mapping)?;
            Some(u64::try_from(*address).ok()?.wrapping_sub(bias))
        })
        .collect();

    let mut symbols = sections.symbols(endian, data, SHT_SYMTAB).ok()?;
    if symbols.is_empty() {
        symbols = sections.symbols(endian, data, SHT_DYNSYM).ok()?;
    }
    // For each address, the function or object symbol that starts closest before it, as the
    // `backtrace` crate picks it: (start, size, name offset).
    let mut nearest: Vec<Option<(u64, u64, u32)>> = vec![None; svmas.len()];
    for symbol in symbols.iter() {
        let kind = symbol.st_type();
        if (kind != STT_FUNC && kind != STT_OBJECT) || symbol.st_shndx(endian) == SHN_UNDEF {
            continue;
        }
        let start: u64 = symbol.st_value(endian).into();
        let size: u64 = symbol.st_size(endian).into();
        for (best, svma) in nearest.iter_mut().zip(&svmas) {
            let Some(svma) = *svma else { continue };
            let closer = match best {
                None => true,
                Some((best_start, best_size, _)) => {
                    start > *best_start
                        || (start == *best_start && !contains(*best_start, *best_size, svma))
                }
            };
            if start <= svma && closer {
                *best = Some((start, size, symbol.st_name(endian)));
            }
        }
    }
    let strings = symbols.strings();
    Some(
        nearest
            .iter()
            .zip(&svmas)
            .map(|(best, svma)| {
                let (start, size, name) = (*best)?;
                if !contains(start, size, (*svma)?) {
                    return None;
                }
                let name = String::from_utf8_lossy(strings.get(name).ok()?);
                Some(format!("{:#}", rustc_demangle::demangle(&name)))
            })
            .collect(),
    )
}

/// Whether a symbol at `start` of `size` bytes covers `svma`, the end included as the
/// `backtrace` crate does (a call that is the last instruction of its function).
fn contains(start: u64, size: u64, svma: u64) -> bool {
    start <= svma && svma <= start.saturating_add(size)
}

/// What to subtract from a run-time address in `mapping` to get the address the file's symbol
/// table uses: the mapping's start less the address its file offset has in the executable
/// loadable segment that holds it. (Only an executable segment: the page a segment starts in
/// may also hold the end of the read-only segment before it, at another address.)
pub(crate) fn load_bias<Elf: FileHeader>(
    segments: &[Elf::ProgramHeader],
    endian: Elf::Endian,
    mapping: &ExecutableMapping,
) -> Option<u64> {
    let offset = u64::try_from(mapping.file_offset).ok()?;
    let start = u64::try_from(mapping.start).ok()?;
    segments
        .iter()
        .filter(|s| s.p_type(endian) == PT_LOAD && s.p_flags(endian).contains(PF_X))
        .find_map(|segment| {
            let file_start: u64 = segment.p_offset(endian).into();
            let file_size: u64 = segment.p_filesz(endian).into();
            let align: u64 = segment.p_align(endian).into();
            let aligned_start = file_start - file_start % align.max(1);
            if offset < aligned_start || offset >= file_start.saturating_add(file_size) {
                return None;
            }
            let vaddr: u64 = segment.p_vaddr(endian).into();
            // The address `offset` has in the file's view (it may lie a little before the
            // segment, on the page the segment starts in, hence the wrapping arithmetic).
            let mapped_vaddr = vaddr.wrapping_sub(file_start).wrapping_add(offset);
            Some(start.wrapping_sub(mapped_vaddr))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn application_files_are_relative_to_the_build_directory() {
        assert_eq!(
            in_repository(
                "/home/dev/src/app/cli/src/main.rs".into(),
                Some("/home/dev/src/app")
            ),
            "cli/src/main.rs"
        );
        assert_eq!(
            in_repository(
                "/home/dev/src/app/src/lib.rs".into(),
                Some("/home/dev/src/app/")
            ),
            "src/lib.rs"
        );
        // Not inside it (a sibling whose name starts alike), or no build directory: unchanged.
        assert_eq!(
            in_repository(
                "/home/dev/src/app2/src/lib.rs".into(),
                Some("/home/dev/src/app")
            ),
            "/home/dev/src/app2/src/lib.rs"
        );
        assert_eq!(in_repository("src/lib.rs".into(), None), "src/lib.rs");
    }

    use std::ffi::c_void;

    use super::*;

    /// Today's resolution, before `resolve_ips`: the `backtrace` crate names every frame
    /// (untrimmed).
    fn named_by_backtrace_crate(
        mut captured: backtrace::Backtrace,
        app_crate: &str,
    ) -> Vec<BacktraceFrame> {
        captured.resolve();
        // The workspace's root, where cargo ran the compiler: the build directory of this
        // crate's frames, which reports name relative to it.
        let build_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(|root| root.display().to_string());
        let mut frames = Vec::new();
        for symbol in captured.frames().iter().flat_map(|f| f.symbols()) {
            let function = symbol
                .name()
                .map(|n| format!("{n:#}"))
                .unwrap_or_else(|| "<unknown>".to_string());
            let file = symbol.filename().map(|p| p.display().to_string());
            let frame = frame(function, file, symbol.lineno(), app_crate);
            frames.push(relative_to_build_dir(frame, build_dir.as_deref()));
        }
        frames
    }

    fn trimmed(mut frames: Vec<BacktraceFrame>) -> Vec<BacktraceFrame> {
        trim_machinery(&mut frames);
        frames.truncate(MAX_FRAMES);
        frames
    }

    #[inline(never)]
    fn capture_two_calls_deep() -> backtrace::Backtrace {
        let captured = capture_one_call_deep();
        std::hint::black_box(captured)
    }

    #[inline(never)]
    fn capture_one_call_deep() -> backtrace::Backtrace {
        std::hint::black_box(backtrace::Backtrace::new_unresolved())
    }

    fn ips(captured: &backtrace::Backtrace) -> Vec<usize> {
        captured.frames().iter().map(|f| f.ip() as usize).collect()
    }

    /// Frames of Rust code: all of them lie in this test binary, which carries DWARF.
    fn rust_frames(frames: &[BacktraceFrame]) -> Vec<&BacktraceFrame> {
        frames
            .iter()
            .filter(|f| f.function.contains("::"))
            .collect()
    }

    #[test]
    fn resolve_ips_gives_the_frames_the_backtrace_crate_gives() {
        let captured = capture_two_calls_deep();
        let frames = name_frames(&ips(&captured), "autoheal");
        let today = named_by_backtrace_crate(captured.clone(), "autoheal");

        // Every frame of the executable: function, file, line (of the call) and in_app alike,
        // before trimming and after.
        assert_eq!(rust_frames(&frames), rust_frames(&today));
        let reported = resolve_ips(&ips(&captured), "autoheal");
        assert_eq!(rust_frames(&reported), rust_frames(&trimmed(today.clone())));
        assert!(!rust_frames(&reported).is_empty());
        let ours: Vec<&BacktraceFrame> = frames
            .iter()
            .filter(|f| f.function.contains("capture_"))
            .collect();
        assert_eq!(ours.len(), 2, "{frames:#?}");
        assert!(
            ours.iter().all(
                |f| f.file.as_deref().is_some_and(|p| p.ends_with("symbols.rs"))
                    && f.line.is_some()
            ),
            "{ours:#?}"
        );
        // The C runtime's frames at the bottom may be named from their library's own symbol
        // table instead of its separate debug file: then without a file, or left out when
        // that table does not have them.
        for frame in frames.iter().filter(|f| !f.function.contains("::")) {
            assert!(
                frame.file.is_none() || today.contains(frame),
                "{frame:?} not in {today:#?}"
            );
        }
    }

    #[test]
    fn a_symbol_table_names_functions_as_their_dwarf_does() {
        let captured = capture_two_calls_deep();
        let mappings = executable_mappings();
        if mappings.is_empty() {
            return;
        }
        let exe = std::env::current_exe().map(|p| p.display().to_string());
        let in_exe: Vec<(&ExecutableMapping, usize)> = ips(&captured)
            .into_iter()
            .filter_map(|ip| {
                let mapping = mappings.iter().find(|m| m.contains(call_address(ip)))?;
                (Some(&mapping.path) == exe.as_ref().ok()).then_some((mapping, ip))
            })
            .collect();
        let addresses: Vec<(&ExecutableMapping, usize)> = in_exe
            .iter()
            .map(|&(m, ip)| (m, call_address(ip)))
            .collect();
        let path = exe.as_deref().unwrap_or_default();
        let from_table = names_in_module(path, &addresses).unwrap_or_default();
        assert_eq!(from_table.len(), in_exe.len());
        let mut compared = 0;
        for (&(_, ip), name) in in_exe.iter().zip(&from_table) {
            // The function the instruction is in: the outermost of the frames DWARF gives
            // (the others were inlined into it).
            let mut from_dwarf = None;
            backtrace::resolve(ip as *mut c_void, |s| {
                from_dwarf = s.name().map(|n| format!("{n:#}"))
            });
            if from_dwarf.is_some() {
                assert_eq!(name, &from_dwarf, "at {ip:#x}");
                compared += 1;
            }
        }
        assert!(compared >= 2, "{from_table:#?}");
        assert!(
            from_table
                .iter()
                .flatten()
                .any(|n| n.ends_with("capture_one_call_deep")),
            "{from_table:#?}"
        );
    }
}
