//! The record's side of the console's staff: who may sign in (registered addresses and their
//! roles), one-time sign-in links and sessions, each stored only as a SHA-256 hash of its
//! secret. Consistent per merchant (a used link or a revoked session is gone at once).

use serde::Deserialize;
use shared::alerts::StaffAddress;
use shared::staff::{
    link_allowed, Role, SessionView, StaffView, LINK_SECONDS, MAX_STAFF, SESSION_SECONDS,
};
use shared::{MerchantId, Timestamp};

use super::db::Db;
use super::MerchantRecord;
use crate::auth::random_bytes;
use crate::error::{EdgeError, EdgeResult};
use crate::sync::now;

#[derive(Deserialize)]
struct StaffRow {
    id: String,
    email: String,
    role: String,
    created_at: i64,
}

impl StaffRow {
    fn view(&self) -> StaffView {
        StaffView {
            id: self.id.clone(),
            email: self.email.clone(),
            role: self.role.parse().unwrap_or(Role::Staff),
            created_at: Timestamp(self.created_at),
        }
    }
}

#[derive(Deserialize)]
struct AtRow {
    at: i64,
}

#[derive(Deserialize)]
struct LinkRow {
    staff_id: String,
    expires_at: i64,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct SessionRow {
    staff_id: String,
    csrf: String,
    expires_at: i64,
    revoked_at: Option<i64>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a link request decided: whom to e-mail (no one for an unknown address or one that
/// asked too often; the caller answers the same either way).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct LinkDecision {
    pub send_to: Option<String>,
    pub merchant_name: String,
    /// Too many requests for this address (the caller may say 429).
    pub limited: bool,
}

impl Db {
    fn staff_by_email(&self, email: &str) -> EdgeResult<Option<StaffRow>> {
        Ok(self
            .rows::<StaffRow>(
                "SELECT id, email, role, created_at FROM staff WHERE lower(email) = lower(?)",
                vec![email.into()],
            )?
            .into_iter()
            .next())
    }

    fn staff_by_id(&self, id: &str) -> EdgeResult<Option<StaffRow>> {
        Ok(self
            .rows::<StaffRow>(
                "SELECT id, email, role, created_at FROM staff WHERE id = ?",
                vec![id.into()],
            )?
            .into_iter()
            .next())
    }

    pub fn staff(&self) -> EdgeResult<Vec<StaffView>> {
        Ok(self
            .rows::<StaffRow>(
                "SELECT id, email, role, created_at FROM staff ORDER BY created_at, id",
                vec![],
            )?
            .iter()
            .map(StaffRow::view)
            .collect())
    }
}

impl MerchantRecord {
    /// Registers a staff address (or changes its role).
    pub(super) fn create_staff(&self, email: &StaffAddress, role: Role) -> EdgeResult<StaffView> {
        let db = self.db()?;
        if let Some(existing) = db.staff_by_email(email.as_str())? {
            db.exec(
                "UPDATE staff SET role = ? WHERE id = ?",
                vec![role.as_str().into(), existing.id.clone().into()],
            )?;
            return Ok(StaffView {
                role,
                ..existing.view()
            });
        }
        if db.staff()?.len() >= MAX_STAFF {
            return Err(EdgeError::Conflict(
                "a merchant may register at most 100 staff addresses",
            ));
        }
        let id = format!("staff_{}", hex(&random_bytes::<8>()?));
        let now = now();
        db.exec(
            "INSERT INTO staff (id, email, role, created_at) VALUES (?, ?, ?, ?)",
            vec![
                id.clone().into(),
                email.as_str().into(),
                role.as_str().into(),
                now.millis().into(),
            ],
        )?;
        Ok(StaffView {
            id,
            email: email.as_str().to_string(),
            role,
            created_at: now,
        })
    }

    /// Removes a staff member and ends their sessions and links.
    pub(super) fn delete_staff(&self, id: &str) -> EdgeResult<bool> {
        let db = self.db()?;
        if db.staff_by_id(id)?.is_none() {
            return Ok(false);
        }
        db.exec("DELETE FROM staff WHERE id = ?", vec![id.into()])?;
        db.exec(
            "UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
            vec![now().millis().into(), id.into()],
        )?;
        db.exec(
            "DELETE FROM sign_in_links WHERE staff_id = ?",
            vec![id.into()],
        )?;
        Ok(true)
    }

    /// Records a link for a registered address (by the hash of its secret), within the
    /// address's rate limit. Unknown addresses are recorded as asked too (the same work).
    pub(super) fn request_link(
        &self,
        merchant_name: &str,
        email: &StaffAddress,
        link_hash: &str,
    ) -> EdgeResult<LinkDecision> {
        let db = self.db()?;
        let now = now();
        let key = email.as_str().to_ascii_lowercase();
        let earlier: Vec<Timestamp> = db
            .rows::<AtRow>(
                "SELECT at FROM sign_in_requests WHERE email = ? AND at > ?",
                vec![
                    key.clone().into(),
                    now.plus_seconds(-shared::staff::LINK_WINDOW_SECONDS)
                        .millis()
                        .into(),
                ],
            )?
            .into_iter()
            .map(|r| Timestamp(r.at))
            .collect();
        let limited = !link_allowed(&earlier, now);
        db.exec(
            "DELETE FROM sign_in_requests WHERE at <= ?",
            vec![now
                .plus_seconds(-shared::staff::LINK_WINDOW_SECONDS)
                .millis()
                .into()],
        )?;
        if limited {
            return Ok(LinkDecision {
                send_to: None,
                merchant_name: merchant_name.to_string(),
                limited: true,
            });
        }
        db.exec(
            "INSERT INTO sign_in_requests (email, at) VALUES (?, ?)",
            vec![key.into(), now.millis().into()],
        )?;
        let Some(staff) = db.staff_by_email(email.as_str())? else {
            return Ok(LinkDecision {
                send_to: None,
                merchant_name: merchant_name.to_string(),
                limited: false,
            });
        };
        db.exec(
            "INSERT INTO sign_in_links (hash, staff_id, expires_at) VALUES (?, ?, ?)",
            vec![
                link_hash.into(),
                staff.id.into(),
                now.plus_seconds(LINK_SECONDS).millis().into(),
            ],
        )?;
        Ok(LinkDecision {
            send_to: Some(staff.email),
            merchant_name: merchant_name.to_string(),
            limited: false,
        })
    }

    /// Mints a link for a registered address without e-mail (the admin's demo and support
    /// path); `None` for an unknown address.
    pub(super) fn mint_link(&self, email: &StaffAddress, link_hash: &str) -> EdgeResult<bool> {
        let db = self.db()?;
        let Some(staff) = db.staff_by_email(email.as_str())? else {
            return Ok(false);
        };
        db.exec(
            "INSERT INTO sign_in_links (hash, staff_id, expires_at) VALUES (?, ?, ?)",
            vec![
                link_hash.into(),
                staff.id.into(),
                now().plus_seconds(LINK_SECONDS).millis().into(),
            ],
        )?;
        Ok(true)
    }

    /// Uses a link once and starts a new session (never one the browser brought: no fixation).
    pub(super) fn redeem_link(
        &self,
        link_hash: &str,
        session_hash: &str,
        csrf: &str,
    ) -> EdgeResult<Timestamp> {
        let db = self.db()?;
        let now = now();
        let expired = || EdgeError::NotFound("this sign-in link is used, expired or unknown");
        let link = db
            .rows::<LinkRow>(
                "SELECT staff_id, expires_at, used_at FROM sign_in_links WHERE hash = ?",
                vec![link_hash.into()],
            )?
            .into_iter()
            .next()
            .ok_or_else(expired)?;
        if link.used_at.is_some() || now.millis() >= link.expires_at {
            return Err(expired());
        }
        if db.staff_by_id(&link.staff_id)?.is_none() {
            return Err(expired());
        }
        db.exec(
            "UPDATE sign_in_links SET used_at = ? WHERE hash = ?",
            vec![now.millis().into(), link_hash.into()],
        )?;
        let expires = now.plus_seconds(SESSION_SECONDS);
        db.exec(
            "INSERT INTO sessions (hash, staff_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                session_hash.into(),
                link.staff_id.into(),
                csrf.into(),
                now.millis().into(),
                expires.millis().into(),
            ],
        )?;
        // Old links of anyone are of no use once expired.
        db.exec(
            "DELETE FROM sign_in_links WHERE expires_at < ?",
            vec![now.plus_seconds(-86_400).millis().into()],
        )?;
        Ok(expires)
    }

    /// The live session with this hash, with its staff member's current role.
    pub(super) fn check_session(
        &self,
        merchant: &MerchantId,
        merchant_name: &str,
        session_hash: &str,
    ) -> EdgeResult<SessionView> {
        let db = self.db()?;
        let session = db
            .rows::<SessionRow>(
                "SELECT staff_id, csrf, expires_at, revoked_at FROM sessions WHERE hash = ?",
                vec![session_hash.into()],
            )?
            .into_iter()
            .next()
            .ok_or(EdgeError::Unauthorized)?;
        if session.revoked_at.is_some() || now().millis() >= session.expires_at {
            return Err(EdgeError::Unauthorized);
        }
        let staff = db
            .staff_by_id(&session.staff_id)?
            .ok_or(EdgeError::Unauthorized)?;
        let view = staff.view();
        Ok(SessionView {
            merchant: merchant.clone(),
            merchant_name: merchant_name.to_string(),
            email: view.email,
            role: view.role,
            csrf_token: session.csrf,
            expires_at: Timestamp(session.expires_at),
        })
    }

    pub(super) fn revoke_session(&self, session_hash: &str) -> EdgeResult<()> {
        self.db()?.exec(
            "UPDATE sessions SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
            vec![now().millis().into(), session_hash.into()],
        )?;
        Ok(())
    }
}
