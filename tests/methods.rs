//! `#[auto_heal]` on methods: `&self`, `&mut self`, `self`, trait impls, trait default bodies
//! and `async fn` in traits.

use autoheal::test::with_captured_reports;
use autoheal::{Report, auto_heal};

fn single(reports: Vec<Report>) -> Report {
    assert_eq!(reports.len(), 1, "expected one report, got {reports:#?}");
    reports.into_iter().next().unwrap()
}

#[derive(Debug, Default)]
struct PinSet {
    name: String,
    pins: Vec<String>,
}

impl PinSet {
    #[auto_heal]
    fn first(&self) -> Result<&str, String> {
        self.pins
            .first()
            .map(String::as_str)
            .ok_or_else(|| format!("{} has no pins", self.name))
    }

    #[auto_heal]
    fn name(&self) -> Result<&str, String> {
        // The tail coerces `&String` to `&str`, as it would without the attribute.
        Ok(&self.name)
    }

    #[auto_heal]
    fn add(&mut self, cid: &str) -> Result<usize, String> {
        if self.pins.iter().any(|p| p == cid) {
            return Err(format!("{cid} is already pinned"));
        }
        self.pins.push(cid.to_string());
        Ok(self.pins.len())
    }

    #[auto_heal]
    fn pins_mut(&mut self) -> Result<&mut Vec<String>, String> {
        if self.name.is_empty() {
            return Err("an unnamed pin set cannot be changed".into());
        }
        Ok(&mut self.pins)
    }

    #[auto_heal]
    fn into_single(self) -> Result<String, String> {
        match <[String; 1]>::try_from(self.pins) {
            Ok([only]) => Ok(only),
            Err(pins) => Err(format!("expected one pin, found {}", pins.len())),
        }
    }
}

#[test]
fn shared_borrowing_methods() {
    let set = PinSet {
        name: "docs".into(),
        pins: vec!["bafkrei1".into()],
    };
    assert_eq!(set.first(), Ok("bafkrei1"));
    assert_eq!(set.name(), Ok("docs"));
    let empty = PinSet {
        name: "empty".into(),
        ..PinSet::default()
    };
    let (result, reports) = with_captured_reports(|| empty.first().map(str::to_string));
    assert_eq!(result, Err("empty has no pins".to_string()));
    assert_eq!(single(reports).site.function, "methods::PinSet::first");
}

#[test]
fn mutably_borrowing_methods_including_one_returning_a_borrow_of_self() {
    let mut set = PinSet {
        name: "docs".into(),
        ..PinSet::default()
    };
    assert_eq!(set.add("bafkrei1"), Ok(1));
    set.pins_mut().unwrap().push("bafkrei2".into());
    assert_eq!(set.pins, ["bafkrei1", "bafkrei2"]);
    let (result, reports) = with_captured_reports(|| set.add("bafkrei1"));
    assert_eq!(result, Err("bafkrei1 is already pinned".to_string()));
    assert_eq!(single(reports).site.function, "methods::PinSet::add");
    let mut unnamed = PinSet::default();
    let (result, reports) = with_captured_reports(|| unnamed.pins_mut().map(|pins| pins.len()));
    assert!(result.is_err());
    assert_eq!(
        single(reports).error.message,
        "an unnamed pin set cannot be changed"
    );
}

#[test]
fn methods_taking_self_by_value() {
    let one = PinSet {
        name: "x".into(),
        pins: vec!["bafkrei1".into()],
    };
    assert_eq!(one.into_single(), Ok("bafkrei1".to_string()));
    let (result, reports) = with_captured_reports(|| PinSet::default().into_single());
    assert_eq!(result, Err("expected one pin, found 0".to_string()));
    assert_eq!(
        single(reports).site.function,
        "methods::PinSet::into_single"
    );
}

trait Store {
    fn get(&self, key: &str) -> Result<Vec<u8>, std::io::Error>;

    /// A default method with a body.
    #[auto_heal]
    fn get_text(&self, key: &str) -> Result<String, String> {
        let bytes = self.get(key).map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| format!("{key} is not UTF-8: {e}"))
    }
}

struct MemoryStore;

impl Store for MemoryStore {
    #[auto_heal]
    fn get(&self, key: &str) -> Result<Vec<u8>, std::io::Error> {
        match key {
            "binary" => Ok(vec![0xff, 0xfe]),
            "hello" => Ok(b"hello".to_vec()),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no key {key}"),
            )),
        }
    }
}

#[test]
fn trait_impl_methods_and_default_methods() {
    assert_eq!(MemoryStore.get_text("hello"), Ok("hello".to_string()));
    let (result, reports) = with_captured_reports(|| MemoryStore.get_text("missing"));
    assert_eq!(result, Err("no key missing".to_string()));
    let report = single(reports);
    assert_eq!(
        report.site.function,
        "<methods::MemoryStore as methods::Store>::get"
    );
    assert_eq!(report.frames.len(), 2, "{:?}", report.frames);
    assert!(
        report.frames[1].ends_with("Store::get_text"),
        "{:?}",
        report.frames
    );
    let (result, reports) = with_captured_reports(|| MemoryStore.get_text("binary"));
    assert!(result.unwrap_err().starts_with("binary is not UTF-8"));
    assert_eq!(
        single(reports).frames.len(),
        1,
        "the default method is the only frame"
    );
}

trait Fetch {
    async fn fetch(&self, cid: &str) -> Result<Vec<u8>, String>;
}

struct Gateway {
    reachable: bool,
}

impl Fetch for Gateway {
    #[auto_heal(name = "gateway fetch")]
    async fn fetch(&self, cid: &str) -> Result<Vec<u8>, String> {
        tokio::task::yield_now().await;
        if self.reachable {
            Ok(cid.as_bytes().to_vec())
        } else {
            Err(format!("gateway unreachable for {cid}"))
        }
    }
}

#[test]
fn async_fn_in_traits() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(
        runtime.block_on(Gateway { reachable: true }.fetch("bafk")),
        Ok(b"bafk".to_vec())
    );
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(Gateway { reachable: false }.fetch("bafk")));
    assert_eq!(result, Err("gateway unreachable for bafk".to_string()));
    assert_eq!(single(reports).site.function, "gateway fetch");
}
