//! Shipments: creation (issuing the ITN), the merchant's view, attaching a TN, checkpoint
//! events. Each write is one command to the merchant's record (a Durable Object), which
//! serialises the merchant's writes; this module parses, authorises and shapes the answers.

use futures::StreamExt;
use serde_json::json;
use shared::api::{
    parse_body, AttachTrackingRequest, CheckpointEventRequest, CreateShipmentRequest,
    MerchantConfig,
};
use shared::csv::{csv_header, BOM};
use shared::find::{export_page_query, ShipmentQuery, MAX_LIMIT};
use shared::shipment::{AttachedTracking, Registration, Shipment};
use shared::Itn;
use worker::{Env, Request, Response};

use crate::auth::sha256_hex;
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{header, json, json_body};
use crate::log::background_failure;
use crate::record::protocol::{call, Attached, Command, Created, CsvPage, Snapshot};
use crate::routes::authorize_merchant;
use crate::routes::track::tracking_view;
use crate::sync::now;

const MAX_IDEMPOTENCY_KEY: usize = 200;

pub async fn create(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let idempotency = header(&req, "idempotency-key")
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    if idempotency.as_ref().is_some_and(|k| {
        k.chars().count() > MAX_IDEMPOTENCY_KEY
            || !k
                .chars()
                .all(|c| c.is_ascii_graphic() || c == ' ' || c == '\t')
    }) {
        return Err(EdgeError::Invalid(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
        )));
    }
    let body = json_body(&mut req).await?;
    let new = parse_body::<CreateShipmentRequest>(&body)?.validate()?;
    // Verifiers are kept only as keyed hashes; without the key they cannot be kept at all.
    let key = Config::from_env(env).order_verifier_key.unwrap_or_default();
    let verifiers = new
        .verifiers
        .iter()
        .map(|v| {
            v.keyed_hash(key.as_bytes())
                .ok_or_else(|| EdgeError::Internal("ORDER_VERIFIER_KEY is not set".into()))
        })
        .collect::<EdgeResult<Vec<_>>>()?;
    let created: Created = call(
        env,
        &merchant.id,
        &Command::CreateShipment {
            order_ref: new.order_ref,
            fulfillment_ref: new.fulfillment_ref,
            channel: new.channel,
            verifiers,
            idempotency: idempotency.map(|k| sha256_hex(k.as_bytes())),
            facts: new.facts,
        },
    )
    .await?;
    let status = if created.new { 201 } else { 200 };
    json(status, &created_body(&created.snapshot.record.state()?))
}

fn created_body(shipment: &Shipment) -> serde_json::Value {
    json!({
        "itn": shipment.itn,
        "created_at": shipment.created_at,
        "order_ref": shipment.order_ref,
        "fulfillment_ref": shipment.fulfillment_ref,
        "channel": shipment.channel,
        "checkpoints": shipment.checkpoints,
    })
}

fn parse_itn(itn: &str) -> EdgeResult<Itn> {
    itn.parse()
        .map_err(|e: shared::IdError| EdgeError::InvalidNumber(e.to_string()))
}

/// The merchant's view: everything the shopper sees, plus references, registration state
/// and the full event history.
fn merchant_view(
    env: &Env,
    merchant: &MerchantConfig,
    snapshot: &Snapshot,
) -> EdgeResult<serde_json::Value> {
    let shipment = snapshot.record.state()?;
    let view = tracking_view(
        merchant,
        &shipment,
        &snapshot.carrier,
        &Config::from_env(env),
        now(),
    );
    let registration = |t: &AttachedTracking| match &t.registration {
        Registration::Registered { .. } => json!({"state": "registered"}),
        Registration::Pending { attempts, retry_at } => {
            json!({"state": "pending", "attempts": attempts, "retry_at": retry_at})
        }
    };
    // Every TN the merchant attached, by role (the shopper's view also lists a last-mile
    // number AfterShip reported).
    let tracking_numbers: Vec<serde_json::Value> = shipment
        .trackings()
        .map(|(role, t)| {
            json!({
                "tracking_number": t.tracking_number,
                "role": role,
                "slug": t.slug,
                "attached_at": t.attached_at,
                "registration": registration(t),
            })
        })
        .collect();
    // The creation answer, extended with what happened since.
    let mut body = created_body(&shipment);
    let extra = json!({
        "tracking_number": shipment.tracking.as_ref().map(|t| t.tracking_number.clone()),
        "slug": shipment.tracking.as_ref().and_then(|t| t.slug.clone()),
        "registration": shipment.tracking.as_ref().map(registration),
        "tracking_numbers": tracking_numbers,
        "history": snapshot.record.events,
        "tracking": view,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    Ok(body)
}

pub async fn get(req: Request, env: &Env, id: &str, itn: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let itn = parse_itn(itn)?;
    let snapshot: Snapshot = call(env, &merchant.id, &Command::GetShipment { itn }).await?;
    json(200, &merchant_view(env, &merchant, &snapshot)?)
}

pub async fn attach_tracking(
    mut req: Request,
    env: &Env,
    id: &str,
    itn: &str,
) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let new = parse_body::<AttachTrackingRequest>(&body)?.validate()?;
    let itn = parse_itn(itn)?;
    let attached: Attached = call(
        env,
        &merchant.id,
        &Command::AttachTracking {
            itn,
            tracking_number: new.tracking_number,
            slug: new.slug,
            role: new.role,
        },
    )
    .await?;
    // AfterShip failing never fails this call: 202 while the registration is pending.
    let status = if attached.registered { 200 } else { 202 };
    json(status, &merchant_view(env, &merchant, &attached.snapshot)?)
}

pub async fn add_event(mut req: Request, env: &Env, id: &str, itn: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let (checkpoint, at) = parse_body::<CheckpointEventRequest>(&body)?.validate()?;
    let itn = parse_itn(itn)?;
    let snapshot: Snapshot = call(
        env,
        &merchant.id,
        &Command::AddEvent {
            itn,
            checkpoint,
            at,
        },
    )
    .await?;
    json(200, &merchant_view(env, &merchant, &snapshot)?)
}

/// Find Orders: one page of the merchant's shipments, searched, filtered and sorted
/// (`shared::find` documents the query).
pub async fn find(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let query = query_string(&req)?;
    let page: serde_json::Value = call(
        env,
        &merchant.id,
        &Command::FindShipments { query, csv: false },
    )
    .await?;
    json(200, &page)
}

/// The same search exported as CSV (RFC 4180, formula-like cells neutralised), streamed page
/// by page so an export of any size starts at once and never sits whole in memory.
pub async fn export(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let query = query_string(&req)?;
    let columns = query
        .parse::<ShipmentQuery>()
        .map_err(|e| EdgeError::Invalid(e.to_string()))?
        .columns()
        .to_vec();
    let head = format!("{BOM}{}", csv_header(&columns)).into_bytes();
    let (env, merchant_id) = (env.clone(), merchant.id.clone());
    // State: the next page's query, or None when done.
    let pages = futures::stream::unfold(
        Some(export_page_query(&query, None, MAX_LIMIT)),
        move |next| {
            let (env, merchant_id) = (env.clone(), merchant_id.clone());
            async move {
                let page_query = next?;
                let page: EdgeResult<CsvPage> = call(
                    &env,
                    &merchant_id,
                    &Command::FindShipments {
                        query: page_query.clone(),
                        csv: true,
                    },
                )
                .await;
                match page {
                    Ok(page) => {
                        let following = page
                            .next_cursor
                            .as_deref()
                            .map(|c| export_page_query(&page_query, Some(c), MAX_LIMIT));
                        Some((Ok(page.lines.into_bytes()), following))
                    }
                    Err(error) => {
                        // Headers are sent: the export ends short, and the failure is logged.
                        background_failure("CSV export page", &error);
                        Some((Err(worker::Error::RustError("export failed".into())), None))
                    }
                }
            }
        },
    );
    let body = futures::stream::once(async move { Ok(head) }).chain(pages);
    let mut response = Response::from_stream(body)?;
    let headers = response.headers_mut();
    headers.set("content-type", "text/csv; charset=utf-8")?;
    headers.set(
        "content-disposition",
        "attachment; filename=\"waymark-shipments.csv\"",
    )?;
    headers.set("cache-control", "no-store")?;
    Ok(response)
}

/// The request's query string, validated as a Find Orders query (400 before any work).
fn query_string(req: &Request) -> EdgeResult<String> {
    let query = req.url()?.query().unwrap_or("").to_string();
    query
        .parse::<ShipmentQuery>()
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    Ok(query)
}
