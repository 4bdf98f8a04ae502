//! Static assets from `www/` (the embed loader, JS glue, wasm, pages), with the headers a
//! storefront on another origin needs to load them as a module and stream-compile the wasm.

use worker::{Env, Headers, Request, Response, ResponseBuilder};

use crate::error::{EdgeError, EdgeResult};

pub const BINDING: &str = "ASSETS";

pub async fn serve(req: Request, env: &Env) -> EdgeResult<Response> {
    let path = req.path();
    let assets = env.assets(BINDING)?;
    let mut upstream = assets.fetch_request(req).await?;
    let status = upstream.status_code();
    if status == 404 {
        return Err(EdgeError::NoRoute);
    }
    let headers = Headers::new();
    for (name, value) in upstream.headers().entries() {
        headers.set(&name, &value)?;
    }
    if path.starts_with("/widget/") {
        // The embed is loaded cross-origin by every storefront: module scripts and
        // WebAssembly.instantiateStreaming need CORS, and wasm needs its MIME type.
        headers.set("access-control-allow-origin", "*")?;
        headers.set("cross-origin-resource-policy", "cross-origin")?;
        if path.ends_with(".wasm") {
            headers.set("content-type", "application/wasm")?;
        }
    }
    headers.set("x-content-type-options", "nosniff")?;
    let body = upstream.bytes().await?;
    Ok(ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body))
}
