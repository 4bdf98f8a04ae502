//! AfterShip's data model, read tolerantly from real payloads.
//!
//! AfterShip's payloads drift: legacy v4 wraps the tracking in `data.tracking`, every dated
//! version (2024-04 … 2026-07) makes `data` the tracking itself; `country_iso3` became
//! `country_region`, `zip` became `postal_code`, `expected_delivery` (a string) became several
//! estimated-delivery objects. Any field can be null, missing, or of an unexpected type.
//! So payloads are read field by field from a `serde_json::Value`, never through a strict
//! derive: an odd field costs that field, never the whole tracking.
//!
//! What comes out ([`CarrierTracking`]) holds only what a shopper may see: no names, emails,
//! phone numbers, addresses or order references, so it is safe to cache and to serve.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::ids::{Itn, MerchantId, Slug};
use crate::redact::{looks_like_street_address, redact_personal_data};
use crate::time::{CarrierTime, Timestamp};

/// AfterShip's nine delivery statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tag {
    Pending,
    InfoReceived,
    InTransit,
    OutForDelivery,
    AttemptFail,
    Delivered,
    AvailableForPickup,
    Exception,
    Expired,
}

impl Tag {
    pub const ALL: [Tag; 9] = [
        Tag::Pending,
        Tag::InfoReceived,
        Tag::InTransit,
        Tag::OutForDelivery,
        Tag::AttemptFail,
        Tag::Delivered,
        Tag::AvailableForPickup,
        Tag::Exception,
        Tag::Expired,
    ];

    /// Parses AfterShip's spelling. Unknown tags yield `None`: tolerated, never an error.
    pub fn parse(text: &str) -> Option<Tag> {
        Tag::ALL
            .into_iter()
            .find(|tag| tag.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Pending => "Pending",
            Tag::InfoReceived => "InfoReceived",
            Tag::InTransit => "InTransit",
            Tag::OutForDelivery => "OutForDelivery",
            Tag::AttemptFail => "AttemptFail",
            Tag::Delivered => "Delivered",
            Tag::AvailableForPickup => "AvailableForPickup",
            Tag::Exception => "Exception",
            Tag::Expired => "Expired",
        }
    }

    /// English label for API consumers; the widget translates by tag.
    pub fn label(self) -> &'static str {
        match self {
            Tag::Pending => "Pending",
            Tag::InfoReceived => "Label created",
            Tag::InTransit => "In transit",
            Tag::OutForDelivery => "Out for delivery",
            Tag::AttemptFail => "Delivery attempt failed",
            Tag::Delivered => "Delivered",
            Tag::AvailableForPickup => "Available for pickup",
            Tag::Exception => "Exception",
            Tag::Expired => "Expired",
        }
    }

    /// True once the parcel is physically with the carrier and moving.
    pub fn shows_movement(self) -> bool {
        !matches!(self, Tag::Pending | Tag::InfoReceived | Tag::Expired)
    }

    /// A finished shipment needs no more refreshing.
    pub fn is_final(self) -> bool {
        matches!(self, Tag::Delivered | Tag::Expired)
    }
}

/// What a known subtag means for the merchant's automation and the shopper's view.
/// Unknown subtags are kept verbatim on the checkpoint and simply mean nothing special.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubtagMeaning {
    DeliveredPickedUpByCustomer,
    DeliveredSigned,
    CashOnDeliveryCollected,
    DeliveredToNeighbour,
    RecipientMoved,
    Refused,
    CustomsDelay,
    HeldForPayment,
    Lost,
    Damaged,
    ReturningToSender,
    ReturnedToSender,
    Cancelled,
    RecipientNotAvailable,
}

impl SubtagMeaning {
    /// The meaning of AfterShip's subtag code, per its published list of delivery
    /// sub-statuses (`Exception_008` "pick up missed" and `Exception_009` "rejected by
    /// carrier" are plain exceptions here).
    pub fn of(subtag: &str) -> Option<SubtagMeaning> {
        use SubtagMeaning::*;
        Some(match subtag {
            "Delivered_002" => DeliveredPickedUpByCustomer,
            "Delivered_003" => DeliveredSigned,
            "Delivered_004" => CashOnDeliveryCollected,
            "Delivered_005" => DeliveredToNeighbour,
            "Exception_002" => RecipientMoved,
            "Exception_003" => Refused,
            "Exception_004" => CustomsDelay,
            "Exception_006" => HeldForPayment,
            "Exception_010" => ReturningToSender,
            "Exception_011" => ReturnedToSender,
            "Exception_012" => Damaged,
            "Exception_013" => Lost,
            // Added by AfterShip for trackings from 27 March 2026 on.
            "Exception_020" => Cancelled,
            "AttemptFail_002" => RecipientNotAvailable,
            _ => return None,
        })
    }

    pub fn is_return(self) -> bool {
        matches!(
            self,
            SubtagMeaning::ReturningToSender | SubtagMeaning::ReturnedToSender
        )
    }
}

/// One carrier scan, reduced to what a shopper may see.
///
/// Deserialising (from the cache) applies the same rules as reading a payload: a message is
/// redacted again, a location keeps only plain place names, a subtag only AfterShip's shape.
/// So what an older, weaker version cached is cleaned when read, not served as it was.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CarrierCheckpoint {
    pub time: Option<CarrierTime>,
    #[serde(deserialize_with = "redacted")]
    pub message: String,
    #[serde(default, deserialize_with = "clean_location")]
    pub location: Option<String>,
    pub tag: Option<Tag>,
    #[serde(default, deserialize_with = "subtag_code")]
    pub subtag: Option<String>,
}

/// A tracking as Waymark keeps it: the carrier's state, with nothing personal in it.
/// Like [`CarrierCheckpoint`], deserialising re-applies the rules to the carrier's free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CarrierTracking {
    /// AfterShip's id for the tracking (used to read it back).
    pub id: Option<String>,
    pub tracking_number: Option<String>,
    pub slug: Option<String>,
    pub tag: Option<Tag>,
    #[serde(default, deserialize_with = "subtag_code")]
    pub subtag: Option<String>,
    #[serde(default, deserialize_with = "redacted_option")]
    pub subtag_message: Option<String>,
    pub expected_delivery: Option<CarrierTime>,
    /// Who made `expected_delivery` (absent from data cached before it was kept).
    #[serde(default)]
    pub expected_delivery_source: Option<EstimateSource>,
    pub checkpoints: Vec<CarrierCheckpoint>,
    /// Custom fields Waymark set at registration (its ITN and merchant), for webhooks.
    pub waymark_itn: Option<String>,
    pub waymark_merchant: Option<String>,
    /// When AfterShip last changed this tracking (its `updated_at`): decides which of two
    /// carrier states is newer. Absent from JSON cached before it existed.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// The last-mile carrier's own number, when AfterShip reports one (its `last_mile`
    /// object): a consolidator's parcel handed to a local carrier. Shoppers may look it up.
    #[serde(default, deserialize_with = "last_mile_checked")]
    pub last_mile: Option<LastMile>,
}

/// The local carrier that takes a parcel over for the last mile, as AfterShip reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMile {
    pub tracking_number: String,
    pub slug: Option<String>,
}

impl LastMile {
    /// Reads AfterShip's `last_mile` object: kept only with a number in a carrier's shape.
    fn from_value(value: &Value) -> Option<LastMile> {
        let tracking_number = text(value, "tracking_number").filter(|n| is_tracking_number(n))?;
        Some(LastMile {
            tracking_number,
            slug: text(value, "slug")
                .map(|s| s.to_ascii_lowercase())
                .filter(|s| s.parse::<Slug>().is_ok()),
        })
    }
}

/// How a call to AfterShip failed, in the terms the edge decides on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("AfterShip rejected the API key")]
    Unauthorized,
    #[error("AfterShip does not know this tracking yet")]
    NotFound,
    #[error("the tracking already exists in AfterShip")]
    AlreadyExists,
    #[error("AfterShip rate limited the request")]
    RateLimited,
    #[error("AfterShip refused the request (code {meta_code})")]
    BadRequest { meta_code: i64 },
    #[error("AfterShip failed (HTTP {status})")]
    Server { status: u16 },
    #[error("AfterShip answered something that is not its JSON envelope (HTTP {status})")]
    Malformed { status: u16 },
}

/// Reads an AfterShip response (status and raw body) into its `data` value, or a typed error.
/// Never panics, whatever the body holds.
pub fn read_envelope(status: u16, body: &[u8]) -> Result<Value, ApiError> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let meta_code = parsed
        .as_ref()
        .and_then(|v| v.get("meta"))
        .and_then(|m| m.get("code"))
        .and_then(Value::as_i64);
    if (200..300).contains(&status) {
        return match parsed {
            Some(mut value) if value.is_object() => Ok(value
                .get_mut("data")
                .map(Value::take)
                .unwrap_or(Value::Null)),
            _ => Err(ApiError::Malformed { status }),
        };
    }
    Err(match (status, meta_code) {
        (_, Some(4003)) => ApiError::AlreadyExists,
        (_, Some(4004)) | (404, _) => ApiError::NotFound,
        (401 | 403, _) => ApiError::Unauthorized,
        (429, _) | (_, Some(429)) => ApiError::RateLimited,
        (500..=599, _) => {
            if parsed.is_some() {
                ApiError::Server { status }
            } else {
                ApiError::Malformed { status }
            }
        }
        (_, Some(code)) => ApiError::BadRequest { meta_code: code },
        _ => ApiError::Malformed { status },
    })
}

/// Finds the tracking object in a `data` value of any API version: `data.tracking` (v4),
/// `data` itself (dated versions), or the first of `data.trackings` (list endpoints).
pub fn tracking_in_data(data: &Value) -> Option<&Value> {
    if let Some(tracking) = data.get("tracking").filter(|t| t.is_object()) {
        return Some(tracking);
    }
    if let Some(first) = data
        .get("trackings")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
    {
        return Some(first);
    }
    let looks_like_tracking = ["tracking_number", "checkpoints", "slug", "tag"]
        .iter()
        .any(|k| data.get(k).is_some());
    (data.is_object() && looks_like_tracking).then_some(data)
}

/// All trackings in a list response (`data.trackings`), each read tolerantly.
pub fn trackings_in_data(data: &Value) -> Vec<CarrierTracking> {
    data.get("trackings")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|t| t.is_object())
                .map(CarrierTracking::from_value)
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => {
            let trimmed = s.trim();
            (!trimmed.is_empty()).then(|| trimmed.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl CarrierTracking {
    /// Reads a tracking object of any API version. Fields of the wrong type are skipped.
    pub fn from_value(tracking: &Value) -> CarrierTracking {
        let checkpoints = tracking
            .get("checkpoints")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(CarrierCheckpoint::from_value)
                    .collect()
            })
            .unwrap_or_default();
        let custom = tracking.get("custom_fields");
        let estimate = expected_delivery(tracking);
        CarrierTracking {
            id: text(tracking, "id").filter(|id| is_plain_id(id, 64)),
            tracking_number: text(tracking, "tracking_number").filter(|n| is_tracking_number(n)),
            slug: text(tracking, "slug")
                .map(|s| s.to_ascii_lowercase())
                .filter(|s| s.parse::<Slug>().is_ok()),
            tag: text(tracking, "tag").as_deref().and_then(Tag::parse),
            subtag: subtag(tracking),
            subtag_message: text(tracking, "subtag_message").map(|m| redact_personal_data(&m)),
            expected_delivery: estimate.as_ref().map(|(time, _)| time.clone()),
            expected_delivery_source: estimate.map(|(_, source)| source),
            checkpoints,
            // Custom fields come back from AfterShip as free text: keep them only in the shape
            // Waymark wrote them in (an ITN, a merchant id), so nothing else can ride along.
            waymark_itn: custom
                .and_then(|c| text(c, "waymark_itn"))
                .and_then(|i| i.parse::<Itn>().ok())
                .map(|itn| itn.to_string()),
            waymark_merchant: custom
                .and_then(|c| text(c, "waymark_merchant"))
                .filter(|m| m.parse::<MerchantId>().is_ok_and(|id| id.as_str() == m)),
            updated_at: text(tracking, "updated_at").and_then(|t| t.parse().ok()),
            last_mile: tracking.get("last_mile").and_then(LastMile::from_value),
        }
    }

    /// The newest checkpoint time, as a [`CarrierTime::sort_key`], if any checkpoint has one.
    pub fn newest_checkpoint_key(&self) -> Option<i64> {
        self.checkpoints
            .iter()
            .filter_map(|c| c.time.as_ref().map(CarrierTime::sort_key))
            .max()
    }

    /// Parses a whole response body (any version) into the tracking it holds.
    pub fn from_response(status: u16, body: &[u8]) -> Result<CarrierTracking, ApiError> {
        let data = read_envelope(status, body)?;
        tracking_in_data(&data)
            .map(CarrierTracking::from_value)
            .ok_or(ApiError::Malformed { status })
    }

    /// The tracking's own tag, else the newest checkpoint's (some payloads omit the former).
    /// "Newest" is by time, not by position: carriers list checkpoints in either order.
    pub fn effective_tag(&self) -> Option<Tag> {
        self.tag.or_else(|| {
            let mut last_key = i64::MIN;
            self.checkpoints
                .iter()
                .enumerate()
                .filter_map(|(index, c)| {
                    if let Some(t) = &c.time {
                        last_key = t.sort_key();
                    }
                    c.tag.map(|tag| ((last_key, index), tag))
                })
                .max_by_key(|(key, _)| *key)
                .map(|(_, tag)| tag)
        })
    }
}

/// Who estimated a delivery date: the carrier, AfterShip (its predicted delivery), or the
/// merchant (a custom date set in AfterShip). Shoppers are told which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimateSource {
    Carrier,
    #[serde(rename = "aftership")]
    AfterShip,
    Merchant,
}

impl EstimateSource {
    /// The `source` AfterShip gives its latest and first estimates (`Carrier EDD`,
    /// `AfterShip EDD`, `Custom EDD`, `Order EDD`); unknown ones are AfterShip's own.
    fn of_label(label: Option<String>) -> EstimateSource {
        let label = label.unwrap_or_default().to_ascii_lowercase();
        if label.contains("carrier") || label.contains("courier") {
            EstimateSource::Carrier
        } else if label.contains("custom") || label.contains("order") {
            EstimateSource::Merchant
        } else {
            EstimateSource::AfterShip
        }
    }
}

/// The best estimate of delivery among the fields different versions use, in order of
/// authority: the merchant's custom date, AfterShip's latest estimate, the courier's, then
/// the legacy `expected_delivery` string; with who made it.
fn expected_delivery(tracking: &Value) -> Option<(CarrierTime, EstimateSource)> {
    let estimate = |key: &str| tracking.get(key).filter(|v| v.is_object());
    let candidates = [
        estimate("custom_estimated_delivery_date")
            .and_then(|v| text(v, "datetime"))
            .map(|t| (t, EstimateSource::Merchant)),
        estimate("latest_estimated_delivery").and_then(|v| {
            let time = text(v, "datetime").or_else(|| text(v, "datetime_max"))?;
            Some((time, EstimateSource::of_label(text(v, "source"))))
        }),
        estimate("courier_estimated_delivery_date")
            .and_then(|v| {
                text(v, "estimated_delivery_date")
                    .or_else(|| text(v, "estimated_delivery_date_max"))
            })
            .map(|t| (t, EstimateSource::Carrier)),
        estimate("aftership_estimated_delivery_date")
            .and_then(|v| text(v, "estimated_delivery_date"))
            .map(|t| (t, EstimateSource::AfterShip)),
        estimate("first_estimated_delivery").and_then(|v| {
            let time = text(v, "datetime")?;
            Some((time, EstimateSource::of_label(text(v, "source"))))
        }),
        text(tracking, "expected_delivery").map(|t| (t, EstimateSource::Carrier)),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|(t, source)| Some((CarrierTime::parse(&t)?, source)))
}

impl CarrierCheckpoint {
    /// Reads one checkpoint of any version; `None` only when it is not an object at all.
    pub fn from_value(checkpoint: &Value) -> Option<CarrierCheckpoint> {
        if !checkpoint.is_object() {
            return None;
        }
        let tag = text(checkpoint, "tag").as_deref().and_then(Tag::parse);
        let message = text(checkpoint, "message")
            .or_else(|| text(checkpoint, "subtag_message"))
            .or_else(|| tag.map(|t| t.label().to_string()))
            .unwrap_or_default();
        Some(CarrierCheckpoint {
            time: text(checkpoint, "checkpoint_time").and_then(|t| CarrierTime::parse(&t)),
            message: redact_personal_data(&message),
            location: location(checkpoint),
            tag,
            subtag: subtag(checkpoint),
        })
    }
}

/// A subtag in AfterShip's shape (`InTransit_003`); anything else is carrier free text, dropped.
fn subtag(value: &Value) -> Option<String> {
    text(value, "subtag").filter(|s| is_subtag_code(s))
}

fn is_subtag_code(s: &str) -> bool {
    s.split_once('_').is_some_and(|(word, number)| {
        (1..=32).contains(&word.len())
            && word.bytes().all(|b| b.is_ascii_alphabetic())
            && (1..=4).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_digit())
    })
}

// Deserialising from the cache: the same rules again (see `CarrierCheckpoint`).

fn redacted<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(|m| redact_personal_data(&m))
}

fn redacted_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|m| m.map(|m| redact_personal_data(&m)))
}

fn subtag_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|s| s.filter(|s| is_subtag_code(s)))
}

fn last_mile_checked<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LastMile>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.as_ref().and_then(LastMile::from_value))
}

fn clean_location<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|l| l.and_then(|l| join_place_parts([Some(l)])))
}

/// An opaque id of ASCII letters, digits, `-` and `_`.
fn is_plain_id(id: &str, max: usize) -> bool {
    id.len() <= max
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A carrier tracking number as carriers print it: letters, digits, spaces and dashes.
fn is_tracking_number(number: &str) -> bool {
    number.len() <= 64
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' ')
}

/// A readable place built only from the structured `city`, `state` and country fields.
///
/// The carrier's free-text `location` line is never used: carriers put street addresses and
/// postcodes there (`12 OAKHURST LANE, SPRINGFIELD`). Postcodes (`zip`, `postal_code`) are never
/// used either. Even `city` and `state` are hostile input, so each comma-separated part of them
/// is kept only when it reads as a plain place name: no digits (street numbers, postcodes), no
/// street or unit words, nothing the redaction would touch. When unsure, the part is dropped.
fn location(checkpoint: &Value) -> Option<String> {
    let country = [
        "country_region_name",
        "country_name",
        "country_region",
        "country_iso3",
    ]
    .into_iter()
    .find_map(|key| text(checkpoint, key).and_then(|v| place_name(&v)));
    join_place_parts([text(checkpoint, "city"), text(checkpoint, "state"), country])
}

/// The plain place names among the comma-separated parts of the values, once each, joined.
fn join_place_parts<const N: usize>(values: [Option<String>; N]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for value in values.into_iter().flatten() {
        for part in value.split([',', ';', '\n']) {
            if let Some(part) = place_name(part) {
                if !parts
                    .iter()
                    .any(|p| p.to_lowercase() == part.to_lowercase())
                {
                    parts.push(part);
                }
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// One part of a place name, cleaned, or `None` when it might be anything more than a place.
fn place_name(part: &str) -> Option<String> {
    let words: Vec<&str> = part.split_whitespace().collect();
    let cleaned = words.join(" ");
    let plain = !cleaned.is_empty()
        && cleaned.chars().count() <= 40
        && words.len() <= 5
        && cleaned.chars().any(char::is_alphabetic)
        && cleaned.chars().all(|c| {
            c.is_alphabetic() || ('\u{0300}'..='\u{036F}').contains(&c) || " .'’-()".contains(c)
        })
        && !looks_like_street_address(&cleaned)
        && redact_personal_data(&cleaned) == cleaned;
    plain.then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_and_legacy_shapes_read_alike() {
        let legacy = br#"{"meta":{"code":200},"data":{"tracking":{"id":"a1","tracking_number":"1Z","slug":"UPS","tag":"InTransit",
            "checkpoints":[{"checkpoint_time":"2026-11-21T16:58:00+08:00","message":"Picked up","city":"DONGGUAN","country_iso3":"CHN","country_name":"China","zip":"523000","tag":"InTransit"}]}}}"#;
        let dated = br#"{"meta":{"code":200},"data":{"id":"a1","tracking_number":"1Z","slug":"ups","tag":"InTransit",
            "checkpoints":[{"checkpoint_time":"2026-11-21T16:58:00+08:00","message":"Picked up","city":"DONGGUAN","country_region":"CHN","country_region_name":"China","postal_code":"523000","tag":"InTransit"}]}}"#;
        let a = CarrierTracking::from_response(200, legacy).unwrap();
        let b = CarrierTracking::from_response(200, dated).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.checkpoints[0].location.as_deref(),
            Some("DONGGUAN, China")
        );
        assert_eq!(a.slug.as_deref(), Some("ups"));
    }

    #[test]
    fn subtag_meanings_follow_afterships_published_list() {
        use SubtagMeaning::*;
        let table = [
            ("Delivered_001", None),
            ("Delivered_004", Some(CashOnDeliveryCollected)),
            ("Exception_003", Some(Refused)),
            ("Exception_006", Some(HeldForPayment)),
            ("Exception_007", None),
            ("Exception_008", None),
            ("Exception_009", None),
            ("Exception_010", Some(ReturningToSender)),
            ("Exception_011", Some(ReturnedToSender)),
            ("Exception_012", Some(Damaged)),
            ("Exception_013", Some(Lost)),
            ("Exception_020", Some(Cancelled)),
            ("AttemptFail_002", Some(RecipientNotAvailable)),
        ];
        for (code, meaning) in table {
            assert_eq!(SubtagMeaning::of(code), meaning, "{code}");
        }
    }

    #[test]
    fn odd_fields_cost_only_themselves() {
        let body = br#"{"meta":{"code":200},"data":{"tracking_number":12345,"tag":"Teleported","subtag":null,
            "checkpoints":[null, 7, {"checkpoint_time":"garbage","message":null,"tag":"InTransit"},{"message":"\u00e9t\u00e9 \ud83d\ude9a","checkpoint_time":"2026-01-01T00:00:00-03:30"}],
            "latest_estimated_delivery":{"datetime":"2026-11-25"}}}"#;
        let t = CarrierTracking::from_response(200, body).unwrap();
        assert_eq!(t.tracking_number.as_deref(), Some("12345"));
        assert_eq!(t.tag, None, "unknown tag tolerated");
        assert_eq!(t.checkpoints.len(), 2);
        assert_eq!(t.checkpoints[0].time, None);
        assert_eq!(t.checkpoints[0].message, "In transit");
        assert_eq!(t.checkpoints[1].message, "été 🚚");
        assert_eq!(
            t.expected_delivery.as_ref().map(CarrierTime::as_str),
            Some("2026-11-25T00:00:00")
        );
        assert_eq!(t.effective_tag(), Some(Tag::InTransit));
    }

    #[test]
    fn error_envelopes_become_typed_errors() {
        let table: &[(u16, &[u8], ApiError)] = &[
            (401, br#"{"meta":{"code":401,"message":"Invalid API Key.","type":"Unauthorized"},"data":{}}"#, ApiError::Unauthorized),
            (404, br#"{"meta":{"code":4004,"message":"Tracking does not exist.","type":"NotFound"},"data":{}}"#, ApiError::NotFound),
            (400, br#"{"meta":{"code":4003,"message":"Tracking already exists.","type":"BadRequest"},"data":{}}"#, ApiError::AlreadyExists),
            (429, br#"{"meta":{"code":429,"message":"Too many requests","type":"TooManyRequests"},"data":{}}"#, ApiError::RateLimited),
            (500, br#"{"meta":{"code":500,"message":"Something went wrong","type":"InternalError"},"data":{}}"#, ApiError::Server { status: 500 }),
            (502, b"Interal Error", ApiError::Malformed { status: 502 }),
            (200, b"{not json", ApiError::Malformed { status: 200 }),
            (400, br#"{"meta":{"code":4010,"message":"x"}}"#, ApiError::BadRequest { meta_code: 4010 }),
        ];
        for (status, body, expected) in table {
            assert_eq!(
                read_envelope(*status, body).unwrap_err(),
                *expected,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
