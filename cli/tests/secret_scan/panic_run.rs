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
    // A panic message that holds a secret is printed by autoheal, masked, in the form of
    // Rust's default hook (which can only print the message as the program wrote it).
    assert!(
        run.stderr
            .contains("panicked at cli/tests/secret_scan/panic_run.rs:")
            && run.stderr.contains("\nthe pin store at postgres://")
            && run.stderr.contains("[REDACTED]"),
        "the panic is printed, masked:\n{}",
        run.stderr
    );
    scan.run(&format!("a panic, RUST_BACKTRACE={backtrace}"), &run);
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
    let config = autoheal::Config::load(app, &autoheal::config::Overrides::new())
        .unwrap()
        .config;
    assert!(config.enabled, "reporting is on in the sandbox");
    let _guard = autoheal::init(config);
    let url = std::env::var("DATABASE_URL").unwrap();
    let _ = load_pin_store(&url);
}
