//! Merchant settings: the validated values a merchant edits with
//! `PATCH /v1/merchants/{id}/settings`, and the patch itself.
//!
//! Parse, don't validate: every stored field is a type that can only hold a valid value
//! ([`LocalTime`], [`Weekdays`], [`Zone`], [`BusinessHours`], [`Holidays`], [`PickupWindows`],
//! [`RefreshSchedule`] …), and deserializing a stored record goes through the same checks.
//! A [`SettingsPatch`] holds the request as sent (strings and numbers, unknown fields refused);
//! [`MerchantSettings::apply`] turns it into new settings plus one [`SettingChange`] per changed
//! field for the audit history, or refuses it with a [`SettingsError`] and changes nothing.
//!
//! All times of day and dates are local to the merchant's [`Zone`]; `crate::calendar` turns them
//! into instants.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::api::{is_hidden_character, normalise_origin, MAX_NAME_CHARS, MAX_ORIGINS};

/// Limits from the contract.
pub const MAX_HOLIDAYS: usize = 200;
pub const MAX_PICKUP_WINDOWS: usize = 7;
pub const MAX_REFRESH_TIMES: usize = 12;
pub const MAX_REFRESH_EVERY_HOURS: u8 = 24;
pub const MAX_PAGE_CHARS: usize = 200;

/// Why a settings patch was refused. Each message is one sentence a merchant's developer can
/// act on; values are echoed debug-quoted (escaping hidden characters) and truncated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("the body is not valid JSON for a settings patch: {0}")]
    Json(String),
    #[error("{0} cannot be null; send a value, or leave the field out to keep the current one")]
    NotNullable(&'static str),
    #[error("name must be 1 to {MAX_NAME_CHARS} characters long")]
    NameLength,
    #[error("{0} must not contain control characters or invisible formatting characters (such as bidirectional overrides)")]
    HiddenCharacter(&'static str),
    #[error("allowed_origins holds at most {MAX_ORIGINS} origins, not {0}")]
    TooManyOrigins(usize),
    #[error("{0:?} is not an origin like https://shop.example.com (scheme and host, optional port, no path)")]
    Origin(String),
    #[error("aftership_page must be an https URL of at most {MAX_PAGE_CHARS} characters without a query or fragment, like https://acme.aftership.com")]
    AftershipPage,
    #[error("time_zone {0:?} is not an IANA time zone name like America/New_York, Europe/Berlin or UTC (names are case-sensitive)")]
    TimeZone(String),
    #[error("{field}: {value:?} is not a day; use mon, tue, wed, thu, fri, sat or sun")]
    Day { field: String, value: String },
    #[error("{0} must name at least one day, like [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]")]
    NoDays(String),
    #[error("{field}: {value:?} is not a 24-hour local time like 09:00 or 17:30")]
    LocalTime { field: String, value: String },
    #[error(
        "{field}: {from} must be earlier than {to}; a window cannot be empty or cross midnight"
    )]
    EmptyInterval {
        field: String,
        from: LocalTime,
        to: LocalTime,
    },
    #[error("holidays: {0:?} is not a date like 2026-12-25 in the years 2000 to 2099")]
    Holiday(String),
    #[error("holidays holds at most {MAX_HOLIDAYS} dates, not {0}")]
    TooManyHolidays(usize),
    #[error("pickup_windows holds at most {MAX_PICKUP_WINDOWS} windows, not {0}")]
    TooManyPickupWindows(usize),
    #[error("pickup_windows[{first}] and pickup_windows[{second}] overlap on {day}; merge them into one window or move one of them")]
    OverlappingPickupWindows {
        first: usize,
        second: usize,
        day: Day,
    },
    #[error("pickup_windows[{window}] collects on {day}, which is not in business_days; add {day} to business_days or remove it from the window")]
    PickupOnClosedDay { window: usize, day: Day },
    #[error("tracking_number_display must be \"default\" (the consolidator's number) or \"local\" (the last-mile carrier's number), not {0:?}")]
    TrackingNumberDisplay(String),
    #[error("refresh_schedule must hold exactly one of every_hours (like {{\"every_hours\": 6}}) or at (like {{\"at\": [\"10:00\", \"18:00\"]}})")]
    RefreshShape,
    #[error("refresh_schedule.every_hours must be a whole number of hours from 1 to {MAX_REFRESH_EVERY_HOURS}, not {0}")]
    RefreshEvery(i64),
    #[error("refresh_schedule.at must list 1 to {MAX_REFRESH_TIMES} local times, not {0}")]
    RefreshTimes(usize),
}

/// Echoed input is cut short: an error message is no place for a 16 KB string.
fn echo(value: &str) -> String {
    value.chars().take(40).collect()
}

// ----- days ------------------------------------------------------------------------------------

/// A day of the week, written `mon` … `sun` (lowercase, exactly).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    pub fn weekday(self) -> Weekday {
        match self {
            Day::Mon => Weekday::Mon,
            Day::Tue => Weekday::Tue,
            Day::Wed => Weekday::Wed,
            Day::Thu => Weekday::Thu,
            Day::Fri => Weekday::Fri,
            Day::Sat => Weekday::Sat,
            Day::Sun => Weekday::Sun,
        }
    }

    pub fn from_weekday(weekday: Weekday) -> Day {
        Day::ALL[weekday.num_days_from_monday() as usize]
    }

    /// The day of the week of a local date.
    pub fn of(date: NaiveDate) -> Day {
        Day::from_weekday(date.weekday())
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Day {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<Day, SettingsError> {
        parse_day("day", s)
    }
}

fn parse_day(field: &str, s: &str) -> Result<Day, SettingsError> {
    Day::ALL
        .into_iter()
        .find(|d| d.as_str() == s)
        .ok_or_else(|| SettingsError::Day {
            field: field.to_string(),
            value: echo(s),
        })
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A non-empty set of days of the week. Serialized as a list in week order (`["mon", "tue"]`);
/// duplicates in input are harmless and dropped.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Weekdays(u8);

impl Weekdays {
    /// Monday to Friday: the default business days.
    pub const MON_TO_FRI: Weekdays = Weekdays(0b001_1111);
    pub const EVERY_DAY: Weekdays = Weekdays(0b111_1111);

    /// `None` for an empty set.
    pub fn new(days: impl IntoIterator<Item = Day>) -> Option<Weekdays> {
        let bits = days.into_iter().fold(0, |bits, d| bits | d.bit());
        (bits != 0).then_some(Weekdays(bits))
    }
    pub fn contains(self, day: Day) -> bool {
        self.0 & day.bit() != 0
    }
    /// The days in week order, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Day> {
        Day::ALL.into_iter().filter(move |d| self.contains(*d))
    }

    fn parse(field: &str, values: &[String]) -> Result<Weekdays, SettingsError> {
        let days = values
            .iter()
            .map(|v| parse_day(field, v))
            .collect::<Result<Vec<_>, _>>()?;
        Weekdays::new(days).ok_or_else(|| SettingsError::NoDays(field.to_string()))
    }
}

impl Default for Weekdays {
    fn default() -> Weekdays {
        Weekdays::MON_TO_FRI
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, day) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(day.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for Weekdays {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}
impl<'de> Deserialize<'de> for Weekdays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Weekdays::parse("days", &Vec::<String>::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

// ----- times, dates, zones ---------------------------------------------------------------------

/// A local time of day to the minute, written `HH:MM` on a 24-hour clock (`00:00` … `23:59`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct LocalTime(u16);

impl LocalTime {
    pub fn new(hour: u32, minute: u32) -> Option<LocalTime> {
        (hour < 24 && minute < 60).then(|| LocalTime((hour * 60 + minute) as u16))
    }
    pub fn hour(self) -> u32 {
        u32::from(self.0 / 60)
    }
    pub fn minute(self) -> u32 {
        u32::from(self.0 % 60)
    }
    pub fn minutes_since_midnight(self) -> u32 {
        u32::from(self.0)
    }
    pub fn naive(self) -> NaiveTime {
        NaiveTime::from_hms_opt(self.hour(), self.minute(), 0).expect("hour < 24, minute < 60")
    }

    fn parse(field: &str, s: &str) -> Result<LocalTime, SettingsError> {
        let b = s.as_bytes();
        let shaped =
            b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
        let parsed = shaped
            .then(|| {
                let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
                LocalTime::new(two(0), two(3))
            })
            .flatten();
        parsed.ok_or_else(|| SettingsError::LocalTime {
            field: field.to_string(),
            value: echo(s),
        })
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl FromStr for LocalTime {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<LocalTime, SettingsError> {
        LocalTime::parse("local time", s)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A strict `YYYY-MM-DD` local date in the years 2000 to 2099 (the range [`crate::Timestamp`]
/// accepts).
pub fn parse_local_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = num(0..4)?;
    if !(2000..=2099).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, num(5..7)?, num(8..10)?)
}

/// The merchant's IANA time zone, like `America/New_York`. Defaults to `UTC`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Zone(Tz);

impl Zone {
    pub fn new(tz: Tz) -> Zone {
        Zone(tz)
    }
    pub fn tz(self) -> Tz {
        self.0
    }
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl Default for Zone {
    fn default() -> Zone {
        Zone(Tz::UTC)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Zone {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<Zone, SettingsError> {
        s.parse::<Tz>()
            .map(Zone)
            .map_err(|_| SettingsError::TimeZone(echo(s)))
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// ----- business hours, holidays, pickup windows ------------------------------------------------

/// As sent: `{"open": "09:00", "close": "17:30"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursInput {
    pub open: String,
    pub close: String,
}

/// Local opening hours on business days; `open` is earlier than `close` (no overnight hours).
/// Default 09:00–17:30.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct BusinessHours {
    open: LocalTime,
    close: LocalTime,
}

impl BusinessHours {
    pub fn new(open: LocalTime, close: LocalTime) -> Result<BusinessHours, SettingsError> {
        if open >= close {
            return Err(SettingsError::EmptyInterval {
                field: "business_hours".into(),
                from: open,
                to: close,
            });
        }
        Ok(BusinessHours { open, close })
    }
    pub fn open(self) -> LocalTime {
        self.open
    }
    pub fn close(self) -> LocalTime {
        self.close
    }

    fn parse(input: &BusinessHoursInput) -> Result<BusinessHours, SettingsError> {
        BusinessHours::new(
            LocalTime::parse("business_hours.open", &input.open)?,
            LocalTime::parse("business_hours.close", &input.close)?,
        )
    }
}

impl Default for BusinessHours {
    fn default() -> BusinessHours {
        BusinessHours {
            open: LocalTime(9 * 60),
            close: LocalTime(17 * 60 + 30),
        }
    }
}

impl fmt::Display for BusinessHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.open, self.close)
    }
}

impl Serialize for BusinessHours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BusinessHoursInput {
            open: self.open.to_string(),
            close: self.close.to_string(),
        }
        .serialize(s)
    }
}
impl<'de> Deserialize<'de> for BusinessHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BusinessHours::parse(&BusinessHoursInput::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Local dates on which nothing ships, sorted; at most [`MAX_HOLIDAYS`]. Duplicates in input are
/// dropped.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Holidays(BTreeSet<NaiveDate>);

impl Holidays {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.0.contains(&date)
    }
    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.0.iter().copied()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn parse(values: &[String]) -> Result<Holidays, SettingsError> {
        if values.len() > MAX_HOLIDAYS {
            return Err(SettingsError::TooManyHolidays(values.len()));
        }
        values
            .iter()
            .map(|v| parse_local_date(v).ok_or_else(|| SettingsError::Holiday(echo(v))))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Holidays)
    }
}

impl fmt::Display for Holidays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(none)");
        }
        for (i, date) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{date}")?;
        }
        Ok(())
    }
}

impl Serialize for Holidays {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(|d| d.to_string()))
    }
}
impl<'de> Deserialize<'de> for Holidays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Holidays::parse(&Vec::<String>::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// As sent: `{"days": ["mon", …], "from": "14:30", "to": "17:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupWindowInput {
    pub days: Vec<String>,
    pub from: String,
    pub to: String,
}

/// When a carrier collects: on `days`, from `from` to `to` local time (`from` earlier than `to`;
/// no window crosses midnight).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PickupWindow {
    days: Weekdays,
    from: LocalTime,
    to: LocalTime,
}

impl PickupWindow {
    pub fn new(
        days: Weekdays,
        from: LocalTime,
        to: LocalTime,
    ) -> Result<PickupWindow, SettingsError> {
        if from >= to {
            return Err(SettingsError::EmptyInterval {
                field: "pickup window".into(),
                from,
                to,
            });
        }
        Ok(PickupWindow { days, from, to })
    }
    pub fn days(self) -> Weekdays {
        self.days
    }
    pub fn from(self) -> LocalTime {
        self.from
    }
    pub fn to(self) -> LocalTime {
        self.to
    }

    fn parse(index: usize, input: &PickupWindowInput) -> Result<PickupWindow, SettingsError> {
        let field = format!("pickup_windows[{index}]");
        let days = Weekdays::parse(&format!("{field}.days"), &input.days)?;
        let from = LocalTime::parse(&format!("{field}.from"), &input.from)?;
        let to = LocalTime::parse(&format!("{field}.to"), &input.to)?;
        PickupWindow::new(days, from, to).map_err(|e| match e {
            SettingsError::EmptyInterval { from, to, .. } => {
                SettingsError::EmptyInterval { field, from, to }
            }
            other => other,
        })
    }

    fn input(self) -> PickupWindowInput {
        PickupWindowInput {
            days: self.days.iter().map(|d| d.as_str().to_string()).collect(),
            from: self.from.to_string(),
            to: self.to.to_string(),
        }
    }
}

impl fmt::Display for PickupWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.days, self.from, self.to)
    }
}

/// At most [`MAX_PICKUP_WINDOWS`] pickup windows, no two overlapping on the same day (windows
/// that touch, 10:00–12:00 and 12:00–14:00, are fine). Kept in the merchant's order.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct PickupWindows(Vec<PickupWindow>);

impl PickupWindows {
    pub fn new(windows: Vec<PickupWindow>) -> Result<PickupWindows, SettingsError> {
        if windows.len() > MAX_PICKUP_WINDOWS {
            return Err(SettingsError::TooManyPickupWindows(windows.len()));
        }
        for (first, a) in windows.iter().enumerate() {
            for (second, b) in windows.iter().enumerate().skip(first + 1) {
                let shared_day = a.days.iter().find(|d| b.days.contains(*d));
                if let Some(day) = shared_day {
                    if a.from < b.to && b.from < a.to {
                        return Err(SettingsError::OverlappingPickupWindows { first, second, day });
                    }
                }
            }
        }
        Ok(PickupWindows(windows))
    }
    pub fn as_slice(&self) -> &[PickupWindow] {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The windows that collect on `day`, earliest first.
    pub fn on(&self, day: Day) -> Vec<PickupWindow> {
        let mut windows: Vec<_> = self
            .0
            .iter()
            .copied()
            .filter(|w| w.days.contains(day))
            .collect();
        windows.sort_by_key(|w| w.from);
        windows
    }

    fn parse(inputs: &[PickupWindowInput]) -> Result<PickupWindows, SettingsError> {
        if inputs.len() > MAX_PICKUP_WINDOWS {
            return Err(SettingsError::TooManyPickupWindows(inputs.len()));
        }
        let windows = inputs
            .iter()
            .enumerate()
            .map(|(i, w)| PickupWindow::parse(i, w))
            .collect::<Result<Vec<_>, _>>()?;
        PickupWindows::new(windows)
    }
}

impl fmt::Display for PickupWindows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(none)");
        }
        for (i, window) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{window}")?;
        }
        Ok(())
    }
}

impl Serialize for PickupWindows {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|w| w.input()))
    }
}
impl<'de> Deserialize<'de> for PickupWindows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PickupWindows::parse(&Vec::<PickupWindowInput>::deserialize(d)?)
            .map_err(serde::de::Error::custom)
    }
}

// ----- tracking number display, refresh schedule -----------------------------------------------

/// Which tracking number shoppers see first and which is synced to sales channels: the
/// consolidator's own number (`default`) or the local last-mile carrier's (`local`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackingNumberDisplay {
    #[default]
    Default,
    Local,
}

impl TrackingNumberDisplay {
    /// The role of the TN shown first and synced to sales channels.
    pub fn role(self) -> crate::shipment::TrackingRole {
        match self {
            TrackingNumberDisplay::Default => crate::shipment::TrackingRole::Default,
            TrackingNumberDisplay::Local => crate::shipment::TrackingRole::Local,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TrackingNumberDisplay::Default => "default",
            TrackingNumberDisplay::Local => "local",
        }
    }
}

impl fmt::Display for TrackingNumberDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TrackingNumberDisplay {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<TrackingNumberDisplay, SettingsError> {
        match s {
            "default" => Ok(TrackingNumberDisplay::Default),
            "local" => Ok(TrackingNumberDisplay::Local),
            _ => Err(SettingsError::TrackingNumberDisplay(echo(s))),
        }
    }
}

/// As sent: `{"every_hours": 6}` or `{"at": ["10:00", "18:00", "23:00"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshScheduleInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_hours: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Vec<String>>,
}

/// When Waymark refreshes a merchant's shipments from the carriers (see
/// `crate::calendar::next_refresh`). Default: every 6 hours.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RefreshSchedule(Refresh);

/// A read-only view of a [`RefreshSchedule`].
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Refresh {
    /// Every N hours (1 to 24) on a local wall-clock grid anchored at midnight.
    EveryHours(u8),
    /// At these local times every day: 1 to 12 of them, sorted, no duplicates.
    At(Vec<LocalTime>),
}

impl RefreshSchedule {
    pub fn every_hours(hours: i64) -> Result<RefreshSchedule, SettingsError> {
        match u8::try_from(hours) {
            Ok(h) if (1..=MAX_REFRESH_EVERY_HOURS).contains(&h) => {
                Ok(RefreshSchedule(Refresh::EveryHours(h)))
            }
            _ => Err(SettingsError::RefreshEvery(hours)),
        }
    }
    /// Sorts and drops duplicates; 1 to [`MAX_REFRESH_TIMES`] distinct times.
    pub fn at(
        times: impl IntoIterator<Item = LocalTime>,
    ) -> Result<RefreshSchedule, SettingsError> {
        let times: BTreeSet<LocalTime> = times.into_iter().collect();
        if times.is_empty() || times.len() > MAX_REFRESH_TIMES {
            return Err(SettingsError::RefreshTimes(times.len()));
        }
        Ok(RefreshSchedule(Refresh::At(times.into_iter().collect())))
    }
    pub fn kind(&self) -> &Refresh {
        &self.0
    }

    fn parse(input: &RefreshScheduleInput) -> Result<RefreshSchedule, SettingsError> {
        match (input.every_hours, &input.at) {
            (Some(hours), None) => RefreshSchedule::every_hours(hours),
            (None, Some(times)) => {
                if times.is_empty() || times.len() > MAX_REFRESH_TIMES {
                    return Err(SettingsError::RefreshTimes(times.len()));
                }
                let times = times
                    .iter()
                    .enumerate()
                    .map(|(i, t)| LocalTime::parse(&format!("refresh_schedule.at[{i}]"), t))
                    .collect::<Result<Vec<_>, _>>()?;
                RefreshSchedule::at(times)
            }
            _ => Err(SettingsError::RefreshShape),
        }
    }

    fn input(&self) -> RefreshScheduleInput {
        match &self.0 {
            Refresh::EveryHours(h) => RefreshScheduleInput {
                every_hours: Some(i64::from(*h)),
                at: None,
            },
            Refresh::At(times) => RefreshScheduleInput {
                every_hours: None,
                at: Some(times.iter().map(LocalTime::to_string).collect()),
            },
        }
    }
}

impl Default for RefreshSchedule {
    fn default() -> RefreshSchedule {
        RefreshSchedule(Refresh::EveryHours(6))
    }
}

impl fmt::Display for RefreshSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Refresh::EveryHours(1) => f.write_str("every hour"),
            Refresh::EveryHours(h) => write!(f, "every {h} hours"),
            Refresh::At(times) => {
                f.write_str("at ")?;
                for (i, t) in times.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for RefreshSchedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.input().serialize(s)
    }
}
impl<'de> Deserialize<'de> for RefreshSchedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RefreshSchedule::parse(&RefreshScheduleInput::deserialize(d)?)
            .map_err(serde::de::Error::custom)
    }
}

// ----- the settings ----------------------------------------------------------------------------

/// A merchant's settings as stored and as `GET …/settings` shows them.
///
/// Stored records are read leniently about *shape* (a missing field takes its default, an
/// unknown field is ignored, so records written before a field existed, or by a newer version,
/// still load) but strictly about *values* (every field is re-validated on load).
/// `Default` is a new merchant's settings, with an empty `name` the shell fills in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MerchantSettings {
    /// The shop's name as shoppers see it: 1 to 100 characters, trimmed.
    pub name: String,
    /// Normalised origins (`https://shop.example.com`) allowed to embed the widget; ≤ 20.
    pub allowed_origins: Vec<String>,
    /// The merchant's AfterShip tracking page, if any.
    pub aftership_page: Option<String>,
    pub time_zone: Zone,
    pub business_days: Weekdays,
    pub business_hours: BusinessHours,
    pub holidays: Holidays,
    pub pickup_windows: PickupWindows,
    pub tracking_number_display: TrackingNumberDisplay,
    pub refresh_schedule: RefreshSchedule,
}

/// One changed field, for the audit history: human-readable values, no secrets (settings hold
/// none). `(none)` stands for an absent or empty value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

/// One field of a patch: left out (keep the current value), `null` (clear it, where that makes
/// sense) or a new value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PatchField<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<T> PatchField<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, PatchField::Absent)
    }
}

impl<T: Serialize> Serialize for PatchField<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Skipped by `skip_serializing_if` in a patch; `null` if serialized on its own.
            PatchField::Absent | PatchField::Null => s.serialize_none(),
            PatchField::Set(value) => s.serialize_some(value),
        }
    }
}
impl<'de, T: Deserialize<'de>> Deserialize<'de> for PatchField<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => PatchField::Null,
            Some(value) => PatchField::Set(value),
        })
    }
}

/// The body of `PATCH /v1/merchants/{id}/settings`: every field optional, unknown fields
/// refused. `null` clears `allowed_origins`, `aftership_page`, `holidays` and `pickup_windows`;
/// any other field refuses `null`. Lists replace the stored list as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub name: PatchField<String>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub allowed_origins: PatchField<Vec<String>>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub aftership_page: PatchField<String>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub time_zone: PatchField<String>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub business_days: PatchField<Vec<String>>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub business_hours: PatchField<BusinessHoursInput>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub holidays: PatchField<Vec<String>>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub pickup_windows: PatchField<Vec<PickupWindowInput>>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub tracking_number_display: PatchField<String>,
    #[serde(default, skip_serializing_if = "PatchField::is_absent")]
    pub refresh_schedule: PatchField<RefreshScheduleInput>,
}

impl SettingsPatch {
    /// Parses a request body strictly (unknown fields are an error).
    pub fn from_json(body: &[u8]) -> Result<SettingsPatch, SettingsError> {
        // serde's message names the field and position, never echoing a value. A derived
        // struct would also accept a JSON array (fields by position): only an object is a patch.
        let json = |e: serde_json::Error| SettingsError::Json(e.to_string());
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(body).map_err(json)?;
        SettingsPatch::deserialize(serde_json::Value::Object(object)).map_err(json)
    }

    /// True when the patch changes nothing (`{}`).
    pub fn is_empty(&self) -> bool {
        *self == SettingsPatch::default()
    }
}

/// A field that cannot be cleared: `None` when absent.
fn required<'a, T>(
    field: &'static str,
    value: &'a PatchField<T>,
) -> Result<Option<&'a T>, SettingsError> {
    match value {
        PatchField::Absent => Ok(None),
        PatchField::Null => Err(SettingsError::NotNullable(field)),
        PatchField::Set(v) => Ok(Some(v)),
    }
}

fn parse_name(value: &str) -> Result<String, SettingsError> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count == 0 || count > MAX_NAME_CHARS {
        return Err(SettingsError::NameLength);
    }
    if trimmed.chars().any(is_hidden_character) {
        return Err(SettingsError::HiddenCharacter("name"));
    }
    Ok(trimmed.to_string())
}

fn parse_origins(values: &[String]) -> Result<Vec<String>, SettingsError> {
    if values.len() > MAX_ORIGINS {
        return Err(SettingsError::TooManyOrigins(values.len()));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let origin = normalise_origin(value)
            .ok_or_else(|| SettingsError::Origin(value.chars().take(80).collect()))?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    Ok(out)
}

/// The same rule as `crate::api`'s merchant creation: an https URL on a valid origin, no query or
/// fragment, at most 200 characters; a trailing slash is dropped.
fn parse_page(page: &str) -> Result<String, SettingsError> {
    if page.chars().any(is_hidden_character) {
        return Err(SettingsError::AftershipPage);
    }
    let page = page.trim().trim_end_matches('/');
    let origin = page.split('/').take(3).collect::<Vec<_>>().join("/");
    let ok = page.starts_with("https://")
        && page.len() <= MAX_PAGE_CHARS
        && !page.contains(['?', '#', ' ', '"', '<', '>'])
        && normalise_origin(&origin).is_some();
    if ok {
        Ok(page.to_string())
    } else {
        Err(SettingsError::AftershipPage)
    }
}

fn list_or_none(values: &[String]) -> String {
    if values.is_empty() {
        "(none)".to_string()
    } else {
        values.join(", ")
    }
}

impl MerchantSettings {
    /// Applies a patch: the new settings and what changed, or the first problem found (in field
    /// order). Bad input changes nothing. Setting a field to its current value is not a change.
    pub fn apply(
        &self,
        patch: &SettingsPatch,
    ) -> Result<(MerchantSettings, Vec<SettingChange>), SettingsError> {
        let mut next = self.clone();
        if let Some(name) = required("name", &patch.name)? {
            next.name = parse_name(name)?;
        }
        match &patch.allowed_origins {
            PatchField::Absent => {}
            PatchField::Null => next.allowed_origins = Vec::new(),
            PatchField::Set(origins) => next.allowed_origins = parse_origins(origins)?,
        }
        match &patch.aftership_page {
            PatchField::Absent => {}
            PatchField::Null => next.aftership_page = None,
            PatchField::Set(page) => next.aftership_page = Some(parse_page(page)?),
        }
        if let Some(zone) = required("time_zone", &patch.time_zone)? {
            next.time_zone = zone.parse()?;
        }
        if let Some(days) = required("business_days", &patch.business_days)? {
            next.business_days = Weekdays::parse("business_days", days)?;
        }
        if let Some(hours) = required("business_hours", &patch.business_hours)? {
            next.business_hours = BusinessHours::parse(hours)?;
        }
        match &patch.holidays {
            PatchField::Absent => {}
            PatchField::Null => next.holidays = Holidays::default(),
            PatchField::Set(dates) => next.holidays = Holidays::parse(dates)?,
        }
        match &patch.pickup_windows {
            PatchField::Absent => {}
            PatchField::Null => next.pickup_windows = PickupWindows::default(),
            PatchField::Set(windows) => next.pickup_windows = PickupWindows::parse(windows)?,
        }
        if let Some(display) = required("tracking_number_display", &patch.tracking_number_display)?
        {
            next.tracking_number_display = display.parse()?;
        }
        if let Some(schedule) = required("refresh_schedule", &patch.refresh_schedule)? {
            next.refresh_schedule = RefreshSchedule::parse(schedule)?;
        }
        next.check()?;
        let changes = self.changes_to(&next);
        Ok((next, changes))
    }

    /// Rules that span fields: every pickup window collects only on business days.
    pub fn check(&self) -> Result<(), SettingsError> {
        for (window, w) in self.pickup_windows.as_slice().iter().enumerate() {
            if let Some(day) = w.days.iter().find(|d| !self.business_days.contains(*d)) {
                return Err(SettingsError::PickupOnClosedDay { window, day });
            }
        }
        Ok(())
    }

    /// The fields that differ between `self` and `other`, in field order, as audit entries.
    pub fn changes_to(&self, other: &MerchantSettings) -> Vec<SettingChange> {
        let mut changes = Vec::new();
        let mut push = |field: &'static str, from: String, to: String| {
            if from != to {
                changes.push(SettingChange { field, from, to });
            }
        };
        push("name", self.name.clone(), other.name.clone());
        push(
            "allowed_origins",
            list_or_none(&self.allowed_origins),
            list_or_none(&other.allowed_origins),
        );
        let page = |p: &Option<String>| p.clone().unwrap_or_else(|| "(none)".into());
        push(
            "aftership_page",
            page(&self.aftership_page),
            page(&other.aftership_page),
        );
        push(
            "time_zone",
            self.time_zone.to_string(),
            other.time_zone.to_string(),
        );
        push(
            "business_days",
            self.business_days.to_string(),
            other.business_days.to_string(),
        );
        push(
            "business_hours",
            self.business_hours.to_string(),
            other.business_hours.to_string(),
        );
        push(
            "holidays",
            self.holidays.to_string(),
            other.holidays.to_string(),
        );
        push(
            "pickup_windows",
            self.pickup_windows.to_string(),
            other.pickup_windows.to_string(),
        );
        push(
            "tracking_number_display",
            self.tracking_number_display.to_string(),
            other.tracking_number_display.to_string(),
        );
        push(
            "refresh_schedule",
            self.refresh_schedule.to_string(),
            other.refresh_schedule.to_string(),
        );
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> MerchantSettings {
        MerchantSettings {
            name: "Acme".into(),
            ..MerchantSettings::default()
        }
    }

    fn patch(json: &str) -> Result<(MerchantSettings, Vec<SettingChange>), SettingsError> {
        acme().apply(&SettingsPatch::from_json(json.as_bytes())?)
    }

    fn change(field: &'static str, from: &str, to: &str) -> SettingChange {
        SettingChange {
            field,
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn defaults_serialize_to_the_documented_shape_and_back() {
        let json = serde_json::to_value(acme()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "name": "Acme",
                "allowed_origins": [],
                "aftership_page": null,
                "time_zone": "UTC",
                "business_days": ["mon", "tue", "wed", "thu", "fri"],
                "business_hours": {"open": "09:00", "close": "17:30"},
                "holidays": [],
                "pickup_windows": [],
                "tracking_number_display": "default",
                "refresh_schedule": {"every_hours": 6}
            })
        );
        let back: MerchantSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, acme());
    }

    #[test]
    fn a_full_patch_sets_every_field_and_lists_every_change() {
        let (next, changes) = patch(
            r#"{
                "name": " Acme Outdoor ",
                "allowed_origins": ["https://Shop.Example.com/", "https://shop.example.com:443"],
                "aftership_page": "https://acme.aftership.com/",
                "time_zone": "America/New_York",
                "business_days": ["fri", "mon", "tue", "wed", "thu", "sat", "sat"],
                "business_hours": {"open": "08:00", "close": "18:00"},
                "holidays": ["2026-12-25", "2026-11-26", "2026-12-25"],
                "pickup_windows": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"},
                    {"days": ["sat"], "from": "10:00", "to": "12:00"}
                ],
                "tracking_number_display": "local",
                "refresh_schedule": {"at": ["23:00", "10:00", "18:00", "10:00"]}
            }"#,
        )
        .unwrap();
        assert_eq!(
            changes,
            vec![
                change("name", "Acme", "Acme Outdoor"),
                change("allowed_origins", "(none)", "https://shop.example.com"),
                change("aftership_page", "(none)", "https://acme.aftership.com"),
                change("time_zone", "UTC", "America/New_York"),
                change(
                    "business_days",
                    "mon, tue, wed, thu, fri",
                    "mon, tue, wed, thu, fri, sat"
                ),
                change("business_hours", "09:00-17:30", "08:00-18:00"),
                change("holidays", "(none)", "2026-11-26, 2026-12-25"),
                change(
                    "pickup_windows",
                    "(none)",
                    "mon, tue, wed, thu, fri 14:30-17:00; sat 10:00-12:00"
                ),
                change("tracking_number_display", "default", "local"),
                change(
                    "refresh_schedule",
                    "every 6 hours",
                    "at 10:00, 18:00, 23:00"
                ),
            ]
        );
        // Stored form round-trips.
        let json = serde_json::to_string(&next).unwrap();
        assert_eq!(
            serde_json::from_str::<MerchantSettings>(&json).unwrap(),
            next
        );
        assert!(json.contains(r#""refresh_schedule":{"at":["10:00","18:00","23:00"]}"#));
        assert!(json.contains(r#""holidays":["2026-11-26","2026-12-25"]"#));
        // Applying the same patch again changes nothing.
        let again = SettingsPatch::from_json(
            br#"{"name":"Acme Outdoor","time_zone":"America/New_York","refresh_schedule":{"at":["10:00","18:00","23:00"]}}"#,
        )
        .unwrap();
        assert_eq!(next.apply(&again).unwrap(), (next.clone(), vec![]));
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let empty = SettingsPatch::from_json(b"{}").unwrap();
        assert!(empty.is_empty());
        assert_eq!(acme().apply(&empty).unwrap(), (acme(), vec![]));
    }

    #[test]
    fn null_clears_what_can_be_cleared_and_is_refused_elsewhere() {
        let full = acme()
            .apply(
                &SettingsPatch::from_json(
                    br#"{"allowed_origins":["https://shop.example.com"],
                         "aftership_page":"https://acme.aftership.com",
                         "holidays":["2026-12-25"],
                         "pickup_windows":[{"days":["mon"],"from":"14:30","to":"17:00"}]}"#,
                )
                .unwrap(),
            )
            .unwrap()
            .0;
        let clears: &[(&str, SettingChange)] = &[
            (
                r#"{"allowed_origins": null}"#,
                change("allowed_origins", "https://shop.example.com", "(none)"),
            ),
            (
                r#"{"allowed_origins": []}"#,
                change("allowed_origins", "https://shop.example.com", "(none)"),
            ),
            (
                r#"{"aftership_page": null}"#,
                change("aftership_page", "https://acme.aftership.com", "(none)"),
            ),
            (
                r#"{"holidays": null}"#,
                change("holidays", "2026-12-25", "(none)"),
            ),
            (
                r#"{"pickup_windows": null}"#,
                change("pickup_windows", "mon 14:30-17:00", "(none)"),
            ),
        ];
        for (json, expected) in clears {
            let p = SettingsPatch::from_json(json.as_bytes()).unwrap();
            let (_, changes) = full.apply(&p).unwrap();
            assert_eq!(changes, vec![expected.clone()], "{json}");
        }
        for field in [
            "name",
            "time_zone",
            "business_days",
            "business_hours",
            "tracking_number_display",
            "refresh_schedule",
        ] {
            let json = format!(r#"{{"{field}": null}}"#);
            let err = patch(&json).unwrap_err();
            assert!(
                matches!(err, SettingsError::NotNullable(f) if f == field),
                "{json}"
            );
            assert_eq!(
                err.to_string(),
                format!("{field} cannot be null; send a value, or leave the field out to keep the current one")
            );
        }
    }

    #[test]
    fn each_bad_value_is_refused_with_an_actionable_sentence() {
        let many_origins = format!(
            r#"{{"allowed_origins": [{}]}}"#,
            (0..21)
                .map(|i| format!(r#""https://s{i}.example.com""#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let many_holidays = format!(
            r#"{{"holidays": [{}]}}"#,
            vec![r#""2026-12-25""#; 201].join(",")
        );
        let window = r#"{"days":["mon"],"from":"10:00","to":"11:00"}"#;
        let eight_windows = format!(r#"{{"pickup_windows": [{}]}}"#, [window; 8].join(","));
        let thirteen_times = format!(
            r#"{{"refresh_schedule": {{"at": [{}]}}}}"#,
            (0..13)
                .map(|h| format!(r#""{h:02}:00""#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let long_name = format!(r#"{{"name": "{}"}}"#, "x".repeat(101));
        let long_page = format!(
            r#"{{"aftership_page": "https://acme.aftership.com/{}"}}"#,
            "x".repeat(180)
        );
        let table: &[(&str, &str)] = &[
            (r#"{"name": "  "}"#, "name must be 1 to 100 characters long"),
            (&long_name, "name must be 1 to 100 characters long"),
            (
                r#"{"name": "Acme \u202Eevil"}"#,
                "name must not contain control characters or invisible formatting characters (such as bidirectional overrides)",
            ),
            (&many_origins, "allowed_origins holds at most 20 origins, not 21"),
            (
                r#"{"allowed_origins": ["https://shop.example.com/path"]}"#,
                r#""https://shop.example.com/path" is not an origin like https://shop.example.com (scheme and host, optional port, no path)"#,
            ),
            (
                r#"{"aftership_page": "http://acme.aftership.com"}"#,
                "aftership_page must be an https URL of at most 200 characters without a query or fragment, like https://acme.aftership.com",
            ),
            (
                r#"{"aftership_page": "https://acme.aftership.com/?q=1"}"#,
                "aftership_page must be an https URL of at most 200 characters without a query or fragment, like https://acme.aftership.com",
            ),
            (
                &long_page,
                "aftership_page must be an https URL of at most 200 characters without a query or fragment, like https://acme.aftership.com",
            ),
            (
                r#"{"time_zone": "america/new_york"}"#,
                r#"time_zone "america/new_york" is not an IANA time zone name like America/New_York, Europe/Berlin or UTC (names are case-sensitive)"#,
            ),
            (
                r#"{"time_zone": "Eastern"}"#,
                r#"time_zone "Eastern" is not an IANA time zone name like America/New_York, Europe/Berlin or UTC (names are case-sensitive)"#,
            ),
            (
                r#"{"business_days": ["mon", "Tuesday"]}"#,
                r#"business_days: "Tuesday" is not a day; use mon, tue, wed, thu, fri, sat or sun"#,
            ),
            (
                r#"{"business_days": []}"#,
                r#"business_days must name at least one day, like ["mon", "tue", "wed", "thu", "fri"]"#,
            ),
            (
                r#"{"business_hours": {"open": "9:00", "close": "17:30"}}"#,
                r#"business_hours.open: "9:00" is not a 24-hour local time like 09:00 or 17:30"#,
            ),
            (
                r#"{"business_hours": {"open": "09:00", "close": "24:00"}}"#,
                r#"business_hours.close: "24:00" is not a 24-hour local time like 09:00 or 17:30"#,
            ),
            (
                r#"{"business_hours": {"open": "18:00", "close": "09:00"}}"#,
                "business_hours: 18:00 must be earlier than 09:00; a window cannot be empty or cross midnight",
            ),
            (
                r#"{"holidays": ["2026-12-25", "2026-02-30"]}"#,
                r#"holidays: "2026-02-30" is not a date like 2026-12-25 in the years 2000 to 2099"#,
            ),
            (
                r#"{"holidays": ["25/12/2026"]}"#,
                r#"holidays: "25/12/2026" is not a date like 2026-12-25 in the years 2000 to 2099"#,
            ),
            (
                r#"{"holidays": ["2100-01-01"]}"#,
                r#"holidays: "2100-01-01" is not a date like 2026-12-25 in the years 2000 to 2099"#,
            ),
            (&many_holidays, "holidays holds at most 200 dates, not 201"),
            (&eight_windows, "pickup_windows holds at most 7 windows, not 8"),
            (
                r#"{"pickup_windows": [{"days": [], "from": "14:30", "to": "17:00"}]}"#,
                r#"pickup_windows[0].days must name at least one day, like ["mon", "tue", "wed", "thu", "fri"]"#,
            ),
            (
                r#"{"pickup_windows": [{"days": ["mon"], "from": "14:30", "to": "5pm"}]}"#,
                r#"pickup_windows[0].to: "5pm" is not a 24-hour local time like 09:00 or 17:30"#,
            ),
            (
                r#"{"pickup_windows": [{"days": ["mon"], "from": "17:00", "to": "17:00"}]}"#,
                "pickup_windows[0]: 17:00 must be earlier than 17:00; a window cannot be empty or cross midnight",
            ),
            (
                r#"{"pickup_windows": [{"days": ["mon", "tue"], "from": "10:00", "to": "12:00"},
                                       {"days": ["tue"], "from": "11:30", "to": "13:00"}]}"#,
                "pickup_windows[0] and pickup_windows[1] overlap on tue; merge them into one window or move one of them",
            ),
            (
                r#"{"pickup_windows": [{"days": ["fri", "sat"], "from": "10:00", "to": "12:00"}]}"#,
                "pickup_windows[0] collects on sat, which is not in business_days; add sat to business_days or remove it from the window",
            ),
            (
                r#"{"tracking_number_display": "carrier"}"#,
                r#"tracking_number_display must be "default" (the consolidator's number) or "local" (the last-mile carrier's number), not "carrier""#,
            ),
            (
                r#"{"refresh_schedule": {}}"#,
                r#"refresh_schedule must hold exactly one of every_hours (like {"every_hours": 6}) or at (like {"at": ["10:00", "18:00"]})"#,
            ),
            (
                r#"{"refresh_schedule": {"every_hours": 6, "at": ["10:00"]}}"#,
                r#"refresh_schedule must hold exactly one of every_hours (like {"every_hours": 6}) or at (like {"at": ["10:00", "18:00"]})"#,
            ),
            (
                r#"{"refresh_schedule": {"every_hours": 0}}"#,
                "refresh_schedule.every_hours must be a whole number of hours from 1 to 24, not 0",
            ),
            (
                r#"{"refresh_schedule": {"every_hours": 25}}"#,
                "refresh_schedule.every_hours must be a whole number of hours from 1 to 24, not 25",
            ),
            (
                r#"{"refresh_schedule": {"every_hours": -3}}"#,
                "refresh_schedule.every_hours must be a whole number of hours from 1 to 24, not -3",
            ),
            (
                r#"{"refresh_schedule": {"at": []}}"#,
                "refresh_schedule.at must list 1 to 12 local times, not 0",
            ),
            (&thirteen_times, "refresh_schedule.at must list 1 to 12 local times, not 13"),
            (
                r#"{"refresh_schedule": {"at": ["10:00", "25:00"]}}"#,
                r#"refresh_schedule.at[1]: "25:00" is not a 24-hour local time like 09:00 or 17:30"#,
            ),
        ];
        for (json, message) in table {
            let err = patch(json).unwrap_err();
            assert_eq!(err.to_string(), *message, "{json}");
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused_anywhere() {
        for json in [
            r#"{"name": "Acme", "colour": "red"}"#,
            r#"{"business_hours": {"open": "09:00", "close": "17:00", "lunch": "12:00"}}"#,
            r#"{"pickup_windows": [{"days": ["mon"], "from": "10:00", "to": "11:00", "carrier": "ups"}]}"#,
            r#"{"refresh_schedule": {"every_minutes": 30}}"#,
        ] {
            let err = patch(json).unwrap_err();
            assert!(
                matches!(&err, SettingsError::Json(m) if m.contains("unknown field")),
                "{json}: {err}"
            );
        }
        for json in [
            r#"{"name": 7}"#,
            r#"{"refresh_schedule": {"every_hours": 6.5}}"#,
            r#"{"business_days": "mon"}"#,
            r#"[]"#,
            r#"{"name": "Acme""#,
        ] {
            assert!(matches!(patch(json), Err(SettingsError::Json(_))), "{json}");
        }
    }

    #[test]
    fn a_refused_patch_changes_nothing_even_after_valid_fields() {
        let before = acme();
        let p =
            SettingsPatch::from_json(br#"{"name": "New", "time_zone": "Mars/Olympus"}"#).unwrap();
        assert!(before.apply(&p).is_err());
        assert_eq!(before, acme());
    }

    #[test]
    fn narrowing_business_days_must_move_the_pickup_windows_too() {
        let (with_windows, _) = patch(
            r#"{"pickup_windows": [{"days": ["mon", "fri"], "from": "14:30", "to": "17:00"}]}"#,
        )
        .unwrap();
        let only_days = SettingsPatch::from_json(br#"{"business_days": ["mon", "tue"]}"#).unwrap();
        assert_eq!(
            with_windows.apply(&only_days).unwrap_err(),
            SettingsError::PickupOnClosedDay {
                window: 0,
                day: Day::Fri
            }
        );
        let both = SettingsPatch::from_json(
            br#"{"business_days": ["mon", "tue"],
                 "pickup_windows": [{"days": ["mon"], "from": "14:30", "to": "17:00"}]}"#,
        )
        .unwrap();
        assert!(with_windows.apply(&both).is_ok());
    }

    #[test]
    fn touching_pickup_windows_are_fine() {
        let (s, _) = patch(
            r#"{"pickup_windows": [{"days": ["mon"], "from": "12:00", "to": "14:00"},
                                   {"days": ["mon", "tue"], "from": "10:00", "to": "12:00"}]}"#,
        )
        .unwrap();
        let on_monday: Vec<String> = s
            .pickup_windows
            .on(Day::Mon)
            .iter()
            .map(|w| format!("{}-{}", w.from(), w.to()))
            .collect();
        assert_eq!(on_monday, ["10:00-12:00", "12:00-14:00"]);
    }

    #[test]
    fn stored_records_are_lenient_about_shape_and_strict_about_values() {
        let old: MerchantSettings =
            serde_json::from_str(r#"{"name": "Acme", "future": 1}"#).unwrap();
        assert_eq!(old, acme());
        for bad in [
            r#"{"time_zone": "Nowhere/Special"}"#,
            r#"{"business_hours": {"open": "18:00", "close": "09:00"}}"#,
            r#"{"business_days": []}"#,
            r#"{"refresh_schedule": {"every_hours": 0}}"#,
            r#"{"holidays": ["tomorrow"]}"#,
        ] {
            assert!(
                serde_json::from_str::<MerchantSettings>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_patch_serializes_only_what_it_sets() {
        let p = SettingsPatch {
            name: PatchField::Set("Acme".into()),
            aftership_page: PatchField::Null,
            ..SettingsPatch::default()
        };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"name":"Acme","aftership_page":null}"#);
        assert_eq!(SettingsPatch::from_json(json.as_bytes()).unwrap(), p);
    }

    #[test]
    fn local_times_parse_strictly() {
        let table = [
            ("00:00", Some((0, 0))),
            ("09:05", Some((9, 5))),
            ("23:59", Some((23, 59))),
            ("24:00", None),
            ("12:60", None),
            ("9:00", None),
            ("09:00:00", None),
            ("09-00", None),
            (" 09:00", None),
            ("０９:００", None),
            ("", None),
        ];
        for (input, expected) in table {
            let parsed = input.parse::<LocalTime>().ok();
            assert_eq!(parsed.map(|t| (t.hour(), t.minute())), expected, "{input}");
            if let Some(t) = parsed {
                assert_eq!(t.to_string(), input);
            }
        }
    }
}
