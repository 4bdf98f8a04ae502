//! Waymark's edge: a Cloudflare Worker. A thin router in front of one module per resource;
//! every decision is delegated to `shared`, this crate only gathers inputs (KV, AfterShip,
//! the request) and carries out outputs (KV writes, responses).

mod aftership;
mod auth;
mod config;
mod cron;
mod error;
mod http;
mod keys;
mod log;
mod record;
mod routes;
mod store;
mod sync;

use worker::{event, Context, Env, Method, Request, Response, ScheduleContext, ScheduledEvent};

use crate::error::{EdgeError, EdgeResult};
use crate::http::decode_segment;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    if let Err(error) = sync::load_offset(&env).await {
        log::background_failure("loading the test clock", &error);
    }
    let response = match route(req, env, ctx).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    Ok(response)
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(error) = sync::load_offset(&env).await {
        log::background_failure("loading the test clock", &error);
    }
    if let Err(error) = cron::refresh_active(&env).await {
        worker::console_error!("cron refresh stopped early: {error}");
    }
}

/// The router: path segments matched by shape, one handler per resource and method.
async fn route(req: Request, env: Env, ctx: Context) -> EdgeResult<Response> {
    let path = req.path();
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(decode_segment)
        .collect();
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = req.method();
    match (parts.as_slice(), method) {
        (["v1", "admin", "merchants"], Method::Post) => {
            routes::admin::create_merchant(req, &env).await
        }
        (["v1", "admin", "clock"], Method::Put) if sync::override_allowed(&env) => {
            routes::admin::set_clock(req, &env).await
        }
        (["v1", "admin", "merchants", id, "migrate"], Method::Post) => {
            routes::admin::migrate(req, &env, id).await
        }
        (["v1", "admin", "merchants", id, "keys"], Method::Post) => {
            routes::admin::rotate_key(req, &env, id).await
        }
        (["v1", "merchants", id, "checkpoints"], Method::Put) => {
            routes::merchants::put_checkpoints(req, &env, id).await
        }
        (["v1", "merchants", id, "checkpoints"], Method::Get) => {
            routes::merchants::get_checkpoints(req, &env, id).await
        }
        (["v1", "merchants", id, "settings"], Method::Get) => {
            routes::settings::get(req, &env, id).await
        }
        (["v1", "merchants", id, "settings"], Method::Patch) => {
            routes::settings::patch(req, &env, id).await
        }
        (["v1", "merchants", id, "shipments"], Method::Post) => {
            routes::shipments::create(req, &env, id).await
        }
        (["v1", "merchants", id, "shipments"], Method::Get) => {
            routes::shipments::find(req, &env, id).await
        }
        (["v1", "merchants", id, "shipments.csv"], Method::Get) => {
            routes::shipments::export(req, &env, id).await
        }
        (["v1", "merchants", id, "shipments", itn], Method::Get) => {
            routes::shipments::get(req, &env, id, itn).await
        }
        (["v1", "merchants", id, "shipments", itn, "tracking"], Method::Put) => {
            routes::shipments::attach_tracking(req, &env, id, itn).await
        }
        (["v1", "merchants", id, "shipments", itn, "events"], Method::Post) => {
            routes::shipments::add_event(req, &env, id, itn).await
        }
        (["v1", "track", merchant, "orders"], Method::Post) => {
            routes::track::order_lookup(req, &env, merchant).await
        }
        (["v1", "track", merchant, number], Method::Get) => {
            routes::track::lookup(req, &env, &ctx, merchant, number).await
        }
        (["v1", "track", merchant, _number], Method::Options) => {
            routes::track::preflight(req, &env, merchant).await
        }
        (["v1", "webhooks", "aftership"], Method::Post) => {
            routes::webhook::receive(req, &env).await
        }
        (["t", merchant, number], Method::Get) => {
            routes::pages::tracking_page(req, &env, merchant, number).await
        }
        (["healthz"], Method::Get) => http::json(200, &serde_json::json!({"ok": true})),
        (["v1", ..], _) => Err(api_method_or_route(parts.as_slice())),
        _ => routes::assets::serve(req, &env).await,
    }
}

/// A known API path with the wrong method is 405; anything else under /v1 is 404.
fn api_method_or_route(parts: &[&str]) -> EdgeError {
    let known = matches!(
        parts,
        ["v1", "admin", "merchants"]
            | ["v1", "admin", "merchants", _, "keys" | "migrate"]
            | ["v1", "merchants", _, "checkpoints" | "settings"]
            | ["v1", "merchants", _, "shipments" | "shipments.csv"]
            | ["v1", "merchants", _, "shipments", _]
            | ["v1", "merchants", _, "shipments", _, "tracking" | "events"]
            | ["v1", "track", _, _]
            | ["v1", "webhooks", "aftership"]
    );
    if known {
        EdgeError::MethodNotAllowed
    } else {
        EdgeError::NoRoute
    }
}
