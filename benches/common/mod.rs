//! Shared by the benchmarks: the criterion configuration, with a quick mode.

#![allow(dead_code)]

use std::time::Duration;

use criterion::Criterion;

/// `AUTOHEAL_BENCH_QUICK=1` (or criterion's own `--quick`) keeps a full `cargo bench` run
/// within a few minutes on two cores; the default takes criterion's usual care.
pub fn criterion() -> Criterion {
    let quick = std::env::var_os("AUTOHEAL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let base = Criterion::default().configure_from_args();
    if quick {
        base.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(600))
    } else {
        base
    }
}

/// Whether the quick mode is on.
pub fn quick() -> bool {
    std::env::var_os("AUTOHEAL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// A sentry transport that drops every envelope: the client does all its work, nothing leaves
/// the process.
pub struct Discard;

impl sentry_core::Transport for Discard {
    fn send_envelope(&self, _: sentry_core::Envelope) {}
}

/// A sentry hub with a real client bound, as an application would have; with
/// `attach_stacktrace`, the backtrace integrations that capture and process stack traces.
pub fn sentry_hub(attach_stacktrace: bool) -> std::sync::Arc<sentry_core::Hub> {
    use std::sync::Arc;
    let integrations: Vec<Arc<dyn sentry_core::Integration>> = if attach_stacktrace {
        vec![
            Arc::new(sentry_backtrace::AttachStacktraceIntegration::new()),
            Arc::new(sentry_backtrace::ProcessStacktraceIntegration::new()),
        ]
    } else {
        Vec::new()
    };
    let options = sentry_core::ClientOptions {
        dsn: Some(
            "https://public@sentry.invalid/1"
                .parse()
                .expect("a valid DSN"),
        ),
        transport: Some(Arc::new(Arc::new(Discard))),
        attach_stacktrace,
        integrations,
        ..Default::default()
    };
    let client = Arc::new(sentry_core::Client::from(options));
    Arc::new(sentry_core::Hub::new(
        Some(client),
        Arc::new(Default::default()),
    ))
}
