//! Inner attributes at the top of the body stay there and apply to the whole body.
#![deny(unused_variables)]

#[autoheal::auto_heal]
fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
    #![allow(unused_variables)]
    //! The port the service listens on.
    let unused = 1;
    text.parse()
}

struct Server;

impl Server {
    #[autoheal::auto_heal]
    async fn start(&self) -> Result<(), String> {
        #![allow(unused_variables)]
        let unused = 1;
        Ok(())
    }
}

fn main() {
    let _ = parse_port("8004");
    let _ = Server.start();
}
