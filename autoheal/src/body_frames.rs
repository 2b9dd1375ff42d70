//! The frames of an annotated function's body, named after the function.
//!
//! `#[auto_heal]` runs a synchronous body in a closure (called through
//! [`run_sync_body`](crate::frames::run_sync_body)) and an `async fn`'s body in an `async`
//! block (polled by [`AsyncFrame`](crate::frames::AsyncFrame)). A backtrace through such a
//! function shows the body as `app::load::{{closure}}`, then the runner, then the function
//! itself at the line of the attribute:
//!
//! ```text
//! app::load::{{closure}}                 app/src/config.rs:42   the body, where it failed
//! autoheal::frames::run_sync_body        autoheal/src/frames.rs
//! app::load                              app/src/config.rs:38   the #[auto_heal] line
//! ```
//!
//! [`fold_body_frames`] makes that one frame, `app::load` at line 42, and names the user's own
//! closures inside the body as they are written (`app::load::{{closure}}`, not
//! `app::load::{{closure}}::{{closure}}`). A closure of the user's that is called directly is
//! left alone: only a runner between two frames tells the attribute's.

use crate::report::BacktraceFrame;

/// How a runner of a body shows in a backtrace, and how many closure levels its body adds to
/// the function's name.
const RUNNERS: [(&str, usize); 2] = [
    // `app::load::{{closure}}` inside `app::load`.
    ("autoheal::frames::run_sync_body", 0),
    // `app::load::{{closure}}::{{closure}}` inside `app::load::{{closure}}`, the state
    // machine of the `async fn` itself.
    ("<autoheal::frames::AsyncFrame<", 1),
];

/// Fold each annotated body's frames into its function's, in `frames` (innermost first).
pub(crate) fn fold_body_frames(frames: &mut Vec<BacktraceFrame>) {
    let mut index = 0;
    while index + 2 < frames.len() {
        match body_at(frames, index) {
            Some((body, function)) => {
                for inner in frames.iter_mut().take(index + 1) {
                    if let Some(rest) = inner.function.strip_prefix(body.as_str())
                        && (rest.is_empty() || rest.starts_with("::"))
                    {
                        inner.function = format!("{function}{rest}");
                    }
                }
                // The runner, and the function's own frame at the attribute's line.
                frames.drain(index + 1..index + 3);
            }
            None => index += 1,
        }
    }
}

/// When `frames[index]` is an annotated body (a closure of the frame two further out, with a
/// runner between them), its name and the function's.
fn body_at(frames: &[BacktraceFrame], index: usize) -> Option<(String, String)> {
    let [body, runner, outer] = frames.get(index..index + 3)? else {
        return None;
    };
    let (_, levels) = RUNNERS
        .iter()
        .find(|(prefix, _)| runner.function.starts_with(prefix))?;
    let enclosing = strip_closure(&body.function)?;
    if enclosing != outer.function {
        return None;
    }
    let mut function = enclosing;
    for _ in 0..*levels {
        function = strip_closure(function)?;
    }
    Some((body.function.clone(), function.to_string()))
}

/// `path` without its last segment when that is a closure: `{{closure}}` (legacy mangling)
/// or `{closure#N}` (v0).
fn strip_closure(path: &str) -> Option<&str> {
    let (head, last) = path.rsplit_once("::")?;
    let is_closure = last == "{{closure}}"
        || last
            .strip_prefix("{closure#")
            .and_then(|n| n.strip_suffix('}'))
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
    is_closure.then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, line: u32) -> BacktraceFrame {
        BacktraceFrame::new(function).with_line(line)
    }

    fn names_and_lines(frames: &[BacktraceFrame]) -> Vec<(&str, Option<u32>)> {
        frames
            .iter()
            .map(|f| (f.function.as_str(), f.line))
            .collect()
    }

    #[test]
    fn a_sync_body_and_its_closures_take_the_function_s_name() {
        let mut frames = vec![
            frame("app::load::{{closure}}::{{closure}}", 44),
            frame("core::option::Option<T>::map", 1),
            frame("app::load::{{closure}}", 43),
            frame("autoheal::frames::run_sync_body", 90),
            frame("app::load", 38),
            frame("app::main", 7),
        ];
        fold_body_frames(&mut frames);
        assert_eq!(
            names_and_lines(&frames),
            [
                ("app::load::{{closure}}", Some(44)),
                ("core::option::Option<T>::map", Some(1)),
                ("app::load", Some(43)),
                ("app::main", Some(7)),
            ]
        );
    }

    #[test]
    fn an_async_body_takes_the_async_fn_s_name() {
        let mut frames = vec![
            frame("app::Server::run::{{closure}}::{{closure}}", 61),
            frame(
                "<autoheal::frames::AsyncFrame<F,I> as core::future::future::Future>::poll",
                239,
            ),
            frame("app::Server::run::{{closure}}", 55),
            frame("tokio::runtime::task::harness::poll_future", 1),
        ];
        fold_body_frames(&mut frames);
        assert_eq!(
            names_and_lines(&frames),
            [
                ("app::Server::run", Some(61)),
                ("tokio::runtime::task::harness::poll_future", Some(1)),
            ]
        );
    }

    #[test]
    fn nested_annotated_functions_fold_each_and_v0_closures_count() {
        let mut frames = vec![
            frame("app::inner::{closure#0}", 12),
            frame("autoheal::frames::run_sync_body", 90),
            frame("app::inner", 10),
            frame("app::outer::{{closure}}", 22),
            frame("autoheal::frames::run_sync_body", 90),
            frame("app::outer", 20),
        ];
        fold_body_frames(&mut frames);
        assert_eq!(
            names_and_lines(&frames),
            [("app::inner", Some(12)), ("app::outer", Some(22))]
        );
    }

    #[test]
    fn a_users_closure_called_directly_keeps_its_name() {
        let mut frames = vec![
            frame("app::load::{{closure}}", 44),
            frame("app::load", 41),
            frame("app::main", 7),
        ];
        let before = frames.clone();
        fold_body_frames(&mut frames);
        assert_eq!(frames, before);
        // A runner between frames of unrelated functions is not a body either.
        let mut unrelated = vec![
            frame("app::other::{{closure}}", 44),
            frame("autoheal::frames::run_sync_body", 90),
            frame("app::load", 41),
        ];
        let before = unrelated.clone();
        fold_body_frames(&mut unrelated);
        assert_eq!(unrelated, before);
    }
}
