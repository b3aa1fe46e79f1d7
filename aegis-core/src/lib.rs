//! aegis-core (work in progress)
mod classify;
mod trigger;
pub use classify::classify;
pub use trigger::{FaasTrigger, Trigger, UnknownTriggerName};
