trait Store {
    #[autoheal::auto_heal]
    fn load(&self) -> Result<Vec<u8>, std::io::Error>;
}

fn main() {}
