type Port = Option<u16>;

#[autoheal::auto_heal]
fn parse_port(text: &str) -> Port {
    text.parse().ok()
}

fn main() {
    let _ = parse_port("8004");
}
