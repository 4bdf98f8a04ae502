//! Keeps personal data out of carrier text before it is cached or shown.
//!
//! Carrier text is hostile input: messages carry the signer's name ("Delivered, signed by
//! J.SMITH"), phone numbers, e-mail addresses and street addresses, in any language and any
//! script. A public tracking page must show none of them, so this module fails closed: when it
//! cannot tell whether something is personal, it hides it.
//!
//! How it works: the text becomes a vector of `char`s and every detector marks the chars it
//! wants hidden; each marked run is then printed as one `[hidden]`. Phrases are matched on a
//! folded copy of the text (lowercase, accents stripped, `İ`/`ı`/`ß`/full-width forms and
//! look-alike letters normalised, invisible characters dropped) that keeps, for every folded
//! char, the index of the original char it came from. Nothing depends on byte lengths staying
//! equal under case folding.
//!
//! Detectors:
//! - e-mail addresses: anything around an `@` (or `＠`, `[at]`, `(at)`, `x at y dot z`);
//! - phone numbers: any run of 7+ digits (any script's digits, full-width included) joined by
//!   spaces, `-`, `.`, `/`, parentheses, `+` and the like, and any number after a phone label
//!   (`Tel.`, `Phone`, `Mob`, `Telefon`, `Teléfono`, `هاتف`…). Dates (`2026-11-20`,
//!   `20.11.2026`) and times (`10:42`) are recognised and kept; short numbers such as a
//!   facility's postcode stay;
//! - street addresses: a house number next to a street word (`12 Oakhurst Lane`,
//!   `Hauptstraße 5`, `Calle Mayor 3`) and unit or box numbers (`Apt 4`, `PO Box 12`);
//! - names: the clause after a signer phrase in many languages (`signed by`, `signé par`,
//!   `firmado por`, `unterschrieben von`, `ontvangen door`, `وقع`…), after `Attn`, `c/o` and
//!   titles (`Mr`, `Frau`, `Mme`…). The clause runs to `,` `;` `(` `)`, a line break or a
//!   sentence end, but not to the dot of an initial (`J.SMITH`, `K. SMITH`). What follows such
//!   a clause is hidden too unless it plainly starts something else ("Thank you…", "front
//!   door"), so `SMITH, JOHN` and `J (JOHN) SMITH` do not leak. A trailing place such as
//!   "at front door" stays when every word of it is a known place word.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The one marker that replaces anything hidden.
pub const HIDDEN: &str = "[hidden]";

/// Replaces e-mail addresses, phone numbers, street addresses and people's names with
/// [`HIDDEN`]. Fails closed: when unsure, it hides.
pub fn redact_personal_data(text: &str) -> String {
    let chars: Vec<char> = text.chars().filter(|&c| !is_stripped(c)).collect();
    if chars.is_empty() {
        return String::new();
    }
    let folded = Folded::new(&chars);
    let lists = lists();
    let mut hide = vec![false; chars.len()];
    hide_emails(&chars, &folded, &mut hide);
    let protected = protected_dates_and_times(&chars);
    hide_phone_numbers(&chars, &protected, &mut hide);
    for (_, end) in folded.find(&lists.phone_labels) {
        hide_labelled_number(&chars, &protected, folded.after(end), &mut hide);
    }
    hide_addresses(&chars, &mut hide);
    for (_, end) in folded.find(&lists.name_phrases) {
        hide_name_after(&chars, folded.after(end), &mut hide);
    }
    for (start, _) in folded.find(&lists.signed_after) {
        hide_name_before(&chars, folded.origin[start], &mut hide);
    }
    render(&chars, &mut hide)
}

/// True when a place value might be (part of) a street address rather than a town, region or
/// country: digits, a street or unit word (`Lane`, `Straße`, `Apt`, `PO Box`…), `c/o`, `@`.
pub fn looks_like_street_address(text: &str) -> bool {
    if text
        .chars()
        .any(|c| c.is_numeric() || c == '@' || c == '＠')
    {
        return true;
    }
    let lists = lists();
    let folded = fold_str(text);
    if folded.contains("c/o") || folded.contains("p.o.") {
        return true;
    }
    words(&text.chars().collect::<Vec<_>>())
        .iter()
        .any(|w| is_street_word(&w.norm) || lists.units.contains(&w.norm))
}

// ---------------------------------------------------------------------------------------------
// Folding: a matching copy of the text that remembers where each char came from.

/// Format characters that only hide things: dropped from the text before anything else.
/// (Zero-width joiners and variation selectors stay in the output, for emoji, but are ignored
/// when matching.)
fn is_stripped(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Characters ignored when matching words: joiners, variation selectors, combining marks,
/// Arabic diacritics and tatweel.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{0300}'..='\u{036F}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{0640}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

fn is_dash_like(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

/// Pushes the folded form of one char: lowercase, no accents, one form per look-alike.
fn fold_into(c: char, out: &mut Vec<char>) {
    if is_ignorable(c) {
        return;
    }
    if c.is_whitespace() || is_dash_like(c) || is_apostrophe(c) {
        out.push(' ');
        return;
    }
    // Full-width ASCII (`ｓｉｇｎｅｄ`, `＠`, `：`).
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        if let Some(ascii) = char::from_u32(c as u32 - 0xFEE0) {
            return fold_into(ascii, out);
        }
    }
    match c {
        'İ' | 'I' | 'ı' => return out.push('i'),
        'ß' | 'ẞ' => return out.extend(['s', 's']),
        'Æ' | 'æ' => return out.extend(['a', 'e']),
        'Œ' | 'œ' => return out.extend(['o', 'e']),
        'Þ' | 'þ' => return out.extend(['t', 'h']),
        'أ' | 'إ' | 'آ' | 'ٱ' => return out.push('ا'),
        'ى' => return out.push('ي'),
        '،' => return out.push(','),
        '؛' => return out.push(';'),
        _ => {}
    }
    for lower in c.to_lowercase() {
        if !is_ignorable(lower) {
            out.push(base_letter(lower));
        }
    }
}

/// The base letter of an accented Latin letter, and the Latin letter a Cyrillic or Greek
/// look-alike imitates.
fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'а' | 'α' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'с' => 'c',
        'ď' | 'đ' | 'ԁ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'е' | 'ε' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'ɡ' => 'g',
        'ĥ' | 'ħ' | 'һ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'і' | 'ι' => 'i',
        'ĵ' | 'ј' => 'j',
        'ķ' | 'κ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'ӏ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ѕ' => 's',
        'ţ' | 'ť' | 'ț' | 'τ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'υ' => 'u',
        'ν' => 'v',
        'ŵ' => 'w',
        'х' | 'χ' => 'x',
        'ý' | 'ÿ' | 'ŷ' | 'у' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

fn fold_str(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    Folded::new(&chars).chars.into_iter().collect()
}

/// A folded copy of the text: runs of spaces collapsed, no space before `:`, and for every
/// folded char the index of the original char it came from.
struct Folded {
    chars: Vec<char>,
    origin: Vec<usize>,
}

impl Folded {
    fn new(chars: &[char]) -> Folded {
        let mut folded = Folded {
            chars: Vec::with_capacity(chars.len()),
            origin: Vec::with_capacity(chars.len()),
        };
        let mut buffer = Vec::with_capacity(3);
        for (index, &c) in chars.iter().enumerate() {
            buffer.clear();
            fold_into(c, &mut buffer);
            for &f in &buffer {
                let last = folded.chars.last().copied();
                if f == ' ' && (last == Some(' ') || last.is_none()) {
                    continue;
                }
                if f == ':' && last == Some(' ') {
                    folded.chars.pop();
                    folded.origin.pop();
                }
                folded.chars.push(f);
                folded.origin.push(index);
            }
        }
        folded
    }

    /// The original index just after folded position `end` (exclusive end of a match).
    fn after(&self, end: usize) -> usize {
        self.origin[end - 1] + 1
    }

    /// Every match of any phrase (longest first at each position), as folded `(start, end)`.
    fn find(&self, phrases: &Phrases) -> Vec<(usize, usize)> {
        let text = &self.chars;
        let mut found = Vec::new();
        let mut k = 0;
        while k < text.len() {
            let Some(group) = phrases.get(&text[k]) else {
                k += 1;
                continue;
            };
            let hit = group.iter().find(|p| {
                let end = k + p.len();
                end <= text.len()
                    && text[k..end] == p[..]
                    && starts_a_word(text, k, p[0])
                    && ends_a_word(text, end, p[p.len() - 1])
            });
            match hit {
                Some(p) => {
                    found.push((k, k + p.len()));
                    k += p.len();
                }
                None => k += 1,
            }
        }
        found
    }
}

fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}')
}

/// A phrase must start a word. CJK has no spaces, so any position counts; an Arabic phrase may
/// carry a one-letter prefix (`و` and, `ف` so, `ب` by, `ل` for).
fn starts_a_word(text: &[char], k: usize, first: char) -> bool {
    if k == 0 || !text[k - 1].is_alphanumeric() || is_cjk(first) {
        return true;
    }
    is_arabic(first)
        && matches!(text[k - 1], 'و' | 'ف' | 'ب' | 'ل')
        && (k == 1 || !text[k - 2].is_alphanumeric())
}

/// A phrase ending in a Latin letter or digit must end a word ("delivered to" is not
/// "delivered today"); Arabic and CJK phrases may go on (`وقعت`, `استلمها`).
fn ends_a_word(text: &[char], end: usize, last: char) -> bool {
    !last.is_ascii_alphanumeric() || end == text.len() || !text[end].is_alphanumeric()
}

// ---------------------------------------------------------------------------------------------
// Word lists.

/// Phrases grouped by their first char, longest first within a group.
type Phrases = std::collections::HashMap<char, Vec<Vec<char>>>;

struct Lists {
    name_phrases: Phrases,
    signed_after: Phrases,
    auxiliaries: HashSet<String>,
    phone_labels: Phrases,
    safe: HashSet<String>,
    prepositions: HashSet<String>,
    stops: HashSet<String>,
    alone_words: HashSet<String>,
    abbreviations: HashSet<String>,
    streets: HashSet<String>,
    street_abbreviations: HashSet<String>,
    units: HashSet<String>,
}

/// Phrases after which carriers write a person's name: signers, receivers, attention lines.
#[rustfmt::skip]
const SIGNER_PHRASES: &[&str] = &[
    // English
    "signed by", "signed for by", "signed for", "signed:", "sign by", "sign:", "signedby",
    "signedforby", "receivedby", "received:", "pickup by", "signature:", "signature", "signatory",
    "signer", "signee", "sig:", "received by", "receiver:", "receiver name", "accepted by",
    "delivered to", "left with", "handed to", "handed over to", "given to", "collected by",
    "picked up by", "released to", "recipient:", "recipient name", "consignee:", "consignee name",
    "addressee:", "name:", "contact:", "contact name", "contact person", "customer:",
    "customer name", "pod:", "pod name", "proof of delivery:", "attn", "attention:",
    "for the attention of", "c/o", "care of",
    // Spanish
    "firmado por", "firmada por", "firma:", "recibido por", "recibida por", "entregado a",
    "entregada a", "entregado al", "entregada al", "recogido por", "recogida por", "aceptado por",
    "dejado con", "destinatario:", "receptor:", "nombre:", "atención:", "a la atención de",
    "en atención a",
    // French
    "signé par", "signée par", "reçu par", "reçue par", "remis à", "remis au", "remise à",
    "remise au", "livré à", "livré au", "livrée à", "réceptionné par", "réceptionnée par",
    "accepté par", "laissé chez", "laissé à", "confié à", "chez", "destinataire:", "signataire",
    "signature :", "à l'attention de", "nom:",
    // German
    "unterschrieben von", "unterzeichnet von", "empfangen von", "übergeben an", "uebergeben an",
    "zugestellt an", "zugestellt bei", "abgegeben bei", "abgegeben an", "entgegengenommen von",
    "angenommen von", "quittiert von", "abgeholt von", "empfänger:", "empfaenger:", "unterschrift:",
    "z. hd.", "z.hd.", "zu händen", "zu haenden",
    // Dutch
    "ontvangen door", "getekend door", "ondertekend door", "afgeleverd bij", "afgegeven aan",
    "afgegeven bij", "aangenomen door", "in ontvangst genomen door", "overhandigd aan",
    "bezorgd bij", "ontvanger:", "handtekening:", "t.a.v.", "tav",
    // Italian
    "firmato da", "firmata da", "ricevuto da", "ricevuta da", "consegnato a", "consegnata a",
    "consegnato al", "consegnata al", "ritirato da", "ritirata da", "accettato da", "lasciato a",
    "lasciato presso", "all'attenzione di", "alla cortese attenzione di",
    // Portuguese
    "assinado por", "assinada por", "recebido por", "recebida por", "entregue a", "entregue ao",
    "entregue para", "retirado por", "retirada por", "aceito por", "recebedor:", "recebedor",
    "assinatura:", "aos cuidados de", "a/c",
    // Polish
    "podpisane przez", "podpisano przez", "podpisał", "podpisała", "odebrane przez",
    "odebrano przez", "odebrał", "odebrała", "doręczono do", "odbiorca:", "podpis:",
    // Turkish
    "teslim alan", "teslim alan kişi", "imzalayan", "alıcı:", "teslim edilen kişi", "imza:",
    "teslim edildi:",
    // Scandinavian
    "signerad av", "mottagen av", "kvitterad av", "utlämnad till", "modtaget af", "underskrevet af",
    "kvitteret af", "signert av", "mottatt av", "utlevert til",
    // Russian
    "получил", "получила", "подписал", "подписала", "получатель:",
    // Arabic
    "وقع", "استلم", "تم التسليم إلى", "تم التسليم الى", "سلمت إلى", "سلم إلى", "تم الاستلام من قبل",
    "المستلم", "اسم المستلم", "توقيع", "التوقيع", "عناية", "المرسل إليه",
    // Chinese, Japanese
    "签收人", "簽收人", "收件人", "收貨人", "收货人", "签收", "簽收", "代收", "受取人", "署名", "受領者",
];

/// Verbs that follow the signer's name: "J SMITH signed", "J SMITH hat unterschrieben".
#[rustfmt::skip]
const SIGNED_AFTER_NAME: &[&str] = &[
    "signed", "has signed", "have signed", "a signé", "hat unterschrieben", "unterschrieb", "firmó",
    "ha firmado", "assinou", "heeft getekend", "tekende", "ha firmato", "imzaladı", "podpisał",
    "podpisała", "received the", "accepted the", "collected the",
];

/// Words between a name and the verb after it ("J SMITH has signed").
#[rustfmt::skip]
const AUXILIARIES: &[&str] = &[
    "has", "had", "have", "was", "were", "is", "be", "been", "must", "to", "needs", "need", "will",
    "can", "could", "should", "hat", "ha", "heeft", "a", "not", "also", "then",
];

/// Titles before a name.
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "herr", "herrn", "frau", "mme", "mlle", "monsieur", "madame",
    "señor", "señora", "señorita", "sr", "sra", "srta", "signor", "signora", "dhr", "mevr",
    "mevrouw", "pani", "sayın", "السيد", "السيدة", "господин", "госпожа",
];

/// Labels before a phone number.
#[rustfmt::skip]
const PHONE_LABELS: &[&str] = &[
    "tel", "tél", "tele", "telephone", "téléphone", "phone", "ph", "mob", "mobile", "mobil", "cell",
    "cellphone", "telefon", "teléfono", "telefono", "telefone", "tlf", "tfn", "handy", "móvil",
    "celular", "portable", "gsm", "fax", "call", "whatsapp", "contact", "hp", "هاتف", "الهاتف",
    "جوال", "الجوال", "موبايل", "رقم", "телефон", "тел", "電話", "电话", "手机", "手機", "携帯",
];

/// Place and role words that may follow a signer phrase without naming anyone.
#[rustfmt::skip]
const SAFE_WORDS: &[&str] = &[
    // English
    "front", "back", "side", "main", "rear", "door", "doors", "porch", "step", "steps", "doorstep",
    "garage", "garden", "yard", "shed", "patio", "mailbox", "letterbox", "letter", "box", "mail",
    "mailroom", "room", "reception", "receptionist", "desk", "lobby", "concierge", "office", "post",
    "security", "guard", "building", "manager", "management", "staff", "neighbour", "neighbor",
    "neighbours", "neighbors", "house", "home", "residence", "resident", "recipient", "recipients",
    "addressee", "consignee", "customer", "customers", "family", "member", "self", "agent",
    "authorized", "authorised", "pickup", "point", "parcel", "package", "locker", "shop", "store",
    "counter", "safe", "place", "location", "entrance", "gate", "service", "required", "obtained",
    "not", "needed", "file", "waived", "release", "carrier", "courier", "driver", "customs",
    "broker", "airline", "facility", "hub", "depot", "warehouse", "local", "partner", "delivery",
    "final", "collection", "redelivery", "return", "sender", "signing", "requested", "request",
    "option", "confirmation", "captured", "provided", "available", "fedex", "ups", "usps", "dhl",
    "dpd", "gls", "tnt", "hermes", "evri", "yodel", "royal", "amazon", "ontrac", "colissimo",
    "chronopost", "correos", "postnl", "bpost", "canada", "australia", "him", "them", "you", "me",
    "mine", "the", "a", "an", "my", "your", "their", "our", "his", "its", "same", "day",
    // French
    "porte", "entree", "boite", "lettres", "lettre", "voisin", "voisine", "voisins", "gardien",
    "gardienne", "accueil", "destinataire", "domicile", "relais", "consigne", "jardin", "palier",
    "loge", "le", "la", "les", "l", "du", "des", "de", "un", "une",
    // German
    "tur", "haustur", "nachbar", "nachbarn", "briefkasten", "empfang", "garten", "terrasse",
    "keller", "filiale", "packstation", "abstellort", "wunschnachbar", "der", "die", "das", "den",
    "dem", "einem", "einen", "ein", "eine", "empfanger",
    // Spanish
    "puerta", "vecino", "vecina", "recepcion", "porteria", "conserjeria", "conserje", "buzon",
    "porton", "garaje", "domicilio", "destinatario", "entrada", "el", "los", "las", "una",
    "sucursal", "oficina", "cliente",
    // Dutch
    "deur", "voordeur", "buren", "buurman", "buurvrouw", "brievenbus", "receptie", "tuin", "het",
    "een", "ontvanger", "afhaalpunt", "pakketpunt",
    // Italian
    "porta", "vicino", "vicina", "portineria", "portiere", "cassetta", "postale", "ingresso", "il",
    "lo", "gli", "della", "del",
    // Portuguese
    "vizinho", "vizinha", "portaria", "porteiro", "recepcao", "caixa", "correio", "garagem", "o",
    "os", "as", "um", "uma", "destinatario",
    // Polish, Turkish
    "drzwi", "sasiad", "sasiadka", "recepcja", "skrzynka", "portier", "adresat", "kapi", "komsu",
    "resepsiyon", "kapici", "alici", "guvenlik",
    // Arabic
    "الباب", "الجار", "الاستقبال", "البواب", "صندوق", "المستلم", "الحارس", "المنزل", "العميل",
    "الشحنة", "المرسل",
];

/// Words that introduce a trailing place ("at front door", "à la porte").
#[rustfmt::skip]
const PREPOSITIONS: &[&str] = &[
    "at", "in", "on", "to", "near", "next", "behind", "under", "inside", "outside", "beside",
    "with", "via", "by", "for", "au", "aux", "a", "dans", "devant", "derriere", "sur", "en", "bei",
    "an", "am", "im", "vor", "hinter", "auf", "junto", "al", "bij", "op", "voor", "achter", "nel",
    "alla", "presso", "davanti", "na", "no", "em", "w", "przy", "pod", "do", "في", "عند", "على",
    "امام",
];

/// Words that start something other than the rest of a name: after a hidden name, a clause
/// that starts with one of these (or a safe word or preposition) is kept.
#[rustfmt::skip]
const STARTERS: &[&str] = &[
    // English
    "the", "this", "that", "thank", "thanks", "please", "your", "you", "we", "our", "it", "its",
    "not", "if", "see", "visit", "call", "contact", "track", "tracking", "question", "questions",
    "for", "from", "and", "or", "delivered", "left", "signed", "received", "accepted", "proof",
    "shipment", "item", "items", "order", "arrived", "departed", "picked", "out", "attempted",
    "attempt", "available", "collected", "estimated", "expected", "released", "processed",
    "processing", "scheduled", "returned", "returning", "awaiting", "waiting", "ready", "status",
    "details", "info", "information", "notice", "photo", "image", "signature", "sent", "scan",
    "scanned", "updated", "update", "transit", "international", "clearance", "export", "import",
    "sorted", "loaded", "unloaded",
    // French, German, Spanish, Dutch, Italian, Portuguese, Polish, Turkish
    "merci", "votre", "vos", "colis", "livre", "depose", "pour", "avec", "est", "voir", "suivi",
    "vielen", "dank", "ihre", "ihr", "sendung", "paket", "zugestellt", "mit", "fur", "gracias",
    "su", "sus", "paquete", "envio", "entregado", "con", "para", "por", "bedankt", "uw", "pakket",
    "zending", "naar", "met", "grazie", "suo", "pacco", "spedizione", "consegnato", "obrigado",
    "seu", "sua", "pacote", "encomenda", "entregue", "com", "dziekujemy", "paczka", "przesylka",
    "paket", "gonderi", "tesekkurler", "teslim",
    // Arabic
    "شكرا", "تم", "الطرد", "من",
];

/// Words that may stand alone after a hidden name ("J SMITH, neighbour", "…. Thanks!").
/// Words that double as surnames (House, Post, Day…) are left out: alone, they are hidden.
#[rustfmt::skip]
const ALONE_WORDS: &[&str] = &[
    "questions", "thanks", "thank", "please", "merci", "danke", "gracias", "grazie", "obrigado",
    "bedankt", "dziękujemy", "teşekkürler", "شكرا", "neighbour", "neighbor", "neighbours",
    "neighbors", "reception", "receptionist", "concierge", "mailroom", "mailbox", "letterbox",
    "porch", "doorstep", "lobby", "garage", "customer", "recipient", "addressee", "consignee",
    "voisin", "voisine", "gardien", "gardienne", "accueil", "nachbar", "nachbarn", "briefkasten",
    "empfang", "vecino", "vecina", "recepción", "conserjería", "buren", "buurman", "receptie",
    "vicino", "portineria", "vizinho", "portaria", "sąsiad", "komşu", "الجار", "الاستقبال",
    "البواب",
];

/// Name particles: never taken as the start of something else ("SMITH, DE LA CRUZ").
#[rustfmt::skip]
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "do", "dos", "das", "del", "della", "di", "du", "van", "von", "der", "den", "ten",
    "ter", "la", "le", "el", "al", "bin", "ben", "abu", "ibn", "st", "mc", "mac", "o", "y", "e",
    "a",
];

/// Abbreviations whose dot does not end a sentence (a name follows).
#[rustfmt::skip]
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "sra", "srta", "mme", "mlle", "hr", "fr",
    "dhr", "mevr", "sig", "ing", "dipl", "mag", "jun", "sen", "snr", "jnr", "rev", "hon", "capt",
    "col", "gen", "lt", "sgt", "mx", "messrs", "bros", "co", "attn", "att", "herrn", "sgra",
    "sigra",
];

/// Street words: `12 Oakhurst Lane`, `Calle Mayor 3`. Abbreviations count only after a
/// number (`12 Main St`), since state codes look the same (`HARTFORD, CT 06101`).
#[rustfmt::skip]
const STREET_WORDS: &[&str] = &[
    "street", "lane", "road", "avenue", "drive", "court", "boulevard", "way", "place", "terrace",
    "close", "crescent", "square", "highway", "parkway", "circle", "trail", "alley", "mews",
    "gardens", "grove", "strasse", "gasse", "platz", "allee", "chaussee", "rue", "chemin",
    "impasse", "quai", "route", "calle", "via", "avenida", "paseo", "plaza", "camino", "carrera",
    "callejon", "viale", "piazza", "corso", "vicolo", "straat", "laan", "plein", "gracht", "kade",
    "singel", "rua", "travessa", "praca", "alameda", "ulica", "aleja", "sokak", "sokagi", "cadde",
    "caddesi", "mahalle", "mahallesi", "bulvar", "bulvari", "شارع", "طريق", "حي", "улица",
    "проспект",
];
#[rustfmt::skip]
const STREET_ABBREVIATIONS: &[&str] = &[
    "st", "str", "ln", "rd", "ave", "av", "dr", "ct", "blvd", "pl", "terr", "cres", "sq", "hwy",
    "pkwy", "cir", "trl", "bd", "avda", "ul", "sk", "sok", "cad", "mah", "ул",
];
/// Endings of compound street names: `Hauptstraße`, `Dorpsstraat`, `Kirchweg`.
#[rustfmt::skip]
const STREET_SUFFIXES: &[&str] = &[
    "strasse", "str", "weg", "gasse", "platz", "allee", "damm", "ufer", "straat", "laan", "plein",
    "gracht", "steeg", "gatan", "vagen", "gade", "vej", "veien",
];
/// Unit and box words: `Apt 4`, `PO Box 12`, `Postfach 7`.
#[rustfmt::skip]
const UNIT_WORDS: &[&str] = &[
    "apt", "apartment", "suite", "unit", "flat", "bldg", "postfach", "box", "apartado",
    "appartement", "wohnung", "whg", "piso", "etage", "casilla", "pobox", "postbus", "caixa",
    "skrytka", "ص.ب", "صب",
];

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let phrases = |list: &[&[&str]]| {
            let mut all: Vec<Vec<char>> = list
                .iter()
                .flat_map(|l| l.iter())
                .map(|p| fold_str(p).trim().chars().collect::<Vec<char>>())
                .filter(|p| !p.is_empty())
                .collect();
            all.sort_by_key(|p| std::cmp::Reverse(p.len()));
            all.dedup();
            let mut grouped = Phrases::new();
            for phrase in all {
                grouped.entry(phrase[0]).or_default().push(phrase);
            }
            grouped
        };
        let set = |list: &[&[&str]]| -> HashSet<String> {
            list.iter()
                .flat_map(|l| l.iter())
                .map(|w| norm_word(w))
                .collect()
        };
        let particles = set(&[NAME_PARTICLES]);
        let mut stops = set(&[SAFE_WORDS, PREPOSITIONS, STARTERS, PHONE_LABELS]);
        stops.retain(|w| !particles.contains(w) && w.chars().count() >= 2);
        Lists {
            name_phrases: phrases(&[SIGNER_PHRASES, TITLES]),
            signed_after: phrases(&[SIGNED_AFTER_NAME]),
            auxiliaries: set(&[AUXILIARIES]),
            phone_labels: phrases(&[PHONE_LABELS]),
            safe: set(&[SAFE_WORDS, PREPOSITIONS]),
            prepositions: set(&[PREPOSITIONS]),
            stops,
            alone_words: set(&[ALONE_WORDS, PHONE_LABELS]),
            abbreviations: set(&[ABBREVIATIONS]),
            streets: set(&[STREET_WORDS]),
            street_abbreviations: set(&[STREET_ABBREVIATIONS]),
            units: set(&[UNIT_WORDS]),
        }
    })
}

/// A word as the lists hold it: folded, letters and digits only.
fn norm_word(word: &str) -> String {
    let mut folded = Vec::with_capacity(4);
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        folded.clear();
        fold_into(c, &mut folded);
        out.extend(folded.iter().filter(|f| f.is_alphanumeric()));
    }
    out
}

fn is_street_word(norm: &str) -> bool {
    if lists().streets.contains(norm) {
        return true;
    }
    STREET_SUFFIXES
        .iter()
        .any(|s| norm.len() > s.len() + 2 && norm.ends_with(s))
}

fn is_street_abbreviation(norm: &str) -> bool {
    lists().street_abbreviations.contains(norm)
}

/// Street words that are also everyday words ("on its way", "in place"): they count only
/// after a house number, never before one.
#[rustfmt::skip]
const AMBIGUOUS_STREET_WORDS: &[&str] = &[
    "way", "place", "close", "court", "square", "circle", "route", "gardens", "grove", "trail",
    "mews", "terrace", "plaza", "paseo", "camino", "corso", "via",
];

// ---------------------------------------------------------------------------------------------
// Words of the original text.

#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
    norm: String,
    /// Counts clause breaks before the word: words in different clauses never combine.
    clause: usize,
}

/// Hard clause ends: punctuation that ends a clause wherever it stands.
const CLAUSE_BREAKS: &str = ",;()[]{}\n\r|!?،؛؟，；（）。！？、•";

fn is_clause_break(c: char) -> bool {
    CLAUSE_BREAKS.contains(c)
}

/// Whitespace-separated words, split further at clause breaks.
fn words(chars: &[char]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut clause = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_clause_break(c) {
            clause += 1;
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !is_clause_break(chars[i]) {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        out.push(Word {
            start,
            end: i,
            norm: norm_word(&text),
            clause,
        });
    }
    out
}

fn mark(hide: &mut [bool], from: usize, to: usize) {
    let to = to.min(hide.len());
    if from < to {
        hide[from..to].fill(true);
    }
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses.

/// Chars that end an e-mail address (besides whitespace).
const EMAIL_ENDS: &str = "()[]{}<>\",;:«»（），；：「」|、。";

/// Chars that may belong to an address around an `@` (generously: fail closed).
fn is_email_char(c: char) -> bool {
    !c.is_whitespace() && !EMAIL_ENDS.contains(c)
}

fn hide_emails(chars: &[char], folded: &Folded, hide: &mut [bool]) {
    let n = chars.len();
    for i in 0..n {
        if !matches!(chars[i], '@' | '＠' | '﹫') {
            continue;
        }
        let mut left = i;
        while left > 0 && is_email_char(chars[left - 1]) {
            left -= 1;
        }
        let mut right = i + 1;
        while right < n && is_email_char(chars[right]) {
            right += 1;
        }
        while right > i + 1 && matches!(chars[right - 1], '.' | '-' | '!' | '?') {
            right -= 1;
        }
        if left < i || right > i + 1 {
            mark(hide, left, right);
        } else {
            // `jane @ example.com`: a word, a lone `@`, and something with a dot in it.
            let before = previous_word(chars, i);
            let after = next_word(chars, i + 1);
            if let (Some((bs, _)), Some((as_, ae))) = (before, after) {
                if chars[as_..ae].contains(&'.') {
                    mark(hide, bs, ae);
                }
            }
        }
    }
    hide_spelled_out_emails(chars, folded, hide);
}

fn previous_word(chars: &[char], before: usize) -> Option<(usize, usize)> {
    let mut end = before;
    while end > 0 && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_email_char(chars[start - 1]) {
        start -= 1;
    }
    (start < end).then_some((start, end))
}

fn next_word(chars: &[char], from: usize) -> Option<(usize, usize)> {
    let mut start = from;
    while start < chars.len() && chars[start].is_whitespace() {
        start += 1;
    }
    let mut end = start;
    while end < chars.len() && is_email_char(chars[end]) {
        end += 1;
    }
    (start < end).then_some((start, end))
}

/// `jane[at]example.com`, `jane (at) example (dot) com`, `jane at example dot com`.
fn hide_spelled_out_emails(chars: &[char], folded: &Folded, hide: &mut [bool]) {
    let at_markers: Vec<Vec<char>> = ["[at]", "(at)", "{at}", "<at>", "[@]", "(@)"]
        .iter()
        .map(|m| m.chars().collect())
        .collect();
    let dot_markers: Vec<Vec<char>> = ["[dot]", "(dot)", "{dot}", "<dot>", " dot ", "[.]", "(.)"]
        .iter()
        .map(|m| m.chars().collect())
        .collect();
    let text = &folded.chars;
    let starts_with =
        |k: usize, m: &[char]| k + m.len() <= text.len() && text[k..k + m.len()] == *m;
    for k in 0..text.len() {
        let bracketed = at_markers.iter().find(|m| starts_with(k, m));
        let spoken =
            text[k..].starts_with(&[' ', 'a', 't', ' ']) && k > 0 && text[k - 1].is_alphanumeric();
        let marker_len = match (bracketed, spoken) {
            (Some(m), _) => m.len(),
            (None, true) => 4,
            _ => continue,
        };
        // The domain: words joined by dots or dot markers.
        let mut j = k + marker_len;
        while j < text.len() && text[j] == ' ' {
            j += 1;
        }
        let domain_start = j;
        let mut dots = 0;
        let mut spelled_dot = false;
        loop {
            while j < text.len() && (text[j].is_alphanumeric() || matches!(text[j], '-' | '_')) {
                j += 1;
            }
            let spaced = if j < text.len() && text[j] == ' ' {
                j + 1
            } else {
                j
            };
            if let Some(m) = dot_markers.iter().find(|m| starts_with(spaced, m)) {
                j = spaced + m.len();
                spelled_dot = true;
            } else if let Some(m) = dot_markers.iter().find(|m| starts_with(j, m)) {
                j += m.len();
                spelled_dot = true;
            } else if j + 1 < text.len() && text[j] == '.' && text[j + 1].is_alphanumeric() {
                j += 1;
            } else {
                break;
            }
            dots += 1;
            while j < text.len() && text[j] == ' ' {
                j += 1;
            }
        }
        if j == domain_start || dots == 0 || (bracketed.is_none() && !spelled_dot) {
            continue;
        }
        let at = folded.origin[k];
        let start = previous_word(chars, at).map_or(at, |w| w.0.min(at));
        mark(hide, start, folded.after(j.max(k + 1)));
    }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers.

/// A digit of any script: ASCII, Arabic-Indic, full-width, …
fn is_digit(c: char) -> bool {
    c.is_numeric()
}

fn digit_value(c: char) -> Option<u32> {
    if let Some(d) = c.to_digit(10) {
        return Some(d);
    }
    // Decimal digits of other scripts come in blocks of ten starting at a `0`.
    const ZEROS: [u32; 12] = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0E50, 0x0F20,
        0xFF10,
    ];
    let code = c as u32;
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .map(|zero| code - zero)
}

/// Separators phone numbers are written with (besides whitespace and dashes).
const PHONE_SEPARATORS: &str = ".·•/\\()[]+＋~*|（）．／_";

/// Whether `chars[k]` may separate digit groups of a phone number. `,` `:` and `'` count only
/// between two digits.
fn is_phone_separator(chars: &[char], k: usize) -> bool {
    let c = chars[k];
    if c == '\n' || c == '\r' {
        return false;
    }
    if c.is_whitespace() || is_dash_like(c) || is_ignorable(c) {
        return true;
    }
    if PHONE_SEPARATORS.contains(c) {
        return true;
    }
    matches!(c, ',' | ':' | '\'' | '’' | '٫' | '٬')
        && k > 0
        && k + 1 < chars.len()
        && is_digit(chars[k - 1])
        && is_digit(chars[k + 1])
}

/// From a digit at `start`: the end of the digit run (separators allowed between digits, at
/// most three in a row) and how many digits it holds. Protected dates and times end a run.
fn phone_run(chars: &[char], protected: &[bool], start: usize) -> (usize, usize) {
    let mut j = start;
    let mut digits = 0;
    let mut end = start;
    loop {
        if j < chars.len() && is_digit(chars[j]) && !protected[j] {
            digits += 1;
            j += 1;
            end = j;
            continue;
        }
        // Up to three separators between digit groups; a run of spaces counts as one.
        let mut k = j;
        let mut units = 0;
        while k < chars.len()
            && k - j < 12
            && units <= 3
            && !protected[k]
            && is_phone_separator(chars, k)
        {
            if !(chars[k].is_whitespace() && k > j && chars[k - 1].is_whitespace()) {
                units += 1;
            }
            k += 1;
        }
        if k > j && units <= 3 && k < chars.len() && is_digit(chars[k]) && !protected[k] {
            j = k;
            continue;
        }
        return (end, digits);
    }
}

/// Hides the run starting at `start`, with a `+` or `(` written just before it.
fn hide_run(chars: &[char], start: usize, end: usize, hide: &mut [bool]) {
    let mut from = start;
    while from > 0 && matches!(chars[from - 1], '+' | '＋' | '(' | '（') {
        from -= 1;
    }
    let mut to = end;
    if to < chars.len() && matches!(chars[to], ')' | '）') && chars[from..end].contains(&'(') {
        to += 1;
    }
    mark(hide, from, to);
}

const PHONE_MIN_DIGITS: usize = 7;

fn hide_phone_numbers(chars: &[char], protected: &[bool], hide: &mut [bool]) {
    let mut i = 0;
    while i < chars.len() {
        if is_digit(chars[i]) && !protected[i] {
            let (end, digits) = phone_run(chars, protected, i);
            if digits >= PHONE_MIN_DIGITS {
                hide_run(chars, i, end, hide);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

/// After a phone label: the first number within a few characters is hidden, however short.
fn hide_labelled_number(chars: &[char], protected: &[bool], from: usize, hide: &mut [bool]) {
    let mut k = from;
    while k < chars.len() && k - from <= 16 && chars[k] != '\n' {
        if is_digit(chars[k]) {
            if protected[k] {
                return; // a date or a time
            }
            let (end, digits) = phone_run(chars, protected, k);
            if digits >= 3 {
                hide_run(chars, k, end, hide);
            }
            return;
        }
        k += 1;
    }
}

/// Dates and times in the text, which are kept even though they are digit runs.
fn protected_dates_and_times(chars: &[char]) -> Vec<bool> {
    let mut protected = vec![false; chars.len()];
    let n = chars.len();
    let group = |from: usize| -> (usize, u32) {
        let mut j = from;
        let mut value = 0u32;
        while j < n && j - from < 5 {
            match digit_value(chars[j]) {
                Some(d) => value = value * 10 + d,
                None => break,
            }
            j += 1;
        }
        (j - from, value)
    };
    let digit_at = |k: usize| k < n && digit_value(chars[k]).is_some();
    let mut i = 0;
    while i < n {
        let starts = digit_at(i) && (i == 0 || !is_digit(chars[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let left_clear = i == 0
            || !(matches!(chars[i - 1], '+' | '-' | '.' | '/' | ':')
                || (chars[i - 1].is_whitespace() && i >= 2 && is_digit(chars[i - 2])));
        // A time: H:MM or HH:MM, optionally :SS.
        let (l1, hours) = group(i);
        if left_clear && (1..=2).contains(&l1) && i + l1 < n && chars[i + l1] == ':' {
            let (l2, minutes) = group(i + l1 + 1);
            let mut end = i + l1 + 1 + l2;
            let mut ok = l2 == 2 && hours <= 23 && minutes <= 59;
            if ok && end < n && chars[end] == ':' {
                let (l3, seconds) = group(end + 1);
                ok = l3 == 2 && seconds <= 59;
                end += 1 + l3;
            }
            let right_clear = end >= n || !(is_digit(chars[end]) || chars[end] == ':');
            if ok && right_clear {
                protected[i..end].fill(true);
                i = end;
                continue;
            }
        }
        // A date: YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY and the like, one separator kind.
        if left_clear && i + l1 < n && matches!(chars[i + l1], '-' | '.' | '/') {
            let sep = chars[i + l1];
            let (l2, v2) = group(i + l1 + 1);
            let second_end = i + l1 + 1 + l2;
            if l2 > 0 && second_end < n && chars[second_end] == sep {
                let (l3, v3) = group(second_end + 1);
                let end = second_end + 1 + l3;
                let year = |v: u32| (1990..=2099).contains(&v);
                let month = |v: u32| (1..=12).contains(&v);
                let day = |v: u32| (1..=31).contains(&v);
                let valid = if l1 == 4 && (1..=2).contains(&l2) && (1..=2).contains(&l3) {
                    year(hours) && month(v2) && day(v3)
                } else if (1..=2).contains(&l1) && (1..=2).contains(&l2) && l3 == 4 {
                    year(v3) && ((day(hours) && month(v2)) || (month(hours) && day(v2)))
                } else {
                    false
                };
                let right_clear = end >= n
                    || !(is_digit(chars[end])
                        || (matches!(chars[end], '-' | '.' | '/' | ':') && digit_at(end + 1))
                        || (chars[end].is_whitespace()
                            && digit_at(end + 1)
                            && !followed_by_time(chars, end + 1)));
                if valid && right_clear {
                    protected[i..end].fill(true);
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    protected
}

fn followed_by_time(chars: &[char], from: usize) -> bool {
    let mut j = from;
    while j < chars.len() && j - from < 2 && digit_value(chars[j]).is_some() {
        j += 1;
    }
    j > from
        && j + 2 < chars.len()
        && chars[j] == ':'
        && digit_value(chars[j + 1]).is_some()
        && digit_value(chars[j + 2]).is_some()
}

// ---------------------------------------------------------------------------------------------
// Street addresses.

fn is_house_number(word: &Word, chars: &[char]) -> bool {
    let text = &chars[word.start..word.end];
    let first = text
        .iter()
        .position(|c| !matches!(c, '#' | '№' | 'n' | 'N' | 'º' | '°'));
    first.is_some_and(|f| is_digit(text[f]))
        && text.len() <= 9
        && !text.contains(&':')
        && text.iter().filter(|c| c.is_alphabetic()).count() <= 2
}

fn hide_addresses(chars: &[char], hide: &mut [bool]) {
    let lists = lists();
    let words = words(chars);
    let same_clause = |a: usize, b: usize| words[a].clause == words[b].clause;
    let number_like = |w: &Word| chars[w.start..w.end].iter().any(|&c| is_digit(c));
    for i in 0..words.len() {
        // `12 Oakhurst Lane`, `12 rue de la Paix`, `221B Baker St`.
        if is_house_number(&words[i], chars) {
            for j in i + 1..words.len().min(i + 5) {
                let preposition_between =
                    j > i + 1 && lists.prepositions.contains(&words[j - 1].norm);
                if !same_clause(i, j) || preposition_between {
                    break;
                }
                let norm = &words[j].norm;
                if is_street_word(norm) || is_street_abbreviation(norm) {
                    // The street's name may follow its type (`12 rue de la Paix`): hide the
                    // rest of the clause too.
                    let mut last = j;
                    while last + 1 < words.len() && same_clause(i, last + 1) {
                        last += 1;
                    }
                    mark(hide, words[i].start, words[last].end);
                    break;
                }
            }
        }
        // `Hauptstraße 5`, `Calle Mayor 3`, `Oakhurst Lane 12`.
        let norm = words[i].norm.as_str();
        let before_number = !AMBIGUOUS_STREET_WORDS.contains(&norm) || norm == "via";
        if is_street_word(norm) && before_number {
            for j in i + 1..words.len().min(i + 4) {
                let other_word_between = j > i + 1 && lists.stops.contains(&words[j - 1].norm);
                if !same_clause(i, j) || other_word_between {
                    break;
                }
                if is_house_number(&words[j], chars) {
                    let mut from = i;
                    while from > 0
                        && i - from < 2
                        && same_clause(from - 1, i)
                        && !number_like(&words[from - 1])
                        && !lists.stops.contains(&words[from - 1].norm)
                    {
                        from -= 1;
                    }
                    mark(hide, words[from].start, words[j].end);
                    break;
                }
            }
        }
        // `Apt 4`, `Suite 200`, `PO Box 12`, `Postfach 7`.
        if lists.units.contains(&words[i].norm) {
            for j in i + 1..words.len().min(i + 3) {
                if !same_clause(i, j) {
                    break;
                }
                if number_like(&words[j]) {
                    let mut from = i;
                    if i > 0 && matches!(words[i - 1].norm.as_str(), "po" | "p" | "bp") {
                        from = i - 1;
                    }
                    mark(hide, words[from].start, words[j].end);
                    break;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Names after signer phrases, attention lines and titles.

/// A `.` that ends a sentence: followed by whitespace (or the end), and not the dot of an
/// initial (`K. SMITH`) or of a title (`Mr. SMITH`).
fn is_sentence_dot(chars: &[char], j: usize) -> bool {
    if chars[j] != '.' && chars[j] != '．' {
        return false;
    }
    if j + 1 < chars.len() && !chars[j + 1].is_whitespace() {
        return false;
    }
    let mut start = j;
    while start > 0 && chars[start - 1].is_alphabetic() {
        start -= 1;
    }
    let letters = j - start;
    if letters == 0 {
        return true;
    }
    let token: String = chars[start..j].iter().collect();
    letters >= 2 && !lists().abbreviations.contains(&norm_word(&token))
}

/// The end of the clause starting at `from`: a hard clause break or a sentence end.
fn clause_end(chars: &[char], from: usize) -> usize {
    (from..chars.len())
        .find(|&j| is_clause_break(chars[j]) || is_sentence_dot(chars, j))
        .unwrap_or(chars.len())
}

fn is_label_punctuation(c: char) -> bool {
    c.is_whitespace() || is_dash_like(c) || matches!(c, ':' | '：' | '=' | '>' | '»')
}

/// Hides the name that starts at `from` (just after a signer phrase or title): the rest of
/// the clause, except a trailing place made only of known place words ("at front door"), and
/// any following clause that does not plainly start something else.
fn hide_name_after(chars: &[char], from: usize, hide: &mut [bool]) {
    let lists = lists();
    let mut i = from;
    // The dot of an abbreviated title or label (`Mr.`, `Attn.`), but not a sentence end.
    if i < chars.len() && chars[i] == '.' && !is_sentence_dot(chars, i) {
        i += 1;
    }
    while i < chars.len() && is_label_punctuation(chars[i]) {
        i += 1;
    }
    let mut first = true;
    while i < chars.len() {
        let end = clause_end(chars, i);
        let clause: Vec<Word> = words(&chars[i..end])
            .into_iter()
            .map(|w| Word {
                start: w.start + i,
                end: w.end + i,
                ..w
            })
            .collect();
        let lead = clause.iter().find(|w| !w.norm.is_empty());
        match lead {
            None if first => return,
            None => {}
            // After a hidden name, a clause is kept when it plainly starts something else:
            // several words led by a common word, or one known place word.
            Some(lead)
                if !first
                    && if clause.len() == 1 {
                        lists.alone_words.contains(&lead.norm)
                    } else {
                        lists.stops.contains(&lead.norm)
                    } =>
            {
                return
            }
            Some(_) => {
                // The kept tail: the longest run of safe words at the end, from a preposition on,
                // holding at least one real place word. All safe: the whole clause is kept.
                let mut tail = clause.len();
                while tail > 0 && lists.safe.contains(&clause[tail - 1].norm) {
                    tail -= 1;
                }
                let names_a_place = |words: &[Word]| {
                    words.iter().any(|w| {
                        !lists.prepositions.contains(&w.norm)
                            && !SAFE_ARTICLES.contains(&w.norm.as_str())
                    })
                };
                let keep_from = if tail == 0 && names_a_place(&clause) {
                    0
                } else {
                    (tail..clause.len())
                        .find(|&k| lists.prepositions.contains(&clause[k].norm))
                        .filter(|&k| k > 0 && names_a_place(&clause[k..]))
                        .unwrap_or(clause.len())
                };
                if keep_from > 0 {
                    mark(hide, clause[0].start, clause[keep_from - 1].end);
                }
            }
        }
        first = false;
        if end >= chars.len() {
            return;
        }
        // On to the next clause.
        i = end + 1;
        while i < chars.len()
            && (is_label_punctuation(chars[i]) || is_clause_break(chars[i]) || chars[i] == '.')
        {
            i += 1;
        }
    }
}

/// Hides the name written before a verb such as "signed" at `verb` ("J SMITH has signed"):
/// up to four words back in the same clause, stopping at a common word ("Package signed").
fn hide_name_before(chars: &[char], verb: usize, hide: &mut [bool]) {
    let lists = lists();
    let mut start = verb;
    while start > 0 && !is_clause_break(chars[start - 1]) && !is_sentence_dot(chars, start - 1) {
        start -= 1;
    }
    let before = words(&chars[start..verb]);
    let mut k = before.len();
    while k > 0 && lists.auxiliaries.contains(&before[k - 1].norm) {
        k -= 1;
    }
    let last = k;
    let mut taken = 0;
    while k > 0 && taken < 4 {
        let word = &before[k - 1];
        let has_digit = chars[start + word.start..start + word.end]
            .iter()
            .any(|&c| is_digit(c));
        if word.norm.is_empty() || has_digit || lists.stops.contains(&word.norm) {
            break;
        }
        k -= 1;
        taken += 1;
    }
    if k < last {
        mark(hide, start + before[k].start, start + before[last - 1].end);
    }
}

/// Safe words that are not places: a kept tail needs more than these.
#[rustfmt::skip]
const SAFE_ARTICLES: &[&str] = &[
    "the", "a", "an", "my", "your", "their", "our", "his", "its", "le", "la", "les", "l", "du",
    "des", "de", "un", "une", "der", "die", "das", "den", "dem", "einem", "einen", "ein", "eine",
    "el", "los", "las", "una", "het", "een", "il", "lo", "gli", "della", "del", "o", "os", "as",
    "um", "uma", "him", "them", "you", "me", "mine", "same", "day", "not",
];

// ---------------------------------------------------------------------------------------------
// Output.

/// Prints the text with every hidden run as one marker; hidden runs separated only by
/// whitespace become one.
fn render(chars: &[char], hide: &mut [bool]) -> String {
    let n = chars.len();
    let mut i = 0;
    while i < n {
        if hide[i] {
            let mut j = i;
            while j < n && hide[j] {
                j += 1;
            }
            let mut k = j;
            while k < n && !hide[k] && chars[k].is_whitespace() && chars[k] != '\n' {
                k += 1;
            }
            if k < n && k > j && hide[k] {
                hide[j..k].fill(true);
                continue;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let mut out = String::with_capacity(n + HIDDEN.len());
    let mut i = 0;
    while i < n {
        if hide[i] {
            out.push_str(HIDDEN);
            while i < n && hide[i] {
                i += 1;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_what_identifies_a_person_and_keeps_the_rest() {
        let table = [
            (
                "Delivered, signed by J SMITH",
                "Delivered, signed by [hidden]",
            ),
            (
                "Delivered. Signed for by: ANNA KOWALSKA (front desk)",
                "Delivered. Signed for by: [hidden] (front desk)",
            ),
            (
                "Call +1 (555) 010-9999 to reschedule",
                "Call [hidden] to reschedule",
            ),
            (
                "Contact jane.doe@example.com for help",
                "Contact [hidden] for help",
            ),
            (
                "Arrived at facility 94043 at 10:42",
                "Arrived at facility 94043 at 10:42",
            ),
            ("Picked up", "Picked up"),
            (
                "Zugestellt, unterschrieben von Müller",
                "Zugestellt, unterschrieben von [hidden]",
            ),
            ("", ""),
        ];
        for (input, expected) in table {
            assert_eq!(redact_personal_data(input), expected, "{input}");
        }
    }

    #[test]
    fn folding_keeps_the_way_back_to_the_original() {
        let chars: Vec<char> = "İstanbul ẞ Straße".chars().collect();
        let folded = Folded::new(&chars);
        assert_eq!(
            folded.chars.iter().collect::<String>(),
            "istanbul ss strasse"
        );
        assert_eq!(folded.origin.len(), folded.chars.len());
        assert_eq!(folded.origin[0], 0);
        assert_eq!(*folded.origin.last().unwrap(), chars.len() - 1);
    }

    #[test]
    fn digits_of_other_scripts_have_values() {
        assert_eq!(digit_value('٧'), Some(7));
        assert_eq!(digit_value('７'), Some(7));
        assert_eq!(digit_value('۳'), Some(3));
        assert_eq!(digit_value('x'), None);
    }
}
