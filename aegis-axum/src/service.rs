//! [`HttpService`]: an axum `Router` (or any HTTP service) as the demux's service for HTTP
//! triggers.
//!
//! Each invocation's payload is decoded once into the typed event of its trigger, handed to
//! `lambda_http`'s own conversion into an `http::Request`, served, and the response converted
//! back by `lambda_http` into the shape its source expects. A payload that does not decode, a
//! malformed base64 body or a header value that is not valid fails the invocation with an
//! [`Error`]; a panic in the conversion or in a handler fails it too, and never the process.

use std::fmt;
use std::future::ready;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::{Context as TaskContext, Poll};

use aegis_core::{BoxError, Error, Invocation, Reply, Trigger};
use futures_util::future::{BoxFuture, FutureExt, Map};
use lambda_http::{Adapter, Body, IntoResponse, LambdaEvent};
use tower::Service;

use crate::event::{self, HttpEvent};
use crate::route::{RecordRouteLayer, RouteSlot};
use crate::{error, headers, stage};

/// Serves the HTTP triggers of an app (`apigw_rest`, `apigw_http`, `function_url`, `alb`,
/// `vpc_lattice`) with an HTTP service, usually an axum [`Router`](axum::Router).
///
/// The inner service receives an `http::Request<lambda_http::Body>` built by `lambda_http`, so
/// `lambda_http::RequestExt` finds the request context, path parameters, stage variables and
/// the Lambda context on it, as in a `lambda_http` function. It also carries the invocation's
/// [`Trigger`] as an extension (axum: `Extension<Trigger>`).
///
/// A REST or HTTP API stage other than `$default` is taken off the front of the path, so routes
/// are declared without it (`/users`, not `/prod/users`); [`stage_in_path`](Self::stage_in_path)
/// keeps it. The invocation's route is axum's matched path with the method (`GET /users/{id}`)
/// when the service was made with [`from_router`](Self::from_router), else the event's own
/// route template, else the method and path.
///
/// ```
/// use aegis_axum::HttpService;
/// use aegis_core::App;
/// use axum::{routing::get, Router};
///
/// let router = Router::new().route("/hello", get(|| async { "hi" }));
/// let demux = App::new("web").http(HttpService::from_router(router)).build().unwrap();
///
/// let event = br#"{"version":"2.0","routeKey":"$default","rawPath":"/hello",
///   "requestContext":{"http":{"method":"GET"},"domainName":"x.execute-api.eu-west-1.amazonaws.com","stage":"$default"}}"#;
/// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// let reply = rt.block_on(demux.invoke(&event[..], Default::default())).unwrap();
/// let response: serde_json::Value = reply.decode().unwrap();
/// assert_eq!(response["statusCode"], 200);
/// assert_eq!(response["body"], "hi");
/// ```
#[derive(Clone)]
#[must_use]
pub struct HttpService<S> {
    inner: S,
    stage_in_path: bool,
}

impl HttpService<axum::Router> {
    /// Serves `router`, recording axum's matched path as each invocation's route.
    pub fn from_router(router: axum::Router) -> Self {
        Self::new(router.layer(RecordRouteLayer))
    }
}

impl<S> HttpService<S> {
    /// Serves `inner`, any service over `http::Request<lambda_http::Body>` whose response
    /// `lambda_http` can convert. Routes are recorded from the event, not from `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            stage_in_path: false,
        }
    }

    /// Keeps a REST or HTTP API stage at the front of the path, as `lambda_http` does, so routes
    /// must be declared with it. Off by default.
    pub fn stage_in_path(mut self, keep: bool) -> Self {
        self.stage_in_path = keep;
        self
    }

    /// The inner service.
    #[must_use]
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S> fmt::Debug for HttpService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpService")
            .field("inner", &std::any::type_name::<S>())
            .field("stage_in_path", &self.stage_in_path)
            .finish()
    }
}

impl<S, B> Service<Invocation> for HttpService<S>
where
    S: Service<lambda_http::Request, Response = http::Response<B>> + Clone + Send + 'static,
    http::Response<B>: IntoResponse,
    B: 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = Reply;
    type Error = Error;
    type Future = BoxFuture<'static, Result<Reply, Error>>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        self.inner
            .poll_ready(cx)
            .map_err(|e| Error::from_boxed(e.into()))
    }

    fn call(&mut self, inv: Invocation) -> Self::Future {
        // The service made ready by `poll_ready` serves this call; a clone waits for the next.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);

        let HttpEvent {
            request,
            binary,
            stage,
            template,
        } = match event::decode(inv.trigger(), inv.payload()) {
            Ok(event) => event,
            Err(e) => return Box::pin(ready(Err(e))),
        };

        let slot = RouteSlot::default();
        if let Some(template) = template {
            slot.set_fallback(template);
        }
        let prepare = Prepare {
            inner,
            trigger: inv.trigger(),
            stage: stage.filter(|_| !self.stage_in_path),
            binary,
            slot: slot.clone(),
        };

        // lambda_http's conversions expect well-formed events and panic on some malformed ones
        // (a Host header that is no URL authority); such a panic fails this invocation only.
        let mut adapter = Adapter::from(prepare);
        let lambda_event = LambdaEvent::new(request, inv.context().clone());
        let pending = match catch_unwind(AssertUnwindSafe(|| adapter.call(lambda_event))) {
            Ok(pending) => pending,
            Err(panic) => return Box::pin(ready(Err(error::panicked("request", &*panic)))),
        };

        Box::pin(async move {
            let response = AssertUnwindSafe(pending)
                .catch_unwind()
                .await
                .map_err(|panic| error::panicked("response", &*panic))?
                .map_err(|e| Error::from_boxed(e.into()))?;
            if let Some(route) = slot.get() {
                inv.record_route(route);
                // OpenTelemetry's `http.route` is the template alone, without the method.
                let template = route.split_once(' ').map_or(route, |(_, path)| path);
                tracing::Span::current().record("http.route", template);
            }
            Reply::json(&response)
        })
    }
}

/// What the `lambda_http` adapter calls with the converted request: puts back the binary body,
/// takes the stage off the path, adds aegis's extensions, and calls the inner service.
struct Prepare<S> {
    inner: S,
    trigger: Trigger,
    stage: Option<String>,
    binary: Option<Vec<u8>>,
    slot: RouteSlot,
}

type Finish<B, E> = fn(Result<http::Response<B>, E>) -> Result<http::Response<B>, E>;

impl<S, B> Service<lambda_http::Request> for Prepare<S>
where
    S: Service<lambda_http::Request, Response = http::Response<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Map<S::Future, Finish<B, S::Error>>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: lambda_http::Request) -> Self::Future {
        if let Some(bytes) = self.binary.take() {
            *req.body_mut() = Body::Binary(bytes);
        }
        if let Some(stage) = self.stage.take() {
            stage::strip(&mut req, &stage);
        }
        self.slot
            .set_fallback(format!("{} {}", req.method(), req.uri().path()));

        req.extensions_mut().insert(self.trigger);
        req.extensions_mut().insert(self.slot.clone());

        // Semantic-convention fields an enclosing invocation span may declare (aegis-tracing's
        // does); recording a field a span lacks does nothing.
        let span = tracing::Span::current();
        span.record("http.request.method", req.method().as_str());
        span.record("url.path", req.uri().path());

        let finish: Finish<B, S::Error> = match self.trigger {
            Trigger::ApigwHttp | Trigger::FunctionUrl => |r| join_headers(record_status(r), true),
            Trigger::VpcLattice => |r| join_headers(record_status(r), false),
            _ => record_status,
        };
        self.inner.call(req).map(finish)
    }
}

/// Records the response's status on the current span as `http.response.status_code`.
fn record_status<B, E>(result: Result<http::Response<B>, E>) -> Result<http::Response<B>, E> {
    if let Ok(response) = &result {
        tracing::Span::current().record(
            "http.response.status_code",
            i64::from(response.status().as_u16()),
        );
    }
    result
}

/// Joins repeated response headers, for the sources whose responses have one value per name.
fn join_headers<B, E>(
    result: Result<http::Response<B>, E>,
    except_set_cookie: bool,
) -> Result<http::Response<B>, E> {
    result.map(|mut response| {
        headers::join_repeated(response.headers_mut(), except_set_cookie);
        response
    })
}
