//! Reads the TrackingView from the object the browser's `JSON.parse` produced, field by field
//! through `Reflect`. Deliberately not serde: serde's error paths pull float formatting into
//! the wasm (about 13 KB), and a shopper's download is worth more than a derive.
//! The enum spellings are shared's own (`shared::presentation`), tested there against serde's.
//! Missing or odd fields degrade to defaults; a body without an ITN is not a view at all.

use js_sys::{Array, Reflect};
use shared::aftership::{EstimateSource, Tag};
use shared::calendar::{LeaveEstimate, RelativeDay};
use shared::presentation::{
    alert_from_wire, day_from_wire, estimate_source_from_wire, local_time_from_wire,
    meaning_from_wire, source_from_wire, stage_from_wire,
};
use shared::promise::When;
use shared::settings::{parse_local_date, LocalTime};
use shared::shipment::TrackingRole;
use shared::stage::Stage;
use shared::view::{
    CarrierSummary, Links, MerchantSummary, Progress, Source, Status, TimelineEntry,
    TrackingNumberView, TrackingView,
};
use wasm_bindgen::JsValue;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

fn flag(object: &JsValue, key: &str) -> bool {
    get(object, key).as_bool().unwrap_or(false)
}

fn small(object: &JsValue, key: &str) -> Option<u8> {
    get(object, key).as_f64().map(|n| n as u8)
}

fn entry(value: &JsValue) -> TimelineEntry {
    TimelineEntry {
        source: text(value, "source")
            .as_deref()
            .and_then(source_from_wire)
            .unwrap_or(Source::Merchant),
        label: text(value, "label").unwrap_or_default(),
        time: text(value, "time"),
        location: text(value, "location"),
        tag: text(value, "tag").as_deref().and_then(Tag::parse),
        done: flag(value, "done"),
    }
}

fn carrier_summary(carrier: &JsValue) -> Option<CarrierSummary> {
    text(carrier, "slug").map(|slug| CarrierSummary {
        name: text(carrier, "name").unwrap_or_else(|| slug.clone()),
        slug,
    })
}

fn number(value: &JsValue) -> Option<TrackingNumberView> {
    Some(TrackingNumberView {
        number: text(value, "number")?,
        role: if text(value, "role").as_deref() == Some("local") {
            TrackingRole::Local
        } else {
            TrackingRole::Default
        },
        carrier: carrier_summary(&get(value, "carrier")),
        link: text(value, "link").unwrap_or_default(),
        aftership: text(value, "aftership").unwrap_or_default(),
        reported: flag(value, "reported"),
    })
}

/// `"today"`, `"tomorrow"` or `{"on": "mon"}`.
fn relative_day(value: &JsValue) -> Option<RelativeDay> {
    match value.as_string().as_deref() {
        Some("today") => Some(RelativeDay::Today),
        Some("tomorrow") => Some(RelativeDay::Tomorrow),
        Some(_) => None,
        None => text(value, "on")
            .as_deref()
            .and_then(day_from_wire)
            .map(RelativeDay::On),
    }
}

fn local_time(value: &JsValue, key: &str) -> Option<LocalTime> {
    local_time_from_wire(&text(value, key)?)
}

/// The timing line; one the widget cannot read is left out (the line is not shown).
fn when(value: &JsValue) -> Option<When> {
    let instant = |key: &str| text(value, key)?.parse().ok();
    match text(value, "kind")?.as_str() {
        "leaves" => Some(When::Leaves {
            estimate: LeaveEstimate {
                from: instant("from")?,
                to: instant("to")?,
                local_date: parse_local_date(&text(value, "local_date")?)?,
                local_from: local_time(value, "local_from")?,
                local_to: local_time(value, "local_to")?,
                zone_abbreviation: text(value, "zone_abbreviation").unwrap_or_default(),
                relative_day: relative_day(&get(value, "relative_day"))?,
            },
            time_zone: text(value, "time_zone")?,
        }),
        "arrives" => Some(When::Arrives {
            date: text(value, "date")?,
            source: text(value, "source")
                .as_deref()
                .and_then(estimate_source_from_wire)
                .unwrap_or(EstimateSource::Carrier),
        }),
        "stalled" => Some(When::Stalled {
            since: instant("since")?,
            moving: flag(value, "moving"),
        }),
        _ => None,
    }
}

/// The shipments of an order lookup's answer (`{"order_ref", "shipments": [TrackingView…]}`),
/// in the answer's order; `None` when the body is not such an answer.
#[cfg(feature = "order")]
pub fn order_shipments(body: &JsValue) -> Option<Vec<TrackingView>> {
    let shipments = get(body, "shipments");
    Array::is_array(&shipments).then(|| {
        Array::from(&shipments)
            .iter()
            .filter_map(|v| tracking_view(&v))
            .collect()
    })
}

pub fn tracking_view(body: &JsValue) -> Option<TrackingView> {
    let itn = text(body, "itn")?;
    let status = get(body, "status");
    let progress = get(body, "progress");
    let links = get(body, "links");
    let carrier = get(body, "carrier");
    let merchant = get(body, "merchant");
    let stage = text(&progress, "stage")
        .as_deref()
        .and_then(stage_from_wire)
        .unwrap_or(Stage::Ordered);
    let timeline = get(body, "timeline");
    let timeline = if Array::is_array(&timeline) {
        Array::from(&timeline).iter().map(|v| entry(&v)).collect()
    } else {
        Vec::new()
    };
    let numbers = get(body, "tracking_numbers");
    let tracking_numbers = if Array::is_array(&numbers) {
        Array::from(&numbers)
            .iter()
            .filter_map(|v| number(&v))
            .collect()
    } else {
        Vec::new()
    };
    Some(TrackingView {
        merchant: MerchantSummary {
            id: text(&merchant, "id").unwrap_or_default(),
            name: text(&merchant, "name").unwrap_or_default(),
        },
        links: Links {
            itn: text(&links, "itn").unwrap_or_default(),
            tracking_number: text(&links, "tracking_number"),
            aftership: text(&links, "aftership"),
        },
        itn,
        tracking_number: text(body, "tracking_number"),
        carrier: carrier_summary(&carrier),
        status: Status {
            tag: text(&status, "tag")
                .as_deref()
                .and_then(Tag::parse)
                .unwrap_or(Tag::Pending),
            subtag: text(&status, "subtag"),
            label: text(&status, "label").unwrap_or_default(),
            meaning: text(&status, "meaning")
                .as_deref()
                .and_then(meaning_from_wire),
            awaiting_first_scan: flag(&status, "awaiting_first_scan"),
        },
        progress: Progress {
            stage,
            step: small(&progress, "step").unwrap_or(stage.step()),
            steps: small(&progress, "steps").unwrap_or(Stage::ALL.len() as u8),
            alert: text(&progress, "alert")
                .as_deref()
                .and_then(alert_from_wire),
        },
        expected_delivery: text(body, "expected_delivery"),
        timeline,
        updated_at: text(body, "updated_at").unwrap_or_default(),
        stale: flag(body, "stale"),
        tracking_numbers,
        when: when(&get(body, "when")),
    })
}
