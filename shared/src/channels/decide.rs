//! The decision: what to do about one channel's ship confirmation now.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::imei::Imei;
use super::policy::{ChannelPolicy, ConfirmationPolicy, RequiredField};
use crate::calendar::{is_business_day, local_date, next_pickup, resolve_local};
use crate::events::{EventKind, MerchantEvent};
use crate::ids::TrackingNumber;
use crate::order::Channel;
use crate::settings::MerchantSettings;
use crate::time::Timestamp;

/// Minutes after the label (or the next business opening) BackMarket gives for the IMEI.
pub const IMEI_MINUTES: i64 = 60;

/// How far ahead a business opening is looked for (holidays are capped at 200, so a merchant
/// open one day a week always opens within this).
const SEARCH_DAYS: u32 = 7 * 210;

/// A TN confirmed to a channel, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub tracking_number: TrackingNumber,
    pub at: Timestamp,
}

/// A field the merchant supplied, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplied<T> {
    pub value: T,
    pub at: Timestamp,
}

/// The fields the merchant has supplied for a shipment's confirmations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeldFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imei: Option<Supplied<Imei>>,
}

/// When a held field is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Deadline {
    /// At this instant.
    At { at: Timestamp },
    /// Before the carrier picks the parcel up, which has not happened yet; `expected` is the
    /// start of the next pickup window after the label, when the merchant has pickup windows.
    Pickup { expected: Option<Timestamp> },
}

/// Why a confirmation is not due yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// The shipment has no TN for channels yet.
    NoTrackingNumber,
    /// `on_movement`: the carrier has not shown the parcel moving yet.
    NoMovement,
}

/// What to do about one channel's ship confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ConfirmationAction {
    /// Send the confirmation with `tracking_number`. `replaces` is the TN confirmed before (an
    /// update to a channel that accepts corrections); `imei` goes with it where the channel
    /// needs it; `missed_deadline` is the deadline the field was supplied after, to report.
    Confirm {
        tracking_number: TrackingNumber,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<TrackingNumber>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        imei: Option<Imei>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        missed_deadline: Option<Timestamp>,
    },
    /// Not due yet. `until` is an instant after which the answer changes by time alone; `None`:
    /// only new evidence (a TN, a carrier scan) changes it.
    Wait {
        until: Option<Timestamp>,
        reason: WaitReason,
    },
    /// Due once the merchant supplies `field`, by `deadline`.
    HoldForField {
        field: RequiredField,
        deadline: Deadline,
    },
    /// `field` was not supplied by `deadline`: show it and alert the merchant. Nothing is sent
    /// until the field arrives.
    DeadlineMissed {
        field: RequiredField,
        deadline: Timestamp,
    },
    /// The channel locked `confirmed`, and the shipment's TN for channels is now `attempted`:
    /// nothing is sent; the merchant resolves it in the channel.
    Conflict {
        confirmed: Confirmed,
        attempted: TrackingNumber,
    },
    /// Nothing to do: the policy is `never`, or this TN was already confirmed.
    Nothing,
}

/// Everything one channel's decision is made from. No clock: `now` only decides which
/// deadlines have passed.
#[derive(Debug, Clone, Copy)]
pub struct ConfirmationInput<'a> {
    pub policy: &'a ChannelPolicy,
    /// The shipment's merchant events so far ([`crate::events::derive_events`]), in any order.
    pub events: &'a [MerchantEvent],
    /// The TN sales channels get ([`crate::merge::number_for_channels`]), if any.
    pub tracking_number: Option<&'a TrackingNumber>,
    /// The last confirmation sent to this channel, if any.
    pub confirmed: Option<&'a Confirmed>,
    pub fields: &'a HeldFields,
    /// The order is a smartphone (BackMarket needs its IMEI).
    pub smartphone: bool,
    /// The merchant's calendar: zone, business days and hours, holidays, pickup windows.
    pub settings: &'a MerchantSettings,
    pub now: Timestamp,
}

/// The earliest instant of an event kind.
fn first(events: &[MerchantEvent], kind: EventKind) -> Option<Timestamp> {
    events.iter().filter(|e| e.kind == kind).map(|e| e.at).min()
}

/// What to do about the channel's confirmation now. See the module documentation for the rules.
pub fn decide(input: &ConfirmationInput<'_>) -> ConfirmationAction {
    let policy = input.policy;
    if policy.confirm() == ConfirmationPolicy::Never {
        return ConfirmationAction::Nothing;
    }
    let Some(tracking_number) = input.tracking_number else {
        return match input.confirmed {
            Some(_) => ConfirmationAction::Nothing,
            None => ConfirmationAction::Wait {
                until: None,
                reason: WaitReason::NoTrackingNumber,
            },
        };
    };
    let imei = input.fields.imei.as_ref().map(|s| s.value);

    if let Some(confirmed) = input.confirmed {
        if confirmed.tracking_number == *tracking_number {
            return ConfirmationAction::Nothing;
        }
        if policy.locks() {
            return ConfirmationAction::Conflict {
                confirmed: confirmed.clone(),
                attempted: tracking_number.clone(),
            };
        }
        return ConfirmationAction::Confirm {
            tracking_number: tracking_number.clone(),
            replaces: Some(confirmed.tracking_number.clone()),
            imei,
            missed_deadline: None,
        };
    }

    let Some(label_at) = first(input.events, EventKind::TrackingAssigned) else {
        return ConfirmationAction::Wait {
            until: None,
            reason: WaitReason::NoTrackingNumber,
        };
    };

    let mut missed_deadline = None;
    for &field in policy.kind().required_fields(input.smartphone) {
        let supplied_at = match field {
            RequiredField::Imei => input.fields.imei.as_ref().map(|s| s.at),
        };
        let deadline = match policy.confirm() {
            ConfirmationPolicy::OnMovement => match first(input.events, EventKind::PickedUp) {
                Some(at) => Deadline::At { at },
                None => Deadline::Pickup {
                    expected: next_pickup(input.settings, label_at).map(|s| s.from.max(label_at)),
                },
            },
            _ => Deadline::At {
                at: imei_deadline(
                    input.settings,
                    label_at,
                    policy.deadlines_follow_business_hours(),
                ),
            },
        };
        match (supplied_at, deadline) {
            (Some(at), Deadline::At { at: due }) if at > due => {
                missed_deadline = Some(missed_deadline.map_or(due, |m: Timestamp| m.min(due)));
            }
            (Some(_), _) => {}
            (None, Deadline::At { at: due }) if input.now >= due => {
                return ConfirmationAction::DeadlineMissed {
                    field,
                    deadline: due,
                };
            }
            (None, deadline) => return ConfirmationAction::HoldForField { field, deadline },
        }
    }

    let due = match policy.confirm() {
        ConfirmationPolicy::OnMovement => first(input.events, EventKind::InTransit).is_some(),
        _ => true,
    };
    if !due {
        return ConfirmationAction::Wait {
            until: None,
            reason: WaitReason::NoMovement,
        };
    }
    ConfirmationAction::Confirm {
        tracking_number: tracking_number.clone(),
        replaces: None,
        imei,
        missed_deadline,
    }
}

/// The first instant at or after `at` when the merchant is open: `at` itself during business
/// hours on a business day, else the next business day's opening (today's, before it opens), in
/// the merchant's zone, DST-correct. Saturates at [`Timestamp::MAX`].
pub fn business_opening(settings: &MerchantSettings, at: Timestamp) -> Timestamp {
    let tz = settings.time_zone.tz();
    let hours = settings.business_hours;
    let last = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or(NaiveDate::MAX);
    let mut date = local_date(tz, at);
    for _ in 0..SEARCH_DAYS {
        if date > last {
            break;
        }
        if is_business_day(settings, date) {
            let open = resolve_local(tz, date, hours.open().naive());
            let close = resolve_local(tz, date, hours.close().naive());
            if at < open {
                return open;
            }
            if at < close {
                return at;
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    Timestamp::MAX
}

/// The IMEI deadline of a confirmation on assignment: [`IMEI_MINUTES`] after the label, counted
/// from the next business opening when the label was made outside business hours and
/// `follow_business_hours` is on.
pub fn imei_deadline(
    settings: &MerchantSettings,
    label_at: Timestamp,
    follow_business_hours: bool,
) -> Timestamp {
    let start = if follow_business_hours {
        business_opening(settings, label_at)
    } else {
        label_at
    };
    start.plus_seconds(IMEI_MINUTES * 60)
}

/// Attaching a TN was refused: the channel locked the TN it was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tracking number {confirmed} was confirmed to {channel} at {at}, and {channel} keeps the tracking number it was sent: {attempted} cannot replace it. Correct the tracking in {channel} itself, or keep shipping under {confirmed}")]
pub struct TrackingLocked {
    pub channel: Channel,
    pub confirmed: TrackingNumber,
    pub at: Timestamp,
    pub attempted: TrackingNumber,
}

/// Whether attaching a TN must be refused for this channel (the edge answers 409).
/// `next_for_channels` is the TN the channel would get after the attach
/// ([`crate::merge::number_for_channels`] over the planned state): attaching a TN the channel
/// never sees (a local last-mile TN while channels get the default one) changes nothing for it.
/// Refused only when the channel locks, a TN was confirmed, and it would change.
pub fn check_attach(
    policy: &ChannelPolicy,
    confirmed: Option<&Confirmed>,
    next_for_channels: Option<&TrackingNumber>,
) -> Result<(), TrackingLocked> {
    match (confirmed, next_for_channels) {
        (Some(confirmed), Some(next)) if policy.locks() && confirmed.tracking_number != *next => {
            Err(TrackingLocked {
                channel: policy.channel().clone(),
                confirmed: confirmed.tracking_number.clone(),
                at: confirmed.at,
                attempted: next.clone(),
            })
        }
        _ => Ok(()),
    }
}
