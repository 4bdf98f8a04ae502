//! The shopper's tracking widget: Leptos, client-side rendered, mounted by the `embed.js`
//! custom element into its Shadow DOM. It validates numbers with `shared` before any request,
//! fetches the TrackingView from the edge, and renders every state (loading, not found,
//! invalid, network failure, origin not allowed, rate limited, success) in the shopper's
//! language. Given an order reference instead, it asks for the order's postal code or e-mail,
//! looks the order up and shows each of its shipments (tabs, or a list on narrow screens).
//! What to show is decided by `shared::presentation`; this crate maps the decisions to
//! catalogue strings and DOM.

pub mod decode;
mod fresh;
mod i18n;
mod intl;

use std::sync::Arc;

use fresh::{Fresh, IntoFresh};
use leptos::prelude::*;
use shared::ids::{IdError, LookupNumber};
#[cfg(feature = "order")]
use shared::presentation::VerifierKind;
use shared::presentation::{self, fill, EntryKind, Headline, NumberNote, StageMark, Timing};
use shared::promise::When;
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
    /// The shipment looked up, or an order's shipments (at least one).
    Found(Arc<Vec<TrackingView>>),
}

/// What is looked up: a number, or the widget's order with a postal code or e-mail (order
/// mode exists only in the bundle built with the `order` feature).
enum Query {
    Number(String),
    #[cfg(feature = "order")]
    Order(VerifierKind, String),
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
/// loader picks and fetches beside the wasm. With an `order` reference the widget shows that
/// order (after the shopper gives its postal code or e-mail) and ignores `number`; empty
/// values count as absent.
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    merchant: String,
    number: Option<String>,
    order: Option<String>,
    catalogue: JsValue,
    api_base: String,
) -> Handle {
    let catalog = Catalog::read(&catalogue);
    let events_target = container.clone();
    let given = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let (number, order) = (given(number), given(order));
    let mounted = leptos::mount::mount_to(container, move || {
        let events = StoredValue::new_local(events_target);
        tracker(merchant, number, order, catalog, api_base, events)
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

#[cfg(feature = "order")]
fn invalid_verifier(kind: VerifierKind, catalog: &Catalog) -> String {
    match kind {
        VerifierKind::PostalCode => catalog.invalid_postal_code,
        VerifierKind::Email => catalog.invalid_email,
    }
    .to_string()
}

/// The widget's own section, found from an event on the form, a radio or the retry button.
fn section_of(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.current_target()?
        .unchecked_into::<web_sys::Element>()
        .closest(".wm")
        .ok()
        .flatten()
}

/// What the shopper typed into the widget's field.
fn typed(section: &web_sys::Element) -> String {
    section
        .query_selector(".wm-input")
        .ok()
        .flatten()
        .map(|input| input.unchecked_into::<web_sys::HtmlInputElement>().value())
        .unwrap_or_default()
}

/// The kind of verifier chosen in the order form.
#[cfg(feature = "order")]
fn chosen_kind(section: &web_sys::Element) -> VerifierKind {
    section
        .query_selector("input[name=verifier]:checked")
        .ok()
        .flatten()
        .map(|radio| {
            VerifierKind::from_wire(&radio.unchecked_into::<web_sys::HtmlInputElement>().value())
        })
        .unwrap_or(VerifierKind::PostalCode)
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// Sends a request with the browser's `fetch` and reads a 200 answer with the browser's own
/// JSON parser (`Response.json()`), so no JSON parser ships in the wasm; other statuses are
/// the failures they mean.
async fn request(
    url: &str,
    init: &web_sys::RequestInit,
    merchant: &str,
) -> Result<JsValue, Failure> {
    let window = web_sys::window().ok_or(Failure::Network)?;
    let response: web_sys::Response =
        match JsFuture::from(window.fetch_with_str_and_init(url, init)).await {
            Ok(response) => response.unchecked_into(),
            Err(_) => {
                // A CORS refusal and a network failure look alike to script. A `no-cors` request
                // tells them apart: the edge answering at all (an opaque response) means it is
                // reachable and refused this page's origin.
                let probe_init = web_sys::RequestInit::new();
                probe_init.set_mode(web_sys::RequestMode::NoCors);
                let probe = JsFuture::from(window.fetch_with_str_and_init(url, &probe_init)).await;
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
            JsFuture::from(body).await.map_err(|_| Failure::Network)
        }
        404 => Err(Failure::NotFound),
        400 => Err(Failure::Invalid),
        429 => Err(Failure::RateLimited),
        _ => Err(Failure::Network),
    }
}

/// Looks `query` up: a GET of the number's TrackingView, or a POST of the order lookup (the
/// reference and one verifier) for the order's shipments. Each view is read by `decode`.
async fn fetch(
    api_base: &str,
    merchant: &str,
    order: &str,
    query: &Query,
) -> Result<Vec<TrackingView>, Failure> {
    let mut url = [
        api_base.trim_end_matches('/'),
        "/v1/track/",
        &encode(merchant),
        "/",
    ]
    .concat();
    #[cfg(not(feature = "order"))]
    let _ = order;
    let init = web_sys::RequestInit::new();
    match query {
        Query::Number(number) => url.push_str(&encode(number)),
        #[cfg(feature = "order")]
        Query::Order(kind, verifier) => {
            url.push_str("orders");
            let body = js_sys::Object::new();
            set(&body, "order_ref", &JsValue::from_str(order));
            set(&body, kind.as_str(), &JsValue::from_str(verifier));
            let headers = js_sys::Object::new();
            set(
                &headers,
                "content-type",
                &JsValue::from_str("application/json"),
            );
            init.set_method("POST");
            init.set_headers(&headers);
            init.set_body(
                &js_sys::JSON::stringify(&body)
                    .map_err(|_| Failure::Network)?
                    .into(),
            );
        }
    }
    let value = request(&url, &init, merchant).await?;
    let mut views = match query {
        Query::Number(_) => decode::tracking_view(&value).map(|view| vec![view]),
        #[cfg(feature = "order")]
        Query::Order(..) => decode::order_shipments(&value),
    }
    .ok_or(Failure::Network)?;
    if views.is_empty() {
        // An order whose shipments are not readable yet is not found yet.
        return Err(Failure::NotFound);
    }
    for view in &mut views {
        // Links relative to the edge must not resolve against the storefront's origin.
        presentation::resolve_view_links(view, api_base);
    }
    Ok(views)
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
}

/// `{number, outcome, tag, stage}` for one shipment, with the JSON spellings of the view
/// (`stage` is e.g. `"shipped"`); `tag` and `stage` only when it was found.
fn lookup_detail(number: &str, outcome: &str, view: Option<&TrackingView>) -> js_sys::Object {
    let detail = js_sys::Object::new();
    let text = |key: &str, value: &str| set(&detail, key, &JsValue::from_str(value));
    text("number", number);
    text("outcome", outcome);
    if let Some(view) = view {
        text("tag", view.status.tag.as_str());
        text("stage", presentation::stage_name(view.progress.stage));
    }
    detail
}

/// `{order, outcome, shipments}` for an order lookup; `shipments` (found only) lists each
/// shipment as `{number, outcome, tag, stage}`, `number` being its ITN.
#[cfg(feature = "order")]
fn order_detail(order: &str, outcome: &str, views: Option<&[TrackingView]>) -> js_sys::Object {
    let detail = js_sys::Object::new();
    set(&detail, "order", &JsValue::from_str(order));
    set(&detail, "outcome", &JsValue::from_str(outcome));
    if let Some(views) = views {
        let list: js_sys::Array = views
            .iter()
            .map(|view| lookup_detail(&view.itn, "found", Some(view)))
            .collect();
        set(&detail, "shipments", &list);
    }
    detail
}

/// Tells the storefront what happened, as a `waymark:lookup` DOM event that leaves the shadow
/// root (`composed`) and bubbles to the `<waymark-tracker>` element and the document, e.g. for
/// analytics. Nothing personal is in `detail` (never the postal code or e-mail).
fn announce(target: &web_sys::HtmlElement, detail: &js_sys::Object) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("waymark:lookup", &init) {
        let _ = target.dispatch_event(&event);
    }
}

/// What a failed lookup shows.
fn failed(failure: Failure, invalid: String) -> Phase {
    match failure {
        Failure::NotFound => Phase::NotFound,
        Failure::Invalid => Phase::Invalid(invalid),
        Failure::RateLimited => Phase::RateLimited,
        Failure::Network => Phase::NetworkError,
        Failure::NotAllowed => Phase::NotAllowed,
    }
}

/// The form and whatever the last lookup produced.
fn tracker(
    merchant: String,
    number: Option<String>,
    order: Option<String>,
    catalog: &'static Catalog,
    api_base: String,
    events: StoredValue<web_sys::HtmlElement, LocalStorage>,
) -> impl IntoView {
    let initial = number.unwrap_or_default();
    // The number-lookup bundle (built without the `order` feature) has no order mode.
    let order_mode = cfg!(feature = "order") && order.is_some();
    let (phase, set_phase) = signal(Phase::Idle);
    let merchant = StoredValue::new(merchant);
    let api_base = StoredValue::new(api_base);
    let order_ref = StoredValue::new(order.unwrap_or_default());

    // What the storefront hears (`waymark:lookup`), and what the shopper reads of a refusal.
    let detail = move |query: &Query, outcome: &str, views: Option<&[TrackingView]>| match query {
        Query::Number(number) => lookup_detail(number, outcome, views.and_then(<[_]>::first)),
        #[cfg(feature = "order")]
        Query::Order(..) => order_detail(&order_ref.get_value(), outcome, views),
    };
    let refusal = move |query: &Query| match query {
        Query::Number(_) => [catalog.invalid_number, "."].concat(),
        #[cfg(feature = "order")]
        Query::Order(kind, _) => invalid_verifier(*kind, catalog),
    };
    let run = move |query: Query| {
        set_phase.set(Phase::Loading);
        leptos::task::spawn_local(async move {
            let result = fetch(
                &api_base.get_value(),
                &merchant.get_value(),
                &order_ref.get_value(),
                &query,
            )
            .await;
            let outcome = match &result {
                Ok(_) => "found",
                Err(failure) => failure.outcome(),
            };
            events.with_value(|target| {
                announce(target, &detail(&query, outcome, result.as_deref().ok()))
            });
            set_phase.set(match result {
                Ok(views) => Phase::Found(Arc::new(views)),
                Err(failure) => failed(failure, refusal(&query)),
            });
        });
    };
    // A typo is caught here, before any request, and announced too.
    let refuse = move |query: Query, message: String| {
        set_phase.set(Phase::Invalid(message));
        events.with_value(|target| announce(target, &detail(&query, "invalid", None)));
    };
    let lookup = move |raw: String| {
        let raw = raw.trim().to_string();
        match raw.parse::<LookupNumber>() {
            Err(error) => refuse(Query::Number(raw), message_for(&error, catalog)),
            Ok(parsed) => run(Query::Number(presentation::lookup_text(&parsed))),
        }
    };
    #[cfg(feature = "order")]
    let lookup_order = move |kind: VerifierKind, verifier: String| {
        let verifier = verifier.trim().to_string();
        if presentation::verifier_accepted(kind, &verifier) {
            run(Query::Order(kind, verifier));
        } else {
            refuse(
                Query::Order(kind, verifier),
                invalid_verifier(kind, catalog),
            );
        }
    };
    // The form's submit and the retry button: whatever the field holds now.
    let submit = move |ev: &web_sys::Event| {
        let Some(section) = section_of(ev) else {
            return;
        };
        #[cfg(feature = "order")]
        if order_mode {
            return lookup_order(chosen_kind(&section), typed(&section));
        }
        lookup(typed(&section));
    };
    if !order_mode && !initial.trim().is_empty() {
        lookup(initial.clone());
    }

    let invalid = move || phase.with(|p| matches!(p, Phase::Invalid(_)));
    let described = move || {
        if invalid() {
            "waymark-hint waymark-error"
        } else {
            "waymark-hint"
        }
    };
    let invalid_text = move || if invalid() { "true" } else { "false" };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit(&ev);
    };
    #[cfg(feature = "order")]
    let order_form = order_mode.then(|| {
        // Choosing the other verifier relabels the one field and tells the browser what to
        // offer in it.
        let switch = move |ev: leptos::ev::Event| {
            let Some(section) = section_of(&ev) else {
                return;
            };
            let email = chosen_kind(&section) == VerifierKind::Email;
            if let Ok(Some(label)) = section.query_selector(".wm-verifier-label") {
                label.set_text_content(Some(if email {
                    catalog.email
                } else {
                    catalog.postal_code
                }));
            }
            if let Ok(Some(input)) = section.query_selector(".wm-input") {
                let _ = input.set_attribute("type", if email { "email" } else { "text" });
                let _ = input
                    .set_attribute("autocomplete", if email { "email" } else { "postal-code" });
            }
        };
        let reference = fill(
            catalog.order_ref,
            &[("order", &order_ref.get_value())],
            catalog.rtl,
        );
        view! {
            <form class="wm-form" novalidate=true on:submit:capture=on_submit>
                <p class="wm-order-ref">{reference}</p>
                <fieldset class="wm-choice">
                    <legend class="wm-label">{catalog.verify_with}</legend>
                    <label class="wm-option">
                        <input type="radio" name="verifier" value="postal_code" checked=true on:change:capture=switch/>
                        {catalog.postal_code}
                    </label>
                    <label class="wm-option">
                        <input type="radio" name="verifier" value="email" on:change:capture=switch/>
                        {catalog.email}
                    </label>
                </fieldset>
                <label class="wm-label wm-verifier-label" for="waymark-verifier">{catalog.postal_code}</label>
                <div class="wm-row">
                    <input id="waymark-verifier" class="wm-input" type="text" name="verifier-value" autocomplete="postal-code"
                        spellcheck="false" dir="ltr" aria-describedby=described aria-invalid=invalid_text/>
                    <button class="wm-button" type="submit">{catalog.submit}</button>
                </div>
                <p id="waymark-hint" class="wm-hint">{catalog.order_hint}</p>
            </form>
        }
        .fresh()
    });
    #[cfg(not(feature = "order"))]
    let order_form: Option<Fresh> = None;
    #[allow(clippy::unnecessary_literal_unwrap)] // always `None` in the number-lookup bundle
    let form = order_form.unwrap_or_else(|| {
        view! {
            <form class="wm-form" novalidate=true on:submit:capture=on_submit>
                <label class="wm-label" for="waymark-number">{catalog.input_label}</label>
                <div class="wm-row">
                    <input id="waymark-number" class="wm-input" type="text" name="number" autocomplete="off"
                        autocapitalize="characters" spellcheck="false" dir="ltr"
                        aria-describedby=described aria-invalid=invalid_text
                        value=initial/>
                    <button class="wm-button" type="submit">{catalog.submit}</button>
                </div>
                <p id="waymark-hint" class="wm-hint">{catalog.input_hint}</p>
            </form>
        }
        .fresh()
    });
    let (not_found, not_found_hint) = if order_mode {
        (catalog.order_not_found, catalog.order_not_found_hint)
    } else {
        (catalog.not_found, catalog.not_found_hint)
    };
    view! {
        <section class="wm" dir=if catalog.rtl { "rtl" } else { "ltr" } lang=catalog.lang_tag aria-label=catalog.heading>
            <h2 class="wm-heading">{catalog.heading}</h2>
            {form}
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
                        <p class="wm-error-title">{not_found}</p>
                        <p>{not_found_hint}</p>
                    </div>
                }.fresh(),
                Phase::RateLimited => alert(catalog.rate_limited),
                Phase::NotAllowed => alert(catalog.unavailable),
                Phase::NetworkError => view! {
                    <div class="wm-error" role="alert">
                        <p class="wm-error-title">{catalog.network_error}</p>
                        <button class="wm-button wm-secondary" type="button"
                            on:click:capture=move |ev: leptos::ev::MouseEvent| submit(&ev)>{catalog.retry}</button>
                    </div>
                }.fresh(),
                Phase::Found(views) => order_view(&views, catalog),
            }}
        </section>
    }
}

fn alert(text: &'static str) -> Fresh {
    view! { <p class="wm-error" role="alert">{text}</p> }.fresh()
}

/// What was found: one shipment, or an order's shipments as tabs (ARIA's tabs pattern: arrow
/// keys, Home and End move between them), which widget.css turns into a list of every
/// shipment, each under its own heading, when the widget is narrow.
fn order_view(views: &[TrackingView], catalog: &'static Catalog) -> Fresh {
    // A number lookup finds one shipment; only order mode finds several.
    if !cfg!(feature = "order") || views.len() == 1 {
        return shipment_view(&views[0], catalog);
    }
    order_tabs(views, catalog)
}

/// An order's shipments as tabs.
#[cfg(not(feature = "order"))]
fn order_tabs(_: &[TrackingView], _: &'static Catalog) -> Fresh {
    unreachable!()
}

/// An order's shipments as tabs.
#[cfg(feature = "order")]
fn order_tabs(views: &[TrackingView], catalog: &'static Catalog) -> Fresh {
    let id = |prefix: &str, i: usize| presentation::with_count(&[prefix, "{n}"].concat(), i + 1);
    let tabs = views
        .iter()
        .enumerate()
        .map(|(i, view)| {
            let selected = i == 0;
            view! {
                <button class="wm-tab" type="button" role="tab" id=id("wm-tab-", i) aria-controls=id("wm-panel-", i)
                    aria-selected=if selected { "true" } else { "false" } tabindex=if selected { "0" } else { "-1" }
                    on:click:capture=move |ev: leptos::ev::MouseEvent| select_tab(&ev, Some(i), "", false)>
                    {presentation::with_count(catalog.shipment_n, i + 1)}" "
                    <span class="wm-tab-status">{headline_text(view, catalog)}</span>
                </button>
            }
            .fresh()
        })
        .collect_view();
    let panels = views
        .iter()
        .enumerate()
        .map(|(i, view)| {
            view! {
                <div class=if i == 0 { "wm-panel" } else { "wm-panel wm-inactive" } role="tabpanel"
                    id=id("wm-panel-", i) aria-labelledby=id("wm-tab-", i) tabindex="0">
                    <h3 class="wm-panel-heading">{presentation::with_count(catalog.shipment_n, i + 1)}</h3>
                    {shipment_view(view, catalog)}
                </div>
            }
            .fresh()
        })
        .collect_view();
    view! {
        <div class="wm-order">
            <div class="wm-tabs" role="tablist" aria-label=catalog.shipments
                on:keydown:capture=move |ev: leptos::ev::KeyboardEvent| select_tab(&ev, None, &ev.key(), catalog.rtl)>
                {tabs}
            </div>
            {panels}
        </div>
    }
    .fresh()
}

#[cfg(feature = "order")]
/// Shows a tab's panel, from an event inside the order's tabs: the `index`-th tab (a click), or
/// the one `key` moves to from the selected one, then focused (ARIA's tabs pattern).
fn select_tab(ev: &web_sys::Event, index: Option<usize>, key: &str, rtl: bool) {
    let order = ev.current_target().and_then(|t| {
        t.unchecked_into::<web_sys::Element>()
            .closest(".wm-order")
            .ok()
            .flatten()
    });
    let Some(order) = order else { return };
    let (Ok(tabs), Ok(panels)) = (
        order.query_selector_all(".wm-tab"),
        order.query_selector_all(".wm-panel"),
    ) else {
        return;
    };
    let tab = |i: u32| {
        tabs.get(i)
            .map(JsCast::unchecked_into::<web_sys::HtmlElement>)
    };
    let count = tabs.length();
    let chosen = index.or_else(|| {
        let current = (0..count)
            .position(|i| {
                tab(i)
                    .and_then(|t| t.get_attribute("aria-selected"))
                    .as_deref()
                    == Some("true")
            })
            .unwrap_or(0);
        presentation::tab_after_key(key, current, count as usize, rtl)
    });
    let Some(chosen) = chosen else { return };
    for i in 0..count {
        let selected = i as usize == chosen;
        if let Some(tab) = tab(i) {
            let _ = tab.set_attribute("aria-selected", if selected { "true" } else { "false" });
            let _ = tab.set_attribute("tabindex", if selected { "0" } else { "-1" });
            if selected && index.is_none() {
                ev.prevent_default();
                let _ = tab.focus();
            }
        }
        if let Some(panel) = panels.get(i) {
            let _ = panel
                .unchecked_into::<web_sys::Element>()
                .class_list()
                .toggle_with_force("wm-inactive", !selected);
        }
    }
}

/// The big status line's text.
fn headline_text(view: &TrackingView, catalog: &'static Catalog) -> &'static str {
    match presentation::headline(view) {
        Headline::AwaitingFirstScan => catalog.awaiting_first_scan,
        Headline::Preparing => catalog.preparing,
        Headline::Tag(tag) => catalog.tags[presentation::tag_index(tag)],
    }
}

/// The timing line under the headline: when it should leave (in the merchant's terms, and the
/// shopper's own clock beside it), when it should arrive and whose estimate that is, or that
/// it is taking longer than it should.
fn timing_view(view: &TrackingView, catalog: &'static Catalog) -> Option<Fresh> {
    let locale = catalog.lang_tag;
    let expected = [catalog.expected_delivery, ": "].concat();
    // (class, role, lead, strong, aside): one shape for every kind of line.
    let (class, role, lead, strong, aside) = match presentation::timing(view) {
        Timing::Nothing => return None,
        Timing::Expected(day) => (
            "wm-expected",
            None,
            expected,
            intl::show_day(day, locale)?,
            None,
        ),
        Timing::When(When::Arrives { date, source }) => (
            "wm-expected",
            None,
            expected,
            intl::show_estimate(date, locale)?,
            Some(
                catalog.estimate_sources[presentation::estimate_source_index(*source)].to_string(),
            ),
        ),
        Timing::When(When::Stalled { moving, .. }) => (
            "wm-when wm-late",
            Some("note"),
            if *moving {
                catalog.stalled_moving
            } else {
                catalog.stalled_waiting
            }
            .to_string(),
            String::new(),
            None,
        ),
        Timing::When(When::Leaves {
            estimate,
            time_zone,
        }) => {
            let window = intl::window(estimate, time_zone, locale, js_sys::Date::now())?;
            let sentence = [
                catalog.leaves_today,
                catalog.leaves_tomorrow,
                catalog.leaves_on,
            ][presentation::leave_sentence(estimate.relative_day)];
            let text = fill(
                sentence,
                &[
                    ("day", &window.weekday),
                    ("from", &window.from),
                    ("to", &window.to),
                    ("zone", &estimate.zone_abbreviation),
                ],
                catalog.rtl,
            );
            let yours = window
                .yours
                .map(|range| fill(catalog.your_time, &[("range", &range)], catalog.rtl));
            ("wm-when", None, text, String::new(), yours)
        }
    };
    Some(
        view! {
            <p class=class role=role>
                {lead}<strong>{strong}</strong>
                {aside.map(|aside| view! { " "<span class="wm-aside">{aside}</span> })}
            </p>
        }
        .fresh(),
    )
}

/// Every tracking number of a shipment that has several, each linking to its own page, with
/// its carrier (and which is the last mile's).
fn every_number(view: &TrackingView, catalog: &'static Catalog) -> Fresh {
    let items = view
        .tracking_numbers
        .iter()
        .map(|number| {
            let carrier = |template: &str, name: &str| fill(template, &[("carrier", name)], catalog.rtl);
            let note = match presentation::number_note(number) {
                NumberNote::Carrier(name) => Some(carrier(catalog.by_carrier, name)),
                NumberNote::LastMile(Some(name)) => Some(carrier(catalog.last_mile, name)),
                NumberNote::LastMile(None) => Some(catalog.last_mile_only.to_string()),
                NumberNote::Nothing => None,
            };
            view! {
                <li class="wm-tn">
                    <a class="wm-number-value" href=number.link.clone() dir="ltr">{number.number.clone()}</a>
                    {note.map(|note| view! { " "<span class="wm-tn-carrier">{note}</span> })}
                </li>
            }
            .fresh()
        })
        .collect_view();
    view! {
        <div class="wm-number">
            <span class="wm-number-label">{catalog.tracking_numbers}</span>
            <ul class="wm-tns">{items}</ul>
        </div>
    }
    .fresh()
}

/// A found shipment: headline, timing, alert, progress, latest update, numbers, timeline.
fn shipment_view(view: &TrackingView, catalog: &'static Catalog) -> Fresh {
    let locale = catalog.lang_tag;
    let headline = headline_text(view, catalog);
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
    let latest = presentation::latest_entry(view).map(|entry| {
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
    let timing = timing_view(view, catalog);
    // Long carrier histories fold their older scans behind one button, so the newest stay in
    // view on a phone; the merchant's own steps always show. Every entry is rendered once;
    // folding only hides the older scans with a class on the list.
    let kinds = presentation::entry_kinds(view);
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
    let tn_link = if presentation::lists_every_number(view) {
        Some(every_number(view, catalog))
    } else {
        view.tracking_number.clone().map(|tn| {
            number_view(
                catalog.carrier_number,
                tn,
                view.links.tracking_number.clone().unwrap_or_default(),
                catalog,
            )
        })
    };
    view! {
        <div class="wm-result" role="status" aria-live="polite">
            <p class="wm-merchant">{merchant_line}</p>
            <h3 class="wm-status" data-tag=view.status.tag.as_str()>{headline}</h3>
            {timing}
            {alert.map(|text| view! { <p class="wm-alert" role="note">{text}</p> })}
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
