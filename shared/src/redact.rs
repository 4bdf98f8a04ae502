//! Keeps personal data out of carrier text before it is cached or shown.
//!
//! Carrier messages sometimes carry an email address, a phone number, or the name of whoever
//! signed ("Delivered, signed by J SMITH"). A public tracking page must not show them.

const REDACTED: &str = "[hidden]";

/// Phrases after which carriers put the signer's name; the rest of that clause is hidden.
const SIGNER_PHRASES: [&str; 6] = [
    "signed by",
    "signed for by",
    "received by",
    "signatory",
    "firmado por",
    "unterschrieben von",
];

/// Replaces emails, phone-like digit runs and signer names with a neutral marker.
pub fn redact_personal_data(text: &str) -> String {
    let words: Vec<String> = text
        .split(' ')
        .map(|word| {
            if looks_like_email(word) {
                REDACTED.to_string()
            } else {
                word.to_string()
            }
        })
        .collect();
    let joined = redact_phone_numbers(&words.join(" "));
    redact_signer(&joined)
}

fn looks_like_email(word: &str) -> bool {
    let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric());
    match trimmed.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.'),
        None => false,
    }
}

/// A run of at least 8 digits, allowing the separators phone numbers are written with, and an
/// optional leading `+`. Postal codes (5-6 digits) and times stay; carrier reference numbers
/// of 8+ digits are hidden too, which a shopper never needs from a timeline line.
fn redact_phone_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if starts {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || matches!(chars[j], ' ' | '-' | '(' | ')' | '.' | '+'))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            // Give back trailing separators so the surrounding text keeps its spacing.
            while j > i && !chars[j - 1].is_ascii_digit() {
                j -= 1;
            }
            if digits >= 8 {
                out.push_str(REDACTED);
            } else {
                out.extend(&chars[i..j]);
            }
            i = j.max(i + 1);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn redact_signer(text: &str) -> String {
    let lower = text.to_lowercase();
    for phrase in SIGNER_PHRASES {
        if let Some(at) = lower.find(phrase) {
            // `to_lowercase` can change byte lengths for some scripts; only cut on a boundary.
            let cut = at + phrase.len();
            if text.is_char_boundary(cut) && lower.len() == text.len() {
                let rest = &text[cut..];
                let end = rest.find([',', ';', '.', '(']).unwrap_or(rest.len());
                if rest[..end].trim().is_empty() {
                    return text.to_string();
                }
                return format!("{} {}{}", text[..cut].trim_end(), REDACTED, &rest[end..]);
            }
        }
    }
    text.to_string()
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
                "Delivered. Signed for by [hidden](front desk)",
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
}
