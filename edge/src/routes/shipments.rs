//! Shipments: creation (issuing the ITN), the merchant's view, attaching a TN, checkpoint events.

use serde_json::json;
use shared::api::{
    parse_body, AttachTrackingRequest, CheckpointEventRequest, CreateShipmentRequest,
    MerchantConfig,
};
use shared::shipment::{AttachPlan, Registration, Shipment, ShipmentEvent, ShipmentRecord};
use shared::Itn;
use worker::{Env, Request, Response};

use crate::auth::{random_bytes, sha256_hex};
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{header, json, json_body};
use crate::routes::authorize_merchant;
use crate::routes::track::tracking_view;
use crate::store::Store;
use crate::sync::{self, now};

const MAX_IDEMPOTENCY_KEY: usize = 200;

pub async fn create(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let now = now();
    let merchant = authorize_merchant(&req, &store, id, now).await?;
    let idempotency = header(&req, "idempotency-key")
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    if idempotency
        .as_ref()
        .is_some_and(|k| k.len() > MAX_IDEMPOTENCY_KEY)
    {
        return Err(EdgeError::Invalid(format!(
            "Idempotency-Key must be at most {MAX_IDEMPOTENCY_KEY} characters"
        )));
    }
    let body = json_body(&mut req).await?;
    let (order_ref, fulfillment_ref) = parse_body::<CreateShipmentRequest>(&body)?.validate()?;
    if merchant.checkpoints.is_empty() {
        return Err(EdgeError::Conflict(
            "set the merchant's default checkpoints before creating shipments",
        ));
    }
    let digest = idempotency.as_ref().map(|k| sha256_hex(k.as_bytes()));
    if let Some(digest) = &digest {
        if let Some(itn) = store.idempotent_itn(&merchant.id, digest).await? {
            if let Some(record) = store.shipment(&merchant.id, itn).await? {
                return json(200, &created_body(&state(&record)?));
            }
        }
    }
    let itn = Itn::from_random(random_bytes::<9>()?);
    let record = ShipmentRecord::new(
        merchant.id.clone(),
        itn,
        ShipmentEvent::Created {
            at: now,
            order_ref,
            fulfillment_ref,
            checkpoints: merchant.checkpoints.clone(),
        },
    );
    store.put_shipment(&record).await?;
    if let Some(digest) = &digest {
        store.remember_idempotent(&merchant.id, digest, itn).await?;
    }
    json(201, &created_body(&state(&record)?))
}

fn state(record: &ShipmentRecord) -> EdgeResult<Shipment> {
    Ok(record.state()?)
}

fn created_body(shipment: &Shipment) -> serde_json::Value {
    json!({
        "itn": shipment.itn,
        "created_at": shipment.created_at,
        "order_ref": shipment.order_ref,
        "fulfillment_ref": shipment.fulfillment_ref,
        "checkpoints": shipment.checkpoints,
    })
}

async fn load(store: &Store, merchant: &MerchantConfig, itn: &str) -> EdgeResult<ShipmentRecord> {
    let itn: Itn = itn
        .parse()
        .map_err(|e: shared::IdError| EdgeError::InvalidNumber(e.to_string()))?;
    store
        .shipment(&merchant.id, itn)
        .await?
        .ok_or(EdgeError::NotFound("no shipment with this ITN"))
}

/// The merchant's view: everything the shopper sees, plus references, registration state
/// and the full event history.
async fn merchant_view(
    env: &Env,
    store: &Store,
    merchant: &MerchantConfig,
    record: &ShipmentRecord,
) -> EdgeResult<serde_json::Value> {
    let shipment = state(record)?;
    let cache = store.carrier(&merchant.id, record.itn).await?;
    let view = tracking_view(merchant, &shipment, &cache, &Config::from_env(env));
    let registration = shipment.tracking.as_ref().map(|t| match &t.registration {
        Registration::Registered { .. } => json!({"state": "registered"}),
        Registration::Pending { attempts, retry_at } => {
            json!({"state": "pending", "attempts": attempts, "retry_at": retry_at})
        }
    });
    // The creation answer, extended with what happened since.
    let mut body = created_body(&shipment);
    let extra = json!({
        "tracking_number": shipment.tracking.as_ref().map(|t| t.tracking_number.clone()),
        "slug": shipment.tracking.as_ref().and_then(|t| t.slug.clone()),
        "registration": registration,
        "history": record.events,
        "tracking": view,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    Ok(body)
}

pub async fn get(req: Request, env: &Env, id: &str, itn: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let now = now();
    let merchant = authorize_merchant(&req, &store, id, now).await?;
    let record = load(&store, &merchant, itn).await?;
    json(200, &merchant_view(env, &store, &merchant, &record).await?)
}

pub async fn attach_tracking(
    mut req: Request,
    env: &Env,
    id: &str,
    itn: &str,
) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let now = now();
    let merchant = authorize_merchant(&req, &store, id, now).await?;
    let body = json_body(&mut req).await?;
    let (tn, slug) = parse_body::<AttachTrackingRequest>(&body)?.validate()?;
    let mut record = load(&store, &merchant, itn).await?;
    let holder = store.itn_for_tn(&merchant.id, &tn).await?;
    let plan = state(&record)?.plan_attach(tn.clone(), slug, holder, now)?;
    if let AttachPlan::Attach { event, replaces } = plan {
        record.events.push(event);
        store.put_shipment(&record).await?;
        if let Some(previous) = replaces {
            store
                .unindex_tn(&merchant.id, &previous, record.itn)
                .await?;
            store
                .put_carrier(&merchant.id, record.itn, &Default::default())
                .await?;
        }
        store.index_tn(&merchant.id, &tn, record.itn).await?;
        store.mark_active(&merchant.id, record.itn).await?;
    }
    // Try to register now. AfterShip failing never fails this call (202, retried later);
    // storage failing does.
    let config = Config::from_env(env);
    let registered = sync::register(&store, &config, &merchant.id, record.itn).await?;
    let record = store
        .shipment(&merchant.id, record.itn)
        .await?
        .unwrap_or(record);
    let status = if registered { 200 } else { 202 };
    json(
        status,
        &merchant_view(env, &store, &merchant, &record).await?,
    )
}

pub async fn add_event(mut req: Request, env: &Env, id: &str, itn: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let now = now();
    let merchant = authorize_merchant(&req, &store, id, now).await?;
    let body = json_body(&mut req).await?;
    let (index, at) = parse_body::<CheckpointEventRequest>(&body)?.validate()?;
    let mut record = load(&store, &merchant, itn).await?;
    let event = state(&record)?.mark_reached(index, at, now)?;
    record.events.push(event);
    store.put_shipment(&record).await?;
    json(200, &merchant_view(env, &store, &merchant, &record).await?)
}
