//! The console's sign-in: staff registered by the merchant ask for a one-time link, e-mailed
//! through the `ALERTS` binding; opening it starts a session (an `HttpOnly` cookie). The
//! console's pages are static assets under `/console/`; its data comes from the merchant API,
//! which accepts the session cookie (`routes::authorize`). Staff management lives here too.

use base64::Engine;
use shared::api::parse_body;
use shared::staff::{
    clear_cookie, set_cookie, sign_in_message, CreateStaffRequest, SessionCookie, SessionView,
    SignInRequest, StaffView, SESSION_SECONDS,
};
use shared::MerchantId;
use worker::{Context, Env, Request, Response};

use crate::auth::{constant_time_eq, random_bytes, require_admin, sha256_hex};
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{header, json, json_body};
use crate::log::background_failure;
use crate::outgoing::send_mail;
use crate::record::protocol::{call, Command};
use crate::record::staff::LinkDecision;
use crate::routes::authorize;

/// A random secret, URL-safe (43 characters).
fn secret() -> EdgeResult<String> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// Whether the browser reached the edge over https (a plain-http local edge cannot set a
/// `Secure` cookie the browser would send back).
fn secure(req: &Request) -> bool {
    req.url().map(|u| u.scheme() == "https").unwrap_or(true)
}

fn session_cookie(req: &Request) -> Option<SessionCookie> {
    header(req, "cookie").and_then(|c| SessionCookie::from_header(&c))
}

fn no_store(mut response: Response) -> EdgeResult<Response> {
    response.headers_mut().set("cache-control", "no-store")?;
    response
        .headers_mut()
        .set("referrer-policy", "no-referrer")?;
    Ok(response)
}

fn redirect(location: &str, cookie: Option<String>) -> EdgeResult<Response> {
    let mut response = Response::empty()?.with_status(303);
    response.headers_mut().set("location", location)?;
    if let Some(cookie) = cookie {
        response.headers_mut().set("set-cookie", &cookie)?;
    }
    no_store(response)
}

/// The sign-in link for a link secret: absolute with the configured public origin.
fn link(env: &Env, merchant: &MerchantId, secret: &str) -> String {
    let base = Config::from_env(env).public_base_url.unwrap_or_default();
    format!("{base}/console/sign-in?m={merchant}&t={secret}")
}

/// `POST /console/api/sign-in` `{"merchant", "email"}`: always 202 with the same body (an
/// unknown merchant or address gets no e-mail, and nobody can tell); 429 when the address or
/// the client asked too often. The e-mail goes off the response path.
pub async fn request_link(mut req: Request, env: &Env, ctx: &Context) -> EdgeResult<Response> {
    let body = json_body(&mut req).await?;
    let (merchant, email) = parse_body::<SignInRequest>(&body)?
        .validate()
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    let client = header(&req, "cf-connecting-ip").unwrap_or_else(|| "unknown".into());
    if crate::routes::track::limited(env, &format!("sign-in:{client}")).await {
        return Err(EdgeError::RateLimited);
    }
    let secret = secret()?;
    let decision = call::<LinkDecision>(
        env,
        &merchant,
        &Command::RequestLink {
            email,
            link_hash: sha256_hex(secret.as_bytes()),
        },
    )
    .await;
    let decision = match decision {
        Ok(decision) => decision,
        // An unknown merchant answers exactly like an unknown address.
        Err(EdgeError::NotFound(_) | EdgeError::Relayed { status: 404, .. }) => LinkDecision {
            send_to: None,
            merchant_name: String::new(),
            limited: false,
        },
        Err(error) => return Err(error),
    };
    if decision.limited {
        return Err(EdgeError::RateLimited);
    }
    if let Some(to) = decision.send_to {
        let message = sign_in_message(&decision.merchant_name, &link(env, &merchant, &secret));
        let from = Config::from_env(env).alert_from;
        let env = env.clone();
        ctx.wait_until(async move {
            if let Err(reason) = send_mail(&env, &from, &to, &message).await {
                background_failure("sending a sign-in link", &EdgeError::Internal(reason));
            }
        });
    }
    no_store(json(202, &serde_json::json!({ "sent": true }))?)
}

/// `GET /console/sign-in?m=&t=`: uses the link once, starts a new session (whatever cookie
/// the browser brought) and goes to the console; a bad link goes there with `signin=expired`.
pub async fn redeem_link(req: Request, env: &Env) -> EdgeResult<Response> {
    let url = req.url()?;
    let (mut merchant, mut token) = (None, None);
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "m" => merchant = value.parse::<MerchantId>().ok(),
            "t" => token = Some(value.to_string()),
            _ => {}
        }
    }
    let expired = || redirect("/console/?signin=expired", Some(clear_cookie(secure(&req))));
    let (Some(merchant), Some(token)) = (merchant, token) else {
        return expired();
    };
    let session = SessionCookie {
        merchant: merchant.clone(),
        secret: secret()?,
    };
    let redeemed = call::<shared::Timestamp>(
        env,
        &merchant,
        &Command::RedeemLink {
            link_hash: sha256_hex(token.as_bytes()),
            session_hash: sha256_hex(session.secret.as_bytes()),
            csrf: secret()?,
        },
    )
    .await;
    match redeemed {
        Ok(_) => redirect(
            "/console/",
            Some(set_cookie(&session, SESSION_SECONDS, secure(&req))),
        ),
        Err(EdgeError::Storage(detail)) => Err(EdgeError::Storage(detail)),
        Err(_) => expired(),
    }
}

/// `GET /console/api/session`: who is signed in, with the CSRF token for changes; 401 if
/// nobody (or the session ended).
pub async fn session(req: Request, env: &Env) -> EdgeResult<Response> {
    let cookie = session_cookie(&req).ok_or(EdgeError::Unauthorized)?;
    let view: SessionView = call(
        env,
        &cookie.merchant,
        &Command::CheckSession {
            session_hash: sha256_hex(cookie.secret.as_bytes()),
        },
    )
    .await
    .map_err(|e| match e {
        EdgeError::Storage(detail) => EdgeError::Storage(detail),
        _ => EdgeError::Unauthorized,
    })?;
    no_store(json(200, &view)?)
}

/// `POST /console/api/sign-out` (with `X-CSRF-Token`): ends the session on the server and
/// in the browser.
pub async fn sign_out(req: Request, env: &Env) -> EdgeResult<Response> {
    let cookie = session_cookie(&req).ok_or(EdgeError::Unauthorized)?;
    let session_hash = sha256_hex(cookie.secret.as_bytes());
    let view: SessionView = call(
        env,
        &cookie.merchant,
        &Command::CheckSession {
            session_hash: session_hash.clone(),
        },
    )
    .await
    .map_err(|_| EdgeError::Unauthorized)?;
    let token = header(&req, "x-csrf-token").unwrap_or_default();
    if !constant_time_eq(token.as_bytes(), view.csrf_token.as_bytes()) {
        return Err(EdgeError::NotPermitted(
            "a change from the console needs its X-CSRF-Token header",
        ));
    }
    let _: bool = call(
        env,
        &cookie.merchant,
        &Command::RevokeSession { session_hash },
    )
    .await?;
    let mut response = Response::empty()?.with_status(204);
    response
        .headers_mut()
        .set("set-cookie", &clear_cookie(secure(&req)))?;
    no_store(response)
}

/// `GET /v1/merchants/{id}/staff`.
pub async fn list_staff(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let caller = authorize(&req, env, id).await?;
    let staff: Vec<StaffView> = call(env, &caller.config.id, &Command::ListStaff).await?;
    json(200, &serde_json::json!({ "staff": staff }))
}

/// `POST /v1/merchants/{id}/staff` `{"email", "role"}`: the API key registers the first
/// owner; owners add more.
pub async fn create_staff(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let caller = authorize(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let (email, role) = parse_body::<CreateStaffRequest>(&body)?
        .validate()
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    let view: StaffView = call(
        env,
        &caller.config.id,
        &Command::CreateStaff {
            email,
            role,
            actor: caller.actor,
        },
    )
    .await?;
    json(201, &view)
}

/// `DELETE /v1/merchants/{id}/staff/{staff_id}`: their sessions end at once.
pub async fn delete_staff(req: Request, env: &Env, id: &str, staff: &str) -> EdgeResult<Response> {
    let caller = authorize(&req, env, id).await?;
    let _: bool = call(
        env,
        &caller.config.id,
        &Command::DeleteStaff {
            id: staff.to_string(),
            actor: caller.actor,
        },
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}

/// `POST /v1/admin/merchants/{id}/sign-in-links` `{"email"}` (admin): a sign-in link for a
/// registered address without e-mail, for the demo and for support.
pub async fn mint_link(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    require_admin(&req, Config::from_env(env).admin_token.as_deref())?;
    let merchant: MerchantId = crate::routes::parse_merchant(id)?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        email: String,
    }
    let body = json_body(&mut req).await?;
    let email = parse_body::<Body>(&body)?
        .email
        .parse()
        .map_err(|e: shared::alerts::AlertError| EdgeError::Invalid(e.to_string()))?;
    let secret = secret()?;
    let minted: bool = call(
        env,
        &merchant,
        &Command::MintLink {
            email,
            link_hash: sha256_hex(secret.as_bytes()),
        },
    )
    .await?;
    if !minted {
        return Err(EdgeError::Conflict(
            "no staff member has this address: register it first (POST /v1/merchants/{id}/staff)",
        ));
    }
    json(
        201,
        &serde_json::json!({ "link": link(env, &merchant, &secret) }),
    )
}
