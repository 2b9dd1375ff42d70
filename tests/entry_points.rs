//! `fn main() -> Result` and `async fn main` with `#[tokio::main]`, in either order.

use autoheal::test::with_captured_reports;

mod plain {
    #[autoheal::auto_heal]
    pub fn main() -> Result<(), Box<dyn std::error::Error>> {
        let config = std::fs::read_to_string("/nonexistent/main.toml")?;
        println!("{config}");
        Ok(())
    }
}

mod tokio_outside {
    #[tokio::main(flavor = "current_thread")]
    #[autoheal::auto_heal]
    pub async fn main() -> Result<(), String> {
        tokio::task::yield_now().await;
        Err("tokio::main outside".to_string())
    }
}

mod tokio_inside {
    #[autoheal::auto_heal]
    #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    pub async fn main() -> Result<(), String> {
        tokio::task::yield_now().await;
        Err("tokio::main inside".to_string())
    }
}

#[test]
fn a_main_function_returning_result() {
    let (result, reports) = with_captured_reports(plain::main);
    assert!(result.is_err());
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].site.function, "entry_points::plain::main");
    assert_eq!(reports[0].error.type_name, "io::Error");
}

#[test]
fn tokio_main_applied_outside_the_attribute() {
    let (result, reports) = with_captured_reports(tokio_outside::main);
    assert_eq!(result, Err("tokio::main outside".to_string()));
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].site.function,
        "entry_points::tokio_outside::main"
    );
}

#[test]
fn tokio_main_applied_inside_the_attribute() {
    let (result, reports) = with_captured_reports(tokio_inside::main);
    assert_eq!(result, Err("tokio::main inside".to_string()));
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].error.message, "tokio::main inside");
}
