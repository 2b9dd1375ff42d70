//! Trace IDs: 32 lowercase hex digits, W3C trace-context compatible, so a report can be tied
//! to the distributed trace it happened in.

/// A new trace ID: the trace-id of a valid `TRACEPARENT` in the environment, else a random one.
pub(crate) fn new_trace_id() -> String {
    trace_id_from(std::env::var("TRACEPARENT").ok().as_deref())
}

/// The trace-id of `traceparent` when it is valid, else a random trace ID.
fn trace_id_from(traceparent: Option<&str>) -> String {
    traceparent
        .and_then(parse_traceparent)
        .unwrap_or_else(random_trace_id)
}

/// The trace-id of a W3C `traceparent` value (`00-<trace-id>-<parent-id>-<flags>`), when valid.
///
/// Follows the specification's rules: lowercase hex only, the version is not `ff`, trace-id and
/// parent-id are not all zeros, version `00` has exactly four fields, and later versions may
/// append fields after the flags.
pub(crate) fn parse_traceparent(value: &str) -> Option<String> {
    let value = value.trim();
    let mut fields = value.split('-');
    let version = fields.next()?;
    let trace_id = fields.next()?;
    let parent_id = fields.next()?;
    let flags = fields.next()?;
    let has_more = fields.next().is_some();
    let valid = is_lower_hex(version, 2)
        && version != "ff"
        && is_lower_hex(trace_id, 32)
        && is_lower_hex(parent_id, 16)
        && is_lower_hex(flags, 2)
        && !is_all_zeros(trace_id)
        && !is_all_zeros(parent_id)
        && !(version == "00" && has_more);
    valid.then(|| trace_id.to_string())
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_all_zeros(text: &str) -> bool {
    text.bytes().all(|b| b == b'0')
}

fn random_trace_id() -> String {
    random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// 128 bits from the standard library's SipHash under random keys (drawn from the operating
/// system's randomness once per thread, then a fresh pair per hasher), over the time, the
/// process and a counter: unique, and not guessable from earlier trace IDs. Never all zeros,
/// which W3C trace context reserves.
fn random_bytes() -> [u8; 16] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 16];
    for half in bytes.chunks_exact_mut(8) {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        hasher.write_u64(count);
        half.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    if bytes == [0; 16] {
        bytes[15] = 1;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_traceparent_gives_its_trace_id() {
        assert_eq!(
            parse_traceparent(VALID).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            parse_traceparent(&format!(" {VALID}\n")).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }

    #[test]
    fn later_versions_may_carry_more_fields_version_00_may_not() {
        assert!(
            parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")
                .is_some()
        );
        assert!(
            parse_traceparent(
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be"
            )
            .is_some()
        );
        assert!(parse_traceparent(&format!("{VALID}-extra")).is_none());
        // After the flags, a later version still needs a dash or the end.
        assert!(
            parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what")
                .is_none()
        );
    }

    #[test]
    fn invalid_traceparents_are_ignored() {
        for bad in [
            "",
            "00",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        ] {
            assert_eq!(parse_traceparent(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_environment_traceparent_is_followed_only_when_valid() {
        assert_eq!(
            trace_id_from(Some(VALID)),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        for traceparent in [None, Some("garbage"), Some("")] {
            let id = trace_id_from(traceparent);
            assert!(is_lower_hex(&id, 32) && !is_all_zeros(&id), "{id}");
            assert_ne!(id, "4bf92f3577b34da6a3ce929d0e0e4736");
        }
    }

    #[test]
    fn random_trace_ids_are_lowercase_hex_and_distinct() {
        let a = random_trace_id();
        let b = random_trace_id();
        assert!(is_lower_hex(&a, 32) && !is_all_zeros(&a));
        assert_ne!(a, b);
        let many: std::collections::HashSet<[u8; 16]> = (0..1000).map(|_| random_bytes()).collect();
        assert_eq!(many.len(), 1000);
        assert!(!many.contains(&[0; 16]));
    }
}
