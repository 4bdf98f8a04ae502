//! `shipment.stalled`: deadlines on the merchant's business calendar (see the module above).

use chrono::NaiveDate;

use super::{label_at, EventInput, EventKind, Evidence, Sighting};
use crate::aftership::Tag;
use crate::calendar::{add_business_days, is_business_day, local_date, resolve_local};
use crate::settings::MerchantSettings;
use crate::time::Timestamp;

/// The business close of the `n`-th business day after the local date of `from`, in the
/// merchant's zone (weekends and holidays skipped, DST-correct); with `n = 0`, the first business
/// close at or after `from`. "No new scan for `n` business days": a scan on Friday (or on
/// Saturday) with `n = 3` has until Wednesday's close. Saturates at [`Timestamp::MAX`].
pub fn in_transit_deadline(settings: &MerchantSettings, from: Timestamp, n: u32) -> Timestamp {
    let tz = settings.time_zone.tz();
    let close = settings.business_hours.close().naive();
    let Some(last) = NaiveDate::from_ymd_opt(2099, 12, 31) else {
        return Timestamp::MAX;
    };
    let mut date = local_date(tz, from);
    let mut remaining = n;
    loop {
        if remaining == 0 && is_business_day(settings, date) {
            let deadline = resolve_local(tz, date, close);
            if deadline >= from {
                return deadline;
            }
        }
        match date.succ_opt() {
            Some(next) if next <= last => date = next,
            _ => return Timestamp::MAX,
        }
        if remaining > 0 && is_business_day(settings, date) {
            remaining -= 1;
        }
    }
}

/// The first stall deadline that passed by `now`, and why.
pub(super) fn stalled(
    input: &EventInput<'_>,
    sightings: &[Sighting<'_>],
) -> Option<(Timestamp, Evidence)> {
    [
        no_first_scan(input, sightings),
        no_scan_in_transit(input, sightings),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(at, _)| *at)
}

/// No carrier evidence of a pickup by the end of the next pickup window after the label plus
/// the rule's business days.
fn no_first_scan(
    input: &EventInput<'_>,
    sightings: &[Sighting<'_>],
) -> Option<(Timestamp, Evidence)> {
    let label = label_at(input.history)?;
    let deadline = add_business_days(input.settings, label, input.stall.first_scan_business_days);
    if deadline > input.now {
        return None;
    }
    let picked_up = sightings
        .iter()
        .find(|s| s.proves(EventKind::PickedUp))
        .map(|s| s.at);
    if picked_up.is_some_and(|at| at <= deadline) {
        return None;
    }
    Some((
        deadline,
        Evidence::NoFirstScan {
            label_at: label,
            deadline,
        },
    ))
}

/// After the pickup, while the latest status is a moving one, a gap between two scans (or after
/// the last one) past its deadline, before any delivery.
fn no_scan_in_transit(
    input: &EventInput<'_>,
    sightings: &[Sighting<'_>],
) -> Option<(Timestamp, Evidence)> {
    let delivered = sightings
        .iter()
        .find(|s| s.proves(EventKind::Delivered))
        .map(|s| s.at);
    let scans: Vec<&Sighting<'_>> = sightings.iter().filter(|s| s.is_scan()).collect();
    let mut status: Option<Tag> = None;
    let mut picked_up = false;
    for (i, scan) in scans.iter().enumerate() {
        if delivered.is_some_and(|d| d <= scan.at) {
            return None;
        }
        status = scan.tag.or(status);
        picked_up |= scan.proves(EventKind::PickedUp);
        let next = scans.get(i + 1).map(|s| s.at);
        // The status after an instant is known once every scan at that instant is read.
        if next == Some(scan.at) {
            continue;
        }
        let moving = matches!(
            status,
            Some(Tag::InTransit | Tag::OutForDelivery | Tag::AttemptFail)
        );
        if !picked_up || !moving {
            continue;
        }
        let deadline = in_transit_deadline(
            input.settings,
            scan.at,
            input.stall.in_transit_business_days,
        );
        if deadline > input.now {
            // Later scans only have later deadlines.
            return None;
        }
        if next.is_none_or(|n| n > deadline) && delivered.is_none_or(|d| d > deadline) {
            return Some((
                deadline,
                Evidence::NoScanInTransit {
                    last_scan_at: scan.at,
                    deadline,
                },
            ));
        }
    }
    None
}
