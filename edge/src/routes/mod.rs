//! One module per resource.

pub mod admin;
pub mod alerts;
pub mod assets;
pub mod channels;
pub mod endpoints;
pub mod merchants;
pub mod pages;
pub mod settings;
pub mod shipments;
pub mod track;
pub mod webhook;

use shared::api::MerchantConfig;
use shared::{MerchantId, Timestamp};
use worker::Request;

use crate::auth::{bearer, constant_time_eq, sha256_hex};
use crate::error::{EdgeError, EdgeResult};
use crate::store::Store;

/// The merchant named in a public URL, or 404. (Public routes never say more than that.)
pub async fn public_merchant(
    store: &Store,
    id: &str,
    now: Timestamp,
) -> EdgeResult<MerchantConfig> {
    let id: MerchantId = id
        .parse()
        .map_err(|_| EdgeError::NotFound("no such merchant"))?;
    store
        .merchant(&id, now)
        .await?
        .ok_or(EdgeError::NotFound("no such merchant"))
}

pub fn parse_merchant(id: &str) -> EdgeResult<MerchantId> {
    id.parse()
        .map_err(|e: shared::IdError| EdgeError::Invalid(e.to_string()))
}

/// Authorises a merchant request: the bearer key must hash to this merchant's stored hash.
/// A key of another merchant is 403; no key or an unknown key is 401.
pub async fn authorize_merchant(
    req: &Request,
    store: &Store,
    id: &str,
    now: Timestamp,
) -> EdgeResult<MerchantConfig> {
    let key = bearer(req).ok_or(EdgeError::Unauthorized)?;
    let hash = sha256_hex(key.as_bytes());
    let id: MerchantId = id.parse().map_err(|_| EdgeError::Unauthorized)?;
    if let Some(config) = store.merchant(&id, now).await? {
        if constant_time_eq(config.key_hash.as_bytes(), hash.as_bytes()) {
            return Ok(config);
        }
    }
    match store.key_owner(&hash).await? {
        Some(owner) if owner != id => Err(EdgeError::Forbidden),
        _ => Err(EdgeError::Unauthorized),
    }
}
