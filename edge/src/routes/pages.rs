//! The shareable tracking page `/t/{merchant}/{number}`: the page shell from `www/track.html`
//! with a title, description and Open Graph tags filled in, and the widget set to look up
//! the number at once.

use worker::{Env, Request, Response, ResponseBuilder};

use crate::config::Config;
use crate::error::EdgeResult;
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
    let config = public_merchant(&store, merchant, now()).await?;
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
