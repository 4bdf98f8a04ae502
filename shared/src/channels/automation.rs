//! What a change to a shipment means for its sales channel, as one plan: the confirmation
//! [`decide`] answers, carried into what the record keeps ([`ChannelProgress`]), the notices
//! the merchant's systems get (signed webhooks, alert e-mails) and the Shopify calls. The edge
//! stores the plan's progress in the same transaction as the change, and delivers its notices
//! and calls through the outbox: each at least once, none twice (their keys are stable).

use serde::{Deserialize, Serialize};

use super::decide::{decide, ConfirmationAction, ConfirmationInput, Confirmed, Deadline, Supplied};
use super::decide::{HeldFields, WaitReason};
use super::imei::Imei;
use super::policy::{ChannelKind, ChannelPolicy, ConfirmationPolicy, RequiredField};
use crate::events::{EventKind, MerchantEvent};
use crate::ids::{Itn, TrackingNumber};
use crate::order::Channel;
use crate::settings::MerchantSettings;
use crate::shopify::{
    cod_paid_due, company_for_slug, fulfillment_create, fulfillment_event_create,
    fulfillment_events_to_post, fulfillment_tracking_info_update, order_mark_as_paid,
    FulfillmentEventStatus, FulfillmentId, FulfillmentOrderId, GraphqlRequest, OrderId,
    ShopifyInputError, TrackingInfo,
};
use crate::time::Timestamp;

/// The Shopify order a shipment fulfils: the order (marked paid for cash on delivery) and the
/// fulfilment orders the fulfilment closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopifyOrder {
    pub order_id: OrderId,
    pub fulfillment_order_ids: Vec<FulfillmentOrderId>,
}

/// What the merchant said about a shipment's order that its channel needs. Given when the
/// shipment is created; kept beside it by the record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderFacts {
    /// The customer pays the carrier on delivery.
    #[serde(default)]
    pub cash_on_delivery: bool,
    /// The order is a smartphone: BackMarket needs its IMEI with the confirmation.
    #[serde(default)]
    pub smartphone: bool,
    /// A Shopify channel's order, for the connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopify: Option<ShopifyOrder>,
}

/// The most fulfilment orders one shipment closes.
pub const MAX_FULFILLMENT_ORDERS: usize = 20;

/// Why a shipment's order facts were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("shopify (the Shopify order) is only for a shipment whose channel is a Shopify store (shopify:<shop>.myshopify.com), not {0}")]
    ShopifyOnShopifyOnly(String),
    #[error(
        "shopify.fulfillment_order_ids must list 1 to {MAX_FULFILLMENT_ORDERS} fulfilment orders"
    )]
    FulfillmentOrders,
}

impl OrderFacts {
    /// Checks the facts against the shipment's channel.
    pub fn check(self, channel: &Channel) -> Result<OrderFacts, FactsError> {
        if let Some(shopify) = &self.shopify {
            if ChannelKind::of(channel) != ChannelKind::Shopify {
                return Err(FactsError::ShopifyOnShopifyOnly(channel.to_string()));
            }
            if !(1..=MAX_FULFILLMENT_ORDERS).contains(&shopify.fulfillment_order_ids.len()) {
                return Err(FactsError::FulfillmentOrders);
            }
        }
        Ok(self)
    }
}

/// What has been done for a shipment's channel so far: the record keeps it, and each plan
/// starts from it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChannelProgress {
    /// The last confirmation sent (the lock, for a locking channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<Confirmed>,
    #[serde(default)]
    pub fields: HeldFields,
    /// The fulfilment Shopify created (set by the edge from Shopify's answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment: Option<FulfillmentId>,
    /// Fulfilment events planned for Shopify, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events_posted: Vec<FulfillmentEventStatus>,
    /// When the order was planned to be marked paid (cash on delivery, delivered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marked_paid: Option<Timestamp>,
    /// The missed deadline already reported, so it is reported once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_reported: Option<Timestamp>,
    /// The refused TN already reported as a conflict, so it is reported once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_reported: Option<TrackingNumber>,
}

/// Why a field could not be supplied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupplyError {
    #[error("this shipment's channel ({0}) needs no IMEI: only BackMarket smartphone orders do (created with \"smartphone\": true)")]
    NotRequired(String),
    #[error(
        "the confirmation to {channel} was already sent at {at}; the IMEI cannot change after it"
    )]
    AlreadyConfirmed { channel: String, at: Timestamp },
}

impl ChannelProgress {
    /// Keeps the IMEI the merchant supplied (replacing an earlier one until the confirmation
    /// goes out).
    pub fn supply_imei(
        &mut self,
        policy: &ChannelPolicy,
        facts: &OrderFacts,
        imei: Imei,
        now: Timestamp,
    ) -> Result<(), SupplyError> {
        let needed = policy
            .kind()
            .required_fields(facts.smartphone)
            .contains(&RequiredField::Imei);
        if !needed {
            return Err(SupplyError::NotRequired(policy.channel().to_string()));
        }
        if let Some(confirmed) = &self.confirmed {
            return Err(SupplyError::AlreadyConfirmed {
                channel: policy.channel().to_string(),
                at: confirmed.at,
            });
        }
        self.fields.imei = Some(Supplied {
            value: imei,
            at: now,
        });
        Ok(())
    }
}

/// What the merchant's systems are told about the channel (a signed webhook; the missed
/// deadline also as an alert e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum ChannelNotice {
    /// Confirm the shipment to the channel now with this TN (Waymark's connector does it for
    /// a Shopify store; for other channels the merchant's systems do).
    Confirmation {
        channel: Channel,
        tracking_number: TrackingNumber,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        carrier: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<TrackingNumber>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        imei: Option<Imei>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        missed_deadline: Option<Timestamp>,
    },
    /// A field was not supplied by its deadline; the confirmation waits for it.
    DeadlineMissed {
        channel: Channel,
        field: RequiredField,
        deadline: Timestamp,
    },
    /// The TN changed after a locking channel was confirmed; nothing was sent.
    Conflict {
        channel: Channel,
        confirmed: Confirmed,
        attempted: TrackingNumber,
    },
}

impl ChannelNotice {
    pub fn kind(&self) -> EventKind {
        match self {
            ChannelNotice::Confirmation { .. } => EventKind::ChannelConfirmation,
            ChannelNotice::DeadlineMissed { .. } => EventKind::ChannelDeadlineMissed,
            ChannelNotice::Conflict { .. } => EventKind::ChannelConflict,
        }
    }

    /// A key unique to this notice of this shipment: its deliveries' ids derive from it, so a
    /// notice planned twice is delivered once.
    pub fn key(&self, itn: Itn) -> String {
        match self {
            ChannelNotice::Confirmation {
                channel,
                tracking_number,
                ..
            } => format!("{itn}/{}/{channel}/{tracking_number}", self.kind()),
            ChannelNotice::DeadlineMissed {
                channel, deadline, ..
            } => format!("{itn}/{}/{channel}/{}", self.kind(), deadline.millis()),
            ChannelNotice::Conflict {
                channel, attempted, ..
            } => format!("{itn}/{}/{channel}/{attempted}", self.kind()),
        }
    }
}

/// A call to the Shopify store, planned once; the edge sends it (and retries it) later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum ShopifyTask {
    /// `fulfillmentCreate` with the TN.
    CreateFulfillment {
        tracking_number: TrackingNumber,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        company: Option<String>,
        notify_customer: bool,
    },
    /// `fulfillmentTrackingInfoUpdate`: a corrected TN, on a store that does not lock.
    UpdateTracking {
        tracking_number: TrackingNumber,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        company: Option<String>,
        notify_customer: bool,
    },
    /// `fulfillmentEventCreate`.
    PostEvent {
        status: FulfillmentEventStatus,
        happened_at: Timestamp,
    },
    /// `orderMarkAsPaid`: cash on delivery, delivered.
    MarkPaid,
}

impl ShopifyTask {
    /// Unique per shipment and call: the delivery's id derives from it.
    pub fn key(&self, itn: Itn) -> String {
        match self {
            ShopifyTask::CreateFulfillment { .. } => format!("{itn}/shopify/fulfillment"),
            ShopifyTask::UpdateTracking {
                tracking_number, ..
            } => format!("{itn}/shopify/tracking/{tracking_number}"),
            ShopifyTask::PostEvent { status, .. } => format!("{itn}/shopify/event/{status}"),
            ShopifyTask::MarkPaid => format!("{itn}/shopify/paid"),
        }
    }

    /// The name shown in the delivery log.
    pub fn label(&self) -> &'static str {
        match self {
            ShopifyTask::CreateFulfillment { .. } => "shopify.fulfillment_create",
            ShopifyTask::UpdateTracking { .. } => "shopify.fulfillment_tracking_info_update",
            ShopifyTask::PostEvent { .. } => "shopify.fulfillment_event_create",
            ShopifyTask::MarkPaid => "shopify.order_mark_as_paid",
        }
    }

    /// The task with the carrier's Shopify name filled in when it was not known at planning
    /// (the TN was attached without a carrier, and AfterShip has detected it since).
    pub fn with_carrier(self, slug: Option<&str>) -> ShopifyTask {
        let known = slug.and_then(company_for_slug).map(str::to_string);
        match self {
            ShopifyTask::CreateFulfillment {
                tracking_number,
                company: None,
                notify_customer,
            } => ShopifyTask::CreateFulfillment {
                tracking_number,
                company: known,
                notify_customer,
            },
            ShopifyTask::UpdateTracking {
                tracking_number,
                company: None,
                notify_customer,
            } => ShopifyTask::UpdateTracking {
                tracking_number,
                company: known,
                notify_customer,
            },
            other => other,
        }
    }

    /// The TN the call sends, if it sends one.
    pub fn tracking_number(&self) -> Option<&TrackingNumber> {
        match self {
            ShopifyTask::CreateFulfillment {
                tracking_number, ..
            }
            | ShopifyTask::UpdateTracking {
                tracking_number, ..
            } => Some(tracking_number),
            _ => None,
        }
    }

    /// Whether the call needs the fulfilment Shopify created first.
    pub fn needs_fulfillment(&self) -> bool {
        matches!(
            self,
            ShopifyTask::UpdateTracking { .. } | ShopifyTask::PostEvent { .. }
        )
    }

    /// The GraphQL request. `fulfillment` is the fulfilment created before (`None`: not yet,
    /// and a call that [`needs_fulfillment`](Self::needs_fulfillment) must wait); `url` the
    /// shipment's `/t/` link, when the edge has a public https origin.
    pub fn request(
        &self,
        order: &ShopifyOrder,
        fulfillment: Option<&FulfillmentId>,
        url: Option<&str>,
    ) -> Result<Option<GraphqlRequest>, ShopifyInputError> {
        fn tracking<'a>(
            number: &'a TrackingNumber,
            company: &'a Option<String>,
            url: Option<&'a str>,
        ) -> TrackingInfo<'a> {
            TrackingInfo {
                number,
                company: company.as_deref(),
                url,
            }
        }
        Ok(match (self, fulfillment) {
            (
                ShopifyTask::CreateFulfillment {
                    tracking_number,
                    company,
                    notify_customer,
                },
                _,
            ) => Some(fulfillment_create(
                &order.fulfillment_order_ids,
                &tracking(tracking_number, company, url),
                *notify_customer,
            )?),
            (
                ShopifyTask::UpdateTracking {
                    tracking_number,
                    company,
                    notify_customer,
                },
                Some(fulfillment),
            ) => Some(fulfillment_tracking_info_update(
                fulfillment,
                &tracking(tracking_number, company, url),
                *notify_customer,
            )?),
            (
                ShopifyTask::PostEvent {
                    status,
                    happened_at,
                },
                Some(fulfillment),
            ) => Some(fulfillment_event_create(fulfillment, *status, *happened_at)),
            (ShopifyTask::MarkPaid, _) => Some(order_mark_as_paid(&order.order_id)),
            (ShopifyTask::UpdateTracking { .. } | ShopifyTask::PostEvent { .. }, None) => None,
        })
    }
}

/// Where a shipment's channel stands, for the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChannelState {
    /// The policy is `never`: nothing is sent.
    Never,
    /// Not due yet.
    Waiting {
        reason: WaitReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Timestamp>,
    },
    /// Due once the merchant supplies `field`, by `deadline`.
    Held {
        field: RequiredField,
        deadline: Deadline,
    },
    /// `field` was not supplied by `deadline`; the confirmation waits for it.
    DeadlineMissed {
        field: RequiredField,
        deadline: Timestamp,
    },
    /// Confirmed (see `confirmed`).
    Confirmed,
    /// A locking channel was confirmed with one TN; the shipment's is now `attempted`.
    Conflict { attempted: TrackingNumber },
}

impl ChannelState {
    /// The state's name alone, as Find Orders keeps, filters and shows it.
    pub fn confirmation(&self) -> Confirmation {
        match self {
            ChannelState::Never => Confirmation::Never,
            ChannelState::Waiting { .. } => Confirmation::Waiting,
            ChannelState::Held { .. } => Confirmation::Held,
            ChannelState::DeadlineMissed { .. } => Confirmation::DeadlineMissed,
            ChannelState::Confirmed => Confirmation::Confirmed,
            ChannelState::Conflict { .. } => Confirmation::Conflict,
        }
    }
}

/// Where a shipment's ship confirmation stands, without the details ([`ChannelState`]): the
/// "Confirmation" column of Find Orders and its `confirmation` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    Never,
    Waiting,
    Held,
    DeadlineMissed,
    Confirmed,
    Conflict,
}

/// A `confirmation` value that names no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a confirmation state: use never, waiting, held, deadline_missed, confirmed or conflict")]
pub struct UnknownConfirmation(pub String);

impl Confirmation {
    pub const ALL: [Confirmation; 6] = [
        Confirmation::Never,
        Confirmation::Waiting,
        Confirmation::Held,
        Confirmation::DeadlineMissed,
        Confirmation::Confirmed,
        Confirmation::Conflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Never => "never",
            Confirmation::Waiting => "waiting",
            Confirmation::Held => "held",
            Confirmation::DeadlineMissed => "deadline_missed",
            Confirmation::Confirmed => "confirmed",
            Confirmation::Conflict => "conflict",
        }
    }
}

impl std::str::FromStr for Confirmation {
    type Err = UnknownConfirmation;
    fn from_str(text: &str) -> Result<Confirmation, UnknownConfirmation> {
        Confirmation::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| UnknownConfirmation(crate::find::echo(text)))
    }
}

/// Everything one plan is made from. No clock: `now` is an argument.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub itn: Itn,
    pub policy: &'a ChannelPolicy,
    pub facts: &'a OrderFacts,
    pub progress: &'a ChannelProgress,
    /// The shipment's merchant events so far ([`crate::events::derive_events`]).
    pub events: &'a [MerchantEvent],
    /// The TN sales channels get ([`crate::merge::number_for_channels`]).
    pub tracking_number: Option<&'a TrackingNumber>,
    /// That TN's carrier (AfterShip's slug), if known.
    pub carrier: Option<&'a str>,
    pub settings: &'a MerchantSettings,
    pub now: Timestamp,
}

/// The plan: what to keep, tell and call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPlan {
    pub progress: ChannelProgress,
    pub notices: Vec<ChannelNotice>,
    pub shopify: Vec<ShopifyTask>,
    /// When to plan again though nothing else changes (a deadline, a business opening).
    pub recheck_at: Option<Timestamp>,
    pub state: ChannelState,
}

/// The plan for the shipment's channel now. Planning again with the returned progress and the
/// same evidence yields no notices and no calls.
pub fn plan(input: &PlanInput<'_>) -> ChannelPlan {
    let policy = input.policy;
    let mut progress = input.progress.clone();
    let mut notices = Vec::new();
    let mut shopify = Vec::new();
    let mut recheck_at = None;
    let channel = policy.channel().clone();
    let is_shop = policy.kind() == ChannelKind::Shopify && input.facts.shopify.is_some();
    let company = input.carrier.and_then(company_for_slug).map(str::to_string);

    let action = decide(&ConfirmationInput {
        policy,
        events: input.events,
        tracking_number: input.tracking_number,
        confirmed: progress.confirmed.as_ref(),
        fields: &progress.fields,
        smartphone: input.facts.smartphone,
        settings: input.settings,
        now: input.now,
    });
    let state = match action {
        ConfirmationAction::Confirm {
            tracking_number,
            replaces,
            imei,
            missed_deadline,
        } => {
            if let Some(deadline) = missed_deadline {
                // A miss the record never saw happen (the field came late, before a recheck)
                // is still reported, once.
                if progress.missed_reported.is_none() {
                    progress.missed_reported = Some(deadline);
                    notices.push(ChannelNotice::DeadlineMissed {
                        channel: channel.clone(),
                        field: RequiredField::Imei,
                        deadline,
                    });
                }
            }
            notices.push(ChannelNotice::Confirmation {
                channel: channel.clone(),
                tracking_number: tracking_number.clone(),
                carrier: input.carrier.map(str::to_string),
                replaces: replaces.clone(),
                imei,
                missed_deadline,
            });
            if is_shop {
                shopify.push(match replaces {
                    None => ShopifyTask::CreateFulfillment {
                        tracking_number: tracking_number.clone(),
                        company: company.clone(),
                        notify_customer: policy.notify_customer(),
                    },
                    Some(_) => ShopifyTask::UpdateTracking {
                        tracking_number: tracking_number.clone(),
                        company: company.clone(),
                        notify_customer: policy.notify_customer(),
                    },
                });
            }
            progress.confirmed = Some(Confirmed {
                tracking_number,
                at: input.now,
            });
            ChannelState::Confirmed
        }
        ConfirmationAction::Wait { until, reason } => {
            recheck_at = until;
            ChannelState::Waiting { reason, until }
        }
        ConfirmationAction::HoldForField { field, deadline } => {
            if let Deadline::At { at } = deadline {
                recheck_at = Some(at);
            }
            ChannelState::Held { field, deadline }
        }
        ConfirmationAction::DeadlineMissed { field, deadline } => {
            if progress.missed_reported != Some(deadline) {
                progress.missed_reported = Some(deadline);
                notices.push(ChannelNotice::DeadlineMissed {
                    channel: channel.clone(),
                    field,
                    deadline,
                });
            }
            ChannelState::DeadlineMissed { field, deadline }
        }
        ConfirmationAction::Conflict {
            confirmed,
            attempted,
        } => {
            if progress.conflict_reported.as_ref() != Some(&attempted) {
                progress.conflict_reported = Some(attempted.clone());
                notices.push(ChannelNotice::Conflict {
                    channel: channel.clone(),
                    confirmed,
                    attempted: attempted.clone(),
                });
            }
            ChannelState::Conflict { attempted }
        }
        ConfirmationAction::Nothing => match (policy.confirm(), &progress.confirmed) {
            (_, Some(_)) => ChannelState::Confirmed,
            (ConfirmationPolicy::Never, None) => ChannelState::Never,
            (_, None) => ChannelState::Waiting {
                reason: WaitReason::NoTrackingNumber,
                until: None,
            },
        },
    };

    if is_shop && progress.confirmed.is_some() {
        // The store follows the carrier once it has the fulfilment: each status once, in order.
        for (status, happened_at) in
            fulfillment_events_to_post(input.events, &progress.events_posted)
        {
            progress.events_posted.push(status);
            shopify.push(ShopifyTask::PostEvent {
                status,
                happened_at,
            });
        }
    }
    if is_shop && progress.marked_paid.is_none() {
        if let Some(at) = cod_paid_due(input.facts.cash_on_delivery, input.events) {
            progress.marked_paid = Some(at);
            shopify.push(ShopifyTask::MarkPaid);
        }
    }

    ChannelPlan {
        progress,
        notices,
        shopify,
        recheck_at,
        state,
    }
}

/// The body of a channel notice's webhook, in the shape of every delivery: `type`,
/// `timestamp` and `data` (the shipment, and the notice under `channel`).
pub fn notice_payload(
    notice: &ChannelNotice,
    at: Timestamp,
    shipment: &crate::webhooks::ShipmentSummary,
) -> String {
    #[derive(Serialize)]
    struct Data<'a> {
        #[serde(flatten)]
        shipment: &'a crate::webhooks::ShipmentSummary,
        channel_notice: &'a ChannelNotice,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        #[serde(rename = "type")]
        kind: EventKind,
        timestamp: Timestamp,
        data: Data<'a>,
    }
    serde_json::to_string(&Body {
        kind: notice.kind(),
        timestamp: at,
        data: Data {
            shipment,
            channel_notice: notice,
        },
    })
    .unwrap_or_default()
}

/// A shipment's channel as the merchant reads it (`GET …/shipments/{itn}/channel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelStatusView {
    pub channel: Channel,
    /// The channel's policy (the merchant's, or the channel kind's defaults).
    pub policy: ChannelPolicy,
    #[serde(flatten)]
    pub state: ChannelState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<Confirmed>,
    /// The fields the channel needs for this order, and whether each was supplied.
    pub required_fields: Vec<RequiredField>,
    /// When the IMEI was supplied (the IMEI itself is only sent with the confirmation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imei_supplied_at: Option<Timestamp>,
    pub cash_on_delivery: bool,
    pub smartphone: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopify: Option<ShopifyStatusView>,
}

/// What the Shopify connector did for a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyStatusView {
    pub order_id: OrderId,
    pub fulfillment_order_ids: Vec<FulfillmentOrderId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_id: Option<FulfillmentId>,
    pub events_planned: Vec<FulfillmentEventStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marked_paid_for: Option<Timestamp>,
}

impl ChannelStatusView {
    pub fn of(
        policy: &ChannelPolicy,
        facts: &OrderFacts,
        progress: &ChannelProgress,
        state: ChannelState,
    ) -> ChannelStatusView {
        ChannelStatusView {
            channel: policy.channel().clone(),
            policy: policy.clone(),
            state,
            confirmed: progress.confirmed.clone(),
            required_fields: policy.kind().required_fields(facts.smartphone).to_vec(),
            imei_supplied_at: progress.fields.imei.as_ref().map(|s| s.at),
            cash_on_delivery: facts.cash_on_delivery,
            smartphone: facts.smartphone,
            shopify: facts.shopify.as_ref().map(|order| ShopifyStatusView {
                order_id: order.order_id.clone(),
                fulfillment_order_ids: order.fulfillment_order_ids.clone(),
                fulfillment_id: progress.fulfillment.clone(),
                events_planned: progress.events_posted.clone(),
                marked_paid_for: progress.marked_paid,
            }),
        }
    }
}

/// One channel's policy as the API shows it, with what the merchant may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelView {
    pub channel: Channel,
    /// `shopify`, `amazon`, `ebay`, `backmarket`, `manual` or `other`.
    pub kind: String,
    pub confirm: ConfirmationPolicy,
    /// The policies this channel permits.
    pub permitted: Vec<ConfirmationPolicy>,
    pub lock_after_confirmation: bool,
    /// Whether the merchant may turn the lock off (never for marketplaces that keep the first
    /// TN they are sent).
    pub lock_optional: bool,
    pub deadlines_follow_business_hours: bool,
    /// Store channels: whether the store tells the customer when the TN is synced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_customer: Option<bool>,
    /// Shopify stores: whether an access token is set (the token itself is never shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected: Option<bool>,
}

impl ChannelView {
    pub fn of(policy: &ChannelPolicy, connected: bool) -> ChannelView {
        let kind = policy.kind();
        let rules = kind.rules();
        ChannelView {
            channel: policy.channel().clone(),
            kind: kind.as_str().to_string(),
            confirm: policy.confirm(),
            permitted: rules.permitted.to_vec(),
            lock_after_confirmation: policy.locks(),
            lock_optional: matches!(rules.lock, super::policy::LockRule::Optional { .. }),
            deadlines_follow_business_hours: policy.deadlines_follow_business_hours(),
            notify_customer: kind.is_store().then_some(policy.notify_customer()),
            connected: (kind == ChannelKind::Shopify).then_some(connected),
        }
    }
}

/// `PUT /v1/merchants/{id}/channels/{channel}`: the channel's policy (left-out fields take the
/// channel's defaults) and, for a Shopify store, its Admin API access token.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelUpdate {
    #[serde(default)]
    pub confirm: Option<String>,
    #[serde(default)]
    pub lock_after_confirmation: Option<bool>,
    #[serde(default)]
    pub deadlines_follow_business_hours: Option<bool>,
    #[serde(default)]
    pub notify_customer: Option<bool>,
    /// A secret: stored, never shown or logged. `null` or left out keeps the current one.
    #[serde(default)]
    pub access_token: Option<String>,
}

/// Why a channel update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelUpdateError {
    #[error("{0}")]
    Policy(#[from] super::policy::ChannelError),
    #[error("{0}")]
    Token(#[from] crate::shopify::ShopifyInputError),
    #[error(
        "access_token is only for a Shopify store channel (shopify:<shop>.myshopify.com), not {0}"
    )]
    TokenNotShopify(String),
}

impl ChannelUpdate {
    pub fn validate(
        self,
        channel: &str,
    ) -> Result<(ChannelPolicy, Option<crate::shopify::ShopifyToken>), ChannelUpdateError> {
        let policy = ChannelPolicy::try_from(super::policy::ChannelPolicyInput {
            channel: channel.to_string(),
            confirm: self.confirm,
            lock_after_confirmation: self.lock_after_confirmation,
            deadlines_follow_business_hours: self.deadlines_follow_business_hours,
            notify_customer: self.notify_customer,
        })?;
        let token = match self.access_token {
            None => None,
            Some(_) if policy.kind() != ChannelKind::Shopify => {
                return Err(ChannelUpdateError::TokenNotShopify(
                    policy.channel().to_string(),
                ))
            }
            Some(token) => Some(token.parse()?),
        };
        Ok((policy, token))
    }
}
