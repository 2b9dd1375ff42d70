//! The MCP server's minimal HTTP endpoint: `GET /health` answers `{"status":"ok"}`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use anyhow::{Context as _, Result};

/// Bind `host:port`.
///
/// # Errors
///
/// When the address is in use or cannot be bound, saying which.
pub fn bind(host: &str, port: u16) -> Result<TcpListener> {
    TcpListener::bind((host, port)).map_err(|error| {
        let what = match error.kind() {
            std::io::ErrorKind::AddrInUse => {
                format!("address {host}:{port} is already in use; stop the process holding it or pick another --port")
            }
            std::io::ErrorKind::PermissionDenied => format!("not allowed to listen on {host}:{port}; use a port above 1023"),
            std::io::ErrorKind::AddrNotAvailable => format!("{host} is not an address of this machine; try --host 127.0.0.1"),
            _ => format!("could not listen on {host}:{port}"),
        };
        anyhow::Error::new(error).context(what)
    })
}

/// Answer requests until the process is interrupted.
///
/// # Errors
///
/// When the listener stops accepting connections.
pub fn serve(listener: &TcpListener) -> Result<()> {
    for stream in listener.incoming() {
        let stream = stream.context("accepting a connection")?;
        if let Err(error) = answer(stream) {
            tracing::debug!(%error, "a health check connection failed");
        }
    }
    Ok(())
}

fn answer(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let (status, body) = match request_line
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["GET", "/health"] => ("200 OK", r#"{"status":"ok"}"#),
        [_, "/health"] => ("405 Method Not Allowed", r#"{"error":"use GET"}"#),
        _ => ("404 Not Found", r#"{"error":"not found"}"#),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
