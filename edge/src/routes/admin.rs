//! Admin: provisioning merchants and rotating their keys.

use serde_json::json;
use shared::api::{parse_body, CreateMerchantRequest, MerchantConfig, MerchantOut};
use worker::{Env, Request, Response};

use crate::auth::{new_api_key, require_admin, sha256_hex};
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{json, json_body};
use crate::routes::parse_merchant;
use crate::store::Store;
use crate::sync::now;

pub async fn create_merchant(mut req: Request, env: &Env) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    let body = json_body(&mut req).await?;
    let new = parse_body::<CreateMerchantRequest>(&body)?.validate()?;
    let store = Store::open(env)?;
    if store.merchant_uncached(&new.id).await?.is_some() {
        return Err(EdgeError::Conflict(
            "a merchant with this id already exists",
        ));
    }
    let api_key = new_api_key()?;
    let key_hash = sha256_hex(api_key.as_bytes());
    let now = now();
    let config = MerchantConfig {
        id: new.id,
        name: new.name,
        allowed_origins: new.allowed_origins,
        aftership_page: new.aftership_page,
        checkpoints: Vec::new(),
        key_hash: key_hash.clone(),
        created_at: now,
    };
    store.put_merchant(&config, now).await?;
    store.put_key_owner(&key_hash, &config.id).await?;
    json(
        201,
        &json!({"merchant": MerchantOut::from(&config), "api_key": api_key}),
    )
}

pub async fn rotate_key(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    let id = parse_merchant(id)?;
    let store = Store::open(env)?;
    let mut config = store
        .merchant_uncached(&id)
        .await?
        .ok_or(EdgeError::NotFound("no such merchant"))?;
    let api_key = new_api_key()?;
    let old_hash = std::mem::replace(&mut config.key_hash, sha256_hex(api_key.as_bytes()));
    store.put_merchant(&config, now()).await?;
    store.put_key_owner(&config.key_hash, &config.id).await?;
    store.delete(&crate::keys::api_key(&old_hash)).await?;
    json(201, &json!({"api_key": api_key}))
}
