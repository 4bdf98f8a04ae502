//! The cron trigger: refreshes active shipments (not delivered or expired) a few times a day
//! and retries pending AfterShip registrations, within a per-run call budget that keeps us far
//! below AfterShip's per-endpoint rate limits.

use shared::shipment::Registration;
use worker::Env;

use crate::config::Config;
use crate::error::EdgeResult;
use crate::store::Store;
use crate::sync::{self, now};

/// AfterShip calls one cron run may make (each run is one invocation, a few seconds of work).
const CALL_BUDGET: usize = 40;

pub async fn refresh_active(env: &Env) -> EdgeResult<()> {
    let store = Store::open(env)?;
    let config = Config::from_env(env);
    let mut calls = 0;
    let mut cursor = None;
    loop {
        let (page, next) = store.active_page(cursor, 100).await?;
        for (merchant, itn) in page {
            if calls >= CALL_BUDGET {
                return Ok(());
            }
            let Some(record) = store.shipment(&merchant, itn).await? else {
                store.mark_inactive(&merchant, itn).await?;
                continue;
            };
            let Ok(state) = record.state() else { continue };
            let now = now();
            match state.tracking.as_ref().map(|t| &t.registration) {
                None => store.mark_inactive(&merchant, itn).await?,
                // The cron's own schedule spaces these retries, so it does not wait for the
                // lookup-side `retry_at` back-off.
                Some(Registration::Pending { .. }) => {
                    calls += 1;
                    sync::register(&store, &config, &merchant, itn).await?;
                }
                Some(Registration::Registered { aftership_id }) => {
                    let cache = store.carrier(&merchant, itn).await?;
                    if cache.due_for_cron(now) {
                        calls += 1;
                        sync::refresh(&store, &config, &record, aftership_id, Some(cache)).await?;
                    }
                }
            }
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}
