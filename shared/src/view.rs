//! The wire types a shopper's lookup returns (the contract's TrackingView, extended).
//! They carry no personal data by construction: there is no field that could hold any.

use serde::{Deserialize, Serialize};

use crate::aftership::{SubtagMeaning, Tag};
use crate::shipment::TrackingRole;
use crate::stage::{Alert, Stage};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingView {
    pub merchant: MerchantSummary,
    pub itn: String,
    pub tracking_number: Option<String>,
    pub carrier: Option<CarrierSummary>,
    pub status: Status,
    pub progress: Progress,
    pub expected_delivery: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub links: Links,
    pub updated_at: String,
    pub stale: bool,
    /// Every TN of the shipment, the one shown first (`tracking_number`) first. Absent before
    /// a TN exists and in answers from before several TNs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracking_numbers: Vec<TrackingNumberView>,
    /// When it should leave, when it should arrive (and who says so), or that it is late
    /// (`shared::promise`). Absent when there is nothing to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<crate::promise::When>,
}

/// One of a shipment's tracking numbers, as a shopper may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingNumberView {
    pub number: String,
    pub role: TrackingRole,
    pub carrier: Option<CarrierSummary>,
    /// The shareable `/t/` page of this number.
    pub link: String,
    /// This number on AfterShip's tracking page.
    pub aftership: String,
    /// AfterShip reported it as the last-mile number; the merchant did not attach it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantSummary {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierSummary {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub tag: Tag,
    pub subtag: Option<String>,
    pub label: String,
    /// Known meaning of the subtag (cash on delivery collected, refused, returning …).
    pub meaning: Option<SubtagMeaning>,
    /// A TN exists but the carrier has not scanned the parcel yet: not an error.
    pub awaiting_first_scan: bool,
}

/// Where the shipment stands on the progress bar; never moves backwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    /// 0-based position of `stage` among `Stage::ALL`.
    pub step: u8,
    pub steps: u8,
    pub alert: Option<Alert>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Merchant,
    Carrier,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub source: Source,
    pub label: String,
    /// RFC 3339 for merchant times; the carrier's own text for carrier times (its offset kept,
    /// or none when the carrier gave local time only).
    pub time: Option<String>,
    pub location: Option<String>,
    pub tag: Option<Tag>,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    pub itn: String,
    pub tracking_number: Option<String>,
    pub aftership: Option<String>,
}
