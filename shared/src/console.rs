//! The merchant console's pure view helpers: the Find Orders query string the grid sends (and
//! the CSV export reuses), the columns a user chose (as remembered in the browser), checkpoint
//! list edits, and the embed snippet. No I/O: the console crate gathers input and renders.

use crate::csv::Column;
use crate::stage::Stage;

/// What the Find Orders form holds. Empty texts mean "no filter".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindForm {
    pub q: String,
    pub stages: Vec<Stage>,
    pub carrier: String,
    pub channel: String,
    /// `""`, `any`, `none` or an alert's wire name.
    pub alert: String,
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
pub const DEFAULT_COLUMNS: [Column; 7] = [
    Column::Itn,
    Column::TrackingNumbers,
    Column::OrderRef,
    Column::Channel,
    Column::Stage,
    Column::Alert,
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

/// Every alert's wire name, for the filter.
pub fn alert_names() -> impl Iterator<Item = &'static str> {
    crate::presentation::ALERTS
        .into_iter()
        .map(crate::presentation::alert_name)
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
    fn snippet_and_links() {
        assert!(embed_snippet("https://edge.example/", "acme")
            .contains("src=\"https://edge.example/widget/embed.js\""));
        assert_eq!(track_path("acme", "1Z 9"), "/t/acme/1Z%209");
        assert_eq!(alert_names().count(), 5);
    }
}
