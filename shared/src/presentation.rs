//! The decisions the shopper's widget makes about a [`TrackingView`], as plain functions:
//! which headline to show, which entry is the latest, how many carrier scans fold away, how a
//! time is split into the instant and the carrier's own clock, and the wire spellings the
//! widget reads the view with. The widget only maps these decisions to its catalogue strings
//! and to the browser's `Intl` formatting.
//!
//! Deliberately free of `serde_json` and `core::fmt` on the paths the widget calls: every byte
//! here is downloaded by every shopper. The spelling tables are tested against serde's own
//! spellings, so the widget and the edge cannot drift apart.

use crate::aftership::{EstimateSource, SubtagMeaning, Tag};
use crate::calendar::RelativeDay;
use crate::ids::{LookupNumber, ITN_PREFIX};
use crate::promise::When;
use crate::settings::{Day, LocalTime};
use crate::shipment::TrackingRole;
use crate::stage::{Alert, Stage};
use crate::time::{CarrierTime, Timestamp};
use crate::view::{Progress, Source, TimelineEntry, TrackingNumberView, TrackingView};

// ---------------------------------------------------------------------------------------------
// Wire spellings (what `serde` writes for these enums in the TrackingView JSON).

/// The view's links made absolute for a page on another origin: a link relative to the edge
/// (`/t/acme/WM-…`, what the edge answers without `PUBLIC_BASE_URL`) is resolved against the
/// API base the widget talks to; absolute links are kept. Nothing else is accepted as a link.
pub fn resolve_links(links: &mut crate::view::Links, api_base: &str) {
    resolve_link(&mut links.itn, api_base);
    if let Some(href) = links.tracking_number.as_mut() {
        resolve_link(href, api_base);
    }
    if let Some(href) = links.aftership.as_mut() {
        resolve_link(href, api_base);
    }
}

/// One link made absolute as [`resolve_links`] does (cleared when it is not a link).
pub fn resolve_link(href: &mut String, api_base: &str) {
    if href.starts_with('/') && !href.starts_with("//") {
        *href = [api_base.trim_end_matches('/'), href.as_str()].concat();
    } else if !(href.starts_with("https://") || href.starts_with("http://")) {
        href.clear();
    }
}

/// Every link of a view (its own and each tracking number's) made absolute.
pub fn resolve_view_links(view: &mut TrackingView, api_base: &str) {
    resolve_links(&mut view.links, api_base);
    for number in &mut view.tracking_numbers {
        resolve_link(&mut number.link, api_base);
        resolve_link(&mut number.aftership, api_base);
    }
}

/// The JSON spelling of a stage (`"out_for_delivery"`).
pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Ordered => "ordered",
        Stage::Prepared => "prepared",
        Stage::Shipped => "shipped",
        Stage::OutForDelivery => "out_for_delivery",
        Stage::Delivered => "delivered",
    }
}

pub fn stage_from_wire(name: &str) -> Option<Stage> {
    Stage::ALL.into_iter().find(|s| stage_name(*s) == name)
}

/// Every alert, in declaration order (`alert as usize` indexes it).
pub const ALERTS: [Alert; 5] = [
    Alert::AttemptFailed,
    Alert::AvailableForPickup,
    Alert::Exception,
    Alert::ReturnToSender,
    Alert::Expired,
];

pub fn alert_name(alert: Alert) -> &'static str {
    match alert {
        Alert::AttemptFailed => "attempt_failed",
        Alert::AvailableForPickup => "available_for_pickup",
        Alert::Exception => "exception",
        Alert::ReturnToSender => "return_to_sender",
        Alert::Expired => "expired",
    }
}

pub fn alert_from_wire(name: &str) -> Option<Alert> {
    ALERTS.into_iter().find(|a| alert_name(*a) == name)
}

pub const SOURCES: [Source; 2] = [Source::Merchant, Source::Carrier];

pub fn source_name(source: Source) -> &'static str {
    match source {
        Source::Merchant => "merchant",
        Source::Carrier => "carrier",
    }
}

pub fn source_from_wire(name: &str) -> Option<Source> {
    SOURCES.into_iter().find(|s| source_name(*s) == name)
}

/// Every known subtag meaning.
pub const MEANINGS: [SubtagMeaning; 14] = [
    SubtagMeaning::DeliveredPickedUpByCustomer,
    SubtagMeaning::DeliveredSigned,
    SubtagMeaning::CashOnDeliveryCollected,
    SubtagMeaning::DeliveredToNeighbour,
    SubtagMeaning::RecipientMoved,
    SubtagMeaning::Refused,
    SubtagMeaning::CustomsDelay,
    SubtagMeaning::HeldForPayment,
    SubtagMeaning::Lost,
    SubtagMeaning::Damaged,
    SubtagMeaning::ReturningToSender,
    SubtagMeaning::ReturnedToSender,
    SubtagMeaning::Cancelled,
    SubtagMeaning::RecipientNotAvailable,
];

pub fn meaning_name(meaning: SubtagMeaning) -> &'static str {
    match meaning {
        SubtagMeaning::DeliveredPickedUpByCustomer => "delivered_picked_up_by_customer",
        SubtagMeaning::DeliveredSigned => "delivered_signed",
        SubtagMeaning::CashOnDeliveryCollected => "cash_on_delivery_collected",
        SubtagMeaning::DeliveredToNeighbour => "delivered_to_neighbour",
        SubtagMeaning::RecipientMoved => "recipient_moved",
        SubtagMeaning::Refused => "refused",
        SubtagMeaning::CustomsDelay => "customs_delay",
        SubtagMeaning::HeldForPayment => "held_for_payment",
        SubtagMeaning::Lost => "lost",
        SubtagMeaning::Damaged => "damaged",
        SubtagMeaning::ReturningToSender => "returning_to_sender",
        SubtagMeaning::ReturnedToSender => "returned_to_sender",
        SubtagMeaning::Cancelled => "cancelled",
        SubtagMeaning::RecipientNotAvailable => "recipient_not_available",
    }
}

pub fn meaning_from_wire(name: &str) -> Option<SubtagMeaning> {
    MEANINGS.into_iter().find(|m| meaning_name(*m) == name)
}

/// Every estimate source, in declaration order (the catalogue's `estimate_sources` order).
pub const ESTIMATE_SOURCES: [EstimateSource; 3] = [
    EstimateSource::Carrier,
    EstimateSource::AfterShip,
    EstimateSource::Merchant,
];

pub fn estimate_source_name(source: EstimateSource) -> &'static str {
    match source {
        EstimateSource::Carrier => "carrier",
        EstimateSource::AfterShip => "aftership",
        EstimateSource::Merchant => "merchant",
    }
}

pub fn estimate_source_from_wire(name: &str) -> Option<EstimateSource> {
    ESTIMATE_SOURCES
        .into_iter()
        .find(|s| estimate_source_name(*s) == name)
}

/// Position of a source in [`ESTIMATE_SOURCES`] (the catalogue's order).
pub fn estimate_source_index(source: EstimateSource) -> usize {
    ESTIMATE_SOURCES
        .iter()
        .position(|s| *s == source)
        .unwrap_or(0)
}

/// A local time as the JSON spells it (`"14:30"`), without `LocalTime`'s error values.
pub fn local_time_from_wire(text: &str) -> Option<LocalTime> {
    let b = text.as_bytes();
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    LocalTime::new(digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?)
}

/// A weekday as the JSON spells it (`"mon"`).
pub fn day_from_wire(name: &str) -> Option<Day> {
    Day::ALL.into_iter().find(|d| d.as_str() == name)
}

// ---------------------------------------------------------------------------------------------
// Texts without `core::fmt` (its machinery is kilobytes of wasm): what `Display` prints.

/// A looked-up number as printed everywhere (`WM-XXXX-XXXX-XXXX-XC`, or the carrier's number
/// as cleaned), equal to its `Display`.
pub fn lookup_text(number: &LookupNumber) -> String {
    match number {
        LookupNumber::Itn(itn) => {
            let compact = itn.compact();
            let mut out = String::from(ITN_PREFIX);
            for (i, ch) in compact.chars().enumerate() {
                if i % 4 == 0 {
                    out.push('-');
                }
                out.push(ch);
            }
            out
        }
        LookupNumber::Carrier(tn) => tn.as_str().to_string(),
    }
}

/// `template` with `{n}` replaced by `n` in decimal digits.
pub fn with_count(template: &str, n: usize) -> String {
    let mut digits = Vec::new();
    let mut rest = n;
    loop {
        digits.push(b'0' + (rest % 10) as u8);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    digits.reverse();
    fill(
        template,
        &[("n", core::str::from_utf8(&digits).unwrap_or_default())],
        false,
    )
}

/// `template` with each `{name}` of `values` replaced by its value, in one pass: a value is
/// never searched for placeholders itself, and unknown placeholders stay as written. With
/// `isolate` (right-to-left texts), each value is wrapped in Unicode isolates (FSI … PDI), so a
/// time or a name written left to right keeps its own order inside the sentence.
pub fn fill(template: &str, values: &[(&str, &str)], isolate: bool) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = byte_position(rest, b'{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = byte_position(after, b'}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = values.iter().find(|(n, _)| *n == name)?;
            Some((close, *value))
        });
        match value {
            Some((close, value)) => {
                if isolate {
                    out.push('\u{2068}');
                }
                out.push_str(value);
                if isolate {
                    out.push('\u{2069}');
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where an ASCII byte first is in `text`: what `str::find` with a `char` answers, without the
/// character searcher it brings into the wasm.
fn byte_position(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

// ---------------------------------------------------------------------------------------------
// What the shopper sees first.

/// The big status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    /// A carrier number exists but the carrier has not scanned the parcel yet.
    AwaitingFirstScan,
    /// No carrier number yet: the merchant is still preparing the order.
    Preparing,
    /// The carrier's status.
    Tag(Tag),
}

pub fn headline(view: &TrackingView) -> Headline {
    if view.status.awaiting_first_scan {
        Headline::AwaitingFirstScan
    } else if view.tracking_number.is_none() && view.status.tag == Tag::Pending {
        Headline::Preparing
    } else {
        Headline::Tag(view.status.tag)
    }
}

/// Position of a tag in `Tag::ALL` (the order of the catalogue's status labels).
pub fn tag_index(tag: Tag) -> usize {
    Tag::ALL.iter().position(|t| *t == tag).unwrap_or(0)
}

/// Position of an alert in [`ALERTS`] (the order of the catalogue's alert texts).
pub fn alert_index(alert: Alert) -> usize {
    ALERTS.iter().position(|a| *a == alert).unwrap_or(0)
}

/// An alert that is bad news (everything but "waiting at a pickup point") marks the current
/// stage as a problem.
pub fn is_problem(alert: Alert) -> bool {
    alert != Alert::AvailableForPickup
}

/// How one step of the progress bar looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageMark {
    Done,
    Current,
    /// The current stage, with an alert that is bad news.
    Problem,
    Ahead,
}

/// The progress bar, one mark per `Stage::ALL`.
pub fn stage_marks(progress: &Progress) -> [StageMark; 5] {
    let problem = progress.alert.is_some_and(is_problem);
    Stage::ALL.map(|stage| match stage.cmp(&progress.stage) {
        core::cmp::Ordering::Less => StageMark::Done,
        core::cmp::Ordering::Equal if problem => StageMark::Problem,
        core::cmp::Ordering::Equal => StageMark::Current,
        core::cmp::Ordering::Greater => StageMark::Ahead,
    })
}

/// The "latest update" box: the newest carrier scan, else the newest step reached.
pub fn latest_entry(view: &TrackingView) -> Option<&TimelineEntry> {
    let done = || view.timeline.iter().rev().filter(|e| e.done);
    done()
        .find(|e| e.source == Source::Carrier)
        .or_else(|| done().next())
}

/// The timing line under the headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing<'a> {
    /// The edge's decision (`when`): leaves, arrives, or late.
    When(&'a When),
    /// An answer without `when` (from before it existed) that has an expected delivery date.
    Expected(&'a str),
    Nothing,
}

pub fn timing(view: &TrackingView) -> Timing<'_> {
    match (&view.when, &view.expected_delivery) {
        (Some(when), _) => Timing::When(when),
        (None, Some(day)) => Timing::Expected(day),
        (None, None) => Timing::Nothing,
    }
}

/// Which of the catalogue's three "leaves" sentences: today, tomorrow, on a weekday.
pub fn leave_sentence(day: RelativeDay) -> usize {
    match day {
        RelativeDay::Today => 0,
        RelativeDay::Tomorrow => 1,
        RelativeDay::On(_) => 2,
    }
}

/// Whether a pickup on a later day is named by its date as well as its weekday: when it is a
/// week or more away (after holidays), "on Monday" alone would read as the coming Monday.
pub fn names_the_date(from_millis: i64, now_millis: i64) -> bool {
    from_millis - now_millis >= 6 * 86_400_000
}

/// How an estimated delivery is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimate {
    /// A date only (a date, or a time of exactly midnight, as estimates are given): the
    /// carrier's calendar day, as noon UTC of that day: format it in UTC as a date.
    Day(i64),
    /// A date and time with an offset: an instant, shown in the shopper's zone.
    Instant(i64),
    /// A date and time without an offset, encoded as if it were UTC: format it in UTC.
    WallClock(i64),
}

pub fn estimate(text: &str) -> Option<Estimate> {
    const DAY: i64 = 86_400_000;
    let time = CarrierTime::parse(text)?;
    let (wall, offset) = wall_clock(&time)?;
    Some(if wall.rem_euclid(DAY) == 0 {
        Estimate::Day(wall + DAY / 2)
    } else if offset.is_some() {
        Estimate::Instant(time.sort_key())
    } else {
        Estimate::WallClock(wall)
    })
}

/// What is said beside a tracking number when a shipment shows several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberNote<'a> {
    /// The carrier's name.
    Carrier(&'a str),
    /// The last-mile carrier's number, and its name when known.
    LastMile(Option<&'a str>),
    Nothing,
}

pub fn number_note(number: &TrackingNumberView) -> NumberNote<'_> {
    let name = number.carrier.as_ref().map(|c| c.name.as_str());
    match (number.role, name) {
        (TrackingRole::Local, name) => NumberNote::LastMile(name),
        (TrackingRole::Default, Some(name)) => NumberNote::Carrier(name),
        (TrackingRole::Default, None) => NumberNote::Nothing,
    }
}

/// Every number is listed (each with its carrier) when a shipment has more than one; a single
/// number keeps its own row.
pub fn lists_every_number(view: &TrackingView) -> bool {
    view.tracking_numbers.len() > 1
}

/// How a shopper proves an order is theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierKind {
    PostalCode,
    Email,
}

impl VerifierKind {
    /// The field of the order lookup's body, and the form's radio value.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifierKind::PostalCode => "postal_code",
            VerifierKind::Email => "email",
        }
    }

    pub fn from_wire(name: &str) -> VerifierKind {
        if name == "email" {
            VerifierKind::Email
        } else {
            VerifierKind::PostalCode
        }
    }
}

/// Whether the edge would accept `input` as a verifier of this kind
/// (`shared::order::Verifier`'s rules, checked in the browser before any request, without its
/// Unicode lower-casing; the tests hold the two together).
pub fn verifier_accepted(kind: VerifierKind, input: &str) -> bool {
    match kind {
        VerifierKind::PostalCode => {
            let mut count = 0;
            let ok = input
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .all(|c| {
                    count += 1;
                    c.is_ascii_alphanumeric()
                });
            ok && (2..=12).contains(&count)
        }
        VerifierKind::Email => {
            let email = input.trim();
            email.len() <= 254
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && byte_position(email, b'@').is_some_and(|at| {
                    let domain = &email.as_bytes()[at + 1..];
                    at > 0 && domain.contains(&b'.') && !domain.contains(&b'@')
                })
        }
    }
}

/// The tab a key moves to in a tab list of `count` tabs (ARIA's tabs pattern): the arrow keys
/// move to the next or previous tab, wrapping, in reading direction (so reversed right to
/// left); Home and End to the first and last. `None` for any other key.
pub fn tab_after_key(key: &str, current: usize, count: usize, rtl: bool) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let next = (current + 1) % count;
    let previous = (current + count - 1) % count;
    match (key, rtl) {
        ("ArrowRight", false) | ("ArrowLeft", true) => Some(next),
        ("ArrowLeft", false) | ("ArrowRight", true) => Some(previous),
        ("Home", _) => Some(0),
        ("End", _) => Some(count - 1),
        _ => None,
    }
}

/// Carrier scans shown before older ones fold away.
pub const VISIBLE_CARRIER_EVENTS: usize = 5;

/// How many of `carrier_count` scans fold behind the "show earlier" button. Folding a single
/// scan would save nothing, so only two or more ever fold.
pub fn folded_count(carrier_count: usize) -> usize {
    if carrier_count > VISIBLE_CARRIER_EVENTS + 1 {
        carrier_count - VISIBLE_CARRIER_EVENTS
    } else {
        0
    }
}

/// How one timeline entry looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A step not reached yet.
    Pending,
    Merchant,
    Carrier,
    /// An older carrier scan, hidden while the timeline is folded.
    EarlyCarrier,
}

/// Each timeline entry's look, in timeline order; the older carrier scans are `EarlyCarrier`
/// when any fold (see [`folded_count`]).
pub fn entry_kinds(view: &TrackingView) -> Vec<EntryKind> {
    let carriers = view
        .timeline
        .iter()
        .filter(|e| e.source == Source::Carrier)
        .count();
    let hidden = folded_count(carriers);
    let mut seen = 0;
    view.timeline
        .iter()
        .map(|entry| match (entry.source, entry.done) {
            (Source::Carrier, _) => {
                seen += 1;
                match (entry.done, seen <= hidden) {
                    (false, _) => EntryKind::Pending,
                    (true, true) => EntryKind::EarlyCarrier,
                    (true, false) => EntryKind::Carrier,
                }
            }
            (Source::Merchant, false) => EntryKind::Pending,
            (Source::Merchant, true) => EntryKind::Merchant,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Times: what to format, and in which zone. The widget formats with the browser's `Intl`.

/// The instant to show first, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// A real instant: format it in the shopper's own time zone.
    Instant(i64),
    /// A wall-clock time whose zone is unknown, encoded as if it were UTC: format it in UTC.
    WallClock(i64),
}

/// A timeline time, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// Machine-readable, for `<time datetime>` (the normalised carrier text).
    pub datetime: String,
    pub primary: Moment,
    /// The carrier's own wall clock (encoded as UTC, format it in UTC) and its zone's label
    /// (`UTC`, `UTC+08:00`), shown beside the shopper's time.
    pub carrier_local: Option<(i64, String)>,
}

/// The wall-clock part of a carrier time as if it were UTC, and the offset as written.
fn wall_clock(time: &CarrierTime) -> Option<(i64, Option<&str>)> {
    let text = time.as_str();
    if !time.has_offset() {
        return Some((time.sort_key(), None));
    }
    // The normalised text ends in `Z` or `±HH:MM`.
    let cut = if text.ends_with('Z') {
        text.len() - 1
    } else {
        text.len().checked_sub(6)?
    };
    let (wall, offset) = (text.get(..cut)?, text.get(cut..)?);
    Some((CarrierTime::parse(wall)?.sort_key(), Some(offset)))
}

/// Decides how a timeline time is shown. Merchant times are instants of our own: they never
/// show a "carrier's local time". `None` for text that is not a time.
pub fn clock(text: &str, source: Source) -> Option<Clock> {
    let time = CarrierTime::parse(text)?;
    let (wall, offset) = wall_clock(&time)?;
    let (primary, carrier_local) = match offset {
        Some(offset) => {
            let mut label = String::from("UTC");
            if offset != "Z" {
                label.push_str(offset);
            }
            let local = (source == Source::Carrier).then_some((wall, label));
            (Moment::Instant(time.sort_key()), local)
        }
        None => (Moment::WallClock(wall), None),
    };
    Some(Clock {
        datetime: time.as_str().to_string(),
        primary,
        carrier_local,
    })
}

/// The calendar day of a date or date-time (as the carrier wrote it, whatever the zone), as
/// noon UTC of that day in milliseconds: format it in UTC as a date.
pub fn calendar_day(text: &str) -> Option<i64> {
    const DAY: i64 = 86_400_000;
    let (wall, _) = wall_clock(&CarrierTime::parse(text)?)?;
    Some(wall.div_euclid(DAY) * DAY + DAY / 2)
}

/// A unit for "5 minutes ago".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeUnit {
    Second,
    Minute,
    Hour,
    Day,
}

impl RelativeUnit {
    /// The unit's name for `Intl.RelativeTimeFormat`.
    pub fn as_str(self) -> &'static str {
        match self {
            RelativeUnit::Second => "second",
            RelativeUnit::Minute => "minute",
            RelativeUnit::Hour => "hour",
            RelativeUnit::Day => "day",
        }
    }
}

/// `instant` relative to `now_millis`, in the largest whole unit it spans, rounded half away
/// from zero (`-90 s` is `-2` minutes): the value and unit for `Intl.RelativeTimeFormat`.
/// `None` when `instant` is not an RFC 3339 time with an offset.
pub fn relative(instant: &str, now_millis: i64) -> Option<(i64, RelativeUnit)> {
    let then: Timestamp = instant.parse().ok()?;
    let diff = then.millis() - now_millis;
    let (size, unit) = [
        (86_400_000, RelativeUnit::Day),
        (3_600_000, RelativeUnit::Hour),
        (60_000, RelativeUnit::Minute),
    ]
    .into_iter()
    .find(|(size, _)| diff.abs() >= *size)
    .unwrap_or((1000, RelativeUnit::Second));
    let rounded = (diff.abs() * 2 + size) / (2 * size);
    Some((if diff < 0 { -rounded } else { rounded }, unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{CarrierSummary, Links, MerchantSummary, Status};
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    /// serde's own list of variant names, read from its "unknown variant" error, which names
    /// every variant: adding a variant without a spelling here fails the tests.
    fn serde_names<T: DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let error = serde_json::from_str::<T>("\"?\"").unwrap_err().to_string();
        let expected = error.split("expected").nth(1).expect("variant list");
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn check_spellings<T>(all: &[T], name: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned,
    {
        let ours: Vec<String> = all.iter().map(|v| name(*v).to_string()).collect();
        assert_eq!(ours, serde_names::<T>(), "every variant, in serde's order");
        for value in all {
            let wire = serde_json::to_value(value).unwrap();
            assert_eq!(wire, serde_json::Value::from(name(*value)), "{value:?}");
            assert_eq!(parse(name(*value)), Some(*value));
            assert_eq!(
                serde_json::from_value::<T>(wire).unwrap(),
                *value,
                "{value:?}"
            );
        }
        assert_eq!(parse("Shipped"), None, "spellings are exact");
        assert_eq!(parse(""), None);
    }

    #[test]
    fn spellings_are_serdes_own() {
        check_spellings(&Stage::ALL, stage_name, stage_from_wire);
        check_spellings(&ALERTS, alert_name, alert_from_wire);
        check_spellings(&SOURCES, source_name, source_from_wire);
        check_spellings(&MEANINGS, meaning_name, meaning_from_wire);
        check_spellings(
            &ESTIMATE_SOURCES,
            estimate_source_name,
            estimate_source_from_wire,
        );
        for day in Day::ALL {
            assert_eq!(
                serde_json::to_value(day).unwrap(),
                serde_json::Value::from(day.as_str())
            );
            assert_eq!(day_from_wire(day.as_str()), Some(day));
        }
        assert_eq!(day_from_wire("Mon"), None);
        for text in [
            "00:00", "14:30", "23:59", "24:00", "9:30", "09:60", "0930", "ab:cd", "14:30:00", "",
        ] {
            assert_eq!(
                local_time_from_wire(text),
                text.parse::<LocalTime>().ok(),
                "{text}"
            );
        }
        for (i, source) in ESTIMATE_SOURCES.into_iter().enumerate() {
            assert_eq!(estimate_source_index(source), i);
        }
    }

    #[test]
    fn templates_are_filled_in_one_pass() {
        type Row<'a> = (&'a str, &'a [(&'a str, &'a str)], bool, &'a str);
        let table: [Row; 6] = [
            (
                "between {from} and {to} {zone}",
                &[("from", "2:30 PM"), ("to", "5:00 PM"), ("zone", "EST")],
                false,
                "between 2:30 PM and 5:00 PM EST",
            ),
            ("{a}{a}", &[("a", "x")], false, "xx"),
            // A value is never expanded, unknown and broken placeholders stay.
            ("{a} {b} {", &[("a", "{b}")], false, "{b} {b} {"),
            ("no placeholders", &[("a", "x")], false, "no placeholders"),
            ("«{order}»", &[("order", "#1001")], false, "«#1001»"),
            (
                "من {from}",
                &[("from", "2:30 PM")],
                true,
                "من \u{2068}2:30 PM\u{2069}",
            ),
        ];
        for (template, values, isolate, expected) in table {
            assert_eq!(fill(template, values, isolate), expected, "{template}");
        }
    }

    #[test]
    fn estimates_show_a_day_unless_a_time_is_given() {
        let ms = |t: &str| t.parse::<Timestamp>().unwrap().millis();
        let table = [
            ("2026-11-26", Estimate::Day(ms("2026-11-26T12:00:00Z"))),
            (
                "2026-11-26T00:00:00",
                Estimate::Day(ms("2026-11-26T12:00:00Z")),
            ),
            // Midnight with an offset is the carrier's date too, not an instant to convert.
            (
                "2026-11-26T00:00:00-08:00",
                Estimate::Day(ms("2026-11-26T12:00:00Z")),
            ),
            (
                "2026-11-26T18:00:00+09:00",
                Estimate::Instant(ms("2026-11-26T09:00:00Z")),
            ),
            (
                "2026-11-26T18:00:00",
                Estimate::WallClock(ms("2026-11-26T18:00:00Z")),
            ),
        ];
        for (text, expected) in table {
            assert_eq!(estimate(text), Some(expected), "{text}");
        }
        assert_eq!(estimate("next week"), None);
    }

    #[test]
    fn the_timing_line_prefers_the_edges_decision() {
        let mut v = view(Some("1Z"), Tag::InTransit, false, vec![]);
        assert_eq!(timing(&v), Timing::Nothing);
        v.expected_delivery = Some("2026-11-26".into());
        assert_eq!(timing(&v), Timing::Expected("2026-11-26"));
        let when = When::Stalled {
            since: Timestamp(0),
            moving: true,
        };
        v.when = Some(when.clone());
        assert_eq!(timing(&v), Timing::When(&when));
        assert_eq!(leave_sentence(RelativeDay::Today), 0);
        assert_eq!(leave_sentence(RelativeDay::Tomorrow), 1);
        assert_eq!(leave_sentence(RelativeDay::On(Day::Mon)), 2);
        let ms = |t: &str| t.parse::<Timestamp>().unwrap().millis();
        let now = ms("2026-12-24T18:00:00-05:00");
        for (from, named) in [
            ("2026-12-28T14:30:00-05:00", false),
            ("2026-12-30T14:30:00-05:00", false),
            // Thursday a week later, said on a Thursday: its date is named.
            ("2026-12-31T14:30:00-05:00", true),
            ("2027-01-04T14:30:00-05:00", true),
        ] {
            assert_eq!(names_the_date(ms(from), now), named, "{from}");
        }
    }

    #[test]
    fn several_numbers_are_listed_with_their_carriers() {
        let number = |role, carrier: Option<&str>| TrackingNumberView {
            number: "CJP1".into(),
            role,
            carrier: carrier.map(|name| CarrierSummary {
                slug: "x".into(),
                name: name.into(),
            }),
            link: String::new(),
            aftership: String::new(),
            reported: false,
        };
        use TrackingRole::{Default as D, Local as L};
        let table = [
            (D, Some("CJPacket"), NumberNote::Carrier("CJPacket")),
            (D, None, NumberNote::Nothing),
            (
                L,
                Some("Canada Post"),
                NumberNote::LastMile(Some("Canada Post")),
            ),
            (L, None, NumberNote::LastMile(None)),
        ];
        for (role, carrier, expected) in table {
            assert_eq!(number_note(&number(role, carrier)), expected);
        }
        let mut v = view(Some("CJP1"), Tag::InTransit, false, vec![]);
        v.tracking_numbers = vec![number(D, Some("CJPacket"))];
        assert!(!lists_every_number(&v), "one number keeps its own row");
        v.tracking_numbers.push(number(L, None));
        assert!(lists_every_number(&v));
    }

    #[test]
    fn verifiers_are_checked_as_the_edge_checks_them() {
        use crate::order::Verifier;
        let postal = [
            "SW1A 1AA",
            "sw1a-1aa",
            "10115",
            "1",
            "",
            "  ",
            "123456789012",
            "1234567890123",
            "<script>",
            "12 34 56 78 90 12",
            "Ä1234",
            "K1A 0B1",
            "---12",
        ];
        for input in postal {
            assert_eq!(
                verifier_accepted(VerifierKind::PostalCode, input),
                Verifier::postal_code(input).is_ok(),
                "{input:?}"
            );
        }
        let emails = [
            "jane@example.com",
            " Jane.Doe@Example.COM ",
            "a@b.co",
            "no-at.example.com",
            "@example.com",
            "a@b",
            "a@b@c.com",
            "a b@c.com",
            "",
            "a@\u{7}.com",
            "x@localhost",
        ];
        for input in emails {
            assert_eq!(
                verifier_accepted(VerifierKind::Email, input),
                Verifier::email(input).is_ok(),
                "{input:?}"
            );
        }
        for kind in [VerifierKind::PostalCode, VerifierKind::Email] {
            assert_eq!(VerifierKind::from_wire(kind.as_str()), kind);
        }
    }

    #[test]
    fn arrow_keys_move_between_tabs_in_reading_direction() {
        let table = [
            ("ArrowRight", 0, 3, false, Some(1)),
            ("ArrowRight", 2, 3, false, Some(0)),
            ("ArrowLeft", 0, 3, false, Some(2)),
            ("ArrowLeft", 1, 3, false, Some(0)),
            ("ArrowRight", 0, 3, true, Some(2)),
            ("ArrowLeft", 0, 3, true, Some(1)),
            ("Home", 2, 3, false, Some(0)),
            ("End", 0, 3, true, Some(2)),
            ("Enter", 0, 3, false, None),
            ("ArrowDown", 0, 3, false, None),
            ("ArrowRight", 0, 0, false, None),
        ];
        for (key, current, count, rtl, expected) in table {
            assert_eq!(
                tab_after_key(key, current, count, rtl),
                expected,
                "{key} from {current} of {count}, rtl {rtl}"
            );
        }
    }

    #[test]
    fn texts_equal_what_display_prints() {
        let itn = crate::ids::Itn::from_random([7, 1, 2, 3, 4, 5, 6, 7, 8]).to_string();
        let sloppy = itn.to_lowercase().replace('-', " ");
        for input in [
            itn.as_str(),
            sloppy.as_str(),
            "1z999aa10123456784",
            "9400 1000 0000 0000 0000 00",
        ] {
            let number: LookupNumber = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            let printed = match &number {
                LookupNumber::Itn(itn) => itn.to_string(),
                LookupNumber::Carrier(tn) => tn.to_string(),
            };
            assert_eq!(lookup_text(&number), printed, "{input}");
        }
        for (n, text) in [
            (0, "Show 0"),
            (7, "Show 7"),
            (10, "Show 10"),
            (1234, "Show 1234"),
        ] {
            assert_eq!(with_count("Show {n}", n), text);
        }
        assert_eq!(with_count("{n} of {n}", 95), "95 of 95");
    }

    #[test]
    fn indexes_follow_the_tables() {
        for (i, tag) in Tag::ALL.into_iter().enumerate() {
            assert_eq!(tag_index(tag), i);
        }
        for (i, alert) in ALERTS.into_iter().enumerate() {
            assert_eq!(alert_index(alert), i);
        }
    }

    fn entry(source: Source, done: bool, label: &str) -> TimelineEntry {
        TimelineEntry {
            source,
            label: label.into(),
            time: None,
            location: None,
            tag: None,
            done,
        }
    }

    fn view(
        tn: Option<&str>,
        tag: Tag,
        awaiting: bool,
        timeline: Vec<TimelineEntry>,
    ) -> TrackingView {
        TrackingView {
            merchant: MerchantSummary {
                id: "acme".into(),
                name: "Acme".into(),
            },
            itn: "WM-0000-0000-0000-00".into(),
            tracking_number: tn.map(str::to_string),
            carrier: None,
            status: Status {
                tag,
                subtag: None,
                label: String::new(),
                meaning: None,
                awaiting_first_scan: awaiting,
            },
            progress: Progress {
                stage: Stage::Ordered,
                step: 0,
                steps: 5,
                alert: None,
            },
            expected_delivery: None,
            timeline,
            links: Links {
                itn: String::new(),
                tracking_number: None,
                aftership: None,
            },
            updated_at: String::new(),
            stale: false,
            tracking_numbers: Vec::new(),
            when: None,
        }
    }

    #[test]
    fn headlines() {
        let table = [
            (None, Tag::Pending, false, Headline::Preparing),
            (Some("1Z"), Tag::Pending, true, Headline::AwaitingFirstScan),
            (
                Some("1Z"),
                Tag::InfoReceived,
                true,
                Headline::AwaitingFirstScan,
            ),
            (Some("1Z"), Tag::Pending, false, Headline::Tag(Tag::Pending)),
            (None, Tag::InTransit, false, Headline::Tag(Tag::InTransit)),
            (
                Some("1Z"),
                Tag::Delivered,
                false,
                Headline::Tag(Tag::Delivered),
            ),
        ];
        for (tn, tag, awaiting, expected) in table {
            assert_eq!(
                headline(&view(tn, tag, awaiting, vec![])),
                expected,
                "{tn:?} {tag:?} {awaiting}"
            );
        }
    }

    #[test]
    fn stage_marks_follow_the_stage_and_alert() {
        use StageMark::*;
        let progress = |stage, alert| Progress {
            stage,
            step: 0,
            steps: 5,
            alert,
        };
        let table = [
            (Stage::Ordered, None, [Current, Ahead, Ahead, Ahead, Ahead]),
            (Stage::Shipped, None, [Done, Done, Current, Ahead, Ahead]),
            (
                Stage::Shipped,
                Some(Alert::Exception),
                [Done, Done, Problem, Ahead, Ahead],
            ),
            (
                Stage::OutForDelivery,
                Some(Alert::AvailableForPickup),
                [Done, Done, Done, Current, Ahead],
            ),
            (
                Stage::OutForDelivery,
                Some(Alert::AttemptFailed),
                [Done, Done, Done, Problem, Ahead],
            ),
            (
                Stage::Ordered,
                Some(Alert::Expired),
                [Problem, Ahead, Ahead, Ahead, Ahead],
            ),
            (Stage::Delivered, None, [Done, Done, Done, Done, Current]),
        ];
        for (stage, alert, expected) in table {
            assert_eq!(
                stage_marks(&progress(stage, alert)),
                expected,
                "{stage:?} {alert:?}"
            );
        }
        assert!(ALERTS
            .into_iter()
            .filter(|a| !is_problem(*a))
            .eq([Alert::AvailableForPickup]));
    }

    #[test]
    fn the_latest_entry_prefers_the_newest_carrier_scan() {
        use Source::{Carrier as C, Merchant as M};
        type Row<'a> = (&'a [(Source, bool, &'a str)], Option<&'a str>);
        let table: [Row; 5] = [
            (&[], None),
            (&[(M, false, "a")], None),
            (
                &[(M, true, "a"), (M, true, "b"), (M, false, "c")],
                Some("b"),
            ),
            (&[(M, true, "a"), (C, true, "x"), (C, true, "y")], Some("y")),
            // The carrier's newest scan beats a merchant step listed after it.
            (&[(C, true, "x"), (M, true, "b")], Some("x")),
        ];
        for (entries, expected) in table {
            let timeline = entries.iter().map(|(s, d, l)| entry(*s, *d, l)).collect();
            let v = view(None, Tag::Pending, false, timeline);
            assert_eq!(
                latest_entry(&v).map(|e| e.label.as_str()),
                expected,
                "{entries:?}"
            );
        }
    }

    #[test]
    fn folding_hides_two_or_more_older_scans() {
        let table = [(0, 0), (5, 0), (6, 0), (7, 2), (14, 9), (100, 95)];
        for (count, hidden) in table {
            assert_eq!(folded_count(count), hidden, "{count}");
        }
        let mut timeline = vec![
            entry(Source::Merchant, true, "m1"),
            entry(Source::Merchant, false, "m2"),
        ];
        timeline.extend((0..7).map(|i| entry(Source::Carrier, true, &i.to_string())));
        let kinds = entry_kinds(&view(None, Tag::InTransit, false, timeline));
        use EntryKind::*;
        assert_eq!(
            kinds,
            [
                Merchant,
                Pending,
                EarlyCarrier,
                EarlyCarrier,
                Carrier,
                Carrier,
                Carrier,
                Carrier,
                Carrier
            ]
        );
    }

    #[test]
    fn clocks_keep_the_carriers_wall_time() {
        let ms = |t: &str| t.parse::<Timestamp>().unwrap().millis();
        // (text, source, datetime, primary, carrier's clock, label)
        type Row<'a> = (&'a str, Source, &'a str, Moment, Option<(&'a str, &'a str)>);
        let table: [Row; 6] = [
            (
                "2026-11-21T16:58:00+08:00",
                Source::Carrier,
                "2026-11-21T16:58:00+08:00",
                Moment::Instant(ms("2026-11-21T08:58:00Z")),
                Some(("2026-11-21T16:58:00Z", "UTC+08:00")),
            ),
            (
                "2016-02-01T09:06:00-05:00",
                Source::Carrier,
                "2016-02-01T09:06:00-05:00",
                Moment::Instant(ms("2016-02-01T14:06:00Z")),
                Some(("2016-02-01T09:06:00Z", "UTC-05:00")),
            ),
            (
                "2021-03-20T14:29:27.123Z",
                Source::Carrier,
                "2021-03-20T14:29:27.123Z",
                Moment::Instant(ms("2021-03-20T14:29:27.123Z")),
                Some(("2021-03-20T14:29:27.123Z", "UTC")),
            ),
            (
                "2018-07-31T14:33:00",
                Source::Carrier,
                "2018-07-31T14:33:00",
                Moment::WallClock(ms("2018-07-31T14:33:00Z")),
                None,
            ),
            (
                "2026-11-20T09:00:00Z",
                Source::Merchant,
                "2026-11-20T09:00:00Z",
                Moment::Instant(ms("2026-11-20T09:00:00Z")),
                None,
            ),
            (
                "2021-07-01 15:00:00+0530",
                Source::Carrier,
                "2021-07-01T15:00:00+05:30",
                Moment::Instant(ms("2021-07-01T09:30:00Z")),
                Some(("2021-07-01T15:00:00Z", "UTC+05:30")),
            ),
        ];
        for (text, source, datetime, primary, local) in table {
            let c = clock(text, source).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(c.datetime, datetime, "{text}");
            assert_eq!(c.primary, primary, "{text}");
            assert_eq!(
                c.carrier_local,
                local.map(|(t, l)| (ms(t), l.to_string())),
                "{text}"
            );
        }
        assert_eq!(clock("yesterday", Source::Carrier), None);
    }

    #[test]
    fn calendar_days_ignore_the_zone() {
        let ms = |t: &str| t.parse::<Timestamp>().unwrap().millis();
        for (text, day) in [
            ("2026-11-24", "2026-11-24T12:00:00Z"),
            ("2026-11-24T23:30:00-08:00", "2026-11-24T12:00:00Z"),
            ("2026-11-24T00:30:00+09:00", "2026-11-24T12:00:00Z"),
            ("2000-01-01T00:00:00", "2000-01-01T12:00:00Z"),
        ] {
            assert_eq!(calendar_day(text), Some(ms(day)), "{text}");
        }
        assert_eq!(calendar_day("soon"), None);
    }

    #[test]
    fn relative_times_pick_the_largest_unit_and_round() {
        use RelativeUnit::*;
        let now = "2026-11-22T12:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .millis();
        let table = [
            ("2026-11-22T12:00:00Z", (0, Second)),
            ("2026-11-22T11:59:31Z", (-29, Second)),
            ("2026-11-22T11:59:00Z", (-1, Minute)),
            ("2026-11-22T11:58:30Z", (-2, Minute)),
            ("2026-11-22T11:58:31Z", (-1, Minute)),
            ("2026-11-22T09:00:00Z", (-3, Hour)),
            ("2026-11-20T00:00:00Z", (-3, Day)),
            ("2026-11-22T12:05:00Z", (5, Minute)),
            ("2026-11-24T12:00:00+01:00", (2, Day)),
        ];
        for (text, expected) in table {
            assert_eq!(relative(text, now), Some(expected), "{text}");
        }
        assert_eq!(
            relative("2026-11-22T12:00:00", now),
            None,
            "needs an offset"
        );
        assert_eq!(Day.as_str(), "day");
    }

    #[test]
    fn a_full_view_keeps_every_spelling_the_widget_reads() {
        let mut v = view(Some("1Z"), Tag::Exception, false, vec![]);
        v.carrier = Some(CarrierSummary {
            slug: "ups".into(),
            name: "UPS".into(),
        });
        v.status.meaning = Some(SubtagMeaning::ReturningToSender);
        v.progress.alert = Some(Alert::ReturnToSender);
        v.progress.stage = Stage::OutForDelivery;
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["status"]["meaning"], "returning_to_sender");
        assert_eq!(json["progress"]["alert"], "return_to_sender");
        assert_eq!(json["progress"]["stage"], "out_for_delivery");
        assert_eq!(json["status"]["tag"], Tag::Exception.as_str());
    }

    #[test]
    fn links_relative_to_the_edge_resolve_against_the_api_base() {
        use crate::view::Links;
        let table = [
            ("/t/acme/WM-1", "https://edge.example/t/acme/WM-1"),
            (
                "https://track.acme.example/t/acme/1",
                "https://track.acme.example/t/acme/1",
            ),
            ("//evil.example/x", ""),
            ("javascript:alert(1)", ""),
        ];
        for (href, expected) in table {
            let mut links = Links {
                itn: href.to_string(),
                tracking_number: Some(href.to_string()),
                aftership: None,
            };
            resolve_links(&mut links, "https://edge.example/");
            assert_eq!(links.itn, expected, "{href}");
            assert_eq!(links.tracking_number.as_deref(), Some(expected), "{href}");
            // Each of several numbers links to its own page, resolved the same way.
            let mut v = view(Some("CJP1"), Tag::InTransit, false, vec![]);
            v.tracking_numbers = vec![TrackingNumberView {
                number: "CJP1".into(),
                role: TrackingRole::Default,
                carrier: None,
                link: href.to_string(),
                aftership: href.to_string(),
                reported: false,
            }];
            resolve_view_links(&mut v, "https://edge.example");
            assert_eq!(v.tracking_numbers[0].link, expected, "{href}");
            assert_eq!(v.tracking_numbers[0].aftership, expected, "{href}");
        }
    }
}
