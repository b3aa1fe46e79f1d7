//! [`OnInvocation`]: what happens when an invocation finishes, whatever its outcome.

use std::fmt;
use std::time::Duration;

use aegis_core::{Error, Reply, Trigger};
use tracing::{Level, Span};

use super::event_at;

/// How an invocation finished, as the summary line and the metrics name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The app answered. An SQS batch with failed records is still `Ok`: the failures are in
    /// the reply, for Lambda to retry.
    Ok,
    /// The invocation failed with an [`Error`].
    Error,
}

impl Outcome {
    /// The outcome of `result`.
    #[must_use]
    pub fn of<T, E>(result: &Result<T, E>) -> Self {
        if result.is_ok() {
            Self::Ok
        } else {
            Self::Error
        }
    }

    /// `ok` or `error`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
        }
    }
}

/// A finished invocation, as [`OnInvocation`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Finished<'a> {
    /// The trigger the payload was classified as.
    pub trigger: Trigger,
    /// The route, task or method that matched; `None` when the app found none.
    pub route: Option<&'a str>,
    /// Lambda's request id.
    pub request_id: &'a str,
    /// The X-Ray trace header Lambda passed, when tracing is on.
    pub xray_trace_id: Option<&'a str>,
    /// Whether this was the first invocation of the process.
    pub cold_start: bool,
    /// What the app answered.
    pub result: Result<&'a Reply, &'a Error>,
}

impl Finished<'_> {
    /// Whether the invocation succeeded.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        Outcome::of(&self.result)
    }
}

/// Called once per invocation when it finishes, with its latency and its span.
///
/// Implemented by [`DefaultOnInvocation`], by closures `Fn(&Finished, Duration, &Span)`, and by
/// `()`, which does nothing.
pub trait OnInvocation {
    /// Reports `finished`.
    fn on_invocation(&mut self, finished: &Finished<'_>, latency: Duration, span: &Span);
}

impl<F> OnInvocation for F
where
    F: FnMut(&Finished<'_>, Duration, &Span),
{
    fn on_invocation(&mut self, finished: &Finished<'_>, latency: Duration, span: &Span) {
        self(finished, latency, span);
    }
}

impl OnInvocation for () {
    fn on_invocation(&mut self, _: &Finished<'_>, _: Duration, _: &Span) {}
}

/// Writes the summary line, "invocation finished", inside the invocation's span.
///
/// Its fields are the ones the design notes promise every invocation leaves behind: `trigger`,
/// `route` (absent, so `null` in JSON, when none matched), `request_id`, `cold_start`,
/// `outcome`, `duration_ms` and `xray_trace_id`; a failure adds `error_type` and
/// `error_message`. INFO by default.
#[derive(Clone, Copy)]
pub struct DefaultOnInvocation {
    level: Level,
}

impl DefaultOnInvocation {
    /// The summary line at INFO.
    #[must_use]
    pub fn new() -> Self {
        Self { level: Level::INFO }
    }

    /// Writes the summary line at `level` instead.
    #[must_use]
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }
}

impl Default for DefaultOnInvocation {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for DefaultOnInvocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultOnInvocation")
            .field("level", &self.level)
            .finish()
    }
}

impl OnInvocation for DefaultOnInvocation {
    fn on_invocation(&mut self, finished: &Finished<'_>, latency: Duration, span: &Span) {
        let duration_ms = latency.as_secs_f64() * 1000.0;
        match finished.result {
            Ok(_) => event_at!(
                self.level,
                parent: span,
                trigger = finished.trigger.as_str(),
                route = finished.route,
                request_id = finished.request_id,
                cold_start = finished.cold_start,
                outcome = "ok",
                duration_ms,
                xray_trace_id = finished.xray_trace_id,
                "invocation finished"
            ),
            Err(error) => event_at!(
                self.level,
                parent: span,
                trigger = finished.trigger.as_str(),
                route = finished.route,
                request_id = finished.request_id,
                cold_start = finished.cold_start,
                outcome = "error",
                duration_ms,
                xray_trace_id = finished.xray_trace_id,
                error_type = error.error_type(),
                error_message = error.message(),
                "invocation finished"
            ),
        }
    }
}
