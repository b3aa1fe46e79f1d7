//! Placeholder: being written.
use crate::Trigger;
/// Tells which trigger sent `payload`.
#[must_use]
pub fn classify(_payload: &[u8]) -> Trigger {
    Trigger::Unknown
}
