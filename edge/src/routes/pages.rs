//! The shareable tracking page `/t/{merchant}/{number}`: the page shell from `www/track.html`
//! with a title, description and Open Graph tags filled in, and the widget set to look up
//! the number at once.

use worker::{Env, Request, Response, ResponseBuilder};

use crate::config::Config;
use crate::error::{EdgeError, EdgeResult};
use crate::http::public_base;
use crate::routes::public_merchant;
use crate::store::Store;
use crate::sync::now;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub async fn tracking_page(
    req: Request,
    env: &Env,
    merchant: &str,
    number: &str,
) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let config = match public_merchant(&store, merchant, now()).await {
        Ok(config) => config,
        // A person followed this link: answer with a page, not a JSON error.
        Err(EdgeError::NotFound(_)) => return not_found_page(),
        Err(other) => return Err(other),
    };
    let merchant = &config.id;
    let base = public_base(&req, Config::from_env(env).public_base_url.as_deref());
    // Only characters a tracking number can hold survive into the page.
    let number: String = number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(64)
        .collect();
    let shell_url = format!("{base}/track.html");
    let mut shell = env
        .assets(crate::routes::assets::BINDING)?
        .fetch(shell_url, None)
        .await?;
    let template = shell.text().await?;
    let title = format!("Tracking {number} · {}", config.name);
    let description = format!(
        "Follow your {} order {number}: every step from the warehouse to your door.",
        config.name
    );
    let html = template
        .replace("{{title}}", &escape(&title))
        .replace("{{description}}", &escape(&description))
        .replace("{{url}}", &escape(&format!("{base}/t/{merchant}/{number}")))
        .replace("{{merchant_name}}", &escape(&config.name))
        .replace("{{merchant}}", &escape(merchant.as_str()))
        .replace("{{number}}", &escape(&number))
        .replace("{{base}}", &escape(&base));
    Ok(ResponseBuilder::new()
        .with_status(200)
        .with_header("cache-control", "public, max-age=60")?
        .with_header("x-content-type-options", "nosniff")?
        .from_html(html)?)
}

fn not_found_page() -> EdgeResult<Response> {
    let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>Tracking page not found</title><style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1c1f24}</style></head><body><main><h1>Tracking page not found</h1><p>This tracking link is not valid. Check the link in your shipping email, or track your order from the shop's website.</p></main></body></html>";
    Ok(ResponseBuilder::new()
        .with_status(404)
        .with_header("cache-control", "no-store")?
        .from_html(html)?)
}
