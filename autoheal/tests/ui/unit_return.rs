#[autoheal::auto_heal]
fn log_something() {
    println!("hello");
}

fn main() {
    log_something();
}
