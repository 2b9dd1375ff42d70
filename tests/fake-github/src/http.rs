//! Just enough HTTP/1.1 for the fake: read one request (a `Content-Length` or chunked body,
//! `Expect: 100-continue`, keep-alive), write one reply, and the query-string encoding.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use serde_json::Value;

/// The longest request line or header line the fake reads.
const MAX_LINE: u64 = 64 * 1024;
/// The most headers one request may carry.
const MAX_HEADERS: usize = 200;
/// The largest request body the fake accepts.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// One request as the fake received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, `PATCH`, ...
    pub method: String,
    /// The path as sent, still percent-encoded, without the query: `/repos/acme/tools/issues`.
    pub path: String,
    /// The query string as sent, without `?`; empty when there is none.
    pub query: String,
    /// Every header in the order sent, names as the client spelled them.
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 (lossily); empty when there is none.
    pub body: String,
}

impl RecordedRequest {
    /// The first header called `name` (compared without regard to case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        Query::parse(&self.query).get(name).map(str::to_string)
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A request and the reply the fake wrote to it (a request left unanswered, by a fault that
/// closes the connection or hangs, has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The request as received.
    pub request: RecordedRequest,
    /// The reply's status.
    pub status: u16,
    /// The reply's body as written (a truncated body in full).
    pub body: String,
}

impl Exchange {
    /// The reply's body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A request read off a connection, and whether the connection closes after the reply.
pub(crate) struct Incoming {
    pub(crate) request: RecordedRequest,
    pub(crate) close_after: bool,
}

/// Read the next request; `None` when the peer closed the connection, the read timed out, or
/// the request is not HTTP/1.x the fake understands.
pub(crate) fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Option<Incoming> {
    let request_line = read_line(reader)?;
    let mut parts = request_line.split_whitespace();
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return None;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").ok()?;
    }
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let length: usize = match header("content-length") {
            Some(value) => value.parse().ok()?,
            None => 0,
        };
        if length > MAX_BODY {
            return None;
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        body
    };
    let connection = header("connection").map(str::to_ascii_lowercase);
    let close_after = match connection.as_deref() {
        Some(value) if value.contains("close") => true,
        Some(value) if value.contains("keep-alive") => false,
        _ => version == "HTTP/1.0",
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(Incoming {
        request: RecordedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        },
        close_after,
    })
}

/// One line without its line ending; `None` at the end of the stream or past the length limit.
fn read_line(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut line = Vec::new();
    let read = reader
        .by_ref()
        .take(MAX_LINE)
        .read_until(b'\n', &mut line)
        .ok()?;
    if read == 0 || line.last() != Some(&b'\n') {
        return None;
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).ok()
}

/// A `Transfer-Encoding: chunked` body: hex sizes (extensions ignored), data, trailers.
fn read_chunked(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(reader)?;
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        if size == 0 {
            while !read_line(reader)?.is_empty() {}
            return Some(body);
        }
        if body.len() + size > MAX_BODY {
            return None;
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(body.get_mut(start..)?).ok()?;
        if !read_line(reader)?.is_empty() {
            return None;
        }
    }
}

/// A reply before the headers every reply carries are added.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Reply {
    /// `status` with `body` serialized as JSON.
    pub(crate) fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// The same reply with one more header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Whether the reply already carries header `name`.
    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// Write `reply`, announcing `declared_length` bytes of body (more than the body when the reply
/// is meant to arrive truncated).
pub(crate) fn write_reply(
    writer: &mut TcpStream,
    reply: &Reply,
    declared_length: usize,
    close_after: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {declared_length}\r\n"));
    if close_after {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(reply.body.as_bytes());
    writer.write_all(&bytes)?;
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// A decoded query string, parameters in the order sent.
#[derive(Clone, Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Split `a=1&b=x+y` and percent-decode names and values.
    pub(crate) fn parse(raw: &str) -> Query {
        let pairs = raw
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_form(name), decode_form(value))
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `name`.
    /// Every name and decoded value, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter but `name`, re-encoded, in the order sent.
    pub(crate) fn encoded_without(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n != name)
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect()
    }
}

/// Percent-decode a query component, `+` meaning a space.
fn decode_form(text: &str) -> String {
    decode(&text.replace('+', " "))
}

/// Percent-decode a path segment or query component (`+` stays `+`).
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encode everything but unreserved characters (RFC 3986).
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
