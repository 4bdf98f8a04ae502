//! The merchant record's outbox: webhook endpoints, the events each shipment has emitted, and
//! the deliveries of those events to the endpoints (with their log). Statements only; what to
//! emit, how to sign and when to retry are decided in `shared::events` and `shared::webhooks`.

use serde::{Deserialize, Serialize};
use shared::alerts::AlertKind;
use shared::events::{EventKind, MerchantEvent};
use shared::{Itn, Timestamp};
use worker::SqlStorageValue;

use super::db::Db;
use crate::error::{EdgeError, EdgeResult};

/// A registered endpoint as stored (the secret never leaves the record but to sign).
#[derive(Debug, Clone, Deserialize)]
pub struct StoredEndpoint {
    pub id: String,
    pub url: String,
    pub secret: String,
    /// JSON list of event kinds; empty: all.
    pub events: String,
    pub description: Option<String>,
    pub created_at: i64,
}

impl StoredEndpoint {
    pub fn filter(&self) -> Vec<EventKind> {
        serde_json::from_str::<Vec<String>>(&self.events)
            .unwrap_or_default()
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect()
    }

    pub fn view(&self) -> EndpointView {
        EndpointView {
            id: self.id.clone(),
            url: self.url.clone(),
            events: self.filter(),
            description: self.description.clone(),
            created_at: Timestamp(self.created_at),
        }
    }
}

/// An endpoint as the API shows it: never its secret (shown once, at creation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    /// The event types it receives; empty: every type.
    pub events: Vec<EventKind>,
    pub description: Option<String>,
    pub created_at: Timestamp,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt (on the queue).
    Queued,
    /// Not yet on the queue (sending to it failed); the alarm sends it.
    Unsent,
    /// Failed at least once; the queue retries it.
    Retrying,
    Delivered,
    /// Every attempt failed (dead-lettered); a replay tries again.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Unsent => "unsent",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Queued,
            DeliveryStatus::Unsent,
            DeliveryStatus::Retrying,
            DeliveryStatus::Delivered,
            DeliveryStatus::Dead,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StoredDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub itn: String,
    pub kind: String,
    pub payload: String,
    pub created_at: i64,
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

/// One delivery in the log, as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryView {
    /// The `webhook-id` the endpoint saw (the same on every attempt and replay).
    pub id: String,
    pub endpoint_id: String,
    pub itn: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The endpoint's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed, when it did not answer (timeout, connection).
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
}

impl StoredDelivery {
    pub fn status(&self) -> DeliveryStatus {
        DeliveryStatus::parse(&self.status).unwrap_or(DeliveryStatus::Queued)
    }

    pub fn view(&self) -> DeliveryView {
        DeliveryView {
            id: self.id.clone(),
            endpoint_id: self.endpoint_id.clone(),
            itn: self.itn.clone(),
            kind: self.kind.clone(),
            status: self.status(),
            attempts: self.attempts,
            last_status: self.last_status,
            last_error: self.last_error.clone(),
            created_at: Timestamp(self.created_at),
            last_attempt_at: self.last_attempt_at.map(Timestamp),
            delivered_at: self.delivered_at.map(Timestamp),
        }
    }
}

#[derive(Deserialize)]
struct Text {
    value: String,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

const DELIVERY_COLUMNS: &str =
    "id, endpoint_id, itn, kind, payload, created_at, status, attempts, \
    last_status, last_error, last_attempt_at, delivered_at";

impl Db {
    // ----- endpoints -----

    pub fn endpoints(&self) -> EdgeResult<Vec<StoredEndpoint>> {
        self.rows(
            "SELECT id, url, secret, events, description, created_at FROM endpoints ORDER BY created_at, id",
            vec![],
        )
    }

    pub fn endpoint(&self, id: &str) -> EdgeResult<Option<StoredEndpoint>> {
        Ok(self
            .rows::<StoredEndpoint>(
                "SELECT id, url, secret, events, description, created_at FROM endpoints WHERE id = ?",
                vec![id.into()],
            )?
            .into_iter()
            .next())
    }

    pub fn insert_endpoint(&self, endpoint: &StoredEndpoint) -> EdgeResult<()> {
        self.exec(
            "INSERT INTO endpoints (id, url, secret, events, description, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                endpoint.id.clone().into(),
                endpoint.url.clone().into(),
                endpoint.secret.clone().into(),
                endpoint.events.clone().into(),
                endpoint.description.clone().into(),
                endpoint.created_at.into(),
            ],
        )?;
        Ok(())
    }

    /// Removes an endpoint; its queued deliveries die with it. Returns whether it existed.
    pub fn delete_endpoint(&self, id: &str) -> EdgeResult<bool> {
        let existed = self.endpoint(id)?.is_some();
        self.exec("DELETE FROM endpoints WHERE id = ?", vec![id.into()])?;
        self.exec(
            "UPDATE deliveries SET status = 'dead', last_error = 'endpoint removed'
             WHERE endpoint_id = ? AND status IN ('queued', 'unsent', 'retrying')",
            vec![id.into()],
        )?;
        Ok(existed)
    }

    // ----- emitted events -----

    pub fn emitted_kinds(&self, itn: Itn) -> EdgeResult<Vec<EventKind>> {
        Ok(self
            .rows::<Text>(
                "SELECT kind AS value FROM emitted_events WHERE itn = ?",
                vec![itn.compact().into()],
            )?
            .into_iter()
            .filter_map(|row| row.value.parse().ok())
            .collect())
    }

    /// Records an event as emitted; false when it already was (exactly once per shipment).
    pub fn record_emitted(&self, itn: Itn, event: &MerchantEvent) -> EdgeResult<bool> {
        let before = self.changes()?;
        self.exec(
            "INSERT OR IGNORE INTO emitted_events (itn, kind, at, event) VALUES (?, ?, ?, ?)",
            vec![
                itn.compact().into(),
                event.kind.as_str().into(),
                event.at.millis().into(),
                serde_json::to_string(event)?.into(),
            ],
        )?;
        Ok(self.changes()? > before)
    }

    fn changes(&self) -> EdgeResult<i64> {
        Ok(self
            .rows::<Count>("SELECT total_changes() AS n", vec![])?
            .first()
            .map_or(0, |c| c.n))
    }

    // ----- deliveries -----

    /// Adds a delivery unless one with its id exists; returns whether it was added.
    pub fn insert_delivery(
        &self,
        id: &str,
        endpoint_id: &str,
        itn: Itn,
        kind: &str,
        payload: &str,
        now: Timestamp,
    ) -> EdgeResult<bool> {
        self.insert_delivery_of(id, endpoint_id, &itn.to_string(), kind, payload, now)
    }

    /// [`Db::insert_delivery`] for a delivery that is not one shipment's (the daily digest).
    pub fn insert_delivery_of(
        &self,
        id: &str,
        endpoint_id: &str,
        itn: &str,
        kind: &str,
        payload: &str,
        now: Timestamp,
    ) -> EdgeResult<bool> {
        let before = self.changes()?;
        self.exec(
            "INSERT OR IGNORE INTO deliveries (id, seq, endpoint_id, itn, kind, payload, created_at, status)
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM deliveries), ?, ?, ?, ?, ?, 'unsent')",
            vec![
                id.into(),
                endpoint_id.into(),
                itn.into(),
                kind.into(),
                payload.into(),
                now.millis().into(),
            ],
        )?;
        Ok(self.changes()? > before)
    }

    pub fn delivery(&self, id: &str) -> EdgeResult<Option<StoredDelivery>> {
        Ok(self
            .rows::<StoredDelivery>(
                &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?"),
                vec![id.into()],
            )?
            .into_iter()
            .next())
    }

    /// The delivery log, newest first, optionally of one endpoint, shipment or status. Only
    /// the filters given are in the statement, so SQLite can use their indexes.
    pub fn deliveries(
        &self,
        endpoint: Option<&str>,
        itn: Option<Itn>,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> EdgeResult<Vec<StoredDelivery>> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut params: Vec<SqlStorageValue> = Vec::new();
        if let Some(endpoint) = endpoint {
            conditions.push("endpoint_id = ?");
            params.push(endpoint.into());
        }
        if let Some(itn) = itn {
            conditions.push("itn = ?");
            params.push(itn.to_string().into());
        }
        if let Some(status) = status {
            conditions.push("status = ?");
            params.push(status.as_str().into());
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            ["WHERE ", &conditions.join(" AND ")].concat()
        };
        params.push((limit as i64).into());
        self.rows(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries {filter} ORDER BY seq DESC LIMIT ?"
            ),
            params,
        )
    }

    pub fn set_delivery_status(&self, id: &str, status: DeliveryStatus) -> EdgeResult<()> {
        self.exec(
            "UPDATE deliveries SET status = ? WHERE id = ?",
            vec![status.as_str().into(), id.into()],
        )?;
        Ok(())
    }

    /// Records an attempt's outcome.
    pub fn record_attempt(
        &self,
        id: &str,
        attempts: i64,
        status: DeliveryStatus,
        answer: Option<u16>,
        error: Option<&str>,
        now: Timestamp,
    ) -> EdgeResult<()> {
        let delivered_at = (status == DeliveryStatus::Delivered).then_some(now.millis());
        self.exec(
            "UPDATE deliveries SET attempts = ?, status = ?, last_status = ?, last_error = ?,
                last_attempt_at = ?, delivered_at = COALESCE(?, delivered_at) WHERE id = ?",
            vec![
                attempts.into(),
                status.as_str().into(),
                answer.map(i64::from).into(),
                error.map(str::to_string).into(),
                now.millis().into(),
                delivered_at.into(),
                id.into(),
            ],
        )?;
        Ok(())
    }

    /// A replay: the delivery starts over (same id, so the endpoint can drop a repeat).
    pub fn restart_delivery(&self, id: &str) -> EdgeResult<()> {
        self.exec(
            "UPDATE deliveries SET status = 'unsent', attempts = 0, last_error = NULL WHERE id = ?",
            vec![id.into()],
        )?;
        Ok(())
    }

    /// Deliveries of one shipment to one destination that wait for a retry go now (a Shopify
    /// fulfilment they waited for exists).
    pub fn retry_now(&self, itn: Itn, endpoint_id: &str) -> EdgeResult<()> {
        self.exec(
            "UPDATE deliveries SET status = 'unsent' WHERE itn = ? AND endpoint_id = ? AND status = 'retrying'",
            vec![itn.to_string().into(), endpoint_id.into()],
        )?;
        Ok(())
    }

    // ----- the daily digest -----

    pub fn add_digest_item(&self, item: &shared::alerts::DigestItem) -> EdgeResult<()> {
        self.exec(
            "INSERT OR IGNORE INTO digest_items (itn, item) VALUES (?, ?)",
            vec![item.itn.clone().into(), serde_json::to_string(item)?.into()],
        )?;
        Ok(())
    }

    pub fn digest_items(&self) -> EdgeResult<Vec<shared::alerts::DigestItem>> {
        self.rows::<Text>("SELECT item AS value FROM digest_items", vec![])?
            .into_iter()
            .map(|row| {
                serde_json::from_str(&row.value)
                    .map_err(|_| EdgeError::Internal("a stored digest item is unreadable".into()))
            })
            .collect()
    }

    pub fn clear_digest_items(&self) -> EdgeResult<()> {
        self.exec("DELETE FROM digest_items", vec![])?;
        Ok(())
    }

    /// The close of business the last digest covered.
    pub fn digest_sent_through(&self) -> EdgeResult<Option<Timestamp>> {
        Ok(self
            .meta("digest_sent_through")?
            .and_then(|v| v.parse().ok())
            .map(Timestamp))
    }

    pub fn set_digest_sent_through(&self, close: Timestamp) -> EdgeResult<()> {
        self.set_meta("digest_sent_through", &close.millis().to_string())
    }

    pub fn unsent_deliveries(&self, limit: usize) -> EdgeResult<Vec<String>> {
        Ok(self
            .rows::<Text>(
                "SELECT id AS value FROM deliveries WHERE status = 'unsent' ORDER BY seq LIMIT ?",
                vec![(limit as i64).into()],
            )?
            .into_iter()
            .map(|row| row.value)
            .collect())
    }
}

/// An alert recipient as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredRecipient {
    pub id: String,
    pub email: String,
    /// JSON list of alert kinds.
    pub alerts: String,
    pub verified: i64,
    pub code_hash: Option<String>,
    pub code_expires: Option<i64>,
    pub created_at: i64,
}

/// A recipient as the API shows it (never the code).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecipientView {
    pub id: String,
    pub email: String,
    pub alerts: Vec<AlertKind>,
    pub verified: bool,
    pub created_at: Timestamp,
}

impl StoredRecipient {
    pub fn alerts(&self) -> Vec<AlertKind> {
        serde_json::from_str::<Vec<String>>(&self.alerts)
            .unwrap_or_default()
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect()
    }

    pub fn view(&self) -> RecipientView {
        RecipientView {
            id: self.id.clone(),
            email: self.email.clone(),
            alerts: self.alerts(),
            verified: self.verified != 0,
            created_at: Timestamp(self.created_at),
        }
    }
}

const RECIPIENT_COLUMNS: &str = "id, email, alerts, verified, code_hash, code_expires, created_at";

impl Db {
    pub fn recipients(&self) -> EdgeResult<Vec<StoredRecipient>> {
        self.rows(
            &format!("SELECT {RECIPIENT_COLUMNS} FROM recipients ORDER BY created_at, id"),
            vec![],
        )
    }

    pub fn recipient(&self, id: &str) -> EdgeResult<Option<StoredRecipient>> {
        Ok(self
            .rows::<StoredRecipient>(
                &format!("SELECT {RECIPIENT_COLUMNS} FROM recipients WHERE id = ?"),
                vec![id.into()],
            )?
            .into_iter()
            .next())
    }

    /// Adds a recipient, or for an address already listed replaces its alerts and starts its
    /// verification again (a new code).
    pub fn put_recipient(&self, recipient: &StoredRecipient) -> EdgeResult<StoredRecipient> {
        self.exec(
            "INSERT INTO recipients (id, email, alerts, verified, code_hash, code_expires, created_at)
             VALUES (?, ?, ?, 0, ?, ?, ?)
             ON CONFLICT (email) DO UPDATE SET alerts = excluded.alerts,
                code_hash = excluded.code_hash, code_expires = excluded.code_expires",
            vec![
                recipient.id.clone().into(),
                recipient.email.clone().into(),
                recipient.alerts.clone().into(),
                recipient.code_hash.clone().into(),
                recipient.code_expires.into(),
                recipient.created_at.into(),
            ],
        )?;
        self.rows::<StoredRecipient>(
            &format!("SELECT {RECIPIENT_COLUMNS} FROM recipients WHERE email = ?"),
            vec![recipient.email.clone().into()],
        )?
        .into_iter()
        .next()
        .ok_or_else(|| EdgeError::Internal("a recipient just stored is missing".into()))
    }

    pub fn mark_verified(&self, id: &str) -> EdgeResult<()> {
        self.exec(
            "UPDATE recipients SET verified = 1, code_hash = NULL, code_expires = NULL WHERE id = ?",
            vec![id.into()],
        )?;
        Ok(())
    }

    pub fn delete_recipient(&self, id: &str) -> EdgeResult<bool> {
        let existed = self.recipient(id)?.is_some();
        self.exec("DELETE FROM recipients WHERE id = ?", vec![id.into()])?;
        Ok(existed)
    }
}

/// The message on the delivery queue: which merchant's record holds the delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryTask {
    pub merchant: shared::MerchantId,
    pub id: String,
}

/// What the queue consumer does with a message after an attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverOutcome {
    /// Nothing more to do (delivered, or the delivery or its endpoint is gone).
    pub done: bool,
    /// Try again after this many seconds; `None` with `done` false: give up (dead-letter).
    pub retry_in: Option<u32>,
}

pub fn unknown_delivery() -> EdgeError {
    EdgeError::NotFound("no delivery with this id")
}
