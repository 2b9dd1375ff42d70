//! JSON for autoheal's own types, read and written through `serde_json` without serde's derive
//! macro: every program that uses autoheal is spared compiling `serde_derive` (and the `syn`
//! it needs) for a handful of types.
//!
//! Writing: the public types implement `serde::Serialize` by hand, field by field in their
//! documented order; the files only autoheal reads are written from a [`Value`].
//! Reading: [`FromJson`] builds a value from parsed JSON, naming the field that is wrong; the
//! public types implement `serde::Deserialize` through it.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Map, Value};

/// A type read from parsed JSON.
pub(crate) trait FromJson: Sized {
    /// The value `json` describes, or what is wrong with it.
    fn from_json(json: &Value) -> Result<Self, String>;
}

/// `text` parsed as JSON and read as a `T`.
#[cfg(any(feature = "github", test))]
pub(crate) fn parse<T: FromJson>(text: &str) -> Result<T, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    T::from_json(&json)
}

/// The fields of a JSON object being read into a struct.
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// The fields of `json`, which must be an object.
    pub(crate) fn of(json: &'a Value, what: &str) -> Result<Fields<'a>, String> {
        match json {
            Value::Object(object) => Ok(Fields { object }),
            other => Err(format!("{what}: expected an object, found {}", kind(other))),
        }
    }

    /// A field that must be present (and not `null`).
    pub(crate) fn required<T: FromJson>(&self, name: &str) -> Result<T, String> {
        match self.object.get(name) {
            None | Some(Value::Null) => Err(format!("missing field `{name}`")),
            Some(json) => T::from_json(json).map_err(|e| format!("field `{name}`: {e}")),
        }
    }

    /// A field that may be missing or `null`.
    pub(crate) fn optional<T: FromJson>(&self, name: &str) -> Result<Option<T>, String> {
        match self.object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(json) => T::from_json(json)
                .map(Some)
                .map_err(|e| format!("field `{name}`: {e}")),
        }
    }

    /// A field that takes its default when missing or `null`.
    pub(crate) fn or_default<T: FromJson + Default>(&self, name: &str) -> Result<T, String> {
        Ok(self.optional(name)?.unwrap_or_default())
    }
}

fn kind(json: &Value) -> &'static str {
    match json {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl FromJson for String {
    fn from_json(json: &Value) -> Result<Self, String> {
        json.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("expected a string, found {}", kind(json)))
    }
}

impl FromJson for bool {
    fn from_json(json: &Value) -> Result<Self, String> {
        json.as_bool()
            .ok_or_else(|| format!("expected a boolean, found {}", kind(json)))
    }
}

impl FromJson for u64 {
    fn from_json(json: &Value) -> Result<Self, String> {
        json.as_u64()
            .ok_or_else(|| format!("expected an unsigned integer, found {json}"))
    }
}

impl FromJson for u32 {
    fn from_json(json: &Value) -> Result<Self, String> {
        u32::try_from(u64::from_json(json)?).map_err(|_| format!("{json} is out of range"))
    }
}

impl FromJson for usize {
    fn from_json(json: &Value) -> Result<Self, String> {
        usize::try_from(u64::from_json(json)?).map_err(|_| format!("{json} is out of range"))
    }
}

impl FromJson for Value {
    fn from_json(json: &Value) -> Result<Self, String> {
        Ok(json.clone())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(json: &Value) -> Result<Self, String> {
        let items = json
            .as_array()
            .ok_or_else(|| format!("expected an array, found {}", kind(json)))?;
        items
            .iter()
            .enumerate()
            .map(|(index, item)| T::from_json(item).map_err(|e| format!("item {index}: {e}")))
            .collect()
    }
}

impl<T: FromJson> FromJson for VecDeque<T> {
    fn from_json(json: &Value) -> Result<Self, String> {
        Vec::from_json(json).map(VecDeque::from)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(json: &Value) -> Result<Self, String> {
        let object = json
            .as_object()
            .ok_or_else(|| format!("expected an object, found {}", kind(json)))?;
        object
            .iter()
            .map(|(key, item)| {
                T::from_json(item)
                    .map(|value| (key.clone(), value))
                    .map_err(|e| format!("key `{key}`: {e}"))
            })
            .collect()
    }
}

impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn from_json(json: &Value) -> Result<Self, String> {
        match json.as_array().map(Vec::as_slice) {
            Some([a, b]) => Ok((A::from_json(a)?, B::from_json(b)?)),
            _ => Err(format!("expected a pair, found {json}")),
        }
    }
}

/// `serde::Deserialize` for types that implement [`FromJson`]: the input is read as JSON
/// first, so these types deserialize from JSON-like formats only.
macro_rules! deserialize_through_json {
    ($($type:ty),* $(,)?) => {$(
        impl<'de> serde_core::Deserialize<'de> for $type {
            fn deserialize<D: serde_core::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let json = <serde_json::Value as serde_core::Deserialize>::deserialize(deserializer)?;
                <$type as $crate::json::FromJson>::from_json(&json)
                    .map_err(<D::Error as serde_core::de::Error>::custom)
            }
        }
    )*};
}
pub(crate) use deserialize_through_json;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Sample {
        name: String,
        count: u32,
        tags: Vec<String>,
        note: Option<String>,
    }

    impl FromJson for Sample {
        fn from_json(json: &Value) -> Result<Self, String> {
            let fields = Fields::of(json, "sample")?;
            Ok(Sample {
                name: fields.required("name")?,
                count: fields.required("count")?,
                tags: fields.or_default("tags")?,
                note: fields.optional("note")?,
            })
        }
    }

    #[test]
    fn fields_are_read_and_defaulted() {
        let sample: Sample = parse(r#"{"name": "a", "count": 3, "note": null}"#).unwrap();
        assert_eq!(
            sample,
            Sample {
                name: "a".into(),
                count: 3,
                tags: Vec::new(),
                note: None
            }
        );
    }

    #[test]
    fn errors_name_the_field_and_what_was_found() {
        assert_eq!(
            parse::<Sample>(r#"{"count": 3}"#).unwrap_err(),
            "missing field `name`"
        );
        assert_eq!(
            parse::<Sample>(r#"{"name": "a", "count": -1}"#).unwrap_err(),
            "field `count`: expected an unsigned integer, found -1"
        );
        assert_eq!(
            parse::<Sample>(r#"{"name": "a", "count": 1, "tags": ["x", 2]}"#).unwrap_err(),
            "field `tags`: item 1: expected a string, found a number"
        );
        assert_eq!(
            parse::<Sample>("[]").unwrap_err(),
            "sample: expected an object, found an array"
        );
        assert_eq!(
            parse::<Sample>(r#"{"name": "a", "count": 4294967296}"#).unwrap_err(),
            "field `count`: 4294967296 is out of range"
        );
    }
}
