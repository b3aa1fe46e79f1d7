//! Every HTTP flavour, from fixture events through a real axum router and back.
#![allow(clippy::unwrap_used)]

mod support;

use aegis_axum::{AppExt, HttpService};
use aegis_core::{App, EventDemux, Invocation, Trigger};
use base64::Engine;
use serde_json::Value;
use tower::ServiceExt;

fn demux() -> EventDemux {
    App::new("web").router(support::router()).build().unwrap()
}

async fn invoke(name: &str) -> (Value, Option<String>) {
    let inv = Invocation::new(support::event(name), support::context());
    let route = inv.recorded();
    let reply = demux().oneshot(inv).await.unwrap();
    (support::json(&reply), route.route().map(str::to_owned))
}

fn body_of(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().unwrap()).unwrap()
}

fn binary_body(response: &Value) -> Vec<u8> {
    assert_eq!(response["isBase64Encoded"], true, "{response}");
    base64::engine::general_purpose::STANDARD
        .decode(response["body"].as_str().unwrap())
        .unwrap()
}

#[tokio::test]
async fn each_flavour_classifies_as_its_trigger() {
    let cases = [
        ("rest-get-user.json", Trigger::ApigwRest),
        ("http-get-user.json", Trigger::ApigwHttp),
        ("url-get-user.json", Trigger::FunctionUrl),
        ("alb-get-user.json", Trigger::Alb),
        ("lattice-get-user.json", Trigger::VpcLattice),
    ];
    for (name, trigger) in cases {
        assert_eq!(
            aegis_core::classify(&support::event(name)),
            trigger,
            "{name}"
        );
    }
}

#[tokio::test]
async fn rest_request_reaches_its_route_without_the_stage() {
    let (response, route) = invoke("rest-get-user.json").await;
    assert_eq!(route.as_deref(), Some("GET /users/{id}"));
    support::golden("rest-get-user.json", &response);

    let body = body_of(&response);
    assert_eq!(body["path"], "/users/42");
    assert_eq!(body["query"], serde_json::json!(["a", "b"]));
    assert_eq!(body["x_multi"], serde_json::json!(["1", "2"]));
    assert_eq!(body["stage_var"], "blue");
    assert_eq!(body["path_param"], "42");
    assert_eq!(body["request_id"], "req-1");
    // REST answers with multi-value headers only, so both Set-Cookie values survive.
    assert_eq!(
        response["multiValueHeaders"]["set-cookie"],
        serde_json::json!(["a=1; Path=/", "b=2; HttpOnly"])
    );
}

#[tokio::test]
async fn http_api_request_reaches_its_route_and_sets_cookies() {
    let (response, route) = invoke("http-get-user.json").await;
    assert_eq!(route.as_deref(), Some("GET /users/{id}"));
    support::golden("http-get-user.json", &response);

    let body = body_of(&response);
    assert_eq!(body["path"], "/users/42");
    assert_eq!(body["trigger"], "apigw_http");
    assert_eq!(body["query"], serde_json::json!(["a", "b"]));
    assert_eq!(body["query_ext"], serde_json::json!(["a", "b"]));
    assert_eq!(
        body["cookie"],
        serde_json::json!(["cookie1=value1; cookie2=value2"])
    );
    assert_eq!(
        response["cookies"],
        serde_json::json!(["a=1; Path=/", "b=2; HttpOnly"])
    );
    assert!(response["headers"].get("set-cookie").is_none());
}

#[tokio::test]
async fn function_url_request_answers_like_an_http_api() {
    let (response, _) = invoke("url-get-user.json").await;
    support::golden("url-get-user.json", &response);
    let body = body_of(&response);
    assert_eq!(body["trigger"], "function_url");
    assert_eq!(body["context"], "apigw_v2");
    assert_eq!(response["cookies"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn alb_request_gets_a_status_description() {
    let (response, _) = invoke("alb-get-user.json").await;
    support::golden("alb-get-user.json", &response);
    assert_eq!(response["statusDescription"], "200 OK");
    let body = body_of(&response);
    assert_eq!(body["x_multi"], serde_json::json!(["1", "2"]));
    assert_eq!(body["query"], serde_json::json!(["a", "b"]));
}

#[tokio::test]
async fn vpc_lattice_request_keeps_every_query_value() {
    let (response, _) = invoke("lattice-get-user.json").await;
    support::golden("lattice-get-user.json", &response);
    let body = body_of(&response);
    assert_eq!(body["query"], serde_json::json!(["a", "b"]));
    assert_eq!(body["x_multi"], serde_json::json!(["1", "2"]));
}

#[tokio::test]
async fn binary_bodies_round_trip_in_every_flavour() {
    for flavour in ["rest", "http", "url", "alb", "lattice"] {
        let name = format!("{flavour}-post-binary.json");
        let (response, route) = invoke(&name).await;
        assert_eq!(response["statusCode"], 200, "{name}: {response}");
        assert_eq!(binary_body(&response), support::BINARY, "{name}");
        assert_eq!(route.as_deref(), Some("POST /echo"), "{name}");
        support::golden(&name, &response);
    }
}

#[tokio::test]
async fn an_unknown_path_is_a_404_and_names_its_path_as_the_route() {
    let mut event: Value = serde_json::from_slice(&support::event("alb-get-user.json")).unwrap();
    event["path"] = "/nowhere".into();
    let inv = Invocation::new(serde_json::to_vec(&event).unwrap(), support::context());
    let route = inv.recorded();
    let response = support::json(&demux().oneshot(inv).await.unwrap());
    assert_eq!(response["statusCode"], 404);
    assert_eq!(route.route(), Some("GET /nowhere"));
}

#[tokio::test]
async fn the_stage_can_be_kept_in_the_path() {
    let service = HttpService::new(support::router()).stage_in_path(true);
    let demux = App::new("web").http(service).build().unwrap();
    let reply = demux
        .invoke(support::event("rest-get-user.json"), support::context())
        .await
        .unwrap();
    assert_eq!(support::json(&reply)["statusCode"], 404);
}

async fn decode_error(mutate: impl FnOnce(&mut Value), name: &str) -> aegis_core::Error {
    let mut event: Value = serde_json::from_slice(&support::event(name)).unwrap();
    mutate(&mut event);
    let payload = serde_json::to_vec(&event).unwrap();
    let inv = Invocation::with_trigger(
        payload,
        support::context(),
        aegis_core::classify(&support::event(name)),
    );
    demux().oneshot(inv).await.unwrap_err()
}

#[tokio::test]
async fn a_malformed_base64_body_is_a_decode_error() {
    let err = decode_error(
        |e| e["body"] = "%%% not base64".into(),
        "http-post-binary.json",
    )
    .await;
    assert_eq!(err.error_type(), "DecodeError");
    assert!(err.message().contains("base64"), "{err}");
}

#[tokio::test]
async fn an_invalid_header_value_is_a_decode_error() {
    let err = decode_error(
        |e| e["headers"]["x-bad"] = "line\nbreak".into(),
        "http-get-user.json",
    )
    .await;
    assert_eq!(err.error_type(), "DecodeError", "{err}");
}

#[tokio::test]
async fn a_rest_event_without_http_method_is_a_decode_error() {
    let err = decode_error(
        |e| {
            e.as_object_mut().unwrap().remove("httpMethod");
        },
        "rest-get-user.json",
    )
    .await;
    assert_eq!(err.error_type(), "DecodeError");
    assert!(err.message().contains("httpMethod"), "{err}");
}

#[tokio::test]
async fn a_host_that_is_no_authority_fails_the_invocation_not_the_process() {
    let err = decode_error(
        |e| {
            e["headers"]["host"] = "bad host name".into();
            e["multiValueHeaders"]["host"] = serde_json::json!(["bad host name"]);
        },
        "alb-get-user.json",
    )
    .await;
    assert_eq!(err.error_type(), "DecodeError", "{err}");
}
