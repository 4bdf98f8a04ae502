//! Sales channels: the merchant's ship-confirmation policy per channel (with a Shopify store's
//! access token), and per shipment where its channel stands and the fields it needs (the IMEI).
//! Rules and validation live in `shared::channels`; the merchant's record keeps and applies them.

use serde::Deserialize;
use shared::api::parse_body;
use shared::channels::{ChannelStatusView, ChannelUpdate, ChannelView, Imei};
use shared::order::Channel;
use shared::Itn;
use worker::{Env, Request, Response};

use crate::error::{EdgeError, EdgeResult};
use crate::http::{json, json_body};
use crate::record::protocol::{call, Command};
use crate::routes::{authorize, authorize_merchant};

fn parse_channel(channel: &str) -> EdgeResult<Channel> {
    channel
        .parse()
        .map_err(|e: shared::IdError| EdgeError::Invalid(e.to_string()))
}

fn parse_itn(itn: &str) -> EdgeResult<Itn> {
    itn.parse()
        .map_err(|e: shared::IdError| EdgeError::InvalidNumber(e.to_string()))
}

/// `GET /v1/merchants/{id}/channels`: the channels with a policy of the merchant's own.
pub async fn list(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let channels: Vec<ChannelView> = call(env, &merchant.id, &Command::ListChannels).await?;
    json(200, &serde_json::json!({ "channels": channels }))
}

/// `PUT /v1/merchants/{id}/channels/{channel}`.
pub async fn put(mut req: Request, env: &Env, id: &str, channel: &str) -> EdgeResult<Response> {
    let caller = authorize(&req, env, id).await?;
    let merchant = caller.config;
    let body = json_body(&mut req).await?;
    let (policy, token) = parse_body::<ChannelUpdate>(&body)?
        .validate(channel)
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    let view: ChannelView = call(
        env,
        &merchant.id,
        &Command::PutChannel {
            policy,
            token: token.map(|t| t.expose().to_string()),
            actor: caller.actor,
        },
    )
    .await?;
    json(200, &view)
}

/// `GET /v1/merchants/{id}/channels/{channel}`: the policy in force (the merchant's own, or
/// the channel kind's defaults).
pub async fn get(req: Request, env: &Env, id: &str, channel: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let channel = parse_channel(channel)?;
    let channels: Vec<ChannelView> = call(env, &merchant.id, &Command::ListChannels).await?;
    let view = match channels.into_iter().find(|c| c.channel == channel) {
        Some(view) => view,
        None => ChannelView::of(
            &shared::channels::ChannelPolicy::default_for(channel),
            false,
        ),
    };
    json(200, &view)
}

/// `DELETE /v1/merchants/{id}/channels/{channel}`: back to the defaults, token forgotten.
pub async fn delete(req: Request, env: &Env, id: &str, channel: &str) -> EdgeResult<Response> {
    let caller = authorize(&req, env, id).await?;
    let merchant = caller.config;
    let channel = parse_channel(channel)?;
    let _: bool = call(
        env,
        &merchant.id,
        &Command::DeleteChannel {
            channel,
            actor: caller.actor,
        },
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /v1/merchants/{id}/shipments/{itn}/channel`.
pub async fn status(req: Request, env: &Env, id: &str, itn: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let itn = parse_itn(itn)?;
    let view: ChannelStatusView = call(env, &merchant.id, &Command::ChannelStatus { itn }).await?;
    json(200, &view)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsRequest {
    imei: String,
}

/// `PUT /v1/merchants/{id}/shipments/{itn}/fields`: `{"imei": "…"}`.
pub async fn supply(mut req: Request, env: &Env, id: &str, itn: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let itn = parse_itn(itn)?;
    let body = json_body(&mut req).await?;
    let fields = parse_body::<FieldsRequest>(&body)?;
    let imei: Imei = fields
        .imei
        .parse()
        .map_err(|e: shared::channels::ImeiError| EdgeError::Invalid(e.to_string()))?;
    let view: ChannelStatusView =
        call(env, &merchant.id, &Command::SupplyFields { itn, imei }).await?;
    json(200, &view)
}
