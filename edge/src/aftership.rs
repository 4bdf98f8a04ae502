//! AfterShip over `fetch`: create a tracking, find one, read one. Every call has a timeout,
//! and every failure becomes a typed [`ApiError`] from `shared` (the edge never panics on
//! what AfterShip answers).

use std::time::Duration;

use futures::future::{select, Either};
use serde_json::json;
use shared::aftership::{read_envelope, tracking_in_data, ApiError, CarrierTracking};
use shared::{Itn, MerchantId, Slug, TrackingNumber};
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

use crate::config::Config;

/// Long enough for AfterShip on a bad day, short enough that a shopper never waits on it.
pub const CALL_TIMEOUT: Duration = Duration::from_millis(2500);

/// A failed call, with AfterShip's hint of when to retry (seconds), if it gave one.
#[derive(Debug)]
pub struct CallError {
    pub error: ApiError,
    pub retry_after: Option<i64>,
}

impl From<ApiError> for CallError {
    fn from(error: ApiError) -> Self {
        CallError {
            error,
            retry_after: None,
        }
    }
}

pub struct AfterShip<'a> {
    config: &'a Config,
}

impl<'a> AfterShip<'a> {
    pub fn new(config: &'a Config) -> AfterShip<'a> {
        AfterShip { config }
    }

    fn url(&self, tail: &str) -> String {
        format!(
            "{}/tracking/{}/trackings{tail}",
            self.config.aftership_base, self.config.aftership_version
        )
    }

    async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
    ) -> Result<serde_json::Value, CallError> {
        let headers = Headers::new();
        let key = self.config.aftership_key.as_deref().unwrap_or_default();
        let set = |name: &str, value: &str| {
            headers.set(name, value).map_err(|e| {
                worker::console_error!("could not set an AfterShip request header: {e}");
                CallError::from(ApiError::Malformed { status: 0 })
            })
        };
        set("as-api-key", key)?;
        set("content-type", "application/json")?;
        set("accept", "application/json")?;
        let mut init = RequestInit::new();
        init.with_method(method).with_headers(headers);
        if let Some(body) = body {
            init.with_body(Some(body.into()));
        }
        let request = Request::new_with_init(url, &init).map_err(|e| {
            worker::console_error!("could not build the AfterShip request: {e}");
            CallError::from(ApiError::Malformed { status: 0 })
        })?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(request);
        let sent = Box::pin(fetch.send_with_signal(&signal));
        let timeout = Box::pin(Delay::from(CALL_TIMEOUT));
        let mut response = match select(sent, timeout).await {
            Either::Left((Ok(response), _)) => response,
            // A network failure or refused connection reads as a server-side failure.
            Either::Left((Err(_), _)) => return Err(ApiError::Server { status: 0 }.into()),
            Either::Right(((), _)) => {
                controller.abort();
                return Err(ApiError::Server { status: 504 }.into());
            }
        };
        let status = response.status_code();
        let retry_after = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<i64>().ok());
        let body = match select(
            Box::pin(response.bytes()),
            Box::pin(Delay::from(CALL_TIMEOUT)),
        )
        .await
        {
            Either::Left((Ok(bytes), _)) => bytes,
            _ => return Err(ApiError::Server { status: 504 }.into()),
        };
        read_envelope(status, &body).map_err(|error| CallError { error, retry_after })
    }

    /// Registers a TN with AfterShip, or finds it if it already exists. Returns AfterShip's
    /// id and whatever tracking data came back.
    pub async fn register(
        &self,
        tn: &TrackingNumber,
        slug: Option<&Slug>,
        merchant: &MerchantId,
        itn: Itn,
    ) -> Result<CarrierTracking, CallError> {
        let mut body = json!({
            "tracking_number": tn.as_str(),
            "custom_fields": {"waymark_itn": itn.to_string(), "waymark_merchant": merchant.as_str()},
        });
        if let Some(slug) = slug {
            body["slug"] = json!(slug.as_str());
        }
        match self
            .call(Method::Post, &self.url(""), Some(body.to_string()))
            .await
        {
            Ok(data) => tracking_in_data(&data)
                .map(CarrierTracking::from_value)
                .ok_or(ApiError::Malformed { status: 201 }.into()),
            Err(CallError {
                error: ApiError::AlreadyExists,
                ..
            }) => self.find(tn, slug).await,
            Err(other) => Err(other),
        }
    }

    /// Finds an existing tracking by number (and slug, when known).
    pub async fn find(
        &self,
        tn: &TrackingNumber,
        slug: Option<&Slug>,
    ) -> Result<CarrierTracking, CallError> {
        let mut query = format!("?tracking_numbers={}", tn.as_str());
        if let Some(slug) = slug {
            query.push_str(&format!("&slug={}", slug.as_str()));
        }
        let data = self.call(Method::Get, &self.url(&query), None).await?;
        tracking_in_data(&data)
            .map(CarrierTracking::from_value)
            .ok_or(ApiError::NotFound.into())
    }

    /// Reads a tracking by AfterShip's id.
    pub async fn get(&self, id: &str) -> Result<CarrierTracking, CallError> {
        let safe_id: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if safe_id.is_empty() {
            // An empty id would address the list endpoint and read someone else's tracking.
            return Err(ApiError::NotFound.into());
        }
        let data = self
            .call(Method::Get, &self.url(&format!("/{safe_id}")), None)
            .await?;
        tracking_in_data(&data)
            .map(CarrierTracking::from_value)
            .ok_or(ApiError::Malformed { status: 200 }.into())
    }
}
