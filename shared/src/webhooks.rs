//! Outgoing webhooks to the merchant's systems, per the Standard Webhooks specification
//! (<https://www.standardwebhooks.com>): the endpoint rules, the signature, the payload and
//! the retry schedule. The edge stores endpoints and deliveries, queues the attempts and makes
//! the HTTP calls; every decision about them is here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::events::{EventKind, MerchantEvent};
use crate::time::Timestamp;

/// The longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2048;
/// Endpoints one merchant may register.
pub const MAX_ENDPOINTS: usize = 20;
/// Attempts before a delivery is given up (then it is dead-lettered, and can be replayed).
pub const MAX_ATTEMPTS: u32 = 18;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("url must be an absolute https URL of at most {MAX_URL_CHARS} characters, like https://hooks.example.com/waymark")]
    NotHttps,
    #[error("url must not carry credentials or a fragment")]
    CredentialsOrFragment,
    #[error("url must name a public host: loopback, private, link-local and local-only names are refused")]
    PrivateHost,
    #[error("events must list known event types (for example \"shipment.delivered\"), not {0:?}")]
    UnknownEvent(String),
    #[error("a merchant may register at most {MAX_ENDPOINTS} endpoints")]
    TooMany,
}

/// An endpoint URL that may receive deliveries: https and a public host. `local_development`
/// also admits http and loopback or private hosts (a receiver on the developer's machine);
/// deployments never set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    pub fn parse(input: &str, local_development: bool) -> Result<EndpointUrl, EndpointError> {
        let url = input.trim();
        if url.chars().count() > MAX_URL_CHARS || url.chars().any(|c| c.is_control() || c == ' ') {
            return Err(EndpointError::NotHttps);
        }
        let rest = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            rest
        } else if let Some(rest) =
            strip_prefix_ignore_case(url, "http://").filter(|_| local_development)
        {
            rest
        } else {
            return Err(EndpointError::NotHttps);
        };
        if url.contains('#') {
            return Err(EndpointError::CredentialsOrFragment);
        }
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(EndpointError::CredentialsOrFragment);
        }
        let host = host_of(authority).ok_or(EndpointError::NotHttps)?;
        if !local_development && !is_public_host(&host) {
            return Err(EndpointError::PrivateHost);
        }
        Ok(EndpointUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The host of `host[:port]` or `[v6]:port`, lower-cased; `None` when malformed.
fn host_of(authority: &str) -> Option<String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return None;
        }
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    if host.parse::<IpAddr>().is_ok() {
        return Some(host);
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    labels_ok.then_some(host)
}

/// A host the public internet can reach: not an IP in a loopback, private, link-local,
/// shared-address, documentation or unspecified range, and not a name that only resolves
/// locally (`localhost`, `.local`, `.internal`, a single label).
fn is_public_host(host: &str) -> bool {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => is_public_v4(ip),
        Ok(IpAddr::V6(ip)) => is_public_v6(ip),
        Err(_) => {
            let local_suffix = [
                "localhost",
                "local",
                "internal",
                "intranet",
                "lan",
                "home.arpa",
                "localdomain",
                "corp",
            ]
            .iter()
            .any(|suffix| host == *suffix || host.ends_with(&format!(".{suffix}")));
            host.contains('.') && !local_suffix
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 224)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xff00) == 0xff00 // multicast
        || first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

/// Which events an endpoint receives: the listed kinds, or all when the list is empty.
pub fn parse_filter(events: &[String]) -> Result<Vec<EventKind>, EndpointError> {
    let mut kinds = Vec::with_capacity(events.len());
    for event in events {
        let kind = event
            .parse::<EventKind>()
            .map_err(|_| EndpointError::UnknownEvent(event.chars().take(64).collect()))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// `POST /v1/merchants/{id}/webhook-endpoints`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    pub url: String,
    /// Event types to receive; absent or empty: every type.
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A validated endpoint to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    pub url: EndpointUrl,
    pub events: Vec<EventKind>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointRequestError {
    #[error("{0}")]
    Endpoint(#[from] EndpointError),
    #[error("description must be at most 200 visible characters")]
    Description,
}

impl CreateEndpointRequest {
    pub fn validate(self, local_development: bool) -> Result<NewEndpoint, EndpointRequestError> {
        let url = EndpointUrl::parse(&self.url, local_development)?;
        let events = parse_filter(&self.events)?;
        let description = match self.description.map(|d| d.trim().to_string()) {
            Some(d)
                if d.chars().count() > 200 || d.chars().any(crate::api::is_hidden_character) =>
            {
                return Err(EndpointRequestError::Description)
            }
            Some(d) if d.is_empty() => None,
            other => other,
        };
        Ok(NewEndpoint {
            url,
            events,
            description,
        })
    }
}

pub fn wants(filter: &[EventKind], kind: EventKind) -> bool {
    filter.is_empty() || filter.contains(&kind)
}

/// A new endpoint secret in Standard Webhooks' form: `whsec_` and 32 random bytes, base64.
pub fn secret_from_bytes(bytes: &[u8; 32]) -> String {
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256, keyed with the secret's
/// bytes, of `{id}.{timestamp}.{body}`. `None` for a secret not in `whsec_` base64 form.
pub fn sign(secret: &str, id: &str, timestamp_seconds: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Some(format!("v1,{signature}"))
}

/// The `webhook-id` of a delivery: the same for every attempt and replay of it, so receivers
/// can drop repeats. One per event and endpoint.
pub fn message_id(event: &MerchantEvent, endpoint_id: &str) -> String {
    message_id_of(&event.key.to_string(), endpoint_id)
}

/// [`message_id`] for any delivery's stable key (a channel notice's, a Shopify call's).
pub fn message_id_of(key: &str, endpoint_id: &str) -> String {
    use sha2::Digest;
    let digest = Sha256::digest(format!("{key}|{endpoint_id}").as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// What the shipment looks like to the merchant's systems in a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentSummary {
    pub merchant: String,
    pub itn: String,
    pub order_ref: String,
    pub channel: String,
    /// The TN sent to sales channels (the merchant's display setting's choice).
    pub tracking_number: Option<String>,
    pub tracking_numbers: Vec<String>,
    pub carrier: Option<String>,
    /// The shipment's shareable page.
    pub tracking_url: String,
}

/// The body of a delivery, Standard Webhooks' recommended shape: `type`, `timestamp` (when
/// the event happened) and `data`.
pub fn payload(event: &MerchantEvent, shipment: &ShipmentSummary) -> String {
    #[derive(Serialize)]
    struct Data<'a> {
        #[serde(flatten)]
        shipment: &'a ShipmentSummary,
        event: &'a MerchantEvent,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        #[serde(rename = "type")]
        kind: EventKind,
        timestamp: Timestamp,
        data: Data<'a>,
    }
    serde_json::to_string(&Body {
        kind: event.kind,
        timestamp: event.at,
        data: Data { shipment, event },
    })
    .unwrap_or_default()
}

/// Seconds to wait before attempt `attempt + 1` after `attempt` failed ones: doubling from
/// `base`, at most 12 hours (Cloudflare Queues' longest delay). With the default base of 30 s,
/// [`MAX_ATTEMPTS`] attempts span about three days. `None`: give up.
pub fn retry_delay_seconds(attempt: u32, base: u32) -> Option<u32> {
    (attempt < MAX_ATTEMPTS).then(|| {
        let exponent = attempt.saturating_sub(1).min(20);
        base.max(1).saturating_mul(1 << exponent).min(12 * 3600)
    })
}

/// Whether an answer counts as received: any 2xx.
pub fn accepted(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_must_be_https_and_public_outside_local_development() {
        let table = [
            ("https://hooks.example.com/waymark", Ok(()), Ok(())),
            ("HTTPS://Hooks.Example.com:8443/w?x=1", Ok(()), Ok(())),
            (
                "http://hooks.example.com/w",
                Err(EndpointError::NotHttps),
                Ok(()),
            ),
            (
                "ftp://hooks.example.com",
                Err(EndpointError::NotHttps),
                Err(EndpointError::NotHttps),
            ),
            (
                "https://127.0.0.1/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://10.1.2.3/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://192.168.0.10/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://169.254.169.254/latest",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://100.64.0.1/",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            ("https://0.0.0.0/", Err(EndpointError::PrivateHost), Ok(())),
            ("https://[::1]/w", Err(EndpointError::PrivateHost), Ok(())),
            (
                "https://[fd00::1]/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://[fe80::1]/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://[::ffff:127.0.0.1]/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            ("https://[2606:4700::1111]/w", Ok(()), Ok(())),
            ("https://8.8.8.8/w", Ok(()), Ok(())),
            (
                "https://localhost/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://api.localhost/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://printer.local/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://db.internal/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://intranet/w",
                Err(EndpointError::PrivateHost),
                Ok(()),
            ),
            (
                "https://user:pw@hooks.example.com/",
                Err(EndpointError::CredentialsOrFragment),
                Err(EndpointError::CredentialsOrFragment),
            ),
            (
                "https://hooks.example.com/#x",
                Err(EndpointError::CredentialsOrFragment),
                Err(EndpointError::CredentialsOrFragment),
            ),
            (
                "https://hooks.example.com:0/",
                Err(EndpointError::NotHttps),
                Err(EndpointError::NotHttps),
            ),
            (
                "https://hooks.example.com:99999/",
                Err(EndpointError::NotHttps),
                Err(EndpointError::NotHttps),
            ),
            (
                "https://hooks example.com/",
                Err(EndpointError::NotHttps),
                Err(EndpointError::NotHttps),
            ),
            (
                "https:///w",
                Err(EndpointError::NotHttps),
                Err(EndpointError::NotHttps),
            ),
            (
                "https://-bad-.example.com/",
                Err(EndpointError::NotHttps),
                Err(EndpointError::NotHttps),
            ),
        ];
        for (url, production, local) in table {
            assert_eq!(
                EndpointUrl::parse(url, false).map(drop),
                production,
                "{url} (deployed)"
            );
            assert_eq!(
                EndpointUrl::parse(url, true).map(drop),
                local,
                "{url} (local)"
            );
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(
            EndpointUrl::parse(&long, false),
            Err(EndpointError::NotHttps)
        );
    }

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signatures_match_the_specifications_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("whsec_not base64!", id, 1, body), None);
    }

    #[test]
    fn retries_double_to_twelve_hours_and_span_about_three_days() {
        assert_eq!(retry_delay_seconds(1, 30), Some(30));
        assert_eq!(retry_delay_seconds(2, 30), Some(60));
        assert_eq!(retry_delay_seconds(12, 30), Some(12 * 3600));
        assert_eq!(retry_delay_seconds(MAX_ATTEMPTS, 30), None);
        let total: u32 = (1..MAX_ATTEMPTS)
            .filter_map(|a| retry_delay_seconds(a, 30))
            .sum();
        assert!((2 * 86_400..4 * 86_400).contains(&total), "{total} s");
        // The harness's one-second base keeps retries quick.
        assert_eq!(retry_delay_seconds(3, 1), Some(4));
    }

    #[test]
    fn filters_name_known_events_and_empty_means_all() {
        let filter =
            parse_filter(&["shipment.delivered".into(), "shipment.refused".into()]).unwrap();
        assert!(wants(&filter, EventKind::Delivered));
        assert!(!wants(&filter, EventKind::InTransit));
        assert!(wants(&[], EventKind::InTransit));
        assert!(matches!(
            parse_filter(&["shipment.teleported".into()]),
            Err(EndpointError::UnknownEvent(_))
        ));
    }
}
