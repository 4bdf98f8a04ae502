//! The public lookup: a shopper's ITN or TN, answered fast whatever AfterShip is doing.

use shared::api::MerchantConfig;
use shared::cache::{CarrierCache, Freshness};
use shared::ids::LookupNumber;
use shared::merge::{merge, MergeFacts, MergeInput};
use shared::shipment::{Registration, Shipment, ShipmentRecord};
use shared::view::TrackingView;
use shared::{MerchantId, Timestamp};
use worker::{Context, Env, Headers, Request, Response, ResponseBuilder};

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{header, public_base};
use crate::routes::public_merchant;
use crate::store::{memoise_view, memoised_view, Store};
use crate::sync::{self, now};

pub const LIMITER: &str = "LOOKUP_LIMITER";

fn merchant_facts(config: &MerchantConfig) -> MergeFacts {
    MergeFacts {
        id: config.id.to_string(),
        name: config.name.clone(),
        aftership_page: config.aftership_page.clone(),
    }
}

/// CORS: the merchant's `allowed_origins`, or any origin when the list is empty.
fn cors_headers(
    headers: &Headers,
    config: &MerchantConfig,
    origin: Option<&str>,
) -> EdgeResult<()> {
    headers.set("vary", "Origin")?;
    if config.allowed_origins.is_empty() {
        headers.set("access-control-allow-origin", "*")?;
    } else if let Some(origin) = origin.and_then(shared::api::normalise_origin) {
        if config.allowed_origins.contains(&origin) {
            headers.set("access-control-allow-origin", &origin)?;
        }
    }
    Ok(())
}

pub async fn preflight(req: Request, env: &Env, merchant: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let config = public_merchant(&store, merchant, now()).await?;
    let headers = Headers::new();
    cors_headers(&headers, &config, header(&req, "origin").as_deref())?;
    headers.set("access-control-allow-methods", "GET, OPTIONS")?;
    headers.set("access-control-allow-headers", "accept, content-type")?;
    headers.set("access-control-max-age", "600")?;
    Ok(ResponseBuilder::new()
        .with_status(204)
        .with_headers(headers)
        .empty())
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
    // A shopper cannot mistype a merchant id (it is in the embed or the link): a malformed
    // one is simply not a merchant we know.
    let merchant: MerchantId = merchant
        .parse()
        .map_err(|_| EdgeError::NotFound("no shipment with this number"))?;
    // Shape and check character first: a typo never costs a storage read.
    let number: LookupNumber = number
        .parse()
        .map_err(|e: shared::IdError| EdgeError::InvalidNumber(e.to_string()))?;
    let now = now();
    let memo_key = match &number {
        LookupNumber::Itn(itn) => format!("{merchant}/{}", itn.compact()),
        LookupNumber::Carrier(tn) => format!("{merchant}/{}", tn.key()),
    };
    // Only answers that found a shipment are reused, so repeating one reveals nothing new:
    // the rate limit (which stops guessing) applies to everything else.
    let memo = memoised_view(&memo_key, now);
    if memo.is_none() && rate_limited(&req, env).await {
        return Err(EdgeError::RateLimited);
    }
    let store = Store::open(env)?;
    let config = store
        .merchant(&merchant, now)
        .await?
        .ok_or(EdgeError::NotFound("no shipment with this number"))?;
    let result = match memo {
        Some(answer) => Ok(answer),
        None => resolve(&req, env, ctx, &store, &config, number, now)
            .await
            .and_then(|view| Ok((serde_json::to_string(&view)?, view.stale))),
    };
    let headers = Headers::new();
    cors_headers(&headers, &config, origin.as_deref())?;
    match result {
        Ok((json, stale)) => {
            // Browsers and CDNs may reuse a fresh answer briefly; a stale one only for seconds.
            let cache = if stale {
                "public, max-age=5"
            } else {
                "public, max-age=30, stale-while-revalidate=30"
            };
            headers.set("cache-control", cache)?;
            headers.set("content-type", "application/json")?;
            if !stale {
                memoise_view(memo_key, json.clone(), stale, now);
            }
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
    req: &Request,
    env: &Env,
    ctx: &Context,
    store: &Store,
    merchant: &MerchantConfig,
    number: LookupNumber,
    now: Timestamp,
) -> EdgeResult<TrackingView> {
    let not_found = EdgeError::NotFound("no shipment with this number");
    let itn = match number {
        LookupNumber::Itn(itn) => itn,
        LookupNumber::Carrier(tn) => store
            .itn_for_tn(&merchant.id, &tn)
            .await?
            .ok_or(not_found)?,
    };
    let record = store
        .shipment(&merchant.id, itn)
        .await?
        .ok_or(EdgeError::NotFound("no shipment with this number"))?;
    let shipment = record
        .state()
        .map_err(|e| EdgeError::Internal(e.to_string()))?;
    let config = Config::from_env(env);

    let cache = match shipment.tracking.as_ref().map(|t| &t.registration) {
        None => CarrierCache::default(),
        Some(Registration::Pending { retry_at, .. }) => {
            if *retry_at <= now {
                let (env, merchant_id) = (env.clone(), merchant.id.clone());
                ctx.wait_until(async move {
                    if let Ok(store) = Store::open(&env) {
                        let _ = sync::register(&store, &Config::from_env(&env), &merchant_id, itn)
                            .await;
                    }
                });
            }
            store.carrier(&merchant.id, itn).await?
        }
        Some(Registration::Registered { aftership_id }) => {
            let cache = store.carrier(&merchant.id, itn).await?;
            carrier_for_lookup(env, ctx, store, &config, &record, aftership_id, cache, now).await?
        }
    };

    let base = public_base(req, config.public_base_url.as_deref());
    Ok(tracking_view(merchant, &shipment, &cache, &base, now))
}

/// The shopper's view of a shipment from what is stored: the one place the edge calls `merge`.
pub fn tracking_view(
    merchant: &MerchantConfig,
    shipment: &Shipment,
    cache: &CarrierCache,
    base_url: &str,
    now: Timestamp,
) -> TrackingView {
    merge(&MergeInput {
        merchant: &merchant_facts(merchant),
        shipment,
        carrier: cache.tracking.as_ref(),
        carrier_fetched_at: cache.fetched_at,
        stale: cache.failing,
        base_url,
        now,
    })
}

/// Applies the freshness rules: answer from cache, refresh after answering, or (first time
/// only) fetch before answering with a bounded wait.
#[allow(clippy::too_many_arguments)]
async fn carrier_for_lookup(
    env: &Env,
    ctx: &Context,
    store: &Store,
    config: &Config,
    record: &ShipmentRecord,
    aftership_id: &str,
    cache: CarrierCache,
    now: Timestamp,
) -> EdgeResult<CarrierCache> {
    match cache.freshness(now, config.carrier_fresh_seconds) {
        Freshness::Fresh | Freshness::BackingOff => Ok(cache),
        Freshness::FetchNow => {
            let known = cache.clone();
            Ok(
                sync::refresh(store, config, record, aftership_id, Some(known))
                    .await
                    .unwrap_or(cache),
            )
        }
        Freshness::RefreshInBackground => {
            // Claim the refresh so concurrent lookups elsewhere serve the cache instead.
            store
                .put_carrier(&record.merchant, record.itn, &cache.claimed(now))
                .await?;
            let (env, record, id) = (env.clone(), record.clone(), aftership_id.to_string());
            ctx.wait_until(async move {
                if let Ok(store) = Store::open(&env) {
                    let _ =
                        sync::refresh(&store, &Config::from_env(&env), &record, &id, None).await;
                }
            });
            Ok(cache)
        }
    }
}
