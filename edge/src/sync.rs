//! Carrying out carrier-sync decisions: registering TNs with AfterShip and reading trackings.
//! What to do, and what an answer means, is decided in `shared::sync`; this module only calls
//! AfterShip and stores the outcome. Used by the attach route, by lookups (in the background),
//! by the webhook and by the schedule.

use shared::aftership::{ApiError, CarrierTracking};
use shared::cache::CarrierCache;
use shared::shipment::{Registration, ShipmentEvent, ShipmentRecord};
use shared::sync::{registration_outcome, RegistrationOutcome};
use shared::{Itn, MerchantId, Timestamp};

use crate::aftership::AfterShip;
use crate::config::Config;
use crate::error::EdgeResult;
use crate::store::Store;

pub fn now() -> Timestamp {
    Timestamp::from_millis(worker::Date::now().as_millis() as i64)
}

/// Tries to register the shipment's TN with AfterShip and records the outcome as an event
/// (registered, or deferred with a retry time), caching any tracking data that came back.
/// Returns whether the TN is now registered. AfterShip failing is an outcome, not an error:
/// only storage failures are returned as errors.
pub async fn register(
    store: &Store,
    config: &Config,
    merchant: &MerchantId,
    itn: Itn,
) -> EdgeResult<bool> {
    let Some(mut record) = store.shipment(merchant, itn).await? else {
        return Ok(false);
    };
    let state = record.state()?;
    let Some(tracking) = &state.tracking else {
        return Ok(false);
    };
    if let Registration::Registered { .. } = tracking.registration {
        return Ok(true);
    }
    let answer = AfterShip::new(config)
        .register(
            &tracking.tracking_number,
            tracking.slug.as_ref(),
            merchant,
            itn,
        )
        .await
        .map_err(|failure| failure.error);
    let now = now();
    match registration_outcome(answer, merchant) {
        RegistrationOutcome::Registered {
            aftership_id,
            slug,
            tracking,
        } => {
            record.events.push(ShipmentEvent::CarrierRegistered {
                aftership_id,
                slug,
                at: now,
            });
            store.put_shipment(&record).await?;
            store
                .put_carrier(merchant, itn, &CarrierCache::registered(*tracking))
                .await?;
            Ok(true)
        }
        RegistrationOutcome::Deferred(reason) => {
            record.events.push(state.defer_registration(reason, now));
            store.put_shipment(&record).await?;
            Ok(false)
        }
    }
}

/// Reads the tracking from AfterShip and stores the outcome in the carrier cache.
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
    store_carrier(store, merchant, itn, &updated).await?;
    Ok(updated)
}

/// Applies a tracking pushed by AfterShip (webhook) to one shipment's cache. The newer
/// carrier state wins (`CarrierCache::succeeded`), whatever order pushes and reads arrive in.
pub async fn apply_pushed(
    store: &Store,
    merchant: &MerchantId,
    itn: Itn,
    tracking: CarrierTracking,
) -> EdgeResult<()> {
    let cache = store.carrier(merchant, itn).await?;
    store_carrier(
        store,
        merchant,
        itn,
        &cache.succeeded(Some(tracking), now()),
    )
    .await
}

/// Stores a carrier cache; a shipment whose carrier reports a final state leaves the
/// schedule's work list.
async fn store_carrier(
    store: &Store,
    merchant: &MerchantId,
    itn: Itn,
    cache: &CarrierCache,
) -> EdgeResult<()> {
    store.put_carrier(merchant, itn, cache).await?;
    if cache.is_finished() {
        store.mark_inactive(merchant, itn).await?;
    }
    Ok(())
}
