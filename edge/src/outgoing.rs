//! Calls out of the Worker over `fetch`, each one POST with a timeout: signed deliveries to
//! merchants' endpoints (the answer is the HTTP status, or why there was none; their bodies
//! are never read or logged), GraphQL calls to Shopify stores, and e-mail.

use std::time::Duration;

use futures::future::{select, Either};
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, Response};

/// How long an endpoint may take to answer (Standard Webhooks suggests a short timeout; a
/// slow receiver should queue the work and answer at once).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

/// POSTs `body` to `url` with the Standard Webhooks headers. `Ok(status)` whatever the
/// status; `Err` when there was no answer (timeout, connection refused, a bad URL).
pub async fn post_signed(
    url: &str,
    id: &str,
    timestamp: i64,
    signature: &str,
    body: &str,
) -> Result<u16, String> {
    let headers = [
        ("content-type", "application/json"),
        ("user-agent", "Waymark-Webhooks/1"),
        ("webhook-id", id),
        ("webhook-timestamp", &timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    let response = post_json(url, &headers, body, "the endpoint URL is unusable").await?;
    Ok(response.status_code())
}

/// POSTs `body` with `headers` and waits at most [`DELIVERY_TIMEOUT`] for the answer (the
/// request is aborted after). `Err` says why there was none; `unusable` when the URL is bad.
async fn post_json(
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
    unusable: &str,
) -> Result<Response, String> {
    let set = Headers::new();
    for (name, value) in headers {
        set.set(name, value)
            .map_err(|_| "could not set a request header".to_string())?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(set)
        .with_body(Some(body.to_string().into()));
    let request = Request::new_with_init(url, &init).map_err(|_| unusable.to_string())?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sent = Box::pin(fetch.send_with_signal(&signal));
    let answer = select(sent, Box::pin(Delay::from(DELIVERY_TIMEOUT))).await;
    match answer {
        Either::Left((Ok(response), _)) => Ok(response),
        Either::Left((Err(_), _)) => Err("no answer (connection failed)".to_string()),
        Either::Right(((), _)) => {
            controller.abort();
            Err(format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs()))
        }
    }
}

/// Sends one plain-text e-mail through the `ALERTS` send_email binding (`wrangler dev`
/// simulates it and logs where it stored the message). `Err` says why, without the content.
pub async fn send_mail(
    env: &worker::Env,
    from: &str,
    to: &str,
    message: &shared::alerts::Message,
) -> Result<(), String> {
    let mailer = env
        .send_email("ALERTS")
        .map_err(|_| "the ALERTS send_email binding is missing".to_string())?;
    let builder = worker::SendEmailBuilder::new(from, to, &message.subject);
    builder.set_text(&message.text);
    mailer
        .send_with_builder(&builder)
        .await
        .map(drop)
        .map_err(|_| "the mail service refused the message".to_string())
}

/// What a store's Admin API answered: the status, its `Retry-After` header, and the body.
pub struct GraphqlAnswer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// POSTs one GraphQL request to a Shopify store's Admin API with its access token (a header,
/// never logged). `Err` when there was no answer.
pub async fn post_graphql(url: &str, token: &str, body: &str) -> Result<GraphqlAnswer, String> {
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json"),
        ("user-agent", "Waymark-Shopify/1"),
        (shared::shopify::ACCESS_TOKEN_HEADER, token),
    ];
    let mut response = post_json(url, &headers, body, "the store's API URL is unusable").await?;
    let status = response.status_code();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let body = response
        .bytes()
        .await
        .map_err(|_| "the store's answer could not be read".to_string())?;
    Ok(GraphqlAnswer {
        status,
        retry_after,
        body,
    })
}
