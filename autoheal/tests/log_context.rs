//! The log context layer through the public API: the lines it keeps, their format, its own
//! level filter beside other layers, and the log lines and span stack that reports carry.
//!
//! The buffer is process-wide and these tests run at once, so each logs messages with a marker
//! of its own and looks only for those, in relative order.

use std::sync::{Arc, Mutex};

use autoheal::ContextLayerExt as _;
use autoheal::test::{test_config, with_captured_reports, with_captured_reports_using};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::prelude::*;

/// The kept lines containing `marker`, oldest first.
fn lines_with(marker: &str) -> Vec<String> {
    autoheal::recent_log_lines()
        .into_iter()
        .filter(|line| line.contains(marker))
        .collect()
}

/// The part of a line after its timestamp.
fn after_time(line: &str) -> &str {
    line.split_once(' ').map_or("", |(_, rest)| rest)
}

/// Output of a `fmt` layer, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the pin set is locked")]
struct PinsLocked;

#[autoheal::auto_heal(name = "pin blocks")]
fn pin_blocks(marker: &str) -> Result<(), PinsLocked> {
    tracing::warn!(marker, attempt = 3, "lock still held");
    Err(PinsLocked)
}

#[test]
fn lines_are_kept_oldest_first_in_the_documented_format() {
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    tracing::subscriber::with_default(subscriber, || {
        let _sync = tracing::info_span!("sync", repo = "pins").entered();
        for round in 1..=3 {
            tracing::info!(round, peer = "12D3", "format-marker fetched");
        }
    });
    let lines = lines_with("format-marker");
    assert_eq!(lines.len(), 3, "{lines:#?}");
    for (round, line) in (1..=3).zip(&lines) {
        let (time, _) = line.split_once(' ').unwrap();
        assert!(
            humantime::parse_rfc3339(time).is_ok() && time.ends_with('Z'),
            "{time}"
        );
        assert_eq!(
            after_time(line),
            format!(
                " INFO log_context: sync{{repo=pins}}: format-marker fetched round={round} peer=12D3"
            )
        );
    }
}

#[test]
fn info_is_kept_and_debug_is_not_by_default() {
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!("default-level-marker debug");
        tracing::info!("default-level-marker info");
    });
    let lines = lines_with("default-level-marker");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].ends_with("default-level-marker info"));
}

#[test]
fn with_level_filters_this_layer_only() {
    let output = Captured::default();
    let writer = output.clone();
    let subscriber = tracing_subscriber::registry()
        .with(autoheal::layer().with_level(LevelFilter::DEBUG))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_filter(LevelFilter::TRACE),
        );
    tracing::subscriber::with_default(subscriber, || {
        tracing::trace!("own-level-marker trace");
        tracing::debug!("own-level-marker debug");
        tracing::info!("own-level-marker info");
    });
    let lines = lines_with("own-level-marker");
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].ends_with("own-level-marker debug"));
    assert!(lines[1].ends_with("own-level-marker info"));
    let printed = output.text();
    for level in ["trace", "debug", "info"] {
        assert!(
            printed.contains(&format!("own-level-marker {level}")),
            "the fmt layer lost {level}: {printed}"
        );
    }
}

#[test]
fn a_long_line_is_cut_at_1_kib_with_a_marker() {
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    let long = "ü".repeat(2000);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("long-line-marker {long}");
    });
    let lines = lines_with("long-line-marker");
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].len() <= 1024 && lines[0].len() >= 1020,
        "{}",
        lines[0].len()
    );
    let kept = lines[0].strip_suffix('…').expect("the cut is marked");
    assert!(
        kept.ends_with('ü'),
        "cut between characters, not inside one"
    );
}

#[test]
fn an_event_logged_inside_a_debug_impl_does_not_deadlock() {
    struct LogsWhenFormatted;
    impl std::fmt::Debug for LogsWhenFormatted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            tracing::info!("reentrant-marker inner");
            f.write_str("value")
        }
    }
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(field = ?LogsWhenFormatted, "reentrant-marker outer");
    });
    let lines = lines_with("reentrant-marker");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].ends_with("reentrant-marker outer field=value"));
}

#[test]
fn a_report_carries_the_recent_lines_and_the_span_stack() {
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink))
        .with(autoheal::layer())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(LevelFilter::WARN),
        );
    let (result, reports) = tracing::subscriber::with_default(subscriber, || {
        let _mcp = tracing::info_span!("mcp", port = 8004).entered();
        let _pin = tracing::info_span!("pin", count = 2).entered();
        tracing::info!("report-marker starting");
        with_captured_reports(|| pin_blocks("report-marker"))
    });
    assert!(result.is_err());
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report.spans, ["mcp{port=8004}", "pin{count=2}"]);
    let ours: Vec<&str> = report
        .logs
        .iter()
        .filter(|line| line.contains("report-marker"))
        .map(|line| after_time(line))
        .collect();
    assert_eq!(
        ours,
        [
            " INFO log_context: mcp{port=8004}:pin{count=2}: report-marker starting",
            " WARN log_context: mcp{port=8004}:pin{count=2}: lock still held marker=report-marker attempt=3",
        ]
    );
}

#[test]
fn a_report_outside_any_registry_has_no_spans() {
    let (result, reports) =
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
            let _span = tracing::info_span!("unseen").entered();
            with_captured_reports(|| pin_blocks("no-registry-marker"))
        });
    assert!(result.is_err());
    assert!(reports[0].spans.is_empty(), "{:?}", reports[0].spans);
}

#[test]
fn with_max_lines_sizes_the_buffer_and_reports_keep_max_log_lines() {
    let subscriber = tracing_subscriber::registry().with(autoheal::layer().with_max_lines(1000));
    let mut config = test_config();
    config.max_log_lines = 2;
    let (_, reports) = tracing::subscriber::with_default(subscriber, || {
        with_captured_reports_using(config, || {
            for i in 1..=5 {
                tracing::info!("max-lines-marker {i}");
            }
            pin_blocks("max-lines-marker")
        })
    });
    let logs = &reports[0].logs;
    assert!(!logs.is_empty() && logs.len() <= 2, "{logs:#?}");
    let kept = lines_with("max-lines-marker");
    assert_eq!(
        kept.len(),
        6,
        "the buffer kept more than max_log_lines: {kept:#?}"
    );
}

#[autoheal::auto_heal(name = "finish request")]
fn finish(request: u32) -> Result<(), PinsLocked> {
    tracing::info!(request, "two-requests-marker failing");
    Err(PinsLocked)
}

#[test]
fn a_report_in_a_service_carries_the_failing_requests_lines_first() {
    use std::sync::mpsc::{Receiver, Sender, channel};

    // Two requests on two threads, each in its own root span, taking turns to log; request 1
    // fails once request 2 has logged its last line.
    fn request(id: u32, turns: (Receiver<()>, Sender<()>), fail: bool) -> Result<(), PinsLocked> {
        let (mine, theirs) = turns;
        let _request = tracing::info_span!("request", id).entered();
        for step in 1..=3 {
            mine.recv().unwrap();
            let _step = tracing::info_span!("step", step).entered();
            tracing::info!(request = id, "two-requests-marker working");
            theirs.send(()).unwrap();
        }
        if !fail {
            return Ok(());
        }
        mine.recv().unwrap();
        finish(id)
    }

    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    let dispatch = tracing::Dispatch::new(subscriber);
    let (to_first, first_turn) = channel();
    let (to_second, second_turn) = channel();
    let (result, reports) = with_captured_reports(|| {
        std::thread::scope(|scope| {
            let dispatch_second = dispatch.clone();
            let to_first_from_second = to_first.clone();
            let second = scope.spawn(move || {
                tracing::dispatcher::with_default(&dispatch_second, || {
                    request(2, (second_turn, to_first_from_second), false)
                })
            });
            to_first.send(()).unwrap();
            let first = tracing::dispatcher::with_default(&dispatch, || {
                request(1, (first_turn, to_second.clone()), true)
            });
            second.join().unwrap().unwrap();
            first
        })
    });
    assert!(result.is_err());
    assert_eq!(reports.len(), 1, "{reports:#?}");
    let ours: Vec<String> = reports[0]
        .logs
        .iter()
        .filter(|line| line.contains("two-requests-marker") || line.starts_with("-----"))
        .map(|line| match line.split_once("log_context: ") {
            Some((_, tail)) => tail.to_string(),
            None => line.clone(),
        })
        .collect();
    let working = |id: u32, step: u32| {
        format!("request{{id={id}}}:step{{step={step}}}: two-requests-marker working request={id}")
    };
    assert_eq!(
        ours,
        [
            working(1, 1),
            working(1, 2),
            working(1, 3),
            "request{id=1}: two-requests-marker failing request=1".to_string(),
            "----- above: the failing work's own lines (its span tree); below: other work meanwhile -----"
                .to_string(),
            working(2, 1),
            working(2, 2),
            working(2, 3),
        ]
    );
}
