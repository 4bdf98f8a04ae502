//! The Shopify connector's pure half: GraphQL Admin API requests built as values, and replies
//! read into typed outcomes, errors and a throttling decision. The edge makes the HTTP calls
//! (`POST https://{shop}/admin/api/{API_VERSION}/graphql.json` with the
//! [`ACCESS_TOKEN_HEADER`]) and stores what comes back.
//!
//! The API version is pinned ([`API_VERSION`]). Every document here is checked against that
//! version's published schema by the stand-in Shopify (`tests/standin/shopify.py`), using the
//! schema subset in `tests/fixtures/shopify/`, which `tests/fixtures/shopify/requests.json`
//! (written by this module's tests) feeds.
//!
//! # What is sent when
//!
//! | Waymark | Shopify |
//! |---|---|
//! | the channel's confirmation ([`crate::channels`]) | `fulfillmentCreate`: the TN, the carrier's name, the shipment's `/t/` link, `notifyCustomer` as the merchant set |
//! | a corrected TN on a store that does not lock | `fulfillmentTrackingInfoUpdate` on the fulfilment created before |
//! | carrier events | `fulfillmentEventCreate`, each status once ([`fulfillment_event_status`]) |
//! | a cash-on-delivery order delivered | `orderMarkAsPaid` ([`cod_paid_due`]) |
//!
//! # Throttling
//!
//! Shopify limits by calculated query cost: each reply's `extensions.cost` says what the call
//! cost and the bucket's state (`throttleStatus`: `maximumAvailable`, `currentlyAvailable`,
//! `restoreRate` points per second). [`wait_seconds`] says how long to wait before a call of a
//! given cost fits. A throttled call is answered either with HTTP 200 and an error whose
//! `extensions.code` is `THROTTLED`, or with HTTP 429: both read as [`ShopifyError::Throttled`].
//!
//! # The access token
//!
//! [`ShopifyToken`] holds the merchant's token. Its `Debug` and `Display` never print it, it has
//! no serde, and [`ShopifyToken::expose`] is the one way to read it, for the request header.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Value};

use crate::events::{EventKind, MerchantEvent};
use crate::ids::{Itn, MerchantId, TrackingNumber};
use crate::order::Channel;
use crate::time::Timestamp;

/// The Admin API version every call uses: Shopify's current stable release.
pub const API_VERSION: &str = "2026-10";
/// The header that carries the access token.
pub const ACCESS_TOKEN_HEADER: &str = "X-Shopify-Access-Token";
/// What Shopify charges a mutation (its requested cost), for planning before the first reply.
pub const MUTATION_COST: f64 = 10.0;
/// The wait after a throttled answer that says nothing about the bucket.
pub const DEFAULT_THROTTLE_WAIT_SECONDS: f64 = 1.0;

/// The path of the GraphQL endpoint, `/admin/api/2026-10/graphql.json`.
pub fn graphql_path() -> String {
    format!("/admin/api/{API_VERSION}/graphql.json")
}

fn echo(input: &str) -> String {
    input.chars().take(60).collect()
}

/// Why a value is not something Shopify can be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopifyInputError {
    #[error("{what} must be a Shopify ID like gid://shopify/{resource}/1234567890 (or its number), not {found:?}")]
    Id {
        what: &'static str,
        resource: &'static str,
        found: String,
    },
    #[error(
        "the Shopify store must be its myshopify.com domain, like acme.myshopify.com, not {0:?}"
    )]
    ShopDomain(String),
    #[error("the channel {0} is not a Shopify store (shopify:<shop>.myshopify.com)")]
    NotShopify(String),
    #[error("the access token must be 1 to 255 visible ASCII characters (no spaces)")]
    Token,
    #[error("a fulfilment needs at least one fulfilment order")]
    NoFulfillmentOrders,
    #[error("the tracking link must be an absolute https URL (configure the public base URL), not {0:?}")]
    TrackingUrl(String),
}

// ----- identifiers -----------------------------------------------------------------------------

macro_rules! gid {
    ($(#[$doc:meta])* $name:ident, $resource:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const RESOURCE: &'static str = $resource;

            /// The global ID, `gid://shopify/…/123`.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ShopifyInputError;
            /// `gid://shopify/{resource}/123`, or the bare number `123`.
            fn from_str(input: &str) -> Result<$name, ShopifyInputError> {
                let input = input.trim();
                let number = input
                    .strip_prefix(concat!("gid://shopify/", $resource, "/"))
                    .unwrap_or(input);
                let ok = (1..=20).contains(&number.len())
                    && number.bytes().all(|b| b.is_ascii_digit())
                    && !number.starts_with('0');
                if ok {
                    Ok($name(format!(concat!("gid://shopify/", $resource, "/{}"), number)))
                } else {
                    Err(ShopifyInputError::Id {
                        what: $what,
                        resource: $resource,
                        found: echo(input),
                    })
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

gid!(
    /// A fulfilment order: what one location has to ship of an order.
    FulfillmentOrderId,
    "FulfillmentOrder",
    "the fulfilment order id"
);
gid!(
    /// A fulfilment Waymark created (it carries the tracking).
    FulfillmentId,
    "Fulfillment",
    "the fulfilment id"
);
gid!(
    /// An order.
    OrderId,
    "Order",
    "the order id"
);

/// A store's `myshopify.com` domain, where its Admin API answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShopDomain(String);

impl ShopDomain {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The store of a `shopify:<shop>` channel.
    pub fn of_channel(channel: &Channel) -> Result<ShopDomain, ShopifyInputError> {
        match channel.as_str().split_once(':') {
            Some(("shopify", shop)) => shop.parse(),
            _ => Err(ShopifyInputError::NotShopify(channel.to_string())),
        }
    }

    /// `https://{shop}/admin/api/{API_VERSION}/graphql.json`.
    pub fn endpoint(&self) -> String {
        format!("https://{}{}", self.0, graphql_path())
    }
}

impl FromStr for ShopDomain {
    type Err = ShopifyInputError;
    fn from_str(input: &str) -> Result<ShopDomain, ShopifyInputError> {
        let shop = input.trim().to_ascii_lowercase();
        let ok = shop.strip_suffix(".myshopify.com").is_some_and(|name| {
            (1..=60).contains(&name.len())
                && !name.starts_with('-')
                && !name.ends_with('-')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        if ok {
            Ok(ShopDomain(shop))
        } else {
            Err(ShopifyInputError::ShopDomain(echo(input)))
        }
    }
}

impl fmt::Display for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The merchant's Admin API access token: a secret. Neither `Debug` nor `Display` prints it,
/// and it has no serde; [`ShopifyToken::expose`] gives it to the request header.
#[derive(Clone, PartialEq, Eq)]
pub struct ShopifyToken(String);

impl ShopifyToken {
    /// The token itself, for the [`ACCESS_TOKEN_HEADER`] and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for ShopifyToken {
    type Err = ShopifyInputError;
    /// 1 to 255 visible ASCII characters (a header value that cannot smuggle a line break).
    fn from_str(input: &str) -> Result<ShopifyToken, ShopifyInputError> {
        let token = input.trim();
        let ok = (1..=255).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(ShopifyToken(token.to_string()))
        } else {
            Err(ShopifyInputError::Token)
        }
    }
}

impl fmt::Debug for ShopifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShopifyToken(redacted)")
    }
}

impl fmt::Display for ShopifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The shipment's `/t/` page as an absolute URL, the fulfilment's tracking link. The ITN's
/// link, so it stays right when the TN is corrected. `base_url` is the edge's configured public
/// origin; Shopify needs an absolute https URL.
pub fn tracking_url(
    base_url: &str,
    merchant: &MerchantId,
    itn: Itn,
) -> Result<String, ShopifyInputError> {
    let base = base_url.trim().trim_end_matches('/');
    let host = base.strip_prefix("https://").unwrap_or_default();
    let ok = !host.is_empty()
        && !host.contains('/')
        && !base.chars().any(|c| c.is_whitespace() || c.is_control())
        && !base.contains(['?', '#', '@', '"', '<', '>']);
    if !ok {
        return Err(ShopifyInputError::TrackingUrl(echo(base_url)));
    }
    Ok(format!("{base}/t/{merchant}/{itn}"))
}

/// Shopify's name for a carrier (from its list of supported tracking companies, for which it
/// builds tracking links itself), by AfterShip's slug. `None` for a carrier not mapped here:
/// the fulfilment then goes without a company and with Waymark's link.
pub fn company_for_slug(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "ups" => "UPS",
        "usps" => "USPS",
        "fedex" => "FedEx",
        "dhl" => "DHL Express",
        "dhl-global-mail" => "DHL eCommerce",
        "canada-post" => "Canada Post",
        "purolator" => "Purolator",
        "australia-post" => "Australia Post",
        "royal-mail" => "Royal Mail",
        "dpd-uk" => "DPD UK",
        "ontrac" => "OnTrac",
        "china-post" => "China Post",
        "yunexpress" => "YunExpress",
        "4px" => "4PX",
        "new-zealand-post" => "New Zealand Post",
        "swiss-post" => "Swiss Post",
        "postnl" => "PostNL",
        "poste-italiane" => "Poste Italiane",
        _ => return None,
    })
}

// ----- requests --------------------------------------------------------------------------------

/// The mutations Waymark sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutation {
    FulfillmentCreate,
    FulfillmentTrackingInfoUpdate,
    FulfillmentEventCreate,
    OrderMarkAsPaid,
}

impl Mutation {
    pub const ALL: [Mutation; 4] = [
        Mutation::FulfillmentCreate,
        Mutation::FulfillmentTrackingInfoUpdate,
        Mutation::FulfillmentEventCreate,
        Mutation::OrderMarkAsPaid,
    ];

    /// The mutation field, which is also the key of its payload under `data`.
    pub fn field(self) -> &'static str {
        match self {
            Mutation::FulfillmentCreate => "fulfillmentCreate",
            Mutation::FulfillmentTrackingInfoUpdate => "fulfillmentTrackingInfoUpdate",
            Mutation::FulfillmentEventCreate => "fulfillmentEventCreate",
            Mutation::OrderMarkAsPaid => "orderMarkAsPaid",
        }
    }

    /// The operation's name in the document.
    pub fn operation_name(self) -> &'static str {
        match self {
            Mutation::FulfillmentCreate => "WaymarkFulfillmentCreate",
            Mutation::FulfillmentTrackingInfoUpdate => "WaymarkFulfillmentTrackingInfoUpdate",
            Mutation::FulfillmentEventCreate => "WaymarkFulfillmentEventCreate",
            Mutation::OrderMarkAsPaid => "WaymarkOrderMarkAsPaid",
        }
    }

    /// The GraphQL document, fixed text: only variables change between calls.
    pub fn document(self) -> &'static str {
        match self {
            Mutation::FulfillmentCreate => FULFILLMENT_CREATE,
            Mutation::FulfillmentTrackingInfoUpdate => FULFILLMENT_TRACKING_INFO_UPDATE,
            Mutation::FulfillmentEventCreate => FULFILLMENT_EVENT_CREATE,
            Mutation::OrderMarkAsPaid => ORDER_MARK_AS_PAID,
        }
    }
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

const FULFILLMENT_CREATE: &str = "\
mutation WaymarkFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment {
      id
      status
      trackingInfo(first: 1) {
        number
        company
        url
      }
    }
    userErrors {
      field
      message
    }
  }
}
";

const FULFILLMENT_TRACKING_INFO_UPDATE: &str = "\
mutation WaymarkFulfillmentTrackingInfoUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {
    fulfillment {
      id
      status
      trackingInfo(first: 1) {
        number
        company
        url
      }
    }
    userErrors {
      field
      message
    }
  }
}
";

const FULFILLMENT_EVENT_CREATE: &str = "\
mutation WaymarkFulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent {
      id
      status
      happenedAt
    }
    userErrors {
      field
      message
    }
  }
}
";

const ORDER_MARK_AS_PAID: &str = "\
mutation WaymarkOrderMarkAsPaid($input: OrderMarkAsPaidInput!) {
  orderMarkAsPaid(input: $input) {
    order {
      id
      displayFinancialStatus
    }
    userErrors {
      field
      message
    }
  }
}
";

/// One GraphQL request: a fixed document and its variables.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlRequest {
    pub mutation: Mutation,
    pub variables: Value,
}

impl GraphqlRequest {
    pub fn query(&self) -> &'static str {
        self.mutation.document()
    }

    /// The JSON body to POST: `{"query", "operationName", "variables"}`.
    pub fn body(&self) -> String {
        json!({
            "query": self.query(),
            "operationName": self.mutation.operation_name(),
            "variables": self.variables,
        })
        .to_string()
    }
}

/// The tracking Shopify shows: the TN, the carrier's name, Waymark's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingInfo<'a> {
    pub number: &'a TrackingNumber,
    /// Shopify's name for the carrier ([`company_for_slug`]), if known.
    pub company: Option<&'a str>,
    /// The shipment's `/t/` link ([`tracking_url`]), if the edge has a public base URL.
    pub url: Option<&'a str>,
}

impl TrackingInfo<'_> {
    fn to_json(&self) -> Result<Value, ShopifyInputError> {
        let mut info = serde_json::Map::new();
        info.insert("number".into(), json!(self.number.as_str()));
        if let Some(company) = self.company {
            info.insert("company".into(), json!(company));
        }
        if let Some(url) = self.url {
            let host = url.strip_prefix("https://").unwrap_or_default();
            if host.is_empty() || host.starts_with('/') || url.chars().any(char::is_whitespace) {
                return Err(ShopifyInputError::TrackingUrl(echo(url)));
            }
            info.insert("url".into(), json!(url));
        }
        Ok(Value::Object(info))
    }
}

/// `fulfillmentCreate`: fulfil all line items of `fulfillment_orders` (one order, one location)
/// with the tracking, telling the customer or not.
pub fn fulfillment_create(
    fulfillment_orders: &[FulfillmentOrderId],
    tracking: &TrackingInfo<'_>,
    notify_customer: bool,
) -> Result<GraphqlRequest, ShopifyInputError> {
    if fulfillment_orders.is_empty() {
        return Err(ShopifyInputError::NoFulfillmentOrders);
    }
    let line_items: Vec<Value> = fulfillment_orders
        .iter()
        .map(|id| json!({ "fulfillmentOrderId": id.as_str() }))
        .collect();
    Ok(GraphqlRequest {
        mutation: Mutation::FulfillmentCreate,
        variables: json!({
            "fulfillment": {
                "lineItemsByFulfillmentOrder": line_items,
                "notifyCustomer": notify_customer,
                "trackingInfo": tracking.to_json()?,
            }
        }),
    })
}

/// `fulfillmentTrackingInfoUpdate`: a corrected TN on the fulfilment created before (a store
/// channel that does not lock).
pub fn fulfillment_tracking_info_update(
    fulfillment: &FulfillmentId,
    tracking: &TrackingInfo<'_>,
    notify_customer: bool,
) -> Result<GraphqlRequest, ShopifyInputError> {
    Ok(GraphqlRequest {
        mutation: Mutation::FulfillmentTrackingInfoUpdate,
        variables: json!({
            "fulfillmentId": fulfillment.as_str(),
            "trackingInfoInput": tracking.to_json()?,
            "notifyCustomer": notify_customer,
        }),
    })
}

/// The status of a fulfilment event, as Shopify spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FulfillmentEventStatus {
    AttemptedDelivery,
    CarrierPickedUp,
    Confirmed,
    Delayed,
    Delivered,
    Failure,
    InTransit,
    LabelPrinted,
    LabelPurchased,
    OutForDelivery,
    ReadyForPickup,
}

impl FulfillmentEventStatus {
    /// Every value of the enum in the pinned version.
    pub const ALL: [FulfillmentEventStatus; 11] = [
        FulfillmentEventStatus::AttemptedDelivery,
        FulfillmentEventStatus::CarrierPickedUp,
        FulfillmentEventStatus::Confirmed,
        FulfillmentEventStatus::Delayed,
        FulfillmentEventStatus::Delivered,
        FulfillmentEventStatus::Failure,
        FulfillmentEventStatus::InTransit,
        FulfillmentEventStatus::LabelPrinted,
        FulfillmentEventStatus::LabelPurchased,
        FulfillmentEventStatus::OutForDelivery,
        FulfillmentEventStatus::ReadyForPickup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FulfillmentEventStatus::AttemptedDelivery => "ATTEMPTED_DELIVERY",
            FulfillmentEventStatus::CarrierPickedUp => "CARRIER_PICKED_UP",
            FulfillmentEventStatus::Confirmed => "CONFIRMED",
            FulfillmentEventStatus::Delayed => "DELAYED",
            FulfillmentEventStatus::Delivered => "DELIVERED",
            FulfillmentEventStatus::Failure => "FAILURE",
            FulfillmentEventStatus::InTransit => "IN_TRANSIT",
            FulfillmentEventStatus::LabelPrinted => "LABEL_PRINTED",
            FulfillmentEventStatus::LabelPurchased => "LABEL_PURCHASED",
            FulfillmentEventStatus::OutForDelivery => "OUT_FOR_DELIVERY",
            FulfillmentEventStatus::ReadyForPickup => "READY_FOR_PICKUP",
        }
    }
}

impl fmt::Display for FulfillmentEventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fulfilment event a merchant event posts, if any.
///
/// | event | status |
/// |---|---|
/// | `shipment.picked_up` | `CARRIER_PICKED_UP` |
/// | `shipment.in_transit` | `IN_TRANSIT` |
/// | `shipment.out_for_delivery` | `OUT_FOR_DELIVERY` |
/// | `shipment.attempt_failed` | `ATTEMPTED_DELIVERY` |
/// | `shipment.delivered` | `DELIVERED` |
/// | `shipment.refused`, `shipment.returning` | `FAILURE` (the delivery failed for good) |
/// | `shipment.stalled` | `DELAYED` |
///
/// Nothing for `tracking.assigned` (the fulfilment itself says so), `shipment.cod_collected`
/// (`orderMarkAsPaid`'s business) and `shipment.exception`, which covers a customs hold or a
/// damaged label as well as a refusal: those that end the delivery post `FAILURE` through their
/// own events, and a mere exception tells the customer nothing they can act on.
pub fn fulfillment_event_status(kind: EventKind) -> Option<FulfillmentEventStatus> {
    use FulfillmentEventStatus as S;
    match kind {
        EventKind::PickedUp => Some(S::CarrierPickedUp),
        EventKind::InTransit => Some(S::InTransit),
        EventKind::OutForDelivery => Some(S::OutForDelivery),
        EventKind::AttemptFailed => Some(S::AttemptedDelivery),
        EventKind::Delivered => Some(S::Delivered),
        EventKind::Refused | EventKind::Returning => Some(S::Failure),
        EventKind::Stalled => Some(S::Delayed),
        EventKind::TrackingAssigned
        | EventKind::CodCollected
        | EventKind::Exception
        | EventKind::ChannelConfirmation
        | EventKind::ChannelDeadlineMissed
        | EventKind::ChannelConflict => None,
    }
}

/// The fulfilment events to post for `events`: each status once (a refusal and the return that
/// follows post one `FAILURE`), at its earliest instant, leaving out statuses already `posted`,
/// in time order.
pub fn fulfillment_events_to_post(
    events: &[MerchantEvent],
    posted: &[FulfillmentEventStatus],
) -> Vec<(FulfillmentEventStatus, Timestamp)> {
    let mut out: Vec<(FulfillmentEventStatus, Timestamp)> = Vec::new();
    for event in events {
        let Some(status) = fulfillment_event_status(event.kind) else {
            continue;
        };
        if posted.contains(&status) {
            continue;
        }
        match out.iter_mut().find(|(s, _)| *s == status) {
            Some((_, at)) => *at = (*at).min(event.at),
            None => out.push((status, event.at)),
        }
    }
    out.sort_by_key(|(status, at)| (*at, *status));
    out
}

/// `fulfillmentEventCreate`: one carrier event on the fulfilment, when it happened.
pub fn fulfillment_event_create(
    fulfillment: &FulfillmentId,
    status: FulfillmentEventStatus,
    happened_at: Timestamp,
) -> GraphqlRequest {
    GraphqlRequest {
        mutation: Mutation::FulfillmentEventCreate,
        variables: json!({
            "fulfillmentEvent": {
                "fulfillmentId": fulfillment.as_str(),
                "status": status.as_str(),
                "happenedAt": happened_at.to_string(),
            }
        }),
    }
}

/// When a cash-on-delivery order is to be marked paid: once delivered (`shipment.delivered`, or
/// the carrier's cash-collected subtag), only for an order the merchant marked cash on delivery
/// (a prepaid order is never marked paid by Waymark).
pub fn cod_paid_due(cash_on_delivery: bool, events: &[MerchantEvent]) -> Option<Timestamp> {
    if !cash_on_delivery {
        return None;
    }
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Delivered | EventKind::CodCollected))
        .map(|e| e.at)
        .min()
}

/// `orderMarkAsPaid`: a delivered cash-on-delivery order.
pub fn order_mark_as_paid(order: &OrderId) -> GraphqlRequest {
    GraphqlRequest {
        mutation: Mutation::OrderMarkAsPaid,
        variables: json!({ "input": { "id": order.as_str() } }),
    }
}

// ----- replies ---------------------------------------------------------------------------------

/// The bucket's state after a call (`extensions.cost.throttleStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// What a call cost (`extensions.cost`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueryCost {
    pub requested: f64,
    /// `None` when the call did not run (throttled).
    pub actual: Option<f64>,
    pub throttle: ThrottleStatus,
}

/// Seconds to wait, from `now`, before a call of `cost` points fits the bucket last seen at
/// `observed_at`: the bucket refills at `restore_rate` points per second up to
/// `maximum_available`. A cost above the bucket's size waits for a full bucket. A bucket that
/// does not refill (or says nothing usable) waits [`DEFAULT_THROTTLE_WAIT_SECONDS`] when the
/// call does not fit.
pub fn wait_seconds(
    throttle: &ThrottleStatus,
    observed_at: Timestamp,
    now: Timestamp,
    cost: f64,
) -> f64 {
    let ThrottleStatus {
        maximum_available: maximum,
        currently_available: current,
        restore_rate: rate,
    } = *throttle;
    let usable = |x: f64| x.is_finite() && x >= 0.0;
    if !(usable(maximum) && usable(current) && usable(cost)) {
        return DEFAULT_THROTTLE_WAIT_SECONDS;
    }
    let elapsed = (now.millis().saturating_sub(observed_at.millis())).max(0) as f64 / 1000.0;
    let needed = cost.min(maximum);
    if !(usable(rate) && rate > 0.0) {
        return if current >= needed {
            0.0
        } else {
            DEFAULT_THROTTLE_WAIT_SECONDS
        };
    }
    let available = (current + rate * elapsed).min(maximum);
    if available >= needed {
        0.0
    } else {
        (needed - available) / rate
    }
}

/// One entry of a payload's `userErrors`: the input path Shopify blames and its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    pub field: Vec<String>,
    pub message: String,
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field.join("."), self.message)
        }
    }
}

/// What a successful call did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// `fulfillmentCreate` or `fulfillmentTrackingInfoUpdate`: keep the fulfilment's id for
    /// its events and later corrections.
    Fulfillment {
        fulfillment: FulfillmentId,
        status: Option<String>,
        tracking_number: Option<String>,
    },
    FulfillmentEvent {
        id: String,
        status: Option<FulfillmentEventStatus>,
    },
    OrderMarkedAsPaid {
        order: OrderId,
        financial_status: Option<String>,
    },
}

/// Whether and when a failed call may be tried again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retry {
    /// Never as it is: the request, the token or the store must change first.
    No,
    /// After this many seconds.
    After(f64),
    /// On the caller's own back-off schedule (a server error, a broken reply).
    Later,
}

/// Why a call did not do what it was sent to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShopifyError {
    #[error("Shopify refused {mutation}: {}", join(errors))]
    UserErrors {
        mutation: Mutation,
        errors: Vec<UserError>,
    },
    #[error("Shopify throttled the call: wait {wait_seconds:.1} s")]
    Throttled { wait_seconds: f64 },
    #[error(
        "the store refused the access token (HTTP 401): the merchant must reconnect the store"
    )]
    Unauthorized,
    #[error("the store is frozen for an unpaid bill (HTTP 402)")]
    PaymentRequired,
    #[error("the app lacks an access scope this call needs (HTTP 403)")]
    Forbidden,
    #[error("no such store or API version (HTTP 404)")]
    NotFound,
    #[error("the store is locked (HTTP 423)")]
    Locked,
    #[error("Shopify failed (HTTP {0})")]
    Server(u16),
    #[error("Shopify refused the request (HTTP {0})")]
    Status(u16),
    #[error("Shopify refused the document: {}", .0.join("; "))]
    Graphql(Vec<String>),
    #[error("Shopify's reply could not be read: {0}")]
    Malformed(String),
}

fn join(errors: &[UserError]) -> String {
    errors
        .iter()
        .map(UserError::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ShopifyError {
    pub fn retry(&self) -> Retry {
        match self {
            ShopifyError::Throttled { wait_seconds } => Retry::After(*wait_seconds),
            ShopifyError::Server(_) | ShopifyError::Malformed(_) => Retry::Later,
            ShopifyError::UserErrors { .. }
            | ShopifyError::Unauthorized
            | ShopifyError::PaymentRequired
            | ShopifyError::Forbidden
            | ShopifyError::NotFound
            | ShopifyError::Locked
            | ShopifyError::Status(_)
            | ShopifyError::Graphql(_) => Retry::No,
        }
    }
}

/// A reply read: the outcome or why not, and what the call cost when Shopify said.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub result: Result<Outcome, ShopifyError>,
    pub cost: Option<QueryCost>,
}

fn number(value: &Value) -> Option<f64> {
    value.as_f64().filter(|x| x.is_finite())
}

fn read_cost(body: &Value) -> Option<QueryCost> {
    let cost = body.get("extensions")?.get("cost")?;
    let throttle = cost.get("throttleStatus")?;
    Some(QueryCost {
        requested: number(cost.get("requestedQueryCost")?)?,
        actual: cost.get("actualQueryCost").and_then(number),
        throttle: ThrottleStatus {
            maximum_available: number(throttle.get("maximumAvailable")?)?,
            currently_available: number(throttle.get("currentlyAvailable")?)?,
            restore_rate: number(throttle.get("restoreRate")?)?,
        },
    })
}

fn throttle_wait(cost: Option<&QueryCost>, retry_after: Option<&str>) -> f64 {
    let from_bucket = cost.map(|c| {
        // The throttled call did not run: the bucket has to hold its requested cost.
        wait_seconds(&c.throttle, Timestamp(0), Timestamp(0), c.requested)
    });
    let from_header = retry_after
        .and_then(|h| h.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0);
    match (from_bucket, from_header) {
        (Some(a), Some(b)) => a.max(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => DEFAULT_THROTTLE_WAIT_SECONDS,
    }
}

/// Reads Shopify's reply to `mutation`: the HTTP status, the `Retry-After` header if any, and
/// the body. Never fails: a reply that cannot be read is [`ShopifyError::Malformed`].
pub fn read_reply(
    mutation: Mutation,
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
) -> Reply {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let cost = parsed.as_ref().and_then(read_cost);
    let fail = |error: ShopifyError| Reply {
        result: Err(error),
        cost,
    };
    match status {
        401 => return fail(ShopifyError::Unauthorized),
        402 => return fail(ShopifyError::PaymentRequired),
        403 => return fail(ShopifyError::Forbidden),
        404 => return fail(ShopifyError::NotFound),
        423 => return fail(ShopifyError::Locked),
        429 => {
            return fail(ShopifyError::Throttled {
                wait_seconds: throttle_wait(cost.as_ref(), retry_after),
            })
        }
        500..=599 => return fail(ShopifyError::Server(status)),
        200..=299 => {}
        _ => return fail(ShopifyError::Status(status)),
    }
    let Some(body) = parsed else {
        return fail(ShopifyError::Malformed("the body is not JSON".into()));
    };
    if let Some(errors) = body.get("errors").and_then(Value::as_array) {
        if !errors.is_empty() {
            let code = |e: &Value| {
                e.get("extensions")
                    .and_then(|x| x.get("code"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let throttled = errors.iter().any(|e| {
                code(e).as_deref() == Some("THROTTLED")
                    || e.get("message").and_then(Value::as_str) == Some("Throttled")
            });
            if throttled {
                return fail(ShopifyError::Throttled {
                    wait_seconds: throttle_wait(cost.as_ref(), retry_after),
                });
            }
            if errors
                .iter()
                .any(|e| code(e).as_deref() == Some("INTERNAL_SERVER_ERROR"))
            {
                return fail(ShopifyError::Server(status));
            }
            let messages = errors
                .iter()
                .map(|e| {
                    let message = e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("(no message)");
                    match code(e) {
                        Some(code) => format!("{message} ({code})"),
                        None => message.to_string(),
                    }
                })
                .map(|m| m.chars().take(300).collect())
                .collect();
            return fail(ShopifyError::Graphql(messages));
        }
    }
    let Some(payload) = body
        .get("data")
        .and_then(|d| d.get(mutation.field()))
        .filter(|p| p.is_object())
    else {
        return fail(ShopifyError::Malformed(format!(
            "no data.{} in the reply",
            mutation.field()
        )));
    };
    let user_errors: Vec<UserError> = payload
        .get("userErrors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| UserError {
                    field: e
                        .get("field")
                        .and_then(Value::as_array)
                        .map(|path| {
                            path.iter()
                                .map(|p| match p {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    message: e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("(no message)")
                        .chars()
                        .take(300)
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    if !user_errors.is_empty() {
        return fail(ShopifyError::UserErrors {
            mutation,
            errors: user_errors,
        });
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let outcome = match mutation {
        Mutation::FulfillmentCreate | Mutation::FulfillmentTrackingInfoUpdate => {
            let fulfillment = payload.get("fulfillment");
            let id = fulfillment
                .and_then(|f| f.get("id"))
                .and_then(Value::as_str)
                .and_then(|id| id.parse::<FulfillmentId>().ok());
            id.map(|fulfillment_id| Outcome::Fulfillment {
                fulfillment: fulfillment_id,
                status: text(fulfillment.and_then(|f| f.get("status"))),
                tracking_number: text(
                    fulfillment
                        .and_then(|f| f.get("trackingInfo"))
                        .and_then(|t| t.get(0))
                        .and_then(|t| t.get("number")),
                ),
            })
        }
        Mutation::FulfillmentEventCreate => {
            let event = payload.get("fulfillmentEvent");
            text(event.and_then(|e| e.get("id"))).map(|id| Outcome::FulfillmentEvent {
                id,
                status: event
                    .and_then(|e| e.get("status"))
                    .and_then(|s| serde_json::from_value(s.clone()).ok()),
            })
        }
        Mutation::OrderMarkAsPaid => {
            let order = payload.get("order");
            order
                .and_then(|o| o.get("id"))
                .and_then(Value::as_str)
                .and_then(|id| id.parse::<OrderId>().ok())
                .map(|order_id| Outcome::OrderMarkedAsPaid {
                    order: order_id,
                    financial_status: text(order.and_then(|o| o.get("displayFinancialStatus"))),
                })
        }
    };
    match outcome {
        Some(outcome) => Reply {
            result: Ok(outcome),
            cost,
        },
        None => fail(ShopifyError::Malformed(format!(
            "data.{} has no id",
            mutation.field()
        ))),
    }
}

#[cfg(test)]
mod tests;
