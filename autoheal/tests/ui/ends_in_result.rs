#[derive(Debug)]
struct ParseResult {
    port: u16,
}

#[autoheal::auto_heal]
fn parse_port(text: &str) -> ParseResult {
    ParseResult {
        port: text.parse().unwrap_or(8004),
    }
}

fn main() {
    let _ = parse_port("8004").port;
}
