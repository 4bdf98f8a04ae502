//! The merchant console's pure view helpers: the Find Orders query string the grid sends (and
//! the CSV export reuses), the columns a user chose (as remembered in the browser), checkpoint
//! list edits, and the embed snippet. No I/O: the console crate gathers input and renders.

use crate::channels::{ChannelState, Deadline, RequiredField, WaitReason};
use crate::csv::Column;
use crate::shipment::{CheckpointDef, ShipmentEvent, TrackingRole};
use crate::stage::Stage;
use crate::time::Timestamp;

/// What the Find Orders form holds. Empty texts mean "no filter".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindForm {
    pub q: String,
    pub stages: Vec<Stage>,
    pub carrier: String,
    pub channel: String,
    /// `""`, `any`, `none` or an alert's wire name.
    pub alert: String,
    /// `""` or a ship-confirmation state's wire name ([`Confirmation`]).
    pub confirmation: String,
    /// Instants (RFC 3339) bounding the creation time, half-open.
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// `created`, `updated` or `stage`, with a leading `-` for descending; empty: the default.
    pub sort: String,
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(byte >> 4) as usize] as char);
                out.push(HEX[(byte & 15) as usize] as char);
            }
        }
    }
    out
}

fn stage_wire(stage: Stage) -> &'static str {
    crate::presentation::stage_name(stage)
}

impl FindForm {
    /// The query string (without `?`) for `GET …/shipments`: only the parameters that filter,
    /// in a stable order; `q` is trimmed. `cursor` and `limit` page.
    pub fn query(&self, cursor: Option<&str>, limit: Option<u32>) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |key: &str, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                parts.push([key, "=", &encode_component(value)].concat());
            }
        };
        push("q", &self.q);
        for stage in &self.stages {
            push("stage", stage_wire(*stage));
        }
        push("carrier", &self.carrier);
        push("channel", &self.channel);
        push("alert", &self.alert);
        push("confirmation", &self.confirmation);
        push("created_from", self.created_from.as_deref().unwrap_or(""));
        push("created_to", self.created_to.as_deref().unwrap_or(""));
        push("sort", &self.sort);
        if let Some(cursor) = cursor {
            push("cursor", cursor);
        }
        if let Some(limit) = limit {
            push("limit", &limit.to_string());
        }
        parts.join("&")
    }

    /// The CSV export's query: the same filters and sort, and the visible columns in order.
    pub fn export_query(&self, columns: &[Column]) -> String {
        let mut query = self.query(None, None);
        if !columns.is_empty() {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str("columns=");
            query.push_str(&columns_param(columns));
        }
        query
    }
}

/// `itn,tracking_numbers,…` (no encoding needed: the names are plain).
pub fn columns_param(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The grid's columns when the user has chosen none (or what was stored is unreadable).
pub const DEFAULT_COLUMNS: [Column; 8] = [
    Column::Itn,
    Column::TrackingNumbers,
    Column::OrderRef,
    Column::Channel,
    Column::Stage,
    Column::Alert,
    Column::Confirmation,
    Column::Updated,
];

/// Reads remembered columns (`itn,stage,…`): unknown names and repeats are skipped; nothing
/// usable gives the defaults. The order is [`Column::ALL`]'s, so the grid reads the same way
/// whatever order they were ticked in.
pub fn parse_columns(stored: Option<&str>) -> Vec<Column> {
    let named: Vec<&str> = stored
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let chosen: Vec<Column> = Column::ALL
        .into_iter()
        .filter(|c| named.contains(&c.as_str()))
        .collect();
    if chosen.is_empty() {
        DEFAULT_COLUMNS.to_vec()
    } else {
        chosen
    }
}

/// Shows or hides one column, keeping [`Column::ALL`]'s order; the last one cannot be hidden.
pub fn toggle_column(columns: &[Column], column: Column, shown: bool) -> Vec<Column> {
    let next: Vec<Column> = Column::ALL
        .into_iter()
        .filter(|c| {
            if *c == column {
                shown
            } else {
                columns.contains(c)
            }
        })
        .collect();
    if next.is_empty() {
        columns.to_vec()
    } else {
        next
    }
}

/// `YYYY-MM-DD` (an `<input type=date>` value) as the instant its day starts at
/// `offset_minutes` east of UTC, e.g. `2026-11-01T00:00:00-05:00`; `end` gives the next day's
/// start (so a range of days is half-open as the API wants). `None` for anything else.
pub fn day_start(date: &str, offset_minutes: i32, end: bool) -> Option<String> {
    let day = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let day = if end { day.succ_opt()? } else { day };
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let abs = offset_minutes.unsigned_abs();
    Some(format!(
        "{}T00:00:00{}{:02}:{:02}",
        day.format("%Y-%m-%d"),
        sign,
        abs / 60,
        abs % 60
    ))
}

/// Moves entry `index` one place up (`up`) or down; out-of-range moves change nothing.
pub fn move_entry<T>(list: &mut [T], index: usize, up: bool) {
    let other = if up {
        index.checked_sub(1)
    } else {
        index.checked_add(1)
    };
    if let Some(other) = other {
        if index < list.len() && other < list.len() {
            list.swap(index, other);
        }
    }
}

/// The HTML a merchant pastes into the storefront, with the edge's origin.
pub fn embed_snippet(origin: &str, merchant: &str) -> String {
    let origin = origin.trim_end_matches('/');
    format!(
        "<script type=\"module\" src=\"{origin}/widget/embed.js\"></script>\n\
         <waymark-tracker merchant=\"{merchant}\"></waymark-tracker>"
    )
}

/// The shareable tracking page of one number.
pub fn track_path(merchant: &str, number: &str) -> String {
    ["/t/", merchant, "/", &encode_component(number)].concat()
}

/// The sort a column's header applies, for the columns the API sorts by.
pub fn sort_key(column: Column) -> Option<&'static str> {
    match column {
        Column::Created => Some("created"),
        Column::Updated => Some("updated"),
        Column::Stage => Some("stage"),
        _ => None,
    }
}

/// The default sort (`""`) is `-created`, newest first.
fn normalised(sort: &str) -> &str {
    match sort.trim() {
        "" => "-created",
        other => other,
    }
}

/// How the grid is sorted by `key`: `Some(true)` descending, `Some(false)` ascending, `None`
/// when it is sorted by something else (what a header's `aria-sort` says).
pub fn sorted_by(sort: &str, key: &str) -> Option<bool> {
    match normalised(sort).strip_prefix('-') {
        Some(k) if k == key => Some(true),
        None if normalised(sort) == key => Some(false),
        _ => None,
    }
}

/// The sort after a click on `key`'s header: a new column starts descending (newest, or
/// furthest along, first); a second click on the same column flips it. The default comes back
/// as `""`, so the URL stays as short as the form's.
pub fn toggled_sort(sort: &str, key: &str) -> String {
    let next = match sorted_by(sort, key) {
        Some(true) => key.to_string(),
        _ => ["-", key].concat(),
    };
    if next == "-created" {
        String::new()
    } else {
        next
    }
}

/// Every ship-confirmation state's wire name, for the filter.
pub fn confirmation_names() -> impl Iterator<Item = &'static str> {
    crate::channels::Confirmation::ALL
        .into_iter()
        .map(crate::channels::Confirmation::as_str)
}

/// Every alert's wire name, for the filter.
pub fn alert_names() -> impl Iterator<Item = &'static str> {
    crate::presentation::ALERTS
        .into_iter()
        .map(crate::presentation::alert_name)
}

// ---------------------------------------------------------------------------------------------
// The shipment page: history and channel status as sentences
// ---------------------------------------------------------------------------------------------

/// A value in a sentence: text as it is, or an instant the console shows in the reader's
/// language and zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Time(Timestamp),
    /// Another catalogue key (a field's name, which reads differently in each language).
    Key(&'static str),
}

/// A sentence of the console's catalogue: its key and the values of its `{name}` slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub key: &'static str,
    pub parts: Vec<(&'static str, Part)>,
}

impl Sentence {
    fn new(key: &'static str) -> Sentence {
        Sentence {
            key,
            parts: Vec::new(),
        }
    }

    fn text(mut self, name: &'static str, value: impl Into<String>) -> Sentence {
        self.parts.push((name, Part::Text(value.into())));
        self
    }

    fn field(mut self, field: RequiredField) -> Sentence {
        self.parts.push(("field", Part::Key(field_key(field))));
        self
    }

    fn time(mut self, name: &'static str, at: Timestamp) -> Sentence {
        self.parts.push((name, Part::Time(at)));
        self
    }
}

/// Every key [`history_sentence`] and [`channel_state_sentence`] can choose (the console's
/// catalogues must hold each).
pub const SENTENCE_KEYS: &[&str] = &[
    "history_created",
    "history_checkpoint",
    "history_tn",
    "history_tn_carrier",
    "history_tn_local",
    "history_tn_local_carrier",
    "history_registered",
    "history_registered_carrier",
    "history_deferred",
    "channel_state_never",
    "channel_state_waiting_tn",
    "channel_state_waiting_movement",
    "channel_state_waiting_until",
    "channel_state_held_at",
    "channel_state_held_pickup",
    "channel_state_held_pickup_expected",
    "channel_state_deadline_missed",
    "channel_state_confirmed",
    "channel_state_conflict",
];

/// One line of a shipment's history: when it was recorded and what happened. `checkpoints`
/// are the shipment's own (from its creation), which name a reached checkpoint.
pub fn history_sentence(event: &ShipmentEvent, checkpoints: &[CheckpointDef]) -> Sentence {
    match event {
        ShipmentEvent::Created {
            order_ref, channel, ..
        } => Sentence::new("history_created")
            .text("order", order_ref.clone())
            .text(
                "channel",
                channel
                    .as_ref()
                    .map_or_else(|| "manual".to_string(), |c| c.to_string()),
            ),
        ShipmentEvent::CheckpointReached { index, at, .. } => {
            let label = checkpoints
                .get(*index)
                .map_or_else(|| format!("#{}", index + 1), |c| c.label.clone());
            Sentence::new("history_checkpoint")
                .text("checkpoint", label)
                .time("at", *at)
        }
        ShipmentEvent::TrackingAttached {
            tracking_number,
            slug,
            role,
            ..
        } => Sentence::new(match (role, slug) {
            (TrackingRole::Default, None) => "history_tn",
            (TrackingRole::Default, Some(_)) => "history_tn_carrier",
            (TrackingRole::Local, None) => "history_tn_local",
            (TrackingRole::Local, Some(_)) => "history_tn_local_carrier",
        })
        .text("tn", tracking_number.to_string())
        .text(
            "carrier",
            slug.as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ),
        ShipmentEvent::CarrierRegistered { slug, .. } => match slug {
            None => Sentence::new("history_registered"),
            Some(slug) => Sentence::new("history_registered_carrier").text("carrier", slug.clone()),
        },
        ShipmentEvent::RegistrationDeferred {
            reason, retry_at, ..
        } => Sentence::new("history_deferred")
            .text("reason", reason.clone())
            .time("retry", *retry_at),
    }
}

/// The catalogue key of a field's name (`field_imei`).
pub fn field_key(field: RequiredField) -> &'static str {
    match field {
        RequiredField::Imei => "field_imei",
    }
}

/// Where the shipment's ship confirmation stands, as one sentence.
pub fn channel_state_sentence(state: &ChannelState) -> Sentence {
    match state {
        ChannelState::Never => Sentence::new("channel_state_never"),
        ChannelState::Waiting { reason, until } => {
            let key = match (reason, until) {
                (WaitReason::NoTrackingNumber, None) => "channel_state_waiting_tn",
                (WaitReason::NoMovement, None) => "channel_state_waiting_movement",
                (_, Some(_)) => "channel_state_waiting_until",
            };
            let sentence = Sentence::new(key);
            match until {
                Some(at) => sentence.time("until", *at),
                None => sentence,
            }
        }
        ChannelState::Held { field, deadline } => match deadline {
            Deadline::At { at } => Sentence::new("channel_state_held_at")
                .field(*field)
                .time("deadline", *at),
            Deadline::Pickup { expected: None } => {
                Sentence::new("channel_state_held_pickup").field(*field)
            }
            Deadline::Pickup { expected: Some(at) } => {
                Sentence::new("channel_state_held_pickup_expected")
                    .field(*field)
                    .time("deadline", *at)
            }
        },
        ChannelState::DeadlineMissed { field, deadline } => {
            Sentence::new("channel_state_deadline_missed")
                .field(*field)
                .time("deadline", *deadline)
        }
        ChannelState::Confirmed => Sentence::new("channel_state_confirmed"),
        ChannelState::Conflict { attempted } => {
            Sentence::new("channel_state_conflict").text("tn", attempted.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_only_filters_and_encodes() {
        let form = FindForm {
            q: "  1z 999 aa1 ".into(),
            stages: vec![Stage::Shipped, Stage::Delivered],
            channel: "shopify:acme.myshopify.com".into(),
            created_from: day_start("2026-11-01", -300, false),
            sort: "-updated".into(),
            ..FindForm::default()
        };
        assert_eq!(
            form.query(Some("abc"), Some(50)),
            "q=1z%20999%20aa1&stage=shipped&stage=delivered&channel=shopify%3Aacme.myshopify.com\
             &created_from=2026-11-01T00%3A00%3A00-05%3A00&sort=-updated&cursor=abc&limit=50"
        );
        assert_eq!(FindForm::default().query(None, None), "");
    }

    #[test]
    fn export_names_visible_columns() {
        let form = FindForm {
            alert: "any".into(),
            ..FindForm::default()
        };
        assert_eq!(
            form.export_query(&[Column::Itn, Column::Stage]),
            "alert=any&columns=itn,stage"
        );
        assert_eq!(
            FindForm::default().export_query(&[Column::Itn]),
            "columns=itn"
        );
    }

    #[test]
    fn columns_round_trip_and_defaults() {
        assert_eq!(parse_columns(None), DEFAULT_COLUMNS.to_vec());
        assert_eq!(parse_columns(Some("bogus,,")), DEFAULT_COLUMNS.to_vec());
        assert_eq!(
            parse_columns(Some("stage, itn,stage")),
            vec![Column::Itn, Column::Stage]
        );
        let cols = toggle_column(&[Column::Itn], Column::Carrier, true);
        assert_eq!(cols, vec![Column::Itn, Column::Carrier]);
        assert_eq!(parse_columns(Some(&columns_param(&cols))), cols);
        assert_eq!(
            toggle_column(&[Column::Itn], Column::Itn, false),
            vec![Column::Itn]
        );
    }

    #[test]
    fn day_bounds() {
        assert_eq!(
            day_start("2026-12-31", 60, true).as_deref(),
            Some("2027-01-01T00:00:00+01:00")
        );
        assert_eq!(
            day_start("2026-03-01", 0, false).as_deref(),
            Some("2026-03-01T00:00:00+00:00")
        );
        assert_eq!(day_start("31/12/2026", 0, false), None);
    }

    #[test]
    fn moves() {
        let mut list = vec![1, 2, 3];
        move_entry(&mut list, 0, true);
        assert_eq!(list, [1, 2, 3]);
        move_entry(&mut list, 0, false);
        assert_eq!(list, [2, 1, 3]);
        move_entry(&mut list, 2, false);
        assert_eq!(list, [2, 1, 3]);
        move_entry(&mut list, 2, true);
        assert_eq!(list, [2, 3, 1]);
    }

    #[test]
    fn headers_sort_descending_first_then_flip() {
        // (current sort, header clicked, its aria-sort before, the sort after)
        let table = [
            ("", "created", Some(true), "created"),
            ("created", "created", Some(false), ""),
            ("-created", "created", Some(true), "created"),
            ("", "stage", None, "-stage"),
            ("-stage", "stage", Some(true), "stage"),
            ("stage", "stage", Some(false), "-stage"),
            ("stage", "updated", None, "-updated"),
            ("-updated", "created", None, ""),
        ];
        for (sort, key, before, after) in table {
            assert_eq!(sorted_by(sort, key), before, "{sort:?} by {key}");
            assert_eq!(toggled_sort(sort, key), after, "{sort:?} then {key}");
        }
        let sortable: Vec<&str> = Column::ALL.into_iter().filter_map(sort_key).collect();
        assert_eq!(sortable, ["stage", "created", "updated"]);
        assert_eq!(confirmation_names().count(), 6);
        let form = FindForm {
            confirmation: "deadline_missed".into(),
            ..FindForm::default()
        };
        assert_eq!(form.query(None, None), "confirmation=deadline_missed");
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn history_reads_as_sentences() {
        use crate::shipment::ReachedBy;
        let checkpoints = vec![CheckpointDef {
            label: "Packed".into(),
            reached_by: ReachedBy::Label,
        }];
        let t = at("2026-11-20T10:00:00Z");
        let tn: crate::ids::TrackingNumber = "1Z999AA10123456784".parse().unwrap();
        let text = |s: &str| Part::Text(s.into());
        // (event, key, parts)
        let table = vec![
            (
                ShipmentEvent::Created {
                    at: t,
                    order_ref: "#1001".into(),
                    fulfillment_ref: None,
                    checkpoints: checkpoints.clone(),
                    channel: None,
                },
                "history_created",
                vec![("order", text("#1001")), ("channel", text("manual"))],
            ),
            (
                ShipmentEvent::CheckpointReached {
                    index: 0,
                    at: t,
                    recorded_at: t,
                },
                "history_checkpoint",
                vec![("checkpoint", text("Packed")), ("at", Part::Time(t))],
            ),
            (
                ShipmentEvent::CheckpointReached {
                    index: 4,
                    at: t,
                    recorded_at: t,
                },
                "history_checkpoint",
                vec![("checkpoint", text("#5")), ("at", Part::Time(t))],
            ),
            (
                ShipmentEvent::TrackingAttached {
                    tracking_number: tn.clone(),
                    slug: Some("ups".parse().unwrap()),
                    at: t,
                    role: TrackingRole::Local,
                },
                "history_tn_local_carrier",
                vec![("tn", text("1Z999AA10123456784")), ("carrier", text("ups"))],
            ),
            (
                ShipmentEvent::TrackingAttached {
                    tracking_number: tn,
                    slug: None,
                    at: t,
                    role: TrackingRole::Default,
                },
                "history_tn",
                vec![("tn", text("1Z999AA10123456784")), ("carrier", text(""))],
            ),
            (
                ShipmentEvent::CarrierRegistered {
                    aftership_id: "abc".into(),
                    slug: None,
                    at: t,
                    role: TrackingRole::Default,
                },
                "history_registered",
                vec![],
            ),
            (
                ShipmentEvent::RegistrationDeferred {
                    at: t,
                    reason: "AfterShip unavailable".into(),
                    retry_at: t,
                    role: TrackingRole::Default,
                },
                "history_deferred",
                vec![
                    ("reason", text("AfterShip unavailable")),
                    ("retry", Part::Time(t)),
                ],
            ),
        ];
        for (event, key, parts) in table {
            let sentence = history_sentence(&event, &checkpoints);
            assert_eq!(sentence, Sentence { key, parts }, "{event:?}");
        }
    }

    #[test]
    fn channel_states_read_as_sentences() {
        use crate::channels::RequiredField;
        let t = at("2026-11-20T10:00:00Z");
        let table = [
            (ChannelState::Never, "channel_state_never", 0),
            (
                ChannelState::Waiting {
                    reason: WaitReason::NoTrackingNumber,
                    until: None,
                },
                "channel_state_waiting_tn",
                0,
            ),
            (
                ChannelState::Waiting {
                    reason: WaitReason::NoMovement,
                    until: None,
                },
                "channel_state_waiting_movement",
                0,
            ),
            (
                ChannelState::Waiting {
                    reason: WaitReason::NoMovement,
                    until: Some(t),
                },
                "channel_state_waiting_until",
                1,
            ),
            (
                ChannelState::Held {
                    field: RequiredField::Imei,
                    deadline: Deadline::At { at: t },
                },
                "channel_state_held_at",
                2,
            ),
            (
                ChannelState::Held {
                    field: RequiredField::Imei,
                    deadline: Deadline::Pickup { expected: None },
                },
                "channel_state_held_pickup",
                1,
            ),
            (
                ChannelState::DeadlineMissed {
                    field: RequiredField::Imei,
                    deadline: t,
                },
                "channel_state_deadline_missed",
                2,
            ),
            (ChannelState::Confirmed, "channel_state_confirmed", 0),
            (
                ChannelState::Conflict {
                    attempted: "1Z999AA10123456784".parse().unwrap(),
                },
                "channel_state_conflict",
                1,
            ),
        ];
        for (state, key, slots) in table {
            let sentence = channel_state_sentence(&state);
            assert_eq!(
                (sentence.key, sentence.parts.len()),
                (key, slots),
                "{state:?}"
            );
        }
    }

    #[test]
    fn every_sentence_key_is_listed() {
        // Scan the two describers' source for the keys they can choose.
        let source = include_str!("console.rs");
        let start = source.find("pub fn history_sentence").unwrap();
        let end = source.find("#[cfg(test)]").unwrap();
        let chosen: Vec<&str> = source[start..end]
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| s.starts_with("history_") || s.starts_with("channel_state_"))
            .collect();
        assert_eq!(chosen.len(), SENTENCE_KEYS.len());
        for key in chosen {
            assert!(SENTENCE_KEYS.contains(&key), "{key}");
        }
    }

    #[test]
    fn snippet_and_links() {
        assert!(embed_snippet("https://edge.example/", "acme")
            .contains("src=\"https://edge.example/widget/embed.js\""));
        assert_eq!(track_path("acme", "1Z 9"), "/t/acme/1Z%209");
        assert_eq!(alert_names().count(), 5);
    }
}
