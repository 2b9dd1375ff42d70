//! A stateful fake of the GitHub REST API on 127.0.0.1, for tests: issues, comments, labels,
//! issue search with an indexing lag, pagination with RFC 8288 `Link` headers, fault switches,
//! and a record of every request. Replies carry the fields of GitHub's documented shapes that
//! clients read.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// What the fake does instead of answering normally.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Nothing listens: connections are refused (open ones are closed without a reply).
    Down,
    /// Accept and never answer.
    Hang,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Answer every request with this status and a GitHub-style error body.
    Status(u16),
    /// 403 with `X-RateLimit-Remaining: 0` and a reset this many seconds ahead.
    PrimaryRateLimit { reset_in_secs: u64 },
    /// 429 with `Retry-After`.
    SecondaryRateLimit { retry_after_secs: u64 },
    /// 200 with a body that is not JSON.
    NotJson,
    /// A `Content-Length` larger than the body sent, then the connection closes.
    Truncated,
    /// 200/201 with valid JSON of the wrong shape.
    UnexpectedShape,
    /// 403 with `Retry-After` (GitHub's other form of the secondary rate limit).
    SecondaryRateLimit403 { retry_after_secs: u64 },
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub state: String,
    pub comments: Vec<String>,
    created: Instant,
}

#[derive(Default)]
struct State {
    issues: BTreeMap<String, Vec<Issue>>,
    requests: Vec<RecordedRequest>,
    fault: Option<Fault>,
    fault_path: Option<String>,
    search_lag: Duration,
    known_labels: Option<Vec<String>>,
    /// (repo, branch, path) → file content.
    files: BTreeMap<(String, String, String), Vec<u8>>,
    /// (repo, branch) → commit sha.
    refs: BTreeMap<(String, String), String>,
    pulls: Vec<Pull>,
    commits: u64,
}

#[derive(Clone, Debug)]
pub struct Pull {
    pub repo: String,
    pub number: u64,
    pub title: String,
    pub body: String,
    pub head: String,
    pub base: String,
    pub draft: bool,
}

/// The fake server; stops when dropped.
pub struct FakeGitHub {
    url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    /// Start on a free port of 127.0.0.1.
    pub fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let url = format!("http://{address}");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (state, stop, base) = (Arc::clone(&state), Arc::clone(&stop), url.clone());
            std::thread::spawn(move || accept_loop(Some(listener), address, &state, &stop, &base))
        };
        FakeGitHub {
            url,
            state,
            stop,
            acceptor: Some(acceptor),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Switch a fault on (or off with `None`); returns once the listener is in the new state.
    pub fn set_fault(&self, fault: Option<Fault>) {
        let down = fault == Some(Fault::Down);
        {
            let mut state = self.state.lock().unwrap();
            state.fault = fault;
            state.fault_path = None;
        }
        let address = self.url.trim_start_matches("http://").to_string();
        for _ in 0..1000 {
            if TcpStream::connect(&address).is_ok() != down {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Inject `fault` only for requests whose path starts with `prefix`.
    pub fn set_fault_for(&self, prefix: &str, fault: Fault) {
        let mut state = self.state.lock().unwrap();
        state.fault = Some(fault);
        state.fault_path = Some(prefix.to_string());
    }

    /// Close issue `number` as a maintainer would.
    pub fn close_issue(&self, repo: &str, number: u64) {
        let mut state = self.state.lock().unwrap();
        if let Some(issue) = state
            .issues
            .get_mut(repo)
            .and_then(|issues| issues.iter_mut().find(|i| i.number == number))
        {
            issue.state = "closed".into();
        }
    }

    pub fn set_search_lag(&self, lag: Duration) {
        self.state.lock().unwrap().search_lag = lag;
    }

    /// Only these labels exist: creating an issue with another one answers 422.
    pub fn restrict_labels(&self, labels: &[&str]) {
        self.state.lock().unwrap().known_labels =
            Some(labels.iter().map(|l| l.to_string()).collect());
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    pub fn issues(&self, repo: &str) -> Vec<Issue> {
        self.state
            .lock()
            .unwrap()
            .issues
            .get(repo)
            .cloned()
            .unwrap_or_default()
    }

    /// Seed an issue directly, as if created long ago (already indexed by search).
    pub fn seed_issue(
        &self,
        repo: &str,
        title: &str,
        body: &str,
        labels: &[&str],
        state: &str,
    ) -> u64 {
        let mut guard = self.state.lock().unwrap();
        let issues = guard.issues.entry(repo.to_string()).or_default();
        let number = issues.len() as u64 + 1;
        let created = Instant::now()
            .checked_sub(Duration::from_secs(3600))
            .unwrap_or_else(Instant::now);
        issues.push(Issue {
            number,
            title: title.into(),
            body: body.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            state: state.into(),
            comments: Vec::new(),
            created,
        });
        number
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Accept connections until stopped. While the fault is `Down` the listening socket is closed,
/// so connections are refused as they would be by a host with nothing listening; it is bound
/// again, on the same port, when the fault is lifted.
fn accept_loop(
    mut listener: Option<TcpListener>,
    address: std::net::SocketAddr,
    state: &Arc<Mutex<State>>,
    stop: &AtomicBool,
    base: &str,
) {
    while !stop.load(Ordering::SeqCst) {
        let down = state.lock().unwrap().fault == Some(Fault::Down);
        if down {
            listener = None;
        } else if listener.is_none() {
            listener = TcpListener::bind(address).ok();
        }
        let Some(active) = &listener else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let _ = active.set_nonblocking(true);
        match active.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let (state, base) = (Arc::clone(state), base.to_string());
                std::thread::spawn(move || serve_connection(stream, &state, &base));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            json!({ "message": message, "documentation_url": "https://docs.github.com/rest", "status": status.to_string() }),
        )
    }
}

fn serve_connection(stream: TcpStream, state: &Arc<Mutex<State>>, base: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let fault = {
            let mut guard = state.lock().unwrap();
            guard.requests.push(request.clone());
            let applies = guard
                .fault_path
                .as_ref()
                .is_none_or(|prefix| request.path.starts_with(prefix.as_str()));
            if applies { guard.fault.clone() } else { None }
        };
        let reply = match fault {
            Some(Fault::Down) => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Some(Fault::Hang) => {
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
            Some(Fault::Slow(delay)) => {
                std::thread::sleep(delay);
                route(&request, state, base)
            }
            Some(Fault::Status(status)) => Reply::error(status, "fault injected by the fake"),
            Some(Fault::PrimaryRateLimit { reset_in_secs }) => {
                let mut reply = Reply::error(403, "API rate limit exceeded for user ID 1.");
                reply
                    .headers
                    .push(("X-RateLimit-Remaining".into(), "0".into()));
                reply.headers.push((
                    "X-RateLimit-Reset".into(),
                    (now_secs() + reset_in_secs).to_string(),
                ));
                reply
            }
            Some(Fault::SecondaryRateLimit { retry_after_secs }) => {
                let mut reply = Reply::error(429, "You have exceeded a secondary rate limit.");
                reply
                    .headers
                    .push(("Retry-After".into(), retry_after_secs.to_string()));
                reply
            }
            Some(Fault::NotJson) => Reply {
                status: 200,
                headers: Vec::new(),
                body: "<html>maintenance</html>".into(),
            },
            Some(Fault::UnexpectedShape) => Reply::json(
                if request.method == "POST" { 201 } else { 200 },
                json!({ "ok": true, "items": "none" }),
            ),
            Some(Fault::SecondaryRateLimit403 { retry_after_secs }) => {
                let mut reply = Reply::error(
                    403,
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                );
                reply
                    .headers
                    .push(("Retry-After".into(), retry_after_secs.to_string()));
                reply
            }
            Some(Fault::Truncated) => {
                let body =
                    r#"{"number": 1, "html_url": "https://github.com/acme/tools/issues/1", "sta"#;
                let head = format!(
                    "HTTP/1.1 201 Created\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                    body.len() + 500
                );
                let _ = writer.write_all(head.as_bytes());
                let _ = writer.write_all(body.as_bytes());
                let _ = writer.flush();
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            None => route(&request, state, base),
        };
        if write_reply(&mut writer, &reply).is_err() {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<RecordedRequest> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target
        .split_once('?')
        .map(|(p, q)| (p.to_string(), q.to_string()))
        .unwrap_or((target, String::new()));
    Some(RecordedRequest {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn write_reply(writer: &mut TcpStream, reply: &Reply) -> std::io::Result<()> {
    let reason = match reply.status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nX-GitHub-Request-Id: FAKE:{}\r\nX-RateLimit-Limit: 5000\r\n",
        reply.status,
        reply.body.len(),
        now_secs()
    );
    if !reply
        .headers
        .iter()
        .any(|(n, _)| n == "X-RateLimit-Remaining")
    {
        head.push_str("X-RateLimit-Remaining: 4999\r\n");
    }
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a head and a body in two segments would wait on the client's delayed ACK.
    let mut message = head.into_bytes();
    message.extend_from_slice(reply.body.as_bytes());
    writer.write_all(&message)?;
    writer.flush()
}

fn route(request: &RecordedRequest, state: &Arc<Mutex<State>>, base: &str) -> Reply {
    let auth = request.header("authorization").unwrap_or_default();
    if !(auth.starts_with("Bearer ") || auth.starts_with("token ")) {
        return Reply::error(401, "Requires authentication");
    }
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let query = parse_query(&request.query);
    let mut guard = state.lock().unwrap();
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["search", "issues"]) => search(&guard, &query, base),
        ("GET", ["repos", owner, repo, "issues", number, "comments"]) => {
            let repo_name = format!("{owner}/{repo}");
            match find_issue(&mut guard, &repo_name, number) {
                Some(issue) => {
                    let number = issue.number;
                    let comments: Vec<Value> = issue
                        .comments
                        .iter()
                        .enumerate()
                        .map(|(i, body)| {
                            let id = number * 1000 + i as u64 + 1;
                            json!({ "id": id, "body": body, "user": { "login": "autoheal-bot" },
                                    "html_url": format!("https://github.com/{repo_name}/issues/{number}#issuecomment-{id}") })
                        })
                        .collect();
                    paginate(comments, Value::clone, &query, base, &request.path)
                }
                None => Reply::error(404, "Not Found"),
            }
        }
        ("GET", ["repos", _, _, "labels"]) => {
            let names = guard.known_labels.clone().unwrap_or_default();
            Reply::json(
                200,
                Value::Array(
                    names
                        .iter()
                        .map(|n| json!({ "name": n, "color": "ededed", "default": false }))
                        .collect(),
                ),
            )
        }
        ("POST", ["repos", _, _, "labels"]) => {
            let input: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
            let Some(name) = input["name"].as_str() else {
                return Reply::error(422, "Validation Failed");
            };
            let known = guard.known_labels.get_or_insert_with(Vec::new);
            if known.iter().any(|k| k == name) {
                return Reply::error(422, "Validation Failed: already_exists");
            }
            known.push(name.to_string());
            Reply::json(
                201,
                json!({ "name": name, "color": input["color"].as_str().unwrap_or("ededed"), "default": false }),
            )
        }
        ("POST", ["repos", owner, repo, "issues", number, "labels"]) => {
            let repo_name = format!("{owner}/{repo}");
            let input: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
            let add: Vec<String> = input["labels"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            match find_issue(&mut guard, &repo_name, number) {
                Some(issue) => {
                    for label in add {
                        if !issue.labels.contains(&label) {
                            issue.labels.push(label);
                        }
                    }
                    let labels: Vec<Value> = issue
                        .labels
                        .iter()
                        .map(|n| json!({ "name": n, "color": "ededed", "default": false }))
                        .collect();
                    Reply::json(200, Value::Array(labels))
                }
                None => Reply::error(404, "Not Found"),
            }
        }
        ("POST", ["repos", owner, repo, "issues"]) => {
            let repo_name = format!("{owner}/{repo}");
            let Ok(input) = serde_json::from_str::<Value>(&request.body) else {
                return Reply::error(400, "Problems parsing JSON");
            };
            let labels: Vec<String> = input["labels"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let unknown = guard
                .known_labels
                .as_ref()
                .and_then(|known| labels.iter().find(|l| !known.contains(l)));
            if let Some(unknown) = unknown {
                let errors = json!([{ "resource": "Label", "code": "invalid", "field": "labels", "value": unknown }]);
                let docs = "https://docs.github.com/rest/issues/issues#create-an-issue";
                return Reply::json(
                    422,
                    json!({ "message": "Validation Failed", "errors": errors, "documentation_url": docs }),
                );
            }
            let issues = guard.issues.entry(repo_name.clone()).or_default();
            let number = issues.len() as u64 + 1;
            issues.push(Issue {
                number,
                title: input["title"].as_str().unwrap_or_default().to_string(),
                body: input["body"].as_str().unwrap_or_default().to_string(),
                labels,
                state: "open".into(),
                comments: Vec::new(),
                created: Instant::now(),
            });
            Reply::json(201, issue_json(&repo_name, issues.last().unwrap(), base))
        }
        ("GET", ["repos", owner, repo, "issues"]) => {
            let repo_name = format!("{owner}/{repo}");
            let state_filter = query.get("state").map(String::as_str).unwrap_or("open");
            let wanted: Vec<&str> = query
                .get("labels")
                .map(|l| l.split(',').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default();
            let all: Vec<&Issue> = guard
                .issues
                .get(&repo_name)
                .map(|issues| {
                    issues
                        .iter()
                        .rev()
                        .filter(|i| state_filter == "all" || i.state == state_filter)
                        .filter(|i| wanted.iter().all(|w| i.labels.iter().any(|l| l == w)))
                        .collect()
                })
                .unwrap_or_default();
            paginate(
                all,
                |i| issue_json(&repo_name, i, base),
                &query,
                base,
                &request.path,
            )
        }
        ("GET", ["repos", owner, repo, "issues", number]) => {
            let repo_name = format!("{owner}/{repo}");
            match find_issue(&mut guard, &repo_name, number) {
                Some(issue) => {
                    let issue = issue.clone();
                    Reply::json(200, issue_json(&repo_name, &issue, base))
                }
                None => Reply::error(404, "Not Found"),
            }
        }
        ("PATCH", ["repos", owner, repo, "issues", number]) => {
            let repo_name = format!("{owner}/{repo}");
            let input: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
            match find_issue(&mut guard, &repo_name, number) {
                Some(issue) => {
                    if let Some(state) = input["state"].as_str() {
                        issue.state = state.to_string();
                    }
                    let issue = issue.clone();
                    Reply::json(200, issue_json(&repo_name, &issue, base))
                }
                None => Reply::error(404, "Not Found"),
            }
        }
        ("POST", ["repos", owner, repo, "issues", number, "comments"]) => {
            let repo_name = format!("{owner}/{repo}");
            let input: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
            let body = input["body"].as_str().unwrap_or_default().to_string();
            match find_issue(&mut guard, &repo_name, number) {
                Some(issue) => {
                    issue.comments.push(body.clone());
                    let id = issue.number * 1000 + issue.comments.len() as u64;
                    let number = issue.number;
                    Reply::json(
                        201,
                        json!({
                            "id": id, "node_id": format!("IC_{id}"), "body": body,
                            "html_url": format!("https://github.com/{repo_name}/issues/{number}#issuecomment-{id}"),
                            "url": format!("{base}/repos/{repo_name}/issues/comments/{id}"),
                            "created_at": rfc3339_now(), "updated_at": rfc3339_now(), "user": { "login": "autoheal-bot" }
                        }),
                    )
                }
                None => Reply::error(404, "Not Found"),
            }
        }
        _ => git_data(request, &segments, &query, &mut guard, base),
    }
}

fn find_issue<'a>(state: &'a mut State, repo: &str, number: &str) -> Option<&'a mut Issue> {
    let number: u64 = number.parse().ok()?;
    state
        .issues
        .get_mut(repo)?
        .iter_mut()
        .find(|i| i.number == number)
}

fn issue_json(repo: &str, issue: &Issue, base: &str) -> Value {
    json!({
        "id": issue.number + 100_000, "node_id": format!("I_{}", issue.number), "number": issue.number,
        "title": issue.title, "body": issue.body, "state": issue.state,
        "html_url": format!("https://github.com/{repo}/issues/{}", issue.number),
        "url": format!("{base}/repos/{repo}/issues/{}", issue.number),
        "repository_url": format!("{base}/repos/{repo}"),
        "labels": issue.labels.iter().enumerate().map(|(i, name)| json!({ "id": i + 1, "name": name, "color": "ededed", "default": false })).collect::<Vec<_>>(),
        "user": { "login": "autoheal-bot", "id": 1 },
        "comments": issue.comments.len(),
        "created_at": rfc3339_now(), "updated_at": rfc3339_now(), "closed_at": Value::Null,
    })
}

/// `GET /search/issues?q=...`: `repo:`, `is:issue`, `is:open`/`is:closed`, `label:`, `in:body`,
/// `in:title`, bare words and quoted phrases; issues younger than the lag are not indexed yet.
fn search(state: &State, query: &BTreeMap<String, String>, base: &str) -> Reply {
    let q = query.get("q").cloned().unwrap_or_default();
    let (mut repo, mut open, mut labels, mut terms, mut in_body, mut in_title) =
        (None, None, Vec::new(), Vec::new(), false, false);
    for token in tokenize(&q) {
        if let Some(value) = token.strip_prefix("repo:") {
            repo = Some(value.to_string());
        } else if token == "is:open" {
            open = Some(true);
        } else if token == "is:closed" {
            open = Some(false);
        } else if token == "is:issue" {
        } else if let Some(label) = token.strip_prefix("label:") {
            labels.push(label.trim_matches('"').to_string());
        } else if token == "in:body" {
            in_body = true;
        } else if token == "in:title" {
            in_title = true;
        } else {
            terms.push(token.trim_matches('"').to_lowercase());
        }
    }
    if !in_body && !in_title {
        in_body = true;
        in_title = true;
    }
    let mut items = Vec::new();
    for (name, issues) in &state.issues {
        if repo.as_ref().is_some_and(|r| r != name) {
            continue;
        }
        for issue in issues.iter().rev() {
            let indexed = issue.created.elapsed() >= state.search_lag;
            let state_ok = open.is_none_or(|o| o == (issue.state == "open"));
            let labels_ok = labels.iter().all(|l| issue.labels.contains(l));
            let found = |term: &String| {
                (in_title && contains_ignoring_case(&issue.title, term))
                    || (in_body && contains_ignoring_case(&issue.body, term))
            };
            if indexed && state_ok && labels_ok && terms.iter().all(found) {
                items.push(issue_json(name, issue, base));
            }
        }
    }
    Reply::json(
        200,
        json!({ "total_count": items.len(), "incomplete_results": false, "items": items }),
    )
}

/// Whether `haystack` holds `needle` (given in lower case), ignoring ASCII case.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn tokenize(q: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ' ' if !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// One page of `all`, rendered with `to_json` (only the page is rendered), with `Link` headers.
fn paginate<T>(
    all: Vec<T>,
    to_json: impl Fn(&T) -> Value,
    query: &BTreeMap<String, String>,
    base: &str,
    path: &str,
) -> Reply {
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let last = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(to_json)
        .collect();
    let mut reply = Reply::json(200, Value::Array(items));
    let mut other: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| *k != "page")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    other.sort();
    let link = |n: usize, rel: &str| {
        let mut params: Vec<String> = other
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        params.push(format!("page={n}"));
        format!("<{base}{path}?{}>; rel=\"{rel}\"", params.join("&"))
    };
    let mut links = Vec::new();
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
        links.push(link(page - 1, "prev"));
    }
    if !links.is_empty() {
        reply.headers.push(("Link".into(), links.join(", ")));
    }
    reply
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(byte) => {
                    out.push(byte);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn rfc3339_now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Repositories, contents, git refs and pulls: what a fix generator needs to open a pull request.
fn git_data(
    request: &RecordedRequest,
    segments: &[&str],
    query: &BTreeMap<String, String>,
    state: &mut State,
    base: &str,
) -> Reply {
    let (Some(&"repos"), Some(owner), Some(repo)) =
        (segments.first(), segments.get(1), segments.get(2))
    else {
        return Reply::error(404, "Not Found");
    };
    let repo_name = format!("{owner}/{repo}");
    let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
    match (request.method.as_str(), &segments[3.min(segments.len())..]) {
        ("GET", []) => Reply::json(
            200,
            json!({
                "full_name": repo_name, "name": repo, "default_branch": "main", "has_issues": true,
                "html_url": format!("https://github.com/{repo_name}"), "url": format!("{base}/repos/{repo_name}"),
            }),
        ),
        ("GET", ["git", "ref", "heads", branch @ ..]) => {
            let branch = branch.join("/");
            let sha = if branch == "main" {
                Some(
                    state
                        .refs
                        .entry((repo_name.clone(), branch.clone()))
                        .or_insert_with(|| sha_of(b"main"))
                        .clone(),
                )
            } else {
                state
                    .refs
                    .get(&(repo_name.clone(), branch.clone()))
                    .cloned()
            };
            match sha {
                Some(sha) => Reply::json(
                    200,
                    json!({ "ref": format!("refs/heads/{branch}"), "object": { "sha": sha, "type": "commit" } }),
                ),
                None => Reply::error(404, "Not Found"),
            }
        }
        ("POST", ["git", "refs"]) => {
            let reference = body["ref"].as_str().unwrap_or_default();
            let Some(branch) = reference.strip_prefix("refs/heads/") else {
                return Reply::error(422, "Reference name is invalid");
            };
            let key = (repo_name.clone(), branch.to_string());
            if state.refs.contains_key(&key) {
                return Reply::error(422, "Reference already exists");
            }
            let sha = body["sha"].as_str().unwrap_or_default().to_string();
            state.refs.insert(key, sha.clone());
            Reply::json(
                201,
                json!({ "ref": reference, "object": { "sha": sha, "type": "commit" } }),
            )
        }
        ("GET", ["contents", path @ ..]) => {
            let branch = query.get("ref").cloned().unwrap_or_else(|| "main".into());
            match state
                .files
                .get(&(repo_name.clone(), branch, path.join("/")))
            {
                Some(content) => Reply::json(
                    200,
                    json!({
                        "type": "file", "path": path.join("/"), "sha": sha_of(content), "encoding": "base64",
                        "content": base64(content), "size": content.len(),
                    }),
                ),
                None => Reply::error(404, "Not Found"),
            }
        }
        ("PUT", ["contents", path @ ..]) => {
            let branch = body["branch"].as_str().unwrap_or("main").to_string();
            let key = (repo_name.clone(), branch.clone(), path.join("/"));
            let existing = state.files.get(&key).map(|c| sha_of(c));
            if existing.as_deref() != body["sha"].as_str() {
                return Reply::error(
                    if existing.is_some() { 409 } else { 422 },
                    "sha does not match",
                );
            }
            let Some(content) = body["content"].as_str().and_then(unbase64) else {
                return Reply::error(422, "content is not base64");
            };
            let status = if existing.is_some() { 200 } else { 201 };
            let sha = sha_of(&content);
            state.files.insert(key, content);
            state.commits += 1;
            let commit = sha_of(format!("commit {}", state.commits).as_bytes());
            state.refs.insert((repo_name, branch), commit.clone());
            Reply::json(
                status,
                json!({ "content": { "path": path.join("/"), "sha": sha }, "commit": { "sha": commit, "message": body["message"] } }),
            )
        }
        ("POST", ["pulls"]) => {
            let head = body["head"].as_str().unwrap_or_default().to_string();
            if state
                .pulls
                .iter()
                .any(|p| p.repo == repo_name && p.head == head)
            {
                return Reply::error(422, "A pull request already exists for this head");
            }
            let number = state.issues.get(&repo_name).map_or(0, Vec::len) as u64
                + state.pulls.len() as u64
                + 1000;
            let pull = Pull {
                repo: repo_name.clone(),
                number,
                head,
                base: body["base"].as_str().unwrap_or("main").to_string(),
                title: body["title"].as_str().unwrap_or_default().to_string(),
                body: body["body"].as_str().unwrap_or_default().to_string(),
                draft: body["draft"].as_bool().unwrap_or(false),
            };
            state.pulls.push(pull.clone());
            Reply::json(201, pull_json(&pull))
        }
        ("GET", ["pulls"]) => {
            let head = query
                .get("head")
                .map(|h| h.rsplit(':').next().unwrap_or(h).to_string());
            let items: Vec<Value> = state
                .pulls
                .iter()
                .filter(|p| p.repo == repo_name && head.as_ref().is_none_or(|h| &p.head == h))
                .map(pull_json)
                .collect();
            Reply::json(200, Value::Array(items))
        }
        _ => Reply::error(404, "Not Found"),
    }
}

fn pull_json(pull: &Pull) -> Value {
    json!({
        "number": pull.number, "state": "open", "draft": pull.draft, "title": pull.title, "body": pull.body,
        "html_url": format!("https://github.com/{}/pull/{}", pull.repo, pull.number),
        "head": { "ref": pull.head }, "base": { "ref": pull.base },
    })
}

impl FakeGitHub {
    pub fn pulls(&self) -> Vec<Pull> {
        self.state.lock().unwrap().pulls.clone()
    }

    pub fn file(&self, repo: &str, branch: &str, path: &str) -> Option<Vec<u8>> {
        self.state
            .lock()
            .unwrap()
            .files
            .get(&(repo.to_string(), branch.to_string(), path.to_string()))
            .cloned()
    }
}

/// A stand-in for a git object id: 40 hex digits derived from the content.
fn sha_of(content: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in content {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{hash:016x}{:016x}{:08x}",
        hash.rotate_left(17),
        content.len()
    )
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .map(|b| BASE64.iter().position(|c| *c == b).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | (d << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
