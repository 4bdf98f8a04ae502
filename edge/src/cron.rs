//! The cron trigger: asks every merchant's record to run its scheduled refresh. Each record
//! refreshes its own active shipments within its own AfterShip call budget, least recently
//! refreshed first, so no merchant (and no failing shipment) starves another.

use futures::future::join_all;
use shared::MerchantId;
use worker::Env;

use crate::error::EdgeResult;
use crate::log::background_failure;
use crate::record::protocol::{call, Command};
use crate::store::Store;

/// Records asked at once: enough to finish a run quickly, few enough to stay polite.
const CONCURRENT_MERCHANTS: usize = 8;

pub async fn refresh_active(env: &Env) -> EdgeResult<()> {
    let merchants = Store::open(env)?.merchant_ids().await?;
    for batch in merchants.chunks(CONCURRENT_MERCHANTS) {
        let runs = batch
            .iter()
            .map(|merchant| run_one(env, merchant))
            .collect::<Vec<_>>();
        join_all(runs).await;
    }
    Ok(())
}

async fn run_one(env: &Env, merchant: &MerchantId) {
    if let Err(error) = call::<usize>(env, merchant, &Command::RunSchedule).await {
        background_failure("scheduled refresh of a merchant", &error);
    }
}
