//! Any issue body: `parse_issue_body` never panics, and a report it reads back renders into an
//! issue that keeps every structural promise.

#![no_main]

#[path = "../../tests/support/issue_structure.rs"]
mod issue_structure;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    if let Ok(parsed) = autoheal::fix::parse_issue_body(&body) {
        let issue = autoheal::render_issue(&parsed.report);
        issue_structure::check_issue(&issue, &parsed.report);
    }
});
