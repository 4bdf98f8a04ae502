//! "Find Orders": query parsing, the SQL it makes (run against a real SQLite with the edge's
//! schema), keyset paging while shipments arrive, and the CSV export.

use proptest::prelude::*;
use rusqlite::types::Value;
use rusqlite::Connection;
use shared::channels::Confirmation;
use shared::csv::{
    csv_field, csv_header, csv_line, csv_row, is_formula_like, neutralise, Column, BOM,
};
use shared::find::{
    order_key, page, stage_name, Cursor, QueryError, Search, ShipmentQuery, ShipmentRow, Sort,
    SortKey, SqlParam, SqlQuery, StoredRow, MAX_LIMIT,
};
use shared::stage::{Alert, Stage};
use shared::{Itn, Timestamp};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn parse(query: &str) -> ShipmentQuery {
    ShipmentQuery::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// A distinct ITN per number (spaced far apart, so `Itn::from_random`'s nudge never collides).
fn itn(n: u64) -> Itn {
    let value = n * 7919 + 1_000_003;
    let mut bytes = [0u8; 9];
    bytes[1..].copy_from_slice(&value.to_be_bytes());
    Itn::from_random(bytes)
}

/// The non-default parts of a query, compactly.
fn summary(q: &ShipmentQuery) -> String {
    let mut parts = Vec::new();
    match q.search() {
        None => {}
        Some(Search::Itn(itn)) => parts.push(format!("itn={itn}")),
        Some(Search::Text {
            tn_key,
            order_prefix,
            bare_itn,
        }) => {
            let mut text = format!("tn={tn_key} order={order_prefix}");
            if let Some(itn) = bare_itn {
                text.push_str(&format!(" or itn={itn}"));
            }
            parts.push(text);
        }
    }
    let join = |items: Vec<String>| items.join("|");
    if !q.stages().is_empty() {
        let names = q.stages().iter().map(|s| stage_name(*s).to_string());
        parts.push(format!("stages={}", join(names.collect())));
    }
    if !q.carriers().is_empty() {
        let mut names: Vec<String> = q
            .carriers()
            .slugs
            .iter()
            .map(|s| s.as_str().into())
            .collect();
        if q.carriers().none {
            names.push("none".into());
        }
        parts.push(format!("carriers={}", join(names)));
    }
    if !q.channels().is_empty() {
        parts.push(format!("channels={:?}", q.channels()));
    }
    if !q.alerts().is_empty() {
        let mut names: Vec<String> = q
            .alerts()
            .alerts
            .iter()
            .map(|a| shared::find::alert_name(*a).into())
            .collect();
        if q.alerts().any {
            names.push("any".into());
        }
        if q.alerts().none {
            names.push("none".into());
        }
        parts.push(format!("alerts={}", join(names)));
    }
    for (name, range) in [("created", q.created()), ("updated", q.updated())] {
        if range.from.is_some() || range.to.is_some() {
            let show = |t: Option<Timestamp>| t.map_or("…".to_string(), |t| t.to_string());
            parts.push(format!("{name}=[{},{})", show(range.from), show(range.to)));
        }
    }
    if q.sort() != Sort::DEFAULT {
        parts.push(format!("sort={}", q.sort()));
    }
    if q.limit() != 50 {
        parts.push(format!("limit={}", q.limit()));
    }
    if q.columns() != Column::DEFAULT {
        let names = q.columns().iter().map(|c| c.as_str().to_string());
        parts.push(format!("columns={}", join(names.collect())));
    }
    if let Some(cursor) = q.cursor() {
        parts.push(format!("cursor=({},{})", cursor.value(), cursor.seq()));
    }
    parts.join(" ")
}

fn row(n: i64) -> ShipmentRow {
    ShipmentRow {
        itn: itn(n as u64).compact(),
        seq: n,
        order_ref: format!("#{}", 1000 + n),
        channel: "manual".into(),
        carrier: Some("ups".into()),
        stage: Stage::Shipped,
        alert: None,
        created_at: Timestamp(1_763_629_200_000 + n * 60_000),
        updated_at: Timestamp(1_763_629_200_000 + n * 120_000),
        tracking_numbers: vec![format!("1Z{n:06}")],
        latest: Some("In transit".into()),
        confirmation: None,
    }
}

/// A typed-as-sent ITN with a wrong check character.
fn itn_with_typo() -> String {
    let good = itn(3).to_string();
    let mut bytes = good.into_bytes();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

#[test]
fn good_queries_parse_to_what_they_say() {
    let grouped = itn(7).to_string();
    let sloppy = grouped.to_lowercase().replace('-', "+");
    let bare = itn(7).compact();
    let table: Vec<(String, String)> = vec![
        (String::new(), String::new()),
        ("?".into(), String::new()),
        ("&&q=&stage=&".into(), String::new()),
        ("q=%231001".into(), "tn=#1001 order=#1001".into()),
        ("q=+1z999+aa1+".into(), "tn=1Z999AA1 order=1z999aa1".into()),
        (
            "q=Caf%C3%A9+%C3%89t%C3%A9".into(),
            "tn=CAFéÉTé order=caféété".into(),
        ),
        (format!("q={grouped}"), format!("itn={grouped}")),
        (format!("q={sloppy}"), format!("itn={grouped}")),
        (
            format!("q={bare}"),
            format!("tn={bare} order={} or itn={grouped}", bare.to_lowercase()),
        ),
        (
            "stage=shipped,delivered&stage=shipped".into(),
            "stages=shipped|delivered".into(),
        ),
        (
            "stage=out_for_delivery,+ordered".into(),
            "stages=out_for_delivery|ordered".into(),
        ),
        (
            "carrier=ups&carrier=none,dhl".into(),
            "carriers=ups|dhl|none".into(),
        ),
        (
            "channel=shopify%3Aacme.myshopify.com&channel=a,b".into(),
            r#"channels=["shopify:acme.myshopify.com", "a,b"]"#.into(),
        ),
        (
            "alert=exception,any&alert=none".into(),
            "alerts=exception|any|none".into(),
        ),
        (
            "created_from=2026-11-20T10:00:00%2B01:00&created_to=2026-11-21T00:00:00Z".into(),
            "created=[2026-11-20T09:00:00Z,2026-11-21T00:00:00Z)".into(),
        ),
        (
            "updated_from=2026-11-20T10:00:00+01:00".into(),
            "updated=[2026-11-20T09:00:00Z,…)".into(),
        ),
        (
            "updated_to=2026-11-20T10:00:00-05:00".into(),
            "updated=[…,2026-11-20T15:00:00Z)".into(),
        ),
        ("sort=stage".into(), "sort=stage".into()),
        ("sort=-updated".into(), "sort=-updated".into()),
        ("sort=-created".into(), String::new()),
        ("limit=1".into(), "limit=1".into()),
        ("limit=200".into(), "limit=200".into()),
        ("columns=itn,+stage".into(), "columns=itn|stage".into()),
        ("col%75mns=created".into(), "columns=created".into()),
    ];
    for (query, expected) in &table {
        assert_eq!(summary(&parse(query)), *expected, "query {query:?}");
    }
    assert_eq!(parse("").columns(), &Column::DEFAULT, "the default columns");
}

#[test]
fn bad_queries_are_refused_with_a_message_to_act_on() {
    let typo = itn_with_typo();
    let created_cursor = Cursor::after(&row(1), Sort::DEFAULT).to_string();
    let twenty_one = vec!["shipped"; 21].join(",");
    let table: Vec<(String, String)> = vec![
        ("bogus=1".into(), "unknown parameter \"bogus\": the parameters are q, stage, carrier, channel, alert, confirmation, created_from, created_to, updated_from, updated_to, sort, limit, cursor and columns".into()),
        ("Q=x".into(), "unknown parameter \"Q\": the parameters are q, stage, carrier, channel, alert, confirmation, created_from, created_to, updated_from, updated_to, sort, limit, cursor and columns".into()),
        ("q=a&q=b".into(), "q is given more than once, but it takes one value".into()),
        ("sort=stage&sort=".into(), "sort is given more than once, but it takes one value".into()),
        (format!("q={}", "a".repeat(101)), "q must be at most 100 characters, not 101".into()),
        ("q=%0Aabc".into(), "q must not contain control characters or invisible formatting characters (such as bidirectional overrides)".into()),
        ("channel=a%E2%80%AEb".into(), "channel must not contain control characters or invisible formatting characters (such as bidirectional overrides)".into()),
        ("q=%ZZ".into(), "\"%ZZ\" is not valid percent-encoding: write %XX with two hex digits (a literal % is %25)".into()),
        ("q=100%".into(), "\"%\" is not valid percent-encoding: write %XX with two hex digits (a literal % is %25)".into()),
        ("q=%C3".into(), "the query string is not UTF-8 once percent-decoded: encode each byte of a UTF-8 character as %XX".into()),
        (format!("q={typo}"), format!("q has the shape of a Waymark tracking number (WM-…), but the tracking number {typo} has a typo: its last character does not match (check each character)")),
        ("stage=shiped".into(), "\"shiped\" is not a stage: use ordered, prepared, shipped, out_for_delivery or delivered".into()),
        ("stage=Shipped".into(), "\"Shipped\" is not a stage: use ordered, prepared, shipped, out_for_delivery or delivered".into()),
        (format!("stage={twenty_one}"), "stage takes at most 20 values".into()),
        (format!("channel={}", vec!["c"; 21].join("&channel=")), "channel takes at most 20 values".into()),
        (format!("channel={}", "c".repeat(201)), "a channel must be at most 200 characters, not 201".into()),
        ("carrier=UPS".into(), "carrier: the carrier slug cannot contain 'U' (position 0) (or use none for shipments without a carrier)".into()),
        ("alert=late".into(), "\"late\" is not an alert filter: use any, none, attempt_failed, available_for_pickup, exception, return_to_sender or expired".into()),
        ("created_from=2026-11-20".into(), "created_from: \"2026-11-20\" is not an RFC 3339 time with an offset, like 2026-11-20T09:00:00Z or 2026-11-20T10:00:00+01:00".into()),
        // RFC 3339 separates date and time with T: a space (or a `+` read as one) is refused.
        ("updated_to=2026-11-20+10:00:00-05:00".into(), "updated_to: \"2026-11-20 10:00:00-05:00\" is not an RFC 3339 time with an offset, like 2026-11-20T09:00:00Z or 2026-11-20T10:00:00+01:00".into()),
        ("updated_to=1999-12-31T00:00:00Z".into(), "updated_to: \"1999-12-31T00:00:00Z\" is outside the years 2000 to 2099 (UTC)".into()),
        ("created_from=2026-11-21T00:00:00Z&created_to=2026-11-20T00:00:00Z".into(), "created_from must be earlier than created_to: a range includes its start and excludes its end".into()),
        ("updated_from=2026-11-20T01:00:00%2B01:00&updated_to=2026-11-20T00:00:00Z".into(), "updated_from must be earlier than updated_to: a range includes its start and excludes its end".into()),
        ("sort=newest".into(), "\"newest\" is not a sort: use created, updated or stage, with a leading - for descending (like -created)".into()),
        ("sort=created+desc".into(), "\"created desc\" is not a sort: use created, updated or stage, with a leading - for descending (like -created)".into()),
        ("limit=0".into(), "limit must be a whole number from 1 to 200, not \"0\"".into()),
        ("limit=201".into(), "limit must be a whole number from 1 to 200, not \"201\"".into()),
        ("limit=%2B5".into(), "limit must be a whole number from 1 to 200, not \"+5\"".into()),
        ("limit=ten".into(), "limit must be a whole number from 1 to 200, not \"ten\"".into()),
        ("cursor=abc".into(), "the cursor was not issued by this API or was altered: pass next_cursor exactly as it was given, or leave cursor out to start from the first page".into()),
        (format!("cursor={created_cursor}&sort=stage"), "the cursor belongs to sort=-created, not sort=stage: keep the sort of the page that gave the cursor, or leave cursor out to start again".into()),
        (format!("sort=created&cursor={created_cursor}"), "the cursor belongs to sort=-created, not sort=created: keep the sort of the page that gave the cursor, or leave cursor out to start again".into()),
        ("columns=itn,itn".into(), "columns lists itn more than once".into()),
        ("columns=Order".into(), "columns: \"Order\" is not a column: use itn, tracking_numbers, order_ref, channel, carrier, stage, latest_event, alert, confirmation, created or updated".into()),
        (format!("q={}", "a".repeat(8 * 1024)), "the query string is longer than 8192 bytes".into()),
    ];
    for (query, message) in &table {
        match ShipmentQuery::parse(query) {
            Ok(q) => panic!("{query:?} was accepted as {}", summary(&q)),
            Err(e) => assert_eq!(e.to_string(), *message, "query {query:?}"),
        }
    }
}

#[test]
fn spellings_are_serdes_own() {
    for stage in Stage::ALL {
        let json = serde_json::to_string(&stage).unwrap();
        assert_eq!(json, format!("\"{}\"", stage_name(stage)));
        let parsed = parse(&format!("stage={}", stage_name(stage)));
        assert_eq!(parsed.stages(), &[stage]);
    }
    for alert in [
        Alert::AttemptFailed,
        Alert::AvailableForPickup,
        Alert::Exception,
        Alert::ReturnToSender,
        Alert::Expired,
    ] {
        let name = shared::find::alert_name(alert);
        assert_eq!(
            serde_json::to_string(&alert).unwrap(),
            format!("\"{name}\"")
        );
        assert_eq!(parse(&format!("alert={name}")).alerts().alerts, vec![alert]);
    }
}

#[test]
fn order_keys_fold_case_and_drop_whitespace() {
    let table = [
        ("#1001", "#1001"),
        ("  Order 1001 ", "order1001"),
        ("ÄBC-1", "äbc-1"),
        ("A\tB\u{3000}C", "abc"),
    ];
    for (order_ref, key) in table {
        assert_eq!(order_key(order_ref), key, "{order_ref:?}");
    }
}

proptest! {
    /// Whatever a client encodes, the server decodes the same text.
    #[test]
    fn percent_encoding_round_trips(q in "[ -~é✓€]{1,100}") {
        let encoded: String = q
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let parsed = ShipmentQuery::parse(&format!("q={encoded}")).unwrap();
        let trimmed = q.trim();
        match parsed.search() {
            None => prop_assert!(trimmed.is_empty()),
            Some(Search::Itn(_)) => prop_assert!(Itn::looks_like_itn(trimmed)),
            Some(Search::Text { order_prefix, .. }) => {
                prop_assert_eq!(order_prefix, &order_key(trimmed))
            }
        }
    }

    /// No input makes the parser panic.
    #[test]
    fn parsing_never_panics(query in "[a-z_=&%+,0-9A-F:.\\-]{0,80}") {
        let _ = ShipmentQuery::parse(&query);
    }
}

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

const SELECT: &str = "SELECT itn, seq, order_ref, channel, carrier, stage, alert, created_at, updated_at, tns, latest, confirmation FROM shipments";

fn text(s: &str) -> SqlParam {
    SqlParam::Text(s.into())
}

#[test]
fn queries_become_parameterised_sql() {
    use SqlParam::Int;
    let itn7 = itn(7);
    let table: Vec<(String, String, Vec<SqlParam>)> = vec![
        (
            String::new(),
            format!("{SELECT} ORDER BY created_at DESC, seq DESC LIMIT ?"),
            vec![Int(51)],
        ),
        (
            format!("q={itn7}&limit=10"),
            format!("{SELECT} WHERE itn = ? ORDER BY created_at DESC, seq DESC LIMIT ?"),
            vec![text(&itn7.compact()), Int(11)],
        ),
        (
            "q=1z999+aa1&sort=created".into(),
            format!("{SELECT} WHERE (itn IN (SELECT itn FROM tracking_numbers WHERE tn_key = ?) OR substr(order_key, 1, ?) = ?) ORDER BY created_at ASC, seq ASC LIMIT ?"),
            vec![text("1Z999AA1"), Int(8), text("1z999aa1"), Int(51)],
        ),
        (
            format!("q={}", itn7.compact().to_lowercase()),
            format!("{SELECT} WHERE (itn IN (SELECT itn FROM tracking_numbers WHERE tn_key = ?) OR substr(order_key, 1, ?) = ? OR itn = ?) ORDER BY created_at DESC, seq DESC LIMIT ?"),
            vec![text(&itn7.compact()), Int(14), text(&itn7.compact().to_lowercase()), text(&itn7.compact()), Int(51)],
        ),
        (
            "q=%C3%A9t%C3%A9'+OR+1%3D1--&sort=-stage".into(),
            format!("{SELECT} WHERE (itn IN (SELECT itn FROM tracking_numbers WHERE tn_key = ?) OR substr(order_key, 1, ?) = ?) ORDER BY stage DESC, seq DESC LIMIT ?"),
            vec![text("éTé'OR1=1--"), Int(11), text("été'or1=1--"), Int(51)],
        ),
        (
            "stage=delivered,shipped&carrier=ups,none&channel=amazon&alert=exception&alert=none&sort=updated&limit=200".into(),
            format!("{SELECT} WHERE stage IN (?, ?) AND (carrier IN (?) OR carrier IS NULL) AND channel IN (?) AND (alert IN (?) OR alert IS NULL) ORDER BY updated_at ASC, seq ASC LIMIT ?"),
            vec![Int(4), Int(2), text("ups"), text("amazon"), text("exception"), Int(201)],
        ),
        (
            "alert=any,expired".into(),
            format!("{SELECT} WHERE (alert IS NOT NULL) ORDER BY created_at DESC, seq DESC LIMIT ?"),
            vec![Int(51)],
        ),
        (
            "carrier=none".into(),
            format!("{SELECT} WHERE (carrier IS NULL) ORDER BY created_at DESC, seq DESC LIMIT ?"),
            vec![Int(51)],
        ),
        (
            "created_from=2026-01-01T00:00:00Z&created_to=2026-02-01T00:00:00Z&updated_from=2026-01-15T00:00:00Z&sort=-updated".into(),
            format!("{SELECT} WHERE created_at >= ? AND created_at < ? AND updated_at >= ? ORDER BY updated_at DESC, seq DESC LIMIT ?"),
            vec![
                Int(ts("2026-01-01T00:00:00Z").millis()),
                Int(ts("2026-02-01T00:00:00Z").millis()),
                Int(ts("2026-01-15T00:00:00Z").millis()),
                Int(51),
            ],
        ),
    ];
    for (query, sql, params) in &table {
        let q = parse(query);
        assert_eq!(
            q.to_sql(),
            SqlQuery {
                sql: sql.clone(),
                params: params.clone()
            },
            "query {query:?}"
        );
        assert_eq!(
            sql.matches('?').count(),
            params.len(),
            "one parameter per placeholder in {query:?}"
        );
    }
}

#[test]
fn a_cursor_continues_after_the_last_row_in_the_sorts_direction() {
    use SqlParam::Int;
    let last = row(9);
    let table: Vec<(&str, &str, i64)> = vec![
        (
            "",
            "(created_at < ? OR (created_at = ? AND seq < ?)) ORDER BY created_at DESC, seq DESC",
            last.created_at.millis(),
        ),
        (
            "sort=created",
            "(created_at > ? OR (created_at = ? AND seq > ?)) ORDER BY created_at ASC, seq ASC",
            last.created_at.millis(),
        ),
        (
            "sort=-updated",
            "(updated_at < ? OR (updated_at = ? AND seq < ?)) ORDER BY updated_at DESC, seq DESC",
            last.updated_at.millis(),
        ),
        (
            "sort=updated",
            "(updated_at > ? OR (updated_at = ? AND seq > ?)) ORDER BY updated_at ASC, seq ASC",
            last.updated_at.millis(),
        ),
        (
            "sort=-stage",
            "(stage < ? OR (stage = ? AND seq < ?)) ORDER BY stage DESC, seq DESC",
            2,
        ),
        (
            "sort=stage",
            "(stage > ? OR (stage = ? AND seq > ?)) ORDER BY stage ASC, seq ASC",
            2,
        ),
    ];
    for (sort, tail, value) in table {
        let first = parse(&format!("{sort}&limit=1&stage=shipped"));
        let got = page(vec![row(9), row(8)], &first);
        assert_eq!(got.shipments, vec![row(9)]);
        let cursor = got.next_cursor.expect("a next page");
        assert_eq!((cursor.value(), cursor.seq()), (value, 9), "{sort}");
        let next = parse(&format!("{sort}&limit=1&stage=shipped&cursor={cursor}"));
        assert_eq!(Some(&next), first.next_page(&got).as_ref(), "{sort}");
        let sql = next.to_sql();
        assert_eq!(
            sql.sql,
            format!("{SELECT} WHERE stage IN (?) AND {tail} LIMIT ?"),
            "{sort}"
        );
        assert_eq!(
            sql.params,
            vec![Int(2), Int(value), Int(value), Int(9), Int(2)],
            "{sort}"
        );
    }
}

#[test]
fn a_page_cuts_the_extra_row_and_only_then_has_a_cursor() {
    let q = parse("limit=2");
    let table: Vec<(Vec<i64>, Vec<i64>, bool)> = vec![
        (vec![], vec![], false),
        (vec![5], vec![5], false),
        (vec![5, 4], vec![5, 4], false),
        (vec![5, 4, 3], vec![5, 4], true),
    ];
    for (fetched, shown, more) in table {
        let got = page(fetched.iter().map(|n| row(*n)).collect(), &q);
        let seqs: Vec<i64> = got.shipments.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, shown);
        assert_eq!(got.next_cursor.is_some(), more, "{fetched:?}");
        assert_eq!(q.next_page(&got).is_some(), more);
    }
}

// ---------------------------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------------------------

#[test]
fn cursors_round_trip_for_every_sort() {
    for key in [SortKey::Created, SortKey::Updated, SortKey::Stage] {
        for descending in [false, true] {
            let sort = Sort { key, descending };
            for r in [
                row(0),
                row(1),
                ShipmentRow {
                    seq: i64::MAX,
                    created_at: Timestamp(i64::MIN),
                    updated_at: Timestamp(i64::MAX),
                    ..row(2)
                },
                ShipmentRow {
                    seq: i64::MIN,
                    ..row(3)
                },
            ] {
                let cursor = Cursor::after(&r, sort);
                let text = cursor.to_string();
                assert_eq!(text.len(), 30);
                assert!(
                    text.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                    "{text}"
                );
                assert_eq!(text.parse::<Cursor>(), Ok(cursor));
                let q = parse(&format!("sort={sort}&cursor={text}"));
                assert_eq!(q.cursor(), Some(cursor));
            }
        }
    }
}

#[test]
fn an_altered_cursor_is_a_clear_error_never_a_panic() {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for r in [row(1), row(42)] {
        let good = Cursor::after(&r, Sort::DEFAULT).to_string();
        let mut altered = vec![
            String::new(),
            good[..29].to_string(),
            format!("{good}A"),
            format!("{good}=="),
            good.replace('-', "+"),
            good.to_uppercase(),
            "A".repeat(30),
            "A".repeat(1000),
        ];
        for (i, original) in good.char_indices() {
            for c in ALPHABET.chars().filter(|c| *c != original) {
                let mut text = good.clone();
                text.replace_range(i..i + 1, &c.to_string());
                altered.push(text);
            }
        }
        for text in altered.into_iter().filter(|t| *t != good) {
            assert_eq!(text.parse::<Cursor>(), Err(QueryError::Cursor), "{text:?}");
        }
    }
}

proptest! {
    #[test]
    fn no_text_panics_the_cursor_reader(text in "\\PC{0,64}") {
        let _ = text.parse::<Cursor>();
    }
}

// ---------------------------------------------------------------------------------------------
// Rows and JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn stored_rows_read_into_typed_rows() {
    let stored = StoredRow {
        itn: itn(5).compact(),
        seq: 5,
        order_ref: "#1005".into(),
        channel: "amazon".into(),
        carrier: None,
        stage: 3,
        alert: Some("attempt_failed".into()),
        created_at: 1_763_629_200_000,
        updated_at: 1_763_629_260_500,
        tns: "1Z1 JD2".into(),
        latest: None,
        confirmation: Some("deadline_missed".into()),
    };
    let row = ShipmentRow::try_from(stored.clone()).unwrap();
    assert_eq!(row.stage, Stage::OutForDelivery);
    assert_eq!(row.alert, Some(Alert::AttemptFailed));
    assert_eq!(row.tracking_numbers, vec!["1Z1", "JD2"]);
    assert_eq!(row.confirmation, Some(Confirmation::DeadlineMissed));
    assert_eq!(row.itn_display(), itn(5).to_string());
    assert_eq!(
        ShipmentRow::try_from(StoredRow {
            tns: String::new(),
            ..stored.clone()
        })
        .unwrap()
        .tracking_numbers,
        Vec::<String>::new()
    );
    let table: Vec<(StoredRow, &str)> = vec![
        (
            StoredRow {
                stage: 5,
                ..stored.clone()
            },
            "stage 5 is not a step from 0 to 4",
        ),
        (
            StoredRow {
                stage: -1,
                ..stored.clone()
            },
            "stage -1 is not a step from 0 to 4",
        ),
        (
            StoredRow {
                alert: Some("late".into()),
                ..stored.clone()
            },
            "\"late\" is not an alert",
        ),
        (
            StoredRow {
                confirmation: Some("sent".into()),
                ..stored.clone()
            },
            "\"sent\" is not a confirmation state",
        ),
    ];
    for (bad, message) in table {
        let err = ShipmentRow::try_from(bad).unwrap_err().to_string();
        assert_eq!(err, format!("stored row {}: {message}", stored.itn));
    }
    // A row from a Durable Object cursor (a JSON-like object) deserialises directly.
    let json = serde_json::json!({
        "itn": itn(5).compact(), "seq": 5, "order_ref": "#1005", "channel": "amazon",
        "carrier": null, "stage": 3, "alert": "attempt_failed", "created_at": 1_763_629_200_000_i64,
        "updated_at": 1_763_629_260_500_i64, "tns": "1Z1 JD2", "latest": null,
        "confirmation": "deadline_missed"
    });
    assert_eq!(serde_json::from_value::<StoredRow>(json).unwrap(), stored);
}

#[test]
fn rows_answer_json_with_grouped_itns_and_rfc3339_times() {
    let mut r = row(4);
    r.alert = Some(Alert::Exception);
    r.confirmation = Some(Confirmation::Held);
    let q = parse("limit=1");
    let answer = serde_json::to_value(page(vec![r.clone(), row(3)], &q)).unwrap();
    let cursor = Cursor::after(&r, Sort::DEFAULT).to_string();
    assert_eq!(
        answer,
        serde_json::json!({
            "shipments": [{
                "itn": itn(4).to_string(),
                "order_ref": "#1004",
                "channel": "manual",
                "carrier": "ups",
                "stage": "shipped",
                "alert": "exception",
                "tracking_numbers": ["1Z000004"],
                "latest_event": "In transit",
                "confirmation": "held",
                "created_at": "2025-11-20T09:04:00Z",
                "updated_at": "2025-11-20T09:08:00Z",
            }],
            "next_cursor": cursor,
        })
    );
    let last = serde_json::to_value(page(vec![], &q)).unwrap();
    assert_eq!(
        last,
        serde_json::json!({"shipments": [], "next_cursor": null})
    );
}

// ---------------------------------------------------------------------------------------------
// Against SQLite, with the edge's schema
// ---------------------------------------------------------------------------------------------

const SCHEMA: &str = "
CREATE TABLE shipments (
  itn TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, order_ref TEXT NOT NULL,
  order_key TEXT NOT NULL, channel TEXT NOT NULL, carrier TEXT, stage INTEGER NOT NULL,
  alert TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, tns TEXT NOT NULL,
  latest TEXT, record TEXT NOT NULL, confirmation TEXT
);
CREATE TABLE tracking_numbers (tn_key TEXT PRIMARY KEY, itn TEXT NOT NULL, role TEXT NOT NULL);
";

fn database() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    conn
}

fn insert(conn: &Connection, r: &ShipmentRow) {
    conn.execute(
        "INSERT INTO shipments (itn, seq, order_ref, order_key, channel, carrier, stage, alert, created_at, updated_at, tns, latest, record, confirmation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, '{}', ?13)",
        rusqlite::params![
            r.itn,
            r.seq,
            r.order_ref,
            order_key(&r.order_ref),
            r.channel,
            r.carrier,
            i64::from(r.stage.step()),
            r.alert.map(shared::find::alert_name),
            r.created_at.millis(),
            r.updated_at.millis(),
            r.tracking_numbers.join(" "),
            r.latest,
            r.confirmation.map(Confirmation::as_str),
        ],
    )
    .unwrap();
    for tn in &r.tracking_numbers {
        conn.execute(
            "INSERT INTO tracking_numbers (tn_key, itn, role) VALUES (?1, ?2, 'current')",
            rusqlite::params![tn.to_ascii_uppercase(), r.itn],
        )
        .unwrap();
    }
}

fn run(conn: &Connection, query: &SqlQuery) -> Vec<ShipmentRow> {
    let mut statement = conn.prepare(&query.sql).unwrap();
    let params = query.params.iter().map(|p| match p {
        SqlParam::Int(i) => Value::Integer(*i),
        SqlParam::Text(t) => Value::Text(t.clone()),
    });
    statement
        .query_map(rusqlite::params_from_iter(params), |r| {
            Ok(StoredRow {
                itn: r.get(0)?,
                seq: r.get(1)?,
                order_ref: r.get(2)?,
                channel: r.get(3)?,
                carrier: r.get(4)?,
                stage: r.get(5)?,
                alert: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
                tns: r.get(9)?,
                latest: r.get(10)?,
                confirmation: r.get(11)?,
            })
        })
        .unwrap()
        .map(|r| ShipmentRow::try_from(r.unwrap()).unwrap())
        .collect()
}

fn matches(q: &ShipmentQuery, r: &ShipmentRow) -> bool {
    let keys: Vec<String> = r
        .tracking_numbers
        .iter()
        .map(|t| t.to_ascii_uppercase())
        .collect();
    q.matches(r, &order_key(&r.order_ref), &keys)
}

fn seqs(rows: &[ShipmentRow]) -> Vec<i64> {
    rows.iter().map(|r| r.seq).collect()
}

/// Every page of a query, in order.
fn all_pages(conn: &Connection, query: &ShipmentQuery) -> Vec<ShipmentRow> {
    let mut out = Vec::new();
    let mut query = query.clone();
    for _ in 0..10_000 {
        let got = page(run(conn, &query.to_sql()), &query);
        out.extend(got.shipments.iter().cloned());
        match query.next_page(&got) {
            Some(next) => query = next,
            None => return out,
        }
    }
    panic!("paging never ends: a cursor does not move past its page");
}

#[test]
fn searches_find_by_itn_tn_and_order_in_sqlite() {
    let conn = database();
    let mut rows: Vec<ShipmentRow> = (1..=12).map(row).collect();
    rows[2].tracking_numbers = vec!["1z999aa10123456784".into(), "JD0002".into()];
    rows[3].order_ref = "Order 77-A".into();
    rows[4].tracking_numbers.clear();
    rows[5].order_ref = "#100".into();
    for r in &rows {
        insert(&conn, r);
    }
    let table: Vec<(String, Vec<i64>)> = vec![
        (format!("q={}", itn(7)), vec![7]),
        (
            format!("q={}", itn(7).to_string().to_lowercase().replace('-', "+")),
            vec![7],
        ),
        (format!("q={}", itn(7).compact()), vec![7]),
        ("q=1Z999+AA1+0123456784".into(), vec![3]),
        ("q=jd0002".into(), vec![3]),
        ("q=1Z000008".into(), vec![8]),
        ("q=1Z00000".into(), vec![]),
        ("q=order77-a".into(), vec![4]),
        ("q=ORDER+77".into(), vec![4]),
        ("q=%23100".into(), vec![9, 8, 7, 6, 5, 3, 2, 1]),
        ("q=%23101".into(), vec![12, 11, 10]),
        ("q=%231003&sort=created".into(), vec![3]),
        ("q=%2310".into(), vec![12, 11, 10, 9, 8, 7, 6, 5, 3, 2, 1]),
        ("q=nothing".into(), vec![]),
        ("q='+OR+1%3D1+--".into(), vec![]),
        ("q=%25".into(), vec![]),
        ("q=_".into(), vec![]),
    ];
    for (query, expected) in &table {
        let q = parse(query);
        assert_eq!(seqs(&all_pages(&conn, &q)), *expected, "query {query:?}");
        let expected_by_reference: Vec<i64> = {
            let mut m: Vec<&ShipmentRow> = rows.iter().filter(|r| matches(&q, r)).collect();
            m.sort_by_key(|r| std::cmp::Reverse(r.seq));
            if q.sort()
                == (Sort {
                    key: SortKey::Created,
                    descending: false,
                })
            {
                m.reverse();
            }
            m.iter().map(|r| r.seq).collect()
        };
        assert_eq!(
            expected_by_reference, *expected,
            "reference semantics for {query:?}"
        );
    }
}

#[test]
fn filters_combine_in_sqlite() {
    let conn = database();
    let mut rows: Vec<ShipmentRow> = (1..=8).map(row).collect();
    rows[0].stage = Stage::Delivered;
    rows[1].carrier = None;
    rows[1].stage = Stage::Ordered;
    rows[2].alert = Some(Alert::Exception);
    rows[3].alert = Some(Alert::Expired);
    rows[4].channel = "amazon".into();
    rows[5].carrier = Some("dhl".into());
    for r in &rows {
        insert(&conn, r);
    }
    let t = |n: i64| Timestamp(1_763_629_200_000 + n * 60_000).to_string();
    let table: Vec<(String, Vec<i64>)> = vec![
        ("stage=delivered,ordered".into(), vec![2, 1]),
        ("carrier=none".into(), vec![2]),
        ("carrier=dhl,none".into(), vec![6, 2]),
        ("carrier=ups&stage=shipped".into(), vec![8, 7, 5, 4, 3]),
        ("channel=amazon".into(), vec![5]),
        (
            "channel=manual&channel=amazon&limit=3".into(),
            vec![8, 7, 6, 5, 4, 3, 2, 1],
        ),
        ("alert=any".into(), vec![4, 3]),
        ("alert=expired".into(), vec![4]),
        ("alert=none&stage=shipped&carrier=ups".into(), vec![8, 7, 5]),
        (
            "alert=exception,none&channel=manual&limit=1".into(),
            vec![8, 7, 6, 3, 2, 1],
        ),
        (
            format!("created_from={}&created_to={}", t(3), t(6)),
            vec![5, 4, 3],
        ),
        (format!("created_from={}&sort=created", t(7)), vec![7, 8]),
        (format!("updated_to={}", t(6)), vec![2, 1]),
        (
            format!(
                "updated_from={}&updated_to={}&sort=-updated&limit=1",
                t(6),
                t(11)
            ),
            vec![5, 4, 3],
        ),
        ("sort=stage&limit=2".into(), vec![2, 3, 4, 5, 6, 7, 8, 1]),
        ("sort=-stage&limit=2".into(), vec![1, 8, 7, 6, 5, 4, 3, 2]),
        ("sort=updated&limit=5".into(), vec![1, 2, 3, 4, 5, 6, 7, 8]),
    ];
    for (query, expected) in &table {
        let q = parse(query);
        assert_eq!(seqs(&all_pages(&conn, &q)), *expected, "query {query:?}");
    }
}

/// A generated shipment: small ranges so that ties and every filter value occur.
fn any_row() -> impl Strategy<Value = (usize, usize, usize, usize, i64, i64, usize, usize)> {
    (
        0..4usize,
        0..3usize,
        0..3usize,
        0..5usize,
        0..12i64,
        0..12i64,
        0..6usize,
        0..3usize,
    )
}

fn make_row(seq: i64, spec: (usize, usize, usize, usize, i64, i64, usize, usize)) -> ShipmentRow {
    let (order, channel, carrier, stage, created, updated, alert, tns) = spec;
    let alerts = [
        None,
        None,
        Some(Alert::Exception),
        Some(Alert::Expired),
        Some(Alert::AttemptFailed),
        None,
    ];
    ShipmentRow {
        itn: itn(seq as u64).compact(),
        seq,
        order_ref: format!("#{}{}", ["10", "11", "A ", "1"][order], seq % 3),
        channel: ["manual", "amazon", "shopify:acme.myshopify.com"][channel].into(),
        carrier: [None, Some("ups".into()), Some("dhl".into())][carrier].clone(),
        stage: Stage::ALL[stage],
        alert: alerts[alert],
        created_at: Timestamp(1_763_629_200_000 + created * 60_000),
        updated_at: Timestamp(1_763_629_200_000 + updated * 60_000),
        tracking_numbers: (0..tns)
            .map(|i| format!("{}Z{seq:05}", ["1", "jd"][i]))
            .collect(),
        latest: None,
        // Every state, and none (shipments from before channels were planned).
        confirmation: [
            None,
            Some(Confirmation::Waiting),
            Some(Confirmation::Confirmed),
            Some(Confirmation::DeadlineMissed),
            Some(Confirmation::Never),
        ][(seq % 5) as usize],
    }
}

/// A generated query string.
fn any_query() -> impl Strategy<Value = String> {
    let search = prop_oneof![
        4 => Just(String::new()),
        1 => Just("q=%2310".to_string()),
        1 => Just("q=%231".to_string()),
        1 => Just("q=a".to_string()),
        1 => (0..40i64).prop_map(|n| format!("q=1z{n:05}")),
        1 => (0..40i64).prop_map(|n| format!("q={}", itn(n as u64))),
    ];
    let list = |names: &'static [&'static str], param: &'static str| {
        prop::sample::subsequence(names, 0..=names.len()).prop_map(move |picked| {
            if picked.is_empty() {
                String::new()
            } else {
                format!("{param}={}", picked.join(","))
            }
        })
    };
    (
        search,
        list(
            &[
                "ordered",
                "prepared",
                "shipped",
                "out_for_delivery",
                "delivered",
            ],
            "stage",
        ),
        list(&["ups", "dhl", "none"], "carrier"),
        prop::sample::subsequence(&["manual", "amazon"][..], 0..=2).prop_map(|c| {
            c.iter()
                .map(|c| format!("channel={c}"))
                .collect::<Vec<_>>()
                .join("&")
        }),
        (
            list(&["any", "none", "exception", "expired"], "alert"),
            list(&["waiting", "confirmed", "deadline_missed"], "confirmation"),
        ),
        prop::option::of((0..12i64, 1..12i64)),
        0..6usize,
        1..8u32,
    )
        .prop_map(
            |(q, stage, carrier, channel, (alert, confirmation), range, sort, limit)| {
                let range = range.map_or(String::new(), |(from, len)| {
                    let t = |m: i64| Timestamp(1_763_629_200_000 + m * 60_000).to_string();
                    let field = if from % 2 == 0 { "created" } else { "updated" };
                    format!("{field}_from={}&{field}_to={}", t(from), t(from + len))
                });
                let sort = [
                    "created", "-created", "updated", "-updated", "stage", "-stage",
                ][sort];
                [
                    q,
                    stage,
                    carrier,
                    channel,
                    alert,
                    confirmation,
                    range,
                    format!("sort={sort}"),
                    format!("limit={limit}"),
                ]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("&")
            },
        )
}

fn in_order(sort: Sort, a: &ShipmentRow, b: &ShipmentRow) -> bool {
    let ka = (sort.key.value_of(a), a.seq);
    let kb = (sort.key.value_of(b), b.seq);
    if sort.descending {
        ka > kb
    } else {
        ka < kb
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Paging through a query in SQLite yields exactly the rows the query means, in order,
    /// each once; with shipments arriving between pages, every row that was there from the
    /// start is still seen exactly once and the order never breaks.
    #[test]
    fn pages_concatenate_to_the_whole_sorted_set_while_shipments_arrive(
        initial in prop::collection::vec(any_row(), 0..40),
        arriving in prop::collection::vec((any_row(), 0..3usize), 0..20),
        query in any_query(),
    ) {
        let conn = database();
        let mut table: Vec<ShipmentRow> = Vec::new();
        for spec in initial {
            let r = make_row(table.len() as i64, spec);
            insert(&conn, &r);
            table.push(r);
        }
        let q = ShipmentQuery::parse(&query).unwrap();
        let sort = q.sort();
        let mut expected: Vec<ShipmentRow> = table.iter().filter(|r| matches(&q, r)).cloned().collect();
        expected.sort_by(|a, b| if in_order(sort, a, b) { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater });

        // Without arrivals: exactly the expected rows.
        prop_assert_eq!(seqs(&all_pages(&conn, &q)), seqs(&expected));

        // With arrivals between page fetches.
        let mut arriving = arriving.into_iter();
        let mut seen: Vec<ShipmentRow> = Vec::new();
        let mut current = q.clone();
        for _ in 0..1000 {
            let got = page(run(&conn, &current.to_sql()), &current);
            prop_assert!(got.shipments.len() <= q.limit() as usize);
            if got.next_cursor.is_some() {
                prop_assert_eq!(got.shipments.len(), q.limit() as usize);
            }
            seen.extend(got.shipments.iter().cloned());
            if let Some((spec, count)) = arriving.next() {
                for i in 0..count {
                    let r = make_row(table.len() as i64, spec);
                    let r = ShipmentRow { order_ref: format!("{}{i}", r.order_ref), ..r };
                    insert(&conn, &r);
                    table.push(r);
                }
            }
            match current.next_page(&got) {
                Some(next) => current = next,
                None => break,
            }
        }
        for pair in seen.windows(2) {
            prop_assert!(in_order(sort, &pair[0], &pair[1]), "out of order or repeated: {:?} then {:?}", pair[0].seq, pair[1].seq);
        }
        for r in &seen {
            prop_assert!(matches(&q, r), "row {} does not match", r.seq);
        }
        let seen_seqs = seqs(&seen);
        for r in &expected {
            prop_assert!(seen_seqs.contains(&r.seq), "row {} was skipped", r.seq);
        }
    }
}

#[test]
fn the_largest_page_is_the_limit() {
    let q = parse("").with_limit(10_000);
    assert_eq!(q.limit(), MAX_LIMIT);
    assert_eq!(parse("").with_limit(0).limit(), 1);
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

#[test]
fn fields_are_quoted_per_rfc_4180() {
    let table = [
        ("plain", "plain"),
        ("", ""),
        ("#1001", "#1001"),
        ("ünï ✓ 注文", "ünï ✓ 注文"),
        ("a,b", "\"a,b\""),
        ("a;b", "\"a;b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("\"", "\"\"\"\""),
        ("line\nbreak", "\"line\nbreak\""),
        ("cr\rhere", "\"cr\rhere\""),
        ("crlf\r\n", "\"crlf\r\n\""),
        (" lead", "\" lead\""),
        ("trail ", "\"trail \""),
        ("  ", "\"  \""),
        ("in side", "in side"),
    ];
    for (cell, field) in table {
        assert_eq!(csv_field(cell), field, "{cell:?}");
    }
    assert_eq!(csv_line(["a", "b,c", ""]), "a,\"b,c\",\r\n");
    assert_eq!(csv_line(Vec::<String>::new()), "\r\n");
}

#[test]
fn formula_like_cells_are_neutralised() {
    let table = [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("-05:00", "'-05:00"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\"'\r=1\""),
        ("\n=1", "\"'\n=1\""),
        (" =1", "' =1"),
        ("\u{3000}=1", "'\u{3000}=1"),
        ("＝1", "'＝1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        (
            "=HYPERLINK(\"http://x\",\"y\")",
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        ),
        ("\"=1\"", "\"\"\"=1\"\"\""),
        ("a=1", "a=1"),
        ("1-2", "1-2"),
        ("'=1", "'=1"),
        ("", ""),
    ];
    for (cell, field) in table {
        assert_eq!(csv_field(cell), field, "{cell:?}");
    }
    assert!(is_formula_like("\t"));
    assert!(!is_formula_like(" "));
    assert_eq!(neutralise("ok"), "ok");
}

/// A plain RFC 4180 reader: records end in CRLF, fields are bare or quoted with `""` escapes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' => panic!("a bare quote inside an unquoted field in {text:?}"),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {
                assert_eq!(
                    chars.next(),
                    Some('\n'),
                    "CR without LF outside quotes in {text:?}"
                );
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            '\n' => panic!("LF without CR outside quotes in {text:?}"),
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "unterminated record in {text:?}"
    );
    records
}

proptest! {
    /// Any cells survive a trip through RFC 4180, changed only by the formula guard.
    #[test]
    fn csv_lines_round_trip(cells in prop::collection::vec("[a-z =+\\-@\"',;\r\n\t＝é]{0,8}", 1..6)) {
        let line = csv_line(&cells);
        let records = read_csv(&line);
        prop_assert_eq!(records.len(), 1);
        let expected: Vec<String> = cells.iter().map(|c| neutralise(c).into_owned()).collect();
        prop_assert_eq!(&records[0], &expected);
        for field in &records[0] {
            prop_assert!(!is_formula_like(field), "{:?} reads as a formula", field);
        }
    }
}

#[test]
fn an_export_reads_back_as_the_rows() {
    let mut a = row(1);
    a.order_ref = "=cmd|' /C calc'!A0".into();
    a.tracking_numbers = vec!["1Z1".into(), "JD2".into()];
    a.alert = Some(Alert::ReturnToSender);
    a.latest = Some("Delivered, \"front door\"\nsigned".into());
    let mut b = row(2);
    b.carrier = None;
    b.latest = None;
    b.channel = "shopify:acme.myshopify.com".into();
    b.confirmation = Some(Confirmation::DeadlineMissed);
    let columns: Vec<Column> = Column::ALL.to_vec();
    let mut file = String::from(BOM);
    file.push_str(&csv_header(&columns));
    for r in [&a, &b] {
        file.push_str(&csv_row(&columns, r));
    }
    let records = read_csv(file.strip_prefix(BOM).unwrap());
    assert_eq!(
        records,
        vec![
            vec![
                "Waymark tracking number",
                "Carrier tracking numbers",
                "Order",
                "Sales channel",
                "Carrier",
                "Stage",
                "Latest event",
                "Alert",
                "Ship confirmation",
                "Created (UTC)",
                "Updated (UTC)"
            ],
            vec![
                itn(1).to_string().as_str(),
                "1Z1 JD2",
                "'=cmd|' /C calc'!A0",
                "manual",
                "ups",
                "shipped",
                "Delivered, \"front door\"\nsigned",
                "return_to_sender",
                "",
                "2025-11-20 09:01:00",
                "2025-11-20 09:02:00"
            ],
            vec![
                itn(2).to_string().as_str(),
                "1Z000002",
                "#1002",
                "shopify:acme.myshopify.com",
                "",
                "shipped",
                "",
                "",
                "deadline_missed",
                "2025-11-20 09:02:00",
                "2025-11-20 09:04:00"
            ],
        ]
    );
    assert!(file.starts_with('\u{FEFF}'));
    let chosen = parse("columns=order_ref,stage").columns().to_vec();
    assert_eq!(csv_header(&chosen), "Order,Stage\r\n");
    assert_eq!(csv_row(&chosen, &b), "#1002,shipped\r\n");
}
