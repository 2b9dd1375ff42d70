//! Text shown as a command a user can paste into a shell.

/// `word` as a POSIX shell reads it back: bare when safe, else in single quotes.
/// A leading `~/` stays outside the quotes, so that the shell still expands it.
pub(crate) fn shell_word(word: &str) -> String {
    if let Some(rest) = word.strip_prefix("~/") {
        return format!("~/{}", shell_word(rest));
    }
    let bare = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if bare {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("/etc/app.toml"), "/etc/app.toml");
        assert_eq!(shell_word("my file"), "'my file'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(shell_word("~/my data/x"), "~/'my data/x'");
    }
}
