//! The merchant event catalogue: what a shipment's history and its carrier data say happened,
//! as events a merchant's systems can act on (ship confirmations, status webhooks).
//!
//! [`derive_events`] is a plain function of the evidence (the shipment's [`ShipmentEvent`]s,
//! the carrier's trackings, the merchant's calendar) and of `now`. Each [`EventKind`] fires at
//! most once per shipment, at the earliest instant the evidence shows it: so the same events
//! come out whether carrier data arrived by webhook or by polling, in one answer or in several
//! partial ones, in any order, with duplicates. [`new_events`] keeps what was not emitted yet,
//! so replaying a history emits nothing twice.
//!
//! # Evidence, event by event
//!
//! Carrier evidence is every checkpoint of every tracking passed in (a shipment may have a
//! default and a local last-mile tracking), plus each tracking's own status (its tag and subtag:
//! mark-as-completed changes it without adding a checkpoint, and some payloads have no
//! checkpoints at all). A checkpoint's instant is its carrier time with the carrier's offset applied; a carrier time
//! without an offset is read as UTC, like everywhere else in Waymark
//! ([`CarrierTime::sort_key`]). A tracking's own status, and a checkpoint without a usable time,
//! are dated by the tracking's `updated_at` (else its newest checkpoint): AfterShip knew it then.
//!
//! | event | fires at the earliest … |
//! |---|---|
//! | `tracking.assigned` | TN attached to the shipment (history) |
//! | `shipment.picked_up` | carrier evidence with a movement tag: `InTransit`, `OutForDelivery`, `AttemptFail`, `AvailableForPickup`, `Delivered` |
//! | `shipment.in_transit` | the same, except the carrier's acceptance scan (`InTransit_002`): the first movement |
//! | `shipment.out_for_delivery` | `OutForDelivery` |
//! | `shipment.delivered` | `Delivered` |
//! | `shipment.cod_collected` | `Delivered_004` (delivered, cash collected on delivery) |
//! | `shipment.attempt_failed` | `AttemptFail` (any reason: `_001` unspecified, `_002` recipient not available, `_003` business closed) |
//! | `shipment.refused` | `Exception_003` (recipient refused the delivery) |
//! | `shipment.exception` | `Exception`, whatever its subtag (so a refusal or a return is an exception too) |
//! | `shipment.returning` | `Exception_010` (returning to sender) or `Exception_011` (returned to sender) |
//! | `shipment.stalled` | see below |
//!
//! Subtag codes follow AfterShip's documented list of delivery sub-statuses
//! (<https://www.aftership.com/docs/tracking/2026-07/enum/delivery-sub-statuses>): a refusal is
//! `Exception_003` (`Exception_007` is an incorrect address), a failed attempt is any
//! `AttemptFail_*`. An `Exception` does not prove a pickup (a parcel can be lost or rejected
//! before any scan), so it fires neither `picked_up` nor `in_transit`.
//!
//! # Stalled
//!
//! `shipment.stalled` fires at the first deadline that passed without a scan, in the merchant's
//! IANA zone, on business days (weekends and holidays skipped), daylight-saving correct:
//!
//! - **no first scan**: no pickup evidence by
//!   [`add_business_days`](crate::calendar::add_business_days) from the label (the earliest TN
//!   attachment or label checkpoint reached): the end of the next pickup window plus
//!   [`StallRule::first_scan_business_days`];
//! - **no new scan in transit**: while the parcel's latest status is `InTransit`,
//!   `OutForDelivery` or `AttemptFail` (and it is not delivered), no new checkpoint by the
//!   business close of the [`StallRule::in_transit_business_days`]-th business day after the
//!   last scan's local date.
//!
//! It is judged over the whole evidence, not only at `now`: a gap that was later closed by a scan
//! still counts once its deadline is at or before `now`, so a history replayed later gives what
//! watching it live gave. It fires **once per shipment**: after a recovery (a new scan) a later
//! stall fires nothing new. A scan is a checkpoint with a time of its own: neither the
//! tracking's own status nor an undated checkpoint counts (their date, `updated_at`, moves
//! whenever AfterShip touches the tracking).
//!
//! # Limits
//!
//! Evidence that arrives late can move an event earlier (a carrier adding an older scan) or close
//! a gap after a stall was emitted: the event stays emitted, once, as it was. Carrier evidence is
//! not compared with the shipment's creation: a carrier that reuses a TN and returns an old
//! parcel's scans proves what the shopper's view shows too.

mod stall;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::aftership::{CarrierCheckpoint, CarrierTracking, SubtagMeaning, Tag};
use crate::ids::{Itn, Slug, TrackingNumber};
use crate::settings::MerchantSettings;
use crate::shipment::{ReachedBy, ShipmentEvent};
use crate::time::{CarrierTime, Timestamp};

pub use stall::in_transit_deadline;

/// The merchant events, in catalogue order (the order of ties between events at one instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    TrackingAssigned,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    CodCollected,
    AttemptFailed,
    Refused,
    Exception,
    Returning,
    Stalled,
    /// A sales channel's ship confirmation is due now ([`crate::channels`]); not derived from
    /// carrier evidence, and not in [`EventKind::ALL`].
    ChannelConfirmation,
    /// A field a channel needs (the IMEI) was not supplied by its deadline.
    ChannelDeadlineMissed,
    /// The TN changed after a locking channel was confirmed: nothing was re-sent.
    ChannelConflict,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::TrackingAssigned,
        EventKind::PickedUp,
        EventKind::InTransit,
        EventKind::OutForDelivery,
        EventKind::Delivered,
        EventKind::CodCollected,
        EventKind::AttemptFailed,
        EventKind::Refused,
        EventKind::Exception,
        EventKind::Returning,
        EventKind::Stalled,
    ];

    /// The channel notices ([`crate::channels::plan`]): what webhooks carry besides the
    /// shipment's own events.
    pub const CHANNEL: [EventKind; 3] = [
        EventKind::ChannelConfirmation,
        EventKind::ChannelDeadlineMissed,
        EventKind::ChannelConflict,
    ];

    /// The one spelling, used by `Display`, `FromStr` and serde.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TrackingAssigned => "tracking.assigned",
            EventKind::PickedUp => "shipment.picked_up",
            EventKind::InTransit => "shipment.in_transit",
            EventKind::OutForDelivery => "shipment.out_for_delivery",
            EventKind::Delivered => "shipment.delivered",
            EventKind::CodCollected => "shipment.cod_collected",
            EventKind::AttemptFailed => "shipment.attempt_failed",
            EventKind::Refused => "shipment.refused",
            EventKind::Exception => "shipment.exception",
            EventKind::Returning => "shipment.returning",
            EventKind::Stalled => "shipment.stalled",
            EventKind::ChannelConfirmation => "channel.confirmation",
            EventKind::ChannelDeadlineMissed => "channel.deadline_missed",
            EventKind::ChannelConflict => "channel.conflict",
        }
    }
}

/// Text that names no event kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("{0:?} is not an event kind (like shipment.delivered)")]
    UnknownKind(String),
    #[error("{0:?} is not an event key (like WM-XXXX-XXXX-XXXX-XC/shipment.delivered)")]
    Key(String),
}

fn echo(input: &str) -> String {
    input.chars().take(60).collect()
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = EventError;
    fn from_str(s: &str) -> Result<EventKind, EventError> {
        EventKind::ALL
            .into_iter()
            .chain(EventKind::CHANNEL)
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| EventError::UnknownKind(echo(s)))
    }
}

/// One event of one shipment, `WM-XXXX-XXXX-XXXX-XC/shipment.delivered`: an idempotency key for
/// whoever receives it (each kind fires at most once per shipment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey {
    pub itn: Itn,
    pub kind: EventKind,
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.itn, self.kind)
    }
}

impl FromStr for EventKey {
    type Err = EventError;
    fn from_str(s: &str) -> Result<EventKey, EventError> {
        let (itn, kind) = s.split_once('/').ok_or_else(|| EventError::Key(echo(s)))?;
        Ok(EventKey {
            itn: itn.parse().map_err(|_| EventError::Key(echo(s)))?,
            kind: kind.parse()?,
        })
    }
}

crate::ids::serde_via_str!(EventKind, EventKey);

/// What an event was derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Evidence {
    /// The merchant attached a TN (the shipment's history).
    TrackingAttached {
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
    },
    /// A carrier checkpoint, as the carrier reported it (its time keeps the carrier's offset).
    Checkpoint {
        tracking_number: Option<String>,
        slug: Option<String>,
        checkpoint: CarrierCheckpoint,
    },
    /// A tracking's own status, which no checkpoint carries; dated by the tracking's
    /// `updated_at`.
    TrackingStatus {
        tracking_number: Option<String>,
        slug: Option<String>,
        tag: Option<Tag>,
        subtag: Option<String>,
    },
    /// No first scan by `deadline`, the end of the next pickup window after the label plus the
    /// rule's business days.
    NoFirstScan {
        label_at: Timestamp,
        deadline: Timestamp,
    },
    /// In transit, no scan after `last_scan_at` by `deadline`.
    NoScanInTransit {
        last_scan_at: Timestamp,
        deadline: Timestamp,
    },
}

/// One merchant event: what, when it happened per the evidence, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantEvent {
    pub kind: EventKind,
    /// When it happened per the evidence (for `stalled`, the deadline that passed).
    pub at: Timestamp,
    pub key: EventKey,
    pub evidence: Evidence,
}

/// How long a shipment may go without a scan before it is stalled, in business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StallRule {
    /// Business days after the next pickup window following the label (0: the window's end).
    pub first_scan_business_days: u32,
    /// Business days without a new scan while in transit.
    pub in_transit_business_days: u32,
}

impl Default for StallRule {
    /// One business day after the pickup the label could make; three business days in transit.
    fn default() -> StallRule {
        StallRule {
            first_scan_business_days: 1,
            in_transit_business_days: 3,
        }
    }
}

/// Everything the catalogue is derived from. No clock: `now` only decides which stall deadlines
/// have passed.
#[derive(Debug, Clone, Copy)]
pub struct EventInput<'a> {
    pub itn: Itn,
    /// The shipment's history, in any order.
    pub history: &'a [ShipmentEvent],
    /// Every carrier tracking of the shipment (default and local last-mile; or several partial
    /// states of one), in any order. Checkpoints are merged; duplicates count once.
    pub trackings: &'a [&'a CarrierTracking],
    /// The merchant's calendar: time zone, business days, holidays, pickup windows.
    pub settings: &'a MerchantSettings,
    pub stall: StallRule,
    pub now: Timestamp,
}

/// The shipment's events, each kind at most once, ordered by instant (ties in catalogue order).
/// Deterministic: the same evidence in any order, split or duplicated, gives the same events.
pub fn derive_events(input: &EventInput<'_>) -> Vec<MerchantEvent> {
    let sightings = sightings(input.trackings);
    let mut found: Vec<(EventKind, Timestamp, Evidence)> = Vec::new();

    if let Some((at, tracking_number, slug)) = first_attachment(input.history) {
        found.push((
            EventKind::TrackingAssigned,
            at,
            Evidence::TrackingAttached {
                tracking_number: tracking_number.clone(),
                slug: slug.cloned(),
            },
        ));
    }
    for kind in EventKind::ALL {
        if let Some(sighting) = sightings.iter().find(|s| s.proves(kind)) {
            found.push((kind, sighting.at, sighting.evidence()));
        }
    }
    if let Some((at, evidence)) = stall::stalled(input, &sightings) {
        found.push((EventKind::Stalled, at, evidence));
    }

    found.sort_by_key(|(kind, at, _)| (*at, *kind));
    found
        .into_iter()
        .map(|(kind, at, evidence)| MerchantEvent {
            kind,
            at,
            key: EventKey {
                itn: input.itn,
                kind,
            },
            evidence,
        })
        .collect()
}

/// The derived events whose kind was not emitted yet, in their order. Replaying a history whose
/// events were all emitted gives nothing.
pub fn new_events(
    already_emitted: &[EventKind],
    derived: Vec<MerchantEvent>,
) -> Vec<MerchantEvent> {
    derived
        .into_iter()
        .filter(|event| !already_emitted.contains(&event.kind))
        .collect()
}

// ----- evidence --------------------------------------------------------------------------------

/// The acceptance scan: the carrier has the parcel, but it has not moved yet.
const ACCEPTANCE_SCAN: &str = "InTransit_002";

/// Tags that prove the carrier has the parcel. `Exception` does not: a parcel can be lost or
/// rejected by the carrier before any scan.
fn shows_pickup(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::InTransit
            | Tag::OutForDelivery
            | Tag::AttemptFail
            | Tag::AvailableForPickup
            | Tag::Delivered
    )
}

fn in_range(at: Timestamp) -> bool {
    (Timestamp::MIN..=Timestamp::MAX).contains(&at)
}

/// Where a sighting comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin<'a> {
    /// A checkpoint; `scan` when it has a time of its own.
    Checkpoint {
        checkpoint: &'a CarrierCheckpoint,
        scan: bool,
    },
    /// The tracking's own tag and subtag.
    Status,
}

/// One piece of carrier evidence with its instant.
#[derive(Debug, Clone)]
struct Sighting<'a> {
    at: Timestamp,
    tag: Option<Tag>,
    subtag: Option<&'a str>,
    tracking: &'a CarrierTracking,
    origin: Origin<'a>,
}

impl<'a> Sighting<'a> {
    /// A checkpoint with a time of its own (a tracking's status or an undated checkpoint is not a
    /// scan: its date is only when AfterShip last touched the tracking).
    fn is_scan(&self) -> bool {
        matches!(self.origin, Origin::Checkpoint { scan: true, .. })
    }

    fn proves(&self, kind: EventKind) -> bool {
        let tag = self.tag;
        let meaning = self.subtag.and_then(SubtagMeaning::of);
        match kind {
            EventKind::PickedUp => tag.is_some_and(shows_pickup),
            EventKind::InTransit => {
                tag.is_some_and(shows_pickup) && self.subtag != Some(ACCEPTANCE_SCAN)
            }
            EventKind::OutForDelivery => tag == Some(Tag::OutForDelivery),
            EventKind::Delivered => tag == Some(Tag::Delivered),
            EventKind::CodCollected => meaning == Some(SubtagMeaning::CashOnDeliveryCollected),
            EventKind::AttemptFailed => tag == Some(Tag::AttemptFail),
            EventKind::Refused => meaning == Some(SubtagMeaning::Refused),
            EventKind::Exception => tag == Some(Tag::Exception),
            EventKind::Returning => meaning.is_some_and(SubtagMeaning::is_return),
            EventKind::TrackingAssigned
            | EventKind::Stalled
            | EventKind::ChannelConfirmation
            | EventKind::ChannelDeadlineMissed
            | EventKind::ChannelConflict => false,
        }
    }

    fn evidence(&self) -> Evidence {
        let tracking_number = self.tracking.tracking_number.clone();
        let slug = self.tracking.slug.clone();
        match self.origin {
            Origin::Checkpoint { checkpoint, .. } => Evidence::Checkpoint {
                tracking_number,
                slug,
                checkpoint: checkpoint.clone(),
            },
            Origin::Status => Evidence::TrackingStatus {
                tracking_number,
                slug,
                tag: self.tracking.tag,
                subtag: self.tracking.subtag.clone(),
            },
        }
    }

    /// A total order on content, so that equal evidence sorts together and ties break the same
    /// way whatever order the evidence came in. (Which tracking value held it does not matter,
    /// only its number and carrier.)
    fn cmp_content(&self, other: &Sighting<'_>) -> Ordering {
        self.content_key().cmp(&other.content_key())
    }

    fn content_key(&self) -> ContentKey<'_> {
        let (checkpoint, status) = match self.origin {
            Origin::Checkpoint { checkpoint, .. } => (
                Some((
                    checkpoint.time.as_ref().map(CarrierTime::as_str),
                    checkpoint.tag,
                    checkpoint.subtag.as_deref(),
                    checkpoint.message.as_str(),
                    checkpoint.location.as_deref(),
                )),
                None,
            ),
            Origin::Status => (
                None,
                Some((self.tracking.tag, self.tracking.subtag.as_deref())),
            ),
        };
        (
            self.at,
            !self.is_scan(),
            checkpoint,
            status,
            self.tracking.tracking_number.as_deref(),
            self.tracking.slug.as_deref(),
        )
    }
}

/// [`Sighting::content_key`]: instant, scans first, the checkpoint or status, TN and carrier.
type ContentKey<'a> = (
    Timestamp,
    bool,
    Option<(
        Option<&'a str>,
        Option<Tag>,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
    )>,
    Option<(Option<Tag>, Option<&'a str>)>,
    Option<&'a str>,
    Option<&'a str>,
);

/// A subtag's tag when the checkpoint names none (`Delivered_004` is a `Delivered`).
fn tag_of(tag: Option<Tag>, subtag: Option<&str>) -> Option<Tag> {
    tag.or_else(|| {
        subtag
            .and_then(|s| s.split_once('_'))
            .and_then(|(t, _)| Tag::parse(t))
    })
}

/// The instant a tracking's status was known: its `updated_at`, else its newest dated checkpoint.
fn status_time(tracking: &CarrierTracking) -> Option<Timestamp> {
    tracking.updated_at.filter(|t| in_range(*t)).or_else(|| {
        tracking
            .checkpoints
            .iter()
            .filter_map(|c| c.time.as_ref().map(|t| Timestamp(t.sort_key())))
            .filter(|t| in_range(*t))
            .max()
    })
}

/// All carrier evidence, sorted by instant then content, duplicates once.
fn sightings<'a>(trackings: &[&'a CarrierTracking]) -> Vec<Sighting<'a>> {
    let mut all = Vec::new();
    for &tracking in trackings {
        let known_at = status_time(tracking);
        for checkpoint in &tracking.checkpoints {
            let own = checkpoint
                .time
                .as_ref()
                .map(|t| Timestamp(t.sort_key()))
                .filter(|t| in_range(*t));
            let Some(at) = own.or(known_at) else { continue };
            let subtag = checkpoint.subtag.as_deref();
            all.push(Sighting {
                at,
                tag: tag_of(checkpoint.tag, subtag),
                subtag,
                tracking,
                origin: Origin::Checkpoint {
                    checkpoint,
                    scan: own.is_some(),
                },
            });
        }
        if tracking.tag.is_some() || tracking.subtag.is_some() {
            if let Some(at) = known_at {
                let subtag = tracking.subtag.as_deref();
                all.push(Sighting {
                    at,
                    tag: tag_of(tracking.tag, subtag),
                    subtag,
                    tracking,
                    origin: Origin::Status,
                });
            }
        }
    }
    all.sort_by(|a, b| a.cmp_content(b));
    all.dedup_by(|a, b| a.cmp_content(b) == Ordering::Equal);
    all
}

/// The earliest TN attachment, in either role (a label exists once any carrier's number
/// does): its instant, TN and slug (ties by TN, for determinism).
fn first_attachment(
    history: &[ShipmentEvent],
) -> Option<(Timestamp, &TrackingNumber, Option<&Slug>)> {
    history
        .iter()
        .filter_map(|event| match event {
            ShipmentEvent::TrackingAttached {
                tracking_number,
                slug,
                at,
                ..
            } => Some((*at, tracking_number, slug.as_ref())),
            _ => None,
        })
        .min_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())))
}

/// When the label existed: the earliest TN attachment or label checkpoint reached.
fn label_at(history: &[ShipmentEvent]) -> Option<Timestamp> {
    let defs = history.iter().find_map(|event| match event {
        ShipmentEvent::Created { checkpoints, .. } => Some(checkpoints.as_slice()),
        _ => None,
    });
    let label_checkpoints = history.iter().filter_map(|event| match event {
        ShipmentEvent::CheckpointReached { index, at, .. }
            if defs
                .and_then(|d| d.get(*index))
                .is_some_and(|d| d.reached_by == ReachedBy::Label) =>
        {
            Some(*at)
        }
        _ => None,
    });
    first_attachment(history)
        .map(|(at, _, _)| at)
        .into_iter()
        .chain(label_checkpoints)
        .min()
}
