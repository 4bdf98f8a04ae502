//! Ship confirmations per sales channel: when Waymark tells a marketplace or a store that an
//! order shipped, with which tracking number, and what happens when that number changes.
//!
//! Everything here is a plain function of values: the channel's [`ChannelPolicy`], the
//! shipment's merchant events ([`crate::events`]), the TN sales channels get
//! ([`crate::merge::number_for_channels`], passed in), what was already confirmed, the fields
//! the merchant supplied (an [`Imei`]) and `now`. [`decide`] answers one
//! [`ConfirmationAction`]; the edge carries it out (calls the channel, records the
//! confirmation, alerts the merchant) and asks again when something changes.
//!
//! # Policies
//!
//! | policy | the confirmation goes out when … |
//! |---|---|
//! | `on_assigned` | the shipment has a TN (`tracking.assigned`): the label exists |
//! | `on_movement` | the carrier shows the parcel moving (`shipment.in_transit`, its first movement scan) |
//! | `never` | never: the merchant confirms in the channel itself |
//!
//! # Channels and their rules
//!
//! A channel's kind comes from [`Channel`](crate::order::Channel) ([`ChannelKind::of`]):
//!
//! | kind | channel | policies permitted | default | locks once confirmed | fields |
//! |---|---|---|---|---|---|
//! | Shopify store | `shopify:<shop>` | `on_assigned`, `on_movement` | `on_assigned` | no, unless the merchant opts in | — |
//! | Amazon | `amazon` | `on_assigned`, `on_movement`, `never` | `on_assigned` | always | — |
//! | eBay | `ebay` | `on_assigned`, `on_movement` | `on_assigned` | always | — |
//! | BackMarket | `backmarket` | `on_assigned`, `on_movement` | `on_assigned` | always | IMEI for smartphone orders |
//! | manual | `manual` | `never` | `never` | — | — |
//! | any other | e.g. `etsy`, `woo:shop.example` | all three | `never` | no, unless the merchant opts in | — |
//!
//! Why: Amazon lets a seller confirm shipments itself (Seller Central, its own integrations), so
//! `never` is a real choice there. eBay and BackMarket expect the seller to upload tracking, and
//! BackMarket requires every order's confirmation (with the IMEI of a smartphone), so `never`
//! is refused for them. The marketplaces keep the first tracking they are sent: Waymark locks the
//! TN once confirmed rather than send a second one they would ignore or reject. A Shopify store
//! accepts a corrected TN (the fulfilment's tracking is updated), so it does not lock unless the
//! merchant asks. A manual order has no channel to confirm to. Waymark has no connector for other
//! channels: a policy there only decides when the confirmation is due (the merchant's own systems
//! act on it), so it is off until the merchant chooses one.
//!
//! # Sync before or after dispatch (a store channel)
//!
//! For a store the same two policies are the merchant's "sync the TN before or after dispatch":
//!
//! - **before dispatch** (`on_assigned`): the TN is sent to the store as soon as the label exists.
//!   The order shows as fulfilled at once and, if the store notifies customers, the shipping
//!   e-mail goes out now. The trade-off: the customer can get a TN that has no carrier scans yet
//!   (for hours, over a weekend for a Friday-evening label), and a tracking page that says
//!   "label created" looks like nothing is happening; a corrected label means a second e-mail.
//! - **after dispatch** (`on_movement`): the TN is sent when the carrier's first movement scan
//!   arrives. The customer's e-mail goes out only when the parcel really ships and the link shows
//!   progress at once; the trade-off is that the order stays "unfulfilled" in the store (and to
//!   the customer) until the carrier scans it, a day later or more, and a parcel the carrier never
//!   scans is never synced.
//!
//! # Required fields and their deadlines
//!
//! BackMarket needs the IMEI of a smartphone order with its confirmation. It is held with a
//! deadline ([`ConfirmationAction::HoldForField`]):
//!
//! - on `on_assigned`, 60 minutes after the label (the first `tracking.assigned`). A label made
//!   outside the merchant's business hours (a weekend, a holiday, before opening or after
//!   closing, in the merchant's zone) starts its 60 minutes at the next business opening, when
//!   the merchant's [`ChannelPolicy::deadlines_follow_business_hours`] is on (the default): a
//!   label at 22:00 on a Friday, with business hours 09:00–17:30 Monday to Friday, is due on
//!   Monday at 10:00 ([`imei_deadline`]).
//! - on `on_movement`, before the carrier picks the parcel up (`shipment.picked_up`): until then
//!   the deadline is the pickup, whose instant is not known yet (the start of the next pickup
//!   window is given as the expected one, when the merchant has pickup windows).
//!
//! A deadline that passes without the field is [`ConfirmationAction::DeadlineMissed`]: visible
//! and alerted, never skipped. The confirmation is not sent without the field. A field supplied
//! late is sent with the confirmation, which says which deadline it missed
//! ([`ConfirmationAction::Confirm`]'s `missed_deadline`), so a miss the edge never saw as it
//! happened is still reported.
//!
//! # Exactly once, and locks
//!
//! Once a TN is confirmed to a channel it is never confirmed again: replaying the same history
//! gives [`ConfirmationAction::Nothing`]. When the channel's TN changes afterwards (a corrected
//! label), a channel that does not lock gets the new TN as an update (`Confirm` with `replaces`),
//! and a locking channel gets nothing: the change is a [`ConfirmationAction::Conflict`] the
//! merchant sees. The edge refuses such a change up front where it can ([`check_attach`], a 409).

mod automation;
mod decide;
mod imei;
#[cfg(test)]
mod plan_tests;
mod policy;
#[cfg(test)]
mod tests;

pub use automation::{
    notice_payload, plan, ChannelNotice, ChannelPlan, ChannelProgress, ChannelState,
    ChannelStatusView, ChannelUpdate, ChannelUpdateError, ChannelView, Confirmation, FactsError,
    OrderFacts, PlanInput, ShopifyOrder, ShopifyStatusView, ShopifyTask, SupplyError,
    UnknownConfirmation, MAX_FULFILLMENT_ORDERS,
};
pub use decide::{
    business_opening, check_attach, decide, imei_deadline, ConfirmationAction, ConfirmationInput,
    Confirmed, Deadline, HeldFields, Supplied, TrackingLocked, WaitReason, IMEI_MINUTES,
};
pub use imei::{Imei, ImeiError};
pub use policy::{
    ChannelError, ChannelKind, ChannelPolicy, ChannelPolicyInput, ChannelRules, ChannelSettings,
    ConfirmationPolicy, LockRule, RequiredField, MAX_CHANNELS,
};
