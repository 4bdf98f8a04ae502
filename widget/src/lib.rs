//! The shopper's tracking widget: Leptos, client-side rendered, mounted by the `embed.js`
//! custom element into its Shadow DOM. It validates numbers with `shared` before any request,
//! fetches the TrackingView from the edge, and renders every state (loading, not found,
//! invalid, network failure, origin not allowed, rate limited, success) in the shopper's
//! language. What to show is decided by `shared::presentation`; this crate maps the decisions
//! to catalogue strings and DOM.

pub mod decode;
mod fresh;
mod i18n;
mod intl;

use std::sync::Arc;

use fresh::{Fresh, IntoFresh};
use leptos::prelude::*;
use shared::ids::{IdError, LookupNumber};
use shared::presentation::{self, EntryKind, Headline, StageMark};
use shared::view::{Source, TimelineEntry, TrackingView};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub use i18n::Catalog;

/// What the widget is showing.
#[derive(Clone)]
enum Phase {
    Idle,
    Loading,
    Invalid(String),
    NotFound,
    RateLimited,
    NetworkError,
    NotAllowed,
    Loaded(Arc<TrackingView>),
}

enum Failure {
    NotFound,
    Invalid,
    RateLimited,
    Network,
    /// The edge answered, but not to this page's origin (CORS): the merchant's
    /// `allowed_origins` does not list it. Retrying cannot help.
    NotAllowed,
}

impl Failure {
    /// The `outcome` of the `waymark:lookup` event.
    fn outcome(&self) -> &'static str {
        match self {
            Failure::NotFound => "not_found",
            Failure::Invalid => "invalid",
            Failure::RateLimited => "rate_limited",
            Failure::Network => "network_error",
            Failure::NotAllowed => "origin_not_allowed",
        }
    }
}

/// The handle the loader keeps per element; freeing it unmounts the widget.
#[wasm_bindgen]
pub struct Handle {
    _mounted: Box<dyn std::any::Any>,
}

/// Mounts one widget into `container` (inside the element's shadow root). `catalogue` is the
/// parsed catalogue file of the shopper's language (`www/widget/i18n/<lang>.json`), which the
/// loader picks and fetches beside the wasm.
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    merchant: String,
    number: Option<String>,
    catalogue: JsValue,
    api_base: String,
) -> Handle {
    let catalog = Catalog::read(&catalogue);
    let events_target = container.clone();
    let mounted = leptos::mount::mount_to(container, move || {
        let events = StoredValue::new_local(events_target);
        tracker(merchant, number, catalog, api_base, events)
    });
    Handle {
        _mounted: Box::new(mounted),
    }
}

fn message_for(error: &IdError, catalog: &Catalog) -> String {
    let mut text = String::from(catalog.invalid_number);
    match error {
        IdError::Character { ch, .. } => {
            text.push_str(": “");
            text.push(*ch);
            text.push('”');
        }
        IdError::Empty { .. } => return catalog.input_hint.to_string(),
        _ => text.push('.'),
    }
    text
}

/// What the shopper typed: the widget's field, found from the form or the retry button.
fn typed_number(ev: &web_sys::Event) -> String {
    ev.current_target()
        .and_then(|t| {
            t.unchecked_into::<web_sys::Element>()
                .closest(".wm")
                .ok()
                .flatten()
        })
        .and_then(|section| section.query_selector(".wm-input").ok().flatten())
        .map(|input| input.unchecked_into::<web_sys::HtmlInputElement>().value())
        .unwrap_or_default()
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Fetches a TrackingView with the browser's `fetch`; the body is parsed by the browser's own
/// JSON parser (`Response.json()`) and read by `decode`, so no JSON parser ships in the wasm.
async fn fetch_view(api_base: &str, merchant: &str, number: &str) -> Result<TrackingView, Failure> {
    let url = [
        api_base.trim_end_matches('/'),
        "/v1/track/",
        &String::from(js_sys::encode_uri_component(merchant)),
        "/",
        &String::from(js_sys::encode_uri_component(number)),
    ]
    .concat();
    let window = web_sys::window().ok_or(Failure::Network)?;
    let response: web_sys::Response = match JsFuture::from(window.fetch_with_str(&url)).await {
        Ok(response) => response.unchecked_into(),
        Err(_) => {
            // A CORS refusal and a network failure look alike to script. A `no-cors` request
            // tells them apart: the edge answering at all (an opaque response) means it is
            // reachable and refused this page's origin.
            let init = web_sys::RequestInit::new();
            init.set_mode(web_sys::RequestMode::NoCors);
            let probe = JsFuture::from(window.fetch_with_str_and_init(&url, &init)).await;
            let opaque = probe.is_ok_and(|r| {
                r.unchecked_into::<web_sys::Response>().type_() == web_sys::ResponseType::Opaque
            });
            if opaque {
                let origin = page_origin();
                web_sys::console::error_1(&JsValue::from_str(
                    &[
                        "Waymark: the tracking service refused lookups from ",
                        &origin,
                        " for merchant \"",
                        merchant,
                        "\" (CORS). Add ",
                        &origin,
                        " to the merchant's allowed_origins, and check the merchant attribute \
                         of <waymark-tracker>.",
                    ]
                    .concat(),
                ));
                return Err(Failure::NotAllowed);
            }
            return Err(Failure::Network);
        }
    };
    match response.status() {
        200 => {
            let body = response.json().map_err(|_| Failure::Network)?;
            let value = JsFuture::from(body).await.map_err(|_| Failure::Network)?;
            let mut view = decode::tracking_view(&value).ok_or(Failure::Network)?;
            // Links relative to the edge must not resolve against the storefront's origin.
            presentation::resolve_links(&mut view.links, api_base);
            Ok(view)
        }
        404 => Err(Failure::NotFound),
        400 => Err(Failure::Invalid),
        429 => Err(Failure::RateLimited),
        _ => Err(Failure::Network),
    }
}

/// Tells the storefront what happened, as a `waymark:lookup` DOM event that leaves the shadow
/// root (`composed`) and bubbles to the `<waymark-tracker>` element and the document, e.g. for
/// analytics. `detail` is `{number, outcome, tag, stage}` with the JSON spellings of the view
/// (`stage` is e.g. `"shipped"`); nothing personal is in it.
fn announce(
    target: &web_sys::HtmlElement,
    number: &str,
    outcome: &str,
    view: Option<&TrackingView>,
) {
    let detail = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    set("number", number);
    set("outcome", outcome);
    if let Some(view) = view {
        set("tag", view.status.tag.as_str());
        set("stage", presentation::stage_name(view.progress.stage));
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("waymark:lookup", &init) {
        let _ = target.dispatch_event(&event);
    }
}

/// The form and whatever the last lookup produced.
fn tracker(
    merchant: String,
    number: Option<String>,
    catalog: &'static Catalog,
    api_base: String,
    events: StoredValue<web_sys::HtmlElement, LocalStorage>,
) -> impl IntoView {
    let initial = number.unwrap_or_default();
    let (phase, set_phase) = signal(Phase::Idle);
    let merchant = StoredValue::new(merchant);
    let api_base = StoredValue::new(api_base);

    let lookup = move |raw: String| {
        let raw = raw.trim().to_string();
        match raw.parse::<LookupNumber>() {
            Err(error) => {
                set_phase.set(Phase::Invalid(message_for(&error, catalog)));
                events.with_value(|target| announce(target, &raw, "invalid", None));
            }
            Ok(parsed) => {
                let number = presentation::lookup_text(&parsed);
                set_phase.set(Phase::Loading);
                leptos::task::spawn_local(async move {
                    let result =
                        fetch_view(&api_base.get_value(), &merchant.get_value(), &number).await;
                    let outcome = match &result {
                        Ok(_) => "found",
                        Err(failure) => failure.outcome(),
                    };
                    events.with_value(|target| {
                        announce(target, &number, outcome, result.as_ref().ok())
                    });
                    set_phase.set(match result {
                        Ok(view) => Phase::Loaded(Arc::new(view)),
                        Err(Failure::NotFound) => Phase::NotFound,
                        Err(Failure::Invalid) => {
                            Phase::Invalid([catalog.invalid_number, "."].concat())
                        }
                        Err(Failure::RateLimited) => Phase::RateLimited,
                        Err(Failure::Network) => Phase::NetworkError,
                        Err(Failure::NotAllowed) => Phase::NotAllowed,
                    });
                });
            }
        }
    };
    if !initial.trim().is_empty() {
        lookup(initial.clone());
    }

    let invalid = move || phase.with(|p| matches!(p, Phase::Invalid(_)));
    view! {
        <section class="wm" dir=if catalog.rtl { "rtl" } else { "ltr" } lang=catalog.lang_tag aria-label=catalog.heading>
            <h2 class="wm-heading">{catalog.heading}</h2>
            <form class="wm-form" novalidate=true
                on:submit:capture=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    lookup(typed_number(&ev));
                }>
                <label class="wm-label" for="waymark-number">{catalog.input_label}</label>
                <div class="wm-row">
                    <input id="waymark-number" class="wm-input" type="text" name="number" autocomplete="off"
                        autocapitalize="characters" spellcheck="false" dir="ltr"
                        aria-describedby=move || if invalid() { "waymark-hint waymark-error" } else { "waymark-hint" }
                        aria-invalid=move || if invalid() { "true" } else { "false" }
                        value=initial/>
                    <button class="wm-button" type="submit">{catalog.submit}</button>
                </div>
                <p id="waymark-hint" class="wm-hint">{catalog.input_hint}</p>
            </form>
            {move || match phase.get() {
                Phase::Idle => ().fresh(),
                // The shape and height (widget.css: 426px) of the smallest result, so a result
                // only ever grows the widget. Until mounting, widget.css has the loader's empty
                // container keep the form's height (164px; 232px on phones), or the form and
                // this skeleton's (604px; 672px) for an element with a number; the /t/ page
                // reserves the same. Keep them in step: tests/e2e/layout.test.mjs checks.
                Phase::Loading => view! {
                    <div class="wm-skeleton" role="status" aria-live="polite" aria-busy="true">
                        <span class="wm-visually-hidden">{catalog.loading}</span>
                        <div class="wm-bone wm-bone-short"></div>
                        <div class="wm-bone wm-bone-title"></div>
                        <div class="wm-bone wm-bone-bar"></div>
                        <div class="wm-bone wm-bone-box"></div>
                        <div class="wm-bone"></div>
                        <div class="wm-bone wm-bone-title wm-bone-short"></div>
                        <div class="wm-bone wm-bone-entry"></div>
                        <div class="wm-bone wm-bone-entry"></div>
                        <div class="wm-bone wm-bone-entry wm-bone-short"></div>
                    </div>
                }.fresh(),
                Phase::Invalid(message) => view! {
                    <p id="waymark-error" class="wm-error" role="alert">{message}</p>
                }.fresh(),
                Phase::NotFound => view! {
                    <div class="wm-error" role="alert">
                        <p class="wm-error-title">{catalog.not_found}</p>
                        <p>{catalog.not_found_hint}</p>
                    </div>
                }.fresh(),
                Phase::RateLimited => alert(catalog.rate_limited),
                Phase::NotAllowed => alert(catalog.unavailable),
                Phase::NetworkError => view! {
                    <div class="wm-error" role="alert">
                        <p class="wm-error-title">{catalog.network_error}</p>
                        <button class="wm-button wm-secondary" type="button"
                            on:click:capture=move |ev: leptos::ev::MouseEvent| lookup(typed_number(&ev))>{catalog.retry}</button>
                    </div>
                }.fresh(),
                Phase::Loaded(view) => shipment_view(view, catalog),
            }}
        </section>
    }
}

fn alert(text: &'static str) -> Fresh {
    view! { <p class="wm-error" role="alert">{text}</p> }.fresh()
}

/// A found shipment: headline, alert, progress, latest update, numbers, timeline.
fn shipment_view(view: Arc<TrackingView>, catalog: &'static Catalog) -> Fresh {
    let locale = catalog.lang_tag;
    let headline = match presentation::headline(&view) {
        Headline::AwaitingFirstScan => catalog.awaiting_first_scan,
        Headline::Preparing => catalog.preparing,
        Headline::Tag(tag) => catalog.tags[presentation::tag_index(tag)],
    };
    let alert = view
        .progress
        .alert
        .map(|alert| catalog.alerts[presentation::alert_index(alert)]);
    let stages = presentation::stage_marks(&view.progress)
        .into_iter()
        .zip(catalog.stages)
        .map(|(mark, name)| {
            let class = match mark {
                StageMark::Done => "wm-stage wm-done",
                StageMark::Problem => "wm-stage wm-current wm-problem",
                StageMark::Current => "wm-stage wm-current",
                StageMark::Ahead => "wm-stage",
            };
            let aria_current =
                matches!(mark, StageMark::Current | StageMark::Problem).then_some("step");
            view! { <li class=class aria-current=aria_current>{name}</li> }
        })
        .collect_view();
    let latest = presentation::latest_entry(&view).map(|entry| {
        let time = entry
            .time
            .as_deref()
            .and_then(|t| intl::show(t, entry.source, locale))
            .map(|t| t.primary);
        let place = entry.location.as_deref().map(|l| [" · ", l].concat());
        view! {
            <div class="wm-latest">
                <p class="wm-latest-title">{catalog.latest}</p>
                <p class="wm-latest-label" dir="auto">{entry.label.clone()}</p>
                <p class="wm-meta">{time}{place}</p>
            </div>
        }
    });
    let now = js_sys::Date::now();
    let updated = intl::relative(&view.updated_at, locale, now).unwrap_or_default();
    let expected = view
        .expected_delivery
        .as_deref()
        .and_then(|d| intl::show_day(d, locale));
    // Long carrier histories fold their older scans behind one button, so the newest stay in
    // view on a phone; the merchant's own steps always show. Every entry is rendered once;
    // folding only hides the older scans with a class on the list.
    let kinds = presentation::entry_kinds(&view);
    let hidden = kinds
        .iter()
        .filter(|k| **k == EntryKind::EarlyCarrier)
        .count();
    let render = |merchant: bool| {
        view.timeline
            .iter()
            .zip(&kinds)
            .filter(|(entry, _)| (entry.source == Source::Merchant) == merchant)
            .map(|(entry, kind)| entry_view(entry, *kind, catalog))
            .collect_view()
    };
    let merchant_entries = render(true);
    let carrier_entries = render(false);
    let toggle = (hidden > 0).then(|| {
        let earlier = catalog.show_earlier.with_count(hidden, locale);
        view! {
            <li class="wm-fold">
                <button class="wm-copy" type="button" aria-expanded="false"
                    on:click:capture=move |ev: leptos::ev::MouseEvent| {
                        // Unfolding only changes a class on the list and this button's text.
                        let Some(button) = ev.current_target().map(JsCast::unchecked_into::<web_sys::Element>) else { return };
                        let Ok(Some(list)) = button.closest("ol") else { return };
                        let folded = list.class_list().toggle("wm-folded").unwrap_or(false);
                        let _ = button.set_attribute("aria-expanded", if folded { "false" } else { "true" });
                        button.set_text_content(Some(if folded { &earlier } else { catalog.show_fewer }));
                    }>
                    {earlier.clone()}
                </button>
            </li>
        }
    });
    let list_class = if hidden > 0 {
        "wm-timeline wm-folded"
    } else {
        "wm-timeline"
    };
    let merchant_line = match &view.carrier {
        Some(carrier) => [view.merchant.name.as_str(), " · ", &carrier.name].concat(),
        None => view.merchant.name.clone(),
    };
    let tn_link = view.tracking_number.clone().map(|tn| {
        number_view(
            catalog.carrier_number,
            tn,
            view.links.tracking_number.clone().unwrap_or_default(),
            catalog,
        )
    });
    view! {
        <div class="wm-result" role="status" aria-live="polite">
            <p class="wm-merchant">{merchant_line}</p>
            <h3 class="wm-status" data-tag=view.status.tag.as_str()>{headline}</h3>
            {alert.map(|text| view! { <p class="wm-alert" role="note">{text}</p> })}
            {expected.map(|day| view! { <p class="wm-expected"><span>{catalog.expected_delivery}": "</span><strong>{day}</strong></p> })}
        </div>
        {view.stale.then(|| view! { <p class="wm-stale" role="note">{catalog.stale}</p> })}
        <ol class="wm-stages" aria-label=catalog.progress>{stages}</ol>
        {latest}
        <div class="wm-numbers">
            {number_view(catalog.internal_number, view.itn.clone(), view.links.itn.clone(), catalog)}
            {tn_link}
        </div>
        {view.links.aftership.clone().map(|href| view! {
            <a class="wm-button wm-aftership" href=href target="_blank" rel="noopener noreferrer">
                {catalog.go_to_aftership}<span class="wm-visually-hidden">" "{catalog.new_tab}</span>
            </a>
        })}
        <h3 class="wm-subheading">{catalog.timeline}</h3>
        <ol class=list_class>
            {merchant_entries}
            {toggle}
            {carrier_entries}
        </ol>
        <p class="wm-updated">{catalog.last_updated}" "<time datetime=view.updated_at.clone()>{updated}</time></p>
    }
    .fresh()
}

fn entry_view(entry: &TimelineEntry, kind: EntryKind, catalog: &'static Catalog) -> Fresh {
    let shown = entry
        .time
        .as_deref()
        .and_then(|t| intl::show(t, entry.source, catalog.lang_tag));
    let class = match kind {
        EntryKind::Pending => "wm-entry wm-pending",
        EntryKind::Merchant => "wm-entry wm-merchant",
        EntryKind::EarlyCarrier => "wm-entry wm-carrier wm-early",
        EntryKind::Carrier => "wm-entry wm-carrier",
    };
    let tag = entry.tag.map(|t| t.as_str());
    let meta = match shown {
        Some(t) => {
            let title = t
                .carrier_local
                .as_deref()
                .map(|c| [catalog.carrier_local_time, ": ", c].concat());
            view! {
                <p class="wm-meta">
                    <time datetime=t.datetime title=title>{t.primary}</time>
                    {t.carrier_local.map(|c| view! { <span class="wm-carrier-time">" · "{catalog.carrier_local_time}": "{c}</span> })}
                    {entry.location.clone().map(|l| view! { " · " <bdi>{l}</bdi> })}
                </p>
            }
            .fresh()
        }
        None if !entry.done => view! { <p class="wm-meta">{catalog.not_yet}</p> }.fresh(),
        None => view! { <p class="wm-meta">{entry.location.clone()}</p> }.fresh(),
    };
    view! {
        <li class=class data-source=presentation::source_name(entry.source) data-tag=tag>
            <span class="wm-marker" aria-hidden="true"></span>
            <p class="wm-entry-label" dir="auto">{entry.label.clone()}</p>
            {meta}
        </li>
    }
    .fresh()
}

fn number_view(
    label: &'static str,
    value: String,
    href: String,
    catalog: &'static Catalog,
) -> Fresh {
    let to_copy = value.clone();
    view! {
        <div class="wm-number">
            <span class="wm-number-label">{label}</span>
            <a class="wm-number-value" href=href dir="ltr">{value}</a>
            <button class="wm-copy" type="button" aria-label=[catalog.copy, " ", label].concat()
                on:click:capture=move |ev: leptos::ev::MouseEvent| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.navigator().clipboard().write_text(&to_copy);
                        if let Some(button) = ev.current_target() {
                            button.unchecked_into::<web_sys::Node>().set_text_content(Some(catalog.copied));
                        }
                    }
                }>
                {catalog.copy}
            </button>
        </div>
    }
    .fresh()
}
