//! The application a configuration belongs to: its name, environment prefix, version and own
//! repository, checked so that none of them can send a file or a report somewhere unexpected.

use std::path::PathBuf;

use crate::{Error, Result};

/// The application autoheal reports for.
///
/// The name picks the configuration directory (`~/.<name>`) and the prefix the environment
/// variables (`<PREFIX>AUTO_HEAL`, `<PREFIX>CONFIG_DIR`, `<PREFIX>AUTO_HEAL_GITHUB_REPO`).
/// Both are checked when the `App` is made ([`App::try_new`]): a name that could lead out of
/// the application's own directory, or a prefix that would run into the variable names, is an
/// error, not a surprise later.
///
/// `#[non_exhaustive]`: made with [`App::try_new`] or [`App::new`] only, so every `App` was
/// checked; later releases may add fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct App {
    /// The application's name, as used in paths: `ipfs_kit`.
    pub name: String,
    /// Prefix of the application's environment variables: `IPFS_KIT_`.
    pub env_prefix: String,
    /// The application's version, usually `env!("CARGO_PKG_VERSION")`.
    pub version: String,
    /// The application's own repository (`owner/repo`), built into the program: reports go
    /// there unless the user chose another one. `GITHUB_REPOSITORY`, which GitHub Actions sets
    /// to whatever repository a job builds, never overrides it. See [`App::with_repository`].
    pub repository: Option<String>,
    /// Whether reporting is on when neither the user's file nor the environment says
    /// (`enabled`'s default): off for [`App::new`], on for [`init!`](crate::init!), whose
    /// call is the program's choice to report. See [`App::enabled_by_default`].
    pub enabled_by_default: bool,
    /// The command users type to run the program (`ipfs-kit`), named in the messages they
    /// read; `None` for the name the program was started with. See [`App::command`].
    pub command: Option<String>,
    /// The subcommand under which the program offers autoheal's `enable`, `status`, `queue`
    /// and `flush` commands (`autoheal` for `ipfs-kit autoheal flush`), if it offers them.
    pub manage_subcommand: Option<String>,
    /// The commit the program was built from (hex), when the build said: reports link their
    /// in-app frames to those lines on GitHub. See [`App::with_build_commit`].
    pub build_commit: Option<String>,
}

/// Whether `text` is a commit hash: 7 to 40 hexadecimal digits (surrounding blanks aside).
pub(crate) fn is_commit_hash(text: &str) -> bool {
    let text = text.trim();
    (7..=40).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit())
}

impl App {
    /// Describe an application, checking its name and environment prefix.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidApp`] naming the problem: an empty name, a name with a path separator,
    /// `..` or a character other than letters, digits, `-`, `_` and `.` (the name becomes the
    /// directory `~/.<name>`, which must stay where it is); a prefix that does not end in `_`
    /// or holds a character not valid in an environment variable's name.
    pub fn try_new(
        name: impl Into<String>,
        env_prefix: impl Into<String>,
        version: impl Into<String>,
    ) -> Result<Self> {
        let app = App {
            name: name.into(),
            env_prefix: env_prefix.into(),
            version: version.into(),
            repository: None,
            enabled_by_default: false,
            command: None,
            manage_subcommand: None,
            build_commit: None,
        };
        app.validate()?;
        Ok(app)
    }

    /// Describe an application whose name and prefix are written in the program.
    ///
    /// # Panics
    ///
    /// When [`App::try_new`] would return an error: a name or prefix written in the program is
    /// wrong on every run, and the first run says so. Use [`App::try_new`] for values read at
    /// run time.
    #[allow(clippy::panic)]
    #[track_caller]
    pub fn new(
        name: impl Into<String>,
        env_prefix: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        match App::try_new(name, env_prefix, version) {
            Ok(app) => app,
            Err(error) => panic!("{error}"),
        }
    }

    /// The application described by Cargo: its package name, an environment prefix made from
    /// it (`my-tool` gives `MY_TOOL_`), its version, and its repository when Cargo.toml's
    /// `repository` is a GitHub address. What [`init!`](crate::init!) starts from.
    ///
    /// # Errors
    ///
    /// As [`App::try_new`]; a package name Cargo accepts always passes.
    pub fn from_cargo(package_name: &str, version: &str, repository_url: &str) -> Result<Self> {
        let prefix = env_prefix_for(package_name);
        let app = App::try_new(package_name, prefix, version)?;
        Ok(match github_repo_from_url(repository_url) {
            Some(repo) => App {
                repository: Some(repo),
                ..app
            },
            None => app,
        })
    }

    /// The program's own repository, as `owner/repo` or `https://github.com/owner/repo`.
    ///
    /// It sits below the user's choices (a flag, `<PREFIX>AUTO_HEAL_GITHUB_REPO`, the file)
    /// and above `GITHUB_REPOSITORY`: a tool run in another project's CI still reports to its
    /// own tracker.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidApp`] when `repository` is neither form.
    pub fn with_repository(self, repository: &str) -> Result<Self> {
        let repo = github_repo_from_url(repository).unwrap_or_else(|| repository.to_string());
        super::validate::repo(&repo).map_err(|message| Error::InvalidApp {
            message: format!("the application's repository: {message}"),
        })?;
        Ok(App {
            repository: Some(repo),
            ..self
        })
    }

    /// The commit the program was built from: reports then link each of their in-app frames
    /// to its line in the program's repository at that commit
    /// (`https://github.com/OWNER/REPO/blob/COMMIT/src/main.rs#L42`). [`init!`](crate::init!)
    /// takes it from `AUTOHEAL_BUILD_COMMIT` at build time (or GitHub Actions' `GITHUB_SHA`,
    /// when the job builds the program's own repository).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidApp`] unless `commit` is 7 to 40 hexadecimal digits.
    pub fn with_build_commit(self, commit: &str) -> Result<Self> {
        let commit = commit.trim();
        if !is_commit_hash(commit) {
            return Err(Error::InvalidApp {
                message: format!(
                    "the build commit {commit:?} is not a commit hash (7 to 40 hexadecimal digits)"
                ),
            });
        }
        Ok(App {
            build_commit: Some(commit.to_ascii_lowercase()),
            ..self
        })
    }

    /// Report failures unless the user turns reporting off, rather than only once they turn
    /// it on.
    pub fn enabled_by_default(self, enabled: bool) -> Self {
        App {
            enabled_by_default: enabled,
            ..self
        }
    }

    /// The command users type to run the program, named in the messages they read: `pinctl`.
    pub fn with_command(self, command: impl Into<String>) -> Self {
        App {
            command: Some(command.into()),
            ..self
        }
    }

    /// The program offers autoheal's `enable`, `status`, `queue` and `flush` commands under
    /// this subcommand (`autoheal`): the notices tell the user to run them.
    pub fn with_manage_subcommand(self, subcommand: impl Into<String>) -> Self {
        App {
            manage_subcommand: Some(subcommand.into()),
            ..self
        }
    }

    /// The command that runs the program: the one given with [`App::with_command`], else the
    /// file name the process was started with, else the application's name.
    pub fn command(&self) -> String {
        if let Some(command) = &self.command {
            return command.clone();
        }
        std::env::args_os()
            .next()
            .as_deref()
            .map(std::path::Path::new)
            .and_then(std::path::Path::file_stem)
            .and_then(|stem| stem.to_str())
            .filter(|stem| !stem.is_empty())
            .map_or_else(|| self.name.clone(), str::to_string)
    }

    /// The command that manages reporting (`ipfs-kit autoheal`), when the program offers one.
    pub fn manage_command(&self) -> Option<String> {
        self.manage_subcommand
            .as_ref()
            .map(|sub| format!("{} {sub}", self.command()))
    }

    /// Check the name and prefix, as [`App::try_new`] does. A configuration is loaded only for
    /// an `App` that passes, whoever changed its fields since.
    ///
    /// # Errors
    ///
    /// As [`App::try_new`].
    pub fn validate(&self) -> Result<()> {
        let invalid = |message: String| Err(Error::InvalidApp { message });
        let name = &self.name;
        if name.is_empty() {
            return invalid(
                "the application name is empty; it names the configuration directory (~/.<name>)"
                    .to_string(),
            );
        }
        if let Some(separator) = name.chars().find(|c| matches!(c, '/' | '\\')) {
            return invalid(format!(
                "the application name `{name}` contains the path separator `{separator}`; it names the configuration directory (~/.<name>), which must not lead elsewhere"
            ));
        }
        if name.contains("..") {
            return invalid(format!(
                "the application name `{name}` contains `..`; it names the configuration directory (~/.<name>), which must not lead elsewhere"
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return invalid(format!(
                "the application name `{}` contains {bad:?}; use letters, digits, `-`, `_` and `.`",
                name.escape_debug()
            ));
        }
        if name.starts_with('.') {
            return invalid(format!(
                "the application name `{name}` starts with `.`; the directory is already ~/.<name>"
            ));
        }
        if name.len() > 64 {
            return invalid(format!(
                "the application name `{name}` is longer than 64 characters"
            ));
        }
        let prefix = &self.env_prefix;
        if let Some(bad) = prefix
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return invalid(format!(
                "the environment prefix `{}` contains {bad:?}, which is not valid in an environment variable's name; use letters, digits and `_`",
                prefix.escape_debug()
            ));
        }
        if prefix.starts_with(|c: char| c.is_ascii_digit()) {
            return invalid(format!(
                "the environment prefix `{prefix}` starts with a digit, which an environment variable's name cannot"
            ));
        }
        if !prefix.ends_with('_') {
            let example = format!("{prefix}_");
            return invalid(format!(
                "the environment prefix `{prefix}` does not end in `_`: its variables would be `{prefix}AUTO_HEAL`; use `{example}`"
            ));
        }
        Ok(())
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

/// `my-tool` → `MY_TOOL_`: a package name as an environment prefix.
pub(crate) fn env_prefix_for(package_name: &str) -> String {
    let mut prefix: String = package_name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() => c.to_ascii_uppercase(),
            _ => '_',
        })
        .collect();
    if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        prefix.insert(0, '_');
    }
    prefix.push('_');
    prefix
}

/// `owner/repo` from `https://github.com/owner/repo` (with or without `.git` or a trailing
/// `/`); `None` for anything else, an empty text among them.
pub(crate) fn github_repo_from_url(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://github.com/")
        .or_else(|| url.trim().strip_prefix("http://github.com/"))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let repo = rest.to_string();
    super::validate::repo(&repo).ok().map(|()| repo)
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

    fn error(name: &str, prefix: &str) -> String {
        App::try_new(name, prefix, "1.0.0").unwrap_err().to_string()
    }

    #[test]
    fn a_name_that_could_leave_the_app_directory_is_refused_with_its_reason() {
        assert!(error("", "APP_").contains("the application name is empty"));
        for (name, separator) in [("../x", "`/`"), ("a/b", "`/`"), ("a\\b", "`\\`")] {
            let text = error(name, "APP_");
            assert!(
                text.contains("path separator") && text.contains(separator),
                "{name}: {text}"
            );
        }
        assert!(error("..", "APP_").contains("contains `..`"));
        assert!(error("x..y", "APP_").contains("contains `..`"));
        assert!(error("my app", "APP_").contains("' '"));
        assert!(error("a\0b", "APP_").contains("'\\0'"));
        assert!(error(".hidden", "APP_").contains("starts with `.`"));
        for good in ["ipfs_kit", "my-tool", "tool.v2", "T0"] {
            assert!(App::try_new(good, "APP_", "1").is_ok(), "{good}");
        }
    }

    #[test]
    fn a_prefix_must_end_in_an_underscore_and_be_a_variable_name() {
        let text = error("pinctl", "PINCTL");
        assert!(
            text.contains("does not end in `_`") && text.contains("use `PINCTL_`"),
            "{text}"
        );
        assert!(error("pinctl", "").contains("does not end in `_`"));
        assert!(error("pinctl", "PIN-CTL_").contains("'-'"));
        assert!(error("pinctl", "PIN CTL_").contains("' '"));
        assert!(error("pinctl", "9PIN_").contains("starts with a digit"));
        assert!(App::try_new("pinctl", "PINCTL_", "1").is_ok());
        assert!(App::try_new("pinctl", "pinctl_", "1").is_ok());
    }

    #[test]
    #[should_panic(expected = "does not end in `_`")]
    fn new_panics_with_the_same_message() {
        let _ = App::new("pinctl", "PINCTL", "1");
    }

    #[test]
    fn cargo_gives_the_name_a_prefix_and_a_github_repository() {
        let app = App::from_cargo("my-tool", "0.3.1", "https://github.com/acme/my-tool").unwrap();
        assert_eq!(app.name, "my-tool");
        assert_eq!(app.env_prefix, "MY_TOOL_");
        assert_eq!(app.version, "0.3.1");
        assert_eq!(app.repository.as_deref(), Some("acme/my-tool"));
        let app = App::from_cargo("t", "1", "https://gitlab.com/acme/t").unwrap();
        assert_eq!(app.repository, None);
        assert_eq!(App::from_cargo("t", "1", "").unwrap().repository, None);
        assert_eq!(
            github_repo_from_url("https://github.com/acme/t.git/").as_deref(),
            Some("acme/t")
        );
        assert_eq!(github_repo_from_url("https://github.com/acme"), None);
    }

    #[test]
    fn a_built_in_repository_is_checked() {
        let app = App::new("t", "T_", "1");
        let with = app.clone().with_repository("acme/tools").unwrap();
        assert_eq!(with.repository.as_deref(), Some("acme/tools"));
        let from_url = app
            .clone()
            .with_repository("https://github.com/acme/tools")
            .unwrap();
        assert_eq!(from_url.repository.as_deref(), Some("acme/tools"));
        let text = app.with_repository("not a repo").unwrap_err().to_string();
        assert!(text.contains("the application's repository"), "{text}");
    }
}
