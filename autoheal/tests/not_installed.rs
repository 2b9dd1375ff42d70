//! Before `init` (and after its guard is dropped) autoheal does nothing: no capture, no file,
//! no change to results. This file is its own test binary: nothing in it installs autoheal
//! but its single test, which runs its steps in order.

use autoheal::{App, Config, Level, Outcome, capture_message};

#[autoheal::auto_heal]
fn fails() -> Result<(), String> {
    Err("boom".to_string())
}

#[test]
fn nothing_is_reported_until_init_and_after_the_guard_is_dropped() {
    assert_eq!(fails(), Err("boom".to_string()));
    assert!(capture_message(Level::Error, "nobody listens").is_none());
    assert!(autoheal::last_delivery().is_none());

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_app(App::new("not_installed", "NOT_INSTALLED_", "1.0.0"));
    config.config_dir = dir.path().to_path_buf();
    config.enabled = true;
    let guard = autoheal::init(config);
    assert_eq!(fails(), Err("boom".to_string()));
    assert!(autoheal::flush(std::time::Duration::from_secs(60)));
    let delivery = autoheal::last_delivery().expect("reported while installed");
    assert!(
        matches!(&delivery.outcome, Outcome::Queued { path, .. } if path.starts_with(dir.path()))
    );
    drop(guard);

    assert_eq!(fails(), Err("boom".to_string()));
    assert_eq!(
        autoheal::last_delivery(),
        None,
        "nothing new after the guard is dropped, and not the last report either"
    );
    assert_eq!(autoheal::Queue::open(dir.path().join("queue")).len(), 1);
}
