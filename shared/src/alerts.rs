//! E-mail alerts to the merchant's staff: who may receive them (verified addresses), which
//! events make which alert, and the message text. No shopper address is ever involved: the
//! recipients are the merchant's own, and a message names only the order reference, the TN
//! and the shipment's page.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

use crate::events::EventKind;
use crate::webhooks::ShipmentSummary;

/// The alerts a recipient can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The recipient refused the parcel.
    Refused,
    /// The carrier did not find the recipient (or could not deliver).
    AttemptFailed,
    /// The parcel is late: no first scan, or no scan for days in transit.
    Stalled,
    /// The parcel really left: the order reference, the TN and the tracking page.
    Shipped,
    /// A field a sales channel needs with its ship confirmation (the IMEI) was not supplied
    /// by its deadline: the confirmation is held until it is.
    DeadlineMissed,
    /// One e-mail a day, at the close of business, listing every order that shipped since the
    /// last one (order reference, TN, tracking page): instead of one `shipped` e-mail each.
    ShippedDigest,
}

impl AlertKind {
    pub const ALL: [AlertKind; 6] = [
        AlertKind::Refused,
        AlertKind::AttemptFailed,
        AlertKind::Stalled,
        AlertKind::Shipped,
        AlertKind::DeadlineMissed,
        AlertKind::ShippedDigest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Refused => "refused",
            AlertKind::AttemptFailed => "attempt_failed",
            AlertKind::Stalled => "stalled",
            AlertKind::Shipped => "shipped",
            AlertKind::DeadlineMissed => "deadline_missed",
            AlertKind::ShippedDigest => "shipped_digest",
        }
    }

    /// The alert an event makes, if any. "Shipped" is the carrier's pickup: the parcel is on
    /// its way, not merely labelled.
    pub fn of(event: EventKind) -> Option<AlertKind> {
        match event {
            EventKind::Refused => Some(AlertKind::Refused),
            EventKind::AttemptFailed => Some(AlertKind::AttemptFailed),
            EventKind::Stalled => Some(AlertKind::Stalled),
            EventKind::PickedUp => Some(AlertKind::Shipped),
            EventKind::ChannelDeadlineMissed => Some(AlertKind::DeadlineMissed),
            _ => None,
        }
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    #[error("email must be one address like ops@shop.example (at most 254 characters)")]
    Email,
    #[error(
        "alerts must list refused, attempt_failed, stalled, shipped, shipped_digest or deadline_missed, not {0:?}"
    )]
    UnknownAlert(String),
    #[error("alerts must name at least one alert")]
    NoAlerts,
    #[error("code must be the six digits from the confirmation e-mail")]
    Code,
}

impl FromStr for AlertKind {
    type Err = AlertError;
    fn from_str(s: &str) -> Result<AlertKind, AlertError> {
        AlertKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| AlertError::UnknownAlert(s.chars().take(40).collect()))
    }
}

/// A merchant's staff address: one `local@domain`, the domain lower-cased, no display name,
/// nothing a header could be smuggled through.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StaffAddress(String);

impl FromStr for StaffAddress {
    type Err = AlertError;
    fn from_str(input: &str) -> Result<StaffAddress, AlertError> {
        let text = input.trim();
        let (local, domain) = text.rsplit_once('@').ok_or(AlertError::Email)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain = domain.to_ascii_lowercase();
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        let address = format!("{local}@{domain}");
        if !local_ok || !domain_ok || address.len() > 254 {
            return Err(AlertError::Email);
        }
        Ok(StaffAddress(address))
    }
}

impl StaffAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `POST /v1/merchants/{id}/alert-recipients`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRecipientRequest {
    pub email: String,
    pub alerts: Vec<String>,
}

impl CreateRecipientRequest {
    pub fn validate(self) -> Result<(StaffAddress, Vec<AlertKind>), AlertError> {
        let email = self.email.parse()?;
        let mut alerts = Vec::new();
        for alert in &self.alerts {
            let kind: AlertKind = alert.parse()?;
            if !alerts.contains(&kind) {
                alerts.push(kind);
            }
        }
        if alerts.is_empty() {
            return Err(AlertError::NoAlerts);
        }
        Ok((email, alerts))
    }
}

/// `POST …/alert-recipients/{id}/verify`: the code from the confirmation e-mail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRecipientRequest {
    pub code: String,
}

impl VerifyRecipientRequest {
    /// Six digits (spaces around them allowed).
    pub fn validate(self) -> Result<String, AlertError> {
        let code = self.code.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(code.to_string())
        } else {
            Err(AlertError::Code)
        }
    }
}

/// An e-mail to send: subject and plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub text: String,
}

/// The alert for one shipment event.
pub fn alert_message(kind: AlertKind, merchant_name: &str, shipment: &ShipmentSummary) -> Message {
    let order = &shipment.order_ref;
    let tn = shipment.tracking_number.as_deref().unwrap_or("(none yet)");
    let (subject, what) = match kind {
        AlertKind::Refused => (
            format!("Refused: order {order}"),
            "The recipient refused the parcel. It will usually come back to you; contact the customer about the order.",
        ),
        AlertKind::AttemptFailed => (
            format!("Delivery attempt failed: order {order}"),
            "The carrier could not deliver: the recipient was not found or not available at the address.",
        ),
        AlertKind::Stalled => (
            format!("Late: order {order}"),
            "The parcel has not moved as it should: no first scan after its pickup, or no new scan for several business days.",
        ),
        AlertKind::Shipped => (
            format!("Shipped: order {order}"),
            "The carrier has picked the parcel up.",
        ),
        AlertKind::ShippedDigest => (
            format!("Shipped: order {order}"),
            "The carrier has picked the parcel up.",
        ),
        AlertKind::DeadlineMissed => (
            format!("Action needed: order {order}"),
            "A field the sales channel needs with its ship confirmation (the phone's IMEI) was not supplied in time. The confirmation is held, not skipped: supply the field (PUT .../shipments/{itn}/fields) and it goes out at once, saying which deadline it missed.",
        ),
    };
    Message {
        subject,
        text: format!(
            "{what}\n\nOrder: {order}\nTracking number: {tn}\nShipment: {itn}\nTracking page: {url}\n\n-- \nWaymark alerts for {merchant_name}. Change them in your settings.\n",
            itn = shipment.itn,
            url = shipment.tracking_url,
        ),
    }
}

/// One shipped order in the daily digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    pub order_ref: String,
    pub itn: String,
    pub tracking_number: Option<String>,
    pub tracking_url: String,
    /// When the carrier picked it up.
    pub shipped_at: Timestamp,
}

/// The daily digest of shipped orders, oldest first. `day` names the merchant's local day it
/// closes (`2026-11-23`).
pub fn digest_message(merchant_name: &str, day: &str, items: &[DigestItem]) -> Message {
    let mut sorted: Vec<&DigestItem> = items.iter().collect();
    sorted.sort_by(|a, b| (a.shipped_at, &a.order_ref).cmp(&(b.shipped_at, &b.order_ref)));
    let count = sorted.len();
    let orders = if count == 1 { "order" } else { "orders" };
    let mut text = format!("{count} {orders} shipped (picked up by the carrier) for {merchant_name}, up to the close of {day}:\n\n");
    for item in sorted {
        text.push_str(&format!(
            "Order {order}\n  Tracking number: {tn}\n  Tracking page: {url}\n\n",
            order = item.order_ref,
            tn = item.tracking_number.as_deref().unwrap_or("(none yet)"),
            url = item.tracking_url,
        ));
    }
    text.push_str(&format!(
        "-- \nWaymark's daily digest for {merchant_name}. Change it in your alert settings.\n"
    ));
    Message {
        subject: format!("Shipped today: {count} {orders} ({day})"),
        text,
    }
}

/// The close of business a digest is due for at `now`: the latest closing time (the merchant's
/// business hours, in its zone, every day: orders ship on weekends too) at or before `now`
/// and after `sent_through`, the close the last digest covered. `None`: not due.
pub fn digest_due(
    settings: &crate::settings::MerchantSettings,
    sent_through: Option<Timestamp>,
    now: Timestamp,
) -> Option<Timestamp> {
    let tz = settings.time_zone.tz();
    let close = settings.business_hours.close().naive();
    let today = crate::calendar::local_date(tz, now);
    let closes = [today.pred_opt(), Some(today)];
    closes
        .into_iter()
        .flatten()
        .map(|date| crate::calendar::resolve_local(tz, date, close))
        .filter(|at| *at <= now && sent_through.is_none_or(|sent| *at > sent))
        .max()
}

/// The next close of business after `now`, when the next digest falls due.
pub fn next_digest_at(settings: &crate::settings::MerchantSettings, now: Timestamp) -> Timestamp {
    let tz = settings.time_zone.tz();
    let close = settings.business_hours.close().naive();
    let today = crate::calendar::local_date(tz, now);
    [
        Some(today),
        today.succ_opt(),
        today.succ_opt().and_then(|d| d.succ_opt()),
    ]
    .into_iter()
    .flatten()
    .map(|date| crate::calendar::resolve_local(tz, date, close))
    .find(|at| *at > now)
    .unwrap_or(now.plus_seconds(86_400))
}

/// The message asking a new recipient to confirm their address.
pub fn verification_message(merchant_name: &str, code: &str) -> Message {
    Message {
        subject: format!("Confirm Waymark alerts for {merchant_name}"),
        text: format!(
            "Someone at {merchant_name} asked for Waymark shipment alerts to be sent to this address.\n\nYour confirmation code: {code}\n\nIt expires in 24 hours. If you did not expect this, ignore this message: nothing will be sent.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_york() -> crate::settings::MerchantSettings {
        let patch = crate::settings::SettingsPatch::from_json(
            br#"{"time_zone": "America/New_York", "business_hours": {"open": "09:00", "close": "17:30"}}"#,
        )
        .unwrap();
        crate::settings::MerchantSettings::default()
            .apply(&patch)
            .unwrap()
            .0
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_digest_falls_due_once_per_close_of_business_in_the_merchants_zone() {
        let settings = new_york();
        let monday_close = ts("2026-11-23T17:30:00-05:00");
        let sunday_close = ts("2026-11-22T17:30:00-05:00");
        let table = [
            // (last sent through, now, due)
            (None, "2026-11-23T17:29:59-05:00", Some(sunday_close)),
            (Some(sunday_close), "2026-11-23T17:29:59-05:00", None),
            (
                Some(sunday_close),
                "2026-11-23T17:30:00-05:00",
                Some(monday_close),
            ),
            (Some(monday_close), "2026-11-23T23:59:00-05:00", None),
            // A missed evening is caught up the next morning, once.
            (
                Some(sunday_close),
                "2026-11-24T08:00:00-05:00",
                Some(monday_close),
            ),
            // Summer time: the close stays 17:30 local (21:30 UTC).
            (
                None,
                "2026-07-01T21:31:00Z",
                Some(ts("2026-07-01T17:30:00-04:00")),
            ),
        ];
        for (sent, now, due) in table {
            assert_eq!(digest_due(&settings, sent, ts(now)), due, "{now}");
        }
        assert_eq!(
            next_digest_at(&settings, ts("2026-11-23T17:30:00-05:00")),
            ts("2026-11-24T17:30:00-05:00")
        );
        assert_eq!(
            next_digest_at(&settings, ts("2026-11-23T12:00:00-05:00")),
            monday_close
        );
    }

    #[test]
    fn the_digest_lists_each_order_with_its_tn_and_link_oldest_first() {
        let item = |order: &str, at: &str| DigestItem {
            order_ref: order.into(),
            itn: "WM-1".into(),
            tracking_number: Some(format!("TN-{order}")),
            tracking_url: format!("https://track.example.com/t/acme/{order}"),
            shipped_at: ts(at),
        };
        let message = digest_message(
            "Acme",
            "2026-11-23",
            &[
                item("#2", "2026-11-23T15:00:00Z"),
                item("#1", "2026-11-23T14:00:00Z"),
            ],
        );
        assert_eq!(message.subject, "Shipped today: 2 orders (2026-11-23)");
        let first = message.text.find("Order #1").unwrap();
        let second = message.text.find("Order #2").unwrap();
        assert!(first < second);
        assert!(
            message.text.contains("TN-#1")
                && message.text.contains("https://track.example.com/t/acme/#2")
        );
    }

    #[test]
    fn staff_addresses_are_single_plain_addresses() {
        let table = [
            ("ops@Shop.Example", Some("ops@shop.example")),
            (
                " alerts+waymark@shop.example ",
                Some("alerts+waymark@shop.example"),
            ),
            ("ops@shop", None),
            ("Ops <ops@shop.example>", None),
            ("ops@shop.example\r\nBcc: x@evil.example", None),
            ("a..b@shop.example", None),
            ("@shop.example", None),
            ("ops@-shop.example", None),
            ("ops@shop.example,other@shop.example", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                input
                    .parse::<StaffAddress>()
                    .ok()
                    .as_ref()
                    .map(StaffAddress::as_str),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn events_make_alerts_and_requests_validate() {
        assert_eq!(AlertKind::of(EventKind::Refused), Some(AlertKind::Refused));
        assert_eq!(AlertKind::of(EventKind::PickedUp), Some(AlertKind::Shipped));
        assert_eq!(AlertKind::of(EventKind::Delivered), None);
        let ok = CreateRecipientRequest {
            email: "ops@shop.example".into(),
            alerts: vec!["refused".into(), "refused".into(), "stalled".into()],
        };
        assert_eq!(
            ok.validate().unwrap().1,
            vec![AlertKind::Refused, AlertKind::Stalled]
        );
        let none = CreateRecipientRequest {
            email: "ops@shop.example".into(),
            alerts: vec![],
        };
        assert_eq!(none.validate().unwrap_err(), AlertError::NoAlerts);
    }

    #[test]
    fn an_alert_names_the_order_the_tn_and_the_page_and_nothing_personal() {
        let shipment = ShipmentSummary {
            merchant: "acme".into(),
            itn: "WM-7K3M-9QZP-2XHD-R2".into(),
            order_ref: "#1001".into(),
            channel: "manual".into(),
            tracking_number: Some("1Z999AA10123456784".into()),
            tracking_numbers: vec!["1Z999AA10123456784".into()],
            carrier: Some("ups".into()),
            tracking_url: "https://track.example.com/t/acme/WM-7K3M-9QZP-2XHD-R2".into(),
        };
        let message = alert_message(AlertKind::Refused, "Acme Outdoor", &shipment);
        assert_eq!(message.subject, "Refused: order #1001");
        for part in [
            "#1001",
            "1Z999AA10123456784",
            "https://track.example.com/t/acme/WM-7K3M-9QZP-2XHD-R2",
        ] {
            assert!(message.text.contains(part), "{part}");
        }
        let verify = verification_message("Acme Outdoor", "481516");
        assert!(verify.text.contains("481516"));
    }
}
