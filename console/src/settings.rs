//! Settings: owners change them, staff see them with every control disabled and a note.
//! Checkpoints (with a live preview of the shopper's list), the business calendar, channels
//! and their policies explained in place, webhook endpoints with their delivery log and
//! replay, alert recipients and their verification, the embed snippet and the `/t/` link,
//! and the audit history (who, when, what).

use leptos::prelude::*;
use serde_json::{json, Value};
use shared::console::{embed_snippet, move_entry};

use crate::api::{self, list, text};
use crate::{error_text, when, Ctx, Load};

/// A load of one resource, shown with its own loading and error states.
fn fetch_into(url: String, into: RwSignal<Load<Value>>) {
    into.set(Load::Loading);
    leptos::task::spawn_local(async move {
        into.set(match api::get(&url).await {
            Ok(v) => Load::Ready(v),
            Err(e) => Load::Failed(e),
        });
    });
}

/// The outcome of a save, read out by screen readers.
fn status_view(message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    view! {
        <div role="status" class="save-status">
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m}</p> })}
        </div>
    }
}

fn save(
    ctx: Ctx,
    method: &'static str,
    url: String,
    body: Option<Value>,
    message: RwSignal<Option<(bool, String)>>,
    then: impl FnOnce(Value) + 'static,
) {
    message.set(None);
    leptos::task::spawn_local(async move {
        match api::send(method, &url, body.as_ref(), &ctx.csrf()).await {
            Ok(v) => {
                message.set(Some((true, ctx.t("saved"))));
                then(v);
            }
            Err(e) => message.set(Some((false, error_text(&ctx.i18n, &e)))),
        }
    });
}

fn loading_or_error<T: Clone + PartialEq + Send + Sync + 'static>(
    ctx: Ctx,
    state: RwSignal<Load<T>>,
    ready: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = ctx.i18n;
    move || match state.get() {
        Load::Loading => {
            view! { <p class="state loading" role="status">{i18n.t("loading")}</p> }.into_any()
        }
        Load::Failed(e) => {
            view! { <p class="state error" role="alert">{error_text(&i18n, &e)}</p> }.into_any()
        }
        Load::Ready(v) => ready(v),
    }
}

#[component]
pub fn Settings(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    view! {
        <section aria-labelledby="settings-title">
            <h1 id="settings-title" tabindex="-1">{i18n.t("settings_title")}</h1>
            {(!ctx.owner()).then(|| view! { <p class="notice" role="note">{i18n.t("settings_read_only")}</p> })}
            <Checkpoints ctx/>
            <Calendar ctx/>
            <Embed ctx/>
            <Channels ctx/>
            <Webhooks ctx/>
            <Recipients ctx/>
            <Staff ctx/>
        </section>
    }
}

#[derive(Clone, PartialEq)]
struct Entry {
    key: u32,
    label: String,
    reached_by: Option<String>,
}

fn numbered(entries: Vec<Entry>) -> Vec<(usize, Entry)> {
    entries.into_iter().enumerate().collect()
}

#[component]
fn Checkpoints(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let entries = RwSignal::new(Vec::<Entry>::new());
    let state = RwSignal::new(Load::<()>::Loading);
    let next_key = StoredValue::new(0u32);
    let message = RwSignal::new(None);
    let fill = move |value: &Value| {
        let list: Vec<Entry> = list(value, "checkpoints")
            .iter()
            .map(|c| {
                next_key.update_value(|k| *k += 1);
                Entry {
                    key: next_key.get_value(),
                    label: text(c, "label"),
                    reached_by: c
                        .get("reached_by")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                }
            })
            .collect();
        entries.set(list);
    };
    let url = ctx.path("checkpoints");
    {
        let url = url.clone();
        leptos::task::spawn_local(async move {
            match api::get(&url).await {
                Ok(v) => {
                    fill(&v);
                    state.set(Load::Ready(()));
                }
                Err(e) => state.set(Load::Failed(e)),
            }
        });
    }
    let add = move |_| {
        next_key.update_value(|k| *k += 1);
        entries.update(|e| {
            e.push(Entry {
                key: next_key.get_value(),
                label: String::new(),
                reached_by: None,
            })
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body: Vec<Value> = entries
            .get_untracked()
            .into_iter()
            .filter(|e| !e.label.trim().is_empty())
            .map(|e| match e.reached_by {
                Some(r) => json!({"label": e.label.trim(), "reached_by": r}),
                None => json!({"label": e.label.trim()}),
            })
            .collect();
        save(
            ctx,
            "PUT",
            url.clone(),
            Some(json!({"checkpoints": body})),
            message,
            move |v| fill(&v),
        );
    };
    view! {
        <section aria-labelledby="cp-title" class="card">
            <h2 id="cp-title">{i18n.t("checkpoints_title")}</h2>
            <p class="hint">{i18n.t("checkpoints_intro")}</p>
            {loading_or_error(ctx, state, move |()| view! {
                <div class="columns-2">
                    <form on:submit=submit.clone() class="checkpoints">
                        <ol>
                            <For each=move || numbered(entries.get())
                                key=|(i, e)| (*i, e.key) let:item>
                                {
                                    let (index, entry) = item;
                                    let id = ["cp-", &entry.key.to_string()].concat();
                                    let number = (index + 1).to_string();
                                    let key = entry.key;
                                    let position = move || entries.with(|e| e.iter().position(|x| x.key == key));
                                    view! {
                                        <li>
                                            <label for=id.clone() class="visually-hidden">{i18n.fill("checkpoint_n", &[("n", &number)])}</label>
                                            <input id=id value=entry.label.clone() maxlength="120" disabled=!owner
                                                on:input=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    entries.update(|e| if let Some(x) = e.iter_mut().find(|x| x.key == key) { x.label = v; x.reached_by = None; });
                                                }/>
                                            <button type="button" class="icon" disabled=!owner
                                                aria-label=i18n.fill("checkpoint_up", &[("n", &number)])
                                                on:click=move |_| if let Some(i) = position() { entries.update(|e| move_entry(e, i, true)) }>"↑"</button>
                                            <button type="button" class="icon" disabled=!owner
                                                aria-label=i18n.fill("checkpoint_down", &[("n", &number)])
                                                on:click=move |_| if let Some(i) = position() { entries.update(|e| move_entry(e, i, false)) }>"↓"</button>
                                            <button type="button" class="icon danger" disabled=!owner
                                                aria-label=i18n.fill("checkpoint_remove", &[("n", &number)])
                                                on:click=move |_| entries.update(|e| e.retain(|x| x.key != key))>"✕"</button>
                                        </li>
                                    }
                                }
                            </For>
                        </ol>
                        <div class="actions">
                            <button type="button" class="secondary" disabled=!owner on:click=add>{i18n.t("checkpoint_add")}</button>
                            <button type="submit" disabled=!owner>{i18n.t("save")}</button>
                        </div>
                        {status_view(message)}
                    </form>
                    <div class="preview" aria-labelledby="cp-preview-title">
                        <h3 id="cp-preview-title">{i18n.t("checkpoints_preview")}</h3>
                        <ol class="timeline">
                            {move || entries.get().into_iter().filter(|e| !e.label.trim().is_empty()).map(|e| view! {
                                <li class="todo"><span class="label">{e.label}</span></li>
                            }).collect_view()}
                        </ol>
                    </div>
                </div>
            }.into_any())}
        </section>
    }
}

#[component]
fn Calendar(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let state = RwSignal::new(Load::<Value>::Loading);
    let url = ctx.path("settings");
    fetch_into(url.clone(), state);
    let zone = RwSignal::new(String::new());
    let every = RwSignal::new(String::new());
    let open = RwSignal::new(String::new());
    let close = RwSignal::new(String::new());
    let message = RwSignal::new(None);
    Effect::new(move |_| {
        if let Load::Ready(v) = state.get() {
            zone.set(
                v.pointer("/settings/time_zone")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            );
            every.set(
                v.pointer("/settings/refresh_schedule/every_hours")
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
            );
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut patch = serde_json::Map::new();
        let z = zone.get_untracked().trim().to_string();
        if !z.is_empty() {
            patch.insert("time_zone".into(), json!(z));
        }
        if let Ok(h) = every.get_untracked().trim().parse::<u32>() {
            patch.insert("refresh_schedule".into(), json!({"every_hours": h}));
        }
        let (o, c) = (open.get_untracked(), close.get_untracked());
        if !o.is_empty() && !c.is_empty() {
            patch.insert("business_hours".into(), json!({"open": o, "close": c}));
        }
        save(
            ctx,
            "PATCH",
            url.clone(),
            Some(Value::Object(patch)),
            message,
            move |v| state.set(Load::Ready(v)),
        );
    };
    view! {
        <section aria-labelledby="cal-title" class="card">
            <h2 id="cal-title">{i18n.t("calendar_title")}</h2>
            {loading_or_error(ctx, state, move |v| {
                let s = v.get("settings").cloned().unwrap_or(Value::Null);
                let show = |key: &str| s.get(key).map(|x| x.to_string()).unwrap_or_else(|| "—".into());
                view! {
                    <form on:submit=submit.clone() class="inline">
                        <label for="set-zone">{i18n.t("calendar_zone")}</label>
                        <input id="set-zone" disabled=!owner prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev))/>
                        <label for="set-every">{i18n.t("calendar_every")}</label>
                        <input id="set-every" type="number" min="1" max="24" disabled=!owner prop:value=move || every.get() on:input=move |ev| every.set(event_target_value(&ev))/>
                        <label for="set-open">{i18n.t("calendar_open")}</label>
                        <input id="set-open" type="time" disabled=!owner prop:value=move || open.get() on:input=move |ev| open.set(event_target_value(&ev))/>
                        <label for="set-close">{i18n.t("calendar_close")}</label>
                        <input id="set-close" type="time" disabled=!owner prop:value=move || close.get() on:input=move |ev| close.set(event_target_value(&ev))/>
                        <button type="submit" disabled=!owner>{i18n.t("save")}</button>
                    </form>
                    {status_view(message)}
                    <dl class="facts">
                        <dt>{i18n.t("calendar_days")}</dt><dd><code>{show("business_days")}</code></dd>
                        <dt>{i18n.t("calendar_hours")}</dt><dd><code>{show("business_hours")}</code></dd>
                        <dt>{i18n.t("calendar_refresh")}</dt><dd><code>{show("refresh_schedule")}</code></dd>
                    </dl>
                    <PickupWindows ctx settings=state/>
                    <h3>{i18n.t("history_title")}</h3>
                    <div class="grid-wrap" tabindex="0" role="region" aria-label=i18n.t("history_title")>
                        <table class="grid">
                            <thead><tr>
                                <th scope="col">{i18n.t("history_when")}</th>
                                <th scope="col">{i18n.t("history_who")}</th>
                                <th scope="col">{i18n.t("history_what")}</th>
                                <th scope="col">{i18n.t("history_change")}</th>
                            </tr></thead>
                            <tbody>
                                {list(&v, "history").into_iter().map(|h| view! { <tr>
                                    <td>{when(i18n.lang, &text(&h, "at"))}</td>
                                    <td>{text(&h, "actor")}</td>
                                    <td>{text(&h, "field")}</td>
                                    <td><code>{text(&h, "from")}</code>" → "<code>{text(&h, "to")}</code></td>
                                </tr> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn Embed(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let origin = window().location().origin().unwrap_or_default();
    let merchant = ctx.merchant();
    let snippet = embed_snippet(&origin, &merchant);
    let link = [origin.as_str(), "/t/", &merchant, "/"].concat();
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |what: &'static str, value: String| {
        move |_| {
            let clipboard = window().navigator().clipboard();
            let promise = clipboard.write_text(&value);
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(Some(what));
                }
            });
        }
    };
    view! {
        <section aria-labelledby="embed-title" class="card">
            <h2 id="embed-title">{i18n.t("embed_title")}</h2>
            <p class="hint">{i18n.t("embed_intro")}</p>
            <pre><code id="embed-snippet">{snippet.clone()}</code></pre>
            <button type="button" class="secondary" on:click=copy("snippet", snippet)>{i18n.t("copy_snippet")}</button>
            <p>{i18n.t("embed_link")}" "<code>{link.clone()}</code></p>
            <button type="button" class="secondary" on:click=copy("link", link)>{i18n.t("copy_link")}</button>
            <p role="status">{move || copied.get().map(|_| i18n.t("copied"))}</p>
        </section>
    }
}

#[component]
fn Channels(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let state = RwSignal::new(Load::<Value>::Loading);
    fetch_into(ctx.path("channels"), state);
    let message = RwSignal::new(None);
    let name = RwSignal::new(String::new());
    let policy = RwSignal::new(String::from("on_assigned"));
    // Sets one channel's policy, then shows the list as it now is.
    let put = move |channel: String, confirm: String| {
        let url = ctx.path(
            &[
                "channels/",
                &shared::console::encode_component(channel.trim()),
            ]
            .concat(),
        );
        save(
            ctx,
            "PUT",
            url,
            Some(json!({"confirm": confirm})),
            message,
            move |_| fetch_into(ctx.path("channels"), state),
        );
    };
    view! {
        <section aria-labelledby="ch-title" class="card">
            <h2 id="ch-title">{i18n.t("channels_title")}</h2>
            <dl class="policies">
                {["on_assigned", "on_movement", "never"].into_iter().map(|p| view! {
                    <dt><code>{p}</code></dt><dd>{i18n.t(&["policy_", p].concat())}</dd>
                }).collect_view()}
            </dl>
            {loading_or_error(ctx, state, move |v| {
                let channels = list(&v, "channels");
                if channels.is_empty() {
                    return view! { <p class="state empty">{i18n.t("channels_empty")}</p> }.into_any();
                }
                view! {
                    <ul class="plain">
                        {channels.into_iter().enumerate().map(|(i, c)| {
                            let channel = text(&c, "channel");
                            let confirm = text(&c, "confirm");
                            let chosen = RwSignal::new(confirm.clone());
                            let permitted: Vec<String> = list(&c, "permitted").iter().filter_map(|p| p.as_str().map(str::to_string)).collect();
                            let id = ["ch-policy-", &i.to_string()].concat();
                            let hint = if confirm.is_empty() { String::new() } else { i18n.t(&["policy_", &confirm].concat()) };
                            let label = i18n.fill("channels_policy_of", &[("channel", &channel)]);
                            let target = channel.clone();
                            view! { <li>
                                <form class="inline" on:submit=move |ev| { ev.prevent_default(); put(target.clone(), chosen.get_untracked()); }>
                                    <strong>{channel}</strong>
                                    <label for=id.clone() class="visually-hidden">{label}</label>
                                    <select id=id disabled=!owner on:change=move |ev| chosen.set(event_target_value(&ev))>
                                        {permitted.into_iter().map(|p| {
                                            let selected = p == confirm;
                                            let value = p.clone();
                                            view! { <option value=value selected=selected>{p}</option> }
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="secondary" disabled=!owner>{i18n.t("save")}</button>
                                </form>
                                <p class="hint">{hint}</p>
                            </li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            {owner.then(|| view! {
                <form class="inline" on:submit=move |ev| { ev.prevent_default(); put(name.get_untracked(), policy.get_untracked()); }>
                    <label for="ch-new">{i18n.t("channels_new")}</label>
                    <input id="ch-new" aria-describedby="ch-new-hint" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <label for="ch-new-policy">{i18n.t("channels_policy")}</label>
                    <select id="ch-new-policy" on:change=move |ev| policy.set(event_target_value(&ev))>
                        {["on_assigned", "on_movement", "never"].into_iter().map(|p| view! { <option value=p>{p}</option> }).collect_view()}
                    </select>
                    <button type="submit">{i18n.t("save")}</button>
                    <p class="hint" id="ch-new-hint">{i18n.t("channels_new_hint")}</p>
                </form>
            })}
            {status_view(message)}
        </section>
    }
}

/// A delivery log, with a replay button per delivery (owners).
#[component]
pub fn DeliveryTable(ctx: Ctx, deliveries: Vec<Value>, reload: Callback<()>) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let message = RwSignal::new(None);
    if deliveries.is_empty() {
        return view! { <p class="state empty">{i18n.t("deliveries_empty")}</p> }.into_any();
    }
    view! {
        <div class="grid-wrap" tabindex="0" role="region" aria-label=i18n.t("deliveries_title")>
            <table class="grid">
                <thead><tr>
                    <th scope="col">{i18n.t("delivery_type")}</th>
                    <th scope="col">{i18n.t("delivery_to")}</th>
                    <th scope="col">{i18n.t("delivery_status")}</th>
                    <th scope="col">{i18n.t("delivery_attempts")}</th>
                    <th scope="col">{i18n.t("delivery_last")}</th>
                    <th scope="col"><span class="visually-hidden">{i18n.t("delivery_replay")}</span></th>
                </tr></thead>
                <tbody>
                    {deliveries.into_iter().map(|d| {
                        let id = text(&d, "id");
                        let url = ctx.path(&["deliveries/", &shared::console::encode_component(&id), "/replay"].concat());
                        view! { <tr>
                            <td>{text(&d, "type")}</td>
                            <td>{text(&d, "endpoint_id")}</td>
                            <td>{text(&d, "status")}</td>
                            <td>{text(&d, "attempts")}</td>
                            <td>{when(i18n.lang, &text(&d, "last_attempt_at"))}</td>
                            <td>{owner.then(|| view! {
                                <button type="button" class="secondary" on:click=move |_| save(ctx, "POST", url.clone(), None, message, move |_| reload.run(()))>
                                    {i18n.t("delivery_replay")}
                                </button>
                            })}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {status_view(message)}
    }
    .into_any()
}

#[component]
fn Webhooks(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let endpoints = RwSignal::new(Load::<Value>::Loading);
    let deliveries = RwSignal::new(Load::<Value>::Loading);
    let reload = Callback::new(move |()| {
        fetch_into(ctx.path("webhook-endpoints"), endpoints);
        fetch_into(ctx.path("deliveries?limit=50"), deliveries);
    });
    reload.run(());
    let owner = ctx.owner();
    let url_input = RwSignal::new(String::new());
    let secret = RwSignal::new(None::<String>);
    let message = RwSignal::new(None);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({"url": url_input.get_untracked().trim()});
        save(
            ctx,
            "POST",
            ctx.path("webhook-endpoints"),
            Some(body),
            message,
            move |v| {
                secret.set(Some(text(&v, "secret")).filter(|s| !s.is_empty()));
                url_input.set(String::new());
                reload.run(());
            },
        );
    };
    view! {
        <section aria-labelledby="wh-title" class="card">
            <h2 id="wh-title">{i18n.t("webhooks_title")}</h2>
            {owner.then(|| view! {
                <form class="inline" on:submit=add>
                    <label for="wh-url">{i18n.t("webhooks_url")}</label>
                    <input id="wh-url" type="url" placeholder="https://" prop:value=move || url_input.get()
                        on:input=move |ev| url_input.set(event_target_value(&ev))/>
                    <button type="submit">{i18n.t("webhooks_add")}</button>
                </form>
            })}
            {status_view(message)}
            {move || secret.get().map(|s| view! {
                <p class="notice">{i18n.t("webhooks_secret")}" "<code>{s}</code></p>
            })}
            {loading_or_error(ctx, endpoints, move |v| {
                let list = list(&v, "endpoints");
                if list.is_empty() {
                    return view! { <p class="state empty">{i18n.t("webhooks_empty")}</p> }.into_any();
                }
                view! { <ul class="plain">{list.into_iter().map(|e| view! {
                    <li><code>{text(&e, "url")}</code>" "<span class="hint">{text(&e, "events")}</span></li>
                }).collect_view()}</ul> }.into_any()
            })}
            <h3>{i18n.t("deliveries_title")}</h3>
            {loading_or_error(ctx, deliveries, move |v| view! {
                <DeliveryTable ctx deliveries=list(&v, "deliveries") reload/>
            }.into_any())}
        </section>
    }
}

#[component]
fn Recipients(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let state = RwSignal::new(Load::<Value>::Loading);
    let url = ctx.path("alert-recipients");
    fetch_into(url.clone(), state);
    let message = RwSignal::new(None);
    let email = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![
        String::from("refused"),
        String::from("attempt_failed"),
    ]);
    let add_url = url.clone();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({"email": email.get_untracked().trim(), "alerts": chosen.get_untracked()});
        let reload = add_url.clone();
        save(
            ctx,
            "POST",
            add_url.clone(),
            Some(body),
            message,
            move |_| {
                email.set(String::new());
                fetch_into(reload, state);
            },
        );
    };
    view! {
        <section aria-labelledby="al-title" class="card">
            <h2 id="al-title">{i18n.t("alerts_title")}</h2>
            {owner.then(|| view! {
                <form on:submit=add class="recipient">
                    <div class="inline">
                        <label for="al-email">{i18n.t("staff_email")}</label>
                        <input id="al-email" type="email" prop:value=move || email.get()
                            on:input=move |ev| email.set(event_target_value(&ev))/>
                    </div>
                    <fieldset>
                        <legend>{i18n.t("alerts_which")}</legend>
                        {ALERT_KINDS.into_iter().map(|kind| {
                            let id = ["al-kind-", kind].concat();
                            view! { <span class="check">
                                <input type="checkbox" id=id.clone()
                                    prop:checked=move || chosen.with(|c| c.iter().any(|x| x == kind))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| x != kind); if on { c.push(kind.to_string()) } });
                                    }/>
                                <label for=id>{i18n.t(&["alert_kind_", kind].concat())}</label>
                            </span> }
                        }).collect_view()}
                    </fieldset>
                    <button type="submit">{i18n.t("alerts_add")}</button>
                </form>
            })}
            {loading_or_error(ctx, state, move |v| {
                let list = list(&v, "recipients");
                if list.is_empty() {
                    return view! { <p class="state empty">{i18n.t("alerts_empty")}</p> }.into_any();
                }
                let url = url.clone();
                view! { <ul class="plain">{list.into_iter().map(|r| {
                    let id = text(&r, "id");
                    let verified = r.get("verified").and_then(Value::as_bool).unwrap_or(false);
                    let code = RwSignal::new(String::new());
                    let input_id = ["code-", &id].concat();
                    let verify_url = [url.as_str(), "/", &shared::console::encode_component(&id), "/verify"].concat();
                    let reload_url = url.clone();
                    view! { <li>
                        <strong>{text(&r, "email")}</strong>" "
                        <span class="hint">{text(&r, "alerts")}</span>" "
                        <span class=if verified { "badge ok" } else { "badge alert" }>
                            {if verified { i18n.t("alerts_verified") } else { i18n.t("alerts_unverified") }}
                        </span>
                        {(!verified && owner).then(|| view! {
                            <form class="inline" on:submit=move |ev| {
                                ev.prevent_default();
                                let reload_url = reload_url.clone();
                                save(ctx, "POST", verify_url.clone(), Some(json!({"code": code.get_untracked().trim()})), message,
                                    move |_| fetch_into(reload_url, state));
                            }>
                                <label for=input_id.clone()>{i18n.t("alerts_code")}</label>
                                <input id=input_id inputmode="numeric" on:input=move |ev| code.set(event_target_value(&ev))/>
                                <button type="submit">{i18n.t("alerts_verify")}</button>
                            </form>
                        })}
                    </li> }
                }).collect_view()}</ul> }.into_any()
            })}
            {status_view(message)}
        </section>
    }
}

/// The alerts a recipient can choose (`alert-recipients`' `alerts`).
const ALERT_KINDS: [&str; 6] = [
    "refused",
    "attempt_failed",
    "stalled",
    "shipped",
    "shipped_digest",
    "deadline_missed",
];

/// Who may sign in: owners add and remove staff; staff see the list.
#[component]
fn Staff(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let state = RwSignal::new(Load::<Value>::Loading);
    let url = ctx.path("staff");
    fetch_into(url.clone(), state);
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(String::from("staff"));
    let message = RwSignal::new(None);
    let me = ctx.session.with_value(|s| s.email.to_ascii_lowercase());
    let add_url = url.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({"email": email.get_untracked().trim(), "role": role.get_untracked()});
        let reload = add_url.clone();
        save(
            ctx,
            "POST",
            add_url.clone(),
            Some(body),
            message,
            move |_| {
                email.set(String::new());
                fetch_into(reload, state);
            },
        );
    };
    view! {
        <section aria-labelledby="staff-title" class="card">
            <h2 id="staff-title">{i18n.t("staff_title")}</h2>
            {loading_or_error(ctx, state, move |v| {
                let people = list(&v, "staff");
                if people.is_empty() {
                    return view! { <p class="state empty">{i18n.t("staff_empty")}</p> }.into_any();
                }
                let url = url.clone();
                let me = me.clone();
                view! { <ul class="plain">{people.into_iter().map(|p| {
                    let address = text(&p, "email");
                    let remove_url = [url.as_str(), "/", &shared::console::encode_component(&text(&p, "id"))].concat();
                    let reload = url.clone();
                    let removable = owner && address.to_ascii_lowercase() != me;
                    let label = i18n.fill("staff_remove", &[("email", &address)]);
                    view! { <li>
                        <strong>{address}</strong>" "
                        <span class="role">{i18n.t(&["role_", &text(&p, "role")].concat())}</span>" "
                        {removable.then(|| view! {
                            <button type="button" class="danger" aria-label=label
                                on:click=move |_| {
                                    let reload = reload.clone();
                                    save(ctx, "DELETE", remove_url.clone(), None, message, move |_| fetch_into(reload, state));
                                }>{i18n.t("staff_remove_short")}</button>
                        })}
                    </li> }
                }).collect_view()}</ul> }.into_any()
            })}
            {owner.then(|| view! {
                <form class="inline" on:submit=submit>
                    <label for="staff-email">{i18n.t("staff_email")}</label>
                    <input id="staff-email" type="email" autocomplete="off" prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))/>
                    <label for="staff-role">{i18n.t("staff_role")}</label>
                    <select id="staff-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        <option value="staff">{i18n.t("role_staff")}</option>
                        <option value="owner">{i18n.t("role_owner")}</option>
                    </select>
                    <button type="submit">{i18n.t("staff_add")}</button>
                </form>
            })}
            {status_view(message)}
        </section>
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Pickup windows: when carriers collect (local time, business days). Owners add and remove.
#[component]
fn PickupWindows(ctx: Ctx, settings: RwSignal<Load<Value>>) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let windows = move || match settings.get() {
        Load::Ready(v) => v
            .pointer("/settings/pickup_windows")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let days = RwSignal::new(vec!["mon", "tue", "wed", "thu", "fri"]);
    let from = RwSignal::new(String::from("14:30"));
    let to = RwSignal::new(String::from("17:00"));
    let message = RwSignal::new(None);
    let store = move |next: Vec<Value>| {
        save(
            ctx,
            "PATCH",
            ctx.path("settings"),
            Some(json!({"pickup_windows": next})),
            message,
            move |v| settings.set(Load::Ready(v)),
        );
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen: Vec<&str> = DAYS
            .into_iter()
            .filter(|d| days.with_untracked(|c| c.contains(d)))
            .collect();
        let mut next = windows();
        next.push(json!({"days": chosen, "from": from.get_untracked(), "to": to.get_untracked()}));
        store(next);
    };
    view! {
        <h3>{i18n.t("calendar_pickups")}</h3>
        {move || {
            let list = windows();
            if list.is_empty() {
                return view! { <p class="hint">{i18n.t("pickups_empty")}</p> }.into_any();
            }
            view! { <ul class="plain">{list.iter().enumerate().map(|(i, w)| {
                let days_text = w.get("days").and_then(Value::as_array).map(|d| {
                    d.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
                }).unwrap_or_default();
                let summary = [days_text.as_str(), " · ", &text(w, "from"), "–", &text(w, "to")].concat();
                let label = i18n.fill("pickups_remove", &[("window", &summary)]);
                view! { <li>
                    {summary.clone()}" "
                    {owner.then(|| view! {
                        <button type="button" class="danger" aria-label=label on:click=move |_| {
                            let mut next = windows();
                            if i < next.len() { next.remove(i); }
                            store(next);
                        }>{i18n.t("staff_remove_short")}</button>
                    })}
                </li> }
            }).collect_view()}</ul> }.into_any()
        }}
        {owner.then(|| view! {
            <form on:submit=add class="pickup">
                <fieldset>
                    <legend>{i18n.t("pickups_new")}</legend>
                    {DAYS.into_iter().map(|day| {
                        let id = ["pickup-", day].concat();
                        view! { <span class="check">
                            <input type="checkbox" id=id.clone() prop:checked=move || days.with(|c| c.contains(&day))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    days.update(|c| { c.retain(|d| *d != day); if on { c.push(day) } });
                                }/>
                            <label for=id>{i18n.t(&["day_", day].concat())}</label>
                        </span> }
                    }).collect_view()}
                    <div class="inline">
                        <label for="pickup-from">{i18n.t("pickups_from")}</label>
                        <input id="pickup-from" type="time" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                        <label for="pickup-to">{i18n.t("pickups_to")}</label>
                        <input id="pickup-to" type="time" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                        <button type="submit">{i18n.t("pickups_add")}</button>
                    </div>
                </fieldset>
            </form>
        })}
        {status_view(message)}
    }
}
