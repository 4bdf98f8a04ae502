//! Credentials: bearer tokens, key generation and hashing, constant-time comparison.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use worker::Request;

use crate::error::{EdgeError, EdgeResult};

pub fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("authorization").ok().flatten()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

pub fn sha256_hex(input: &[u8]) -> String {
    Sha256::digest(input)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

pub fn random_bytes<const N: usize>() -> EdgeResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| EdgeError::Internal(format!("randomness unavailable: {e}")))?;
    Ok(bytes)
}

/// A new merchant API key: `wm_live_` and 32 random bytes, URL-safe base64.
pub fn new_api_key() -> EdgeResult<String> {
    let bytes = random_bytes::<32>()?;
    Ok(format!(
        "wm_live_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Admin requests carry the `ADMIN_TOKEN` secret.
pub fn require_admin(req: &Request, admin_token: Option<&str>) -> EdgeResult<()> {
    match (bearer(req), admin_token) {
        (Some(given), Some(expected))
            if !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(EdgeError::Unauthorized),
    }
}
