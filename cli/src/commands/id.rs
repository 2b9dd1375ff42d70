//! `ipfs-kit id [--api URL]`.

use anyhow::Result;

use crate::args::IdArgs;
use crate::ipfs::kubo;

/// Print the daemon's peer ID.
#[::autoheal::auto_heal(name = "id")]
pub fn run(args: &IdArgs) -> Result<()> {
    tracing::debug!(api = %args.api, "asking the daemon for its identity");
    println!("{}", kubo::peer_id(&args.api)?);
    Ok(())
}
