//! The one way to report a failure that no client sees (background refreshes, registrations,
//! the schedule, unreadable stored values). A line names the task and the failure's class and
//! Waymark's own description of it: never request data, keys, stored values or carrier text.

use std::cell::RefCell;
use std::collections::HashSet;

use crate::error::EdgeError;

/// Logs a failed task that ran off the response path.
pub fn background_failure(task: &'static str, error: &EdgeError) {
    worker::console_error!("{task} failed: {}", error.log_line());
}

thread_local! {
    static REPORTED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Logs, once per isolate and storage key, that a stored value could not be read in full.
/// `what` says which kind of value and how much was lost; the content is never logged.
pub fn unreadable_once(key: &str, what: &str) {
    let first = REPORTED.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() > 1_000 {
            seen.clear();
        }
        seen.insert(key.to_string())
    });
    if first {
        // The key's prefix names the kind of record; its id part is left out.
        let kind = key.split(':').next().unwrap_or("");
        worker::console_error!("stored {kind} value unreadable: {what}");
    }
}
