//! What each command does: the configuration file, the status, the queue and the flush, in
//! words that name the program's own commands.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use super::{Command, ConfigArgs, QueueAction, manage_command};
use crate::config::{
    ConfigFile, DEFAULT_API_URL, KEYS, Loaded, Overrides, Source, Status, TOKEN_KEYS,
    display_value, find_key,
};
use crate::{App, Config, Error, Queue, Result};

/// Run `command` for `app`, with `overrides` (the program's own flags) above the environment
/// and the file. What it has to say goes to stdout, warnings to stderr.
///
/// # Errors
///
/// When the configuration does not load, a value is not valid ([`Error::InvalidConfig`]), a
/// file cannot be written, `queue clear` is not confirmed, or `flush` stops early.
pub fn run(app: &App, overrides: &Overrides, command: &Command) -> Result<()> {
    match command {
        // The program's own flag for the repository, given before the subcommand, counts too.
        Command::Enable(args) => set_enabled(
            app,
            true,
            args.github_repo.as_deref().or(overrides
                .value("github_repo")
                .and_then(serde_json::Value::as_str)),
        ),
        Command::Disable => set_enabled(app, false, None),
        Command::Status(args) => status(app, overrides, args.json),
        Command::Config(args) => config(app, overrides, args),
        Command::Queue(args) => queue(app, overrides, args.action.as_ref()),
        #[cfg(feature = "github")]
        Command::Flush => flush(app, overrides),
        Command::Preview(args) => super::report::preview(app, overrides, args),
        Command::ReportLink(args) => super::report::report_link(app, overrides, args),
        Command::Stats(args) => super::stats::stats(app, overrides, args),
    }
}

fn config_file(app: &App) -> std::path::PathBuf {
    Config::for_app(app.clone()).config_file()
}

/// Open the file for a change, saying so when a malformed file had to be set aside.
fn open_for_update(app: &App) -> Result<ConfigFile> {
    let (file, backup) = ConfigFile::load_for_update(&config_file(app))?;
    if let Some(backup) = backup {
        eprintln!(
            "warning: {} was not valid JSON; kept it as {} and started a new configuration",
            file.path().display(),
            backup.display()
        );
    }
    Ok(file)
}

/// Save the file, saying so when a token key found in it is dropped on the way.
fn save(file: &ConfigFile) -> Result<()> {
    let dropped = file.token_keys();
    file.save()?;
    if !dropped.is_empty() {
        eprintln!(
            "note: removed {} from {}: the GitHub token is read from the environment only (GITHUB_TOKEN)",
            dropped.join(", "),
            file.path().display()
        );
    }
    Ok(())
}

fn set_enabled(app: &App, enabled: bool, repo: Option<&str>) -> Result<()> {
    let enabled_key = find_key("enabled")?;
    let repo_key = find_key("github_repo")?;
    let repo = repo.map(|repo| repo_key.parse_text(repo)).transpose()?;
    let mut file = open_for_update(app)?;
    file.set(enabled_key, serde_json::Value::Bool(enabled));
    let mut changed = vec![enabled_key.name];
    if let Some(repo) = repo {
        file.set(repo_key, repo);
        changed.push(repo_key.name);
    }
    save(&file)?;
    let state = if enabled { "enabled" } else { "disabled" };
    println!("Auto-healing {state} ({}).", file.path().display());
    let Some(loaded) = reload_after_change(app, &changed) else {
        return Ok(());
    };
    if !enabled {
        return Ok(());
    }
    let config = &loaded.config;
    match &config.github_repo {
        Some(repo) if config.api_url == DEFAULT_API_URL => {
            println!("Failures will be reported to https://github.com/{repo}/issues.")
        }
        Some(repo) => println!(
            "Failures will be reported to {repo} through {}.",
            config.api_url
        ),
        None => println!(
            "No repository is set: reports wait in the local queue. Set one with `{} enable --github-repo OWNER/REPO`.",
            manage_command(app)
        ),
    }
    if config.github_token.is_none() {
        println!(
            "No GitHub token is set: export GITHUB_TOKEN (a token with Issues: write on the repository) so reports can be filed."
        );
    }
    Ok(())
}

/// Load the configuration as later runs will see it, after `changed` keys were saved: say
/// which of them the environment overrides, and warn (the change itself stands) when the
/// configuration does not load.
fn reload_after_change(app: &App, changed: &[&str]) -> Option<Loaded> {
    match Config::load(app.clone(), &Overrides::new()) {
        Ok(loaded) => {
            for name in changed {
                if loaded.sources.get(name) == Some(&Source::Env) {
                    let value = find_key(name)
                        .map(|key| display_value(&key.value_of(&loaded.config)))
                        .unwrap_or_default();
                    println!(
                        "note: the environment takes precedence over the file: {name} is {value} ({})",
                        loaded.origin(name)
                    );
                }
            }
            Some(loaded)
        }
        Err(error) => {
            eprintln!(
                "warning: saved, but the configuration does not load: {error}; fix it with `{} config --set KEY VALUE` or `--unset KEY`",
                manage_command(app)
            );
            None
        }
    }
}

fn status(app: &App, overrides: &Overrides, json: bool) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let queue = Queue::for_config(&loaded.config);
    let status = Status::new(&loaded, queue.len(), queue.dropped());
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
    } else {
        print!("{status}");
    }
    Ok(())
}

fn config(app: &App, overrides: &Overrides, args: &ConfigArgs) -> Result<()> {
    if let Some([name, value]) = args.set.as_deref() {
        return set(app, name, value);
    }
    if let Some(name) = &args.unset {
        return unset(app, name);
    }
    let loaded = Config::load(app.clone(), overrides)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(name) = &args.get {
        if name == "github_token" {
            println!("{}", token_state(&loaded));
            return Ok(());
        }
        let key = find_key(name)?;
        println!("{}", display_value(&key.value_of(&loaded.config)));
        return Ok(());
    }
    println!("# {}", loaded.file.display());
    for key in KEYS {
        println!(
            "{:<24} = {:<30} # {}: {}",
            key.name,
            display_value(&key.value_of(&loaded.config)),
            loaded.origin(key.name),
            key.doc
        );
    }
    println!(
        "{:<24} = {:<30} # env: read from GITHUB_TOKEN or GH_TOKEN only, never stored",
        "github_token",
        token_state(&loaded)
    );
    Ok(())
}

fn set(app: &App, name: &str, value: &str) -> Result<()> {
    let key = find_key(name)?;
    let parsed = key.parse_text(value)?;
    let mut file = open_for_update(app)?;
    file.set(key, parsed.clone());
    save(&file)?;
    println!(
        "{name} = {} (saved in {})",
        key.display(&parsed),
        file.path().display()
    );
    reload_after_change(app, &[key.name]);
    Ok(())
}

fn unset(app: &App, name: &str) -> Result<()> {
    if TOKEN_KEYS.contains(&name) {
        // A token has no business in the file: removing it is always allowed.
        let file = open_for_update(app)?;
        let found = file.token_keys();
        file.save()?;
        match found.is_empty() {
            true => println!(
                "{} holds no token; the token is read from GITHUB_TOKEN or GH_TOKEN only",
                file.path().display()
            ),
            false => println!(
                "removed {} from {}",
                found.join(", "),
                file.path().display()
            ),
        }
        return Ok(());
    }
    let key = find_key(name)?;
    let mut file = open_for_update(app)?;
    let was_set = file.unset(key.name);
    save(&file)?;
    let what = match was_set {
        true => format!("{name} removed from {}", file.path().display()),
        false => format!("{name} was not set in {}", file.path().display()),
    };
    match reload_after_change(app, &[]) {
        Some(loaded) => println!(
            "{what}; it is now {} ({})",
            display_value(&key.value_of(&loaded.config)),
            loaded.origin(key.name)
        ),
        None => println!("{what}"),
    }
    Ok(())
}

fn token_state(loaded: &Loaded) -> &'static str {
    match loaded.config.github_token {
        Some(_) => "set",
        None => "not set",
    }
}

fn queue(app: &App, overrides: &Overrides, action: Option<&QueueAction>) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let queue = Queue::for_config(&loaded.config);
    // Reports of runs that died before sending them become queued reports first.
    crate::queue::settle_abandoned_reports(&loaded.config);
    if let Some(QueueAction::Clear { yes }) = action {
        return clear_queue(&loaded.config, &queue, *yes);
    }
    print_notification_backlog(&loaded.config);
    let entries = queue.entries();
    if entries.is_empty() {
        println!("No reports are waiting in {}.", queue.dir().display());
        return Ok(());
    }
    println!(
        "{} report(s) waiting in {}:",
        entries.len(),
        queue.dir().display()
    );
    for entry in entries {
        let message: String = entry
            .message
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect();
        println!(
            "  {}  {}  {}: {message}",
            entry.timestamp, entry.trace_id, entry.error_type
        );
        if entry.occurrences > 1 {
            println!(
                "      happened {} times while it waited (one report for all)",
                entry.occurrences
            );
        }
        if let Some(reason) = &entry.rejected {
            println!("      refused by GitHub, not sent again: {reason}");
            continue;
        }
        match &entry.last_failure {
            Some(failure) => println!(
                "      attempts: {}, last failure: {failure}",
                entry.attempts
            ),
            None => println!("      attempts: 0 (not sent yet)"),
        }
    }
    Ok(())
}

/// The notifications that wait, and the last failure (redacted), when there are any.
fn print_notification_backlog(config: &Config) {
    let backlog = crate::notify::backlog(config);
    if backlog.waiting > 0 || backlog.given_up > 0 {
        println!(
            "{} notification(s) waiting, {} failing, {} given up after notify_max_attempts",
            backlog.waiting, backlog.failing, backlog.given_up
        );
    }
    if let Some(error) = &backlog.last_error {
        println!("  last notification failure: {error}");
    }
}

#[cfg(feature = "github")]
fn flush(app: &App, overrides: &Overrides) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let manage = manage_command(app);
    let config = &loaded.config;
    if config.privacy.confirm_before_send && !crate::confirm::on_terminal() {
        println!(
            "confirm_before_send is on and this is not a terminal: nothing was sent; {} report(s) stay queued. Run `{manage} flush` on a terminal to be asked, or `{manage} preview TRACE_ID` to see one.",
            Queue::for_config(config).len()
        );
        return Ok(());
    }
    let on_terminal = std::io::stderr().is_terminal();
    let ask = |path: &std::path::Path| {
        if !config.privacy.confirm_before_send {
            return true;
        }
        let Ok(report) = Queue::for_config(config).read(path) else {
            return true;
        };
        if on_terminal {
            eprintln!();
        }
        crate::confirm::ask_on_terminal(&crate::confirm::question(&report, config))
    };
    let summary = crate::github::flush_asking(
        config,
        |done, total| {
            if on_terminal && !config.privacy.confirm_before_send {
                let width = 30;
                let filled = done * width / total.max(1);
                eprint!(
                    "\r[{}{}] {done}/{total}",
                    "#".repeat(filled),
                    " ".repeat(width.saturating_sub(filled))
                );
            }
        },
        ask,
    )?;
    if on_terminal {
        eprintln!();
    }
    for url in &summary.reported {
        println!("reported: {url}");
    }
    for url in &summary.recurred {
        println!("recurred: {url}");
    }
    for (path, reason) in &summary.rejected {
        eprintln!(
            "warning: GitHub refused {} for good ({reason}); it stays queued, marked, and is not sent again (`{manage} queue clear` removes it)",
            path.display()
        );
    }
    let refused_before = Queue::for_config(&loaded.config)
        .entries()
        .into_iter()
        .filter(|e| e.rejected.is_some())
        .count()
        .saturating_sub(summary.rejected.len());
    if refused_before > 0 {
        eprintln!(
            "note: {refused_before} report(s) GitHub refused for good stay in the queue and were not sent again (`{manage} queue` shows why)"
        );
    }
    for path in &summary.unreadable {
        eprintln!(
            "warning: {} could not be read and was set aside",
            path.display()
        );
    }
    if summary.ignored > 0 {
        println!(
            "{} report(s) matched an ignore rule: dropped from the queue, counted, not sent.",
            summary.ignored
        );
    }
    if summary.not_confirmed > 0 {
        println!(
            "{} report(s) not confirmed: they stay queued.",
            summary.not_confirmed
        );
    }
    println!(
        "Flushed: {} new issue(s), {} recurrence(s), {} counted within the throttle window; {} report(s) still queued.",
        summary.reported.len(),
        summary.recurred.len(),
        summary.throttled,
        summary.remaining
    );
    let notified = &summary.notifications;
    if notified.sent > 0 || !notified.failed.is_empty() {
        println!(
            "Notified: {} sent; {} waiting.",
            notified.sent, notified.waiting
        );
    }
    for failure in &notified.failed {
        eprintln!("warning: a notification failed and waits for the next flush: {failure}");
    }
    match summary.stopped {
        Some(error) => Err(Error::Command {
            message: format!("flushing stopped early: {error}"),
        }),
        None => Ok(()),
    }
}

fn clear_queue(config: &Config, queue: &Queue, yes: bool) -> Result<()> {
    let count = queue.len();
    let given_up = crate::notify::backlog(config).given_up;
    if count == 0 && given_up == 0 {
        println!("The queue is already empty.");
        return Ok(());
    }
    let what = match (count, given_up) {
        (_, 0) => format!("{count} queued report(s)"),
        (0, _) => format!("{given_up} given-up notification(s)"),
        _ => format!("{count} queued report(s) and {given_up} given-up notification(s)"),
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Command {
                message: format!("refusing to delete {what} without confirmation; pass --yes"),
            });
        }
        eprint!(
            "Delete {what} from {}? They will not be sent. [y/N] ",
            config.config_dir.display()
        );
        let stdin = std::path::Path::new("standard input");
        std::io::stderr()
            .flush()
            .map_err(|e| Error::io("ask on", "standard error", e))?;
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| Error::io("read the answer from", stdin, e))?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            println!("Nothing deleted.");
            return Ok(());
        }
    }
    let removed = queue.clear()?;
    println!("Deleted {removed} queued report(s).");
    if given_up > 0 {
        let forgotten = crate::notify::forget_given_up(config)?;
        println!("Forgot {forgotten} notification(s) given up after notify_max_attempts.");
    }
    Ok(())
}
