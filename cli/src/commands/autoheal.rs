//! `ipfs-kit autoheal enable | disable | status | config | queue`.

use anyhow::{Context as _, Result};
use autoheal::config::{KEYS, display_value, find_key};
use autoheal::{App, Config, ConfigFile, Overrides, Queue, Status};

use crate::args::{AutohealCommand, ConfigArgs, QueueAction};

/// Run a configuration command.
pub fn run(
    app: &App,
    overrides: &Overrides,
    repo_flag: Option<&str>,
    command: &AutohealCommand,
) -> Result<()> {
    match command {
        AutohealCommand::Enable => set_enabled(app, true, repo_flag),
        AutohealCommand::Disable => set_enabled(app, false, None),
        AutohealCommand::Status(args) => status(app, overrides, args.json),
        AutohealCommand::Config(args) => config(app, overrides, args),
        AutohealCommand::Queue(args) => queue(app, overrides, args.action.as_ref()),
        AutohealCommand::Flush => flush(app, overrides),
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

fn set_enabled(app: &App, enabled: bool, repo: Option<&str>) -> Result<()> {
    let mut file = open_for_update(app)?;
    let enabled_key = find_key("enabled")?;
    file.set(enabled_key, serde_json::Value::Bool(enabled));
    if let Some(repo) = repo {
        let repo_key = find_key("github_repo")?;
        file.set(repo_key, repo_key.parse_text(repo)?);
    }
    file.save()?;
    if !enabled {
        println!("Auto-healing disabled ({}).", file.path().display());
        return Ok(());
    }
    let loaded = Config::load(app.clone(), &Overrides::new())?;
    println!("Auto-healing enabled ({}).", file.path().display());
    match &loaded.config.github_repo {
        Some(repo) => println!("Failures will be reported to https://github.com/{repo}/issues."),
        None => println!(
            "No repository is set: reports wait in the local queue. Set one with `ipfs-kit autoheal enable --github-repo OWNER/REPO`."
        ),
    }
    if loaded.config.github_token.is_none() {
        println!(
            "No GitHub token is set: export GITHUB_TOKEN (a token with Issues: write on the repository) so reports can be filed."
        );
    }
    Ok(())
}

fn status(app: &App, overrides: &Overrides, json: bool) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let queue = Queue::for_config(&loaded.config);
    let status = Status::new(&loaded, queue.len(), queue.dropped());
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&status).context("formatting the status")?
        );
    } else {
        print!("{status}");
    }
    Ok(())
}

fn config(app: &App, overrides: &Overrides, args: &ConfigArgs) -> Result<()> {
    if let Some([name, value]) = args.set.as_deref() {
        let key = find_key(name)?;
        let parsed = key.parse_text(value)?;
        let mut file = open_for_update(app)?;
        file.set(key, parsed.clone());
        file.save()?;
        println!(
            "{name} = {} (saved in {})",
            display_value(&parsed),
            file.path().display()
        );
        return Ok(());
    }
    if let Some(name) = &args.unset {
        let key = find_key(name)?;
        let mut file = open_for_update(app)?;
        let was_set = file.unset(key.name);
        file.save()?;
        let default = key.value_of(&Config::for_app(app.clone()));
        match was_set {
            true => println!(
                "{name} removed from {}; it is back to its default, {}",
                file.path().display(),
                display_value(&default)
            ),
            false => println!(
                "{name} was not set in {}; its default is {}",
                file.path().display(),
                display_value(&default)
            ),
        }
        return Ok(());
    }
    let loaded = Config::load(app.clone(), overrides)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(name) = &args.get {
        let key = find_key(name)?;
        println!("{}", display_value(&key.value_of(&loaded.config)));
        return Ok(());
    }
    println!("# {}", loaded.file.display());
    for key in KEYS {
        let source = loaded
            .sources
            .get(key.name)
            .map_or("default".to_string(), ToString::to_string);
        println!(
            "{:<24} = {:<30} # {source}: {}",
            key.name,
            display_value(&key.value_of(&loaded.config)),
            key.doc
        );
    }
    let token = if loaded.config.github_token.is_some() {
        "set"
    } else {
        "not set"
    };
    println!(
        "{:<24} = {token:<30} # env: read from GITHUB_TOKEN or GH_TOKEN only, never stored",
        "github_token"
    );
    Ok(())
}

fn queue(app: &App, overrides: &Overrides, action: Option<&QueueAction>) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let queue = Queue::for_config(&loaded.config);
    if let Some(QueueAction::Clear { yes }) = action {
        return clear_queue(&queue, *yes);
    }
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
    }
    Ok(())
}

fn flush(app: &App, overrides: &Overrides) -> Result<()> {
    use std::io::IsTerminal as _;
    let loaded = Config::load(app.clone(), overrides)?;
    let on_terminal = std::io::stderr().is_terminal();
    let summary = autoheal::github::flush(&loaded.config, |done, total| {
        if on_terminal {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
        }
    })?;
    if on_terminal {
        eprintln!();
    }
    for url in &summary.reported {
        println!("reported: {url}");
    }
    for url in &summary.recurred {
        println!("recurred: {url}");
    }
    for path in &summary.unreadable {
        eprintln!(
            "warning: {} could not be read and was set aside",
            path.display()
        );
    }
    println!(
        "Flushed: {} new issue(s), {} recurrence(s), {} counted within the throttle window; {} report(s) still queued.",
        summary.reported.len(),
        summary.recurred.len(),
        summary.throttled,
        summary.remaining
    );
    match summary.stopped {
        Some(error) => Err(anyhow::Error::new(error).context("flushing stopped early")),
        None => Ok(()),
    }
}

fn clear_queue(queue: &Queue, yes: bool) -> Result<()> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    let count = queue.len();
    if count == 0 {
        println!("The queue is already empty.");
        return Ok(());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "refusing to delete {count} queued report(s) without confirmation; pass --yes"
            );
        }
        eprint!(
            "Delete {count} queued report(s) from {}? They will not be sent. [y/N] ",
            queue.dir().display()
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            println!("Nothing deleted.");
            return Ok(());
        }
    }
    let removed = queue.clear()?;
    println!("Deleted {removed} queued report(s).");
    Ok(())
}
