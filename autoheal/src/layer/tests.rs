//! The layer against real subscribers, each test with a buffer of its own.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use crate::sync::Mutex;
use tracing_subscriber::prelude::*;

use super::buffer::{DEFAULT_MAX_BYTES, LogBuffer};
use super::format::{CUT_MARKER, MAX_LINE_BYTES};
use super::*;

/// Run `f` with a subscriber whose only layer is a context layer keeping at most `max_lines`
/// lines at `level`; return the lines it kept.
fn with_buffer(max_lines: usize, level: LevelFilter, f: impl FnOnce()) -> Vec<String> {
    let buffer = Arc::new(LogBuffer::new(max_lines, DEFAULT_MAX_BYTES));
    let layer = RecentLines::with_private_buffer(Arc::clone(&buffer)).with_level(level);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    buffer.recent(usize::MAX)
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
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Logs an event whenever it is formatted.
struct LogsWhenFormatted;

impl std::fmt::Debug for LogsWhenFormatted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        tracing::info!("logged from inside Debug");
        f.write_str("value")
    }
}

/// Run `f` on another thread; fail if it has not finished within a minute (a deadlock).
fn finishes<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(f());
    });
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("finished, not deadlocked")
}

#[test]
fn lines_carry_time_level_target_spans_message_and_fields() {
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        let outer = tracing::info_span!("sync", repo = "pins").entered();
        let inner = tracing::debug_span!("fetch").entered();
        tracing::warn!(attempt = 2, cid = "bafk", "retrying");
        drop((inner, outer));
    });
    assert_eq!(lines.len(), 1);
    let (time, _) = lines[0].split_once(' ').unwrap();
    assert!(crate::timestamp::parse(time).is_some(), "{time}");
    assert!(
        time.len() == 24 && time.ends_with('Z'),
        "milliseconds, UTC: {time}"
    );
    assert_eq!(
        after_time(&lines[0]),
        " WARN autoheal::layer::tests: sync{repo=pins}:fetch: retrying attempt=2 cid=bafk"
    );
}

#[test]
fn fields_are_bare_strings_or_debug_values_after_the_message() {
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        tracing::info!(
            name = "bob",
            peers = ?vec!["a", "b"],
            quoted = ?"x",
            flag = true,
            "hello {}",
            5
        );
        tracing::info!(port = 8004);
        tracing::info!(message = "explicit", code = 7);
    });
    let lines: Vec<&str> = lines.iter().map(|l| after_time(l)).collect();
    assert_eq!(
        lines,
        [
            r#" INFO autoheal::layer::tests: hello 5 name=bob peers=["a", "b"] quoted="x" flag=true"#,
            " INFO autoheal::layer::tests: port=8004",
            " INFO autoheal::layer::tests: explicit code=7",
        ]
    );
}

#[test]
fn keeps_the_last_lines_oldest_first() {
    let lines = with_buffer(3, LevelFilter::DEBUG, || {
        for i in 1..=5 {
            tracing::info!("event {i}");
        }
    });
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l.rsplit(": ").next().unwrap())
        .collect();
    assert_eq!(messages, ["event 3", "event 4", "event 5"]);
}

#[test]
fn a_long_line_is_cut_at_1_kib_on_a_character_boundary() {
    let message = "日本".repeat(400); // 2,400 bytes of 3-byte characters
    let lines = with_buffer(10, LevelFilter::DEBUG, || tracing::info!("{message}"));
    let line = &lines[0];
    assert!(
        line.len() <= MAX_LINE_BYTES && line.len() > MAX_LINE_BYTES - 4,
        "{}",
        line.len()
    );
    let kept = line.strip_suffix(CUT_MARKER).expect("the cut is marked");
    let kept_message = kept.rsplit(": ").next().unwrap();
    assert!(message.starts_with(kept_message) && !kept_message.is_empty());
}

#[test]
fn a_huge_value_is_formatted_only_up_to_the_line_limit() {
    struct Huge(Arc<Mutex<usize>>);
    impl std::fmt::Debug for Huge {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            for _ in 0..100_000 {
                *self.0.lock() += 1;
                f.write_str("0123456789")?;
            }
            Ok(())
        }
    }
    let writes = Arc::new(Mutex::new(0));
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        tracing::info!(blob = ?Huge(Arc::clone(&writes)), "stored");
    });
    assert!(lines[0].ends_with(CUT_MARKER) && lines[0].len() <= MAX_LINE_BYTES);
    assert!(lines[0].contains("stored blob=0123456789"));
    assert!(
        *writes.lock() < 200,
        "{} writes: not stopped early",
        writes.lock()
    );
}

#[test]
fn its_own_level_filter_applies() {
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        tracing::trace!("too fine");
        tracing::debug!("kept");
    });
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("kept"));
    let lines = with_buffer(10, LevelFilter::WARN, || {
        tracing::info!("dropped");
        tracing::error!("kept");
    });
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("kept"));
    let lines = with_buffer(10, LevelFilter::TRACE, || tracing::trace!("kept"));
    assert_eq!(lines.len(), 1);
}

#[test]
fn other_layers_still_see_what_this_one_drops() {
    let buffer = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let filtered = Captured::default();
    let unfiltered = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer({
                    let filtered = filtered.clone();
                    move || filtered.clone()
                })
                .with_filter(LevelFilter::TRACE),
        )
        .with(tracing_subscriber::fmt::layer().with_writer({
            let unfiltered = unfiltered.clone();
            move || unfiltered.clone()
        }))
        .with(RecentLines::with_private_buffer(Arc::clone(&buffer)).with_level(LevelFilter::DEBUG));
    tracing::subscriber::with_default(subscriber, || {
        tracing::trace!("fine detail");
        tracing::debug!("coarser");
    });
    for output in [filtered.text(), unfiltered.text()] {
        assert!(
            output.contains("fine detail") && output.contains("coarser"),
            "{output}"
        );
    }
    let lines = buffer.recent(10);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("coarser"));
}

#[test]
fn spans_finer_than_the_level_are_left_out() {
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        let _outer = tracing::info_span!("request", id = 7).entered();
        let _inner = tracing::trace_span!("poll", round = 3).entered();
        tracing::info!("ready");
    });
    assert!(lines[0].ends_with("request{id=7}: ready"), "{}", lines[0]);
}

#[test]
fn a_span_field_recorded_later_shows() {
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        let span = tracing::info_span!("request", id = 7, status = tracing::field::Empty);
        let _entered = span.enter();
        span.record("status", 503);
        tracing::info!("done");
    });
    assert!(
        lines[0].ends_with("request{id=7 status=503}: done"),
        "{}",
        lines[0]
    );
}

#[test]
fn events_after_a_value_is_recorded_show_it_and_a_new_span_shows_its_own() {
    let lines = with_buffer(10, LevelFilter::DEBUG, || {
        let outer = tracing::info_span!("request", id = 7, status = tracing::field::Empty);
        let _outer = outer.enter();
        let inner = tracing::info_span!("step", n = 1);
        let entered = inner.enter();
        tracing::info!("first");
        tracing::info!("second");
        // The outer span changes after the inner span's events were written.
        outer.record("status", 503);
        tracing::info!("third");
        drop(entered);
        tracing::info!("back in the request");
        let _other = tracing::info_span!("step", n = 2).entered();
        tracing::info!("next step");
    });
    let tails: Vec<&str> = lines.iter().map(|l| after_time(l)).collect();
    assert!(
        tails[0].ends_with("request{id=7}:step{n=1}: first"),
        "{tails:#?}"
    );
    assert!(
        tails[1].ends_with("request{id=7}:step{n=1}: second"),
        "{tails:#?}"
    );
    assert!(
        tails[2].ends_with("request{id=7 status=503}:step{n=1}: third"),
        "{tails:#?}"
    );
    assert!(
        tails[3].ends_with("request{id=7 status=503}: back in the request"),
        "{tails:#?}"
    );
    assert!(
        tails[4].ends_with("request{id=7 status=503}:step{n=2}: next step"),
        "{tails:#?}"
    );
}

#[test]
fn two_layers_with_other_levels_write_their_own_span_prefixes() {
    let coarse = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let fine = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let subscriber = tracing_subscriber::registry()
        .with(RecentLines::with_private_buffer(Arc::clone(&coarse)).with_level(LevelFilter::INFO))
        .with(RecentLines::with_private_buffer(Arc::clone(&fine)).with_level(LevelFilter::DEBUG));
    tracing::subscriber::with_default(subscriber, || {
        let _request = tracing::info_span!("request").entered();
        let _detail = tracing::debug_span!("detail").entered();
        tracing::info!("done");
    });
    let coarse = coarse.recent(usize::MAX);
    let fine = fine.recent(usize::MAX);
    assert!(coarse[0].ends_with(" request: done"), "{coarse:?}");
    assert!(fine[0].ends_with(" request:detail: done"), "{fine:?}");
}

#[test]
fn an_event_logged_while_formatting_an_event_is_skipped_not_a_deadlock() {
    let lines = finishes(|| {
        with_buffer(10, LevelFilter::DEBUG, || {
            tracing::info!(field = ?LogsWhenFormatted, "outer");
        })
    });
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("outer field=value"), "{}", lines[0]);
}

#[test]
fn an_event_logged_while_a_span_records_a_value_is_kept_not_a_deadlock() {
    let lines = finishes(|| {
        with_buffer(10, LevelFilter::DEBUG, || {
            let span = tracing::info_span!("job", state = tracing::field::Empty);
            let _entered = span.enter();
            span.record("state", tracing::field::debug(LogsWhenFormatted));
            tracing::info!("after");
        })
    });
    let tails: Vec<&str> = lines
        .iter()
        .map(|l| l.rsplit(": ").next().unwrap())
        .collect();
    assert_eq!(tails, ["logged from inside Debug", "after"]);
    assert!(
        lines[1].ends_with("job{state=value}: after"),
        "{}",
        lines[1]
    );
}

#[test]
fn two_context_layers_on_one_subscriber_both_keep_lines() {
    let first = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let second = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let subscriber = tracing_subscriber::registry()
        .with(RecentLines::with_private_buffer(Arc::clone(&first)))
        .with(RecentLines::with_private_buffer(Arc::clone(&second)));
    tracing::subscriber::with_default(subscriber, || {
        let _span = tracing::info_span!("mcp", port = 8004).entered();
        tracing::info!("up");
    });
    for buffer in [first, second] {
        let lines = buffer.recent(10);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with("mcp{port=8004}: up"), "{}", lines[0]);
    }
}

#[test]
fn a_size_set_on_the_layer_outlasts_the_configured_one() {
    let buffer = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let layer = RecentLines::with_private_buffer(Arc::clone(&buffer)).with_max_lines(2);
    // What `init` does with `max_log_lines`, here after the layer was built.
    buffer.set_max_lines(50);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 1..=5 {
            tracing::info!("event {i}");
        }
    });
    let lines = buffer.recent(usize::MAX);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with("event 4") && lines[1].ends_with("event 5"));
}

#[test]
fn threads_logging_at_once_fill_the_buffer_exactly_in_order() {
    let buffer = Arc::new(LogBuffer::new(100, DEFAULT_MAX_BYTES));
    let layer = RecentLines::with_private_buffer(Arc::clone(&buffer));
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    for i in 0..1000 {
                        tracing::info!(thread, i, "event");
                    }
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let lines = buffer.recent(usize::MAX);
    assert_eq!(lines.len(), 100);
    let mut last_seen = [None; 4];
    for line in &lines {
        let fields = line.split_once("event thread=").unwrap().1;
        let (thread, i) = fields.split_once(" i=").unwrap();
        let (thread, i): (usize, u32) = (thread.parse().unwrap(), i.parse().unwrap());
        assert!(last_seen[thread] < Some(i), "thread {thread} out of order");
        last_seen[thread] = Some(i);
    }
    let newest = last_seen.iter().flatten().max();
    assert_eq!(newest, Some(&999), "the newest line is among those kept");
}

#[test]
fn the_span_stack_is_read_through_the_layers_around_the_registry() {
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink))
        .with(layer())
        .with(LevelFilter::TRACE)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(LevelFilter::INFO),
        );
    let spans = tracing::subscriber::with_default(subscriber, || {
        let _outer = tracing::info_span!("mcp", port = 8004).entered();
        let _inner = tracing::info_span!("accept", peer = "12D3").entered();
        current_spans()
    });
    assert_eq!(spans, ["mcp{port=8004}", "accept{peer=12D3}"]);
}

#[test]
fn no_registry_means_no_span_stack() {
    let spans =
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
            let _span = tracing::info_span!("mcp").entered();
            current_spans()
        });
    assert!(spans.is_empty());
    let outside_spans = tracing::subscriber::with_default(
        tracing_subscriber::registry().with(layer()),
        current_spans,
    );
    assert!(outside_spans.is_empty());
}

#[test]
fn events_no_layer_wants_are_disabled_at_the_callsite() {
    let buffer = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let alone = tracing_subscriber::registry()
        .with(RecentLines::with_private_buffer(Arc::clone(&buffer)).with_level(LevelFilter::INFO));
    tracing::subscriber::with_default(alone, || {
        assert!(tracing::enabled!(tracing::Level::INFO));
        assert!(!tracing::enabled!(tracing::Level::DEBUG));
        assert!(!tracing::enabled!(tracing::Level::TRACE));
        assert_eq!(LevelFilter::current(), LevelFilter::INFO);
    });
    let beside_a_finer_layer = tracing_subscriber::registry()
        .with(RecentLines::with_private_buffer(Arc::clone(&buffer)).with_level(LevelFilter::INFO))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(LevelFilter::DEBUG),
        );
    tracing::subscriber::with_default(beside_a_finer_layer, || {
        assert!(
            tracing::enabled!(tracing::Level::DEBUG),
            "the fmt layer wants it"
        );
        assert!(!tracing::enabled!(tracing::Level::TRACE));
    });
}

#[test]
fn the_configured_level_applies_to_a_layer_built_before_it() {
    let buffer = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let pinned = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(RecentLines::with_private_buffer(Arc::clone(&buffer)))
            .with(
                RecentLines::with_private_buffer(Arc::clone(&pinned)).with_level(LevelFilter::WARN),
            ),
    );
    let log_both = || {
        tracing::dispatcher::with_default(&dispatch, || {
            tracing::debug!("configured-level debug");
            tracing::info!("configured-level info");
        })
    };
    // As `init` does in a program whose subscriber is installed: the level changes while the
    // subscriber is the default.
    let set = |level| tracing::dispatcher::with_default(&dispatch, || set_level(level));
    log_both();
    set(LevelFilter::DEBUG);
    log_both();
    set(level::DEFAULT_LEVEL);
    log_both();
    let kept: Vec<&str> = buffer
        .recent(10)
        .iter()
        .map(|line| line.rsplit(' ').next().unwrap_or_default())
        .map(|level| match level {
            "debug" => "d",
            _ => "i",
        })
        .collect();
    assert_eq!(kept, ["i", "d", "i", "i"]);
    assert!(
        pinned.recent(10).is_empty(),
        "a level set on the layer outlasts the configured one"
    );
}

#[test]
fn the_failing_span_trees_lines_come_first_then_the_others() {
    let buffer = Arc::new(LogBuffer::new(100, DEFAULT_MAX_BYTES));
    let layer = RecentLines::with_private_buffer(Arc::clone(&buffer));
    let (own, without_span) =
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let first = tracing::info_span!("request", id = 1);
            let second = tracing::info_span!("request", id = 2);
            tracing::info!("before any request");
            first.in_scope(|| tracing::info!("one starts"));
            second.in_scope(|| tracing::info!("two starts"));
            first.in_scope(|| {
                let _inner = tracing::info_span!("query").entered();
                tracing::info!("one queries");
            });
            second.in_scope(|| tracing::info!("two ends"));
            let own = first
                .in_scope(|| spans::current_tree().map(|tree| buffer.recent_for_tree(100, tree)));
            (own, spans::current_tree())
        });
    assert_eq!(without_span, None, "outside any span: the plain last lines");
    let own = own.expect("inside a kept span");
    let tails: Vec<&str> = own
        .iter()
        .map(|line| match line.split_once("tests: ") {
            Some((_, tail)) => tail,
            None => line.as_str(),
        })
        .collect();
    assert_eq!(
        tails,
        [
            "request{id=1}: one starts",
            "request{id=1}:query: one queries",
            buffer::OTHER_WORK_SEPARATOR,
            "before any request",
            "request{id=2}: two starts",
            "request{id=2}: two ends",
        ]
    );
}
