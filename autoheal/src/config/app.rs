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
    ///
    /// A variable that is not valid UTF-8 counts as unset, as it does for [`Config::load`].
    ///
    /// [`Config::load`]: crate::Config::load
    pub fn default_config_dir(&self) -> PathBuf {
        self.config_dir_from(&|name| std::env::var(name).ok())
    }

    /// [`App::default_config_dir`] with the environment given as a lookup function, so the
    /// answer can be computed for an environment other than the process's own.
    pub fn config_dir_from(&self, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
        let set = |name: &str| env(name).filter(|value| !value.is_empty());
        if let Some(dir) = set(&self.env_var("CONFIG_DIR")) {
            return PathBuf::from(dir);
        }
        let home = set("HOME").map(PathBuf::from).unwrap_or_default();
        home.join(format!(".{}", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_dir_comes_from_the_prefixed_variable_then_home() {
        let app = App::new("ipfs_kit", "IPFS_KIT_", "1.0.0");
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let both = env(&[("IPFS_KIT_CONFIG_DIR", "/etc/kit"), ("HOME", "/home/u")]);
        assert_eq!(app.config_dir_from(&both), PathBuf::from("/etc/kit"));
        let home_only = env(&[("IPFS_KIT_CONFIG_DIR", ""), ("HOME", "/home/u")]);
        assert_eq!(
            app.config_dir_from(&home_only),
            PathBuf::from("/home/u/.ipfs_kit")
        );
        assert_eq!(app.config_dir_from(&env(&[])), PathBuf::from(".ipfs_kit"));
    }
}
