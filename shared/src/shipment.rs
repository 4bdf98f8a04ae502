//! A shipment is its history: an append-only list of events, folded into current state.
//!
//! Keeping events (not just the latest state) is what lets later rules (ship confirmations per
//! sales channel, signed status webhooks to the merchant) be replayed over real history.
//! Commands are plain functions: they look at the current state and return the event to
//! append, or a typed error that changes nothing.

use serde::{Deserialize, Serialize};

use crate::ids::{Itn, MerchantId, Slug, TrackingNumber};
use crate::order::Channel;
use crate::sync::DeferReason;
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

/// Which of a shipment's tracking numbers a TN is. A shipment has at most one of each.
///
/// A fulfilment partner ships through a consolidator (CJPacket's `CJP…` number: the
/// `default` one, as every single-TN shipment has) whose parcel a local carrier takes over
/// for the last mile under its own number (`local`, e.g. Canada Post's).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TrackingRole {
    #[default]
    Default,
    Local,
}

impl TrackingRole {
    pub const ALL: [TrackingRole; 2] = [TrackingRole::Default, TrackingRole::Local];

    pub fn as_str(self) -> &'static str {
        match self {
            TrackingRole::Default => "default",
            TrackingRole::Local => "local",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == TrackingRole::Default
    }
}

impl std::fmt::Display for TrackingRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role that is neither `default` nor `local`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be \"default\" (the shipment's main number, e.g. a consolidator's) or \"local\" (the last-mile carrier's number)")]
pub struct UnknownRole;

impl std::str::FromStr for TrackingRole {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<TrackingRole, UnknownRole> {
        match s {
            "default" => Ok(TrackingRole::Default),
            "local" => Ok(TrackingRole::Local),
            _ => Err(UnknownRole),
        }
    }
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
        /// The sales channel or store; absent in histories from before channels (`manual`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<Channel>,
    },
    CheckpointReached {
        index: usize,
        at: Timestamp,
        recorded_at: Timestamp,
    },
    /// A TN for `role` (absent in histories from before roles: `default`); it replaces the
    /// shipment's earlier TN of that role, if any.
    TrackingAttached {
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
        at: Timestamp,
        #[serde(default, skip_serializing_if = "TrackingRole::is_default")]
        role: TrackingRole,
    },
    CarrierRegistered {
        aftership_id: String,
        slug: Option<String>,
        at: Timestamp,
        #[serde(default, skip_serializing_if = "TrackingRole::is_default")]
        role: TrackingRole,
    },
    RegistrationDeferred {
        at: Timestamp,
        reason: String,
        retry_at: Timestamp,
        #[serde(default, skip_serializing_if = "TrackingRole::is_default")]
        role: TrackingRole,
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
    pub channel: Channel,
    pub checkpoints: Vec<CheckpointDef>,
    /// When each checkpoint was explicitly marked reached (the earliest mark wins).
    pub reached: Vec<Option<Timestamp>>,
    /// The default TN (every single-TN shipment's only one).
    pub tracking: Option<AttachedTracking>,
    /// The local last-mile carrier's TN, when the merchant attached one.
    pub local: Option<AttachedTracking>,
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
    #[error("this tracking number is already attached to another shipment")]
    TrackingNumberInUse,
    #[error("this tracking number is already this shipment's {0} tracking number")]
    NumberHasOtherRole(TrackingRole),
}

/// What attaching a TN to a shipment comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachPlan {
    /// The same TN (and slug) again: a retry by the warehouse, nothing to do.
    Unchanged,
    /// Record `event`; `replaces` is the TN it corrects, whose index entry and carrier data
    /// no longer belong to this shipment.
    Attach {
        event: ShipmentEvent,
        replaces: Option<TrackingNumber>,
    },
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

    /// Reads a stored record, keeping every event that can still be read. An event an earlier
    /// version accepted but this one refuses (say, a time outside the accepted range) is left
    /// out rather than making the whole shipment unreadable; `skipped` counts them, so the
    /// caller can log that it happened (never what the event held).
    pub fn from_stored(json: &str) -> Result<StoredRecord, serde_json::Error> {
        #[derive(Deserialize)]
        struct Raw {
            merchant: MerchantId,
            itn: Itn,
            events: Vec<serde_json::Value>,
        }
        let raw: Raw = serde_json::from_str(json)?;
        let total = raw.events.len();
        let events: Vec<ShipmentEvent> = raw
            .events
            .into_iter()
            .filter_map(|event| serde_json::from_value(event).ok())
            .collect();
        Ok(StoredRecord {
            skipped: total - events.len(),
            record: ShipmentRecord {
                merchant: raw.merchant,
                itn: raw.itn,
                events,
            },
        })
    }
}

/// A record read back from storage, with the number of events that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub record: ShipmentRecord,
    pub skipped: usize,
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
            channel,
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
            channel: channel.clone().unwrap_or_else(Channel::manual),
            reached: vec![None; checkpoints.len()],
            checkpoints: checkpoints.clone(),
            tracking: None,
            local: None,
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
                role,
            } => {
                *self.slot_mut(*role) = Some(AttachedTracking {
                    tracking_number: tracking_number.clone(),
                    slug: slug.clone(),
                    attached_at: *at,
                    registration: Registration::Pending {
                        attempts: 0,
                        retry_at: *at,
                    },
                });
            }
            ShipmentEvent::CarrierRegistered {
                aftership_id, role, ..
            } => {
                if let Some(tracking) = self.slot_mut(*role) {
                    tracking.registration = Registration::Registered {
                        aftership_id: aftership_id.clone(),
                    };
                }
            }
            ShipmentEvent::RegistrationDeferred { retry_at, role, .. } => {
                if let Some(tracking) = self.slot_mut(*role) {
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

    fn slot_mut(&mut self, role: TrackingRole) -> &mut Option<AttachedTracking> {
        match role {
            TrackingRole::Default => &mut self.tracking,
            TrackingRole::Local => &mut self.local,
        }
    }

    /// The TN attached in `role`, if any.
    pub fn tracking_of(&self, role: TrackingRole) -> Option<&AttachedTracking> {
        match role {
            TrackingRole::Default => self.tracking.as_ref(),
            TrackingRole::Local => self.local.as_ref(),
        }
    }

    /// Every attached TN with its role, default first.
    pub fn trackings(&self) -> impl Iterator<Item = (TrackingRole, &AttachedTracking)> {
        TrackingRole::ALL
            .into_iter()
            .filter_map(|role| Some((role, self.tracking_of(role)?)))
    }

    /// The role `tracking_number` holds on this shipment, if it is one of its attached TNs.
    pub fn role_of(&self, tracking_number: &TrackingNumber) -> Option<TrackingRole> {
        self.trackings()
            .find(|(_, t)| t.tracking_number.key() == tracking_number.key())
            .map(|(role, _)| role)
    }

    /// Attaches a TN in `role`. `holder` is the shipment of this merchant that the TN is
    /// indexed to, if any: a TN on another shipment would make lookups ambiguous, so it is
    /// refused, and so is the shipment's own TN of the other role (one number, one carrier).
    /// Attaching the same TN (and slug) again changes nothing, so the warehouse can retry
    /// safely; a different TN replaces the role's old one (a corrected label).
    pub fn plan_attach(
        &self,
        role: TrackingRole,
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
        holder: Option<Itn>,
        now: Timestamp,
    ) -> Result<AttachPlan, ShipmentError> {
        if holder.is_some_and(|itn| itn != self.itn) {
            return Err(ShipmentError::TrackingNumberInUse);
        }
        if let Some(other) = self.role_of(&tracking_number).filter(|r| *r != role) {
            return Err(ShipmentError::NumberHasOtherRole(other));
        }
        let current = self.tracking_of(role);
        if let Some(current) = current {
            if current.tracking_number == tracking_number
                && (slug.is_none() || current.slug == slug)
            {
                return Ok(AttachPlan::Unchanged);
            }
        }
        let replaces = current
            .map(|c| c.tracking_number.clone())
            .filter(|previous| *previous != tracking_number);
        Ok(AttachPlan::Attach {
            event: ShipmentEvent::TrackingAttached {
                tracking_number,
                slug,
                at: now,
                role,
            },
            replaces,
        })
    }

    /// The event recording a failed registration attempt of `role`'s TN and when to retry.
    pub fn defer_registration(
        &self,
        role: TrackingRole,
        reason: DeferReason,
        now: Timestamp,
    ) -> ShipmentEvent {
        let attempts = match self.tracking_of(role).map(|t| &t.registration) {
            Some(Registration::Pending { attempts, .. }) => *attempts,
            _ => 0,
        };
        ShipmentEvent::RegistrationDeferred {
            at: now,
            reason: reason.as_str().to_string(),
            retry_at: now.plus_seconds(registration_backoff_seconds(attempts)),
            role,
        }
    }

    /// AfterShip's id for the default TN, once registered.
    pub fn registered_id(&self) -> Option<&str> {
        self.registered_id_of(TrackingRole::Default)
    }

    /// AfterShip's id for `role`'s TN, once registered.
    pub fn registered_id_of(&self, role: TrackingRole) -> Option<&str> {
        match &self.tracking_of(role)?.registration {
            Registration::Registered { aftership_id } => Some(aftership_id),
            Registration::Pending { .. } => None,
        }
    }

    /// Registration of the default TN was tried and failed at least once.
    pub fn registration_failed(&self) -> bool {
        matches!(
            self.tracking.as_ref().map(|t| &t.registration),
            Some(Registration::Pending { attempts, .. }) if *attempts > 0
        )
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
            channel: None,
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
        let Ok(AttachPlan::Attach {
            event,
            replaces: None,
        }) = record.state().unwrap().plan_attach(
            TrackingRole::Default,
            tn.clone(),
            None,
            None,
            Timestamp(6_000),
        )
        else {
            panic!("a first TN is attached");
        };
        record.events.push(event);
        let state = record.state().unwrap();
        assert_eq!(state.reached, vec![None, Some(Timestamp(5_000)), None]);
        assert_eq!(state.tracking.as_ref().unwrap().tracking_number, tn);
        assert_eq!(
            state.plan_attach(
                TrackingRole::Default,
                "1z999".parse().unwrap(),
                None,
                Some(itn),
                Timestamp(7_000)
            ),
            Ok(AttachPlan::Unchanged),
            "same TN is a no-op"
        );
        let deferred = state.defer_registration(
            TrackingRole::Default,
            DeferReason::RateLimited,
            Timestamp(8_000),
        );
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
    fn attaching_refuses_a_tn_held_by_another_shipment_and_names_what_it_corrects() {
        let itn = Itn::from_random([5; 9]);
        let other = Itn::from_random([6; 9]);
        let first: TrackingNumber = "1Z111".parse().unwrap();
        let second: TrackingNumber = "1Z222".parse().unwrap();
        let mut events = vec![created(1)];
        let state = Shipment::replay(&"acme".parse().unwrap(), itn, &events).unwrap();
        assert_eq!(
            state.plan_attach(
                TrackingRole::Default,
                first.clone(),
                None,
                Some(other),
                Timestamp(2_000)
            ),
            Err(ShipmentError::TrackingNumberInUse)
        );
        let Ok(AttachPlan::Attach { event, .. }) = state.plan_attach(
            TrackingRole::Default,
            first.clone(),
            None,
            None,
            Timestamp(2_000),
        ) else {
            panic!("attached");
        };
        events.push(event);
        let state = Shipment::replay(&"acme".parse().unwrap(), itn, &events).unwrap();
        let slug: Slug = "ups".parse().unwrap();
        let table = [
            (first.clone(), None, Some(itn), Ok(false), None),
            (first.clone(), Some(slug.clone()), Some(itn), Ok(true), None),
            (second.clone(), None, None, Ok(true), Some(first.clone())),
            (
                second.clone(),
                None,
                Some(other),
                Err(ShipmentError::TrackingNumberInUse),
                None,
            ),
        ];
        for (tn, slug, holder, attaches, replaces) in table {
            let plan = state.plan_attach(
                TrackingRole::Default,
                tn.clone(),
                slug.clone(),
                holder,
                Timestamp(3_000),
            );
            match (plan, attaches) {
                (Ok(AttachPlan::Unchanged), Ok(false)) => {}
                (Ok(AttachPlan::Attach { replaces: r, .. }), Ok(true)) => {
                    assert_eq!(r, replaces, "{tn:?}")
                }
                (Err(e), Err(expected)) => assert_eq!(e, expected),
                (plan, expected) => panic!("{tn:?} {slug:?}: {plan:?} vs {expected:?}"),
            }
        }
    }

    #[test]
    fn a_local_tn_sits_beside_the_default_one_and_each_role_is_corrected_alone() {
        let merchant: MerchantId = "acme".parse().unwrap();
        let itn = Itn::from_random([8; 9]);
        let cjp: TrackingNumber = "CJPKL7301234567YQ".parse().unwrap();
        let post: TrackingNumber = "7023210039414604".parse().unwrap();
        let corrected: TrackingNumber = "7023210039414611".parse().unwrap();
        let mut record = ShipmentRecord::new(merchant.clone(), itn, created(1));
        let attach = |record: &ShipmentRecord, role, tn: &TrackingNumber| match record
            .state()
            .unwrap()
            .plan_attach(role, tn.clone(), None, None, Timestamp(4_000))
        {
            Ok(AttachPlan::Attach { event, replaces }) => (event, replaces),
            other => panic!("{role} {tn}: {other:?}"),
        };
        let (event, replaces) = attach(&record, TrackingRole::Default, &cjp);
        assert_eq!(replaces, None);
        record.events.push(event);
        let (event, replaces) = attach(&record, TrackingRole::Local, &post);
        assert_eq!(
            replaces, None,
            "a local TN replaces nothing of the default's"
        );
        record.events.push(event);
        let state = record.state().unwrap();
        assert_eq!(state.tracking.as_ref().unwrap().tracking_number, cjp);
        assert_eq!(state.local.as_ref().unwrap().tracking_number, post);
        assert_eq!(state.role_of(&post), Some(TrackingRole::Local));
        assert_eq!(
            state.plan_attach(
                TrackingRole::Local,
                cjp.clone(),
                None,
                Some(itn),
                Timestamp(5_000)
            ),
            Err(ShipmentError::NumberHasOtherRole(TrackingRole::Default)),
            "one number cannot be both"
        );
        // Registration outcomes land on their own role.
        record.events.push(ShipmentEvent::CarrierRegistered {
            aftership_id: "as-local".into(),
            slug: Some("canada-post".into()),
            at: Timestamp(6_000),
            role: TrackingRole::Local,
        });
        record.events.push(state.defer_registration(
            TrackingRole::Default,
            DeferReason::RateLimited,
            Timestamp(6_000),
        ));
        let state = record.state().unwrap();
        assert_eq!(
            state.registered_id_of(TrackingRole::Local),
            Some("as-local")
        );
        assert_eq!(state.registered_id(), None);
        assert!(state.registration_failed());
        // Correcting the local TN leaves the default one alone.
        let (event, replaces) = attach(&record, TrackingRole::Local, &corrected);
        assert_eq!(replaces, Some(post));
        record.events.push(event);
        let state = record.state().unwrap();
        assert_eq!(state.tracking.as_ref().unwrap().tracking_number, cjp);
        assert_eq!(state.local.as_ref().unwrap().tracking_number, corrected);
        assert_eq!(
            state.trackings().map(|(role, _)| role).collect::<Vec<_>>(),
            vec![TrackingRole::Default, TrackingRole::Local]
        );
    }

    #[test]
    fn histories_from_before_roles_read_as_the_default_tn_and_are_written_the_same() {
        let old = serde_json::json!({"type": "tracking_attached", "tracking_number": "1Z999",
            "slug": null, "at": "2026-11-20T09:00:00Z"});
        let event: ShipmentEvent = serde_json::from_value(old.clone()).unwrap();
        assert!(matches!(
            event,
            ShipmentEvent::TrackingAttached {
                role: TrackingRole::Default,
                ..
            }
        ));
        assert_eq!(serde_json::to_value(&event).unwrap(), old);
        for (text, role) in [
            ("default", Ok(TrackingRole::Default)),
            ("local", Ok(TrackingRole::Local)),
            ("Local", Err(UnknownRole)),
            ("", Err(UnknownRole)),
        ] {
            assert_eq!(text.parse::<TrackingRole>(), role, "{text:?}");
        }
    }

    #[test]
    fn an_unreadable_event_costs_only_itself() {
        let merchant: MerchantId = "acme".parse().unwrap();
        let itn = Itn::from_random([7; 9]);
        let created = ShipmentEvent::Created {
            at: "2026-11-20T09:00:00Z".parse().unwrap(),
            order_ref: "#1001".into(),
            fulfillment_ref: None,
            checkpoints: vec![],
            channel: None,
        };
        let mut record = ShipmentRecord::new(merchant, itn, created);
        record.events.push(ShipmentEvent::CheckpointReached {
            index: 1,
            at: Timestamp(2_000_000_000_000),
            recorded_at: Timestamp(2_000_000_000_000),
        });
        let mut json: serde_json::Value = serde_json::to_value(&record).unwrap();
        // What an earlier version stored for `0000-01-01T00:30:00+01:00`.
        json["events"].as_array_mut().unwrap().insert(
            1,
            serde_json::json!({"type": "checkpoint_reached", "index": 0,
                "at": "-001-12-31T23:30:00Z", "recorded_at": "2026-11-20T10:00:00Z"}),
        );
        let stored = ShipmentRecord::from_stored(&json.to_string()).unwrap();
        assert_eq!(stored.skipped, 1);
        assert_eq!(stored.record, record);
        assert!(ShipmentRecord::from_stored("{\"merchant\":1}").is_err());
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
