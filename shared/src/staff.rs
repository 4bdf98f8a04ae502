//! The merchant's staff and their console sessions: roles, the one-time sign-in link, the
//! session cookie, and the rules for who may do what. No passwords exist: a staff member
//! signs in with a short-lived, single-use link e-mailed to an address the merchant
//! registered. The edge stores only hashes of links and sessions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::alerts::StaffAddress;
use crate::ids::MerchantId;
use crate::time::Timestamp;

/// How long a sign-in link may be used.
pub const LINK_SECONDS: i64 = 15 * 60;
/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Sign-in links one address may ask for within [`LINK_WINDOW_SECONDS`].
pub const LINKS_PER_WINDOW: usize = 5;
pub const LINK_WINDOW_SECONDS: i64 = 15 * 60;
/// The session cookie's name.
pub const COOKIE: &str = "wm_session";
/// The most staff one merchant registers.
pub const MAX_STAFF: usize = 100;

/// What a staff member may do: owners change settings, staff only view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
        }
    }

    /// Whether this role may make a request with `method` (anything but reading is a change).
    pub fn may(self, method: &str) -> bool {
        matches!(method, "GET" | "HEAD" | "OPTIONS") || self == Role::Owner
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("role must be owner or staff, not {0:?}")]
    Role(String),
    #[error("{0}")]
    Email(#[from] crate::alerts::AlertError),
    #[error("merchant must be a merchant id like acme")]
    Merchant,
}

impl FromStr for Role {
    type Err = StaffError;
    fn from_str(s: &str) -> Result<Role, StaffError> {
        match s.trim() {
            "owner" => Ok(Role::Owner),
            "staff" => Ok(Role::Staff),
            other => Err(StaffError::Role(other.chars().take(20).collect())),
        }
    }
}

/// `POST /v1/merchants/{id}/staff`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffRequest {
    pub email: String,
    #[serde(default)]
    pub role: Option<String>,
}

impl CreateStaffRequest {
    /// The address and role (default `staff`).
    pub fn validate(self) -> Result<(StaffAddress, Role), StaffError> {
        let email: StaffAddress = self.email.parse()?;
        let role = match self.role {
            None => Role::Staff,
            Some(role) => role.parse()?,
        };
        Ok((email, role))
    }
}

/// `POST /console/api/sign-in`: who asks for a link.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub merchant: String,
    pub email: String,
}

impl SignInRequest {
    pub fn validate(self) -> Result<(MerchantId, StaffAddress), StaffError> {
        let merchant = self
            .merchant
            .trim()
            .parse()
            .map_err(|_| StaffError::Merchant)?;
        Ok((merchant, self.email.parse()?))
    }
}

/// A staff member as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: Timestamp,
}

/// The signed-in staff member, as `GET /console/api/session` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub merchant: MerchantId,
    pub merchant_name: String,
    pub email: String,
    pub role: Role,
    /// Sent back in `X-CSRF-Token` with every change.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// The cookie's value: the merchant (which record holds the session) and the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookie {
    pub merchant: MerchantId,
    pub secret: String,
}

impl SessionCookie {
    pub fn value(&self) -> String {
        format!("{}.{}", self.merchant, self.secret)
    }

    /// Reads the session from a `Cookie` header: `None` when absent or malformed.
    pub fn from_header(header: &str) -> Option<SessionCookie> {
        let value = header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then_some(value.trim())
        })?;
        let (merchant, secret) = value.split_once('.')?;
        let secret_ok = (32..=64).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !secret_ok {
            return None;
        }
        Some(SessionCookie {
            merchant: merchant.parse().ok()?,
            secret: secret.to_string(),
        })
    }
}

/// The `Set-Cookie` that starts a session: `HttpOnly`, `SameSite=Lax`, `Secure` unless
/// `secure` is off (plain-http local development), for the whole origin, expiring with it.
pub fn set_cookie(cookie: &SessionCookie, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}",
        cookie.value()
    )
}

/// The `Set-Cookie` that ends a session in the browser.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}

/// Whether an address may ask for another link now, given when it asked before.
pub fn link_allowed(earlier: &[Timestamp], now: Timestamp) -> bool {
    let since = now.plus_seconds(-LINK_WINDOW_SECONDS);
    earlier.iter().filter(|at| **at > since).count() < LINKS_PER_WINDOW
}

/// The e-mail with the sign-in link.
pub fn sign_in_message(merchant_name: &str, link: &str) -> crate::alerts::Message {
    crate::alerts::Message {
        subject: format!("Sign in to Waymark for {merchant_name}"),
        text: format!(
            "Open this link to sign in to the Waymark console for {merchant_name}:\n\n{link}\n\nIt works once, for {} minutes. If you did not ask for it, ignore this message: nobody can sign in without it.\n",
            LINK_SECONDS / 60
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn owners_change_and_staff_only_read() {
        for (role, method, allowed) in [
            (Role::Owner, "GET", true),
            (Role::Owner, "PATCH", true),
            (Role::Owner, "DELETE", true),
            (Role::Staff, "GET", true),
            (Role::Staff, "HEAD", true),
            (Role::Staff, "PATCH", false),
            (Role::Staff, "PUT", false),
            (Role::Staff, "POST", false),
            (Role::Staff, "DELETE", false),
        ] {
            assert_eq!(role.may(method), allowed, "{role} {method}");
        }
    }

    #[test]
    fn the_session_cookie_is_read_strictly() {
        let secret = "a".repeat(43);
        let good = format!("theme=dark; {COOKIE}=acme.{secret}; other=1");
        let cookie = SessionCookie::from_header(&good).unwrap();
        assert_eq!(cookie.merchant.as_str(), "acme");
        assert_eq!(cookie.secret, secret);
        for bad in [
            String::new(),
            format!("{COOKIE}=acme"),
            format!("{COOKIE}=acme.short"),
            format!("{COOKIE}=ACME!.{secret}"),
            format!("{COOKIE}=acme.{}", "é".repeat(40)),
            format!("x{COOKIE}=acme.{secret}"),
        ] {
            assert_eq!(SessionCookie::from_header(&bad), None, "{bad}");
        }
        let set = set_cookie(&cookie, 3600, true);
        assert_eq!(
            set,
            format!("{COOKIE}=acme.{secret}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure")
        );
        assert!(!set_cookie(&cookie, 3600, false).contains("Secure"));
        assert!(clear_cookie(true).contains("Max-Age=0"));
    }

    #[test]
    fn links_are_rate_limited_per_address() {
        let now = ts("2026-11-23T10:00:00Z");
        let minutes_ago = |m: i64| now.plus_seconds(-60 * m);
        assert!(link_allowed(&[], now));
        let four: Vec<_> = (1..=4).map(minutes_ago).collect();
        assert!(link_allowed(&four, now));
        let five: Vec<_> = (1..=5).map(minutes_ago).collect();
        assert!(!link_allowed(&five, now));
        let old: Vec<_> = (16..=30).map(minutes_ago).collect();
        assert!(link_allowed(&old, now), "only the last 15 minutes count");
    }

    #[test]
    fn staff_requests_are_validated() {
        let ok = CreateStaffRequest {
            email: "Ops@Acme.example".into(),
            role: Some("owner".into()),
        }
        .validate()
        .unwrap();
        assert_eq!((ok.0.as_str(), ok.1), ("Ops@acme.example", Role::Owner));
        let default = CreateStaffRequest {
            email: "ops@acme.example".into(),
            role: None,
        };
        assert_eq!(default.validate().unwrap().1, Role::Staff);
        assert!(CreateStaffRequest {
            email: "ops@acme.example".into(),
            role: Some("admin".into())
        }
        .validate()
        .is_err());
    }
}
