#[autoheal::auto_heal(nme = "mcp start")]
fn start() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = start();
}
