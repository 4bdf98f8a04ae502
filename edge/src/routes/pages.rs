//! The shareable tracking page `/t/{merchant}/{number}`: the page shell from `www/track.html`
//! with a title, description and Open Graph tags filled in, the widget set to look up the
//! number at once, and the page's language negotiated from `Accept-Language`.
//!
//! Nothing in the page comes from the request's `Host`: assets are linked relatively, and the
//! absolute page URL appears only when `PUBLIC_BASE_URL` is configured.

use shared::api::order_ref_from_path;
use shared::ids::LookupNumber;
use shared::page::{is_rtl, negotiate_language, render_template, LANGUAGES};
use worker::{Env, Request, Response, ResponseBuilder};

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::header;
use crate::routes::public_merchant;
use crate::store::Store;
use crate::sync::now;

/// What a shareable page shows: one number, or one order (whose shipments the shopper sees
/// after giving the order's postal code or e-mail).
enum Subject {
    Number(String),
    Order(String),
}

pub async fn tracking_page(
    req: Request,
    env: &Env,
    merchant: &str,
    number: &str,
) -> EdgeResult<Response> {
    // The same rule as the lookup: a number that could never be found is a bad link.
    let number = match number.parse::<LookupNumber>() {
        Ok(LookupNumber::Itn(itn)) => itn.to_string(),
        Ok(LookupNumber::Carrier(tn)) => tn.to_string(),
        Err(_) => return not_found_page(),
    };
    page(req, env, merchant, Subject::Number(number)).await
}

/// `/t/{merchant}/orders/{order_ref}` (the reference percent-encoded: `%231001` for `#1001`).
pub async fn order_page(
    req: Request,
    env: &Env,
    merchant: &str,
    order: &str,
) -> EdgeResult<Response> {
    match order_ref_from_path(order) {
        Some(order) => page(req, env, merchant, Subject::Order(order)).await,
        None => not_found_page(),
    }
}

async fn page(req: Request, env: &Env, merchant: &str, subject: Subject) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let config = match public_merchant(&store, merchant, now()).await {
        Ok(config) => config,
        // A person followed this link: answer with a page, not a JSON error.
        Err(EdgeError::NotFound(_)) => return not_found_page(),
        Err(other) => return Err(other),
    };
    let merchant = config.id.as_str();
    let lang = negotiate_language(header(&req, "accept-language").as_deref(), LANGUAGES);
    let (path, number, order) = match &subject {
        Subject::Number(number) => (
            format!("/t/{merchant}/{number}"),
            number.clone(),
            String::new(),
        ),
        Subject::Order(order) => (
            format!("/t/{merchant}/orders/{}", percent_encode(order)),
            String::new(),
            order.clone(),
        ),
    };
    let url = match Config::from_env(env).public_base_url {
        Some(base) => format!("{base}{path}"),
        None => path,
    };
    // The shell is a static asset; it is fetched from the assets binding, whose host part is
    // never seen by anyone.
    let mut shell = env
        .assets(crate::routes::assets::BINDING)?
        .fetch("https://assets.invalid/track.html", None)
        .await?;
    let template = shell.text().await?;
    let (title, description) = match &subject {
        Subject::Number(number) => (
            format!("Tracking {number} · {}", config.name),
            format!(
                "Follow your {} order {number}: every step from the warehouse to your door.",
                config.name
            ),
        ),
        Subject::Order(order) => (
            format!("Order {order} · {}", config.name),
            format!(
                "Follow every shipment of your {} order {order}: every step from the warehouse to your door.",
                config.name
            ),
        ),
    };
    let html = render_template(&template, |name| {
        Some(match name {
            "title" => title.clone(),
            "description" => description.clone(),
            "url" => url.clone(),
            "merchant_name" => config.name.clone(),
            "merchant" => merchant.to_string(),
            "number" => number.clone(),
            "order" => order.clone(),
            "lang" => lang.to_string(),
            "dir" => if is_rtl(lang) { "rtl" } else { "ltr" }.to_string(),
            // The bundle the page's widget loads (the loader picks the same one): an order's
            // page never preloads the number bundle, nor a number's page order mode.
            "bundle" => match &subject {
                Subject::Number(_) => "waymark_widget",
                Subject::Order(_) => "waymark_widget_order",
            }
            .to_string(),
            _ => return None,
        })
    });
    Ok(ResponseBuilder::new()
        .with_status(200)
        .with_header("cache-control", "public, max-age=60")?
        .with_header("vary", "Accept-Language")?
        .with_header("content-language", lang)?
        .with_header("x-content-type-options", "nosniff")?
        .from_html(html)?)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a path segment.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn not_found_page() -> EdgeResult<Response> {
    let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>Tracking page not found</title><style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1c1f24}</style></head><body><main><h1>Tracking page not found</h1><p>This tracking link is not valid. Check the link in your shipping email, or track your order from the shop's website.</p></main></body></html>";
    Ok(ResponseBuilder::new()
        .with_status(404)
        .with_header("cache-control", "no-store")?
        .from_html(html)?)
}
