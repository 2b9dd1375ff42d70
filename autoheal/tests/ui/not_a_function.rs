#[autoheal::auto_heal]
struct Settings {
    port: u16,
}

fn main() {
    let _ = Settings { port: 8004 }.port;
}
