//! The Worker's side of the merchant record: typed commands sent to the merchant's Durable
//! Object, and its typed replies. The wire is JSON over the object's `fetch`, internal to the
//! deployment (a Durable Object is reachable only through its binding).

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use shared::aftership::CarrierTracking;
use shared::api::MerchantConfig;
use shared::cache::CarrierCaches;
use shared::order::Channel;
pub use shared::settings::SettingsPatch;
use shared::settings::{MerchantSettings, SettingChange};
use shared::shipment::TrackingRole;
use shared::shipment::{CheckpointDef, ShipmentRecord};
use shared::{Itn, MerchantId, Slug, Timestamp, TrackingNumber};
use worker::{Env, Method, Request, RequestInit};

use super::outbox::{DeliveryStatus, EndpointView};
use crate::error::{EdgeError, EdgeResult};
use shared::alerts::AlertKind;
use shared::events::EventKind;

pub const BINDING: &str = "MERCHANT_RECORD";

/// What the Worker asks of a merchant's record. Every command names its merchant: the object
/// learns its own id from the first one.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Creates the merchant (admin). Refused if it exists.
    CreateMerchant {
        config: MerchantConfig,
    },
    /// Replaces the merchant's key hash (admin); returns the old one.
    RotateKey {
        key_hash: String,
    },
    PutCheckpoints {
        checkpoints: Vec<CheckpointDef>,
    },
    GetSettings,
    /// Applies a settings patch and records each change in the audit history.
    PatchSettings {
        patch: SettingsPatch,
        /// Who made the change, for the history (`api-key` for the merchant API).
        actor: String,
    },
    CreateShipment {
        order_ref: String,
        fulfillment_ref: Option<String>,
        channel: Option<Channel>,
        /// Keyed hashes of the order's verifiers (postal code, e-mail); never the values.
        verifiers: Vec<String>,
        /// SHA-256 of the `Idempotency-Key`, when one was sent.
        idempotency: Option<String>,
        /// What the shipment's channel needs (cash on delivery, smartphone, Shopify order).
        #[serde(default)]
        facts: shared::channels::OrderFacts,
    },
    GetShipment {
        itn: Itn,
    },
    AddEvent {
        itn: Itn,
        checkpoint: usize,
        at: Option<Timestamp>,
    },
    AttachTracking {
        itn: Itn,
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
        #[serde(default)]
        role: TrackingRole,
    },
    /// Registers the shipment's pending TNs with AfterShip now (a lookup found one due).
    Register {
        itn: Itn,
    },
    /// Reads the shipment's trackings from AfterShip and applies them (a lookup found a
    /// cache due).
    Refresh {
        itn: Itn,
    },
    /// Applies a tracking AfterShip pushed (webhook), if it belongs to this shipment.
    ApplyPushed {
        itn: Itn,
        tracking: Box<CarrierTracking>,
        /// SHA-256 of AfterShip's event id, for de-duplication.
        event: Option<String>,
    },
    /// The scheduled refresh of this merchant's active shipments.
    RunSchedule,
    /// Carries every shipment an earlier version kept only in KV into the record (first touch
    /// does it one at a time; this makes Find Orders complete at once). Returns how many were
    /// carried over.
    Migrate,
    /// One page of Find Orders (the query string as the merchant sent it, already validated
    /// by the Worker). `csv` asks for the page's rows as CSV lines instead of JSON rows.
    FindShipments {
        query: String,
        csv: bool,
    },
    /// Registers a webhook endpoint (URL and filter validated by the Worker); the reply holds
    /// its secret, the only time it is shown.
    CreateEndpoint {
        url: String,
        events: Vec<EventKind>,
        description: Option<String>,
    },
    ListEndpoints,
    DeleteEndpoint {
        id: String,
    },
    /// The delivery log, newest first.
    ListDeliveries {
        endpoint: Option<String>,
        /// Only the deliveries about this shipment.
        #[serde(default)]
        itn: Option<Itn>,
        status: Option<DeliveryStatus>,
        limit: usize,
    },
    /// One attempt at a delivery (the queue consumer asks); replies a `DeliverOutcome`.
    Deliver {
        id: String,
    },
    /// Delivers a delivery again (same `webhook-id`), whatever its state.
    Replay {
        id: String,
    },
    /// Adds an alert recipient (validated by the Worker) and sends it a confirmation code.
    CreateRecipient {
        email: String,
        alerts: Vec<AlertKind>,
    },
    VerifyRecipient {
        id: String,
        code: String,
    },
    ListRecipients,
    DeleteRecipient {
        id: String,
    },
    /// The merchant's channel policies (validated by the Worker).
    ListChannels,
    /// Sets one channel's policy, and a Shopify store's token when given (a secret: stored,
    /// never echoed); recorded in the audit history.
    PutChannel {
        policy: shared::channels::ChannelPolicy,
        token: Option<String>,
        actor: String,
    },
    /// Takes a channel back to its defaults and forgets its token.
    DeleteChannel {
        channel: Channel,
        actor: String,
    },
    /// Where the shipment's channel stands.
    ChannelStatus {
        itn: Itn,
    },
    /// Supplies a field the shipment's channel needs (the IMEI, validated by the Worker).
    SupplyFields {
        itn: Itn,
        imei: shared::channels::Imei,
    },
    /// Registers a staff address for the console (or changes its role).
    CreateStaff {
        email: shared::alerts::StaffAddress,
        role: shared::staff::Role,
        actor: String,
    },
    ListStaff,
    DeleteStaff {
        id: String,
        actor: String,
    },
    /// A sign-in link was asked for: records its hash if the address is registered and within
    /// its rate limit; replies whom to e-mail.
    RequestLink {
        email: shared::alerts::StaffAddress,
        link_hash: String,
    },
    /// A link for a registered address, without e-mail (admin: demo and support).
    MintLink {
        email: shared::alerts::StaffAddress,
        link_hash: String,
    },
    /// Uses a link once and starts a session; replies its expiry.
    RedeemLink {
        link_hash: String,
        session_hash: String,
        csrf: String,
    },
    CheckSession {
        session_hash: String,
    },
    RevokeSession {
        session_hash: String,
    },
    /// The queue gave up on a delivery (it reached the dead-letter queue).
    MarkDead {
        id: String,
    },
}

/// A new endpoint and its signing secret (shown once).
#[derive(Debug, Serialize, Deserialize)]
pub struct EndpointCreated {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    pub secret: String,
}

/// A shipment as the record holds it: its history and the carrier side of each of its TNs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub record: ShipmentRecord,
    pub carrier: CarrierCaches,
}

/// What the read path keeps of an order (KV `order:{merchant}:{order_key}`): its shipments
/// and the keyed hashes of its verifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderIndex {
    pub order_ref: String,
    pub itns: Vec<Itn>,
    pub verifiers: Vec<String>,
}

/// One recorded settings change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor: String,
    pub field: String,
    pub from: String,
    pub to: String,
}

impl AuditEntry {
    pub fn of(change: &SettingChange, actor: &str, at: Timestamp) -> AuditEntry {
        AuditEntry {
            at,
            actor: actor.to_string(),
            field: change.field.to_string(),
            from: change.from.clone(),
            to: change.to.clone(),
        }
    }
}

/// The merchant's settings and the history of their changes (newest first).
#[derive(Debug, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: MerchantSettings,
    pub history: Vec<AuditEntry>,
}

/// A page of Find Orders as CSV lines (no header), and where the next page starts.
#[derive(Debug, Serialize, Deserialize)]
pub struct CsvPage {
    pub lines: String,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    pub snapshot: Snapshot,
    /// False when an earlier request with the same `Idempotency-Key` created it.
    pub new: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Attached {
    pub snapshot: Snapshot,
    pub registered: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Applied {
    pub applied: bool,
    pub duplicate: bool,
}

/// An error as it crosses from the object to the Worker: the status, code and message the
/// client sees. Server-side failures cross as a bare 500/503 (their detail is logged inside
/// the object, where it happened).
#[derive(Debug, Serialize, Deserialize)]
pub struct WireError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl From<&EdgeError> for WireError {
    fn from(error: &EdgeError) -> WireError {
        let (status, code) = error.status_and_code();
        WireError {
            status,
            code: code.to_string(),
            message: error.to_string(),
        }
    }
}

impl WireError {
    pub fn into_edge_error(self) -> EdgeError {
        match self.status {
            500 => EdgeError::Internal("the merchant record failed".into()),
            503 => EdgeError::Storage("the merchant record is unavailable".into()),
            status => EdgeError::relayed(status, &self.code, self.message),
        }
    }
}

/// Sends one command to the merchant's record and reads its typed reply.
pub async fn call<T: DeserializeOwned>(
    env: &Env,
    merchant: &MerchantId,
    command: &Command,
) -> EdgeResult<T> {
    let stub = env
        .durable_object(BINDING)?
        .id_from_name(merchant.as_str())?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let url = format!("https://merchant-record/{}", merchant.as_str());
    let request = Request::new_with_init(&url, &init)?;
    let mut response = stub
        .fetch_with_request(request)
        .await
        .map_err(|e| EdgeError::Storage(format!("merchant record unreachable: {e}")))?;
    let status = response.status_code();
    let text = response.text().await?;
    if status == 200 {
        Ok(serde_json::from_str(&text)?)
    } else {
        let wire: WireError = serde_json::from_str(&text)
            .map_err(|_| EdgeError::Internal(format!("the merchant record answered {status}")))?;
        Err(wire.into_edge_error())
    }
}
