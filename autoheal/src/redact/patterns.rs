//! The shapes of secrets: one regex per shape, the part of a match that is secret, and when a
//! match is a secret at all (a `key=value` pair is one only when the key names a secret).
//!
//! Each shape also names the literal text it cannot match without (its trigger): text that
//! holds no shape's trigger is returned as it came after a plain substring scan, and a shape
//! runs only on text that holds its trigger. A shape whose matches all turn out harmless
//! copies nothing either.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use regex_lite::{Captures, Regex};

use super::names::is_secret_name;

/// What replaces a secret.
pub(crate) const MASK: &str = "[REDACTED]";

/// When a match of a shape is a secret.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Always: the shape itself is distinctive (a GitHub token, a PEM block).
    Always,
    /// When the secret part looks like a credential rather than a word (`Bearer abc123` but
    /// not `Bearer authentication`).
    CredentialShaped,
    /// When the `name` group names a secret (`DB_PASSWORD=...` but not `page=2`).
    SecretName,
    /// When the `name` group names a secret and the value is quoted or looks like a
    /// credential: `password: "x"` and `api-key: 9f8e7d6c5b` but not `token: expired`.
    SecretNameWithCredential,
}

/// The groups that hold the secret part of a match, first present wins; without any of them
/// the whole match is secret.
const SECRET_GROUPS: &[&str] = &["secret", "quoted", "single_quoted", "bare"];

/// Literal text a shape cannot match without.
#[derive(Clone, Copy, Debug)]
enum Trigger {
    /// One of these, as written.
    Exact(&'static [&'static str]),
    /// One of these (lowercase ASCII), in any ASCII case.
    IgnoringCase(&'static [&'static str]),
}

impl Trigger {
    fn is_in(self, text: &str) -> bool {
        match self {
            Trigger::Exact(literals) => literals.iter().any(|literal| text.contains(literal)),
            Trigger::IgnoringCase(words) => words
                .iter()
                .any(|word| contains_ignoring_ascii_case(text.as_bytes(), word.as_bytes())),
        }
    }
}

/// Whether `haystack` holds `needle` (lowercase ASCII) in any ASCII case.
fn contains_ignoring_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    haystack.windows(needle.len()).any(|window| {
        window.first().map(u8::to_ascii_lowercase) == Some(first)
            && window.eq_ignore_ascii_case(needle)
    })
}

/// The words a pair's name holds when it may name a secret: the alternatives of
/// [`pair_name`], which must list the same.
const SECRET_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "token",
    "secret",
    "key",
    "auth",
    "credential",
    "creds",
    "cookie",
    "session",
    "private",
    "signature",
    "jwt",
    "bearer",
];

/// Value of a `name=value` or `name: value` pair: double- or single-quoted (also inside a
/// Rust `Some(...)`), or a bare run that stops at separators of query strings, lists, code
/// and markup. Does not start with `=`, so `token == expected` is not a pair.
macro_rules! pair_value {
    () => {
        r#"(?:(?:Some\()?"(?P<quoted>[^"\r\n]*)"|'(?P<single_quoted>[^'\r\n]*)'|(?P<bare>[^=&\s'"{}()\[\],;<>][^&\s'"{}()\[\],;<>]*))"#
    };
}

/// A name that may say it holds a secret: it contains one of the words [`is_secret_name`]
/// looks for, which then decides. Ordinary `error: message` text matches no shape at all.
macro_rules! pair_name {
    () => {
        r"(?P<name>\b[A-Za-z0-9_.-]*(?i:pass|pwd|token|secret|key|auth|credential|creds|cookie|session|private|signature|jwt|bearer)[A-Za-z0-9_.-]*)"
    };
}

/// Every shape, most distinctive first. A later shape sees the text as the earlier ones left
/// it; masking the result again changes nothing.
const SHAPES: &[(&str, Rule, Trigger)] = &[
    // PEM private key blocks, to their END line or, if cut off, to the end of the text.
    (
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
        Rule::Always,
        Trigger::Exact(&["PRIVATE KEY-----"]),
    ),
    // GitHub: classic, OAuth, user-to-server, server-to-server and refresh tokens, and
    // fine-grained personal access tokens. No word boundary: `MY_ghp_...` is still a token.
    (
        r"gh[pousr]_[A-Za-z0-9]{30,}",
        Rule::Always,
        Trigger::Exact(&["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]),
    ),
    (
        r"github_pat_[A-Za-z0-9_]{22,}",
        Rule::Always,
        Trigger::Exact(&["github_pat_"]),
    ),
    // AWS access key IDs (secret access keys are caught by their names below).
    (
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
        Rule::Always,
        Trigger::Exact(&[
            "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA",
        ]),
    ),
    // Slack bot, user, app-level and legacy tokens, and incoming-webhook URLs.
    (
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
        Rule::Always,
        Trigger::Exact(&["xox"]),
    ),
    (
        r"\bxapp-[0-9]+-[A-Za-z0-9-]{10,}",
        Rule::Always,
        Trigger::Exact(&["xapp-"]),
    ),
    (
        r"hooks\.slack\.com/services/(?P<secret>[A-Za-z0-9/_-]{16,})",
        Rule::Always,
        Trigger::Exact(&["hooks.slack.com/services/"]),
    ),
    // Other registries' and platforms' tokens with a fixed prefix: GitLab, npm, PyPI,
    // Stripe, Google API keys, OpenAI and Anthropic keys.
    (
        r"\bglpat-[A-Za-z0-9_-]{20,}",
        Rule::Always,
        Trigger::Exact(&["glpat-"]),
    ),
    (
        r"\bnpm_[A-Za-z0-9]{36,}",
        Rule::Always,
        Trigger::Exact(&["npm_"]),
    ),
    (
        r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        Rule::Always,
        Trigger::Exact(&["pypi-AgEIcHlwaS5vcmc"]),
    ),
    (
        r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",
        Rule::Always,
        Trigger::Exact(&["k_live_", "k_test_"]),
    ),
    (
        r"\bAIza[0-9A-Za-z_-]{35}",
        Rule::Always,
        Trigger::Exact(&["AIza"]),
    ),
    (
        r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}",
        Rule::Always,
        Trigger::Exact(&["sk-"]),
    ),
    // JSON Web Tokens (and JWE): a base64url JSON header, then two to four more segments.
    (
        r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,3}",
        Rule::Always,
        Trigger::Exact(&["eyJ"]),
    ),
    // Passwords in URLs: scheme://user:password@host keeps the user and the host.
    (
        r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<secret>[^@\s/]+)@",
        Rule::Always,
        Trigger::Exact(&["://"]),
    ),
    // Authorization headers keep their scheme; cookie headers are masked to the line's end.
    (
        r"(?i)\b(?:proxy-)?authorization\s*[:=]\s*(?:(?:bearer|basic|token|digest|negotiate)\s+)?(?P<secret>[^\s,;]+)",
        Rule::Always,
        Trigger::IgnoringCase(&["authorization"]),
    ),
    (
        r"(?i)\b(?:set-)?cookie\s*:\s*(?P<secret>[^\r\n]+)",
        Rule::Always,
        Trigger::IgnoringCase(&["cookie"]),
    ),
    // `Bearer <token>` and friends outside a header. `=` only as base64 padding, and the
    // token must end there: `bearer expires_in=3600` is a pair, not a token.
    (
        r"(?i)\b(?:bearer|token|basic)\s+(?P<secret>[A-Za-z0-9._~+/-]{6,}=*)(?:[^A-Za-z0-9._~+/=-]|\z)",
        Rule::CredentialShaped,
        Trigger::IgnoringCase(&["bearer", "token", "basic"]),
    ),
    // name=value: query parameters, flags, environment assignments, config and log fields.
    (
        concat!(pair_name!(), r"\s*=\s*", pair_value!()),
        Rule::SecretName,
        Trigger::IgnoringCase(SECRET_WORDS),
    ),
    // name: value, "name": "value" (JSON), name: "value" (Debug output), headers.
    (
        concat!(pair_name!(), r#"["']?\s*:\s*"#, pair_value!()),
        Rule::SecretNameWithCredential,
        Trigger::IgnoringCase(SECRET_WORDS),
    ),
];

/// One compiled shape.
struct Shape {
    regex: Regex,
    rule: Rule,
}

/// Each shape, compiled the first time text matches it: most text (an error without a secret)
/// matches none, and compiling every shape up front cost a failing program megabytes. A shape
/// that failed to compile stays `None` (the tests check that none does).
static SHAPES_COMPILED: LazyLock<Vec<OnceLock<Option<Shape>>>> =
    LazyLock::new(|| SHAPES.iter().map(|_| OnceLock::new()).collect());

/// The shape at `index` of [`SHAPES`], compiled.
fn shape(index: usize) -> Option<&'static Shape> {
    let (source, rule, _) = SHAPES.get(index)?;
    SHAPES_COMPILED
        .get(index)?
        .get_or_init(|| {
            Regex::new(source)
                .ok()
                .map(|regex| Shape { regex, rule: *rule })
        })
        .as_ref()
}

/// `text` with every secret of every shape masked; borrowed when nothing was. Text that
/// holds no shape's trigger costs a substring scan per shape and no allocation.
pub(crate) fn mask_shapes(text: &str) -> Cow<'_, str> {
    let mut current = Cow::Borrowed(text);
    for (index, (_, _, trigger)) in SHAPES.iter().enumerate() {
        if !trigger.is_in(&current) {
            continue;
        }
        let Some(shape) = shape(index) else {
            continue;
        };
        if let Some(masked) = shape.mask(&current) {
            current = Cow::Owned(masked);
        }
    }
    current
}

impl Shape {
    /// `text` with this shape's secrets masked, or `None` when it had none.
    fn mask(&self, text: &str) -> Option<String> {
        let mut out: Option<String> = None;
        let mut copied_up_to = 0;
        let mut search_from = 0;
        while search_from <= text.len() {
            let Some(caps) = self.regex.captures_at(text, search_from) else {
                break;
            };
            let Some(whole) = caps.get(0) else {
                break;
            };
            let secret = SECRET_GROUPS
                .iter()
                .find_map(|group| caps.name(group))
                .unwrap_or(whole);
            if self.is_secret(&caps, secret.as_str()) {
                let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buffer.push_str(text.get(copied_up_to..secret.start()).unwrap_or(""));
                buffer.push_str(MASK);
                copied_up_to = secret.end();
                search_from = whole.end();
            } else {
                // A pair whose name is harmless: its value may be the name of the next pair
                // (`key: token: 9f8e7d6c5b`), so look again right after the name.
                search_from = caps.name("name").unwrap_or(whole).end();
            }
            if whole.is_empty() {
                search_from = next_char_boundary(text, search_from);
            }
        }
        out.map(|mut buffer| {
            buffer.push_str(text.get(copied_up_to..).unwrap_or(""));
            buffer
        })
    }

    fn is_secret(&self, caps: &Captures<'_>, secret: &str) -> bool {
        let name_is_secret = || {
            caps.name("name")
                .is_some_and(|n| is_secret_name(n.as_str()))
        };
        let quoted = caps.name("quoted").is_some() || caps.name("single_quoted").is_some();
        match self.rule {
            Rule::Always => true,
            Rule::CredentialShaped => looks_like_credential(secret),
            Rule::SecretName => !is_placeholder(secret) && name_is_secret(),
            Rule::SecretNameWithCredential => {
                !is_placeholder(secret)
                    && name_is_secret()
                    && (quoted || looks_like_credential(secret))
            }
        }
    }
}

/// Values that stand for "no secret here": `auth=none`, `password=""`, `token: null`.
fn is_placeholder(value: &str) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "", "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "unset",
    ];
    PLACEHOLDERS
        .iter()
        .any(|placeholder| value.eq_ignore_ascii_case(placeholder))
}

fn next_char_boundary(text: &str, from: usize) -> usize {
    let mut next = from + 1;
    while next < text.len() && !text.is_char_boundary(next) {
        next += 1;
    }
    next
}

/// A credential rather than a word: long, or letters mixed with digits, or letters joined by
/// the symbols of tokens (`_ ~ + =`; not a hyphenated word like `read-only` nor a path like
/// `expired/main.rs`).
fn looks_like_credential(text: &str) -> bool {
    let letters = text.chars().filter(char::is_ascii_alphabetic).count();
    let has_digit = text.chars().any(|c| c.is_ascii_digit());
    let has_symbol = text.chars().any(|c| matches!(c, '_' | '~' | '+' | '='));
    text.len() >= 24
        || (letters > 0 && has_digit && text.len() >= 6)
        || (letters > 0 && has_symbol && text.len() >= 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_compiles() {
        assert!((0..SHAPES.len()).all(|index| shape(index).is_some()));
    }

    /// A shape must not match text without its trigger, or the trigger would hide a secret.
    #[test]
    fn no_shape_matches_without_its_trigger() {
        let samples = [
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "ghp_0123456789abcdefghijABCDEFGHIJ0123 gho_0123456789abcdefghijABCDEFGHIJ0123",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "AKIAIOSFODNN7EXAMPLE ASIAIOSFODNN7EXAMPLE",
            "xoxb-1234567890-abcdefghij xapp-1-A0123456789-abcdefghij",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
            "glpat-abcdefghij0123456789 npm_abcdefghij0123456789abcdefghij0123456789",
            "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAACKlsz",
            "sk_live_abcdefghij012345 rk_test_abcdefghij012345",
            "AIzaSyA-abcdefghij0123456789abcdefghijk sk-proj-abcdefghij0123456789abcdefghij0123",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            "postgres://bob:hunter2@db.example.com/app",
            "Authorization: Bearer abc123def456 AUTHORIZATION=Basic dXNlcjpwYXNz",
            "Cookie: sid=abcdef0123456789 SET-COOKIE: a=b",
            "BEARER abcdef123456 Token 0123456789abcdef basic dXNlcjpwYXNz",
            "DB_PASSWORD=s3cr3t-value api_KEY: \"x\" SessionId=abc123def JWT=abc123def",
        ];
        for (index, (source, _, trigger)) in SHAPES.iter().enumerate() {
            let regex = Regex::new(source).unwrap();
            let mut matched_one = false;
            for sample in samples {
                for found in regex.find_iter(sample) {
                    matched_one = true;
                    assert!(
                        trigger.is_in(found.as_str()),
                        "shape {index} matched {:?} without its trigger",
                        found.as_str()
                    );
                }
            }
            assert!(matched_one, "no sample exercises shape {index}: {source}");
        }
    }

    #[test]
    fn the_secret_words_are_the_pair_names_words() {
        let alternatives = pair_name!()
            .split("(?i:")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap();
        assert_eq!(alternatives.split('|').collect::<Vec<_>>(), SECRET_WORDS);
    }

    #[test]
    fn triggers_ignore_case_only_where_told() {
        assert!(Trigger::IgnoringCase(&["bearer"]).is_in("x BeArEr y"));
        assert!(!Trigger::IgnoringCase(&["bearer"]).is_in("x bear er"));
        assert!(Trigger::Exact(&["eyJ"]).is_in("a eyJ b"));
        assert!(!Trigger::Exact(&["eyJ"]).is_in("a EYJ b"));
        assert!(!contains_ignoring_ascii_case(b"ke", b"key"));
    }

    #[test]
    fn credentials_are_told_from_words() {
        for credential in [
            "abc123",
            "tok_live_abcdef",
            "9f8e7d6c5b4a39281706",
            "dGhpcyBpcyBhIHRva2VuIGZvciB0ZXN0aW5n",
        ] {
            assert!(looks_like_credential(credential), "{credential}");
        }
        for word in [
            "authentication",
            "expired",
            "read-only",
            "expired/main.rs",
            "scheme",
            "123456",
        ] {
            assert!(!looks_like_credential(word), "{word}");
        }
    }

    #[test]
    fn a_harmless_pair_does_not_hide_the_secret_after_it() {
        assert_eq!(
            mask_shapes("key: token: 9f8e7d6c5b4a"),
            "key: token: [REDACTED]"
        );
        assert_eq!(
            mask_shapes("page=2&secret=s3&x=1"),
            "page=2&secret=[REDACTED]&x=1"
        );
    }

    #[test]
    fn ordinary_messages_match_no_shape() {
        for text in [
            "bind 127.0.0.1:5001: address in use",
            "error: connection refused (os error 111)",
            "called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound }",
            "GET /pins?page=2&limit=10",
        ] {
            let triggered: Vec<usize> = (0..SHAPES.len())
                .filter(|&index| shape(index).is_some_and(|shape| shape.regex.is_match(text)))
                .collect();
            assert!(triggered.is_empty(), "{text}: shapes {triggered:?}");
        }
    }

    #[test]
    fn harmless_matches_copy_nothing() {
        for text in [
            "bind 127.0.0.1:5001: address in use",
            "auth=none password=\"\" token: null",
            "token_type=bearer expires_in=3600",
            "GET /pins?page=2&limit=10",
            "error: key: not found",
            "Bearer authentication is required",
        ] {
            assert!(matches!(mask_shapes(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        for text in [
            "Cookie: sid=abcdef0123456789",
            "https://bob:hunter2@example.com/?token=abc",
            "password: \"x\" and Authorization: Bearer abc.def-123",
        ] {
            let once = mask_shapes(text).into_owned();
            assert_eq!(mask_shapes(&once), once);
        }
    }
}
