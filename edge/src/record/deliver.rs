//! The record's side of outgoing webhooks: which events a change emits (once per shipment,
//! derived in `shared::events`), the deliveries they make for each endpoint, putting them on
//! the queue, and one signed attempt when the queue consumer asks.

use shared::aftership::CarrierTracking;
use shared::alerts::{
    alert_message, digest_due, digest_message, verification_message, AlertKind, DigestItem,
};
use shared::api::MerchantConfig;
use shared::calendar::local_date;
use shared::events::{derive_events, new_events, EventInput, EventKind, MerchantEvent, StallRule};
use shared::merge::{carrier_sides, number_for_channels, stored_numbers};
use shared::shipment::TrackingRole;
use shared::webhooks::{
    accepted, message_id, message_id_of, payload, retry_delay_seconds, secret_from_bytes, sign,
    wants, ShipmentSummary, MAX_ENDPOINTS,
};

use super::channels::PlanContext;
use super::db::Db;
use super::outbox::{
    DeliverOutcome, DeliveryStatus, DeliveryTask, RecipientView, StoredDelivery, StoredEndpoint,
    StoredRecipient,
};
use super::protocol::{EndpointCreated, Snapshot};
use super::MerchantRecord;
use crate::auth::{constant_time_eq, random_bytes, sha256_hex};
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::log::background_failure;
use crate::outgoing::{post_signed, send_mail};
use crate::sync::now;

/// The queue binding deliveries go through.
pub const QUEUE: &str = "DELIVERIES";
/// How many unsent deliveries one flush puts on the queue (the rest go on the next).
const FLUSH_BATCH: usize = 100;
/// How soon the object retries putting deliveries on the queue after that failed (ms).
const FLUSH_RETRY_MS: u64 = 30_000;

fn unknown_recipient() -> EdgeError {
    EdgeError::NotFound("no alert recipient with this id")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The daily digest's delivery kind, and what stands for its ITN (it has many).
pub const DIGEST_KIND: &str = "alerts.shipped_digest";
const DIGEST_ITN: &str = "digest";

/// The daily digest as stored in its delivery.
#[derive(serde::Serialize, serde::Deserialize)]
struct Digest {
    day: String,
    items: Vec<DigestItem>,
}

/// Alert recipients' ids start so; a delivery to one is an e-mail, not a POST.
const RECIPIENT_PREFIX: &str = "rcpt_";
/// How long a confirmation code may be used.
const CODE_SECONDS: i64 = 24 * 3600;

/// A new recipient and whether its confirmation e-mail went out.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RecipientCreated {
    #[serde(flatten)]
    pub recipient: RecipientView,
    pub verification_sent: bool,
}

impl MerchantRecord {
    /// Adds (or re-adds) a recipient and e-mails it a confirmation code; nothing else is sent
    /// to it before the code comes back.
    pub(super) async fn create_recipient(
        &self,
        config: &MerchantConfig,
        email: String,
        alerts: Vec<AlertKind>,
    ) -> EdgeResult<RecipientCreated> {
        let [a, b, c, d] = random_bytes::<4>()?;
        let code = format!("{:06}", u32::from_be_bytes([a, b, c, d]) % 1_000_000);
        let id = format!("{RECIPIENT_PREFIX}{}", hex(&random_bytes::<8>()?));
        let kinds: Vec<&str> = alerts.iter().map(|k| k.as_str()).collect();
        let now = now();
        let stored = self.db()?.put_recipient(&StoredRecipient {
            id: id.clone(),
            email: email.clone(),
            alerts: serde_json::to_string(&kinds)?,
            verified: 0,
            code_hash: Some(sha256_hex(format!("{id}|{code}").as_bytes())),
            code_expires: Some(now.plus_seconds(CODE_SECONDS).millis()),
            created_at: now.millis(),
        })?;
        // An address already listed keeps its id: hash the code against that one.
        if stored.id != id {
            self.db()?.put_recipient(&StoredRecipient {
                code_hash: Some(sha256_hex(format!("{}|{code}", stored.id).as_bytes())),
                ..stored.clone()
            })?;
        }
        let from = Config::from_env(&self.env).alert_from;
        let sent = send_mail(
            &self.env,
            &from,
            &email,
            &verification_message(&config.name, &code),
        )
        .await;
        if let Err(reason) = &sent {
            background_failure(
                "sending an alert confirmation",
                &EdgeError::Internal(reason.clone()),
            );
        }
        let recipient = self
            .db()?
            .recipient(&stored.id)?
            .ok_or_else(unknown_recipient)?;
        Ok(RecipientCreated {
            recipient: recipient.view(),
            verification_sent: sent.is_ok(),
        })
    }

    pub(super) fn verify_recipient(&self, id: &str, code: &str) -> EdgeResult<RecipientView> {
        let db = self.db()?;
        let recipient = db.recipient(id)?.ok_or_else(unknown_recipient)?;
        if recipient.verified == 0 {
            let presented = sha256_hex(format!("{id}|{}", code.trim()).as_bytes());
            let valid = recipient.code_expires.is_some_and(|t| t > now().millis())
                && recipient
                    .code_hash
                    .as_deref()
                    .is_some_and(|h| constant_time_eq(h.as_bytes(), presented.as_bytes()));
            if !valid {
                // Well-formed but not the proof of the address: refused like a wrong credential.
                return Err(EdgeError::NotPermitted(
                    "the confirmation code is wrong or has expired; add the address again for a new one",
                ));
            }
            db.mark_verified(id)?;
        }
        Ok(db.recipient(id)?.ok_or_else(unknown_recipient)?.view())
    }

    /// One attempt at an alert e-mail.
    async fn deliver_mail(&self, delivery: &StoredDelivery) -> EdgeResult<DeliverOutcome> {
        let config = Config::from_env(&self.env);
        let db = self.db()?;
        let recipient = db
            .recipient(&delivery.endpoint_id)?
            .filter(|r| r.verified != 0);
        let merchant = db.config()?;
        let (Some(recipient), Some(merchant)) = (recipient, merchant) else {
            db.record_attempt(
                &delivery.id,
                delivery.attempts,
                DeliveryStatus::Dead,
                None,
                Some("recipient removed"),
                now(),
            )?;
            return Ok(DeliverOutcome {
                done: true,
                retry_in: None,
            });
        };
        let message = if delivery.kind == DIGEST_KIND {
            let digest = serde_json::from_str::<Digest>(&delivery.payload)
                .map_err(|_| EdgeError::Internal("a stored digest is unreadable".into()))?;
            digest_message(&merchant.name, &digest.day, &digest.items)
        } else {
            self.alert_of(delivery, &merchant.name)?
        };
        let sent = send_mail(&self.env, &config.alert_from, &recipient.email, &message).await;
        let attempts = delivery.attempts + 1;
        let db = self.db()?;
        match sent {
            Ok(()) => {
                db.record_attempt(
                    &delivery.id,
                    attempts,
                    DeliveryStatus::Delivered,
                    None,
                    None,
                    now(),
                )?;
                Ok(DeliverOutcome {
                    done: true,
                    retry_in: None,
                })
            }
            Err(reason) => {
                let retry_in =
                    retry_delay_seconds(attempts as u32, config.webhook_retry_base_seconds);
                let state = if retry_in.is_some() {
                    DeliveryStatus::Retrying
                } else {
                    DeliveryStatus::Dead
                };
                db.record_attempt(&delivery.id, attempts, state, None, Some(&reason), now())?;
                Ok(DeliverOutcome {
                    done: false,
                    retry_in,
                })
            }
        }
    }

    /// The alert e-mail of one event delivery.
    fn alert_of(
        &self,
        delivery: &StoredDelivery,
        merchant_name: &str,
    ) -> EdgeResult<shared::alerts::Message> {
        #[derive(serde::Deserialize)]
        struct Body {
            data: ShipmentSummary,
        }
        let summary = serde_json::from_str::<Body>(&delivery.payload)
            .map_err(|_| EdgeError::Internal("a stored delivery is unreadable".into()))?
            .data;
        let kind = delivery
            .kind
            .parse::<EventKind>()
            .ok()
            .and_then(AlertKind::of)
            .ok_or_else(|| EdgeError::Internal("a stored alert has no alert kind".into()))?;
        Ok(alert_message(kind, merchant_name, &summary))
    }

    /// Sends the daily digest of shipped orders when a close of business has passed since
    /// the last one: one e-mail per verified recipient who chose it, listing every order
    /// picked up since (none: nothing is sent). The items leave the list in the same
    /// transaction as the deliveries are made, so each order is in exactly one digest.
    pub(super) fn send_digest(&self, config: &MerchantConfig) -> EdgeResult<()> {
        let db = self.db()?;
        let settings = db.settings(config)?;
        let sent_through = db.digest_sent_through()?;
        let Some(close) = digest_due(&settings, sent_through, now()) else {
            return Ok(());
        };
        let items = db.digest_items()?;
        if !items.is_empty() {
            let day = local_date(settings.time_zone.tz(), close).to_string();
            let body = serde_json::to_string(&Digest { day, items })?;
            let recipients = db
                .recipients()?
                .into_iter()
                .filter(|r| r.verified != 0 && r.alerts().contains(&AlertKind::ShippedDigest));
            for recipient in recipients {
                let id = message_id_of(&format!("digest/{}", close.millis()), &recipient.id);
                db.insert_delivery_of(&id, &recipient.id, DIGEST_ITN, DIGEST_KIND, &body, now())?;
            }
            db.clear_digest_items()?;
        }
        db.set_digest_sent_through(close)
    }

    pub(super) fn create_endpoint(
        &self,
        url: String,
        events: Vec<EventKind>,
        description: Option<String>,
    ) -> EdgeResult<EndpointCreated> {
        let id = format!("ep_{}", hex(&random_bytes::<8>()?));
        let secret = secret_from_bytes(&random_bytes::<32>()?);
        let db = self.db()?;
        if db.endpoints()?.len() >= MAX_ENDPOINTS {
            return Err(EdgeError::Conflict(
                "a merchant may register at most 20 webhook endpoints",
            ));
        }
        let kinds: Vec<&str> = events.iter().map(|k| k.as_str()).collect();
        let stored = StoredEndpoint {
            id,
            url,
            secret: secret.clone(),
            events: serde_json::to_string(&kinds)?,
            description,
            created_at: now().millis(),
        };
        db.insert_endpoint(&stored)?;
        Ok(EndpointCreated {
            endpoint: stored.view(),
            secret,
        })
    }

    /// Records the events `snapshot` (as it is about to be stored) newly shows, and a delivery
    /// of each to every endpoint that wants it. Synchronous: part of the same transaction as
    /// the change, so an event is emitted exactly once whatever races with it.
    pub(super) fn emit(
        &self,
        db: &Db,
        config: &MerchantConfig,
        snapshot: &Snapshot,
    ) -> EdgeResult<usize> {
        let now = now();
        let shipment = snapshot.record.state()?;
        let settings = db.settings(config)?;
        let derived = self.events_of(db, config, snapshot, now)?;
        let endpoints = db.endpoints()?;
        let base = Config::from_env(&self.env)
            .public_base_url
            .unwrap_or_default();
        let display = config.tracking_number_display;
        let numbers = stored_numbers(&shipment, &snapshot.carrier, display);
        let summary = ShipmentSummary {
            merchant: config.id.to_string(),
            itn: shipment.itn.to_string(),
            order_ref: shipment.order_ref.clone(),
            channel: shipment.channel.to_string(),
            tracking_number: number_for_channels(&shipment, &snapshot.carrier, display)
                .map(|n| n.number.to_string()),
            tracking_numbers: numbers.iter().map(|n| n.number.to_string()).collect(),
            carrier: numbers.first().and_then(|n| n.slug.clone()),
            tracking_url: format!("{base}/t/{}/{}", config.id, shipment.itn),
        };
        let recipients: Vec<_> = db
            .recipients()?
            .into_iter()
            .filter(|r| r.verified != 0)
            .collect();
        let fresh = new_events(&db.emitted_kinds(shipment.itn)?, derived.clone());
        let mut deliveries = 0;
        for event in fresh {
            if !db.record_emitted(shipment.itn, &event)? {
                continue;
            }
            let body = payload(&event, &summary);
            // The daily digest collects shipped orders for whoever chose it.
            if event.kind == EventKind::PickedUp
                && recipients
                    .iter()
                    .any(|r| r.alerts().contains(&AlertKind::ShippedDigest))
            {
                db.add_digest_item(&DigestItem {
                    order_ref: summary.order_ref.clone(),
                    itn: summary.itn.clone(),
                    tracking_number: summary.tracking_number.clone(),
                    tracking_url: summary.tracking_url.clone(),
                    shipped_at: event.at,
                })?;
            }
            // E-mail alerts ride the same outbox: one delivery per verified recipient.
            if let Some(alert) = AlertKind::of(event.kind) {
                for recipient in recipients.iter().filter(|r| r.alerts().contains(&alert)) {
                    let id = message_id(&event, &recipient.id);
                    if db.insert_delivery(
                        &id,
                        &recipient.id,
                        shipment.itn,
                        event.kind.as_str(),
                        &body,
                        now,
                    )? {
                        deliveries += 1;
                    }
                }
            }
            for endpoint in &endpoints {
                if !wants(&endpoint.filter(), event.kind) {
                    continue;
                }
                let id = message_id(&event, &endpoint.id);
                if db.insert_delivery(
                    &id,
                    &endpoint.id,
                    shipment.itn,
                    event.kind.as_str(),
                    &body,
                    now,
                )? {
                    deliveries += 1;
                }
            }
        }
        // The shipment's sales channel: confirmations, Shopify calls, held fields.
        self.plan_channel(
            db,
            &shipment,
            snapshot,
            &derived,
            &PlanContext {
                config,
                settings: &settings,
                summary: &summary,
                endpoints: &endpoints,
                recipients: &recipients,
                now,
            },
        )?;
        Ok(deliveries)
    }

    /// Every merchant event the shipment shows now, emitted or not.
    pub(super) fn events_of(
        &self,
        db: &Db,
        config: &MerchantConfig,
        snapshot: &Snapshot,
        now: shared::Timestamp,
    ) -> EdgeResult<Vec<MerchantEvent>> {
        let shipment = snapshot.record.state()?;
        let carriers = carrier_sides(&shipment, &snapshot.carrier);
        let trackings: Vec<&CarrierTracking> = TrackingRole::ALL
            .into_iter()
            .filter_map(|role| carriers.tracking(role))
            .collect();
        let settings = db.settings(config)?;
        Ok(derive_events(&EventInput {
            itn: shipment.itn,
            history: &snapshot.record.events,
            trackings: &trackings,
            settings: &settings,
            stall: StallRule::default(),
            now,
        }))
    }

    /// Puts unsent deliveries on the queue. They are marked queued before the send (so two
    /// flushes never send one twice) and back to unsent if the send fails; the alarm retries.
    pub(super) async fn flush_outbox(&self, merchant: &shared::MerchantId) -> EdgeResult<()> {
        let db = self.db()?;
        let ids = db.unsent_deliveries(FLUSH_BATCH)?;
        if ids.is_empty() {
            return Ok(());
        }
        for id in &ids {
            db.set_delivery_status(id, DeliveryStatus::Queued)?;
        }
        let tasks: Vec<DeliveryTask> = ids
            .iter()
            .map(|id| DeliveryTask {
                merchant: merchant.clone(),
                id: id.clone(),
            })
            .collect();
        let sent = async {
            self.env.queue(QUEUE)?.send_batch(tasks).await?;
            Ok::<(), worker::Error>(())
        }
        .await
        .map_err(EdgeError::from);
        if let Err(error) = sent {
            background_failure("putting webhook deliveries on the queue", &error);
            let db = self.db()?;
            for id in &ids {
                db.set_delivery_status(id, DeliveryStatus::Unsent)?;
            }
            self.state
                .storage()
                .set_alarm(std::time::Duration::from_millis(FLUSH_RETRY_MS))
                .await
                .map_err(|e| EdgeError::Storage(format!("alarm: {e}")))?;
        }
        Ok(())
    }

    /// One signed attempt at a delivery. The signature's timestamp is the real time (never
    /// the test clock): receivers check it against their own clock.
    pub(super) async fn deliver(&self, id: &str) -> EdgeResult<DeliverOutcome> {
        const DONE: DeliverOutcome = DeliverOutcome {
            done: true,
            retry_in: None,
        };
        let config = Config::from_env(&self.env);
        let db = self.db()?;
        let Some(delivery) = db.delivery(id)? else {
            return Ok(DONE);
        };
        if matches!(
            delivery.status(),
            DeliveryStatus::Delivered | DeliveryStatus::Dead
        ) {
            return Ok(DONE);
        }
        if delivery.endpoint_id.starts_with(RECIPIENT_PREFIX) {
            return self.deliver_mail(&delivery).await;
        }
        if delivery.endpoint_id.starts_with("shopify:") {
            return self.deliver_shopify(&delivery).await;
        }
        let Some(endpoint) = db.endpoint(&delivery.endpoint_id)? else {
            db.record_attempt(
                id,
                delivery.attempts,
                DeliveryStatus::Dead,
                None,
                Some("endpoint removed"),
                now(),
            )?;
            return Ok(DONE);
        };
        if !self.delivering.borrow_mut().insert(id.to_string()) {
            // Another attempt is under way; the queue asks again shortly.
            return Ok(DeliverOutcome {
                done: false,
                retry_in: Some(config.webhook_retry_base_seconds),
            });
        }
        let timestamp = (worker::Date::now().as_millis() / 1000) as i64;
        let signature = sign(&endpoint.secret, id, timestamp, &delivery.payload)
            .ok_or_else(|| EdgeError::Internal("an endpoint secret is unreadable".into()))?;
        let answer = post_signed(&endpoint.url, id, timestamp, &signature, &delivery.payload).await;
        self.delivering.borrow_mut().remove(id);

        let attempts = delivery.attempts + 1;
        let db = self.db()?;
        match answer {
            Ok(status) if accepted(status) => {
                db.record_attempt(
                    id,
                    attempts,
                    DeliveryStatus::Delivered,
                    Some(status),
                    None,
                    now(),
                )?;
                Ok(DONE)
            }
            failed => {
                let (status, error) = match &failed {
                    Ok(status) => (Some(*status), None),
                    Err(error) => (None, Some(error.as_str())),
                };
                let retry_in =
                    retry_delay_seconds(attempts as u32, config.webhook_retry_base_seconds);
                let state = if retry_in.is_some() {
                    DeliveryStatus::Retrying
                } else {
                    DeliveryStatus::Dead
                };
                db.record_attempt(id, attempts, state, status, error, now())?;
                Ok(DeliverOutcome {
                    done: false,
                    retry_in,
                })
            }
        }
    }
}
