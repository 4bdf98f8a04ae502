//! The public lookup: a shopper's ITN or TN, answered fast whatever AfterShip is doing.
//! Every answer, success or error, leaves through [`respond`], so each carries the same CORS
//! and caching headers (a widget on the storefront can read a 429 as well as a 200).

use shared::aftership::CarrierTracking;
use shared::api::{normalise_origin, parse_body, MerchantConfig, OrderLookupRequest};
use shared::cache::CarrierCaches;
use shared::events::StallRule;
use shared::ids::LookupNumber;
use shared::merge::{carrier_sides, merge, stored_numbers, MergeFacts, MergeInput};
use shared::promise::{when, WhenInput};
use shared::shipment::{Shipment, TrackingRole};
use shared::sync::{carrier_action, Caller, CarrierAction};
use shared::view::TrackingView;
use shared::{MerchantId, Timestamp};
use worker::{Context, Env, Headers, Request, Response, ResponseBuilder};

use crate::auth::constant_time_eq;
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{header, json_body};
use crate::log::background_failure;
use crate::record::protocol::{call, Command, Snapshot};
use crate::store::{memoise_view, memoised_view, Store};
use crate::sync::now;

pub const LIMITER: &str = "LOOKUP_LIMITER";

fn not_found() -> EdgeError {
    EdgeError::NotFound("no shipment with this number")
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
    headers.set("access-control-allow-methods", "GET, POST, OPTIONS")?;
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
    let client = header(req, "cf-connecting-ip").unwrap_or_else(|| "unknown".into());
    limited(env, &client).await
}

/// Whether the rate-limiting binding refuses one more request under `key` now.
pub async fn limited(env: &Env, client: &str) -> bool {
    use worker::js_sys::{Function, Object, Promise, Reflect};
    use worker::wasm_bindgen::{JsCast, JsValue};
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
            &JsValue::from_str(client),
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

/// A shopper's order lookup: the order reference and its postal code or e-mail. A wrong
/// verifier and an unknown order get the same 404 after the same work (one keyed hash and
/// a constant-time comparison against the order's hashes, or against a stand-in when there
/// is no such order), and every attempt counts against the rate limit. The read path only:
/// an order created moments ago is found once KV has it (within about a minute).
pub async fn order_lookup(mut req: Request, env: &Env, merchant: &str) -> EdgeResult<Response> {
    let origin = header(&req, "origin");
    let now = now();
    let config = match known_merchant(env, merchant, now).await {
        Ok(config) => config,
        Err(error) => return respond(Err(error), None, origin.as_deref()),
    };
    let answer = async {
        if rate_limited(&req, env).await {
            return Err(EdgeError::RateLimited);
        }
        let body = json_body(&mut req).await?;
        let (order_ref, verifier) = parse_body::<OrderLookupRequest>(&body)?
            .validate()
            .map_err(|e| EdgeError::Invalid(e.to_string()))?;
        let settings = Config::from_env(env);
        let store = Store::open(env)?;
        let order = store.order(&config.id, &order_ref).await?;
        let presented = verifier.keyed_hash(
            settings
                .order_verifier_key
                .as_deref()
                .unwrap_or_default()
                .as_bytes(),
        );
        let stand_in = [String::from("0").repeat(64)];
        let hashes = order.as_ref().map_or(&stand_in[..], |o| &o.verifiers[..]);
        let presented = presented.unwrap_or_default();
        let matches = hashes.iter().fold(false, |found, stored| {
            constant_time_eq(stored.as_bytes(), presented.as_bytes()) | found
        });
        let order =
            order
                .filter(|_| matches && !presented.is_empty())
                .ok_or(EdgeError::NotFound(
                    "no order with this reference and verifier",
                ))?;
        let mut shipments = Vec::with_capacity(order.itns.len());
        for itn in &order.itns {
            let Some(record) = store.shipment(&config.id, *itn).await? else {
                continue;
            };
            let carrier = store.carrier(&config.id, *itn).await?;
            shipments.push(tracking_view(
                &config,
                &record.state()?,
                &carrier,
                &settings,
                now,
            ));
        }
        let stale = shipments.iter().any(|v| v.stale);
        let body = serde_json::json!({"order_ref": order.order_ref, "shipments": shipments});
        Ok((body.to_string(), stale))
    }
    .await;
    // An order answer names the order: browsers may keep it, shared caches may not.
    let response = respond(answer, Some(&config), origin.as_deref())?;
    if response.status_code() == 200 {
        response
            .headers()
            .set("cache-control", "private, no-store")?;
    }
    Ok(response)
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
        LookupNumber::Carrier(tn) => match store.itn_for_tn(&merchant.id, &tn).await? {
            Some(itn) => (itn, Some(tn)),
            // Not (yet) in this location's KV: the merchant's record is authoritative.
            None => return Err(not_found()),
        },
    };
    let snapshot = match store.shipment(&merchant.id, itn).await? {
        Some(record) => Snapshot {
            carrier: store.carrier(&merchant.id, itn).await?,
            record,
        },
        // A shipment created moments ago may not have reached this location's KV yet: ask
        // the record, which knows every acknowledged write. (Only found ITNs get this far
        // often: guesses are stopped by the check character and the rate limit.)
        None => call::<Snapshot>(env, &merchant.id, &Command::GetShipment { itn })
            .await
            .map_err(|error| match error {
                EdgeError::Relayed { status: 404, .. } => not_found(),
                other => other,
            })?,
    };
    let shipment = snapshot.record.state()?;
    // The index may lag a corrected TN: only a TN the shipment carries now finds it.
    if let Some(tn) = &by_tn {
        let numbers = stored_numbers(
            &shipment,
            &snapshot.carrier,
            merchant.tracking_number_display,
        );
        if !numbers.iter().any(|n| n.number.key() == tn.key()) {
            return Err(not_found());
        }
    }
    // One decision per attached TN; the record carries out each kind once for all of them.
    let actions: Vec<CarrierAction> = TrackingRole::ALL
        .into_iter()
        .filter_map(|role| {
            let tracking = shipment.tracking_of(role)?;
            let empty = Default::default();
            let cache = snapshot.carrier.of(role).unwrap_or(&empty);
            Some(carrier_action(
                Some(tracking),
                cache,
                now,
                config.carrier_fresh_seconds,
                Caller::Lookup,
            ))
        })
        .collect();
    let any = |wanted: fn(&CarrierAction) -> bool| actions.iter().any(wanted);
    if any(|a| matches!(a, CarrierAction::Register)) {
        // The record calls AfterShip (once, however many lookups ask) after this answer.
        in_background(env, ctx, &merchant.id, Command::Register { itn });
    }
    let carrier = if any(|a| matches!(a, CarrierAction::FetchNow { .. })) {
        // The first read after registration: worth a bounded wait for the scans.
        match call::<Snapshot>(env, &merchant.id, &Command::Refresh { itn }).await {
            Ok(fresh) => fresh.carrier,
            Err(error) => {
                background_failure("first read of a tracking", &error);
                snapshot.carrier
            }
        }
    } else {
        if any(|a| matches!(a, CarrierAction::RefreshInBackground { .. })) {
            in_background(env, ctx, &merchant.id, Command::Refresh { itn });
        }
        snapshot.carrier
    };
    Ok(tracking_view(merchant, &shipment, &carrier, config, now))
}

/// Sends a command to the merchant's record after the response; failures are logged.
fn in_background(env: &Env, ctx: &Context, merchant: &MerchantId, command: Command) {
    let (env, merchant) = (env.clone(), merchant.clone());
    ctx.wait_until(async move {
        if let Err(error) = call::<serde_json::Value>(&env, &merchant, &command).await {
            background_failure("carrier update after a lookup", &error);
        }
    });
}

/// The shopper's view of a shipment from what is stored: the one place the edge calls `merge`
/// (and `promise::when`, the timing line, which depends on `now`).
pub fn tracking_view(
    merchant: &MerchantConfig,
    shipment: &Shipment,
    cache: &CarrierCaches,
    config: &Config,
    now: Timestamp,
) -> TrackingView {
    let carriers = carrier_sides(shipment, cache);
    let mut view = merge(&MergeInput {
        merchant: &MergeFacts::from(merchant),
        shipment,
        carriers,
        base_url: config.public_base_url.as_deref(),
    });
    let trackings: Vec<(TrackingRole, &CarrierTracking)> = TrackingRole::ALL
        .into_iter()
        .filter_map(|role| Some((role, carriers.tracking(role)?)))
        .collect();
    let settings = merchant.settings.clone().unwrap_or_default();
    view.when = when(&WhenInput {
        shipment,
        trackings: &trackings,
        settings: &settings,
        stall: StallRule::default(),
        now,
    });
    view
}
