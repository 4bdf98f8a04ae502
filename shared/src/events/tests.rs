//! The catalogue as tables: each kind, ordering, duplicates, arrival order (a property), replay,
//! and stalls across weekends, holidays and DST changes in New York.
//!
//! Instants are written in local time with the offset in force (`2026-01-13T17:00:00-05:00` is
//! 17:00 EST) and compared as UTC, so each row shows the local reading and the instant it is.

use proptest::prelude::*;

use super::*;
use crate::settings::SettingsPatch;
use crate::shipment::CheckpointDef;

use EventKind::{
    AttemptFailed, CodCollected, Delivered, Exception, InTransit, OutForDelivery, PickedUp,
    Refused, Returning, Stalled, TrackingAssigned,
};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn itn() -> Itn {
    Itn::from_random([3; 9])
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

/// UTC, Monday to Friday, 09:00–17:30, no pickup windows.
const UTC: &str = "{}";
/// New York, carriers collect 14:30–17:00 every business day (Mon–Fri), open 09:00–17:30.
const NEW_YORK: &str = r#"{"time_zone": "America/New_York",
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;
/// The same, with Monday 2026-01-19 (Martin Luther King Jr. Day) a holiday.
const NEW_YORK_MLK: &str = r#"{"time_zone": "America/New_York", "holidays": ["2026-01-19"],
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;

fn created(at: &str) -> ShipmentEvent {
    ShipmentEvent::Created {
        at: ts(at),
        order_ref: "#1001".into(),
        fulfillment_ref: None,
        channel: None,
        checkpoints: ["Merchandise prepped and packed", "Shipping label created"]
            .iter()
            .map(|label| CheckpointDef {
                label: label.to_string(),
                reached_by: ReachedBy::infer(label),
            })
            .collect(),
    }
}

fn attached(at: &str, tn: &str) -> ShipmentEvent {
    ShipmentEvent::TrackingAttached {
        tracking_number: tn.parse().unwrap(),
        slug: None,
        at: ts(at),
        role: Default::default(),
    }
}

/// Created on Monday 2026-11-16 at 09:00 UTC, TN attached at 10:00.
fn history() -> Vec<ShipmentEvent> {
    vec![
        created("2026-11-16T09:00:00Z"),
        attached("2026-11-16T10:00:00Z", "1Z999AA10123456784"),
    ]
}

fn cp(time: &str, tag: Option<Tag>, subtag: Option<&str>) -> CarrierCheckpoint {
    CarrierCheckpoint {
        time: CarrierTime::parse(time),
        message: format!("scan {}", subtag.unwrap_or("-")),
        location: None,
        tag,
        subtag: subtag.map(str::to_string),
    }
}

fn tracking(tn: &str, slug: &str, checkpoints: Vec<CarrierCheckpoint>) -> CarrierTracking {
    CarrierTracking {
        tracking_number: Some(tn.into()),
        slug: Some(slug.into()),
        checkpoints,
        ..CarrierTracking::default()
    }
}

fn ups(checkpoints: Vec<CarrierCheckpoint>) -> CarrierTracking {
    tracking("1Z999AA10123456784", "ups", checkpoints)
}

fn derive(
    history: &[ShipmentEvent],
    trackings: &[&CarrierTracking],
    settings: &MerchantSettings,
    now: &str,
) -> Vec<MerchantEvent> {
    derive_events(&EventInput {
        itn: itn(),
        history,
        trackings,
        settings,
        stall: StallRule::default(),
        now: ts(now),
    })
}

/// `(kind, instant in UTC)` of each event, in order.
fn summary(events: &[MerchantEvent]) -> Vec<(EventKind, String)> {
    events.iter().map(|e| (e.kind, e.at.to_string())).collect()
}

fn expect(rows: &[(EventKind, &str)]) -> Vec<(EventKind, String)> {
    rows.iter()
        .map(|(k, at)| (*k, ts(at).to_string()))
        .collect()
}

fn fixture(name: &str) -> CarrierTracking {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/aftership")
        .join(name);
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    CarrierTracking::from_response(200, &body).unwrap()
}

// ----- spelling --------------------------------------------------------------------------------

#[test]
fn kinds_are_spelled_one_way_everywhere() {
    let spelled: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        spelled,
        [
            "tracking.assigned",
            "shipment.picked_up",
            "shipment.in_transit",
            "shipment.out_for_delivery",
            "shipment.delivered",
            "shipment.cod_collected",
            "shipment.attempt_failed",
            "shipment.refused",
            "shipment.exception",
            "shipment.returning",
            "shipment.stalled",
        ]
    );
    for kind in EventKind::ALL {
        assert_eq!(kind.to_string().parse::<EventKind>(), Ok(kind));
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{kind}\""));
        assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), kind);
        let key = EventKey { itn: itn(), kind };
        assert_eq!(key.to_string().parse::<EventKey>(), Ok(key));
    }
    assert!(
        EventKind::ALL.windows(2).all(|w| w[0] < w[1]),
        "ALL is in catalogue order"
    );
    for bad in [
        "",
        "delivered",
        "Shipment.Delivered",
        "shipment.delivered ",
        "shipment.lost",
    ] {
        assert!(
            matches!(bad.parse::<EventKind>(), Err(EventError::UnknownKind(_))),
            "{bad:?}"
        );
    }
    for bad in ["shipment.delivered", "WM-0000/shipment.delivered", "x/y"] {
        assert!(bad.parse::<EventKey>().is_err(), "{bad:?}");
    }
    assert_eq!(
        EventKey {
            itn: itn(),
            kind: Delivered
        }
        .to_string(),
        format!("{}/shipment.delivered", itn())
    );
}

#[test]
fn the_subtags_the_catalogue_relies_on_mean_what_aftership_documents() {
    // AfterShip's delivery sub-statuses: Delivered_004 "Delivered and received cash on
    // delivery", Exception_003 "Customer refused delivery", Exception_007 "Incorrect address",
    // Exception_010 "Returning to sender", Exception_011 "Returned to sender".
    let table: &[(&str, &[EventKind])] = &[
        ("Delivered_001", &[]),
        ("Delivered_004", &[CodCollected]),
        ("Exception_003", &[Refused]),
        ("Exception_007", &[]),
        ("Exception_010", &[Returning]),
        ("Exception_011", &[Returning]),
        ("AttemptFail_002", &[]),
        ("InTransit_002", &[]),
    ];
    let t = ups(vec![]);
    for (subtag, kinds) in table {
        let s = Sighting {
            at: ts("2026-11-16T10:00:00Z"),
            tag: None,
            subtag: Some(*subtag),
            tracking: &t,
            origin: Origin::Status,
        };
        let proven: Vec<EventKind> = [CodCollected, Refused, Returning]
            .into_iter()
            .filter(|k| s.proves(*k))
            .collect();
        assert_eq!(proven, *kinds, "{subtag}");
    }
}

// ----- each kind -------------------------------------------------------------------------------

type Scan = (&'static str, Option<Tag>, Option<&'static str>);

struct KindCase {
    case: &'static str,
    scans: &'static [Scan],
    /// The tracking's own tag and subtag, with its `updated_at`.
    status: Option<(Tag, &'static str, &'static str)>,
    expected: &'static [(EventKind, &'static str)],
}

#[test]
fn each_kind_fires_once_on_its_evidence() {
    use Tag as T;
    const PICKUP: Scan = (
        "2026-11-16T16:00:00Z",
        Some(T::InTransit),
        Some("InTransit_001"),
    );
    const OFD: Scan = (
        "2026-11-17T08:00:00Z",
        Some(T::OutForDelivery),
        Some("OutForDelivery_001"),
    );
    let assigned = (TrackingAssigned, "2026-11-16T10:00:00Z");
    let table = [
        KindCase {
            case: "only the TN: assigned",
            scans: &[],
            status: None,
            expected: &[(TrackingAssigned, "2026-11-16T10:00:00Z")],
        },
        KindCase {
            case: "label information is no pickup",
            scans: &[
                (
                    "2026-11-16T11:00:00Z",
                    Some(T::InfoReceived),
                    Some("InfoReceived_001"),
                ),
                (
                    "2026-11-16T11:30:00Z",
                    Some(T::Pending),
                    Some("Pending_001"),
                ),
            ],
            status: None,
            expected: &[(TrackingAssigned, "2026-11-16T10:00:00Z")],
        },
        KindCase {
            case: "the acceptance scan picks up, the departure moves",
            scans: &[
                (
                    "2026-11-16T16:00:00Z",
                    Some(T::InTransit),
                    Some("InTransit_002"),
                ),
                (
                    "2026-11-16T20:00:00Z",
                    Some(T::InTransit),
                    Some("InTransit_007"),
                ),
                (
                    "2026-11-17T02:00:00Z",
                    Some(T::InTransit),
                    Some("InTransit_003"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T20:00:00Z"),
            ],
        },
        KindCase {
            case: "a generic first scan is pickup and movement at once",
            scans: &[PICKUP],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
            ],
        },
        KindCase {
            case: "out for delivery, then delivered",
            scans: &[
                PICKUP,
                OFD,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Delivered),
                    Some("Delivered_001"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (OutForDelivery, "2026-11-17T08:00:00Z"),
                (Delivered, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "delivered without an out-for-delivery scan invents none",
            scans: &[
                PICKUP,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Delivered),
                    Some("Delivered_003"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (Delivered, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "cash collected on delivery",
            scans: &[
                PICKUP,
                OFD,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Delivered),
                    Some("Delivered_004"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (OutForDelivery, "2026-11-17T08:00:00Z"),
                (Delivered, "2026-11-17T12:00:00Z"),
                (CodCollected, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "a subtag without its tag still counts (COD is a delivery)",
            scans: &[("2026-11-17T12:00:00Z", None, Some("Delivered_004"))],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-17T12:00:00Z"),
                (InTransit, "2026-11-17T12:00:00Z"),
                (Delivered, "2026-11-17T12:00:00Z"),
                (CodCollected, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "COD on the tracking's own status, dated by updated_at",
            scans: &[
                PICKUP,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Delivered),
                    Some("Delivered_001"),
                ),
            ],
            status: Some((T::Delivered, "Delivered_004", "2026-11-17T12:05:00Z")),
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (Delivered, "2026-11-17T12:00:00Z"),
                (CodCollected, "2026-11-17T12:05:00Z"),
            ],
        },
        KindCase {
            case: "recipient not available: an attempt failed, nothing refused",
            scans: &[
                PICKUP,
                OFD,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::AttemptFail),
                    Some("AttemptFail_002"),
                ),
                (
                    "2026-11-18T12:00:00Z",
                    Some(T::AttemptFail),
                    Some("AttemptFail_001"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (OutForDelivery, "2026-11-17T08:00:00Z"),
                (AttemptFailed, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "refused: an exception, no failed attempt",
            scans: &[
                PICKUP,
                OFD,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Exception),
                    Some("Exception_003"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (OutForDelivery, "2026-11-17T08:00:00Z"),
                (Refused, "2026-11-17T12:00:00Z"),
                (Exception, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "an incorrect address (Exception_007) is an exception, not a refusal",
            scans: &[
                PICKUP,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Exception),
                    Some("Exception_007"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (Exception, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "refused, then returning and returned: each once, at the first",
            scans: &[
                PICKUP,
                (
                    "2026-11-17T12:00:00Z",
                    Some(T::Exception),
                    Some("Exception_003"),
                ),
                (
                    "2026-11-18T12:00:00Z",
                    Some(T::Exception),
                    Some("Exception_010"),
                ),
                (
                    "2026-11-20T12:00:00Z",
                    Some(T::Exception),
                    Some("Exception_011"),
                ),
            ],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-16T16:00:00Z"),
                (InTransit, "2026-11-16T16:00:00Z"),
                (Refused, "2026-11-17T12:00:00Z"),
                (Exception, "2026-11-17T12:00:00Z"),
                (Returning, "2026-11-18T12:00:00Z"),
            ],
        },
        KindCase {
            case: "waiting at a pickup point: picked up and moving, not out for delivery",
            scans: &[(
                "2026-11-17T12:00:00Z",
                Some(T::AvailableForPickup),
                Some("AvailableForPickup_001"),
            )],
            status: None,
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (PickedUp, "2026-11-17T12:00:00Z"),
                (InTransit, "2026-11-17T12:00:00Z"),
            ],
        },
        KindCase {
            case: "lost before any scan (the tracking's status only): an exception, no pickup",
            scans: &[],
            status: Some((T::Exception, "Exception_013", "2026-11-17T09:00:00Z")),
            expected: &[
                (TrackingAssigned, "2026-11-16T10:00:00Z"),
                (Exception, "2026-11-17T09:00:00Z"),
            ],
        },
    ];
    for row in &table {
        let mut t = ups(row
            .scans
            .iter()
            .map(|(at, tag, sub)| cp(at, *tag, *sub))
            .collect());
        if let Some((tag, subtag, updated_at)) = row.status {
            t.tag = Some(tag);
            t.subtag = Some(subtag.into());
            t.updated_at = Some(ts(updated_at));
        }
        // `now` is the Monday after: no stall can hide in these rows (the first scan comes
        // before Tuesday's deadline, or the carrier's status ends the watch).
        let events = derive(&history(), &[&t], &settings(UTC), "2026-11-17T17:00:00Z");
        assert_eq!(summary(&events), expect(row.expected), "{}", row.case);
        assert_eq!(
            events.first().map(|e| (e.kind, e.at)),
            Some((assigned.0, ts(assigned.1)))
        );
        for event in &events {
            assert_eq!(
                event.key,
                EventKey {
                    itn: itn(),
                    kind: event.kind
                },
                "{}",
                row.case
            );
        }
    }
}

#[test]
fn evidence_says_where_each_event_came_from() {
    let mut t = ups(vec![
        cp(
            "2026-11-16T11:00:00-05:00",
            Some(Tag::InTransit),
            Some("InTransit_001"),
        ),
        cp(
            "2026-11-17T12:00:00Z",
            Some(Tag::Delivered),
            Some("Delivered_001"),
        ),
    ]);
    t.tag = Some(Tag::Delivered);
    t.subtag = Some("Delivered_004".into());
    t.updated_at = Some(ts("2026-11-17T12:05:00Z"));
    let events = derive(&history(), &[&t], &settings(UTC), "2026-11-17T13:00:00Z");
    let by_kind = |kind| events.iter().find(|e| e.kind == kind).unwrap();
    assert_eq!(
        by_kind(TrackingAssigned).evidence,
        Evidence::TrackingAttached {
            tracking_number: "1Z999AA10123456784".parse().unwrap(),
            slug: None
        }
    );
    // The carrier's time keeps its offset in the evidence; `at` is the instant.
    let picked = by_kind(PickedUp);
    assert_eq!(picked.at, ts("2026-11-16T16:00:00Z"));
    assert_eq!(
        picked.evidence,
        Evidence::Checkpoint {
            tracking_number: Some("1Z999AA10123456784".into()),
            slug: Some("ups".into()),
            checkpoint: t.checkpoints[0].clone(),
        }
    );
    let Evidence::Checkpoint { checkpoint, .. } = &picked.evidence else {
        unreachable!()
    };
    assert_eq!(
        checkpoint.time.as_ref().map(CarrierTime::as_str),
        Some("2026-11-16T11:00:00-05:00")
    );
    assert_eq!(
        by_kind(CodCollected).evidence,
        Evidence::TrackingStatus {
            tracking_number: Some("1Z999AA10123456784".into()),
            slug: Some("ups".into()),
            tag: Some(Tag::Delivered),
            subtag: Some("Delivered_004".into()),
        }
    );
    // Events are stored by the edge and sent to merchants: they read back as they were.
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<MerchantEvent>>(&json).unwrap(),
        events
    );
    let first: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(first[0]["kind"], "tracking.assigned");
    assert_eq!(first[0]["key"], format!("{}/tracking.assigned", itn()));
    assert_eq!(first[0]["evidence"]["source"], "tracking_attached");
}

#[test]
fn undated_and_out_of_range_checkpoints_take_the_trackings_time_or_nothing() {
    let mut t = ups(vec![
        cp(
            "2026-11-16T16:00:00Z",
            Some(Tag::InTransit),
            Some("InTransit_001"),
        ),
        cp("not a time", Some(Tag::OutForDelivery), None),
        cp("1970-01-01T00:00:00Z", Some(Tag::Delivered), None),
    ]);
    // No updated_at: the tracking's newest dated checkpoint dates the others.
    let events = derive(&history(), &[&t], &settings(UTC), "2026-11-17T13:00:00Z");
    assert_eq!(
        summary(&events),
        expect(&[
            (TrackingAssigned, "2026-11-16T10:00:00Z"),
            (PickedUp, "2026-11-16T16:00:00Z"),
            (InTransit, "2026-11-16T16:00:00Z"),
            (OutForDelivery, "2026-11-16T16:00:00Z"),
            (Delivered, "2026-11-16T16:00:00Z"),
        ])
    );
    t.updated_at = Some(ts("2026-11-17T09:00:00Z"));
    let events = derive(&history(), &[&t], &settings(UTC), "2026-11-17T13:00:00Z");
    assert_eq!(
        summary(&events)[3..],
        expect(&[
            (OutForDelivery, "2026-11-17T09:00:00Z"),
            (Delivered, "2026-11-17T09:00:00Z"),
        ])
    );
    // With no time at all, carrier evidence cannot be dated and is left out.
    let undated = ups(vec![cp("garbage", Some(Tag::Delivered), None)]);
    let events = derive(
        &history(),
        &[&undated],
        &settings(UTC),
        "2026-11-16T13:00:00Z",
    );
    assert_eq!(
        summary(&events),
        expect(&[(TrackingAssigned, "2026-11-16T10:00:00Z")])
    );
}

// ----- order, duplicates, several trackings ----------------------------------------------------

#[test]
fn order_is_by_true_instant_not_by_the_carriers_text() {
    // Text order and instant order disagree: 01:00 in Tokyo on the 17th is 16:00 UTC on the
    // 16th, before 20:00 in New York on the 16th (01:00 UTC on the 17th).
    let t = ups(vec![
        cp(
            "2026-11-16T20:00:00-05:00",
            Some(Tag::InTransit),
            Some("InTransit_003"),
        ),
        cp(
            "2026-11-17T01:00:00+09:00",
            Some(Tag::InTransit),
            Some("InTransit_002"),
        ),
        cp(
            "2026-11-17T09:00:00-05:00",
            Some(Tag::OutForDelivery),
            Some("OutForDelivery_001"),
        ),
    ]);
    let events = derive(&history(), &[&t], &settings(UTC), "2026-11-17T15:00:00Z");
    assert_eq!(
        summary(&events),
        expect(&[
            (TrackingAssigned, "2026-11-16T10:00:00Z"),
            (PickedUp, "2026-11-16T16:00:00Z"),
            (InTransit, "2026-11-17T01:00:00Z"),
            (OutForDelivery, "2026-11-17T14:00:00Z"),
        ])
    );
}

#[test]
fn a_real_fedex_tracking_in_three_offsets_reads_in_instant_order() {
    // Recorded by AfterShip's Java SDK: checkpoints at -05:00, +08:00 and +09:00.
    let t = fixture("v4/javasdk__GetTrackingResult.json");
    let history = vec![
        created("2018-07-20T09:00:00Z"),
        attached("2018-07-22T12:00:00Z", "111111111111"),
    ];
    let expected = expect(&[
        (TrackingAssigned, "2018-07-22T12:00:00Z"),
        (PickedUp, "2018-07-23T16:58:00+08:00"),
        (InTransit, "2018-07-23T20:45:00+08:00"),
        (OutForDelivery, "2018-07-24T13:02:00+09:00"),
        (Delivered, "2018-07-25T10:10:00+09:00"),
    ]);
    let events = derive(&history, &[&t], &settings(UTC), "2018-08-20T00:00:00Z");
    assert_eq!(summary(&events), expected);
    let mut reversed = t.clone();
    reversed.checkpoints.reverse();
    assert_eq!(
        derive(
            &history,
            &[&reversed],
            &settings(UTC),
            "2018-08-20T00:00:00Z"
        ),
        events
    );
}

#[test]
fn a_lost_parcel_marked_completed_is_an_exception_dated_by_the_tracking() {
    // Recorded: the tracking's status is Exception_013 ("Shipment lost", set by
    // mark-as-completed) while its last checkpoint says Delivered.
    let t = fixture("v4/javasdk__MarkAsCompletedResult.json");
    assert_eq!(t.subtag.as_deref(), Some("Exception_013"));
    let history = vec![created("2018-07-20T09:00:00Z")];
    let events = derive(&history, &[&t], &settings(UTC), "2018-08-20T00:00:00Z");
    assert_eq!(
        summary(&events),
        expect(&[
            (PickedUp, "2018-07-23T16:58:00+08:00"),
            (InTransit, "2018-07-23T20:45:00+08:00"),
            (OutForDelivery, "2018-07-24T13:02:00+09:00"),
            (Delivered, "2018-07-25T10:10:00+09:00"),
            (Exception, "2018-08-17T05:10:46Z"),
        ])
    );
    assert!(matches!(
        events.last().unwrap().evidence,
        Evidence::TrackingStatus {
            tag: Some(Tag::Exception),
            ..
        }
    ));
}

#[test]
fn duplicate_checkpoints_and_repeated_answers_count_once() {
    let scans = vec![
        cp(
            "2026-11-16T16:00:00Z",
            Some(Tag::InTransit),
            Some("InTransit_002"),
        ),
        cp(
            "2026-11-16T20:00:00Z",
            Some(Tag::InTransit),
            Some("InTransit_007"),
        ),
        cp(
            "2026-11-17T12:00:00Z",
            Some(Tag::Delivered),
            Some("Delivered_004"),
        ),
    ];
    let once = ups(scans.clone());
    let twice = ups(scans.iter().chain(&scans).cloned().collect());
    let now = "2026-11-30T00:00:00Z";
    let expected = derive(&history(), &[&once], &settings(UTC), now);
    assert_eq!(expected.len(), 5);
    assert_eq!(derive(&history(), &[&twice], &settings(UTC), now), expected);
    assert_eq!(
        derive(&history(), &[&once, &once, &twice], &settings(UTC), now),
        expected
    );
    // The same scan reported with another offset is the same instant but another text: both
    // are kept as evidence, and the events are the same.
    let mut shifted = scans.clone();
    shifted[0].time = CarrierTime::parse("2026-11-16T11:00:00-05:00");
    let both = ups(scans.iter().chain(&shifted).cloned().collect());
    assert_eq!(
        summary(&derive(&history(), &[&both], &settings(UTC), now)),
        summary(&expected)
    );
}

#[test]
fn a_default_and_a_local_last_mile_tracking_merge() {
    let default = ups(vec![
        cp(
            "2026-11-16T16:00:00Z",
            Some(Tag::InTransit),
            Some("InTransit_002"),
        ),
        cp(
            "2026-11-16T20:00:00Z",
            Some(Tag::InTransit),
            Some("InTransit_007"),
        ),
        // Handed over to the local carrier.
        cp(
            "2026-11-18T09:00:00Z",
            Some(Tag::InTransit),
            Some("InTransit_001"),
        ),
    ]);
    let local = tracking(
        "LM12345678",
        "local-express",
        vec![
            cp(
                "2026-11-18T09:00:00Z",
                Some(Tag::InTransit),
                Some("InTransit_001"),
            ),
            cp(
                "2026-11-19T08:00:00Z",
                Some(Tag::OutForDelivery),
                Some("OutForDelivery_001"),
            ),
            cp(
                "2026-11-19T11:00:00Z",
                Some(Tag::Delivered),
                Some("Delivered_004"),
            ),
        ],
    );
    let now = "2026-11-30T00:00:00Z";
    let events = derive(&history(), &[&default, &local], &settings(UTC), now);
    assert_eq!(
        summary(&events),
        expect(&[
            (TrackingAssigned, "2026-11-16T10:00:00Z"),
            (PickedUp, "2026-11-16T16:00:00Z"),
            (InTransit, "2026-11-16T20:00:00Z"),
            (OutForDelivery, "2026-11-19T08:00:00Z"),
            (Delivered, "2026-11-19T11:00:00Z"),
            (CodCollected, "2026-11-19T11:00:00Z"),
        ])
    );
    let tn_of = |kind| match &events.iter().find(|e| e.kind == kind).unwrap().evidence {
        Evidence::Checkpoint {
            tracking_number, ..
        } => tracking_number.clone().unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(tn_of(PickedUp), "1Z999AA10123456784");
    assert_eq!(tn_of(Delivered), "LM12345678");
    assert_eq!(
        derive(&history(), &[&local, &default], &settings(UTC), now),
        events
    );
}

// ----- arrival order, as a property ------------------------------------------------------------

/// Tags with subtags that AfterShip pairs with them (some without subtag).
const SIGNALS: &[(Option<Tag>, Option<&str>)] = &[
    (Some(Tag::InfoReceived), Some("InfoReceived_001")),
    (Some(Tag::InTransit), Some("InTransit_001")),
    (Some(Tag::InTransit), Some("InTransit_002")),
    (Some(Tag::InTransit), Some("InTransit_007")),
    (Some(Tag::InTransit), None),
    (Some(Tag::OutForDelivery), Some("OutForDelivery_001")),
    (Some(Tag::AttemptFail), Some("AttemptFail_002")),
    (
        Some(Tag::AvailableForPickup),
        Some("AvailableForPickup_001"),
    ),
    (Some(Tag::Delivered), Some("Delivered_001")),
    (Some(Tag::Delivered), Some("Delivered_004")),
    (Some(Tag::Exception), Some("Exception_003")),
    (Some(Tag::Exception), Some("Exception_010")),
    (Some(Tag::Exception), Some("Exception_011")),
    (None, None),
];

/// Checkpoints over two weeks (hours apart, some at the same instant), in mixed offsets.
fn checkpoints() -> impl Strategy<Value = Vec<CarrierCheckpoint>> {
    prop::collection::vec((0i64..300, -12i64..=14, 0..SIGNALS.len(), 0u8..3), 0..20).prop_map(
        |rows| {
            rows.into_iter()
                .map(|(hour, offset, signal, message)| {
                    let instant = ts("2026-11-16T11:00:00Z").plus_seconds(hour * 3600);
                    let local = Timestamp(instant.millis() + offset * 3_600_000).to_string();
                    let (tag, subtag) = SIGNALS[signal];
                    let mut c = cp(&format!("{}{offset:+03}:00", &local[..19]), tag, subtag);
                    c.message = format!("scan {message}");
                    c
                })
                .collect()
        },
    )
}

/// The checkpoints, each sent in one or more of `parts` partial answers, answers and their
/// checkpoints shuffled.
fn arrivals() -> impl Strategy<Value = (Vec<CarrierCheckpoint>, Vec<Vec<CarrierCheckpoint>>)> {
    checkpoints()
        .prop_flat_map(|all| {
            let n = all.len();
            (
                Just(all),
                1usize..5,
                prop::collection::vec((0usize..5, prop::option::of(0usize..5)), n),
            )
        })
        .prop_flat_map(|(all, parts, placement)| {
            let mut split = vec![Vec::new(); parts];
            for (checkpoint, (part, again)) in all.iter().zip(placement) {
                split[part % parts].push(checkpoint.clone());
                if let Some(again) = again {
                    split[again % parts].push(checkpoint.clone());
                }
            }
            let shuffled: Vec<_> = split.into_iter().map(|p| Just(p).prop_shuffle()).collect();
            (Just(all), shuffled.prop_shuffle())
        })
}

proptest! {
    #[test]
    fn any_arrival_order_gives_the_same_events((all, parts) in arrivals(), now_hours in 0i64..400) {
        let now = ts("2026-11-16T11:00:00Z").plus_seconds(now_hours * 3600).to_string();
        let settings = settings(NEW_YORK);
        let whole = ups(all.clone());
        let expected = derive(&history(), &[&whole], &settings, &now);

        // One derivation over several partial answers.
        let partial: Vec<CarrierTracking> = parts.iter().cloned().map(ups).collect();
        let refs: Vec<&CarrierTracking> = partial.iter().collect();
        prop_assert_eq!(&derive(&history(), &refs, &settings, &now), &expected);

        // Each kind at most once, in order.
        let kinds: Vec<EventKind> = expected.iter().map(|e| e.kind).collect();
        let mut unique = kinds.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), kinds.len());
        prop_assert!(expected.windows(2).all(|w| (w[0].at, w[0].kind) < (w[1].at, w[1].kind)));

        // Answers applied one by one (the cache keeps what it has seen), emitting what is new.
        let mut seen: Vec<CarrierCheckpoint> = Vec::new();
        let mut emitted: Vec<EventKind> = Vec::new();
        for part in &parts {
            seen.extend(part.iter().cloned());
            let so_far = ups(seen.clone());
            let fresh = new_events(&emitted, derive(&history(), &[&so_far], &settings, &now));
            emitted.extend(fresh.iter().map(|e| e.kind));
        }
        // Everything derived at the end was emitted; only a stall seen on partial evidence can
        // have been emitted beyond it (an earlier scan arrived late and closed the gap).
        for kind in &kinds {
            prop_assert!(emitted.contains(kind), "{} not emitted", kind);
        }
        for kind in &emitted {
            prop_assert!(kinds.contains(kind) || *kind == Stalled, "{} emitted", kind);
        }
        // Replaying the whole history emits nothing new.
        prop_assert!(new_events(&emitted, expected).is_empty());
    }
}

#[test]
fn replaying_a_history_yields_nothing_new() {
    let settings = settings(NEW_YORK);
    let steps: Vec<(&str, Vec<CarrierCheckpoint>)> = vec![
        ("2026-11-16T12:00:00Z", vec![]),
        (
            "2026-11-16T22:00:00Z",
            vec![cp(
                "2026-11-16T20:00:00Z",
                Some(Tag::InTransit),
                Some("InTransit_002"),
            )],
        ),
        (
            "2026-11-17T20:00:00Z",
            vec![
                cp(
                    "2026-11-17T08:00:00Z",
                    Some(Tag::InTransit),
                    Some("InTransit_007"),
                ),
                cp("2026-11-17T18:00:00Z", Some(Tag::OutForDelivery), None),
            ],
        ),
        (
            "2026-11-18T20:00:00Z",
            vec![cp(
                "2026-11-18T17:00:00Z",
                Some(Tag::Delivered),
                Some("Delivered_004"),
            )],
        ),
    ];
    let mut seen = Vec::new();
    let mut emitted: Vec<MerchantEvent> = Vec::new();
    for (now, scans) in steps {
        seen.extend(scans);
        let t = ups(seen.clone());
        let kinds: Vec<EventKind> = emitted.iter().map(|e| e.kind).collect();
        emitted.extend(new_events(
            &kinds,
            derive(&history(), &[&t], &settings, now),
        ));
    }
    assert_eq!(
        summary(&emitted),
        expect(&[
            (TrackingAssigned, "2026-11-16T10:00:00Z"),
            (PickedUp, "2026-11-16T20:00:00Z"),
            (InTransit, "2026-11-17T08:00:00Z"),
            (OutForDelivery, "2026-11-17T18:00:00Z"),
            (Delivered, "2026-11-18T17:00:00Z"),
            (CodCollected, "2026-11-18T17:00:00Z"),
        ])
    );
    // Later, at any time, with the same history: nothing new.
    let kinds: Vec<EventKind> = emitted.iter().map(|e| e.kind).collect();
    for now in [
        "2026-11-18T20:00:00Z",
        "2026-12-31T00:00:00Z",
        "2030-01-01T00:00:00Z",
    ] {
        let all = derive(&history(), &[&ups(seen.clone())], &settings, now);
        assert_eq!(all, emitted, "{now}");
        assert!(new_events(&kinds, all).is_empty(), "{now}");
    }
}

// ----- stalled ---------------------------------------------------------------------------------

struct FirstScanCase {
    case: &'static str,
    settings: &'static str,
    label: &'static str,
    first_scan: Option<&'static str>,
    now: &'static str,
    stalled_at: Option<&'static str>,
}

#[test]
fn stalled_without_a_first_scan_across_weekends_holidays_and_dst() {
    let table = [
        FirstScanCase {
            case: "Friday after the window: Monday's pickup, plus one business day is Tuesday",
            settings: NEW_YORK,
            label: "2026-01-09T17:30:00-05:00",
            first_scan: None,
            now: "2026-01-13T17:00:00-05:00",
            stalled_at: Some("2026-01-13T17:00:00-05:00"),
        },
        FirstScanCase {
            case: "a minute before the deadline: not yet",
            settings: NEW_YORK,
            label: "2026-01-09T17:30:00-05:00",
            first_scan: None,
            now: "2026-01-13T16:59:00-05:00",
            stalled_at: None,
        },
        FirstScanCase {
            case: "a scan exactly at the deadline is in time",
            settings: NEW_YORK,
            label: "2026-01-09T17:30:00-05:00",
            first_scan: Some("2026-01-13T17:00:00-05:00"),
            now: "2026-01-14T12:00:00-05:00",
            stalled_at: None,
        },
        FirstScanCase {
            case: "a scan after the deadline: it was stalled (judged on the evidence)",
            settings: NEW_YORK,
            label: "2026-01-09T17:30:00-05:00",
            first_scan: Some("2026-01-14T09:00:00-05:00"),
            now: "2026-01-20T12:00:00-05:00",
            stalled_at: Some("2026-01-13T17:00:00-05:00"),
        },
        FirstScanCase {
            case: "Martin Luther King Jr. Day: Friday's label is picked up Tuesday, due Wednesday",
            settings: NEW_YORK_MLK,
            label: "2026-01-16T18:00:00-05:00",
            first_scan: None,
            now: "2026-01-26T12:00:00-05:00",
            stalled_at: Some("2026-01-21T17:00:00-05:00"),
        },
        FirstScanCase {
            case: "without the holiday: due Tuesday",
            settings: NEW_YORK,
            label: "2026-01-16T18:00:00-05:00",
            first_scan: None,
            now: "2026-01-26T12:00:00-05:00",
            stalled_at: Some("2026-01-20T17:00:00-05:00"),
        },
        FirstScanCase {
            case: "spring forward: Friday's window in EST, Monday's deadline in EDT",
            settings: NEW_YORK,
            label: "2026-03-06T16:00:00-05:00",
            first_scan: None,
            now: "2026-03-10T12:00:00-04:00",
            stalled_at: Some("2026-03-09T17:00:00-04:00"),
        },
        FirstScanCase {
            case: "spring forward: 72 hours after Friday's window is an hour too late",
            settings: NEW_YORK,
            label: "2026-03-06T16:00:00-05:00",
            first_scan: None,
            now: "2026-03-09T17:00:00-04:00",
            stalled_at: Some("2026-03-09T21:00:00Z"),
        },
        FirstScanCase {
            case: "fall back: Friday's window in EDT, Monday's deadline in EST",
            settings: NEW_YORK,
            label: "2026-10-30T16:00:00-04:00",
            first_scan: None,
            now: "2026-11-02T17:00:00-05:00",
            stalled_at: Some("2026-11-02T22:00:00Z"),
        },
        FirstScanCase {
            case: "fall back: an hour earlier is not yet",
            settings: NEW_YORK,
            label: "2026-10-30T16:00:00-04:00",
            first_scan: None,
            now: "2026-11-02T21:00:00Z",
            stalled_at: None,
        },
        FirstScanCase {
            case: "no pickup windows: the business close (UTC, 17:30), plus one business day",
            settings: UTC,
            label: "2026-11-20T18:00:00Z",
            first_scan: None,
            now: "2026-11-30T00:00:00Z",
            stalled_at: Some("2026-11-24T17:30:00Z"),
        },
    ];
    for row in &table {
        let settings = settings(row.settings);
        let history = vec![
            created(row.label),
            attached(row.label, "1Z999AA10123456784"),
        ];
        let t = ups(row
            .first_scan
            .map(|at| cp(at, Some(Tag::InTransit), Some("InTransit_002")))
            .into_iter()
            .collect());
        let events = derive(&history, &[&t], &settings, row.now);
        let stalled = events.iter().find(|e| e.kind == Stalled);
        assert_eq!(
            stalled.map(|e| e.at),
            row.stalled_at.map(ts),
            "{}",
            row.case
        );
        if let Some(e) = stalled {
            assert_eq!(
                e.evidence,
                Evidence::NoFirstScan {
                    label_at: ts(row.label),
                    deadline: e.at
                },
                "{}",
                row.case
            );
        }
    }
}

#[test]
fn the_label_is_the_earliest_label_evidence_and_nothing_stalls_without_one() {
    let settings = settings(NEW_YORK);
    // The merchant marked "Shipping label created" (a label checkpoint) on Monday before the
    // window; the TN came on Wednesday. Monday's pickup plus one business day: Tuesday.
    let history = vec![
        created("2026-11-16T09:00:00-05:00"),
        ShipmentEvent::CheckpointReached {
            index: 1,
            at: ts("2026-11-16T10:00:00-05:00"),
            recorded_at: ts("2026-11-16T10:05:00-05:00"),
        },
        attached("2026-11-18T10:00:00-05:00", "1Z999AA10123456784"),
    ];
    let events = derive(&history, &[], &settings, "2026-11-20T12:00:00-05:00");
    assert_eq!(
        events
            .iter()
            .find(|e| e.kind == Stalled)
            .map(|e| &e.evidence),
        Some(&Evidence::NoFirstScan {
            label_at: ts("2026-11-16T10:00:00-05:00"),
            deadline: ts("2026-11-17T17:00:00-05:00"),
        })
    );
    // A checkpoint that is not about the label ("prepped and packed") is no label.
    let packed = vec![
        created("2026-11-16T09:00:00-05:00"),
        ShipmentEvent::CheckpointReached {
            index: 0,
            at: ts("2026-11-16T10:00:00-05:00"),
            recorded_at: ts("2026-11-16T10:05:00-05:00"),
        },
    ];
    assert!(derive(&packed, &[], &settings, "2027-01-01T00:00:00Z").is_empty());
}

struct TransitCase {
    case: &'static str,
    settings: &'static str,
    scans: &'static [Scan],
    now: &'static str,
    stalled: Option<(&'static str, &'static str)>,
}

#[test]
fn stalled_in_transit_after_business_days_without_a_scan() {
    use Tag as T;
    const MOVING: Option<Tag> = Some(T::InTransit);
    let table = [
        TransitCase {
            case: "Friday's scan, three business days: Wednesday's close",
            settings: NEW_YORK,
            scans: &[("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002"))],
            now: "2026-01-14T17:30:00-05:00",
            stalled: Some(("2026-01-09T10:00:00-05:00", "2026-01-14T17:30:00-05:00")),
        },
        TransitCase {
            case: "a minute before: not yet",
            settings: NEW_YORK,
            scans: &[("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002"))],
            now: "2026-01-14T17:29:00-05:00",
            stalled: None,
        },
        TransitCase {
            case: "a Saturday scan counts from Monday too",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002")),
                ("2026-01-10T10:00:00-05:00", MOVING, Some("InTransit_003")),
            ],
            now: "2026-01-20T00:00:00-05:00",
            stalled: Some(("2026-01-10T10:00:00-05:00", "2026-01-14T17:30:00-05:00")),
        },
        TransitCase {
            case: "the holiday adds a day",
            settings: NEW_YORK_MLK,
            scans: &[("2026-01-16T10:00:00-05:00", MOVING, Some("InTransit_002"))],
            now: "2026-01-30T00:00:00-05:00",
            stalled: Some(("2026-01-16T10:00:00-05:00", "2026-01-22T17:30:00-05:00")),
        },
        TransitCase {
            case: "spring forward: the close is in EDT",
            settings: NEW_YORK,
            scans: &[("2026-03-06T10:00:00-05:00", MOVING, Some("InTransit_002"))],
            now: "2026-03-20T00:00:00-04:00",
            stalled: Some(("2026-03-06T10:00:00-05:00", "2026-03-11T21:30:00Z")),
        },
        TransitCase {
            case: "fall back: the close is in EST",
            settings: NEW_YORK,
            scans: &[("2026-10-30T10:00:00-04:00", MOVING, Some("InTransit_002"))],
            now: "2026-11-20T00:00:00-05:00",
            stalled: Some(("2026-10-30T10:00:00-04:00", "2026-11-04T22:30:00Z")),
        },
        TransitCase {
            case: "a gap closed by a later scan still stalled, once, at the first gap",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-05T10:00:00-05:00", MOVING, Some("InTransit_002")),
                ("2026-01-06T10:00:00-05:00", MOVING, Some("InTransit_007")),
                ("2026-01-13T10:00:00-05:00", MOVING, Some("InTransit_003")),
            ],
            now: "2026-02-27T00:00:00-05:00",
            stalled: Some(("2026-01-06T10:00:00-05:00", "2026-01-09T17:30:00-05:00")),
        },
        TransitCase {
            case: "scans every business day: never stalled",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002")),
                ("2026-01-13T10:00:00-05:00", MOVING, Some("InTransit_003")),
                (
                    "2026-01-16T10:00:00-05:00",
                    Some(T::Delivered),
                    Some("Delivered_001"),
                ),
            ],
            now: "2026-02-27T00:00:00-05:00",
            stalled: None,
        },
        TransitCase {
            case: "delivered ends the watch",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002")),
                (
                    "2026-01-12T10:00:00-05:00",
                    Some(T::Delivered),
                    Some("Delivered_001"),
                ),
            ],
            now: "2026-02-27T00:00:00-05:00",
            stalled: None,
        },
        TransitCase {
            case: "waiting at a pickup point is not stalled",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002")),
                (
                    "2026-01-12T10:00:00-05:00",
                    Some(T::AvailableForPickup),
                    Some("AvailableForPickup_001"),
                ),
            ],
            now: "2026-02-27T00:00:00-05:00",
            stalled: None,
        },
        TransitCase {
            case: "an exception is reported as such, not as a stall",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002")),
                (
                    "2026-01-12T10:00:00-05:00",
                    Some(T::Exception),
                    Some("Exception_004"),
                ),
            ],
            now: "2026-02-27T00:00:00-05:00",
            stalled: None,
        },
        TransitCase {
            case: "after a failed attempt, no new attempt for three business days",
            settings: NEW_YORK,
            scans: &[
                ("2026-01-09T10:00:00-05:00", MOVING, Some("InTransit_002")),
                (
                    "2026-01-12T10:00:00-05:00",
                    Some(T::AttemptFail),
                    Some("AttemptFail_002"),
                ),
                ("2026-01-12T10:05:00-05:00", None, None),
            ],
            now: "2026-02-27T00:00:00-05:00",
            stalled: Some(("2026-01-12T10:05:00-05:00", "2026-01-15T17:30:00-05:00")),
        },
    ];
    for row in &table {
        let settings = settings(row.settings);
        let first = row.scans[0].0;
        // The TN was attached just before the first scan: no first-scan stall.
        let history = vec![created(first), attached(first, "1Z999AA10123456784")];
        let t = ups(row
            .scans
            .iter()
            .map(|(at, tag, sub)| cp(at, *tag, *sub))
            .collect());
        let events = derive(&history, &[&t], &settings, row.now);
        let stalled: Vec<&MerchantEvent> = events.iter().filter(|e| e.kind == Stalled).collect();
        assert!(stalled.len() <= 1, "{}", row.case);
        assert_eq!(
            stalled.first().map(|e| (e.at, e.evidence.clone())),
            row.stalled.map(|(last, deadline)| (
                ts(deadline),
                Evidence::NoScanInTransit {
                    last_scan_at: ts(last),
                    deadline: ts(deadline)
                }
            )),
            "{}",
            row.case
        );
    }
}

#[test]
fn stalled_fires_once_even_when_the_shipment_stalls_again_after_recovering() {
    let settings = settings(NEW_YORK);
    let history = vec![
        created("2026-01-05T09:00:00-05:00"),
        attached("2026-01-05T09:00:00-05:00", "1Z999AA10123456784"),
    ];
    let mut scans = vec![cp(
        "2026-01-05T10:00:00-05:00",
        Some(Tag::InTransit),
        Some("InTransit_002"),
    )];
    let mut emitted: Vec<EventKind> = Vec::new();
    let mut stalls = Vec::new();
    for (now, next_scan) in [
        (
            "2026-01-08T17:30:00-05:00",
            Some("2026-01-09T09:00:00-05:00"),
        ),
        ("2026-01-09T12:00:00-05:00", None),
        ("2026-01-14T17:30:00-05:00", None),
        ("2026-01-30T00:00:00-05:00", None),
    ] {
        let t = ups(scans.clone());
        for event in new_events(&emitted, derive(&history, &[&t], &settings, now)) {
            emitted.push(event.kind);
            if event.kind == Stalled {
                stalls.push(event.at);
            }
        }
        if let Some(at) = next_scan {
            scans.push(cp(at, Some(Tag::InTransit), Some("InTransit_007")));
        }
    }
    // Stalled on Thursday (Monday's scan + 3 business days); the Friday scan recovers it; the
    // next gap (to Wednesday the 14th) would stall again, but stalled fires once per shipment.
    assert_eq!(stalls, vec![ts("2026-01-08T17:30:00-05:00")]);
}

#[test]
fn in_transit_deadlines_on_the_calendar() {
    let table: &[(&str, &str, u32, &str)] = &[
        (
            NEW_YORK,
            "2026-01-09T10:00:00-05:00",
            0,
            "2026-01-09T17:30:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-01-09T18:00:00-05:00",
            0,
            "2026-01-12T17:30:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-01-10T10:00:00-05:00",
            0,
            "2026-01-12T17:30:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-01-09T10:00:00-05:00",
            1,
            "2026-01-12T17:30:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-01-09T23:59:00-05:00",
            1,
            "2026-01-12T17:30:00-05:00",
        ),
        (
            NEW_YORK_MLK,
            "2026-01-16T10:00:00-05:00",
            1,
            "2026-01-20T17:30:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-03-06T10:00:00-05:00",
            1,
            "2026-03-09T17:30:00-04:00",
        ),
        (
            NEW_YORK,
            "2026-10-30T10:00:00-04:00",
            1,
            "2026-11-02T17:30:00-05:00",
        ),
        // 04:00 UTC on Saturday is still Friday evening in New York.
        (
            NEW_YORK,
            "2026-01-10T04:00:00Z",
            1,
            "2026-01-12T17:30:00-05:00",
        ),
    ];
    for (patch, from, n, expected) in table {
        assert_eq!(
            in_transit_deadline(&settings(patch), ts(from), *n),
            ts(expected),
            "{from} + {n}"
        );
    }
}
