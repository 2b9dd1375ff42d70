#[autoheal::auto_heal(labels("mcp", "server,network"))]
fn start() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = start();
}
