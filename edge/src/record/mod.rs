//! The merchant's record: one Durable Object per merchant, with SQLite storage. Every write
//! for a merchant goes through it (the merchant itself, shipments, events, tracking numbers,
//! carrier updates from webhooks, reads and the schedule), so a merchant's writes are
//! serialised and each is a transaction. After every change the object mirrors what lookups
//! read into KV, the global read path; a shipment still only in an earlier version's KV layout
//! is carried over the first time the object touches it.
//!
//! Shape of every command: gather what needs I/O first (earlier versions' KV data, AfterShip's
//! answer), then read, decide (in `shared`) and write synchronously, with no await in between:
//! nothing another request does can slip into the middle. Then mirror to KV.

mod channels;
mod db;
mod deliver;
pub mod outbox;
pub mod protocol;
pub mod staff;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use serde::Serialize;
use shared::aftership::{ApiError, CarrierTracking};
use shared::api::MerchantConfig;
use shared::cache::{CarrierCache, CarrierCaches, Freshness};
use shared::merge::{carrier_sides, merge, stored_numbers, MergeFacts, MergeInput};
use shared::shipment::{AttachPlan, Registration, ShipmentEvent, ShipmentRecord, TrackingRole};
use shared::sync::{
    carrier_action, pushed_tracking_belongs_to, registration_outcome, Caller, CarrierAction,
    RegistrationOutcome,
};
use shared::view::Source;
use shared::{Itn, MerchantId, Slug, Timestamp, TrackingNumber};
use worker::{durable_object, DurableObject, Env, Request, Response, State};

use self::db::{Db, Derived};
use self::protocol::{
    Applied, Attached, AuditEntry, Command, Created, CsvPage, SettingsView, Snapshot, WireError,
};
use crate::aftership::AfterShip;
use crate::auth::random_bytes;
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::log::background_failure;
use crate::store::Store;
use crate::sync::now;
use shared::calendar::next_refresh;
use shared::channels::ChannelView;
use shared::csv::csv_row;
use shared::find::{page, ShipmentQuery};

/// AfterShip calls one scheduled run may make for one merchant: each merchant has its own
/// budget, so no merchant's failures can starve another's refresh.
const SCHEDULE_BUDGET: usize = 40;
/// Settings changes shown with the settings.
const AUDIT_SHOWN: usize = 100;
/// How soon the object retries mirroring to KV after a failed attempt (milliseconds).
const MIRROR_RETRY_MS: u64 = 30_000;

#[durable_object]
pub struct MerchantRecord {
    state: State,
    env: Env,
    migrated: Cell<bool>,
    /// AfterShip calls in flight, by kind, ITN and TN role: a second request for the same
    /// call joins none and simply skips it (the first one's result is stored for both).
    in_flight: RefCell<HashSet<(char, Itn, TrackingRole)>>,
    /// Deliveries being attempted now: a second attempt of one waits for the queue's retry.
    delivering: RefCell<HashSet<String>>,
}

impl DurableObject for MerchantRecord {
    fn new(state: State, env: Env) -> Self {
        MerchantRecord {
            state,
            env,
            migrated: Cell::new(false),
            in_flight: RefCell::new(HashSet::new()),
            delivering: RefCell::new(HashSet::new()),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        if let Err(error) = crate::sync::load_offset(&self.env).await {
            background_failure("loading the test clock", &error);
        }
        let merchant: Option<MerchantId> =
            req.path().rsplit('/').next().and_then(|id| id.parse().ok());
        let body = req.text().await.unwrap_or_default();
        let outcome = match (merchant, serde_json::from_str::<Command>(&body)) {
            (Some(merchant), Ok(command)) => self.handle(&merchant, command).await,
            _ => Err(EdgeError::Internal(
                "the merchant record got a malformed command".into(),
            )),
        };
        match outcome {
            Ok(json) => Response::ok(json),
            Err(error) => {
                let wire = WireError::from(&error);
                if wire.status >= 500 {
                    background_failure("merchant record command", &error);
                }
                Ok(Response::from_json(&wire)?.with_status(wire.status))
            }
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(error) = crate::sync::load_offset(&self.env).await {
            background_failure("loading the test clock", &error);
        }
        if let Err(error) = self.remirror().await {
            background_failure("merchant record: retrying KV mirror", &error);
        }
        if let Some(merchant) = self.db().ok().and_then(|db| db.config().ok().flatten()) {
            if let Err(error) = self.flush_outbox(&merchant.id).await {
                background_failure("merchant record: retrying the delivery queue", &error);
            }
        }
        if let Some(merchant) = self.db().ok().and_then(|db| db.config().ok().flatten()) {
            if let Err(error) = self.run_schedule(&merchant.id).await {
                background_failure("merchant record: scheduled refresh", &error);
            }
        }
        Response::ok("ok")
    }
}

fn reply<T: Serialize>(value: &T) -> EdgeResult<String> {
    Ok(serde_json::to_string(value)?)
}

fn not_found() -> EdgeError {
    EdgeError::NotFound("no shipment with this ITN")
}

/// The columns Find Orders filters and sorts on, from the shipment's merged view.
fn derive(config: &MerchantConfig, snapshot: &Snapshot) -> EdgeResult<Derived> {
    let shipment = snapshot.record.state()?;
    let view = merge(&MergeInput {
        merchant: &MergeFacts::from(config),
        shipment: &shipment,
        carriers: carrier_sides(&shipment, &snapshot.carrier),
        base_url: None,
    });
    let latest = view
        .timeline
        .iter()
        .rev()
        .find(|e| e.done && e.source == Source::Carrier)
        .or_else(|| view.timeline.iter().rev().find(|e| e.done))
        .map(|e| e.label.clone());
    Ok(Derived {
        order_ref: shipment.order_ref.clone(),
        channel: shipment.channel.to_string(),
        carrier: view.carrier.map(|c| c.slug),
        stage: view.progress.step,
        alert: view
            .progress
            .alert
            .and_then(|a| serde_json::to_value(a).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        tns: view
            .tracking_numbers
            .iter()
            .map(|n| n.number.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        latest,
        active: shipment.trackings().next().is_some() && !snapshot.carrier.is_finished(&shipment),
    })
}

/// A validated shipment to create, as the record receives it.
struct NewShipment {
    facts: shared::channels::OrderFacts,
    order_ref: String,
    fulfillment_ref: Option<String>,
    channel: Option<shared::order::Channel>,
    verifiers: Vec<String>,
}

/// Changes to the TN index that the KV mirror must carry out.
#[derive(Default)]
struct TnChanges {
    added: Vec<TrackingNumber>,
    removed: Vec<TrackingNumber>,
}

/// Brings the record's TN index in line with the shipment's numbers (attached ones, and a
/// last-mile number AfterShip reported), so that each finds the shipment. A number another
/// shipment of this merchant holds is left to it. Returns what the KV index must change.
fn sync_index(db: &Db, config: &MerchantConfig, snapshot: &Snapshot) -> EdgeResult<TnChanges> {
    let itn = snapshot.record.itn;
    let shipment = snapshot.record.state()?;
    let numbers = stored_numbers(&shipment, &snapshot.carrier, config.tracking_number_display);
    let indexed = db.tns_of(itn)?;
    let mut changes = TnChanges::default();
    for number in &numbers {
        let key = number.number.key();
        if indexed.contains(&key) {
            continue;
        }
        if db.tn_holder(&key)?.is_none_or(|holder| holder == itn) {
            let role = if number.reported {
                "last_mile"
            } else {
                number.role.as_str()
            };
            db.set_tn(&key, itn, role)?;
            changes.added.push(number.number.clone());
        }
    }
    for key in indexed {
        if !numbers.iter().any(|n| n.number.key() == key) {
            db.remove_tn(&key, itn)?;
            if let Ok(tn) = key.parse() {
                changes.removed.push(tn);
            }
        }
    }
    Ok(changes)
}

impl MerchantRecord {
    fn db(&self) -> EdgeResult<Db> {
        let db = Db::new(self.state.storage().sql());
        if !self.migrated.get() {
            db.migrate()?;
            self.migrated.set(true);
        }
        Ok(db)
    }

    async fn handle(&self, merchant: &MerchantId, command: Command) -> EdgeResult<String> {
        match command {
            Command::CreateMerchant { config } => self.create_merchant(config).await,
            Command::RotateKey { key_hash } => self.rotate_key(merchant, key_hash).await,
            Command::PutCheckpoints { checkpoints } => {
                let mut config = self.config(merchant).await?;
                config.checkpoints = checkpoints;
                self.db()?.put_config(&config)?;
                self.mirror_config(&config, None).await?;
                reply(&config)
            }
            Command::GetSettings => {
                let config = self.config(merchant).await?;
                let db = self.db()?;
                reply(&SettingsView {
                    settings: db.settings(&config)?,
                    history: db.audit(AUDIT_SHOWN)?,
                })
            }
            Command::PatchSettings { patch, actor } => {
                let mut config = self.config(merchant).await?;
                let db = self.db()?;
                let (settings, changes) = db
                    .settings(&config)?
                    .apply(&patch)
                    .map_err(|e| EdgeError::Invalid(e.to_string()))?;
                let now = now();
                let entries: Vec<AuditEntry> = changes
                    .iter()
                    .map(|c| AuditEntry::of(c, &actor, now))
                    .collect();
                config.name = settings.name.clone();
                config.allowed_origins = settings.allowed_origins.clone();
                config.aftership_page = settings.aftership_page.clone();
                config.tracking_number_display = settings.tracking_number_display;
                config.settings = Some(settings.clone());
                db.put_config(&config)?;
                db.put_settings(&settings)?;
                db.record_audit(&entries)?;
                // A new schedule or zone counts from now.
                if changes
                    .iter()
                    .any(|c| matches!(c.field, "refresh_schedule" | "time_zone"))
                {
                    let next =
                        next_refresh(&settings.refresh_schedule, settings.time_zone.tz(), now);
                    db.set_next_refresh_at(next)?;
                    self.arm(next, now).await?;
                }
                self.mirror_config(&config, None).await?;
                reply(&SettingsView {
                    settings,
                    history: self.db()?.audit(AUDIT_SHOWN)?,
                })
            }
            Command::CreateShipment {
                order_ref,
                fulfillment_ref,
                channel,
                verifiers,
                idempotency,
                facts,
            } => {
                let new = NewShipment {
                    order_ref,
                    fulfillment_ref,
                    channel,
                    verifiers,
                    facts,
                };
                self.create_shipment(merchant, new, idempotency).await
            }
            Command::GetShipment { itn } => reply(&self.load(merchant, itn).await?),
            Command::AddEvent {
                itn,
                checkpoint,
                at,
            } => {
                let config = self.config(merchant).await?;
                self.load(merchant, itn).await?;
                let db = self.db()?;
                let mut snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
                let event = snapshot
                    .record
                    .state()?
                    .mark_reached(checkpoint, at, now())?;
                snapshot.record.events.push(event);
                self.store_change(&db, &config, &snapshot)?;
                reply(&self.mirror(merchant, itn, TnChanges::default()).await?)
            }
            Command::AttachTracking {
                itn,
                tracking_number,
                slug,
                role,
            } => {
                self.attach(merchant, itn, role, tracking_number, slug)
                    .await
            }
            Command::Register { itn } => {
                self.load(merchant, itn).await?;
                let mut registered = true;
                for role in TrackingRole::ALL {
                    registered &= self.register(merchant, itn, role).await?.unwrap_or(true);
                }
                reply(&registered)
            }
            Command::Refresh { itn } => {
                self.load(merchant, itn).await?;
                // Only what a lookup would read: a fresh or backed-off TN is left alone.
                let snapshot = self.db()?.shipment(itn)?.ok_or_else(not_found)?;
                let fresh_seconds = Config::from_env(&self.env).carrier_fresh_seconds;
                for role in TrackingRole::ALL {
                    let due = snapshot.carrier.of(role).is_none_or(|cache| {
                        matches!(
                            cache.freshness(now(), fresh_seconds),
                            Freshness::FetchNow | Freshness::RefreshInBackground
                        )
                    });
                    if due {
                        self.refresh(merchant, itn, role).await?;
                    }
                }
                reply(&self.db()?.shipment(itn)?.ok_or_else(not_found)?)
            }
            Command::ApplyPushed {
                itn,
                tracking,
                event,
            } => self.apply_pushed(merchant, itn, *tracking, event).await,
            Command::RunSchedule => reply(&self.run_schedule(merchant).await?),
            Command::Migrate => {
                self.config(merchant).await?;
                let itns = Store::open(&self.env)?.shipment_itns(merchant).await?;
                let mut carried = 0usize;
                for itn in itns {
                    if self.db()?.shipment(itn)?.is_none() {
                        self.load(merchant, itn).await?;
                        carried += 1;
                    }
                }
                reply(&carried)
            }
            Command::CreateEndpoint {
                url,
                events,
                description,
            } => {
                self.config(merchant).await?;
                reply(&self.create_endpoint(url, events, description)?)
            }
            Command::ListEndpoints => {
                self.config(merchant).await?;
                let endpoints: Vec<_> = self.db()?.endpoints()?.iter().map(|e| e.view()).collect();
                reply(&endpoints)
            }
            Command::DeleteEndpoint { id } => {
                if !self.db()?.delete_endpoint(&id)? {
                    return Err(EdgeError::NotFound("no webhook endpoint with this id"));
                }
                reply(&true)
            }
            Command::ListDeliveries {
                endpoint,
                itn,
                status,
                limit,
            } => {
                let log: Vec<_> = self
                    .db()?
                    .deliveries(endpoint.as_deref(), itn, status, limit)?
                    .iter()
                    .map(|d| d.view())
                    .collect();
                reply(&log)
            }
            Command::Deliver { id } => reply(&self.deliver(&id).await?),
            Command::Replay { id } => {
                let db = self.db()?;
                db.delivery(&id)?.ok_or_else(outbox::unknown_delivery)?;
                db.restart_delivery(&id)?;
                self.flush_outbox(merchant).await?;
                let delivery = self
                    .db()?
                    .delivery(&id)?
                    .ok_or_else(outbox::unknown_delivery)?;
                reply(&delivery.view())
            }
            Command::CreateRecipient { email, alerts } => {
                let config = self.config(merchant).await?;
                reply(&self.create_recipient(&config, email, alerts).await?)
            }
            Command::VerifyRecipient { id, code } => reply(&self.verify_recipient(&id, &code)?),
            Command::ListRecipients => {
                let list: Vec<_> = self.db()?.recipients()?.iter().map(|r| r.view()).collect();
                reply(&list)
            }
            Command::DeleteRecipient { id } => {
                if !self.db()?.delete_recipient(&id)? {
                    return Err(EdgeError::NotFound("no alert recipient with this id"));
                }
                reply(&true)
            }
            Command::ListChannels => {
                self.config(merchant).await?;
                let db = self.db()?;
                let connected = db.connected_channels()?;
                let views: Vec<ChannelView> = db
                    .channel_settings()?
                    .policies()
                    .iter()
                    .map(|p| ChannelView::of(p, connected.contains(&p.channel().to_string())))
                    .collect();
                reply(&views)
            }
            Command::PutChannel {
                policy,
                token,
                actor,
            } => {
                let config = self.config(merchant).await?;
                let db = self.db()?;
                let current = db.channel_settings()?;
                let before = current.policy_for(policy.channel());
                let next = current
                    .with(policy.clone())
                    .map_err(|e| EdgeError::Invalid(e.to_string()))?;
                let now = now();
                let mut entries = Vec::new();
                if before != policy || !current.policies().contains(&policy) {
                    entries.push(AuditEntry {
                        at: now,
                        actor: actor.clone(),
                        field: format!("channels.{}", policy.channel()),
                        from: serde_json::to_string(&before)?,
                        to: serde_json::to_string(&policy)?,
                    });
                }
                if let Some(token) = &token {
                    let token: shared::shopify::ShopifyToken =
                        token
                            .parse()
                            .map_err(|e: shared::shopify::ShopifyInputError| {
                                EdgeError::Invalid(e.to_string())
                            })?;
                    db.put_channel_token(policy.channel(), &token, now)?;
                    entries.push(AuditEntry {
                        at: now,
                        actor,
                        field: format!("channels.{}.access_token", policy.channel()),
                        from: "[redacted]".into(),
                        to: "[redacted]".into(),
                    });
                }
                db.put_channel_settings(&next)?;
                db.record_audit(&entries)?;
                // The channel's shipments show their state under the new policy: a batch now,
                // the rest on the next scheduled runs.
                db.forget_confirmations(policy.channel())?;
                if let Err(error) = self.fill_confirmations(&config) {
                    background_failure("merchant record: confirmation states", &error);
                }
                let connected = db.channel_token(policy.channel())?.is_some();
                reply(&ChannelView::of(&policy, connected))
            }
            Command::DeleteChannel { channel, actor } => {
                let config = self.config(merchant).await?;
                let db = self.db()?;
                let current = db.channel_settings()?;
                let before = current.policy_for(&channel);
                db.put_channel_settings(&current.without(&channel))?;
                db.delete_channel_token(&channel)?;
                db.forget_confirmations(&channel)?;
                if let Err(error) = self.fill_confirmations(&config) {
                    background_failure("merchant record: confirmation states", &error);
                }
                db.record_audit(&[AuditEntry {
                    at: now(),
                    actor,
                    field: format!("channels.{channel}"),
                    from: serde_json::to_string(&before)?,
                    to: "defaults".into(),
                }])?;
                reply(&true)
            }
            Command::ChannelStatus { itn } => {
                let config = self.config(merchant).await?;
                let snapshot = self.load(merchant, itn).await?;
                reply(&self.channel_status(&config, &snapshot)?)
            }
            Command::SupplyFields { itn, imei } => {
                let config = self.config(merchant).await?;
                self.load(merchant, itn).await?;
                let db = self.db()?;
                let snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
                let channel = snapshot.record.state()?.channel;
                let policy = db.channel_settings()?.policy_for(&channel);
                // Kept and planned in one go: a held confirmation goes out with it.
                self.supply_imei(&db, &policy, itn, imei)?;
                self.store_change(&db, &config, &snapshot)?;
                let snapshot = self.mirror(merchant, itn, TnChanges::default()).await?;
                reply(&self.channel_status(&config, &snapshot)?)
            }
            Command::CreateStaff { email, role, actor } => {
                self.config(merchant).await?;
                let view = self.create_staff(&email, role)?;
                self.db()?.record_audit(&[AuditEntry {
                    at: now(),
                    actor,
                    field: format!("staff.{}", view.email),
                    from: String::new(),
                    to: view.role.to_string(),
                }])?;
                reply(&view)
            }
            Command::ListStaff => {
                self.config(merchant).await?;
                reply(&self.db()?.staff()?)
            }
            Command::DeleteStaff { id, actor } => {
                if !self.delete_staff(&id)? {
                    return Err(EdgeError::NotFound("no staff member with this id"));
                }
                self.db()?.record_audit(&[AuditEntry {
                    at: now(),
                    actor,
                    field: format!("staff.{id}"),
                    from: "registered".into(),
                    to: "removed".into(),
                }])?;
                reply(&true)
            }
            Command::RequestLink { email, link_hash } => {
                let config = self.config(merchant).await?;
                reply(&self.request_link(&config.name, &email, &link_hash)?)
            }
            Command::MintLink { email, link_hash } => {
                self.config(merchant).await?;
                reply(&self.mint_link(&email, &link_hash)?)
            }
            Command::RedeemLink {
                link_hash,
                session_hash,
                csrf,
            } => {
                self.config(merchant).await?;
                reply(&self.redeem_link(&link_hash, &session_hash, &csrf)?)
            }
            Command::CheckSession { session_hash } => {
                let config = self.config(merchant).await?;
                reply(&self.check_session(merchant, &config.name, &session_hash)?)
            }
            Command::RevokeSession { session_hash } => {
                self.revoke_session(&session_hash)?;
                reply(&true)
            }
            Command::MarkDead { id } => {
                let db = self.db()?;
                if let Some(delivery) = db.delivery(&id)? {
                    if delivery.status() != outbox::DeliveryStatus::Delivered {
                        db.set_delivery_status(&id, outbox::DeliveryStatus::Dead)?;
                    }
                }
                reply(&true)
            }
            Command::FindShipments { query, csv } => {
                let query: ShipmentQuery = query
                    .parse()
                    .map_err(|e: shared::find::QueryError| EdgeError::Invalid(e.to_string()))?;
                // Shipments only in an earlier version's KV layout are found once carried over
                // (by their first touch); see ARCHITECTURE.md.
                let rows = self.db()?.find(&query)?;
                let page = page(rows, &query);
                if csv {
                    let lines: String = page
                        .shipments
                        .iter()
                        .map(|row| csv_row(query.columns(), row))
                        .collect();
                    reply(&CsvPage {
                        lines,
                        next_cursor: page.next_cursor.map(|c| c.to_string()),
                    })
                } else {
                    reply(&page)
                }
            }
        }
    }

    // ----- the merchant -----

    /// The merchant's configuration, carried over from KV the first time.
    async fn config(&self, merchant: &MerchantId) -> EdgeResult<MerchantConfig> {
        if let Some(config) = self.db()?.config()? {
            return Ok(config);
        }
        let legacy = Store::open(&self.env)?
            .merchant_uncached(merchant)
            .await?
            .ok_or(EdgeError::NotFound("no such merchant"))?;
        let db = self.db()?;
        match db.config()? {
            // Another request carried it over while this one waited.
            Some(config) => Ok(config),
            None => {
                db.put_config(&legacy)?;
                Ok(legacy)
            }
        }
    }

    async fn create_merchant(&self, config: MerchantConfig) -> EdgeResult<String> {
        let exists_in_kv = Store::open(&self.env)?
            .merchant_uncached(&config.id)
            .await?
            .is_some();
        let db = self.db()?;
        if exists_in_kv || db.config()?.is_some() {
            return Err(EdgeError::Conflict(
                "a merchant with this id already exists",
            ));
        }
        db.put_config(&config)?;
        self.mirror_config(&config, None).await?;
        reply(&config)
    }

    async fn rotate_key(&self, merchant: &MerchantId, key_hash: String) -> EdgeResult<String> {
        let mut config = self.config(merchant).await?;
        let old = std::mem::replace(&mut config.key_hash, key_hash);
        self.db()?.put_config(&config)?;
        self.mirror_config(&config, Some(&old)).await?;
        reply(&config)
    }

    async fn mirror_config(
        &self,
        config: &MerchantConfig,
        old_key: Option<&str>,
    ) -> EdgeResult<()> {
        let store = Store::open(&self.env)?;
        store.put_merchant(config, now()).await?;
        store.put_key_owner(&config.key_hash, &config.id).await?;
        if let Some(old) = old_key.filter(|old| *old != config.key_hash) {
            store.delete(&crate::keys::api_key(old)).await?;
        }
        Ok(())
    }

    // ----- shipments -----

    /// A shipment, carried over from an earlier version's KV layout the first time.
    async fn load(&self, merchant: &MerchantId, itn: Itn) -> EdgeResult<Snapshot> {
        if let Some(snapshot) = self.db()?.shipment(itn)? {
            return Ok(snapshot);
        }
        let store = Store::open(&self.env)?;
        let record = store.shipment(merchant, itn).await?.ok_or_else(not_found)?;
        let carrier = store.carrier(merchant, itn).await?;
        let config = self.config(merchant).await?;
        let snapshot = Snapshot { record, carrier };
        let db = self.db()?;
        if db.insert_shipment(&snapshot, &derive(&config, &snapshot)?)? {
            if let Some(tracking) = snapshot.record.state()?.tracking {
                db.set_tn(&tracking.tracking_number.key(), itn, "primary")?;
            }
        }
        db.shipment(itn)?.ok_or_else(not_found)
    }

    async fn create_shipment(
        &self,
        merchant: &MerchantId,
        new: NewShipment,
        idempotency: Option<String>,
    ) -> EdgeResult<String> {
        let config = self.config(merchant).await?;
        if config.checkpoints.is_empty() {
            return Err(EdgeError::Conflict(
                "set the merchant's default checkpoints before creating shipments",
            ));
        }
        // A key an earlier version remembered in KV still finds its shipment.
        if let Some(digest) = &idempotency {
            if self.db()?.idempotent(digest)?.is_none() {
                if let Some(itn) = Store::open(&self.env)?
                    .idempotent_itn(merchant, digest)
                    .await?
                {
                    if let Ok(snapshot) = self.load(merchant, itn).await {
                        self.db()?.remember_idempotent(digest, itn, now())?;
                        return reply(&Created {
                            snapshot,
                            new: false,
                        });
                    }
                }
            }
        }
        let random = random_bytes::<9>()?;
        let now = now();
        // From here to the insert nothing awaits: one creation per key, whatever the race.
        let db = self.db()?;
        if let Some(digest) = &idempotency {
            if let Some(itn) = db.idempotent(digest)? {
                let snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
                return reply(&Created {
                    snapshot,
                    new: false,
                });
            }
        }
        let itn = Itn::from_random(random);
        let snapshot = Snapshot {
            record: ShipmentRecord::new(
                merchant.clone(),
                itn,
                ShipmentEvent::Created {
                    at: now,
                    order_ref: new.order_ref.clone(),
                    fulfillment_ref: new.fulfillment_ref,
                    checkpoints: config.checkpoints.clone(),
                    channel: new.channel,
                },
            ),
            carrier: CarrierCaches::default(),
        };
        if !db.insert_shipment(&snapshot, &derive(&config, &snapshot)?)? {
            return Err(EdgeError::Internal("an ITN was issued twice".into()));
        }
        if let Some(digest) = &idempotency {
            db.remember_idempotent(digest, itn, now)?;
        }
        db.put_channel_record(
            itn,
            &channels::ChannelRecord {
                facts: new.facts,
                progress: Default::default(),
            },
        )?;
        // Find Orders shows where the confirmation stands from the start (acting waits for the
        // first change, as it always did).
        let state = self
            .channel_status(&config, &snapshot)?
            .state
            .confirmation();
        db.set_confirmation(itn, state)?;
        db.remember_order(&new.order_ref, &new.verifiers)?;
        let order = db.order_index(&new.order_ref)?;
        let snapshot = self.mirror(merchant, itn, TnChanges::default()).await?;
        if let Err(error) = Store::open(&self.env)?.put_order(merchant, &order).await {
            // The order's shoppers find it once a later write or the alarm mirrors it.
            background_failure("merchant record: mirroring an order", &error);
        }
        reply(&Created {
            snapshot,
            new: true,
        })
    }

    async fn attach(
        &self,
        merchant: &MerchantId,
        itn: Itn,
        role: TrackingRole,
        tracking_number: TrackingNumber,
        slug: Option<Slug>,
    ) -> EdgeResult<String> {
        let config = self.config(merchant).await?;
        self.load(merchant, itn).await?;
        let db = self.db()?;
        let mut snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
        let holder = db.tn_holder(&tracking_number.key())?;
        let plan = snapshot.record.state()?.plan_attach(
            role,
            tracking_number.clone(),
            slug,
            holder,
            now(),
        )?;
        let mut changes = TnChanges::default();
        if let AttachPlan::Attach { event, replaces } = plan {
            snapshot.record.events.push(event);
            if replaces.is_some() {
                // The corrected TN's carrier data is not this shipment's any more.
                snapshot.carrier.forget(role);
            }
            // A channel that locked the TN it was sent refuses a new one (409), before
            // anything is stored.
            self.check_channel_lock(&db, &config, &snapshot)?;
            changes = sync_index(&db, &config, &snapshot)?;
            self.store_change(&db, &config, &snapshot)?;
        }
        self.mirror(merchant, itn, changes).await?;
        // Register now. AfterShip failing never fails this call (202, retried later).
        let registered = self.register(merchant, itn, role).await?.unwrap_or(false);
        let snapshot = self.db()?.shipment(itn)?.ok_or_else(not_found)?;
        reply(&Attached {
            snapshot,
            registered,
        })
    }

    /// Claims an AfterShip call for one TN of a shipment; `None` when one is in flight.
    fn claim(&self, kind: char, itn: Itn, role: TrackingRole) -> Option<InFlight<'_>> {
        let key = (kind, itn, role);
        self.in_flight
            .borrow_mut()
            .insert(key)
            .then_some(InFlight { record: self, key })
    }

    /// Registers the shipment's pending TN of `role` with AfterShip and records the outcome
    /// on the shipment as it is *then* (events that arrived meanwhile are kept). Returns
    /// whether the TN is registered, `None` when the shipment has no TN in that role.
    async fn register(
        &self,
        merchant: &MerchantId,
        itn: Itn,
        role: TrackingRole,
    ) -> EdgeResult<Option<bool>> {
        let config = self.config(merchant).await?;
        let snapshot = self.db()?.shipment(itn)?.ok_or_else(not_found)?;
        let Some(tracking) = snapshot.record.state()?.tracking_of(role).cloned() else {
            return Ok(None);
        };
        if let Registration::Registered { .. } = tracking.registration {
            return Ok(Some(true));
        }
        let Some(_claim) = self.claim('r', itn, role) else {
            return Ok(Some(false));
        };
        let answer = AfterShip::new(&Config::from_env(&self.env))
            .register(
                &tracking.tracking_number,
                tracking.slug.as_ref(),
                merchant,
                itn,
            )
            .await
            .map_err(|failure| failure.error);
        let now = now();
        let db = self.db()?;
        let mut snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
        let state = snapshot.record.state()?;
        // Only if the shipment still waits for this TN's registration.
        let still_pending = state.tracking_of(role).is_some_and(|t| {
            t.tracking_number == tracking.tracking_number
                && matches!(t.registration, Registration::Pending { .. })
        });
        if !still_pending {
            return Ok(Some(state.registered_id_of(role).is_some()));
        }
        let registered = match registration_outcome(answer, merchant) {
            RegistrationOutcome::Registered {
                aftership_id,
                slug,
                tracking,
            } => {
                snapshot
                    .record
                    .events
                    .push(ShipmentEvent::CarrierRegistered {
                        aftership_id,
                        slug,
                        at: now,
                        role,
                    });
                *snapshot.carrier.of_mut(role) = CarrierCache::registered(*tracking);
                true
            }
            RegistrationOutcome::Deferred(reason) => {
                snapshot
                    .record
                    .events
                    .push(state.defer_registration(role, reason, now));
                false
            }
        };
        let changes = sync_index(&db, &config, &snapshot)?;
        self.store_change(&db, &config, &snapshot)?;
        self.mirror(merchant, itn, changes).await?;
        Ok(Some(registered))
    }

    /// Reads `role`'s tracking from AfterShip and applies the answer to its carrier cache as
    /// it is *then*: the newer carrier state wins whatever arrived meanwhile.
    async fn refresh(&self, merchant: &MerchantId, itn: Itn, role: TrackingRole) -> EdgeResult<()> {
        let config = self.config(merchant).await?;
        let snapshot = self.db()?.shipment(itn)?.ok_or_else(not_found)?;
        let Some(aftership_id) = snapshot
            .record
            .state()?
            .registered_id_of(role)
            .map(str::to_string)
        else {
            return Ok(());
        };
        let Some(_claim) = self.claim('f', itn, role) else {
            return Ok(());
        };
        let answer = AfterShip::new(&Config::from_env(&self.env))
            .get(&aftership_id)
            .await;
        let now = now();
        let db = self.db()?;
        let mut snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
        if snapshot.record.state()?.registered_id_of(role) != Some(aftership_id.as_str()) {
            return Ok(()); // the TN was corrected meanwhile
        }
        let cache = snapshot.carrier.of_mut(role);
        *cache = match answer {
            Ok(tracking) => cache.succeeded(Some(tracking), now),
            Err(failure) if failure.error == ApiError::NotFound => cache.succeeded(None, now),
            Err(failure) => cache.failed(&failure.error, failure.retry_after, now),
        };
        let changes = sync_index(&db, &config, &snapshot)?;
        self.store_change(&db, &config, &snapshot)?;
        self.mirror(merchant, itn, changes).await?;
        Ok(())
    }

    async fn apply_pushed(
        &self,
        merchant: &MerchantId,
        itn: Itn,
        tracking: CarrierTracking,
        event: Option<String>,
    ) -> EdgeResult<String> {
        let config = self.config(merchant).await?;
        self.load(merchant, itn).await?;
        let now = now();
        let db = self.db()?;
        let mut snapshot = db.shipment(itn)?.ok_or_else(not_found)?;
        let state = snapshot.record.state()?;
        // Which of the shipment's attached TNs the pushed tracking is, if any.
        let role = tracking
            .tracking_number
            .as_deref()
            .and_then(|tn| tn.parse::<TrackingNumber>().ok())
            .and_then(|tn| state.role_of(&tn));
        let Some(role) = role.filter(|role| {
            pushed_tracking_belongs_to(&tracking, merchant, itn, state.registered_id_of(*role))
        }) else {
            return reply(&Applied {
                applied: false,
                duplicate: false,
            });
        };
        if let Some(digest) = &event {
            if !db.first_sight_of_event(digest, now)? {
                return reply(&Applied {
                    applied: false,
                    duplicate: true,
                });
            }
        }
        let cache = snapshot.carrier.of_mut(role);
        *cache = cache.succeeded(Some(tracking), now);
        let changes = sync_index(&db, &config, &snapshot)?;
        self.store_change(&db, &config, &snapshot)?;
        self.mirror(merchant, itn, changes).await?;
        reply(&Applied {
            applied: true,
            duplicate: false,
        })
    }

    /// The scheduled refresh of this merchant's active shipments, least recently scheduled
    /// first, within this merchant's own call budget.
    async fn run_schedule(&self, merchant: &MerchantId) -> EdgeResult<usize> {
        let merchant_config = self.config(merchant).await?;
        let now = now();
        let db = self.db()?;
        let settings = db.settings(&merchant_config)?;
        // The merchant's own schedule (every N hours, or fixed local times) decides when
        // trackings are read; the cron and the alarm only ask. Pending registrations are
        // retried on every run (the run's spacing is their back-off).
        let (refresh_due, next) = match db.next_refresh_at()?.filter(|next| *next > now) {
            Some(next) => (false, next),
            None => {
                let next = next_refresh(&settings.refresh_schedule, settings.time_zone.tz(), now);
                db.set_next_refresh_at(next)?;
                (true, next)
            }
        };
        // Channels waiting on time (an IMEI deadline) are planned again first.
        if let Err(error) = self.recheck_channels(&merchant_config) {
            background_failure("merchant record: channel deadlines", &error);
        }
        if let Err(error) = self.send_digest(&merchant_config) {
            background_failure("merchant record: the daily digest", &error);
        }
        // Shipments from before the confirmation state was kept, or since a policy change.
        if let Err(error) = self.fill_confirmations(&merchant_config) {
            background_failure("merchant record: confirmation states", &error);
        }
        let calls = self.refresh_active(merchant, refresh_due).await?;
        self.flush_outbox(merchant).await?;
        let mut wake = match self.db()?.next_recheck()? {
            Some(recheck) => next.min(recheck),
            None => next,
        };
        let digest_wanted = self.db()?.recipients()?.iter().any(|r| {
            r.verified != 0
                && r.alerts()
                    .contains(&shared::alerts::AlertKind::ShippedDigest)
        });
        if digest_wanted {
            wake = wake.min(shared::alerts::next_digest_at(&settings, now));
        }
        self.arm(wake, now).await?;
        Ok(calls)
    }

    /// Sets the object's alarm for `at` (on the same clock as `now`).
    async fn arm(&self, at: Timestamp, now: Timestamp) -> EdgeResult<()> {
        let wait = (at.millis() - now.millis()).max(1_000) as u64;
        self.state
            .storage()
            .set_alarm(std::time::Duration::from_millis(wait))
            .await
            .map_err(|e| EdgeError::Storage(format!("alarm: {e}")))
    }

    /// Registers pending TNs and (when `refresh_due`) reads the trackings of this merchant's
    /// active shipments, least recently handled first, within the run's budget.
    async fn refresh_active(&self, merchant: &MerchantId, refresh_due: bool) -> EdgeResult<usize> {
        let config = Config::from_env(&self.env);
        let mut calls = 0;
        for itn in self.db()?.due_for_schedule(SCHEDULE_BUDGET * 4)? {
            if calls >= SCHEDULE_BUDGET {
                break;
            }
            let now = now();
            let db = self.db()?;
            let Some(snapshot) = db.shipment(itn)? else {
                continue;
            };
            let Ok(state) = snapshot.record.state() else {
                continue;
            };
            if state.trackings().next().is_none() || snapshot.carrier.is_finished(&state) {
                // Nothing left to follow: the derived columns say so, and it leaves the queue.
                let merchant_config = self.config(merchant).await?;
                self.store_change(&self.db()?, &merchant_config, &snapshot)?;
                continue;
            }
            // Time alone can make an event (a stall): look, even when nothing is read.
            let merchant_config = self.config(merchant).await?;
            self.emit(&self.db()?, &merchant_config, &snapshot)?;
            let mut marked = false;
            for (role, tracking) in state.trackings() {
                let empty = CarrierCache::default();
                let cache = snapshot.carrier.of(role).unwrap_or(&empty);
                let action = carrier_action(
                    Some(tracking),
                    cache,
                    now,
                    config.carrier_fresh_seconds,
                    Caller::Schedule,
                );
                let is_read = matches!(
                    action,
                    CarrierAction::FetchNow { .. } | CarrierAction::RefreshInBackground { .. }
                );
                if (is_read && !refresh_due)
                    || matches!(action, CarrierAction::Serve | CarrierAction::Retire)
                {
                    continue;
                }
                if !marked {
                    self.db()?.mark_scheduled(itn, now)?;
                    marked = true;
                }
                calls += 1;
                let outcome = if is_read {
                    self.refresh(merchant, itn, role).await
                } else {
                    self.register(merchant, itn, role).await.map(drop)
                };
                // One shipment failing never stops the run.
                if let Err(error) = outcome {
                    background_failure("scheduled refresh of a shipment", &error);
                }
            }
        }
        Ok(calls)
    }

    // ----- the KV mirror -----

    /// Writes what lookups read for one shipment into KV, from the record as it is now. The
    /// shipment is marked dirty first and clean after, so a failed mirror is retried by the
    /// alarm rather than leaving lookups stale.
    async fn mirror(
        &self,
        merchant: &MerchantId,
        itn: Itn,
        changes: TnChanges,
    ) -> EdgeResult<Snapshot> {
        let snapshot = self.db()?.shipment(itn)?.ok_or_else(not_found)?;
        if let Err(error) = self.write_kv(merchant, &snapshot, &changes).await {
            background_failure("merchant record: KV mirror", &error);
            self.db()?.mark_dirty(itn)?;
            self.state
                .storage()
                .set_alarm(std::time::Duration::from_millis(MIRROR_RETRY_MS))
                .await
                .map_err(|e| EdgeError::Storage(format!("alarm: {e}")))?;
        }
        // The change's deliveries go on the queue now (the alarm retries if this fails).
        if let Err(error) = self.flush_outbox(merchant).await {
            background_failure("merchant record: queueing deliveries", &error);
        }
        // A channel deadline the change set wakes the object in time.
        if let Err(error) = self.arm_recheck().await {
            background_failure("merchant record: arming a channel deadline", &error);
        }
        Ok(snapshot)
    }

    /// Moves the alarm earlier when a channel recheck is due before it.
    async fn arm_recheck(&self) -> EdgeResult<()> {
        let Some(recheck) = self.db()?.next_recheck()? else {
            return Ok(());
        };
        let storage = self.state.storage();
        let current = storage
            .get_alarm()
            .await
            .map_err(|e| EdgeError::Storage(format!("alarm: {e}")))?;
        let now = now();
        // The alarm runs on the real clock; `recheck` is on the edge's clock (the same outside
        // tests), so compare waits, not instants.
        let wait = (recheck.millis() - now.millis()).max(1_000);
        let real_now = worker::Date::now().as_millis() as i64;
        if current.is_none_or(|at| at > real_now + wait) {
            self.arm(recheck, now).await?;
        }
        Ok(())
    }

    /// Stores a changed shipment with the events the change emits (one transaction: nothing
    /// awaits between them).
    fn store_change(
        &self,
        db: &Db,
        config: &MerchantConfig,
        snapshot: &Snapshot,
    ) -> EdgeResult<()> {
        self.emit(db, config, snapshot)?;
        db.update_shipment(snapshot, &derive(config, snapshot)?)
    }

    async fn write_kv(
        &self,
        merchant: &MerchantId,
        snapshot: &Snapshot,
        changes: &TnChanges,
    ) -> EdgeResult<()> {
        let store = Store::open(&self.env)?;
        let itn = snapshot.record.itn;
        for removed in &changes.removed {
            store.unindex_tn(merchant, removed, itn).await?;
        }
        for added in &changes.added {
            store.index_tn(merchant, added, itn).await?;
        }
        store.put_shipment(&snapshot.record).await?;
        store.put_carrier(merchant, itn, &snapshot.carrier).await?;
        Ok(())
    }

    /// Mirrors every shipment whose last mirror failed (the alarm).
    async fn remirror(&self) -> EdgeResult<()> {
        let db = self.db()?;
        let Some(config) = db.config()? else {
            return Ok(());
        };
        for itn in db.dirty()? {
            let Some(snapshot) = self.db()?.shipment(itn)? else {
                continue;
            };
            let shipment = snapshot.record.state()?;
            let changes = TnChanges {
                added: stored_numbers(&shipment, &snapshot.carrier, config.tracking_number_display)
                    .into_iter()
                    .map(|n| n.number)
                    .collect(),
                removed: Vec::new(),
            };
            self.write_kv(&config.id, &snapshot, &changes).await?;
            self.db()?.mark_clean(itn)?;
        }
        Ok(())
    }
}

/// An AfterShip call in flight for one shipment; released when dropped.
struct InFlight<'a> {
    record: &'a MerchantRecord,
    key: (char, Itn, TrackingRole),
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.record.in_flight.borrow_mut().remove(&self.key);
    }
}
