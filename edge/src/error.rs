//! One error type for the whole Worker, mapped to status codes in exactly one place.
//! 5xx bodies are generic: internal text never reaches a client.

use shared::api::InputError;
use shared::shipment::{ShipmentError, TrackingRole};
use worker::{Response, ResponseBuilder};

/// How long a rate-limited client should wait; the message and `retry-after` say the same.
pub const RETRY_AFTER_SECONDS: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    InvalidNumber(String),
    #[error("missing or wrong credentials")]
    Unauthorized,
    #[error("this key belongs to another merchant")]
    Forbidden,
    /// Authenticated, but not allowed to do this (another merchant's session, a staff role,
    /// a missing CSRF token).
    #[error("{0}")]
    NotPermitted(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("no such route")]
    NoRoute,
    /// The path exists; the value is its `Allow` header.
    #[error("method not allowed: this path answers {0}")]
    MethodNotAllowed(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("too many lookups; wait {RETRY_AFTER_SECONDS} seconds and try again")]
    RateLimited,
    #[error("storage is unavailable")]
    Storage(String),
    /// A client error decided by the merchant's record, relayed as it was.
    #[error("{message}")]
    Relayed {
        status: u16,
        code: &'static str,
        message: String,
    },
    #[error("internal error")]
    Internal(String),
}

impl From<InputError> for EdgeError {
    fn from(e: InputError) -> Self {
        EdgeError::Invalid(e.to_string())
    }
}

impl From<ShipmentError> for EdgeError {
    fn from(e: ShipmentError) -> Self {
        match e {
            ShipmentError::TrackingNumberInUse => {
                EdgeError::Conflict("this tracking number is already attached to another shipment")
            }
            ShipmentError::NumberHasOtherRole(TrackingRole::Default) => EdgeError::Conflict(
                "this tracking number is already this shipment's default tracking number",
            ),
            ShipmentError::NumberHasOtherRole(TrackingRole::Local) => EdgeError::Conflict(
                "this tracking number is already this shipment's local tracking number",
            ),
            ShipmentError::NoSuchCheckpoint { .. } | ShipmentError::FutureTime => {
                EdgeError::Invalid(e.to_string())
            }
            ShipmentError::NoHistory | ShipmentError::CorruptHistory => {
                EdgeError::Internal(e.to_string())
            }
        }
    }
}

impl From<worker::kv::KvError> for EdgeError {
    fn from(e: worker::kv::KvError) -> Self {
        EdgeError::Storage(format!("{e:?}"))
    }
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        EdgeError::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for EdgeError {
    fn from(e: serde_json::Error) -> Self {
        EdgeError::Internal(e.to_string())
    }
}

/// Every client-error code the API uses, so a relayed one maps back to the same spelling.
const CLIENT_CODES: [&str; 9] = [
    "invalid_input",
    "invalid_number",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
];

impl EdgeError {
    pub fn relayed(status: u16, code: &str, message: String) -> EdgeError {
        match CLIENT_CODES.iter().find(|c| **c == code) {
            Some(code) if (400..500).contains(&status) => EdgeError::Relayed {
                status,
                code,
                message,
            },
            _ => EdgeError::Internal(format!("unexpected relayed error {status}")),
        }
    }

    pub fn status_and_code(&self) -> (u16, &'static str) {
        match self {
            EdgeError::Relayed { status, code, .. } => (*status, code),
            EdgeError::Invalid(_) => (400, "invalid_input"),
            EdgeError::InvalidNumber(_) => (400, "invalid_number"),
            EdgeError::Unauthorized => (401, "unauthorized"),
            EdgeError::Forbidden | EdgeError::NotPermitted(_) => (403, "forbidden"),
            EdgeError::NotFound(_) | EdgeError::NoRoute => (404, "not_found"),
            EdgeError::MethodNotAllowed(_) => (405, "method_not_allowed"),
            EdgeError::Conflict(_) => (409, "conflict"),
            EdgeError::TooLarge(_) => (413, "payload_too_large"),
            EdgeError::UnsupportedMediaType => (415, "unsupported_media_type"),
            EdgeError::RateLimited => (429, "rate_limited"),
            EdgeError::Storage(_) => (503, "unavailable"),
            EdgeError::Internal(_) => (500, "internal"),
        }
    }

    /// What a log line may say about this error: its code, and for server-side failures
    /// Waymark's own description (never a client's input).
    pub fn log_line(&self) -> String {
        let (status, code) = self.status_and_code();
        match self {
            EdgeError::Storage(detail) | EdgeError::Internal(detail) => {
                format!("{status} {code}: {detail}")
            }
            _ => format!("{status} {code}"),
        }
    }

    /// The one place errors become responses. Server-side details are logged (without
    /// request data) and replaced by a generic sentence.
    pub fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            EdgeError::Storage(_) | EdgeError::Internal(_) => {
                worker::console_error!("request failed: {}", self.log_line());
                if status == 503 {
                    "The service is briefly unavailable; try again shortly.".to_string()
                } else {
                    "Something went wrong on our side; try again shortly.".to_string()
                }
            }
            other => other.to_string(),
        };
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        let mut builder = ResponseBuilder::new().with_status(status);
        if let EdgeError::MethodNotAllowed(allow) = &self {
            builder = builder
                .with_header("allow", allow)
                .unwrap_or_else(|_| ResponseBuilder::new().with_status(405));
        }
        if status == 429 {
            builder = builder
                .with_header("retry-after", &RETRY_AFTER_SECONDS.to_string())
                .unwrap_or_else(|_| ResponseBuilder::new().with_status(429));
        }
        builder
            .from_json(&body)
            .unwrap_or_else(|_| Response::builder().with_status(status).empty())
    }
}

pub type EdgeResult<T> = Result<T, EdgeError>;
