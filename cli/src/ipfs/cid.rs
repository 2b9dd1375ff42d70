//! CIDv1 of a single-block file, as `ipfs add --cid-version 1 --raw-leaves` computes it:
//! multibase base32 (lower case, `b`), version 1, the raw codec, a sha2-256 multihash.

use sha2::{Digest, Sha256};

/// The largest file that is a single block with the default chunker (256 KiB).
pub const MAX_SINGLE_BLOCK: usize = 256 * 1024;

const CID_VERSION_1: u8 = 0x01;
const RAW_CODEC: u8 = 0x55;
const SHA2_256: u8 = 0x12;
const SHA2_256_LENGTH: u8 = 0x20;

/// The CIDv1 (raw, sha2-256, base32) of `data`, which must fit in one block.
pub fn raw_cid_v1(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut bytes = vec![CID_VERSION_1, RAW_CODEC, SHA2_256, SHA2_256_LENGTH];
    bytes.extend_from_slice(&digest);
    format!("b{}", base32_lower(&bytes))
}

/// RFC 4648 base32, lower case, without padding.
fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32_lower(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn cids_match_ipfs_for_known_files() {
        assert_eq!(
            raw_cid_v1(b""),
            "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        );
        assert_eq!(
            raw_cid_v1(b"hello world"),
            "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
        );
        assert_eq!(
            raw_cid_v1(b"hello world\n"),
            "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
        );
    }
}
