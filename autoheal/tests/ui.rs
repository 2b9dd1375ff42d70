//! The compile errors `#[auto_heal]` promises, each at the part of the code at fault.

#[test]
fn misuse_is_a_clear_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
