//! [`MakeInvocationSpan`]: how the span of one invocation is made.

use std::fmt;

use aegis_core::{FaasTrigger, Invocation};
use tracing::field::Empty;
use tracing::Span;

use crate::facts;
use crate::source;

/// Makes the span an invocation runs in.
///
/// Implemented by [`DefaultMakeInvocationSpan`], by closures `Fn(&Invocation) -> Span`, and by
/// `()`, which makes no span. A span of your own should declare `route = Empty` (and
/// `outcome`, `duration_ms`) for the router and the layer to fill in.
pub trait MakeInvocationSpan {
    /// The span for `inv`.
    fn make_span(&mut self, inv: &Invocation) -> Span;
}

impl<F> MakeInvocationSpan for F
where
    F: FnMut(&Invocation) -> Span,
{
    fn make_span(&mut self, inv: &Invocation) -> Span {
        self(inv)
    }
}

impl MakeInvocationSpan for () {
    fn make_span(&mut self, _inv: &Invocation) -> Span {
        Span::none()
    }
}

/// The `invocation` span at INFO, with aegis's fields and OpenTelemetry's FaaS attributes.
///
/// INFO, so that the span is on whenever the summary line is, and every line logged inside it
/// can carry its fields. `correlation_id` and the HTTP attributes (`http.request.method`,
/// `http.route`, `url.path`, `http.response.status_code`) are declared even when empty, so an
/// inner service can record them on [`Span::current`]. Attributes the context does not know (a default context in tests has
/// no function name) are left out rather than written empty.
#[derive(Clone, Default)]
pub struct DefaultMakeInvocationSpan {
    correlation_id: bool,
}

impl DefaultMakeInvocationSpan {
    /// The default span, with the source's correlation id read from the payload.
    #[must_use]
    pub fn new() -> Self {
        Self {
            correlation_id: true,
        }
    }

    /// Whether to read the source's own id (API Gateway's request id, EventBridge's event
    /// id, …) from the payload into `correlation_id`. On by default; it skips payloads over
    /// 256 KiB.
    #[must_use]
    pub fn correlation_id(mut self, on: bool) -> Self {
        self.correlation_id = on;
        self
    }
}

impl fmt::Debug for DefaultMakeInvocationSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultMakeInvocationSpan")
            .field("correlation_id", &self.correlation_id)
            .finish()
    }
}

impl MakeInvocationSpan for DefaultMakeInvocationSpan {
    fn make_span(&mut self, inv: &Invocation) -> Span {
        let trigger = inv.trigger();
        let context = inv.context();
        let config = &context.env_config;
        let cold_start = facts::cold_start(inv);
        let correlation_id = if self.correlation_id {
            source::correlation_id(trigger, inv.payload())
        } else {
            None
        };
        let arn = facts::non_empty(&context.invoked_function_arn);

        tracing::info_span!(
            "invocation",
            trigger = trigger.as_str(),
            route = Empty,
            request_id = context.request_id.as_str(),
            correlation_id = correlation_id.as_deref(),
            outcome = Empty,
            duration_ms = Empty,
            "faas.trigger" = trigger.faas_trigger().as_str(),
            "faas.invocation_id" = facts::non_empty(&context.request_id),
            "faas.coldstart" = cold_start,
            "faas.name" = facts::non_empty(&config.function_name),
            "faas.version" = facts::non_empty(&config.version),
            "cloud.provider" = "aws",
            "cloud.platform" = "aws_lambda",
            "cloud.region" = facts::region(),
            "cloud.resource_id" = arn,
            "cloud.account.id" = arn.and_then(facts::account_of),
            "messaging.system" = messaging_system(trigger),
            "otel.kind" = span_kind(trigger.faas_trigger()),
            "otel.status_code" = Empty,
            "error.type" = Empty,
            // Declared for the HTTP service to record; `tracing` only records declared fields.
            "http.request.method" = Empty,
            "http.route" = Empty,
            "url.path" = Empty,
            "http.response.status_code" = Empty,
        )
    }
}

/// The span kind the FaaS conventions give each kind of trigger.
fn span_kind(trigger: FaasTrigger) -> &'static str {
    match trigger {
        FaasTrigger::Pubsub => "consumer",
        _ => "server",
    }
}

/// `messaging.system`, for the one source the conventions name (`aws_sqs`).
fn messaging_system(trigger: aegis_core::Trigger) -> Option<&'static str> {
    (trigger == aegis_core::Trigger::Sqs).then_some("aws_sqs")
}
