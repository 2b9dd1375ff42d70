#[autoheal::auto_heal(name = "mcp start", name = "mcp run")]
fn start() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = start();
}
