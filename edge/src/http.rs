//! Small HTTP helpers shared by the route modules.

use serde::Serialize;
use shared::api::MAX_BODY_BYTES;
use worker::{Request, Response, ResponseBuilder};

use crate::error::{EdgeError, EdgeResult};

/// Reads a JSON body: refuses the wrong content type (415) and oversize bodies (413) before
/// parsing, so a bad request costs nothing and changes nothing.
pub async fn json_body(req: &mut Request) -> EdgeResult<Vec<u8>> {
    let content_type = req
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(EdgeError::UnsupportedMediaType);
    }
    body_limited(req, MAX_BODY_BYTES).await
}

/// Reads a body of at most `max` bytes: a declared length over it is refused before reading,
/// and a body that turns out longer is refused after.
pub async fn body_limited(req: &mut Request, max: usize) -> EdgeResult<Vec<u8>> {
    let declared = header(req, "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(EdgeError::TooLarge(max));
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| EdgeError::Invalid("the body could not be read".into()))?;
    if bytes.len() > max {
        return Err(EdgeError::TooLarge(max));
    }
    Ok(bytes)
}

pub fn json<T: Serialize>(status: u16, value: &T) -> EdgeResult<Response> {
    Ok(ResponseBuilder::new()
        .with_status(status)
        .with_header("cache-control", "no-store")?
        .from_json(value)?)
}

pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Decodes one percent-encoded path segment.
pub fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&segment[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
