//! The public lookup: a shopper's ITN or TN, answered fast whatever AfterShip is doing.
//! Every answer, success or error, leaves through [`respond`], so each carries the same CORS
//! and caching headers (a widget on the storefront can read a 429 as well as a 200).

use shared::api::{normalise_origin, MerchantConfig};
use shared::cache::CarrierCache;
use shared::ids::LookupNumber;
use shared::merge::{carrier_side, merge, MergeFacts, MergeInput};
use shared::shipment::{Shipment, ShipmentRecord};
use shared::sync::{carrier_action, Caller, CarrierAction};
use shared::view::TrackingView;
use shared::{MerchantId, Timestamp};
use worker::{Context, Env, Headers, Request, Response, ResponseBuilder};

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::header;
use crate::log::background_failure;
use crate::store::{memoise_view, memoised_view, Store};
use crate::sync::{self, now};

pub const LIMITER: &str = "LOOKUP_LIMITER";

fn not_found() -> EdgeError {
    EdgeError::NotFound("no shipment with this number")
}

fn merchant_facts(config: &MerchantConfig) -> MergeFacts {
    MergeFacts {
        id: config.id.to_string(),
        name: config.name.clone(),
        aftership_page: config.aftership_page.clone(),
    }
}

/// CORS: the merchant's `allowed_origins`, or any origin when the list is empty. Before the
/// merchant is known (a malformed or unknown merchant id, storage failing), any origin may
/// read the error: it says nothing about any merchant.
fn cors_headers(
    headers: &Headers,
    config: Option<&MerchantConfig>,
    origin: Option<&str>,
) -> EdgeResult<()> {
    headers.set("vary", "Origin")?;
    match config {
        Some(config) if !config.allowed_origins.is_empty() => {
            if let Some(origin) = origin.and_then(normalise_origin) {
                if config.allowed_origins.contains(&origin) {
                    headers.set("access-control-allow-origin", &origin)?;
                }
            }
        }
        _ => headers.set("access-control-allow-origin", "*")?,
    }
    Ok(())
}

pub async fn preflight(req: Request, env: &Env, merchant: &str) -> EdgeResult<Response> {
    let origin = header(&req, "origin");
    let config = match known_merchant(env, merchant, now()).await {
        Ok(config) => config,
        Err(error) => return respond(Err(error), None, origin.as_deref()),
    };
    let headers = Headers::new();
    cors_headers(&headers, Some(&config), origin.as_deref())?;
    headers.set("access-control-allow-methods", "GET, OPTIONS")?;
    headers.set("access-control-allow-headers", "accept, content-type")?;
    headers.set("access-control-max-age", "600")?;
    Ok(ResponseBuilder::new()
        .with_status(204)
        .with_headers(headers)
        .empty())
}

async fn known_merchant(env: &Env, merchant: &str, now: Timestamp) -> EdgeResult<MerchantConfig> {
    // A shopper cannot mistype a merchant id (it is in the embed or the link): a malformed
    // one is simply not a merchant we know.
    let id: MerchantId = merchant.parse().map_err(|_| not_found())?;
    Store::open(env)?
        .merchant(&id, now)
        .await?
        .ok_or_else(not_found)
}

/// Asks the rate-limiting binding whether this client may look up now. The binding is called
/// through its JavaScript interface (`limit({key})`): the typed wrapper's constructor-name
/// check rejects the local (workerd) implementation, and the limiter must work in both.
async fn rate_limited(req: &Request, env: &Env) -> bool {
    use worker::js_sys::{Function, Object, Promise, Reflect};
    use worker::wasm_bindgen::{JsCast, JsValue};
    let client = header(req, "cf-connecting-ip").unwrap_or_else(|| "unknown".into());
    let outcome = async {
        let binding = Reflect::get(env, &JsValue::from_str(LIMITER))
            .ok()
            .filter(|b| b.is_object())?;
        let limit: Function = Reflect::get(&binding, &JsValue::from_str("limit"))
            .ok()?
            .dyn_into()
            .ok()?;
        let options = Object::new();
        Reflect::set(
            &options,
            &JsValue::from_str("key"),
            &JsValue::from_str(&client),
        )
        .ok()?;
        let promise: Promise = limit.call1(&binding, &options).ok()?.dyn_into().ok()?;
        let result = worker::wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()?;
        Reflect::get(&result, &JsValue::from_str("success"))
            .ok()?
            .as_bool()
    }
    .await;
    // No binding (a deployment without it) or a failing limiter never blocks shoppers.
    outcome == Some(false)
}

pub async fn lookup(
    req: Request,
    env: &Env,
    ctx: &Context,
    merchant: &str,
    number: &str,
) -> EdgeResult<Response> {
    let origin = header(&req, "origin");
    let now = now();
    let config = match known_merchant(env, merchant, now).await {
        Ok(config) => config,
        Err(error) => return respond(Err(error), None, origin.as_deref()),
    };
    let answer = answer(&req, env, ctx, &config, number, now).await;
    respond(answer, Some(&config), origin.as_deref())
}

/// The lookup's answer as `(json, stale)`, before headers.
async fn answer(
    req: &Request,
    env: &Env,
    ctx: &Context,
    merchant: &MerchantConfig,
    number: &str,
    now: Timestamp,
) -> EdgeResult<(String, bool)> {
    // Shape and check character first: a typo never costs a shipment read.
    let number: LookupNumber = number
        .parse()
        .map_err(|e: shared::IdError| EdgeError::InvalidNumber(e.to_string()))?;
    let config = Config::from_env(env);
    // The memo key holds everything the answer depends on; links come from configuration
    // only, never from the request, so no request can plant its host in someone else's answer.
    let memo_key = format!(
        "{}|{}/{}",
        config.public_base_url.as_deref().unwrap_or(""),
        merchant.id,
        match &number {
            LookupNumber::Itn(itn) => itn.compact(),
            LookupNumber::Carrier(tn) => tn.key(),
        }
    );
    // Only answers that found a shipment are reused, so repeating one reveals nothing new:
    // the rate limit (which stops guessing) applies to everything else.
    if let Some(answer) = memoised_view(&memo_key, now) {
        return Ok(answer);
    }
    if rate_limited(req, env).await {
        return Err(EdgeError::RateLimited);
    }
    let store = Store::open(env)?;
    let view = resolve(env, ctx, &store, &config, merchant, number, now).await?;
    let json = serde_json::to_string(&view)?;
    if !view.stale {
        memoise_view(memo_key, json.clone(), false, now);
    }
    Ok((json, view.stale))
}

/// Adds the headers every lookup answer carries: CORS, `vary`, and caching (errors and stale
/// answers are never kept long).
fn respond(
    answer: EdgeResult<(String, bool)>,
    config: Option<&MerchantConfig>,
    origin: Option<&str>,
) -> EdgeResult<Response> {
    let headers = Headers::new();
    cors_headers(&headers, config, origin)?;
    match answer {
        Ok((json, stale)) => {
            // Browsers and CDNs may reuse a fresh answer briefly; a stale one only for seconds.
            let cache = if stale {
                "public, max-age=5"
            } else {
                "public, max-age=30, stale-while-revalidate=30"
            };
            headers.set("cache-control", cache)?;
            headers.set("content-type", "application/json")?;
            Ok(ResponseBuilder::new()
                .with_status(200)
                .with_headers(headers)
                .fixed(json.into_bytes()))
        }
        Err(error) => {
            let response = error.into_response();
            let out = response.headers();
            for (name, value) in headers.entries() {
                out.set(&name, &value)?;
            }
            out.set("cache-control", "no-store")?;
            Ok(response)
        }
    }
}

async fn resolve(
    env: &Env,
    ctx: &Context,
    store: &Store,
    config: &Config,
    merchant: &MerchantConfig,
    number: LookupNumber,
    now: Timestamp,
) -> EdgeResult<TrackingView> {
    let (itn, by_tn) = match number {
        LookupNumber::Itn(itn) => (itn, None),
        LookupNumber::Carrier(tn) => {
            let itn = store
                .itn_for_tn(&merchant.id, &tn)
                .await?
                .ok_or_else(not_found)?;
            (itn, Some(tn))
        }
    };
    let record = store
        .shipment(&merchant.id, itn)
        .await?
        .ok_or_else(not_found)?;
    let shipment = record.state()?;
    // The index may lag a corrected TN: only the TN the shipment carries now finds it.
    if by_tn.is_some_and(|tn| shipment.tracking.as_ref().map(|t| &t.tracking_number) != Some(&tn)) {
        return Err(not_found());
    }
    let cache = store.carrier(&merchant.id, itn).await?;
    let cache = match carrier_action(
        shipment.tracking.as_ref(),
        &cache,
        now,
        config.carrier_fresh_seconds,
        Caller::Lookup,
    ) {
        CarrierAction::Serve | CarrierAction::Retire => cache,
        CarrierAction::Register => {
            let (env, merchant_id) = (env.clone(), merchant.id.clone());
            ctx.wait_until(async move {
                let outcome = match Store::open(&env) {
                    Ok(store) => {
                        sync::register(&store, &Config::from_env(&env), &merchant_id, itn).await
                    }
                    Err(error) => Err(error),
                };
                if let Err(error) = outcome {
                    background_failure("registration after a lookup", &error);
                }
            });
            cache
        }
        CarrierAction::FetchNow { aftership_id } => {
            let known = cache.clone();
            match sync::refresh(store, config, &record, &aftership_id, Some(known)).await {
                Ok(updated) => updated,
                Err(error) => {
                    background_failure("first read of a tracking", &error);
                    cache
                }
            }
        }
        CarrierAction::RefreshInBackground { aftership_id } => {
            refresh_in_background(env, ctx, store, &record, aftership_id, &cache, now).await;
            cache
        }
    };
    Ok(tracking_view(merchant, &shipment, &cache, config))
}

/// Claims the refresh (so concurrent lookups elsewhere serve the cache instead), then reads
/// the tracking after the response. A failed claim only risks a duplicate read: it is logged,
/// and the shopper still gets the cached answer.
async fn refresh_in_background(
    env: &Env,
    ctx: &Context,
    store: &Store,
    record: &ShipmentRecord,
    aftership_id: String,
    cache: &CarrierCache,
    now: Timestamp,
) {
    if let Err(error) = store
        .put_carrier(&record.merchant, record.itn, &cache.claimed(now))
        .await
    {
        background_failure("claiming a refresh", &error);
    }
    let (env, record) = (env.clone(), record.clone());
    ctx.wait_until(async move {
        let outcome = match Store::open(&env) {
            Ok(store) => sync::refresh(
                &store,
                &Config::from_env(&env),
                &record,
                &aftership_id,
                None,
            )
            .await
            .map(drop),
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            background_failure("background refresh", &error);
        }
    });
}

/// The shopper's view of a shipment from what is stored: the one place the edge calls `merge`.
pub fn tracking_view(
    merchant: &MerchantConfig,
    shipment: &Shipment,
    cache: &CarrierCache,
    config: &Config,
) -> TrackingView {
    merge(&MergeInput {
        merchant: &merchant_facts(merchant),
        shipment,
        carrier: carrier_side(shipment, cache),
        base_url: config.public_base_url.as_deref(),
    })
}
