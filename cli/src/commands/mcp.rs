//! `ipfs-kit mcp start [--port 8004] [--host 127.0.0.1]`.

use std::io::Write as _;

use anyhow::Result;

use crate::args::McpStartArgs;
use crate::ipfs::health_server;

/// Serve until interrupted.
#[::autoheal::auto_heal(name = "mcp start", labels("mcp"))]
pub fn start(args: &McpStartArgs) -> Result<()> {
    let listener = health_server::bind(&args.host, args.port)?;
    let address = listener.local_addr()?;
    println!("MCP server listening on http://{address} (GET /health); press Ctrl-C to stop");
    std::io::stdout().flush()?;
    tracing::info!(%address, "mcp server started");
    health_server::serve(&listener)
}
