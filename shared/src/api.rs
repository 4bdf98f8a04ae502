//! Request and response bodies of the merchant and admin API, and their validation.
//! Bodies are parsed strictly (unknown fields are an error) and validated into domain values
//! before anything is stored, so bad input changes nothing.

use serde::{Deserialize, Serialize};

use crate::ids::{IdError, MerchantId, Slug, TrackingNumber};
use crate::order::{Channel, Verifier, VerifierError};
use crate::shipment::{CheckpointDef, ReachedBy, TrackingRole};
use crate::time::{TimeError, Timestamp};

/// Limits from the contract.
pub const MAX_CHECKPOINTS: usize = 20;
pub const MAX_LABEL_CHARS: usize = 120;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_REF_CHARS: usize = 100;
pub const MAX_ORIGINS: usize = 20;
/// Bodies larger than this are refused with 413 before parsing.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Why a request body was refused. Each message is one sentence a developer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the body is not valid JSON for this request: {0}")]
    Json(String),
    #[error("{field}: {source}")]
    Id {
        field: &'static str,
        #[source]
        source: IdError,
    },
    #[error("{field}: {source}")]
    Time {
        field: &'static str,
        #[source]
        source: TimeError,
    },
    #[error("{field} must be {min} to {max} characters long")]
    Length {
        field: &'static str,
        min: usize,
        max: usize,
    },
    #[error("{field} must not contain control characters or invisible formatting characters (such as bidirectional overrides)")]
    ControlCharacter { field: &'static str },
    #[error("{0}")]
    Role(#[from] crate::shipment::UnknownRole),
    #[error("checkpoints must hold 1 to {MAX_CHECKPOINTS} entries, not {0}")]
    CheckpointCount(usize),
    #[error("allowed_origins holds at most {MAX_ORIGINS} origins")]
    TooManyOrigins,
    #[error("{0:?} is not an origin like https://shop.example.com (scheme and host, optional port, no path)")]
    Origin(String),
    #[error(
        "aftership_page must be an https URL without a query, like https://acme.aftership.com"
    )]
    AftershipPage,
    #[error("{0}")]
    Verifier(#[from] VerifierError),
    #[error("{0}")]
    Facts(#[from] crate::channels::FactsError),
}

fn bounded_text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, InputError> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count < min || count > max {
        return Err(InputError::Length { field, min, max });
    }
    if trimmed.chars().any(is_hidden_character) {
        return Err(InputError::ControlCharacter { field });
    }
    Ok(trimmed.to_string())
}

/// An order reference from a URL path segment (`/t/acme/orders/%231001`, already
/// percent-decoded), held to the same rules as an `order_ref` in a request body. `None` for a
/// segment that could never name an order.
pub fn order_ref_from_path(segment: &str) -> Option<String> {
    // What the merchant gave is kept; a reference with spaces round it would not find the order.
    bounded_text("order_ref", segment, 1, MAX_REF_CHARS)
        .ok()
        .filter(|r| r == segment)
}

/// Characters a person cannot see but that change what they read: controls (CR, LF, NUL …),
/// bidirectional embeddings, overrides and isolates (U+202E can reverse a shop's name in the
/// widget), zero-width characters and the byte-order mark.
pub fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Parses a JSON body strictly into `T`. Every request body is a JSON object: serde would read
/// a struct from an array of its fields in order (`[null, null]`), which no client means.
pub fn parse_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, InputError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(InputError::Json(
            "the body must be a JSON object ({...})".to_string(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        // serde's message names the field and position, never echoing the value itself.
        InputError::Json(e.to_string())
    })
}

// ----- admin ---------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMerchantRequest {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub aftership_page: Option<String>,
}

/// A merchant's stored configuration. `key_hash` is the SHA-256 of its API key, hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantConfig {
    pub id: MerchantId,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub aftership_page: Option<String>,
    pub checkpoints: Vec<CheckpointDef>,
    pub key_hash: String,
    pub created_at: Timestamp,
    /// Which TN shoppers see first (a copy of the setting, for the read path).
    #[serde(default)]
    pub tracking_number_display: crate::settings::TrackingNumberDisplay,
    /// A copy of the merchant's settings (business calendar, pickup windows) for the read
    /// path's timing line; absent until the settings are first changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<crate::settings::MerchantSettings>,
}

/// What the API shows of a merchant (never the key hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantOut {
    pub id: MerchantId,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub aftership_page: Option<String>,
    pub checkpoints: Vec<CheckpointDef>,
    pub created_at: Timestamp,
}

impl From<&MerchantConfig> for MerchantOut {
    fn from(m: &MerchantConfig) -> MerchantOut {
        MerchantOut {
            id: m.id.clone(),
            name: m.name.clone(),
            allowed_origins: m.allowed_origins.clone(),
            aftership_page: m.aftership_page.clone(),
            checkpoints: m.checkpoints.clone(),
            created_at: m.created_at,
        }
    }
}

/// A validated new merchant, minus the key (the shell generates and hashes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMerchant {
    pub id: MerchantId,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub aftership_page: Option<String>,
}

impl CreateMerchantRequest {
    pub fn validate(self) -> Result<NewMerchant, InputError> {
        let id = self.id.parse().map_err(|source| InputError::Id {
            field: "id",
            source,
        })?;
        let name = bounded_text("name", &self.name, 1, MAX_NAME_CHARS)?;
        if self.allowed_origins.len() > MAX_ORIGINS {
            return Err(InputError::TooManyOrigins);
        }
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|o| {
                normalise_origin(o).ok_or_else(|| InputError::Origin(o.chars().take(80).collect()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let aftership_page = self.aftership_page.map(|p| validate_page(&p)).transpose()?;
        Ok(NewMerchant {
            id,
            name,
            allowed_origins,
            aftership_page,
        })
    }
}

/// `https://Shop.Example.com:443/` → `https://shop.example.com`. `None` if it is not an origin.
pub fn normalise_origin(origin: &str) -> Option<String> {
    // CR, LF or NUL anywhere (even at the ends, where trimming would hide them) is refused:
    // an origin ends up in a response header.
    if origin.chars().any(is_hidden_character) {
        return None;
    }
    let origin = origin.trim().trim_end_matches('/');
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let (host, port) = match rest.strip_prefix('[') {
        // An IPv6 literal: hex digits and colons in brackets, then an optional port.
        Some(inner) => {
            let (address, after) = inner.split_once(']')?;
            let ok = address.contains(':')
                && address
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'));
            if !ok {
                return None;
            }
            let port = match after {
                "" => None,
                other => Some(other.strip_prefix(':')?),
            };
            (format!("[{address}]"), port)
        }
        None => match rest.split_once(':') {
            Some((host, port)) => (host.to_string(), Some(port)),
            None => (rest.clone(), None),
        },
    };
    if !host.starts_with('[') && !is_host_name(&host) {
        return None;
    }
    let port = match port {
        None => None,
        Some(p)
            if (1..=5).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && !p.starts_with('0') =>
        {
            Some(p.parse::<u16>().ok().filter(|p| *p > 0)?)
        }
        Some(_) => return None,
    };
    match port {
        Some(443) if scheme == "https" => Some(format!("{scheme}://{host}")),
        Some(80) if scheme == "http" => Some(format!("{scheme}://{host}")),
        Some(p) => Some(format!("{scheme}://{host}:{p}")),
        None => Some(format!("{scheme}://{host}")),
    }
}

/// A DNS name or IPv4 address as a host: dot-separated labels of letters, digits and inner
/// hyphens, each 1 to 63 characters.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn validate_page(page: &str) -> Result<String, InputError> {
    if page.chars().any(is_hidden_character) {
        return Err(InputError::AftershipPage);
    }
    let page = page.trim().trim_end_matches('/');
    let ok = page.starts_with("https://")
        && page.len() <= 200
        && !page.contains(['?', '#', ' ', '"', '<', '>'])
        && normalise_origin(
            page.split('/')
                .take(3)
                .collect::<Vec<_>>()
                .join("/")
                .as_str(),
        )
        .is_some();
    if ok {
        Ok(page.to_string())
    } else {
        Err(InputError::AftershipPage)
    }
}

// ----- merchant: checkpoints -----------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutCheckpointsRequest {
    pub checkpoints: Vec<CheckpointInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointInput {
    pub label: String,
    /// Optional: `label` or `movement`; inferred from the label when absent.
    #[serde(default)]
    pub reached_by: Option<ReachedBy>,
}

impl PutCheckpointsRequest {
    pub fn validate(self) -> Result<Vec<CheckpointDef>, InputError> {
        if self.checkpoints.is_empty() || self.checkpoints.len() > MAX_CHECKPOINTS {
            return Err(InputError::CheckpointCount(self.checkpoints.len()));
        }
        self.checkpoints
            .into_iter()
            .map(|c| {
                let label = bounded_text("checkpoint label", &c.label, 1, MAX_LABEL_CHARS)?;
                let reached_by = c.reached_by.unwrap_or_else(|| ReachedBy::infer(&label));
                Ok(CheckpointDef { label, reached_by })
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointsOut {
    pub checkpoints: Vec<CheckpointDef>,
}

// ----- merchant: shipments -------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateShipmentRequest {
    pub order_ref: String,
    #[serde(default)]
    pub fulfillment_ref: Option<String>,
    /// The sales channel or store (default `manual`).
    #[serde(default)]
    pub channel: Option<String>,
    /// The order's postal code and/or e-mail, with which shoppers look the order up. Kept only
    /// as keyed hashes.
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The customer pays on delivery: a Shopify order is marked paid when delivered.
    #[serde(default)]
    pub cash_on_delivery: bool,
    /// A smartphone order: BackMarket needs its IMEI with the ship confirmation.
    #[serde(default)]
    pub smartphone: bool,
    /// The Shopify order a `shopify:<shop>` shipment fulfils.
    #[serde(default)]
    pub shopify: Option<crate::channels::ShopifyOrder>,
}

/// A validated new shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShipment {
    pub order_ref: String,
    pub fulfillment_ref: Option<String>,
    pub channel: Option<Channel>,
    pub verifiers: Vec<Verifier>,
    pub facts: crate::channels::OrderFacts,
}

impl CreateShipmentRequest {
    pub fn validate(self) -> Result<NewShipment, InputError> {
        let order_ref = bounded_text("order_ref", &self.order_ref, 1, MAX_REF_CHARS)?;
        let fulfillment_ref = self
            .fulfillment_ref
            .map(|f| bounded_text("fulfillment_ref", &f, 1, MAX_REF_CHARS))
            .transpose()?;
        let channel = self
            .channel
            .map(|c| {
                c.parse().map_err(|source| InputError::Id {
                    field: "channel",
                    source,
                })
            })
            .transpose()?;
        let mut verifiers = Vec::new();
        if let Some(code) = self.postal_code {
            verifiers.push(Verifier::postal_code(&code).map_err(InputError::Verifier)?);
        }
        if let Some(email) = self.email {
            verifiers.push(Verifier::email(&email).map_err(InputError::Verifier)?);
        }
        let facts = crate::channels::OrderFacts {
            cash_on_delivery: self.cash_on_delivery,
            smartphone: self.smartphone,
            shopify: self.shopify,
        }
        .check(channel.as_ref().unwrap_or(&Channel::manual()))
        .map_err(InputError::Facts)?;
        Ok(NewShipment {
            order_ref,
            fulfillment_ref,
            channel,
            verifiers,
            facts,
        })
    }
}

/// A shopper's order lookup: the order reference and one verifier.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLookupRequest {
    pub order_ref: String,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderLookupError {
    #[error("give the order reference and either postal_code or email")]
    Incomplete,
    #[error(transparent)]
    Input(#[from] InputError),
}

impl OrderLookupRequest {
    pub fn validate(self) -> Result<(String, Verifier), OrderLookupError> {
        let order_ref = bounded_text("order_ref", &self.order_ref, 1, MAX_REF_CHARS)?;
        let verifier = match (self.postal_code, self.email) {
            (Some(code), None) => Verifier::postal_code(&code),
            (None, Some(email)) => Verifier::email(&email),
            _ => return Err(OrderLookupError::Incomplete),
        }
        .map_err(InputError::Verifier)?;
        Ok((order_ref, verifier))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachTrackingRequest {
    pub tracking_number: String,
    #[serde(default)]
    pub slug: Option<String>,
    /// `default` (absent: the shipment's main TN, replacing the earlier one, as before roles)
    /// or `local` (the last-mile carrier's TN beside it).
    #[serde(default)]
    pub role: Option<String>,
}

/// A validated TN to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTracking {
    pub tracking_number: TrackingNumber,
    pub slug: Option<Slug>,
    pub role: TrackingRole,
}

impl AttachTrackingRequest {
    pub fn validate(self) -> Result<NewTracking, InputError> {
        let role = match self.role.as_deref() {
            None => TrackingRole::Default,
            Some(role) => role.parse().map_err(InputError::Role)?,
        };
        let tn = self
            .tracking_number
            .parse()
            .map_err(|source| InputError::Id {
                field: "tracking_number",
                source,
            })?;
        let slug = self
            .slug
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.parse().map_err(|source| InputError::Id {
                    field: "slug",
                    source,
                })
            })
            .transpose()?;
        Ok(NewTracking {
            tracking_number: tn,
            slug,
            role,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointEventRequest {
    #[serde(deserialize_with = "whole_number")]
    pub checkpoint: usize,
    #[serde(default)]
    pub at: Option<String>,
}

/// A non-negative whole number, written as an integer or as a float with no fraction (`0.0`):
/// JSON does not tell them apart, and neither does JSON Schema.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let number = serde_json::Number::deserialize(d)?;
    if let Some(n) = number.as_u64() {
        return usize::try_from(n).map_err(serde::de::Error::custom);
    }
    match number.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= 1e9 => Ok(f as usize),
        _ => Err(serde::de::Error::custom(
            "expected a whole number of at least 0",
        )),
    }
}

impl CheckpointEventRequest {
    pub fn validate(self) -> Result<(usize, Option<Timestamp>), InputError> {
        let at = self
            .at
            .map(|a| {
                a.parse().map_err(|source| InputError::Time {
                    field: "at",
                    source,
                })
            })
            .transpose()?;
        Ok((self.checkpoint, at))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_refs_in_paths_keep_the_body_rules() {
        use super::order_ref_from_path;
        let table = [
            ("#1001", Some("#1001")),
            ("A-17/2026", Some("A-17/2026")),
            ("Über uns", Some("Über uns")),
            ("\u{202E}1001", None), // a bidi override
            ("\n1001", None),
            (" #1001", None),
            ("", None),
            (" ", None),
        ];
        for (segment, expected) in table {
            assert_eq!(
                order_ref_from_path(segment).as_deref(),
                expected,
                "{segment:?}"
            );
        }
        assert_eq!(order_ref_from_path(&"a".repeat(101)), None);
    }

    use super::*;

    #[test]
    fn origins_normalise_or_are_refused() {
        let table = [
            (
                "https://Shop.Example.com/",
                Some("https://shop.example.com"),
            ),
            (
                "https://shop.example.com:443",
                Some("https://shop.example.com"),
            ),
            ("http://127.0.0.1:8788", Some("http://127.0.0.1:8788")),
            ("https://shop.example.com/path", None),
            ("ftp://shop.example.com", None),
            ("shop.example.com", None),
            ("https://user@shop.example.com", None),
            ("https://shop.example.com:99999", None),
            ("https://shop.example.com\r\n", None),
            ("http://a.com:+80", None),
            ("https://a]:x", None),
            ("http://a:b:80", None),
            ("http://...", None),
            ("http://-", None),
            ("http://shop-.example.com", None),
            ("http://shop.example.com:0", None),
            ("http://shop.example.com:080", None),
            ("http://[::1]", Some("http://[::1]")),
            ("http://[::1]:8788", Some("http://[::1]:8788")),
            ("http://localhost:8788", Some("http://localhost:8788")),
            ("https://shop.example.com\n", None),
            ("https://shop.exa\0mple.com", None),
            ("\thttps://shop.example.com", None),
        ];
        for (input, expected) in table {
            assert_eq!(normalise_origin(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn names_and_urls_with_hidden_characters_are_refused() {
        let create = |name: &str, page: Option<&str>| {
            CreateMerchantRequest {
                id: "acme".into(),
                name: name.into(),
                allowed_origins: vec![],
                aftership_page: page.map(str::to_string),
            }
            .validate()
        };
        for name in [
            "Acme \u{202E}ecafdlrow",
            "Acme\u{200B}",
            "Acme\u{2066}x\u{2069}",
            "Ac\u{0}me",
            "Acme\r\nSet-Cookie: x",
            "\u{FEFF}Acme",
        ] {
            assert!(
                matches!(
                    create(name, None),
                    Err(InputError::ControlCharacter { field: "name" })
                ),
                "{name:?}"
            );
        }
        assert!(create("Acme Outdoor", None).is_ok());
        assert!(
            create("متجر أكمي", None).is_ok(),
            "right-to-left names are fine"
        );
        for page in [
            "https://acme.aftership.com\r\n",
            "https://acme.aftership.com/\n",
            "https://acme.after\0ship.com",
        ] {
            assert_eq!(
                create("Acme", Some(page)),
                Err(InputError::AftershipPage),
                "{page:?}"
            );
        }
        assert!(create("Acme", Some("https://acme.aftership.com/")).is_ok());
    }

    #[test]
    fn a_body_is_a_json_object_never_an_array_of_fields() {
        // serde reads a struct from an array of its fields in order; no client means that.
        for body in ["[null, null]", r##"["#1001"]"##, "null", "", "  [] "] {
            assert!(
                parse_body::<CreateShipmentRequest>(body.as_bytes()).is_err(),
                "{body}"
            );
        }
        assert!(parse_body::<CreateShipmentRequest>(br##" {"order_ref": "#1"}"##).is_ok());
    }

    #[test]
    fn checkpoints_are_validated_with_clear_messages() {
        let parse = |json: &str| {
            parse_body::<PutCheckpointsRequest>(json.as_bytes())
                .and_then(PutCheckpointsRequest::validate)
        };
        let ok =
            parse(r#"{"checkpoints":[{"label":" Packed "},{"label":"Shipping label created"}]}"#)
                .unwrap();
        assert_eq!(ok[0].label, "Packed");
        assert_eq!(ok[1].reached_by, ReachedBy::Label);
        assert_eq!(
            parse(r#"{"checkpoints":[]}"#).unwrap_err().to_string(),
            "checkpoints must hold 1 to 20 entries, not 0"
        );
        let long = format!(r#"{{"checkpoints":[{{"label":"{}"}}]}}"#, "x".repeat(121));
        assert_eq!(
            parse(&long).unwrap_err().to_string(),
            "checkpoint label must be 1 to 120 characters long"
        );
        assert!(parse(r#"{"checkpoints":[{"label":"a","colour":"red"}]}"#)
            .unwrap_err()
            .to_string()
            .contains("unknown field"));
    }
}
