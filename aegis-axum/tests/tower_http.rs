//! tower-http middleware on the router, driven by Lambda events.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Read;

use aegis_axum::AppExt;
use aegis_core::{App, EventDemux};
use base64::Engine;
use serde_json::Value;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

fn demux(router: axum::Router) -> EventDemux {
    App::new("web").router(router).build().unwrap()
}

async fn invoke(demux: &EventDemux, event: &Value) -> Value {
    let reply = demux
        .invoke(serde_json::to_vec(event).unwrap(), support::context())
        .await
        .unwrap();
    support::json(&reply)
}

fn http_event(name: &str) -> Value {
    serde_json::from_slice(&support::event(name)).unwrap()
}

#[tokio::test]
async fn cors_preflight_is_answered_by_the_layer() {
    let app = demux(support::router().layer(CorsLayer::permissive()));
    let mut event = http_event("http-get-user.json");
    event["requestContext"]["http"]["method"] = "OPTIONS".into();
    event["headers"]["origin"] = "https://example.com".into();
    event["headers"]["access-control-request-method"] = "GET".into();

    let response = invoke(&app, &event).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(response["headers"]["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn compression_gzips_the_body_and_base64_encodes_it() {
    let app = demux(support::router().layer(CompressionLayer::new()));
    let mut event = http_event("http-get-user.json");
    event["headers"]["accept-encoding"] = "gzip".into();

    let response = invoke(&app, &event).await;
    assert_eq!(
        response["headers"]["content-encoding"], "gzip",
        "{response}"
    );
    assert_eq!(response["isBase64Encoded"], true);

    let gzipped = base64::engine::general_purpose::STANDARD
        .decode(response["body"].as_str().unwrap())
        .unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_string(&mut text)
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["id"], "42");
}

#[tokio::test]
async fn trace_layer_passes_requests_through() {
    let app = demux(support::router().layer(TraceLayer::new_for_http()));
    let response = invoke(&app, &http_event("rest-get-user.json")).await;
    assert_eq!(response["statusCode"], 200);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = demux(support::router().layer(RequestBodyLimitLayer::new(4)));
    let response = invoke(&app, &http_event("alb-post-binary.json")).await;
    assert_eq!(response["statusCode"], 413, "{response}");

    let small = demux(support::router().layer(RequestBodyLimitLayer::new(64)));
    let response = invoke(&small, &http_event("alb-post-binary.json")).await;
    assert_eq!(response["statusCode"], 200, "{response}");
}
