//! Network failures: a download, a DNS lookup or a connection that failed. They are usually
//! not a bug of the code under test, and an issue says so by its type.

use std::sync::LazyLock;

use regex::Regex;

use super::Finding;

/// Lines kept around the network errors.
const MAX_CONTEXT_LINES: usize = 60;

/// Further distinct network errors named after the first.
const MAX_FURTHER: usize = 10;

/// What cargo, curl, git and the runner print when the network fails them.
static NETWORK_ERROR: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)failed to download|could not resolve host|spurious network error|connection timed out|operation timed out|connection refused|connection reset by peer|network is unreachable|temporary failure in name resolution|failed to connect to|ssl connect error|tls handshake",
    )
    .ok()
});

/// One finding per distinct network error line, the first first, each with the lines from
/// the first network error to the last (bounded).
pub(super) fn network_errors(lines: &[String]) -> Vec<Finding> {
    let Some(pattern) = NETWORK_ERROR.as_ref() else {
        return Vec::new();
    };
    let matching: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| pattern.is_match(l))
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (matching.first(), matching.last()) else {
        return Vec::new();
    };
    // The context: through the end of the error cargo printed after the last match.
    let end = lines
        .get(last..)
        .unwrap_or_default()
        .iter()
        .position(|l| l.trim().is_empty())
        .map_or(lines.len(), |offset| last + offset);
    let from = first.max(end.saturating_sub(MAX_CONTEXT_LINES));
    let context: Vec<String> = lines.get(from..end).unwrap_or_default().to_vec();
    let mut messages: Vec<String> = Vec::new();
    for index in matching {
        let message = lines.get(index).map_or("", |l| l.trim()).to_string();
        if !messages.contains(&message) {
            messages.push(message);
        }
        if messages.len() > MAX_FURTHER {
            break;
        }
    }
    messages
        .into_iter()
        .map(|message| Finding {
            code: None,
            message,
            file: None,
            line: None,
            lines: context.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_and_dns_failures_are_found_with_their_context() {
        let lines: Vec<String> = [
            "    Updating crates.io index",
            "warning: spurious network error (2 tries remaining): [28] Connection timed out after 30000 milliseconds",
            "error: failed to download from `https://static.crates.io/crates/serde/1.0.0/download`",
            "",
            "Caused by:",
            "  [6] Could not resolve host: static.crates.io",
            "",
            "later output",
        ]
        .map(String::from)
        .to_vec();
        let found = network_errors(&lines);
        let messages: Vec<_> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "warning: spurious network error (2 tries remaining): [28] Connection timed out after 30000 milliseconds",
                "error: failed to download from `https://static.crates.io/crates/serde/1.0.0/download`",
                "[6] Could not resolve host: static.crates.io",
            ]
        );
        assert_eq!(found[0].lines.first(), lines.get(1));
        assert_eq!(found[0].lines.last(), lines.get(5));
    }

    #[test]
    fn other_failures_are_not_network_failures() {
        let lines = vec!["error[E0308]: mismatched types".to_string()];
        assert!(network_errors(&lines).is_empty());
    }
}
