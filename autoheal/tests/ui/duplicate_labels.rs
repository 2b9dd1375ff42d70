#[autoheal::auto_heal(labels("mcp"), labels("server"))]
fn start() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = start();
}
