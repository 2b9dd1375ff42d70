//! autoheal turns the errors and panics of a Rust program into well-formed, de-duplicated
//! GitHub issues, with enough context to fix them.
//!
//! Annotate a function with [`#[auto_heal]`](macro@auto_heal): an `Err` that escapes it is
//! captured (trace ID, cause chain, backtrace, recent log lines, span stack, command line,
//! redacted environment and system facts) and handed, through a file in the local queue, to a
//! background worker that sends it: the failing thread never waits for the network. Call
//! [`init!`] once at start-up to load the program's configuration and install the panic hook
//! and the worker, and add [`layer()`] to your tracing subscriber so reports carry the recent
//! log lines.
//!
//! # Usage
//!
//! ```no_run
//! use tracing_subscriber::prelude::*;
//!
//! #[autoheal::auto_heal(name = "load settings", labels("config"))]
//! fn load_settings(path: &str) -> std::io::Result<String> {
//!     std::fs::read_to_string(path)
//! }
//!
//! fn main() {
//!     // Name, version and repository from Cargo; GITHUB_TOKEN, MY_APP_AUTO_HEAL_... and
//!     // ~/.my_app/auto_heal_config.json from the user.
//!     let _guard = autoheal::init!();
//!     tracing_subscriber::registry().with(autoheal::layer()).init();
//!     if let Err(error) = load_settings("/etc/my_app/settings.toml") {
//!         eprintln!("error: {error}");
//!         // The report is sent by a background worker; a short-lived program waits for it.
//!         autoheal::flush(std::time::Duration::from_secs(10));
//!         if let Some(delivery) = autoheal::last_delivery() {
//!             eprintln!("trace ID {}: {}", delivery.trace_id, delivery.outcome);
//!         }
//!     }
//! }
//! ```
//!
//! With `GITHUB_TOKEN` set, that files issues in the package's GitHub repository (Cargo.toml's
//! `repository`, or `<PREFIX>AUTO_HEAL_GITHUB_REPO`); `GITHUB_REPOSITORY`, which GitHub
//! Actions sets to whatever repository a job builds, never overrides it. A program with
//! flags of its own uses the long form: [`Config::load`] with
//! [`config::Overrides`], then [`init()`]. [`Config::for_app`] reads nothing from the
//! environment or the file: it is for a configuration built field by field.
//!
//! To send reports somewhere else than GitHub, implement [`Sink`] and install it with
//! [`init_with_sink`]; [`capture_error`] and [`capture_message`] report what the program
//! handled itself.
//!
//! # Features
//!
//! | Feature  | Default | What it adds |
//! |----------|---------|--------------|
//! | `github` | yes     | The GitHub transport (ureq with rustls): [`init()`] files issues, `autoheal::github` sends the queue. Without it, reports stay in the local queue or go to your own [`Sink`]. |
//! | `heal`   | no      | The healing engine (implies `github`): `fix` (diagnosis rules and answers), `job_log` (CI job logs as reports), `repair` (CI failures repaired by `cargo fmt`, `cargo clippy --fix`, `cargo fix`, `cargo update` and `cargo add`, verified, and handed on as a checked `RepairBundle`) and `github::fix_issue` (comments, draft pull requests, a repair's pull request, the Copilot hand-off). |
//! | `email`  | no      | Notifications by mail over SMTP (lettre with rustls); see [`notify`]. Webhook notifications need only `github`. |
//! | `test`   | no      | `autoheal::test`: run code with an in-memory sink and get back what it reported. |
//! | `clap`   | no      | `autoheal::commands`: `enable`, `disable`, `status`, `config`, `queue`, `flush`, `preview`, `report-link` and `stats` as clap subcommands for the program's own command line. |
//!
//! # Where to go next
//!
//! - [`config`]: every setting, where it comes from, and the plumbing of a `config` command.
//! - [`notice`]: what to tell the user after a failure (the issue, or why the report waits),
//!   naming the program's own commands.
//! - [`queue`]: what waits on disk, and [`queue::SpoolSink`].
//! - [`notify`]: telling maintainers of new issues and regressions (Slack, a signed JSON
//!   webhook, email).
//! - [`history`] and [`stats`]: every failure seen on this machine, and what fails most.
//! - [`issue`] and [`redact`]: how a report becomes an issue, and how secrets are masked.
//! - `docs/AUTO_HEALING.md` in the repository: the reference, from configuration to healing.
// Nothing in the library may panic into the program it reports for: no unwrap, expect,
// panic or unchecked indexing outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(
    missing_docs,
    unreachable_pub,
    missing_debug_implementations,
    rust_2018_idioms
)]

mod body_frames;
mod capture;
#[cfg(feature = "clap")]
#[cfg_attr(docsrs, doc(cfg(feature = "clap")))]
pub mod commands;
#[cfg(feature = "github")]
mod confirm;
mod durable;
mod dwarf;

mod error;
mod error_view;
mod find_report;
mod fingerprint;
mod frames;
#[cfg(feature = "github")]
#[cfg_attr(docsrs, doc(cfg(feature = "github")))]
pub mod github;
mod handoff;
#[cfg(feature = "heal")]
mod heal;
pub mod history;
pub mod issue;
mod json;
// Read back by the healing engine (`autoheal::fix::last_report`).
#[cfg_attr(not(feature = "heal"), allow(dead_code, unreachable_pub))]
mod last_report;
mod layer;
mod loaded_modules;
mod manual;
mod modules;
pub mod notice;
pub mod notify;
mod outcome;
mod panic_hook;
mod pipeline;
mod prefix;
pub mod privacy;
pub mod queue;
pub mod redact;
mod report;
mod report_json;
mod reporting_lock;
mod setup;
mod sha256;
mod shell_word;
mod sink;
mod site;
mod spool;
mod stack;
pub mod stats;
mod symbols;
mod sync;
mod system;
mod timestamp;
mod trace_id;
#[cfg(unix)]
mod unwind;
mod worker;

#[cfg(feature = "test")]
pub mod test;

#[doc(hidden)]
pub mod __private;

pub use autoheal_macros::auto_heal;
#[cfg(feature = "heal")]
#[cfg_attr(docsrs, doc(cfg(feature = "heal")))]
pub use heal::{fix, job_log, repair};
pub mod config;
pub use config::{App, Config};
// Shorter paths inside the crate for items whose public home is a module.
#[allow(unused_imports)]
pub(crate) use config::{ConfigFile, Token};
pub use error::{Error, Result};
#[allow(unused_imports)]
pub(crate) use issue::{
    IssueDraft, REPORT_MARKER, fingerprint_marker, outgoing_issue, render_issue,
};
pub use layer::{ContextLayer, ContextLayerExt, KeptLevel, RecentLines, layer, recent_log_lines};
pub use manual::{Level, capture_error, capture_message};
pub use outcome::{Delivery, Outcome};
pub use pipeline::{Guard, flush, init, init_with_sink, last_delivery};
pub use queue::{Queue, QueuedEntry};
pub(crate) use redact::Redactor;
pub use report::{
    BacktraceFrame, CommandLine, ErrorDetails, Report, ReportKind, SCHEMA_VERSION, Site, SystemInfo,
};
pub use setup::Setup;
pub use sink::Sink;
