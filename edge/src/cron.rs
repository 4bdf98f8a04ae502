//! The cron trigger: refreshes active shipments (not delivered or expired) a few times a day
//! and retries pending AfterShip registrations whose back-off has passed, within a per-run call
//! budget that keeps us far below AfterShip's per-endpoint rate limits. What to do for each
//! shipment is `shared::sync::carrier_action`, the same dispatch lookups use.

use shared::sync::{carrier_action, Caller, CarrierAction};
use worker::Env;

use crate::config::Config;
use crate::error::EdgeResult;
use crate::log::background_failure;
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
            // One shipment failing (an unreadable record, a storage hiccup) never stops the run.
            let record = match store.shipment(&merchant, itn).await {
                Ok(Some(record)) => record,
                Ok(None) => {
                    store.mark_inactive(&merchant, itn).await?;
                    continue;
                }
                Err(error) => {
                    background_failure("scheduled refresh: reading a shipment", &error);
                    continue;
                }
            };
            let Ok(state) = record.state() else { continue };
            let cache = store.carrier(&merchant, itn).await?;
            let action = carrier_action(
                state.tracking.as_ref(),
                &cache,
                now(),
                config.carrier_fresh_seconds,
                Caller::Schedule,
            );
            let outcome = match action {
                CarrierAction::Serve => Ok(()),
                CarrierAction::Retire => store.mark_inactive(&merchant, itn).await,
                CarrierAction::Register => {
                    calls += 1;
                    sync::register(&store, &config, &merchant, itn)
                        .await
                        .map(drop)
                }
                CarrierAction::FetchNow { aftership_id }
                | CarrierAction::RefreshInBackground { aftership_id } => {
                    calls += 1;
                    sync::refresh(&store, &config, &record, &aftership_id, Some(cache))
                        .await
                        .map(drop)
                }
            };
            if let Err(error) = outcome {
                background_failure("scheduled refresh", &error);
            }
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}
