//! Times for shoppers, through the browser's own `Intl` (no date library shipped in the wasm).
//!
//! A carrier time with an offset is shown in the shopper's time zone, with the carrier's local
//! wall-clock time as secondary text; a carrier time without an offset is the carrier's local
//! time and is shown as such (we cannot know its zone).

use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::JsValue;

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// Splits `2026-11-21T16:58:00+08:00` into the wall-clock part and the offset part.
pub fn split_offset(text: &str) -> (&str, Option<&str>) {
    if let Some(stripped) = text.strip_suffix('Z') {
        return (stripped, Some("Z"));
    }
    if let Some(tail) = text.get(19..) {
        if let Some(pos) = tail.find(['+', '-']) {
            return (&text[..19 + pos], Some(&tail[pos..]));
        }
    }
    (text, None)
}

fn format_date(date: &Date, locale: &str, time_zone: Option<&str>) -> String {
    let mut pairs = vec![("dateStyle", "medium"), ("timeStyle", "short")];
    if let Some(zone) = time_zone {
        pairs.push(("timeZone", zone));
    }
    String::from(date.to_locale_string(locale, &options(&pairs)))
}

pub struct ShownTime {
    /// What the shopper reads first.
    pub primary: String,
    /// The carrier's local wall-clock time, when it differs from `primary`'s meaning.
    pub carrier_local: Option<String>,
    /// Machine-readable value for `<time datetime>`.
    pub datetime: String,
}

/// Formats a timeline time for the shopper's locale and zone.
pub fn show(text: &str, locale: &str) -> Option<ShownTime> {
    let (wall, offset) = split_offset(text);
    // The wall-clock part read as UTC and printed in UTC gives the carrier's local clock.
    let wall_date = Date::new(&JsValue::from_str(&format!("{wall}Z")));
    if wall_date.get_time().is_nan() {
        return None;
    }
    let carrier_clock = format_date(&wall_date, locale, Some("UTC"));
    match offset {
        Some(offset) => {
            let instant = Date::new(&JsValue::from_str(text));
            if instant.get_time().is_nan() {
                return None;
            }
            let label = if offset == "Z" {
                "UTC".to_string()
            } else {
                format!("UTC{offset}")
            };
            Some(ShownTime {
                primary: format_date(&instant, locale, None),
                carrier_local: Some(format!("{carrier_clock} ({label})")),
                datetime: text.to_string(),
            })
        }
        None => Some(ShownTime {
            primary: carrier_clock,
            carrier_local: None,
            datetime: wall.to_string(),
        }),
    }
}

/// "5 minutes ago", "in 2 days" in the shopper's language.
pub fn relative(text: &str, locale: &str, now_ms: f64) -> Option<String> {
    let when = Date::new(&JsValue::from_str(text)).get_time();
    if when.is_nan() {
        return None;
    }
    let seconds = (when - now_ms) / 1000.0;
    let (value, unit) = [(86_400.0, "day"), (3_600.0, "hour"), (60.0, "minute")]
        .iter()
        .find(|(size, _)| seconds.abs() >= *size)
        .map(|(size, unit)| ((seconds / size).round(), *unit))
        .unwrap_or((seconds.round(), "second"));
    let locales = Array::of1(&JsValue::from_str(locale));
    let formatter =
        js_sys::Intl::RelativeTimeFormat::new(&locales, &options(&[("numeric", "auto")]));
    Some(String::from(formatter.format(value, unit)))
}

/// A date-only or date-time expected delivery, as a date in the shopper's language.
pub fn show_day(text: &str, locale: &str) -> Option<String> {
    let (wall, _) = split_offset(text);
    let date = Date::new(&JsValue::from_str(&format!(
        "{}T12:00:00Z",
        wall.get(..10).unwrap_or(wall)
    )));
    if date.get_time().is_nan() {
        return None;
    }
    Some(String::from(date.to_locale_date_string(
        locale,
        &options(&[
            ("weekday", "long"),
            ("month", "long"),
            ("day", "numeric"),
            ("timeZone", "UTC"),
        ]),
    )))
}

#[cfg(test)]
mod tests {
    use super::split_offset;

    #[test]
    fn offsets_split_from_wall_clock() {
        let table = [
            (
                "2026-11-21T16:58:00+08:00",
                ("2026-11-21T16:58:00", Some("+08:00")),
            ),
            (
                "2016-02-01T09:06:00-05:00",
                ("2016-02-01T09:06:00", Some("-05:00")),
            ),
            ("2021-03-20T14:29:27Z", ("2021-03-20T14:29:27", Some("Z"))),
            (
                "2021-03-20T14:29:27.123Z",
                ("2021-03-20T14:29:27.123", Some("Z")),
            ),
            ("2018-07-31T14:33:00", ("2018-07-31T14:33:00", None)),
        ];
        for (input, expected) in table {
            assert_eq!(split_offset(input), expected, "{input}");
        }
    }
}
