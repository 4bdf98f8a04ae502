//! Channel kinds, their rules, and the merchant's validated policy per channel.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::IdError;
use crate::order::Channel;
use crate::shopify::ShopDomain;

/// The most channels one merchant configures.
pub const MAX_CHANNELS: usize = 50;

/// When a channel gets its ship confirmation. Spelled `on_assigned`, `on_movement`, `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationPolicy {
    /// When the shipment has a TN (`tracking.assigned`).
    OnAssigned,
    /// When the carrier shows the parcel moving (`shipment.in_transit`).
    OnMovement,
    /// Never: the merchant confirms in the channel itself.
    Never,
}

impl ConfirmationPolicy {
    pub const ALL: [ConfirmationPolicy; 3] = [
        ConfirmationPolicy::OnAssigned,
        ConfirmationPolicy::OnMovement,
        ConfirmationPolicy::Never,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmationPolicy::OnAssigned => "on_assigned",
            ConfirmationPolicy::OnMovement => "on_movement",
            ConfirmationPolicy::Never => "never",
        }
    }
}

impl fmt::Display for ConfirmationPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConfirmationPolicy {
    type Err = ChannelError;
    fn from_str(s: &str) -> Result<ConfirmationPolicy, ChannelError> {
        ConfirmationPolicy::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| ChannelError::UnknownPolicy(echo(s)))
    }
}

/// A field a channel needs with its confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredField {
    /// The phone's IMEI (BackMarket, smartphone orders).
    Imei,
}

impl RequiredField {
    pub fn as_str(self) -> &'static str {
        match self {
            RequiredField::Imei => "imei",
        }
    }
}

impl fmt::Display for RequiredField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a channel locks its TN once confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockRule {
    /// The channel keeps the first TN it is sent: always locked after confirmation.
    Always,
    /// The channel accepts corrections; the merchant may still lock it. `default` is the lock a
    /// new policy gets.
    Optional { default: bool },
    /// Nothing is ever confirmed, so nothing locks.
    NotApplicable,
}

/// What kind of sales channel a [`Channel`] is, for its confirmation rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// A Shopify store, `shopify:<shop>` (a bare `shopify` names no store: [`ChannelKind::Other`]).
    Shopify,
    Amazon,
    Ebay,
    BackMarket,
    Manual,
    /// Any other channel: Waymark has no connector for it.
    Other,
}

/// A channel kind's rules: see the table in the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelRules {
    pub permitted: &'static [ConfirmationPolicy],
    pub default_policy: ConfirmationPolicy,
    pub lock: LockRule,
    /// Why `never` is refused, for the error message (empty where `never` is permitted).
    pub never_refused_because: &'static str,
}

use ConfirmationPolicy::{Never, OnAssigned, OnMovement};

impl ChannelKind {
    pub const ALL: [ChannelKind; 6] = [
        ChannelKind::Shopify,
        ChannelKind::Amazon,
        ChannelKind::Ebay,
        ChannelKind::BackMarket,
        ChannelKind::Manual,
        ChannelKind::Other,
    ];

    pub fn of(channel: &Channel) -> ChannelKind {
        match channel.kind() {
            "shopify" if shop_of(channel).is_some() => ChannelKind::Shopify,
            "amazon" => ChannelKind::Amazon,
            "ebay" => ChannelKind::Ebay,
            "backmarket" => ChannelKind::BackMarket,
            "manual" => ChannelKind::Manual,
            _ => ChannelKind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Shopify => "shopify",
            ChannelKind::Amazon => "amazon",
            ChannelKind::Ebay => "ebay",
            ChannelKind::BackMarket => "backmarket",
            ChannelKind::Manual => "manual",
            ChannelKind::Other => "other",
        }
    }

    pub fn rules(self) -> ChannelRules {
        const CONFIRMING: &[ConfirmationPolicy] = &[OnAssigned, OnMovement];
        const ANY: &[ConfirmationPolicy] = &[OnAssigned, OnMovement, Never];
        match self {
            ChannelKind::Shopify => ChannelRules {
                permitted: CONFIRMING,
                default_policy: OnAssigned,
                lock: LockRule::Optional { default: false },
                never_refused_because: "a store is synced either before dispatch (on_assigned) or after it (on_movement); remove the channel to stop syncing it",
            },
            ChannelKind::Amazon => ChannelRules {
                permitted: ANY,
                default_policy: OnAssigned,
                lock: LockRule::Always,
                never_refused_because: "",
            },
            ChannelKind::Ebay => ChannelRules {
                permitted: CONFIRMING,
                default_policy: OnAssigned,
                lock: LockRule::Always,
                never_refused_because: "eBay expects the seller to upload tracking for every order",
            },
            ChannelKind::BackMarket => ChannelRules {
                permitted: CONFIRMING,
                default_policy: OnAssigned,
                lock: LockRule::Always,
                never_refused_because: "BackMarket requires a ship confirmation for every order",
            },
            ChannelKind::Manual => ChannelRules {
                permitted: &[Never],
                default_policy: Never,
                lock: LockRule::NotApplicable,
                never_refused_because: "",
            },
            ChannelKind::Other => ChannelRules {
                permitted: ANY,
                default_policy: Never,
                lock: LockRule::Optional { default: false },
                never_refused_because: "",
            },
        }
    }

    /// A store the customer bought in (its fulfilment can tell the customer).
    pub fn is_store(self) -> bool {
        self == ChannelKind::Shopify
    }

    /// The fields this channel needs with a confirmation of an order; `smartphone` says the order
    /// is a phone (BackMarket asks its IMEI).
    pub fn required_fields(self, smartphone: bool) -> &'static [RequiredField] {
        match self {
            ChannelKind::BackMarket if smartphone => &[RequiredField::Imei],
            _ => &[],
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The store part of `shopify:<shop>`.
pub(crate) fn shop_of(channel: &Channel) -> Option<&str> {
    channel
        .as_str()
        .split_once(':')
        .map(|(_, shop)| shop)
        .filter(|shop| !shop.is_empty())
}

/// Why a channel's settings were refused. Each message is one sentence a merchant's developer
/// can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("the body is not valid JSON for channel settings: {0}")]
    Json(String),
    #[error("channel: {0}")]
    Channel(IdError),
    #[error(
        "a Shopify channel names its store's myshopify.com domain, like shopify:acme.myshopify.com"
    )]
    ShopifyStore,
    #[error("confirm must be on_assigned, on_movement or never, not {0:?}")]
    UnknownPolicy(String),
    #[error("{channel} does not allow confirm {policy}: {why}; use {permitted}")]
    PolicyNotPermitted {
        channel: String,
        policy: ConfirmationPolicy,
        permitted: String,
        why: &'static str,
    },
    #[error("{0} keeps the first tracking number it is sent, so Waymark always locks it after confirmation; lock_after_confirmation cannot be false")]
    LockRequired(String),
    #[error("{0} has nothing to confirm, so nothing can lock; leave lock_after_confirmation out")]
    LockNotApplicable(String),
    #[error("notify_customer applies only to a store channel (like shopify:acme.myshopify.com), not {0}")]
    NotifyCustomerNotStore(String),
    #[error("{0} is listed more than once; give each channel one policy")]
    Duplicate(String),
    #[error("at most {MAX_CHANNELS} channels can be configured, not {0}")]
    TooMany(usize),
}

fn echo(input: &str) -> String {
    input.chars().take(40).collect()
}

/// One channel's policy as sent and as stored: `{"channel": "backmarket", "confirm":
/// "on_assigned"}`. Left-out fields take the channel's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPolicyInput {
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_after_confirmation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadlines_follow_business_hours: Option<bool>,
    /// Store channels only: whether the store e-mails the customer when the TN is synced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_customer: Option<bool>,
}

/// A channel's validated confirmation policy. It can only hold a combination the channel's
/// rules permit; serde goes through [`ChannelPolicyInput`] and the same checks, and writes every
/// field out, so a stored policy reads back the same even if defaults change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChannelPolicyInput", into = "ChannelPolicyInput")]
pub struct ChannelPolicy {
    channel: Channel,
    kind: ChannelKind,
    confirm: ConfirmationPolicy,
    lock_after_confirmation: bool,
    deadlines_follow_business_hours: bool,
    notify_customer: bool,
}

impl ChannelPolicy {
    /// The policy a channel has until the merchant configures one: its kind's defaults.
    pub fn default_for(channel: Channel) -> ChannelPolicy {
        let kind = ChannelKind::of(&channel);
        let rules = kind.rules();
        ChannelPolicy {
            channel,
            kind,
            confirm: rules.default_policy,
            lock_after_confirmation: matches!(
                rules.lock,
                LockRule::Always | LockRule::Optional { default: true }
            ),
            deadlines_follow_business_hours: true,
            notify_customer: kind.is_store(),
        }
    }

    pub fn channel(&self) -> &Channel {
        &self.channel
    }
    pub fn kind(&self) -> ChannelKind {
        self.kind
    }
    pub fn confirm(&self) -> ConfirmationPolicy {
        self.confirm
    }
    /// Once a TN is confirmed, a different one is refused for this channel.
    pub fn locks(&self) -> bool {
        self.lock_after_confirmation
    }
    /// A label made outside business hours starts a field's deadline at the next business
    /// opening.
    pub fn deadlines_follow_business_hours(&self) -> bool {
        self.deadlines_follow_business_hours
    }
    /// A store tells the customer when the TN is synced (always false for other channels).
    pub fn notify_customer(&self) -> bool {
        self.notify_customer
    }
    /// The store's domain, for a Shopify channel.
    pub fn shop(&self) -> Option<&str> {
        (self.kind == ChannelKind::Shopify)
            .then(|| shop_of(&self.channel))
            .flatten()
    }
}

impl TryFrom<ChannelPolicyInput> for ChannelPolicy {
    type Error = ChannelError;

    fn try_from(input: ChannelPolicyInput) -> Result<ChannelPolicy, ChannelError> {
        let channel: Channel = input.channel.parse().map_err(ChannelError::Channel)?;
        if channel.kind() == "shopify" && ShopDomain::of_channel(&channel).is_err() {
            return Err(ChannelError::ShopifyStore);
        }
        let mut policy = ChannelPolicy::default_for(channel);
        let rules = policy.kind.rules();
        let name = policy.channel.to_string();
        if let Some(confirm) = input.confirm.as_deref() {
            let confirm: ConfirmationPolicy = confirm.parse()?;
            if !rules.permitted.contains(&confirm) {
                let permitted: Vec<&str> = rules.permitted.iter().map(|p| p.as_str()).collect();
                return Err(ChannelError::PolicyNotPermitted {
                    channel: name,
                    policy: confirm,
                    permitted: permitted.join(" or "),
                    why: if confirm == Never {
                        rules.never_refused_because
                    } else {
                        "a manual order has no sales channel to confirm to"
                    },
                });
            }
            policy.confirm = confirm;
        }
        if let Some(lock) = input.lock_after_confirmation {
            match rules.lock {
                LockRule::Always if !lock => return Err(ChannelError::LockRequired(name)),
                LockRule::NotApplicable => return Err(ChannelError::LockNotApplicable(name)),
                _ => policy.lock_after_confirmation = lock,
            }
        }
        if let Some(follow) = input.deadlines_follow_business_hours {
            policy.deadlines_follow_business_hours = follow;
        }
        if let Some(notify) = input.notify_customer {
            if !policy.kind.is_store() {
                return Err(ChannelError::NotifyCustomerNotStore(name));
            }
            policy.notify_customer = notify;
        }
        Ok(policy)
    }
}

impl From<ChannelPolicy> for ChannelPolicyInput {
    fn from(policy: ChannelPolicy) -> ChannelPolicyInput {
        let store = policy.kind.is_store();
        let lockable = policy.kind.rules().lock != LockRule::NotApplicable;
        ChannelPolicyInput {
            channel: policy.channel.to_string(),
            confirm: Some(policy.confirm.to_string()),
            lock_after_confirmation: lockable.then_some(policy.lock_after_confirmation),
            deadlines_follow_business_hours: Some(policy.deadlines_follow_business_hours),
            notify_customer: store.then_some(policy.notify_customer),
        }
    }
}

/// A merchant's channel policies: at most [`MAX_CHANNELS`], one per channel. A channel not listed
/// has its kind's defaults ([`ChannelSettings::policy_for`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<ChannelPolicyInput>", into = "Vec<ChannelPolicyInput>")]
pub struct ChannelSettings(Vec<ChannelPolicy>);

impl ChannelSettings {
    pub fn new(policies: Vec<ChannelPolicy>) -> Result<ChannelSettings, ChannelError> {
        if policies.len() > MAX_CHANNELS {
            return Err(ChannelError::TooMany(policies.len()));
        }
        for (i, policy) in policies.iter().enumerate() {
            if policies[..i].iter().any(|p| p.channel == policy.channel) {
                return Err(ChannelError::Duplicate(policy.channel.to_string()));
            }
        }
        Ok(ChannelSettings(policies))
    }

    /// Reads a request body strictly: a JSON array of policies, unknown fields refused.
    pub fn from_json(body: &[u8]) -> Result<ChannelSettings, ChannelError> {
        let inputs: Vec<ChannelPolicyInput> =
            serde_json::from_slice(body).map_err(|e| ChannelError::Json(e.to_string()))?;
        ChannelSettings::try_from(inputs)
    }

    pub fn policies(&self) -> &[ChannelPolicy] {
        &self.0
    }

    /// These settings with `policy` set for its channel (added, or replacing the old one).
    pub fn with(&self, policy: ChannelPolicy) -> Result<ChannelSettings, ChannelError> {
        let mut policies: Vec<ChannelPolicy> = self
            .0
            .iter()
            .filter(|p| p.channel != policy.channel)
            .cloned()
            .collect();
        policies.push(policy);
        ChannelSettings::new(policies)
    }

    /// These settings without the channel's own policy (it goes back to its defaults).
    pub fn without(&self, channel: &Channel) -> ChannelSettings {
        ChannelSettings(
            self.0
                .iter()
                .filter(|p| p.channel != *channel)
                .cloned()
                .collect(),
        )
    }

    /// The channel's configured policy, else its kind's defaults.
    pub fn policy_for(&self, channel: &Channel) -> ChannelPolicy {
        self.0
            .iter()
            .find(|p| p.channel == *channel)
            .cloned()
            .unwrap_or_else(|| ChannelPolicy::default_for(channel.clone()))
    }
}

impl TryFrom<Vec<ChannelPolicyInput>> for ChannelSettings {
    type Error = ChannelError;
    fn try_from(inputs: Vec<ChannelPolicyInput>) -> Result<ChannelSettings, ChannelError> {
        if inputs.len() > MAX_CHANNELS {
            return Err(ChannelError::TooMany(inputs.len()));
        }
        let policies = inputs
            .into_iter()
            .map(ChannelPolicy::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        ChannelSettings::new(policies)
    }
}

impl From<ChannelSettings> for Vec<ChannelPolicyInput> {
    fn from(settings: ChannelSettings) -> Vec<ChannelPolicyInput> {
        settings
            .0
            .into_iter()
            .map(ChannelPolicyInput::from)
            .collect()
    }
}
