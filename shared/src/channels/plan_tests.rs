//! The channel plan: what a change keeps, tells and calls, and that planning again with what
//! it kept tells and calls nothing (exactly once, whatever replays).

use super::*;
use crate::events::{EventKey, EventKind, Evidence, MerchantEvent};
use crate::ids::{Itn, TrackingNumber};
use crate::settings::{MerchantSettings, SettingsPatch};
use crate::shopify::FulfillmentEventStatus as Status;
use crate::time::Timestamp;

use EventKind::{Delivered, InTransit, OutForDelivery, PickedUp, TrackingAssigned};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn tn(text: &str) -> TrackingNumber {
    text.parse().unwrap()
}

fn itn() -> Itn {
    Itn::from_random([7; 9])
}

fn new_york() -> MerchantSettings {
    let patch = SettingsPatch::from_json(br#"{"time_zone": "America/New_York"}"#).unwrap();
    MerchantSettings::default().apply(&patch).unwrap().0
}

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

fn shop_facts(cod: bool) -> OrderFacts {
    OrderFacts {
        cash_on_delivery: cod,
        smartphone: false,
        shopify: Some(ShopifyOrder {
            order_id: "450789469".parse().unwrap(),
            fulfillment_order_ids: vec!["1046000786".parse().unwrap()],
        }),
    }
}

/// Plans once at `now`; returns the plan.
fn run(
    policy: &ChannelPolicy,
    facts: &OrderFacts,
    progress: &ChannelProgress,
    events: &[MerchantEvent],
    number: Option<&str>,
    now: &str,
) -> ChannelPlan {
    let number = number.map(tn);
    let settings = new_york();
    plan(&PlanInput {
        itn: itn(),
        policy,
        facts,
        progress,
        events,
        tracking_number: number.as_ref(),
        carrier: Some("ups"),
        settings: &settings,
        now: ts(now),
    })
}

const LABEL: &str = "2026-11-23T10:00:00-05:00"; // a Monday, in business hours
const TN1: &str = "1Z999AA10123456784";
const TN2: &str = "1Z999AA10123456791";

#[test]
fn a_plan_replayed_with_what_it_kept_does_nothing_more() {
    let cases: [(&str, &str, OrderFacts, Vec<MerchantEvent>); 4] = [
        (
            "amazon on assigned",
            r#"{"channel": "amazon"}"#,
            OrderFacts::default(),
            vec![event(TrackingAssigned, LABEL)],
        ),
        (
            "shopify, delivered, cash on delivery",
            r#"{"channel": "shopify:acme.myshopify.com"}"#,
            shop_facts(true),
            vec![
                event(TrackingAssigned, LABEL),
                event(PickedUp, "2026-11-23T15:00:00-05:00"),
                event(InTransit, "2026-11-23T18:00:00-05:00"),
                event(Delivered, "2026-11-25T12:00:00-05:00"),
            ],
        ),
        (
            "backmarket, IMEI missing, deadline passed",
            r#"{"channel": "backmarket"}"#,
            OrderFacts {
                smartphone: true,
                ..OrderFacts::default()
            },
            vec![event(TrackingAssigned, LABEL)],
        ),
        (
            "ebay on movement, moving",
            r#"{"channel": "ebay", "confirm": "on_movement"}"#,
            OrderFacts::default(),
            vec![
                event(TrackingAssigned, LABEL),
                event(InTransit, "2026-11-23T18:00:00-05:00"),
            ],
        ),
    ];
    for (name, json, facts, events) in cases {
        let policy = policy(json);
        let now = "2026-11-26T00:00:00-05:00";
        let first = run(
            &policy,
            &facts,
            &ChannelProgress::default(),
            &events,
            Some(TN1),
            now,
        );
        assert!(
            !first.notices.is_empty() || !first.shopify.is_empty(),
            "{name}: the first plan does something"
        );
        let again = run(&policy, &facts, &first.progress, &events, Some(TN1), now);
        assert_eq!(again.notices, vec![], "{name}: no notice twice");
        assert_eq!(again.shopify, vec![], "{name}: no Shopify call twice");
        assert_eq!(again.progress, first.progress, "{name}: nothing new kept");
        assert_eq!(again.state, first.state, "{name}: the same state");
    }
}

#[test]
fn amazon_never_sends_nothing_and_says_so() {
    let policy = policy(r#"{"channel": "amazon", "confirm": "never"}"#);
    let events = [event(TrackingAssigned, LABEL), event(InTransit, LABEL)];
    let plan = run(
        &policy,
        &OrderFacts::default(),
        &ChannelProgress::default(),
        &events,
        Some(TN1),
        LABEL,
    );
    assert_eq!(plan.state, ChannelState::Never);
    assert_eq!((plan.notices, plan.shopify), (vec![], vec![]));
    assert_eq!(plan.progress, ChannelProgress::default());
}

#[test]
fn shopify_gets_the_fulfilment_then_each_carrier_status_once_then_paid_on_delivery() {
    let policy = policy(r#"{"channel": "shopify:acme.myshopify.com", "notify_customer": false}"#);
    let facts = shop_facts(true);
    let mut events = vec![event(TrackingAssigned, LABEL)];
    let first = run(
        &policy,
        &facts,
        &ChannelProgress::default(),
        &events,
        Some(TN1),
        LABEL,
    );
    assert_eq!(
        first.shopify,
        vec![ShopifyTask::CreateFulfillment {
            tracking_number: tn(TN1),
            company: Some("UPS".into()),
            notify_customer: false,
        }]
    );
    assert_eq!(first.state, ChannelState::Confirmed);
    events.push(event(PickedUp, "2026-11-23T15:00:00-05:00"));
    events.push(event(OutForDelivery, "2026-11-25T08:00:00-05:00"));
    events.push(event(Delivered, "2026-11-25T12:00:00-05:00"));
    let later = run(
        &policy,
        &facts,
        &first.progress,
        &events,
        Some(TN1),
        "2026-11-25T12:05:00-05:00",
    );
    assert_eq!(
        later.shopify,
        vec![
            ShopifyTask::PostEvent {
                status: Status::CarrierPickedUp,
                happened_at: ts("2026-11-23T15:00:00-05:00")
            },
            ShopifyTask::PostEvent {
                status: Status::OutForDelivery,
                happened_at: ts("2026-11-25T08:00:00-05:00")
            },
            ShopifyTask::PostEvent {
                status: Status::Delivered,
                happened_at: ts("2026-11-25T12:00:00-05:00")
            },
            ShopifyTask::MarkPaid,
        ]
    );
    assert_eq!(later.notices, vec![], "the confirmation went out once");
    // Without cash on delivery, the order is never marked paid.
    let prepaid = run(
        &policy,
        &shop_facts(false),
        &first.progress,
        &events,
        Some(TN1),
        "2026-11-25T12:05:00-05:00",
    );
    assert!(!prepaid.shopify.contains(&ShopifyTask::MarkPaid));
}

#[test]
fn a_locking_channel_reports_a_changed_number_once_and_sends_nothing() {
    let policy = policy(r#"{"channel": "ebay"}"#);
    let events = [event(TrackingAssigned, LABEL)];
    let first = run(
        &policy,
        &OrderFacts::default(),
        &ChannelProgress::default(),
        &events,
        Some(TN1),
        LABEL,
    );
    let changed = run(
        &policy,
        &OrderFacts::default(),
        &first.progress,
        &events,
        Some(TN2),
        LABEL,
    );
    assert_eq!(changed.state, ChannelState::Conflict { attempted: tn(TN2) });
    assert!(
        matches!(changed.notices.as_slice(), [ChannelNotice::Conflict { attempted, .. }] if *attempted == tn(TN2))
    );
    assert_eq!(
        changed.progress.confirmed, first.progress.confirmed,
        "the lock keeps the first TN"
    );
    let again = run(
        &policy,
        &OrderFacts::default(),
        &changed.progress,
        &events,
        Some(TN2),
        LABEL,
    );
    assert_eq!(again.notices, vec![]);
}

#[test]
fn a_store_that_does_not_lock_gets_the_corrected_number_as_an_update() {
    let policy = policy(r#"{"channel": "shopify:acme.myshopify.com"}"#);
    let events = [event(TrackingAssigned, LABEL)];
    let facts = shop_facts(false);
    let first = run(
        &policy,
        &facts,
        &ChannelProgress::default(),
        &events,
        Some(TN1),
        LABEL,
    );
    let corrected = run(&policy, &facts, &first.progress, &events, Some(TN2), LABEL);
    assert!(
        matches!(corrected.shopify.as_slice(), [ShopifyTask::UpdateTracking { tracking_number, .. }] if *tracking_number == tn(TN2))
    );
    assert!(
        matches!(corrected.notices.as_slice(), [ChannelNotice::Confirmation { replaces: Some(old), .. }] if *old == tn(TN1))
    );
}

#[test]
fn the_imei_is_held_to_its_deadline_then_missed_once_then_sent_late_saying_so() {
    let policy = policy(r#"{"channel": "backmarket"}"#);
    let facts = OrderFacts {
        smartphone: true,
        ..OrderFacts::default()
    };
    let events = [event(TrackingAssigned, LABEL)];
    let due = ts("2026-11-23T11:00:00-05:00");
    let held = run(
        &policy,
        &facts,
        &ChannelProgress::default(),
        &events,
        Some(TN1),
        "2026-11-23T10:30:00-05:00",
    );
    assert_eq!(
        held.recheck_at,
        Some(due),
        "the record looks again at the deadline"
    );
    assert!(matches!(held.state, ChannelState::Held { .. }));
    assert_eq!((held.notices.len(), held.shopify.len()), (0, 0));

    let missed = run(
        &policy,
        &facts,
        &held.progress,
        &events,
        Some(TN1),
        "2026-11-23T11:00:00-05:00",
    );
    assert_eq!(
        missed.state,
        ChannelState::DeadlineMissed {
            field: RequiredField::Imei,
            deadline: due
        }
    );
    assert!(matches!(
        missed.notices.as_slice(),
        [ChannelNotice::DeadlineMissed { .. }]
    ));
    let still = run(
        &policy,
        &facts,
        &missed.progress,
        &events,
        Some(TN1),
        "2026-11-23T12:00:00-05:00",
    );
    assert_eq!(still.notices, vec![], "a miss is reported once");

    let mut progress = still.progress.clone();
    let imei: Imei = "490154203237518".parse().unwrap();
    progress
        .supply_imei(&policy, &facts, imei, ts("2026-11-23T12:30:00-05:00"))
        .unwrap();
    let sent = run(
        &policy,
        &facts,
        &progress,
        &events,
        Some(TN1),
        "2026-11-23T12:30:00-05:00",
    );
    assert!(
        matches!(
            sent.notices.as_slice(),
            [ChannelNotice::Confirmation { imei: Some(i), missed_deadline: Some(d), .. }] if *i == imei && *d == due
        ),
        "{:?}",
        sent.notices
    );
    assert!(
        progress
            .clone()
            .supply_imei(&policy, &facts, imei, ts("2026-11-23T12:31:00-05:00"))
            .is_ok(),
        "before the confirmation the IMEI can still be corrected"
    );
    let mut after = sent.progress.clone();
    assert!(matches!(
        after.supply_imei(&policy, &facts, imei, ts("2026-11-23T12:31:00-05:00")),
        Err(SupplyError::AlreadyConfirmed { .. })
    ));
}

#[test]
fn the_imei_within_the_hour_goes_with_the_confirmation_and_no_miss() {
    let policy = policy(r#"{"channel": "backmarket"}"#);
    let facts = OrderFacts {
        smartphone: true,
        ..OrderFacts::default()
    };
    let events = [event(TrackingAssigned, LABEL)];
    let mut progress = ChannelProgress::default();
    let imei: Imei = "490154203237518".parse().unwrap();
    progress
        .supply_imei(&policy, &facts, imei, ts("2026-11-23T10:59:00-05:00"))
        .unwrap();
    let sent = run(
        &policy,
        &facts,
        &progress,
        &events,
        Some(TN1),
        "2026-11-23T10:59:00-05:00",
    );
    assert!(matches!(
        sent.notices.as_slice(),
        [ChannelNotice::Confirmation {
            imei: Some(_),
            missed_deadline: None,
            ..
        }]
    ));
}

#[test]
fn an_imei_is_refused_where_the_channel_needs_none() {
    let imei: Imei = "490154203237518".parse().unwrap();
    let now = ts(LABEL);
    for (json, smartphone) in [
        (r#"{"channel": "amazon"}"#, true),
        (r#"{"channel": "backmarket"}"#, false),
    ] {
        let facts = OrderFacts {
            smartphone,
            ..OrderFacts::default()
        };
        let mut progress = ChannelProgress::default();
        assert!(
            matches!(
                progress.supply_imei(&policy(json), &facts, imei, now),
                Err(SupplyError::NotRequired(_))
            ),
            "{json}"
        );
    }
}

#[test]
fn order_facts_are_checked_against_the_channel() {
    let shop: crate::order::Channel = "shopify:acme.myshopify.com".parse().unwrap();
    let amazon: crate::order::Channel = "amazon".parse().unwrap();
    assert!(shop_facts(true).check(&shop).is_ok());
    assert!(matches!(
        shop_facts(true).check(&amazon),
        Err(FactsError::ShopifyOnShopifyOnly(_))
    ));
    let mut empty = shop_facts(false);
    if let Some(order) = empty.shopify.as_mut() {
        order.fulfillment_order_ids.clear();
    }
    assert_eq!(empty.check(&shop), Err(FactsError::FulfillmentOrders));
}

#[test]
fn fulfilment_events_wait_for_the_fulfilment_shopify_created() {
    let order = shop_facts(false).shopify.unwrap();
    let event = ShopifyTask::PostEvent {
        status: Status::Delivered,
        happened_at: ts(LABEL),
    };
    assert_eq!(event.request(&order, None, None).unwrap(), None);
    let fulfillment: crate::shopify::FulfillmentId = "255858046".parse().unwrap();
    let request = event
        .request(&order, Some(&fulfillment), None)
        .unwrap()
        .unwrap();
    assert_eq!(
        request.variables["fulfillmentEvent"]["fulfillmentId"],
        "gid://shopify/Fulfillment/255858046"
    );
    let create = ShopifyTask::CreateFulfillment {
        tracking_number: tn(TN1),
        company: None,
        notify_customer: true,
    };
    let request = create
        .request(&order, None, Some("https://track.example.com/t/acme/WM-1"))
        .unwrap()
        .unwrap();
    assert_eq!(
        request.variables["fulfillment"]["trackingInfo"]["url"],
        "https://track.example.com/t/acme/WM-1"
    );
}
