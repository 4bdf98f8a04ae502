//! The record's side of sales channels: the merchant's policies and store tokens, each
//! shipment's order facts and confirmation progress, the plan (`shared::channels::plan`)
//! carried out inside every change, and the Shopify calls the queue makes one attempt at a time.
//!
//! Exactly once: a plan's progress is stored in the same transaction as the change that made
//! it, with its notices and calls as outbox deliveries whose ids derive from stable keys. A
//! replayed history plans nothing new; a delivery retried is the same delivery.

use serde::Deserialize;
use shared::alerts::AlertKind;
use shared::api::MerchantConfig;
use shared::channels::{
    check_attach, notice_payload, plan, ChannelNotice, ChannelPolicy, ChannelProgress,
    ChannelSettings, ChannelStatusView, Confirmation, Imei, OrderFacts, PlanInput, ShopifyTask,
};
use shared::events::MerchantEvent;
use shared::merge::{number_for_channels, stored_numbers};
use shared::order::Channel;
use shared::settings::MerchantSettings;
use shared::shipment::Shipment;
use shared::shopify::{
    graphql_path, read_reply, tracking_url, wait_seconds, Outcome, QueryCost, Retry, ShopDomain,
    ShopifyToken, MUTATION_COST,
};
use shared::webhooks::{message_id_of, retry_delay_seconds, ShipmentSummary};
use shared::{Itn, Timestamp};

use super::db::Db;
use super::outbox::{
    DeliverOutcome, DeliveryStatus, StoredDelivery, StoredEndpoint, StoredRecipient,
};
use super::protocol::Snapshot;
use super::MerchantRecord;
use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::log::background_failure;
use crate::outgoing::post_graphql;
use crate::sync::now;

/// How many shipments one recheck (the alarm, the schedule) re-plans.
const RECHECK_BATCH: usize = 200;
/// Confirmation states filled in per call (each is one plan, without acting).
const CONFIRMATION_BATCH: usize = 200;

#[derive(Deserialize)]
struct ChannelRow {
    facts: String,
    progress: String,
}

#[derive(Deserialize)]
struct ItnRow {
    itn: String,
}

#[derive(Deserialize)]
struct AtRow {
    at: Option<i64>,
}

#[derive(Deserialize)]
struct TokenRow {
    token: String,
}

#[derive(Deserialize)]
struct ChannelName {
    channel: String,
}

fn unreadable(what: &str) -> EdgeError {
    EdgeError::Internal(format!(
        "a stored {what} in the merchant record is unreadable"
    ))
}

/// A shipment's channel facts and progress as stored.
pub struct ChannelRecord {
    pub facts: OrderFacts,
    pub progress: ChannelProgress,
}

/// The last throttle state a store reported, for the next call's wait.
#[derive(serde::Serialize, Deserialize)]
struct Throttle {
    cost: QueryCost,
    observed_at: Timestamp,
}

impl Db {
    /// The merchant's channel policies (channels not listed have their kind's defaults).
    pub fn channel_settings(&self) -> EdgeResult<ChannelSettings> {
        match self.meta("channels")? {
            None => Ok(ChannelSettings::default()),
            Some(text) => serde_json::from_str(&text).map_err(|_| unreadable("channel policy")),
        }
    }

    pub fn put_channel_settings(&self, settings: &ChannelSettings) -> EdgeResult<()> {
        self.set_meta("channels", &serde_json::to_string(settings)?)
    }

    pub fn channel_record(&self, itn: Itn) -> EdgeResult<ChannelRecord> {
        let row = self
            .rows::<ChannelRow>(
                "SELECT facts, progress FROM shipment_channels WHERE itn = ?",
                vec![itn.to_string().into()],
            )?
            .into_iter()
            .next();
        match row {
            // Shipments from before channels have no facts: the defaults.
            None => Ok(ChannelRecord {
                facts: OrderFacts::default(),
                progress: ChannelProgress::default(),
            }),
            Some(row) => Ok(ChannelRecord {
                facts: serde_json::from_str(&row.facts).map_err(|_| unreadable("order facts"))?,
                progress: serde_json::from_str(&row.progress)
                    .map_err(|_| unreadable("channel progress"))?,
            }),
        }
    }

    /// Stores a shipment's facts and progress (its recheck is kept).
    pub fn put_channel_record(&self, itn: Itn, record: &ChannelRecord) -> EdgeResult<()> {
        self.exec(
            "INSERT INTO shipment_channels (itn, facts, progress) VALUES (?, ?, ?)
             ON CONFLICT (itn) DO UPDATE SET facts = excluded.facts, progress = excluded.progress",
            vec![
                itn.to_string().into(),
                serde_json::to_string(&record.facts)?.into(),
                serde_json::to_string(&record.progress)?.into(),
            ],
        )?;
        Ok(())
    }

    /// Shipments without a stored confirmation state, oldest first.
    pub fn missing_confirmations(&self, limit: usize) -> EdgeResult<Vec<Itn>> {
        Ok(self
            .rows::<ItnRow>(
                "SELECT itn FROM shipments WHERE confirmation IS NULL ORDER BY seq LIMIT ?",
                vec![(limit as i64).into()],
            )?
            .into_iter()
            .filter_map(|row| row.itn.parse().ok())
            .collect())
    }

    /// A channel's policy changed: its shipments' states are computed again
    /// ([`Db::missing_confirmations`]). Confirmed and conflicting ones stay: a policy does not
    /// undo what was sent.
    pub fn forget_confirmations(&self, channel: &Channel) -> EdgeResult<()> {
        self.exec(
            "UPDATE shipments SET confirmation = NULL
             WHERE channel = ? AND (confirmation IS NULL OR confirmation NOT IN ('confirmed', 'conflict'))",
            vec![channel.to_string().into()],
        )?;
        Ok(())
    }

    /// The confirmation state Find Orders shows and filters on, as of this plan.
    pub fn set_confirmation(&self, itn: Itn, state: Confirmation) -> EdgeResult<()> {
        self.exec(
            "UPDATE shipments SET confirmation = ? WHERE itn = ?",
            vec![state.as_str().into(), itn.compact().into()],
        )?;
        Ok(())
    }

    /// When the shipment's channel must be planned again though nothing changes.
    pub fn set_recheck(&self, itn: Itn, at: Option<Timestamp>) -> EdgeResult<()> {
        self.exec(
            "UPDATE shipment_channels SET recheck_at = ? WHERE itn = ?",
            vec![at.map(|t| t.millis()).into(), itn.to_string().into()],
        )?;
        Ok(())
    }

    /// Shipments whose channel must be planned again by `now` (a deadline passed).
    pub fn due_rechecks(&self, now: Timestamp) -> EdgeResult<Vec<Itn>> {
        Ok(self
            .rows::<ItnRow>(
                "SELECT itn FROM shipment_channels WHERE recheck_at IS NOT NULL AND recheck_at <= ?
                 ORDER BY recheck_at LIMIT ?",
                vec![now.millis().into(), (RECHECK_BATCH as i64).into()],
            )?
            .into_iter()
            .filter_map(|row| row.itn.parse().ok())
            .collect())
    }

    /// The earliest pending recheck.
    pub fn next_recheck(&self) -> EdgeResult<Option<Timestamp>> {
        Ok(self
            .rows::<AtRow>(
                "SELECT MIN(recheck_at) AS at FROM shipment_channels WHERE recheck_at IS NOT NULL",
                vec![],
            )?
            .first()
            .and_then(|row| row.at)
            .map(Timestamp))
    }

    pub fn channel_token(&self, channel: &Channel) -> EdgeResult<Option<ShopifyToken>> {
        Ok(self
            .rows::<TokenRow>(
                "SELECT token FROM channel_tokens WHERE channel = ?",
                vec![channel.to_string().into()],
            )?
            .into_iter()
            .next()
            .and_then(|row| row.token.parse().ok()))
    }

    pub fn put_channel_token(
        &self,
        channel: &Channel,
        token: &ShopifyToken,
        now: Timestamp,
    ) -> EdgeResult<()> {
        self.exec(
            "INSERT INTO channel_tokens (channel, token, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (channel) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at",
            vec![
                channel.to_string().into(),
                token.expose().into(),
                now.millis().into(),
            ],
        )?;
        Ok(())
    }

    pub fn delete_channel_token(&self, channel: &Channel) -> EdgeResult<()> {
        self.exec(
            "DELETE FROM channel_tokens WHERE channel = ?",
            vec![channel.to_string().into()],
        )?;
        Ok(())
    }

    /// The channels with a store token.
    pub fn connected_channels(&self) -> EdgeResult<Vec<String>> {
        Ok(self
            .rows::<ChannelName>("SELECT channel FROM channel_tokens", vec![])?
            .into_iter()
            .map(|row| row.channel)
            .collect())
    }

    fn throttle(&self, shop: &str) -> Option<Throttle> {
        let text = self.meta(&format!("shopify_throttle:{shop}")).ok()??;
        serde_json::from_str(&text).ok()
    }

    fn put_throttle(&self, shop: &str, throttle: &Throttle) -> EdgeResult<()> {
        self.set_meta(
            &format!("shopify_throttle:{shop}"),
            &serde_json::to_string(throttle)?,
        )
    }
}

/// What a change's plan needs besides the shipment: gathered once by `emit`.
pub struct PlanContext<'a> {
    pub config: &'a MerchantConfig,
    pub settings: &'a MerchantSettings,
    pub summary: &'a ShipmentSummary,
    pub endpoints: &'a [StoredEndpoint],
    pub recipients: &'a [StoredRecipient],
    pub now: Timestamp,
}

fn relayed_conflict(message: String) -> EdgeError {
    EdgeError::Relayed {
        status: 409,
        code: "conflict",
        message,
    }
}

impl MerchantRecord {
    /// Plans the shipment's channel and stores the plan: its progress, and its notices and
    /// Shopify calls as deliveries. Synchronous: part of the change's transaction.
    pub(super) fn plan_channel(
        &self,
        db: &Db,
        shipment: &Shipment,
        snapshot: &Snapshot,
        events: &[MerchantEvent],
        context: &PlanContext<'_>,
    ) -> EdgeResult<()> {
        let itn = shipment.itn;
        let policy = db.channel_settings()?.policy_for(&shipment.channel);
        let mut record = db.channel_record(itn)?;
        let number = number_for_channels(
            shipment,
            &snapshot.carrier,
            context.config.tracking_number_display,
        );
        let planned = plan(&PlanInput {
            itn,
            policy: &policy,
            facts: &record.facts,
            progress: &record.progress,
            events,
            tracking_number: number.as_ref().map(|n| &n.number),
            carrier: number.as_ref().and_then(|n| n.slug.as_deref()),
            settings: context.settings,
            now: context.now,
        });
        for notice in &planned.notices {
            let key = notice.key(itn);
            let body = notice_payload(notice, context.now, context.summary);
            let kind = notice.kind();
            for endpoint in context.endpoints {
                // Channel notices go only to endpoints that name them: an endpoint without a
                // filter gets the shipment events it always got.
                if endpoint.filter().contains(&kind) {
                    let id = message_id_of(&key, &endpoint.id);
                    db.insert_delivery(&id, &endpoint.id, itn, kind.as_str(), &body, context.now)?;
                }
            }
            if matches!(notice, ChannelNotice::DeadlineMissed { .. }) {
                let alerted = context
                    .recipients
                    .iter()
                    .filter(|r| r.alerts().contains(&AlertKind::DeadlineMissed));
                for recipient in alerted {
                    let id = message_id_of(&key, &recipient.id);
                    db.insert_delivery(&id, &recipient.id, itn, kind.as_str(), &body, context.now)?;
                }
            }
        }
        let destination = policy.channel().to_string();
        for task in &planned.shopify {
            let id = message_id_of(&task.key(itn), &destination);
            let body = serde_json::to_string(task)?;
            db.insert_delivery(&id, &destination, itn, task.label(), &body, context.now)?;
        }
        record.progress = planned.progress;
        db.put_channel_record(itn, &record)?;
        db.set_confirmation(itn, planned.state.confirmation())?;
        db.set_recheck(itn, planned.recheck_at)
    }

    /// Refuses a TN change a locking channel would not accept (409): `planned` is the
    /// shipment as it would be after the change.
    pub(super) fn check_channel_lock(
        &self,
        db: &Db,
        config: &MerchantConfig,
        planned: &Snapshot,
    ) -> EdgeResult<()> {
        let shipment = planned.record.state()?;
        let policy = db.channel_settings()?.policy_for(&shipment.channel);
        let record = db.channel_record(shipment.itn)?;
        let next = number_for_channels(&shipment, &planned.carrier, config.tracking_number_display);
        check_attach(
            &policy,
            record.progress.confirmed.as_ref(),
            next.as_ref().map(|n| &n.number),
        )
        .map_err(|locked| relayed_conflict(locked.to_string()))
    }

    /// Stores the confirmation state of shipments that have none (from before it was kept, or
    /// since their channel's policy changed), as the rules say now, without acting: a batch
    /// per call, so a large merchant catches up over a few scheduled runs.
    pub(super) fn fill_confirmations(&self, config: &MerchantConfig) -> EdgeResult<usize> {
        let db = self.db()?;
        let missing = db.missing_confirmations(CONFIRMATION_BATCH)?;
        for itn in &missing {
            let Some(snapshot) = db.shipment(*itn)? else {
                continue;
            };
            match self.channel_status(config, &snapshot) {
                Ok(status) => db.set_confirmation(*itn, status.state.confirmation())?,
                Err(error) => background_failure("merchant record: a confirmation state", &error),
            }
        }
        Ok(missing.len())
    }

    /// The shipment's channel as it stands now.
    pub(super) fn channel_status(
        &self,
        config: &MerchantConfig,
        snapshot: &Snapshot,
    ) -> EdgeResult<ChannelStatusView> {
        let db = self.db()?;
        let shipment = snapshot.record.state()?;
        let policy = db.channel_settings()?.policy_for(&shipment.channel);
        let record = db.channel_record(shipment.itn)?;
        let settings = db.settings(config)?;
        let events = self.events_of(&db, config, snapshot, now())?;
        let number =
            number_for_channels(&shipment, &snapshot.carrier, config.tracking_number_display);
        // The state by the rules as of now, without acting (a deadline passed since the last
        // change shows as missed at once).
        let state = plan(&PlanInput {
            itn: shipment.itn,
            policy: &policy,
            facts: &record.facts,
            progress: &record.progress,
            events: &events,
            tracking_number: number.as_ref().map(|n| &n.number),
            carrier: number.as_ref().and_then(|n| n.slug.as_deref()),
            settings: &settings,
            now: now(),
        })
        .state;
        Ok(ChannelStatusView::of(
            &policy,
            &record.facts,
            &record.progress,
            state,
        ))
    }

    /// Keeps the IMEI a channel needs; the change re-plans at once (the held confirmation goes).
    pub(super) fn supply_imei(
        &self,
        db: &Db,
        policy: &ChannelPolicy,
        itn: Itn,
        imei: Imei,
    ) -> EdgeResult<()> {
        let mut record = db.channel_record(itn)?;
        record
            .progress
            .supply_imei(policy, &record.facts, imei, now())
            .map_err(|e| relayed_conflict(e.to_string()))?;
        db.put_channel_record(itn, &record)
    }

    /// Re-plans every shipment whose channel waits on time (a deadline, an opening).
    pub(super) fn recheck_channels(&self, config: &MerchantConfig) -> EdgeResult<usize> {
        let db = self.db()?;
        let due = db.due_rechecks(now())?;
        for itn in &due {
            if let Some(snapshot) = db.shipment(*itn)? {
                self.store_change(&db, config, &snapshot)?;
            }
        }
        Ok(due.len())
    }

    /// One attempt at a Shopify call.
    pub(super) async fn deliver_shopify(
        &self,
        delivery: &StoredDelivery,
    ) -> EdgeResult<DeliverOutcome> {
        let config = Config::from_env(&self.env);
        let db = self.db()?;
        let dead = |reason: &str| -> EdgeResult<DeliverOutcome> {
            db.record_attempt(
                &delivery.id,
                delivery.attempts + 1,
                DeliveryStatus::Dead,
                None,
                Some(reason),
                now(),
            )?;
            Ok(DeliverOutcome {
                done: true,
                retry_in: None,
            })
        };
        let retry = |reason: &str, status: Option<u16>, after: Option<u32>| {
            let attempts = delivery.attempts + 1;
            let backoff = retry_delay_seconds(attempts as u32, config.webhook_retry_base_seconds);
            let retry_in = match (after, backoff) {
                (Some(after), Some(_)) => Some(after.max(1)),
                (_, backoff) => backoff,
            };
            let state = if retry_in.is_some() {
                DeliveryStatus::Retrying
            } else {
                DeliveryStatus::Dead
            };
            db.record_attempt(&delivery.id, attempts, state, status, Some(reason), now())?;
            Ok::<_, EdgeError>(DeliverOutcome {
                done: false,
                retry_in,
            })
        };
        let (Ok(channel), Ok(task), Ok(itn)) = (
            delivery.endpoint_id.parse::<Channel>(),
            serde_json::from_str::<ShopifyTask>(&delivery.payload),
            delivery.itn.parse::<Itn>(),
        ) else {
            return dead("the stored call is unreadable");
        };
        let Ok(shop) = ShopDomain::of_channel(&channel) else {
            return dead("the channel is not a Shopify store");
        };
        let record = db.channel_record(itn)?;
        let Some(order) = record.facts.shopify.as_ref() else {
            return dead("the shipment names no Shopify order");
        };
        let Some(token) = db.channel_token(&channel)? else {
            return retry(
                "the store is not connected: set its access token (PUT /v1/merchants/{id}/channels/{channel})",
                None,
                None,
            );
        };
        // Shopify's bucket, as its last answer left it: wait rather than be throttled.
        let real_now = Timestamp(worker::Date::now().as_millis() as i64);
        if let Some(throttle) = db.throttle(shop.as_str()) {
            let wait = wait_seconds(
                &throttle.cost.throttle,
                throttle.observed_at,
                real_now,
                MUTATION_COST,
            );
            if wait > 0.0 {
                return Ok(DeliverOutcome {
                    done: false,
                    retry_in: Some(wait.ceil() as u32),
                });
            }
        }
        let base = config.public_base_url.clone().unwrap_or_default();
        let Some(merchant) = db.config()? else {
            return dead("the merchant is gone");
        };
        let link = tracking_url(&base, &merchant.id, itn).ok();
        // The carrier AfterShip detected since the plan, when the TN came without one.
        let slug = match (task.tracking_number(), db.shipment(itn)?) {
            (Some(number), Some(snapshot)) => {
                let shipment = snapshot.record.state()?;
                stored_numbers(
                    &shipment,
                    &snapshot.carrier,
                    merchant.tracking_number_display,
                )
                .into_iter()
                .find(|n| n.number == *number)
                .and_then(|n| n.slug)
            }
            _ => None,
        };
        let task = task.with_carrier(slug.as_deref());
        let request =
            match task.request(order, record.progress.fulfillment.as_ref(), link.as_deref()) {
                Ok(Some(request)) => request,
                Ok(None) => return retry("waiting for the fulfilment to be created", None, None),
                Err(error) => return dead(&error.to_string()),
            };
        if !self.delivering.borrow_mut().insert(delivery.id.clone()) {
            return Ok(DeliverOutcome {
                done: false,
                retry_in: Some(config.webhook_retry_base_seconds),
            });
        }
        let url = match &config.shopify_api_base {
            Some(base) => format!("{base}{}", graphql_path()),
            None => shop.endpoint(),
        };
        let answer = post_graphql(&url, token.expose(), &request.body()).await;
        self.delivering.borrow_mut().remove(&delivery.id);
        let answer = match answer {
            Ok(answer) => answer,
            Err(reason) => return retry(&reason, None, None),
        };
        let reply = read_reply(
            request.mutation,
            answer.status,
            answer.retry_after.as_deref(),
            &answer.body,
        );
        let db = self.db()?;
        if let Some(cost) = reply.cost {
            db.put_throttle(
                shop.as_str(),
                &Throttle {
                    cost,
                    observed_at: real_now,
                },
            )?;
        }
        match reply.result {
            Ok(outcome) => {
                db.record_attempt(
                    &delivery.id,
                    delivery.attempts + 1,
                    DeliveryStatus::Delivered,
                    Some(answer.status),
                    None,
                    now(),
                )?;
                if let Outcome::Fulfillment { fulfillment, .. } = outcome {
                    let mut record = db.channel_record(itn)?;
                    record.progress.fulfillment = Some(fulfillment);
                    db.put_channel_record(itn, &record)?;
                    // The events and corrections that waited for it go now.
                    db.retry_now(itn, &delivery.endpoint_id)?;
                    self.flush_outbox(&merchant.id).await?;
                }
                Ok(DeliverOutcome {
                    done: true,
                    retry_in: None,
                })
            }
            Err(error) => match error.retry() {
                Retry::After(seconds) => retry(
                    &error.to_string(),
                    Some(answer.status),
                    Some(seconds.ceil() as u32),
                ),
                Retry::Later => retry(&error.to_string(), Some(answer.status), None),
                Retry::No => {
                    db.record_attempt(
                        &delivery.id,
                        delivery.attempts + 1,
                        DeliveryStatus::Dead,
                        Some(answer.status),
                        Some(&error.to_string()),
                        now(),
                    )?;
                    Ok(DeliverOutcome {
                        done: true,
                        retry_in: None,
                    })
                }
            },
        }
    }
}
