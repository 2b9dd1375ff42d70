//! `stats`: the local history summed up, as text, JSON or an HTML page.

use super::StatsArgs;
use crate::config::Overrides;
use crate::history::History;
use crate::stats::{Stats, StatsOptions, parse_since};
use crate::{App, Config, Result};

/// Print the stats of `app`'s history on this machine.
pub(super) fn stats(app: &App, overrides: &Overrides, args: &StatsArgs) -> Result<()> {
    #[cfg(feature = "github")]
    if let Some(repo) = &args.repo {
        return super::stats_repo::repo_stats(app, overrides, repo, args);
    }
    let now = crate::history::now_ms();
    // Checked before anything is read: a mistyped --since is the user's to fix first.
    let since = args
        .since
        .as_deref()
        .map(|text| parse_since(text, now))
        .transpose()?;
    let loaded = Config::load(app.clone(), overrides)?;
    let history = History::for_config(&loaded.config);
    let stats = Stats::of_history(&history, &StatsOptions::at(now).since(since))?;
    if let Some(path) = &args.html {
        let page = crate::stats::html::Page::from_local(&stats, args.top);
        crate::stats::html::write_page(&page, path)?;
        println!(
            "Wrote the stats page ({} failure(s) of {} kind(s)) to {}.",
            stats.total,
            stats.failures.len(),
            path.display()
        );
    } else if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&stats.to_json()).unwrap_or_default()
        );
    } else if stats.total == 0 && stats.skipped == 0 {
        let span = match &args.since {
            Some(since) => format!(" since {since}"),
            None => String::new(),
        };
        println!(
            "No failures recorded{span} in {}.",
            history.path().display()
        );
    } else {
        print!("{}", stats.to_text(args.top));
    }
    Ok(())
}
