//! The failures of the corpus, produced for real on this machine wherever it can: failing
//! std calls, serde_json, toml, ureq and tokio against 127.0.0.1, a local openssl server,
//! panics, the loader, rustc, cc and cargo. Recorded text only where this machine cannot
//! produce the failure, each saying so.

use std::io::{self, ErrorKind, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::Command;

use super::build::tests as ci;
use super::tests_support::report_with;
use crate::{Report, ReportKind};

/// One failure and the rules that own it.
pub(super) struct Case {
    /// What was run to produce it.
    pub(super) what: String,
    /// The rule the failure is.
    pub(super) owner: &'static str,
    /// Rules the failure also truly is (a panic on an `Err` is the error inside it too).
    pub(super) also: &'static [&'static str],
    /// The report, as the failure was captured.
    pub(super) report: Report,
}

fn case(what: &str, owner: &'static str, message: &str, chain: &[&str]) -> Case {
    Case {
        what: what.to_string(),
        owner,
        also: &[],
        report: report_with(message, chain),
    }
}

pub(super) fn error_text<T, E: std::fmt::Display>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => panic!("the operation was expected to fail"),
        Err(error) => error.to_string(),
    }
}

fn debug_text<T, E: std::fmt::Debug>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => panic!("the operation was expected to fail"),
        Err(error) => format!("{error:?}"),
    }
}

/// std's text for the OS error `code` and for the `io::ErrorKind` `kind`, both real.
fn std_texts(code: i32, kind: ErrorKind) -> (String, String) {
    (
        io::Error::from_raw_os_error(code).to_string(),
        io::Error::from(kind).to_string(),
    )
}

fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The panic message of `f`, as the panic hook would report it.
fn panic_text(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn panic_case(what: &str, owner: &'static str, message: String) -> Case {
    let mut case = case(what, owner, &message, &[]);
    case.report.kind = ReportKind::Panic;
    case
}

fn std_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let missing = std::fs::read("/nonexistent/autoheal/pins.txt");
    cases.push(case(
        "std::fs::read of a missing file",
        "file-not-found",
        "could not read /nonexistent/autoheal/pins.txt",
        &[&error_text(std::fs::read("/nonexistent/autoheal/pins.txt"))],
    ));
    cases.push(case(
        "std::fs::read, the error's Debug form",
        "file-not-found",
        &debug_text(missing),
        &[],
    ));
    let (os, kind) = std_texts(2, ErrorKind::NotFound);
    cases.push(case(
        "io::ErrorKind::NotFound",
        "file-not-found",
        &kind,
        &[],
    ));
    cases.push(case(
        "raw ENOENT",
        "file-not-found",
        "opening the cache",
        &[&os],
    ));
    let (os, kind) = std_texts(13, ErrorKind::PermissionDenied);
    cases.push(case(
        "raw EACCES",
        "permission-denied",
        "writing /var/lib/app/x",
        &[&os],
    ));
    cases.push(case(
        "io::ErrorKind::PermissionDenied",
        "permission-denied",
        &kind,
        &[],
    ));
    let (os, kind) = std_texts(30, ErrorKind::ReadOnlyFilesystem);
    cases.push(case(
        "raw EROFS",
        "read-only-filesystem",
        "creating /app/cache",
        &[&os],
    ));
    cases.push(case(
        "io::ErrorKind::ReadOnlyFilesystem",
        "read-only-filesystem",
        &kind,
        &[],
    ));
    cases.push(case(
        "std::fs::write to /dev/full",
        "disk-full",
        "writing the index",
        &[&error_text(std::fs::write("/dev/full", b"x"))],
    ));
    let (_, kind) = std_texts(28, ErrorKind::StorageFull);
    cases.push(case("io::ErrorKind::StorageFull", "disk-full", &kind, &[]));
    let (os, _) = std_texts(24, ErrorKind::Other);
    cases.push(case(
        "raw EMFILE",
        "too-many-open-files",
        "accepting",
        &[&os],
    ));
    let (os, kind) = std_texts(12, ErrorKind::OutOfMemory);
    cases.push(case(
        "raw ENOMEM",
        "out-of-memory",
        "mapping the file",
        &[&os],
    ));
    cases.push(case(
        "io::ErrorKind::OutOfMemory",
        "out-of-memory",
        &kind,
        &[],
    ));
    // std's allocation error handler aborts the process; its words, from its source.
    cases.push(case(
        "the allocation error handler (recorded)",
        "out-of-memory",
        "memory allocation of 68719476736 bytes failed",
        &[],
    ));

    let port = closed_port();
    let refused = error_text(TcpStream::connect(("127.0.0.1", port)));
    cases.push(case(
        "TcpStream::connect to a closed port",
        "connection-refused",
        &format!("could not connect to 127.0.0.1:{port}"),
        &[&refused],
    ));
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let held = holder.local_addr().unwrap().port();
    cases.push(case(
        "TcpListener::bind of a held port",
        "address-in-use",
        "starting the server",
        &[&error_text(TcpListener::bind(("127.0.0.1", held)))],
    ));
    let (_, kind) = std_texts(0, ErrorKind::AddrInUse);
    cases.push(case(
        "io::ErrorKind::AddrInUse",
        "address-in-use",
        &kind,
        &[],
    ));
    cases.push(case(
        "std::env::var of an unset variable",
        "missing-env-var",
        "reading AUTOHEAL_CORPUS_UNSET",
        &[&error_text(std::env::var("AUTOHEAL_CORPUS_UNSET"))],
    ));
    let empty = tempfile::tempdir().unwrap();
    cases.push(case(
        "Command::spawn of a program not on PATH",
        "missing-executable",
        "failed to spawn `autoheal-missing-tool`",
        &[&error_text(
            Command::new("autoheal-missing-tool")
                .env("PATH", empty.path())
                .spawn(),
        )],
    ));
    cases
}

fn crate_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // std's read timeout on a server that accepts and never answers: EAGAIN on Linux.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut stream = TcpStream::connect(silent.local_addr().unwrap()).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_millis(50)))
        .unwrap();
    let mut answer = [0u8; 16];
    cases.push(case(
        "TcpStream::read past its read timeout",
        "timed-out",
        "reading the daemon's answer",
        &[&error_text(stream.read(&mut answer))],
    ));
    let port = closed_port();
    let refused = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap()
        .block_on(async { tokio::net::TcpStream::connect(("127.0.0.1", port)).await });
    cases.push(case(
        "tokio::net::TcpStream::connect to a closed port",
        "connection-refused",
        &format!("could not connect to 127.0.0.1:{port}"),
        &[&error_text(refused)],
    ));
    cases.push(case(
        "serde_json::from_str of bad JSON",
        "malformed-json",
        "could not load /etc/app/settings.json",
        &[&error_text(serde_json::from_str::<serde_json::Value>(
            "{\"port\": 8004 \"host\": 1}",
        ))],
    ));
    cases.push(case(
        "toml::from_str of bad TOML",
        "malformed-toml",
        "could not load /etc/app/config.toml",
        &[&error_text(toml::from_str::<toml::Table>(
            "name = \"pins\"\nport 8004\n",
        ))],
    ));
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/api/v0/id");
    cases.push(case(
        "ureq to a closed port",
        "connection-refused",
        &format!("could not reach {url}"),
        &[&error_text(ureq::post(&url).send_empty())],
    ));
    // A server that accepts and never answers: ureq's timeout, for real.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}/", silent.local_addr().unwrap());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_millis(300)))
        .build()
        .into();
    cases.push(case(
        "ureq to a server that never answers",
        "timed-out",
        &format!("fetching {silent_url}"),
        &[&error_text(agent.get(&silent_url).call())],
    ));
    drop(silent);
    let elapsed = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_millis(10),
                std::future::pending::<()>(),
            )
            .await
        });
    cases.push(case(
        "tokio::time::timeout",
        "timed-out",
        "waiting for the daemon",
        &[&error_text(elapsed)],
    ));
    let (server, port) = answering_server("HTTP/1.1 401 Unauthorized");
    let url = format!("http://127.0.0.1:{port}/repos/acme/tools/issues");
    let error = error_text(ureq::get(&url).call());
    server.join().unwrap();
    cases.push(case(
        "ureq receiving a 401",
        "http-unauthorized",
        &format!("listing {url}"),
        &[&error],
    ));
    // Name resolution leaves this machine; ureq's, std's and hyper's words, from their
    // sources.
    for (what, text) in [
        ("ureq 3 (recorded)", "host not found"),
        (
            "std over glibc (recorded)",
            "failed to lookup address information: Name or service not known",
        ),
        (
            "reqwest/hyper (recorded)",
            "client error (Connect): dns error: failed to lookup address information: Temporary failure in name resolution",
        ),
    ] {
        cases.push(case(
            what,
            "dns-resolution",
            "calling https://api.example.invalid/v1",
            &[text],
        ));
    }
    // openssl's self-signed certificate is a CA's (rustls: CaUsedAsEndEntity); marked as no
    // CA, it is a leaf no known authority signed (rustls: UnknownIssuer).
    for (what, extension) in [
        ("ureq (rustls) to a self-signed server", None),
        (
            "ureq (rustls) to a server of an unknown issuer",
            Some("basicConstraints=critical,CA:FALSE"),
        ),
    ] {
        match real_self_signed_failure(extension) {
            Some(error) => cases.push(case(
                what,
                "tls-certificate",
                "calling the local server",
                &[&error],
            )),
            None => fake_github::tools::skip(&format!("openssl is not installed ({what})")),
        }
    }
    // An expired certificate cannot be made without a clock to turn back: rustls 0.23's
    // words, from its source.
    cases.push(case(
        "rustls on an expired certificate (recorded)",
        "tls-certificate",
        "calling https://expired.example/",
        &["invalid peer certificate: certificate expired: verification time 1764734400 (UNIX), but certificate is not valid after 1764648000 (86400 seconds ago)"],
    ));
    cases
}

/// ureq's error for a server whose certificate no authority signed: `openssl s_server` with
/// a self-signed certificate (with `extension` added) on 127.0.0.1. `None` when openssl is
/// not installed.
pub(super) fn real_self_signed_failure(extension: Option<&str>) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(extension.map(|e| ["-addext", e]).into_iter().flatten())
        .args([
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=localhost",
        ])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    assert!(made.success(), "openssl req failed");
    let port = closed_port();
    let mut server = Command::new("openssl")
        .args([
            "s_server", "-quiet", "-www", "-cert", "cert.pem", "-key", "key.pem",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let started = std::time::Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "openssl s_server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let error = error_text(ureq::get(&format!("https://localhost:{port}/")).call());
    let _ = server.kill();
    let _ = server.wait();
    Some(error)
}

/// A server on 127.0.0.1 that answers one request with `status`.
fn answering_server(status: &str) -> (std::thread::JoinHandle<()>, u16) {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let answer = format!("{status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = server.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        stream.write_all(answer.as_bytes()).unwrap();
    });
    (handle, port)
}

fn panic_cases() -> Vec<Case> {
    let none: Option<u8> = std::hint::black_box(None);
    let mut cases = vec![
        panic_case(
            "Option::unwrap on None",
            "unwrap-on-none",
            panic_text(move || {
                none.unwrap();
            }),
        ),
        panic_case(
            "indexing past the end",
            "index-out-of-bounds",
            panic_text(|| {
                let v = std::hint::black_box(vec![1, 2, 3]);
                let _ = v[std::hint::black_box(5)];
            }),
        ),
    ];
    if cfg!(debug_assertions) {
        cases.push(panic_case(
            "u8 addition past 255",
            "integer-overflow",
            panic_text(|| {
                let _ = std::hint::black_box(255u8) + std::hint::black_box(1u8);
            }),
        ));
    }
    let mut on_err = panic_case(
        "Result::unwrap on a missing file",
        "unwrap-on-err",
        panic_text(|| {
            std::fs::read("/nonexistent/autoheal/x").unwrap();
        }),
    );
    on_err.also = &["file-not-found"];
    cases.push(on_err);
    cases
}

fn loader_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // dlopen at run time, in a tiny process (python's ctypes calls dlopen and shows dlerror).
    match Command::new("python3")
        .args([
            "-c",
            "import ctypes; ctypes.CDLL('libautoheal_missing.so.1')",
        ])
        .output()
    {
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            let line = stderr.lines().last().unwrap_or("").to_string();
            cases.push(case(
                "dlopen of a missing library",
                "missing-shared-library",
                "loading the plug-in",
                &[&line],
            ));
        }
        Err(_) => fake_github::tools::skip("python3 is not installed (dlopen case)"),
    }
    // The loader at start-up: a program linked to a library that is then removed.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lib.c"),
        "int autoheal_f(void) { return 1; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.c"),
        "int autoheal_f(void);\nint main(void) { return autoheal_f(); }\n",
    )
    .unwrap();
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-o", "libautoheal_gone.so", "lib.c"])
        .current_dir(dir.path())
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("cc")
            .args(["main.c", "-L.", "-lautoheal_gone", "-o", "prog"])
            .current_dir(dir.path())
            .status()
            .is_ok_and(|s| s.success());
    if built {
        std::fs::remove_file(dir.path().join("libautoheal_gone.so")).unwrap();
        let output = Command::new(dir.path().join("prog")).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        cases.push(case(
            "the loader at start-up",
            "missing-shared-library",
            &stderr,
            &[],
        ));
    } else {
        fake_github::tools::skip("cc could not build the start-up loader case");
    }
    cases
}

fn ci_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut push = |what: &str, owner: &'static str, output: Option<String>| match output {
        Some(output) => cases.push(Case {
            what: what.to_string(),
            owner,
            also: &[],
            report: ci::ci_report(&output),
        }),
        None => fake_github::tools::skip(what),
    };
    push(
        "rustc on an unresolved import",
        "unresolved-import",
        ci::real_unresolved_import(),
    );
    push(
        "cc linking a missing library",
        "missing-system-library",
        ci::real_missing_link_library()
            .map(|o| format!("error: linking with `cc` failed: exit status: 1\n  = note: {o}")),
    );
    push(
        "cargo --locked with a stale lock file",
        "lock-file-out-of-date",
        ci::real_locked_refusal(),
    );
    push(
        "cargo resolving an impossible requirement",
        "version-conflict",
        ci::real_version_conflict(),
    );
    push(
        "cargo with an unreachable registry",
        "registry-unreachable",
        ci::real_unreachable_registry(),
    );
    push(
        "cargo-nextest over its limit (recorded)",
        "test-timed-out",
        Some(ci::NEXTEST_TIMEOUT.to_string()),
    );
    push(
        "libtest's slow warning (recorded)",
        "test-timed-out",
        Some(ci::LIBTEST_SLOW.to_string()),
    );
    cases
}

pub(super) fn corpus() -> Vec<Case> {
    let mut all = std_cases();
    all.extend(crate_cases());
    all.extend(panic_cases());
    all.extend(loader_cases());
    all.extend(ci_cases());
    all
}
