//! Configuration read from the Worker's environment (vars and secrets), never logged.

use worker::Env;

pub const DEFAULT_API_BASE: &str = "https://api.aftership.com";
pub const DEFAULT_API_VERSION: &str = "2026-07";

#[derive(Clone)]
pub struct Config {
    pub aftership_base: String,
    pub aftership_version: String,
    pub aftership_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub admin_token: Option<String>,
    /// The edge's public origin (`PUBLIC_BASE_URL`) for absolute links in answers and pages.
    /// Never taken from a request: without it, links are relative to the edge.
    pub public_base_url: Option<String>,
    /// The key of the keyed hashes that stand in for orders' postal codes and e-mails
    /// (`ORDER_VERIFIER_KEY`, a secret). Without it, verifiers are refused and order lookups
    /// find nothing.
    pub order_verifier_key: Option<String>,
    /// How long cached carrier data is served without asking AfterShip.
    pub carrier_fresh_seconds: i64,
    /// The first webhook retry's delay; each later one doubles (`WEBHOOK_RETRY_BASE_SECONDS`,
    /// default 30 s: about three days of retries in all).
    pub webhook_retry_base_seconds: u32,
    /// Webhook endpoints may be http and on loopback or private hosts
    /// (`ALLOW_LOCAL_WEBHOOK_ENDPOINTS=true`): local development and tests only.
    pub local_webhook_endpoints: bool,
    /// The sender of alert e-mails (`ALERT_FROM`), an address of a domain on the Cloudflare
    /// account; the `ALERTS` send_email binding sends them.
    pub alert_from: String,
    /// Where Shopify stores' Admin API is reached (`SHOPIFY_API_BASE`, e.g.
    /// `http://127.0.0.1:8791`): tests and local development only. Without it each store is
    /// called at its own `https://{shop}.myshopify.com`.
    pub shopify_api_base: Option<String>,
}

/// Secrets and vars both arrive as strings; a secret may be absent in local development.
fn read(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl Config {
    pub fn from_env(env: &Env) -> Config {
        Config {
            aftership_base: read(env, "AFTERSHIP_API_BASE")
                .unwrap_or_else(|| DEFAULT_API_BASE.to_string())
                .trim_end_matches('/')
                .to_string(),
            aftership_version: read(env, "AFTERSHIP_API_VERSION")
                .unwrap_or_else(|| DEFAULT_API_VERSION.to_string()),
            aftership_key: read(env, "AFTERSHIP_API_KEY"),
            webhook_secret: read(env, "AFTERSHIP_WEBHOOK_SECRET"),
            admin_token: read(env, "ADMIN_TOKEN"),
            order_verifier_key: read(env, "ORDER_VERIFIER_KEY"),
            // Only a well-formed origin is used for absolute links; anything else is ignored
            // and links stay relative to the edge.
            public_base_url: read(env, "PUBLIC_BASE_URL")
                .and_then(|u| shared::api::normalise_origin(&u)),
            carrier_fresh_seconds: read(env, "CARRIER_FRESH_SECONDS")
                .and_then(|s| s.parse().ok())
                .filter(|s| (0..=86_400).contains(s))
                .unwrap_or(shared::cache::FRESH_SECONDS),
            webhook_retry_base_seconds: read(env, "WEBHOOK_RETRY_BASE_SECONDS")
                .and_then(|s| s.parse().ok())
                .filter(|s| (1..=3600).contains(s))
                .unwrap_or(30),
            local_webhook_endpoints: read(env, "ALLOW_LOCAL_WEBHOOK_ENDPOINTS").as_deref()
                == Some("true"),
            alert_from: read(env, "ALERT_FROM")
                .unwrap_or_else(|| "alerts@waymark.example".to_string()),
            shopify_api_base: read(env, "SHOPIFY_API_BASE")
                .map(|base| base.trim_end_matches('/').to_string()),
        }
    }
}
