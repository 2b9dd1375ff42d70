//! A `Result` spelled any way the compiler accepts as one.
use std::io;

#[derive(Debug)]
struct MyError;

type Fallible<T> = Result<T, MyError>;

mod other_crate {
    pub use std::result::Result as Outcome;
}

#[autoheal::auto_heal]
fn alias() -> Fallible<u32> {
    Err(MyError)
}

#[autoheal::auto_heal]
fn io_result() -> io::Result<u32> {
    Ok(1)
}

#[autoheal::auto_heal]
fn anyhow_result() -> anyhow::Result<u32> {
    anyhow::bail!("no port")
}

#[autoheal::auto_heal]
fn renamed() -> other_crate::Outcome<u32, String> {
    Ok(1)
}

#[autoheal::auto_heal]
fn fully_qualified() -> ::core::result::Result<u32, std::fmt::Error> {
    Ok(1)
}

#[autoheal::auto_heal]
async fn async_alias() -> Fallible<u32> {
    Ok(1)
}

fn main() {
    let _ = alias();
    let _ = io_result();
    let _ = anyhow_result();
    let _ = renamed();
    let _ = fully_qualified();
    let _ = async_alias();
}
