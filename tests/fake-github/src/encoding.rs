//! The small encodings GitHub's replies use: base64 file contents (wrapped at 60 columns, as
//! GitHub sends them), 40-hex object ids, RFC 3339 timestamps and HTTP dates.

use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, one `\n` after every 60 characters and after the last line,
/// like the `content` field of GitHub's contents API.
pub(crate) fn base64_wrapped(bytes: &[u8]) -> String {
    let plain = base64(bytes);
    let mut wrapped = String::with_capacity(plain.len() + plain.len() / 60 + 1);
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            wrapped.push('\n');
        }
        wrapped.push(c);
    }
    if !wrapped.is_empty() {
        wrapped.push('\n');
    }
    wrapped
}

/// Standard base64 with padding, on one line.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decode standard base64, ignoring whitespace (GitHub's clients send it wrapped or not);
/// `None` when a character is outside the alphabet.
pub(crate) fn unbase64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .map(|b| ALPHABET.iter().position(|c| *c == b).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | (d << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// A stand-in for a git object id: 40 lowercase hex digits, the same for the same content.
pub(crate) fn object_id(content: &[u8]) -> String {
    let mut words = [0u64; 3];
    for (seed, word) in words.iter_mut().enumerate() {
        let mut hash =
            0xcbf2_9ce4_8422_2325_u64 ^ (seed as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for byte in content {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= content.len() as u64;
        hash = (hash ^ (hash >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        *word = hash ^ (hash >> 29);
    }
    format!("{:016x}{:016x}{:08x}", words[0], words[1], words[2] as u32)
}

/// Seconds since the Unix epoch.
pub(crate) fn epoch_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `2024-05-01T12:34:56Z`, the form of every GitHub timestamp.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let (year, month, day, hour, minute, second, _) = civil(epoch_secs(time));
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// `Wed, 01 May 2024 12:34:56 GMT`, the form of the `Date` header.
pub(crate) fn http_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day, hour, minute, second, days) = civil(epoch_secs(time));
    let weekday = DAYS.get((days % 7) as usize).copied().unwrap_or("Thu");
    let month = MONTHS.get(month as usize - 1).copied().unwrap_or("Jan");
    format!("{weekday}, {day:02} {month} {year:04} {hour:02}:{minute:02}:{second:02} GMT")
}

/// Calendar fields of a Unix time (proleptic Gregorian, UTC), and the days since the epoch.
fn civil(secs: u64) -> (u64, u64, u64, u64, u64, u64, u64) {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    // Howard Hinnant's days-to-civil, for days on or after 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (
        year,
        month,
        day,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        days,
    )
}

/// `text` with its `%XX` escapes decoded, as GitHub reads a URL's query (a `+` stays a `+`).
///
/// # Panics
///
/// On a `%` not followed by two hex digits, or bytes that are not UTF-8: a test's link must
/// be well-formed.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).expect("a %XX escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 after decoding")
}
