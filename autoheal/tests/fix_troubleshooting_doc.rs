//! `docs/TROUBLESHOOTING.md` documents every rule of the diagnosis, and only those: each rule
//! has its section (`Rule: `id``) with the symptom, the cause and the remedy.

use autoheal::fix::rules;

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TROUBLESHOOTING.md");
    std::fs::read_to_string(path).unwrap()
}

/// The rule ids the document has sections for, in order.
fn documented_ids(doc: &str) -> Vec<String> {
    doc.lines()
        .filter_map(|line| line.strip_prefix("Rule: `")?.strip_suffix('`'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_rule_has_a_section_with_symptom_cause_and_remedy() {
    let doc = doc();
    let documented = documented_ids(&doc);
    for rule in rules() {
        let marker = format!("Rule: `{}`", rule.id);
        let start = doc
            .find(&marker)
            .unwrap_or_else(|| panic!("{} is not documented", rule.id));
        let section = &doc[start..];
        let section = &section[..section[marker.len()..]
            .find("Rule: `")
            .map_or(section.len(), |i| i + marker.len())];
        for part in ["**Symptom:**", "**Cause:**", "**Remedy:**"] {
            assert!(section.contains(part), "{}: no {part}", rule.id);
        }
        assert_eq!(
            documented.iter().filter(|id| **id == rule.id).count(),
            1,
            "{}",
            rule.id
        );
    }
}

#[test]
fn no_section_documents_a_rule_that_does_not_exist() {
    let ids: Vec<&str> = rules().map(|rule| rule.id).collect();
    for id in documented_ids(&doc()) {
        assert!(
            ids.contains(&id.as_str()),
            "{id} is documented but is no rule"
        );
    }
}
