struct Opaque;

#[autoheal::auto_heal]
fn fails() -> Result<(), Opaque> {
    Err(Opaque)
}

fn main() {
    let _ = fails();
}
