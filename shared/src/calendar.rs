//! The merchant's business calendar: business days, pickup windows, refresh schedules and the
//! "when will it leave?" estimate.
//!
//! Everything is computed in the merchant's IANA zone ([`crate::settings::Zone`]) and is
//! daylight-saving correct. There is no clock: the current instant is an argument.
//!
//! Local times that do not exist or exist twice are resolved one way everywhere
//! ([`resolve_local`]):
//! - a local time in a spring-forward gap (02:30 on 2026-03-08 in New York) becomes the first
//!   instant after it, the moment the clocks jump (03:00 EDT);
//! - a local time in a fall-back overlap (01:30 on 2026-11-01 in New York) becomes the earlier
//!   of its two instants (01:30 EDT).

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc,
};
use chrono_tz::{OffsetName, Tz};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::settings::{
    parse_local_date, Day, LocalTime, MerchantSettings, PickupWindow, Refresh, RefreshSchedule,
};
use crate::time::Timestamp;

/// How far ahead the calendar looks for a business day with a pickup. Holidays are capped at
/// 200, so a merchant with one pickup day a week always has one within 201 weeks.
const SEARCH_DAYS: u32 = 7 * 210;

/// The UTC instant of a [`Timestamp`]; instants beyond chrono's range are clamped to it.
fn utc(at: Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.millis()).unwrap_or(if at.millis() < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

fn timestamp<Z: TimeZone>(at: &DateTime<Z>) -> Timestamp {
    Timestamp(at.timestamp_millis())
}

/// The local date in `tz` at the instant `at`.
pub fn local_date(tz: Tz, at: Timestamp) -> NaiveDate {
    utc(at).with_timezone(&tz).date_naive()
}

/// The instant of a local date and time in `tz`: in a spring-forward gap, the first instant after
/// it (the moment the clocks jump); in a fall-back overlap, the earlier instant.
pub fn resolve_local(tz: Tz, date: NaiveDate, time: NaiveTime) -> Timestamp {
    timestamp(&resolve(tz, date.and_time(time)))
}

fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => at,
        LocalResult::Ambiguous(a, b) => a.min(b),
        LocalResult::None => end_of_gap(tz, local),
    }
}

/// The first instant whose local time is at or after `local`, which lies in a gap. The local
/// time `u + offset(u)` of a UTC second `u` never falls more than 12 hours behind nor runs more
/// than 14 hours ahead of `u`, so the instant lies between `local − 15 h` and `local + 13 h`
/// read as UTC; a binary search over seconds finds the jump across `local`.
fn end_of_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    let target = local.and_utc().timestamp();
    let local_at = |secs: i64| -> i64 {
        let at = DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
        at.with_timezone(&tz).naive_local().and_utc().timestamp()
    };
    // Invariant: local_at(lo) < target <= local_at(hi).
    let (mut lo, mut hi) = (target - 15 * 3600, target + 13 * 3600);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_at(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
        .with_timezone(&tz)
}

/// A business day: its weekday is one of the business days and it is not a holiday.
pub fn is_business_day(settings: &MerchantSettings, date: NaiveDate) -> bool {
    settings.business_days.contains(Day::of(date)) && !settings.holidays.contains(date)
}

/// A pickup window on one local date, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickupSlot {
    pub from: Timestamp,
    pub to: Timestamp,
    /// The merchant's local date of the window.
    pub local_date: NaiveDate,
    /// The window is on the same local date as `now`.
    pub today: bool,
}

/// The pickup windows on a local date as `(from, to)` instants, earliest first: none on a day
/// that is not a business day. A window that DST squeezes to nothing (02:00–02:30 on a
/// spring-forward day) is left out.
fn slots_on(settings: &MerchantSettings, date: NaiveDate) -> Vec<(Timestamp, Timestamp)> {
    if !is_business_day(settings, date) {
        return Vec::new();
    }
    let tz = settings.time_zone.tz();
    settings
        .pickup_windows
        .on(Day::of(date))
        .into_iter()
        .map(|w: PickupWindow| {
            (
                resolve_local(tz, date, w.from().naive()),
                resolve_local(tz, date, w.to().naive()),
            )
        })
        .filter(|(from, to)| from < to)
        .collect()
}

/// The pickup window a parcel ready at `now` can still make: the first window on a business day
/// that has not ended yet (the cutoff is the window's end, so during a window it is that
/// window). Weekends and holidays are skipped. `None` when no pickup windows are configured.
pub fn next_pickup(settings: &MerchantSettings, now: Timestamp) -> Option<PickupSlot> {
    if settings.pickup_windows.is_empty() {
        return None;
    }
    let today = local_date(settings.time_zone.tz(), now);
    let mut date = today;
    for _ in 0..SEARCH_DAYS {
        if let Some(&(from, to)) = slots_on(settings, date).iter().find(|(_, to)| now < *to) {
            return Some(PickupSlot {
                from,
                to,
                local_date: date,
                today: date == today,
            });
        }
        date = date.succ_opt()?;
    }
    None
}

/// The business close instant of a local date.
fn close_on(settings: &MerchantSettings, date: NaiveDate) -> Timestamp {
    resolve_local(
        settings.time_zone.tz(),
        date,
        settings.business_hours.close().naive(),
    )
}

/// The deadline `n` business days after the pickup a parcel ready at `from` can make.
///
/// Day 0 is the day of [`next_pickup`] and its deadline is that window's end. Without pickup
/// windows, day 0 is the first business day whose close is after `from`, and its deadline is the
/// close. Day `n` is the `n`-th business day after day 0; its deadline is the end of its last
/// pickup window, or its business close if it has none. Used for "stalled": no first scan by the
/// end of the next pickup window plus N business days. Saturates at [`Timestamp::MAX`].
pub fn add_business_days(settings: &MerchantSettings, from: Timestamp, n: u32) -> Timestamp {
    let tz = settings.time_zone.tz();
    let day0 = match next_pickup(settings, from) {
        Some(slot) => Some((slot.local_date, slot.to)),
        None => {
            let mut date = local_date(tz, from);
            let mut found = None;
            for _ in 0..SEARCH_DAYS {
                if is_business_day(settings, date) && close_on(settings, date) > from {
                    found = Some((date, close_on(settings, date)));
                    break;
                }
                match date.succ_opt() {
                    Some(next) => date = next,
                    None => break,
                }
            }
            found
        }
    };
    let Some((mut date, deadline)) = day0 else {
        return Timestamp::MAX;
    };
    if n == 0 {
        return deadline;
    }
    let last = NaiveDate::from_ymd_opt(2099, 12, 31).expect("a valid date");
    let mut remaining = n;
    while remaining > 0 {
        match date.succ_opt() {
            Some(next) if next <= last => date = next,
            _ => return Timestamp::MAX,
        }
        if is_business_day(settings, date) {
            remaining -= 1;
        }
    }
    slots_on(settings, date)
        .last()
        .map(|&(_, to)| to)
        .unwrap_or_else(|| close_on(settings, date))
}

/// The next refresh strictly after `after`.
///
/// `every_hours: N` runs on a local wall-clock grid anchored at local midnight: 00:00, N:00,
/// 2N:00 … while before 24:00, restarting at the next midnight (every 5 hours is 00, 05, 10, 15,
/// 20, then 00 again). So refreshes happen at the same local clock times every day; across a DST
/// change one interval is an hour longer or shorter (and with N = 1 the repeated fall-back hour
/// runs once). `at: [...]` runs at each listed local time every day. Both resolve missing and
/// repeated local times like [`resolve_local`].
pub fn next_refresh(schedule: &RefreshSchedule, tz: Tz, after: Timestamp) -> Timestamp {
    let times: Vec<NaiveTime> = match schedule.kind() {
        Refresh::EveryHours(n) => (0..24u32)
            .step_by(usize::from((*n).max(1)))
            .filter_map(|h| NaiveTime::from_hms_opt(h, 0, 0))
            .collect(),
        Refresh::At(times) => times.iter().map(|t| t.naive()).collect(),
    };
    // A time on the day before can land on this day (a gap just before midnight); the first
    // time on the day after is always later than `after`.
    let today = local_date(tz, after);
    [today.pred_opt(), Some(today), today.succ_opt()]
        .into_iter()
        .flatten()
        .flat_map(|date| times.iter().map(move |t| resolve_local(tz, date, *t)))
        .filter(|at| *at > after)
        .min()
        .unwrap_or(Timestamp::MAX)
}

// ----- the widget's estimate -------------------------------------------------------------------

/// The day of a pickup relative to the merchant's local date now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelativeDay {
    Today,
    Tomorrow,
    /// Later: the weekday (the date may be more than a week away after holidays; the estimate's
    /// `local_date` says which).
    On(Day),
}

/// "Leaves between 14:30 and 17:00 EST today": the next pickup, ready for the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveEstimate {
    pub from: Timestamp,
    pub to: Timestamp,
    /// The merchant's local date of the pickup, `YYYY-MM-DD`.
    #[serde(serialize_with = "ser_date", deserialize_with = "de_date")]
    pub local_date: NaiveDate,
    /// Local wall-clock times of `from` and `to` in the merchant's zone (after DST resolution:
    /// a 02:30 window start on a spring-forward day shows as 03:00).
    pub local_from: LocalTime,
    pub local_to: LocalTime,
    /// The zone's abbreviation at `from` (`EST`, `EDT`, `CET`, `IST`); zones whose tzdb
    /// abbreviation is numeric show their offset instead, like `UTC+04:00`.
    pub zone_abbreviation: String,
    pub relative_day: RelativeDay,
}

fn ser_date<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = std::borrow::Cow::<str>::deserialize(d)?;
    parse_local_date(&text).ok_or_else(|| serde::de::Error::custom("not a date like 2026-12-25"))
}

/// When will it leave? The [`next_pickup`] after `now`, in the merchant's local terms. `None`
/// when no pickup windows are configured.
pub fn leave_estimate(settings: &MerchantSettings, now: Timestamp) -> Option<LeaveEstimate> {
    let tz = settings.time_zone.tz();
    let slot = next_pickup(settings, now)?;
    let from = utc(slot.from).with_timezone(&tz);
    let to = utc(slot.to).with_timezone(&tz);
    let wall = |at: &DateTime<Tz>| LocalTime::new(at.hour(), at.minute()).expect("a valid time");
    let today = local_date(tz, now);
    let relative_day = if slot.local_date == today {
        RelativeDay::Today
    } else if Some(slot.local_date) == today.succ_opt() {
        RelativeDay::Tomorrow
    } else {
        RelativeDay::On(Day::of(slot.local_date))
    };
    Some(LeaveEstimate {
        from: slot.from,
        to: slot.to,
        local_date: slot.local_date,
        local_from: wall(&from),
        local_to: wall(&to),
        zone_abbreviation: abbreviation(&from),
        relative_day,
    })
}

fn abbreviation(at: &DateTime<Tz>) -> String {
    match at.offset().abbreviation() {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => {
            let secs = at.offset().fix().local_minus_utc();
            let sign = if secs < 0 { '-' } else { '+' };
            let mins = secs.unsigned_abs() / 60;
            format!("UTC{sign}{:02}:{:02}", mins / 60, mins % 60)
        }
    }
}
