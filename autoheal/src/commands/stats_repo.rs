//! `stats --repo`: the auto-heal issues and fix pull requests of a GitHub repository summed up.

use super::StatsArgs;
use crate::config::{Overrides, find_key};
use crate::github::GitHubClient;
use crate::history::History;
use crate::stats::html::{Page, write_page};
use crate::stats::repo::{RepoOptions, RepoStats};
use crate::stats::{Stats, StatsOptions, parse_since};
use crate::{App, Config, Error, Result};

/// Print the figures of `repo` (empty: the configured repository).
pub(super) fn repo_stats(
    app: &App,
    overrides: &Overrides,
    repo: &str,
    args: &StatsArgs,
) -> Result<()> {
    let now = crate::history::now_ms();
    let since = args
        .since
        .as_deref()
        .map(|text| parse_since(text, now))
        .transpose()?;
    let mut config = Config::load(app.clone(), overrides)?.config;
    let manage = super::manage_command(app);
    let repo = match repo.trim() {
        "" => config.github_repo.clone().ok_or_else(|| Error::Command {
            message: format!(
                "no repository is configured: name one with --repo OWNER/REPO, or set it with `{manage} enable --github-repo OWNER/REPO`"
            ),
        })?,
        given => find_key("github_repo")?
            .parse_text(given)
            .map_err(|_| Error::Command {
                message: format!("--repo: `{given}` is not a repository; name one as OWNER/REPO"),
            })?
            .as_str()
            .unwrap_or(given)
            .to_string(),
    };
    if config.github_token.is_none() {
        return Err(Error::Command {
            message: format!(
                "reading {repo}'s issues needs a GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to one that can read its issues and pull requests"
            ),
        });
    }
    config.github_repo = Some(repo.clone());
    let client = GitHubClient::from_config(&config).ok_or_else(|| Error::Command {
        message: format!("no GitHub client could be made for {repo}"),
    })?;
    let label = config
        .issue_labels
        .first()
        .map_or("auto-heal", String::as_str);
    let options = RepoOptions::at(now)
        .since(since)
        .max_issues(args.max_issues);
    let stats = RepoStats::from_github(&client, label, &options)?;
    for reason in &stats.incomplete {
        eprintln!("warning: {reason}");
    }
    if let Some(path) = &args.html {
        // The page shows this machine's figures beside the repository's.
        let history = History::for_config(&config);
        let local = Stats::of_history(&history, &StatsOptions::at(now).since(since))?;
        let mut page = Page::from_local(&local, args.top);
        stats.put_charts(&mut page);
        write_page(&page, path)?;
        println!(
            "Wrote the stats page ({} issue(s) of {}, {} failure(s) on this machine) to {}.",
            stats.open_issues + stats.closed_issues,
            stats.repo,
            local.total,
            path.display()
        );
    } else if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&stats.to_json()).unwrap_or_default()
        );
    } else {
        print!("{}", stats.to_text(args.top));
    }
    Ok(())
}
