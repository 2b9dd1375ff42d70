use super::*;
use crate::fix::rules::tests_support::report_with;

fn serde_error(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(_) => panic!("{json} parsed"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_json_file_with_a_syntax_error_is_located() {
    let detail = serde_error("{\n  \"port\": 8004,\n}");
    assert_eq!(detail, "trailing comma at line 3 column 1");
    let report = report_with("could not parse /etc/ipfs_kit/settings.json", &[&detail]);
    let finding = malformed_json(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        "Malformed JSON in `/etc/ipfs_kit/settings.json` at line 3, column 1"
    );
    assert!(
        finding.steps.iter().any(|s| s.contains("`trailing comma`")),
        "{:?}",
        finding.steps
    );
    assert!(
        finding
            .steps
            .iter()
            .any(|s| s.contains("`python3 -m json.tool /etc/ipfs_kit/settings.json`"))
    );
}

#[test]
fn autoheals_own_configuration_message_is_understood() {
    let report = report_with(
        "/home/me/.ipfs_kit/auto_heal_config.json:4:7: the configuration file is not valid JSON: expected `,` or `}` at line 4 column 7",
        &[],
    );
    let finding = malformed_json(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        "Malformed JSON in `/home/me/.ipfs_kit/auto_heal_config.json` at line 4, column 7"
    );
    assert!(finding.steps.iter().any(|s| s.contains("autoheal enable")));
}

#[test]
fn the_way_to_start_over_names_the_program_that_failed() {
    let mut report = report_with(
        "/home/me/.pinctl/auto_heal_config.json:1:2: the configuration file is not valid JSON: expected value at line 1 column 2",
        &[],
    );
    report.command.program = "pinctl".to_string();
    let finding = malformed_json(&Evidence::of(&report)).unwrap();
    let steps = finding.steps.join("\n");
    assert!(steps.contains("pinctl autoheal enable"), "{steps}");
    assert!(!steps.contains("ipfs-kit"), "{steps}");
}

#[test]
fn a_server_answer_that_is_not_json_says_so() {
    let detail = serde_error("<html>");
    let report = report_with(
        "the IPFS daemon at http://127.0.0.1:5001 did not answer with JSON",
        &[&detail],
    );
    let finding = malformed_json(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "Malformed JSON at line 1, column 1");
    assert!(finding.steps.iter().any(|s| s.contains("raw answer")));
}

#[test]
fn a_wrong_shape_is_told_from_a_syntax_error() {
    let detail = match serde_json::from_str::<std::collections::BTreeMap<String, u16>>(
        "{\"port\": \"x\"}",
    ) {
        Ok(_) => panic!("parsed"),
        Err(error) => error.to_string(),
    };
    let report = report_with("could not load config.json", &[&detail]);
    let finding = malformed_json(&Evidence::of(&report)).unwrap();
    assert!(
        finding.cause.contains("does not have the expected shape"),
        "{}",
        finding.cause
    );
}

#[test]
fn a_toml_error_is_located_with_the_parsers_words() {
    let message = "TOML parse error at line 2, column 8\n  |\n2 | port = eight\n  |        ^\ninvalid string\nexpected `\"`, `'`\n";
    let report = report_with("could not load /etc/app/config.toml", &[message]);
    let finding = malformed_toml(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        "Malformed TOML in `/etc/app/config.toml` at line 2, column 8"
    );
    assert!(
        finding
            .steps
            .iter()
            .any(|s| s.contains("invalid string expected")),
        "{:?}",
        finding.steps
    );
    assert!(malformed_json(&Evidence::of(&report)).is_none());
}

#[test]
fn near_misses_are_not_malformed_configuration() {
    for message in [
        "expected 3 items at line 4 column 2 of the CSV",
        "the JSON output was written",
        "panicked at src/main.rs:3:5",
        "TOML support is off",
    ] {
        let report = report_with(message, &[]);
        let evidence = Evidence::of(&report);
        assert!(malformed_json(&evidence).is_none(), "{message}");
        assert!(malformed_toml(&evidence).is_none(), "{message}");
    }
}
