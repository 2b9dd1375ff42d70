//! The healing engine: auto-heal issues read back, diagnosed and answered ([`fix`], and the
//! GitHub API it answers through, [`github_api`]), and failed CI jobs' logs filed as reports
//! ([`job_log`]), and such failures repaired by the Rust tools ([`repair`]).
//!
//! Nothing in the reporting core calls into it: it reads what the core wrote (reports, issue
//! bodies, the last report) and files through the core's sinks.

pub mod fix;
pub(crate) mod github_api;
pub mod job_log;
pub mod repair;
