//! Keeping the carrier side in step with AfterShip: registering TNs and refreshing trackings.
//! Used by the attach route, by lookups (in the background), by the webhook and by the cron.

use shared::aftership::{ApiError, CarrierTracking};
use shared::cache::CarrierCache;
use shared::shipment::{Registration, ShipmentEvent, ShipmentRecord};
use shared::{Itn, MerchantId, Timestamp};

use crate::aftership::AfterShip;
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::store::Store;

pub fn now() -> Timestamp {
    Timestamp::from_millis(worker::Date::now().as_millis() as i64)
}

/// Tries to register the shipment's TN with AfterShip. Records the outcome as an event
/// (registered, or deferred with a retry time) and caches any tracking data that came back.
/// Returns whether the TN is now registered.
pub async fn register(
    store: &Store,
    config: &Config,
    merchant: &MerchantId,
    itn: Itn,
) -> EdgeResult<bool> {
    let Some(mut record) = store.shipment(merchant, itn).await? else {
        return Ok(false);
    };
    let state = record
        .state()
        .map_err(|e| EdgeError::Internal(e.to_string()))?;
    let Some(tracking) = &state.tracking else {
        return Ok(false);
    };
    if let Registration::Registered { .. } = tracking.registration {
        return Ok(true);
    }
    let result = AfterShip::new(config)
        .register(
            &tracking.tracking_number,
            tracking.slug.as_ref(),
            merchant,
            itn,
        )
        .await;
    let now = now();
    match result {
        Ok(carrier) if carrier.id.as_deref().is_none_or(str::is_empty) => {
            // Without AfterShip's id the tracking cannot be read back: not registered yet.
            record
                .events
                .push(state.defer_registration("aftership_missing_id", now));
            store.put_shipment(&record).await?;
            Ok(false)
        }
        Ok(carrier) => {
            let id = carrier.id.clone().unwrap_or_default();
            record.events.push(ShipmentEvent::CarrierRegistered {
                aftership_id: id,
                slug: carrier.slug.clone(),
                at: now,
            });
            store.put_shipment(&record).await?;
            store
                .put_carrier(merchant, itn, &CarrierCache::registered(carrier))
                .await?;
            Ok(true)
        }
        Err(failure) => {
            record
                .events
                .push(state.defer_registration(reason(&failure.error), now));
            store.put_shipment(&record).await?;
            Ok(false)
        }
    }
}

/// A short, non-sensitive reason for the history (never AfterShip's body or our key).
fn reason(error: &ApiError) -> &'static str {
    match error {
        ApiError::Unauthorized => "aftership_unauthorized",
        ApiError::NotFound => "aftership_not_found",
        ApiError::AlreadyExists => "aftership_already_exists",
        ApiError::RateLimited => "aftership_rate_limited",
        ApiError::BadRequest { .. } => "aftership_rejected",
        ApiError::Server { .. } => "aftership_unavailable",
        ApiError::Malformed { .. } => "aftership_malformed_answer",
    }
}

/// Fetches the tracking from AfterShip and stores the outcome in the carrier cache.
pub async fn refresh(
    store: &Store,
    config: &Config,
    record: &ShipmentRecord,
    aftership_id: &str,
    known: Option<CarrierCache>,
) -> EdgeResult<CarrierCache> {
    let merchant = &record.merchant;
    let itn = record.itn;
    // Callers that just read the cache pass it in; a background refresh reads it afresh.
    let cache = match known {
        Some(cache) => cache,
        None => store.carrier(merchant, itn).await?,
    };
    let now = now();
    let updated = match AfterShip::new(config).get(aftership_id).await {
        Ok(tracking) => cache.succeeded(Some(tracking), now),
        Err(failure) if failure.error == ApiError::NotFound => cache.succeeded(None, now),
        Err(failure) => cache.failed(&failure.error, failure.retry_after, now),
    };
    store.put_carrier(merchant, itn, &updated).await?;
    if updated
        .tracking
        .as_ref()
        .and_then(CarrierTracking::effective_tag)
        .is_some_and(|t| t.is_final())
    {
        store.mark_inactive(merchant, itn).await?;
    }
    Ok(updated)
}

/// Applies a tracking pushed by AfterShip (webhook) to one shipment's cache.
pub async fn apply_pushed(
    store: &Store,
    merchant: &MerchantId,
    itn: Itn,
    tracking: CarrierTracking,
) -> EdgeResult<()> {
    let now = now();
    let cache = store.carrier(merchant, itn).await?;
    let final_tag = tracking.effective_tag().is_some_and(|t| t.is_final());
    store
        .put_carrier(merchant, itn, &cache.succeeded(Some(tracking), now))
        .await?;
    if final_tag {
        store.mark_inactive(merchant, itn).await?;
    }
    Ok(())
}
