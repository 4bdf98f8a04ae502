//! Channel rules, policies and the confirmation decision as tables.
//!
//! Instants are written in New York local time with the offset in force
//! (`2026-11-20T22:00:00-05:00` is 22:00 EST on a Friday) and compared as UTC.

use super::*;
use crate::aftership::{CarrierCheckpoint, CarrierTracking, Tag};
use crate::events::{derive_events, EventInput, EventKey, EventKind, Evidence, MerchantEvent};
use crate::ids::{Itn, TrackingNumber};
use crate::order::Channel;
use crate::settings::{MerchantSettings, SettingsPatch};
use crate::shipment::{CheckpointDef, ReachedBy, ShipmentEvent};
use crate::time::{CarrierTime, Timestamp};

use EventKind::{InTransit, PickedUp, TrackingAssigned};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn tn(text: &str) -> TrackingNumber {
    text.parse().unwrap()
}

fn itn() -> Itn {
    Itn::from_random([4; 9])
}

fn settings(patch: &str) -> MerchantSettings {
    let patch = SettingsPatch::from_json(patch.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    MerchantSettings::default()
        .apply(&patch)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

/// New York, open 09:00–17:30 Monday to Friday (the defaults).
const NEW_YORK: &str = r#"{"time_zone": "America/New_York"}"#;
/// The same, with carriers collecting 14:30–17:00 on business days.
const NEW_YORK_PICKUPS: &str = r#"{"time_zone": "America/New_York",
    "pickup_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "14:30", "to": "17:00"}]}"#;
/// The same, with Monday 2026-11-23 a holiday.
const NEW_YORK_HOLIDAY: &str = r#"{"time_zone": "America/New_York", "holidays": ["2026-11-23"]}"#;

fn policy(json: &str) -> ChannelPolicy {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn event(kind: EventKind, at: &str) -> MerchantEvent {
    MerchantEvent {
        kind,
        at: ts(at),
        key: EventKey { itn: itn(), kind },
        evidence: Evidence::TrackingAttached {
            tracking_number: tn("1Z999AA10123456784"),
            slug: None,
        },
    }
}

fn imei() -> Imei {
    "490154203237518".parse().unwrap()
}

fn supplied(at: &str) -> HeldFields {
    HeldFields {
        imei: Some(Supplied {
            value: imei(),
            at: ts(at),
        }),
    }
}

fn confirm(number: &str) -> ConfirmationAction {
    ConfirmationAction::Confirm {
        tracking_number: tn(number),
        replaces: None,
        imei: None,
        missed_deadline: None,
    }
}

fn confirm_imei(number: &str, missed: Option<&str>) -> ConfirmationAction {
    ConfirmationAction::Confirm {
        tracking_number: tn(number),
        replaces: None,
        imei: Some(imei()),
        missed_deadline: missed.map(ts),
    }
}

fn hold_until(at: &str) -> ConfirmationAction {
    ConfirmationAction::HoldForField {
        field: RequiredField::Imei,
        deadline: Deadline::At { at: ts(at) },
    }
}

fn missed(at: &str) -> ConfirmationAction {
    ConfirmationAction::DeadlineMissed {
        field: RequiredField::Imei,
        deadline: ts(at),
    }
}

fn wait(reason: WaitReason) -> ConfirmationAction {
    ConfirmationAction::Wait {
        until: None,
        reason,
    }
}

const TN: &str = "1Z999AA10123456784";
const CORRECTED: &str = "1Z999AA10123456795";
/// Tuesday 2026-11-17, 10:00 EST: a label in business hours.
const TUE_10: &str = "2026-11-17T10:00:00-05:00";
/// Friday 2026-11-20, 22:00 EST: a label after closing before a weekend.
const FRI_22: &str = "2026-11-20T22:00:00-05:00";
const AMAZON: &str = r#"{"channel": "amazon"}"#;
const AMAZON_NEVER: &str = r#"{"channel": "amazon", "confirm": "never"}"#;
const BACKMARKET: &str = r#"{"channel": "backmarket"}"#;
const BACKMARKET_WALL_CLOCK: &str =
    r#"{"channel": "backmarket", "deadlines_follow_business_hours": false}"#;
const BACKMARKET_MOVEMENT: &str = r#"{"channel": "backmarket", "confirm": "on_movement"}"#;
const SHOPIFY: &str = r#"{"channel": "shopify:acme.myshopify.com"}"#;
const SHOPIFY_AFTER_DISPATCH: &str =
    r#"{"channel": "shopify:acme.myshopify.com", "confirm": "on_movement"}"#;
const SHOPIFY_LOCKED: &str =
    r#"{"channel": "shopify:acme.myshopify.com", "lock_after_confirmation": true}"#;

/// One row of the decision table.
struct Row {
    name: &'static str,
    policy: &'static str,
    calendar: &'static str,
    events: Vec<(EventKind, &'static str)>,
    tracking_number: Option<&'static str>,
    confirmed: Option<(&'static str, &'static str)>,
    fields: HeldFields,
    smartphone: bool,
    now: &'static str,
    expected: ConfirmationAction,
}

impl Default for Row {
    fn default() -> Row {
        Row {
            name: "",
            policy: AMAZON,
            calendar: NEW_YORK,
            events: vec![(TrackingAssigned, TUE_10)],
            tracking_number: Some(TN),
            confirmed: None,
            fields: HeldFields::default(),
            smartphone: false,
            now: "2026-11-17T10:05:00-05:00",
            expected: ConfirmationAction::Nothing,
        }
    }
}

fn run(row: &Row) -> ConfirmationAction {
    let policy = policy(row.policy);
    let events: Vec<MerchantEvent> = row.events.iter().map(|(k, at)| event(*k, at)).collect();
    let number = row.tracking_number.map(tn);
    let confirmed = row.confirmed.map(|(number, at)| Confirmed {
        tracking_number: tn(number),
        at: ts(at),
    });
    decide(&ConfirmationInput {
        policy: &policy,
        events: &events,
        tracking_number: number.as_ref(),
        confirmed: confirmed.as_ref(),
        fields: &row.fields,
        smartphone: row.smartphone,
        settings: &settings(row.calendar),
        now: ts(row.now),
    })
}

#[test]
fn the_decision_table() {
    let rows = vec![
        Row {
            name: "Amazon never: nothing, whatever happened",
            policy: AMAZON_NEVER,
            events: vec![(TrackingAssigned, TUE_10), (InTransit, "2026-11-17T15:00:00-05:00")],
            expected: ConfirmationAction::Nothing,
            ..Row::default()
        },
        Row {
            name: "Amazon on assignment: confirmed once the TN exists",
            expected: confirm(TN),
            ..Row::default()
        },
        Row {
            name: "no TN yet: wait for one",
            events: vec![],
            tracking_number: None,
            expected: wait(WaitReason::NoTrackingNumber),
            ..Row::default()
        },
        Row {
            name: "a TN whose tracking.assigned is not derived yet: wait for the event",
            events: vec![],
            expected: wait(WaitReason::NoTrackingNumber),
            ..Row::default()
        },
        Row {
            name: "BackMarket smartphone, IMEI supplied 30 minutes after the label: confirmed with it",
            policy: BACKMARKET,
            smartphone: true,
            fields: supplied("2026-11-17T10:30:00-05:00"),
            now: "2026-11-17T10:30:00-05:00",
            expected: confirm_imei(TN, None),
            ..Row::default()
        },
        Row {
            name: "BackMarket smartphone, IMEI supplied at the deadline itself: in time",
            policy: BACKMARKET,
            smartphone: true,
            fields: supplied("2026-11-17T11:00:00-05:00"),
            now: "2026-11-17T11:00:00-05:00",
            expected: confirm_imei(TN, None),
            ..Row::default()
        },
        Row {
            name: "BackMarket smartphone, no IMEI 30 minutes in: held until 60 minutes after the label",
            policy: BACKMARKET,
            smartphone: true,
            now: "2026-11-17T10:30:00-05:00",
            expected: hold_until("2026-11-17T11:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "BackMarket smartphone, no IMEI at the deadline: missed, not skipped",
            policy: BACKMARKET,
            smartphone: true,
            now: "2026-11-17T11:00:00-05:00",
            expected: missed("2026-11-17T11:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "BackMarket smartphone, IMEI supplied after the deadline: confirmed, the miss reported",
            policy: BACKMARKET,
            smartphone: true,
            fields: supplied("2026-11-17T11:20:00-05:00"),
            now: "2026-11-17T11:25:00-05:00",
            expected: confirm_imei(TN, Some("2026-11-17T11:00:00-05:00")),
            ..Row::default()
        },
        Row {
            name: "BackMarket, not a smartphone: no IMEI needed",
            policy: BACKMARKET,
            expected: confirm(TN),
            ..Row::default()
        },
        Row {
            name: "label Friday 22:00, open 09:00-17:30 Mon-Fri in New York: due Monday 10:00",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, FRI_22)],
            now: "2026-11-21T12:00:00-05:00",
            expected: hold_until("2026-11-23T10:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "label Friday 22:00: still in time Monday 09:59",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, FRI_22)],
            now: "2026-11-23T09:59:00-05:00",
            expected: hold_until("2026-11-23T10:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "label Friday 22:00: missed Monday 10:00",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, FRI_22)],
            now: "2026-11-23T10:00:00-05:00",
            expected: missed("2026-11-23T10:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "label Friday 22:00, IMEI Monday 09:45: confirmed",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, FRI_22)],
            fields: supplied("2026-11-23T09:45:00-05:00"),
            now: "2026-11-23T09:45:00-05:00",
            expected: confirm_imei(TN, None),
            ..Row::default()
        },
        Row {
            name: "label Friday 22:00 before a Monday holiday: due Tuesday 10:00",
            policy: BACKMARKET,
            calendar: NEW_YORK_HOLIDAY,
            smartphone: true,
            events: vec![(TrackingAssigned, FRI_22)],
            now: "2026-11-23T12:00:00-05:00",
            expected: hold_until("2026-11-24T10:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "deadlines on the wall clock when the merchant turns business hours off",
            policy: BACKMARKET_WALL_CLOCK,
            smartphone: true,
            events: vec![(TrackingAssigned, FRI_22)],
            now: "2026-11-20T22:30:00-05:00",
            expected: hold_until("2026-11-20T23:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "label before opening on a business day: due an hour after opening",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, "2026-11-17T07:00:00-05:00")],
            now: "2026-11-17T07:00:00-05:00",
            expected: hold_until("2026-11-17T10:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "label 30 minutes before closing: the hour runs past the close",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, "2026-11-17T17:00:00-05:00")],
            now: "2026-11-17T17:00:00-05:00",
            expected: hold_until("2026-11-17T18:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "label Saturday before the spring-forward Sunday: due Monday 10:00 EDT",
            policy: BACKMARKET,
            smartphone: true,
            events: vec![(TrackingAssigned, "2026-03-07T22:00:00-05:00")],
            now: "2026-03-08T12:00:00-04:00",
            expected: hold_until("2026-03-09T10:00:00-04:00"),
            ..Row::default()
        },
        Row {
            name: "BackMarket on movement, no IMEI before pickup: held until the pickup",
            policy: BACKMARKET_MOVEMENT,
            smartphone: true,
            now: "2026-11-17T12:00:00-05:00",
            expected: ConfirmationAction::HoldForField {
                field: RequiredField::Imei,
                deadline: Deadline::Pickup { expected: None },
            },
            ..Row::default()
        },
        Row {
            name: "on movement with pickup windows: the pickup expected at the next window",
            policy: BACKMARKET_MOVEMENT,
            calendar: NEW_YORK_PICKUPS,
            smartphone: true,
            now: "2026-11-17T12:00:00-05:00",
            expected: ConfirmationAction::HoldForField {
                field: RequiredField::Imei,
                deadline: Deadline::Pickup {
                    expected: Some(ts("2026-11-17T14:30:00-05:00")),
                },
            },
            ..Row::default()
        },
        Row {
            name: "on movement, the 60 minutes do not apply: hours later, still held",
            policy: BACKMARKET_MOVEMENT,
            smartphone: true,
            now: "2026-11-18T12:00:00-05:00",
            expected: ConfirmationAction::HoldForField {
                field: RequiredField::Imei,
                deadline: Deadline::Pickup { expected: None },
            },
            ..Row::default()
        },
        Row {
            name: "on movement, IMEI supplied, no movement yet: wait for the carrier",
            policy: BACKMARKET_MOVEMENT,
            smartphone: true,
            fields: supplied("2026-11-17T12:00:00-05:00"),
            now: "2026-11-17T12:00:00-05:00",
            expected: wait(WaitReason::NoMovement),
            ..Row::default()
        },
        Row {
            name: "on movement, IMEI before pickup, then moving: confirmed with it",
            policy: BACKMARKET_MOVEMENT,
            smartphone: true,
            events: vec![
                (TrackingAssigned, TUE_10),
                (PickedUp, "2026-11-17T15:00:00-05:00"),
                (InTransit, "2026-11-17T21:00:00-05:00"),
            ],
            fields: supplied("2026-11-17T12:00:00-05:00"),
            now: "2026-11-17T21:05:00-05:00",
            expected: confirm_imei(TN, None),
            ..Row::default()
        },
        Row {
            name: "on movement, picked up without an IMEI: missed at the pickup",
            policy: BACKMARKET_MOVEMENT,
            smartphone: true,
            events: vec![(TrackingAssigned, TUE_10), (PickedUp, "2026-11-17T15:00:00-05:00")],
            now: "2026-11-17T15:10:00-05:00",
            expected: missed("2026-11-17T15:00:00-05:00"),
            ..Row::default()
        },
        Row {
            name: "on movement, IMEI after the pickup: confirmed on movement, the miss reported",
            policy: BACKMARKET_MOVEMENT,
            smartphone: true,
            events: vec![
                (TrackingAssigned, TUE_10),
                (PickedUp, "2026-11-17T15:00:00-05:00"),
                (InTransit, "2026-11-17T21:00:00-05:00"),
            ],
            fields: supplied("2026-11-17T16:00:00-05:00"),
            now: "2026-11-17T21:05:00-05:00",
            expected: confirm_imei(TN, Some("2026-11-17T15:00:00-05:00")),
            ..Row::default()
        },
        Row {
            name: "a store synced after dispatch: nothing while the label waits for the carrier",
            policy: SHOPIFY_AFTER_DISPATCH,
            expected: wait(WaitReason::NoMovement),
            ..Row::default()
        },
        Row {
            name: "an acceptance scan is a pickup but not movement: still waiting",
            policy: SHOPIFY_AFTER_DISPATCH,
            events: vec![(TrackingAssigned, TUE_10), (PickedUp, "2026-11-17T15:00:00-05:00")],
            now: "2026-11-17T15:05:00-05:00",
            expected: wait(WaitReason::NoMovement),
            ..Row::default()
        },
        Row {
            name: "a store synced after dispatch: the first movement syncs it",
            policy: SHOPIFY_AFTER_DISPATCH,
            events: vec![
                (TrackingAssigned, TUE_10),
                (PickedUp, "2026-11-17T15:00:00-05:00"),
                (InTransit, "2026-11-17T21:00:00-05:00"),
            ],
            now: "2026-11-17T21:05:00-05:00",
            expected: confirm(TN),
            ..Row::default()
        },
        Row {
            name: "a store synced before dispatch: at once",
            policy: SHOPIFY,
            expected: confirm(TN),
            ..Row::default()
        },
        Row {
            name: "replaying the same history: the same TN is never confirmed twice",
            confirmed: Some((TN, "2026-11-17T10:05:00-05:00")),
            now: "2026-11-18T10:00:00-05:00",
            expected: ConfirmationAction::Nothing,
            ..Row::default()
        },
        Row {
            name: "the same TN in other letter case is the same TN",
            tracking_number: Some("1z999aa10123456784"),
            confirmed: Some((TN, "2026-11-17T10:05:00-05:00")),
            expected: ConfirmationAction::Nothing,
            ..Row::default()
        },
        Row {
            name: "Shopify re-syncs a corrected TN as an update",
            policy: SHOPIFY,
            tracking_number: Some(CORRECTED),
            confirmed: Some((TN, "2026-11-17T10:05:00-05:00")),
            expected: ConfirmationAction::Confirm {
                tracking_number: tn(CORRECTED),
                replaces: Some(tn(TN)),
                imei: None,
                missed_deadline: None,
            },
            ..Row::default()
        },
        Row {
            name: "a corrected TN after Amazon's confirmation is a conflict, never re-sent",
            tracking_number: Some(CORRECTED),
            confirmed: Some((TN, "2026-11-17T10:05:00-05:00")),
            expected: ConfirmationAction::Conflict {
                confirmed: Confirmed {
                    tracking_number: tn(TN),
                    at: ts("2026-11-17T10:05:00-05:00"),
                },
                attempted: tn(CORRECTED),
            },
            ..Row::default()
        },
        Row {
            name: "a store the merchant locked: a conflict too",
            policy: SHOPIFY_LOCKED,
            tracking_number: Some(CORRECTED),
            confirmed: Some((TN, "2026-11-17T10:05:00-05:00")),
            expected: ConfirmationAction::Conflict {
                confirmed: Confirmed {
                    tracking_number: tn(TN),
                    at: ts("2026-11-17T10:05:00-05:00"),
                },
                attempted: tn(CORRECTED),
            },
            ..Row::default()
        },
        Row {
            name: "manual: nothing to confirm",
            policy: r#"{"channel": "manual"}"#,
            expected: ConfirmationAction::Nothing,
            ..Row::default()
        },
    ];
    for row in &rows {
        assert_eq!(run(row), row.expected, "{}", row.name);
    }
}

/// The edge's loop: decide, carry out a `Confirm` (record it), decide again. However often the
/// same history is replayed, in whatever order its events come, one confirmation is sent.
#[test]
fn replaying_the_same_history_confirms_once() {
    let history = vec![
        ShipmentEvent::Created {
            at: ts("2026-11-17T09:00:00-05:00"),
            order_ref: "#1001".into(),
            fulfillment_ref: None,
            checkpoints: vec![CheckpointDef {
                label: "Shipping label created".into(),
                reached_by: ReachedBy::Label,
            }],
            channel: Some("backmarket".parse().unwrap()),
        },
        ShipmentEvent::TrackingAttached {
            tracking_number: tn(TN),
            slug: None,
            at: ts(TUE_10),
            role: Default::default(),
        },
    ];
    let scan = |time: &str, tag, subtag: &str| CarrierCheckpoint {
        time: CarrierTime::parse(time),
        message: "scan".into(),
        location: None,
        tag: Some(tag),
        subtag: Some(subtag.into()),
    };
    let tracking = CarrierTracking {
        tracking_number: Some(TN.into()),
        slug: Some("ups".into()),
        checkpoints: vec![
            scan("2026-11-17T15:00:00-05:00", Tag::InTransit, "InTransit_002"),
            scan("2026-11-17T21:00:00-05:00", Tag::InTransit, "InTransit_001"),
        ],
        ..CarrierTracking::default()
    };
    let calendar = settings(NEW_YORK);
    let policy = policy(BACKMARKET_MOVEMENT);
    let fields = supplied("2026-11-17T12:00:00-05:00");
    let mut confirmed: Option<Confirmed> = None;
    let mut sent = 0;
    for (round, now) in [
        "2026-11-17T21:05:00-05:00",
        "2026-11-17T21:05:00-05:00",
        "2026-11-18T09:00:00-05:00",
        "2026-11-20T09:00:00-05:00",
    ]
    .into_iter()
    .enumerate()
    {
        let mut ordered = history.clone();
        if round % 2 == 1 {
            ordered.reverse();
        }
        let events = derive_events(&EventInput {
            itn: itn(),
            history: &ordered,
            trackings: &[&tracking],
            settings: &calendar,
            stall: Default::default(),
            now: ts(now),
        });
        let number = tn(TN);
        let action = decide(&ConfirmationInput {
            policy: &policy,
            events: &events,
            tracking_number: Some(&number),
            confirmed: confirmed.as_ref(),
            fields: &fields,
            smartphone: true,
            settings: &calendar,
            now: ts(now),
        });
        if let ConfirmationAction::Confirm {
            tracking_number, ..
        } = action
        {
            sent += 1;
            confirmed = Some(Confirmed {
                tracking_number,
                at: ts(now),
            });
        } else {
            assert_eq!(action, ConfirmationAction::Nothing, "round {round}");
        }
    }
    assert_eq!(sent, 1);
}

#[test]
fn a_locked_channel_refuses_a_corrected_tn_and_says_why() {
    let at = ts("2026-11-17T10:05:00-05:00");
    let confirmed = Confirmed {
        tracking_number: tn(TN),
        at,
    };
    let table = [
        (AMAZON, Some(&confirmed), Some(CORRECTED), false),
        (AMAZON, Some(&confirmed), Some(TN), true),
        (AMAZON, Some(&confirmed), Some("1z999aa10123456784"), true),
        (AMAZON, Some(&confirmed), None, true),
        (AMAZON, None, Some(CORRECTED), true),
        (BACKMARKET, Some(&confirmed), Some(CORRECTED), false),
        (
            r#"{"channel": "ebay"}"#,
            Some(&confirmed),
            Some(CORRECTED),
            false,
        ),
        (SHOPIFY, Some(&confirmed), Some(CORRECTED), true),
        (SHOPIFY_LOCKED, Some(&confirmed), Some(CORRECTED), false),
        (
            r#"{"channel": "etsy"}"#,
            Some(&confirmed),
            Some(CORRECTED),
            true,
        ),
    ];
    for (json, confirmed, next, allowed) in table {
        let next = next.map(tn);
        let result = check_attach(&policy(json), confirmed, next.as_ref());
        assert_eq!(result.is_ok(), allowed, "{json} {next:?}");
    }
    let refused =
        check_attach(&policy(AMAZON), Some(&confirmed), Some(&tn(CORRECTED))).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "tracking number 1Z999AA10123456784 was confirmed to amazon at 2026-11-17T15:05:00Z, \
         and amazon keeps the tracking number it was sent: 1Z999AA10123456795 cannot replace it. \
         Correct the tracking in amazon itself, or keep shipping under 1Z999AA10123456784"
    );
}

#[test]
fn business_openings_skip_nights_weekends_and_holidays() {
    let table = [
        (
            NEW_YORK,
            "2026-11-17T10:00:00-05:00",
            "2026-11-17T10:00:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-11-17T08:59:00-05:00",
            "2026-11-17T09:00:00-05:00",
        ),
        (
            NEW_YORK,
            "2026-11-17T17:30:00-05:00",
            "2026-11-18T09:00:00-05:00",
        ),
        (NEW_YORK, FRI_22, "2026-11-23T09:00:00-05:00"),
        (
            NEW_YORK,
            "2026-11-22T23:59:00-05:00",
            "2026-11-23T09:00:00-05:00",
        ),
        (NEW_YORK_HOLIDAY, FRI_22, "2026-11-24T09:00:00-05:00"),
        // Friday 22:00 New York is already Saturday in UTC: the local date decides.
        (NEW_YORK, "2026-11-21T03:00:00Z", "2026-11-23T14:00:00Z"),
        ("{}", "2026-11-21T03:00:00Z", "2026-11-23T09:00:00Z"),
    ];
    for (calendar, at, expected) in table {
        assert_eq!(
            business_opening(&settings(calendar), ts(at)),
            ts(expected),
            "{calendar} {at}"
        );
    }
}

// ----- policies ----------------------------------------------------------------------------

#[test]
fn each_kind_has_its_rules() {
    use ConfirmationPolicy::{Never, OnAssigned, OnMovement};
    let table = [
        (
            "shopify:acme.myshopify.com",
            ChannelKind::Shopify,
            false,
            OnAssigned,
            false,
            true,
        ),
        ("amazon", ChannelKind::Amazon, true, OnAssigned, true, false),
        ("ebay", ChannelKind::Ebay, false, OnAssigned, true, false),
        (
            "backmarket",
            ChannelKind::BackMarket,
            false,
            OnAssigned,
            true,
            false,
        ),
        ("manual", ChannelKind::Manual, true, Never, false, false),
        ("etsy", ChannelKind::Other, true, Never, false, false),
        ("shopify", ChannelKind::Other, true, Never, false, false),
        (
            "woo:shop.example.com",
            ChannelKind::Other,
            true,
            Never,
            false,
            false,
        ),
    ];
    for (channel, kind, never_ok, default, locks, notifies) in table {
        let channel: Channel = channel.parse().unwrap();
        assert_eq!(ChannelKind::of(&channel), kind, "{channel}");
        assert_eq!(
            kind.rules().permitted.contains(&Never),
            never_ok,
            "{channel}"
        );
        let policy = ChannelPolicy::default_for(channel.clone());
        assert_eq!(policy.confirm(), default, "{channel}");
        assert_eq!(policy.locks(), locks, "{channel}");
        assert_eq!(policy.notify_customer(), notifies, "{channel}");
        assert!(policy.deadlines_follow_business_hours());
        assert!(kind.rules().permitted.contains(&default));
    }
    assert!(ChannelKind::Manual.rules().permitted == [Never]);
    for kind in ChannelKind::ALL {
        let confirming = kind.rules().permitted.contains(&OnMovement);
        assert_eq!(confirming, kind != ChannelKind::Manual, "{kind}");
        let fields = kind.required_fields(true);
        assert_eq!(
            fields == [RequiredField::Imei],
            kind == ChannelKind::BackMarket,
            "{kind}"
        );
        assert!(kind.required_fields(false).is_empty());
    }
    assert_eq!(
        policy(SHOPIFY).shop(),
        Some("acme.myshopify.com"),
        "the store's domain"
    );
    assert_eq!(policy(AMAZON).shop(), None);
}

#[test]
fn policies_are_validated_with_clear_messages() {
    let table: &[(&str, Result<&str, &str>)] = &[
        (
            r#"{"channel": "amazon", "confirm": "never"}"#,
            Ok(r#"{"channel":"amazon","confirm":"never","lock_after_confirmation":true,"deadlines_follow_business_hours":true}"#),
        ),
        (
            r#"{"channel": "Amazon"}"#,
            Ok(r#"{"channel":"amazon","confirm":"on_assigned","lock_after_confirmation":true,"deadlines_follow_business_hours":true}"#),
        ),
        (
            r#"{"channel": "backmarket", "confirm": "on_movement", "deadlines_follow_business_hours": false}"#,
            Ok(r#"{"channel":"backmarket","confirm":"on_movement","lock_after_confirmation":true,"deadlines_follow_business_hours":false}"#),
        ),
        (
            r#"{"channel": "shopify:acme.myshopify.com", "confirm": "on_movement", "notify_customer": false, "lock_after_confirmation": true}"#,
            Ok(r#"{"channel":"shopify:acme.myshopify.com","confirm":"on_movement","lock_after_confirmation":true,"deadlines_follow_business_hours":true,"notify_customer":false}"#),
        ),
        (
            r#"{"channel": "manual"}"#,
            Ok(r#"{"channel":"manual","confirm":"never","deadlines_follow_business_hours":true}"#),
        ),
        (
            r#"{"channel": "etsy", "confirm": "on_assigned"}"#,
            Ok(r#"{"channel":"etsy","confirm":"on_assigned","lock_after_confirmation":false,"deadlines_follow_business_hours":true}"#),
        ),
        (
            r#"{"channel": "backmarket", "confirm": "never"}"#,
            Err("backmarket does not allow confirm never: BackMarket requires a ship confirmation for every order; use on_assigned or on_movement"),
        ),
        (
            r#"{"channel": "ebay", "confirm": "never"}"#,
            Err("ebay does not allow confirm never: eBay expects the seller to upload tracking for every order; use on_assigned or on_movement"),
        ),
        (
            r#"{"channel": "shopify:acme.myshopify.com", "confirm": "never"}"#,
            Err("shopify:acme.myshopify.com does not allow confirm never: a store is synced either before dispatch (on_assigned) or after it (on_movement); remove the channel to stop syncing it; use on_assigned or on_movement"),
        ),
        (
            r#"{"channel": "manual", "confirm": "on_assigned"}"#,
            Err("manual does not allow confirm on_assigned: a manual order has no sales channel to confirm to; use never"),
        ),
        (
            r#"{"channel": "shopify"}"#,
            Err("a Shopify channel names its store's myshopify.com domain, like shopify:acme.myshopify.com"),
        ),
        (
            r#"{"channel": "shopify:shop.acme.com"}"#,
            Err("a Shopify channel names its store's myshopify.com domain, like shopify:acme.myshopify.com"),
        ),
        (
            r#"{"channel": "amazon", "confirm": "sometimes"}"#,
            Err("confirm must be on_assigned, on_movement or never, not \"sometimes\""),
        ),
        (
            r#"{"channel": "amazon", "confirm": "On_Assigned"}"#,
            Err("confirm must be on_assigned, on_movement or never, not \"On_Assigned\""),
        ),
        (
            r#"{"channel": "amazon", "lock_after_confirmation": false}"#,
            Err("amazon keeps the first tracking number it is sent, so Waymark always locks it after confirmation; lock_after_confirmation cannot be false"),
        ),
        (
            r#"{"channel": "manual", "lock_after_confirmation": false}"#,
            Err("manual has nothing to confirm, so nothing can lock; leave lock_after_confirmation out"),
        ),
        (
            r#"{"channel": "amazon", "notify_customer": true}"#,
            Err("notify_customer applies only to a store channel (like shopify:acme.myshopify.com), not amazon"),
        ),
        (
            r#"{"channel": ""}"#,
            Err("channel: the channel is empty"),
        ),
    ];
    for (json, expected) in table {
        let input: ChannelPolicyInput = serde_json::from_str(json).unwrap();
        let result = ChannelPolicy::try_from(input)
            .map(|p| serde_json::to_string(&p).unwrap())
            .map_err(|e| e.to_string());
        assert_eq!(
            result,
            expected.map(str::to_string).map_err(str::to_string),
            "{json}"
        );
        // serde reads a policy through the same checks.
        assert_eq!(
            serde_json::from_str::<ChannelPolicy>(json).is_ok(),
            expected.is_ok(),
            "{json}"
        );
    }
}

#[test]
fn settings_round_trip_and_refuse_duplicates_and_unknown_fields() {
    let body = br#"[{"channel": "amazon", "confirm": "never"},
        {"channel": "backmarket", "confirm": "on_movement"},
        {"channel": "shopify:acme.myshopify.com", "notify_customer": false}]"#;
    let settings = ChannelSettings::from_json(body).unwrap();
    let json = serde_json::to_string(&settings).unwrap();
    let back: ChannelSettings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, settings);
    assert_eq!(serde_json::to_string(&back).unwrap(), json, "stable");
    let amazon: Channel = "amazon".parse().unwrap();
    assert_eq!(
        settings.policy_for(&amazon).confirm(),
        ConfirmationPolicy::Never
    );
    let ebay: Channel = "ebay".parse().unwrap();
    assert_eq!(
        settings.policy_for(&ebay),
        ChannelPolicy::default_for(ebay.clone()),
        "an unlisted channel has its defaults"
    );
    let errors = [
        (
            &br#"[{"channel": "amazon"}, {"channel": "AMAZON", "confirm": "never"}]"#[..],
            "amazon is listed more than once; give each channel one policy",
        ),
        (
            br#"[{"channel": "amazon", "when": "now"}]"#,
            "the body is not valid JSON for channel settings: unknown field `when`, expected one of `channel`, `confirm`, `lock_after_confirmation`, `deadlines_follow_business_hours`, `notify_customer` at line 1 column 29",
        ),
        (
            br#"{"channel": "amazon"}"#,
            "the body is not valid JSON for channel settings: invalid type: map, expected a sequence at line 1 column 0",
        ),
    ];
    for (body, message) in errors {
        assert_eq!(
            ChannelSettings::from_json(body).unwrap_err().to_string(),
            message
        );
    }
    let many: Vec<String> = (0..=MAX_CHANNELS)
        .map(|i| format!(r#"{{"channel": "shop{i}"}}"#))
        .collect();
    assert_eq!(
        ChannelSettings::from_json(format!("[{}]", many.join(",")).as_bytes()),
        Err(ChannelError::TooMany(MAX_CHANNELS + 1))
    );
}

#[test]
fn policies_and_actions_are_spelled_one_way() {
    for policy in ConfirmationPolicy::ALL {
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(json, format!("\"{policy}\""));
        assert_eq!(policy.as_str().parse::<ConfirmationPolicy>(), Ok(policy));
        assert_eq!(
            serde_json::from_str::<ConfirmationPolicy>(&json).unwrap(),
            policy
        );
    }
    let actions = [
        (
            confirm_imei(TN, Some("2026-11-17T11:00:00-05:00")),
            r#"{"action":"confirm","tracking_number":"1Z999AA10123456784","imei":"490154203237518","missed_deadline":"2026-11-17T16:00:00Z"}"#,
        ),
        (
            hold_until("2026-11-23T10:00:00-05:00"),
            r#"{"action":"hold_for_field","field":"imei","deadline":{"by":"at","at":"2026-11-23T15:00:00Z"}}"#,
        ),
        (
            ConfirmationAction::HoldForField {
                field: RequiredField::Imei,
                deadline: Deadline::Pickup { expected: None },
            },
            r#"{"action":"hold_for_field","field":"imei","deadline":{"by":"pickup","expected":null}}"#,
        ),
        (
            missed("2026-11-23T10:00:00-05:00"),
            r#"{"action":"deadline_missed","field":"imei","deadline":"2026-11-23T15:00:00Z"}"#,
        ),
        (
            wait(WaitReason::NoMovement),
            r#"{"action":"wait","until":null,"reason":"no_movement"}"#,
        ),
        (ConfirmationAction::Nothing, r#"{"action":"nothing"}"#),
    ];
    for (action, json) in actions {
        assert_eq!(serde_json::to_string(&action).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<ConfirmationAction>(json).unwrap(),
            action
        );
    }
}

// ----- IMEI --------------------------------------------------------------------------------

#[test]
fn imeis_have_15_digits_and_a_luhn_check_digit() {
    let table: &[(&str, Result<&str, ImeiError>)] = &[
        ("490154203237518", Ok("490154203237518")),
        ("49-015420-323751-8", Ok("490154203237518")),
        (" 35 209900 176148 1 ", Ok("352099001761481")),
        ("356938035643809", Ok("356938035643809")),
        ("012345678901237", Ok("012345678901237")),
        ("490154203237519", Err(ImeiError::CheckDigit)),
        ("490154203237581", Err(ImeiError::CheckDigit)),
        ("49015420323751", Err(ImeiError::Length { found: 14 })),
        ("4901542032375180", Err(ImeiError::Length { found: 16 })),
        ("", Err(ImeiError::Length { found: 0 })),
        (
            "49015420323751X",
            Err(ImeiError::Character {
                ch: 'X',
                position: 14,
            }),
        ),
        (
            "４90154203237518",
            Err(ImeiError::Character {
                ch: '４',
                position: 0,
            }),
        ),
    ];
    for (input, expected) in table {
        assert_eq!(
            input.parse::<Imei>().map(|i| i.to_string()),
            expected.clone().map(str::to_string),
            "{input:?}"
        );
    }
    // Every single-digit error is caught by the check digit.
    let good = "490154203237518";
    for position in 0..15 {
        for digit in b'0'..=b'9' {
            let mut bytes = good.as_bytes().to_vec();
            if bytes[position] == digit {
                continue;
            }
            bytes[position] = digit;
            let typo = String::from_utf8(bytes).unwrap();
            assert_eq!(typo.parse::<Imei>(), Err(ImeiError::CheckDigit), "{typo}");
        }
    }
    let imei = imei();
    assert_eq!(
        format!("{imei:?}"),
        "Imei(…7518)",
        "Debug hides most digits"
    );
    let json = serde_json::to_string(&imei).unwrap();
    assert_eq!(json, "\"490154203237518\"");
    assert_eq!(serde_json::from_str::<Imei>(&json).unwrap(), imei);
    assert!(serde_json::from_str::<Imei>("\"490154203237519\"").is_err());
    assert_eq!(
        ImeiError::CheckDigit.to_string(),
        "this IMEI's last digit does not match the first 14 (its Luhn check digit): check each digit"
    );
}

#[test]
fn find_orders_names_each_channel_state_and_reads_the_name_back() {
    let at = ts("2026-11-20T10:00:00-05:00");
    let table = [
        (ChannelState::Never, "never"),
        (
            ChannelState::Waiting {
                reason: WaitReason::NoMovement,
                until: None,
            },
            "waiting",
        ),
        (
            ChannelState::Held {
                field: RequiredField::Imei,
                deadline: Deadline::At { at },
            },
            "held",
        ),
        (
            ChannelState::DeadlineMissed {
                field: RequiredField::Imei,
                deadline: at,
            },
            "deadline_missed",
        ),
        (ChannelState::Confirmed, "confirmed"),
        (
            ChannelState::Conflict {
                attempted: "1Z999AA10123456784".parse().unwrap(),
            },
            "conflict",
        ),
    ];
    for (state, name) in table {
        let confirmation = state.confirmation();
        assert_eq!(confirmation.as_str(), name);
        assert_eq!(name.parse::<Confirmation>(), Ok(confirmation));
        // The name is the one the channel status view's `state` carries.
        let view = serde_json::to_value(&state).unwrap();
        assert_eq!(view["state"], name);
    }
    assert_eq!(
        "sent".parse::<Confirmation>().unwrap_err().to_string(),
        "\"sent\" is not a confirmation state: use never, waiting, held, deadline_missed, confirmed or conflict"
    );
}
