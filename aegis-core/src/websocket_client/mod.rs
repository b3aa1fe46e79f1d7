//! The WebSocket client: posts to, disconnects and looks up the connections of an API Gateway
//! WebSocket API through its Management API (`{endpoint}/@connections/{connectionId}`).
//!
//! [`Connections`] is made once and kept in a router's state: it holds the AWS configuration
//! and one SDK client per endpoint it has served. [`Connections::for_event`] gives the
//! [`WebSocketEndpoint`] of the API an event came through (`https://{domainName}/{stage}`), and
//! [`Connections::endpoint`] one given explicitly; both are cheap after the first call.
//!
//! # Failures
//!
//! Each failure is a [`ConnectionError`]. A connection whose client has left is
//! [`ConnectionError::Gone`] (HTTP 410): drop its id. Throttling, any other refusal of the API
//! and a request that never got an answer are kept apart from it.
//!
//! # Example
//!
//! A `$default` route answering every message on the connection it came from:
//!
//! ```no_run
//! use aegis_core::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
//! use aegis_core::{App, Connections, Ctx, Error, WebSocketRouter};
//!
//! async fn echo(event: ApiGatewayWebsocketProxyRequest, ctx: Ctx<Connections>) -> Result<(), Error> {
//!     let api = ctx.state().for_event(&event)?;
//!     let id = event.request_context.connection_id.as_deref().unwrap_or_default();
//!     let text = event.body.unwrap_or_default();
//!     match api.post(id, format!("echo: {text}")).await {
//!         Err(e) if e.is_gone() => Ok(()), // the client left meanwhile
//!         sent => sent.map_err(Error::from),
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), aegis_core::BoxError> {
//!     let connections = Connections::from_env().await;
//!     let app = App::new("chat")
//!         .websocket(WebSocketRouter::with_state(connections).route("$default", echo))
//!         .build()?;
//!     aegis_core::run(app).await
//! }
//! ```

mod endpoint;
mod error;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_sdk_apigatewaymanagement::config::Builder as ConfigBuilder;
use aws_sdk_apigatewaymanagement::Client;

pub use endpoint::{ConnectionInfo, ConnectionOperation, WebSocketEndpoint};
pub use error::ConnectionError;

/// Reaches the connections of API Gateway WebSocket APIs through the Management API.
///
/// Make one per process and share it (cloning is cheap): it keeps one SDK client per endpoint,
/// so the endpoint of each event costs a map lookup, and all of them share one HTTP client.
/// Requests are signed for the configuration's region, which must be the API's; the function's
/// role needs `execute-api:ManageConnections` on the API.
#[derive(Clone)]
pub struct Connections {
    config: ConfigBuilder,
    clients: Arc<Mutex<HashMap<String, Client>>>,
}

impl Connections {
    /// Connections reached with `config`: an `&SdkConfig` (`aws_config::load_from_env`) or a
    /// [`Builder`](aws_sdk_apigatewaymanagement::config::Builder) of the Management API's own
    /// configuration. Its endpoint is replaced by each [`WebSocketEndpoint`]'s.
    #[must_use]
    pub fn new(config: impl Into<ConfigBuilder>) -> Self {
        Self {
            config: config.into(),
            clients: Arc::default(),
        }
    }

    /// Connections reached with the standard configuration chain (region, credentials) and an
    /// HTTP client of rustls with ring.
    pub async fn from_env() -> Self {
        Self::new(&crate::sdk_config::from_env().await)
    }

    /// The endpoint of the API `event` came through: `https://{domainName}/{stage}` from its
    /// request context.
    ///
    /// Behind a custom domain whose API mapping has a path, that URL is not the API's; give
    /// `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}` to
    /// [`endpoint`](Connections::endpoint) instead.
    pub fn for_event(
        &self,
        event: &ApiGatewayWebsocketProxyRequest,
    ) -> Result<WebSocketEndpoint, ConnectionError> {
        let context = &event.request_context;
        let field = |name: &'static str, value: &Option<String>| match value.as_deref() {
            Some(value) if !value.is_empty() => Ok(value.to_owned()),
            _ => Err(ConnectionError::Endpoint {
                endpoint: None,
                reason: format!(
                    "the event's request context has no `{name}`; give the endpoint to \
                     `Connections::endpoint`"
                ),
            }),
        };
        let domain = field("domainName", &context.domain_name)?;
        let stage = field("stage", &context.stage)?;
        self.endpoint(&format!("https://{domain}/{stage}"))
    }

    /// The endpoint at `url`, such as `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`
    /// or `http://127.0.0.1:9001/local`: an `http` or `https` URL with a host, and neither a
    /// query nor a fragment.
    pub fn endpoint(&self, url: &str) -> Result<WebSocketEndpoint, ConnectionError> {
        let url = checked_url(url)?;
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let client = clients.entry(url.to_owned()).or_insert_with(|| {
            tracing::debug!(endpoint = url, "new websocket management client");
            Client::from_conf(self.config.clone().endpoint_url(url).build())
        });
        Ok(WebSocketEndpoint::new(client.clone(), url))
    }
}

/// `url` without a trailing `/`, once it has a scheme the SDK speaks and a host.
fn checked_url(url: &str) -> Result<&str, ConnectionError> {
    let refuse = |reason: &str| ConnectionError::Endpoint {
        endpoint: Some(url.to_owned()),
        reason: reason.to_owned(),
    };
    let uri: http::Uri = url
        .parse()
        .map_err(|_| refuse("it is not a URL; expected `https://{host}/{stage}`"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(refuse("expected an `https://{host}/{stage}` URL"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(refuse("the URL has a query or a fragment; remove it"));
    }
    Ok(url.trim_end_matches('/'))
}

impl fmt::Debug for Connections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let mut endpoints: Vec<&str> = clients.keys().map(String::as_str).collect();
        endpoints.sort_unstable();
        f.debug_struct("Connections")
            .field("endpoints", &endpoints)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
