//! The connector as tables, and the built documents as a reviewed snapshot
//! (`tests/fixtures/shopify/requests.json`) that the stand-in Shopify validates against the
//! pinned schema. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p waymark-shared shopify`.

use super::*;
use crate::events::{EventKey, Evidence};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shopify")
}

fn fo(n: &str) -> FulfillmentOrderId {
    n.parse().unwrap()
}

fn fulfillment() -> FulfillmentId {
    "gid://shopify/Fulfillment/255858046".parse().unwrap()
}

fn order() -> OrderId {
    "450789469".parse().unwrap()
}

fn tn() -> TrackingNumber {
    "1Z999AA10123456784".parse().unwrap()
}

fn link() -> String {
    tracking_url(
        "https://track.example.com/",
        &"acme".parse().unwrap(),
        Itn::from_random([1; 9]),
    )
    .unwrap()
}

/// Every request the connector builds, by name: what the snapshot holds.
fn built() -> Vec<(&'static str, GraphqlRequest)> {
    let number = tn();
    let url = link();
    let full = TrackingInfo {
        number: &number,
        company: company_for_slug("ups"),
        url: Some(&url),
    };
    let bare = TrackingInfo {
        number: &number,
        company: None,
        url: None,
    };
    let corrected: TrackingNumber = "1Z999AA10123456795".parse().unwrap();
    let mut out = vec![
        (
            "fulfillment_create",
            fulfillment_create(&[fo("1046000786")], &full, true).unwrap(),
        ),
        (
            "fulfillment_create_quietly_without_company_or_link",
            fulfillment_create(&[fo("1046000786"), fo("1046000787")], &bare, false).unwrap(),
        ),
        (
            "fulfillment_tracking_info_update",
            fulfillment_tracking_info_update(
                &fulfillment(),
                &TrackingInfo {
                    number: &corrected,
                    company: Some("UPS"),
                    url: Some(&url),
                },
                true,
            )
            .unwrap(),
        ),
        ("order_mark_as_paid", order_mark_as_paid(&order())),
    ];
    for (name, kind) in [
        ("fulfillment_event_carrier_picked_up", EventKind::PickedUp),
        ("fulfillment_event_in_transit", EventKind::InTransit),
        (
            "fulfillment_event_out_for_delivery",
            EventKind::OutForDelivery,
        ),
        (
            "fulfillment_event_attempted_delivery",
            EventKind::AttemptFailed,
        ),
        ("fulfillment_event_delivered", EventKind::Delivered),
        ("fulfillment_event_failure", EventKind::Refused),
        ("fulfillment_event_delayed", EventKind::Stalled),
    ] {
        let status = fulfillment_event_status(kind).unwrap();
        out.push((
            name,
            fulfillment_event_create(&fulfillment(), status, ts("2026-11-17T21:00:00-05:00")),
        ));
    }
    out
}

#[test]
fn built_documents_match_the_reviewed_snapshot() {
    let snapshot: Vec<Value> = built()
        .into_iter()
        .map(|(name, request)| {
            let body: Value = serde_json::from_str(&request.body()).unwrap();
            json!({ "name": name, "mutation": request.mutation.field(), "body": body })
        })
        .collect();
    let actual = serde_json::to_string_pretty(&json!({
        "apiVersion": API_VERSION,
        "note": "Written by shared/src/shopify/tests.rs (UPDATE_SNAPSHOTS=1); posted to the stand-in by tests/standin/test_shopify_standin.py.",
        "requests": snapshot,
    }))
    .unwrap()
        + "\n";
    let path = fixtures().join("requests.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .expect("snapshot missing: run with UPDATE_SNAPSHOTS=1 and review it");
    assert_eq!(actual, expected);
}

#[test]
fn a_fulfilment_body_reads_as_shopify_documents_it() {
    let number = tn();
    let url = link();
    let request = fulfillment_create(
        &[fo("gid://shopify/FulfillmentOrder/1046000786")],
        &TrackingInfo {
            number: &number,
            company: Some("UPS"),
            url: Some(&url),
        },
        true,
    )
    .unwrap();
    let body: Value = serde_json::from_str(&request.body()).unwrap();
    assert_eq!(body["operationName"], "WaymarkFulfillmentCreate");
    assert!(body["query"]
        .as_str()
        .unwrap()
        .starts_with("mutation WaymarkFulfillmentCreate($fulfillment: FulfillmentInput!) {"));
    assert_eq!(
        body["variables"],
        json!({"fulfillment": {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1046000786"}],
            "notifyCustomer": true,
            "trackingInfo": {
                "number": "1Z999AA10123456784",
                "company": "UPS",
                "url": format!("https://track.example.com/t/acme/{}", Itn::from_random([1; 9])),
            },
        }})
    );
    assert_eq!(
        fulfillment_create(
            &[],
            &TrackingInfo {
                number: &number,
                company: None,
                url: None
            },
            true
        ),
        Err(ShopifyInputError::NoFulfillmentOrders)
    );
    for bad in [
        "/t/acme/WM-1",
        "http://track.example.com/t/x",
        "https:// x",
        "https://",
    ] {
        let info = TrackingInfo {
            number: &number,
            company: None,
            url: Some(bad),
        };
        assert!(
            matches!(
                fulfillment_create(&[fo("1")], &info, false),
                Err(ShopifyInputError::TrackingUrl(_))
            ),
            "{bad}"
        );
    }
}

/// The Rust enum and the pinned schema's `FulfillmentEventStatus` have the same values, and the
/// version the connector calls is the version the stand-in's schema subset is.
#[test]
fn the_status_enum_is_the_pinned_schemas() {
    let path = fixtures().join(format!("admin-{API_VERSION}-subset.json"));
    let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(schema["apiVersion"], API_VERSION);
    let values: Vec<&str> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "FulfillmentEventStatus")
        .unwrap()["enumValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = FulfillmentEventStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(ours, values);
    for status in FulfillmentEventStatus::ALL {
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            json!(status.as_str())
        );
    }
    let mutations: Vec<&str> = schema["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for mutation in Mutation::ALL {
        assert!(mutations.contains(&mutation.field()), "{mutation}");
    }
}

#[test]
fn events_map_to_fulfilment_statuses() {
    use FulfillmentEventStatus as S;
    let table = [
        (EventKind::TrackingAssigned, None),
        (EventKind::PickedUp, Some(S::CarrierPickedUp)),
        (EventKind::InTransit, Some(S::InTransit)),
        (EventKind::OutForDelivery, Some(S::OutForDelivery)),
        (EventKind::Delivered, Some(S::Delivered)),
        (EventKind::CodCollected, None),
        (EventKind::AttemptFailed, Some(S::AttemptedDelivery)),
        (EventKind::Refused, Some(S::Failure)),
        (EventKind::Exception, None),
        (EventKind::Returning, Some(S::Failure)),
        (EventKind::Stalled, Some(S::Delayed)),
    ];
    assert_eq!(table.len(), EventKind::ALL.len());
    for (kind, status) in table {
        assert_eq!(fulfillment_event_status(kind), status, "{kind}");
    }
}

fn event(kind: EventKind, at: &str) -> MerchantEvent {
    MerchantEvent {
        kind,
        at: ts(at),
        key: EventKey {
            itn: Itn::from_random([2; 9]),
            kind,
        },
        evidence: Evidence::TrackingAttached {
            tracking_number: tn(),
            slug: None,
        },
    }
}

#[test]
fn each_status_is_posted_once_in_time_order() {
    use FulfillmentEventStatus as S;
    let events = vec![
        event(EventKind::Returning, "2026-11-20T10:00:00Z"),
        event(EventKind::TrackingAssigned, "2026-11-17T10:00:00Z"),
        event(EventKind::PickedUp, "2026-11-17T20:00:00Z"),
        event(EventKind::InTransit, "2026-11-17T20:00:00Z"),
        event(EventKind::Exception, "2026-11-19T09:00:00Z"),
        event(EventKind::Refused, "2026-11-19T09:00:00Z"),
    ];
    type Row<'a> = (&'a [S], Vec<(S, &'a str)>);
    let table: [Row; 3] = [
        (
            &[],
            vec![
                (S::CarrierPickedUp, "2026-11-17T20:00:00Z"),
                (S::InTransit, "2026-11-17T20:00:00Z"),
                (S::Failure, "2026-11-19T09:00:00Z"),
            ],
        ),
        (
            &[S::CarrierPickedUp, S::InTransit],
            vec![(S::Failure, "2026-11-19T09:00:00Z")],
        ),
        (&[S::CarrierPickedUp, S::InTransit, S::Failure], vec![]),
    ];
    for (posted, expected) in table {
        let expected: Vec<(S, Timestamp)> =
            expected.into_iter().map(|(s, at)| (s, ts(at))).collect();
        assert_eq!(
            fulfillment_events_to_post(&events, posted),
            expected,
            "{posted:?}"
        );
    }
}

#[test]
fn a_cod_order_is_paid_on_delivery_and_only_a_cod_order() {
    let delivered = vec![
        event(EventKind::InTransit, "2026-11-17T20:00:00Z"),
        event(EventKind::Delivered, "2026-11-19T15:00:00Z"),
        event(EventKind::CodCollected, "2026-11-19T15:00:00Z"),
    ];
    let collected_only = vec![event(EventKind::CodCollected, "2026-11-19T16:00:00Z")];
    let moving = vec![event(EventKind::InTransit, "2026-11-17T20:00:00Z")];
    let table = [
        (true, &delivered, Some("2026-11-19T15:00:00Z")),
        (true, &collected_only, Some("2026-11-19T16:00:00Z")),
        (true, &moving, None),
        (false, &delivered, None),
    ];
    for (cod, events, expected) in table {
        assert_eq!(
            cod_paid_due(cod, events),
            expected.map(ts),
            "{cod} {events:?}"
        );
    }
}

#[test]
fn the_wait_before_the_next_call_follows_the_bucket() {
    let bucket = |available: f64, rate: f64| ThrottleStatus {
        maximum_available: 1000.0,
        currently_available: available,
        restore_rate: rate,
    };
    let at = ts("2026-11-17T10:00:00Z");
    let table = [
        // (bucket, seconds since it was read, cost, wait)
        (bucket(1000.0, 50.0), 0, 10.0, 0.0),
        (bucket(10.0, 50.0), 0, 10.0, 0.0),
        (bucket(5.0, 50.0), 0, 10.0, 0.1),
        (bucket(0.0, 50.0), 0, 752.0, 15.04),
        (bucket(0.0, 50.0), 10, 752.0, 5.04),
        (bucket(0.0, 50.0), 60, 752.0, 0.0),
        (bucket(0.0, 100.0), 0, 10.0, 0.1),
        // A cost above the bucket waits for a full bucket.
        (bucket(400.0, 50.0), 0, 5000.0, 12.0),
        // A bucket that does not refill.
        (bucket(5.0, 0.0), 0, 10.0, DEFAULT_THROTTLE_WAIT_SECONDS),
        (bucket(50.0, 0.0), 0, 10.0, 0.0),
        (
            bucket(f64::NAN, 50.0),
            0,
            10.0,
            DEFAULT_THROTTLE_WAIT_SECONDS,
        ),
    ];
    for (throttle, elapsed, cost, expected) in table {
        let wait = wait_seconds(&throttle, at, at.plus_seconds(elapsed), cost);
        assert!(
            (wait - expected).abs() < 1e-9,
            "{throttle:?} +{elapsed}s cost {cost}: {wait} vs {expected}"
        );
    }
    // A reading from the future (clock skew) counts as read now.
    assert_eq!(
        wait_seconds(&bucket(5.0, 50.0), at.plus_seconds(30), at, 10.0),
        0.1
    );
}

/// `(mutation, HTTP status, Retry-After, body, what it reads as, whether to retry)`.
type ReplyRow<'a> = (
    Mutation,
    u16,
    Option<&'a str>,
    &'a str,
    Result<Outcome, ShopifyError>,
    Retry,
);

const COST: &str = r#""extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}"#;

fn cost(available: f64, actual: Option<f64>) -> QueryCost {
    QueryCost {
        requested: 10.0,
        actual,
        throttle: ThrottleStatus {
            maximum_available: 2000.0,
            currently_available: available,
            restore_rate: 100.0,
        },
    }
}

#[test]
fn replies_are_read_into_outcomes_errors_and_retry_decisions() {
    use Mutation::*;
    let created = format!(
        r#"{{"data":{{"fulfillmentCreate":{{"fulfillment":{{"id":"gid://shopify/Fulfillment/255858046","status":"SUCCESS","trackingInfo":[{{"number":"1Z999AA10123456784","company":"UPS","url":"https://track.example.com/t/acme/x"}}]}},"userErrors":[]}}}},{COST}}}"#
    );
    let event_created = format!(
        r#"{{"data":{{"fulfillmentEventCreate":{{"fulfillmentEvent":{{"id":"gid://shopify/FulfillmentEvent/944956395","status":"IN_TRANSIT","happenedAt":"2026-11-18T02:00:00Z"}},"userErrors":[]}}}},{COST}}}"#
    );
    let paid = format!(
        r#"{{"data":{{"orderMarkAsPaid":{{"order":{{"id":"gid://shopify/Order/450789469","displayFinancialStatus":"PAID"}},"userErrors":[]}}}},{COST}}}"#
    );
    let user_errors = format!(
        r#"{{"data":{{"fulfillmentCreate":{{"fulfillment":null,"userErrors":[{{"field":["fulfillment","lineItemsByFulfillmentOrder",0,"fulfillmentOrderId"],"message":"Fulfillment order does not exist."}}]}}}},{COST}}}"#
    );
    let throttled = r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":4,"restoreRate":100.0}}}}"#;
    let throttled_old = r#"{"errors":[{"message":"Throttled"}],"extensions":{"cost":{"requestedQueryCost":202,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":118,"restoreRate":50.0}}}}"#;
    let invalid = r#"{"errors":[{"message":"Field 'bogus' doesn't exist on type 'Fulfillment'","locations":[{"line":4,"column":7}],"path":["mutation WaymarkFulfillmentCreate","fulfillmentCreate","fulfillment","bogus"],"extensions":{"code":"undefinedField","typeName":"Fulfillment","fieldName":"bogus"}}]}"#;
    let internal = r#"{"errors":[{"message":"Internal error. Looks like something went wrong on our end.","extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"x"}}]}"#;
    let updated = created.replace("fulfillmentCreate", "fulfillmentTrackingInfoUpdate");
    let fulfilled = Outcome::Fulfillment {
        fulfillment: fulfillment(),
        status: Some("SUCCESS".into()),
        tracking_number: Some("1Z999AA10123456784".into()),
    };
    let table: Vec<ReplyRow> = vec![
        (
            FulfillmentCreate,
            200,
            None,
            &created,
            Ok(fulfilled.clone()),
            Retry::No,
        ),
        (
            FulfillmentTrackingInfoUpdate,
            200,
            None,
            &updated,
            Ok(fulfilled),
            Retry::No,
        ),
        (
            FulfillmentEventCreate,
            200,
            None,
            &event_created,
            Ok(Outcome::FulfillmentEvent {
                id: "gid://shopify/FulfillmentEvent/944956395".into(),
                status: Some(FulfillmentEventStatus::InTransit),
            }),
            Retry::No,
        ),
        (
            OrderMarkAsPaid,
            200,
            None,
            &paid,
            Ok(Outcome::OrderMarkedAsPaid {
                order: order(),
                financial_status: Some("PAID".into()),
            }),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            200,
            None,
            &user_errors,
            Err(ShopifyError::UserErrors {
                mutation: FulfillmentCreate,
                errors: vec![UserError {
                    field: vec![
                        "fulfillment".into(),
                        "lineItemsByFulfillmentOrder".into(),
                        "0".into(),
                        "fulfillmentOrderId".into(),
                    ],
                    message: "Fulfillment order does not exist.".into(),
                }],
            }),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            200,
            None,
            throttled,
            Err(ShopifyError::Throttled { wait_seconds: 0.06 }),
            Retry::After(0.06),
        ),
        (
            FulfillmentCreate,
            200,
            None,
            throttled_old,
            Err(ShopifyError::Throttled { wait_seconds: 1.68 }),
            Retry::After(1.68),
        ),
        (
            FulfillmentCreate,
            429,
            Some("2"),
            throttled,
            Err(ShopifyError::Throttled { wait_seconds: 2.0 }),
            Retry::After(2.0),
        ),
        (
            FulfillmentCreate,
            429,
            None,
            "",
            Err(ShopifyError::Throttled { wait_seconds: 1.0 }),
            Retry::After(1.0),
        ),
        (
            FulfillmentCreate,
            429,
            Some("soon"),
            "",
            Err(ShopifyError::Throttled { wait_seconds: 1.0 }),
            Retry::After(1.0),
        ),
        (
            FulfillmentCreate,
            200,
            None,
            invalid,
            Err(ShopifyError::Graphql(vec![
                "Field 'bogus' doesn't exist on type 'Fulfillment' (undefinedField)".into(),
            ])),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            200,
            None,
            internal,
            Err(ShopifyError::Server(200)),
            Retry::Later,
        ),
        (
            FulfillmentCreate,
            401,
            None,
            r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#,
            Err(ShopifyError::Unauthorized),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            402,
            None,
            "",
            Err(ShopifyError::PaymentRequired),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            403,
            None,
            "",
            Err(ShopifyError::Forbidden),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            404,
            None,
            "",
            Err(ShopifyError::NotFound),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            423,
            None,
            "",
            Err(ShopifyError::Locked),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            400,
            None,
            "",
            Err(ShopifyError::Status(400)),
            Retry::No,
        ),
        (
            FulfillmentCreate,
            500,
            None,
            "",
            Err(ShopifyError::Server(500)),
            Retry::Later,
        ),
        (
            FulfillmentCreate,
            502,
            None,
            "<html>Bad gateway</html>",
            Err(ShopifyError::Server(502)),
            Retry::Later,
        ),
        (
            FulfillmentCreate,
            200,
            None,
            "<html>",
            Err(ShopifyError::Malformed("the body is not JSON".into())),
            Retry::Later,
        ),
        (
            FulfillmentCreate,
            200,
            None,
            r#"{"data":{}}"#,
            Err(ShopifyError::Malformed(
                "no data.fulfillmentCreate in the reply".into(),
            )),
            Retry::Later,
        ),
        (
            FulfillmentCreate,
            200,
            None,
            r#"{"data":{"fulfillmentCreate":{"fulfillment":{"id":"nope"},"userErrors":[]}}}"#,
            Err(ShopifyError::Malformed(
                "data.fulfillmentCreate has no id".into(),
            )),
            Retry::Later,
        ),
        (
            OrderMarkAsPaid,
            200,
            None,
            &created,
            Err(ShopifyError::Malformed(
                "no data.orderMarkAsPaid in the reply".into(),
            )),
            Retry::Later,
        ),
    ];
    for (mutation, status, retry_after, body, expected, retry) in table {
        let reply = read_reply(mutation, status, retry_after, body.as_bytes());
        let label = format!("{mutation} {status} {}", &body[..body.len().min(80)]);
        match (&reply.result, &expected) {
            (
                Err(ShopifyError::Throttled { wait_seconds: a }),
                Err(ShopifyError::Throttled { wait_seconds: b }),
            ) => assert!((a - b).abs() < 1e-9, "{label}: {a} vs {b}"),
            _ => assert_eq!(reply.result, expected, "{label}"),
        }
        match (reply.result.as_ref().map_err(ShopifyError::retry), retry) {
            (Ok(_), Retry::No) => {}
            (Err(Retry::After(a)), Retry::After(b)) => assert!((a - b).abs() < 1e-9, "{label}"),
            (Err(actual), expected) => assert_eq!(actual, expected, "{label}"),
            (Ok(_), other) => panic!("{label}: ok, expected {other:?}"),
        }
    }
    // The cost is read whenever the reply carries it.
    let reply = read_reply(FulfillmentCreate, 200, None, created.as_bytes());
    assert_eq!(reply.cost, Some(cost(1990.0, Some(10.0))));
    let reply = read_reply(FulfillmentCreate, 200, None, throttled.as_bytes());
    assert_eq!(
        reply.cost,
        Some(QueryCost {
            actual: None,
            ..cost(4.0, None)
        })
    );
    assert_eq!(
        ShopifyError::UserErrors {
            mutation: FulfillmentCreate,
            errors: vec![UserError {
                field: vec!["fulfillment".into(), "trackingInfo".into()],
                message: "is invalid".into(),
            }],
        }
        .to_string(),
        "Shopify refused fulfillmentCreate: fulfillment.trackingInfo: is invalid"
    );
}

#[test]
fn the_token_never_shows() {
    let token: ShopifyToken = "shpat_0123456789abcdef0123456789abcdef".parse().unwrap();
    assert_eq!(token.expose(), "shpat_0123456789abcdef0123456789abcdef");
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Connection {
        shop: ShopDomain,
        token: ShopifyToken,
    }
    let connection = Connection {
        shop: "acme.myshopify.com".parse().unwrap(),
        token: token.clone(),
    };
    for shown in [
        format!("{token}"),
        format!("{token:?}"),
        format!("{token:#?}"),
        format!("{connection:?}"),
        format!("{connection:#?}"),
    ] {
        assert!(!shown.contains("shpat"), "{shown}");
        assert!(!shown.contains("0123456789"), "{shown}");
    }
    assert_eq!(format!("{token:?}"), "ShopifyToken(redacted)");
    for bad in ["", "   ", "shpat_ab cd", "shpat\r\nX-Evil: 1", "tökén"] {
        assert_eq!(
            bad.parse::<ShopifyToken>(),
            Err(ShopifyInputError::Token),
            "{bad:?}"
        );
    }
    assert!("x".repeat(256).parse::<ShopifyToken>().is_err());
    // The error never echoes the token either.
    assert!(!ShopifyInputError::Token.to_string().contains("shpat"));
}

#[test]
fn ids_shops_and_links_are_checked() {
    let table: [(&str, Option<&str>); 7] = [
        (
            "1046000786",
            Some("gid://shopify/FulfillmentOrder/1046000786"),
        ),
        (
            " gid://shopify/FulfillmentOrder/1046000786 ",
            Some("gid://shopify/FulfillmentOrder/1046000786"),
        ),
        ("gid://shopify/Order/1046000786", None),
        ("gid://shopify/FulfillmentOrder/", None),
        ("gid://shopify/FulfillmentOrder/12a", None),
        ("0", None),
        ("", None),
    ];
    for (input, expected) in table {
        assert_eq!(
            input
                .parse::<FulfillmentOrderId>()
                .ok()
                .map(|id| id.to_string())
                .as_deref(),
            expected,
            "{input:?}"
        );
    }
    assert_eq!(
        "x".parse::<OrderId>().unwrap_err().to_string(),
        "the order id must be a Shopify ID like gid://shopify/Order/1234567890 (or its number), not \"x\""
    );
    let id: FulfillmentId = "255858046".parse().unwrap();
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"gid://shopify/Fulfillment/255858046\""
    );
    assert_eq!(
        serde_json::from_str::<FulfillmentId>("\"gid://shopify/Fulfillment/255858046\"").unwrap(),
        id
    );

    let shops = [
        ("acme.myshopify.com", Some("acme.myshopify.com")),
        ("ACME-2.MyShopify.com", Some("acme-2.myshopify.com")),
        ("acme.com", None),
        (".myshopify.com", None),
        ("-acme.myshopify.com", None),
        ("evil.com/x.myshopify.com", None),
        ("a.b.myshopify.com", None),
    ];
    for (input, expected) in shops {
        assert_eq!(
            input
                .parse::<ShopDomain>()
                .ok()
                .map(|s| s.to_string())
                .as_deref(),
            expected,
            "{input:?}"
        );
    }
    let channel: Channel = "shopify:acme.myshopify.com".parse().unwrap();
    let shop = ShopDomain::of_channel(&channel).unwrap();
    assert_eq!(
        shop.endpoint(),
        "https://acme.myshopify.com/admin/api/2026-10/graphql.json"
    );
    assert_eq!(graphql_path(), "/admin/api/2026-10/graphql.json");
    for other in ["amazon", "shopify", "woo:acme.myshopify.com"] {
        assert!(
            ShopDomain::of_channel(&other.parse().unwrap()).is_err(),
            "{other}"
        );
    }

    let merchant: MerchantId = "acme".parse().unwrap();
    let itn = Itn::from_random([1; 9]);
    for (base, ok) in [
        ("https://track.example.com", true),
        ("https://track.example.com/", true),
        ("https://track.example.com:8443", true),
        ("http://track.example.com", false),
        ("https://track.example.com/base", false),
        ("https://", false),
        ("", false),
        ("https://user@evil.example", false),
    ] {
        let url = tracking_url(base, &merchant, itn);
        assert_eq!(url.is_ok(), ok, "{base}");
        if ok {
            assert!(url.unwrap().ends_with(&format!("/t/acme/{itn}")));
        }
    }
    assert_eq!(company_for_slug("ups"), Some("UPS"));
    assert_eq!(company_for_slug("dhl"), Some("DHL Express"));
    assert_eq!(company_for_slug("some-local-courier"), None);
}
