#[autoheal::auto_heal]
fn main() -> Result<(), std::io::Error> {
    let _guard = autoheal::init!();
    std::fs::read_to_string("/nonexistent/settings.toml")?;
    Ok(())
}
