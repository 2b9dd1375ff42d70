//! autoheal with `default-features = false`: no GitHub transport, reports go to a sink of the
//! program's own. This one prints each report on standard output.
//!
//! Run it with `cargo run -p autoheal-custom-sink`; it exits with status 1 after printing the
//! report of its failure.

use std::time::Duration;

use autoheal::{App, Config, Outcome, Report, Sink};

/// Prints every report as one line, then the report JSON.
struct PrintSink;

impl Sink for PrintSink {
    fn send(&self, report: &Report) -> Outcome {
        println!(
            "report {} ({}): {}: {} in {}",
            report.trace_id,
            report.fingerprint,
            report.error.type_name,
            report.error.message,
            report.site.operation()
        );
        Outcome::Queued {
            path: "stdout".into(),
            reason: "printed by the program's own sink".to_string(),
        }
    }
}

#[autoheal::auto_heal(name = "read settings")]
fn read_settings(path: &str) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

fn main() {
    let mut config = Config::for_app(App::new(
        "custom_sink",
        "CUSTOM_SINK_",
        env!("CARGO_PKG_VERSION"),
    ));
    config.enabled = true;
    let guard = autoheal::init_with_sink(config, PrintSink);
    if let Err(error) = read_settings("/nonexistent/custom_sink/settings.toml") {
        eprintln!("error: {error}");
        autoheal::flush(Duration::from_secs(5));
        if let Some(delivery) = autoheal::last_delivery() {
            println!("outcome: {}", delivery.outcome);
        }
        drop(guard);
        std::process::exit(1);
    }
}
