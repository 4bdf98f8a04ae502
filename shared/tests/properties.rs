//! Properties of the merge and of ITNs, checked over generated inputs.

mod common;

use common::{shipment_with, ts};
use proptest::prelude::*;
use shared::aftership::{CarrierCheckpoint, CarrierTracking, Tag};
use shared::merge::{merge, CarrierSide, Carriers, MergeFacts, MergeInput};
use shared::shipment::ShipmentEvent;
use shared::time::CarrierTime;
use shared::view::{Source, TrackingView};
use shared::Itn;

const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn any_tag() -> impl Strategy<Value = Option<Tag>> {
    prop_oneof![Just(None), (0usize..9).prop_map(|i| Some(Tag::ALL[i]))]
}

/// Checkpoints with distinct instants, in mixed offsets and formats.
fn checkpoints() -> impl Strategy<Value = Vec<CarrierCheckpoint>> {
    prop::collection::btree_set(0i64..5_000, 0..25)
        .prop_flat_map(|minutes| {
            let minutes: Vec<i64> = minutes.into_iter().collect();
            let n = minutes.len();
            (
                Just(minutes),
                prop::collection::vec(
                    (any_tag(), -12i64..=14, "[a-zA-Zé ]{0,12}", any::<bool>()),
                    n,
                ),
            )
        })
        .prop_map(|(minutes, details)| {
            minutes
                .into_iter()
                .zip(details)
                .map(|(minute, (tag, offset_hours, message, located))| {
                    let instant = ts("2026-11-01T00:00:00Z").plus_seconds(minute * 60);
                    let local =
                        shared::Timestamp(instant.millis() + offset_hours * 3_600_000).to_string();
                    let text = format!("{}{:+03}:00", &local[..19], offset_hours);
                    CarrierCheckpoint {
                        time: CarrierTime::parse(&text),
                        message,
                        location: located.then(|| "Somewhere".to_string()),
                        tag,
                        subtag: None,
                    }
                })
                .collect()
        })
}

fn view_of(checkpoints: Vec<CarrierCheckpoint>, tag: Option<Tag>) -> TrackingView {
    let shipment = shipment_with(vec![ShipmentEvent::TrackingAttached {
        tracking_number: "1Z999AA10123456784".parse().unwrap(),
        slug: None,
        at: ts("2026-11-01T00:00:00Z"),
        role: Default::default(),
    }]);
    let tracking = CarrierTracking {
        tag,
        checkpoints,
        ..Default::default()
    };
    merge(&MergeInput {
        merchant: &MergeFacts {
            id: "acme".into(),
            name: "Acme".into(),
            aftership_page: None,
            tracking_number_display: Default::default(),
        },
        shipment: &shipment,
        carriers: Carriers::single(CarrierSide::Known {
            tracking: Some(&tracking),
            fetched_at: None,
            stale: false,
        }),
        base_url: Some("https://edge.example"),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The carrier part of the timeline is every distinct scan once, oldest first by instant
    /// (offsets respected), whatever order and mix of offsets the carrier used.
    #[test]
    fn the_timeline_holds_every_scan_once_in_true_time_order(cps in checkpoints(), tag in any_tag()) {
        let view = view_of(cps.clone(), tag);
        let carrier: Vec<_> = view.timeline.iter().filter(|e| e.source == Source::Carrier).collect();
        prop_assert_eq!(carrier.len(), cps.len());
        let instants: Vec<i64> = carrier
            .iter()
            .map(|e| CarrierTime::parse(e.time.as_deref().unwrap()).unwrap().sort_key())
            .collect();
        prop_assert!(instants.windows(2).all(|w| w[0] < w[1]), "{:?}", instants);
        let mut expected: Vec<i64> = cps.iter().map(|c| c.time.as_ref().unwrap().sort_key()).collect();
        expected.sort_unstable();
        prop_assert_eq!(instants, expected);
    }

    /// Whatever the merge produces serialises and reads back equal (the widget and the edge's
    /// cache both depend on it).
    #[test]
    fn views_round_trip_through_json(cps in checkpoints(), tag in any_tag()) {
        let view = view_of(cps, tag);
        let json = serde_json::to_string(&view).unwrap();
        prop_assert_eq!(serde_json::from_str::<TrackingView>(&json).unwrap(), view);
    }

    #[test]
    fn merge_ignores_the_order_checkpoints_arrive_in(cps in checkpoints(), tag in any_tag(), seed in any::<u64>()) {
        let mut shuffled = cps.clone();
        // A deterministic shuffle from the seed (Fisher-Yates with an LCG).
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(view_of(cps, tag), view_of(shuffled, tag));
    }

    #[test]
    fn merging_the_same_carrier_data_twice_changes_nothing(cps in checkpoints(), tag in any_tag()) {
        let mut twice = cps.clone();
        twice.extend(cps.clone());
        prop_assert_eq!(view_of(cps, tag), view_of(twice, tag));
    }

    #[test]
    fn stage_never_regresses_as_checkpoints_are_appended(cps in checkpoints(), tag in any_tag()) {
        let mut previous = view_of(Vec::new(), tag).progress.stage;
        for n in 1..=cps.len() {
            let stage = view_of(cps[..n].to_vec(), tag).progress.stage;
            prop_assert!(stage >= previous, "{:?} after {:?}", stage, previous);
            previous = stage;
        }
    }

    #[test]
    fn itns_round_trip(bytes in any::<[u8; 9]>()) {
        let itn = Itn::from_random(bytes);
        prop_assert_eq!(itn.to_string().parse::<Itn>(), Ok(itn));
        prop_assert_eq!(itn.compact().to_lowercase().parse::<Itn>(), Ok(itn));
    }

    #[test]
    fn every_single_wrong_character_is_caught(bytes in any::<[u8; 9]>(), position in 0usize..14, replacement in 0usize..32) {
        let itn = Itn::from_random(bytes);
        let mut chars: Vec<u8> = itn.compact().into_bytes();
        prop_assume!(chars[position] != CROCKFORD[replacement]);
        chars[position] = CROCKFORD[replacement];
        let typo = String::from_utf8(chars).unwrap();
        prop_assert!(typo.parse::<Itn>().is_err(), "{} accepted as a typo of {}", typo, itn);
    }

    #[test]
    fn every_swap_of_two_neighbours_is_caught(bytes in any::<[u8; 9]>(), position in 0usize..13) {
        let itn = Itn::from_random(bytes);
        let mut chars: Vec<u8> = itn.compact().into_bytes();
        prop_assume!(chars[position] != chars[position + 1]);
        chars.swap(position, position + 1);
        let swapped = String::from_utf8(chars).unwrap();
        prop_assert!(swapped.parse::<Itn>().is_err(), "{} accepted as a swap of {}", swapped, itn);
    }
}

/// The detection guarantees are small enough to check exhaustively for one ITN.
#[test]
fn exhaustive_single_errors_and_swaps_for_one_itn() {
    for seed in [[0u8; 9], [255; 9], [0x5a; 9]] {
        let itn = Itn::from_random(seed);
        let compact = itn.compact().into_bytes();
        for position in 0..compact.len() {
            for &replacement in CROCKFORD {
                if replacement == compact[position] {
                    continue;
                }
                let mut typo = compact.clone();
                typo[position] = replacement;
                assert!(String::from_utf8(typo).unwrap().parse::<Itn>().is_err());
            }
            if position + 1 < compact.len() && compact[position] != compact[position + 1] {
                let mut swapped = compact.clone();
                swapped.swap(position, position + 1);
                assert!(String::from_utf8(swapped).unwrap().parse::<Itn>().is_err());
            }
        }
    }
}
