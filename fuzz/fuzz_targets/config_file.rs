//! Any configuration file: parsing never panics; a file that parses is saved and read back
//! unchanged (without token keys), and the configuration loaded from it either loads or says
//! why, and every value it shows can be set back with `config --set`.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use autoheal::config::{ConfigFile, KEYS, Overrides, Status, display_value};
use autoheal::{App, Config};
use libfuzzer_sys::fuzz_target;

/// A private configuration directory for this fuzzing process.
fn config_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("autoheal-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = config_dir();
    let path = ConfigFile::in_dir(dir);
    let Ok(file) = ConfigFile::parse(data, &path) else {
        return;
    };
    file.save()
        .expect("a configuration that parses can be saved");
    let reloaded = ConfigFile::load(&path).expect("a saved configuration loads");
    assert!(reloaded.token_keys().is_empty(), "a token key was saved");
    assert_eq!(reloaded.unknown_keys(), file.unknown_keys());
    let names = KEYS
        .iter()
        .map(|k| k.name.to_string())
        .chain(file.unknown_keys());
    for name in names {
        assert_eq!(
            reloaded.get(&name),
            file.get(&name),
            "{name} changed on save"
        );
    }

    let app = App::new("fuzz", "AUTOHEAL_FUZZ_", "0.0.0");
    let dir_text = dir.to_string_lossy().into_owned();
    let env = |name: &str| (name == "AUTOHEAL_FUZZ_CONFIG_DIR").then(|| dir_text.clone());
    if let Ok(loaded) = Config::load_with_env(app, &Overrides::new(), &env) {
        let status = Status::new(&loaded, 0, 0);
        let _ = status.to_string();
        let _ = serde_json::to_string(&status).expect("the status serialises");
        for key in KEYS {
            let value = key.value_of(&loaded.config);
            // "(not set)" shows that an optional key has no value; it is not one to set.
            if value.is_null() {
                continue;
            }
            let shown = display_value(&value);
            if let Err(error) = key.parse_text(&shown) {
                panic!("{} = {shown:?} cannot be set back: {error}", key.name);
            }
        }
    }
});
