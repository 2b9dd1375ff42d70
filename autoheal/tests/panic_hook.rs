//! The panic hook installed by `init`: a panic is reported once and the previous hook still
//! runs; nothing autoheal does itself can panic out into the program.
//!
//! One test, in steps: the hook and the pipeline are process-wide.

use std::fmt;
use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use autoheal::test::MemorySink;
use autoheal::{Outcome, Report, ReportKind, Sink};

static PREVIOUS_HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

struct Shared(Arc<MemorySink>);

impl Sink for Shared {
    fn send(&self, report: &Report) -> Outcome {
        if report.error.message.contains("make the sink panic") {
            panic!("the sink itself failed");
        }
        self.0.send(report)
    }
}

/// The reports made so far: they are made by autoheal's background worker.
fn reports_after_flush(sink: &MemorySink) -> Vec<Report> {
    assert!(autoheal::flush(std::time::Duration::from_secs(60)));
    sink.reports()
}

#[derive(Debug)]
struct PanickyDisplay;

impl fmt::Display for PanickyDisplay {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display of the error panicked")
    }
}

impl std::error::Error for PanickyDisplay {}

#[autoheal::auto_heal]
fn fails_with_a_panicky_error() -> Result<(), PanickyDisplay> {
    Err(PanickyDisplay)
}

#[autoheal::auto_heal]
fn fails_with(message: &str) -> Result<(), String> {
    Err(message.to_string())
}

#[autoheal::auto_heal]
fn index_past_the_end(items: &[u8], at: usize) -> Result<u8, String> {
    Ok(items[at])
}

#[test]
fn panics_are_reported_once_and_autoheal_never_panics_into_the_program() {
    panic::set_hook(Box::new(|info| {
        eprintln!("{info}");
        PREVIOUS_HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    }));
    let sink = Arc::new(MemorySink::default());
    let mut config = autoheal::test::test_config();
    config.config_dir = tempfile::tempdir().unwrap().path().to_path_buf();
    let _guard = autoheal::init_with_sink(config, Shared(Arc::clone(&sink)));

    // A panic on a named thread.
    let panic_line = line!() + 3;
    let worker = std::thread::Builder::new().name("worker".into()).spawn(|| {
        let empty: Option<u8> = std::hint::black_box(None);
        empty.expect("the pin set was loaded")
    });
    assert!(worker.unwrap().join().is_err());
    let reports = reports_after_flush(&sink);
    assert_eq!(reports.len(), 1, "{reports:#?}");
    let report = &reports[0];
    assert_eq!(report.kind, ReportKind::Panic);
    assert_eq!(report.error.type_name, "panic");
    assert_eq!(report.error.message, "the pin set was loaded");
    assert_eq!(
        report.error.chain,
        [format!(
            "thread 'worker' panicked at autoheal/tests/panic_hook.rs:{panic_line}:15"
        )]
    );
    assert_eq!(report.site.file, "autoheal/tests/panic_hook.rs");
    assert_eq!(report.site.line, panic_line);
    assert!(
        report.site.function.starts_with("panic_hook::"),
        "site {:?}",
        report.site
    );
    // The backtrace starts where core panicked on the `expect`, which is how the diagnosis
    // tells it from another panic with a message of the caller's own.
    assert_eq!(
        report.backtrace.first().map(|f| f.function.as_str()),
        Some("core::option::expect_failed"),
        "{:#?}",
        report.backtrace
    );
    let diagnosis = autoheal::fix::diagnose(report);
    assert_eq!(diagnosis.rule_id, "unwrap-on-none");
    assert!(
        diagnosis
            .title
            .starts_with("`expect()` on a `None` value at `autoheal/tests/panic_hook.rs:"),
        "{}",
        diagnosis.title
    );
    assert_eq!(
        PREVIOUS_HOOK_CALLS.load(Ordering::SeqCst),
        1,
        "the previous hook still runs"
    );

    // A panic inside an annotated function: one panic report, no error report.
    let caught = panic::catch_unwind(|| index_past_the_end(&[1, 2, 3], 7));
    assert!(caught.is_err());
    let reports = reports_after_flush(&sink);
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1].kind, ReportKind::Panic);
    assert!(
        reports[1].error.message.contains("index out of bounds"),
        "{}",
        reports[1].error.message
    );
    // The frame state is clean: the next failure is reported normally, alone.
    assert_eq!(
        fails_with("after the panic"),
        Err("after the panic".to_string())
    );
    let reports = reports_after_flush(&sink);
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[2].frames, ["panic_hook::fails_with"]);

    // An error whose Display panics: the result is unchanged, no panic escapes or is reported.
    let calls_before = PREVIOUS_HOOK_CALLS.load(Ordering::SeqCst);
    assert!(matches!(fails_with_a_panicky_error(), Err(PanickyDisplay)));
    let reports = reports_after_flush(&sink);
    assert_eq!(reports.len(), 4);
    assert!(
        reports[3]
            .error
            .message
            .contains("formatting this error panicked"),
        "{}",
        reports[3].error.message
    );
    assert_eq!(
        PREVIOUS_HOOK_CALLS.load(Ordering::SeqCst),
        calls_before,
        "autoheal's own panics stay quiet"
    );

    // A sink that panics: the result is unchanged and the program carries on.
    assert_eq!(
        fails_with("make the sink panic"),
        Err("make the sink panic".to_string())
    );
    assert_eq!(reports_after_flush(&sink).len(), 4);
    assert_eq!(PREVIOUS_HOOK_CALLS.load(Ordering::SeqCst), calls_before);

    // `expect` on an `Err`: the message is the caller's, the error inside is diagnosed too.
    let reader = std::thread::spawn(|| {
        std::fs::read("/nonexistent/autoheal-pins.txt").expect("reading the pin list")
    });
    assert!(reader.join().is_err());
    let reports = reports_after_flush(&sink);
    assert_eq!(reports.len(), 5);
    assert!(
        reports[4]
            .error
            .message
            .starts_with("reading the pin list: Os { code: 2, kind: NotFound"),
        "{}",
        reports[4].error.message
    );
    let diagnosis = autoheal::fix::diagnose(&reports[4]);
    assert_eq!(diagnosis.rule_id, "unwrap-on-err");
    assert!(
        diagnosis.title.starts_with("`expect()` on an `Err` value"),
        "{}",
        diagnosis.title
    );
    assert!(
        diagnosis
            .steps
            .iter()
            .any(|s| s.contains("`file-not-found`")),
        "{:?}",
        diagnosis.steps
    );

    // A panic message holding a secret is not handed to the previous hook (it could only print
    // it as it is): autoheal prints it masked instead, and reports it masked.
    let calls_before = PREVIOUS_HOOK_CALLS.load(Ordering::SeqCst);
    let leaky = std::thread::spawn(|| {
        panic!("login failed with token ghp_PanicHookSecret0123456789abcdefghijkl")
    });
    assert!(leaky.join().is_err());
    assert_eq!(PREVIOUS_HOOK_CALLS.load(Ordering::SeqCst), calls_before);
    let reports = reports_after_flush(&sink);
    assert_eq!(reports.len(), 6);
    assert!(
        !reports[5].error.message.contains("ghp_PanicHookSecret")
            && reports[5]
                .error
                .message
                .starts_with("login failed with token "),
        "{}",
        reports[5].error.message
    );
}
