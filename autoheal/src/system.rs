//! Facts about the process and the machine. (Stub: being written.)

use std::collections::BTreeMap;

use crate::App;
use crate::report::{CommandLine, SystemInfo};

/// The system facts for `app`.
pub(crate) fn system_info(app: &App) -> SystemInfo {
    SystemInfo {
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        app: app.name.clone(),
        app_version: app.version.clone(),
        rust_version: String::new(),
        pid: std::process::id(),
        cwd: String::new(),
    }
}

/// The process's command line.
pub(crate) fn command_line() -> CommandLine {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args.next().unwrap_or_default();
    CommandLine {
        program,
        args: args.collect(),
    }
}

/// The allow-listed environment variables (values still to be redacted).
pub(crate) fn allowed_env(app: &App) -> BTreeMap<String, String> {
    let _ = app;
    BTreeMap::new()
}
