//! The IMEI: a phone's 15-digit identity, 14 digits and a Luhn check digit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 15-digit IMEI whose last digit is the Luhn check digit of the first 14. Parsing ignores
/// spaces and dashes (`35-209900-176148-1` is `352099001761481`).
///
/// `Debug` shows only the last four digits: an IMEI identifies one person's phone, and debug
/// output ends up in logs. `Display` (and serde) write all 15, for the channel that needs them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Imei([u8; 15]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImeiError {
    #[error("an IMEI has 15 digits (14 and a check digit), not {found}")]
    Length { found: usize },
    #[error("an IMEI is digits only (spaces and dashes are ignored): {ch:?} at position {position} is not a digit")]
    Character { ch: char, position: usize },
    #[error("this IMEI's last digit does not match the first 14 (its Luhn check digit): check each digit")]
    CheckDigit,
}

impl Imei {
    /// The Luhn check digit of 14 digits: from the right, every other digit (starting with the
    /// rightmost) is doubled, doubled digits above 9 lose 9, and the check digit tops the sum up
    /// to a multiple of 10.
    fn check_digit(body: &[u8]) -> u8 {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| {
                let d = u32::from(*d);
                if i % 2 == 0 {
                    let twice = d * 2;
                    if twice > 9 {
                        twice - 9
                    } else {
                        twice
                    }
                } else {
                    d
                }
            })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    /// The 15 digits.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl FromStr for Imei {
    type Err = ImeiError;

    fn from_str(input: &str) -> Result<Imei, ImeiError> {
        let mut digits = Vec::with_capacity(15);
        for (position, ch) in input.trim().chars().enumerate() {
            match ch {
                ' ' | '-' => {}
                '0'..='9' => digits.push(ch as u8 - b'0'),
                _ => return Err(ImeiError::Character { ch, position }),
            }
        }
        let digits: [u8; 15] = digits
            .as_slice()
            .try_into()
            .map_err(|_| ImeiError::Length {
                found: digits.len(),
            })?;
        if Imei::check_digit(&digits[..14]) != digits[14] {
            return Err(ImeiError::CheckDigit);
        }
        Ok(Imei(digits))
    }
}

impl fmt::Display for Imei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

impl fmt::Debug for Imei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Imei(…{})", &self.digits()[11..])
    }
}

impl Serialize for Imei {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Imei {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
