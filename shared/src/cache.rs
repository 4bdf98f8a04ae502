//! Freshness rules for cached carrier data: when a lookup may answer from the cache, when it
//! should refresh in the background, and when AfterShip must be left alone (back-off).

use serde::{Deserialize, Serialize};

use crate::aftership::{ApiError, CarrierTracking};
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

    /// The cache after a successful fetch.
    pub fn succeeded(&self, tracking: Option<CarrierTracking>, now: Timestamp) -> CarrierCache {
        CarrierCache {
            // "Not known yet" (4004) keeps whatever we knew rather than erasing it.
            tracking: tracking.or_else(|| self.tracking.clone()),
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

    /// Whether the cron should refresh this shipment now: not finished, not backed off, and
    /// either failing or not fetched in the last few minutes.
    pub fn due_for_cron(&self, now: Timestamp) -> bool {
        if self.retry_after.is_some_and(|r| r > now) {
            return false;
        }
        if self
            .tracking
            .as_ref()
            .and_then(CarrierTracking::effective_tag)
            .is_some_and(|t| t.is_final())
        {
            return false;
        }
        self.failing
            || self
                .fetched_at
                .is_none_or(|f| f.plus_seconds(CRON_MIN_AGE_SECONDS) <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
