//! When will it leave, when will it arrive, and is it late: tables across weekends, a
//! holiday and both DST changes in New York (carriers collect 14:30–17:00 every business day).

mod common;

use common::{shipment_with, ts};
use shared::aftership::{CarrierCheckpoint, CarrierTracking, EstimateSource, Tag};
use shared::calendar::RelativeDay;
use shared::events::StallRule;
use shared::promise::{when, When, WhenInput};
use shared::settings::{Day, MerchantSettings, SettingsPatch};
use shared::shipment::{Shipment, ShipmentEvent, TrackingRole};
use shared::time::CarrierTime;

fn settings(patch: &str) -> MerchantSettings {
    let patch = SettingsPatch::from_json(patch.as_bytes()).unwrap();
    MerchantSettings {
        name: "Acme".into(),
        ..MerchantSettings::default()
    }
    .apply(&patch)
    .unwrap()
    .0
}

const NEW_YORK: &str = r#"{"time_zone": "America/New_York",
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;
const NEW_YORK_HOLIDAYS: &str = r#"{"time_zone": "America/New_York",
    "holidays": ["2026-01-19", "2026-11-25"],
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;

fn attached(at: &str) -> ShipmentEvent {
    ShipmentEvent::TrackingAttached {
        tracking_number: "1Z999AA10123456784".parse().unwrap(),
        slug: None,
        at: ts(at),
        role: TrackingRole::Default,
    }
}

fn scanned(time: &str, tag: Tag, estimate: Option<(&str, EstimateSource)>) -> CarrierTracking {
    CarrierTracking {
        tag: Some(tag),
        checkpoints: vec![CarrierCheckpoint {
            time: CarrierTime::parse(time),
            message: "Scan".into(),
            location: None,
            tag: Some(tag),
            subtag: None,
        }],
        expected_delivery: estimate.and_then(|(date, _)| CarrierTime::parse(date)),
        expected_delivery_source: estimate.map(|(_, source)| source),
        ..Default::default()
    }
}

/// Each TN's carrier data, by role.
type Trackings<'a> = &'a [(TrackingRole, &'a CarrierTracking)];

fn decide(
    settings: &MerchantSettings,
    shipment: &Shipment,
    trackings: &[(TrackingRole, &CarrierTracking)],
    now: &str,
) -> Option<When> {
    when(&WhenInput {
        shipment,
        trackings,
        settings,
        stall: StallRule::default(),
        now: ts(now),
    })
}

/// (local now, relative day, local date, UTC from, UTC to, zone abbreviation)
#[test]
fn before_the_first_scan_it_names_the_next_pickup_window() {
    let ny = settings(NEW_YORK);
    let holidays = settings(NEW_YORK_HOLIDAYS);
    let only_itn = shipment_with(vec![]);
    let table = [
        // Monday morning: today's window.
        (
            &ny,
            "2026-11-23T10:00:00-05:00",
            RelativeDay::Today,
            "2026-11-23",
            "2026-11-23T19:30:00Z",
            "2026-11-23T22:00:00Z",
            "EST",
        ),
        // Inside the window it still leaves today.
        (
            &ny,
            "2026-11-23T15:00:00-05:00",
            RelativeDay::Today,
            "2026-11-23",
            "2026-11-23T19:30:00Z",
            "2026-11-23T22:00:00Z",
            "EST",
        ),
        // After the cutoff: tomorrow.
        (
            &ny,
            "2026-11-23T17:30:00-05:00",
            RelativeDay::Tomorrow,
            "2026-11-24",
            "2026-11-24T19:30:00Z",
            "2026-11-24T22:00:00Z",
            "EST",
        ),
        // Friday evening and the weekend: Monday.
        (
            &ny,
            "2026-11-27T18:00:00-05:00",
            RelativeDay::On(Day::Mon),
            "2026-11-30",
            "2026-11-30T19:30:00Z",
            "2026-11-30T22:00:00Z",
            "EST",
        ),
        (
            &ny,
            "2026-11-29T12:00:00-05:00",
            RelativeDay::Tomorrow,
            "2026-11-30",
            "2026-11-30T19:30:00Z",
            "2026-11-30T22:00:00Z",
            "EST",
        ),
        // Martin Luther King Jr. Day is a holiday: Friday evening leaves on Tuesday.
        (
            &holidays,
            "2026-01-16T18:00:00-05:00",
            RelativeDay::On(Day::Tue),
            "2026-01-20",
            "2026-01-20T19:30:00Z",
            "2026-01-20T22:00:00Z",
            "EST",
        ),
        // Spring forward (Sunday 2026-03-08): Saturday asks, Monday's window is in EDT.
        (
            &ny,
            "2026-03-07T12:00:00-05:00",
            RelativeDay::On(Day::Mon),
            "2026-03-09",
            "2026-03-09T18:30:00Z",
            "2026-03-09T21:00:00Z",
            "EDT",
        ),
        // Fall back (Sunday 2026-11-01): Friday evening asks in EDT, Monday's window is in EST.
        (
            &ny,
            "2026-10-30T18:00:00-04:00",
            RelativeDay::On(Day::Mon),
            "2026-11-02",
            "2026-11-02T19:30:00Z",
            "2026-11-02T22:00:00Z",
            "EST",
        ),
    ];
    for (settings, now, day, date, from, to, zone) in table {
        match decide(settings, &only_itn, &[], now) {
            Some(When::Leaves {
                estimate,
                time_zone,
            }) => {
                assert_eq!(estimate.relative_day, day, "{now}");
                assert_eq!(estimate.local_date.to_string(), date, "{now}");
                assert_eq!(estimate.from, ts(from), "{now}");
                assert_eq!(estimate.to, ts(to), "{now}");
                assert_eq!(estimate.zone_abbreviation, zone, "{now}");
                assert_eq!(time_zone, "America/New_York");
            }
            other => panic!("{now}: {other:?}"),
        }
    }
}

#[test]
fn a_label_the_carrier_has_not_collected_in_time_is_stalled_kindly_not_promised_again() {
    let ny = settings(NEW_YORK);
    let holidays = settings(NEW_YORK_HOLIDAYS);
    // Label on Monday morning: Monday's pickup plus one business day.
    let shipment = shipment_with(vec![attached("2026-11-23T10:00:00-05:00")]);
    let table = [
        (&ny, "2026-11-23T16:00:00-05:00", false),
        (&ny, "2026-11-24T12:00:00-05:00", false),
        (&ny, "2026-11-25T18:00:00-05:00", true),
        // A holiday after the deadline changes nothing.
        (&holidays, "2026-11-25T18:00:00-05:00", true),
    ];
    for (settings, now, stalled) in table {
        let decided = decide(settings, &shipment, &[], now);
        match (&decided, stalled) {
            (
                Some(When::Stalled {
                    since,
                    moving: false,
                }),
                true,
            ) => {
                assert_eq!(*since, ts("2026-11-23T10:00:00-05:00"))
            }
            (Some(When::Leaves { .. }), false) => {}
            _ => panic!("{now}: {decided:?}"),
        }
    }
}

#[test]
fn after_the_first_scan_it_shows_the_estimate_and_who_made_it() {
    let ny = settings(NEW_YORK);
    let shipment = shipment_with(vec![attached("2026-11-23T10:00:00-05:00")]);
    let carrier = scanned(
        "2026-11-23T16:10:00-05:00",
        Tag::InTransit,
        Some(("2026-11-26", EstimateSource::Carrier)),
    );
    let aftership = scanned(
        "2026-11-23T16:10:00-05:00",
        Tag::InTransit,
        Some(("2026-11-27", EstimateSource::AfterShip)),
    );
    let none = scanned("2026-11-23T16:10:00-05:00", Tag::InTransit, None);
    let now = "2026-11-24T09:00:00-05:00";
    let table: [(Trackings<'_>, Option<(&str, EstimateSource)>); 4] = [
        (
            &[(TrackingRole::Default, &carrier)],
            Some(("2026-11-26", EstimateSource::Carrier)),
        ),
        (
            &[(TrackingRole::Default, &aftership)],
            Some(("2026-11-27", EstimateSource::AfterShip)),
        ),
        (&[(TrackingRole::Default, &none)], None),
        // Two carriers: the local (last-mile) one's estimate wins.
        (
            &[
                (TrackingRole::Default, &carrier),
                (TrackingRole::Local, &aftership),
            ],
            Some(("2026-11-27", EstimateSource::AfterShip)),
        ),
    ];
    for (trackings, expected) in table {
        let decided = decide(&ny, &shipment, trackings, now);
        match (decided, expected) {
            (Some(When::Arrives { date, source }), Some((d, s))) => {
                assert!(date.starts_with(d), "{date}");
                assert_eq!(source, s);
            }
            (None, None) => {}
            (other, expected) => panic!("{other:?} vs {expected:?}"),
        }
    }
}

#[test]
fn no_new_scan_for_three_business_days_in_transit_is_stalled() {
    let ny = settings(NEW_YORK);
    let holidays = settings(NEW_YORK_HOLIDAYS);
    let shipment = shipment_with(vec![attached("2026-11-19T10:00:00-05:00")]);
    // Last scan on Friday noon: three business days give until Wednesday's close (17:30).
    let tracking = scanned(
        "2026-11-20T12:00:00-05:00",
        Tag::InTransit,
        Some(("2026-11-24", EstimateSource::Carrier)),
    );
    let trackings = [(TrackingRole::Default, &tracking)];
    let table = [
        (&ny, "2026-11-25T17:00:00-05:00", false),
        (&ny, "2026-11-25T18:00:00-05:00", true),
        // With Wednesday a holiday the carrier has until Thursday's close.
        (&holidays, "2026-11-26T10:00:00-05:00", false),
        (&holidays, "2026-11-26T18:00:00-05:00", true),
    ];
    for (settings, now, stalled) in table {
        let decided = decide(settings, &shipment, &trackings, now);
        match (&decided, stalled) {
            (
                Some(When::Stalled {
                    since,
                    moving: true,
                }),
                true,
            ) => {
                assert_eq!(*since, ts("2026-11-20T12:00:00-05:00"))
            }
            (Some(When::Arrives { .. }), false) => {}
            _ => panic!("{now}: {decided:?}"),
        }
    }
}

#[test]
fn nothing_is_promised_once_delivered_or_while_a_carrier_reports_a_problem() {
    let ny = settings(NEW_YORK);
    let shipment = shipment_with(vec![attached("2026-11-23T10:00:00-05:00")]);
    for tag in [
        Tag::Delivered,
        Tag::Exception,
        Tag::AvailableForPickup,
        Tag::Expired,
    ] {
        let tracking = scanned(
            "2026-11-23T16:10:00-05:00",
            tag,
            Some(("2026-11-26", EstimateSource::Carrier)),
        );
        assert_eq!(
            decide(
                &ny,
                &shipment,
                &[(TrackingRole::Default, &tracking)],
                "2026-11-24T09:00:00-05:00"
            ),
            None,
            "{tag:?}"
        );
    }
    // A merchant without pickup windows gets no leave estimate.
    let plain = settings(r#"{"time_zone": "America/New_York"}"#);
    assert_eq!(
        decide(
            &plain,
            &shipment_with(vec![]),
            &[],
            "2026-11-23T10:00:00-05:00"
        ),
        None
    );
}

#[test]
fn afterships_estimate_fields_say_who_estimated() {
    let read = |json: &str| {
        let tracking = CarrierTracking::from_value(&serde_json::from_str(json).unwrap());
        (
            tracking.expected_delivery.map(|t| t.as_str().to_string()),
            tracking.expected_delivery_source,
        )
    };
    let table = [
        (
            r#"{"courier_estimated_delivery_date": {"estimated_delivery_date": "2026-11-26"}}"#,
            Some(EstimateSource::Carrier),
        ),
        (
            r#"{"aftership_estimated_delivery_date": {"estimated_delivery_date": "2026-11-27"}}"#,
            Some(EstimateSource::AfterShip),
        ),
        (
            r#"{"latest_estimated_delivery": {"type": "specific", "source": "AfterShip EDD", "datetime": "2026-11-27"}}"#,
            Some(EstimateSource::AfterShip),
        ),
        (
            r#"{"latest_estimated_delivery": {"type": "specific", "source": "Carrier EDD", "datetime": "2026-11-26"}}"#,
            Some(EstimateSource::Carrier),
        ),
        (
            r#"{"custom_estimated_delivery_date": {"type": "specific", "datetime": "2026-11-28"}}"#,
            Some(EstimateSource::Merchant),
        ),
        (
            r#"{"expected_delivery": "2026-11-26"}"#,
            Some(EstimateSource::Carrier),
        ),
        (r#"{}"#, None),
    ];
    for (json, source) in table {
        let (date, read_source) = read(json);
        assert_eq!(read_source, source, "{json}");
        assert_eq!(date.is_some(), source.is_some(), "{json}");
    }
}

#[test]
fn the_answer_reads_back_through_serde() {
    let ny = settings(NEW_YORK);
    let decided = decide(
        &ny,
        &shipment_with(vec![]),
        &[],
        "2026-11-23T10:00:00-05:00",
    )
    .unwrap();
    let json = serde_json::to_value(&decided).unwrap();
    assert_eq!(json["kind"], "leaves");
    assert_eq!(json["time_zone"], "America/New_York");
    assert_eq!(json["relative_day"], "today");
    assert_eq!(serde_json::from_value::<When>(json).unwrap(), decided);
}
