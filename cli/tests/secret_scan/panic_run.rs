//! The panic of the secret scan. ipfs-kit has no command that panics, so the panic comes from
//! the test binary run again as a program ([`panicking_child`]): it starts autoheal with
//! ipfs-kit's configuration and the sandbox's environment, and panics inside an
//! `#[auto_heal]` function with a secret in its panic message and another on its command line.

use super::common::{Run, Sandbox};
use super::{JWT, Scan};

/// Set for [`panicking_child`]: the test binary run again as a program that panics.
const PANIC_CHILD: &str = "SECRET_SCAN_PANIC_CHILD";

/// Run [`panicking_child`]: a program that panics inside `#[auto_heal]` with the sandbox's
/// environment and configuration, a JWT on its command line (a test name filter that matches
/// nothing) and the database URL in its panic message.
pub(super) fn panic_briefly(sandbox: &Sandbox, scan: &mut Scan, backtrace: &str) {
    let exe = std::env::current_exe().unwrap();
    let args = [
        "--ignored",
        "--exact",
        "--nocapture",
        "--test-threads",
        "1",
        "panic_run::panicking_child",
        JWT,
    ];
    let output = sandbox
        .command_of(&exe, &args)
        .env(PANIC_CHILD, "1")
        .env("RUST_BACKTRACE", backtrace)
        .output()
        .unwrap();
    let run = Run::from(output);
    assert!(
        run.stderr.contains("panicked") && run.stdout.contains("1 failed"),
        "the child panicked:\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    // Rust's default hook, which autoheal's hook passes every panic on to, prints the message
    // as the program wrote it: that is the program's own output, not autoheal's. It is
    // scanned apart and counted; everything else on stderr is scanned as usual.
    let (rest, message) = split_default_hook_message(&run.stderr)
        .unwrap_or_else(|| panic!("the default hook printed the panic:\n{}", run.stderr));
    let mut apart = Scan::default();
    apart.check("the default panic hook's message", message.as_bytes());
    scan.default_hook_secrets += apart.leaks.len();
    let run = Run {
        stderr: rest,
        ..run
    };
    scan.run(&format!("a panic, RUST_BACKTRACE={backtrace}"), &run);
}

/// Split the message that Rust's default panic hook prints (after `thread '...' panicked at
/// FILE:LINE:COLUMN:`, up to the backtrace or the note offering one) from the rest of `stderr`.
fn split_default_hook_message(stderr: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines.iter().position(|line| {
        line.starts_with("thread '") && line.contains(" panicked at ") && line.ends_with(':')
    })? + 1;
    let end = lines[start..]
        .iter()
        .position(|line| line.starts_with("stack backtrace:") || line.starts_with("note: "))
        .map_or(lines.len(), |n| start + n);
    let message = lines[start..end].join("\n");
    let rest = [&lines[..start], &lines[end..]].concat().join("\n");
    Some((rest, message))
}

#[autoheal::auto_heal(name = "load the pin store")]
fn load_pin_store(url: &str) -> Result<usize, std::io::Error> {
    panic!("the pin store at {url} answered with a page of garbage")
}

/// The program [`panic_briefly`] runs (alone it does nothing): autoheal started with
/// ipfs-kit's configuration, then a panic inside an `#[auto_heal]` function.
#[test]
#[ignore = "a child process of the secret scan"]
fn panicking_child() {
    if std::env::var_os(PANIC_CHILD).is_none() {
        return;
    }
    let app = autoheal::App::new("ipfs_kit", "IPFS_KIT_", env!("CARGO_PKG_VERSION"));
    let config = autoheal::Config::load(app, &autoheal::Overrides::new())
        .unwrap()
        .config;
    assert!(config.enabled, "reporting is on in the sandbox");
    let _guard = autoheal::init(config);
    let url = std::env::var("DATABASE_URL").unwrap();
    let _ = load_pin_store(&url);
}

#[test]
fn only_the_default_hooks_message_is_set_apart() {
    let stderr = "[autoheal] queued\nthread 'main' (7) panicked at src/main.rs:3:5:\nthe secret\nspans two lines\nstack backtrace:\n   0: main\nnote: after";
    let (rest, message) = split_default_hook_message(stderr).unwrap();
    assert_eq!(message, "the secret\nspans two lines");
    assert_eq!(
        rest,
        "[autoheal] queued\nthread 'main' (7) panicked at src/main.rs:3:5:\nstack backtrace:\n   0: main\nnote: after"
    );
    let (_, to_the_end) =
        split_default_hook_message("thread 'x' panicked at a.rs:1:1:\nall of it").unwrap();
    assert_eq!(to_the_end, "all of it");
    assert!(split_default_hook_message("error: no panic here").is_none());
}
