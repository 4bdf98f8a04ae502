//! Time without a clock: parsing and printing instants, and carrier times that keep their offset.
//!
//! Carriers report times three ways: with an offset (`2026-11-21T16:58:00+08:00`), in UTC with
//! milliseconds (`2021-03-20T14:29:27.000Z`), or as bare local time at the scan location
//! (`2018-07-31T14:33:00`, sometimes with a space instead of `T`). A [`CarrierTime`] keeps what
//! the carrier said, so the shopper can see the carrier's own local time, and also knows the
//! instant for ordering when there is an offset.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant in milliseconds since the Unix epoch. Printed as RFC 3339 with `Z`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1000)))
    }

    /// The earliest instant Waymark accepts: 2000-01-01T00:00:00Z. Nothing a merchant or a
    /// carrier does happened before it, and a range keeps every accepted instant printable
    /// and parseable again (year 0 with an offset once became the unreadable `-001-…`).
    pub const MIN: Timestamp = Timestamp(946_684_800_000);
    /// The latest instant Waymark accepts: 2099-12-31T23:59:59.999Z.
    pub const MAX: Timestamp = Timestamp(4_102_444_799_999);
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("{0:?} is not an RFC 3339 time with an offset, like 2026-11-20T09:00:00Z or 2026-11-20T10:00:00+01:00")]
    Format(String),
    #[error("{0:?} is outside the years 2000 to 2099 (UTC)")]
    OutOfRange(String),
}

impl FromStr for Timestamp {
    type Err = TimeError;
    fn from_str(input: &str) -> Result<Timestamp, TimeError> {
        if !is_rfc3339(input) {
            return Err(TimeError::Format(truncate(input)));
        }
        let parts = parse_parts(input).ok_or_else(|| TimeError::Format(truncate(input)))?;
        if parts.offset_minutes.is_none() {
            return Err(TimeError::Format(truncate(input)));
        }
        let instant = Timestamp(parts.instant_millis());
        if !(Timestamp::MIN..=Timestamp::MAX).contains(&instant) {
            return Err(TimeError::OutOfRange(truncate(input)));
        }
        Ok(instant)
    }
}

/// The shape RFC 3339 requires of a date-time (carriers' looser shapes are `CarrierTime`'s):
/// `YYYY-MM-DDTHH:MM:SS`, an optional `.fraction`, then `Z` or `±HH:MM`.
fn is_rfc3339(input: &str) -> bool {
    let b = input.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| !s.is_empty() && s.iter().all(u8::is_ascii_digit))
    };
    let head = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !head {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

fn truncate(input: &str) -> String {
    input.chars().take(40).collect()
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )?;
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A time as a carrier reported it. `text` is the normalised form (`T` separator, seconds
/// present, offset kept exactly, `Z` kept as `Z`); `offset_minutes` is `None` for carrier-local
/// times whose zone is unknown.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct CarrierTime {
    text: String,
    sort_key: i64,
    offset_minutes: Option<i32>,
}

impl CarrierTime {
    /// Parses any of the carrier formats. Returns `None` for text that is not a time at all;
    /// the caller keeps the event and simply has no time for it.
    pub fn parse(input: &str) -> Option<CarrierTime> {
        let parts = parse_parts(input.trim())?;
        Some(CarrierTime {
            text: parts.normalised(),
            sort_key: parts.instant_millis(),
            offset_minutes: parts.offset_minutes,
        })
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// A key for ordering. Times without an offset are ordered as if they were UTC: the best
    /// available guess, and stable.
    pub fn sort_key(&self) -> i64 {
        self.sort_key
    }
    pub fn has_offset(&self) -> bool {
        self.offset_minutes.is_some()
    }
}

impl Serialize for CarrierTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}
impl<'de> Deserialize<'de> for CarrierTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        CarrierTime::parse(&text).ok_or_else(|| serde::de::Error::custom("not a time"))
    }
}

#[derive(Debug, Clone, Copy)]
struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
    /// `Some(0)` with `zulu` for `Z`.
    offset_minutes: Option<i32>,
    zulu: bool,
}

impl Parts {
    fn instant_millis(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let local = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        (local - i64::from(self.offset_minutes.unwrap_or(0)) * 60) * 1000 + i64::from(self.millis)
    }

    fn normalised(&self) -> String {
        // Written digit by digit rather than with `format!`: this runs in the widget too, which
        // would otherwise ship `core::fmt`'s padding and integer formatting for it alone.
        let mut out = String::with_capacity(29);
        // The year has four digits (`parse_parts` reads exactly four).
        push_padded(&mut out, u32::try_from(self.year).unwrap_or(0), 4);
        for (separator, value) in [
            ('-', self.month),
            ('-', self.day),
            ('T', self.hour),
            (':', self.minute),
            (':', self.second),
        ] {
            out.push(separator);
            push_padded(&mut out, value, 2);
        }
        if self.millis != 0 {
            out.push('.');
            push_padded(&mut out, self.millis, 3);
        }
        match (self.offset_minutes, self.zulu) {
            (Some(_), true) => out.push('Z'),
            (Some(off), false) => {
                out.push(if off < 0 { '-' } else { '+' });
                let abs = off.unsigned_abs();
                push_padded(&mut out, abs / 60, 2);
                out.push(':');
                push_padded(&mut out, abs % 60, 2);
            }
            (None, _) => {}
        }
        out
    }
}

/// Appends `value` in decimal, zero-padded to at least `width` digits (as `{:0width$}` does).
fn push_padded(out: &mut String, value: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let (mut n, mut start) = (value, digits.len());
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = start.min(digits.len().saturating_sub(width));
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

/// A small, strict-enough parser for the ISO 8601 shapes carriers use. Date-only input
/// (`2026-11-24`) is accepted as midnight without an offset.
fn parse_parts(input: &str) -> Option<Parts> {
    let b = input.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let slice = b.get(range)?;
        if slice.is_empty() || !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(slice).ok()?.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i64::from(num(0..4)?);
    let month = num(5..7)?;
    let day = num(8..10)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut parts = Parts {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        offset_minutes: None,
        zulu: false,
    };
    if b.len() == 10 {
        return Some(parts);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    parts.hour = num(11..13)?;
    parts.minute = num(14..16)?;
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        parts.second = num(17..19)?;
        i = 19;
    }
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return None;
        }
        // Keep milliseconds; finer digits do not matter for a shipment timeline.
        let digits = &input[start..end.min(start + 3)];
        parts.millis = digits.parse::<u32>().ok()? * 10u32.pow(3 - digits.len() as u32);
        i = end;
    }
    if parts.hour > 23 || parts.minute > 59 || parts.second > 60 {
        return None;
    }
    parts.second = parts.second.min(59);
    let rest = input[i..].trim_start();
    match rest.as_bytes() {
        [] => {}
        [b'Z' | b'z'] => {
            parts.offset_minutes = Some(0);
            parts.zulu = true;
        }
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let tail = std::str::from_utf8(tail).ok()?;
            let digits: String = tail.chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m) = match digits.len() {
                2 => (digits.parse::<i32>().ok()?, 0),
                4 => (
                    digits[..2].parse::<i32>().ok()?,
                    digits[2..].parse::<i32>().ok()?,
                ),
                _ => return None,
            };
            if h > 18 || m > 59 {
                return None;
            }
            let total = h * 60 + m;
            parts.offset_minutes = Some(if *sign == b'-' { -total } else { total });
        }
        _ => return None,
    }
    Some(parts)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_digits_are_what_format_writes() {
        for value in (0..2000).chain([9_999, 10_000, 123_456, u32::MAX]) {
            for width in 0..=4 {
                let mut ours = String::new();
                push_padded(&mut ours, value, width);
                assert_eq!(ours, format!("{value:0width$}"));
            }
        }
    }

    #[test]
    fn carrier_times_in_every_shape() {
        // (input, normalised text, has offset, instant as UTC text)
        let table: &[(&str, &str, bool, &str)] = &[
            (
                "2026-11-21T16:58:00+08:00",
                "2026-11-21T16:58:00+08:00",
                true,
                "2026-11-21T08:58:00Z",
            ),
            (
                "2021-03-20T14:29:27.000Z",
                "2021-03-20T14:29:27Z",
                true,
                "2021-03-20T14:29:27Z",
            ),
            (
                "2021-03-20T14:29:27.123Z",
                "2021-03-20T14:29:27.123Z",
                true,
                "2021-03-20T14:29:27.123Z",
            ),
            (
                "2018-07-31T14:33:00",
                "2018-07-31T14:33:00",
                false,
                "2018-07-31T14:33:00Z",
            ),
            (
                "2021-07-01 15:00:00",
                "2021-07-01T15:00:00",
                false,
                "2021-07-01T15:00:00Z",
            ),
            (
                "2021-07-01 15:00:00+0530",
                "2021-07-01T15:00:00+05:30",
                true,
                "2021-07-01T09:30:00Z",
            ),
            (
                "2016-02-01T09:06:00-05:00",
                "2016-02-01T09:06:00-05:00",
                true,
                "2016-02-01T14:06:00Z",
            ),
            (
                "2021-07-01",
                "2021-07-01T00:00:00",
                false,
                "2021-07-01T00:00:00Z",
            ),
            (
                "2026-11-21T16:58+09",
                "2026-11-21T16:58:00+09:00",
                true,
                "2026-11-21T07:58:00Z",
            ),
        ];
        for (input, text, has_offset, instant) in table {
            let t = CarrierTime::parse(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(t.as_str(), *text, "{input}");
            assert_eq!(t.has_offset(), *has_offset, "{input}");
            assert_eq!(Timestamp(t.sort_key()).to_string(), *instant, "{input}");
        }
        for bad in [
            "",
            "yesterday",
            "2021-13-01",
            "2021-02-30T00:00:00",
            "2021-01-01T25:00:00",
            "2021-01-01T10:00:00+ab:cd",
            "2021-01-01X",
        ] {
            assert!(CarrierTime::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn instants_outside_the_sane_range_are_refused_at_parse_time() {
        let table = [
            ("0000-01-01T00:30:00+01:00", false),
            ("1999-12-31T23:59:59.999Z", false),
            ("2000-01-01T00:30:00+01:00", false),
            ("2000-01-01T01:00:00+01:00", true),
            ("2099-12-31T23:59:59.999Z", true),
            ("2099-12-31T20:00:00-05:00", false),
            ("9999-12-31T23:59:59Z", false),
        ];
        for (input, accepted) in table {
            let parsed = input.parse::<Timestamp>();
            assert_eq!(parsed.is_ok(), accepted, "{input}");
            if let Ok(t) = parsed {
                assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t), "{input}");
            } else {
                assert!(matches!(parsed, Err(TimeError::OutOfRange(_))), "{input}");
            }
        }
    }

    #[test]
    fn instants_from_people_and_programs_are_strict_rfc_3339() {
        for ok in [
            "2026-11-20T10:00:00Z",
            "2026-11-20t10:00:00z",
            "2026-11-20T10:00:00.5+01:00",
            "2026-11-20T10:00:00-05:30",
        ] {
            assert!(ok.parse::<Timestamp>().is_ok(), "{ok}");
        }
        for bad in [
            "2026-11-20 10:00:00Z",
            "2026-11-20T10:00Z",
            "2026-11-20T10:00:00,5Z",
            "2026-11-20T10:00:00+0100",
            "2026-11-20T10:00:00+01",
            "2026-11-20T10:00:00 +01:00",
            "2026-11-20T10:00:00",
            "2026-11-20",
        ] {
            assert!(
                matches!(bad.parse::<Timestamp>(), Err(TimeError::Format(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn timestamps_round_trip_and_need_an_offset() {
        let t: Timestamp = "2026-11-20T10:00:00+01:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-20T09:00:00Z");
        assert!("2026-11-20T10:00:00".parse::<Timestamp>().is_err());
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999Z");
        assert_eq!(Timestamp::MIN.to_string(), "2000-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "2099-12-31T23:59:59.999Z");
        assert_eq!(
            "2000-02-29T23:59:59.5Z"
                .parse::<Timestamp>()
                .unwrap()
                .to_string(),
            "2000-02-29T23:59:59.500Z"
        );
    }
}
