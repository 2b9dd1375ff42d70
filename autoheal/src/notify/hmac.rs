//! HMAC-SHA256 (RFC 2104) over the crate's own SHA-256: the signature of the generic JSON
//! webhook, which a receiver checks the way it checks GitHub's `X-Hub-Signature-256`.

use crate::sha256::Sha256;

/// SHA-256's block size in bytes.
const BLOCK: usize = 64;

/// The HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    let hashed;
    let key = if key.len() > BLOCK {
        let mut hasher = Sha256::new();
        hasher.update(key);
        hashed = hasher.finalize();
        &hashed[..]
    } else {
        key
    };
    block.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
    let padded = |pad: u8| block.map(|byte| byte ^ pad);
    let mut inner = Sha256::new();
    inner.update(padded(0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(padded(0x5c));
    outer.update(inner.finalize());
    outer.finalize()
}

/// The value of the `X-Autoheal-Signature-256` header for `body` signed with `secret`:
/// `sha256=` and the HMAC in lowercase hex.
pub fn signature_header(secret: &str, body: &[u8]) -> String {
    let digest = hmac_sha256(secret.as_bytes(), body);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Whether `header` (the `X-Autoheal-Signature-256` value a receiver got) is the signature of
/// `body` under `secret`, compared in constant time.
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    let expected = signature_header(secret, body);
    let given = header.trim().as_bytes();
    expected.len() == given.len()
        && expected
            .as_bytes()
            .iter()
            .zip(given)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 4231, section 4: test cases 1 to 7 (case 5's output is truncated to 128 bits).
    #[test]
    fn the_rfc_4231_test_vectors() {
        let long_key = vec![0xaa; 131];
        let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0x0c; 20],
                b"Test With Truncation".to_vec(),
                "a3b6167473100ee06e0c796c2955552b",
            ),
            (
                long_key.clone(),
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                long_key,
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (n, (key, data, expected)) in cases.iter().enumerate() {
            let mac = hex(&hmac_sha256(key, data));
            assert_eq!(&mac[..expected.len()], *expected, "RFC 4231 case {}", n + 1);
        }
    }

    #[test]
    fn a_signature_verifies_only_for_its_own_body_and_secret() {
        let body = br#"{"event":"new"}"#;
        let header = signature_header("s3cret-value", body);
        assert!(header.starts_with("sha256=") && header.len() == 7 + 64);
        assert!(verify_signature("s3cret-value", body, &header));
        assert!(!verify_signature("s3cret-valuf", body, &header));
        assert!(!verify_signature(
            "s3cret-value",
            br#"{"event":"old"}"#,
            &header
        ));
        assert!(!verify_signature("s3cret-value", body, "sha256=00"));
    }
}
