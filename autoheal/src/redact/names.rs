//! Names that say they hold a secret: environment variables, flags, query parameters and the
//! keys of `key=value` pairs.
//!
//! A name is split into parts at separators (`API_KEY`, `api-key`, `api.key`) and at camelCase
//! humps (`apiKey`, `APIKey`); a part that is a secret word marks the name. Matching whole parts
//! keeps `KEYBOARD`, `MONKEY`, `BYPASS` and `AUTHOR` harmless. Certificates are public, so
//! `CERT` alone is not a secret (`CERT_KEY` and `CERT_PASSWORD` are).

/// Parts that on their own mark a secret.
const SECRET_PARTS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWORDS",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "KEY",
    "KEYS",
    "APIKEY",
    "AUTH",
    "OAUTH",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "COOKIE",
    "COOKIES",
    "SESSION",
    "PRIVATE",
    "SIGNATURE",
    "JWT",
    "BEARER",
];

/// Endings that mark a part written without separators: `APITOKEN`, `DBPASSWORD`,
/// `CLIENTSECRET`, `AWSACCESSKEY` — but not `MAXTOKENS` or `BYPASS`.
const SECRET_ENDINGS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "APIKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Last parts that describe a secret without holding it: `TOKEN_TYPE`, `AUTH_URL`,
/// `PASSWORD_MIN_LENGTH`, `PRIVATE_KEY_PATH`.
const DESCRIBING_PARTS: &[&str] = &[
    "TYPE",
    "KIND",
    "MODE",
    "COUNT",
    "LEN",
    "LENGTH",
    "SIZE",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "URL",
    "URI",
    "ENDPOINT",
    "HEADER",
    "PROMPT",
    "POLICY",
    "FILE",
    "PATH",
    "DIR",
];

/// Whether a variable, flag or field name says it holds a secret: `GITHUB_TOKEN`, `DB_PASS`,
/// `API_KEY`, `api-key`, `accessKeyId`, `AWS_SECRET_ACCESS_KEY`, `SESSION_ID` — but not
/// `KEYBOARD_LAYOUT`, `MONKEY`, `AUTHOR` or `MAX_TOKENS`, nor a name that describes a secret
/// without holding it (`TOKEN_TYPE`, `AUTH_URL`, `PRIVATE_KEY_PATH`). Case does not matter.
///
/// ```
/// assert!(autoheal::redact::is_secret_name("IPFS_KIT_API_TOKEN"));
/// assert!(autoheal::redact::is_secret_name("clientSecret"));
/// assert!(!autoheal::redact::is_secret_name("KEYBOARD_LAYOUT"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    let mut parts = name_parts(name).peekable();
    let mut secret = false;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() && is_one_of(part, DESCRIBING_PARTS) {
            return false;
        }
        secret = secret
            || is_one_of(part, SECRET_PARTS)
            || SECRET_ENDINGS
                .iter()
                .any(|word| ends_with_ignore_case(part, word));
    }
    secret
}

fn is_one_of(part: &str, words: &[&str]) -> bool {
    words.iter().any(|word| part.eq_ignore_ascii_case(word))
}

fn ends_with_ignore_case(text: &str, ending: &str) -> bool {
    text.len()
        .checked_sub(ending.len())
        .and_then(|start| text.get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(ending))
}

/// The parts of a name: runs of ASCII letters and digits, split again where a lowercase
/// letter or digit meets an uppercase one (`apiKey`) and before the last capital of a run
/// followed by lowercase (`APIKey` is `API` + `Key`).
fn name_parts(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut position = 0;
    std::iter::from_fn(move || {
        while bytes
            .get(position)
            .is_some_and(|b| !b.is_ascii_alphanumeric())
        {
            position += 1;
        }
        let start = position;
        if start >= bytes.len() {
            return None;
        }
        position += 1;
        while let Some(&current) = bytes.get(position) {
            if !current.is_ascii_alphanumeric() {
                break;
            }
            let previous = bytes.get(position - 1).copied().unwrap_or(b' ');
            let next = bytes.get(position + 1).copied().unwrap_or(b' ');
            let hump = current.is_ascii_uppercase()
                && (previous.is_ascii_lowercase()
                    || previous.is_ascii_digit()
                    || (previous.is_ascii_uppercase() && next.is_ascii_lowercase()));
            if hump {
                break;
            }
            position += 1;
        }
        // Both ends sit next to ASCII bytes (or the ends of the text): char boundaries.
        name.get(start..position)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_separators_and_humps() {
        let parts = |name| name_parts(name).collect::<Vec<_>>();
        assert_eq!(
            parts("AWS_SECRET_ACCESS_KEY"),
            ["AWS", "SECRET", "ACCESS", "KEY"]
        );
        assert_eq!(parts("--api-key"), ["api", "key"]);
        assert_eq!(parts("accessKeyId"), ["access", "Key", "Id"]);
        assert_eq!(parts("APIKey"), ["API", "Key"]);
        assert_eq!(parts("sha256Key"), ["sha256", "Key"]);
        assert_eq!(parts("KEYBOARD"), ["KEYBOARD"]);
        assert_eq!(parts("ключ_token"), ["token"]);
        assert!(parts("").is_empty() && parts("__").is_empty());
    }

    #[test]
    fn secret_names() {
        for name in [
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "DB_PASS",
            "DB_PASSWORD",
            "API_KEY",
            "api-key",
            "apiKey",
            "accessKeyId",
            "clientSecret",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "KEY_ID",
            "APITOKEN",
            "GITHUB_ACCESSTOKEN",
            "SESSION_ID",
            "HTTP_COOKIE",
            "GPG_PASSPHRASE",
            "MYSQL_PWD",
            "OAUTH_CLIENT",
            "token",
            "password",
            "X-Api-Key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn harmless_names_are_not_secret_names() {
        for name in [
            "KEYBOARD_LAYOUT",
            "keyboardLayout",
            "MONKEY",
            "HOTKEYS_ENABLED",
            "RUST_LOG",
            "PATH",
            "AUTHOR",
            "AUTHOR_NAME",
            "port",
            "IPFS_PATH",
            "MAX_TOKENS",
            "TOKENIZER",
            "SECRETARY",
            "BYPASS_CACHE",
            "PASSPORT",
            "COMPASS_DIR",
            "TLS_CERT",
            "token_type",
            "AUTH_URL",
            "PASSWORD_MIN_LENGTH",
            "GITHUB_TOKEN_FILE",
            "",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
