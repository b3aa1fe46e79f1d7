//! [`OnFailure`]: what happens when an invocation fails.

use std::fmt;
use std::time::Duration;

use aegis_core::Error;
use tracing::{Level, Span};

use super::event_at;

/// Called when an invocation fails, before [`OnInvocation`](super::OnInvocation).
///
/// Implemented by [`DefaultOnFailure`], by closures `Fn(&Error, Duration, &Span)`, and by `()`,
/// which does nothing.
pub trait OnFailure {
    /// Reports `error`.
    fn on_failure(&mut self, error: &Error, latency: Duration, span: &Span);
}

impl<F> OnFailure for F
where
    F: FnMut(&Error, Duration, &Span),
{
    fn on_failure(&mut self, error: &Error, latency: Duration, span: &Span) {
        self(error, latency, span);
    }
}

impl OnFailure for () {
    fn on_failure(&mut self, _: &Error, _: Duration, _: &Span) {}
}

/// Logs "invocation failed" with `error_type`, `error_message` and `error_kind`, at ERROR by
/// default, so a log filter on errors alone still sees every failure.
#[derive(Clone, Copy)]
pub struct DefaultOnFailure {
    level: Level,
}

impl DefaultOnFailure {
    /// Failures logged at ERROR.
    #[must_use]
    pub fn new() -> Self {
        Self {
            level: Level::ERROR,
        }
    }

    /// Logs failures at `level` instead.
    #[must_use]
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }
}

impl Default for DefaultOnFailure {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for DefaultOnFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultOnFailure")
            .field("level", &self.level)
            .finish()
    }
}

impl OnFailure for DefaultOnFailure {
    fn on_failure(&mut self, error: &Error, latency: Duration, span: &Span) {
        event_at!(
            self.level,
            parent: span,
            error_type = error.error_type(),
            error_message = error.message(),
            error_kind = ?error.kind(),
            duration_ms = latency.as_secs_f64() * 1000.0,
            "invocation failed"
        );
    }
}
