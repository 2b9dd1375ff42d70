use super::escape::{base64, number, shorten, web_address};
use super::svg::ticks;
use super::*;
use crate::history::{EntryKind, HistoryEntry, HistoryOutcome};
use crate::stats::{DAY_MS, Stats, StatsOptions};

const NOW: u64 = 20_400 * DAY_MS + 3_600_000;

fn entry(days_ago: u64, fingerprint: &str, title: &str, outcome: HistoryOutcome) -> HistoryEntry {
    let mut entry = HistoryEntry::new(NOW - days_ago * DAY_MS, EntryKind::Failure, outcome);
    entry.fingerprint = fingerprint.into();
    entry.title = title.into();
    entry
}

/// Every `data-label`/`data-value` pair inside the element with `id` (up to its end tag).
fn data_of(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("<figure id=\"{id}\""))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let end = start + html[start..].find("</figure>").unwrap();
    let mut pairs = Vec::new();
    let mut rest = &html[start..end];
    while let Some(at) = rest.find("data-label=\"") {
        rest = &rest[at + 12..];
        let label = &rest[..rest.find('"').unwrap()];
        let at = rest.find("data-value=\"").unwrap();
        rest = &rest[at + 12..];
        let value = &rest[..rest.find('"').unwrap()];
        pairs.push((label.to_string(), value.to_string()));
    }
    pairs
}

#[test]
fn escape_turns_markup_into_text() {
    assert_eq!(
        escape(r#"<script>alert("x")</script> & 'y'"#),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
    );
    assert_eq!(escape("a\u{0}b\u{1b}[31mc\td\n"), "ab[31mc\td\n");
    assert_eq!(escape("plain — ünïcödé"), "plain — ünïcödé");
}

#[test]
fn only_web_addresses_become_links() {
    assert_eq!(
        web_address("https://github.com/a/b/issues/1"),
        Some("https://github.com/a/b/issues/1")
    );
    assert_eq!(
        web_address("HTTP://example.com"),
        Some("HTTP://example.com")
    );
    assert_eq!(web_address("javascript:alert(1)"), None);
    assert_eq!(web_address("data:text/html,<script>"), None);
    assert_eq!(web_address("//evil.example"), None);
    let mut table = Table::new("t", "t", &["Issue"]);
    table
        .rows
        .push(vec![Cell::Link("#1".into(), "javascript:alert(1)".into())]);
    table.rows.push(vec![Cell::Link(
        "#2".into(),
        "https://x.test/?a=1&b=\"2\"".into(),
    )]);
    let mut page = Page::new("p", "now");
    let mut section = Section::new("s", "s");
    section.blocks.push(Block::Table(table));
    page.sections.push(section);
    let html = render_page(&page);
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("<td>#1</td>"), "{html}");
    assert!(
        html.contains(
            r#"<a href="https://x.test/?a=1&amp;b=&quot;2&quot;" rel="noreferrer">#2</a>"#
        ),
        "{html}"
    );
}

#[test]
fn numbers_are_whole_or_two_decimals() {
    assert_eq!(number(3.0), "3");
    assert_eq!(number(0.0), "0");
    assert_eq!(number(2.5), "2.5");
    assert_eq!(number(1.0 / 3.0), "0.33");
    assert_eq!(number(f64::NAN), "0");
    assert_eq!(shorten("abcdef", 4), "abc…");
    assert_eq!(shorten("abc", 4), "abc");
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
}

#[test]
fn ticks_are_round_and_cover_the_maximum() {
    assert_eq!(ticks(0.0), (1.0, 1.0));
    assert_eq!(ticks(1.0), (1.0, 1.0));
    assert_eq!(ticks(3.0), (1.0, 3.0));
    assert_eq!(ticks(7.0), (2.0, 8.0));
    assert_eq!(ticks(42.0), (10.0, 50.0));
    assert_eq!(ticks(1234.0), (500.0, 1500.0));
    let (step, end) = ticks(0.3);
    assert!(
        step > 0.0 && end >= 0.3 && end / step <= 5.0 + 1e-9,
        "{step} {end}"
    );
}

#[test]
fn an_untrusted_title_renders_as_text_everywhere() {
    let evil = "[auto-heal] <script>alert('x')</script><img src=x onerror=alert(1)>";
    let mut failure = entry(
        0,
        "00000000000000000000000000000bad",
        evil,
        HistoryOutcome::Reported,
    );
    failure.rule = Some("<b>rule</b>".into());
    failure.issue_url = Some("javascript:alert(2)".into());
    let stats = Stats::from_entries(&[failure], &StatsOptions::at(NOW));
    let html = render_page(&Page::from_local(&stats, 20));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own: {html}"
    );
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>rule"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(
        html.contains("<td>javascript:alert(2)</td>"),
        "shown as text: {html}"
    );
    assert!(
        html.contains(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        ),
        "{html}"
    );
    assert_eq!(
        data_of(&html, BY_RULE),
        [("&lt;b&gt;rule&lt;/b&gt;".to_string(), "1".to_string())]
    );
}

#[test]
fn the_local_page_charts_the_seeded_counts() {
    let entries = [
        entry(0, "a", "first", HistoryOutcome::Reported),
        entry(0, "a", "first", HistoryOutcome::Throttled),
        entry(2, "b", "second", HistoryOutcome::Queued),
        entry(45, "c", "too old for the days", HistoryOutcome::Reported),
    ];
    let mut with_rule = entries.clone();
    with_rule[0].rule = Some("file-not-found".into());
    let stats = Stats::from_entries(&with_rule, &StatsOptions::at(NOW));
    let page = Page::from_local(&stats, 20);
    let html = render_page(&page);

    let days = data_of(&html, OCCURRENCES);
    assert_eq!(days.len(), 30);
    assert_eq!(
        days[29],
        ("2025-11-08".to_string(), "2".to_string()),
        "today last"
    );
    assert_eq!(days[27].1, "1");
    assert_eq!(days.iter().filter(|(_, v)| v != "0").count(), 2, "{days:?}");
    assert_eq!(
        data_of(&html, BY_RULE),
        [
            ("(no rule recognises it)".into(), "2".into()),
            ("file-not-found".into(), "2".into())
        ]
    );
    assert_eq!(
        data_of(&html, BY_OUTCOME),
        [
            ("reported".into(), "2".into()),
            ("queued".into(), "1".into()),
            ("throttled".into(), "1".into())
        ]
    );
    assert!(
        html.contains("<td class=\"num\" data-value=\"2\">2</td><td class=\"short\">first</td>"),
        "{html}"
    );
    // Each chart is a figure with a caption, its data also as a table.
    assert_eq!(html.matches("<figure").count(), 6);
    assert_eq!(html.matches("<figcaption").count(), 6);
    assert_eq!(html.matches("<table class=\"visually-hidden\">").count(), 3);
    // Both axes of every chart are named.
    for name in ["day (UTC)", "diagnosis rule", "outcome"] {
        assert_eq!(
            html.matches(&format!("middle\">{name}</text>")).count()
                + html.matches(&format!("end\">{name}</text>")).count(),
            1,
            "{name}"
        );
    }
    assert_eq!(html.matches("\">failures</text>").count(), 3);
}

#[test]
fn the_repository_charts_say_run_with_repo_until_given_data() {
    let stats = Stats::from_entries(&[], &StatsOptions::at(NOW));
    let mut page = Page::from_local(&stats, 20);
    let html = render_page(&page);
    for id in [TIME_TO_CLOSE, FIX_OUTCOMES] {
        let figure = &html[html.find(&format!("<figure id=\"{id}\"")).unwrap()..];
        let figure = &figure[..figure.find("</figure>").unwrap()];
        assert!(figure.contains("data-points=\"0\""), "{figure}");
        assert!(
            figure.contains("<p class=\"no-data\" data-no-data=\"true\">no data: run with --repo"),
            "{figure}"
        );
        assert!(!figure.contains("<svg"), "no empty box: {figure}");
    }
    // No failures: the local bars say so too, the days are all zero.
    assert!(html.contains("No failures recorded in this period."));
    assert!(data_of(&html, OCCURRENCES).iter().all(|(_, v)| v == "0"));

    page.put_chart(
        REPOSITORY,
        Chart::bars(TIME_TO_CLOSE, "Time to close", "time open", "issues")
            .with_point("under a day", 4.0)
            .with_point("1 to 7 days", 1.5),
    );
    page.put_chart(
        "more",
        Chart::time_series("copilot", "Hand-offs", "week", "issues").with_point("W1", 1.0),
    );
    assert_eq!(page.sections.len(), 3, "a new section for a new id");
    assert_eq!(
        page.sections[1].blocks.len(),
        2,
        "replaced in place, not added"
    );
    let html = render_page(&page);
    assert_eq!(
        data_of(&html, TIME_TO_CLOSE),
        [
            ("under a day".into(), "4".into()),
            ("1 to 7 days".into(), "1.5".into())
        ]
    );
    assert_eq!(data_of(&html, "copilot"), [("W1".into(), "1".into())]);
    assert!(page.chart(FIX_OUTCOMES).unwrap().points.is_empty());
}

#[test]
fn the_page_loads_nothing_and_names_its_inline_parts_in_its_policy() {
    let stats = Stats::from_entries(
        &[entry(1, "a", "t", HistoryOutcome::Reported)],
        &StatsOptions::at(NOW),
    );
    let html = render_page(&Page::from_local(&stats, 20));
    for outside in [" src=", "<link", "@import", "url(", "<iframe", "<object"] {
        assert!(!html.contains(outside), "{outside}");
    }
    assert!(
        html.contains("default-src 'none'; style-src 'sha256-"),
        "{html}"
    );
    // The policy's hashes are those of the style and script the page holds.
    let script = &html[html.rfind("<script>").unwrap() + 8..html.rfind("</script>").unwrap()];
    let mut digest = crate::sha256::Sha256::new();
    digest.update(script);
    assert!(html.contains(&format!(
        "script-src 'sha256-{}'",
        base64(&digest.finalize())
    )));
    // Every bar of every chart carries a tooltip.
    assert_eq!(
        html.matches("<rect class=\"datum\"").count(),
        html.matches("</title></rect>").count()
    );
}

#[test]
fn every_bar_has_its_value_written_beside_it_and_the_table_follows_top() {
    let entries = [
        entry(0, "a", "first", HistoryOutcome::Reported),
        entry(1, "a", "first", HistoryOutcome::Reported),
        entry(1, "b", "second", HistoryOutcome::Queued),
    ];
    let stats = Stats::from_entries(&entries, &StatsOptions::at(NOW));
    let html = render_page(&Page::from_local(&stats, 1));
    let by_outcome = &html[html.find("<figure id=\"by-outcome\"").unwrap()..];
    let by_outcome = &by_outcome[..by_outcome.find("</figure>").unwrap()];
    assert!(
        by_outcome.contains("<text class=\"value\" x=\"") && by_outcome.contains("\">2</text>"),
        "{by_outcome}"
    );
    assert_eq!(
        by_outcome.matches("<text class=\"value\"").count(),
        2,
        "{by_outcome}"
    );
    let occurrences = &html[html.find("<figure id=\"occurrences\"").unwrap()..];
    let occurrences = &occurrences[..occurrences.find("</figure>").unwrap()];
    assert_eq!(
        occurrences.matches("<text class=\"value\"").count(),
        2,
        "the two days with failures"
    );
    assert!(
        html.contains("The 1 most frequent failures (of 2 kinds)"),
        "{html}"
    );
    assert_eq!(html.matches("<td class=\"num\"").count(), 1);

    let none = render_page(&Page::from_local(&stats, 0));
    assert!(
        none.contains("None of the 2 kinds of failure listed (--top 0)."),
        "{none}"
    );
    let all = render_page(&Page::from_local(&stats, 5));
    assert!(
        all.contains("The failures, the most frequent first"),
        "{all}"
    );
    assert_eq!(all.matches("<td class=\"num\"").count(), 2);
}

#[test]
fn values_too_wide_for_their_column_stand_upright() {
    let mut narrow = Chart::time_series("n", "n", "day", "failures");
    let mut wide = Chart::time_series("w", "w", "day", "failures");
    for day in 0..30 {
        narrow = narrow.with_point(format!("d{day}"), 7.0);
        wide = wide.with_point(format!("d{day}"), 1741.0);
    }
    let narrow = svg::chart_svg(&narrow);
    assert_eq!(
        narrow.matches("text-anchor=\"middle\">7</text>").count(),
        30
    );
    assert!(!narrow.contains("rotate(-90)\">7<"), "{narrow}");
    let wide = svg::chart_svg(&wide);
    assert_eq!(
        wide.matches("rotate(-90)\">1741</text>").count(),
        30,
        "{wide}"
    );
}
