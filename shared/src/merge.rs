//! The merge: a shipment's merchant checkpoints and the carrier's tracking, into one view.

use crate::aftership::{CarrierCheckpoint, CarrierTracking, SubtagMeaning, Tag};
use crate::cache::CarrierCache;
use crate::shipment::{ReachedBy, Registration, Shipment};
use crate::stage::{stage_reached, Alert, Stage};
use crate::time::Timestamp;
use crate::view::{
    CarrierSummary, Links, MerchantSummary, Progress, Source, Status, TimelineEntry, TrackingView,
};

/// The merchant facts the view needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeFacts {
    pub id: String,
    pub name: String,
    /// The merchant's branded AfterShip page, e.g. `https://acme.aftership.com`.
    pub aftership_page: Option<String>,
}

/// What is known of the carrier side of a shipment.
#[derive(Debug, Clone, Copy)]
pub enum CarrierSide<'a> {
    /// AfterShip has answered for this TN (its registration or a read). `tracking` is `None`
    /// when it knows no data for the TN yet.
    Known {
        tracking: Option<&'a CarrierTracking>,
        /// When the carrier data was last read successfully.
        fetched_at: Option<Timestamp>,
        /// The last read failed: this is the last known data.
        stale: bool,
    },
    /// A TN is attached but AfterShip could not be asked yet or failed to answer (registration
    /// pending). Nothing can be said about the carrier's scans: the view is stale.
    Unread { failed: bool },
}

impl<'a> CarrierSide<'a> {
    /// No carrier data at all (no TN, or nothing read yet).
    pub const NONE: CarrierSide<'static> = CarrierSide::Known {
        tracking: None,
        fetched_at: None,
        stale: false,
    };

    fn tracking(&self) -> Option<&'a CarrierTracking> {
        match self {
            CarrierSide::Known { tracking, .. } => *tracking,
            CarrierSide::Unread { .. } => None,
        }
    }
}

impl From<&crate::api::MerchantConfig> for MergeFacts {
    fn from(config: &crate::api::MerchantConfig) -> MergeFacts {
        MergeFacts {
            id: config.id.to_string(),
            name: config.name.clone(),
            aftership_page: config.aftership_page.clone(),
        }
    }
}

/// What a shipment's stored state says about its carrier side: nothing before a TN; unread
/// while the registration is pending (failed, if it was tried); else AfterShip's last answer.
pub fn carrier_side<'a>(shipment: &Shipment, cache: &'a CarrierCache) -> CarrierSide<'a> {
    match shipment.tracking.as_ref().map(|t| &t.registration) {
        None => CarrierSide::NONE,
        Some(Registration::Pending { attempts, .. }) => CarrierSide::Unread {
            failed: *attempts > 0,
        },
        Some(Registration::Registered { .. }) => CarrierSide::Known {
            tracking: cache.tracking.as_ref(),
            fetched_at: cache.fetched_at,
            stale: cache.failing,
        },
    }
}

/// Everything the merge decides from. There is no clock: nothing in the view depends on now.
#[derive(Debug, Clone)]
pub struct MergeInput<'a> {
    pub merchant: &'a MergeFacts,
    pub shipment: &'a Shipment,
    pub carrier: CarrierSide<'a>,
    /// The edge's configured public origin (e.g. `https://track.example.com`) for absolute
    /// links, or `None` for links relative to the edge (`/t/…`). Never taken from a request.
    pub base_url: Option<&'a str>,
}

pub const AFTERSHIP_PUBLIC_PAGE: &str = "https://track.aftership.com";
pub const AWAITING_FIRST_SCAN: &str = "Label created, waiting for the carrier's first scan";
pub const CARRIER_UNREAD: &str = "Carrier status not available yet";

pub fn merge(input: &MergeInput<'_>) -> TrackingView {
    let shipment = input.shipment;
    let carrier = input.carrier.tracking();
    let (carrier_fetched_at, stale, carrier_answered) = match input.carrier {
        CarrierSide::Known {
            fetched_at, stale, ..
        } => (fetched_at, stale, true),
        CarrierSide::Unread { failed } => (None, failed, false),
    };
    let tn = shipment
        .tracking
        .as_ref()
        .map(|t| t.tracking_number.as_str().to_string());

    let carrier_timeline = carrier
        .map(|c| ordered_checkpoints(&c.checkpoints))
        .unwrap_or_default();
    let merchant_timeline = merchant_entries(shipment, carrier, &carrier_timeline);

    let carrier_tag = carrier.and_then(CarrierTracking::effective_tag);
    let tag = carrier_tag.unwrap_or(Tag::Pending);
    let subtag = carrier
        .and_then(|c| c.subtag.clone())
        .filter(|_| carrier_tag.is_some());
    let meaning = subtag.as_deref().and_then(SubtagMeaning::of);
    // "Waiting for the first scan" is a fact only AfterShip's answer establishes.
    let awaiting_first_scan =
        tn.is_some() && carrier_answered && matches!(tag, Tag::Pending | Tag::InfoReceived);
    let label = if awaiting_first_scan {
        AWAITING_FIRST_SCAN.to_string()
    } else if tn.is_some() && !carrier_answered {
        CARRIER_UNREAD.to_string()
    } else {
        tag.label().to_string()
    };

    let merchant_progress = merchant_timeline.iter().any(|e| e.done);
    let stage = stage_reached(merchant_progress, tn.is_some(), carrier);

    let mut timeline = merchant_timeline;
    timeline.extend(carrier_timeline.into_iter().map(|c| TimelineEntry {
        source: Source::Carrier,
        label: c.message.clone(),
        time: c.time.as_ref().map(|t| t.as_str().to_string()),
        location: c.location.clone(),
        tag: c.tag,
        done: true,
    }));

    let slug = carrier.and_then(|c| c.slug.clone()).or_else(|| {
        shipment
            .tracking
            .as_ref()
            .and_then(|t| t.slug.as_ref())
            .map(|s| s.as_str().to_string())
    });
    let itn = shipment.itn.to_string();
    let base = input.base_url.unwrap_or("").trim_end_matches('/');
    let merchant_id = &input.merchant.id;
    let updated_at = carrier_fetched_at
        .unwrap_or(shipment.updated_at)
        .max(shipment.updated_at);

    TrackingView {
        merchant: MerchantSummary {
            id: merchant_id.clone(),
            name: input.merchant.name.clone(),
        },
        links: Links {
            itn: format!("{base}/t/{merchant_id}/{itn}"),
            tracking_number: tn.as_ref().map(|tn| format!("{base}/t/{merchant_id}/{tn}")),
            aftership: tn.as_ref().map(|tn| {
                let page = input
                    .merchant
                    .aftership_page
                    .as_deref()
                    .unwrap_or(AFTERSHIP_PUBLIC_PAGE);
                format!("{}/{tn}", page.trim_end_matches('/'))
            }),
        },
        itn,
        tracking_number: tn,
        carrier: slug.map(|slug| CarrierSummary {
            name: carrier_name(&slug),
            slug,
        }),
        status: Status {
            tag,
            subtag,
            label,
            meaning,
            awaiting_first_scan,
        },
        progress: Progress {
            stage,
            step: stage.step(),
            steps: Stage::ALL.len() as u8,
            alert: Alert::for_status(tag, meaning),
        },
        expected_delivery: carrier
            .and_then(|c| c.expected_delivery.as_ref())
            .map(|t| t.as_str().to_string()),
        timeline,
        updated_at: updated_at.to_string(),
        stale,
    }
}

/// Carrier checkpoints oldest first by true instant (offsets respected). Checkpoints without
/// a time keep their place after the one before them. Equal instants keep the carrier's
/// order; exact duplicates (same time, message and location) appear once.
pub fn ordered_checkpoints(checkpoints: &[CarrierCheckpoint]) -> Vec<CarrierCheckpoint> {
    let mut last_key = i64::MIN;
    let mut keyed: Vec<(i64, usize, &CarrierCheckpoint)> = checkpoints
        .iter()
        .enumerate()
        .map(|(index, c)| {
            if let Some(t) = &c.time {
                last_key = t.sort_key();
            }
            (last_key, index, c)
        })
        .collect();
    keyed.sort_by_key(|(key, index, _)| (*key, *index));
    let mut out: Vec<CarrierCheckpoint> = Vec::with_capacity(keyed.len());
    for (_, _, checkpoint) in keyed {
        let duplicate = out
            .iter()
            .rev()
            .take_while(|seen| {
                seen.time.as_ref().map(|t| t.sort_key())
                    == checkpoint.time.as_ref().map(|t| t.sort_key())
            })
            .any(|seen| {
                seen.time == checkpoint.time
                    && seen.message == checkpoint.message
                    && seen.location == checkpoint.location
            });
        if !duplicate {
            out.push(checkpoint.clone());
        }
    }
    out
}

/// The merchant's checkpoints with `done` and a time for each. A checkpoint is reached when:
/// the merchant marked it or a later one (doing step 3 implies steps 1 and 2); or it is a
/// label checkpoint (or comes before one) and a label exists (TN attached, carrier
/// `InfoReceived`); or the carrier shows movement, which implies every merchant step.
fn merchant_entries(
    shipment: &Shipment,
    carrier: Option<&CarrierTracking>,
    ordered: &[CarrierCheckpoint],
) -> Vec<TimelineEntry> {
    let movement_time = ordered
        .iter()
        .find(|c| c.tag.is_some_and(Tag::shows_movement))
        .map(|c| c.time.as_ref().map(|t| t.as_str().to_string()));
    let moved =
        movement_time.is_some() || carrier.and_then(|c| c.tag).is_some_and(Tag::shows_movement);
    let movement_time = movement_time.flatten();

    // A label exists once a TN is attached or the carrier reports `InfoReceived` (or shows
    // movement, which needs a label). It existed by the earliest of those moments: a label the
    // carrier scanned before the warehouse sent the TN to Waymark is dated by the scan.
    let info_received = carrier.and_then(|c| c.tag) == Some(Tag::InfoReceived)
        || ordered.iter().any(|c| c.tag == Some(Tag::InfoReceived));
    let label_exists = shipment.tracking.is_some() || info_received || moved;
    let attached = shipment
        .tracking
        .as_ref()
        .map(|t| (t.attached_at.millis(), t.attached_at.to_string()));
    let first_label_scan = ordered
        .iter()
        .filter(|c| {
            c.tag
                .is_some_and(|t| t == Tag::InfoReceived || t.shows_movement())
        })
        .find_map(|c| c.time.as_ref())
        .map(|t| (t.sort_key(), t.as_str().to_string()));
    let label_time: Option<Option<String>> = label_exists.then(|| {
        attached
            .into_iter()
            .chain(first_label_scan)
            .min_by_key(|(instant, _)| *instant)
            .map(|(_, text)| text)
    });
    let last_label_index = shipment
        .checkpoints
        .iter()
        .rposition(|c| c.reached_by == ReachedBy::Label);

    let count = shipment.checkpoints.len();
    // Earliest explicit mark at or after each index: marking a later step implies this one.
    let mut implied: Vec<Option<Timestamp>> = vec![None; count];
    let mut running: Option<Timestamp> = None;
    for index in (0..count).rev() {
        if let Some(at) = shipment.reached[index] {
            running = Some(running.map_or(at, |r| r.min(at)));
        }
        implied[index] = running;
    }

    shipment
        .checkpoints
        .iter()
        .enumerate()
        .map(|(index, def)| {
            let by_label = label_time
                .clone()
                .filter(|_| last_label_index.is_some_and(|last| index <= last));
            let by_movement = moved.then(|| movement_time.clone());
            let (done, time) = match (implied[index], by_label, by_movement) {
                (Some(at), _, _) => (true, Some(at.to_string())),
                (None, Some(t), _) => (true, t),
                (None, None, Some(t)) => (true, t),
                (None, None, None) => (false, None),
            };
            TimelineEntry {
                source: Source::Merchant,
                label: def.label.clone(),
                time,
                location: None,
                tag: None,
                done,
            }
        })
        .collect()
}

/// Display names for the couriers merchants use most; others show their slug.
pub fn carrier_name(slug: &str) -> String {
    let known = [
        ("ups", "UPS"),
        ("fedex", "FedEx"),
        ("usps", "USPS"),
        ("dhl", "DHL Express"),
        ("dhl-global-mail", "DHL eCommerce"),
        ("royal-mail", "Royal Mail"),
        ("canada-post", "Canada Post"),
        ("australia-post", "Australia Post"),
        ("deutsch-post", "Deutsche Post"),
        ("dpd", "DPD"),
        ("gls", "GLS"),
        ("correos-de-espana", "Correos"),
        ("la-poste-colissimo", "Colissimo"),
        ("postnl-3s", "PostNL International"),
        ("postnl", "PostNL"),
        ("china-ems", "China EMS"),
        ("china-post", "China Post"),
        ("4px", "4PX"),
        ("russian-post", "Russian Post"),
        ("yodel", "Yodel"),
        ("evri", "Evri"),
        ("ontrac", "OnTrac"),
        ("amazon", "Amazon Logistics"),
    ];
    known
        .iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, name)| name.to_string())
        .unwrap_or_else(|| slug.to_string())
}
