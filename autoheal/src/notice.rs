//! What a program tells its user after a failure: where the report went, and what to do next.
//!
//! The same words for every program, naming that program's own commands: a command-line tool
//! prints [`after_failure`] on stderr once a command has failed, as ipfs-kit does.
//!
//! ```no_run
//! # fn run() -> Result<(), std::io::Error> { Ok(()) }
//! use std::process::ExitCode;
//!
//! fn main() -> ExitCode {
//!     let guard = autoheal::init!();
//!     match run() {
//!         Ok(()) => ExitCode::SUCCESS,
//!         Err(error) => {
//!             eprintln!("error: {error}");
//!             // "An error occurred and has been automatically reported.", the issue, ...
//!             autoheal::notice::print_after_failure(guard.config());
//!             ExitCode::FAILURE
//!         }
//!     }
//! }
//! ```
//!
//! The notices name the program by [`App::command`](crate::App::command); a program that
//! offers the `enable`, `status`, `queue` and `flush` commands under a subcommand of its own
//! says so with [`App::with_manage_subcommand`](crate::App::with_manage_subcommand), and the
//! notices name them. Otherwise they say what to set, and that the next run sends what waits.

use std::fmt::Write as _;
use std::time::Duration;

use crate::{Config, Delivery, Outcome};

/// Wait, bounded, for the background worker to finish with the last failure's report, then
/// say what became of it: filed (with the issue and trace ID), added to an existing issue,
/// queued (why, and how it will be sent), refused, counted, or not reported (and how to turn
/// reporting on). Empty when nothing was reported since autoheal was installed.
///
/// The wait is as long as one delivery may take: four requests, each bounded by
/// `timeout_secs`. A disabled configuration does not wait.
pub fn after_failure(config: &Config) -> String {
    Notice::new(config).after_failure()
}

/// [`after_failure`], printed on stderr; with `confirm_before_send` on a terminal, it then
/// asks whether to send the report (see [`Notice::print_after_failure`]).
pub fn print_after_failure(config: &Config) {
    Notice::new(config).print_after_failure();
}

/// A notice with more to say than [`after_failure`]: why reporting is off for this run.
#[derive(Clone, Debug)]
pub struct Notice<'a> {
    config: &'a Config,
    off_because: Option<String>,
}

impl<'a> Notice<'a> {
    /// The notice for `config`, the configuration the failed run used.
    pub fn new(config: &'a Config) -> Self {
        Notice {
            config,
            off_because: None,
        }
    }

    /// What turned reporting off for this run (`--no-auto-heal`, `env MY_TOOL_AUTO_HEAL`, a
    /// configuration error), said in the note when it is off.
    pub fn off_because(self, why: Option<impl Into<String>>) -> Self {
        Notice {
            off_because: why.map(Into::into),
            ..self
        }
    }

    /// Wait for the last failure's report as [`after_failure`] does, then [`Notice::render`]
    /// it.
    pub fn after_failure(&self) -> String {
        if !self.config.enabled {
            return self.render(None);
        }
        match self.settled() {
            Some(delivery) => self.render(Some(&delivery)),
            None => String::new(),
        }
    }

    /// [`Notice::after_failure`], printed on stderr. With `confirm_before_send`, a
    /// repository and a token, when standard input and standard error are terminals, it then
    /// shows the report's title and the size of what would be sent, and asks; `y` sends it
    /// at once, and anything else (the default) keeps it queued. Off a terminal it never
    /// asks: the report stays queued, for `flush` to ask later.
    pub fn print_after_failure(&self) {
        if !self.config.enabled {
            eprint!("{}", self.render(None));
            return;
        }
        let Some(delivery) = self.settled() else {
            return;
        };
        eprint!("{}", self.render(Some(&delivery)));
        #[cfg(feature = "github")]
        if let Outcome::Queued { path, reason } = &delivery.outcome
            && reason == crate::pipeline::CONFIRM_REASON
            && self.config.is_configured()
            && crate::confirm::on_terminal()
            && let Ok(report) = crate::Queue::for_config(self.config).read(path)
            && crate::confirm::ask_on_terminal(&crate::confirm::question(&report, self.config))
        {
            let outcome =
                crate::github::send_queued_report(self.config, path).unwrap_or_else(|error| {
                    Outcome::Failed {
                        reason: error.to_string(),
                    }
                });
            let sent = Delivery {
                outcome,
                ..delivery
            };
            eprint!("{}", self.render(Some(&sent)));
        }
    }

    /// Wait, bounded, for the last failure's report, and say what became of it.
    fn settled(&self) -> Option<Delivery> {
        crate::flush(Duration::from_secs(self.config.timeout_secs.max(1) * 4));
        crate::last_delivery()
    }

    /// The notice for `delivery`, without waiting: lines ending in `\n`.
    pub fn render(&self, delivery: Option<&Delivery>) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut text, delivery);
        text
    }

    fn write(&self, out: &mut String, delivery: Option<&Delivery>) -> std::fmt::Result {
        let config = self.config;
        let app = &config.app;
        if !config.enabled {
            let why = self
                .off_because
                .as_ref()
                .map(|by| format!(" ({by})"))
                .unwrap_or_default();
            return writeln!(
                out,
                "note: automatic error reporting is off{why}; {}",
                self.how_to_turn_on()
            );
        }
        let Some(delivery) = delivery else {
            return Ok(());
        };
        let trace_id = &delivery.trace_id;
        let manage = app.manage_command();
        match &delivery.outcome {
            Outcome::Reported { url, .. } => {
                writeln!(
                    out,
                    "An error occurred and has been automatically reported."
                )?;
                writeln!(out, "  Issue:    {url}")?;
                writeln!(out, "  Trace ID: {trace_id}")
            }
            Outcome::Recurred { url, .. } => {
                writeln!(
                    out,
                    "This error has been reported before; this occurrence was added to the existing issue."
                )?;
                writeln!(out, "  Issue:    {url}")?;
                writeln!(out, "  Trace ID: {trace_id}")
            }
            Outcome::Queued { path, reason } => {
                writeln!(
                    out,
                    "The error report was saved in the local queue: {reason}."
                )?;
                writeln!(out, "  Report:   {}", path.display())?;
                writeln!(out, "  Trace ID: {trace_id}")?;
                if let Some(link) = self.offered_link(path, reason) {
                    writeln!(
                        out,
                        "  File it yourself: this link opens GitHub's new-issue form with the report, redacted:"
                    )?;
                    writeln!(out, "  {link}")?;
                    if let Some(manage) = &manage {
                        writeln!(
                            out,
                            "  `{manage} report-link {trace_id}` prints it again; `{manage} preview {trace_id}` shows the whole report."
                        )?;
                    }
                }
                if reason == crate::pipeline::CONFIRM_REASON && config.is_configured() {
                    return match &manage {
                        Some(manage) => writeln!(
                            out,
                            "  `{manage} preview {trace_id}` shows what would be sent; `{manage} flush` asks before sending it."
                        ),
                        None => writeln!(out, "  It is sent once you say yes on a terminal."),
                    };
                }
                let when = match config.is_configured() {
                    true => "once GitHub can take it",
                    false => "once a repository and a token are both set",
                };
                match &manage {
                    Some(manage) => writeln!(out, "  `{manage} flush` sends it {when}."),
                    None => writeln!(out, "  The next run of {} sends it {when}.", app.command()),
                }
            }
            Outcome::Pending { path } => {
                writeln!(
                    out,
                    "The error report is still being sent; it waits in the local queue."
                )?;
                if let Some(path) = path {
                    writeln!(out, "  Report:   {}", path.display())?;
                }
                writeln!(out, "  Trace ID: {trace_id}")?;
                match &manage {
                    Some(manage) => {
                        writeln!(out, "  `{manage} flush` sends it if this run could not.")
                    }
                    None => writeln!(
                        out,
                        "  The next run of {} sends it if this run could not.",
                        app.command()
                    ),
                }
            }
            Outcome::Refused { path, reason } => {
                writeln!(out, "GitHub refused the error report: {reason}.")?;
                writeln!(out, "  Report:   {}", path.display())?;
                writeln!(out, "  Trace ID: {trace_id}")?;
                match &manage {
                    Some(manage) => writeln!(
                        out,
                        "  It stays in the local queue, marked, and is not sent again: `{manage} queue` shows it, `{manage} queue clear` removes it."
                    ),
                    None => writeln!(
                        out,
                        "  It stays in the local queue, marked, and is not sent again; deleting the file removes it."
                    ),
                }
            }
            Outcome::Throttled => writeln!(
                out,
                "This error was reported moments ago; this occurrence was counted (trace ID {trace_id})."
            ),
            Outcome::Disabled => writeln!(
                out,
                "note: automatic error reporting is off; {}",
                self.how_to_turn_on()
            ),
            Outcome::Ignored { rule } => writeln!(
                out,
                "This error was not reported: it matches {rule}; it was only counted on this machine (trace ID {trace_id})."
            ),
            Outcome::Failed { reason } => writeln!(
                out,
                "The error could not be reported: {reason} (trace ID {trace_id})."
            ),
        }
    }

    /// The new-issue link for the queued report in `path`, when the report waits for lack of a
    /// token, or because GitHub refused the token (401, 403), and a repository is set.
    fn offered_link(&self, path: &std::path::Path, reason: &str) -> Option<String> {
        let config = self.config;
        config.github_repo.as_ref()?;
        if config.github_token.is_some() && !credentials_refused(reason) {
            return None;
        }
        let report = crate::Queue::for_config(config).read(path).ok()?;
        crate::issue::new_issue_link(&report, config).ok()
    }

    /// How this program's user turns reporting on.
    fn how_to_turn_on(&self) -> String {
        let config = self.config;
        let variable = config.app.env_var("AUTO_HEAL");
        match config.app.manage_command() {
            Some(manage) if config.github_repo.is_some() => {
                format!("turn it on with `{manage} enable`")
            }
            Some(manage) => {
                format!("turn it on with `{manage} enable --github-repo OWNER/REPO`")
            }
            None => format!("turn it on with {variable}=true"),
        }
    }
}

/// Whether `reason` says GitHub refused the token: 401, or 403 without a rate limit.
fn credentials_refused(reason: &str) -> bool {
    #[cfg(feature = "github")]
    {
        use crate::github::GitHubError;
        reason == GitHubError::Unauthorized.to_string()
            || reason == GitHubError::NoAccess(403).to_string()
    }
    #[cfg(not(feature = "github"))]
    {
        let _ = reason;
        false
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::App;

    const TRACE_ID: &str = "93871e3fd2fa093e91e78fbbff80ccae";

    fn config(app: App, enabled: bool) -> Config {
        let mut config = Config::for_app(app);
        config.config_dir = PathBuf::from("/home/u/.pinctl");
        config.enabled = enabled;
        config
    }

    fn delivery(outcome: Outcome) -> Delivery {
        Delivery {
            trace_id: TRACE_ID.to_string(),
            fingerprint: String::new(),
            outcome,
        }
    }

    fn every_outcome() -> Vec<Outcome> {
        let path = PathBuf::from("/home/u/.pinctl/queue/1-report.json");
        vec![
            Outcome::Reported {
                url: "https://github.com/acme/pinctl/issues/7".to_string(),
                number: 7,
            },
            Outcome::Recurred {
                url: "https://github.com/acme/pinctl/issues/7".to_string(),
                number: 7,
            },
            Outcome::Queued {
                path: path.clone(),
                reason: "GitHub could not be reached".to_string(),
            },
            Outcome::Pending {
                path: Some(path.clone()),
            },
            Outcome::Refused {
                path,
                reason: "Validation Failed".to_string(),
            },
            Outcome::Throttled,
            Outcome::Disabled,
            Outcome::Failed {
                reason: "the disk is full".to_string(),
            },
        ]
    }

    #[test]
    fn every_notice_names_the_programs_own_commands() {
        let app = App::new("pinctl", "PINCTL_", "1.0.0")
            .with_command("pinctl")
            .with_manage_subcommand("report");
        let config = config(app, true);
        let text: String = every_outcome()
            .into_iter()
            .map(|o| Notice::new(&config).render(Some(&delivery(o))))
            .collect();
        assert!(!text.contains("ipfs-kit"), "{text}");
        assert!(!text.contains("autoheal "), "{text}");
        for expected in [
            "An error occurred and has been automatically reported.\n  Issue:    https://github.com/acme/pinctl/issues/7\n  Trace ID: 93871e3fd2fa093e91e78fbbff80ccae\n",
            "This error has been reported before; this occurrence was added to the existing issue.",
            "The error report was saved in the local queue: GitHub could not be reached.",
            "  `pinctl report flush` sends it once a repository and a token are both set.",
            "  `pinctl report flush` sends it if this run could not.",
            "`pinctl report queue` shows it, `pinctl report queue clear` removes it.",
            "reported moments ago; this occurrence was counted (trace ID 93871e3fd2fa093e91e78fbbff80ccae)",
            "note: automatic error reporting is off; turn it on with `pinctl report enable --github-repo OWNER/REPO`",
            "The error could not be reported: the disk is full (trace ID 93871e3fd2fa093e91e78fbbff80ccae).",
        ] {
            assert!(text.contains(expected), "{expected}\nin\n{text}");
        }
    }

    #[test]
    fn a_program_without_management_commands_is_told_what_happens_and_what_to_set() {
        let app = App::new("pinctl", "PINCTL_", "1.0.0").with_command("pinctl");
        let mut configured = config(app.clone(), true);
        configured.github_repo = Some("acme/pinctl".to_string());
        configured.github_token = Some(crate::Token::new("ghp_x"));
        let text: String = every_outcome()
            .into_iter()
            .map(|o| Notice::new(&configured).render(Some(&delivery(o))))
            .collect();
        assert!(!text.contains("ipfs-kit") && !text.contains('`'), "{text}");
        assert!(
            text.contains("  The next run of pinctl sends it once GitHub can take it."),
            "{text}"
        );
        assert!(text.contains("deleting the file removes it"), "{text}");
        let off = Notice::new(&config(app, false))
            .off_because(Some("env PINCTL_AUTO_HEAL"))
            .render(None);
        assert_eq!(
            off,
            "note: automatic error reporting is off (env PINCTL_AUTO_HEAL); turn it on with PINCTL_AUTO_HEAL=true\n"
        );
    }

    #[test]
    fn nothing_is_said_when_nothing_was_reported() {
        let config = config(App::new("pinctl", "PINCTL_", "1"), true);
        assert_eq!(Notice::new(&config).render(None), "");
    }
}
