//! Handlers: plain async functions or closures taking an event and a [`Ctx`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt};
use lambda_runtime::Context;

use crate::{BoxError, Error, Invocation, Trigger};

/// What a handler receives beside its event: the app's shared state and the invocation's
/// Lambda context, trigger, route and deadline.
///
/// State is cloned into each call, as axum does, so put shared resources behind an `Arc` or use
/// types that are cheap to clone (SDK clients are).
pub struct Ctx<S = ()> {
    state: S,
    lambda: Arc<Context>,
    trigger: Trigger,
    route: Arc<str>,
    deadline: Option<Instant>,
    rpc_context: Option<Arc<BTreeMap<String, String>>>,
}

/// The `context` of an RPC envelope, left in the invocation's extensions by the RPC router so
/// that [`Ctx::rpc_context`] can hand it to the handler.
#[derive(Clone)]
pub(crate) struct RpcContext(pub(crate) Arc<BTreeMap<String, String>>);

/// What [`Ctx::rpc_context`] lends out when the invocation carried no propagation headers.
static NO_RPC_CONTEXT: BTreeMap<String, String> = BTreeMap::new();

impl<S> Ctx<S> {
    pub(crate) fn new(state: S, inv: &Invocation, route: Arc<str>) -> Self {
        Self {
            state,
            lambda: inv.shared_context(),
            trigger: inv.trigger(),
            route,
            deadline: inv.deadline(),
            rpc_context: inv
                .extensions()
                .get::<RpcContext>()
                .map(|context| Arc::clone(&context.0)),
        }
    }

    /// Moves the deadline the handler sees earlier, for a router that keeps time for work of
    /// its own after the handler (a CloudFormation response, say).
    pub(crate) fn tighten_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(self.deadline.map_or(deadline, |d| d.min(deadline)));
        self
    }

    /// The state given to the router.
    #[must_use]
    pub fn state(&self) -> &S {
        &self.state
    }

    /// Takes the state out of the context.
    #[must_use]
    pub fn into_state(self) -> S {
        self.state
    }

    /// The Lambda context of the invocation.
    #[must_use]
    pub fn lambda(&self) -> &Context {
        &self.lambda
    }

    /// The invocation's request id.
    #[must_use]
    pub fn request_id(&self) -> &str {
        &self.lambda.request_id
    }

    /// The trigger of the invocation.
    #[must_use]
    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// The name of the route that matched.
    #[must_use]
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The propagation headers (`traceparent`, `X-Amzn-Trace-Id`, …) the caller put in the
    /// `context` of an RPC envelope; empty for other triggers and for envelopes without one.
    ///
    /// ```
    /// use aegis_core::{App, Ctx, RpcRouter};
    ///
    /// let rpc = RpcRouter::new().method("whoami", |(): (), ctx: Ctx| async move {
    ///     Ok::<_, aegis_core::Error>(ctx.rpc_context().get("traceparent").cloned())
    /// });
    /// let demux = App::new("app").rpc(rpc).build().unwrap();
    /// let call = br#"{"aegis_rpc":1,"method":"whoami","context":{"traceparent":"00-ab-cd-01"}}"#;
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let reply = rt.block_on(demux.invoke(&call[..], Default::default())).unwrap();
    /// assert_eq!(reply.as_str(), r#""00-ab-cd-01""#);
    /// ```
    #[must_use]
    pub fn rpc_context(&self) -> &BTreeMap<String, String> {
        self.rpc_context.as_deref().unwrap_or(&NO_RPC_CONTEXT)
    }

    /// Time left before the handler must answer, when the invocation has a deadline.
    #[must_use]
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}

impl<S: fmt::Debug> fmt::Debug for Ctx<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("state", &self.state)
            .field("request_id", &self.lambda.request_id)
            .field("trigger", &self.trigger)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

/// A handler after boxing: called with an event and a context, it answers once, with panics and
/// the handler's own error type already folded into an [`Error`].
pub(crate) type BoxHandler<E, T, S> =
    Arc<dyn Fn(E, Ctx<S>) -> BoxFuture<'static, Result<T, Error>> + Send + Sync>;

/// Boxes a user handler. A panic, whether while building the future or while polling it,
/// becomes an [`ErrorKind::Panic`](crate::ErrorKind::Panic) error of this call only.
pub(crate) fn boxed<F, Fut, E, T, Er, S>(handler: F) -> BoxHandler<E, T, S>
where
    F: Fn(E, Ctx<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, Er>> + Send + 'static,
    Er: Into<BoxError> + 'static,
    E: Send + 'static,
    T: Send + 'static,
    S: Send + 'static,
{
    Arc::new(move |event, ctx| {
        let route = Arc::clone(&ctx.route);
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| handler(event, ctx)));
        match started {
            Ok(future) => AssertUnwindSafe(future)
                .catch_unwind()
                .map(move |outcome| match outcome {
                    Ok(result) => result.map_err(|e| Error::from_handler(&route, e)),
                    Err(panic) => Err(Error::from_panic(&route, panic.as_ref())),
                })
                .boxed(),
            Err(panic) => {
                let error = Error::from_panic(&route, panic.as_ref());
                futures_util::future::ready(Err(error)).boxed()
            }
        }
    })
}

/// A type name for `Debug` output of routers holding closures.
pub(crate) struct HandlerName(pub(crate) &'static str);

impl fmt::Debug for HandlerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
