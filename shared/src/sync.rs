//! Decisions about keeping a shipment's carrier side in step with AfterShip: what a lookup or
//! the scheduled refresh should do, what a registration's answer means, which shipments a
//! pushed tracking belongs to, and when a shipment needs no more refreshing. The edge gathers
//! the inputs (storage, AfterShip's answer, the clock) and carries out what is decided here.

use crate::aftership::{ApiError, CarrierTracking};
use crate::cache::{CarrierCache, Freshness};
use crate::ids::{Itn, MerchantId};
use crate::shipment::{AttachedTracking, Registration};
use crate::time::Timestamp;

/// Who is asking: a shopper's lookup must answer fast, the scheduled refresh can take its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Lookup,
    Schedule,
}

/// What to do about the carrier side of one shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarrierAction {
    /// Answer from what is stored; call nobody.
    Serve,
    /// Register the TN with AfterShip (for a lookup: after answering, in the background).
    Register,
    /// Read the tracking before answering (a lookup's first read, bounded by a timeout).
    FetchNow { aftership_id: String },
    /// Answer from the cache, then read the tracking (claiming the refresh first).
    RefreshInBackground { aftership_id: String },
    /// Nothing left to follow (no TN, or a final carrier state): stop refreshing it.
    Retire,
}

/// The one dispatch on a shipment's registration state, shared by lookups and the schedule.
pub fn carrier_action(
    tracking: Option<&AttachedTracking>,
    cache: &CarrierCache,
    now: Timestamp,
    fresh_seconds: i64,
    caller: Caller,
) -> CarrierAction {
    let Some(tracking) = tracking else {
        return match caller {
            Caller::Lookup => CarrierAction::Serve,
            Caller::Schedule => CarrierAction::Retire,
        };
    };
    match &tracking.registration {
        // The schedule's own spacing (a few runs a day) paces its retries; lookups, which come
        // at any rate, respect the back-off.
        Registration::Pending { .. } if caller == Caller::Schedule => CarrierAction::Register,
        Registration::Pending { retry_at, .. } if *retry_at <= now => CarrierAction::Register,
        Registration::Pending { .. } => CarrierAction::Serve,
        Registration::Registered { aftership_id } => {
            let aftership_id = aftership_id.clone();
            match caller {
                Caller::Lookup => match cache.freshness(now, fresh_seconds) {
                    Freshness::Fresh | Freshness::BackingOff => CarrierAction::Serve,
                    Freshness::FetchNow => CarrierAction::FetchNow { aftership_id },
                    Freshness::RefreshInBackground => {
                        CarrierAction::RefreshInBackground { aftership_id }
                    }
                },
                Caller::Schedule if cache.is_finished() => CarrierAction::Retire,
                Caller::Schedule if cache.due_for_schedule(now) => {
                    CarrierAction::FetchNow { aftership_id }
                }
                Caller::Schedule => CarrierAction::Serve,
            }
        }
    }
}

/// Why a registration was put off; stored in the shipment's history and shown to the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeferReason {
    Unauthorized,
    NotFound,
    AlreadyExists,
    RateLimited,
    Rejected,
    Unavailable,
    MalformedAnswer,
    /// AfterShip answered without its id, so the tracking could not be read back.
    MissingId,
    /// AfterShip already tracks this TN for another merchant: never bound to it.
    OwnedByAnotherMerchant,
}

impl DeferReason {
    /// A short, non-sensitive reason (never AfterShip's body or a key).
    pub fn as_str(self) -> &'static str {
        match self {
            DeferReason::Unauthorized => "aftership_unauthorized",
            DeferReason::NotFound => "aftership_not_found",
            DeferReason::AlreadyExists => "aftership_already_exists",
            DeferReason::RateLimited => "aftership_rate_limited",
            DeferReason::Rejected => "aftership_rejected",
            DeferReason::Unavailable => "aftership_unavailable",
            DeferReason::MalformedAnswer => "aftership_malformed_answer",
            DeferReason::MissingId => "aftership_missing_id",
            DeferReason::OwnedByAnotherMerchant => "tracking_owned_by_another_merchant",
        }
    }

    pub fn of(error: &ApiError) -> DeferReason {
        match error {
            ApiError::Unauthorized => DeferReason::Unauthorized,
            ApiError::NotFound => DeferReason::NotFound,
            ApiError::AlreadyExists => DeferReason::AlreadyExists,
            ApiError::RateLimited => DeferReason::RateLimited,
            ApiError::BadRequest { .. } => DeferReason::Rejected,
            ApiError::Server { .. } => DeferReason::Unavailable,
            ApiError::Malformed { .. } => DeferReason::MalformedAnswer,
        }
    }
}

/// What an attempt to register a TN with AfterShip came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationOutcome {
    Registered {
        aftership_id: String,
        slug: Option<String>,
        tracking: Box<CarrierTracking>,
    },
    Deferred(DeferReason),
}

/// Reads AfterShip's answer to a registration (or to the look-up that follows "already
/// exists"). A tracking is bound to this shipment only when AfterShip gave its id and the
/// tracking is this merchant's: Waymark writes the merchant into every tracking it creates, so
/// a tracking naming another merchant, or none, was not created for this one.
pub fn registration_outcome(
    answer: Result<CarrierTracking, ApiError>,
    merchant: &MerchantId,
) -> RegistrationOutcome {
    let tracking = match answer {
        Ok(tracking) => tracking,
        Err(error) => return RegistrationOutcome::Deferred(DeferReason::of(&error)),
    };
    if tracking.waymark_merchant.as_deref() != Some(merchant.as_str()) {
        return RegistrationOutcome::Deferred(DeferReason::OwnedByAnotherMerchant);
    }
    match tracking.id.clone().filter(|id| !id.trim().is_empty()) {
        None => RegistrationOutcome::Deferred(DeferReason::MissingId),
        Some(aftership_id) => RegistrationOutcome::Registered {
            aftership_id,
            slug: tracking.slug.clone(),
            tracking: Box::new(tracking),
        },
    }
}

/// Whether a tracking pushed by AfterShip's webhook belongs to one shipment that carries its
/// TN. The tracking's own id decides when the shipment was registered with it; otherwise both
/// custom fields must name this shipment. Anything less is someone else's tracking.
pub fn pushed_tracking_belongs_to(
    tracking: &CarrierTracking,
    merchant: &MerchantId,
    itn: Itn,
    registered_id: Option<&str>,
) -> bool {
    if let (Some(pushed), Some(registered)) = (tracking.id.as_deref(), registered_id) {
        if !pushed.is_empty() {
            return pushed == registered;
        }
    }
    tracking.waymark_merchant.as_deref() == Some(merchant.as_str())
        && tracking
            .waymark_itn
            .as_deref()
            .and_then(|i| i.parse::<Itn>().ok())
            == Some(itn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::FRESH_SECONDS;
    use crate::shipment::Registration;

    fn acme() -> MerchantId {
        "acme".parse().unwrap()
    }

    fn attached(registration: Registration) -> AttachedTracking {
        AttachedTracking {
            tracking_number: "1Z999AA10123456784".parse().unwrap(),
            slug: None,
            attached_at: Timestamp(0),
            registration,
        }
    }

    fn ours(id: Option<&str>) -> CarrierTracking {
        CarrierTracking {
            id: id.map(str::to_string),
            waymark_merchant: Some("acme".into()),
            ..Default::default()
        }
    }

    #[test]
    fn one_dispatch_for_lookups_and_the_schedule() {
        let now = Timestamp(10_000_000);
        let due = attached(Registration::Pending {
            attempts: 2,
            retry_at: now,
        });
        let backed_off = attached(Registration::Pending {
            attempts: 2,
            retry_at: now.plus_seconds(60),
        });
        let registered = attached(Registration::Registered {
            aftership_id: "as1".into(),
        });
        let fresh = CarrierCache::default().succeeded(Some(ours(Some("as1"))), now);
        let old = CarrierCache::default().succeeded(
            Some(ours(Some("as1"))),
            now.plus_seconds(-FRESH_SECONDS - 1),
        );
        let delivered = CarrierCache::default().succeeded(
            Some(CarrierTracking {
                tag: Some(crate::aftership::Tag::Delivered),
                ..ours(Some("as1"))
            }),
            now.plus_seconds(-3600),
        );
        let never_read = CarrierCache::default();
        let fetch = |id: &str| CarrierAction::FetchNow {
            aftership_id: id.into(),
        };
        let table: Vec<(
            Option<&AttachedTracking>,
            &CarrierCache,
            Caller,
            CarrierAction,
        )> = vec![
            (None, &fresh, Caller::Lookup, CarrierAction::Serve),
            (None, &fresh, Caller::Schedule, CarrierAction::Retire),
            (Some(&due), &old, Caller::Lookup, CarrierAction::Register),
            (Some(&due), &old, Caller::Schedule, CarrierAction::Register),
            (
                Some(&backed_off),
                &old,
                Caller::Lookup,
                CarrierAction::Serve,
            ),
            (
                Some(&backed_off),
                &old,
                Caller::Schedule,
                CarrierAction::Register,
            ),
            (
                Some(&registered),
                &fresh,
                Caller::Lookup,
                CarrierAction::Serve,
            ),
            (
                Some(&registered),
                &old,
                Caller::Lookup,
                CarrierAction::RefreshInBackground {
                    aftership_id: "as1".into(),
                },
            ),
            (Some(&registered), &never_read, Caller::Lookup, fetch("as1")),
            (Some(&registered), &old, Caller::Schedule, fetch("as1")),
            (
                Some(&registered),
                &fresh,
                Caller::Schedule,
                CarrierAction::Serve,
            ),
            (
                Some(&registered),
                &delivered,
                Caller::Schedule,
                CarrierAction::Retire,
            ),
        ];
        for (tracking, cache, caller, expected) in table {
            assert_eq!(
                carrier_action(tracking, cache, now, FRESH_SECONDS, caller),
                expected,
                "{tracking:?} {caller:?}"
            );
        }
    }

    #[test]
    fn a_registration_binds_only_our_own_tracking_with_an_id() {
        let theirs = CarrierTracking {
            id: Some("as9".into()),
            waymark_merchant: Some("globex".into()),
            ..Default::default()
        };
        let anonymous = CarrierTracking {
            id: Some("as8".into()),
            ..Default::default()
        };
        let table = [
            (
                Ok(ours(Some("as1"))),
                RegistrationOutcome::Registered {
                    aftership_id: "as1".into(),
                    slug: None,
                    tracking: Box::new(ours(Some("as1"))),
                },
            ),
            (
                Ok(ours(None)),
                RegistrationOutcome::Deferred(DeferReason::MissingId),
            ),
            (
                Ok(ours(Some(" "))),
                RegistrationOutcome::Deferred(DeferReason::MissingId),
            ),
            (
                Ok(theirs),
                RegistrationOutcome::Deferred(DeferReason::OwnedByAnotherMerchant),
            ),
            (
                Ok(anonymous),
                RegistrationOutcome::Deferred(DeferReason::OwnedByAnotherMerchant),
            ),
            (
                Err(ApiError::RateLimited),
                RegistrationOutcome::Deferred(DeferReason::RateLimited),
            ),
            (
                Err(ApiError::Malformed { status: 502 }),
                RegistrationOutcome::Deferred(DeferReason::MalformedAnswer),
            ),
        ];
        for (answer, expected) in table {
            assert_eq!(
                registration_outcome(answer.clone(), &acme()),
                expected,
                "{answer:?}"
            );
        }
    }

    #[test]
    fn pushed_trackings_reach_only_the_shipment_they_were_registered_for() {
        let itn = Itn::from_random([1; 9]);
        let other_itn = Itn::from_random([2; 9]);
        let with_fields = |merchant: &str, itn: Itn, id: Option<&str>| CarrierTracking {
            id: id.map(str::to_string),
            waymark_merchant: Some(merchant.into()),
            waymark_itn: Some(itn.to_string()),
            ..Default::default()
        };
        let table = [
            // The registered id decides.
            (
                with_fields("acme", itn, Some("as1")),
                itn,
                Some("as1"),
                true,
            ),
            (
                with_fields("acme", itn, Some("as2")),
                itn,
                Some("as1"),
                false,
            ),
            // Without a registered id, both custom fields must name the shipment.
            (with_fields("acme", itn, Some("as1")), itn, None, true),
            (with_fields("acme", itn, None), other_itn, None, false),
            (with_fields("globex", itn, None), itn, None, false),
            (CarrierTracking::default(), itn, None, false),
            (
                CarrierTracking {
                    id: Some("as1".into()),
                    ..Default::default()
                },
                itn,
                None,
                false,
            ),
        ];
        for (tracking, owner_itn, registered, expected) in table {
            assert_eq!(
                pushed_tracking_belongs_to(&tracking, &acme(), owner_itn, registered),
                expected,
                "{tracking:?} {registered:?}"
            );
        }
    }
}
