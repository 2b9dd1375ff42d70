//! The one-line setup: [`init!`](crate::init!) describes the program from what Cargo knows of
//! it, loads its configuration from every source and installs autoheal.

use crate::config::{App, Overrides};
use crate::{Config, Guard};

/// Set up reporting for this program in one line: its configuration from the environment and
/// its file, the panic hook and the background worker. Keep the returned [`Guard`] alive until
/// the program ends.
///
/// ```no_run
/// # fn run() -> std::io::Result<()> { Ok(()) }
/// use tracing_subscriber::prelude::*;
///
/// fn main() {
///     let _guard = autoheal::init!();
///     // Recent log lines travel with each report.
///     tracing_subscriber::registry().with(autoheal::layer()).init();
///     // ... run your #[auto_heal] functions ...
/// #   let _ = run();
/// }
/// ```
///
/// The program is described by Cargo: `CARGO_PKG_NAME` names it (its configuration lives in
/// `~/.<name>`, or `<PREFIX>CONFIG_DIR`), its environment prefix is made from that name
/// (`my-tool` reads `MY_TOOL_AUTO_HEAL`, `MY_TOOL_AUTO_HEAL_GITHUB_REPO`, ...),
/// `CARGO_PKG_VERSION` is its version, and Cargo.toml's `repository`, when it is a GitHub
/// address, is the repository reports go to. Any of them can be given instead, in any order:
///
/// ```no_run
/// let _guard = autoheal::init!(name = "pinctl", prefix = "PINCTL_", repository = "acme/pinctl");
/// ```
///
/// Reporting is on unless the user turns it off (`<PREFIX>AUTO_HEAL=false`, or
/// `"enabled": false` in the file): with `GITHUB_TOKEN` set, failures are filed as issues in
/// the repository; without it they wait in the local queue, and the reason says what is
/// missing. The repository is, highest first: `<PREFIX>AUTO_HEAL_GITHUB_REPO`, `github_repo`
/// in the file, the program's own, then `GITHUB_REPOSITORY` (which GitHub Actions sets to
/// whatever repository a job builds, so it never overrides the program's own).
///
/// A configuration that does not load (a malformed file, an invalid value) does not stop the
/// program: one `warning:` line on stderr says what is wrong, and reporting is off for that
/// run. For command-line flags, use the long form: [`Config::load`] with
/// [`Overrides`], then [`init`](crate::init()).
///
/// # Panics
///
/// When a `name` or `prefix` given to it is not valid (see [`App::try_new`]): written in the
/// program, it is wrong on every run, and the first one says so.
#[macro_export]
macro_rules! init {
    ($($option:ident = $value:expr),* $(,)?) => {
        $crate::setup!($($option = $value),*).init()
    };
}

/// The [`Setup`] [`init!`](crate::init!) starts from, with the same options, for a program
/// that needs its [`App`] before it installs autoheal: to run
/// `autoheal::commands` (the `clap` feature) for it, say, and to [`Setup::init`] only for the commands
/// whose failures it reports.
///
/// ```no_run
/// let setup = autoheal::setup!(manage_subcommand = "autoheal");
/// let app = setup.app().expect("a valid name and prefix");
/// # let _ = app;
/// let _guard = setup.init();
/// ```
#[macro_export]
macro_rules! setup {
    ($($option:ident = $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut __autoheal_setup = $crate::Setup::from_cargo(
            ::core::env!("CARGO_PKG_NAME"),
            ::core::env!("CARGO_PKG_VERSION"),
            ::core::env!("CARGO_PKG_REPOSITORY"),
        )
        .built_from(
            ::core::option_env!("AUTOHEAL_BUILD_COMMIT"),
            ::core::option_env!("GITHUB_REPOSITORY"),
            ::core::option_env!("GITHUB_SHA"),
        );
        $( __autoheal_setup = __autoheal_setup.$option($value); )*
        __autoheal_setup
    }};
}

/// The one-line setup's description of the program, before it is installed: what
/// [`setup!`](crate::setup!) returns and [`init!`](crate::init!) installs. Each method is one
/// of the macros' options.
#[derive(Clone, Debug)]
pub struct Setup {
    name: String,
    prefix: Option<String>,
    version: String,
    repository: Option<String>,
    command: Option<String>,
    manage_subcommand: Option<String>,
    build_commit: Option<String>,
}

impl Setup {
    /// The program as Cargo describes it.
    pub fn from_cargo(package_name: &str, version: &str, repository_url: &str) -> Self {
        Setup {
            name: package_name.to_string(),
            prefix: None,
            version: version.to_string(),
            repository: crate::config::github_repo_from_url(repository_url),
            command: None,
            manage_subcommand: None,
            build_commit: None,
        }
    }

    /// The commit the program was built from, from the build's environment: `commit`
    /// (`AUTOHEAL_BUILD_COMMIT`) when set; else, in GitHub Actions, `github_sha` when the job
    /// builds the program's own repository (`github_repository` is it). A job that builds
    /// another project (which installs this program, say) has that project's commit there.
    /// A value that is not a commit hash is left out.
    pub fn built_from(
        self,
        commit: Option<&str>,
        github_repository: Option<&str>,
        github_sha: Option<&str>,
    ) -> Self {
        let own_repository = |repo: &str| {
            self.repository
                .as_deref()
                .is_some_and(|own| own.eq_ignore_ascii_case(repo.trim()))
        };
        let commit = match (commit, github_repository, github_sha) {
            (Some(commit), _, _) if !commit.trim().is_empty() => Some(commit),
            (_, Some(repo), Some(sha)) if own_repository(repo) => Some(sha),
            _ => None,
        }
        // Not a commit hash: no links, rather than a program that cannot start.
        .filter(|commit| crate::config::is_commit_hash(commit));
        Setup {
            build_commit: commit.map(str::to_string),
            ..self
        }
    }

    /// `build_commit = "..."`: the commit the program was built from (see
    /// [`App::with_build_commit`]).
    pub fn build_commit(self, commit: impl Into<String>) -> Self {
        Setup {
            build_commit: Some(commit.into()),
            ..self
        }
    }

    /// `command = "..."`: the command users type (see [`App::with_command`]).
    pub fn command(self, command: impl Into<String>) -> Self {
        Setup {
            command: Some(command.into()),
            ..self
        }
    }

    /// `manage_subcommand = "..."`: the subcommand under which the program offers
    /// `commands` (with the `clap` feature; see [`App::with_manage_subcommand`]).
    pub fn manage_subcommand(self, subcommand: impl Into<String>) -> Self {
        Setup {
            manage_subcommand: Some(subcommand.into()),
            ..self
        }
    }

    /// `name = "..."`: the name, used in paths; the prefix follows it unless given.
    pub fn name(self, name: impl Into<String>) -> Self {
        Setup {
            name: name.into(),
            ..self
        }
    }

    /// `prefix = "..."`: the environment prefix, ending in `_`.
    pub fn prefix(self, prefix: impl Into<String>) -> Self {
        Setup {
            prefix: Some(prefix.into()),
            ..self
        }
    }

    /// `version = "..."`.
    pub fn version(self, version: impl Into<String>) -> Self {
        Setup {
            version: version.into(),
            ..self
        }
    }

    /// `repository = "owner/repo"`: the program's own repository.
    pub fn repository(self, repository: impl Into<String>) -> Self {
        Setup {
            repository: Some(repository.into()),
            ..self
        }
    }

    /// The application, checked.
    ///
    /// # Errors
    ///
    /// As [`App::try_new`] and [`App::with_repository`].
    pub fn app(&self) -> crate::Result<App> {
        let prefix = self
            .prefix
            .clone()
            .unwrap_or_else(|| crate::config::env_prefix_for(&self.name));
        let mut app = App::try_new(&self.name, prefix, &self.version)?.enabled_by_default(true);
        if let Some(command) = &self.command {
            app = app.with_command(command);
        }
        if let Some(subcommand) = &self.manage_subcommand {
            app = app.with_manage_subcommand(subcommand);
        }
        if let Some(commit) = &self.build_commit {
            app = app.with_build_commit(commit)?;
        }
        match &self.repository {
            Some(repository) => app.with_repository(repository),
            None => Ok(app),
        }
    }

    /// Load the configuration and install autoheal, as [`init!`](crate::init!) does.
    ///
    /// # Panics
    ///
    /// When [`Setup::app`] fails.
    #[allow(clippy::panic)]
    #[track_caller]
    pub fn init(self) -> Guard {
        let app = match self.app() {
            Ok(app) => app,
            Err(error) => panic!("autoheal::init!: {error}"),
        };
        match Config::load(app.clone(), &Overrides::new()) {
            Ok(loaded) => crate::init(loaded.config),
            Err(error) => {
                let message =
                    format!("warning: {error}; automatic error reporting is off for this run");
                eprintln!("{}", crate::Redactor::default().redact(&message));
                let mut config = Config::for_app(app);
                config.enabled = false;
                crate::init(config)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn commit_of(setup: Setup) -> Option<String> {
        setup.app().unwrap().build_commit
    }

    #[test]
    fn the_build_commit_comes_from_the_build_s_environment_for_the_program_s_own_repository() {
        let cargo = || Setup::from_cargo("my-tool", "1.0.0", "https://github.com/acme/my-tool");
        assert_eq!(
            commit_of(cargo().built_from(Some(SHA), None, None)),
            Some(SHA.into())
        );
        // GitHub Actions building the program's own repository.
        assert_eq!(
            commit_of(cargo().built_from(None, Some("Acme/My-Tool"), Some(SHA))),
            Some(SHA.into())
        );
        // Another project's job (installing the tool, say): its commit is not the program's.
        assert_eq!(
            commit_of(cargo().built_from(None, Some("someone/their-project"), Some(SHA))),
            None
        );
        // Not a commit hash: no links, and the program still starts.
        assert_eq!(
            commit_of(cargo().built_from(Some("main; rm -rf"), None, None)),
            None
        );
        assert_eq!(commit_of(cargo().built_from(None, None, None)), None);
        // Given in the program, a bad one is an error.
        assert!(cargo().build_commit("not-hex").app().is_err());
    }

    #[test]
    fn cargo_describes_the_program_and_each_option_replaces_one_part() {
        let setup = Setup::from_cargo("my-tool", "0.4.0", "https://github.com/acme/my-tool");
        let app = setup.app().unwrap();
        assert_eq!(
            (
                app.name.as_str(),
                app.env_prefix.as_str(),
                app.version.as_str()
            ),
            ("my-tool", "MY_TOOL_", "0.4.0")
        );
        assert_eq!(app.repository.as_deref(), Some("acme/my-tool"));
        assert!(
            app.enabled_by_default,
            "calling init! is the program's choice"
        );

        let renamed = Setup::from_cargo("my-tool", "0.4.0", "").name("pinctl");
        assert_eq!(renamed.app().unwrap().env_prefix, "PINCTL_");
        let app = renamed
            .prefix("PC_")
            .version("9")
            .repository("acme/pinctl")
            .app()
            .unwrap();
        assert_eq!(app.env_prefix, "PC_");
        assert_eq!(app.version, "9");
        assert_eq!(app.repository.as_deref(), Some("acme/pinctl"));
    }

    #[test]
    fn an_invalid_option_is_an_error_naming_it() {
        let bad = Setup::from_cargo("t", "1", "")
            .prefix("T")
            .app()
            .unwrap_err();
        assert!(bad.to_string().contains("does not end in `_`"), "{bad}");
        let bad = Setup::from_cargo("t", "1", "")
            .name("../t")
            .app()
            .unwrap_err();
        assert!(bad.to_string().contains("path separator"), "{bad}");
    }
}
