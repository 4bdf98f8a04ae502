//! A shipment with two tracking numbers: a consolidator's (CJPacket's `CJP…`, the default
//! role) and the local last-mile carrier's (Canada Post's, the local role). Each scenario is
//! what a shopper must see.

mod common;

use common::{shipment_with, ts};
use shared::aftership::{CarrierCheckpoint, CarrierTracking, LastMile, Tag};
use shared::merge::{merge, CarrierSide, Carriers, MergeFacts, MergeInput, AWAITING_FIRST_SCAN};
use shared::settings::TrackingNumberDisplay;
use shared::shipment::{ShipmentEvent, TrackingRole};
use shared::stage::Stage;
use shared::time::CarrierTime;
use shared::view::{Source, TrackingView};

const CJP: &str = "CJPKL7301234567YQ";
const POST: &str = "7023210039414604";

fn facts(display: TrackingNumberDisplay) -> MergeFacts {
    MergeFacts {
        id: "acme".into(),
        name: "Acme Outdoor".into(),
        aftership_page: None,
        tracking_number_display: display,
    }
}

fn attach(number: &str, slug: &str, role: TrackingRole) -> ShipmentEvent {
    ShipmentEvent::TrackingAttached {
        tracking_number: number.parse().unwrap(),
        slug: Some(slug.parse().unwrap()),
        at: ts("2026-11-20T10:00:00Z"),
        role,
    }
}

fn registered(role: TrackingRole) -> ShipmentEvent {
    ShipmentEvent::CarrierRegistered {
        aftership_id: format!("as-{role}"),
        slug: None,
        at: ts("2026-11-20T10:00:01Z"),
        role,
    }
}

fn cp(time: &str, message: &str, tag: Tag) -> CarrierCheckpoint {
    CarrierCheckpoint {
        time: CarrierTime::parse(time),
        message: message.into(),
        location: None,
        tag: Some(tag),
        subtag: None,
    }
}

fn tracking(
    number: &str,
    slug: &str,
    tag: Tag,
    checkpoints: Vec<CarrierCheckpoint>,
) -> CarrierTracking {
    CarrierTracking {
        tracking_number: Some(number.into()),
        slug: Some(slug.into()),
        tag: Some(tag),
        checkpoints,
        ..Default::default()
    }
}

fn known(tracking: Option<&CarrierTracking>) -> CarrierSide<'_> {
    CarrierSide::Known {
        tracking,
        fetched_at: Some(ts("2026-11-22T12:00:00Z")),
        stale: false,
    }
}

fn both_attached() -> shared::shipment::Shipment {
    shipment_with(vec![
        attach(CJP, "cjpacket", TrackingRole::Default),
        attach(POST, "canada-post", TrackingRole::Local),
        registered(TrackingRole::Default),
        registered(TrackingRole::Local),
    ])
}

fn view(
    display: TrackingNumberDisplay,
    shipment: &shared::shipment::Shipment,
    carriers: Carriers<'_>,
) -> TrackingView {
    merge(&MergeInput {
        merchant: &facts(display),
        shipment,
        carriers,
        base_url: None,
    })
}

fn cjp_in_transit() -> CarrierTracking {
    tracking(
        CJP,
        "cjpacket",
        Tag::InTransit,
        vec![
            cp(
                "2026-11-20T18:00:00+08:00",
                "Parcel received at the sorting centre",
                Tag::InTransit,
            ),
            cp(
                "2026-11-21T09:00:00+08:00",
                "Departed from the origin country",
                Tag::InTransit,
            ),
        ],
    )
}

#[test]
fn consolidator_in_transit_and_local_not_found_is_shipped_not_waiting_for_a_scan() {
    let shipment = both_attached();
    let cjp = cjp_in_transit();
    // Canada Post does not know its number yet: AfterShip answered, with no data.
    for local in [
        None,
        Some(tracking(POST, "canada-post", Tag::Pending, vec![])),
    ] {
        let v = view(
            TrackingNumberDisplay::Default,
            &shipment,
            Carriers {
                default: known(Some(&cjp)),
                local: Some(known(local.as_ref())),
            },
        );
        assert_eq!(v.progress.stage, Stage::Shipped, "{local:?}");
        assert_eq!(v.status.tag, Tag::InTransit);
        assert!(!v.status.awaiting_first_scan);
        assert_ne!(v.status.label, AWAITING_FIRST_SCAN);
    }
}

#[test]
fn both_carriers_merge_into_one_timeline_in_true_time_order_with_the_hand_over_once() {
    let shipment = both_attached();
    let mut cjp = cjp_in_transit();
    // The hand-over, reported by both carriers (in different offsets).
    cjp.checkpoints.push(cp(
        "2026-11-23T08:00:00-05:00",
        "Handed over to the last-mile carrier",
        Tag::InTransit,
    ));
    let post = tracking(
        POST,
        "canada-post",
        Tag::OutForDelivery,
        vec![
            cp(
                "2026-11-24T07:30:00-05:00",
                "Out for delivery",
                Tag::OutForDelivery,
            ),
            cp(
                "2026-11-23T13:00:00Z",
                "handed over to the last-mile carrier",
                Tag::InTransit,
            ),
            cp(
                "2026-11-23T20:00:00-05:00",
                "Arrived at the local post office",
                Tag::InTransit,
            ),
        ],
    );
    let v = view(
        TrackingNumberDisplay::Default,
        &shipment,
        Carriers {
            default: known(Some(&cjp)),
            local: Some(known(Some(&post))),
        },
    );
    let carrier: Vec<&str> = v
        .timeline
        .iter()
        .filter(|e| e.source == Source::Carrier)
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(
        carrier,
        [
            "Parcel received at the sorting centre",
            "Departed from the origin country",
            "Handed over to the last-mile carrier",
            "Arrived at the local post office",
            "Out for delivery",
        ]
    );
    // The furthest either carrier shows, and the nearer carrier's status.
    assert_eq!(v.progress.stage, Stage::OutForDelivery);
    assert_eq!(v.status.tag, Tag::OutForDelivery);
}

#[test]
fn the_stage_is_the_furthest_either_carrier_shows() {
    let shipment = both_attached();
    let cases = [
        (Tag::InTransit, Tag::Pending, Stage::Shipped),
        (Tag::InTransit, Tag::Delivered, Stage::Delivered),
        (Tag::Delivered, Tag::InTransit, Stage::Delivered),
        (Tag::InfoReceived, Tag::Pending, Stage::Prepared),
        (Tag::Pending, Tag::OutForDelivery, Stage::OutForDelivery),
    ];
    for (default_tag, local_tag, stage) in cases {
        let cjp = tracking(CJP, "cjpacket", default_tag, vec![]);
        let post = tracking(POST, "canada-post", local_tag, vec![]);
        let v = view(
            TrackingNumberDisplay::Default,
            &shipment,
            Carriers {
                default: known(Some(&cjp)),
                local: Some(known(Some(&post))),
            },
        );
        assert_eq!(v.progress.stage, stage, "{default_tag:?} + {local_tag:?}");
        assert_eq!(
            Stage::proven_by(v.status.tag),
            stage,
            "the status speaks for the furthest"
        );
    }
}

#[test]
fn the_merchants_setting_chooses_which_number_shoppers_see_first() {
    let shipment = both_attached();
    let cjp = cjp_in_transit();
    let carriers = Carriers {
        default: known(Some(&cjp)),
        local: Some(known(None)),
    };
    let table = [
        (TrackingNumberDisplay::Default, [CJP, POST], "cjpacket"),
        (TrackingNumberDisplay::Local, [POST, CJP], "canada-post"),
    ];
    for (display, order, carrier) in table {
        let v = view(display, &shipment, carriers);
        assert_eq!(v.tracking_number.as_deref(), Some(order[0]), "{display}");
        let numbers: Vec<&str> = v
            .tracking_numbers
            .iter()
            .map(|n| n.number.as_str())
            .collect();
        assert_eq!(numbers, order, "{display}");
        assert_eq!(v.carrier.as_ref().map(|c| c.slug.as_str()), Some(carrier));
        assert_eq!(
            v.links.tracking_number.as_deref(),
            Some(format!("/t/acme/{}", order[0]).as_str())
        );
        assert_eq!(
            v.links.aftership.as_deref(),
            Some(format!("https://track.aftership.com/{}", order[0]).as_str())
        );
        assert_eq!(v.tracking_numbers[1].link, format!("/t/acme/{}", order[1]));
    }
    // "Local first" with no local number shows the default one.
    let single = shipment_with(vec![attach(CJP, "cjpacket", TrackingRole::Default)]);
    let v = view(TrackingNumberDisplay::Local, &single, Carriers::NONE);
    assert_eq!(v.tracking_number.as_deref(), Some(CJP));
    assert_eq!(v.tracking_numbers.len(), 1);
}

#[test]
fn a_last_mile_number_aftership_reports_is_the_local_number_until_the_merchant_attaches_one() {
    let single = shipment_with(vec![
        attach(CJP, "cjpacket", TrackingRole::Default),
        registered(TrackingRole::Default),
    ]);
    let mut cjp = cjp_in_transit();
    cjp.last_mile = Some(LastMile {
        tracking_number: POST.into(),
        slug: Some("canada-post".into()),
    });
    let v = view(
        TrackingNumberDisplay::Local,
        &single,
        Carriers::single(known(Some(&cjp))),
    );
    assert_eq!(v.tracking_number.as_deref(), Some(POST));
    let reported = &v.tracking_numbers[0];
    assert_eq!(
        (reported.role, reported.reported),
        (TrackingRole::Local, true)
    );
    assert_eq!(
        reported.carrier.as_ref().map(|c| c.name.as_str()),
        Some("Canada Post")
    );
    assert!(!v.tracking_numbers[1].reported);

    // The merchant's own local number wins over the reported one.
    let both = both_attached();
    cjp.last_mile = Some(LastMile {
        tracking_number: "LM0000000001".into(),
        slug: None,
    });
    let v = view(
        TrackingNumberDisplay::Default,
        &both,
        Carriers {
            default: known(Some(&cjp)),
            local: Some(known(None)),
        },
    );
    let numbers: Vec<&str> = v
        .tracking_numbers
        .iter()
        .map(|n| n.number.as_str())
        .collect();
    assert_eq!(numbers, [CJP, POST]);
    // A last-mile number equal to the default one is not a second number.
    cjp.last_mile = Some(LastMile {
        tracking_number: CJP.to_ascii_lowercase(),
        slug: None,
    });
    let v = view(
        TrackingNumberDisplay::Default,
        &single,
        Carriers::single(known(Some(&cjp))),
    );
    assert_eq!(v.tracking_numbers.len(), 1);
}

#[test]
fn a_local_number_still_unread_leaves_the_consolidators_status_standing() {
    let shipment = shipment_with(vec![
        attach(CJP, "cjpacket", TrackingRole::Default),
        attach(POST, "canada-post", TrackingRole::Local),
        registered(TrackingRole::Default),
    ]);
    let cjp = cjp_in_transit();
    let v = view(
        TrackingNumberDisplay::Default,
        &shipment,
        Carriers {
            default: known(Some(&cjp)),
            local: Some(CarrierSide::Unread { failed: false }),
        },
    );
    assert_eq!(v.progress.stage, Stage::Shipped);
    assert_eq!(v.status.tag, Tag::InTransit);
    assert!(!v.stale, "a registration not yet tried is not a failure");
    // Expected delivery: the local carrier's estimate is preferred, else the consolidator's.
    let mut post = tracking(POST, "canada-post", Tag::InTransit, vec![]);
    post.expected_delivery = CarrierTime::parse("2026-11-25");
    let mut cjp = cjp_in_transit();
    cjp.expected_delivery = CarrierTime::parse("2026-11-28");
    let v = view(
        TrackingNumberDisplay::Default,
        &both_attached(),
        Carriers {
            default: known(Some(&cjp)),
            local: Some(known(Some(&post))),
        },
    );
    assert!(v
        .expected_delivery
        .as_deref()
        .unwrap()
        .starts_with("2026-11-25"));
}

#[test]
fn the_view_reads_back_through_serde_with_both_numbers() {
    let shipment = both_attached();
    let cjp = cjp_in_transit();
    let v = view(
        TrackingNumberDisplay::Default,
        &shipment,
        Carriers {
            default: known(Some(&cjp)),
            local: Some(known(None)),
        },
    );
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(serde_json::from_str::<TrackingView>(&json).unwrap(), v);
    // An answer from before several numbers still reads.
    let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
    old.as_object_mut().unwrap().remove("tracking_numbers");
    let read: TrackingView = serde_json::from_value(old).unwrap();
    assert!(read.tracking_numbers.is_empty());
}

#[test]
fn the_number_sent_to_sales_channels_follows_the_setting_and_is_always_an_attached_one() {
    use shared::cache::{CarrierCache, CarrierCaches};
    use shared::merge::number_for_channels;
    let both = both_attached();
    let single = shipment_with(vec![
        attach(CJP, "cjpacket", TrackingRole::Default),
        registered(TrackingRole::Default),
    ]);
    let mut reporting = cjp_in_transit();
    reporting.last_mile = Some(LastMile {
        tracking_number: POST.into(),
        slug: Some("canada-post".into()),
    });
    let reported = CarrierCaches {
        default: CarrierCache::registered(reporting),
        local: None,
    };
    let none = CarrierCaches::default();
    let table = [
        (&both, &none, TrackingNumberDisplay::Default, Some(CJP)),
        (&both, &none, TrackingNumberDisplay::Local, Some(POST)),
        (&single, &none, TrackingNumberDisplay::Local, Some(CJP)),
        // AfterShip's reported last-mile number is shown to shoppers, never sent to channels.
        (&single, &reported, TrackingNumberDisplay::Local, Some(CJP)),
    ];
    for (shipment, caches, display, expected) in table {
        let sent = number_for_channels(shipment, caches, display);
        assert_eq!(
            sent.map(|n| n.number.to_string()).as_deref(),
            expected,
            "{display}"
        );
    }
    let bare = shipment_with(vec![]);
    assert_eq!(
        number_for_channels(&bare, &none, TrackingNumberDisplay::Default),
        None
    );
}
