//! The edge's clock. Decisions never read it: `shared` takes time as an argument.

use shared::Timestamp;

pub fn now() -> Timestamp {
    Timestamp::from_millis(worker::Date::now().as_millis() as i64)
}
