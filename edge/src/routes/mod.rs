//! One module per resource.

pub mod admin;
pub mod alerts;
pub mod assets;
pub mod channels;
pub mod console;
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
use crate::http::header;
use crate::record::protocol::{call, Command};
use crate::store::Store;
use shared::staff::{SessionCookie, SessionView};
use worker::Env;

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

/// Who a merchant request comes from: the API key, or a staff member signed in to the console.
pub struct Authorized {
    pub config: MerchantConfig,
    /// For the audit history: `api-key`, or the staff member's e-mail address.
    pub actor: String,
}

/// Authorises a merchant request (see [`authorize`]).
pub async fn authorize_merchant(req: &Request, env: &Env, id: &str) -> EdgeResult<MerchantConfig> {
    Ok(authorize(req, env, id).await?.config)
}

/// Authorises a merchant request: with the merchant's API key (`Authorization: Bearer`), or
/// with a console session cookie. A session reads as either role; any other method needs the
/// `owner` role and the session's CSRF token in `X-CSRF-Token`. A key or session of another
/// merchant is 403; none, an unknown key or a dead session is 401.
pub async fn authorize(req: &Request, env: &Env, id: &str) -> EdgeResult<Authorized> {
    let store = Store::open(env)?;
    let now = crate::sync::now();
    if req.headers().get("authorization").ok().flatten().is_some() {
        return Ok(Authorized {
            config: authorize_key(req, &store, id, now).await?,
            actor: "api-key".to_string(),
        });
    }
    let cookie = header(req, "cookie")
        .and_then(|c| SessionCookie::from_header(&c))
        .ok_or(EdgeError::Unauthorized)?;
    let id: MerchantId = id.parse().map_err(|_| EdgeError::Unauthorized)?;
    if cookie.merchant != id {
        return Err(EdgeError::NotPermitted(
            "this session belongs to another merchant",
        ));
    }
    let session: SessionView = call(
        env,
        &id,
        &Command::CheckSession {
            session_hash: sha256_hex(cookie.secret.as_bytes()),
        },
    )
    .await?;
    let method = req.inner().method();
    if !session.role.may(&method) {
        return Err(EdgeError::NotPermitted(
            "staff may only view: ask an owner to make this change",
        ));
    }
    if !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        let token = header(req, "x-csrf-token").unwrap_or_default();
        if !constant_time_eq(token.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(EdgeError::NotPermitted(
                "a change from the console needs its X-CSRF-Token header",
            ));
        }
    }
    let config = store
        .merchant(&id, now)
        .await?
        .ok_or(EdgeError::Unauthorized)?;
    Ok(Authorized {
        config,
        actor: session.email,
    })
}

/// The bearer key must hash to this merchant's stored hash. A key of another merchant is
/// 403; no key or an unknown key is 401.
async fn authorize_key(
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
