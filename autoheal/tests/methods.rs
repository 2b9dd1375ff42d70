//! `#[auto_heal]` on methods: `&self`, `&mut self` (also returning a borrow of `self`), `self`,
//! associated functions, generic impls, trait impls, trait default bodies and `async fn` in
//! traits. The path in the report names the type (and the trait) the method belongs to.

mod common;

use std::fmt::Display;

use autoheal::test::with_captured_reports;
use autoheal::{ReportKind, auto_heal};
use common::{line_of, single};

const SOURCE: &str = include_str!("methods.rs");

#[derive(Debug, Default)]
struct PinSet {
    name: String,
    pins: Vec<String>,
}

impl PinSet {
    #[auto_heal]
    fn named(name: &str) -> Result<Self, String> {
        if name.is_empty() {
            return Err("a pin set needs a name".into());
        }
        Ok(PinSet {
            name: name.to_string(),
            pins: Vec::new(),
        })
    }

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
    async fn reserve(&mut self, extra: usize) -> Result<&mut Vec<String>, String> {
        tokio::task::yield_now().await;
        if self.pins.len() + extra > 3 {
            return Err(format!("{} cannot hold {extra} more pins", self.name));
        }
        self.pins.reserve(extra);
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

fn docs_set(pins: &[&str]) -> PinSet {
    PinSet {
        name: "docs".into(),
        pins: pins.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn associated_functions_returning_self() {
    let (set, reports) = with_captured_reports(|| PinSet::named("docs"));
    assert_eq!(set.unwrap().name, "docs");
    assert!(reports.is_empty());
    let (result, reports) = with_captured_reports(|| PinSet::named(""));
    assert_eq!(result.unwrap_err(), "a pin set needs a name");
    let report = single(reports);
    assert_eq!(report.kind, ReportKind::Error);
    assert_eq!(report.site.function, "methods::PinSet::named");
    assert_eq!(report.site.module, "methods");
    assert_eq!(report.site.file, "autoheal/tests/methods.rs");
    assert_eq!(report.site.line, line_of(SOURCE, "fn named("));
    assert_eq!(report.frames, ["methods::PinSet::named"]);
}

#[test]
fn shared_borrowing_methods() {
    let set = docs_set(&["bafkrei1"]);
    let ((first, name), reports) = with_captured_reports(|| (set.first(), set.name()));
    assert!(std::ptr::eq(first.unwrap(), set.pins[0].as_str()));
    assert!(std::ptr::eq(name.unwrap(), set.name.as_str()));
    assert!(reports.is_empty());
    let empty = docs_set(&[]);
    let (result, reports) = with_captured_reports(|| empty.first().map(str::to_string));
    assert_eq!(result, Err("docs has no pins".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "methods::PinSet::first");
    assert_eq!(report.site.line, line_of(SOURCE, "fn first("));
    assert_eq!(report.error.message, "docs has no pins");
}

#[test]
fn mutably_borrowing_methods_including_ones_returning_a_borrow_of_self() {
    let mut set = docs_set(&[]);
    let (added, reports) = with_captured_reports(|| set.add("bafkrei1"));
    assert_eq!((added, reports.len()), (Ok(1), 0));
    set.pins_mut().unwrap().push("bafkrei2".into());
    assert_eq!(set.pins, ["bafkrei1", "bafkrei2"], "the borrow was of self");
    let (result, reports) = with_captured_reports(|| set.add("bafkrei1"));
    assert_eq!(result, Err("bafkrei1 is already pinned".to_string()));
    assert_eq!(single(reports).site.function, "methods::PinSet::add");

    let mut unnamed = PinSet::default();
    let (result, reports) = with_captured_reports(|| unnamed.pins_mut().map(|pins| pins.len()));
    assert_eq!(
        result,
        Err("an unnamed pin set cannot be changed".to_string())
    );
    let report = single(reports);
    assert_eq!(report.site.function, "methods::PinSet::pins_mut");
    assert_eq!(report.site.line, line_of(SOURCE, "fn pins_mut("));
}

#[test]
fn async_methods_returning_a_mutable_borrow_of_self() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut set = docs_set(&["bafkrei1"]);
    runtime
        .block_on(set.reserve(2))
        .unwrap()
        .push("bafkrei2".into());
    assert_eq!(set.pins, ["bafkrei1", "bafkrei2"]);
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(set.reserve(5)).map(|pins| pins.len()));
    assert_eq!(result, Err("docs cannot hold 5 more pins".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "methods::PinSet::reserve");
    assert_eq!(report.site.line, line_of(SOURCE, "async fn reserve("));
}

#[test]
fn methods_taking_self_by_value() {
    let (only, reports) = with_captured_reports(|| docs_set(&["bafkrei1"]).into_single());
    assert_eq!((only, reports.len()), (Ok("bafkrei1".to_string()), 0));
    let (result, reports) = with_captured_reports(|| PinSet::default().into_single());
    assert_eq!(result, Err("expected one pin, found 0".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "methods::PinSet::into_single");
    assert_eq!(report.site.line, line_of(SOURCE, "fn into_single("));
}

struct Labelled<T>(T);

impl<T: Display> Labelled<T> {
    #[auto_heal]
    fn label(&self, max: usize) -> Result<String, String> {
        let text = self.0.to_string();
        if text.len() > max {
            return Err(format!("{text} is longer than {max}"));
        }
        Ok(text)
    }
}

#[test]
fn methods_of_generic_types_show_the_type_with_a_placeholder() {
    let (ok, reports) = with_captured_reports(|| Labelled(8004).label(4));
    assert_eq!((ok, reports.len()), (Ok("8004".to_string()), 0));
    let (result, reports) = with_captured_reports(|| Labelled("mcp-server").label(3));
    assert_eq!(result, Err("mcp-server is longer than 3".to_string()));
    assert_eq!(single(reports).site.function, "methods::Labelled<_>::label");
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
fn trait_impl_methods_are_named_with_their_trait() {
    let (ok, reports) = with_captured_reports(|| MemoryStore.get("hello"));
    assert_eq!((ok.unwrap(), reports.len()), (b"hello".to_vec(), 0));
    let (result, reports) = with_captured_reports(|| MemoryStore.get("missing"));
    assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::NotFound);
    let report = single(reports);
    assert_eq!(
        report.site.function,
        "<methods::MemoryStore as methods::Store>::get"
    );
    assert_eq!(report.site.module, "methods");
    assert_eq!(
        report.site.line,
        line_of(
            SOURCE,
            "fn get(&self, key: &str) -> Result<Vec<u8>, std::io::Error> {"
        )
    );
    assert_eq!(report.error.message, "no key missing");
}

#[test]
fn trait_default_methods_are_named_by_the_trait() {
    let (ok, reports) = with_captured_reports(|| MemoryStore.get_text("hello"));
    assert_eq!((ok, reports.len()), (Ok("hello".to_string()), 0));
    let (result, reports) = with_captured_reports(|| MemoryStore.get_text("binary"));
    assert!(result.unwrap_err().starts_with("binary is not UTF-8"));
    let report = single(reports);
    assert_eq!(report.site.function, "methods::Store::get_text");
    assert_eq!(report.site.line, line_of(SOURCE, "fn get_text("));
    assert_eq!(report.frames, ["methods::Store::get_text"]);
    // A failure of the impl passes through the default method: one report, both frames.
    let (result, reports) = with_captured_reports(|| MemoryStore.get_text("missing"));
    assert_eq!(result, Err("no key missing".to_string()));
    assert_eq!(
        single(reports).frames,
        [
            "<methods::MemoryStore as methods::Store>::get",
            "methods::Store::get_text"
        ]
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

struct Mirror;

impl Fetch for Mirror {
    #[auto_heal]
    async fn fetch(&self, cid: &str) -> Result<Vec<u8>, String> {
        tokio::task::yield_now().await;
        Err(format!("the mirror has no {cid}"))
    }
}

#[test]
fn async_fn_in_traits() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (ok, reports) =
        with_captured_reports(|| runtime.block_on(Gateway { reachable: true }.fetch("bafk")));
    assert_eq!((ok, reports.len()), (Ok(b"bafk".to_vec()), 0));
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(Gateway { reachable: false }.fetch("bafk")));
    assert_eq!(result, Err("gateway unreachable for bafk".to_string()));
    let report = single(reports);
    assert_eq!(
        report.site.function,
        "<methods::Gateway as methods::Fetch>::fetch"
    );
    assert_eq!(report.site.name.as_deref(), Some("gateway fetch"));
    assert_eq!(report.frames, ["gateway fetch"]);
    let (result, reports) = with_captured_reports(|| runtime.block_on(Mirror.fetch("bafk")));
    assert_eq!(result, Err("the mirror has no bafk".to_string()));
    let report = single(reports);
    assert_eq!(
        report.site.function,
        "<methods::Mirror as methods::Fetch>::fetch"
    );
    assert_eq!(report.site.name, None);
    assert_eq!(report.site.module, "methods");
}
