//! Waymark's functional core.
//!
//! Everything here is a plain function over values: parsing identifiers, reading AfterShip's
//! payloads, folding a shipment's event history, and merging it all into the one
//! [`view::TrackingView`] a shopper sees. There is no I/O and no clock: callers pass the
//! current time in, so every decision is testable and replayable.

pub mod aftership;
pub mod alerts;
pub mod api;
pub mod cache;
pub mod calendar;
pub mod channels;
pub mod console;
pub mod csv;
pub mod events;
pub mod find;
pub mod ids;
pub mod merge;
pub mod order;
pub mod page;
pub mod presentation;
pub mod promise;
pub mod redact;
pub mod settings;
pub mod settings_form;
pub mod shipment;
pub mod shopify;
pub mod staff;
pub mod stage;
pub mod sync;
pub mod time;
pub mod view;
pub mod webhooks;

pub use ids::{IdError, Itn, MerchantId, Slug, TrackingNumber};
pub use time::Timestamp;
