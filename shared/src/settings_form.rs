//! The console's settings editors, the parts that are not about the DOM: list edits for
//! business days, holidays and fixed refresh times, the refresh-schedule patch, the webhook
//! event catalogue, a Shopify store's channel name, and the live widget preview's document.
//! Plain functions over strings, tested here; the server still validates every patch as a whole.

use crate::settings::{parse_local_date, Day, LocalTime};

/// The most fixed refresh times a schedule may have (`RefreshSchedule.at`, maxItems).
pub const MAX_REFRESH_TIMES: usize = 12;
/// The most holidays a merchant may have (`SettingsPatch.holidays`, maxItems).
pub const MAX_HOLIDAYS: usize = 200;

/// Every event type an endpoint can filter on (openapi `EventType`): the shipment events, then
/// the sales-channel notices (which an endpoint receives only when it names them).
pub const EVENT_TYPES: [&str; 14] = [
    "tracking.assigned",
    "shipment.picked_up",
    "shipment.in_transit",
    "shipment.out_for_delivery",
    "shipment.delivered",
    "shipment.cod_collected",
    "shipment.attempt_failed",
    "shipment.refused",
    "shipment.exception",
    "shipment.returning",
    "shipment.stalled",
    "channel.confirmation",
    "channel.deadline_missed",
    "channel.conflict",
];

/// Whether an event type is a sales-channel notice (never sent to an endpoint without a filter).
pub fn is_channel_notice(event: &str) -> bool {
    event.starts_with("channel.")
}

/// A catalogue key for an event type: `event_shipment_picked_up`.
pub fn event_key(event: &str) -> String {
    ["event_", &event.replace('.', "_")].concat()
}

/// Chosen event types in the catalogue's order, unknown ones and repeats dropped.
pub fn ordered_events<S: AsRef<str>>(chosen: &[S]) -> Vec<&'static str> {
    EVENT_TYPES
        .into_iter()
        .filter(|e| chosen.iter().any(|c| c.as_ref() == *e))
        .collect()
}

/// Business days as the API writes them, Monday first; unknown names and repeats dropped.
pub fn ordered_days<S: AsRef<str>>(chosen: &[S]) -> Vec<&'static str> {
    Day::ALL
        .into_iter()
        .map(Day::as_str)
        .filter(|d| chosen.iter().any(|c| c.as_ref() == *d))
        .collect()
}

/// Why an item could not be added to a list (the console says it before any request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListError {
    /// Not a date `YYYY-MM-DD` (2000–2099) that exists, or not a time `HH:MM`.
    Invalid,
    /// Already in the list.
    Duplicate,
    /// The list is full.
    Full,
}

impl ListError {
    /// The catalogue key of the sentence for it.
    pub fn key(self) -> &'static str {
        match self {
            ListError::Invalid => "form_invalid",
            ListError::Duplicate => "form_duplicate",
            ListError::Full => "form_full",
        }
    }
}

/// `list` with `date` (a holiday) added, sorted; the list unchanged on error.
pub fn add_holiday(list: &[String], date: &str) -> Result<Vec<String>, ListError> {
    let date = date.trim();
    let parsed = parse_local_date(date).ok_or(ListError::Invalid)?;
    let normal = parsed.format("%Y-%m-%d").to_string();
    if list.iter().any(|d| d == &normal) {
        return Err(ListError::Duplicate);
    }
    if list.len() >= MAX_HOLIDAYS {
        return Err(ListError::Full);
    }
    let mut next = list.to_vec();
    next.push(normal);
    next.sort();
    Ok(next)
}

/// `list` with `time` (a fixed refresh time `HH:MM`) added, sorted; the list unchanged on error.
pub fn add_time(list: &[String], time: &str) -> Result<Vec<String>, ListError> {
    let time: LocalTime = time.trim().parse().map_err(|_| ListError::Invalid)?;
    let normal = time.to_string();
    if list.iter().any(|t| t == &normal) {
        return Err(ListError::Duplicate);
    }
    if list.len() >= MAX_REFRESH_TIMES {
        return Err(ListError::Full);
    }
    let mut next = list.to_vec();
    next.push(normal);
    next.sort();
    Ok(next)
}

/// `list` without `item`.
pub fn without(list: &[String], item: &str) -> Vec<String> {
    list.iter().filter(|x| *x != item).cloned().collect()
}

/// How carrier data is refreshed, as the console edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Every N hours (a grid from local midnight).
    Every(u32),
    /// At fixed local times.
    At(Vec<String>),
}

impl Refresh {
    /// The stored schedule (`refresh_schedule`): `every_hours` or `at`.
    pub fn from_json(value: &serde_json::Value) -> Option<Refresh> {
        if let Some(h) = value.get("every_hours").and_then(serde_json::Value::as_u64) {
            return Some(Refresh::Every(h as u32));
        }
        let at = value.get("at")?.as_array()?;
        Some(Refresh::At(
            at.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
        ))
    }

    /// The patch for it; `None` (and the key of the sentence why) when it cannot be right:
    /// hours outside 1–24, or no fixed time at all.
    pub fn to_json(&self) -> Result<serde_json::Value, &'static str> {
        match self {
            Refresh::Every(h) if (1..=24).contains(h) => Ok(serde_json::json!({"every_hours": h})),
            Refresh::Every(_) => Err("refresh_every_range"),
            Refresh::At(times) if times.is_empty() => Err("refresh_at_empty"),
            Refresh::At(times) => Ok(serde_json::json!({"at": times})),
        }
    }
}

/// Reads the "every N hours" field: a whole number, else 0 (which `to_json` refuses).
pub fn parse_hours(text: &str) -> u32 {
    text.trim().parse().unwrap_or(0)
}

/// A Shopify store's channel from what an owner typed: `acme`, `acme.myshopify.com`,
/// `https://acme.myshopify.com/admin` all give `shopify:acme.myshopify.com`. `None` when it
/// cannot be a store domain.
pub fn shopify_channel(typed: &str) -> Option<String> {
    let mut s = typed.trim().to_ascii_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    let s = s.split(['/', '?', '#']).next().unwrap_or("").to_string();
    let s = s.strip_prefix("shopify:").unwrap_or(&s).to_string();
    let domain = if s.contains('.') {
        s
    } else {
        [s.as_str(), ".myshopify.com"].concat()
    };
    let valid = !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let channel = ["shopify:", &domain].concat();
    (valid && channel.len() <= 120).then_some(channel)
}

/// A settings-history value (`from`/`to`, written by the server, often JSON) in words: lists
/// joined with commas, objects as `key: value` pairs separated by ` · `, `true`/`false` as
/// the reader's `yes`/`no`, `null` as `—`; anything that is not JSON as it is.
pub fn readable_change(text: &str, yes: &str, no: &str) -> String {
    fn words(value: &serde_json::Value, yes: &str, no: &str) -> String {
        use serde_json::Value;
        match value {
            Value::Null => "—".into(),
            Value::Bool(true) => yes.into(),
            Value::Bool(false) => no.into(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            Value::Array(items) if items.is_empty() => "—".into(),
            Value::Array(items) => items
                .iter()
                .map(|item| words(item, yes, no))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    let inner = words(v, yes, no);
                    if v.is_object() {
                        [k.as_str(), ": (", &inner, ")"].concat()
                    } else {
                        [k.as_str(), ": ", &inner].concat()
                    }
                })
                .collect::<Vec<_>>()
                .join(" · "),
        }
    }
    let trimmed = text.trim();
    if !trimmed.starts_with(['{', '[']) {
        return text.to_string();
    }
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(value) => words(&value, yes, no),
        Err(_) => text.to_string(),
    }
}

/// Escapes text for an HTML attribute value in double quotes (and for text content).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The embed snippet with a `number` to look up (the preview of one shipment); the snippet
/// itself when `number` is blank.
pub fn snippet_with_number(snippet: &str, number: &str) -> String {
    let number = number.trim();
    if number.is_empty() {
        return snippet.to_string();
    }
    let attribute = [" number=\"", &escape_html(number), "\"></waymark-tracker>"].concat();
    snippet.replacen("></waymark-tracker>", &attribute, 1)
}

/// The whole document of the live preview frame: the embed snippet, as a merchant pastes it,
/// in an otherwise empty page of the console's language and direction.
pub fn preview_document(snippet: &str, lang: &str, rtl: bool, title: &str) -> String {
    [
        "<!doctype html><html lang=\"",
        &escape_html(lang),
        "\" dir=\"",
        if rtl { "rtl" } else { "ltr" },
        "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
        &escape_html(title),
        "</title><style>body{margin:0;padding:8px;font-family:system-ui,sans-serif;background:#fff}</style>",
        "</head><body>\n",
        snippet,
        "\n</body></html>",
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::embed_snippet;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn days_and_events_keep_the_api_order() {
        assert_eq!(
            ordered_days(&["sun", "mon", "xyz", "mon", "fri"]),
            ["mon", "fri", "sun"]
        );
        assert_eq!(
            ordered_events(&["channel.conflict", "shipment.delivered", "nope"]),
            ["shipment.delivered", "channel.conflict"]
        );
        assert!(is_channel_notice("channel.deadline_missed"));
        assert!(!is_channel_notice("shipment.delivered"));
        assert_eq!(event_key("shipment.picked_up"), "event_shipment_picked_up");
        assert_eq!(
            EVENT_TYPES.iter().filter(|e| is_channel_notice(e)).count(),
            3
        );
    }

    #[test]
    fn holidays_are_real_dates_sorted_once() {
        let list = add_holiday(&[], "2026-12-25").unwrap();
        let list = add_holiday(&list, " 2026-01-01 ").unwrap();
        assert_eq!(list, ["2026-01-01", "2026-12-25"]);
        assert_eq!(add_holiday(&list, "2026-12-25"), Err(ListError::Duplicate));
        assert_eq!(add_holiday(&list, "2026-02-30"), Err(ListError::Invalid));
        assert_eq!(add_holiday(&list, "1999-12-31"), Err(ListError::Invalid));
        assert_eq!(add_holiday(&list, ""), Err(ListError::Invalid));
        let full: Vec<String> = (0..MAX_HOLIDAYS)
            .map(|i| format!("2030-{:02}-{:02}", i / 28 + 1, i % 28 + 1))
            .collect();
        assert_eq!(add_holiday(&full, "2031-01-01"), Err(ListError::Full));
        assert_eq!(without(&list, "2026-01-01"), ["2026-12-25"]);
    }

    #[test]
    fn refresh_times_are_hh_mm_at_most_twelve() {
        let list = add_time(&strings(&["18:00"]), "09:30").unwrap();
        assert_eq!(list, ["09:30", "18:00"]);
        assert_eq!(add_time(&list, "9:30"), Err(ListError::Invalid));
        assert_eq!(add_time(&list, "24:00"), Err(ListError::Invalid));
        assert_eq!(add_time(&list, "18:00"), Err(ListError::Duplicate));
        let full: Vec<String> = (0..12).map(|h| format!("{h:02}:00")).collect();
        assert_eq!(add_time(&full, "23:00"), Err(ListError::Full));
        assert_eq!(ListError::Full.key(), "form_full");
    }

    #[test]
    fn refresh_schedule_round_trips() {
        let every = serde_json::json!({"every_hours": 6});
        assert_eq!(Refresh::from_json(&every), Some(Refresh::Every(6)));
        assert_eq!(Refresh::Every(6).to_json(), Ok(every));
        let at = serde_json::json!({"at": ["10:00", "18:00"]});
        let parsed = Refresh::from_json(&at).unwrap();
        assert_eq!(parsed, Refresh::At(strings(&["10:00", "18:00"])));
        assert_eq!(parsed.to_json(), Ok(at));
        assert_eq!(Refresh::At(vec![]).to_json(), Err("refresh_at_empty"));
        assert_eq!(
            Refresh::Every(parse_hours("25")).to_json(),
            Err("refresh_every_range")
        );
        assert_eq!(
            Refresh::Every(parse_hours("x")).to_json(),
            Err("refresh_every_range")
        );
        assert_eq!(Refresh::from_json(&serde_json::json!({})), None);
    }

    #[test]
    fn history_values_read_as_words() {
        assert_eq!(readable_change("Europe/Paris", "yes", "no"), "Europe/Paris");
        assert_eq!(
            readable_change("[\"mon\",\"tue\"]", "yes", "no"),
            "mon, tue"
        );
        assert_eq!(readable_change("[]", "yes", "no"), "—");
        assert_eq!(
            readable_change(
                "{\"channel\":\"amazon\",\"lock\":true,\"h\":{\"open\":\"09:00\"}}",
                "yes",
                "no"
            ),
            "channel: amazon · h: (open: 09:00) · lock: yes"
        );
        assert_eq!(readable_change("{not json", "yes", "no"), "{not json");
        assert_eq!(readable_change("[true,false]", "oui", "non"), "oui, non");
        assert_eq!(readable_change("[redacted]", "yes", "no"), "[redacted]");
    }

    #[test]
    fn shopify_store_domains() {
        let want = Some("shopify:acme.myshopify.com".to_string());
        assert_eq!(shopify_channel("acme"), want);
        assert_eq!(shopify_channel(" ACME.myshopify.com "), want);
        assert_eq!(shopify_channel("https://acme.myshopify.com/admin"), want);
        assert_eq!(shopify_channel("shopify:acme.myshopify.com"), want);
        assert_eq!(shopify_channel(""), None);
        assert_eq!(shopify_channel("bad store"), None);
        assert_eq!(shopify_channel("a..b"), None);
        assert_eq!(shopify_channel(&"x".repeat(130)), None);
    }

    #[test]
    fn preview_is_the_snippet_with_an_escaped_number() {
        let snippet = embed_snippet("https://edge.example", "acme");
        assert_eq!(snippet_with_number(&snippet, "  "), snippet);
        let with = snippet_with_number(&snippet, "WM-1\"><script>");
        assert!(with.contains(
            "<waymark-tracker merchant=\"acme\" number=\"WM-1&quot;&gt;&lt;script&gt;\"></waymark-tracker>"
        ));
        assert!(!with.contains("<script>"));
        let doc = preview_document(&snippet, "ar", true, "Preview <1>");
        assert!(doc.starts_with("<!doctype html><html lang=\"ar\" dir=\"rtl\">"));
        assert!(doc.contains(&snippet));
        assert!(doc.contains("<title>Preview &lt;1&gt;</title>"));
        // The snippet alone is the body: the preview runs exactly what a storefront runs (the
        // widget's own loader copes with a frame that has no address of its own).
        let body = doc.split("<body>").nth(1).unwrap();
        assert!(body.trim_start().starts_with(&snippet));
        assert_eq!(doc.matches("<script").count(), 1);
    }
}
