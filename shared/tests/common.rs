//! Helpers shared by the integration tests: fixtures and shipments.
#![allow(dead_code)]

use std::path::PathBuf;

use shared::shipment::{CheckpointDef, ReachedBy, Shipment, ShipmentEvent};
use shared::{Itn, MerchantId, Timestamp};

/// The recorded AfterShip payloads in `tests/fixtures/aftership/` (see its SOURCES.md).
pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("WAYMARK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/aftership")
        })
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

pub fn defaults() -> Vec<CheckpointDef> {
    [
        "Merchandise located and reserved",
        "Merchandise prepped and packed for shipping",
        "Shipping label created",
    ]
    .iter()
    .map(|label| CheckpointDef {
        label: label.to_string(),
        reached_by: ReachedBy::infer(label),
    })
    .collect()
}

pub fn shipment_with(events: Vec<ShipmentEvent>) -> Shipment {
    let mut all = vec![ShipmentEvent::Created {
        channel: None,
        at: ts("2026-11-20T09:00:00Z"),
        order_ref: "#1001".into(),
        fulfillment_ref: None,
        checkpoints: defaults(),
    }];
    all.extend(events);
    Shipment::replay(
        &"acme".parse::<MerchantId>().unwrap(),
        Itn::from_random([3; 9]),
        &all,
    )
    .unwrap()
}
