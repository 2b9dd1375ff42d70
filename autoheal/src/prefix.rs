//! Cutting text to a byte budget without splitting a character.

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub(crate) fn prefix_within(text: &str, max: usize) -> &str {
    let mut cut = max.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.get(..cut).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::prefix_within;

    #[test]
    fn a_prefix_never_splits_a_character() {
        assert_eq!(prefix_within("éé", 3), "é");
        assert_eq!(prefix_within("abc", 10), "abc");
        assert_eq!(prefix_within("abc", 0), "");
    }
}
