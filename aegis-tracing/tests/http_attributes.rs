//! An HTTP request served by aegis-axum's `HttpService` leaves OpenTelemetry's HTTP attributes
//! on the invocation span.

#![cfg(feature = "opentelemetry")]
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use aegis_axum::AppExt;
use aegis_core::App;
use aegis_tracing::{Telemetry, TraceLayer};
use axum::routing::get;
use opentelemetry::Value;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use support::{context, HTTP_API_WITH_SECRETS};

#[tokio::test]
async fn the_invocation_span_carries_method_route_path_and_status() {
    let path: String = {
        let event: serde_json::Value = serde_json::from_slice(HTTP_API_WITH_SECRETS).unwrap();
        event["rawPath"].as_str().unwrap().to_owned()
    };
    let template = path
        .rsplit_once('/')
        .map(|(head, _)| format!("{head}/{{id}}"))
        .unwrap();
    let router = axum::Router::new().route(&template, get(|| async { "found" }));
    let demux = App::new("web")
        .router(router)
        .layer(TraceLayer::new())
        .build()
        .unwrap();

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let (dispatch, _guard) = Telemetry::from_env()
        .json()
        .writer_with(std::io::sink)
        .tracer_provider(provider)
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    demux
        .invoke(HTTP_API_WITH_SECRETS, context("req-1"))
        .await
        .unwrap();

    let spans = exporter.get_finished_spans().unwrap();
    let span = spans.iter().find(|s| s.name == "invocation").unwrap();
    let attribute = |key: &str| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    assert_eq!(attribute("http.request.method"), Some(Value::from("GET")));
    assert_eq!(attribute("url.path"), Some(Value::from(path)));
    assert_eq!(attribute("http.route"), Some(Value::from(template)));
    assert_eq!(
        attribute("http.response.status_code"),
        Some(Value::I64(200))
    );
}
