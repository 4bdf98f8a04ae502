//! Typed access to KV. Every read and write of state goes through here.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::log::unreadable_once;
use crate::record::protocol::OrderIndex;
use serde::{de::DeserializeOwned, Serialize};
use shared::api::MerchantConfig;
use shared::cache::CarrierCaches;
use shared::shipment::ShipmentRecord;
use shared::{Itn, MerchantId, Timestamp, TrackingNumber};
use worker::kv::KvStore;
use worker::Env;

use crate::error::{EdgeError, EdgeResult};
use crate::keys;

pub const BINDING: &str = "WAYMARK";
/// Merchant configuration changes rarely; an isolate may reuse it this long (milliseconds).
const MERCHANT_MEMO_MS: i64 = 30_000;

thread_local! {
    /// Per-isolate memo of merchant configs, so a warm lookup reads only the shipment and its
    /// carrier cache from KV. Entries expire quickly; key rotation is also applied locally.
    static MERCHANTS: RefCell<HashMap<String, (i64, MerchantConfig)>> = RefCell::new(HashMap::new());
    /// TN → ITN, reused briefly: a corrected TN moves its entry, and other isolates must see
    /// that within the same bound as KV's own propagation. (The lookup also checks that the
    /// shipment still carries the TN, so a stale entry can never show the wrong shipment.)
    static TN_INDEX: RefCell<HashMap<String, (i64, Itn)>> = RefCell::new(HashMap::new());
    /// Answers to public lookups, reused for a few seconds by this isolate (browsers and CDNs
    /// may reuse them for 30 s anyway). Any write through this isolate clears it.
    static VIEWS: RefCell<HashMap<String, (i64, String, bool)>> = RefCell::new(HashMap::new());
}

/// How long an isolate reuses a TN → ITN entry (milliseconds).
const TN_MEMO_MS: i64 = 30_000;
/// How long an isolate reuses a lookup answer (milliseconds).
const VIEW_MEMO_MS: i64 = 5_000;
const VIEW_MEMO_MAX: usize = 2_000;

/// A recent answer to this lookup, as `(json, stale)`.
pub fn memoised_view(key: &str, now: Timestamp) -> Option<(String, bool)> {
    VIEWS.with(|v| {
        v.borrow()
            .get(key)
            .filter(|(at, _, _)| now.millis() - at < VIEW_MEMO_MS)
            .map(|(_, json, stale)| (json.clone(), *stale))
    })
}

pub fn memoise_view(key: String, json: String, stale: bool, now: Timestamp) {
    VIEWS.with(|v| {
        let mut views = v.borrow_mut();
        if views.len() >= VIEW_MEMO_MAX {
            views.retain(|_, (at, _, _)| now.millis() - *at < VIEW_MEMO_MS);
            if views.len() >= VIEW_MEMO_MAX {
                views.clear();
            }
        }
        views.insert(key, (now.millis(), json, stale));
    });
}

fn forget_views() {
    VIEWS.with(|v| v.borrow_mut().clear());
}

/// Where a value failed to parse, without any of its content.
fn unreadable(e: &serde_json::Error) -> String {
    format!(
        "{:?} at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    )
}

pub struct Store {
    kv: KvStore,
}

impl Store {
    pub fn open(env: &Env) -> EdgeResult<Store> {
        Ok(Store {
            kv: env.kv(BINDING)?,
        })
    }

    async fn get<T: DeserializeOwned>(&self, key: &str) -> EdgeResult<Option<T>> {
        match self.kv.get(key).text().await? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                // serde's message can quote stored values (order references): never log it.
                unreadable_once(key, &unreadable(&e));
                EdgeError::Internal("a stored value is unreadable".into())
            }),
        }
    }

    async fn put<T: Serialize>(&self, key: &str, value: &T) -> EdgeResult<()> {
        let text = serde_json::to_string(value)?;
        self.kv.put(key, text)?.execute().await?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> EdgeResult<()> {
        Ok(self.kv.delete(key).await?)
    }

    // ----- merchants -----

    pub async fn merchant(
        &self,
        id: &MerchantId,
        now: Timestamp,
    ) -> EdgeResult<Option<MerchantConfig>> {
        let memo = MERCHANTS.with(|m| {
            m.borrow()
                .get(id.as_str())
                .filter(|(at, _)| now.millis() - at < MERCHANT_MEMO_MS)
                .map(|(_, c)| c.clone())
        });
        if let Some(config) = memo {
            return Ok(Some(config));
        }
        let config: Option<MerchantConfig> = self.get(&keys::merchant(id)).await?;
        if let Some(config) = &config {
            MERCHANTS.with(|m| {
                m.borrow_mut()
                    .insert(id.to_string(), (now.millis(), config.clone()))
            });
        }
        Ok(config)
    }

    /// Every ITN with a shipment record in KV for one merchant (earlier versions wrote them
    /// there first; the migration carries them into the merchant's record).
    pub async fn shipment_itns(&self, merchant: &MerchantId) -> EdgeResult<Vec<Itn>> {
        let prefix = format!("shipment:{merchant}:");
        let mut itns: Vec<Itn> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut list = self.kv.list().prefix(prefix.clone()).limit(1000);
            if let Some(cursor) = cursor.take() {
                list = list.cursor(cursor);
            }
            let page = list.execute().await?;
            itns.extend(
                page.keys
                    .iter()
                    .filter_map(|k| k.name.strip_prefix(&prefix)?.parse::<Itn>().ok()),
            );
            match page.cursor.filter(|_| !page.list_complete) {
                Some(next) => cursor = Some(next),
                None => return Ok(itns),
            }
        }
    }

    /// Every merchant's id (the scheduled refresh asks each one's record).
    pub async fn merchant_ids(&self) -> EdgeResult<Vec<MerchantId>> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut list = self.kv.list().prefix("merchant:".to_string()).limit(1000);
            if let Some(cursor) = cursor.take() {
                list = list.cursor(cursor);
            }
            let page = list.execute().await?;
            ids.extend(
                page.keys
                    .iter()
                    .filter_map(|k| k.name.strip_prefix("merchant:")?.parse().ok()),
            );
            match page.cursor.filter(|_| !page.list_complete) {
                Some(next) => cursor = Some(next),
                None => return Ok(ids),
            }
        }
    }

    /// Reads straight from KV, bypassing the memo (for read-modify-write).
    pub async fn merchant_uncached(&self, id: &MerchantId) -> EdgeResult<Option<MerchantConfig>> {
        self.get(&keys::merchant(id)).await
    }

    pub async fn put_merchant(&self, config: &MerchantConfig, now: Timestamp) -> EdgeResult<()> {
        forget_views();
        self.put(&keys::merchant(&config.id), config).await?;
        MERCHANTS.with(|m| {
            m.borrow_mut()
                .insert(config.id.to_string(), (now.millis(), config.clone()))
        });
        Ok(())
    }

    // ----- shipments -----

    /// A shipment's record. Events an earlier version stored but this one cannot read are
    /// left out (and logged once), so one bad event never makes the whole shipment a 500.
    pub async fn shipment(
        &self,
        merchant: &MerchantId,
        itn: Itn,
    ) -> EdgeResult<Option<ShipmentRecord>> {
        let key = keys::shipment(merchant, itn);
        let Some(text) = self.kv.get(&key).text().await? else {
            return Ok(None);
        };
        match ShipmentRecord::from_stored(&text) {
            Ok(stored) => {
                if stored.skipped > 0 {
                    unreadable_once(&key, &format!("{} event(s) left out", stored.skipped));
                }
                Ok(Some(stored.record))
            }
            Err(e) => {
                unreadable_once(&key, &unreadable(&e));
                Err(EdgeError::Internal(
                    "a stored shipment is unreadable".into(),
                ))
            }
        }
    }

    pub async fn put_shipment(&self, record: &ShipmentRecord) -> EdgeResult<()> {
        forget_views();
        self.put(&keys::shipment(&record.merchant, record.itn), record)
            .await
    }

    pub async fn itn_for_tn(
        &self,
        merchant: &MerchantId,
        tn: &TrackingNumber,
    ) -> EdgeResult<Option<Itn>> {
        let key = keys::tn_index(merchant, tn);
        let now = crate::sync::now().millis();
        let memo = TN_INDEX.with(|m| {
            m.borrow()
                .get(&key)
                .filter(|(at, _)| now - at < TN_MEMO_MS)
                .map(|(_, itn)| *itn)
        });
        if let Some(itn) = memo {
            return Ok(Some(itn));
        }
        let itn: Option<Itn> = self.get(&key).await?;
        TN_INDEX.with(|m| {
            let mut memo = m.borrow_mut();
            if memo.len() >= VIEW_MEMO_MAX {
                memo.clear();
            }
            match itn {
                Some(itn) => memo.insert(key, (now, itn)),
                None => memo.remove(&key),
            }
        });
        Ok(itn)
    }

    /// Indexes a TN for lookups (`tn:`) and for webhooks (`tn-any:`, one key per owner, so
    /// two merchants' writers never read-modify-write one value).
    pub async fn index_tn(
        &self,
        merchant: &MerchantId,
        tn: &TrackingNumber,
        itn: Itn,
    ) -> EdgeResult<()> {
        self.put(&keys::tn_index(merchant, tn), &itn).await?;
        self.put(&keys::tn_owner(tn, merchant, itn), &1).await
    }

    pub async fn unindex_tn(
        &self,
        merchant: &MerchantId,
        tn: &TrackingNumber,
        itn: Itn,
    ) -> EdgeResult<()> {
        let key = keys::tn_index(merchant, tn);
        TN_INDEX.with(|m| m.borrow_mut().remove(&key));
        self.delete(&key).await?;
        self.delete(&keys::tn_owner(tn, merchant, itn)).await
    }

    /// Every (merchant, ITN) that carries this TN: how webhooks find their shipments. Reads the
    /// per-owner keys, and the single list an earlier version kept.
    pub async fn owners_of_tn(&self, tn: &TrackingNumber) -> EdgeResult<Vec<(MerchantId, Itn)>> {
        let prefix = keys::tn_owner_prefix(tn);
        let page = self
            .kv
            .list()
            .prefix(prefix.clone())
            .limit(1000)
            .execute()
            .await?;
        let mut owners: Vec<(MerchantId, Itn)> = page
            .keys
            .iter()
            .filter_map(|k| {
                let (merchant, itn) = k.name.strip_prefix(&prefix)?.split_once(':')?;
                Some((merchant.parse().ok()?, itn.parse().ok()?))
            })
            .collect();
        let legacy: Vec<(MerchantId, Itn)> = self
            .get(&keys::tn_global(tn))
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        for owner in legacy {
            if !owners.contains(&owner) {
                owners.push(owner);
            }
        }
        Ok(owners)
    }

    // ----- orders -----

    pub async fn order(
        &self,
        merchant: &MerchantId,
        order_ref: &str,
    ) -> EdgeResult<Option<OrderIndex>> {
        self.get(&keys::order(merchant, &shared::order::order_key(order_ref)))
            .await
    }

    pub async fn put_order(&self, merchant: &MerchantId, order: &OrderIndex) -> EdgeResult<()> {
        self.put(
            &keys::order(merchant, &shared::order::order_key(&order.order_ref)),
            order,
        )
        .await
    }

    // ----- carrier cache -----

    /// The carrier cache; an unreadable one is logged once and read as empty, so the next
    /// read from AfterShip replaces it instead of every lookup failing.
    pub async fn carrier(&self, merchant: &MerchantId, itn: Itn) -> EdgeResult<CarrierCaches> {
        match self.get(&keys::carrier(merchant, itn)).await {
            Err(EdgeError::Internal(_)) => Ok(CarrierCaches::default()),
            other => Ok(other?.unwrap_or_default()),
        }
    }

    pub async fn put_carrier(
        &self,
        merchant: &MerchantId,
        itn: Itn,
        cache: &CarrierCaches,
    ) -> EdgeResult<()> {
        forget_views();
        self.put(&keys::carrier(merchant, itn), cache).await
    }

    // ----- idempotency keys remembered by an earlier version -----

    pub async fn idempotent_itn(
        &self,
        merchant: &MerchantId,
        digest: &str,
    ) -> EdgeResult<Option<Itn>> {
        self.get(&keys::idempotency(merchant, digest)).await
    }
}

impl Store {
    pub async fn key_owner(&self, hash: &str) -> EdgeResult<Option<MerchantId>> {
        self.get(&keys::api_key(hash)).await
    }
    pub async fn put_key_owner(&self, hash: &str, merchant: &MerchantId) -> EdgeResult<()> {
        self.put(&keys::api_key(hash), merchant).await
    }
}
