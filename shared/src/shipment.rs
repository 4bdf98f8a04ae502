//! A shipment is its history: an append-only list of events, folded into current state.
//!
//! Keeping events (not just the latest state) is what lets later rules (ship confirmations per
//! sales channel, signed status webhooks to the merchant) be replayed over real history.
//! Commands are plain functions: they look at the current state and return the event to
//! append, or a typed error that changes nothing.

use serde::{Deserialize, Serialize};

use crate::ids::{Itn, MerchantId, Slug, TrackingNumber};
use crate::time::Timestamp;

/// How a merchant checkpoint can be reached besides the merchant marking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachedBy {
    /// Reached once a label exists: a TN was attached or the carrier reports `InfoReceived`.
    Label,
    /// Reached once the carrier shows the parcel moving (`InTransit` or later).
    Movement,
}

impl ReachedBy {
    /// A checkpoint about the shipping label is reached by the label; everything else by
    /// movement. Merchants can say so explicitly; this guess covers the common wording.
    pub fn infer(label: &str) -> ReachedBy {
        let lower = label.to_lowercase();
        if [
            "label",
            "etiqueta",
            "étiquette",
            "etikett",
            "waybill",
            "air bill",
            "airbill",
        ]
        .iter()
        .any(|w| lower.contains(w))
        {
            ReachedBy::Label
        } else {
            ReachedBy::Movement
        }
    }
}

/// One of a merchant's default checkpoints, as snapshotted into a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointDef {
    pub label: String,
    pub reached_by: ReachedBy,
}

/// Everything that ever happened to a shipment, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShipmentEvent {
    Created {
        at: Timestamp,
        order_ref: String,
        fulfillment_ref: Option<String>,
        checkpoints: Vec<CheckpointDef>,
    },
    CheckpointReached {
        index: usize,
        at: Timestamp,
        recorded_at: Timestamp,
    },
    TrackingAttached {
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
        at: Timestamp,
    },
    CarrierRegistered {
        aftership_id: String,
        slug: Option<String>,
        at: Timestamp,
    },
    RegistrationDeferred {
        at: Timestamp,
        reason: String,
        retry_at: Timestamp,
    },
}

impl ShipmentEvent {
    pub fn at(&self) -> Timestamp {
        match self {
            ShipmentEvent::Created { at, .. }
            | ShipmentEvent::TrackingAttached { at, .. }
            | ShipmentEvent::CarrierRegistered { at, .. }
            | ShipmentEvent::RegistrationDeferred { at, .. } => *at,
            ShipmentEvent::CheckpointReached { recorded_at, .. } => *recorded_at,
        }
    }
}

/// Where the AfterShip registration of the attached TN stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Registration {
    Pending { attempts: u32, retry_at: Timestamp },
    Registered { aftership_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedTracking {
    pub tracking_number: TrackingNumber,
    pub slug: Option<Slug>,
    pub attached_at: Timestamp,
    pub registration: Registration,
}

/// A shipment's stored form: who it belongs to and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub merchant: MerchantId,
    pub itn: Itn,
    pub events: Vec<ShipmentEvent>,
}

/// Current state, folded from the events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub merchant: MerchantId,
    pub itn: Itn,
    pub created_at: Timestamp,
    pub order_ref: String,
    pub fulfillment_ref: Option<String>,
    pub checkpoints: Vec<CheckpointDef>,
    /// When each checkpoint was explicitly marked reached (the earliest mark wins).
    pub reached: Vec<Option<Timestamp>>,
    pub tracking: Option<AttachedTracking>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShipmentError {
    #[error("the shipment has no history")]
    NoHistory,
    #[error("the shipment's history does not start with its creation")]
    CorruptHistory,
    #[error(
        "checkpoint {index} does not exist: this shipment has {count} checkpoints, numbered from 0"
    )]
    NoSuchCheckpoint { index: usize, count: usize },
    #[error("the checkpoint time is more than 10 minutes in the future")]
    FutureTime,
}

/// Seconds to wait before retrying an AfterShip registration after `attempts` failures:
/// 1, 2, 4 … minutes, at most 6 hours, so a long outage costs few calls.
pub fn registration_backoff_seconds(attempts: u32) -> i64 {
    (60i64 << attempts.min(9)).min(6 * 3600)
}

impl ShipmentRecord {
    pub fn new(merchant: MerchantId, itn: Itn, created: ShipmentEvent) -> ShipmentRecord {
        ShipmentRecord {
            merchant,
            itn,
            events: vec![created],
        }
    }

    pub fn state(&self) -> Result<Shipment, ShipmentError> {
        Shipment::replay(&self.merchant, self.itn, &self.events)
    }
}

impl Shipment {
    /// Folds a history into state. The first event must be `Created`.
    pub fn replay(
        merchant: &MerchantId,
        itn: Itn,
        events: &[ShipmentEvent],
    ) -> Result<Shipment, ShipmentError> {
        let (first, rest) = events.split_first().ok_or(ShipmentError::NoHistory)?;
        let ShipmentEvent::Created {
            at,
            order_ref,
            fulfillment_ref,
            checkpoints,
        } = first
        else {
            return Err(ShipmentError::CorruptHistory);
        };
        let mut shipment = Shipment {
            merchant: merchant.clone(),
            itn,
            created_at: *at,
            order_ref: order_ref.clone(),
            fulfillment_ref: fulfillment_ref.clone(),
            reached: vec![None; checkpoints.len()],
            checkpoints: checkpoints.clone(),
            tracking: None,
            updated_at: *at,
        };
        for event in rest {
            shipment.apply(event);
        }
        Ok(shipment)
    }

    fn apply(&mut self, event: &ShipmentEvent) {
        self.updated_at = self.updated_at.max(event.at());
        match event {
            ShipmentEvent::Created { .. } => {}
            ShipmentEvent::CheckpointReached { index, at, .. } => {
                if let Some(slot) = self.reached.get_mut(*index) {
                    *slot = Some(slot.map_or(*at, |old| old.min(*at)));
                }
            }
            ShipmentEvent::TrackingAttached {
                tracking_number,
                slug,
                at,
            } => {
                self.tracking = Some(AttachedTracking {
                    tracking_number: tracking_number.clone(),
                    slug: slug.clone(),
                    attached_at: *at,
                    registration: Registration::Pending {
                        attempts: 0,
                        retry_at: *at,
                    },
                });
            }
            ShipmentEvent::CarrierRegistered { aftership_id, .. } => {
                if let Some(tracking) = &mut self.tracking {
                    tracking.registration = Registration::Registered {
                        aftership_id: aftership_id.clone(),
                    };
                }
            }
            ShipmentEvent::RegistrationDeferred { retry_at, .. } => {
                if let Some(tracking) = &mut self.tracking {
                    if let Registration::Pending { attempts, .. } = tracking.registration {
                        tracking.registration = Registration::Pending {
                            attempts: attempts + 1,
                            retry_at: *retry_at,
                        };
                    }
                }
            }
        }
    }

    /// Marks checkpoint `index` reached at `at` (default: now).
    pub fn mark_reached(
        &self,
        index: usize,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<ShipmentEvent, ShipmentError> {
        if index >= self.checkpoints.len() {
            return Err(ShipmentError::NoSuchCheckpoint {
                index,
                count: self.checkpoints.len(),
            });
        }
        let at = at.unwrap_or(now);
        if at > now.plus_seconds(600) {
            return Err(ShipmentError::FutureTime);
        }
        Ok(ShipmentEvent::CheckpointReached {
            index,
            at,
            recorded_at: now,
        })
    }

    /// Attaches a TN. Attaching the same TN (and slug) again is a no-op (`None`), so the
    /// warehouse can retry safely; a different TN replaces the old one (a corrected label).
    pub fn attach_tracking(
        &self,
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
        now: Timestamp,
    ) -> Option<ShipmentEvent> {
        if let Some(current) = &self.tracking {
            if current.tracking_number == tracking_number
                && (slug.is_none() || current.slug == slug)
            {
                return None;
            }
        }
        Some(ShipmentEvent::TrackingAttached {
            tracking_number,
            slug,
            at: now,
        })
    }

    /// The event recording a failed registration attempt and when to try again.
    pub fn defer_registration(&self, reason: &str, now: Timestamp) -> ShipmentEvent {
        let attempts = match self.tracking.as_ref().map(|t| &t.registration) {
            Some(Registration::Pending { attempts, .. }) => *attempts,
            _ => 0,
        };
        ShipmentEvent::RegistrationDeferred {
            at: now,
            reason: reason.to_string(),
            retry_at: now.plus_seconds(registration_backoff_seconds(attempts)),
        }
    }

    pub fn aftership_id(&self) -> Option<&str> {
        match &self.tracking.as_ref()?.registration {
            Registration::Registered { aftership_id } => Some(aftership_id),
            Registration::Pending { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(n: usize) -> ShipmentEvent {
        ShipmentEvent::Created {
            at: Timestamp(1_000),
            order_ref: "#1001".into(),
            fulfillment_ref: None,
            checkpoints: (0..n)
                .map(|i| CheckpointDef {
                    label: format!("Step {i}"),
                    reached_by: ReachedBy::Movement,
                })
                .collect(),
        }
    }

    #[test]
    fn replay_folds_history_into_state() {
        let merchant: MerchantId = "acme".parse().unwrap();
        let itn = Itn::from_random([1; 9]);
        let mut record = ShipmentRecord::new(merchant, itn, created(3));
        let state = record.state().unwrap();
        let event = state.mark_reached(1, None, Timestamp(5_000)).unwrap();
        record.events.push(event);
        let tn: TrackingNumber = "1Z999".parse().unwrap();
        let attach = record
            .state()
            .unwrap()
            .attach_tracking(tn.clone(), None, Timestamp(6_000))
            .unwrap();
        record.events.push(attach);
        let state = record.state().unwrap();
        assert_eq!(state.reached, vec![None, Some(Timestamp(5_000)), None]);
        assert_eq!(state.tracking.as_ref().unwrap().tracking_number, tn);
        assert_eq!(
            state.attach_tracking("1z999".parse().unwrap(), None, Timestamp(7_000)),
            None,
            "same TN is a no-op"
        );
        let deferred = state.defer_registration("rate limited", Timestamp(8_000));
        record.events.push(deferred);
        let state = record.state().unwrap();
        assert_eq!(
            state.tracking.unwrap().registration,
            Registration::Pending {
                attempts: 1,
                retry_at: Timestamp(68_000)
            }
        );
    }

    #[test]
    fn bad_commands_change_nothing_and_say_why() {
        let state = Shipment::replay(
            &"acme".parse().unwrap(),
            Itn::from_random([2; 9]),
            &[created(2)],
        )
        .unwrap();
        assert_eq!(
            state
                .mark_reached(2, None, Timestamp(0))
                .unwrap_err()
                .to_string(),
            "checkpoint 2 does not exist: this shipment has 2 checkpoints, numbered from 0"
        );
        assert_eq!(
            state.mark_reached(0, Some(Timestamp(10_000_000)), Timestamp(0)),
            Err(ShipmentError::FutureTime)
        );
        assert_eq!(
            Shipment::replay(&"acme".parse().unwrap(), Itn::from_random([2; 9]), &[]),
            Err(ShipmentError::NoHistory)
        );
    }

    #[test]
    fn label_checkpoints_are_recognised_in_several_languages() {
        for label in [
            "Shipping label created",
            "Etiqueta de envío creada",
            "Étiquette créée",
            "Versandetikett erstellt",
        ] {
            assert_eq!(ReachedBy::infer(label), ReachedBy::Label, "{label}");
        }
        assert_eq!(
            ReachedBy::infer("Merchandise prepped and packed"),
            ReachedBy::Movement
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(registration_backoff_seconds(0), 60);
        assert_eq!(registration_backoff_seconds(3), 480);
        assert_eq!(registration_backoff_seconds(50), 6 * 3600);
    }
}
