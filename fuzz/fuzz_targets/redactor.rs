//! Any text: the redactor never panics, redacting twice changes nothing more, and a known
//! secret spliced anywhere into the text never survives.

#![no_main]

use autoheal::redact::Redactor;
use libfuzzer_sys::arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Secrets of the shapes the redactor promises to recognise without being told: the text
/// inserted, and the part of it that must not survive.
const SHAPED: &[(&str, &str)] = &[
    (
        "ghp_R3dact0rFuzzT0ken0123456789abcdefABCD",
        "R3dact0rFuzzT0ken",
    ),
    (
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
        "abcdefghijklmnopqrstuvwxyz",
    ),
    ("AKIAIOSFODNN7FUZZ123", "IOSFODNN7FUZZ"),
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYFUZZKEY",
        "wJalrXUtnFEMI",
    ),
    (
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "AbCdEfGhIjKlMnOp",
    ),
    (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlRnV6ekpXVA",
        "c2lnbmF0dXJlRnV6ekpXVA",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpFuzzPrivateKeyBody\n-----END RSA PRIVATE KEY-----",
        "MIIEpFuzzPrivateKeyBody",
    ),
    (
        "https://deploy:Hunter2FuzzPassword@example.com/",
        "Hunter2FuzzPassword",
    ),
    (
        "DB_PASSWORD=CorrectHorseFuzzBattery",
        "CorrectHorseFuzzBattery",
    ),
];

/// A secret the redactor is given exactly, as the configured GitHub token is.
const EXACT: &str = "exact-Secret-Value-42";

#[derive(Debug)]
struct Input {
    text: String,
    secret: usize,
    at: usize,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> libfuzzer_sys::arbitrary::Result<Self> {
        Ok(Input {
            secret: u.arbitrary()?,
            at: u.arbitrary()?,
            text: u.arbitrary()?,
        })
    }
}

/// `text` with `secret` inserted at the char boundary nearest `at`, set off by spaces: a token
/// glued to other word characters is a different word.
fn splice(text: &str, secret: &str, at: usize) -> String {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!("{} {secret} {}", &text[..at], &text[at..])
}

fuzz_target!(|input: Input| {
    let redactor = Redactor::new([EXACT.to_string()]);
    let once = redactor.redact(&input.text).into_owned();
    let twice = redactor.redact(&once).into_owned();
    assert_eq!(twice, once, "redacting twice changed the text again");

    let (secret, secret_part) = SHAPED[input.secret % SHAPED.len()];
    let spliced = splice(&input.text, secret, input.at);
    let redacted = redactor.redact(&spliced);
    // The text may hold the same characters by itself (the fuzzer copies constants); only the
    // spliced copy has to go.
    let before = input.text.matches(secret_part).count();
    assert!(
        redacted.matches(secret_part).count() <= before,
        "{secret} survived in {redacted:?}"
    );

    let exact = splice(&input.text, EXACT, input.at);
    let redacted = redactor.redact(&exact);
    assert!(
        !redacted.contains(EXACT),
        "the exact secret survived in {redacted:?}"
    );
});
