//! What `last_delivery()` says: `Pending` right after a failure, where the report went once
//! the worker is done with it, and nothing for a failure that happened after the guard was
//! dropped (not the previous report's trace ID).
//!
//! One test, in steps: `init` is process-wide.

use std::time::Duration;

use autoheal::Outcome;

#[autoheal::auto_heal(name = "load the index")]
fn load_index() -> Result<(), std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "the index file is missing",
    ))
}

#[test]
fn last_delivery_follows_the_worker_and_forgets_after_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.path().to_path_buf();
    // No repository, no token: reports stay in the queue, with the reason.
    let guard = autoheal::init(config.clone());

    assert!(load_index().is_err());
    let handed_off = autoheal::last_delivery().expect("reported");
    assert_eq!(handed_off.trace_id.len(), 32);
    assert!(
        matches!(
            handed_off.outcome,
            Outcome::Pending { .. } | Outcome::Queued { .. }
        ),
        "{:?}",
        handed_off.outcome
    );
    assert!(autoheal::flush(Duration::from_secs(60)));
    let done = autoheal::last_delivery().expect("reported");
    assert_eq!(done.trace_id, handed_off.trace_id);
    match &done.outcome {
        Outcome::Queued { path, reason } => {
            assert!(path.exists(), "{}", path.display());
            assert!(
                reason.contains("neither a GitHub repository nor a token is set"),
                "{reason}"
            );
        }
        other => panic!("queued: {other:?}"),
    }
    assert_eq!(done.fingerprint.len(), 32, "fingerprinted by the worker");

    drop(guard);
    assert!(load_index().is_err());
    assert_eq!(
        autoheal::last_delivery(),
        None,
        "a failure after the guard was dropped was not reported"
    );
}
