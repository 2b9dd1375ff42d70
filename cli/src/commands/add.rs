//! `ipfs-kit add FILE`.

use anyhow::{Context as _, Result, bail};

use crate::args::AddArgs;
use crate::ipfs::cid::{MAX_SINGLE_BLOCK, raw_cid_v1};

/// Print the file's CIDv1.
#[::autoheal::auto_heal(name = "add")]
pub fn run(args: &AddArgs) -> Result<()> {
    tracing::debug!(file = %args.file.display(), "adding");
    let data = std::fs::read(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    if data.len() > MAX_SINGLE_BLOCK {
        bail!(
            "{} is {} bytes; files over {MAX_SINGLE_BLOCK} bytes need a multi-block DAG, which ipfs-kit add does not build yet",
            args.file.display(),
            data.len()
        );
    }
    println!("{}", raw_cid_v1(&data));
    Ok(())
}
