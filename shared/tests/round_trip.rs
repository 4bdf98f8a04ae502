//! Whatever the API accepts can be read back: every request body that validates becomes a
//! stored value that serialises and reads back equal, through the same path the edge uses to
//! read storage. Inputs are generated to be hostile: odd years and offsets, control and
//! invisible characters, every Unicode plane.

use proptest::prelude::*;
use shared::api::{
    parse_body, AttachTrackingRequest, CheckpointEventRequest, CreateMerchantRequest,
    CreateShipmentRequest, MerchantConfig, PutCheckpointsRequest,
};
use shared::shipment::{AttachPlan, ShipmentEvent, ShipmentRecord};
use shared::{Itn, Timestamp};

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

/// Text that is mostly plausible but often hostile.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 #._-]{0,40}",
        any::<String>(),
        "[\u{0}-\u{1f}\u{202a}-\u{202e}\u{200b}\u{feff} a-z]{0,10}",
        "[ -~\u{80}-\u{10ffff}]{0,30}",
    ]
}

/// RFC 3339-looking times across the whole range of years and offsets, and near misses.
fn time_text() -> impl Strategy<Value = String> {
    (
        // Years near the edges of what can be printed and of the accepted range, and anywhere.
        prop_oneof![
            0u32..3,
            1998u32..2002,
            2098u32..2102,
            9998u32..10_000,
            0u32..10_000
        ],
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        prop_oneof![
            Just("Z".to_string()),
            (-18i32..=18, 0u32..60).prop_map(|(h, m)| format!(
                "{}{:02}:{:02}",
                if h < 0 { '-' } else { '+' },
                h.abs(),
                m
            )),
            Just(String::new()),
        ],
    )
        .prop_map(|(y, mo, d, h, mi, off)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{off}"))
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn accepted_instants_print_and_parse_back_equal(input in time_text()) {
        if let Ok(t) = input.parse::<Timestamp>() {
            prop_assert!((Timestamp::MIN..=Timestamp::MAX).contains(&t));
            prop_assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t));
            let json = serde_json::to_string(&t).unwrap();
            prop_assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        }
    }

    #[test]
    fn accepted_merchants_read_back_equal(name in text(), origin in text(), page in text()) {
        let body = format!(
            r#"{{"id":"acme","name":{},"allowed_origins":[{}],"aftership_page":{}}}"#,
            json_string(&name), json_string(&origin), json_string(&page)
        );
        let Ok(new) = parse_body::<CreateMerchantRequest>(body.as_bytes()).and_then(CreateMerchantRequest::validate) else {
            return Ok(());
        };
        let config = MerchantConfig {
            id: new.id,
            name: new.name,
            allowed_origins: new.allowed_origins,
            aftership_page: new.aftership_page,
            checkpoints: vec![],
            key_hash: "00".repeat(32),
            created_at: now(),
            tracking_number_display: Default::default(),
            settings: None,
        };
        let json = serde_json::to_string(&config).unwrap();
        prop_assert_eq!(serde_json::from_str::<MerchantConfig>(&json).unwrap(), config);
    }

    #[test]
    fn accepted_shipment_input_reads_back_equal(
        order_ref in text(),
        labels in prop::collection::vec(text(), 1..4),
        tn in prop_oneof!["[A-Za-z0-9 /._-]{0,20}", text()],
        at in prop_oneof![time_text(), text()],
        seed in any::<[u8; 9]>(),
    ) {
        let checkpoints = format!(
            r#"{{"checkpoints":[{}]}}"#,
            labels.iter().map(|l| format!(r#"{{"label":{}}}"#, json_string(l))).collect::<Vec<_>>().join(",")
        );
        let Ok(checkpoints) = parse_body::<PutCheckpointsRequest>(checkpoints.as_bytes()).and_then(PutCheckpointsRequest::validate) else {
            return Ok(());
        };
        let shipment = format!(r#"{{"order_ref":{}}}"#, json_string(&order_ref));
        let Ok(new) = parse_body::<CreateShipmentRequest>(shipment.as_bytes()).and_then(CreateShipmentRequest::validate) else {
            return Ok(());
        };
        let (order_ref, fulfillment_ref, channel) = (new.order_ref, new.fulfillment_ref, new.channel);
        let itn = Itn::from_random(seed);
        let mut record = ShipmentRecord::new(
            "acme".parse().unwrap(),
            itn,
            ShipmentEvent::Created { at: now(), order_ref, fulfillment_ref, checkpoints, channel },
        );
        for role in ["", r#","role":"local""#] {
            let attach = format!(r#"{{"tracking_number":{}{role}}}"#, json_string(&tn));
            if let Ok(new) = parse_body::<AttachTrackingRequest>(attach.as_bytes()).and_then(AttachTrackingRequest::validate) {
                let plan = record.state().unwrap().plan_attach(new.role, new.tracking_number, new.slug, None, now());
                if let Ok(AttachPlan::Attach { event, .. }) = plan {
                    record.events.push(event);
                }
            }
        }
        let event = format!(r#"{{"checkpoint":0,"at":{}}}"#, json_string(&at));
        if let Ok((index, at)) = parse_body::<CheckpointEventRequest>(event.as_bytes()).and_then(CheckpointEventRequest::validate) {
            if let Ok(event) = record.state().unwrap().mark_reached(index, at, now()) {
                record.events.push(event);
            }
        }
        // Read back through the edge's storage path: nothing skipped, everything equal.
        let json = serde_json::to_string(&record).unwrap();
        let stored = ShipmentRecord::from_stored(&json).unwrap();
        prop_assert_eq!(stored.skipped, 0);
        prop_assert_eq!(&stored.record, &record);
        prop_assert!(stored.record.state().is_ok());
    }
}
