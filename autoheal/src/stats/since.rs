//! `--since`: a duration back from now (`7d`, `12h`, `1w2d`) or a date (`2026-11-01`, UTC
//! midnight) or a UTC time (`2026-11-01T08:00:00Z`).

use crate::{Error, Result};

/// The time `text` names, in milliseconds since the Unix epoch, `now_ms` being now.
///
/// # Errors
///
/// When `text` is neither a duration nor a date; the message shows both forms.
pub fn parse_since(text: &str, now_ms: u64) -> Result<u64> {
    let text = text.trim();
    if let Some(ms) = duration_ms(text) {
        return Ok(now_ms.saturating_sub(ms));
    }
    let time = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    if let Some(at) = crate::timestamp::parse(&time) {
        let ms = at
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default();
        return Ok(ms);
    }
    Err(Error::InvalidConfig {
        key: "--since".to_string(),
        message: format!(
            "`{text}` is neither a duration nor a date; use a duration back from now such as 30m, 12h, 7d or 2w (units s, m, h, d, w, combined as 1d12h), or a UTC date such as 2026-11-01 or 2026-11-01T08:00:00Z"
        ),
    })
}

/// `text` as a duration in milliseconds: numbers each followed by a unit (`s`, `m`, `h`, `d`,
/// `w`).
fn duration_ms(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in text.chars() {
        if let Some(digit) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(digit.into())?,
            );
            continue;
        }
        let unit: u64 = match c {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 7 * 86_400_000,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    // A number without a unit is not a duration.
    match number {
        Some(_) => None,
        None => Some(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_764_731_700_000; // 2025-12-03T03:15:00Z

    #[test]
    fn durations_count_back_from_now() {
        assert_eq!(parse_since("7d", NOW).unwrap(), NOW - 7 * 86_400_000);
        assert_eq!(parse_since("90m", NOW).unwrap(), NOW - 90 * 60_000);
        assert_eq!(
            parse_since("1w2d12h", NOW).unwrap(),
            NOW - (9 * 86_400_000 + 12 * 3_600_000)
        );
    }

    #[test]
    fn dates_are_utc_midnight_and_times_are_exact() {
        assert_eq!(
            parse_since("2025-12-01", NOW).unwrap(),
            NOW - 2 * 86_400_000 - 3 * 3_600_000 - 15 * 60_000
        );
        assert_eq!(
            parse_since("2025-12-03T03:00:00Z", NOW).unwrap(),
            NOW - 15 * 60_000
        );
    }

    #[test]
    fn anything_else_is_refused_with_both_forms_shown() {
        for bad in ["", "7", "seven days", "7y", "2025-13-01", "d"] {
            let error = parse_since(bad, NOW).unwrap_err().to_string();
            assert!(
                error.contains("7d") && error.contains("2026-11-01"),
                "{error}"
            );
        }
    }
}
