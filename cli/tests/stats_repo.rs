//! `ipfs-kit autoheal stats --repo`: the auto-heal issues and fix pull requests of a
//! repository, read from (the fake) GitHub with their history, summed up; every figure of
//! `--json` checked against the seed, the terminal's main lines, the bounds, a rate limit
//! mid-way and a refused token.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::Sandbox;
use fake_github::{FakeGitHub, Fault, FaultRule, PastComment, PastIssue, PastPull};
use serde_json::{Value, json};

const TOKEN: &str = "ghp_StatsRepoTestToken0123456789abcdefg";
const REPO: &str = "acme/tools";
const DAY: u64 = 86_400;
const HOUR: u64 = 3_600;
/// The bulk of issues seeded beyond the hand-made ones: more than a page of 100.
const BULK: usize = 100;

fn recurrence(times: u64) -> String {
    let times = match times {
        1 => "once more".to_string(),
        n => format!("{n} more times"),
    };
    format!(
        "This failure happened again — {times} since the last update.\n\n- Trace ID: `0123abcd`\n- Time: 2026-11-01T08:00:00Z\n- Version: ipfs-kit 0.1.0\n"
    )
}

fn diagnosis(rule: &str, handoff: Option<&str>) -> String {
    let mut body = format!(
        "<!-- autoheal:fix -->\n### Diagnosis: something\n\n**Cause:** a cause\n\n**Confidence:** high · rule `{rule}`\n\n<sub>Diagnosed by autoheal from the report in this issue.</sub>\n"
    );
    if let Some(outcome) = handoff {
        body.push_str(&format!(
            "\n<!-- autoheal:copilot={outcome} -->\n**Copilot:** no rule recognises this failure.\n<!-- autoheal:copilot-end -->\n"
        ));
    }
    body
}

/// The seeded repository, its times measured from `start`.
struct Seeded {
    github: FakeGitHub,
    start: SystemTime,
    /// The issue numbers: config, env, net, panic, cache, regression.
    numbers: [u64; 6],
}

impl Seeded {
    fn at(&self, secs: u64) -> SystemTime {
        self.start + Duration::from_secs(secs)
    }
}

/// Twenty days of history (see the figures in `every_figure_matches_the_seed`):
/// - #config: closed after 2 days; recurred once, its fix merged after 36 h, then it recurred
///   3 more times (a fix that did not hold); rule file-not-found.
/// - #env: closed after 4 days; recurred twice before its fix merged; rule missing-env-var.
/// - #net: open; unrecognised, handed to Copilot (accepted); an open fix pull request; an
///   outsider's forged diagnosis comment that must not count.
/// - #panic: open; unrecognised, hand-off refused; recurred once (an outsider's report); its fix
///   closed unmerged.
/// - #cache: closed after 3 days, its fix merged; then a regression of it filed.
/// - #regression: open, a regression of #cache whose report waited while it happened twice more.
/// - 100 more open issues, no comments.
fn seed() -> Seeded {
    let github = FakeGitHub::start();
    github.expect_token(TOKEN);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = UNIX_EPOCH + Duration::from_secs(now - 20 * DAY);
    let seeded = Seeded {
        github,
        start,
        numbers: [0; 6],
    };
    let at = |secs| seeded.at(secs);
    let issue = |title: &str, created| PastIssue::new(title, at(created)).labels(&["auto-heal"]);
    let g = &seeded.github;
    let config = g.seed_past_issue(
        REPO,
        issue("[auto-heal] io: config missing", 0)
            .comment(PastComment::new(&recurrence(1), at(DAY)))
            .comment(PastComment::new(
                &diagnosis("file-not-found", None),
                at(DAY + HOUR),
            ))
            .comment(PastComment::new(&recurrence(3), at(DAY + 20 * HOUR)))
            .closed_at(at(2 * DAY)),
    );
    let env = g.seed_past_issue(
        REPO,
        issue("[auto-heal] env: DATABASE_URL missing", DAY)
            .comment(PastComment::new(
                &diagnosis("missing-env-var", None),
                at(DAY + HOUR),
            ))
            .comment(PastComment::new(&recurrence(2), at(2 * DAY)))
            .closed_at(at(5 * DAY)),
    );
    let net = g.seed_past_issue(
        REPO,
        issue("[auto-heal] net: connection refused", 2 * DAY)
            .comment(PastComment::new(
                &diagnosis("unrecognised", Some("accepted")),
                at(2 * DAY + HOUR),
            ))
            .comment(
                PastComment::new(&diagnosis("forged-rule", Some("refused")), at(3 * DAY))
                    .by("mallory", "NONE"),
            ),
    );
    let panic = g.seed_past_issue(
        REPO,
        issue("[auto-heal] panic: index out of bounds", 2 * DAY)
            .comment(PastComment::new(
                &diagnosis("unrecognised", Some("refused")),
                at(2 * DAY + HOUR),
            ))
            .comment(PastComment::new(&recurrence(1), at(3 * DAY)).by("end-user", "NONE")),
    );
    let cache = g.seed_past_issue(
        REPO,
        issue("[auto-heal] io: cache directory unwritable", DAY)
            .comment(PastComment::new(
                &diagnosis("missing-env-var", None),
                at(DAY + HOUR),
            ))
            .closed_at(at(4 * DAY)),
    );
    let regression = g.seed_past_issue(
        REPO,
        issue("[auto-heal] io: cache directory unwritable", 8 * DAY).body(&format!(
            "Regression of #{cache}: that issue was closed, and the same failure happened again.\n\nWhile this report waited to be sent, the failure happened 2 more times (trace IDs `aa`, `bb`).\n\n## Error\n"
        )),
    );
    g.seed_past_issues(REPO, BULK, |i| {
        issue(
            &format!("[auto-heal] bulk failure {i}"),
            10 * DAY + i as u64 * 60,
        )
    });
    // Neither labelled auto-heal nor a fix: ignored.
    g.seed_past_issue(REPO, PastIssue::new("A feature request", at(DAY)));
    let fix = |n: u64| format!("autoheal/issue-{n}");
    g.seed_past_pull(
        REPO,
        PastPull::new("Fix config", &fix(config), at(DAY + 2 * HOUR))
            .merged_at(at(DAY + 12 * HOUR)),
    );
    g.seed_past_pull(
        REPO,
        PastPull::new("Fix env", &fix(env), at(2 * DAY)).merged_at(at(4 * DAY)),
    );
    g.seed_past_pull(
        REPO,
        PastPull::new("Fix net", &fix(net), at(3 * DAY)).draft(),
    );
    g.seed_past_pull(
        REPO,
        PastPull::new("Fix panic", &fix(panic), at(3 * DAY)).closed_at(at(6 * DAY)),
    );
    g.seed_past_pull(
        REPO,
        PastPull::new("Fix cache", &fix(cache), at(2 * DAY)).merged_at(at(3 * DAY)),
    );
    g.seed_past_pull(
        REPO,
        PastPull::new("A feature", "feature/colours", at(DAY)).merged_at(at(2 * DAY)),
    );
    Seeded {
        numbers: [config, env, net, panic, cache, regression],
        ..seeded
    }
}

fn sandbox(github: &FakeGitHub) -> Sandbox {
    Sandbox::reporting_to(github.url(), TOKEN, REPO)
}

fn failure(stats: &Value, number: u64) -> &Value {
    stats["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["number"] == number)
        .unwrap_or_else(|| panic!("no failure #{number}: {stats:#}"))
}

#[test]
fn every_figure_matches_the_seed() {
    let seeded = seed();
    let [config, env, net, panic, cache, regression] = seeded.numbers;
    let run = sandbox(&seeded.github).run(&["autoheal", "stats", "--repo", "--json"]);
    let stats = run.success().json();
    assert_eq!(stats["repo"], REPO);
    assert_eq!(stats["complete"], true, "{stats:#}");
    assert_eq!(
        stats["issues"],
        json!({"total": 106, "open": 103, "closed": 3, "regressions": 1})
    );
    // 5 + 3 + 1 + 2 + 1 + 3 + 100.
    assert_eq!(stats["occurrences"], 115);
    assert_eq!(
        stats["time_to_close"],
        json!({"median_secs": 3 * DAY, "durations_secs": [2 * DAY, 3 * DAY, 4 * DAY]})
    );
    assert_eq!(
        stats["fixes"],
        json!({"opened": 5, "open": 1, "merged": 3, "closed_unmerged": 1,
               "recurred_after_merge": 2, "success_rate": 0.25})
    );
    assert_eq!(
        stats["copilot"],
        json!({"handoffs": 2, "accepted": 1, "refused": 1})
    );
    assert_eq!(
        stats["rules"],
        json!([
            {"rule": null, "issues": 101, "occurrences": 103},
            {"rule": "file-not-found", "issues": 1, "occurrences": 5},
            {"rule": "missing-env-var", "issues": 2, "occurrences": 4},
            {"rule": "unrecognised", "issues": 2, "occurrences": 3},
        ])
    );
    let first = &stats["failures"][0];
    assert_eq!(first["number"], config, "the most occurrences first");
    assert_eq!(first["occurrences"], 5);
    assert_eq!(first["fix"]["state"], "merged");
    assert_eq!(first["fix"]["recurred"], true, "recurred by comment");
    assert_eq!(failure(&stats, env)["fix"]["recurred"], false);
    assert_eq!(
        failure(&stats, cache)["fix"]["recurred"],
        true,
        "by regression"
    );
    assert_eq!(failure(&stats, regression)["regression_of"], cache);
    assert_eq!(failure(&stats, regression)["occurrences"], 3);
    let net = failure(&stats, net);
    assert_eq!(
        net["rule"], "unrecognised",
        "the outsider's rule is ignored"
    );
    assert_eq!(net["copilot"], "accepted");
    assert_eq!(net["fix"]["state"], "open");
    let panic = failure(&stats, panic);
    assert_eq!(panic["occurrences"], 2, "an end user's recurrence counts");
    assert_eq!(panic["copilot"], "refused");
    assert_eq!(panic["fix"]["state"], "closed_unmerged");
    assert_eq!(stats["failures"].as_array().unwrap().len(), 106);
    // Every day from the first occurrence to the last, with the occurrences of each.
    let daily = stats["daily"].as_array().unwrap();
    let total: u64 = daily.iter().map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 115);
    assert!(daily.len() >= 11 && daily.len() <= 13, "{daily:?}");
    // Pagination: the issue list took two pages of 100.
    let issue_pages = seeded
        .github
        .requests()
        .iter()
        .filter(|r| r.path == "/repos/acme/tools/issues")
        .map(|r| r.query_param("per_page"))
        .collect::<Vec<_>>();
    assert_eq!(issue_pages, [Some("100".into()), Some("100".into())]);
    seeded.github.assert_secret_only_in_authorization(TOKEN);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[test]
fn the_terminal_shows_the_main_lines() {
    let seeded = seed();
    let config = seeded.numbers[0];
    let run = sandbox(&seeded.github).run(&["autoheal", "stats", "--repo", REPO, "--top", "3"]);
    let out = &run.success().stdout;
    for line in [
        "acme/tools: 106 auto-heal issue(s): 103 open, 3 closed, 1 regression(s).",
        "Occurrences      115 in all",
        "Time to close    median 3d 0h over 3 closed issue(s)",
        "Fix pulls        5 opened: 3 merged, 1 closed unmerged, 1 open; 2 merged fix(es) recurred",
        "Fix success      25% (1 of 4 decided: merged and not recurred)",
        "Copilot          2 hand-off(s): 1 accepted, 1 refused",
        &format!("     5×  #{config} [auto-heal] io: config missing"),
        "closed in 2d 0h  rule file-not-found  fix #",
        "   ... and 103 more issue(s)",
        "     103 occurrence(s) in  101 issue(s)  (not diagnosed)",
        "       5 occurrence(s) in    1 issue(s)  file-not-found",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(out.contains("merged, recurred"), "{out}");
    assert!(!out.contains("Partial"), "{out}");
}

#[test]
fn since_counts_only_the_issues_opened_since() {
    let seeded = seed();
    let since = github_time(seeded.at(7 * DAY + 12 * HOUR));
    let stats = sandbox(&seeded.github)
        .run(&["autoheal", "stats", "--repo", "--json", "--since", &since])
        .success()
        .json();
    assert_eq!(
        stats["issues"],
        json!({"total": 101, "open": 101, "closed": 0, "regressions": 1})
    );
    assert_eq!(stats["occurrences"], 103);
    assert_eq!(stats["fixes"]["opened"], 0);
    assert_eq!(stats["time_to_close"]["median_secs"], Value::Null);
    // GitHub was asked for the issues updated since, not for all of them.
    let requests = seeded.github.requests();
    let asked = requests
        .iter()
        .find(|r| r.path == "/repos/acme/tools/issues")
        .unwrap();
    assert_eq!(asked.query_param("since").as_deref(), Some(since.as_str()));
}

/// `time` as GitHub writes it, `YYYY-MM-DDTHH:MM:SSZ` (civil from days, proleptic Gregorian).
fn github_time(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let days = secs / DAY + 719_468;
    let era = days / 146_097;
    let doe = days % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let of_day = secs % DAY;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / HOUR,
        of_day / 60 % 60,
        of_day % 60
    )
}

#[test]
fn a_rate_limit_mid_way_gives_the_figures_read_and_says_they_are_partial() {
    let seeded = seed();
    let [config, _, _, panic, ..] = seeded.numbers;
    // The comments are read newest issue first: those of #config, the oldest, are refused.
    seeded.github.set_fault(
        FaultRule::new(Fault::PrimaryRateLimit {
            reset_in_secs: 1800,
        })
        .on_path(&format!("/repos/acme/tools/issues/{config}/comments")),
    );
    let run = sandbox(&seeded.github).run(&["autoheal", "stats", "--repo", "--json"]);
    let stats = run.success().json();
    assert_eq!(stats["complete"], false);
    let reason = stats["incomplete"][0].as_str().unwrap();
    assert!(
        reason.contains("rate limit") && reason.contains("partial") && reason.contains("after"),
        "{reason}"
    );
    assert!(
        reason.contains("the comments of 105 of 106 issues were read"),
        "{reason}"
    );
    assert!(
        run.stderr
            .contains("warning: GitHub's rate limit was reached"),
        "{}",
        run.stderr
    );
    // Everything read before the refusal counts; #config's comments do not.
    assert_eq!(stats["issues"]["total"], 106);
    assert_eq!(stats["fixes"]["merged"], 3);
    assert_eq!(failure(&stats, panic)["occurrences"], 2);
    assert_eq!(failure(&stats, config)["occurrences"], 1);
    assert_eq!(failure(&stats, config)["rule"], Value::Null);
    // Nothing was asked after the refusal: no request waits for the window to reset.
    let last = seeded.github.requests().last().unwrap().path.clone();
    assert_eq!(last, format!("/repos/acme/tools/issues/{config}/comments"));

    let text = sandbox(&seeded.github).run(&["autoheal", "stats", "--repo"]);
    assert!(
        text.success()
            .stdout
            .starts_with("Partial: GitHub's rate limit was reached"),
        "{}",
        text.stdout
    );
}

#[test]
fn the_bounds_say_when_the_figures_are_cut() {
    let seeded = seed();
    let stats = sandbox(&seeded.github)
        .run(&[
            "autoheal",
            "stats",
            "--repo",
            "--json",
            "--max-issues",
            "40",
        ])
        .success()
        .json();
    assert_eq!(stats["issues"]["total"], 40);
    assert_eq!(stats["complete"], false);
    assert_eq!(
        stats["incomplete"],
        json!(["only the newest 40 issues were read (--max-issues raises the bound)"])
    );
}

#[test]
fn a_refused_token_a_missing_repository_and_a_bad_name_say_what_to_do() {
    let seeded = seed();
    let sandbox = sandbox(&seeded.github);
    seeded.github.expect_token("ghp_SomeOtherToken");
    let run = sandbox.run(&["autoheal", "stats", "--repo"]);
    run.failure(1);
    assert!(
        run.stderr.contains("GitHub refused the token (401)")
            && run.stderr.contains("GITHUB_TOKEN"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN));

    seeded.github.expect_token(TOKEN);
    seeded.github.set_fault(Fault::NotFound);
    let run = sandbox.run(&["autoheal", "stats", "--repo", "acme/nothing"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("repository acme/nothing was not found, or the token cannot see it (404)")
            && run.stderr.contains("--repo OWNER/REPO"),
        "{}",
        run.stderr
    );
    seeded.github.clear_faults();

    let before = seeded.github.request_count();
    let run = sandbox.run(&["autoheal", "stats", "--repo", "not a repo"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("`not a repo` is not a repository; name one as OWNER/REPO"),
        "{}",
        run.stderr
    );
    assert_eq!(seeded.github.request_count(), before, "nothing was asked");

    seeded.github.set_fault(Fault::Status(502));
    let run = sandbox.run(&["autoheal", "stats", "--repo"]);
    run.failure(1);
    assert!(run.stderr.contains("GitHub answered 502"), "{}", run.stderr);
}

#[test]
fn the_figures_of_real_reports_add_up() {
    // Reported for real: an issue, two recurrence comments, then a regression once it is
    // closed; the stats read back exactly what the reporting wrote.
    let github = FakeGitHub::start();
    github.expect_token(TOKEN);
    let sandbox = sandbox(&github).env("IPFS_KIT_AUTO_HEAL_THROTTLE_SECS", "0");
    for _ in 0..3 {
        sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    }
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(github.comments(REPO, issues[0].number).len(), 2);
    github.close_issue(REPO, issues[0].number);
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    assert_eq!(github.issues(REPO).len(), 2);

    let stats = sandbox
        .run(&["autoheal", "stats", "--repo", "--json"])
        .success()
        .json();
    assert_eq!(
        stats["issues"],
        json!({"total": 2, "open": 1, "closed": 1, "regressions": 1})
    );
    assert_eq!(stats["occurrences"], 4);
    assert_eq!(failure(&stats, issues[0].number)["occurrences"], 3);
}

#[test]
fn a_hanging_github_ends_in_the_timeout_with_what_to_do() {
    let seeded = seed();
    let sandbox = sandbox(&seeded.github).env("IPFS_KIT_AUTO_HEAL_TIMEOUT_SECS", "1");
    seeded
        .github
        .set_fault(FaultRule::new(Fault::Hang).on_path("/repos/acme/tools/pulls"));
    let started = std::time::Instant::now();
    let run = sandbox.run(&["autoheal", "stats", "--repo"]);
    run.failure(1);
    assert!(
        run.stderr.contains("GitHub did not answer in time"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(10), "bounded");
}

#[test]
fn the_stats_page_gets_the_repositorys_charts() {
    let seeded = seed();
    let sandbox = sandbox(&seeded.github);
    let page = sandbox.home().join("stats.html");
    let run = sandbox.run(&[
        "autoheal",
        "stats",
        "--repo",
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(
        run.success().stdout.starts_with(
            "Wrote the stats page (106 issue(s) of acme/tools, 0 failure(s) on this machine)"
        ),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("no data: run with --repo"),
        "placeholders replaced"
    );
    for bar in [
        r#"data-label="1 to 7 days" data-value="3""#,
        r#"data-label="merged" data-value="3""#,
        r#"data-label="recurred after merge" data-value="2""#,
        r#"data-label="Copilot refused" data-value="1""#,
        r#"data-label="file-not-found" data-value="5""#,
    ] {
        assert!(html.contains(bar), "missing {bar}");
    }
    assert!(!html.contains(TOKEN));
}
