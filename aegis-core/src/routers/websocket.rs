//! The API Gateway WebSocket router: each message or connection event goes to the handler of
//! its route key, which answers with a status code and an optional body.
//!
//! Route keys are those of the API: `$connect`, `$disconnect`, `$default` and custom ones
//! chosen by the API's route selection expression. An event whose route key no route names is
//! an error naming the key, unless a fallback is set. On `$connect`, a status outside 2xx
//! refuses the connection. Sending to a connection later goes through the API Gateway
//! Management API: `Connections`, with the `websocket-client` feature.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use futures_util::future::FutureExt;
use serde::Serialize;

use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, Invocation, Reply, Trigger};

/// The answer to a WebSocket event: `{"statusCode": …, "body": …}`.
///
/// `()` converts into `200` with no body, a `String` or `&str` into `200` with that body.
///
/// ```
/// let reply = aegis_core::WebSocketResponse::new(403).body("not on the list");
/// assert_eq!(serde_json::to_string(&reply).unwrap(), r#"{"statusCode":403,"body":"not on the list"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
pub struct WebSocketResponse {
    status_code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

impl WebSocketResponse {
    /// An answer with `status` and no body.
    pub fn new(status: u16) -> Self {
        Self {
            status_code: status,
            body: None,
        }
    }

    /// `200 OK` with no body.
    pub fn ok() -> Self {
        Self::new(200)
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status_code
    }
}

impl From<()> for WebSocketResponse {
    fn from((): ()) -> Self {
        Self::ok()
    }
}

impl From<String> for WebSocketResponse {
    fn from(body: String) -> Self {
        Self::ok().body(body)
    }
}

impl From<&str> for WebSocketResponse {
    fn from(body: &str) -> Self {
        Self::ok().body(body)
    }
}

type SocketHandler<S> = BoxHandler<ApiGatewayWebsocketProxyRequest, WebSocketResponse, S>;

/// Routes API Gateway WebSocket events to handlers by route key.
///
/// ```
/// use aegis_core::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
/// use aegis_core::{Ctx, WebSocketResponse, WebSocketRouter};
///
/// let router = WebSocketRouter::new()
///     .route("$connect", |_e: ApiGatewayWebsocketProxyRequest, _ctx: Ctx| async {
///         Ok::<_, String>(WebSocketResponse::ok())
///     })
///     .route("sendMessage", |e: ApiGatewayWebsocketProxyRequest, _ctx: Ctx| async move {
///         Ok::<_, String>(format!("echo {}", e.body.unwrap_or_default()))
///     });
/// # let _ = router;
/// ```
pub struct WebSocketRouter<S = ()> {
    routes: Arc<BTreeMap<String, SocketHandler<S>>>,
    fallback: Option<SocketHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> WebSocketRouter<S> {
    /// Handles the events of `route_key`.
    #[must_use]
    pub fn route<F, Fut, T, Er>(mut self, route_key: &str, handler: F) -> Self
    where
        F: Fn(ApiGatewayWebsocketProxyRequest, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, Er>> + Send + 'static,
        T: Into<WebSocketResponse> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).insert(route_key.to_owned(), responding(handler));
        self
    }

    /// Handles the events of route keys no route names.
    #[must_use]
    pub fn fallback<F, Fut, T, Er>(mut self, handler: F) -> Self
    where
        F: Fn(ApiGatewayWebsocketProxyRequest, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, Er>> + Send + 'static,
        T: Into<WebSocketResponse> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(responding(handler));
        self
    }

    /// The route keys this router declares, for the manifest.
    #[must_use]
    pub fn route_keys(&self) -> Vec<String> {
        self.routes.keys().cloned().collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: ApiGatewayWebsocketProxyRequest =
            decode::event(Trigger::ApigwWebsocket, inv.payload())?;
        let Some(key) = event.request_context.route_key.clone() else {
            return Err(Error::decode(
                Trigger::ApigwWebsocket,
                "the event has no requestContext.routeKey",
            ));
        };

        let (name, handler) = match self.routes.get_key_value(&key) {
            Some((name, handler)) => (Arc::<str>::from(name.as_str()), Arc::clone(handler)),
            None => match &self.fallback {
                Some(handler) => (Arc::from("fallback"), Arc::clone(handler)),
                None => {
                    let known: Vec<&str> = self.routes.keys().map(String::as_str).collect();
                    return Err(Error::no_route(
                        Trigger::ApigwWebsocket,
                        format_args!("route key `{key}` (routes: {})", known.join(", ")),
                    ));
                }
            },
        };

        inv.record_route(&name);
        let ctx = Ctx::new(self.state.clone(), &inv, name);
        let response = handler(event, ctx).await?;
        Reply::json(&response)
    }
}

fn responding<F, Fut, T, Er, S>(handler: F) -> SocketHandler<S>
where
    F: Fn(ApiGatewayWebsocketProxyRequest, Ctx<S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, Er>> + Send + 'static,
    T: Into<WebSocketResponse> + Send + 'static,
    Er: Into<BoxError> + 'static,
    S: Send + 'static,
{
    let inner = handler::boxed(handler);
    Arc::new(move |event, ctx| inner(event, ctx).map(|r| r.map(Into::into)).boxed())
}

super::router_service!(WebSocketRouter, routes);

impl<S> fmt::Debug for WebSocketRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketRouter")
            .field("routes", &self.routes.keys().collect::<Vec<_>>())
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
