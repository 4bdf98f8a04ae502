//! Times for shoppers, through the browser's own `Intl` (no date library shipped in the wasm).
//! What to show is decided by `shared::presentation` (which instant, which zone, which unit);
//! this module only formats.
//!
//! A carrier time with an offset is shown in the shopper's time zone, with the carrier's local
//! wall-clock time as secondary text; a carrier time without an offset is the carrier's local
//! time and is shown as such (we cannot know its zone).
//!
//! Formatters are made once per (language, style, zone) and kept for the page's life: making
//! an `Intl.DateTimeFormat` is the expensive part (`toLocaleString` with options makes one on
//! every call, which cost about 50 ms of main-thread time on a long timeline).

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use shared::calendar::LeaveEstimate;
use shared::presentation::{self, Estimate, Moment};
use shared::view::Source;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, bound here so that its constructor's `RangeError` (a time zone
    /// or language the browser does not know) is an `Err`, not an exception through the wasm.
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    #[derive(Clone)]
    type DateTimeFormat;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;

    /// Milliseconds since the epoch, formatted (`format` accepts a number).
    #[wasm_bindgen(method, js_class = "DateTimeFormat")]
    fn format(this: &DateTimeFormat, millis: f64) -> String;

    #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = formatRange)]
    fn format_range(this: &DateTimeFormat, from: f64, to: f64) -> String;
}

/// The option sets the widget formats with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// "Nov 21, 2026, 4:58 PM": timeline entries.
    DateTime,
    /// "Thursday, November 26": a delivery day.
    Day,
    /// "Thursday, November 26 at 6:00 PM": a delivery estimate with a time.
    DayTime,
    /// "2:30 PM".
    Time,
    /// "Wed 4:30 AM": a time on another day than the merchant's.
    WeekdayTime,
    /// "Monday".
    Weekday,
}

impl Style {
    fn options(self) -> &'static [(&'static str, &'static str)] {
        const TIME: [(&str, &str); 2] = [("hour", "numeric"), ("minute", "2-digit")];
        match self {
            Style::DateTime => &[("dateStyle", "medium"), ("timeStyle", "short")],
            Style::Day => &[("weekday", "long"), ("month", "long"), ("day", "numeric")],
            Style::DayTime => &[
                ("weekday", "long"),
                ("month", "long"),
                ("day", "numeric"),
                TIME[0],
                TIME[1],
            ],
            Style::Time => &TIME,
            Style::WeekdayTime => &[("weekday", "short"), TIME[0], TIME[1]],
            Style::Weekday => &[("weekday", "long")],
        }
    }
}

type Cached = (String, Style, Option<String>, Option<DateTimeFormat>);

thread_local! {
    static FORMATTERS: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
}

/// The formatter for `locale`, `style` and `zone` (`None`: the shopper's own zone), made on
/// first use. `None` when the browser refuses the combination (remembered too).
fn formatter(locale: &str, style: Style, zone: Option<&str>) -> Option<DateTimeFormat> {
    FORMATTERS.with_borrow_mut(|cache| {
        if let Some((.., found)) = cache
            .iter()
            .find(|(l, s, z, _)| l == locale && *s == style && z.as_deref() == zone)
        {
            return found.clone();
        }
        let object = Object::new();
        let set = |key: &str, value: &str| {
            let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
        };
        for (key, value) in style.options() {
            set(key, value);
        }
        if let Some(zone) = zone {
            set("timeZone", zone);
        }
        let made = DateTimeFormat::new(locale, &object).ok();
        cache.push((
            locale.to_string(),
            style,
            zone.map(str::to_string),
            made.clone(),
        ));
        made
    })
}

fn format(millis: i64, locale: &str, style: Style, zone: Option<&str>) -> Option<String> {
    formatter(locale, style, zone).map(|f| f.format(millis as f64))
}

/// Date and time in `locale`; in UTC for wall-clock values, else in the shopper's zone.
fn format_date(millis: i64, locale: &str, utc: bool) -> String {
    let zone = utc.then_some("UTC");
    format(millis, locale, Style::DateTime, zone).unwrap_or_default()
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
    let options = Object::new();
    let _ = Reflect::set(&options, &"numeric".into(), &"auto".into());
    let formatter = js_sys::Intl::RelativeTimeFormat::new(&locales, &options);
    Some(String::from(formatter.format(value as f64, unit.as_str())))
}

/// A date-only or date-time expected delivery, as a date in the shopper's language.
pub fn show_day(text: &str, locale: &str) -> Option<String> {
    format(
        presentation::calendar_day(text)?,
        locale,
        Style::Day,
        Some("UTC"),
    )
}

/// An estimated delivery: its day, with its time when the estimate has one.
pub fn show_estimate(text: &str, locale: &str) -> Option<String> {
    match presentation::estimate(text)? {
        Estimate::Day(noon) => format(noon, locale, Style::Day, Some("UTC")),
        Estimate::Instant(millis) => format(millis, locale, Style::DayTime, None),
        Estimate::WallClock(millis) => format(millis, locale, Style::DayTime, Some("UTC")),
    }
}

/// A pickup window, formatted.
pub struct Window {
    /// The window's start and end in the merchant's zone ("2:30 PM", "5:00 PM").
    pub from: String,
    pub to: String,
    /// The weekday of the window in the merchant's zone ("Monday"), with its date when it is
    /// a week or more away ("Monday, January 4").
    pub weekday: String,
    /// The window in the shopper's own zone ("8:30 – 11:00 PM", with weekdays when the
    /// shopper's day differs), when the shopper's clock reads differently from the merchant's.
    pub yours: Option<String>,
}

pub fn window(estimate: &LeaveEstimate, zone: &str, locale: &str, now: f64) -> Option<Window> {
    let (from, to) = (estimate.from.millis(), estimate.to.millis());
    let theirs = |millis, style| format(millis, locale, style, Some(zone));
    let mine = |millis, style| format(millis, locale, style, None);
    let day = theirs(from, Style::Weekday)?;
    let start = theirs(from, Style::Time)?;
    let same_day = mine(from, Style::Weekday).as_ref() == Some(&day);
    let weekday = if presentation::names_the_date(from, now as i64) {
        theirs(from, Style::Day)?
    } else {
        day
    };
    let same_clock = same_day && mine(from, Style::Time).as_ref() == Some(&start);
    let yours = (!same_clock)
        .then(|| {
            let style = if same_day {
                Style::Time
            } else {
                Style::WeekdayTime
            };
            formatter(locale, style, None).map(|f| f.format_range(from as f64, to as f64))
        })
        .flatten();
    Some(Window {
        from: start,
        to: theirs(to, Style::Time)?,
        weekday,
        yours,
    })
}
