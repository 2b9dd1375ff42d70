//! Not public API: used by the code `#[auto_heal]` generates.
