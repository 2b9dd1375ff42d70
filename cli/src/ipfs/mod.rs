//! What ipfs-kit does with IPFS: content identifiers, the Kubo RPC API, the MCP server.

pub mod cid;
pub mod health_server;
pub mod kubo;
