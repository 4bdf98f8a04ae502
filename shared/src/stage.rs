//! Status and stage rules: where a shipment stands on the shopper's progress bar.

use serde::{Deserialize, Serialize};

use crate::aftership::{CarrierTracking, SubtagMeaning, Tag};

/// The progress bar's steps, in order. Ordering matters: the stage is a maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Ordered,
    Prepared,
    Shipped,
    OutForDelivery,
    Delivered,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Ordered,
        Stage::Prepared,
        Stage::Shipped,
        Stage::OutForDelivery,
        Stage::Delivered,
    ];

    pub fn step(self) -> u8 {
        self as u8
    }

    /// The stage a carrier tag proves the parcel reached. Problems (exceptions, expiry) prove
    /// no progress by themselves; they are shown as an [`Alert`] on the stage reached.
    pub fn proven_by(tag: Tag) -> Stage {
        match tag {
            Tag::Pending | Tag::Expired => Stage::Ordered,
            Tag::InfoReceived => Stage::Prepared,
            Tag::InTransit | Tag::Exception => Stage::Shipped,
            Tag::OutForDelivery | Tag::AttemptFail | Tag::AvailableForPickup => {
                Stage::OutForDelivery
            }
            Tag::Delivered => Stage::Delivered,
        }
    }
}

/// Something the shopper should notice, shown distinctly from normal progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    AttemptFailed,
    AvailableForPickup,
    Exception,
    ReturnToSender,
    Expired,
}

impl Alert {
    pub fn for_status(tag: Tag, meaning: Option<SubtagMeaning>) -> Option<Alert> {
        match tag {
            Tag::AttemptFail => Some(Alert::AttemptFailed),
            Tag::AvailableForPickup => Some(Alert::AvailableForPickup),
            Tag::Exception if meaning.is_some_and(SubtagMeaning::is_return) => {
                Some(Alert::ReturnToSender)
            }
            Tag::Exception => Some(Alert::Exception),
            Tag::Expired => Some(Alert::Expired),
            _ => None,
        }
    }
}

/// The furthest stage any evidence proves: merchant progress, a label, every carrier
/// checkpoint and the tracking's own tag. A maximum over growing evidence cannot regress,
/// whatever order the checkpoints arrive in.
pub fn stage_reached(
    merchant_progress: bool,
    has_label: bool,
    carrier: Option<&CarrierTracking>,
) -> Stage {
    let mut stage = if merchant_progress || has_label {
        Stage::Prepared
    } else {
        Stage::Ordered
    };
    if let Some(tracking) = carrier {
        for tag in tracking
            .checkpoints
            .iter()
            .filter_map(|c| c.tag)
            .chain(tracking.tag)
        {
            stage = stage.max(Stage::proven_by(tag));
        }
    }
    stage
}
