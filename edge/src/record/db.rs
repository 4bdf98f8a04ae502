//! The merchant record's SQLite database: versioned schema migrations and typed statements.
//! Every method is synchronous: a command's reads and writes happen between two awaits, so
//! no other request to the object can interleave with them (the Durable Object runs one
//! event at a time, and SQLite calls do not yield).

use serde::Deserialize;
use shared::api::MerchantConfig;
use shared::cache::CarrierCaches;
use shared::find::{ShipmentQuery, ShipmentRow, SqlParam, SqlQuery, StoredRow};
use shared::shipment::ShipmentRecord;
use shared::{Itn, Timestamp};
use worker::{SqlStorage, SqlStorageValue};

use super::protocol::{AuditEntry, OrderIndex, Snapshot};
use crate::error::{EdgeError, EdgeResult};
use shared::settings::MerchantSettings;

/// Each entry upgrades the schema by one version; entries are never edited once released.
const MIGRATIONS: &[&[&str]] = &[
    // 1: the first schema.
    &[
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS shipments (
            itn TEXT PRIMARY KEY,
            seq INTEGER NOT NULL UNIQUE,
            order_ref TEXT NOT NULL,
            order_key TEXT NOT NULL,
            channel TEXT NOT NULL,
            carrier TEXT,
            stage INTEGER NOT NULL,
            alert TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            tns TEXT NOT NULL,
            latest TEXT,
            active INTEGER NOT NULL DEFAULT 0,
            scheduled_at INTEGER NOT NULL DEFAULT 0,
            record TEXT NOT NULL,
            carrier_cache TEXT NOT NULL
        )",
        "CREATE INDEX IF NOT EXISTS shipments_created ON shipments (created_at, seq)",
        "CREATE INDEX IF NOT EXISTS shipments_updated ON shipments (updated_at, seq)",
        "CREATE INDEX IF NOT EXISTS shipments_stage ON shipments (stage, seq)",
        "CREATE INDEX IF NOT EXISTS shipments_order ON shipments (order_key)",
        "CREATE INDEX IF NOT EXISTS shipments_active ON shipments (active, scheduled_at)",
        "CREATE TABLE IF NOT EXISTS tracking_numbers (
            tn_key TEXT PRIMARY KEY,
            itn TEXT NOT NULL,
            role TEXT NOT NULL
        )",
        "CREATE TABLE IF NOT EXISTS idempotency (
            digest TEXT PRIMARY KEY,
            itn TEXT NOT NULL,
            created_at INTEGER NOT NULL
        )",
        "CREATE TABLE IF NOT EXISTS webhook_events (digest TEXT PRIMARY KEY, at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS orders (
            order_key TEXT PRIMARY KEY,
            order_ref TEXT NOT NULL,
            verifiers TEXT NOT NULL
        )",
        // Every settings change: who, when, what.
        "CREATE TABLE IF NOT EXISTS audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            field TEXT NOT NULL,
            from_value TEXT NOT NULL,
            to_value TEXT NOT NULL
        )",
        // Shipments whose last KV mirror failed; the alarm retries them.
        "CREATE TABLE IF NOT EXISTS dirty (itn TEXT PRIMARY KEY)",
    ],
    // 2: outgoing webhooks: endpoints, the events each shipment has emitted, deliveries.
    &[
        "CREATE TABLE IF NOT EXISTS endpoints (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            events TEXT NOT NULL,
            description TEXT,
            created_at INTEGER NOT NULL
        )",
        "CREATE TABLE IF NOT EXISTS emitted_events (
            itn TEXT NOT NULL,
            kind TEXT NOT NULL,
            at INTEGER NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (itn, kind)
        )",
        "CREATE TABLE IF NOT EXISTS deliveries (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            endpoint_id TEXT NOT NULL,
            itn TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_status INTEGER,
            last_error TEXT,
            last_attempt_at INTEGER,
            delivered_at INTEGER
        )",
        "CREATE INDEX IF NOT EXISTS deliveries_seq ON deliveries (seq)",
        "CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status, seq)",
    ],
    // 3: e-mail alert recipients (the merchant's staff), verified before anything is sent.
    &["CREATE TABLE IF NOT EXISTS recipients (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            alerts TEXT NOT NULL,
            verified INTEGER NOT NULL DEFAULT 0,
            code_hash TEXT,
            code_expires INTEGER,
            created_at INTEGER NOT NULL
        )"],
    // 4: sales channels: each shipment's order facts and confirmation progress, the stores'
    // access tokens (secrets: never read back out of the record).
    &[
        "CREATE TABLE IF NOT EXISTS shipment_channels (
            itn TEXT PRIMARY KEY,
            facts TEXT NOT NULL,
            progress TEXT NOT NULL,
            recheck_at INTEGER
        )",
        "CREATE INDEX IF NOT EXISTS shipment_channels_recheck ON shipment_channels (recheck_at)",
        "CREATE TABLE IF NOT EXISTS channel_tokens (
            channel TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        )",
    ],
    // 5: the daily digest's shipped orders, until the digest that lists them is made.
    &["CREATE TABLE IF NOT EXISTS digest_items (itn TEXT PRIMARY KEY, item TEXT NOT NULL)"],
    // 6: the console's staff, one-time sign-in links and sessions (hashes of their secrets).
    &[
        "CREATE TABLE IF NOT EXISTS staff (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            created_at INTEGER NOT NULL
        )",
        "CREATE TABLE IF NOT EXISTS sign_in_links (
            hash TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER
        )",
        "CREATE TABLE IF NOT EXISTS sign_in_requests (email TEXT NOT NULL, at INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sign_in_requests_email ON sign_in_requests (email, at)",
        "CREATE TABLE IF NOT EXISTS sessions (
            hash TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            revoked_at INTEGER
        )",
    ],
    // 7: each shipment's ship-confirmation state as last planned, for Find Orders' column and
    // filter (empty until the shipment's channel is next planned).
    &[
        "ALTER TABLE shipments ADD COLUMN confirmation TEXT",
        "CREATE INDEX IF NOT EXISTS shipments_confirmation ON shipments (confirmation, seq)",
        // A shipment's page lists what was sent about it.
        "CREATE INDEX IF NOT EXISTS deliveries_itn ON deliveries (itn, seq)",
    ],
];

/// Columns derived from a shipment's merged view, kept for Find Orders.
pub struct Derived {
    pub order_ref: String,
    pub channel: String,
    pub carrier: Option<String>,
    pub stage: u8,
    pub alert: Option<String>,
    pub tns: String,
    pub latest: Option<String>,
    pub active: bool,
}

pub struct Db {
    sql: SqlStorage,
}

fn storage_error(e: worker::Error) -> EdgeError {
    EdgeError::Storage(format!("merchant record SQL: {e}"))
}

fn unreadable(what: &str) -> EdgeError {
    EdgeError::Internal(format!(
        "a stored {what} in the merchant record is unreadable"
    ))
}

#[derive(Deserialize)]
struct Value {
    value: String,
}

#[derive(Deserialize)]
struct SnapshotRow {
    record: String,
    carrier_cache: String,
}

#[derive(Deserialize)]
struct ItnRow {
    itn: String,
}

impl Db {
    pub fn new(sql: SqlStorage) -> Db {
        Db { sql }
    }

    pub(super) fn exec(
        &self,
        query: &str,
        params: Vec<SqlStorageValue>,
    ) -> EdgeResult<worker::SqlCursor> {
        self.sql.exec(query, Some(params)).map_err(storage_error)
    }

    pub(super) fn rows<T: serde::de::DeserializeOwned>(
        &self,
        query: &str,
        params: Vec<SqlStorageValue>,
    ) -> EdgeResult<Vec<T>> {
        self.exec(query, params)?
            .to_array::<T>()
            .map_err(storage_error)
    }

    /// Brings the schema up to date; safe to call on every start.
    pub fn migrate(&self) -> EdgeResult<()> {
        self.exec(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            vec![],
        )?;
        let current: usize = self
            .meta("schema_version")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        for (index, statements) in MIGRATIONS.iter().enumerate().skip(current) {
            for statement in statements.iter() {
                self.exec(statement, vec![])?;
            }
            self.set_meta("schema_version", &(index + 1).to_string())?;
        }
        Ok(())
    }

    pub(super) fn meta(&self, key: &str) -> EdgeResult<Option<String>> {
        Ok(self
            .rows::<Value>("SELECT value FROM meta WHERE key = ?", vec![key.into()])?
            .into_iter()
            .next()
            .map(|v| v.value))
    }

    pub(super) fn set_meta(&self, key: &str, value: &str) -> EdgeResult<()> {
        self.exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![key.into(), value.into()],
        )?;
        Ok(())
    }

    // ----- the merchant -----

    pub fn config(&self) -> EdgeResult<Option<MerchantConfig>> {
        match self.meta("config")? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|_| unreadable("merchant configuration")),
        }
    }

    pub fn put_config(&self, config: &MerchantConfig) -> EdgeResult<()> {
        self.set_meta("config", &serde_json::to_string(config)?)
    }

    /// The merchant's settings; the shop-facing ones (name, origins, AfterShip page) always
    /// come from the configuration the read path uses.
    pub fn settings(&self, config: &MerchantConfig) -> EdgeResult<MerchantSettings> {
        let mut settings: MerchantSettings = match self.meta("settings")? {
            Some(text) => serde_json::from_str(&text).map_err(|_| unreadable("settings"))?,
            None => MerchantSettings::default(),
        };
        settings.name = config.name.clone();
        settings.allowed_origins = config.allowed_origins.clone();
        settings.aftership_page = config.aftership_page.clone();
        Ok(settings)
    }

    /// When the merchant's next scheduled refresh is due (`None`: never run, due now).
    pub fn next_refresh_at(&self) -> EdgeResult<Option<Timestamp>> {
        Ok(self
            .meta("next_refresh_at")?
            .and_then(|t| t.parse().ok())
            .map(Timestamp))
    }

    pub fn set_next_refresh_at(&self, at: Timestamp) -> EdgeResult<()> {
        self.set_meta("next_refresh_at", &at.millis().to_string())
    }

    pub fn put_settings(&self, settings: &MerchantSettings) -> EdgeResult<()> {
        self.set_meta("settings", &serde_json::to_string(settings)?)
    }

    pub fn record_audit(&self, entries: &[AuditEntry]) -> EdgeResult<()> {
        for entry in entries {
            self.exec(
                "INSERT INTO audit (at, actor, field, from_value, to_value) VALUES (?, ?, ?, ?, ?)",
                vec![
                    entry.at.millis().into(),
                    entry.actor.clone().into(),
                    entry.field.clone().into(),
                    entry.from.clone().into(),
                    entry.to.clone().into(),
                ],
            )?;
        }
        Ok(())
    }

    /// The newest `limit` settings changes.
    pub fn audit(&self, limit: usize) -> EdgeResult<Vec<AuditEntry>> {
        #[derive(Deserialize)]
        struct Row {
            at: i64,
            actor: String,
            field: String,
            from_value: String,
            to_value: String,
        }
        Ok(self
            .rows::<Row>(
                "SELECT at, actor, field, from_value, to_value FROM audit ORDER BY seq DESC LIMIT ?",
                vec![(limit as i64).into()],
            )?
            .into_iter()
            .map(|r| AuditEntry {
                at: Timestamp(r.at),
                actor: r.actor,
                field: r.field,
                from: r.from_value,
                to: r.to_value,
            })
            .collect())
    }

    // ----- shipments -----

    pub fn shipment(&self, itn: Itn) -> EdgeResult<Option<Snapshot>> {
        let Some(row) = self
            .rows::<SnapshotRow>(
                "SELECT record, carrier_cache FROM shipments WHERE itn = ?",
                vec![itn.compact().into()],
            )?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let stored =
            ShipmentRecord::from_stored(&row.record).map_err(|_| unreadable("shipment"))?;
        if stored.skipped > 0 {
            crate::log::unreadable_once(
                &format!("record-shipment:{}", itn.compact()),
                &format!("{} event(s) left out", stored.skipped),
            );
        }
        // An unreadable carrier cache is read as empty: the next read from AfterShip replaces it.
        let carrier: CarrierCaches = serde_json::from_str(&row.carrier_cache).unwrap_or_default();
        Ok(Some(Snapshot {
            record: stored.record,
            carrier,
        }))
    }

    /// Inserts a shipment unless one with its ITN exists; returns whether it was inserted.
    pub fn insert_shipment(&self, snapshot: &Snapshot, derived: &Derived) -> EdgeResult<bool> {
        let itn = snapshot.record.itn.compact();
        let exists = !self
            .rows::<ItnRow>(
                "SELECT itn FROM shipments WHERE itn = ?",
                vec![itn.clone().into()],
            )?
            .is_empty();
        if exists {
            return Ok(false);
        }
        let state = snapshot.record.state()?;
        self.exec(
            "INSERT INTO shipments (itn, seq, order_ref, order_key, channel, carrier, stage, alert,
                created_at, updated_at, tns, latest, active, record, carrier_cache)
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM shipments), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                itn.into(),
                derived.order_ref.clone().into(),
                order_key(&derived.order_ref).into(),
                derived.channel.clone().into(),
                derived.carrier.clone().into(),
                i64::from(derived.stage).into(),
                derived.alert.clone().into(),
                state.created_at.millis().into(),
                state.updated_at.millis().into(),
                derived.tns.clone().into(),
                derived.latest.clone().into(),
                i64::from(derived.active).into(),
                serde_json::to_string(&snapshot.record)?.into(),
                serde_json::to_string(&snapshot.carrier)?.into(),
            ],
        )?;
        Ok(true)
    }

    pub fn update_shipment(&self, snapshot: &Snapshot, derived: &Derived) -> EdgeResult<()> {
        let state = snapshot.record.state()?;
        let fetched_at = [
            Some(&snapshot.carrier.default),
            snapshot.carrier.local.as_ref(),
        ]
        .into_iter()
        .flatten()
        .filter_map(|cache| cache.fetched_at)
        .max();
        let updated_at = state.updated_at.max(fetched_at.unwrap_or(state.updated_at));
        self.exec(
            "UPDATE shipments SET carrier = ?, stage = ?, alert = ?, updated_at = ?, tns = ?,
                latest = ?, active = ?, record = ?, carrier_cache = ? WHERE itn = ?",
            vec![
                derived.carrier.clone().into(),
                i64::from(derived.stage).into(),
                derived.alert.clone().into(),
                updated_at.millis().into(),
                derived.tns.clone().into(),
                derived.latest.clone().into(),
                i64::from(derived.active).into(),
                serde_json::to_string(&snapshot.record)?.into(),
                serde_json::to_string(&snapshot.carrier)?.into(),
                snapshot.record.itn.compact().into(),
            ],
        )?;
        Ok(())
    }

    /// Active shipments (a TN to follow, not finished), least recently scheduled first, so a
    /// shipment that keeps failing never starves the others.
    pub fn due_for_schedule(&self, limit: usize) -> EdgeResult<Vec<Itn>> {
        Ok(self
            .rows::<ItnRow>(
                "SELECT itn FROM shipments WHERE active = 1 ORDER BY scheduled_at, seq LIMIT ?",
                vec![(limit as i64).into()],
            )?
            .into_iter()
            .filter_map(|row| row.itn.parse().ok())
            .collect())
    }

    pub fn mark_scheduled(&self, itn: Itn, now: Timestamp) -> EdgeResult<()> {
        self.exec(
            "UPDATE shipments SET scheduled_at = ? WHERE itn = ?",
            vec![now.millis().into(), itn.compact().into()],
        )?;
        Ok(())
    }

    pub fn mark_dirty(&self, itn: Itn) -> EdgeResult<()> {
        self.exec(
            "INSERT OR IGNORE INTO dirty (itn) VALUES (?)",
            vec![itn.compact().into()],
        )?;
        Ok(())
    }

    pub fn mark_clean(&self, itn: Itn) -> EdgeResult<()> {
        self.exec(
            "DELETE FROM dirty WHERE itn = ?",
            vec![itn.compact().into()],
        )?;
        Ok(())
    }

    pub fn dirty(&self) -> EdgeResult<Vec<Itn>> {
        Ok(self
            .rows::<ItnRow>("SELECT itn FROM dirty", vec![])?
            .into_iter()
            .filter_map(|row| row.itn.parse().ok())
            .collect())
    }

    // ----- Find Orders -----

    pub fn find(&self, query: &ShipmentQuery) -> EdgeResult<Vec<ShipmentRow>> {
        let SqlQuery { sql, params } = query.to_sql();
        let params = params
            .into_iter()
            .map(|p| match p {
                SqlParam::Int(i) => SqlStorageValue::Integer(i),
                SqlParam::Text(t) => SqlStorageValue::String(t),
            })
            .collect();
        self.rows::<StoredRow>(&sql, params)?
            .into_iter()
            .map(|row| ShipmentRow::try_from(row).map_err(|_| unreadable("Find Orders row")))
            .collect()
    }

    // ----- orders -----

    /// Adds verifier hashes to an order (created with its first shipment).
    pub fn remember_order(&self, order_ref: &str, verifiers: &[String]) -> EdgeResult<()> {
        let key = order_key(order_ref);
        let mut known = self.order_verifiers(&key)?;
        for verifier in verifiers {
            if !known.contains(verifier) {
                known.push(verifier.clone());
            }
        }
        self.exec(
            "INSERT INTO orders (order_key, order_ref, verifiers) VALUES (?, ?, ?)
             ON CONFLICT (order_key) DO UPDATE SET verifiers = excluded.verifiers",
            vec![
                key.into(),
                order_ref.into(),
                serde_json::to_string(&known)?.into(),
            ],
        )?;
        Ok(())
    }

    fn order_verifiers(&self, key: &str) -> EdgeResult<Vec<String>> {
        Ok(self
            .rows::<Value>(
                "SELECT verifiers AS value FROM orders WHERE order_key = ?",
                vec![key.into()],
            )?
            .into_iter()
            .next()
            .and_then(|v| serde_json::from_str(&v.value).ok())
            .unwrap_or_default())
    }

    /// What the read path keeps of an order: its shipments (oldest first) and verifiers.
    pub fn order_index(&self, order_ref: &str) -> EdgeResult<OrderIndex> {
        let key = order_key(order_ref);
        let itns = self
            .rows::<ItnRow>(
                "SELECT itn FROM shipments WHERE order_key = ? ORDER BY seq",
                vec![key.clone().into()],
            )?
            .into_iter()
            .filter_map(|row| row.itn.parse().ok())
            .collect();
        Ok(OrderIndex {
            order_ref: order_ref.to_string(),
            itns,
            verifiers: self.order_verifiers(&key)?,
        })
    }

    // ----- tracking numbers -----

    pub fn tn_holder(&self, tn_key: &str) -> EdgeResult<Option<Itn>> {
        Ok(self
            .rows::<ItnRow>(
                "SELECT itn FROM tracking_numbers WHERE tn_key = ?",
                vec![tn_key.into()],
            )?
            .into_iter()
            .next()
            .and_then(|row| row.itn.parse().ok()))
    }

    pub fn set_tn(&self, tn_key: &str, itn: Itn, role: &str) -> EdgeResult<()> {
        self.exec(
            "INSERT INTO tracking_numbers (tn_key, itn, role) VALUES (?, ?, ?)
             ON CONFLICT (tn_key) DO UPDATE SET itn = excluded.itn, role = excluded.role",
            vec![tn_key.into(), itn.compact().into(), role.into()],
        )?;
        Ok(())
    }

    /// The index keys of every TN indexed to `itn`.
    pub fn tns_of(&self, itn: Itn) -> EdgeResult<Vec<String>> {
        Ok(self
            .rows::<Value>(
                "SELECT tn_key AS value FROM tracking_numbers WHERE itn = ?",
                vec![itn.compact().into()],
            )?
            .into_iter()
            .map(|row| row.value)
            .collect())
    }

    pub fn remove_tn(&self, tn_key: &str, itn: Itn) -> EdgeResult<()> {
        self.exec(
            "DELETE FROM tracking_numbers WHERE tn_key = ? AND itn = ?",
            vec![tn_key.into(), itn.compact().into()],
        )?;
        Ok(())
    }

    // ----- idempotency and de-duplication -----

    pub fn idempotent(&self, digest: &str) -> EdgeResult<Option<Itn>> {
        Ok(self
            .rows::<ItnRow>(
                "SELECT itn FROM idempotency WHERE digest = ?",
                vec![digest.into()],
            )?
            .into_iter()
            .next()
            .and_then(|row| row.itn.parse().ok()))
    }

    pub fn remember_idempotent(&self, digest: &str, itn: Itn, now: Timestamp) -> EdgeResult<()> {
        self.exec(
            "INSERT OR IGNORE INTO idempotency (digest, itn, created_at) VALUES (?, ?, ?)",
            vec![digest.into(), itn.compact().into(), now.millis().into()],
        )?;
        Ok(())
    }

    /// Records a webhook event; false when it was seen before.
    pub fn first_sight_of_event(&self, digest: &str, now: Timestamp) -> EdgeResult<bool> {
        let seen = !self
            .rows::<Value>(
                "SELECT digest AS value FROM webhook_events WHERE digest = ?",
                vec![digest.into()],
            )?
            .is_empty();
        if !seen {
            self.exec(
                "INSERT INTO webhook_events (digest, at) VALUES (?, ?)",
                vec![digest.into(), now.millis().into()],
            )?;
        }
        Ok(!seen)
    }
}

pub use shared::order::order_key;
