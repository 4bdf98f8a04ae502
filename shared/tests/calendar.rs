//! The business calendar across weekends, holidays and DST changes, as tables.
//!
//! Instants are written in local time with the offset in force (`2026-01-13T10:00:00-05:00` is
//! 10:00 EST in New York) and expectations in UTC, so each row shows the local reading and the
//! instant it must be.

use chrono::NaiveDate;
use shared::calendar::{
    add_business_days, is_business_day, leave_estimate, local_date, next_pickup, next_refresh,
    resolve_local, LeaveEstimate, RelativeDay,
};
use shared::settings::{Day, MerchantSettings, RefreshSchedule, SettingsPatch, Zone};
use shared::Timestamp;

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn date(text: &str) -> NaiveDate {
    shared::settings::parse_local_date(text).unwrap_or_else(|| panic!("{text}"))
}

/// Default settings with a patch applied.
fn settings(patch: &str) -> MerchantSettings {
    let patch = SettingsPatch::from_json(patch.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    MerchantSettings {
        name: "Acme".into(),
        ..MerchantSettings::default()
    }
    .apply(&patch)
    .unwrap_or_else(|e| panic!("{e}"))
    .0
}

/// New York, carriers collect 14:30–17:00 every business day (Mon–Fri).
const NEW_YORK: &str = r#"{"time_zone": "America/New_York",
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;
/// The same, with Monday 2026-01-19 (Martin Luther King Jr. Day) a holiday.
const NEW_YORK_MLK: &str = r#"{"time_zone": "America/New_York", "holidays": ["2026-01-19"],
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;
/// New York, open every day, a Sunday pickup at 02:30–04:00: on 2026-03-08 02:30 does not exist.
const NEW_YORK_SUNDAY_NIGHT: &str = r#"{"time_zone": "America/New_York",
    "business_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "pickup_windows": [{"days": ["sun"], "from": "02:30", "to": "04:00"}]}"#;
/// A Sunday window 02:00–02:30 falls entirely into the spring-forward gap.
const NEW_YORK_SQUEEZED: &str = r#"{"time_zone": "America/New_York",
    "business_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "pickup_windows": [{"days": ["sun"], "from": "02:00", "to": "02:30"}]}"#;
/// A Sunday window 01:30–03:00: on 2026-11-01 01:30 happens twice.
const NEW_YORK_FALL_BACK: &str = r#"{"time_zone": "America/New_York",
    "business_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "pickup_windows": [{"days": ["sun"], "from": "01:30", "to": "03:00"}]}"#;
const BERLIN: &str = r#"{"time_zone": "Europe/Berlin",
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "15:00", "to": "18:00"}]}"#;
/// Berlin shifts at 02:00 local too (01:00 UTC): 02:30 on 2026-03-29 does not exist.
const BERLIN_SUNDAY_NIGHT: &str = r#"{"time_zone": "Europe/Berlin",
    "business_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "pickup_windows": [{"days": ["sun"], "from": "02:30", "to": "03:30"}]}"#;
/// Kolkata, +05:30 all year, Monday to Saturday 11:00–13:30.
const KOLKATA: &str = r#"{"time_zone": "Asia/Kolkata",
    "business_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat"], "from": "11:00", "to": "13:30"}]}"#;
const DUBAI: &str = r#"{"time_zone": "Asia/Dubai",
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "16:00", "to": "18:00"}]}"#;

struct PickupCase {
    case: &'static str,
    settings: &'static str,
    now: &'static str,
    local_date: &'static str,
    from: &'static str,
    to: &'static str,
    local: (&'static str, &'static str),
    zone: &'static str,
    day: RelativeDay,
}

#[test]
fn next_pickup_and_the_leave_estimate() {
    use RelativeDay::{On, Today, Tomorrow};
    let table = [
        PickupCase {
            case: "Tuesday morning: today's window",
            settings: NEW_YORK,
            now: "2026-01-13T10:00:00-05:00",
            local_date: "2026-01-13",
            from: "2026-01-13T19:30:00Z",
            to: "2026-01-13T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Today,
        },
        PickupCase {
            case: "inside the window: still today",
            settings: NEW_YORK,
            now: "2026-01-13T16:00:00-05:00",
            local_date: "2026-01-13",
            from: "2026-01-13T19:30:00Z",
            to: "2026-01-13T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Today,
        },
        PickupCase {
            case: "the last second of the window",
            settings: NEW_YORK,
            now: "2026-01-13T16:59:59-05:00",
            local_date: "2026-01-13",
            from: "2026-01-13T19:30:00Z",
            to: "2026-01-13T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Today,
        },
        PickupCase {
            case: "at the window's end the cutoff has passed",
            settings: NEW_YORK,
            now: "2026-01-13T17:00:00-05:00",
            local_date: "2026-01-14",
            from: "2026-01-14T19:30:00Z",
            to: "2026-01-14T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Tomorrow,
        },
        PickupCase {
            case: "after the window: tomorrow",
            settings: NEW_YORK,
            now: "2026-01-13T17:30:00-05:00",
            local_date: "2026-01-14",
            from: "2026-01-14T19:30:00Z",
            to: "2026-01-14T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Tomorrow,
        },
        PickupCase {
            case: "late Tuesday evening is already Wednesday in UTC, still Tuesday locally",
            settings: NEW_YORK,
            now: "2026-01-13T23:30:00-05:00",
            local_date: "2026-01-14",
            from: "2026-01-14T19:30:00Z",
            to: "2026-01-14T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Tomorrow,
        },
        PickupCase {
            case: "Friday evening: Monday",
            settings: NEW_YORK,
            now: "2026-01-16T18:00:00-05:00",
            local_date: "2026-01-19",
            from: "2026-01-19T19:30:00Z",
            to: "2026-01-19T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "Saturday: Monday",
            settings: NEW_YORK,
            now: "2026-01-17T09:00:00-05:00",
            local_date: "2026-01-19",
            from: "2026-01-19T19:30:00Z",
            to: "2026-01-19T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "Sunday evening: Monday is tomorrow",
            settings: NEW_YORK,
            now: "2026-01-18T20:00:00-05:00",
            local_date: "2026-01-19",
            from: "2026-01-19T19:30:00Z",
            to: "2026-01-19T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Tomorrow,
        },
        PickupCase {
            case: "Friday evening before a holiday Monday: Tuesday",
            settings: NEW_YORK_MLK,
            now: "2026-01-16T18:00:00-05:00",
            local_date: "2026-01-20",
            from: "2026-01-20T19:30:00Z",
            to: "2026-01-20T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: On(Day::Tue),
        },
        PickupCase {
            case: "on the holiday itself: Tuesday",
            settings: NEW_YORK_MLK,
            now: "2026-01-19T10:00:00-05:00",
            local_date: "2026-01-20",
            from: "2026-01-20T19:30:00Z",
            to: "2026-01-20T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Tomorrow,
        },
        // Spring forward: Sunday 2026-03-08, EST (−05:00) becomes EDT (−04:00).
        PickupCase {
            case: "Friday before spring-forward, morning: today in EST",
            settings: NEW_YORK,
            now: "2026-03-06T10:00:00-05:00",
            local_date: "2026-03-06",
            from: "2026-03-06T19:30:00Z",
            to: "2026-03-06T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Today,
        },
        PickupCase {
            case: "Friday evening before spring-forward: Monday in EDT",
            settings: NEW_YORK,
            now: "2026-03-06T18:00:00-05:00",
            local_date: "2026-03-09",
            from: "2026-03-09T18:30:00Z",
            to: "2026-03-09T21:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EDT",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "spring-forward Sunday: Monday in EDT",
            settings: NEW_YORK,
            now: "2026-03-08T12:00:00-04:00",
            local_date: "2026-03-09",
            from: "2026-03-09T18:30:00Z",
            to: "2026-03-09T21:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EDT",
            day: Tomorrow,
        },
        PickupCase {
            case: "Monday after spring-forward: today in EDT",
            settings: NEW_YORK,
            now: "2026-03-09T09:00:00-04:00",
            local_date: "2026-03-09",
            from: "2026-03-09T18:30:00Z",
            to: "2026-03-09T21:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EDT",
            day: Today,
        },
        // Fall back: Sunday 2026-11-01, EDT (−04:00) becomes EST (−05:00).
        PickupCase {
            case: "Friday before fall-back, morning: today in EDT",
            settings: NEW_YORK,
            now: "2026-10-30T10:00:00-04:00",
            local_date: "2026-10-30",
            from: "2026-10-30T18:30:00Z",
            to: "2026-10-30T21:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EDT",
            day: Today,
        },
        PickupCase {
            case: "Friday evening before fall-back: Monday in EST",
            settings: NEW_YORK,
            now: "2026-10-30T18:00:00-04:00",
            local_date: "2026-11-02",
            from: "2026-11-02T19:30:00Z",
            to: "2026-11-02T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "during the repeated hour of fall-back Sunday: Monday",
            settings: NEW_YORK,
            now: "2026-11-01T01:30:00-05:00",
            local_date: "2026-11-02",
            from: "2026-11-02T19:30:00Z",
            to: "2026-11-02T22:00:00Z",
            local: ("14:30", "17:00"),
            zone: "EST",
            day: Tomorrow,
        },
        PickupCase {
            case: "a window starting at 02:30 on spring-forward day starts when clocks jump to 03:00",
            settings: NEW_YORK_SUNDAY_NIGHT,
            now: "2026-03-07T12:00:00-05:00",
            local_date: "2026-03-08",
            from: "2026-03-08T07:00:00Z",
            to: "2026-03-08T08:00:00Z",
            local: ("03:00", "04:00"),
            zone: "EDT",
            day: Tomorrow,
        },
        PickupCase {
            case: "a window wholly inside the gap is skipped: the next Sunday",
            settings: NEW_YORK_SQUEEZED,
            now: "2026-03-07T12:00:00-05:00",
            local_date: "2026-03-15",
            from: "2026-03-15T06:00:00Z",
            to: "2026-03-15T06:30:00Z",
            local: ("02:00", "02:30"),
            zone: "EDT",
            day: On(Day::Sun),
        },
        PickupCase {
            case: "a window starting in the repeated hour starts at its first 01:30 (EDT) and ends at 03:00 EST",
            settings: NEW_YORK_FALL_BACK,
            now: "2026-10-31T12:00:00-04:00",
            local_date: "2026-11-01",
            from: "2026-11-01T05:30:00Z",
            to: "2026-11-01T08:00:00Z",
            local: ("01:30", "03:00"),
            zone: "EDT",
            day: Tomorrow,
        },
        PickupCase {
            case: "at the second 01:15 (EST) that window is still open",
            settings: NEW_YORK_FALL_BACK,
            now: "2026-11-01T01:15:00-05:00",
            local_date: "2026-11-01",
            from: "2026-11-01T05:30:00Z",
            to: "2026-11-01T08:00:00Z",
            local: ("01:30", "03:00"),
            zone: "EDT",
            day: Today,
        },
        PickupCase {
            case: "Berlin in winter: CET (+01:00)",
            settings: BERLIN,
            now: "2026-01-13T09:00:00+01:00",
            local_date: "2026-01-13",
            from: "2026-01-13T14:00:00Z",
            to: "2026-01-13T17:00:00Z",
            local: ("15:00", "18:00"),
            zone: "CET",
            day: Today,
        },
        PickupCase {
            case: "Berlin, Friday before its spring-forward: Monday in CEST (+02:00)",
            settings: BERLIN,
            now: "2026-03-27T19:00:00+01:00",
            local_date: "2026-03-30",
            from: "2026-03-30T13:00:00Z",
            to: "2026-03-30T16:00:00Z",
            local: ("15:00", "18:00"),
            zone: "CEST",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "Berlin, Friday before its fall-back: Monday in CET",
            settings: BERLIN,
            now: "2026-10-23T19:00:00+02:00",
            local_date: "2026-10-26",
            from: "2026-10-26T14:00:00Z",
            to: "2026-10-26T17:00:00Z",
            local: ("15:00", "18:00"),
            zone: "CET",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "Berlin: a 02:30 window on spring-forward day starts at 03:00 CEST",
            settings: BERLIN_SUNDAY_NIGHT,
            now: "2026-03-28T12:00:00+01:00",
            local_date: "2026-03-29",
            from: "2026-03-29T01:00:00Z",
            to: "2026-03-29T01:30:00Z",
            local: ("03:00", "03:30"),
            zone: "CEST",
            day: Tomorrow,
        },
        PickupCase {
            case: "Kolkata, inside the window (+05:30)",
            settings: KOLKATA,
            now: "2026-01-13T12:00:00+05:30",
            local_date: "2026-01-13",
            from: "2026-01-13T05:30:00Z",
            to: "2026-01-13T08:00:00Z",
            local: ("11:00", "13:30"),
            zone: "IST",
            day: Today,
        },
        PickupCase {
            case: "Kolkata, Saturday afternoon: Monday",
            settings: KOLKATA,
            now: "2026-01-17T14:00:00+05:30",
            local_date: "2026-01-19",
            from: "2026-01-19T05:30:00Z",
            to: "2026-01-19T08:00:00Z",
            local: ("11:00", "13:30"),
            zone: "IST",
            day: On(Day::Mon),
        },
        PickupCase {
            case: "Kolkata, early Sunday (still Saturday in UTC): Monday is tomorrow",
            settings: KOLKATA,
            now: "2026-01-18T05:00:00+05:30",
            local_date: "2026-01-19",
            from: "2026-01-19T05:30:00Z",
            to: "2026-01-19T08:00:00Z",
            local: ("11:00", "13:30"),
            zone: "IST",
            day: Tomorrow,
        },
        PickupCase {
            case: "a zone without a lettered abbreviation shows its offset",
            settings: DUBAI,
            now: "2026-01-13T09:00:00+04:00",
            local_date: "2026-01-13",
            from: "2026-01-13T12:00:00Z",
            to: "2026-01-13T14:00:00Z",
            local: ("16:00", "18:00"),
            zone: "UTC+04:00",
            day: Today,
        },
    ];
    for row in &table {
        let s = settings(row.settings);
        let now = ts(row.now);
        let slot = next_pickup(&s, now).unwrap_or_else(|| panic!("{}: no pickup", row.case));
        assert_eq!(slot.local_date, date(row.local_date), "{}", row.case);
        assert_eq!(slot.from, ts(row.from), "{}: from", row.case);
        assert_eq!(slot.to, ts(row.to), "{}: to", row.case);
        assert_eq!(
            slot.today,
            row.day == RelativeDay::Today,
            "{}: today",
            row.case
        );
        let estimate = leave_estimate(&s, now).unwrap();
        assert_eq!(
            (
                estimate.local_from.to_string(),
                estimate.local_to.to_string()
            ),
            (row.local.0.to_string(), row.local.1.to_string()),
            "{}: local times",
            row.case
        );
        assert_eq!(estimate.zone_abbreviation, row.zone, "{}: zone", row.case);
        assert_eq!(estimate.relative_day, row.day, "{}: relative day", row.case);
        assert_eq!(
            (estimate.from, estimate.to),
            (slot.from, slot.to),
            "{}",
            row.case
        );
    }
}

#[test]
fn without_pickup_windows_there_is_no_pickup_and_no_estimate() {
    let s = settings(r#"{"time_zone": "America/New_York"}"#);
    let now = ts("2026-01-13T10:00:00-05:00");
    assert_eq!(next_pickup(&s, now), None);
    assert_eq!(leave_estimate(&s, now), None);
}

#[test]
fn the_leave_estimate_serializes_for_the_widget() {
    let estimate = leave_estimate(&settings(NEW_YORK), ts("2026-01-16T18:00:00-05:00")).unwrap();
    let json = serde_json::to_value(&estimate).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "from": "2026-01-19T19:30:00Z",
            "to": "2026-01-19T22:00:00Z",
            "local_date": "2026-01-19",
            "local_from": "14:30",
            "local_to": "17:00",
            "zone_abbreviation": "EST",
            "relative_day": {"on": "mon"}
        })
    );
    assert_eq!(
        serde_json::from_value::<LeaveEstimate>(json).unwrap(),
        estimate
    );
    let today = leave_estimate(&settings(NEW_YORK), ts("2026-01-13T10:00:00-05:00")).unwrap();
    assert_eq!(
        serde_json::to_value(today.relative_day).unwrap(),
        serde_json::json!("today")
    );
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    let s = settings(NEW_YORK_MLK);
    let table = [
        ("2026-01-16", true),  // Friday
        ("2026-01-17", false), // Saturday
        ("2026-01-18", false), // Sunday
        ("2026-01-19", false), // Monday, a holiday
        ("2026-01-20", true),  // Tuesday
        ("2026-01-26", true),  // the next Monday
    ];
    for (day, expected) in table {
        assert_eq!(is_business_day(&s, date(day)), expected, "{day}");
    }
    let weekend_shop = settings(r#"{"business_days": ["sat", "sun"]}"#);
    assert!(is_business_day(&weekend_shop, date("2026-01-17")));
    assert!(!is_business_day(&weekend_shop, date("2026-01-16")));
}

#[test]
fn add_business_days_from_the_next_pickup() {
    /// New York, two collections a day.
    const TWICE_A_DAY: &str = r#"{"time_zone": "America/New_York", "pickup_windows": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "15:00", "to": "16:00"},
        {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "10:00", "to": "11:00"}]}"#;
    /// New York, collections Monday and Wednesday only; business close 17:30.
    const MON_WED: &str = r#"{"time_zone": "America/New_York",
        "pickup_windows": [{"days": ["mon", "wed"], "from": "14:30", "to": "17:00"}]}"#;
    /// New York without pickup windows: business hours 09:00–17:30.
    const HOURS_ONLY: &str = r#"{"time_zone": "America/New_York", "holidays": ["2026-01-19"]}"#;
    let table: &[(&str, &str, &str, u32, &str)] = &[
        (
            "Thursday, same day",
            NEW_YORK,
            "2026-01-15T10:00:00-05:00",
            0,
            "2026-01-15T22:00:00Z",
        ),
        (
            "Thursday + 1",
            NEW_YORK,
            "2026-01-15T10:00:00-05:00",
            1,
            "2026-01-16T22:00:00Z",
        ),
        (
            "Thursday + 2 over the weekend",
            NEW_YORK,
            "2026-01-15T10:00:00-05:00",
            2,
            "2026-01-19T22:00:00Z",
        ),
        (
            "Thursday + 3",
            NEW_YORK,
            "2026-01-15T10:00:00-05:00",
            3,
            "2026-01-20T22:00:00Z",
        ),
        (
            "Friday evening, day 0 is Monday",
            NEW_YORK,
            "2026-01-16T18:00:00-05:00",
            0,
            "2026-01-19T22:00:00Z",
        ),
        (
            "Friday evening + 1",
            NEW_YORK,
            "2026-01-16T18:00:00-05:00",
            1,
            "2026-01-20T22:00:00Z",
        ),
        (
            "Friday evening, holiday Monday",
            NEW_YORK_MLK,
            "2026-01-16T18:00:00-05:00",
            0,
            "2026-01-20T22:00:00Z",
        ),
        (
            "Friday evening + 1, holiday Monday",
            NEW_YORK_MLK,
            "2026-01-16T18:00:00-05:00",
            1,
            "2026-01-21T22:00:00Z",
        ),
        (
            "Thursday + 2 over a weekend and a holiday",
            NEW_YORK_MLK,
            "2026-01-15T10:00:00-05:00",
            2,
            "2026-01-20T22:00:00Z",
        ),
        (
            "+1 across spring-forward: 17:00 EDT",
            NEW_YORK,
            "2026-03-06T10:00:00-05:00",
            1,
            "2026-03-09T21:00:00Z",
        ),
        (
            "+1 across fall-back: 17:00 EST",
            NEW_YORK,
            "2026-10-30T10:00:00-04:00",
            1,
            "2026-11-02T22:00:00Z",
        ),
        (
            "two windows: day 0 ends with the morning window",
            TWICE_A_DAY,
            "2026-01-13T09:00:00-05:00",
            0,
            "2026-01-13T16:00:00Z",
        ),
        (
            "two windows: later days end with the last window",
            TWICE_A_DAY,
            "2026-01-13T09:00:00-05:00",
            1,
            "2026-01-14T21:00:00Z",
        ),
        (
            "Monday evening: the Wednesday pickup",
            MON_WED,
            "2026-01-12T18:00:00-05:00",
            0,
            "2026-01-14T22:00:00Z",
        ),
        (
            "a business day without a window ends at close",
            MON_WED,
            "2026-01-12T18:00:00-05:00",
            1,
            "2026-01-15T22:30:00Z",
        ),
        (
            "no windows: today's close",
            HOURS_ONLY,
            "2026-01-13T10:00:00-05:00",
            0,
            "2026-01-13T22:30:00Z",
        ),
        (
            "no windows, after close: tomorrow's close",
            HOURS_ONLY,
            "2026-01-13T18:00:00-05:00",
            0,
            "2026-01-14T22:30:00Z",
        ),
        (
            "no windows, Saturday: Tuesday after the holiday",
            HOURS_ONLY,
            "2026-01-17T10:00:00-05:00",
            0,
            "2026-01-20T22:30:00Z",
        ),
        (
            "no windows, Thursday + 3 over a weekend and a holiday",
            HOURS_ONLY,
            "2026-01-15T10:00:00-05:00",
            3,
            "2026-01-21T22:30:00Z",
        ),
    ];
    for (case, patch, from, n, expected) in table {
        assert_eq!(
            add_business_days(&settings(patch), ts(from), *n),
            ts(expected),
            "{case}"
        );
    }
    // Absurdly many days saturate instead of looping for ever.
    assert_eq!(
        add_business_days(
            &settings(NEW_YORK),
            ts("2026-01-13T10:00:00-05:00"),
            u32::MAX
        ),
        Timestamp::MAX
    );
}

#[test]
fn next_refresh_on_the_local_grid_across_dst() {
    let every = |h: i64| RefreshSchedule::every_hours(h).unwrap();
    let at =
        |times: &[&str]| RefreshSchedule::at(times.iter().map(|t| t.parse().unwrap())).unwrap();
    let zone = |name: &str| name.parse::<Zone>().unwrap().tz();
    let table: &[(&str, RefreshSchedule, &str, &str, &str)] = &[
        (
            "every 6 h: local midnight",
            every(6),
            "America/New_York",
            "2026-03-07T19:00:00-05:00",
            "2026-03-08T05:00:00Z",
        ),
        (
            "every 6 h: 06:00 EDT, 5 h after midnight EST",
            every(6),
            "America/New_York",
            "2026-03-08T00:00:00-05:00",
            "2026-03-08T10:00:00Z",
        ),
        (
            "every 6 h: then 6 h steps",
            every(6),
            "America/New_York",
            "2026-03-08T06:00:00-04:00",
            "2026-03-08T16:00:00Z",
        ),
        (
            "every 6 h: 06:00 EST, 7 h after midnight EDT",
            every(6),
            "America/New_York",
            "2026-11-01T00:00:00-04:00",
            "2026-11-01T11:00:00Z",
        ),
        (
            "every 6 h: next midnight",
            every(6),
            "America/New_York",
            "2026-11-01T18:00:00-05:00",
            "2026-11-02T05:00:00Z",
        ),
        (
            "hourly: 02:00 does not exist, 03:00 EDT",
            every(1),
            "America/New_York",
            "2026-03-08T01:00:00-05:00",
            "2026-03-08T07:00:00Z",
        ),
        (
            "hourly: after the jump",
            every(1),
            "America/New_York",
            "2026-03-08T03:00:00-04:00",
            "2026-03-08T08:00:00Z",
        ),
        (
            "hourly: the repeated 01:00 runs once",
            every(1),
            "America/New_York",
            "2026-11-01T01:00:00-04:00",
            "2026-11-01T07:00:00Z",
        ),
        (
            "hourly: the first 01:00",
            every(1),
            "America/New_York",
            "2026-11-01T00:59:00-04:00",
            "2026-11-01T05:00:00Z",
        ),
        (
            "every 5 h restarts at midnight",
            every(5),
            "UTC",
            "2026-01-13T20:30:00Z",
            "2026-01-14T00:00:00Z",
        ),
        (
            "every 5 h",
            every(5),
            "UTC",
            "2026-01-13T09:59:59Z",
            "2026-01-13T10:00:00Z",
        ),
        (
            "daily at local midnight, +05:30",
            every(24),
            "Asia/Kolkata",
            "2026-01-13T12:00:00+05:30",
            "2026-01-13T18:30:00Z",
        ),
        (
            "a midnight that does not exist (Chile) is 01:00 -03",
            every(24),
            "America/Santiago",
            "2026-09-05T12:00:00-04:00",
            "2026-09-06T04:00:00Z",
        ),
        (
            "at: the next morning, now in EDT",
            at(&["10:00", "18:00", "23:00"]),
            "America/New_York",
            "2026-03-07T23:30:00-05:00",
            "2026-03-08T14:00:00Z",
        ),
        (
            "at: strictly after",
            at(&["10:00", "18:00", "23:00"]),
            "America/New_York",
            "2026-03-07T18:00:00-05:00",
            "2026-03-08T04:00:00Z",
        ),
        (
            "at: on spring-forward day",
            at(&["10:00", "18:00", "23:00"]),
            "America/New_York",
            "2026-03-08T10:00:00-04:00",
            "2026-03-08T22:00:00Z",
        ),
        (
            "at: the next morning, now in EST",
            at(&["10:00", "18:00", "23:00"]),
            "America/New_York",
            "2026-10-31T23:00:00-04:00",
            "2026-11-01T15:00:00Z",
        ),
        (
            "at: a missing 02:30 runs when the clocks jump",
            at(&["02:30"]),
            "Europe/Berlin",
            "2026-03-28T12:00:00+01:00",
            "2026-03-29T01:00:00Z",
        ),
        (
            "at: and the day after at 02:30 CEST",
            at(&["02:30"]),
            "Europe/Berlin",
            "2026-03-29T01:00:00Z",
            "2026-03-30T00:30:00Z",
        ),
        (
            "at: a repeated 01:30 runs at the first",
            at(&["01:30"]),
            "America/New_York",
            "2026-10-31T12:00:00-04:00",
            "2026-11-01T05:30:00Z",
        ),
        (
            "at: and not at the second",
            at(&["01:30"]),
            "America/New_York",
            "2026-11-01T01:30:00-04:00",
            "2026-11-02T06:30:00Z",
        ),
    ];
    for (case, schedule, tz, after, expected) in table {
        assert_eq!(
            next_refresh(schedule, zone(tz), ts(after)),
            ts(expected),
            "{case}"
        );
    }
}

#[test]
fn local_times_resolve_once_and_predictably() {
    let ny = "America/New_York".parse::<Zone>().unwrap().tz();
    let time = |t: &str| t.parse::<shared::settings::LocalTime>().unwrap().naive();
    let table = [
        ("2026-03-08", "01:59", "2026-03-08T06:59:00Z"),
        ("2026-03-08", "02:00", "2026-03-08T07:00:00Z"),
        ("2026-03-08", "02:30", "2026-03-08T07:00:00Z"),
        ("2026-03-08", "03:00", "2026-03-08T07:00:00Z"),
        ("2026-11-01", "00:59", "2026-11-01T04:59:00Z"),
        ("2026-11-01", "01:00", "2026-11-01T05:00:00Z"),
        ("2026-11-01", "01:59", "2026-11-01T05:59:00Z"),
        ("2026-11-01", "02:00", "2026-11-01T07:00:00Z"),
    ];
    for (day, t, expected) in table {
        assert_eq!(
            resolve_local(ny, date(day), time(t)),
            ts(expected),
            "{day} {t}"
        );
    }
    assert_eq!(
        local_date(ny, ts("2026-01-14T04:30:00Z")),
        date("2026-01-13")
    );
}
