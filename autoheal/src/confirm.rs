//! Asking before a report is sent (`confirm_before_send`): what the question shows (the
//! title and the size of what would be sent) and how it is asked. Only on a terminal: off
//! one, nothing is asked and the report stays queued. The answer that sends is `y` or `yes`;
//! anything else, an empty line or the end of input keeps the report queued.

use std::io::{BufRead, IsTerminal as _, Write};

use crate::{Config, Report};

/// The question for `report`: its issue's title and the size of the request that would
/// carry it to `config`'s repository.
pub(crate) fn question(report: &Report, config: &Config) -> String {
    let draft = crate::outgoing_issue(report, config);
    let request = serde_json::json!({
        "title": draft.title, "body": draft.body, "labels": draft.labels
    });
    let bytes = serde_json::to_vec(&request).map(|b| b.len()).unwrap_or(0);
    let repo = config.github_repo.as_deref().unwrap_or("(no repository)");
    format!(
        "Send this error report to {repo}?\n  Title: {}\n  Size:  {} ({bytes} bytes)\n",
        draft.title,
        human_size(bytes)
    )
}

/// Whether both standard input and standard error are terminals: a person can answer.
pub(crate) fn on_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Ask `question` on standard error and read the answer from standard input.
pub(crate) fn ask_on_terminal(question: &str) -> bool {
    ask(
        question,
        &mut std::io::stdin().lock(),
        &mut std::io::stderr(),
    )
}

/// Ask `question` on `output`, ending with `[y/N] `, and read one line of `input`.
pub(crate) fn ask(question: &str, input: &mut dyn BufRead, output: &mut dyn Write) -> bool {
    let _ = write!(output, "{question}Send it? [y/N] ");
    let _ = output.flush();
    let mut answer = String::new();
    if input.read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn human_size(bytes: usize) -> String {
    match bytes {
        0..1_024 => format!("{bytes} B"),
        _ => format!("{:.1} KB", bytes as f64 / 1024.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_sends_and_the_default_keeps_the_report() {
        let mut shown = Vec::new();
        for (answer, sends) in [("y\n", true), ("YES\n", true), ("\n", false), ("", false)] {
            assert_eq!(
                ask("Q\n", &mut answer.as_bytes(), &mut shown),
                sends,
                "{answer:?}"
            );
        }
        assert!(
            String::from_utf8(shown)
                .unwrap()
                .contains("Q\nSend it? [y/N] ")
        );
    }

    #[test]
    fn the_question_shows_the_title_and_the_size_sent() {
        let mut config = Config::for_app(crate::App::new("pinctl", "PINCTL_", "1"));
        config.github_repo = Some("acme/pinctl".to_string());
        let report = crate::report::sample();
        let text = question(&report, &config);
        let title = crate::outgoing_issue(&report, &config).title;
        assert!(text.contains(&format!("Title: {title}")), "{text}");
        assert!(
            text.contains("Send this error report to acme/pinctl?"),
            "{text}"
        );
        assert!(text.contains(" bytes)"), "{text}");
    }
}
