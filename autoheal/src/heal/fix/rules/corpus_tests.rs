//! The corpus: every rule's failures, produced for real on this machine wherever it can
//! (a failing std call, serde_json, ureq against 127.0.0.1, tokio, rustc, cc, cargo, the
//! loader), run through every rule. A rule that matches another rule's failure may say so
//! at medium or low confidence; only the owner (or a rule the failure truly is as well, named
//! with it) may be sure.

use super::corpus_failures::{Case, corpus, real_self_signed_failure};
use super::tests_support::report_with;
use super::{Rule, all_rules, wordings};
use crate::fix::evidence::Evidence;
use crate::fix::{Confidence, diagnose};

fn rule(id: &str) -> &'static Rule {
    all_rules().find(|rule| rule.info.id == id).unwrap()
}

#[test]
fn no_rule_is_sure_of_a_failure_it_does_not_own() {
    let corpus = corpus();
    assert!(corpus.len() >= 40, "{}", corpus.len());
    let mut errors = Vec::new();
    for case in &corpus {
        let evidence = Evidence::of(&case.report);
        if (rule(case.owner).check)(&evidence).is_none() {
            errors.push(format!(
                "{} does not recognise its own failure: {}",
                case.owner, case.what
            ));
        }
        let diagnosed = diagnose(&case.report).rule_id;
        if diagnosed != case.owner && !case.also.contains(&diagnosed.as_str()) {
            errors.push(format!(
                "{}: diagnosed as {diagnosed}, not {}",
                case.what, case.owner
            ));
        }
        for other in all_rules() {
            let id = other.info.id;
            if id == case.owner || case.also.contains(&id) {
                continue;
            }
            let confidence = (other.check)(&evidence).map(|finding| finding.confidence);
            if confidence == Some(Confidence::High) {
                errors.push(format!(
                    "{id} claims high confidence for {} ({})",
                    case.what, case.owner
                ));
            }
        }
    }
    assert!(errors.is_empty(), "{errors:#?}\n{}", texts(&corpus));
}

fn texts(corpus: &[Case]) -> String {
    corpus
        .iter()
        .map(|c| {
            format!(
                "{}: {:?} {:?}",
                c.what, c.report.error.message, c.report.error.chain
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_producer_wording_is_recognised_by_its_rule() {
    for (id, table) in wordings() {
        for wording in table {
            // The words in a message of their own, as the producer would put them.
            let report = report_with(&format!("reading the answer failed: {}", wording.text), &[]);
            let found = (rule(id).check)(&Evidence::of(&report));
            // These need more than the words: the library's or the test's name, a line and
            // column, a status code, a network failure under cargo's words.
            let gated = matches!(
                id,
                "missing-shared-library"
                    | "tls-certificate"
                    | "registry-unreachable"
                    | "malformed-json"
                    | "malformed-toml"
                    | "index-out-of-bounds"
                    | "integer-overflow"
            );
            assert!(
                found.is_some() || gated,
                "{id} misses {} ({:?})",
                wording.producer,
                wording.text
            );
        }
    }
}

#[test]
fn a_real_self_signed_server_is_called_untrusted() {
    for extension in [None, Some("basicConstraints=critical,CA:FALSE")] {
        let Some(error) = real_self_signed_failure(extension) else {
            fake_github::tools::skip("openssl is not installed");
            return;
        };
        let report = report_with("calling https://localhost/", &[&error]);
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.rule_id, "tls-certificate", "{error}");
        assert_eq!(
            diagnosis.title, "TLS certificate not trusted: `localhost`",
            "{error}"
        );
        assert_eq!(diagnosis.confidence, Confidence::High, "{error}");
    }
}
