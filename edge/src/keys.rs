//! The KV key layout, in one place (see ARCHITECTURE.md, "Storage").

use shared::{Itn, MerchantId, TrackingNumber};

pub fn merchant(id: &MerchantId) -> String {
    format!("merchant:{id}")
}
pub fn shipment(merchant: &MerchantId, itn: Itn) -> String {
    format!("shipment:{merchant}:{}", itn.compact())
}
pub fn carrier(merchant: &MerchantId, itn: Itn) -> String {
    format!("carrier:{merchant}:{}", itn.compact())
}
pub fn tn_index(merchant: &MerchantId, tn: &TrackingNumber) -> String {
    format!("tn:{merchant}:{}", tn.key())
}
pub fn tn_global(tn: &TrackingNumber) -> String {
    format!("tn-any:{}", tn.key())
}
pub fn idempotency(merchant: &MerchantId, key_digest: &str) -> String {
    format!("idem:{merchant}:{key_digest}")
}
pub fn webhook_event(event_id_digest: &str) -> String {
    format!("webhook-event:{event_id_digest}")
}
pub const ACTIVE_PREFIX: &str = "active:";
pub fn active(merchant: &MerchantId, itn: Itn) -> String {
    format!("{ACTIVE_PREFIX}{merchant}:{}", itn.compact())
}
/// Which merchant an API key (by its hash) belongs to: tells 403 (another merchant's key)
/// from 401 (no such key).
pub fn api_key(hash: &str) -> String {
    format!("api-key:{hash}")
}
