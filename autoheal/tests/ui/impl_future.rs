use std::future::Future;

#[autoheal::auto_heal]
fn fetch() -> impl Future<Output = Result<u8, String>> {
    async { Ok(1) }
}

fn main() {
    let _ = fetch();
}
