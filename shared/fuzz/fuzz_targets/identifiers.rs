//! Any text as an ITN, a carrier tracking number, a lookup number, a merchant id, a carrier
//! time or a timestamp: parse errors are fine, panics are not; valid ITNs round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::ids::LookupNumber;
use shared::time::CarrierTime;
use shared::{Itn, MerchantId, Timestamp, TrackingNumber};

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else { return };
    if let Ok(itn) = text.parse::<Itn>() {
        assert_eq!(itn.to_string().parse::<Itn>(), Ok(itn));
    }
    let _ = text.parse::<TrackingNumber>();
    let _ = text.parse::<LookupNumber>();
    let _ = text.parse::<MerchantId>();
    let _ = text.parse::<Timestamp>().map(|t| t.to_string());
    let _ = CarrierTime::parse(text).map(|t| t.sort_key());
});
