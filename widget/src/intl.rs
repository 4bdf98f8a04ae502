//! Times for shoppers, through the browser's own `Intl` (no date library shipped in the wasm).
//! What to show is decided by `shared::presentation` (which instant, which zone, which unit);
//! this module only formats.
//!
//! A carrier time with an offset is shown in the shopper's time zone, with the carrier's local
//! wall-clock time as secondary text; a carrier time without an offset is the carrier's local
//! time and is shown as such (we cannot know its zone).

use js_sys::{Array, Date, Object, Reflect};
use shared::presentation::{self, Moment};
use shared::view::Source;
use wasm_bindgen::JsValue;

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

fn date(millis: i64) -> Date {
    Date::new(&JsValue::from_f64(millis as f64))
}

/// Date and time in `locale`; in UTC for wall-clock values, else in the shopper's zone.
fn format_date(millis: i64, locale: &str, utc: bool) -> String {
    let mut pairs = vec![("dateStyle", "medium"), ("timeStyle", "short")];
    if utc {
        pairs.push(("timeZone", "UTC"));
    }
    String::from(date(millis).to_locale_string(locale, &options(&pairs)))
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
pub fn show(text: &str, source: Source, locale: &str) -> Option<ShownTime> {
    let clock = presentation::clock(text, source)?;
    let primary = match clock.primary {
        Moment::Instant(millis) => format_date(millis, locale, false),
        Moment::WallClock(millis) => format_date(millis, locale, true),
    };
    let carrier_local = clock.carrier_local.map(|(millis, zone)| {
        let mut shown = format_date(millis, locale, true);
        shown.push_str(" (");
        shown.push_str(&zone);
        shown.push(')');
        shown
    });
    Some(ShownTime {
        primary,
        carrier_local,
        datetime: clock.datetime,
    })
}

/// "5 minutes ago", "in 2 days" in the shopper's language.
pub fn relative(text: &str, locale: &str, now_millis: f64) -> Option<String> {
    let (value, unit) = presentation::relative(text, now_millis as i64)?;
    let locales = Array::of1(&JsValue::from_str(locale));
    let formatter =
        js_sys::Intl::RelativeTimeFormat::new(&locales, &options(&[("numeric", "auto")]));
    Some(String::from(formatter.format(value as f64, unit.as_str())))
}

/// A date-only or date-time expected delivery, as a date in the shopper's language.
pub fn show_day(text: &str, locale: &str) -> Option<String> {
    let noon = presentation::calendar_day(text)?;
    Some(String::from(date(noon).to_locale_date_string(
        locale,
        &options(&[
            ("weekday", "long"),
            ("month", "long"),
            ("day", "numeric"),
            ("timeZone", "UTC"),
        ]),
    )))
}
