//! The merchant console: Leptos, client-side rendered, its own wasm bundle served under
//! `/console/` (nothing of it reaches the shopper's widget). Staff sign in with a one-time link
//! e-mailed to them; the session is an HttpOnly cookie the edge sets, and every write carries
//! the session's CSRF token. Pages: Find Orders (with shipment details) and Settings.
//! Decisions that are not about the DOM (query strings, remembered columns, list edits) are
//! plain functions in `shared::console`; the tracking timeline is `shared`'s `TrackingView`.

mod api;
mod find;
mod i18n;
mod settings;
mod shipment;
mod signin;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use i18n::I18n;

/// `GET /console/api/session`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Session {
    pub merchant: String,
    pub merchant_name: String,
    pub email: String,
    pub role: String,
    pub csrf_token: String,
    #[serde(default)]
    pub expires_at: String,
}

impl Session {
    pub fn is_owner(&self) -> bool {
        self.role == "owner"
    }
}

/// Where the console is: the hash part of the URL, so a reload stays on the same page.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Find,
    Settings,
    Shipment(String),
}

impl Route {
    fn current() -> Route {
        let hash = window().location().hash().unwrap_or_default();
        let hash = hash.trim_start_matches('#');
        if let Some(itn) = hash.strip_prefix("/shipment/") {
            let itn = js_sys::decode_uri_component(itn)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            if !itn.is_empty() {
                return Route::Shipment(itn);
            }
        }
        match hash {
            "/settings" => Route::Settings,
            _ => Route::Find,
        }
    }
}

/// The link to one shipment's details.
pub fn shipment_href(itn: &str) -> String {
    ["#/shipment/", &shared::console::encode_component(itn)].concat()
}

/// What the console shows as a whole.
#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    SignedOut { expired: bool },
    SignedIn(Session),
    Failed,
}

/// Everything a page needs: the catalogue and the session. `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub i18n: I18n,
    pub session: StoredValue<Session>,
}

impl Ctx {
    pub fn merchant(&self) -> String {
        self.session.with_value(|s| s.merchant.clone())
    }
    pub fn csrf(&self) -> String {
        self.session.with_value(|s| s.csrf_token.clone())
    }
    pub fn owner(&self) -> bool {
        self.session.with_value(Session::is_owner)
    }
    pub fn t(&self, key: &str) -> String {
        self.i18n.t(key)
    }
    pub fn path(&self, rest: &str) -> String {
        api::merchant_path(&self.merchant(), rest)
    }
}

/// Runs when the bundle loads: mounts the console into `<main id="console">`.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(main) = document().get_element_by_id("console") else {
        return;
    };
    let main: web_sys::HtmlElement = main.unchecked_into();
    let lang = i18n::choose();
    // Leptos's executor starts with the first mount: until then, the browser's own.
    wasm_bindgen_futures::spawn_local(async move {
        let Some(i18n) = i18n::load(lang).await else {
            main.set_text_content(Some(
                "The console could not load its texts. Reload the page to try again.",
            ));
            return;
        };
        i18n::apply_to_document(&i18n);
        main.set_text_content(None);
        leptos::mount::mount_to(main, move || view! { <App i18n=i18n/> }).forget();
    });
}

/// `?signin=expired` (the edge's redirect after a used or old link), removed from the address
/// once read so a reload does not show it again.
fn take_expired_flag() -> bool {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let expired = search.contains("signin=expired");
    if expired {
        if let Ok(history) = window().history() {
            let path = location.pathname().unwrap_or_default();
            let hash = location.hash().unwrap_or_default();
            let _ =
                history.replace_state_with_url(&JsValue::NULL, "", Some(&[path, hash].concat()));
        }
    }
    expired
}

#[component]
fn App(i18n: I18n) -> impl IntoView {
    let expired = take_expired_flag();
    let phase = RwSignal::new(Phase::Loading);
    let load_session = move || {
        phase.set(Phase::Loading);
        leptos::task::spawn_local(async move {
            let next = match api::get("/console/api/session").await {
                Ok(value) => match serde_json::from_value::<Session>(value) {
                    Ok(session) => Phase::SignedIn(session),
                    Err(_) => Phase::Failed,
                },
                Err(e) if e.status == 401 || e.status == 404 => Phase::SignedOut { expired },
                Err(_) => Phase::Failed,
            };
            phase.set(next);
        });
    };
    load_session();
    let signed_out = Callback::new(move |()| phase.set(Phase::SignedOut { expired: false }));

    move || match phase.get() {
        Phase::Loading => view! {
            <p class="state loading" role="status">{i18n.t("loading_session")}</p>
        }
        .into_any(),
        Phase::Failed => view! {
            <div class="state error" role="alert">
                <h1>{i18n.t("error_title")}</h1>
                <p>{i18n.t("error_session")}</p>
                <button type="button" on:click=move |_| load_session()>{i18n.t("retry")}</button>
            </div>
        }
        .into_any(),
        Phase::SignedOut { expired } => view! { <signin::SignIn i18n expired/> }.into_any(),
        Phase::SignedIn(session) => {
            let ctx = Ctx {
                i18n,
                session: StoredValue::new(session),
            };
            view! { <Console ctx signed_out/> }.into_any()
        }
    }
}

/// The signed-in console: header, navigation and the page of the route.
#[component]
fn Console(ctx: Ctx, signed_out: Callback<()>) -> impl IntoView {
    let route = RwSignal::new(Route::current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        route.set(Route::current());
        // A new page: move focus to its heading for keyboard and screen-reader users.
        request_animation_frame(|| {
            if let Some(h) = document().query_selector("#page h1").ok().flatten() {
                let _ = h.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        });
    });
    on_cleanup(move || handle.remove());
    view! {
        <Header ctx route signed_out/>
        <div id="page">
            {move || match route.get() {
                Route::Find => view! { <find::FindOrders ctx/> }.into_any(),
                Route::Settings => view! { <settings::Settings ctx/> }.into_any(),
                Route::Shipment(itn) => view! { <shipment::Details ctx itn/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Header(ctx: Ctx, route: RwSignal<Route>, signed_out: Callback<()>) -> impl IntoView {
    let i18n = ctx.i18n;
    let (name, email, role) = ctx.session.with_value(|s| {
        (
            s.merchant_name.clone(),
            s.email.clone(),
            i18n.t(&["role_", &s.role].concat()),
        )
    });
    let failed = RwSignal::new(false);
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            match api::send("POST", "/console/api/sign-out", None, &ctx.csrf()).await {
                // 401: the session had already ended; either way nobody is signed in here.
                Ok(_) => signed_out.run(()),
                Err(e) if e.status == 401 => signed_out.run(()),
                Err(_) => failed.set(true),
            }
        });
    };
    let current = move |r: Route| {
        move || {
            let now = route.get();
            let same = match (&now, &r) {
                (Route::Shipment(_), Route::Find) => true,
                _ => now == r,
            };
            same.then_some("page")
        }
    };
    view! {
        <header class="bar">
            <div class="who">
                <span class="merchant">{name}</span>
                <span class="user">{email}</span>
                <span class="role">{role}</span>
            </div>
            <nav aria-label=i18n.t("nav_label")>
                <a href="#/find" aria-current=current(Route::Find)>{i18n.t("nav_find")}</a>
                <a href="#/settings" aria-current=current(Route::Settings)>{i18n.t("nav_settings")}</a>
            </nav>
            <div class="tools">
                <LanguagePicker i18n/>
                <button type="button" class="secondary" on:click=sign_out>{i18n.t("sign_out")}</button>
            </div>
            <Show when=move || failed.get()>
                <p class="error" role="alert">{i18n.t("sign_out_failed")}</p>
            </Show>
        </header>
    }
}

/// Switching language reloads the page in the new one (the choice is remembered).
#[component]
pub fn LanguagePicker(i18n: I18n) -> impl IntoView {
    let change = move |ev: leptos::ev::Event| {
        let lang = event_target_value(&ev);
        if let Some(lang) = i18n::known(&lang) {
            i18n::remember(lang);
            let location = window().location();
            let path = location.pathname().unwrap_or_default();
            let hash = location.hash().unwrap_or_default();
            let _ = location.assign(&[path, hash].concat());
            let _ = location.reload();
        }
    };
    view! {
        <label class="lang">
            <span class="visually-hidden">{i18n.t("language")}</span>
            <select on:change=change>
                {i18n::LANGUAGES
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <option value=lang selected=lang == i18n.lang>
                                {i18n.t(&["lang_", lang].concat())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A loading, empty or error state, as every page shows them.
#[derive(Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(api::ApiError),
}

/// The sentence for a failed call.
pub fn error_text(i18n: &I18n, error: &api::ApiError) -> String {
    let base = match error.status {
        0 => i18n.t("error_network"),
        401 => i18n.t("error_signed_out"),
        403 => i18n.t("error_forbidden"),
        404 => i18n.t("error_not_found"),
        429 => i18n.t("error_rate_limited"),
        400 | 409 => i18n.t("error_refused"),
        _ => i18n.t("error_server"),
    };
    if error.message.is_empty() || !matches!(error.status, 400 | 409) {
        base
    } else {
        [base.as_str(), " ", &error.message].concat()
    }
}

/// Formats an RFC 3339 instant in the user's language and zone, by the browser's `Intl`.
pub fn when(lang: &str, instant: &str) -> String {
    if instant.is_empty() {
        return String::new();
    }
    let date = js_sys::Date::new(&JsValue::from_str(instant));
    if date.get_time().is_nan() {
        return instant.to_string();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang, &options).into()
}

/// The offset of the user's zone, minutes east of UTC (for date-range filters).
pub fn local_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}
