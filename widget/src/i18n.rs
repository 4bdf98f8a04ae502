//! Every string the widget shows comes from a catalogue, one JSON file per language in
//! `www/widget/i18n/<lang>.json`. The loader (`embed.js`) picks the shopper's language and
//! fetches only that file, in parallel with the wasm, and the browser parses it: no
//! language a shopper does not read is downloaded, and no JSON parser ships in the wasm.
//! The tests below check that every catalogue has every key this struct reads.

use std::cell::RefCell;

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

/// Reads one key as text; a missing key reads as empty (the tests keep that from happening).
fn text(object: &JsValue, key: &str) -> &'static str {
    let value = Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    // Catalogues live as long as the page: at most one per language is ever read (see `read`).
    Box::leak(value.into_boxed_str())
}

fn list<const N: usize>(object: &JsValue, key: &str) -> [&'static str; N] {
    let array = Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let array = if Array::is_array(&array) {
        Array::from(&array)
    } else {
        Array::new()
    };
    std::array::from_fn(|i| {
        let value = array.get(i as u32).as_string().unwrap_or_default();
        &*Box::leak(value.into_boxed_str())
    })
}

macro_rules! catalog {
    ($($(#[$doc:meta])* $key:ident,)* ; $($(#[$ldoc:meta])* $list:ident: $n:literal,)*) => {
        pub struct Catalog {
            /// BCP 47 language of the texts (`lang` in the file).
            pub lang_tag: &'static str,
            /// Right-to-left script (`"dir": "rtl"` in the file).
            pub rtl: bool,
            $($(#[$doc])* pub $key: &'static str,)*
            $($(#[$ldoc])* pub $list: [&'static str; $n],)*
        }

        /// Every text key, as spelled in the catalogue files (for the completeness test).
        #[cfg(test)]
        pub const TEXT_KEYS: &[&str] = &[$(stringify!($key)),*];
        /// Every list key and its length.
        #[cfg(test)]
        pub const LIST_KEYS: &[(&str, usize)] = &[$((stringify!($list), $n)),*];

        impl Catalog {
            fn from_object(object: &JsValue) -> Catalog {
                Catalog {
                    lang_tag: text(object, "lang"),
                    rtl: text(object, "dir") == "rtl",
                    $($key: text(object, stringify!($key)),)*
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
    /// `{n}` is replaced by the number of folded scans.
    show_earlier,
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
    ;
    /// Progress bar steps, in `Stage::ALL` order.
    stages: 5,
    /// Status labels by AfterShip tag, in `Tag::ALL` order.
    tags: 9,
    /// Alert texts, in `shared::presentation::ALERTS` order.
    alerts: 5,
}

thread_local! {
    static READ: RefCell<Vec<&'static Catalog>> = const { RefCell::new(Vec::new()) };
}

impl Catalog {
    /// The catalogue in `object` (a parsed catalogue file), read once per language per page.
    pub fn read(object: &JsValue) -> &'static Catalog {
        let lang = Reflect::get(object, &JsValue::from_str("lang"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        READ.with_borrow_mut(|read| {
            if let Some(found) = read.iter().find(|c| c.lang_tag == lang) {
                return *found;
            }
            let catalog: &'static Catalog = Box::leak(Box::new(Catalog::from_object(object)));
            read.push(catalog);
            catalog
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    const FILES: [(&str, &str); 5] = [
        ("en", include_str!("../../www/widget/i18n/en.json")),
        ("es", include_str!("../../www/widget/i18n/es.json")),
        ("fr", include_str!("../../www/widget/i18n/fr.json")),
        ("de", include_str!("../../www/widget/i18n/de.json")),
        ("ar", include_str!("../../www/widget/i18n/ar.json")),
    ];

    fn load(text: &str) -> Map<String, Value> {
        match serde_json::from_str(text).expect("a catalogue is JSON") {
            Value::Object(map) => map,
            _ => panic!("a catalogue is an object"),
        }
    }

    /// Every text of a catalogue, in key order.
    fn texts(map: &Map<String, Value>) -> Vec<String> {
        let mut all: Vec<String> = TEXT_KEYS
            .iter()
            .map(|k| map[*k].as_str().unwrap().to_string())
            .collect();
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
    fn every_catalogue_has_every_key_filled_and_translated() {
        let english = texts(&load(FILES[0].1));
        for (lang, file) in FILES {
            let map = load(file);
            assert_eq!(map["lang"], lang, "{lang}: lang");
            assert_eq!(
                map["dir"],
                if lang == "ar" { "rtl" } else { "ltr" },
                "{lang}: dir"
            );
            let mut expected: Vec<&str> = vec!["lang", "dir"];
            expected.extend(TEXT_KEYS);
            expected.extend(LIST_KEYS.iter().map(|(k, _)| *k));
            let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
            keys.sort_unstable();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{lang}: exactly the keys the widget reads");
            for key in TEXT_KEYS {
                assert!(map[*key].is_string(), "{lang}: {key} is text");
            }
            for (key, n) in LIST_KEYS {
                let list = map[*key].as_array().unwrap();
                assert_eq!(list.len(), *n, "{lang}: {key} has {n} entries");
                assert!(list.iter().all(Value::is_string), "{lang}: {key} is text");
            }
            let these = texts(&map);
            for (index, text) in these.iter().enumerate() {
                assert!(!text.trim().is_empty(), "{lang}: text #{index} is empty");
            }
            if lang != "en" {
                let same = these.iter().zip(&english).filter(|(a, b)| a == b).count();
                assert!(
                    same <= 1,
                    "{lang} repeats {same} English strings: untranslated?"
                );
            }
            assert!(
                map["show_earlier"].as_str().unwrap().contains("{n}"),
                "{lang}: show_earlier lost its {{n}}"
            );
        }
    }

    #[test]
    fn the_loader_offers_exactly_these_languages() {
        let loader = include_str!("../../www/widget/embed.js");
        let offered = loader
            .lines()
            .find_map(|l| l.trim().strip_prefix("const LANGUAGES = "))
            .expect("embed.js lists its languages");
        let langs: Vec<&str> = FILES.iter().map(|(l, _)| *l).collect();
        let expected = format!("[\"{}\"];", langs.join("\", \""));
        assert_eq!(offered, expected);
    }
}
