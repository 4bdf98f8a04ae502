//! Freshness rules for cached carrier data: when a lookup may answer from the cache, when it
//! should refresh in the background, and when AfterShip must be left alone (back-off).

use serde::{Deserialize, Serialize};

use crate::aftership::{ApiError, CarrierTracking};
use crate::shipment::{Shipment, TrackingRole};
use crate::time::Timestamp;

/// Carrier data younger than this is served without asking AfterShip (the default of the
/// `CARRIER_FRESH_SECONDS` setting).
pub const FRESH_SECONDS: i64 = 10 * 60;
/// The cron leaves alone what was fetched this recently: the cron's schedule (a few runs a
/// day) is what spaces its refreshes, this only avoids repeating a just-made call.
pub const CRON_MIN_AGE_SECONDS: i64 = 5 * 60;

/// What Waymark remembers of a shipment's carrier side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CarrierCache {
    pub tracking: Option<CarrierTracking>,
    /// When `tracking` was last fetched successfully (or AfterShip said it does not know the TN).
    pub fetched_at: Option<Timestamp>,
    /// When the last attempt, successful or not, started.
    pub attempted_at: Option<Timestamp>,
    /// The last attempt failed: the data shown is the last known.
    pub failing: bool,
    pub consecutive_failures: u32,
    /// Do not call AfterShip again before this (rate limit or outage back-off).
    pub retry_after: Option<Timestamp>,
}

/// The carrier side of every TN of a shipment: the default TN's cache, and the local
/// last-mile TN's when one is attached. Stored as the default cache's fields plus `local`, so
/// what earlier versions stored reads back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CarrierCaches {
    #[serde(flatten)]
    pub default: CarrierCache,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<CarrierCache>,
}

impl CarrierCaches {
    pub fn of(&self, role: TrackingRole) -> Option<&CarrierCache> {
        match role {
            TrackingRole::Default => Some(&self.default),
            TrackingRole::Local => self.local.as_ref(),
        }
    }

    /// `role`'s cache, created empty if there was none.
    pub fn of_mut(&mut self, role: TrackingRole) -> &mut CarrierCache {
        match role {
            TrackingRole::Default => &mut self.default,
            TrackingRole::Local => self.local.get_or_insert_with(CarrierCache::default),
        }
    }

    /// Forgets `role`'s carrier data (its TN was corrected: the data is another parcel's).
    pub fn forget(&mut self, role: TrackingRole) {
        match role {
            TrackingRole::Default => self.default = CarrierCache::default(),
            TrackingRole::Local => self.local = None,
        }
    }

    /// Nothing left to follow for `shipment`: a carrier shows it delivered, or every attached
    /// TN's carrier reports a final state. A shipment without a TN is not finished.
    pub fn is_finished(&self, shipment: &Shipment) -> bool {
        let caches: Vec<&CarrierCache> = shipment
            .trackings()
            .filter_map(|(role, _)| self.of(role))
            .collect();
        let delivered = caches.iter().any(|c| {
            c.tracking.as_ref().and_then(CarrierTracking::effective_tag)
                == Some(crate::aftership::Tag::Delivered)
        });
        delivered || (!caches.is_empty() && caches.iter().all(|c| c.is_finished()))
    }
}

/// What a lookup should do about the carrier side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Serve the cache; no AfterShip call.
    Fresh,
    /// Serve the cache now and refresh after the response (`wait_until`).
    RefreshInBackground,
    /// Nothing cached yet: fetch before answering (with a short timeout).
    FetchNow,
    /// AfterShip is backing us off: serve what we have, marked stale.
    BackingOff,
}

impl CarrierCache {
    pub fn freshness(&self, now: Timestamp, fresh_seconds: i64) -> Freshness {
        if self.retry_after.is_some_and(|r| r > now) {
            return Freshness::BackingOff;
        }
        // A refresh started within the last 30 s is still in flight somewhere: don't pile on.
        let in_flight = self
            .attempted_at
            .is_some_and(|a| a.plus_seconds(30) > now && self.fetched_at.is_none_or(|f| f < a));
        match self.fetched_at {
            // Never read (only the registration's answer, if anything): read before answering.
            None if !in_flight && !self.failing => Freshness::FetchNow,
            Some(at) if at.plus_seconds(fresh_seconds) > now => Freshness::Fresh,
            _ if in_flight => Freshness::Fresh,
            _ => Freshness::RefreshInBackground,
        }
    }

    /// The cache after a successful fetch or a pushed update. Whatever order pushes and polls
    /// arrive in, the newer carrier state wins: an answer older than what is kept (see
    /// [`is_older`]) refreshes the fetch time but never replaces the tracking.
    pub fn succeeded(&self, tracking: Option<CarrierTracking>, now: Timestamp) -> CarrierCache {
        let tracking = match (tracking, &self.tracking) {
            (Some(incoming), Some(kept)) if is_older(&incoming, kept) => Some(kept.clone()),
            // "Not known yet" (4004) keeps whatever we knew rather than erasing it.
            (incoming, kept) => incoming.or_else(|| kept.clone()),
        };
        CarrierCache {
            tracking,
            fetched_at: Some(now),
            attempted_at: Some(now),
            failing: false,
            consecutive_failures: 0,
            retry_after: None,
        }
    }

    /// The cache after registering the TN: AfterShip's answer to the registration is kept, but
    /// as provisional (no fetch time), so the first lookup reads the tracking itself. A newly
    /// created tracking rarely has its scans yet; an existing one may.
    pub fn registered(tracking: CarrierTracking) -> CarrierCache {
        CarrierCache {
            tracking: Some(tracking),
            fetched_at: None,
            attempted_at: None,
            failing: false,
            consecutive_failures: 0,
            retry_after: None,
        }
    }

    /// The cache after a failed fetch: last known data kept, back-off set for 429 and 5xx.
    pub fn failed(
        &self,
        error: &ApiError,
        retry_after_hint: Option<i64>,
        now: Timestamp,
    ) -> CarrierCache {
        let failures = self.consecutive_failures.saturating_add(1);
        let backoff = match error {
            ApiError::RateLimited => Some(retry_after_hint.unwrap_or(60).clamp(1, 3600)),
            ApiError::Server { .. } | ApiError::Malformed { .. } | ApiError::Unauthorized => {
                Some((15i64 << failures.min(8)).min(1800))
            }
            _ => Some(60),
        };
        CarrierCache {
            tracking: self.tracking.clone(),
            fetched_at: self.fetched_at,
            attempted_at: Some(now),
            failing: true,
            consecutive_failures: failures,
            retry_after: backoff.map(|s| now.plus_seconds(s)),
        }
    }

    /// The cache after a refresh attempt was claimed (so concurrent lookups don't repeat it).
    pub fn claimed(&self, now: Timestamp) -> CarrierCache {
        CarrierCache {
            attempted_at: Some(now),
            ..self.clone()
        }
    }

    /// The carrier reports a final state (delivered, expired): nothing more to follow.
    pub fn is_finished(&self) -> bool {
        self.tracking
            .as_ref()
            .and_then(CarrierTracking::effective_tag)
            .is_some_and(|t| t.is_final())
    }

    /// Whether the scheduled refresh should read this shipment now: not finished, not backed
    /// off, and either failing or not read in the last few minutes.
    pub fn due_for_schedule(&self, now: Timestamp) -> bool {
        if self.retry_after.is_some_and(|r| r > now) || self.is_finished() {
            return false;
        }
        self.failing
            || self
                .fetched_at
                .is_none_or(|f| f.plus_seconds(CRON_MIN_AGE_SECONDS) <= now)
    }
}

/// Whether `incoming` describes an older carrier state than `kept`. AfterShip's own update
/// time decides when both have one (it also covers corrections that remove a scan); otherwise
/// the newest scan does. Equal or unknown means not older: the incoming answer is taken.
pub fn is_older(incoming: &CarrierTracking, kept: &CarrierTracking) -> bool {
    match (incoming.updated_at, kept.updated_at) {
        (Some(a), Some(b)) if a != b => a < b,
        _ => match (
            incoming.newest_checkpoint_key(),
            kept.newest_checkpoint_key(),
        ) {
            (Some(a), Some(b)) => a < b,
            (None, Some(_)) => true,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_stored_before_local_numbers_read_back_as_the_default_one() {
        let now = Timestamp(1_700_000_000_000);
        let tracking = CarrierTracking {
            tag: Some(crate::aftership::Tag::InTransit),
            ..Default::default()
        };
        let old = CarrierCache::default().succeeded(Some(tracking), now);
        let json = serde_json::to_string(&old).unwrap();
        let read: CarrierCaches = serde_json::from_str(&json).unwrap();
        assert_eq!(read.default, old);
        assert_eq!(read.local, None);
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            json,
            "written as before"
        );
        let mut both = read.clone();
        *both.of_mut(TrackingRole::Local) = old.clone();
        let again: CarrierCaches =
            serde_json::from_str(&serde_json::to_string(&both).unwrap()).unwrap();
        assert_eq!(again, both);
        both.forget(TrackingRole::Local);
        assert_eq!(both, read);
    }

    #[test]
    fn a_shipment_is_finished_once_delivered_by_either_carrier_or_final_on_every_one() {
        use crate::aftership::Tag;
        use crate::shipment::ShipmentEvent;
        let at = Timestamp(1_700_000_000_000);
        let mut events = vec![ShipmentEvent::Created {
            at,
            order_ref: "#1".into(),
            fulfillment_ref: None,
            checkpoints: vec![],
            channel: None,
        }];
        for (number, role) in [
            ("CJP123", TrackingRole::Default),
            ("7023", TrackingRole::Local),
        ] {
            events.push(ShipmentEvent::TrackingAttached {
                tracking_number: number.parse().unwrap(),
                slug: None,
                at,
                role,
            });
        }
        let shipment = Shipment::replay(
            &"acme".parse().unwrap(),
            crate::ids::Itn::from_random([2; 9]),
            &events,
        )
        .unwrap();
        let cache = |tag: Option<Tag>| {
            CarrierCache::default().succeeded(
                tag.map(|tag| CarrierTracking {
                    tag: Some(tag),
                    ..Default::default()
                }),
                at,
            )
        };
        let table = [
            (Some(Tag::InTransit), Some(Tag::Delivered), true),
            (Some(Tag::Delivered), None, true),
            (Some(Tag::Expired), Some(Tag::InTransit), false),
            (Some(Tag::Expired), Some(Tag::Expired), true),
            (Some(Tag::InTransit), None, false),
        ];
        for (default, local, finished) in table {
            let caches = CarrierCaches {
                default: cache(default),
                local: Some(cache(local)),
            };
            assert_eq!(
                caches.is_finished(&shipment),
                finished,
                "{default:?} {local:?}"
            );
        }
    }

    #[test]
    fn freshness_table() {
        let now = Timestamp(1_000_000_000);
        let fresh = CarrierCache::default()
            .succeeded(Some(CarrierTracking::default()), now.plus_seconds(-60));
        let old = CarrierCache::default().succeeded(
            Some(CarrierTracking::default()),
            now.plus_seconds(-FRESH_SECONDS - 1),
        );
        let failing = old.failed(&ApiError::RateLimited, Some(120), now.plus_seconds(-10));
        let claimed = old.claimed(now.plus_seconds(-5));
        let table = [
            (CarrierCache::default(), Freshness::FetchNow),
            (
                CarrierCache::registered(CarrierTracking::default()),
                Freshness::FetchNow,
            ),
            (fresh, Freshness::Fresh),
            (old.clone(), Freshness::RefreshInBackground),
            (failing.clone(), Freshness::BackingOff),
            (claimed, Freshness::Fresh),
        ];
        for (cache, expected) in table {
            assert_eq!(cache.freshness(now, FRESH_SECONDS), expected, "{cache:?}");
        }
        assert!(
            failing.failing && failing.tracking.is_some(),
            "last known data is kept"
        );
        assert_eq!(
            failing.freshness(now.plus_seconds(200), FRESH_SECONDS),
            Freshness::RefreshInBackground
        );
    }

    #[test]
    fn the_newer_carrier_state_wins_whatever_order_answers_arrive_in() {
        use crate::aftership::{CarrierCheckpoint, Tag};
        use crate::time::CarrierTime;
        let scan = |time: &str, tag: Tag| CarrierCheckpoint {
            time: CarrierTime::parse(time),
            message: tag.label().into(),
            location: None,
            tag: Some(tag),
            subtag: None,
        };
        let transit = CarrierTracking {
            tag: Some(Tag::InTransit),
            updated_at: Some("2026-11-20T10:00:00Z".parse().unwrap()),
            checkpoints: vec![scan("2026-11-20T09:00:00+01:00", Tag::InTransit)],
            ..Default::default()
        };
        let delivered = CarrierTracking {
            tag: Some(Tag::Delivered),
            updated_at: Some("2026-11-21T10:00:00Z".parse().unwrap()),
            checkpoints: vec![
                scan("2026-11-20T09:00:00+01:00", Tag::InTransit),
                scan("2026-11-21T09:00:00+01:00", Tag::Delivered),
            ],
            ..Default::default()
        };
        let no_update_time = |t: &CarrierTracking| CarrierTracking {
            updated_at: None,
            ..t.clone()
        };
        let now = Timestamp(2_000_000_000_000);
        for (first, second) in [
            (transit.clone(), delivered.clone()),
            (delivered.clone(), transit.clone()),
            (no_update_time(&delivered), no_update_time(&transit)),
            (no_update_time(&transit), no_update_time(&delivered)),
        ] {
            let cache = CarrierCache::default()
                .succeeded(Some(first), now)
                .succeeded(Some(second), now.plus_seconds(1));
            assert_eq!(
                cache.tracking.as_ref().and_then(|t| t.tag),
                Some(Tag::Delivered)
            );
            assert_eq!(cache.fetched_at, Some(now.plus_seconds(1)));
        }
        // A correction AfterShip made later (newer update time, a scan removed) is taken.
        let corrected = CarrierTracking {
            updated_at: Some("2026-11-22T10:00:00Z".parse().unwrap()),
            ..transit.clone()
        };
        let cache = CarrierCache::default()
            .succeeded(Some(delivered), now)
            .succeeded(Some(corrected), now);
        assert_eq!(cache.tracking.and_then(|t| t.tag), Some(Tag::InTransit));
    }

    #[test]
    fn not_known_yet_keeps_what_we_knew() {
        let now = Timestamp(0);
        let known = CarrierCache::default().succeeded(
            Some(CarrierTracking {
                id: Some("x".into()),
                ..Default::default()
            }),
            now,
        );
        assert!(known
            .succeeded(None, now.plus_seconds(1))
            .tracking
            .is_some());
    }
}
