//! The last report made on this machine, for diagnosing "the last failure" offline.
//!
//! The pipeline keeps a copy of every report it builds (redacted, like every report) in
//! `config_dir/last_report.json`, written whole or not at all, readable by the owner only,
//! whatever the sink then does with it: queued reports are removed once delivered, but the
//! last one stays here until the next failure replaces it.

use std::path::PathBuf;

use crate::{Config, Error, Report, Result};

/// The file name of the last report, in the configuration directory.
pub const LAST_REPORT_FILE: &str = "last_report.json";

/// Where the last report of `config`'s application is kept.
pub fn last_report_path(config: &Config) -> PathBuf {
    config.config_dir.join(LAST_REPORT_FILE)
}

/// The last report made with `config` (by any process of the application), if any.
///
/// # Errors
///
/// When the file exists but cannot be read or is not a report.
pub fn last_report(config: &Config) -> Result<Option<Report>> {
    let path = last_report_path(config);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(Error::io("read the last report", path, error)),
    };
    Report::from_json_file(&path, &text).map(Some)
}

/// Keep `report` as the last one. Failures are returned for the pipeline's debug channel; they
/// never reach the host program.
///
/// Written whole but without waiting for the disk: this runs on the failing thread for every
/// report, and a power loss may cost the latest copy, never half of one.
pub(crate) fn remember(config: &Config, report: &Report) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
    crate::durable::replace_cache_file(&last_report_path(config), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::App;

    fn config(dir: &std::path::Path) -> Config {
        let mut config = Config::for_app(App::new("app", "APP_", "0.1.0"));
        config.config_dir = dir.join("config");
        config
    }

    #[test]
    fn the_last_report_is_kept_privately_and_replaced_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        assert!(last_report(&config).unwrap().is_none());
        let mut report = crate::report::sample();
        remember(&config, &report).unwrap();
        report.trace_id = "f".repeat(32);
        remember(&config, &report).unwrap();
        assert_eq!(last_report(&config).unwrap(), Some(report));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(last_report_path(&config))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_file_is_an_error_not_a_report() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        std::fs::create_dir_all(&config.config_dir).unwrap();
        std::fs::write(last_report_path(&config), "{ nope").unwrap();
        let error = last_report(&config).unwrap_err();
        assert!(error.to_string().contains("last_report.json:1:"), "{error}");
    }
}
