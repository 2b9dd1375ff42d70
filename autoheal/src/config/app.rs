//! The application a configuration belongs to: its name, environment prefix and version.

use std::path::PathBuf;

/// The application autoheal reports for.
///
/// The name picks the configuration directory (`~/.<name>`) and the prefix the environment
/// variables (`<PREFIX>AUTO_HEAL`, `<PREFIX>CONFIG_DIR`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// The application's name, as used in paths: `ipfs_kit`.
    pub name: String,
    /// Prefix of the application's environment variables: `IPFS_KIT_`.
    pub env_prefix: String,
    /// The application's version, usually `env!("CARGO_PKG_VERSION")`.
    pub version: String,
}

impl App {
    /// Describe an application.
    pub fn new(
        name: impl Into<String>,
        env_prefix: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        App {
            name: name.into(),
            env_prefix: env_prefix.into(),
            version: version.into(),
        }
    }

    /// The name of one of the application's environment variables: `env_var("AUTO_HEAL")`.
    pub fn env_var(&self, suffix: &str) -> String {
        format!("{}{}", self.env_prefix, suffix)
    }

    /// `<PREFIX>CONFIG_DIR` when set and not empty, else `$HOME/.<name>`, else `./.<name>`.
    pub fn default_config_dir(&self) -> PathBuf {
        if let Some(dir) = std::env::var_os(self.env_var("CONFIG_DIR")).filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .unwrap_or_default();
        home.join(format!(".{}", self.name))
    }
}
