//! Every recorded AfterShip payload parses, and reads as what it records.

mod common;

use common::{fixture, fixtures_dir};
use shared::aftership::{
    read_envelope, tracking_in_data, trackings_in_data, ApiError, CarrierCheckpoint,
    CarrierTracking, Tag,
};

#[test]
fn every_2xx_fixture_that_holds_a_tracking_parses() {
    let mut trackings = 0;
    let mut files: Vec<_> = std::fs::read_dir(fixtures_dir().join("v4"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "fixtures missing: found {}", files.len());
    for path in files {
        let body = std::fs::read(&path).unwrap();
        let data = read_envelope(200, &body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let list = trackings_in_data(&data);
        if !list.is_empty() {
            trackings += list.len();
            for t in &list {
                assert!(t.tracking_number.is_some(), "{}", path.display());
            }
        } else if let Some(tracking) = tracking_in_data(&data) {
            let t = CarrierTracking::from_value(tracking);
            assert!(
                t.tracking_number.is_some() || t.id.is_some(),
                "{}",
                path.display()
            );
            trackings += 1;
        } else if let Some(checkpoint) = data.get("checkpoint") {
            // /last_checkpoint: a single checkpoint object (sometimes with every field null).
            assert!(
                CarrierCheckpoint::from_value(checkpoint).is_some(),
                "{}",
                path.display()
            );
        }
    }
    assert!(trackings >= 20, "only {trackings} trackings found");
}

#[test]
fn fedex_delivered_fixture_reads_fully() {
    let t = CarrierTracking::from_response(200, &fixture("v4/javasdk__GetTrackingResult.json"))
        .unwrap();
    assert_eq!(t.tag, Some(Tag::Delivered));
    assert_eq!(t.slug.as_deref(), Some("fedex"));
    assert_eq!(t.checkpoints.len(), 14);
    let first = &t.checkpoints[0];
    assert_eq!(
        first.location, None,
        "first checkpoint has null location and country"
    );
    let offsets: std::collections::BTreeSet<_> = t
        .checkpoints
        .iter()
        .filter_map(|c| c.time.as_ref())
        .map(|t| t.as_str()[19..].to_string())
        .collect();
    assert_eq!(
        offsets.into_iter().collect::<Vec<_>>(),
        vec!["+08:00", "+09:00", "-05:00"]
    );
}

#[test]
fn times_without_offsets_and_utc_with_milliseconds_parse() {
    let naive =
        CarrierTracking::from_response(200, &fixture("v4/javasdk__UpdateTrackingResult.json"))
            .unwrap();
    assert_eq!(naive.checkpoints.len(), 11);
    assert!(naive
        .checkpoints
        .iter()
        .all(|c| c.time.as_ref().is_some_and(|t| !t.has_offset())));
    let zulu = CarrierTracking::from_response(
        200,
        &fixture("v4/pysdk__TrackingWithAdditionalFieldsTestCase.test_update_tracking__0.json"),
    )
    .unwrap();
    assert!(zulu.checkpoints.iter().all(|c| c
        .time
        .as_ref()
        .is_some_and(|t| t.has_offset() && t.as_str().ends_with('Z'))));
    let plus_one = CarrierTracking::from_response(
        200,
        &fixture("v4/pysdk__TrackingWithAdditionalFieldsTestCase.test_get_tracking_by_id__0.json"),
    )
    .unwrap();
    // The same scans as the UTC version, one hour ahead on the wall clock: the same instants.
    let instants = |t: &CarrierTracking| {
        t.checkpoints
            .iter()
            .map(|c| c.time.as_ref().map(|t| t.sort_key()))
            .collect::<Vec<_>>()
    };
    assert_eq!(instants(&plus_one), instants(&zulu));
}

#[test]
fn pending_trackings_and_tag_mismatches_read_as_recorded() {
    let created =
        CarrierTracking::from_response(201, &fixture("v4/javasdk__CreateTrackingResult.json"))
            .unwrap();
    assert_eq!(created.tag, Some(Tag::Pending));
    assert_eq!(created.subtag.as_deref(), Some("Pending_001"));
    assert!(created.checkpoints.is_empty());
    let completed =
        CarrierTracking::from_response(200, &fixture("v4/javasdk__MarkAsCompletedResult.json"))
            .unwrap();
    assert_eq!(completed.tag, Some(Tag::Exception));
    assert_eq!(completed.subtag.as_deref(), Some("Exception_013"));
    assert_eq!(
        completed.checkpoints.last().and_then(|c| c.tag),
        Some(Tag::Delivered)
    );
}

#[test]
fn personal_data_in_payloads_never_reaches_the_model() {
    for name in [
        "v4/javasdk__GetTrackingsResult.json",
        "v4/pysdk__TrackingTestCase.test_update_tracking__0.json",
        "v4/javasdk__GetTrackingResult.json",
    ] {
        let data = read_envelope(200, &fixture(name)).unwrap();
        let mut all = trackings_in_data(&data);
        if all.is_empty() {
            all.push(CarrierTracking::from_value(
                tracking_in_data(&data).unwrap(),
            ));
        }
        let serialised = serde_json::to_string(&all).unwrap();
        for personal in ["@", "customer_name", "emails", "smses", "order_id", "title"] {
            assert!(!serialised.contains(personal), "{name} leaked {personal:?}");
        }
    }
}

#[test]
fn error_fixtures_become_typed_errors() {
    let table: &[(&str, u16, ApiError)] = &[
        ("errors/javasdk__Error.json", 401, ApiError::Unauthorized),
        ("errors/pyaftership__error_invalid_api_key.json", 401, ApiError::Unauthorized),
        ("errors/pyaftership__error_created_tracking_number_is_failed.json", 400, ApiError::AlreadyExists),
        ("errors/pyaftership__error_server_is_down.json", 500, ApiError::Server { status: 500 }),
        ("errors/pysdk__TrackingWithAdditionalFieldsTestCase.test_get_tracking_with_internal_error__0.txt", 502, ApiError::Malformed { status: 502 }),
    ];
    for (name, status, expected) in table {
        assert_eq!(
            read_envelope(*status, &fixture(name)).unwrap_err(),
            *expected,
            "{name}"
        );
    }
}
