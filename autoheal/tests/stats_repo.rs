//! `autoheal::stats::repo` against a server that spends the last request of the rate limit on
//! a page that has a next one: the reading stops there, asks nothing more, and keeps the page.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use autoheal::config::Token;
use autoheal::github::GitHubClient;
use autoheal::stats::repo::{RepoOptions, RepoStats};
use autoheal::{App, Config};

/// One issue of the list, as GitHub shapes it (the fields the stats read).
fn issue(number: u64) -> serde_json::Value {
    serde_json::json!({
        "number": number, "title": format!("[auto-heal] bug {number}"),
        "html_url": format!("https://github.com/acme/tools/issues/{number}"),
        "state": "open", "body": null, "comments": 0,
        "created_at": "2026-11-01T08:00:00Z", "closed_at": null,
    })
}

/// Serve every request with a page of one issue, a `next` link, and no request left in the
/// window; count the requests.
fn exhausted_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let (count, next) = (Arc::clone(&served), base.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let n = count.fetch_add(1, Ordering::SeqCst) as u64 + 1;
            let body = serde_json::json!([issue(n)]).to_string();
            let reset = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 900;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Link: <{next}/repos/acme/tools/issues?page={}>; rel=\"next\"\r\n\
                 X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: {reset}\r\nConnection: close\r\n\r\n{body}",
                body.len(),
                n + 1
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (base, served)
}

#[test]
fn the_last_request_of_the_window_ends_the_reading_with_the_page_kept() {
    let (base, served) = exhausted_server();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_app(App::new("stats_test", "STATS_TEST_", "0.1.0"));
    config.config_dir = dir.path().to_path_buf();
    config.github_repo = Some("acme/tools".to_string());
    config.github_token = Some(Token::new("ghp_StatsRateLimitToken0123456789abcdef"));
    config.api_url = base;
    let client = GitHubClient::from_config(&config).unwrap();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let stats = RepoStats::from_github(&client, "auto-heal", &RepoOptions::at(now_ms)).unwrap();
    assert_eq!(
        served.load(Ordering::SeqCst),
        1,
        "nothing asked after the last request"
    );
    assert_eq!(stats.open_issues, 1, "the page read is kept");
    assert_eq!(stats.incomplete.len(), 1, "{:?}", stats.incomplete);
    let reason = &stats.incomplete[0];
    assert!(
        reason.starts_with("GitHub's rate limit was reached")
            && reason.contains("partial")
            && reason.contains("run it again after 20"),
        "{reason}"
    );
}
