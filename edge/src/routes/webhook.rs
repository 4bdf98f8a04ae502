//! AfterShip's webhook: verified over the raw body, de-duplicated by event id, merged into the cache.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use shared::aftership::CarrierTracking;
use shared::TrackingNumber;
use worker::{Env, Request, Response};

use crate::auth::sha256_hex;
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::{body_limited, header, json};
use crate::record::protocol::{call, Applied, Command};
use crate::store::Store;

/// Webhook bodies are whole trackings with up to hundreds of checkpoints.
const MAX_WEBHOOK_BYTES: usize = 512 * 1024;

/// Verifies `aftership-hmac-sha256` (base64 of HMAC-SHA256 over the raw body). `verify_slice`
/// compares in constant time.
pub fn signature_valid(secret: &str, body: &[u8], signature_b64: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

pub async fn receive(mut req: Request, env: &Env) -> EdgeResult<Response> {
    let config = Config::from_env(env);
    let signature = header(&req, "aftership-hmac-sha256").ok_or(EdgeError::Unauthorized)?;
    let body = body_limited(&mut req, MAX_WEBHOOK_BYTES).await?;
    let secret = config
        .webhook_secret
        .as_deref()
        .ok_or(EdgeError::Unauthorized)?;
    if !signature_valid(secret, &body, &signature) {
        return Err(EdgeError::Unauthorized);
    }
    let payload: Value = serde_json::from_slice(&body)
        .map_err(|_| EdgeError::Invalid("the webhook body is not JSON".into()))?;
    let store = Store::open(env)?;
    let event_digest = payload
        .get("event_id")
        .and_then(Value::as_str)
        .map(|id| sha256_hex(id.as_bytes()));
    let Some(msg) = payload.get("msg").filter(|m| m.is_object()) else {
        return Err(EdgeError::Invalid(
            "the webhook body has no msg tracking".into(),
        ));
    };
    let tracking = CarrierTracking::from_value(msg);
    let (mut applied, mut duplicate) = (0, false);
    let tn: Option<TrackingNumber> = tracking
        .tracking_number
        .as_deref()
        .and_then(|t| t.parse().ok());
    if let Some(tn) = tn {
        // A TN can be indexed for several shipments (two merchants, a corrected label): each
        // owner's record decides whether the tracking is its shipment's
        // (`shared::sync::pushed_tracking_belongs_to`), de-duplicates the event and keeps the
        // newer carrier state, all in one transaction.
        for (merchant, itn) in store.owners_of_tn(&tn).await? {
            let outcome: Applied = call(
                env,
                &merchant,
                &Command::ApplyPushed {
                    itn,
                    tracking: Box::new(tracking.clone()),
                    event: event_digest.clone(),
                },
            )
            .await?;
            applied += usize::from(outcome.applied);
            duplicate |= outcome.duplicate;
        }
    }
    if duplicate && applied == 0 {
        return json(200, &serde_json::json!({"ok": true, "duplicate": true}));
    }
    json(200, &serde_json::json!({"ok": true, "applied": applied}))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vector computed independently with Python:
    /// `base64.b64encode(hmac.new(b"whsec_test", b'{"event_id":"e1"}', hashlib.sha256).digest())`
    #[test]
    fn verifies_signatures_from_an_independent_implementation() {
        let body = br#"{"event_id":"e1"}"#;
        let good = "u091ofDQjm+o4pXuNplHOpJC6hC/cHWkxKlj+3u+UNM=";
        assert!(signature_valid("whsec_test", body, good));
        assert!(!signature_valid("whsec_other", body, good));
        assert!(!signature_valid(
            "whsec_test",
            br#"{"event_id":"e2"}"#,
            good
        ));
        assert!(!signature_valid("whsec_test", body, "not base64!"));
        assert!(!signature_valid("whsec_test", body, ""));
    }
}
