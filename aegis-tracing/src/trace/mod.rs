//! [`Trace`]: one `invocation` span per invocation, and a summary line when it finishes.
//!
//! The span carries aegis's own fields (`trigger`, `route`, `request_id`, `correlation_id`,
//! `outcome`, `duration_ms`) and OpenTelemetry's FaaS attributes (`faas.trigger`,
//! `faas.invocation_id`, `faas.coldstart`, `faas.name`, `faas.version`, `cloud.*`). The inner
//! service runs inside it, so the route a router records and every line a handler logs land
//! on it. When the invocation finishes, [`OnFailure`] is called for an error, then
//! [`OnInvocation`] for every outcome; the defaults log at ERROR and INFO.
//!
//! The layer itself never fails an invocation: it passes the inner result through unchanged.

mod future;
mod make_span;
mod on_failure;
mod on_invocation;

use std::any::type_name;
use std::fmt;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use aegis_core::{Error, Invocation, Reply};
use tower_layer::Layer;
use tower_service::Service;

pub use future::ResponseFuture;
pub use make_span::{DefaultMakeInvocationSpan, MakeInvocationSpan};
pub use on_failure::{DefaultOnFailure, OnFailure};
pub use on_invocation::{DefaultOnInvocation, Finished, OnInvocation, Outcome};

use crate::{facts, redact};

/// An event at a level chosen at run time: `tracing`'s macros need the level as a constant,
/// so each level gets its own callsite.
macro_rules! event_at {
    ($level:expr, parent: $parent:expr, $($rest:tt)+) => {
        match $level {
            tracing::Level::ERROR => tracing::event!(target: "aegis_tracing", parent: $parent, tracing::Level::ERROR, $($rest)+),
            tracing::Level::WARN => tracing::event!(target: "aegis_tracing", parent: $parent, tracing::Level::WARN, $($rest)+),
            tracing::Level::INFO => tracing::event!(target: "aegis_tracing", parent: $parent, tracing::Level::INFO, $($rest)+),
            tracing::Level::DEBUG => tracing::event!(target: "aegis_tracing", parent: $parent, tracing::Level::DEBUG, $($rest)+),
            _ => tracing::event!(target: "aegis_tracing", parent: $parent, tracing::Level::TRACE, $($rest)+),
        }
    };
}
pub(crate) use event_at;

/// Wraps an app in [`Trace`]: an `invocation` span, hooks, and a summary line per invocation.
///
/// ```
/// use aegis_core::{App, Ctx, RpcRouter};
/// use aegis_tracing::TraceLayer;
///
/// let rpc = RpcRouter::new().method("ping", |_: (), _ctx: Ctx| async {
///     tracing::info!("pinged");
///     Ok::<_, std::convert::Infallible>("pong")
/// });
/// let demux = App::new("example").rpc(rpc).layer(TraceLayer::new()).build().unwrap();
///
/// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// let reply = rt.block_on(demux.invoke(
///     &br#"{"aegis_rpc":1,"method":"ping"}"#[..],
///     Default::default(),
/// ));
/// assert_eq!(reply.unwrap().as_str(), r#""pong""#);
/// ```
#[must_use]
#[derive(Clone)]
pub struct TraceLayer<
    M = DefaultMakeInvocationSpan,
    OI = DefaultOnInvocation,
    OF = DefaultOnFailure,
> {
    make_span: M,
    on_invocation: OI,
    on_failure: OF,
    log_events: bool,
}

impl TraceLayer {
    /// The layer with the default span and hooks.
    pub fn new() -> Self {
        Self {
            make_span: DefaultMakeInvocationSpan::new(),
            on_invocation: DefaultOnInvocation::new(),
            on_failure: DefaultOnFailure::new(),
            log_events: false,
        }
    }
}

impl Default for TraceLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<M, OI, OF> TraceLayer<M, OI, OF> {
    /// Builds each invocation's span with `make_span` instead.
    pub fn make_span_with<M2>(self, make_span: M2) -> TraceLayer<M2, OI, OF> {
        TraceLayer {
            make_span,
            on_invocation: self.on_invocation,
            on_failure: self.on_failure,
            log_events: self.log_events,
        }
    }

    /// Calls `on_invocation` when each invocation finishes instead; `()` writes nothing.
    pub fn on_invocation_with<OI2>(self, on_invocation: OI2) -> TraceLayer<M, OI2, OF> {
        TraceLayer {
            make_span: self.make_span,
            on_invocation,
            on_failure: self.on_failure,
            log_events: self.log_events,
        }
    }

    /// Calls `on_failure` when an invocation fails instead; `()` writes nothing.
    pub fn on_failure_with<OF2>(self, on_failure: OF2) -> TraceLayer<M, OI, OF2> {
        TraceLayer {
            make_span: self.make_span,
            on_invocation: self.on_invocation,
            on_failure,
            log_events: self.log_events,
        }
    }

    /// Logs each event as it arrived, at INFO, with credentials taken out (see
    /// [`redact_event`](crate::redact_event)). Off by default: events carry personal data, and
    /// decoding one twice costs as much as the routing does.
    pub fn log_events(mut self, on: bool) -> Self {
        self.log_events = on;
        self
    }
}

impl<S, M: Clone, OI: Clone, OF: Clone> Layer<S> for TraceLayer<M, OI, OF> {
    type Service = Trace<S, M, OI, OF>;

    fn layer(&self, inner: S) -> Self::Service {
        Trace {
            inner,
            make_span: self.make_span.clone(),
            on_invocation: self.on_invocation.clone(),
            on_failure: self.on_failure.clone(),
            log_events: self.log_events,
        }
    }
}

/// Hooks are printed by type name: they are often closures, which have no `Debug`.
impl<M, OI, OF> fmt::Debug for TraceLayer<M, OI, OF> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceLayer")
            .field("make_span", &type_name::<M>())
            .field("on_invocation", &type_name::<OI>())
            .field("on_failure", &type_name::<OF>())
            .field("log_events", &self.log_events)
            .finish()
    }
}

/// Runs each invocation inside its own span and reports how it finished. Built by
/// [`TraceLayer`].
#[derive(Clone)]
pub struct Trace<S, M = DefaultMakeInvocationSpan, OI = DefaultOnInvocation, OF = DefaultOnFailure>
{
    inner: S,
    make_span: M,
    on_invocation: OI,
    on_failure: OF,
    log_events: bool,
}

impl<S, M, OI, OF> Service<Invocation> for Trace<S, M, OI, OF>
where
    S: Service<Invocation, Response = Reply, Error = Error>,
    M: MakeInvocationSpan,
    OI: OnInvocation + Clone,
    OF: OnFailure + Clone,
{
    type Response = Reply;
    type Error = Error;
    type Future = ResponseFuture<S::Future, OI, OF>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, inv: Invocation) -> Self::Future {
        let start = Instant::now();
        let cold_start = facts::cold_start(&inv);

        let span = self.make_span.make_span(&inv);
        #[cfg(feature = "opentelemetry")]
        crate::otel::join_trace(&span, &inv);
        if self.log_events {
            let event = redact::redact_event(inv.trigger(), inv.payload());
            tracing::info!(parent: &span, event = %event, "invocation event");
        }

        let context = inv.context();
        let facts = future::Facts {
            trigger: inv.trigger(),
            recorded: inv.recorded(),
            request_id: context.request_id.clone(),
            xray_trace_id: context.xray_trace_id.clone(),
            cold_start,
        };
        let inner = span.in_scope(|| self.inner.call(inv));

        ResponseFuture::new(
            inner,
            span,
            facts,
            start,
            self.on_invocation.clone(),
            self.on_failure.clone(),
        )
    }
}

impl<S: fmt::Debug, M, OI, OF> fmt::Debug for Trace<S, M, OI, OF> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("inner", &self.inner)
            .field("make_span", &type_name::<M>())
            .field("on_invocation", &type_name::<OI>())
            .field("on_failure", &type_name::<OF>())
            .field("log_events", &self.log_events)
            .finish()
    }
}
