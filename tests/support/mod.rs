//! Test support shared by the integration tests: a stateful fake of the GitHub REST API.

#![allow(dead_code)]

pub mod fake_github;
