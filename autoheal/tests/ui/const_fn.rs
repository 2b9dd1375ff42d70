#[autoheal::auto_heal]
const fn parse_flag(value: u8) -> Result<bool, u8> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(other),
    }
}

fn main() {
    let _ = parse_flag(1);
}
