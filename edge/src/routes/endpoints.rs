//! The merchant's webhook endpoints and their delivery log: register (the secret is shown
//! once), list, remove; read the log; replay a delivery. Deliveries themselves are made by
//! the merchant's record, one attempt per queue message (`lib.rs`'s queue consumer).

use shared::api::parse_body;
use shared::webhooks::CreateEndpointRequest;
use shared::Itn;
use worker::{Env, Request, Response};

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{json, json_body};
use crate::record::outbox::{DeliveryStatus, DeliveryView, EndpointView};
use crate::record::protocol::{call, Command, EndpointCreated};
use crate::routes::authorize_merchant;

const MAX_LOG: usize = 500;
const DEFAULT_LOG: usize = 100;

pub async fn create(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let new = parse_body::<CreateEndpointRequest>(&body)?
        .validate(Config::from_env(env).local_webhook_endpoints)
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    let created: EndpointCreated = call(
        env,
        &merchant.id,
        &Command::CreateEndpoint {
            url: new.url.as_str().to_string(),
            events: new.events,
            description: new.description,
        },
    )
    .await?;
    json(201, &created)
}

pub async fn list(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let endpoints: Vec<EndpointView> = call(env, &merchant.id, &Command::ListEndpoints).await?;
    json(200, &serde_json::json!({ "endpoints": endpoints }))
}

pub async fn delete(req: Request, env: &Env, id: &str, endpoint: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let _: bool = call(
        env,
        &merchant.id,
        &Command::DeleteEndpoint {
            id: endpoint.to_string(),
        },
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET …/deliveries?endpoint=&itn=&status=&limit=`: the newest deliveries first.
pub async fn log(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let url = req.url()?;
    let (mut endpoint, mut itn, mut status, mut limit) = (None, None, None, DEFAULT_LOG);
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "endpoint" => endpoint = Some(value.to_string()),
            "itn" => {
                itn = Some(
                    value
                        .parse::<Itn>()
                        .map_err(|e| EdgeError::Invalid(format!("itn: {e}")))?,
                )
            }
            "status" => {
                status = Some(DeliveryStatus::parse(&value).ok_or_else(|| {
                    EdgeError::Invalid(
                        "status must be queued, unsent, retrying, delivered or dead".into(),
                    )
                })?)
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LOG).contains(n))
                    .ok_or_else(|| {
                        EdgeError::Invalid(format!(
                            "limit must be a whole number from 1 to {MAX_LOG}"
                        ))
                    })?
            }
            other => {
                return Err(EdgeError::Invalid(format!(
                    "unknown query parameter {:?}; use endpoint, itn, status or limit",
                    other.chars().take(40).collect::<String>()
                )))
            }
        }
    }
    let deliveries: Vec<DeliveryView> = call(
        env,
        &merchant.id,
        &Command::ListDeliveries {
            endpoint,
            itn,
            status,
            limit,
        },
    )
    .await?;
    json(200, &serde_json::json!({ "deliveries": deliveries }))
}

pub async fn replay(req: Request, env: &Env, id: &str, delivery: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let view: DeliveryView = call(
        env,
        &merchant.id,
        &Command::Replay {
            id: delivery.to_string(),
        },
    )
    .await?;
    json(202, &view)
}
