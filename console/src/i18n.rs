//! The console's strings: one JSON catalogue per language in `www/console/i18n/<lang>.json`
//! (the widget's original five; Arabic right to left), fetched on demand: only the chosen
//! language is downloaded. The tests below check that every catalogue has exactly the keys
//! the console reads.

use std::collections::HashMap;

use leptos::prelude::*;

/// The languages the console speaks, the first being the fallback.
pub const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "ar"];

const STORAGE_KEY: &str = "waymark.console.lang";

/// The chosen catalogue. `Copy`, so every component can take it.
#[derive(Clone, Copy)]
pub struct I18n {
    texts: StoredValue<HashMap<String, String>>,
    pub lang: &'static str,
}

impl I18n {
    pub fn new(lang: &'static str, texts: HashMap<String, String>) -> I18n {
        I18n {
            texts: StoredValue::new(texts),
            lang,
        }
    }

    /// The text of `key`; the key itself if the catalogue lacks it (the tests prevent that).
    pub fn t(&self, key: &str) -> String {
        self.texts
            .with_value(|texts| texts.get(key).cloned())
            .unwrap_or_else(|| key.to_string())
    }

    /// `key`'s text with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        shared::presentation::fill(&self.t(key), values, false)
    }

    pub fn rtl(&self) -> bool {
        self.lang == "ar"
    }
}

/// The language to show: `?lang=`, then the one chosen before, then the browser's; English
/// when none is ours.
pub fn choose() -> &'static str {
    let window = web_sys::window();
    let from_query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get("lang"));
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let browser = window.as_ref().and_then(|w| w.navigator().language());
    [from_query, stored, browser]
        .into_iter()
        .flatten()
        .find_map(|tag| known(&tag))
        .unwrap_or(LANGUAGES[0])
}

/// Our language for a BCP 47 tag (`fr-CA` → `fr`).
pub fn known(tag: &str) -> Option<&'static str> {
    let base = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    LANGUAGES.into_iter().find(|l| *l == base)
}

pub fn remember(lang: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, lang);
    }
}

/// Fetches one catalogue (English if that one fails).
pub async fn load(lang: &'static str) -> Option<I18n> {
    for lang in [lang, LANGUAGES[0]] {
        let url = ["/console/i18n/", lang, ".json"].concat();
        if let Ok(value) = crate::api::get(&url).await {
            if let Ok(texts) = serde_json::from_value::<HashMap<String, String>>(value) {
                return Some(I18n::new(lang, texts));
            }
        }
    }
    None
}

/// Sets the page's `lang` and `dir` to the catalogue's.
pub fn apply_to_document(i18n: &I18n) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", i18n.lang);
        let _ = root.set_attribute("dir", if i18n.rtl() { "rtl" } else { "ltr" });
    }
    document().set_title(&i18n.t("page_title"));
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::LANGUAGES;

    fn catalogue(lang: &str) -> BTreeSet<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../www/console/i18n")
            .join(format!("{lang}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        for (key, value) in &map {
            assert!(!value.trim().is_empty(), "{lang}: {key} is empty");
        }
        map.into_keys().collect()
    }

    /// Every literal key given to `t` and `fill` in the sources (this file aside).
    fn used_keys() -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.ends_with("i18n.rs") {
                continue;
            }
            let text = std::fs::read_to_string(path).expect("read");
            for marker in [".t(\"", ".fill(\""] {
                for piece in text.split(marker).skip(1) {
                    if let Some(end) = piece.find('"') {
                        keys.insert(piece[..end].to_string());
                    }
                }
            }
        }
        keys
    }

    #[test]
    fn every_catalogue_has_the_same_keys_as_english() {
        let english = catalogue("en");
        for lang in LANGUAGES {
            assert_eq!(catalogue(lang), english, "{lang} differs from en");
        }
    }

    #[test]
    fn every_key_used_is_in_english() {
        let english = catalogue("en");
        let missing: Vec<_> = used_keys().difference(&english).cloned().collect();
        assert!(missing.is_empty(), "missing in en.json: {missing:?}");
        // Keys built at run time (stage_*, alert_*, col_*, policy_*) must exist too.
        for prefix in ["stage_", "alert_", "col_", "policy_", "role_"] {
            assert!(english.iter().any(|k| k.starts_with(prefix)), "{prefix}");
        }
        for stage in shared::stage::Stage::ALL {
            let key = format!("stage_{}", shared::presentation::stage_name(stage));
            assert!(english.contains(&key), "{key}");
        }
        for alert in shared::console::alert_names() {
            assert!(english.contains(&format!("alert_{alert}")), "{alert}");
        }
        for column in shared::csv::Column::ALL {
            assert!(english.contains(&format!("col_{}", column.as_str())));
        }
    }

    fn texts(lang: &str) -> std::collections::BTreeMap<String, String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../www/console/i18n")
            .join(format!("{lang}.json"));
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
    }

    /// The `{name}` slots of a text.
    fn slots(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|piece| piece.split_once('}').map(|(name, _)| name.to_string()))
            .collect()
    }

    #[test]
    fn translations_keep_every_slot_and_shared_sentences_exist() {
        let english = texts("en");
        for lang in LANGUAGES {
            for (key, text) in texts(lang) {
                let want = slots(english.get(&key).map_or("", String::as_str));
                assert_eq!(slots(&text), want, "{lang}: {key}");
            }
        }
        // Keys `shared` chooses at run time.
        for key in shared::console::SENTENCE_KEYS {
            assert!(english.contains_key(*key), "{key}");
        }
        for status in ["queued", "unsent", "retrying", "delivered", "dead"] {
            assert!(
                english.contains_key(&format!("delivery_status_{status}")),
                "{status}"
            );
        }
        assert!(english.contains_key(shared::console::field_key(
            shared::channels::RequiredField::Imei
        )));
        for name in shared::console::confirmation_names() {
            assert!(
                english.contains_key(&format!("confirmation_{name}")),
                "{name}"
            );
        }
    }

    #[test]
    fn languages_are_known() {
        assert_eq!(super::known("fr-CA"), Some("fr"));
        assert_eq!(super::known("AR"), Some("ar"));
        assert_eq!(super::known("ja"), None);
    }
}
