//! Typed access to KV. Every read and write of state goes through here.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::log::unreadable_once;
use serde::{de::DeserializeOwned, Serialize};
use shared::api::MerchantConfig;
use shared::cache::CarrierCache;
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

    async fn put_ttl<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl_seconds: u64,
    ) -> EdgeResult<()> {
        let text = serde_json::to_string(value)?;
        self.kv
            .put(key, text)?
            .expiration_ttl(ttl_seconds.max(60))
            .execute()
            .await?;
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

    pub async fn index_tn(
        &self,
        merchant: &MerchantId,
        tn: &TrackingNumber,
        itn: Itn,
    ) -> EdgeResult<()> {
        self.put(&keys::tn_index(merchant, tn), &itn).await?;
        let global = keys::tn_global(tn);
        let mut owners: Vec<(MerchantId, Itn)> = self.get(&global).await?.unwrap_or_default();
        if !owners.iter().any(|(m, i)| m == merchant && *i == itn) {
            owners.push((merchant.clone(), itn));
            self.put(&global, &owners).await?;
        }
        Ok(())
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
        let global = keys::tn_global(tn);
        let mut owners: Vec<(MerchantId, Itn)> = self.get(&global).await?.unwrap_or_default();
        owners.retain(|(m, i)| !(m == merchant && *i == itn));
        self.put(&global, &owners).await
    }

    /// Every (merchant, ITN) that carries this TN: how webhooks find their shipments.
    pub async fn owners_of_tn(&self, tn: &TrackingNumber) -> EdgeResult<Vec<(MerchantId, Itn)>> {
        Ok(self.get(&keys::tn_global(tn)).await?.unwrap_or_default())
    }

    // ----- carrier cache -----

    /// The carrier cache; an unreadable one is logged once and read as empty, so the next
    /// read from AfterShip replaces it instead of every lookup failing.
    pub async fn carrier(&self, merchant: &MerchantId, itn: Itn) -> EdgeResult<CarrierCache> {
        match self.get(&keys::carrier(merchant, itn)).await {
            Err(EdgeError::Internal(_)) => Ok(CarrierCache::default()),
            other => Ok(other?.unwrap_or_default()),
        }
    }

    pub async fn put_carrier(
        &self,
        merchant: &MerchantId,
        itn: Itn,
        cache: &CarrierCache,
    ) -> EdgeResult<()> {
        forget_views();
        self.put(&keys::carrier(merchant, itn), cache).await
    }

    // ----- refresh bookkeeping -----

    pub async fn mark_active(&self, merchant: &MerchantId, itn: Itn) -> EdgeResult<()> {
        self.put(&keys::active(merchant, itn), &1).await
    }

    pub async fn mark_inactive(&self, merchant: &MerchantId, itn: Itn) -> EdgeResult<()> {
        self.delete(&keys::active(merchant, itn)).await
    }

    /// One page of active shipments for the cron.
    pub async fn active_page(
        &self,
        cursor: Option<String>,
        limit: u64,
    ) -> EdgeResult<(Vec<(MerchantId, Itn)>, Option<String>)> {
        let mut list = self
            .kv
            .list()
            .prefix(keys::ACTIVE_PREFIX.to_string())
            .limit(limit);
        if let Some(cursor) = cursor {
            list = list.cursor(cursor);
        }
        let page = list.execute().await?;
        let items = page
            .keys
            .iter()
            .filter_map(|k| {
                let rest = k.name.strip_prefix(keys::ACTIVE_PREFIX)?;
                let (merchant, itn) = rest.split_once(':')?;
                Some((merchant.parse().ok()?, itn.parse().ok()?))
            })
            .collect();
        Ok((
            items,
            (!page.list_complete).then_some(page.cursor).flatten(),
        ))
    }

    // ----- idempotency and webhook de-duplication -----

    pub async fn idempotent_itn(
        &self,
        merchant: &MerchantId,
        digest: &str,
    ) -> EdgeResult<Option<Itn>> {
        self.get(&keys::idempotency(merchant, digest)).await
    }

    pub async fn remember_idempotent(
        &self,
        merchant: &MerchantId,
        digest: &str,
        itn: Itn,
    ) -> EdgeResult<()> {
        self.put_ttl(&keys::idempotency(merchant, digest), &itn, 7 * 24 * 3600)
            .await
    }

    pub async fn webhook_seen(&self, digest: &str) -> EdgeResult<bool> {
        Ok(self
            .kv
            .get(&keys::webhook_event(digest))
            .text()
            .await?
            .is_some())
    }

    pub async fn remember_webhook(&self, digest: &str) -> EdgeResult<()> {
        self.put_ttl(&keys::webhook_event(digest), &1, 7 * 24 * 3600)
            .await
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
