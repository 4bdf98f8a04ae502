//! Admin: provisioning merchants and rotating their keys, through the merchant's record.

use serde_json::json;
use shared::api::{parse_body, CreateMerchantRequest, MerchantConfig, MerchantOut};
use worker::{Env, Request, Response};

use crate::auth::{new_api_key, require_admin, sha256_hex};
use crate::config::Config;
use crate::error::EdgeResult;
use crate::http::{json, json_body};
use crate::record::protocol::{call, Command};
use crate::routes::parse_merchant;
use crate::sync::now;

pub async fn create_merchant(mut req: Request, env: &Env) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    let body = json_body(&mut req).await?;
    let new = parse_body::<CreateMerchantRequest>(&body)?.validate()?;
    let api_key = new_api_key()?;
    let config = MerchantConfig {
        id: new.id,
        name: new.name,
        allowed_origins: new.allowed_origins,
        aftership_page: new.aftership_page,
        checkpoints: Vec::new(),
        key_hash: sha256_hex(api_key.as_bytes()),
        created_at: now(),
        tracking_number_display: Default::default(),
        settings: None,
    };
    let stored: MerchantConfig = call(
        env,
        &config.id,
        &Command::CreateMerchant {
            config: config.clone(),
        },
    )
    .await?;
    json(
        201,
        &json!({"merchant": MerchantOut::from(&stored), "api_key": api_key}),
    )
}

pub async fn rotate_key(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    let id = parse_merchant(id)?;
    let api_key = new_api_key()?;
    let _: MerchantConfig = call(
        env,
        &id,
        &Command::RotateKey {
            key_hash: sha256_hex(api_key.as_bytes()),
        },
    )
    .await?;
    json(201, &json!({"api_key": api_key}))
}

/// Moves the test clock (only routed where `ALLOW_CLOCK_OVERRIDE` is `"true"`). Body:
/// `{"now": "<RFC 3339>"}`, or `{"now": null}` for the real time again.
pub async fn set_clock(mut req: Request, env: &Env) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        now: Option<String>,
    }
    let body = json_body(&mut req).await?;
    let at = parse_body::<Body>(&body)?
        .now
        .map(|t| t.parse::<shared::Timestamp>())
        .transpose()
        .map_err(|e| crate::error::EdgeError::Invalid(format!("now: {e}")))?;
    crate::sync::set_clock(env, at).await?;
    json(200, &json!({"now": now()}))
}

/// `POST /v1/admin/merchants/{id}/migrate`: carries a merchant's shipments from the KV-only
/// layout of earlier versions into its record, at once (first touch does it one by one).
pub async fn migrate(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    let id = parse_merchant(id)?;
    let carried: usize = call(env, &id, &Command::Migrate).await?;
    json(200, &json!({"carried_over": carried}))
}
