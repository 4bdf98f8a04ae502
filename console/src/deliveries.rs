//! The delivery log, shared by a shipment's page and the webhook settings: what was sent, to
//! which endpoint, store or alert address, how it went and when, with a replay for owners.

use leptos::prelude::*;
use serde_json::Value;

use crate::api::{self, list, text};
use crate::{error_text, when, Ctx};

/// Who a delivery went to, by its destination id.
#[derive(Clone, PartialEq)]
pub enum Destination {
    Endpoint(String),
    Recipient(String),
}

/// The endpoints of a `GET …/webhook-endpoints` answer, by id.
pub fn endpoints_of(answer: &Value) -> Vec<(String, Destination)> {
    list(answer, "endpoints")
        .iter()
        .map(|e| (text(e, "id"), Destination::Endpoint(text(e, "url"))))
        .collect()
}

/// The recipients of a `GET …/alert-recipients` answer, by id.
pub fn recipients_of(answer: &Value) -> Vec<(String, Destination)> {
    list(answer, "recipients")
        .iter()
        .map(|r| (text(r, "id"), Destination::Recipient(text(r, "email"))))
        .collect()
}

/// A delivery log: what was sent to the merchant's endpoints, its stores and its alert
/// addresses, to whom, how it went and when, with a replay for owners. `show_itn` adds the
/// shipment each delivery is about (the merchant-wide log; a shipment's page leaves it out).
#[component]
pub fn DeliveryLog(
    ctx: Ctx,
    deliveries: Vec<Value>,
    destinations: Vec<(String, Destination)>,
    reload: Callback<()>,
    #[prop(optional)] show_itn: bool,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let message = RwSignal::new(None::<(bool, String)>);
    if deliveries.is_empty() {
        return view! { <p class="state empty">{i18n.t("deliveries_empty")}</p> }.into_any();
    }
    let to = move |id: &str| match destinations.iter().find(|(known, _)| known == id) {
        Some((_, Destination::Endpoint(url))) => i18n.fill("sent_to_endpoint", &[("url", url)]),
        Some((_, Destination::Recipient(email))) => {
            i18n.fill("sent_to_recipient", &[("email", email)])
        }
        // A store channel (Shopify calls), or a destination removed since.
        None if id.contains(':') => i18n.fill("sent_to_channel", &[("channel", id)]),
        None => i18n.fill("sent_to_removed", &[("id", id)]),
    };
    view! {
        <div class="grid-wrap" tabindex="0" role="region" aria-label=i18n.t("deliveries_title")>
            <table class="grid">
                <thead><tr>
                    {show_itn.then(|| view! { <th scope="col">{i18n.t("col_itn")}</th> })}
                    <th scope="col">{i18n.t("delivery_type")}</th>
                    <th scope="col">{i18n.t("delivery_to")}</th>
                    <th scope="col">{i18n.t("delivery_status")}</th>
                    <th scope="col">{i18n.t("delivery_when")}</th>
                    <th scope="col"><span class="visually-hidden">{i18n.t("delivery_replay")}</span></th>
                </tr></thead>
                <tbody>
                    {deliveries.into_iter().map(|d| {
                        let id = text(&d, "id");
                        let status = text(&d, "status");
                        let attempts = d.get("attempts").and_then(Value::as_i64).unwrap_or(0).to_string();
                        let answer = match (d.get("last_status").and_then(Value::as_i64), text(&d, "last_error")) {
                            (Some(code), _) => i18n.fill("delivery_answer", &[("status", &code.to_string())]),
                            (None, error) if !error.is_empty() => error,
                            _ => String::new(),
                        };
                        let done = text(&d, "delivered_at");
                        let when_line = if done.is_empty() {
                            i18n.fill("delivery_queued_at", &[("at", &when(i18n.lang, &text(&d, "created_at")))])
                        } else {
                            i18n.fill("delivery_delivered_at", &[("at", &when(i18n.lang, &done))])
                        };
                        let url = ctx.path(&["deliveries/", &shared::console::encode_component(&id), "/replay"].concat());
                        let itn = text(&d, "itn");
                        view! { <tr>
                            {show_itn.then(|| view! { <td><a class="itn" href=crate::shipment_href(&itn)>{itn.clone()}</a></td> })}
                            <td><code>{text(&d, "type")}</code></td>
                            <td>{to(&text(&d, "endpoint_id"))}</td>
                            <td>
                                <span class=["badge delivery-", &status].concat()>{i18n.t(&["delivery_status_", &status].concat())}</span>
                                <span class="meta">{i18n.fill("delivery_attempts_n", &[("n", &attempts)])}" "{answer}</span>
                            </td>
                            <td>{when_line}</td>
                            <td>{owner.then(|| view! {
                                <button type="button" class="secondary" on:click=move |_| {
                                    message.set(None);
                                    let url = url.clone();
                                    leptos::task::spawn_local(async move {
                                        match api::send("POST", &url, None, &ctx.csrf()).await {
                                            Ok(_) => { message.set(Some((true, i18n.t("saved")))); reload.run(()); }
                                            Err(e) => message.set(Some((false, error_text(&i18n, &e)))),
                                        }
                                    });
                                }>{i18n.t("delivery_replay")}</button>
                            })}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div role="status">
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m}</p> })}
        </div>
    }
    .into_any()
}
