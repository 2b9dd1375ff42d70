//! Text shown as a command a user can paste into a shell, and read back.

/// `word` as a POSIX shell reads it back: bare when safe, else in single quotes.
/// A leading `~/` stays outside the quotes, so that the shell still expands it.
pub(crate) fn shell_word(word: &str) -> String {
    match word.strip_prefix("~/") {
        Some(rest) => format!("~/{}", quoted_word(rest)),
        None => quoted_word(word),
    }
}

/// `word` bare when every character is safe, else in single quotes.
fn quoted_word(word: &str) -> String {
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

/// Words as a POSIX shell splits them: bare, in single quotes, or `\'` between quoted parts.
#[cfg(any(feature = "heal", test))]
pub(crate) fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for quoted in chars.by_ref() {
                    if quoted == '\'' {
                        break;
                    }
                    word.push(quoted);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(escaped) = chars.next() {
                    word.push(escaped);
                }
            }
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::{shell_word, shell_words};

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("/etc/app.toml"), "/etc/app.toml");
        assert_eq!(shell_word("my file"), "'my file'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(shell_word("~/my data/x"), "~/'my data/x'");
        assert_eq!(shell_word("~/~/a b"), "~/'~/a b'");
        // An argument from an untrusted issue body: no recursion per `~/`.
        let deep = "~/".repeat(200_000);
        assert_eq!(shell_word(&deep).len(), deep.len() + 2);
    }

    #[test]
    fn shell_words_undo_the_renderers_quoting() {
        assert_eq!(
            shell_words("app add 'it'\\''s here' '' --port 8004"),
            ["app", "add", "it's here", "", "--port", "8004"]
        );
        assert_eq!(shell_words("'unclosed"), ["unclosed"]);
        assert!(shell_words("").is_empty());
    }
}
