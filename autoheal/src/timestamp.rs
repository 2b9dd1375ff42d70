//! RFC 3339 timestamps in UTC (`2024-05-01T12:30:45Z`, `2024-05-01T12:30:45.123Z`): the
//! report's `timestamp`, the log lines' times and the dates GitHub is asked about.
//!
//! Written by hand from the proleptic Gregorian calendar: formatting a time is all the library
//! needs, and it runs for every kept log line, so it allocates nothing.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A time that displays as RFC 3339 in UTC, with seconds or milliseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rfc3339 {
    since_epoch: Duration,
    millis: bool,
}

/// `time` as `YYYY-MM-DDTHH:MM:SSZ`. Times before 1970 show as the epoch.
pub(crate) fn seconds(time: SystemTime) -> Rfc3339 {
    Rfc3339 {
        since_epoch: time.duration_since(UNIX_EPOCH).unwrap_or_default(),
        millis: false,
    }
}

/// `time` as `YYYY-MM-DDTHH:MM:SS.mmmZ`. Times before 1970 show as the epoch.
pub(crate) fn millis(time: SystemTime) -> Rfc3339 {
    Rfc3339 {
        millis: true,
        ..seconds(time)
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.since_epoch.as_secs();
        let (year, month, day) = civil_from_days(secs / 86_400);
        let of_day = secs % 86_400;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60
        )?;
        if self.millis {
            write!(f, ".{:03}", self.since_epoch.subsec_millis())?;
        }
        f.write_str("Z")
    }
}

/// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shifted to start on 0000-03-01, so that the leap day ends each 400-year era's years.
    let days = days + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The days from 1970-01-01 to a date (Howard Hinnant's `days_from_civil`); `year` at least 1.
pub(crate) fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year % 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A UTC timestamp as [`seconds`] or [`millis`] write it: for tests, and `stats --since`.
pub(crate) fn parse(text: &str) -> Option<SystemTime> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let number = |s: &str, len: usize| -> Option<u64> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut date = date.split('-');
    let (year, month, day) = (
        number(date.next()?, 4)?,
        number(date.next()?, 2)?,
        number(date.next()?, 2)?,
    );
    let (time, millis) = match time.split_once('.') {
        Some((time, fraction)) => (time, number(fraction, 3)?),
        None => (time, 0),
    };
    let mut time = time.split(':');
    let (hour, minute, second) = (
        number(time.next()?, 2)?,
        number(time.next()?, 2)?,
        number(time.next()?, 2)?,
    );
    let valid = date.next().is_none()
        && time.next().is_none()
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && year >= 1970;
    if !valid {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis)
    }

    #[test]
    fn known_instants_format_as_rfc_3339_utc() {
        assert_eq!(seconds(UNIX_EPOCH).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(millis(at(0, 7)).to_string(), "1970-01-01T00:00:00.007Z");
        // 2000 is a leap year (divisible by 400), 1900 and 2100 are not.
        assert_eq!(
            seconds(at(951_782_400, 0)).to_string(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            millis(at(1_518_568_087, 123)).to_string(),
            "2018-02-14T00:28:07.123Z"
        );
        assert_eq!(
            seconds(at(4_107_542_399, 0)).to_string(),
            "2100-02-28T23:59:59Z"
        );
        assert_eq!(
            seconds(at(4_107_542_400, 0)).to_string(),
            "2100-03-01T00:00:00Z"
        );
        assert_eq!(
            seconds(at(253_402_300_799, 0)).to_string(),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn a_time_before_the_epoch_shows_as_the_epoch() {
        let before = UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(seconds(before).to_string(), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn every_day_of_four_centuries_reads_back_as_itself() {
        for day in (0..146_097 + 365 * 30).step_by(7) {
            let time = at(day * 86_400 + 45_296, 789);
            let text = millis(time).to_string();
            assert_eq!(parse(&text), Some(time), "{text}");
            let (year, month, date) = civil_from_days(day);
            assert_eq!(days_from_civil(year, month, date), day);
        }
    }

    #[test]
    fn the_parser_refuses_what_is_not_a_utc_timestamp() {
        for text in [
            "",
            "2024-05-01T12:30:45",
            "2024-05-01 12:30:45Z",
            "2024-13-01T12:30:45Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:30:45.12Z",
            "24-05-01T12:30:45Z",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
