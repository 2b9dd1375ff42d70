//! The fingerprint that groups reports of one bug. (Stub: being written.)

use crate::Report;

/// The fingerprint of a report: 16 lowercase hex digits.
pub(crate) fn fingerprint(report: &Report) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in report
        .error
        .type_name
        .bytes()
        .chain(report.site.function.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
