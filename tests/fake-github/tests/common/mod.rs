//! A small ureq client of the fake GitHub for its own tests, so that the crate itself needs no
//! HTTP client.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};

use fake_github::FakeGitHub;

/// A reply, read to the end.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: ureq::http::HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The address of `rel` in the `Link` header.
    pub(crate) fn link(&self, rel: &str) -> Option<String> {
        self.header("link")?
            .split(',')
            .find(|part| part.contains(&format!("rel=\"{rel}\"")))
            .map(|part| part[part.find('<').unwrap() + 1..part.find('>').unwrap()].to_string())
    }
}

/// A ureq client of the fake, with a token unless told otherwise.
pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
    pub(crate) token: Option<String>,
}

impl Client {
    pub(crate) fn new(github: &FakeGitHub) -> Client {
        Client::with_timeout(github, Duration::from_secs(5))
    }

    pub(crate) fn with_timeout(github: &FakeGitHub, timeout: Duration) -> Client {
        Client {
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(timeout))
                .http_status_as_error(false)
                .build()
                .into(),
            base: github.url().to_string(),
            token: Some("ghp_test".to_string()),
        }
    }

    pub(crate) fn authorize<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.token {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    pub(crate) fn send(
        &self,
        method: &str,
        target: &str,
        body: Option<Value>,
    ) -> Result<Answer, ureq::Error> {
        let url = if target.starts_with("http") {
            target.to_string()
        } else {
            format!("{}{target}", self.base)
        };
        let body = body.unwrap_or_else(|| json!({}));
        let mut reply = match method {
            "GET" => self.authorize(self.agent.get(&url)).call()?,
            "POST" => self.authorize(self.agent.post(&url)).send_json(&body)?,
            "PATCH" => self.authorize(self.agent.patch(&url)).send_json(&body)?,
            "PUT" => self.authorize(self.agent.put(&url)).send_json(&body)?,
            other => panic!("no {other} in these tests"),
        };
        let status = reply.status().as_u16();
        let headers = reply.headers().clone();
        let body = reply.body_mut().read_to_string()?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub(crate) fn get(&self, target: &str) -> Answer {
        self.send("GET", target, None).unwrap()
    }

    pub(crate) fn post(&self, target: &str, body: Value) -> Answer {
        self.send("POST", target, Some(body)).unwrap()
    }

    pub(crate) fn patch(&self, target: &str, body: Value) -> Answer {
        self.send("PATCH", target, Some(body)).unwrap()
    }

    pub(crate) fn put(&self, target: &str, body: Value) -> Answer {
        self.send("PUT", target, Some(body)).unwrap()
    }

    /// Every item of a list, following `rel="next"` to the end; also the number of pages.
    pub(crate) fn get_all(&self, target: &str) -> (Vec<Value>, usize) {
        let (mut items, mut pages, mut next) = (Vec::new(), 0, Some(target.to_string()));
        while let Some(target) = next {
            let answer = self.get(&target);
            assert_eq!(answer.status, 200, "{}", answer.body);
            items.extend(answer.json().as_array().unwrap().iter().cloned());
            pages += 1;
            next = answer.link("next");
        }
        (items, pages)
    }
}

pub(crate) fn numbers(items: &[Value]) -> Vec<u64> {
    items
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect()
}

pub(crate) fn is_rfc3339(text: &Value) -> bool {
    let text = text.as_str().unwrap_or_default();
    text.len() == 20 && text.ends_with('Z') && text.as_bytes()[10] == b'T' && text.starts_with("20")
}
