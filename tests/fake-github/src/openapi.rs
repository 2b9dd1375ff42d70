//! GitHub's OpenAPI description of its REST API (`api.github.com.json` of the npm package
//! `@octokit/openapi`), read offline to check exchanges with the fake against it: the route and
//! its status are documented, a request sends only documented query parameters and body
//! properties with their documented types and `enum` values, and a reply's fields have their
//! documented types.
//!
//! Only what the checks need of OpenAPI 3 is read: `$ref` within the file, `type` (one or a
//! list), `nullable`, `enum`, `properties`, `additionalProperties`, `required`, `items`,
//! `allOf`, `anyOf` and `oneOf`.

use std::path::Path;

use serde_json::Value;

use super::http::{Query, RecordedRequest};

/// The environment variable that names the file `api.github.com.json` (`.ci/run` installs the
/// package and sets it).
pub const DESCRIPTION_VAR: &str = "AUTOHEAL_GITHUB_OPENAPI";

/// GitHub's REST API description.
#[derive(Debug)]
pub struct Description {
    root: Value,
}

/// One operation of the description: a method on a path template.
#[derive(Debug)]
pub struct Operation<'a> {
    description: &'a Description,
    /// The path template, `/repos/{owner}/{repo}/issues`.
    pub template: String,
    /// The method, upper case.
    pub method: String,
    operation: &'a Value,
    path_item: &'a Value,
}

/// How strictly a value is held to its schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strictness {
    /// What a client sends: only documented properties, required ones present.
    Request,
    /// What a server answers: types of what is there; more is allowed.
    Reply,
}

impl Description {
    /// Read the description from `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not an OpenAPI description.
    pub fn load(path: &Path) -> Result<Description, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if !root["paths"].is_object() {
            return Err(format!("{} has no paths", path.display()));
        }
        Ok(Description { root })
    }

    /// The operation `method` on the concrete, percent-encoded `path` (`/repos/acme/tools/issues/3`).
    /// Templates matching segment for segment are preferred, those with more literal segments
    /// first; a template whose last segment is a parameter (`{path}`, `{ref}`) otherwise takes
    /// the rest of the path, slashes and all.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let method_key = method.to_ascii_lowercase();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(bool, usize, &String, &Value)> = None;
        for (template, item) in self.root["paths"].as_object()? {
            if item.get(&method_key).is_none() {
                continue;
            }
            let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
            let Some((exact, literals)) = match_template(&parts, &segments) else {
                continue;
            };
            let better = best.is_none_or(|(b_exact, b_literals, _, _)| {
                (exact, literals) > (b_exact, b_literals)
            });
            if better {
                best = Some((exact, literals, template, item));
            }
        }
        let (_, _, template, item) = best?;
        Some(Operation {
            description: self,
            template: template.clone(),
            method: method.to_ascii_uppercase(),
            operation: &item[&method_key],
            path_item: item,
        })
    }

    /// `value` with `$ref`s followed.
    fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return value;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                return &Value::Null;
            };
            value = self.root.pointer(pointer).unwrap_or(&Value::Null);
        }
        value
    }

    /// Hold `value` to `schema`, adding what is wrong, each at `at`, to `errors`.
    fn check(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        strictness: Strictness,
        errors: &mut Vec<String>,
    ) {
        let schema = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.check(part, value, at, strictness, errors);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
                let mut first = None;
                let matched = alternatives.iter().any(|alternative| {
                    let mut found = Vec::new();
                    self.check(alternative, value, at, strictness, &mut found);
                    let ok = found.is_empty();
                    if !ok && first.is_none() {
                        first = Some(found);
                    }
                    ok
                });
                if !matched && !alternatives.is_empty() {
                    errors.push(format!(
                        "{at}: {value_kind} matches none of the {n} documented alternatives ({why})",
                        value_kind = kind(value),
                        n = alternatives.len(),
                        why = first.unwrap_or_default().join("; ")
                    ));
                }
            }
        }
        if value.is_null() && allows_null(schema) {
            return;
        }
        if let Some(types) = types(schema)
            && !types.iter().any(|t| has_type(value, t))
        {
            errors.push(format!(
                "{at}: {} where {} is documented",
                kind(value),
                types.join(" or ")
            ));
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !value.is_null()
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        match value {
            Value::Object(fields) => self.check_object(schema, fields, at, strictness, errors),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{at}[{i}]"), strictness, errors);
                    }
                }
            }
            _ => {}
        }
    }

    fn check_object(
        &self,
        schema: &Value,
        fields: &serde_json::Map<String, Value>,
        at: &str,
        strictness: Strictness,
        errors: &mut Vec<String>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (name, field) in fields {
            let field_at = format!("{at}.{name}");
            match (properties.and_then(|p| p.get(name)), additional) {
                (Some(property), _) => self.check(property, field, &field_at, strictness, errors),
                (None, Some(extra)) if extra.is_object() => {
                    self.check(extra, field, &field_at, strictness, errors);
                }
                (None, Some(Value::Bool(true))) => {}
                // A composed schema documents its properties in its parts.
                (None, _) if is_composed(schema) => {}
                (None, _) if strictness == Strictness::Request && properties.is_some() => {
                    errors.push(format!("{field_at} is not a documented property"));
                }
                (None, _) => {}
            }
        }
        if strictness == Strictness::Request
            && let Some(required) = schema.get("required").and_then(Value::as_array)
        {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    errors.push(format!("{at}.{name} is required and missing"));
                }
            }
        }
    }

    /// The schemas `field` (`items[].number`, `object.sha`, `[].name`) may have under `schema`:
    /// one per documented alternative; empty when no alternative documents it.
    fn field_schemas<'a>(&'a self, schema: &'a Value, field: &str) -> Vec<&'a Value> {
        let mut current = vec![self.resolve(schema)];
        for segment in field.split('.') {
            let (name, array) = match segment.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (segment, false),
            };
            let mut next = Vec::new();
            for schema in current {
                for alternative in self.alternatives(schema) {
                    let property = if name.is_empty() {
                        Some(alternative)
                    } else {
                        alternative
                            .get("properties")
                            .and_then(|p| p.get(name))
                            .map(|p| self.resolve(p))
                    };
                    let Some(property) = property else { continue };
                    if array {
                        for inner in self.alternatives(property) {
                            if let Some(items) = inner.get("items") {
                                next.push(self.resolve(items));
                            }
                        }
                    } else {
                        next.push(property);
                    }
                }
            }
            current = next;
        }
        current
    }

    /// `schema` and every part of its `allOf`, `anyOf` and `oneOf`, resolved.
    fn alternatives<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let schema = self.resolve(schema);
        let mut all = vec![schema];
        for key in ["allOf", "anyOf", "oneOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                all.extend(self.alternatives(part));
            }
        }
        all
    }
}

impl Operation<'_> {
    /// Whether `status` is among the operation's documented responses.
    pub fn documents_status(&self, status: u16) -> bool {
        let responses = &self.operation["responses"];
        let class = format!("{}XX", status / 100);
        responses.get(status.to_string()).is_some()
            || responses.get(&class).is_some()
            || responses.get("default").is_some()
    }

    /// The documented statuses, for a message.
    pub fn statuses(&self) -> Vec<String> {
        self.operation["responses"]
            .as_object()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// What is wrong with `request` as a request of this operation: query parameters that are
    /// not documented or not of their documented type, a JSON body with undocumented
    /// properties, missing required ones, or values of another type or outside an `enum`.
    pub fn check_request(&self, request: &RecordedRequest) -> Vec<String> {
        let mut errors = Vec::new();
        let parameters: Vec<&Value> =
            [&self.path_item["parameters"], &self.operation["parameters"]]
                .into_iter()
                .filter_map(Value::as_array)
                .flatten()
                .map(|p| self.description.resolve(p))
                .filter(|p| p["in"] == "query")
                .collect();
        for (name, value) in Query::parse(&request.query).pairs() {
            let Some(parameter) = parameters.iter().find(|p| p["name"] == name.as_str()) else {
                errors.push(format!("query parameter `{name}` is not documented"));
                continue;
            };
            let schema = &parameter["schema"];
            let typed = match types(self.description.resolve(schema)).as_deref() {
                Some([t]) if t == "integer" => {
                    value.parse::<i64>().map_or(Value::Null, Value::from)
                }
                Some([t]) if t == "boolean" => {
                    value.parse::<bool>().map_or(Value::Null, Value::from)
                }
                _ => Value::String(value.clone()),
            };
            if typed.is_null() {
                errors.push(format!(
                    "query parameter `{name}={value}` is not of its type"
                ));
                continue;
            }
            self.description.check(
                schema,
                &typed,
                &format!("query `{name}`"),
                Strictness::Request,
                &mut errors,
            );
        }
        if !request.body.trim().is_empty() {
            match (request.json(), self.request_schema()) {
                (Some(body), Some(schema)) => {
                    self.description
                        .check(schema, &body, "body", Strictness::Request, &mut errors)
                }
                (None, _) => errors.push("the body is not JSON".to_string()),
                (Some(_), None) => errors.push("a body where none is documented".to_string()),
            }
        }
        errors
    }

    /// What is wrong with a reply of `status` and JSON `body`: a field of another type than
    /// documented, or outside its `enum`. Fields the description does not list are let through.
    pub fn check_reply(&self, status: u16, body: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        if let Some(schema) = self.response_schema(status) {
            self.description
                .check(schema, body, "reply", Strictness::Reply, &mut errors);
        }
        errors
    }

    /// What is wrong with the fields a client reads of a reply of `status`: each of `fields`
    /// (`number`, `items[].html_url`, `labels[].name`, `object.sha`, `[].id`; a leading `?`
    /// for one that may be absent) must be documented for the reply, and be present with its
    /// documented type.
    pub fn check_fields(&self, status: u16, body: &Value, fields: &[&str]) -> Vec<String> {
        let mut errors = Vec::new();
        let Some(schema) = self.response_schema(status) else {
            if !fields.is_empty() {
                errors.push(format!("no JSON reply is documented for {status}"));
            }
            return errors;
        };
        for field in fields {
            let (optional, field) = match field.strip_prefix('?') {
                Some(field) => (true, field),
                None => (false, *field),
            };
            let schemas = self.description.field_schemas(schema, field);
            if schemas.is_empty() {
                errors.push(format!("`{field}` is not documented in the reply"));
                continue;
            }
            let (values, missing) = values_at(body, field);
            if !optional {
                errors.extend(
                    missing
                        .into_iter()
                        .map(|at| format!("`{field}` is missing from the reply ({at})")),
                );
            }
            for (at, value) in values {
                let mut found = Vec::new();
                let fits = schemas.iter().any(|schema| {
                    let mut errors = Vec::new();
                    self.description
                        .check(schema, value, &at, Strictness::Reply, &mut errors);
                    let ok = errors.is_empty();
                    if !ok {
                        found.extend(errors);
                    }
                    ok
                });
                if !fits {
                    errors.extend(found);
                }
            }
        }
        errors
    }

    fn request_schema(&self) -> Option<&Value> {
        let body = self.description.resolve(self.operation.get("requestBody")?);
        body.pointer("/content/application~1json/schema")
    }

    fn response_schema(&self, status: u16) -> Option<&Value> {
        let responses = &self.operation["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get(format!("{}XX", status / 100)))
            .or_else(|| responses.get("default"))?;
        let response = self.description.resolve(response);
        let content = response.get("content")?.as_object()?;
        content
            .iter()
            .find(|(media, _)| media.contains("json"))
            .and_then(|(_, c)| c.get("schema"))
    }
}

/// Whether `parts` (a template's segments) matches `segments`: whether segment for segment,
/// and how many literal segments it has.
fn match_template(parts: &[&str], segments: &[&str]) -> Option<(bool, usize)> {
    let is_parameter = |p: &str| p.starts_with('{') && p.ends_with('}');
    let literals = parts.iter().filter(|p| !is_parameter(p)).count();
    let fits = |p: &&str, s: &&str| is_parameter(p) && !s.is_empty() || p == s;
    if parts.len() == segments.len() {
        return parts
            .iter()
            .zip(segments)
            .all(|(p, s)| fits(p, s))
            .then_some((true, literals));
    }
    let (last, head) = parts.split_last()?;
    (is_parameter(last)
        && segments.len() > parts.len()
        && head.iter().zip(segments).all(|(p, s)| fits(p, s)))
    .then_some((false, literals))
}

/// Every value at `field` of `value`, with where it is; and where a value is missing: an
/// object without the field, or something other than an array where one is read (an empty
/// array holds nothing to miss).
fn values_at<'a>(value: &'a Value, field: &str) -> (Vec<(String, &'a Value)>, Vec<String>) {
    let mut current = vec![("reply".to_string(), value)];
    let mut missing = Vec::new();
    for segment in field.split('.') {
        let (name, array) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        let mut next = Vec::new();
        for (at, value) in current {
            let (at, inner) = if name.is_empty() {
                (at, Some(value))
            } else {
                (format!("{at}.{name}"), value.get(name))
            };
            match (inner, array) {
                (Some(Value::Array(items)), true) => next.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| (format!("{at}[{i}]"), item)),
                ),
                (Some(inner), false) => next.push((at, inner)),
                _ => missing.push(at),
            }
        }
        current = next;
    }
    (current, missing)
}

fn types(schema: &Value) -> Option<Vec<String>> {
    match schema.get("type")? {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(list) => Some(
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

fn allows_null(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        || types(schema).is_none_or(|types| types.iter().any(|t| t == "null"))
}

fn is_composed(schema: &Value) -> bool {
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .any(|key| schema.get(key).is_some())
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn description() -> Description {
        Description {
            root: json!({
                "paths": {
                    "/repos/{owner}/{repo}/issues/{issue_number}": {
                        "patch": {
                            "requestBody": { "content": { "application/json": { "schema": {
                                "type": "object",
                                "properties": {
                                    "state": { "type": "string", "enum": ["open", "closed"] },
                                    "labels": { "type": "array", "items": { "type": "string" } }
                                }
                            } } } },
                            "responses": { "200": { "content": { "application/json": {
                                "schema": { "$ref": "#/components/schemas/issue" } } } } }
                        }
                    },
                    "/repos/{owner}/{repo}/issues/comments/{comment_id}": { "patch": { "responses": {} } },
                    "/repos/{owner}/{repo}/contents/{path}": { "get": { "responses": {} } }
                },
                "components": { "schemas": { "issue": {
                    "type": "object",
                    "properties": {
                        "number": { "type": "integer" },
                        "body": { "type": "string", "nullable": true },
                        "labels": { "type": "array", "items": { "oneOf": [
                            { "type": "string" },
                            { "type": "object", "properties": { "name": { "type": "string" } } }
                        ] } }
                    }
                } } }
            }),
        }
    }

    fn request(method: &str, path: &str, body: Value) -> RecordedRequest {
        RecordedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: String::new(),
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    #[test]
    fn a_path_finds_its_template_literal_segments_first_and_a_last_parameter_takes_the_rest() {
        let d = description();
        let op = |path| d.operation("PATCH", path).map(|o| o.template);
        assert_eq!(
            op("/repos/a/b/issues/comments/7").as_deref(),
            Some("/repos/{owner}/{repo}/issues/comments/{comment_id}")
        );
        assert_eq!(
            op("/repos/a/b/issues/7").as_deref(),
            Some("/repos/{owner}/{repo}/issues/{issue_number}")
        );
        assert_eq!(
            d.operation("GET", "/repos/a/b/contents/docs/a.md")
                .map(|o| o.template)
                .as_deref(),
            Some("/repos/{owner}/{repo}/contents/{path}")
        );
        assert!(d.operation("GET", "/repos/a/b/issues/7").is_none());
    }

    #[test]
    fn a_request_body_is_held_to_its_documented_properties_types_and_enums() {
        let d = description();
        let op = d.operation("PATCH", "/repos/a/b/issues/7").unwrap();
        let good = json!({ "state": "closed", "labels": ["bug"] });
        assert_eq!(
            op.check_request(&request("PATCH", "/", good)),
            Vec::<String>::new()
        );
        let bad = json!({ "state": "shut", "labels": [1], "colour": "red" });
        let errors = op.check_request(&request("PATCH", "/", bad));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("body.colour is not a documented property"))
        );
        assert!(errors.iter().any(|e| e.contains("\"shut\" is not one of")));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("body.labels[0]: an integer where string"))
        );
    }

    #[test]
    fn the_fields_read_of_a_reply_are_documented_present_and_of_their_type() {
        let d = description();
        let op = d.operation("PATCH", "/repos/a/b/issues/7").unwrap();
        let reply = json!({ "number": 7, "body": null, "labels": [{ "name": "bug" }] });
        let fields = ["number", "?body", "labels[].name"];
        assert_eq!(op.check_fields(200, &reply, &fields), Vec::<String>::new());
        assert_eq!(op.check_reply(200, &reply), Vec::<String>::new());
        let wrong = json!({ "number": "7", "labels": [{ "name": 3 }] });
        let errors = op.check_fields(200, &wrong, &fields);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(op.check_reply(200, &wrong).len(), 2);
        let errors = op.check_fields(200, &json!({}), &["number", "title"]);
        assert_eq!(
            errors,
            vec![
                "`number` is missing from the reply (reply.number)".to_string(),
                "`title` is not documented in the reply".to_string()
            ]
        );
        assert!(op.documents_status(200) && !op.documents_status(404));
    }
}
