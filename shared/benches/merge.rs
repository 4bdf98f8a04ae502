//! Parse + merge cost for a realistic tracking (the 14-checkpoint FedEx fixture) and a large
//! one (500 checkpoints), each beside a baseline measured in the same run: parsing the same
//! bytes into a bare `serde_json::Value`. Run: `cargo bench -p waymark-shared`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use shared::aftership::CarrierTracking;
use shared::merge::{merge, CarrierSide, Carriers, MergeFacts, MergeInput};
use shared::shipment::{CheckpointDef, ReachedBy, Shipment, ShipmentEvent};
use shared::{Itn, Timestamp};

fn fixture() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/aftership/v4/javasdk__GetTrackingResult.json");
    std::fs::read(path).expect("fixture")
}

fn large(n: usize) -> Vec<u8> {
    let checkpoints: Vec<String> = (0..n)
        .map(|i| {
            let offset = ["+08:00", "-05:00", "Z", ""][i % 4];
            format!(
                r#"{{"checkpoint_time":"2026-11-{:02}T{:02}:{:02}:00{offset}","message":"Scan {i} at facility","city":"City {i}","country_region":"USA","tag":"InTransit","subtag":"InTransit_00{}"}}"#,
                1 + (i / 60) % 28,
                (i / 3) % 24,
                i % 60,
                i % 9
            )
        })
        .collect();
    format!(r#"{{"meta":{{"code":200}},"data":{{"id":"x","tracking_number":"1Z","slug":"ups","tag":"InTransit","checkpoints":[{}]}}}}"#, checkpoints.join(",")).into_bytes()
}

fn shipment() -> Shipment {
    let created = ShipmentEvent::Created {
        channel: None,
        at: Timestamp(1_700_000_000_000),
        order_ref: "#1".into(),
        fulfillment_ref: None,
        checkpoints: ["Located", "Packed", "Shipping label created"]
            .iter()
            .map(|l| CheckpointDef {
                label: l.to_string(),
                reached_by: ReachedBy::infer(l),
            })
            .collect(),
    };
    let attached = ShipmentEvent::TrackingAttached {
        tracking_number: "1Z999AA10123456784".parse().unwrap(),
        slug: None,
        at: Timestamp(1_700_000_100_000),
        role: Default::default(),
    };
    Shipment::replay(
        &"acme".parse().unwrap(),
        Itn::from_random([1; 9]),
        &[created, attached],
    )
    .unwrap()
}

fn parse_and_merge(body: &[u8], shipment: &Shipment, facts: &MergeFacts) -> usize {
    let tracking = CarrierTracking::from_response(200, body).unwrap();
    let view = merge(&MergeInput {
        merchant: facts,
        shipment,
        carriers: Carriers::single(CarrierSide::Known {
            tracking: Some(&tracking),
            fetched_at: None,
            stale: false,
        }),
        base_url: Some("https://edge.example"),
    });
    // Serialising the view is part of answering a lookup.
    serde_json::to_vec(&view).unwrap().len()
}

fn bench(c: &mut Criterion) {
    let shipment = shipment();
    let facts = MergeFacts {
        id: "acme".into(),
        name: "Acme".into(),
        aftership_page: None,
        tracking_number_display: Default::default(),
    };
    for (name, body) in [("fedex_14", fixture()), ("large_500", large(500))] {
        let mut group = c.benchmark_group(name);
        group.bench_function("baseline_json_value_parse", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap())
        });
        group.bench_function("parse_merge_serialise", |b| {
            b.iter(|| parse_and_merge(black_box(&body), &shipment, &facts))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
