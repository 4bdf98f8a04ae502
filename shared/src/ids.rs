//! Identifiers as types: parse once at the boundary, then carry values that cannot be wrong.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a piece of text is not a valid identifier. Every variant says what is wrong in words a
/// merchant or shopper can act on (`Display`), and carries enough detail for the widget to
/// point at the offending character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("the {what} is empty")]
    Empty { what: &'static str },
    #[error("the {what} must be {min} to {max} characters long, not {found}")]
    Length {
        what: &'static str,
        min: usize,
        max: usize,
        found: usize,
    },
    #[error("the {what} cannot contain {ch:?} (position {position})")]
    Character {
        what: &'static str,
        ch: char,
        position: usize,
    },
    #[error("a Waymark tracking number has 14 characters after WM (like WM-XXXX-XXXX-XXXX-XX); this one has {found}")]
    ItnLength { found: usize },
    #[error("the {what} must start with a letter")]
    MustStartWithLetter { what: &'static str },
    #[error("the tracking number {0} has a typo: its last character does not match (check each character)")]
    CheckCharacter(String),
    #[error("the {what} must contain at least one digit")]
    NoDigit { what: &'static str },
    #[error("a carrier tracking number cannot have the shape of a Waymark tracking number (WM-…): lookups would read it as one")]
    ItnShaped,
}

// ---------------------------------------------------------------------------------------------
// ITN
// ---------------------------------------------------------------------------------------------

/// Crockford's base32 alphabet: no I, L, O or U, so handwritten and read-aloud numbers survive.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Data characters in an ITN: 13 x 5 = 65 bits, of which at least 64 are random (see `from_random`).
const ITN_DATA_CHARS: usize = 13;
/// The printed prefix. `W` and `M` are Crockford digits too, so the prefix is recognised by length.
pub const ITN_PREFIX: &str = "WM";
/// Modulus of the check character. 37 is prime and larger than every digit value, so a single
/// wrong character changes the residue by `d * 32^k` (never a multiple of 37), and a swap of two
/// neighbours by `(a - b) * 31 * 32^k` (never a multiple of 37 either): both are always caught.
const CHECK_MODULUS: u128 = 37;

/// Internal Tracking Number: issued by Waymark the moment a shipment is created.
///
/// Printed as `WM-XXXX-XXXX-XXXX-XC` (13 data characters and one check character). Parsing is
/// forgiving: case, spaces and dashes are ignored, the `WM` prefix is optional, and `O`, `I`,
/// `L` read as `0`, `1`, `1`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Itn(u128);

impl Itn {
    /// Builds an ITN from caller-supplied random bytes (the caller owns the randomness source,
    /// which keeps this crate free of I/O). The low 65 bits of the bytes become the number; if
    /// its check value would need one of Crockford's five extra check symbols (`*~$=U`, awkward
    /// in URLs), the number is nudged down by at most 5 so the check character is a plain digit.
    /// That costs well under one bit of the 65.
    pub fn from_random(bytes: [u8; 9]) -> Itn {
        let mut value: u128 = 0;
        for byte in bytes {
            value = (value << 8) | u128::from(byte);
        }
        value &= (1u128 << (5 * ITN_DATA_CHARS)) - 1;
        let residue = value % CHECK_MODULUS;
        if residue >= 32 {
            value -= residue - 31;
        }
        Itn(value)
    }

    fn check_value(self) -> usize {
        // The residue is below 37 by construction, and below 32 for every constructed ITN.
        (self.0 % CHECK_MODULUS) as usize
    }

    /// The 14 significant characters without prefix or grouping (data + check).
    pub fn compact(self) -> String {
        let mut out = [0u8; ITN_DATA_CHARS + 1];
        let mut value = self.0;
        for slot in out[..ITN_DATA_CHARS].iter_mut().rev() {
            *slot = CROCKFORD[(value & 31) as usize];
            value >>= 5;
        }
        out[ITN_DATA_CHARS] = CROCKFORD[self.check_value()];
        out.iter().map(|&b| b as char).collect()
    }

    /// True when the text has the shape of an ITN (prefix and length), whether or not its check
    /// character is right. The lookup uses this to decide between "ITN with a typo" (refused
    /// before any storage read) and "carrier tracking number".
    pub fn looks_like_itn(input: &str) -> bool {
        let cleaned = clean_itn_input(input);
        cleaned.len() == ITN_PREFIX.len() + ITN_DATA_CHARS + 1
            && cleaned.starts_with(ITN_PREFIX)
            && cleaned.chars().all(|c| crockford_value(c).is_some())
    }
}

fn clean_itn_input(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{2010}' && *c != '\u{2013}')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn crockford_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    CROCKFORD
        .iter()
        .position(|&b| b as char == c)
        .map(|p| p as u8)
}

impl FromStr for Itn {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Itn, IdError> {
        const WHAT: &str = "tracking number";
        let cleaned = clean_itn_input(input);
        if cleaned.is_empty() {
            return Err(IdError::Empty { what: WHAT });
        }
        let body = if cleaned.len() != ITN_DATA_CHARS + 1 && cleaned.starts_with(ITN_PREFIX) {
            &cleaned[ITN_PREFIX.len()..]
        } else {
            cleaned.as_str()
        };
        let found = body.chars().count();
        if found != ITN_DATA_CHARS + 1 {
            return Err(IdError::ItnLength { found });
        }
        let mut value: u128 = 0;
        let mut check = 0u8;
        for (position, ch) in body.chars().enumerate() {
            let digit = crockford_value(ch).ok_or(IdError::Character {
                what: WHAT,
                ch,
                position,
            })?;
            if position < ITN_DATA_CHARS {
                value = (value << 5) | u128::from(digit);
            } else {
                check = digit;
            }
        }
        let itn = Itn(value);
        if itn.check_value() != usize::from(check) {
            return Err(IdError::CheckCharacter(input.trim().to_string()));
        }
        Ok(itn)
    }
}

impl fmt::Display for Itn {
    /// `WM-XXXX-XXXX-XXXX-XC`: groups of four, easy to read aloud and to compare by eye.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let compact = self.compact();
        f.write_str(ITN_PREFIX)?;
        for chunk in compact.as_bytes().chunks(4) {
            f.write_str("-")?;
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Itn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Itn({self})")
    }
}

// ---------------------------------------------------------------------------------------------
// Carrier tracking number
// ---------------------------------------------------------------------------------------------

/// A carrier's tracking number as the warehouse returned it: trimmed, inner spaces removed.
/// Equality and hashing ignore case, because carriers and shoppers do.
///
/// Only what can be looked up is accepted: letters, digits and `-` (a `/` or `.` would not
/// survive a URL path), at least one digit, and never the shape of an ITN (a lookup would
/// read it as one and never find the TN).
#[derive(Clone)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 64;

    /// Reads a TN stored by an earlier version, which also allowed `_`, `.` and `/`. Stored
    /// data must stay readable; new input goes through the strict `FromStr`.
    fn from_stored(input: &str) -> Result<TrackingNumber, IdError> {
        const WHAT: &str = "stored carrier tracking number";
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&input.len())
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        if ok {
            Ok(TrackingNumber(input.to_string()))
        } else {
            Err(IdError::Empty { what: WHAT })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form used for storage keys and comparison.
    pub fn key(&self) -> String {
        self.0.to_ascii_uppercase()
    }
}

impl FromStr for TrackingNumber {
    type Err = IdError;

    fn from_str(input: &str) -> Result<TrackingNumber, IdError> {
        const WHAT: &str = "carrier tracking number";
        let cleaned: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if cleaned.is_empty() {
            return Err(IdError::Empty { what: WHAT });
        }
        if let Some((position, ch)) = cleaned
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(IdError::Character {
                what: WHAT,
                ch,
                position,
            });
        }
        let found = cleaned.len();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&found) {
            return Err(IdError::Length {
                what: WHAT,
                min: Self::MIN_LEN,
                max: Self::MAX_LEN,
                found,
            });
        }
        if !cleaned.bytes().any(|b| b.is_ascii_digit()) {
            return Err(IdError::NoDigit { what: WHAT });
        }
        if Itn::looks_like_itn(&cleaned) {
            return Err(IdError::ItnShaped);
        }
        Ok(TrackingNumber(cleaned))
    }
}

impl PartialEq for TrackingNumber {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for TrackingNumber {}
impl std::hash::Hash for TrackingNumber {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}
impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingNumber({})", self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Merchant id and carrier slug
// ---------------------------------------------------------------------------------------------

/// A merchant's id: 2 to 32 characters of `a-z`, `0-9` and `-`, starting with a letter.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MerchantId(String);

impl MerchantId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MerchantId {
    type Err = IdError;

    fn from_str(input: &str) -> Result<MerchantId, IdError> {
        parse_lower_slug(input, "merchant id", 2, 32, true).map(MerchantId)
    }
}

/// An AfterShip courier slug such as `ups`, `fedex` or `royal-mail`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = IdError;

    fn from_str(input: &str) -> Result<Slug, IdError> {
        parse_lower_slug(input.trim(), "carrier slug", 1, 64, false).map(Slug)
    }
}

fn parse_lower_slug(
    input: &str,
    what: &'static str,
    min: usize,
    max: usize,
    letter_first: bool,
) -> Result<String, IdError> {
    if input.is_empty() {
        return Err(IdError::Empty { what });
    }
    if let Some((position, ch)) = input
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(IdError::Character { what, ch, position });
    }
    let found = input.len();
    if !(min..=max).contains(&found) {
        return Err(IdError::Length {
            what,
            min,
            max,
            found,
        });
    }
    if letter_first && !input.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(IdError::MustStartWithLetter { what });
    }
    Ok(input.to_string())
}

macro_rules! display_and_debug {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.0)
            }
        }
    )*};
}
display_and_debug!(MerchantId, Slug);

/// Every identifier serialises as its display form and deserialises through `FromStr`, so a
/// value read back from storage or the wire is validated exactly like user input.
macro_rules! serde_via_str {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}
pub(crate) use serde_via_str;
serde_via_str!(Itn, MerchantId, Slug);

impl Serialize for TrackingNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for TrackingNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse()
            .or_else(|_| TrackingNumber::from_stored(&text))
            .map_err(serde::de::Error::custom)
    }
}

/// What a shopper typed into the lookup: an ITN, or else a carrier tracking number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupNumber {
    Itn(Itn),
    Carrier(TrackingNumber),
}

impl FromStr for LookupNumber {
    type Err = IdError;

    /// Anything shaped like an ITN must be a valid ITN: a typo in its check character is an
    /// error, never a fallback to a carrier-number search (that would hit storage for typos).
    fn from_str(input: &str) -> Result<LookupNumber, IdError> {
        if Itn::looks_like_itn(input) {
            input.parse().map(LookupNumber::Itn)
        } else {
            input.parse().map(LookupNumber::Carrier)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itn_prints_grouped_and_parses_back_forgivingly() {
        let itn = Itn::from_random([7, 1, 2, 3, 4, 5, 6, 7, 8]);
        let printed = itn.to_string();
        assert_eq!(printed.len(), "WM-XXXX-XXXX-XXXX-XC".len());
        assert!(printed.starts_with("WM-"));
        assert_eq!(printed.parse::<Itn>(), Ok(itn));
        let sloppy = printed
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(sloppy.parse::<Itn>(), Ok(itn));
        assert_eq!(itn.compact().parse::<Itn>(), Ok(itn), "prefix is optional");
    }

    #[test]
    fn itn_errors_say_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            ("", "the tracking number is empty"),
            ("WM-1234", "a Waymark tracking number has 14 characters after WM (like WM-XXXX-XXXX-XXXX-XX); this one has 4"),
            ("WM-UUUU-0000-0000-00", "the tracking number cannot contain 'U' (position 0)"),
        ];
        for (input, message) in cases {
            let err = input.parse::<Itn>().unwrap_err();
            assert_eq!(err.to_string(), *message, "input {input:?}");
        }
        let good = Itn::from_random([9; 9]).to_string();
        let mut bad = good.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(matches!(
            bad.parse::<Itn>(),
            Err(IdError::CheckCharacter(_))
        ));
        assert!(Itn::looks_like_itn(&bad));
    }

    #[test]
    fn check_character_is_always_a_plain_digit() {
        for seed in 0u8..=255 {
            let itn = Itn::from_random([seed, seed ^ 0x5a, 3, seed, 255, 255, 255, seed, 1]);
            assert!(itn.check_value() < 32);
        }
        let all_ones = Itn::from_random([255; 9]);
        assert!(all_ones.check_value() < 32);
    }

    #[test]
    fn tracking_numbers_normalise_and_compare_ignoring_case() {
        let a: TrackingNumber = "  1z999 aa1 0123456784 ".parse().unwrap();
        let b: TrackingNumber = "1Z999AA10123456784".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "1z999aa10123456784");
        assert_eq!(a.key(), "1Z999AA10123456784");
        assert!(matches!(
            "12".parse::<TrackingNumber>(),
            Err(IdError::Length { .. })
        ));
        assert!(matches!(
            "12<script>".parse::<TrackingNumber>(),
            Err(IdError::Character { ch: '<', .. })
        ));
    }

    #[test]
    fn tracking_numbers_that_cannot_be_looked_up_are_refused() {
        let itn_shaped = Itn::from_random([4; 9]).to_string();
        let table: &[(&str, bool)] = &[
            ("1Z999AA10123456784", true),
            ("CJP123456789CN", true),
            ("LX-123-456-789", true),
            ("AB/87AF2B/CD", false),
            ("../..", false),
            ("..", false),
            ("a.b.c1", false),
            ("ABC_123", false),
            ("ABCDEF", false),
            ("---", false),
            (&itn_shaped, false),
            ("7K3M9QZP2XHDR", true),
        ];
        for (input, ok) in table {
            assert_eq!(input.parse::<TrackingNumber>().is_ok(), *ok, "{input}");
        }
        assert_eq!(
            itn_shaped.parse::<TrackingNumber>(),
            Err(IdError::ItnShaped)
        );
    }

    #[test]
    fn tracking_numbers_stored_by_earlier_versions_stay_readable() {
        let old: TrackingNumber = serde_json::from_str(r#""AB.123_45/6""#).unwrap();
        assert_eq!(old.as_str(), "AB.123_45/6");
        assert_eq!(serde_json::to_string(&old).unwrap(), r#""AB.123_45/6""#);
        assert!(serde_json::from_str::<TrackingNumber>(r#""<x>""#).is_err());
    }

    #[test]
    fn merchant_ids_follow_the_contract() {
        for ok in [
            "ac",
            "acme",
            "acme-outdoor-2",
            "a1234567890123456789012345678901",
        ] {
            assert!(ok.parse::<MerchantId>().is_ok(), "{ok}");
        }
        for bad in [
            "a",
            "1acme",
            "Acme",
            "acme_outdoor",
            "",
            "a12345678901234567890123456789012",
        ] {
            assert!(bad.parse::<MerchantId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn lookup_numbers_route_by_shape() {
        let itn = Itn::from_random([1; 9]);
        assert_eq!(itn.to_string().parse(), Ok(LookupNumber::Itn(itn)));
        assert!(matches!(
            "1Z999AA10123456784".parse(),
            Ok(LookupNumber::Carrier(_))
        ));
    }
}
