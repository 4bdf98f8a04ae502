//! No personal data in any public answer: carrier text is hostile input.
//!
//! A table of real-looking carrier lines (what must be hidden, what must stay readable), the
//! location rules, and properties: a name after a signer phrase, a phone number or an e-mail
//! address planted anywhere in generated carrier text never comes out of
//! [`redact_personal_data`]; a street line or postcode in a raw checkpoint never reaches its
//! `location`; and nothing planted in a whole AfterShip response reaches the serialised model.

use proptest::prelude::*;
use serde_json::{json, Value};
use shared::aftership::{CarrierCheckpoint, CarrierTracking};
use shared::redact::{redact_personal_data, HIDDEN};

#[test]
fn carrier_lines_lose_what_identifies_a_person_and_keep_the_rest() {
    let table: &[(&str, &str)] = &[
        // The outside check's examples.
        ("Signed for by J.SMITHERSON", "Signed for by [hidden]"),
        (
            "signed by K. WOLFSHEIMER at front door",
            "signed by [hidden] at front door",
        ),
        (
            "Ankunft İzmir İstasyonu, signed by AYSEYILDIRIMOGLU",
            "Ankunft İzmir İstasyonu, signed by [hidden]",
        ),
        ("Livré, signé par DUPONTELLIER", "Livré, signé par [hidden]"),
        ("Tel. 0171/2345678", "Tel. [hidden]"),
        // Names, in many languages and shapes.
        (
            "Delivered, signed by JANE DOE. Questions? jane@example.com or +1 555 010 9999",
            "Delivered, signed by [hidden]. Questions? [hidden] or [hidden]",
        ),
        ("Delivered to 12 Oakhurst Lane", "Delivered to [hidden]"),
        (
            "Left with neighbour, J SMITH",
            "Left with neighbour, [hidden]",
        ),
        (
            "Received by: SMITH, JOHN",
            "Received by: [hidden], [hidden]",
        ),
        (
            "Delivered (signed by J (JOHN) SMITH) at 10:42",
            "Delivered (signed by [hidden] ([hidden]) [hidden]) at 10:42",
        ),
        (
            "Signed for by:\nJOHN SMITH\nThank you for shipping with us",
            "Signed for by:\n[hidden]\nThank you for shipping with us",
        ),
        ("SIGNED BY ÇAĞLAR ŞENTÜRK", "SIGNED BY [hidden]"),
        ("ＳＩＧＮＥＤ ＢＹ J SMITH", "ＳＩＧＮＥＤ ＢＹ [hidden]"),
        (
            "sig\u{200B}ned  by\u{00A0}J SMITH",
            "signed  by\u{00A0}[hidden]",
        ),
        ("Attn: JOHN DOE, 5 Elm St", "Attn: [hidden], [hidden]"),
        ("c/o JANE DOE", "c/o [hidden]"),
        ("Care of Mr. P. O'BRIEN-SMITH", "Care of [hidden]"),
        (
            "Handed to Mrs. Ng at reception",
            "Handed to [hidden] at reception",
        ),
        (
            "Zugestellt an Herrn Müller, Hauptstraße 12, 10115 Berlin",
            "Zugestellt an [hidden], [hidden], [hidden]",
        ),
        ("Zugestellt bei Nachbar Schmidt", "Zugestellt bei [hidden]"),
        (
            "Entregado a JUAN PÉREZ en la puerta",
            "Entregado a [hidden] en la puerta",
        ),
        ("Firmado por: María José García", "Firmado por: [hidden]"),
        (
            "Recibido por JOSÉ LUIS, Calle Mayor 5",
            "Recibido por [hidden], [hidden]",
        ),
        ("Reçu par M. DUPONT", "Reçu par [hidden]"),
        (
            "Ontvangen door P. DE VRIES, bij de buren",
            "Ontvangen door [hidden], bij de buren",
        ),
        ("Firmato da ROSSI MARIO", "Firmato da [hidden]"),
        (
            "Consegnato a BIANCHI presso la portineria",
            "Consegnato a [hidden] presso la portineria",
        ),
        ("Assinado por JOÃO SILVA", "Assinado por [hidden]"),
        ("Podpisane przez JAN KOWALSKI", "Podpisane przez [hidden]"),
        ("Teslim alan: AYŞE YILMAZ", "Teslim alan: [hidden]"),
        ("تم التسليم، وقع عليه أحمد محمد", "تم التسليم، وقع [hidden]"),
        ("تم التسليم إلى خالد العتيبي", "تم التسليم إلى [hidden]"),
        ("签收人：张三", "签收人：[hidden]"),
        ("JOHN SMITH signed", "[hidden] signed"),
        (
            "J SMITH has signed for the parcel",
            "[hidden] has signed for the parcel",
        ),
        ("Müller hat unterschrieben", "[hidden] hat unterschrieben"),
        ("Signedby JSMITH", "Signedby [hidden]"),
        // Phones, in any separator form and any script's digits.
        (
            "Call +44 (0)20 7946 0958 to rebook",
            "Call [hidden] to rebook",
        ),
        ("Mob: 07700 900123", "Mob: [hidden]"),
        ("Teléfono: 91 123 45 67", "Teléfono: [hidden]"),
        ("Telefon 030.1234.5678", "Telefon [hidden]"),
        ("Ph 555-0199", "Ph [hidden]"),
        ("هاتف ٠٥٠١٢٣٤٥٦٧", "هاتف [hidden]"),
        ("Phone ０１７１２３４５６７８", "Phone [hidden]"),
        ("Driver: 0171 / 234 5678", "Driver: [hidden]"),
        ("Rückruf unter 017    123    4567", "Rückruf unter [hidden]"),
        // E-mail addresses.
        (
            "Contact: jane+parcels@exämple.de (office)",
            "Contact: [hidden] (office)",
        ),
        ("(jane.doe@例え.jp)", "([hidden])"),
        ("Write to jane [at] example [dot] com", "Write to [hidden]"),
        // Street addresses and boxes.
        ("PO Box 12345, SPRINGFIELD", "[hidden], SPRINGFIELD"),
        ("Apt 4B, 221B Baker Street", "[hidden], [hidden]"),
        (
            "Left at 12 rue de la Paix, Paris",
            "Left at [hidden], Paris",
        ),
        // What must stay readable.
        (
            "Arrived at facility 94043 at 10:42",
            "Arrived at facility 94043 at 10:42",
        ),
        (
            "Departed FedEx location MEMPHIS, TN",
            "Departed FedEx location MEMPHIS, TN",
        ),
        ("In transit", "In transit"),
        (
            "Clearance processing complete at INCHEON",
            "Clearance processing complete at INCHEON",
        ),
        ("Delivered to front door", "Delivered to front door"),
        ("Remis à la gardienne", "Remis à la gardienne"),
        (
            "Delivered 2026-11-20 10:42, signed by Ana",
            "Delivered 2026-11-20 10:42, signed by [hidden]",
        ),
        (
            "Estimated delivery 20.11.2026",
            "Estimated delivery 20.11.2026",
        ),
        (
            "Delivered - Left at front door. Signature Service not requested.",
            "Delivered - Left at front door. Signature Service not requested.",
        ),
        ("Signature required", "Signature required"),
        (
            "Shipment received by carrier",
            "Shipment received by carrier",
        ),
        (
            "Package delivered to post office, awaiting collection",
            "Package delivered to post office, awaiting collection",
        ),
        (
            "In transit - Tendered to authorized agent for final delivery",
            "In transit - Tendered to authorized agent for final delivery",
        ),
        ("Delivered today at 10:42", "Delivered today at 10:42"),
        ("Parcel was signed for", "Parcel was signed for"),
        ("Customer signed", "Customer signed"),
        (
            "Package must be signed for. Delivery attempted",
            "Package must be signed for. Delivery attempted",
        ),
        (
            "Weight 1,234 kg, package 1 of 2",
            "Weight 1,234 kg, package 1 of 2",
        ),
        (
            "Scanned at 2026-11-21T08:58:00+00:00",
            "Scanned at 2026-11-21T08:58:00+00:00",
        ),
        (
            "Arrived at SPRINGFIELD, IL 62704",
            "Arrived at SPRINGFIELD, IL 62704",
        ),
        ("été 🚚 à Zürich", "été 🚚 à Zürich"),
        ("", ""),
    ];
    assert!(table.len() >= 40);
    for (input, expected) in table {
        assert_eq!(redact_personal_data(input), *expected, "{input:?}");
    }
}

#[test]
fn redaction_is_idempotent_on_its_own_output() {
    for input in [
        "Delivered, signed by J SMITH at front door",
        "Tel. 0171/2345678, jane@example.com",
        "Zugestellt an Herrn Müller, Hauptstraße 12",
    ] {
        let once = redact_personal_data(input);
        assert_eq!(redact_personal_data(&once), once);
        assert!(once.contains(HIDDEN));
    }
}

fn checkpoint(fields: Value) -> CarrierCheckpoint {
    CarrierCheckpoint::from_value(&fields).unwrap()
}

#[test]
fn locations_come_only_from_clean_city_state_and_country() {
    let table: &[(Value, Option<&str>)] = &[
        // The raw line is never published, and postcodes never are.
        (
            json!({"location": "12 OAKHURST LANE, SPRINGFIELD", "city": "SPRINGFIELD", "state": "IL",
                   "zip": "62704", "country_iso3": "USA", "country_name": "United States"}),
            Some("SPRINGFIELD, IL, United States"),
        ),
        (
            json!({"location": "SPRINGFIELD, IL 62704", "postal_code": "62704"}),
            None,
        ),
        (
            json!({"location": "DONGGUAN CN", "country_name": "China", "country_iso3": "CHN"}),
            Some("China"),
        ),
        (
            json!({"city": "DONGGUAN", "country_name": "China", "zip": "523000"}),
            Some("DONGGUAN, China"),
        ),
        // Hostile city and state values are cleaned or dropped.
        (
            json!({"city": "SPRINGFIELD, IL 62704", "state": "IL"}),
            Some("SPRINGFIELD, IL"),
        ),
        (
            json!({"city": "12 OAKHURST LANE", "state": "Illinois"}),
            Some("Illinois"),
        ),
        (
            json!({"city": "Oakhurst Lane", "country_region_name": "United Kingdom"}),
            Some("United Kingdom"),
        ),
        (
            json!({"city": "Hauptstraße", "country_region": "DEU"}),
            Some("DEU"),
        ),
        (
            json!({"city": "c/o J SMITH", "state": "jane@example.com", "country_name": "Spain"}),
            Some("Spain"),
        ),
        (
            json!({"city": "signed by J SMITH", "country_name": "France"}),
            Some("France"),
        ),
        (json!({"city": "SW1A 1AA LONDON"}), None),
        (json!({"city": 62704, "state": "٦٢٧٠٤"}), None),
        (
            json!({"city": "NARITA-SHI", "country_name": "Japan"}),
            Some("NARITA-SHI, Japan"),
        ),
        (
            json!({"city": "São Paulo", "state": "SP", "country_name": "Brazil"}),
            Some("São Paulo, SP, Brazil"),
        ),
        (
            json!({"city": "NEW YORK", "state": "New York"}),
            Some("NEW YORK"),
        ),
        (json!({"address": "12 OAKHURST LANE", "zip": "62704"}), None),
    ];
    for (fields, expected) in table {
        assert_eq!(
            checkpoint(fields.clone()).location.as_deref(),
            *expected,
            "{fields}"
        );
    }
}

#[test]
fn what_an_older_version_cached_is_cleaned_when_read() {
    let cached = json!({
        "time": "2026-11-21T10:00:00Z",
        "message": "Delivered, signed by J.SMITHERSON. Tel. 0171/2345678",
        "location": "12 OAKHURST LANE, SPRINGFIELD, IL 62704",
        "tag": "Delivered",
        "subtag": "signed by K. WOLFSHEIMER",
    });
    let read: CarrierCheckpoint = serde_json::from_value(cached).unwrap();
    assert_eq!(read.message, "Delivered, signed by [hidden]. Tel. [hidden]");
    assert_eq!(read.location.as_deref(), Some("SPRINGFIELD"));
    assert_eq!(read.subtag, None);
    // What this version writes reads back unchanged.
    let clean = checkpoint(
        json!({"message": "Delivered, signed by J SMITH", "city": "DONGGUAN",
        "country_name": "China", "subtag": "Delivered_003", "checkpoint_time": "2026-11-21T10:00:00Z"}),
    );
    let again: CarrierCheckpoint =
        serde_json::from_str(&serde_json::to_string(&clean).unwrap()).unwrap();
    assert_eq!(again, clean);
    let minimal: CarrierCheckpoint =
        serde_json::from_value(json!({"time": null, "message": "x", "tag": null})).unwrap();
    assert_eq!((minimal.location, minimal.subtag), (None, None));
}

#[test]
fn tracking_metadata_is_read_and_old_cached_json_still_reads() {
    let body =
        br#"{"meta":{"code":200},"data":{"tracking":{"id":"a1","tracking_number":"1Z","slug":"ups",
        "updated_at":"2026-11-21T08:58:00+00:00","subtag":"Signed by J SMITH",
        "custom_fields":{"waymark_itn":"jane@example.com","waymark_merchant":"Jane Doe"},
        "checkpoints":[{"checkpoint_time":"2026-11-21T16:58:00+08:00","message":"a"},
                       {"checkpoint_time":"2026-11-21T10:00:00+00:00","message":"b"},
                       {"message":"no time"}]}}}"#;
    let t = CarrierTracking::from_response(200, body).unwrap();
    assert_eq!(
        t.updated_at.map(|u| u.to_string()).as_deref(),
        Some("2026-11-21T08:58:00Z")
    );
    let later = t.checkpoints[1].time.as_ref().unwrap().sort_key();
    assert_eq!(t.newest_checkpoint_key(), Some(later));
    assert_eq!(CarrierTracking::default().newest_checkpoint_key(), None);
    // Free text where AfterShip's codes and Waymark's own ids belong is dropped.
    assert_eq!(t.subtag, None);
    assert_eq!(t.waymark_itn, None);
    assert_eq!(t.waymark_merchant, None);
    let unparseable = br#"{"meta":{"code":200},"data":{"id":"a1","tracking_number":"1Z","updated_at":"yesterday"}}"#;
    assert_eq!(
        CarrierTracking::from_response(200, unparseable)
            .unwrap()
            .updated_at,
        None
    );

    let json = serde_json::to_value(&t).unwrap();
    assert!(json.get("courier_name").is_none());
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("updated_at");
    let reread: CarrierTracking = serde_json::from_value(old).unwrap();
    assert_eq!(reread.updated_at, None);
    let round: CarrierTracking = serde_json::from_value(json).unwrap();
    assert_eq!(round, t);
}

// ---------------------------------------------------------------------------------------------
// Properties.

const GIVEN: &[&str] = &[
    "John",
    "Anna",
    "Ayşe",
    "Çağlar",
    "José",
    "Zoë",
    "Łukasz",
    "Søren",
    "Ngọc",
    "Mohammed",
    "أحمد",
    "Дмитрий",
    "Siobhán",
    "Øystein",
    "İbrahim",
    "Maëlle",
    "Jürgen",
    "Grace",
    "Kwame",
    "Yuki",
    "Priya",
    "Ólafur",
    "Ștefan",
    "Nkechi",
    "Mateo",
    "Ilse",
    "Björn",
    "Ewa",
    "Chloé",
];
const SURNAMES: &[&str] = &[
    "Smitherson",
    "Wolfsheimer",
    "Yıldırımoğlu",
    "Dupontellier",
    "O'Brien",
    "Smith-Jones",
    "Müller",
    "Kowalczyk",
    "Gümüşhaneli",
    "Núñez",
    "van der Berg",
    "Nguyễn",
    "Papadopoulos",
    "Al-Farsi",
    "Øvergaard",
    "Straßmann",
    "Szczęsny",
    "Oyelaran",
    "Kuznetsova",
    "Fitzgerald",
    "Ibáñez",
    "Lindqvist",
    "Hakobyan",
    "Mbeki",
    "Castellanos",
    "العتيبي",
    "Іваненко",
];
const SIGNER_PHRASES: &[&str] = &[
    "signed by",
    "Signed for by",
    "signed for",
    "received by",
    "Signatory",
    "signature:",
    "accepted by",
    "delivered to",
    "left with",
    "handed to",
    "Recipient:",
    "Attn",
    "c/o",
    "care of",
    "POD:",
    "firmado por",
    "recibido por",
    "entregado a",
    "signé par",
    "reçu par",
    "remis à",
    "unterschrieben von",
    "empfangen von",
    "übergeben an",
    "zugestellt an",
    "ontvangen door",
    "getekend door",
    "firmato da",
    "ricevuto da",
    "assinado por",
    "recebido por",
    "podpisane przez",
    "teslim alan",
    "وقع",
    "استلم",
    "تم التسليم إلى",
    "Mr.",
    "Frau",
    "Mme",
];
const CARRIER_WORDS: &[&str] = &[
    "Delivered",
    "In transit",
    "Arrived at facility",
    "MEMPHIS, TN",
    "Zugestellt",
    "Livré",
    "Entregado",
    "été",
    "İstanbul",
    "Straße",
    "ß",
    "🚚",
    "📦",
    "تم التسليم",
    "في",
    "签收",
    "10:42",
    "2026-11-20",
    "94043",
    "at front door",
    "(front desk)",
    "Thank you",
    "the",
    "Paket",
    "colis",
    "Ümraniye",
    "ŞİŞLİ",
    "ІВАНО-ФРАНКІВСЬК",
    "Ω",
    "—",
    "…",
    "\u{200D}",
    "\u{FE0F}",
    "‏",
    "”",
    "«",
    "»",
];
const SEPARATORS: &[&str] = &[" ", ", ", ". ", "\n", " - ", "; ", "(", ": ", "，", " | "];
const JOINERS: &[&str] = &[" ", ": ", ":\n", " - ", "  ", "\u{00A0}", " : "];
const AFTER_NAME: &[&str] = &[
    "",
    " ",
    ", ",
    ". ",
    "\n",
    " (",
    ") ",
    " at front door",
    "; ",
    " - ",
    "! ",
    "? ",
    " / ",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(list).prop_map(str::to_string)
}

/// Random carrier-ish text: words from carrier lines and arbitrary characters of many scripts.
fn carrier_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => pick(CARRIER_WORDS),
        1 => "[a-zA-ZİıßéüÇ🚚ا-ي一-龥а-я0-9 .,:;()/@+-]{0,6}",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.join(" "))
}

/// Upper case, as written, or lower case; sometimes with Turkish capital I, sometimes with an
/// invisible character inside.
fn cased(text: String, style: u8) -> String {
    match style % 5 {
        0 => text.to_uppercase(),
        1 => text.to_lowercase(),
        2 => text.to_uppercase().replace('I', "İ"),
        3 => {
            let mut chars: Vec<char> = text.chars().collect();
            if chars.len() > 2 {
                chars.insert(1, '\u{200B}');
            }
            chars.into_iter().collect()
        }
        _ => text,
    }
}

fn initial(name: &str) -> String {
    name.chars().next().map(String::from).unwrap_or_default()
}

/// A name in one of the shapes carriers print, and the parts of it that must not leak.
fn name() -> impl Strategy<Value = (String, Vec<String>)> {
    (pick(GIVEN), pick(GIVEN), pick(SURNAMES), 0u8..8, 0u8..5).prop_map(
        |(given, middle, surname, shape, style)| {
            let given = cased(given, style);
            let surname = cased(surname, style);
            let written = match shape {
                0 => format!("{given} {surname}"),
                1 => format!("{}. {surname}", initial(&given)),
                2 => format!("{}.{surname}", initial(&given)),
                3 => format!("{surname}, {given}"),
                4 => format!("{given} {}. {surname}", initial(&middle)),
                5 => format!("{surname} {given}"),
                6 => format!("{}. {}. {surname}", initial(&given), initial(&middle)),
                _ => surname.clone(),
            };
            let mut parts = vec![written.clone(), surname];
            if written.contains(&given) {
                parts.push(given);
            }
            (written, parts)
        },
    )
}

fn digits(count: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0u32..10, count).prop_map(|d| d.iter().map(|d| d.to_string()).collect())
}

/// Digits in ASCII, Arabic-Indic, Eastern Arabic-Indic or full-width form.
fn in_script(text: &str, script: u8) -> String {
    let zero = match script % 4 {
        0 => return text.to_string(),
        1 => 0x0660,
        2 => 0x06F0,
        _ => 0xFF10,
    };
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero + d).unwrap(),
            None => c,
        })
        .collect()
}

/// A phone number in one of many national and international shapes, and its digit groups of
/// four or more (the parts that must not leak).
fn phone() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        digits(4),
        digits(4),
        digits(3),
        digits(3),
        digits(2),
        0u8..14,
        0u8..4,
        0u8..7,
    )
        .prop_map(|(a, b, c, d, e, shape, script, label)| {
            let raw = match shape {
                0 => format!("+44 (0)20 {a} {b}"),
                1 => format!("0{c}/{b}{c}"),
                2 => format!("0{c}.{d}.{e}.{e}"),
                3 => format!("({c}) {d}-{a}"),
                4 => format!("+1 {c} {d} {a}"),
                5 => format!("+49 {e} {a}{c}"),
                6 => format!("0{e} {e} {e} {e} {e}"),
                7 => format!("{c}-{d}-{a}"),
                8 => format!("+49 (0) {e} {c}{d}"),
                9 => format!("{a}{c}{d}"),
                10 => format!("+33 6 {e} {e} {e} {e}"),
                11 => format!("0{c} / {d} {a}"),
                12 => format!("00 {e} {a}-{b}"),
                _ => format!("+90 ({c}) {d} {e} {e}"),
            };
            let written = in_script(&raw, script);
            let labelled = match label {
                0 => format!("Tel. {written}"),
                1 => format!("Phone: {written}"),
                2 => format!("Mob {written}"),
                3 => format!("هاتف {written}"),
                4 => format!("Telefon: {written}"),
                _ => written.clone(),
            };
            let mut parts = vec![written.clone()];
            parts.extend(
                written
                    .split(|c: char| !c.is_numeric())
                    .filter(|g| g.chars().count() >= 4)
                    .map(str::to_string),
            );
            (labelled, parts)
        })
}

/// An e-mail address, plain or wrapped as carriers write them.
fn email() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        "[a-z]{3,8}",
        prop::sample::select(vec!["", ".", "_", "+", "-"]),
        "[a-z0-9]{0,4}",
        prop::sample::select(vec![
            "example.com",
            "exämple.de",
            "例え.jp",
            "mail.example.co.uk",
            "почта.рф",
            "xn--mnchen-3ya.de",
        ]),
        0u8..7,
    )
        .prop_map(|(local, joint, tail, domain, shape)| {
            let address = format!("{local}{joint}{tail}@{domain}");
            let written = match shape {
                0 => format!("({address})"),
                1 => format!("<{address}>"),
                2 => format!("mailto:{address}"),
                3 => format!("E-mail: {address}"),
                4 => format!("{address}."),
                5 => format!("Email:{address},"),
                _ => address.clone(),
            };
            (written, vec![address, format!("{local}{joint}{tail}@")])
        })
}

fn count(haystack: &str, needle: &str) -> usize {
    let (haystack, needle) = (haystack.to_lowercase(), needle.to_lowercase());
    if needle.is_empty() {
        return 0;
    }
    haystack.matches(needle.as_str()).count()
}

/// Every part occurs in `output` no more often than in the text around the planted datum:
/// none of the planted occurrences survived.
fn assert_not_leaked(output: &str, without_datum: &str, parts: &[String]) {
    for part in parts {
        assert!(
            count(output, part) <= count(without_datum, part),
            "{part:?} leaked into {output:?}"
        );
    }
}

/// A planted datum: a name after a signer phrase, a phone number or an e-mail address.
fn planted() -> impl Strategy<Value = (String, Vec<String>)> {
    prop_oneof![
        (pick(SIGNER_PHRASES), 0u8..5, pick(JOINERS), name()).prop_map(
            |(phrase, style, joiner, (name, parts))| {
                (format!("{}{joiner}{name}", cased(phrase, style)), parts)
            }
        ),
        phone(),
        email(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn planted_personal_data_never_comes_out(
        prefix in carrier_text(),
        before in pick(SEPARATORS),
        (datum, parts) in planted(),
        after in pick(AFTER_NAME),
        suffix in carrier_text(),
    ) {
        let text = format!("{prefix}{before}{datum}{after}{suffix}");
        let without = format!("{prefix}{before}{after}{suffix}");
        let output = redact_personal_data(&text);
        assert_not_leaked(&output, &without, &parts);
    }

    #[test]
    fn redaction_never_panics_and_is_stable(text in "\\PC{0,80}") {
        let once = redact_personal_data(&text);
        prop_assert_eq!(redact_personal_data(&once), once);
    }
}

// ---------------------------------------------------------------------------------------------
// Locations and the whole parse path.

const STREET_NAMES: &[&str] = &[
    "OAKHURST",
    "Maple",
    "Wolfsheimer",
    "Kirchberg",
    "de la Paix",
    "Mayor",
    "Roma",
    "Marszałkowska",
    "Atatürk",
    "Baker",
    "Elm",
    "Ümraniye",
];
const STREET_TYPES: &[&str] = &[
    "LANE", "Street", "Rd", "Avenue", "Drive", "Ct", "Blvd", "Way", "Close", "Straße", "rue",
    "Calle", "Via", "ul.", "Caddesi", "Laan", "Road",
];
const CITIES: &[&str] = &[
    "SPRINGFIELD",
    "Memphis",
    "DONGGUAN",
    "İstanbul",
    "Zürich",
    "São Paulo",
    "NARITA-SHI",
    "Köln",
    "Łódź",
    "القاهرة",
];

/// A street line in one of the orders streets are written in, and a postcode.
fn street_and_postcode() -> impl Strategy<Value = (String, String, String)> {
    (
        1u32..9999,
        "[A-Z]?",
        pick(STREET_NAMES),
        pick(STREET_TYPES),
        0u8..3,
        prop_oneof![
            "[0-9]{5}",
            "[0-9]{3}-[0-9]{4}",
            "[A-Z]{2}[0-9] [0-9][A-Z]{2}",
            "[0-9]{4} [A-Z]{2}",
            "[0-9]{2}-[0-9]{3}",
        ],
        0u8..4,
    )
        .prop_map(|(number, letter, name, kind, order, postcode, script)| {
            let number = in_script(&format!("{number}{letter}"), script);
            let line = match order {
                0 => format!("{number} {name} {kind}"),
                1 => format!("{kind} {name} {number}"),
                _ => format!("{name}{} {number}", kind.to_lowercase()),
            };
            (line, name.to_string(), in_script(&postcode, script))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn street_lines_and_postcodes_never_reach_a_location(
        (line, street_name, postcode) in street_and_postcode(),
        city in pick(CITIES),
        hostile_city in 0u8..4,
        hostile_state in 0u8..3,
    ) {
        let city_value = match hostile_city {
            0 => format!("{city}, IL {postcode}"),
            1 => line.clone(),
            2 => format!("{line}, {city}"),
            _ => city.clone(),
        };
        let state_value = match hostile_state {
            0 => format!("IL {postcode}"),
            1 => line.to_uppercase(),
            _ => "IL".to_string(),
        };
        let raw = json!({
            "location": format!("{line}, {city} {postcode}"),
            "zip": postcode,
            "postal_code": postcode,
            "address": line,
            "city": city_value,
            "state": state_value,
            "country_name": "United States",
            "message": "Delivered",
        });
        let location = checkpoint(raw).location.unwrap_or_default();
        prop_assert!(!location.chars().any(char::is_numeric), "{}", location);
        prop_assert!(!location.contains(&line), "{}", location);
        prop_assert!(!location.contains(&postcode), "{}", location);
        prop_assert!(
            !location.to_lowercase().contains(&street_name.to_lowercase()),
            "{} in {}", street_name, location
        );
    }

    #[test]
    fn nothing_planted_in_a_response_reaches_the_model(
        (signed, name_parts) in (pick(SIGNER_PHRASES), name())
            .prop_map(|(phrase, (name, parts))| (format!("{phrase} {name}"), parts)),
        (phone, phone_parts) in phone(),
        (email, email_parts) in email(),
        (line, street_name, postcode) in street_and_postcode(),
        prefix in carrier_text(),
        legacy in any::<bool>(),
    ) {
        let body = |signed: &str, phone: &str, email: &str, line: &str, postcode: &str| {
            let tracking = json!({
                "id": "a1", "tracking_number": "1Z999AA10123456784", "slug": "ups",
                "tag": "Delivered", "subtag": "Delivered_003",
                "subtag_message": format!("{prefix} {signed}"),
                "updated_at": "2026-11-21T08:58:00+00:00",
                "checkpoints": [
                    {"checkpoint_time": "2026-11-21T10:00:00Z", "tag": "Delivered",
                     "message": format!("Delivered, {signed}. Call {phone}"),
                     "location": format!("{line}, {postcode}"), "zip": postcode,
                     "postal_code": postcode, "city": line, "state": postcode,
                     "country_name": "United States"},
                    {"checkpoint_time": "2026-11-21T08:00:00Z", "tag": "OutForDelivery",
                     "subtag_message": format!("Questions? {email}"), "address": line},
                ],
            });
            let data = if legacy { json!({"tracking": tracking}) } else { tracking };
            serde_json::to_vec(&json!({"meta": {"code": 200}, "data": data})).unwrap()
        };
        let planted = body(&signed, &phone, &email, &line, &postcode);
        let tracking = CarrierTracking::from_response(200, &planted).unwrap();
        let output = serde_json::to_string(&tracking).unwrap();
        let without = String::from_utf8(body("", "", "", "", "")).unwrap();
        let mut parts = name_parts;
        parts.extend(phone_parts);
        parts.extend(email_parts);
        parts.extend([line, street_name, postcode]);
        assert_not_leaked(&output, &without, &parts);
    }
}
