//! CSV export of "Find Orders": RFC 4180 lines that a spreadsheet opens cleanly and never
//! reads as formulas.
//!
//! The edge streams an export as [`BOM`] + [`csv_header`] in the first chunk, then
//! [`csv_row`] for every row of every page (see [`crate::find::ShipmentQuery::next_page`]).
//! Every line ends in CRLF. A cell is quoted when it holds `"`, `,`, `;`, CR or LF, or starts
//! or ends with whitespace; quotes inside are doubled. `;` is quoted too because spreadsheets
//! in many locales split on it. A cell that a spreadsheet would read as a formula gets a
//! leading `'` (see [`neutralise`]).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::find::{alert_name, echo, stage_name, ShipmentRow};
use crate::time::Timestamp;

/// The byte-order mark Excel needs to read the file as UTF-8. Prepend it to the first chunk.
pub const BOM: &str = "\u{FEFF}";

/// An exportable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Itn,
    TrackingNumbers,
    OrderRef,
    Channel,
    Carrier,
    Stage,
    LatestEvent,
    Alert,
    Confirmation,
    Created,
    Updated,
}

/// `columns` named something that is not a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a column: use itn, tracking_numbers, order_ref, channel, carrier, stage, latest_event, alert, confirmation, created or updated")]
pub struct UnknownColumn(pub String);

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Itn,
        Column::TrackingNumbers,
        Column::OrderRef,
        Column::Channel,
        Column::Carrier,
        Column::Stage,
        Column::LatestEvent,
        Column::Alert,
        Column::Confirmation,
        Column::Created,
        Column::Updated,
    ];

    /// The columns exported when `columns` is left out: the order first, then where it is.
    pub const DEFAULT: [Column; 9] = [
        Column::OrderRef,
        Column::Itn,
        Column::TrackingNumbers,
        Column::Carrier,
        Column::Stage,
        Column::Alert,
        Column::LatestEvent,
        Column::Created,
        Column::Updated,
    ];

    /// The name used in `columns=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Column::Itn => "itn",
            Column::TrackingNumbers => "tracking_numbers",
            Column::OrderRef => "order_ref",
            Column::Channel => "channel",
            Column::Carrier => "carrier",
            Column::Stage => "stage",
            Column::LatestEvent => "latest_event",
            Column::Alert => "alert",
            Column::Confirmation => "confirmation",
            Column::Created => "created",
            Column::Updated => "updated",
        }
    }

    /// The header people read in the spreadsheet (English).
    pub fn header(self) -> &'static str {
        match self {
            Column::Itn => "Waymark tracking number",
            Column::TrackingNumbers => "Carrier tracking numbers",
            Column::OrderRef => "Order",
            Column::Channel => "Sales channel",
            Column::Carrier => "Carrier",
            Column::Stage => "Stage",
            Column::LatestEvent => "Latest event",
            Column::Alert => "Alert",
            Column::Confirmation => "Ship confirmation",
            Column::Created => "Created (UTC)",
            Column::Updated => "Updated (UTC)",
        }
    }

    /// The row's cell in this column, before CSV quoting. Absent values are empty; tracking
    /// numbers are separated by spaces; times are `YYYY-MM-DD HH:MM:SS` in UTC, which
    /// spreadsheets read as date and time.
    pub fn cell(self, row: &ShipmentRow) -> String {
        match self {
            Column::Itn => row.itn_display(),
            Column::TrackingNumbers => row.tracking_numbers.join(" "),
            Column::OrderRef => row.order_ref.clone(),
            Column::Channel => row.channel.clone(),
            Column::Carrier => row.carrier.clone().unwrap_or_default(),
            Column::Stage => stage_name(row.stage).to_string(),
            Column::LatestEvent => row.latest.clone().unwrap_or_default(),
            Column::Alert => row.alert.map(alert_name).unwrap_or_default().to_string(),
            Column::Confirmation => row
                .confirmation
                .map(|c| c.as_str())
                .unwrap_or_default()
                .to_string(),
            Column::Created => spreadsheet_time(row.created_at),
            Column::Updated => spreadsheet_time(row.updated_at),
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Column {
    type Err = UnknownColumn;
    fn from_str(input: &str) -> Result<Column, UnknownColumn> {
        Column::ALL
            .into_iter()
            .find(|c| c.as_str() == input)
            .ok_or_else(|| UnknownColumn(echo(input)))
    }
}

/// `2026-11-20T09:00:00.250Z` → `2026-11-20 09:00:00` (whole seconds, UTC).
fn spreadsheet_time(t: Timestamp) -> String {
    let text = t.to_string();
    text.get(..19)
        .map_or(text.clone(), |head| head.replacen('T', " ", 1))
}

/// Whether a spreadsheet could read the cell as a formula: it starts with `=`, `+`, `-`, `@`,
/// tab or CR, or with one of `=+-@` (or their full-width forms `＝＋－＠`) after leading
/// whitespace.
pub fn is_formula_like(cell: &str) -> bool {
    if cell.starts_with(['\t', '\r']) {
        return true;
    }
    cell.trim_start().starts_with([
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ])
}

/// Prefixes a formula-like cell with `'` (OWASP's CSV injection advice); other cells are
/// unchanged. Cells in this export are never numbers, so nothing legitimate is lost.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if is_formula_like(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// One field: neutralised, then quoted per RFC 4180 when needed.
pub fn csv_field(cell: &str) -> String {
    let cell = neutralise(cell);
    let needs_quotes = cell.contains(['"', ',', ';', '\r', '\n'])
        || cell.starts_with(char::is_whitespace)
        || cell.ends_with(char::is_whitespace);
    if needs_quotes {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

/// One CSV line of the cells, ending in CRLF.
pub fn csv_line(cells: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut line = cells
        .into_iter()
        .map(|c| csv_field(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The header line for these columns.
pub fn csv_header(columns: &[Column]) -> String {
    csv_line(columns.iter().map(|c| c.header()))
}

/// The line for one row.
pub fn csv_row(columns: &[Column], row: &ShipmentRow) -> String {
    csv_line(columns.iter().map(|c| c.cell(row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip_by_name() {
        for column in Column::ALL {
            assert_eq!(column.as_str().parse::<Column>(), Ok(column));
            assert!(!column.header().is_empty());
        }
        assert_eq!(
            "Order".parse::<Column>().unwrap_err().to_string(),
            "\"Order\" is not a column: use itn, tracking_numbers, order_ref, channel, carrier, stage, latest_event, alert, confirmation, created or updated"
        );
    }

    #[test]
    fn times_read_as_spreadsheet_dates() {
        assert_eq!(
            spreadsheet_time(Timestamp(1_763_629_200_250)),
            "2025-11-20 09:00:00"
        );
        assert_eq!(spreadsheet_time(Timestamp(0)), "1970-01-01 00:00:00");
    }
}
