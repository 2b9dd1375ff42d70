//! Test support shared by the integration tests: a stateful fake of the GitHub REST API.
//!
//! Each test file includes it with `mod support;` and uses what it needs, so unused items are
//! allowed here.

#![allow(dead_code, unused_imports)]

pub mod fake_github;
