//! The edge's clock. Decisions never read it: `shared` takes time as an argument.
//!
//! Tests of schedules and deadlines need to move time. Only where `ALLOW_CLOCK_OVERRIDE` is
//! `"true"` (the local test harness; never in `wrangler.toml`), an admin can set an offset
//! (`PUT /v1/admin/clock`), kept in KV so the Worker and every Durable Object share it; each
//! request and alarm loads it before doing anything else.

use std::cell::Cell;

use shared::Timestamp;
use worker::Env;

use crate::error::EdgeResult;

pub const CLOCK_KEY: &str = "test-clock-offset-ms";

thread_local! {
    static OFFSET_MS: Cell<i64> = const { Cell::new(0) };
}

pub fn now() -> Timestamp {
    Timestamp::from_millis(worker::Date::now().as_millis() as i64 + OFFSET_MS.with(Cell::get))
}

/// Whether this deployment lets tests move the clock.
pub fn override_allowed(env: &Env) -> bool {
    env.var("ALLOW_CLOCK_OVERRIDE")
        .map(|v| v.to_string() == "true")
        .unwrap_or(false)
}

/// Loads the test clock's offset (a no-op unless overriding is allowed).
pub async fn load_offset(env: &Env) -> EdgeResult<()> {
    if !override_allowed(env) {
        return Ok(());
    }
    let offset = env
        .kv(crate::store::BINDING)?
        .get(CLOCK_KEY)
        .text()
        .await?
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(0);
    OFFSET_MS.with(|o| o.set(offset));
    Ok(())
}

/// Sets the test clock so that `now()` reads `at` (or the real time again with `None`).
pub async fn set_clock(env: &Env, at: Option<Timestamp>) -> EdgeResult<()> {
    let real = worker::Date::now().as_millis() as i64;
    let offset = at.map_or(0, |at| at.millis() - real);
    let kv = env.kv(crate::store::BINDING)?;
    kv.put(CLOCK_KEY, offset.to_string())?.execute().await?;
    OFFSET_MS.with(|o| o.set(offset));
    Ok(())
}
