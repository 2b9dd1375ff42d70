//! Test support shared by the integration tests: a stateful fake of the GitHub REST API, and
//! names for distinct bugs.
//!
//! Each test file includes it with `mod support;` and uses what it needs, so unused items are
//! allowed here.

#![allow(dead_code, unused_imports)]

pub mod fake_github;
pub mod names;
