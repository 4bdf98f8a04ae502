//! When: the shopper's two questions, "when will it leave?" and "when will it arrive?", and a
//! kind word when the answer is "later than it should". Decided from the shipment, every
//! carrier's data and the merchant's business calendar (pickup windows, business days,
//! holidays, IANA zone), at `now`. The widget only formats what is decided here.

use serde::{Deserialize, Serialize};

use crate::aftership::{CarrierTracking, EstimateSource, Tag};
use crate::calendar::{add_business_days, leave_estimate, LeaveEstimate};
use crate::events::{in_transit_deadline, StallRule};
use crate::settings::MerchantSettings;
use crate::shipment::{Shipment, TrackingRole};
use crate::time::Timestamp;

/// What the shopper is told about timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum When {
    /// Before the carrier's first scan: the next pickup window, in the merchant's terms (the
    /// widget adds the shopper's own local time beside it).
    Leaves {
        #[serde(flatten)]
        estimate: LeaveEstimate,
        /// The merchant's IANA zone, so the widget can write the window's local date.
        time_zone: String,
    },
    /// After the first scan: the estimated delivery, and who estimated it.
    Arrives {
        /// The estimate as given (a date, or a time with the carrier's offset).
        date: String,
        source: EstimateSource,
    },
    /// No first scan well after the label, or no new scan for days in transit.
    Stalled {
        /// When the last sign of progress was (the label, or the last scan).
        since: Timestamp,
        /// Whether the carrier has the parcel already.
        moving: bool,
    },
}

/// Everything [`when`] decides from.
#[derive(Debug, Clone, Copy)]
pub struct WhenInput<'a> {
    pub shipment: &'a Shipment,
    /// The carrier data of each TN (default first, then local), what is known of it.
    pub trackings: &'a [(TrackingRole, &'a CarrierTracking)],
    pub settings: &'a MerchantSettings,
    pub stall: StallRule,
    pub now: Timestamp,
}

/// The timing line for a shipment, if there is anything to say. Nothing once delivered or
/// while a carrier reports a problem (the alert speaks then).
pub fn when(input: &WhenInput<'_>) -> Option<When> {
    let tags: Vec<Tag> = input
        .trackings
        .iter()
        .flat_map(|(_, t)| t.checkpoints.iter().filter_map(|c| c.tag).chain(t.tag))
        .collect();
    if tags.iter().any(|t| matches!(t, Tag::Delivered)) {
        return None;
    }
    let current = current_tag(input.trackings);
    if matches!(
        current,
        Some(Tag::Exception | Tag::Expired | Tag::AvailableForPickup)
    ) {
        return None;
    }
    let last_scan = input
        .trackings
        .iter()
        .flat_map(|(_, t)| t.checkpoints.iter())
        .filter(|c| c.tag.is_some_and(Tag::shows_movement))
        .filter_map(|c| c.time.as_ref().map(|t| Timestamp(t.sort_key())))
        .max();
    let moving = last_scan.is_some() || current.is_some_and(Tag::shows_movement);

    if !moving {
        // A label that the carrier has not collected well after the pickup it could make.
        let label = input.shipment.trackings().map(|(_, t)| t.attached_at).min();
        if let Some(label) = label {
            let deadline =
                add_business_days(input.settings, label, input.stall.first_scan_business_days);
            if deadline <= input.now {
                return Some(When::Stalled {
                    since: label,
                    moving: false,
                });
            }
        }
        return leave_estimate(input.settings, input.now).map(|estimate| When::Leaves {
            estimate,
            time_zone: input.settings.time_zone.name().to_string(),
        });
    }

    if let Some(last) = last_scan {
        let deadline =
            in_transit_deadline(input.settings, last, input.stall.in_transit_business_days);
        if deadline <= input.now {
            return Some(When::Stalled {
                since: last,
                moving: true,
            });
        }
    }
    // The local (last-mile) carrier's estimate is the nearer one to the door.
    [TrackingRole::Local, TrackingRole::Default]
        .into_iter()
        .find_map(|role| {
            let (_, tracking) = input.trackings.iter().find(|(r, _)| *r == role)?;
            let date = tracking.expected_delivery.as_ref()?;
            Some(When::Arrives {
                date: date.as_str().to_string(),
                source: tracking
                    .expected_delivery_source
                    .unwrap_or(EstimateSource::Carrier),
            })
        })
}

/// The newest status among the carriers: each tracking's own tag, the furthest first.
fn current_tag(trackings: &[(TrackingRole, &CarrierTracking)]) -> Option<Tag> {
    trackings
        .iter()
        .filter_map(|(role, t)| {
            let tag = t.effective_tag()?;
            Some((crate::stage::Stage::proven_by(tag), *role, tag))
        })
        .max_by_key(|(stage, role, _)| (*stage, *role))
        .map(|(_, _, tag)| tag)
}
