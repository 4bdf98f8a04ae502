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
mod outgoing;
mod record;
mod routes;
mod store;
mod sync;

use worker::{
    event, Context, Env, MessageBatch, MessageExt, Method, QueueRetryOptionsBuilder, Request,
    Response, ScheduleContext, ScheduledEvent,
};

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

/// The delivery queue's consumer (and its dead-letter queue's): each message is one attempt
/// at one delivery, made by the merchant's record; failures are retried with the record's
/// back-off, and after the last attempt the queue dead-letters the message.
#[event(queue)]
async fn queue(
    batch: MessageBatch<record::outbox::DeliveryTask>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    let dead_letters = batch.queue().ends_with("-dlq");
    let messages = match batch.messages() {
        Ok(messages) => messages,
        Err(error) => {
            log::background_failure("reading a delivery batch", &EdgeError::from(error));
            batch.retry_all();
            return Ok(());
        }
    };
    for message in messages {
        let task = message.body().clone();
        if dead_letters {
            let marked: EdgeResult<bool> = record::protocol::call(
                &env,
                &task.merchant,
                &record::protocol::Command::MarkDead { id: task.id },
            )
            .await;
            match marked {
                Ok(_) => message.ack(),
                Err(error) => {
                    log::background_failure("marking a dead delivery", &error);
                    message.retry();
                }
            }
            continue;
        }
        let outcome: EdgeResult<record::outbox::DeliverOutcome> = record::protocol::call(
            &env,
            &task.merchant,
            &record::protocol::Command::Deliver { id: task.id },
        )
        .await;
        match outcome {
            Ok(outcome) if outcome.done => message.ack(),
            Ok(record::outbox::DeliverOutcome {
                retry_in: Some(seconds),
                ..
            }) => message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(seconds)
                    .build(),
            ),
            // Out of attempts: the queue moves it to the dead-letter queue.
            Ok(_) => message.retry(),
            Err(error) => {
                log::background_failure("a webhook delivery attempt", &error);
                message.retry();
            }
        }
    }
    Ok(())
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
    let clock = sync::override_allowed(&env);
    if !known_method(&req) {
        return Err(method_not_allowed_or_no_route(&parts, clock));
    }
    let method = req.method();
    match (parts.as_slice(), method) {
        (["v1", "admin", "merchants"], Method::Post) => {
            routes::admin::create_merchant(req, &env).await
        }
        (["v1", "admin", "clock"], Method::Put) if clock => {
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
        (["v1", "merchants", id, "webhook-endpoints"], Method::Post) => {
            routes::endpoints::create(req, &env, id).await
        }
        (["v1", "merchants", id, "webhook-endpoints"], Method::Get) => {
            routes::endpoints::list(req, &env, id).await
        }
        (["v1", "merchants", id, "webhook-endpoints", endpoint], Method::Delete) => {
            routes::endpoints::delete(req, &env, id, endpoint).await
        }
        (["v1", "merchants", id, "alert-recipients"], Method::Post) => {
            routes::alerts::create(req, &env, id).await
        }
        (["v1", "merchants", id, "alert-recipients"], Method::Get) => {
            routes::alerts::list(req, &env, id).await
        }
        (["v1", "merchants", id, "alert-recipients", recipient], Method::Delete) => {
            routes::alerts::delete(req, &env, id, recipient).await
        }
        (["v1", "merchants", id, "alert-recipients", recipient, "verify"], Method::Post) => {
            routes::alerts::verify(req, &env, id, recipient).await
        }
        (["v1", "admin", "merchants", id, "sign-in-links"], Method::Post) => {
            routes::console::mint_link(req, &env, id).await
        }
        (["v1", "merchants", id, "staff"], Method::Get) => {
            routes::console::list_staff(req, &env, id).await
        }
        (["v1", "merchants", id, "staff"], Method::Post) => {
            routes::console::create_staff(req, &env, id).await
        }
        (["v1", "merchants", id, "staff", staff], Method::Delete) => {
            routes::console::delete_staff(req, &env, id, staff).await
        }
        (["console", "api", "sign-in"], Method::Post) => {
            routes::console::request_link(req, &env, &ctx).await
        }
        (["console", "sign-in"], Method::Get) => routes::console::redeem_link(req, &env).await,
        (["console", "api", "session"], Method::Get) => routes::console::session(req, &env).await,
        (["console", "api", "sign-out"], Method::Post) => {
            routes::console::sign_out(req, &env).await
        }
        (["v1", "merchants", id, "channels"], Method::Get) => {
            routes::channels::list(req, &env, id).await
        }
        (["v1", "merchants", id, "channels", channel], Method::Get) => {
            routes::channels::get(req, &env, id, channel).await
        }
        (["v1", "merchants", id, "channels", channel], Method::Put) => {
            routes::channels::put(req, &env, id, channel).await
        }
        (["v1", "merchants", id, "channels", channel], Method::Delete) => {
            routes::channels::delete(req, &env, id, channel).await
        }
        (["v1", "merchants", id, "shipments", itn, "channel"], Method::Get) => {
            routes::channels::status(req, &env, id, itn).await
        }
        (["v1", "merchants", id, "shipments", itn, "fields"], Method::Put) => {
            routes::channels::supply(req, &env, id, itn).await
        }
        (["v1", "merchants", id, "deliveries"], Method::Get) => {
            routes::endpoints::log(req, &env, id).await
        }
        (["v1", "merchants", id, "deliveries", delivery, "replay"], Method::Post) => {
            routes::endpoints::replay(req, &env, id, delivery).await
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
        (["v1", "track", merchant, "orders"], Method::Options) => {
            routes::track::preflight(req, &env, merchant).await
        }
        (["v1", "track", _, "orders"], _) => Err(EdgeError::MethodNotAllowed("POST, OPTIONS")),
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
        (["t", merchant, "orders", order], Method::Get) => {
            routes::pages::order_page(req, &env, merchant, order).await
        }
        (["healthz"], Method::Get) => http::json(200, &serde_json::json!({"ok": true})),
        (
            ["v1", ..]
            | ["t", _, _]
            | ["t", _, "orders", _]
            | ["healthz"]
            | ["console", "api", ..]
            | ["console", "sign-in"],
            _,
        ) => Err(method_not_allowed_or_no_route(&parts, clock)),
        _ => routes::assets::serve(req, &env).await,
    }
}

/// The methods each known path answers, for `405` and its `Allow` header.
fn allowed_methods(parts: &[&str], clock: bool) -> Option<&'static str> {
    Some(match parts {
        ["v1", "admin", "merchants"] => "POST",
        ["v1", "admin", "merchants", _, "keys" | "migrate"] => "POST",
        ["v1", "admin", "clock"] if clock => "PUT",
        ["v1", "merchants", _, "checkpoints"] => "GET, PUT",
        ["v1", "merchants", _, "settings"] => "GET, PATCH",
        ["v1", "merchants", _, "shipments"] => "GET, POST",
        ["v1", "merchants", _, "shipments.csv"] => "GET",
        ["v1", "merchants", _, "webhook-endpoints"] => "GET, POST",
        ["v1", "merchants", _, "webhook-endpoints", _] => "DELETE",
        ["v1", "merchants", _, "deliveries"] => "GET",
        ["v1", "merchants", _, "channels"] => "GET",
        ["v1", "admin", "merchants", _, "sign-in-links"] => "POST",
        ["v1", "merchants", _, "staff"] => "GET, POST",
        ["v1", "merchants", _, "staff", _] => "DELETE",
        ["console", "api", "sign-in" | "sign-out"] => "POST",
        ["console", "api", "session"] | ["console", "sign-in"] => "GET",
        ["v1", "merchants", _, "channels", _] => "DELETE, GET, PUT",
        ["v1", "merchants", _, "shipments", _, "channel"] => "GET",
        ["v1", "merchants", _, "shipments", _, "fields"] => "PUT",
        ["v1", "merchants", _, "alert-recipients"] => "GET, POST",
        ["v1", "merchants", _, "alert-recipients", _] => "DELETE",
        ["v1", "merchants", _, "alert-recipients", _, "verify"] => "POST",
        ["v1", "merchants", _, "deliveries", _, "replay"] => "POST",
        ["v1", "merchants", _, "shipments", _] => "GET",
        ["v1", "merchants", _, "shipments", _, "tracking"] => "PUT",
        ["v1", "merchants", _, "shipments", _, "events"] => "POST",
        ["v1", "track", _, "orders"] => "POST, OPTIONS",
        ["v1", "track", _, _] => "GET, OPTIONS",
        ["v1", "webhooks", "aftership"] => "POST",
        ["t", _, _] | ["t", _, "orders", _] | ["healthz"] => "GET",
        _ => return None,
    })
}

/// A known path with the wrong method is 405 (with `Allow`); anything else under /v1 is 404.
fn method_not_allowed_or_no_route(parts: &[&str], clock: bool) -> EdgeError {
    match allowed_methods(parts, clock) {
        Some(allow) => EdgeError::MethodNotAllowed(allow),
        None => EdgeError::NoRoute,
    }
}

/// Methods the router knows. The `worker` crate reads any other method (`QUERY`, `TRACE` …)
/// as GET, so the raw method is checked first: an unknown one never reaches a GET handler.
fn known_method(req: &Request) -> bool {
    matches!(
        req.inner().method().as_str(),
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS"
    )
}
