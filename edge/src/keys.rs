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
/// The single owner list an earlier version kept per TN (read for compatibility only).
pub fn tn_global(tn: &TrackingNumber) -> String {
    format!("tn-any:{}", tn.key())
}
/// One key per (TN, merchant, ITN): the webhook's way from a TN to its shipments.
pub fn tn_owner(tn: &TrackingNumber, merchant: &MerchantId, itn: Itn) -> String {
    format!("{}{merchant}:{}", tn_owner_prefix(tn), itn.compact())
}
pub fn tn_owner_prefix(tn: &TrackingNumber) -> String {
    format!("tn-any:{}:", tn.key())
}
/// An order's shipments and verifier hashes (the order key is case-folded, spaces removed).
pub fn order(merchant: &MerchantId, order_key: &str) -> String {
    format!("order:{merchant}:{order_key}")
}
pub fn idempotency(merchant: &MerchantId, key_digest: &str) -> String {
    format!("idem:{merchant}:{key_digest}")
}
/// Which merchant an API key (by its hash) belongs to: tells 403 (another merchant's key)
/// from 401 (no such key).
pub fn api_key(hash: &str) -> String {
    format!("api-key:{hash}")
}
