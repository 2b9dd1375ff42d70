//! Value checks with messages that say what is wrong and what would be right.

/// `owner/repo` with GitHub's allowed characters.
///
/// Owners: letters, digits and single hyphens, not at either end, at most 39 characters.
/// Repositories: letters, digits, `-`, `_` and `.`, not `.` or `..`, at most 100 characters.
pub(crate) fn repo(text: &str) -> Result<(), String> {
    let Some((owner, name)) = text.split_once('/') else {
        return Err(format!(
            "`{text}` is not a repository; use the form owner/repo"
        ));
    };
    if owner.is_empty() || owner.len() > 39 {
        return Err(format!("the owner `{owner}` must be 1 to 39 characters"));
    }
    if !owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || owner.starts_with('-')
        || owner.ends_with('-')
        || owner.contains("--")
    {
        return Err(format!(
            "the owner `{owner}` may contain only letters, digits and single hyphens, not at the start or end"
        ));
    }
    if name.is_empty() || name.len() > 100 {
        return Err(format!(
            "the repository name `{name}` must be 1 to 100 characters (use the form owner/repo)"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || name == "."
        || name == ".."
    {
        return Err(format!(
            "the repository name `{name}` may contain only letters, digits, `-`, `_` and `.`"
        ));
    }
    Ok(())
}

/// A label GitHub accepts: not empty, at most 50 characters, no commas (the command line
/// separates labels with them).
pub(crate) fn label(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err("a label must not be empty".to_string())
    } else if text.chars().count() > 50 {
        Err(format!("the label `{text}` is longer than 50 characters"))
    } else if text.contains(',') {
        Err(format!("the label `{text}` contains a comma"))
    } else if text.chars().any(char::is_control) {
        Err(format!("the label {text:?} contains a control character"))
    } else {
        Ok(())
    }
}

/// A regular expression the redactor and the ignore rules can use (regex-lite's syntax).
pub(crate) fn pattern(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("an empty regular expression would match everything".to_string());
    }
    regex_lite::Regex::new(text)
        .map(|_| ())
        .map_err(|e| format!("`{text}` is not a valid regular expression: {e}"))
}

/// An `http://` or `https://` URL with a host.
pub(crate) fn api_url(text: &str) -> Result<(), String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        None => Err(format!(
            "`{text}` is not an http(s) URL; for example https://api.github.com or https://HOST/api/v3"
        )),
        Some(rest) => {
            let host = rest.split('/').next().unwrap_or_default();
            if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '@') {
                Err(format!("`{text}` has no valid host"))
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        for good in [
            "endomorphosis/ipfs_kit",
            "a/b",
            "my-org/repo.name_2",
            "x/.github",
        ] {
            assert_eq!(repo(good), Ok(()), "{good}");
        }
        for bad in [
            "noslash",
            "/repo",
            "owner/",
            "-owner/repo",
            "owner-/repo",
            "ow--ner/repo",
            "owner/re po",
            "owner/..",
            "owner/repo/extra",
            &format!("{}/r", "o".repeat(40)),
        ] {
            assert!(repo(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(label("auto-heal"), Ok(()));
        assert!(label("").is_err());
        assert!(label(" ").is_err());
        assert!(label("a,b").is_err());
        assert!(label(&"x".repeat(51)).is_err());
        assert_eq!(label(&"é".repeat(50)), Ok(()));
    }

    #[test]
    fn urls() {
        assert_eq!(api_url("https://api.github.com"), Ok(()));
        assert_eq!(api_url("http://127.0.0.1:8080/api/v3"), Ok(()));
        assert!(api_url("ftp://x").is_err());
        assert!(api_url("api.github.com").is_err());
        assert!(api_url("https://").is_err());
    }
}
