use super::*;

const NOW: u64 = 20_425 * DAY_MS + 12 * 3_600_000; // 2025-12-03 12:00 UTC

fn failure(
    fingerprint: &str,
    age_days: u64,
    version: &str,
    outcome: HistoryOutcome,
) -> HistoryEntry {
    HistoryEntry {
        fingerprint: fingerprint.into(),
        title: format!("[auto-heal] failure {fingerprint}"),
        trace_id: format!("{fingerprint}-{age_days}"),
        app_version: version.into(),
        ..HistoryEntry::new(NOW - age_days * DAY_MS, EntryKind::Failure, outcome)
    }
}

fn sample() -> Vec<HistoryEntry> {
    let mut entries = vec![
        failure("aaaa", 40, "0.1.0", HistoryOutcome::Queued),
        failure("bbbb", 3, "0.1.0", HistoryOutcome::Reported),
        failure("aaaa", 2, "0.2.0", HistoryOutcome::Throttled),
        failure("aaaa", 0, "0.2.0", HistoryOutcome::Queued),
    ];
    entries[1].issue_url = Some("https://github.com/acme/tools/issues/2".into());
    entries[1].rule = Some("file-not-found".into());
    // The rule of `aaaa`, found once its report was delivered.
    let mut rule = failure("aaaa", 0, "0.2.0", HistoryOutcome::Queued);
    rule.kind = EntryKind::Rule;
    rule.rule = Some("connection-refused".into());
    entries.push(rule);
    // The queued report of `aaaa` was sent later, by a flush.
    let mut sent = failure("aaaa", 0, "0.2.0", HistoryOutcome::Recurred);
    sent.kind = EntryKind::Update;
    sent.time_ms += 1000;
    sent.issue_url = Some("https://github.com/acme/tools/issues/1".into());
    entries.push(sent);
    entries
}

#[test]
fn failures_are_counted_per_fingerprint_with_their_span_versions_and_last_outcome() {
    let stats = Stats::from_entries(&sample(), &StatsOptions::at(NOW));
    assert_eq!(stats.total, 4, "the later outcome is not another failure");
    let [a, b] = stats.failures.as_slice() else {
        panic!("{:?}", stats.failures)
    };
    assert_eq!(a.fingerprint, "aaaa");
    assert_eq!(a.count, 3);
    assert_eq!(a.first_seen_ms, NOW - 40 * DAY_MS);
    assert_eq!(a.last_seen_ms, NOW);
    assert_eq!(a.app_versions, ["0.1.0", "0.2.0"]);
    assert_eq!(a.last_outcome, HistoryOutcome::Recurred);
    assert_eq!(
        a.issue_url.as_deref(),
        Some("https://github.com/acme/tools/issues/1")
    );
    assert_eq!(a.rule.as_deref(), Some("connection-refused"));
    assert_eq!(b.count, 1);
    assert_eq!(b.last_outcome, HistoryOutcome::Reported);
    assert_eq!(
        stats.rules,
        [
            (Some("connection-refused".to_string()), 3),
            (Some("file-not-found".to_string()), 1)
        ]
    );
    assert_eq!(
        stats.outcomes,
        [
            (HistoryOutcome::Reported, 1),
            (HistoryOutcome::Queued, 2),
            (HistoryOutcome::Throttled, 1)
        ]
    );
}

#[test]
fn the_daily_counts_cover_the_last_thirty_days_ending_today() {
    let stats = Stats::from_entries(&sample(), &StatsOptions::at(NOW));
    let mut expected = [0u64; DAYS];
    expected[DAYS - 1] = 1; // today
    expected[DAYS - 3] = 1; // two days ago
    expected[DAYS - 4] = 1; // three days ago; forty days ago is outside
    assert_eq!(stats.daily, expected);
    let json = stats.to_json();
    assert_eq!(json["daily"].as_array().unwrap().len(), DAYS);
    assert_eq!(json["daily"][DAYS - 1]["date"], "2025-12-03");
    assert_eq!(json["daily"][0]["date"], "2025-11-04");
}

#[test]
fn since_leaves_out_what_happened_before() {
    let options = StatsOptions::at(NOW).since(Some(NOW - 5 * DAY_MS));
    let stats = Stats::from_entries(&sample(), &options);
    assert_eq!(stats.total, 3);
    assert_eq!(stats.failures[0].count, 2);
    assert_eq!(stats.failures[0].app_versions, ["0.2.0"]);
    assert_eq!(stats.failures[0].first_seen_ms, NOW - 2 * DAY_MS);
}

#[test]
fn the_sparkline_scales_to_the_busiest_day_and_shows_any_failure() {
    assert_eq!(sparkline(&[0, 1, 2, 4, 8]), "▁▂▃▅█");
    assert_eq!(sparkline(&[0, 1, 100]), "▁▂█");
    assert_eq!(sparkline(&[0, 0]), "▁▁");
    assert_eq!(sparkline(&[3]), "█");
}

#[test]
fn the_text_names_each_failure_its_link_and_the_totals() {
    let text = Stats::from_entries(&sample(), &StatsOptions::at(NOW)).to_text(1);
    assert!(text.starts_with("4 failure(s) of 2 kind(s)."), "{text}");
    assert!(text.contains("     3×  [auto-heal] failure aaaa"), "{text}");
    assert!(
        text.contains(
            "last: recurred  https://github.com/acme/tools/issues/1  rule connection-refused"
        ),
        "{text}"
    );
    assert!(text.contains("version(s) 0.1.0, 0.2.0"), "{text}");
    assert!(text.contains("... and 1 more kind(s)"), "{text}");
    assert!(!text.contains("failure bbbb"), "only the top one: {text}");
    assert!(text.contains("       2  queued"), "{text}");
    assert!(text.contains("       1  file-not-found"), "{text}");
    assert!(text.contains("       3  connection-refused"), "{text}");
}
