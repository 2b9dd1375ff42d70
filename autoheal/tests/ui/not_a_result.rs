#[autoheal::auto_heal]
fn answer() -> u32 {
    42
}

fn main() {
    let _ = answer();
}
