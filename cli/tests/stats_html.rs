//! `ipfs-kit autoheal stats --html FILE`, opened in a real browser: headless Chromium loads the
//! page the CLI wrote from a seeded history, and the test reads the charts' values back from
//! the DOM it rendered, checks that nothing was logged on its console (no script error, no
//! load the page's policy refused) and that the page's script ran to its end, and keeps a
//! screenshot and a PDF print under the target directory.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use autoheal::history::{EntryKind, History, HistoryEntry, HistoryOutcome};
use common::Sandbox;

const DAY_MS: u64 = 86_400_000;
/// How long one Chromium run may take before it is killed.
const CHROMIUM_LIMIT: Duration = Duration::from_secs(60);
/// An issue title that would run a script, load an image and change the page's title, were it
/// not escaped.
const EVIL_TITLE: &str = "[auto-heal] panic: <script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\"> & more";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// `ms` since the epoch as `YYYY-MM-DD` (UTC).
fn date_of(ms: u64) -> String {
    humantime::format_rfc3339(UNIX_EPOCH + Duration::from_millis(ms)).to_string()[..10].to_string()
}

/// One seeded failure.
struct Seed {
    fingerprint: &'static str,
    title: &'static str,
    rule: Option<&'static str>,
    outcome: HistoryOutcome,
    days_ago: u64,
}

const SEEDS: &[Seed] = &[
    seed(
        "a",
        "[auto-heal] io::Error: could not read pins.txt",
        Some("file-not-found"),
        HistoryOutcome::Reported,
        0,
    ),
    seed(
        "a",
        "[auto-heal] io::Error: could not read pins.txt",
        Some("file-not-found"),
        HistoryOutcome::Throttled,
        0,
    ),
    seed(
        "a",
        "[auto-heal] io::Error: could not read pins.txt",
        Some("file-not-found"),
        HistoryOutcome::Recurred,
        3,
    ),
    seed("b", EVIL_TITLE, None, HistoryOutcome::Queued, 5),
    seed("b", EVIL_TITLE, None, HistoryOutcome::Queued, 5),
    seed(
        "c",
        "[auto-heal] link: cannot find -lssl",
        Some("missing-system-library"),
        HistoryOutcome::Reported,
        12,
    ),
    // Before the 30 days the daily chart covers: in the totals, not in the days.
    seed(
        "d",
        "[auto-heal] an old failure",
        None,
        HistoryOutcome::Reported,
        40,
    ),
];

const fn seed(
    fingerprint: &'static str,
    title: &'static str,
    rule: Option<&'static str>,
    outcome: HistoryOutcome,
    days_ago: u64,
) -> Seed {
    Seed {
        fingerprint,
        title,
        rule,
        outcome,
        days_ago,
    }
}

/// A sandbox whose history holds [`SEEDS`], each with the time it was recorded at.
fn seeded_sandbox() -> (Sandbox, Vec<u64>) {
    let sandbox = Sandbox::new();
    let history = History::open(&sandbox.config_dir());
    let now = now_ms();
    let mut times = Vec::new();
    for (n, seed) in SEEDS.iter().enumerate() {
        let time = now - seed.days_ago * DAY_MS - n as u64;
        let mut entry = HistoryEntry::new(time, EntryKind::Failure, seed.outcome);
        entry.fingerprint = format!("{:0>32}", seed.fingerprint);
        entry.title = seed.title.to_string();
        entry.rule = seed.rule.map(str::to_string);
        if seed.fingerprint == "a" {
            entry.issue_url = Some("https://github.com/acme/tools/issues/7".into());
        }
        entry.trace_id = format!("{n:032x}");
        entry.app_version = "0.1.0".into();
        history.append(&entry).unwrap();
        times.push(time);
    }
    (sandbox, times)
}

/// What Chromium made of a page.
struct Rendered {
    /// The DOM after the page's script ran (`--dump-dom`).
    dom: String,
    /// The lines Chromium logged from the page's console: script errors, refused loads.
    console: Vec<String>,
}

impl Rendered {
    /// What is wrong with the page as rendered: each console line, and a script that did not
    /// run to its end (its last statement marks the document).
    fn problems(&self) -> Vec<String> {
        let mut problems = self.console.clone();
        if !self.dom.contains("data-page-script=\"ran\"") {
            problems.push("the page's script did not run to its end".to_string());
        }
        problems
    }
}

/// Run Chromium headless on `page` with `args`, killed after [`CHROMIUM_LIMIT`]; its
/// standard output and the page's console lines.
fn chromium(chromium: &Path, page: &Path, args: &[String]) -> (String, Vec<String>) {
    let work = tempfile::tempdir().unwrap();
    let stdout_path = work.path().join("stdout");
    let stderr_path = work.path().join("stderr");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.path().join("profile").display()
        ))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHROMIUM_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium {args:?} did not finish within {CHROMIUM_LIMIT:?}; stderr:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(status.success(), "chromium {args:?}: {status}\n{stderr}");
    // Chromium logs each console message of the page, whatever its level, as
    // `[pid:tid:time:INFO:CONSOLE(line)] "message", source: file:///... (line)`.
    let console = stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (std::fs::read_to_string(&stdout_path).unwrap(), console)
}

fn render(browser: &Path, page: &Path) -> Rendered {
    let (dom, console) = chromium(browser, page, &["--dump-dom".to_string()]);
    Rendered { dom, console }
}

/// The text of an attribute value or element content as the DOM serialiser escapes it.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The element of `dom` from `<figure id="{id}"` to its `</figure>`.
fn figure<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("<figure id=\"{id}\""))
        .unwrap_or_else(|| panic!("no figure {id} in:\n{dom}"));
    let end = start + dom[start..].find("</figure>").unwrap();
    &dom[start..end]
}

/// The value of attribute `name` in the tag starting `tag`.
fn attribute(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let start = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + key.len();
    unescape(&tag[start..start + tag[start..].find('"').unwrap()])
}

/// Every `(data-label, data-value)` of the bars of chart `id`.
fn chart_data(dom: &str, id: &str) -> Vec<(String, u64)> {
    figure(dom, id)
        .split("<rect ")
        .skip(1)
        .map(|rect| {
            let tag = &rect[..rect.find('>').unwrap()];
            let value = attribute(tag, "data-value");
            (
                attribute(tag, "data-label"),
                value.parse().unwrap_or_else(|_| panic!("{value}")),
            )
        })
        .collect()
}

/// `(count, title)` of each row of the top failures table.
fn table_rows(dom: &str) -> Vec<(u64, String)> {
    let table = figure(dom, "top-failures");
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split("<td").skip(1).collect();
            let count = attribute(cells[0], "data-value").parse().unwrap();
            let text = &cells[1][cells[1].find('>').unwrap() + 1..cells[1].find("</td>").unwrap()];
            (count, unescape(text))
        })
        .collect()
}

/// Where the artifacts of this test go: under the target directory, kept after the run.
fn artifact(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("stats-html");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Say where an artifact is, past the test harness's capture of passing tests' output.
fn announce(what: &str, path: &Path) {
    let line = format!("stats --html {what}: {}\n", path.display());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

#[test]
fn the_page_shows_the_seeded_history_in_chromium_without_console_errors() {
    let Some(browser) = fake_github::tools::require_tool("chromium", "apt-get install chromium")
    else {
        return;
    };
    let (sandbox, times) = seeded_sandbox();
    let page = sandbox.home().join("stats.html");
    let run = sandbox.run(&["autoheal", "stats", "--html", page.to_str().unwrap()]);
    run.success();
    assert_eq!(
        run.stdout.trim(),
        format!(
            "Wrote the stats page (7 failure(s) of 4 kind(s)) to {}.",
            page.display()
        )
    );

    let rendered = render(&browser, &page);
    assert_eq!(
        rendered.problems(),
        Vec::<String>::new(),
        "{}",
        rendered.dom
    );
    let dom = &rendered.dom;

    // Occurrences per day: the 30 days up to today, each seeded failure on its own day.
    let days = chart_data(dom, "occurrences");
    assert_eq!(days.len(), 30, "{days:?}");
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for time in &times {
        *expected.entry(date_of(*time)).or_default() += 1;
    }
    for (day, count) in &days {
        assert_eq!(
            *count,
            expected.get(day).copied().unwrap_or(0),
            "{day}: {days:?}"
        );
    }
    assert_eq!(
        days.iter().map(|(_, c)| c).sum::<u64>(),
        6,
        "all but the 40-day-old one"
    );
    assert_eq!(days.last().unwrap().0, date_of(now_ms()), "today last");

    assert_eq!(
        chart_data(dom, "by-rule"),
        [
            ("(no rule recognises it)".to_string(), 3),
            ("file-not-found".to_string(), 3),
            ("missing-system-library".to_string(), 1),
        ]
    );
    assert_eq!(
        chart_data(dom, "by-outcome"),
        [
            ("reported".to_string(), 3),
            ("recurred".to_string(), 1),
            ("queued".to_string(), 2),
            ("throttled".to_string(), 1),
        ]
    );
    assert_eq!(
        table_rows(dom),
        [
            (
                3,
                "[auto-heal] io::Error: could not read pins.txt".to_string()
            ),
            (2, EVIL_TITLE.to_string()),
            (1, "[auto-heal] link: cannot find -lssl".to_string()),
            (1, "[auto-heal] an old failure".to_string()),
        ]
    );
    assert!(
        figure(dom, "top-failures").contains(
            "<a href=\"https://github.com/acme/tools/issues/7\" rel=\"noreferrer\">#7</a>"
        ),
        "{dom}"
    );
    // The untrusted title stayed text: no script or image of its own, the title unchanged.
    assert_eq!(dom.matches("<script").count(), 1, "the page's own only");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(dom.contains("<title>Failure statistics</title>"), "{dom}");
    // The repository's charts say how to get them, instead of an empty box.
    for id in ["time-to-close", "fix-outcomes"] {
        let chart = figure(dom, id);
        assert!(chart.contains("no data: run with --repo"), "{chart}");
        assert!(!chart.contains("<svg"), "{chart}");
    }
    // Accessible: each chart a figure with a caption naming its SVG, and its data as a table.
    for id in ["occurrences", "by-rule", "by-outcome"] {
        let chart = figure(dom, id);
        assert!(
            chart.contains(&format!("<figcaption id=\"{id}-caption\">")),
            "{chart}"
        );
        assert!(
            chart.contains(&format!("aria-labelledby=\"{id}-caption\"")),
            "{chart}"
        );
        assert!(
            chart.contains("<table class=\"visually-hidden\">"),
            "{chart}"
        );
    }

    // A screenshot at a laptop's width, and the page printed, kept as artifacts.
    let screenshot = artifact("stats.png");
    let _ = std::fs::remove_file(&screenshot);
    let (_, console) = chromium(
        &browser,
        &page,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1366,2600".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    assert_eq!(console, Vec::<String>::new());
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    announce("screenshot", &screenshot);
    let pdf = artifact("stats.pdf");
    let _ = std::fs::remove_file(&pdf);
    chromium(
        &browser,
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let printed = std::fs::read(&pdf).unwrap();
    assert!(
        printed.starts_with(b"%PDF-") && printed.len() > 10_000,
        "{} bytes",
        printed.len()
    );
    announce("print", &pdf);
}

#[test]
fn the_console_check_catches_a_script_error_a_refused_load_and_a_changed_script() {
    let Some(browser) = fake_github::tools::require_tool("chromium", "apt-get install chromium")
    else {
        return;
    };
    let (sandbox, _) = seeded_sandbox();
    let page = sandbox.home().join("stats.html");
    sandbox
        .run(&["autoheal", "stats", "--html", page.to_str().unwrap()])
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(render(&browser, &page).problems(), Vec::<String>::new());

    let policy_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let policy_end = policy_start + html[policy_start..].find('>').unwrap() + 1;
    let without_policy = format!("{}{}", &html[..policy_start], &html[policy_end..]);
    let broken = [
        (
            "a script error",
            without_policy.replace("</body>", "<script>noSuchFunction();</script></body>"),
            "Uncaught ReferenceError: noSuchFunction is not defined",
        ),
        (
            "an image from the network",
            html.replace(
                "</main>",
                "<img src=\"http://127.0.0.1:9/chart.png\" alt=\"\"></main>",
            ),
            "Content Security Policy",
        ),
        (
            "a script the policy does not name",
            html.replace("\"use strict\";", "\"use strict\"; var changed = 1;"),
            "Content Security Policy",
        ),
    ];
    for (what, text, message) in broken {
        let path = sandbox.home().join("broken.html");
        std::fs::write(&path, &text).unwrap();
        let problems = render(&browser, &path).problems();
        assert!(
            problems.iter().any(|p| p.contains(message)),
            "{what} went unnoticed: {problems:?}"
        );
    }
}

#[test]
fn a_file_in_a_missing_directory_is_refused_and_json_excludes_html() {
    let (sandbox, _) = seeded_sandbox();
    let missing = sandbox.home().join("no-such-dir").join("stats.html");
    let run = sandbox.run(&["autoheal", "stats", "--html", missing.to_str().unwrap()]);
    run.failure(1);
    assert!(
        run.stderr.contains(&format!(
            "cannot write the stats page to {}: the directory {} does not exist",
            missing.display(),
            missing.parent().unwrap().display()
        )),
        "{}",
        run.stderr
    );
    let page = sandbox.home().join("stats.html");
    std::fs::write(&page, "an older page").unwrap();
    let both = sandbox.run(&[
        "autoheal",
        "stats",
        "--json",
        "--html",
        page.to_str().unwrap(),
    ]);
    both.failure(2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "an older page");
}
