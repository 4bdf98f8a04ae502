//! Any bytes as an AfterShip response body, at any status: parsing, then merging into a view,
//! must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::aftership::CarrierTracking;
use shared::merge::{merge, CarrierSide, MergeFacts, MergeInput};
use shared::shipment::{CheckpointDef, ReachedBy, Shipment, ShipmentEvent};
use shared::{Itn, Timestamp};

fuzz_target!(|input: &[u8]| {
    let (status, body) = match input.split_first() {
        Some((first, rest)) => ([200u16, 201, 400, 401, 404, 429, 500, 502][usize::from(*first) % 8], rest),
        None => (200, input),
    };
    let Ok(tracking) = CarrierTracking::from_response(status, body) else { return };
    let created = ShipmentEvent::Created {
        channel: None,
        at: Timestamp(0),
        order_ref: "#1".into(),
        fulfillment_ref: None,
        checkpoints: vec![CheckpointDef { label: "Shipping label created".into(), reached_by: ReachedBy::Label }],
    };
    let Ok(shipment) = Shipment::replay(&"acme".parse().unwrap(), Itn::from_random([1; 9]), &[created]) else { return };
    let view = merge(&MergeInput {
        merchant: &MergeFacts { id: "acme".into(), name: "Acme".into(), aftership_page: None },
        shipment: &shipment,
        carrier: CarrierSide::Known { tracking: Some(&tracking), fetched_at: None, stale: false },
        base_url: Some("https://edge.example"),
    });
    let _ = view.timeline.len();
});
