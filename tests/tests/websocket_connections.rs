//! `Connections` with the real SDK client against a local stand-in for the API Gateway
//! Management API: the requests it sends (method, path, body, SigV4 for `execute-api`) and
//! how each kind of answer comes back.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "websocket_connections/stand_in.rs"]
mod stand_in;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aegis_core::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aegis_core::aws_sdk_apigatewaymanagement::config::Credentials;
use aegis_core::{App, ConnectionError, ConnectionOperation, Connections, Ctx, Error};
use aegis_core::{WebSocketEndpoint, WebSocketRouter};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use stand_in::{stand_in, Seen};

const ID: &str = "L0SM9cOFvHcCIhw=";

/// Connections as a function would make them, signing with fixed credentials and retrying
/// without waiting long.
async fn connections() -> Connections {
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .http_client(https)
        .load()
        .await;
    Connections::new(&config)
}

async fn local() -> (WebSocketEndpoint, Arc<Mutex<Vec<Seen>>>, String) {
    let (addr, seen) = stand_in();
    let url = format!("http://{addr}/prod");
    (connections().await.endpoint(&url).unwrap(), seen, url)
}

async fn within<T>(call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_post_sends_the_bytes_to_the_connection_signed_for_execute_api() {
    let (endpoint, seen, _) = local().await;
    within(endpoint.post(ID, &b"\x00hi\xff"[..])).await.unwrap();
    within(endpoint.post_json(ID, &serde_json::json!({"n": 1})))
        .await
        .unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for request in &seen {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/prod/@connections/L0SM9cOFvHcCIhw%3D");
        let auth = &request.authorization;
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"),
            "{auth}"
        );
        assert!(
            auth.contains("/eu-west-1/execute-api/aws4_request"),
            "{auth}"
        );
    }
    assert_eq!(seen[0].body, b"\x00hi\xff");
    assert_eq!(seen[1].body, br#"{"n":1}"#);
}

#[tokio::test]
async fn a_gone_connection_is_told_apart_and_not_retried() {
    let (endpoint, seen, url) = local().await;
    let sent = within(endpoint.post("Gone+Id/x=", "hello")).await;
    let Err(err) = sent else {
        panic!("not refused: {:?}", seen.lock().unwrap());
    };
    assert!(err.is_gone(), "{err:?}");
    assert_eq!(err.connection_id(), Some("Gone+Id/x="));
    assert_eq!(
        err.to_string(),
        format!(
            "WebSocket connection `Gone+Id/x=` at {url} is gone (HTTP 410): the client has \
             disconnected; drop its id"
        )
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].path, "/prod/@connections/Gone%2BId%2Fx%3D");
}

#[tokio::test]
async fn throttling_and_server_errors_are_other_errors_after_the_sdks_retries() {
    let (endpoint, seen, url) = local().await;
    let err = within(endpoint.post("busy", "hello")).await.unwrap_err();
    assert!(
        matches!(err, ConnectionError::Throttled { ref message, .. }
            if message.as_deref() == Some("Rate exceeded")),
        "{err:?}"
    );

    let err = within(endpoint.delete("broken")).await.unwrap_err();
    assert!(!err.is_gone());
    assert!(
        matches!(
            err,
            ConnectionError::Api {
                status: 500,
                operation: ConnectionOperation::Delete,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "disconnecting WebSocket connection `broken` at {url} failed with an error \
             (HTTP 500): Internal server error"
        )
    );
    // The SDK's standard retry makes three attempts at each.
    let methods: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.method.clone())
        .collect();
    assert_eq!(
        methods,
        ["POST", "POST", "POST", "DELETE", "DELETE", "DELETE"]
    );
}

#[tokio::test]
async fn delete_disconnects_and_get_reads_the_connection() {
    let (endpoint, seen, _) = local().await;
    within(endpoint.delete(ID)).await.unwrap();
    let info = within(endpoint.get(ID)).await.unwrap();
    assert_eq!(
        info.connected_at.unwrap().to_rfc3339(),
        "2024-05-01T10:00:00+00:00"
    );
    assert_eq!(
        info.last_active_at.unwrap().to_rfc3339(),
        "2024-05-01T10:05:30.250+00:00"
    );
    assert_eq!(info.source_ip.as_deref(), Some("192.0.2.7"));
    assert_eq!(info.user_agent.as_deref(), Some("wscat/5"));

    let seen: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| (s.method.clone(), s.path.clone()))
        .collect();
    let path = "/prod/@connections/L0SM9cOFvHcCIhw%3D".to_owned();
    assert_eq!(
        seen,
        [
            ("DELETE".to_owned(), path.clone()),
            ("GET".to_owned(), path)
        ]
    );
}

#[tokio::test]
async fn an_endpoint_nothing_listens_on_is_a_transport_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/prod");
    let endpoint = connections().await.endpoint(&url).unwrap();
    let err = within(endpoint.post(ID, "hello")).await.unwrap_err();
    assert!(matches!(err, ConnectionError::Transport { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "posting to WebSocket connection `{ID}` at {url} failed before"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_default_route_echoes_a_message_back_on_its_connection() {
    async fn echo(
        event: ApiGatewayWebsocketProxyRequest,
        ctx: Ctx<(Connections, String)>,
    ) -> Result<(), Error> {
        let (connections, url) = ctx.state();
        let id = event.request_context.connection_id.unwrap_or_default();
        let text = event.body.unwrap_or_default();
        connections
            .endpoint(url)?
            .post(&id, format!("echo: {text}"))
            .await?;
        Ok(())
    }
    let (_, seen, url) = local().await;
    let router = WebSocketRouter::with_state((connections().await, url)).route("$default", echo);
    let app = App::new("chat").websocket(router).build().unwrap();

    let mut event: serde_json::Value = serde_json::from_str(include_str!(
        "../../aegis-core/tests/data/aws_lambda_events/example-apigw-websocket-request.json"
    ))
    .unwrap();
    event["requestContext"]["routeKey"] = "$default".into();
    event["body"] = "hi there".into();
    let reply = within(app.invoke(serde_json::to_vec(&event).unwrap(), Default::default()))
        .await
        .unwrap();
    assert_eq!(reply.as_str(), r#"{"statusCode":200}"#);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].path, "/prod/@connections/TWegAcC4EowCHnA%3D");
    assert_eq!(seen[0].body, b"echo: hi there");
}
