//! Settings: owners change them, staff see them with every control disabled and a note.
//! Checkpoints (with a live preview of the shopper's list); the business calendar (zone,
//! business days, hours, holidays, the refresh schedule every N hours or at fixed times, which
//! TN shoppers see first), saved as one patch the server validates as a whole; channels and
//! their policies, lock, notification and deadline options explained in place, a Shopify
//! store's write-only access token; webhook endpoints with their event filters, delivery log
//! and replay; alert recipients and their verification; removing an endpoint, a recipient or a
//! channel behind a confirm step; the embed snippet, the `/t/` link and a live preview of the
//! real widget (a frame whose document is the snippet); the audit history (who, when, what).
//! List edits and the preview's document are plain functions in `shared::settings_form`.

use leptos::prelude::*;
use serde_json::{json, Value};
use shared::console::{embed_snippet, move_entry};
use shared::settings_form::{self, Refresh};

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

/// A date `YYYY-MM-DD` written out in the user's language (the weekday too), by `Intl`.
fn long_date(lang: &str, date: &str) -> String {
    let instant = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(
        &[date, "T12:00:00Z"].concat(),
    ));
    if instant.get_time().is_nan() {
        return date.to_string();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"full".into());
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    instant.to_locale_date_string(lang, &options).into()
}

/// The browser's IANA time zone names (`Intl.supportedValuesOf`), to suggest while typing;
/// none where the browser lacks it (the field still takes any name; the server checks it).
fn time_zones() -> Vec<String> {
    use wasm_bindgen::JsCast;
    let get = |target: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(target, &name.into()).ok()
    };
    get(&js_sys::global(), "Intl")
        .and_then(|intl| get(&intl, "supportedValuesOf"))
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| {
            f.call1(&wasm_bindgen::JsValue::NULL, &"timeZone".into())
                .ok()
        })
        .map(|list| {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|z| z.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Moves keyboard focus to an element once it is rendered.
fn focus_later<E>(target: NodeRef<E>)
where
    E: leptos::html::ElementType,
    E::Output: wasm_bindgen::JsCast + Clone + 'static,
{
    request_animation_frame(move || {
        if let Some(el) = target.get_untracked() {
            let el: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(el);
            let _ = el.focus();
        }
    });
}

/// A remove button with a confirm step: "Remove" turns into "Confirm remove" and "Cancel"
/// (Escape cancels too), focus moving with it; confirmed, it sends `DELETE url`, then `done`.
/// Disabled for staff.
#[component]
fn Remove(
    ctx: Ctx,
    what: String,
    url: String,
    message: RwSignal<Option<(bool, String)>>,
    done: Callback<()>,
    /// The id of the heading that takes keyboard focus once the item is gone.
    return_to: &'static str,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let confirming = RwSignal::new(false);
    let ask_ref = NodeRef::<leptos::html::Button>::new();
    let confirm_ref = NodeRef::<leptos::html::Button>::new();
    let ask = i18n.fill("remove_what", &[("what", &what)]);
    let confirm_label = i18n.fill("remove_confirm_what", &[("what", &what)]);
    let cancel_label = i18n.fill("remove_cancel_what", &[("what", &what)]);
    let cancel = move || {
        confirming.set(false);
        focus_later(ask_ref);
    };
    move || {
        if confirming.get() {
            let url = url.clone();
            view! {
                <span class="confirm-step" role="group" aria-label=ask.clone()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { cancel() }>
                    <button type="button" class="danger" node_ref=confirm_ref aria-label=confirm_label.clone()
                        on:click=move |_| {
                            message.set(None);
                            let url = url.clone();
                            leptos::task::spawn_local(async move {
                                match api::send("DELETE", &url, None, &ctx.csrf()).await {
                                    Ok(_) => {
                                        message.set(Some((true, ctx.t("removed"))));
                                        done.run(());
                                        request_animation_frame(move || {
                                            if let Some(h) = document().get_element_by_id(return_to) {
                                                let h: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(h);
                                                let _ = h.focus();
                                            }
                                        });
                                    }
                                    Err(e) => {
                                        confirming.set(false);
                                        message.set(Some((false, error_text(&ctx.i18n, &e))));
                                        // Focus was on the confirm button, now gone.
                                        focus_later(ask_ref);
                                    }
                                }
                            });
                        }>{i18n.t("remove_confirm")}</button>
                    <button type="button" class="secondary" aria-label=cancel_label.clone()
                        on:click=move |_| cancel()>{i18n.t("remove_cancel")}</button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="danger" node_ref=ask_ref disabled=!owner aria-label=ask.clone()
                    on:click=move |_| { confirming.set(true); focus_later(confirm_ref); }>
                    {i18n.t("staff_remove_short")}
                </button>
            }
            .into_any()
        }
    }
}

fn strings_at(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn string_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The business calendar: zone, days, hours, holidays, the refresh schedule and which tracking
/// number shoppers see first, all saved together (the server validates the whole and says why
/// it refuses); then pickup windows and the history of changes.
#[component]
fn Calendar(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let state = RwSignal::new(Load::<Value>::Loading);
    let url = ctx.path("settings");
    fetch_into(url.clone(), state);
    let zone = RwSignal::new(String::new());
    let open = RwSignal::new(String::new());
    let close = RwSignal::new(String::new());
    let days = RwSignal::new(Vec::<String>::new());
    let holidays = RwSignal::new(Vec::<String>::new());
    let new_holiday = RwSignal::new(String::new());
    let fixed = RwSignal::new(false);
    let every = RwSignal::new(String::new());
    let times = RwSignal::new(Vec::<String>::new());
    let new_time = RwSignal::new(String::new());
    let tn_display = RwSignal::new(String::from("default"));
    let message = RwSignal::new(None);
    Effect::new(move |_| {
        if let Load::Ready(v) = state.get() {
            zone.set(string_at(&v, "/settings/time_zone"));
            open.set(string_at(&v, "/settings/business_hours/open"));
            close.set(string_at(&v, "/settings/business_hours/close"));
            days.set(strings_at(&v, "/settings/business_days"));
            holidays.set(strings_at(&v, "/settings/holidays"));
            match v
                .pointer("/settings/refresh_schedule")
                .and_then(Refresh::from_json)
            {
                Some(Refresh::Every(h)) => {
                    fixed.set(false);
                    every.set(h.to_string());
                    times.set(Vec::new());
                }
                Some(Refresh::At(at)) => {
                    fixed.set(true);
                    times.set(at);
                }
                None => {}
            }
            let tn = string_at(&v, "/settings/tracking_number_display");
            tn_display.set(if tn.is_empty() { "default".into() } else { tn });
        }
    });
    let refuse = move |key: &str| message.set(Some((false, i18n.t(key))));
    let add_holiday = move || match settings_form::add_holiday(
        &holidays.get_untracked(),
        &new_holiday.get_untracked(),
    ) {
        Ok(next) => {
            holidays.set(next);
            new_holiday.set(String::new());
            message.set(None);
        }
        Err(e) => refuse(e.key()),
    };
    let add_time =
        move || match settings_form::add_time(&times.get_untracked(), &new_time.get_untracked()) {
            Ok(next) => {
                times.set(next);
                new_time.set(String::new());
                message.set(None);
            }
            Err(e) => refuse(e.key()),
        };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut patch = serde_json::Map::new();
        let z = zone.get_untracked().trim().to_string();
        if !z.is_empty() {
            patch.insert("time_zone".into(), json!(z));
        }
        let chosen = settings_form::ordered_days(&days.get_untracked());
        if chosen.is_empty() {
            return refuse("calendar_days_empty");
        }
        patch.insert("business_days".into(), json!(chosen));
        let (o, c) = (open.get_untracked(), close.get_untracked());
        if !o.is_empty() && !c.is_empty() {
            patch.insert("business_hours".into(), json!({"open": o, "close": c}));
        }
        let list = holidays.get_untracked();
        patch.insert(
            "holidays".into(),
            if list.is_empty() {
                Value::Null
            } else {
                json!(list)
            },
        );
        let refresh = if fixed.get_untracked() {
            Refresh::At(times.get_untracked())
        } else {
            Refresh::Every(settings_form::parse_hours(&every.get_untracked()))
        };
        match refresh.to_json() {
            Ok(r) => {
                patch.insert("refresh_schedule".into(), r);
            }
            Err(key) => return refuse(key),
        }
        patch.insert(
            "tracking_number_display".into(),
            json!(tn_display.get_untracked()),
        );
        save(
            ctx,
            "PATCH",
            url.clone(),
            Some(Value::Object(patch)),
            message,
            move |v| state.set(Load::Ready(v)),
        );
    };
    let tn_choice = move |value: &'static str, label: &'static str, hint: &'static str| {
        let id = ["set-tn-", value].concat();
        let hint_id = [id.as_str(), "-hint"].concat();
        view! {
            <div class="choice">
                <input type="radio" name="set-tn" id=id.clone() value=value disabled=!owner aria-describedby=hint_id.clone()
                    prop:checked=move || tn_display.get() == value
                    on:change=move |_| tn_display.set(value.to_string())/>
                <label for=id>{i18n.t(label)}</label>
                <p class="hint" id=hint_id>{i18n.t(hint)}</p>
            </div>
        }
    };
    view! {
        <section aria-labelledby="cal-title" class="card">
            <h2 id="cal-title">{i18n.t("calendar_title")}</h2>
            {loading_or_error(ctx, state, move |v| {
                view! {
                    <form on:submit=submit.clone() class="calendar">
                        <div class="inline">
                            <label for="set-zone">{i18n.t("calendar_zone")}</label>
                            <input id="set-zone" list="set-zone-list" disabled=!owner autocomplete="off" spellcheck="false" prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev))/>
                            <datalist id="set-zone-list">
                                {time_zones().into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                            </datalist>
                        </div>
                        <fieldset class="editor">
                            <legend>{i18n.t("calendar_days")}</legend>
                            <div class="checks">
                            {DAYS.into_iter().map(|day| {
                                let id = ["set-day-", day].concat();
                                view! { <span class="check">
                                    <input type="checkbox" id=id.clone() disabled=!owner
                                        prop:checked=move || days.with(|d| d.iter().any(|x| x == day))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            days.update(|d| { d.retain(|x| x != day); if on { d.push(day.to_string()) } });
                                        }/>
                                    <label for=id>{i18n.t(&["weekday_", day].concat())}</label>
                                </span> }
                            }).collect_view()}
                            </div>
                        </fieldset>
                        <fieldset class="editor">
                            <legend>{i18n.t("calendar_hours")}</legend>
                            <div class="inline">
                                <label for="set-open">{i18n.t("calendar_open")}</label>
                                <input id="set-open" type="time" disabled=!owner prop:value=move || open.get() on:input=move |ev| open.set(event_target_value(&ev))/>
                                <label for="set-close">{i18n.t("calendar_close")}</label>
                                <input id="set-close" type="time" disabled=!owner prop:value=move || close.get() on:input=move |ev| close.set(event_target_value(&ev))/>
                            </div>
                        </fieldset>
                        <fieldset class="editor">
                            <legend>{i18n.t("holidays_title")}</legend>
                            <p class="hint">{i18n.t("holidays_hint")}</p>
                            {move || {
                                let list = holidays.get();
                                if list.is_empty() {
                                    return view! { <p class="state empty">{i18n.t("holidays_empty")}</p> }.into_any();
                                }
                                view! { <ul class="chips" aria-label=i18n.t("holidays_title")>
                                    {list.into_iter().map(|date| {
                                        let label = i18n.fill("holidays_remove", &[("date", &long_date(i18n.lang, &date))]);
                                        let target = date.clone();
                                        view! { <li>
                                            <time datetime=date.clone()>{long_date(i18n.lang, &date)}</time>
                                            <button type="button" class="icon danger" disabled=!owner aria-label=label
                                                on:click=move |_| holidays.update(|h| *h = settings_form::without(h, &target))>"✕"</button>
                                        </li> }
                                    }).collect_view()}
                                </ul> }.into_any()
                            }}
                            <div class="inline">
                                <label for="set-holiday">{i18n.t("holidays_new")}</label>
                                <input id="set-holiday" type="date" min="2000-01-01" max="2099-12-31" disabled=!owner
                                    prop:value=move || new_holiday.get()
                                    on:input=move |ev| new_holiday.set(event_target_value(&ev))
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); add_holiday() }/>
                                <button type="button" class="secondary" disabled=!owner on:click=move |_| add_holiday()>{i18n.t("holidays_add")}</button>
                            </div>
                        </fieldset>
                        <fieldset class="editor">
                            <legend>{i18n.t("calendar_refresh")}</legend>
                            <p class="hint">{i18n.t("refresh_hint")}</p>
                            <div class="choice">
                                <input type="radio" name="set-refresh" id="set-refresh-every" disabled=!owner
                                    prop:checked=move || !fixed.get() on:change=move |_| fixed.set(false)/>
                                <label for="set-refresh-every">{i18n.t("refresh_mode_every")}</label>
                            </div>
                            <div class="choice">
                                <input type="radio" name="set-refresh" id="set-refresh-at" disabled=!owner
                                    prop:checked=move || fixed.get() on:change=move |_| fixed.set(true)/>
                                <label for="set-refresh-at">{i18n.t("refresh_mode_at")}</label>
                            </div>
                            {move || if fixed.get() {
                                view! {
                                    <div class="sub">
                                        {move || {
                                            let list = times.get();
                                            if list.is_empty() {
                                                return view! { <p class="state empty">{i18n.t("refresh_at_empty")}</p> }.into_any();
                                            }
                                            view! { <ul class="chips" aria-label=i18n.t("refresh_mode_at")>
                                                {list.into_iter().map(|t| {
                                                    let label = i18n.fill("refresh_remove", &[("time", &t)]);
                                                    let target = t.clone();
                                                    view! { <li>
                                                        <time>{t}</time>
                                                        <button type="button" class="icon danger" disabled=!owner aria-label=label
                                                            on:click=move |_| times.update(|x| *x = settings_form::without(x, &target))>"✕"</button>
                                                    </li> }
                                                }).collect_view()}
                                            </ul> }.into_any()
                                        }}
                                        <div class="inline">
                                            <label for="set-time">{i18n.t("refresh_new")}</label>
                                            <input id="set-time" type="time" disabled=!owner
                                                prop:value=move || new_time.get()
                                                on:input=move |ev| new_time.set(event_target_value(&ev))
                                                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); add_time() }/>
                                            <button type="button" class="secondary" disabled=!owner on:click=move |_| add_time()>{i18n.t("refresh_add")}</button>
                                        </div>
                                    </div>
                                }.into_any()
                            } else {
                                view! {
                                    <div class="sub inline">
                                        <label for="set-every">{i18n.t("calendar_every")}</label>
                                        <input id="set-every" type="number" min="1" max="24" disabled=!owner prop:value=move || every.get() on:input=move |ev| every.set(event_target_value(&ev))/>
                                    </div>
                                }.into_any()
                            }}
                        </fieldset>
                        <fieldset class="editor">
                            <legend>{i18n.t("tn_display_title")}</legend>
                            {tn_choice("default", "tn_display_default", "tn_display_default_hint")}
                            {tn_choice("local", "tn_display_local", "tn_display_local_hint")}
                        </fieldset>
                        <div class="actions">
                            <button type="submit" disabled=!owner>{i18n.t("save")}</button>
                        </div>
                        {status_view(message)}
                    </form>
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
                                    <td>{settings_form::readable_change(&text(&h, "from"), &i18n.t("yes"), &i18n.t("no"))}" → "{settings_form::readable_change(&text(&h, "to"), &i18n.t("yes"), &i18n.t("no"))}</td>
                                </tr> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            })}
        </section>
    }
}

/// The embed snippet, the shareable link, and the real widget as the snippet renders it: a
/// frame whose document is the snippet itself (same origin, so the widget loads from
/// `/widget/embed.js` exactly as on a store; the console bundle never contains it).
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
    let typed = RwSignal::new(String::new());
    let shown = RwSignal::new(String::new());
    let frame_title = i18n.t("preview_frame_title");
    let preview = {
        let snippet = snippet.clone();
        let frame_title = frame_title.clone();
        move || {
            settings_form::preview_document(
                &settings_form::snippet_with_number(&snippet, &shown.get()),
                i18n.lang,
                i18n.rtl(),
                &frame_title,
            )
        }
    };
    view! {
        <section aria-labelledby="embed-title" class="card">
            <h2 id="embed-title">{i18n.t("embed_title")}</h2>
            <p class="hint">{i18n.t("embed_intro")}</p>
            <div class="columns-2 embed">
                <div>
                    <pre><code id="embed-snippet">{snippet.clone()}</code></pre>
                    <button type="button" class="secondary" on:click=copy("snippet", snippet)>{i18n.t("copy_snippet")}</button>
                    <p>{i18n.t("embed_link")}" "<code>{link.clone()}</code></p>
                    <button type="button" class="secondary" on:click=copy("link", link)>{i18n.t("copy_link")}</button>
                    <p role="status">{move || copied.get().map(|_| i18n.t("copied"))}</p>
                </div>
                <div class="preview-widget">
                    <h3 id="embed-preview-title">{i18n.t("preview_title")}</h3>
                    <p class="hint">{i18n.t("preview_hint")}</p>
                    <form class="inline" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); shown.set(typed.get_untracked().trim().to_string()); }>
                        <label for="preview-number">{i18n.t("preview_number")}</label>
                        <input id="preview-number" autocomplete="off" spellcheck="false" prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                        <button type="submit" class="secondary">{i18n.t("preview_show")}</button>
                    </form>
                    <iframe class="widget-frame" title=frame_title srcdoc=preview></iframe>
                </div>
            </div>
        </section>
    }
}

/// Sales channels: each one's policy (explained in place), its lock and notification options,
/// for a Shopify store its access token (write-only: `connected` says whether one is set);
/// removing takes a channel back to its defaults. Owners change; staff see it disabled.
#[component]
fn Channels(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let owner = ctx.owner();
    let state = RwSignal::new(Load::<Value>::Loading);
    let reload = Callback::new(move |()| fetch_into(ctx.path("channels"), state));
    reload.run(());
    let message = RwSignal::new(None);
    let name = RwSignal::new(String::new());
    let policy = RwSignal::new(String::from("on_assigned"));
    let shop = RwSignal::new(String::new());
    let shop_token = RwSignal::new(String::new());
    let shop_policy = RwSignal::new(String::from("on_assigned"));
    let channel_url = move |channel: &str| {
        ctx.path(
            &[
                "channels/",
                &shared::console::encode_component(channel.trim()),
            ]
            .concat(),
        )
    };
    // Sets one channel's policy, then shows the list as it now is.
    let put = move |channel: String, body: Value, after: Option<RwSignal<String>>| {
        save(
            ctx,
            "PUT",
            channel_url(&channel),
            Some(body),
            message,
            move |_| {
                if let Some(field) = after {
                    field.set(String::new());
                }
                reload.run(());
            },
        );
    };
    let connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(channel) = settings_form::shopify_channel(&shop.get_untracked()) else {
            message.set(Some((false, i18n.t("shopify_domain_invalid"))));
            return;
        };
        let token = shop_token.get_untracked().trim().to_string();
        let mut body = json!({"confirm": shop_policy.get_untracked()});
        if !token.is_empty() {
            body["access_token"] = json!(token);
        }
        // The token leaves the page at once; the domain stays until the store is saved.
        shop_token.set(String::new());
        put(channel, body, Some(shop));
    };
    let policy_options = move |selected: String| {
        ["on_assigned", "on_movement", "never"]
            .into_iter()
            .map(move |p| {
                view! { <option value=p selected=p == selected>{p}</option> }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="ch-title" class="card">
            <h2 id="ch-title" tabindex="-1">{i18n.t("channels_title")}</h2>
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
                    <ul class="plain channels">
                        {channels.into_iter().enumerate().map(|(i, c)| {
                            let channel = text(&c, "channel");
                            let kind = text(&c, "kind");
                            let confirm = text(&c, "confirm");
                            let chosen = RwSignal::new(confirm.clone());
                            let lock = RwSignal::new(c.get("lock_after_confirmation").and_then(Value::as_bool).unwrap_or(false));
                            let lock_optional = c.get("lock_optional").and_then(Value::as_bool).unwrap_or(false);
                            let notify = c.get("notify_customer").and_then(Value::as_bool);
                            let notify_on = RwSignal::new(notify.unwrap_or(false));
                            let deadlines = c.get("deadlines_follow_business_hours").and_then(Value::as_bool);
                            let deadlines_on = RwSignal::new(deadlines.unwrap_or(false));
                            let deadlines_id = ["ch-deadlines-", &i.to_string()].concat();
                            let connected = c.get("connected").and_then(Value::as_bool);
                            let is_shop = kind == "shopify";
                            let token = RwSignal::new(String::new());
                            let permitted: Vec<String> = list(&c, "permitted").iter().filter_map(|p| p.as_str().map(str::to_string)).collect();
                            let n = i.to_string();
                            let id = ["ch-policy-", &n].concat();
                            let lock_id = ["ch-lock-", &n].concat();
                            let notify_id = ["ch-notify-", &n].concat();
                            let token_id = ["ch-token-", &n].concat();
                            let hint = if confirm.is_empty() { String::new() } else { i18n.t(&["policy_", &confirm].concat()) };
                            let label = i18n.fill("channels_policy_of", &[("channel", &channel)]);
                            let target = channel.clone();
                            let submit = move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                let mut body = json!({"confirm": chosen.get_untracked()});
                                // Only a channel whose lock is the merchant's choice takes one; the
                                // others refuse any value but their rule's.
                                if lock_optional { body["lock_after_confirmation"] = json!(lock.get_untracked()); }
                                if deadlines.is_some() { body["deadlines_follow_business_hours"] = json!(deadlines_on.get_untracked()); }
                                if notify.is_some() { body["notify_customer"] = json!(notify_on.get_untracked()); }
                                let t = token.get_untracked().trim().to_string();
                                if is_shop && !t.is_empty() { body["access_token"] = json!(t); }
                                token.set(String::new());
                                put(target.clone(), body, None);
                            };
                            let remove_url = channel_url(&channel);
                            view! { <li>
                                <div class="row-head">
                                    <strong>{channel.clone()}</strong>
                                    {connected.map(|on| view! {
                                        <span class=if on { "badge ok" } else { "badge alert" }>
                                            {if on { i18n.t("shopify_connected") } else { i18n.t("shopify_not_connected") }}
                                        </span>
                                    })}
                                    <Remove ctx what=channel.clone() url=remove_url message done=reload return_to="ch-title"/>
                                </div>
                                <form class="channel" on:submit=submit>
                                    <div class="inline">
                                        <label for=id.clone() class="visually-hidden">{label}</label>
                                        <select id=id disabled=!owner on:change=move |ev| chosen.set(event_target_value(&ev))>
                                            {permitted.into_iter().map(|p| {
                                                let selected = p == confirm;
                                                let value = p.clone();
                                                view! { <option value=value selected=selected>{p}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <p class="hint">{hint}</p>
                                    // No lock at all (manual and other channels get nothing sent).
                                    {(lock_optional || lock.get_untracked()).then(|| view! {
                                    <div class="choice">
                                        <input type="checkbox" id=lock_id.clone() disabled=!owner || !lock_optional
                                            aria-describedby=[lock_id.as_str(), "-hint"].concat()
                                            prop:checked=move || lock.get() on:change=move |ev| lock.set(event_target_checked(&ev))/>
                                        <label for=lock_id.clone()>{i18n.t("channel_lock")}</label>
                                        <p class="hint" id=[lock_id.as_str(), "-hint"].concat()>
                                            {i18n.t("channel_lock_hint")}" "
                                            {(!lock_optional).then(|| i18n.t("channel_lock_required"))}
                                        </p>
                                    </div>
                                    })}
                                    {deadlines.is_some().then(|| view! {
                                        <div class="choice">
                                            <input type="checkbox" id=deadlines_id.clone() disabled=!owner
                                                aria-describedby=[deadlines_id.as_str(), "-hint"].concat()
                                                prop:checked=move || deadlines_on.get() on:change=move |ev| deadlines_on.set(event_target_checked(&ev))/>
                                            <label for=deadlines_id.clone()>{i18n.t("channel_deadlines")}</label>
                                            <p class="hint" id=[deadlines_id.as_str(), "-hint"].concat()>{i18n.t("channel_deadlines_hint")}</p>
                                        </div>
                                    })}
                                    {notify.is_some().then(|| view! {
                                        <div class="choice">
                                            <input type="checkbox" id=notify_id.clone() disabled=!owner
                                                aria-describedby=[notify_id.as_str(), "-hint"].concat()
                                                prop:checked=move || notify_on.get() on:change=move |ev| notify_on.set(event_target_checked(&ev))/>
                                            <label for=notify_id.clone()>{i18n.t("channel_notify")}</label>
                                            <p class="hint" id=[notify_id.as_str(), "-hint"].concat()>{i18n.t("channel_notify_hint")}</p>
                                        </div>
                                    })}
                                    {is_shop.then(|| view! {
                                        <div class="inline">
                                            <label for=token_id.clone()>{i18n.t("shopify_token_new")}</label>
                                            <input id=token_id.clone() type="password" autocomplete="off" spellcheck="false" disabled=!owner
                                                aria-describedby=[token_id.as_str(), "-hint"].concat()
                                                prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>
                                        </div>
                                        <p class="hint" id=[token_id.as_str(), "-hint"].concat()>{i18n.t("shopify_token_hint")}</p>
                                    })}
                                    <button type="submit" class="secondary" disabled=!owner>{i18n.t("save")}</button>
                                </form>
                            </li> }
                        }).collect_view()}
                    </ul>
                    <p class="hint">{i18n.t("channels_remove_hint")}</p>
                }.into_any()
            })}
            <form class="inline" on:submit=move |ev| { ev.prevent_default(); put(name.get_untracked(), json!({"confirm": policy.get_untracked()}), Some(name)); }>
                <label for="ch-new">{i18n.t("channels_new")}</label>
                <input id="ch-new" disabled=!owner aria-describedby="ch-new-hint" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <label for="ch-new-policy">{i18n.t("channels_policy")}</label>
                <select id="ch-new-policy" disabled=!owner on:change=move |ev| policy.set(event_target_value(&ev))>
                    {policy_options(String::from("on_assigned"))}
                </select>
                <button type="submit" disabled=!owner>{i18n.t("save")}</button>
                <p class="hint" id="ch-new-hint">{i18n.t("channels_new_hint")}</p>
            </form>
            <form class="shopify" on:submit=connect>
                <fieldset class="editor">
                    <legend>{i18n.t("shopify_title")}</legend>
                    <p class="hint">{i18n.t("shopify_intro")}</p>
                    <div class="inline">
                        <label for="shop-domain">{i18n.t("shopify_domain")}</label>
                        <input id="shop-domain" disabled=!owner autocomplete="off" spellcheck="false" placeholder="your-store.myshopify.com"
                            prop:value=move || shop.get() on:input=move |ev| shop.set(event_target_value(&ev))/>
                        <label for="shop-token">{i18n.t("shopify_token")}</label>
                        <input id="shop-token" type="password" autocomplete="off" spellcheck="false" disabled=!owner
                            aria-describedby="shop-token-hint"
                            prop:value=move || shop_token.get() on:input=move |ev| shop_token.set(event_target_value(&ev))/>
                        <label for="shop-policy">{i18n.t("channels_policy")}</label>
                        <select id="shop-policy" disabled=!owner on:change=move |ev| shop_policy.set(event_target_value(&ev))>
                            {policy_options(String::from("on_assigned"))}
                        </select>
                        <button type="submit" disabled=!owner>{i18n.t("shopify_connect")}</button>
                    </div>
                    <p class="hint" id="shop-token-hint">{i18n.t("shopify_token_hint")}</p>
                </fieldset>
            </form>
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

/// An endpoint's filter, in words: the events it names, or every shipment event.
fn events_text(i18n: crate::i18n::I18n, events: &[Value]) -> String {
    let names: Vec<String> = events
        .iter()
        .filter_map(Value::as_str)
        .map(|e| i18n.t(&settings_form::event_key(e)))
        .collect();
    if names.is_empty() {
        i18n.t("webhooks_all_events")
    } else {
        names.join(", ")
    }
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
    let events = RwSignal::new(Vec::<String>::new());
    let secret = RwSignal::new(None::<String>);
    let message = RwSignal::new(None);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = settings_form::ordered_events(&events.get_untracked());
        let body = json!({"url": url_input.get_untracked().trim(), "events": chosen});
        save(
            ctx,
            "POST",
            ctx.path("webhook-endpoints"),
            Some(body),
            message,
            move |v| {
                secret.set(Some(text(&v, "secret")).filter(|s| !s.is_empty()));
                url_input.set(String::new());
                events.set(Vec::new());
                reload.run(());
            },
        );
    };
    view! {
        <section aria-labelledby="wh-title" class="card">
            <h2 id="wh-title" tabindex="-1">{i18n.t("webhooks_title")}</h2>
            <form class="endpoint" on:submit=add>
                <div class="inline">
                    <label for="wh-url">{i18n.t("webhooks_url")}</label>
                    <input id="wh-url" type="url" placeholder="https://" disabled=!owner prop:value=move || url_input.get()
                        on:input=move |ev| url_input.set(event_target_value(&ev))/>
                </div>
                <fieldset class="editor" aria-describedby="wh-events-hint">
                    <legend>{i18n.t("webhooks_events")}</legend>
                    <p class="hint" id="wh-events-hint">{i18n.t("webhooks_events_hint")}</p>
                    <div class="checks events">
                    {settings_form::EVENT_TYPES.into_iter().map(|event| {
                        let id = ["wh-ev-", &event.replace('.', "-")].concat();
                        view! { <span class="check">
                            <input type="checkbox" id=id.clone() disabled=!owner
                                prop:checked=move || events.with(|c| c.iter().any(|x| x == event))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    events.update(|c| { c.retain(|x| x != event); if on { c.push(event.to_string()) } });
                                }/>
                            <label for=id>{i18n.t(&settings_form::event_key(event))}" "<code>{event}</code></label>
                        </span> }
                    }).collect_view()}
                    </div>
                </fieldset>
                <button type="submit" disabled=!owner>{i18n.t("webhooks_add")}</button>
            </form>
            {status_view(message)}
            {move || secret.get().map(|s| view! {
                <p class="notice">{i18n.t("webhooks_secret")}" "<code>{s}</code></p>
            })}
            {loading_or_error(ctx, endpoints, move |v| {
                let list = list(&v, "endpoints");
                if list.is_empty() {
                    return view! { <p class="state empty">{i18n.t("webhooks_empty")}</p> }.into_any();
                }
                view! { <ul class="plain endpoints">{list.into_iter().map(|e| {
                    let url = text(&e, "url");
                    let filter = events_text(i18n, &api::list(&e, "events"));
                    let remove_url = ctx.path(&["webhook-endpoints/", &shared::console::encode_component(&text(&e, "id"))].concat());
                    view! { <li>
                        <div class="row-head">
                            <code class="url">{url.clone()}</code>
                            <Remove ctx what=url url=remove_url message done=reload return_to="wh-title"/>
                        </div>
                        <p class="hint filter">{i18n.t("webhooks_filter")}" "{filter}</p>
                    </li> }
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
            <h2 id="al-title" tabindex="-1">{i18n.t("alerts_title")}</h2>
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
                    let address = text(&r, "email");
                    let alerts_text = api::list(&r, "alerts").iter().filter_map(Value::as_str)
                        .map(|a| i18n.t(&["alert_kind_", a].concat())).collect::<Vec<_>>().join(", ");
                    let remove_url = [url.as_str(), "/", &shared::console::encode_component(&id)].concat();
                    let reload = {
                        let url = url.clone();
                        Callback::new(move |()| fetch_into(url.clone(), state))
                    };
                    view! { <li>
                        <strong>{address.clone()}</strong>" "
                        <span class="hint">{alerts_text}</span>" "
                        <span class=if verified { "badge ok" } else { "badge alert" }>
                            {if verified { i18n.t("alerts_verified") } else { i18n.t("alerts_unverified") }}
                        </span>" "
                        <Remove ctx what=address url=remove_url message done=reload return_to="al-title"/>
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
