//! The shopper's tracking widget: Leptos, client-side rendered, mounted by the `embed.js`
//! custom element into its Shadow DOM. It validates numbers with `shared` before any request,
//! fetches the TrackingView from the edge, and renders every state (loading, not found,
//! invalid, network failure, rate limited, success) in the shopper's language.

mod decode;
mod i18n;
mod intl;

use leptos::prelude::*;
use shared::aftership::Tag;
use shared::ids::{IdError, LookupNumber};
use shared::stage::{Alert, Stage};
use shared::view::{Source, TimelineEntry, TrackingView};
use wasm_bindgen::prelude::*;

pub use i18n::{Catalog, Lang};

const CSS: &str = include_str!("widget.css");
/// Carrier scans shown before older ones fold away.
const VISIBLE_CARRIER_EVENTS: usize = 5;

/// What the widget is showing.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Loading,
    Invalid(String),
    NotFound,
    RateLimited,
    NetworkError,
    Loaded(Box<TrackingView>),
}

enum Failure {
    NotFound,
    Invalid,
    RateLimited,
    Network,
}

/// The handle the loader keeps per element; freeing it unmounts the widget.
#[wasm_bindgen]
pub struct Handle {
    _mounted: Box<dyn std::any::Any>,
}

/// Mounts one widget into `container` (inside the element's shadow root).
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    merchant: String,
    number: Option<String>,
    lang: Option<String>,
    api_base: String,
) -> Handle {
    let lang = Lang::from_tag(&lang.unwrap_or_else(browser_language));
    let events_target = container.clone();
    let mounted = leptos::mount::mount_to(container, move || {
        let events = StoredValue::new_local(events_target);
        view! { <Tracker merchant=merchant number=number lang=lang api_base=api_base events=events/> }
    });
    Handle {
        _mounted: Box::new(mounted),
    }
}

fn browser_language() -> String {
    let document_lang = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.is_empty());
    document_lang
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .unwrap_or_else(|| "en".into())
}

fn message_for(error: &IdError, catalog: &Catalog) -> String {
    match error {
        IdError::Character { ch, .. } => format!("{}: “{ch}”", catalog.invalid_number),
        IdError::Empty { .. } => catalog.input_hint.to_string(),
        _ => format!("{}.", catalog.invalid_number),
    }
}

/// Fetches a TrackingView with gloo-net; the body is parsed by the browser's own JSON parser
/// (`Response.json()`) and read by `decode`, so no JSON parser ships in the wasm.
async fn fetch_view(api_base: &str, merchant: &str, number: &str) -> Result<TrackingView, Failure> {
    let url = format!(
        "{}/v1/track/{}/{}",
        api_base.trim_end_matches('/'),
        String::from(js_sys::encode_uri_component(merchant)),
        String::from(js_sys::encode_uri_component(number))
    );
    let response = gloo_net::http::Request::get(&url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|_| Failure::Network)?;
    match response.status() {
        200 => {
            let raw: web_sys::Response = response.into();
            let body = raw.json().map_err(|_| Failure::Network)?;
            let value = wasm_bindgen_futures::JsFuture::from(body)
                .await
                .map_err(|_| Failure::Network)?;
            decode::tracking_view(&value).ok_or(Failure::Network)
        }
        404 => Err(Failure::NotFound),
        400 => Err(Failure::Invalid),
        429 => Err(Failure::RateLimited),
        _ => Err(Failure::Network),
    }
}

fn set_deep_link(number: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(href) = window.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    url.search_params().set("number", number);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
    }
}

fn deep_link_number() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new(&href)
        .ok()?
        .search_params()
        .get("number")
        .filter(|n| !n.trim().is_empty())
}

fn tag_index(tag: Tag) -> usize {
    Tag::ALL.iter().position(|t| *t == tag).unwrap_or(0)
}

/// Tells the storefront what happened, as a `waymark:lookup` DOM event that leaves the shadow
/// root (`composed`) and bubbles to the `<waymark-tracker>` element and the document, e.g. for
/// analytics. `detail` is `{number, outcome, tag, stage}`; nothing personal is in it.
fn announce(
    target: &web_sys::HtmlElement,
    number: &str,
    outcome: &str,
    view: Option<&TrackingView>,
) {
    let detail = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), &value);
    };
    set("number", JsValue::from_str(number));
    set("outcome", JsValue::from_str(outcome));
    if let Some(view) = view {
        set("tag", JsValue::from_str(view.status.tag.as_str()));
        set("stage", JsValue::from(u32::from(view.progress.step)));
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("waymark:lookup", &init) {
        let _ = target.dispatch_event(&event);
    }
}

#[component]
fn Tracker(
    merchant: String,
    number: Option<String>,
    lang: Lang,
    api_base: String,
    events: StoredValue<web_sys::HtmlElement, LocalStorage>,
) -> impl IntoView {
    let catalog = lang.catalog();
    let initial = number.or_else(deep_link_number).unwrap_or_default();
    let (input, set_input) = signal(initial.clone());
    let (phase, set_phase) = signal(Phase::Idle);
    let merchant = StoredValue::new(merchant);
    let api_base = StoredValue::new(api_base);

    let lookup = move |raw: String| {
        let raw = raw.trim().to_string();
        match raw.parse::<LookupNumber>() {
            Err(error) => set_phase.set(Phase::Invalid(message_for(&error, catalog))),
            Ok(parsed) => {
                let number = match parsed {
                    LookupNumber::Itn(itn) => itn.to_string(),
                    LookupNumber::Carrier(tn) => tn.to_string(),
                };
                set_phase.set(Phase::Loading);
                set_deep_link(&number);
                leptos::task::spawn_local(async move {
                    let result =
                        fetch_view(&api_base.get_value(), &merchant.get_value(), &number).await;
                    let outcome = match &result {
                        Ok(_) => "found",
                        Err(Failure::NotFound) => "not_found",
                        Err(Failure::Invalid) => "invalid",
                        Err(Failure::RateLimited) => "rate_limited",
                        Err(Failure::Network) => "network_error",
                    };
                    events.with_value(|target| {
                        announce(target, &number, outcome, result.as_ref().ok())
                    });
                    set_phase.set(match result {
                        Ok(view) => Phase::Loaded(Box::new(view)),
                        Err(Failure::NotFound) => Phase::NotFound,
                        Err(Failure::Invalid) => {
                            Phase::Invalid(format!("{}.", catalog.invalid_number))
                        }
                        Err(Failure::RateLimited) => Phase::RateLimited,
                        Err(Failure::Network) => Phase::NetworkError,
                    });
                });
            }
        }
    };
    if !initial.trim().is_empty() {
        lookup(initial);
    }

    let input_id = "waymark-number";
    let hint_id = "waymark-hint";
    let error_id = "waymark-error";
    view! {
        <style>{CSS}</style>
        <section class="wm" dir=if catalog.rtl { "rtl" } else { "ltr" } lang=catalog.lang_tag aria-label=catalog.heading>
            <h2 class="wm-heading">{catalog.heading}</h2>
            <form class="wm-form" novalidate=true
                on:submit:capture=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    lookup(input.get_untracked());
                }>
                <label class="wm-label" for=input_id>{catalog.input_label}</label>
                <div class="wm-row">
                    <input id=input_id class="wm-input" type="text" name="number" autocomplete="off"
                        autocapitalize="characters" spellcheck="false" dir="ltr"
                        aria-describedby=move || if matches!(phase.get(), Phase::Invalid(_)) { format!("{hint_id} {error_id}") } else { hint_id.to_string() }
                        aria-invalid=move || if matches!(phase.get(), Phase::Invalid(_)) { "true" } else { "false" }
                        prop:value=move || input.get()
                        on:input:capture=move |ev| set_input.set(event_target_value(&ev))/>
                    <button class="wm-button" type="submit">{catalog.submit}</button>
                </div>
                <p id=hint_id class="wm-hint">{catalog.input_hint}</p>
            </form>
            {move || match phase.get() {
                Phase::Idle => ().into_any(),
                Phase::Loading => view! {
                    <div class="wm-skeleton" role="status" aria-live="polite" aria-busy="true">
                        <span class="wm-visually-hidden">{catalog.loading}</span>
                        <div class="wm-bone wm-bone-title"></div>
                        <div class="wm-bone"></div>
                        <div class="wm-bone"></div>
                        <div class="wm-bone wm-bone-short"></div>
                    </div>
                }.into_any(),
                Phase::Invalid(message) => view! {
                    <p id=error_id class="wm-error" role="alert">{message}</p>
                }.into_any(),
                Phase::NotFound => view! {
                    <div class="wm-error" role="alert">
                        <p class="wm-error-title">{catalog.not_found}</p>
                        <p>{catalog.not_found_hint}</p>
                    </div>
                }.into_any(),
                Phase::RateLimited => view! {
                    <p class="wm-error" role="alert">{catalog.rate_limited}</p>
                }.into_any(),
                Phase::NetworkError => view! {
                    <div class="wm-error" role="alert">
                        <p class="wm-error-title">{catalog.network_error}</p>
                        <button class="wm-button wm-secondary" type="button"
                            on:click:capture=move |_| lookup(input.get_untracked())>{catalog.retry}</button>
                    </div>
                }.into_any(),
                Phase::Loaded(view) => view! { <Result view=*view catalog=catalog/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Result(view: TrackingView, catalog: &'static Catalog) -> impl IntoView {
    let locale = catalog.lang_tag;
    let headline = if view.status.awaiting_first_scan {
        catalog.awaiting_first_scan.to_string()
    } else if view.tracking_number.is_none() && view.status.tag == Tag::Pending {
        catalog.preparing.to_string()
    } else {
        catalog.tags[tag_index(view.status.tag)].to_string()
    };
    let alert = view.progress.alert.map(|alert| match alert {
        Alert::AttemptFailed => catalog.alert_attempt_failed,
        Alert::AvailableForPickup => catalog.alert_pickup,
        Alert::Exception => catalog.alert_exception,
        Alert::ReturnToSender => catalog.alert_return,
        Alert::Expired => catalog.alert_expired,
    });
    let current = view.progress.stage;
    let problem = view
        .progress
        .alert
        .is_some_and(|a| !matches!(a, Alert::AvailableForPickup));
    let stages = Stage::ALL
        .iter()
        .enumerate()
        .map(|(index, stage)| {
            let class = match stage.cmp(&current) {
                std::cmp::Ordering::Less => "wm-stage wm-done",
                std::cmp::Ordering::Equal if problem => "wm-stage wm-current wm-problem",
                std::cmp::Ordering::Equal => "wm-stage wm-current",
                std::cmp::Ordering::Greater => "wm-stage",
            };
            let aria_current = (*stage == current).then_some("step");
            view! { <li class=class aria-current=aria_current><span class="wm-dot" aria-hidden="true"></span>{catalog.stages[index]}</li> }
        })
        .collect_view();
    let latest = view
        .timeline
        .iter()
        .rev()
        .find(|e| e.done && e.source == Source::Carrier)
        .or_else(|| view.timeline.iter().rev().find(|e| e.done))
        .cloned();
    let now = js_sys::Date::now();
    let updated = intl::relative(&view.updated_at, locale, now).unwrap_or_default();
    let expected = view
        .expected_delivery
        .as_deref()
        .and_then(|d| intl::show_day(d, locale));
    // Long carrier histories fold their older scans behind one button, so the newest stay in
    // view on a phone; the merchant's own steps always show.
    let carrier_count = view
        .timeline
        .iter()
        .filter(|e| e.source == Source::Carrier)
        .count();
    // Folding a single scan would save nothing: fold only when at least two would hide.
    let hidden = if carrier_count > VISIBLE_CARRIER_EVENTS + 1 {
        carrier_count - VISIBLE_CARRIER_EVENTS
    } else {
        0
    };
    let (expanded, set_expanded) = signal(false);
    // Every entry is rendered once; folding only hides the older scans with a class on the
    // list (far less code than re-rendering them reactively).
    let mut seen_carrier = 0;
    let mut merchant_entries = Vec::new();
    let mut carrier_entries = Vec::new();
    for entry in view.timeline.iter().cloned() {
        if entry.source == Source::Carrier {
            seen_carrier += 1;
            carrier_entries.push((seen_carrier <= hidden, entry));
        } else {
            merchant_entries.push((false, entry));
        }
    }
    let render = move |list: Vec<(bool, TimelineEntry)>| {
        list.into_iter()
            .map(|(early, entry)| view! { <Entry entry=entry early=early catalog=catalog/> })
            .collect_view()
    };
    let merchant_view = render(merchant_entries);
    let carrier_view = render(carrier_entries);
    let toggle = (hidden > 0).then(|| {
        view! {
            <li class="wm-fold">
                <button class="wm-copy" type="button" aria-expanded=move || if expanded.get() { "true" } else { "false" }
                    on:click:capture=move |_| set_expanded.update(|e| *e = !*e)>
                    {move || if expanded.get() { catalog.show_fewer.to_string() } else { catalog.show_earlier.replace("{n}", &hidden.to_string()) }}
                </button>
            </li>
        }
    });
    let entries = view! {
        {merchant_view}
        {toggle}
        {carrier_view}
    };
    let merchant_name = view.merchant.name.clone();
    let carrier_name = view.carrier.as_ref().map(|c| c.name.clone());
    view! {
        <div class="wm-result" role="status" aria-live="polite">
            <p class="wm-merchant">{merchant_name}{carrier_name.map(|c| format!(" · {c}"))}</p>
            <h3 class="wm-status" data-tag=view.status.tag.as_str()>{headline}</h3>
            {alert.map(|text| view! { <p class="wm-alert" role="note">{text}</p> })}
            {expected.map(|day| view! { <p class="wm-expected"><span>{catalog.expected_delivery}": "</span><strong>{day}</strong></p> })}
        </div>
        {view.stale.then(|| view! { <p class="wm-stale" role="note">{catalog.stale}</p> })}
        <ol class="wm-stages" aria-label=catalog.progress>{stages}</ol>
        {latest.map(|entry| {
            let time = entry.time.as_deref().and_then(|t| intl::show(t, locale)).map(|t| t.primary);
            view! {
                <div class="wm-latest">
                    <p class="wm-latest-title">{catalog.latest}</p>
                    <p class="wm-latest-label" dir="auto">{entry.label.clone()}</p>
                    <p class="wm-meta">{time}{entry.location.clone().map(|l| format!(" · {l}"))}</p>
                </div>
            }
        })}
        <div class="wm-numbers">
            <Number label=catalog.internal_number value=view.itn.clone() href=view.links.itn.clone() catalog=catalog/>
            {view.tracking_number.clone().map(|tn| view! {
                <Number label=catalog.carrier_number value=tn href=view.links.tracking_number.clone().unwrap_or_default() catalog=catalog/>
            })}
        </div>
        {view.links.aftership.clone().map(|href| view! {
            <a class="wm-button wm-aftership" href=href target="_blank" rel="noopener noreferrer">
                {catalog.go_to_aftership}<span class="wm-visually-hidden">" "{catalog.new_tab}</span>
            </a>
        })}
        <h3 class="wm-subheading">{catalog.timeline}</h3>
        <ol class=move || if expanded.get() { "wm-timeline" } else { "wm-timeline wm-folded" }>{entries}</ol>
        <p class="wm-updated">{catalog.last_updated}" "<time datetime=view.updated_at.clone()>{updated}</time></p>
    }
}

#[component]
fn Entry(entry: TimelineEntry, early: bool, catalog: &'static Catalog) -> impl IntoView {
    let shown = entry
        .time
        .as_deref()
        .and_then(|t| intl::show(t, catalog.lang_tag))
        .map(|mut t| {
            // Our own checkpoint times are instants; only carrier scans have a "local time".
            if entry.source == Source::Merchant {
                t.carrier_local = None;
            }
            t
        });
    let class = match (entry.source, entry.done) {
        (_, false) => "wm-entry wm-pending",
        (Source::Merchant, true) => "wm-entry wm-merchant",
        (Source::Carrier, true) if early => "wm-entry wm-carrier wm-early",
        (Source::Carrier, true) => "wm-entry wm-carrier",
    };
    let tag = entry.tag.map(|t| t.as_str());
    view! {
        <li class=class data-source=match entry.source { Source::Merchant => "merchant", Source::Carrier => "carrier" } data-tag=tag>
            <span class="wm-marker" aria-hidden="true"></span>
            <p class="wm-entry-label" dir="auto">{entry.label.clone()}</p>
            {match shown {
                Some(t) => {
                    let title = t.carrier_local.clone().map(|c| format!("{}: {c}", catalog.carrier_local_time));
                    view! {
                        <p class="wm-meta">
                            <time datetime=t.datetime title=title.clone()>{t.primary}</time>
                            {t.carrier_local.map(|c| view! { <span class="wm-carrier-time">" · "{catalog.carrier_local_time}": "{c}</span> })}
                            {entry.location.clone().map(|l| view! { " · " <bdi>{l}</bdi> })}
                        </p>
                    }.into_any()
                }
                None if !entry.done => view! { <p class="wm-meta">{catalog.not_yet}</p> }.into_any(),
                None => view! { <p class="wm-meta">{entry.location.clone()}</p> }.into_any(),
            }}
        </li>
    }
}

#[component]
fn Number(
    label: &'static str,
    value: String,
    href: String,
    catalog: &'static Catalog,
) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let to_copy = value.clone();
    view! {
        <div class="wm-number">
            <span class="wm-number-label">{label}</span>
            <a class="wm-number-value" href=href dir="ltr">{value}</a>
            <button class="wm-copy" type="button" aria-label=format!("{} {label}", catalog.copy)
                on:click:capture=move |_| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.navigator().clipboard().write_text(&to_copy);
                        set_copied.set(true);
                    }
                }>
                {move || if copied.get() { catalog.copied } else { catalog.copy }}
            </button>
        </div>
    }
}
