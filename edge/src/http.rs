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
        if bytes[i] == b'%' {
            // Bytes, not a `str` slice: a `%` before a multi-byte character must not panic.
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
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

#[cfg(test)]
mod tests {
    use super::decode_segment;

    #[test]
    fn segments_decode_and_odd_escapes_never_panic() {
        let table = [
            ("%231001", "#1001"),
            ("plain", "plain"),
            ("%C3%9Cber", "Über"),
            ("%é1", "%é1"),
            ("%aé", "%aé"),
            ("%", "%"),
            ("%2", "%2"),
            ("%zz", "%zz"),
            ("a%2Fb", "a/b"),
        ];
        for (raw, decoded) in table {
            assert_eq!(decode_segment(raw), decoded, "{raw}");
        }
    }
}
