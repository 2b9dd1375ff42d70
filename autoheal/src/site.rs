//! Where an annotated function is: the [`SiteInfo`] its expansion fixes at compile time, and
//! the function path read from it.

use crate::report::Site;

/// Where an annotated function is, fixed at compile time.
#[derive(Debug)]
pub struct SiteInfo {
    /// The `name = "..."` argument, if given.
    pub name: Option<&'static str>,
    /// `module_path!()` at the function.
    pub module: &'static str,
    /// `file!()` at the function.
    pub file: &'static str,
    /// `line!()` of the function's name.
    pub line: u32,
    /// The `labels(...)` argument.
    pub labels: &'static [&'static str],
    /// Returns the type name of a function item nested in the annotated function, from which
    /// the function's full path (with its `impl` type) is read.
    pub locate: fn() -> &'static str,
    /// Whether the function's own tracing span closes before its failure is captured:
    /// `#[tracing::instrument]` is written above `#[auto_heal]`, so the span wraps the capture
    /// boundary from outside and is gone when the error reaches it.
    pub span_closes_first: bool,
}

impl SiteInfo {
    /// The operation's name, as listed in a report's frames: the `name` argument, else the
    /// function's path.
    pub(crate) fn operation(&self) -> String {
        match self.name {
            Some(name) => name.to_string(),
            None => function_path((self.locate)()),
        }
    }

    /// The site of a report: the function's real path, and the `name` argument beside it.
    pub(crate) fn to_site(&self) -> Site {
        Site {
            function: function_path((self.locate)()),
            name: self.name.map(str::to_string),
            module: self.module.to_string(),
            file: self.file.to_string(),
            line: self.line,
        }
    }
}

/// The function's own name, the last segment of its path: `run` for `my_app::Server::run`.
pub(crate) fn function_name(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// `my_app::Server::run::{{closure}}::__autoheal_locate` → `my_app::Server::run`; also names
/// the function of a backtrace frame inside a closure (`my_app::main::{{closure}}`).
pub(crate) fn function_path(locator: &str) -> String {
    let path = locator
        .strip_suffix("::__autoheal_locate")
        .unwrap_or(locator);
    path.split("::")
        .filter(|segment| *segment != "{{closure}}")
        .collect::<Vec<_>>()
        .join("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_paths_drop_closures_and_the_locator() {
        assert_eq!(
            function_path("my_app::Server::run::{{closure}}::__autoheal_locate"),
            "my_app::Server::run"
        );
        assert_eq!(
            function_path("my_app::load::__autoheal_locate"),
            "my_app::load"
        );
    }
}
