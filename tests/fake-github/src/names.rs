//! Names for distinct bugs in tests.

/// A name made of letters only (`a`, `b`, …, `z`, `ab`, …): digits are masked in
/// fingerprints, so `missing-1` and `missing-2` would be one bug; names made of letters make
/// distinct bugs.
pub fn letters(mut n: usize) -> String {
    let mut name = String::new();
    loop {
        name.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return name;
        }
    }
}
