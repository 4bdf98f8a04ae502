//! One shipment's details: its numbers (links to the shopper's page), the timeline the
//! shopper sees (`shared`'s `TrackingView`, with `shared::presentation`'s stage marks), the
//! history, the channel's status, the deliveries about it, and the owner's actions.

use leptos::prelude::*;
use serde_json::{json, Value};
use shared::channels::ChannelStatusView;
use shared::console::{channel_state_sentence, history_sentence, track_path, Part, Sentence};
use shared::presentation::{self, StageMark};
use shared::shipment::{CheckpointDef, ShipmentEvent};
use shared::view::TrackingView;

use crate::api::{self, list, text};
use crate::{error_text, when, Ctx, Load};

#[derive(Clone, PartialEq)]
struct Loaded {
    shipment: Value,
    channel: Option<Value>,
    deliveries: Vec<Value>,
    /// Who each delivery went to, by destination id: an endpoint's URL, a recipient's address.
    destinations: Vec<(String, Destination)>,
}

#[derive(Clone, PartialEq)]
enum Destination {
    Endpoint(String),
    Recipient(String),
}

#[component]
pub fn Details(ctx: Ctx, itn: String) -> impl IntoView {
    let i18n = ctx.i18n;
    let state = RwSignal::new(Load::<Loaded>::Loading);
    let itn = StoredValue::new(itn);
    let reload = move || {
        let base = ctx.path(
            &[
                "shipments/",
                &shared::console::encode_component(&itn.get_value()),
            ]
            .concat(),
        );
        let deliveries_url = ctx.path(
            &[
                "deliveries?limit=500&itn=",
                &shared::console::encode_component(&itn.get_value()),
            ]
            .concat(),
        );
        leptos::task::spawn_local(async move {
            let shipment = match api::get(&base).await {
                Ok(v) => v,
                Err(e) => return state.set(Load::Failed(e)),
            };
            let channel = api::get(&[base.as_str(), "/channel"].concat()).await.ok();
            let deliveries = api::get(&deliveries_url)
                .await
                .map(|v| list(&v, "deliveries"))
                .unwrap_or_default();
            let mut destinations = Vec::new();
            if let Ok(v) = api::get(&ctx.path("webhook-endpoints")).await {
                for e in list(&v, "endpoints") {
                    destinations.push((text(&e, "id"), Destination::Endpoint(text(&e, "url"))));
                }
            }
            if let Ok(v) = api::get(&ctx.path("alert-recipients")).await {
                for r in list(&v, "recipients") {
                    destinations.push((text(&r, "id"), Destination::Recipient(text(&r, "email"))));
                }
            }
            state.set(Load::Ready(Loaded {
                shipment,
                channel,
                deliveries,
                destinations,
            }));
        });
    };
    reload();
    view! {
        <section aria-labelledby="shipment-title">
            <p><a href="#/find">{i18n.t("back_to_find")}</a></p>
            <h1 id="shipment-title" tabindex="-1">{move || i18n.fill("shipment_title", &[("itn", &itn.get_value())])}</h1>
            {move || match state.get() {
                Load::Loading => view! { <p class="state loading" role="status">{i18n.t("loading")}</p> }.into_any(),
                Load::Failed(e) => view! { <p class="state error" role="alert">{error_text(&i18n, &e)}</p> }.into_any(),
                Load::Ready(loaded) => view! { <Body ctx loaded reload=Callback::new(move |()| reload())/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Body(ctx: Ctx, loaded: Loaded, reload: Callback<()>) -> impl IntoView {
    let i18n = ctx.i18n;
    let merchant = ctx.merchant();
    let s = &loaded.shipment;
    let itn = text(s, "itn");
    let numbers = list(s, "tracking_numbers");
    let tracking: Option<TrackingView> = s
        .get("tracking")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok());
    let checkpoints: Vec<String> = list(s, "checkpoints")
        .iter()
        .map(|c| text(c, "label"))
        .collect();
    view! {
        <dl class="facts">
            <dt>{i18n.t("col_itn")}</dt>
            <dd><a href=track_path(&merchant, &itn) class="itn">{itn.clone()}</a></dd>
            <dt>{i18n.t("col_tracking_numbers")}</dt>
            <dd>
                {if numbers.is_empty() { Some(i18n.t("none")) } else { None }}
                {numbers.iter().map(|n| {
                    let tn = text(n, "tracking_number");
                    let role = text(n, "role");
                    let href = track_path(&merchant, &tn);
                    view! { <a class="tn" href=href>{tn}</a>" (" {role} ") " }
                }).collect_view()}
            </dd>
            <dt>{i18n.t("col_order_ref")}</dt><dd>{text(s, "order_ref")}</dd>
            <dt>{i18n.t("col_channel")}</dt><dd>{text(s, "channel")}</dd>
            <dt>{i18n.t("col_created")}</dt><dd>{when(i18n.lang, &text(s, "created_at"))}</dd>
        </dl>
        <div class="columns-2">
            <section aria-labelledby="timeline-title" class="card">
                <h2 id="timeline-title">{i18n.t("shipment_timeline")}</h2>
                {match tracking {
                    Some(view) => view! { <Timeline ctx view/> }.into_any(),
                    None => view! { <p class="state empty">{i18n.t("shipment_no_view")}</p> }.into_any(),
                }}
            </section>
            <section aria-labelledby="history-title" class="card">
                <h2 id="history-title">{i18n.t("shipment_history")}</h2>
                <History ctx history=list(s, "history")/>
            </section>
        </div>
        <section aria-labelledby="channel-title" class="card">
            <h2 id="channel-title">{i18n.t("shipment_channel")}</h2>
            {match loaded.channel.and_then(|v| serde_json::from_value::<ChannelStatusView>(v).ok()) {
                Some(status) => view! { <ChannelStatus ctx status/> }.into_any(),
                None => view! { <p class="state empty">{i18n.t("none")}</p> }.into_any(),
            }}
        </section>
        <section aria-labelledby="deliveries-title" class="card">
            <h2 id="deliveries-title">{i18n.t("shipment_deliveries")}</h2>
            <Sent ctx deliveries=loaded.deliveries destinations=loaded.destinations reload/>
        </section>
        {ctx.owner().then(|| view! { <Actions ctx itn=itn.clone() checkpoints reload/> })}
    }
}

/// Everything sent about the shipment: to the merchant's endpoints, its sales channel's store
/// and its alert addresses, with what, when, how it went, and a replay for owners.
#[component]
fn Sent(
    ctx: Ctx,
    deliveries: Vec<Value>,
    destinations: Vec<(String, Destination)>,
    reload: Callback<()>,
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
                        view! { <tr>
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

/// A sentence of `shared::console` in the reader's language, times in their zone.
fn say(i18n: &crate::i18n::I18n, sentence: &Sentence) -> String {
    let values: Vec<(&str, String)> = sentence
        .parts
        .iter()
        .map(|(name, part)| {
            let value = match part {
                Part::Text(text) => text.clone(),
                Part::Time(at) => when(i18n.lang, &at.to_string()),
                Part::Key(key) => i18n.t(key),
            };
            (*name, value)
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    i18n.fill(sentence.key, &borrowed)
}

/// The shipment's own history, newest first, each event a sentence with when it was recorded.
#[component]
fn History(ctx: Ctx, history: Vec<Value>) -> impl IntoView {
    let i18n = ctx.i18n;
    let events: Vec<ShipmentEvent> = history
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    let checkpoints: Vec<CheckpointDef> = events
        .iter()
        .find_map(|e| match e {
            ShipmentEvent::Created { checkpoints, .. } => Some(checkpoints.clone()),
            _ => None,
        })
        .unwrap_or_default();
    if events.is_empty() {
        return view! { <p class="state empty">{i18n.t("none")}</p> }.into_any();
    }
    view! {
        // Newest first, numbered as they happened.
        <ol class="history" reversed>
            {events.iter().rev().map(|event| {
                let at = event.at().to_string();
                let line = say(&i18n, &history_sentence(event, &checkpoints));
                view! {
                    <li>
                        <time datetime=at.clone()>{when(i18n.lang, &at)}</time>
                        <span class="what">{line}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// Where the ship confirmation to the shipment's sales channel stands, in words.
#[component]
fn ChannelStatus(ctx: Ctx, status: ChannelStatusView) -> impl IntoView {
    let i18n = ctx.i18n;
    let state = status.state.confirmation().as_str();
    let yes_no = move |b: bool| i18n.t(if b { "yes" } else { "no" });
    let policy = status.policy.confirm().as_str();
    let confirmed = status.confirmed.as_ref().map(|c| {
        let at = c.at.to_string();
        i18n.fill(
            "channel_confirmed_line",
            &[
                ("tn", &c.tracking_number.to_string()),
                ("at", &when(i18n.lang, &at)),
            ],
        )
    });
    let fields = status
        .required_fields
        .iter()
        .map(|field| {
            let name = &i18n.t(shared::console::field_key(*field));
            match status.imei_supplied_at {
                Some(at) => i18n.fill(
                    "channel_field_supplied",
                    &[("field", name), ("at", &when(i18n.lang, &at.to_string()))],
                ),
                None => i18n.fill("channel_field_missing", &[("field", name)]),
            }
        })
        .collect::<Vec<_>>();
    let shopify = status.shopify.clone();
    view! {
        <p class="channel-state">
            <span class=["badge confirmation-", state].concat()>{i18n.t(&["confirmation_", state].concat())}</span>
            " "{say(&i18n, &channel_state_sentence(&status.state))}
        </p>
        <dl class="facts">
            <dt>{i18n.t("col_channel")}</dt><dd>{status.channel.to_string()}</dd>
            <dt>{i18n.t("channels_policy")}</dt>
            <dd><code>{policy}</code>" · "{i18n.t(&["policy_", policy].concat())}</dd>
            <dt>{i18n.t("channel_locks")}</dt><dd>{yes_no(status.policy.locks())}</dd>
            {confirmed.map(|line| view! { <dt>{i18n.t("channel_confirmed")}</dt><dd>{line}</dd> })}
            {(!fields.is_empty()).then(|| view! {
                <dt>{i18n.t("channel_fields")}</dt>
                <dd>{fields.into_iter().map(|f| view! { <span class="field-line">{f}</span> }).collect_view()}</dd>
            })}
            <dt>{i18n.t("channel_cod")}</dt><dd>{yes_no(status.cash_on_delivery)}</dd>
            <dt>{i18n.t("channel_smartphone")}</dt><dd>{yes_no(status.smartphone)}</dd>
            {shopify.map(|shop| {
                let events = shop.events_planned.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                view! {
                    <dt>{i18n.t("channel_shopify_order")}</dt><dd><code>{shop.order_id.as_str().to_string()}</code></dd>
                    <dt>{i18n.t("channel_shopify_fulfillment")}</dt>
                    <dd>{shop.fulfillment_id.map(|f| f.as_str().to_string()).unwrap_or_else(|| i18n.t("channel_not_yet"))}</dd>
                    <dt>{i18n.t("channel_shopify_events")}</dt>
                    <dd>{if events.is_empty() { i18n.t("none") } else { events }}</dd>
                    <dt>{i18n.t("channel_shopify_paid")}</dt>
                    <dd>{shop.marked_paid_for.map(|at| when(i18n.lang, &at.to_string())).unwrap_or_else(|| i18n.t("channel_not_yet"))}</dd>
                }
            })}
        </dl>
    }
}

#[component]
fn Timeline(ctx: Ctx, view: TrackingView) -> impl IntoView {
    let i18n = ctx.i18n;
    let marks = presentation::stage_marks(&view.progress);
    view! {
        <p class="headline">{view.status.label.clone()}</p>
        <ol class="stages">
            {shared::stage::Stage::ALL.into_iter().zip(marks).map(|(stage, mark)| {
                let class = match mark { StageMark::Done => "done", StageMark::Current => "current", _ => "todo" };
                view! { <li class=class>{i18n.t(&["stage_", presentation::stage_name(stage)].concat())}</li> }
            }).collect_view()}
        </ol>
        <ol class="timeline">
            {view.timeline.iter().rev().map(|entry| {
                let time = entry.time.clone().map(|t| when(i18n.lang, &t)).unwrap_or_default();
                let class = if entry.done { "done" } else { "todo" };
                view! {
                    <li class=class>
                        <span class="label">{entry.label.clone()}</span>
                        <span class="meta">{time}" "{entry.location.clone().unwrap_or_default()}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// What an owner can do to a shipment: reach a checkpoint, attach or correct a TN, give the IMEI.
#[component]
fn Actions(ctx: Ctx, itn: String, checkpoints: Vec<String>, reload: Callback<()>) -> impl IntoView {
    let i18n = ctx.i18n;
    let checkpoint = RwSignal::new(String::from("0"));
    let tn = RwSignal::new(String::new());
    let role = RwSignal::new(String::from("default"));
    let imei = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let base = StoredValue::new(
        ctx.path(&["shipments/", &shared::console::encode_component(&itn)].concat()),
    );
    let run = move |method: &'static str, rest: &'static str, body: Value| {
        message.set(None);
        leptos::task::spawn_local(async move {
            let url = [base.get_value().as_str(), rest].concat();
            match api::send(method, &url, Some(&body), &ctx.csrf()).await {
                Ok(_) => {
                    message.set(Some((true, i18n.t("saved"))));
                    reload.run(());
                }
                Err(e) => message.set(Some((false, error_text(&i18n, &e)))),
            }
        });
    };
    view! {
        <section aria-labelledby="actions-title" class="card">
            <h2 id="actions-title">{i18n.t("shipment_actions")}</h2>
            <form class="inline" on:submit=move |ev| {
                ev.prevent_default();
                let index: u32 = checkpoint.get_untracked().parse().unwrap_or(0);
                run("POST", "/events", json!({"checkpoint": index}));
            }>
                <label for="act-checkpoint">{i18n.t("action_checkpoint")}</label>
                <select id="act-checkpoint" on:change=move |ev| checkpoint.set(event_target_value(&ev))>
                    {checkpoints.into_iter().enumerate().map(|(i, label)| view! {
                        <option value=i.to_string()>{label}</option>
                    }).collect_view()}
                </select>
                <button type="submit">{i18n.t("action_checkpoint_submit")}</button>
            </form>
            <form class="inline" on:submit=move |ev| {
                ev.prevent_default();
                let number: String = tn.get_untracked().split_whitespace().collect();
                run("PUT", "/tracking", json!({"tracking_number": number, "role": role.get_untracked()}));
            }>
                <label for="act-tn">{i18n.t("action_tn")}</label>
                <input id="act-tn" prop:value=move || tn.get() on:input=move |ev| tn.set(event_target_value(&ev))/>
                <label for="act-role">{i18n.t("action_role")}</label>
                <select id="act-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="default">{i18n.t("role_default")}</option>
                    <option value="local">{i18n.t("role_local")}</option>
                </select>
                <button type="submit">{i18n.t("action_tn_submit")}</button>
            </form>
            <form class="inline" on:submit=move |ev| {
                ev.prevent_default();
                run("PUT", "/fields", json!({"imei": imei.get_untracked().trim()}));
            }>
                <label for="act-imei">{i18n.t("action_imei")}</label>
                <input id="act-imei" inputmode="numeric" prop:value=move || imei.get() on:input=move |ev| imei.set(event_target_value(&ev))/>
                <button type="submit">{i18n.t("action_imei_submit")}</button>
            </form>
            <div role="status">
                {move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m}</p> })}
            </div>
        </section>
    }
}
