//! The console's one way to the edge: `fetch` with the session cookie (`same-origin`), JSON in
//! and out, the CSRF token on every write. Errors carry the status and the edge's message
//! (never internal text: the edge sends none).

use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A failed call: the HTTP status (0 when the network failed) and the edge's message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    fn network() -> ApiError {
        ApiError {
            status: 0,
            message: String::new(),
        }
    }
}

/// The path of a merchant resource, e.g. `merchant_path("acme", "settings")`.
pub fn merchant_path(merchant: &str, rest: &str) -> String {
    [
        "/v1/merchants/",
        &shared::console::encode_component(merchant),
        "/",
        rest,
    ]
    .concat()
}

pub async fn get(url: &str) -> Result<Value, ApiError> {
    call("GET", url, None, None).await
}

/// A write: JSON body (if any) and the session's CSRF token.
pub async fn send(
    method: &str,
    url: &str,
    body: Option<&Value>,
    csrf: &str,
) -> Result<Value, ApiError> {
    call(method, url, body, Some(csrf)).await
}

pub async fn call(
    method: &str,
    url: &str,
    body: Option<&Value>,
    csrf: Option<&str>,
) -> Result<Value, ApiError> {
    let window = web_sys::window().ok_or_else(ApiError::network)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::network())?;
    let _ = headers.set("accept", "application/json");
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(&body.to_string()));
    }
    if let Some(token) = csrf {
        let _ = headers.set("x-csrf-token", token);
    }
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::network())?
        .unchecked_into();
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let value: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    if response.ok() {
        Ok(value)
    } else {
        let message = value
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Err(ApiError { status, message })
    }
}

/// A string field of a JSON object, or "".
pub fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// An array field, or none.
pub fn list(value: &Value, key: &str) -> Vec<Value> {
    value
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
