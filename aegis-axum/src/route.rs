//! Telling the invocation which route an HTTP request matched.
//!
//! Only the router knows the route, and only after matching; axum puts it in the request's
//! [`MatchedPath`] extension, which middleware added with `Router::layer` can read. The
//! [`HttpService`](crate::HttpService) gives each request an empty [`RouteSlot`];
//! [`RecordRouteLayer`], laid on the router, fills it from `MatchedPath`; the service then
//! records it on the invocation once the response is ready.

use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};

use axum::extract::{MatchedPath, Request};
use tower::{Layer, Service};

/// Where the route of one request is written once matched.
#[derive(Clone, Default)]
pub(crate) struct RouteSlot(Arc<Slots>);

#[derive(Default)]
struct Slots {
    matched: OnceLock<String>,
    fallback: OnceLock<String>,
}

impl RouteSlot {
    /// The route the router matched, else the fallback: the event's template or the request's
    /// method and path.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0
            .matched
            .get()
            .or_else(|| self.0.fallback.get())
            .map(String::as_str)
    }

    /// What to record when no router layer fills the slot, or no route matched.
    pub(crate) fn set_fallback(&self, route: String) {
        let _ = self.0.fallback.set(route);
    }

    fn set_matched(&self, route: String) {
        // A nested router's layer sees the longer path first; the first write wins.
        let _ = self.0.matched.set(route);
    }
}

/// Fills the request's [`RouteSlot`] from axum's [`MatchedPath`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RecordRouteLayer;

impl<S> Layer<S> for RecordRouteLayer {
    type Service = RecordRoute<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RecordRoute { inner }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct RecordRoute<S> {
    inner: S,
}

impl<S> Service<Request> for RecordRoute<S>
where
    S: Service<Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if let (Some(slot), Some(path)) = (
            req.extensions().get::<RouteSlot>(),
            req.extensions().get::<MatchedPath>(),
        ) {
            slot.set_matched(format!("{} {}", req.method(), path.as_str()));
        }
        self.inner.call(req)
    }
}
