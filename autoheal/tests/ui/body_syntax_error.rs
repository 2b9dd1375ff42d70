#[autoheal::auto_heal]
fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
    let port = text.parse()?
    Ok(port)
}

fn main() {
    let _ = parse_port("8004");
}
