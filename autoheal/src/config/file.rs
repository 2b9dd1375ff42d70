//! The configuration file: JSON, written atomically, readable by its owner only, unknown keys
//! kept, never a token.

use std::borrow::Cow;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::keys::{Key, TOKEN_KEYS};
use crate::{Error, Result};

/// The file's name inside the configuration directory.
pub const FILE_NAME: &str = "auto_heal_config.json";

/// The configuration file's contents, as written by the user or by `config --set`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigFile {
    path: PathBuf,
    values: Map<String, Value>,
}

impl ConfigFile {
    /// The file in configuration directory `dir`.
    pub fn in_dir(dir: &Path) -> PathBuf {
        dir.join(FILE_NAME)
    }

    /// Read the file at `path`; a missing file is an empty configuration.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, or is not a JSON object: the error names the file, line and
    /// column.
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConfigFile::empty(path));
            }
            Err(e) => return Err(Error::io("read the configuration file", path, e)),
        };
        ConfigFile::parse(&bytes, path)
    }

    /// Read configuration text (the bytes of the file at `path`, which names the file in
    /// errors): blank text is an empty configuration.
    ///
    /// # Errors
    ///
    /// When the text is not a JSON object: the error names the file, line and column.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<ConfigFile> {
        let malformed = |line: usize, column: usize, message: String| Error::MalformedConfig {
            path: path.to_path_buf(),
            line,
            column,
            message,
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ConfigFile::empty(path));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(values)) => Ok(ConfigFile {
                path: path.to_path_buf(),
                values,
            }),
            Ok(other) => Err(malformed(
                1,
                1,
                format!("expected a JSON object, found {}", json_kind(&other)),
            )),
            Err(e) => {
                // The position goes in front of the message, once.
                let message = e.to_string();
                let suffix = format!(" at line {} column {}", e.line(), e.column());
                let message = message
                    .strip_suffix(&suffix)
                    .unwrap_or(&message)
                    .to_string();
                Err(malformed(e.line(), e.column().max(1), message))
            }
        }
    }

    fn empty(path: &Path) -> ConfigFile {
        ConfigFile {
            path: path.to_path_buf(),
            values: Map::new(),
        }
    }

    /// Read the file to change it: a malformed file is first copied to `<file>.bak` (or
    /// `<file>.bak.2`, `.bak.3`, ... when older backups exist; none is overwritten) and replaced
    /// by an empty configuration, so nothing is lost silently. Secret-looking values are masked
    /// in the copy.
    ///
    /// Returns the file and, when one was made, the backup's path.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or the backup cannot be written.
    pub fn load_for_update(path: &Path) -> Result<(ConfigFile, Option<PathBuf>)> {
        match ConfigFile::load(path) {
            Ok(file) => Ok((file, None)),
            Err(Error::MalformedConfig { .. }) => {
                let backup = keep_backup(path)?;
                Ok((ConfigFile::empty(path), Some(backup)))
            }
            Err(other) => Err(other),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw value of `name` in the file.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Set a checked value.
    pub fn set(&mut self, key: &Key, value: Value) {
        self.values.insert(key.name.to_string(), value);
    }

    /// Remove a key; returns whether it was there.
    pub fn unset(&mut self, name: &str) -> bool {
        self.values.remove(name).is_some()
    }

    /// Keys in the file that are neither settings nor token keys: kept on save, unused.
    pub fn unknown_keys(&self) -> Vec<String> {
        self.values
            .keys()
            .filter(|name| !TOKEN_KEYS.contains(&name.as_str()) && super::keys::find(name).is_err())
            .cloned()
            .collect()
    }

    /// Token keys found in the file: ignored, and removed on the next save.
    pub fn token_keys(&self) -> Vec<&'static str> {
        TOKEN_KEYS
            .iter()
            .copied()
            .filter(|k| self.values.contains_key(*k))
            .collect()
    }

    /// Write the file atomically (temporary file, sync, rename), mode 0600 in a 0700 directory,
    /// without any token key.
    ///
    /// # Errors
    ///
    /// When the directory or the file cannot be written; the previous file is then unchanged.
    pub fn save(&self) -> Result<()> {
        let mut values = self.values.clone();
        for key in TOKEN_KEYS {
            values.remove(*key);
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(values))
            .unwrap_or_else(|_| "{}".to_string());
        text.push('\n');
        crate::durable::write_atomically(&self.path, text.as_bytes())
    }
}

/// Copy `path` to the first free backup name, readable by its owner only. Secret-looking
/// values (a token pasted into the file) are masked in the copy: no token is ever written.
fn keep_backup(path: &Path) -> Result<PathBuf> {
    let original = fs::read(path).map_err(|e| Error::io("read the configuration file", path, e))?;
    let text = String::from_utf8_lossy(&original);
    let bytes = match crate::Redactor::default().redact(&text) {
        Cow::Owned(masked) => masked.into_bytes(),
        Cow::Borrowed(_) => original.clone(),
    };
    let mut last_error = None;
    for attempt in 1..=MAX_BACKUPS {
        let backup = backup_path(path, attempt);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&backup) {
            Ok(mut file) => {
                return match file.write_all(&bytes).and_then(|()| file.sync_all()) {
                    Ok(()) => Ok(backup),
                    Err(e) => {
                        let _ = fs::remove_file(&backup);
                        Err(Error::io(
                            "keep a copy of the malformed configuration at",
                            &backup,
                            e,
                        ))
                    }
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => {
                return Err(Error::io(
                    "keep a copy of the malformed configuration at",
                    &backup,
                    e,
                ));
            }
        }
    }
    Err(Error::io(
        "keep a copy of the malformed configuration next to",
        path,
        last_error.unwrap_or_else(|| std::io::Error::other("too many backups")),
    ))
}

/// How many backups of malformed files are kept side by side before autoheal gives up.
const MAX_BACKUPS: u32 = 100;

/// `<file>.bak` for the first backup, `<file>.bak.N` for the N-th.
fn backup_path(path: &Path, attempt: u32) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".bak");
    if attempt > 1 {
        name.push(format!(".{attempt}"));
    }
    path.with_file_name(name)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keys;

    #[test]
    fn a_missing_file_is_an_empty_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConfigFile::load(&ConfigFile::in_dir(dir.path())).unwrap();
        assert_eq!(file.get("enabled"), None);
    }

    #[test]
    fn malformed_json_names_the_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(dir.path());
        fs::write(&path, "{\n  \"enabled\": true,\n  \"github_repo\": \n}\n").unwrap();
        match ConfigFile::load(&path) {
            Err(
                error @ Error::MalformedConfig {
                    line: 4, column: 1, ..
                },
            ) => assert!(
                error
                    .to_string()
                    .ends_with(":4:1: the configuration file is not valid JSON: expected value"),
                "{error}"
            ),
            other => panic!("expected a malformed-file error, got {other:?}"),
        }
        let (file, backup) = ConfigFile::load_for_update(&path).unwrap();
        assert_eq!(file.get("enabled"), None);
        let backup = backup.expect("a backup was kept");
        assert_eq!(
            fs::read_to_string(backup).unwrap(),
            fs::read_to_string(&path).unwrap()
        );
    }

    #[test]
    fn a_second_malformed_file_does_not_overwrite_the_first_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(dir.path());
        fs::write(&path, "{ first").unwrap();
        let (_, first) = ConfigFile::load_for_update(&path).unwrap();
        fs::write(&path, "{ second").unwrap();
        let (_, second) = ConfigFile::load_for_update(&path).unwrap();
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first, dir.path().join("auto_heal_config.json.bak"));
        assert_eq!(second, dir.path().join("auto_heal_config.json.bak.2"));
        assert_eq!(fs::read_to_string(first).unwrap(), "{ first");
        assert_eq!(fs::read_to_string(&second).unwrap(), "{ second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(second).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_token_in_a_malformed_file_is_masked_in_its_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(dir.path());
        let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
        fs::write(
            &path,
            format!("{{\"github_token\": \"{token}\", \"enabled\": tru}}"),
        )
        .unwrap();
        let (_, backup) = ConfigFile::load_for_update(&path).unwrap();
        let kept = fs::read_to_string(backup.unwrap()).unwrap();
        assert!(!kept.contains(token), "{kept}");
        assert!(
            kept.contains("\"enabled\": tru"),
            "the rest is kept: {kept}"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_or_not_an_object_are_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(dir.path());
        fs::write(&path, b"{\"enabled\": \"\xff\"}").unwrap();
        assert!(matches!(
            ConfigFile::load(&path),
            Err(Error::MalformedConfig { line: 1, .. })
        ));
        fs::write(&path, "[true]").unwrap();
        match ConfigFile::load(&path) {
            Err(error @ Error::MalformedConfig { .. }) => {
                assert!(
                    error
                        .to_string()
                        .contains("expected a JSON object, found an array")
                )
            }
            other => panic!("expected a malformed-file error, got {other:?}"),
        }
        fs::write(&path, "  \n").unwrap();
        assert_eq!(ConfigFile::load(&path).unwrap().get("enabled"), None);
    }

    #[test]
    fn unknown_keys_are_listed_without_settings_or_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(dir.path());
        fs::write(
            &path,
            r#"{"enabeld": true, "enabled": false, "token": "x", "team": "infra"}"#,
        )
        .unwrap();
        let file = ConfigFile::load(&path).unwrap();
        assert_eq!(file.unknown_keys(), ["enabeld", "team"]);
    }

    #[test]
    fn saving_keeps_unknown_keys_and_drops_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(&dir.path().join("nested"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(
            &path,
            r#"{"future_key": {"x": 1}, "github_token": "ghp_x", "enabled": false}"#,
        )
        .unwrap();
        let mut file = ConfigFile::load(&path).unwrap();
        assert_eq!(file.token_keys(), ["github_token"]);
        file.set(keys::find("enabled").unwrap(), Value::Bool(true));
        file.save().unwrap();
        let saved: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(saved["future_key"]["x"], 1);
        assert_eq!(saved["enabled"], true);
        assert!(saved.get("github_token").is_none());
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [FILE_NAME], "no temporary file is left");
    }

    #[test]
    fn saving_keeps_every_digit_of_an_unknown_number() {
        // A decimal that needs correct rounding: a fast float parser reads its last bit wrong,
        // and the file would change on every save (found by the config_file fuzz target).
        let number = format!("{}2.5", "6".repeat(108));
        let dir = tempfile::tempdir().unwrap();
        let path = ConfigFile::in_dir(dir.path());
        fs::write(
            &path,
            format!(r#"{{"future_key": [{number}], "enabled": false}}"#),
        )
        .unwrap();
        let original: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for _ in 0..2 {
            let mut file = ConfigFile::load(&path).unwrap();
            file.set(keys::find("enabled").unwrap(), Value::Bool(true));
            file.save().unwrap();
        }
        let saved: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(saved["future_key"], original["future_key"]);
        assert_eq!(
            saved["future_key"][0].as_f64(),
            number.parse::<f64>().ok(),
            "the value std reads from the original text"
        );
    }
}
