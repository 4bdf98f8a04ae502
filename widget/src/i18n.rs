//! Every string the widget shows comes from a catalogue, one JSON file per language in
//! `www/widget/i18n/<lang>.json`. The loader (`embed.js`) picks the shopper's language and
//! fetches only that file, in parallel with the wasm, and the browser parses it: no
//! language a shopper does not read is downloaded, and no JSON parser ships in the wasm.
//! A merchant's own texts (`translations`, `translations-url`) are merged over the file by the
//! loader (`www/widget/overrides.js`) before the widget reads it.
//! The tests below check that every catalogue has every key this struct reads.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use send_wrapper::SendWrapper;
use shared::presentation;
use wasm_bindgen::JsValue;

/// Reads one key as text; a missing key reads as empty (the tests keep that from happening).
fn text(object: &JsValue, key: &str) -> &'static str {
    let value = Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    // Catalogues live as long as the page: each is read once (see `read`), and a page has one
    // per language it shows (more only when merchants' own texts differ between elements).
    Box::leak(value.into_boxed_str())
}

fn list<const N: usize>(object: &JsValue, key: &str) -> [&'static str; N] {
    let mut texts = [""; N];
    read_list(object, key, &mut texts);
    texts
}

/// `list`'s work, once for every length.
fn read_list(object: &JsValue, key: &str, texts: &mut [&'static str]) {
    let array = Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let array = if Array::is_array(&array) {
        Array::from(&array)
    } else {
        Array::new()
    };
    for (i, text) in texts.iter_mut().enumerate() {
        let value = array.get(i as u32).as_string().unwrap_or_default();
        *text = Box::leak(value.into_boxed_str());
    }
}

/// A text that depends on a count: in the file, an object of forms by CLDR plural category
/// (only the categories the language uses, `other` always), or one text for every count.
/// The forms stay a JavaScript object, read when shown: the browser picks the category.
pub struct Plural(SendWrapper<JsValue>);

/// The CLDR plural categories, as `Intl.PluralRules` names them.
#[cfg(test)]
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn plural(object: &JsValue, key: &str) -> Plural {
    let forms = Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    // The widget lives on the page's one thread; the wrapper only makes that checked.
    Plural(SendWrapper::new(forms))
}

/// One form of a plural text, if it is there.
fn form(forms: &JsValue, category: &JsValue) -> Option<String> {
    Reflect::get(forms, category)
        .ok()
        .and_then(|v| v.as_string())
}

impl Plural {
    /// The form for `n` in `locale`, chosen by the browser's `Intl.PluralRules` (`other` when
    /// the catalogue lacks that form), with `{n}` replaced by `n`'s digits.
    pub fn with_count(&self, n: usize, locale: &str) -> String {
        let locales = Array::of1(&JsValue::from_str(locale));
        let rules = js_sys::Intl::PluralRules::new(&locales, &Object::new());
        let forms: &JsValue = &self.0;
        let chosen = form(forms, &rules.select(n as f64))
            .or_else(|| form(forms, &JsValue::from_str("other")))
            .or_else(|| forms.as_string())
            .unwrap_or_default();
        presentation::with_count(&chosen, n)
    }
}

macro_rules! catalog {
    ($($(#[$doc:meta])* $key:ident,)*
     ; $($(#[$pdoc:meta])* $plural:ident,)*
     ; $($(#[$ldoc:meta])* $list:ident: $n:literal,)*) => {
        pub struct Catalog {
            /// BCP 47 language of the texts (`lang` in the file).
            pub lang_tag: &'static str,
            /// Right-to-left script (`"dir": "rtl"` in the file).
            pub rtl: bool,
            $($(#[$doc])* pub $key: &'static str,)*
            $($(#[$pdoc])* pub $plural: Plural,)*
            $($(#[$ldoc])* pub $list: [&'static str; $n],)*
        }

        /// Every text key, as spelled in the catalogue files (for the completeness test).
        #[cfg(test)]
        pub const TEXT_KEYS: &[&str] = &[$(stringify!($key)),*];
        /// Every key whose text depends on a count (an object of plural forms in the files).
        #[cfg(test)]
        pub const PLURAL_KEYS: &[&str] = &[$(stringify!($plural)),*];
        /// Every list key and its length.
        #[cfg(test)]
        pub const LIST_KEYS: &[(&str, usize)] = &[$((stringify!($list), $n)),*];

        impl Catalog {
            fn from_object(object: &JsValue) -> Catalog {
                Catalog {
                    lang_tag: text(object, "lang"),
                    rtl: text(object, "dir") == "rtl",
                    $($key: text(object, stringify!($key)),)*
                    $($plural: plural(object, stringify!($plural)),)*
                    $($list: list(object, stringify!($list)),)*
                }
            }
        }
    };
}

catalog! {
    heading,
    input_label,
    input_hint,
    submit,
    loading,
    not_found,
    not_found_hint,
    invalid_number,
    network_error,
    retry,
    rate_limited,
    expected_delivery,
    awaiting_first_scan,
    /// Headline before any carrier number exists.
    preparing,
    timeline,
    latest,
    not_yet,
    show_fewer,
    go_to_aftership,
    new_tab,
    copy,
    copied,
    internal_number,
    carrier_number,
    carrier_local_time,
    last_updated,
    stale,
    progress,
    /// The edge refused this page's origin: nothing the shopper can retry.
    unavailable,
    /// The timing line before the first scan: `{from}`, `{to}` (the window in the merchant's
    /// zone), `{zone}` (its abbreviation); `leaves_on` also `{day}` (a weekday).
    leaves_today,
    leaves_tomorrow,
    leaves_on,
    /// Beside it, the window in the shopper's own zone: `{range}`.
    your_time,
    /// Late, the carrier has the parcel / has not collected it yet.
    stalled_moving,
    stalled_waiting,
    /// Several numbers of one shipment: the row's label, and what follows each number
    /// (`{carrier}` is the carrier's name).
    tracking_numbers,
    by_carrier,
    last_mile,
    last_mile_only,
    /// The order form: `{order}` is the order's reference.
    order_ref,
    verify_with,
    postal_code,
    email,
    order_hint,
    /// One answer for an unknown order and a wrong postal code or e-mail.
    order_not_found,
    order_not_found_hint,
    invalid_postal_code,
    invalid_email,
    /// The tab list's label, and each tab's (`{n}` counts from 1).
    shipments,
    shipment_n,
    ;
    /// The fold's button; `{n}` is the number of folded scans.
    show_earlier,
    ;
    /// Progress bar steps, in `Stage::ALL` order.
    stages: 5,
    /// Status labels by AfterShip tag, in `Tag::ALL` order.
    tags: 9,
    /// Alert texts, in `shared::presentation::ALERTS` order.
    alerts: 5,
    /// Whose delivery estimate it is, in `shared::presentation::ESTIMATE_SOURCES` order.
    estimate_sources: 3,
}

thread_local! {
    static READ: RefCell<Vec<(JsValue, &'static Catalog)>> = const { RefCell::new(Vec::new()) };
}

impl Catalog {
    /// The catalogue in `object` (a parsed catalogue file, with any merchant overrides merged
    /// in by the loader), read once per object: the loader hands every element of one language
    /// and one set of overrides the same object.
    pub fn read(object: &JsValue) -> &'static Catalog {
        READ.with_borrow_mut(|read| {
            if let Some((_, found)) = read.iter().find(|(seen, _)| seen == object) {
                return *found;
            }
            let catalog: &'static Catalog = Box::leak(Box::new(Catalog::from_object(object)));
            read.push((object.clone(), catalog));
            catalog
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};
    use std::collections::BTreeSet;

    /// Every catalogue file in `www/widget/i18n/`, as (language, parsed file), English first.
    fn files() -> Vec<(String, Map<String, Value>)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/widget/i18n");
        let mut files: Vec<(String, Map<String, Value>)> = std::fs::read_dir(dir)
            .expect("the catalogue directory")
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| {
                let lang = path.file_stem().unwrap().to_str().unwrap().to_string();
                let text = std::fs::read_to_string(&path).unwrap();
                match serde_json::from_str(&text) {
                    Ok(Value::Object(map)) => (lang, map),
                    _ => panic!("{lang}: a catalogue is a JSON object"),
                }
            })
            .collect();
        files.sort_by_key(|(lang, _)| (lang != "en", lang.clone()));
        files
    }

    /// The `{name}` placeholders in a text.
    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    /// Every text of a catalogue, in key order (plural forms in category order).
    fn texts(map: &Map<String, Value>) -> Vec<String> {
        let mut all: Vec<String> = TEXT_KEYS
            .iter()
            .map(|k| map[*k].as_str().unwrap().to_string())
            .collect();
        for key in PLURAL_KEYS {
            let forms = map[*key].as_object().unwrap();
            all.extend(
                CATEGORIES
                    .iter()
                    .filter_map(|c| forms.get(*c))
                    .map(|v| v.as_str().unwrap().to_string()),
            );
        }
        for (key, _) in LIST_KEYS {
            all.extend(
                map[*key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string()),
            );
        }
        all
    }

    #[test]
    fn there_are_at_least_twelve_languages_two_of_them_right_to_left() {
        let files = files();
        assert!(files.len() >= 12, "{} catalogues", files.len());
        let rtl: Vec<&str> = files
            .iter()
            .filter(|(lang, _)| shared::page::is_rtl(lang))
            .map(|(lang, _)| lang.as_str())
            .collect();
        assert_eq!(rtl, ["ar", "he"]);
    }

    #[test]
    fn every_catalogue_has_every_key_filled_and_translated() {
        let files = files();
        let (_, english_map) = &files[0];
        let english = texts(english_map);
        for (lang, map) in &files {
            let lang = lang.as_str();
            assert_eq!(map["lang"], lang, "{lang}: lang");
            assert_eq!(
                map["dir"],
                if shared::page::is_rtl(lang) {
                    "rtl"
                } else {
                    "ltr"
                },
                "{lang}: dir"
            );
            let mut expected: Vec<&str> = vec!["lang", "dir"];
            expected.extend(TEXT_KEYS);
            expected.extend(PLURAL_KEYS);
            expected.extend(LIST_KEYS.iter().map(|(k, _)| *k));
            let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
            keys.sort_unstable();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{lang}: exactly the keys the widget reads");
            for key in TEXT_KEYS {
                let text = map[*key].as_str();
                assert!(text.is_some(), "{lang}: {key} is text");
                assert_eq!(
                    placeholders(text.unwrap()),
                    placeholders(english_map[*key].as_str().unwrap()),
                    "{lang}: {key} keeps English's placeholders"
                );
            }
            for key in PLURAL_KEYS {
                let forms = map[*key].as_object();
                assert!(
                    forms.is_some(),
                    "{lang}: {key} is an object of plural forms"
                );
                let forms = forms.unwrap();
                let english_other = english_map[*key]["other"].as_str().unwrap();
                for (category, form) in forms {
                    assert!(
                        CATEGORIES.contains(&category.as_str()),
                        "{lang}: {key}.{category} is not a CLDR plural category"
                    );
                    let form = form.as_str();
                    assert!(form.is_some(), "{lang}: {key}.{category} is text");
                    // A language may spell a small count out ("two updates"), but never
                    // brings a placeholder of its own.
                    assert!(
                        placeholders(form.unwrap()).is_subset(&placeholders(english_other)),
                        "{lang}: {key}.{category} has a placeholder English lacks"
                    );
                }
                let other = forms.get("other").and_then(Value::as_str);
                assert!(
                    other.is_some(),
                    "{lang}: {key}.other (every language has it)"
                );
                assert_eq!(
                    placeholders(other.unwrap()),
                    placeholders(english_other),
                    "{lang}: {key}.other keeps English's placeholders"
                );
            }
            for (key, n) in LIST_KEYS {
                let list = map[*key].as_array().unwrap();
                assert_eq!(list.len(), *n, "{lang}: {key} has {n} entries");
                assert!(list.iter().all(Value::is_string), "{lang}: {key} is text");
            }
            let these = texts(map);
            for (index, text) in these.iter().enumerate() {
                assert!(!text.trim().is_empty(), "{lang}: text #{index} is empty");
            }
            if lang != "en" {
                let same = these.iter().filter(|t| english.contains(t)).count();
                assert!(
                    same <= 1,
                    "{lang} repeats {same} English strings: untranslated?"
                );
            }
        }
    }

    #[test]
    fn the_loader_and_the_page_offer_exactly_these_languages() {
        let langs: Vec<String> = files().into_iter().map(|(lang, _)| lang).collect();
        let loader = include_str!("../../www/widget/embed.js");
        let offered = loader
            .lines()
            .find_map(|l| l.trim().strip_prefix("const LANGUAGES = "))
            .expect("embed.js lists its languages");
        let expected = ["[\"", &langs.join("\", \""), "\"];"].concat();
        assert_eq!(offered, expected, "embed.js: English first, then A to Z");
        assert_eq!(
            shared::page::LANGUAGES,
            langs.iter().map(String::as_str).collect::<Vec<_>>(),
            "shared::page::LANGUAGES (the /t/ page's negotiation)"
        );
    }
}
