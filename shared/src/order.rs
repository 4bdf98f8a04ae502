//! Orders as shoppers look them up: the order reference plus a verifier (the postal code or
//! the e-mail on the order). Waymark keeps a verifier only as a keyed hash (HMAC-SHA-256 with
//! a secret of the deployment), so a leaked store reveals neither, and a guess can only be
//! checked through the rate-limited lookup.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;

use crate::ids::IdError;

/// A sales channel or store a shipment belongs to: `manual`, `amazon`, `ebay`, `backmarket`,
/// or a kind and a store, like `shopify:acme.myshopify.com`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel(String);

impl Channel {
    pub const MANUAL: &'static str = "manual";

    pub fn manual() -> Channel {
        Channel(Self::MANUAL.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind of channel (`shopify` for `shopify:acme.myshopify.com`).
    pub fn kind(&self) -> &str {
        self.0.split(':').next().unwrap_or(&self.0)
    }
}

impl FromStr for Channel {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Channel, IdError> {
        const WHAT: &str = "channel";
        let input = input.trim().to_ascii_lowercase();
        if input.is_empty() {
            return Err(IdError::Empty { what: WHAT });
        }
        if input.len() > 120 {
            return Err(IdError::Length {
                what: WHAT,
                min: 2,
                max: 120,
                found: input.len(),
            });
        }
        let (kind, store) = match input.split_once(':') {
            Some((kind, store)) => (kind, Some(store)),
            None => (input.as_str(), None),
        };
        let kind_ok = (2..=32).contains(&kind.len())
            && kind.starts_with(|c: char| c.is_ascii_lowercase())
            && kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let store_ok = store.is_none_or(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
        });
        if let Some((position, ch)) = (!(kind_ok && store_ok))
            .then(|| {
                input.chars().enumerate().find(|(_, c)| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | ':'))
                })
            })
            .flatten()
        {
            return Err(IdError::Character {
                what: WHAT,
                ch,
                position,
            });
        }
        if !(kind_ok && store_ok) {
            return Err(IdError::MustStartWithLetter { what: WHAT });
        }
        Ok(Channel(input))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Channel({})", self.0)
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a shopper proves an order with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verifier {
    /// Upper-cased, spaces and dashes removed: `sw1a 1aa` and `SW1A1AA` are one code.
    PostalCode(String),
    /// Trimmed and lower-cased.
    Email(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifierError {
    #[error("the postal code must be 2 to 12 letters, digits, spaces or dashes")]
    PostalCode,
    #[error("the e-mail address is not one (it needs one @ and a domain)")]
    Email,
}

impl Verifier {
    pub fn postal_code(input: &str) -> Result<Verifier, VerifierError> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if (2..=12).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(Verifier::PostalCode(code))
        } else {
            Err(VerifierError::PostalCode)
        }
    }

    pub fn email(input: &str) -> Result<Verifier, VerifierError> {
        let email = input.trim().to_lowercase();
        let ok = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.contains('@')
            });
        if ok {
            Ok(Verifier::Email(email))
        } else {
            Err(VerifierError::Email)
        }
    }

    /// The keyed hash that is stored and compared (hex), or `None` without a usable key. The
    /// kind is part of the message, so a postal code can never match an e-mail.
    pub fn keyed_hash(&self, key: &[u8]) -> Option<String> {
        if key.is_empty() {
            return None;
        }
        let (kind, value) = match self {
            Verifier::PostalCode(v) => ("postal_code", v),
            Verifier::Email(v) => ("email", v),
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        Some(
            mac.finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }
}

/// The search form of an order reference: case-folded, spaces removed.
pub fn order_key(order_ref: &str) -> String {
    order_ref
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_name_a_kind_and_maybe_a_store() {
        let table = [
            ("manual", Some("manual")),
            ("Amazon", Some("amazon")),
            (
                "shopify:acme.myshopify.com",
                Some("shopify:acme.myshopify.com"),
            ),
            ("backmarket", Some("backmarket")),
            ("", None),
            ("a", None),
            ("shopify:", None),
            ("shop ify", None),
            ("1shop", None),
            ("shopify:acme/x", None),
            ("shopify:a:b", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                input
                    .parse::<Channel>()
                    .ok()
                    .map(|c| c.to_string())
                    .as_deref(),
                expected,
                "{input}"
            );
        }
        assert_eq!(
            "shopify:acme.myshopify.com"
                .parse::<Channel>()
                .unwrap()
                .kind(),
            "shopify"
        );
    }

    #[test]
    fn verifiers_normalise_before_hashing_and_never_match_across_kinds() {
        let key = b"secret";
        let hash = |v: &Verifier, key: &[u8]| v.keyed_hash(key).unwrap();
        let a = Verifier::postal_code("sw1a 1aa").unwrap();
        let b = Verifier::postal_code(" SW1A-1AA ").unwrap();
        assert_eq!(hash(&a, key), hash(&b, key));
        assert_ne!(hash(&a, key), hash(&a, b"other"));
        assert_eq!(a.keyed_hash(b""), None, "no key, no hash");
        let e1 = Verifier::email(" Jane@Example.COM ").unwrap();
        let e2 = Verifier::email("jane@example.com").unwrap();
        assert_eq!(hash(&e1, key), hash(&e2, key));
        assert!(!hash(&e1, key).contains("jane"));
        assert_eq!(hash(&e1, key).len(), 64);
        for bad in ["", "x", "1234567890123", "12<34"] {
            assert!(Verifier::postal_code(bad).is_err(), "{bad}");
        }
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
        ] {
            assert!(Verifier::email(bad).is_err(), "{bad}");
        }
        // The same text as a postal code and as an e-mail never hashes alike.
        let same = hash(&Verifier::PostalCode("X".into()), key);
        assert_ne!(same, hash(&Verifier::Email("X".into()), key));
    }
}
