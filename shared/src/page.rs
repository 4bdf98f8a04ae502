//! The shareable tracking page's decisions: filling its template and choosing its language.

/// Escapes text for an HTML element or a double- or single-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Fills `{{name}}` placeholders in one pass over the template: a value is never scanned
/// again, so a merchant named `Shop {{number}}` stays exactly that. Every value is
/// HTML-escaped; a placeholder without a value becomes empty.
pub fn render_template(template: &str, value_of: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if is_placeholder_name(&after[..end]) => {
                out.push_str(&escape_html(&value_of(&after[..end]).unwrap_or_default()));
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_placeholder_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// The languages the widget has catalogues for (`www/widget/i18n/<lang>.json`; the widget's
/// tests check that this list, the loader's and the files agree); the first is the default.
pub const LANGUAGES: &[&str] = &[
    "en", "ar", "de", "es", "fr", "he", "it", "ja", "nl", "pl", "pt", "ru", "sv", "tr", "zh",
];

/// Whether a language is written right to left.
pub fn is_rtl(lang: &str) -> bool {
    matches!(lang, "ar" | "he" | "fa" | "ur")
}

/// The best of `supported` (primary language subtags such as `en`, `de`, `ar`; the first is
/// the default) for an `Accept-Language` header, honouring quality values.
pub fn negotiate_language<'a>(accept_language: Option<&str>, supported: &[&'a str]) -> &'a str {
    let default = supported.first().copied().unwrap_or("en");
    let Some(header) = accept_language else {
        return default;
    };
    let mut best: Option<(u16, usize, &'a str)> = None;
    for (position, item) in header.split(',').enumerate().take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), parse_quality);
        let Some(quality) = quality.filter(|q| *q > 0) else {
            continue;
        };
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        let Some(found) = supported
            .iter()
            .find(|s| s.eq_ignore_ascii_case(primary))
            .copied()
        else {
            continue;
        };
        // Higher quality wins; among equals, the one the browser listed first.
        if best.is_none_or(|(q, p, _)| quality > q || (quality == q && position < p)) {
            best = Some((quality, position, found));
        }
    }
    best.map_or(default, |(_, _, found)| found)
}

/// `0.8` → 800; `1` → 1000; anything else is not a quality.
fn parse_quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_escaped() {
        let values = |name: &str| match name {
            "merchant_name" => Some("Shop {{number}} <b>\"&'".to_string()),
            "number" => Some("1Z999".to_string()),
            _ => None,
        };
        let table = [
            (
                "<h1>{{merchant_name}}</h1>",
                "<h1>Shop {{number}} &lt;b&gt;&quot;&amp;&#39;</h1>",
            ),
            ("{{number}}{{number}}", "1Z9991Z999"),
            ("{{unknown}}!", "!"),
            ("{{ not a name }}", "{{ not a name }}"),
            ("{{number", "{{number"),
            ("a {{ b {{number}}", "a {{ b 1Z999"),
            ("", ""),
        ];
        for (template, expected) in table {
            assert_eq!(render_template(template, values), expected, "{template}");
        }
    }

    #[test]
    fn the_page_language_is_the_best_supported_match() {
        let table = [
            (None, "en"),
            (Some(""), "en"),
            (Some("de-DE,de;q=0.9,en;q=0.8"), "de"),
            (Some("de-CH"), "de"),
            (Some("ko,fr;q=0.5,en;q=0.4"), "fr"),
            (Some("ja,fr;q=0.5,en;q=0.4"), "ja"),
            (Some("en;q=0.3, ar-EG"), "ar"),
            (Some("he-IL,en;q=0.5"), "he"),
            (Some("zh-Hans-CN"), "zh"),
            (Some("pt-BR,pt;q=0.9"), "pt"),
            (Some("ko,fi"), "en"),
            (Some("fr;q=0, es;q=0.2"), "es"),
            (Some("*"), "en"),
            (Some("es;q=0.5,fr;q=0.5"), "es"),
            (Some("de;q=2,fr;q=abc"), "en"),
            (Some("DE"), "de"),
        ];
        for (header, expected) in table {
            assert_eq!(
                negotiate_language(header, LANGUAGES),
                expected,
                "{header:?}"
            );
        }
    }

    #[test]
    fn arabic_and_hebrew_are_right_to_left() {
        let rtl: Vec<&str> = LANGUAGES.iter().copied().filter(|l| is_rtl(l)).collect();
        assert_eq!(rtl, ["ar", "he"]);
    }
}
