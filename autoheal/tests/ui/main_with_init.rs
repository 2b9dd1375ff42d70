fn config() -> autoheal::Config {
    unimplemented!("read from the environment")
}

#[autoheal::auto_heal]
fn main() -> Result<(), std::io::Error> {
    let _guard = autoheal::init(config());
    std::fs::read_to_string("/nonexistent/settings.toml")?;
    Ok(())
}
