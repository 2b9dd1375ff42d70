//! `main` may be annotated when autoheal is installed outside it; `init` of another crate in
//! its body is not autoheal's.

mod env_logger {
    pub fn init() {}
}

#[autoheal::auto_heal]
fn main() -> Result<(), String> {
    env_logger::init();
    Ok(())
}
