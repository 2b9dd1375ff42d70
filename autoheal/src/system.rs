//! Facts about the process and the machine: system information, the command line and an
//! allow-listed environment. Values are bounded and the home directory is shown as `~`;
//! secrets are removed afterwards by the redactor.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use crate::App;
use crate::redact::{MASK, is_secret_name};
use crate::report::{CommandLine, SystemInfo};

/// Environment variables worth knowing when diagnosing a failure.
const ALLOWED_ENV: &[&str] = &[
    "RUST_LOG",
    "RUST_BACKTRACE",
    "LANG",
    "LC_ALL",
    "TERM",
    "SHELL",
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_WORKFLOW",
    "RUNNER_OS",
    "IPFS_PATH",
];

/// Longest environment value or argument kept, in bytes (with the `…` that marks a cut).
const MAX_VALUE_BYTES: usize = 1024;

/// Marks a value cut at [`MAX_VALUE_BYTES`].
const CUT_MARK: &str = "…";

/// The system facts for `app`.
pub(crate) fn system_info(app: &App) -> SystemInfo {
    let cwd = std::env::current_dir()
        .map(|p| home_relative(&p.display().to_string()))
        .unwrap_or_default();
    SystemInfo {
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        app: app.name.clone(),
        app_version: app.version.clone(),
        rust_version: env!("AUTOHEAL_RUSTC_VERSION").to_string(),
        pid: std::process::id(),
        cwd,
        commit: app.build_commit.clone(),
        source_url: None,
    }
}

/// Where the program's source is browsed at the commit it was built from
/// (`https://github.com/OWNER/REPO/blob/COMMIT`): on the GitHub host of `api_url`
/// (`https://HOST/api/v3` is an Enterprise Server's; anything else is github.com), in the
/// program's own repository, else the one reports go to. `None` without a commit or a
/// repository.
pub(crate) fn source_url(app: &App, reported_to: Option<&str>, api_url: &str) -> Option<String> {
    let commit = app.build_commit.as_deref()?;
    let repository = app.repository.as_deref().or(reported_to)?;
    let host = api_url
        .trim_end_matches('/')
        .strip_suffix("/api/v3")
        .filter(|host| host.starts_with("https://"))
        .unwrap_or("https://github.com");
    Some(format!("{host}/{repository}/blob/{commit}"))
}

/// The process's command line: the program's file name and its arguments, as lossy UTF-8
/// (an argument that is not valid UTF-8 gets `�` in place of its bad bytes), each bounded,
/// the home directory shown as `~`.
pub(crate) fn command_line() -> CommandLine {
    command_line_from(std::env::args_os())
}

fn command_line_from(mut args: impl Iterator<Item = OsString>) -> CommandLine {
    let argv0 = args.next().unwrap_or_default();
    let program = Path::new(&argv0)
        .file_name()
        .unwrap_or(&argv0)
        .to_string_lossy()
        .into_owned();
    CommandLine {
        program,
        args: args
            .map(|arg| bounded(&home_relative(&arg.to_string_lossy())))
            .collect(),
    }
}

/// The allow-listed environment variables (a fixed list plus every variable starting with the
/// app's prefix), values bounded and the home directory shown as `~`; secret-looking names
/// are kept with the value `[REDACTED]`. Names or values that are not UTF-8 are read lossily.
pub(crate) fn allowed_env(app: &App) -> BTreeMap<String, String> {
    allowed_env_from(
        std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }),
        app,
    )
}

fn allowed_env_from(
    vars: impl Iterator<Item = (String, String)>,
    app: &App,
) -> BTreeMap<String, String> {
    vars.filter(|(name, _)| {
        ALLOWED_ENV.contains(&name.as_str())
            || (!app.env_prefix.is_empty() && name.starts_with(&app.env_prefix))
    })
    .map(|(name, value)| {
        let value = if is_secret_name(&name) {
            MASK.to_string()
        } else {
            bounded(&home_relative(&value))
        };
        (name, value)
    })
    .collect()
}

/// `value` cut to at most [`MAX_VALUE_BYTES`] bytes, the cut marked with `…`.
fn bounded(value: &str) -> String {
    if value.len() <= MAX_VALUE_BYTES {
        return value.to_string();
    }
    let mut cut = MAX_VALUE_BYTES - CUT_MARK.len();
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = value.get(..cut).unwrap_or_default().to_string();
    out.push_str(CUT_MARK);
    out
}

/// `text` with the home directory (`HOME`, or `USERPROFILE` on Windows) shown as `~`.
pub(crate) fn home_relative(text: &str) -> String {
    let home = std::env::var("HOME")
        .ok()
        .filter(|home| !home.is_empty())
        .or_else(|| std::env::var("USERPROFILE").ok());
    match home {
        Some(home) => replace_home(text, &home),
        None => text.to_string(),
    }
}

/// `text` with every whole-segment occurrence of `home` replaced by `~`.
fn replace_home(text: &str, home: &str) -> String {
    let home = home.trim_end_matches(['/', '\\']);
    if home.len() < 2 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(home) {
        let after = &rest[at + home.len()..];
        out.push_str(&rest[..at]);
        let continues_the_name =
            after.starts_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !continues_the_name {
            out.push('~');
        } else {
            out.push_str(home);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_directory_is_shown_as_tilde() {
        assert_eq!(
            replace_home("/home/alice/repo/pins.txt", "/home/alice"),
            "~/repo/pins.txt"
        );
        assert_eq!(replace_home("/home/alice", "/home/alice/"), "~");
        assert_eq!(
            replace_home("cd /home/alice && ls /home/alice/x", "/home/alice"),
            "cd ~ && ls ~/x"
        );
        assert_eq!(
            replace_home("/home/alicex/repo", "/home/alice"),
            "/home/alicex/repo",
            "only whole segments"
        );
        assert_eq!(replace_home("/x", "/"), "/x");
        assert_eq!(
            replace_home(r"C:\Users\bob\repo\pins.txt", r"C:\Users\bob\"),
            r"~\repo\pins.txt"
        );
    }

    #[test]
    fn the_command_line_keeps_the_program_name_only() {
        let line = command_line_from(
            ["/usr/local/bin/ipfs-kit", "mcp", "start", "--port", "8004"]
                .map(OsString::from)
                .into_iter(),
        );
        assert_eq!(line.program, "ipfs-kit");
        assert_eq!(line.args, ["mcp", "start", "--port", "8004"]);
        let relative = command_line_from([OsString::from("ipfs-kit")].into_iter());
        assert_eq!(relative.program, "ipfs-kit");
        assert!(relative.args.is_empty());
        assert_eq!(command_line_from(std::iter::empty()).program, "");
    }

    #[test]
    fn long_arguments_are_cut() {
        let line = command_line_from(
            [OsString::from("app"), OsString::from("é".repeat(3000))].into_iter(),
        );
        assert!(
            line.args[0].len() <= MAX_VALUE_BYTES,
            "{}",
            line.args[0].len()
        );
        assert!(line.args[0].ends_with(CUT_MARK) && line.args[0].starts_with("éé"));
    }

    #[cfg(unix)]
    #[test]
    fn arguments_that_are_not_utf8_are_read_lossily() {
        use std::os::unix::ffi::OsStringExt;
        let line = command_line_from(
            [
                OsString::from_vec(b"/bin/ap\xffp".to_vec()),
                OsString::from_vec(b"pin-\xfe\xff.txt".to_vec()),
            ]
            .into_iter(),
        );
        assert_eq!(line.program, "ap\u{fffd}p");
        assert_eq!(line.args, ["pin-\u{fffd}\u{fffd}.txt"]);
    }

    #[test]
    fn the_environment_is_allow_listed_and_secret_names_are_masked() {
        let app = App::new("ipfs_kit", "IPFS_KIT_", "1.0.0");
        let vars = [
            ("RUST_LOG", "debug"),
            ("PATH", "/usr/bin"),
            ("GITHUB_TOKEN", "ghp_secret"),
            ("IPFS_KIT_AUTO_HEAL", "true"),
            ("IPFS_KIT_API_TOKEN", "hunter2"),
            ("AWS_SECRET_ACCESS_KEY", "abc"),
            ("LANG", &"x".repeat(5000)),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let env = allowed_env_from(vars.into_iter(), &app);
        assert_eq!(env.get("RUST_LOG").map(String::as_str), Some("debug"));
        assert_eq!(
            env.get("IPFS_KIT_AUTO_HEAL").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            env.get("IPFS_KIT_API_TOKEN").map(String::as_str),
            Some("[REDACTED]")
        );
        assert!(
            !env.contains_key("PATH")
                && !env.contains_key("GITHUB_TOKEN")
                && !env.contains_key("AWS_SECRET_ACCESS_KEY")
        );
        assert!(env["LANG"].len() <= MAX_VALUE_BYTES && env["LANG"].ends_with(CUT_MARK));
    }

    #[test]
    fn system_facts_describe_this_process() {
        let info = system_info(&App::new("demo", "DEMO_", "2.3.4"));
        assert_eq!(
            (info.app.as_str(), info.app_version.as_str()),
            ("demo", "2.3.4")
        );
        assert_eq!(info.pid, std::process::id());
        assert!(
            info.rust_version.starts_with("rustc "),
            "{}",
            info.rust_version
        );
        assert!(!info.cwd.is_empty());
    }
}
