//! The future of a traced invocation: polls the inner service inside the span, then reports.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context as TaskContext, Poll};
use std::time::Instant;

use aegis_core::{Error, Recorded, Reply, Trigger};
use pin_project_lite::pin_project;
use tracing::Span;

use super::{Finished, OnFailure, OnInvocation, Outcome};

/// What the summary needs from an invocation that has been handed on to the inner service.
#[derive(Debug)]
pub(super) struct Facts {
    pub(super) trigger: Trigger,
    pub(super) recorded: Recorded,
    pub(super) request_id: String,
    pub(super) xray_trace_id: Option<String>,
    pub(super) cold_start: bool,
}

pin_project! {
    /// The response future of [`Trace`](super::Trace).
    #[derive(Debug)]
    pub struct ResponseFuture<F, OI, OF> {
        #[pin]
        inner: F,
        // Held outside the inner future, and taken on completion, so the span closes (and an
        // exporter sees it end) before the reply is handed back rather than when the future is
        // dropped.
        span: Option<Span>,
        facts: Facts,
        start: Instant,
        on_invocation: OI,
        on_failure: OF,
    }
}

impl<F, OI, OF> ResponseFuture<F, OI, OF> {
    pub(super) fn new(
        inner: F,
        span: Span,
        facts: Facts,
        start: Instant,
        on_invocation: OI,
        on_failure: OF,
    ) -> Self {
        Self {
            inner,
            span: Some(span),
            facts,
            start,
            on_invocation,
            on_failure,
        }
    }
}

impl<F, OI, OF> Future for ResponseFuture<F, OI, OF>
where
    F: Future<Output = Result<Reply, Error>>,
    OI: OnInvocation,
    OF: OnFailure,
{
    type Output = Result<Reply, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = {
            let _entered = this.span.as_ref().map(Span::enter);
            ready!(this.inner.poll(cx))
        };
        let latency = this.start.elapsed();
        let span = this.span.take().unwrap_or_else(Span::none);

        let facts = &*this.facts;
        let route = facts.recorded.route();
        let outcome = Outcome::of(&result);
        span.record("outcome", outcome.as_str());
        span.record("duration_ms", latency.as_secs_f64() * 1000.0);
        if let Err(error) = &result {
            span.record("otel.status_code", "ERROR");
            span.record("error.type", error.error_type());
            this.on_failure.on_failure(error, latency, &span);
        }

        let finished = Finished {
            trigger: facts.trigger,
            route,
            request_id: &facts.request_id,
            xray_trace_id: facts.xray_trace_id.as_deref(),
            cold_start: facts.cold_start,
            result: result.as_ref(),
        };
        this.on_invocation.on_invocation(&finished, latency, &span);

        drop(span);
        #[cfg(feature = "opentelemetry")]
        crate::otel::flush();
        Poll::Ready(result)
    }
}
