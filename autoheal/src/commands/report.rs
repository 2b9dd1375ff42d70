//! `preview` and `report-link`: what one report sends, and the link that files it by hand.

use std::io::IsTerminal as _;

use super::{PreviewArgs, ReportLinkArgs, WhichReport};
use crate::config::Overrides;
use crate::queue::{FoundReport, Which, find_report};
use crate::{App, Config, Error, Result};

/// Print the title, labels and body the report would be filed with: the same
/// [`outgoing_issue`](crate::issue::outgoing_issue) the GitHub sink sends. With `--json`, the
/// request's object itself.
pub(super) fn preview(app: &App, overrides: &Overrides, args: &PreviewArgs) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let config = &loaded.config;
    let found = find(config, &args.which)?;
    let draft = crate::issue::outgoing_issue(&found.report, config);
    if args.json {
        let request = serde_json::json!({
            "title": draft.title, "body": draft.body, "labels": draft.labels
        });
        println!("{}", serde_json::to_string(&request).unwrap_or_default());
        return Ok(());
    }
    println!("Title:  {}", draft.title);
    println!("Labels: {}", draft.labels.join(", "));
    println!();
    print!("{}", draft.body);
    if found.queued.is_none() {
        eprintln!(
            "note: this report does not wait in the queue on its own (it was sent, counted, or added to a waiting report of the same bug); shown as it was kept last"
        );
    }
    Ok(())
}

/// Print the new-issue link of a report; with `--open`, open it in the browser when standard
/// output is a terminal.
pub(super) fn report_link(app: &App, overrides: &Overrides, args: &ReportLinkArgs) -> Result<()> {
    let loaded = Config::load(app.clone(), overrides)?;
    let config = &loaded.config;
    let found = find(config, &args.which)?;
    let link = crate::issue::new_issue_link(&found.report, config)?;
    println!("{link}");
    if !args.open {
        return Ok(());
    }
    if !std::io::stdout().is_terminal() {
        eprintln!(
            "note: not opening the browser: standard output is not a terminal; the link is above"
        );
        return Ok(());
    }
    open_in_browser(&link)
}

fn find(config: &Config, which: &WhichReport) -> Result<FoundReport> {
    match (&which.trace_id, which.last) {
        (Some(trace_id), _) => find_report(config, Which::TraceId(trace_id)),
        (None, _) => find_report(config, Which::Last),
    }
}

/// Open `link` with the system's opener, as a process of its own.
fn open_in_browser(link: &str) -> Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener)
        .arg(link)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => {
            eprintln!("Opened the link in the browser.");
            Ok(())
        }
        Err(error) => Err(Error::Command {
            message: format!(
                "the browser could not be opened ({opener}: {error}); copy the link above instead"
            ),
        }),
    }
}
