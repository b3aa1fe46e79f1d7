use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_sdk_apigatewaymanagement::config::{BehaviorVersion, Region};

use super::*;
use crate::{Error, ErrorKind};

/// Connections that are never asked to send: building clients needs no HTTP client.
fn connections() -> Connections {
    Connections::new(
        aws_sdk_apigatewaymanagement::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1")),
    )
}

fn event(fixture: &[u8]) -> ApiGatewayWebsocketProxyRequest {
    serde_json::from_slice(fixture).unwrap()
}

const DISCONNECT: &[u8] = include_bytes!(
    "../../tests/data/aws_lambda_events/example-apigw-websocket-request-disconnect-route.json"
);
const WITHOUT_METHOD: &[u8] = include_bytes!(
    "../../tests/data/aws_lambda_events/example-apigw-websocket-request-without-method.json"
);

#[test]
fn the_endpoint_of_an_event_is_its_domain_name_and_stage() {
    let connections = connections();
    let endpoint = connections.for_event(&event(DISCONNECT)).unwrap();
    assert_eq!(
        endpoint.url(),
        "https://abcd1234.execute-api.us-east-1.amazonaws.com/prod"
    );
    let endpoint = connections.for_event(&event(WITHOUT_METHOD)).unwrap();
    assert_eq!(
        endpoint.url(),
        "https://asdfasdf.execute-api.us-west-2.amazonaws.com/dev"
    );
}

#[test]
fn each_endpoint_gets_one_client_however_often_it_is_asked_for() {
    let connections = connections();
    for _ in 0..3 {
        connections.for_event(&event(DISCONNECT)).unwrap();
    }
    connections.endpoint("http://127.0.0.1:9/local/").unwrap();
    let shown = format!("{connections:?}");
    assert_eq!(
        shown,
        r#"Connections { endpoints: ["http://127.0.0.1:9/local", "https://abcd1234.execute-api.us-east-1.amazonaws.com/prod"], .. }"#
    );
}

#[test]
fn an_event_without_a_domain_name_or_stage_has_no_endpoint() {
    for field in ["domainName", "stage"] {
        let mut raw: serde_json::Value = serde_json::from_slice(DISCONNECT).unwrap();
        raw["requestContext"].as_object_mut().unwrap().remove(field);
        let err = connections()
            .for_event(&serde_json::from_value(raw).unwrap())
            .unwrap_err();
        assert!(
            matches!(err, ConnectionError::Endpoint { endpoint: None, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "no WebSocket API endpoint: the event's request context has no `{field}`; \
                 give the endpoint to `Connections::endpoint`"
            )
        );
        assert_eq!(err.connection_id(), None);
    }
}

#[test]
fn an_endpoint_must_be_an_http_url_with_a_host_and_no_query() {
    let connections = connections();
    for (url, says) in [
        ("not a url", "it is not a URL"),
        (
            "ftp://example.com/prod",
            "expected an `https://{host}/{stage}` URL",
        ),
        ("/prod", "expected an `https://{host}/{stage}` URL"),
        (
            "https://example.com/prod?x=1",
            "the URL has a query or a fragment",
        ),
        (
            "https://example.com/prod#x",
            "the URL has a query or a fragment",
        ),
    ] {
        let err = connections.endpoint(url).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("`{url}` is no WebSocket API endpoint: {says}")),
            "{shown}"
        );
    }
    let custom = connections
        .endpoint("https://ws.example.com/chat/")
        .unwrap();
    assert_eq!(custom.url(), "https://ws.example.com/chat");
}

#[tokio::test]
async fn an_empty_connection_id_fails_before_anything_is_sent() {
    let endpoint = connections().for_event(&event(DISCONNECT)).unwrap();
    let err = endpoint.post("", "hello").await.unwrap_err();
    assert!(
        matches!(
            err,
            ConnectionError::Transport {
                operation: ConnectionOperation::Post,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "posting to WebSocket connection `` at \
             https://abcd1234.execute-api.us-east-1.amazonaws.com/prod failed before API \
             Gateway answered: "
        ),
        "{shown}"
    );
    assert!(shown.contains("connection_id"), "{shown}");
}

#[tokio::test]
async fn a_message_that_does_not_encode_fails_before_anything_is_sent() {
    let endpoint = connections().for_event(&event(DISCONNECT)).unwrap();
    let message = std::collections::BTreeMap::from([((1, 2), "no JSON object key")]);
    let err = endpoint.post_json("AAAA1234=", &message).await.unwrap_err();
    assert!(matches!(err, ConnectionError::Encode { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with("the message for WebSocket connection `AAAA1234=` does not encode as JSON"));
}

#[test]
fn a_gone_connection_becomes_an_aegis_error_saying_to_drop_the_id() {
    let gone = ConnectionError::Gone {
        endpoint: "https://abc.execute-api.eu-west-1.amazonaws.com/prod".to_owned(),
        connection_id: "L0SM9cOFvHcCIhw=".to_owned(),
    };
    assert!(gone.is_gone());
    assert_eq!(gone.connection_id(), Some("L0SM9cOFvHcCIhw="));
    let err = Error::from(gone);
    assert_eq!(
        (err.kind(), err.error_type(), err.message()),
        (
            ErrorKind::Other,
            "WebSocketConnectionGone",
            "WebSocket connection `L0SM9cOFvHcCIhw=` at \
             https://abc.execute-api.eu-west-1.amazonaws.com/prod is gone (HTTP 410): the \
             client has disconnected; drop its id"
        )
    );
}

#[test]
fn a_forbidden_answer_says_which_permission_is_missing() {
    let forbidden = ConnectionError::Api {
        operation: ConnectionOperation::Delete,
        endpoint: "https://abc.execute-api.eu-west-1.amazonaws.com/prod".to_owned(),
        connection_id: "L0SM9cOFvHcCIhw=".to_owned(),
        status: 403,
        code: Some("ForbiddenException".to_owned()),
        message: Some("Forbidden".to_owned()),
    };
    assert!(!forbidden.is_gone());
    assert_eq!(
        forbidden.to_string(),
        "disconnecting WebSocket connection `L0SM9cOFvHcCIhw=` at \
         https://abc.execute-api.eu-west-1.amazonaws.com/prod failed with ForbiddenException \
         (HTTP 403): Forbidden; allow `execute-api:ManageConnections` on this API to the \
         function's role, and check the endpoint is the API's"
    );
    assert_eq!(Error::from(forbidden).error_type(), "WebSocketApiError");
}
