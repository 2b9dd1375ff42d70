//! Any issue body: `parse_issue_body` never panics, a report it reads back renders into an
//! issue that keeps every structural promise, and its diagnosis, the comment and the
//! troubleshooting entry made from it are built without a panic.

#![no_main]

#[path = "../../autoheal/tests/issue_structure/mod.rs"]
mod issue_structure;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    if let Ok(parsed) = autoheal::fix::parse_issue_body(&body) {
        let issue = autoheal::issue::render_issue(&parsed.report);
        issue_structure::check_issue(&issue, &parsed.report);
        let diagnosis = autoheal::fix::diagnose(&parsed.report);
        let comment = autoheal::fix::comment_markdown(&diagnosis);
        assert!(comment.starts_with(autoheal::fix::FIX_COMMENT_MARKER));
        let _ = autoheal::fix::troubleshooting_entry(&diagnosis);
    }
});
