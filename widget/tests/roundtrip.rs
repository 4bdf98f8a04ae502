#![cfg(target_arch = "wasm32")]
//! The widget reads exactly what the edge writes: a TrackingView serialised the edge's way
//! (`serde_json::to_string`), parsed by the browser's `JSON.parse`, and decoded by the
//! widget's own reader must equal the original, every field and every enum spelling included.

use shared::aftership::{SubtagMeaning, Tag};
use shared::calendar::{LeaveEstimate, RelativeDay};
use shared::presentation::{ALERTS, ESTIMATE_SOURCES, MEANINGS, SOURCES};
use shared::promise::When;
use shared::settings::{parse_local_date, Day, LocalTime};
use shared::shipment::TrackingRole;
use shared::stage::Stage;
use shared::view::{
    CarrierSummary, Links, MerchantSummary, Progress, Source, Status, TimelineEntry,
    TrackingNumberView, TrackingView,
};
use shared::Timestamp;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn full_view(
    stage: Stage,
    tag: Tag,
    meaning: Option<SubtagMeaning>,
    alert: Option<shared::stage::Alert>,
) -> TrackingView {
    let entry = |source: Source, done: bool, time: Option<&str>, tag: Option<Tag>| TimelineEntry {
        source,
        label: "Departed from facility «Köln» 🚚".into(),
        time: time.map(str::to_string),
        location: Some("KÖLN, DE".into()),
        tag,
        done,
    };
    TrackingView {
        merchant: MerchantSummary {
            id: "acme".into(),
            name: "Acme \"Outdoor\" & Co".into(),
        },
        itn: "WM-7KQ2-X9PD-4MZT-3C".into(),
        tracking_number: Some("1Z999AA10123456784".into()),
        carrier: Some(CarrierSummary {
            slug: "ups".into(),
            name: "UPS".into(),
        }),
        status: Status {
            tag,
            subtag: Some("Exception_010".into()),
            label: "Exception".into(),
            meaning,
            awaiting_first_scan: true,
        },
        progress: Progress {
            stage,
            step: stage.step(),
            steps: Stage::ALL.len() as u8,
            alert,
        },
        expected_delivery: Some("2026-11-24".into()),
        timeline: vec![
            entry(Source::Merchant, true, Some("2026-11-20T09:00:00Z"), None),
            entry(Source::Merchant, false, None, None),
            entry(
                Source::Carrier,
                true,
                Some("2026-11-21T16:58:00+08:00"),
                Some(Tag::InTransit),
            ),
            entry(
                Source::Carrier,
                true,
                Some("2018-07-31T14:33:00"),
                Some(tag),
            ),
        ],
        links: Links {
            itn: "https://track.example.com/t/acme/WM-7KQ2-X9PD-4MZT-3C".into(),
            tracking_number: Some("https://track.example.com/t/acme/1Z999AA10123456784".into()),
            aftership: Some("https://track.aftership.com/1Z999AA10123456784".into()),
        },
        updated_at: "2026-11-22T10:00:00Z".into(),
        stale: true,
        tracking_numbers: vec![
            TrackingNumberView {
                number: "1Z999AA10123456784".into(),
                role: TrackingRole::Default,
                carrier: Some(CarrierSummary {
                    slug: "ups".into(),
                    name: "UPS".into(),
                }),
                link: "https://track.example.com/t/acme/1Z999AA10123456784".into(),
                aftership: "https://track.aftership.com/1Z999AA10123456784".into(),
                reported: false,
            },
            TrackingNumberView {
                number: "7023210039414604".into(),
                role: TrackingRole::Local,
                carrier: None,
                link: "https://track.example.com/t/acme/7023210039414604".into(),
                aftership: "https://track.aftership.com/7023210039414604".into(),
                reported: true,
            },
        ],
        when: None,
    }
}

fn round_trip(view: &TrackingView) -> Option<TrackingView> {
    let json = serde_json::to_string(view).unwrap();
    let parsed = js_sys::JSON::parse(&json).unwrap();
    waymark_widget::decode::tracking_view(&parsed)
}

#[wasm_bindgen_test]
fn every_field_survives_the_edges_serialisation() {
    let view = full_view(
        Stage::OutForDelivery,
        Tag::Exception,
        Some(SubtagMeaning::ReturningToSender),
        Some(shared::stage::Alert::ReturnToSender),
    );
    assert_eq!(round_trip(&view).as_ref(), Some(&view));
}

#[wasm_bindgen_test]
fn every_enum_spelling_survives() {
    assert_eq!(SOURCES.len(), 2, "the timeline above has both sources");
    for (i, stage) in Stage::ALL.into_iter().enumerate() {
        let tag = Tag::ALL[i % Tag::ALL.len()];
        let view = full_view(stage, tag, None, None);
        assert_eq!(round_trip(&view).as_ref(), Some(&view), "{stage:?}");
    }
    for tag in Tag::ALL {
        let view = full_view(Stage::Shipped, tag, None, None);
        assert_eq!(round_trip(&view).as_ref(), Some(&view), "{tag:?}");
    }
    for alert in ALERTS {
        let view = full_view(Stage::Shipped, Tag::Exception, None, Some(alert));
        assert_eq!(round_trip(&view).as_ref(), Some(&view), "{alert:?}");
    }
    for meaning in MEANINGS {
        let view = full_view(Stage::Delivered, Tag::Delivered, Some(meaning), None);
        assert_eq!(round_trip(&view).as_ref(), Some(&view), "{meaning:?}");
    }
}

#[wasm_bindgen_test]
fn optional_fields_absent_stay_absent() {
    let mut view = full_view(Stage::Ordered, Tag::Pending, None, None);
    view.tracking_number = None;
    view.carrier = None;
    view.status.subtag = None;
    view.expected_delivery = None;
    view.links.tracking_number = None;
    view.links.aftership = None;
    view.stale = false;
    view.status.awaiting_first_scan = false;
    view.timeline.clear();
    assert_eq!(round_trip(&view).as_ref(), Some(&view));
    let not_a_view = js_sys::JSON::parse(r#"{"error":{"code":"not_found"}}"#).unwrap();
    assert_eq!(waymark_widget::decode::tracking_view(&not_a_view), None);
}

/// Every kind of timing line, each relative day and each estimate source.
fn every_when() -> Vec<When> {
    let at = |text: &str| text.parse::<Timestamp>().unwrap();
    let leaves = |relative_day| When::Leaves {
        estimate: LeaveEstimate {
            from: at("2026-11-23T19:30:00Z"),
            to: at("2026-11-23T22:00:00Z"),
            local_date: parse_local_date("2026-11-23").unwrap(),
            local_from: LocalTime::new(14, 30).unwrap(),
            local_to: LocalTime::new(17, 0).unwrap(),
            zone_abbreviation: "EST".into(),
            relative_day,
        },
        time_zone: "America/New_York".into(),
    };
    let mut all = vec![leaves(RelativeDay::Today), leaves(RelativeDay::Tomorrow)];
    all.extend(Day::ALL.map(|day| leaves(RelativeDay::On(day))));
    for source in ESTIMATE_SOURCES {
        for date in ["2026-11-26T00:00:00", "2026-11-26T18:00:00+09:00"] {
            all.push(When::Arrives {
                date: date.into(),
                source,
            });
        }
    }
    for moving in [true, false] {
        all.push(When::Stalled {
            since: at("2026-11-20T09:00:00.250Z"),
            moving,
        });
    }
    all
}

#[wasm_bindgen_test]
fn every_timing_line_survives() {
    for when in every_when() {
        let mut view = full_view(Stage::Prepared, Tag::Pending, None, None);
        view.when = Some(when.clone());
        assert_eq!(round_trip(&view).as_ref(), Some(&view), "{when:?}");
    }
}

#[wasm_bindgen_test]
fn a_timing_line_the_widget_cannot_read_is_left_out() {
    let view = full_view(Stage::Prepared, Tag::Pending, None, None);
    let json = serde_json::to_string(&view).unwrap();
    for odd in [
        r#"{"kind":"soon"}"#,
        r#"{"kind":"stalled","since":"yesterday","moving":true}"#,
        r#"{"kind":"leaves","from":"2026-11-23T19:30:00Z"}"#,
        r#""leaves""#,
    ] {
        let body = [&json[..json.len() - 1], r#","when":"#, odd, "}"].concat();
        let decoded = waymark_widget::decode::tracking_view(&js_sys::JSON::parse(&body).unwrap());
        assert_eq!(
            decoded.as_ref(),
            Some(&view),
            "{odd}: the rest of the view is kept"
        );
    }
}

#[cfg(feature = "order")]
#[wasm_bindgen_test]
fn an_order_answer_gives_each_shipment_in_order() {
    let first = full_view(Stage::Shipped, Tag::InTransit, None, None);
    let mut second = full_view(Stage::Prepared, Tag::Pending, None, None);
    second.itn = "WM-0000-0000-0000-00".into();
    let body = serde_json::json!({"order_ref": "#1001", "shipments": [first, second]}).to_string();
    let parsed = js_sys::JSON::parse(&body).unwrap();
    assert_eq!(
        waymark_widget::decode::order_shipments(&parsed),
        Some(vec![first, second])
    );
    let not_an_order = js_sys::JSON::parse(r#"{"error":{"code":"not_found"}}"#).unwrap();
    assert_eq!(waymark_widget::decode::order_shipments(&not_an_order), None);
}
