//! Malformed configuration: JSON (serde_json's `at line L column C`, autoheal's own
//! `file:line:col: the configuration file is not valid JSON`) and TOML (`TOML parse error at
//! line L, column C`).

use std::sync::LazyLock;

use regex::Regex;

use super::{Finding, Rule, RuleInfo, Wording, exact, quote, shell_word, signal, weak};
use crate::fix::Confidence;
use crate::fix::evidence::{Evidence, path_in};

pub(super) static MALFORMED_JSON: Rule = Rule {
    info: RuleInfo {
        id: "malformed-json",
        name: "Malformed JSON",
        symptom: "serde_json's `expected `,` or `}` at line 3 column 5`, `EOF while parsing an \
                  object at line L column C`, or `FILE:L:C: the configuration file is not valid \
                  JSON`; through reqwest, `error decoding response body`.",
        cause: "A JSON file (or an answer expected to be JSON) has a syntax error, or a value of \
                the wrong type or a missing field, at the line and column given.",
        remedy: "Open the file at that line and column and fix it (`python3 -m json.tool FILE` \
                 shows the first error); for a server's answer, look at the raw answer.",
    },
    check: malformed_json,
};

/// serde_json's messages, which all end in `at line L column C`.
const SERDE_JSON_WORDING: &[&str] = &[
    "expected",
    "eof while parsing",
    "trailing comma",
    "trailing characters",
    "key must be a string",
    "invalid type",
    "invalid value",
    "invalid length",
    "missing field",
    "unknown field",
    "unknown variant",
    "control character",
    "invalid escape",
    "invalid number",
    "number out of range",
    "recursion limit exceeded",
];

/// What says serde_json's `at line L column C` is about JSON: the producers that wrap it.
pub(super) const JSON_CONTEXT_WORDING: &[Wording] = &[
    exact(
        "autoheal's configuration",
        "the configuration file is not valid json",
    ),
    exact("ureq 3: Error::Json", "json: "),
    exact("reqwest: Response::json", "error decoding response body"),
    weak("a program's own words, a file name", "json"),
];

fn malformed_json(evidence: &Evidence<'_>) -> Option<Finding> {
    static OWN: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(\S[^\n]{0,1024}?):(\d{1,9}):(\d{1,9}): the configuration file is not valid JSON",
        )
        .ok()
    });
    static AT: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"\bat line (\d{1,9}) column (\d{1,9})\b").ok());
    let own = OWN.as_ref().and_then(|r| evidence.captures(r));
    let (path, line, column, autoheal_config) = if let Some(c) = own {
        let path = c.get(1)?.as_str();
        let path = path_in(path).unwrap_or_else(|| path.to_string());
        (Some(path), c.get(2)?.as_str(), c.get(3)?.as_str(), true)
    } else {
        let c = AT.as_ref().and_then(|r| evidence.captures(r))?;
        let serde_wording = evidence.mentions(SERDE_JSON_WORDING);
        let json = signal(evidence, JSON_CONTEXT_WORDING).is_some()
            || evidence.report.error.type_name.contains("serde_json");
        if !(serde_wording && json) || evidence.mentions(&["toml"]) {
            return None;
        }
        let path = evidence.path().filter(|p| !p.ends_with(".toml"));
        (path, c.get(1)?.as_str(), c.get(2)?.as_str(), false)
    };
    let detail = parser_detail(evidence);
    let shape = evidence.mentions(&[
        "invalid type",
        "missing field",
        "unknown field",
        "unknown variant",
        "invalid value",
        "invalid length",
    ]);
    let what = if shape {
        "is valid JSON but does not have the expected shape (a value of the wrong type, a missing or unknown field)"
    } else {
        "is not valid JSON"
    };
    let Some(path) = path else {
        let response =
            evidence.endpoint().is_some() || evidence.mentions(&["answer", "response", "http"]);
        let mut finding = Finding::new(
            format!("Malformed JSON at line {line}, column {column}"),
            format!("The JSON the program read {what}."),
            Confidence::Medium,
        )
        .step_if(detail.map(|d| format!("The parser says: {}.", quote(&d))));
        if response {
            finding = finding.step("It came from a server: look at the raw answer (`curl -sS URL`); an HTML error page or a proxy's answer is not JSON.");
        }
        return Some(finding.step(
            "Find where the program reads this JSON with `RUST_LOG=debug`, and fix the text there.",
        ));
    };
    let word = shell_word(&path);
    let mut finding = Finding::new(
        format!("Malformed JSON in {} at line {line}, column {column}", quote(&path)),
        format!("The file {} {what}.", quote(&path)),
        Confidence::High,
    )
    .step(format!(
        "Open {} at line {line}, column {column}: a missing or extra comma, an unclosed brace or string, or a comment (JSON has none) is the usual cause.",
        quote(&path)
    ))
    .step_if(detail.map(|d| format!("The parser says: {}.", quote(&d))))
    .step(format!("Check the whole file: {}.", quote(&format!("python3 -m json.tool {word}"))));
    if autoheal_config {
        // The program that failed, not ipfs-kit: any program may offer autoheal's commands.
        let program = &evidence.report.command.program;
        finding = finding.step(match program.is_empty() {
            true => "Or start over: move the file aside; the program starts from the defaults without it.".to_string(),
            false => format!(
                "Or start over: {} (where the program offers autoheal's commands) keeps the broken file as a backup and writes a new one; otherwise move the file aside.",
                quote(&format!("{} autoheal enable", shell_word(program)))
            ),
        });
    }
    Some(finding)
}

/// The parser's own words about the first error: the cause that holds `line`, without it.
fn parser_detail(evidence: &Evidence<'_>) -> Option<String> {
    let text = evidence
        .texts()
        .iter()
        .rev()
        .find(|t| t.contains(" at line "))?;
    let detail = text.split(" at line ").next()?.trim();
    let detail = detail.rsplit(": ").next().unwrap_or(detail).trim();
    (!detail.is_empty() && detail.len() < 300).then(|| detail.to_string())
}

pub(super) static MALFORMED_TOML: Rule = Rule {
    info: RuleInfo {
        id: "malformed-toml",
        name: "Malformed TOML",
        symptom: "`TOML parse error at line L, column C` followed by the line and what was \
                  expected.",
        cause: "A TOML file has a syntax error (an unquoted string, a missing `=`, a duplicate \
                key or table) or a value of the wrong type at the line and column given.",
        remedy: "Open the file at that line and column and fix it; the message shows the line \
                 and what the parser expected.",
    },
    check: malformed_toml,
};

/// The toml crate's words (toml 0.6 and later, toml_edit, toml 1.x).
pub(super) const TOML_WORDING: &[Wording] = &[exact(
    "toml 0.6+ and 1.x, toml_edit",
    "toml parse error at line",
)];

fn malformed_toml(evidence: &Evidence<'_>) -> Option<Finding> {
    signal(evidence, TOML_WORDING)?;
    static AT: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"TOML parse error at line (\d{1,9}), column (\d{1,9})").ok());
    let captures = AT.as_ref().and_then(|r| evidence.captures(r))?;
    let (line, column) = (captures.get(1)?.as_str(), captures.get(2)?.as_str());
    // The toml crate's message: the header, a snippet with a caret, then what it expected.
    let message = captures.get(0).map_or("", |m| m.as_str());
    let full = evidence
        .texts()
        .iter()
        .find(|t| t.contains(message))
        .copied()
        .unwrap_or("");
    let detail: Vec<&str> = full
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with('|') && !l.starts_with(|c: char| c.is_ascii_digit())
        })
        .take(3)
        .collect();
    let path = evidence.path().filter(|p| !p.ends_with(".json"));
    let title = match &path {
        Some(path) => format!(
            "Malformed TOML in {} at line {line}, column {column}",
            quote(path)
        ),
        None => format!("Malformed TOML at line {line}, column {column}"),
    };
    let file = path.as_deref().map_or("the file".to_string(), quote);
    Some(
        Finding::new(
            title,
            format!("{} has a TOML syntax error or a value of the wrong type at line {line}, column {column}.", capitalised(&file)),
            Confidence::High,
        )
        .step(format!("Open {file} at line {line}, column {column}."))
        .step_if((!detail.is_empty()).then(|| format!("The parser says: {}.", quote(&detail.join(" ")))))
        .step("Common causes: a string without quotes, a missing `=`, a key or `[table]` defined twice, or a number where a string is expected."),
    )
}

/// `text` with its first letter in upper case (for a sentence that starts with a value).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
