#![cfg(target_arch = "wasm32")]
//! The widget's logic in a real browser (headless Chromium through wasm-bindgen-test):
//! mounting inside a shadow root, typing and submitting there, client-side validation,
//! the catalogue's texts and direction, and unmounting. (Which language a page gets is the
//! loader's choice, tested in tests/e2e/widget.test.mjs.)

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Event, EventInit, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

wasm_bindgen_test_configure!(run_in_browser);

fn shadow_container() -> (HtmlElement, ShadowRoot, HtmlElement) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    root.append_child(&container).unwrap();
    (host, root, container)
}

/// The catalogue file of `lang`, parsed by the browser as the loader does.
fn catalogue(lang: &str) -> wasm_bindgen::JsValue {
    let text = match lang {
        "en" => include_str!("../../www/widget/i18n/en.json"),
        "de" => include_str!("../../www/widget/i18n/de.json"),
        "ar" => include_str!("../../www/widget/i18n/ar.json"),
        "he" => include_str!("../../www/widget/i18n/he.json"),
        "pl" => include_str!("../../www/widget/i18n/pl.json"),
        _ => unreachable!("add the file here"),
    };
    js_sys::JSON::parse(text).unwrap()
}

/// Mounts a widget for merchant `acme` in `lang` inside a fresh shadow root. The API base is
/// a closed port: these tests never need an answer from the edge.
async fn mounted(lang: &str) -> (HtmlElement, ShadowRoot, waymark_widget::Handle) {
    let (host, root, container) = shadow_container();
    let handle = waymark_widget::mount(
        container,
        "acme".into(),
        None,
        None,
        catalogue(lang),
        "http://127.0.0.1:9".into(),
    );
    next_frame().await;
    (host, root, handle)
}

async fn next_frame() {
    // Let Leptos flush its effects (a resolved promise is enough: no timers involved).
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL))
        .await
        .unwrap();
}

fn type_and_submit(root: &ShadowRoot, text: &str) {
    let input: HtmlInputElement = root
        .query_selector("input")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    let form = root.query_selector("form").unwrap().unwrap();
    let submit = EventInit::new();
    submit.set_bubbles(true);
    submit.set_cancelable(true);
    form.dispatch_event(&Event::new_with_event_init_dict("submit", &submit).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_typo_in_an_itn_is_reported_inside_the_shadow_root_without_navigating() {
    let (_host, root, _handle) = mounted("en").await;
    let href_before = web_sys::window().unwrap().location().href().unwrap();
    type_and_submit(&root, "WM-0000-0000-0000-01");
    next_frame().await;
    let alert = root
        .query_selector("[role=alert]")
        .unwrap()
        .expect("an error is announced");
    assert!(
        alert.text_content().unwrap().contains("typo"),
        "{:?}",
        alert.text_content()
    );
    let input = root.query_selector("input").unwrap().unwrap();
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        web_sys::window().unwrap().location().href().unwrap(),
        href_before,
        "the form did not navigate"
    );
}

#[wasm_bindgen_test]
async fn the_catalogue_gives_the_texts_and_direction() {
    for (lang, heading, dir) in [
        ("de", "Bestellung verfolgen", "ltr"),
        ("ar", "تتبّع طلبك", "rtl"),
        ("he", "מעקב אחר ההזמנה שלך", "rtl"),
        ("en", "Track your order", "ltr"),
    ] {
        let (_host, root, _handle) = mounted(lang).await;
        let section = root.query_selector("section").unwrap().unwrap();
        assert_eq!(section.get_attribute("dir").as_deref(), Some(dir), "{lang}");
        assert_eq!(
            section.get_attribute("lang").as_deref(),
            Some(lang),
            "{lang}"
        );
        assert_eq!(
            root.query_selector("h2")
                .unwrap()
                .unwrap()
                .text_content()
                .as_deref(),
            Some(heading),
            "{lang}"
        );
    }
}

#[wasm_bindgen_test]
fn counts_take_the_plural_form_the_browser_picks() {
    let table: &[(&str, &[(usize, &str)])] = &[
        (
            "en",
            &[(1, "Show 1 earlier update"), (9, "Show 9 earlier updates")],
        ),
        (
            "ar",
            &[
                (0, "عرض 0 تحديث سابق"),
                (1, "عرض تحديث سابق واحد"),
                (2, "عرض التحديثين السابقين"),
                (3, "عرض 3 تحديثات سابقة"),
                (10, "عرض 10 تحديثات سابقة"),
                (11, "عرض 11 تحديثًا سابقًا"),
                (100, "عرض 100 تحديث سابق"),
            ],
        ),
        (
            "pl",
            &[
                (1, "Pokaż 1 wcześniejszą aktualizację"),
                (2, "Pokaż 2 wcześniejsze aktualizacje"),
                (5, "Pokaż 5 wcześniejszych aktualizacji"),
                (12, "Pokaż 12 wcześniejszych aktualizacji"),
                (22, "Pokaż 22 wcześniejsze aktualizacje"),
            ],
        ),
        (
            "he",
            &[
                (1, "הצגת עדכון קודם אחד"),
                (2, "הצגת שני עדכונים קודמים"),
                (7, "הצגת 7 עדכונים קודמים"),
            ],
        ),
    ];
    for (lang, cases) in table {
        let catalog = waymark_widget::Catalog::read(&catalogue(lang));
        for (n, expected) in *cases {
            assert_eq!(
                catalog.show_earlier.with_count(*n, lang),
                *expected,
                "{lang} {n}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn a_catalogue_is_read_once_and_merchant_texts_make_another() {
    let file = catalogue("en");
    let first = waymark_widget::Catalog::read(&file);
    assert!(std::ptr::eq(first, waymark_widget::Catalog::read(&file)));
    // The loader merges a merchant's own texts into a new object of the same language.
    let own = js_sys::Object::assign(&js_sys::Object::new(), file.unchecked_ref());
    js_sys::Reflect::set(&own, &"heading".into(), &"Where is my parcel?".into()).unwrap();
    let theirs = waymark_widget::Catalog::read(&own);
    assert_eq!(theirs.heading, "Where is my parcel?");
    assert_eq!(first.heading, "Track your order");
    // One text for every count.
    js_sys::Reflect::set(&own, &"show_earlier".into(), &"More ({n})".into()).unwrap();
    let copy = js_sys::Object::assign(&js_sys::Object::new(), &own);
    let one_text = waymark_widget::Catalog::read(&copy);
    assert_eq!(one_text.show_earlier.with_count(2, "en"), "More (2)");
}

#[wasm_bindgen_test]
async fn freeing_the_handle_unmounts_the_widget() {
    let (_host, root, handle) = mounted("en").await;
    assert!(root.query_selector("form").unwrap().is_some());
    drop(handle);
    next_frame().await;
    assert!(root.query_selector("form").unwrap().is_none());
}

/// Resolves after `ms` milliseconds (a poll interval, not a synchronisation sleep).
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn each_answer_replaces_the_previous_one_entirely() {
    let (_host, root, _handle) = mounted("en").await;
    let count = |selector: &str| root.query_selector_all(selector).unwrap().length();
    type_and_submit(&root, "WM-0000-0000-0000-01");
    next_frame().await;
    assert_eq!(count("[role=alert]"), 1, "the typo");
    // A valid number against a closed port: loading, then a network failure with a retry.
    type_and_submit(&root, "1Z999AA10123456784");
    next_frame().await;
    assert_eq!(count("[role=alert]"), 0, "the typo's message is gone");
    assert_eq!(count(".wm-skeleton"), 1, "loading");
    for _ in 0..100 {
        if count(".wm-secondary") > 0 {
            break;
        }
        pause(20).await;
    }
    assert_eq!(count(".wm-skeleton"), 0, "loading is gone");
    assert_eq!(count("[role=alert]"), 1, "one failure message");
    assert_eq!(count(".wm-secondary"), 1, "with its retry");
    type_and_submit(&root, "WM-0000-0000-0000-01");
    next_frame().await;
    assert_eq!(count("[role=alert]"), 1);
    assert_eq!(count(".wm-secondary"), 0, "the retry went with its message");
    assert_eq!(count("form"), 1, "the form stays");
}
